//! `nsbox --install [-s] DIR`: hard or symbolic links for every applet, and
//! never overwriting what is not ours.

mod common;

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use common::*;

/// Hard links need the binary's filesystem, so not /tmp but Cargo's own
/// temporary directory next to the binary.
fn install_dir() -> TempDir {
    TempDir::new_in(env!("CARGO_TARGET_TMPDIR"))
}

fn install(dir: &Path, symbolic: bool) -> Output {
    let mut command = nsbox().arg("--install");
    if symbolic {
        command = command.arg("-s");
    }
    command.arg(dir).run()
}

fn assert_hard_links(dir: &TempDir) {
    assert_eq!(dir.names(), APPLETS, "in {}", dir.path().display());
    for name in APPLETS {
        let meta = std::fs::symlink_metadata(dir.join(name)).unwrap();
        assert!(meta.file_type().is_file(), "{name} is not a regular file");
        assert!(is_nsbox(&meta), "{name} is not a hard link to nsbox");
    }
}

fn assert_symlinks(dir: &TempDir) {
    assert_eq!(dir.names(), APPLETS, "in {}", dir.path().display());
    for name in APPLETS {
        let link = dir.join(name);
        let meta = std::fs::symlink_metadata(&link).unwrap();
        assert!(meta.file_type().is_symlink(), "{name} is not a symlink");
        assert_eq!(std::fs::read_link(&link).unwrap(), nsbox_path(), "{name}");
    }
}

fn assert_links_run(dir: &TempDir) {
    for name in APPLETS {
        cmd(dir.join(name))
            .arg("--version")
            .run()
            .success()
            .stdout_is(&format!("{name} from nsbox {VERSION}\n"));
    }
}

/// (name, inode) of every entry, links not followed.
fn inodes(dir: &TempDir) -> Vec<(String, u64)> {
    dir.names()
        .into_iter()
        .map(|n| {
            let ino = std::fs::symlink_metadata(dir.join(&n)).unwrap().ino();
            (n, ino)
        })
        .collect()
}

#[test]
fn hard_links() {
    let dir = install_dir();
    install(dir.path(), false)
        .success()
        .stdout_is("")
        .stderr_is("");
    assert_hard_links(&dir);
    assert_links_run(&dir);
}

#[test]
fn symbolic_links() {
    let dir = install_dir();
    install(dir.path(), true)
        .success()
        .stdout_is("")
        .stderr_is("");
    assert_symlinks(&dir);
    assert_links_run(&dir);
}

#[test]
fn dash_s_after_the_directory() {
    let dir = install_dir();
    nsbox()
        .arg("--install")
        .arg(dir.path())
        .arg("-s")
        .run()
        .success();
    assert_symlinks(&dir);
}

#[test]
fn reinstalling_is_idempotent() {
    for symbolic in [false, true] {
        let dir = install_dir();
        install(dir.path(), symbolic).success();
        let before = inodes(&dir);
        install(dir.path(), symbolic).success().stderr_is("");
        // Same names, same inodes: nothing was recreated.
        assert_eq!(inodes(&dir), before, "symbolic: {symbolic}");
    }
}

#[test]
fn switching_between_hard_and_symbolic_replaces_links() {
    let dir = install_dir();
    install(dir.path(), true).success();
    assert_symlinks(&dir);
    install(dir.path(), false).success().stderr_is("");
    assert_hard_links(&dir);
    install(dir.path(), true).success().stderr_is("");
    assert_symlinks(&dir);
    assert_links_run(&dir);
}

#[test]
fn a_symlink_reaching_nsbox_another_way_is_replaced() {
    let env = Env::new();
    let dir = install_dir();
    // nsenter -> (env)/setns-test -> nsbox: a link to nsbox, but not direct.
    dir.symlink(env.path("setns-test"), "nsenter");
    install(dir.path(), true).success();
    assert_symlinks(&dir);
}

#[test]
fn a_foreign_regular_file_is_refused() {
    for symbolic in [false, true] {
        let dir = install_dir();
        let file = dir.write("nsenter", "precious\n", 0o755);
        let out = install(dir.path(), symbolic);
        out.code(1)
            .stdout_is("")
            .stderr_line("nsbox: ")
            .stderr_has(&file.display().to_string());
        assert_eq!(dir.names(), ["nsenter"], "something was created");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "precious\n");
    }
}

#[test]
fn a_foreign_symlink_is_refused() {
    for symbolic in [false, true] {
        let dir = install_dir();
        let link = dir.symlink("/bin/true", "unshare");
        let dangling = dir.symlink("/nonexistent/nsbox", "nsbind");
        let out = install(dir.path(), symbolic);
        out.code(1)
            .stdout_is("")
            .stderr_has(&link.display().to_string())
            .stderr_has(&dangling.display().to_string());
        assert_eq!(dir.names(), ["nsbind", "unshare"], "something was created");
        assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("/bin/true"));
        assert_eq!(
            std::fs::read_link(&dangling).unwrap(),
            Path::new("/nonexistent/nsbox")
        );
    }
}

#[test]
fn a_refusal_changes_nothing_at_all() {
    let dir = install_dir();
    // One name is ours (a symlink that a hard install would replace), one is not.
    let ours = dir.symlink(nsbox_path(), "nsbind");
    let theirs = dir.write("nsenter", "precious\n", 0o644);
    let before = inodes(&dir);
    install(dir.path(), false)
        .code(1)
        .stderr_has(&theirs.display().to_string());
    assert_eq!(inodes(&dir), before);
    assert_eq!(std::fs::read_link(&ours).unwrap(), nsbox_path());
}

#[test]
fn a_directory_in_the_way_is_refused() {
    let dir = install_dir();
    std::fs::create_dir(dir.join("setns-test")).unwrap();
    install(dir.path(), true)
        .code(1)
        .stderr_has(&dir.join("setns-test").display().to_string());
    assert_eq!(dir.names(), ["setns-test"]);
}

#[test]
fn missing_directory() {
    let parent = install_dir();
    let dir = parent.join("missing");
    for symbolic in [false, true] {
        install(&dir, symbolic)
            .code(1)
            .stdout_is("")
            .stderr_line("nsbox: ")
            .stderr_has(&dir.display().to_string());
    }
    assert!(!dir.exists());
}

#[test]
fn install_needs_a_directory() {
    for args in [&["--install"][..], &["--install", "-s"]] {
        let out = nsbox().args(args).run();
        out.code(1)
            .stdout_is("")
            .stderr_has("nsbox: ")
            .stderr_has("Try 'nsbox --help' for more information.\n");
    }
}

/// The text `--install` and `make install` recognise an nsbox executable by
/// (src/install.rs, src/pkg/install.sh): every build must carry it.
const SIGNATURE: &str = "Linux namespace tools in one executable";

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn the_executable_carries_the_signature() {
    let bytes = std::fs::read(NSBOX).unwrap();
    assert!(bytes.starts_with(b"\x7fELF"));
    assert!(contains(&bytes, SIGNATURE), "{NSBOX} lacks {SIGNATURE:?}");
}

/// An nsbox executable that is not the one under test, as an older
/// version would be: the same ELF file with other bytes at the end.
fn older_nsbox(dir: &TempDir) -> std::path::PathBuf {
    let mut bytes = std::fs::read(NSBOX).unwrap();
    bytes.extend_from_slice(b"an older build\n");
    let path = dir.join("old-nsbox");
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn an_older_nsbox_is_upgraded() {
    for symbolic in [false, true] {
        let old_dir = install_dir();
        let old = older_nsbox(&old_dir);
        let dir = install_dir();
        // What `nsbox --install` of the older build left: hard links, and
        // one symbolic link from an even older install.
        std::fs::hard_link(&old, dir.join("unshare")).unwrap();
        std::fs::hard_link(&old, dir.join("nsenter")).unwrap();
        dir.symlink(&old, "setns-test");
        install(dir.path(), symbolic)
            .success()
            .stdout_is("")
            .stderr_is("");
        if symbolic {
            assert_symlinks(&dir);
        } else {
            assert_hard_links(&dir);
        }
        assert_links_run(&dir);
        // The older executable itself is left alone.
        assert!(contains(&std::fs::read(&old).unwrap(), "an older build"));
    }
}

#[test]
fn the_signature_alone_is_not_enough() {
    let dir = install_dir();
    // A script that mentions the text, and an ELF program that is not nsbox.
    let script = dir.write("unshare", &format!("#!/bin/sh\n# {SIGNATURE}\n"), 0o755);
    let elf = dir.join("nsenter");
    std::fs::copy("/bin/true", &elf).unwrap();
    let before = inodes(&dir);
    let out = install(dir.path(), false);
    out.code(1)
        .stderr_has(&script.display().to_string())
        .stderr_has(&elf.display().to_string());
    assert_eq!(inodes(&dir), before);
    assert_eq!(
        std::fs::read(&elf).unwrap(),
        std::fs::read("/bin/true").unwrap()
    );
}

#[test]
fn a_fifo_in_the_way_is_refused_without_being_opened() {
    let dir = install_dir();
    let fifo = dir.join("nsbind");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o644)).unwrap();
    // Opening the FIFO to read it would wait for a writer until the
    // harness's timeout; a symbolic link to it must not be followed either.
    let link = dir.symlink(&fifo, "setns-test");
    install(dir.path(), false)
        .code(1)
        .stderr_has(&fifo.display().to_string())
        .stderr_has(&link.display().to_string());
    assert_eq!(dir.names(), ["nsbind", "setns-test"]);
}

#[test]
fn a_hard_link_across_file_systems_suggests_symbolic_links() {
    // The directory becomes a tmpfs in a throwaway mount namespace, so it
    // is surely on another file system than the binary.
    let dir = TempDir::new();
    let script = r#"mount -t tmpfs nsbox-test "$1" && exec "$2" --install "$1""#;
    let out = cmd(UL_UNSHARE)
        .args(["--mount", "sh", "-c", script, "sh"])
        .arg(dir.path())
        .arg(NSBOX)
        .run();
    out.code(1)
        .stdout_is("")
        .stderr_line("nsbox: cannot link ")
        .stderr_has("Invalid cross-device link")
        .stderr_has("(use --install -s for symbolic links)");
    assert!(dir.names().is_empty());
}

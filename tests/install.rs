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

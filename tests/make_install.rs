//! `make install` and `make uninstall` (src/pkg/install.sh) in a staged
//! tree, DESTDIR, seeded with util-linux's `unshare` and `nsenter`, their
//! man pages and completions: install refuses to replace them and writes
//! nothing, `APPLETS` installs beside them, `FORCE=1` replaces them, an
//! older nsbox is upgraded, and uninstall removes what is nsbox's and
//! nothing else. Every file of the tree is checked after every step. The
//! tests never install on the host: DESTDIR is always a fresh directory.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use common::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// The line every man page and completion file of nsbox carries.
const MARKER: &str =
    "This file is part of nsbox (make install and make uninstall look for this line).";

/// What is at a name of the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    Dir,
    File { bytes: Vec<u8>, mode: u32, ino: u64 },
    Link(PathBuf),
}

type Tree = BTreeMap<String, Node>;

/// Every name under `root`, relative to it, links not followed.
fn snapshot(root: &Path) -> Tree {
    fn walk(root: &Path, dir: &Path, tree: &mut Tree) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.strip_prefix(root).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let node = if meta.file_type().is_symlink() {
                Node::Link(std::fs::read_link(&path).unwrap())
            } else if meta.is_dir() {
                walk(root, &path, tree);
                Node::Dir
            } else {
                Node::File {
                    bytes: std::fs::read(&path).unwrap(),
                    mode: meta.permissions().mode() & 0o7777,
                    ino: meta.ino(),
                }
            };
            tree.insert(name, node);
        }
    }
    let mut tree = Tree::new();
    walk(root, root, &mut tree);
    tree
}

/// A staged tree, PREFIX=/usr inside DESTDIR.
struct Stage {
    dir: TempDir,
}

/// util-linux's files, as Debian ships them: (path, content, mode).
fn foreign_files() -> Vec<(&'static str, Vec<u8>, u32)> {
    let mut files = vec![
        ("usr/bin/unshare", std::fs::read(UL_UNSHARE).unwrap(), 0o755),
        (
            "usr/bin/nsenter",
            b"#!/bin/sh\necho util-linux nsenter\n".to_vec(),
            0o755,
        ),
    ];
    for name in ["unshare", "nsenter"] {
        let text = |what: &str| format!("{what} of util-linux's {name}\n").into_bytes();
        files.extend([
            (
                leak(format!("usr/share/man/man1/{name}.1")),
                text(".\\\" page"),
                0o644,
            ),
            (
                leak(format!("usr/share/bash-completion/completions/{name}")),
                text("# bash completion"),
                0o644,
            ),
            (
                leak(format!("usr/share/zsh/site-functions/_{name}")),
                text("#compdef"),
                0o644,
            ),
            (
                leak(format!("usr/share/fish/vendor_completions.d/{name}.fish")),
                text("# fish completion"),
                0o644,
            ),
        ]);
    }
    files
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

impl Stage {
    fn empty() -> Stage {
        Stage {
            dir: TempDir::new(),
        }
    }

    fn seeded() -> Stage {
        let stage = Stage::empty();
        for (name, bytes, mode) in foreign_files() {
            stage.put(name, &bytes, mode);
        }
        stage
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn put(&self, name: &str, bytes: &[u8], mode: u32) {
        let path = self.path(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    fn tree(&self) -> Tree {
        snapshot(self.dir.path())
    }

    /// `make TARGET DESTDIR=stage PREFIX=/usr SETTINGS...`, with the binary
    /// under test (or `bin`) as BIN, so that make builds nothing.
    fn make_with(&self, bin: &Path, target: &str, settings: &[&str]) -> Output {
        assert!(!self.dir.path().as_os_str().is_empty());
        cmd("make")
            .args(["--no-print-directory", "-s", "-C", ROOT, target])
            .arg(format!("DESTDIR={}", self.dir.path().display()))
            .arg("PREFIX=/usr")
            .arg(format!("BIN={}", bin.display()))
            .args(settings)
            .env_remove("MAKEFLAGS")
            .env_remove("MAKELEVEL")
            .run()
    }

    fn make(&self, target: &str, settings: &[&str]) -> Output {
        self.make_with(Path::new(NSBOX), target, settings)
    }
}

/// The names make install gives nsbox and these applets, with where each
/// comes from in the source tree (None: the executable or a link to it).
fn nsbox_names(applets: &[&str]) -> Vec<(String, Option<String>)> {
    let mut names = vec![("usr/bin/nsbox".to_owned(), None)];
    for applet in applets {
        names.push((format!("usr/bin/{applet}"), None));
    }
    for name in std::iter::once(&"nsbox").chain(applets) {
        names.extend([
            (
                format!("usr/share/man/man1/{name}.1"),
                Some(format!("man/{name}.1")),
            ),
            (
                format!("usr/share/bash-completion/completions/{name}"),
                Some(format!("completions/bash/{name}")),
            ),
            (
                format!("usr/share/zsh/site-functions/_{name}"),
                Some(format!("completions/zsh/_{name}")),
            ),
            (
                format!("usr/share/fish/vendor_completions.d/{name}.fish"),
                Some(format!("completions/fish/{name}.fish")),
            ),
        ]);
    }
    names
}

/// Every directory above these names.
fn parents<'a>(names: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut dirs = Vec::new();
    for name in names {
        let mut path = Path::new(name.as_str());
        while let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            dirs.push(parent.display().to_string());
            path = parent;
        }
    }
    dirs
}

/// The tree holds exactly: `kept` as it was (same inode, same bytes), the
/// executable under test with a hard link per applet, the source tree's
/// pages and completions for nsbox and `applets`, and their directories.
fn assert_installed(stage: &Stage, kept: &Tree, applets: &[&str]) {
    let tree = stage.tree();
    let ours = nsbox_names(applets);
    let bin = std::fs::read(NSBOX).unwrap();
    let Some(Node::File { ino, .. }) = tree.get("usr/bin/nsbox") else {
        panic!("no usr/bin/nsbox in {:?}", tree.keys())
    };
    for (name, source) in &ours {
        let (bytes, mode) = match source {
            None => (bin.clone(), 0o755),
            Some(source) => (std::fs::read(Path::new(ROOT).join(source)).unwrap(), 0o644),
        };
        match tree.get(name) {
            Some(Node::File {
                bytes: got,
                mode: got_mode,
                ino: got_ino,
            }) => {
                assert!(*got == bytes, "{name}: not the content of {source:?}");
                assert_eq!(*got_mode, mode, "{name}: mode");
                if source.is_none() {
                    assert_eq!(got_ino, ino, "{name}: not a hard link to usr/bin/nsbox");
                }
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    for (name, node) in kept {
        assert_eq!(tree.get(name), Some(node), "{name} changed");
    }
    let dirs = parents(ours.iter().map(|(n, _)| n).chain(kept.keys()));
    for name in tree.keys() {
        let expected =
            kept.contains_key(name) || ours.iter().any(|(n, _)| n == name) || dirs.contains(name);
        assert!(expected, "{name} should not be there");
    }
    // And the links really are nsbox.
    for applet in applets {
        cmd(stage.path(&format!("usr/bin/{applet}")))
            .arg("--version")
            .run()
            .success()
            .stdout_is(&format!("{applet} from nsbox {VERSION}\n"));
    }
}

/// The tree holds `kept`, and otherwise only directories.
fn assert_only(stage: &Stage, kept: &Tree) {
    for (name, node) in stage.tree() {
        match kept.get(&name) {
            Some(was) => assert_eq!(&node, was, "{name} changed"),
            None => assert_eq!(node, Node::Dir, "{name} left behind"),
        }
    }
    for name in kept.keys() {
        assert!(
            stage.path(name).symlink_metadata().is_ok(),
            "{name} removed"
        );
    }
}

fn applets() -> Vec<&'static str> {
    vec!["unshare", "nsenter", "setns-test", "nsbind"]
}

fn regular_files(tree: &Tree) -> Tree {
    tree.iter()
        .filter(|(_, node)| !matches!(node, Node::Dir))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The foreign files of these applets.
fn foreign_of(applets: &[&str]) -> Vec<&'static str> {
    foreign_files()
        .into_iter()
        .map(|(name, _, _)| name)
        .filter(|name| applets.iter().any(|a| name.contains(a)))
        .collect()
}

#[test]
fn install_refuses_to_replace_util_linux_and_writes_nothing() {
    let stage = Stage::seeded();
    let before = stage.tree();
    let cases: [(&[&str], &[&str], &str); 3] = [
        (&[], &["unshare", "nsenter"], "setns-test nsbind"),
        (
            &["LINKS=symbolic"],
            &["unshare", "nsenter"],
            "setns-test nsbind",
        ),
        (&["APPLETS=unshare nsbind"], &["unshare"], "nsbind"),
    ];
    for (settings, refused, beside) in cases {
        let out = stage.make("install", settings);
        out.code(2).stdout_is("");
        let names = foreign_of(refused);
        for name in &names {
            let path = stage.path(name).display().to_string();
            out.stderr_has(&format!(
                "install.sh: {path}: exists and is not nsbox's; not replacing it\n"
            ));
        }
        out.stderr_has(&format!(
            "install.sh: nothing was installed: install beside them with \
             APPLETS=\"{beside}\", or replace them with FORCE=1\n"
        ));
        out.check(
            out.stderr().matches("install.sh: ").count() == names.len() + 1,
            "one line per file and the summary",
        );
        assert_eq!(stage.tree(), before, "install {settings:?} wrote something");
    }
}

#[test]
fn install_beside_util_linux_then_uninstall() {
    let stage = Stage::seeded();
    let seed = stage.tree();
    stage
        .make("install", &["APPLETS=setns-test nsbind"])
        .success();
    assert_installed(&stage, &regular_files(&seed), &["setns-test", "nsbind"]);
    // Installing again changes nothing but the files' inodes.
    stage
        .make("install", &["APPLETS=setns-test nsbind"])
        .success();
    assert_installed(&stage, &regular_files(&seed), &["setns-test", "nsbind"]);

    let out = stage.make("uninstall", &[]);
    out.success().stderr_is("");
    for (name, _, _) in foreign_files() {
        let path = stage.path(name).display().to_string();
        out.stdout_has(&format!("kept {path}: not nsbox's\n"));
    }
    out.stdout_has(&format!(
        "removed {}\n",
        stage.path("usr/bin/nsbox").display()
    ));
    assert_only(&stage, &regular_files(&seed));
    // A second uninstall finds nothing of nsbox's.
    stage.make("uninstall", &[]).success();
    assert_only(&stage, &regular_files(&seed));
}

#[test]
fn force_replaces_then_uninstall_removes_all_of_nsbox() {
    let stage = Stage::seeded();
    stage.make("install", &["FORCE=1"]).success().stderr_is("");
    assert_installed(&stage, &Tree::new(), &applets());
    stage.make("uninstall", &[]).success();
    assert_only(&stage, &Tree::new());
}

#[test]
fn uninstall_of_a_tree_without_nsbox_removes_nothing() {
    let stage = Stage::seeded();
    let before = stage.tree();
    stage.make("uninstall", &[]).success().stderr_is("");
    assert_eq!(stage.tree(), before);
}

/// An older nsbox: the executable under test with other bytes at the end.
fn older_nsbox(dir: &TempDir) -> PathBuf {
    let mut bytes = std::fs::read(NSBOX).unwrap();
    bytes.extend_from_slice(b"an older build\n");
    let path = dir.join("old-nsbox");
    std::fs::write(&path, bytes).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn upgrade_over_an_older_install() {
    for links in ["LINKS=hard", "LINKS=symbolic"] {
        let old_dir = TempDir::new();
        let old = older_nsbox(&old_dir);
        let stage = Stage::empty();
        stage.make_with(&old, "install", &[links]).success();
        // The older pages and completions differ from the new ones but
        // carry the marker.
        for (name, source) in nsbox_names(&applets()) {
            if source.is_some() {
                let path = stage.path(&name);
                let mut text = std::fs::read_to_string(&path).unwrap();
                text.insert_str(0, "# from an older nsbox\n");
                std::fs::write(&path, text).unwrap();
            }
        }
        // One more link from an even older install, absolute as a package
        // would make it: it is resolved inside DESTDIR.
        std::fs::remove_file(stage.path("usr/bin/nsbind")).unwrap();
        std::os::unix::fs::symlink("/usr/bin/nsbox", stage.path("usr/bin/nsbind")).unwrap();

        stage.make("install", &[]).success().stderr_is("");
        assert_installed(&stage, &Tree::new(), &applets());
        stage.make("uninstall", &[]).success();
        assert_only(&stage, &Tree::new());
    }
}

#[test]
fn uninstall_recognises_links_to_an_older_nsbox() {
    let old_dir = TempDir::new();
    let old = older_nsbox(&old_dir);
    let stage = Stage::empty();
    stage
        .make_with(&old, "install", &["LINKS=symbolic"])
        .success();
    stage.make("uninstall", &[]).success().stderr_is("");
    assert_only(&stage, &Tree::new());
}

#[test]
fn a_directory_in_the_way_is_refused_even_with_force() {
    let stage = Stage::seeded();
    std::fs::create_dir_all(stage.path("usr/share/man/man1/setns-test.1")).unwrap();
    let before = stage.tree();
    for settings in [&[][..], &["FORCE=1"]] {
        let out = stage.make("install", settings);
        out.code(2).stderr_has(&format!(
            "install.sh: {}: is a directory; not replacing it, even with FORCE=1\n",
            stage.path("usr/share/man/man1/setns-test.1").display()
        ));
        assert_eq!(stage.tree(), before);
    }
    // APPLETS can still leave it out.
    stage.make("install", &[]).stderr_has(
        "install.sh: nothing was installed: install beside them with APPLETS=\"nsbind\"\n",
    );
    stage.make("uninstall", &[]).success();
    assert_eq!(stage.tree(), before);
}

#[test]
fn foreign_links_are_not_nsbox() {
    let stage = Stage::empty();
    stage.put("usr/bin/nsbox", b"#!/bin/sh\n", 0o755);
    std::fs::create_dir_all(stage.path("usr/share/man/man1")).unwrap();
    // A link to a foreign program, a dangling one, and a page linked to
    // one of nsbox's (links are never taken for pages).
    std::os::unix::fs::symlink("/bin/true", stage.path("usr/bin/unshare")).unwrap();
    std::os::unix::fs::symlink("missing", stage.path("usr/bin/nsenter")).unwrap();
    let page = Path::new(ROOT).join("man/nsbind.1");
    std::os::unix::fs::symlink(&page, stage.path("usr/share/man/man1/nsbind.1")).unwrap();
    let before = stage.tree();
    let out = stage.make("install", &[]);
    out.code(2);
    for name in [
        "usr/bin/nsbox",
        "usr/bin/unshare",
        "usr/bin/nsenter",
        "usr/share/man/man1/nsbind.1",
    ] {
        out.stderr_has(&format!("{}: exists", stage.path(name).display()));
    }
    // nsbox itself in the way: APPLETS cannot help.
    out.stderr_has("install.sh: nothing was installed: replace them with FORCE=1\n");
    stage.make("uninstall", &[]).success();
    assert_eq!(stage.tree(), before);
}

#[test]
fn spaces_and_quotes_in_the_paths() {
    let stage = Stage::empty();
    let dest = stage.path("it's a stage");
    let out = cmd("make")
        .args(["--no-print-directory", "-s", "-C", ROOT, "install"])
        .arg(format!("DESTDIR={}", dest.display()))
        .arg("PREFIX=/opt/my nsbox")
        .arg("MANDIR=/opt/my nsbox/man pages")
        .arg(format!("BIN={NSBOX}"))
        .arg("APPLETS=nsbind")
        .env_remove("MAKEFLAGS")
        .run();
    out.success().stderr_is("");
    let prefix = dest.join("opt/my nsbox");
    for name in [
        "bin/nsbox",
        "bin/nsbind",
        "man pages/man1/nsbind.1",
        "share/bash-completion/completions/nsbind",
    ] {
        assert!(prefix.join(name).is_file(), "{name} missing");
    }
}

#[test]
fn an_unknown_applet_is_refused() {
    let stage = Stage::seeded();
    let before = stage.tree();
    stage
        .make("install", &["APPLETS=nsbind frob"])
        .code(2)
        .stderr_has("install.sh: APPLETS: no applet named 'frob'");
    assert_eq!(stage.tree(), before);
}

#[test]
fn bin_must_be_nsbox() {
    let stage = Stage::empty();
    stage
        .make_with(Path::new("/bin/true"), "install", &[])
        .code(2)
        .stderr_has("install.sh: /bin/true: not an nsbox executable\n");
    assert!(stage.tree().is_empty());
}

#[test]
fn every_page_and_completion_carries_the_marker() {
    let mut files = vec![];
    for dir in [
        "man",
        "completions/bash",
        "completions/zsh",
        "completions/fish",
    ] {
        for entry in std::fs::read_dir(Path::new(ROOT).join(dir)).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    assert_eq!(files.len(), 20);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let marked = text
            .lines()
            .any(|l| l.trim_start_matches(['#', '.', '\\', '"', ' ']) == MARKER);
        assert!(marked, "{} lacks the line {MARKER:?}", file.display());
    }
    let script = std::fs::read_to_string(Path::new(ROOT).join("src/pkg/install.sh")).unwrap();
    assert!(script.contains(&format!("marker='{MARKER}'")));
}

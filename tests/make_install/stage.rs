//! The harness: a staged tree (DESTDIR) seeded with util-linux's files, make
//! run on it, and the whole tree's snapshot to compare.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::common::*;

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// The line every man page and completion file of nsbox carries.
pub const MARKER: &str =
    "This file is part of nsbox (make install and make uninstall look for this line).";

/// What is at a name of the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Dir,
    File { bytes: Vec<u8>, mode: u32, ino: u64 },
    Link(PathBuf),
}

pub type Tree = BTreeMap<String, Node>;

/// Every name under `root`, relative to it, links not followed.
pub fn snapshot(root: &Path) -> Tree {
    pub fn walk(root: &Path, dir: &Path, tree: &mut Tree) {
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
pub struct Stage {
    pub dir: TempDir,
}

/// Where make install puts zsh completions for PREFIX=/usr: Debian's zsh
/// searches vendor-completions.
pub fn zsh_dir() -> &'static str {
    if Path::new("/etc/debian_version").exists() {
        "usr/share/zsh/vendor-completions"
    } else {
        "usr/share/zsh/site-functions"
    }
}

/// util-linux's files, as Debian ships them, and where nsbox's would go:
/// (path, content, mode).
pub fn foreign_files() -> Vec<(&'static str, Vec<u8>, u32)> {
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
                leak(format!("{}/_{name}", zsh_dir())),
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

pub fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

impl Stage {
    pub fn empty() -> Stage {
        Stage {
            dir: TempDir::new(),
        }
    }

    pub fn seeded() -> Stage {
        let stage = Stage::empty();
        for (name, bytes, mode) in foreign_files() {
            stage.put(name, &bytes, mode);
        }
        stage
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn put(&self, name: &str, bytes: &[u8], mode: u32) {
        let path = self.path(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    pub fn tree(&self) -> Tree {
        snapshot(self.dir.path())
    }

    /// `make TARGET DESTDIR=stage BIN=bin`.
    pub fn command(&self, bin: &Path, target: &str) -> Cmd {
        make_command(self.dir.path(), bin, target)
    }

    /// `make TARGET DESTDIR=stage PREFIX=/usr SETTINGS...` with `bin`.
    pub fn make_with(&self, bin: &Path, target: &str, settings: &[&str]) -> Output {
        self.command(bin, target)
            .arg("PREFIX=/usr")
            .args(settings)
            .run()
    }

    pub fn make(&self, target: &str, settings: &[&str]) -> Output {
        self.make_with(Path::new(NSBOX), target, settings)
    }
}

/// `make TARGET DESTDIR=destdir BIN=bin`: the binary under test (or `bin`),
/// so that make builds nothing. pkg-config finds no .pc file unless the
/// test gives some.
pub fn make_command(destdir: &Path, bin: &Path, target: &str) -> Cmd {
    assert!(destdir.is_absolute() && destdir.starts_with("/tmp"));
    cmd("make")
        .args(["--no-print-directory", "-s", "-C", ROOT, target])
        .arg(format!("DESTDIR={}", destdir.display()))
        .arg(format!("BIN={}", bin.display()))
        .env("PKG_CONFIG_LIBDIR", "/nonexistent/nsbox-test")
        .env_remove("PKG_CONFIG_PATH")
        .env_remove("MAKEFLAGS")
        .env_remove("MAKELEVEL")
}

/// The names make install gives nsbox and these applets, with where each
/// comes from in the source tree (None: the executable or a link to it;
/// every applet has one in /usr/libexec/nsbox).
pub fn nsbox_names(applets: &[&str]) -> Vec<(String, Option<String>)> {
    let mut names = vec![("usr/bin/nsbox".to_owned(), None)];
    for applet in applets {
        names.push((format!("usr/bin/{applet}"), None));
    }
    for applet in APPLETS {
        names.push((format!("usr/libexec/nsbox/{applet}"), None));
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
                format!("{}/_{name}", zsh_dir()),
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
pub fn parents<'a>(names: impl IntoIterator<Item = &'a String>) -> Vec<String> {
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
pub fn assert_installed(stage: &Stage, kept: &Tree, applets: &[&str]) {
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
    let links = applets.iter().map(|a| format!("usr/bin/{a}"));
    for link in links.chain(APPLETS.iter().map(|a| format!("usr/libexec/nsbox/{a}"))) {
        let applet = link.rsplit('/').next().unwrap();
        cmd(stage.path(&link))
            .arg("--version")
            .run()
            .success()
            .stdout_is(&format!("{applet} from nsbox {VERSION}\n"));
    }
}

/// The tree holds `kept`, and otherwise only directories.
pub fn assert_only(stage: &Stage, kept: &Tree) {
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

pub fn applets() -> Vec<&'static str> {
    vec!["unshare", "nsenter", "setns-test", "nsbind"]
}

pub fn regular_files(tree: &Tree) -> Tree {
    tree.iter()
        .filter(|(_, node)| !matches!(node, Node::Dir))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The foreign files of these applets.
pub fn foreign_of(applets: &[&str]) -> Vec<&'static str> {
    foreign_files()
        .into_iter()
        .map(|(name, _, _)| name)
        .filter(|name| applets.iter().any(|a| name.contains(a)))
        .collect()
}

/// An older nsbox: the executable under test with other bytes at the end.
pub fn older_nsbox(dir: &TempDir) -> PathBuf {
    let mut bytes = std::fs::read(NSBOX).unwrap();
    bytes.extend_from_slice(b"an older build\n");
    let path = dir.join("old-nsbox");
    std::fs::write(&path, bytes).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

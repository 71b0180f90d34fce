//! Each mode: the default refusal, APPLETS, FORCE=1, an upgrade, and
//! uninstall after each, with every file of the tree checked.

use std::path::Path;

use crate::common::*;
use crate::stage::*;

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
    let out = make_command(&dest, Path::new(NSBOX), "install")
        .arg("PREFIX=/opt/my nsbox")
        .arg("MANDIR=/opt/my nsbox/man pages")
        .arg("APPLETS=nsbind")
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

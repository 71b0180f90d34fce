//! `--root` and `--wd`: the program's root and working directory.

use super::*;

/// $D/w/root with a static busybox as /bin/busybox.
fn make_root(s: &Scene) -> PathBuf {
    let root = s.work("root");
    std::fs::create_dir_all(root.join("bin")).unwrap();
    let busybox = root.join("bin/busybox");
    if std::fs::hard_link("/usr/bin/busybox", &busybox).is_err() {
        std::fs::copy("/usr/bin/busybox", &busybox).unwrap();
    }
    root
}

#[test]
fn root_changes_root_and_cwd() {
    let s = Scene::new();
    let root = make_root(&s);
    for unshare in [cmd(s.unshare_link()), cmd(UL_UNSHARE)] {
        unshare
            .arg("-R")
            .arg(&root)
            .args(["/bin/busybox", "pwd"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is("/\n");
    }
    s.unshare()
        .arg("-R")
        .arg(&root)
        .args(["/bin/busybox", "ls", "/"])
        .run()
        .success()
        .stdout_is("bin\n");
}

/// -w with -R is a directory of the new root.
#[test]
fn root_with_wd() {
    let s = Scene::new();
    let root = make_root(&s);
    for unshare in [cmd(s.unshare_link()), cmd(UL_UNSHARE)] {
        unshare
            .arg(format!("--root={}", root.display()))
            .args(["--wd=/bin", "/bin/busybox", "pwd"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is("/bin\n");
    }
    s.unshare()
        .arg("-R")
        .arg(&root)
        .args(["-w", "/nonexistent", "/bin/busybox", "pwd"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is("unshare: cannot change directory to /nonexistent: No such file or directory\n");
}

#[test]
fn wd_changes_directory() {
    let s = Scene::new();
    let work = s.work("");
    let work = work.to_string_lossy();
    let work = work.trim_end_matches('/');
    for unshare in [cmd(s.unshare_link()), cmd(UL_UNSHARE)] {
        unshare
            .args(["-w", work, "pwd"])
            .run()
            .success()
            .stdout_is(&format!("{work}\n"));
    }
    // Relative to where unshare starts.
    s.unshare()
        .current_dir(s.dir())
        .args(["--wd", "w", "pwd"])
        .run()
        .success()
        .stdout_is(&format!("{work}\n"));
}

#[test]
fn root_unprivileged() {
    let s = Scene::new();
    let root = make_root(&s);
    s.unshare()
        .as_user(NOBODY)
        .arg("-r")
        .arg("-R")
        .arg(&root)
        .args(["/bin/busybox", "pwd"])
        .run()
        .success()
        .stdout_is("/\n");
    // Without a user namespace, chroot is not allowed.
    s.unshare()
        .as_user(NOBODY)
        .arg("-R")
        .arg(&root)
        .args(["/bin/busybox", "pwd"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(&format!(
            "unshare: cannot change root directory to '{}': Operation not permitted\n",
            root.display()
        ));
}

//! Directories: `--root`, `--wd` and `--wdns`, given or the target's.

use super::*;

/// A root directory with a static busybox, `/marker` and `/sub`.
fn make_root(env: &Env) -> PathBuf {
    let root = env.tmp().join("root");
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::copy("/usr/bin/busybox", root.join("bin/busybox")).unwrap();
    std::fs::write(root.join("marker"), "in-root\n").unwrap();
    root
}

/// A target chrooted to `root`, its working directory `/sub` there.
fn chrooted_target(root: &Path) -> Custom {
    Custom::start(
        cmd(UL_UNSHARE).args(["--uts", "--root"]).arg(root).args([
            "--wd",
            "/sub",
            "/bin/busybox",
            "sleep",
            "600",
        ]),
        "busybox",
        &["uts"],
    )
}

/// -r and -w with no value: the target's root and working directory;
/// util-linux agrees.
#[test]
fn target_root_and_wd() {
    let env = Env::new();
    let root = make_root(&env);
    let target = chrooted_target(&root);
    let pid = target.pid().to_string();
    let sub = root.join("sub");
    for program in both_paths(&env) {
        cmd(&program)
            .args(["-t", &pid, "-u", "-r", "/bin/busybox", "cat", "/marker"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is("in-root\n");
        cmd(&program)
            .args(["-t", &pid, "-u", "-r", "-w", "/bin/busybox", "pwd"])
            .run()
            .success()
            .stdout_is("/sub\n");
        cmd(&program)
            .args([
                "--target",
                &pid,
                "-u",
                "--root",
                "--wd",
                "/bin/busybox",
                "pwd",
            ])
            .run()
            .success()
            .stdout_is("/sub\n");
        // -w alone: the same directory, seen from our root.
        cmd(&program)
            .args(["-t", &pid, "-u", "-w", "pwd"])
            .run()
            .success()
            .stdout_is(&format!("{}\n", sub.display()));
        // -r alone keeps our working directory, here inside the root.
        cmd(&program)
            .current_dir(&sub)
            .args(["-t", &pid, "-u", "-r", "/bin/busybox", "pwd"])
            .run()
            .success()
            .stdout_is("/sub\n");
    }
}

/// `-rDIR`, `-r=DIR`, `--root=DIR`, and the same for -w, against a
/// target whose root and working directory are ours.
#[test]
fn given_root_and_wd() {
    let env = Env::new();
    let root = make_root(&env);
    let sub = root.join("sub");
    let target = Target::new(&["uts"]);
    let pid = target.pid().to_string();
    for form in [
        format!("-r{}", root.display()),
        format!("-r={}", root.display()),
        format!("--root={}", root.display()),
    ] {
        nsenter(&env)
            .args(["-t", &pid, "-u", &form, "/bin/busybox", "cat", "/marker"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is("in-root\n");
    }
    for form in [
        format!("-w{}", sub.display()),
        format!("-w={}", sub.display()),
        format!("--wd={}", sub.display()),
    ] {
        nsenter(&env)
            .args(["-t", &pid, "-u", &form, "pwd"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&format!("{}\n", sub.display()));
    }
    // Both: the directory is inside the new root. util-linux agrees.
    for program in both_paths(&env) {
        cmd(&program)
            .args(["-t", &pid, "-u"])
            .arg(format!("--root={}", root.display()))
            .arg(format!("--wd={}", sub.display()))
            .args(["/bin/busybox", "pwd"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is("/sub\n");
    }
}

/// -W DIR is looked up after the chroot: `/sub` of the target's root.
#[test]
fn wdns_after_chroot() {
    let env = Env::new();
    let root = make_root(&env);
    let target = chrooted_target(&root);
    let pid = target.pid().to_string();
    for form in [
        &["-W", "/sub"][..],
        &["-W/sub"],
        &["-W=/sub"],
        &["--wdns=/sub"],
        &["--wdns", "/sub"],
    ] {
        nsenter(&env)
            .args(["-t", &pid, "-u", "-r"])
            .args(form)
            .args(["/bin/busybox", "pwd"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is("/sub\n");
    }
    // Without the chroot there is no /sub.
    nsenter(&env)
        .args(["-t", &pid, "-u", "-W", "/sub", "pwd"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is("nsenter: cannot open /sub: No such file or directory\n");
}

/// In a target's mount namespace where a tmpfs covers DIR: `-w=DIR`
/// (and --root=DIR) are opened before entering, so they are our DIR;
/// `-W DIR` is looked up after, so it is the tmpfs. util-linux opens
/// --wd= early too.
#[test]
fn before_and_after_entering_a_mount_namespace() {
    let env = Env::new();
    let dir = env.tmp().join("covered");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("outside"), "").unwrap();
    std::fs::create_dir(dir.join("bin")).unwrap();
    std::fs::copy("/usr/bin/busybox", dir.join("bin/busybox")).unwrap();
    let target = Custom::start(
        cmd(UL_UNSHARE)
            .args(["--mount", "--propagation", "private", "sh", "-c"])
            .arg(r#"mount -t tmpfs nsbox-test "$1" && touch "$1/inside" && exec sleep 600"#)
            .arg("sh")
            .arg(&dir),
        "sleep",
        &["mnt"],
    );
    let pid = target.pid().to_string();
    let d = dir.display().to_string();
    for form in [format!("-w={d}"), format!("--wd={d}"), format!("-w{d}")] {
        nsenter(&env)
            .args(["-t", &pid, "-m", &form, "ls"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is("bin\noutside\n");
    }
    ul_nsenter()
        .args(["-t", &pid, "-m", &format!("--wd={d}"), "ls"])
        .run()
        .success()
        .stdout_is("bin\noutside\n");
    for program in both_paths(&env) {
        cmd(&program)
            .args(["-t", &pid, "-m", &format!("--root={d}")])
            .args(["/bin/busybox", "ls", "/"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is("bin\noutside\n");
    }
    for form in [&["-W", d.as_str()][..], &[&format!("--wdns={d}")]] {
        nsenter(&env)
            .args(["-t", &pid, "-m"])
            .args(form)
            .arg("ls")
            .run()
            .success()
            .stderr_is("")
            .stdout_is("inside\n");
    }
    // The tmpfs lives in the target's mount namespace only.
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        2,
        "the tmpfs reached our mount namespace"
    );
    no_mount_leaked(&env);
}

#[test]
fn wd_and_wdns_exclude_each_other() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let pid = target.pid().to_string();
    for args in [
        &["-w", "-W", "/tmp"][..],
        &["-W", "/tmp", "-w"],
        &["--wd=/tmp", "--wdns=/tmp"],
        &["--wdns=/tmp", "-w/tmp"],
    ] {
        nsenter(&env)
            .args(["-t", &pid, "-u"])
            .args(args)
            .args(["echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(&format!(
                "nsenter: mutually exclusive arguments: --wd --wdns\n{TRY}"
            ));
    }
}

#[test]
fn missing_directories() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let pid = target.pid().to_string();
    let missing = env.tmp().join("missing");
    let m = missing.display().to_string();
    for args in [
        vec![format!("--root={m}")],
        vec![format!("-r{m}")],
        vec![format!("--wd={m}")],
        vec![format!("-w={m}")],
        vec!["-W".to_owned(), m.clone()],
        vec![format!("--wdns={m}")],
    ] {
        nsenter(&env)
            .args(["-t", &pid, "-u"])
            .args(&args)
            .args(["echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(&format!(
                "nsenter: cannot open {m}: No such file or directory\n"
            ));
    }
}

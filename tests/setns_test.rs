//! `setns-test [--type TYPE] NSFILE [PROGRAM...]`: joining every kind of
//! namespace, through /proc, `*_for_children` and bind-mounted copies, and
//! every way of failing.

mod common;

use std::os::unix::ffi::OsStrExt;

use common::*;

/// Join `kind` of a fresh target, with and without `--type`, and check from
/// inside that the program is in the target's namespace, not ours.
fn join(kind: &'static str) {
    let env = Env::new();
    let target = Target::new(&[kind]);
    let want = target.ns(kind);
    assert_ne!(want, own_ns(kind), "the target shares our {kind} namespace");
    let mut types = vec![None, Some(kind)];
    if kind == "mnt" {
        types.push(Some("mount"));
    }
    for kind_option in types {
        let mut command = env.applet("setns-test");
        if let Some(name) = kind_option {
            command = command.args(["--type", name]);
        }
        command
            .arg(target.ns_path(kind))
            .args(["readlink", &format!("/proc/self/ns/{kind}")])
            .run()
            .success()
            .stdout_is(&format!("{want}\n"))
            .stderr_is("");
    }
}

macro_rules! join_tests {
    ($($name:ident: $kind:literal,)*) => {
        mod join {
            $(
                #[test]
                fn $name() {
                    super::join($kind);
                }
            )*
        }
    };
}

join_tests! {
    mnt: "mnt",
    uts: "uts",
    ipc: "ipc",
    net: "net",
    pid: "pid",
    user: "user",
    cgroup: "cgroup",
    time: "time",
}

#[test]
fn uts_shows_the_target_hostname() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let ours = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_ne!(ours.trim_end(), target.hostname());
    env.applet("setns-test")
        .arg(target.ns_path("uts"))
        .arg("hostname")
        .run()
        .success()
        .stdout_is(&format!("{}\n", target.hostname()));
    let after = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_eq!(after, ours, "our own hostname changed");
}

/// No program and no `$SHELL`: the login shell of /etc/passwd, looked up
/// after joining, so a mount namespace joined has its own passwd file say.
#[test]
fn login_shell_of_the_mount_namespace_joined() {
    let env = Env::new();
    shells_passwd(env.tmp(), "passwd", "in");
    cmd("sh")
        .args([
            "-c",
            r#"
            unshare --mount --propagation private \
                sh -c 'mount --bind "$D/passwd" /etc/passwd && exec sleep 600' &
            t=$!
            until [ "$(cat /proc/$t/comm)" = sleep ]; do sleep 0.01; done
            echo 'echo "$0"' | env -u SHELL "$S" "/proc/$t/ns/mnt"
            echo 'echo "$0"' | env -u SHELL "$S" /proc/self/ns/mnt
            kill $t
        "#,
        ])
        .env("D", env.dir())
        .env("S", env.path("setns-test"))
        .env("UL", UL_UNSHARE)
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&format!("-in-root\n{}\n", host_login_argv0(0)));
}

/// An ignored SIGCHLD inherited from our caller would have the kernel reap
/// the child before setns-test could wait for it and learn its status
/// ("waitpid failed: No child processes"): it is reset for the wait.
#[test]
fn inherited_ignored_sigchld_does_not_lose_the_status() {
    let env = Env::new();
    let target = Target::new(&["pid"]);
    env.applet("setns-test")
        .ignore_signal(libc::SIGCHLD)
        .arg(target.ns_path("pid"))
        .args(["sh", "-c", "exit 5"])
        .run()
        .code(5)
        .stderr_is("");
}

#[test]
fn pid_namespace_is_really_entered() {
    let env = Env::new();
    let target = Target::new(&["pid"]);
    // Seen from two PID namespaces, a process in there has two pids; the inner
    // one is not 1, as the target's sleep is the namespace's init.
    let out = env
        .applet("setns-test")
        .arg(target.ns_path("pid"))
        .args([
            "sh",
            "-c",
            "readlink /proc/self/ns/pid; grep ^NSpid: /proc/self/status; exit 3",
        ])
        .run();
    out.code(3).stderr_is("");
    let text = out.stdout();
    let mut lines = text.lines();
    out.check(
        lines.next() == Some(target.ns("pid").as_str()),
        "not in the target's PID namespace",
    );
    let pids: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .collect();
    out.check(
        pids.len() == 2 && pids[1] != "1",
        "grep should have two pids, the inner one not 1",
    );
}

#[test]
fn pid_for_children() {
    let env = Env::new();
    let target = Target::new(&["pid"]);
    let launcher = target.launcher_pid();
    assert_eq!(ns(launcher, "pid"), own_ns("pid"));
    assert_eq!(ns(launcher, "pid_for_children"), target.ns("pid"));
    let file = format!("/proc/{launcher}/ns/pid_for_children");
    for typed in [&[][..], &["--type", "pid"]] {
        env.applet("setns-test")
            .args(typed)
            .arg(&file)
            .args(["readlink", "/proc/self/ns/pid"])
            .run()
            .success()
            .stdout_is(&format!("{}\n", target.ns("pid")));
    }
}

#[test]
fn time_for_children() {
    let env = Env::new();
    let target = Target::build(&["time"]).fork().start();
    let launcher = target.launcher_pid();
    assert_eq!(ns(launcher, "time"), own_ns("time"));
    assert_eq!(ns(launcher, "time_for_children"), target.ns("time"));
    let file = format!("/proc/{launcher}/ns/time_for_children");
    for typed in [&[][..], &["--type", "time"]] {
        env.applet("setns-test")
            .args(typed)
            .arg(&file)
            .args(["readlink", "/proc/self/ns/time"])
            .run()
            .success()
            .stdout_is(&format!("{}\n", target.ns("time")));
    }
}

#[test]
fn wrong_type_is_refused() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let path = target.ns_path("uts");
    env.applet("setns-test")
        .args(["--type", "net", &path, "echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(&format!("setns-test: {path} is a uts namespace, not net\n"));
    env.applet("setns-test")
        .args(["--type", "user", "/proc/self/ns/pid", "echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_line("setns-test: ")
        .stderr_has("is a pid namespace, not user");
}

/// A bind-mounted copy of a namespace file, made in a private mount
/// namespace of a child so that the host never sees the mount.
#[test]
fn bind_mounted_copy() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let copy = env.tmp().write("uts-copy", "", 0o644);
    let script = r#"mount --bind "$2" "$1"; "$3" "$1" hostname; "$3" --type uts "$1" hostname"#;
    cmd(UL_UNSHARE)
        .args([
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-e",
            "-c",
            script,
            "sh",
        ])
        .arg(&copy)
        .arg(target.ns_path("uts"))
        .arg(env.path("setns-test"))
        .run()
        .success()
        .stdout_is(&format!("{0}\n{0}\n", target.hostname()));
    let mountinfo = std::fs::read("/proc/self/mountinfo").unwrap();
    let needle = copy.as_os_str().as_bytes();
    assert!(
        !mountinfo.windows(needle.len()).any(|w| w == needle),
        "the bind mount leaked to the host"
    );
    // Here the copy is the plain empty file it was.
    env.applet("setns-test")
        .arg(&copy)
        .arg("true")
        .run()
        .code(1)
        .stderr_is(&format!(
            "setns-test: {} is not a namespace file\n",
            copy.display()
        ));
}

#[test]
fn missing_nsfile() {
    let env = Env::new();
    let missing = env.tmp().join("missing");
    env.applet("setns-test")
        .arg(&missing)
        .args(["echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(&format!(
            "setns-test: cannot open {}: No such file or directory\n",
            missing.display()
        ));
}

#[test]
fn not_a_namespace_file() {
    let env = Env::new();
    let file = env.tmp().write("plain", "x\n", 0o644);
    let dir = env.tmp().join("dir");
    std::fs::create_dir(&dir).unwrap();
    // Opening a FIFO must not wait for a writer.
    let fifo = env.tmp().join("fifo");
    let c_fifo = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_fifo.as_ptr(), 0o644) }, 0);
    let status = std::path::PathBuf::from("/proc/self/status");
    for path in [file, dir, fifo, status] {
        env.applet("setns-test")
            .arg(&path)
            .args(["echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(&format!(
                "setns-test: {} is not a namespace file\n",
                path.display()
            ));
    }
}

#[test]
fn unknown_type_value() {
    let env = Env::new();
    for bad in ["bogus", "", "UTS"] {
        env.applet("setns-test")
            .args(["--type", bad, "/proc/self/ns/uts", "echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_usage(&format!("setns-test: unknown namespace type '{bad}'"));
    }
}

/// uid 65534 may not even open a root process's namespace files.
#[test]
fn unprivileged_cannot_open_roots_namespace() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let path = target.ns_path("uts");
    env.applet("setns-test")
        .as_user(NOBODY)
        .args([&path, "echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(&format!(
            "setns-test: cannot open {path}: Permission denied\n"
        ));
}

/// Given the namespace file open, uid 65534 still may not join it.
#[test]
fn unprivileged_cannot_join_roots_namespace() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let file = std::fs::File::open(target.ns_path("uts")).unwrap();
    env.applet("setns-test")
        .as_user(NOBODY)
        .pass_fd(&file, 3)
        .args(["/proc/self/fd/3", "echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_line("setns-test: ")
        .stderr_has("/proc/self/fd/3")
        .stderr_has(": Operation not permitted\n");
}

#[test]
fn no_arguments_is_a_usage_error() {
    let env = Env::new();
    let out = env.applet("setns-test").run();
    out.code(1).stdout_is("").stderr_is(
        "setns-test: no namespace file specified\n\
             Try 'setns-test --help' for more information.\n",
    );
}

/// An unprivileged user joins the user namespace it made, and is root there.
#[test]
fn unprivileged_joins_its_own_user_namespace() {
    let env = Env::new();
    let target = Target::build(&["uts"]).as_user(NOBODY).start();
    let status = std::fs::read_to_string(format!("/proc/{}/status", target.pid())).unwrap();
    assert!(
        status.lines().any(|l| l.starts_with("Uid:\t65534\t")),
        "the target does not run as uid 65534"
    );
    env.applet("setns-test")
        .as_user(NOBODY)
        .arg(target.ns_path("user"))
        .args(["sh", "-c", "id -u; readlink /proc/self/ns/user"])
        .run()
        .success()
        .stdout_is(&format!("0\n{}\n", target.ns("user")))
        .stderr_is("");
    // Outside its user namespace, the same user is nobody.
    cmd("id")
        .as_user(NOBODY)
        .arg("-u")
        .run()
        .success()
        .stdout_is("65534\n");
    // The fixture set the hostname in the UTS namespace it owns.
    env.applet("setns-test")
        .arg(target.ns_path("uts"))
        .arg("hostname")
        .run()
        .success()
        .stdout_is(&format!("{}\n", target.hostname()));
}

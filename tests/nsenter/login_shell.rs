//! No program and no `$SHELL`: the login shell of /etc/passwd, looked up
//! as util-linux 2.42 does (lib/exec_shell.c), last of all: in the mount
//! namespace entered, for the uid the program runs as. And read with care,
//! since whoever owns that namespace wrote the file.

use std::io::{Seek, SeekFrom, Write};

use super::*;

/// A target in a private mount namespace of its own, where `passwd` is
/// bound over /etc/passwd.
fn target_with_passwd(passwd: &Path) -> Custom {
    Custom::start(
        cmd(UL_UNSHARE)
            .args(["--mount", "--propagation", "private", "sh", "-c"])
            .arg(r#"mount --bind "$1" /etc/passwd && exec sleep 600"#)
            .arg("sh")
            .arg(passwd),
        "sleep",
        &["mnt"],
    )
}

/// `$0` of the shell that `nsenter ARGS` runs without `$SHELL`.
fn login_argv0(env: &Env, args: &[&str]) -> Output {
    nsenter(env)
        .env_remove("SHELL")
        .args(args)
        .stdin("echo \"$0\"\n")
        .run()
}

/// In the target's mount namespace, its /etc/passwd decides, for the uid
/// the program runs as; without entering it, ours does. `$SHELL` empty is
/// `$SHELL` unset; `$SHELL` set wins.
#[test]
fn the_login_shell_of_the_namespace_entered() {
    let env = Env::new();
    let passwd = shells_passwd(env.tmp(), "passwd", "in");
    let target = target_with_passwd(&passwd);
    let pid = target.pid().to_string();
    for args in [&["-m"][..], &["-m", "-r"], &["-m", "-u", "-F"]] {
        let mut all = vec!["-t", &pid];
        all.extend(args);
        login_argv0(&env, &all)
            .success()
            .stderr_is("")
            .stdout_is("-in-root\n");
    }
    login_argv0(&env, &["-t", &pid, "-m", "-S", "65534", "-G", "65534"])
        .success()
        .stdout_is("-in-nobody\n");
    login_argv0(&env, &["-t", &pid, "-m", "-S", "4242", "-G", "4242"])
        .success()
        .stdout_is("-sh\n");
    login_argv0(&env, &["-t", &pid, "-u"])
        .success()
        .stdout_is(&format!("{}\n", host_login_argv0(0)));
    nsenter(&env)
        .env("SHELL", "")
        .args(["-t", &pid, "-m"])
        .stdin("echo \"$0\"\n")
        .run()
        .success()
        .stdout_is("-in-root\n");
    nsenter(&env)
        .env("SHELL", "/bin/sh")
        .args(["-t", &pid, "-m"])
        .stdin("echo \"$0\"\n")
        .run()
        .success()
        .stdout_is("-sh\n");
}

/// An /etc/passwd planted in the namespace entered can neither hang nor
/// bloat nsenter: a FIFO (util-linux 2.42 waits on it for ever), a device
/// (`/dev/zero`: util-linux reads it until memory runs out) and a file
/// whose entries lie beyond its first 64 MiB are all as good as none, and
/// /bin/sh runs.
#[test]
fn a_hostile_passwd_file_means_bin_sh() {
    let env = Env::new();
    let fifo = env.tmp().join("fifo");
    let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid path and a mode.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o644) }, 0);
    // A hole of 64 MiB (no disk space taken), then root's entry.
    let huge = env.tmp().write("huge", "", 0o644);
    let root = env.tmp().symlink("/bin/sh", "beyond-root");
    let mut file = std::fs::OpenOptions::new().write(true).open(&huge).unwrap();
    file.seek(SeekFrom::Start(64 << 20)).unwrap();
    writeln!(file, "\nroot:x:0:0:root:/root:{}", root.display()).unwrap();
    drop(file);
    for passwd in [fifo.as_path(), Path::new("/dev/zero"), &huge] {
        let target = target_with_passwd(passwd);
        login_argv0(&env, &["-t", &target.pid().to_string(), "-m"])
            .success()
            .stderr_is("")
            .stdout_is("-sh\n");
    }
}

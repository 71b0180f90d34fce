//! The program: the default login shell, options ending at the program,
//! and 126/127 when it cannot run.

use super::*;

#[test]
fn command_not_found_is_127() {
    let s = Scene::new();
    for fork in [&[][..], &["--fork"]] {
        for unshare in [cmd(s.unshare_link()), cmd(UL_UNSHARE)] {
            unshare
                .arg("-u")
                .args(fork)
                .arg("nsbox-no-such-command")
                .run()
                .code(127)
                .stdout_is("")
                .stderr_is(
                    "unshare: failed to execute nsbox-no-such-command: No such file or directory\n",
                );
        }
    }
}

#[test]
fn not_executable_is_126() {
    let s = Scene::new();
    let script = s
        .env
        .tmp()
        .write("w/script", "#!/bin/sh\necho ran\n", 0o644);
    for fork in [&[][..], &["--fork"]] {
        s.unshare()
            .arg("-u")
            .args(fork)
            .arg(&script)
            .run()
            .code(126)
            .stdout_is("")
            .stderr_is(&format!(
                "unshare: failed to execute {}: Permission denied\n",
                script.display()
            ));
    }
}

/// A script without `#!` runs under /bin/sh, as glibc's execvp runs it
/// for util-linux: by path, and found along PATH, with its arguments,
/// whichever C library nsbox is built with (musl's execvp would fail with
/// ENOEXEC). The applets share this exec.
#[test]
fn a_script_without_interpreter_line_runs_under_sh() {
    let s = Scene::new();
    let script = s
        .env
        .tmp()
        .write("w/plain", "echo \"ran as $0 with $# args: $*\"\n", 0o755);
    let dir = script.parent().unwrap().to_owned();
    let by_path = format!("ran as {} with 2 args: a b\n", script.display());
    for unshare in [cmd(s.unshare_link()), cmd(UL_UNSHARE)] {
        unshare
            .args(["-u"])
            .arg(&script)
            .args(["a", "b"])
            .run()
            .success()
            .stdout_is(&by_path)
            .stderr_is("");
    }
    let path = format!("{}:/usr/bin:/bin", dir.display());
    cmd(s.unshare_link())
        .env("PATH", &path)
        .args(["-u", "--fork", "plain", "a", "b"])
        .run()
        .success()
        .stdout_is(&by_path)
        .stderr_is("");
}

/// `$SHELL`, or without it root's login shell in /etc/passwd (see
/// `login_shell`), with a `-` before its name.
#[test]
fn default_program_is_a_login_shell() {
    let s = Scene::new();
    let login = format!("{}\n", host_login_argv0(0));
    for fork in [&[][..], &["--fork"]] {
        s.unshare()
            .env("SHELL", "/bin/sh")
            .arg("-u")
            .args(fork)
            .stdin("echo \"$0\"; exit 3\n")
            .run()
            .code(3)
            .stdout_is("-sh\n");
        s.unshare()
            .env_remove("SHELL")
            .args(fork)
            .stdin("echo \"$0\"\n")
            .run()
            .success()
            .stdout_is(&login);
    }
}

/// Options stop at the program; what follows is its own.
#[test]
fn options_stop_at_the_program() {
    let s = Scene::new();
    s.unshare()
        .args(["-u", "echo", "-r", "--fork", "-h"])
        .run()
        .success()
        .stdout_is("-r --fork -h\n");
}

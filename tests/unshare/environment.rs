//! `--clear-env` and `--whitelist-env`: the environment the program gets.

use super::*;

#[test]
fn clear_env_empties_the_environment() {
    let s = Scene::new();
    s.unshare()
        .env("NSBOX_TEST", "1")
        .args(["--clear-env", "/usr/bin/env"])
        .run()
        .success()
        .stderr_is("")
        .stdout_is("");
}

/// With no PATH left, a bare name is still found (execvp's default).
#[test]
fn clear_env_still_finds_programs() {
    let s = Scene::new();
    s.unshare()
        .args(["--clear-env", "env"])
        .run()
        .success()
        .stderr_is("")
        .stdout_is("");
}

/// Without a program, --clear-env runs the login shell of /etc/passwd,
/// whatever $SHELL was (see `login_shell` for it in a made-up passwd).
#[test]
fn clear_env_default_shell_is_the_login_shell() {
    let s = Scene::new();
    let mysh = s.env.tmp().symlink("/bin/sh", "mysh");
    s.unshare()
        .env("SHELL", &mysh)
        .stdin("echo \"$0\"\n")
        .run()
        .success()
        .stdout_is("-mysh\n");
    s.unshare()
        .env("SHELL", &mysh)
        .arg("--clear-env")
        .stdin("echo \"$0\"\n")
        .run()
        .success()
        .stdout_is(&format!("{}\n", host_login_argv0(0)));
}

#[test]
fn whitelist_env_keeps_only_those() {
    let s = Scene::new();
    let path = std::env::var("PATH").unwrap();
    let out = s
        .unshare()
        .env("NSBOX_KEEP", "kept")
        .env("NSBOX_DROP", "dropped")
        .args(["--whitelist-env", "NSBOX_KEEP,PATH,NSBOX_ABSENT", "env"])
        .run();
    out.success().stderr_is("");
    let text = out.stdout();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort();
    let path_line = format!("PATH={path}");
    out.check(
        lines == ["NSBOX_KEEP=kept", path_line.as_str()],
        "expected NSBOX_KEEP and PATH only",
    );
}

//! `-Z`/`--follow-context` on a machine without SELinux, and `--version`
//! and `--help`.

use super::*;

/// Without SELinux there is no context to follow: a clear failure, where
/// util-linux 2.38 (built without SELinux) ignores -Z and runs the program.
#[test]
fn follow_context_without_selinux() {
    assert!(
        !Path::new("/sys/fs/selinux/enforce").exists(),
        "this check needs a machine without SELinux"
    );
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let pid = target.pid().to_string();
    for z in ["-Z", "--follow-context"] {
        nsenter(&env)
            .args(["-t", &pid, "-u", z, "hostname"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(
                "nsenter: --follow-context: SELinux is not enabled, there is no context to follow\n",
            );
    }
    ul_nsenter()
        .args(["-t", &pid, "-u", "-Z", "hostname"])
        .run()
        .success()
        .stdout_is(&format!("{}\n", target.hostname()));
}

#[test]
fn version_and_help() {
    let env = Env::new();
    for v in ["-V", "--version"] {
        nsenter(&env)
            .arg(v)
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&format!("nsenter from nsbox {VERSION}\n"));
    }
    let out = nsenter(&env).arg("--help").run();
    out.success().stderr_is("");
    for option in [
        "--all",
        "--target <pid>[:<inode>]",
        "--mount[=<file>|:<nsid>]",
        "--net-socket <fd>",
        "--user-parent",
        "--setuid <uid>|follow",
        "--setgid <gid>|follow",
        "--preserve-credentials",
        "--keep-caps",
        "--root[=<dir>]",
        "--wd[=<dir>]",
        "--wdns <dir>",
        "--env",
        "--no-fork",
        "--join-cgroup",
        "--follow-context",
    ] {
        out.stdout_has(option);
    }
    out.check(
        out.stdout()
            .starts_with("\nUsage:\n nsenter [options] [<program> [<argument>...]]\n"),
        "usage line",
    );
}

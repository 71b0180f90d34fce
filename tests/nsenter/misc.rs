//! `-Z`/`--follow-context` on a machine without SELinux, and `--version`
//! and `--help`.

use super::*;

/// Without SELinux, -Z is ignored as util-linux ignores it (it asks
/// libselinux's is_selinux_enabled() first): the program runs, and even
/// without --target, which -Z needs only when there is a context to follow.
#[test]
fn follow_context_without_selinux_is_ignored() {
    let selinuxfs = std::fs::read_to_string("/proc/self/mounts")
        .unwrap()
        .lines()
        .any(|l| l.split(' ').nth(2) == Some("selinuxfs"));
    assert!(!selinuxfs, "this check needs a machine without SELinux");
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let pid = target.pid().to_string();
    let file = format!("--uts={}", target.ns_path("uts"));
    let hostname = format!("{}\n", target.hostname());
    for z in ["-Z", "--follow-context"] {
        for nsenter in both(&env) {
            nsenter
                .args(["-t", &pid, "-u", z, "hostname"])
                .run()
                .success()
                .stderr_is("")
                .stdout_is(&hostname);
        }
        for nsenter in both(&env) {
            nsenter
                .args([z, file.as_str(), "hostname"])
                .run()
                .success()
                .stderr_is("")
                .stdout_is(&hostname);
        }
    }
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

//! `-e`/`--env`: the program gets the target's environment.

use super::*;

/// -e: exactly the target's environment (read from /proc/PID/environ,
/// including a value with `=`, blanks and a newline); none of ours.
#[test]
fn target_environment() {
    let env = Env::new();
    let target = Custom::start(
        cmd("env").args([
            "-i",
            "NSBOX_TARGET_VAR=distinctive value=with=equals\nand a newline",
            "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
            "EMPTY=",
            UL_UNSHARE,
            "--uts",
            "sleep",
            "600",
        ]),
        "sleep",
        &["uts"],
    );
    let pid = target.pid().to_string();
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    for e in ["-e", "--env"] {
        let out = nsenter(&env)
            .env("NSBOX_NSENTER_OWN", "leaked")
            .args(["-t", &pid, "-u", e, "env", "-0"])
            .run();
        out.success().stderr_is("");
        out.check(
            out.stdout == environ,
            &format!("not the target's environment {environ:?}"),
        );
    }
    // Without -e: ours.
    let out = nsenter(&env)
        .env("NSBOX_NSENTER_OWN", "kept")
        .args(["-t", &pid, "-u", "env"])
        .run();
    out.success()
        .stdout_has("NSBOX_NSENTER_OWN=kept\n")
        .check(!out.stdout().contains("NSBOX_TARGET_VAR"), "target's env");
}

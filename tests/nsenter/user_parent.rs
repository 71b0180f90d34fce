//! `--user-parent`: the parent of the target's user namespace.

use super::*;

/// `unshare -r` inside `unshare -r`, by `who`: the target's user
/// namespace is the inner one, its parent the outer one, whose parent
/// is ours. The inner one also owns a new UTS namespace.
fn nested(who: Option<u32>) -> Custom {
    let mut command = cmd(UL_UNSHARE).args(["-r", UL_UNSHARE, "-r", "-u", "sleep", "600"]);
    if let Some(uid) = who {
        command = command.as_user(uid);
    }
    let target = Custom::start(command, "sleep", &["user", "uts"]);
    let path = format!("/proc/{}/ns/user", target.pid());
    let outer = parent_user_ns(&path);
    assert_ne!(outer, target.ns("user"));
    assert_ne!(outer, own_ns("user"));
    target
}

fn outer(target: &Custom) -> String {
    parent_user_ns(&format!("/proc/{}/ns/user", target.pid()))
}

const SHOW: &str = "readlink /proc/self/ns/user; id -u";

#[test]
fn as_root() {
    let env = Env::new();
    let target = nested(None);
    let pid = target.pid().to_string();
    nsenter(&env)
        .args(["-t", &pid, "--user-parent", "sh", "-c", SHOW])
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&format!("{}\n0\n", outer(&target)));
    // -U then --user-parent: the parent still.
    nsenter(&env)
        .args(["-t", &pid, "-U", "--user-parent", "sh", "-c", SHOW])
        .run()
        .success()
        .stdout_is(&format!("{}\n0\n", outer(&target)));
    // The parent of a user namespace given by file.
    nsenter(&env)
        .arg(format!("--user={}", target.ns_path("user")))
        .args(["--user-parent", "sh", "-c", SHOW])
        .run()
        .success()
        .stdout_is(&format!("{}\n0\n", outer(&target)));
    // Without either: the owner of the namespace given by file (the
    // inner user namespace made the UTS one).
    nsenter(&env)
        .arg(format!("--uts={}", target.ns_path("uts")))
        .args(["--user-parent", "sh", "-c", SHOW])
        .run()
        .success()
        .stdout_is(&format!("{}\n0\n", target.ns("user")));
    // Plain -U for contrast.
    nsenter(&env)
        .args(["-t", &pid, "-U", "sh", "-c", SHOW])
        .run()
        .success()
        .stdout_is(&format!("{}\n0\n", target.ns("user")));
}

#[test]
fn unprivileged() {
    let env = Env::new();
    let target = nested(Some(NOBODY));
    let pid = target.pid().to_string();
    nsenter(&env)
        .as_user(NOBODY)
        .args(["-t", &pid, "--user-parent", "sh", "-c", SHOW])
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&format!("{}\n0\n", outer(&target)));
}

#[test]
fn needs_something_to_start_from() {
    let env = Env::new();
    nsenter(&env)
        .args(["--user-parent", "echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(&format!("nsenter: no target PID specified\n{TRY}"));
}

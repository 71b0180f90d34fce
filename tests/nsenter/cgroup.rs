//! `-c`/`--join-cgroup`: the program joins the target's cgroup.

use super::*;

/// A target in a transient cgroup of its own (see `Cgroup`): on drop the
/// target is killed and reaped first, so that the cgroup is empty.
struct JoinCgroup {
    target: Option<Target>,
    cgroup: Cgroup,
}

impl JoinCgroup {
    fn new(kinds: &[&'static str]) -> JoinCgroup {
        let cgroup = Cgroup::new();
        let target = Target::new(kinds);
        cgroup.take(target.pid());
        JoinCgroup {
            target: Some(target),
            cgroup,
        }
    }

    fn target(&self) -> &Target {
        self.target.as_ref().unwrap()
    }
}

impl Drop for JoinCgroup {
    fn drop(&mut self) {
        drop(self.target.take());
    }
}

fn our_cgroup() -> String {
    v2_cgroup(&std::fs::read_to_string("/proc/self/cgroup").unwrap()).unwrap()
}

/// The program run by `nsenter -t T -c` is in T's cgroup (also when it
/// runs as a child, with -p: the move comes before the fork); without
/// -c it stays in ours.
#[test]
fn join_cgroup() {
    let env = Env::new();
    let cg = JoinCgroup::new(&["uts", "pid"]);
    let pid = cg.target().pid().to_string();
    let theirs = v2_cgroup(&std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap());
    assert_eq!(theirs.as_deref(), Some(cg.cgroup.path.as_str()));
    assert_ne!(our_cgroup(), cg.cgroup.path);
    for args in [
        &["-u", "-c"][..],
        &["-u", "--join-cgroup"],
        &["-p", "-c"],
        &["-p", "-F", "-c"],
    ] {
        let out = nsenter(&env)
            .args(["-t", &pid])
            .args(args)
            .args(["cat", "/proc/self/cgroup"])
            .run();
        out.success().stderr_is("");
        out.check(
            v2_cgroup(&out.stdout()).as_deref() == Some(cg.cgroup.path.as_str()),
            &format!("expected 0::{}", cg.cgroup.path),
        );
    }
    for option in ["-u", "-p"] {
        let out = nsenter(&env)
            .args(["-t", &pid, option, "cat", "/proc/self/cgroup"])
            .run();
        out.success();
        out.check(
            v2_cgroup(&out.stdout()) == Some(our_cgroup()),
            "without -c the program should stay in our cgroup",
        );
    }
}

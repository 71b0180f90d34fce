//! `Custom`: targets the harness's `Target` cannot make, started by the
//! nsenter tests themselves.

use std::time::{Duration, Instant};

use crate::common::*;

/// A target the harness's `Target` cannot make (passed descriptors, its
/// own environment, credentials, root or mounts): any command, run as our
/// child, that ends in a program named `name` without forking. Killed and
/// reaped on drop.
pub struct Custom {
    proc: Proc,
}

impl Custom {
    pub fn spawn(command: Cmd) -> Custom {
        Custom {
            proc: command.spawn(),
        }
    }

    /// Start `command` and wait until it runs `name` in new namespaces of
    /// `kinds`.
    pub fn start(command: Cmd, name: &str, kinds: &[&str]) -> Custom {
        let mut custom = Custom::spawn(command);
        custom.wait_for(name, kinds);
        custom
    }

    pub fn pid(&self) -> i32 {
        self.proc.pid()
    }

    pub fn wait_for(&mut self, name: &str, kinds: &[&str]) {
        let pid = self.pid();
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let ready =
                comm(pid).as_deref() == Some(name) && kinds.iter().all(|k| ns(pid, k) != own_ns(k));
            if ready {
                return;
            }
            if self.proc.has_exited() {
                let out = std::mem::replace(&mut self.proc, cmd("true").spawn()).wait();
                out.fail(&format!("the target ended before it ran {name}"));
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for target {pid} to run {name}"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    pub fn ns(&self, kind: &str) -> String {
        ns(self.pid(), kind)
    }

    pub fn ns_path(&self, kind: &str) -> String {
        format!("/proc/{}/ns/{kind}", self.pid())
    }
}

/// A target in a user namespace made by root, where root is NOT mapped:
/// inside 0..65536 is outside 100000..165536 (written by the test process,
/// as util-linux 2.38's --map-users needs /etc/subuid entries for root).
/// It also has a UTS namespace. Being unmapped when it ran exec, the
/// target has no capabilities there.
pub fn mapped_target() -> Custom {
    let script = "until grep -q 100000 /proc/self/uid_map && grep -q 100000 /proc/self/gid_map; \
                  do sleep 0.01; done; exec sleep 600";
    let mut target = Custom::spawn(cmd(UL_UNSHARE).args(["--user", "--uts", "sh", "-c", script]));
    target.wait_for("sh", &["user", "uts"]);
    let pid = target.pid();
    for map in ["uid_map", "gid_map"] {
        let path = format!("/proc/{pid}/{map}");
        std::fs::write(&path, "0 100000 65536\n")
            .unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
    }
    target.wait_for("sleep", &["user", "uts"]);
    target
}

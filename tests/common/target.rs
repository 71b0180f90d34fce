//! `Target`: a `sleep` in fresh namespaces made by util-linux's unshare,
//! for the applets to enter or bind.

use std::io::Read;
use std::os::fd::OwnedFd;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::command::child_setup;
use super::procfs::{pidfd_kill, pidfd_open, try_ns};
use super::{children, comm, ns, own_ns, COUNTER, TIMEOUT, UL_UNSHARE};

/// Start the launcher of a long-lived process for a test: output to none
/// but stderr (kept for the diagnosis), killed should the test binary die
/// without dropping it (a safety net only: PR_SET_PDEATHSIG is tied to the
/// spawning thread). Also gives the command as shown in messages.
pub fn launch(mut command: Command) -> (Child, String) {
    // SAFETY: only async-signal-safe calls.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let shown = format!("{command:?}");
    let launcher = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {shown}: {e}"));
    (launcher, shown)
}

/// How to start a `Target`.
pub struct TargetBuilder {
    kinds: Vec<&'static str>,
    uid: Option<u32>,
    fork: bool,
}

impl TargetBuilder {
    /// Start it as this user. Implies a user namespace (mapped with `-r`).
    #[allow(clippy::wrong_self_convention)]
    pub fn as_user(mut self, uid: u32) -> TargetBuilder {
        self.uid = Some(uid);
        if !self.kinds.contains(&"user") {
            self.kinds.push("user");
        }
        self
    }

    /// Have unshare fork (implied by a PID namespace), so that the launcher's
    /// `*_for_children` entries name the new namespaces.
    pub fn fork(mut self) -> TargetBuilder {
        self.fork = true;
        self
    }

    pub fn start(self) -> Target {
        let option = |kind: &str| match kind {
            "mnt" => "--mount",
            "uts" => "--uts",
            "ipc" => "--ipc",
            "net" => "--net",
            "pid" => "--pid",
            "user" => "--user",
            "cgroup" => "--cgroup",
            "time" => "--time",
            other => panic!("unknown namespace kind {other}"),
        };
        let fork = self.fork || self.kinds.contains(&"pid");
        let mut command = Command::new(UL_UNSHARE);
        command.args(self.kinds.iter().map(|k| option(k)));
        if fork {
            command.args(["--fork", "--kill-child"]);
        }
        if self.kinds.contains(&"user") {
            // Without a mapping the program would run as the overflow uid,
            // without capabilities, and could not even set the hostname.
            command.arg("--map-root-user");
        }
        let hostname = self.kinds.contains(&"uts").then(|| {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            format!("nsbox-target-{}-{n}", std::process::id())
        });
        // `sleep` marks the end of the set-up: once it runs, all is in place.
        match &hostname {
            Some(name) => command.args([
                "/bin/sh",
                "-c",
                "hostname \"$1\" && exec sleep 600",
                "sh",
                name,
            ]),
            None => command.args(["sleep", "600"]),
        };
        let uid = self.uid;
        // SAFETY: only async-signal-safe calls.
        unsafe {
            command.pre_exec(move || child_setup(uid, &[], &[], &[]));
        }
        let (launcher, shown) = launch(command);
        let mut target = Target {
            launcher: Some(launcher),
            shown,
            pid: 0,
            pidfd: None,
            hostname,
        };
        target.wait_ready(&self.kinds, fork);
        target
    }
}

/// A `sleep` living in fresh namespaces, made by util-linux's unshare (with
/// `--fork` for a PID namespace, the sleep then being the namespace's init).
/// It is killed and reaped on drop.
pub struct Target {
    launcher: Option<Child>,
    shown: String,
    pid: i32,
    pidfd: Option<OwnedFd>,
    hostname: Option<String>,
}

impl Target {
    /// A root-owned target in new namespaces of these kinds.
    pub fn new(kinds: &[&'static str]) -> Target {
        Target::build(kinds).start()
    }

    pub fn build(kinds: &[&'static str]) -> TargetBuilder {
        TargetBuilder {
            kinds: kinds.to_vec(),
            uid: None,
            fork: false,
        }
    }

    /// The sleeping process, as our PID namespace sees it.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// util-linux's unshare: the target itself, or its parent with `--fork`.
    pub fn launcher_pid(&self) -> i32 {
        self.launcher.as_ref().unwrap().id() as i32
    }

    /// `/proc/PID/ns/KIND` of the target.
    pub fn ns_path(&self, kind: &str) -> String {
        format!("/proc/{}/ns/{kind}", self.pid)
    }

    /// `readlink /proc/PID/ns/KIND` of the target.
    pub fn ns(&self, kind: &str) -> String {
        ns(self.pid, kind)
    }

    /// The hostname the target set in its UTS namespace.
    pub fn hostname(&self) -> &str {
        self.hostname
            .as_deref()
            .expect("the target has no UTS namespace of its own")
    }

    fn launcher_failed(&mut self, why: &str) -> ! {
        let mut launcher = self.launcher.take().unwrap();
        let _ = launcher.kill();
        let status = launcher.wait();
        let mut err = String::new();
        let _ = launcher.stderr.take().unwrap().read_to_string(&mut err);
        panic!(
            "target: {why}\n  command: {}\n  status: {status:?}\n  stderr: {err:?}",
            self.shown
        );
    }

    fn wait_ready(&mut self, kinds: &[&'static str], fork: bool) {
        let launcher = self.launcher_pid();
        let deadline = Instant::now() + TIMEOUT;
        let mut pause = Duration::from_millis(1);
        loop {
            let exited = self.launcher.as_mut().unwrap().try_wait();
            if !matches!(exited, Ok(None)) {
                self.launcher_failed("unshare ended early");
            }
            if Instant::now() > deadline {
                self.launcher_failed("not ready in time");
            }
            if self.pidfd.is_none() {
                let pid = if fork {
                    children(launcher).first().copied()
                } else {
                    Some(launcher)
                };
                if let Some(pid) = pid {
                    // The pidfd makes the kill on drop safe against pid reuse.
                    if let Ok(fd) = pidfd_open(pid) {
                        if pid == launcher || children(launcher).contains(&pid) {
                            self.pid = pid;
                            self.pidfd = Some(fd);
                        }
                    }
                }
            }
            if self.pidfd.is_some()
                && comm(self.pid).as_deref() == Some("sleep")
                && kinds
                    .iter()
                    .all(|k| try_ns(self.pid, k).is_some_and(|n| n != own_ns(k)))
            {
                return;
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(10));
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some(pidfd) = &self.pidfd {
            pidfd_kill(pidfd);
        }
        let Some(mut launcher) = self.launcher.take() else {
            return;
        };
        // unshare --fork ends when its child does; give it a moment.
        let deadline = Instant::now() + Duration::from_secs(10);
        while matches!(launcher.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        let _ = launcher.kill();
        let _ = launcher.wait();
    }
}

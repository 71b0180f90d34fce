//! `Container`: a target confined the way a container runtime confines
//! its processes, for `--caps`, `--no-new-privs`, `--seccomp`, `-c` and
//! `--as-target` to copy. It is a `sleep` in fresh mount, UTS, IPC, net,
//! PID and cgroup namespaces (util-linux's unshare, with its own /proc),
//! in a transient cgroup of its own (`Cgroup`), with Docker's default
//! bounding set (setpriv), inheritable and ambient capabilities,
//! no_new_privs, and seccomp filters (tests/helpers/seccomp_filter.py).

use std::io::Read;
use std::process::{Child, Command};

use super::*;

/// The helper that installs seccomp filters, then execs.
pub const SECCOMP_FILTER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/helpers/seccomp_filter.py"
);

/// Debian's python3 (tests/deps.sh), which any uid can run: one found
/// earlier in PATH may live in root's home (pyenv), closed to uid 1000.
pub const PYTHON3: &str = "/usr/bin/python3";

/// Docker's default capabilities, as setpriv spells them.
pub const DOCKER_CAPS: &str = "chown,dac_override,fowner,fsetid,kill,setgid,setuid,setpcap,\
                               net_bind_service,net_raw,sys_chroot,mknod,audit_write,setfcap";

/// The lines of /proc/PID/status that say how a process is confined.
pub fn confinement(status: &str) -> Vec<String> {
    status
        .lines()
        .filter(|l| {
            ["Cap", "NoNewPrivs:", "Seccomp:", "Seccomp_filters:"]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .map(str::to_owned)
        .collect()
}

/// The cgroup2 mount point, from /proc/self/mountinfo (on this hybrid
/// machine /sys/fs/cgroup/unified), and the root it shows.
pub fn cgroup2_mount() -> (PathBuf, String) {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    for line in mountinfo.lines() {
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        if right.split_whitespace().next() == Some("cgroup2") {
            let fields: Vec<&str> = left.split_whitespace().collect();
            return (PathBuf::from(fields[4]), fields[3].to_owned());
        }
    }
    panic!("no cgroup2 mount in\n{mountinfo}");
}

/// A transient, uniquely named child cgroup under the cgroup2 mount: the
/// only host object these tests create, because `-c` can only be shown
/// with a target in another cgroup than ours, and the machine gives us
/// none. Only the tests' own targets are moved there (never the test
/// process). Whoever holds it must end those first; on drop the cgroup,
/// empty by then, is removed.
pub struct Cgroup {
    pub dir: PathBuf,
    /// The cgroup as /proc/PID/cgroup names it: `/NAME`.
    pub path: String,
}

impl Cgroup {
    pub fn new() -> Cgroup {
        let (mount, root) = cgroup2_mount();
        assert_eq!(root, "/", "the cgroup2 mount shows a sub-tree");
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("nsbox-nsenter-test.{}.{n}", std::process::id());
        let dir = mount.join(&name);
        std::fs::create_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        Cgroup {
            dir,
            path: format!("/{name}"),
        }
    }

    /// Move process `pid` there.
    pub fn take(&self, pid: i32) {
        let procs = self.dir.join("cgroup.procs");
        std::fs::write(&procs, pid.to_string())
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", procs.display()));
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        // Empty once its processes are reaped; the kernel may take a
        // moment to notice.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match std::fs::remove_dir(&self.dir) {
                Ok(()) => return,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
                Err(e) if Instant::now() > deadline => {
                    panic!("cannot remove {}: {e}", self.dir.display())
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    }
}

/// What `ContainerBuilder::lower_permitted` runs in place of the sleep: a
/// python3 that lowers its permitted and effective sets to the mask given
/// in hex (capset(2), with no exec after it, so that exec's rules never
/// see it), names itself `sleep` (what `Container` waits for), and sleeps.
const LOWER_PERMITTED: &str = r#"
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
mask = int(sys.argv[1], 16)
header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # version 3, ourselves
data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable; low, high
if libc.capget(header, data) != 0 or not any(data):
    sys.exit("capget: " + os.strerror(ctypes.get_errno()))
for word, part in ((0, mask & 0xFFFFFFFF), (3, mask >> 32)):
    data[word] = data[word + 1] = part
if libc.capset(header, data) != 0:
    sys.exit("capset: " + os.strerror(ctypes.get_errno()))
libc.prctl(15, b"sleep", 0, 0, 0)  # PR_SET_NAME
time.sleep(600)
"#;

/// How to confine a `Container`.
pub struct ContainerBuilder {
    setpriv: Vec<String>,
    filters: Vec<String>,
    filter_count: usize,
    lowered: Option<u64>,
    /// Filters before setpriv (see `without_no_new_privs`).
    filters_first: bool,
}

impl ContainerBuilder {
    /// Run as this uid and gid, with these supplementary groups, keeping
    /// the inheritable and ambient capabilities (`setpriv --reuid`...).
    pub fn user(mut self, uid: u32, gid: u32, groups: &str) -> Self {
        self.setpriv.extend([
            format!("--reuid={uid}"),
            format!("--regid={gid}"),
            format!("--groups={groups}"),
        ]);
        self
    }

    /// With these securebits (`setpriv --securebits`, e.g. `+noroot`).
    pub fn securebits(mut self, bits: &str) -> Self {
        self.setpriv.push(format!("--securebits={bits}"));
        self
    }

    /// Once started, lower its permitted and effective sets to `mask`
    /// without exec'ing again, as a daemon drops what it no longer needs
    /// (it then holds less than exec gives root).
    pub fn lower_permitted(mut self, mask: u64) -> Self {
        self.lowered = Some(mask);
        self
    }

    /// No seccomp filters.
    pub fn no_filters(mut self) -> Self {
        self.filters.clear();
        self.filter_count = 0;
        self
    }

    /// Add a filter that hands `syscall` to a user-notification listener.
    pub fn notify(mut self, syscall: &str) -> Self {
        self.filters
            .extend(["--notify".to_owned(), syscall.to_owned()]);
        self.filter_count += 1;
        self
    }

    /// Without no_new_privs. Its filters then need CAP_SYS_ADMIN, so they
    /// are installed first, while the helper still has it, and setpriv
    /// drops the capabilities after them, as runc does without
    /// no_new_privs.
    pub fn without_no_new_privs(mut self) -> Self {
        self.setpriv.retain(|a| a != "--no-new-privs");
        self.filters_first = true;
        self
    }

    pub fn start(self) -> Container {
        let cgroup = Cgroup::new();
        let mut command = Command::new("/bin/sh");
        // In the cgroup, in a working directory and with an environment of
        // its own, for -c, -w and -e to take.
        command.args([
            "-c",
            r#"echo 0 > "$1/cgroup.procs" && shift && cd /usr/share && exec "$@""#,
            "sh",
        ]);
        command.env("NSBOX_CONTAINER", "inside");
        command.arg(&cgroup.dir);
        command.args([UL_UNSHARE, "-fpmuinC", "--mount-proc", "--kill-child"]);
        let setpriv = |c: &mut Command| {
            c.arg("setpriv").args(&self.setpriv).arg("--");
        };
        if !self.filters_first {
            setpriv(&mut command);
        }
        command.args([PYTHON3, SECCOMP_FILTER]).args(&self.filters);
        command.arg("--");
        if self.filters_first {
            setpriv(&mut command);
        }
        match self.lowered {
            Some(mask) => command.args([PYTHON3, "-c", LOWER_PERMITTED, &format!("{mask:x}")]),
            None => command.args(["sleep", "600"]),
        };
        let (launcher, shown) = launch(command);
        let mut container = Container {
            launcher: Some(launcher),
            pidfd: None,
            pid: 0,
            cgroup: Some(cgroup),
        };
        container.wait_ready(&shown, self.filter_count);
        container
    }
}

/// The confined `sleep`; killed and reaped on drop, then its cgroup removed.
pub struct Container {
    launcher: Option<Child>,
    pidfd: Option<OwnedFd>,
    pid: i32,
    cgroup: Option<Cgroup>,
}

impl Container {
    /// Docker's defaults: its bounding set as root, CAP_CHOWN and CAP_KILL
    /// inheritable, CAP_CHOWN ambient too, no_new_privs, and two filters
    /// under which getpriority(2) fails: EHOSTDOWN from the older,
    /// EHOSTUNREACH from the newer, which is the one a process sees (so a
    /// copy installed in the wrong order shows).
    pub fn build() -> ContainerBuilder {
        ContainerBuilder {
            setpriv: vec![
                format!("--bounding-set=-all,+{}", DOCKER_CAPS.replace(',', ",+")),
                "--inh-caps=-all,+chown,+kill".to_owned(),
                "--ambient-caps=-all,+chown".to_owned(),
                "--no-new-privs".to_owned(),
            ],
            filters: ["--errno", "getpriority:112", "--errno", "getpriority:113"]
                .map(str::to_owned)
                .to_vec(),
            filter_count: 2,
            lowered: None,
            filters_first: false,
        }
    }

    pub fn start() -> Container {
        Container::build().start()
    }

    /// The sleeping process, as our PID namespace sees it.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    pub fn cgroup(&self) -> &Cgroup {
        self.cgroup.as_ref().unwrap()
    }

    /// What getpriority(2) fails with inside, as `nice` reports it.
    pub const FILTERED: &'static str = "nice: cannot get niceness: No route to host";

    fn failed(&mut self, shown: &str, why: &str) -> ! {
        let mut launcher = self.launcher.take().unwrap();
        let _ = launcher.kill();
        let status = launcher.wait();
        let mut err = String::new();
        let _ = launcher.stderr.take().unwrap().read_to_string(&mut err);
        panic!("container: {why}\n  command: {shown}\n  status: {status:?}\n  stderr: {err:?}");
    }

    /// Ready once the sleep runs under all its filters.
    fn wait_ready(&mut self, shown: &str, filters: usize) {
        let launcher = self.launcher.as_ref().unwrap().id() as i32;
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if !matches!(self.launcher.as_mut().unwrap().try_wait(), Ok(None)) {
                self.failed(shown, "unshare ended early");
            }
            if Instant::now() > deadline {
                self.failed(shown, "not ready in time");
            }
            if self.pidfd.is_none() {
                if let Some(&pid) = children(launcher).first() {
                    if let Ok(fd) = pidfd_open(pid) {
                        (self.pid, self.pidfd) = (pid, Some(fd));
                    }
                }
            }
            if self.pidfd.is_some() && comm(self.pid).as_deref() == Some("sleep") {
                let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))
                    .unwrap_or_default();
                if status.contains(&format!("Seccomp_filters:\t{filters}\n")) {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        if let Some(pidfd) = &self.pidfd {
            pidfd_kill(pidfd);
        }
        if let Some(mut launcher) = self.launcher.take() {
            // unshare --fork ends when its child does; give it a moment.
            let deadline = Instant::now() + Duration::from_secs(10);
            while matches!(launcher.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(2));
            }
            let _ = launcher.kill();
            let _ = launcher.wait();
        }
        drop(self.cgroup.take());
    }
}

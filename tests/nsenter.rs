//! `nsenter [options] [<program> [<argument>...]]`: every option and
//! behaviour of the spec, run through the applet link against targets that
//! the tests start in fresh namespaces (as root, and as uid 65534 with
//! `unshare -r`), checked against what the kernel reports from inside
//! (/proc/self/ns/*, hostname, `ip link`, /proc/self/status, cwd,
//! environment, /proc/self/cgroup), side by side with util-linux's nsenter
//! (2.38) where the two should agree, and where nsbox must do better.
//!
//! The test process never enters or makes a namespace itself (it has
//! threads): util-linux's unshare does, for the targets and for the
//! throwaway mount and PID namespaces that scripts run in. The one change
//! outside them is the transient cgroup of `cgroup::JoinCgroup`, explained
//! there.

mod common;

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;

/// util-linux's nsenter: the reference where the two should agree.
const UL_NSENTER: &str = "/usr/bin/nsenter";

/// Shell functions for the scripts run in throwaway namespaces.
const PRELUDE: &str = r#"
# waitfor 'CONDITION': poll until it holds; after 20 s, end the script.
waitfor() {
    _n=0
    until eval "$1"; do
        _n=$((_n + 1))
        if [ "$_n" -gt 2000 ]; then
            echo "gave up waiting for: $1" >&2
            exit 99
        fi
        sleep 0.01
    done
}
"#;

// ---------------------------------------------------------------- helpers

/// (kind, short option, long option).
const KIND_OPTIONS: [(&str, &str, &str); 8] = [
    ("mnt", "-m", "--mount"),
    ("uts", "-u", "--uts"),
    ("ipc", "-i", "--ipc"),
    ("net", "-n", "--net"),
    ("pid", "-p", "--pid"),
    ("user", "-U", "--user"),
    ("cgroup", "-C", "--cgroup"),
    ("time", "-T", "--time"),
];

fn options_of(kind: &str) -> (&'static str, &'static str) {
    let (_, short, long) = KIND_OPTIONS.iter().find(|(k, _, _)| *k == kind).unwrap();
    (short, long)
}

/// nsbox's nsenter, through its link.
fn nsenter(env: &Env) -> Cmd {
    env.applet("nsenter")
}

/// util-linux's nsenter.
fn ul_nsenter() -> Cmd {
    cmd(UL_NSENTER)
}

/// Both, nsbox first, for the checks where they should agree.
fn both(env: &Env) -> [Cmd; 2] {
    [nsenter(env), ul_nsenter()]
}

/// Their paths, nsbox's link first.
fn both_paths(env: &Env) -> [PathBuf; 2] {
    [env.path("nsenter"), PathBuf::from(UL_NSENTER)]
}

/// `readlink /proc/self/ns/mnt ... /proc/self/ns/time`, in `KINDS` order,
/// as a shell command.
fn readlink_all_sh() -> String {
    let mut words = vec!["readlink".to_owned()];
    words.extend(KINDS.iter().map(|k| format!("/proc/self/ns/{k}")));
    words.join(" ")
}

/// The same as a program and its arguments.
fn readlink_all() -> Vec<String> {
    readlink_all_sh().split(' ').map(str::to_owned).collect()
}

/// Check eight namespace links (`KINDS` order, as `readlink_all` prints
/// them): the kinds in `entered` must be the target's, every other ours.
fn check_links(out: &Output, links: &[&str], target: i32, entered: &[&str]) {
    out.check(links.len() == KINDS.len(), "expected eight namespace links");
    for (kind, link) in KINDS.iter().zip(links) {
        let (want, whose) = if entered.contains(kind) {
            (ns(target, kind), "the target's")
        } else {
            (own_ns(kind), "ours")
        };
        out.check(
            *link == want,
            &format!("{kind}: expected {whose} ({want}), got {link}"),
        );
    }
}

/// `check_links` on the whole of stdout.
fn check_all_links(out: &Output, target: i32, entered: &[&str]) {
    let text = out.stdout();
    let links: Vec<&str> = text.lines().collect();
    check_links(out, &links, target, entered);
}

/// The value of `Name:` in a /proc/PID/status text, blanks squeezed.
fn status_field(out: &Output, name: &str) -> String {
    let text = out.stdout();
    let Some(value) = text
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
    else {
        out.fail(&format!("no {name}: line in the output"));
    };
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn proc_status(pid: i32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("cannot read /proc/{pid}/status: {e}"))
}

/// A line `Name:` of /proc/PID/status, blanks squeezed.
fn proc_field(pid: i32, name: &str) -> String {
    let status = proc_status(pid);
    let value = status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .unwrap_or_else(|| panic!("no {name}: line in /proc/{pid}/status"));
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The bit of `signal` in a /proc signal mask.
fn bit(signal: libc::c_int) -> u64 {
    1 << (signal - 1)
}

/// A mask line (SigBlk, SigCgt...) of /proc/PID/status.
fn mask(pid: i32, name: &str) -> u64 {
    u64::from_str_radix(&proc_field(pid, name), 16).unwrap()
}

/// Every process below `pid`, depth first.
fn descendants(pid: i32) -> Vec<i32> {
    let mut found = Vec::new();
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        for child in children(p) {
            found.push(child);
            todo.push(child);
        }
    }
    found
}

/// Wait for a process named `name` in `proc` or below it, blocked reading
/// its stdin (past exec and the loader's own opens), and return its pid.
fn find_reader(proc: &mut Proc, name: &str) -> i32 {
    let root = proc.pid();
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let mut all = vec![root];
        all.extend(descendants(root));
        if let Some(pid) = all
            .iter()
            .copied()
            .find(|&p| comm(p).as_deref() == Some(name) && reading_stdin(p))
        {
            return pid;
        }
        if proc.has_exited() {
            let out = std::mem::replace(proc, cmd("true").spawn()).wait();
            out.fail(&format!("ended before {name} read its stdin"));
        }
        if Instant::now() > deadline {
            panic!("timed out waiting for {name} below {root} to read its stdin");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `sh -c '"$@"; echo $?' sh PROGRAM ARGS...`: the status as a shell sees it.
fn via_shell(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Cmd {
    cmd("/bin/sh")
        .args(["-c", r#""$@"; echo $?"#, "sh"])
        .arg(program)
        .args(args)
}

/// A pidfd of `pid`, opened by the test process.
fn pidfd(pid: i32) -> OwnedFd {
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
    let ret = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    assert!(
        ret >= 0,
        "pidfd_open({pid}): {}",
        std::io::Error::last_os_error()
    );
    // SAFETY: the descriptor is new and ours alone.
    unsafe { OwnedFd::from_raw_fd(ret as RawFd) }
}

/// The inode of a pidfd of `pid` (pidfs): what `-t PID:INODE` expects.
fn pidfd_inode(pid: i32) -> u64 {
    std::fs::File::from(pidfd(pid)).metadata().unwrap().ino()
}

/// NS_GET_ID = _IOR(0xb7, 13, __u64).
const NS_GET_ID: u64 = 0x8008_b70d;
/// NS_GET_PARENT = _IO(0xb7, 2).
const NS_GET_PARENT: u64 = 0xb702;

/// The namespace id of a namespace file, as NS_GET_ID reports it.
fn ns_id(path: &str) -> u64 {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("open {path}: {e}"));
    let mut id: u64 = 0;
    // SAFETY: NS_GET_ID writes one u64 through the pointer.
    let ret = unsafe { libc::ioctl(file.as_raw_fd(), NS_GET_ID as _, &mut id as *mut u64) };
    assert_eq!(
        ret,
        0,
        "NS_GET_ID on {path}: {}",
        std::io::Error::last_os_error()
    );
    id
}

/// `user:[INODE]` of the parent of the user namespace file `path`.
fn parent_user_ns(path: &str) -> String {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("open {path}: {e}"));
    // SAFETY: NS_GET_PARENT takes no argument and returns a new fd or -1.
    let ret = unsafe { libc::ioctl(file.as_raw_fd(), NS_GET_PARENT as _) };
    assert!(
        ret >= 0,
        "NS_GET_PARENT on {path}: {}",
        std::io::Error::last_os_error()
    );
    // SAFETY: the descriptor is new and ours alone.
    let parent = std::fs::File::from(unsafe { OwnedFd::from_raw_fd(ret) });
    format!("user:[{}]", parent.metadata().unwrap().ino())
}

/// The v2 line of a /proc/PID/cgroup text: the path after `0::`.
fn v2_cgroup(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("0::"))
        .map(str::to_owned)
}

/// `sh -c SCRIPT sh` in a private mount namespace made by util-linux, with
/// `$N` (our nsenter), `$UL` (util-linux's), `$D` (the temp dir) and the
/// prelude's functions. Mounts made there never reach the host.
fn private_shell(env: &Env, script: &str) -> Cmd {
    cmd(UL_UNSHARE)
        .args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg(format!("{PRELUDE}\n{script}"))
        .arg("sh")
        .env("N", env.path("nsenter"))
        .env("UL", UL_NSENTER)
        .env("D", env.dir())
}

/// Fail if anything under the temp dir is mounted in our mount namespace.
fn no_mount_leaked(env: &Env) {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let dir = env.dir().to_string_lossy().into_owned();
    assert!(
        !mountinfo.contains(&dir),
        "a mount under {dir} leaked to the host:\n{mountinfo}"
    );
}

/// A target the harness's `Target` cannot make (passed descriptors, its
/// own environment, credentials, root or mounts): any command, run as our
/// child, that ends in a program named `name` without forking. Killed and
/// reaped on drop.
struct Custom {
    proc: Proc,
}

impl Custom {
    fn spawn(command: Cmd) -> Custom {
        Custom {
            proc: command.spawn(),
        }
    }

    /// Start `command` and wait until it runs `name` in new namespaces of
    /// `kinds`.
    fn start(command: Cmd, name: &str, kinds: &[&str]) -> Custom {
        let mut custom = Custom::spawn(command);
        custom.wait_for(name, kinds);
        custom
    }

    fn pid(&self) -> i32 {
        self.proc.pid()
    }

    fn wait_for(&mut self, name: &str, kinds: &[&str]) {
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

    fn ns(&self, kind: &str) -> String {
        ns(self.pid(), kind)
    }

    fn ns_path(&self, kind: &str) -> String {
        format!("/proc/{}/ns/{kind}", self.pid())
    }
}

/// A target in a user namespace made by root, where root is NOT mapped:
/// inside 0..65536 is outside 100000..165536 (written by the test process,
/// as util-linux 2.38's --map-users needs /etc/subuid entries for root).
/// It also has a UTS namespace. Being unmapped when it ran exec, the
/// target has no capabilities there.
fn mapped_target() -> Custom {
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

/// pid_max: pids stay below it, so no process has this one.
fn unused_pid() -> i32 {
    std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim_end()
        .to_owned()
}

// ---------------------------------------------------------------- each kind

/// As root, `-t PID` with the kind's short and long option enters exactly
/// that namespace of the target, and util-linux agrees.
fn enters_as_root(kind: &'static str) {
    let env = Env::new();
    let target = Target::new(&[kind]);
    let pid = target.pid().to_string();
    let (short, long) = options_of(kind);
    for program in both_paths(&env) {
        for option in [short, long] {
            let out = cmd(&program)
                .args(["-t", &pid, option])
                .args(readlink_all())
                .run();
            out.success().stderr_is("");
            check_all_links(&out, target.pid(), &[kind]);
        }
    }
}

/// As uid 65534, against a target of uid 65534 (`unshare -r`): with -U the
/// kind is entered, together with the target's user namespace; without it
/// the kernel refuses (EPERM), as the namespace belongs to that user
/// namespace.
fn enters_unprivileged(kind: &'static str) {
    let env = Env::new();
    let target = Target::build(&[kind]).as_user(NOBODY).start();
    let pid = target.pid().to_string();
    let (short, long) = options_of(kind);
    let entered: &[&str] = if kind == "user" {
        &["user"]
    } else {
        &["user", kind]
    };
    let forms: [&[&str]; 3] = if kind == "user" {
        [&["-U"], &["--user"], &["-a"]]
    } else {
        [&["-U", short], &["--user", long], &["-a"]]
    };
    for form in forms {
        let out = nsenter(&env)
            .as_user(NOBODY)
            .args(["-t", &pid])
            .args(form)
            .args(readlink_all())
            .run();
        out.success().stderr_is("");
        check_all_links(&out, target.pid(), entered);
    }
    if kind != "user" {
        nsenter(&env)
            .as_user(NOBODY)
            .args(["-t", &pid, short, "echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(&format!(
                "nsenter: reassociate to namespace 'ns/{kind}' failed: Operation not permitted\n"
            ));
    }
}

macro_rules! per_kind {
    ($($name:ident: $kind:literal,)*) => {
        mod enter_as_root {
            $(
                #[test]
                fn $name() {
                    super::enters_as_root($kind);
                }
            )*
        }
        mod enter_unprivileged {
            $(
                #[test]
                fn $name() {
                    super::enters_unprivileged($kind);
                }
            )*
        }
    };
}

per_kind! {
    mnt: "mnt",
    uts: "uts",
    ipc: "ipc",
    net: "net",
    pid: "pid",
    user: "user",
    cgroup: "cgroup",
    time: "time",
}

/// What the kernel shows inside: the target's hostname, and a network
/// namespace with nothing but `lo`. As root (util-linux agrees) and as uid
/// 65534; our own hostname stays.
#[test]
fn hostname_and_links_inside() {
    let env = Env::new();
    let ours = hostname();
    let script = "hostname; ip -o link";
    let check = |out: &Output, host: &str| {
        out.success().stderr_is("");
        let text = out.stdout();
        let lines: Vec<&str> = text.lines().collect();
        out.check(
            lines.len() == 2 && lines[0] == host && lines[1].starts_with("1: lo: "),
            &format!("expected {host} and only lo"),
        );
    };
    let target = Target::new(&["uts", "net"]);
    assert_ne!(target.hostname(), ours);
    let pid = target.pid().to_string();
    for nsenter in both(&env) {
        let out = nsenter
            .args(["-t", &pid, "-u", "-n", "sh", "-c", script])
            .run();
        check(&out, target.hostname());
    }
    let target = Target::build(&["uts", "net"]).as_user(NOBODY).start();
    let pid = target.pid().to_string();
    let out = nsenter(&env)
        .as_user(NOBODY)
        .args(["-t", &pid, "-U", "-u", "-n", "sh", "-c", script])
        .run();
    check(&out, target.hostname());
    assert_eq!(hostname(), ours, "our own hostname changed");
}

/// A time namespace with offsets (set by util-linux's unshare): the
/// program sees them, in timens_offsets and in the uptime; util-linux
/// agrees.
#[test]
fn time_offsets_inside() {
    let env = Env::new();
    let offset = "86400000";
    let launcher = Custom::spawn(cmd(UL_UNSHARE).args([
        "--time",
        "--fork",
        "--kill-child",
        "--monotonic",
        offset,
        "--boottime",
        offset,
        "sleep",
        "600",
    ]));
    let pid = wait_for_child(launcher.pid());
    wait_until("sleep in a new time namespace", || {
        comm(pid).as_deref() == Some("sleep") && ns(pid, "time") != own_ns("time")
    });
    let offsets = std::fs::read_to_string(format!("/proc/{pid}/timens_offsets")).unwrap();
    assert!(offsets.contains(offset), "offsets: {offsets:?}");
    let pid = pid.to_string();
    for program in both_paths(&env) {
        cmd(&program)
            .args(["-t", &pid, "-T", "cat", "/proc/self/timens_offsets"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&offsets);
        let out = cmd(&program)
            .args(["-t", &pid, "-T", "cat", "/proc/uptime"])
            .run();
        out.success();
        let uptime: f64 = out
            .stdout()
            .split_whitespace()
            .next()
            .and_then(|w| w.parse().ok())
            .unwrap_or_else(|| out.fail("no uptime"));
        out.check(uptime > 86_400_000.0, "the boottime offset is missing");
    }
}

/// A System V message queue made through nsenter lives in the target's
/// IPC namespace: seen there again, never in ours. util-linux agrees.
#[test]
fn ipc_objects_inside() {
    let env = Env::new();
    let target = Target::new(&["ipc"]);
    let pid = target.pid().to_string();
    let count = "tail -n +2 /proc/sysvipc/msg | wc -l";
    let ours = || std::fs::read_to_string("/proc/sysvipc/msg").unwrap();
    let before = ours();
    nsenter(&env)
        .args(["-t", &pid, "-i", "sh", "-c"])
        .arg(format!("ipcmk -Q >/dev/null && {count}"))
        .run()
        .success()
        .stderr_is("")
        .stdout_is("1\n");
    for program in both_paths(&env) {
        cmd(&program)
            .args(["-t", &pid, "-i", "sh", "-c", count])
            .run()
            .success()
            .stdout_is("1\n");
    }
    assert_eq!(ours(), before, "the queue appeared in our IPC namespace");
}

// ---------------------------------------------------------------- --all

mod all {
    use super::*;

    /// As root, into a target with every kind: all eight are entered, as
    /// util-linux does.
    #[test]
    fn every_kind_as_root() {
        let env = Env::new();
        let target = Target::new(&KINDS);
        let pid = target.pid().to_string();
        for program in both_paths(&env) {
            for all in ["-a", "--all"] {
                let out = cmd(&program)
                    .args(["-t", &pid, all])
                    .args(readlink_all())
                    .run();
                out.success().stderr_is("");
                check_all_links(&out, target.pid(), &KINDS);
            }
        }
    }

    /// As root, into a target with only some kinds of its own: those are
    /// entered, the others stay ours; util-linux prints the same.
    #[test]
    fn some_kinds_as_root() {
        let env = Env::new();
        let target = Target::new(&["uts", "net"]);
        let pid = target.pid().to_string();
        let script = format!("hostname; {}", readlink_all_sh());
        let mut outputs = Vec::new();
        for nsenter in both(&env) {
            let out = nsenter.args(["-t", &pid, "-a", "sh", "-c", &script]).run();
            out.success().stderr_is("");
            let text = out.stdout();
            let lines: Vec<&str> = text.lines().collect();
            out.check(
                lines.first() == Some(&target.hostname()),
                "not the target's hostname",
            );
            check_links(&out, &lines[1..], target.pid(), &["uts", "net"]);
            outputs.push(text.clone());
        }
        assert_eq!(outputs[0], outputs[1], "nsbox and util-linux differ");
    }

    /// As uid 65534 against `unshare -r -u`: every kind but user and uts is
    /// ours, and skipped; util-linux 2.38 tries them and fails with EPERM.
    #[test]
    fn unprivileged_skips_what_is_ours() {
        let env = Env::new();
        let target = Target::build(&["uts"]).as_user(NOBODY).start();
        let pid = target.pid().to_string();
        let script = format!("hostname; id -u; {}", readlink_all_sh());
        let out = nsenter(&env)
            .as_user(NOBODY)
            .args(["-t", &pid, "-a", "sh", "-c", &script])
            .run();
        out.success().stderr_is("");
        let text = out.stdout();
        let lines: Vec<&str> = text.lines().collect();
        out.check(
            lines.len() == 10 && lines[0] == target.hostname() && lines[1] == "0",
            "expected the target's hostname and uid 0",
        );
        check_links(&out, &lines[2..], target.pid(), &["user", "uts"]);
        ul_nsenter()
            .as_user(NOBODY)
            .args(["-t", &pid, "-a", "sh", "-c", &script])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_line("nsenter: reassociate to namespace 'ns/")
            .stderr_has("failed: Operation not permitted\n");
    }

    /// As uid 65534 against a target with every kind of its own.
    #[test]
    fn every_kind_unprivileged() {
        let env = Env::new();
        let target = Target::build(&KINDS).as_user(NOBODY).start();
        let pid = target.pid().to_string();
        let out = nsenter(&env)
            .as_user(NOBODY)
            .args(["-t", &pid, "-a"])
            .args(readlink_all())
            .run();
        out.success().stderr_is("");
        check_all_links(&out, target.pid(), &KINDS);
    }

    /// An explicit option overrides --all for its kind.
    #[test]
    fn explicit_options_override() {
        let env = Env::new();
        let a = Target::new(&["uts", "net"]);
        let b = Target::new(&["uts"]);
        let script = "hostname; readlink /proc/self/ns/uts /proc/self/ns/net";
        let file = format!("--uts={}", b.ns_path("uts"));
        for args in [
            vec!["-a".to_owned(), file.clone()],
            vec![file.clone(), "-a".to_owned()],
        ] {
            nsenter(&env)
                .args(["-t", &a.pid().to_string()])
                .args(&args)
                .args(["sh", "-c", script])
                .run()
                .success()
                .stderr_is("")
                .stdout_is(&format!(
                    "{}\n{}\n{}\n",
                    b.hostname(),
                    b.ns("uts"),
                    a.ns("net")
                ));
        }
    }
}

// ---------------------------------------------------------------- files

mod files {
    use super::*;

    /// `--uts=FILE`, `-uFILE`, `-u=FILE`: without a target, and overriding
    /// the target's (whose other namespaces still come from it).
    #[test]
    fn file_forms() {
        let env = Env::new();
        let a = Target::new(&["uts", "net"]);
        let b = Target::new(&["uts"]);
        let path = b.ns_path("uts");
        let forms = [
            format!("--uts={path}"),
            format!("-u{path}"),
            format!("-u={path}"),
        ];
        for form in &forms {
            nsenter(&env)
                .args([
                    form.as_str(),
                    "sh",
                    "-c",
                    "hostname; readlink /proc/self/ns/uts",
                ])
                .run()
                .success()
                .stderr_is("")
                .stdout_is(&format!("{}\n{}\n", b.hostname(), b.ns("uts")));
            nsenter(&env)
                .args(["-t", &a.pid().to_string(), "-n", form.as_str()])
                .args(["sh", "-c", "hostname; readlink /proc/self/ns/net"])
                .run()
                .success()
                .stderr_is("")
                .stdout_is(&format!("{}\n{}\n", b.hostname(), a.ns("net")));
        }
        // util-linux agrees on the forms it knows.
        for form in &forms[..2] {
            ul_nsenter()
                .args(["-t", &a.pid().to_string(), "-n", form.as_str()])
                .args(["sh", "-c", "hostname; readlink /proc/self/ns/net"])
                .run()
                .success()
                .stdout_is(&format!("{}\n{}\n", b.hostname(), a.ns("net")));
        }
    }

    /// A separate word is never the optional file: `-u FILE` enters the
    /// target's UTS namespace and runs FILE, which cannot be executed.
    #[test]
    fn separate_word_is_the_program() {
        let env = Env::new();
        let target = Target::new(&["uts"]);
        let path = target.ns_path("uts");
        for nsenter in both(&env) {
            nsenter
                .args(["-t", &target.pid().to_string(), "-u", &path])
                .run()
                .code(126)
                .stdout_is("")
                .stderr_is(&format!(
                    "nsenter: failed to execute {path}: Permission denied\n"
                ));
        }
    }

    /// As uid 65534, from files only: the user namespace given by file is
    /// entered first, which gives the right to enter the others.
    #[test]
    fn unprivileged_user_file_goes_first() {
        let env = Env::new();
        let target = Target::build(&["uts", "net"]).as_user(NOBODY).start();
        let out = nsenter(&env)
            .as_user(NOBODY)
            .arg(format!("--uts={}", target.ns_path("uts")))
            .arg(format!("--net={}", target.ns_path("net")))
            .arg(format!("--user={}", target.ns_path("user")))
            .args(["sh", "-c", &format!("hostname; {}", readlink_all_sh())])
            .run();
        out.success().stderr_is("");
        let text = out.stdout();
        let lines: Vec<&str> = text.lines().collect();
        out.check(lines.first() == Some(&target.hostname()), "hostname");
        check_links(&out, &lines[1..], target.pid(), &["user", "uts", "net"]);
    }

    /// A bind-mounted namespace file, in a private mount namespace made for
    /// the test: entered by every form, alone or overriding a target's;
    /// util-linux agrees. The mount never reaches the host.
    #[test]
    fn bind_mounted_file() {
        let env = Env::new();
        let a = Target::new(&["uts", "net"]);
        let b = Target::new(&["uts"]);
        let copy = env.tmp().write("uts-copy", "", 0o644);
        let script = r#"
            mount --bind "/proc/$1/ns/uts" "$2"
            "$N" --uts="$2" hostname
            "$N" -u"$2" hostname
            "$N" -u="$2" hostname
            "$N" -t "$3" -n -u"$2" sh -c 'hostname; readlink /proc/self/ns/net'
            "$UL" --uts="$2" hostname
        "#;
        let host = b.hostname();
        private_shell(&env, script)
            .arg(b.pid().to_string())
            .arg(&copy)
            .arg(a.pid().to_string())
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&format!(
                "{host}\n{host}\n{host}\n{host}\n{}\n{host}\n",
                a.ns("net")
            ));
        no_mount_leaked(&env);
        // Here the copy is the empty file it was.
        nsenter(&env)
            .arg(format!("--uts={}", copy.display()))
            .args(["echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is("nsenter: reassociate to namespace 'ns/uts' failed: Invalid argument\n");
    }
}

// ---------------------------------------------------------------- :NSID

mod nsid {
    use super::*;

    /// `--uts=:NSID`, `-u:NSID`, `-u=:NSID`, the id being NS_GET_ID's.
    #[test]
    fn by_id() {
        let env = Env::new();
        let a = Target::new(&["uts", "net"]);
        let b = Target::new(&["uts"]);
        let id = ns_id(&b.ns_path("uts"));
        for form in [
            format!("--uts=:{id}"),
            format!("-u:{id}"),
            format!("-u=:{id}"),
        ] {
            nsenter(&env)
                .args([
                    form.as_str(),
                    "sh",
                    "-c",
                    "hostname; readlink /proc/self/ns/uts",
                ])
                .run()
                .success()
                .stderr_is("")
                .stdout_is(&format!("{}\n{}\n", b.hostname(), b.ns("uts")));
            // Overriding the target's.
            nsenter(&env)
                .args(["-t", &a.pid().to_string(), "-u", "-n", form.as_str()])
                .args(["sh", "-c", "hostname; readlink /proc/self/ns/net"])
                .run()
                .success()
                .stderr_is("")
                .stdout_is(&format!("{}\n{}\n", b.hostname(), a.ns("net")));
        }
        // Every kind by id.
        for (kind, short, _) in KIND_OPTIONS {
            let target = Target::new(&[kind]);
            let id = ns_id(&target.ns_path(kind));
            let mut command = nsenter(&env).arg(format!("{short}:{id}"));
            if kind == "user" {
                // Entering a user namespace by id alone.
                command = command.args(["readlink", "/proc/self/ns/user"]);
            } else {
                command = command.args(["readlink", &format!("/proc/self/ns/{kind}")]);
            }
            command
                .run()
                .success()
                .stderr_is("")
                .stdout_is(&format!("{}\n", target.ns(kind)));
        }
    }

    /// An id no namespace has, the id of a namespace of another kind, and
    /// no number at all.
    #[test]
    fn bad_ids() {
        let env = Env::new();
        let target = Target::new(&["uts", "net"]);
        let net = ns_id(&target.ns_path("net"));
        let missing = u64::MAX - 7;
        for id in [missing, net] {
            nsenter(&env)
                .arg(format!("--uts=:{id}"))
                .args(["echo", "ran"])
                .run()
                .code(1)
                .stdout_is("")
                .stderr_is(&format!(
                    "nsenter: cannot open namespace of id {id}: No such file or directory\n"
                ));
        }
        for bad in ["x", "", "12x", "-1"] {
            nsenter(&env)
                .arg(format!("--uts=:{bad}"))
                .args(["echo", "ran"])
                .run()
                .code(1)
                .stdout_is("")
                .stderr_is(&format!("nsenter: failed to parse nsid: {bad}\n"));
        }
    }

    /// A namespace whose processes are all gone, kept only by a bind mount
    /// (in a private mount namespace made for the test), is found by id.
    #[test]
    fn kept_by_a_bind_mount_only() {
        let env = Env::new();
        let target = Target::new(&["uts"]);
        let id = ns_id(&target.ns_path("uts"));
        let copy = env.tmp().write("uts-copy", "", 0o644);
        let script = r#"
            mount --bind "/proc/$1/ns/uts" "$2"
            kill -KILL "$1"
            waitfor '! readlink "/proc/$1/ns/uts" >/dev/null 2>&1'
            "$N" --uts=":$3" hostname
        "#;
        private_shell(&env, script)
            .arg(target.pid().to_string())
            .arg(&copy)
            .arg(id.to_string())
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&format!("{}\n", target.hostname()));
        no_mount_leaked(&env);
    }
}

// ---------------------------------------------------------------- -N

mod net_socket {
    use super::*;

    /// A target in a new network namespace holding, as descriptor 5, a
    /// socket the test process made in its own network namespace.
    fn socket_target() -> (Custom, std::net::UdpSocket) {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let target = Custom::start(
            cmd(UL_UNSHARE)
                .args(["--net", "sleep", "600"])
                .pass_fd(&socket, 5),
            "sleep",
            &["net"],
        );
        let fd5 = std::fs::read_link(format!("/proc/{}/fd/5", target.pid())).unwrap();
        assert!(
            fd5.to_string_lossy().starts_with("socket:["),
            "fd 5 of the target is {fd5:?}"
        );
        (target, socket)
    }

    /// `-N 5` enters the socket's network namespace, ours, not the
    /// target's. nsenter itself runs in yet another one (made for the
    /// test), so that staying where it started would show.
    #[test]
    fn enters_the_sockets_namespace() {
        let env = Env::new();
        let (target, _socket) = socket_target();
        let pid = target.pid().to_string();
        assert_ne!(target.ns("net"), own_ns("net"));
        for args in [
            &["-N", "5"][..],
            &["--net-socket", "5"],
            &["--net-socket=5"],
            &["-N5"],
            // -N wins over -n.
            &["-n", "-N", "5"],
        ] {
            cmd(UL_UNSHARE)
                .arg("--net")
                .arg(env.path("nsenter"))
                .args(["-t", &pid])
                .args(args)
                .args(["readlink", "/proc/self/ns/net"])
                .run()
                .success()
                .stderr_is("")
                .stdout_is(&format!("{}\n", own_ns("net")));
        }
        // The target's own, for contrast.
        cmd(UL_UNSHARE)
            .arg("--net")
            .arg(env.path("nsenter"))
            .args(["-t", &pid, "-n", "readlink", "/proc/self/ns/net"])
            .run()
            .success()
            .stdout_is(&format!("{}\n", target.ns("net")));
    }

    #[test]
    fn bad_descriptors() {
        let env = Env::new();
        let (target, _socket) = socket_target();
        let pid = target.pid();
        // fd 0 is /dev/null: no socket.
        nsenter(&env)
            .args(["-t", &pid.to_string(), "-N", "0", "echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_line(&format!(
                "nsenter: cannot get the network namespace of descriptor 0 of process {pid}: "
            ));
        nsenter(&env)
            .args(["-t", &pid.to_string(), "-N", "77", "echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(&format!(
                "nsenter: cannot get descriptor 77 of process {pid}: Bad file descriptor\n"
            ));
        nsenter(&env)
            .args(["-t", &pid.to_string(), "-N", "x", "echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is("nsenter: failed to parse file descriptor: 'x'\n");
    }
}

// ---------------------------------------------------------------- --user-parent

mod user_parent {
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
            .stderr_is("nsenter: no target PID specified\n");
    }
}

// ---------------------------------------------------------------- credentials

mod credentials {
    use super::*;

    const STATUS: [&str; 2] = ["cat", "/proc/self/status"];

    /// (Uid, Gid, Groups) of the program, from its /proc/self/status.
    fn ids(out: &Output) -> (String, String, String) {
        out.success();
        (
            status_field(out, "Uid"),
            status_field(out, "Gid"),
            status_field(out, "Groups"),
        )
    }

    fn four(id: u32) -> String {
        format!("{id} {id} {id} {id}")
    }

    /// `setpriv --groups 4,24 PROGRAM`: started with supplementary groups.
    fn with_groups(program: &Path) -> Cmd {
        cmd("setpriv").args(["--groups", "4,24"]).arg(program)
    }

    /// `-S UID -G GID` as root: both set, supplementary groups gone; the
    /// same with util-linux.
    #[test]
    fn numbers() {
        let env = Env::new();
        let target = Target::new(&["uts"]);
        let pid = target.pid().to_string();
        for program in both_paths(&env) {
            let out = with_groups(&program)
                .args(["-t", &pid, "-u", "-S", "1234", "-G", "5678"])
                .args(STATUS)
                .run();
            let got = ids(&out);
            out.check(
                got == (four(1234), four(5678), String::new()),
                &format!("ids {got:?}"),
            );
        }
        let out = nsenter(&env)
            .args(["-t", &pid, "-u", "--setuid=1234", "--setgid=5678"])
            .args(STATUS)
            .run();
        let got = ids(&out);
        out.check(
            got == (four(1234), four(5678), String::new()),
            &format!("ids {got:?}"),
        );
    }

    /// `-S` alone drops the supplementary groups too; util-linux 2.38
    /// keeps them (root's groups, under uid 65534). `-G` alone drops them
    /// in both; neither option keeps them in both.
    #[test]
    fn setuid_alone_drops_groups() {
        let env = Env::new();
        let target = Target::new(&["uts"]);
        let pid = target.pid().to_string();
        let run = |program: &Path, extra: &[&str]| {
            let out = with_groups(program)
                .args(["-t", &pid, "-u"])
                .args(extra)
                .args(STATUS)
                .run();
            let got = ids(&out);
            (out, got)
        };
        let nsbox = env.path("nsenter");
        let ul = PathBuf::from(UL_NSENTER);
        let (out, got) = run(&nsbox, &["-S", "65534"]);
        out.check(
            got == (four(65534), four(0), String::new()),
            &format!("nsbox -S: {got:?}"),
        );
        let (out, got) = run(&ul, &["-S", "65534"]);
        out.check(
            got == (four(65534), four(0), "4 24".to_owned()),
            &format!("util-linux -S: {got:?}"),
        );
        for program in [&nsbox, &ul] {
            let (out, got) = run(program, &["-G", "65534"]);
            out.check(
                got == (four(0), four(65534), String::new()),
                &format!("-G: {got:?}"),
            );
            let (out, got) = run(program, &[]);
            out.check(
                got == (four(0), four(0), "4 24".to_owned()),
                &format!("no -S/-G: {got:?}"),
            );
        }
    }

    /// `follow`: the target's uid and gid. util-linux 2.38 knows no
    /// `follow`.
    #[test]
    fn follow_the_target() {
        let env = Env::new();
        let target = Custom::start(
            cmd(UL_UNSHARE).args([
                "--uts",
                "setpriv",
                "--reuid",
                "1234",
                "--regid",
                "5678",
                "--clear-groups",
                "sleep",
                "600",
            ]),
            "sleep",
            &["uts"],
        );
        let pid = target.pid().to_string();
        for args in [
            &["-S", "follow", "-G", "follow"][..],
            &["--setuid=follow", "--setgid=follow"],
        ] {
            let out = with_groups(&env.path("nsenter"))
                .args(["-t", &pid, "-u"])
                .args(args)
                .args(STATUS)
                .run();
            let got = ids(&out);
            out.check(
                got == (four(1234), four(5678), String::new()),
                &format!("ids {got:?}"),
            );
        }
        // Each alone.
        let out = nsenter(&env)
            .args(["-t", &pid, "-u", "-S", "follow"])
            .args(STATUS)
            .run();
        let got = ids(&out);
        out.check(got.0 == four(1234) && got.1 == four(0), &format!("{got:?}"));
        let out = nsenter(&env)
            .args(["-t", &pid, "-u", "-G", "follow"])
            .args(STATUS)
            .run();
        let got = ids(&out);
        out.check(got.0 == four(0) && got.1 == four(5678), &format!("{got:?}"));
        ul_nsenter()
            .args(["-t", &pid, "-u", "-S", "follow", "echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is("nsenter: failed to parse uid: 'follow'\n");
    }

    /// `follow` sees the target's ids from inside the user namespace
    /// entered: uid 1000 inside is 101000 outside.
    #[test]
    fn follow_through_a_user_namespace() {
        let env = Env::new();
        let holder = mapped_target();
        // util-linux's nsenter as the fixture that puts a process there
        // under uid 1000 and gid 2000.
        let target = Custom::start(
            ul_nsenter()
                .args(["-t", &holder.pid().to_string(), "-U", "-u"])
                .args(["-S", "1000", "-G", "2000", "sleep", "600"]),
            "sleep",
            &["user", "uts"],
        );
        assert_eq!(target.ns("user"), holder.ns("user"));
        let pid = target.pid().to_string();
        assert_eq!(proc_field(target.pid(), "Uid"), four(101000));
        let out = nsenter(&env)
            .args(["-t", &pid, "-U", "-S", "follow", "-G", "follow"])
            .args(STATUS)
            .run();
        let got = ids(&out);
        out.check(
            got.0 == four(1000) && got.1 == four(2000),
            &format!("inside: {got:?}"),
        );
        let out = nsenter(&env)
            .args(["-t", &pid, "-u", "-S", "follow", "-G", "follow"])
            .args(STATUS)
            .run();
        let got = ids(&out);
        out.check(
            got.0 == four(101000) && got.1 == four(102000),
            &format!("outside: {got:?}"),
        );
    }

    /// Root entering a user namespace where root is not mapped: by default
    /// uid and gid 0 inside and no groups; with --preserve-credentials the
    /// ids are untouched, so they show as the overflow id, and so do the
    /// kept groups. util-linux agrees.
    #[test]
    fn preserve_credentials() {
        let env = Env::new();
        let target = mapped_target();
        let pid = target.pid().to_string();
        for program in both_paths(&env) {
            let out = with_groups(&program)
                .args(["-t", &pid, "-U"])
                .args(STATUS)
                .run();
            let got = ids(&out);
            out.check(
                got == (four(0), four(0), String::new()),
                &format!("default: {got:?}"),
            );
            let out = with_groups(&program)
                .args(["-t", &pid, "-U", "--preserve-credentials"])
                .args(STATUS)
                .run();
            let got = ids(&out);
            out.check(
                got == (four(65534), four(65534), "65534 65534".to_owned()),
                &format!("--preserve-credentials: {got:?}"),
            );
        }
        for program in both_paths(&env) {
            cmd(&program)
                .args(["-t", &pid, "-U", "sh", "-c", "id -u; id -g"])
                .run()
                .success()
                .stdout_is("0\n0\n");
            cmd(&program)
                .args(["-t", &pid, "-U", "--preserve-credentials"])
                .args(["sh", "-c", "id -u; id -g"])
                .run()
                .success()
                .stdout_is("65534\n65534\n");
        }
    }

    /// Where setgroups(2) is denied in the user namespace entered (a
    /// target of `unshare -r`), dropping groups is no error; util-linux
    /// 2.38 fails there.
    #[test]
    fn unprivileged_setgroups_denied_is_no_error() {
        let env = Env::new();
        let target = Target::build(&["uts"]).as_user(NOBODY).start();
        let pid = target.pid().to_string();
        for extra in [&[][..], &["-S", "0", "-G", "0"]] {
            nsenter(&env)
                .as_user(NOBODY)
                .args(["-t", &pid, "-U", "-u"])
                .args(extra)
                .args(["sh", "-c", "hostname; id -u; id -g"])
                .run()
                .success()
                .stderr_is("")
                .stdout_is(&format!("{}\n0\n0\n", target.hostname()));
        }
        ul_nsenter()
            .as_user(NOBODY)
            .args(["-t", &pid, "-U", "-u", "hostname"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is("nsenter: setgroups failed: Operation not permitted\n");
    }

    fn cap_amb(out: &Output) -> u64 {
        out.success();
        u64::from_str_radix(&status_field(out, "CapAmb"), 16).unwrap()
    }

    /// Every capability up to cap_last_cap.
    fn full_caps() -> u64 {
        let last: u32 = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        (1u64 << (last + 1)) - 1
    }

    /// --keep-caps: the capabilities the user namespace gives become
    /// ambient (CapAmb), as uid 65534 and as root; without -U it does
    /// nothing.
    #[test]
    fn keep_caps() {
        let env = Env::new();
        let mine = Target::build(&["uts"]).as_user(NOBODY).start();
        let pid = mine.pid().to_string();
        let out = nsenter(&env)
            .as_user(NOBODY)
            .args(["-t", &pid, "-U", "--keep-caps"])
            .args(STATUS)
            .run();
        out.check(cap_amb(&out) == full_caps(), "CapAmb with --keep-caps");
        out.check(
            status_field(&out, "CapPrm") == status_field(&out, "CapAmb"),
            "CapAmb should equal CapPrm",
        );
        let out = nsenter(&env)
            .as_user(NOBODY)
            .args(["-t", &pid, "-U"])
            .args(STATUS)
            .run();
        out.check(cap_amb(&out) == 0, "CapAmb without --keep-caps");
        // As root, into a user namespace, and the same without one.
        let target = Target::new(&["user", "uts"]);
        let pid = target.pid().to_string();
        let out = nsenter(&env)
            .args(["-t", &pid, "-U", "--keep-caps"])
            .args(STATUS)
            .run();
        out.check(cap_amb(&out) == full_caps(), "root, -U --keep-caps");
        let out = nsenter(&env)
            .args(["-t", &pid, "-u", "--keep-caps"])
            .args(STATUS)
            .run();
        out.check(cap_amb(&out) == 0, "root, -u --keep-caps (no user ns)");
        // What ambient capabilities are for: a program that is not root in
        // the user namespace (root entering where it is unmapped, ids
        // preserved) loses every capability at exec, unless they are ambient.
        let mapped = mapped_target();
        let pid = mapped.pid().to_string();
        let out = nsenter(&env)
            .args(["-t", &pid, "-U", "--preserve-credentials", "--keep-caps"])
            .args(STATUS)
            .run();
        out.success();
        out.check(
            status_field(&out, "CapEff") == format!("{:016x}", full_caps()),
            "CapEff with --keep-caps",
        );
        let out = nsenter(&env)
            .args(["-t", &pid, "-U", "--preserve-credentials"])
            .args(STATUS)
            .run();
        out.success();
        out.check(
            status_field(&out, "CapEff") == format!("{:016x}", 0),
            "CapEff without --keep-caps",
        );
    }
}

// ---------------------------------------------------------------- directories

mod directories {
    use super::*;

    /// A root directory with a static busybox, `/marker` and `/sub`.
    fn make_root(env: &Env) -> PathBuf {
        let root = env.tmp().join("root");
        std::fs::create_dir_all(root.join("bin")).unwrap();
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::copy("/usr/bin/busybox", root.join("bin/busybox")).unwrap();
        std::fs::write(root.join("marker"), "in-root\n").unwrap();
        root
    }

    /// A target chrooted to `root`, its working directory `/sub` there.
    fn chrooted_target(root: &Path) -> Custom {
        Custom::start(
            cmd(UL_UNSHARE).args(["--uts", "--root"]).arg(root).args([
                "--wd",
                "/sub",
                "/bin/busybox",
                "sleep",
                "600",
            ]),
            "busybox",
            &["uts"],
        )
    }

    /// -r and -w with no value: the target's root and working directory;
    /// util-linux agrees.
    #[test]
    fn target_root_and_wd() {
        let env = Env::new();
        let root = make_root(&env);
        let target = chrooted_target(&root);
        let pid = target.pid().to_string();
        let sub = root.join("sub");
        for program in both_paths(&env) {
            cmd(&program)
                .args(["-t", &pid, "-u", "-r", "/bin/busybox", "cat", "/marker"])
                .run()
                .success()
                .stderr_is("")
                .stdout_is("in-root\n");
            cmd(&program)
                .args(["-t", &pid, "-u", "-r", "-w", "/bin/busybox", "pwd"])
                .run()
                .success()
                .stdout_is("/sub\n");
            cmd(&program)
                .args([
                    "--target",
                    &pid,
                    "-u",
                    "--root",
                    "--wd",
                    "/bin/busybox",
                    "pwd",
                ])
                .run()
                .success()
                .stdout_is("/sub\n");
            // -w alone: the same directory, seen from our root.
            cmd(&program)
                .args(["-t", &pid, "-u", "-w", "pwd"])
                .run()
                .success()
                .stdout_is(&format!("{}\n", sub.display()));
        }
    }

    /// `-rDIR`, `-r=DIR`, `--root=DIR`, and the same for -w, against a
    /// target whose root and working directory are ours.
    #[test]
    fn given_root_and_wd() {
        let env = Env::new();
        let root = make_root(&env);
        let sub = root.join("sub");
        let target = Target::new(&["uts"]);
        let pid = target.pid().to_string();
        for form in [
            format!("-r{}", root.display()),
            format!("-r={}", root.display()),
            format!("--root={}", root.display()),
        ] {
            nsenter(&env)
                .args(["-t", &pid, "-u", &form, "/bin/busybox", "cat", "/marker"])
                .run()
                .success()
                .stderr_is("")
                .stdout_is("in-root\n");
        }
        for form in [
            format!("-w{}", sub.display()),
            format!("-w={}", sub.display()),
            format!("--wd={}", sub.display()),
        ] {
            nsenter(&env)
                .args(["-t", &pid, "-u", &form, "pwd"])
                .run()
                .success()
                .stderr_is("")
                .stdout_is(&format!("{}\n", sub.display()));
        }
        // Both: the directory is inside the new root. util-linux agrees.
        for program in both_paths(&env) {
            cmd(&program)
                .args(["-t", &pid, "-u"])
                .arg(format!("--root={}", root.display()))
                .arg(format!("--wd={}", sub.display()))
                .args(["/bin/busybox", "pwd"])
                .run()
                .success()
                .stderr_is("")
                .stdout_is("/sub\n");
        }
    }

    /// -W DIR is looked up after the chroot: `/sub` of the target's root.
    #[test]
    fn wdns_after_chroot() {
        let env = Env::new();
        let root = make_root(&env);
        let target = chrooted_target(&root);
        let pid = target.pid().to_string();
        for form in [
            &["-W", "/sub"][..],
            &["-W/sub"],
            &["-W=/sub"],
            &["--wdns=/sub"],
            &["--wdns", "/sub"],
        ] {
            nsenter(&env)
                .args(["-t", &pid, "-u", "-r"])
                .args(form)
                .args(["/bin/busybox", "pwd"])
                .run()
                .success()
                .stderr_is("")
                .stdout_is("/sub\n");
        }
        // Without the chroot there is no /sub.
        nsenter(&env)
            .args(["-t", &pid, "-u", "-W", "/sub", "pwd"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is("nsenter: cannot open /sub: No such file or directory\n");
    }

    /// In a target's mount namespace where a tmpfs covers DIR: `-w=DIR`
    /// (and --root=DIR) are opened before entering, so they are our DIR;
    /// `-W DIR` is looked up after, so it is the tmpfs. util-linux opens
    /// --wd= early too.
    #[test]
    fn before_and_after_entering_a_mount_namespace() {
        let env = Env::new();
        let dir = env.tmp().join("covered");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("outside"), "").unwrap();
        std::fs::create_dir(dir.join("bin")).unwrap();
        std::fs::copy("/usr/bin/busybox", dir.join("bin/busybox")).unwrap();
        let target = Custom::start(
            cmd(UL_UNSHARE)
                .args(["--mount", "--propagation", "private", "sh", "-c"])
                .arg(r#"mount -t tmpfs nsbox-test "$1" && touch "$1/inside" && exec sleep 600"#)
                .arg("sh")
                .arg(&dir),
            "sleep",
            &["mnt"],
        );
        let pid = target.pid().to_string();
        let d = dir.display().to_string();
        for form in [format!("-w={d}"), format!("--wd={d}"), format!("-w{d}")] {
            nsenter(&env)
                .args(["-t", &pid, "-m", &form, "ls"])
                .run()
                .success()
                .stderr_is("")
                .stdout_is("bin\noutside\n");
        }
        ul_nsenter()
            .args(["-t", &pid, "-m", &format!("--wd={d}"), "ls"])
            .run()
            .success()
            .stdout_is("bin\noutside\n");
        for program in both_paths(&env) {
            cmd(&program)
                .args(["-t", &pid, "-m", &format!("--root={d}")])
                .args(["/bin/busybox", "ls", "/"])
                .run()
                .success()
                .stderr_is("")
                .stdout_is("bin\noutside\n");
        }
        for form in [&["-W", d.as_str()][..], &[&format!("--wdns={d}")]] {
            nsenter(&env)
                .args(["-t", &pid, "-m"])
                .args(form)
                .arg("ls")
                .run()
                .success()
                .stderr_is("")
                .stdout_is("inside\n");
        }
        // The tmpfs lives in the target's mount namespace only.
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            2,
            "the tmpfs reached our mount namespace"
        );
        no_mount_leaked(&env);
    }

    #[test]
    fn wd_and_wdns_exclude_each_other() {
        let env = Env::new();
        let target = Target::new(&["uts"]);
        let pid = target.pid().to_string();
        for args in [
            &["-w", "-W", "/tmp"][..],
            &["-W", "/tmp", "-w"],
            &["--wd=/tmp", "--wdns=/tmp"],
            &["--wdns=/tmp", "-w/tmp"],
        ] {
            nsenter(&env)
                .args(["-t", &pid, "-u"])
                .args(args)
                .args(["echo", "ran"])
                .run()
                .code(1)
                .stdout_is("")
                .stderr_is("nsenter: mutually exclusive arguments: --wd --wdns\n");
        }
    }

    #[test]
    fn missing_directories() {
        let env = Env::new();
        let target = Target::new(&["uts"]);
        let pid = target.pid().to_string();
        let missing = env.tmp().join("missing");
        let m = missing.display().to_string();
        for args in [
            vec![format!("--root={m}")],
            vec![format!("-r{m}")],
            vec![format!("--wd={m}")],
            vec![format!("-w={m}")],
            vec!["-W".to_owned(), m.clone()],
            vec![format!("--wdns={m}")],
        ] {
            nsenter(&env)
                .args(["-t", &pid, "-u"])
                .args(&args)
                .args(["echo", "ran"])
                .run()
                .code(1)
                .stdout_is("")
                .stderr_is(&format!(
                    "nsenter: cannot open {m}: No such file or directory\n"
                ));
        }
    }
}

// ---------------------------------------------------------------- -e

mod environment {
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
}

// ---------------------------------------------------------------- fork, exit, signals

mod fork {
    use super::*;

    /// With -p the program runs as a child, in the PID namespace; with -F
    /// it is nsenter itself, outside, and only its children are in it.
    /// util-linux agrees.
    #[test]
    fn fork_and_no_fork() {
        let env = Env::new();
        let target = Target::new(&["pid"]);
        let pid = target.pid().to_string();
        let theirs = target.ns("pid");
        for program in both_paths(&env) {
            cmd(&program)
                .args(["-t", &pid, "-p", "readlink", "/proc/self/ns/pid"])
                .run()
                .success()
                .stdout_is(&format!("{theirs}\n"));
            for no_fork in ["-F", "--no-fork"] {
                cmd(&program)
                    .args(["-t", &pid, "-p", no_fork, "readlink", "/proc/self/ns/pid"])
                    .run()
                    .success()
                    .stdout_is(&format!("{}\n", own_ns("pid")));
            }
        }
        // -F: the program is nsenter's own process, outside; what it
        // starts is inside.
        let mut proc = nsenter(&env)
            .args(["-t", &pid, "-p", "-F", "sh", "-c"])
            .arg("readlink /proc/self/ns/pid; exec cat")
            .stdin_pipe()
            .spawn();
        let cat = find_reader(&mut proc, "cat");
        assert_eq!(cat, proc.pid(), "with -F, nsenter should exec the program");
        assert_eq!(ns(cat, "pid"), own_ns("pid"));
        assert_eq!(ns(cat, "pid_for_children"), theirs);
        proc.close_stdin();
        proc.wait().success().stdout_is(&format!("{theirs}\n"));
        // Default: a child, inside, with a second pid there.
        let mut proc = nsenter(&env)
            .args(["-t", &pid, "-p", "cat"])
            .stdin_pipe()
            .spawn();
        let cat = find_reader(&mut proc, "cat");
        assert_eq!(
            children(proc.pid()),
            [cat],
            "the program is nsenter's child"
        );
        assert_eq!(ns(cat, "pid"), theirs);
        let nspid = proc_field(cat, "NSpid");
        assert_eq!(nspid.split(' ').count(), 2, "NSpid {nspid}");
        assert_eq!(ns(proc.pid(), "pid"), own_ns("pid"));
        proc.close_stdin();
        proc.wait().success();
    }

    /// `-u` runs the program directly, `-p` as a child: either way its
    /// exit status, or its death by a signal, is nsenter's. util-linux
    /// agrees (as a shell sees it).
    fn statuses(option: &str) {
        let env = Env::new();
        let target = Target::new(&["uts", "pid"]);
        let pid = target.pid().to_string();
        let base = ["-t", pid.as_str(), option];
        nsenter(&env)
            .args(base)
            .args(["sh", "-c", "exit 42"])
            .run()
            .code(42)
            .stderr_is("");
        nsenter(&env).args(base).arg("true").run().success();
        nsenter(&env)
            .args(base)
            .arg("false")
            .run()
            .code(1)
            .stderr_is("");
        nsenter(&env)
            .args(base)
            .args(["sh", "-c", "kill -TERM $$"])
            .run()
            .signal(libc::SIGTERM)
            .stderr_is("");
        nsenter(&env)
            .args(base)
            .args(["sh", "-c", "kill -KILL $$"])
            .run()
            .signal(libc::SIGKILL)
            .stderr_is("");
        for program in both_paths(&env) {
            let mut args = base.to_vec();
            for (script, status) in [
                ("exit 42", "42"),
                ("kill -TERM $$", "143"),
                ("kill -KILL $$", "137"),
            ] {
                args.truncate(3);
                args.extend(["sh", "-c", script]);
                via_shell(&program, &args)
                    .run()
                    .success()
                    .stdout_is(&format!("{status}\n"));
            }
        }
    }

    #[test]
    fn exit_statuses_direct() {
        statuses("-u");
    }

    #[test]
    fn exit_statuses_forked() {
        statuses("-p");
    }

    /// A child that stops stops nsenter too; continuing nsenter continues
    /// the child.
    #[test]
    fn stop_and_continue_are_mirrored() {
        let env = Env::new();
        let target = Target::new(&["pid"]);
        let proc = nsenter(&env)
            .args(["-t", &target.pid().to_string(), "-p"])
            .args(["sh", "-c", "kill -STOP $$; exit 7"])
            .spawn();
        let parent = proc.pid();
        let child = wait_for_child(parent);
        wait_until(format!("nsenter ({parent}) to stop"), || {
            state(parent) == Some('T')
        });
        assert_eq!(state(child), Some('T'), "the child is stopped too");
        proc.signal(libc::SIGCONT);
        proc.wait().code(7).stderr_is("");
    }

    /// Traps the signal named by $1, reports it and exits 7.
    const TRAPPER: &str = r#"trap 'kill $!; wait; echo "got $1"; exit 7' "$1"
        sleep 600 &
        wait"#;

    /// SIGTERM and SIGINT sent to the waiting nsenter reach the program.
    fn forwards(signal: libc::c_int, name: &str) {
        let env = Env::new();
        let target = Target::new(&["pid"]);
        let proc = nsenter(&env)
            .args(["-t", &target.pid().to_string(), "-p"])
            .args(["sh", "-c", TRAPPER, "sh", name])
            .spawn();
        let child = wait_for_child(proc.pid());
        wait_until("the trap and the sleep", || {
            comm(child).as_deref() == Some("sh")
                && mask(child, "SigCgt") & bit(signal) != 0
                && children(child)
                    .first()
                    .is_some_and(|&c| comm(c).as_deref() == Some("sleep"))
        });
        proc.signal(signal);
        proc.wait()
            .code(7)
            .stdout_is(&format!("got {name}\n"))
            .stderr_is("");
    }

    #[test]
    fn sigterm_is_forwarded() {
        forwards(libc::SIGTERM, "TERM");
    }

    #[test]
    fn sigint_is_forwarded() {
        forwards(libc::SIGINT, "INT");
    }

    /// Ctrl-C on a terminal goes to the whole foreground process group,
    /// nsenter and its child alike: nsenter must not forward it once more
    /// (a second Ctrl-C often means "force quit"). nsenter runs as the
    /// session leader of a new pseudo-terminal, ^C is typed on its master,
    /// and perl (part of every Debian system) counts the SIGINTs it gets.
    #[test]
    fn ctrl_c_reaches_the_program_once() {
        let env = Env::new();
        let target = Target::new(&["pid"]);
        // SAFETY: plain calls on a new pseudo-terminal.
        let (master, slave) = unsafe {
            let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
            assert!(master >= 0, "posix_openpt");
            assert_eq!(libc::grantpt(master), 0);
            assert_eq!(libc::unlockpt(master), 0);
            let name = std::ffi::CStr::from_ptr(libc::ptsname(master)).to_owned();
            let slave = libc::open(
                name.as_ptr(),
                libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
            );
            assert!(slave >= 0, "open the pty slave");
            (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave))
        };
        // perl counts every delivery (a shell's trap only notes that one came).
        let script = r#"$n = 0; $SIG{INT} = sub { $n++ };
            select(undef, undef, undef, 0.02) until $n;
            select(undef, undef, undef, 0.5);
            print "got $n\n";"#;
        let mut command = std::process::Command::new(env.path("nsenter"));
        command
            .args(["-t", &target.pid().to_string(), "-p", "perl", "-e", script])
            .stdin(std::process::Stdio::from(slave.try_clone().unwrap()))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        // SAFETY: async-signal-safe calls only: a new session whose
        // controlling terminal is the pty (stdin).
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut command, || {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().unwrap();
        drop(slave);
        let program = wait_for_child(child.id() as i32);
        wait_until("the trap", || {
            comm(program).as_deref() == Some("perl")
                && mask(program, "SigCgt") & bit(libc::SIGINT) != 0
        });
        // ^C, as typed.
        let written = unsafe { libc::write(master.as_raw_fd(), b"\x03".as_ptr().cast(), 1) };
        assert_eq!(written, 1);
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            stdout,
            "got 1\n",
            "stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(0));
    }

    /// A program that does not catch the forwarded SIGTERM dies of it, and
    /// nsenter then dies of it too.
    #[test]
    fn sigterm_untrapped_kills_both() {
        let env = Env::new();
        let target = Target::new(&["pid"]);
        let proc = nsenter(&env)
            .args(["-t", &target.pid().to_string(), "-p", "sleep", "600"])
            .spawn();
        let child = wait_for_child(proc.pid());
        wait_until("sleep to run", || comm(child).as_deref() == Some("sleep"));
        proc.signal(libc::SIGTERM);
        proc.wait().signal(libc::SIGTERM).stderr_is("");
        wait_until("the child to be gone", || {
            matches!(state(child), None | Some('Z'))
        });
    }

    /// No program: $SHELL, as a login shell; util-linux agrees.
    #[test]
    fn default_shell() {
        let env = Env::new();
        let target = Target::new(&["uts"]);
        let pid = target.pid().to_string();
        for program in both_paths(&env) {
            cmd(&program)
                .env("SHELL", "/bin/sh")
                .args(["-t", &pid, "-u"])
                .stdin("echo \"$0\"; hostname\n")
                .run()
                .success()
                .stdout_is(&format!("-sh\n{}\n", target.hostname()));
        }
        nsenter(&env)
            .env_remove("SHELL")
            .args(["-t", &pid, "-u"])
            .stdin("echo \"$0\"; exit 5\n")
            .run()
            .code(5)
            .stdout_is("-sh\n");
    }
}

// ---------------------------------------------------------------- -c

mod cgroup {
    use super::*;

    /// The cgroup2 mount point, from /proc/self/mountinfo (on this hybrid
    /// machine /sys/fs/cgroup/unified), and the root it shows.
    fn cgroup2_mount() -> (PathBuf, String) {
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

    /// --join-cgroup can only be shown with a target that lives in another
    /// cgroup v2 cgroup than ours, and the machine gives us none: so this
    /// makes a transient, uniquely named child cgroup under the cgroup2
    /// mount and moves only its own target into it (nothing else, not the
    /// test process). On drop the target is killed and reaped first, so
    /// that the cgroup is empty, then the cgroup is removed.
    struct JoinCgroup {
        target: Option<Target>,
        dir: PathBuf,
        /// The cgroup as /proc/PID/cgroup names it: `/NAME`.
        path: String,
    }

    impl JoinCgroup {
        fn new(kinds: &[&'static str]) -> JoinCgroup {
            let (mount, root) = cgroup2_mount();
            assert_eq!(root, "/", "the cgroup2 mount shows a sub-tree");
            let name = format!(
                "nsbox-nsenter-test.{}.{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos()
            );
            let dir = mount.join(&name);
            std::fs::create_dir(&dir)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
            let mut guard = JoinCgroup {
                target: None,
                dir,
                path: format!("/{name}"),
            };
            let target = Target::new(kinds);
            let procs = guard.dir.join("cgroup.procs");
            std::fs::write(&procs, target.pid().to_string())
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", procs.display()));
            guard.target = Some(target);
            guard
        }

        fn target(&self) -> &Target {
            self.target.as_ref().unwrap()
        }
    }

    impl Drop for JoinCgroup {
        fn drop(&mut self) {
            drop(self.target.take());
            // Empty once the target is reaped; the kernel may take a moment
            // to notice.
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
        assert_eq!(theirs.as_deref(), Some(cg.path.as_str()));
        assert_ne!(our_cgroup(), cg.path);
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
                v2_cgroup(&out.stdout()).as_deref() == Some(cg.path.as_str()),
                &format!("expected 0::{}", cg.path),
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
}

// ---------------------------------------------------------------- -Z

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

// ---------------------------------------------------------------- PID reuse

mod pid_reuse {
    use super::*;

    /// `-t PID:INODE`, INODE of a pidfd of the process: accepted when it is
    /// the target's, refused otherwise.
    #[test]
    fn pid_and_inode() {
        let env = Env::new();
        let target = Target::new(&["uts"]);
        let pid = target.pid();
        let inode = pidfd_inode(pid);
        let t = format!("{pid}:{inode}");
        nsenter(&env)
            .args(["-t", &t, "-u", "hostname"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&format!("{}\n", target.hostname()));
        nsenter(&env)
            .arg(format!("--target={t}"))
            .args(["-u", "hostname"])
            .run()
            .success()
            .stdout_is(&format!("{}\n", target.hostname()));
        // Another process's inode, and one nobody has.
        let other = Target::new(&["uts"]);
        for wrong in [pidfd_inode(other.pid()), inode + 1] {
            assert_ne!(wrong, inode);
            nsenter(&env)
                .args(["-t", &format!("{pid}:{wrong}"), "-u", "echo", "ran"])
                .run()
                .code(1)
                .stdout_is("")
                .stderr_is(&format!(
                    "nsenter: pidfd inode {wrong} not found for pid {pid}\n"
                ));
        }
    }

    /// The pid of the process whose NSpid ends with `inner`, below `root`.
    fn outer_pid(root: i32, inner: i32) -> Option<i32> {
        descendants(root).into_iter().find(|&p| {
            std::fs::read_to_string(format!("/proc/{p}/status")).is_ok_and(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("NSpid:"))
                    .and_then(|l| l.split_whitespace().last())
                    == Some(inner.to_string().as_str())
            })
        })
    }

    /// A target that exits, its PID then given to a new process: the old
    /// PID:INODE is refused, where the bare PID would enter the newcomer.
    /// All in a PID namespace made for the test, where ns_last_pid makes
    /// the reuse certain; the inode comes from a pidfd the test process
    /// opens on the old target's outer pid.
    #[test]
    fn reused_pid_is_refused() {
        let env = Env::new();
        let script = r#"
            "$UNSHARE" -u sh -c 'hostname old-host; exec sleep 600' &
            old=$!
            waitfor '[ "$(cat /proc/$old/comm 2>/dev/null)" = sleep ]'
            echo "$old" > "$D/old.tmp" && mv "$D/old.tmp" "$D/old"
            waitfor '[ -e "$D/inode" ]'
            inode=$(cat "$D/inode")
            "$N" -t "$old:$inode" -u hostname 2>&1; echo "status $?"
            kill -KILL "$old"; wait "$old" 2>/dev/null
            echo $((old - 1)) > /proc/sys/kernel/ns_last_pid
            "$UNSHARE" -u sh -c 'hostname new-host; exec sleep 600' &
            new=$!
            [ "$new" = "$old" ] || { echo "pid $old not reused: got $new"; exit 1; }
            waitfor '[ "$(cat /proc/$new/comm 2>/dev/null)" = sleep ]'
            "$N" -t "$old:$inode" -u hostname 2>&1; echo "status $?"
            "$N" -t "$old" -u hostname 2>&1; echo "status $?"
            kill -KILL "$new"; wait "$new" 2>/dev/null
            exit 0
        "#;
        let mut proc = cmd(UL_UNSHARE)
            .args([
                "--pid",
                "--fork",
                "--kill-child",
                "--mount-proc",
                "sh",
                "-c",
            ])
            .arg(format!("{PRELUDE}\n{script}"))
            .arg("sh")
            .env("N", env.path("nsenter"))
            .env("D", env.dir())
            .env("UNSHARE", UL_UNSHARE)
            .spawn();
        let old_file = env.tmp().join("old");
        let deadline = Instant::now() + TIMEOUT;
        while !old_file.exists() {
            if proc.has_exited() {
                let out = std::mem::replace(&mut proc, cmd("true").spawn()).wait();
                out.fail("the script ended early");
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {old_file:?}"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        let old: i32 = std::fs::read_to_string(&old_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let outer = outer_pid(proc.pid(), old).expect("the old target, seen from outside");
        assert_eq!(comm(outer).as_deref(), Some("sleep"));
        let inode = pidfd_inode(outer);
        let tmp = env.tmp().join("inode.tmp");
        std::fs::write(&tmp, inode.to_string()).unwrap();
        std::fs::rename(&tmp, env.tmp().join("inode")).unwrap();
        proc.wait().success().stderr_is("").stdout_is(&format!(
            "old-host\nstatus 0\n\
             nsenter: pidfd inode {inode} not found for pid {old}\nstatus 1\n\
             new-host\nstatus 0\n"
        ));
    }
}

// ---------------------------------------------------------------- errors

mod errors {
    use super::*;

    /// `ARGS echo ran` fails with exactly `message` and status 1; util-linux
    /// 2.38 says the same where `ul` is set.
    fn fails(env: &Env, args: &[&str], message: &str, ul: bool) {
        let message = format!("nsenter: {message}\n");
        let mut commands = vec![nsenter(env)];
        if ul {
            commands.push(ul_nsenter());
        }
        for command in commands {
            command
                .args(args)
                .args(["echo", "ran"])
                .run()
                .code(1)
                .stdout_is("")
                .stderr_is(&message);
        }
    }

    #[test]
    fn no_such_pid() {
        let env = Env::new();
        let pid = unused_pid().to_string();
        fails(
            &env,
            &["-t", &pid, "-u"],
            &format!("cannot open /proc/{pid}/ns/uts: No such file or directory"),
            true,
        );
        fails(
            &env,
            &["-t", &pid, "-n", "-u"],
            &format!("cannot open /proc/{pid}/ns/uts: No such file or directory"),
            true,
        );
    }

    #[test]
    fn not_a_pid() {
        let env = Env::new();
        for word in ["abc", "12x", "-3"] {
            fails(
                &env,
                &["-t", word, "-u"],
                &format!("failed to parse PID argument '{word}': Invalid argument"),
                false,
            );
        }
    }

    /// A file that is no namespace, one of the wrong kind: refused before
    /// anything is entered, with the message setns(2) would have given.
    #[test]
    fn not_a_namespace_or_wrong_kind() {
        let env = Env::new();
        let target = Target::new(&["uts", "net"]);
        let pid = target.pid().to_string();
        let net = target.ns_path("net");
        fails(
            &env,
            &["--uts=/etc/passwd"],
            "reassociate to namespace 'ns/uts' failed: Invalid argument",
            true,
        );
        fails(
            &env,
            &[&format!("--uts={net}")],
            "reassociate to namespace 'ns/uts' failed: Invalid argument",
            true,
        );
        fails(
            &env,
            &["-t", &pid, "-n", &format!("--pid={net}")],
            "reassociate to namespace 'ns/pid' failed: Invalid argument",
            true,
        );
        // A directory, and a FIFO, which must not block the open.
        let fifo = env.tmp().join("fifo");
        let c_fifo = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_fifo.as_ptr(), 0o644) }, 0);
        for path in [env.dir().to_path_buf(), fifo] {
            fails(
                &env,
                &[&format!("--net={}", path.display())],
                "reassociate to namespace 'ns/net' failed: Invalid argument",
                false,
            );
        }
    }

    #[test]
    fn missing_file() {
        let env = Env::new();
        let missing = env.tmp().join("missing");
        fails(
            &env,
            &[&format!("--uts={}", missing.display())],
            &format!(
                "cannot open {}: No such file or directory",
                missing.display()
            ),
            true,
        );
    }

    /// Options that take what they need from a target, without one.
    #[test]
    fn no_target() {
        let env = Env::new();
        let uts = "--uts=/proc/self/ns/uts";
        // (util-linux 2.38 says "neither filename nor target pid supplied
        // for ns/uts" here; 2.42 says what the spec says.)
        fails(&env, &["-u"], "no target PID specified", false);
        fails(&env, &["--net"], "no target PID specified", false);
        fails(&env, &["-a"], "no target PID specified", false);
        fails(&env, &["-N", "3"], "no target PID specified", false);
        fails(&env, &[uts, "-n"], "no target PID specified", false);
        let cases = [
            ("-r", "root", true),
            ("-w", "cwd", true),
            ("-e", "environ", false),
            ("-c", "cgroup", false),
        ];
        for (option, what, ul) in cases {
            fails(
                &env,
                &[uts, option],
                &format!("neither filename nor target pid supplied for {what}"),
                ul,
            );
        }
    }

    /// The same options with no namespace at all: util-linux (2.38 and
    /// 2.42 alike) complains about the missing target first, and so does
    /// the spec.
    #[test]
    fn no_target_and_no_namespace() {
        let env = Env::new();
        for (option, what) in [("-r", "root"), ("-w", "cwd")] {
            fails(
                &env,
                &[option],
                &format!("neither filename nor target pid supplied for {what}"),
                true,
            );
        }
        for (option, what) in [("-e", "environ"), ("-c", "cgroup")] {
            fails(
                &env,
                &[option],
                &format!("neither filename nor target pid supplied for {what}"),
                false,
            );
        }
    }

    /// `nsenter -t PID` enters nothing: an error, where util-linux 2.38
    /// runs a shell.
    #[test]
    fn no_namespace() {
        let env = Env::new();
        let target = Target::new(&["uts"]);
        let pid = target.pid().to_string();
        for args in [&["-t", &pid][..], &["-t", &pid, "-S", "0"], &[]] {
            nsenter(&env)
                .args(args)
                .stdin("echo shell-ran\n")
                .run()
                .code(1)
                .stdout_is("")
                .stderr_is("nsenter: no namespace specified\n");
        }
        ul_nsenter()
            .args(["-t", &pid])
            .stdin("echo shell-ran\n")
            .run()
            .success()
            .stdout_is("shell-ran\n");
    }

    /// -t twice: refused, where util-linux 2.38 takes the last.
    #[test]
    fn target_twice() {
        let env = Env::new();
        let a = Target::new(&["uts"]);
        let b = Target::new(&["uts"]);
        let (pa, pb) = (a.pid().to_string(), b.pid().to_string());
        fails(
            &env,
            &["-t", &pa, "-t", &pb, "-u"],
            "option --target may be given only once",
            false,
        );
        fails(
            &env,
            &["-t", &pa, &format!("--target={pa}"), "-u"],
            "option --target may be given only once",
            false,
        );
        ul_nsenter()
            .args(["-t", &pa, "-t", &pb, "-u", "hostname"])
            .run()
            .success()
            .stdout_is(&format!("{}\n", b.hostname()));
    }

    /// Our own user namespace cannot be entered (EINVAL); util-linux agrees.
    #[test]
    fn own_user_namespace() {
        let env = Env::new();
        let me = std::process::id().to_string();
        fails(
            &env,
            &["-t", &me, "-U"],
            "reassociate to namespace 'ns/user' failed: Invalid argument",
            true,
        );
        fails(
            &env,
            &["--user=/proc/self/ns/user"],
            "reassociate to namespace 'ns/user' failed: Invalid argument",
            true,
        );
    }

    /// uid 65534 may not enter root's namespaces: EPERM, for one kind and
    /// for several at once. (util-linux 2.38 cannot even open them.)
    #[test]
    fn unprivileged_into_roots_target() {
        let env = Env::new();
        let target = Target::new(&["uts", "net", "user"]);
        let pid = target.pid().to_string();
        let cases: [(&[&str], &str); 4] = [
            (&["-u"], "reassociate to namespace 'ns/uts' failed"),
            (&["-U"], "reassociate to namespace 'ns/user' failed"),
            (&["-u", "-n"], "reassociate to namespaces failed"),
            (&["-U", "-u"], "reassociate to namespaces failed"),
        ];
        for (args, message) in cases {
            nsenter(&env)
                .as_user(NOBODY)
                .args(["-t", &pid])
                .args(args)
                .args(["echo", "ran"])
                .run()
                .code(1)
                .stdout_is("")
                .stderr_is(&format!("nsenter: {message}: Operation not permitted\n"));
        }
        ul_nsenter()
            .as_user(NOBODY)
            .args(["-t", &pid, "-u", "echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(&format!(
                "nsenter: cannot open /proc/{pid}/ns/uts: Permission denied\n"
            ));
    }

    /// 127 for a program that is not there, 126 for one that cannot run,
    /// on both paths; util-linux agrees.
    #[test]
    fn program_not_found_or_not_executable() {
        let env = Env::new();
        let target = Target::new(&["uts", "pid"]);
        let pid = target.pid().to_string();
        let script = env.tmp().write("script", "#!/bin/sh\necho ran\n", 0o644);
        let missing = env.tmp().join("missing");
        for program in both_paths(&env) {
            for option in ["-u", "-p"] {
                cmd(&program)
                    .args(["-t", &pid, option, "nsbox-no-such-command"])
                    .run()
                    .code(127)
                    .stdout_is("")
                    .stderr_is(
                        "nsenter: failed to execute nsbox-no-such-command: No such file or directory\n",
                    );
                cmd(&program)
                    .args(["-t", &pid, option])
                    .arg(&missing)
                    .run()
                    .code(127)
                    .stdout_is("")
                    .stderr_is(&format!(
                        "nsenter: failed to execute {}: No such file or directory\n",
                        missing.display()
                    ));
                cmd(&program)
                    .args(["-t", &pid, option])
                    .arg(&script)
                    .run()
                    .code(126)
                    .stdout_is("")
                    .stderr_is(&format!(
                        "nsenter: failed to execute {}: Permission denied\n",
                        script.display()
                    ));
            }
        }
    }

    #[test]
    fn bad_ids_for_setuid_and_setgid() {
        let env = Env::new();
        let target = Target::new(&["uts"]);
        let pid = target.pid().to_string();
        fails(
            &env,
            &["-t", &pid, "-u", "-S", "x"],
            "failed to parse uid: 'x'",
            true,
        );
        fails(
            &env,
            &["-t", &pid, "-u", "-G", "x"],
            "failed to parse gid: 'x'",
            true,
        );
    }
}

// ---------------------------------------------------------------- pristine exec

mod pristine {
    use super::*;

    /// The program (`cat`, reading its stdin) has fds 0, 1, 2 only, nothing
    /// blocked, ignored or caught: nsenter's pidfd, /proc directory,
    /// namespace files and cgroup.procs are all closed.
    fn check(command: Cmd) {
        let mut proc = command.stdin_pipe().spawn();
        let pid = find_reader(&mut proc, "cat");
        assert_eq!(open_fds(pid), [0, 1, 2], "fd table of the program");
        let masks = signal_masks(&proc_status(pid));
        assert_eq!(masks.len(), 3, "SigBlk, SigIgn and SigCgt not all found");
        for (name, mask) in masks {
            assert_eq!(mask, 0, "{name} of the program is {mask:#x}");
        }
        proc.close_stdin();
        proc.wait().success().stdout_is("").stderr_is("");
    }

    #[test]
    fn direct() {
        let env = Env::new();
        let target = Target::new(&["uts", "net"]);
        let pid = target.pid().to_string();
        check(nsenter(&env).args(["-t", &pid, "-u", "cat"]));
        check(nsenter(&env).args(["-t", &pid, "-a", "-r", "-w", "-e", "cat"]));
        check(
            nsenter(&env)
                .arg(format!("--uts={}", target.ns_path("uts")))
                .arg(format!("--net=:{}", ns_id(&target.ns_path("net"))))
                .arg("cat"),
        );
        check(
            nsenter(&env)
                .block_signal(libc::SIGUSR1)
                .block_signal(libc::SIGTERM)
                .args(["-t", &pid, "-u", "cat"]),
        );
    }

    #[test]
    fn forked() {
        let env = Env::new();
        let target = Target::new(&["uts", "pid"]);
        let pid = target.pid().to_string();
        check(nsenter(&env).args(["-t", &pid, "-p", "cat"]));
        check(nsenter(&env).args(["-t", &pid, "-a", "-r", "-w", "-e", "cat"]));
        check(
            nsenter(&env)
                .block_signal(libc::SIGUSR1)
                .block_signal(libc::SIGINT)
                .args(["-t", &pid, "-p", "cat"]),
        );
    }

    #[test]
    fn unprivileged() {
        let env = Env::new();
        let target = Target::build(&["uts", "pid"]).as_user(NOBODY).start();
        let pid = target.pid().to_string();
        check(
            nsenter(&env)
                .as_user(NOBODY)
                .args(["-t", &pid, "-U", "-u", "cat"]),
        );
        check(
            nsenter(&env)
                .as_user(NOBODY)
                .args(["-t", &pid, "-a", "cat"]),
        );
    }

    #[test]
    fn net_socket_and_user_parent() {
        let env = Env::new();
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let target = Custom::start(
            cmd(UL_UNSHARE)
                .args(["-r", UL_UNSHARE, "-r", "--net", "sleep", "600"])
                .pass_fd(&socket, 5),
            "sleep",
            &["net", "user"],
        );
        let pid = target.pid().to_string();
        check(nsenter(&env).args(["-t", &pid, "-N", "5", "cat"]));
        check(nsenter(&env).args(["-t", &pid, "--user-parent", "cat"]));
    }
}

// ---------------------------------------------------------------- misc

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

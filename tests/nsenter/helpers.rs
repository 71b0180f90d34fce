//! Helpers the nsenter tests share: both nsenters, namespace links and
//! ids, /proc status fields and signal masks, finding the program below
//! nsenter, and shells in private mount namespaces.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::common::*;

/// util-linux's nsenter: the reference where the two should agree.
pub const UL_NSENTER: &str = "/usr/bin/nsenter";

/// The hint after a usage error.
pub const TRY: &str = "Try 'nsenter --help' for more information.\n";

/// Shell functions for the scripts run in throwaway namespaces: the
/// scenes' own (`waitfor` and the rest).
pub use crate::common::scene::PRELUDE;

/// nsbox's nsenter, through its link.
pub fn nsenter(env: &Env) -> Cmd {
    env.applet("nsenter")
}

/// util-linux's nsenter.
pub fn ul_nsenter() -> Cmd {
    cmd(UL_NSENTER)
}

/// Both, nsbox first, for the checks where they should agree.
pub fn both(env: &Env) -> [Cmd; 2] {
    [nsenter(env), ul_nsenter()]
}

/// Their paths, nsbox's link first.
pub fn both_paths(env: &Env) -> [PathBuf; 2] {
    [env.path("nsenter"), PathBuf::from(UL_NSENTER)]
}

/// `readlink /proc/self/ns/mnt ... /proc/self/ns/time`, in `KINDS` order,
/// as a shell command.
pub fn readlink_all_sh() -> String {
    let mut words = vec!["readlink".to_owned()];
    words.extend(KINDS.iter().map(|k| format!("/proc/self/ns/{k}")));
    words.join(" ")
}

/// The same as a program and its arguments.
pub fn readlink_all() -> Vec<String> {
    readlink_all_sh().split(' ').map(str::to_owned).collect()
}

/// Check eight namespace links (`KINDS` order, as `readlink_all` prints
/// them): the kinds in `entered` must be the target's, every other ours.
pub fn check_links(out: &Output, links: &[&str], target: i32, entered: &[&str]) {
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
pub fn check_all_links(out: &Output, target: i32, entered: &[&str]) {
    let text = out.stdout();
    let links: Vec<&str> = text.lines().collect();
    check_links(out, &links, target, entered);
}

/// The value of `Name:` in a /proc/PID/status text, blanks squeezed.
pub fn status_field(out: &Output, name: &str) -> String {
    let text = out.stdout();
    let Some(value) = text
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
    else {
        out.fail(&format!("no {name}: line in the output"));
    };
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A line `Name:` of /proc/PID/status, blanks squeezed.
pub fn proc_field(pid: i32, name: &str) -> String {
    let status = proc_status(pid);
    let value = status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .unwrap_or_else(|| panic!("no {name}: line in /proc/{pid}/status"));
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A mask line (SigBlk, SigCgt...) of /proc/PID/status.
pub fn mask(pid: i32, name: &str) -> u64 {
    u64::from_str_radix(&proc_field(pid, name), 16).unwrap()
}

/// Wait for a process named `name` in `proc` or below it, blocked reading
/// its stdin (past exec and the loader's own opens), and return its pid.
pub fn find_reader(proc: &mut Proc, name: &str) -> i32 {
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

/// NS_GET_PARENT = _IO(0xb7, 2).
pub const NS_GET_PARENT: u64 = 0xb702;

/// `user:[INODE]` of the parent of the user namespace file `path`.
pub fn parent_user_ns(path: &str) -> String {
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
pub fn v2_cgroup(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("0::"))
        .map(str::to_owned)
}

/// `sh -c SCRIPT sh` as PID 1 of a PID namespace made by util-linux, with
/// its own /proc, `$N` (our nsenter), `$D` (the temp dir) and the prelude's
/// functions. There `ns_last_pid` chooses the next PID, and the end of the
/// namespace kills whatever the script leaves.
pub fn pidns_shell(env: &Env, script: &str) -> Cmd {
    cmd(UL_UNSHARE)
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
}

/// `sh -c SCRIPT sh` in a private mount namespace made by util-linux, with
/// `$N` (our nsenter), `$UL` (util-linux's), `$D` (the temp dir) and the
/// prelude's functions. Mounts made there never reach the host.
pub fn private_shell(env: &Env, script: &str) -> Cmd {
    cmd(UL_UNSHARE)
        .args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg(format!("{PRELUDE}\n{script}"))
        .arg("sh")
        .env("N", env.path("nsenter"))
        .env("UL", UL_NSENTER)
        .env("D", env.dir())
}

/// Fail if anything under the temp dir is mounted in our mount namespace.
pub fn no_mount_leaked(env: &Env) {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let dir = env.dir().to_string_lossy().into_owned();
    assert!(
        !mountinfo.contains(&dir),
        "a mount under {dir} leaked to the host:\n{mountinfo}"
    );
}

/// pid_max: pids stay below it, so no process has this one.
pub fn unused_pid() -> i32 {
    std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim_end()
        .to_owned()
}

//! What /proc says about a process: namespaces, children, state, command
//! name, open fds; and pidfds.

use std::fmt::Display;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use super::wait_until;

/// `readlink /proc/PID/ns/KIND`, e.g. "uts:[4026531838]".
pub fn ns(pid: impl Display, kind: &str) -> String {
    let path = format!("/proc/{pid}/ns/{kind}");
    std::fs::read_link(&path)
        .unwrap_or_else(|e| panic!("readlink {path}: {e}"))
        .to_string_lossy()
        .into_owned()
}

pub(super) fn try_ns(pid: impl Display, kind: &str) -> Option<String> {
    let link = std::fs::read_link(format!("/proc/{pid}/ns/{kind}")).ok()?;
    Some(link.to_string_lossy().into_owned())
}

/// The test process's own namespace of this kind.
pub fn own_ns(kind: &str) -> String {
    ns("self", kind)
}

/// The children of a (single-threaded) process.
pub fn children(pid: i32) -> Vec<i32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect()
}

/// Every process below `pid`, depth first.
pub fn descendants(pid: i32) -> Vec<i32> {
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

/// Wait for the only child of `pid` and return its pid.
pub fn wait_for_child(pid: i32) -> i32 {
    let mut found = Vec::new();
    wait_until(format!("a child of {pid}"), || {
        found = children(pid);
        // While the child is stopped, a waiting nsbox also has a watcher
        // (src/stops.rs), known by its exit signal: SIGCONT, not SIGCHLD.
        found.retain(|&c| exit_signal(c) != Some(libc::SIGCONT));
        !found.is_empty()
    });
    assert_eq!(found.len(), 1, "{pid} has several children: {found:?}");
    found[0]
}

/// The signal the kernel sends the parent when PID ends (/proc/PID/stat's
/// 38th field).
fn exit_signal(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(35)?.parse().ok()
}

/// The one-letter state from /proc/PID/stat ('R', 'S', 'T', 'Z', ...).
pub fn state(pid: i32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    after.trim_start().chars().next()
}

/// The command name, /proc/PID/comm, without the newline.
pub fn comm(pid: i32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|s| s.trim_end().to_owned())
}

/// Whether `pid` is blocked reading its standard input.
pub fn reading_stdin(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/syscall"))
        .is_ok_and(|s| s.starts_with(&format!("{} 0x0 ", libc::SYS_read)))
}

/// The open descriptors of `pid`, sorted.
pub fn open_fds(pid: i32) -> Vec<i32> {
    let mut fds: Vec<i32> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap_or_else(|e| panic!("cannot list /proc/{pid}/fd: {e}"))
        .map(|e| e.unwrap().file_name().to_string_lossy().parse().unwrap())
        .collect();
    fds.sort();
    fds
}

/// The text of /proc/PID/status.
pub fn proc_status(pid: i32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("cannot read /proc/{pid}/status: {e}"))
}

pub fn pidfd_open(pid: i32) -> std::io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
    let ret = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if ret < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: the descriptor is new and ours alone.
    Ok(unsafe { OwnedFd::from_raw_fd(ret as RawFd) })
}

pub fn pidfd_kill(pidfd: &OwnedFd) {
    // SAFETY: a null siginfo means "as kill(2) would send it".
    unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd.as_raw_fd(),
            libc::SIGKILL,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    };
}

/// The first CPU we may run on. Linux 6.18 numbers namespaces from per-CPU
/// batches, and binds a mount namespace only for a process whose own mount
/// namespace numbers lower: on one CPU, a namespace made later always does.
pub fn first_cpu() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let list = status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .expect("no Cpus_allowed_list in /proc/self/status")
        .trim()
        .to_owned();
    let first = list.split([',', '-']).next().unwrap_or_default();
    first
        .parse()
        .unwrap_or_else(|_| panic!("Cpus_allowed_list: {list:?}"))
}

/// NS_GET_ID = _IOR(0xb7, 13, __u64).
pub const NS_GET_ID: u64 = 0x8008_b70d;

/// The namespace id of a namespace file, as NS_GET_ID reports it.
pub fn ns_id(path: &str) -> u64 {
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

/// Whether `pid` is blocked waiting for a child: in wait4, or in
/// sigsuspend as dash's `wait` is, which lets a trapped signal end it.
pub fn in_wait(pid: i32) -> bool {
    let call = std::fs::read_to_string(format!("/proc/{pid}/syscall")).unwrap_or_default();
    [libc::SYS_wait4, libc::SYS_rt_sigsuspend]
        .iter()
        .any(|nr| call.starts_with(&format!("{nr} ")))
}

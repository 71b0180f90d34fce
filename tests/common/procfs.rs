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
        !found.is_empty()
    });
    assert_eq!(found.len(), 1, "{pid} has several children: {found:?}");
    found[0]
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

pub(super) fn pidfd_open(pid: i32) -> std::io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
    let ret = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if ret < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: the descriptor is new and ours alone.
    Ok(unsafe { OwnedFd::from_raw_fd(ret as RawFd) })
}

pub(super) fn pidfd_kill(pidfd: &OwnedFd) {
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

//! The parent that waits for a forked child (`unshare -f`, `nsenter -p`,
//! `setns-test` on a PID namespace): it mirrors the child's stops but never
//! stays stopped once the child has been continued or has died behind its
//! back (stops.rs), job control on a real terminal (jobs.rs), and hangups,
//! passed on to the child whose fate the parent then shares (hangup.rs).

#[path = "../common/mod.rs"]
mod common;

mod hangup;
mod jobs;
mod stops;

use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use common::*;

/// The program most tests run: it reads a line, then exits 7.
const READ_THEN_7: &str = "read line; exit 7";

/// `kill(pid, signal)`, which must succeed.
fn signal(pid: i32, signal: libc::c_int) {
    // SAFETY: kill takes two integers.
    let ret = unsafe { libc::kill(pid, signal) };
    assert_eq!(ret, 0, "kill({pid}, {signal}) failed");
}

/// The child of `parent` called `name`, once it runs (and, with `reading`,
/// once it is blocked reading its stdin): the program, past its exec. Not
/// `wait_for_child`, which takes the first child, and that may be a helper.
fn program_of(parent: i32, name: &str, reading: bool) -> i32 {
    let mut found = None;
    wait_until(format!("{name}, child of {parent}, to run"), || {
        found = children(parent)
            .into_iter()
            .find(|&c| comm(c).as_deref() == Some(name) && (!reading || reading_stdin(c)));
        found.is_some()
    });
    found.unwrap()
}

/// The bit of `signal` in a /proc signal mask.
fn bit(signal: libc::c_int) -> u64 {
    1 << (signal - 1)
}

/// A mask line (SigPnd, SigCgt...) of /proc/PID/status; 0 once it is gone.
fn mask(pid: i32, name: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .unwrap_or(0)
}

/// Whether `pid` has ended (gone, or a zombie nobody reaped).
fn ended(pid: i32) -> bool {
    matches!(state(pid), None | Some('Z'))
}

/// What a test started that may outlive it when it fails (a program whose
/// parent died): killed on drop, with the children they have by then,
/// through pidfds, so never another process.
struct Leftovers(Vec<(i32, OwnedFd)>);

impl Leftovers {
    fn of(pids: &[i32]) -> Leftovers {
        Leftovers(pids.iter().filter_map(|&p| Some((p, pidfd(p)?))).collect())
    }
}

/// The parent of `pid`, from /proc/PID/stat.
fn ppid(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 1..]
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn pidfd(pid: i32) -> Option<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    // SAFETY: the descriptor is new and ours alone.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

fn pidfd_kill(fd: &OwnedFd, signal: libc::c_int) -> bool {
    // SAFETY: a null siginfo means "as kill(2) would send it".
    let ret = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            std::os::fd::AsRawFd::as_raw_fd(fd),
            signal,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    };
    ret == 0
}

impl Drop for Leftovers {
    fn drop(&mut self) {
        for (pid, fd) in &self.0 {
            // Alive, so the PID is still its own, and so are its children
            // (once held, a child is checked to be still one).
            if pidfd_kill(fd, 0) {
                for child in children(*pid) {
                    if let Some(child_fd) = pidfd(child).filter(|_| ppid(child) == Some(*pid)) {
                        pidfd_kill(&child_fd, libc::SIGKILL);
                    }
                }
            }
            pidfd_kill(fd, libc::SIGKILL);
        }
    }
}

/// A new pseudo-terminal: (master, slave), both close-on-exec.
fn pty() -> (OwnedFd, OwnedFd) {
    // SAFETY: plain calls on a new pseudo-terminal.
    unsafe {
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
    }
}

/// Runs `sh -c SCRIPT sh ARGS...` as PID 1 of a throwaway PID namespace
/// with its own /proc (util-linux's unshare, with the terminal `tty` as
/// stdin), so that whatever the script leaves dies with it: a session
/// leader's exit or a hangup orphans processes, which nobody would reap.
fn in_pid_ns(env: &Env, tty: &OwnedFd, script: &str) -> Cmd {
    cmd(UL_UNSHARE)
        .args(["--pid", "--fork", "--mount-proc", "--kill-child"])
        .args(["--mount", "--propagation", "private"])
        .args(["sh", "-c", script, "sh"])
        .pass_fd(tty, 0)
        .env("UNSHARE", env.path("unshare"))
        .env("D", env.dir())
}

//! Mirroring a forked child's stops on the waiting parent, so that a shell
//! notices when the program stops by itself, without ever leaving the parent
//! stopped once the child has been continued, or has died, by anyone else.
//!
//! A stopped process cannot run, and only SIGCONT (or SIGKILL) wakes it, so
//! the wake-up has to come from outside: a watcher, cloned just before the
//! parent stops itself, whose death sends the parent SIGCONT (its exit
//! signal) instead of SIGCHLD. It waits until the parent really is stopped
//! (a SIGCONT any earlier would be wasted: the SIGSTOP that follows cancels
//! it), then until the child no longer is, and exits. Whatever ends the
//! watcher, its death wakes the parent. That matters because it lives in the
//! child's PID namespace, as every process we fork after joining or making
//! one does: when the child is that namespace's init and dies, the kernel
//! kills the watcher too, and so still wakes the parent. From that
//! namespace the watcher could not signal the parent anyway (a pidfd of a
//! process outside gives EINVAL).
//!
//! The kernel reports stops and continues only to the parent (wait) and to
//! a tracer, so the watcher reads the state letters of the parent's and the
//! child's /proc/PID/stat, backing off to a tenth of a second between looks.
//! These files are opened by the parent, through a /proc it kept from
//! before joining any mount namespace (whose /proc may belong to another
//! PID namespace, where we do not appear); the child's is found through the
//! fdinfo of a pidfd, which names it as that /proc numbers it.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::sync::Mutex;

use nix::errno::Errno;
use nix::fcntl::{openat, OFlag};
use nix::sys::signal::{kill, sigprocmask, SigSet, SigmaskHow, Signal};
use nix::sys::stat::Mode;
use nix::sys::wait::{waitid, waitpid, Id, WaitPidFlag, WaitStatus};
use nix::unistd::{getpid, Pid};

use crate::sys;

/// /proc as it was before any mount namespace was joined.
static PROC: Mutex<Option<OwnedFd>> = Mutex::new(None);

/// Keep a handle on /proc while it still shows us, for watching stops
/// later. Call it before joining a mount namespace; forking calls it too.
/// Without it (no /proc), stops are simply not mirrored.
pub fn keep_proc() {
    let mut proc = PROC.lock().unwrap_or_else(|e| e.into_inner());
    if proc.is_none() {
        let flags = OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
        // openat(2), not open(2): musl's open adds an fcntl(2).
        *proc = openat(nix::fcntl::AT_FDCWD, "/proc", flags, Mode::empty()).ok();
    }
}

/// A handle on the /proc that `keep_proc` kept, when there is one: for
/// reopening a file through /proc/self/fd after a mount namespace was
/// joined, whose own /proc its owner may have faked.
pub fn kept_proc() -> Option<OwnedFd> {
    let proc = PROC.lock().unwrap_or_else(|e| e.into_inner());
    proc.as_ref()?.try_clone().ok()
}

/// In the child that becomes the program: it has no use for our /proc.
/// The descriptor is close-on-exec, so it is only forgotten here, not
/// closed: the exec closes it, without a system call of ours.
pub fn forget_proc() {
    if let Some(fd) = PROC.lock().unwrap_or_else(|e| e.into_inner()).take() {
        let _ = std::os::fd::IntoRawFd::into_raw_fd(fd);
    }
}

/// The child stopped: stop too, so that our own parent (a shell) sees it,
/// until we are continued (then continue the child) or the child moves on
/// without us (then the watcher wakes us).
pub fn mirror(child: Pid) {
    // After the terminal's Ctrl-Z and `fg`, the stop we were told of may
    // be over already: stopping now would stop the job a second time.
    if moved_on(child) {
        return;
    }
    // Without a watcher, nothing could wake us should the child be
    // continued behind our back: better not to mirror this stop at all.
    let Some(watcher) = Watcher::start(child) else {
        return;
    };
    // The kernel's word (a continue or an exit not yet collected) and the
    // child's state now: either says it moved on. The second also covers a
    // continue whose report we could not have seen.
    let stopped = !moved_on(child) && watcher.child_stopped();
    if stopped {
        // Returns once we are continued.
        let _ = kill(getpid(), Signal::SIGSTOP);
    }
    let child_moved_on = watcher.end();
    if stopped && !child_moved_on {
        // We were continued (`fg`, `bg`, a kill -CONT) while the child
        // was still stopped: pass it on.
        let _ = kill(child, Signal::SIGCONT);
    }
}

/// Whether the child has been continued, or has ended, since it stopped.
/// The event is left for `waitpid` (WNOWAIT); a new stop replaces it.
fn moved_on(child: Pid) -> bool {
    let flags = WaitPidFlag::WCONTINUED
        | WaitPidFlag::WEXITED
        | WaitPidFlag::WNOHANG
        | WaitPidFlag::WNOWAIT;
    !matches!(waitid(Id::Pid(child), flags), Ok(WaitStatus::StillAlive))
}

/// The watcher's exit code when it saw the child move on.
const MOVED_ON: i32 = 0;
/// Its exit code when our parent is gone: nobody is left to wake.
const ORPHANED: i32 = 1;
/// The longest pause between two looks at the states.
const MAX_PAUSE_NS: i64 = 100_000_000;

/// A running watcher, our child.
struct Watcher {
    pid: Pid,
    /// The child's /proc/PID/stat, as the watcher reads it.
    child_stat: OwnedFd,
}

impl Watcher {
    /// Clone the watcher, or None when we cannot (no /proc that shows us
    /// and the child, no process to spare).
    fn start(child: Pid) -> Option<Watcher> {
        let (parent_stat, child_stat) = {
            let proc = PROC.lock().unwrap_or_else(|e| e.into_inner());
            let proc = proc.as_ref()?.as_fd();
            let number = number_in_proc(proc, child)?;
            (
                open_stat(proc, "self")?,
                open_stat(proc, &number.to_string())?,
            )
        };
        // Everything blocked across the clone: the watcher must never run
        // our handlers, which forward to a PID that, in its namespace, may
        // name another process.
        let mut old = SigSet::empty();
        sigprocmask(
            SigmaskHow::SIG_SETMASK,
            Some(&SigSet::all()),
            Some(&mut old),
        )
        .ok()?;
        // SAFETY: we are single-threaded; the watcher keeps to raw system
        // calls (see `sys::fork_with_exit_signal`) and never returns.
        let forked = unsafe { sys::fork_with_exit_signal(libc::SIGCONT) };
        if forked == Ok(0) {
            watch(parent_stat.as_raw_fd(), child_stat.as_raw_fd());
        }
        let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(&old), None);
        forked.ok().map(|pid| Watcher {
            pid: Pid::from_raw(pid),
            child_stat,
        })
    }

    /// Whether the child is stopped now, by its /proc state.
    fn child_stopped(&self) -> bool {
        matches!(state(self.child_stat.as_raw_fd()), Some(b'T' | b't'))
    }

    /// Kill the watcher (it may have left already) and reap it: whether it
    /// left by itself, having seen the child move on.
    fn end(self) -> bool {
        let _ = kill(self.pid, Signal::SIGKILL);
        loop {
            match waitpid(self.pid, Some(WaitPidFlag::__WALL)) {
                Ok(WaitStatus::Exited(_, code)) => return code == MOVED_ON,
                Err(Errno::EINTR) => continue,
                _ => return false,
            }
        }
    }
}

/// The child's PID as `proc` numbers it: /proc may be that of an ancestor
/// PID namespace, and the fdinfo of a pidfd speaks in /proc's numbers.
fn number_in_proc(proc: BorrowedFd, child: Pid) -> Option<i32> {
    let pidfd = sys::pidfd_open(child.as_raw()).ok()?;
    let path = format!("self/fdinfo/{}", pidfd.as_raw_fd());
    let fd = openat(
        proc,
        path.as_str(),
        OFlag::O_RDONLY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .ok()?;
    let text = std::io::read_to_string(std::fs::File::from(fd)).ok()?;
    let number = text.lines().find_map(|line| line.strip_prefix("Pid:"))?;
    // 0: not in that namespace at all; -1: gone.
    number.trim().parse().ok().filter(|&n| n > 0)
}

fn open_stat(proc: BorrowedFd, pid: &str) -> Option<OwnedFd> {
    let path = format!("{pid}/stat");
    openat(
        proc,
        path.as_str(),
        OFlag::O_RDONLY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .ok()
}

/// The watcher: exit (waking the parent) once the parent is stopped and
/// the child is not. Raw system calls only: we are a clone, not a fork,
/// and the C library's idea of our thread id is our parent's.
fn watch(parent_stat: RawFd, child_stat: RawFd) -> ! {
    // SAFETY: plain system calls on integers and our own buffers.
    unsafe {
        // We hold our parent's /proc, and may live in the program's PID
        // namespace: its processes must not ptrace us to get at it.
        libc::prctl(libc::PR_SET_DUMPABLE, 0 as libc::c_ulong);
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
        close_all_but(parent_stat, child_stat);
        let mut pause = 100_000;
        loop {
            match state(parent_stat) {
                Some(b'T' | b't') => {
                    if !matches!(state(child_stat), Some(b'T' | b't')) {
                        libc::_exit(MOVED_ON);
                    }
                }
                // Gone: whoever died before PR_SET_PDEATHSIG was armed.
                None | Some(b'Z' | b'X') => libc::_exit(ORPHANED),
                Some(_) => {}
            }
            let time = libc::timespec {
                tv_sec: 0,
                tv_nsec: pause,
            };
            libc::nanosleep(&time, std::ptr::null_mut());
            pause = (pause * 2).min(MAX_PAUSE_NS);
        }
    }
}

/// Close every descriptor but these two, without allocating: the watcher
/// needs nothing else, not even a terminal.
fn close_all_but(a: RawFd, b: RawFd) {
    let close = sys::close_range;
    let mut first: libc::c_uint = 0;
    for fd in [a.min(b), a.max(b)] {
        let Ok(fd) = libc::c_uint::try_from(fd) else {
            continue;
        };
        if fd >= first {
            if fd > first {
                close(first, fd - 1);
            }
            first = fd + 1;
        }
    }
    close(first, libc::c_uint::MAX);
}

/// The state letter in a /proc/PID/stat: "PID (COMM) S ...". The command
/// name may hold anything, ')' too, but nothing after it does.
fn state(stat: RawFd) -> Option<u8> {
    let mut buf = [0u8; 128];
    // SAFETY: pread into our own buffer, within its length.
    let n = unsafe { libc::pread(stat, buf.as_mut_ptr().cast(), buf.len(), 0) };
    let text = buf.get(..usize::try_from(n).ok()?)?;
    let close = text.iter().rposition(|&b| b == b')')?;
    text.get(close + 2).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_letter_follows_the_last_parenthesis() {
        let path = std::env::temp_dir().join(format!("nsbox-stat-{}", std::process::id()));
        std::fs::write(&path, "42 (a) b) T 1 42 42 0 -1").unwrap();
        let file = std::fs::File::open(&path).unwrap();
        assert_eq!(state(file.as_raw_fd()), Some(b'T'));
        std::fs::remove_file(&path).unwrap();
        // This thread, reading: running.
        let own = std::fs::File::open("/proc/thread-self/stat").unwrap();
        assert_eq!(state(own.as_raw_fd()), Some(b'R'));
        assert_eq!(state(own.as_raw_fd()), Some(b'R'), "read again from 0");
    }
}

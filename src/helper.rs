//! Helper processes: forked before `unshare()` so that they stay in the
//! original namespaces, where they can do what the caller no longer can once
//! it has moved (bind mounts in the old mount namespace, writing the id maps
//! of a new user namespace from its parent namespace).
//!
//! The two sides talk over a pair of close-on-exec pipes. Each byte the caller
//! writes is an order; when the caller closes its end (or dies), the helper
//! reads EOF, undoes whatever it did and exits, so no failure of the caller
//! ever leaves the helper's work behind. The helper answers an order with a
//! byte when it succeeded; when it fails, it prints its own one-line error
//! and exits 1, which the caller reads as EOF.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use nix::errno::Errno;
use nix::sys::signal::{sigprocmask, SigSet, SigmaskHow};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, getpid, ForkResult, Pid};

use crate::error::{Context, Error, Result};
use crate::sys;

/// The helper's side of the pipes.
pub struct Channel {
    orders: OwnedFd,
    reports: OwnedFd,
}

impl Channel {
    /// The next order, or None when the caller has given up (EOF).
    pub fn next_order(&self) -> Option<u8> {
        read_byte(&self.orders)
    }

    /// Tell the caller that the last order was carried out.
    pub fn done(&self, byte: u8) {
        let _ = write_byte(&self.reports, byte);
    }
}

/// The caller's side: a running helper.
pub struct Helper {
    /// Our child, to reap; None once reaped, or when detached.
    pid: Option<Pid>,
    /// Who forked it: a child of ours that inherited this handle must not
    /// try to reap it.
    forker: Pid,
    orders: Option<OwnedFd>,
    reports: OwnedFd,
    /// Whether `finish` waits for the helper to end (see `inherited`).
    waits: bool,
}

/// One byte from a pipe, or None at EOF (or on error).
pub fn read_byte(fd: &OwnedFd) -> Option<u8> {
    let mut byte = 0u8;
    loop {
        match nix::unistd::read(fd, std::slice::from_mut(&mut byte)) {
            Ok(1) => return Some(byte),
            Err(Errno::EINTR) => continue,
            _ => return None,
        }
    }
}

fn write_byte(fd: &OwnedFd, byte: u8) -> nix::Result<()> {
    loop {
        match nix::unistd::write(fd, &[byte]) {
            Ok(_) => return Ok(()),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// How a helper stands to the process that forks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parentage {
    /// Our child: reaped by `finish`.
    Child,
    /// Forked through an intermediate process that leaves at once, so that
    /// it is nobody's child of ours: for a helper that must outlive our
    /// exec of the program, which should not find an unknown child.
    Detached,
}

/// Fork a helper that runs `work` and exits: 0 when it returns Ok, 1 after
/// reporting the error when it fails. `keep` lists the descriptors of ours
/// that it needs; every other one is closed in the helper, so that it never
/// holds another helper's pipe open.
///
/// The helper runs with every signal blocked. It ends when its work is done
/// or its orders reach EOF, and it must get to undo what it did: a Ctrl-C
/// or `kill -TERM` sent to our whole process group must not cut it short.
/// Only SIGKILL can.
pub fn spawn(
    keep: &[RawFd],
    parentage: Parentage,
    work: impl FnOnce(Channel) -> Result<()>,
) -> Result<Helper> {
    match fork_helper(keep, parentage)? {
        Side::Caller(helper) => Ok(helper),
        Side::Helper(channel) => exit_with(work(channel)),
    }
}

/// Which side of `fork_helper` we are on.
enum Side {
    Caller(Helper),
    Helper(Channel),
}

/// The pipes and the fork of `spawn`, the same for every helper (apart
/// from its work, so that it is compiled once).
fn fork_helper(keep: &[RawFd], parentage: Parentage) -> Result<Side> {
    let (order_read, order_write) = sys::pipe().context(|| "pipe failed")?;
    let (report_read, report_write) = sys::pipe().context(|| "pipe failed")?;
    // Blocked before the fork, so that no signal reaches the helper before
    // it could block it; we restore our own mask right after.
    let mut old = SigSet::empty();
    sigprocmask(SigmaskHow::SIG_BLOCK, Some(&SigSet::all()), Some(&mut old))
        .context(|| "sigprocmask failed")?;
    // SAFETY: nsbox is single-threaded, so the child may run anything.
    let forked = unsafe { fork() };
    if !matches!(forked, Ok(ForkResult::Child)) {
        let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(&old), None);
    }
    match forked.context(|| "fork failed")? {
        ForkResult::Child => {
            drop((order_write, report_read));
            let mut kept = keep.to_vec();
            kept.extend([order_read.as_raw_fd(), report_write.as_raw_fd()]);
            sys::close_all_except(&kept);
            if parentage == Parentage::Detached {
                leave_helper_behind();
            }
            Ok(Side::Helper(Channel {
                orders: order_read,
                reports: report_write,
            }))
        }
        ForkResult::Parent { child } => {
            drop((order_read, report_write));
            let pid = match parentage {
                Parentage::Child => Some(child),
                // The intermediate exits as soon as the helper is forked.
                Parentage::Detached => match crate::exec::wait_quietly(child) {
                    Some(0) => None,
                    _ => return Err(Error::reported()),
                },
            };
            Ok(Side::Caller(Helper {
                pid,
                forker: getpid(),
                orders: Some(order_write),
                reports: report_read,
                waits: true,
            }))
        }
    }
}

/// The end of a helper: exit 0 when its work succeeded, else report the
/// error and exit with its code.
fn exit_with(done: Result<()>) -> ! {
    let code = match done {
        Ok(()) => 0,
        Err(err) => {
            err.report(crate::applet_name());
            err.code()
        }
    };
    // SAFETY: leave at once, running none of the caller's destructors.
    unsafe { libc::_exit(code) }
}

/// In the intermediate process: fork the helper proper and exit, so that
/// the helper is handed to the system's reaper instead of us.
fn leave_helper_behind() {
    // SAFETY: single-threaded; the parent side only exits.
    match unsafe { fork() } {
        Ok(ForkResult::Child) => {}
        Ok(ForkResult::Parent { .. }) => unsafe { libc::_exit(0) },
        Err(errno) => {
            Error::sys("fork failed", errno).report(crate::applet_name());
            // SAFETY: leave at once, running none of the caller's destructors.
            unsafe { libc::_exit(1) }
        }
    }
}

impl Helper {
    /// Send an order and wait for the helper to carry it out. On failure the
    /// helper has already said why; we only collect it.
    pub fn order(&mut self, byte: u8) -> Result<()> {
        let sent = match &self.orders {
            Some(fd) => write_byte(fd, byte).is_ok(),
            None => false,
        };
        if sent && read_byte(&self.reports).is_some() {
            return Ok(());
        }
        self.finish()?;
        // It answered nothing yet exited 0: it cannot have done the work.
        Err(Error::reported())
    }

    /// Send an order without waiting for an answer.
    pub fn send(&self, byte: u8) {
        if let Some(fd) = &self.orders {
            let _ = write_byte(fd, byte);
        }
    }

    /// Give up our end of the order pipe: the helper reads EOF once no
    /// other process holds it either.
    pub fn close_orders(&mut self) {
        self.orders = None;
    }

    /// In a child of ours that inherited this handle, where we, its parent,
    /// keep the orders open until it has ended: from now on `finish` (and
    /// dropping the handle) only closes the child's end of the orders.
    /// Waiting there for the helper would wait for us, who wait for the child.
    pub fn inherited(&mut self) {
        self.waits = false;
    }

    /// Close our end of the orders and wait until the helper has ended:
    /// reap it if it is our child, else wait until its end of the reports
    /// pipe closes. Ok when it exited with 0, or when we cannot know
    /// (detached, or a copy of the helper's handle inherited by a child of
    /// ours).
    pub fn finish(&mut self) -> Result<()> {
        self.close_orders();
        if !self.waits {
            return Ok(());
        }
        // Our own child is waited for without reading its reports: a child
        // of ours that inherited this handle may still be giving it orders,
        // and the answers are for it.
        let pid = self.pid.take().filter(|_| getpid() == self.forker);
        let Some(pid) = pid else {
            while read_byte(&self.reports).is_some() {}
            return Ok(());
        };
        loop {
            match waitpid(pid, None) {
                Ok(WaitStatus::Exited(_, 0)) => return Ok(()),
                Ok(WaitStatus::Exited(..)) => return Err(Error::reported()),
                Ok(WaitStatus::Signaled(_, signal, _)) => {
                    return Err(Error::msg(format!("helper process killed by {signal}")))
                }
                Ok(_) | Err(Errno::EINTR) => continue,
                Err(errno) => return Err(Error::sys("waitpid failed", errno)),
            }
        }
    }
}

impl Drop for Helper {
    /// Whatever went wrong, the helper never outlives its use: closing the
    /// orders tells it to undo and leave, and we wait until it has.
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

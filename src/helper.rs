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
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};

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
    pid: Option<Pid>,
    orders: Option<OwnedFd>,
    reports: OwnedFd,
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

/// Fork a helper that runs `work` and exits: 0 when it returns Ok, 1 after
/// reporting the error when it fails. `keep` lists the descriptors of ours
/// that it needs; every other one is closed in the helper, so that it never
/// holds another helper's pipe open.
pub fn spawn(keep: &[RawFd], work: impl FnOnce(Channel) -> Result<()>) -> Result<Helper> {
    let (order_read, order_write) = sys::pipe().context(|| "pipe failed")?;
    let (report_read, report_write) = sys::pipe().context(|| "pipe failed")?;
    // SAFETY: nsbox is single-threaded, so the child may run anything.
    match unsafe { fork() }.context(|| "fork failed")? {
        ForkResult::Child => {
            drop((order_write, report_read));
            let mut kept = keep.to_vec();
            kept.extend([order_read.as_raw_fd(), report_write.as_raw_fd()]);
            sys::close_all_except(&kept);
            let channel = Channel {
                orders: order_read,
                reports: report_write,
            };
            let code = match work(channel) {
                Ok(()) => 0,
                Err(err) => {
                    err.report(crate::applet_name());
                    err.code()
                }
            };
            // SAFETY: leave at once, running none of the caller's destructors.
            unsafe { libc::_exit(code) }
        }
        ForkResult::Parent { child } => Ok(Helper {
            pid: Some(child),
            orders: Some(order_write),
            reports: report_read,
        }),
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
        Err(Error::Reported)
    }

    /// Send an order without waiting for an answer.
    pub fn send(&self, byte: u8) {
        if let Some(fd) = &self.orders {
            let _ = write_byte(fd, byte);
        }
    }

    /// Give up our end of the order pipe: the helper reads EOF.
    pub fn close_orders(&mut self) {
        self.orders = None;
    }

    /// Close our end and reap the helper: Ok when it exited with 0.
    pub fn finish(&mut self) -> Result<()> {
        self.close_orders();
        let Some(pid) = self.pid.take() else {
            return Ok(());
        };
        loop {
            match waitpid(pid, None) {
                Ok(WaitStatus::Exited(_, 0)) => return Ok(()),
                Ok(WaitStatus::Exited(..)) => return Err(Error::Reported),
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
    /// orders tells it to undo and leave; then it is reaped.
    fn drop(&mut self) {
        if self.pid.is_some() {
            let _ = self.finish();
        }
    }
}

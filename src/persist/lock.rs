//! The lock every nsbox process takes on a target's directory around its
//! checks and its mount (or its unmount and removal), as `ip netns` does on
//! /run/netns: of two binds racing for one file, one wins and the other
//! fails cleanly before it has done anything.
//!
//! A `flock` on a directory can be taken by anyone who can open it, so
//! another user could hold it forever. We therefore wait for it only a
//! short while, then go on without it: the lock only saves work, and what
//! makes a bind correct is the check after the mount (`mount::verify`),
//! which the kernel's own state decides. So a stranger's lock can neither
//! hang nsbox nor make it skip a check.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::time::{Duration, Instant};

use nix::errno::Errno;

use crate::ns;

/// nsbox holds the lock for a few system calls; a holder that keeps it
/// longer than this is not one of us at work.
const PATIENCE: Duration = Duration::from_millis(1000);
const PAUSE: Duration = Duration::from_millis(5);

/// Directories locked for as long as the value lives.
pub struct Locks<'a> {
    held: Vec<BorrowedFd<'a>>,
}

/// Lock every distinct directory among `dirs` (in device and inode order,
/// so two processes locking the same set never wait on each other in turn).
pub fn lock<'a>(dirs: &[BorrowedFd<'a>]) -> Locks<'a> {
    // A handful at most (one per kind of namespace): sorted by insertion,
    // and one lock per directory, since a second flock on another
    // descriptor of a directory we hold would wait for ourselves.
    let mut sorted: Vec<(ns::Id, BorrowedFd<'a>)> = Vec::new();
    for &fd in dirs {
        let Ok(id) = ns::identity(fd) else { continue };
        let key = (id.dev, id.ino);
        let at = sorted.partition_point(|(other, _)| (other.dev, other.ino) < key);
        if sorted.get(at).map(|(other, _)| *other) != Some(id) {
            sorted.insert(at, (id, fd));
        }
    }
    let held = sorted
        .into_iter()
        .filter_map(|(_, fd)| take(fd).then_some(fd))
        .collect();
    Locks { held }
}

/// Take the lock on `dir`, waiting at most PATIENCE; whether we hold it.
fn take(dir: BorrowedFd) -> bool {
    let deadline = Instant::now() + PATIENCE;
    loop {
        // SAFETY: flock on a valid descriptor.
        let ret = unsafe { libc::flock(dir.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if ret == 0 {
            return true;
        }
        match Errno::last() {
            Errno::EINTR => continue,
            Errno::EWOULDBLOCK if Instant::now() < deadline => std::thread::sleep(PAUSE),
            _ => return false,
        }
    }
}

impl Drop for Locks<'_> {
    fn drop(&mut self) {
        for fd in &self.held {
            // SAFETY: flock on a descriptor that is still open (borrowed).
            unsafe { libc::flock(fd.as_fd().as_raw_fd(), libc::LOCK_UN) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;

    /// Each directory once, in device and inode order, whatever order and
    /// however many descriptors of it are given.
    #[test]
    fn each_directory_once_in_order() {
        // Directories that no bind of the suite locks meanwhile.
        let proc = File::open("/proc").unwrap();
        let own = File::open("/proc/self").unwrap();
        let proc_again = File::open("/proc").unwrap();
        let fds = [own.as_fd(), proc.as_fd(), proc_again.as_fd()];
        let locks = lock(&fds);
        let ids: Vec<ns::Id> = locks
            .held
            .iter()
            .map(|fd| ns::identity(fd).unwrap())
            .collect();
        let mut want = vec![ns::identity(&own).unwrap(), ns::identity(&proc).unwrap()];
        want.sort_by_key(|id| (id.dev, id.ino));
        assert_eq!(ids, want);
    }
}

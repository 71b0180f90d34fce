//! Entering the namespaces, in util-linux's two passes: everything but the
//! user namespace first, ignoring failures, then what is left with the
//! user namespace, reporting them. So a caller that drops privilege by
//! entering a user namespace does it last, and one that gains privilege by
//! it does it first (the first pass having failed without it).

use std::os::fd::OwnedFd;

use crate::error::{Error, Result};
use crate::ns::Kind;
use crate::sys;

/// How one namespace is reached.
#[derive(Debug)]
pub enum Via {
    /// Through the target's pidfd: all such kinds in one atomic setns(2).
    Pidfd,
    /// Through a namespace file opened beforehand.
    Fd(OwnedFd),
}

#[derive(Debug)]
pub struct Entry {
    pub kind: &'static Kind,
    pub via: Via,
}

/// setns(2) takes a pidfd and several kinds at once from Linux 5.8.
pub fn pidfd_setns_supported() -> bool {
    nix::sys::utsname::uname()
        .ok()
        .and_then(|u| version(&u.release().to_string_lossy()))
        .is_some_and(|v| v >= (5, 8))
}

/// (major, minor) of a kernel release string such as "6.18.44-fc-v1045".
fn version(release: &str) -> Option<(u32, u32)> {
    let mut parts = release.split(|c: char| !c.is_ascii_digit());
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Enter every entry (sorted in `ns::KINDS` order: user first).
pub fn all(entries: Vec<Entry>, pidfd: Option<&OwnedFd>) -> Result<()> {
    let mut pending = entries;
    pass(&mut pending, pidfd, false)?;
    pass(&mut pending, pidfd, true)
}

/// One pass: the pidfd group first, then the files in order; on the second
/// pass, a user namespace from a file goes before all of them. What is
/// entered leaves `pending`.
fn pass(pending: &mut Vec<Entry>, pidfd: Option<&OwnedFd>, last: bool) -> Result<()> {
    let wanted = |e: &Entry| last || e.kind.flag != libc::CLONE_NEWUSER;
    let by_fd = |e: &Entry| matches!(e.via, Via::Fd(_));
    if last {
        if let Some(at) = pending
            .iter()
            .position(|e| e.kind.flag == libc::CLONE_NEWUSER && by_fd(e))
        {
            enter_fd(&pending.remove(at), true)?;
        }
    }
    let group = pending
        .iter()
        .filter(|e| wanted(e) && !by_fd(e))
        .fold(0, |flags, e| flags | e.kind.flag);
    if let (Some(pidfd), true) = (pidfd, group != 0) {
        match sys::setns(pidfd, group) {
            Ok(()) => pending.retain(|e| by_fd(e) || !wanted(e)),
            Err(_) if !last => {}
            Err(errno) => {
                // A group of one is that kind's flag alone.
                let what = match Kind::by_flag(group) {
                    Some(one) => format!("reassociate to namespace 'ns/{}' failed", one.name),
                    None => "reassociate to namespaces failed".to_owned(),
                };
                return Err(Error::sys(what, errno));
            }
        }
    }
    let mut at = 0;
    while at < pending.len() {
        let entry = &pending[at];
        if wanted(entry) && by_fd(entry) && enter_fd(entry, last)? {
            pending.remove(at);
        } else {
            at += 1;
        }
    }
    Ok(())
}

/// setns(2) on a namespace file; false when it failed and failing is allowed.
fn enter_fd(entry: &Entry, report: bool) -> Result<bool> {
    let Via::Fd(fd) = &entry.via else {
        return Ok(false);
    };
    match sys::setns(fd, entry.kind.flag) {
        Ok(()) => Ok(true),
        Err(_) if !report => Ok(false),
        Err(errno) => Err(Error::sys(
            format!("reassociate to namespace 'ns/{}' failed", entry.kind.name),
            errno,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_versions() {
        assert_eq!(version("6.18.44-fc-v1045"), Some((6, 18)));
        assert_eq!(version("5.7.0"), Some((5, 7)));
        assert_eq!(version("4.19"), Some((4, 19)));
        assert_eq!(version("x"), None);
        assert!(pidfd_setns_supported(), "the development kernel is 6.18");
    }
}

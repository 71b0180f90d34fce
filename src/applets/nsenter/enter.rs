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
    if last {
        if let Some(at) = pending
            .iter()
            .position(|e| e.kind.flag == libc::CLONE_NEWUSER && matches!(e.via, Via::Fd(_)))
        {
            let user = pending.remove(at);
            enter_fd(&user, true)?;
        }
    }
    let group: Vec<&'static Kind> = pending
        .iter()
        .filter(|e| wanted(e) && matches!(e.via, Via::Pidfd))
        .map(|e| e.kind)
        .collect();
    if let (Some(pidfd), false) = (pidfd, group.is_empty()) {
        let flags = group.iter().fold(0, |acc, k| acc | k.flag);
        match sys::setns(pidfd, flags) {
            Ok(()) => pending.retain(|e| !matches!(e.via, Via::Pidfd) || !group.contains(&e.kind)),
            Err(_) if !last => {}
            Err(errno) => {
                let what = match group.as_slice() {
                    [one] => format!("reassociate to namespace 'ns/{}' failed", one.name),
                    _ => "reassociate to namespaces failed".to_owned(),
                };
                return Err(Error::sys(what, errno));
            }
        }
    }
    let mut left = Vec::new();
    for entry in pending.drain(..) {
        if !wanted(&entry) || matches!(entry.via, Via::Pidfd) {
            left.push(entry);
            continue;
        }
        if !enter_fd(&entry, last)? {
            left.push(entry);
        }
    }
    *pending = left;
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

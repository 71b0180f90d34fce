//! Changing our ids before exec: the supplementary groups, the gid, the uid,
//! in that order (changing the uid first would lose the right to change the
//! others), as unshare and nsenter do it.

use nix::errno::Errno;

use crate::error::{Context, Error, Result};

/// Whether setgroups(2) is denied in our user namespace: then the kernel
/// keeps the supplementary groups we came with whatever we do (that is what
/// denying it is for), and failing to drop them is no error of ours.
pub fn setgroups_denied() -> bool {
    std::fs::read_to_string("/proc/self/setgroups").is_ok_and(|s| s.trim() == "deny")
}

/// Become `uid` and `gid` where given. Setting either drops the
/// supplementary groups: util-linux drops them only with a gid, so that
/// `-S 1000` runs "unprivileged" with root's groups; not here.
/// `groups_dropped` says they are gone already (an earlier setgroups worked),
/// so that a failure now is no failure.
pub fn set_ids(uid: Option<u32>, gid: Option<u32>, groups_dropped: bool) -> Result<()> {
    set_ids_and_groups(uid, gid, &[], groups_dropped)
}

/// `set_ids`, with `groups` as the supplementary groups instead of none.
pub fn set_ids_and_groups(
    uid: Option<u32>,
    gid: Option<u32>,
    groups: &[u32],
    groups_dropped: bool,
) -> Result<()> {
    if uid.is_none() && gid.is_none() {
        return Ok(());
    }
    let groups: Vec<nix::unistd::Gid> = groups.iter().map(|&g| g.into()).collect();
    match nix::unistd::setgroups(&groups) {
        Ok(()) => {}
        Err(_) if groups_dropped && groups.is_empty() => {}
        Err(Errno::EPERM) if setgroups_denied() => {}
        Err(errno) => return Err(Error::sys("setgroups failed", errno)),
    }
    if let Some(gid) = gid {
        nix::unistd::setgid(gid.into()).context(|| "setgid() failed")?;
    }
    if let Some(uid) = uid {
        nix::unistd::setuid(uid.into()).context(|| "setuid() failed")?;
    }
    Ok(())
}

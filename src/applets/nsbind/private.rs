//! `--private DIR`: make DIR a private mount of its own, as `ip netns`
//! makes /run/netns a mount of its own, so that mount namespaces can be
//! bound into it (the kernel refuses to bind one onto a shared mount).

use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::error::{Context, Error, Result};
use crate::mountinfo;
use crate::ns;
use crate::persist::{self, path};
use crate::sys;

/// `nsbind --private DIR`. Idempotent: a private mount point is left as it
/// is; a shared or slave one is made private; a directory that is no mount
/// point is bound onto itself first. All by descriptor, under the lock that
/// binders into DIR take, so that no bind of a mount namespace runs into
/// the moment between the bind and the change of propagation.
pub fn run(dir: &Path) -> Result<()> {
    let first = path::open_directory(dir, "cannot open")?;
    persist::real_fs_type(&first, dir, "mount")?;
    let _lock = persist::lock(&[first.as_fd()]);
    // Resolved again under the lock: another `--private` may have bound DIR
    // onto itself meanwhile, and then its new mount is the one to look at
    // (it has the same inode, which is also what the lock is on).
    let dir_fd = path::open_directory(dir, "cannot open")?;
    let same = |fd: &OwnedFd| ns::identity(fd).ok();
    if same(&first) != same(&dir_fd) {
        return Err(persist::refused(
            dir,
            "was replaced while being made private",
        ));
    }
    let failed = || format!("cannot make {} a private mount", dir.display());
    if sys::is_mount_root(&dir_fd).context(failed)? {
        let id = sys::mount_id(&dir_fd).context(failed)?;
        let propagates = mountinfo::by_id(id)?.is_some_and(|m| m.propagates());
        if propagates {
            sys::make_private(&dir_fd).context(failed)?;
        }
        return Ok(());
    }
    if let Some(below) = mount_below(&dir_fd)? {
        return Err(Error::msg(format!(
            "{} is no mount point but has a mount below it, {}; a bind of the directory \
             onto itself would hide that mount beneath the copy it makes; release it first",
            dir.display(),
            below.display()
        )));
    }
    // Recursively all the same, so that a mount made below meanwhile (by
    // someone who does not take our lock) is copied rather than hidden.
    let tree = sys::open_tree_clone_recursive(&dir_fd).context(failed)?;
    sys::move_mount_onto(&tree, &dir_fd).context(failed)?;
    // Attached onto a shared mount, the new mount joined a peer group of
    // its own with the copies that propagation made; it leaves it now.
    sys::make_private(&tree).context(failed)
}

/// A mount strictly below the directory behind `dir`, which is no mount
/// point: its path, as the kernel names the directory, is a prefix of the
/// mount's.
fn mount_below(dir: &OwnedFd) -> Result<Option<PathBuf>> {
    let link = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(dir));
    let name = std::fs::read_link(&link).context(|| format!("cannot read {link}"))?;
    // A directory out of our reach (another root, or deleted) has no name
    // that mountinfo could hold.
    if name.as_os_str().as_bytes().first() != Some(&b'/') {
        return Ok(None);
    }
    Ok(mountinfo::read()?
        .into_iter()
        .map(|m| m.point)
        .find(|point| point != &name && point.starts_with(&name)))
}

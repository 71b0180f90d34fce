//! Making and undoing one namespace bind mount, by descriptors only.
//!
//! The mount is made with the new mount API: a detached copy of the
//! namespace file (`open_tree`), attached onto the target's descriptor
//! (`move_mount`). No path is looked up between the checks and the mount,
//! and the copy's descriptor names the new mount itself afterwards, so
//! undoing it unmounts exactly what this run mounted, wherever its name has
//! gone meanwhile. Once let go of (see `binder`), a mount is known by its
//! unique id instead, and undone only where its name still leads to it.

use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;

use nix::mount::{umount2, MntFlags};

use crate::error::{Context, Result};
use crate::mountinfo;
use crate::sys;

use super::failed;
use super::target::{already_bound, replaced, Target};

/// Bind the namespace open as `namespace` (shown as `source`) onto
/// `target`; give back a descriptor of the new mount itself.
///
/// Call with the target's directory locked (see `lock`), and the target
/// opened under that lock or checked again since (`Target::check_free`).
/// Afterwards the
/// mount is checked against the kernel's mount table: it must sit directly
/// on the target file (not stacked on a namespace that another process
/// bound there meanwhile), and the target's name must still lead to it (the
/// file was not renamed away). Otherwise it is undone, and this fails.
/// When it fails, a target file created for it is removed again.
pub fn bind(target: &Target, namespace: &OwnedFd, source: &Path) -> Result<OwnedFd> {
    let bound = attach(target, namespace, source);
    if bound.is_err() {
        target.remove_if_created();
    }
    bound
}

fn attach(target: &Target, namespace: &OwnedFd, source: &Path) -> Result<OwnedFd> {
    let failed = || {
        format!(
            "mount {} on {} failed",
            source.display(),
            target.path.display()
        )
    };
    let beneath = sys::mount_id(target.fd()).context(failed)?;
    let tree = sys::open_tree_clone(namespace).context(failed)?;
    sys::move_mount_onto(&tree, target.fd()).context(failed)?;
    if let Err(err) = verify(target, &tree, beneath) {
        let _ = unmount(&tree);
        return Err(err);
    }
    Ok(tree)
}

/// The new mount `tree` sits directly on the mount `beneath` that held the
/// target file, and the target's name leads to it, perhaps under mounts
/// stacked on it since.
fn verify(target: &Target, tree: &OwnedFd, beneath: u64) -> Result<()> {
    let ours =
        sys::mount_id(tree).map_err(|e| failed("cannot find the mount on", &target.path, e))?;
    let mounts = mountinfo::read()?;
    let parent = |id: u64| mounts.iter().find(|m| m.id == id).map(|m| m.parent);
    if parent(ours) != Some(beneath) {
        // Another process bound a namespace there after our check; the
        // kernel put ours on top of it.
        return Err(already_bound(&target.path));
    }
    let at_name = target.open_name()?;
    let mut mount =
        sys::mount_id(&at_name).map_err(|e| failed("cannot find the mount of", &target.path, e))?;
    // Down the stack at the name: ours, or mounts stacked on ours since.
    for _ in 0..mounts.len() {
        if mount == ours {
            return Ok(());
        }
        match parent(mount) {
            Some(below) if mount != beneath && below != mount => mount = below,
            _ => break,
        }
    }
    Err(replaced(&target.path))
}

/// Unmount exactly the mount behind `mounted` (a descriptor of its root),
/// never following a path that might have been swapped.
pub fn unmount(mounted: &OwnedFd) -> nix::Result<()> {
    let path = format!("/proc/self/fd/{}", mounted.as_raw_fd());
    umount2(path.as_str(), MntFlags::MNT_DETACH)
}

/// Unmount what we mounted and remove the files we created.
pub fn undo(made: &[OwnedFd], targets: &[Target]) {
    for mounted in made {
        let _ = unmount(mounted);
    }
    super::target::remove_created(targets);
}

/// The unique id of the mount behind `mounted` (see
/// `sys::mount_root_unique_id`), where the kernel gives one: unlike the
/// descriptor, it holds no reference on the mount, which would make an
/// `umount` of it fail with EBUSY.
pub fn unique_id(mounted: &OwnedFd) -> Option<u64> {
    sys::mount_root_unique_id(mounted).ok().flatten()
}

/// Unmount the mount whose unique id is `id`, found again through the
/// target's name: only if the name leads to the root of that very mount,
/// so never one that replaced it. The check and the unmount go through one
/// descriptor, so nothing can swap the mount in between.
pub fn unmount_by_id(target: &Target, id: u64) {
    let Ok(at_name) = target.open_name() else {
        return;
    };
    if unique_id(&at_name) == Some(id) {
        let _ = unmount(&at_name);
    }
}

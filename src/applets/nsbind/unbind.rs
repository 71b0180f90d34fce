//! Releasing: unmount every namespace bind mount on a file (lazily, never
//! following a symbolic link) and remove the file they covered; then warn
//! about each namespace released that something else still holds.

use std::io::Write;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use crate::sys::open;
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag};
use nix::sys::stat::{fstat, fstatat, Mode};
use nix::unistd::{unlinkat, UnlinkatFlags};

use super::holders;
use super::pins::{self, NsKey};
use crate::error::{self, Error, Result};
use crate::mountinfo;
use crate::ns::{self, Kind};
use crate::persist::{self, failed, path, refused};
use crate::sys;

/// A namespace whose bind mount on `path` was taken off.
struct Released {
    ns: NsKey,
    path: PathBuf,
}

/// No mount namespace holds more mounts than this by default
/// (/proc/sys/fs/mount-max): more unmounts than this on one file means
/// someone keeps mounting there as we unmount.
const MAX_STACKED: usize = 100_000;

/// Release every target; each failure is reported on its own line and the
/// rest are still attempted. The exit status: 0 when all went well.
pub fn all(targets: &[impl AsRef<Path>], keep: bool) -> i32 {
    let mut status = 0;
    let mut released = Vec::new();
    for target in targets {
        if let Err(err) = one(target.as_ref(), keep, &mut released) {
            err.report(crate::applet_name());
            status = 1;
        }
    }
    warn_still_held(&released);
    status
}

fn one(path: &Path, keep: bool, released_ns: &mut Vec<Released>) -> Result<()> {
    let (dir, name) = path::open_parent(path, "cannot open")?;
    let _lock = persist::lock(&[dir.as_fd()]);
    let open_top = || path::open_name(&dir, &name).map_err(|e| failed("cannot open", path, e));
    let is_namespace = |fd: &OwnedFd| sys::is_nsfs(fd).unwrap_or(false);
    let mut top = open_top()?;
    // Only a namespace file reached by a path (not through /proc's magic
    // links, which O_NOFOLLOW stops at) is the root of a bind mount.
    if !is_namespace(&top) {
        return Err(refused(
            path,
            "is not a namespace bind mount; leaving it alone",
        ));
    }
    let mut released = 0;
    while is_namespace(&top) {
        if released == MAX_STACKED {
            return Err(Error::msg(format!(
                "{} still has a namespace bound onto it after {released} unmounts",
                path.display()
            )));
        }
        let ns = namespace_of(&top);
        persist::unmount(&top).map_err(|e| failed("cannot unmount", path, e))?;
        if let Some(ns) = ns {
            released_ns.push(Released {
                ns,
                path: path.to_owned(),
            });
        }
        released += 1;
        top = open_top()?;
    }
    if keep {
        return Ok(());
    }
    // What is left must be a plain file: the one the mounts covered.
    let covered = fstat(&top).map_err(|e| failed("cannot stat", path, e))?;
    if covered.st_mode & libc::S_IFMT != libc::S_IFREG {
        return Err(refused(
            path,
            "is no regular file once unmounted; not removing it",
        ));
    }
    // And the name must still lead to it when we remove it.
    let id = ns::identity(&top).map_err(|e| failed("cannot stat", path, e))?;
    let now = fstatat(&dir, name.as_os_str(), AtFlags::AT_SYMLINK_NOFOLLOW)
        .map_err(|e| failed("cannot stat", path, e))?;
    if (now.st_dev, now.st_ino) != (id.dev, id.ino) {
        return Err(refused(
            path,
            "was replaced while being released; not removing it",
        ));
    }
    match unlinkat(&dir, name.as_os_str(), UnlinkatFlags::NoRemoveDir) {
        Ok(()) | Err(Errno::ENOENT) => Ok(()),
        Err(errno) => Err(failed("cannot remove", path, errno)),
    }
}

/// The namespace bound at `top` (opened O_PATH): its kind, which the
/// kernel tells only through a descriptor opened for reading, and inode.
fn namespace_of(top: &OwnedFd) -> Option<NsKey> {
    let again = format!("/proc/self/fd/{}", top.as_raw_fd());
    let flags = OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC | OFlag::O_NOCTTY;
    let fd = open(again.as_str(), flags, Mode::empty()).ok()?;
    let kind = Kind::by_flag(sys::ns_get_nstype(&fd).ok()?)?;
    Some(NsKey {
        kind: kind.name.to_owned(),
        inode: ns::identity(&fd).ok()?.ino,
    })
}

/// One warning per namespace released that lives on, naming one holder:
/// a process in it, a descriptor of it, another bind mount of it here, or
/// one in another mount namespace (which `--list` here cannot show). After
/// every release, so that one pass over /proc serves them all.
fn warn_still_held(released: &[Released]) {
    if released.is_empty() {
        return;
    }
    let here = mountinfo::read()
        .map(|m| pins::pins(&m))
        .unwrap_or_default();
    let wanted: Vec<NsKey> = released.iter().map(|r| r.ns.clone()).collect();
    let first = pins::first_of(&wanted);
    let found = holders::find(&wanted, &here);
    let show = |p: &Path| p.display().to_string();
    let mut text = String::new();
    for (i, (r, held)) in released.iter().zip(found).enumerate() {
        // One warning per namespace, at its first release.
        if first[&r.ns.inode] != i {
            continue;
        }
        let mut still_here = here.iter().filter(|p| p.ns == r.ns);
        let pinned_here = still_here.clone().count();
        let total = held.others() + pinned_here;
        let named = match (&held.process, &held.fd, still_here.next()) {
            (None, None, Some(pin)) => Some(format!("a bind mount at {}", show(&pin.paths[0]))),
            _ => held.named(&show),
        };
        let Some(named) = named else { continue };
        let more = match total.saturating_sub(1) {
            0 => String::new(),
            n => format!(", and {n} more"),
        };
        text.push_str(&error::line(
            crate::applet_name(),
            &format!(
                "warning: released {}, but its {} namespace {} is still held by {named}{more}",
                r.path.display(),
                r.ns.kind,
                r.ns.inode
            ),
        ));
    }
    let _ = std::io::stderr().write_all(text.as_bytes());
}

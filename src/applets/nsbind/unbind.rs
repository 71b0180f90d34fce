//! Releasing: unmount every namespace bind mount on a file (lazily, never
//! following a symbolic link) and remove the file they covered.

use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::{openat, AtFlags, OFlag};
use nix::sys::stat::{fstat, fstatat, Mode};
use nix::unistd::{unlinkat, UnlinkatFlags};

use crate::error::{Context, Error, Result};
use crate::ns;
use crate::persist::{self, path};
use crate::sys;

/// No mount namespace holds more mounts than this by default
/// (/proc/sys/fs/mount-max): more unmounts than this on one file means
/// someone keeps mounting there as we unmount.
const MAX_STACKED: usize = 100_000;

/// Release every target; each failure is reported on its own line and the
/// rest are still attempted. The exit status: 0 when all went well.
pub fn all(targets: &[impl AsRef<Path>], keep: bool) -> i32 {
    let mut status = 0;
    for target in targets {
        if let Err(err) = one(target.as_ref(), keep) {
            err.report(crate::applet_name());
            status = 1;
        }
    }
    status
}

fn one(path: &Path, keep: bool) -> Result<()> {
    let (dir, name) = path::open_parent(path, "cannot open")?;
    let _lock = persist::lock([dir.as_fd()]);
    let open_top = || -> Result<OwnedFd> {
        openat(
            &dir,
            name.as_os_str(),
            OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .context(|| format!("cannot open {}", path.display()))
    };
    let is_namespace = |fd: &OwnedFd| sys::is_nsfs(fd).unwrap_or(false);
    let mut top = open_top()?;
    // Only a namespace file reached by a path (not through /proc's magic
    // links, which O_NOFOLLOW stops at) is the root of a bind mount.
    if !is_namespace(&top) {
        return Err(Error::msg(format!(
            "{} is not a namespace bind mount; leaving it alone",
            path.display()
        )));
    }
    let mut released = 0;
    while is_namespace(&top) {
        if released == MAX_STACKED {
            return Err(Error::msg(format!(
                "{} still has a namespace bound onto it after {released} unmounts",
                path.display()
            )));
        }
        persist::unmount(&top).context(|| format!("cannot unmount {}", path.display()))?;
        released += 1;
        top = open_top()?;
    }
    if keep {
        return Ok(());
    }
    // What is left must be a plain file: the one the mounts covered.
    let covered = fstat(&top).context(|| format!("cannot stat {}", path.display()))?;
    if covered.st_mode & libc::S_IFMT != libc::S_IFREG {
        return Err(Error::msg(format!(
            "{} is no regular file once unmounted; not removing it",
            path.display()
        )));
    }
    // And the name must still lead to it when we remove it.
    let id = ns::identity(&top).context(|| format!("cannot stat {}", path.display()))?;
    let now = fstatat(&dir, name.as_os_str(), AtFlags::AT_SYMLINK_NOFOLLOW)
        .context(|| format!("cannot stat {}", path.display()))?;
    if (now.st_dev, now.st_ino) != (id.dev, id.ino) {
        return Err(Error::msg(format!(
            "{} was replaced while being released; not removing it",
            path.display()
        )));
    }
    match unlinkat(&dir, name.as_os_str(), UnlinkatFlags::NoRemoveDir) {
        Ok(()) | Err(Errno::ENOENT) => Ok(()),
        Err(errno) => Err(Error::sys(
            format!("cannot remove {}", path.display()),
            errno,
        )),
    }
}

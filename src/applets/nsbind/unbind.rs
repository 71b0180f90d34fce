//! Releasing: unmount a namespace bind mount (lazily, never following a
//! symbolic link) and remove the file it covered.

use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::{openat, OFlag};
use nix::sys::stat::{fstatat, Mode};
use nix::unistd::UnlinkatFlags;

use crate::error::{Context, Error, Result};
use crate::persist;
use crate::sys;

use super::bind::LockedDir;

/// util-linux's unshare stacks mounts on one file; more than this many is
/// no namespace file but a loop of some sort.
const MAX_STACKED: usize = 64;

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
    let (dir, name) = LockedDir::of(path)?;
    let open_top = || {
        openat(
            dir.fd(),
            &name,
            OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .context(|| format!("cannot open {}", path.display()))
    };
    let top = open_top()?;
    // Only a namespace file reached by a path (not through /proc's magic
    // links, which O_NOFOLLOW stops at) is the root of a bind mount.
    if !sys::is_nsfs(&top).unwrap_or(false) {
        return Err(Error::msg(format!(
            "{} is not a namespace bind mount; leaving it alone",
            path.display()
        )));
    }
    let mut mounted = top;
    for _ in 0..MAX_STACKED {
        persist::unmount(&mounted).context(|| format!("cannot unmount {}", path.display()))?;
        mounted = open_top()?;
        if !sys::is_nsfs(&mounted).unwrap_or(false) {
            break;
        }
    }
    if keep {
        return Ok(());
    }
    // What is left must be a plain file: the one the mount covered.
    let st = fstatat(dir.fd(), &name, nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW)
        .context(|| format!("cannot stat {}", path.display()))?;
    if st.st_mode & libc::S_IFMT != libc::S_IFREG {
        return Err(Error::msg(format!(
            "{} is no regular file once unmounted; not removing it",
            path.display()
        )));
    }
    match nix::unistd::unlinkat(dir.fd(), &name, UnlinkatFlags::NoRemoveDir) {
        Ok(()) | Err(Errno::ENOENT) => Ok(()),
        Err(errno) => Err(Error::sys(
            format!("cannot remove {}", path.display()),
            errno,
        )),
    }
}

//! Joining a process's cgroup in the cgroup v2 hierarchy, wherever that is
//! mounted: /sys/fs/cgroup on a unified system, /sys/fs/cgroup/unified on a
//! hybrid one (where util-linux's nsenter gives up), or anywhere else.

use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use crate::sys::open;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;

use crate::error::{Context, Error, Result};
use crate::mountinfo::{self, Mount};

/// The v2 entry of a /proc/PID/cgroup text: the path after `0::`.
pub fn v2_path(proc_cgroup: &str) -> Option<&str> {
    proc_cgroup
        .lines()
        .find_map(|line| line.strip_prefix("0::"))
}

/// The first cgroup2 mount we can see.
pub fn v2_mount(mounts: &[Mount]) -> Option<&Mount> {
    mounts.iter().find(|m| m.fstype == "cgroup2")
}

/// Where the cgroup `path` (as /proc/PID/cgroup names it, from our cgroup
/// namespace's root) is found under `mount`, whose own root may be a
/// cgroup deeper down (a mount made inside a cgroup namespace).
pub fn directory(mount: &Mount, path: &str) -> Option<PathBuf> {
    let inside = Path::new(path).strip_prefix(&mount.root).ok()?;
    Some(mount.point.join(inside))
}

/// A cgroup to start the program in: its directory, for clone3, and its
/// cgroup.procs, for moving a process there where clone3 cannot be used.
pub struct Destination {
    pub path: PathBuf,
    pub dir: OwnedFd,
    procs: OwnedFd,
}

impl Destination {
    /// Open the cgroup that `proc_cgroup` (the text of /proc/PID/cgroup) names.
    pub fn open(proc_cgroup: &str) -> Result<Destination> {
        let path = locate(proc_cgroup)?;
        let dir = open(
            &path,
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .context(|| format!("failed to open {}", path.display()))?;
        let procs = nix::fcntl::openat(
            &dir,
            "cgroup.procs",
            OFlag::O_WRONLY | OFlag::O_APPEND | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .context(|| format!("failed to open {}", path.join("cgroup.procs").display()))?;
        Ok(Destination { path, dir, procs })
    }

    /// Move ourselves there.
    pub fn join(&self) -> Result<()> {
        // "0" is the writer itself, whichever PID namespace it is in.
        nix::unistd::write(&self.procs, b"0")
            .map(drop)
            .context(|| "write cgroup.procs failed")
    }
}

/// The directory of the cgroup that `proc_cgroup` names.
fn locate(proc_cgroup: &str) -> Result<PathBuf> {
    let path = v2_path(proc_cgroup).ok_or_else(|| {
        Error::msg("failed to get cgroup path: the process is in no cgroup v2 hierarchy")
    })?;
    let mounts = mountinfo::read()?;
    let mount = v2_mount(&mounts).ok_or_else(|| {
        Error::msg("--join-cgroup needs the cgroup v2 hierarchy, and none is mounted")
    })?;
    let dir = directory(mount, path).ok_or_else(|| {
        Error::msg(format!(
            "the cgroup {path} is outside the cgroup v2 mount at {}",
            mount.point.display()
        ))
    })?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mount(root: &str, point: &str, fstype: &str) -> Mount {
        Mount {
            id: 1,
            parent: 1,
            root: PathBuf::from(root),
            point: PathBuf::from(point),
            tags: Vec::new(),
            fstype: fstype.to_owned(),
        }
    }

    #[test]
    fn hybrid_and_unified_layouts() {
        let hybrid = "4:memory:/x\n1:name=systemd:/\n0::/user.slice/a\n";
        assert_eq!(v2_path(hybrid), Some("/user.slice/a"));
        assert_eq!(v2_path("4:memory:/x\n"), None);
        let mounts = [
            mount("/", "/sys/fs/cgroup/memory", "cgroup"),
            mount("/", "/sys/fs/cgroup/unified", "cgroup2"),
        ];
        let m = v2_mount(&mounts).unwrap();
        assert_eq!(
            directory(m, "/user.slice/a").unwrap(),
            Path::new("/sys/fs/cgroup/unified/user.slice/a")
        );
        assert_eq!(
            directory(m, "/").unwrap(),
            Path::new("/sys/fs/cgroup/unified")
        );
        let nested = mount("/box", "/sys/fs/cgroup", "cgroup2");
        assert_eq!(
            directory(&nested, "/box/inner").unwrap(),
            Path::new("/sys/fs/cgroup/inner")
        );
        assert_eq!(directory(&nested, "/elsewhere"), None);
    }
}

//! Keeping a namespace alive by bind-mounting its /proc file onto a file:
//! opening the target safely, and the helper that binds from the original
//! namespaces and undoes everything should anything fail.

use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{open, openat, OFlag, AT_FDCWD};
use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sys::stat::{fstat, lstat, Mode, SFlag};

use crate::error::{Context, Error, Result};
use crate::helper::{self, Channel, Helper};
use crate::mountinfo;
use crate::ns::{self, Kind};
use crate::sys;

/// Orders to the bind helper.
pub const BIND: u8 = b'B';
/// The program is about to run: keep the mounts and leave.
pub const COMMIT: u8 = b'C';

/// A file a namespace is to be bound onto, opened before anything else.
#[derive(Debug)]
pub struct Target {
    pub kind: &'static Kind,
    pub path: PathBuf,
    /// The file itself: the mount goes onto /proc/self/fd/N, so nothing can
    /// swap the path for a symbolic link between our checks and the mount.
    fd: OwnedFd,
    /// Set when we created the file, so that a failure removes it again.
    created: Option<ns::Id>,
}

/// Open (or create) the file a namespace of `kind` will be bound onto.
///
/// A missing file is created with O_EXCL|O_NOFOLLOW. An existing regular
/// file is used as it is. A symbolic link is refused: mounting onto it would
/// cover the file it points at. So are directories, devices, and a file that
/// already has a namespace mounted on it (no stacked mounts).
pub fn open_target(kind: &'static Kind, path: &Path) -> Result<Target> {
    open_target_at(AT_FDCWD, kind, path, path)
}

/// The same, for `name` in the directory `dir` (so that the directory
/// cannot be swapped between our checks); `shown` names it in messages.
pub fn open_target_at(
    dir: impl AsFd,
    kind: &'static Kind,
    name: &Path,
    shown: &Path,
) -> Result<Target> {
    let create = OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_RDONLY;
    let flags = create | OFlag::O_CLOEXEC | OFlag::O_NOCTTY;
    match openat(&dir, name, flags, Mode::from_bits_truncate(0o444)) {
        Ok(fd) => {
            let id = ns::identity(&fd).context(|| format!("cannot stat {}", shown.display()))?;
            return Ok(Target {
                kind,
                path: shown.to_owned(),
                fd,
                created: Some(id),
            });
        }
        Err(Errno::EEXIST) => {}
        Err(errno) => {
            return Err(Error::sys(
                format!("cannot create {}", shown.display()),
                errno,
            ))
        }
    }
    let flags = OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let fd = openat(&dir, name, flags, Mode::empty())
        .context(|| format!("cannot open {}", shown.display()))?;
    check_bindable(&fd, shown)?;
    Ok(Target {
        kind,
        path: shown.to_owned(),
        fd,
        created: None,
    })
}

/// An existing file is fit to have a namespace bound onto it: a regular
/// file with no namespace on it yet.
fn check_bindable(fd: &OwnedFd, shown: &Path) -> Result<()> {
    let stat = fstat(fd).context(|| format!("cannot stat {}", shown.display()))?;
    let refuse = |what: &str| Err(Error::msg(format!("{} {what}", shown.display())));
    match SFlag::from_bits_truncate(stat.st_mode & libc::S_IFMT) {
        SFlag::S_IFREG => {}
        SFlag::S_IFLNK => {
            return refuse("is a symbolic link; refusing to mount over what it points at")
        }
        SFlag::S_IFDIR => return refuse("is a directory; a namespace is bound onto a file"),
        _ => return refuse("is not a regular file; a namespace is bound onto a regular file"),
    }
    if sys::is_nsfs(fd).unwrap_or(false) {
        return refuse(
            "already has a namespace bound onto it; release it first with nsbind --unbind",
        );
    }
    Ok(())
}

impl Target {
    /// A mount namespace can only be bound onto a mount that does not
    /// propagate: the kernel refuses (EINVAL) to copy it to peers. Say so
    /// before trying, with the usual remedy (with mkdir -p, as nsbind --all
    /// removes the directory it made when it gives up).
    pub fn check_not_shared(&self) -> Result<()> {
        let id = sys::mount_id(&self.fd)
            .context(|| format!("cannot find the mount of {}", self.path.display()))?;
        let Some(mount) = mountinfo::by_id(id)? else {
            return Ok(());
        };
        if !mount.is_shared() {
            return Ok(());
        }
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let dir = dir.display();
        Err(Error::msg(format!(
            "cannot persist a mount namespace on {}: {} is a shared mount, and the kernel \
             does not bind a mount namespace there; make the directory a private mount \
             first: mkdir -p {dir} && mount --bind {dir} {dir} && mount --make-private {dir}",
            self.path.display(),
            mount.point.display()
        )))
    }

    /// Remove the file if we created it and it is still the one we created.
    pub fn remove_if_created(&self) {
        let Some(id) = self.created else { return };
        let same = lstat(&self.path).is_ok_and(|st| st.st_dev == id.dev && st.st_ino == id.ino);
        if same {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Bind the namespace open as `namespace` (shown as `source`) onto the
    /// target; give back a descriptor of the new mount itself, to unmount
    /// exactly it should we have to.
    pub fn bind_from(&self, namespace: &OwnedFd, source: &Path) -> Result<OwnedFd> {
        let failed = || {
            format!(
                "mount {} on {} failed",
                source.display(),
                self.path.display()
            )
        };
        let expected = ns::identity(namespace).context(failed)?;
        let from = format!("/proc/self/fd/{}", namespace.as_raw_fd());
        let onto = format!("/proc/self/fd/{}", self.fd());
        mount(
            Some(from.as_str()),
            onto.as_str(),
            None::<&str>,
            MsFlags::MS_BIND,
            None::<&str>,
        )
        .context(failed)?;
        // /proc/self/fd/N still names the covered file; the path now leads to
        // the mount on top of it. Hold that, after checking it is ours.
        let flags = OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        let mounted = open(&self.path, flags, Mode::empty())
            .context(|| format!("cannot open {}", self.path.display()))?;
        if ns::identity(&mounted).ok() != Some(expected) {
            return Err(Error::msg(format!(
                "{} was replaced while the namespace was being bound onto it",
                self.path.display()
            )));
        }
        Ok(mounted)
    }
}

/// Remove every file created for `targets` (used before a helper exists).
pub fn remove_created(targets: &[Target]) {
    for target in targets {
        target.remove_if_created();
    }
}

/// Fork the helper that will bind the namespaces of process `pid` (us, as
/// seen from the original PID namespace) onto `targets` when ordered to.
///
/// After BIND it answers once every mount is made; if one fails, it undoes
/// the others, removes the files it created, reports and exits 1. After
/// that it waits: COMMIT means keep everything, EOF means undo everything
/// (the caller failed before running the program).
pub fn spawn_binder(targets: Vec<Target>, pid: libc::pid_t) -> Result<Helper> {
    let keep: Vec<RawFd> = targets.iter().map(Target::fd).collect();
    helper::spawn(&keep, move |channel| {
        bind_when_ordered(channel, &targets, pid)
    })
}

fn bind_when_ordered(channel: Channel, targets: &[Target], pid: libc::pid_t) -> Result<()> {
    if channel.next_order() != Some(BIND) {
        remove_created(targets);
        return Ok(());
    }
    let mut made = Vec::new();
    for target in targets {
        match bind(target, pid) {
            Ok(mounted) => made.push(mounted),
            Err(err) => {
                undo(&made, targets);
                return Err(err);
            }
        }
    }
    channel.done(BIND);
    if channel.next_order() != Some(COMMIT) {
        undo(&made, targets);
    }
    Ok(())
}

/// Bind /proc/PID/ns/ENTRY onto the target; give back a descriptor of the
/// new mount itself, to unmount exactly it should we have to.
fn bind(target: &Target, pid: libc::pid_t) -> Result<OwnedFd> {
    let source = target.kind.proc_path(pid, true);
    let namespace = open(&source, OFlag::O_RDONLY | OFlag::O_CLOEXEC, Mode::empty())
        .context(|| format!("cannot open {}", source.display()))?;
    target.bind_from(&namespace, &source)
}

/// Unmount exactly the mount behind `mounted` (an O_PATH descriptor of its
/// root), never following a path that might have been swapped.
pub fn unmount(mounted: &OwnedFd) -> nix::Result<()> {
    let path = format!("/proc/self/fd/{}", mounted.as_fd().as_raw_fd());
    umount2(path.as_str(), MntFlags::MNT_DETACH)
}

/// Unmount what we mounted and remove the files we created.
pub fn undo(made: &[OwnedFd], targets: &[Target]) {
    for mounted in made {
        let _ = unmount(mounted);
    }
    remove_created(targets);
}

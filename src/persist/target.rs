//! A file a namespace is to be bound onto: opened, or created, in its
//! directory before anything else is done, checked to be fit, and removed
//! again only when this run created it and it is still that very file.

use std::ffi::{OsStr, OsString};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use nix::errno::Errno;
use nix::fcntl::{openat, OFlag};
use nix::sys::stat::{fstat, Mode};
use nix::unistd::{unlinkat, UnlinkatFlags};

use crate::error::{Error, Result};
use crate::mountinfo;
use crate::ns::{self, Kind};
use crate::sys;

use super::{failed, path, refused};

/// A file a namespace of `kind` will be bound onto.
#[derive(Debug)]
pub struct Target {
    pub kind: &'static Kind,
    /// As the user named it, for messages.
    pub path: PathBuf,
    /// The directory that holds it, resolved once (shared by the targets of
    /// one directory, as with `nsbind --all`).
    dir: Rc<OwnedFd>,
    name: OsString,
    /// The file itself: the mount goes onto this descriptor, never onto a
    /// path looked up again.
    fd: OwnedFd,
    /// Set when we created the file, so that a failure removes it again.
    created: Option<ns::Id>,
}

/// The name of the kernel pseudo file system whose magic (`statfs.f_type`)
/// is `fs`, if it is one: binding over one of their files would change
/// what the kernel shows everyone in the mount namespace (f_type, name).
fn pseudo_fs_name(fs: libc::c_long) -> Option<&'static str> {
    Some(match fs {
        0x9fa0 => "proc",
        0x6265_6572 => "sysfs",
        0x0027_e0eb => "cgroup",
        0x6367_7270 => "cgroup2",
        0x6462_6720 => "debugfs",
        0x7472_6163 => "tracefs",
        0x7363_6673 => "securityfs",
        0xf97c_ff8c => "selinuxfs",
        0x4341_5d53 => "smackfs",
        0xcafe_4a11 => "bpf",
        0x6265_6570 => "configfs",
        0x6165_676c => "pstore",
        0xde5e_81e4 => "efivarfs",
        0x4249_4e4d => "binfmt_misc",
        0x6573_5543 => "fusectl",
        0x1cd1 => "devpts",
        0x1980_0202 => "mqueue",
        _ => return None,
    })
}

/// The file system type (`statfs.f_type`) of the file behind `fd`, shown
/// as `shown`; refused when it is a kernel pseudo file system, which we
/// will not `verb` ("bind", "mount") over.
pub fn real_fs_type(fd: &OwnedFd, shown: &Path, verb: &str) -> Result<libc::c_long> {
    let fs = sys::fs_type(fd).map_err(|e| failed("cannot stat", shown, e))?;
    match pseudo_fs_name(fs) {
        Some(name) => Err(Error::msg(format!(
            "{} is on {name}, a kernel pseudo file system; refusing to {verb} over it",
            shown.display()
        ))),
        None => Ok(fs),
    }
}

impl Target {
    /// Open (or create) `path`, its directory resolved safely (see `path`).
    pub fn open(kind: &'static Kind, path: &Path) -> Result<Target> {
        let (dir, name) = path::open_parent(path, "cannot create")?;
        Target::open_in(Rc::new(dir), &name, kind, path)
    }

    /// Open (or create) `name` in the directory `dir`; `shown` names it.
    ///
    /// A missing file is created, empty and mode 0444, with O_EXCL and
    /// O_NOFOLLOW. An existing regular file is used as it is. Refused: a
    /// symbolic link (a mount would cover what it points at), directories,
    /// devices, a file that already has a namespace bound onto it (no
    /// stacked mounts), and files of the kernel's pseudo file systems; and,
    /// for a mount namespace, a file under a shared mount.
    pub fn open_in(
        dir: Rc<OwnedFd>,
        name: &OsStr,
        kind: &'static Kind,
        shown: &Path,
    ) -> Result<Target> {
        let create = OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_RDONLY;
        let flags = create | OFlag::O_CLOEXEC | OFlag::O_NOCTTY;
        let (fd, created) = match openat(&*dir, name, flags, Mode::from_bits_truncate(0o444)) {
            Ok(fd) => match ns::identity(&fd) {
                Ok(id) => (fd, Some(id)),
                // Without its identity we could not tell our file from
                // another later: remove it while the name is surely ours.
                Err(errno) => {
                    let _ = unlinkat(&*dir, name, UnlinkatFlags::NoRemoveDir);
                    return Err(failed("cannot stat", shown, errno));
                }
            },
            Err(Errno::EEXIST) => {
                let fd =
                    path::open_name(&dir, name).map_err(|e| failed("cannot open", shown, e))?;
                check_bindable(&fd, shown)?;
                (fd, None)
            }
            Err(errno) => return Err(failed("cannot create", shown, errno)),
        };
        let target = Target {
            kind,
            path: shown.to_owned(),
            dir,
            name: name.to_owned(),
            fd,
            created,
        };
        if kind.flag == libc::CLONE_NEWNS {
            if let Err(err) = target.check_not_shared() {
                target.remove_if_created();
                return Err(err);
            }
        }
        Ok(target)
    }

    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    pub fn dir(&self) -> BorrowedFd<'_> {
        self.dir.as_fd()
    }

    /// What the name leads to now (the top mount on it, if any).
    pub fn open_name(&self) -> Result<OwnedFd> {
        path::open_name(&self.dir, &self.name).map_err(|e| failed("cannot open", &self.path, e))
    }

    /// Just before mounting, under the directory's lock: the name still
    /// leads to the file we opened, and nothing has been bound onto it.
    pub fn check_free(&self) -> Result<()> {
        let now = self.open_name()?;
        if sys::is_nsfs(&now).unwrap_or(false) {
            return Err(already_bound(&self.path));
        }
        if ns::identity(&now).ok() != ns::identity(&self.fd).ok() {
            return Err(replaced(&self.path));
        }
        Ok(())
    }

    /// A mount namespace can only be bound onto a mount that does not
    /// propagate: the kernel refuses (EINVAL) to copy it to peers. Say so
    /// before trying, with the remedy, `nsbind --private` (with mkdir -p,
    /// as nsbind --all removes the directory it made when it gives up).
    fn check_not_shared(&self) -> Result<()> {
        let id = sys::mount_id(&self.fd)
            .map_err(|e| failed("cannot find the mount of", &self.path, e))?;
        let Some(mount) = mountinfo::by_id(id)? else {
            return Ok(());
        };
        if !mount.is_shared() {
            return Ok(());
        }
        let (dir, _) = path::split(&self.path)?;
        let dir = dir.display();
        Err(Error::msg(format!(
            "cannot persist a mount namespace on {}: {} is a shared mount, and the kernel \
             does not bind a mount namespace there; make the directory a private mount \
             first: mkdir -p {dir} && nsbind --private {dir}",
            self.path.display(),
            mount.point.display()
        )))
    }

    /// Remove the file if we created it and its name still leads to that
    /// very file, through the directory resolved at the start: never a
    /// file someone put in its place, nor one elsewhere.
    pub fn remove_if_created(&self) {
        if let Some(id) = self.created {
            path::remove_if_same(&self.dir, &self.name, id, UnlinkatFlags::NoRemoveDir);
        }
    }
}

/// Remove every file created for `targets`.
pub fn remove_created(targets: &[Target]) {
    for target in targets {
        target.remove_if_created();
    }
}

pub fn already_bound(path: &Path) -> Error {
    refused(
        path,
        "already has a namespace bound onto it; release it first with nsbind --unbind",
    )
}

pub fn replaced(path: &Path) -> Error {
    refused(
        path,
        "was replaced while the namespace was being bound onto it",
    )
}

/// An existing file is fit to have a namespace bound onto it: a regular
/// file with no namespace on it yet, on a real file system.
fn check_bindable(fd: &OwnedFd, shown: &Path) -> Result<()> {
    let stat = fstat(fd).map_err(|e| failed("cannot stat", shown, e))?;
    let refuse = |why: &str| Err(refused(shown, why));
    match stat.st_mode & libc::S_IFMT {
        libc::S_IFREG => {}
        libc::S_IFLNK => {
            return refuse("is a symbolic link; refusing to mount over what it points at")
        }
        libc::S_IFDIR => return refuse("is a directory; a namespace is bound onto a file"),
        _ => return refuse("is not a regular file; a namespace is bound onto a regular file"),
    }
    // nsfs is not among the pseudo file systems refused there.
    if real_fs_type(fd, shown, "bind")? == sys::NSFS_MAGIC {
        return Err(already_bound(shown));
    }
    Ok(())
}

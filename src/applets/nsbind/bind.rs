//! Binding: a namespace file, or a process's namespaces, onto files.

use std::ffi::OsStr;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;
use std::rc::Rc;

use nix::errno::Errno;
use nix::fcntl::{openat, AtFlags, OFlag};
use nix::sys::stat::{fstatat, mkdirat, Mode};
use nix::unistd::UnlinkatFlags;

use crate::error::{Error, Result};
use crate::ns::{self, Kind, NsFile};
use crate::persist::{self, failed, path, refused, Target};
use crate::sys;
use crate::target::{self, Target as Process};

/// `nsbind [--type TYPE] NSFILE TARGET`.
pub fn file(nsfile: &Path, want: Option<&'static Kind>, target: &Path) -> Result<()> {
    let source = NsFile::open(nsfile)?;
    if let Some(want) = want {
        if source.kind != want {
            return Err(Error::msg(format!(
                "{} is a {} namespace, not {}",
                nsfile.display(),
                source.kind.name,
                want.name
            )));
        }
    }
    one(&source, nsfile, target)
}

/// `nsbind -t PID TYPE TARGET`: through the held /proc/PID, so that the
/// namespace is this process's even should its PID be reused meanwhile.
pub fn process(spec: target::Spec, entry: &str, target: &Path) -> Result<()> {
    let name = format!("ns/{entry}");
    let process = target::hold(spec, &name)?;
    let fd = process.open_file(&name, OFlag::O_RDONLY | OFlag::O_NONBLOCK)?;
    let shown = process.path(&name);
    let source = NsFile::from_fd(fd, shown.as_os_str())?;
    one(&source, &shown, target)
}

/// Bind one namespace onto one file, under the lock of its directory.
fn one(source: &NsFile, shown: &Path, target: &Path) -> Result<()> {
    check_mount_ns(source, shown)?;
    let (dir, name) = path::open_parent(target, "cannot create")?;
    let dir = Rc::new(dir);
    let _lock = persist::lock(&[dir.as_fd()]);
    let onto = Target::open_in(Rc::clone(&dir), &name, source.kind, target)?;
    persist::bind(&onto, &source.fd, shown).map(drop)
}

/// The two rules the kernel has for binding a mount namespace, checked
/// first so as to say what to do instead of EINVAL.
fn check_mount_ns(source: &NsFile, shown: &Path) -> Result<()> {
    if source.kind.flag != libc::CLONE_NEWNS {
        return Ok(());
    }
    let own = NsFile::open(Path::new("/proc/self/ns/mnt"))?;
    if own.id().ok() == source.id().ok() {
        return Err(refused(
            shown,
            "is our own mount namespace, which the kernel does not bind; \
             run nsbind from the mount namespace it was made from",
        ));
    }
    if let (Ok(theirs), Ok(ours)) = (
        sys::ns_get_mntns_id(&source.fd),
        sys::ns_get_mntns_id(&own.fd),
    ) {
        if theirs <= ours {
            return Err(refused(
                shown,
                "is not newer than our own mount namespace, and the kernel binds only \
                 newer ones (on Linux 6.18 also one made on another CPU may count as older); \
                 run nsbind from the mount namespace it was made from",
            ));
        }
    }
    Ok(())
}

/// The order of `--all`: DIR/mnt, DIR/uts, and so on, as lsns lists kinds.
const ALL_ORDER: [&str; 8] = ["mnt", "uts", "ipc", "net", "pid", "user", "cgroup", "time"];

/// `nsbind -t PID --all DIR`: every kind of namespace of PID, as DIR/KIND,
/// creating DIR. All or nothing: if one bind fails, the ones made before
/// are undone (and DIR removed if we made it).
pub fn all(spec: target::Spec, dir: &Path) -> Result<()> {
    let process = target::hold(spec, "ns/mnt")?;
    let (parent, name) = path::open_parent(dir, "cannot create")?;
    let made_dir = match mkdirat(&parent, name.as_os_str(), Mode::from_bits_truncate(0o755)) {
        Ok(()) => true,
        Err(Errno::EEXIST) => false,
        Err(errno) => return Err(failed("cannot create", dir, errno)),
    };
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let fd = match openat(&parent, name.as_os_str(), flags, Mode::empty()) {
        Ok(fd) => fd,
        // O_NOFOLLOW|O_DIRECTORY on a symbolic link: ENOTDIR (ELOOP without
        // O_DIRECTORY). Say which.
        Err(Errno::ENOTDIR | Errno::ELOOP)
            if fstatat(&parent, name.as_os_str(), AtFlags::AT_SYMLINK_NOFOLLOW)
                .is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFLNK) =>
        {
            return Err(refused(
                dir,
                "is a symbolic link; refusing to bind into what it points at",
            ));
        }
        Err(errno) => return Err(failed("cannot open", dir, errno)),
    };
    let made = if made_dir {
        ns::identity(&fd).ok()
    } else {
        None
    };
    let fd = Rc::new(fd);
    let (mut mounts, mut onto) = (Vec::new(), Vec::new());
    let result = {
        let _lock = persist::lock(&[fd.as_fd()]);
        let result = bind_each(&process, dir, &fd, &mut mounts, &mut onto);
        if result.is_err() {
            persist::undo(&mounts, &onto);
        }
        result
    };
    drop((onto, fd));
    // Remove DIR only if we made it and its name still leads there.
    if let (Err(_), Some(id)) = (&result, made) {
        path::remove_if_same(&parent, &name, id, UnlinkatFlags::RemoveDir);
    }
    result
}

fn bind_each(
    process: &Process,
    dir: &Path,
    dir_fd: &Rc<OwnedFd>,
    mounts: &mut Vec<OwnedFd>,
    made: &mut Vec<Target>,
) -> Result<()> {
    let own_mnt = NsFile::open(Path::new("/proc/self/ns/mnt"))?.id().ok();
    for name in ALL_ORDER {
        let entry = format!("ns/{name}");
        let fd = match process.open_file(&entry, OFlag::O_RDONLY | OFlag::O_NONBLOCK) {
            Ok(fd) => fd,
            // A kind this kernel lacks.
            Err(e)
                if e.sys_errno() == Some(Errno::ENOENT)
                    && !Path::new(&format!("/proc/self/ns/{name}")).exists() =>
            {
                continue
            }
            Err(err) => return Err(err),
        };
        let shown = process.path(&entry);
        let source = NsFile::from_fd(fd, shown.as_os_str())?;
        // Our own mount namespace cannot be bound from within (the kernel
        // refuses): the process shares it with us, there is nothing to keep.
        if source.kind.flag == libc::CLONE_NEWNS && source.id().ok() == own_mnt {
            continue;
        }
        let path = dir.join(name);
        let onto = Target::open_in(Rc::clone(dir_fd), OsStr::new(name), source.kind, &path)?;
        let mounted = persist::bind(&onto, &source.fd, &shown)?;
        mounts.push(mounted);
        made.push(onto);
    }
    Ok(())
}

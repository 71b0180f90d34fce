//! Finding the directory that holds a persistence target: resolved once,
//! one component at a time, following a symbolic link only where no other
//! user could have planted it. Everything done to the target afterwards
//! (create, lock, check, mount, unmount, remove) is relative to the
//! directory descriptor this gives, so no rename on the way can redirect it.

use std::ffi::{OsStr, OsString};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::sys::open;
use nix::errno::Errno;
use nix::fcntl::{openat, openat2, AtFlags, OFlag, OpenHow, ResolveFlag, AT_FDCWD};
use nix::sys::stat::{fstat, fstatat, FileStat, Mode};
use nix::unistd::{unlinkat, UnlinkatFlags};

use crate::error::{Error, Result};
use crate::ns;
use crate::sys;

/// As the kernel's own limit on symbolic links followed in one lookup.
const MAX_LINKS: usize = 40;

/// The directory part and the last component of `path`, which must name an
/// entry: not `/`, `.` or `..`, and without a trailing slash.
pub fn split(path: &Path) -> Result<(&Path, &OsStr)> {
    let bytes = path.as_os_str().as_bytes();
    let (dir, name) = match bytes.iter().rposition(|&b| b == b'/') {
        Some(at) => (&bytes[..at.max(1)], &bytes[at + 1..]),
        None => (&b"."[..], bytes),
    };
    if name.is_empty() || name == b"." || name == b".." {
        return Err(super::refused(path, "does not name a file"));
    }
    // "/x" splits into "/" and "x"; "a//x" into "a/" and "x".
    Ok((Path::new(OsStr::from_bytes(dir)), OsStr::from_bytes(name)))
}

/// What `name` in `dir` leads to now, never following a symbolic link:
/// the top mount on it, if any (O_PATH).
pub fn open_name(dir: &OwnedFd, name: &OsStr) -> nix::Result<OwnedFd> {
    let flags = OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    openat(dir, name, flags, Mode::empty())
}

/// Remove `name` in `dir` (a directory, with `RemoveDir`) if it still leads
/// to the file `id`: never a file someone put in its place meanwhile.
pub fn remove_if_same(dir: &OwnedFd, name: &OsStr, id: ns::Id, how: UnlinkatFlags) {
    let same = fstatat(dir, name, AtFlags::AT_SYMLINK_NOFOLLOW)
        .is_ok_and(|st| st.st_dev == id.dev && st.st_ino == id.ino);
    if same {
        let _ = unlinkat(dir, name, how);
    }
}

/// Open the directory that holds `path` (O_RDONLY, so that it can be
/// locked) and give its last component. `what` starts messages about a
/// failure on the way, as in "cannot create PATH: reason".
pub fn open_parent(path: &Path, what: &str) -> Result<(OwnedFd, OsString)> {
    let (dir, name) = split(path)?;
    let fd = open_dir(dir).map_err(|err| err.into_error(path, what))?;
    Ok((fd, name.to_owned()))
}

/// Open the directory `path` itself (O_RDONLY, so that it can be locked),
/// resolved as the directory of a target is: a symbolic link on the way,
/// the last component included, is followed only where no other user could
/// have planted it.
pub fn open_directory(path: &Path, what: &str) -> Result<OwnedFd> {
    open_dir(path).map_err(|err| err.into_error(path, what))
}

/// Why a directory could not be resolved.
#[derive(Debug)]
enum Failure {
    Sys(Errno),
    /// A symbolic link on the way that we refuse to follow, and why.
    Untrusted(PathBuf, &'static str),
}

impl Failure {
    fn into_error(self, path: &Path, what: &str) -> Error {
        match self {
            Failure::Sys(errno) => super::failed(what, path, errno),
            Failure::Untrusted(link, why) => Error::msg(format!(
                "{what} {}: refusing to follow the symbolic link {}: {why}",
                path.display(),
                link.display()
            )),
        }
    }
}

impl From<Errno> for Failure {
    fn from(errno: Errno) -> Failure {
        Failure::Sys(errno)
    }
}

/// Open `dir`: in one step when no symbolic link is on the way (the usual
/// case), else component by component.
fn open_dir(dir: &Path) -> std::result::Result<OwnedFd, Failure> {
    let how = OpenHow::new()
        .flags(OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC)
        .resolve(ResolveFlag::RESOLVE_NO_SYMLINKS);
    match openat2(AT_FDCWD, dir, how) {
        // ELOOP: a symbolic link; ENOSYS: before Linux 5.6.
        Err(Errno::ELOOP | Errno::ENOSYS) => walk(dir),
        other => Ok(other?),
    }
}

/// Resolve `dir` component by component from `/` or the working directory.
fn walk(dir: &Path) -> std::result::Result<OwnedFd, Failure> {
    let path_flags = OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let start = |absolute: bool| {
        let from = if absolute { "/" } else { "." };
        open(from, path_flags | OFlag::O_DIRECTORY, Mode::empty())
    };
    let bytes = dir.as_os_str().as_bytes();
    let absolute = bytes.first() == Some(&b'/');
    let mut current = start(absolute)?;
    // What has been walked, for messages.
    let mut walked = PathBuf::from(if absolute { "/" } else { "" });
    // The components still to walk, next one last.
    let mut pending = components(bytes);
    let mut links = 0;
    let me = nix::unistd::geteuid().as_raw();
    while let Some(name) = pending.pop() {
        let next = openat(&current, name.as_slice(), path_flags, Mode::empty())?;
        let st = fstat(&next)?;
        let shown = walked.join(OsStr::from_bytes(&name));
        match st.st_mode & libc::S_IFMT {
            libc::S_IFDIR => {
                current = next;
                walked = shown;
            }
            libc::S_IFLNK => {
                links += 1;
                if links > MAX_LINKS {
                    return Err(Failure::Sys(Errno::ELOOP));
                }
                let holder = fstat(&current)?;
                if let Err(why) = trusted_link(&st, &holder, me) {
                    return Err(Failure::Untrusted(shown, why));
                }
                let text = sys::read_link(&next)?;
                if text.first() == Some(&b'/') {
                    current = start(true)?;
                    walked = PathBuf::from("/");
                }
                pending.extend(components(&text));
            }
            _ => return Err(Failure::Sys(Errno::ENOTDIR)),
        }
    }
    Ok(openat(
        &current,
        ".",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?)
}

/// The components of a path to walk, last first (so that `pop` gives the
/// next one and a link's own components can be pushed in front); `.` and
/// empty ones (from `//`) are dropped. `..` stays: it is looked up in the
/// directory we hold, so it goes to that directory's parent.
fn components(path: &[u8]) -> Vec<Vec<u8>> {
    path.split(|&b| b == b'/')
        .filter(|c| !c.is_empty() && *c != b".")
        .rev()
        .map(<[u8]>::to_vec)
        .collect()
}

/// Whether a symbolic link is safe to follow: no other user could have
/// planted it or swapped it for another. That needs the link to belong to
/// root or to us, and its directory to be one where nobody else can
/// rename or replace it: owned by root or us, and not writable by group or
/// others unless sticky (then only an entry's owner may rename it). This is
/// the kernel's protected_symlinks rule made strict and applied to every
/// directory, not only sticky world-writable ones.
fn trusted_link(
    link: &FileStat,
    dir: &FileStat,
    me: libc::uid_t,
) -> std::result::Result<(), &'static str> {
    let ours = |uid: libc::uid_t| uid == 0 || uid == me;
    if !ours(link.st_uid) {
        return Err("it belongs to another user");
    }
    let sticky = dir.st_mode & libc::S_ISVTX != 0;
    if !ours(dir.st_uid) || (dir.st_mode & 0o022 != 0 && !sticky) {
        return Err("other users can replace it in its directory");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(uid: libc::uid_t, mode: libc::mode_t) -> FileStat {
        // SAFETY: FileStat is plain data; zero is a valid value for every field.
        let mut st: FileStat = unsafe { std::mem::zeroed() };
        st.st_uid = uid;
        st.st_mode = mode;
        st
    }

    #[test]
    fn splits_into_directory_and_name() {
        let s = |p: &str| split(Path::new(p)).map(|(d, n)| (d.to_owned(), n.to_owned()));
        assert_eq!(s("/run/x").unwrap(), (PathBuf::from("/run"), "x".into()));
        assert_eq!(s("/x").unwrap(), (PathBuf::from("/"), "x".into()));
        assert_eq!(s("x").unwrap(), (PathBuf::from("."), "x".into()));
        assert_eq!(s("a/b/x").unwrap(), (PathBuf::from("a/b"), "x".into()));
        for bad in ["/", "x/", ".", "..", "a/..", "a/.", ""] {
            assert!(s(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn components_are_walked_in_order() {
        let mut c = components(b"/a//b/./../c/");
        assert_eq!(c.pop().unwrap(), b"a");
        assert_eq!(c.pop().unwrap(), b"b");
        assert_eq!(c.pop().unwrap(), b"..");
        assert_eq!(c.pop().unwrap(), b"c");
        assert!(c.is_empty());
    }

    #[test]
    fn links_are_trusted_only_where_nobody_else_can_plant_them() {
        let me = 1000;
        let root_dir = stat(0, libc::S_IFDIR | 0o755);
        assert!(trusted_link(&stat(0, 0o777), &root_dir, me).is_ok());
        assert!(trusted_link(&stat(me, 0o777), &root_dir, me).is_ok());
        assert!(trusted_link(&stat(1001, 0o777), &root_dir, me).is_err());
        // /tmp: root's, world-writable, sticky: others cannot rename our links.
        let tmp = stat(0, libc::S_IFDIR | 0o1777);
        assert!(trusted_link(&stat(0, 0o777), &tmp, me).is_ok());
        assert!(trusted_link(&stat(1001, 0o777), &tmp, me).is_err());
        // Writable by group or others without the sticky bit, or someone
        // else's directory: they may swap the link.
        for dir in [
            stat(0, libc::S_IFDIR | 0o775),
            stat(0, libc::S_IFDIR | 0o757),
            stat(1001, libc::S_IFDIR | 0o755),
            stat(1001, libc::S_IFDIR | 0o1777),
        ] {
            assert!(trusted_link(&stat(0, 0o777), &dir, me).is_err());
        }
    }
}

//! `--pidfile`: the file that holds the forked child's PID. It is created
//! before anything else changes, as a persistence target is: its directory
//! resolved once (`persist::path`), the file made with O_CREAT, O_EXCL and
//! O_NOFOLLOW relative to it. A helper forked at once, which stays in the
//! original namespaces with our original credentials, removes it when we
//! end, however we end: after `unshare(CLONE_NEWUSER)` or `--owner` we may
//! no longer be allowed to, and after SIGKILL we cannot.

use std::ffi::OsStr;
use std::fs::File;
use std::io::Read;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{openat, AtFlags, OFlag};
use nix::sys::signal::{sigprocmask, SigSet, SigmaskHow};
use nix::sys::stat::{fstat, fstatat, FileStat, Mode};
use nix::unistd::{unlinkat, Pid, UnlinkatFlags};

use crate::error::{Context, Error, Result};
use crate::helper::{self, Helper, Parentage};
use crate::ns::{self, Id};
use crate::persist::{failed, path, refused, COMMIT};

/// A pid file made by this run, and the helper that will remove it.
pub struct Pidfile {
    /// As the user named it, for messages.
    path: PathBuf,
    /// Open for writing until the PID is in.
    file: Option<File>,
    keeper: Helper,
}

/// The largest stale pid file we replace: a PID and some blanks.
const STALE_MAX: usize = 32;

impl Pidfile {
    /// Create `path`, empty, and fork the helper that removes it when we
    /// end; with `keep`, it leaves the file once the program has run.
    pub fn create(path: &Path, keep: bool) -> Result<Pidfile> {
        // A signal that ended us between the creation and the fork of the
        // helper would leave the file behind: it is held back until the
        // helper is there to remove the file.
        let mut old = SigSet::empty();
        sigprocmask(SigmaskHow::SIG_BLOCK, Some(&SigSet::all()), Some(&mut old))
            .context(|| "sigprocmask failed")?;
        let created = create(path, keep);
        let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(&old), None);
        created
    }

    /// The helper, to tell it that the program runs (COMMIT) or that the
    /// exec failed (FAILED), as the persistence helper is told.
    pub fn keeper(&self) -> &Helper {
        &self.keeper
    }

    /// In the forked child: we never write the file, nor wait for the
    /// helper, which waits for our parent.
    pub fn inherited(&mut self) {
        self.file = None;
        self.keeper.inherited();
    }

    /// Write the child's PID, as our own PID namespace numbers it.
    pub fn write(&mut self, child: Pid) -> Result<()> {
        let Some(file) = self.file.take() else {
            return Ok(());
        };
        // One write into the empty file: a reader finds it empty or whole.
        file.write_all_at(format!("{child}\n").as_bytes(), 0)
            .context(|| format!("cannot write {}", self.path.display()))
    }

    /// Have the helper remove the file (unless kept) and wait until it has.
    pub fn finish(&mut self) {
        self.file = None;
        let _ = self.keeper.finish();
    }
}

fn create(shown: &Path, keep: bool) -> Result<Pidfile> {
    let (dir, name) = path::open_parent(shown, "cannot create")?;
    check_directory(&dir, shown)?;
    let (fd, id) = create_in(&dir, &name, shown)?;
    let keeper = spawn_keeper(&dir, &name, id, keep)?;
    Ok(Pidfile {
        path: shown.to_owned(),
        file: Some(File::from(fd)),
        keeper,
    })
}

/// A PID is only as trustworthy as the directory of its file: another
/// user who can replace the file there can make whoever reads it signal a
/// process of their choosing. So the directory must be one that nobody
/// else can change entries of, by the rule `persist::path` applies to the
/// symbolic links it follows: root's or ours, and not writable by group or
/// others unless sticky (then only an entry's owner may replace it).
fn check_directory(dir: &OwnedFd, shown: &Path) -> Result<()> {
    let st = fstat(dir).map_err(|e| failed("cannot create", shown, e))?;
    let me = nix::unistd::geteuid().as_raw();
    let why = if st.st_uid != 0 && st.st_uid != me {
        "its directory belongs to another user, who could replace it"
    } else if st.st_mode & 0o022 != 0 && st.st_mode & libc::S_ISVTX == 0 {
        "other users can write its directory, which is not sticky, and replace it"
    } else {
        return Ok(());
    };
    Err(Error::msg(format!(
        "refusing to write the pid file {}: {why}",
        shown.display()
    )))
}

/// Create `name` in `dir` for us alone to write: a stale pid file there is
/// replaced by a new file (never written through); a symbolic link, or
/// anything but a stale pid file, is refused.
fn create_in(dir: &OwnedFd, name: &OsStr, shown: &Path) -> Result<(OwnedFd, Id)> {
    let flags = OFlag::O_CREAT
        | OFlag::O_EXCL
        | OFlag::O_NOFOLLOW
        | OFlag::O_WRONLY
        | OFlag::O_CLOEXEC
        | OFlag::O_NOCTTY;
    let mode = Mode::from_bits_truncate(0o644);
    let fd = match openat(dir, name, flags, mode) {
        Err(Errno::EEXIST) => {
            remove_stale(dir, name, shown)?;
            openat(dir, name, flags, mode)
        }
        other => other,
    }
    .map_err(|e| failed("cannot create", shown, e))?;
    match ns::identity(&fd) {
        Ok(id) => Ok((fd, id)),
        // Without its identity we could not tell our file from another
        // later: remove it while the name is surely ours.
        Err(errno) => {
            let _ = unlinkat(dir, name, UnlinkatFlags::NoRemoveDir);
            Err(failed("cannot stat", shown, errno))
        }
    }
}

/// Remove what is at `name`, if it is a stale pid file: a regular file
/// holding a PID, or nothing (blanks aside). Anything else stays, and we
/// refuse: a symbolic link (we never write through one), or a file that a
/// mistyped path would destroy.
fn remove_stale(dir: &OwnedFd, name: &OsStr, shown: &Path) -> Result<()> {
    let st = fstatat(dir, name, AtFlags::AT_SYMLINK_NOFOLLOW)
        .map_err(|e| failed("cannot stat", shown, e))?;
    let refuse = |why: &str| Err(refused(shown, why));
    match st.st_mode & libc::S_IFMT {
        libc::S_IFREG => {}
        libc::S_IFLNK => return refuse("is a symbolic link; refusing to write a PID through it"),
        libc::S_IFDIR => return refuse("is a directory"),
        _ => return refuse("is not a regular file; refusing to replace it"),
    }
    if !holds_a_pid(dir, name, &st) {
        return refuse("exists and holds no PID; refusing to replace it");
    }
    unlinkat(dir, name, UnlinkatFlags::NoRemoveDir).map_err(|e| failed("cannot replace", shown, e))
}

/// Whether the regular file `st` describes, still at `name`, holds a PID.
fn holds_a_pid(dir: &OwnedFd, name: &OsStr, st: &FileStat) -> bool {
    let flags = OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC;
    let Ok(fd) = openat(dir, name, flags | OFlag::O_NOCTTY, Mode::empty()) else {
        return false;
    };
    let same = fstat(&fd).is_ok_and(|now| now.st_dev == st.st_dev && now.st_ino == st.st_ino);
    let mut text = Vec::new();
    let read = File::from(fd)
        .take(STALE_MAX as u64 + 1)
        .read_to_end(&mut text);
    if !same || read.is_err() || text.len() > STALE_MAX {
        return false;
    }
    let text = text.trim_ascii();
    text.is_empty() || text.iter().all(u8::is_ascii_digit)
}

/// Fork the helper that owns the file's removal. It waits for its orders
/// to end (EOF: we and the child have both let go of them, by ending or
/// by exec), then removes the file, unless `keep` and the last order was
/// COMMIT: the program ran. It removes only the very file created, by its
/// name in the directory resolved at the start.
fn spawn_keeper(dir: &OwnedFd, name: &OsStr, id: Id, keep: bool) -> Result<Helper> {
    let keeper = helper::spawn(&[dir.as_raw_fd()], Parentage::Child, |channel| {
        let mut ran = false;
        while let Some(order) = channel.next_order() {
            ran = order == COMMIT;
        }
        if !(keep && ran) {
            path::remove_if_same(dir, name, id, UnlinkatFlags::NoRemoveDir);
        }
        Ok(())
    });
    if keeper.is_err() {
        // Nothing was forked: the name is still ours to remove.
        path::remove_if_same(dir, name, id, UnlinkatFlags::NoRemoveDir);
    }
    keeper
}

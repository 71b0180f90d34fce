//! Keeping a namespace alive by bind-mounting it onto a file, safely: the
//! target's directory is resolved once (`path`), the file opened or created
//! in it and checked (`target`), the mount made and undone by descriptors
//! only (`mount`) under a lock shared by every nsbox process (`lock`), and,
//! for `unshare`, by a helper forked before anything changes (`binder`).

mod binder;
mod lock;
mod mount;
pub mod path;
mod target;

pub use binder::{spawn_binder, BIND, COMMIT, FAILED, RELEASE};
pub use lock::lock;
pub use mount::{bind, undo, unmount};
pub use target::{real_fs_type, remove_created, Target};

use std::path::Path;

use nix::errno::Errno;

use crate::error::Error;

/// `WHAT PATH: reason`: a system call on a file failed. The fixed messages
/// of nsbind and of persistence name their files through this one function
/// and `refused` (each formatting site would cost code and a table of its
/// own); a message with more to fill in formats itself, which costs less
/// than a second format for `refused`.
#[cold]
#[inline(never)]
pub fn failed(what: &str, path: &Path, errno: Errno) -> Error {
    Error::sys(format!("{what} {}", path.display()), errno)
}

/// `PATH WHY`: a refusal that names its file.
#[cold]
#[inline(never)]
pub fn refused(path: &Path, why: &str) -> Error {
    Error::msg(format!("{} {why}", path.display()))
}

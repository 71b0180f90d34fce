//! The helper that binds the new namespaces of `unshare`. It is forked
//! before `unshare(2)`, so it stays in the original namespaces, where the
//! mounts belong and where `unshare` itself could no longer mount.
//!
//! Its orders: BIND, once the namespaces exist; then COMMIT, sent just
//! before the program is executed. The mounts are kept only once the
//! program really runs: the pipe the orders come through closes on exec,
//! so EOF after COMMIT means exec succeeded. FAILED after COMMIT (exec
//! failed), or EOF before it (`unshare` failed or was killed during
//! set-up), makes the helper undo everything: unmount what it mounted and
//! remove the files that were created for it.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use crate::sys::open;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;

use crate::error::Result;
use crate::helper::{self, Channel, Helper, Parentage};

use super::failed;
use super::mount::{bind, undo};
use super::target::{remove_created, Target};

/// Bind now: the namespaces exist.
pub const BIND: u8 = b'B';
/// The program is about to be executed.
pub const COMMIT: u8 = b'C';
/// Executing it failed.
pub const FAILED: u8 = b'F';

/// Fork the helper that will bind the namespaces of process `pid` (us, as
/// seen from the original PID namespace) onto `targets` when ordered to.
/// On failure nothing is forked, and the caller still owns the targets.
pub fn spawn_binder(targets: &[Target], pid: libc::pid_t, parentage: Parentage) -> Result<Helper> {
    let keep: Vec<RawFd> = targets
        .iter()
        .flat_map(|t| [t.fd().as_raw_fd(), t.dir().as_raw_fd()])
        .collect();
    helper::spawn(&keep, parentage, |channel| serve(channel, targets, pid))
}

fn serve(channel: Channel, targets: &[Target], pid: libc::pid_t) -> Result<()> {
    if channel.next_order() != Some(BIND) {
        remove_created(targets);
        return Ok(());
    }
    let made = bind_all(targets, pid)?;
    channel.done(BIND);
    let ran = channel.next_order() == Some(COMMIT) && channel.next_order().is_none();
    if !ran {
        undo(&made, targets);
    }
    Ok(())
}

/// Bind every target under the locks of their directories; all or nothing.
fn bind_all(targets: &[Target], pid: libc::pid_t) -> Result<Vec<OwnedFd>> {
    let dirs: Vec<_> = targets.iter().map(Target::dir).collect();
    let _locks = super::lock(&dirs);
    let mut made = Vec::new();
    for target in targets {
        match bind_one(target, pid) {
            Ok(mounted) => made.push(mounted),
            Err(err) => {
                undo(&made, targets);
                return Err(err);
            }
        }
    }
    Ok(made)
}

/// Bind /proc/PID/ns/ENTRY onto the target, checked again now that we hold
/// the lock (it was opened before `unshare(2)`).
fn bind_one(target: &Target, pid: libc::pid_t) -> Result<OwnedFd> {
    target.check_free()?;
    let source = target.kind.proc_path(pid, true);
    let namespace = open(&source, OFlag::O_RDONLY | OFlag::O_CLOEXEC, Mode::empty())
        .map_err(|e| failed("cannot open", &source, e))?;
    bind(target, &namespace, &source)
}

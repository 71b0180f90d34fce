//! The helper that binds the new namespaces of `unshare`. It is forked
//! before `unshare(2)`, so it stays in the original namespaces, where the
//! mounts belong and where `unshare` itself could no longer mount.
//!
//! Its orders: BIND, once the namespaces exist; RELEASE, when nothing is
//! left to fail but the exec; then COMMIT, sent just before the program is
//! executed. The mounts are kept only once the program really runs: the
//! pipe the orders come through closes on exec, so EOF after COMMIT means
//! exec succeeded. FAILED after COMMIT (exec failed), or EOF before it
//! (`unshare` failed or was killed during set-up), makes the helper undo
//! everything: unmount what it mounted and remove the files that were
//! created for it.
//!
//! Until RELEASE the helper holds a descriptor of each new mount, to undo
//! exactly that mount wherever its name has gone. But a descriptor is a
//! reference that makes `umount` fail with EBUSY, and the program may end
//! before the helper reads its EOF: so at RELEASE it keeps each mount's
//! unique id instead, closes the descriptors, and only then answers; the
//! program is executed after that answer. Where the kernel gives no unique
//! id (before Linux 6.8), it keeps the descriptors, as an id that may be
//! reused could name another's mount.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use crate::sys::open;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;

use crate::error::Result;
use crate::helper::{self, Channel, Helper, Parentage};

use super::failed;
use super::mount::{bind, undo, unique_id, unmount_by_id};
use super::target::{remove_created, Target};

/// Bind now: the namespaces exist.
pub const BIND: u8 = b'B';
/// Nothing but the exec is left to fail: let go of the mounts' descriptors.
pub const RELEASE: u8 = b'R';
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
    let mut made = Made::Held(bind_all(targets, pid)?);
    channel.done(BIND);
    let mut order = channel.next_order();
    if order == Some(RELEASE) {
        made = made.released();
        channel.done(RELEASE);
        order = channel.next_order();
    }
    let ran = order == Some(COMMIT) && channel.next_order().is_none();
    if !ran {
        made.undo(targets);
    }
    Ok(())
}

/// The mounts made, one per target: by descriptor, or after RELEASE by
/// unique id.
enum Made {
    Held(Vec<OwnedFd>),
    Known(Vec<u64>),
}

impl Made {
    /// Trade the descriptors for the unique ids, all or none.
    fn released(self) -> Made {
        let Made::Held(fds) = &self else { return self };
        match fds.iter().map(unique_id).collect() {
            Some(ids) => Made::Known(ids),
            None => self,
        }
    }

    fn undo(&self, targets: &[Target]) {
        match self {
            Made::Held(fds) => undo(fds, targets),
            Made::Known(ids) => {
                for (target, &id) in targets.iter().zip(ids) {
                    unmount_by_id(target, id);
                }
                remove_created(targets);
            }
        }
    }
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

//! The target's seccomp filters: read through ptrace(2) (seize, interrupt,
//! PTRACE_SECCOMP_GET_FILTER, detach at once), checked that they can be
//! reproduced, and installed on ourselves, in the target's order, right
//! before exec.
//!
//! Kernel facts this relies on (checked on Linux 6.18):
//! - PTRACE_SECCOMP_GET_FILTER numbers the filters from the OLDEST (index
//!   0 is the first one installed), whatever ptrace(2)'s manual says; so
//!   installing them by rising index rebuilds the same chain. A filter
//!   added meanwhile (by another thread, with SECCOMP_FILTER_FLAG_TSYNC)
//!   can only come at the end, so reading up to ENOENT gives the whole
//!   chain as it stood at that moment.
//! - Reading needs CAP_SYS_ADMIN in the initial user namespace, and a
//!   reader that is under no seccomp filter itself (EACCES otherwise).
//! - PTRACE_SECCOMP_GET_METADATA reports SECCOMP_FILTER_FLAG_LOG alone.
//!   The other flags leave nothing behind to see: TSYNC and TSYNC_ESRCH
//!   only say how a filter was installed (we have one thread), NEW_LISTENER
//!   and WAIT_KILLABLE_RECV concern a listener (refused below), and
//!   SPEC_ALLOW, which turns off a speculation mitigation, is not reported:
//!   the copy keeps the mitigation, which confines no less.
//! - A filter that returns SECCOMP_RET_USER_NOTIF hands the call to a
//!   listener that stays with the target: refused. A return computed at
//!   run time (BPF_RET|BPF_A) cannot be judged in advance; should it be
//!   SECCOMP_RET_USER_NOTIF, the copy, having no listener, fails that
//!   call with ENOSYS, as the kernel does: stricter, never looser.

mod ptrace;

use nix::errno::Errno;

use super::caps::CAP_SYS_ADMIN;
use super::status::{SeccompMode, Status};
use crate::error::{Error, Result};
use crate::sys;
use crate::target::Target;
use ptrace::Seized;

/// `BPF_RET | BPF_K`: return the constant `k`.
const BPF_RET_K: u16 = 0x06;
/// SECCOMP_FILTER_FLAG_LOG, as the 64-bit flags of the metadata.
const FLAG_LOG: u64 = 1 << 1;
/// The inode of the initial user namespace (PROC_USER_INIT_INO), fixed.
const INITIAL_USER_NS_INODE: u64 = 0xEFFF_FFFD;

/// One filter, and the flags to install it with.
#[derive(Debug)]
struct Filter {
    insns: Vec<libc::sock_filter>,
    flags: u64,
}

/// The filters, in the order they are to be installed (the target's oldest
/// first).
#[derive(Debug)]
pub struct Filters {
    pid: libc::pid_t,
    list: Vec<Filter>,
}

/// Read them; None when the target has none. The target is stopped only
/// while they are read, and never left stopped: not on error, not if we are
/// killed meanwhile (the kernel detaches a dead tracer's tracees).
pub fn read(target: &Target, status: &Status) -> Result<Option<Filters>> {
    let pid = target.pid;
    match status.seccomp {
        SeccompMode::Disabled => return Ok(None),
        SeccompMode::Strict => {
            return Err(Error::msg(format!(
                "cannot copy the seccomp mode of process {pid}: it is in strict mode, \
                 under which no program can be executed"
            )))
        }
        SeccompMode::Filter => {}
    }
    let cannot = |why: &str| {
        Error::msg(format!(
            "cannot read the seccomp filters of process {pid}: {why}"
        ))
    };
    may_read().map_err(cannot)?;
    let seized = match Seized::seize(pid) {
        Ok(seized) => seized,
        Err(errno) => return Err(seize_failed(target, errno)),
    };
    let list = stopped_and_read(target, seized)?;
    // Filters are never removed: fewer than its status showed would mean
    // another process.
    if list.len() < status.seccomp_filters as usize {
        return Err(cannot(&format!(
            "got {} where its status shows {}",
            list.len(),
            status.seccomp_filters
        )));
    }
    let filters = Filters { pid, list };
    filters.check()?;
    Ok(Some(filters))
}

/// Why we could not read any process's filters, if we cannot: the kernel
/// answers only EACCES, which tells neither reason apart.
fn may_read() -> std::result::Result<(), &'static str> {
    // Under a filter it answers 2.
    if sys::prctl(libc::PR_GET_SECCOMP, 0, 0).is_ok_and(|mode| mode > 0) {
        return Err("nsenter runs under a seccomp filter itself, \
                    and the kernel shows filters only to a tracer under none");
    }
    if !sys::has_capability(CAP_SYS_ADMIN) {
        return Err("reading them needs CAP_SYS_ADMIN");
    }
    let ours = nix::sys::stat::stat("/proc/self/ns/user");
    if ours.is_ok_and(|st| st.st_ino != INITIAL_USER_NS_INODE) {
        return Err("reading them needs CAP_SYS_ADMIN in the initial user namespace");
    }
    Ok(())
}

/// PTRACE_SEIZE refused: say why, as far as the target's status tells.
fn seize_failed(target: &Target, errno: Errno) -> Error {
    let pid = target.pid;
    let status = super::status::read(target).ok();
    // Gone, or a zombie: ptrace(2) says ESRCH or EPERM.
    let ended = status
        .as_ref()
        .map_or(true, |s| matches!(s.state, b'Z' | b'X'));
    if errno == Errno::ESRCH || ended || target.confirm().is_err() {
        return target.exited();
    }
    match status.map(|s| s.tracer) {
        Some(tracer) if errno == Errno::EPERM && tracer != 0 => Error::msg(format!(
            "cannot read the seccomp filters of process {pid}: it is traced by process \
             {tracer}, and a process can have only one tracer"
        )),
        _ => Error::sys(
            format!("cannot read the seccomp filters of process {pid}: cannot attach to it"),
            errno,
        ),
    }
}

/// Prove the seized process is the target, stop it, and read its filters.
/// `seized` is dropped on return, whatever happened: the target is let go
/// before anything read is looked at.
fn stopped_and_read(target: &Target, mut seized: Seized) -> Result<Vec<Filter>> {
    let pid = target.pid;
    // ptrace(2) took a PID. The pidfd's process not yet reaped, that PID
    // was still its own when we seized it: we hold the target, not a
    // process that got its PID after it exited.
    target.still_there()?;
    match seized.stop() {
        Ok(true) => {}
        Ok(false) | Err(Errno::ESRCH | Errno::ECHILD) => return Err(target.exited()),
        Err(errno) => {
            return Err(Error::sys(
                format!("cannot stop process {pid} to read its seccomp filters"),
                errno,
            ))
        }
    }
    let failed = |errno, index: usize| match errno {
        // Killed while stopped: it left the stop.
        Errno::ESRCH => target.exited(),
        // may_read() ruled out what we know of; an LSM may refuse too.
        Errno::EACCES => Error::msg(format!(
            "cannot read the seccomp filters of process {pid}: reading them needs \
             CAP_SYS_ADMIN in the initial user namespace, and no seccomp filter on nsenter"
        )),
        Errno::EMEDIUMTYPE => Error::msg(format!(
            "cannot copy the seccomp filters of process {pid}: filter {} is not classic BPF",
            index + 1
        )),
        errno => Error::sys(
            format!("cannot read seccomp filter {} of process {pid}", index + 1),
            errno,
        ),
    };
    let mut list = Vec::new();
    for index in 0.. {
        let insns = match seized.filter(index) {
            Ok(insns) => insns,
            Err(Errno::ENOENT) if index > 0 => break,
            Err(errno) => return Err(failed(errno, index)),
        };
        let flags = seized.flags(index).map_err(|errno| failed(errno, index))?;
        list.push(Filter { insns, flags });
    }
    Ok(list)
}

impl Filters {
    /// Refuse what cannot be reproduced.
    fn check(&self) -> Result<()> {
        let pid = self.pid;
        let count = self.list.len();
        let refuse = |why: String| {
            Error::msg(format!(
                "cannot copy the seccomp filters of process {pid}: {why}"
            ))
        };
        for (index, filter) in self.list.iter().enumerate() {
            let which = format!("filter {} of {count}", index + 1);
            let unknown = filter.flags & !FLAG_LOG;
            if unknown != 0 {
                return Err(refuse(format!(
                    "{which} has flags nsenter does not know ({unknown:#x})"
                )));
            }
            if notifies(&filter.insns) {
                return Err(refuse(format!(
                    "{which} hands system calls to a user-space listener \
                     (SECCOMP_RET_USER_NOTIF), which stays with the target"
                )));
            }
        }
        Ok(())
    }

    /// Install them on ourselves (and so on the program we exec), in the
    /// target's order. Needs no_new_privs, or CAP_SYS_ADMIN in our user
    /// namespace. Plain system calls on what was read before: fit for a
    /// child after fork.
    pub fn install(&self) -> Result<()> {
        let pid = self.pid;
        let count = self.list.len();
        for (index, filter) in self.list.iter().enumerate() {
            let prog = libc::sock_fprog {
                // Each filter came from the kernel, which allows at most
                // BPF_MAXINSNS (4096) instructions.
                len: filter.insns.len() as libc::c_ushort,
                filter: filter.insns.as_ptr().cast_mut(),
            };
            // SAFETY: `prog` points to `len` instructions that outlive the
            // call; the kernel copies them and writes nothing back.
            let ret = unsafe {
                libc::syscall(
                    libc::SYS_seccomp,
                    libc::SECCOMP_SET_MODE_FILTER,
                    filter.flags as libc::c_ulong,
                    &prog as *const libc::sock_fprog,
                )
            };
            if ret != 0 {
                return Err(match Errno::last() {
                    Errno::EACCES => Error::msg(format!(
                        "cannot install the seccomp filters of process {pid}: \
                         installing them needs no_new_privs or CAP_SYS_ADMIN"
                    )),
                    errno => Error::sys(
                        format!(
                            "cannot install seccomp filter {} of {count} of process {pid}",
                            index + 1
                        ),
                        errno,
                    ),
                });
            }
        }
        Ok(())
    }
}

/// Whether the filter can return SECCOMP_RET_USER_NOTIF as a constant.
fn notifies(insns: &[libc::sock_filter]) -> bool {
    insns.iter().any(|insn| {
        insn.code == BPF_RET_K
            && insn.k & libc::SECCOMP_RET_ACTION_FULL == libc::SECCOMP_RET_USER_NOTIF
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insn(code: u16, k: u32) -> libc::sock_filter {
        libc::sock_filter {
            code,
            jt: 0,
            jf: 0,
            k,
        }
    }

    #[test]
    fn user_notification_is_found_in_constant_returns_only() {
        let allow = insn(BPF_RET_K, libc::SECCOMP_RET_ALLOW);
        let notify = insn(BPF_RET_K, libc::SECCOMP_RET_USER_NOTIF);
        // BPF_LD|BPF_IMM of the same value, and a return of the accumulator.
        let load = insn(0x00, libc::SECCOMP_RET_USER_NOTIF);
        let ret_a = insn(0x16, 0);
        assert!(!notifies(&[allow]));
        assert!(notifies(&[allow, notify]));
        assert!(!notifies(&[load, ret_a]));
        // The low 16 bits are the action's data.
        assert!(notifies(&[insn(
            BPF_RET_K,
            libc::SECCOMP_RET_USER_NOTIF | 7
        )]));
        let refused = Filters {
            pid: 7,
            list: vec![
                Filter {
                    insns: vec![allow],
                    flags: 0,
                },
                Filter {
                    insns: vec![notify],
                    flags: 0,
                },
            ],
        };
        assert_eq!(
            refused.check().unwrap_err().to_string(),
            "cannot copy the seccomp filters of process 7: filter 2 of 2 hands system calls \
             to a user-space listener (SECCOMP_RET_USER_NOTIF), which stays with the target"
        );
        let logged = Filters {
            pid: 7,
            list: vec![Filter {
                insns: vec![allow],
                flags: FLAG_LOG,
            }],
        };
        assert!(logged.check().is_ok());
        let unknown = Filters {
            pid: 7,
            list: vec![Filter {
                insns: vec![allow],
                flags: 1 << 20,
            }],
        };
        assert!(unknown.check().is_err());
    }
}

//! Taking on another process's capability sets (step 5 of nsenter's
//! confinement): bounding set, inheritable, permitted, effective, ambient,
//! and the securebit that keeps exec from giving back what the target lacks.
//!
//! What the program holds is decided by execve(2), which recomputes the
//! permitted and effective sets from the inheritable, bounding and ambient
//! sets, the uid, the securebits and the file's capabilities:
//! `P' = (I & fI) | (fP & bounding) | A`, and for a root uid (without
//! SECBIT_NOROOT) fI and fP count as all ones, so `P' = bounding | I` and
//! `E' = P'`; for another uid, `P' = E' = A` (for a program file without
//! capabilities of its own). The permitted and effective sets held before
//! exec do not enter, except under no_new_privs, where `P'` is cut to the
//! permitted one. So we make our sets the target's, and the program
//! gets what the target would get by exec'ing it: for any process a
//! runtime starts by exec, its own sets.
//!
//! Securebits cannot be read from another process (neither /proc/PID/status,
//! capget(2) nor the pidfd show them). A root target whose permitted set
//! lacks part of `bounding | I` either runs with SECBIT_NOROOT or dropped
//! capabilities after its exec; exec would give a root program those back.
//! Then we set SECBIT_NOROOT, locked, so that exec gives root nothing
//! extra: the program gets the target's ambient set and never more than
//! the target holds. Under no_new_privs, which cuts what exec gives to the
//! permitted set held before it (the target's), there is no need: the
//! program then gets the target's sets exactly.

use super::status::CapSets;
use crate::error::{Context, Error, Result};
use crate::sys::{capget, capset, prctl};

/// <linux/capability.h>
const CAP_SETPCAP: u32 = 8;
pub(super) const CAP_SYS_ADMIN: u32 = 21;

/// Capability names, by number, as capabilities(7) spells them (as libcap
/// and setpriv do, in lower case).
const NAMES: [&str; 41] = [
    "chown",
    "dac_override",
    "dac_read_search",
    "fowner",
    "fsetid",
    "kill",
    "setgid",
    "setuid",
    "setpcap",
    "linux_immutable",
    "net_bind_service",
    "net_broadcast",
    "net_admin",
    "net_raw",
    "ipc_lock",
    "ipc_owner",
    "sys_module",
    "sys_rawio",
    "sys_chroot",
    "sys_ptrace",
    "sys_pacct",
    "sys_admin",
    "sys_boot",
    "sys_nice",
    "sys_resource",
    "sys_time",
    "sys_tty_config",
    "mknod",
    "lease",
    "audit_write",
    "audit_control",
    "setfcap",
    "mac_override",
    "mac_admin",
    "syslog",
    "wake_alarm",
    "block_suspend",
    "audit_read",
    "perfmon",
    "bpf",
    "checkpoint_restore",
];

/// `cap_chown`; a capability newer than the table by number, `cap_41`.
pub fn name(cap: u32) -> String {
    match NAMES.get(cap as usize) {
        Some(name) => format!("cap_{name}"),
        None => format!("cap_{cap}"),
    }
}

fn bit(cap: u32) -> u64 {
    1 << cap
}

/// The capabilities of a mask, lowest first.
fn members(mask: u64) -> impl Iterator<Item = u32> {
    (0..64).filter(move |&cap| mask & bit(cap) != 0)
}

/// `cap_chown, cap_kill`.
fn names(mask: u64) -> String {
    let mut text = String::new();
    for cap in members(mask) {
        if !text.is_empty() {
            text.push_str(", ");
        }
        text.push_str(&name(cap));
    }
    text
}

/// The first of a mask (never empty) by name, and how many more:
/// `cap_chown and 3 more`.
fn first_of(mask: u64) -> String {
    let first = name(mask.trailing_zeros());
    match mask.count_ones() {
        0 | 1 => first,
        n => format!("{first} and {} more", n - 1),
    }
}

/// Before a uid change: keep the permitted set across it (PR_SET_KEEPCAPS),
/// so that `apply` still has the capabilities it needs to shape the sets.
/// The change still empties the effective set (and the ambient one), which
/// `apply` raises again. Should a caller have locked the bit off, the uid
/// change takes the permitted set, and `apply` names what is missing.
pub fn keep_across_uid_change() {
    let _ = prctl(libc::PR_SET_KEEPCAPS, 1, 0);
}

/// How the exec that follows will treat the program's capabilities.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Exec {
    /// Real or effective uid 0: exec gives root the bounding and
    /// inheritable sets (unless SECBIT_NOROOT).
    pub as_root: bool,
    /// no_new_privs will be set: exec then gives no more than the
    /// permitted set held before it.
    pub no_new_privs: bool,
    /// Keep CAP_SYS_ADMIN, where we have it, permitted and effective until
    /// exec (which drops it when the target lacks it), for installing
    /// seccomp filters without no_new_privs.
    pub keep_sys_admin: bool,
}

/// What we hold, once the ids are final.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Ours {
    bounding: u64,
    permitted: u64,
    inheritable: u64,
    securebits: u32,
}

/// What to do, decided before anything is done, so that a missing
/// privilege is reported before any set has changed.
#[derive(Debug, PartialEq, Eq)]
struct Plan {
    /// The inheritable set, set while the bounding set still allows it.
    inheritable: u64,
    /// Securebits to set (SECBIT_NOROOT, locked), or none.
    securebits: Option<u32>,
    /// Capabilities to drop from the bounding set.
    drop: u64,
    /// The final effective and permitted sets.
    effective: u64,
    permitted: u64,
    ambient: u64,
}

const NOROOT: u32 = (libc::SECBIT_NOROOT | libc::SECBIT_NOROOT_LOCKED) as u32;

impl Plan {
    fn new(target: &CapSets, ours: &Ours, exec: &Exec) -> Result<Plan> {
        let setpcap = ours.permitted & bit(CAP_SETPCAP) != 0;
        let drop = ours.bounding & !target.bounding;
        if drop != 0 && !setpcap {
            return Err(Error::msg(format!(
                "cannot drop {} from the bounding set: needs CAP_SETPCAP",
                first_of(drop)
            )));
        }
        // capset(2): the inheritable set may grow only within the bounding
        // set, and without CAP_SETPCAP only within the permitted set.
        let beyond_permitted = target.inheritable & !(ours.inheritable | ours.permitted);
        if beyond_permitted != 0 && !setpcap {
            return Err(Error::msg(format!(
                "cannot add {} to the inheritable set: needs CAP_SETPCAP",
                first_of(beyond_permitted)
            )));
        }
        let lacking = (target.bounding & !ours.bounding)
            | (target.permitted & !ours.permitted)
            | (target.inheritable & !(ours.inheritable | ours.bounding));
        if lacking != 0 {
            return Err(Error::msg(format!(
                "the target has capabilities that nsenter lacks: {}",
                names(lacking)
            )));
        }
        let kept = if exec.keep_sys_admin {
            ours.permitted & bit(CAP_SYS_ADMIN)
        } else {
            0
        };
        let permitted = target.permitted | kept;
        // As root, exec gives the bounding and inheritable sets; under
        // no_new_privs, no more of them than the permitted set held before.
        // Should that be more than the target holds, give root nothing.
        let mut root_gets = target.bounding | target.inheritable;
        if exec.no_new_privs {
            root_gets &= permitted;
        }
        let more = root_gets & !target.permitted;
        let securebits = (exec.as_root && more != 0 && ours.securebits & NOROOT != NOROOT)
            .then_some(ours.securebits | NOROOT);
        if securebits.is_some() && !setpcap {
            return Err(Error::msg(format!(
                "cannot set SECBIT_NOROOT: needs CAP_SETPCAP (without it, exec would give \
                 root {}, which the target lacks)",
                first_of(more)
            )));
        }
        let no_ambient_raise = ours.securebits & libc::SECBIT_NO_CAP_AMBIENT_RAISE as u32 != 0;
        if target.ambient != 0 && no_ambient_raise {
            return Err(Error::msg(format!(
                "cannot raise {} in the ambient set: SECBIT_NO_CAP_AMBIENT_RAISE is set",
                first_of(target.ambient)
            )));
        }
        Ok(Plan {
            inheritable: target.inheritable,
            securebits,
            drop,
            effective: target.effective | kept,
            permitted,
            ambient: target.ambient,
        })
    }

    /// In an order where each step still has what it needs: the
    /// inheritable set before the bounding set shrinks; securebits and the
    /// bounding set while CAP_SETPCAP is effective; the ambient set last,
    /// as it needs its capabilities permitted and inheritable.
    fn carry_out(&self, ours: &Ours) -> Result<()> {
        capset([ours.permitted, ours.permitted, self.inheritable])
            .context(|| "cannot set the inheritable capabilities")?;
        if let Some(bits) = self.securebits {
            prctl(libc::PR_SET_SECUREBITS, u64::from(bits), 0)
                .context(|| "cannot set SECBIT_NOROOT")?;
        }
        for cap in members(self.drop) {
            prctl(libc::PR_CAPBSET_DROP, cap.into(), 0)
                .context(|| format!("cannot drop {} from the bounding set", name(cap)))?;
        }
        prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as u64,
            0,
        )
        .context(|| "cannot clear the ambient capabilities")?;
        capset([self.effective, self.permitted, self.inheritable])
            .context(|| "cannot set the capability sets")?;
        for cap in members(self.ambient) {
            prctl(
                libc::PR_CAP_AMBIENT,
                libc::PR_CAP_AMBIENT_RAISE as u64,
                cap.into(),
            )
            .context(|| format!("cannot raise {} in the ambient set", name(cap)))?;
        }
        Ok(())
    }
}

/// Our bounding set, asked capability by capability: PR_CAPBSET_READ
/// answers EINVAL past the last one this kernel knows. No /proc needed
/// (the mount namespace entered may have none).
fn bounding_set() -> u64 {
    (0..64)
        .map_while(|cap| prctl(libc::PR_CAPBSET_READ, cap, 0).ok().map(|v| (cap, v)))
        .filter(|&(_, held)| held == 1)
        .fold(0, |mask, (cap, _)| mask | 1 << cap)
}

/// Make our sets the target's, so that exec gives the program what it would
/// give the target. Checked before any change: an error means none was
/// made that matters (the child exits without exec).
pub fn apply(target: &CapSets, exec: &Exec) -> Result<()> {
    // A uid change emptied the effective set: raise it to the permitted,
    // so that CAP_SETPCAP counts (capset and prctl look at the effective).
    let [_, permitted, inheritable] = capget().context(|| "capget failed")?;
    capset([permitted, permitted, inheritable]).context(|| "capset failed")?;
    let ours = Ours {
        bounding: bounding_set(),
        permitted,
        inheritable,
        securebits: prctl(libc::PR_GET_SECUREBITS, 0, 0).context(|| "cannot read securebits")?
            as u32,
    };
    // An inherited no_new_privs counts as well.
    let exec = Exec {
        no_new_privs: exec.no_new_privs || prctl(libc::PR_GET_NO_NEW_PRIVS, 0, 0) == Ok(1),
        ..*exec
    };
    Plan::new(target, &ours, &exec)?.carry_out(&ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: u64 = (1 << 41) - 1;
    /// Docker's default bounding set.
    const DOCKER: u64 = 0xa804_25fb;
    const ROOT: Exec = Exec {
        as_root: true,
        no_new_privs: false,
        keep_sys_admin: false,
    };
    const OTHER: Exec = Exec {
        as_root: false,
        ..ROOT
    };

    fn root() -> Ours {
        Ours {
            bounding: ALL,
            permitted: ALL,
            inheritable: 0,
            securebits: 0,
        }
    }

    fn docker() -> CapSets {
        CapSets {
            inheritable: 0x21,
            permitted: DOCKER,
            effective: DOCKER,
            bounding: DOCKER,
            ambient: 0x1,
        }
    }

    fn message(result: Result<Plan>) -> String {
        result.unwrap_err().to_string()
    }

    #[test]
    fn names_follow_capabilities_7() {
        assert_eq!(name(0), "cap_chown");
        assert_eq!(name(21), "cap_sys_admin");
        assert_eq!(name(40), "cap_checkpoint_restore");
        assert_eq!(name(41), "cap_41");
        assert_eq!(names(0x21), "cap_chown, cap_kill");
        assert_eq!(first_of(bit(21)), "cap_sys_admin");
        assert_eq!(first_of(0x7), "cap_chown and 2 more");
    }

    #[test]
    fn root_into_a_docker_container() {
        let plan = Plan::new(&docker(), &root(), &ROOT).unwrap();
        assert_eq!(
            plan,
            Plan {
                inheritable: 0x21,
                securebits: None,
                drop: ALL & !DOCKER,
                effective: DOCKER,
                permitted: DOCKER,
                ambient: 1,
            }
        );
        let kept = Plan::new(
            &docker(),
            &root(),
            &Exec {
                keep_sys_admin: true,
                ..ROOT
            },
        )
        .unwrap();
        assert_eq!(kept.permitted, DOCKER | bit(CAP_SYS_ADMIN));
        assert_eq!(kept.effective, DOCKER | bit(CAP_SYS_ADMIN));
    }

    /// Exec would give root `bounding | I`: more than the target holds.
    #[test]
    fn noroot_when_the_target_holds_less_than_root_gets() {
        let target = CapSets {
            permitted: 0x21,
            effective: 0x21,
            ..docker()
        };
        let plan = Plan::new(&target, &root(), &ROOT).unwrap();
        assert_eq!(plan.securebits, Some(NOROOT));
        // Not for another uid: exec gives it the ambient set alone.
        let plan = Plan::new(&target, &root(), &OTHER).unwrap();
        assert_eq!(plan.securebits, None);
        // Under no_new_privs, exec gives no more than the permitted set:
        // the target's, exactly; unless CAP_SYS_ADMIN is kept for seccomp.
        let nnp = Exec {
            no_new_privs: true,
            ..ROOT
        };
        let plan = Plan::new(&target, &root(), &nnp).unwrap();
        assert_eq!(plan.securebits, None);
        let seccomp = Exec {
            keep_sys_admin: true,
            ..nnp
        };
        let full = CapSets {
            bounding: ALL,
            ..target
        };
        let plan = Plan::new(&full, &root(), &seccomp).unwrap();
        assert_eq!(plan.securebits, Some(NOROOT));
        // Already set and locked: nothing to do.
        let locked = Ours {
            securebits: NOROOT,
            ..root()
        };
        let plan = Plan::new(&target, &locked, &ROOT).unwrap();
        assert_eq!(plan.securebits, None);
        // Other bits stay.
        let keep = Ours {
            securebits: libc::SECBIT_KEEP_CAPS as u32,
            ..root()
        };
        let plan = Plan::new(&target, &keep, &ROOT).unwrap();
        assert_eq!(
            plan.securebits,
            Some(NOROOT | libc::SECBIT_KEEP_CAPS as u32)
        );
    }

    #[test]
    fn privilege_errors_name_what_is_missing() {
        let nobody = Ours {
            permitted: 0,
            ..root()
        };
        assert_eq!(
            message(Plan::new(&docker(), &nobody, &OTHER)),
            "cannot drop cap_dac_read_search and 26 more from the bounding set: \
             needs CAP_SETPCAP"
        );
        let small = Ours {
            bounding: DOCKER & !bit(CAP_SETPCAP),
            permitted: DOCKER,
            ..root()
        };
        // Our bounding set lacks one: it cannot be added back.
        let target = CapSets {
            bounding: DOCKER & !1,
            ..docker()
        };
        assert_eq!(
            message(Plan::new(&target, &small, &OTHER)),
            "the target has capabilities that nsenter lacks: cap_setpcap"
        );
        let full_bounding = Ours {
            permitted: 0x21,
            inheritable: 0,
            ..root()
        };
        let target = CapSets {
            bounding: ALL,
            inheritable: 0x21 | bit(CAP_SYS_ADMIN),
            ..CapSets::default()
        };
        assert_eq!(
            message(Plan::new(&target, &full_bounding, &OTHER)),
            "cannot add cap_sys_admin to the inheritable set: needs CAP_SETPCAP"
        );
        let no_raise = Ours {
            securebits: libc::SECBIT_NO_CAP_AMBIENT_RAISE as u32,
            ..root()
        };
        assert_eq!(
            message(Plan::new(&docker(), &no_raise, &OTHER)),
            "cannot raise cap_chown in the ambient set: SECBIT_NO_CAP_AMBIENT_RAISE is set"
        );
    }

    #[test]
    fn noroot_needs_setpcap() {
        // Nothing to drop, but root would get more than the target.
        let ours = Ours {
            bounding: DOCKER & !bit(CAP_SETPCAP),
            permitted: DOCKER & !bit(CAP_SETPCAP),
            ..root()
        };
        let target = CapSets {
            bounding: DOCKER & !bit(CAP_SETPCAP),
            ..CapSets::default()
        };
        assert_eq!(
            message(Plan::new(&target, &ours, &ROOT)),
            "cannot set SECBIT_NOROOT: needs CAP_SETPCAP (without it, exec would give root \
             cap_chown and 12 more, which the target lacks)"
        );
    }

    #[test]
    fn our_bounding_set_is_read() {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let ours = crate::confine::status::parse(&status).unwrap();
        assert_eq!(bounding_set(), ours.caps.bounding);
    }
}

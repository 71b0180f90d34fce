//! What nsenter takes from the target beyond its namespaces: capability
//! sets, no_new_privs, seccomp filters (`--caps`, `--no-new-privs`,
//! `--seccomp`, `--as-target`). Read in the parent before anything is
//! entered, through the held /proc directory; applied in the child, in
//! this order, as the last steps before exec:
//!
//! 1. (before the ids change) keep the permitted set across the change;
//! 2. capability sets and securebits: the uid is final, so exec's
//!    recomputation of the sets starts from the target's;
//! 3. no_new_privs: after the capability work, which it does not affect,
//!    and before seccomp, which needs it (or CAP_SYS_ADMIN);
//! 4. seccomp filters: last, so that the target's filter cannot forbid any
//!    of our own steps; only execve(2) follows, and a filter that forbids
//!    even that leaves the program unrun (nsenter exits 126).

use super::options::{Config, NoNewPrivs};
use crate::confine::status::{self, CapSets};
use crate::confine::{caps, seccomp};
use crate::error::{Error, Result};
use crate::target::Target;

#[derive(Debug, Default)]
pub struct Confinement {
    caps: Option<CapSets>,
    no_new_privs: bool,
    filters: Option<seccomp::Filters>,
}

/// Read what the options ask for from the target.
pub fn read(c: &Config, target: Option<&Target>) -> Result<Confinement> {
    let from_target = c.caps || c.seccomp || c.no_new_privs == NoNewPrivs::Target;
    let status = match (from_target, target) {
        (false, _) => None,
        (true, Some(target)) => Some(status::read(target)?),
        (true, None) => return Err(super::no_target()),
    };
    let filters = match (&status, target) {
        (Some(status), Some(target)) if c.seccomp => seccomp::read(target, status)?,
        _ => None,
    };
    Ok(Confinement {
        caps: status.as_ref().filter(|_| c.caps).map(|s| s.caps),
        no_new_privs: match c.no_new_privs {
            NoNewPrivs::Inherit => false,
            NoNewPrivs::Set => true,
            NoNewPrivs::Target => status.as_ref().is_some_and(|s| s.no_new_privs),
        },
        filters,
    })
}

impl Confinement {
    /// Whether the capability sets are taken (--keep-caps then has no say).
    pub fn takes_caps(&self) -> bool {
        self.caps.is_some()
    }

    /// Step 1, before the uid changes.
    pub fn before_ids(&self) {
        if self.caps.is_some() {
            caps::keep_across_uid_change();
        }
    }

    /// Steps 2 to 4, once the ids are final.
    pub fn apply(&self) -> Result<()> {
        let filters = self.filters.as_ref();
        if let Some(sets) = &self.caps {
            let exec = caps::Exec {
                as_root: uid_is_root(),
                no_new_privs: self.no_new_privs,
                // Without no_new_privs, installing a filter needs
                // CAP_SYS_ADMIN: keep it effective until then; exec drops
                // what the target lacks.
                keep_sys_admin: filters.is_some() && !self.no_new_privs,
            };
            caps::apply(sets, &exec)?;
        }
        if self.no_new_privs {
            set_no_new_privs()?;
        }
        if let Some(filters) = filters {
            filters.install()?;
        }
        Ok(())
    }
}

/// Whether exec will treat us as root (real or effective uid 0).
fn uid_is_root() -> bool {
    let ids = nix::unistd::getresuid().expect("getresuid cannot fail");
    ids.real.is_root() || ids.effective.is_root()
}

fn set_no_new_privs() -> Result<()> {
    crate::sys::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0)
        .map(drop)
        .map_err(|errno| Error::sys("cannot set no_new_privs", errno))
}

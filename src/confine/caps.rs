//! Taking on another process's capability sets (step 5 of nsenter's
//! confinement): bounding set, inheritable, permitted, effective, ambient,
//! and the securebits that keep exec from giving back what it lacks.

use super::status::CapSets;
use crate::error::{Error, Result};

/// Before a uid change: keep the permitted set across it, so that step 5
/// still has the capabilities it needs to shape the sets.
pub fn keep_across_uid_change() -> Result<()> {
    Err(Error::msg("--caps=target: not built yet"))
}

/// Make our sets the target's, so that exec gives the program what it would
/// give the target. With `keep_sys_admin`, CAP_SYS_ADMIN stays effective
/// (it is lost at exec) for installing seccomp filters without no_new_privs.
pub fn apply(target: &CapSets, uid_is_root: bool, keep_sys_admin: bool) -> Result<()> {
    let _ = (target, uid_is_root, keep_sys_admin);
    Err(Error::msg("--caps=target: not built yet"))
}

//! Confinement taken from a target process: its capability sets, its
//! no_new_privs and its seccomp filters, as /proc/PID/status and ptrace(2)
//! show them, applied to ourselves just before exec. nsenter's
//! `--caps`, `--no-new-privs`, `--seccomp` and `--as-target` use it.

pub mod caps;
pub mod seccomp;
pub mod status;

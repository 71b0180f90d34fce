//! `nsbind`: every command form, as root and as uid 65534 inside a user
//! namespace with its own mount namespace where the kernel allows it,
//! checked against what the kernel says: /proc/self/mountinfo, the
//! /proc/PID/ns links, stat of the bound files, hostnames, `ip netns`; the
//! files are entered again with nsenter and setns-test. One file per
//! feature; `json` and `listed` (the listings read back) hold what they
//! share, and the harness in tests/common the `Scene` and the checks of its
//! output.
//!
//! Everything that might bind runs in a private mount namespace made for the
//! test by util-linux (`Scene`), so no mount ever reaches the host. Most
//! scenes are also a PID namespace of their own with their own /proc: the
//! end of the script kills and reaps whatever it started, and the process
//! counts of `--list` see only the scene's processes. On drop a scene checks
//! that no mount under its directory reached the host and that none of its
//! processes is left.

#[path = "../common/mod.rs"]
mod common;
mod json;
mod listed;

mod all;
mod binding;
mod concurrency;
mod holders;
mod ip_netns;
mod listing;
mod misuse;
mod private;
mod propagation;
mod refusals;
mod scale;
mod unbind;
mod unprivileged;

use std::path::Path;

use common::*;
use json::*;

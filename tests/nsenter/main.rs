//! `nsenter [options] [<program> [<argument>...]]`: every option and
//! behaviour of the spec, run through the applet link against targets that
//! the tests start in fresh namespaces (as root, and as uid 65534 with
//! `unshare -r`), checked against what the kernel reports from inside
//! (/proc/self/ns/*, hostname, `ip link`, /proc/self/status, cwd,
//! environment, /proc/self/cgroup), side by side with util-linux's nsenter
//! (2.38) where the two should agree, and where nsbox must do better. One
//! file per feature; `helpers` and `custom` hold what they share.
//!
//! The test process never enters or makes a namespace itself (it has
//! threads): util-linux's unshare does, for the targets and for the
//! throwaway mount and PID namespaces that scripts run in. The one change
//! outside them is the transient cgroup of `container::Cgroup`, explained
//! there.

#[path = "../common/mod.rs"]
mod common;
mod container;
mod custom;
mod helpers;
mod terminal;

mod all;
mod as_target;
mod caps;
mod cgroup;
mod confinement;
mod credentials;
mod directories;
mod environment;
mod errors;
mod files;
mod fork;
mod kinds;
mod login_shell;
mod misc;
mod net_socket;
mod nsid;
mod pid_reuse;
mod pristine;
mod pty;
mod seccomp;
mod strict_values;
mod user_parent;

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use container::*;
use custom::*;
use helpers::*;

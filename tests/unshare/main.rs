//! `unshare [options] [<program> [<argument>...]]`: every option, as root and
//! as uid 65534 where the kernel allows it, checked against what the kernel
//! says from inside (/proc/self/ns, uid_map, mountinfo, status, ...), side by
//! side with util-linux's unshare (2.38) where the two should agree, and the
//! places where nsbox must do better. One file per feature; `helpers` holds
//! what they share, and the harness in tests/common the `Scene`.
//!
//! Whatever persists a namespace or mounts runs in a private mount namespace
//! made for the test by util-linux (`Scene::shell_host_pids`,
//! `Scene::private`), so no mount ever reaches the host; the scenes that
//! look for leftover processes also get a PID namespace of their own
//! (`Scene::shell_pidns`), whose end reaps everything.

#[path = "../common/mod.rs"]
mod common;
mod helpers;

mod abbreviations;
mod clean_failure;
mod creating;
mod environment;
mod errors;
mod fork_and_status;
mod help;
mod hostname;
mod ids;
mod login_shell;
mod loopback;
mod maps;
mod mounts;
mod owner;
mod persisting;
mod pidfile;
mod pidfile_safety;
mod pristine;
mod program;
mod root_and_wd;
mod strict_values;
mod time;

use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use common::*;
use helpers::*;

//! The integration tests' harness: a temp dir per test holding links named
//! after the applets, a command builder whose failed expectations print the
//! whole story, and `Target`, a process living in fresh namespaces made by
//! util-linux's unshare (never by the test process itself: it has threads),
//! and `Scene`, the throwaway namespaces that test scripts run in.
//! Everything is re-exported here: `use common::*;` brings it all.
// Each test file uses a different part of the harness.
#![allow(dead_code)]

mod checks;
mod command;
mod output;
mod passwd;
mod procfs;
pub mod scene;
mod target;
mod tempdir;

// Each test binary uses a different part of the harness, so some of
// these re-exports go unused in each.
#[allow(unused_imports)]
pub use checks::{expect, glob, other, pidfd_inode, value};
#[allow(unused_imports)]
pub use command::{cmd, nsbox, via_shell, Cmd};
#[allow(unused_imports)]
pub use output::{Output, Proc};
#[allow(unused_imports)]
pub use passwd::{host_login_argv0, shells_passwd};
#[allow(unused_imports)]
pub use procfs::{
    children, comm, descendants, first_cpu, in_wait, ns, ns_id, open_fds, own_ns, pidfd_kill,
    pidfd_open, proc_status, reading_stdin, state, wait_for_child, NS_GET_ID,
};
#[allow(unused_imports)]
pub use scene::{processes_of, Scene, Who};
#[allow(unused_imports)]
pub use target::{launch, Target, TargetBuilder};
#[allow(unused_imports)]
pub use tempdir::{Env, TempDir};

use std::fmt::Display;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The binary under test.
pub const NSBOX: &str = env!("CARGO_BIN_EXE_nsbox");
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Every applet, as `nsbox --list` prints them.
pub const APPLETS: [&str; 4] = ["nsbind", "nsenter", "setns-test", "unshare"];
/// Every namespace kind, by its /proc/PID/ns/ name.
pub const KINDS: [&str; 8] = ["mnt", "uts", "ipc", "net", "pid", "user", "cgroup", "time"];

/// (kind, short option, long option) of unshare's and nsenter's namespace
/// options, in `KINDS` order.
pub const KIND_OPTIONS: [(&str, &str, &str); 8] = [
    ("mnt", "-m", "--mount"),
    ("uts", "-u", "--uts"),
    ("ipc", "-i", "--ipc"),
    ("net", "-n", "--net"),
    ("pid", "-p", "--pid"),
    ("user", "-U", "--user"),
    ("cgroup", "-C", "--cgroup"),
    ("time", "-T", "--time"),
];

/// The short and long option of a kind.
pub fn options_of(kind: &str) -> (&'static str, &'static str) {
    let (_, short, long) = KIND_OPTIONS.iter().find(|(k, _, _)| *k == kind).unwrap();
    (short, long)
}

/// The unprivileged user the tests drop to.
pub const NOBODY: u32 = 65534;

/// Drops a root shell to uid 65534, as `Cmd::as_user` does.
pub const NB: &str = "setpriv --reuid 65534 --regid 65534 --clear-groups";

/// util-linux's unshare: the fixture that makes namespaces, and the reference
/// for message formats.
pub const UL_UNSHARE: &str = "/usr/bin/unshare";
/// No single command or wait in a test should come near this.
pub const TIMEOUT: Duration = Duration::from_secs(30);

pub static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{prefix}.{}.{n}.{nanos:x}", std::process::id())
}

/// Poll `done` until it holds; panic after `TIMEOUT`, naming what we waited for.
pub fn wait_until(what: impl Display, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + TIMEOUT;
    let mut pause = Duration::from_millis(1);
    while !done() {
        if Instant::now() > deadline {
            panic!("timed out after {TIMEOUT:?} waiting for {what}");
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------- misc

/// Whether `path` is the same file as the binary under test.
pub fn is_nsbox(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    let bin = std::fs::metadata(NSBOX).unwrap();
    meta.dev() == bin.dev() && meta.ino() == bin.ino()
}

/// The binary's canonical path, as /proc/self/exe shows it.
pub fn nsbox_path() -> PathBuf {
    std::fs::canonicalize(NSBOX).unwrap()
}

/// The `Sig*` lines of a /proc/PID/status text, as (name, mask).
pub fn signal_masks(status: &str) -> Vec<(String, u64)> {
    status
        .lines()
        .filter_map(|l| l.split_once(":\t"))
        .filter(|(k, _)| ["SigBlk", "SigIgn", "SigCgt"].contains(k))
        .map(|(k, v)| (k.to_owned(), u64::from_str_radix(v.trim(), 16).unwrap()))
        .collect()
}

/// The bit of `signal` in a /proc signal mask.
pub fn bit(signal: libc::c_int) -> u64 {
    1 << (signal - 1)
}

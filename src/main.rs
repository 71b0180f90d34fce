//! nsbox: one executable, several namespace tools, chosen by the name it runs under.
//!
//! There is no Rust runtime start-up here (`no_main`): the C library calls our
//! `main` directly. Rust's usual start-up polls the standard fds, installs a
//! stack-overflow handler and ignores SIGPIPE, a handful of system calls that
//! a tool which mostly execs something else does not need, and the last of
//! which it would then have to undo before exec.
#![cfg_attr(not(test), no_main)]
// Unit-test builds leave out `main`, so everything is unreachable there.
#![cfg_attr(test, allow(dead_code))]

mod applets;
mod args;
mod cgroup;
mod confine;
mod creds;
mod errno_text;
mod error;
mod exec;
#[cfg(test)]
mod fuzz;
mod helper;
mod idmap;
mod install;
mod mountinfo;
mod multicall;
mod ns;
mod persist;
mod pty;
mod signals;
mod stops;
mod sys;
mod target;
mod userdb;

use std::sync::OnceLock;

static APPLET_NAME: OnceLock<String> = OnceLock::new();

/// The name messages start with: "unshare", "nsenter", ..., or "nsbox".
pub fn applet_name() -> &'static str {
    APPLET_NAME.get().map_or("nsbox", String::as_str)
}

fn set_applet_name(name: &str) {
    let _ = APPLET_NAME.set(name.to_owned());
}

#[cfg(not(test))]
#[no_mangle]
extern "C" fn main(argc: libc::c_int, argv: *const *const libc::c_char) -> libc::c_int {
    use std::ffi::{CStr, OsString};
    use std::os::unix::ffi::OsStringExt;

    let args: Vec<OsString> = (0..argc.max(0) as usize)
        .map(|i| {
            // SAFETY: the C runtime passes argc valid NUL-terminated strings.
            let arg = unsafe { CStr::from_ptr(*argv.add(i)) };
            OsString::from_vec(arg.to_bytes().to_vec())
        })
        .collect();
    // Nothing to flush at exit: every applet writes its output straight to
    // the descriptor (`multicall::print`), never through std's buffer.
    multicall::run(args)
}

//! Error messages stay one line whatever the input: control characters in
//! an echoed argument or path are written as `\xHH`, so no input can split
//! an error line or forge another. And the shape of each rejection: the
//! `Try` hint for command-line mistakes only.

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use common::*;

#[test]
fn a_newline_in_an_option_value_is_escaped() {
    let env = Env::new();
    env.applet("unshare")
        .args(["--propagation", "a\nunshare: forged", "true"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is("unshare: unsupported propagation mode: a\\x0aunshare: forged\n");
    env.applet("nsenter")
        .args(["--uts=:1\r\x1b[2K", "true"])
        .run()
        .code(1)
        .stderr_is("nsenter: failed to parse nsid: 1\\x0d\\x1b[2K\n");
}

#[test]
fn a_newline_in_a_path_is_escaped() {
    let env = Env::new();
    let path = env.dir().join("no\nsetns-test: such");
    env.applet("setns-test")
        .arg(&path)
        .arg("true")
        .run()
        .code(1)
        .stderr_is(&format!(
            "setns-test: cannot open {}/no\\x0asetns-test: such: No such file or directory\n",
            env.dir().display()
        ));
}

#[test]
fn a_newline_in_an_unknown_option_is_escaped_and_hinted() {
    let env = Env::new();
    env.applet("nsbind").arg("--x\ny").run().code(1).stderr_is(
        "nsbind: unrecognized option '--x\\x0ay'\n\
             Try 'nsbind --help' for more information.\n",
    );
    // A C1 control (CSI) is escaped byte by byte, a non-ASCII letter shown whole.
    env.applet("unshare")
        .arg("--\u{9b}31m")
        .run()
        .code(1)
        .stderr_is(
            "unshare: unrecognized option '--\\xc2\\x9b31m'\n\
             Try 'unshare --help' for more information.\n",
        );
    env.applet("unshare").arg("-é").run().code(1).stderr_is(
        "unshare: invalid option -- 'é'\n\
             Try 'unshare --help' for more information.\n",
    );
}

#[test]
fn an_applet_name_with_a_newline_is_escaped() {
    nsbox()
        .arg(OsStr::from_bytes(b"un\nshare"))
        .run()
        .code(127)
        .stderr_is("un\\x0ashare: applet not found\n");
}

#[test]
fn a_missing_nsfile_is_a_usage_error() {
    let env = Env::new();
    for args in [&[][..], &["--type", "uts"], &["--"]] {
        env.applet("setns-test")
            .args(args)
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(
                "setns-test: no namespace file specified\n\
             Try 'setns-test --help' for more information.\n",
            );
    }
}

/// A value an option cannot take is one line, without the hint, as
/// util-linux reports it (errx); a mistake in the command line's shape has
/// the hint (errtryhelp).
#[test]
fn bad_values_have_no_hint() {
    let env = Env::new();
    env.applet("nsbind")
        .args(["--type", "bogus", "/proc/self/ns/uts", "/x"])
        .run()
        .code(1)
        .stderr_line("nsbind: unknown namespace type 'bogus' (expected one of: ");
    env.applet("setns-test")
        .args(["--type=bogus", "/proc/self/ns/uts", "true"])
        .run()
        .code(1)
        .stderr_line("setns-test: unknown namespace type 'bogus'");
    env.applet("unshare")
        .args(["--kill-child=RTMIN+2147483647", "true"])
        .run()
        .code(1)
        .stderr_is("unshare: unknown signal: RTMIN+2147483647\n");
    env.applet("nsbind")
        .args(["--keep", "/a"])
        .run()
        .code(1)
        .stderr_is(
            "nsbind: --keep goes with --unbind\n\
             Try 'nsbind --help' for more information.\n",
        );
}

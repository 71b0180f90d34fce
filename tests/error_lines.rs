//! Error messages stay one line whatever the input: control characters in
//! an echoed argument or path are written as `\xHH`, so no input can split
//! an error line or forge another. And the shape of each rejection: the
//! `Try` hint after whatever the command line alone shows to be wrong, and
//! never after the failure of a later step.

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
        .stderr_is(
            "unshare: unsupported propagation mode: a\\x0aunshare: forged\n\
             Try 'unshare --help' for more information.\n",
        );
    env.applet("nsenter")
        .args(["--uts=:1\r\x1b[2K", "true"])
        .run()
        .code(1)
        .stderr_is(
            "nsenter: failed to parse nsid: 1\\x0d\\x1b[2K\n\
             Try 'nsenter --help' for more information.\n",
        );
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

/// `APPLET ARGS` is refused with `APPLET: MESSAGE` and the hint, status 1,
/// and nothing on stdout.
fn usage_error(env: &Env, applet: &str, args: &[&str], message: &str) {
    env.applet(applet)
        .args(args)
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(&format!(
            "{applet}: {message}\nTry '{applet} --help' for more information.\n"
        ));
}

/// Whatever the parser refuses, from the command line alone, is a usage
/// error, in every applet: an unknown option, a missing or extra operand,
/// a value an option cannot take, options that exclude each other.
#[test]
fn every_rejection_of_the_command_line_has_the_hint() {
    let env = Env::new();
    let uts = "/proc/self/ns/uts";
    // Unknown options and missing arguments: getopt's.
    for applet in ["unshare", "nsenter", "setns-test", "nsbind"] {
        usage_error(&env, applet, &["--bogus"], "unrecognized option '--bogus'");
        usage_error(&env, applet, &["-q"], "invalid option -- 'q'");
    }
    for (applet, option) in [
        ("unshare", "S"),
        ("nsenter", "t"),
        ("setns-test", "-type"),
        ("nsbind", "t"),
    ] {
        let message = match option.strip_prefix('-') {
            Some(long) => format!("option '--{long}' requires an argument"),
            None => format!("option requires an argument -- '{option}'"),
        };
        usage_error(&env, applet, &[&format!("-{option}")], &message);
    }
    // Bad values.
    usage_error(
        &env,
        "unshare",
        &["--propagation", "sideways", "true"],
        "unsupported propagation mode: sideways",
    );
    usage_error(
        &env,
        "unshare",
        &["-S", "4294967296", "true"],
        "failed to parse uid: '4294967296': Numerical result out of range",
    );
    usage_error(
        &env,
        "unshare",
        &["--kill-child=RTMIN+2147483647", "true"],
        "unknown signal: RTMIN+2147483647",
    );
    usage_error(
        &env,
        "unshare",
        &["--map-users=1,2", "true"],
        "invalid mapping '1,2'",
    );
    usage_error(
        &env,
        "nsenter",
        &["-t", "1x", "-u", "true"],
        "failed to parse PID argument '1x': Invalid argument",
    );
    usage_error(
        &env,
        "nsenter",
        &["-N", "x", "true"],
        "failed to parse file descriptor: 'x'",
    );
    let kinds = "user, cgroup, ipc, uts, net, pid, mnt, time";
    let unknown = |what: &str| format!("unknown namespace type 'bogus' (expected one of: {what})");
    usage_error(
        &env,
        "setns-test",
        &["--type=bogus", uts, "true"],
        &unknown(kinds),
    );
    usage_error(
        &env,
        "nsbind",
        &["--type", "bogus", uts, "/x"],
        &unknown(kinds),
    );
    usage_error(
        &env,
        "nsbind",
        &["-t", "1", "bogus", "/x"],
        &unknown(&format!("{kinds}, pid_for_children, time_for_children")),
    );
    // Operands missing or too many.
    usage_error(&env, "setns-test", &[], "no namespace file specified");
    usage_error(&env, "nsbind", &[], "missing operands");
    usage_error(
        &env,
        "nsbind",
        &["--list", "/x"],
        "expected no operands with --list",
    );
    usage_error(&env, "nsenter", &[], "no namespace specified");
    // Options that cannot go together, or need another.
    usage_error(
        &env,
        "unshare",
        &["--monotonic", "1", "true"],
        "options --monotonic and --boottime require unsharing of a time namespace (-T)",
    );
    usage_error(
        &env,
        "unshare",
        &["-r", "--setgroups=allow", "true"],
        "options --setgroups=allow and --map-group are mutually exclusive",
    );
    usage_error(
        &env,
        "nsenter",
        &["-w", "-W/", "true"],
        "mutually exclusive arguments: --wd --wdns",
    );
    usage_error(&env, "nsenter", &["-u", "true"], "no target PID specified");
    usage_error(
        &env,
        "nsenter",
        &[&format!("--uts={uts}"), "-e", "true"],
        "neither filename nor target pid supplied for environ",
    );
    usage_error(
        &env,
        "nsbind",
        &["--keep", "/a"],
        "--keep goes with --unbind",
    );
}

/// What fails after the command line was read is one line, without the
/// hint: a name the system does not know, a file that cannot be opened or
/// is of the wrong kind, a namespace that cannot be entered, nothing left
/// to enter.
#[test]
fn later_failures_keep_one_line() {
    let env = Env::new();
    let missing = env.dir().join("missing");
    let missing = missing.to_str().unwrap();
    let one_line = |applet: &str, args: &[&str], message: &str| {
        env.applet(applet)
            .args(args)
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(&format!("{applet}: {message}\n"));
    };
    one_line(
        "unshare",
        &["--map-user=nsbox-no-such-user", "true"],
        "failed to parse uid: 'nsbox-no-such-user'",
    );
    one_line(
        "setns-test",
        &[missing, "true"],
        &format!("cannot open {missing}: No such file or directory"),
    );
    one_line(
        "setns-test",
        &["--type=net", "/proc/self/ns/uts", "true"],
        "/proc/self/ns/uts is a uts namespace, not net",
    );
    one_line(
        "nsenter",
        &[&format!("--uts={missing}"), "true"],
        &format!("cannot open {missing}: No such file or directory"),
    );
    // --all where every namespace of the target is already ours: the
    // command line was good, the target leaves nothing to enter.
    let me = std::process::id().to_string();
    one_line(
        "nsenter",
        &["-a", "-t", &me, "true"],
        "no namespace specified",
    );
    one_line(
        "nsbind",
        &["--unbind", missing],
        &format!("cannot open {missing}: No such file or directory"),
    );
}

//! The getopt-compatible option parser, seen through the applets, and
//! compared with util-linux where the two share an option shape.

mod common;

use common::*;

/// Joining one's own UTS namespace changes nothing: a harmless NSFILE for
/// tests about the command line.
const OWN_UTS: &str = "/proc/self/ns/uts";

const TRY: &str = "Try 'setns-test --help' for more information.\n";

fn usage_error(out: &Output, message: &str) {
    out.code(1)
        .stdout_is("")
        .stderr_is(&format!("setns-test: {message}\n{TRY}"));
}

#[test]
fn unique_long_prefix_with_attached_value() {
    let env = Env::new();
    env.applet("setns-test")
        .args(["--ty=uts", OWN_UTS, "echo", "ran"])
        .run()
        .success()
        .stdout_is("ran\n")
        .stderr_is("");
    env.applet("setns-test")
        .args(["--ty", "uts", OWN_UTS, "echo", "ran"])
        .run()
        .success()
        .stdout_is("ran\n");
    // The value really reached the applet: a wrong one is refused.
    env.applet("setns-test")
        .args(["--ty=net", OWN_UTS, "echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is("setns-test: /proc/self/ns/uts is a uts namespace, not net\n");
}

#[test]
fn missing_argument() {
    let env = Env::new();
    usage_error(
        &env.applet("setns-test").arg("--type").run(),
        "option '--type' requires an argument",
    );
    usage_error(
        &env.applet("setns-test").arg("--ty").run(),
        "option '--type' requires an argument",
    );
}

#[test]
fn unrecognized_long_option() {
    let env = Env::new();
    usage_error(
        &env.applet("setns-test").args(["--x", OWN_UTS]).run(),
        "unrecognized option '--x'",
    );
    usage_error(
        &env.applet("setns-test").args(["--x=3", OWN_UTS]).run(),
        "unrecognized option '--x=3'",
    );
}

#[test]
fn invalid_short_option() {
    let env = Env::new();
    usage_error(
        &env.applet("setns-test").args(["-q", OWN_UTS]).run(),
        "invalid option -- 'q'",
    );
    // Inside a bundle, too: flags are taken in order, so it comes first.
    usage_error(
        &env.applet("setns-test").args(["-qV", OWN_UTS]).run(),
        "invalid option -- 'q'",
    );
}

#[test]
fn flag_with_an_argument() {
    let env = Env::new();
    usage_error(
        &env.applet("setns-test").arg("--help=3").run(),
        "option '--help' doesn't allow an argument",
    );
    usage_error(
        &env.applet("setns-test").arg("--vers=x").run(),
        "option '--version' doesn't allow an argument",
    );
}

#[test]
fn bundled_flags_first_wins() {
    let env = Env::new();
    let help = env.applet("setns-test").arg("-hV").run();
    help.success()
        .stderr_is("")
        .stdout_has("Usage:\n setns-test ")
        .stdout_has("--type <type>")
        .check(!help.stdout().contains("from nsbox"), "version printed too");
    env.applet("setns-test")
        .arg("-Vh")
        .run()
        .success()
        .stdout_is(&format!("setns-test from nsbox {VERSION}\n"));
}

#[test]
fn help_and_version_long_prefixes() {
    let env = Env::new();
    env.applet("setns-test")
        .arg("--h")
        .run()
        .success()
        .stdout_has("Usage:\n setns-test ");
    env.applet("setns-test")
        .arg("--vers")
        .run()
        .success()
        .stdout_is(&format!("setns-test from nsbox {VERSION}\n"));
}

#[test]
fn parsing_stops_at_the_first_operand() {
    let env = Env::new();
    env.applet("setns-test")
        .args([OWN_UTS, "sh", "-c", r#"echo "$@""#, "x", "--type", "-h"])
        .run()
        .success()
        .stdout_is("--type -h\n")
        .stderr_is("");
    // Even the program's name may look like an option once NSFILE is seen.
    env.applet("setns-test")
        .args([OWN_UTS, "--version"])
        .run()
        .code(127)
        .stdout_is("")
        .stderr_is("setns-test: failed to execute --version: No such file or directory\n");
}

#[test]
fn double_dash_ends_options() {
    let env = Env::new();
    env.applet("setns-test")
        .args(["--", OWN_UTS, "echo", "ran"])
        .run()
        .success()
        .stdout_is("ran\n");
    env.applet("setns-test")
        .args(["--type", "uts", "--", OWN_UTS, "echo", "ran"])
        .run()
        .success()
        .stdout_is("ran\n");
    // After `--`, an option-like word is the NSFILE.
    env.applet("setns-test")
        .args(["--", "--type"])
        .current_dir(env.dir())
        .run()
        .code(1)
        .stderr_is("setns-test: cannot open --type: No such file or directory\n");
}

#[test]
fn lone_dash_is_an_operand() {
    let env = Env::new();
    env.applet("setns-test")
        .args(["-", "true"])
        .current_dir(env.dir())
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is("setns-test: cannot open -: No such file or directory\n");
}

#[test]
fn help_lists_every_option() {
    let env = Env::new();
    let out = env.applet("setns-test").arg("--help").run();
    out.success()
        .stderr_is("")
        .stdout_has("Usage:\n setns-test [options] <nsfile> [<program> [<argument>...]]\n")
        .stdout_has("     --type <type>")
        .stdout_has(" -h, --help")
        .stdout_has(" -V, --version");
}

/// Our unshare's parser and util-linux's print the same messages, byte for
/// byte, when both see the same malformed option.
#[test]
fn messages_match_util_linux() {
    let env = Env::new();
    for bad in [
        "--x", "--x=3", "-q", "-qV", "--help=3", "--vers=1", "--type",
    ] {
        let theirs = cmd(UL_UNSHARE).arg0("unshare").arg(bad).run();
        let ours = env.applet("unshare").arg(bad).run();
        theirs.code(1).stdout_is("");
        ours.code(1)
            .stdout_is("")
            .stderr_is(&theirs.stderr())
            .stderr_has("Try 'unshare --help' for more information.\n");
    }
}

//! Errors: one-line messages and exit statuses for bad input and refused
//! requests, side by side with util-linux's where they should agree.

use super::*;

/// `ARGS echo ran` fails with exactly `message` and status 1; util-linux
/// says the same where `ul` is set.
fn fails(s: &Scene, args: &[&str], message: &str, ul: bool) {
    failure(s, args, message, "", ul);
}

/// `ARGS echo ran` is refused as a usage error: `message`, then the hint.
/// util-linux gives the same message where `ul` is set, without the hint:
/// it has none for a bad value or a combination of options.
fn refused(s: &Scene, args: &[&str], message: &str, ul: bool) {
    failure(s, args, message, TRY, ul);
}

const TRY: &str = "Try 'unshare --help' for more information.\n";

fn failure(s: &Scene, args: &[&str], message: &str, hint: &str, ul: bool) {
    let message = format!("unshare: {message}\n");
    s.private("unshare")
        .args(args)
        .args(["echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(&format!("{message}{hint}"));
    if ul {
        s.ul_private()
            .args(args)
            .args(["echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(&message);
    }
}

#[test]
fn bad_ids() {
    let s = Scene::new();
    refused(&s, &["-S", "abc"], "failed to parse uid: 'abc'", true);
    refused(&s, &["-G", "abc"], "failed to parse gid: 'abc'", true);
    // A name is looked up once the command line is known good: not
    // finding it is no mistake in the command line.
    fails(
        &s,
        &["--map-user=nsbox-no-such-user"],
        "failed to parse uid: 'nsbox-no-such-user'",
        true,
    );
    fails(
        &s,
        &["--map-group=nsbox-no-such-group"],
        "failed to parse gid: 'nsbox-no-such-group'",
        true,
    );
}

#[test]
fn bad_values() {
    let s = Scene::new();
    refused(
        &s,
        &["--setgroups", "foo"],
        "unsupported --setgroups argument 'foo'",
        true,
    );
    refused(
        &s,
        &["-m", "--propagation", "foo"],
        "unsupported propagation mode: foo",
        true,
    );
    refused(&s, &["--kill-child=FOO"], "unknown signal: FOO", true);
    refused(
        &s,
        &["--kill-child=RTMIN+999"],
        "unknown signal: RTMIN+999",
        false,
    );
    for owner in ["1", "a:b", "1:2x", ":"] {
        refused(&s, &["--owner", owner], "failed to parse owner", false);
    }
    for map in ["--map-users=1,2", "--map-groups=1,2"] {
        refused(&s, &[map], "invalid mapping '1,2'", false);
    }
    refused(&s, &["--map-users=a:b:c"], "invalid mapping 'a:b:c'", false);
}

#[test]
fn time_offsets() {
    let s = Scene::new();
    let needs_t = "options --monotonic and --boottime require unsharing of a time namespace (-T)";
    refused(&s, &["--monotonic", "5"], needs_t, false);
    refused(&s, &["--boottime", "5"], needs_t, false);
    refused(
        &s,
        &["-T", "--monotonic", "x"],
        "failed to parse monotonic offset: 'x'",
        true,
    );
    refused(
        &s,
        &["-T", "--boottime", "x"],
        "failed to parse boottime offset: 'x'",
        true,
    );
}

#[test]
fn setgroups_allow_with_map_group() {
    let s = Scene::new();
    let message = "options --setgroups=allow and --map-group are mutually exclusive";
    refused(&s, &["-r", "--setgroups", "allow"], message, true);
    refused(&s, &["--map-group=0", "--setgroups=allow"], message, true);
}

#[test]
fn missing_directories() {
    let s = Scene::new();
    for fork in [&[][..], &["--fork"]] {
        let mut args = vec!["-R", "/nonexistent"];
        args.extend(fork);
        fails(
            &s,
            &args,
            "cannot change root directory to '/nonexistent': No such file or directory",
            true,
        );
        let mut args = vec!["-w", "/nonexistent"];
        args.extend(fork);
        fails(
            &s,
            &args,
            "cannot change directory to /nonexistent: No such file or directory",
            false,
        );
        let mut args = vec!["--mount-proc=/nonexistent"];
        args.extend(fork);
        fails(
            &s,
            &args,
            "mount /nonexistent failed: No such file or directory",
            true,
        );
    }
}

/// uid 65534 without a user namespace: EPERM for every other kind, as
/// util-linux says it.
#[test]
fn unprivileged_needs_a_user_namespace() {
    let s = Scene::new();
    for (kind, short, _) in KIND_OPTIONS {
        if kind == "user" {
            continue;
        }
        for unshare in [cmd(s.unshare_link()), cmd(UL_UNSHARE)] {
            unshare
                .as_user(NOBODY)
                .args([short, "echo", "ran"])
                .run()
                .code(1)
                .stdout_is("")
                .stderr_is("unshare: unshare failed: Operation not permitted\n");
        }
    }
}

/// Called as `nsbox unshare`, the messages still name the applet, those
/// of helper processes included.
#[test]
fn messages_name_the_applet_under_nsbox() {
    let s = Scene::new();
    nsbox()
        .args(["unshare", "-S", "abc", "echo", "ran"])
        .run()
        .code(1)
        .stderr_is(&format!("unshare: failed to parse uid: 'abc'\n{TRY}"));
    // Root's map is written by a helper; the kernel refuses this one.
    nsbox()
        .args([
            "unshare",
            "--map-users=0:0:10",
            "--map-users=5:100:10",
            "echo",
            "ran",
        ])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_line("unshare: ");
    s.shell_host_pids(
        r#"nsbox unshare --uts="$D/w/f" true; nsbox unshare --uts="$D/w/f" echo ran"#,
    )
    .env(
        "PATH",
        format!(
            "{}:/usr/bin:/bin",
            Path::new(NSBOX).parent().unwrap().display()
        ),
    )
    .run()
    .stdout_is("")
    .stderr_line("unshare: ");
}

/// --owner changes ids, which only root may.
#[test]
fn owner_unprivileged() {
    let s = Scene::new();
    s.unshare()
        .as_user(NOBODY)
        .args(["--owner", "0:0", "echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_line("unshare: ")
        .stderr_has("Operation not permitted");
}

/// getopt's messages, as util-linux prints them.
#[test]
fn usage_errors_match_util_linux() {
    let s = Scene::new();
    for bad in [
        &["--bogus"][..],
        &["-q"],
        &["-uFILE"],
        &["-u=x"],
        &["--setgroups"],
        &["--propagation"],
        &["-S"],
        &["--fork=1"],
        &["--map-root-user=1"],
    ] {
        let theirs = cmd(UL_UNSHARE).arg0("unshare").args(bad).run();
        theirs.code(1).stdout_is("");
        s.unshare()
            .args(bad)
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(&theirs.stderr())
            .stderr_has("Try 'unshare --help' for more information.\n");
    }
}

/// Short namespace options take no argument; bundles work.
#[test]
fn short_options_bundle() {
    let s = Scene::new();
    let out = s.unshare().args(["-ui"]).args(readlink_all()).run();
    out.success();
    assert_eq!(new_kinds(&out), ["uts", "ipc"]);
}

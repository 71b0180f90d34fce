//! Errors: one-line messages and exit statuses for bad input and refused
//! requests, side by side with util-linux's where they should agree.

use super::*;

/// `ARGS echo ran` fails with exactly `message` and status 1; util-linux
/// 2.38 says the same where `ul` is set.
fn fails(env: &Env, args: &[&str], message: &str, ul: bool) {
    failure(env, args, message, "", ul);
}

/// `ARGS echo ran` is refused as a usage error: `message`, then the hint.
/// util-linux 2.38 gives the same message where `ul` is set, without the
/// hint: it has none for a bad value or a missing target.
fn refused(env: &Env, args: &[&str], message: &str, ul: bool) {
    failure(env, args, message, TRY, ul);
}

fn failure(env: &Env, args: &[&str], message: &str, hint: &str, ul: bool) {
    let message = format!("nsenter: {message}\n");
    nsenter(env)
        .args(args)
        .args(["echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(&format!("{message}{hint}"));
    if ul {
        ul_nsenter()
            .args(args)
            .args(["echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(&message);
    }
}

#[test]
fn no_such_pid() {
    let env = Env::new();
    let pid = unused_pid().to_string();
    fails(
        &env,
        &["-t", &pid, "-u"],
        &format!("cannot open /proc/{pid}/ns/uts: No such file or directory"),
        true,
    );
    fails(
        &env,
        &["-t", &pid, "-n", "-u"],
        &format!("cannot open /proc/{pid}/ns/uts: No such file or directory"),
        true,
    );
}

#[test]
fn not_a_pid() {
    let env = Env::new();
    for word in ["abc", "12x", "-3"] {
        refused(
            &env,
            &["-t", word, "-u"],
            &format!("failed to parse PID argument '{word}': Invalid argument"),
            false,
        );
    }
}

/// A file that is no namespace, one of the wrong kind: refused before
/// anything is entered, with the message setns(2) would have given.
#[test]
fn not_a_namespace_or_wrong_kind() {
    let env = Env::new();
    let target = Target::new(&["uts", "net"]);
    let pid = target.pid().to_string();
    let net = target.ns_path("net");
    fails(
        &env,
        &["--uts=/etc/passwd"],
        "reassociate to namespace 'ns/uts' failed: Invalid argument",
        true,
    );
    fails(
        &env,
        &[&format!("--uts={net}")],
        "reassociate to namespace 'ns/uts' failed: Invalid argument",
        true,
    );
    fails(
        &env,
        &["-t", &pid, "-n", &format!("--pid={net}")],
        "reassociate to namespace 'ns/pid' failed: Invalid argument",
        true,
    );
    // A directory, and a FIFO, which must not block the open.
    let fifo = env.tmp().join("fifo");
    let c_fifo = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_fifo.as_ptr(), 0o644) }, 0);
    for path in [env.dir().to_path_buf(), fifo] {
        fails(
            &env,
            &[&format!("--net={}", path.display())],
            "reassociate to namespace 'ns/net' failed: Invalid argument",
            false,
        );
    }
}

#[test]
fn missing_file() {
    let env = Env::new();
    let missing = env.tmp().join("missing");
    fails(
        &env,
        &[&format!("--uts={}", missing.display())],
        &format!(
            "cannot open {}: No such file or directory",
            missing.display()
        ),
        true,
    );
}

/// Options that take what they need from a target, without one.
#[test]
fn no_target() {
    let env = Env::new();
    let uts = "--uts=/proc/self/ns/uts";
    // (util-linux 2.38 says "neither filename nor target pid supplied
    // for ns/uts" here; 2.42 says what the spec says.)
    refused(&env, &["-u"], "no target PID specified", false);
    refused(&env, &["--net"], "no target PID specified", false);
    refused(&env, &["-a"], "no target PID specified", false);
    refused(&env, &["-N", "3"], "no target PID specified", false);
    refused(&env, &[uts, "-n"], "no target PID specified", false);
    let cases = [
        ("-r", "root", true),
        ("-w", "cwd", true),
        ("-e", "environ", false),
        ("-c", "cgroup", false),
    ];
    for (option, what, ul) in cases {
        refused(
            &env,
            &[uts, option],
            &format!("neither filename nor target pid supplied for {what}"),
            ul,
        );
    }
}

/// The same options with no namespace at all: util-linux (2.38 and
/// 2.42 alike) complains about the missing target first, and so does
/// the spec.
#[test]
fn no_target_and_no_namespace() {
    let env = Env::new();
    for (option, what) in [("-r", "root"), ("-w", "cwd")] {
        refused(
            &env,
            &[option],
            &format!("neither filename nor target pid supplied for {what}"),
            true,
        );
    }
    for (option, what) in [("-e", "environ"), ("-c", "cgroup")] {
        refused(
            &env,
            &[option],
            &format!("neither filename nor target pid supplied for {what}"),
            false,
        );
    }
}

/// `nsenter -t PID` enters nothing: an error, where util-linux 2.38
/// runs a shell.
#[test]
fn no_namespace() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let pid = target.pid().to_string();
    for args in [&["-t", &pid][..], &["-t", &pid, "-S", "0"], &[]] {
        nsenter(&env)
            .args(args)
            .stdin("echo shell-ran\n")
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(&format!("nsenter: no namespace specified\n{TRY}"));
    }
    ul_nsenter()
        .args(["-t", &pid])
        .stdin("echo shell-ran\n")
        .run()
        .success()
        .stdout_is("shell-ran\n");
}

/// -t twice: refused, where util-linux 2.38 takes the last.
#[test]
fn target_twice() {
    let env = Env::new();
    let a = Target::new(&["uts"]);
    let b = Target::new(&["uts"]);
    let (pa, pb) = (a.pid().to_string(), b.pid().to_string());
    refused(
        &env,
        &["-t", &pa, "-t", &pb, "-u"],
        "option --target may be given only once",
        false,
    );
    refused(
        &env,
        &["-t", &pa, &format!("--target={pa}"), "-u"],
        "option --target may be given only once",
        false,
    );
    ul_nsenter()
        .args(["-t", &pa, "-t", &pb, "-u", "hostname"])
        .run()
        .success()
        .stdout_is(&format!("{}\n", b.hostname()));
}

/// Our own user namespace cannot be entered (EINVAL); util-linux agrees.
#[test]
fn own_user_namespace() {
    let env = Env::new();
    let me = std::process::id().to_string();
    fails(
        &env,
        &["-t", &me, "-U"],
        "reassociate to namespace 'ns/user' failed: Invalid argument",
        true,
    );
    fails(
        &env,
        &["--user=/proc/self/ns/user"],
        "reassociate to namespace 'ns/user' failed: Invalid argument",
        true,
    );
}

/// uid 65534 may not enter root's namespaces: EPERM, for one kind and
/// for several at once. (util-linux 2.38 cannot even open them.)
#[test]
fn unprivileged_into_roots_target() {
    let env = Env::new();
    let target = Target::new(&["uts", "net", "user"]);
    let pid = target.pid().to_string();
    let cases: [(&[&str], &str); 4] = [
        (&["-u"], "reassociate to namespace 'ns/uts' failed"),
        (&["-U"], "reassociate to namespace 'ns/user' failed"),
        (&["-u", "-n"], "reassociate to namespaces failed"),
        (&["-U", "-u"], "reassociate to namespaces failed"),
    ];
    for (args, message) in cases {
        nsenter(&env)
            .as_user(NOBODY)
            .args(["-t", &pid])
            .args(args)
            .args(["echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(&format!("nsenter: {message}: Operation not permitted\n"));
    }
    ul_nsenter()
        .as_user(NOBODY)
        .args(["-t", &pid, "-u", "echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(&format!(
            "nsenter: cannot open /proc/{pid}/ns/uts: Permission denied\n"
        ));
}

/// 127 for a program that is not there, 126 for one that cannot run,
/// on both paths; util-linux agrees.
#[test]
fn program_not_found_or_not_executable() {
    let env = Env::new();
    let target = Target::new(&["uts", "pid"]);
    let pid = target.pid().to_string();
    let script = env.tmp().write("script", "#!/bin/sh\necho ran\n", 0o644);
    let missing = env.tmp().join("missing");
    for program in both_paths(&env) {
        for option in ["-u", "-p"] {
            cmd(&program)
                .args(["-t", &pid, option, "nsbox-no-such-command"])
                .run()
                .code(127)
                .stdout_is("")
                .stderr_is(
                    "nsenter: failed to execute nsbox-no-such-command: No such file or directory\n",
                );
            cmd(&program)
                .args(["-t", &pid, option])
                .arg(&missing)
                .run()
                .code(127)
                .stdout_is("")
                .stderr_is(&format!(
                    "nsenter: failed to execute {}: No such file or directory\n",
                    missing.display()
                ));
            cmd(&program)
                .args(["-t", &pid, option])
                .arg(&script)
                .run()
                .code(126)
                .stdout_is("")
                .stderr_is(&format!(
                    "nsenter: failed to execute {}: Permission denied\n",
                    script.display()
                ));
        }
    }
}

#[test]
fn bad_ids_for_setuid_and_setgid() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let pid = target.pid().to_string();
    refused(
        &env,
        &["-t", &pid, "-u", "-S", "x"],
        "failed to parse uid: 'x'",
        true,
    );
    refused(
        &env,
        &["-t", &pid, "-u", "-G", "x"],
        "failed to parse gid: 'x'",
        true,
    );
}

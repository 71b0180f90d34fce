//! SIGHUP to the waiting parent goes on to the child, which decides; the
//! parent then ends as the child does, instead of dying at once and leaving
//! the program running. A hangup the kernel sends to the whole foreground
//! process group reaches the child once, not twice; the hangup of the
//! terminal, which the kernel sends to the session leader alone, reaches it
//! through the parent.

use super::*;

/// Every way of forking, running `sh -c SCRIPT sh ARGS...`.
fn parents(env: &Env, target: &Target, script: &str, args: &[&str]) -> Vec<Cmd> {
    let program = |cmd: Cmd| cmd.args(["sh", "-c", script, "sh"]).args(args);
    let pid = target.pid().to_string();
    vec![
        program(env.applet("unshare").arg("-f")),
        program(env.applet("unshare").arg("--forward-signals")),
        program(env.applet("unshare").arg("--kill-child")),
        program(env.applet("nsenter").args(["-t", &pid, "-p"])),
        program(env.applet("setns-test").arg(target.ns_path("pid"))),
    ]
}

/// The child does not handle SIGHUP: it dies of it, and so does the parent.
#[test]
fn hangup_kills_child_and_parent() {
    let env = Env::new();
    let target = Target::new(&["pid"]);
    for parent in parents(&env, &target, "exec sleep 600", &[]) {
        let proc = parent.spawn();
        let child = program_of(proc.pid(), "sleep", false);
        let _left = Leftovers::of(&[child]);
        signal(proc.pid(), libc::SIGHUP);
        wait_until(format!("the child ({child}) to die of SIGHUP"), || {
            ended(child)
        });
        proc.wait().signal(libc::SIGHUP).stderr_is("");
    }
}

/// The child handles SIGHUP and goes on: the parent lives on, and exits
/// later with the child's status.
#[test]
fn hangup_handled_by_the_child() {
    let env = Env::new();
    let target = Target::new(&["pid"]);
    let script = r#"trap 'touch "$1"' HUP
        sleep 600 & wait
        kill $!
        read line; exit "$line""#;
    for (n, parent) in parents(&env, &target, script, &[]).into_iter().enumerate() {
        let marker = env.tmp().join(format!("hup{n}"));
        let proc = parent.arg(&marker).stdin("5\n").spawn();
        let child = program_of(proc.pid(), "sh", false);
        let _left = Leftovers::of(&[child]);
        // Waiting for the sleep: a trap run any earlier would leave the
        // shell to wait for the sleep's end.
        wait_until("the trap, and the wait for the sleep", || {
            mask(child, "SigCgt") & bit(libc::SIGHUP) != 0 && in_wait(child)
        });
        signal(proc.pid(), libc::SIGHUP);
        wait_until("the child's trap to run", || marker.exists());
        proc.wait().code(5).stderr_is("");
    }
}

/// The child ignores SIGHUP: the parent must not die of it either.
#[test]
fn hangup_ignored_by_the_child() {
    let env = Env::new();
    let target = Target::new(&["pid"]);
    let script = r#"trap '' HUP
        until [ -e "$1" ]; do sleep 0.01; done
        exit 6"#;
    for (n, parent) in parents(&env, &target, script, &[]).into_iter().enumerate() {
        let marker = env.tmp().join(format!("go{n}"));
        let proc = parent.arg(&marker).spawn();
        let parent = proc.pid();
        let child = program_of(parent, "sh", false);
        let _left = Leftovers::of(&[child]);
        wait_until("the child to ignore SIGHUP", || {
            mask(child, "SigIgn") & bit(libc::SIGHUP) != 0
        });
        signal(parent, libc::SIGHUP);
        wait_until("the parent to take the signal", || {
            (mask(parent, "SigPnd") | mask(parent, "ShdPnd")) & bit(libc::SIGHUP) == 0
        });
        std::fs::write(&marker, "").unwrap();
        proc.wait().code(6).stderr_is("");
    }
}

/// Under nohup, SIGHUP stays ignored by the parent, as by the program.
#[test]
fn hangup_ignored_by_our_caller_stays_ignored() {
    let env = Env::new();
    let mut proc = env
        .applet("unshare")
        .args(["-f", "sh", "-c", READ_THEN_7])
        .ignore_signal(libc::SIGHUP)
        .stdin_pipe()
        .spawn();
    let parent = proc.pid();
    let child = program_of(parent, "sh", true);
    assert_ne!(mask(parent, "SigIgn") & bit(libc::SIGHUP), 0);
    assert_eq!(mask(parent, "SigCgt") & bit(libc::SIGHUP), 0);
    assert_ne!(mask(child, "SigIgn") & bit(libc::SIGHUP), 0);
    signal(parent, libc::SIGHUP);
    proc.close_stdin();
    proc.wait().code(7).stderr_is("");
}

/// perl counts the SIGHUPs it gets (a shell's trap only notes that one
/// came): it says it is ready by creating `$ARGV[0]`, waits for the first,
/// half a second more for a second one, and prints the count.
const COUNT_HANGUPS: &str = r#"$n = 0; $SIG{HUP} = sub { $n++ };
    open(my $f, ">", $ARGV[0]) or die; close($f);
    select(undef, undef, undef, 0.02) until $n;
    select(undef, undef, undef, 0.5);
    print "got $n\n";"#;

/// The terminal hangs up (its master is closed): the kernel sends SIGHUP to
/// the session leader alone, here the parent, which passes it on.
fn terminal_hangup(mode: &str) {
    let env = Env::new();
    let (master, slave) = pty();
    let ready = env.tmp().join("ready");
    let proc = in_pid_ns(&env, &slave, r#"setsid -c "$UNSHARE" "$@"; echo "rc=$?""#)
        .arg(mode)
        .args(["perl", "-e", COUNT_HANGUPS])
        .arg(&ready)
        .spawn();
    drop(slave);
    wait_until("perl to be ready", || ready.exists());
    drop(master);
    proc.wait().success().stdout_is("got 1\nrc=0\n");
}

#[test]
fn terminal_hangup_reaches_the_child() {
    terminal_hangup("-f");
}

#[test]
fn terminal_hangup_reaches_the_child_forwarding() {
    terminal_hangup("--forward-signals");
}

/// The session leader exits: the kernel sends SIGHUP to the foreground
/// process group, parent and child alike, so the parent must not pass it
/// on a second time. The parent ends as the child did; the script, whose
/// child it has become, waits for that.
#[test]
fn session_leader_exit_hangs_up_the_child_once() {
    let env = Env::new();
    let (master, slave) = pty();
    let ready = env.tmp().join("ready");
    let script = r#"
        setsid -c sh -c '"$UNSHARE" "$@" & echo $! >"$D/parent"
            until [ -e "$READY" ]; do sleep 0.01; done' sh "$@"
        p=$(cat "$D/parent")
        while [ -e "/proc/$p" ] && [ "$(cut -d' ' -f3 "/proc/$p/stat")" != Z ]; do
            sleep 0.01
        done"#;
    let proc = in_pid_ns(&env, &slave, script)
        .env("READY", &ready)
        .args(["-f", "perl", "-e", COUNT_HANGUPS])
        .arg(&ready)
        .spawn();
    drop(slave);
    proc.wait().success().stdout_is("got 1\n");
    drop(master);
}

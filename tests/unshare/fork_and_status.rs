//! `--fork`, `--kill-child`, exit statuses and signals: the child's end
//! becomes unshare's, and signals reach the child.

use super::*;

#[test]
fn without_fork_the_program_replaces_unshare() {
    let s = Scene::new();
    let proc = s.unshare().args(["-u", "sh", "-c", "echo $$"]).spawn();
    let pid = proc.pid();
    proc.wait().success().stdout_is(&format!("{pid}\n"));
}

#[test]
fn fork_runs_the_program_as_a_child() {
    let s = Scene::new();
    for option in ["-f", "--fork", "--kill-child", "--forward-signals"] {
        let proc = s
            .unshare()
            .args(["-u", option, "sh", "-c", "echo $PPID"])
            .spawn();
        let pid = proc.pid();
        proc.wait().success().stdout_is(&format!("{pid}\n"));
    }
}

#[test]
fn exit_status_passes_through() {
    let s = Scene::new();
    for unshare in [cmd(s.unshare_link()), cmd(UL_UNSHARE)] {
        unshare
            .args(["-u", "--fork", "sh", "-c", "exit 42"])
            .run()
            .code(42)
            .stderr_is("");
    }
    s.unshare()
        .args(["-u", "sh", "-c", "exit 42"])
        .run()
        .code(42);
    s.unshare().args(["-f", "true"]).run().success();
    s.unshare()
        .args(["-f", "false"])
        .run()
        .code(1)
        .stderr_is("");
}

/// The child's death by a signal is re-raised: the shell sees 128+N.
#[test]
fn child_killed_by_sigterm_gives_143() {
    let s = Scene::new();
    let args = ["-u", "--fork", "sh", "-c", "kill -TERM $$"];
    s.unshare()
        .args(args)
        .run()
        .signal(libc::SIGTERM)
        .stderr_is("");
    via_shell(s.unshare_link(), &args)
        .run()
        .success()
        .stdout_is("143\n");
    via_shell(UL_UNSHARE, &args)
        .run()
        .success()
        .stdout_is("143\n");
}

#[test]
fn child_killed_by_sigkill_gives_137() {
    let s = Scene::new();
    let args = ["-u", "--fork", "sh", "-c", "kill -KILL $$"];
    s.unshare()
        .args(args)
        .run()
        .signal(libc::SIGKILL)
        .stderr_is("");
    via_shell(s.unshare_link(), &args)
        .run()
        .success()
        .stdout_is("137\n");
    // (util-linux 2.38 fails here: "sigprocmask unblock failed".)
}

/// With --fork and without --forward-signals, SIGINT and SIGTERM sent to
/// unshare stay blocked in it: the child decides, and its status is ours.
fn parent_blocks(unshare: Cmd) {
    let mut proc = unshare
        .args(["-u", "--fork", "sh", "-c", "read x; exit 5"])
        .stdin_pipe()
        .spawn();
    let parent = proc.pid();
    let child = wait_for_child(parent);
    wait_until("the child to read its stdin", || reading_stdin(child));
    let blocked = mask(parent, "SigBlk");
    assert_eq!(
        blocked & (bit(libc::SIGINT) | bit(libc::SIGTERM)),
        bit(libc::SIGINT) | bit(libc::SIGTERM),
        "SigBlk of the waiting unshare is {blocked:#x}"
    );
    proc.signal(libc::SIGTERM);
    proc.signal(libc::SIGINT);
    wait_until("SIGTERM and SIGINT to be pending in unshare", || {
        let pending = mask(parent, "ShdPnd");
        pending & bit(libc::SIGTERM) != 0 && pending & bit(libc::SIGINT) != 0
    });
    assert!(!proc.has_exited(), "unshare died of a blocked signal");
    assert!(reading_stdin(child), "the child was disturbed");
    proc.close_stdin();
    proc.wait().code(5).stderr_is("");
}

#[test]
fn parent_blocks_sigint_and_sigterm() {
    let s = Scene::new();
    parent_blocks(s.unshare());
    parent_blocks(cmd(UL_UNSHARE));
}

/// Traps the signal named by $1, reports it and exits 7.
const TRAPPER: &str = r#"trap 'kill $!; wait; echo "got $1"; exit 7' "$1"
        sleep 600 &
        wait"#;

fn forwards(signal: libc::c_int, name: &str) {
    let s = Scene::new();
    let proc = s
        .unshare()
        .args(["-u", "--forward-signals", "sh", "-c", TRAPPER, "sh", name])
        .spawn();
    let child = wait_for_child(proc.pid());
    // Only once sh sits in `wait`: a signal trapped before would be
    // handled only when `wait` returns, in 600 s.
    wait_until("the trap, the sleep and the wait", || {
        comm(child).as_deref() == Some("sh")
            && mask(child, "SigCgt") & bit(signal) != 0
            && children(child)
                .first()
                .is_some_and(|&c| comm(c).as_deref() == Some("sleep"))
            && in_wait(child)
    });
    proc.signal(signal);
    proc.wait()
        .code(7)
        .stdout_is(&format!("got {name}\n"))
        .stderr_is("");
}

#[test]
fn forward_signals_sigterm_reaches_the_child() {
    forwards(libc::SIGTERM, "TERM");
}

#[test]
fn forward_signals_sigint_reaches_the_child() {
    forwards(libc::SIGINT, "INT");
}

/// A child that does not catch the forwarded SIGTERM dies of it, and so
/// does unshare.
#[test]
fn forward_signals_untrapped_kills_both() {
    let s = Scene::new();
    let proc = s
        .unshare()
        .args(["--forward-signals", "sleep", "600"])
        .spawn();
    let child = wait_for_child(proc.pid());
    wait_until("sleep to run", || comm(child).as_deref() == Some("sleep"));
    proc.signal(libc::SIGTERM);
    proc.wait().signal(libc::SIGTERM).stderr_is("");
}

/// --kill-child: unshare killed by SIGKILL, the child dies too. Without
/// it, the child outlives unshare (then the test kills it).
#[test]
fn kill_child_kills_the_child() {
    let s = Scene::new();
    s.shell_pidns(
        r#"
            run() {
                rm -f "$D/w/child"
                "$U" "$@" sh -c 'echo $$ > "$D/w/child"; exec sleep 600' &
                u=$!
                waitfor '[ -s "$D/w/child" ]'
                c=$(cat "$D/w/child")
                waitfor '[ "$(cat /proc/$c/comm)" = sleep ]'
                kill -KILL $u
                wait $u 2>/dev/null
                echo "$*: unshare $?"
            }
            run --kill-child
            waitfor "dead $c" && echo "child died"
            run --kill-child=KILL
            waitfor "dead $c" && echo "child died"
            run --fork
            echo "child $(state $c)"
            kill -KILL $c
        "#,
    )
    .run()
    .success()
    .stderr_is("")
    .stdout_is(
        "--kill-child: unshare 137\nchild died\n\
             --kill-child=KILL: unshare 137\nchild died\n\
             --fork: unshare 137\nchild S\n",
    );
}

/// --kill-child=SIGNAME by name, in any case, with or without SIG, by
/// number, and real-time in each of util-linux's spellings (`RT1`,
/// `RTMIN+1`, `SIGRTMAX-2`): the child's trap sees that signal.
#[test]
fn kill_child_custom_signal() {
    let s = Scene::new();
    s.env.tmp().write(
        "w/child.sh",
        "#!/bin/sh\n\
             trap 'echo \"got $1\" > \"$D/w/got\"; exit 0' \"$1\"\n\
             echo $$ > \"$D/w/child\"\n\
             while :; do sleep 0.02; done\n",
        0o755,
    );
    s.shell_pidns(
        r#"
            for pair in "USR1 10" "SIGUSR2 12" "usr1 10" "sighup 1" "10 10" "RTMIN+1 35" \
                    "RT1 35" "sigrt0 34" "SIGRTMAX-2 62"; do
                set -- $pair
                rm -f "$D/w/child" "$D/w/got"
                "$U" --kill-child="$1" "$D/w/child.sh" "$2" &
                u=$!
                waitfor '[ -s "$D/w/child" ]'
                c=$(cat "$D/w/child")
                kill -KILL $u
                wait $u 2>/dev/null
                waitfor "dead $c"
                echo "$1: $(cat "$D/w/got")"
            done
        "#,
    )
    .run()
    .success()
    .stderr_is("")
    .stdout_is(
        "USR1: got 10\nSIGUSR2: got 12\nusr1: got 10\nsighup: got 1\n10: got 10\n\
             RTMIN+1: got 35\nRT1: got 35\nsigrt0: got 34\nSIGRTMAX-2: got 62\n",
    );
}

/// The death signal is armed after -S/-G, whose credential change would
/// clear it (util-linux arms it before, and its child survives).
#[test]
fn kill_child_survives_setuid() {
    let s = Scene::new();
    s.shell_pidns(
        r#"
            run() {
                "$1" --kill-child -S 65534 -G 65534 sleep 600 &
                u=$!
                waitfor '[ -n "$(child_named $u sleep)" ]'
                c=$(child_named $u sleep)
                waitfor 'grep -q "^Uid:.65534" /proc/$c/status'
                kill -KILL $u
                wait $u 2>/dev/null
            }
            run "$U"
            waitfor "dead $c" && echo "nsbox: child died"
            run "$UL"
            echo "util-linux: child $(state $c)"
            kill -KILL $c
        "#,
    )
    .run()
    .success()
    .stderr_is("")
    .stdout_is("nsbox: child died\nutil-linux: child S\n");
}

//! `--pidfile FILE` (nsbox's own), with `--fork`: FILE holds the child's
//! PID, as unshare's PID namespace numbers it, before the program runs,
//! and goes when unshare ends, however it ends, unless `--keep-pidfile`.
//! Where the order matters, strace holds the system call that would lose
//! the race, so that a wrong order fails every time. How FILE is created,
//! and what is refused, is in `pidfile_safety`.

use super::*;

/// Shell functions for the pid file scripts: `$R`, a directory of root's
/// (mode 0755: the scene's own `$W` is writable by all, where a pid file
/// is refused); `prog FILE [STATUS]`, a program that notes whether FILE
/// holds its PID as unshare sees it (the first of its NSpid), then waits
/// for a line on the FIFO `$D/t/go`; `release`, which sends it; `said`,
/// which prints the note; `held SYSCALL
/// COMMAND...`, COMMAND under strace, which holds each SYSCALL 0.3 s on
/// entry. strace runs detached (-D), so that COMMAND stays the shell's
/// child and ends when it ends: an attached strace would wait for every
/// process it traces, the helper that removes the pid file included.
const PIDFILE_FNS: &str = r#"
R="$W/run"
mkdir -m 755 "$R"
mkfifo -m 666 "$D/t/go"
cat > "$D/t/prog" <<'EOF'
#!/bin/sh
. "$D/prelude.sh"
while read -r k v rest; do [ "$k" = NSpid: ] && me=$v; done < /proc/self/status
read -r p < "$1"
echo "program: $(eq "$p" "$me")" > "$D/t/said"
read -r x < "$D/t/go"
exit "${2:-0}"
EOF
chmod 755 "$D/t/prog"
release() { echo > "$D/t/go"; }
said() { cat "$D/t/said" && rm "$D/t/said"; }
held() {
    _s=$1
    shift
    strace -D -f -qq -o /dev/null -e trace="$_s" -e inject="$_s:delay_enter=300000" "$@"
}
# unshare_below PID: the unshare process that is PID or its child (under strace).
unshare_below() {
    if [ "$(cat "/proc/$1/comm")" = unshare ]; then echo "$1"; else child_named "$1" unshare; fi
}
# started L: wait until the program of the unshare at or below L runs and
# has taken its note; then $P is unshare, $C the program.
started() {
    _l=$1
    waitfor '[ -n "$(unshare_below "$_l")" ]'
    P=$(unshare_below "$_l")
    waitfor '[ -n "$(child_named "$P" prog)" ]'
    C=$(child_named "$P" prog)
    waitfor '[ -s "$D/t/said" ]'
}
"#;

/// `shell_pidns` with the functions above (for pidfile_safety.rs too).
pub fn pid_scene(s: &Scene, script: &str) -> Cmd {
    s.shell_pidns(&format!("{PIDFILE_FNS}\n{script}"))
}

/// The program finds its PID in the file as soon as it runs, and so does
/// the script, as the parent's PID namespace numbers it, with a new PID
/// namespace too (where the program is 1). strace holds the write of the
/// PID: a program let go before it would find the file empty.
#[test]
fn holds_the_childs_pid_before_the_program_runs() {
    let s = Scene::new();
    let script = r#"
        for opts in -f "-f -p" "--kill-child -p" "-r -f"; do
            held pwrite64 "$U" $opts --pidfile "$R/pid" "$D/t/prog" "$R/pid" &
            L=$!
            started $L
            echo "outside: $(eq "$(cat "$R/pid")" "$C") $(cat "$R/pid" | wc -l)"
            release
            wait $L
            echo "rc=$? left: $(files "$R")"
            said
        done
    "#;
    let once = "outside: yes 1\nrc=0 left: \nprogram: yes\n";
    pid_scene(&s, script)
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&once.repeat(4));
}

/// The file goes when unshare ends: the program's status passes through,
/// and so does an exec that fails or a step of the set-up that fails in
/// the child. With `--kill-child` too.
#[test]
fn removed_when_unshare_ends() {
    let s = Scene::new();
    let script = r#"
        "$U" -f --pidfile "$R/pid" sh -c 'cat "$1" > "$2"; exit 3' sh "$R/pid" "$D/t/seen"
        echo "rc=$? left: $(files "$R") seen: $(eq "$(wc -l < "$D/t/seen")" 1)"
        "$U" -f --pidfile "$R/pid" /nonexistent/program
        echo "rc=$? left: $(files "$R")"
        "$U" -f --pidfile "$R/pid" -w /nonexistent true
        echo "rc=$? left: $(files "$R")"
        "$U" --kill-child --pidfile "$R/pid" true
        echo "rc=$? left: $(files "$R")"
    "#;
    pid_scene(&s, script)
        .run()
        .success()
        .stdout_is("rc=3 left:  seen: yes\nrc=127 left: \nrc=1 left: \nrc=0 left: \n")
        .stderr_is(
            "unshare: failed to execute /nonexistent/program: No such file or directory\n\
             unshare: cannot change directory to /nonexistent: No such file or directory\n",
        );
}

/// A child killed by a signal: unshare removes the file before it
/// re-raises the signal on itself. strace holds the removal 0.3 s: an
/// unshare that died first would leave the file there for the script.
#[test]
fn removed_before_the_childs_signal_is_re_raised() {
    let s = Scene::new();
    let script = r#"
        held unlinkat "$U" -f --pidfile "$R/pid" sh -c 'kill -KILL $$' 2>/dev/null
        echo "rc=$? left: $(files "$R")"
        held unlinkat "$U" --kill-child --pidfile "$R/pid" sh -c 'kill -USR1 $$' 2>/dev/null
        echo "rc=$? left: $(files "$R")"
    "#;
    pid_scene(&s, script)
        .run()
        .success()
        .stdout_is("rc=137 left: \nrc=138 left: \n");
}

/// SIGTERM to the waiting unshare: passed on with --forward-signals, the
/// child dies of it, and unshare removes the file, then dies of it too
/// (strace holds the removal, as above); SIGHUP is always passed on.
/// Blocked without --forward-signals (the child decides), SIGTERM leaves
/// the file while the program runs, and it goes when the program ends.
/// (SIGINT is not tried: a shell starts a background job with SIGINT
/// ignored, and unshare and the program keep that.)
#[test]
fn removed_when_unshare_is_signalled() {
    let s = Scene::new();
    let script = r#"
        for sig in TERM HUP; do
            held unlinkat "$U" --forward-signals --pidfile "$R/pid" "$D/t/prog" "$R/pid" &
            L=$!
            started $L
            kill -$sig $P
            wait $L
            echo "$sig: rc=$? left: $(files "$R")"
            said
        done
        "$U" -f --pidfile "$R/pid" "$D/t/prog" "$R/pid" 5 &
        L=$!
        started $L
        kill -TERM $P
        waitfor 'grep -q "^ShdPnd:.*4000$" /proc/$P/status'
        echo "blocked: $(files "$R") $(eq "$(cat "$R/pid")" "$C")"
        release
        wait $L
        echo "rc=$? left: $(files "$R")"
        said
    "#;
    pid_scene(&s, script).run().success().stdout_is(
        "TERM: rc=143 left: \nprogram: yes\n\
         HUP: rc=129 left: \nprogram: yes\n\
         blocked: pid yes\nrc=5 left: \nprogram: yes\n",
    );
}

/// Even SIGKILL, which unshare cannot handle: the helper that owns the
/// file sees unshare go and removes it, while the program runs on.
#[test]
fn removed_when_unshare_is_killed() {
    let s = Scene::new();
    let script = r#"
        "$U" -f --pidfile "$R/pid" "$D/t/prog" "$R/pid" &
        L=$!
        started $L
        kill -KILL $P
        wait $L
        echo "rc=$?"
        waitfor '[ ! -e "$R/pid" ]'
        echo "left: $(files "$R") program: $(state $C)"
        release
        waitfor 'dead $C'
        said
    "#;
    pid_scene(&s, script)
        .run()
        .success()
        .stdout_is("rc=137\nleft:  program: S\nprogram: yes\n");
}

/// With --keep-pidfile the file stays, holding the PID, once the program
/// has run, whatever its end or unshare's; it goes all the same when the
/// program never ran (set-up or exec failed): it would name no program.
#[test]
fn kept_once_the_program_ran() {
    let s = Scene::new();
    let script = r#"
        show() { echo "$1 $(files "$R") $(eq "$(cat "$R/pid" 2>/dev/null)" "$2")"; rm -f "$R/pid"; }
        "$U" -f --pidfile "$R/pid" --keep-pidfile sh -c 'echo $$ > "$1"' sh "$D/t/child"
        show "rc=$?" "$(cat "$D/t/child")"
        "$U" -f --pidfile "$R/pid" --keep-pidfile sh -c 'echo $$ > "$1"; kill -KILL $$' sh "$D/t/child"
        show "rc=$?" "$(cat "$D/t/child")"
        "$U" -f --pidfile "$R/pid" --keep-pidfile "$D/t/prog" "$R/pid" &
        L=$!
        started $L
        kill -KILL $P
        wait $L
        show "rc=$?" "$C"
        release
        waitfor 'dead $C'
        said
        "$U" -f --pidfile "$R/pid" --keep-pidfile /nonexistent/program 2>/dev/null
        echo "rc=$? left: $(files "$R")"
        "$U" -f --pidfile "$R/pid" --keep-pidfile -w /nonexistent true 2>/dev/null
        echo "rc=$? left: $(files "$R")"
    "#;
    pid_scene(&s, script).run().success().stdout_is(
        "rc=0 pid yes\nrc=137 pid yes\nrc=137 pid yes\nprogram: yes\n\
         rc=127 left: \nrc=1 left: \n",
    );
}

/// --pidfile needs --fork (or an option that implies it), and
/// --keep-pidfile needs --pidfile: usage errors, before anything is done.
#[test]
fn needs_fork_and_keep_needs_pidfile() {
    let s = Scene::new();
    let dir = s.dir().join("run");
    std::fs::create_dir(&dir).unwrap();
    let file = dir.join("pid");
    let file = file.to_str().unwrap();
    let needs_fork = "unshare: option --pidfile requires --fork: the PID it holds is that of \
                      the forked child\nTry 'unshare --help' for more information.\n";
    let needs_pidfile =
        "unshare: option --keep-pidfile requires --pidfile\nTry 'unshare --help' for more information.\n";
    for (args, message) in [
        (&["--pidfile", file][..], needs_fork),
        (&["-u", "-p", "--pidfile", file], needs_fork),
        (&["-f", "--keep-pidfile"], needs_pidfile),
        (&["--keep-pidfile", "--pidfile", file], needs_fork),
    ] {
        s.unshare()
            .args(args)
            .args(["echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(message);
        assert!(!Path::new(file).exists(), "{args:?} left {file}");
    }
    for implied in ["--kill-child", "--forward-signals"] {
        let out = s
            .unshare()
            .args([implied, "--pidfile", file, "cat", file])
            .run();
        out.success()
            .stderr_is("")
            .check(!Path::new(file).exists(), "the pid file was left");
        let pid: i32 = out.stdout().trim().parse().unwrap();
        out.check(pid > 0, "the pid file held no PID");
    }
}

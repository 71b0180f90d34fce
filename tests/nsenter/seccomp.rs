//! `--seccomp=target`: the program gets copies of the target's seccomp
//! filters, in the target's order, with their flags; what cannot be copied
//! is refused with the reason; and the target, stopped while its filters
//! are read, is never left stopped: not after success, not after failure,
//! not when nsenter is killed mid-read. The moments in between are held
//! with strace's delay injection on nsenter's ptrace(2) calls, counted in
//! order: PTRACE_SEIZE, PTRACE_INTERRUPT, then PTRACE_SECCOMP_GET_FILTER.

use super::*;

const PTRACE_SEIZE: u32 = 0x4206;
const PTRACE_INTERRUPT: u32 = 0x4207;
const PTRACE_SECCOMP_GET_FILTER: u32 = 0x420c;

/// A process in strict mode, blocked reading its stdin (a pipe that never
/// gets data): read(2) is one of the four calls strict mode allows.
const STRICT: &str = "import ctypes, os\n\
                      ctypes.CDLL(None).prctl(22, 1, 0, 0, 0)  # PR_SET_SECCOMP, strict\n\
                      os.read(0, 1)\n";

/// The Seccomp and Seccomp_filters lines of a /proc/PID/status text.
fn seccomp_lines(status: &str) -> String {
    status
        .lines()
        .filter(|l| l.starts_with("Seccomp"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// A `sleep` under these filters (seccomp_filter.py's options), a child of
/// ours in our namespaces, with no_new_privs; killed on drop.
fn filtered(filters: &[&str], count: usize) -> Proc {
    let proc = cmd("setpriv")
        .args(["--no-new-privs", "python3", SECCOMP_FILTER])
        .args(filters)
        .args(["--", "sleep", "600"])
        .spawn();
    let pid = proc.pid();
    let ready = format!("Seccomp_filters:\t{count}\n");
    wait_until(format!("sleep {pid} under {count} filters"), || {
        comm(pid).as_deref() == Some("sleep")
            && std::fs::read_to_string(format!("/proc/{pid}/status"))
                .is_ok_and(|s| s.contains(&ready))
    });
    proc
}

/// The filters of `pid` as seccomp_filter.py --dump reads them (a reader
/// apart from nsenter's): one line each, flags and instructions.
fn dump(pid: i32) -> String {
    cmd("python3")
        .args([SECCOMP_FILTER, "--dump", &pid.to_string()])
        .run()
        .success()
        .stderr_is("")
        .stdout()
}

/// nsenter's arguments to enter `pid`'s namespaces (`kinds`: `-a`, `-u`)
/// with a copy of its filters and run `echo ran`.
fn copy_and_echo(pid: i32, kinds: &str) -> [String; 6] {
    [
        "-t",
        &pid.to_string(),
        kinds,
        "--seccomp=target",
        "echo",
        "ran",
    ]
    .map(String::from)
}

/// nsenter under strace, its `when`th ptrace(2) call held `us` µs on entry.
fn held(env: &Env, when: u32, us: u32, args: &[String]) -> Proc {
    cmd("strace")
        .args(["-qq", "-o", "/dev/null", "-e", "trace=ptrace", "-e"])
        .arg(format!("inject=ptrace:delay_enter={us}:when={when}"))
        .arg(env.path("nsenter"))
        .args(args)
        .spawn()
}

/// Whether `pid` sits in ptrace(REQUEST, ...).
fn in_ptrace(pid: i32, request: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/syscall"))
        .is_ok_and(|s| s.starts_with(&format!("{} {request:#x} ", libc::SYS_ptrace)))
}

/// The nsenter below `strace`, once it is held in ptrace(REQUEST). (strace
/// has other children for a moment, as it probes the kernel.)
fn held_in(strace: &mut Proc, request: u32) -> i32 {
    let mut nsenter = 0;
    wait_until(format!("nsenter held in ptrace({request:#x})"), || {
        if strace.has_exited() {
            let out = std::mem::replace(strace, cmd("true").spawn()).wait();
            out.fail(&format!("ended before ptrace({request:#x})"));
        }
        let found = children(strace.pid())
            .into_iter()
            .find(|&p| comm(p).as_deref() == Some("nsenter") && in_ptrace(p, request));
        nsenter = found.unwrap_or_default();
        found.is_some()
    });
    nsenter
}

/// The target runs (or sleeps), and is not stopped.
fn not_stopped(pid: i32) {
    let now = state(pid);
    assert!(
        matches!(now, Some(s) if s != 't' && s != 'T'),
        "process {pid} is in state {now:?}"
    );
}

/// Nothing of ours is left in the container: its sleep is the only
/// process of its PID namespace.
fn alone_in_pid_ns(pid: i32) {
    let theirs = ns(pid, "pid");
    let members: Vec<i32> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter(|p| {
            std::fs::read_link(format!("/proc/{p}/ns/pid"))
                .is_ok_and(|link| link.to_string_lossy() == theirs)
        })
        .collect();
    assert_eq!(
        members,
        [pid],
        "processes left in the PID namespace of {pid}"
    );
}

/// The program's Seccomp lines are the target's, and getpriority(2) fails
/// inside with the errno of the newer filter: the copies were installed in
/// the target's order. With --no-new-privs, and without it as root, where
/// CAP_SYS_ADMIN allows installing them.
#[test]
fn the_program_gets_the_targets_filters_in_order() {
    let env = Env::new();
    let c = Container::start();
    let pid = c.pid().to_string();
    let theirs = seccomp_lines(&proc_status(c.pid()));
    assert_eq!(theirs, "Seccomp:\t2\nSeccomp_filters:\t2\n");
    for (nnp, option) in [("1", Some("--no-new-privs")), ("0", None)] {
        nsenter(&env)
            .args(["-t", &pid, "-a", "--seccomp=target"])
            .args(option)
            .args([
                "sh",
                "-c",
                "grep -E '^(NoNewPrivs|Seccomp)' /proc/self/status; nice",
            ])
            .run()
            // nice's status when it cannot get the niceness.
            .code(125)
            .stdout_is(&format!("NoNewPrivs:\t{nnp}\n{theirs}"))
            .stderr_is(&format!("{}\n", Container::FILTERED));
        not_stopped(c.pid());
        alone_in_pid_ns(c.pid());
    }
}

/// The copies are the originals, instruction for instruction, and a
/// filter installed with SECCOMP_FILTER_FLAG_LOG keeps the flag.
#[test]
fn the_copies_are_the_originals_with_their_log_flag() {
    let env = Env::new();
    let target = filtered(&["--errno", "getpriority:112", "--log", "uname:113"], 2);
    let original = dump(target.pid());
    let flags: Vec<&str> = original
        .lines()
        .map(|l| &l[..l.find(' ').unwrap()])
        .collect();
    assert_eq!(flags, ["flags=0", "flags=2"], "{original}");
    // No fork: nsenter itself becomes the sleep.
    let copy = nsenter(&env)
        .args(["-t", &target.pid().to_string(), "-u", "--seccomp=target"])
        .args(["sleep", "600"])
        .spawn();
    let pid = copy.pid();
    wait_until("the copy to sleep", || {
        comm(pid).as_deref() == Some("sleep") && proc_status(pid).contains("Seccomp_filters:\t2\n")
    });
    assert_eq!(dump(pid), original);
    not_stopped(target.pid());
}

/// A filter that hands calls to a listener cannot be copied: refused,
/// and nothing runs.
#[test]
fn a_filter_with_a_listener_is_refused() {
    let env = Env::new();
    let c = Container::build().notify("uname").start();
    let pid = c.pid();
    nsenter(&env)
        .args(copy_and_echo(pid, "-a"))
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(&format!(
            "nsenter: cannot copy the seccomp filters of process {pid}: filter 3 of 3 hands \
             system calls to a user-space listener (SECCOMP_RET_USER_NOTIF), which stays \
             with the target\n"
        ));
    not_stopped(pid);
    alone_in_pid_ns(pid);
}

/// Strict mode allows no execve(2): refused, and the target lives on.
#[test]
fn strict_mode_is_refused() {
    let env = Env::new();
    let mut target = cmd("python3").args(["-c", STRICT]).stdin_pipe().spawn();
    let pid = target.pid();
    wait_until("the target in strict mode, reading", || {
        proc_status(pid).contains("Seccomp:\t1\n") && reading_stdin(pid)
    });
    nsenter(&env)
        .args(copy_and_echo(pid, "-u"))
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(&format!(
            "nsenter: cannot copy the seccomp mode of process {pid}: it is in strict mode, \
             under which no program can be executed\n"
        ));
    assert!(!target.has_exited(), "the target died");
    assert_eq!(state(pid), Some('S'));
    assert!(reading_stdin(pid));
}

/// Reading filters needs CAP_SYS_ADMIN in the initial user namespace and
/// a reader under no filter: each missing piece gets its line.
#[test]
fn reading_them_needs_privilege_and_no_filter_of_its_own() {
    let env = Env::new();
    let c = Container::start();
    let pid = c.pid();
    let args = copy_and_echo(pid, "-u");
    let cannot = format!("nsenter: cannot read the seccomp filters of process {pid}");
    let cases = [
        (
            nsenter(&env).as_user(NOBODY),
            "reading them needs CAP_SYS_ADMIN",
        ),
        (
            cmd(UL_UNSHARE).args(["-Ur"]).arg(env.path("nsenter")),
            "reading them needs CAP_SYS_ADMIN in the initial user namespace",
        ),
        (
            cmd("python3")
                .args([SECCOMP_FILTER, "--errno", "uname:1", "--"])
                .arg(env.path("nsenter")),
            "nsenter runs under a seccomp filter itself, and the kernel shows filters \
             only to a tracer under none",
        ),
    ];
    for (command, why) in cases {
        command
            .args(&args)
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(&format!("{cannot}: {why}\n"));
        not_stopped(pid);
    }
}

/// Read as root, the copies cannot be installed by a program that has
/// dropped to uid 65534 without no_new_privs; with it, they can.
#[test]
fn installing_them_needs_no_new_privs_or_cap_sys_admin() {
    let env = Env::new();
    let c = Container::start();
    let pid = c.pid();
    let args = [
        "-t",
        &pid.to_string(),
        "-a",
        "-S65534",
        "-G65534",
        "--seccomp=target",
    ];
    nsenter(&env)
        .args(args)
        .args(["echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(&format!(
            "nsenter: cannot install the seccomp filters of process {pid}: installing them \
             needs no_new_privs or CAP_SYS_ADMIN\n"
        ));
    nsenter(&env)
        .args(args)
        .args([
            "--no-new-privs",
            "sh",
            "-c",
            "grep ^Seccomp /proc/self/status; nice",
        ])
        .run()
        .code(125)
        .stdout_is("Seccomp:\t2\nSeccomp_filters:\t2\n")
        .stderr_is(&format!("{}\n", Container::FILTERED));
    not_stopped(pid);
    alone_in_pid_ns(pid);
}

/// A process has one tracer: a target traced by another is refused with
/// that reason.
#[test]
fn a_target_traced_by_another_is_refused() {
    let env = Env::new();
    let c = Container::start();
    let pid = c.pid();
    let tracer = cmd("strace")
        .args(["-qq", "-o", "/dev/null", "-p", &pid.to_string()])
        .spawn();
    let traced_by = tracer.pid().to_string();
    wait_until("strace to attach", || {
        proc_field(pid, "TracerPid") == traced_by
    });
    nsenter(&env)
        .args(copy_and_echo(pid, "-a"))
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(&format!(
            "nsenter: cannot read the seccomp filters of process {pid}: it is traced by \
             process {traced_by}, and a process can have only one tracer\n"
        ));
    drop(tracer);
    wait_until("strace to be gone", || proc_field(pid, "TracerPid") == "0");
    not_stopped(pid);
}

/// The target exits after nsenter took hold of it, before its filters
/// are read: one line, exit 1, and the program never runs.
#[test]
fn a_target_that_exits_before_it_is_read() {
    let env = Env::new();
    let c = Container::start();
    let pid = c.pid();
    let mut strace = held(&env, 1, 3_000_000, &copy_and_echo(pid, "-a"));
    let nsenter = held_in(&mut strace, PTRACE_SEIZE);
    drop(c);
    assert_eq!(state(pid), None, "the target is still there");
    assert!(
        in_ptrace(nsenter, PTRACE_SEIZE),
        "nsenter went on before the target was gone"
    );
    strace
        .wait()
        .code(1)
        .stdout_is("")
        .stderr_is(&format!("nsenter: process {pid} exited while being read\n"));
}

/// The target exits and its PID goes to a newcomer (under no filter)
/// before nsenter attaches: ptrace(2) takes a PID, so it seizes the
/// newcomer, but the pidfd shows the target gone, and nsenter lets the
/// newcomer go, unread and running. All in a PID namespace made for the
/// test, where ns_last_pid makes the reuse certain and whose end reaps
/// what strace leaves.
#[test]
fn a_pid_reused_before_it_is_read() {
    let env = Env::new();
    let script = r#"
        setpriv --no-new-privs python3 "$F" --errno getpriority:112 -- sleep 600 &
        old=$!
        waitfor 'grep -qs "^Seccomp_filters:.1" /proc/$old/status && [ "$(cat /proc/$old/comm)" = sleep ]'
        strace -qq -o /dev/null -e trace=ptrace -e inject=ptrace:delay_enter=2000000:when=1 \
            "$N" -t "$old" -u --seccomp=target echo ran > "$D/out" 2>&1 &
        held=$!
        waitfor 'grep -qs "^$NR_PTRACE 0x4206 " /proc/[0-9]*/syscall'
        kill -KILL "$old"; wait "$old" 2>/dev/null
        echo $((old - 1)) > /proc/sys/kernel/ns_last_pid
        sleep 600 &
        new=$!
        [ "$new" = "$old" ] || { echo "pid $old not reused: got $new"; exit 1; }
        grep -qs "^$NR_PTRACE 0x4206 " /proc/[0-9]*/syscall || echo "nsenter went on too soon"
        wait "$held"; echo "status $?"
        cat "$D/out"
        echo "newcomer: $(grep -E '^(State|TracerPid)' /proc/$new/status | tr -s '\t\n' '  ')"
        kill -KILL "$new"; wait "$new" 2>/dev/null
        exit 0
    "#;
    let out = pidns_shell(&env, script)
        .env("F", SECCOMP_FILTER)
        .env("NR_PTRACE", libc::SYS_ptrace.to_string())
        .run();
    let old = out.stdout().lines().find_map(|l| {
        l.strip_prefix("nsenter: process ")?
            .split(' ')
            .next()
            .map(str::to_owned)
    });
    let old = old.unwrap_or_else(|| out.fail("no message from nsenter"));
    out.success().stderr_is("").stdout_is(&format!(
        "status 1\n\
         nsenter: process {old} exited while being read\n\
         newcomer: State: S (sleeping) TracerPid: 0 \n"
    ));
}

/// nsenter killed while the target is stopped for the reading: the
/// kernel lets the target go on. (strace, which asked to see its tracee's
/// exit, sits out its delay before it lets the killed nsenter end.)
#[test]
fn killed_while_reading_leaves_the_target_running() {
    let env = Env::new();
    let c = Container::start();
    let pid = c.pid();
    let mut strace = held(&env, 3, 3_000_000, &copy_and_echo(pid, "-a"));
    let nsenter = held_in(&mut strace, PTRACE_SECCOMP_GET_FILTER);
    assert_eq!(
        state(pid),
        Some('t'),
        "the target is not stopped for the reading"
    );
    // SAFETY: kill(2) with a pid that strace, its parent, has not reaped.
    assert_eq!(unsafe { libc::kill(nsenter, libc::SIGKILL) }, 0);
    wait_until("the target to sleep again", || state(pid) == Some('S'));
    strace.wait().signal(libc::SIGKILL).stdout_is("");
    alone_in_pid_ns(pid);
}

/// A signal that reaches the target between PTRACE_SEIZE and its stop is
/// caught by a stop of its own; detaching hands it back, so it still acts
/// (here, the target's handler writes a file).
#[test]
fn a_signal_caught_while_seized_is_delivered() {
    let env = Env::new();
    let caught = env.dir().join("caught");
    let handler = "import signal, sys\n\
                   def caught(*_): open(sys.argv[1], 'w').write('caught')\n\
                   signal.signal(signal.SIGUSR1, caught)\n\
                   while True: signal.pause()\n";
    let target = cmd("setpriv")
        .args([
            "--no-new-privs",
            "python3",
            SECCOMP_FILTER,
            "--errno",
            "getpriority:112",
        ])
        .args(["--", "python3", "-c", handler])
        .arg(&caught)
        .spawn();
    let pid = target.pid();
    wait_until("the target's handler", || {
        mask(pid, "SigCgt") & bit(libc::SIGUSR1) != 0
    });
    let mut strace = held(&env, 2, 2_000_000, &copy_and_echo(pid, "-u"));
    let nsenter = held_in(&mut strace, PTRACE_INTERRUPT);
    target.signal(libc::SIGUSR1);
    wait_until("the target stopped for the signal", || {
        state(pid) == Some('t')
    });
    assert!(
        in_ptrace(nsenter, PTRACE_INTERRUPT),
        "nsenter went on before the signal came"
    );
    assert!(
        !caught.exists(),
        "the handler ran while the target was seized"
    );
    strace.wait().success().stdout_is("ran\n").stderr_is("");
    wait_until("the handler to run", || caught.exists());
    not_stopped(pid);
}

/// A target stopped before stays stopped: detaching does not resume it.
#[test]
fn a_stopped_target_stays_stopped() {
    let env = Env::new();
    let target = filtered(&["--errno", "getpriority:112"], 1);
    let pid = target.pid();
    target.signal(libc::SIGSTOP);
    wait_until("the target to stop", || state(pid) == Some('T'));
    nsenter(&env)
        .args(copy_and_echo(pid, "-u"))
        .run()
        .success()
        .stdout_is("ran\n");
    assert_eq!(state(pid), Some('T'));
    target.signal(libc::SIGCONT);
    wait_until("the target to sleep again", || state(pid) == Some('S'));
}

/// Filters that forbid execve(2) itself: every step before it succeeds,
/// the exec fails as the filter says, and the program does not run:
/// nsenter exits with 126, as for any program that cannot be executed.
#[test]
fn a_filter_against_execve_leaves_the_program_unrun() {
    let env = Env::new();
    let target = cmd("setpriv")
        .args(["--no-new-privs", "python3", SECCOMP_FILTER])
        .args(["--errno", "execve:1", "--stay"])
        .stdin_pipe()
        .spawn();
    let pid = target.pid();
    wait_until("the target under its filter", || {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .is_ok_and(|s| s.contains("Seccomp_filters:\t1\n"))
            && reading_stdin(pid)
    });
    let out = nsenter(&env)
        .args([
            "-t",
            &pid.to_string(),
            "-u",
            "--no-new-privs",
            "--seccomp=target",
        ])
        .args(["echo", "ran"])
        .run();
    out.code(126).stdout_is("");
    out.stderr_is("nsenter: failed to execute echo: Operation not permitted\n");
    not_stopped(pid);
}

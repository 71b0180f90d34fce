//! `--pty`: the program runs in a new session on a new pseudo-terminal,
//! which nsenter opens from the target's /dev/ptmx, and nsenter relays
//! between it and its own terminal (a `Terminal` of the test's, which
//! stands for the caller's), in raw mode, passing on window sizes, the end
//! of the input and the exit status. Each check that --pty changes
//! something is paired with the same command without it, which shows the
//! check can fail.

use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::os::unix::process::ExitStatusExt;
use std::process::Command;

use super::terminal::*;
use super::*;

/// nsenter on the test's terminal: `nsenter [--pty] -t PID -u ARGS...`.
fn on_terminal(env: &Env, pty: bool, target: i32, args: &[&str]) -> Command {
    let mut command = Command::new(env.path("nsenter"));
    if pty {
        command.arg("--pty");
    }
    command.args(["-t", &target.to_string(), "-u"]).args(args);
    command
}

/// `tty` prints another terminal than ours: a new one, in the target's
/// UTS namespace all the same. Without --pty, ours.
#[test]
fn the_program_has_a_terminal_of_its_own() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let term = Terminal::new(24, 80);
    let script = ["sh", "-c", "tty; hostname"];
    let (status, out) = term
        .run(on_terminal(&env, true, target.pid(), &script))
        .wait();
    assert_eq!(status.code(), Some(0), "output: {out:?}");
    let lines: Vec<&str> = out.split("\r\n").collect();
    assert_eq!(lines.len(), 3, "output: {out:?}");
    assert!(lines[0].starts_with("/dev/pts/"), "output: {out:?}");
    assert_ne!(lines[0], term.name, "the program is on our terminal");
    assert_eq!(lines[1], target.hostname());

    let (status, out) = term
        .run(on_terminal(&env, false, target.pid(), &script))
        .wait();
    assert_eq!(status.code(), Some(0), "output: {out:?}");
    assert_eq!(out, format!("{}\r\n{}\r\n", term.name, target.hostname()));
}

/// What the program pushes into its terminal's input with TIOCSTI goes
/// into its own terminal, not ours. nsenter is stopped meanwhile, so that
/// it cannot read (and hide) what would have reached our terminal; the
/// program waits for a FIFO to be opened before it pushes, and has ended
/// (a zombie, nsenter being stopped) when our input queue is looked at.
/// Without --pty, the text waits in our input, for the shell to run.
#[test]
fn tiocsti_does_not_reach_our_terminal() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let term = Terminal::new(24, 80);
    let fifo = env.path("go");
    let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid path.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
    let inject = "import fcntl, sys, termios\n\
                  open(sys.argv[1]).close()\n\
                  for c in b'echo pwned\\n': fcntl.ioctl(0, termios.TIOCSTI, bytes([c]))\n\
                  print('pushed')";
    let python = |file: &str| ["python3", "-c", inject, file].map(str::to_owned);

    let args = python(fifo.to_str().unwrap());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let session = term.run(on_terminal(&env, true, target.pid(), &args));
    let nsenter = session.pid();
    let program = wait_for_child(nsenter);
    session.signal(libc::SIGSTOP);
    wait_until("nsenter to stop", || state(nsenter) == Some('T'));
    // Opened without blocking only once the program waits at the other end.
    wait_until("the program to open the FIFO", || {
        std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo)
            .is_ok()
    });
    wait_until("the program to end", || state(program) == Some('Z'));
    assert_eq!(
        term.queued_input(),
        0,
        "the program typed into our terminal"
    );
    session.signal(libc::SIGCONT);
    let (status, out) = session.wait();
    assert_eq!(status.code(), Some(0), "output: {out:?}");
    // Its own terminal echoed what it pushed there.
    assert!(out.contains("echo pwned\r\n"), "output: {out:?}");
    assert!(out.contains("pushed\r\n"), "output: {out:?}");

    let args = python("/dev/null");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (status, out) = term
        .run(on_terminal(&env, false, target.pid(), &args))
        .wait();
    assert_eq!(status.code(), Some(0), "output: {out:?}");
    assert_eq!(term.queued_input(), "echo pwned\n".len() as i32);
}

/// The program's terminal has the size of ours from the start, and
/// follows it when it changes (SIGWINCH to nsenter, the foreground
/// process group of our terminal). The new size is set before the key
/// that makes the program look again is typed, and nsenter handles
/// signals before input: no race.
#[test]
fn the_window_size_follows_ours() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let term = Terminal::new(30, 100);
    let script = ["sh", "-c", "stty size; read x; stty size"];
    let mut session = term.run(on_terminal(&env, true, target.pid(), &script));
    session.read_until("30 100\r\n");
    term.set_size(41, 123);
    term.type_keys("\r");
    session.read_until("41 123\r\n");
    let (status, out) = session.wait();
    assert_eq!(status.code(), Some(0), "output: {out:?}");
    assert_eq!(out, "30 100\r\n\r\n41 123\r\n");
}

/// Our terminal is raw while the program runs (keys go to it as typed)
/// and has its modes back when nsenter ends: after the program exits,
/// after it is killed by a signal, and after nsenter itself gets SIGTERM
/// or SIGQUIT (passed on to the program, which dies of it, and so does
/// nsenter).
#[test]
fn our_terminal_modes_are_restored() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let term = Terminal::new(24, 80);
    let before = term.modes();
    assert!(!before.raw(), "the test's terminal starts raw: {before:?}");

    let script = ["sh", "-c", "echo ready; read x; echo \"got $x\"; exit 7"];
    let mut session = term.run(on_terminal(&env, true, target.pid(), &script));
    session.read_until("ready\r\n");
    let during = term.modes();
    assert!(during.raw(), "not raw while the program runs: {during:?}");
    term.type_keys("abc\r");
    let (status, out) = session.wait();
    assert_eq!(status.code(), Some(7), "output: {out:?}");
    assert!(out.ends_with("got abc\r\n"), "output: {out:?}");
    assert_eq!(term.modes(), before, "after the program exited");

    let script = ["sh", "-c", "echo ready; read x; kill -TERM $$"];
    let mut session = term.run(on_terminal(&env, true, target.pid(), &script));
    session.read_until("ready\r\n");
    assert!(term.modes().raw());
    term.type_keys("\r");
    let (status, out) = session.wait();
    assert_eq!(status.signal(), Some(libc::SIGTERM), "output: {out:?}");
    assert_eq!(shell_status(status), 143);
    assert_eq!(term.modes(), before, "after the program was killed");

    let script = ["sh", "-c", "echo ready; exec sleep 600"];
    let mut session = term.run(on_terminal(&env, true, target.pid(), &script));
    session.read_until("ready\r\n");
    let program = wait_for_child(session.pid());
    wait_until("sleep to run", || comm(program).as_deref() == Some("sleep"));
    assert!(term.modes().raw());
    session.signal(libc::SIGTERM);
    let (status, out) = session.wait();
    assert_eq!(status.signal(), Some(libc::SIGTERM), "output: {out:?}");
    assert_eq!(term.modes(), before, "after nsenter got SIGTERM");

    // SIGQUIT too, whose default action would end nsenter at once.
    let script = ["sh", "-c", "echo ready; exec sleep 600"];
    let mut session = term.run(on_terminal(&env, true, target.pid(), &script));
    session.read_until("ready\r\n");
    let program = wait_for_child(session.pid());
    wait_until("sleep to run", || comm(program).as_deref() == Some("sleep"));
    session.signal(libc::SIGQUIT);
    let (status, out) = session.wait();
    assert_eq!(status.signal(), Some(libc::SIGQUIT), "output: {out:?}");
    assert_eq!(term.modes(), before, "after nsenter got SIGQUIT");
}

/// The status passes through, on a terminal or not.
#[test]
fn exit_statuses_pass_through() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let term = Terminal::new(24, 80);
    for (script, code) in [("exit 0", 0), ("exit 7", 7), ("kill -KILL $$", 137)] {
        let args = ["sh", "-c", script];
        let (status, out) = term
            .run(on_terminal(&env, true, target.pid(), &args))
            .wait();
        assert_eq!(shell_status(status), code, "{script}: output {out:?}");
        let pid = target.pid().to_string();
        let out = via_shell(
            env.path("nsenter"),
            &["--pty", "-t", &pid, "-u", "sh", "-c", script],
        )
        .run();
        // The shell reports a death by signal on its stderr ("Killed").
        out.success().stdout_is(&format!("{code}\n"));
    }
}

/// Without a terminal (pipes): no raw mode, no size to copy, and the
/// input is not echoed into the output. At the end of the input, the
/// program's terminal reports end-of-file, even after a line left
/// unfinished; the output comes as a terminal gives it (CR LF).
#[test]
fn pipes_instead_of_a_terminal() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let pid = target.pid().to_string();
    nsenter(&env)
        .args(["--pty", "-t", &pid, "-u", "cat"])
        .stdin("hi\n")
        .run()
        .success()
        .stdout_is("hi\r\n")
        .stderr_is("");
    nsenter(&env)
        .args(["--pty", "-t", &pid, "-u", "sh", "-c", "cat; exit 3"])
        .stdin("one\ntwo")
        .run()
        .code(3)
        .stdout_is("one\r\ntwo")
        .stderr_is("");
    // Nothing at all: the end comes at once.
    nsenter(&env)
        .args(["--pty", "-t", &pid, "-u", "cat"])
        .run()
        .success()
        .stdout_is("");
    // The program is on a terminal all the same, which echoes nothing.
    nsenter(&env)
        .args(["--pty", "-t", &pid, "-u", "sh", "-c", "tty && stty -a"])
        .run()
        .success()
        .stdout_has("/dev/pts/")
        .stdout_has(" -echo ")
        .stderr_is("");
}

/// All the program wrote arrives, however much, and however quickly it
/// exits after writing: what is still in the terminal when the child has
/// ended is drained.
#[test]
fn all_output_arrives() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let pid = target.pid().to_string();
    let want: String = (1..=30000).map(|n| format!("{n}\r\n")).collect();
    for _ in 0..3 {
        nsenter(&env)
            .args(["--pty", "-t", &pid, "-u", "seq", "30000"])
            .run()
            .success()
            .stdout_is(&want)
            .stderr_is("");
    }
}

/// The program starts pristine under --pty too: fds 0, 1 and 2 only (the
/// new terminal, not the master, not our signalfd), nothing blocked,
/// ignored or caught (nsenter blocks SIGCHLD and SIGWINCH for itself).
#[test]
fn the_program_starts_pristine() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let pid = target.pid().to_string();
    let mut proc = nsenter(&env)
        .args(["--pty", "-t", &pid, "-u", "cat"])
        .stdin_pipe()
        .spawn();
    let program = find_reader(&mut proc, "cat");
    assert_eq!(open_fds(program), [0, 1, 2], "fd table of the program");
    let tty = std::fs::read_link(format!("/proc/{program}/fd/0")).unwrap();
    assert!(tty.starts_with("/dev/pts/"), "stdin is {}", tty.display());
    for fd in [1, 2] {
        assert_eq!(
            std::fs::read_link(format!("/proc/{program}/fd/{fd}")).unwrap(),
            tty
        );
    }
    for (name, mask) in signal_masks(&proc_status(program)) {
        assert_eq!(mask, 0, "{name} of the program is {mask:#x}");
    }
    proc.close_stdin();
    proc.wait().success().stdout_is("").stderr_is("");
}

/// A container like Docker's: /dev is a tmpfs of its own, with a devpts
/// instance of its own and /dev/ptmx a link to its pts/ptmx. The program's
/// terminal comes from that instance (the kernel says so: the device of
/// its fd 0), and the program can name it.
#[test]
fn the_terminal_is_the_targets() {
    let env = Env::new();
    let script = "mount -t tmpfs -o mode=755 dev /dev && mkdir /dev/pts && \
                  mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts && \
                  ln -s pts/ptmx /dev/ptmx && exec sleep 600";
    let target = Custom::start(
        cmd(UL_UNSHARE).args(["--mount", "--uts", "sh", "-c", script]),
        "sleep",
        &["mnt", "uts"],
    );
    let pid = target.pid().to_string();
    let mut proc = nsenter(&env)
        .args(["--pty", "-t", &pid, "-m", "-u", "sh", "-c"])
        .arg("tty; test -c \"$(tty)\" && echo named; exec cat")
        .stdin_pipe()
        .spawn();
    let program = find_reader(&mut proc, "cat");
    let dev = |path: String| {
        std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .dev()
    };
    let theirs = dev(format!("/proc/{pid}/root/dev/pts/ptmx"));
    assert_eq!(dev(format!("/proc/{program}/fd/0")), theirs);
    assert_ne!(
        dev("/dev/pts/ptmx".to_owned()),
        theirs,
        "the target shares our devpts"
    );
    proc.close_stdin();
    proc.wait()
        .success()
        .stdout_is("/dev/pts/0\r\nnamed\r\n")
        .stderr_is("");
}

/// A /dev/ptmx that is not the multiplexer is refused, and never opened:
/// here a FIFO, bind-mounted over it in the target's mount namespace,
/// watched with inotify (a look through O_PATH is no open).
#[test]
fn a_fake_ptmx_is_refused_unopened() {
    let env = Env::new();
    let fifo = env.path("ptmx");
    let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo and inotify calls with valid arguments.
    let inotify = unsafe {
        assert_eq!(libc::mkfifo(path.as_ptr(), 0o666), 0);
        let fd = check_fd(libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC));
        let watch = libc::inotify_add_watch(fd.as_raw_fd(), path.as_ptr(), libc::IN_ALL_EVENTS);
        assert!(watch >= 0, "inotify_add_watch");
        fd
    };
    let script = "mount --bind \"$1\" /dev/ptmx && exec sleep 600";
    let target = Custom::start(
        cmd(UL_UNSHARE)
            .args(["--mount", "--uts", "sh", "-c", script, "sh"])
            .arg(&fifo),
        "sleep",
        &["mnt", "uts"],
    );
    let pid = target.pid().to_string();
    nsenter(&env)
        .args(["--pty", "-t", &pid, "-m", "-u", "true"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(
            "nsenter: /dev/ptmx is not the pseudo-terminal multiplexer (character device 5:2)\n",
        );
    let mut events = [0u8; 4096];
    // SAFETY: a read into our buffer.
    let n = unsafe { libc::read(inotify.as_raw_fd(), events.as_mut_ptr().cast(), 4096) };
    let error = std::io::Error::last_os_error();
    assert!(
        n < 0 && error.kind() == std::io::ErrorKind::WouldBlock,
        "the fake /dev/ptmx was touched: {n} bytes of inotify events"
    );
}

fn check_fd(fd: libc::c_int) -> OwnedFd {
    assert!(fd >= 0, "{}", std::io::Error::last_os_error());
    // SAFETY: a new descriptor, ours alone.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// The program's terminal is handed to the user it runs as (as login(1)
/// hands one over), so that it can open it by path too.
#[test]
fn the_terminal_belongs_to_the_programs_user() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let pid = target.pid().to_string();
    let script = "stat -L -c %u /dev/stdin; exec 3<>\"$(tty)\" && echo opened";
    nsenter(&env)
        .args(["--pty", "-t", &pid, "-u", "-S", "1000", "sh", "-c", script])
        .run()
        .success()
        .stdout_is("1000\r\nopened\r\n")
        .stderr_is("");
}

//! Forking, exit statuses and signals: `--no-fork`, the child's end
//! becoming nsenter's, signals forwarded, stops mirrored.

use super::*;

/// With -p the program runs as a child, in the PID namespace; with -F
/// it is nsenter itself, outside, and only its children are in it.
/// util-linux agrees.
#[test]
fn fork_and_no_fork() {
    let env = Env::new();
    let target = Target::new(&["pid"]);
    let pid = target.pid().to_string();
    let theirs = target.ns("pid");
    for program in both_paths(&env) {
        cmd(&program)
            .args(["-t", &pid, "-p", "readlink", "/proc/self/ns/pid"])
            .run()
            .success()
            .stdout_is(&format!("{theirs}\n"));
        for no_fork in ["-F", "--no-fork"] {
            cmd(&program)
                .args(["-t", &pid, "-p", no_fork, "readlink", "/proc/self/ns/pid"])
                .run()
                .success()
                .stdout_is(&format!("{}\n", own_ns("pid")));
        }
    }
    // -F: the program is nsenter's own process, outside; what it
    // starts is inside.
    let mut proc = nsenter(&env)
        .args(["-t", &pid, "-p", "-F", "sh", "-c"])
        .arg("readlink /proc/self/ns/pid; exec cat")
        .stdin_pipe()
        .spawn();
    let cat = find_reader(&mut proc, "cat");
    assert_eq!(cat, proc.pid(), "with -F, nsenter should exec the program");
    assert_eq!(ns(cat, "pid"), own_ns("pid"));
    assert_eq!(ns(cat, "pid_for_children"), theirs);
    proc.close_stdin();
    proc.wait().success().stdout_is(&format!("{theirs}\n"));
    // Default: a child, inside, with a second pid there.
    let mut proc = nsenter(&env)
        .args(["-t", &pid, "-p", "cat"])
        .stdin_pipe()
        .spawn();
    let cat = find_reader(&mut proc, "cat");
    assert_eq!(
        children(proc.pid()),
        [cat],
        "the program is nsenter's child"
    );
    assert_eq!(ns(cat, "pid"), theirs);
    let nspid = proc_field(cat, "NSpid");
    assert_eq!(nspid.split(' ').count(), 2, "NSpid {nspid}");
    assert_eq!(ns(proc.pid(), "pid"), own_ns("pid"));
    proc.close_stdin();
    proc.wait().success();
}

/// `-u` runs the program directly, `-p` as a child: either way its
/// exit status, or its death by a signal, is nsenter's. util-linux
/// agrees (as a shell sees it).
fn statuses(option: &str) {
    let env = Env::new();
    let target = Target::new(&["uts", "pid"]);
    let pid = target.pid().to_string();
    let base = ["-t", pid.as_str(), option];
    nsenter(&env)
        .args(base)
        .args(["sh", "-c", "exit 42"])
        .run()
        .code(42)
        .stderr_is("");
    nsenter(&env).args(base).arg("true").run().success();
    nsenter(&env)
        .args(base)
        .arg("false")
        .run()
        .code(1)
        .stderr_is("");
    nsenter(&env)
        .args(base)
        .args(["sh", "-c", "kill -TERM $$"])
        .run()
        .signal(libc::SIGTERM)
        .stderr_is("");
    nsenter(&env)
        .args(base)
        .args(["sh", "-c", "kill -KILL $$"])
        .run()
        .signal(libc::SIGKILL)
        .stderr_is("");
    for program in both_paths(&env) {
        let mut args = base.to_vec();
        for (script, status) in [
            ("exit 42", "42"),
            ("kill -TERM $$", "143"),
            ("kill -KILL $$", "137"),
        ] {
            args.truncate(3);
            args.extend(["sh", "-c", script]);
            via_shell(&program, &args)
                .run()
                .success()
                .stdout_is(&format!("{status}\n"));
        }
    }
}

#[test]
fn exit_statuses_direct() {
    statuses("-u");
}

#[test]
fn exit_statuses_forked() {
    statuses("-p");
}

/// A child that stops stops nsenter too; continuing nsenter continues
/// the child.
#[test]
fn stop_and_continue_are_mirrored() {
    let env = Env::new();
    let target = Target::new(&["pid"]);
    let proc = nsenter(&env)
        .args(["-t", &target.pid().to_string(), "-p"])
        .args(["sh", "-c", "kill -STOP $$; exit 7"])
        .spawn();
    let parent = proc.pid();
    let child = wait_for_child(parent);
    wait_until(format!("nsenter ({parent}) to stop"), || {
        state(parent) == Some('T')
    });
    assert_eq!(state(child), Some('T'), "the child is stopped too");
    proc.signal(libc::SIGCONT);
    proc.wait().code(7).stderr_is("");
}

/// Traps the signal named by $1, reports it and exits 7.
const TRAPPER: &str = r#"trap 'kill $!; wait; echo "got $1"; exit 7' "$1"
        sleep 600 &
        wait"#;

/// SIGTERM and SIGINT sent to the waiting nsenter reach the program.
fn forwards(signal: libc::c_int, name: &str) {
    let env = Env::new();
    let target = Target::new(&["pid"]);
    let proc = nsenter(&env)
        .args(["-t", &target.pid().to_string(), "-p"])
        .args(["sh", "-c", TRAPPER, "sh", name])
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
fn sigterm_is_forwarded() {
    forwards(libc::SIGTERM, "TERM");
}

#[test]
fn sigint_is_forwarded() {
    forwards(libc::SIGINT, "INT");
}

/// Ctrl-C on a terminal goes to the whole foreground process group,
/// nsenter and its child alike: nsenter must not forward it once more
/// (a second Ctrl-C often means "force quit"). nsenter runs as the
/// session leader of a new pseudo-terminal, ^C is typed on its master,
/// and perl (part of every Debian system) counts the SIGINTs it gets.
#[test]
fn ctrl_c_reaches_the_program_once() {
    let env = Env::new();
    let target = Target::new(&["pid"]);
    // SAFETY: plain calls on a new pseudo-terminal.
    let (master, slave) = unsafe {
        let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
        assert!(master >= 0, "posix_openpt");
        assert_eq!(libc::grantpt(master), 0);
        assert_eq!(libc::unlockpt(master), 0);
        let name = std::ffi::CStr::from_ptr(libc::ptsname(master)).to_owned();
        let slave = libc::open(
            name.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        );
        assert!(slave >= 0, "open the pty slave");
        (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave))
    };
    // perl counts every delivery (a shell's trap only notes that one came).
    let script = r#"$n = 0; $SIG{INT} = sub { $n++ };
            select(undef, undef, undef, 0.02) until $n;
            select(undef, undef, undef, 0.5);
            print "got $n\n";"#;
    let mut command = std::process::Command::new(env.path("nsenter"));
    command
        .args(["-t", &target.pid().to_string(), "-p", "perl", "-e", script])
        .stdin(std::process::Stdio::from(slave.try_clone().unwrap()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    // SAFETY: async-signal-safe calls only: a new session whose
    // controlling terminal is the pty (stdin).
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = command.spawn().unwrap();
    drop(slave);
    let program = wait_for_child(child.id() as i32);
    wait_until("the trap", || {
        comm(program).as_deref() == Some("perl") && mask(program, "SigCgt") & bit(libc::SIGINT) != 0
    });
    // ^C, as typed.
    let written = unsafe { libc::write(master.as_raw_fd(), b"\x03".as_ptr().cast(), 1) };
    assert_eq!(written, 1);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        "got 1\n",
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));
}

/// A program that does not catch the forwarded SIGTERM dies of it, and
/// nsenter then dies of it too.
#[test]
fn sigterm_untrapped_kills_both() {
    let env = Env::new();
    let target = Target::new(&["pid"]);
    let proc = nsenter(&env)
        .args(["-t", &target.pid().to_string(), "-p", "sleep", "600"])
        .spawn();
    let child = wait_for_child(proc.pid());
    wait_until("sleep to run", || comm(child).as_deref() == Some("sleep"));
    proc.signal(libc::SIGTERM);
    proc.wait().signal(libc::SIGTERM).stderr_is("");
    wait_until("the child to be gone", || {
        matches!(state(child), None | Some('Z'))
    });
}

/// No program: $SHELL, as a login shell; util-linux agrees. Without it,
/// root's login shell of /etc/passwd (see `login_shell`).
#[test]
fn default_shell() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let pid = target.pid().to_string();
    for program in both_paths(&env) {
        cmd(&program)
            .env("SHELL", "/bin/sh")
            .args(["-t", &pid, "-u"])
            .stdin("echo \"$0\"; hostname\n")
            .run()
            .success()
            .stdout_is(&format!("-sh\n{}\n", target.hostname()));
    }
    nsenter(&env)
        .env_remove("SHELL")
        .args(["-t", &pid, "-u"])
        .stdin("echo \"$0\"; exit 5\n")
        .run()
        .code(5)
        .stdout_is(&format!("{}\n", host_login_argv0(0)));
}

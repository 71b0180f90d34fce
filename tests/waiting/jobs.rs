//! Job control on a real terminal: an interactive bash runs `unshare -f`;
//! Ctrl-Z (typed on the pseudo-terminal's master) suspends the job, which
//! the shell reports, and `fg` resumes it: the program then reads the
//! terminal and finishes normally, and nothing is stopped twice.

use std::io::Read;
use std::os::fd::AsRawFd;
use std::sync::{Arc, Mutex};

use super::*;

/// What the terminal showed so far, read from its master by a thread.
struct Screen(Arc<Mutex<Vec<u8>>>);

impl Screen {
    fn new(master: &OwnedFd) -> Screen {
        let mut reader = std::fs::File::from(master.try_clone().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            // EIO once every slave is closed.
            while let Ok(n @ 1..) = reader.read(&mut buf) {
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Screen(seen)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    fn count(&self, what: &str) -> usize {
        self.text().matches(what).count()
    }

    /// Wait until `what` has appeared `times` times.
    fn wait_for(&self, what: &str, times: usize) {
        wait_until(format!("{what:?} on the terminal ({times} times)"), || {
            self.count(what) >= times
        });
    }
}

/// Type on the terminal.
fn type_in(master: &OwnedFd, text: &str) {
    // SAFETY: writing our own buffer to our own descriptor.
    let n = unsafe { libc::write(master.as_raw_fd(), text.as_ptr().cast(), text.len()) };
    assert_eq!(n, text.len() as isize, "write to the pty master");
}

#[test]
fn ctrl_z_suspends_and_fg_resumes() {
    let env = Env::new();
    let (master, slave) = pty();
    let screen = Screen::new(&master);
    let proc = in_pid_ns(
        &env,
        &slave,
        "setsid -c bash --norc --noprofile +o history -i 2>&1",
    )
    .pass_fd(&slave, 1)
    .env("PS1", "PROMPT> ")
    .env("HOME", env.dir())
    .env("HISTFILE", "/dev/null")
    .spawn();
    drop(slave);
    let launcher = proc.pid();
    screen.wait_for("PROMPT> ", 1);
    type_in(
        &master,
        "\"$UNSHARE\" -f sh -c 'read line; echo \"got $line\"; exit 7'\n",
    );
    // util-linux's unshare -> sh (PID 1 there) -> bash -> our parent -> sh.
    let init = program_of(launcher, "sh", false);
    let bash = program_of(init, "bash", false);
    let parent = program_of(bash, "unshare", false);
    let child = program_of(parent, "sh", true);
    let rounds = 3;
    for round in 1..=rounds {
        type_in(&master, "\x1a");
        screen.wait_for("Stopped", round);
        wait_until("the job to be stopped", || {
            state(parent) == Some('T') && state(child) == Some('T')
        });
        screen.wait_for("PROMPT> ", round + 1);
        type_in(&master, "fg\n");
        wait_until("the job to run again", || {
            state(parent) == Some('S') && reading_stdin(child)
        });
    }
    type_in(&master, "hello\n");
    screen.wait_for("got hello", 1);
    type_in(&master, "echo \"rc=$?\"; exit\n");
    screen.wait_for("rc=7", 1);
    proc.wait();
    let text = screen.text();
    assert_eq!(text.matches("Stopped").count(), rounds, "terminal:\n{text}");
    assert!(!text.contains("command not found"), "terminal:\n{text}");
}

/// Ctrl-Z reaches the child, whose stop the parent learns, and then the
/// parent, before it could act on it. Once `fg` has continued both, that
/// stop is over: stopping now would stop the job a second time, and for
/// good (or, with a watcher to wake it, for a moment that is enough for a
/// shell to take the terminal back). To make the order certain, strace
/// holds the parent at the end of every wait4 for half a second: the stop
/// of the parent comes in there. strace's log tells when, and how often,
/// the parent stopped. All runs in a throwaway PID namespace, whose init
/// reaps the tracer strace detaches from itself.
#[test]
fn stop_learned_just_before_the_terminal_stops_the_parent() {
    let env = Env::new();
    let log = env.tmp().join("strace.log");
    let stops = || {
        let log = std::fs::read_to_string(&log).unwrap_or_default();
        log.matches("stopped by").count()
    };
    let mut proc = cmd(UL_UNSHARE)
        .args(["--pid", "--fork", "--mount-proc", "--kill-child"])
        .args(["sh", "-c", r#""$@""#, "sh"])
        .args(["strace", "-DDD", "-qq", "-e", "trace=wait4", "-o"])
        .arg(&log)
        .args(["-e", "inject=wait4:delay_exit=500000"])
        .arg(env.path("unshare"))
        .args(["-f", "sh", "-c", READ_THEN_7])
        .stdin_pipe()
        .spawn();
    let init = program_of(proc.pid(), "sh", false);
    let parent = program_of(init, "unshare", false);
    let child = program_of(parent, "sh", true);
    let _left = Leftovers::of(&[child]);
    // The terminal's stop reaches the newest process of the group first.
    signal(child, libc::SIGSTOP);
    wait_until("the parent to be held at the end of its wait4", || {
        state(parent) == Some('t')
    });
    signal(parent, libc::SIGSTOP);
    wait_until("the parent to stop", || stops() == 1);
    // `fg`: the whole group is continued, the newest first again.
    signal(child, libc::SIGCONT);
    signal(parent, libc::SIGCONT);
    proc.close_stdin();
    proc.wait().code(7).stderr_is("");
    let log = std::fs::read_to_string(&log).unwrap();
    assert_eq!(stops(), 1, "strace:\n{log}");
}

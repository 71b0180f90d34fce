//! `Proc`, a running command, and `Output`, how it ended and what it
//! printed, whose checks print the whole story when they fail.

use std::os::unix::process::ExitStatusExt;
use std::process::{Child, ChildStdin, ExitStatus};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::TIMEOUT;

/// A running command. Dropping it kills and reaps it.
pub struct Proc {
    pub(super) child: Option<Child>,
    pub(super) shown: String,
    pub(super) stdin: Option<ChildStdin>,
    pub(super) out: mpsc::Receiver<Vec<u8>>,
    pub(super) err: mpsc::Receiver<Vec<u8>>,
}

impl Proc {
    pub fn pid(&self) -> i32 {
        self.child.as_ref().unwrap().id() as i32
    }

    pub fn close_stdin(&mut self) {
        self.stdin.take();
    }

    pub fn signal(&self, signal: libc::c_int) {
        // SAFETY: the child is not reaped yet, so the pid is still its own.
        let ret = unsafe { libc::kill(self.pid(), signal) };
        assert_eq!(ret, 0, "kill({}, {signal}) failed", self.pid());
    }

    /// Whether the process has ended (it is then reaped by `wait`).
    pub fn has_exited(&mut self) -> bool {
        let child = self.child.as_mut().unwrap();
        child.try_wait().expect("waitpid failed").is_some()
    }

    /// Wait for the end, at most `TIMEOUT`, and collect the output.
    pub fn wait(mut self) -> Output {
        self.stdin.take();
        let mut child = self.child.take().unwrap();
        let deadline = Instant::now() + TIMEOUT;
        let mut pause = Duration::from_millis(1);
        let status = loop {
            if let Some(status) = child.try_wait().expect("waitpid failed") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let status = child.wait().expect("waitpid failed");
                let out = Output {
                    shown: self.shown.clone(),
                    status,
                    stdout: self
                        .out
                        .recv_timeout(Duration::from_secs(1))
                        .unwrap_or_default(),
                    stderr: self
                        .err
                        .recv_timeout(Duration::from_secs(1))
                        .unwrap_or_default(),
                };
                out.fail(&format!("timed out after {TIMEOUT:?}; killed"));
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(10));
        };
        // A process left behind holding our pipes would keep these open.
        let collect = |rx: &mpsc::Receiver<Vec<u8>>, name: &str| {
            rx.recv_timeout(TIMEOUT).unwrap_or_else(|_| {
                panic!(
                    "{}: exited with {status:?} but its {name} stayed open",
                    self.shown
                )
            })
        };
        Output {
            stdout: collect(&self.out, "stdout"),
            stderr: collect(&self.err, "stderr"),
            shown: self.shown.clone(),
            status,
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// How a command ended and what it printed. Every check panics with the
/// command line, the status, stdout and stderr when it fails.
pub struct Output {
    pub shown: String,
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Output {
    pub fn fail(&self, why: &str) -> ! {
        panic!(
            "{why}\n  command: {}\n  status:  {}\n  stdout:  {:?}\n  stderr:  {:?}",
            self.shown,
            self.status,
            self.stdout(),
            self.stderr()
        )
    }

    pub fn check(&self, ok: bool, why: &str) -> &Output {
        if !ok {
            self.fail(why);
        }
        self
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    pub fn success(&self) -> &Output {
        self.code(0)
    }

    pub fn code(&self, code: i32) -> &Output {
        self.check(
            self.status.code() == Some(code),
            &format!("expected exit status {code}"),
        )
    }

    pub fn signal(&self, signal: i32) -> &Output {
        self.check(
            self.status.signal() == Some(signal),
            &format!("expected death by signal {signal}"),
        )
    }

    pub fn stdout_is(&self, text: &str) -> &Output {
        self.check(self.stdout() == text, &format!("expected stdout {text:?}"))
    }

    pub fn stderr_is(&self, text: &str) -> &Output {
        self.check(self.stderr() == text, &format!("expected stderr {text:?}"))
    }

    pub fn stdout_has(&self, text: &str) -> &Output {
        self.check(
            self.stdout().contains(text),
            &format!("expected stdout to contain {text:?}"),
        )
    }

    pub fn stderr_has(&self, text: &str) -> &Output {
        self.check(
            self.stderr().contains(text),
            &format!("expected stderr to contain {text:?}"),
        )
    }

    /// stderr is a usage error: a line that starts with `prefix`, which
    /// starts with `APPLET: `, then `Try 'APPLET --help' for more information.`
    pub fn stderr_usage(&self, prefix: &str) -> &Output {
        let applet = prefix.split(": ").next().unwrap_or_default();
        let hint = format!("Try '{applet} --help' for more information.\n");
        let err = self.stderr();
        let first = err
            .strip_suffix(&hint)
            .filter(|f| f.matches('\n').count() == 1);
        self.check(
            first.is_some_and(|f| f.starts_with(prefix) && f.ends_with('\n')),
            &format!("expected a stderr line starting with {prefix:?}, then {hint:?}"),
        )
    }

    /// stderr is exactly one line, and it starts with `prefix`.
    pub fn stderr_line(&self, prefix: &str) -> &Output {
        let err = self.stderr();
        let one_line = err.ends_with('\n') && err.matches('\n').count() == 1;
        self.check(
            one_line && err.starts_with(prefix),
            &format!("expected one stderr line starting with {prefix:?}"),
        )
    }
}

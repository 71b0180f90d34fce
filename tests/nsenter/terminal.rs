//! `Terminal`: a pseudo-terminal the test holds the master of, standing for
//! the caller's terminal (a terminal emulator, an ssh session), and
//! `Session`, a command run on it as a login shell would be: leading a new
//! session whose controlling terminal is the slave, with the slave as
//! standard input, output and error. Read back through the master with
//! deadlines, never with sleeps.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Instant;

use crate::common::*;

pub struct Terminal {
    master: OwnedFd,
    slave: OwnedFd,
    /// The slave's path, as `tty` would print it.
    pub name: String,
}

/// The modes `Terminal::modes` compares: flags and control characters.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct Modes {
    pub iflag: libc::tcflag_t,
    pub oflag: libc::tcflag_t,
    pub cflag: libc::tcflag_t,
    pub lflag: libc::tcflag_t,
    pub cc: [libc::cc_t; libc::NCCS],
}

impl Modes {
    /// Raw as nsenter sets it: no line editing, echo, signal keys or
    /// output processing.
    pub fn raw(&self) -> bool {
        self.lflag & (libc::ICANON | libc::ECHO | libc::ISIG) == 0 && self.oflag & libc::OPOST == 0
    }
}

fn check(ret: libc::c_int, what: &str) -> libc::c_int {
    assert!(ret >= 0, "{what}: {}", std::io::Error::last_os_error());
    ret
}

impl Terminal {
    /// A new pseudo-terminal of `rows` x `cols`, in its default modes
    /// (canonical, echo, signal keys: a terminal as a shell leaves it).
    pub fn new(rows: u16, cols: u16) -> Terminal {
        // SAFETY: plain calls on descriptors we own.
        unsafe {
            let flags = libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC | libc::O_NONBLOCK;
            let master = OwnedFd::from_raw_fd(check(libc::posix_openpt(flags), "posix_openpt"));
            check(libc::unlockpt(master.as_raw_fd()), "unlockpt");
            let mut number: libc::c_uint = 0;
            check(
                libc::ioctl(master.as_raw_fd(), libc::TIOCGPTN, &mut number),
                "TIOCGPTN",
            );
            let peer_flags = libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC;
            let slave = check(
                libc::ioctl(master.as_raw_fd(), libc::TIOCGPTPEER, peer_flags),
                "TIOCGPTPEER",
            );
            let term = Terminal {
                master,
                slave: OwnedFd::from_raw_fd(slave),
                name: format!("/dev/pts/{number}"),
            };
            term.set_size(rows, cols);
            term
        }
    }

    /// Resize, as a terminal emulator does when its window changes: the
    /// kernel sends SIGWINCH to the terminal's foreground process group.
    pub fn set_size(&self, rows: u16, cols: u16) {
        let size = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCSWINSZ reads a winsize.
        check(
            unsafe { libc::ioctl(self.master.as_raw_fd(), libc::TIOCSWINSZ, &size) },
            "TIOCSWINSZ",
        );
    }

    /// Type these keys.
    pub fn type_keys(&self, keys: &str) {
        // SAFETY: a write from our buffer.
        let n = unsafe { libc::write(self.master.as_raw_fd(), keys.as_ptr().cast(), keys.len()) };
        assert_eq!(n, keys.len() as isize, "write to the terminal's master");
    }

    /// The modes of the terminal, as the programs on it see them.
    pub fn modes(&self) -> Modes {
        let mut t = std::mem::MaybeUninit::<libc::termios>::zeroed();
        // SAFETY: tcgetattr fills the struct.
        check(
            unsafe { libc::tcgetattr(self.slave.as_raw_fd(), t.as_mut_ptr()) },
            "tcgetattr",
        );
        // SAFETY: filled in by the successful call.
        let t = unsafe { t.assume_init() };
        Modes {
            iflag: t.c_iflag,
            oflag: t.c_oflag,
            cflag: t.c_cflag,
            lflag: t.c_lflag,
            cc: t.c_cc,
        }
    }

    /// How many bytes wait in the terminal's input for a program to read
    /// (TIOCINQ; in canonical mode, those of complete lines).
    pub fn queued_input(&self) -> i32 {
        let mut n: libc::c_int = 0;
        // SAFETY: TIOCINQ writes an int.
        check(
            unsafe { libc::ioctl(self.slave.as_raw_fd(), libc::TIOCINQ, &mut n) },
            "TIOCINQ",
        );
        n
    }

    /// Start `command` on the terminal, as the leader of a new session that
    /// has the terminal as its controlling terminal (so that it is the
    /// foreground process group, which the terminal's signals reach).
    pub fn run(&self, mut command: Command) -> Session<'_> {
        let stdio = || Stdio::from(self.slave.try_clone().unwrap());
        command.stdin(stdio()).stdout(stdio()).stderr(stdio());
        // SAFETY: async-signal-safe calls only.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // What a terminal's session starts with: a suite run from a
                // background job of a script inherits SIGINT and SIGQUIT
                // ignored (POSIX), and nsenter rightly leaves a signal its
                // caller ignores ignored for the program too.
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                libc::signal(libc::SIGQUIT, libc::SIG_DFL);
                Ok(())
            });
        }
        let shown = format!("{command:?}");
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {shown}: {e}"));
        Session {
            term: self,
            child: Some(child),
            shown,
            out: Vec::new(),
        }
    }

    /// Read what is there now (the master is non-blocking); wait for at
    /// most `ms` milliseconds for something to come first.
    fn read_into(&self, out: &mut Vec<u8>, ms: i32) {
        let mut poll = libc::pollfd {
            fd: self.master.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        unsafe { libc::poll(&mut poll, 1, ms) };
        let mut buf = [0u8; 4096];
        loop {
            // SAFETY: a read into our buffer.
            let n = unsafe { libc::read(self.master.as_raw_fd(), buf.as_mut_ptr().cast(), 4096) };
            if n <= 0 {
                return;
            }
            out.extend_from_slice(&buf[..n as usize]);
        }
    }
}

/// A command running on a `Terminal`. Killed and reaped on drop.
pub struct Session<'a> {
    term: &'a Terminal,
    child: Option<Child>,
    shown: String,
    /// Everything it wrote to the terminal so far.
    out: Vec<u8>,
}

impl Session<'_> {
    pub fn pid(&self) -> i32 {
        self.child.as_ref().unwrap().id() as i32
    }

    pub fn output(&self) -> String {
        String::from_utf8_lossy(&self.out).into_owned()
    }

    /// Read the terminal until its output holds `text`.
    pub fn read_until(&mut self, text: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while !self.output().contains(text) {
            assert!(
                Instant::now() < deadline,
                "{}: timed out waiting for {text:?} in the output {:?}",
                self.shown,
                self.output()
            );
            self.term.read_into(&mut self.out, 20);
        }
    }

    pub fn signal(&self, signal: libc::c_int) {
        // SAFETY: not reaped yet, so the pid is still the child's.
        let ret = unsafe { libc::kill(self.pid(), signal) };
        assert_eq!(ret, 0, "kill({}, {signal})", self.pid());
    }

    /// Wait for the end, reading the terminal meanwhile: the status, and
    /// everything written.
    pub fn wait(mut self) -> (ExitStatus, String) {
        let mut child = self.child.take().unwrap();
        let deadline = Instant::now() + TIMEOUT;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{}: timed out; output so far {:?}",
                    self.shown,
                    self.output()
                );
            }
            self.term.read_into(&mut self.out, 20);
        };
        // What it wrote last, already on its way.
        self.term.read_into(&mut self.out, 0);
        (status, self.output())
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A status as the shell reports it: the code, or 128 + the signal.
pub fn shell_status(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap()
}

//! The relay of `nsenter --pty`: one poll(2) loop over standard input, the
//! pseudo-terminal's master and a signalfd (SIGCHLD, SIGWINCH, SIGQUIT), until the
//! child ends; then what the program wrote last is drained from the master.
//!
//! SIGINT, SIGTERM and SIGHUP sent to us are passed on to the child by the
//! handlers that `exec::fork_child_in` installed: the relay goes on until
//! the child ends, whatever it does with them.

use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};

use nix::errno::Errno;
use nix::sys::signalfd::SignalFd;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

use super::{copy_window_size, get_modes};
use crate::error::{Error, Result};

/// How much is read at a time, from standard input or the master.
const CHUNK: usize = 4096;

/// Where standard input stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Input {
    Open,
    /// It ended: the program is to be told, once what came before is
    /// written.
    Ended,
    /// The program was told, or nobody is left to tell.
    Done,
}

pub(super) struct Relay {
    /// None once our side of the conversation has gone (standard output
    /// fails): closing the master hangs the program's terminal up.
    master: Option<OwnedFd>,
    /// Whether the master may still have something to read: not after EIO,
    /// which means every descriptor of the program's end is closed.
    readable: bool,
    signals: SignalFd,
    child: Pid,
    size_from: Option<RawFd>,
    input: Input,
    /// Read from standard input, not yet written to the master.
    pending: Vec<u8>,
    /// The last byte written to the master, to tell whether a line was
    /// left unfinished.
    last: Option<u8>,
}

impl Relay {
    pub(super) fn new(
        master: OwnedFd,
        signals: SignalFd,
        child: Pid,
        size_from: Option<RawFd>,
    ) -> Relay {
        Relay {
            master: Some(master),
            readable: true,
            signals,
            child,
            size_from,
            input: Input::Open,
            pending: Vec::new(),
            last: None,
        }
    }

    /// Relay until the child ends, and give how it ended.
    pub(super) fn run(mut self) -> Result<WaitStatus> {
        // A resize between `open` and the blocking of SIGWINCH was missed.
        self.resize();
        loop {
            if let Some(status) = self.reap()? {
                self.drain();
                return Ok(status);
            }
            self.step()?;
        }
    }

    /// Wait for something to happen, and handle it. Signals first: a resize
    /// that happened before a key was typed reaches the program before it.
    fn step(&mut self) -> Result<()> {
        let master = self.master.as_ref().map(|m| m.as_raw_fd());
        let to_master = !self.pending.is_empty() || self.input == Input::Ended;
        let mut master_events = 0;
        if self.readable {
            master_events |= libc::POLLIN;
        }
        if to_master {
            master_events |= libc::POLLOUT;
        }
        let reading = self.input == Input::Open && self.pending.is_empty() && master.is_some();
        let mut fds = [
            poll_fd(Some(self.signals.as_fd().as_raw_fd()), libc::POLLIN),
            poll_fd(master.filter(|_| master_events != 0), master_events),
            poll_fd(reading.then_some(libc::STDIN_FILENO), libc::POLLIN),
        ];
        // SAFETY: an array of valid pollfds, its length given.
        let ret = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, -1) };
        match Errno::result(ret) {
            Ok(_) => {}
            // A signal we pass on to the child was handled.
            Err(Errno::EINTR) => return Ok(()),
            Err(errno) => return Err(Error::sys("poll failed", errno)),
        }
        if fds[0].revents != 0 {
            self.take_signals()?;
        }
        let master_ready = fds[1].revents;
        if master_ready & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0 {
            self.read_master();
        }
        if master_ready & (libc::POLLOUT | libc::POLLERR) != 0 {
            self.write_master();
        }
        if fds[2].revents != 0 {
            self.read_stdin();
        }
        Ok(())
    }

    /// The child's end, when it has come (signalled by SIGCHLD, but asked
    /// every time: one system call, and nothing can be missed).
    fn reap(&self) -> Result<Option<WaitStatus>> {
        match waitpid(self.child, Some(WaitPidFlag::WNOHANG)) {
            Ok(status @ (WaitStatus::Exited(..) | WaitStatus::Signaled(..))) => Ok(Some(status)),
            Ok(_) | Err(Errno::EINTR) => Ok(None),
            Err(errno) => Err(Error::sys("waitpid failed", errno)),
        }
    }

    /// Consume the pending signals: SIGWINCH resizes, SIGQUIT goes on to the
    /// child (as SIGINT, SIGTERM and SIGHUP do), SIGCHLD is for `reap`.
    fn take_signals(&mut self) -> Result<()> {
        loop {
            match self.signals.read_signal() {
                Ok(Some(info)) => match info.ssi_signo as libc::c_int {
                    libc::SIGWINCH => self.resize(),
                    libc::SIGQUIT => {
                        let _ =
                            nix::sys::signal::kill(self.child, nix::sys::signal::Signal::SIGQUIT);
                    }
                    _ => {}
                },
                Ok(None) => return Ok(()),
                Err(Errno::EINTR) => {}
                Err(errno) => return Err(Error::sys("cannot read signals", errno)),
            }
        }
    }

    fn resize(&self) {
        if let (Some(from), Some(master)) = (self.size_from, &self.master) {
            copy_window_size(from, master);
        }
    }

    /// What the program wrote, to our standard output.
    fn read_master(&mut self) {
        let Some(master) = &self.master else {
            return;
        };
        let mut buf = [0u8; CHUNK];
        match nix::unistd::read(master, &mut buf) {
            Ok(0) | Err(Errno::EIO) => {
                // Every descriptor of the program's end is closed (its
                // daemon children took none): nothing more will come, and
                // the master would poll as hung up forever.
                self.readable = false;
                self.input = Input::Done;
                self.pending.clear();
            }
            Ok(n) => self.output(&buf[..n]),
            Err(Errno::EAGAIN | Errno::EINTR) => {}
            Err(_) => self.hang_up(),
        }
    }

    /// What was typed, to the program; at the end of the input, the
    /// program's end-of-file character.
    fn write_master(&mut self) {
        let Some(master) = &self.master else {
            return;
        };
        if self.pending.is_empty() && self.input == Input::Ended {
            self.pending = end_of_file(master, self.last);
            self.input = Input::Done;
        }
        match nix::unistd::write(master, &self.pending) {
            Ok(n) => {
                self.last = self.pending[..n].last().copied().or(self.last);
                self.pending.drain(..n);
            }
            Err(Errno::EAGAIN | Errno::EINTR) => {}
            // The program's end is closed: nobody reads any more.
            Err(_) => {
                self.pending.clear();
                self.input = Input::Done;
            }
        }
    }

    fn read_stdin(&mut self) {
        let mut buf = [0u8; CHUNK];
        match nix::unistd::read(std::io::stdin(), &mut buf) {
            Ok(0) => self.input = Input::Ended,
            Ok(n) => self.pending.extend_from_slice(&buf[..n]),
            Err(Errno::EAGAIN | Errno::EINTR) => {}
            // A terminal hung up (EIO), or no standard input at all.
            Err(_) => self.input = Input::Ended,
        }
    }

    /// Write to standard output, all of it, unless it fails: then our side
    /// is gone, and the program's terminal is hung up.
    fn output(&mut self, mut data: &[u8]) {
        let stdout = std::io::stdout();
        while !data.is_empty() {
            match nix::unistd::write(&stdout, data) {
                Ok(n) => data = &data[n..],
                Err(Errno::EINTR) => {}
                // Left non-blocking by whoever shares it.
                Err(Errno::EAGAIN) => wait_writable(libc::STDOUT_FILENO),
                Err(_) => return self.hang_up(),
            }
        }
    }

    fn hang_up(&mut self) {
        self.master = None;
        self.readable = false;
        self.input = Input::Done;
        self.pending.clear();
    }

    /// After the child's end: what it wrote last, as far as it has come.
    /// Stop when nothing more is there now: a process it left behind may
    /// hold its terminal open for ever.
    fn drain(&mut self) {
        while self.readable {
            let Some(master) = &self.master else {
                return;
            };
            let mut buf = [0u8; CHUNK];
            // The kernel hands the master what the program wrote through
            // a work queue; a read waits for that to be done.
            match nix::unistd::read(master, &mut buf) {
                Ok(n) if n > 0 => self.output(&buf[..n]),
                Err(Errno::EINTR) => {}
                _ => return,
            }
        }
    }
}

/// The bytes that make the program's terminal report end-of-file: its
/// VEOF character (Ctrl-D unless changed), read from the terminal's modes
/// now. In canonical mode, VEOF after an unfinished line only ends that
/// line, so a second one follows. A program that reads keys one by one
/// gets one, as if typed. None at all when VEOF is disabled.
fn end_of_file(master: &OwnedFd, last: Option<u8>) -> Vec<u8> {
    let Some(modes) = get_modes(master.as_fd()) else {
        return Vec::new();
    };
    let eof = modes.c_cc[libc::VEOF];
    if eof == 0 {
        return Vec::new();
    }
    let canonical = modes.c_lflag & libc::ICANON != 0;
    let line_ended = last.map_or(true, |b| b == b'\n' || b == eof);
    if canonical && !line_ended {
        vec![eof, eof]
    } else {
        vec![eof]
    }
}

fn poll_fd(fd: Option<RawFd>, events: libc::c_short) -> libc::pollfd {
    libc::pollfd {
        // A negative descriptor is skipped by poll.
        fd: fd.unwrap_or(-1),
        events,
        revents: 0,
    }
}

fn wait_writable(fd: RawFd) {
    let mut poll = poll_fd(Some(fd), libc::POLLOUT);
    // SAFETY: one valid pollfd.
    unsafe { libc::poll(&mut poll, 1, -1) };
}

//! `nsenter --pty`: the program runs in a new session on a new
//! pseudo-terminal, and nsenter relays between its own terminal and it, so
//! that nothing the program does reaches the caller's terminal but output.
//!
//! Three steps, around the fork: `open` (in nsenter, once the target's
//! mount namespace is entered, so that the terminal is one of the target's
//! and the program can name it), `attach` (in the child, before the
//! program's ids, capabilities and seccomp filter make it harder), and
//! `relay` (in the parent, until the child ends; see `relay`).

mod relay;

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use nix::errno::Errno;
use nix::fcntl::{openat, OFlag};
use nix::sys::signal::{kill, sigprocmask, SigHandler, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::stat::Mode;
use nix::sys::wait::WaitStatus;
use nix::unistd::Pid;

use crate::error::{Context, Error, Result, EXIT_FAILURE};

/// The pseudo-terminal multiplexer, as the target's root names it.
const PTMX: &str = "/dev/ptmx";
/// Its device number, 5:2, wherever it lives (/dev/ptmx, /dev/pts/ptmx).
const PTMX_DEVICE: (u32, u32) = (5, 2);

/// A new pseudo-terminal, and what the relay needs of ours.
pub struct Pty {
    /// Our end: non-blocking, close-on-exec.
    master: OwnedFd,
    /// The program's end, blocking, as a program expects its terminal.
    peer: OwnedFd,
    /// Our standard input's modes, when it is a terminal: raw while the
    /// relay runs, these again after.
    modes: Option<libc::termios>,
    /// Our terminal to take the window size from: standard input, else
    /// standard output, when one is a terminal.
    size_from: Option<RawFd>,
    /// SIGCHLD, SIGWINCH and SIGQUIT, blocked from `open` on and read from here.
    signals: SignalFd,
}

/// Open a new pseudo-terminal from /dev/ptmx as our root now sees it (the
/// target's, once its mount namespace is entered), sized like our terminal.
///
/// That /dev belongs to the target, which may be hostile: the file is
/// looked at through an O_PATH descriptor (which opens no device) and must
/// be the multiplexer, character device 5:2, before it is opened for real
/// through our own /proc (kept from before entering: the target's could be
/// a fake). A FIFO or a device with side effects on open (a watchdog, a
/// tape) is thus never opened. The peer comes from the master itself
/// (TIOCGPTPEER, Linux 4.13), never by a path the target could swap.
pub fn open() -> Result<Pty> {
    let master = above_stdio(open_ptmx()?)?;
    let unlocked: libc::c_int = 0;
    // SAFETY: TIOCSPTLCK reads an int through the pointer.
    let ret = unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCSPTLCK, &unlocked) };
    Errno::result(ret).context(|| "cannot unlock the pseudo-terminal")?;
    let flags = libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC;
    // SAFETY: TIOCGPTPEER takes open flags and returns a new descriptor.
    let ret = unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCGPTPEER, flags) };
    let peer = Errno::result(ret).context(|| "cannot open the pseudo-terminal's peer")?;
    // SAFETY: the descriptor is new and ours alone.
    let peer = above_stdio(unsafe { OwnedFd::from_raw_fd(peer) })?;

    let stdin = std::io::stdin();
    let modes = get_modes(stdin.as_fd());
    let mut inner = get_modes(master.as_fd())
        .ok_or_else(|| Error::sys("cannot read the pseudo-terminal's modes", Errno::last()))?;
    match &modes {
        // As script(1): the program's terminal starts with the modes of
        // ours, so its erase and interrupt keys are the ones typed here.
        Some(ours) => inner = *ours,
        // Input from a pipe or a file is not typed: echoing it would mix
        // it into the output.
        None => inner.c_lflag &= !(libc::ECHO | libc::ECHONL),
    }
    set_modes(master.as_fd(), &inner).context(|| "cannot set the pseudo-terminal's modes")?;
    let size_from = [libc::STDIN_FILENO, libc::STDOUT_FILENO]
        .into_iter()
        // SAFETY: isatty only asks.
        .find(|&fd| unsafe { libc::isatty(fd) } == 1);
    if let Some(from) = size_from {
        copy_window_size(from, &master);
    }
    Ok(Pty {
        master,
        peer,
        modes,
        size_from,
        signals: relay_signals()?,
    })
}

impl Pty {
    /// In the child: a new session, with the peer as controlling terminal
    /// and as standard input, output and error; nothing else of ours open.
    pub fn attach(self) -> Result<()> {
        let Pty {
            master,
            peer,
            signals,
            ..
        } = self;
        drop(master);
        drop(signals);
        // The child of a fork leads no process group, so this succeeds.
        nix::unistd::setsid().context(|| "setsid failed")?;
        // SAFETY: TIOCSCTTY takes an int (0: do not steal it from another
        // session; the terminal is new, so it is no one's).
        let ret = unsafe { libc::ioctl(peer.as_raw_fd(), libc::TIOCSCTTY, 0) };
        Errno::result(ret)
            .context(|| "cannot make the pseudo-terminal the controlling terminal")?;
        // `peer` is above 2 (see `open`): these never close it.
        nix::unistd::dup2_stdin(&peer).context(|| "dup2 failed")?;
        nix::unistd::dup2_stdout(&peer).context(|| "dup2 failed")?;
        nix::unistd::dup2_stderr(&peer).context(|| "dup2 failed")?;
        Ok(())
    }

    /// In the parent: relay until the child ends, then give the status our
    /// exit should carry (re-raising its signal), terminal modes restored.
    pub fn relay(self, child: Pid) -> i32 {
        let Pty {
            master,
            peer,
            modes,
            size_from,
            signals,
        } = self;
        // Ours must go: the master reports the hangup only once the
        // program's copies are all closed.
        drop(peer);
        // Writing to a reader that went away must end the relay, not kill
        // us with the terminal left raw. (The child is forked already.)
        let _ = crate::exec::set_disposition(Signal::SIGPIPE, SigHandler::SigIgn);
        let raw = match modes.map(Raw::enter).transpose() {
            Ok(raw) => raw,
            Err(err) => return give_up(child, err),
        };
        let ended = relay::Relay::new(master, signals, child, size_from).run();
        // Restored before anything else is written, or the status mirrored.
        drop(raw);
        match ended {
            Ok(WaitStatus::Exited(_, code)) => code,
            Ok(WaitStatus::Signaled(_, signal, _)) => crate::exec::reraise(signal),
            Ok(_) => EXIT_FAILURE,
            Err(err) => give_up(child, err),
        }
    }
}

/// The relay cannot go on: say why, and end the program, which has nobody
/// left to talk to.
fn give_up(child: Pid, err: Error) -> i32 {
    err.report(crate::applet_name());
    let _ = kill(child, Signal::SIGKILL);
    let _ = crate::exec::wait_quietly(child);
    EXIT_FAILURE
}

/// /dev/ptmx, checked to be the multiplexer before it is opened.
fn open_ptmx() -> Result<OwnedFd> {
    let failed = |errno| Error::sys(format!("cannot open {PTMX}"), errno);
    let path =
        crate::sys::open(PTMX, OFlag::O_PATH | OFlag::O_CLOEXEC, Mode::empty()).map_err(failed)?;
    is_ptmx(&path)?;
    let proc = crate::stops::kept_proc()
        .ok_or_else(|| Error::msg(format!("cannot open {PTMX}: /proc was not available")))?;
    // Reopening the O_PATH descriptor opens the very file checked.
    let link = format!("self/fd/{}", path.as_raw_fd());
    let flags = OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC | OFlag::O_NONBLOCK;
    let master = openat(&proc, link.as_str(), flags, Mode::empty()).map_err(failed)?;
    is_ptmx(&master)?;
    Ok(master)
}

fn is_ptmx(fd: &OwnedFd) -> Result<()> {
    let st = nix::sys::stat::fstat(fd).context(|| format!("cannot stat {PTMX}"))?;
    let device = (libc::major(st.st_rdev), libc::minor(st.st_rdev));
    if st.st_mode & libc::S_IFMT != libc::S_IFCHR || device != PTMX_DEVICE {
        return Err(Error::msg(format!(
            "{PTMX} is not the pseudo-terminal multiplexer (character device 5:2)"
        )));
    }
    Ok(())
}

/// Move a descriptor above 2, should it have landed on a standard one
/// (ours were closed): `attach` must not overwrite it, nor the relay read
/// from it as standard input.
fn above_stdio(fd: OwnedFd) -> Result<OwnedFd> {
    if fd.as_raw_fd() > libc::STDERR_FILENO {
        return Ok(fd);
    }
    // SAFETY: F_DUPFD_CLOEXEC returns a new descriptor, ours alone.
    let ret = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 3) };
    let new = Errno::result(ret).context(|| "fcntl(F_DUPFD_CLOEXEC) failed")?;
    // SAFETY: as above.
    Ok(unsafe { OwnedFd::from_raw_fd(new) })
}

/// Block the signals the relay waits for and read them from a descriptor.
/// Blocked before the fork, so that none is lost in between; the child's
/// mask is emptied at exec (`exec::pristine_signals`).
fn relay_signals() -> Result<SignalFd> {
    let mut set = SigSet::empty();
    set.add(Signal::SIGCHLD);
    set.add(Signal::SIGWINCH);
    // Its default action would end us with the terminal raw: pass it on.
    set.add(Signal::SIGQUIT);
    sigprocmask(SigmaskHow::SIG_BLOCK, Some(&set), None).context(|| "sigprocmask failed")?;
    SignalFd::with_flags(&set, SfdFlags::SFD_CLOEXEC | SfdFlags::SFD_NONBLOCK)
        .context(|| "signalfd failed")
}

/// Our terminal in raw mode: what is typed goes to the program as it is
/// typed, keys such as Ctrl-C included (the program's terminal turns them
/// into signals), and its output reaches the screen as it was written. The
/// modes found are put back on drop, on every way out of the relay.
struct Raw {
    modes: libc::termios,
}

impl Raw {
    fn enter(modes: libc::termios) -> Result<Raw> {
        let mut raw = modes;
        // SAFETY: cfmakeraw only changes the struct it is given.
        unsafe { libc::cfmakeraw(&mut raw) };
        raw.c_cc[libc::VMIN] = 1;
        raw.c_cc[libc::VTIME] = 0;
        set_modes(stdin(), &raw).context(|| "cannot set the terminal to raw mode")?;
        Ok(Raw { modes })
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        let _ = set_modes(stdin(), &self.modes);
    }
}

fn stdin() -> BorrowedFd<'static> {
    // SAFETY: descriptor 0 is ours for as long as we run; at worst it is
    // closed, and the calls on it fail.
    unsafe { BorrowedFd::borrow_raw(libc::STDIN_FILENO) }
}

/// A terminal's modes, or None when it is no terminal.
fn get_modes(fd: BorrowedFd) -> Option<libc::termios> {
    let mut modes = std::mem::MaybeUninit::<libc::termios>::zeroed();
    // SAFETY: tcgetattr fills the struct on success.
    let ret = unsafe { libc::tcgetattr(fd.as_raw_fd(), modes.as_mut_ptr()) };
    // SAFETY: filled in by the successful call.
    (ret == 0).then(|| unsafe { modes.assume_init() })
}

/// Set them at once: a pseudo-terminal or a screen has no line to drain
/// first, and a terminal nobody reads would make us wait forever.
fn set_modes(fd: BorrowedFd, modes: &libc::termios) -> nix::Result<()> {
    // SAFETY: tcsetattr reads the struct.
    let ret = unsafe { libc::tcsetattr(fd.as_raw_fd(), libc::TCSANOW, modes) };
    Errno::result(ret).map(drop)
}

/// Give the pseudo-terminal the size of ours (TIOCGWINSZ, TIOCSWINSZ); the
/// kernel then sends SIGWINCH to the program's foreground process group.
fn copy_window_size(from: RawFd, master: &OwnedFd) {
    let mut size = std::mem::MaybeUninit::<libc::winsize>::zeroed();
    // SAFETY: TIOCGWINSZ fills a winsize; TIOCSWINSZ reads one.
    unsafe {
        if libc::ioctl(from, libc::TIOCGWINSZ, size.as_mut_ptr()) == 0 {
            libc::ioctl(master.as_raw_fd(), libc::TIOCSWINSZ, size.as_ptr());
        }
    }
}

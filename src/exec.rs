//! Running the user's program: command lookup, a pristine exec, and the
//! fork-and-wait that passes the child's fate on to our own parent.

use std::ffi::{CString, OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};

use nix::errno::Errno;
use nix::sys::signal::{
    kill, sigaction, sigprocmask, SaFlags, SigAction, SigHandler, SigSet, SigmaskHow, Signal,
};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, getpid, ForkResult, Pid};

use crate::args::c_strings;
use crate::error::{Error, Result, EXIT_FAILURE};

/// The program to run, ready for exec: nothing is allocated after a fork.
#[derive(Debug)]
pub struct Program {
    path: CString,
    argv: Vec<CString>,
    /// Search PATH (execvp) or use `path` as it is (the shell).
    search: bool,
}

impl Program {
    /// The operands left after the options; none means the user's shell.
    pub fn new(operands: Vec<OsString>) -> Result<Program> {
        if operands.is_empty() {
            return Ok(Self::shell());
        }
        let argv = c_strings(operands)?;
        Ok(Program {
            path: argv[0].clone(),
            argv,
            search: true,
        })
    }

    /// The user's shell, started as a login shell ("-bash"), as util-linux
    /// 2.42's unshare and nsenter choose it: `$SHELL`; when that is unset or
    /// empty, the login shell in /etc/passwd of our real uid; else /bin/sh.
    ///
    /// Call it last, as util-linux does: after the environment, the ids and
    /// the root have changed, so that `--clear-env` or nsenter's `-e` decide
    /// `$SHELL`, and the uid and /etc/passwd are those the program runs with.
    pub fn shell() -> Program {
        let shell = std::env::var_os("SHELL")
            .filter(|s| !s.is_empty())
            .or_else(|| crate::userdb::login_shell(nix::unistd::getuid().as_raw()))
            .unwrap_or_else(|| OsString::from("/bin/sh"));
        let mut arg0 = b"-".to_vec();
        arg0.extend_from_slice(basename(shell.as_bytes()));
        Program {
            path: CString::new(shell.into_vec()).unwrap_or_else(|_| c"/bin/sh".into()),
            argv: vec![CString::new(arg0).unwrap_or_else(|_| c"-sh".into())],
            search: false,
        }
    }

    /// Replace this process with the program. Only returns on failure.
    ///
    /// Everything here is async-signal-safe, so it may run right after fork.
    pub fn exec(&self) -> Error {
        self.exec_announced(|| {})
    }

    /// The same, calling `announce` at the last moment: after the signal
    /// state is made pristine (so a signal held back until now has already
    /// struck, and one that ends us ends us before the announcement), right
    /// before the exec. `announce` must be async-signal-safe.
    pub fn exec_announced(&self, announce: impl FnOnce()) -> Error {
        pristine_signals();
        announce();
        self.exec_now()
    }

    /// The exec itself, once the signals are pristine.
    fn exec_now(&self) -> Error {
        let mut errno = if self.search {
            nix::unistd::execvp(&self.path, &self.argv).unwrap_err()
        } else {
            nix::unistd::execv(&self.path, &self.argv).unwrap_err()
        };
        if self.search && errno == Errno::ENOEXEC {
            errno = self.exec_with_sh();
        }
        Error::exec(self.path.to_string_lossy(), errno)
    }

    /// A file the kernel cannot execute (a script without `#!`) is run by
    /// /bin/sh, as glibc's execvp does it: `/bin/sh FILE ARG...`, FILE as
    /// found along PATH. musl's execvp gives ENOEXEC instead, so nsbox does
    /// it itself, and the program runs alike whichever C library nsbox is
    /// built with (and as under util-linux). Only returns on failure.
    fn exec_with_sh(&self) -> Errno {
        let found = if self.path.as_bytes().contains(&b'/') {
            Some(self.path.clone())
        } else {
            search_path(OsStr::from_bytes(self.path.as_bytes()))
                .ok()
                .and_then(|path| CString::new(path.into_os_string().into_vec()).ok())
        };
        let Some(file) = found else {
            return Errno::ENOEXEC;
        };
        let mut argv = vec![CString::from(c"/bin/sh"), file];
        argv.extend(self.argv.iter().skip(1).cloned());
        nix::unistd::execv(c"/bin/sh", &argv).unwrap_err()
    }
}

/// The last component of a path, as basename(3) gives it: trailing slashes
/// do not count, and `/` alone stays `/`.
fn basename(path: &[u8]) -> &[u8] {
    let trimmed = match path.iter().rposition(|&b| b != b'/') {
        Some(last) => &path[..=last],
        None if path.is_empty() => return path,
        None => return b"/",
    };
    trimmed.rsplit(|&b| b == b'/').next().unwrap_or(trimmed)
}

pub use crate::stops::keep_proc;

/// Signals whose disposition we changed, as a bit mask by signal number.
static CHANGED_SIGNALS: AtomicU64 = AtomicU64::new(0);
/// The child that `forward_signal` passes signals to.
static FORWARD_TO: AtomicI32 = AtomicI32::new(0);

/// Install a disposition, remembering to restore it before exec.
pub fn set_disposition(signal: Signal, handler: SigHandler) -> Result<()> {
    CHANGED_SIGNALS.fetch_or(1 << signal as u64, Ordering::Relaxed);
    install(signal, handler)
}

/// sigaction(2), restarting interrupted calls; SA_SIGINFO for a handler
/// that takes it.
fn install(signal: Signal, handler: SigHandler) -> Result<()> {
    let flags = match handler {
        SigHandler::SigAction(_) => SaFlags::SA_RESTART | SaFlags::SA_SIGINFO,
        _ => SaFlags::SA_RESTART,
    };
    let action = SigAction::new(handler, flags, SigSet::empty());
    // SAFETY: our handlers only call async-signal-safe functions.
    unsafe { sigaction(signal, &action) }
        .map(drop)
        .map_err(|e| Error::sys("sigaction failed", e))
}

/// Whether SIGCHLD has been given its default disposition.
static SIGCHLD_DEFAULT: AtomicBool = AtomicBool::new(false);

/// Give SIGCHLD its default disposition, once: an inherited SIG_IGN would
/// have the kernel reap our children before we could wait for them
/// (util-linux resets it too). Not counted among the signals we changed:
/// the default is what the program should see anyway, and it inherits it.
pub fn default_sigchld() -> Result<()> {
    if SIGCHLD_DEFAULT.swap(true, Ordering::Relaxed) {
        return Ok(());
    }
    install(Signal::SIGCHLD, SigHandler::SigDfl)
}

/// Give the program what a freshly started process has: default handlers for
/// every signal we touched and an empty signal mask. Dispositions that our
/// own parent chose (SIG_IGN from nohup, say) are its business and stay.
/// Async-signal-safe: only sigaction and sigprocmask.
pub fn pristine_signals() {
    let changed = CHANGED_SIGNALS.load(Ordering::Relaxed);
    let default = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
    for signal in Signal::iterator().filter(|s| changed & (1 << *s as u64) != 0) {
        // SAFETY: restoring the default disposition is always sound.
        let _ = unsafe { sigaction(signal, &default) };
    }
    let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None);
}

/// How the waiting parent treats SIGINT and SIGTERM sent to it. SIGHUP is
/// always passed on (unless our caller ignores it): a parent that died of
/// a hangup would leave the program running without it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParentSignals {
    /// Block them, as util-linux's `unshare --fork` does: the child decides.
    Block,
    /// Pass them on to the child (`--forward-signals`).
    Forward,
}

const PARENT_SIGNALS: [Signal; 2] = [Signal::SIGINT, Signal::SIGTERM];

/// Pass a signal sent to us on to the child, but not one the kernel sent to
/// our whole process group while the child is in it too: the terminal's
/// Ctrl-C, or the hangup the foreground group gets when the session's
/// leader exits (a hangup to a stopped group that lost its parent goes to
/// the group too). The child has had that one already, and a second Ctrl-C
/// often means "force quit". The hangup of the terminal itself goes to the
/// session's leader alone, so when we lead our session, it is passed on.
extern "C" fn forward_signal(
    signal: libc::c_int,
    info: *mut libc::siginfo_t,
    _context: *mut libc::c_void,
) {
    let child = FORWARD_TO.load(Ordering::Relaxed);
    if child <= 0 {
        return;
    }
    // SAFETY: with SA_SIGINFO the kernel passes a valid siginfo; the rest
    // are async-signal-safe system calls.
    unsafe {
        let from_kernel = !info.is_null() && (*info).si_code == libc::SI_KERNEL;
        let to_leader_alone = signal == libc::SIGHUP && libc::getsid(0) == libc::getpid();
        if from_kernel && !to_leader_alone && libc::getpgid(child) == libc::getpgrp() {
            return;
        }
        libc::kill(child, signal);
    }
}

/// Whether our caller left `signal` ignored (nohup does, for SIGHUP).
fn ignored(signal: Signal) -> bool {
    let mut current = std::mem::MaybeUninit::<libc::sigaction>::zeroed();
    // SAFETY: a null new action only reads the current one into `current`.
    let ret = unsafe {
        libc::sigaction(
            signal as libc::c_int,
            std::ptr::null(),
            current.as_mut_ptr(),
        )
    };
    // SAFETY: filled in by the successful call.
    ret == 0 && unsafe { current.assume_init() }.sa_sigaction == libc::SIG_IGN
}

/// Which side of a fork we are on.
pub enum Forked {
    Child,
    Parent(Pid),
}

/// Fork, the parent treating SIGINT and SIGTERM as `signals` says and
/// passing SIGHUP on. The child starts with the three blocked; the exec
/// clears its mask.
pub fn fork_child(signals: ParentSignals) -> Result<Forked> {
    fork_child_in(signals, None)
}

/// `fork_child`, the child born in the cgroup v2 directory `cgroup` when
/// one is given (clone3 with CLONE_INTO_CGROUP): we never move. Where the
/// kernel lacks it (before 5.7), the child moves itself there first thing.
pub fn fork_child_in(
    signals: ParentSignals,
    cgroup: Option<&crate::cgroup::Destination>,
) -> Result<Forked> {
    default_sigchld()?;
    crate::stops::keep_proc();
    let mut set: SigSet = PARENT_SIGNALS.iter().copied().collect();
    set.add(Signal::SIGHUP);
    // Block first: between fork and installing the forwarder, a signal must
    // neither kill the parent nor be lost; the child clears the mask at exec.
    let mut old = SigSet::empty();
    sigprocmask(SigmaskHow::SIG_BLOCK, Some(&set), Some(&mut old))
        .map_err(|e| Error::sys("sigprocmask failed", e))?;
    match spawn(cgroup)? {
        ForkResult::Child => {
            crate::stops::forget_proc();
            if let Some(cgroup) = cgroup.filter(|_| !BORN_IN_CGROUP.load(Ordering::Relaxed)) {
                cgroup.join()?;
            }
            Ok(Forked::Child)
        }
        ForkResult::Parent { child } => {
            FORWARD_TO.store(child.as_raw(), Ordering::Relaxed);
            let mut forwarded = Vec::new();
            if !ignored(Signal::SIGHUP) {
                forwarded.push(Signal::SIGHUP);
            }
            let mut mask = old;
            match signals {
                ParentSignals::Forward => forwarded.extend(PARENT_SIGNALS),
                ParentSignals::Block => PARENT_SIGNALS.iter().for_each(|&s| mask.add(s)),
            }
            for signal in forwarded {
                set_disposition(signal, SigHandler::SigAction(forward_signal))?;
            }
            let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(&mask), None);
            Ok(Forked::Parent(child))
        }
    }
}

/// Whether the last child was born in its cgroup by clone3.
static BORN_IN_CGROUP: AtomicBool = AtomicBool::new(false);

/// fork(2), or clone3(2) into `cgroup`, falling back to fork(2) where
/// the kernel has no clone3 or no CLONE_INTO_CGROUP.
fn spawn(cgroup: Option<&crate::cgroup::Destination>) -> Result<ForkResult> {
    let failed = |e| Error::sys("fork failed", e);
    if let Some(cgroup) = cgroup {
        // SAFETY: nsbox never starts threads; until exec the child only
        // makes system calls and reports errors (no raise or abort).
        match unsafe { crate::sys::fork_into_cgroup(&cgroup.dir) } {
            Ok(0) => {
                BORN_IN_CGROUP.store(true, Ordering::Relaxed);
                return Ok(ForkResult::Child);
            }
            Ok(pid) => {
                return Ok(ForkResult::Parent {
                    child: Pid::from_raw(pid),
                })
            }
            Err(Errno::ENOSYS | Errno::E2BIG) => {}
            Err(errno) => {
                return Err(Error::sys(
                    format!(
                        "cannot start the program in cgroup {}",
                        cgroup.path.display()
                    ),
                    errno,
                ))
            }
        }
    }
    // SAFETY: nsbox never starts threads, so the child may run anything; we
    // still keep it to async-signal-safe work until exec.
    unsafe { fork() }.map_err(failed)
}

/// Fork. In the child, return `Ok(None)`; in the parent, wait for the child
/// and return `Ok(Some(status))`, the status our own exit should carry (after
/// re-raising a terminating signal on ourselves, when we are still alive).
pub fn fork_and_wait(signals: ParentSignals) -> Result<Option<i32>> {
    match fork_child(signals)? {
        Forked::Child => Ok(None),
        Forked::Parent(child) => Ok(Some(wait_and_mirror(child))),
    }
}

/// Wait for `child` to end and mirror it: its exit code, its terminating
/// signal (re-raised on ourselves), and its stops (we stop too, then continue
/// it when we are continued, so job control in the shell works; see
/// `stops` for how we are woken should the child move on without us).
pub fn wait_and_mirror(child: Pid) -> i32 {
    wait_and_mirror_then(child, || {})
}

/// `wait_and_mirror`, running `last` once the child has ended and before
/// its end becomes ours: a re-raised signal leaves no chance to clean up
/// afterwards.
pub fn wait_and_mirror_then(child: Pid, last: impl FnOnce()) -> i32 {
    let ending = wait_for_end(child);
    last();
    match ending {
        Ok(code) => code,
        Err(signal) => reraise(signal),
    }
}

/// Wait for `child` to end, mirroring its stops: its exit code, or the
/// signal that killed it.
fn wait_for_end(child: Pid) -> std::result::Result<i32, Signal> {
    loop {
        match waitpid(child, Some(WaitPidFlag::WUNTRACED)) {
            Ok(WaitStatus::Exited(_, code)) => break Ok(code),
            Ok(WaitStatus::Signaled(_, signal, _)) => break Err(signal),
            Ok(WaitStatus::Stopped(..)) => crate::stops::mirror(child),
            Ok(_) | Err(Errno::EINTR) => {}
            Err(errno) => {
                Error::sys("waitpid failed", errno).report(crate::applet_name());
                break Ok(EXIT_FAILURE);
            }
        }
    }
}

/// Die of the same signal as the child, so that our parent sees 128+N.
/// Falls back to returning 128+N should the signal not end us.
pub(crate) fn reraise(signal: Signal) -> i32 {
    // A core-dumping signal must not write a core of ours over the child's.
    let no_core = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain system calls with valid arguments.
    unsafe { libc::setrlimit(libc::RLIMIT_CORE, &no_core) };
    let default = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
    // SAFETY: restoring the default disposition is always sound.
    let _ = unsafe { sigaction(signal, &default) };
    let mut only = SigSet::empty();
    only.add(signal);
    let _ = sigprocmask(SigmaskHow::SIG_UNBLOCK, Some(&only), None);
    let _ = kill(getpid(), signal);
    128 + signal as i32
}

/// Whether `name` can be found along PATH, as a quick check before relying on it.
pub fn in_path(name: &str) -> bool {
    search_path(OsStr::new(name)).is_ok()
}

/// An executable regular file, or the errno exec would give.
fn runnable(path: &Path) -> std::result::Result<(), Errno> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Errno::from_raw(e.raw_os_error().unwrap_or(libc::ENOENT)))?;
    if !meta.is_file() {
        return Err(Errno::EACCES);
    }
    nix::unistd::access(path, nix::unistd::AccessFlags::X_OK)
}

/// Look `name` up as glibc's execvp does: along PATH, or its default when
/// PATH is unset, an empty entry meaning the current directory; an EACCES on
/// the way is remembered and given if nothing else is found.
fn search_path(name: &OsStr) -> std::result::Result<PathBuf, Errno> {
    if name.is_empty() {
        return Err(Errno::ENOENT);
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| OsString::from("/bin:/usr/bin"));
    let mut denied = false;
    for dir in path.as_bytes().split(|&b| b == b':') {
        let dir = if dir.is_empty() { b"." as &[u8] } else { dir };
        let candidate = Path::new(OsStr::from_bytes(dir)).join(name);
        match runnable(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(Errno::EACCES) => denied = true,
            Err(_) => {}
        }
    }
    Err(if denied { Errno::EACCES } else { Errno::ENOENT })
}

/// Wait for a child that does its own talking: its exit code, or None when
/// a signal ended it.
pub fn wait_quietly(child: Pid) -> Option<i32> {
    loop {
        match waitpid(child, None) {
            Ok(WaitStatus::Exited(_, code)) => return Some(code),
            Ok(WaitStatus::Signaled(..)) => return None,
            Ok(_) | Err(Errno::EINTR) => {}
            Err(_) => return None,
        }
    }
}

/// Give the program exactly this environment. Our own is changed (we are
/// single-threaded and about to exec), so that execvp searches the PATH the
/// program will see, as util-linux does.
pub fn replace_environment(env: &[(OsString, OsString)]) {
    // SAFETY: no other thread reads the environment.
    unsafe { libc::clearenv() };
    for (name, value) in env {
        std::env::set_var(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basename_as_libc_gives_it() {
        for (path, base) in [
            ("/bin/bash", "bash"),
            ("bash", "bash"),
            ("/usr/bin/fish/", "fish"),
            ("/bin//zsh//", "zsh"),
            ("/", "/"),
            ("//", "/"),
        ] {
            assert_eq!(basename(path.as_bytes()), base.as_bytes(), "{path}");
        }
    }
}

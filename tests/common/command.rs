//! `Cmd`, a command to run, and what its child does to itself between
//! fork and exec: a clean slate, passed fds, signals, dropped privileges.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;

use super::{Output, Proc, NSBOX};

/// The binary under its own name.
pub fn nsbox() -> Cmd {
    Cmd::new(NSBOX)
}

/// Any other program.
pub fn cmd(program: impl AsRef<OsStr>) -> Cmd {
    Cmd::new(program)
}

/// `sh -c '"$@"; echo $?' sh PROGRAM ARGS...`: the status as a shell sees it.
pub fn via_shell(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Cmd {
    cmd("/bin/sh")
        .args(["-c", r#""$@"; echo $?"#, "sh"])
        .arg(program)
        .args(args)
}

enum Input {
    Null,
    Data(Vec<u8>),
    /// A pipe the test keeps open until `Proc::close_stdin` or the end.
    Pipe,
}

/// A command to run, with what the child does to itself before exec.
pub struct Cmd {
    command: Command,
    shown: Vec<String>,
    input: Input,
    uid: Option<u32>,
    fds: Vec<(RawFd, RawFd)>,
    blocked: Vec<libc::c_int>,
    ignored: Vec<libc::c_int>,
}

fn quote(word: &OsStr) -> String {
    let text = word.to_string_lossy();
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b));
    if plain {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>) -> Cmd {
        Cmd {
            command: Command::new(program.as_ref()),
            shown: vec![quote(program.as_ref())],
            input: Input::Null,
            uid: None,
            fds: Vec::new(),
            blocked: Vec::new(),
            ignored: Vec::new(),
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Cmd {
        self.shown.push(quote(arg.as_ref()));
        self.command.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for arg in args {
            self = self.arg(arg);
        }
        self
    }

    /// argv[0], when it should differ from the program path.
    pub fn arg0(mut self, arg0: impl AsRef<OsStr>) -> Cmd {
        self.shown
            .insert(0, format!("(argv[0]={})", quote(arg0.as_ref())));
        self.command.arg0(arg0);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Cmd {
        self.shown
            .insert(0, format!("{key}={}", quote(value.as_ref())));
        self.command.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Cmd {
        self.shown.insert(0, format!("(no {key})"));
        self.command.env_remove(key);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Cmd {
        self.command.current_dir(dir);
        self
    }

    /// Feed these bytes to stdin, then close it.
    pub fn stdin(mut self, data: impl Into<Vec<u8>>) -> Cmd {
        self.input = Input::Data(data.into());
        self
    }

    /// Keep stdin an open pipe until `Proc::close_stdin`.
    pub fn stdin_pipe(mut self) -> Cmd {
        self.input = Input::Pipe;
        self
    }

    /// Drop to this uid, its gid and no supplementary groups before exec.
    // A builder step, named as the tests read best.
    #[allow(clippy::wrong_self_convention)]
    pub fn as_user(mut self, uid: u32) -> Cmd {
        self.shown.insert(0, format!("(as uid {uid})"));
        self.uid = Some(uid);
        self
    }

    /// Give the child `fd` as descriptor number `target`.
    pub fn pass_fd(mut self, fd: &impl AsRawFd, target: RawFd) -> Cmd {
        self.shown.insert(0, format!("(fd {target} passed)"));
        self.fds.push((fd.as_raw_fd(), target));
        self
    }

    /// Start the program with `signal` blocked (inherited by exec).
    pub fn block_signal(mut self, signal: libc::c_int) -> Cmd {
        self.shown.insert(0, format!("(signal {signal} blocked)"));
        self.blocked.push(signal);
        self
    }

    /// Start the program with `signal` ignored, as nohup does.
    pub fn ignore_signal(mut self, signal: libc::c_int) -> Cmd {
        self.shown.insert(0, format!("(signal {signal} ignored)"));
        self.ignored.push(signal);
        self
    }

    pub fn spawn(mut self) -> Proc {
        let uid = self.uid;
        let fds = std::mem::take(&mut self.fds);
        let blocked = std::mem::take(&mut self.blocked);
        let ignored = std::mem::take(&mut self.ignored);
        // SAFETY: only async-signal-safe calls, on data prepared beforehand.
        unsafe {
            self.command.pre_exec(move || {
                child_setup(uid, &fds, &blocked, &ignored)?;
                Ok(())
            });
        }
        self.command
            .stdin(match self.input {
                Input::Null => Stdio::null(),
                _ => Stdio::piped(),
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let shown = self.shown.join(" ");
        let mut child = self
            .command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {shown}: {e}"));
        let mut stdin = child.stdin.take();
        if let Input::Data(data) = std::mem::replace(&mut self.input, Input::Null) {
            let mut pipe = stdin.take().unwrap();
            std::thread::spawn(move || {
                // The program may exit without reading: EPIPE is its business.
                let _ = pipe.write_all(&data);
            });
        }
        let out = reader(child.stdout.take().unwrap());
        let err = reader(child.stderr.take().unwrap());
        Proc {
            child: Some(child),
            shown,
            stdin,
            out,
            err,
        }
    }

    /// Run to the end (at most `TIMEOUT`) and collect the output.
    pub fn run(self) -> Output {
        self.spawn().wait()
    }
}

/// What the child does between fork and exec: start from a clean slate
/// whatever the test runner inherited (stray descriptors, ignored signals),
/// pass fds, set up signals, drop privileges. Async-signal-safe: plain
/// system calls only.
pub(super) fn child_setup(
    uid: Option<u32>,
    fds: &[(RawFd, RawFd)],
    blocked: &[libc::c_int],
    ignored: &[libc::c_int],
) -> std::io::Result<()> {
    let check = |ret: libc::c_int| {
        if ret < 0 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(ret)
        }
    };
    // SAFETY: plain system calls on valid arguments.
    unsafe {
        // Only SIG_IGN survives exec; put back SIG_DFL for every signal, the
        // ones glibc keeps for itself (32, 33) included, hence the raw call.
        let default = [0u64; 4];
        for signal in 1..=64 {
            if signal != libc::SIGKILL && signal != libc::SIGSTOP {
                libc::syscall(
                    libc::SYS_rt_sigaction,
                    signal,
                    default.as_ptr(),
                    std::ptr::null_mut::<u64>(),
                    8,
                );
            }
        }
        for &(from, to) in fds {
            if from == to {
                let flags = check(libc::fcntl(from, libc::F_GETFD))?;
                check(libc::fcntl(from, libc::F_SETFD, flags & !libc::FD_CLOEXEC))?;
            } else {
                // dup2 leaves the new descriptor without FD_CLOEXEC.
                check(libc::dup2(from, to))?;
            }
        }
        // Every other descriptor from 3 up closes at exec. (Marked rather
        // than closed: std's pipe that reports a failed exec must stay.)
        let mut first: libc::c_uint = 3;
        for fd in 3..=fds.iter().map(|&(_, to)| to).max().unwrap_or(0) {
            if fds.iter().any(|&(_, to)| to == fd) {
                if fd as libc::c_uint > first {
                    close_on_exec(first, fd as libc::c_uint - 1)?;
                }
                first = fd as libc::c_uint + 1;
            }
        }
        close_on_exec(first, libc::c_uint::MAX)?;
        let mut set = std::mem::zeroed::<libc::sigset_t>();
        libc::sigemptyset(&mut set);
        for &signal in blocked {
            libc::sigaddset(&mut set, signal);
        }
        check(libc::sigprocmask(
            libc::SIG_BLOCK,
            &set,
            std::ptr::null_mut(),
        ))?;
        for &signal in ignored {
            if libc::signal(signal, libc::SIG_IGN) == libc::SIG_ERR {
                return Err(std::io::Error::last_os_error());
            }
        }
        if let Some(uid) = uid {
            check(libc::setgroups(0, std::ptr::null()))?;
            check(libc::setgid(uid))?;
            check(libc::setuid(uid))?;
        }
    }
    Ok(())
}

/// Set FD_CLOEXEC on the descriptors `first..=last`.
fn close_on_exec(first: libc::c_uint, last: libc::c_uint) -> std::io::Result<()> {
    // SAFETY: close_range with CLOSE_RANGE_CLOEXEC closes nothing now.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            first,
            last,
            libc::CLOSE_RANGE_CLOEXEC,
        )
    };
    if ret < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

fn reader(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut data = Vec::new();
        let _ = pipe.read_to_end(&mut data);
        let _ = tx.send(data);
    });
    rx
}

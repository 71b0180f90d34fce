//! The integration tests' harness: a temp dir per test holding links named
//! after the applets, a command builder whose failed expectations print the
//! whole story, and `Target`, a process living in fresh namespaces made by
//! util-linux's unshare (never by the test process itself: it has threads).
// Each test file uses a different part of the harness.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::fmt::Display;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The binary under test.
pub const NSBOX: &str = env!("CARGO_BIN_EXE_nsbox");
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Every applet, as `nsbox --list` prints them.
pub const APPLETS: [&str; 4] = ["nsbind", "nsenter", "setns-test", "unshare"];
/// Every namespace kind, by its /proc/PID/ns/ name.
pub const KINDS: [&str; 8] = ["mnt", "uts", "ipc", "net", "pid", "user", "cgroup", "time"];
/// The unprivileged user the tests drop to.
pub const NOBODY: u32 = 65534;
/// util-linux's unshare: the fixture that makes namespaces, and the reference
/// for message formats.
pub const UL_UNSHARE: &str = "/usr/bin/unshare";
/// No single command or wait in a test should come near this.
pub const TIMEOUT: Duration = Duration::from_secs(30);

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{prefix}.{}.{n}.{nanos:x}", std::process::id())
}

/// Poll `done` until it holds; panic after `TIMEOUT`, naming what we waited for.
pub fn wait_until(what: impl Display, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + TIMEOUT;
    let mut pause = Duration::from_millis(1);
    while !done() {
        if Instant::now() > deadline {
            panic!("timed out after {TIMEOUT:?} waiting for {what}");
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------- temp dirs

/// A fresh directory, mode 0755 so that uid 65534 can run the binary through
/// links in it; removed with its contents on drop.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new() -> TempDir {
        TempDir::new_in("/tmp")
    }

    pub fn new_in(parent: impl AsRef<Path>) -> TempDir {
        let path = parent.as_ref().join(unique("nsbox-test"));
        std::fs::create_dir_all(parent.as_ref())
            .and_then(|()| std::fs::create_dir(&path))
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("cannot chmod {}: {e}", path.display()));
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.path.join(name)
    }

    /// A regular file with this content and mode.
    pub fn write(&self, name: &str, content: &str, mode: u32) -> PathBuf {
        let path = self.join(name);
        std::fs::write(&path, content)
            .and_then(|()| std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)))
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path
    }

    /// A symbolic link `name` pointing at `target`.
    pub fn symlink(&self, target: impl AsRef<Path>, name: &str) -> PathBuf {
        let path = self.join(name);
        std::os::unix::fs::symlink(target.as_ref(), &path)
            .unwrap_or_else(|e| panic!("cannot create link {}: {e}", path.display()));
        path
    }

    /// The names in the directory, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.path)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", self.path.display()))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A test's world: a temp dir with `unshare`, `nsenter`, `setns-test` and
/// `nsbind` linking to the binary, so the real binary runs under those names.
pub struct Env {
    tmp: TempDir,
}

impl Env {
    pub fn new() -> Env {
        let tmp = TempDir::new();
        for name in APPLETS {
            tmp.symlink(NSBOX, name);
        }
        Env { tmp }
    }

    pub fn dir(&self) -> &Path {
        self.tmp.path()
    }

    pub fn tmp(&self) -> &TempDir {
        &self.tmp
    }

    /// DIR/NAME: for an applet, the path of its link.
    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.join(name)
    }

    /// Run the applet through its link.
    pub fn applet(&self, name: &str) -> Cmd {
        Cmd::new(self.path(name))
    }

    /// One more link to the binary, under any name.
    pub fn link(&self, name: &str) -> PathBuf {
        self.tmp.symlink(NSBOX, name)
    }
}

/// The binary under its own name.
pub fn nsbox() -> Cmd {
    Cmd::new(NSBOX)
}

/// Any other program.
pub fn cmd(program: impl AsRef<OsStr>) -> Cmd {
    Cmd::new(program)
}

// ---------------------------------------------------------------- commands

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
fn child_setup(
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

/// A running command. Dropping it kills and reaps it.
pub struct Proc {
    child: Option<Child>,
    shown: String,
    stdin: Option<ChildStdin>,
    out: mpsc::Receiver<Vec<u8>>,
    err: mpsc::Receiver<Vec<u8>>,
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

// ---------------------------------------------------------------- /proc

/// `readlink /proc/PID/ns/KIND`, e.g. "uts:[4026531838]".
pub fn ns(pid: impl Display, kind: &str) -> String {
    let path = format!("/proc/{pid}/ns/{kind}");
    std::fs::read_link(&path)
        .unwrap_or_else(|e| panic!("readlink {path}: {e}"))
        .to_string_lossy()
        .into_owned()
}

fn try_ns(pid: impl Display, kind: &str) -> Option<String> {
    let link = std::fs::read_link(format!("/proc/{pid}/ns/{kind}")).ok()?;
    Some(link.to_string_lossy().into_owned())
}

/// The test process's own namespace of this kind.
pub fn own_ns(kind: &str) -> String {
    ns("self", kind)
}

/// The children of a (single-threaded) process.
pub fn children(pid: i32) -> Vec<i32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect()
}

/// Wait for the only child of `pid` and return its pid.
pub fn wait_for_child(pid: i32) -> i32 {
    let mut found = Vec::new();
    wait_until(format!("a child of {pid}"), || {
        found = children(pid);
        !found.is_empty()
    });
    assert_eq!(found.len(), 1, "{pid} has several children: {found:?}");
    found[0]
}

/// The one-letter state from /proc/PID/stat ('R', 'S', 'T', 'Z', ...).
pub fn state(pid: i32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    after.trim_start().chars().next()
}

/// The command name, /proc/PID/comm, without the newline.
pub fn comm(pid: i32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|s| s.trim_end().to_owned())
}

/// Whether `pid` is blocked reading its standard input.
pub fn reading_stdin(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/syscall"))
        .is_ok_and(|s| s.starts_with(&format!("{} 0x0 ", libc::SYS_read)))
}

/// The open descriptors of `pid`, sorted.
pub fn open_fds(pid: i32) -> Vec<i32> {
    let mut fds: Vec<i32> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap_or_else(|e| panic!("cannot list /proc/{pid}/fd: {e}"))
        .map(|e| e.unwrap().file_name().to_string_lossy().parse().unwrap())
        .collect();
    fds.sort();
    fds
}

fn pidfd_open(pid: i32) -> std::io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
    let ret = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if ret < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: the descriptor is new and ours alone.
    Ok(unsafe { OwnedFd::from_raw_fd(ret as RawFd) })
}

fn pidfd_kill(pidfd: &OwnedFd) {
    // SAFETY: a null siginfo means "as kill(2) would send it".
    unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd.as_raw_fd(),
            libc::SIGKILL,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    };
}

// ---------------------------------------------------------------- Target

/// How to start a `Target`.
pub struct TargetBuilder {
    kinds: Vec<&'static str>,
    uid: Option<u32>,
    fork: bool,
}

impl TargetBuilder {
    /// Start it as this user. Implies a user namespace (mapped with `-r`).
    #[allow(clippy::wrong_self_convention)]
    pub fn as_user(mut self, uid: u32) -> TargetBuilder {
        self.uid = Some(uid);
        if !self.kinds.contains(&"user") {
            self.kinds.push("user");
        }
        self
    }

    /// Have unshare fork (implied by a PID namespace), so that the launcher's
    /// `*_for_children` entries name the new namespaces.
    pub fn fork(mut self) -> TargetBuilder {
        self.fork = true;
        self
    }

    pub fn start(self) -> Target {
        let option = |kind: &str| match kind {
            "mnt" => "--mount",
            "uts" => "--uts",
            "ipc" => "--ipc",
            "net" => "--net",
            "pid" => "--pid",
            "user" => "--user",
            "cgroup" => "--cgroup",
            "time" => "--time",
            other => panic!("unknown namespace kind {other}"),
        };
        let fork = self.fork || self.kinds.contains(&"pid");
        let mut command = Command::new(UL_UNSHARE);
        command.args(self.kinds.iter().map(|k| option(k)));
        if fork {
            command.args(["--fork", "--kill-child"]);
        }
        if self.kinds.contains(&"user") {
            // Without a mapping the program would run as the overflow uid,
            // without capabilities, and could not even set the hostname.
            command.arg("--map-root-user");
        }
        let hostname = self.kinds.contains(&"uts").then(|| {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            format!("nsbox-target-{}-{n}", std::process::id())
        });
        // `sleep` marks the end of the set-up: once it runs, all is in place.
        match &hostname {
            Some(name) => command.args([
                "/bin/sh",
                "-c",
                "hostname \"$1\" && exec sleep 600",
                "sh",
                name,
            ]),
            None => command.args(["sleep", "600"]),
        };
        let uid = self.uid;
        // SAFETY: only async-signal-safe calls.
        unsafe {
            command.pre_exec(move || {
                child_setup(uid, &[], &[], &[])?;
                // Should the test binary die without dropping us: a
                // safety net only, as it is tied to the spawning thread.
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let shown = format!("{command:?}");
        let launcher = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {shown}: {e}"));
        let mut target = Target {
            launcher: Some(launcher),
            shown,
            pid: 0,
            pidfd: None,
            hostname,
        };
        target.wait_ready(&self.kinds, fork);
        target
    }
}

/// A `sleep` living in fresh namespaces, made by util-linux's unshare (with
/// `--fork` for a PID namespace, the sleep then being the namespace's init).
/// It is killed and reaped on drop.
pub struct Target {
    launcher: Option<Child>,
    shown: String,
    pid: i32,
    pidfd: Option<OwnedFd>,
    hostname: Option<String>,
}

impl Target {
    /// A root-owned target in new namespaces of these kinds.
    pub fn new(kinds: &[&'static str]) -> Target {
        Target::build(kinds).start()
    }

    pub fn build(kinds: &[&'static str]) -> TargetBuilder {
        TargetBuilder {
            kinds: kinds.to_vec(),
            uid: None,
            fork: false,
        }
    }

    /// The sleeping process, as our PID namespace sees it.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// util-linux's unshare: the target itself, or its parent with `--fork`.
    pub fn launcher_pid(&self) -> i32 {
        self.launcher.as_ref().unwrap().id() as i32
    }

    /// `/proc/PID/ns/KIND` of the target.
    pub fn ns_path(&self, kind: &str) -> String {
        format!("/proc/{}/ns/{kind}", self.pid)
    }

    /// `readlink /proc/PID/ns/KIND` of the target.
    pub fn ns(&self, kind: &str) -> String {
        ns(self.pid, kind)
    }

    /// The hostname the target set in its UTS namespace.
    pub fn hostname(&self) -> &str {
        self.hostname
            .as_deref()
            .expect("the target has no UTS namespace of its own")
    }

    fn launcher_failed(&mut self, why: &str) -> ! {
        let mut launcher = self.launcher.take().unwrap();
        let _ = launcher.kill();
        let status = launcher.wait();
        let mut err = String::new();
        let _ = launcher.stderr.take().unwrap().read_to_string(&mut err);
        panic!(
            "target: {why}\n  command: {}\n  status: {status:?}\n  stderr: {err:?}",
            self.shown
        );
    }

    fn wait_ready(&mut self, kinds: &[&'static str], fork: bool) {
        let launcher = self.launcher_pid();
        let deadline = Instant::now() + TIMEOUT;
        let mut pause = Duration::from_millis(1);
        loop {
            let exited = self.launcher.as_mut().unwrap().try_wait();
            if !matches!(exited, Ok(None)) {
                self.launcher_failed("unshare ended early");
            }
            if Instant::now() > deadline {
                self.launcher_failed("not ready in time");
            }
            if self.pidfd.is_none() {
                let pid = if fork {
                    children(launcher).first().copied()
                } else {
                    Some(launcher)
                };
                if let Some(pid) = pid {
                    // The pidfd makes the kill on drop safe against pid reuse.
                    if let Ok(fd) = pidfd_open(pid) {
                        if pid == launcher || children(launcher).contains(&pid) {
                            self.pid = pid;
                            self.pidfd = Some(fd);
                        }
                    }
                }
            }
            if self.pidfd.is_some()
                && comm(self.pid).as_deref() == Some("sleep")
                && kinds
                    .iter()
                    .all(|k| try_ns(self.pid, k).is_some_and(|n| n != own_ns(k)))
            {
                return;
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(10));
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some(pidfd) = &self.pidfd {
            pidfd_kill(pidfd);
        }
        let Some(mut launcher) = self.launcher.take() else {
            return;
        };
        // unshare --fork ends when its child does; give it a moment.
        let deadline = Instant::now() + Duration::from_secs(10);
        while matches!(launcher.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        let _ = launcher.kill();
        let _ = launcher.wait();
    }
}

// ---------------------------------------------------------------- misc

/// Whether `path` is the same file as the binary under test.
pub fn is_nsbox(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    let bin = std::fs::metadata(NSBOX).unwrap();
    meta.dev() == bin.dev() && meta.ino() == bin.ino()
}

/// The binary's canonical path, as /proc/self/exe shows it.
pub fn nsbox_path() -> PathBuf {
    std::fs::canonicalize(NSBOX).unwrap()
}

/// The `Sig*` lines of a /proc/PID/status text, as (name, mask).
pub fn signal_masks(status: &str) -> Vec<(String, u64)> {
    status
        .lines()
        .filter_map(|l| l.split_once(":\t"))
        .filter(|(k, _)| ["SigBlk", "SigIgn", "SigCgt"].contains(k))
        .map(|(k, v)| (k.to_owned(), u64::from_str_radix(v.trim(), 16).unwrap()))
        .collect()
}

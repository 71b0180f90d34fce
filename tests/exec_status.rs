//! Running the program: exec failures, exit statuses and signals passed on,
//! the default shell, a pristine signal state and fd table, and job control.
//! Each check runs on both paths: the direct exec (after joining a UTS
//! namespace) and the fork-and-wait that entering a PID namespace needs.

mod common;

use common::*;

/// A setns-test invocation into a throwaway target.
struct Setup {
    env: Env,
    // Kept alive while the tests run setns-test into it.
    _target: Target,
    nsfile: String,
}

impl Setup {
    /// `fork`: join a PID namespace, so that a child runs the program.
    fn new(fork: bool) -> Setup {
        let kind = if fork { "pid" } else { "uts" };
        let target = Target::new(&[kind]);
        let nsfile = target.ns_path(kind);
        Setup {
            env: Env::new(),
            _target: target,
            nsfile,
        }
    }

    /// `setns-test NSFILE`, ready for the program and its arguments.
    fn setns(&self) -> Cmd {
        self.env
            .applet("setns-test")
            .env("HOME", self.env.dir())
            .arg(&self.nsfile)
    }

    /// `sh -c '"$@"; echo $?' sh setns-test NSFILE ARGS...`: how a shell sees us.
    fn via_shell(&self, args: &[&str]) -> Cmd {
        cmd("/bin/sh")
            .args(["-c", r#""$@"; echo $?"#, "sh"])
            .arg(self.env.path("setns-test"))
            .arg(&self.nsfile)
            .args(args)
    }

    /// The process that runs the program: ourselves, or our child.
    fn program_pid(&self, setns_pid: i32) -> i32 {
        if self.nsfile.ends_with("/pid") {
            wait_for_child(setns_pid)
        } else {
            setns_pid
        }
    }
}

/// One test per path for each check.
macro_rules! both_paths {
    ($check:ident) => {
        mod $check {
            #[test]
            fn direct() {
                super::$check(false);
            }
            #[test]
            fn forked() {
                super::$check(true);
            }
        }
    };
}

fn command_not_found(fork: bool) {
    let s = Setup::new(fork);
    s.setns()
        .arg("nsbox-no-such-command")
        .run()
        .code(127)
        .stdout_is("")
        .stderr_is(
            "setns-test: failed to execute nsbox-no-such-command: No such file or directory\n",
        );
    let missing = s.env.tmp().join("missing");
    s.setns().arg(&missing).run().code(127).stderr_is(&format!(
        "setns-test: failed to execute {}: No such file or directory\n",
        missing.display()
    ));
}
both_paths!(command_not_found);

fn not_executable(fork: bool) {
    let s = Setup::new(fork);
    let script = s.env.tmp().write("script", "#!/bin/sh\necho ran\n", 0o644);
    s.setns()
        .arg(&script)
        .run()
        .code(126)
        .stdout_is("")
        .stderr_is(&format!(
            "setns-test: failed to execute {}: Permission denied\n",
            script.display()
        ));
}
both_paths!(not_executable);

fn exit_status_passes_through(fork: bool) {
    let s = Setup::new(fork);
    s.setns()
        .args(["sh", "-c", "exit 42"])
        .run()
        .code(42)
        .stderr_is("");
    s.setns().args(["sh", "-c", "exit 0"]).run().success();
    s.setns().arg("false").run().code(1).stderr_is("");
}
both_paths!(exit_status_passes_through);

fn killed_by_sigterm(fork: bool) {
    let s = Setup::new(fork);
    s.setns()
        .args(["sh", "-c", "kill -TERM $$"])
        .run()
        .signal(libc::SIGTERM)
        .stderr_is("");
    s.via_shell(&["sh", "-c", "kill -TERM $$"])
        .run()
        .success()
        .stdout_is("143\n");
}
both_paths!(killed_by_sigterm);

fn killed_by_sigkill(fork: bool) {
    let s = Setup::new(fork);
    s.setns()
        .args(["sh", "-c", "kill -KILL $$"])
        .run()
        .signal(libc::SIGKILL)
        .stderr_is("");
    s.via_shell(&["sh", "-c", "kill -KILL $$"])
        .run()
        .success()
        .stdout_is("137\n");
}
both_paths!(killed_by_sigkill);

fn default_shell_is_a_login_shell(fork: bool) {
    let s = Setup::new(fork);
    s.setns()
        .env("SHELL", "/bin/sh")
        .stdin("echo \"$0\"\n")
        .run()
        .success()
        .stdout_is("-sh\n");
    // $SHELL is what runs: a shell under another name says so in $0.
    let mysh = s.env.tmp().symlink("/bin/sh", "mysh");
    s.setns()
        .env("SHELL", &mysh)
        .stdin("echo \"$0\"\n")
        .run()
        .success()
        .stdout_is("-mysh\n");
    // Without SHELL (or with an empty one), root's login shell.
    let login = format!("{}\n", host_login_argv0(0));
    s.setns()
        .env_remove("SHELL")
        .stdin("echo \"$0\"\nexit 5\n")
        .run()
        .code(5)
        .stdout_is(&login);
    s.setns()
        .env("SHELL", "")
        .stdin("echo \"$0\"\n")
        .run()
        .success()
        .stdout_is(&login);
}
both_paths!(default_shell_is_a_login_shell);

fn check_signal_state(out: &Output) {
    out.success();
    let masks = signal_masks(&out.stdout());
    out.check(masks.len() == 3, "SigBlk, SigIgn and SigCgt not all found");
    for (name, mask) in masks {
        out.check(mask == 0, &format!("{name} is {mask:#x}, not 0"));
    }
}

fn pristine_signal_state(fork: bool) {
    let s = Setup::new(fork);
    check_signal_state(&s.setns().args(["cat", "/proc/self/status"]).run());
}
both_paths!(pristine_signal_state);

fn inherited_signal_mask_is_cleared(fork: bool) {
    let s = Setup::new(fork);
    let out = s
        .setns()
        .block_signal(libc::SIGUSR1)
        .block_signal(libc::SIGTERM)
        .args(["cat", "/proc/self/status"])
        .run();
    check_signal_state(&out);
}
both_paths!(inherited_signal_mask_is_cleared);

/// SIG_IGN chosen by our own caller (nohup) is the caller's business.
fn inherited_ignored_signal_stays_ignored(fork: bool) {
    let s = Setup::new(fork);
    let out = s
        .setns()
        .ignore_signal(libc::SIGHUP)
        .args(["cat", "/proc/self/status"])
        .run();
    out.success();
    let ignored = signal_masks(&out.stdout())
        .into_iter()
        .find(|(name, _)| name == "SigIgn")
        .map(|(_, mask)| mask);
    out.check(
        ignored == Some(1 << (libc::SIGHUP - 1)),
        "SigIgn should be exactly SIGHUP",
    );
}
both_paths!(inherited_ignored_signal_stays_ignored);

fn only_standard_fds(fork: bool) {
    let s = Setup::new(fork);
    let mut proc = s.setns().arg("cat").stdin_pipe().spawn();
    let pid = s.program_pid(proc.pid());
    // Blocked reading stdin: past exec and the loader's own opens.
    wait_until(format!("cat ({pid}) to read its stdin"), || {
        comm(pid).as_deref() == Some("cat") && reading_stdin(pid)
    });
    assert_eq!(open_fds(pid), [0, 1, 2], "fd table of the program");
    proc.close_stdin();
    proc.wait().success().stdout_is("");
}
both_paths!(only_standard_fds);

/// A child that stops stops us too; continuing us continues it.
#[test]
fn stop_and_continue_are_mirrored() {
    let s = Setup::new(true);
    let proc = s
        .setns()
        .args(["sh", "-c", "kill -STOP $$; exit 7"])
        .spawn();
    let parent = proc.pid();
    let child = wait_for_child(parent);
    wait_until(format!("setns-test ({parent}) to stop"), || {
        state(parent) == Some('T')
    });
    assert_eq!(state(child), Some('T'), "the child is stopped too");
    proc.signal(libc::SIGCONT);
    proc.wait().code(7).stderr_is("");
}

/// SIGTERM sent to the waiting parent reaches the program, and the parent
/// then dies of it as the program did.
#[test]
fn sigterm_to_the_parent_is_forwarded() {
    let s = Setup::new(true);
    let proc = s.setns().args(["sleep", "600"]).spawn();
    let child = wait_for_child(proc.pid());
    wait_until("sleep to run", || comm(child).as_deref() == Some("sleep"));
    proc.signal(libc::SIGTERM);
    proc.wait().signal(libc::SIGTERM);
}

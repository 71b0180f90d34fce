//! A child stopped by someone else and continued (or killed) by someone
//! else: the parent, stopped along with it, must not stay stopped, and ends
//! as the child did. Each way of forking is checked: `unshare -f` (plain,
//! as the init of a new PID namespace with its own /proc, and persisting a
//! namespace, which adds a helper), `nsenter -p` (and `-m -p` into a mount
//! namespace whose /proc is another PID namespace's), `setns-test` on a PID
//! namespace file.

use super::*;

/// Stop the program from outside; the parent stops with it. Continue the
/// program from outside: the parent must be continued too, and its watcher
/// gone, and then exit with the program's status.
fn continued_from_outside(mut proc: Proc) {
    let parent = proc.pid();
    let child = program_of(parent, "sh", true);
    let _left = Leftovers::of(&[child]);
    signal(child, libc::SIGSTOP);
    wait_until(
        format!("the parent ({parent}) to stop with its child"),
        || state(parent) == Some('T'),
    );
    signal(child, libc::SIGCONT);
    wait_until(format!("the parent ({parent}) to be continued"), || {
        state(parent) != Some('T')
    });
    wait_until("only the program left as the parent's child", || {
        children(parent) == [child]
    });
    proc.close_stdin();
    proc.wait().code(7).stderr_is("");
}

/// Stop the program, then kill it: the parent must wake and die the same way.
fn killed_while_stopped(proc: Proc) {
    let parent = proc.pid();
    let child = program_of(parent, "sh", true);
    let _left = Leftovers::of(&[child]);
    signal(child, libc::SIGSTOP);
    wait_until(
        format!("the parent ({parent}) to stop with its child"),
        || state(parent) == Some('T'),
    );
    signal(child, libc::SIGKILL);
    proc.wait().signal(libc::SIGKILL).stderr_is("");
}

fn unshare(env: &Env, options: &[&str]) -> Proc {
    env.applet("unshare")
        .args(options)
        .args(["sh", "-c", READ_THEN_7])
        .stdin_pipe()
        .spawn()
}

#[test]
fn unshare_fork() {
    let env = Env::new();
    continued_from_outside(unshare(&env, &["-f"]));
    killed_while_stopped(unshare(&env, &["-f"]));
}

/// The program is PID 1 of a new PID namespace and mounts its own /proc
/// (which the parent shares): the watcher, forked into that namespace,
/// must still see the parent; and when the program dies, the kernel kills
/// the watcher too, which must still wake the parent.
#[test]
fn unshare_fork_pid_namespace() {
    let env = Env::new();
    let options = ["-f", "--pid", "--mount", "--mount-proc"];
    continued_from_outside(unshare(&env, &options));
    killed_while_stopped(unshare(&env, &options));
}

/// `--uts=FILE` adds a helper that binds the namespace; it runs in a
/// private mount namespace made by util-linux, so no mount reaches the host.
#[test]
fn unshare_fork_persisting() {
    let env = Env::new();
    let file = env.tmp().join("uts");
    let proc = cmd(UL_UNSHARE)
        .args(["--mount", "--propagation", "private"])
        .arg(env.path("unshare"))
        .arg("-f")
        .arg(format!("--uts={}", file.display()))
        .args(["sh", "-c", READ_THEN_7])
        .stdin_pipe()
        .spawn();
    continued_from_outside(proc);
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mountinfo.contains(&file.display().to_string()));
}

fn nsenter(env: &Env, target: i32, options: &[&str]) -> Proc {
    env.applet("nsenter")
        .args(["-t", &target.to_string()])
        .args(options)
        .args(["sh", "-c", READ_THEN_7])
        .stdin_pipe()
        .spawn()
}

#[test]
fn nsenter_pid() {
    let env = Env::new();
    let target = Target::new(&["pid"]);
    continued_from_outside(nsenter(&env, target.pid(), &["-p"]));
    killed_while_stopped(nsenter(&env, target.pid(), &["-p"]));
}

/// A sleep as PID 1 of a new PID namespace, with a mount namespace whose
/// /proc is that PID namespace's: nsenter's parent does not appear there.
struct OwnProcTarget {
    launcher: Option<Proc>,
    pid: i32,
}

impl OwnProcTarget {
    fn new() -> OwnProcTarget {
        let launcher = cmd(UL_UNSHARE)
            .args(["--mount", "--pid", "--fork", "--mount-proc", "--kill-child"])
            .args(["sleep", "600"])
            .spawn();
        let pid = program_of(launcher.pid(), "sleep", false);
        OwnProcTarget {
            launcher: Some(launcher),
            pid,
        }
    }
}

impl Drop for OwnProcTarget {
    fn drop(&mut self) {
        // From outside its namespace, SIGKILL reaches an init; its
        // launcher then reaps it and leaves.
        signal(self.pid, libc::SIGKILL);
        if let Some(launcher) = self.launcher.take() {
            launcher.wait();
        }
    }
}

#[test]
fn nsenter_mount_and_pid() {
    let env = Env::new();
    let target = OwnProcTarget::new();
    continued_from_outside(nsenter(&env, target.pid, &["-m", "-p"]));
}

#[test]
fn setns_test_pid() {
    let env = Env::new();
    let target = Target::new(&["pid"]);
    let setns = || {
        env.applet("setns-test")
            .arg(target.ns_path("pid"))
            .args(["sh", "-c", READ_THEN_7])
            .stdin_pipe()
            .spawn()
    };
    continued_from_outside(setns());
    killed_while_stopped(setns());
}

/// The parent continued by itself continues the child, and its watcher
/// is gone.
#[test]
fn parent_continued_continues_the_child() {
    let env = Env::new();
    let mut proc = unshare(&env, &["-f"]);
    let parent = proc.pid();
    let child = program_of(parent, "sh", true);
    let _left = Leftovers::of(&[child]);
    for _ in 0..3 {
        signal(child, libc::SIGSTOP);
        wait_until("the parent to stop", || state(parent) == Some('T'));
        signal(parent, libc::SIGCONT);
        wait_until("the child to be continued", || state(child) != Some('T'));
        wait_until("the watcher to be gone", || children(parent) == [child]);
        assert_ne!(state(parent), Some('T'));
    }
    proc.close_stdin();
    proc.wait().code(7).stderr_is("");
}

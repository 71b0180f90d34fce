//! `-c`/`--join-cgroup`: the program joins the target's cgroup.

use super::*;

/// A target in a transient cgroup of its own (see `Cgroup`): on drop the
/// target is killed and reaped first, so that the cgroup is empty.
struct JoinCgroup {
    target: Option<Target>,
    cgroup: Cgroup,
}

impl JoinCgroup {
    fn new(kinds: &[&'static str]) -> JoinCgroup {
        let cgroup = Cgroup::new();
        let target = Target::new(kinds);
        cgroup.take(target.pid());
        JoinCgroup {
            target: Some(target),
            cgroup,
        }
    }

    fn target(&self) -> &Target {
        self.target.as_ref().unwrap()
    }
}

impl Drop for JoinCgroup {
    fn drop(&mut self) {
        drop(self.target.take());
    }
}

fn our_cgroup() -> String {
    v2_cgroup(&std::fs::read_to_string("/proc/self/cgroup").unwrap()).unwrap()
}

/// The program run by `nsenter -t T -c` is in T's cgroup (also when it
/// runs as a child, with -p: the move comes before the fork); without
/// -c it stays in ours.
#[test]
fn join_cgroup() {
    let env = Env::new();
    let cg = JoinCgroup::new(&["uts", "pid"]);
    let pid = cg.target().pid().to_string();
    let theirs = v2_cgroup(&std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap());
    assert_eq!(theirs.as_deref(), Some(cg.cgroup.path.as_str()));
    assert_ne!(our_cgroup(), cg.cgroup.path);
    for args in [
        &["-u", "-c"][..],
        &["-u", "--join-cgroup"],
        &["-p", "-c"],
        &["-p", "-F", "-c"],
    ] {
        let out = nsenter(&env)
            .args(["-t", &pid])
            .args(args)
            .args(["cat", "/proc/self/cgroup"])
            .run();
        out.success().stderr_is("");
        out.check(
            v2_cgroup(&out.stdout()).as_deref() == Some(cg.cgroup.path.as_str()),
            &format!("expected 0::{}", cg.cgroup.path),
        );
    }
    for option in ["-u", "-p"] {
        let out = nsenter(&env)
            .args(["-t", &pid, option, "cat", "/proc/self/cgroup"])
            .run();
        out.success();
        out.check(
            v2_cgroup(&out.stdout()) == Some(our_cgroup()),
            "without -c the program should stay in our cgroup",
        );
    }
}

/// The cgroup line of a process, from /proc/PID/cgroup as we see it.
fn cgroup_of(pid: i32) -> Option<String> {
    v2_cgroup(&std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?)
}

/// Run `command` (nsenter, or what execs it, with a program that waits
/// for input), and check, while the program waits, that the process
/// `command` started is still in our cgroup and the program in `cgroup`.
fn runs_in_cgroup_while_nsenter_stays(command: Cmd, cgroup: &Cgroup) -> Output {
    let mut run = command.stdin_pipe().spawn();
    let nsenter_pid = run.pid();
    let mut program = 0;
    wait_until("the program to wait for input", || {
        program = descendants(nsenter_pid)
            .into_iter()
            .find(|&p| reading_stdin(p))
            .unwrap_or(0);
        program != 0
    });
    let nsenter_cgroup = cgroup_of(nsenter_pid);
    let program_cgroup = cgroup_of(program);
    run.close_stdin();
    let out = run.wait();
    out.success().stderr_is("");
    out.check(
        nsenter_cgroup == Some(our_cgroup()),
        &format!("nsenter moved to {nsenter_cgroup:?}"),
    );
    out.check(
        program_cgroup.as_deref() == Some(cgroup.path.as_str()),
        &format!("the program is in {program_cgroup:?}"),
    );
    out
}

/// With a fork (-p, as --all gives), the program is born in the target's
/// cgroup (clone3 with CLONE_INTO_CGROUP) and nsenter never moves: its
/// cgroup, read while the program runs, is still ours. (util-linux, and
/// nsbox before, moved nsenter itself before forking.) The program also
/// sees its cgroup as the target sees its own, from inside the target's
/// cgroup namespace.
#[test]
fn the_child_is_born_there_and_nsenter_stays() {
    let env = Env::new();
    let c = Container::build().no_filters().start();
    let pid = c.pid().to_string();
    let theirs_inside = nsenter(&env)
        .args(["-t", &pid, "-C", "cat", &format!("/proc/{pid}/cgroup")])
        .run();
    theirs_inside.success();
    let out = runs_in_cgroup_while_nsenter_stays(
        nsenter(&env)
            .args(["-t", &pid, "-a", "-c", "sh", "-c"])
            .arg("cat /proc/self/cgroup; read x; exit 0"),
        c.cgroup(),
    );
    out.check(
        v2_cgroup(&out.stdout()) == v2_cgroup(&theirs_inside.stdout()),
        "the program sees its cgroup as the target sees its own",
    );
    assert_eq!(v2_cgroup(&theirs_inside.stdout()).as_deref(), Some("/"));
}

/// Without a fork (-F), nsenter becomes the program, so it moves itself,
/// as util-linux does; the target's cgroup namespace is entered after the
/// move all the same.
#[test]
fn without_a_fork_nsenter_moves_itself() {
    let env = Env::new();
    let c = Container::build().no_filters().start();
    let pid = c.pid().to_string();
    let out = nsenter(&env)
        .args([
            "-t",
            &pid,
            "-C",
            "-u",
            "-F",
            "-c",
            "cat",
            "/proc/self/cgroup",
        ])
        .run();
    out.success().stderr_is("");
    out.check(
        v2_cgroup(&out.stdout()).as_deref() == Some("/"),
        "expected 0::/",
    );
}

/// Where clone3 is missing (kernels before 5.7, or a seccomp profile that
/// answers ENOSYS for it, as container runtimes' older ones do), the child
/// is forked and moves itself first thing: nsenter still stays put.
#[test]
fn without_clone3_the_child_moves_itself() {
    let env = Env::new();
    let c = Container::build().no_filters().start();
    let pid = c.pid().to_string();
    let command = cmd("python3")
        .args([SECCOMP_FILTER, "--errno", "clone3:38", "--"])
        .arg(env.path("nsenter"))
        .args(["-t", &pid, "-a", "-c", "sh", "-c", "read x; exit 0"]);
    // python3 execs nsenter: the same process.
    runs_in_cgroup_while_nsenter_stays(command, c.cgroup());
}

/// Without write access to the target's cgroup, -c fails in one line that
/// names the file, before anything is entered; nothing runs.
#[test]
fn unprivileged() {
    let env = Env::new();
    let c = Container::build().no_filters().start();
    let pid = c.pid().to_string();
    let out = nsenter(&env)
        .args(["-t", &pid, "-u", "-c", "echo", "ran"])
        .as_user(65534)
        .run();
    out.code(1).stdout_is("");
    out.stderr_is(&format!(
        "nsenter: failed to open {}/cgroup.procs: Permission denied\n",
        c.cgroup().dir.display()
    ));
}

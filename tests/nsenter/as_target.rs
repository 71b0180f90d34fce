//! `--as-target`: the program runs as the target runs, every piece taken
//! from the target process; and the options after it override its pieces.

use super::*;

/// What a program prints about itself, for comparing with the target.
const SELF_REPORT: &str = "grep -E '^(Cap|NoNewPrivs|Seccomp|Uid|Gid|Groups)' /proc/self/status; \
     echo cgroup=$(grep '^0::' /proc/self/cgroup); \
     for k in mnt uts ipc net pid cgroup; do echo $k=$(readlink /proc/self/ns/$k); done; \
     echo pwd=$(pwd); echo env=$NSBOX_CONTAINER; nice; exit 0";

/// The same lines, for the target, read from outside.
fn target_report(pid: i32) -> String {
    let status = proc_status(pid);
    let mut lines: Vec<String> = status
        .lines()
        .filter(|l| {
            ["Cap", "NoNewPrivs:", "Seccomp", "Uid:", "Gid:", "Groups:"]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .map(str::to_owned)
        .collect();
    // Seen from inside its cgroup namespace, its cgroup is the root.
    lines.push("cgroup=0::/".to_owned());
    for kind in ["mnt", "uts", "ipc", "net", "pid", "cgroup"] {
        lines.push(format!("{kind}={}", ns(pid, kind)));
    }
    lines.push("pwd=/usr/share".to_owned());
    lines.push("env=inside".to_owned());
    lines.join("\n") + "\n"
}

#[test]
fn root_target() {
    let env = Env::new();
    let c = Container::start();
    let pid = c.pid().to_string();
    let out = nsenter(&env)
        .args(["-t", &pid, "--as-target", "sh", "-c", SELF_REPORT])
        .run();
    out.success().stdout_is(&target_report(c.pid()));
    out.stderr_is(&format!("{}\n", Container::FILTERED));
}

/// A target running as a user, with supplementary groups and ambient
/// capabilities: the program has its ids, its groups and its sets.
#[test]
fn user_target() {
    let env = Env::new();
    let c = Container::build().user(1000, 1000, "1000,2000").start();
    let pid = c.pid().to_string();
    assert!(proc_status(c.pid()).contains("Groups:\t1000 2000"));
    let out = nsenter(&env)
        .args(["-t", &pid, "--as-target", "sh", "-c", SELF_REPORT])
        .run();
    out.success().stdout_is(&target_report(c.pid()));
}

/// Options after --as-target override its pieces: ids (and with them the
/// groups), the working directory, the capability sets and filters.
#[test]
fn later_options_override() {
    let env = Env::new();
    let c = Container::build().user(1000, 1000, "1000,2000").start();
    let pid = c.pid().to_string();
    let out = nsenter(&env)
        .args(["-t", &pid, "--as-target", "-S", "0", "-G", "0", "-w/tmp"])
        .args([
            "--caps=inherit",
            "--seccomp=inherit",
            "sh",
            "-c",
            SELF_REPORT,
        ])
        .run();
    out.success().stderr_is("");
    let ours = std::fs::read_to_string("/proc/self/status").unwrap();
    for line in ours
        .lines()
        .filter(|l| l.starts_with("CapBnd") || l.starts_with("CapEff"))
    {
        out.stdout_has(line);
    }
    out.stdout_has("Uid:\t0\t0\t0\t0\n")
        .stdout_has("Groups:\t \n")
        .stdout_has("Seccomp_filters:\t0\n")
        .stdout_has("pwd=/tmp\n")
        .stdout_has("env=inside\n");
    // And before it, they are overridden.
    let out = nsenter(&env)
        .args([
            "-t",
            &pid,
            "-S",
            "0",
            "-w/tmp",
            "--caps=inherit",
            "--as-target",
        ])
        .args(["sh", "-c", SELF_REPORT])
        .run();
    out.success().stdout_is(&target_report(c.pid()));
}

/// Without privilege, --as-target fails in one line, before anything is
/// entered, and the program does not run.
#[test]
fn unprivileged() {
    let env = Env::new();
    let c = Container::start();
    let pid = c.pid().to_string();
    let out = nsenter(&env)
        .args(["-t", &pid, "--as-target", "echo", "ran"])
        .as_user(65534)
        .run();
    out.code(1).stdout_is("").stderr_is(&format!(
        "nsenter: stat of /proc/{pid}/ns/user failed: Permission denied; \
         another user's process needs CAP_SYS_PTRACE\n"
    ));
}

/// A target without no_new_privs, under filters (installed, as runc does
/// then, while its runtime still had CAP_SYS_ADMIN): the program gets the
/// same, so its filters are installed with CAP_SYS_ADMIN, kept effective
/// through the capability step and gone after exec, as the target lacks it.
#[test]
fn target_without_no_new_privs() {
    let env = Env::new();
    let c = Container::build().without_no_new_privs().start();
    let status = proc_status(c.pid());
    assert!(status.contains("NoNewPrivs:\t0\n") && status.contains("Seccomp_filters:\t2\n"));
    assert!(!status.contains("CapBnd:\t000001ff"), "{status}");
    let pid = c.pid().to_string();
    let out = nsenter(&env)
        .args(["-t", &pid, "--as-target", "sh", "-c", SELF_REPORT])
        .run();
    out.success().stdout_is(&target_report(c.pid()));
    out.stderr_is(&format!("{}\n", Container::FILTERED));
    let out = nsenter(&env)
        .args([
            "-t",
            &pid,
            "-a",
            "--caps=target",
            "--seccomp=target",
            "sh",
            "-c",
        ])
        .arg("grep -E '^(Cap|NoNewPrivs|Seccomp)' /proc/self/status")
        .run();
    out.success()
        .stdout_is(&(confinement(&status).join("\n") + "\n"));
}

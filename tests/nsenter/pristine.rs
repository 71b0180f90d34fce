//! A pristine exec: the program starts with default signal dispositions,
//! an empty signal mask and no fds of ours.

use super::*;

/// The program (`cat`, reading its stdin) has fds 0, 1, 2 only, nothing
/// blocked, ignored or caught: nsenter's pidfd, /proc directory,
/// namespace files and cgroup.procs are all closed.
fn check(command: Cmd) {
    let mut proc = command.stdin_pipe().spawn();
    let pid = find_reader(&mut proc, "cat");
    assert_eq!(open_fds(pid), [0, 1, 2], "fd table of the program");
    let masks = signal_masks(&proc_status(pid));
    assert_eq!(masks.len(), 3, "SigBlk, SigIgn and SigCgt not all found");
    for (name, mask) in masks {
        assert_eq!(mask, 0, "{name} of the program is {mask:#x}");
    }
    proc.close_stdin();
    proc.wait().success().stdout_is("").stderr_is("");
}

#[test]
fn direct() {
    let env = Env::new();
    let target = Target::new(&["uts", "net"]);
    let pid = target.pid().to_string();
    check(nsenter(&env).args(["-t", &pid, "-u", "cat"]));
    check(nsenter(&env).args(["-t", &pid, "-a", "-r", "-w", "-e", "cat"]));
    check(
        nsenter(&env)
            .arg(format!("--uts={}", target.ns_path("uts")))
            .arg(format!("--net=:{}", ns_id(&target.ns_path("net"))))
            .arg("cat"),
    );
    check(
        nsenter(&env)
            .block_signal(libc::SIGUSR1)
            .block_signal(libc::SIGTERM)
            .args(["-t", &pid, "-u", "cat"]),
    );
}

#[test]
fn forked() {
    let env = Env::new();
    let target = Target::new(&["uts", "pid"]);
    let pid = target.pid().to_string();
    check(nsenter(&env).args(["-t", &pid, "-p", "cat"]));
    check(nsenter(&env).args(["-t", &pid, "-a", "-r", "-w", "-e", "cat"]));
    check(
        nsenter(&env)
            .block_signal(libc::SIGUSR1)
            .block_signal(libc::SIGINT)
            .args(["-t", &pid, "-p", "cat"]),
    );
}

#[test]
fn unprivileged() {
    let env = Env::new();
    let target = Target::build(&["uts", "pid"]).as_user(NOBODY).start();
    let pid = target.pid().to_string();
    check(
        nsenter(&env)
            .as_user(NOBODY)
            .args(["-t", &pid, "-U", "-u", "cat"]),
    );
    check(
        nsenter(&env)
            .as_user(NOBODY)
            .args(["-t", &pid, "-a", "cat"]),
    );
}

#[test]
fn net_socket_and_user_parent() {
    let env = Env::new();
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = Custom::start(
        cmd(UL_UNSHARE)
            .args(["-r", UL_UNSHARE, "-r", "--net", "sleep", "600"])
            .pass_fd(&socket, 5),
        "sleep",
        &["net", "user"],
    );
    let pid = target.pid().to_string();
    check(nsenter(&env).args(["-t", &pid, "-N", "5", "cat"]));
    check(nsenter(&env).args(["-t", &pid, "--user-parent", "cat"]));
}

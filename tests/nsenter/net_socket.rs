//! `-N`/`--net-socket FD`: the network namespace of a socket.

use super::*;

/// A target in a new network namespace holding, as descriptor 5, a
/// socket the test process made in its own network namespace.
fn socket_target() -> (Custom, std::net::UdpSocket) {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = Custom::start(
        cmd(UL_UNSHARE)
            .args(["--net", "sleep", "600"])
            .pass_fd(&socket, 5),
        "sleep",
        &["net"],
    );
    let fd5 = std::fs::read_link(format!("/proc/{}/fd/5", target.pid())).unwrap();
    assert!(
        fd5.to_string_lossy().starts_with("socket:["),
        "fd 5 of the target is {fd5:?}"
    );
    (target, socket)
}

/// `-N 5` enters the socket's network namespace, ours, not the
/// target's. nsenter itself runs in yet another one (made for the
/// test), so that staying where it started would show.
#[test]
fn enters_the_sockets_namespace() {
    let env = Env::new();
    let (target, _socket) = socket_target();
    let pid = target.pid().to_string();
    assert_ne!(target.ns("net"), own_ns("net"));
    for args in [
        &["-N", "5"][..],
        &["--net-socket", "5"],
        &["--net-socket=5"],
        &["-N5"],
        // -N wins over -n.
        &["-n", "-N", "5"],
    ] {
        cmd(UL_UNSHARE)
            .arg("--net")
            .arg(env.path("nsenter"))
            .args(["-t", &pid])
            .args(args)
            .args(["readlink", "/proc/self/ns/net"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&format!("{}\n", own_ns("net")));
    }
    // The target's own, for contrast.
    cmd(UL_UNSHARE)
        .arg("--net")
        .arg(env.path("nsenter"))
        .args(["-t", &pid, "-n", "readlink", "/proc/self/ns/net"])
        .run()
        .success()
        .stdout_is(&format!("{}\n", target.ns("net")));
}

#[test]
fn bad_descriptors() {
    let env = Env::new();
    let (target, _socket) = socket_target();
    let pid = target.pid();
    // fd 0 is /dev/null: no socket.
    nsenter(&env)
        .args(["-t", &pid.to_string(), "-N", "0", "echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_line(&format!(
            "nsenter: cannot get the network namespace of descriptor 0 of process {pid}: "
        ));
    nsenter(&env)
        .args(["-t", &pid.to_string(), "-N", "77", "echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(&format!(
            "nsenter: cannot get descriptor 77 of process {pid}: Bad file descriptor\n"
        ));
    nsenter(&env)
        .args(["-t", &pid.to_string(), "-N", "x", "echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(&format!(
            "nsenter: failed to parse file descriptor: 'x'\n{TRY}"
        ));
}

//! `--loopback` (nsbox's own): `lo` is up in the new network namespace
//! before the program runs, for root and for an unprivileged user in a
//! user namespace of their own, with no iproute2 involved. The scripts run
//! in a network namespace made by util-linux, whose own `lo` must stay
//! down: only the new namespace's comes up.

use super::*;

/// `sh -c SCRIPT` in throwaway mount, network and PID namespaces.
fn in_own_net(s: &Scene, script: &str) -> Cmd {
    s.shell_pidns_with(&["--net"], script)
}

/// What the root and the unprivileged scripts print: `lo` down and no TCP
/// without --loopback, then up with a working connection three times, and
/// the namespace around them untouched.
const DOWN_THEN_UP_THRICE: &str = "<LOOPBACK>\ntcp failed\n\
     <LOOPBACK,UP,LOWER_UP>\nping\n\
     <LOOPBACK,UP,LOWER_UP>\nping\n\
     <LOOPBACK,UP,LOWER_UP>\nping\n\
     around: <LOOPBACK>\n";

/// Shell functions: `flags` prints the flags of `lo`, as `<LOOPBACK,...>`;
/// `tcp` listens on 127.0.0.1, connects, sends "ping" through and prints
/// what arrived, or the error.
const CHECKS: &str = r#"
flags() { ip link show lo | grep -o '<[^>]*>'; }
tcp() {
    python3 -c '
import socket
try:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=5)
    accepted, _ = server.accept()
    client.sendall(b"ping")
    print(accepted.recv(4).decode())
except OSError as e:
    print("tcp failed")
'
}
"#;

fn script(body: &str) -> String {
    format!("{CHECKS}\n{body}\necho \"around: $(flags)\"")
}

/// The checks, inside a new network namespace made by `$U` with OPTIONS.
const INSIDE: &str = r#"sh -c "$(cat "$D/checks.sh")"'
flags; tcp' sh"#;

fn scene() -> Scene {
    let s = Scene::new();
    s.env.tmp().write("checks.sh", CHECKS, 0o644);
    s
}

/// Without --loopback, `lo` is down and 127.0.0.1 unreachable: what the
/// option is for. With it, `lo` is up and a TCP connection to 127.0.0.1
/// goes through; the namespace around keeps its `lo` down.
#[test]
fn root() {
    let s = scene();
    let body = format!(
        r#"
        "$U" -n {INSIDE}
        "$U" -n --loopback {INSIDE}
        "$U" --net --loopback --fork --pid {INSIDE}
        "$U" -r -n --loopback {INSIDE}
    "#
    );
    in_own_net(&s, &script(&body))
        .run()
        .success()
        .stderr_is("")
        .stdout_is(DOWN_THEN_UP_THRICE);
}

/// An unprivileged user has CAP_NET_ADMIN in the network namespace that
/// its new user namespace owns: `unshare -rn --loopback` works, and so
/// does `-c`, whose program runs without capabilities, with a fork and a
/// PID namespace.
#[test]
fn unprivileged() {
    let s = scene();
    let body = format!(
        r#"
        $NB "$U" -rn {INSIDE}
        $NB "$U" -rn --loopback {INSIDE}
        $NB "$U" -U -n --loopback {INSIDE}
        $NB "$U" -c -n --loopback -f -p {INSIDE}
        $NB "$U" -n --loopback true
    "#
    );
    in_own_net(&s, &script(&body))
        .run()
        .success()
        .stderr_is("unshare: unshare failed: Operation not permitted\n")
        .stdout_is(DOWN_THEN_UP_THRICE);
}

/// A network namespace kept in a file has `lo` up when entered later.
#[test]
fn a_kept_namespace_has_lo_up() {
    let s = scene();
    let body = format!(
        r#"
        "$U" --net="$W/net" --loopback true
        "$E" --net="$W/net" {INSIDE}
        umount "$W/net"
    "#
    );
    in_own_net(&s, &script(&body))
        .run()
        .success()
        .stderr_is("")
        .stdout_is("<LOOPBACK,UP,LOWER_UP>\nping\naround: <LOOPBACK>\n");
}

/// Without -n there is no namespace of our own: a usage error, nothing is
/// run, and the `lo` around stays down.
#[test]
fn needs_a_network_namespace() {
    let s = scene();
    let body = r#"
        run plain "$U" --loopback echo ran
        run user "$U" -r --loopback echo ran
        run others "$U" -u -f --loopback echo ran
    "#;
    let refused = |label: &str| {
        format!(
            "{label}: rc=1\n\
             {label}> unshare: option --loopback requires unsharing of a network namespace (-n)\n\
             {label}> Try 'unshare --help' for more information.\n"
        )
    };
    in_own_net(&s, &script(body))
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&format!(
            "{}{}{}around: <LOOPBACK>\n",
            refused("plain"),
            refused("user"),
            refused("others")
        ));
}

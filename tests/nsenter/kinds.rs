//! Each namespace kind: `-t PID` with its option enters exactly that
//! namespace (as root and as uid 65534), and what the program sees inside:
//! hostname and links, time offsets, IPC objects.

use super::*;

/// As root, `-t PID` with the kind's short and long option enters exactly
/// that namespace of the target, and util-linux agrees.
fn enters_as_root(kind: &'static str) {
    let env = Env::new();
    let target = Target::new(&[kind]);
    let pid = target.pid().to_string();
    let (short, long) = options_of(kind);
    for program in both_paths(&env) {
        for option in [short, long] {
            let out = cmd(&program)
                .args(["-t", &pid, option])
                .args(readlink_all())
                .run();
            out.success().stderr_is("");
            check_all_links(&out, target.pid(), &[kind]);
        }
    }
}

/// As uid 65534, against a target of uid 65534 (`unshare -r`): with -U the
/// kind is entered, together with the target's user namespace; without it
/// the kernel refuses (EPERM), as the namespace belongs to that user
/// namespace.
fn enters_unprivileged(kind: &'static str) {
    let env = Env::new();
    let target = Target::build(&[kind]).as_user(NOBODY).start();
    let pid = target.pid().to_string();
    let (short, long) = options_of(kind);
    let entered: &[&str] = if kind == "user" {
        &["user"]
    } else {
        &["user", kind]
    };
    let forms: [&[&str]; 3] = if kind == "user" {
        [&["-U"], &["--user"], &["-a"]]
    } else {
        [&["-U", short], &["--user", long], &["-a"]]
    };
    for form in forms {
        let out = nsenter(&env)
            .as_user(NOBODY)
            .args(["-t", &pid])
            .args(form)
            .args(readlink_all())
            .run();
        out.success().stderr_is("");
        check_all_links(&out, target.pid(), entered);
    }
    if kind != "user" {
        nsenter(&env)
            .as_user(NOBODY)
            .args(["-t", &pid, short, "echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(&format!(
                "nsenter: reassociate to namespace 'ns/{kind}' failed: Operation not permitted\n"
            ));
    }
}

macro_rules! per_kind {
    ($($name:ident: $kind:literal,)*) => {
        mod enter_as_root {
            $(
                #[test]
                fn $name() {
                    super::enters_as_root($kind);
                }
            )*
        }
        mod enter_unprivileged {
            $(
                #[test]
                fn $name() {
                    super::enters_unprivileged($kind);
                }
            )*
        }
    };
}

per_kind! {
    mnt: "mnt",
    uts: "uts",
    ipc: "ipc",
    net: "net",
    pid: "pid",
    user: "user",
    cgroup: "cgroup",
    time: "time",
}

/// What the kernel shows inside: the target's hostname, and a network
/// namespace with nothing but `lo`. As root (util-linux agrees) and as uid
/// 65534; our own hostname stays.
#[test]
fn hostname_and_links_inside() {
    let env = Env::new();
    let ours = hostname();
    let script = "hostname; ip -o link";
    let check = |out: &Output, host: &str| {
        out.success().stderr_is("");
        let text = out.stdout();
        let lines: Vec<&str> = text.lines().collect();
        out.check(
            lines.len() == 2 && lines[0] == host && lines[1].starts_with("1: lo: "),
            &format!("expected {host} and only lo"),
        );
    };
    let target = Target::new(&["uts", "net"]);
    assert_ne!(target.hostname(), ours);
    let pid = target.pid().to_string();
    for nsenter in both(&env) {
        let out = nsenter
            .args(["-t", &pid, "-u", "-n", "sh", "-c", script])
            .run();
        check(&out, target.hostname());
    }
    let target = Target::build(&["uts", "net"]).as_user(NOBODY).start();
    let pid = target.pid().to_string();
    let out = nsenter(&env)
        .as_user(NOBODY)
        .args(["-t", &pid, "-U", "-u", "-n", "sh", "-c", script])
        .run();
    check(&out, target.hostname());
    assert_eq!(hostname(), ours, "our own hostname changed");
}

/// A time namespace with offsets (set by util-linux's unshare): the
/// program sees them, in timens_offsets and in the uptime; util-linux
/// agrees.
#[test]
fn time_offsets_inside() {
    let env = Env::new();
    let offset = "86400000";
    let launcher = Custom::spawn(cmd(UL_UNSHARE).args([
        "--time",
        "--fork",
        "--kill-child",
        "--monotonic",
        offset,
        "--boottime",
        offset,
        "sleep",
        "600",
    ]));
    let pid = wait_for_child(launcher.pid());
    wait_until("sleep in a new time namespace", || {
        comm(pid).as_deref() == Some("sleep") && ns(pid, "time") != own_ns("time")
    });
    let offsets = std::fs::read_to_string(format!("/proc/{pid}/timens_offsets")).unwrap();
    assert!(offsets.contains(offset), "offsets: {offsets:?}");
    let pid = pid.to_string();
    for program in both_paths(&env) {
        cmd(&program)
            .args(["-t", &pid, "-T", "cat", "/proc/self/timens_offsets"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&offsets);
        let out = cmd(&program)
            .args(["-t", &pid, "-T", "cat", "/proc/uptime"])
            .run();
        out.success();
        let uptime: f64 = out
            .stdout()
            .split_whitespace()
            .next()
            .and_then(|w| w.parse().ok())
            .unwrap_or_else(|| out.fail("no uptime"));
        out.check(uptime > 86_400_000.0, "the boottime offset is missing");
    }
}

/// A System V message queue made through nsenter lives in the target's
/// IPC namespace: seen there again, never in ours. util-linux agrees.
#[test]
fn ipc_objects_inside() {
    let env = Env::new();
    let target = Target::new(&["ipc"]);
    let pid = target.pid().to_string();
    let count = "tail -n +2 /proc/sysvipc/msg | wc -l";
    let ours = || std::fs::read_to_string("/proc/sysvipc/msg").unwrap();
    let before = ours();
    nsenter(&env)
        .args(["-t", &pid, "-i", "sh", "-c"])
        .arg(format!("ipcmk -Q >/dev/null && {count}"))
        .run()
        .success()
        .stderr_is("")
        .stdout_is("1\n");
    for program in both_paths(&env) {
        cmd(&program)
            .args(["-t", &pid, "-i", "sh", "-c", count])
            .run()
            .success()
            .stdout_is("1\n");
    }
    assert_eq!(ours(), before, "the queue appeared in our IPC namespace");
}

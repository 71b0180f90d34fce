//! Creating namespaces: each kind's option makes exactly its namespace (as
//! root, and as uid 65534 with `-r`; util-linux agrees), and what the
//! kernel shows inside the new ones.

use super::*;

/// Each namespace option, short and long, makes exactly its namespace and
/// no other; util-linux agrees.
fn creates_only(kind: &'static str) {
    let s = Scene::new();
    let (short, long) = options_of(kind);
    let fork: &[&str] = if kind == "pid" { &["--fork"] } else { &[] };
    for option in [short, long] {
        let out = s
            .unshare()
            .arg(option)
            .args(fork)
            .args(readlink_all())
            .run();
        out.success().stderr_is("");
        let new = new_kinds(&out);
        out.check(
            new == [kind],
            &format!("expected only {kind} new, got {new:?}"),
        );
    }
    let theirs = cmd(UL_UNSHARE)
        .arg(short)
        .args(fork)
        .args(readlink_all())
        .run();
    theirs.success();
    assert_eq!(new_kinds(&theirs), [kind], "util-linux disagrees");
}

/// As uid 65534: `-r` and the option make the user namespace and that one.
fn creates_only_unprivileged(kind: &'static str) {
    let s = Scene::new();
    let (short, _) = options_of(kind);
    let mut args = vec!["-r"];
    if kind != "user" {
        args.push(short);
    }
    if kind == "pid" {
        args.push("--fork");
    }
    let want = in_order(&["user", kind]);
    let out = s
        .unshare()
        .as_user(NOBODY)
        .args(&args)
        .args(readlink_all())
        .run();
    out.success().stderr_is("");
    let new = new_kinds(&out);
    out.check(new == want, &format!("expected {want:?} new, got {new:?}"));
    let theirs = cmd(UL_UNSHARE)
        .as_user(NOBODY)
        .args(&args)
        .args(readlink_all())
        .run();
    theirs.success();
    assert_eq!(new_kinds(&theirs), want, "util-linux disagrees");
}

macro_rules! kind_tests {
    ($module:ident, $check:ident) => {
        mod $module {
            #[test]
            fn mnt() {
                super::$check("mnt");
            }
            #[test]
            fn uts() {
                super::$check("uts");
            }
            #[test]
            fn ipc() {
                super::$check("ipc");
            }
            #[test]
            fn net() {
                super::$check("net");
            }
            #[test]
            fn pid() {
                super::$check("pid");
            }
            #[test]
            fn user() {
                super::$check("user");
            }
            #[test]
            fn cgroup() {
                super::$check("cgroup");
            }
            #[test]
            fn time() {
                super::$check("time");
            }
        }
    };
}

kind_tests!(creates_only_its_namespace, creates_only);
kind_tests!(
    creates_only_its_namespace_unprivileged,
    creates_only_unprivileged
);

#[test]
fn all_eight_at_once() {
    let s = Scene::new();
    let out = s
        .unshare()
        .args(["-m", "-u", "-i", "-n", "-p", "-U", "-C", "-T", "--fork"])
        .args(readlink_all())
        .run();
    out.success().stderr_is("");
    assert_eq!(new_kinds(&out), KINDS);
    let out = s
        .unshare()
        .as_user(NOBODY)
        .args(["-r", "-muinpCT", "-f"])
        .args(readlink_all())
        .run();
    out.success().stderr_is("");
    assert_eq!(new_kinds(&out), KINDS);
}

/// Without --fork the program stays in our PID namespace; its first
/// child is the new namespace's init.
#[test]
fn pid_without_fork_is_for_children() {
    let s = Scene::new();
    let script = "readlink /proc/self/ns/pid /proc/$$/ns/pid /proc/$$/ns/pid_for_children";
    for unshare in [cmd(s.unshare_link()), cmd(UL_UNSHARE)] {
        let out = unshare.args(["-p", "sh", "-c", script]).run();
        out.success().stderr_is("");
        let text = out.stdout();
        let lines: Vec<&str> = text.lines().collect();
        let own = own_ns("pid");
        out.check(
            lines.len() == 3 && lines[0] != own && lines[1] == own && lines[2] == lines[0],
            "expected: child in the new namespace, sh in ours, sh's children in the new",
        );
    }
}

#[test]
fn pid_with_fork_makes_the_program_init() {
    let s = Scene::new();
    s.unshare()
        .args(["-p", "-f", "sh", "-c", "echo $$"])
        .run()
        .success()
        .stdout_is("1\n")
        .stderr_is("");
}

/// The exec moves the program into the new time namespace at once.
#[test]
fn time_without_fork_applies_at_exec() {
    let s = Scene::new();
    let out = s
        .unshare()
        .args([
            "-T",
            "readlink",
            "/proc/self/ns/time",
            "/proc/self/ns/time_for_children",
        ])
        .run();
    out.success();
    let text = out.stdout();
    let lines: Vec<&str> = text.lines().collect();
    out.check(
        lines.len() == 2 && lines[0] == lines[1] && lines[0] != own_ns("time"),
        "the program should be in the new time namespace",
    );
}

/// `-U` alone, as root or not: a user namespace without a mapping, where
/// we are the overflow uid.
#[test]
fn user_without_map_is_the_overflow_user() {
    let s = Scene::new();
    for user in [0, NOBODY] {
        let out = s
            .unshare()
            .as_user(user)
            .args(["-U", "sh", "-c", "id -u; cat /proc/self/uid_map; echo end"])
            .run();
        out.success().stdout_is("65534\nend\n").stderr_is("");
    }
}

#[test]
fn uts_hostname_stays_inside() {
    let s = Scene::new();
    let before = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    s.unshare()
        .args(["-u", "sh", "-c", "hostname nsbox-inside && hostname"])
        .run()
        .success()
        .stdout_is("nsbox-inside\n");
    s.unshare()
        .as_user(NOBODY)
        .args(["-r", "-u", "sh", "-c", "hostname nsbox-inside && hostname"])
        .run()
        .success()
        .stdout_is("nsbox-inside\n");
    let after = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_eq!(before, after, "the host's hostname changed");
}

/// A new network namespace has only a loopback, down.
#[test]
fn net_has_only_loopback() {
    let s = Scene::new();
    for user in [0, NOBODY] {
        let out = s
            .unshare()
            .as_user(user)
            .args(["-r", "-n", "cat", "/proc/net/dev"])
            .run();
        out.success();
        let text = out.stdout();
        let devices: Vec<&str> = text
            .lines()
            .skip(2)
            .filter_map(|l| l.split(':').next())
            .map(str::trim)
            .collect();
        out.check(devices == ["lo"], "expected only lo");
    }
}

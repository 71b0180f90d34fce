//! `--hostname NAME` (nsbox's own): the new UTS namespace has NAME before
//! the program runs, with or without a user namespace, a fork or a file
//! that keeps it; the enclosing one keeps its own. Every script runs in a
//! UTS namespace of its own, made by util-linux, so that even a wrong
//! `sethostname` could not reach the host.

use super::*;

/// `sh -c SCRIPT` in throwaway mount, UTS and PID namespaces, whose
/// hostname is `outer`.
fn in_own_uts(s: &Scene, script: &str) -> Cmd {
    let script = format!("hostname outer\n{script}");
    s.shell_pidns_with(&["--uts"], &script)
}

#[test]
fn the_program_sees_the_name_and_the_namespace_around_keeps_its_own() {
    let s = Scene::new();
    let script = r#"
        "$U" -u --hostname box sh -c 'hostname; cat /proc/sys/kernel/hostname'
        "$U" --uts --hostname=box2 --fork hostname
        "$U" -u --fork --pid --mount-proc --hostname box3 hostname
        echo "around: $(hostname)"
    "#;
    in_own_uts(&s, script)
        .run()
        .success()
        .stderr_is("")
        .stdout_is("box\nbox\nbox2\nbox3\naround: outer\n");
    // And the host's is the host's.
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert!(!["box", "box2", "box3", "outer"].contains(&host.trim_end()));
}

/// In a new user namespace the name is set while unshare still holds
/// CAP_SYS_ADMIN there: as root and as uid 65534, mapped or not, and
/// with -c, whose program runs without capabilities.
#[test]
fn with_a_user_namespace() {
    let s = Scene::new();
    let script = r#"
        "$U" -r -u --hostname box hostname
        $NB "$U" -r -u --hostname box2 hostname
        $NB "$U" -U -u --hostname box3 cat /proc/sys/kernel/hostname
        $NB "$U" -c -u -f -p --hostname box4 sh -c 'hostname; id -u'
        echo "around: $(hostname)"
    "#;
    in_own_uts(&s, script)
        .run()
        .success()
        .stderr_is("")
        .stdout_is("box\nbox2\nbox3\nbox4\n65534\naround: outer\n");
}

/// A UTS namespace kept in a file has the name when entered through it
/// later: it was set before the namespace was bound.
#[test]
fn a_kept_namespace_has_the_name() {
    let s = Scene::new();
    let script = r#"
        "$U" --uts="$W/uts" --hostname box true
        "$E" --uts="$W/uts" hostname
        "$U" -r --uts="$W/uts2" --fork --hostname box2 true
        "$E" --uts="$W/uts2" hostname
        umount "$W/uts" "$W/uts2"
        echo "around: $(hostname)"
    "#;
    in_own_uts(&s, script)
        .run()
        .success()
        .stderr_is("")
        .stdout_is("box\nbox2\naround: outer\n");
}

/// sethostname(2) takes at most 64 bytes (HOST_NAME_MAX): so does the
/// parser, any bytes, an empty name too. A longer one is a usage error,
/// and nothing is run.
#[test]
fn the_kernel_limit_is_checked_up_front() {
    let s = Scene::new();
    let longest = "x".repeat(64);
    let script = r#"
        "$U" -u --hostname "$1" hostname
        "$U" -u --hostname '' cat /proc/sys/kernel/hostname
        "$U" -u --hostname 'a b.c_d' hostname
    "#;
    in_own_uts(&s, script)
        .arg(&longest)
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&format!("{longest}\n\na b.c_d\n"));
    let too_long = "x".repeat(65);
    s.unshare()
        .args(["-u", "--hostname", &too_long, "echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(&format!(
            "unshare: hostname too long: '{too_long}' has 65 bytes, the kernel takes at most 64\n\
             Try 'unshare --help' for more information.\n"
        ));
}

/// Without -u there is no namespace of our own to name: a usage error,
/// and nothing is run, nor the name around changed (had the check been
/// missed, it would be the name of util-linux's namespace here, not the
/// host's).
#[test]
fn needs_a_uts_namespace() {
    let s = Scene::new();
    let script = r#"
        run plain "$U" --hostname box echo ran
        run user "$U" -r --hostname=box echo ran
        run others "$U" -m -n -f --hostname box echo ran
        echo "around: $(hostname)"
    "#;
    let refused = |label: &str| {
        format!(
            "{label}: rc=1\n\
             {label}> unshare: option --hostname requires unsharing of a UTS namespace (-u)\n\
             {label}> Try 'unshare --help' for more information.\n"
        )
    };
    in_own_uts(&s, script)
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&format!(
            "{}{}{}around: outer\n",
            refused("plain"),
            refused("user"),
            refused("others")
        ));
}

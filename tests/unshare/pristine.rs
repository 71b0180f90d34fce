//! A pristine exec: whatever path unshare took, the program starts with
//! default signal dispositions, an empty signal mask and no fds of ours.

use super::*;

/// The program (`cat`, reading its stdin) has fds 0, 1, 2 only, nothing
/// blocked, ignored or caught.
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
fn plain() {
    let s = Scene::new();
    check(s.unshare().args(["-u", "cat"]));
}

#[test]
fn forked() {
    let s = Scene::new();
    check(s.unshare().args(["-u", "--fork", "cat"]));
}

/// The mask unshare inherited is not the program's business either.
#[test]
fn inherited_mask_is_cleared() {
    let s = Scene::new();
    check(
        s.unshare()
            .block_signal(libc::SIGUSR1)
            .block_signal(libc::SIGTERM)
            .args(["-u", "cat"]),
    );
    check(
        s.unshare()
            .block_signal(libc::SIGUSR1)
            .block_signal(libc::SIGINT)
            .args(["-u", "--fork", "cat"]),
    );
}

#[test]
fn map_root_user() {
    let s = Scene::new();
    check(s.unshare().args(["-r", "cat"]));
    check(s.unshare().as_user(NOBODY).args(["-r", "cat"]));
}

#[test]
fn map_helper() {
    let s = Scene::new();
    check(s.unshare().args([
        "--map-users=0:100000:65536",
        "--map-groups=0:100000:65536",
        "cat",
    ]));
}

#[test]
fn persisted() {
    let s = Scene::new();
    check(
        s.shell_host_pids(r#"exec "$U" --uts="$D/w/uts" --ipc="$D/w/ipc" "$@""#)
            .arg("cat"),
    );
    check(
        s.shell_host_pids(r#"exec "$U" --user="$D/w/user" --mount="$D/w/mnt" -r --fork "$@""#)
            .arg("cat"),
    );
}

#[test]
fn pid_namespace_and_proc() {
    let s = Scene::new();
    check(
        s.private("unshare")
            .args(["-p", "--fork", "--mount-proc", "cat"]),
    );
}

#[test]
fn kill_child_and_forward_signals() {
    let s = Scene::new();
    check(s.unshare().args(["--kill-child", "cat"]));
    check(
        s.unshare()
            .args(["--kill-child=TERM", "-S", "65534", "cat"]),
    );
    check(s.unshare().args(["--forward-signals", "cat"]));
}

/// nsbox's own options leave nothing behind either: not the socket that
/// brought `lo` up, the pid file, nor the pipe to the helper that removes
/// it. Run inside UTS and network namespaces of util-linux's, and in
/// a directory of root's (the scene's own may be written by anyone).
#[test]
fn hostname_loopback_and_pidfile() {
    let s = Scene::new();
    let script = r#"mkdir -m 755 "$D/run" && exec "$U" "$@" --pidfile "$D/run/pid" cat"#;
    for options in [
        &["-u", "--hostname", "box", "-n", "--loopback", "--fork"][..],
        &[
            "-r",
            "-u",
            "-n",
            "--hostname=box",
            "--loopback",
            "-f",
            "--keep-pidfile",
        ],
    ] {
        check(
            s.wrapper(&["--uts", "--net", "--propagation", "private"], script)
                .args(options),
        );
        std::fs::remove_dir_all(s.dir().join("run")).unwrap();
    }
}

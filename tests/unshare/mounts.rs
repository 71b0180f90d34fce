//! Mounts in the new mount namespace: `--mount-proc`, `--mount-binfmt`,
//! `--load-interp` and `--propagation`.

use super::*;

const ROOT_LINE: &str =
    r#"grep -E '^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / ' /proc/self/mountinfo | tail -n 1"#;

/// Prints the wrapper's / line, then the program's for each mode and for
/// the default.
fn propagation_lines(s: &Scene, shared: bool, unshare: &Path) -> (Output, Vec<Vec<String>>) {
    let script = format!(
        r#"
            {ROOT_LINE}
            for p in private slave shared unchanged; do
                "$U" -m --propagation $p sh -c "{ROOT_LINE}"
            done
            "$U" -m sh -c "{ROOT_LINE}"
        "#
    );
    let command = if shared {
        s.shell_shared(&script)
    } else {
        s.shell_host_pids(&script)
    };
    let out = command.env("U", unshare).run();
    out.success().stderr_is("");
    let text = out.stdout();
    let lines: Vec<Vec<String>> = text.lines().map(|l| root_propagation(&out, l)).collect();
    out.check(lines.len() == 6, "expected six lines");
    (out, lines)
}

/// From a shared /: private has no peers, slave receives from the
/// wrapper's group, shared and unchanged stay in it; the default is
/// private. util-linux agrees.
#[test]
fn propagation_from_a_shared_root() {
    let s = Scene::new();
    for unshare in [s.unshare_link(), PathBuf::from(UL_UNSHARE)] {
        let (out, lines) = propagation_lines(&s, true, &unshare);
        let outer = &lines[0];
        out.check(
            outer.len() == 1 && outer[0].starts_with("shared:"),
            "the wrapper's / should be shared",
        );
        let group = outer[0].trim_start_matches("shared:");
        let want: [Vec<String>; 5] = [
            vec![],
            vec![format!("master:{group}")],
            vec![format!("shared:{group}")],
            vec![format!("shared:{group}")],
            vec![],
        ];
        out.check(
            lines[1..] == want,
            &format!("private, slave, shared, unchanged, default: want {want:?}"),
        );
    }
}

/// From a private /: shared makes a new peer group; unchanged leaves it
/// private.
#[test]
fn propagation_from_a_private_root() {
    let s = Scene::new();
    for unshare in [s.unshare_link(), PathBuf::from(UL_UNSHARE)] {
        let (out, lines) = propagation_lines(&s, false, &unshare);
        let shared = &lines[3];
        out.check(
            lines[0].is_empty()
                && lines[1].is_empty()
                && lines[2].is_empty()
                && shared.len() == 1
                && shared[0].starts_with("shared:")
                && lines[4].is_empty()
                && lines[5].is_empty(),
            "only --propagation shared should show a peer group",
        );
    }
}

/// The default and slave are recursive: no mount at all stays shared.
#[test]
fn propagation_is_recursive() {
    let s = Scene::new();
    s.shell_shared(
        r#"
            [ "$(grep -c shared: /proc/self/mountinfo)" -gt 1 ] && echo "wrapper shared"
            "$U" -m grep -c shared: /proc/self/mountinfo
            "$U" -m --propagation slave grep -c shared: /proc/self/mountinfo
            "$U" -m --propagation slave sh -c 'grep -vc master: /proc/self/mountinfo'
        "#,
    )
    .run()
    .stderr_is("")
    .stdout_is("wrapper shared\n0\n0\n0\n");
}

/// Without a mount namespace --propagation is ignored, as util-linux does.
#[test]
fn propagation_without_mount_namespace_is_ignored() {
    let s = Scene::new();
    for unshare in [cmd(s.unshare_link()), cmd(UL_UNSHARE)] {
        unshare
            .args(["--propagation", "slave", "readlink", "/proc/self/ns/mnt"])
            .run()
            .success()
            .stdout_is(&format!("{}\n", own_ns("mnt")))
            .stderr_is("");
    }
}

const PROC_CHECK: &str =
    r#"echo /proc/[0-9]*; awk '$5 == "/proc" { print $6 }' /proc/self/mountinfo | tail -n 1"#;

/// --mount-proc with a PID namespace: a fresh proc showing only it,
/// mounted nosuid,nodev,noexec. util-linux agrees.
#[test]
fn mount_proc_in_a_pid_namespace() {
    let s = Scene::new();
    for unshare in [s.private("unshare"), s.ul_private()] {
        unshare
            .args(["-p", "-f", "--mount-proc", "sh", "-c", PROC_CHECK])
            .run()
            .success()
            .stderr_is("")
            .stdout_is("/proc/1\nrw,nosuid,nodev,noexec,relatime\n");
    }
}

/// --mount-proc implies -m.
#[test]
fn mount_proc_implies_mount() {
    let s = Scene::new();
    let out = s
        .private("unshare")
        .args([
            "--mount-proc",
            "readlink",
            "/proc/self/ns/mnt",
            "/proc/self/ns/pid",
        ])
        .run();
    out.success().stderr_is("");
    let text = out.stdout();
    let lines: Vec<&str> = text.lines().collect();
    out.check(
        lines.len() == 2 && lines[0] != own_ns("mnt") && lines[1] == own_ns("pid"),
        "expected a new mount namespace only",
    );
}

#[test]
fn mount_proc_on_a_directory() {
    let s = Scene::new();
    s.shell_host_pids(
        r#"
            mkdir "$D/w/p"
            "$U" --mount-proc="$D/w/p" sh -c '
                awk -v d="$D/w/p" '\''$5 == d { print $6 }'\'' /proc/self/mountinfo
                [ -e "$D/w/p/self/status" ] && echo "proc is there"'
            echo "outside: $(mount_lines "$D/w/p") $(ls -A "$D/w/p")"
        "#,
    )
    .run()
    .success()
    .stderr_is("")
    .stdout_is("rw,nosuid,nodev,noexec,relatime\nproc is there\noutside: 0 \n");
}

#[test]
fn mount_proc_unprivileged() {
    let s = Scene::new();
    s.shell_host_pids(r#"$NB "$U" -r -p -f --mount-proc sh -c 'echo /proc/[0-9]*; id -u'"#)
        .run()
        .success()
        .stderr_is("")
        .stdout_is("/proc/1\n0\n");
}

/// uid 65534 mounts a tmpfs inside -r -m; nobody else sees it.
#[test]
fn tmpfs_in_an_unprivileged_mount_namespace() {
    let s = Scene::new();
    s.shell_host_pids(
        r#"
            mkdir "$D/w/t"
            $NB "$U" -r -m sh -c 'mount -t tmpfs nsbox "$D/w/t" && echo hi > "$D/w/t/f" &&
                cat "$D/w/t/f" && mounts() { grep -cF -- "$1" /proc/self/mountinfo; } &&
                mounts "$D/w/t"'
            echo "outside: $(mount_lines "$D/w/t") $(ls -A "$D/w/t")"
        "#,
    )
    .run()
    .success()
    .stderr_is("")
    .stdout_is("hi\n1\noutside: 0 \n");
}

const INTERP: &str = ":nsboxt:E::nsboxt::/bin/sh:";
const ENTRY: &str = "enabled\ninterpreter /bin/sh\nflags: \nextension .nsboxt\n";

/// A script with the extension, run directly: only binfmt_misc can.
fn binfmt_script(s: &Scene) -> PathBuf {
    s.env
        .tmp()
        .write("w/x.nsboxt", "echo \"ran by binfmt: $0\"\n", 0o755)
}

/// --mount-binfmt -l: the interpreter is registered in the namespace's
/// own binfmt_misc (under a fresh /proc) and runs the script; the host
/// has no such entry.
#[test]
fn mount_binfmt_and_load_interp() {
    let s = Scene::new();
    let script = binfmt_script(&s);
    // A fresh /proc (only our PID namespace in it) holds the mount.
    let inner = r#"echo /proc/[0-9]*; cat /proc/sys/fs/binfmt_misc/nsboxt && "$0""#;
    let want = format!("/proc/1\n{ENTRY}ran by binfmt: {}\n", script.display());
    for load in [&["--mount-binfmt", "-l", INTERP][..], &["-l", INTERP]] {
        s.private("unshare")
            .args(["-r", "-p", "-f"])
            .args(load)
            .args(["sh", "-c", inner])
            .arg(&script)
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&want);
    }
    // As uid 65534 too.
    s.shell_host_pids(r#"$NB "$U" -r -p -f --mount-binfmt -l "$1" sh -c "$2" "$3""#)
        .args([INTERP, inner])
        .arg(&script)
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&want);
    assert!(
        !Path::new("/proc/sys/fs/binfmt_misc/nsboxt").exists(),
        "the entry reached the host"
    );
}

/// --mount-binfmt=DIR mounts there (and no proc): it implies -U and -m.
#[test]
fn mount_binfmt_on_a_directory() {
    let s = Scene::new();
    let script = binfmt_script(&s);
    let dir = s.work("bm");
    std::fs::create_dir(&dir).unwrap();
    let out = s
        .private("unshare")
        .arg("-r")
        .arg(format!("--mount-binfmt={}", dir.display()))
        .args(["-l", INTERP])
        .args([
            "sh",
            "-c",
            r#"cat "$0/nsboxt" && "$1"; readlink /proc/self/ns/user /proc/self/ns/mnt"#,
        ])
        .arg(&dir)
        .arg(&script)
        .run();
    out.success().stderr_is("");
    let want = format!("{ENTRY}ran by binfmt: {}\n", script.display());
    let text = out.stdout();
    out.check(text.starts_with(&want), "entry or script output missing");
    let links: Vec<&str> = text[want.len()..].lines().collect();
    out.check(
        links.len() == 2 && links[0] != own_ns("user") && links[1] != own_ns("mnt"),
        "expected new user and mount namespaces",
    );
}

#[test]
fn load_interp_refused_by_the_kernel() {
    let s = Scene::new();
    s.private("unshare")
        .args(["-r", "-p", "-f", "-l", "nonsense", "echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_line("unshare: ")
        .stderr_has("register")
        .stderr_has("Invalid argument");
}

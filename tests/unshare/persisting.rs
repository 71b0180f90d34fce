//! Persisting namespaces with `--KIND=FILE`: the file holds the namespace
//! once the program is gone, and what nsbox refuses to bind.

use super::*;

/// `--KIND=FILE` on an existing empty file: after the program is gone,
/// `setns-test FILE` enters the same namespace, which is not the wrapper's.
/// util-linux, run on the same script, agrees.
/// (util-linux 2.38 cannot persist a user namespace: it binds from the
/// parent, which the new user namespace bars from mounting.)
fn persist(kind: &'static str) {
    let (_, long) = options_of(kind);
    let script = r#"
        : > "$D/w/ns"
        "$U" "$1=$D/w/ns" readlink "/proc/self/ns/$2"
        "$S" "$D/w/ns" readlink "/proc/self/ns/$2"
        readlink "/proc/self/ns/$2"
    "#;
    for util_linux in [false, kind != "user"] {
        let s = Scene::new();
        let unshare = if util_linux {
            PathBuf::from(UL_UNSHARE)
        } else {
            s.unshare_link()
        };
        let out = s
            .shell_host_pids(script)
            .args([long, kind])
            .env("U", &unshare)
            .run();
        out.success().stderr_is("");
        let text = out.stdout();
        let lines: Vec<&str> = text.lines().collect();
        out.check(
            lines.len() == 3
                && lines[0] == lines[1]
                && lines[0] != lines[2]
                && lines[2] == own_ns(kind),
            "the file should hold the program's namespace, not the wrapper's",
        );
    }
}

mod persist {
    #[test]
    fn uts() {
        super::persist("uts");
    }
    #[test]
    fn ipc() {
        super::persist("ipc");
    }
    #[test]
    fn net() {
        super::persist("net");
    }
    #[test]
    fn user() {
        super::persist("user");
    }
    #[test]
    fn cgroup() {
        super::persist("cgroup");
    }
    /// time persists time_for_children, which the exec made the program's.
    #[test]
    fn time() {
        super::persist("time");
    }
}

/// A tmpfs mounted in the persisted mount namespace is there when the
/// file is entered again, and nowhere else.
#[test]
fn mnt_keeps_its_mounts() {
    let script = r#"
            mkdir "$D/w/m"
            : > "$D/w/mnt"
            "$U" --mount="$D/w/mnt" sh -c 'mount -t tmpfs nsbox "$D/w/m" &&
                echo inside > "$D/w/m/marker" && readlink /proc/self/ns/mnt'
            echo "outside: $(ls -A "$D/w/m")"
            "$S" "$D/w/mnt" sh -c 'cat "$D/w/m/marker"; readlink /proc/self/ns/mnt'
            readlink /proc/self/ns/mnt
        "#;
    for util_linux in [false, true] {
        let s = if util_linux {
            Scene::one_cpu()
        } else {
            Scene::new()
        };
        let unshare = if util_linux {
            PathBuf::from(UL_UNSHARE)
        } else {
            s.unshare_link()
        };
        let out = s.shell_host_pids(script).env("U", &unshare).run();
        out.success().stderr_is("");
        let text = out.stdout();
        let lines: Vec<&str> = text.lines().collect();
        out.check(
            lines.len() == 5
                && lines[1] == "outside: "
                && lines[2] == "inside"
                && lines[0] == lines[3]
                && lines[0] != lines[4],
            "the persisted mount namespace should hold the tmpfs",
        );
    }
}

/// --pid=FILE (with --fork) persists pid_for_children: while its init
/// lives, setns-test FILE runs a process in the program's namespace.
#[test]
fn pid_while_its_init_lives() {
    let script = r#"
            : > "$D/w/pid"
            "$U" --pid="$D/w/pid" --fork sh -c 'readlink /proc/self/ns/pid > "$D/w/inner"
                until [ -e "$D/w/done" ]; do sleep 0.01; done' &
            u=$!
            waitfor '[ -s "$D/w/inner" ] && [ "$(mount_lines "$D/w/pid")" = 1 ]'
            "$S" "$D/w/pid" readlink /proc/self/ns/pid
            cat "$D/w/inner"
            readlink /proc/self/ns/pid
            touch "$D/w/done"
            wait $u 2>/dev/null
            echo "rc=$?"
        "#;
    for util_linux in [false, true] {
        let s = Scene::new();
        let unshare = if util_linux {
            PathBuf::from(UL_UNSHARE)
        } else {
            s.unshare_link()
        };
        let out = s.shell_host_pids(script).env("U", &unshare).run();
        out.success().stderr_is("");
        let text = out.stdout();
        let lines: Vec<&str> = text.lines().collect();
        out.check(
            lines.len() == 4
                && lines[0] == lines[1]
                && lines[0] != lines[2]
                && lines[2] == own_ns("pid")
                && lines[3] == "rc=0",
            "setns-test should enter the program's PID namespace",
        );
    }
}

#[test]
fn pid_needs_fork() {
    let s = Scene::new();
    let file = s.work("pid");
    s.private("unshare")
        .arg(format!("--pid={}", file.display()))
        .args(["echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(
            "unshare: --pid=FILE needs --fork: a PID namespace exists only once \
                 its first process does\n\
                 Try 'unshare --help' for more information.\n",
        );
    assert!(!file.exists(), "{} was created", file.display());
}

#[test]
fn uts_keeps_its_hostname() {
    let s = Scene::new();
    let before = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    s.shell_host_pids(
        r#"
            "$U" --uts="$D/w/uts" hostname nsbox-persisted
            "$S" "$D/w/uts" hostname
            hostname
        "#,
    )
    .run()
    .success()
    .stderr_is("")
    .stdout_is(&format!("nsbox-persisted\n{before}"));
}

/// The offsets written into a persisted time namespace are there when
/// it is entered again.
#[test]
fn time_keeps_its_offsets() {
    let s = Scene::new();
    s.shell_host_pids(
        r#"
            "$U" --time="$D/w/time" --monotonic 123 --boottime 456 true
            "$S" "$D/w/time" cat /proc/self/timens_offsets
        "#,
    )
    .run()
    .success()
    .stderr_is("")
    .stdout_is(&offsets(123, 456));
}

/// Linux 6.18 numbers namespaces from per-CPU batches and binds a mount
/// namespace only when it numbers above the binder's own; so a fresh one
/// made on another CPU than the binder's (newer) namespace cannot be
/// bound (EINVAL). The binder's namespace is made on each CPU in turn,
/// and that CPU is kept busy so that ours starts on another: without
/// nsbox's remedy every try fails for one of the CPUs (measured: 20 of
/// 20); with it, every one must succeed. (With one CPU the problem
/// cannot arise, and this passes trivially.)
#[test]
fn mnt_is_persisted_reliably_across_cpus() {
    let s = Scene::new();
    let online = std::fs::read_to_string("/sys/devices/system/cpu/online").unwrap();
    let online = online.trim();
    s.shell_host_pids(
        r#"
            for cpu in $(seq 0 $(($(nproc --all) - 1))); do
                # In a PID namespace of its own: its end kills the busy loop.
                taskset -c "$cpu" "$UL" -m --propagation private --pid --fork \
                        --kill-child --mount-proc sh -c '
                    . "$D/prelude.sh"
                    timeout 60 sh -c "while :; do :; done" &
                    for i in $(seq 10); do
                        f="$D/w/mnt.$1.$i"
                        taskset -c "$2" "$U" --mount="$f" true || echo "cpu $1 try $i: rc=$?"
                        [ "$(mount_lines "$f")" = 1 ] || echo "cpu $1 try $i: not mounted"
                    done' sh "$cpu" "$1" 2>&1
            done
            "$U" --mount="$D/w/last" sh -c 'grep Cpus_allowed_list /proc/self/status'
            "#,
    )
    .arg(online)
    .run()
    .success()
    .stderr_is("")
    .stdout_is(&format!("Cpus_allowed_list:\t{online}\n"));
}

/// A missing FILE is created, for every kind (util-linux fails).
#[test]
fn missing_file_is_created() {
    let s = Scene::new();
    s.shell_host_pids(
        r#"
            for k in mount uts ipc net user cgroup time; do
                "$U" "--$k=$D/w/$k" true || echo "$k: rc=$?"
                [ -f "$D/w/$k" ] && [ ! -L "$D/w/$k" ] || echo "$k: no regular file"
                [ "$(mount_lines "$D/w/$k")" = 1 ] || echo "$k: not mounted once"
                "$S" "$D/w/$k" true || echo "$k: cannot be entered"
            done
            "$U" --pid="$D/w/pid" --fork true || echo "pid: rc=$?"
            echo "pid: $(mount_lines "$D/w/pid")"
            "$UL" --uts="$D/w/ul" true 2>/dev/null
            echo "util-linux: rc=$? $(ls -A "$D/w/ul" 2>/dev/null)"
        "#,
    )
    .run()
    .success()
    .stderr_is("")
    .stdout_is("pid: 1\nutil-linux: rc=1 \n");
}

/// A symbolic link is refused, dangling or not: nothing runs, nothing is
/// created or mounted, and the link's target is untouched. (util-linux
/// follows it and mounts on the target.)
#[test]
fn symlink_is_refused() {
    let s = Scene::new();
    let out = s
        .shell_host_pids(
            r#"
            echo keep > "$D/w/target"
            ln -s "$D/w/target" "$D/w/link"
            ln -s "$D/w/absent" "$D/w/dangling"
            "$U" --uts="$D/w/link" echo ran; echo "rc=$?"
            "$U" --mount="$D/w/dangling" echo ran; echo "rc=$?"
            cat "$D/w/target"
            ls "$D/w"
            echo "mounts=$(mount_lines "$D")"
            "$UL" --uts="$D/w/link" true
            echo "util-linux mounted the target: $(mount_lines "$D/w/target")"
        "#,
        )
        .run();
    let d = s.dir().display();
    out.success()
            .stdout_is(
                "rc=1\nrc=1\nkeep\ndangling\nlink\ntarget\nmounts=0\n\
                 util-linux mounted the target: 1\n",
            )
            .stderr_is(&format!(
                "unshare: {d}/w/link is a symbolic link; refusing to mount over what it points at\n\
                 unshare: {d}/w/dangling is a symbolic link; refusing to mount over what it points at\n"
            ));
}

/// A directory or a device is refused; nothing runs or is mounted.
#[test]
fn directory_and_device_are_refused() {
    let s = Scene::new();
    let out = s
        .shell_host_pids(
            r#"
            mkdir "$D/w/dir"
            "$U" --uts="$D/w/dir" echo ran 2>"$D/w/err1"; echo "rc=$?"
            "$U" --net=/dev/null echo ran 2>"$D/w/err2"; echo "rc=$?"
            echo "mounts=$(mount_lines "$D") $(mount_lines /dev/null)"
            cat "$D/w/err1" "$D/w/err2"
        "#,
        )
        .run();
    out.success().stderr_is("");
    let text = out.stdout();
    let lines: Vec<&str> = text.lines().collect();
    let dir = format!("unshare: {}/w/dir ", s.dir().display());
    out.check(
        lines.len() == 5
            && lines[..3] == ["rc=1", "rc=1", "mounts=0 0"]
            && lines[3].starts_with(&dir)
            && lines[3].contains("directory")
            && lines[4].starts_with("unshare: /dev/null "),
        "expected both refused, with one message each naming the file",
    );
}

/// A file that already holds a namespace is refused; the first mount
/// stays the only one.
#[test]
fn file_holding_a_namespace_is_refused() {
    let s = Scene::new();
    let out = s
        .shell_host_pids(
            r#"
            "$U" --uts="$D/w/f" true; echo "rc=$?"
            "$U" --uts="$D/w/f" echo ran; echo "rc=$?"
            "$U" --ipc="$D/w/f" echo ran; echo "rc=$?"
            echo "mounts=$(mount_lines "$D/w/f")"
        "#,
        )
        .run();
    out.success().stdout_is("rc=0\nrc=1\nrc=1\nmounts=1\n");
    let err = out.stderr();
    let file = format!("unshare: {}/w/f ", s.dir().display());
    out.check(
        err.lines().count() == 2 && err.lines().all(|l| l.starts_with(&file)),
        "expected two messages naming the file",
    );
}

/// --mount=FILE where FILE's mount is shared: refused up front with the
/// fix in the message, nothing created; the fix works. util-linux fails
/// with EINVAL.
#[test]
fn shared_mount_is_refused_with_the_fix() {
    let s = Scene::new();
    let out = s
        .shell_host_pids(
            r#"
            mkdir "$D/w/shared"
            mount --bind "$D/w/shared" "$D/w/shared"
            mount --make-shared "$D/w/shared"
            "$U" --mount="$D/w/shared/mnt" echo ran; echo "rc=$?"
            ls -A "$D/w/shared"
            echo "mounts=$(mount_lines "$D/w/shared/mnt")"
            : > "$D/w/shared/ul"
            "$UL" --mount="$D/w/shared/ul" true 2>/dev/null; echo "util-linux: rc=$?"
            mount --make-private "$D/w/shared"
            rm "$D/w/shared/ul"
            "$U" --mount="$D/w/shared/mnt" echo ran; echo "rc=$?"
            echo "mounts=$(mount_lines "$D/w/shared/mnt")"
        "#,
        )
        .run();
    out.success()
        .stdout_is("rc=1\nmounts=0\nutil-linux: rc=1\nran\nrc=0\nmounts=1\n")
        .stderr_line("unshare: ")
        .stderr_has(&format!("{}/w/shared", s.dir().display()))
        .stderr_has("nsbind --private");
}

#[test]
fn missing_directory_fails() {
    let s = Scene::new();
    let file = s.work("nodir/f");
    s.private("unshare")
        .arg(format!("--uts={}", file.display()))
        .args(["echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_line("unshare: ")
        .stderr_has(&file.display().to_string())
        .stderr_has(": No such file or directory\n");
}

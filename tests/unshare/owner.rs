//! `--owner`: who owns the new user namespace, and may enter it later.

use super::*;

/// NS_GET_OWNER_UID: _IO(0xb7, 0x4).
const NS_GET_OWNER_UID: libc::c_ulong = 0xb704;

fn owner_uid(path: &str) -> u32 {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("open {path}: {e}"));
    let mut uid: libc::uid_t = 0;
    // SAFETY: the ioctl writes one uid_t into `uid`.
    let ret = unsafe { libc::ioctl(file.as_raw_fd(), NS_GET_OWNER_UID as _, &mut uid) };
    assert_eq!(
        ret,
        0,
        "NS_GET_OWNER_UID on {path}: {}",
        std::io::Error::last_os_error()
    );
    uid
}

/// Start `unshare ARGS cat` and hand the reading cat's pid to `check`.
fn with_cat(s: &Scene, args: &[&str], check: impl FnOnce(i32)) {
    let mut proc = s.unshare().args(args).arg("cat").stdin_pipe().spawn();
    let pid = find_reader(&mut proc, "cat");
    check(pid);
    proc.close_stdin();
    proc.wait().success().stderr_is("");
}

/// The new user namespace is owned by UID, and the process runs as
/// UID:GID without supplementary groups.
#[test]
fn owner_owns_the_user_namespace() {
    let s = Scene::new();
    let ranges = ["--map-users=0:100000:65536", "--map-groups=0:100000:65536"];
    let mut args = vec!["--owner", "65534:65534"];
    args.extend(ranges);
    with_cat(&s, &args, |pid| {
        assert_ne!(ns(pid, "user"), own_ns("user"));
        assert_eq!(owner_uid(&format!("/proc/{pid}/ns/user")), 65534);
        let status = proc_status(pid);
        assert_eq!(status_field(&status, "Uid"), "65534\t65534\t65534\t65534");
        assert_eq!(status_field(&status, "Gid"), "65534\t65534\t65534\t65534");
        assert!(groups(&status).is_empty());
        let uid_map = std::fs::read_to_string(format!("/proc/{pid}/uid_map")).unwrap();
        assert_eq!(map_lines(&uid_map), ["0 100000 65536"]);
    });
    with_cat(&s, &ranges, |pid| {
        assert_eq!(owner_uid(&format!("/proc/{pid}/ns/user")), 0);
    });
    with_cat(&s, &["--owner", "65534:65534", "-r"], |pid| {
        assert_eq!(owner_uid(&format!("/proc/{pid}/ns/user")), 65534);
        let uid_map = std::fs::read_to_string(format!("/proc/{pid}/uid_map")).unwrap();
        assert!(
            map_lines(&uid_map)
                .iter()
                .any(|l| l.starts_with("0 ") && l.ends_with(" 1")),
            "0 is not mapped: {uid_map:?}"
        );
    });
}

/// uid 65534 may enter a user namespace it owns, not one root owns.
#[test]
fn owner_can_enter_later() {
    let s = Scene::new();
    let out = s
        .shell_host_pids(
            r#"
            m="--map-users=0:100000:65536 --map-groups=0:100000:65536"
            "$U" --user="$D/w/owned" --owner 65534:65534 $m true; echo "rc=$?"
            "$U" --user="$D/w/rooted" $m true; echo "rc=$?"
            $NB "$S" "$D/w/owned" readlink /proc/self/ns/user
            $NB "$S" "$D/w/rooted" echo ran 2>/dev/null; echo "rc=$?"
            "$S" "$D/w/owned" readlink /proc/self/ns/user
        "#,
        )
        .run();
    out.success().stderr_is("");
    let text = out.stdout();
    let lines: Vec<&str> = text.lines().collect();
    out.check(
        lines.len() == 5
            && lines[..2] == ["rc=0", "rc=0"]
            && lines[2].starts_with("user:[")
            && lines[2] != own_ns("user")
            && lines[3] == "rc=1"
            && lines[4] == lines[2],
        "uid 65534 should enter the namespace it owns only",
    );
}

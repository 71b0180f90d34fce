//! Credentials: `--setuid`, `--setgid`, `--setgroups` and `--keep-caps`, as
//! the program's status shows its ids, groups and capabilities.

use super::*;

fn status_of(out: &Output) -> String {
    out.success().stderr_is("");
    out.stdout()
}

/// -S drops the supplementary groups too (util-linux keeps them).
#[test]
fn setuid_drops_supplementary_groups() {
    let s = Scene::new();
    let run = |unshare: &Path| {
        cmd("setpriv")
            .args(["--groups", "4,24"])
            .arg(unshare)
            .args(["-S", "65534", "cat", "/proc/self/status"])
            .run()
    };
    let out = run(&s.unshare_link());
    let status = status_of(&out);
    assert_eq!(status_field(&status, "Uid"), "65534\t65534\t65534\t65534");
    assert_eq!(status_field(&status, "Gid"), "0\t0\t0\t0");
    assert!(groups(&status).is_empty(), "Groups: {:?}", groups(&status));
    let theirs = run(Path::new(UL_UNSHARE));
    let status = status_of(&theirs);
    assert_eq!(groups(&status), ["4", "24"], "util-linux changed");
}

#[test]
fn setgid_drops_supplementary_groups() {
    let s = Scene::new();
    for unshare in [s.unshare_link(), PathBuf::from(UL_UNSHARE)] {
        let out = cmd("setpriv")
            .args(["--groups", "4,24"])
            .arg(&unshare)
            .args(["--setgid", "65534", "cat", "/proc/self/status"])
            .run();
        let status = status_of(&out);
        assert_eq!(status_field(&status, "Uid"), "0\t0\t0\t0");
        assert_eq!(status_field(&status, "Gid"), "65534\t65534\t65534\t65534");
        assert!(groups(&status).is_empty(), "Groups: {:?}", groups(&status));
    }
}

#[test]
fn setuid_and_setgid() {
    let s = Scene::new();
    let out = cmd("setpriv")
        .args(["--groups", "4"])
        .arg(s.unshare_link())
        .args([
            "--setuid",
            "65534",
            "-G",
            "65534",
            "-u",
            "cat",
            "/proc/self/status",
        ])
        .run();
    let status = status_of(&out);
    assert_eq!(status_field(&status, "Uid"), "65534\t65534\t65534\t65534");
    assert_eq!(status_field(&status, "Gid"), "65534\t65534\t65534\t65534");
    assert!(groups(&status).is_empty());
}

/// -r -G 0 works, as root and not (util-linux: setgroups EPERM).
#[test]
fn map_root_with_setgid() {
    let s = Scene::new();
    for user in [0, NOBODY] {
        s.unshare()
            .as_user(user)
            .args(["-r", "-G", "0", "-S", "0", "sh", "-c", "id -u; id -g"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is("0\n0\n");
        s.unshare()
            .as_user(user)
            .args(["-r", "-G", "0", "id", "-g"])
            .run()
            .success()
            .stdout_is("0\n");
    }
    cmd(UL_UNSHARE)
        .args(["-r", "-G", "0", "true"])
        .run()
        .code(1)
        .stderr_is("unshare: setgroups failed: Operation not permitted\n");
}

/// -r --setgroups deny works (util-linux: EPERM writing it twice).
#[test]
fn map_root_with_setgroups_deny() {
    let s = Scene::new();
    for user in [0, NOBODY] {
        s.unshare()
            .as_user(user)
            .args(["-r", "--setgroups", "deny", "cat", "/proc/self/setgroups"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is("deny\n");
    }
    cmd(UL_UNSHARE)
        .args(["-r", "--setgroups", "deny", "true"])
        .run()
        .code(1);
}

#[test]
fn setgroups_allow_and_deny() {
    let s = Scene::new();
    for (user, value) in [(0, "allow"), (0, "deny"), (NOBODY, "deny")] {
        s.unshare()
            .as_user(user)
            .args(["-U", "--setgroups", value, "cat", "/proc/self/setgroups"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&format!("{value}\n"));
    }
}

/// --setgroups is written before the gid_map, which root's ranges allow.
#[test]
fn setgroups_deny_with_ranges() {
    let s = Scene::new();
    let out = s
        .unshare()
        .args([
            "--map-users=0:100000:65536",
            "--map-groups=0:100000:65536",
            "--setgroups=deny",
            "sh",
            "-c",
            "cat /proc/self/setgroups /proc/self/gid_map",
        ])
        .run();
    out.success().stderr_is("");
    let text = out.stdout();
    out.check(
        map_lines(&text) == ["0 100000 65536", "deny"],
        "expected deny and the range",
    );
}

/// --keep-caps raises the permitted set into the ambient one.
#[test]
fn keep_caps_fills_the_ambient_set() {
    let s = Scene::new();
    for user in [0, NOBODY] {
        for unshare in [cmd(s.unshare_link()), cmd(UL_UNSHARE)] {
            let out = unshare
                .as_user(user)
                .args(["-r", "--keep-caps", "cat", "/proc/self/status"])
                .run();
            let status = status_of(&out);
            let permitted = status_field(&status, "CapPrm");
            assert_ne!(permitted, "0000000000000000");
            assert_eq!(status_field(&status, "CapAmb"), permitted);
        }
        let out = s
            .unshare()
            .as_user(user)
            .args(["-r", "cat", "/proc/self/status"])
            .run();
        let status = status_of(&out);
        assert_eq!(status_field(&status, "CapAmb"), "0000000000000000");
    }
}

/// Root unmapped in a fresh user namespace loses its capabilities at
/// exec, unless they are ambient.
#[test]
fn keep_caps_survive_exec_unmapped() {
    let s = Scene::new();
    let out = s
        .unshare()
        .args(["-U", "--keep-caps", "cat", "/proc/self/status"])
        .run();
    let status = status_of(&out);
    assert_ne!(status_field(&status, "CapEff"), "0000000000000000");
    let out = s.unshare().args(["-U", "cat", "/proc/self/status"]).run();
    let status = status_of(&out);
    assert_eq!(status_field(&status, "CapEff"), "0000000000000000");
}

#[test]
fn setuid_to_an_unmapped_uid_fails() {
    let s = Scene::new();
    s.unshare()
        .args(["-r", "-S", "1000", "echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_line("unshare: ");
}

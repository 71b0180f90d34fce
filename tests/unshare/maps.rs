//! User namespace maps: `--map-root-user`, `--map-current-user`,
//! `--map-user(s)`, `--map-group(s)` and `--map-auto`, as uid_map and
//! gid_map show them.

use super::*;

fn run_maps(command: Cmd) -> (Vec<String>, Vec<String>) {
    let out = command.args(SHOW_MAPS).run();
    out.success().stderr_is("");
    maps(&out)
}

/// -r as root: exactly util-linux's maps and setgroups.
#[test]
fn map_root_user_as_root() {
    let s = Scene::new();
    let show = [
        "cat",
        "/proc/self/uid_map",
        "/proc/self/gid_map",
        "/proc/self/setgroups",
    ];
    let ours = s.unshare().arg("-r").args(show).run();
    let theirs = cmd(UL_UNSHARE).arg("-r").args(show).run();
    theirs.success();
    ours.success()
        .stderr_is("")
        .stdout_is(&theirs.stdout())
        .check(
            map_lines(&ours.stdout()) == ["0 0 1", "0 0 1", "deny"],
            "expected 0 0 1 twice",
        );
}

#[test]
fn map_root_user_unprivileged() {
    let s = Scene::new();
    let (uid, gid) = run_maps(s.unshare().as_user(NOBODY).arg("--map-root-user"));
    assert_eq!(uid, ["0 65534 1"]);
    assert_eq!(gid, ["0 65534 1"]);
    s.unshare()
        .as_user(NOBODY)
        .args(["-r", "sh", "-c", "id -u; id -g"])
        .run()
        .success()
        .stdout_is("0\n0\n");
}

#[test]
fn map_current_user() {
    let s = Scene::new();
    for user in [0, NOBODY] {
        let (uid, gid) = run_maps(s.unshare().as_user(user).arg("-c"));
        let want = [format!("{user} {user} 1")];
        assert_eq!(uid, want);
        assert_eq!(gid, want);
        s.unshare()
            .as_user(user)
            .args(["--map-current-user", "id", "-u"])
            .run()
            .success()
            .stdout_is(&format!("{user}\n"));
    }
}

/// --map-user/--map-group by number and by name; util-linux agrees.
#[test]
fn map_user_and_group() {
    let s = Scene::new();
    for unshare in [s.unshare_link(), PathBuf::from(UL_UNSHARE)] {
        let (uid, gid) = run_maps(cmd(&unshare).args(["--map-user=nobody", "--map-group=nogroup"]));
        assert_eq!(uid, ["65534 0 1"]);
        assert_eq!(gid, ["65534 0 1"]);
        let (uid, gid) = run_maps(cmd(&unshare).as_user(NOBODY).args([
            "--map-user",
            "1000",
            "--map-group",
            "1001",
        ]));
        assert_eq!(uid, ["1000 65534 1"]);
        assert_eq!(gid, ["1001 65534 1"]);
    }
    s.unshare()
        .as_user(NOBODY)
        .args(["--map-user=1000", "--map-group=1001", "sh", "-c"])
        .arg("id -u; id -g; cat /proc/self/setgroups")
        .run()
        .success()
        .stdout_is("1000\n1001\ndeny\n");
    // Only the one asked for.
    let (uid, gid) = run_maps(s.unshare().arg("--map-user=1000"));
    assert_eq!(uid, ["1000 0 1"]);
    assert!(gid.is_empty(), "gid_map: {gid:?}");
}

/// Root writes ranges itself: inner:outer:count, the legacy
/// outer,inner,count, and several of them.
#[test]
fn map_users_ranges_as_root() {
    let s = Scene::new();
    let (uid, gid) = run_maps(
        s.unshare()
            .args(["--map-users=0:100000:65536", "--map-groups=100000,0,65536"]),
    );
    assert_eq!(uid, ["0 100000 65536"]);
    assert_eq!(gid, ["0 100000 65536"]);
    let (uid, gid) = run_maps(s.unshare().args([
        "--map-users",
        "1000:100000:10",
        "--map-users",
        "0:200000:10",
    ]));
    assert_eq!(uid, ["0 200000 10", "1000 100000 10"]);
    assert!(gid.is_empty(), "gid_map: {gid:?}");
}

/// With -r the single id is added and carved out of the range.
#[test]
fn map_users_with_map_root_as_root() {
    let s = Scene::new();
    let (uid, gid) = run_maps(s.unshare().args([
        "-r",
        "--map-users=0:100000:65536",
        "--map-groups=0:100000:65536",
    ]));
    assert_eq!(uid, ["0 0 1", "1 100000 65535"]);
    assert_eq!(gid, ["0 0 1", "1 100000 65535"]);
}

#[test]
fn map_all_as_root() {
    let s = Scene::new();
    let (uid, gid) = run_maps(s.unshare().args(["--map-users=all", "--map-groups=all"]));
    assert_eq!(uid, ["0 0 4294967295"]);
    assert_eq!(gid, ["0 0 4294967295"]);
    s.unshare()
        .args([
            "--map-users=all",
            "--map-groups=all",
            "sh",
            "-c",
            "id -u; id -g",
        ])
        .run()
        .success()
        .stdout_is("0\n0\n");
}

/// A scene with /etc/subuid and /etc/subgid replaced by `line`, running
/// our unshare with `args` and SHOW_MAPS, as uid 65534 or root.
fn with_subids(line: &str, nobody: bool, args: &[&str]) -> Output {
    let s = Scene::new();
    s.shell_host_pids(
        r#"
            printf '%s\n' "$1" > "$D/w/subuid"
            printf '%s\n' "$1" > "$D/w/subgid"
            chmod 644 "$D/w/subuid" "$D/w/subgid"
            mount --bind "$D/w/subuid" /etc/subuid
            mount --bind "$D/w/subgid" /etc/subgid
            shift
            $AS "$U" "$@" sh -c 'cat /proc/self/uid_map; echo --; cat /proc/self/gid_map'
        "#,
    )
    .env("AS", if nobody { NB } else { "" })
    .arg(line)
    .args(args)
    .run()
}

fn subid_maps(line: &str, nobody: bool, args: &[&str]) -> (Vec<String>, Vec<String>) {
    let out = with_subids(line, nobody, args);
    out.success().stderr_is("");
    maps(&out)
}

const NOBODY_SUBIDS: &str = "nobody:100000:65536";

#[test]
fn map_auto_unprivileged() {
    let (uid, gid) = subid_maps(NOBODY_SUBIDS, true, &["--map-auto"]);
    assert_eq!(uid, ["0 100000 65536"]);
    assert_eq!(gid, ["0 100000 65536"]);
    let (uid, gid) = subid_maps(
        NOBODY_SUBIDS,
        true,
        &["--map-users=auto", "--map-groups=auto"],
    );
    assert_eq!(uid, ["0 100000 65536"]);
    assert_eq!(gid, ["0 100000 65536"]);
}

#[test]
fn map_subids_unprivileged() {
    let (uid, gid) = subid_maps(NOBODY_SUBIDS, true, &["--map-subids"]);
    assert_eq!(uid, ["100000 100000 65536"]);
    assert_eq!(gid, ["100000 100000 65536"]);
    let (uid, gid) = subid_maps(
        NOBODY_SUBIDS,
        true,
        &["--map-users=subids", "--map-groups=subids"],
    );
    assert_eq!(uid, ["100000 100000 65536"]);
    assert_eq!(gid, ["100000 100000 65536"]);
}

/// util-linux's add_single_map_range (2.42): an auto range starts above
/// the single id and keeps all its ids; an explicit range loses one.
/// (2.38 took one id off the auto range too.)
#[test]
fn map_auto_with_map_root_unprivileged() {
    let (uid, gid) = subid_maps(NOBODY_SUBIDS, true, &["--map-auto", "-r"]);
    assert_eq!(uid, ["0 65534 1", "1 100000 65536"]);
    assert_eq!(gid, ["0 65534 1", "1 100000 65536"]);
    let (uid, gid) = subid_maps(
        NOBODY_SUBIDS,
        true,
        &[
            "-r",
            "--map-users=0:100000:65536",
            "--map-groups=0:100000:65536",
        ],
    );
    assert_eq!(uid, ["0 65534 1", "1 100000 65535"]);
    assert_eq!(gid, ["0 65534 1", "1 100000 65535"]);
}

/// A range outside the user's subids: newuidmap refuses and says why,
/// unshare fails and the program does not run.
#[test]
fn map_users_outside_subids_unprivileged() {
    with_subids(
        NOBODY_SUBIDS,
        true,
        &["--map-users=0:200000:10", "--map-groups=0:200000:10"],
    )
    .code(1)
    .stdout_is("")
    .stderr_has("newuidmap: uid range [0-10) -> [200000-200010) not allowed\n");
}

#[test]
fn map_auto_as_root() {
    let (uid, gid) = subid_maps("root:200000:65536", false, &["--map-auto"]);
    assert_eq!(uid, ["0 200000 65536"]);
    assert_eq!(gid, ["0 200000 65536"]);
    let (uid, gid) = subid_maps("0:300000:1000", false, &["--map-subids"]);
    assert_eq!(uid, ["300000 300000 1000"]);
    assert_eq!(gid, ["300000 300000 1000"]);
}

#[test]
fn map_auto_without_subids() {
    with_subids(NOBODY_SUBIDS, false, &["--map-auto"])
        .code(1)
        .stdout_is("")
        .stderr_is("unshare: no line matching user \"root\" in /etc/subuid\n");
}

#[test]
fn map_refused_by_the_kernel() {
    let s = Scene::new();
    s.unshare()
        .args(["--map-users=0:0:10", "--map-users=5:100:10", "echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_line("unshare: ");
}

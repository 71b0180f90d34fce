//! Credentials: `--setuid`, `--setgid`, `--preserve-credentials`,
//! `--keep-caps`, and following the target's.

use super::*;

const STATUS: [&str; 2] = ["cat", "/proc/self/status"];

/// (Uid, Gid, Groups) of the program, from its /proc/self/status.
fn ids(out: &Output) -> (String, String, String) {
    out.success();
    (
        status_field(out, "Uid"),
        status_field(out, "Gid"),
        status_field(out, "Groups"),
    )
}

fn four(id: u32) -> String {
    format!("{id} {id} {id} {id}")
}

/// `setpriv --groups 4,24 PROGRAM`: started with supplementary groups.
fn with_groups(program: &Path) -> Cmd {
    cmd("setpriv").args(["--groups", "4,24"]).arg(program)
}

/// `-S UID -G GID` as root: both set, supplementary groups gone; the
/// same with util-linux.
#[test]
fn numbers() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let pid = target.pid().to_string();
    for program in both_paths(&env) {
        let out = with_groups(&program)
            .args(["-t", &pid, "-u", "-S", "1234", "-G", "5678"])
            .args(STATUS)
            .run();
        let got = ids(&out);
        out.check(
            got == (four(1234), four(5678), String::new()),
            &format!("ids {got:?}"),
        );
    }
    let out = nsenter(&env)
        .args(["-t", &pid, "-u", "--setuid=1234", "--setgid=5678"])
        .args(STATUS)
        .run();
    let got = ids(&out);
    out.check(
        got == (four(1234), four(5678), String::new()),
        &format!("ids {got:?}"),
    );
}

/// `-S` alone drops the supplementary groups too; util-linux 2.38
/// keeps them (root's groups, under uid 65534). `-G` alone drops them
/// in both; neither option keeps them in both.
#[test]
fn setuid_alone_drops_groups() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let pid = target.pid().to_string();
    let run = |program: &Path, extra: &[&str]| {
        let out = with_groups(program)
            .args(["-t", &pid, "-u"])
            .args(extra)
            .args(STATUS)
            .run();
        let got = ids(&out);
        (out, got)
    };
    let nsbox = env.path("nsenter");
    let ul = PathBuf::from(UL_NSENTER);
    let (out, got) = run(&nsbox, &["-S", "65534"]);
    out.check(
        got == (four(65534), four(0), String::new()),
        &format!("nsbox -S: {got:?}"),
    );
    let (out, got) = run(&ul, &["-S", "65534"]);
    out.check(
        got == (four(65534), four(0), "4 24".to_owned()),
        &format!("util-linux -S: {got:?}"),
    );
    for program in [&nsbox, &ul] {
        let (out, got) = run(program, &["-G", "65534"]);
        out.check(
            got == (four(0), four(65534), String::new()),
            &format!("-G: {got:?}"),
        );
        let (out, got) = run(program, &[]);
        out.check(
            got == (four(0), four(0), "4 24".to_owned()),
            &format!("no -S/-G: {got:?}"),
        );
    }
}

/// `follow`: the target's uid and gid. util-linux 2.38 knows no
/// `follow`.
#[test]
fn follow_the_target() {
    let env = Env::new();
    let target = Custom::start(
        cmd(UL_UNSHARE).args([
            "--uts",
            "setpriv",
            "--reuid",
            "1234",
            "--regid",
            "5678",
            "--clear-groups",
            "sleep",
            "600",
        ]),
        "sleep",
        &["uts"],
    );
    let pid = target.pid().to_string();
    for args in [
        &["-S", "follow", "-G", "follow"][..],
        &["--setuid=follow", "--setgid=follow"],
    ] {
        let out = with_groups(&env.path("nsenter"))
            .args(["-t", &pid, "-u"])
            .args(args)
            .args(STATUS)
            .run();
        let got = ids(&out);
        out.check(
            got == (four(1234), four(5678), String::new()),
            &format!("ids {got:?}"),
        );
    }
    // Each alone.
    let out = nsenter(&env)
        .args(["-t", &pid, "-u", "-S", "follow"])
        .args(STATUS)
        .run();
    let got = ids(&out);
    out.check(got.0 == four(1234) && got.1 == four(0), &format!("{got:?}"));
    let out = nsenter(&env)
        .args(["-t", &pid, "-u", "-G", "follow"])
        .args(STATUS)
        .run();
    let got = ids(&out);
    out.check(got.0 == four(0) && got.1 == four(5678), &format!("{got:?}"));
    ul_nsenter()
        .args(["-t", &pid, "-u", "-S", "follow", "echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is("nsenter: failed to parse uid: 'follow'\n");
}

/// `follow` sees the target's ids from inside the user namespace
/// entered: uid 1000 inside is 101000 outside.
#[test]
fn follow_through_a_user_namespace() {
    let env = Env::new();
    let holder = mapped_target();
    // util-linux's nsenter as the fixture that puts a process there
    // under uid 1000 and gid 2000.
    let target = Custom::start(
        ul_nsenter()
            .args(["-t", &holder.pid().to_string(), "-U", "-u"])
            .args(["-S", "1000", "-G", "2000", "sleep", "600"]),
        "sleep",
        &["user", "uts"],
    );
    assert_eq!(target.ns("user"), holder.ns("user"));
    let pid = target.pid().to_string();
    assert_eq!(proc_field(target.pid(), "Uid"), four(101000));
    let out = nsenter(&env)
        .args(["-t", &pid, "-U", "-S", "follow", "-G", "follow"])
        .args(STATUS)
        .run();
    let got = ids(&out);
    out.check(
        got.0 == four(1000) && got.1 == four(2000),
        &format!("inside: {got:?}"),
    );
    let out = nsenter(&env)
        .args(["-t", &pid, "-u", "-S", "follow", "-G", "follow"])
        .args(STATUS)
        .run();
    let got = ids(&out);
    out.check(
        got.0 == four(101000) && got.1 == four(102000),
        &format!("outside: {got:?}"),
    );
}

/// Root entering a user namespace where root is not mapped: by default
/// uid and gid 0 inside and no groups; with --preserve-credentials the
/// ids are untouched, so they show as the overflow id, and so do the
/// kept groups. util-linux agrees.
#[test]
fn preserve_credentials() {
    let env = Env::new();
    let target = mapped_target();
    let pid = target.pid().to_string();
    for program in both_paths(&env) {
        let out = with_groups(&program)
            .args(["-t", &pid, "-U"])
            .args(STATUS)
            .run();
        let got = ids(&out);
        out.check(
            got == (four(0), four(0), String::new()),
            &format!("default: {got:?}"),
        );
        let out = with_groups(&program)
            .args(["-t", &pid, "-U", "--preserve-credentials"])
            .args(STATUS)
            .run();
        let got = ids(&out);
        out.check(
            got == (four(65534), four(65534), "65534 65534".to_owned()),
            &format!("--preserve-credentials: {got:?}"),
        );
    }
    for program in both_paths(&env) {
        cmd(&program)
            .args(["-t", &pid, "-U", "sh", "-c", "id -u; id -g"])
            .run()
            .success()
            .stdout_is("0\n0\n");
        cmd(&program)
            .args(["-t", &pid, "-U", "--preserve-credentials"])
            .args(["sh", "-c", "id -u; id -g"])
            .run()
            .success()
            .stdout_is("65534\n65534\n");
    }
}

/// Where setgroups(2) is denied in the user namespace entered (a
/// target of `unshare -r`), dropping groups is no error; util-linux
/// 2.38 fails there.
#[test]
fn unprivileged_setgroups_denied_is_no_error() {
    let env = Env::new();
    let target = Target::build(&["uts"]).as_user(NOBODY).start();
    let pid = target.pid().to_string();
    for extra in [&[][..], &["-S", "0", "-G", "0"]] {
        nsenter(&env)
            .as_user(NOBODY)
            .args(["-t", &pid, "-U", "-u"])
            .args(extra)
            .args(["sh", "-c", "hostname; id -u; id -g"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&format!("{}\n0\n0\n", target.hostname()));
    }
    ul_nsenter()
        .as_user(NOBODY)
        .args(["-t", &pid, "-U", "-u", "hostname"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is("nsenter: setgroups failed: Operation not permitted\n");
}

fn cap_amb(out: &Output) -> u64 {
    out.success();
    u64::from_str_radix(&status_field(out, "CapAmb"), 16).unwrap()
}

/// Every capability up to cap_last_cap.
fn full_caps() -> u64 {
    let last: u32 = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (1u64 << (last + 1)) - 1
}

/// --keep-caps: the capabilities the user namespace gives become
/// ambient (CapAmb), as uid 65534 and as root; without -U it does
/// nothing.
#[test]
fn keep_caps() {
    let env = Env::new();
    let mine = Target::build(&["uts"]).as_user(NOBODY).start();
    let pid = mine.pid().to_string();
    let out = nsenter(&env)
        .as_user(NOBODY)
        .args(["-t", &pid, "-U", "--keep-caps"])
        .args(STATUS)
        .run();
    out.check(cap_amb(&out) == full_caps(), "CapAmb with --keep-caps");
    out.check(
        status_field(&out, "CapPrm") == status_field(&out, "CapAmb"),
        "CapAmb should equal CapPrm",
    );
    let out = nsenter(&env)
        .as_user(NOBODY)
        .args(["-t", &pid, "-U"])
        .args(STATUS)
        .run();
    out.check(cap_amb(&out) == 0, "CapAmb without --keep-caps");
    // As root, into a user namespace, and the same without one.
    let target = Target::new(&["user", "uts"]);
    let pid = target.pid().to_string();
    let out = nsenter(&env)
        .args(["-t", &pid, "-U", "--keep-caps"])
        .args(STATUS)
        .run();
    out.check(cap_amb(&out) == full_caps(), "root, -U --keep-caps");
    let out = nsenter(&env)
        .args(["-t", &pid, "-u", "--keep-caps"])
        .args(STATUS)
        .run();
    out.check(cap_amb(&out) == 0, "root, -u --keep-caps (no user ns)");
    // What ambient capabilities are for: a program that is not root in
    // the user namespace (root entering where it is unmapped, ids
    // preserved) loses every capability at exec, unless they are ambient.
    let mapped = mapped_target();
    let pid = mapped.pid().to_string();
    let out = nsenter(&env)
        .args(["-t", &pid, "-U", "--preserve-credentials", "--keep-caps"])
        .args(STATUS)
        .run();
    out.success();
    out.check(
        status_field(&out, "CapEff") == format!("{:016x}", full_caps()),
        "CapEff with --keep-caps",
    );
    let out = nsenter(&env)
        .args(["-t", &pid, "-U", "--preserve-credentials"])
        .args(STATUS)
        .run();
    out.success();
    out.check(
        status_field(&out, "CapEff") == format!("{:016x}", 0),
        "CapEff without --keep-caps",
    );
}

//! `--all`: every namespace of the target that is not already ours, and
//! explicit options next to it.

use super::*;

/// As root, into a target with every kind: all eight are entered, as
/// util-linux does.
#[test]
fn every_kind_as_root() {
    let env = Env::new();
    let target = Target::new(&KINDS);
    let pid = target.pid().to_string();
    for program in both_paths(&env) {
        for all in ["-a", "--all"] {
            let out = cmd(&program)
                .args(["-t", &pid, all])
                .args(readlink_all())
                .run();
            out.success().stderr_is("");
            check_all_links(&out, target.pid(), &KINDS);
        }
    }
}

/// As root, into a target with only some kinds of its own: those are
/// entered, the others stay ours; util-linux prints the same.
#[test]
fn some_kinds_as_root() {
    let env = Env::new();
    let target = Target::new(&["uts", "net"]);
    let pid = target.pid().to_string();
    let script = format!("hostname; {}", readlink_all_sh());
    let mut outputs = Vec::new();
    for nsenter in both(&env) {
        let out = nsenter.args(["-t", &pid, "-a", "sh", "-c", &script]).run();
        out.success().stderr_is("");
        let text = out.stdout();
        let lines: Vec<&str> = text.lines().collect();
        out.check(
            lines.first() == Some(&target.hostname()),
            "not the target's hostname",
        );
        check_links(&out, &lines[1..], target.pid(), &["uts", "net"]);
        outputs.push(text.clone());
    }
    assert_eq!(outputs[0], outputs[1], "nsbox and util-linux differ");
}

/// As uid 65534 against `unshare -r -u`: every kind but user and uts is
/// ours, and skipped; util-linux 2.38 tries them and fails with EPERM.
#[test]
fn unprivileged_skips_what_is_ours() {
    let env = Env::new();
    let target = Target::build(&["uts"]).as_user(NOBODY).start();
    let pid = target.pid().to_string();
    let script = format!("hostname; id -u; {}", readlink_all_sh());
    let out = nsenter(&env)
        .as_user(NOBODY)
        .args(["-t", &pid, "-a", "sh", "-c", &script])
        .run();
    out.success().stderr_is("");
    let text = out.stdout();
    let lines: Vec<&str> = text.lines().collect();
    out.check(
        lines.len() == 10 && lines[0] == target.hostname() && lines[1] == "0",
        "expected the target's hostname and uid 0",
    );
    check_links(&out, &lines[2..], target.pid(), &["user", "uts"]);
    ul_nsenter()
        .as_user(NOBODY)
        .args(["-t", &pid, "-a", "sh", "-c", &script])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_line("nsenter: reassociate to namespace 'ns/")
        .stderr_has("failed: Operation not permitted\n");
}

/// As uid 65534 against a target with every kind of its own.
#[test]
fn every_kind_unprivileged() {
    let env = Env::new();
    let target = Target::build(&KINDS).as_user(NOBODY).start();
    let pid = target.pid().to_string();
    let out = nsenter(&env)
        .as_user(NOBODY)
        .args(["-t", &pid, "-a"])
        .args(readlink_all())
        .run();
    out.success().stderr_is("");
    check_all_links(&out, target.pid(), &KINDS);
}

/// An explicit option overrides --all for its kind.
#[test]
fn explicit_options_override() {
    let env = Env::new();
    let a = Target::new(&["uts", "net"]);
    let b = Target::new(&["uts"]);
    let script = "hostname; readlink /proc/self/ns/uts /proc/self/ns/net";
    let file = format!("--uts={}", b.ns_path("uts"));
    for args in [
        vec!["-a".to_owned(), file.clone()],
        vec![file.clone(), "-a".to_owned()],
    ] {
        nsenter(&env)
            .args(["-t", &a.pid().to_string()])
            .args(&args)
            .args(["sh", "-c", script])
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&format!(
                "{}\n{}\n{}\n",
                b.hostname(),
                b.ns("uts"),
                a.ns("net")
            ));
    }
}

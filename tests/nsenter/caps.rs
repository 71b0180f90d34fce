//! `--caps=target` and `--no-new-privs`: the program's capability sets, as
//! its own /proc/self/status shows them after exec, are the target's, line
//! by line; a root program never gets more than the target holds (the
//! SECBIT_NOROOT path); privilege that is missing is named in one line,
//! before the program runs.

use super::*;

const STATUS: [&str; 2] = ["cat", "/proc/self/status"];

/// The five `Cap*:` lines of a status text.
fn cap_lines(status: &str) -> Vec<String> {
    let lines: Vec<String> = confinement(status)
        .into_iter()
        .filter(|l| l.starts_with("Cap"))
        .collect();
    assert_eq!(lines.len(), 5, "expected five Cap lines in\n{status}");
    lines
}

/// A `Cap*:` mask of a status text.
fn mask(status: &str, name: &str) -> u64 {
    let value = status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .unwrap_or_else(|| panic!("no {name}: line in\n{status}"));
    u64::from_str_radix(value.trim(), 16).unwrap()
}

/// `nsenter -t PID -a OPTIONS... cat /proc/self/status`, successful, and
/// its stdout.
fn program_status(env: &Env, pid: i32, options: &[&str]) -> String {
    let out = nsenter(env)
        .args(["-t", &pid.to_string(), "-a"])
        .args(options)
        .args(STATUS)
        .run();
    out.success().stderr_is("");
    out.stdout()
}

fn check_same_caps(program: &str, target: &str, what: &str) {
    assert_eq!(
        cap_lines(program),
        cap_lines(target),
        "{what}: the program's Cap lines (left) differ from the target's (right)"
    );
}

/// Into a root container with Docker's sets: all five sets equal.
#[test]
fn takes_the_sets_of_a_root_target() {
    let env = Env::new();
    let c = Container::start();
    let target = proc_status(c.pid());
    let ours = std::fs::read_to_string("/proc/self/status").unwrap();
    assert_ne!(
        cap_lines(&target),
        cap_lines(&ours),
        "no confinement to copy"
    );
    let program = program_status(&env, c.pid(), &["--caps=target"]);
    check_same_caps(&program, &target, "--caps=target");
    assert!(program.contains("\nUid:\t0\t0\t0\t0\n"), "{program}");
    // Only what was asked for: no_new_privs stays ours.
    assert_eq!(status_line(&program, "NoNewPrivs"), "0");
}

/// Into a container whose process runs as uid 1000 (its permitted and
/// effective sets are its ambient one): with the target's ids the sets
/// are equal; as root too, since exec then gives root nothing beyond the
/// ambient set (SECBIT_NOROOT).
#[test]
fn takes_the_sets_of_a_non_root_target() {
    let env = Env::new();
    let c = Container::build().user(1000, 1000, "1000").start();
    let target = proc_status(c.pid());
    assert_eq!(mask(&target, "CapPrm"), mask(&target, "CapAmb"));
    assert_ne!(mask(&target, "CapAmb"), 0, "no ambient set to copy");
    let program = program_status(
        &env,
        c.pid(),
        &["--caps=target", "-S", "follow", "-G", "follow"],
    );
    check_same_caps(&program, &target, "-S follow -G follow");
    assert!(
        program.contains("\nUid:\t1000\t1000\t1000\t1000\n"),
        "{program}"
    );
    let program = program_status(&env, c.pid(), &["--caps=target"]);
    check_same_caps(&program, &target, "as root");
    assert!(program.contains("\nUid:\t0\t0\t0\t0\n"), "{program}");
}

/// A root target running with SECBIT_NOROOT holds only its ambient set:
/// so does the program.
#[test]
fn takes_the_sets_of_a_noroot_target() {
    let env = Env::new();
    let c = Container::build()
        .securebits("+noroot,+noroot_locked")
        .start();
    let target = proc_status(c.pid());
    assert_eq!(mask(&target, "CapPrm"), mask(&target, "CapAmb"));
    let program = program_status(&env, c.pid(), &["--caps=target"]);
    check_same_caps(&program, &target, "a SECBIT_NOROOT target");
}

/// chown, kill and net_bind_service: less than Docker's set.
const LOWERED: u64 = 1 | 1 << 5 | 1 << 10;

/// The program's status, then its securebits on a last line.
fn status_and_securebits(env: &Env, pid: i32, options: &[&str]) -> String {
    let securebits =
        format!("{PYTHON3} -c 'import ctypes; print(ctypes.CDLL(None).prctl(27, 0, 0, 0, 0))'");
    let out = nsenter(env)
        .args(["-t", &pid.to_string(), "-a"])
        .args(options)
        .args(["sh", "-c", &format!("cat /proc/self/status; {securebits}")])
        .run();
    out.success().stderr_is("");
    out.stdout()
}

/// A root target that lowered its permitted set after its exec holds less
/// than exec gives root (bounding | inheritable). The program never gets
/// more than the target holds: exec gives it the ambient set alone, and
/// SECBIT_NOROOT stays locked on, so it cannot win the rest back.
#[test]
fn root_gets_no_more_than_the_target_holds() {
    let env = Env::new();
    let c = Container::build().lower_permitted(LOWERED).start();
    let target = proc_status(c.pid());
    assert_eq!(mask(&target, "CapPrm"), LOWERED, "{target}");
    let program = status_and_securebits(&env, c.pid(), &["--caps=target"]);
    for name in ["CapBnd", "CapInh", "CapAmb"] {
        assert_eq!(
            mask(&program, name),
            mask(&target, name),
            "{name}\n{program}"
        );
    }
    let permitted = mask(&program, "CapPrm");
    assert_eq!(permitted & !LOWERED, 0, "more than the target\n{program}");
    assert_eq!(permitted, mask(&target, "CapAmb"), "{program}");
    assert_eq!(mask(&program, "CapEff"), permitted, "{program}");
    // SECBIT_NOROOT | SECBIT_NOROOT_LOCKED.
    assert_eq!(program.lines().last(), Some("3"), "securebits\n{program}");
}

/// Under no_new_privs exec gives no more than the permitted set held
/// before it: the same target's sets are then matched exactly, without
/// SECBIT_NOROOT.
#[test]
fn no_new_privs_matches_a_lowered_target() {
    let env = Env::new();
    let c = Container::build().lower_permitted(LOWERED).start();
    let target = proc_status(c.pid());
    let program = status_and_securebits(&env, c.pid(), &["--caps=target", "--no-new-privs"]);
    check_same_caps(&program, &target, "--no-new-privs");
    assert_eq!(program.lines().last(), Some("0"), "securebits\n{program}");
}

/// --no-new-privs sets it, with the target's sets or alone; without it
/// the program has none (as we have none). A later --caps=inherit undoes
/// --caps=target: the sets are then today's, our own.
#[test]
fn no_new_privs_and_caps_inherit() {
    let env = Env::new();
    let c = Container::start();
    let target = proc_status(c.pid());
    let ours = std::fs::read_to_string("/proc/self/status").unwrap();
    assert_eq!(status_line(&ours, "NoNewPrivs"), "0");
    assert_eq!(status_line(&target, "NoNewPrivs"), "1");
    let program = program_status(&env, c.pid(), &["--caps=target", "--no-new-privs"]);
    check_same_caps(&program, &target, "--no-new-privs");
    assert_eq!(status_line(&program, "NoNewPrivs"), "1");
    let program = program_status(&env, c.pid(), &["--no-new-privs"]);
    assert_eq!(status_line(&program, "NoNewPrivs"), "1");
    let program = program_status(&env, c.pid(), &[]);
    assert_eq!(status_line(&program, "NoNewPrivs"), "0");
    let today = cap_lines(&program);
    assert_ne!(today, cap_lines(&target));
    for options in [
        &["--caps=target", "--caps=inherit"][..],
        &["--caps=inherit"],
    ] {
        let program = program_status(&env, c.pid(), options);
        assert_eq!(cap_lines(&program), today, "{options:?}");
    }
}

/// As uid 65534. Plain, it could enter no namespace: setns(2) wants
/// CAP_SYS_ADMIN in our own user namespace, and entering another one gives
/// the full sets there. So in its own `unshare -r` user namespace, with
/// CAP_SETPCAP out of its bounding set, into the UTS namespace of a target
/// with a smaller bounding set: nsenter cannot drop the rest, says so in
/// one line, and the program does not run; without --caps=target it runs.
#[test]
fn unprivileged_needs_setpcap() {
    let env = Env::new();
    let script = format!(
        r#"{PRELUDE}
        unshare -u setpriv --bounding-set=-all,+chown,+kill sleep 600 &
        target=$!
        waitfor '[ "$(cat /proc/$target/comm)" = sleep ]'
        for caps in --caps=target --caps=inherit; do
            setpriv --bounding-set=-setpcap "$1" -t $target -u $caps sh -c 'echo ran'
            echo "status $?"
        done
        kill $target
        wait"#
    );
    let out = cmd("/bin/sh")
        .as_user(NOBODY)
        .args([
            "-c",
            &format!(
                "exec {UL_UNSHARE} -r /bin/sh -c '{}' sh \"$1\"",
                script.replace('\'', r"'\''")
            ),
        ])
        .arg("sh")
        .arg(env.path("nsenter"))
        .run();
    out.success()
        .stdout_is("status 1\nran\nstatus 0\n")
        .stderr_line("nsenter: cannot drop cap_dac_override and ")
        .stderr_has(" more from the bounding set: needs CAP_SETPCAP\n");
}

/// What nsenter's own bounding set lacks, it cannot give: it names it.
#[test]
fn names_what_nsenter_lacks() {
    let env = Env::new();
    let c = Container::start();
    cmd("setpriv")
        .args(["--bounding-set=-net_raw,-mknod"])
        .arg(env.path("nsenter"))
        .args([
            "-t",
            &c.pid().to_string(),
            "-a",
            "--caps=target",
            "echo",
            "ran",
        ])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(
            "nsenter: the target has capabilities that nsenter lacks: cap_net_raw, cap_mknod\n",
        );
}

/// The value of `Name:` in a status text.
fn status_line<'a>(status: &'a str, name: &str) -> &'a str {
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .unwrap_or_else(|| panic!("no {name}: line in\n{status}"))
        .trim()
}

/// Capabilities count in the user namespace that holds them: the target's
/// sets are taken only into the target's user namespace, never into ours,
/// where the same numbers would give the program far more.
#[test]
fn only_into_the_targets_user_namespace() {
    let env = Env::new();
    let target = Target::new(&["user", "uts"]);
    let pid = target.pid().to_string();
    let out = nsenter(&env)
        .args(["-t", &pid, "-u", "--caps=target", "echo", "ran"])
        .run();
    out.code(1).stdout_is("").stderr_is(&format!(
        "nsenter: --caps=target: process {pid} has its capabilities in another user \
         namespace; enter that too (-U or -a)\n"
    ));
    let out = nsenter(&env)
        .args(["-t", &pid, "-U", "-u", "--caps=target", "echo", "ran"])
        .run();
    out.success().stdout_is("ran\n");
}

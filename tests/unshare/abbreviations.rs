//! Abbreviated long options: nsbox's own options (`--hostname`,
//! `--loopback`, `--pidfile`, `--keep-pidfile`) share prefixes with
//! util-linux's (`--help`, `--load-interp`, `--pid`, `--keep-caps`), yet
//! every abbreviation util-linux takes means the same as there, side by
//! side with util-linux; only one that names none of util-linux's options
//! may name one of ours.

use super::*;

/// Status, stdout and stderr of nsbox's unshare and util-linux's on the
/// same words agree.
fn same_as_util_linux(s: &Scene, args: &[&str]) {
    let ours = s.unshare().args(args).run();
    let theirs = cmd(UL_UNSHARE).arg0("unshare").args(args).run();
    ours.check(
        ours.status.code() == theirs.status.code()
            && ours.stdout() == theirs.stdout()
            && ours.stderr() == theirs.stderr(),
        &format!(
            "util-linux says {:?}, {:?}, {:?}",
            theirs.status.code(),
            theirs.stdout(),
            theirs.stderr()
        ),
    );
}

#[test]
fn util_linux_abbreviations_keep_their_meaning() {
    let s = Scene::new();
    // --keep is --keep-caps: the capabilities go to the ambient set.
    same_as_util_linux(
        &s,
        &["-r", "--keep", "grep", "^CapAmb", "/proc/self/status"],
    );
    same_as_util_linux(
        &s,
        &["-r", "--keep-", "grep", "^CapAmb", "/proc/self/status"],
    );
    // --pi is --pid: the forked child is PID 1.
    same_as_util_linux(&s, &["-r", "--pi", "--fork", "sh", "-c", "echo $$"]);
    // --lo is --load-interp, which needs a value (util-linux 2.38 has no
    // --load-interp to compare with).
    s.unshare().arg("--lo").run().code(1).stderr_is(
        "unshare: option '--load-interp' requires an argument\n\
         Try 'unshare --help' for more information.\n",
    );
    // --h and --he are --help (but for the name of the program, the same).
    for word in ["--h", "--he"] {
        s.unshare()
            .arg(word)
            .run()
            .success()
            .stderr_is("")
            .stdout_has("Usage:\n unshare [options]");
    }
    // --p stays ambiguous among util-linux's own, as it says.
    same_as_util_linux(&s, &["--p"]);
}

/// In UTS and network namespaces of util-linux's: were `--ho=box` taken
/// for something else than --hostname without -u, no name around changes.
#[test]
fn other_abbreviations_name_our_options() {
    let s = Scene::new();
    let script = r#"
        hostname outer
        run ho "$U" --ho=box echo ran
        run loo "$U" --loo echo ran
        run pidf "$U" --pidf "$D/pid" echo ran
        run keep-p "$U" --keep-p echo ran
        run all "$U" -u -n -f --ho=box --loo --pidf "$D/pid" --keep-p hostname
        echo "around: $(hostname) $(ip link show lo | grep -o '<[^>]*>')"
    "#;
    let refused = |label: &str, message: &str| {
        format!(
            "{label}: rc=1\n{label}> unshare: {message}\n\
             {label}> Try 'unshare --help' for more information.\n"
        )
    };
    let want = [
        refused(
            "ho",
            "option --hostname requires unsharing of a UTS namespace (-u)",
        ),
        refused(
            "loo",
            "option --loopback requires unsharing of a network namespace (-n)",
        ),
        refused(
            "pidf",
            "option --pidfile requires --fork: the PID it holds is that of the forked child",
        ),
        refused("keep-p", "option --keep-pidfile requires --pidfile"),
        "all: rc=0\nall> box\naround: outer <LOOPBACK>\n".to_owned(),
    ];
    s.wrapper(&["--uts", "--net", "--propagation", "private"], script)
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&want.concat());
}

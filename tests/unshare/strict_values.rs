//! Values that util-linux takes wrongly and nsbox refuses: numbers beyond
//! their type, of which util-linux keeps the low 32 bits (so 4294967296 is
//! 0, root), negative numbers it reads as huge ones, and signal names with
//! trailing characters. Side by side with util-linux 2.38 where it has the
//! option (it parses these as 2.42 does); otherwise as 2.42's source does.

use super::*;

/// `unshare ARGS echo ran` fails with the usage error `message` and status
/// 1, having done nothing.
fn refused(s: &Scene, args: &[&str], message: &str) {
    s.unshare()
        .args(args)
        .args(["echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(&format!(
            "unshare: {message}\nTry 'unshare --help' for more information.\n"
        ));
}

/// `-S 4294967296` is uid 0 to util-linux (strtoul, then a cast to uid_t):
/// a typo that runs the program as root. Refused here.
#[test]
fn ids_beyond_32_bits() {
    let s = Scene::new();
    let range = "Numerical result out of range";
    refused(
        &s,
        &["-S", "4294967296"],
        &format!("failed to parse uid: '4294967296': {range}"),
    );
    refused(
        &s,
        &["-G", "4294967297"],
        &format!("failed to parse gid: '4294967297': {range}"),
    );
    cmd(UL_UNSHARE)
        .args(["-S", "4294967296", "-G", "4294967297"])
        .args(["sh", "-c", "id -u; id -g"])
        .run()
        .success()
        .stdout_is("0\n1\n");
}

/// `--kill-child`: util-linux reads the number of `RT1abc` up to the first
/// non-digit and keeps the low 32 bits of `RT4294967297`, both `RT1` to
/// it. Refused here.
#[test]
fn signals_with_trailing_characters_or_beyond_32_bits() {
    let s = Scene::new();
    for name in ["RT1abc", "RTMIN+1x", "RT4294967297", "SIGRTMAX-4294967296"] {
        refused(
            &s,
            &[&format!("--kill-child={name}")],
            &format!("unknown signal: {name}"),
        );
        cmd(UL_UNSHARE)
            .args([&format!("--kill-child={name}"), "echo", "ran"])
            .run()
            .success()
            .stdout_is("ran\n");
    }
}

/// `--owner` and `--map-users` ranges: util-linux 2.42 reads them with
/// sscanf's `%u`, which takes `-1` as 4294967295 (so `--owner=-1:-1` is
/// silently no owner at all) and keeps the low 32 bits of a larger number
/// (`--owner=4294967296:0` makes root the owner, `0:4294967296:1` maps
/// outer uid 0). Refused here.
#[test]
fn owner_and_ranges_beyond_32_bits() {
    let s = Scene::new();
    for owner in ["-1:-1", "4294967296:0", "0:4294967296", "+0:0", " 0:0"] {
        refused(&s, &["--owner", owner], "failed to parse owner");
    }
    for range in [
        "0:4294967296:1",
        "4294967296:0:1",
        "0:-4294967295:1",
        "0:0:-1",
    ] {
        refused(
            &s,
            &[&format!("--map-users={range}")],
            &format!("invalid mapping '{range}'"),
        );
    }
}

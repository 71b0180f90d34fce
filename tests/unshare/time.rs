//! Time namespaces: the `--monotonic` and `--boottime` offsets, as
//! timens_offsets and the uptime show them.

use super::*;

fn uptime() -> f64 {
    let text = std::fs::read_to_string("/proc/uptime").unwrap();
    text.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn offsets_are_written() {
    let s = Scene::new();
    let args = [
        "-T",
        "--monotonic",
        "1000",
        "--boottime",
        "-20",
        "cat",
        "/proc/self/timens_offsets",
    ];
    let theirs = cmd(UL_UNSHARE).args(args).run();
    theirs.success().stdout_is(&offsets(1000, -20));
    s.unshare()
        .args(args)
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&offsets(1000, -20));
    s.unshare()
        .args([
            "--time",
            "--fork",
            "--monotonic=7",
            "cat",
            "/proc/self/timens_offsets",
        ])
        .run()
        .success()
        .stdout_is(&offsets(7, 0));
    s.unshare()
        .args(["-T", "cat", "/proc/self/timens_offsets"])
        .run()
        .success()
        .stdout_is(&offsets(0, 0));
    s.unshare()
        .as_user(NOBODY)
        .args([
            "-r",
            "-T",
            "--boottime",
            "5",
            "cat",
            "/proc/self/timens_offsets",
        ])
        .run()
        .success()
        .stdout_is(&offsets(0, 5));
}

/// /proc/uptime inside is ours plus the boottime offset.
#[test]
fn boottime_moves_uptime() {
    let s = Scene::new();
    for fork in [&[][..], &["--fork"]] {
        let before = uptime();
        let out = s
            .unshare()
            .args(["-T", "--boottime", "100000"])
            .args(fork)
            .args(["cat", "/proc/uptime"])
            .run();
        let after = uptime();
        out.success();
        let inside: f64 = out
            .stdout()
            .split_whitespace()
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| out.fail("no uptime"));
        out.check(
            inside >= before + 100000.0 - 0.01 && inside <= after + 100000.0 + 0.01,
            &format!("uptime {inside} not in [{before}, {after}] + 100000"),
        );
    }
}

#[test]
fn offset_out_of_range() {
    let s = Scene::new();
    s.unshare()
        .args(["-T", "--boottime", "-100000000000", "echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_line("unshare: ")
        .stderr_has("Numerical result out of range");
}

//! Scale: `--list` is one pass over mountinfo, one pass over /proc, and a
//! read of the mountinfo of each other mount namespace, once. Shown without
//! timing, by counting its system calls and the bytes they read (strace) at
//! 10, 100 and 1000 pins and at 10, 100 and 1000 processes: both grow
//! linearly, by a bounded amount per pin or process. The scenes are in tests/nsbind/scale.sh,
//! which `make bench` can source to time the same (5000 of each).

use super::*;

/// The scenes' shell functions.
const SCALE_SH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/nsbind/scale.sh");

/// Run a scene with tests/nsbind/scale.sh's functions at hand (`$SCALE`);
/// it must succeed, silent on stderr.
fn scene(s: &Scene, script: &str) -> Output {
    let out = s.shell_pidns(script).env("SCALE", SCALE_SH).run();
    out.success().stderr_is("");
    out
}

/// The counts a scene printed, `LABEL10=CALLS BYTES` and so on for 100
/// and 1000: the system calls, and the bytes they read.
fn counts(out: &Output, label: &str) -> ([u64; 3], [u64; 3]) {
    let pairs = ["10", "100", "1000"].map(|n| {
        let text = value(out, &format!("{label}{n}"));
        let numbers: Vec<u64> = text.split(' ').filter_map(|w| w.parse().ok()).collect();
        match numbers[..] {
            [calls, bytes] => (calls, bytes),
            _ => out.fail(&format!("no counts for {label}{n}: {text:?}")),
        }
    });
    (pairs.map(|p| p.0), pairs.map(|p| p.1))
}

/// Linear growth of `counts` at 10, 100, 1000 units: the second step (900
/// more) adds ten times what the first (90 more) added, within 15 %
/// (checked when the first step is large enough to measure), and each unit
/// costs at most `slope`.
fn linear(out: &Output, what: &str, [c10, c100, c1000]: [u64; 3], slope: f64) {
    let first = c100.saturating_sub(c10) as f64;
    let second = c1000.saturating_sub(c100) as f64;
    eprintln!("{what}: {c10} {c100} {c1000} at 10, 100, 1000");
    out.check(
        second <= 900.0 * slope,
        &format!("{what}: {second} more for 900 more, over {slope} each"),
    );
    // A quadratic cost would make the second step a hundred times the first.
    if first >= 90.0 {
        let ratio = second / first;
        out.check(
            (8.5..=11.5).contains(&ratio),
            &format!("{what}: grows by {first} then {second}, not linearly ({ratio:.2})"),
        );
    }
}

/// Pins: a few namespaces bound on 10, 100, 1000 files. Apart from the
/// reads of a longer mountinfo, a pin costs no system call: at most one
/// per pin is allowed; the bytes read grow by its line of mountinfo.
#[test]
fn list_is_linear_in_pins() {
    let s = Scene::new();
    let out = scene(
        &s,
        r#"
            . "$SCALE"
            for n in 10 100 1000; do
                scale_pins "$n" "$W/pins"
                echo "pins$n=$(scale_calls "$N" --list)"
            done
            echo "listed=$("$N" --list | grep -c "$W/pins/")"
        "#,
    );
    out.check(value(&out, "listed") == "1000", "1000 pins listed");
    let (calls, bytes) = counts(&out, "pins");
    linear(&out, "pins: system calls", calls, 1.0);
    // A line of mountinfo is about 100 bytes here.
    linear(&out, "pins: bytes read", bytes, 400.0);
}

/// Processes: 10, 100, 1000 more processes with three pins bound. Each
/// costs the same few calls (its namespace links, its descriptors) and
/// bytes, so both grow in proportion: at most 30 calls a process.
#[test]
fn list_is_linear_in_processes() {
    let s = Scene::new();
    let out = scene(
        &s,
        r#"
            . "$SCALE"
            scale_pins 3 "$W/pins"
            for n in 10 100 1000; do
                scale_procs "$n"
                echo "procs$n=$(scale_calls "$N" --list)"
            done
        "#,
    );
    let (calls, bytes) = counts(&out, "procs");
    linear(&out, "processes: system calls", calls, 30.0);
    linear(&out, "processes: bytes read", bytes, 1000.0);
}

/// Each other mount namespace's mountinfo is read once, however many
/// processes share it: 50 processes in one, and three alone in theirs,
/// make four reads besides our own.
#[test]
fn each_mount_namespace_is_read_once() {
    let s = Scene::new();
    let out = scene(
        &s,
        r#"
            . "$SCALE"
            scale_pins 3 "$W/pins"
            "$UL" -m sh -c 'for i in $(seq 50); do sleep 600 & done; wait' &
            for i in 1 2 3; do "$UL" -m sleep 600 & done
            waitfor '[ "$(pgrep -c sleep)" -ge 54 ]'
            echo "calls=$(scale_calls "$N" --list)"
            echo "mountinfo=$(grep -c 'open.*/mountinfo"' "$D/t/calls")"
        "#,
    );
    out.check(value(&out, "mountinfo") == "5", "5 mountinfo reads");
}

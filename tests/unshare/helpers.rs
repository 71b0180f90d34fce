//! Helpers the unshare tests share: namespace links, /proc status fields
//! and signal masks, uid/gid maps, mountinfo propagation, time offsets, and
//! finding the program below unshare.

use crate::common::*;

/// `readlink /proc/self/ns/mnt ... /proc/self/ns/time`, in `KINDS` order.
pub fn readlink_all() -> Vec<String> {
    let mut words = vec!["readlink".to_owned()];
    words.extend(KINDS.iter().map(|k| format!("/proc/self/ns/{k}")));
    words
}

/// The kinds whose link in the output of `readlink_all` differs from ours.
pub fn new_kinds(out: &Output) -> Vec<&'static str> {
    let text = out.stdout();
    let links: Vec<&str> = text.lines().collect();
    out.check(links.len() == KINDS.len(), "expected eight namespace links");
    KINDS
        .iter()
        .zip(links)
        .filter(|(kind, link)| *link != own_ns(kind))
        .map(|(kind, _)| *kind)
        .collect()
}

/// The kinds in `KINDS` order.
pub fn in_order(kinds: &[&str]) -> Vec<&'static str> {
    KINDS
        .iter()
        .filter(|k| kinds.contains(k))
        .copied()
        .collect()
}

/// The value of `Name:` in a /proc/PID/status text.
pub fn status_field(status: &str, name: &str) -> String {
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .unwrap_or_else(|| panic!("no {name}: line in\n{status}"))
        .trim()
        .to_owned()
}

pub fn groups(status: &str) -> Vec<String> {
    status_field(status, "Groups")
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// The lines of a uid_map/gid_map text, blanks squeezed, sorted.
pub fn map_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect();
    lines.sort();
    lines
}

/// Prints uid_map, a `--` line, gid_map.
pub const SHOW_MAPS: [&str; 3] = [
    "sh",
    "-c",
    "cat /proc/self/uid_map; echo --; cat /proc/self/gid_map",
];

/// The (uid_map, gid_map) lines printed by `SHOW_MAPS`.
pub fn maps(out: &Output) -> (Vec<String>, Vec<String>) {
    let text = out.stdout();
    let Some((uid, gid)) = text.split_once("--\n") else {
        out.fail("no uid_map/gid_map separator in the output");
    };
    (map_lines(uid), map_lines(gid))
}

/// Wait for a process named `name` in `proc` or below it, blocked reading
/// its stdin (past exec and the loader's own opens), and return its pid.
/// Should `proc` end first, or time run out, fail with what is known.
pub fn find_reader(proc: &mut Proc, name: &str) -> i32 {
    let root = proc.pid();
    let deadline = std::time::Instant::now() + TIMEOUT;
    loop {
        let mut all = vec![root];
        all.extend(descendants(root));
        if let Some(pid) = all
            .iter()
            .copied()
            .find(|&p| comm(p).as_deref() == Some(name) && reading_stdin(p))
        {
            return pid;
        }
        if proc.has_exited() {
            let out = std::mem::replace(proc, cmd("true").spawn()).wait();
            out.fail(&format!("ended before {name} read its stdin"));
        }
        if std::time::Instant::now() > deadline {
            let seen: Vec<String> = all
                .iter()
                .map(|&p| format!("{p} {:?} {:?}", comm(p), state(p)))
                .collect();
            panic!("timed out waiting for {name} below {root} to read its stdin; saw {seen:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// A mask line (SigBlk, ShdPnd, SigCgt...) of /proc/PID/status.
pub fn mask(pid: i32, name: &str) -> u64 {
    u64::from_str_radix(&status_field(&proc_status(pid), name), 16).unwrap()
}

/// The optional fields (shared:N, master:N...) of the last mountinfo line
/// of `/` in this text.
pub fn root_propagation(out: &Output, line: &str) -> Vec<String> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    if fields.len() < 7 || fields[4] != "/" {
        out.fail(&format!("not a mountinfo line of /: {line:?}"));
    }
    let end = fields.iter().position(|f| *f == "-").unwrap();
    fields[6..end].iter().map(|f| (*f).to_owned()).collect()
}

/// /proc/self/timens_offsets as the kernel prints it.
pub fn offsets(monotonic: i64, boottime: i64) -> String {
    format!(
        "{:<10} {monotonic:>10} {:>9}\n{:<10} {boottime:>10} {:>9}\n",
        "monotonic", 0, "boottime", 0
    )
}

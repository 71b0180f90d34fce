//! Checks for the output of scene scripts: expected lines (with `*`
//! wildcards), `KEY=VALUE` lines, kinds, pidfd inodes.

use super::{pidfd_open, Output, KINDS};

/// Whether `text` matches `pattern`, where `*` stands for any text.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// The script succeeded, wrote nothing on stderr, and its stdout is these
/// lines (`*` in one stands for any text).
pub fn expect(out: &Output, expected: &str) {
    out.success().stderr_is("");
    let text = out.stdout();
    let got: Vec<&str> = text.lines().collect();
    let want: Vec<&str> = expected.lines().collect();
    for (i, w) in want.iter().enumerate() {
        match got.get(i) {
            Some(g) if glob(w, g) => {}
            Some(g) => out.fail(&format!(
                "stdout line {}: expected {w:?}, got {g:?}\n  expected all:\n{expected}",
                i + 1
            )),
            None => out.fail(&format!(
                "stdout ended before line {}: {w:?}\n  expected all:\n{expected}",
                i + 1
            )),
        }
    }
    if got.len() != want.len() {
        out.fail(&format!(
            "stdout has {} lines, expected {}\n  expected all:\n{expected}",
            got.len(),
            want.len()
        ));
    }
}

/// The value of the first stdout line `KEY=VALUE`.
pub fn value(out: &Output, key: &str) -> String {
    let prefix = format!("{key}=");
    out.stdout()
        .lines()
        .find_map(|l| l.strip_prefix(&prefix).map(str::to_owned))
        .unwrap_or_else(|| out.fail(&format!("no {key}= line")))
}

/// A kind different from `kind` (the prelude's `other`).
pub fn other(kind: &str) -> &'static str {
    let at = KINDS.iter().position(|k| *k == kind).unwrap();
    KINDS[(at + 1) % KINDS.len()]
}

/// The inode of a pidfd of `pid` (pidfs): what `-t PID:INODE` expects.
pub fn pidfd_inode(pid: i32) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let fd = pidfd_open(pid).unwrap_or_else(|e| panic!("pidfd_open {pid}: {e}"));
    std::fs::File::from(fd).metadata().unwrap().ino()
}

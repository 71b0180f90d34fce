//! `--list`: the namespaces bound in this mount namespace, from one pass
//! over /proc/self/mountinfo, with how many processes are in each now.

use std::collections::HashMap;
use std::fmt::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::mountinfo;
use crate::multicall::print;

/// One bound namespace.
#[derive(Debug, PartialEq, Eq)]
pub struct Bound {
    pub path: PathBuf,
    /// "uts", "net", ... (a pid_for_children bind shows as "pid").
    pub kind: String,
    /// The namespace's inode, as lsns shows it in its NS column.
    pub inode: u64,
    pub nprocs: usize,
}

/// `uts:[4026532179]`, the root field of an nsfs mount.
fn parse_root(root: &str) -> Option<(String, u64)> {
    let (kind, rest) = root.split_once(":[")?;
    let inode = rest.strip_suffix(']')?.parse().ok()?;
    Some((kind.to_owned(), inode))
}

/// Every nsfs mount, in mountinfo's order.
pub fn bound() -> Result<Vec<Bound>> {
    let mut found: Vec<Bound> = mountinfo::read()?
        .into_iter()
        .filter(|m| m.fstype == "nsfs")
        .filter_map(|m| {
            let (kind, inode) = parse_root(&m.root.to_string_lossy())?;
            Some(Bound {
                path: m.point,
                kind,
                inode,
                nprocs: 0,
            })
        })
        .collect();
    if !found.is_empty() {
        let counts = count_processes(&found);
        for b in &mut found {
            b.nprocs = counts.get(&(b.kind.clone(), b.inode)).copied().unwrap_or(0);
        }
    }
    Ok(found)
}

/// How many processes are in each of these namespaces, by one pass over
/// /proc (the processes we may look at, as for lsns).
fn count_processes(bound: &[Bound]) -> HashMap<(String, u64), usize> {
    let mut kinds: Vec<&str> = bound.iter().map(|b| b.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let mut counts = HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return counts;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        for kind in &kinds {
            let Ok(link) = std::fs::read_link(format!("/proc/{pid}/ns/{kind}")) else {
                continue;
            };
            if let Some(key) = parse_root(&link.to_string_lossy()) {
                *counts.entry(key).or_insert(0) += 1;
            }
        }
    }
    counts
}

pub fn run(json: bool) -> Result<i32> {
    let bound = bound()?;
    print(&if json {
        as_json(&bound)
    } else {
        as_table(&bound)
    })
}

fn as_table(bound: &[Bound]) -> String {
    let mut text = format!("{:>10} {:<6} {:>6} {}\n", "NS", "TYPE", "NPROCS", "PATH");
    for b in bound {
        let _ = writeln!(
            text,
            "{:>10} {:<6} {:>6} {}",
            b.inode,
            b.kind,
            b.nprocs,
            escape(b.path.as_os_str().as_bytes())
        );
    }
    text
}

/// In the shape of `lsns --json`: {"namespaces": [{...}, ...]}.
fn as_json(bound: &[Bound]) -> String {
    let mut text = String::from("{\n   \"namespaces\": [");
    for (i, b) in bound.iter().enumerate() {
        let _ = write!(
            text,
            "{}\n      {{\"ns\": {}, \"type\": {}, \"nprocs\": {}, \"path\": {}}}",
            if i == 0 { "" } else { "," },
            b.inode,
            json_string(&b.kind),
            b.nprocs,
            json_string(&json_path(&b.path))
        );
    }
    text.push_str(if bound.is_empty() {
        "]\n}\n"
    } else {
        "\n   ]\n}\n"
    });
    text
}

/// A path as JSON can carry it: the name itself when it is UTF-8 (JSON's
/// own escapes then make any character safe); otherwise the table's
/// escaped form, since a JSON string holds characters, not bytes.
fn json_path(path: &Path) -> String {
    let bytes = path.as_os_str().as_bytes();
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => escape(bytes),
    }
}

/// A name made safe for a terminal and for line-by-line reading, as lsns
/// (libsmartcols) writes it: a control character, each byte of another
/// character that does not print, and each byte that is not UTF-8 become
/// `\xHH`, and so does a backslash before `x`, so that the form can be
/// read back without doubt. Everything else stays as it is.
fn escape(name: &[u8]) -> String {
    let mut out = String::with_capacity(name.len());
    let hex = |out: &mut String, bytes: &[u8]| {
        for b in bytes {
            let _ = write!(out, "\\x{b:02x}");
        }
    };
    for chunk in name.utf8_chunks() {
        let mut chars = chunk.valid().chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\\' && chars.peek() == Some(&'x') {
                out.push_str("\\x5c");
            } else if prints(c) {
                out.push(c);
            } else {
                hex(&mut out, c.encode_utf8(&mut [0; 4]).as_bytes());
            }
        }
        hex(&mut out, chunk.invalid());
    }
    out
}

/// Whether a terminal shows `c` as a character: not a C0 or C1 control
/// or DEL, not a line or paragraph separator, not an interlinear
/// annotation control, not a noncharacter.
fn prints(c: char) -> bool {
    let u = u32::from(c);
    !(c.is_control()
        || u == 0x2028
        || u == 0x2029
        || (0xfff9..=0xfffb).contains(&u)
        || u & 0xfffe == 0xfffe
        || (0xfdd0..=0xfdef).contains(&u))
}

fn json_string(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Bound> {
        vec![
            Bound {
                path: PathBuf::from("/run/netns/blue"),
                kind: "net".into(),
                inode: 4026532301,
                nprocs: 0,
            },
            Bound {
                path: PathBuf::from("/tmp/a \"b\"\\c"),
                kind: "uts".into(),
                inode: 4026532179,
                nprocs: 2,
            },
        ]
    }

    #[test]
    fn roots_of_nsfs_mounts() {
        assert_eq!(
            parse_root("uts:[4026532179]"),
            Some(("uts".into(), 4026532179))
        );
        assert_eq!(parse_root("/"), None);
        assert_eq!(parse_root("net:[x]"), None);
    }

    #[test]
    fn table_and_json() {
        let table = as_table(&sample());
        assert_eq!(
            table,
            "        NS TYPE   NPROCS PATH\n\
             4026532301 net         0 /run/netns/blue\n\
             4026532179 uts         2 /tmp/a \"b\"\\c\n"
        );
        let json = as_json(&sample());
        assert_eq!(
            json,
            "{\n   \"namespaces\": [\n      \
             {\"ns\": 4026532301, \"type\": \"net\", \"nprocs\": 0, \"path\": \"/run/netns/blue\"},\n      \
             {\"ns\": 4026532179, \"type\": \"uts\", \"nprocs\": 2, \"path\": \"/tmp/a \\\"b\\\"\\\\c\"}\n   ]\n}\n"
        );
        assert_eq!(as_json(&[]), "{\n   \"namespaces\": []\n}\n");
    }

    #[test]
    fn escapes_as_lsns_does() {
        assert_eq!(escape(b"/run/netns/blue"), "/run/netns/blue");
        // Spaces, quotes, a lone backslash and printable UTF-8 stay.
        assert_eq!(escape("/a b\"c\\d/é€😀".as_bytes()), "/a b\"c\\d/é€😀");
        assert_eq!(
            escape(b"x\n4026531999 net 0 forged"),
            "x\\x0a4026531999 net 0 forged"
        );
        assert_eq!(escape(b"\t\r\x1b[2J\x7f"), "\\x09\\x0d\\x1b[2J\\x7f");
        // A backslash before x, and only there, so \\xHH reads back.
        assert_eq!(escape(b"a\\x41\\y\\"), "a\\x5cx41\\y\\");
        // Bytes that are not UTF-8, one by one; a truncated sequence too.
        assert_eq!(escape(b"odd\xff\xfe."), "odd\\xff\\xfe.");
        assert_eq!(escape(b"\xe2\x82"), "\\xe2\\x82");
        // Characters that do not print: every byte of each.
        assert_eq!(
            escape("\u{85}\u{2028}\u{fffe}".as_bytes()),
            "\\xc2\\x85\\xe2\\x80\\xa8\\xef\\xbf\\xbe"
        );
    }

    #[test]
    fn hostile_paths_in_table_and_json() {
        let bound = [Bound {
            path: PathBuf::from(std::ffi::OsStr::from_bytes(
                b"/t/x\n4026531999 net 0 forged\xff",
            )),
            kind: "uts".into(),
            inode: 4026532179,
            nprocs: 1,
        }];
        assert_eq!(
            as_table(&bound),
            "        NS TYPE   NPROCS PATH\n\
             4026532179 uts         1 /t/x\\x0a4026531999 net 0 forged\\xff\n"
        );
        // Not UTF-8: the escaped form, as a JSON string.
        assert!(
            as_json(&bound).contains("\"path\": \"/t/x\\\\x0a4026531999 net 0 forged\\\\xff\"}")
        );
        // UTF-8: the name itself, in JSON's escapes.
        let utf8 = [Bound {
            path: PathBuf::from("/t/x\n4\u{1b}é"),
            kind: "uts".into(),
            inode: 4026532179,
            nprocs: 1,
        }];
        assert!(as_json(&utf8).contains("\"path\": \"/t/x\\n4\\u001bé\"}"));
    }
}

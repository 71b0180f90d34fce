//! `--list`: the namespaces bound in this mount namespace, from one pass
//! over /proc/self/mountinfo, one line per pin (propagated copies count
//! once), with what else holds each (see `holders`).

use std::fmt::{Display, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::holders::{self, Holders};
use super::pins::{self, Pin};
use crate::error::Result;
use crate::mountinfo;
use crate::multicall::print;

/// One pin, with its holders.
#[derive(Debug, PartialEq, Eq)]
pub struct Listed {
    pub pin: Pin,
    pub holders: Holders,
}

/// Every pin in this mount namespace, in mountinfo's order, with its
/// holders: one pass over mountinfo, one over /proc.
pub fn listed() -> Result<Vec<Listed>> {
    let pins = pins::pins(&mountinfo::read()?);
    if pins.is_empty() {
        return Ok(Vec::new());
    }
    let wanted: Vec<_> = pins.iter().map(|p| p.ns.clone()).collect();
    let found = holders::find(&wanted, &pins);
    Ok(pins
        .into_iter()
        .zip(found)
        .map(|(pin, holders)| Listed { pin, holders })
        .collect())
}

pub fn run(json: bool) -> Result<i32> {
    let listed = listed()?;
    print(&if json {
        as_json(&listed)
    } else {
        as_table(&listed)
    })
}

/// The PATH cell: every path of the pin, escaped, apart by commas (a comma
/// in a name is escaped too, so the cell reads back without doubt).
fn path_cell(pin: &Pin) -> String {
    let mut cell = String::new();
    for (i, path) in pin.paths.iter().enumerate() {
        if i > 0 {
            cell.push(',');
        }
        cell.push_str(&escape(path.as_os_str().as_bytes()).replace(',', "\\x2c"));
    }
    cell
}

fn as_table(listed: &[Listed]) -> String {
    let cells: Vec<String> = listed.iter().map(|l| l.holders.cell()).collect();
    let width = cells.iter().map(String::len).max().unwrap_or(0).max(7);
    let mut text = String::new();
    let mut row = |ns: &dyn Display, kind: &str, holders: &str, paths: &str| {
        let _ = writeln!(text, "{ns:>10} {kind:<6} {holders:<width$} {paths}");
    };
    row(&"NS", "TYPE", "HOLDERS", "PATH");
    for (l, cell) in listed.iter().zip(&cells) {
        row(&l.pin.ns.inode, &l.pin.ns.kind, cell, &path_cell(&l.pin));
    }
    text
}

/// In the shape of `lsns --json`: {"namespaces": [{...}, ...]}.
fn as_json(listed: &[Listed]) -> String {
    let mut text = String::from("{\n   \"namespaces\": [");
    for (i, l) in listed.iter().enumerate() {
        let h = &l.holders;
        let holder = h
            .named(&json_path)
            .map_or_else(|| "null".to_owned(), |n| json_string(&n));
        let mut paths = String::new();
        for (i, path) in l.pin.paths.iter().enumerate() {
            if i > 0 {
                paths.push_str(", ");
            }
            paths.push_str(&json_string(&json_path(path)));
        }
        let first = json_string(&json_path(&l.pin.paths[0]));
        let _ = write!(
            text,
            "{}\n      {{\"ns\": {}, \"type\": {}, \"nprocs\": {}, \"nfds\": {}, \"nmounts\": {}, \
             \"holder\": {holder}, \"path\": {first}, \"paths\": [{paths}]}}",
            if i == 0 { "" } else { "," },
            l.pin.ns.inode,
            json_string(&l.pin.ns.kind),
            h.procs,
            h.fds,
            h.mounts,
        );
    }
    text.push_str(if listed.is_empty() {
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
    use crate::applets::nsbind::holders::Process;
    use crate::applets::nsbind::pins::NsKey;
    use std::path::PathBuf;

    fn pin(kind: &str, inode: u64, paths: &[&[u8]]) -> Pin {
        Pin {
            ns: NsKey {
                kind: kind.into(),
                inode,
            },
            paths: paths
                .iter()
                .map(|p| PathBuf::from(std::ffi::OsStr::from_bytes(p)))
                .collect(),
        }
    }

    /// No such process: its name reads as `?`.
    const GONE: u32 = u32::MAX;

    fn sample() -> Vec<Listed> {
        vec![
            Listed {
                pin: pin("net", 4026532301, &[b"/run/netns/blue"]),
                holders: Holders::default(),
            },
            Listed {
                pin: pin("uts", 4026532179, &[b"/tmp/a \"b\"\\c", b"/mnt/a,b"]),
                holders: Holders {
                    procs: 2,
                    fds: 1,
                    mounts: 1,
                    process: Some(Process(GONE)),
                    ..Holders::default()
                },
            },
        ]
    }

    #[test]
    fn table_and_json() {
        let table = as_table(&sample());
        assert_eq!(
            table,
            "        NS TYPE   HOLDERS        PATH\n\
             4026532301 net    -              /run/netns/blue\n\
             4026532179 uts    2proc,1fd,1mnt /tmp/a \"b\"\\c,/mnt/a\\x2cb\n"
        );
        let json = as_json(&sample());
        assert_eq!(
            json,
            "{\n   \"namespaces\": [\n      \
             {\"ns\": 4026532301, \"type\": \"net\", \"nprocs\": 0, \"nfds\": 0, \"nmounts\": 0, \
             \"holder\": null, \"path\": \"/run/netns/blue\", \"paths\": [\"/run/netns/blue\"]},\n      \
             {\"ns\": 4026532179, \"type\": \"uts\", \"nprocs\": 2, \"nfds\": 1, \"nmounts\": 1, \
             \"holder\": \"process 4294967295 (?)\", \"path\": \"/tmp/a \\\"b\\\"\\\\c\", \
             \"paths\": [\"/tmp/a \\\"b\\\"\\\\c\", \"/mnt/a,b\"]}\n   ]\n}\n"
        );
        assert_eq!(as_json(&[]), "{\n   \"namespaces\": []\n}\n");
        assert_eq!(as_table(&[]), "        NS TYPE   HOLDERS PATH\n");
    }

    #[test]
    fn holders_named() {
        let mut h = Holders {
            mounts: 1,
            mount: Some((PathBuf::from("/run/x"), Process(GONE))),
            ..Holders::default()
        };
        let show = |p: &Path| p.display().to_string();
        assert_eq!(
            h.named(&show).unwrap(),
            "a bind mount at /run/x in the mount namespace of process 4294967295 (?)"
        );
        h.fd = Some((Process(GONE), 7));
        assert_eq!(h.named(&show).unwrap(), "fd 7 of process 4294967295 (?)");
        h.process = Some(Process(GONE));
        assert_eq!(h.named(&show).unwrap(), "process 4294967295 (?)");
        assert_eq!(Holders::default().named(&show), None);
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
        let listed = [Listed {
            pin: pin("uts", 4026532179, &[b"/t/x\n4026531999 net - forged\xff"]),
            holders: Holders {
                procs: 1,
                ..Holders::default()
            },
        }];
        assert_eq!(
            as_table(&listed),
            "        NS TYPE   HOLDERS PATH\n\
             4026532179 uts    1proc   /t/x\\x0a4026531999 net - forged\\xff\n"
        );
        // Not UTF-8: the escaped form, as a JSON string.
        assert!(as_json(&listed)
            .contains("\"path\": \"/t/x\\\\x0a4026531999 net - forged\\\\xff\", \"paths\""));
        // UTF-8: the name itself, in JSON's escapes.
        let utf8 = [Listed {
            pin: pin("uts", 4026532179, &["/t/x\n4\u{1b}é".as_bytes()]),
            holders: Holders::default(),
        }];
        assert!(as_json(&utf8).contains("\"paths\": [\"/t/x\\n4\\u001bé\"]}"));
    }
}

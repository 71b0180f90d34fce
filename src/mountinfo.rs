//! /proc/self/mountinfo, read in one pass: which mount holds a file, and how
//! it propagates.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

use crate::error::{Context, Result};

/// One line of mountinfo (the fields nsbox needs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    pub id: u64,
    /// The mount this one is attached to (itself for the root).
    pub parent: u64,
    /// The path inside its file system that is mounted (`/` for a whole one,
    /// `uts:[4026532...]` for a namespace file).
    pub root: PathBuf,
    /// Where it is mounted, as this process sees it.
    pub point: PathBuf,
    /// Optional fields: `shared:N`, `master:N`, `propagate_from:N`, `unbindable`.
    pub tags: Vec<String>,
    pub fstype: String,
}

impl Mount {
    /// Whether mounts made under it are copied to peers (`shared:N`).
    pub fn is_shared(&self) -> bool {
        self.tags.iter().any(|t| t.starts_with("shared:"))
    }

    /// Whether it takes part in propagation at all: shared, or a slave
    /// (`master:N`), or both.
    pub fn propagates(&self) -> bool {
        self.propagation_groups().next().is_some()
    }

    /// The peer groups it propagates with: its own (`shared:N`) and the one
    /// it receives from (`master:N`). Mounts made under it are copied to,
    /// or from, the other mounts of these groups.
    pub fn propagation_groups(&self) -> impl Iterator<Item = u64> + '_ {
        self.tags.iter().filter_map(|t| {
            let n = t
                .strip_prefix("shared:")
                .or_else(|| t.strip_prefix("master:"))?;
            n.parse().ok()
        })
    }
}

/// mountinfo escapes space, tab, newline and backslash as `\ooo`; every
/// other byte of a path is given as it is, UTF-8 or not.
fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        let octal = field
            .get(i + 1..i + 4)
            .filter(|d| field[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match octal {
            Some(d) => {
                out.push((d[0] - b'0') << 6 | (d[1] - b'0') << 3 | (d[2] - b'0'));
                i += 4;
            }
            None => {
                out.push(field[i]);
                i += 1;
            }
        }
    }
    out
}

fn path(field: &[u8]) -> PathBuf {
    PathBuf::from(OsString::from_vec(unescape(field)))
}

/// Tags and file system types are the kernel's own words (a FUSE subtype
/// excepted, which is the mounter's choice): text, lossily if need be.
fn text(field: &[u8]) -> String {
    String::from_utf8_lossy(&unescape(field)).into_owned()
}

/// Parse one line (without its newline); None for anything malformed.
pub fn parse_line(line: &[u8]) -> Option<Mount> {
    let mut fields = line.split(|&b| b == b' ');
    let id = std::str::from_utf8(fields.next()?).ok()?.parse().ok()?;
    let parent = std::str::from_utf8(fields.next()?).ok()?.parse().ok()?;
    let _device = fields.next()?;
    let root = path(fields.next()?);
    let point = path(fields.next()?);
    let _options = fields.next()?;
    let mut tags = Vec::new();
    for field in fields.by_ref() {
        if field == b"-" {
            break;
        }
        tags.push(text(field));
    }
    let fstype = text(fields.next()?);
    Some(Mount {
        id,
        parent,
        root,
        point,
        tags,
        fstype,
    })
}

/// Every mount in a mountinfo text, in its order.
fn parse(data: &[u8]) -> Vec<Mount> {
    data.split(|&b| b == b'\n').filter_map(parse_line).collect()
}

/// Every mount this process sees, in mountinfo's order. Read as bytes: a
/// mount point may be any name a directory can have, not only UTF-8.
pub fn read() -> Result<Vec<Mount>> {
    read_file("/proc/self/mountinfo")
}

/// The mounts of another mount namespace, from `/proc/PID/mountinfo` of a
/// process in it.
pub fn read_file(path: &str) -> Result<Vec<Mount>> {
    use std::io::Read;
    // /proc gives no size in advance: room for a few hundred mounts at once
    // saves a dozen small reads.
    let mut data = Vec::with_capacity(64 * 1024);
    // (Through `take`, which spares the size query of File's own read_to_end.)
    std::fs::File::open(path)
        .and_then(|file| file.take(u64::MAX).read_to_end(&mut data))
        .context(|| format!("cannot read {path}"))?;
    Ok(parse(&data))
}

/// The mount with this id (from statx STATX_MNT_ID).
pub fn by_id(id: u64) -> Result<Option<Mount>> {
    Ok(read()?.into_iter().find(|m| m.id == id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn parses_tags_and_escapes() {
        let line =
            b"36 35 98:0 /mnt1 /mnt\\040two rw,noatime master:1 shared:7 - ext3 /dev/root rw";
        let m = parse_line(line).unwrap();
        assert_eq!(m.id, 36);
        assert_eq!(m.parent, 35);
        assert_eq!(m.root, PathBuf::from("/mnt1"));
        assert_eq!(m.point, PathBuf::from("/mnt two"));
        assert_eq!(m.tags, ["master:1", "shared:7"]);
        assert_eq!(m.fstype, "ext3");
        assert!(m.is_shared() && m.propagates());
        assert_eq!(m.propagation_groups().collect::<Vec<_>>(), [1, 7]);
        let private = parse_line(b"40 1 0:4 uts:[4026532] /tmp/u rw - nsfs nsfs rw").unwrap();
        assert!(private.tags.is_empty() && !private.is_shared() && !private.propagates());
        let slave = parse_line(b"41 1 0:4 / /s rw master:3 unbindable - tmpfs t rw").unwrap();
        assert!(!slave.is_shared() && slave.propagates());
        assert_eq!(slave.propagation_groups().collect::<Vec<_>>(), [3]);
        assert_eq!(private.fstype, "nsfs");
        assert_eq!(parse_line(b"garbage"), None);
        assert_eq!(parse_line(b""), None);
    }

    /// Bytes that are not UTF-8 come through as they are, next to the
    /// kernel's escapes (newline, tab, backslash, space), and a mount with
    /// such a name spoils neither its own line nor the others.
    #[test]
    fn paths_are_bytes() {
        let data = b"1 0 8:1 / / rw shared:1 - ext4 /dev/sda1 rw\n\
            41 1 0:50 / /tmp/odd\xff rw - tmpfs x rw\n\
            42 1 0:4 net:[4026532301] /tmp/a\\012b\\011c\\134d\\040\xc3\x28 rw - nsfs nsfs rw\n\
            43 1 0:51 /sub\\134 /\xfe\\134\\0 rw shared:9 - tmpfs y rw\n";
        let mounts = parse(data);
        let points: Vec<&[u8]> = mounts
            .iter()
            .map(|m| m.point.as_os_str().as_bytes())
            .collect();
        assert_eq!(
            points,
            [
                &b"/"[..],
                b"/tmp/odd\xff",
                b"/tmp/a\nb\tc\\d \xc3\x28",
                // A backslash with fewer than three octal digits is itself.
                b"/\xfe\\\\0",
            ]
        );
        assert_eq!(mounts[1].fstype, "tmpfs");
        assert_eq!(mounts[2].root, PathBuf::from("net:[4026532301]"));
        assert_eq!(mounts[3].root, PathBuf::from("/sub\\"));
        assert_eq!(mounts[3].tags, ["shared:9"]);
        assert_eq!(
            mounts.iter().map(|m| m.id).collect::<Vec<_>>(),
            [1, 41, 42, 43]
        );
    }

    #[test]
    fn our_own_root_is_there() {
        let mounts = read().unwrap();
        assert!(mounts.iter().any(|m| m.point == std::path::Path::new("/")));
    }
}

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
}

/// mountinfo escapes space, tab, newline and backslash as `\ooo`.
fn unescape(field: &str) -> PathBuf {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| bytes[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match octal {
            Some(d) => {
                out.push((d[0] - b'0') << 6 | (d[1] - b'0') << 3 | (d[2] - b'0'));
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    PathBuf::from(OsString::from_vec(out))
}

/// Parse one line; None for anything malformed.
pub fn parse_line(line: &str) -> Option<Mount> {
    let mut fields = line.split(' ');
    let id = fields.next()?.parse().ok()?;
    let _parent = fields.next()?;
    let _device = fields.next()?;
    let root = unescape(fields.next()?);
    let point = unescape(fields.next()?);
    let _options = fields.next()?;
    let mut tags = Vec::new();
    for field in fields.by_ref() {
        if field == "-" {
            break;
        }
        tags.push(field.to_owned());
    }
    let fstype = fields.next()?.to_owned();
    Some(Mount {
        id,
        root,
        point,
        tags,
        fstype,
    })
}

/// Every mount this process sees, in mountinfo's order.
pub fn read() -> Result<Vec<Mount>> {
    let path = "/proc/self/mountinfo";
    let text = std::fs::read_to_string(path).context(|| format!("cannot read {path}"))?;
    Ok(text.lines().filter_map(parse_line).collect())
}

/// The mount with this id (from statx STATX_MNT_ID).
pub fn by_id(id: u64) -> Result<Option<Mount>> {
    Ok(read()?.into_iter().find(|m| m.id == id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tags_and_escapes() {
        let line = "36 35 98:0 /mnt1 /mnt\\040two rw,noatime master:1 shared:7 - ext3 /dev/root rw";
        let m = parse_line(line).unwrap();
        assert_eq!(m.id, 36);
        assert_eq!(m.root, PathBuf::from("/mnt1"));
        assert_eq!(m.point, PathBuf::from("/mnt two"));
        assert_eq!(m.tags, ["master:1", "shared:7"]);
        assert_eq!(m.fstype, "ext3");
        assert!(m.is_shared());
        let private = parse_line("40 1 0:4 uts:[4026532] /tmp/u rw - nsfs nsfs rw").unwrap();
        assert!(private.tags.is_empty() && !private.is_shared());
        assert_eq!(private.fstype, "nsfs");
        assert_eq!(parse_line("garbage"), None);
    }

    #[test]
    fn our_own_root_is_there() {
        let mounts = read().unwrap();
        assert!(mounts.iter().any(|m| m.point == std::path::Path::new("/")));
    }
}

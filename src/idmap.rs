//! uid and gid maps: parsing util-linux's map syntaxes, the subordinate id
//! files, carving a single mapped id out of ranges, and writing a map
//! directly or through newuidmap/newgidmap.

use std::ffi::CString;

use crate::error::{Context, Error, Result};
use crate::userdb;

/// Users or groups: which files and helpers belong to each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    User,
    Group,
}

impl IdKind {
    /// "uid_map" or "gid_map", under /proc/PID/.
    pub fn map_file(self) -> &'static str {
        match self {
            IdKind::User => "uid_map",
            IdKind::Group => "gid_map",
        }
    }

    /// /etc/subuid or /etc/subgid.
    pub fn subid_file(self) -> &'static str {
        match self {
            IdKind::User => "/etc/subuid",
            IdKind::Group => "/etc/subgid",
        }
    }

    /// The set-uid helper that writes maps for unprivileged users.
    pub fn helper(self) -> &'static str {
        match self {
            IdKind::User => "newuidmap",
            IdKind::Group => "newgidmap",
        }
    }
}

/// `count` ids from `outer` (seen from outside) appear as `inner` inside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapRange {
    pub inner: u32,
    pub outer: u32,
    pub count: u32,
}

/// A strict decimal u32: no sign, no spaces (sscanf would take "-1").
fn decimal(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `INNER:OUTER:COUNT`, as newuidmap orders them, or util-linux's legacy
/// `OUTER,INNER,COUNT`. Anything else is a usage error.
pub fn parse_range(text: &str) -> Result<MapRange> {
    let invalid = || Error::usage(format!("invalid mapping '{text}'"));
    let (sep, inner_first) = if text.contains(':') {
        (':', true)
    } else {
        (',', false)
    };
    let fields: Vec<u32> = text
        .split(sep)
        .map(decimal)
        .collect::<Option<_>>()
        .ok_or_else(invalid)?;
    let [a, b, count] = fields[..] else {
        return Err(invalid());
    };
    let (inner, outer) = if inner_first { (a, b) } else { (b, a) };
    if count == 0 || u64::from(inner) + u64::from(count) > 1 << 32 {
        return Err(invalid());
    }
    if u64::from(outer) + u64::from(count) > 1 << 32 {
        return Err(invalid());
    }
    Ok(MapRange {
        inner,
        outer,
        count,
    })
}

/// The first range of /etc/subuid (or subgid) that belongs to `uid`, by
/// name or by number. `identity` maps it onto itself (`subids`); otherwise
/// it is placed from 0 inside (`auto`).
pub fn subid_range(kind: IdKind, uid: u32, identity: bool) -> Result<Request> {
    let file = kind.subid_file();
    let name = userdb::user_name(uid)?;
    let text = std::fs::read_to_string(file).context(|| format!("could not open '{file}'"))?;
    let who = name.clone().unwrap_or_else(|| uid.to_string());
    let bad = || Error::msg(format!("failed to parse subid map in {file}"));
    for line in text.lines() {
        let mut fields = line.splitn(3, ':');
        let (Some(owner), Some(start), Some(count)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let mine = name.as_deref() == Some(owner) || decimal(owner) == Some(uid);
        if !mine {
            continue;
        }
        let outer = decimal(start.trim()).ok_or_else(bad)?;
        let count = decimal(count.trim()).ok_or_else(bad)?;
        return Ok(if identity {
            Request::Fixed(MapRange {
                inner: outer,
                outer,
                count,
            })
        } else {
            Request::FromZero { outer, count }
        });
    }
    Err(Error::msg(format!(
        "no line matching user \"{who}\" in {file}"
    )))
}

/// Every id of our own user namespace, mapped to itself (`all`).
pub fn all_own_ids(kind: IdKind) -> Result<Vec<Request>> {
    let path = format!("/proc/self/{}", kind.map_file());
    let text = std::fs::read_to_string(&path).context(|| format!("could not open '{path}'"))?;
    Ok(parse_map_file(&text)
        .into_iter()
        .map(|r| {
            Request::Fixed(MapRange {
                inner: r.inner,
                outer: r.inner,
                count: r.count,
            })
        })
        .collect())
}

/// The lines of a /proc/PID/uid_map: "inner outer count".
pub fn parse_map_file(text: &str) -> Vec<MapRange> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace().map(decimal);
            Some(MapRange {
                inner: words.next()??,
                outer: words.next()??,
                count: words.next()??,
            })
        })
        .collect()
}

/// A range as the command line asks for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// Exactly these ids (`INNER:OUTER:COUNT`, `subids`, `all`).
    Fixed(MapRange),
    /// These outer ids, placed inside from 0 upwards (`auto`): around a
    /// single mapped id, without losing any of them.
    FromZero { outer: u32, count: u32 },
}

/// The final ranges: the requests, plus the single mapping `inner` ->
/// `outer` when there is one. No id may be mapped twice (the kernel refuses
/// overlaps), so that inner and that outer id are taken out of every range:
/// the ids left keep their order and pair up as before, each side skipping
/// its hole, and a range may split in up to three. A fixed range that
/// contained either id loses one; a `FromZero` range only moves up inside
/// (util-linux 2.42's rules).
pub fn resolve(requests: &[Request], single: Option<(u32, u32)>) -> Vec<MapRange> {
    let mut out: Vec<MapRange> = single
        .map(|(inner, outer)| MapRange {
            inner,
            outer,
            count: 1,
        })
        .into_iter()
        .collect();
    for request in requests {
        let (inner_start, outer, count, floating) = match *request {
            Request::Fixed(r) => (r.inner, r.outer, r.count, false),
            Request::FromZero { outer, count } => (0, outer, count, true),
        };
        let Some((inner, single_outer)) = single else {
            out.push(MapRange {
                inner: inner_start,
                outer,
                count,
            });
            continue;
        };
        let hole = |start: u32, id: u32| -> Option<u64> {
            let offset = u64::from(id).checked_sub(u64::from(start))?;
            (offset < u64::from(count)).then_some(offset)
        };
        let outer_hole = hole(outer, single_outer);
        // A floating range skips the single inner id wherever it falls.
        let inner_hole = if floating {
            Some(u64::from(inner))
        } else {
            hole(inner_start, inner)
        };
        let lost = outer_hole.is_some() || (!floating && inner_hole.is_some());
        let left = u64::from(count) - u64::from(lost);
        // The k-th id left on one side: start + k, plus one past its hole.
        let nth = |start: u32, hole: Option<u64>, k: u64| -> u64 {
            u64::from(start) + k + u64::from(hole.is_some_and(|h| k >= h))
        };
        // At most four cuts, kept sorted and unique as they go in (no sort
        // routine for so few).
        let mut cuts: Vec<u64> = Vec::with_capacity(4);
        for cut in [Some(0), Some(left), inner_hole, outer_hole] {
            if let Some(at) = cut.filter(|&c| c <= left) {
                if let Err(place) = cuts.binary_search(&at) {
                    cuts.insert(place, at);
                }
            }
        }
        for pair in cuts.windows(2) {
            let (from, to) = (pair[0], pair[1]);
            if to > from {
                out.push(MapRange {
                    inner: nth(inner_start, inner_hole, from) as u32,
                    outer: nth(outer, outer_hole, from) as u32,
                    count: (to - from) as u32,
                });
            }
        }
    }
    out
}

/// The text the kernel expects in uid_map or gid_map: one line a range.
pub fn render(ranges: &[MapRange]) -> String {
    ranges
        .iter()
        .map(|r| format!("{} {} {}\n", r.inner, r.outer, r.count))
        .collect()
}

/// Write a whole map at once, as the kernel requires (one write only).
pub fn write_map(path: &str, ranges: &[MapRange]) -> Result<()> {
    let text = render(ranges);
    // The kernel takes at most one page and reads it in a single write.
    if text.len() > 4096 {
        return Err(Error::msg(format!("{path} too large for kernel 4k limit")));
    }
    write_proc_file(path, text.as_bytes(), "failed to write")
}

/// Open a /proc control file and write `data` in one call.
pub fn write_proc_file(path: &str, data: &[u8], failed: &str) -> Result<()> {
    write_proc_file_saying(path, data, "cannot open", failed)
}

/// The same, with util-linux's words for each failure: "OPEN_FAILED PATH"
/// and "WRITE_FAILED PATH". A missing file is ENOENT from the open.
pub fn write_proc_file_saying(
    path: &str,
    data: &[u8],
    open_failed: &str,
    write_failed: &str,
) -> Result<()> {
    use nix::fcntl::OFlag;
    let fd = crate::sys::open(
        path,
        OFlag::O_WRONLY | OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    )
    .context(|| format!("{open_failed} {path}"))?;
    // These files take one write of the whole text, or refuse it.
    match nix::unistd::write(&fd, data) {
        Ok(n) if n == data.len() => Ok(()),
        Ok(_) => Err(nix::errno::Errno::EIO),
        Err(errno) => Err(errno),
    }
    .context(|| format!("{write_failed} {path}"))
}

/// The argument vector of newuidmap/newgidmap for `pid`.
pub fn helper_argv(kind: IdKind, pid: libc::pid_t, ranges: &[MapRange]) -> Vec<CString> {
    let mut words = vec![kind.helper().to_owned(), pid.to_string()];
    for r in ranges {
        words.extend([r.inner, r.outer, r.count].map(|n| n.to_string()));
    }
    words
        .into_iter()
        .map(|w| CString::new(w).expect("digits and names have no NUL"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(inner: u32, outer: u32, count: u32) -> MapRange {
        MapRange {
            inner,
            outer,
            count,
        }
    }

    #[test]
    fn both_syntaxes() {
        assert_eq!(
            parse_range("0:100000:65536").unwrap(),
            range(0, 100000, 65536)
        );
        assert_eq!(
            parse_range("100000,0,65536").unwrap(),
            range(0, 100000, 65536)
        );
        for bad in [
            "1,2",
            "1:2",
            "a:b:c",
            "-1:0:1",
            " 1:2:3",
            "1:2:3:4",
            "1:2:0",
            "1,2:3",
            "4294967295:0:2",
            "",
        ] {
            assert_eq!(
                parse_range(bad).unwrap_err().to_string(),
                format!("invalid mapping '{bad}'")
            );
        }
        assert_eq!(
            parse_range("4294967295:0:1").unwrap(),
            range(u32::MAX, 0, 1)
        );
    }

    fn fixed(inner: u32, outer: u32, count: u32) -> Request {
        Request::Fixed(range(inner, outer, count))
    }

    #[test]
    fn auto_range_moves_up_around_the_single_id() {
        // --map-auto -r for uid 1000 owning 100000:65536: util-linux 2.42
        // keeps all 65536 subordinate ids, from 1 up.
        let auto = Request::FromZero {
            outer: 100000,
            count: 65536,
        };
        let got = resolve(&[auto], Some((0, 1000)));
        assert_eq!(got, [range(0, 1000, 1), range(1, 100000, 65536)]);
        // The single id in the middle: the range flows around it.
        let got = resolve(&[auto], Some((10, 1000)));
        assert_eq!(
            got,
            [
                range(10, 1000, 1),
                range(0, 100000, 10),
                range(11, 100010, 65526)
            ]
        );
        assert_eq!(resolve(&[auto], None), [range(0, 100000, 65536)]);
    }

    #[test]
    fn fixed_range_loses_the_id_it_contained() {
        let got = resolve(&[fixed(0, 100000, 65536)], Some((0, 1000)));
        assert_eq!(got, [range(0, 1000, 1), range(1, 100000, 65535)]);
    }

    #[test]
    fn holes_on_both_sides_split_a_range() {
        // Identity 0..10, single 3 -> 7: inner 3 and outer 7 leave the range.
        let got = resolve(&[fixed(0, 0, 10)], Some((3, 7)));
        assert_eq!(
            got,
            [
                range(3, 7, 1),
                range(0, 0, 3),
                range(4, 3, 4),
                range(8, 8, 2)
            ]
        );
        assert_no_overlap(&got);
        assert_eq!(got.iter().map(|r| r.count).sum::<u32>(), 10);
    }

    #[test]
    fn a_range_not_touched_stays_whole() {
        let got = resolve(&[fixed(1, 100000, 5)], Some((0, 1000)));
        assert_eq!(got, [range(0, 1000, 1), range(1, 100000, 5)]);
        let got = resolve(&[fixed(0, 0, u32::MAX)], Some((0, 0)));
        assert_eq!(got, [range(0, 0, 1), range(1, 1, u32::MAX - 1)]);
        assert_eq!(resolve(&[fixed(5, 6, 7)], None), [range(5, 6, 7)]);
    }

    fn assert_no_overlap(ranges: &[MapRange]) {
        for (i, a) in ranges.iter().enumerate() {
            for b in &ranges[i + 1..] {
                let overlap = |x: u32, xn: u32, y: u32, yn: u32| {
                    u64::from(x) < u64::from(y) + u64::from(yn)
                        && u64::from(y) < u64::from(x) + u64::from(xn)
                };
                assert!(!overlap(a.inner, a.count, b.inner, b.count), "{a:?} {b:?}");
                assert!(!overlap(a.outer, a.count, b.outer, b.count), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn map_file_round_trip() {
        let ranges = [range(0, 1000, 1), range(1, 100000, 65536)];
        let text = render(&ranges);
        assert_eq!(text, "0 1000 1\n1 100000 65536\n");
        assert_eq!(
            parse_map_file("         0          0 4294967295\n"),
            [range(0, 0, u32::MAX)]
        );
        assert_eq!(parse_map_file(&text), ranges);
    }

    #[test]
    fn helper_arguments() {
        let argv = helper_argv(IdKind::Group, 42, &[range(0, 100, 2)]);
        let words: Vec<_> = argv.iter().map(|c| c.to_str().unwrap()).collect();
        assert_eq!(words, ["newgidmap", "42", "0", "100", "2"]);
    }
}

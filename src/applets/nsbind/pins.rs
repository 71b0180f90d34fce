//! Namespace bind mounts grouped into pins: the copies that mount
//! propagation made of one bind (under a shared /run, or in the /run/netns
//! that `ip netns` makes a shared mount of itself) are one pin, seen in
//! several places.
//!
//! The rule is the kernel's own for where copies go. A mount made on a
//! shared mount is copied onto every mount that receives propagation from
//! it (its peers, `shared:N`, and their slaves, `master:N`), at the same
//! place in the file system. So two namespace mounts are one pin when they
//! hold the same namespace, sit at the same path inside the file system of
//! their parent mounts, and their parent mounts propagate to one another:
//! they share a peer group, or one's is the other's master, directly or
//! through further copies. A bind of the same namespace made by hand at
//! another place, or onto a mount that does not propagate, is a pin of its
//! own; so is each of several mounts stacked on one file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::mountinfo::Mount;

/// A namespace as the namespace file system names it: `uts:[4026532179]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NsKey {
    /// "uts", "net", ... (a pid_for_children bind shows as "pid").
    pub kind: String,
    /// The inode, as lsns shows it in its NS column.
    pub inode: u64,
}

/// `uts:[4026532179]`: the root field of an nsfs mount, and what readlink
/// gives for /proc/PID/ns/uts or a descriptor opened there.
pub fn parse_ns(text: &str) -> Option<NsKey> {
    let (kind, rest) = text.split_once(":[")?;
    let inode = rest.strip_suffix(']')?.parse().ok()?;
    Some(NsKey {
        kind: kind.to_owned(),
        inode,
    })
}

/// Each namespace among `keys` once, by its inode (which the namespace
/// file system gives to one namespace alone): where it is first.
pub fn first_of(keys: &[NsKey]) -> HashMap<u64, usize> {
    let mut first = HashMap::new();
    for (i, key) in keys.iter().enumerate() {
        first.entry(key.inode).or_insert(i);
    }
    first
}

/// One namespace bind mount, with the copies propagation made of it.
#[derive(Debug, PartialEq, Eq)]
pub struct Pin {
    pub ns: NsKey,
    /// Where it appears, in mountinfo's order, each path once.
    pub paths: Vec<PathBuf>,
}

/// The pins among `mounts` (one mountinfo), in the order of their first
/// mount. Linear: each mount is looked up by hash, never compared with the
/// others one by one.
pub fn pins(mounts: &[Mount]) -> Vec<Pin> {
    let by_id: HashMap<u64, usize> = mounts.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
    let nsfs: Vec<(&Mount, NsKey)> = mounts
        .iter()
        .filter(|m| m.fstype == "nsfs")
        .filter_map(|m| Some((m, parse_ns(&m.root.to_string_lossy())?)))
        .collect();
    let mut sets = Sets::new(nsfs.len());
    // The first mount seen of a namespace at a place of a peer group.
    let mut first: HashMap<Spot, usize> = HashMap::new();
    for (i, (mount, ns)) in nsfs.iter().enumerate() {
        let Some(parent) = by_id
            .get(&mount.parent)
            .map(|&at| &mounts[at])
            .filter(|p| p.id != mount.id)
        else {
            continue;
        };
        let Some(place) = place_in(parent, &mount.point) else {
            continue;
        };
        for group in parent.propagation_groups() {
            let earlier = *first.entry((ns, place.clone(), group)).or_insert(i);
            if earlier != i {
                sets.join(earlier, i);
            }
        }
    }
    let mut pins: Vec<Pin> = Vec::new();
    // The pin of each set, at the index of the mount that leads it.
    let mut pin_of: Vec<Option<usize>> = vec![None; nsfs.len()];
    // The first mount seen of a pin at a path.
    let mut listed: HashMap<Spot, usize> = HashMap::new();
    for (i, (mount, ns)) in nsfs.iter().enumerate() {
        let at = *pin_of[sets.find(i)].get_or_insert_with(|| {
            pins.push(Pin {
                ns: ns.clone(),
                paths: Vec::new(),
            });
            pins.len() - 1
        });
        let spot = (ns, mount.point.clone(), at as u64);
        if *listed.entry(spot).or_insert(i) == i {
            pins[at].paths.push(mount.point.clone());
        }
    }
    pins
}

/// A namespace at a path, in a group of mounts: the peer group that
/// propagates to a place, or the pin that is seen at a mount point.
type Spot<'a> = (&'a NsKey, PathBuf, u64);

/// Where a mount at `point` sits in the file system of its parent mount:
/// the parent's root joined with the rest of the path below the parent's
/// mount point.
fn place_in(parent: &Mount, point: &Path) -> Option<PathBuf> {
    let below = point.strip_prefix(&parent.point).ok()?;
    Some(if below.as_os_str().is_empty() {
        parent.root.clone()
    } else {
        parent.root.join(below)
    })
}

/// Disjoint sets of indices (union-find, by path halving).
struct Sets(Vec<usize>);

impl Sets {
    fn new(n: usize) -> Sets {
        Sets((0..n).collect())
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }

    /// Join the sets of `a` and `b`; the lower index leads, so that a pin
    /// keeps the place of its first mount.
    fn join(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        let (low, high) = (a.min(b), a.max(b));
        self.0[high] = low;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mountinfo::parse_line;

    fn listed(mountinfo: &str) -> Vec<(String, Vec<String>)> {
        let mounts: Vec<Mount> = mountinfo
            .lines()
            .map(|l| parse_line(l.trim().as_bytes()).unwrap())
            .collect();
        pins(&mounts)
            .into_iter()
            .map(|p| {
                (
                    format!("{}:{}", p.ns.kind, p.ns.inode),
                    p.paths.iter().map(|x| x.display().to_string()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn namespaces_by_name() {
        let key = parse_ns("uts:[4026532179]").unwrap();
        assert_eq!((key.kind.as_str(), key.inode), ("uts", 4026532179));
        assert_eq!(parse_ns("/"), None);
        assert_eq!(parse_ns("net:[x]"), None);
        assert_eq!(parse_ns("socket:[12]").unwrap().kind, "socket");
    }

    /// `ip netns` under a shared /run, as mountinfo shows it: the bind of
    /// /run/netns onto itself joins /run's peer group, so a namespace bound
    /// in it is copied onto /run too, at the same place of the tmpfs.
    #[test]
    fn ip_netns_under_a_shared_run() {
        let text = "1 0 8:1 / / rw shared:1 - ext4 /dev/sda rw
            68 1 0:41 / /run rw shared:2 - tmpfs r rw
            69 68 0:41 /netns /run/netns rw shared:2 - tmpfs r rw
            70 69 0:4 net:[4026531833] /run/netns/x rw shared:3 - nsfs nsfs rw
            71 68 0:4 net:[4026531833] /run/netns/x rw shared:3 - nsfs nsfs rw";
        assert_eq!(
            listed(text),
            [("net:4026531833".into(), vec!["/run/netns/x".into()])]
        );
    }

    /// Peers and slaves at other paths: one pin, every path once, in
    /// mountinfo's order, whichever copy comes first.
    #[test]
    fn copies_in_peers_and_slaves() {
        let text = "1 0 8:1 / / rw - ext4 /dev/sda rw
            20 1 0:50 / /a rw shared:7 - tmpfs t rw
            21 1 0:50 / /b rw shared:7 - tmpfs t rw
            22 1 0:50 / /c rw master:7 - tmpfs t rw
            23 1 0:50 /sub /d rw shared:9 master:7 - tmpfs t rw
            24 1 0:50 /sub /e rw master:9 - tmpfs t rw
            30 22 0:4 uts:[5] /c/sub/x rw master:11 - nsfs nsfs rw
            31 20 0:4 uts:[5] /a/sub/x rw shared:11 - nsfs nsfs rw
            32 21 0:4 uts:[5] /b/sub/x rw shared:11 - nsfs nsfs rw
            33 23 0:4 uts:[5] /d/x rw shared:12 master:11 - nsfs nsfs rw
            34 24 0:4 uts:[5] /e/x rw master:12 - nsfs nsfs rw";
        assert_eq!(
            listed(text),
            [(
                "uts:5".into(),
                vec![
                    "/c/sub/x".into(),
                    "/a/sub/x".into(),
                    "/b/sub/x".into(),
                    "/d/x".into(),
                    "/e/x".into()
                ]
            )]
        );
    }

    /// Not copies: the same namespace elsewhere in the same peer group, at
    /// the same place of mounts that do not propagate to one another, a bind
    /// of a pin onto another file, another namespace at the same place, and
    /// mounts stacked on one file.
    #[test]
    fn what_is_not_a_copy() {
        let text = "1 0 8:1 / / rw - ext4 /dev/sda rw
            20 1 0:50 / /a rw shared:7 - tmpfs t rw
            21 1 0:50 / /b rw shared:7 - tmpfs t rw
            22 1 0:50 / /p rw - tmpfs t rw
            23 1 0:50 / /q rw shared:8 - tmpfs t rw
            30 20 0:4 uts:[5] /a/x rw shared:11 - nsfs nsfs rw
            31 21 0:4 uts:[5] /b/y rw shared:11 - nsfs nsfs rw
            32 22 0:4 uts:[5] /p/x rw - nsfs nsfs rw
            33 23 0:4 uts:[5] /q/x rw shared:13 - nsfs nsfs rw
            34 1 0:4 uts:[5] /z rw shared:11 - nsfs nsfs rw
            35 21 0:4 uts:[6] /b/x rw shared:14 - nsfs nsfs rw
            36 30 0:4 uts:[5] /a/x rw shared:15 - nsfs nsfs rw";
        let got = listed(text);
        let paths: Vec<&str> = got.iter().map(|(_, p)| p[0].as_str()).collect();
        assert_eq!(
            paths,
            ["/a/x", "/b/y", "/p/x", "/q/x", "/z", "/b/x", "/a/x"]
        );
        assert!(got.iter().all(|(_, p)| p.len() == 1), "{got:?}");
    }

    #[test]
    fn places_in_the_parent_file_system() {
        let parent = parse_line(b"69 68 0:41 /netns /run/netns rw - tmpfs r rw").unwrap();
        assert_eq!(
            place_in(&parent, Path::new("/run/netns/x")),
            Some(PathBuf::from("/netns/x"))
        );
        assert_eq!(
            place_in(&parent, Path::new("/run/netns")),
            Some(PathBuf::from("/netns"))
        );
        assert_eq!(place_in(&parent, Path::new("/run/netnsx")), None);
    }
}

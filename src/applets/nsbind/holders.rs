//! What else keeps a namespace alive: processes in it, descriptors of it
//! open in processes, and bind mounts of it in other mount namespaces. All
//! found in one pass over /proc, reading the mountinfo of each other mount
//! namespace once; as lsns, only what the caller may look at.
//!
//! Not seen: processes outside the PID namespace of our /proc, descriptors
//! in flight in a socket, and what holds a namespace from inside the kernel
//! (a socket's network namespace, a child PID or user namespace).

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::pins::{self, parse_ns, NsKey, Pin};
use crate::mountinfo;

/// The holders of one namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holders {
    /// Processes in it, nsbind itself included when it is one (as lsns
    /// counts).
    pub procs: usize,
    /// Whether nsbind itself is one of `procs`.
    pub ourselves: bool,
    /// Open descriptors of it in processes other than nsbind.
    pub fds: usize,
    /// Pins of it in other mount namespaces (copies by propagation count
    /// once, as in the listing).
    pub mounts: usize,
    /// The first of each, to name one.
    pub process: Option<Process>,
    pub fd: Option<(Process, u32)>,
    pub mount: Option<(PathBuf, Process)>,
}

/// A process, by PID in our /proc.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Process(pub u32);

impl Process {
    /// `1234 (sleep)`; the name is the process's to choose, and is escaped
    /// where it is shown.
    pub fn describe(&self) -> String {
        let comm = std::fs::read_to_string(format!("/proc/{}/comm", self.0));
        let comm = comm.as_deref().map_or("?", |c| c.trim_end_matches('\n'));
        format!("{} ({comm})", self.0)
    }
}

impl Holders {
    /// How many hold it besides nsbind.
    pub fn others(&self) -> usize {
        self.procs - usize::from(self.ourselves) + self.fds + self.mounts
    }

    /// One of them, in words: a process, else a descriptor, else a mount
    /// elsewhere; `show` gives a path as the caller prints it.
    pub fn named(&self, show: &dyn Fn(&Path) -> String) -> Option<String> {
        if let Some(p) = &self.process {
            return Some(format!("process {}", p.describe()));
        }
        if let Some((p, fd)) = &self.fd {
            return Some(format!("fd {fd} of process {}", p.describe()));
        }
        let (path, p) = self.mount.as_ref()?;
        Some(format!(
            "a bind mount at {} in the mount namespace of process {}",
            show(path),
            p.describe()
        ))
    }

    /// The HOLDERS cell: `2proc,1fd,1mnt`, zero counts left out; `-` when
    /// nothing holds it.
    pub fn cell(&self) -> String {
        let mut cell = String::new();
        for (n, unit) in [(self.procs, "proc"), (self.fds, "fd"), (self.mounts, "mnt")] {
            if n > 0 {
                let comma = if cell.is_empty() { "" } else { "," };
                let _ = write!(cell, "{comma}{n}{unit}");
            }
        }
        if cell.is_empty() {
            cell.push('-');
        }
        cell
    }
}

/// A descriptor whose link is a path: it may have been opened through a
/// namespace bind mount, which readlink shows by its mount point (or as
/// `/` once detached). Looked at once every such mount point is known.
struct ByPath {
    pid: u32,
    fd: u32,
    path: PathBuf,
}

/// The holders of each namespace of `wanted`, in its order (a namespace
/// wanted twice has its holders twice). `here` are the pins of our own
/// mount namespace, through whose mount points a process may have opened
/// a namespace.
pub fn find(wanted: &[NsKey], here: &[Pin]) -> Vec<Holders> {
    let mut found = Found {
        wanted,
        at: pins::first_of(wanted),
        holders: vec![Holders::default(); wanted.len()],
    };
    if wanted.is_empty() {
        return found.holders;
    }
    // The kinds among them, each once, in order (sorted by insertion:
    // there are eight at most).
    let mut kinds: Vec<&str> = Vec::new();
    for key in wanted {
        if let Err(at) = kinds.binary_search(&key.kind.as_str()) {
            kinds.insert(at, &key.kind);
        }
    }
    // Our PID as our /proc numbers it, which need not be getpid()'s.
    let me: Option<u32> = std::fs::read_link("/proc/self")
        .ok()
        .and_then(|p| p.to_str()?.parse().ok());
    let own_mnt = std::fs::read_link("/proc/self/ns/mnt").ok();
    let mut mount_namespaces: HashSet<PathBuf> = own_mnt.into_iter().collect();
    let mut nsfs_points = HashSet::new();
    note_points(&mut nsfs_points, here);
    // A detached namespace mount, still open somewhere, reads as `/`.
    nsfs_points.insert(PathBuf::from("/"));
    let mut by_path = Vec::new();
    let Ok(pids) = crate::sys::pids() else {
        return found.into_holders();
    };
    for pid in pids {
        let ourselves = Some(pid) == me;
        for kind in &kinds {
            let Some(holders) =
                read_ns(&format!("/proc/{pid}/ns/{kind}")).and_then(|key| found.get(&key))
            else {
                continue;
            };
            holders.procs += 1;
            if ourselves {
                holders.ourselves = true;
            } else if holders.process.is_none() {
                holders.process = Some(Process(pid));
            }
        }
        if let Ok(mnt) = std::fs::read_link(format!("/proc/{pid}/ns/mnt")) {
            if mount_namespaces.insert(mnt) {
                mounts_of(pid, &mut found, &mut nsfs_points);
            }
        }
        if !ourselves {
            fds_of(pid, &mut found, &mut by_path);
        }
    }
    opened_by_path(by_path, &nsfs_points, &mut found);
    found.into_holders()
}

/// The holders of the wanted namespaces, as they are found.
struct Found<'a> {
    wanted: &'a [NsKey],
    /// Where each wanted namespace is first, by inode.
    at: HashMap<u64, usize>,
    holders: Vec<Holders>,
}

impl Found<'_> {
    /// The holders of the namespace whose inode on the namespace file
    /// system is `inode`, if it is wanted.
    fn by_inode(&mut self, inode: u64) -> Option<&mut Holders> {
        let &at = self.at.get(&inode)?;
        Some(&mut self.holders[at])
    }

    /// The holders of `key`, if it is wanted.
    fn get(&mut self, key: &NsKey) -> Option<&mut Holders> {
        let &at = self.at.get(&key.inode)?;
        (self.wanted[at] == *key).then(|| &mut self.holders[at])
    }

    /// The holders of each wanted namespace, copied to where it is wanted
    /// again.
    fn into_holders(mut self) -> Vec<Holders> {
        for (i, key) in self.wanted.iter().enumerate() {
            let first = self.at[&key.inode];
            if first != i {
                self.holders[i] = self.holders[first].clone();
            }
        }
        self.holders
    }
}

/// The mount points of `pins`, through which a namespace may be opened.
fn note_points(nsfs_points: &mut HashSet<PathBuf>, pins: &[Pin]) {
    for pin in pins {
        nsfs_points.extend(pin.paths.iter().cloned());
    }
}

/// The namespace a link of /proc names, if any.
fn read_ns(link: &str) -> Option<NsKey> {
    parse_ns(std::fs::read_link(link).ok()?.to_str()?)
}

/// The pins of wanted namespaces in the mount namespace of `pid` (one we
/// have not read yet).
fn mounts_of(pid: u32, found: &mut Found, nsfs_points: &mut HashSet<PathBuf>) {
    let Ok(mounts) = mountinfo::read_file(&format!("/proc/{pid}/mountinfo")) else {
        return;
    };
    let pins = pins::pins(&mounts);
    note_points(nsfs_points, &pins);
    for pin in &pins {
        let Some(holders) = found.get(&pin.ns) else {
            continue;
        };
        holders.mounts += 1;
        if holders.mount.is_none() {
            holders.mount = Some((pin.paths[0].clone(), Process(pid)));
        }
    }
}

/// The descriptors of `pid` that name a wanted namespace; those that name
/// a path are kept in `by_path` for later.
fn fds_of(pid: u32, found: &mut Found, by_path: &mut Vec<ByPath>) {
    let Ok(entries) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return;
    };
    for entry in entries.flatten() {
        let Some(fd) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        let Ok(link) = std::fs::read_link(entry.path()) else {
            continue;
        };
        if link.is_absolute() {
            by_path.push(ByPath {
                pid,
                fd,
                path: link,
            });
            continue;
        }
        let Some(holders) = link
            .to_str()
            .and_then(parse_ns)
            .and_then(|key| found.get(&key))
        else {
            continue;
        };
        count_fd(holders, pid, fd);
    }
}

fn count_fd(holders: &mut Holders, pid: u32, fd: u32) {
    holders.fds += 1;
    if holders.fd.is_none() {
        holders.fd = Some((Process(pid), fd));
    }
}

/// The descriptors opened through a namespace bind mount: only those whose
/// path is a mount point of one are looked at (stat, which gives the
/// namespace's inode on the namespace file system).
fn opened_by_path(by_path: Vec<ByPath>, nsfs_points: &HashSet<PathBuf>, found: &mut Found) {
    let Ok(nsfs_dev) = std::fs::metadata("/proc/self/ns/mnt").map(|m| m.dev()) else {
        return;
    };
    for ByPath { pid, fd, path } in by_path {
        if !nsfs_points.contains(&path) {
            continue;
        }
        let Ok(meta) = std::fs::metadata(format!("/proc/{pid}/fd/{fd}")) else {
            continue;
        };
        if meta.dev() != nsfs_dev {
            continue;
        }
        if let Some(holders) = found.by_inode(meta.ino()) {
            count_fd(holders, pid, fd);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells() {
        let mut h = Holders::default();
        assert_eq!(h.cell(), "-");
        assert_eq!(h.others(), 0);
        h.procs = 2;
        h.ourselves = true;
        h.mounts = 1;
        assert_eq!(h.cell(), "2proc,1mnt");
        assert_eq!(h.others(), 2);
        h.fds = 3;
        assert_eq!(h.cell(), "2proc,3fd,1mnt");
    }

    /// Our own UTS namespace: we are in it, so is our parent (the test
    /// runner or its shell); a descriptor of it that we hold does not count.
    #[test]
    fn our_own_namespace() {
        let key = read_ns("/proc/self/ns/uts").unwrap();
        let _open = std::fs::File::open("/proc/self/ns/uts").unwrap();
        let found = find(std::slice::from_ref(&key), &[]);
        let h = &found[0];
        assert!(h.ourselves && h.procs >= 2, "{h:?}");
        assert!(h.process.is_some());
    }
}

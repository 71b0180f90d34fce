//! The namespace kinds as one table, and opening, identifying and comparing
//! namespace files. All code loops over `KINDS` instead of naming eight cases.

use std::ffi::OsStr;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use crate::sys::open;
use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::stat::{fstat, Mode};

use crate::error::{Context, Error, Result};
use crate::sys;

/// One kind of namespace.
#[derive(Debug)]
pub struct Kind {
    /// The name under /proc/PID/ns/ and in lsns: "mnt", "net", ...
    pub name: &'static str,
    /// The long option that selects it in unshare and nsenter: "mount", "net", ...
    pub option: &'static str,
    /// CLONE_NEW* (nix's CloneFlags lacks CLONE_NEWTIME, so a raw int).
    pub flag: libc::c_int,
    /// The /proc/PID/ns/ entry for the namespace that children will get,
    /// for the kinds where it differs from the process's own.
    pub for_children: Option<&'static str>,
}

/// Every kind, in the order util-linux's nsenter joins them: the user
/// namespace first (entering it may grant the rights the others need), the
/// mount namespace late (after it, /proc may show another world), time last.
pub static KINDS: [Kind; 8] = [
    Kind {
        name: "user",
        option: "user",
        flag: libc::CLONE_NEWUSER,
        for_children: None,
    },
    Kind {
        name: "cgroup",
        option: "cgroup",
        flag: libc::CLONE_NEWCGROUP,
        for_children: None,
    },
    Kind {
        name: "ipc",
        option: "ipc",
        flag: libc::CLONE_NEWIPC,
        for_children: None,
    },
    Kind {
        name: "uts",
        option: "uts",
        flag: libc::CLONE_NEWUTS,
        for_children: None,
    },
    Kind {
        name: "net",
        option: "net",
        flag: libc::CLONE_NEWNET,
        for_children: None,
    },
    Kind {
        name: "pid",
        option: "pid",
        flag: libc::CLONE_NEWPID,
        for_children: Some("pid_for_children"),
    },
    Kind {
        name: "mnt",
        option: "mount",
        flag: libc::CLONE_NEWNS,
        for_children: None,
    },
    Kind {
        name: "time",
        option: "time",
        flag: libc::CLONE_NEWTIME,
        for_children: Some("time_for_children"),
    },
];

/// Kinds are equal when their flags are: each kind has its own (see the
/// table's test), and one integer is quicker to compare than every field.
impl PartialEq for Kind {
    fn eq(&self, other: &Kind) -> bool {
        self.flag == other.flag
    }
}

impl Eq for Kind {}

impl Kind {
    /// By lsns name ("mnt") or option name ("mount").
    pub fn by_name(name: &str) -> Option<&'static Kind> {
        KINDS.iter().find(|k| k.name == name || k.option == name)
    }

    pub fn by_flag(flag: libc::c_int) -> Option<&'static Kind> {
        KINDS.iter().find(|k| k.flag == flag)
    }

    /// `/proc/PID/ns/NAME`, or the `*_for_children` entry when asked and one exists.
    pub fn proc_path(&self, pid: libc::pid_t, for_children: bool) -> PathBuf {
        let entry = match self.for_children {
            Some(child) if for_children => child,
            _ => self.name,
        };
        PathBuf::from(format!("/proc/{pid}/ns/{entry}"))
    }

    /// The names accepted for `--type`, for messages.
    pub fn names() -> String {
        let mut names = String::new();
        for kind in &KINDS {
            if !names.is_empty() {
                names.push_str(", ");
            }
            names.push_str(kind.name);
        }
        names
    }
}

/// Identity of a namespace: two files name the same namespace exactly when
/// device and inode agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Id {
    pub dev: u64,
    pub ino: u64,
}

pub fn identity(fd: impl AsFd) -> nix::Result<Id> {
    let st = fstat(fd)?;
    Ok(Id {
        dev: st.st_dev,
        ino: st.st_ino,
    })
}

/// An open namespace file whose kind has been checked with the kernel.
#[derive(Debug)]
pub struct NsFile {
    pub fd: OwnedFd,
    pub kind: &'static Kind,
}

impl NsFile {
    /// Open any namespace file: /proc/PID/ns/X, a bind-mounted copy, ...
    ///
    /// O_NONBLOCK keeps a FIFO planted at the path from blocking us forever;
    /// the nsfs check then refuses anything that is not a namespace.
    pub fn open(path: &Path) -> Result<NsFile> {
        let flags = OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC | OFlag::O_NOCTTY;
        let fd = open(path, flags, Mode::empty())
            .context(|| format!("cannot open {}", path.display()))?;
        Self::from_fd(fd, path.as_os_str())
    }

    /// Verify that `fd` is a namespace and learn its kind.
    pub fn from_fd(fd: OwnedFd, name: &OsStr) -> Result<NsFile> {
        let not_a_namespace = || {
            Error::msg(format!(
                "{} is not a namespace file",
                Path::new(name).display()
            ))
        };
        if !sys::is_nsfs(&fd).context(|| format!("cannot stat {}", Path::new(name).display()))? {
            return Err(not_a_namespace());
        }
        let flag = match sys::ns_get_nstype(&fd) {
            Ok(flag) => flag,
            Err(Errno::ENOTTY | Errno::EINVAL) => return Err(not_a_namespace()),
            Err(errno) => {
                return Err(Error::sys(
                    format!("cannot identify namespace {}", Path::new(name).display()),
                    errno,
                ))
            }
        };
        let kind = Kind::by_flag(flag).ok_or_else(not_a_namespace)?;
        Ok(NsFile { fd, kind })
    }

    pub fn id(&self) -> nix::Result<Id> {
        identity(&self.fd)
    }
}

/// Open the namespace of this kind whose id (NS_GET_ID, Linux 6.18) is
/// `id`: by file handle where the kernel takes an id alone, otherwise by
/// looking for it among the namespaces of the processes we can see and the
/// namespace files bound in our mount namespace, as lsns would.
pub fn open_by_id(kind: &'static Kind, id: u64) -> Result<NsFile> {
    let name = format!("namespace of id {id}");
    let by_handle = sys::open_ns_by_id(id)
        .ok()
        .and_then(|fd| NsFile::from_fd(fd, OsStr::new(&name)).ok());
    if let Some(found) = by_handle.filter(|ns| ns.kind == kind) {
        return Ok(found);
    }
    let own = NsFile::open(Path::new(&format!("/proc/self/ns/{}", kind.name)))?;
    if sys::ns_get_id(&own.fd) == Err(Errno::ENOTTY) {
        return Err(Error::msg(format!(
            "cannot open {name}: this kernel gives namespaces no ids (Linux 6.18 and later do)"
        )));
    }
    let mut candidates: Vec<PathBuf> = sys::pids()
        .context(|| "cannot read /proc")?
        .map(|pid| kind.proc_path(pid as libc::pid_t, false))
        .collect();
    candidates.extend(
        crate::mountinfo::read()?
            .into_iter()
            .filter(|m| m.fstype == "nsfs")
            .map(|m| m.point),
    );
    let flags = OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC | OFlag::O_NOCTTY;
    for path in candidates {
        let Ok(fd) = open(&path, flags, Mode::empty()) else {
            continue;
        };
        if sys::ns_get_id(&fd) == Ok(id) && sys::ns_get_nstype(&fd) == Ok(kind.flag) {
            return Ok(NsFile { fd, kind });
        }
    }
    Err(Error::sys(format!("cannot open {name}"), Errno::ENOENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_complete_and_unique() {
        assert_eq!(KINDS.len(), 8);
        let all = KINDS.iter().fold(0, |acc, k| {
            assert_eq!(acc & k.flag, 0, "{} flag repeated", k.name);
            acc | k.flag
        });
        assert_eq!(all.count_ones(), 8);
        for k in &KINDS {
            assert_eq!(Kind::by_name(k.name), Some(k));
            assert_eq!(Kind::by_name(k.option), Some(k));
            assert_eq!(Kind::by_flag(k.flag), Some(k));
        }
        assert_eq!(KINDS[0].name, "user", "the user namespace is joined first");
        assert_eq!(Kind::by_name("mount").unwrap().name, "mnt");
        assert_eq!(Kind::by_name("bogus"), None);
        assert_eq!(libc::CLONE_NEWTIME, 0x80);
    }

    #[test]
    fn proc_paths() {
        let pid = Kind::by_name("pid").unwrap();
        assert_eq!(pid.proc_path(7, false), Path::new("/proc/7/ns/pid"));
        assert_eq!(
            pid.proc_path(7, true),
            Path::new("/proc/7/ns/pid_for_children")
        );
        let time = Kind::by_name("time").unwrap();
        assert_eq!(
            time.proc_path(7, true),
            Path::new("/proc/7/ns/time_for_children")
        );
        let uts = Kind::by_name("uts").unwrap();
        assert_eq!(uts.proc_path(7, true), Path::new("/proc/7/ns/uts"));
    }

    #[test]
    fn every_kind_of_our_own_is_recognised() {
        for kind in &KINDS {
            let path = kind.proc_path(std::process::id() as i32, false);
            let ns = NsFile::open(&path).unwrap();
            assert_eq!(ns.kind, kind);
            let again = NsFile::open(&path).unwrap();
            assert_eq!(ns.id().unwrap(), again.id().unwrap());
        }
        let uts = NsFile::open(Path::new("/proc/self/ns/uts")).unwrap();
        let ipc = NsFile::open(Path::new("/proc/self/ns/ipc")).unwrap();
        assert_ne!(uts.id().unwrap(), ipc.id().unwrap());
    }

    #[test]
    fn namespaces_open_by_id() {
        for name in ["uts", "net", "mnt"] {
            let kind = Kind::by_name(name).unwrap();
            let own = NsFile::open(&kind.proc_path(std::process::id() as i32, false)).unwrap();
            let id = sys::ns_get_id(&own.fd).unwrap();
            let found = open_by_id(kind, id).unwrap();
            assert_eq!(found.id().unwrap(), own.id().unwrap());
            assert_eq!(found.kind, kind);
        }
        let uts = Kind::by_name("uts").unwrap();
        let e = open_by_id(uts, u64::MAX - 7).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "cannot open namespace of id {}: No such file or directory",
                u64::MAX - 7
            )
        );
    }

    #[test]
    fn non_namespaces_are_refused() {
        let e = NsFile::open(Path::new("/proc/self/status")).unwrap_err();
        assert_eq!(e.to_string(), "/proc/self/status is not a namespace file");
        let e = NsFile::open(Path::new("/nonexistent/x")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot open /nonexistent/x: No such file or directory"
        );
    }
}

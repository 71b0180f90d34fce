//! A target process, held so that PID reuse can never swap it for another:
//! a pidfd first, then its /proc directory, then proof through the pidfd
//! that the process we hold is still the one that owns that PID.

use std::ffi::OsStr;
use std::os::fd::{AsFd, OwnedFd};
use std::path::PathBuf;

use crate::sys::open;
use nix::errno::Errno;
use nix::fcntl::{openat, OFlag};
use nix::sys::stat::{fstat, fstatat, FileStat, Mode};

use crate::error::{Context, Error, Result};
use crate::sys;

/// `PID` or `PID:INODE`, where INODE is the inode of a pidfd of the
/// process (as pidfs numbers them, Linux 6.9 and later): it pins one
/// process, not whatever owns the PID now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    pub pid: libc::pid_t,
    pub inode: Option<u64>,
}

/// util-linux's pid syntax, and its message: a usage error, as the
/// command line alone decides it.
pub fn parse_spec(text: &OsStr) -> Result<Spec> {
    let shown = text.to_string_lossy();
    let invalid =
        |errno| Error::usage_errno(format!("failed to parse PID argument '{shown}'"), errno);
    let (pid, inode) = match shown.split_once(':') {
        Some((pid, inode)) => (pid, Some(inode)),
        None => (shown.as_ref(), None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(pid) {
        return Err(invalid(Errno::EINVAL));
    }
    let pid = match pid.parse::<libc::pid_t>() {
        Ok(pid) if pid > 0 => pid,
        _ => return Err(invalid(Errno::ERANGE)),
    };
    let inode = match inode {
        None => None,
        Some(text) if !digits(text) => return Err(invalid(Errno::EINVAL)),
        Some(text) => match text.parse::<u64>() {
            Ok(inode) if inode > 0 => Some(inode),
            _ => return Err(invalid(Errno::ERANGE)),
        },
    };
    Ok(Spec { pid, inode })
}

/// A process, held by pidfd and by its /proc directory.
#[derive(Debug)]
pub struct Target {
    pub pid: libc::pid_t,
    pub pidfd: OwnedFd,
    /// /proc/PID, opened while the pidfd proved that PID was this process:
    /// files opened through it belong to this process or fail.
    proc_dir: OwnedFd,
}

/// Why a target could not be held.
#[derive(Debug)]
pub enum Failure {
    /// No such process (any more).
    Gone,
    Other(Error),
}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        Failure::Other(err)
    }
}

/// Hold the process, or say it does not exist as util-linux does: "cannot
/// open /proc/PID/FIRST: No such file or directory", FIRST being the first
/// of its files the caller needs ("" for /proc/PID itself).
pub fn hold(spec: Spec, first: &str) -> Result<Target> {
    Target::open(spec).map_err(|failure| match failure {
        Failure::Other(err) => err,
        Failure::Gone => {
            let path = match first {
                "" => format!("/proc/{}", spec.pid),
                _ => format!("/proc/{}/{first}", spec.pid),
            };
            Error::sys(format!("cannot open {path}"), Errno::ENOENT)
        }
    })
}

/// `statfs.f_type` of pidfs, where pidfds live since Linux 6.9.
const PIDFS_MAGIC: libc::c_long = 0x5049_4446;

impl Target {
    pub fn open(spec: Spec) -> std::result::Result<Target, Failure> {
        let pid = spec.pid;
        let pidfd = match sys::pidfd_open(pid) {
            Ok(fd) => fd,
            Err(Errno::ESRCH) => return Err(Failure::Gone),
            Err(errno) => {
                return Err(Error::sys(format!("pidfd_open of {pid} failed"), errno).into())
            }
        };
        if let Some(inode) = spec.inode {
            // Before pidfs (Linux 6.9) every pidfd has the same inode, which
            // would then match any process.
            if sys::fs_type(&pidfd).ok() != Some(PIDFS_MAGIC) {
                return Err(Error::msg(format!(
                    "cannot check {pid}:{inode}: pidfds have no inode of their own \
                     before Linux 6.9; give the PID alone"
                ))
                .into());
            }
            let st = fstat(&pidfd).context(|| format!("cannot stat pidfd of {pid}"))?;
            if st.st_ino != inode {
                return Err(
                    Error::msg(format!("pidfd inode {inode} not found for pid {pid}")).into(),
                );
            }
        }
        let flags = OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
        let proc_dir = match open(format!("/proc/{pid}").as_str(), flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::ENOENT | Errno::ESRCH) => return Err(Failure::Gone),
            Err(errno) => return Err(Error::sys(format!("cannot open /proc/{pid}"), errno).into()),
        };
        let target = Target {
            pid,
            pidfd,
            proc_dir,
        };
        match target.confirm() {
            Ok(()) => Ok(target),
            Err(Errno::ESRCH) => Err(Failure::Gone),
            Err(errno) => Err(Error::sys(format!("cannot signal process {pid}"), errno).into()),
        }
    }

    /// The process behind the pidfd has not been reaped, so its PID cannot
    /// have been given to another: what we opened by PID so far is its.
    pub fn confirm(&self) -> nix::Result<()> {
        match sys::pidfd_send_signal(&self.pidfd, 0) {
            // EPERM: alive, only not ours to signal.
            Ok(()) | Err(Errno::EPERM) => Ok(()),
            Err(errno) => Err(errno),
        }
    }

    /// That the target is still there after reading through its /proc
    /// directory; else the error saying it exited meanwhile.
    pub fn still_there(&self) -> Result<()> {
        self.confirm().map_err(|_| self.exited())
    }

    /// The error for a target found to have exited while being read: its
    /// PID may since name another process.
    pub fn exited(&self) -> Error {
        Error::msg(format!("process {} exited while being read", self.pid))
    }

    /// `/proc/PID/NAME`, for messages.
    pub fn path(&self, name: &str) -> PathBuf {
        if name.is_empty() {
            PathBuf::from(format!("/proc/{}", self.pid))
        } else {
            PathBuf::from(format!("/proc/{}/{name}", self.pid))
        }
    }

    /// Open /proc/PID/NAME of this very process.
    pub fn open_file(&self, name: &str, flags: OFlag) -> Result<OwnedFd> {
        openat(
            &self.proc_dir,
            name,
            flags | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|errno| self.gone_as_enoent(errno))
        .context(|| format!("cannot open {}", self.path(name).display()))
    }

    /// stat of /proc/PID/NAME (following it: for ns/X, the namespace).
    pub fn stat(&self, name: &str) -> nix::Result<FileStat> {
        fstatat(&self.proc_dir, name, nix::fcntl::AtFlags::empty())
            .map_err(|errno| self.gone_as_enoent(errno))
    }

    /// The owner of /proc/PID, which is the process's uid and gid, as seen
    /// from the user namespace we are in when asking.
    pub fn owner(&self) -> Result<(u32, u32)> {
        let st = fstat(self.proc_dir.as_fd()).context(|| "can not get process stat")?;
        Ok((st.st_uid, st.st_gid))
    }

    /// The whole of /proc/PID/NAME (environ, cgroup, attr/current).
    pub fn read(&self, name: &str) -> Result<Vec<u8>> {
        use std::io::Read;
        let fd = self.open_file(name, OFlag::O_RDONLY)?;
        let mut data = Vec::new();
        std::fs::File::from(fd)
            .read_to_end(&mut data)
            .context(|| format!("cannot read {}", self.path(name).display()))?;
        Ok(data)
    }

    /// The process has gone: its /proc directory answers ESRCH or ENOENT.
    fn gone_as_enoent(&self, errno: Errno) -> Errno {
        if errno == Errno::ESRCH {
            Errno::ENOENT
        } else {
            errno
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse_spec(OsStr::new(text)).unwrap_err().to_string()
    }

    #[test]
    fn pid_and_inode() {
        assert_eq!(
            parse_spec(OsStr::new("42")).unwrap(),
            Spec {
                pid: 42,
                inode: None
            }
        );
        assert_eq!(parse_spec(OsStr::new("42:7")).unwrap().inode, Some(7));
        assert_eq!(
            err("abc"),
            "failed to parse PID argument 'abc': Invalid argument"
        );
        assert_eq!(err(""), "failed to parse PID argument '': Invalid argument");
        assert_eq!(
            err("0"),
            "failed to parse PID argument '0': Numerical result out of range"
        );
        assert_eq!(
            err("99999999999"),
            "failed to parse PID argument '99999999999': Numerical result out of range"
        );
        assert_eq!(
            err("-5"),
            "failed to parse PID argument '-5': Invalid argument"
        );
        assert_eq!(
            err("4:x"),
            "failed to parse PID argument '4:x': Invalid argument"
        );
        assert_eq!(
            err("4:0"),
            "failed to parse PID argument '4:0': Numerical result out of range"
        );
    }

    #[test]
    fn a_reaped_process_is_gone_and_its_pidfd_says_so() {
        let mut child = std::process::Command::new("sleep")
            .arg("60")
            .spawn()
            .unwrap();
        let spec = Spec {
            pid: child.id() as i32,
            inode: None,
        };
        let target = Target::open(spec).unwrap();
        let inode = fstat(&target.pidfd).unwrap().st_ino;
        assert!(Target::open(Spec {
            inode: Some(inode),
            ..spec
        })
        .is_ok());
        let wrong = Target::open(Spec {
            inode: Some(inode + 1),
            ..spec
        });
        assert!(matches!(wrong, Err(Failure::Other(_))));
        assert!(target.owner().is_ok());
        child.kill().unwrap();
        child.wait().unwrap();
        // Reaped: the PID is free for reuse, and the pidfd knows.
        assert_eq!(target.confirm(), Err(Errno::ESRCH));
        let e = target.open_file("environ", OFlag::O_RDONLY).unwrap_err();
        assert!(e.to_string().ends_with("No such file or directory"), "{e}");
        assert!(matches!(Target::open(spec), Err(Failure::Gone)));
    }
}

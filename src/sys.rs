//! Thin wrappers for the kernel interfaces nix does not cover: pidfds, the
//! nsfs ioctls and the filesystem magic of namespace files.

use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};

use nix::errno::Errno;
use nix::sched::CloneFlags;

/// `statfs.f_type` of the nsfs pseudo filesystem that holds namespace files.
pub const NSFS_MAGIC: libc::c_long = 0x6e73_6673;

// <linux/nsfs.h>: _IO(0xb7, n).
const NSIO: u32 = 0xb7;
const NS_GET_USERNS: u32 = NSIO << 8 | 0x1;
const NS_GET_PARENT: u32 = NSIO << 8 | 0x2;
const NS_GET_NSTYPE: u32 = NSIO << 8 | 0x3;
const NS_GET_OWNER_UID: u32 = NSIO << 8 | 0x4;

/// Convert a raw syscall return into a Result.
fn check(ret: libc::c_long) -> nix::Result<libc::c_long> {
    if ret < 0 {
        Err(Errno::last())
    } else {
        Ok(ret)
    }
}

/// An ioctl that returns a new file descriptor.
fn ioctl_fd(fd: impl AsFd, request: u32) -> nix::Result<OwnedFd> {
    // SAFETY: the nsfs ioctls take no argument; a new fd is returned on success.
    let ret = unsafe { libc::ioctl(fd.as_fd().as_raw_fd(), request as _) };
    let fd = check(ret.into())?;
    // SAFETY: the kernel just gave us this fd, and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// The CLONE_NEW* flag of the namespace behind `fd`; ENOTTY when it is none.
pub fn ns_get_nstype(fd: impl AsFd) -> nix::Result<libc::c_int> {
    // SAFETY: NS_GET_NSTYPE takes no argument and returns an int.
    let ret = unsafe { libc::ioctl(fd.as_fd().as_raw_fd(), NS_GET_NSTYPE as _) };
    check(ret.into()).map(|v| v as libc::c_int)
}

#[cfg_attr(
    not(test),
    expect(dead_code, reason = "for the unshare, nsenter and nsbind applets")
)]
/// The user namespace that owns the namespace behind `fd`.
pub fn ns_get_userns(fd: impl AsFd) -> nix::Result<OwnedFd> {
    ioctl_fd(fd, NS_GET_USERNS)
}

#[cfg_attr(
    not(test),
    expect(dead_code, reason = "for the unshare, nsenter and nsbind applets")
)]
/// The parent of a PID or user namespace.
pub fn ns_get_parent(fd: impl AsFd) -> nix::Result<OwnedFd> {
    ioctl_fd(fd, NS_GET_PARENT)
}

#[cfg_attr(
    not(test),
    expect(dead_code, reason = "for the unshare, nsenter and nsbind applets")
)]
/// The uid, in our user namespace, of the creator of the user namespace `fd`.
pub fn ns_get_owner_uid(fd: impl AsFd) -> nix::Result<libc::uid_t> {
    let mut uid: libc::uid_t = 0;
    // SAFETY: NS_GET_OWNER_UID writes one uid_t to the pointer we pass.
    let ret = unsafe { libc::ioctl(fd.as_fd().as_raw_fd(), NS_GET_OWNER_UID as _, &mut uid) };
    check(ret.into()).map(|_| uid)
}

/// Whether `fd` lives on nsfs, that is, names a namespace.
pub fn is_nsfs(fd: impl AsFd) -> nix::Result<bool> {
    let mut st = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: fstatfs fills the buffer on success, and we read it only then.
    let ret = unsafe { libc::fstatfs(fd.as_fd().as_raw_fd(), st.as_mut_ptr()) };
    check(ret.into())?;
    // SAFETY: initialised by the successful call above.
    Ok(unsafe { st.assume_init() }.f_type as libc::c_long == NSFS_MAGIC)
}

#[cfg_attr(
    not(test),
    expect(dead_code, reason = "for the unshare, nsenter and nsbind applets")
)]
/// A file descriptor that refers to a process, immune to PID reuse.
pub fn pidfd_open(pid: libc::pid_t) -> nix::Result<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd (with
    // O_CLOEXEC set by the kernel) or -1.
    let ret = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    let fd = check(ret)?;
    // SAFETY: the fd is new and ours alone.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

#[cfg_attr(
    not(test),
    expect(dead_code, reason = "for the unshare, nsenter and nsbind applets")
)]
/// Send a signal through a pidfd: it can only reach the process it names.
pub fn pidfd_send_signal(pidfd: impl AsFd, signal: libc::c_int) -> nix::Result<()> {
    // SAFETY: a null siginfo means "as kill(2) would send it".
    let ret = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd.as_fd().as_raw_fd(),
            signal,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    };
    check(ret).map(drop)
}

/// `setns(2)` on a namespace fd or a pidfd. With a pidfd, `flags` may name
/// several namespaces, which the kernel then joins all at once or not at all.
pub fn setns(fd: impl AsFd, flags: libc::c_int) -> nix::Result<()> {
    nix::sched::setns(fd, CloneFlags::from_bits_retain(flags))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ioctl_numbers_match_linux_nsfs_h() {
        assert_eq!(NS_GET_USERNS, 0xb701);
        assert_eq!(NS_GET_PARENT, 0xb702);
        assert_eq!(NS_GET_NSTYPE, 0xb703);
        assert_eq!(NS_GET_OWNER_UID, 0xb704);
    }

    #[test]
    fn namespace_files_are_recognised() {
        // Opening and inspecting our own namespace files changes nothing.
        let uts = std::fs::File::open("/proc/self/ns/uts").unwrap();
        assert!(is_nsfs(&uts).unwrap());
        assert_eq!(ns_get_nstype(&uts).unwrap(), libc::CLONE_NEWUTS);
        let user = std::fs::File::open("/proc/self/ns/user").unwrap();
        assert_eq!(ns_get_nstype(&user).unwrap(), libc::CLONE_NEWUSER);
        let owner = ns_get_userns(&uts).unwrap();
        assert_eq!(ns_get_nstype(&owner).unwrap(), libc::CLONE_NEWUSER);

        let plain = std::fs::File::open("/proc/self/status").unwrap();
        assert!(!is_nsfs(&plain).unwrap());
        assert_eq!(ns_get_nstype(&plain), Err(Errno::ENOTTY));
    }

    #[test]
    fn pidfd_names_a_live_process() {
        let pidfd = pidfd_open(std::process::id() as i32).unwrap();
        pidfd_send_signal(&pidfd, 0).unwrap();
        assert_eq!(pidfd_open(-5).unwrap_err(), Errno::EINVAL);
    }
}

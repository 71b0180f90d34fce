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
// _IOR(0xb7, 0x5, __u64): the mount namespace's id (Linux 6.8).
const NS_GET_MNTNS_ID: u32 = 2 << 30 | 8 << 16 | NSIO << 8 | 0x5;
// _IOR(0xb7, 13, __u64): any namespace's id (Linux 6.18).
const NS_GET_ID: u32 = 2 << 30 | 8 << 16 | NSIO << 8 | 13;
// <linux/sockios.h>: the network namespace of a socket.
const SIOCGSKNS: u32 = 0x894c;

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

/// The user namespace that owns the namespace behind `fd` (for a user
/// namespace: its parent).
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

/// The id of the mount namespace behind `fd`: ids grow with creation (per
/// CPU, since Linux 6.18).
pub fn ns_get_mntns_id(fd: impl AsFd) -> nix::Result<u64> {
    let mut id: u64 = 0;
    // SAFETY: NS_GET_MNTNS_ID writes one u64 to the pointer we pass.
    let ret = unsafe { libc::ioctl(fd.as_fd().as_raw_fd(), NS_GET_MNTNS_ID as _, &mut id) };
    check(ret.into()).map(|_| id)
}

/// The id of any namespace (Linux 6.18): what `:NSID` names.
pub fn ns_get_id(fd: impl AsFd) -> nix::Result<u64> {
    let mut id: u64 = 0;
    // SAFETY: NS_GET_ID writes one u64 to the pointer we pass.
    let ret = unsafe { libc::ioctl(fd.as_fd().as_raw_fd(), NS_GET_ID as _, &mut id) };
    check(ret.into()).map(|_| id)
}

/// The network namespace a socket belongs to.
pub fn socket_netns(socket: impl AsFd) -> nix::Result<OwnedFd> {
    ioctl_fd(socket, SIOCGSKNS)
}

/// A duplicate of descriptor `fd` of the process behind `pidfd` (needs
/// ptrace rights over it). Close-on-exec.
pub fn pidfd_getfd(pidfd: impl AsFd, fd: libc::c_int) -> nix::Result<OwnedFd> {
    // SAFETY: plain syscall; a new fd or -1.
    let ret = unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd.as_fd().as_raw_fd(), fd, 0) };
    let fd = check(ret)?;
    // SAFETY: the fd is new and ours alone.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// nsfs file handles (Linux 6.18): a namespace opened by its id.
const FD_NSFS_ROOT: libc::c_int = -10003;
const AT_HANDLE_FID: libc::c_int = 0x200;

/// `struct file_handle` with room for `struct nsfs_file_handle`.
#[repr(C)]
struct NsHandle {
    handle_bytes: u32,
    handle_type: libc::c_int,
    ns_id: u64,
    ns_type: u32,
    ns_inum: u32,
}

/// Open the namespace whose id is `id` by file handle, where the kernel
/// takes a handle of the id alone. The handle type of nsfs is not exported,
/// so learn it from a handle of one of our own namespaces.
pub fn open_ns_by_id(id: u64) -> nix::Result<OwnedFd> {
    let own = std::fs::File::open("/proc/self/ns/mnt").map_err(crate::error::errno_of)?;
    let mut handle = NsHandle {
        handle_bytes: 16,
        handle_type: 0,
        ns_id: 0,
        ns_type: 0,
        ns_inum: 0,
    };
    let mut mount_id: libc::c_int = 0;
    // SAFETY: the buffer holds a file_handle header and 16 bytes of handle.
    check(unsafe {
        libc::syscall(
            libc::SYS_name_to_handle_at,
            own.as_raw_fd(),
            c"".as_ptr(),
            &mut handle,
            &mut mount_id,
            libc::AT_EMPTY_PATH | AT_HANDLE_FID,
        )
    })?;
    // Type and inode zero: "look it up by id alone" (Linux 6.19). Linux 6.18
    // wants both filled in, and answers ESTALE.
    handle.ns_id = id;
    handle.ns_type = 0;
    handle.ns_inum = 0;
    // SAFETY: as above; a new fd or -1.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_open_by_handle_at,
            FD_NSFS_ROOT,
            &mut handle,
            libc::O_RDONLY | libc::O_CLOEXEC,
        )
    };
    let fd = check(ret)?;
    // SAFETY: the fd is new and ours alone.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// Whether `fd` lives on nsfs, that is, names a namespace.
pub fn is_nsfs(fd: impl AsFd) -> nix::Result<bool> {
    fs_type(fd).map(|t| t == NSFS_MAGIC)
}

/// `statfs.f_type` of the file system that holds the file behind `fd`.
pub fn fs_type(fd: impl AsFd) -> nix::Result<libc::c_long> {
    let mut st = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: fstatfs fills the buffer on success, and we read it only then.
    let ret = unsafe { libc::fstatfs(fd.as_fd().as_raw_fd(), st.as_mut_ptr()) };
    check(ret.into())?;
    // SAFETY: initialised by the successful call above.
    Ok(unsafe { st.assume_init() }.f_type as libc::c_long)
}

// <linux/mount.h>: the new mount API (Linux 5.2).
const OPEN_TREE_CLONE: libc::c_uint = 1;
const MOVE_MOUNT_F_EMPTY_PATH: libc::c_uint = 0x4;
const MOVE_MOUNT_T_EMPTY_PATH: libc::c_uint = 0x40;

/// A detached copy of the file behind `fd` as a mount of its own (what
/// `mount --bind` would attach), not yet attached anywhere. Close-on-exec.
pub fn open_tree_clone(fd: impl AsFd) -> nix::Result<OwnedFd> {
    open_tree(fd, 0)
}

/// A detached copy of the directory behind `fd` and of every mount below
/// it (what `mount --rbind` would attach). Close-on-exec.
pub fn open_tree_clone_recursive(fd: impl AsFd) -> nix::Result<OwnedFd> {
    open_tree(fd, libc::AT_RECURSIVE as libc::c_uint)
}

/// open_tree(2) of `fd` itself, cloned, close-on-exec, with `more` flags.
fn open_tree(fd: impl AsFd, more: libc::c_uint) -> nix::Result<OwnedFd> {
    let flags = OPEN_TREE_CLONE
        | libc::O_CLOEXEC as libc::c_uint
        | libc::AT_EMPTY_PATH as libc::c_uint
        | more;
    // SAFETY: an fd, an empty path and flags; a new fd or -1.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_open_tree,
            fd.as_fd().as_raw_fd(),
            c"".as_ptr(),
            flags,
        )
    };
    let fd = check(ret)?;
    // SAFETY: the fd is new and ours alone.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// `struct mount_attr` of <linux/mount.h>, version 0 (32 bytes).
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

/// Make the mount whose root is behind `fd` private, as
/// `mount --make-private` does, by descriptor (`mount_setattr`, Linux
/// 5.12). Only that mount, not those below it. EINVAL when `fd` is not
/// the root of a mount.
pub fn make_private(fd: impl AsFd) -> nix::Result<()> {
    let attr = MountAttr {
        attr_set: 0,
        attr_clr: 0,
        propagation: libc::MS_PRIVATE,
        userns_fd: 0,
    };
    // SAFETY: an fd, an empty path, and a mount_attr of the size given.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            fd.as_fd().as_raw_fd(),
            c"".as_ptr(),
            libc::AT_EMPTY_PATH as libc::c_uint,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    };
    check(ret).map(drop)
}

/// Attach the detached mount `tree` onto the file behind `onto`, by
/// descriptor: no path is looked up, so nothing can be swapped in between.
/// `tree` then names the attached mount itself.
pub fn move_mount_onto(tree: impl AsFd, onto: impl AsFd) -> nix::Result<()> {
    // SAFETY: two fds with empty paths; 0 or -1.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            tree.as_fd().as_raw_fd(),
            c"".as_ptr(),
            onto.as_fd().as_raw_fd(),
            c"".as_ptr(),
            MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH,
        )
    };
    check(ret).map(drop)
}

/// The text of the symbolic link behind `fd` (opened O_PATH|O_NOFOLLOW).
pub fn read_link(fd: impl AsFd) -> nix::Result<Vec<u8>> {
    let mut buf = vec![0u8; libc::PATH_MAX as usize];
    // SAFETY: readlinkat writes at most buf.len() bytes into buf.
    let ret = unsafe {
        libc::readlinkat(
            fd.as_fd().as_raw_fd(),
            c"".as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    let len = check(ret as libc::c_long)? as usize;
    // A link as long as the buffer may have been cut short; none can be.
    if len >= buf.len() {
        return Err(Errno::ENAMETOOLONG);
    }
    buf.truncate(len);
    Ok(buf)
}

/// open(2), made as openat(AT_FDCWD): musl's open() follows an O_CLOEXEC
/// open with an fcntl(2) (for kernels older than 2.6.23); its openat()
/// makes the one system call, as glibc's open() does.
pub fn open<P: ?Sized + nix::NixPath>(
    path: &P,
    flags: nix::fcntl::OFlag,
    mode: nix::sys::stat::Mode,
) -> nix::Result<OwnedFd> {
    nix::fcntl::openat(nix::fcntl::AT_FDCWD, path, flags, mode)
}

/// The PIDs /proc lists now, as it numbers them: one pass over its entries.
pub fn pids() -> std::io::Result<impl Iterator<Item = u32>> {
    Ok(std::fs::read_dir("/proc")?
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok()))
}

/// A file descriptor that refers to a process, immune to PID reuse.
pub fn pidfd_open(pid: libc::pid_t) -> nix::Result<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd (with
    // O_CLOEXEC set by the kernel) or -1.
    let ret = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    let fd = check(ret)?;
    // SAFETY: the fd is new and ours alone.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

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

/// fork(2), except that the child's death sends `signal` to us instead of
/// SIGCHLD: 0 in the child, its PID in the parent. Such a child is reaped
/// with `__WALL`.
///
/// # Safety
/// The caller must be single-threaded, and the child must keep to raw
/// system calls until it exits: this bypasses the C library's fork, so the
/// child's cached thread id (raise, abort, pthread_*) is still ours.
pub unsafe fn fork_with_exit_signal(signal: libc::c_int) -> nix::Result<libc::pid_t> {
    let flags = signal as libc::c_ulong;
    // No new stack: the child goes on from here on a copy of ours.
    #[cfg(not(target_arch = "s390x"))]
    let ret = libc::syscall(libc::SYS_clone, flags, 0usize, 0usize, 0usize, 0usize);
    #[cfg(target_arch = "s390x")]
    let ret = libc::syscall(libc::SYS_clone, 0usize, flags, 0usize, 0usize, 0usize);
    check(ret).map(|pid| pid as libc::pid_t)
}

/// `CLONE_INTO_CGROUP` (Linux 5.7); libc's constant is a deprecated 0.
const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;

/// clone3's argument, as far as `CLONE_INTO_CGROUP` needs it (version 2,
/// 88 bytes).
#[repr(C)]
#[derive(Default)]
struct CloneArgs {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
    set_tid: u64,
    set_tid_size: u64,
    cgroup: u64,
}

/// A fork whose child is born in the cgroup v2 directory `cgroup`, so that
/// neither we nor the child is ever anywhere else: 0 in the child, its PID
/// in the parent. ENOSYS or E2BIG before Linux 5.7.
///
/// # Safety
/// As for `fork_with_exit_signal`: single-threaded, and the child must not
/// rely on the C library's cached thread id (raise, abort, pthread_*).
pub unsafe fn fork_into_cgroup(cgroup: impl AsFd) -> nix::Result<libc::pid_t> {
    let args = CloneArgs {
        flags: CLONE_INTO_CGROUP,
        exit_signal: libc::SIGCHLD as u64,
        cgroup: cgroup.as_fd().as_raw_fd() as u64,
        ..CloneArgs::default()
    };
    // No stack given: like fork, the child goes on from here on a copy of ours.
    let ret = libc::syscall(
        libc::SYS_clone3,
        &args as *const CloneArgs,
        std::mem::size_of::<CloneArgs>(),
    );
    check(ret).map(|pid| pid as libc::pid_t)
}

/// `setns(2)` on a namespace fd or a pidfd. With a pidfd, `flags` may name
/// several namespaces, which the kernel then joins all at once or not at all.
pub fn setns(fd: impl AsFd, flags: libc::c_int) -> nix::Result<()> {
    nix::sched::setns(fd, CloneFlags::from_bits_retain(flags))
}

/// Whether the process behind `pidfd` has exited (its pidfd polls readable).
pub fn pidfd_exited(pidfd: impl AsFd) -> nix::Result<bool> {
    let mut poll = libc::pollfd {
        fd: pidfd.as_fd().as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, no waiting.
    let ret = unsafe { libc::poll(&mut poll, 1, 0) };
    check(ret.into()).map(|n| n > 0)
}

/// A pipe whose two ends close on exec: (read end, write end).
pub fn pipe() -> nix::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two fds on success.
    check(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }.into())?;
    // SAFETY: both are new and ours alone.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Close every descriptor from 3 up except those in `keep`: a helper process
/// must not hold the pipes of other helpers, or they would never see EOF.
pub fn close_all_except(keep: &[libc::c_int]) {
    let mut first: libc::c_uint = 3;
    // The kept descriptors in increasing order: there are only a few, so
    // the smallest one left is picked each time, with no sort routine.
    while let Some(fd) = keep
        .iter()
        .filter_map(|&fd| libc::c_uint::try_from(fd).ok())
        .filter(|&fd| fd >= first)
        .min()
    {
        if fd > first {
            close_range(first, fd - 1);
        }
        first = fd + 1;
    }
    close_range(first, libc::c_uint::MAX);
}

/// Close the descriptors from `first` to `last`. close_range(2) came with
/// Linux 5.9; before it, close them one by one up to the descriptor limit.
/// System calls only, nothing allocated: fit for a process just cloned.
pub fn close_range(first: libc::c_uint, last: libc::c_uint) {
    // SAFETY: closing descriptors nobody in this process uses is sound.
    let ret = unsafe { libc::syscall(libc::SYS_close_range, first, last, 0) };
    if ret == 0 || Errno::last() != Errno::ENOSYS {
        return;
    }
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit fills the struct we pass.
    let open_max = match unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } {
        0 => limit.rlim_cur.min(u64::from(libc::c_uint::MAX)) as libc::c_uint,
        _ => 1024,
    };
    for fd in first..=last.min(open_max.saturating_sub(1)) {
        // SAFETY: as above.
        unsafe { libc::close(fd as libc::c_int) };
    }
}

/// statx(2) of the file behind `fd` itself, asking for `mask`.
fn statx_fd(fd: impl AsFd, mask: libc::c_uint) -> nix::Result<libc::statx> {
    let mut stx = std::mem::MaybeUninit::<libc::statx>::zeroed();
    // SAFETY: statx fills the buffer; an empty path with AT_EMPTY_PATH means fd itself.
    let ret = unsafe {
        libc::statx(
            fd.as_fd().as_raw_fd(),
            c"".as_ptr(),
            libc::AT_EMPTY_PATH,
            mask,
            stx.as_mut_ptr(),
        )
    };
    check(ret.into())?;
    // SAFETY: filled in by the successful call.
    Ok(unsafe { stx.assume_init() })
}

/// Whether the file of `stx` is the root of a mount (STATX_ATTR_MOUNT_ROOT,
/// Linux 5.8): a mount point, as the user sees it.
fn is_root_of_mount(stx: &libc::statx) -> nix::Result<bool> {
    let bit = libc::STATX_ATTR_MOUNT_ROOT as u64;
    if stx.stx_attributes_mask & bit == 0 {
        return Err(Errno::ENOSYS);
    }
    Ok(stx.stx_attributes & bit != 0)
}

/// Whether the file behind `fd` is the root of a mount.
pub fn is_mount_root(fd: impl AsFd) -> nix::Result<bool> {
    is_root_of_mount(&statx_fd(fd, 0)?)
}

/// The mount id of the mount that holds the file behind `fd`.
pub fn mount_id(fd: impl AsFd) -> nix::Result<u64> {
    let stx = statx_fd(fd, libc::STATX_MNT_ID)?;
    if stx.stx_mask & libc::STATX_MNT_ID == 0 {
        return Err(Errno::ENOSYS);
    }
    Ok(stx.stx_mnt_id)
}

/// The unique id (STATX_MNT_ID_UNIQUE, Linux 6.8) of the mount whose root
/// is the file behind `fd`, or None when that file is no mount root. Unlike
/// the id of `mount_id`, the kernel never hands it out again, so it tells a
/// mount from any that replaced it later. ENOSYS on older kernels.
pub fn mount_root_unique_id(fd: impl AsFd) -> nix::Result<Option<u64>> {
    let stx = statx_fd(fd, libc::STATX_MNT_ID_UNIQUE)?;
    if stx.stx_mask & libc::STATX_MNT_ID_UNIQUE == 0 {
        return Err(Errno::ENOSYS);
    }
    Ok(is_root_of_mount(&stx)?.then_some(stx.stx_mnt_id))
}

// <linux/capability.h>
const CAPABILITY_VERSION_3: u32 = 0x2008_0522;

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: libc::c_int,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// The capability sets of this process, as 64-bit masks:
/// (effective, permitted, inheritable).
pub(crate) fn capget() -> nix::Result<[u64; 3]> {
    let mut header = CapHeader {
        version: CAPABILITY_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: version 3 takes two data structs.
    check(unsafe { libc::syscall(libc::SYS_capget, &mut header, data.as_mut_ptr()) })?;
    let join = |f: fn(&CapData) -> u32| u64::from(f(&data[0])) | u64::from(f(&data[1])) << 32;
    Ok([
        join(|d| d.effective),
        join(|d| d.permitted),
        join(|d| d.inheritable),
    ])
}

/// Set the three sets, in capget's order.
pub(crate) fn capset(sets: [u64; 3]) -> nix::Result<()> {
    let mut header = CapHeader {
        version: CAPABILITY_VERSION_3,
        pid: 0,
    };
    let half = |mask: u64, high: bool| (if high { mask >> 32 } else { mask }) as u32;
    let data = [false, true].map(|high| CapData {
        effective: half(sets[0], high),
        permitted: half(sets[1], high),
        inheritable: half(sets[2], high),
    });
    // SAFETY: version 3 takes two data structs.
    check(unsafe { libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()) }).map(drop)
}

/// prctl(2) with two integer arguments, the rest zero (the calls nsbox makes
/// check that they are): its non-negative result, or the errno.
pub fn prctl(option: libc::c_int, arg2: u64, arg3: u64) -> nix::Result<libc::c_int> {
    // SAFETY: prctl with integer arguments only.
    let ret = unsafe { libc::prctl(option, arg2, arg3, 0 as libc::c_ulong, 0 as libc::c_ulong) };
    check(ret.into()).map(|v| v as libc::c_int)
}

/// PR_SET_DUMPABLE: a process that is not dumpable can be ptraced, and its
/// /proc files opened, only with CAP_SYS_PTRACE where it was exec'd.
pub fn set_dumpable(dumpable: bool) {
    // It cannot fail for 0 or 1.
    let _ = prctl(libc::PR_SET_DUMPABLE, u64::from(dumpable), 0);
}

/// Whether `cap` is in our effective set (in our own user namespace).
pub fn has_capability(cap: u32) -> bool {
    capget().is_ok_and(|[effective, ..]| effective & (1 << cap) != 0)
}

/// The highest capability number this kernel knows.
pub fn cap_last_cap() -> u32 {
    std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        // CAP_CHECKPOINT_RESTORE, the last one as of Linux 5.9.
        .unwrap_or(40)
}

/// Make every permitted capability ambient, so that it survives the exec of
/// a program without file capabilities. Ambient needs inheritable first.
pub fn permitted_to_ambient(last_cap: u32) -> crate::error::Result<()> {
    use crate::error::Context;
    let [effective, permitted, _] = capget().context(|| "capget failed")?;
    capset([effective, permitted, permitted]).context(|| "capset failed")?;
    for cap in (0..=last_cap.min(63)).filter(|c| permitted & (1 << c) != 0) {
        prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_RAISE as u64,
            cap.into(),
        )
        .context(|| "prctl(PR_CAP_AMBIENT) failed")?;
    }
    Ok(())
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
        assert_eq!(NS_GET_MNTNS_ID, 0x8008_b705);
        assert_eq!(NS_GET_ID, 0x8008_b70d);
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
    fn namespace_ids_are_unique() {
        let uts = std::fs::File::open("/proc/self/ns/uts").unwrap();
        let ipc = std::fs::File::open("/proc/self/ns/ipc").unwrap();
        let again = std::fs::File::open("/proc/self/ns/uts").unwrap();
        assert_ne!(ns_get_id(&uts).unwrap(), ns_get_id(&ipc).unwrap());
        assert_eq!(ns_get_id(&uts).unwrap(), ns_get_id(&again).unwrap());
    }

    #[test]
    fn pidfd_names_a_live_process() {
        let pidfd = pidfd_open(std::process::id() as i32).unwrap();
        pidfd_send_signal(&pidfd, 0).unwrap();
        assert_eq!(pidfd_open(-5).unwrap_err(), Errno::EINVAL);
    }
}

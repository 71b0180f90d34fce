//! `--hostname` and `--loopback`: the new UTS and network namespaces set up
//! by unshare itself, right after `unshare(2)`. Both namespaces are ours
//! from that moment (unlike a PID or time namespace, which only children
//! enter), and we still hold every capability in a new user namespace:
//! nothing later (`-S`, the exec) has dropped them yet.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use nix::errno::Errno;

use crate::error::{Context, Error, Result};

/// sethostname(2) in our (new) UTS namespace.
pub fn set_hostname(name: &std::ffi::OsStr) -> Result<()> {
    nix::unistd::sethostname(name).context(|| "cannot set the hostname")
}

/// Set IFF_UP on `lo`, as `ip link set lo up` does, by the interface
/// ioctls on a datagram socket: a socket belongs to the network namespace
/// it is created in, here the new one. The kernel then gives `lo` its
/// addresses, 127.0.0.1/8 and ::1, by itself. The socket is closed before
/// we return, so the program never sees it.
pub fn bring_up_loopback() -> Result<()> {
    let what = "cannot bring up the loopback interface";
    // SAFETY: plain system call; the descriptor is checked below.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(Error::sys(format!("{what}: socket failed"), Errno::last()));
    }
    // SAFETY: a new descriptor, ours alone.
    let socket = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: ifreq is plain data; all zeroes is a valid value.
    let mut request: libc::ifreq = unsafe { std::mem::zeroed() };
    for (to, from) in request.ifr_name.iter_mut().zip(b"lo") {
        *to = *from as libc::c_char;
    }
    interface_ioctl(&socket, libc::SIOCGIFFLAGS, &mut request)
        .context(|| format!("{what}: SIOCGIFFLAGS failed"))?;
    // SAFETY: SIOCGIFFLAGS filled in the flags member of the union.
    unsafe { request.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short };
    interface_ioctl(&socket, libc::SIOCSIFFLAGS, &mut request)
        .context(|| format!("{what}: SIOCSIFFLAGS failed"))
}

fn interface_ioctl(
    socket: &OwnedFd,
    request: libc::c_ulong,
    ifreq: &mut libc::ifreq,
) -> nix::Result<()> {
    // SAFETY: both requests read and write one ifreq, which we own.
    let ret = unsafe { libc::ioctl(socket.as_raw_fd(), request as _, ifreq as *mut libc::ifreq) };
    Errno::result(ret).map(drop)
}

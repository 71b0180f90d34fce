#!/usr/bin/env python3
"""Install seccomp filters on ourselves, then exec a program: the tests'
stand-in for a container runtime's seccomp profile.

    seccomp_filter.py [--errno SYSCALL:ERRNO]... [--notify SYSCALL] -- PROGRAM [ARG]...

Each --errno installs one filter under which SYSCALL fails with ERRNO
(later filters are newer; among equal actions the newest filter's errno is
the one a process sees). --notify installs a filter that hands SYSCALL to a
user-notification listener, which this process keeps open: such a filter
cannot be copied to another process. no_new_privs must already be set
(setpriv --no-new-privs), or the caller must have CAP_SYS_ADMIN.
"""
import ctypes
import os
import platform
import struct
import sys

ARCH = {  # AUDIT_ARCH_*, and the numbers of the system calls the tests use
    "x86_64": (0xC000003E, {"getpriority": 140, "uname": 63, "seccomp": 317, "clone3": 435}),
    "aarch64": (0xC00000B7, {"getpriority": 141, "uname": 160, "seccomp": 277, "clone3": 435}),
}
BPF_LD_W_ABS, BPF_JEQ_K, BPF_RET_K = 0x20, 0x15, 0x06
RET_ALLOW, RET_ERRNO, RET_USER_NOTIF, RET_KILL_PROCESS = 0x7FFF0000, 0x00050000, 0x7FC00000, 0x80000000
SECCOMP_SET_MODE_FILTER, FLAG_NEW_LISTENER = 1, 1 << 3

libc = ctypes.CDLL(None, use_errno=True)
audit_arch, numbers = ARCH[platform.machine()]


def program(nr, action):
    """A filter: other architectures are killed, NR gets ACTION, the rest pass."""
    insns = [
        (BPF_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (BPF_JEQ_K, 1, 0, audit_arch),
        (BPF_RET_K, 0, 0, RET_KILL_PROCESS),
        (BPF_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
        (BPF_JEQ_K, 0, 1, nr),
        (BPF_RET_K, 0, 0, action),
        (BPF_RET_K, 0, 0, RET_ALLOW),
    ]
    raw = b"".join(struct.pack("HBBI", *i) for i in insns)
    buf = ctypes.create_string_buffer(raw, len(raw))
    prog = struct.pack("HxxxxxxQ", len(insns), ctypes.addressof(buf))
    return buf, ctypes.create_string_buffer(prog, len(prog))


def install(nr, action, flags=0):
    keep, prog = program(nr, action)
    ret = libc.syscall(numbers["seccomp"], SECCOMP_SET_MODE_FILTER, flags, prog)
    if ret < 0:
        err = ctypes.get_errno()
        sys.exit(f"seccomp_filter.py: seccomp: {os.strerror(err)}")
    return ret


args = sys.argv[1:]
while args and args[0] != "--":
    option, value = args[0], args[1]
    args = args[2:]
    if option == "--errno":
        name, errno = value.split(":")
        install(numbers[name], RET_ERRNO | int(errno))
    elif option == "--notify":
        listener = install(numbers[value], RET_USER_NOTIF, FLAG_NEW_LISTENER)
        os.set_inheritable(listener, True)
    else:
        sys.exit(f"seccomp_filter.py: unknown option {option}")
os.execvp(args[1], args[1:])

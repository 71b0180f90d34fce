#!/usr/bin/env python3
"""Install seccomp filters on ourselves, then exec a program: the tests'
stand-in for a container runtime's seccomp profile.

    seccomp_filter.py [--errno|--log SYSCALL:ERRNO]... [--notify SYSCALL] -- PROGRAM [ARG]...
    seccomp_filter.py [--errno SYSCALL:ERRNO]... --stay
    seccomp_filter.py --dump PID

Each --errno installs one filter under which SYSCALL fails with ERRNO
(later filters are newer; among equal actions the newest filter's errno is
the one a process sees); --log does the same with SECCOMP_FILTER_FLAG_LOG.
--notify installs a filter that hands SYSCALL to a
user-notification listener, which this process keeps open: such a filter
cannot be copied to another process. no_new_privs must already be set
(setpriv --no-new-privs), or the caller must have CAP_SYS_ADMIN.

With --stay instead of a program, it waits under its filters until it is
killed (for a filter that forbids execve(2) itself).

--dump prints the filters of process PID as ptrace(2) shows them, in the
kernel's index order (the oldest first), one line each: the flags
PTRACE_SECCOMP_GET_METADATA reports, then the instructions in hex. It
stops the process only while reading (PTRACE_SEIZE, PTRACE_INTERRUPT), and
a process that is not under filters prints nothing. A reference apart from
nsenter's own reader, for the tests to compare a copy with its original.
"""
import ctypes
import os
import platform
import signal
import struct
import sys

ARCH = {  # AUDIT_ARCH_*, and the numbers of the system calls the tests use
    "x86_64": (0xC000003E, {"getpriority": 140, "uname": 63, "seccomp": 317, "clone3": 435, "execve": 59}),
    "aarch64": (0xC00000B7, {"getpriority": 141, "uname": 160, "seccomp": 277, "clone3": 435, "execve": 221}),
}
BPF_LD_W_ABS, BPF_JEQ_K, BPF_RET_K = 0x20, 0x15, 0x06
RET_ALLOW, RET_ERRNO, RET_USER_NOTIF, RET_KILL_PROCESS = 0x7FFF0000, 0x00050000, 0x7FC00000, 0x80000000
SECCOMP_SET_MODE_FILTER, FLAG_LOG, FLAG_NEW_LISTENER = 1, 1 << 1, 1 << 3
PTRACE_DETACH, PTRACE_SEIZE, PTRACE_INTERRUPT = 17, 0x4206, 0x4207
PTRACE_SECCOMP_GET_FILTER, PTRACE_SECCOMP_GET_METADATA = 0x420C, 0x420D
WALL = 0x40000000

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


def dump(pid):
    libc.ptrace.restype = ctypes.c_long
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]

    def ptrace(request, addr=0, data=None):
        ret = libc.ptrace(request, pid, addr, data)
        if ret < 0:
            return -ctypes.get_errno()
        return ret

    if ptrace(PTRACE_SEIZE) < 0 or ptrace(PTRACE_INTERRUPT) < 0:
        sys.exit(f"seccomp_filter.py: cannot seize {pid}: {os.strerror(ctypes.get_errno())}")
    os.waitpid(pid, WALL)
    lines, index = [], 0
    while (count := ptrace(PTRACE_SECCOMP_GET_FILTER, index)) > 0:
        insns = ctypes.create_string_buffer(8 * count)
        ptrace(PTRACE_SECCOMP_GET_FILTER, index, insns)
        metadata = ctypes.create_string_buffer(struct.pack("QQ", index, 0), 16)
        ptrace(PTRACE_SECCOMP_GET_METADATA, 16, metadata)
        lines.append(f"flags={struct.unpack('QQ', metadata.raw)[1]} {insns.raw.hex()}")
        index += 1
    ptrace(PTRACE_DETACH)
    for line in lines:
        print(line)


args = sys.argv[1:]
if args[:1] == ["--dump"]:
    dump(int(args[1]))
    sys.exit(0)
while args and args[0] not in ("--", "--stay"):
    option, value = args[0], args[1]
    args = args[2:]
    if option == "--errno":
        name, errno = value.split(":")
        install(numbers[name], RET_ERRNO | int(errno))
    elif option == "--log":
        name, errno = value.split(":")
        install(numbers[name], RET_ERRNO | int(errno), FLAG_LOG)
    elif option == "--notify":
        listener = install(numbers[value], RET_USER_NOTIF, FLAG_NEW_LISTENER)
        os.set_inheritable(listener, True)
    else:
        sys.exit(f"seccomp_filter.py: unknown option {option}")
if args == ["--stay"]:
    while True:
        os.read(sys.stdin.fileno(), 1) or signal.pause()
os.execvp(args[1], args[1:])

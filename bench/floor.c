/* floor.c: the least a program can do for each workload of the benchmark.
 *
 * Built from this one source with -DNOLIBC (raw system calls, its own
 * _start, no C library: the kernel's floor), against glibc, static (the same
 * calls through glibc's wrappers, after glibc's start-up: the floor for any
 * tool built on glibc, Rust's std included), and against musl, static, when
 * musl-gcc is there (a C library whose start-up runs no `cpuid`).
 * Each mode does exactly the kernel work of one workload and nothing else:
 * no option parsing beyond the mode, no error messages (a failure exits 1).
 *
 *   floor user PROG               unshare -Ur PROG
 *   floor user-all PROG           unshare -Urmnuipf PROG
 *   floor enter PID FLAGS PROG    nsenter -t PID ... PROG (FLAGS: CLONE_NEW* bits,
 *                                 decimal; CLONE_NEWUSER also sets ids to 0)
 *   floor setns FILE PROG         setns-test FILE PROG
 *   floor bind NSFILE TARGET      nsbind NSFILE TARGET
 *   floor unbind TARGET           nsbind --unbind TARGET
 *
 * x86-64 Linux only.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#ifndef UMOUNT_NOFOLLOW
#define UMOUNT_NOFOLLOW 8
#endif

#ifdef NOLIBC
#include "nolibc.h"
static int f_open(const char *p, int fl, int mode) { return SYS(SYS_openat, AT_FDCWD, p, fl, mode, 0); }
static long f_write(int fd, const void *b, long n) { return SYS(SYS_write, fd, b, n, 0, 0); }
static int f_close(int fd) { return SYS(SYS_close, fd, 0, 0, 0, 0); }
static int f_unshare(int fl) { return SYS(SYS_unshare, fl, 0, 0, 0, 0); }
static int f_setns(int fd, int t) { return SYS(SYS_setns, fd, t, 0, 0, 0); }
static int f_getuid(void) { return SYS(SYS_getuid, 0, 0, 0, 0, 0); }
static int f_getgid(void) { return SYS(SYS_getgid, 0, 0, 0, 0, 0); }
static int f_setgid(int g) { return SYS(SYS_setgid, g, 0, 0, 0, 0); }
static int f_setuid(int u) { return SYS(SYS_setuid, u, 0, 0, 0, 0); }
static int f_pidfd_open(int pid) { return SYS(SYS_pidfd_open, pid, 0, 0, 0, 0); }
static int f_fork(void) { return SYS(SYS_clone, 17 /* SIGCHLD */, 0, 0, 0, 0); }
static int f_wait(int pid, int *st) { return SYS(SYS_wait4, pid, st, 0, 0, 0); }
static int f_mount(const char *s, const char *t, unsigned long fl)
{
    return SYS(SYS_mount, s, t, 0, fl, 0);
}
static int f_umount2(const char *t, int fl) { return SYS(SYS_umount2, t, fl, 0, 0, 0); }
static int f_unlink(const char *p) { return SYS(SYS_unlinkat, AT_FDCWD, p, 0, 0, 0); }
static int f_execve(const char *p, char **a, char **e) { return SYS(SYS_execve, p, a, e, 0, 0); }
static void __attribute__((noreturn)) f_exit(int c) { sys_exit(c); }
#else
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
static int f_open(const char *p, int fl, int mode) { return open(p, fl, mode); }
static long f_write(int fd, const void *b, long n) { return write(fd, b, n); }
static int f_close(int fd) { return close(fd); }
static int f_unshare(int fl) { return unshare(fl); }
static int f_setns(int fd, int t) { return setns(fd, t); }
static int f_getuid(void) { return getuid(); }
static int f_getgid(void) { return getgid(); }
static int f_setgid(int g) { return setgid(g); }
static int f_setuid(int u) { return setuid(u); }
static int f_pidfd_open(int pid) { return syscall(SYS_pidfd_open, pid, 0); }
static int f_fork(void) { return fork(); }
static int f_wait(int pid, int *st) { return waitpid(pid, st, 0); }
static int f_mount(const char *s, const char *t, unsigned long fl)
{
    return mount(s, t, 0, fl, 0);
}
static int f_umount2(const char *t, int fl) { return umount2(t, fl); }
static int f_unlink(const char *p) { return unlink(p); }
static int f_execve(const char *p, char **a, char **e) { return execve(p, a, e); }
static void __attribute__((noreturn)) f_exit(int c) { _exit(c); }
#endif

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static long number(const char *s)
{
    long n = 0;
    while (*s >= '0' && *s <= '9')
        n = n * 10 + (*s++ - '0');
    return n;
}

/* "0 ID 1": the caller's id, mapped to root. Returns the length. */
static int root_map(char *buf, unsigned id)
{
    char digits[12];
    int n = 0, len = 0;
    do
        digits[n++] = '0' + id % 10;
    while (id /= 10);
    buf[len++] = '0';
    buf[len++] = ' ';
    while (n)
        buf[len++] = digits[--n];
    buf[len++] = ' ';
    buf[len++] = '1';
    return len;
}

static void write_file(const char *path, const char *data, int len)
{
    int fd = f_open(path, O_WRONLY | O_CLOEXEC, 0);
    if (fd < 0 || f_write(fd, data, len) != len)
        f_exit(1);
    f_close(fd);
}

/* unshare -r: the caller's ids become root in a new user namespace. */
static void unshare_as_root(int flags)
{
    char map[32];
    unsigned uid = f_getuid(), gid = f_getgid();
    if (f_unshare(CLONE_NEWUSER | flags) < 0)
        f_exit(1);
    write_file("/proc/self/uid_map", map, root_map(map, uid));
    write_file("/proc/self/setgroups", "deny", 4);
    write_file("/proc/self/gid_map", map, root_map(map, gid));
}

static void __attribute__((noreturn)) run(char **argv, char **envp)
{
    f_execve(argv[0], argv, envp);
    f_exit(127);
}

/* Run the program in a child and exit as it did, as unshare -f and
 * nsenter -p do (a PID namespace applies to children only). */
static void __attribute__((noreturn)) fork_and_run(char **argv, char **envp,
                                                   int private_mounts)
{
    int status = 0, pid = f_fork();
    if (pid < 0)
        f_exit(1);
    if (pid == 0) {
        if (private_mounts && f_mount("none", "/", MS_REC | MS_PRIVATE) < 0)
            f_exit(1);
        run(argv, envp);
    }
    if (f_wait(pid, &status) < 0)
        f_exit(1);
    f_exit((status & 0x7f) ? 128 + (status & 0x7f) : (status >> 8) & 0xff);
}

static int floor_main(int argc, char **argv, char **envp)
{
    const char *mode = argc > 1 ? argv[1] : "";

    if (streq(mode, "user") && argc > 2) {
        unshare_as_root(0);
        run(argv + 2, envp);
    }
    if (streq(mode, "user-all") && argc > 2) {
        unshare_as_root(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC |
                        CLONE_NEWPID);
        fork_and_run(argv + 2, envp, 1);
    }
    if (streq(mode, "enter") && argc > 4) {
        /* One pidfd, one setns for every kind (5.8+). Entering a user
         * namespace, the ids become root's, as nsenter's default is. */
        int flags = number(argv[3]);
        int pidfd = f_pidfd_open(number(argv[2]));
        if (pidfd < 0 || f_setns(pidfd, flags) < 0)
            f_exit(1);
        if ((flags & CLONE_NEWUSER) && (f_setgid(0) < 0 || f_setuid(0) < 0))
            f_exit(1);
        f_close(pidfd);
        fork_and_run(argv + 4, envp, 0);
    }
    if (streq(mode, "setns") && argc > 3) {
        int fd = f_open(argv[2], O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0 || f_setns(fd, 0) < 0)
            f_exit(1);
        run(argv + 3, envp);
    }
    if (streq(mode, "bind") && argc == 4) {
        /* Created without following a link, bound through its descriptor. */
        char path[32] = "/proc/self/fd/";
        int fd = f_open(argv[3], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
        if (fd < 0)
            f_exit(1);
        if (fd > 9)
            path[14] = '0' + fd / 10, path[15] = '0' + fd % 10, path[16] = 0;
        else
            path[14] = '0' + fd, path[15] = 0;
        if (f_mount(argv[2], path, MS_BIND) < 0)
            f_exit(1);
        return 0;
    }
    if (streq(mode, "unbind") && argc == 3) {
        if (f_umount2(argv[2], MNT_DETACH | UMOUNT_NOFOLLOW) < 0 || f_unlink(argv[2]) < 0)
            f_exit(1);
        return 0;
    }
    return 2;
}

#ifdef NOLIBC
int nolibc_main(int argc, char **argv, char **envp) { return floor_main(argc, argv, envp); }
#else
int main(int argc, char **argv, char **envp) { return floor_main(argc, argv, envp); }
#endif

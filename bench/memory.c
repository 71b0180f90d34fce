/* memory.c: the peak resident memory and the page faults of a tool, up to
 * the moment it execs the program it was asked to run.
 *
 *   memory PROG [ARG...]
 *
 * Runs PROG under ptrace, stopping it at the entry of every system call
 * (PTRACE_SYSCALL), and following every process it forks. At each stop it
 * reads the process's resident set from /proc/PID/smaps_rollup (the kernel
 * walks the page tables: exact, where wait4's ru_maxrss and VmHWM come from
 * per-CPU counters that can lag by over a hundred KiB on this kernel) and
 * its minor page faults from /proc/PID/stat (for PROG, those since its
 * execve: the ones of our fork before are not its). A process is followed from its
 * start (PROG: from its execve) until it execs again (the program: no longer
 * the tool) or exits.
 *
 * Prints "PEAK_RSS_KB MINFLT": the largest resident set seen in any of the
 * tool's processes, and the page faults of all of them. Exits with PROG's
 * status. Sampled at system calls: memory touched and released between two
 * calls is missed, which a tool that execs at once hardly does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace.h"

#define MAX_PROCS 64

struct proc {
    pid_t pid;
    int started;
    unsigned long faults, faults_before; /* PROG's count includes our fork's */
};

static struct proc procs[MAX_PROCS];
static int nprocs;
static unsigned long peak_kb, faults;

static struct proc *find(pid_t pid)
{
    for (int i = 0; i < nprocs; i++)
        if (procs[i].pid == pid)
            return &procs[i];
    if (nprocs == MAX_PROCS) {
        fprintf(stderr, "memory: too many processes\n");
        exit(1);
    }
    procs[nprocs] = (struct proc){.pid = pid, .started = 1};
    return &procs[nprocs++];
}

/* Done with a process: its page faults count. */
static void forget(pid_t pid)
{
    for (int i = 0; i < nprocs; i++)
        if (procs[i].pid == pid) {
            faults += procs[i].faults - procs[i].faults_before;
            procs[i] = procs[--nprocs];
        }
}

static void sample(struct proc *p)
{
    char path[64], line[256];
    FILE *f;
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", p->pid);
    if ((f = fopen(path, "r"))) {
        unsigned long kb;
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "Rss: %lu kB", &kb) == 1 && kb > peak_kb)
                peak_kb = kb;
        fclose(f);
    }
    snprintf(path, sizeof path, "/proc/%d/stat", p->pid);
    if ((f = fopen(path, "r"))) {
        /* Field 10; the name (field 2) is in parentheses and may hold spaces. */
        if (fgets(line, sizeof line, f)) {
            char *rest = strrchr(line, ')');
            unsigned long minflt;
            if (rest && sscanf(rest + 2, "%*c %*d %*d %*d %*d %*d %*u %lu", &minflt) == 1)
                p->faults = minflt;
        }
        fclose(f);
    }
}

int main(int argc, char **argv)
{
    int status, code = 1;
    pid_t prog = start_traced(argc, argv, "memory",
                        PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEFORK |
                            PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL);
    find(prog)->started = 0;
    ptrace(PTRACE_SYSCALL, prog, 0, 0);

    while (nprocs > 0) {
        pid_t pid = waitpid(-1, &status, __WALL);
        struct proc *p;
        int sig = 0;
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            if (pid == prog)
                code = exit_code(status);
            forget(pid);
            continue;
        }
        p = find(pid); /* a new child can report before its parent's event */
        if (status >> 16 == PTRACE_EVENT_EXEC) {
            if (!p->started) {
                p->started = 1;
                sample(p);
                p->faults_before = p->faults;
            } else {
                /* The tool has handed over to the program. */
                ptrace(PTRACE_DETACH, pid, 0, 0);
                forget(pid);
                continue;
            }
        } else if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
            struct __ptrace_syscall_info info;
            if (p->started &&
                ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof info, &info) > 0 &&
                info.op == PTRACE_SYSCALL_INFO_ENTRY)
                sample(p);
        } else if (status >> 16 == 0 && WSTOPSIG(status) != SIGTRAP &&
                   WSTOPSIG(status) != SIGSTOP) {
            sig = WSTOPSIG(status); /* a real signal: deliver it */
        }
        ptrace(PTRACE_SYSCALL, pid, 0, sig);
    }
    if (waitpid(prog, &status, 0) == prog)
        code = exit_code(status);
    printf("%lu %lu\n", peak_kb, faults);
    return code;
}

/* steps.c: count the instructions a tool executes, and how many of them are
 * `cpuid`, before it execs the program it was asked to run.
 *
 *   steps PROG [ARG...]
 *
 * Runs PROG under ptrace, one instruction at a time (PTRACE_SINGLESTEP),
 * following every process it forks. A process is counted from its start
 * (for PROG itself: from its execve) until it execs again (the program it
 * runs: no longer the tool's work) or exits. An instruction is counted when
 * the instruction pointer moves, so a `rep`-prefixed string instruction counts
 * once, whatever its length. `cpuid` (0f a2) is counted apart: on a virtual
 * machine each one traps to the hypervisor, which costs far more than its
 * single instruction.
 *
 * Prints one line, "INSTRUCTIONS CPUIDS", and exits with PROG's status.
 * Slow (a few microseconds a step): a diagnosis, not a timing.
 * x86-64 Linux only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace.h"

#define MAX_PROCS 64

struct proc {
    pid_t pid;
    int started; /* PROG itself starts at its execve; children at once */
    unsigned long long last_ip;
};

static struct proc procs[MAX_PROCS];
static int nprocs;

static struct proc *find(pid_t pid, int add)
{
    for (int i = 0; i < nprocs; i++)
        if (procs[i].pid == pid)
            return &procs[i];
    if (!add)
        return NULL;
    if (nprocs == MAX_PROCS) {
        fprintf(stderr, "steps: too many processes\n");
        exit(1);
    }
    procs[nprocs] = (struct proc){.pid = pid, .started = 1};
    return &procs[nprocs++];
}

static void forget(pid_t pid)
{
    for (int i = 0; i < nprocs; i++)
        if (procs[i].pid == pid)
            procs[i] = procs[--nprocs];
}

int main(int argc, char **argv)
{
    unsigned long long instructions = 0, cpuids = 0;
    int status, code = 1;
    pid_t prog = start_traced(argc, argv, "steps",
                        PTRACE_O_TRACEEXEC | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                            PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL);
    find(prog, 1)->started = 0;
    ptrace(PTRACE_CONT, prog, 0, 0);

    while (nprocs > 0) {
        pid_t pid = waitpid(-1, &status, __WALL);
        struct proc *p;
        int sig = 0, event;
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
        p = find(pid, 1); /* a new child can report before its parent's event */
        event = status >> 16;
        if (event == PTRACE_EVENT_EXEC) {
            if (!p->started) {
                p->started = 1;
            } else {
                /* The tool has handed over to the program: stop counting it,
                 * let it run on untraced. */
                ptrace(PTRACE_DETACH, pid, 0, 0);
                if (pid != prog)
                    forget(pid);
                else
                    p->started = 2; /* still wait for PROG's exit status */
                continue;
            }
        } else if (event == 0 && WSTOPSIG(status) != SIGTRAP && WSTOPSIG(status) != SIGSTOP) {
            sig = WSTOPSIG(status); /* a real signal: deliver it */
        }
        if (p->started == 1) {
            struct user_regs_struct regs;
            if (ptrace(PTRACE_GETREGS, pid, 0, &regs) == 0) {
                long word;
                if (regs.rip != p->last_ip) {
                    instructions++;
                    p->last_ip = regs.rip;
                }
                errno = 0;
                word = ptrace(PTRACE_PEEKTEXT, pid, regs.rip, 0);
                if (errno == 0 && (word & 0xffff) == 0xa20f)
                    cpuids++;
            }
            ptrace(PTRACE_SINGLESTEP, pid, 0, sig);
        } else {
            ptrace(PTRACE_CONT, pid, 0, sig);
        }
    }
    /* PROG may have been detached at its exec: collect its status. */
    if (waitpid(prog, &status, 0) == prog)
        code = exit_code(status);
    printf("%llu %llu\n", instructions, cpuids);
    return code;
}

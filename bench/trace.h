/* trace.h: what memory.c and steps.c share. Each runs a tool under ptrace,
 * following every process it forks, from the tool's execve on. */
#ifndef NSBOX_BENCH_TRACE_H
#define NSBOX_BENCH_TRACE_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

/* Fork argv[1] with argv[1..] as its arguments, stopped before its execve
 * under our ptrace with OPTIONS (PTRACE_O_*), and give its PID: the caller
 * resumes it. `name` is for the usage message; exits on misuse. */
static pid_t start_traced(int argc, char **argv, const char *name, long options)
{
    int status;
    pid_t prog;

    if (argc < 2) {
        fprintf(stderr, "usage: %s PROG [ARG...]\n", name);
        exit(2);
    }
    prog = fork();
    if (prog < 0) {
        perror("fork");
        exit(1);
    }
    if (prog == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        raise(SIGSTOP);
        execv(argv[1], argv + 1);
        _exit(127);
    }
    waitpid(prog, &status, 0);
    ptrace(PTRACE_SETOPTIONS, prog, 0, options);
    return prog;
}

/* A wait status as a shell's exit status: the code, or 128 + the signal. */
static int exit_code(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#endif

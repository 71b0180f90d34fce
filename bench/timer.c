/* timer.c: the benchmark's timing driver.
 *
 *   timer ROUNDS RUNS SPECFILE
 *
 * SPECFILE has one tool per line: its name, then the argv of each command
 * it runs, fields separated by tabs; a field "&&" separates one command
 * from the next (a call of the tool is then the whole sequence, run one
 * after the other, each of which must succeed). Lines starting with # are
 * ignored.
 *
 * Interleaved rounds: in each round every tool runs RUNS calls back to back,
 * then the next tool; the order rotates by one tool each round so that no
 * tool always follows the same one. A call is fork, execve, wait4, timed
 * with CLOCK_MONOTONIC from before the fork to after the wait. Children get
 * stdin and stdout on /dev/null, our stderr and our environment.
 *
 * Output, one line per round and tool, tab-separated:
 *   ROUND TOOL MEDIAN_NS MIN_NS
 * the median and the minimum of the round's RUNS calls. (Memory is measured
 * apart, by rss.c: a child forked from this process starts as a copy of it,
 * which the kernel counts towards the child's peak.)
 * A call that fails (non-zero status, or a signal) stops everything, exit 1.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TOOLS 32
#define MAX_CMDS 4
#define MAX_ARGS 64

struct tool {
    char *name;
    int ncmds;
    char *argv[MAX_CMDS][MAX_ARGS];
};

extern char **environ;
static struct tool tools[MAX_TOOLS];
static int ntools;
static int devnull;

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void read_spec(const char *path)
{
    static char buf[1 << 16];
    FILE *f = fopen(path, "r");
    if (!f)
        die(path);
    while (fgets(buf, sizeof buf, f)) {
        char *line = strdup(buf), *field, *save = NULL;
        struct tool *t;
        int argc = 0;
        line[strcspn(line, "\n")] = 0;
        if (!*line || *line == '#')
            continue;
        if (ntools == MAX_TOOLS) {
            fprintf(stderr, "timer: too many tools\n");
            exit(1);
        }
        t = &tools[ntools++];
        t->name = strtok_r(line, "\t", &save);
        t->ncmds = 1;
        while ((field = strtok_r(NULL, "\t", &save))) {
            if (!strcmp(field, "&&")) {
                if (t->ncmds == MAX_CMDS) {
                    fprintf(stderr, "timer: %s: too many commands\n", t->name);
                    exit(1);
                }
                t->argv[t->ncmds - 1][argc] = NULL;
                t->ncmds++, argc = 0;
                continue;
            }
            if (argc == MAX_ARGS - 1) {
                fprintf(stderr, "timer: %s: too many arguments\n", t->name);
                exit(1);
            }
            t->argv[t->ncmds - 1][argc++] = field;
        }
        t->argv[t->ncmds - 1][argc] = NULL;
        if (argc == 0) {
            fprintf(stderr, "timer: %s: empty command\n", t->name);
            exit(1);
        }
    }
    fclose(f);
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One call of a tool: its commands in turn. Returns the time taken. */
static long long call(const struct tool *t)
{
    long long start = now_ns();
    for (int c = 0; c < t->ncmds; c++) {
        int status;
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
            execve(t->argv[c][0], t->argv[c], environ);
            _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0)
            die("waitpid");
        if (status != 0) {
            fprintf(stderr, "timer: %s: %s failed (status %#x)\n", t->name, t->argv[c][0],
                    status);
            exit(1);
        }
    }
    return now_ns() - start;
}

static int by_value(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int rounds, runs;
    long long *times;
    if (argc != 4) {
        fprintf(stderr, "usage: timer ROUNDS RUNS SPECFILE\n");
        return 2;
    }
    rounds = atoi(argv[1]);
    runs = atoi(argv[2]);
    if (rounds < 1 || runs < 1) {
        fprintf(stderr, "timer: ROUNDS and RUNS must be positive\n");
        return 2;
    }
    read_spec(argv[3]);
    devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0)
        die("/dev/null");
    times = calloc(runs, sizeof *times);
    if (!times)
        die("calloc");
    for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < ntools; k++) {
            int i = (r + k) % ntools;
            for (int n = 0; n < runs; n++)
                times[n] = call(&tools[i]);
            qsort(times, runs, sizeof *times, by_value);
            printf("%d\t%s\t%lld\t%lld\n", r, tools[i].name,
                   runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2,
                   times[0]);
        }
        fflush(stdout);
    }
    return 0;
}

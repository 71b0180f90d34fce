"""The workloads, and the four measurements of each: system calls, time,
memory and (optionally) instructions.

Every tool runs with the same small environment (ENV) and runs the same
program: target/bench/true, which exits at once (bench/true.c).
"""

import ctypes
import os
import signal
import statistics
import subprocess
import sys
import time

import prepare
import syscount

ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
       "LANG": "C.UTF-8"}

CLONE = {"mnt": 0x00020000, "cgroup": 0x02000000, "uts": 0x04000000,
         "ipc": 0x08000000, "user": 0x10000000, "pid": 0x20000000,
         "net": 0x40000000, "time": 0x00000080}
MS_BIND, MS_REC, MS_PRIVATE = 0x1000, 0x4000, 0x40000
MNT_DETACH = 2

libc = ctypes.CDLL(None, use_errno=True)


def checked(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        sys.exit("bench: %s: %s" % (what, os.strerror(errno)))


def mount(source, target, fstype, flags):
    checked(libc.mount(source.encode(), target.encode(),
                       fstype.encode() if fstype else None, flags, None),
            "mount %s on %s" % (source, target))


def umount(target):
    checked(libc.umount2(target.encode(), MNT_DETACH), "umount " + target)


def private_mount_namespace():
    """Move this (single-threaded) process into a mount namespace of its own
    where nothing propagates back: the benchmark's mounts and binds stay
    there, and go when it ends."""
    checked(libc.unshare(CLONE["mnt"]), "unshare(CLONE_NEWNS)")
    mount("none", "/", None, MS_REC | MS_PRIVATE)


class Tool:
    """One row of a workload: a name, what it is, and its command(s).

    kind is "nsbox" (the static build, the one the targets are about),
    "variant" (nsbox built otherwise: dynamic, against musl, --extra),
    "peer" or "floor". A call of the tool is its commands one after the
    other (the nsbind pair has two)."""

    def __init__(self, name, kind, *commands):
        self.name = name
        self.kind = kind
        self.commands = [list(map(str, c)) for c in commands]


class Target:
    """A process in fresh namespaces of every kind, for nsenter to enter:
    util-linux's unshare runs `sleep infinity` as PID 1 of a new PID
    namespace, in a new user namespace (root mapped to root) and new mount,
    UTS, IPC, network, cgroup and time namespaces. /proc is left as it is
    (toybox's nsenter opens the later namespace files after entering the
    mount namespace, through /proc)."""

    def __enter__(self):
        argv = [prepare.UNSHARE, "--kill-child", "-U", "--map-root-user", "-m", "-u", "-i",
                "-n", "-p", "-C", "-T", "--fork", "/bin/sleep", "infinity"]
        # Its complaint when we kill the sleep at the end (util-linux 2.38
        # cannot re-raise SIGKILL) is of no interest.
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.pid = None
        children = "/proc/%d/task/%d/children" % (self.proc.pid, self.proc.pid)
        for _ in range(500):
            try:
                with open(children) as f:
                    pids = f.read().split()
                if pids and os.readlink("/proc/%s/exe" % pids[0]).endswith("/sleep"):
                    self.pid = int(pids[0])
                    break
            except OSError:
                pass
            time.sleep(0.01)
        if self.pid is None:
            self.__exit__(None, None, None)
            sys.exit("bench: the target process did not start")
        return self

    def kinds_apart(self):
        """The namespace kinds in which the target is not where we are."""
        ours = lambda pid, kind: os.stat("/proc/%s/ns/%s" % (pid, kind)).st_ino
        return [k for k in CLONE if ours("self", k) != ours(self.pid, k)]

    def __exit__(self, *exc):
        # PID 1 of a PID namespace can be killed from outside by SIGKILL only;
        # unshare then exits (--kill-child also covers our own death).
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
        else:
            self.proc.kill()
        self.proc.wait()


def workloads(paths, versions, target, pin):
    """Each workload: its name, and its tools, peers only where they have
    the feature (bench/README.md says which and why)."""
    true = paths["true"]
    nsbox, dyn = paths["nsbox"], paths["nsbox_dynamic"]
    bb, tb = prepare.BUSYBOX, prepare.TOYBOX
    util = "util-linux %s" % versions["util-linux"]
    busybox = "busybox %s" % versions["busybox"]
    toybox = "toybox %s" % versions["toybox"]
    pid = str(target.pid)
    ns = "/proc/%s/ns/" % pid
    apart = sum(CLONE[k] for k in target.kinds_apart())
    enter5 = sum(CLONE[k] for k in ("mnt", "uts", "ipc", "net", "pid"))

    floor_builds = [("floor: no libc", paths["floor-nolibc"]),
                    ("floor: glibc static", paths["floor-glibc"]),
                    ("floor: musl static", paths["floor-musl"])]

    def floors(*argv):
        return [Tool(name, "floor", [path] + list(argv)) for name, path in floor_builds]

    builds = [("nsbox", "nsbox", nsbox), ("nsbox (dynamic)", "variant", dyn)]
    builds += [(name, "variant", path) for name, path in paths["variants"]]

    def nsboxes(*argv):
        return [Tool(name, kind, [path] + list(argv)) for name, kind, path in builds]

    return [
        ("unshare -Ur true",
         nsboxes("unshare", "-Ur", true)
         + [Tool(util, "peer", [prepare.UNSHARE, "-Ur", true]),
            Tool(busybox, "peer", [bb, "unshare", "-Ur", true]),
            Tool(toybox, "peer", [tb, "unshare", "-r", true])]
         + floors("user", true)),
        ("unshare -Urmnuipf true",
         nsboxes("unshare", "-Urmnuipf", true)
         + [Tool(util, "peer", [prepare.UNSHARE, "-Urmnuipf", true]),
            Tool(busybox, "peer", [bb, "unshare", "-Urmnuipf", true]),
            Tool(toybox, "peer", [tb, "unshare", "-r", "-m", "-n", "-u", "-i", "-p", "-f",
                                  true])]
         + floors("user-all", true)),
        ("nsenter -t PID -m -u -i -n -p true",
         nsboxes("nsenter", "-t", pid, "-m", "-u", "-i", "-n", "-p", true)
         + [Tool(util, "peer", [prepare.NSENTER, "-t", pid, "-m", "-u", "-i", "-n", "-p",
                                true]),
            Tool(busybox, "peer", [bb, "nsenter", "-t", pid, "-m", "-u", "-i", "-n", "-p",
                                   true]),
            Tool(toybox, "peer", [tb, "nsenter", "--mount=" + ns + "mnt",
                                  "--uts=" + ns + "uts", "--ipc=" + ns + "ipc",
                                  "--net=" + ns + "net", "--pid=" + ns + "pid", true])]
         + floors("enter", pid, enter5, true)),
        ("nsenter -t PID -a true",
         nsboxes("nsenter", "-t", pid, "-a", true)
         + [Tool(util, "peer", [prepare.NSENTER, "-t", pid, "-a", true])]
         + floors("enter", pid, apart, true)),
        ("setns-test FILE true",
         nsboxes("setns-test", ns + "uts", true) + floors("setns", ns + "uts", true)),
        ("nsbind NSFILE TARGET + nsbind --unbind TARGET",
         [Tool(name, kind, [path, "nsbind", ns + "uts", pin],
               [path, "nsbind", "--unbind", pin]) for name, kind, path in builds]
         + [Tool(name, "floor", [path, "bind", ns + "uts", pin], [path, "unbind", pin])
            for name, path in floor_builds]),
        ("nsenter -t PID --as-target true",
         nsboxes("nsenter", "-t", pid, "--as-target", true)),
    ]


def strace_counts(tool, program, logdir):
    """System calls before exec and in all, summed over the tool's commands,
    and the names of those before exec (bench/syscount.py has the rule).
    The logs stay in logdir for diffs."""
    before = total = 0
    names = []
    for i, argv in enumerate(tool.commands):
        path = os.path.join(logdir, "%s-%d.log" % (slug(tool.name), i))
        result = subprocess.run(["strace", "-f", "-qq", "-o", path, "--"] + argv, env=ENV,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        if result.returncode != 0:
            sys.exit("bench: %s failed under strace (status %d): %s"
                     % (" ".join(argv), result.returncode, result.stderr.strip()))
        with open(path) as f:
            runs_program = argv[-1] == program
            b, t, n = syscount.count(f.read(), program if runs_program else None)
        before, total, names = before + b, total + t, names + n
    return before, total, names


def memory(tool, probe, runs):
    """Median peak resident memory (KiB; the largest of the tool's commands)
    and median minor page faults (summed over its commands) over runs runs,
    up to the exec of the program (bench/memory.c)."""
    rss, faults = [], []
    for _ in range(runs):
        peak = flt = 0
        for argv in tool.commands:
            result = subprocess.run([probe] + argv, env=ENV, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, text=True)
            if result.returncode != 0:
                sys.exit("bench: %s failed (status %d)" % (" ".join(argv), result.returncode))
            kb, minflt = map(int, result.stdout.split()[-2:])
            peak, flt = max(peak, kb), flt + minflt
        rss.append(peak)
        faults.append(flt)
    return statistics.median(rss), statistics.median(faults)


def timing(tools, paths, rounds, runs, scratch):
    """Median per-call overhead over plain `true`, in nanoseconds, with its
    quartiles across rounds, for each tool (bench/timer.c runs the rounds);
    and the overhead of the fastest call, which load on the machine can
    only make slower.

    In each round: a tool's per-call time is the median of its runs; its
    overhead is that minus `true`'s per-call time in the same round, once per
    command it runs (each is one fork, exec and wait by the driver)."""
    spec = os.path.join(scratch, "timer.spec")
    with open(spec, "w") as f:
        f.write("true\t%s\n" % paths["true"])
        for i, tool in enumerate(tools):
            commands = "\t&&\t".join("\t".join(argv) for argv in tool.commands)
            f.write("%d\t%s\n" % (i, commands))
    result = subprocess.run([paths["timer"], str(rounds), str(runs), spec], env=ENV,
                            stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit("bench: the timing driver failed")
    per_round, fastest = {}, {}
    for line in result.stdout.splitlines():
        rnd, name, median, minimum = line.split("\t")
        per_round.setdefault(int(rnd), {})[name] = int(median)
        fastest[name] = min(fastest.get(name, int(minimum)), int(minimum))
    overheads = {i: [] for i in range(len(tools))}
    for times in per_round.values():
        for i, tool in enumerate(tools):
            overheads[i].append(times[str(i)] - len(tool.commands) * times["true"])
    figures = []
    for i, tool in enumerate(tools):
        figures.append(quartiles(overheads[i]))
        figures[-1]["min"] = fastest[str(i)] - len(tool.commands) * fastest["true"]
    base = quartiles([times["true"] for times in per_round.values()])
    base["min"] = fastest["true"]
    return figures, base


def quartiles(values):
    q = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
    return {"median": statistics.median(values), "q1": q[0], "q3": q[2]}


def instructions(tool, steps):
    """Instructions and `cpuid`s executed before exec (bench/steps.c),
    summed over the tool's commands."""
    total = cpuids = 0
    for argv in tool.commands:
        result = subprocess.run([steps] + argv, env=ENV, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, text=True)
        if result.returncode != 0:
            sys.exit("bench: %s failed under steps" % " ".join(argv))
        n, c = map(int, result.stdout.split()[-2:])
        total, cpuids = total + n, cpuids + c
    return total, cpuids


def slug(text):
    return "".join(ch if ch.isalnum() else "-" for ch in text).strip("-").lower()


def measure(name, tools, paths, opts, scratch, with_steps):
    """Every figure of one workload: a dict per tool."""
    prepare.log("measuring: " + name)
    logdir = os.path.join(prepare.OUT, "strace", slug(name))
    os.makedirs(logdir, exist_ok=True)
    rows = []
    for tool in tools:
        before, total, names = strace_counts(tool, paths["true"], logdir)
        rss, faults = memory(tool, paths["memory"], opts.memory_runs)
        row = {"name": tool.name, "kind": tool.kind, "before": before, "total": total,
               "names": names, "rss": rss, "faults": faults,
               "argv": [" ".join(c) for c in tool.commands]}
        if with_steps:
            row["instructions"], row["cpuids"] = instructions(tool, paths["steps"])
        rows.append(row)
    times, base = timing(tools, paths, opts.rounds, opts.runs, scratch)
    for row, t in zip(rows, times):
        row["overhead"] = t
    return {"name": name, "rows": rows, "true": base}


def scale(paths, target, where, opts, scratch):
    """`nsbind --list` with 10, 100, 1000 and 5000 namespaces bound: the same
    few namespace files bound onto many empty files of a tmpfs, in this
    process's private mount namespace."""
    sources = ["/proc/%d/ns/%s" % (target.pid, k) for k in ("uts", "ipc", "net", "cgroup",
                                                              "time")]
    mount("tmpfs", where, "tmpfs", 0)
    made, results = 0, []
    try:
        for size in sorted(opts.sizes):
            while made < size:
                path = os.path.join(where, "ns%05d" % made)
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o444))
                mount(sources[made % len(sources)], path, None, MS_BIND)
                made += 1
            prepare.log("measuring: nsbind --list, %d namespaces" % size)
            tool = Tool("nsbox", "nsbox", [paths["nsbox"], "nsbind", "--list"])
            listed = subprocess.run(tool.commands[0], env=ENV, stdout=subprocess.PIPE,
                                    text=True).stdout.count(where + "/")
            if listed != size:
                sys.exit("bench: nsbind --list showed %d of %d binds" % (listed, size))
            logdir = os.path.join(prepare.OUT, "strace", "list-%d" % size)
            os.makedirs(logdir, exist_ok=True)
            _, total, _ = strace_counts(tool, None, logdir)
            rss, faults = memory(tool, paths["memory"], opts.memory_runs)
            # Fewer runs as a call gets longer: about the same time per size.
            runs = max(1, opts.runs * 100 // max(size, 100))
            (t,), _ = timing([tool], paths, opts.rounds, runs, scratch)
            results.append({"size": size, "syscalls": total, "rss": rss, "faults": faults,
                            "overhead": t, "runs": runs})
    finally:
        umount(where)
    return results

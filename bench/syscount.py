"""Counting a tool's system calls from an `strace -f` log.

The rule (bench/README.md, "System calls"):

- The tool's own execve (the log's first line) is not counted, nor anything
  a process does from the execve that starts the program the tool runs.
- "before exec": the calls on the way to that execve. Those of the process
  that makes it, before it; and for each process above it, up to and
  including the fork (clone, vfork...) that led there. What a parent does
  after that fork runs alongside the child and is left out, so the count
  does not depend on how the two were scheduled.
- "total": every call of every process of the tool, the waiting parent's
  (signal handlers, wait4, exit_group) included.

A command that runs no program (nsbind) counts every call but its own
execve in both figures. A call strace shows as `<unfinished ...>` and
`<... resumed>` counts once. Signals and exits are not calls.
"""

import re

LINE = re.compile(r"^(\d+)\s+(.*)$")
CALL = re.compile(r"^([a-z_0-9]+)\((.*)$")
RESUMED = re.compile(r"^<\.\.\. ([a-z_0-9]+) resumed>(.*)$")
RESULT = re.compile(r"\)\s+=\s+(-?\d+|0x[0-9a-f]+|\?)")
FORKS = {"clone", "clone3", "fork", "vfork"}


class Call:
    def __init__(self, name, args):
        self.name = name
        self.args = args
        self.result = None

    def set_result(self, text):
        match = RESULT.search(text)
        if match and match.group(1) != "?":
            text = match.group(1)
            # umask and the like print octal: 022
            base = 8 if re.match(r"^0\d", text) else 0
            self.result = int(text, base)


def parse(log):
    """The calls of each process, in order, and the process that is the tool."""
    calls = {}
    pending = {}
    first = None
    for line in log.splitlines():
        match = LINE.match(line)
        if not match:
            continue
        pid, rest = int(match.group(1)), match.group(2)
        if first is None:
            first = pid
        resumed = RESUMED.match(rest)
        if resumed:
            call = pending.pop(pid, None)
            if call is not None:
                call.set_result(resumed.group(2))
            continue
        match = CALL.match(rest)
        if not match:
            continue  # --- signal --- or +++ exited +++
        call = Call(match.group(1), match.group(2))
        calls.setdefault(pid, []).append(call)
        if rest.endswith("<unfinished ...>"):
            pending[pid] = call
        else:
            call.set_result(rest)
    return first, calls


def count(log, program):
    """(before, total, names before) for one command's log.

    program is the path of the program the tool runs; None when it runs
    none (then before == total, every call but the first execve)."""
    first, calls = parse(log)
    if first is None:
        raise ValueError("empty strace log")
    parent = {}
    for pid, seq in calls.items():
        for index, call in enumerate(seq):
            if call.name in FORKS and call.result and call.result > 0:
                parent[call.result] = (pid, index)

    def own(pid):
        # The tool's own execve is not its work.
        return 1 if pid == first else 0

    final = None
    if program is not None:
        quoted = '"%s"' % program
        for pid, seq in calls.items():
            for index, call in enumerate(seq):
                if (
                    call.name == "execve"
                    and call.args.startswith(quoted)
                    and call.result == 0
                    and (pid, index) != (first, 0)
                ):
                    final = (pid, index)
                    break
            if final:
                break
        if final is None:
            raise ValueError("the tool never ran %s" % program)

    total = 0
    for pid, seq in calls.items():
        end = final[1] if final and pid == final[0] else len(seq)
        total += end - own(pid)
    if final is None:
        names = [c.name for c in calls[first][1:]]
        return total, total, names

    path = []
    pid, end = final
    path.append((pid, calls[pid][own(pid) : end]))
    while pid in parent:
        pid, index = parent[pid]
        path.append((pid, calls[pid][own(pid) : index + 1]))
    names = [c.name for _, seq in reversed(path) for c in seq]
    return len(names), total, names

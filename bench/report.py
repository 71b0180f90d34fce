"""The benchmark's figures as markdown, and the issue's targets checked."""

import os
import platform


def us(ns):
    return "%.0f" % (ns / 1000)


def spread(t):
    return "%s (%s–%s)" % (us(t["median"]), us(t["q1"]), us(t["q3"]))


def ratio(a, b):
    return a / b if b > 0 else float("inf")


def kib(n):
    return "%d" % round(n)


def machine():
    model, hypervisor = "unknown", False
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and model == "unknown":
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags") and " hypervisor" in line:
                hypervisor = True
    with open("/proc/meminfo") as f:
        memory = int(f.readline().split()[1]) // 1024
    return {"cpu": model + (" (virtual machine)" if hypervisor else ""),
            "cores": os.cpu_count(), "kernel": platform.release(), "memory": memory}


def workload_table(w):
    rows = w["rows"]
    nsbox = next(r for r in rows if r["kind"] == "nsbox")
    steps = any("instructions" in r for r in rows)
    head = ["tool", "syscalls before exec", "syscalls in all", "overhead µs (q1–q3)",
            "fastest µs", "nsbox ÷ this", "peak RSS KiB", "page faults"]
    if steps:
        head += ["instructions", "cpuid"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["name"], str(r["before"]), str(r["total"]), spread(r["overhead"]),
                 us(r["overhead"]["min"]),
                 "%.2f" % ratio(nsbox["overhead"]["median"], r["overhead"]["median"]),
                 kib(r["rss"]), "%d" % r["faults"]]
        if steps:
            cells += ["%d" % r.get("instructions", 0), "%d" % r.get("cpuids", 0)]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("Plain `true` (fork, exec and wait by the driver): %s µs per call, "
                 "the baseline subtracted above." % us(w["true"]["median"]))
    return "\n".join(lines)


def call_lists(w):
    """nsbox's system calls before exec beside busybox's and the glibc
    floor's, after the start they share, for diffs at a glance."""
    rows = w["rows"]
    keep = [r for r in rows if r["kind"] == "nsbox" or r["name"].startswith("busybox")
            or r["name"] == "floor: glibc static"]
    if len(keep) < 2:
        return ""
    lists = [r["names"] for r in keep]
    shared = 0
    while all(len(n) > shared and n[shared] == lists[0][shared] for n in lists):
        shared += 1
    lines = ["The system calls counted before exec, after the %d that %s share (%s):" % (
        shared, ", ".join(r["name"] for r in keep), " ".join(lists[0][:shared]) or "none"), ""]
    for r in keep:
        tail = r["names"][shared:]
        lines.append("- %s (%d): %s" % (r["name"], len(tail), " ".join(tail) or "nothing"))
    return "\n".join(lines)


def size_targets(sizes):
    """The size target, as (target, figure, met or None) rows.

    The issue sets it against the floor of a program on Rust's std and
    static glibc: the Rust hello world, static against glibc. The glibc
    static build is held to it, and so is the musl build, the one `make
    static` gives where Rust's musl target is installed. The musl build's
    ratio to the musl hello world is shown too, for information: with the
    musl floor (a third of glibc's), 1.15x would leave nsbox's own code
    about 57 KB (bench/README.md, "Size")."""
    glibc_hello = sizes["Rust hello world (glibc static)"]
    rows = []
    for name in ("nsbox (static, glibc)", "nsbox (glibc static)", "nsbox (static, musl)"):
        if name in sizes:
            r = sizes[name] / glibc_hello
            rows.append(("stripped size ≤ 1.15× Rust hello world (glibc static): " + name,
                         "%.2f×" % r, r <= 1.15))
    if "nsbox (static, musl)" in sizes and "Rust hello world (musl)" in sizes:
        r = sizes["nsbox (static, musl)"] / sizes["Rust hello world (musl)"]
        rows.append(("for information, no target: nsbox (static, musl) ÷ Rust hello world "
                     "(musl)", "%.2f×" % r, None))
    return rows


def size_table(sizes):
    glibc = sizes["Rust hello world (glibc static)"]
    lines = ["| binary | stripped bytes | ÷ Rust hello (glibc static) |", "|---|---|---|"]
    for name, size in sizes.items():
        lines.append("| %s | %d | %.2f |" % (name, size, size / glibc))
    return "\n".join(lines)


def scale_table(scale):
    lines = ["| namespaces bound | overhead ms (q1–q3) | µs per namespace | syscalls | "
             "peak RSS KiB | runs per round |", "|---|---|---|---|---|---|"]
    for s in scale:
        t = s["overhead"]
        lines.append("| %d | %.2f (%.2f–%.2f) | %.1f | %d | %s | %d |" % (
            s["size"], t["median"] / 1e6, t["q1"] / 1e6, t["q3"] / 1e6,
            t["median"] / 1000 / s["size"], s["syscalls"], kib(s["rss"]), s["runs"]))
    return "\n".join(lines)


def scale_ratio(scale, big, small):
    by_size = {s["size"]: s["overhead"]["median"] for s in scale}
    if big in by_size and small in by_size:
        return ratio(by_size[big], by_size[small])
    return None


def targets(results, sizes, scale):
    """The issue's targets, each with its figure and whether it is met."""
    out = []

    def verdict(ok):
        return "met" if ok else "**not met**"

    for w in results:
        rows = w["rows"]
        nsbox = next(r for r in rows if r["kind"] == "nsbox")
        peers = [r for r in rows if r["kind"] == "peer"]
        busybox = [r for r in peers if r["name"].startswith("busybox")]
        if busybox:
            b = busybox[0]
            out.append(("syscalls < busybox: " + w["name"],
                        "%d vs %d" % (nsbox["before"], b["before"]),
                        verdict(nsbox["before"] < b["before"])))
        if peers:
            best = min(peers, key=lambda r: r["overhead"]["median"])
            r = ratio(nsbox["overhead"]["median"], best["overhead"]["median"])
            out.append(("overhead ≤ 0.9× best peer: " + w["name"],
                        "%.2f× %s" % (r, best["name"]), verdict(r <= 0.9)))
            low = min(peers, key=lambda r: r["rss"])
            out.append(("peak RSS ≤ every peer's: " + w["name"],
                        "%s vs %s KiB (%s)" % (kib(nsbox["rss"]), kib(low["rss"]), low["name"]),
                        verdict(nsbox["rss"] <= low["rss"])))
        if w["name"] == "unshare -Ur true":
            floor = next(r for r in rows if r["name"] == "floor: glibc static")
            r = ratio(nsbox["overhead"]["median"], floor["overhead"]["median"])
            out.append(("overhead ≤ 1.15× glibc-static floor: " + w["name"],
                        "%.2f×" % r, verdict(r <= 1.15)))
    for target, figure, ok in size_targets(sizes):
        out.append((target, figure, "" if ok is None else verdict(ok)))
    r = scale_ratio(scale, 5000, 100)
    if r is not None:
        out.append(("nsbind --list: 5000 ≤ 60× 100", "%.1f×" % r, verdict(r <= 60)))
    lines = ["| target | figure | |", "|---|---|---|"]
    lines += ["| %s | %s | %s |" % t for t in out]
    return "\n".join(lines)


def render(info, results, sizes, scale):
    """The whole report: what ran where, then the tables."""
    m = info["machine"]
    v = info["versions"]
    parts = [
        "# nsbox benchmark results",
        "",
        "Written by `make bench` (bench/bench.py); bench/README.md says what each "
        "figure measures and how.",
        "",
        "- Date: %s" % info["date"],
        "- Machine: %s, %d cores, %d MiB, Linux %s" % (m["cpu"], m["cores"], m["memory"],
                                                       m["kernel"]),
        "- Load average before / after: %s / %s" % (info["load_before"], info["load_after"]),
        "- nsbox %s, rustc %s; util-linux %s, busybox %s (static), toybox %s; glibc %s, "
        "musl %s" % (info["commit"], v["rustc"], v["util-linux"], v["busybox"], v["toybox"],
                     v["glibc"], v["musl"]),
        "- Timing: %d interleaved rounds of %d calls per tool; overhead is the median "
        "over rounds of (the tool's median call − plain `true`'s median call in the same "
        "round), q1–q3 its spread across rounds. Memory: median of %d runs."
        % (info["rounds"], info["runs"], info["memory_runs"]),
        "",
        "## Targets (issue 13)",
        "",
        targets(results, sizes, scale),
        "",
    ]
    for w in results:
        parts += ["## `%s`" % w["name"], "", workload_table(w), ""]
        calls = call_lists(w)
        if calls:
            parts += [calls, ""]
    parts += ["## Size", "", size_table(sizes), ""]
    if scale:
        parts += ["## `nsbind --list` against the number of namespaces bound", "",
                  scale_table(scale), ""]
        for big in (1000, 5000):
            r = scale_ratio(scale, big, 100)
            if r is not None:
                parts.append("- %d ÷ 100: %.1f× (linear would be %d×)" % (big, r, big // 100))
        parts.append("")
    return "\n".join(parts)

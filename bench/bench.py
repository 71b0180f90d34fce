#!/usr/bin/env python3
"""nsbox's benchmark, side by side with util-linux, busybox, toybox and the
start-up floors: `make bench`, as root. bench/README.md says what it
measures and how; the figures go to stdout and to bench/RESULTS.md.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # nothing left behind in bench/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import measure  # noqa: E402
import prepare  # noqa: E402
import report  # noqa: E402


def options():
    p = argparse.ArgumentParser(description="nsbox's benchmark (bench/README.md)")
    p.add_argument("--rounds", type=int, default=31,
                   help="interleaved rounds (default 31)")
    p.add_argument("--runs", type=int, default=16,
                   help="calls per tool in each round (default 16)")
    p.add_argument("--memory-runs", type=int, default=9,
                   help="runs for the memory figures, median taken (default 9)")
    p.add_argument("--steps", choices=["none", "unshare", "all"], default="unshare",
                   help="count instructions and cpuid (slow: a minute for `unshare -Ur`, "
                        "the default, several for all)")
    p.add_argument("--sizes", type=int, nargs="*", default=[10, 100, 1000, 5000],
                   help="numbers of namespaces bound for `nsbind --list`")
    p.add_argument("--only", metavar="TEXT",
                   help="only the workloads whose name contains TEXT (no scale)")
    p.add_argument("--quick", action="store_true",
                   help="a rough run to try the set-up: few rounds, no steps")
    p.add_argument("--extra", metavar="NAME=PATH", action="append", default=[],
                   help="also measure this nsbox binary, under NAME (repeatable)")
    p.add_argument("--no-install", action="store_true",
                   help="do not install missing peers with apt-get")
    p.add_argument("--no-results", action="store_true",
                   help="print the figures, do not write bench/RESULTS.md")
    opts = p.parse_args()
    if opts.quick:
        opts.rounds, opts.runs, opts.memory_runs, opts.steps = 5, 4, 3, "none"
        opts.no_results = True
    if opts.only:
        opts.no_results = True
    if opts.rounds < 2 or opts.runs < 1 or opts.memory_runs < 1:
        p.error("--rounds must be at least 2, --runs and --memory-runs at least 1")
    if any("=" not in e for e in opts.extra):
        p.error("--extra takes NAME=PATH")
    opts.extra = [tuple(e.split("=", 1)) for e in opts.extra]
    return opts


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def commit():
    result = subprocess.run(["git", "-C", prepare.REPO, "describe", "--always", "--dirty"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return result.stdout.strip() or "(no git)"


def sizes(paths):
    s = prepare.stripped_size
    variants = {name: s(path) for name, path in paths["variants"]}
    # The static build is musl's when the musl target is there (`make
    # static`): its floor is then the musl hello world.
    libc = "musl" if "hello_musl" in paths else "glibc"
    hellos = {"Rust hello world (glibc static)": s(paths["hello"])}
    if "hello_musl" in paths:
        hellos["Rust hello world (musl)"] = s(paths["hello_musl"])
    return {
        "nsbox (static, %s)" % libc: s(paths["nsbox"]),
        "nsbox (dynamic)": s(paths["nsbox_dynamic"]),
        **hellos,
        **variants,
        "busybox (static, every applet)": s(prepare.BUSYBOX),
        "toybox (dynamic, every applet)": s(prepare.TOYBOX),
        "util-linux unshare (dynamic)": s(prepare.UNSHARE),
        "util-linux nsenter (dynamic)": s(prepare.NSENTER),
        "floor: no libc": s(paths["floor-nolibc"]),
        "floor: glibc static": s(paths["floor-glibc"]),
        "floor: musl static": s(paths["floor-musl"]),
    }


def main():
    opts = options()
    paths = prepare.prepare(opts.no_install, opts.extra)
    info = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": report.machine(), "versions": prepare.versions(), "commit": commit(),
            "load_before": loadavg(), "rounds": opts.rounds, "runs": opts.runs,
            "memory_runs": opts.memory_runs}
    measure.private_mount_namespace()
    scratch = tempfile.mkdtemp(prefix="nsbox-bench.")
    pins = os.path.join(scratch, "pins")
    many = os.path.join(scratch, "many")
    os.mkdir(pins)
    os.mkdir(many)
    results, scale = [], []
    try:
        measure.mount("tmpfs", pins, "tmpfs", 0)
        with measure.Target() as target:
            for name, tools in measure.workloads(paths, info["versions"], target,
                                                 os.path.join(pins, "uts")):
                if opts.only and opts.only not in name:
                    continue
                steps = opts.steps == "all" or (opts.steps == "unshare"
                                                and name == "unshare -Ur true")
                results.append(measure.measure(name, tools, paths, opts, scratch, steps))
            if not opts.only:
                scale = measure.scale(paths, target, many, opts, scratch)
    finally:
        measure.umount(pins)
        for name in os.listdir(scratch):
            path = os.path.join(scratch, name)
            os.rmdir(path) if os.path.isdir(path) else os.unlink(path)
        os.rmdir(scratch)
    info["load_after"] = loadavg()
    text = report.render(info, results, sizes(paths), scale)
    print(text)
    with open(os.path.join(prepare.OUT, "results.json"), "w") as f:
        json.dump({"info": info, "workloads": results, "scale": scale}, f, indent=1)
    if not opts.no_results:
        with open(os.path.join(prepare.HERE, "RESULTS.md"), "w") as f:
            f.write(text)
        prepare.log("wrote bench/RESULTS.md")


if __name__ == "__main__":
    main()

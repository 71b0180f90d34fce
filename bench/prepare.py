"""Setting the benchmark up: the peers installed, everything built.

Everything built goes to target/bench/ (or $CARGO_TARGET_DIR/bench/).
"""

import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TARGET_DIR = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
OUT = os.path.join(os.path.abspath(TARGET_DIR), "bench")

UNSHARE = "/usr/bin/unshare"
NSENTER = "/usr/bin/nsenter"
BUSYBOX = "/bin/busybox"
TOYBOX = "/usr/bin/toybox"

# Debian packages, each with a file that shows it is there. busybox-static
# and busybox share /bin/busybox, so that one is asked of dpkg.
PACKAGES = [
    ("util-linux", UNSHARE),
    ("util-linux", NSENTER),
    ("busybox-static", None),
    ("toybox", TOYBOX),
    ("strace", "/usr/bin/strace"),
    ("gcc", "/usr/bin/gcc"),
    ("libc6-dev", "/usr/lib/x86_64-linux-gnu/libc.a"),
    ("musl-tools", "/usr/bin/musl-gcc"),
    ("binutils", "/usr/bin/strip"),
]

NOLIBC_FLAGS = [
    "-O2", "-static", "-nostdlib", "-ffreestanding", "-fno-builtin", "-fno-pie",
    "-no-pie", "-fno-stack-protector", "-fno-asynchronous-unwind-tables",
]


def log(message):
    print("bench: " + message, file=sys.stderr, flush=True)


def run(argv, **kwargs):
    """Run a command; its failure ends the benchmark with what it printed."""
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, **kwargs)
    if result.returncode != 0:
        sys.exit("bench: %s failed (status %d):\n%s"
                 % (" ".join(argv), result.returncode, result.stdout))
    return result.stdout


def installed(package, path):
    if path is not None:
        return os.path.exists(path)
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return status.stdout.strip() == "install ok installed"


def install_peers():
    missing = sorted({pkg for pkg, path in PACKAGES if not installed(pkg, path)})
    if not missing:
        return
    log("installing " + " ".join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    argv = ["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + missing
    if subprocess.run(argv, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        # A fresh machine may have no package lists yet.
        run(["apt-get", "update", "-qq"], env=env)
        run(argv, env=env)


def build_nsbox():
    """The static binary as `make static` builds it, and the dynamic one in
    a target directory of its own (so that the static one stays)."""
    log("building nsbox, static and dynamic")
    run(["make", "-C", REPO, "--no-print-directory", "static"])
    built = subprocess.run(["make", "-s", "-C", REPO, "--no-print-directory", "print-bin"],
                           stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    static = os.path.join(OUT, "nsbox")
    shutil.copy2(os.path.join(REPO, built), static)
    dyn_dir = os.path.join(OUT, "dynamic")
    run(["make", "-C", REPO, "--no-print-directory", "dynamic"],
        env=dict(os.environ, CARGO_TARGET_DIR=dyn_dir))
    dynamic = os.path.join(OUT, "nsbox-dynamic")
    shutil.copy2(os.path.join(dyn_dir, "release", "nsbox"), dynamic)
    return static, dynamic


def release_profile():
    """nsbox's [profile.release] section, verbatim."""
    with open(os.path.join(REPO, "Cargo.toml")) as f:
        text = f.read()
    match = re.search(r"^\[profile\.release\]\n(?:[^\[].*\n|\n)*", text, re.M)
    if not match:
        sys.exit("bench: Cargo.toml has no [profile.release]")
    return match.group(0)


MUSL = "x86_64-unknown-linux-musl"


def musl_target():
    """Whether Rust's musl target is installed (`rustup target add
    x86_64-unknown-linux-musl`): then nsbox is also built against musl."""
    result = subprocess.run(["rustup", "target", "list", "--installed"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return MUSL in result.stdout.split()


def build_nsbox_glibc():
    log("building nsbox against glibc, statically")
    target_dir = os.path.join(OUT, "glibc")
    run(["make", "-C", REPO, "--no-print-directory", "static", "LIBC=glibc"],
        env=dict(os.environ, CARGO_TARGET_DIR=target_dir))
    glibc = os.path.join(OUT, "nsbox-glibc")
    shutil.copy2(os.path.join(target_dir, "release", "nsbox"), glibc)
    return glibc


def build_hello(musl=False):
    """A static Rust "hello world" with nsbox's release profile: the size
    floor for a program on Rust's std and static glibc (or musl)."""
    log("building the Rust hello world" + (" against musl" if musl else ""))
    crate = os.path.join(OUT, "hello")
    os.makedirs(os.path.join(crate, "src"), exist_ok=True)
    with open(os.path.join(crate, "Cargo.toml"), "w") as f:
        f.write('[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2021"\n\n'
                "[workspace]\n\n" + release_profile())
    with open(os.path.join(crate, "src", "main.rs"), "w") as f:
        f.write('fn main() {\n    println!("Hello, world!");\n}\n')
    flags = (os.environ.get("RUSTFLAGS", "") + " -C target-feature=+crt-static").strip()
    argv = ["cargo", "build", "--release", "--quiet", "--manifest-path",
            os.path.join(crate, "Cargo.toml")]
    built = os.path.join(crate, "target", "release", "hello")
    if musl:
        argv += ["--target", MUSL]
        built = os.path.join(crate, "target", MUSL, "release", "hello")
    run(argv, env=dict(os.environ, RUSTFLAGS=flags,
                       CARGO_TARGET_DIR=os.path.join(crate, "target")))
    hello = os.path.join(OUT, "hello-musl" if musl else "hello-static")
    shutil.copy2(built, hello)
    return hello


def build_c():
    """The programs from bench/*.c: the `true` every tool runs, the floors,
    the timing driver, the memory probe and the instruction counter."""
    log("building the C programs")
    src = lambda name: os.path.join(HERE, name)
    out = lambda name: os.path.join(OUT, name)
    warn = ["-Wall", "-Wextra", "-Werror"]
    run(["gcc"] + NOLIBC_FLAGS + ["-o", out("true"), src("true.c")])
    run(["gcc"] + NOLIBC_FLAGS + warn + ["-DNOLIBC", "-o", out("floor-nolibc"),
                                         src("floor.c")])
    run(["gcc", "-O2", "-static"] + warn + ["-o", out("floor-glibc"), src("floor.c")])
    run(["musl-gcc", "-O2", "-static", "-Wall", "-Werror", "-o", out("floor-musl"),
         src("floor.c")])
    run(["gcc", "-O2"] + warn + ["-o", out("timer"), src("timer.c")])
    run(["gcc", "-O2"] + warn + ["-o", out("memory"), src("memory.c")])
    run(["gcc", "-O2"] + warn + ["-o", out("steps"), src("steps.c")])
    return {name: out(name) for name in
            ("true", "memory", "floor-nolibc", "floor-glibc", "floor-musl", "timer", "steps")}


def stripped_size(path):
    """The size of a stripped copy: what the file would be with no symbols
    or debug information, whether or not it was stripped already."""
    copy = os.path.join(OUT, "stripped.tmp")
    run(["strip", "-o", copy, path])
    size = os.path.getsize(copy)
    os.unlink(copy)
    return size


def versions():
    first = lambda argv: subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True).stdout.splitlines()[0]
    util = first([UNSHARE, "--version"]).split()[-1]
    busybox = first([BUSYBOX, "--help"]).split()[1].lstrip("v")
    toybox = first([TOYBOX, "--version"]).split()[-1]
    rustc = first(["rustc", "--version"]).split()[1]
    glibc = first(["ldd", "--version"]).split()[-1]
    musl = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "musl"],
                          stdout=subprocess.PIPE, text=True).stdout.split("-")[0]
    return {"util-linux": util, "busybox": busybox, "toybox": toybox,
            "rustc": rustc, "glibc": glibc, "musl": musl}


def prepare(skip_install, extra):
    """Everything the measurements need, by name. extra: (name, path) of
    more nsbox binaries to measure beside the static and dynamic ones."""
    if os.geteuid() != 0:
        sys.exit("bench: run as root (it makes namespaces and mounts, and installs peers)")
    os.makedirs(OUT, exist_ok=True)
    if not skip_install:
        install_peers()
    static, dynamic = build_nsbox()
    paths = build_c()
    paths.update(nsbox=static, nsbox_dynamic=dynamic, hello=build_hello(), variants=[])
    if musl_target():
        # `make static` built against musl: the glibc one is the variant.
        paths["variants"].append(("nsbox (glibc static)", build_nsbox_glibc()))
        paths["hello_musl"] = build_hello(musl=True)
    else:
        log("no nsbox against musl: `rustup target add %s` to have it too" % MUSL)
    for name, path in extra:
        if not os.access(path, os.X_OK):
            sys.exit("bench: --extra %s: %s is not an executable" % (name, path))
        paths["variants"].append((name, os.path.abspath(path)))
    return paths

#!/bin/bash
# The Debian packages the test suite runs: ip (iproute2), newuidmap and
# newgidmap (uidmap), a static busybox to run inside fresh namespaces
# (busybox-static), util-linux's own unshare and nsenter to compare with,
# strace, whose delay injection makes the race tests deterministic, zsh, to
# run the zsh completions, what the README's examples use: ps and pgrep
# (procps), python3; for the packaging tests: lintian to check the
# Debian package, binutils for the strip its build uses, and pkg-config,
# which make install asks for the completion directories; and man-db,
# whose man (with groff-base's groff) renders the man pages as a reader
# sees them.
# As root, install whichever are missing; otherwise name them and fail.
# Silent when everything is already there.
set -eu

packages="iproute2 uidmap busybox-static util-linux strace zsh procps python3 lintian pkg-config binutils man-db"

missing=
for pkg in $packages; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [ "$status" != "install ok installed" ]; then
        missing="$missing $pkg"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    for pkg in $missing; do
        echo "deps: missing Debian package $pkg (install it as root: apt-get install $pkg)" >&2
    done
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Only the installs need a current package index, so fetch it once, here.
apt-get update -q </dev/null
# shellcheck disable=SC2086 # one word per package
apt-get install -y -q --no-install-recommends $missing </dev/null

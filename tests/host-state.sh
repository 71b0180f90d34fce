#!/bin/sh
# What of the host the test suite could change, as text that is the same
# from one run to the next unless something was changed: the mount table,
# the hostname and NIS domain name, the network interfaces and their
# addresses, and the entries of /run/netns. All of it as the calling process
# sees it, through its own namespaces; no root needed.
#
#   tests/host-state.sh                  print the snapshot
#   tests/host-state.sh --compare FILE   take it again and compare with FILE,
#                                        printed before: a diff and status 1
#                                        when they differ
#
# `make check` takes one before the tests and compares after them. Left out,
# because they change on their own: interface counters, link and lifetime
# states, temporary (privacy) IPv6 addresses, and mounts that come and go
# without anyone asking (automounts, login sessions, removable media,
# container runtimes and snaps).
set -eu

me=host-state.sh

mounts() {
    echo "# mounts: /proc/self/mountinfo (id parent dev root point options - type source super)"
    awk '
        function volatile(point) {
            return point ~ "^/run/user/" || point ~ "^/media/" || \
                point ~ "^/run/media/" || point ~ "^/snap/" || \
                point ~ "^/var/lib/docker/" || point ~ "^/run/docker/" || \
                point ~ "^/run/containerd/" || point ~ "^/var/lib/containers/" || \
                point ~ "^/run/containers/" || point ~ "^/run/snapd/"
        }
        {
            for (i = 7; i <= NF && $i != "-"; i++) {}
            type[NR] = $(i + 1); id[NR] = $1; parent[NR] = $2; point[NR] = $5
            line[NR] = $0
            if (type[NR] == "autofs") autofs[$1] = 1
        }
        END {
            for (n = 1; n <= NR; n++) {
                # What an automount point mounts expires when idle.
                if (parent[n] in autofs || volatile(point[n])) continue
                print line[n]
            }
        }
    ' /proc/self/mountinfo
}

names() {
    echo "# hostname and NIS domain name"
    echo "hostname $(cat /proc/sys/kernel/hostname)"
    echo "domainname $(cat /proc/sys/kernel/domainname)"
}

interfaces() {
    if ! command -v ip >/dev/null 2>&1; then
        echo "$me: ip not found (Debian package iproute2)" >&2
        exit 1
    fi
    echo "# interfaces: name, flags (no carrier state), mtu, master, addresses"
    # `ip -o` puts each interface, each address, on one line.
    ip -o link show | awk '
        {
            gsub(/\\/, "")
            name = $2; sub(/:$/, "", name)
            flags = $3
            gsub(/(,?(LOWER_UP|NO-CARRIER|DORMANT|M-DOWN))/, "", flags)
            sub(/^<,/, "<", flags)
            out = "link " name " " flags
            for (i = 4; i <= NF; i++) {
                if ($i == "mtu" || $i == "master" || $i == "brd" || \
                    $i == "link-netnsid" || $i ~ /^link\//) {
                    out = out " " $i " " $(i + 1); i++
                }
            }
            print out
        }
    ' | sort
    ip -o addr show | awk '
        / temporary / { next }
        {
            gsub(/\\/, "")
            out = "addr " $2
            for (i = 3; i <= NF; i++) {
                # Lifetimes count down; DAD and deprecation are passing states.
                if ($i == "valid_lft" || $i == "preferred_lft") { i++; continue }
                if ($i ~ /^(tentative|deprecated|optimistic|dadfailed)$/) continue
                out = out " " $i
            }
            print out
        }
    ' | sort
}

netns() {
    echo "# /run/netns: the network namespaces ip netns keeps"
    if [ ! -e /run/netns ]; then
        echo "netns (no /run/netns)"
    elif [ ! -d /run/netns ]; then
        echo "netns (/run/netns is not a directory)"
    else
        # ls -A lists names only, which needs no more than read access.
        ls -A1 /run/netns | sed 's/^/netns /'
    fi
}

snapshot() {
    mounts
    names
    interfaces
    netns
}

case "${1:-}" in
"")
    snapshot
    ;;
--compare)
    [ $# -eq 2 ] || { echo "usage: $me [--compare FILE]" >&2; exit 2; }
    before=$2
    now=$(mktemp)
    trap 'rm -f "$now"' EXIT
    trap 'exit 130' INT TERM
    snapshot >"$now"
    if diff -u --label "before the tests" --label "after the tests" "$before" "$now" >&2; then
        echo "$me: the host is as the tests found it"
    else
        echo "$me: the tests left the host changed (lines above: - as it was, + as it is)" >&2
        exit 1
    fi
    ;;
*)
    echo "usage: $me [--compare FILE]" >&2
    exit 2
    ;;
esac

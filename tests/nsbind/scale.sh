# nsbind --list at scale: the scenes of tests/nsbind/scale.rs, which counts
# the system calls of --list in them, and a hook for `make bench`, which is
# to time the same scenes (source this file, then time `$N --list`).
# Source it only inside a throwaway mount and PID namespace (a Scene's
# shell_pidns): it mounts, and starts processes it leaves to the scene's end.
# Needs $N (nsbind), $UL (util-linux's unshare), $D, and the prelude's
# waitfor.

# scale_pins N DIR: N namespace bind mounts in all on files of a tmpfs at
# DIR (made the first time), taking turns among the UTS, IPC and network
# namespaces of one process in new ones. Call again with a higher N to add.
scale_pins() {
    if [ -z "${_scale_holder:-}" ]; then
        mkdir -p "$2"
        mount -t tmpfs nsbind-scale "$2"
        "$UL" -u -i -n sleep 600 &
        _scale_holder=$!
        waitfor '[ "$(cat "/proc/$_scale_holder/comm" 2>/dev/null)" = sleep ]'
        _scale_made=0
    fi
    while [ "$_scale_made" -lt "$1" ]; do
        case $((_scale_made % 3)) in 0) _k=uts ;; 1) _k=ipc ;; *) _k=net ;; esac
        : > "$2/f$_scale_made"
        mount --bind "/proc/$_scale_holder/ns/$_k" "$2/f$_scale_made"
        _scale_made=$((_scale_made + 1))
    done
}

# scale_procs N: N processes (sleep) of ours in all. Call again to add.
scale_procs() {
    _scale_procs=${_scale_procs:-0}
    while [ "$_scale_procs" -lt "$1" ]; do
        sleep 600 &
        _scale_procs=$((_scale_procs + 1))
    done
    waitfor '[ "$(cat "/proc/$!/comm" 2>/dev/null)" = sleep ]'
}

# scale_calls COMMAND...: how many system calls COMMAND makes (strace, one
# line each; its output is dropped), and how many bytes its reads of files,
# directories and links brought in: "CALLS BYTES". The second grows with
# the data looked at, as the first may not (a directory read again costs a
# few calls however long it is). The trace stays in $D/t/calls.
scale_calls() {
    strace -f -qq -o "$D/t/calls" "$@" > /dev/null || echo "failed: $*" >&2
    awk '$2 ~ /^(read|pread64|getdents64|readlink|readlinkat)\(/ &&
            $(NF - 1) == "=" && $NF ~ /^[0-9]+$/ { bytes += $NF }
        END { print NR, bytes + 0 }' "$D/t/calls"
}

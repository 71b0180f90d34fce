//! Persistence under attack: `unshare --KIND=FILE`, `nsbind` and
//! `nsbind --unbind` while another user swaps directories and links on the
//! target's path, renames the target, holds its directory's lock, races to
//! bind the same file, stacks mounts on it; while the fd limit is tiny, the
//! process group is interrupted during set-up, or the exec fails; and with
//! targets on the kernel's pseudo file systems. Each test checks the kernel's
//! own account afterwards (mountinfo, the files, what they hold).
//!
//! Races are made deterministic with strace's delay injection: a system
//! call of nsbox is held on entry, the script waits until some process of
//! the scene sits in it (/proc/PID/syscall), does its mischief, and lets
//! it go. Everything runs in a `Scene` (tests/common): a private mount
//! namespace and PID namespace of its own, so nothing reaches the host.

#[path = "../common/mod.rs"]
mod common;

mod cleanup;
mod commit;
mod paths;
mod races;
mod unbind;

use common::*;

/// Shell functions these scripts add to the scene's prelude.
const ATTACKS: &str = r#"
# as_nobody COMMAND...: run it as uid 65534 (the attacker).
as_nobody() { $NB "$@"; }
# held SYSCALL US COMMAND... &: run COMMAND (and its children) with every
# SYSCALL held US microseconds on entry; in the background only, as it
# becomes strace (so $! is strace's pid, and COMMAND its child).
held() {
    _s=$1 _us=$2
    shift 2
    exec strace -f -qq -o /dev/null -e trace="$_s" -e inject="$_s:delay_enter=$_us" "$@"
}
# in_syscall NR: some process of the scene is inside system call NR.
in_syscall() { grep -qs "^$1 " /proc/[0-9]*/syscall; }
# victim DIR: a directory of root's, holding x with "precious" in it.
victim() { mkdir -p "$1" && echo precious > "$1/x"; }
# intact DIR: what DIR/x holds and how many mounts sit on it.
intact() { echo "$(cat "$1/x" 2>&1) mounts=$(mounts "$1/x")"; }
"#;

/// The numbers of the system calls the scripts wait in, for this machine.
const SYSCALLS: [(&str, libc::c_long); 6] = [
    ("NR_READ", libc::SYS_read),
    ("NR_EXECVE", libc::SYS_execve),
    ("NR_MOVE_MOUNT", libc::SYS_move_mount),
    ("NR_UMOUNT2", libc::SYS_umount2),
    ("NR_UNLINKAT", libc::SYS_unlinkat),
    ("NR_CHDIR", libc::SYS_chdir),
];

/// `Scene::shell_pidns` with the attack functions and the system call
/// numbers.
fn attack(s: &Scene, script: &str) -> Cmd {
    let mut cmd = s.shell_pidns(&format!("{ATTACKS}\n{script}"));
    for (name, nr) in SYSCALLS {
        cmd = cmd.env(name, nr.to_string());
    }
    cmd
}

//! unshare keeps what it bound only once the program runs: not when the
//! exec fails, nor when the process group is interrupted during set-up; and
//! the helper that keeps it never shows up as a child of the program.

use super::*;

/// Ctrl-C to the whole process group while unshare is held in its set-up,
/// the namespace already bound: unshare dies of it (or, with --fork, its
/// child does and it passes that on), and the helper, which the signal
/// must not kill, undoes the bind and removes the file it made.
#[test]
fn a_group_interrupt_during_set_up_leaves_nothing() {
    let s = Scene::new();
    let out = attack(
        &s,
        r#"
        for fork in "" --fork; do
            # In a session of its own, so the signal reaches only it and its
            # helpers; with SIGINT back at its default, which sh's & ignored.
            held chdir 1500000 env --default-signal=INT setsid \
                "$U" $fork --uts="$W/f" --wd=/ echo ran > "$D/t/out" 2>&1 &
            S=$!
            waitfor '[ "$(mounts "$W/f")" = 1 ] && in_syscall $NR_CHDIR'
            read -r P < "/proc/$S/task/$S/children"
            echo "${fork:-plain}: own group: $([ "$(ps -o pgid= -p "$P" | tr -d ' ')" = "$P" ] && echo yes)"
            kill -INT "-$P"
            wait $S
            echo "${fork:-plain}: rc=$? $(cat "$D/t/out") mounts=$(mounts "$W/f") files=$(files "$W")"
        done
    "#,
    )
    .run();
    expect(
        &out,
        "plain: own group: yes\n\
         plain: rc=130  mounts=0 files=\n\
         --fork: own group: yes\n\
         --fork: rc=130  mounts=0 files=\n",
    );
}

/// A program that passes every check but cannot be executed (its
/// interpreter is missing): the bind is undone, a file made for it removed,
/// a file that was there kept; with or without --fork. A program that runs
/// keeps its namespace.
#[test]
fn an_exec_failure_undoes_the_bind() {
    let s = Scene::new();
    let out = attack(
        &s,
        r#"
        printf '#!/nonexistent\n' > "$W/p"
        chmod +x "$W/p"
        : > "$W/kept"
        for fork in "" --fork; do
            run "${fork:-plain}" "$U" $fork --uts="$W/f" --ipc="$W/kept" "$W/p"
            echo "nsfs=$(nsfs_under "$D") files=$(files "$W")"
        done
        run ran "$U" --uts="$W/f" hostname nsbox-kept
        echo "kept: mounts=$(mounts "$W/f") $("$E" --uts="$W/f" hostname)"
    "#,
    )
    .run();
    let w = s.w();
    expect(
        &out,
        &format!(
            "plain: rc=127\n\
             plain> unshare: failed to execute {w}/p: No such file or directory\n\
             nsfs=0 files=kept p\n\
             --fork: rc=127\n\
             --fork> unshare: failed to execute {w}/p: No such file or directory\n\
             nsfs=0 files=kept p\n\
             ran: rc=0\n\
             kept: mounts=1 nsbox-kept\n"
        ),
    );
}

/// Without --fork the helper outlives the exec (it learns from it that the
/// program runs), yet the program finds no child it did not start.
#[test]
fn the_program_has_no_child_of_ours() {
    let s = Scene::new();
    let out = attack(
        &s,
        r#"
        "$U" --uts="$W/f" sh -c 'read c < /proc/$$/task/$$/children; echo "children: $c"'
        echo "mounts=$(mounts "$W/f")"
    "#,
    )
    .run();
    expect(&out, "children: \nmounts=1\n");
}

/// `unshare --uts=FILE PROGRAM && umount FILE` never finds FILE busy: by
/// the time the program runs, nsbox holds no reference on the new mount,
/// however slow its helper. The helper is stopped while unshare is held
/// in its set-up (the bind made); a helper still holding the mount's
/// descriptor when unshare returns makes the umount fail with EBUSY.
#[test]
fn the_mount_is_free_once_unshare_returns() {
    let s = Scene::new();
    let out = attack(
        &s,
        r#"
        # Only unshare is traced: its helper (left to us, pid 1) runs freely.
        strace -qq -o /dev/null -e trace=chdir -e inject=chdir:delay_enter=1500000 \
            "$U" --uts="$W/f" --wd=/ "$S" --version > /dev/null &
        T=$!
        waitfor '[ "$(mounts "$W/f")" = 1 ] && in_syscall $NR_CHDIR'
        read -r P < "/proc/$T/task/$T/children"
        H=$(child_named 1 unshare)
        kill -STOP "$H"
        waitfor '[ "$(state "$H")" = T ]'
        # Let go, unshare runs the program, which ends at once; or it
        # waits for its helper first, which then goes on.
        waitfor 'dead "$P" || grep -qs "^$NR_READ " "/proc/$P/syscall"'
        dead "$P" || kill -CONT "$H"
        wait "$T"
        echo "unshare: rc=$?"
        run umount umount "$W/f"
        kill -CONT "$H" 2>/dev/null
        waitfor 'dead "$H"'
        echo "mounts=$(mounts "$W/f") files=$(files "$W")"
    "#,
    )
    .run();
    expect(&out, "unshare: rc=0\numount: rc=0\nmounts=0 files=f\n");
}

/// After its helper let go of the mount's descriptor, a failed exec still
/// undoes the bind, found again by name, but only while it is this run's
/// very mount: one put in its place meanwhile stays, and so does the file
/// under it. Here root replaces the mount while unshare is held in the
/// exec that will fail.
#[test]
fn an_exec_failure_spares_a_mount_put_in_place_of_ours() {
    let s = Scene::new();
    let out = attack(
        &s,
        r#"
        printf '#!/nonexistent\n' > "$W/p"
        chmod +x "$W/p"
        spawn_named other
        strace -qq -o /dev/null -e trace=execve -e inject=execve:delay_enter=1500000 \
            "$U" --uts="$W/f" "$W/p" > /dev/null 2>&1 &
        U_PID=$!
        waitfor '[ "$(mounts "$W/f")" = 1 ] && in_syscall $NR_EXECVE'
        run swap sh -c 'umount "$1" && mount --bind "/proc/$2/ns/uts" "$1"' sh "$W/f" "$T"
        wait "$U_PID"
        echo "unshare: rc=$?"
        echo "mounts=$(mounts "$W/f") $("$E" --uts="$W/f" hostname) files=$(files "$W")"
        umount "$W/f"
        end "$T"
        echo "after: files=$(files "$W")"
    "#,
    )
    .run();
    expect(
        &out,
        "swap: rc=0\nunshare: rc=127\nmounts=1 other files=f p\nafter: files=f p\n",
    );
}

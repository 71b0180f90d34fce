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

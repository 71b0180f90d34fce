//! Clean-up after a failure removes exactly what this run made: the file
//! it created, through the directory it resolved (never what a path leads
//! to by then), and the mount it made, wherever its name has gone.

use super::*;

/// unshare's program cannot be executed, so the helper undoes the bind and
/// removes the file it created; held in that removal, the directory is
/// swapped for a link to the victim's. The victim's file of the same name
/// is untouched; the file removed is ours, in the renamed directory.
#[test]
fn removal_after_a_failure_hits_only_our_file() {
    let s = Scene::new();
    let out = attack(
        &s,
        r#"
        mkdir "$W/d"
        victim "$W/victimdir"
        held unlinkat 400000 "$U" --uts="$W/d/x" /nonexistent > "$D/t/out" 2>&1 &
        waitfor 'in_syscall $NR_UNLINKAT'
        mv "$W/d" "$W/d.real" && ln -s "$W/victimdir" "$W/d"
        wait $!
        echo "rc=$? $(cat "$D/t/out")"
        echo "victim: $(intact "$W/victimdir") d.real: $(files "$W/d.real") nsfs=$(nsfs_under "$D")"
    "#,
    )
    .run();
    expect(
        &out,
        "rc=127 unshare: failed to execute /nonexistent: No such file or directory\n\
         victim: precious mounts=0 d.real:  nsfs=0\n",
    );
}

/// The same for nsbind, which fails after creating the file when a mount
/// namespace is to be kept under a shared mount.
#[test]
fn removal_after_a_refusal_hits_only_our_file() {
    let s = Scene::one_cpu();
    let out = attack(
        &s,
        r#"
        spawn_fork -m
        mkdir "$W/shared"
        mount --bind "$W/shared" "$W/shared" && mount --make-shared "$W/shared"
        mkdir "$W/shared/d"
        victim "$W/victimdir"
        held unlinkat 400000 "$N" "/proc/$T/ns/mnt" "$W/shared/d/x" > "$D/t/out" 2>&1 &
        waitfor 'in_syscall $NR_UNLINKAT'
        mv "$W/shared/d" "$W/shared/d.real" && ln -s "$W/victimdir" "$W/shared/d"
        wait $!
        echo "rc=$? $(cat "$D/t/out")"
        echo "victim: $(intact "$W/victimdir") d.real: $(files "$W/shared/d.real")"
        umount "$W/shared"
        end_fork
        echo "nsfs=$(nsfs_under "$D")"
    "#,
    )
    .run();
    let w = s.w();
    expect(
        &out,
        &format!(
            "rc=1 nsbind: cannot persist a mount namespace on {w}/shared/d/x: {w}/shared is a \
             shared mount*\n\
             victim: precious mounts=0 d.real: \n\
             nsfs=0\n"
        ),
    );
}

/// Held in its mount, the target is renamed and a link to the victim put
/// in its place. The bind lands on the renamed file, is found there by the
/// check after the mount, and undone: nothing stays mounted anywhere.
#[test]
fn a_replaced_target_is_left_unmounted() {
    let s = Scene::new();
    let out = attack(
        &s,
        r#"
        victim "$W/v"
        : > "$W/u"
        for how in nsbind unshare; do
            case $how in
                nsbind) t=t; set -- "$N" /proc/self/ns/uts "$W/t" ;;
                unshare) t=u; set -- "$U" --uts="$W/u" echo ran ;;
            esac
            held move_mount 500000 "$@" > "$D/t/out" 2>&1 &
            waitfor 'in_syscall $NR_MOVE_MOUNT'
            mv "$W/$t" "$W/$t.orig" && ln -s "$W/v/x" "$W/$t"
            wait $!
            echo "$how: rc=$? $(cat "$D/t/out")"
        done
        echo "files: $(files "$W") nsfs=$(nsfs_under "$D") victim: $(intact "$W/v")"
    "#,
    )
    .run();
    let w = s.w();
    expect(
        &out,
        &format!(
            "nsbind: rc=1 nsbind: {w}/t was replaced while the namespace was being bound onto it\n\
             unshare: rc=1 unshare: {w}/u was replaced while the namespace was being bound onto it\n\
             files: t t.orig u u.orig v nsfs=0 victim: precious mounts=0\n"
        ),
    );
}

/// Under every fd limit from 3 up, each attempt either succeeds or leaves
/// nothing: no file, no mount (the limit strikes at every step in turn).
#[test]
fn tiny_fd_limits_leave_nothing_behind() {
    let s = Scene::new();
    let out = attack(
        &s,
        r#"
        failed=0 worked=0
        for n in 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18; do
            for how in unshare nsbind; do
                case $how in
                    unshare) (ulimit -n $n && exec "$U" --uts="$W/f" true) 2>/dev/null ;;
                    nsbind) (ulimit -n $n && exec "$N" /proc/self/ns/uts "$W/f") 2>/dev/null ;;
                esac
                rc=$?
                if [ $rc = 0 ]; then
                    worked=$((worked + 1))
                    umount "$W/f" && rm "$W/f"
                else
                    failed=$((failed + 1))
                    if [ -e "$W/f" ] || [ "$(nsfs_under "$D")" != 0 ]; then
                        echo "left behind: $how, limit $n: $(files "$W") nsfs=$(nsfs_under "$D")"
                        umount "$W/f" 2>/dev/null
                        rm -f "$W/f"
                    fi
                fi
            done
        done
        echo "some failed: $([ $failed -gt 0 ] && echo yes) some worked: $([ $worked -gt 0 ] && echo yes)"
    "#,
    )
    .run();
    expect(&out, "some failed: yes some worked: yes\n");
}

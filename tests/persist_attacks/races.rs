//! Binders racing for one file: every nsbox process takes the directory's
//! lock, so one wins and the other fails cleanly; a stranger holding that
//! lock neither hangs nsbox nor lets two binds stack, since the check after
//! the mount decides.

use super::*;

/// A is held in its mount with the lock taken; B comes for the same file,
/// waits for the lock, finds A's namespace there and fails before it has
/// done anything. For unshare against unshare, nsbind against unshare and
/// unshare against nsbind.
#[test]
fn of_two_binders_one_wins() {
    let s = Scene::new();
    let out = attack(
        &s,
        r#"
        for pair in "unshare unshare" "nsbind unshare" "unshare nsbind"; do
            set -- $pair
            rm -f "$W/f"
            case $1 in
                unshare) held move_mount 500000 "$U" --uts="$W/f" echo A ran > "$D/t/a" 2>&1 & ;;
                nsbind) held move_mount 500000 "$N" /proc/self/ns/uts "$W/f" > "$D/t/a" 2>&1 & ;;
            esac
            A=$!
            waitfor 'in_syscall $NR_MOVE_MOUNT'
            case $2 in
                unshare) run "$pair" "$U" --ipc="$W/f" echo B ran ;;
                nsbind) run "$pair" "$N" /proc/self/ns/ipc "$W/f" ;;
            esac
            wait $A
            echo "A: rc=$? $(cat "$D/t/a") f: mounts=$(mounts "$W/f") $(mounted_kind "$W/f")"
            umount "$W/f"
        done
    "#,
    )
    .run();
    let busy = format!(
        "{}/f already has a namespace bound onto it; release it first with nsbind --unbind",
        s.w()
    );
    expect(
        &out,
        &format!(
            "unshare unshare: rc=1\n\
             unshare unshare> unshare: {busy}\n\
             A: rc=0 A ran f: mounts=1 uts\n\
             nsbind unshare: rc=1\n\
             nsbind unshare> unshare: {busy}\n\
             A: rc=0  f: mounts=1 uts\n\
             unshare nsbind: rc=1\n\
             unshare nsbind> nsbind: {busy}\n\
             A: rc=0 A ran f: mounts=1 uts\n"
        ),
    );
}

/// uid 65534 holds the lock of a directory of root's forever. Binding,
/// refusing a second bind, unshare and releasing all still work, each
/// after a short wait; and two binders racing there, A held in its mount
/// past B's patience, still leave one namespace: B's, bound first, which
/// A finds under its own after mounting, and undoes its own.
#[test]
fn a_strangers_lock_neither_hangs_nor_skips_checks() {
    let s = Scene::new();
    let out = attack(
        &s,
        r#"
        mkdir -m 755 "$W/D"
        as_nobody flock -x "$W/D" sleep 600 &
        L=$!
        ino=$(stat -c %i "$W/D")
        waitfor 'grep -q ":$ino " /proc/locks'
        run bind timeout 20 "$N" /proc/self/ns/uts "$W/D/x"
        run again timeout 20 "$N" /proc/self/ns/uts "$W/D/x"
        run unshare timeout 20 "$U" --uts="$W/D/y" true
        echo "bound: $(mounts "$W/D/x") $(mounts "$W/D/y")"
        run unbind timeout 20 "$N" --unbind "$W/D/x" "$W/D/y"
        echo "D: $(files "$W/D") nsfs=$(nsfs_under "$D")"
        held move_mount 3000000 "$U" --uts="$W/D/z" echo A ran > "$D/t/a" 2>&1 &
        A=$!
        waitfor 'in_syscall $NR_MOVE_MOUNT'
        run B timeout 20 "$U" --ipc="$W/D/z" echo B ran
        wait $A
        echo "A: rc=$? $(cat "$D/t/a")"
        echo "z: mounts=$(mounts "$W/D/z") $(mounted_kind "$W/D/z")"
        echo "lock: $(grep -c ":$ino " /proc/locks)"
        end $L
    "#,
    )
    .run();
    let w = s.w();
    expect(
        &out,
        &format!(
            "bind: rc=0\n\
             again: rc=1\n\
             again> nsbind: {w}/D/x already has a namespace bound onto it; release it first \
             with nsbind --unbind\n\
             unshare: rc=0\n\
             bound: 1 1\n\
             unbind: rc=0\n\
             unbind> nsbind: warning: released {w}/D/x, but its uts namespace * is still held \
             by process *\n\
             D:  nsfs=0\n\
             B: rc=0\n\
             B> B ran\n\
             A: rc=1 unshare: {w}/D/z already has a namespace bound onto it; release it first \
             with nsbind --unbind\n\
             z: mounts=1 ipc\n\
             lock: 1\n"
        ),
    );
}

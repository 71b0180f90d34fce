//! The path to a target: symbolic links another user could plant or swap
//! on it are refused, trusted ones followed, a swap during the operation
//! changes nothing, and files of kernel pseudo file systems are refused.

use super::*;

/// The setting of the issue's race, frozen at its worst moment: in `U`, a
/// directory of uid 65534, `d` is a link to a directory of root's. Every
/// kind of persistence refuses to follow it, naming it, and the victim is
/// untouched. So is a link of root's that uid 65534 could have moved into
/// place in its directory.
#[test]
fn links_another_user_could_plant_are_refused() {
    let s = Scene::new();
    let out = attack(
        &s,
        r#"
        mkdir "$W/U" && chown 65534 "$W/U" && chmod 755 "$W/U"
        victim "$W/victim"
        as_nobody mkdir "$W/U/real"
        as_nobody ln -s "$W/victim" "$W/U/d"
        ln -s "$W/victim" "$W/U/rootlink"
        run bind "$N" /proc/self/ns/uts "$W/U/d/x"
        run unshare "$U" --uts="$W/U/d/x" echo ran
        run rootlink "$N" /proc/self/ns/uts "$W/U/rootlink/x"
        mount --bind /proc/self/ns/uts "$W/victim/x"
        run unbind "$N" --unbind "$W/U/d/x"
        echo "victim: mounts=$(mounts "$W/victim/x")"
        umount "$W/victim/x"
        echo "victim: $(intact "$W/victim") U: $(files "$W/U") real: $(files "$W/U/real")"
    "#,
    )
    .run();
    let w = s.w();
    let refused = |what: &str, link: &str, why: &str| {
        format!("{what} {w}/U/{link}/x: refusing to follow the symbolic link {w}/U/{link}: {why}")
    };
    let theirs = "it belongs to another user";
    expect(
        &out,
        &format!(
            "bind: rc=1\n\
             bind> nsbind: {}\n\
             unshare: rc=1\n\
             unshare> unshare: {}\n\
             rootlink: rc=1\n\
             rootlink> nsbind: {}\n\
             unbind: rc=1\n\
             unbind> nsbind: {}\n\
             victim: mounts=1\n\
             victim: precious mounts=0 U: d real rootlink real: \n",
            refused("cannot create", "d", theirs),
            refused("cannot create", "d", theirs),
            refused(
                "cannot create",
                "rootlink",
                "other users can replace it in its directory"
            ),
            refused("cannot open", "d", theirs),
        ),
    );
}

/// Links nobody else could have planted are followed as before: root's in
/// a directory of root's (as /var/run -> /run), relative ones, root's in a
/// sticky world-writable directory (as /tmp); not uid 65534's in the same.
/// (The scene's own UTS namespace, bound here, lives on in its processes,
/// which each release says.)
#[test]
fn trusted_links_are_followed() {
    let s = Scene::new();
    let out = attack(
        &s,
        r#"
        mkdir -m 755 "$W/sys" "$W/real"
        ln -s "$W/real" "$W/sys/run"
        ln -s ../real "$W/sys/rel"
        mkdir -m 1777 "$W/tmp"
        ln -s "$W/real" "$W/tmp/rootlink"
        as_nobody ln -s "$W/real" "$W/tmp/theirs"
        run run "$N" /proc/self/ns/uts "$W/sys/run/a"
        run rel "$U" --uts="$W/sys/rel/b" true
        run sticky "$N" /proc/self/ns/uts "$W/tmp/rootlink/c"
        run theirs "$N" /proc/self/ns/uts "$W/tmp/theirs/d"
        echo "real: $(files "$W/real") $(mounts "$W/real/a") $(mounts "$W/real/b") $(mounts "$W/real/c")"
        run unbind "$N" --unbind "$W/sys/run/a" "$W/sys/rel/b" "$W/tmp/rootlink/c"
        echo "real: $(files "$W/real") nsfs=$(nsfs_under "$D")"
        # /var/run -> /run, as Debian has it, with a /run of the scene's own.
        mount -t tmpfs nsbox-run /run
        echo "var/run: $(readlink /var/run)"
        run varrun "$N" /proc/self/ns/uts /var/run/nsbox-test
        echo "run: $(mounts /run/nsbox-test)"
        run release "$N" --unbind /var/run/nsbox-test
        echo "run: $(files /run)"
        umount /run
    "#,
    )
    .run();
    let w = s.w();
    expect(
        &out,
        &format!(
            "run: rc=0\n\
             rel: rc=0\n\
             sticky: rc=0\n\
             theirs: rc=1\n\
             theirs> nsbind: cannot create {w}/tmp/theirs/d: refusing to follow the symbolic \
             link {w}/tmp/theirs: it belongs to another user\n\
             real: a b c 1 1 1\n\
             unbind: rc=0\n\
             unbind> nsbind: warning: released {w}/sys/run/a, but its uts namespace * is \
             still held by process *\n\
             real:  nsfs=0\n\
             var/run: /run\n\
             varrun: rc=0\n\
             run: 1\n\
             release: rc=0\n\
             release> nsbind: warning: released /var/run/nsbox-test, but its uts namespace * \
             is still held by process *\n\
             run: \n"
        ),
    );
}

/// The race itself, made deterministic: while nsbox is held in its mount
/// (or unmount) system call, uid 65534 renames the directory on the path and
/// puts a link to the victim in its place. Everything still happens in the
/// directory resolved at the start: the namespace lands on, and is released
/// from, the real directory's file, under its new name.
#[test]
fn a_directory_swapped_mid_operation_changes_nothing() {
    let s = Scene::new();
    let out = attack(
        &s,
        r#"
        mkdir "$W/U" && chown 65534 "$W/U" && chmod 755 "$W/U"
        victim "$W/victim"
        # swap: the directory U/d goes to U/real, a link to the victim takes its name.
        swap() { as_nobody mv "$W/U/d" "$W/U/real" && as_nobody ln -s "$W/victim" "$W/U/d"; }
        unswap() { as_nobody rm "$W/U/d" && as_nobody mv "$W/U/real" "$W/U/d"; }
        for how in nsbind unshare; do
            as_nobody mkdir "$W/U/d"
            case $how in
                nsbind) set -- "$N" /proc/self/ns/uts "$W/U/d/x" ;;
                unshare) set -- "$U" --uts="$W/U/d/x" echo ran ;;
            esac
            held move_mount 500000 "$@" > "$D/t/out" 2>&1 &
            waitfor 'in_syscall $NR_MOVE_MOUNT'
            swap
            wait $!
            echo "$how: rc=$? $(cat "$D/t/out")"
            echo "real: $(files "$W/U/real") mounts=$(mounts "$W/U/real/x") victim: $(intact "$W/victim")"
            umount "$W/U/real/x" && rm "$W/U/real/x" && as_nobody rm "$W/U/d" && as_nobody rmdir "$W/U/real"
        done
        as_nobody mkdir "$W/U/d"
        "$N" /proc/self/ns/uts "$W/U/d/x"
        mount --bind /proc/self/ns/uts "$W/victim/x"
        held umount2 500000 "$N" --unbind "$W/U/d/x" > "$D/t/out" 2>&1 &
        waitfor 'in_syscall $NR_UMOUNT2'
        swap
        wait $!
        echo "unbind: rc=$? $(cat "$D/t/out")"
        echo "real: $(files "$W/U/real") victim: mounts=$(mounts "$W/victim/x")"
        umount "$W/victim/x"
        echo "victim: $(intact "$W/victim")"
    "#,
    )
    .run();
    let w = s.w();
    expect(
        &out,
        &format!(
            "nsbind: rc=0 \n\
         real: x mounts=1 victim: precious mounts=0\n\
         unshare: rc=0 ran\n\
         real: x mounts=1 victim: precious mounts=0\n\
         unbind: rc=0 nsbind: warning: released {w}/U/d/x, but its uts namespace * is still \
         held by process *\n\
         real:  victim: mounts=1\n\
         victim: precious mounts=0\n"
        ),
    );
}

/// Files of the kernel's pseudo file systems are refused as targets: a
/// bind over one would change what the kernel shows everyone.
#[test]
fn pseudo_file_systems_are_refused() {
    let s = Scene::new();
    let out = attack(
        &s,
        r#"
        before=$(cat /proc/sys/kernel/domainname)
        sysfile=$(find /sys/kernel -maxdepth 1 -type f -readable | head -n 1)
        procs=$(find /sys/fs/cgroup -maxdepth 2 -name cgroup.procs | head -n 1)
        run proc "$N" /proc/self/ns/uts /proc/sys/kernel/domainname
        run sysfs "$N" /proc/self/ns/uts "$sysfile"
        run cgroup "$N" /proc/self/ns/uts "$procs"
        run unshare "$U" --uts=/proc/sys/kernel/hostname echo ran
        echo "domainname: $(eq "$(cat /proc/sys/kernel/domainname)" "$before") nsfs=$(grep -c ' - nsfs ' /proc/self/mountinfo)"
    "#,
    )
    .run();
    expect(
        &out,
        "proc: rc=1\n\
         proc> nsbind: /proc/sys/kernel/domainname is on proc, a kernel pseudo file system; \
         refusing to bind over it\n\
         sysfs: rc=1\n\
         sysfs> nsbind: /sys/kernel/* is on sysfs, a kernel pseudo file system; refusing to bind over it\n\
         cgroup: rc=1\n\
         cgroup> nsbind: /sys/fs/cgroup/* is on cgroup*, a kernel pseudo file system; refusing to bind over it\n\
         unshare: rc=1\n\
         unshare> unshare: /proc/sys/kernel/hostname is on proc, a kernel pseudo file system; \
         refusing to bind over it\n\
         domainname: yes nsfs=0\n",
    );
}

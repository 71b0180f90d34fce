//! `--all DIR`: every namespace of a process, bound in one directory, all
//! or nothing.

use super::*;

/// `-t PID --all DIR` from a target in new namespaces of every kind: DIR is
/// created (0755) and holds all eight, each the target's, each mounted once.
fn all_kinds(who: Who) {
    let s = Scene::one_cpu();
    let out = s
        .shell_as(
            who,
            r#"
        spawn_fork -m -u -i -n -p -C -T -U -r
        run all "$N" -t "$T" --all "$W/all"
        echo "mode=$(stat -c %a "$W/all") files=$(files "$W/all")"
        for k in mnt uts ipc net pid user cgroup time; do
            echo "$k: held=$(eq "$(ino "$W/all/$k")" "$(nsino "$T" "$k")")" \
                "mounts=$(mounts "$W/all/$k") kind=$(mounted_kind "$W/all/$k")"
        done
        echo "nsfs=$(nsfs_under "$W")"
        run short "$N" -t "$T" -a "$W/short"
        echo "short: files=$(files "$W/short") nsfs=$(nsfs_under "$W/short")"
        end_fork
    "#,
        )
        .run();
    let mut want = String::from("all: rc=0\nmode=755 files=cgroup ipc mnt net pid time user uts\n");
    for k in KINDS {
        want += &format!("{k}: held=yes mounts=1 kind={k}\n");
    }
    want += "nsfs=8\nshort: rc=0\nshort: files=cgroup ipc mnt net pid time user uts nsfs=8\n";
    expect(&out, &want);
}

#[test]
fn every_kind_into_a_new_dir() {
    all_kinds(Who::Root);
}

#[test]
fn every_kind_into_a_new_dir_unprivileged() {
    all_kinds(Who::Nobody);
}

/// A target with only a UTS namespace of its own: the kinds it shares
/// with us are bound all the same, except the mount namespace, which is
/// our own (the kernel cannot bind that). An existing DIR is used.
#[test]
fn kinds_shared_with_us_and_our_mount_namespace() {
    let s = Scene::new();
    let out = s
        .shell_pidns(
            r#"
            spawn_named nsbind-all
            mkdir -m 700 "$W/all"
            run all "$N" -t "$T" --all "$W/all"
            echo "mode=$(stat -c %a "$W/all") files=$(files "$W/all")"
            echo "uts: held=$(eq "$(ino "$W/all/uts")" "$(nsino "$T" uts)")" \
                "new=$(ne "$(ino "$W/all/uts")" "$(nsino $$ uts)")" \
                "hostname=$("$S" "$W/all/uts" hostname)"
            for k in ipc net pid user cgroup time; do
                echo "$k: ours=$(eq "$(ino "$W/all/$k")" "$(nsino $$ "$k")")" \
                    "mounts=$(mounts "$W/all/$k")"
            done
            echo "nsfs=$(nsfs_under "$W")"
            end "$T"
        "#,
        )
        .run();
    expect(
        &out,
        "all: rc=0\n\
             mode=700 files=cgroup ipc net pid time user uts\n\
             uts: held=yes new=yes hostname=nsbind-all\n\
             ipc: ours=yes mounts=1\n\
             net: ours=yes mounts=1\n\
             pid: ours=yes mounts=1\n\
             user: ours=yes mounts=1\n\
             cgroup: ours=yes mounts=1\n\
             time: ours=yes mounts=1\n\
             nsfs=7\n",
    );
}

/// All or nothing, in an existing DIR: DIR/net is a symbolic link (or a
/// directory), so the call fails at net after binding mnt, uts and ipc;
/// those are undone and their files removed; DIR, the link and what it
/// points at stay as they were.
#[test]
fn all_or_nothing_in_an_existing_dir() {
    let s = Scene::one_cpu();
    let out = s
        .shell_pidns(
            r#"
            spawn_fork -m -u -i -n -p -C -T -U -r
            mkdir "$W/link" "$W/dir"
            echo keep > "$W/elsewhere"
            ln -s "$W/elsewhere" "$W/link/net"
            mkdir "$W/dir/net"
            run link "$N" -t "$T" --all "$W/link"
            run dir "$N" -t "$T" --all "$W/dir"
            echo "link: $(files "$W/link") -> $(readlink "$W/link/net")"
            echo "dir: $(files "$W/dir") $(files "$W/dir/net")"
            echo "elsewhere: $(cat "$W/elsewhere") mounts=$(mounts "$W/elsewhere")"
            echo "files: $(files "$W")"
            echo "nsfs=$(nsfs_under "$D") mounts=$(under "$D")"
            end_fork
        "#,
        )
        .run();
    let w = s.w();
    expect(
            &out,
            &format!(
                "link: rc=1\n\
                 link> nsbind: {w}/link/net is a symbolic link; refusing to mount over what it points at\n\
                 dir: rc=1\n\
                 dir> nsbind: {w}/dir/net *directory*\n\
                 link: net -> {w}/elsewhere\n\
                 dir: net \n\
                 elsewhere: keep mounts=0\n\
                 files: dir elsewhere link\n\
                 nsfs=0 mounts=0\n"
            ),
        );
}

/// All or nothing, in a DIR the call creates: on a tmpfs with room for
/// four inodes (its root, DIR, DIR/mnt, DIR/uts), DIR/ipc cannot be
/// created; the mnt and uts binds are undone, their files and DIR
/// removed, and every inode given back.
#[test]
fn all_or_nothing_in_a_new_dir() {
    let s = Scene::one_cpu();
    let out = s
        .shell_pidns(
            r#"
            spawn_fork -m -u -i -n -p -C -T -U -r
            mkdir "$W/small"
            mount -t tmpfs -o nr_inodes=4,mode=755 nsbind-small "$W/small"
            echo "before: $(df --output=iused "$W/small" | tail -n 1 | tr -d ' ')"
            run all "$N" -t "$T" --all "$W/small/all"
            echo "after: $(df --output=iused "$W/small" | tail -n 1 | tr -d ' ')" \
                "files=$(ls -A "$W/small" | wc -l) nsfs=$(nsfs_under "$D")"
            umount "$W/small"
            end_fork
        "#,
        )
        .run();
    let w = s.w();
    expect(
        &out,
        &format!(
            "before: 1\n\
                 all: rc=1\n\
                 all> nsbind: *{w}/small/all/ipc*No space left on device\n\
                 after: 1 files=0 nsfs=0\n"
        ),
    );
}

/// DIR a symbolic link is refused, and only DIR itself is created.
#[test]
fn symlinked_dir_and_missing_parent() {
    let s = Scene::new();
    let out = s
        .shell_pidns(
            r#"
            spawn_named nsbind-all
            mkdir "$W/real"
            ln -s "$W/real" "$W/link"
            run link "$N" -t "$T" --all "$W/link"
            run parent "$N" -t "$T" --all "$W/missing/all"
            echo "real: $(ls -A "$W/real" | wc -l) files: $(files "$W") nsfs=$(nsfs_under "$D")"
            end "$T"
        "#,
        )
        .run();
    let w = s.w();
    expect(
        &out,
        &format!(
            "link: rc=1\n\
                 link> nsbind: {w}/link *symbolic link*\n\
                 parent: rc=1\n\
                 parent> nsbind: *{w}/missing/all*No such file or directory\n\
                 real: 0 files: link real nsfs=0\n"
        ),
    );
}

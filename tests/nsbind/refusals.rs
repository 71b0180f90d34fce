//! Refusals: what nsbind will not bind, or bind onto, and why.

use super::*;

/// A symbolic link TARGET, dangling or not, is refused: nothing is
/// mounted or created, and what it points at is untouched.
#[test]
fn symlink_target() {
    let s = Scene::new();
    let out = s
        .shell_pidns(
            r#"
            spawn_named nsbind-refused
            echo keep > "$W/target"
            ln -s "$W/target" "$W/link"
            ln -s "$W/absent" "$W/dangling"
            run link "$N" "/proc/$T/ns/uts" "$W/link"
            run dangling "$N" -t "$T" uts "$W/dangling"
            run mnt "$N" -t "$T" mnt "$W/dangling"
            echo "target: $(cat "$W/target") mounts=$(mounts "$W/target")"
            echo "files: $(files "$W") -> $(readlink "$W/link") $(readlink "$W/dangling")"
            echo "mounts=$(under "$D")"
            end "$T"
        "#,
        )
        .run();
    let w = s.w();
    let refused = "is a symbolic link; refusing to mount over what it points at";
    expect(
        &out,
        &format!(
            "link: rc=1\n\
                 link> nsbind: {w}/link {refused}\n\
                 dangling: rc=1\n\
                 dangling> nsbind: {w}/dangling {refused}\n\
                 mnt: rc=1\n\
                 mnt> nsbind: *\n\
                 target: keep mounts=0\n\
                 files: dangling link target -> {w}/target {w}/absent\n\
                 mounts=0\n"
        ),
    );
}

/// An NSFILE that is no namespace is refused before TARGET is created.
#[test]
fn non_namespace_nsfile() {
    let s = Scene::new();
    let out = s
        .shell_pidns(
            r#"
            mkfifo "$W/fifo"
            run passwd "$N" /etc/passwd "$W/a"
            run typed "$N" --type uts /etc/passwd "$W/b"
            run dir "$N" /proc/self/ns "$W/c"
            run fifo "$N" "$W/fifo" "$W/d"
            run missing "$N" "$W/absent" "$W/e"
            echo "files: $(files "$W") mounts=$(under "$D")"
        "#,
        )
        .run();
    let w = s.w();
    expect(
        &out,
        &format!(
            "passwd: rc=1\n\
                 passwd> nsbind: /etc/passwd is not a namespace file\n\
                 typed: rc=1\n\
                 typed> nsbind: /etc/passwd is not a namespace file\n\
                 dir: rc=1\n\
                 dir> nsbind: /proc/self/ns is not a namespace file\n\
                 fifo: rc=1\n\
                 fifo> nsbind: {w}/fifo is not a namespace file\n\
                 missing: rc=1\n\
                 missing> nsbind: cannot open {w}/absent: No such file or directory\n\
                 files: fifo mounts=0\n"
        ),
    );
}

/// A directory, a FIFO or a device as TARGET is refused, unmounted.
#[test]
fn directory_fifo_and_device_targets() {
    let s = Scene::new();
    let out = s
        .shell_pidns(
            r#"
            spawn_named nsbind-refused
            mkdir "$W/dir"
            mkfifo "$W/fifo"
            run dir "$N" -t "$T" uts "$W/dir"
            run fifo "$N" "/proc/$T/ns/uts" "$W/fifo"
            run null "$N" "/proc/$T/ns/uts" /dev/null
            echo "mounts=$(under "$D") $(mounts /dev/null) dir=$(ls -A "$W/dir" | wc -l)"
            echo "files: $(files "$W")"
            end "$T"
        "#,
        )
        .run();
    let w = s.w();
    expect(
        &out,
        &format!(
            "dir: rc=1\n\
                 dir> nsbind: {w}/dir *directory*\n\
                 fifo: rc=1\n\
                 fifo> nsbind: {w}/fifo *regular file*\n\
                 null: rc=1\n\
                 null> nsbind: /dev/null *regular file*\n\
                 mounts=0 0 dir=0\n\
                 files: dir fifo\n"
        ),
    );
}

/// A TARGET that already has a namespace bound is refused, whatever the
/// kind or form: no stacking, the first mount stays the only one. A
/// second --all into the same DIR fails and leaves the first one's
/// mounts alone.
#[test]
fn already_bound_target() {
    let s = Scene::new();
    let out = s
        .shell_pidns(
            r#"
            spawn_named nsbind-bound --net
            run first "$N" -t "$T" uts "$W/f"
            run again "$N" -t "$T" uts "$W/f"
            run net "$N" "/proc/$T/ns/net" "$W/f"
            run self "$N" /proc/self/ns/ipc "$W/f"
            echo "f: mounts=$(mounts "$W/f") held=$(eq "$(ino "$W/f")" "$(nsino "$T" uts)")"
            run "all first" "$N" -t "$T" --all "$W/all"
            run "all again" "$N" -t "$T" --all "$W/all"
            echo "all: nsfs=$(nsfs_under "$W/all") files=$(files "$W/all")"
            end "$T"
        "#,
        )
        .run();
    let w = s.w();
    let refused = "already has a namespace bound onto it; release it first with nsbind --unbind";
    expect(
        &out,
        &format!(
            "first: rc=0\n\
                 again: rc=1\n\
                 again> nsbind: {w}/f {refused}\n\
                 net: rc=1\n\
                 net> nsbind: {w}/f {refused}\n\
                 self: rc=1\n\
                 self> nsbind: {w}/f {refused}\n\
                 f: mounts=1 held=yes\n\
                 all first: rc=0\n\
                 all again: rc=1\n\
                 all again> nsbind: {w}/all/uts {refused}\n\
                 all: nsfs=7 files=cgroup ipc net pid time user uts\n"
        ),
    );
}

/// A mount namespace cannot be bound onto a shared mount: refused up
/// front, nothing created, with the fix in the message (`nsbind
/// --private`); the fix, run as the message words it, works: the
/// directory's mount is then private.
#[test]
fn shared_mount_for_mnt_and_the_fix() {
    let s = Scene::one_cpu();
    let out = s
        .shell_pidns(
            r#"
            spawn --mount
            mkdir "$W/shared"
            mount --bind "$W/shared" "$W/shared"
            mount --make-shared "$W/shared"
            msg=$("$N" -t "$T" mnt "$W/shared/mnt" 2>&1)
            echo "rc=$?"
            printf '%s\n' "$msg"
            echo "files: $(ls -A "$W/shared" | wc -l) nsfs=$(nsfs_under "$D")"
            fix=${msg##*first: }
            PATH="$D:$PATH" sh -c "$fix"
            echo "fix: rc=$?"
            P=$(escaped "$W/shared") awk '$5 == ENVIRON["P"] { print "propagation:", $7 }' \
                /proc/self/mountinfo
            run fixed "$N" -t "$T" mnt "$W/shared/mnt"
            echo "fixed: held=$(eq "$(ino "$W/shared/mnt")" "$(nsino "$T" mnt)")" \
                "mounts=$(mounts "$W/shared/mnt")" \
                "entered=$(eq "$("$S" "$W/shared/mnt" readlink /proc/self/ns/mnt)" \
                               "$(readlink "/proc/$T/ns/mnt")")"
            end "$T"
            run unbind "$N" --unbind "$W/shared/mnt"
            echo "files: $(ls -A "$W/shared" | wc -l) nsfs=$(nsfs_under "$D")"
        "#,
        )
        .run();
    let sh = format!("{}/shared", s.w());
    expect(
        &out,
        &format!(
            "rc=1\n\
                 nsbind: *{sh}/mnt*shared*first: mkdir -p {sh} && nsbind --private {sh}\n\
                 files: 0 nsfs=0\n\
                 fix: rc=0\n\
                 propagation: -\n\
                 fixed: rc=0\n\
                 fixed: held=yes mounts=1 entered=yes\n\
                 unbind: rc=0\n\
                 files: 0 nsfs=0\n"
        ),
    );
}

/// Our own mount namespace is refused (the kernel cannot bind it), by
/// file and by process; nothing is created.
#[test]
fn our_own_mount_namespace() {
    let s = Scene::new();
    let out = s
        .shell_pidns(
            r#"
            run self "$N" /proc/self/ns/mnt "$W/a"
            run shell "$N" -t $$ mnt "$W/b"
            run typed "$N" --type mnt "/proc/$$/ns/mnt" "$W/c"
            echo "files: $(ls -A "$W" | wc -l) mounts=$(under "$D")"
        "#,
        )
        .run();
    let own = "is our own mount namespace, which the kernel does not bind; \
                   run nsbind from the mount namespace it was made from";
    expect(
        &out,
        &format!(
            "self: rc=1\n\
                 self> nsbind: /proc/self/ns/mnt {own}\n\
                 shell: rc=1\n\
                 shell> nsbind: /proc/1/ns/mnt {own}\n\
                 typed: rc=1\n\
                 typed> nsbind: /proc/1/ns/mnt {own}\n\
                 files: 0 mounts=0\n"
        ),
    );
}

/// A mount namespace older than the binder's is refused with a message
/// (the kernel binds only newer ones); from the older namespace it was
/// made from, it binds.
#[test]
fn older_mount_namespace() {
    let s = Scene::one_cpu();
    let out = s
        .shell_pidns(
            r#"
            spawn --mount
            run newer "$UL" --mount --propagation private "$N" -t "$T" mnt "$W/m"
            echo "files: $(ls -A "$W" | wc -l)"
            run older "$N" -t "$T" mnt "$W/m"
            echo "m: held=$(eq "$(ino "$W/m")" "$(nsino "$T" mnt)") mounts=$(mounts "$W/m")"
            end "$T"
        "#,
        )
        .run();
    expect(
        &out,
        "newer: rc=1\n\
             newer> nsbind: /proc/*/ns/mnt is not newer than our own mount namespace*\n\
             files: 0\n\
             older: rc=0\n\
             m: held=yes mounts=1\n",
    );
}

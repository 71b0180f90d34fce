//! `--unbind` and `--keep`: taking bound namespaces off again.

use super::*;

/// --unbind (-u) removes mount and file; --keep (-k) keeps the file, which
/// then takes a namespace again. The target process is still in the
/// namespaces: each release warns so, naming it, and counts the other
/// holders (the other file bound to the UTS namespace, while it is).
fn unbind_and_keep(who: Who) {
    let s = Scene::new();
    let out = s
        .shell_as(
            who,
            r#"
        spawn_named nsbind-unbind --net
        for f in a c; do "$N" -t "$T" uts "$W/$f"; done
        "$N" -t "$T" net "$W/b"
        echo "bound: $(mounts "$W/a") $(mounts "$W/b") $(mounts "$W/c")"
        run long "$N" --unbind "$W/a"
        run short "$N" -u "$W/b"
        run keep "$N" --unbind --keep "$W/c"
        echo "a: $(ls -A "$W" | grep -cx a) $(mounts "$W/a")"
        echo "b: $(ls -A "$W" | grep -cx b) $(mounts "$W/b")"
        echo "c: $(stat -c '%F %s %a' "$W/c") mounts=$(mounts "$W/c")"
        run again "$N" -t "$T" uts "$W/c"
        echo "c: held=$(eq "$(ino "$W/c")" "$(nsino "$T" uts)") mounts=$(mounts "$W/c")"
        run "keep short" "$N" -u -k "$W/c"
        echo "c: $(stat -c '%F %s' "$W/c") mounts=$(mounts "$W/c")"
        echo "target: $(cat "/proc/$T/comm") $("$E" -t "$T" --uts hostname)"
        end "$T"
        echo "files: $(files "$W") nsfs=$(nsfs_under "$D")"
    "#,
        )
        .run();
    let w = s.w();
    let held = |file: &str, kind: &str, more: &str| {
        format!(
            "nsbind: warning: released {w}/{file}, but its {kind} namespace * is still held \
             by process * (sleep){more}"
        )
    };
    expect(
        &out,
        &format!(
            "bound: 1 1 1\n\
             long: rc=0\n\
             long> {}\n\
             short: rc=0\n\
             short> {}\n\
             keep: rc=0\n\
             keep> {}\n\
             a: 0 0\n\
             b: 0 0\n\
             c: regular empty file 0 444 mounts=0\n\
             again: rc=0\n\
             c: held=yes mounts=1\n\
             keep short: rc=0\n\
             keep short> {}\n\
             c: regular empty file 0 mounts=0\n\
             target: sleep nsbind-unbind\n\
             files: c nsfs=0\n",
            held("a", "uts", ", and 1 more"),
            held("b", "net", ""),
            held("c", "uts", ""),
            held("c", "uts", ""),
        ),
    );
}

#[test]
fn removes_mount_and_file_or_keeps_the_file() {
    unbind_and_keep(Who::Root);
}

#[test]
fn removes_mount_and_file_or_keeps_the_file_unprivileged() {
    unbind_and_keep(Who::Nobody);
}

/// What is not a namespace bind mount is refused and left untouched: a
/// plain file, a copy of /etc/hostname, a symbolic link to a bound file,
/// a tmpfs mount point, a file bind mount, a /proc namespace link.
#[test]
fn not_a_namespace_bind_mount_is_left_alone() {
    let s = Scene::new();
    let out = s
            .shell_pidns(
                r#"
            spawn_named nsbind-alone
            echo plain > "$W/plain"
            cp /etc/hostname "$W/hostname"
            "$N" -t "$T" uts "$W/bound"
            ln -s "$W/bound" "$W/link"
            mkdir "$W/tmpfs"
            mount -t tmpfs nsbind-tmpfs "$W/tmpfs"
            echo inside > "$W/tmpfs/marker"
            : > "$W/filebind"
            mount --bind /etc/hostname "$W/filebind"
            before=$(grep -F "$D" /proc/self/mountinfo)
            for f in plain hostname link tmpfs filebind; do
                run "$f" "$N" --unbind "$W/$f"
            done
            run proc "$N" --unbind "/proc/$T/ns/uts"
            echo "plain: $(cat "$W/plain")"
            echo "hostname: $(cmp -s /etc/hostname "$W/hostname" && echo same)"
            echo "link: $(readlink "$W/link") mounts=$(mounts "$W/bound")" \
                "held=$(eq "$(ino "$W/bound")" "$(nsino "$T" uts)")"
            echo "tmpfs: mounts=$(mounts "$W/tmpfs") $(cat "$W/tmpfs/marker")"
            echo "filebind: mounts=$(mounts "$W/filebind")" \
                "$(cmp -s /etc/hostname "$W/filebind" && echo same)"
            echo "mountinfo: $( [ "$before" = "$(grep -F "$D" /proc/self/mountinfo)" ] && echo same)"
            echo "files: $(files "$W")"
            end "$T"
        "#,
            )
            .run();
    let w = s.w();
    let mut want = String::new();
    for f in ["plain", "hostname", "link", "tmpfs", "filebind"] {
        want += &format!(
            "{f}: rc=1\n{f}> nsbind: {w}/{f} is not a namespace bind mount; leaving it alone\n"
        );
    }
    want += &format!(
        "proc: rc=1\n\
             proc> nsbind: /proc/*/ns/uts is not a namespace bind mount; leaving it alone\n\
             plain: plain\n\
             hostname: same\n\
             link: {w}/bound mounts=1 held=yes\n\
             tmpfs: mounts=1 inside\n\
             filebind: mounts=1 same\n\
             mountinfo: same\n\
             files: bound filebind hostname link plain tmpfs\n"
    );
    expect(&out, &want);
}

/// Several TARGETs, some failing: every other one is released, each
/// failure is one line, and the exit status is 1. The three files held
/// one namespace, which its process still holds: one warning, at the end.
#[test]
fn several_targets_some_failing() {
    let s = Scene::new();
    let out = s
        .shell_pidns(
            r#"
            spawn_named nsbind-several
            for f in a b c; do "$N" -t "$T" uts "$W/$f"; done
            echo plain > "$W/plain"
            run several "$N" --unbind "$W/a" "$W/absent" "$W/b" "$W/plain" "$W/c"
            echo "files: $(files "$W") nsfs=$(nsfs_under "$D")"
            end "$T"
        "#,
        )
        .run();
    let w = s.w();
    expect(
        &out,
        &format!(
            "several: rc=1\n\
                 several> nsbind: *{w}/absent*No such file or directory\n\
                 several> nsbind: {w}/plain is not a namespace bind mount; leaving it alone\n\
                 several> nsbind: warning: released {w}/a, but its uts namespace * is still \
                 held by process * (sleep)\n\
                 files: plain nsfs=0\n"
        ),
    );
}

/// util-linux's unshare stacks a mount on FILE at each --uts=FILE: all
/// of them come off (with --keep too), whatever their kinds.
#[test]
fn stacked_mounts_all_come_off() {
    let s = Scene::new();
    let out = s
        .shell_pidns(
            r#"
            : > "$W/f"
            : > "$W/g"
            "$UL" --uts="$W/f" true && "$UL" --uts="$W/f" true
            "$UL" --uts="$W/g" true && "$UL" --ipc="$W/g" true && "$UL" --net="$W/g" true
            echo "stacked: $(mounts "$W/f") $(mounts "$W/g")"
            run f "$N" --unbind "$W/f"
            run g "$N" --unbind --keep "$W/g"
            echo "after: $(mounts "$W/f") $(mounts "$W/g") files: $(files "$W")" \
                "nsfs=$(nsfs_under "$D")"
        "#,
        )
        .run();
    expect(
        &out,
        "stacked: 2 3\n\
             f: rc=0\n\
             g: rc=0\n\
             after: 0 0 files: g nsfs=0\n",
    );
}

//! What else holds a namespace: `--list` counts it (HOLDERS), `--json`
//! counts it and names one holder, and `--unbind` warns, one line per
//! namespace, when the namespace it released lives on, naming a holder;
//! the exit status stays 0.

use super::listed::*;
use super::*;

/// Six UTS namespaces, each bound to a file and held by one thing besides:
/// `proc` by the process in it; `fd` by a descriptor of /proc/PID/ns/uts
/// another process keeps open; `path` by a descriptor opened through the
/// bound file itself (readlink shows its path, and `/` once it is
/// released); `mnt` by the copy of the mount that a second mount namespace
/// took; `other` by that copy and by a bind of it onto another file made
/// there; `none` by nothing. Removing a file detaches the mounts on it in
/// every mount namespace, so only `--keep` leaves the copy of `mnt`, and
/// only the other file keeps `other`.
fn held_by_each(who: Who) {
    let s = Scene::new();
    let outdir = s.dir().join("out");
    std::fs::create_dir(&outdir).unwrap();
    std::fs::set_permissions(&outdir, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    let out = s
        .shell_as(
            who,
            r#"
        # The mount namespace copies first, so that it copies only these two.
        spawn -u; M=$T
        "$N" -t "$M" uts "$W/mnt"
        spawn -u; K=$T
        "$N" -t "$K" uts "$W/other"
        : > "$W/other2"
        "$UL" -m --propagation private sh -c \
            'mount --bind "$W/other" "$W/other2" && exec sleep 600' &
        O=$!
        waitfor '[ "$(cat "/proc/$O/comm" 2>/dev/null)" = sleep ]'
        spawn -u; P=$T
        "$N" -t "$P" uts "$W/proc"
        spawn -u; F=$T
        sleep 600 7<"/proc/$F/ns/uts" &
        H=$!
        "$N" -t "$F" uts "$W/fd"
        spawn -u; G=$T
        "$N" -t "$G" uts "$W/path"
        sleep 600 8<"$W/path" &
        HP=$!
        spawn -u; Z=$T
        "$N" -t "$Z" uts "$W/none"
        waitfor '[ "$(cat "/proc/$H/comm" 2>/dev/null)" = sleep ]'
        waitfor '[ "$(cat "/proc/$HP/comm" 2>/dev/null)" = sleep ]'
        end "$M" "$K" "$F" "$G" "$Z"
        echo "P=$P"; echo "H=$H"; echo "HP=$HP"; echo "O=$O"
        "$N" --list > "$D/out/list"
        "$N" --json > "$D/out/json"
        run unbind "$N" --unbind "$W/proc" "$W/fd" "$W/path" "$W/none" "$W/other"
        run keep "$N" --unbind --keep "$W/mnt"
        end "$P" "$H" "$HP" "$O"
        echo "files: $(files "$W") nsfs=$(nsfs_under "$D")"
    "#,
        )
        .run();
    let w = s.w();
    let (p, h, hp, o) = (
        value(&out, "P"),
        value(&out, "H"),
        value(&out, "HP"),
        value(&out, "O"),
    );
    let held = |file: &str, by: &str| {
        format!(
            "nsbind: warning: released {w}/{file}, but its uts namespace * is still held by {by}"
        )
    };
    let in_o = |file: &str| {
        format!("a bind mount at {w}/{file} in the mount namespace of process {o} (sleep)")
    };
    expect(
        &out,
        &format!(
            "P={p}\nH={h}\nHP={hp}\nO={o}\n\
             unbind: rc=0\n\
             unbind> {}\n\
             unbind> {}\n\
             unbind> {}\n\
             unbind> {}\n\
             keep: rc=0\n\
             keep> {}\n\
             files: mnt other2 nsfs=0\n",
            held("proc", &format!("process {p} (sleep)")),
            held("fd", &format!("fd 7 of process {h} (sleep)")),
            held("path", &format!("fd 8 of process {hp} (sleep)")),
            held("other", &in_o("other2")),
            held("mnt", &in_o("mnt")),
        ),
    );
    let read = |name: &str| std::fs::read_to_string(outdir.join(name)).unwrap();
    let entry = |file: &str, counts: (u64, u64, u64), holder: Option<String>| Listed {
        ns: 0,
        kind: "uts".into(),
        nprocs: counts.0,
        nfds: counts.1,
        nmounts: counts.2,
        holder,
        paths: vec![format!("{w}/{file}")],
    };
    let want = [
        entry("mnt", (0, 0, 1), Some(in_o("mnt"))),
        entry("other", (0, 0, 2), Some(in_o("other"))),
        entry("proc", (1, 0, 0), Some(format!("process {p} (sleep)"))),
        entry(
            "fd",
            (0, 1, 0),
            Some(format!("fd 7 of process {h} (sleep)")),
        ),
        entry(
            "path",
            (0, 1, 0),
            Some(format!("fd 8 of process {hp} (sleep)")),
        ),
        entry("none", (0, 0, 0), None),
    ];
    // Six namespaces, six inodes; otherwise as wanted.
    let check = |name: &str, listed: Result<Vec<Listed>, String>, want: &[Listed]| {
        let text = read(name);
        let mut found = under(listed.unwrap_or_else(|e| panic!("{name}: {e}\n{text}")), &w);
        let mut inodes: Vec<u64> = found.iter().map(|l| l.ns).collect();
        inodes.sort_unstable();
        inodes.dedup();
        assert_eq!(inodes.len(), 6, "{name}:\n{text}");
        for l in &mut found {
            l.ns = 0;
        }
        assert_eq!(found, want, "{name}:\n{text}");
    };
    check("list", parse_table(&read("list")), &counts_only(&want));
    check("json", parse_listing_json(&read("json")), &want);
}

#[test]
fn held_by_a_process_an_fd_or_a_mount_elsewhere() {
    held_by_each(Who::Root);
}

#[test]
fn held_by_a_process_an_fd_or_a_mount_elsewhere_unprivileged() {
    held_by_each(Who::Nobody);
}

/// A namespace bound on two files here: releasing one warns that the other
/// still holds it, once however many files were released; releasing the
/// last says nothing. nsbind itself, in the namespace when it is our own,
/// does not count: a namespace only nsbind is in draws no warning.
#[test]
fn held_by_another_bind_here_and_not_by_nsbind() {
    let s = Scene::new();
    let out = s
        .shell_pidns(
            r#"
            spawn -u
            for f in a b c; do "$N" -t "$T" uts "$W/$f"; done
            end "$T"
            run two "$N" --unbind "$W/a" "$W/b"
            run last "$N" --unbind "$W/c"
            "$UL" -u "$N" /proc/self/ns/uts "$W/self" || echo "bind: rc=$?"
            run self "$N" --unbind "$W/self"
            "$UL" -u sh -c '"$N" /proc/self/ns/uts "$W/sh" && exec "$N" --unbind "$W/sh"' 2>&1
            echo "files: $(files "$W") nsfs=$(nsfs_under "$D")"
        "#,
        )
        .run();
    let w = s.w();
    expect(
        &out,
        &format!(
            "two: rc=0\n\
             two> nsbind: warning: released {w}/a, but its uts namespace * is still held by \
             a bind mount at {w}/c\n\
             last: rc=0\n\
             self: rc=0\n\
             files:  nsfs=0\n"
        ),
    );
}

//! Binding: `nsbind NSFILE TARGET` and `nsbind -t PID TYPE TARGET` for
//! each kind (and the `*_for_children` entries), and bound namespaces
//! outliving their processes.

use super::*;

/// `nsbind NSFILE TARGET` for each kind, from a target in new namespaces
/// of every kind: the file holds the target's namespace (not ours), is
/// mounted once, can be entered with setns-test, and serves as NSFILE in
/// turn; `--type` with the right kind binds, with a wrong one it refuses
/// and creates nothing.
fn each_kind_from_file(who: Who) {
    let s = Scene::one_cpu();
    let out = s
        .shell_as(
            who,
            r#"
        spawn_fork -m -u -i -n -p -C -T -U -r
        echo "T=$T"
        for k in mnt uts ipc net pid user cgroup time; do
            run "$k" "$N" "/proc/$T/ns/$k" "$W/$k"
            echo "$k: held=$(eq "$(ino "$W/$k")" "$(nsino "$T" "$k")")" \
                "new=$(ne "$(nsino "$T" "$k")" "$(nsino $$ "$k")")" \
                "mounts=$(mounts "$W/$k") kind=$(mounted_kind "$W/$k")" \
                "entered=$(eq "$("$S" "$W/$k" readlink "/proc/self/ns/$k")" \
                              "$(readlink "/proc/$T/ns/$k")")"
            run "$k again" "$N" "$W/$k" "$W/$k.again"
            echo "$k again: held=$(eq "$(ino "$W/$k.again")" "$(nsino "$T" "$k")")" \
                "mounts=$(mounts "$W/$k.again")"
            run "$k typed" "$N" --type "$k" "/proc/$T/ns/$k" "$W/$k.typed"
            echo "$k typed: held=$(eq "$(ino "$W/$k.typed")" "$(nsino "$T" "$k")")"
            run "$k mistyped" "$N" --type "$(other "$k")" "/proc/$T/ns/$k" "$W/$k.mistyped"
            echo "$k mistyped: exists=$(ls -A "$W" | grep -c mistyped)" \
                "mounts=$(mounts "$W/$k.mistyped")"
        done
        run "mount typed" "$N" --type mount "/proc/$T/ns/mnt" "$W/mount.typed"
        echo "mounts=$(nsfs_under "$W") files=$(ls -A "$W" | wc -l)"
        end_fork
    "#,
        )
        .run();
    let t = value(&out, "T");
    let mut want = format!("T={t}\n");
    for k in KINDS {
        let o = other(k);
        want += &format!(
            "{k}: rc=0\n\
             {k}: held=yes new=yes mounts=1 kind={k} entered=yes\n\
             {k} again: rc=0\n\
             {k} again: held=yes mounts=1\n\
             {k} typed: rc=0\n\
             {k} typed: held=yes\n\
             {k} mistyped: rc=1\n\
             {k} mistyped> nsbind: /proc/{t}/ns/{k} is a {k} namespace, not {o}\n\
             {k} mistyped: exists=0 mounts=0\n"
        );
    }
    want += "mount typed: rc=0\nmounts=25 files=25\n";
    expect(&out, &want);
}

/// `nsbind -t PID TYPE TARGET` for each kind (and `mount`, `--target`).
fn each_kind_from_process(who: Who) {
    let s = Scene::one_cpu();
    let out = s
        .shell_as(
            who,
            r#"
        spawn_fork -m -u -i -n -p -C -T -U -r
        for k in mnt uts ipc net pid user cgroup time; do
            run "$k" "$N" -t "$T" "$k" "$W/$k"
            echo "$k: held=$(eq "$(ino "$W/$k")" "$(nsino "$T" "$k")")" \
                "new=$(ne "$(nsino "$T" "$k")" "$(nsino $$ "$k")")" \
                "mounts=$(mounts "$W/$k") kind=$(mounted_kind "$W/$k")"
        done
        run mount "$N" -t "$T" mount "$W/mount"
        echo "mount: held=$(eq "$(ino "$W/mount")" "$(nsino "$T" mnt)")"
        run long "$N" --target "$T" net "$W/long"
        echo "long: held=$(eq "$(ino "$W/long")" "$(nsino "$T" net)")"
        run attached "$N" -t"$T" ipc "$W/attached"
        echo "attached: held=$(eq "$(ino "$W/attached")" "$(nsino "$T" ipc)")"
        echo "entered: $(eq "$("$E" --mount="$W/mnt" --uts="$W/uts" readlink /proc/self/ns/uts)" \
                             "$(readlink "/proc/$T/ns/uts")")"
        end_fork
    "#,
        )
        .run();
    let mut want = String::new();
    for k in KINDS {
        want += &format!("{k}: rc=0\n{k}: held=yes new=yes mounts=1 kind={k}\n");
    }
    want += "mount: rc=0\nmount: held=yes\nlong: rc=0\nlong: held=yes\n\
             attached: rc=0\nattached: held=yes\nentered: yes\n";
    expect(&out, &want);
}

/// pid_for_children and time_for_children name the namespaces of a
/// process's future children: `unshare --pid --time --fork` is in neither,
/// its child in both. The files hold the child's; setns-test enters them.
fn for_children(who: Who) {
    let s = Scene::new();
    let out = s
        .shell_as(
            who,
            r#"
        spawn_fork --pid --time
        for e in pid_for_children time_for_children pid time; do
            run "$e" "$N" -t "$L" "$e" "$W/$e"
        done
        echo "pid_for_children: child=$(eq "$(ino "$W/pid_for_children")" "$(nsino "$T" pid)")" \
            "entry=$(eq "$(ino "$W/pid_for_children")" "$(nsino "$L" pid_for_children)")" \
            "not-own=$(ne "$(ino "$W/pid_for_children")" "$(nsino "$L" pid)")" \
            "kind=$(mounted_kind "$W/pid_for_children")"
        echo "time_for_children: child=$(eq "$(ino "$W/time_for_children")" "$(nsino "$T" time)")" \
            "entry=$(eq "$(ino "$W/time_for_children")" "$(nsino "$L" time_for_children)")" \
            "not-own=$(ne "$(ino "$W/time_for_children")" "$(nsino "$L" time)")" \
            "kind=$(mounted_kind "$W/time_for_children")"
        echo "pid: own=$(eq "$(ino "$W/pid")" "$(nsino "$L" pid)")"
        echo "time: own=$(eq "$(ino "$W/time")" "$(nsino "$L" time)")"
        echo "entered pid: $(eq "$("$S" "$W/pid_for_children" readlink /proc/self/ns/pid)" \
                                 "$(readlink "/proc/$T/ns/pid")")"
        echo "entered time: $(eq "$("$S" "$W/time_for_children" readlink /proc/self/ns/time)" \
                                  "$(readlink "/proc/$T/ns/time")")"
        end_fork
    "#,
        )
        .run();
    expect(
        &out,
        "pid_for_children: rc=0\n\
         time_for_children: rc=0\n\
         pid: rc=0\n\
         time: rc=0\n\
         pid_for_children: child=yes entry=yes not-own=yes kind=pid\n\
         time_for_children: child=yes entry=yes not-own=yes kind=time\n\
         pid: own=yes\n\
         time: own=yes\n\
         entered pid: yes\n\
         entered time: yes\n",
    );
}

mod file {
    #[test]
    fn each_kind() {
        super::each_kind_from_file(super::Who::Root);
    }
    #[test]
    fn each_kind_unprivileged() {
        super::each_kind_from_file(super::Who::Nobody);
    }
}

mod process {
    use super::*;

    #[test]
    fn each_kind() {
        each_kind_from_process(Who::Root);
    }
    #[test]
    fn each_kind_unprivileged() {
        each_kind_from_process(Who::Nobody);
    }
    #[test]
    fn for_children() {
        super::for_children(Who::Root);
    }
    #[test]
    fn for_children_unprivileged() {
        super::for_children(Who::Nobody);
    }

    /// PID:INODE pins the process by the inode of its pidfd: the right one
    /// binds, a wrong one is refused and creates nothing (nor --all's DIR).
    #[test]
    fn pid_and_pidfd_inode() {
        let target = Target::new(&["uts"]);
        let inode = pidfd_inode(target.pid());
        let s = Scene::new();
        let out = s
            .shell_host_pids(
                r#"
            run right "$N" -t "$1:$2" uts "$W/right"
            run wrong "$N" -t "$1:$3" uts "$W/wrong"
            run "wrong all" "$N" -t "$1:$3" --all "$W/all"
            echo "right: $(eq "$(ino "$W/right")" "$(nsino "$1" uts)") $("$S" "$W/right" hostname)"
            files "$W"
        "#,
            )
            .args([
                target.pid().to_string(),
                inode.to_string(),
                (inode + 1).to_string(),
            ])
            .run();
        let (pid, bad) = (target.pid(), inode + 1);
        expect(
            &out,
            &format!(
                "right: rc=0\n\
                 wrong: rc=1\n\
                 wrong> nsbind: pidfd inode {bad} not found for pid {pid}\n\
                 wrong all: rc=1\n\
                 wrong all> nsbind: pidfd inode {bad} not found for pid {pid}\n\
                 right: yes {}\n\
                 right\n",
                target.hostname()
            ),
        );
    }
}

/// A UTS namespace bound from a process (by file and by -t) outlives it:
/// once the process is killed and reaped, nsenter --uts=FILE and
/// setns-test FILE find the hostname it set there; ours is untouched.
fn survives(who: Who) {
    let s = Scene::new();
    let out = s
        .shell_as(
            who,
            r#"
        spawn_named nsbind-survivor
        run file "$N" "/proc/$T/ns/uts" "$W/by-file"
        run process "$N" -t "$T" uts "$W/by-pid"
        end "$T"
        echo "target: $(state "$T")"
        "$E" --uts="$W/by-file" hostname
        "$S" "$W/by-file" hostname
        "$E" --uts="$W/by-pid" hostname
        "$S" "$W/by-pid" hostname
        echo "mounts=$(mounts "$W/by-file") $(mounts "$W/by-pid")"
        hostname
    "#,
        )
        .run();
    let ours = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    expect(
        &out,
        &format!(
            "file: rc=0\n\
             process: rc=0\n\
             target: gone\n\
             nsbind-survivor\n\
             nsbind-survivor\n\
             nsbind-survivor\n\
             nsbind-survivor\n\
             mounts=1 1\n\
             {ours}"
        ),
    );
}

mod survival {
    #[test]
    fn uts_outlives_its_process() {
        super::survives(super::Who::Root);
    }
    #[test]
    fn uts_outlives_its_process_unprivileged() {
        super::survives(super::Who::Nobody);
    }
}

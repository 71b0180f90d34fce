//! Concurrency: many nsbinds at once, on one directory or one target:
//! each succeeds or fails cleanly, and nothing is left.

use super::*;

/// 100 bind/unbind pairs at once, on 100 files of one directory (every
/// nsbind locks it), half by file and UTS, half by -t and net: every
/// one succeeds, and no mount nor file is left. Each release says only
/// that the process still holds the namespace.
#[test]
fn hundred_bind_unbind_pairs() {
    let s = Scene::new();
    let out = s
        .shell_pidns(
            r#"
            spawn_named nsbind-pairs --net
            pids=
            for i in $(seq 100); do
                (
                    if [ $((i % 2)) = 0 ]; then
                        "$N" "/proc/$T/ns/uts" "$W/f$i" || echo "bind $i: rc=$?"
                        k=uts
                    else
                        "$N" -t "$T" net "$W/f$i" || echo "bind $i: rc=$?"
                        k=net
                    fi
                    [ "$(mounts "$W/f$i")" = 1 ] || echo "bind $i: not mounted once"
                    [ "$(ino "$W/f$i")" = "$(nsino "$T" "$k")" ] || echo "bind $i: wrong namespace"
                    "$N" --unbind "$W/f$i" 2>"$D/t/e$i" || echo "unbind $i: rc=$?"
                    held="nsbind: warning: released $W/f$i, but its $k namespace"
                    held="$held $(nsino "$T" "$k") is still held by process $T (sleep)"
                    H=$held awk 'index($0, ENVIRON["H"]) != 1 { print "unbind: " $0 }
                        END { if (NR != 1) print "unbind: " NR " lines" }' "$D/t/e$i"
                    rm "$D/t/e$i"
                ) &
                pids="$pids $!"
            done
            wait $pids
            echo "stray mounts=$(nsfs_under "$D") files=$(ls -A "$W" | wc -l)"
            end "$T"
        "#,
        )
        .run();
    expect(&out, "stray mounts=0 files=0\n");
}

/// 50 binds of one TARGET at once, half UTS, half net: one wins, its
/// namespace is the one mount; the 49 others exit 1 with the one clean
/// message. Then 20 unbinds at once: one releases it (and warns that the
/// process still holds the namespace), the others find nothing.
#[test]
fn fifty_binds_of_one_target() {
    let s = Scene::new();
    let out = s
            .shell_pidns(
                r#"
            spawn_named nsbind-race --net
            mkdir "$D/e"
            pids=
            for i in $(seq 50); do
                if [ $((i % 2)) = 0 ]; then k=uts; else k=net; fi
                ( "$N" -t "$T" "$k" "$W/f" 2>"$D/e/$i.err"; echo "$? $k" > "$D/e/$i.rc" ) &
                pids="$pids $!"
            done
            wait $pids
            echo "winners=$(cat "$D"/e/*.rc | grep -c '^0 ') losers=$(cat "$D"/e/*.rc | grep -c '^1 ')"
            k=$(cat "$D"/e/*.rc | grep '^0 ' | cut -d' ' -f2)
            echo "mounts=$(mounts "$W/f") kind: $(eq "$(mounted_kind "$W/f")" "$k")" \
                "held: $(eq "$(ino "$W/f")" "$(nsino "$T" "$k")")"
            cat "$D"/e/*.err | sort | uniq -c | sed 's/^ *//'
            rm -r "$D/e"
            mkdir "$D/e"
            pids=
            for i in $(seq 20); do
                ( "$N" --unbind "$W/f" 2>"$D/e/$i.err"; echo "$?" > "$D/e/$i.rc" ) &
                pids="$pids $!"
            done
            wait $pids
            echo "released=$(cat "$D"/e/*.rc | grep -c '^0$') failed=$(cat "$D"/e/*.rc | grep -c '^1$')"
            cat "$D"/e/*.err | sort | uniq -c | sed 's/^ *//'
            rm -r "$D/e"
            echo "files=$(ls -A "$W" | wc -l) nsfs=$(nsfs_under "$D")"
            end "$T"
        "#,
            )
            .run();
    let w = s.w();
    expect(
        &out,
        &format!(
            "winners=1 losers=49\n\
                 mounts=1 kind: yes held: yes\n\
                 49 nsbind: {w}/f already has a namespace bound onto it; \
                 release it first with nsbind --unbind\n\
                 released=1 failed=19\n\
                 19 nsbind: *{w}/f*No such file or directory\n\
                 1 nsbind: warning: released {w}/f, but its * namespace * is still held by \
                 process * (sleep)\n\
                 files=0 nsfs=0\n"
        ),
    );
}

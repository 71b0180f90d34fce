//! `--unbind` releases every namespace stacked on a file, however many.

use super::*;

/// 70 namespaces bound on one file by `mount --bind` (as util-linux's
/// unshare stacks them) all come off with --keep; 150 of three kinds all
/// come off, and the file goes, without it. They are the scene's own
/// namespaces, which live on: one warning per namespace, in the order
/// they came off.
#[test]
fn every_stacked_mount_is_released() {
    let s = Scene::new();
    let out = attack(
        &s,
        r#"
        stack() {
            : > "$1"
            i=0
            while [ $i -lt "$2" ]; do
                for kind in $3; do mount --bind "/proc/self/ns/$kind" "$1"; done
                i=$((i + 1))
            done
            echo "stacked: $(mounts "$1")"
        }
        stack "$W/f" 70 uts
        run keep "$N" --unbind --keep "$W/f"
        echo "f: $(mounts "$W/f") files=$(files "$W")"
        stack "$W/g" 50 "uts ipc net"
        run remove "$N" --unbind "$W/g"
        echo "g: $(mounts "$W/g") files=$(files "$W") nsfs=$(nsfs_under "$D")"
    "#,
    )
    .run();
    let w = s.w();
    let held = |file: &str, kind: &str| {
        format!(
            "nsbind: warning: released {w}/{file}, but its {kind} namespace * is still held \
             by process *"
        )
    };
    expect(
        &out,
        &format!(
            "stacked: 70\n\
             keep: rc=0\n\
             keep> {}\n\
             f: 0 files=f\n\
             stacked: 150\n\
             remove: rc=0\n\
             remove> {}\n\
             remove> {}\n\
             remove> {}\n\
             g: 0 files=f nsfs=0\n",
            held("f", "uts"),
            held("g", "net"),
            held("g", "ipc"),
            held("g", "uts"),
        ),
    );
}

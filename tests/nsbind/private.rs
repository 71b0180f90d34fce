//! `--private DIR`: DIR made a private mount of its own, idempotently,
//! under the lock binders take, by descriptor; so that mount namespaces
//! can be bound in it. Every scene is a throwaway mount namespace.

use super::*;

/// The propagation fields of the mounts at a path, `-` for a private one.
const PROPAGATION: &str = r#"
propagation() {
    P=$(escaped "$1") awk '$5 == ENVIRON["P"] {
        s = ""; for (i = 7; $i != "-"; i++) s = s " " $i; print (s == "" ? "-" : substr(s, 2)) }' \
        /proc/self/mountinfo | paste -sd' ' -
}
"#;

/// A shared mount point refuses a mount namespace, and the message names
/// `nsbind --private`; once that has run (twice: the second changes
/// nothing), the same bind works, and the file enters the namespace.
#[test]
fn a_shared_directory_made_private_takes_a_mount_namespace() {
    let s = Scene::one_cpu();
    let out = s
        .shell_pidns(&format!(
            "{PROPAGATION}{}",
            r#"
            spawn --mount
            mkdir "$W/s"
            mount --bind "$W/s" "$W/s"
            mount --make-shared "$W/s"
            echo "before: $(propagation "$W/s" | sed 's/[0-9]*$/N/')"
            run refused "$N" -t "$T" mnt "$W/s/m"
            run private "$N" --private "$W/s"
            echo "after: $(propagation "$W/s") mounts=$(mounts "$W/s")"
            run again "$N" --private "$W/s"
            echo "again: $(propagation "$W/s") mounts=$(mounts "$W/s")"
            run bind "$N" -t "$T" mnt "$W/s/m"
            echo "m: held=$(eq "$(ino "$W/s/m")" "$(nsino "$T" mnt)")" \
                "entered=$(eq "$("$S" "$W/s/m" readlink /proc/self/ns/mnt)" \
                              "$(readlink "/proc/$T/ns/mnt")")"
            end "$T"
            run unbind "$N" --unbind "$W/s/m"
        "#
        ))
        .run();
    let w = s.w();
    expect(
        &out,
        &format!(
            "before: shared:N\n\
             refused: rc=1\n\
             refused> nsbind: cannot persist a mount namespace on {w}/s/m: {w}/s is a shared \
             mount, and the kernel does not bind a mount namespace there; make the directory \
             a private mount first: mkdir -p {w}/s && nsbind --private {w}/s\n\
             private: rc=0\n\
             after: - mounts=1\n\
             again: rc=0\n\
             again: - mounts=1\n\
             bind: rc=0\n\
             m: held=yes entered=yes\n\
             unbind: rc=0\n"
        ),
    );
}

/// A directory that is no mount point is bound onto itself and made
/// private, its files seen through the new mount; a second run finds the
/// private mount point and adds nothing. Under a shared mount point (whose
/// propagation it leaves alone) the same, and a mount namespace can then
/// be bound there. A slave mount point, and one both shared and a slave,
/// are made private in place. An unbindable one is left as it is.
#[test]
fn idempotent_on_every_kind_of_directory() {
    let s = Scene::one_cpu();
    let out = s
        .shell_pidns(&format!(
            "{PROPAGATION}{}",
            r#"
            mkdir "$W/n"
            echo seen > "$W/n/file"
            run plain "$N" --private "$W/n"
            echo "n: $(propagation "$W/n") mounts=$(mounts "$W/n") $(cat "$W/n/file")"
            run again "$N" --private "$W/n"
            echo "n: $(propagation "$W/n") mounts=$(mounts "$W/n")"

            mkdir "$W/sh"
            mount -t tmpfs nsbind-sh "$W/sh"
            mount --make-shared "$W/sh"
            mkdir "$W/sh/d"
            run under "$N" --private "$W/sh/d"
            echo "sh/d: $(propagation "$W/sh/d") mounts=$(mounts "$W/sh/d")" \
                "sh: $(propagation "$W/sh" | sed 's/[0-9]*$/N/')"
            spawn --mount
            run mnt "$N" -t "$T" mnt "$W/sh/d/m"
            end "$T"
            run unbind "$N" --unbind "$W/sh/d/m"

            mkdir "$W/sl" "$W/both" "$W/ub"
            mount --bind "$W/sh" "$W/sl"
            mount --make-slave "$W/sl"
            mount --bind "$W/sh" "$W/both"
            mount --make-slave "$W/both"
            mount --make-shared "$W/both"
            mount --bind "$W/ub" "$W/ub"
            mount --make-unbindable "$W/ub"
            echo "before: $(propagation "$W/sl" | tr -d 0-9)," \
                "$(propagation "$W/both" | tr -d 0-9), $(propagation "$W/ub")"
            for d in sl both ub; do run "$d" "$N" --private "$W/$d"; done
            echo "after: $(propagation "$W/sl"), $(propagation "$W/both")," \
                "$(propagation "$W/ub") mounts=$(mounts "$W/sl") $(mounts "$W/both")"
        "#
        ))
        .run();
    expect(
        &out,
        "plain: rc=0\n\
         n: - mounts=1 seen\n\
         again: rc=0\n\
         n: - mounts=1\n\
         under: rc=0\n\
         sh/d: - mounts=1 sh: shared:N\n\
         mnt: rc=0\n\
         unbind: rc=0\n\
         before: master:, shared: master:, unbindable\n\
         sl: rc=0\n\
         both: rc=0\n\
         ub: rc=0\n\
         after: -, -, unbindable mounts=1 1\n",
    );
}

/// What `--private` refuses, mounting nothing: a kernel pseudo file
/// system, a directory that does not exist, a file, a path through a
/// symbolic link another user planted (on the way or as DIR itself), and
/// a directory that is no mount point but has a mount below it (a bind of
/// it would hide that mount). A link of root's in a directory of root's
/// that nobody else may write to (as /var/run -> /run) is followed.
#[test]
fn refusals() {
    let s = Scene::new();
    let out = s
        .shell_pidns(&format!(
            "{PROPAGATION}{}",
            r#"
            mkdir -m 755 "$W/real" "$W/U" "$W/h"
            chown 65534 "$W/U"
            $NB ln -s "$W/real" "$W/U/d"
            $NB ln -s "$W/real" "$W/theirs"
            : > "$W/file"
            spawn -u
            "$N" -t "$T" uts "$W/h/u"
            before=$(grep -F "$D" /proc/self/mountinfo)
            run proc "$N" --private /proc
            run sys "$N" --private /sys
            run missing "$N" --private "$W/missing"
            run file "$N" --private "$W/file"
            run way "$N" --private "$W/U/d/sub"
            run last "$N" --private "$W/theirs"
            run below "$N" --private "$W/h"
            echo "mountinfo: $( [ "$before" = "$(grep -F "$D" /proc/self/mountinfo)" ] && echo same)"
            mkdir -m 755 "$W/sys"
            ln -s "$W/real" "$W/sys/run"
            run rootlink "$N" --private "$W/sys/run"
            echo "real: $(propagation "$W/real") mounts=$(mounts "$W/real")"
            end "$T"
        "#
        ))
        .run();
    let w = s.w();
    let link = |path: &str, link: &str| {
        format!(
            "nsbind: cannot open {w}/{path}: refusing to follow the symbolic link {w}/{link}: \
             it belongs to another user"
        )
    };
    expect(
        &out,
        &format!(
            "proc: rc=1\n\
             proc> nsbind: /proc is on proc, a kernel pseudo file system; refusing to mount \
             over it\n\
             sys: rc=1\n\
             sys> nsbind: /sys is on sysfs, a kernel pseudo file system; refusing to mount \
             over it\n\
             missing: rc=1\n\
             missing> nsbind: cannot open {w}/missing: No such file or directory\n\
             file: rc=1\n\
             file> nsbind: cannot open {w}/file: Not a directory\n\
             way: rc=1\n\
             way> {}\n\
             last: rc=1\n\
             last> {}\n\
             below: rc=1\n\
             below> nsbind: {w}/h is no mount point but has a mount below it, {w}/h/u; a bind \
             of the directory onto itself would hide that mount beneath the copy it makes; \
             release it first\n\
             mountinfo: same\n\
             rootlink: rc=0\n\
             real: - mounts=1\n",
            link("U/d/sub", "U/d"),
            link("theirs", "theirs"),
        ),
    );
}

/// The change is made under the lock of DIR that binders into DIR take,
/// and by descriptor only: no mount(2) with a path; open_tree, move_mount
/// and mount_setattr on descriptors, with empty paths, between taking the
/// lock on DIR and letting it go (the detached copy shows as `/` until it
/// is attached on DIR). For a shared mount point, only mount_setattr.
#[test]
fn under_the_lock_and_by_descriptor() {
    let s = Scene::new();
    let out = s
        .shell_pidns(
            r#"
            mkdir "$W/n" "$W/s"
            mount --bind "$W/s" "$W/s"
            mount --make-shared "$W/s"
            for d in n s; do
                strace -qq -y -e trace=flock,mount,open_tree,move_mount,mount_setattr \
                    -o "$D/t/trace" "$N" --private "$W/$d" || echo "$d: rc=$?"
                sed -E -e "s|$W/||g" -e 's/[0-9]+</</g' \
                    -e 's/^([a-z_]+)\((<[^>]*>)?, ("[^"]*"|LOCK_[A-Z_|]+).*/\1 \2 \3/' \
                    "$D/t/trace" | paste -sd';' -
                grep -o 'propagation=[A-Z_]*' "$D/t/trace"
            done
        "#,
        )
        .run();
    expect(
        &out,
        "flock <n> LOCK_EX|LOCK_NB;open_tree <n> \"\";move_mount </> \"\";\
         mount_setattr <n> \"\";flock <n> LOCK_UN\n\
         propagation=MS_PRIVATE\n\
         flock <s> LOCK_EX|LOCK_NB;mount_setattr <s> \"\";flock <s> LOCK_UN\n\
         propagation=MS_PRIVATE\n",
    );
}

//! How `--pidfile FILE` is created, as a persistence target is: its
//! directory resolved once (a symbolic link on the way followed only where
//! no other user could have planted it), FILE made with O_EXCL and
//! O_NOFOLLOW; never written through a symbolic link, and never in a
//! directory where another user could replace it. A stale pid file is
//! replaced; any other file is left alone. When FILE cannot be made or
//! written, the program never runs and nothing is left behind.

use super::pidfile::pid_scene;
use super::*;

/// A symbolic link at FILE is refused, wherever it points (a stale pid
/// file included), and what it points at stays as it was; a dangling one
/// creates nothing.
#[test]
fn a_symbolic_link_is_refused_and_its_target_untouched() {
    let s = Scene::new();
    let script = r#"
        echo precious > "$R/target"
        echo 12345 > "$R/stale"
        ln -s target "$R/pid"
        ln -s stale "$R/pid2"
        ln -s nowhere "$R/pid3"
        for f in pid pid2 pid3; do
            run "$f" "$U" -f --pidfile "$R/$f" echo ran
        done
        echo "target: $(cat "$R/target") stale: $(cat "$R/stale") links: $(readlink "$R/pid") $(readlink "$R/pid2") $(readlink "$R/pid3")"
        echo "left: $(files "$R")"
    "#;
    let d = s.d();
    pid_scene(&s, script)
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&format!(
            "pid: rc=1\n\
             pid> unshare: {d}/w/run/pid is a symbolic link; refusing to write a PID through it\n\
             pid2: rc=1\n\
             pid2> unshare: {d}/w/run/pid2 is a symbolic link; refusing to write a PID through it\n\
             pid3: rc=1\n\
             pid3> unshare: {d}/w/run/pid3 is a symbolic link; refusing to write a PID through it\n\
             target: precious stale: 12345 links: target stale nowhere\n\
             left: pid pid2 pid3 stale target\n"
        ));
}

/// The PID is only as good as its file: in a directory that another user
/// can write (and that is not sticky), or that belongs to another user,
/// they could replace it, so it is refused there; in a sticky directory,
/// such as /tmp, it is made. A symbolic link on the way is followed only
/// where nobody else could have planted it (as `--uts=FILE` follows it).
#[test]
fn directories_where_others_could_replace_it_are_refused() {
    let s = Scene::new();
    let script = r#"
        mkdir -m 777 "$R/open"
        mkdir -m 775 "$R/group"
        mkdir -m 755 "$R/theirs" && chown 65534 "$R/theirs"
        mkdir -m 1777 "$R/sticky"
        mkdir -m 755 "$R/real"
        ln -s real "$R/trusted"
        ln -s "$R/real" "$W/planted"
        for d in open group theirs; do
            run "$d" "$U" -f --pidfile "$R/$d/pid" echo ran
        done
        run sticky "$U" -f --pidfile "$R/sticky/pid" sh -c 'cat "$1" | wc -l' sh "$R/sticky/pid"
        run trusted "$U" -f --pidfile "$R/trusted/pid" sh -c 'cat "$1" | wc -l' sh "$R/real/pid"
        run planted "$U" -f --pidfile "$W/planted/pid" echo ran
        for d in open group theirs sticky real; do printf '%s:[%s] ' $d "$(files "$R/$d")"; done
        echo
    "#;
    let d = s.d();
    let refused = |name: &str, why: &str| {
        format!(
            "{name}: rc=1\n{name}> unshare: refusing to write the pid file {d}/w/run/{name}/pid: \
             {why}\n"
        )
    };
    let want = [
        refused(
            "open",
            "other users can write its directory, which is not sticky, and replace it",
        ),
        refused(
            "group",
            "other users can write its directory, which is not sticky, and replace it",
        ),
        refused(
            "theirs",
            "its directory belongs to another user, who could replace it",
        ),
        "sticky: rc=0\nsticky> 1\ntrusted: rc=0\ntrusted> 1\n".to_owned(),
        format!(
            "planted: rc=1\nplanted> unshare: cannot create {d}/w/planted/pid: refusing to \
             follow the symbolic link {d}/w/planted: other users can replace it in its \
             directory\n"
        ),
        "open:[] group:[] theirs:[] sticky:[] real:[] \n".to_owned(),
    ];
    pid_scene(&s, script)
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&want.concat());
}

/// uid 65534 writes pid files in a directory of its own and in a sticky
/// one, not in root's.
#[test]
fn an_unprivileged_user() {
    let s = Scene::new();
    let script = r#"
        mkdir -m 755 "$R/mine" && chown 65534 "$R/mine"
        mkdir -m 1777 "$R/sticky"
        $NB "$U" -r -f --pidfile "$R/mine/pid" sh -c 'echo "mine: $(cat "$1" | wc -l)"' sh "$R/mine/pid"
        $NB "$U" -rn --loopback -f --pidfile "$R/sticky/pid" sh -c 'echo "sticky: $(cat "$1" | wc -l)"' sh "$R/sticky/pid"
        run root $NB "$U" -r -f --pidfile "$R/pid" echo ran
        echo "left: $(files "$R/mine") $(files "$R/sticky")"
    "#;
    let d = s.d();
    pid_scene(&s, script)
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&format!(
            "mine: 1\nsticky: 1\nroot: rc=1\n\
             root> unshare: cannot create {d}/w/run/pid: Permission denied\nleft:  \n"
        ));
}

/// A stale pid file (a PID, blanks, or nothing) is replaced by a new
/// file, never written into; the new one goes at the end as usual. Any
/// other file (or a directory, or a FIFO, which must not block us) is left
/// as it is, and the program does not run.
#[test]
fn a_stale_pid_file_is_replaced_and_nothing_else() {
    let s = Scene::new();
    let script = r#"
        for content in 4242 "  17 " "" ; do
            printf '%s\n' "$content" > "$R/pid"
            ln "$R/pid" "$R/old"
            "$U" -f --pidfile "$R/pid" --keep-pidfile sh -c 'echo $$ > "$1"' sh "$D/t/child"
            echo "rc=$? $(eq "$(cat "$R/pid")" "$(cat "$D/t/child")") $(ne "$(ino "$R/pid")" "$(ino "$R/old")") old: $(cat "$R/old")"
            rm "$R/pid" "$R/old"
        done
        echo 4242 > "$R/pid"
        "$U" -f --pidfile "$R/pid" true
        echo "rc=$? left: $(files "$R")"
        printf 'root:x:0:0::/root:/bin/sh\n' > "$R/passwd"
        printf '%040d\n' 1 > "$R/long"
        mkdir "$R/dir"
        mkfifo "$R/fifo"
        for f in passwd long dir fifo; do
            run "$f" "$U" -f --pidfile "$R/$f" echo ran
        done
        echo "passwd: $(cat "$R/passwd") long: $(cat "$R/long")"
        echo "left: $(files "$R")"
    "#;
    let d = s.d();
    let r = format!("{d}/w/run");
    pid_scene(&s, script)
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&format!(
            "rc=0 yes yes old: 4242\nrc=0 yes yes old:   17 \nrc=0 yes yes old: \n\
             rc=0 left: \n\
             passwd: rc=1\npasswd> unshare: {r}/passwd exists and holds no PID; refusing to replace it\n\
             long: rc=1\nlong> unshare: {r}/long exists and holds no PID; refusing to replace it\n\
             dir: rc=1\ndir> unshare: {r}/dir is a directory\n\
             fifo: rc=1\nfifo> unshare: {r}/fifo is not a regular file; refusing to replace it\n\
             passwd: root:x:0:0::/root:/bin/sh long: {one:040}\n\
             left: dir fifo long passwd\n",
            one = 1
        ));
}

/// When the file cannot be created, or the PID cannot be written into it
/// (a full file system), the program never runs, and nothing is left.
#[test]
fn the_program_never_runs_without_its_pid_file() {
    let s = Scene::new();
    let script = r#"
        run missing "$U" -f --pidfile "$R/none/pid" echo ran
        mkdir "$R/full"
        mount -t tmpfs -o size=4k nsbox "$R/full"
        chmod 755 "$R/full"
        head -c 4096 /dev/zero > "$R/full/filler" 2>/dev/null
        run full "$U" -f --pidfile "$R/full/pid" echo ran
        run full_uts "$U" -f --uts="$R/uts" --pidfile "$R/full/pid" echo ran
        echo "left: $(files "$R") $(files "$R/full") mounts=$(mounts "$R/uts")"
        umount "$R/full"
    "#;
    let d = s.d();
    let r = format!("{d}/w/run");
    pid_scene(&s, script)
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&format!(
            "missing: rc=1\nmissing> unshare: cannot create {r}/none/pid: No such file or directory\n\
             full: rc=1\nfull> unshare: cannot write {r}/full/pid: No space left on device\n\
             full_uts: rc=1\nfull_uts> unshare: cannot write {r}/full/pid: No space left on device\n\
             left: full filler mounts=0\n"
        ));
}

/// --owner makes unshare another user before unshare(2), one who cannot
/// remove a file from root's directory: the helper forked before, which
/// keeps our credentials, removes it. With a kept PID namespace, the pid
/// file goes and the namespace stays.
#[test]
fn removed_by_the_helper_that_kept_our_credentials() {
    let s = Scene::new();
    let script = r#"
        "$U" --owner=65534:65534 -f --pidfile "$R/pid" sh -c 'echo "uid $(id -u): $(cat "$1" | wc -l)"' sh "$R/pid"
        echo "rc=$? left: $(files "$R")"
        "$U" --pid="$R/pidns" -f --pidfile "$R/pid" sh -c 'echo "pidns: $(cat "$1" | wc -l)"' sh "$R/pid"
        echo "rc=$? left: $(files "$R") $(mounted_kind "$R/pidns")"
        umount "$R/pidns"
    "#;
    pid_scene(&s, script)
        .run()
        .success()
        .stderr_is("")
        .stdout_is("uid 65534: 1\nrc=0 left: \npidns: 1\nrc=0 left: pidns pid\n");
}

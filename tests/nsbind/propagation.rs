//! One line per pin: the copies that mount propagation makes of a bind
//! (onto the peers and slaves of a shared mount) are listed once, with
//! every path where they appear; binds of the same namespace made apart
//! are pins of their own.

use super::listed::*;
use super::*;

/// A shared tmpfs `a`, a peer of it `b` and a slave `c`, made in the
/// scene's throwaway mount namespace. A bind onto `a/x` appears at `a/x`,
/// `b/x` and `c/x` (three mounts in mountinfo): one pin, with the three
/// paths. Another file of `a` (copied likewise), a bind of `a/x` onto a
/// file elsewhere and one made at `p/x` on a tmpfs that does not
/// propagate are pins of their own, though they all hold one namespace.
/// Releasing the pin at the peer's path takes every copy away.
#[test]
fn propagated_copies_are_one_pin() {
    let s = Scene::new();
    let outdir = s.dir().join("out");
    std::fs::create_dir(&outdir).unwrap();
    let out = s
        .shell_pidns(
            r#"
            mkdir "$W/a" "$W/b" "$W/c" "$W/p"
            mount -t tmpfs nsbind-shared "$W/a"
            mount --make-shared "$W/a"
            mount --bind "$W/a" "$W/b"
            mount --bind "$W/a" "$W/c"
            mount --make-slave "$W/c"
            mount -t tmpfs nsbind-private "$W/p"
            spawn -u
            "$N" -t "$T" uts "$W/a/x"
            "$N" -t "$T" uts "$W/b/y"
            "$N" "$W/a/x" "$W/elsewhere"
            "$N" -t "$T" uts "$W/p/x"
            for f in a/x b/x c/x a/y b/y c/y elsewhere p/x; do
                printf '%s ' "$f=$(mounts "$W/$f")"
            done
            echo
            "$N" --list > "$D/out/list"
            "$N" --json > "$D/out/json"
            run unbind "$N" --unbind "$W/b/x"
            echo "x: $(mounts "$W/a/x") $(mounts "$W/b/x") $(mounts "$W/c/x") $(ls "$W/a")"
            "$N" --list | awk 'NR > 1 { print "left:", $3, $4 }' | sed "s|$W/||g"
            end "$T"
        "#,
        )
        .run();
    let w = s.w();
    expect(
        &out,
        &format!(
            "a/x=1 b/x=1 c/x=1 a/y=1 b/y=1 c/y=1 elsewhere=1 p/x=1 \n\
             unbind: rc=0\n\
             unbind> nsbind: warning: released {w}/b/x, but its uts namespace * is still held \
             by process * (sleep), and 3 more\n\
             x: 0 0 0 y\n\
             left: 1proc b/y,a/y,c/y\n\
             left: 1proc elsewhere\n\
             left: 1proc p/x\n"
        ),
    );
    let read = |name: &str| std::fs::read_to_string(outdir.join(name)).unwrap();
    let paths = |listed: Result<Vec<Listed>, String>, text: &str| -> Vec<Vec<String>> {
        let listed = listed.unwrap_or_else(|e| panic!("{e}\n{text}"));
        let ns: Vec<u64> = listed.iter().map(|l| l.ns).collect();
        assert!(ns.windows(2).all(|n| n[0] == n[1]), "one namespace: {text}");
        listed
            .iter()
            .map(|l| {
                assert_eq!((l.nprocs, l.nfds, l.nmounts), (1, 0, 0), "{text}");
                l.paths
                    .iter()
                    .map(|p| p.replace(&format!("{w}/"), ""))
                    .collect()
            })
            .collect()
    };
    let want = [
        vec!["a/x", "b/x", "c/x"],
        vec!["b/y", "a/y", "c/y"],
        vec!["elsewhere"],
        vec!["p/x"],
    ];
    for (name, listed) in [
        ("list", parse_table(&read("list"))),
        ("json", parse_listing_json(&read("json"))),
    ] {
        let text = read(name);
        let mut found = paths(Ok(under(listed.unwrap(), &w)), &text);
        // Each pin's paths in mountinfo's order, which puts the copies
        // where the kernel inserted them: compare them as sets.
        for (f, wanted) in found.iter_mut().zip(&want) {
            f.sort();
            let mut wanted = wanted.clone();
            wanted.sort_unstable();
            assert_eq!(f, &wanted, "{name}:\n{text}");
        }
        assert_eq!(found.len(), want.len(), "{name}:\n{text}");
    }
}

/// A path that lists a pin twice: under a shared /run, `ip netns add`
/// binds /run/netns onto itself, in /run's peer group, so each namespace
/// it keeps is mounted twice at /run/netns/NAME, once on each (the
/// situation nsbind(1)'s old listing showed twice). One line, one path;
/// `--unbind` takes both. /run is a tmpfs of the scene's own.
#[test]
fn ip_netns_under_a_shared_run_is_one_line() {
    let s = Scene::new();
    let out = s
        .shell_pidns(
            r#"
            mount -t tmpfs nsbind-run /run
            mount --make-shared /run
            run add ip netns add red
            echo "mounts: $(mounts /run/netns/red)"
            "$N" --list | awk 'NR > 1 { print "listed:", $2, $3, $4 }'
            "$N" --json | grep -c '"paths": \["/run/netns/red"\]'
            run unbind "$N" --unbind /run/netns/red
            echo "after: $(mounts /run/netns/red) $(ls -A /run/netns | wc -l)"
            umount -l /run
        "#,
        )
        .run();
    expect(
        &out,
        "add: rc=0\n\
         mounts: 2\n\
         listed: net - /run/netns/red\n\
         1\n\
         unbind: rc=0\n\
         after: 0 0\n",
    );
}

//! `--list` and `--json`: the listings parsed back and checked against
//! what was bound, in both formats.

use super::listed::*;
use super::*;

/// --list and --json (and -l, -J) parsed back: every file bound appears
/// once, with its kind, the inode stat -L and /proc/PID/ns give, and the
/// number of processes in the namespace: the target's launcher and the
/// target (1 in its PID and time namespaces, which only the child is in),
/// plus a process nsenter put in its UTS namespace; no descriptors and no
/// mounts elsewhere; --json names the first process (the launcher, or the
/// target where it is alone). Nothing holds them once they are gone. Paths
/// with spaces, quotes and backslashes come out whole.
fn list_and_json(who: Who) {
    let s = Scene::new();
    // Where the script leaves the listings, writable by uid 65534 too.
    let outdir = s.dir().join("out");
    std::fs::create_dir(&outdir).unwrap();
    std::fs::set_permissions(&outdir, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    let out = s
        .shell_as(
            who,
            r#"
        spawn_fork -u -i -n -p -C -T -U -r
        bind() {
            "$N" -t "$T" "$2" "$W/$1" || echo "bind $1: rc=$?"
            printf '%s\t%s\t%s\t%s\n' "$W/$1" "$2" "$(ino "$W/$1")" "$(nsino "$T" "$2")" \
                >> "$D/out/bound"
        }
        for k in uts ipc net pid user cgroup time; do bind "$k" "$k"; done
        bind "with  two spaces" uts
        bind 'quote"back\slash' net
        "$E" --uts="$W/uts" sleep 600 &
        X=$!
        waitfor '[ "$(cat "/proc/$X/comm" 2>/dev/null)" = sleep ]'
        echo "$L $T" > "$D/out/pids"
        "$N" --list > "$D/out/list.alive"
        "$N" --json > "$D/out/json.alive"
        end "$X"
        end_fork
        "$N" -l > "$D/out/list.dead"
        "$N" -J > "$D/out/json.dead"
        "$N" --list --json > "$D/out/json.both"
        echo done
    "#,
        )
        .run();
    expect(&out, "done\n");
    let read = |name: &str| {
        std::fs::read_to_string(outdir.join(name))
            .unwrap_or_else(|e| panic!("cannot read {name}: {e}\n{}", out.stderr()))
    };
    let w = s.w();
    let pids = read("pids");
    let (launcher, target) = pids.trim().split_once(' ').unwrap();
    // What stat -L of each file and readlink of the target's entry said.
    let bound = read("bound");
    let mut expected: Vec<Listed> = bound
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert!(
                fields.len() == 4 && fields[2] == fields[3] && fields[2] != "none",
                "the file should hold the target's namespace: {line:?}"
            );
            let name = fields[0].strip_prefix(&format!("{w}/")).unwrap();
            let (nprocs, first) = match name {
                "uts" | "with  two spaces" => (3, format!("{launcher} (unshare)")),
                "pid" | "time" => (1, format!("{target} (sleep)")),
                _ => (2, format!("{launcher} (unshare)")),
            };
            Listed {
                ns: fields[2].parse().unwrap(),
                kind: fields[1].to_owned(),
                nprocs,
                nfds: 0,
                nmounts: 0,
                holder: Some(format!("process {first}")),
                paths: vec![fields[0].to_owned()],
            }
        })
        .collect();
    assert_eq!(expected.len(), 9, "bound:\n{bound}");
    expected.sort_by(|a, b| a.paths.cmp(&b.paths));
    let check = |name: &str, listed: Result<Vec<Listed>, String>, want: &[Listed]| -> Vec<Listed> {
        let text = read(name);
        let listed = listed.unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        let mut found = under(listed, &w);
        let in_order = found.clone();
        found.sort_by(|a, b| a.paths.cmp(&b.paths));
        assert_eq!(found, want, "{name}:\n{text}");
        in_order
    };
    let table = check(
        "list.alive",
        parse_table(&read("list.alive")),
        &counts_only(&expected),
    );
    let json = check(
        "json.alive",
        parse_listing_json(&read("json.alive")),
        &expected,
    );
    assert_eq!(
        table,
        counts_only(&json),
        "--list and --json disagree on the order"
    );
    for e in &mut expected {
        e.nprocs = 0;
        e.holder = None;
    }
    check("list.dead", parse_table(&read("list.dead")), &expected);
    check(
        "json.dead",
        parse_listing_json(&read("json.dead")),
        &expected,
    );
    check(
        "json.both",
        parse_listing_json(&read("json.both")),
        &expected,
    );
}

mod list {
    use super::*;

    #[test]
    fn list_and_json() {
        super::list_and_json(Who::Root);
    }
    #[test]
    fn list_and_json_unprivileged() {
        super::list_and_json(Who::Nobody);
    }

    /// With no namespace bound at all (the scene first detaches whatever
    /// nsfs mounts it inherited), --list is the header alone and --json an
    /// empty array.
    #[test]
    fn nothing_bound() {
        let s = Scene::new();
        let out = s
            .shell_pidns(
                r#"
            awk '/ - nsfs / { print $5 }' /proc/self/mountinfo | while read -r p; do
                umount -l "$(printf '%b' "$p")"
            done
            echo "nsfs=$(grep -c ' - nsfs ' /proc/self/mountinfo)"
            "$N" --list
            echo ---
            "$N" --json
        "#,
            )
            .run();
        out.success().stderr_is("");
        let text = out.stdout();
        let (list, json) = text
            .strip_prefix("nsfs=0\n")
            .and_then(|rest| rest.split_once("---\n"))
            .unwrap_or_else(|| out.fail("expected nsfs=0, the list, ---, the JSON"));
        out.check(
            parse_table(list) == Ok(vec![]) && list.lines().count() == 1,
            "--list should be the header alone",
        );
        out.check(
            parse_listing_json(json) == Ok(vec![]),
            "--json should be an empty array",
        );
    }
}

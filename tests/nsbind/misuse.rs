//! Misuse: usage errors, unknown types and bad pids.

use super::*;

/// Usage errors: exit 1, a message, then the hint; nothing created.
#[test]
fn usage_errors() {
    let s = Scene::new();
    let w = s.w();
    let (a, b, c) = (format!("{w}/a"), format!("{w}/b"), format!("{w}/c"));
    let uts = "/proc/self/ns/uts";
    let before = s.env.tmp().names();
    let cases: Vec<Vec<&str>> = vec![
        vec![],
        vec![uts],
        vec![uts, &a, &b],
        vec!["-t", "1"],
        vec!["-t", "1", "uts"],
        vec!["-t", "1", "uts", &a, &b],
        vec!["--keep", uts, &a],
        vec!["-k", "--list"],
        vec!["--all", &a],
        vec!["-a", uts, &a],
        vec!["-t", "1", "--all"],
        vec!["-t", "1", "--all", &a, &b],
        vec!["--type", "uts", "-t", "1", "uts", &a],
        vec!["--type", "uts", "--unbind", &a],
        vec!["--type", "uts", "--list"],
        vec!["--list", &a],
        vec!["--json", &a],
        vec!["--list", "--unbind", &a],
        vec!["--unbind", "-t", "1", &a],
        vec!["--unbind", "--all", &a],
        vec!["--list", "-t", "1"],
        vec!["--unbind"],
        vec!["--bogus", uts, &a],
        vec!["-t"],
        vec!["--type"],
        vec![uts, &c, "--unbind", &b],
    ];
    for args in cases {
        let out = s.private("nsbind").args(&args).run();
        out.code(1).stdout_is("");
        let err = out.stderr();
        let lines: Vec<&str> = err.lines().collect();
        out.check(
            err.ends_with('\n')
                && lines.len() == 2
                && lines[0].starts_with("nsbind: ")
                && lines[1] == "Try 'nsbind --help' for more information.",
            "expected a usage error: one message, then the hint",
        );
        assert!(
            s.env.tmp().names() == before
                && std::fs::read_dir(s.work("")).unwrap().next().is_none(),
            "{args:?} created something"
        );
    }
}

/// A PID that does not exist (never did, or was reaped): the message
/// names /proc/PID/ns/..., nothing is created (nor --all's DIR).
#[test]
fn pid_that_does_not_exist() {
    let s = Scene::new();
    let out = s
        .shell_pidns(
            r#"
            [ ! -e /proc/99999 ] || echo "99999 exists"
            true &
            gone=$!
            wait "$gone"
            run never "$N" -t 99999 uts "$W/a"
            run reaped "$N" -t "$gone" net "$W/b"
            run all "$N" -t 99999 --all "$W/dir"
            run children "$N" -t 99999 pid_for_children "$W/c"
            echo "gone=$gone"
            echo "files: $(ls -A "$W" | wc -l)"
        "#,
        )
        .run();
    let gone = value(&out, "gone");
    expect(
            &out,
            &format!(
                "never: rc=1\n\
                 never> nsbind: cannot open /proc/99999/ns/uts: No such file or directory\n\
                 reaped: rc=1\n\
                 reaped> nsbind: cannot open /proc/{gone}/ns/net: No such file or directory\n\
                 all: rc=1\n\
                 all> nsbind: cannot open /proc/99999/ns/*: No such file or directory\n\
                 children: rc=1\n\
                 children> nsbind: cannot open /proc/99999/ns/pid_for_children: No such file or directory\n\
                 gone={gone}\n\
                 files: 0\n"
            ),
        );
}

/// An unknown TYPE, for -t and for --type, and a malformed PID: a usage
/// error each, nothing created.
#[test]
fn unknown_type_and_bad_pid() {
    let s = Scene::new();
    let out = s
        .shell_pidns(
            r#"
            run t "$N" -t $$ bogus "$W/a"
            run type "$N" --type bogus /proc/self/ns/uts "$W/b"
            run empty "$N" -t $$ "" "$W/c"
            run pid "$N" -t 1x uts "$W/d"
            run inode "$N" -t 1:x uts "$W/e"
            echo "files: $(ls -A "$W" | wc -l) mounts=$(under "$D")"
        "#,
        )
        .run();
    expect(
        &out,
        "t: rc=1\n\
             t> nsbind: unknown namespace type 'bogus'*\n\
             t> Try 'nsbind --help' for more information.\n\
             type: rc=1\n\
             type> nsbind: unknown namespace type 'bogus'*\n\
             type> Try 'nsbind --help' for more information.\n\
             empty: rc=1\n\
             empty> nsbind: unknown namespace type ''*\n\
             empty> Try 'nsbind --help' for more information.\n\
             pid: rc=1\n\
             pid> nsbind: failed to parse PID argument '1x'*\n\
             pid> Try 'nsbind --help' for more information.\n\
             inode: rc=1\n\
             inode> nsbind: failed to parse PID argument '1:x'*\n\
             inode> Try 'nsbind --help' for more information.\n\
             files: 0 mounts=0\n",
    );
}

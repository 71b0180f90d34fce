//! The parser's tests: every option, its values, and what it refuses.
use super::*;

fn config(words: &[&str]) -> Result<Config> {
    match parse(words.iter().map(OsString::from).collect())? {
        Parsed::Run(config) => Ok(*config),
        Parsed::Show(_) => panic!("{words:?} printed instead of running"),
    }
}

/// The parser's refusal, which is always a usage error.
fn err(words: &[&str]) -> String {
    match config(words) {
        Err(e) if matches!(e.kind(), crate::error::Kind::Usage(_)) => e.to_string(),
        Err(e) => panic!("{words:?}: not a usage error: {e:?}"),
        Ok(_) => panic!("{words:?} accepted"),
    }
}

#[test]
fn namespaces_and_their_sources() {
    let c = config(&[
        "-t",
        "7",
        "-u",
        "-n/x",
        "-i=/y",
        "--net=:42",
        "--mount=/m",
        "sh",
    ])
    .unwrap();
    assert_eq!(
        c.target,
        Some(Spec {
            pid: 7,
            inode: None
        })
    );
    let got: Vec<_> = c
        .namespaces
        .iter()
        .map(|(k, s)| (k.name, s.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("uts", Source::Target),
            ("net", Source::Id(42)),
            ("ipc", Source::File(PathBuf::from("/y"))),
            ("mnt", Source::File(PathBuf::from("/m"))),
        ]
    );
    assert_eq!(c.program, ["sh"]);
    // A separate word is never the optional file: it is the program.
    let c = config(&["-t", "7", "-u", "/bin/true"]).unwrap();
    assert_eq!(c.namespaces[0].1, Source::Target);
    assert_eq!(c.program, ["/bin/true"]);
}

/// util-linux's rule for one kind named several times: a file or id
/// is never undone by a bare option, in either order; among files and
/// ids the last wins.
#[test]
fn a_file_outlasts_a_bare_option() {
    let uts = |words: &[&str]| {
        let c = config(words).unwrap();
        assert_eq!(c.namespaces.len(), 1, "{words:?}");
        c.namespaces[0].1.clone()
    };
    let file = Source::File(PathBuf::from("/b"));
    assert_eq!(uts(&["-t", "1", "--uts=/b", "-u"]), file);
    assert_eq!(uts(&["-t", "1", "-u", "--uts=/b"]), file);
    assert_eq!(uts(&["-t", "1", "-u/b", "--uts", "-u"]), file);
    assert_eq!(uts(&["-t", "1", "--uts=:7", "-u"]), Source::Id(7));
    assert_eq!(uts(&["-t", "1", "--uts=/a", "-u", "--uts=/b"]), file);
    assert_eq!(uts(&["--uts=:7", "--uts=/b"]), file);
    assert_eq!(uts(&["-t", "1", "-u", "-u"]), Source::Target);
}

#[test]
fn directories_ids_and_flags() {
    let c = config(&[
        "-t1",
        "-r",
        "-w/tmp",
        "-S",
        "follow",
        "-G",
        "5",
        "-aeFcZ",
        "--keep-caps",
    ])
    .unwrap();
    assert_eq!(c.root, Some(Dir::Target));
    assert_eq!(c.wd, Some(Dir::Path(PathBuf::from("/tmp"))));
    assert_eq!(
        (c.uid, c.gid),
        (Some(IdChoice::Follow), Some(IdChoice::Id(5)))
    );
    assert!(c.all && c.env && c.no_fork && c.join_cgroup && c.follow_context);
    assert!(c.keep_caps.is_some());
    let c = config(&[
        "-t1",
        "-W",
        "/srv",
        "--user-parent",
        "-N",
        "3",
        "--preserve-credentials",
    ])
    .unwrap();
    assert_eq!(c.wdns, Some(PathBuf::from("/srv")));
    assert!(c.user_parent && c.preserve_credentials);
    assert_eq!(c.net_socket, Some(3));
}

#[test]
fn bad_values() {
    assert_eq!(
        err(&["-t", "abc"]),
        "failed to parse PID argument 'abc': Invalid argument"
    );
    assert_eq!(
        err(&["-t", "1", "-t", "2"]),
        "option --target may be given only once"
    );
    assert_eq!(
        err(&["-S", "4294967296"]),
        "failed to parse uid: '4294967296': Numerical result out of range"
    );
    assert_eq!(err(&["-S", "x"]), "failed to parse uid: 'x'");
    assert_eq!(err(&["-G", ""]), "failed to parse gid: ''");
    assert_eq!(err(&["-N", "x"]), "failed to parse file descriptor: 'x'");
    assert_eq!(err(&["--uts=:x"]), "failed to parse nsid: x");
    assert_eq!(
        err(&["-w", "-W/x"]),
        "mutually exclusive arguments: --wd --wdns"
    );
    assert_eq!(
        err(&["-W/x", "--wd=/y"]),
        "mutually exclusive arguments: --wd --wdns"
    );
}

/// What needs a target, without one, and nothing to enter: refused by
/// the parser, in util-linux's order.
#[test]
fn the_command_line_alone_shows_it_cannot_work() {
    let no_target = "no target PID specified";
    for words in [
        &["-u"][..],
        &["-a"],
        &["-N", "3"],
        &["--user-parent"],
        &["--uts=/u", "-n"],
        &["-u", "-r"],
    ] {
        assert_eq!(err(words), no_target, "{words:?}");
    }
    assert!(config(&["--user-parent", "--uts=/u"]).is_ok());
    for (option, what) in [
        ("-r", "root"),
        ("-w", "cwd"),
        ("-e", "environ"),
        ("-c", "cgroup"),
    ] {
        let message = format!("neither filename nor target pid supplied for {what}");
        assert_eq!(err(&[option]), message);
        assert_eq!(err(&["--uts=/u", option]), message);
        assert!(config(&["-t1", "-u", option]).is_ok());
    }
    assert!(config(&["--uts=/u", "-r/new", "-w/x"]).is_ok());
    assert_eq!(
        err(&["--uts=/u", "-G", "follow"]),
        "no target PID specified for 'follow'"
    );
    for words in [
        &[][..],
        &["-t", "1"],
        &["-t1", "-S0", "-r", "-F"],
        &["--", "sh"],
    ] {
        assert_eq!(err(words), "no namespace specified", "{words:?}");
    }
    for words in [
        &["-t1", "-a"][..],
        &["-t1", "-N3"],
        &["-t1", "--user-parent"],
    ] {
        assert!(config(words).is_ok(), "{words:?}");
    }
}

#[test]
fn confinement_options() {
    let c = config(&[
        "-t1",
        "-u",
        "--caps=target",
        "--seccomp",
        "target",
        "--no-new-privs",
    ])
    .unwrap();
    assert!(c.caps && c.seccomp && !c.pty);
    assert_eq!(c.no_new_privs, NoNewPrivs::Set);
    let c = config(&["-t1", "-u", "--caps=target", "--caps=inherit", "--pty"]).unwrap();
    assert!(!c.caps && c.pty);
    assert_eq!(
        err(&["-t1", "-u", "--caps=all"]),
        "unsupported --caps value: 'all' (use target or inherit)"
    );
    assert_eq!(
        err(&["-t1", "-u", "--seccomp="]),
        "unsupported --seccomp value: '' (use target or inherit)"
    );
    assert_eq!(
        err(&["-t1", "-u", "--pty", "-F"]),
        "mutually exclusive arguments: --pty --no-fork"
    );
    for option in ["--caps=target", "--seccomp=target"] {
        assert_eq!(
            err(&["--uts=/u", option]),
            format!("neither filename nor target pid supplied for {option}")
        );
    }
    assert_eq!(err(&["--as-target"]), "no target PID specified");
}

/// --as-target is its pieces written in its place: what follows it
/// overrides them, what comes before is overridden.
#[test]
fn as_target_and_what_overrides_it() {
    let c = config(&["-t1", "--as-target"]).unwrap();
    assert!(c.all && c.join_cgroup && c.env && c.caps && c.seccomp && c.groups);
    assert_eq!(
        (c.uid, c.gid),
        (Some(IdChoice::Follow), Some(IdChoice::Follow))
    );
    assert_eq!((c.root, c.wd), (Some(Dir::Target), Some(Dir::Target)));
    assert_eq!(c.no_new_privs, NoNewPrivs::Target);
    assert!(!c.pty, "--pty is asked for on its own");

    let c = config(&[
        "-t1",
        "--as-target",
        "-S",
        "0",
        "-w/tmp",
        "--caps=inherit",
        "--seccomp=inherit",
        "--no-new-privs",
    ])
    .unwrap();
    assert_eq!(
        (c.uid, c.gid),
        (Some(IdChoice::Id(0)), Some(IdChoice::Follow))
    );
    assert!(!c.groups, "an explicit id drops the target's groups");
    assert_eq!(c.wd, Some(Dir::Path(PathBuf::from("/tmp"))));
    assert!(!c.caps && !c.seccomp);
    assert_eq!(c.no_new_privs, NoNewPrivs::Set);

    // -W replaces the implied working directory instead of clashing.
    let c = config(&["-t1", "--as-target", "-W", "/srv"]).unwrap();
    assert_eq!((c.wd, c.wdns), (None, Some(PathBuf::from("/srv"))));
    let c = config(&["-t1", "--as-target", "--preserve-credentials"]).unwrap();
    assert_eq!((c.uid, c.gid, c.groups), (None, None, false));
    assert!(c.preserve_credentials);
    let c = config(&["-t1", "--as-target", "-G5", "--preserve-credentials"]).unwrap();
    assert_eq!((c.uid, c.gid), (None, Some(IdChoice::Id(5))));
    // Without --as-target, --preserve-credentials leaves -S and -G alone.
    let c = config(&["-t1", "-u", "-S5", "--preserve-credentials"]).unwrap();
    assert_eq!(c.uid, Some(IdChoice::Id(5)));

    // Before it, overridden.
    let c = config(&["-t1", "-S0", "-w/tmp", "--caps=inherit", "--as-target"]).unwrap();
    assert_eq!(c.uid, Some(IdChoice::Follow));
    assert_eq!(c.wd, Some(Dir::Target));
    assert!(c.caps);
    let c = config(&["-t1", "-W/srv", "--as-target"]).unwrap();
    assert_eq!((c.wd, c.wdns), (Some(Dir::Target), None));
}

/// nsbox's own options never make an abbreviation that util-linux takes
/// ambiguous: `--no` is still --no-fork, `--a` --all, `--c` --cgroup,
/// `--pr` --preserve-credentials.
#[test]
fn util_linux_abbreviations_keep_their_meaning() {
    let c = config(&["-t1", "-u", "--no", "--a"]).unwrap();
    assert!(c.no_fork && c.all && !c.caps);
    let c = config(&["-t1", "--c", "--setu", "0", "--pr"]).unwrap();
    assert!(!c.caps && !c.seccomp && c.preserve_credentials);
    assert_eq!(c.uid, Some(IdChoice::Id(0)));
    assert!(c.namespaces.iter().any(|(k, _)| k.name == "cgroup"));
    // Where none of util-linux's fits, nsbox's own are abbreviated too.
    let c = config(&[
        "-t1",
        "--as",
        "--ca=inherit",
        "--sec",
        "inherit",
        "--pt",
        "--no-n",
    ])
    .unwrap();
    assert!(c.all && !c.caps && !c.seccomp && c.pty);
    assert_eq!(c.no_new_privs, NoNewPrivs::Set);
}

//! The parser's tests: every option, its values, and what it refuses.
use super::super::lookup::look_up;
use super::*;
use std::path::Path;

/// The command line parsed, its names and ranges looked up.
fn config(words: &[&str]) -> Result<Config> {
    let mut config = match parse(words.iter().map(OsString::from).collect())? {
        Parsed::Run(config) => *config,
        Parsed::Show(_) => panic!("{words:?} printed instead of running"),
    };
    look_up(&mut config)?;
    Ok(config)
}

/// The parser's refusal, which is always a usage error.
fn err(words: &[&str]) -> String {
    match parse(words.iter().map(OsString::from).collect()) {
        Err(e) if matches!(e.kind(), crate::error::Kind::Usage(_)) => e.to_string(),
        Err(e) => panic!("{words:?}: not a usage error: {e:?}"),
        Ok(_) => panic!("{words:?} accepted"),
    }
}

#[test]
fn namespaces_and_their_files() {
    let c = config(&["-mUuinpCT", "--uts=/a", "--uts=/b", "--net=/n", "-f", "sh"]).unwrap();
    assert_eq!(c.flags.count_ones(), 8);
    let files: Vec<_> = c
        .persist
        .iter()
        .map(|(k, p)| (k.name, p.to_str().unwrap()))
        .collect();
    assert_eq!(files, [("uts", "/b"), ("net", "/n")]);
    assert_eq!(c.program, ["sh"]);
    assert_eq!(c.propagation, Some(libc::MS_REC | libc::MS_PRIVATE));
}

#[test]
fn options_that_imply_others() {
    let c = config(&["--mount-proc"]).unwrap();
    assert_eq!(c.flags, libc::CLONE_NEWNS);
    assert_eq!(c.proc_dir.as_deref(), Some(Path::new("/proc")));
    let c = config(&["-l", ":x:E::x::/bin/sh:"]).unwrap();
    assert_eq!(c.flags, libc::CLONE_NEWNS | libc::CLONE_NEWUSER);
    assert_eq!(c.binfmt_dir.as_deref(), Some(Path::new(BINFMT_MISC)));
    assert_eq!(c.proc_dir.as_deref(), Some(Path::new("/proc")));
    let c = config(&["--mount-binfmt=/b"]).unwrap();
    assert_eq!(
        (c.binfmt_dir.as_deref(), c.proc_dir),
        (Some(Path::new("/b")), None)
    );
    let c = config(&["--kill-child=TERM"]).unwrap();
    assert!(c.fork && c.kill_child == Some(libc::SIGTERM));
    let c = config(&["--forward-signals"]).unwrap();
    assert!(c.fork && c.forward_signals);
    for word in [
        "-r",
        "-c",
        "--map-user=0",
        "--map-group=0",
        "--owner=0:0",
        "--map-users=0:1:1",
    ] {
        assert_eq!(
            config(&[word]).unwrap().flags,
            libc::CLONE_NEWUSER,
            "{word}"
        );
    }
}

#[test]
fn single_maps_and_ranges() {
    let c = config(&["-r"]).unwrap();
    assert_eq!((c.map_user, c.map_group), (Some(0), Some(0)));
    assert!(c.user_ranges.is_empty());
    let c = config(&["--map-user=root", "--map-group=root"]).unwrap();
    assert_eq!((c.map_user, c.map_group), (Some(0), Some(0)));
    // With ranges, the single id joins them and the helper writes it all.
    let c = config(&["--map-users=1:100000:10", "-r"]).unwrap();
    assert_eq!(c.map_user, None);
    assert_eq!(c.user_ranges[0].inner, 0);
    assert_eq!(c.user_ranges[0].outer, c.euid);
    assert_eq!(c.map_group, Some(0), "groups have no ranges: written by us");
    let c = config(&["--map-users=100000,0,10", "--map-users=10:200000:5"]).unwrap();
    assert_eq!(c.user_ranges.len(), 2);
}

#[test]
fn bad_values() {
    assert_eq!(err(&["-S", "abc"]), "failed to parse uid: 'abc'");
    assert_eq!(err(&["-G", "-1"]), "failed to parse gid: '-1'");
    assert_eq!(
        err(&["-S", "4294967296"]),
        "failed to parse uid: '4294967296': Numerical result out of range"
    );
    assert_eq!(
        err(&["--setgroups", "x"]),
        "unsupported --setgroups argument 'x'"
    );
    assert_eq!(
        err(&["--propagation", "x"]),
        "unsupported propagation mode: x"
    );
    assert_eq!(err(&["--kill-child=FOO"]), "unknown signal: FOO");
    assert_eq!(err(&["--owner", "1"]), "failed to parse owner");
    assert_eq!(err(&["--map-users=1,2"]), "invalid mapping '1,2'");
    assert_eq!(
        err(&["-T", "--monotonic", "x"]),
        "failed to parse monotonic offset: 'x'"
    );
    assert_eq!(
        err(&["-T", "--boottime", "99999999999999999999"]),
        "failed to parse boottime offset: '99999999999999999999': Numerical result out of range"
    );
    assert_eq!(
        config(&["-T", "--monotonic", "-5"]).unwrap().monotonic,
        Some(-5)
    );
}

/// Names and subid ranges are read after the command line is known
/// good: the parser itself reads no file, and a name that is not
/// found is no usage error.
#[test]
fn look_ups_come_after_parsing() {
    let Ok(Parsed::Run(c)) = parse(
        [
            "--map-user=no-such-user-x",
            "--map-groups=auto",
            "--map-users=all",
        ]
        .iter()
        .map(OsString::from)
        .collect(),
    ) else {
        panic!("the parser looked names up")
    };
    assert_eq!(
        c.lookups,
        Lookups {
            user: Some(IdOrName::Name("no-such-user-x".into())),
            group: None,
            user_ranges: vec![RangeSpec::AllOwn],
            group_ranges: vec![RangeSpec::Subids { identity: false }],
        }
    );
    let e = config(&["--map-user=no-such-user-x"]).unwrap_err();
    assert!(matches!(e.kind(), crate::error::Kind::Msg(_)), "{e:?}");
    assert_eq!(e.to_string(), "failed to parse uid: 'no-such-user-x'");
    let e = config(&["--map-group=no-such-group-x"]).unwrap_err();
    assert_eq!(e.to_string(), "failed to parse gid: 'no-such-group-x'");
    // The last single mapping wins, whichever option gave it.
    let c = config(&["--map-user=root", "-c", "--map-group=7", "-r"]).unwrap();
    assert_eq!((c.map_user, c.map_group), (Some(0), Some(0)));
    let c = config(&["-r", "--map-user=5"]).unwrap();
    assert_eq!((c.map_user, c.map_group), (Some(5), Some(0)));
}

#[test]
fn combinations_refused_up_front() {
    assert_eq!(
        err(&["--monotonic", "1"]),
        "options --monotonic and --boottime require unsharing of a time namespace (-T)"
    );
    assert_eq!(
        err(&["-r", "--setgroups=allow"]),
        "options --setgroups=allow and --map-group are mutually exclusive"
    );
    // A helper writes the group map then: setgroups is free.
    for with in ["--map-groups=1:100000:1", "--owner=0:0"] {
        assert!(config(&["-r", with, "--setgroups=allow"]).is_ok(), "{with}");
    }
    assert!(err(&["--pid=/x"]).starts_with("--pid=FILE needs --fork"));
    assert!(config(&["--pid=/x", "-f"]).is_ok());
}

/// nsbox's own options, and the option each needs.
#[test]
fn hostname_loopback_and_pidfile() {
    let c = config(&[
        "-un",
        "--hostname",
        "box",
        "--loopback",
        "-f",
        "--pidfile=/run/x.pid",
        "--keep-pidfile",
    ])
    .unwrap();
    assert_eq!(c.hostname.as_deref(), Some(std::ffi::OsStr::new("box")));
    assert!(c.loopback && c.keep_pidfile);
    assert_eq!(c.pidfile.as_deref(), Some(Path::new("/run/x.pid")));
    // The kernel's limit, any bytes, an empty name too.
    let longest = "x".repeat(HOST_NAME_MAX);
    assert!(config(&["-u", "--hostname", &longest]).is_ok());
    assert!(config(&["-u", "--hostname="]).is_ok());
    let too_long = "x".repeat(HOST_NAME_MAX + 1);
    assert_eq!(
        err(&["-u", "--hostname", &too_long]),
        format!("hostname too long: '{too_long}' has 65 bytes, the kernel takes at most 64")
    );
    assert_eq!(
        err(&["--hostname", "box"]),
        "option --hostname requires unsharing of a UTS namespace (-u)"
    );
    assert_eq!(
        err(&["-r", "--loopback"]),
        "option --loopback requires unsharing of a network namespace (-n)"
    );
    assert!(err(&["--pidfile", "/x"]).starts_with("option --pidfile requires --fork"));
    assert_eq!(
        err(&["-f", "--keep-pidfile"]),
        "option --keep-pidfile requires --pidfile"
    );
    // The options that imply --fork do for --pidfile too.
    for fork in ["--kill-child", "--forward-signals", "-f"] {
        assert!(config(&[fork, "--pidfile", "/x"]).is_ok(), "{fork}");
    }
    // The namespace may come as --uts=FILE, or after the option.
    assert!(config(&["--hostname", "box", "--uts=/u", "--loopback", "--net=/n"]).is_ok());
}

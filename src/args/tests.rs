//! Unit tests of the getopt engine and --help: util-linux's conventions.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Id {
    Uts,
    Fork,
    Root,
    Mount,
    MountProc,
    Net,
    Setuid,
    MapUser,
    MapUsers,
}

static TABLE: &[Opt<Id>] = &[
    Opt::both(Id::Uts, "uts", 'u', Arg::OptionalLong("<file>"), ""),
    Opt::both(Id::Fork, "fork", 'f', Arg::None, ""),
    Opt::both(Id::Root, "map-root-user", 'r', Arg::None, ""),
    Opt::both(Id::Mount, "mount", 'm', Arg::Optional("<file>"), ""),
    Opt::long(Id::MountProc, "mount-proc", Arg::Optional("<dir>"), ""),
    Opt::both(Id::Net, "net", 'n', Arg::Optional("<file>"), ""),
    Opt::both(Id::Setuid, "setuid", 'S', Arg::Required("<uid>"), ""),
    Opt::long(Id::MapUser, "map-user", Arg::Required("<uid>"), ""),
    Opt::long(Id::MapUsers, "map-users", Arg::Required("<map>"), ""),
];

type Parsed = (Vec<(Id, Option<String>)>, Vec<String>);

fn parse(words: &[&str]) -> Result<Parsed> {
    let args = words.iter().map(OsString::from).collect();
    let mut getopt = Getopt::new(TABLE, args);
    let mut seen = Vec::new();
    for item in getopt.by_ref() {
        let (id, value) = item?;
        seen.push((id, value.map(|v| v.to_string_lossy().into_owned())));
    }
    let rest = getopt
        .operands()
        .into_iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    Ok((seen, rest))
}

fn err(words: &[&str]) -> String {
    parse(words).unwrap_err().to_string()
}

#[test]
fn bundles_short_flags() {
    let (seen, rest) = parse(&["-rfm", "ls"]).unwrap();
    assert_eq!(
        seen,
        vec![(Id::Root, None), (Id::Fork, None), (Id::Mount, None)]
    );
    assert_eq!(rest, ["ls"]);
}

#[test]
fn required_argument_attached_or_separate() {
    let (seen, _) = parse(&["-S5", "-S", "6", "--setuid=7", "--setuid", "8"]).unwrap();
    let values: Vec<_> = seen.into_iter().map(|(_, v)| v.unwrap()).collect();
    assert_eq!(values, ["5", "6", "7", "8"]);
    let (seen, _) = parse(&["-fS9"]).unwrap();
    assert_eq!(seen, vec![(Id::Fork, None), (Id::Setuid, Some("9".into()))]);
}

#[test]
fn optional_argument_only_when_attached() {
    let (seen, rest) = parse(&["-nFILE", "--mount=/x", "--net", "prog"]).unwrap();
    assert_eq!(
        seen,
        vec![
            (Id::Net, Some("FILE".into())),
            (Id::Mount, Some("/x".into())),
            (Id::Net, None)
        ]
    );
    assert_eq!(rest, ["prog"]);
    let (seen, rest) = parse(&["-n", "FILE"]).unwrap();
    assert_eq!(seen, vec![(Id::Net, None)]);
    assert_eq!(rest, ["FILE"]);
    let (seen, _) = parse(&["--mount-proc="]).unwrap();
    assert_eq!(seen, vec![(Id::MountProc, Some(String::new()))]);
}

#[test]
fn optional_argument_of_the_long_form_only() {
    let (seen, rest) = parse(&["--uts=/x", "-uf", "-u", "FILE"]).unwrap();
    assert_eq!(
        seen,
        vec![
            (Id::Uts, Some("/x".into())),
            (Id::Uts, None),
            (Id::Fork, None),
            (Id::Uts, None)
        ]
    );
    assert_eq!(rest, ["FILE"]);
    assert_eq!(err(&["-u=/x"]), "invalid option -- '='");
    let text = help(&["x"], "x", TABLE, "x(1)");
    assert!(text.contains(" -u, --uts[=<file>]"));
}

#[test]
fn stops_at_first_operand_and_double_dash() {
    let (seen, rest) = parse(&["-r", "ls", "-la", "-f"]).unwrap();
    assert_eq!(seen, vec![(Id::Root, None)]);
    assert_eq!(rest, ["ls", "-la", "-f"]);
    let (seen, rest) = parse(&["-f", "--", "-r"]).unwrap();
    assert_eq!(seen, vec![(Id::Fork, None)]);
    assert_eq!(rest, ["-r"]);
    let (_, rest) = parse(&["-", "x"]).unwrap();
    assert_eq!(rest, ["-", "x"]);
    let (seen, rest) = parse(&[]).unwrap();
    assert!(seen.is_empty() && rest.is_empty());
}

#[test]
fn long_prefixes_and_exact_match() {
    let (seen, _) = parse(&["--fo", "--map-user=1", "--map-users=0:1:1"]).unwrap();
    assert_eq!(
        seen,
        vec![
            (Id::Fork, None),
            (Id::MapUser, Some("1".into())),
            (Id::MapUsers, Some("0:1:1".into()))
        ]
    );
    assert_eq!(
        err(&["--map-u=3"]),
        "option '--map-u=3' is ambiguous; possibilities: '--map-user' '--map-users'"
    );
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mixed {
    Help,
    Hostname,
    KeepCaps,
    KeepPidfile,
    Pid,
    Pidfile,
    Propagation,
}

/// util-linux's options, and nsbox's own beside them.
static MIXED: &[Opt<Mixed>] = &[
    Opt::long(Mixed::Help, "help", Arg::None, ""),
    Opt::long(Mixed::KeepCaps, "keep-caps", Arg::None, ""),
    Opt::long(Mixed::Pid, "pid", Arg::None, ""),
    Opt::long(Mixed::Propagation, "propagation", Arg::None, ""),
    Opt::long(Mixed::Hostname, "hostname", Arg::None, "").own(),
    Opt::long(Mixed::KeepPidfile, "keep-pidfile", Arg::None, "").own(),
    Opt::long(Mixed::Pidfile, "pidfile", Arg::None, "").own(),
];

/// An abbreviation util-linux takes means what it means there; one
/// that names none of its options may name an option of our own.
#[test]
fn own_options_never_make_an_abbreviation_ambiguous() {
    let first = |word: &str| {
        let mut getopt = Getopt::new(MIXED, vec![OsString::from(word)]);
        getopt.next().unwrap().map(|(id, _)| id)
    };
    for (word, id) in [
        ("--h", Mixed::Help),
        ("--he", Mixed::Help),
        ("--ho", Mixed::Hostname),
        ("--keep", Mixed::KeepCaps),
        ("--keep-", Mixed::KeepCaps),
        ("--keep-c", Mixed::KeepCaps),
        ("--keep-p", Mixed::KeepPidfile),
        ("--pi", Mixed::Pid),
        ("--pid", Mixed::Pid),
        ("--pidf", Mixed::Pidfile),
        ("--pidfile", Mixed::Pidfile),
    ] {
        assert_eq!(first(word).unwrap(), id, "{word}");
    }
    // Ambiguous among util-linux's own: as util-linux says it.
    assert_eq!(
        first("--p").unwrap_err().to_string(),
        "option '--p' is ambiguous; possibilities: '--pid' '--propagation'"
    );
}

#[test]
fn getopt_messages() {
    assert_eq!(err(&["--x"]), "unrecognized option '--x'");
    assert_eq!(err(&["--x=3"]), "unrecognized option '--x=3'");
    assert_eq!(err(&["-q"]), "invalid option -- 'q'");
    assert_eq!(err(&["-fq"]), "invalid option -- 'q'");
    assert_eq!(err(&["-S"]), "option requires an argument -- 'S'");
    assert_eq!(err(&["--setuid"]), "option '--setuid' requires an argument");
    assert_eq!(
        err(&["--fo=1"]),
        "option '--fork' doesn't allow an argument"
    );
    assert!(matches!(parse(&["--x"]), Err(e) if matches!(e.kind(), crate::error::Kind::Usage(_))));
}

/// Seen among the parser fuzzer's rejections: `-é` was reported as `-- 'Ã'`, the first
/// byte of the character taken for a Latin-1 one.
#[test]
fn a_letter_outside_ascii_is_shown_whole() {
    assert_eq!(err(&["-é"]), "invalid option -- 'é'");
    assert_eq!(err(&["-fé"]), "invalid option -- 'é'");
    let bad = OsString::from_vec(b"-\xff\xc3".to_vec());
    let got = Getopt::new(TABLE, vec![bad]).next().unwrap().unwrap_err();
    assert_eq!(got.to_string(), "invalid option -- '\u{fffd}'");
}

#[test]
fn wrapping_keeps_to_the_width_and_remarks_whole() {
    let text = "map the first block of user IDs owned by euid (implies --user)";
    assert_eq!(
        wrap(text, 49),
        [
            "map the first block of user IDs owned by euid",
            "(implies --user)"
        ]
    );
    // Greedy, word by word, when no remark is in the way.
    assert_eq!(wrap("aa bb cc dd", 5), ["aa bb", "cc dd"]);
    // A remark longer than a line is wrapped like other words.
    assert_eq!(wrap("x (a b c d e f)", 6), ["x (a b", "c d e", "f)"]);
    // A word longer than a line has one of its own.
    assert_eq!(wrap("a abcdefgh b", 4), ["a", "abcdefgh", "b"]);
    assert_eq!(wrap("", 10), [""]);
    assert_eq!(wrap("fits (as is)", 12), ["fits (as is)"]);
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Wide {
    Short,
    Long,
    Named,
    Help,
}

static WIDE: &[Opt<Wide>] = &[
    Opt::both(Wide::Short, "short", 's', Arg::None, "a short one"),
    Opt::long(
        Wide::Long,
        "long",
        Arg::Required("<a>:<b>:<c>|auto|subids|all"),
        "an option whose name is too wide for the column, and whose \
         description is too long for one line (implies --short)",
    ),
    Opt::long(
        Wide::Named,
        "named",
        Arg::Required("<uid>|<name>"),
        "fits the column",
    )
    .starts_group(),
    Opt::both(Wide::Help, "help", 'h', Arg::None, "display this help").starts_group(),
];

#[test]
fn help_wraps_to_80_columns_and_keeps_groups_apart() {
    let text = help(&["wide [options]"], "Wide.", WIDE, "wide(1)");
    let options: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "Options:")
        .skip(1)
        .take_while(|l| !l.starts_with("For more"))
        .collect();
    // The column: two after the widest name that fits ("--named ...").
    let column = "     --named <uid>|<name>  ".len();
    let indent = " ".repeat(column);
    assert_eq!(
        options,
        [
            format!("{:column$}a short one", " -s, --short"),
            "     --long <a>:<b>:<c>|auto|subids|all".to_owned(),
            format!("{indent}an option whose name is too wide for the column, and"),
            format!("{indent}whose description is too long for one line"),
            format!("{indent}(implies --short)"),
            String::new(),
            "     --named <uid>|<name>  fits the column".to_owned(),
            String::new(),
            format!("{:column$}display this help", " -h, --help"),
            String::new(),
        ]
    );
    for line in text.lines() {
        assert!(line.chars().count() <= HELP_WIDTH, "{line:?}");
    }
}

#[test]
fn help_lists_every_option() {
    let text = help(&["x [options]"], "Does x.", TABLE, "x(1)");
    assert!(text.contains(" -S, --setuid <uid>"));
    assert!(text.contains(" -m, --mount[=<file>]"));
    assert!(text.contains("     --map-users <map>"));
}

//! A seeded fuzzer for every command-line parser: random vectors of options
//! (from each applet's own table, so new options are fuzzed without a word
//! here), bundles, `=` forms, hostile values and garbage, fed to the parsers
//! in-process. It asserts that nothing panics and that every rejection has
//! the documented shape of a usage error: exit status 1, a line `APPLET:
//! message` with no control character in it, then the `Try 'APPLET --help'`
//! line. A parser decides from the command line alone, so whatever it
//! refuses is a usage error, with no exception: getopt's own errors, a
//! value an option cannot take, and the rules about operands and option
//! combinations. And it refuses in getopt's order: before getopt's first
//! error, only a value given before that word; never a rule that needs the
//! whole command line.
//!
//! NSBOX_FUZZ_SEED and NSBOX_FUZZ_COUNT override the seed and the number of
//! vectors per parser, for longer runs: `NSBOX_FUZZ_COUNT=1000000 cargo
//! test fuzz`.

mod gen;

use std::ffi::OsString;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::applets::{nsbind, nsenter, setns_test, unshare};
use crate::args::{Arg, Getopt, Opt};
use crate::error::{Error, Result};
use crate::multicall;
use gen::{Rng, Word};

const DEFAULT_SEED: u64 = 0x6e73_626f_7846_757a;
const DEFAULT_COUNT: u64 = 50_000;

/// The rules each applet applies once the options are read, about operands
/// and the options that go together: they must never come before an error
/// of getopt's. A new rule must be listed here.
const UNSHARE_RULES: &[&str] = &[
    "options --monotonic and --boottime require unsharing of a time namespace (-T)",
    "--pid=FILE needs --fork: a PID namespace exists only once its first process does",
    "options --setgroups=allow and --map-group are mutually exclusive",
    "option --hostname requires unsharing of a UTS namespace (-u)",
    "option --loopback requires unsharing of a network namespace (-n)",
    "option --pidfile requires --fork: the PID it holds is that of the forked child",
    "option --keep-pidfile requires --pidfile",
];

const NSENTER_RULES: &[&str] = &[
    "no target PID specified",
    "neither filename nor target pid supplied for root",
    "neither filename nor target pid supplied for cwd",
    "neither filename nor target pid supplied for environ",
    "neither filename nor target pid supplied for cgroup",
    "no target PID specified for 'follow'",
    "no namespace specified",
];

const NSBIND_RULES: &[&str] = &[
    "--list, --unbind, --all and --target name different things; give one",
    "--keep goes with --unbind",
    "--type goes only with NSFILE TARGET",
    "expected no operands with --list",
    "--unbind needs at least one TARGET",
    "--all needs --target",
    "expected one DIR after --all",
    "missing operands",
    "expected TYPE TARGET after --target, or NSFILE TARGET",
];

/// What an applet's rejections are checked against.
enum Rules {
    /// Options through `Getopt` over this table: when the bare parse below
    /// fails, the applet's error is getopt's, or that of a value given
    /// before the word getopt refuses; never one of these rules.
    Getopt {
        bare: fn(Vec<OsString>) -> Bare,
        rules: &'static [&'static str],
    },
    /// nsbox's own options, which do not go through getopt.
    Own,
}

/// What a bare `Getopt` over an applet's table makes of the words.
enum Bare {
    /// The options are well formed (or `--help`/`--version` come first).
    Clean,
    /// Getopt's error, at word `at` (0-based).
    Fails { error: Error, at: usize },
}

/// One parser under test.
struct Subject {
    name: &'static str,
    words: Vec<Word>,
    /// The parser, its answer reduced to accepted or the error.
    parse: fn(Vec<OsString>) -> Result<()>,
    rules: Rules,
}

fn words<T: Copy>(table: &[Opt<T>]) -> Vec<Word> {
    table
        .iter()
        .map(|o| Word {
            long: o.long,
            short: o.short,
            arg: o.arg,
        })
        .collect()
}

/// The options alone through getopt, stopping where the applet would stop
/// without looking further: at `--help` or `--version`.
fn bare<T: Copy + PartialEq>(table: &'static [Opt<T>], args: Vec<OsString>) -> Bare {
    let answers = |id: T| {
        table
            .iter()
            .any(|o| o.id == id && matches!(o.long, "help" | "version"))
    };
    let mut getopt = Getopt::new(table, args);
    while let Some(item) = getopt.next() {
        match item {
            Ok((id, _)) if answers(id) => return Bare::Clean,
            Ok(_) => {}
            Err(error) => {
                let at = getopt.consumed() - 1;
                return Bare::Fails { error, at };
            }
        }
    }
    Bare::Clean
}

fn subjects() -> Vec<Subject> {
    vec![
        Subject {
            name: "unshare",
            words: words(unshare::options::OPTIONS),
            parse: |args| unshare::options::parse(args).map(drop),
            rules: Rules::Getopt {
                bare: |args| bare(unshare::options::OPTIONS, args),
                rules: UNSHARE_RULES,
            },
        },
        Subject {
            name: "nsenter",
            words: words(nsenter::options::OPTIONS),
            parse: |args| nsenter::options::parse(args).map(drop),
            rules: Rules::Getopt {
                bare: |args| bare(nsenter::options::OPTIONS, args),
                rules: NSENTER_RULES,
            },
        },
        Subject {
            name: "setns-test",
            words: words(setns_test::OPTIONS),
            parse: |args| setns_test::parse(args).map(drop),
            rules: Rules::Getopt {
                bare: |args| bare(setns_test::OPTIONS, args),
                rules: &["no namespace file specified"],
            },
        },
        Subject {
            name: "nsbind",
            words: words(nsbind::OPTIONS),
            parse: |args| nsbind::parse(args).map(drop),
            rules: Rules::Getopt {
                bare: |args| bare(nsbind::OPTIONS, args),
                rules: NSBIND_RULES,
            },
        },
        Subject {
            name: "nsbox",
            // The table, and `--install`'s `-s`, which is not in it.
            words: words(multicall::OWN_OPTIONS)
                .into_iter()
                .chain([Word {
                    long: "",
                    short: Some('s'),
                    arg: Arg::None,
                }])
                .collect(),
            parse: |args| multicall::parse_own(args).map(drop),
            rules: Rules::Own,
        },
    ]
}

/// The rejection is a usage error: exit status 1, `APPLET: message` on one
/// line, then the hint line.
fn check_shape(applet: &str, error: &Error) -> std::result::Result<(), String> {
    if !matches!(error.kind(), crate::error::Kind::Usage(_)) {
        return Err(format!(
            "{error:?} is not a usage error: whatever a parser refuses is one"
        ));
    }
    if error.code() != 1 {
        return Err(format!("exit status {}, not 1", error.code()));
    }
    let text = error
        .render(applet)
        .ok_or("rejected without a message (Error::reported())")?;
    let body = text
        .strip_suffix('\n')
        .ok_or("the message does not end with a newline")?;
    let lines: Vec<&str> = body.split('\n').collect();
    let prefix = format!("{applet}: ");
    let message = lines[0]
        .strip_prefix(&prefix)
        .ok_or_else(|| format!("the line does not start with {prefix:?}"))?;
    if message.trim().is_empty() {
        return Err("an empty message".into());
    }
    let raw = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
    if let Some(c) = body.chars().find(|&c| c != '\n' && raw(c)) {
        return Err(format!("a raw control character {c:?} in the message"));
    }
    let hint = format!("Try '{applet} --help' for more information.");
    match lines.as_slice() {
        [_, second] if *second == hint => Ok(()),
        _ => Err("not one line and the hint".into()),
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// Everything the fuzzer asserts about one argument vector.
fn check(subject: &Subject, args: &[OsString]) -> std::result::Result<(), String> {
    let parse = |args: Vec<OsString>| {
        catch_unwind(AssertUnwindSafe(|| (subject.parse)(args)))
            .map_err(|panic| format!("the parser panicked: {}", panic_text(&*panic)))
    };
    let outcome = parse(args.to_vec())?;
    let (bare, rules) = match &subject.rules {
        Rules::Own => {
            return match outcome {
                Ok(()) => Ok(()),
                Err(e) => check_shape(subject.name, &e),
            };
        }
        Rules::Getopt { bare, rules } => (
            catch_unwind(AssertUnwindSafe(|| bare(args.to_vec())))
                .map_err(|panic| format!("getopt panicked: {}", panic_text(&*panic)))?,
            *rules,
        ),
    };
    let error = match (outcome, &bare) {
        (Ok(()), Bare::Clean) => return Ok(()),
        (Ok(()), Bare::Fails { error, .. }) => {
            return Err(format!("accepted, though getopt says: {error}"));
        }
        (Err(error), _) => error,
    };
    check_shape(subject.name, &error)?;
    let message = error.to_string();
    let Bare::Fails { error: first, at } = bare else {
        return Ok(());
    };
    if message == first.to_string() {
        // Getopt's own error, passed on as it is.
        return Ok(());
    }
    if rules.contains(&message.as_str()) {
        return Err(format!(
            "{error:?} is a rule about the whole command line, applied before getopt's \
             error ({first})"
        ));
    }
    // A value refused before getopt's error: the words up to the one getopt
    // refuses must be refused the same way.
    match parse(args[..at].to_vec())? {
        Err(again) if again.to_string() == message => Ok(()),
        other => Err(format!(
            "{error:?} is neither getopt's error ({first}) nor that of a value before it: \
             the first {at} words give {other:?}"
        )),
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Err(_) => default,
        Ok(text) => {
            let text = text.trim();
            let parsed = match text.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => text.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("{name}={text} is not a number"))
        }
    }
}

/// Fuzz one parser; on the first failure, panic with everything needed to
/// see it again.
fn fuzz(name: &str) {
    let subject = subjects()
        .into_iter()
        .find(|s| s.name == name)
        .expect("a subject of that name");
    let seed = env_number("NSBOX_FUZZ_SEED", DEFAULT_SEED);
    let count = env_number("NSBOX_FUZZ_COUNT", DEFAULT_COUNT);
    // Each parser has its own stream, so adding one changes no other's.
    let stream = name.bytes().fold(seed, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let mut rng = Rng::new(stream);
    for case in 0..count {
        let args = gen::argv(&mut rng, &subject.words);
        if let Err(why) = check(&subject, &args) {
            panic!(
                "{name} fuzzing failed: {why}\n  \
                 seed: NSBOX_FUZZ_SEED={seed:#x} (case {case} of {count})\n  \
                 argv: {name} {args:?}"
            );
        }
    }
}

#[test]
fn fuzz_unshare() {
    fuzz("unshare");
}

#[test]
fn fuzz_nsenter() {
    fuzz("nsenter");
}

#[test]
fn fuzz_setns_test() {
    fuzz("setns-test");
}

#[test]
fn fuzz_nsbind() {
    fuzz("nsbind");
}

#[test]
fn fuzz_nsbox_options() {
    fuzz("nsbox");
}

/// Every option of every table turns up, long and short, as it is and with
/// a value: an option added to a table is fuzzed without a word here.
#[test]
fn every_option_is_generated() {
    for subject in subjects() {
        let mut rng = Rng::new(DEFAULT_SEED);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..20_000 {
            for word in gen::argv(&mut rng, &subject.words) {
                let word = word.to_string_lossy().into_owned();
                let name = word.split('=').next().unwrap_or_default().to_owned();
                if word.contains('=') {
                    seen.insert(format!("{name}=…"));
                }
                seen.insert(name);
                seen.insert(word.chars().take(2).collect());
            }
        }
        for option in &subject.words {
            let mut forms = vec![];
            if !option.long.is_empty() {
                forms.push(format!("--{}", option.long));
                forms.push(format!("--{}=…", option.long));
            }
            forms.extend(option.short.map(|c| format!("-{c}")));
            for form in forms {
                assert!(
                    seen.contains(&form),
                    "{}: {form} never generated",
                    subject.name
                );
            }
        }
    }
}

#[test]
fn every_applet_is_fuzzed() {
    let names: Vec<&str> = subjects().iter().map(|s| s.name).collect();
    for applet in crate::applets::APPLETS {
        assert!(
            names.contains(&applet.name),
            "{} is not fuzzed",
            applet.name
        );
    }
}

/// A parser with a known fault, over nsbind's table, to show that `check`
/// notices it.
fn faulty(parse: fn(Vec<OsString>) -> Result<()>) -> Subject {
    Subject {
        name: "nsbind",
        words: words(nsbind::OPTIONS),
        parse,
        rules: Rules::Getopt {
            bare: |args| bare(nsbind::OPTIONS, args),
            rules: &["missing operands"],
        },
    }
}

fn argv(words: &[&str]) -> Vec<OsString> {
    words.iter().map(OsString::from).collect()
}

#[test]
fn the_shape_check_catches_what_it_is_for() {
    let shape = |e: Error| check_shape("nsbind", &e);
    assert_eq!(shape(Error::usage("missing operands")), Ok(()));
    assert_eq!(shape(Error::usage("bad value 'x'")), Ok(()));
    assert_eq!(shape(Error::usage("a\nb\r\u{9b}")), Ok(()), "escaped");
    assert!(shape(Error::usage("")).is_err());
    assert!(shape(Error::usage(" ")).is_err());
    // Whatever the parser refuses is a usage error, with the hint.
    assert!(shape(Error::msg("bad value 'x'")).is_err());
    assert!(shape(Error::sys("bad", nix::errno::Errno::ERANGE)).is_err());
    assert!(shape(Error::reported()).is_err());
    let exec = Error::exec("x", nix::errno::Errno::ENOENT);
    assert!(shape(exec).is_err());
}

#[test]
fn the_classification_catches_what_it_is_for() {
    let nsbind = subjects().into_iter().find(|s| s.name == "nsbind").unwrap();
    for words in [
        &["--type", "bogus", "/a", "/b"][..],
        &["-t", "1", "bogus", "/a"],
        &["--bogus"],
        &["-u"],
        &["--type=uts", "--bogus"],
        &["--type=x", "--bogus"],
        &["-t", "1", "-t", "x", "--list=3"],
        &["--help", "--bogus"],
    ] {
        assert_eq!(check(&nsbind, &argv(words)), Ok(()), "{words:?}");
    }
    let fails = |parse: fn(Vec<OsString>) -> Result<()>, words: &[&str], why: &str| {
        let got = check(&faulty(parse), &argv(words));
        assert!(
            got.as_ref().is_err_and(|e| e.contains(why)),
            "{words:?}: {got:?}"
        );
    };
    fails(|_| panic!("boom"), &[], "the parser panicked: boom");
    fails(|_| Ok(()), &["--bogus"], "accepted, though getopt says");
    // A bad value, or a rule, reported without the hint.
    fails(
        |_| Err(Error::msg("bad value")),
        &["/a"],
        "is not a usage error",
    );
    fails(
        |_| Err(Error::msg("missing operands")),
        &[],
        "is not a usage error",
    );
    // Getopt's error reported as something else.
    let bogus = &["-l", "--bogus"][..];
    fails(
        |_| Err(Error::msg("unrecognized option '--bogus'")),
        bogus,
        "is not a usage error",
    );
    // A value error that only the word getopt refuses brings about.
    let late = |args: Vec<OsString>| match args.len() {
        1 => Ok(()),
        _ => Err(Error::usage("bad")),
    };
    fails(late, bogus, "neither getopt's error");
    // A rule about the whole command line, before getopt's error.
    fails(
        |_| Err(Error::usage("missing operands")),
        bogus,
        "applied before getopt's error",
    );
}

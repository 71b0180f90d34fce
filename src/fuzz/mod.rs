//! A seeded fuzzer for every command-line parser: random vectors of options
//! (from each applet's own table, so new options are fuzzed without a word
//! here), bundles, `=` forms, hostile values and garbage, fed to the parsers
//! in-process. It asserts that nothing panics and that every rejection has
//! the documented shape: exit status 1, one line `APPLET: message` with no
//! control character in it, and the `Try 'APPLET --help'` line exactly for
//! command-line mistakes. Which rejections those are follows util-linux:
//! getopt's own errors and the applets' rules about operands and option
//! combinations are usage errors; a value an option cannot take is not.
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

/// nsbind's rules about its operands and the options that go together: the
/// usage errors it gives once the options are read. A new rule must be
/// listed here, which is the moment to decide that it is one.
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

/// How an applet's usage errors are told from its other rejections.
enum Rules {
    /// Options through `Getopt` over this table. A usage error is getopt's
    /// own (the bare parse below must fail the same way), or one of these
    /// rules about operands and combinations, checked after the options.
    Getopt {
        bare: fn(Vec<OsString>) -> Bare,
        usage: &'static [&'static str],
    },
    /// Every rejection is a command-line mistake (nsbox's own options).
    AllUsage,
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
                usage: &[],
            },
        },
        Subject {
            name: "nsenter",
            words: words(nsenter::options::OPTIONS),
            parse: |args| nsenter::options::parse(args).map(drop),
            rules: Rules::Getopt {
                bare: |args| bare(nsenter::options::OPTIONS, args),
                usage: &[],
            },
        },
        Subject {
            name: "setns-test",
            words: words(setns_test::OPTIONS),
            parse: |args| setns_test::parse(args).map(drop),
            rules: Rules::Getopt {
                bare: |args| bare(setns_test::OPTIONS, args),
                usage: &["no namespace file specified"],
            },
        },
        Subject {
            name: "nsbind",
            words: words(nsbind::OPTIONS),
            parse: |args| nsbind::parse(args).map(drop),
            rules: Rules::Getopt {
                bare: |args| bare(nsbind::OPTIONS, args),
                usage: NSBIND_RULES,
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
            rules: Rules::AllUsage,
        },
    ]
}

/// The rendered error is `APPLET: message` on one line, plus the hint line
/// exactly for usage errors, and the exit status is 1.
fn check_shape(applet: &str, error: &Error) -> std::result::Result<(), String> {
    if error.code() != 1 {
        return Err(format!("exit status {}, not 1", error.code()));
    }
    let text = error
        .render(applet)
        .ok_or("rejected without a message (Error::Reported)")?;
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
    match (matches!(error, Error::Usage(_)), lines.as_slice()) {
        (true, [_, second]) if *second == hint => Ok(()),
        (true, _) => Err("a usage error that is not one line and the hint".into()),
        (false, [_]) => Ok(()),
        (false, _) => Err("not exactly one line".into()),
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
    let (bare, usage_rules) = match &subject.rules {
        Rules::AllUsage => {
            return match outcome {
                Ok(()) => Ok(()),
                Err(e @ Error::Usage(_)) => check_shape(subject.name, &e),
                Err(e) => Err(format!("not a usage error: {e:?}")),
            };
        }
        Rules::Getopt { bare, usage } => (
            catch_unwind(AssertUnwindSafe(|| bare(args.to_vec())))
                .map_err(|panic| format!("getopt panicked: {}", panic_text(&*panic)))?,
            *usage,
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
    match (&error, bare) {
        // Getopt's own error, passed on as it is.
        (Error::Usage(_), Bare::Fails { error: first, .. }) if message == first.to_string() => {
            Ok(())
        }
        (Error::Usage(_), Bare::Fails { error: first, .. }) => Err(format!(
            "a usage error other than getopt's ({first}) before the options end"
        )),
        (Error::Usage(_), Bare::Clean) if usage_rules.contains(&message.as_str()) => Ok(()),
        (Error::Usage(_), Bare::Clean) => Err(format!(
            "{error:?} is a usage error but no rule about operands or option combinations: \
             a bad value is reported without the hint (or list the rule in src/fuzz)"
        )),
        (_, Bare::Clean) if usage_rules.contains(&message.as_str()) => Err(format!(
            "{error:?} is a rule about the command line: a usage error"
        )),
        (_, Bare::Clean) => Ok(()),
        (_, Bare::Fails { error: first, .. }) if message == first.to_string() => {
            Err(format!("getopt's error as {error:?}: a usage error"))
        }
        // A value refused before getopt's error: the words up to the one
        // getopt refuses must be refused the same way.
        (_, Bare::Fails { at, .. }) => match parse(args[..at].to_vec())? {
            Err(again) if again.to_string() == message => Ok(()),
            other => Err(format!(
                "{error:?} is not a value refused before getopt's error: the first {at} \
                 words give {other:?}"
            )),
        },
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
            usage: &["missing operands"],
        },
    }
}

fn argv(words: &[&str]) -> Vec<OsString> {
    words.iter().map(OsString::from).collect()
}

#[test]
fn the_shape_check_catches_what_it_is_for() {
    let shape = |e: Error| check_shape("nsbind", &e);
    assert_eq!(shape(Error::msg("bad value 'x'")), Ok(()));
    assert_eq!(shape(Error::usage("missing operands")), Ok(()));
    assert_eq!(shape(Error::msg("a\nb\r\u{9b}")), Ok(()), "escaped");
    assert!(shape(Error::msg("")).is_err());
    assert!(shape(Error::msg(" ")).is_err());
    assert!(shape(Error::Reported).is_err());
    let exec = Error::Exec {
        program: "x".into(),
        errno: nix::errno::Errno::ENOENT,
    };
    assert!(shape(exec).is_err());
}

#[test]
fn the_classification_catches_what_it_is_for() {
    let nsbind = subjects().into_iter().find(|s| s.name == "nsbind").unwrap();
    for words in [
        &["--type", "bogus", "/a", "/b"][..],
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
    // A bad value reported with the hint, or a rule without it.
    fails(
        |_| Err(Error::usage("bad value")),
        &["/a"],
        "is a usage error",
    );
    fails(
        |_| Err(Error::msg("missing operands")),
        &[],
        "a usage error",
    );
    // Getopt's error reported as something else, or another usage error
    // given before the options end.
    let bogus = &["-l", "--bogus"][..];
    fails(
        |_| Err(Error::msg("unrecognized option '--bogus'")),
        bogus,
        "getopt's error as",
    );
    // A value error that only the word getopt refuses brings about.
    let late = |args: Vec<OsString>| match args.len() {
        1 => Ok(()),
        _ => Err(Error::msg("bad")),
    };
    fails(late, bogus, "not a value refused before");
    fails(
        |_| Err(Error::usage("missing operands")),
        bogus,
        "other than getopt's",
    );
}

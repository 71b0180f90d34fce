//! getopt_long-compatible option parsing, driven by one table per applet.
//!
//! Each applet describes its options once, as data (`Opt`); parsing, the
//! `--help` text and the consistency tests against the man pages and
//! completions all read that one table. The rules are glibc's with a leading
//! `+` in the option string, as util-linux's unshare and nsenter use:
//! bundled short flags, `--opt=value` or `--opt value` for required
//! arguments, optional arguments only when attached, unambiguous prefixes of
//! long names, and parsing stops at the first operand or at `--`.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use crate::error::{Error, Result};

/// Whether an option takes an argument, and the name shown for it in `--help`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    None,
    /// `-t PID`, `-tPID`, `--target PID`, `--target=PID`.
    Required(&'static str),
    /// Only attached: `-nFILE`, `--net=FILE`.
    Optional(&'static str),
    /// Only attached, and only to the long form: `--net=FILE`, while `-n`
    /// is a plain flag that bundles (`-nFILE` is `-n -F -I -L -E`). This is
    /// util-linux's unshare, whose short options take no argument.
    OptionalLong(&'static str),
}

/// One option of an applet.
#[derive(Clone, Copy, Debug)]
pub struct Opt<T: Copy + 'static> {
    pub id: T,
    pub long: &'static str,
    pub short: Option<char>,
    pub arg: Arg,
    pub help: &'static str,
}

impl<T: Copy + 'static> Opt<T> {
    /// An option with a long name only.
    pub const fn long(id: T, long: &'static str, arg: Arg, help: &'static str) -> Self {
        Opt {
            id,
            long,
            short: None,
            arg,
            help,
        }
    }

    /// An option with a short and a long name.
    pub const fn both(
        id: T,
        long: &'static str,
        short: char,
        arg: Arg,
        help: &'static str,
    ) -> Self {
        Opt {
            id,
            long,
            short: Some(short),
            arg,
            help,
        }
    }
}

/// Walks an argument vector (without argv[0]) as getopt_long does.
pub struct Getopt<T: Copy + 'static> {
    table: &'static [Opt<T>],
    args: Vec<OsString>,
    /// Index of the next argument to look at.
    next: usize,
    /// Inside a bundle of short options: (argument index, byte offset).
    bundle: Option<(usize, usize)>,
    done: bool,
}

impl<T: Copy + 'static> Getopt<T> {
    pub fn new(table: &'static [Opt<T>], args: Vec<OsString>) -> Self {
        Getopt {
            table,
            args,
            next: 0,
            bundle: None,
            done: false,
        }
    }

    /// How many words have been consumed: after an error, the failing word
    /// is the last of them.
    #[cfg(test)]
    pub fn consumed(&self) -> usize {
        self.next
    }

    /// The operands left after the options: the program and its arguments.
    pub fn operands(self) -> Vec<OsString> {
        let mut args = self.args;
        args.drain(..self.next.min(args.len()));
        args
    }

    fn short(&mut self, index: usize, offset: usize) -> Result<(T, Option<OsString>)> {
        let bytes = self.args[index].as_bytes();
        let letter = bytes[offset];
        let rest = &bytes[offset + 1..];
        let opt = self
            .table
            .iter()
            .find(|o| o.short.is_some_and(|c| c as u32 == letter as u32))
            .ok_or_else(|| {
                Error::usage(format!("invalid option -- '{}'", letter_at(bytes, offset)))
            })?;
        let attached = (!rest.is_empty()).then(|| OsStr::from_bytes(rest).to_os_string());
        match opt.arg {
            Arg::None | Arg::OptionalLong(_) => {
                if attached.is_some() {
                    self.bundle = Some((index, offset + 1));
                }
                Ok((opt.id, None))
            }
            Arg::Optional(_) => Ok((opt.id, attached)),
            Arg::Required(_) => match attached {
                Some(value) => Ok((opt.id, Some(value))),
                None => {
                    let value = self.args.get(self.next).cloned().ok_or_else(|| {
                        Error::usage(format!(
                            "option requires an argument -- '{}'",
                            char::from(letter)
                        ))
                    })?;
                    self.next += 1;
                    Ok((opt.id, Some(value)))
                }
            },
        }
    }

    fn long(&mut self, word: &[u8]) -> Result<(T, Option<OsString>)> {
        let (name, value) = match word.iter().position(|&b| b == b'=') {
            Some(eq) => (
                &word[..eq],
                Some(OsStr::from_bytes(&word[eq + 1..]).to_os_string()),
            ),
            None => (word, None),
        };
        let written = String::from_utf8_lossy(word);
        let opt = self.lookup_long(name, &written)?;
        match opt.arg {
            Arg::None if value.is_some() => Err(Error::usage(format!(
                "option '--{}' doesn't allow an argument",
                opt.long
            ))),
            Arg::None | Arg::Optional(_) | Arg::OptionalLong(_) => Ok((opt.id, value)),
            Arg::Required(_) => match value {
                Some(value) => Ok((opt.id, Some(value))),
                None => {
                    let value = self.args.get(self.next).cloned().ok_or_else(|| {
                        Error::usage(format!("option '--{}' requires an argument", opt.long))
                    })?;
                    self.next += 1;
                    Ok((opt.id, Some(value)))
                }
            },
        }
    }

    /// An exact name wins; otherwise a prefix must name exactly one option.
    fn lookup_long(&self, name: &[u8], written: &str) -> Result<&'static Opt<T>> {
        let table = self.table;
        if let Some(exact) = table.iter().find(|o| o.long.as_bytes() == name) {
            return Ok(exact);
        }
        let matches: Vec<&'static Opt<T>> = table
            .iter()
            .filter(|o| !name.is_empty() && o.long.as_bytes().starts_with(name))
            .collect();
        match matches.as_slice() {
            [one] => Ok(one),
            [] => Err(Error::usage(format!("unrecognized option '--{written}'"))),
            many => {
                let list: Vec<String> = many.iter().map(|o| format!("'--{}'", o.long)).collect();
                Err(Error::usage(format!(
                    "option '--{written}' is ambiguous; possibilities: {}",
                    list.join(" ")
                )))
            }
        }
    }
}

/// The option letter at `offset`, for a message: the whole character when
/// a UTF-8 one starts there (glibc's getopt, working byte by byte, prints
/// its first byte alone), else U+FFFD, as other non-UTF-8 text is shown.
fn letter_at(bytes: &[u8], offset: usize) -> char {
    let rest = &bytes[offset..];
    let valid = match std::str::from_utf8(rest) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default(),
    };
    valid.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER)
}

impl<T: Copy + 'static> Iterator for Getopt<T> {
    type Item = Result<(T, Option<OsString>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some((index, offset)) = self.bundle.take() {
            return Some(self.short(index, offset));
        }
        if self.done {
            return None;
        }
        let word = self.args.get(self.next)?.as_bytes().to_vec();
        match word.as_slice() {
            b"--" => {
                self.next += 1;
                self.done = true;
                None
            }
            [b'-', b'-', long @ ..] => {
                self.next += 1;
                Some(self.long(long))
            }
            // "-" alone is an operand (conventionally standard input).
            [b'-', _, ..] => {
                let index = self.next;
                self.next += 1;
                Some(self.short(index, 1))
            }
            _ => {
                self.done = true;
                None
            }
        }
    }
}

/// Parse a whole number, naming the option in the error as util-linux does.
pub fn number<N: std::str::FromStr>(value: &OsStr, what: &str) -> Result<N> {
    value
        .to_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Error::msg(format!("{what}: '{}'", value.to_string_lossy())))
}

/// util-linux's strtoul_or_err: "failed to parse uid: 'x'", with the errno
/// text when the number is too large.
pub fn id_number(value: &OsStr, what: &str) -> Result<u32> {
    let text = value.to_string_lossy();
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    match text.parse::<u32>() {
        Ok(n) if digits => Ok(n),
        _ if digits => Err(Error::sys(
            format!("failed to parse {what}: '{text}'"),
            nix::errno::Errno::ERANGE,
        )),
        _ => Err(Error::msg(format!("failed to parse {what}: '{text}'"))),
    }
}

/// The text of `--help`: usage lines, a summary, then the table.
pub fn help<T: Copy>(usage: &[&str], summary: &str, table: &[Opt<T>], page: &str) -> String {
    let mut text = String::from("\nUsage:\n");
    for line in usage {
        text.push_str(&format!(" {line}\n"));
    }
    text.push_str(&format!("\n{summary}\n\nOptions:\n"));
    for opt in table {
        let mut left = match opt.short {
            Some(c) => format!(" -{c}, --{}", opt.long),
            None => format!("     --{}", opt.long),
        };
        match opt.arg {
            Arg::None => {}
            Arg::Required(v) => left.push_str(&format!(" {v}")),
            Arg::Optional(v) | Arg::OptionalLong(v) => left.push_str(&format!("[={v}]")),
        }
        let width = (left.len() + 2).max(30);
        text.push_str(&format!("{left:width$}{}\n", opt.help));
    }
    text.push_str(&format!("\nFor more details see {page}.\n"));
    text
}

/// `-V`: util-linux prints "unshare from util-linux 2.38.1"; we name ourselves.
pub fn version(applet: &str) -> String {
    format!("{applet} from nsbox {}\n", env!("CARGO_PKG_VERSION"))
}

/// The operands as C strings for exec; a NUL inside an argument is refused.
pub fn c_strings(args: Vec<OsString>) -> Result<Vec<std::ffi::CString>> {
    args.into_iter()
        .map(|a| {
            std::ffi::CString::new(a.into_vec())
                .map_err(|_| Error::msg("argument contains a NUL byte"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
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
        Opt {
            id: Id::Uts,
            long: "uts",
            short: Some('u'),
            arg: Arg::OptionalLong("<file>"),
            help: "",
        },
        Opt {
            id: Id::Fork,
            long: "fork",
            short: Some('f'),
            arg: Arg::None,
            help: "",
        },
        Opt {
            id: Id::Root,
            long: "map-root-user",
            short: Some('r'),
            arg: Arg::None,
            help: "",
        },
        Opt {
            id: Id::Mount,
            long: "mount",
            short: Some('m'),
            arg: Arg::Optional("<file>"),
            help: "",
        },
        Opt {
            id: Id::MountProc,
            long: "mount-proc",
            short: None,
            arg: Arg::Optional("<dir>"),
            help: "",
        },
        Opt {
            id: Id::Net,
            long: "net",
            short: Some('n'),
            arg: Arg::Optional("<file>"),
            help: "",
        },
        Opt {
            id: Id::Setuid,
            long: "setuid",
            short: Some('S'),
            arg: Arg::Required("<uid>"),
            help: "",
        },
        Opt {
            id: Id::MapUser,
            long: "map-user",
            short: None,
            arg: Arg::Required("<uid>"),
            help: "",
        },
        Opt {
            id: Id::MapUsers,
            long: "map-users",
            short: None,
            arg: Arg::Required("<map>"),
            help: "",
        },
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
        assert!(matches!(parse(&["--x"]), Err(Error::Usage(_))));
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
    fn help_lists_every_option() {
        let text = help(&["x [options]"], "Does x.", TABLE, "x(1)");
        assert!(text.contains(" -S, --setuid <uid>"));
        assert!(text.contains(" -m, --mount[=<file>]"));
        assert!(text.contains("     --map-users <map>"));
    }
}

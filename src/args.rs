//! getopt_long-compatible option parsing, driven by one table per applet.
//!
//! Each applet describes its options once, as data (`Opt`); parsing, the
//! `--help` text and the consistency tests against the man pages and
//! completions all read that one table. The rules are glibc's with a leading
//! `+` in the option string, as util-linux's unshare and nsenter use:
//! bundled short flags, `--opt=value` or `--opt value` for required
//! arguments, optional arguments only when attached, unambiguous prefixes of
//! long names, and parsing stops at the first operand or at `--`. Options of
//! nsbox's own in a table that is otherwise util-linux's (`Opt::own`) are
//! found by an abbreviation only when it names none of util-linux's, so that
//! adding them changes no command line util-linux accepts.

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
    /// The first of a group of related options: `--help` sets a blank line
    /// before it, as util-linux's usage texts do.
    pub starts_group: bool,
    /// nsbox's own, in a table that is otherwise another tool's: see
    /// `Opt::own`.
    pub own: bool,
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
            starts_group: false,
            own: false,
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
            starts_group: false,
            own: false,
        }
    }

    /// The same option, first of a new group in `--help`.
    pub const fn starts_group(self) -> Self {
        Opt {
            starts_group: true,
            ..self
        }
    }

    /// The same option, nsbox's own in a table that is otherwise another
    /// tool's: an abbreviation means it only when it means none of that
    /// tool's options. So `--h` stays util-linux's `--help` beside
    /// `--hostname`, and `--keep` its `--keep-caps` beside `--keep-pidfile`:
    /// no abbreviation that util-linux takes becomes ambiguous.
    pub const fn own(self) -> Self {
        Opt { own: true, ..self }
    }
}

impl Opt<()> {
    /// How `--help` names the option: ` -t, --target <pid>`,
    /// `     --mount-proc[=<dir>]`.
    fn spec(&self) -> String {
        let mut spec = String::new();
        match self.short {
            Some(c) => {
                spec.push_str(" -");
                spec.push(c);
                spec.push_str(", --");
            }
            None => spec.push_str("     --"),
        }
        spec.push_str(self.long);
        match self.arg {
            Arg::None => {}
            Arg::Required(v) => push(&mut spec, &[" ", v]),
            Arg::Optional(v) | Arg::OptionalLong(v) => push(&mut spec, &["[=", v, "]"]),
        }
        spec
    }
}

/// An applet's table seen without its ids, which differ in type from
/// applet to applet: parsing and `--help` read options through this, so
/// that their code exists once, not once per applet.
trait Table {
    /// The option at `index`, None past the end.
    fn get(&self, index: usize) -> Option<Opt<()>>;
}

impl<T: Copy + 'static> Table for &[Opt<T>] {
    fn get(&self, index: usize) -> Option<Opt<()>> {
        let o = <[Opt<T>]>::get(self, index)?;
        Some(Opt {
            id: (),
            long: o.long,
            short: o.short,
            arg: o.arg,
            help: o.help,
            starts_group: o.starts_group,
            own: o.own,
        })
    }
}

/// Every option of `table` with its index.
fn options(table: &dyn Table) -> impl Iterator<Item = (usize, Opt<()>)> + '_ {
    (0..).map_while(move |index| table.get(index).map(|o| (index, o)))
}

/// Walks an argument vector (without argv[0]) as getopt_long does.
pub struct Getopt<T: Copy + 'static> {
    table: &'static [Opt<T>],
    words: Words,
}

impl<T: Copy + 'static> Getopt<T> {
    pub fn new(table: &'static [Opt<T>], args: Vec<OsString>) -> Self {
        Getopt {
            table,
            words: Words {
                args,
                next: 0,
                bundle: None,
                done: false,
            },
        }
    }

    /// How many words have been consumed: after an error, the failing word
    /// is the last of them.
    #[cfg(test)]
    pub fn consumed(&self) -> usize {
        self.words.next
    }

    /// The operands left after the options: the program and its arguments.
    pub fn operands(self) -> Vec<OsString> {
        let mut args = self.words.args;
        args.drain(..self.words.next.min(args.len()));
        args
    }
}

impl<T: Copy + 'static> Iterator for Getopt<T> {
    type Item = Result<(T, Option<OsString>)>;

    fn next(&mut self) -> Option<Self::Item> {
        let table = self.table;
        let found = self.words.next_option(&table)?;
        Some(found.map(|(index, value)| (table[index].id, value)))
    }
}

/// An option found: its index in the table, and its value.
type Found = Result<(usize, Option<OsString>)>;

/// Where getopt is in the argument vector.
struct Words {
    args: Vec<OsString>,
    /// Index of the next argument to look at.
    next: usize,
    /// Inside a bundle of short options: (argument index, byte offset).
    bundle: Option<(usize, usize)>,
    done: bool,
}

impl Words {
    fn next_option(&mut self, table: &dyn Table) -> Option<Found> {
        if let Some((index, offset)) = self.bundle.take() {
            return Some(self.short(table, index, offset));
        }
        if self.done {
            return None;
        }
        let index = self.next;
        match self.args.get(index)?.as_bytes() {
            b"--" => {
                self.next += 1;
                self.done = true;
                None
            }
            [b'-', b'-', ..] => {
                self.next += 1;
                Some(self.long(table, index))
            }
            // "-" alone is an operand (conventionally standard input).
            [b'-', _, ..] => {
                self.next += 1;
                Some(self.short(table, index, 1))
            }
            _ => {
                self.done = true;
                None
            }
        }
    }

    /// The next word, as the value of an option that requires one.
    fn value(&mut self) -> Option<OsString> {
        let value = self.args.get(self.next).cloned()?;
        self.next += 1;
        Some(value)
    }

    fn short(&mut self, table: &dyn Table, index: usize, offset: usize) -> Found {
        let bytes = self.args[index].as_bytes();
        let letter = bytes[offset];
        let rest = &bytes[offset + 1..];
        let Some((found, opt)) =
            options(table).find(|(_, o)| o.short.is_some_and(|c| c as u32 == letter as u32))
        else {
            let letter = letter_at(bytes, offset);
            return Err(Error::usage(format!("invalid option -- '{letter}'")));
        };
        let attached = (!rest.is_empty()).then(|| OsStr::from_bytes(rest).to_os_string());
        let value = match opt.arg {
            Arg::None | Arg::OptionalLong(_) => {
                if attached.is_some() {
                    self.bundle = Some((index, offset + 1));
                }
                None
            }
            Arg::Optional(_) => attached,
            Arg::Required(_) => match attached {
                Some(value) => Some(value),
                None => Some(self.value().ok_or_else(|| {
                    let letter = char::from(letter);
                    Error::usage(format!("option requires an argument -- '{letter}'"))
                })?),
            },
        };
        Ok((found, value))
    }

    /// The word at `index`, which starts with `--`.
    fn long(&mut self, table: &dyn Table, index: usize) -> Found {
        let word = &self.args[index].as_bytes()[2..];
        let (name, value) = match word.iter().position(|&b| b == b'=') {
            Some(eq) => (
                &word[..eq],
                Some(OsStr::from_bytes(&word[eq + 1..]).to_os_string()),
            ),
            None => (word, None),
        };
        let (found, opt) = lookup_long(table, name, word)?;
        let value = match opt.arg {
            Arg::None if value.is_some() => {
                let long = opt.long;
                return Err(Error::usage(format!(
                    "option '--{long}' doesn't allow an argument"
                )));
            }
            Arg::Required(_) if value.is_none() => Some(self.value().ok_or_else(|| {
                let long = opt.long;
                Error::usage(format!("option '--{long}' requires an argument"))
            })?),
            _ => value,
        };
        Ok((found, value))
    }
}

/// An exact name wins; otherwise a prefix must name exactly one option,
/// util-linux's first, then ours. `word` is what was written, for messages.
fn lookup_long(table: &dyn Table, name: &[u8], word: &[u8]) -> Result<(usize, Opt<()>)> {
    if let Some(exact) = options(table).find(|(_, o)| o.long.as_bytes() == name) {
        return Ok(exact);
    }
    let written = String::from_utf8_lossy(word);
    for own in [false, true] {
        let abbreviates = |(_, o): &(usize, Opt<()>)| {
            o.own == own && !name.is_empty() && o.long.as_bytes().starts_with(name)
        };
        let mut matches = options(table).filter(abbreviates);
        match (matches.next(), matches.next()) {
            (None, _) => continue,
            (Some(one), None) => return Ok(one),
            _ => {}
        }
        let mut message = format!("option '--{written}' is ambiguous; possibilities:");
        for (_, o) in options(table).filter(abbreviates) {
            message.push_str(" '--");
            message.push_str(o.long);
            message.push('\'');
        }
        return Err(Error::usage(message));
    }
    Err(Error::usage(format!("unrecognized option '--{written}'")))
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

/// Parse a whole number, naming the option in the error as util-linux does.
pub fn number<N: std::str::FromStr>(value: &OsStr, what: &str) -> Result<N> {
    value
        .to_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Error::usage(format!("{what}: '{}'", value.to_string_lossy())))
}

/// util-linux's strtoul_or_err: "failed to parse uid: 'x'", with the errno
/// text when the number is too large.
pub fn id_number(value: &OsStr, what: &str) -> Result<u32> {
    let text = value.to_string_lossy();
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    match text.parse::<u32>() {
        Ok(n) if digits => Ok(n),
        _ if digits => Err(Error::usage_errno(
            format!("failed to parse {what}: '{text}'"),
            nix::errno::Errno::ERANGE,
        )),
        _ => Err(Error::usage(format!("failed to parse {what}: '{text}'"))),
    }
}

/// No line of `--help` is wider, as util-linux's usage texts keep to.
pub const HELP_WIDTH: usize = 80;
/// An option wider than this has its description on the next line.
const WIDEST_SPEC: usize = 30;

/// The text of `--help`: usage lines, a summary, then the table, its groups
/// apart. Descriptions start two columns after the widest option name that
/// fits `WIDEST_SPEC`, and wrap at word boundaries to `HELP_WIDTH`, their
/// further lines at the same column; a wider option name has a line of its
/// own, and its description starts on the next line, as util-linux does.
pub fn help<T: Copy>(usage: &[&str], summary: &str, table: &[Opt<T>], page: &str) -> String {
    help_text(usage, summary, &table, page)
}

fn help_text(usage: &[&str], summary: &str, table: &dyn Table, page: &str) -> String {
    let mut text = String::from("\nUsage:\n");
    for line in usage {
        push(&mut text, &[" ", line, "\n"]);
    }
    push(&mut text, &["\n", summary, "\n\nOptions:\n"]);
    let specs: Vec<String> = options(table).map(|(_, o)| o.spec()).collect();
    let column = specs
        .iter()
        .map(|s| s.chars().count())
        .filter(|&w| w <= WIDEST_SPEC)
        .max()
        .unwrap_or(0)
        + 2;
    let indent = " ".repeat(column);
    for ((_, opt), spec) in options(table).zip(&specs) {
        if opt.starts_group {
            text.push('\n');
        }
        let width = spec.chars().count();
        if width + 2 > column {
            push(&mut text, &[spec, "\n", &indent]);
        } else {
            push(&mut text, &[spec, &indent[width..]]);
        }
        for (n, line) in wrap(opt.help, HELP_WIDTH - column).iter().enumerate() {
            if n > 0 {
                text.push_str(&indent);
            }
            push(&mut text, &[line, "\n"]);
        }
    }
    push(&mut text, &["\nFor more details see ", page, ".\n"]);
    text
}

/// Append the pieces to `text`, in order.
fn push(text: &mut String, pieces: &[&str]) {
    for piece in pieces {
        text.push_str(piece);
    }
}

/// The words of `text` in lines of at most `width` characters. A remark in
/// parentheses stays on one line where it fits one, so that `(implies
/// --user)` is never cut in two; a longer word has a line of its own.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for chunk in chunks(text, width) {
        let wanted = line.chars().count() + 1 + chunk.chars().count();
        if !line.is_empty() && wanted > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&chunk);
    }
    lines.push(line);
    lines
}

/// The words of `text`, a parenthesised remark that fits `width` taken as
/// one.
fn chunks(text: &str, width: usize) -> Vec<String> {
    let mut chunks: Vec<String> = Vec::new();
    let mut remark: Option<String> = None;
    for word in text.split_whitespace() {
        let mut current = match remark.take() {
            Some(mut open) => {
                open.push(' ');
                open.push_str(word);
                open
            }
            None if word.starts_with('(') => word.to_owned(),
            None => {
                chunks.push(word.to_owned());
                continue;
            }
        };
        if current.contains(')') {
            chunks.push(current);
        } else if current.chars().count() > width {
            // Too long for a line: word by word after all.
            chunks.extend(current.split(' ').map(str::to_owned));
        } else {
            remark = Some(std::mem::take(&mut current));
        }
    }
    chunks.extend(remark);
    chunks
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
mod tests;

//! Dispatch by name: the applet table, and nsbox's own `--list`, `--install`,
//! `--help` and `--version`.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use crate::applets::{Applet, APPLETS};
use crate::args::{Arg, Getopt, Opt};
use nix::errno::Errno;

use crate::error::{line, Error, Result, EXIT_NOT_FOUND};
use crate::install::{self, SIGNATURE};
use crate::set_applet_name;

/// Run the program named by argv[0], or by argv[1] when that is nsbox itself.
pub fn run(mut args: Vec<OsString>) -> i32 {
    let argv0 = if args.is_empty() {
        OsString::from("nsbox")
    } else {
        args.remove(0)
    };
    let name = applet_name_of(&argv0);
    if !name.starts_with("nsbox") {
        return run_applet(&name, args);
    }
    // The name is set once, to the applet's own when there is one, so that
    // helper processes too speak as `unshare:` under `nsbox unshare`.
    match args.first().map(|a| a.as_bytes()) {
        Some([b'-', ..]) => {
            set_applet_name("nsbox");
            finish("nsbox", own_options(args))
        }
        Some(_) => {
            let name = args.remove(0).to_string_lossy().into_owned();
            run_applet(&name, args)
        }
        None => {
            set_applet_name("nsbox");
            finish("nsbox", print(&usage()))
        }
    }
}

/// The basename, less the leading `-` that login shells get.
fn applet_name_of(argv0: &OsStr) -> String {
    let bytes = argv0.as_bytes();
    let base = bytes.rsplit(|&b| b == b'/').next().unwrap_or(bytes);
    let base = base.strip_prefix(b"-").unwrap_or(base);
    String::from_utf8_lossy(base).into_owned()
}

fn find(name: &str) -> Option<&'static Applet> {
    APPLETS.iter().find(|a| a.name == name)
}

fn run_applet(name: &str, args: Vec<OsString>) -> i32 {
    set_applet_name(name);
    match find(name) {
        Some(applet) => finish(name, (applet.run)(args)),
        None => {
            let _ = std::io::stderr().write_all(line(name, "applet not found").as_bytes());
            EXIT_NOT_FOUND
        }
    }
}

/// Report an error, if any, and give the exit status.
fn finish(applet: &str, result: Result<i32>) -> i32 {
    match result {
        Ok(code) => code,
        Err(err) => {
            err.report(applet);
            err.code()
        }
    }
}

/// Write to stdout, as one call where possible, straight to the file
/// descriptor, so that nothing waits in a buffer. As std's stdout does, a
/// closed stdout (EBADF) takes the text silently.
pub fn print(text: &str) -> Result<i32> {
    let stdout = std::io::stdout();
    let mut rest = text.as_bytes();
    while !rest.is_empty() {
        match nix::unistd::write(&stdout, rest) {
            Ok(0) => return Err(Error::sys("write error", Errno::EIO)),
            Ok(written) => rest = &rest[written..],
            Err(Errno::EINTR) => {}
            Err(Errno::EBADF) => break,
            Err(errno) => return Err(Error::sys("write error", errno)),
        }
    }
    Ok(0)
}

fn usage() -> String {
    let mut text = format!(
        "nsbox {}: {SIGNATURE}.\n\n\
         Usage: nsbox APPLET [ARG...]\n   \
         or: APPLET [ARG...]          (through a link named after the applet)\n   \
         or: nsbox --list\n   \
         or: nsbox --install [-s] DIR\n   \
         or: nsbox --help | --version\n\n\
         Options:\n  \
         --list             print the applet names, one a line\n  \
         --install [-s] DIR link every applet into DIR (-s: symbolic links)\n  \
         -h, --help         display this help\n  \
         -V, --version      display version\n\n\
         Applets:\n",
        env!("CARGO_PKG_VERSION")
    );
    for applet in APPLETS {
        text.push_str(&format!("  {:<12}{}\n", applet.name, applet.summary));
    }
    text
}

/// What nsbox's own options ask for.
#[derive(Debug, PartialEq, Eq)]
pub enum Own {
    Help,
    Version,
    List,
    Install { dir: PathBuf, symbolic: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnId {
    Help,
    Version,
    List,
    Install,
}

/// nsbox's own options: each asks for one thing, alone. `-s` goes with
/// `--install` and is not in the table (it has no long name).
pub static OWN_OPTIONS: &[Opt<OwnId>] = &[
    Opt::long(
        OwnId::List,
        "list",
        Arg::None,
        "print the applet names, one a line",
    ),
    Opt::long(
        OwnId::Install,
        "install",
        Arg::None,
        "link every applet into DIR",
    ),
    Opt::both(OwnId::Help, "help", 'h', Arg::None, "display this help"),
    Opt::both(OwnId::Version, "version", 'V', Arg::None, "display version"),
];

/// nsbox's own command line, read as the applets read theirs (unambiguous
/// prefixes of long names, bundled short ones, getopt's messages), but
/// word by word in any order, as `--install DIR -s` has always been
/// allowed, up to `--`. Exactly one of the options; operands only for
/// `--install`. Parses only: touches nothing, prints nothing.
pub fn parse_own(args: Vec<OsString>) -> Result<Own> {
    let first_word = args.first().cloned().unwrap_or_default();
    // The first option asked for, and the first other one.
    let (mut asked, mut other) = (None, None);
    let mut symbolic = false;
    let mut operands = Vec::new();
    let mut words = args.into_iter();
    while let Some(word) = words.next() {
        if word == "--" {
            operands.extend(words.by_ref());
        } else if word == "-s" {
            symbolic = true;
        } else {
            let mut getopt = Getopt::new(OWN_OPTIONS, vec![word]);
            let mut options = 0;
            for item in getopt.by_ref() {
                let (id, _) = item?;
                match asked {
                    None => asked = Some(id),
                    Some(first) if first != id => other = other.or(Some(id)),
                    Some(_) => {}
                }
                options += 1;
            }
            if options == 0 {
                operands.extend(getopt.operands());
            }
        }
    }
    let option = |id: OwnId| {
        let opt = OWN_OPTIONS
            .iter()
            .find(|o| o.id == id)
            .expect("in the table");
        format!("--{}", opt.long)
    };
    let what = match (asked, other) {
        (Some(one), None) => one,
        (None, _) if symbolic => return Err(Error::usage("-s goes with --install")),
        // Only operands, or `--`: the first word was meant as an option.
        (None, _) => {
            return Err(Error::usage(format!(
                "unrecognized option '{}'",
                first_word.to_string_lossy()
            )))
        }
        (Some(first), Some(second)) => {
            return Err(Error::usage(format!(
                "{} and {} cannot be combined",
                option(first),
                option(second)
            )))
        }
    };
    if symbolic && what != OwnId::Install {
        return Err(Error::usage("-s goes with --install"));
    }
    let mut operands = operands.into_iter();
    let dir = match what {
        OwnId::Install => Some(
            operands
                .next()
                .ok_or_else(|| Error::usage("--install needs a directory"))?,
        ),
        _ => None,
    };
    if let Some(extra) = operands.next() {
        return Err(Error::usage(format!(
            "unexpected argument '{}'",
            extra.to_string_lossy()
        )));
    }
    Ok(match (what, dir) {
        (OwnId::Help, _) => Own::Help,
        (OwnId::Version, _) => Own::Version,
        (OwnId::List, _) => Own::List,
        (OwnId::Install, dir) => Own::Install {
            dir: PathBuf::from(dir.unwrap_or_default()),
            symbolic,
        },
    })
}

fn own_options(args: Vec<OsString>) -> Result<i32> {
    match parse_own(args)? {
        Own::Help => print(&usage()),
        Own::Version => print(&format!("nsbox {}\n", env!("CARGO_PKG_VERSION"))),
        Own::List => {
            let names: String = APPLETS.iter().map(|a| format!("{}\n", a.name)).collect();
            print(&names)
        }
        Own::Install { dir, symbolic } => install::links(&dir, symbolic),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_argv0() {
        assert_eq!(applet_name_of(OsStr::new("/usr/bin/unshare")), "unshare");
        assert_eq!(applet_name_of(OsStr::new("-nsenter")), "nsenter");
        assert_eq!(applet_name_of(OsStr::new("setns-test")), "setns-test");
        assert_eq!(applet_name_of(OsStr::new("./nsbox")), "nsbox");
    }

    #[test]
    fn every_applet_is_listed_in_usage() {
        let text = usage();
        for applet in APPLETS {
            assert!(text.contains(applet.name), "{} missing", applet.name);
            assert!(find(applet.name).is_some());
        }
        assert!(find("nsbox").is_none());
    }
}

//! `nsbind`: keep namespaces alive by bind-mounting them onto files, list
//! the files that do, and release them.
//!
//! ```text
//! nsbind [--type TYPE] NSFILE TARGET
//! nsbind -t PID TYPE TARGET
//! nsbind -t PID --all DIR
//! nsbind --private DIR
//! nsbind --unbind [--keep] TARGET...
//! nsbind --list [--json]
//! ```

mod bind;
mod holders;
mod list;
mod pins;
mod private;
mod unbind;

use std::ffi::OsString;
use std::path::PathBuf;

use crate::args::{help, version, Arg, Getopt, Opt};
use crate::error::{Error, Result};
use crate::multicall::print;
use crate::ns::Kind;
use crate::target::{self, Spec};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Id {
    Target,
    Type,
    All,
    Private,
    Unbind,
    Keep,
    List,
    Json,
    Help,
    Version,
}

/// The options in groups: binding, releasing, listing.
pub static OPTIONS: &[Opt<Id>] = &[
    Opt::both(
        Id::Target,
        "target",
        't',
        Arg::Required("<pid>[:<inode>]"),
        "bind namespaces of this process (TYPE TARGET, or --all DIR)",
    ),
    Opt::long(
        Id::Type,
        "type",
        Arg::Required("<type>"),
        "require NSFILE to be of this kind (mnt, uts, ipc, net, pid, user, cgroup, time)",
    ),
    Opt::both(
        Id::All,
        "all",
        'a',
        Arg::None,
        "bind every namespace of --target into DIR, as DIR/mnt, DIR/uts, ...",
    ),
    Opt::long(
        Id::Private,
        "private",
        Arg::None,
        "make DIR a private mount of its own, so that mount namespaces can be bound in it",
    ),
    Opt::both(
        Id::Unbind,
        "unbind",
        'u',
        Arg::None,
        "release each TARGET: unmount it and remove the file",
    )
    .starts_group(),
    Opt::both(
        Id::Keep,
        "keep",
        'k',
        Arg::None,
        "with --unbind, leave the files in place",
    ),
    Opt::both(
        Id::List,
        "list",
        'l',
        Arg::None,
        "list the namespaces bound here, and what else holds them",
    )
    .starts_group(),
    Opt::both(
        Id::Json,
        "json",
        'J',
        Arg::None,
        "list in JSON (implies --list)",
    ),
    Opt::both(Id::Help, "help", 'h', Arg::None, "display this help").starts_group(),
    Opt::both(Id::Version, "version", 'V', Arg::None, "display version"),
];

const USAGE: &[&str] = &[
    "nsbind [--type <type>] <nsfile> <target>",
    "nsbind -t <pid> <type> <target>",
    "nsbind -t <pid> --all <dir>",
    "nsbind --private <dir>",
    "nsbind --unbind [--keep] <target>...",
    "nsbind --list [--json]",
];

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// A namespace file onto a target.
    File {
        nsfile: PathBuf,
        want: Option<&'static Kind>,
        target: PathBuf,
    },
    /// /proc/PID/ns/ENTRY onto a target.
    Process {
        spec: Spec,
        entry: String,
        target: PathBuf,
    },
    /// Every namespace of PID into DIR.
    All {
        spec: Spec,
        dir: PathBuf,
    },
    /// DIR made a private mount of its own.
    Private {
        dir: PathBuf,
    },
    Unbind {
        targets: Vec<PathBuf>,
        keep: bool,
    },
    List {
        json: bool,
    },
    /// Text for standard output: `--help`, `--version`.
    Show(String),
}

pub fn main(args: Vec<OsString>) -> Result<i32> {
    match parse(args)? {
        Action::File {
            nsfile,
            want,
            target,
        } => bind::file(&nsfile, want, &target).map(|()| 0),
        Action::Process {
            spec,
            entry,
            target,
        } => bind::process(spec, &entry, &target).map(|()| 0),
        Action::All { spec, dir } => bind::all(spec, &dir).map(|()| 0),
        Action::Private { dir } => private::run(&dir).map(|()| 0),
        Action::Unbind { targets, keep } => Ok(unbind::all(&targets, keep)),
        Action::List { json } => list::run(json),
        Action::Show(text) => print(&text),
    }
}

/// The names `-t PID TYPE` takes: the kinds, and the namespaces that the
/// process's future children will get.
fn entry(text: &str) -> Result<String> {
    if let Some(kind) = Kind::by_name(text) {
        return Ok(kind.name.to_owned());
    }
    match text {
        "pid_for_children" | "time_for_children" => Ok(text.to_owned()),
        _ => Err(Error::usage(format!(
            "unknown namespace type '{text}' (expected one of: {}, pid_for_children, \
             time_for_children)",
            Kind::names()
        ))),
    }
}

/// The command line, checked; touches nothing, prints nothing.
pub(crate) fn parse(args: Vec<OsString>) -> Result<Action> {
    let mut spec = None;
    let mut want = None;
    let (mut all, mut unbind, mut keep, mut list, mut json) = (false, false, false, false, false);
    let mut private = false;
    let mut getopt = Getopt::new(OPTIONS, args);
    for item in getopt.by_ref() {
        let (id, value) = item?;
        let required = || value.clone().expect("getopt gives required arguments");
        match id {
            Id::Target => spec = Some(target::parse_spec(&required())?),
            Id::Type => {
                let name = required().to_string_lossy().into_owned();
                want = Some(Kind::by_name(&name).ok_or_else(|| {
                    Error::usage(format!(
                        "unknown namespace type '{name}' (expected one of: {})",
                        Kind::names()
                    ))
                })?);
            }
            Id::All => all = true,
            Id::Private => private = true,
            Id::Unbind => unbind = true,
            Id::Keep => keep = true,
            Id::List => list = true,
            Id::Json => json = true,
            Id::Help => {
                let text = help(
                    USAGE,
                    "Keep namespaces alive by bind-mounting them onto files; list and release them.",
                    OPTIONS,
                    "nsbind(1)",
                );
                return Ok(Action::Show(text));
            }
            Id::Version => return Ok(Action::Show(version("nsbind"))),
        }
    }
    let mut operands: Vec<PathBuf> = getopt.operands().into_iter().map(PathBuf::from).collect();
    let modes = [list || json, unbind, all, private, spec.is_some() && !all]
        .iter()
        .filter(|m| **m)
        .count();
    if modes > 1 {
        return Err(Error::usage(
            "--list, --unbind, --all, --private and --target name different things; give one",
        ));
    }
    if keep && !unbind {
        return Err(Error::usage("--keep goes with --unbind"));
    }
    if want.is_some() && (spec.is_some() || unbind || list || json || private) {
        return Err(Error::usage("--type goes only with NSFILE TARGET"));
    }
    let count = |n: usize, what: &str| {
        if operands.len() == n {
            Ok(())
        } else {
            Err(Error::usage(format!("expected {what}")))
        }
    };
    if list || json {
        count(0, "no operands with --list")?;
        return Ok(Action::List { json });
    }
    if unbind {
        if operands.is_empty() {
            return Err(Error::usage("--unbind needs at least one TARGET"));
        }
        return Ok(Action::Unbind {
            targets: operands,
            keep,
        });
    }
    if private {
        count(1, "one DIR after --private")?;
        return Ok(Action::Private {
            dir: operands.remove(0),
        });
    }
    if all {
        let spec = spec.ok_or_else(|| Error::usage("--all needs --target"))?;
        count(1, "one DIR after --all")?;
        return Ok(Action::All {
            spec,
            dir: operands.remove(0),
        });
    }
    if operands.is_empty() {
        return Err(Error::usage("missing operands"));
    }
    count(2, "TYPE TARGET after --target, or NSFILE TARGET")?;
    let target = operands.pop().expect("two operands");
    let first = operands.pop().expect("two operands");
    match spec {
        Some(spec) => Ok(Action::Process {
            spec,
            entry: entry(&first.to_string_lossy())?,
            target,
        }),
        None => Ok(Action::File {
            nsfile: first,
            want,
            target,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(words: &[&str]) -> Result<Action> {
        parse(words.iter().map(OsString::from).collect())
    }

    fn err(words: &[&str]) -> String {
        action(words).unwrap_err().to_string()
    }

    #[test]
    fn the_six_forms() {
        assert_eq!(
            action(&["--type", "net", "/proc/1/ns/net", "/run/x"]).unwrap(),
            Action::File {
                nsfile: PathBuf::from("/proc/1/ns/net"),
                want: Kind::by_name("net"),
                target: PathBuf::from("/run/x")
            }
        );
        assert_eq!(
            action(&["-t", "5", "pid_for_children", "/x"]).unwrap(),
            Action::Process {
                spec: Spec {
                    pid: 5,
                    inode: None
                },
                entry: "pid_for_children".into(),
                target: PathBuf::from("/x")
            }
        );
        assert_eq!(
            action(&["-t", "5", "mount", "/x"]).unwrap(),
            Action::Process {
                spec: Spec {
                    pid: 5,
                    inode: None
                },
                entry: "mnt".into(),
                target: PathBuf::from("/x")
            }
        );
        assert_eq!(
            action(&["-t", "5", "--all", "/d"]).unwrap(),
            Action::All {
                spec: Spec {
                    pid: 5,
                    inode: None
                },
                dir: PathBuf::from("/d")
            }
        );
        assert_eq!(
            action(&["--unbind", "--keep", "/a", "/b"]).unwrap(),
            Action::Unbind {
                targets: vec![PathBuf::from("/a"), PathBuf::from("/b")],
                keep: true
            }
        );
        assert_eq!(
            action(&["--private", "/run/ns"]).unwrap(),
            Action::Private {
                dir: PathBuf::from("/run/ns")
            }
        );
        assert_eq!(action(&["--json"]).unwrap(), Action::List { json: true });
        assert_eq!(action(&["-l"]).unwrap(), Action::List { json: false });
    }

    #[test]
    fn misuse() {
        assert_eq!(
            err(&["/a"]),
            "expected TYPE TARGET after --target, or NSFILE TARGET"
        );
        assert_eq!(err(&[]), "missing operands");
        assert_eq!(err(&["--all", "/d"]), "--all needs --target");
        assert_eq!(err(&["--keep", "/a", "/b"]), "--keep goes with --unbind");
        assert_eq!(err(&["--unbind"]), "--unbind needs at least one TARGET");
        assert_eq!(err(&["--list", "/x"]), "expected no operands with --list");
        assert_eq!(
            err(&["-t", "1", "--type", "uts", "uts", "/x"]),
            "--type goes only with NSFILE TARGET"
        );
        assert!(err(&["--list", "--unbind", "/x"]).contains("give one"));
        assert!(err(&["--private", "--unbind", "/x"]).contains("give one"));
        assert!(err(&["--private", "-t", "1", "/x"]).contains("give one"));
        assert_eq!(err(&["--private"]), "expected one DIR after --private");
        assert_eq!(
            err(&["--private", "/a", "/b"]),
            "expected one DIR after --private"
        );
        assert_eq!(
            err(&["--type", "mnt", "--private", "/a"]),
            "--type goes only with NSFILE TARGET"
        );
        assert!(err(&["-t", "1", "bogus", "/x"]).starts_with("unknown namespace type 'bogus'"));
        assert!(err(&["--type", "bogus", "/a", "/b"]).starts_with("unknown namespace type 'bogus'"));
        assert!(
            matches!(action(&["/a"]), Err(e) if matches!(e.kind(), crate::error::Kind::Usage(_)))
        );
    }
}

//! `setns-test [--type TYPE] NSFILE [COMMAND [ARG...]]`: join the namespace
//! behind one file and run a command there, the classic `setns-test ~/uts bash`.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::args::{help, version, Arg, Getopt, Opt};
use crate::error::{Context, Error, Result};
use crate::exec::{fork_and_wait, ParentSignals, Program};
use crate::multicall::print;
use crate::ns::{Kind, NsFile};
use crate::sys;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Id {
    Type,
    Help,
    Version,
}

pub static OPTIONS: &[Opt<Id>] = &[
    Opt::long(
        Id::Type,
        "type",
        Arg::Required("<type>"),
        "require NSFILE to be of this kind (mnt, uts, ipc, net, pid, user, cgroup, time)",
    ),
    Opt::both(Id::Help, "help", 'h', Arg::None, "display this help").starts_group(),
    Opt::both(Id::Version, "version", 'V', Arg::None, "display version"),
];

const SYNOPSIS: &str = "setns-test [options] <nsfile> [<program> [<argument>...]]";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// Text for standard output: `--help`, `--version`.
    Show(String),
    Join {
        nsfile: PathBuf,
        /// `--type`: the kind NSFILE must be.
        want: Option<&'static Kind>,
        /// The program and its arguments; empty for the shell.
        program: Vec<OsString>,
    },
}

/// The command line, checked; touches nothing, prints nothing.
pub fn parse(args: Vec<OsString>) -> Result<Command> {
    let mut want: Option<&'static Kind> = None;
    let mut getopt = Getopt::new(OPTIONS, args);
    for item in getopt.by_ref() {
        match item? {
            (Id::Type, Some(value)) => {
                let name = value.to_string_lossy();
                want = Some(Kind::by_name(&name).ok_or_else(|| {
                    Error::usage(format!(
                        "unknown namespace type '{name}' (expected one of: {})",
                        Kind::names()
                    ))
                })?);
            }
            (Id::Help, _) => {
                return Ok(Command::Show(help(
                    &[SYNOPSIS],
                    "Join the namespace behind NSFILE, then run a program (by default $SHELL).\n\
                     A PID namespace is entered by a child, which runs the program.",
                    OPTIONS,
                    "setns-test(1)",
                )))
            }
            (Id::Version, _) => return Ok(Command::Show(version("setns-test"))),
            (Id::Type, None) => unreachable!("--type requires an argument"),
        }
    }
    let mut operands = getopt.operands();
    if operands.is_empty() {
        return Err(Error::usage("no namespace file specified"));
    }
    Ok(Command::Join {
        nsfile: PathBuf::from(operands.remove(0)),
        want,
        program: operands,
    })
}

pub fn main(args: Vec<OsString>) -> Result<i32> {
    let (path, want, program) = match parse(args)? {
        Command::Show(text) => return print(&text),
        Command::Join {
            nsfile,
            want,
            program,
        } => (nsfile, want, program),
    };
    let file = NsFile::open(&path)?;
    if let Some(want) = want {
        if file.kind != want {
            return Err(Error::msg(format!(
                "{} is a {} namespace, not {}",
                path.display(),
                file.kind.name,
                want.name
            )));
        }
    }
    // With --type, the kernel checks the kind once more, atomically.
    sys::setns(&file.fd, want.map_or(0, |k| k.flag))
        .context(|| format!("reassociate to namespace '{}' failed", path.display()))?;
    let joined = file.kind;
    drop(file);

    // setns into a PID namespace only moves our future children there.
    if joined.flag == libc::CLONE_NEWPID {
        if let Some(status) = fork_and_wait(ParentSignals::Forward)? {
            return Ok(status);
        }
    }
    // Chosen only now, as unshare and nsenter do: a login shell from the
    // /etc/passwd of a mount namespace joined.
    match Program::new(program) {
        Ok(program) => Err(program.exec()),
        Err(err) => Err(err),
    }
}

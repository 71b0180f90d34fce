//! `nsbind`: placeholder until its issue lands; it answers --help and --version.

use std::ffi::OsString;

use crate::args::{help, version, Arg, Getopt, Opt};
use crate::error::{Error, Result};
use crate::multicall::print;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Id {
    Help,
    Version,
}

pub static OPTIONS: &[Opt<Id>] = &[
    Opt {
        id: Id::Help,
        long: "help",
        short: Some('h'),
        arg: Arg::None,
        help: "display this help",
    },
    Opt {
        id: Id::Version,
        long: "version",
        short: Some('V'),
        arg: Arg::None,
        help: "display version",
    },
];

pub fn main(args: Vec<OsString>) -> Result<i32> {
    if let Some(item) = Getopt::new(OPTIONS, args).next() {
        match item? {
            (Id::Help, _) => {
                return print(&help(
                    &["nsbind [options]"],
                    "Not implemented yet.",
                    OPTIONS,
                    "nsbind(1)",
                ))
            }
            (Id::Version, _) => return print(&version("nsbind")),
        }
    }
    Err(Error::msg("not implemented yet"))
}

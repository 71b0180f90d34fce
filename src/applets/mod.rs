//! The applets: each parses its own command line and calls the shared core.

use std::ffi::OsString;

use crate::error::Result;

// Visible to the crate for the parser fuzzer (src/fuzz), which calls each
// applet's command-line parser directly.
pub(crate) mod nsbind;
pub(crate) mod nsenter;
pub(crate) mod setns_test;
pub(crate) mod unshare;

/// One tool of the multi-call binary.
pub struct Applet {
    pub name: &'static str,
    pub summary: &'static str,
    /// Runs with the arguments after argv[0]; gives the exit status.
    pub run: fn(Vec<OsString>) -> Result<i32>,
}

/// Every applet, by name; `nsbox --list` prints them in this order.
pub static APPLETS: &[Applet] = &[
    Applet {
        name: "nsbind",
        summary: "persist namespaces by bind mount, list and release them",
        run: nsbind::main,
    },
    Applet {
        name: "nsenter",
        summary: "run a program in the namespaces of another process",
        run: nsenter::main,
    },
    Applet {
        name: "setns-test",
        summary: "join one namespace file and run a program",
        run: setns_test::main,
    },
    Applet {
        name: "unshare",
        summary: "run a program in new namespaces",
        run: unshare::main,
    },
];

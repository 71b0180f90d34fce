//! The zsh completions in completions/zsh, run by a real zsh: an interactive
//! line editor on a pseudo-terminal completes a command line, and
//! tests/zsh-complete.zsh reports every candidate it was offered, with its
//! tag. (tests/docs.rs checks that the files mention every option; this
//! checks what they offer.)
//!
//! - At the program word (after unshare's or nsenter's options, after
//!   setns-test's NSFILE, after `--`, through `nsbox APPLET`), only commands:
//!   no shell functions, builtins, aliases or parameter assignments
//!   (`HISTSIZE=`), which zsh's `-command-` context would add.
//! - After the program, its own arguments complete as they would alone.
//! - `-t` offers every process, not only those of the terminal, as plain
//!   `ps` (and so `_pids`) would.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::*;

/// An executable that only the test's PATH holds: a command must be offered.
const TOOL: &str = "nsbox-test-tool";

/// What zsh offered for a line: (tag, word) pairs.
struct Offered {
    line: String,
    candidates: Vec<(String, String)>,
}

impl Offered {
    fn tags(&self) -> BTreeSet<&str> {
        self.candidates.iter().map(|(t, _)| t.as_str()).collect()
    }

    fn words(&self, tag: &str) -> BTreeSet<&str> {
        self.candidates
            .iter()
            .filter(|(t, _)| t == tag)
            .map(|(_, w)| w.as_str())
            .collect()
    }

    fn fail(&self, why: &str) -> ! {
        let mut shown: Vec<String> = self
            .candidates
            .iter()
            .take(40)
            .map(|(t, w)| format!("  {t}\t{w}"))
            .collect();
        if self.candidates.len() > 40 {
            shown.push(format!("  ... {} in all", self.candidates.len()));
        }
        panic!("{:?}: {why}\noffered:\n{}", self.line, shown.join("\n"));
    }

    /// Only commands, among them the test's own.
    fn only_commands(&self) {
        if self.tags() != BTreeSet::from(["commands"]) {
            self.fail(&format!("offered {:?}, not commands only", self.tags()));
        }
        if !self.words("commands").contains(TOOL) {
            self.fail(&format!("{TOOL} is not offered"));
        }
    }
}

/// Complete `line` with the project's completions first in fpath, in an
/// environment of the test's own: HOME (so no ~/.zshrc, no dump file) and
/// PATH's first directory, which holds `TOOL`.
fn complete(line: &str) -> Offered {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let home = TempDir::new();
    std::fs::create_dir(home.join("bin")).unwrap();
    home.write(&format!("bin/{TOOL}"), "#!/bin/sh\n", 0o755);
    let out = cmd("zsh")
        .arg("-f")
        .arg(root.join("tests/zsh-complete.zsh"))
        .arg(root.join("completions/zsh"))
        .arg(line)
        .env("HOME", home.path())
        .env("ZDOTDIR", home.path())
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", home.join("bin").display()),
        )
        .env("TERM", "dumb")
        .run();
    out.success().stderr_is("");
    let candidates = out
        .stdout()
        .lines()
        .map(|l| match l.split_once('\t') {
            Some((tag, word)) => (tag.to_owned(), word.to_owned()),
            None => out.fail(&format!("not TAG<tab>WORD: {l:?}")),
        })
        .collect();
    Offered {
        line: line.to_owned(),
        candidates,
    }
}

#[test]
fn the_program_word_offers_commands_only() {
    for line in [
        "unshare ",
        "unshare -r ",
        "unshare --fork -- ",
        "unshare -- ",
        "nsenter -t 1 ",
        "nsenter -t 1 -- ",
        "nsenter -a --target=1 ",
        "setns-test /proc/1/ns/uts ",
        "setns-test --type uts /proc/1/ns/uts ",
        "nsbox unshare -r ",
        "nsbox nsenter -t 1 ",
        "nsbox setns-test /proc/1/ns/uts ",
    ] {
        complete(line).only_commands();
    }
}

/// A program word begun is completed to the command only, not to the
/// shell function and the alias of the same prefix that the harness defines.
#[test]
fn a_started_program_word_completes_to_the_command_alone() {
    for line in [
        "unshare -r nsbox-test-",
        "nsenter -t 1 nsbox-test-",
        "setns-test /proc/1/ns/uts nsbox-test-",
    ] {
        let offered = complete(line);
        offered.only_commands();
        if offered.words("commands") != BTreeSet::from([TOOL]) {
            offered.fail(&format!("not {TOOL} alone"));
        }
    }
}

/// After the program, its arguments are completed for it (files, here).
#[test]
fn the_programs_arguments_complete_as_its_own() {
    for line in [
        "unshare ls /pro",
        "unshare -r -- ls /pro",
        "nsenter -a ls /pro",
        "setns-test /proc/1/ns/uts ls /pro",
        "nsbox unshare ls /pro",
    ] {
        let offered = complete(line);
        if !offered.candidates.iter().any(|(_, w)| w == "proc") {
            offered.fail("/proc is not offered");
        }
        if offered.tags().contains("commands") {
            offered.fail("commands offered for an argument");
        }
    }
}

/// A process the terminal knows nothing of (no controlling terminal, started
/// by the test) is offered, and so is init.
#[test]
fn target_offers_every_process() {
    let sleeper = cmd("sleep").arg("600").spawn();
    let pid = sleeper.pid().to_string();
    for line in [
        "nsenter -t ",
        "nsenter --target ",
        "nsenter -a -t ",
        "nsbind -t ",
        "nsbind --target=",
    ] {
        let offered = complete(line);
        if offered.tags() != BTreeSet::from(["processes"]) {
            offered.fail(&format!("offered {:?}, not processes", offered.tags()));
        }
        let pids = offered.words("processes");
        for wanted in [pid.as_str(), "1"] {
            if !pids.contains(wanted) {
                offered.fail(&format!("process {wanted} is not offered"));
            }
        }
    }
    drop(sleeper);
}

//! Every example in README.md runs as written. The ```sh blocks are run by
//! bash (tests/readme-example.bash), line by line as a user would type them,
//! and must succeed; a line whose comment ends in `prints TEXT` must print
//! exactly TEXT. A transcript (a plain block of `$ COMMAND` lines, each
//! followed by what it prints) must print what it shows, stderr included.
//!
//! A block that cannot run here says so in the README source, on the line
//! before it: `<!-- not run by tests/readme.rs: REASON -->` (building with
//! cargo, installing into the real system, running this very suite).
//!
//! Each example runs as root in a `Scene` of its own: private mount, UTS,
//! IPC, network and PID namespaces made by util-linux, with a tmpfs on /run
//! and a scratch HOME, so nothing it does reaches the host. `sudo` is a
//! wrapper that runs its arguments, and the applet names lead through PATH
//! to a copy of the binary under test, on the file system of HOME, so that
//! `nsbox --install ~/bin` can make hard links to it.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

/// The marker that introduces a skipped block.
const SKIP: &str = "<!-- not run by tests/readme.rs:";

/// One example: its lines, each with its line number in README.md.
#[derive(Debug)]
struct Example {
    lines: Vec<(usize, String)>,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// A ```sh block: every line must succeed; some say what they print.
    Shell,
    /// `$ COMMAND` lines, each with what it prints.
    Transcript(Vec<String>),
    /// Not run, for this reason.
    Skipped(String),
}

impl Example {
    fn first_line(&self) -> usize {
        self.lines.first().map_or(0, |(n, _)| *n)
    }
}

fn readme() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The README's fenced blocks that are examples.
fn examples(text: &str) -> Vec<Example> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        let Some(info) = lines[at].strip_prefix("```") else {
            at += 1;
            continue;
        };
        let start = at;
        let end = (start + 1..lines.len())
            .find(|&i| lines[i].trim_end() == "```")
            .unwrap_or_else(|| panic!("README.md:{}: the block never ends", start + 1));
        at = end + 1;
        let body: Vec<(usize, String)> = (start + 1..end)
            .map(|i| (i + 1, lines[i].to_owned()))
            .collect();
        let before = lines[..start].iter().rev().find(|l| !l.trim().is_empty());
        let skipped = before.and_then(|l| l.strip_prefix(SKIP));
        let kind = match (info.trim(), skipped) {
            ("sh" | "bash" | "shell", Some(reason)) => {
                let reason = reason.trim().trim_end_matches("-->").trim();
                assert!(
                    !reason.is_empty(),
                    "README.md:{}: say why the block is not run",
                    start + 1
                );
                Kind::Skipped(reason.to_owned())
            }
            ("sh" | "bash" | "shell", None) => Kind::Shell,
            ("" | "console", None) if body.first().is_some_and(|(_, l)| l.starts_with("$ ")) => {
                let (commands, outputs) = transcript(&body);
                found.push(Example {
                    lines: commands,
                    kind: Kind::Transcript(outputs),
                });
                continue;
            }
            _ => continue,
        };
        let body = body.into_iter().filter(|(_, l)| !l.trim().is_empty());
        found.push(Example {
            lines: body.collect(),
            kind,
        });
    }
    found
}

/// A transcript's commands (without `$ `) and what each prints.
fn transcript(body: &[(usize, String)]) -> (Vec<(usize, String)>, Vec<String>) {
    let mut commands = Vec::new();
    let mut outputs: Vec<String> = Vec::new();
    for (n, line) in body {
        if let Some(command) = line.strip_prefix("$ ") {
            commands.push((*n, command.to_owned()));
            outputs.push(String::new());
        } else {
            let output = outputs.last_mut().unwrap();
            output.push_str(line);
            output.push('\n');
        }
    }
    (commands, outputs)
}

/// The comment of a shell line: from a `#` that starts a word, outside
/// quotes.
fn comment(line: &str) -> Option<&str> {
    let (mut single, mut double, mut prev) = (false, false, ' ');
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && prev.is_whitespace() => return Some(&line[i + 1..]),
            _ => {}
        }
        prev = c;
    }
    None
}

/// What a line says it prints: the end of its comment, after `prints `.
fn promised(line: &str) -> Option<String> {
    let text = comment(line)?;
    let at = text.rfind("prints ")?;
    Some(text[at + "prints ".len()..].trim().to_owned())
}

/// A scene for the examples: `$D/bin` (a copy of nsbox, the applet links,
/// `sudo`) and `$D/home`.
fn scene() -> Scene {
    let s = Scene::new();
    let bin = s.dir().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::copy(NSBOX, bin.join("nsbox")).unwrap();
    for applet in APPLETS {
        std::os::unix::fs::symlink("nsbox", bin.join(applet)).unwrap();
    }
    s.env.tmp().write(
        "bin/sudo",
        "#!/bin/sh\n# Root already.\nexec \"$@\"\n",
        0o755,
    );
    std::fs::create_dir(s.dir().join("home")).unwrap();
    s
}

/// How `lines` ran: the status, and what each line printed on stdout (or
/// on both, for a transcript), by README line.
struct Run {
    out: Output,
    printed: BTreeMap<usize, String>,
}

/// Run `lines` (README line, text) in bash in `s`, as a `mode` of
/// tests/readme-example.bash.
fn run(s: &Scene, lines: &[(usize, String)], mode: &str) -> Run {
    let file = s.dir().join("example.sh");
    let text: String = lines.iter().map(|(_, l)| format!("{l}\n")).collect();
    std::fs::write(&file, text).unwrap();
    let runner = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/readme-example.bash");
    let script = r#"
        mount -t tmpfs -o mode=0755 readme /run || exit 1
        unset N E S U UL W NB
        export HOME="$D/home"
        export PATH="$D/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        cd "$HOME" || exit 1
        exec bash "$@"
    "#;
    let options = [
        "--propagation",
        "private",
        "--uts",
        "--ipc",
        "--net",
        "--pid",
        "--fork",
        "--kill-child",
        "--mount-proc",
    ];
    let out = s
        .wrapper(&options, script)
        .arg(runner)
        .arg(&file)
        .arg(mode)
        .run();
    let mut printed = BTreeMap::new();
    for part in out.stdout().split('\x1e').skip(1) {
        let (number, text) = part.split_once('\n').unwrap_or((part, ""));
        let index: usize = number.parse().unwrap();
        let readme_line = lines[index - 1].0;
        printed
            .entry(readme_line)
            .or_insert_with(String::new)
            .push_str(text);
    }
    Run { out, printed }
}

/// What went wrong with a shell example (nothing: empty).
fn shell_failures(lines: &[(usize, String)], run: &Run) -> Vec<String> {
    let mut failures = Vec::new();
    let shown = |n: usize| -> String {
        let text = &lines.iter().find(|(m, _)| *m == n).unwrap().1;
        format!("README.md:{n}: {text}")
    };
    if run.out.status.code() != Some(0) {
        // The runner names the failed line of its file: name the README's.
        let mut why = format!("exited with {:?}", run.out.status);
        for line in run.out.stderr().lines() {
            why.push_str("\n    ");
            match line
                .strip_prefix("readme-example: line ")
                .and_then(|rest| rest.split_once(' '))
                .and_then(|(n, rest)| Some((lines.get(n.parse::<usize>().ok()? - 1)?, rest)))
            {
                Some(((n, _), rest)) => why.push_str(&format!("README.md:{n} {rest}")),
                None => why.push_str(line),
            }
        }
        failures.push(why);
    }
    for (n, line) in lines {
        let Some(wanted) = promised(line) else {
            continue;
        };
        let got = run.printed.get(n).map_or("", String::as_str);
        if got != format!("{wanted}\n") {
            failures.push(format!(
                "{} promises {wanted:?}, printed {got:?}",
                shown(*n)
            ));
        }
    }
    failures
}

/// Panic with every failure, and what the runs printed.
fn report(failures: Vec<String>) {
    if !failures.is_empty() {
        panic!("{}", failures.join("\n\n"));
    }
}

fn with_output(example: &str, run: &Run, failures: Vec<String>) -> Vec<String> {
    if failures.is_empty() {
        return failures;
    }
    vec![format!(
        "{example}:\n  {}\n  stdout:\n{}\n  stderr:\n{}",
        failures.join("\n  "),
        run.out.stdout().replace('\x1e', "--- line "),
        run.out.stderr()
    )]
}

#[test]
fn every_example_runs_as_written() {
    let mut failures = Vec::new();
    for example in examples(&readme()) {
        if let Kind::Shell = example.kind {
            let s = scene();
            let run = run(&s, &example.lines, "run");
            let name = format!("the example at README.md:{}", example.first_line());
            failures.extend(with_output(
                &name,
                &run,
                shell_failures(&example.lines, &run),
            ));
        }
    }
    report(failures);
}

/// A reader who tries them all in one shell, from the top: no example may
/// leave behind what breaks a later one (a namespace still bound on ~/uts,
/// say).
#[test]
fn the_examples_run_one_after_another() {
    let lines: Vec<(usize, String)> = examples(&readme())
        .into_iter()
        .filter(|e| matches!(e.kind, Kind::Shell))
        .flat_map(|e| e.lines)
        .collect();
    let s = scene();
    let run = run(&s, &lines, "run");
    let failures = shell_failures(&lines, &run);
    report(with_output(
        "the examples one after another",
        &run,
        failures,
    ));
}

#[test]
fn transcripts_print_what_they_show() {
    let mut failures = Vec::new();
    for example in examples(&readme()) {
        let Kind::Transcript(outputs) = &example.kind else {
            continue;
        };
        let s = scene();
        let run = run(&s, &example.lines, "transcript");
        // Their status is not checked: they may show failures.
        let mut wrong = Vec::new();
        for ((n, command), wanted) in example.lines.iter().zip(outputs) {
            let got = run.printed.get(n).map_or("", String::as_str);
            if got != wanted {
                wrong.push(format!(
                    "README.md:{n}: $ {command}\n  shows {wanted:?}\n  printed {got:?}"
                ));
            }
        }
        let name = format!("the transcript at README.md:{}", example.first_line());
        failures.extend(with_output(&name, &run, wrong));
    }
    report(failures);
}

/// The parsing itself: the README has examples of each kind, lines that
/// promise output, and a reason for each block not run.
#[test]
fn the_readme_examples_are_found() {
    let all = examples(&readme());
    let shell: Vec<&Example> = all
        .iter()
        .filter(|e| matches!(e.kind, Kind::Shell))
        .collect();
    assert!(shell.len() >= 5, "only {} runnable examples", shell.len());
    let promises = shell
        .iter()
        .flat_map(|e| &e.lines)
        .filter(|(_, l)| promised(l).is_some())
        .count();
    assert!(promises >= 3, "only {promises} lines say what they print");
    assert!(
        all.iter().any(|e| matches!(e.kind, Kind::Transcript(_))),
        "no transcript found"
    );
    for e in &all {
        if let Kind::Skipped(reason) = &e.kind {
            eprintln!("README.md:{}: not run: {reason}", e.first_line());
        }
    }
    assert_eq!(comment("a 'b # c' # d"), Some(" d"));
    assert_eq!(comment("echo $#"), None);
    assert_eq!(promised("x  # and so: prints box"), Some("box".to_owned()));
}

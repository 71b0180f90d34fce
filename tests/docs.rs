//! Documentation drift: `--help` is generated from each applet's option
//! table, so it is the reference. Every option it lists must appear in the
//! applet's man page and in its bash, zsh and fish completions, and those
//! must not mention long options that `--help` lacks. Also, the README's test
//! command must be what CI runs.
//!
//! How options are recognised in each kind of file:
//! - `--help`: the lines of the "Options:" section, its groups (apart by
//!   blank lines) included, up to the next heading (an unindented line).
//! - man pages (troff): `\-\-name` or `--name`, `\-x` or `-x`, font escapes
//!   ignored. Every option of `--help` must be the tag of an item (the line
//!   after `.TP`) in the OPTIONS section; no unknown option may appear
//!   anywhere but in EXAMPLES, which may show other programs' options.
//! - bash and zsh: `--name` and `-x` anywhere but in comments. A mention may
//!   be a prefix of a real option (`--ty`), as getopt accepts those.
//! - fish: `complete` lines must say `-l name` and `-s x`; `--name` anywhere
//!   else (in conditions) must also be a real option or a prefix of one.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

const NSBOX: &str = env!("CARGO_BIN_EXE_nsbox");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn nsbox(args: &[&str]) -> String {
    let out = Command::new(NSBOX)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {NSBOX}: {e}"));
    assert!(
        out.status.success(),
        "nsbox {}: {}\nstdout:\n{}\nstderr:\n{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("--help output is UTF-8")
}

fn applets() -> Vec<String> {
    let list = nsbox(&["--list"]);
    let names: Vec<String> = list.lines().map(str::to_owned).collect();
    assert!(!names.is_empty(), "nsbox --list printed nothing");
    names
}

#[derive(Debug, Default, PartialEq)]
struct Options {
    long: BTreeSet<String>,
    short: BTreeSet<char>,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Collect `--name` and `-x` words: a dash that starts a word (not the
/// hyphen inside "close-on-exec" or "setns-test").
fn scan(text: &str, found: &mut Options) {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !(is_name_char(chars[i - 1]) || chars[i - 1] == '\\');
        if chars[i] != '-' || !starts_word {
            i += 1;
            continue;
        }
        if chars.get(i + 1) == Some(&'-') {
            let start = i + 2;
            let mut end = start;
            while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '-') {
                end += 1;
            }
            if end > start && chars[start].is_ascii_alphanumeric() {
                found.long.insert(chars[start..end].iter().collect());
            }
            i = end.max(i + 2);
        } else {
            let letter = chars.get(i + 1).copied();
            let after = chars.get(i + 2).copied();
            if let Some(c) = letter.filter(char::is_ascii_alphanumeric) {
                if !after.is_some_and(is_name_char) {
                    found.short.insert(c);
                }
            }
            i += 2;
        }
    }
}

/// The options listed in the "Options:" section of a `--help` text.
fn help_options(help: &str) -> Options {
    let mut found = Options::default();
    let mut lines = help.lines().skip_while(|l| l.trim_end() != "Options:");
    assert!(lines.next().is_some(), "no Options: section in\n{help}");
    for line in lines.take_while(|l| l.is_empty() || l.starts_with(' ')) {
        scan(line, &mut found);
    }
    assert!(!found.long.is_empty(), "no options found in\n{help}");
    found
}

/// Which lines of a man page to read.
#[derive(Clone, Copy)]
enum Sections {
    All,
    AllBut(&'static str),
    /// The tags of the items (the lines after `.TP`) in this section.
    TagsIn(&'static str),
}

/// Troff source as plain text: `\-` is a dash, font changes vanish,
/// comment lines go.
fn troff_text(source: &str, sections: Sections) -> String {
    let mut text = String::new();
    let mut section = String::new();
    let mut after_tp = false;
    for line in source.lines() {
        if line.starts_with(".\\\"") || line.starts_with("'\\\"") {
            continue;
        }
        if let Some(title) = line.strip_prefix(".SH") {
            section = title.trim().trim_matches('"').to_owned();
        }
        let is_tag = after_tp;
        after_tp = line.starts_with(".TP");
        let wanted = match sections {
            Sections::All => true,
            Sections::AllBut(name) => section != name,
            Sections::TagsIn(name) => section == name && is_tag,
        };
        if wanted {
            text.push_str(line);
            text.push('\n');
        }
    }
    let mut plain = text.replace("\\-", "-");
    for font in ["\\fB", "\\fI", "\\fR", "\\fP", "\\f(CW", "\\fC"] {
        plain = plain.replace(font, "");
    }
    plain
}

/// A shell script without its comment lines.
fn without_comments(source: &str) -> String {
    source
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// What a fish completion file offers: `-l name` and `-s x` on its
/// `complete` lines.
fn fish_options(source: &str) -> Options {
    let mut found = Options::default();
    for line in source.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.first() != Some(&"complete") {
            continue;
        }
        for pair in words.windows(2) {
            let value = pair[1].trim_matches(|c| c == '\'' || c == '"');
            match pair[0] {
                "-l" => {
                    found.long.insert(value.to_owned());
                }
                "-s" => {
                    let mut chars = value.chars();
                    if let (Some(c), None) = (chars.next(), chars.next()) {
                        found.short.insert(c);
                    }
                }
                _ => {}
            }
        }
    }
    found
}

/// The places that document one program and what they must agree on.
struct Docs {
    name: String,
    help: Options,
    problems: Vec<String>,
}

impl Docs {
    fn new(name: &str, help: Options) -> Docs {
        Docs {
            name: name.to_owned(),
            help,
            problems: Vec::new(),
        }
    }

    fn missing(&mut self, file: &str, offered: &Options, check_short: bool) {
        for long in &self.help.long {
            if !offered.long.contains(long) {
                self.problems.push(format!(
                    "{file}: --{long} (from {} --help) is missing",
                    self.name
                ));
            }
        }
        if check_short {
            for short in &self.help.short {
                if !offered.short.contains(short) {
                    self.problems.push(format!(
                        "{file}: -{short} (from {} --help) is missing",
                        self.name
                    ));
                }
            }
        }
    }

    /// Every long option mentioned must exist, or be a prefix of one that does.
    fn unknown(&mut self, file: &str, mentioned: &Options) {
        for long in &mentioned.long {
            if !self
                .help
                .long
                .iter()
                .any(|real| real.starts_with(long.as_str()))
            {
                self.problems.push(format!(
                    "{file}: --{long} is not an option of {} (not in its --help)",
                    self.name
                ));
            }
        }
    }

    /// Check the man page and the three completion files of `self.name`.
    fn check_files(&mut self) {
        let name = self.name.clone();
        let man_file = format!("man/{name}.1");
        let man = read(&man_file);
        let mut in_options = Options::default();
        scan(
            &troff_text(&man, Sections::TagsIn("OPTIONS")),
            &mut in_options,
        );
        self.missing(&format!("{man_file} OPTIONS"), &in_options, true);
        let mut outside_examples = Options::default();
        scan(
            &troff_text(&man, Sections::AllBut("EXAMPLES")),
            &mut outside_examples,
        );
        self.unknown(&man_file, &outside_examples);

        for file in [
            format!("completions/bash/{name}"),
            format!("completions/zsh/_{name}"),
        ] {
            let mut offered = Options::default();
            scan(&without_comments(&read(&file)), &mut offered);
            self.missing(&file, &offered, true);
            self.unknown(&file, &offered);
        }

        let file = format!("completions/fish/{name}.fish");
        let source = read(&file);
        let offered = fish_options(&source);
        self.missing(&file, &offered, true);
        self.unknown(&file, &offered);
        let mut mentioned = Options::default();
        scan(&without_comments(&source), &mut mentioned);
        self.unknown(&file, &mentioned);
    }

    fn assert_clean(&self) {
        assert!(
            self.problems.is_empty(),
            "documentation of {} has drifted from its --help:\n  {}",
            self.name,
            self.problems.join("\n  ")
        );
    }
}

#[test]
fn scanner_finds_options_and_skips_hyphenated_words() {
    let mut found = Options::default();
    scan(
        " -h, --help  [-s] (-V) close-on-exec setns-test -- \\-x --type=net",
        &mut found,
    );
    let long: Vec<&str> = found.long.iter().map(String::as_str).collect();
    assert_eq!(long, ["help", "type"]);
    assert_eq!(found.short, BTreeSet::from(['V', 'h', 's']));

    let text = troff_text(
        ".BR \\-\\-install \" [\" \\-s \"] \\fIdir\\fR\"\n",
        Sections::All,
    );
    let mut found = Options::default();
    scan(&text, &mut found);
    assert!(found.long.contains("install") && found.short.contains(&'s'));

    let fish = fish_options("set -l tokens x\ncomplete -c a -s h -l help -d 'x'\n");
    assert_eq!(fish.long, BTreeSet::from(["help".to_owned()]));
    assert_eq!(fish.short, BTreeSet::from(['h']));
}

#[test]
fn a_missing_option_is_noticed() {
    let help = help_options("Options:\n -h, --help   help\n\n     --type <t>  kind\n\nMore.\n");
    let mut docs = Docs::new("x", help);
    let mut offered = Options::default();
    scan("--help -h", &mut offered);
    docs.missing("man/x.1", &offered, true);
    assert_eq!(
        docs.problems,
        ["man/x.1: --type (from x --help) is missing"]
    );
    let mut mentioned = Options::default();
    scan("--help --ty --bogus", &mut mentioned);
    docs.problems.clear();
    docs.unknown("man/x.1", &mentioned);
    assert_eq!(
        docs.problems,
        ["man/x.1: --bogus is not an option of x (not in its --help)"]
    );
}

#[test]
fn applet_docs_match_help() {
    for applet in applets() {
        let help = help_options(&nsbox(&[&applet, "--help"]));
        let mut docs = Docs::new(&applet, help);
        docs.check_files();
        docs.assert_clean();
    }
}

#[test]
fn nsbox_docs_match_help() {
    let help = help_options(&nsbox(&["--help"]));
    for long in ["list", "install", "help", "version"] {
        assert!(help.long.contains(long), "nsbox --help lacks --{long}");
    }
    let mut docs = Docs::new("nsbox", help);
    docs.check_files();
    docs.assert_clean();
}

/// The man page and completions of nsbox know every applet.
#[test]
fn nsbox_docs_name_every_applet() {
    let files = [
        "man/nsbox.1",
        "completions/bash/nsbox",
        "completions/zsh/_nsbox",
        "completions/fish/nsbox.fish",
    ];
    let mut problems = Vec::new();
    for file in files {
        let text = troff_text(&read(file), Sections::All);
        for applet in applets() {
            let named = text.match_indices(applet.as_str()).any(|(at, _)| {
                let before = text[..at].chars().next_back();
                let after = text[at + applet.len()..].chars().next();
                !before.is_some_and(is_name_char) && !after.is_some_and(is_name_char)
            });
            if !named {
                problems.push(format!("{file}: applet {applet} is not named"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The fenced code blocks of one `## ` section of a Markdown file.
fn code_blocks(markdown: &str, heading: &str) -> Vec<Vec<String>> {
    let mut blocks = Vec::new();
    let mut in_section = false;
    let mut block: Option<Vec<String>> = None;
    for line in markdown.lines() {
        if block.is_none() && line.starts_with("## ") {
            in_section = line[3..].trim() == heading;
            continue;
        }
        if !in_section {
            continue;
        }
        if line.starts_with("```") {
            match block.take() {
                Some(done) => blocks.push(done),
                None => block = Some(Vec::new()),
            }
        } else if let Some(lines) = block.as_mut() {
            lines.push(line.to_owned());
        }
    }
    blocks
}

fn commands(lines: &[String]) -> Vec<&str> {
    lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

#[test]
fn ci_runs_the_readme_test_command() {
    let readme = read("README.md");
    let blocks = code_blocks(&readme, "Quick start");
    assert_eq!(
        blocks.len(),
        2,
        "README's Quick start should have two set-up commands, one per code block"
    );
    let test_block = blocks
        .iter()
        .find(|b| b.iter().any(|l| l.contains("make check")))
        .expect("README's Quick start has no code block with `make check`");

    let ci = read(".ci/run");
    let ci_commands = commands(&ci.lines().map(str::to_owned).collect::<Vec<_>>())
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    for command in commands(test_block) {
        assert!(
            ci_commands.iter().any(|c| c == command),
            ".ci/run does not run the README's test command `{command}`"
        );
    }
    assert!(
        ci.starts_with("#!/bin/bash\n"),
        ".ci/run is not a bash script"
    );
    assert!(
        ci_commands.iter().any(|c| c == "set -euo pipefail"),
        ".ci/run lacks `set -euo pipefail`"
    );
    let mode = std::fs::metadata(root().join(".ci/run"))
        .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()))
        .expect("cannot stat .ci/run");
    assert!(mode & 0o111 != 0, ".ci/run is not executable");
}

#[test]
fn every_applet_has_docs() {
    let mut absent = Vec::new();
    for name in applets().iter().map(String::as_str).chain(["nsbox"]) {
        for file in [
            format!("man/{name}.1"),
            format!("completions/bash/{name}"),
            format!("completions/zsh/_{name}"),
            format!("completions/fish/{name}.fish"),
        ] {
            if !root().join(&file).is_file() {
                absent.push(file);
            }
        }
    }
    assert!(absent.is_empty(), "missing: {}", absent.join(", "));
}

/// The words of a man macro line: its arguments, split at blanks except
/// inside double quotes.
fn macro_args(line: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' | '\t' if !quoted => {
                if !word.is_empty() {
                    args.push(std::mem::take(&mut word));
                }
            }
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        args.push(word);
    }
    args
}

/// The `.TH` line of every man page: its title is the page's name, its
/// footer names the version being built, and every page carries the same
/// date, so that none looks older or newer than the others.
#[test]
fn man_page_titles_agree() {
    let version = format!("nsbox {}", env!("CARGO_PKG_VERSION"));
    let mut dates = BTreeSet::new();
    let mut problems = Vec::new();
    for name in applets().iter().map(String::as_str).chain(["nsbox"]) {
        let file = format!("man/{name}.1");
        let source = read(&file);
        let title = source
            .lines()
            .find(|l| l.starts_with(".TH "))
            .unwrap_or_else(|| panic!("{file} has no .TH line"));
        let args = macro_args(title);
        let expected_title = name.to_uppercase().replace('-', "\\-");
        if args.get(1) != Some(&expected_title) || args.get(2).map(String::as_str) != Some("1") {
            problems.push(format!(
                "{file}: .TH should start with {expected_title} 1: {title}"
            ));
        }
        match args.get(3) {
            Some(date) if is_iso_date(date) => {
                dates.insert(format!("{date} ({file})"));
            }
            _ => problems.push(format!("{file}: .TH has no YYYY-MM-DD date: {title}")),
        }
        if args.get(4) != Some(&version) {
            problems.push(format!("{file}: .TH should name \"{version}\": {title}"));
        }
    }
    let distinct: BTreeSet<&str> = dates.iter().map(|d| &d[..10]).collect();
    if distinct.len() > 1 {
        problems.push(format!(
            "the pages carry different dates: {}",
            dates.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn is_iso_date(text: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = text.split('-').collect();
    matches!(parts[..], [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2))
}

#[test]
fn macro_args_honour_quotes() {
    assert_eq!(
        macro_args(".TH SETNS\\-TEST 1 2026-12-06 \"nsbox 0.1.0\" \"User Commands\""),
        [
            ".TH",
            "SETNS\\-TEST",
            "1",
            "2026-12-06",
            "nsbox 0.1.0",
            "User Commands"
        ]
    );
    assert!(is_iso_date("2026-12-06") && !is_iso_date("2026-1-06") && !is_iso_date("x"));
}

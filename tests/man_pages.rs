//! The man pages as a reader sees them: rendered by man(1) at MANWIDTH=80,
//! no line is wider than 80 columns, groff has nothing to warn about, and
//! every page has a NOTES section. At that width and others, no option,
//! path, identifier or man page reference is hyphenated across a line
//! break (the pages mark such words with `\%`).
//!
//! man(1) is man-db's, which tests/deps.sh installs (with groff-base).

use std::path::PathBuf;
use std::process::Command;

const NSBOX: &str = env!("CARGO_BIN_EXE_nsbox");

/// The width the pages must fit.
const WIDTH: usize = 80;
/// Widths at which no word that must stay whole may be broken: 80, and
/// others, since each width breaks the lines elsewhere.
const BREAK_WIDTHS: [usize; 5] = [60, 70, 80, 90, 100];

/// Every page: one per applet, and nsbox's own.
fn pages() -> Vec<PathBuf> {
    let out = Command::new(NSBOX)
        .arg("--list")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {NSBOX}: {e}"));
    assert!(out.status.success(), "nsbox --list: {}", out.status);
    let list = String::from_utf8(out.stdout).expect("nsbox --list prints UTF-8");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let pages: Vec<PathBuf> = list
        .lines()
        .chain(["nsbox"])
        .map(|name| root.join(format!("man/{name}.1")))
        .collect();
    assert!(pages.len() > 1, "nsbox --list printed nothing");
    pages
}

struct Rendered {
    text: String,
    warnings: String,
}

/// The page as `man` shows it at `width` columns, in a UTF-8 locale, with
/// every groff warning on, and none of the caller's man settings.
fn render(page: &PathBuf, width: usize) -> Rendered {
    let out = Command::new("man")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("LC_ALL", "C.UTF-8")
        .env("MANWIDTH", width.to_string())
        .args(["--warnings=w", "-l"])
        .arg(page)
        .output()
        .unwrap_or_else(|e| panic!("cannot run man (tests/deps.sh installs man-db): {e}"));
    assert!(
        out.status.success(),
        "man -l {}: {}\n{}",
        page.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    Rendered {
        text: String::from_utf8(out.stdout).expect("man prints UTF-8 in a UTF-8 locale"),
        warnings: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The lines wider than `width` columns (every character here takes one).
fn too_wide(text: &str, width: usize) -> Vec<String> {
    text.lines()
        .filter(|line| line.chars().count() > width)
        .map(|line| format!("{} columns: {}", line.chars().count(), line.trim()))
        .collect()
}

/// An option: `--name`, `-x`, perhaps with a value (`--uts=file`).
fn is_option(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next() == Some('-')
        && chars
            .find(|&c| c != '-')
            .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// A constant in capitals, such as `EINVAL` or `SIGRTMAX`.
fn is_constant(word: &str) -> bool {
    let word = word.trim_end_matches(['-', '\u{2010}']);
    word.len() >= 2 && word.chars().all(|c| c.is_ascii_uppercase())
}

/// A man page reference such as `namespaces(7),`.
fn is_reference(word: &str) -> bool {
    word.split_once('(')
        .is_some_and(|(_, rest)| rest.starts_with(|c: char| c.is_ascii_digit()))
}

/// Where a word that must stay whole was broken at the end of a line. The
/// line ends in a hyphen: groff's U+2010 where it hyphenated a word, `-`
/// where it broke after a hyphen of the word's own. The word must stay
/// whole if the piece before the break is an option, a path or an
/// identifier with an underscore, if the piece after it ends a man page
/// reference (`name(7)`), or if it is a constant in capitals that groff
/// hyphenated, or whose own hyphen does not join two words in capitals
/// (`SIGRTMAX-` / `n`, not `UTIL-` / `LINUX`).
fn broken_words(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut broken = Vec::new();
    for pair in lines.windows(2) {
        let line = pair[0].trim_end();
        let hyphenated = line.ends_with('\u{2010}');
        if !hyphenated && !line.ends_with('-') {
            continue;
        }
        let Some(head) = line.split_whitespace().last() else {
            continue;
        };
        let tail = pair[1].split_whitespace().next().unwrap_or("");
        let core = head.trim_start_matches(['(', '[', '\u{201c}', '"', '\'', '\u{2018}']);
        let whole = is_option(core)
            || core.starts_with('/')
            || core.starts_with("~/")
            || core.contains('_')
            || is_reference(tail)
            || (is_constant(core)
                && (hyphenated || !tail.starts_with(|c: char| c.is_ascii_uppercase())));
        if whole {
            broken.push(format!("{head} / {tail}"));
        }
    }
    broken
}

fn has_section(text: &str, name: &str) -> bool {
    text.lines().any(|line| line == name)
}

#[test]
fn pages_fit_80_columns_without_warnings_and_have_notes() {
    let mut problems = Vec::new();
    for page in pages() {
        let name = page.file_name().unwrap().to_string_lossy().into_owned();
        let rendered = render(&page, WIDTH);
        for line in too_wide(&rendered.text, WIDTH) {
            problems.push(format!("{name} at MANWIDTH={WIDTH}: {line}"));
        }
        for warning in rendered.warnings.lines() {
            problems.push(format!("{name}: {warning}"));
        }
        if !has_section(&rendered.text, "NOTES") {
            problems.push(format!("{name}: no NOTES section"));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn no_option_or_path_is_hyphenated_across_lines() {
    let mut problems = Vec::new();
    for page in pages() {
        let name = page.file_name().unwrap().to_string_lossy().into_owned();
        for width in BREAK_WIDTHS {
            for word in broken_words(&render(&page, width).text) {
                problems.push(format!("{name} at MANWIDTH={width}: {word}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "words broken across lines (start them with \\% in the page):\n{}",
        problems.join("\n")
    );
}

/// The checks themselves, on text such as groff makes.
#[test]
fn checks_notice_what_they_look_for() {
    let text = "       run with --pre\u{2010}\n       serve-credentials, see\n       \
                (--tar\u{2010}\n       get) and /proc/self/set\u{2010}\n       groups, \
                EIN\u{2010}\n       VAL, name\u{2010}\n       spaces(7) and\n       \
                pid_for_chil\u{2010}\n       dren, SIGRTMAX-\n       n, ip-\n       netns(8)\n";
    assert_eq!(
        broken_words(text),
        [
            "--pre\u{2010} / serve-credentials,",
            "(--tar\u{2010} / get)",
            "/proc/self/set\u{2010} / groups,",
            "EIN\u{2010} / VAL,",
            "name\u{2010} / spaces(7)",
            "pid_for_chil\u{2010} / dren,",
            "SIGRTMAX- / n,",
            "ip- / netns(8)",
        ]
    );
    // Ordinary words may break, at a hyphen of their own too, and a dash
    // standing alone is no option.
    let prose = "       a name\u{2010}\n       space, util-\n       linux, set-\n       up, \
                 a -\n       before, as does --\n       so UTIL-\n       LINUX\n";
    assert_eq!(broken_words(prose), Vec::<String>::new());

    assert_eq!(
        too_wide(
            &format!("{}\n{}\n", "x".repeat(80), "\u{2010}".repeat(80)),
            80
        )
        .len(),
        0
    );
    assert_eq!(too_wide(&"\u{201c}".repeat(81), 80).len(), 1);
    assert!(has_section("NAME\n       x\n\nNOTES\n       y\n", "NOTES"));
    assert!(!has_section("NAME\n       see NOTES\n", "NOTES"));
}

//! `--help` of every applet and of nsbox itself, as the binary prints it:
//! no line wider than 80 columns, an option too wide for the column on a
//! line of its own with its description under it, descriptions wrapped
//! under their column, and the options in groups apart by blank lines.

mod common;

use common::*;

const WIDTH: usize = 80;

/// `--help` through the applet's link (or nsbox's own), checked to be a
/// success that writes nothing on stderr.
fn help_of(env: &Env, name: &str) -> String {
    let command = match name {
        "nsbox" => nsbox(),
        applet => env.applet(applet),
    };
    let out = command.arg("--help").run();
    out.success().stderr_is("");
    out.stdout()
}

/// The lines of the Options section, up to the man page reference.
fn option_lines(help: &str) -> Vec<&str> {
    help.lines()
        .skip_while(|l| *l != "Options:")
        .skip(1)
        .take_while(|l| !l.starts_with("For more details"))
        .collect()
}

/// The long name of the option a line introduces, if it does.
fn option_named(line: &str) -> Option<String> {
    let at = line.find(" --").filter(|&at| at <= 4)?;
    let name = line[at + 3..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    Some(name)
}

/// The long names of the options in each group, in order: a group ends at
/// a blank line.
fn groups(help: &str) -> Vec<Vec<String>> {
    let mut groups = vec![vec![]];
    for line in option_lines(help) {
        if line.is_empty() {
            groups.push(vec![]);
        } else if let Some(name) = option_named(line) {
            groups.last_mut().unwrap().push(name);
        }
    }
    groups.retain(|g| !g.is_empty());
    groups
}

/// The description of the option named `long`, its lines joined: what
/// follows the name on its line, then the lines under it that introduce
/// no option.
fn description(help: &str, long: &str) -> String {
    let lines = option_lines(help);
    let at = lines
        .iter()
        .position(|l| option_named(l).as_deref() == Some(long))
        .unwrap_or_else(|| panic!("--{long} is not in\n{help}"));
    let mut words: Vec<&str> = match lines[at].trim_start().split_once("  ") {
        Some((_, text)) => text.split_whitespace().collect(),
        None => vec![],
    };
    for line in lines[at + 1..]
        .iter()
        .take_while(|l| !l.is_empty() && option_named(l).is_none())
    {
        words.extend(line.split_whitespace());
    }
    words.join(" ")
}

#[test]
fn no_line_is_wider_than_80_columns() {
    let env = Env::new();
    for name in APPLETS.iter().copied().chain(["nsbox"]) {
        let help = help_of(&env, name);
        for line in help.lines() {
            let width = line.chars().count();
            assert!(
                width <= WIDTH,
                "{name} --help: a line of {width} columns:\n{line}"
            );
            assert!(!line.contains('\t'), "{name} --help: a tab in {line:?}");
        }
    }
}

/// An option wider than the column has its line; its description starts
/// on the next, at the column of the others. Long descriptions go on in
/// the same column.
#[test]
fn wide_options_and_long_descriptions_wrap_as_util_linux_does() {
    let env = Env::new();
    let help = help_of(&env, "unshare");
    let lines = option_lines(&help);
    let column = |line: &str| line.len() - line.trim_start().len();
    let fork = lines
        .iter()
        .find(|l| l.starts_with(" -f, --fork "))
        .unwrap();
    let desc = fork.find("fork before").unwrap();
    for option in ["propagation", "map-users", "map-groups"] {
        let at = lines
            .iter()
            .position(|l| l.starts_with(&format!("     --{option} ")))
            .unwrap_or_else(|| panic!("--{option} missing from\n{help}"));
        assert!(
            !lines[at].trim().contains("  "),
            "--{option}'s description is on its line: {:?}",
            lines[at]
        );
        assert_eq!(column(lines[at + 1]), desc, "{:?}", lines[at + 1]);
    }
    // A description too long for one line goes on at its column.
    let at = lines
        .iter()
        .position(|l| l.starts_with("     --map-subids "))
        .unwrap();
    assert!(lines[at].len() > desc, "{:?}", lines[at]);
    assert_eq!(column(lines[at + 1]), desc, "{:?}", lines[at + 1]);
    assert_eq!(lines[at + 1].trim(), "(implies --user)");
}

/// The groups, as util-linux's unshare has them, then nsbox's own.
#[test]
fn unshare_options_come_in_groups() {
    let env = Env::new();
    let help = help_of(&env, "unshare");
    let want: Vec<Vec<&str>> = vec![
        vec![
            "mount", "uts", "ipc", "net", "pid", "user", "cgroup", "time",
        ],
        vec![
            "mount-proc",
            "mount-binfmt",
            "load-interp",
            "propagation",
            "root",
            "wd",
        ],
        vec![
            "setuid",
            "setgid",
            "map-user",
            "map-group",
            "map-root-user",
            "map-current-user",
            "map-auto",
            "map-subids",
            "map-users",
            "map-groups",
            "owner",
        ],
        vec!["fork", "kill-child", "forward-signals"],
        vec!["setgroups", "keep-caps"],
        vec!["monotonic", "boottime", "clear-env", "whitelist-env"],
        vec!["hostname", "loopback", "pidfile", "keep-pidfile"],
        vec!["help", "version"],
    ];
    assert_eq!(groups(&help), want, "\n{help}");
}

#[test]
fn nsenter_options_come_in_groups() {
    let env = Env::new();
    let help = help_of(&env, "nsenter");
    let want: Vec<Vec<&str>> = vec![
        vec![
            "all",
            "target",
            "mount",
            "uts",
            "ipc",
            "net",
            "net-socket",
            "pid",
            "cgroup",
            "user",
            "user-parent",
            "time",
        ],
        vec!["setuid", "setgid", "preserve-credentials", "keep-caps"],
        vec!["root", "wd", "wdns"],
        vec!["env", "no-fork", "join-cgroup", "follow-context"],
        vec!["caps", "seccomp", "no-new-privs", "pty", "as-target"],
        vec!["help", "version"],
    ];
    assert_eq!(groups(&help), want, "\n{help}");
}

#[test]
fn nsbind_and_setns_test_options_come_in_groups() {
    let env = Env::new();
    let want: Vec<Vec<&str>> = vec![
        vec!["target", "type", "all", "private"],
        vec!["unbind", "keep"],
        vec!["list", "json"],
        vec!["help", "version"],
    ];
    let help = help_of(&env, "nsbind");
    assert_eq!(groups(&help), want, "\n{help}");
    let want: Vec<Vec<&str>> = vec![vec!["type"], vec!["help", "version"]];
    let help = help_of(&env, "setns-test");
    assert_eq!(groups(&help), want, "\n{help}");
}

/// --mount-binfmt without a directory mounts a new proc first, to hold
/// binfmt_misc at /proc/sys/fs/binfmt_misc (tests/unshare/mounts.rs sees
/// it there); its help says so.
#[test]
fn mount_binfmt_says_it_mounts_proc_too() {
    let env = Env::new();
    let help = help_of(&env, "unshare");
    let text = description(&help, "mount-binfmt");
    assert!(
        text.contains("proc too when <dir> is not given"),
        "--mount-binfmt: {text:?}"
    );
    assert!(text.contains("(implies --user and --mount)"), "{text:?}");
    let text = description(&help, "mount-proc");
    assert_eq!(text, "mount proc filesystem first (implies --mount)");
}

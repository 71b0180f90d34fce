//! `--version` and `--help`.

use super::*;

#[test]
fn version() {
    let s = Scene::new();
    for option in ["-V", "--version"] {
        s.unshare()
            .arg(option)
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&format!("unshare from nsbox {VERSION}\n"));
    }
}

/// --help lists every option of the spec, in its order.
#[test]
fn help_lists_the_options_in_order() {
    let s = Scene::new();
    let out = s.unshare().arg("-h").run();
    out.success()
        .stderr_is("")
        .stdout_has("Usage:\n unshare [options] [<program> [<argument>...]]\n");
    let text = out.stdout();
    let names = [
        "mount",
        "uts",
        "ipc",
        "net",
        "pid",
        "user",
        "cgroup",
        "time",
        "mount-proc",
        "mount-binfmt",
        "load-interp",
        "propagation",
        "root",
        "wd",
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
        "fork",
        "kill-child",
        "forward-signals",
        "setgroups",
        "keep-caps",
        "monotonic",
        "boottime",
        "clear-env",
        "whitelist-env",
        "hostname",
        "loopback",
        "pidfile",
        "keep-pidfile",
        "help",
        "version",
    ];
    let mut from = 0;
    for name in names {
        let needle = format!("--{name}");
        let found = text[from..].match_indices(&needle).find(|(i, _)| {
            let next = text[from + i + needle.len()..].chars().next();
            matches!(next, Some('[' | ' ' | '=' | '\n'))
        });
        match found {
            Some((i, _)) => from += i + needle.len(),
            None => out.fail(&format!("--{name} missing or out of order")),
        }
    }
}

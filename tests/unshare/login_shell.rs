//! No program and no `$SHELL`: the login shell of /etc/passwd, chosen as
//! util-linux 2.42 chooses it (lib/exec_shell.c), last of all: for the uid
//! the program runs as, after `--clear-env`, under the new root. Each
//! script binds a made-up passwd file over /etc/passwd in its own private
//! mount namespace.

use super::*;

/// `$SHELL` unset or empty: the login shell of the uid the program runs
/// as (`-S`, root of `-r`, the overflow uid of an unmapped `-U`), then
/// /bin/sh when the entry names none, is a comment or is missing. With
/// `--fork` too, and after `--clear-env`, which leaves no `$SHELL`.
#[test]
fn the_login_shell_of_the_uid_it_runs_as() {
    let s = Scene::new();
    shells_passwd(s.env.tmp(), "passwd", "sh");
    let out = s
        .shell_host_pids(
            r#"
            mount --bind "$D/passwd" /etc/passwd
            t() { echo "$*: $(echo 'echo "$0"' | "$@" 2>&1)"; }
            t env -u SHELL "$U" -u
            t env SHELL= "$U" -u
            t env -u SHELL "$U" -u -f
            t env -u SHELL "$U" -u -S 65534 -G 65534
            t env -u SHELL "$U" -r
            t env -u SHELL "$U" -U
            t env -u SHELL "$U" -u -S 4242 -G 4242
            t env -u SHELL "$U" -u -S 5151 -G 5151
            t env -u SHELL "$U" -u -S 6161 -G 6161
            t env SHELL=/bin/sh "$U" -u --clear-env
            t env SHELL=/bin/sh "$U" -u
            "#,
        )
        .run();
    out.success().stderr_is("").stdout_is(&format!(
        "env -u SHELL {u} -u: -sh-root\n\
         env SHELL= {u} -u: -sh-root\n\
         env -u SHELL {u} -u -f: -sh-root\n\
         env -u SHELL {u} -u -S 65534 -G 65534: -sh-nobody\n\
         env -u SHELL {u} -r: -sh-root\n\
         env -u SHELL {u} -U: -sh-nobody\n\
         env -u SHELL {u} -u -S 4242 -G 4242: -sh\n\
         env -u SHELL {u} -u -S 5151 -G 5151: -sh\n\
         env -u SHELL {u} -u -S 6161 -G 6161: -sh\n\
         env SHELL=/bin/sh {u} -u --clear-env: -sh-root\n\
         env SHELL=/bin/sh {u} -u: -sh\n",
        u = s.unshare_link().display()
    ));
}

/// With `--root`, the passwd file is the one under the new root: here a
/// recursive bind of / whose /etc/passwd differs from the one outside.
#[test]
fn the_login_shell_under_the_new_root() {
    let s = Scene::new();
    shells_passwd(s.env.tmp(), "outside", "out");
    shells_passwd(s.env.tmp(), "inside", "in");
    s.shell_host_pids(
        r#"
        mount --bind "$D/outside" /etc/passwd
        mkdir "$D/w/root"
        mount --rbind / "$D/w/root"
        mount --bind "$D/inside" "$D/w/root/etc/passwd"
        echo 'echo "$0"' | env -u SHELL "$U" -u
        echo 'echo "$0"' | env -u SHELL "$U" -u -R "$D/w/root"
        echo 'echo "$0"' | env -u SHELL "$U" -u -R "$D/w/root" -S 65534 -G 65534
        "#,
    )
    .run()
    .success()
    .stderr_is("")
    .stdout_is("-out-root\n-in-root\n-in-nobody\n");
}

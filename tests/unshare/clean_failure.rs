//! Failing cleanly: when a step fails once namespaces exist, unshare says
//! so in one line and leaves no process, mount or file behind.

use super::*;

/// Run `command` (after `setup`) in a PID namespace of its own and check it
/// fails with one message and leaves behind no process, no mount, and no
/// file in $D/w but `files` (as `ls -A` lists them, space-separated).
fn leaves_nothing(setup: &str, command: &str, files: &str) {
    let s = Scene::new();
    let script = format!(
        r#"
        {setup}
        {command}
        echo "rc=$?"
        echo "files: $(ls -A "$D/w" | tr '\n' ' ')"
        echo "mounts=$(mount_lines "$D")"
        echo "processes:" /proc/[0-9]*
    "#
    );
    s.shell_pidns(&script)
        .run()
        .success()
        .stdout_is(&format!(
            "rc=1\nfiles: {files}\nmounts=0\nprocesses: /proc/1\n"
        ))
        .stderr_line("unshare: ");
}

/// The kernel refuses overlapping ranges, after the namespace exists.
#[test]
fn map_refused_by_the_kernel() {
    leaves_nothing(
        "",
        r#""$U" --user="$D/w/new" --map-users=0:0:10 --map-users=5:100:10 echo ran"#,
        "",
    );
}

#[test]
fn chdir_after_unshare() {
    leaves_nothing("", r#""$U" --uts="$D/w/new" -w /nonexistent echo ran"#, "");
}

#[test]
fn chdir_in_the_forked_child() {
    leaves_nothing(
        "",
        r#""$U" --uts="$D/w/new" --ipc="$D/w/new2" --fork -w /nonexistent echo ran"#,
        "",
    );
}

#[test]
fn chroot_with_a_persisted_mount_namespace() {
    leaves_nothing(
        "",
        r#""$U" --mount="$D/w/new" -R /nonexistent echo ran"#,
        "",
    );
}

#[test]
fn persisted_user_namespace_and_failing_step() {
    leaves_nothing(
        "",
        r#""$U" --user="$D/w/new" -r -w /nonexistent echo ran"#,
        "",
    );
}

/// A file that was there stays, released.
#[test]
fn existing_file_is_kept_and_released() {
    leaves_nothing(
        r#": > "$D/w/old""#,
        r#""$U" --uts="$D/w/old" -w /nonexistent echo ran"#,
        "old ",
    );
}

/// unshare() itself refused (EPERM) for uid 65534.
#[test]
fn unprivileged_unshare_refused() {
    leaves_nothing("", r#"$NB "$U" --uts="$D/w/new" echo ran"#, "");
}

/// uid 65534 may make the namespaces, but not mount in ours.
#[test]
fn unprivileged_cannot_bind() {
    leaves_nothing("", r#"$NB "$U" -r --uts="$D/w/new" echo ran"#, "");
}

//! `--KIND=:NSID`: entering a namespace by the id NS_GET_ID reports.

use super::*;

/// `--uts=:NSID`, `-u:NSID`, `-u=:NSID`, the id being NS_GET_ID's.
#[test]
fn by_id() {
    let env = Env::new();
    let a = Target::new(&["uts", "net"]);
    let b = Target::new(&["uts"]);
    let id = ns_id(&b.ns_path("uts"));
    for form in [
        format!("--uts=:{id}"),
        format!("-u:{id}"),
        format!("-u=:{id}"),
    ] {
        nsenter(&env)
            .args([
                form.as_str(),
                "sh",
                "-c",
                "hostname; readlink /proc/self/ns/uts",
            ])
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&format!("{}\n{}\n", b.hostname(), b.ns("uts")));
        // Overriding the target's.
        nsenter(&env)
            .args(["-t", &a.pid().to_string(), "-u", "-n", form.as_str()])
            .args(["sh", "-c", "hostname; readlink /proc/self/ns/net"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&format!("{}\n{}\n", b.hostname(), a.ns("net")));
    }
    // Every kind by id.
    for (kind, short, _) in KIND_OPTIONS {
        let target = Target::new(&[kind]);
        let id = ns_id(&target.ns_path(kind));
        let mut command = nsenter(&env).arg(format!("{short}:{id}"));
        if kind == "user" {
            // Entering a user namespace by id alone.
            command = command.args(["readlink", "/proc/self/ns/user"]);
        } else {
            command = command.args(["readlink", &format!("/proc/self/ns/{kind}")]);
        }
        command
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&format!("{}\n", target.ns(kind)));
    }
}

/// An id no namespace has, the id of a namespace of another kind, and
/// no number at all.
#[test]
fn bad_ids() {
    let env = Env::new();
    let target = Target::new(&["uts", "net"]);
    let net = ns_id(&target.ns_path("net"));
    let missing = u64::MAX - 7;
    for id in [missing, net] {
        nsenter(&env)
            .arg(format!("--uts=:{id}"))
            .args(["echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(&format!(
                "nsenter: cannot open namespace of id {id}: No such file or directory\n"
            ));
    }
    for bad in ["x", "", "12x", "-1"] {
        nsenter(&env)
            .arg(format!("--uts=:{bad}"))
            .args(["echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(&format!("nsenter: failed to parse nsid: {bad}\n{TRY}"));
    }
}

/// A namespace whose processes are all gone, kept only by a bind mount
/// (in a private mount namespace made for the test), is found by id.
#[test]
fn kept_by_a_bind_mount_only() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let id = ns_id(&target.ns_path("uts"));
    let copy = env.tmp().write("uts-copy", "", 0o644);
    let script = r#"
            mount --bind "/proc/$1/ns/uts" "$2"
            kill -KILL "$1"
            waitfor '! readlink "/proc/$1/ns/uts" >/dev/null 2>&1'
            "$N" --uts=":$3" hostname
        "#;
    private_shell(&env, script)
        .arg(target.pid().to_string())
        .arg(&copy)
        .arg(id.to_string())
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&format!("{}\n", target.hostname()));
    no_mount_leaked(&env);
}

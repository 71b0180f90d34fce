//! Namespace files: `--KIND=FILE` in its forms, with and without a target.

use super::*;

/// `--uts=FILE`, `-uFILE`, `-u=FILE`: without a target, and overriding
/// the target's (whose other namespaces still come from it).
#[test]
fn file_forms() {
    let env = Env::new();
    let a = Target::new(&["uts", "net"]);
    let b = Target::new(&["uts"]);
    let path = b.ns_path("uts");
    let forms = [
        format!("--uts={path}"),
        format!("-u{path}"),
        format!("-u={path}"),
    ];
    for form in &forms {
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
        nsenter(&env)
            .args(["-t", &a.pid().to_string(), "-n", form.as_str()])
            .args(["sh", "-c", "hostname; readlink /proc/self/ns/net"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&format!("{}\n{}\n", b.hostname(), a.ns("net")));
    }
    // util-linux agrees on the forms it knows.
    for form in &forms[..2] {
        ul_nsenter()
            .args(["-t", &a.pid().to_string(), "-n", form.as_str()])
            .args(["sh", "-c", "hostname; readlink /proc/self/ns/net"])
            .run()
            .success()
            .stdout_is(&format!("{}\n{}\n", b.hostname(), a.ns("net")));
    }
}

/// A kind named both bare and with a file: the file counts, whichever
/// comes first, as in util-linux 2.42 (2.38 took the target's, in both
/// orders). With `-a` too.
#[test]
fn a_file_outlasts_a_bare_option() {
    let env = Env::new();
    let a = Target::new(&["uts"]);
    let b = Target::new(&["uts"]);
    let (pid, path) = (a.pid().to_string(), b.ns_path("uts"));
    let file = format!("--uts={path}");
    let attached = format!("-u{path}");
    for options in [
        [file.as_str(), "-u"],
        ["-u", file.as_str()],
        [attached.as_str(), "--uts"],
        ["-a", file.as_str()],
    ] {
        nsenter(&env)
            .args(["-t", &pid])
            .args(options)
            .args(["sh", "-c", "hostname; readlink /proc/self/ns/uts"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&format!("{}\n{}\n", b.hostname(), b.ns("uts")));
    }
}

/// A separate word is never the optional file: `-u FILE` enters the
/// target's UTS namespace and runs FILE, which cannot be executed.
#[test]
fn separate_word_is_the_program() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let path = target.ns_path("uts");
    for nsenter in both(&env) {
        nsenter
            .args(["-t", &target.pid().to_string(), "-u", &path])
            .run()
            .code(126)
            .stdout_is("")
            .stderr_is(&format!(
                "nsenter: failed to execute {path}: Permission denied\n"
            ));
    }
}

/// As uid 65534, from files only: the user namespace given by file is
/// entered first, which gives the right to enter the others.
#[test]
fn unprivileged_user_file_goes_first() {
    let env = Env::new();
    let target = Target::build(&["uts", "net"]).as_user(NOBODY).start();
    let out = nsenter(&env)
        .as_user(NOBODY)
        .arg(format!("--uts={}", target.ns_path("uts")))
        .arg(format!("--net={}", target.ns_path("net")))
        .arg(format!("--user={}", target.ns_path("user")))
        .args(["sh", "-c", &format!("hostname; {}", readlink_all_sh())])
        .run();
    out.success().stderr_is("");
    let text = out.stdout();
    let lines: Vec<&str> = text.lines().collect();
    out.check(lines.first() == Some(&target.hostname()), "hostname");
    check_links(&out, &lines[1..], target.pid(), &["user", "uts", "net"]);
}

/// A bind-mounted namespace file, in a private mount namespace made for
/// the test: entered by every form, alone or overriding a target's;
/// util-linux agrees. The mount never reaches the host.
#[test]
fn bind_mounted_file() {
    let env = Env::new();
    let a = Target::new(&["uts", "net"]);
    let b = Target::new(&["uts"]);
    let copy = env.tmp().write("uts-copy", "", 0o644);
    let script = r#"
            mount --bind "/proc/$1/ns/uts" "$2"
            "$N" --uts="$2" hostname
            "$N" -u"$2" hostname
            "$N" -u="$2" hostname
            "$N" -t "$3" -n -u"$2" sh -c 'hostname; readlink /proc/self/ns/net'
            "$UL" --uts="$2" hostname
        "#;
    let host = b.hostname();
    private_shell(&env, script)
        .arg(b.pid().to_string())
        .arg(&copy)
        .arg(a.pid().to_string())
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&format!(
            "{host}\n{host}\n{host}\n{host}\n{}\n{host}\n",
            a.ns("net")
        ));
    no_mount_leaked(&env);
    // Here the copy is the empty file it was.
    nsenter(&env)
        .arg(format!("--uts={}", copy.display()))
        .args(["echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is("nsenter: reassociate to namespace 'ns/uts' failed: Invalid argument\n");
}

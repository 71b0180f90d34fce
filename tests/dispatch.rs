//! Dispatch by name: applet links, `nsbox APPLET`, `--list`, `--help`,
//! `--version`, and unknown names.

mod common;

use common::*;

#[test]
fn each_link_runs_its_applet() {
    let env = Env::new();
    for name in APPLETS {
        env.applet(name)
            .arg("--version")
            .run()
            .success()
            .stdout_is(&format!("{name} from nsbox {VERSION}\n"))
            .stderr_is("");
        env.applet(name)
            .arg("--help")
            .run()
            .success()
            .stdout_has("Usage:")
            .stdout_has(&format!(" {name} "))
            .stdout_has("-V, --version")
            .stderr_is("");
    }
}

#[test]
fn nsbox_applet_runs_the_applet() {
    for name in APPLETS {
        nsbox()
            .args([name, "--version"])
            .run()
            .success()
            .stdout_is(&format!("{name} from nsbox {VERSION}\n"));
    }
}

#[test]
fn argv0_decides_even_without_a_link() {
    nsbox()
        .arg0("/some/where/setns-test")
        .arg("--version")
        .run()
        .success()
        .stdout_is(&format!("setns-test from nsbox {VERSION}\n"));
    // A login shell's leading dash is not part of the name.
    nsbox()
        .arg0("-setns-test")
        .arg("-V")
        .run()
        .success()
        .stdout_is(&format!("setns-test from nsbox {VERSION}\n"));
}

#[test]
fn leading_dash_in_link_name_is_stripped() {
    let env = Env::new();
    let link = env.link("-setns-test");
    cmd(&link)
        .arg("--version")
        .run()
        .success()
        .stdout_is(&format!("setns-test from nsbox {VERSION}\n"));
    cmd(&link).arg("--bogus").run().code(1).stderr_is(
        "setns-test: unrecognized option '--bogus'\n\
             Try 'setns-test --help' for more information.\n",
    );
}

#[test]
fn applet_called_through_nsbox_names_itself_in_errors() {
    let env = Env::new();
    let missing = env.tmp().join("missing");
    let out = nsbox()
        .args(["setns-test".as_ref(), missing.as_os_str()])
        .run();
    out.code(1).stdout_is("").stderr_is(&format!(
        "setns-test: cannot open {}: No such file or directory\n",
        missing.display()
    ));
    nsbox()
        .args(["setns-test", "--bogus"])
        .run()
        .code(1)
        .stderr_is(
            "setns-test: unrecognized option '--bogus'\n\
             Try 'setns-test --help' for more information.\n",
        );
    let out = nsbox().arg("setns-test").run();
    out.code(1)
        .stdout_is("")
        .stderr_has("setns-test: no namespace file specified\n")
        .stderr_has("Try 'setns-test --help' for more information.\n");
    out.check(!out.stderr().contains("nsbox"), "stderr mentions nsbox");
    nsbox().args(["unshare", "--x"]).run().code(1).stderr_is(
        "unshare: unrecognized option '--x'\n\
             Try 'unshare --help' for more information.\n",
    );
}

#[test]
fn list_prints_the_four_names() {
    let out = nsbox().arg("--list").run();
    out.success().stderr_is("");
    let text = out.stdout();
    out.check(text.ends_with('\n'), "no final newline");
    let mut names: Vec<&str> = text.lines().collect();
    names.sort();
    out.check(names == APPLETS, "expected exactly the four applet names");
}

#[test]
fn list_takes_no_arguments() {
    nsbox()
        .args(["--list", "extra"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_has("nsbox: ")
        .stderr_has("extra");
}

fn check_usage(out: &Output) {
    out.success()
        .stderr_is("")
        .stdout_has("Usage: nsbox APPLET")
        .stdout_has("--list")
        .stdout_has("--install");
    let text = out.stdout();
    let listed = text
        .split("Applets:\n")
        .nth(1)
        .unwrap_or_else(|| out.fail("no applet list"));
    let names: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    out.check(sorted == APPLETS, "applet list differs from the four names");
}

#[test]
fn help_prints_usage_and_applets() {
    check_usage(&nsbox().arg("--help").run());
    check_usage(&nsbox().arg("-h").run());
}

#[test]
fn no_arguments_prints_usage() {
    check_usage(&nsbox().run());
}

#[test]
fn nsbox_version() {
    for flag in ["--version", "-V"] {
        nsbox()
            .arg(flag)
            .run()
            .success()
            .stdout_is(&format!("nsbox {VERSION}\n"))
            .stderr_is("");
    }
}

#[test]
fn nsbox_unknown_option() {
    nsbox()
        .arg("--bogus")
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(
            "nsbox: unrecognized option '--bogus'\n\
             Try 'nsbox --help' for more information.\n",
        );
}

#[test]
fn unknown_applet_through_nsbox() {
    nsbox()
        .arg("frob")
        .run()
        .code(127)
        .stdout_is("")
        .stderr_is("frob: applet not found\n");
    nsbox()
        .args(["frob", "--help"])
        .run()
        .code(127)
        .stdout_is("")
        .stderr_is("frob: applet not found\n");
}

#[test]
fn unknown_applet_through_a_link() {
    let env = Env::new();
    cmd(env.link("frob"))
        .arg("--version")
        .run()
        .code(127)
        .stdout_is("")
        .stderr_is("frob: applet not found\n");
}

#[test]
fn nsbox_long_options_abbreviate_as_the_applets_do() {
    for flag in ["--he", "--h", "--hel"] {
        check_usage(&nsbox().arg(flag).run());
    }
    for flag in ["--v", "--vers"] {
        nsbox()
            .arg(flag)
            .run()
            .success()
            .stdout_is(&format!("nsbox {VERSION}\n"));
    }
    let out = nsbox().arg("--li").run();
    out.success().stderr_is("");
    out.check(
        out.stdout().lines().count() == APPLETS.len(),
        "not the list",
    );
    let dir = TempDir::new();
    nsbox()
        .arg("--inst")
        .arg(dir.path())
        .arg("-s")
        .run()
        .success()
        .stderr_is("");
    assert_eq!(dir.names(), APPLETS);
    nsbox().arg("--list=x").run().code(1).stderr_is(
        "nsbox: option '--list' doesn't allow an argument\n\
         Try 'nsbox --help' for more information.\n",
    );
}

#[test]
fn nsbox_options_take_no_extra_arguments() {
    for args in [
        &["--version", "extra"][..],
        &["-V", "extra"],
        &["--help", "extra"],
        &["--list", "extra"],
        &["--install", "/tmp", "extra"],
    ] {
        nsbox().args(args).run().code(1).stdout_is("").stderr_is(
            "nsbox: unexpected argument 'extra'\n\
             Try 'nsbox --help' for more information.\n",
        );
    }
    nsbox()
        .args(["--help", "--version"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(
            "nsbox: --help and --version cannot be combined\n\
             Try 'nsbox --help' for more information.\n",
        );
    nsbox().args(["-s", "--list"]).run().code(1).stderr_is(
        "nsbox: -s goes with --install\n\
         Try 'nsbox --help' for more information.\n",
    );
}

#[test]
fn an_unknown_option_after_install_is_not_a_directory() {
    // Run where a directory called --bogus would be made relative to.
    let cwd = TempDir::new();
    nsbox()
        .args(["--install", "--bogus"])
        .current_dir(cwd.path())
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(
            "nsbox: unrecognized option '--bogus'\n\
             Try 'nsbox --help' for more information.\n",
        );
    assert!(cwd.names().is_empty());
    // After `--`, a directory may start with a dash.
    std::fs::create_dir(cwd.join("-dir")).unwrap();
    nsbox()
        .args(["--install", "-s", "--", "-dir"])
        .current_dir(cwd.path())
        .run()
        .success()
        .stderr_is("");
    let mut names: Vec<String> = std::fs::read_dir(cwd.join("-dir"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, APPLETS);
}

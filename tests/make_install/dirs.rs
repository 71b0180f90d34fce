//! Where the files go: the defaults for PREFIX, pkg-config's completion
//! directories, and the links in LIBEXECDIR.

use std::path::Path;

use crate::common::*;
use crate::stage::*;

/// Where each kind of file goes, relative to DESTDIR.
struct Layout<'a> {
    bin: &'a str,
    libexec: &'a str,
    man: &'a str,
    bash: &'a str,
    zsh: &'a str,
    fish: &'a str,
}

impl Layout<'_> {
    /// Every file of a full install, sorted.
    fn files(&self) -> Vec<String> {
        let mut files = vec![format!("{}/nsbox", self.bin)];
        for applet in APPLETS {
            files.push(format!("{}/{applet}", self.bin));
            files.push(format!("{}/{applet}", self.libexec));
        }
        for name in APPLETS.iter().chain(&["nsbox"]) {
            files.push(format!("{}/man1/{name}.1", self.man));
            files.push(format!("{}/{name}", self.bash));
            files.push(format!("{}/_{name}", self.zsh));
            files.push(format!("{}/{name}.fish", self.fish));
        }
        files.sort();
        files
    }
}

/// The names in the tree that are not directories, sorted.
fn files(stage: &Stage) -> Vec<String> {
    regular_files(&stage.tree()).into_keys().collect()
}

/// A directory of .pc files: (package, contents).
fn pc_dir(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new();
    for (package, text) in files {
        dir.write(&format!("{package}.pc"), text, 0o644);
    }
    dir
}

/// Debian's bash-completion.pc and fish.pc, with names of our own for the
/// directories, so that only pkg-config can have told them.
const BASH_PC: &str = "prefix=/usr\n\
    completionsdir=${prefix}/share/bash-completion/from-pc\n\
    Name: bash-completion\nDescription: x\nVersion: 2.11\n";
const FISH_PC: &str = "prefix=/usr\ndatadir=${prefix}/share\n\
    completionsdir=${datadir}/fish/from-pc\n\
    Name: fish\nDescription: x\nVersion: 3.6.0\n";

fn install(stage: &Stage, prefix: Option<&str>, pc: Option<&TempDir>, settings: &[&str]) {
    let mut command = stage.command(Path::new(NSBOX), "install");
    if let Some(prefix) = prefix {
        command = command.arg(format!("PREFIX={prefix}"));
    }
    if let Some(pc) = pc {
        command = command.env("PKG_CONFIG_LIBDIR", pc.path());
    }
    command.args(settings).run().success().stderr_is("");
}

#[test]
fn defaults_for_usr() {
    let stage = Stage::empty();
    install(&stage, Some("/usr"), None, &[]);
    let layout = Layout {
        bin: "usr/bin",
        libexec: "usr/libexec/nsbox",
        man: "usr/share/man",
        bash: "usr/share/bash-completion/completions",
        zsh: zsh_dir(),
        fish: "usr/share/fish/vendor_completions.d",
    };
    assert_eq!(files(&stage), layout.files());
}

/// The default prefix, /usr/local: nothing goes to /usr, and fish's
/// completions go where fish looks whatever XDG_DATA_DIRS says.
#[test]
fn defaults_for_usr_local() {
    let stage = Stage::empty();
    install(&stage, None, None, &[]);
    let layout = Layout {
        bin: "usr/local/bin",
        libexec: "usr/local/libexec/nsbox",
        man: "usr/local/share/man",
        bash: "usr/local/share/bash-completion/completions",
        zsh: "usr/local/share/zsh/site-functions",
        fish: "etc/fish/completions",
    };
    assert_eq!(files(&stage), layout.files());
}

#[test]
fn pkg_config_names_the_completion_directories_under_prefix() {
    let pc = pc_dir(&[("bash-completion", BASH_PC), ("fish", FISH_PC)]);
    let cases = [
        (
            "/usr",
            "usr/share/bash-completion/from-pc",
            "usr/share/fish/from-pc",
        ),
        (
            "/opt/nsbox",
            "opt/nsbox/share/bash-completion/from-pc",
            "opt/nsbox/share/fish/from-pc",
        ),
        (
            "/usr/local",
            "usr/local/share/bash-completion/from-pc",
            "etc/fish/completions",
        ),
    ];
    for (prefix, bash, fish) in cases {
        let stage = Stage::empty();
        install(&stage, Some(prefix), Some(&pc), &[]);
        let files = files(&stage);
        for name in ["nsbox", "unshare"] {
            let bash = format!("{bash}/{name}");
            let fish = format!("{fish}/{name}.fish");
            assert!(
                files.contains(&bash),
                "PREFIX={prefix}: no {bash} in {files:?}"
            );
            assert!(
                files.contains(&fish),
                "PREFIX={prefix}: no {fish} in {files:?}"
            );
        }
    }
}

/// A .pc file whose directory ignores the prefix would send a /usr/local
/// install into /usr: that answer is not taken.
#[test]
fn pkg_config_answers_outside_prefix_are_ignored() {
    let pc = pc_dir(&[(
        "bash-completion",
        "completionsdir=/usr/share/bash-completion/completions\n\
         Name: bash-completion\nDescription: x\nVersion: 2.11\n",
    )]);
    let stage = Stage::empty();
    install(&stage, Some("/opt/nsbox"), Some(&pc), &[]);
    let files = files(&stage);
    assert!(files.contains(&"opt/nsbox/share/bash-completion/completions/nsbox".to_owned()));
    assert!(
        files.iter().all(|f| f.starts_with("opt/nsbox/")),
        "{files:?}"
    );
}

#[test]
fn every_directory_can_be_set() {
    let pc = pc_dir(&[("bash-completion", BASH_PC), ("fish", FISH_PC)]);
    let stage = Stage::empty();
    install(
        &stage,
        Some("/usr"),
        Some(&pc),
        &[
            "BINDIR=/x/bin",
            "LIBEXECDIR=/x/lib/nsbox",
            "MANDIR=/x/man",
            "BASHCOMPDIR=/x/bash",
            "ZSHCOMPDIR=/x/zsh",
            "FISHCOMPDIR=/x/fish",
            "LINKS=symbolic",
        ],
    );
    let layout = Layout {
        bin: "x/bin",
        libexec: "x/lib/nsbox",
        man: "x/man",
        bash: "x/bash",
        zsh: "x/zsh",
        fish: "x/fish",
    };
    assert_eq!(files(&stage), layout.files());
    let target = std::fs::read_link(stage.path("x/lib/nsbox/unshare")).unwrap();
    assert_eq!(target, Path::new("../../bin/nsbox"));
}

/// Symbolic links are relative, so that the staged tree works wherever
/// it is unpacked: a package's are.
#[test]
fn symbolic_links_are_relative() {
    let stage = Stage::empty();
    install(&stage, Some("/usr"), None, &["LINKS=symbolic"]);
    for applet in APPLETS {
        let link = |dir: &str| std::fs::read_link(stage.path(&format!("{dir}/{applet}")));
        assert_eq!(link("usr/bin").unwrap(), Path::new("nsbox"));
        assert_eq!(
            link("usr/libexec/nsbox").unwrap(),
            Path::new("../../bin/nsbox")
        );
        cmd(stage.path(&format!("usr/libexec/nsbox/{applet}")))
            .arg("--version")
            .run()
            .success()
            .stdout_is(&format!("{applet} from nsbox {VERSION}\n"));
    }
}

//! `make deb`: the Debian package, built from the binary under test into a
//! temporary directory, then looked at with `dpkg-deb -c`, `dpkg-deb -f`
//! and lintian, and unpacked (never installed) to run what it holds.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// `make deb` with the binary under test as BIN; CARGO=true turns the
/// static build it starts into nothing, so that the test builds nothing.
fn build(dir: &TempDir) -> PathBuf {
    let out = cmd("make")
        .args([
            "--no-print-directory",
            "-s",
            "-C",
            ROOT,
            "deb",
            "CARGO=true",
        ])
        .arg(format!("BIN={NSBOX}"))
        .arg(format!("DEBDIR={}", dir.path().display()))
        .arg("DEB_MAINTAINER=nsbox tests <nsbox-tests@example.org>")
        .env("SOURCE_DATE_EPOCH", "1764000000")
        .env_remove("MAKEFLAGS")
        .env_remove("MAKELEVEL")
        .run();
    out.success().stderr_is("");
    let deb = dir.join(format!("nsbox_{VERSION}-1_{}.deb", arch()));
    out.stdout_is(&format!("{}\n", deb.display()));
    deb
}

fn arch() -> String {
    let out = cmd("dpkg").arg("--print-architecture").run();
    out.success();
    out.stdout().trim().to_owned()
}

/// One line of `dpkg-deb -c`: the type letter, the owner, the path
/// without the leading ".", and for a symbolic link its target.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    path: String,
    kind: char,
    mode: String,
    owner: String,
    target: Option<String>,
}

fn contents(deb: &Path) -> Vec<Entry> {
    let out = cmd("dpkg-deb").arg("-c").arg(deb).run();
    out.success();
    let mut entries: Vec<Entry> = out
        .stdout()
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (kind, mode) = fields[0].split_at(1);
            let path = fields[5].trim_start_matches('.').to_owned();
            Entry {
                path,
                kind: kind.chars().next().unwrap(),
                mode: mode.to_owned(),
                owner: fields[1].to_owned(),
                target: (fields.get(6) == Some(&"->")).then(|| fields[7].to_owned()),
            }
        })
        .collect();
    entries.sort();
    entries
}

#[test]
fn the_package_holds_what_it_should_and_nothing_of_util_linux() {
    let dir = TempDir::new();
    let deb = build(&dir);
    let entries = contents(&deb);
    let mut expected: Vec<(String, char, Option<&str>)> = vec![
        ("/usr/bin/nsbox".into(), '-', None),
        ("/usr/bin/setns-test".into(), 'l', Some("nsbox")),
        ("/usr/bin/nsbind".into(), 'l', Some("nsbox")),
        ("/usr/share/doc/nsbox/changelog.Debian.gz".into(), '-', None),
        ("/usr/share/doc/nsbox/copyright".into(), '-', None),
        ("/usr/share/doc/nsbox/README.md.gz".into(), '-', None),
        ("/usr/share/lintian/overrides/nsbox".into(), '-', None),
    ];
    for applet in APPLETS {
        expected.push((
            format!("/usr/libexec/nsbox/{applet}"),
            'l',
            Some("../../bin/nsbox"),
        ));
    }
    for name in ["nsbox", "setns-test", "nsbind"] {
        expected.extend([
            (format!("/usr/share/man/man1/{name}.1.gz"), '-', None),
            (
                format!("/usr/share/bash-completion/completions/{name}"),
                '-',
                None,
            ),
            (
                format!("/usr/share/zsh/vendor-completions/_{name}"),
                '-',
                None,
            ),
            (
                format!("/usr/share/fish/vendor_completions.d/{name}.fish"),
                '-',
                None,
            ),
        ]);
    }
    let mut got: Vec<(String, char, Option<&str>)> = entries
        .iter()
        .filter(|e| e.kind != 'd')
        .map(|e| (e.path.clone(), e.kind, e.target.as_deref()))
        .collect();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
    for entry in &entries {
        assert_eq!(entry.owner, "root/root", "{entry:?}");
        let mode = match (entry.kind, entry.path.as_str()) {
            ('l', _) => "rwxrwxrwx",
            ('d', _) | ('-', "/usr/bin/nsbox") => "rwxr-xr-x",
            _ => "rw-r--r--",
        };
        assert_eq!(entry.mode, mode, "{entry:?}");
    }
}

#[test]
fn control_fields() {
    let dir = TempDir::new();
    let deb = build(&dir);
    let field = |name: &str| {
        let out = cmd("dpkg-deb").arg("-f").arg(&deb).arg(name).run();
        out.success();
        out.stdout().trim().to_owned()
    };
    assert_eq!(field("Package"), "nsbox");
    assert_eq!(field("Version"), format!("{VERSION}-1"));
    assert_eq!(field("Architecture"), arch());
    assert_eq!(field("Maintainer"), "nsbox tests <nsbox-tests@example.org>");
    // Static: nothing to depend on, and glibc's source named.
    assert_eq!(field("Depends"), "");
    assert!(field("Built-Using").starts_with("glibc (= "));
}

#[test]
fn lintian_is_clean() {
    let dir = TempDir::new();
    let deb = build(&dir);
    let out = cmd("lintian")
        .args(["--fail-on", "error,warning", "--display-info"])
        .arg(&deb)
        .run();
    // As root, lintian warns on stderr that it should not run as root.
    out.success().stdout_is("");
}

/// Unpacked, not installed: the links run nsbox, the executable is static
/// and stripped, and the pages and completions are the source tree's.
#[test]
fn the_unpacked_package_works() {
    let dir = TempDir::new();
    let deb = build(&dir);
    let root = dir.join("root");
    cmd("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(&root)
        .run()
        .success();
    for link in [
        "usr/bin/setns-test",
        "usr/bin/nsbind",
        "usr/libexec/nsbox/unshare",
        "usr/libexec/nsbox/nsenter",
    ] {
        let applet = link.rsplit('/').next().unwrap();
        cmd(root.join(link))
            .arg("--version")
            .run()
            .success()
            .stdout_is(&format!("{applet} from nsbox {VERSION}\n"));
    }
    let nsbox = root.join("usr/bin/nsbox");
    let headers = cmd("readelf").args(["-lS", "-W"]).arg(&nsbox).run();
    headers.success();
    headers.check(!headers.stdout().contains("INTERP"), "not static");
    headers.check(!headers.stdout().contains(".symtab"), "not stripped");

    for (packaged, source) in [
        (
            "usr/share/bash-completion/completions/nsbind",
            "completions/bash/nsbind",
        ),
        (
            "usr/share/zsh/vendor-completions/_nsbox",
            "completions/zsh/_nsbox",
        ),
        (
            "usr/share/fish/vendor_completions.d/setns-test.fish",
            "completions/fish/setns-test.fish",
        ),
    ] {
        assert_eq!(
            std::fs::read(root.join(packaged)).unwrap(),
            std::fs::read(Path::new(ROOT).join(source)).unwrap(),
            "{packaged}"
        );
    }
    for name in ["nsbox", "setns-test", "nsbind"] {
        let page = cmd("gzip")
            .arg("-dc")
            .arg(root.join(format!("usr/share/man/man1/{name}.1.gz")))
            .run();
        page.success();
        assert_eq!(
            page.stdout,
            std::fs::read(Path::new(ROOT).join(format!("man/{name}.1"))).unwrap()
        );
    }
}

/// The same sources and SOURCE_DATE_EPOCH make the same package.
#[test]
fn the_package_is_reproducible() {
    let first = TempDir::new();
    let second = TempDir::new();
    let a = std::fs::read(build(&first)).unwrap();
    let b = std::fs::read(build(&second)).unwrap();
    assert!(a == b, "two builds differ");
}

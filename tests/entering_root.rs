//! `nsenter -r` without `-w`: the program starts inside the new root, at
//! the path nsenter was started in when that is a directory there, else at
//! its `/`, and never in a directory outside it (util-linux returns to the
//! old working directory, from where `cd ..` climbs out of the root).
//!
//! The targets are chrooted into a directory holding a static busybox, by
//! util-linux's unshare; what the program sees is asked of busybox there.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;

const UL_NSENTER: &str = "/usr/bin/nsenter";

/// Climbs further than any test directory is deep, then lists: inside the
/// root, `..` at `/` stays at `/`, so this lists the root.
const CLIMB: &str = "pwd; ls; cd ../../../../../../../..; echo --; ls";

/// A root directory: `/bin/busybox`, `/jail-root` (a marker), `/elsewhere`.
struct Jail {
    env: Env,
    root: PathBuf,
}

impl Jail {
    fn new() -> Jail {
        let env = Env::new();
        let root = env.tmp().join("root");
        for dir in ["bin", "elsewhere"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        let busybox = root.join("bin/busybox");
        if std::fs::hard_link("/usr/bin/busybox", &busybox).is_err() {
            std::fs::copy("/usr/bin/busybox", &busybox).unwrap();
        }
        std::fs::write(root.join("jail-root"), "").unwrap();
        Jail { env, root }
    }

    /// A directory of ours at `name`, holding a file `outside`; with
    /// `inside`, the same path inside the root is a directory holding a
    /// file `inside` (true) or a regular file (false).
    fn start_dir(&self, name: &str, inside: Option<bool>) -> PathBuf {
        let ours = self.env.tmp().join(name);
        std::fs::create_dir(&ours).unwrap();
        std::fs::write(ours.join("outside"), "").unwrap();
        let theirs = self.inside(&ours);
        match inside {
            Some(true) => {
                std::fs::create_dir_all(&theirs).unwrap();
                std::fs::write(theirs.join("inside"), "").unwrap();
            }
            Some(false) => {
                std::fs::create_dir_all(theirs.parent().unwrap()).unwrap();
                std::fs::write(&theirs, "").unwrap();
            }
            None => {}
        }
        ours
    }

    /// Where `path` is, seen from the root.
    fn inside(&self, path: &Path) -> PathBuf {
        self.root.join(path.strip_prefix("/").unwrap())
    }

    /// What `ls /` prints inside the root.
    fn root_listing(&self) -> String {
        let mut names: Vec<String> = std::fs::read_dir(&self.root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names.iter().map(|n| format!("{n}\n")).collect()
    }

    /// A busybox sleep chrooted here, in a new UTS namespace (and the
    /// given other options of util-linux's unshare), its working directory
    /// `/elsewhere`.
    fn target(&self, options: &[&str]) -> Jailed {
        let proc = cmd(UL_UNSHARE)
            .arg("--uts")
            .args(options)
            .arg("--root")
            .arg(&self.root)
            .args(["--wd", "/elsewhere", "/bin/busybox", "sleep", "600"])
            .spawn();
        Jailed::wait_for(proc)
    }

    fn nsenter(&self) -> Cmd {
        self.env.applet("nsenter")
    }
}

/// The chrooted target; killed and reaped on drop (by `Proc`).
struct Jailed {
    proc: Proc,
}

impl Jailed {
    fn wait_for(mut proc: Proc) -> Jailed {
        let pid = proc.pid();
        let deadline = Instant::now() + TIMEOUT;
        while comm(pid).as_deref() != Some("busybox") || ns(pid, "uts") == own_ns("uts") {
            if proc.has_exited() {
                proc.wait().fail("the target ended before it ran busybox");
            }
            assert!(Instant::now() < deadline, "target {pid} not ready in time");
            std::thread::sleep(Duration::from_millis(2));
        }
        Jailed { proc }
    }

    fn pid(&self) -> String {
        self.proc.pid().to_string()
    }
}

/// The path we started in is a directory inside the root too: the program
/// starts there (not in ours), and cannot climb out of the root.
#[test]
fn same_path_inside() {
    let jail = Jail::new();
    let here = jail.start_dir("here", Some(true));
    let target = jail.target(&[]);
    jail.nsenter()
        .current_dir(&here)
        .args([
            "-t",
            &target.pid(),
            "-u",
            "-r",
            "/bin/busybox",
            "sh",
            "-c",
            CLIMB,
        ])
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&format!(
            "{}\ninside\n--\n{}",
            here.display(),
            jail.root_listing()
        ));
}

/// No such path inside the root, or not a directory there: its `/`.
/// util-linux starts the program in our directory, outside the root.
#[test]
fn no_such_directory_inside() {
    let jail = Jail::new();
    let missing = jail.start_dir("missing", None);
    let file = jail.start_dir("file", Some(false));
    let target = jail.target(&[]);
    let expected = format!("/\n{0}--\n{0}", jail.root_listing());
    for dir in [&missing, &file] {
        jail.nsenter()
            .current_dir(dir)
            .args([
                "-t",
                &target.pid(),
                "-u",
                "-r",
                "/bin/busybox",
                "sh",
                "-c",
                CLIMB,
            ])
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&expected);
    }
    let out = cmd(UL_NSENTER)
        .current_dir(&missing)
        .args([
            "-t",
            &target.pid(),
            "-u",
            "-r",
            "/bin/busybox",
            "sh",
            "-c",
            CLIMB,
        ])
        .run();
    out.success().check(
        out.stdout().contains("\noutside\n--\n") && !out.stdout().ends_with(&expected),
        "util-linux was expected to keep the directory outside the root",
    );
}

/// With the target's mount namespace entered as well (which resets the
/// working directory to that namespace's root, outside the target's).
#[test]
fn with_the_mount_namespace() {
    let jail = Jail::new();
    let here = jail.start_dir("here", Some(true));
    let missing = jail.start_dir("missing", None);
    let target = jail.target(&["--mount", "--propagation", "private"]);
    for (dir, first) in [
        (&here, format!("{}\ninside\n", here.display())),
        (&missing, format!("/\n{}", jail.root_listing())),
    ] {
        jail.nsenter()
            .current_dir(dir)
            .args(["-t", &target.pid(), "-m", "-u", "-r"])
            .args(["/bin/busybox", "sh", "-c", CLIMB])
            .run()
            .success()
            .stderr_is("")
            .stdout_is(&format!("{first}--\n{}", jail.root_listing()));
    }
}

/// -w and -W choose the directory as before, even where the path we
/// started in exists inside the root.
#[test]
fn wd_and_wdns_still_decide() {
    let jail = Jail::new();
    let here = jail.start_dir("here", Some(true));
    let target = jail.target(&[]);
    let pid = target.pid();
    for options in [&["-w"][..], &["-W", "/elsewhere"], &["--wdns=/elsewhere"]] {
        jail.nsenter()
            .current_dir(&here)
            .args(["-t", &pid, "-u", "-r"])
            .args(options)
            .args(["/bin/busybox", "pwd"])
            .run()
            .success()
            .stderr_is("")
            .stdout_is("/elsewhere\n");
    }
}

/// A working directory that was removed has no path: `/`, even though the
/// path it had exists inside the root.
#[test]
fn removed_working_directory() {
    let jail = Jail::new();
    let gone = jail.start_dir("gone", Some(true));
    std::fs::remove_file(gone.join("outside")).unwrap();
    let target = jail.target(&[]);
    let script = r#"cd "$1" && rmdir "$1" && exec "$2" -t "$3" -u -r /bin/busybox sh -c "$4""#;
    cmd("sh")
        .args(["-c", script, "sh"])
        .arg(&gone)
        .arg(jail.env.path("nsenter"))
        .args([&target.pid(), CLIMB])
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&format!("/\n{0}--\n{0}", jail.root_listing()));
}

/// nsenter started where its working directory is out of reach of its own
/// root (getcwd has no path to give): `/`. Here nsenter itself runs
/// chrooted into the jail, by util-linux's nsenter with `--wd` outside it,
/// in a throwaway mount namespace where the jail has a /proc.
#[test]
fn unreachable_working_directory() {
    let jail = Jail::new();
    let out_of_reach = jail.start_dir("out-of-reach", Some(true));
    std::fs::create_dir(jail.root.join("proc")).unwrap();
    std::fs::copy(NSBOX, jail.root.join("bin/nsenter")).unwrap();
    let target = jail.target(&[]);
    let script = r#"mount -t proc proc "$1/proc" &&
        exec "$2" --root="$1" --wd="$3" /bin/nsenter -t "$4" -u -r /bin/busybox sh -c "$5""#;
    cmd(UL_UNSHARE)
        .args([
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            script,
            "sh",
        ])
        .arg(&jail.root)
        .arg(UL_NSENTER)
        .arg(&out_of_reach)
        .args([&target.pid(), CLIMB])
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&format!("/\n{0}--\n{0}", jail.root_listing()));
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(
        !mountinfo.contains(&jail.root.display().to_string()),
        "the jail's /proc reached our mount namespace"
    );
}

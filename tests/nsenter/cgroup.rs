//! `-c`/`--join-cgroup`: the program joins the target's cgroup.

use super::*;

/// The cgroup2 mount point, from /proc/self/mountinfo (on this hybrid
/// machine /sys/fs/cgroup/unified), and the root it shows.
fn cgroup2_mount() -> (PathBuf, String) {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    for line in mountinfo.lines() {
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        if right.split_whitespace().next() == Some("cgroup2") {
            let fields: Vec<&str> = left.split_whitespace().collect();
            return (PathBuf::from(fields[4]), fields[3].to_owned());
        }
    }
    panic!("no cgroup2 mount in\n{mountinfo}");
}

/// --join-cgroup can only be shown with a target that lives in another
/// cgroup v2 cgroup than ours, and the machine gives us none: so this
/// makes a transient, uniquely named child cgroup under the cgroup2
/// mount and moves only its own target into it (nothing else, not the
/// test process). On drop the target is killed and reaped first, so
/// that the cgroup is empty, then the cgroup is removed.
struct JoinCgroup {
    target: Option<Target>,
    dir: PathBuf,
    /// The cgroup as /proc/PID/cgroup names it: `/NAME`.
    path: String,
}

impl JoinCgroup {
    fn new(kinds: &[&'static str]) -> JoinCgroup {
        let (mount, root) = cgroup2_mount();
        assert_eq!(root, "/", "the cgroup2 mount shows a sub-tree");
        let name = format!(
            "nsbox-nsenter-test.{}.{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let dir = mount.join(&name);
        std::fs::create_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        let mut guard = JoinCgroup {
            target: None,
            dir,
            path: format!("/{name}"),
        };
        let target = Target::new(kinds);
        let procs = guard.dir.join("cgroup.procs");
        std::fs::write(&procs, target.pid().to_string())
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", procs.display()));
        guard.target = Some(target);
        guard
    }

    fn target(&self) -> &Target {
        self.target.as_ref().unwrap()
    }
}

impl Drop for JoinCgroup {
    fn drop(&mut self) {
        drop(self.target.take());
        // Empty once the target is reaped; the kernel may take a moment
        // to notice.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match std::fs::remove_dir(&self.dir) {
                Ok(()) => return,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
                Err(e) if Instant::now() > deadline => {
                    panic!("cannot remove {}: {e}", self.dir.display())
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    }
}

fn our_cgroup() -> String {
    v2_cgroup(&std::fs::read_to_string("/proc/self/cgroup").unwrap()).unwrap()
}

/// The program run by `nsenter -t T -c` is in T's cgroup (also when it
/// runs as a child, with -p: the move comes before the fork); without
/// -c it stays in ours.
#[test]
fn join_cgroup() {
    let env = Env::new();
    let cg = JoinCgroup::new(&["uts", "pid"]);
    let pid = cg.target().pid().to_string();
    let theirs = v2_cgroup(&std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap());
    assert_eq!(theirs.as_deref(), Some(cg.path.as_str()));
    assert_ne!(our_cgroup(), cg.path);
    for args in [
        &["-u", "-c"][..],
        &["-u", "--join-cgroup"],
        &["-p", "-c"],
        &["-p", "-F", "-c"],
    ] {
        let out = nsenter(&env)
            .args(["-t", &pid])
            .args(args)
            .args(["cat", "/proc/self/cgroup"])
            .run();
        out.success().stderr_is("");
        out.check(
            v2_cgroup(&out.stdout()).as_deref() == Some(cg.path.as_str()),
            &format!("expected 0::{}", cg.path),
        );
    }
    for option in ["-u", "-p"] {
        let out = nsenter(&env)
            .args(["-t", &pid, option, "cat", "/proc/self/cgroup"])
            .run();
        out.success();
        out.check(
            v2_cgroup(&out.stdout()) == Some(our_cgroup()),
            "without -c the program should stay in our cgroup",
        );
    }
}

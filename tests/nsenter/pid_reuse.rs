//! PID reuse: `-t PID:INODE` pins the target by the inode of its pidfd.

use super::*;

/// `-t PID:INODE`, INODE of a pidfd of the process: accepted when it is
/// the target's, refused otherwise.
#[test]
fn pid_and_inode() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let pid = target.pid();
    let inode = pidfd_inode(pid);
    let t = format!("{pid}:{inode}");
    nsenter(&env)
        .args(["-t", &t, "-u", "hostname"])
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&format!("{}\n", target.hostname()));
    nsenter(&env)
        .arg(format!("--target={t}"))
        .args(["-u", "hostname"])
        .run()
        .success()
        .stdout_is(&format!("{}\n", target.hostname()));
    // Another process's inode, and one nobody has.
    let other = Target::new(&["uts"]);
    for wrong in [pidfd_inode(other.pid()), inode + 1] {
        assert_ne!(wrong, inode);
        nsenter(&env)
            .args(["-t", &format!("{pid}:{wrong}"), "-u", "echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(&format!(
                "nsenter: pidfd inode {wrong} not found for pid {pid}\n"
            ));
    }
}

/// The pid of the process whose NSpid ends with `inner`, below `root`.
fn outer_pid(root: i32, inner: i32) -> Option<i32> {
    descendants(root).into_iter().find(|&p| {
        std::fs::read_to_string(format!("/proc/{p}/status")).is_ok_and(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("NSpid:"))
                .and_then(|l| l.split_whitespace().last())
                == Some(inner.to_string().as_str())
        })
    })
}

/// A target that exits, its PID then given to a new process: the old
/// PID:INODE is refused, where the bare PID would enter the newcomer.
/// All in a PID namespace made for the test, where ns_last_pid makes
/// the reuse certain; the inode comes from a pidfd the test process
/// opens on the old target's outer pid.
#[test]
fn reused_pid_is_refused() {
    let env = Env::new();
    let script = r#"
            "$UNSHARE" -u sh -c 'hostname old-host; exec sleep 600' &
            old=$!
            waitfor '[ "$(cat /proc/$old/comm 2>/dev/null)" = sleep ]'
            echo "$old" > "$D/old.tmp" && mv "$D/old.tmp" "$D/old"
            waitfor '[ -e "$D/inode" ]'
            inode=$(cat "$D/inode")
            "$N" -t "$old:$inode" -u hostname 2>&1; echo "status $?"
            kill -KILL "$old"; wait "$old" 2>/dev/null
            echo $((old - 1)) > /proc/sys/kernel/ns_last_pid
            "$UNSHARE" -u sh -c 'hostname new-host; exec sleep 600' &
            new=$!
            [ "$new" = "$old" ] || { echo "pid $old not reused: got $new"; exit 1; }
            waitfor '[ "$(cat /proc/$new/comm 2>/dev/null)" = sleep ]'
            "$N" -t "$old:$inode" -u hostname 2>&1; echo "status $?"
            "$N" -t "$old" -u hostname 2>&1; echo "status $?"
            kill -KILL "$new"; wait "$new" 2>/dev/null
            exit 0
        "#;
    let mut proc = pidns_shell(&env, script).env("UNSHARE", UL_UNSHARE).spawn();
    let old_file = env.tmp().join("old");
    let deadline = Instant::now() + TIMEOUT;
    while !old_file.exists() {
        if proc.has_exited() {
            let out = std::mem::replace(&mut proc, cmd("true").spawn()).wait();
            out.fail("the script ended early");
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {old_file:?}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let old: i32 = std::fs::read_to_string(&old_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let outer = outer_pid(proc.pid(), old).expect("the old target, seen from outside");
    assert_eq!(comm(outer).as_deref(), Some("sleep"));
    let inode = pidfd_inode(outer);
    let tmp = env.tmp().join("inode.tmp");
    std::fs::write(&tmp, inode.to_string()).unwrap();
    std::fs::rename(&tmp, env.tmp().join("inode")).unwrap();
    proc.wait().success().stderr_is("").stdout_is(&format!(
        "old-host\nstatus 0\n\
             nsenter: pidfd inode {inode} not found for pid {old}\nstatus 1\n\
             new-host\nstatus 0\n"
    ));
}

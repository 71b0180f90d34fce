//! Entering a `Container` as its runtime's exec would: the program's
//! capability sets, no_new_privs and seccomp filters equal the target's,
//! line by line in /proc/self/status, and its filters act alike.

use super::*;

/// The container is what the other tests take it for.
#[test]
fn the_container_is_confined() {
    let c = Container::start();
    let status = proc_status(c.pid());
    let lines = confinement(&status);
    let ours = confinement(&std::fs::read_to_string("/proc/self/status").unwrap());
    for prefix in [
        "CapBnd",
        "CapInh",
        "CapAmb",
        "NoNewPrivs",
        "Seccomp:",
        "Seccomp_filters",
    ] {
        let theirs = lines.iter().find(|l| l.starts_with(prefix)).unwrap();
        let mine = ours.iter().find(|l| l.starts_with(prefix)).unwrap();
        assert_ne!(theirs, mine, "{prefix} is the same as ours");
    }
    assert!(
        lines.contains(&"Seccomp_filters:\t2".to_owned()),
        "{lines:?}"
    );
    let cgroup = std::fs::read_to_string(format!("/proc/{}/cgroup", c.pid())).unwrap();
    assert_eq!(
        v2_cgroup(&cgroup).as_deref(),
        Some(c.cgroup().path.as_str())
    );
}

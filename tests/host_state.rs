//! tests/host-state.sh, which `make check` runs before and after the suite
//! to prove that it left the host as it found it: it must see every kind
//! of leak, and nothing when there is none. The leaks are made inside
//! throwaway mount, UTS and network namespaces (util-linux's unshare, with a
//! tmpfs over /run), never on the host.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/host-state.sh");

/// The script, copied where uid 65534 can run it too.
fn script(tmp: &TempDir) -> PathBuf {
    let text = std::fs::read_to_string(SCRIPT).expect("tests/host-state.sh");
    tmp.write("host-state.sh", &text, 0o755)
}

/// Run `body` in fresh mount, UTS and network namespaces whose /run is an
/// empty tmpfs, after a first snapshot; then compare. `$mnt` is an empty
/// directory under `tmp`, to mount on.
fn leak(script: &Path, tmp: &TempDir, body: &str) -> Output {
    let mnt = tmp.join("mnt");
    std::fs::create_dir_all(&mnt).expect("a directory to mount on");
    let shell = format!(
        "set -e; mount -t tmpfs nsbox-test-run /run; \
         \"$0\" >/run/before; {body}; exec \"$0\" --compare /run/before"
    );
    cmd(UL_UNSHARE)
        .args([
            "--mount",
            "--uts",
            "--net",
            "--propagation=private",
            "sh",
            "-c",
        ])
        .arg(shell)
        .arg(script)
        .env("mnt", &mnt)
        .run()
}

#[test]
fn no_change_is_no_difference() {
    let tmp = TempDir::new();
    let script = script(&tmp);
    let out = leak(&script, &tmp, "sleep 0.2");
    out.success()
        .stdout_is("host-state.sh: the host is as the tests found it\n")
        .stderr_is("");
}

#[test]
fn a_mount_left_behind_is_seen() {
    let tmp = TempDir::new();
    let script = script(&tmp);
    let out = leak(&script, &tmp, "mount -t tmpfs nsbox-leak \"$mnt\"");
    out.code(1)
        .stdout_is("")
        .stderr_has("--- before the tests\n+++ after the tests\n")
        .stderr_has(&format!(
            " {} rw,relatime - tmpfs nsbox-leak rw",
            tmp.join("mnt").display()
        ))
        .stderr_has("host-state.sh: the tests left the host changed");
    // A change of propagation is a change too.
    let out = leak(&script, &tmp, "mount --make-shared /run");
    out.code(1).stderr_has(" shared:");
}

#[test]
fn names_left_changed_are_seen() {
    let tmp = TempDir::new();
    let script = script(&tmp);
    let out = leak(
        &script,
        &tmp,
        "echo nsbox-leak >/proc/sys/kernel/hostname; \
         echo leak.example >/proc/sys/kernel/domainname",
    );
    out.code(1)
        .stderr_has("\n+hostname nsbox-leak\n")
        .stderr_has("\n+domainname leak.example\n")
        .stderr_has("\n-domainname ");
}

#[test]
fn interfaces_and_addresses_left_behind_are_seen() {
    let tmp = TempDir::new();
    let script = script(&tmp);
    let out = leak(
        &script,
        &tmp,
        "ip link add nsbox-v0 type veth peer name nsbox-v1; \
         ip addr add 192.0.2.77/32 dev lo; ip link set lo up",
    );
    out.code(1)
        .stderr_has("\n+link nsbox-v0@nsbox-v1 <BROADCAST,MULTICAST> mtu 1500 link/ether ")
        .stderr_has("\n+link nsbox-v1@nsbox-v0 ")
        .stderr_has("\n+addr lo inet 192.0.2.77/32 scope global lo\n")
        .stderr_has("\n-link lo <LOOPBACK> mtu 65536 ")
        .stderr_has("\n+link lo <LOOPBACK,UP> mtu 65536 ");
}

#[test]
fn network_namespaces_left_in_run_netns_are_seen() {
    let tmp = TempDir::new();
    let script = script(&tmp);
    let out = leak(&script, &tmp, "ip netns add nsbox-leak");
    out.code(1)
        .stderr_has("\n-netns (no /run/netns)\n")
        .stderr_has("\n+netns nsbox-leak\n")
        // ip netns makes /run/netns a mount, and binds the namespace there.
        .stderr_has(" /run/netns/nsbox-leak rw");
}

/// As any user, and with or without /run/netns (absent in the namespaces
/// above, maybe present on the host).
#[test]
fn works_unprivileged() {
    let tmp = TempDir::new();
    let script = script(&tmp);
    let out = cmd(&script).as_user(NOBODY).run();
    out.success().stderr_is("");
    for section in ["# mounts", "# hostname", "# interfaces", "# /run/netns"] {
        out.stdout_has(section);
    }
    out.stdout_has("\nhostname ")
        .stdout_has("\nlink lo <LOOPBACK");
    let before = tmp.write("before", &out.stdout(), 0o644);
    cmd(&script)
        .as_user(NOBODY)
        .arg("--compare")
        .arg(&before)
        .run()
        .success()
        .stdout_is("host-state.sh: the host is as the tests found it\n");
}

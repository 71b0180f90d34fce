//! Unprivileged: as uid 65534 outside a user namespace of its own, every
//! form fails with EPERM and leaves nothing behind.

use super::*;

/// uid 65534 in the host's mount namespace (owned by the initial user
/// namespace) may not mount: every form fails with EPERM and leaves no
/// file it created (the kernel guarantees that nothing is mounted, so
/// this runs outside any scene namespace, as the user would).
#[test]
fn outside_a_user_namespace_fails_with_eperm() {
    let s = Scene::new();
    let target = Target::build(&["uts"]).as_user(NOBODY).start();
    let pid = target.pid().to_string();
    let (f, g, dir) = (s.work("f"), s.work("g"), s.work("dir"));
    let runs = [
        s.nsbind()
            .args(["/proc/self/ns/uts".as_ref(), f.as_os_str()])
            .as_user(NOBODY)
            .run(),
        s.nsbind()
            .args(["-t".as_ref(), pid.as_ref(), "uts".as_ref(), g.as_os_str()])
            .as_user(NOBODY)
            .run(),
        s.nsbind()
            .args([
                "-t".as_ref(),
                pid.as_ref(),
                "--all".as_ref(),
                dir.as_os_str(),
            ])
            .as_user(NOBODY)
            .run(),
    ];
    for out in &runs {
        out.code(1)
            .stdout_is("")
            .stderr_line("nsbind: ")
            .stderr_has("Operation not permitted");
    }
    assert_eq!(
        std::fs::read_dir(s.work("")).unwrap().count(),
        0,
        "a file was left in {}",
        s.w()
    );
    // A file of its own that was there before is refused all the same,
    // and stays.
    std::fs::write(&f, "keep").unwrap();
    std::os::unix::fs::chown(&f, Some(NOBODY), Some(NOBODY)).unwrap();
    let out = s
        .nsbind()
        .args(["/proc/self/ns/uts".as_ref(), f.as_os_str()])
        .as_user(NOBODY)
        .run();
    out.code(1)
        .stderr_line("nsbind: ")
        .stderr_has("Operation not permitted");
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "keep");
}

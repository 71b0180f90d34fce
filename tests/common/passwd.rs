//! /etc/passwd for the login-shell tests: a made-up one to bind-mount over
//! the real one inside a throwaway mount namespace, and the host's.

use std::path::PathBuf;

use super::TempDir;

/// Write `NAME` (a passwd file) and shells for it into `tmp`: root's shell
/// is `PREFIX-root`, nobody's (uid 65534) `PREFIX-nobody`, both symbolic
/// links to /bin/sh, so that a login shell's `$0` tells which ran. Besides,
/// uid 4242 has an empty shell, uid 5151 only a `#` comment line (naming a
/// shell that is never to run), and no other uid has an entry.
pub fn shells_passwd(tmp: &TempDir, name: &str, prefix: &str) -> PathBuf {
    let root = tmp.symlink("/bin/sh", &format!("{prefix}-root"));
    let nobody = tmp.symlink("/bin/sh", &format!("{prefix}-nobody"));
    let text = format!(
        "# made up for nsbox's tests\n\
         \n\
         #comment:x:5151:5151::/:/nonexistent/commented-out\n\
         root:x:0:0:root:/root:{}\n\
         empty:x:4242:4242::/:\n\
         nobody:x:65534:65534:nobody:/nonexistent:{}\n",
        root.display(),
        nobody.display(),
    );
    tmp.write(name, &text, 0o644)
}

/// The login shell's `$0` for `uid` by the host's own /etc/passwd: `-` and
/// the base name of its shell, `-sh` when it names none.
pub fn host_login_argv0(uid: u32) -> String {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    let shell = passwd
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| {
            let fields: Vec<&str> = l.splitn(7, ':').collect();
            (fields.len() == 7 && fields[2].parse() == Ok(uid)).then(|| fields[6])
        })
        .filter(|s| !s.is_empty())
        .unwrap_or("/bin/sh");
    format!("-{}", shell.rsplit('/').next().unwrap())
}

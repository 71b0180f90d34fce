//! User and group names from /etc/passwd and /etc/group.
//!
//! nsbox is linked statically, and glibc's getpwnam in a static binary would
//! need the NSS modules of whatever glibc the host has at run time. Like
//! busybox, we read the files themselves: names served by LDAP or systemd
//! are not found, numeric ids always work.

use crate::error::{Context, Result};

/// The lines of /etc/passwd or /etc/group; none when the file is missing.
fn entries(file: &str) -> Result<String> {
    match std::fs::read_to_string(file) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(e).context(|| format!("cannot read {file}")),
    }
}

/// The `name:x:id:...` entry whose first field is `name`, as its id.
fn id_by_name(file: &str, name: &str) -> Result<Option<u32>> {
    Ok(entries(file)?.lines().find_map(|line| {
        let mut fields = line.split(':');
        (fields.next()? == name)
            .then(|| fields.nth(1)?.parse().ok())
            .flatten()
    }))
}

/// The name of the entry with id `id`, if there is one.
fn name_by_id(file: &str, id: u32) -> Result<Option<String>> {
    Ok(entries(file)?.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)?.parse::<u32>().ok()? == id).then(|| name.to_owned())
    }))
}

pub fn uid_by_name(name: &str) -> Result<Option<u32>> {
    id_by_name("/etc/passwd", name)
}

pub fn gid_by_name(name: &str) -> Result<Option<u32>> {
    id_by_name("/etc/group", name)
}

pub fn user_name(uid: u32) -> Result<Option<String>> {
    name_by_id("/etc/passwd", uid)
}

/// At most this much of /etc/passwd is read for a login shell: more than
/// any real one holds (half a million users), and a bound on what a file
/// planted in a mount namespace entered can make us read.
const PASSWD_LIMIT: u64 = 64 << 20;

/// The login shell of `uid` in /etc/passwd (the last field of the first
/// entry with that uid), as glibc's getpwuid finds it, blank lines and
/// `#` comments skipped; None when there is no such entry or its shell is
/// empty, or when the file is missing, unreadable or not a regular file.
///
/// This may read the /etc/passwd of a mount namespace just entered, or
/// under a new root, so it is read with care: opened non-blocking (a FIFO
/// put there cannot hang us) and without becoming our controlling terminal,
/// used only if it is a regular file, and never beyond `PASSWD_LIMIT`.
pub fn login_shell(uid: u32) -> Option<std::ffi::OsString> {
    use std::io::Read;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open("/etc/passwd")
        .ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut text = Vec::new();
    file.take(PASSWD_LIMIT).read_to_end(&mut text).ok()?;
    text.split(|&b| b == b'\n')
        .map(|line| line.trim_ascii_start())
        .filter(|line| !line.is_empty() && !line.starts_with(b"#"))
        .find_map(|line| {
            // name:password:UID:gid:gecos:home:SHELL, the shell taking
            // whatever colons are left.
            let mut fields = line.splitn(7, |&b| b == b':');
            let id = fields.nth(2)?;
            let shell = fields.nth(3)?;
            (decimal(id) == Some(uid)).then_some(shell)
        })
        .filter(|shell| !shell.is_empty())
        .map(|shell| std::ffi::OsStr::from_bytes(shell).to_owned())
}

/// A field of digits alone, as a number.
fn decimal(field: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(field).ok()?;
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_found_both_ways() {
        assert_eq!(uid_by_name("root").unwrap(), Some(0));
        assert_eq!(gid_by_name("root").unwrap(), Some(0));
        assert_eq!(user_name(0).unwrap().as_deref(), Some("root"));
        assert_eq!(uid_by_name("no-such-user-here").unwrap(), None);
        assert_eq!(uid_by_name("").unwrap(), None);
    }

    #[test]
    fn root_has_a_login_shell() {
        let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
        let root = passwd
            .lines()
            .find(|l| l.starts_with("root:"))
            .and_then(|l| l.rsplit(':').next())
            .filter(|s| !s.is_empty());
        assert_eq!(login_shell(0).as_deref(), root.map(std::ffi::OsStr::new));
        assert_eq!(login_shell(u32::MAX - 7), None);
    }
}

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
}

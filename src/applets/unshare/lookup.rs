//! What unshare's command line names and only the system can resolve: user
//! and group names (/etc/passwd, /etc/group), subordinate ids (/etc/subuid,
//! /etc/subgid) and our own id maps. The parser only records them; they are
//! read once the whole command line is known good, so that the parser reads
//! no file and whatever it refuses is a usage error, while a failure here
//! is the system's answer, one line.

use std::ffi::OsStr;

use crate::error::{Error, Result};
use crate::idmap::{self, IdKind, MapRange, Request};

use super::options::Config;

/// A user or group as the command line names it: a number, or a name
/// that only /etc/passwd or /etc/group can turn into one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdOrName {
    Id(u32),
    Name(String),
}

/// A range of ids as the command line asks for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeSpec {
    /// `INNER:OUTER:COUNT` (or util-linux's `OUTER,INNER,COUNT`).
    Fixed(MapRange),
    /// Our block in /etc/subuid or /etc/subgid: `auto`, `--map-auto`
    /// (placed from 0 inside), or `subids`, `--map-subids` (onto itself).
    Subids { identity: bool },
    /// `all`: every id of our own user namespace, onto itself.
    AllOwn,
}

/// What the command line names and only the system can resolve, left for
/// `look_up`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Lookups {
    /// The single id mapped onto our own (-r, -c, --map-user, --map-group).
    pub user: Option<IdOrName>,
    pub group: Option<IdOrName>,
    pub user_ranges: Vec<RangeSpec>,
    pub group_ranges: Vec<RangeSpec>,
}

impl IdOrName {
    pub(super) fn of(value: &OsStr) -> IdOrName {
        let text = value.to_string_lossy();
        match text.parse() {
            Ok(id) => IdOrName::Id(id),
            Err(_) => IdOrName::Name(text.into_owned()),
        }
    }

    /// The id, a name looked up in /etc/passwd or /etc/group.
    fn resolve(self, kind: IdKind) -> Result<u32> {
        let name = match self {
            IdOrName::Id(id) => return Ok(id),
            IdOrName::Name(name) => name,
        };
        let (found, what) = match kind {
            IdKind::User => (crate::userdb::uid_by_name(&name)?, "uid"),
            IdKind::Group => (crate::userdb::gid_by_name(&name)?, "gid"),
        };
        found.ok_or_else(|| Error::msg(format!("failed to parse {what}: '{name}'")))
    }
}

/// The ranges that the specs name, read from the subid files or our maps.
fn requests(specs: &[RangeSpec], kind: IdKind, euid: u32) -> Result<Vec<Request>> {
    let mut requests = Vec::new();
    for spec in specs {
        match *spec {
            RangeSpec::Fixed(range) => requests.push(Request::Fixed(range)),
            RangeSpec::Subids { identity } => {
                requests.push(idmap::subid_range(kind, euid, identity)?)
            }
            RangeSpec::AllOwn => requests.extend(idmap::all_own_ids(kind)?),
        }
    }
    Ok(requests)
}

/// Resolve what the command line named: user and group names, subid
/// ranges, our own maps; and put the id maps in their final form. A
/// failure here is the system's answer, not a mistake in the command line.
pub fn look_up(c: &mut Config) -> Result<()> {
    let asked = std::mem::take(&mut c.lookups);
    let user = asked.user.map(|u| u.resolve(IdKind::User)).transpose()?;
    let group = asked.group.map(|g| g.resolve(IdKind::Group)).transpose()?;
    let user_requests = requests(&asked.user_ranges, IdKind::User, c.euid)?;
    let group_requests = requests(&asked.group_ranges, IdKind::Group, c.euid)?;
    // As util-linux: ranges, or an owner other than us, need a helper in
    // the parent namespace; a single id mapped onto our own we write ourselves.
    if !asked.user_ranges.is_empty() || (user.is_some() && c.owner.is_some()) {
        c.user_ranges = idmap::resolve(&user_requests, user.map(|inner| (inner, c.euid)));
    } else {
        c.map_user = user;
    }
    if !asked.group_ranges.is_empty() || (group.is_some() && c.owner.is_some()) {
        c.group_ranges = idmap::resolve(&group_requests, group.map(|inner| (inner, c.egid)));
    } else {
        c.map_group = group;
    }
    Ok(())
}

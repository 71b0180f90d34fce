//! unshare's command line: the option table (the one place that names every
//! option, for parsing, `--help` and the documentation tests) and the parse
//! into a `Config`.
//!
//! `parse` decides from the words alone and reads no file, so whatever it
//! refuses is a usage error; user and group names, /etc/subuid and our own
//! id maps are read afterwards, by `lookup::look_up`.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use crate::args::{help, id_number, number, version, Arg, Getopt, Opt};

use crate::error::{Error, Result};
use crate::idmap::{self, MapRange};
use crate::ns::Kind;
use crate::signals;

use super::lookup::{IdOrName, Lookups, RangeSpec};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Id {
    /// `-m`, `-u`, ...: the CLONE_NEW* flag of the kind.
    Namespace(libc::c_int),
    MountProc,
    MountBinfmt,
    LoadInterp,
    Propagation,
    Root,
    Wd,
    Setuid,
    Setgid,
    MapUser,
    MapGroup,
    MapRootUser,
    MapCurrentUser,
    MapAuto,
    MapSubids,
    MapUsers,
    MapGroups,
    Owner,
    Fork,
    KillChild,
    ForwardSignals,
    Setgroups,
    KeepCaps,
    Monotonic,
    Boottime,
    ClearEnv,
    WhitelistEnv,
    Hostname,
    Loopback,
    Pidfile,
    KeepPidfile,
    Help,
    Version,
}

const fn namespace(
    flag: libc::c_int,
    long: &'static str,
    short: char,
    help: &'static str,
) -> Opt<Id> {
    Opt::both(
        Id::Namespace(flag),
        long,
        short,
        Arg::OptionalLong("<file>"),
        help,
    )
}

/// Every option, in util-linux's order and in its groups: namespaces;
/// mounts and directories; ids and maps; the fork and signals; setgroups
/// and capabilities; clocks and environment; then nsbox's own options,
/// which util-linux lacks (`Opt::own`: none of util-linux's abbreviations
/// changes meaning). The short options take no optional argument (`-m`
/// never swallows what follows): only `--mount=FILE` does.
pub static OPTIONS: &[Opt<Id>] = &[
    namespace(libc::CLONE_NEWNS, "mount", 'm', "unshare mounts namespace"),
    namespace(
        libc::CLONE_NEWUTS,
        "uts",
        'u',
        "unshare UTS namespace (hostname etc)",
    ),
    namespace(
        libc::CLONE_NEWIPC,
        "ipc",
        'i',
        "unshare System V IPC namespace",
    ),
    namespace(libc::CLONE_NEWNET, "net", 'n', "unshare network namespace"),
    namespace(libc::CLONE_NEWPID, "pid", 'p', "unshare pid namespace"),
    namespace(libc::CLONE_NEWUSER, "user", 'U', "unshare user namespace"),
    namespace(
        libc::CLONE_NEWCGROUP,
        "cgroup",
        'C',
        "unshare cgroup namespace",
    ),
    namespace(libc::CLONE_NEWTIME, "time", 'T', "unshare time namespace"),
    Opt::long(
        Id::MountProc,
        "mount-proc",
        Arg::Optional("<dir>"),
        "mount proc filesystem first (implies --mount)",
    )
    .starts_group(),
    Opt::long(
        Id::MountBinfmt,
        "mount-binfmt",
        Arg::Optional("<dir>"),
        "mount binfmt filesystem first, and proc too when <dir> is not given \
         (implies --user and --mount)",
    ),
    Opt::both(
        Id::LoadInterp,
        "load-interp",
        'l',
        Arg::Required("<string>"),
        "load binfmt definition in the namespace (implies --mount-binfmt)",
    ),
    Opt::long(
        Id::Propagation,
        "propagation",
        Arg::Required("slave|shared|private|unchanged"),
        "modify mount propagation in mount namespace",
    ),
    Opt::both(
        Id::Root,
        "root",
        'R',
        Arg::Required("<dir>"),
        "run the command with root directory set to <dir>",
    ),
    Opt::both(
        Id::Wd,
        "wd",
        'w',
        Arg::Required("<dir>"),
        "change working directory to <dir>",
    ),
    Opt::both(
        Id::Setuid,
        "setuid",
        'S',
        Arg::Required("<uid>"),
        "set uid in entered namespace (drops supplementary groups)",
    )
    .starts_group(),
    Opt::both(
        Id::Setgid,
        "setgid",
        'G',
        Arg::Required("<gid>"),
        "set gid in entered namespace",
    ),
    Opt::long(
        Id::MapUser,
        "map-user",
        Arg::Required("<uid>|<name>"),
        "map current user to uid (implies --user)",
    ),
    Opt::long(
        Id::MapGroup,
        "map-group",
        Arg::Required("<gid>|<name>"),
        "map current group to gid (implies --user)",
    ),
    Opt::both(
        Id::MapRootUser,
        "map-root-user",
        'r',
        Arg::None,
        "map current user to root (implies --user)",
    ),
    Opt::both(
        Id::MapCurrentUser,
        "map-current-user",
        'c',
        Arg::None,
        "map current user to itself (implies --user)",
    ),
    Opt::long(
        Id::MapAuto,
        "map-auto",
        Arg::None,
        "map users and groups automatically (implies --user)",
    ),
    Opt::long(
        Id::MapSubids,
        "map-subids",
        Arg::None,
        "map the first block of user IDs owned by euid (implies --user)",
    ),
    Opt::long(
        Id::MapUsers,
        "map-users",
        Arg::Required("<inner>:<outer>:<count>|auto|subids|all"),
        "map count users from outeruid to inneruid (implies --user)",
    ),
    Opt::long(
        Id::MapGroups,
        "map-groups",
        Arg::Required("<inner>:<outer>:<count>|auto|subids|all"),
        "map count groups from outergid to innergid (implies --user)",
    ),
    Opt::long(
        Id::Owner,
        "owner",
        Arg::Required("<uid>:<gid>"),
        "set the user namespace owner (implies --user)",
    ),
    Opt::both(
        Id::Fork,
        "fork",
        'f',
        Arg::None,
        "fork before launching <program>",
    )
    .starts_group(),
    Opt::long(
        Id::KillChild,
        "kill-child",
        Arg::Optional("<signame>"),
        "when dying, kill the forked child (implies --fork); defaults to SIGKILL",
    ),
    Opt::long(
        Id::ForwardSignals,
        "forward-signals",
        Arg::None,
        "forward SIGTERM and SIGINT to child (implies --fork)",
    ),
    Opt::long(
        Id::Setgroups,
        "setgroups",
        Arg::Required("allow|deny"),
        "control the setgroups syscall in user namespaces",
    )
    .starts_group(),
    Opt::long(
        Id::KeepCaps,
        "keep-caps",
        Arg::None,
        "retain capabilities granted in user namespaces",
    ),
    Opt::long(
        Id::Monotonic,
        "monotonic",
        Arg::Required("<offset>"),
        "set clock monotonic offset (seconds) in time namespaces",
    )
    .starts_group(),
    Opt::long(
        Id::Boottime,
        "boottime",
        Arg::Required("<offset>"),
        "set clock boottime offset (seconds) in time namespaces",
    ),
    Opt::long(
        Id::ClearEnv,
        "clear-env",
        Arg::None,
        "do not inherit environment variables from the calling process",
    ),
    Opt::long(
        Id::WhitelistEnv,
        "whitelist-env",
        Arg::Required("<list>"),
        "clear environment except for specified variables",
    ),
    Opt::long(
        Id::Hostname,
        "hostname",
        Arg::Required("<name>"),
        "set the hostname in the new UTS namespace (needs --uts)",
    )
    .starts_group()
    .own(),
    Opt::long(
        Id::Loopback,
        "loopback",
        Arg::None,
        "bring up the loopback interface in the new network namespace (needs --net)",
    )
    .own(),
    Opt::long(
        Id::Pidfile,
        "pidfile",
        Arg::Required("<file>"),
        "write the PID of the forked child to <file> (needs --fork)",
    )
    .own(),
    Opt::long(
        Id::KeepPidfile,
        "keep-pidfile",
        Arg::None,
        "leave the pidfile behind when unshare exits",
    )
    .own(),
    Opt::both(Id::Help, "help", 'h', Arg::None, "display this help").starts_group(),
    Opt::both(Id::Version, "version", 'V', Arg::None, "display version"),
];

pub const SYNOPSIS: &str = "unshare [options] [<program> [<argument>...]]";

/// `--setgroups allow|deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setgroups {
    Allow,
    Deny,
}

impl Setgroups {
    pub fn word(self) -> &'static str {
        match self {
            Setgroups::Allow => "allow",
            Setgroups::Deny => "deny",
        }
    }
}

/// Everything the command line asks for, checked and, after `look_up`,
/// resolved.
#[derive(Debug, Default)]
pub struct Config {
    /// CLONE_NEW* flags for the one unshare() call.
    pub flags: libc::c_int,
    /// Namespaces to persist, by kind, each onto a file (the last one given wins).
    pub persist: Vec<(&'static Kind, PathBuf)>,
    pub fork: bool,
    pub kill_child: Option<libc::c_int>,
    pub forward_signals: bool,
    pub proc_dir: Option<PathBuf>,
    pub binfmt_dir: Option<PathBuf>,
    pub interpreter: Option<OsString>,
    /// MS_REC|MS_PRIVATE and friends for /; None for `unchanged`.
    pub propagation: Option<libc::c_ulong>,
    pub root: Option<PathBuf>,
    pub wd: Option<PathBuf>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// Names and ranges as asked for; `look_up` resolves them into the
    /// fields below.
    pub lookups: Lookups,
    /// A single id mapped onto our own (-r, -c, --map-user), written by us.
    pub map_user: Option<u32>,
    pub map_group: Option<u32>,
    /// The ranges to write, from the parent namespace, by a helper.
    pub user_ranges: Vec<MapRange>,
    pub group_ranges: Vec<MapRange>,
    pub owner: Option<(u32, u32)>,
    pub setgroups: Option<Setgroups>,
    /// `Some(last capability)` with --keep-caps.
    pub keep_caps: Option<u32>,
    pub monotonic: Option<i64>,
    pub boottime: Option<i64>,
    pub clear_env: bool,
    /// `--whitelist-env`: the variables kept, with their values now.
    pub kept_env: Option<Vec<(OsString, OsString)>>,
    /// `--hostname`: checked to fit the kernel's limit.
    pub hostname: Option<OsString>,
    pub loopback: bool,
    pub pidfile: Option<PathBuf>,
    pub keep_pidfile: bool,
    pub program: Vec<OsString>,
    /// Our effective ids before unshare(): the outer side of our own maps.
    pub euid: u32,
    pub egid: u32,
}

impl Config {
    pub fn has(&self, flag: libc::c_int) -> bool {
        self.flags & flag != 0
    }
}

/// What the command line asks for: a run, or text for standard output
/// (`--help`, `--version`), which the caller prints.
pub enum Parsed {
    Run(Box<Config>),
    Show(String),
}

const PROC: &str = "/proc";
const BINFMT_MISC: &str = "/proc/sys/fs/binfmt_misc";

fn offset(value: &OsStr, clock: &str) -> Result<i64> {
    let what = format!("failed to parse {clock} offset");
    let text = value.to_string_lossy();
    let digits = text.strip_prefix(['-', '+']).unwrap_or(&text);
    if !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && text.parse::<i64>().is_err()
    {
        return Err(Error::usage_errno(
            format!("{what}: '{text}'"),
            nix::errno::Errno::ERANGE,
        ));
    }
    number(value, &what)
}

/// `--map-users` / `--map-groups`: a range, or where to find ranges.
fn range_spec(value: &OsStr) -> Result<RangeSpec> {
    match value.to_string_lossy().as_ref() {
        "auto" => Ok(RangeSpec::Subids { identity: false }),
        "subids" => Ok(RangeSpec::Subids { identity: true }),
        "all" => Ok(RangeSpec::AllOwn),
        text => Ok(RangeSpec::Fixed(idmap::parse_range(text)?)),
    }
}

fn owner(value: &OsStr) -> Result<(u32, u32)> {
    let text = value.to_string_lossy();
    let bad = || Error::usage("failed to parse owner");
    let (uid, gid) = text.split_once(':').ok_or_else(bad)?;
    let id = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
            .ok_or_else(bad)
    };
    Ok((id(uid)?, id(gid)?))
}

fn propagation(value: &OsStr) -> Result<Option<libc::c_ulong>> {
    let rec = libc::MS_REC;
    match value.to_string_lossy().as_ref() {
        "slave" => Ok(Some(rec | libc::MS_SLAVE)),
        "shared" => Ok(Some(rec | libc::MS_SHARED)),
        "private" => Ok(Some(rec | libc::MS_PRIVATE)),
        "unchanged" => Ok(None),
        other => Err(Error::usage(format!(
            "unsupported propagation mode: {other}"
        ))),
    }
}

/// The most sethostname(2) takes: HOST_NAME_MAX, the kernel's
/// __NEW_UTS_LEN. It takes any bytes, and an empty name, as we do.
pub const HOST_NAME_MAX: usize = 64;

fn hostname(value: &OsStr) -> Result<OsString> {
    let length = value.len();
    if length > HOST_NAME_MAX {
        return Err(Error::usage(format!(
            "hostname too long: '{}' has {length} bytes, the kernel takes at most {HOST_NAME_MAX}",
            value.to_string_lossy()
        )));
    }
    Ok(value.to_owned())
}

fn setgroups(value: &OsStr) -> Result<Setgroups> {
    match value.to_string_lossy().as_ref() {
        "allow" => Ok(Setgroups::Allow),
        "deny" => Ok(Setgroups::Deny),
        other => Err(Error::usage(format!(
            "unsupported --setgroups argument '{other}'"
        ))),
    }
}

pub fn parse(args: Vec<OsString>) -> Result<Parsed> {
    // As the kernel passed them at exec (nothing has changed them since):
    // no system call.
    // SAFETY: getauxval only reads the auxiliary vector.
    let (euid, egid) = unsafe {
        (
            libc::getauxval(libc::AT_EUID) as libc::uid_t,
            libc::getauxval(libc::AT_EGID) as libc::gid_t,
        )
    };
    let mut c = Config {
        propagation: Some(libc::MS_REC | libc::MS_PRIVATE),
        euid,
        egid,
        ..Config::default()
    };
    let mut getopt = Getopt::new(OPTIONS, args);
    for item in getopt.by_ref() {
        let (id, value) = item?;
        let value = value.as_deref();
        // Required arguments always come with a value.
        let required = || value.expect("getopt gives required arguments");
        match id {
            Id::Namespace(flag) => {
                c.flags |= flag;
                if let Some(file) = value {
                    let kind = Kind::by_flag(flag).expect("namespace options are in the table");
                    c.persist.retain(|(k, _)| *k != kind);
                    c.persist.push((kind, PathBuf::from(file)));
                }
            }
            Id::MountProc => {
                c.flags |= libc::CLONE_NEWNS;
                c.proc_dir = Some(value.map_or_else(|| PathBuf::from(PROC), PathBuf::from));
            }
            Id::MountBinfmt => {
                c.flags |= libc::CLONE_NEWNS | libc::CLONE_NEWUSER;
                match value {
                    Some(dir) => c.binfmt_dir = Some(PathBuf::from(dir)),
                    None => {
                        c.proc_dir.get_or_insert_with(|| PathBuf::from(PROC));
                        c.binfmt_dir = Some(PathBuf::from(BINFMT_MISC));
                    }
                }
            }
            Id::LoadInterp => {
                c.flags |= libc::CLONE_NEWNS | libc::CLONE_NEWUSER;
                if c.binfmt_dir.is_none() {
                    c.proc_dir.get_or_insert_with(|| PathBuf::from(PROC));
                    c.binfmt_dir = Some(PathBuf::from(BINFMT_MISC));
                }
                c.interpreter = Some(required().to_owned());
            }
            Id::Propagation => c.propagation = propagation(required())?,
            Id::Root => c.root = Some(PathBuf::from(required())),
            Id::Wd => c.wd = Some(PathBuf::from(required())),
            Id::Setuid => c.uid = Some(id_number(required(), "uid")?),
            Id::Setgid => c.gid = Some(id_number(required(), "gid")?),
            Id::MapUser => {
                c.flags |= libc::CLONE_NEWUSER;
                c.lookups.user = Some(IdOrName::of(required()));
            }
            Id::MapGroup => {
                c.flags |= libc::CLONE_NEWUSER;
                c.lookups.group = Some(IdOrName::of(required()));
            }
            Id::MapRootUser => {
                c.flags |= libc::CLONE_NEWUSER;
                c.lookups.user = Some(IdOrName::Id(0));
                c.lookups.group = Some(IdOrName::Id(0));
            }
            Id::MapCurrentUser => {
                c.flags |= libc::CLONE_NEWUSER;
                c.lookups.user = Some(IdOrName::Id(euid));
                c.lookups.group = Some(IdOrName::Id(egid));
            }
            Id::MapAuto | Id::MapSubids => {
                c.flags |= libc::CLONE_NEWUSER;
                let spec = RangeSpec::Subids {
                    identity: id == Id::MapSubids,
                };
                c.lookups.user_ranges.push(spec);
                c.lookups.group_ranges.push(spec);
            }
            Id::MapUsers => {
                c.flags |= libc::CLONE_NEWUSER;
                c.lookups.user_ranges.push(range_spec(required())?);
            }
            Id::MapGroups => {
                c.flags |= libc::CLONE_NEWUSER;
                c.lookups.group_ranges.push(range_spec(required())?);
            }
            Id::Owner => {
                c.flags |= libc::CLONE_NEWUSER;
                c.owner = Some(owner(required())?);
            }
            Id::Fork => c.fork = true,
            Id::KillChild => {
                c.fork = true;
                c.kill_child = Some(match value {
                    None => libc::SIGKILL,
                    Some(name) => {
                        let name = name.to_string_lossy();
                        signals::by_name(&name)
                            .ok_or_else(|| Error::usage(format!("unknown signal: {name}")))?
                    }
                });
            }
            Id::ForwardSignals => {
                c.fork = true;
                c.forward_signals = true;
            }
            Id::Setgroups => c.setgroups = Some(setgroups(required())?),
            // Read now: after a chroot there may be no /proc to ask.
            Id::KeepCaps => c.keep_caps = Some(crate::sys::cap_last_cap()),
            Id::Monotonic => c.monotonic = Some(offset(required(), "monotonic")?),
            Id::Boottime => c.boottime = Some(offset(required(), "boottime")?),
            Id::ClearEnv => c.clear_env = true,
            Id::WhitelistEnv => {
                let kept = c.kept_env.get_or_insert_with(Vec::new);
                let list = required().to_string_lossy().into_owned();
                for name in list.split(',').filter(|n| !n.is_empty()) {
                    if let Some(value) = std::env::var_os(name) {
                        kept.push((OsString::from(name), value));
                    }
                }
            }
            Id::Hostname => c.hostname = Some(hostname(required())?),
            Id::Loopback => c.loopback = true,
            Id::Pidfile => c.pidfile = Some(PathBuf::from(required())),
            Id::KeepPidfile => c.keep_pidfile = true,
            Id::Help => {
                let text = help(
                    &[SYNOPSIS],
                    "Run a program with some namespaces unshared from the parent.",
                    OPTIONS,
                    "unshare(1)",
                );
                return Ok(Parsed::Show(text));
            }
            Id::Version => return Ok(Parsed::Show(version("unshare"))),
        }
    }
    c.program = getopt.operands();
    check(&c)?;
    Ok(Parsed::Run(Box::new(c)))
}

/// Combinations that cannot work, refused before anything is done.
fn check(c: &Config) -> Result<()> {
    if (c.monotonic.is_some() || c.boottime.is_some()) && !c.has(libc::CLONE_NEWTIME) {
        return Err(Error::usage(
            "options --monotonic and --boottime require unsharing of a time namespace (-T)",
        ));
    }
    if c.hostname.is_some() && !c.has(libc::CLONE_NEWUTS) {
        return Err(Error::usage(
            "option --hostname requires unsharing of a UTS namespace (-u)",
        ));
    }
    if c.loopback && !c.has(libc::CLONE_NEWNET) {
        return Err(Error::usage(
            "option --loopback requires unsharing of a network namespace (-n)",
        ));
    }
    if c.pidfile.is_some() && !c.fork {
        return Err(Error::usage(
            "option --pidfile requires --fork: the PID it holds is that of the forked child",
        ));
    }
    if c.keep_pidfile && c.pidfile.is_none() {
        return Err(Error::usage("option --keep-pidfile requires --pidfile"));
    }
    if !c.fork && c.persist.iter().any(|(k, _)| k.flag == libc::CLONE_NEWPID) {
        return Err(Error::usage(
            "--pid=FILE needs --fork: a PID namespace exists only once its first process does",
        ));
    }
    // The single group is ours to write only without ranges or an owner
    // (see `look_up`); then setgroups must be denied first.
    let own_group_map =
        c.lookups.group.is_some() && c.lookups.group_ranges.is_empty() && c.owner.is_none();
    if own_group_map && c.setgroups == Some(Setgroups::Allow) {
        return Err(Error::usage(
            "options --setgroups=allow and --map-group are mutually exclusive",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;

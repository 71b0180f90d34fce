//! unshare's command line: the option table (the one place that names every
//! option, for parsing, `--help` and the documentation tests) and the parse
//! into a `Config`.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use crate::args::{help, id_number, number, version, Arg, Getopt, Opt};
use crate::error::{Error, Result};
use crate::idmap::{self, IdKind, MapRange, Request};
use crate::ns::Kind;
use crate::signals;

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
    Help,
    Version,
}

const fn namespace(
    flag: libc::c_int,
    long: &'static str,
    short: char,
    help: &'static str,
) -> Opt<Id> {
    Opt {
        id: Id::Namespace(flag),
        long,
        short: Some(short),
        arg: Arg::OptionalLong("<file>"),
        help,
    }
}

/// Every option, in util-linux's order. The short options take no optional
/// argument (`-m` never swallows what follows): only `--mount=FILE` does.
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
    ),
    Opt::long(
        Id::MountBinfmt,
        "mount-binfmt",
        Arg::Optional("<dir>"),
        "mount binfmt filesystem first (implies --user and --mount)",
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
    ),
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
    ),
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
    ),
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
    ),
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
    Opt::both(Id::Help, "help", 'h', Arg::None, "display this help"),
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

/// Everything the command line asks for, checked and resolved.
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
    /// A single id mapped onto our own (-r, -c, --map-user), written by us.
    pub map_user: Option<u32>,
    pub map_group: Option<u32>,
    /// Ranges as asked for; `check` resolves them into the `*_map` fields.
    pub user_requests: Vec<Request>,
    pub group_requests: Vec<Request>,
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
        return Err(Error::sys(
            format!("{what}: '{text}'"),
            nix::errno::Errno::ERANGE,
        ));
    }
    number(value, &what)
}

/// A uid or user name (from /etc/passwd).
fn user(value: &OsStr) -> Result<u32> {
    let text = value.to_string_lossy();
    if let Ok(uid) = text.parse() {
        return Ok(uid);
    }
    crate::userdb::uid_by_name(&text)?
        .ok_or_else(|| Error::msg(format!("failed to parse uid: '{text}'")))
}

fn group(value: &OsStr) -> Result<u32> {
    let text = value.to_string_lossy();
    if let Ok(gid) = text.parse() {
        return Ok(gid);
    }
    crate::userdb::gid_by_name(&text)?
        .ok_or_else(|| Error::msg(format!("failed to parse gid: '{text}'")))
}

/// `--map-users` / `--map-groups`: a range, or where to find ranges.
fn ranges(value: &OsStr, kind: IdKind, euid: u32) -> Result<Vec<Request>> {
    match value.to_string_lossy().as_ref() {
        "auto" => Ok(vec![idmap::subid_range(kind, euid, false)?]),
        "subids" => Ok(vec![idmap::subid_range(kind, euid, true)?]),
        "all" => idmap::all_own_ids(kind),
        text => Ok(vec![Request::Fixed(idmap::parse_range(text)?)]),
    }
}

fn owner(value: &OsStr) -> Result<(u32, u32)> {
    let text = value.to_string_lossy();
    let bad = || Error::msg("failed to parse owner");
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
        other => Err(Error::msg(format!("unsupported propagation mode: {other}"))),
    }
}

fn setgroups(value: &OsStr) -> Result<Setgroups> {
    match value.to_string_lossy().as_ref() {
        "allow" => Ok(Setgroups::Allow),
        "deny" => Ok(Setgroups::Deny),
        other => Err(Error::msg(format!(
            "unsupported --setgroups argument '{other}'"
        ))),
    }
}

pub fn parse(args: Vec<OsString>) -> Result<Parsed> {
    let euid = nix::unistd::geteuid().as_raw();
    let egid = nix::unistd::getegid().as_raw();
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
                c.map_user = Some(user(required())?);
            }
            Id::MapGroup => {
                c.flags |= libc::CLONE_NEWUSER;
                c.map_group = Some(group(required())?);
            }
            Id::MapRootUser => {
                c.flags |= libc::CLONE_NEWUSER;
                c.map_user = Some(0);
                c.map_group = Some(0);
            }
            Id::MapCurrentUser => {
                c.flags |= libc::CLONE_NEWUSER;
                c.map_user = Some(euid);
                c.map_group = Some(egid);
            }
            Id::MapAuto | Id::MapSubids => {
                c.flags |= libc::CLONE_NEWUSER;
                let identity = id == Id::MapSubids;
                c.user_requests
                    .push(idmap::subid_range(IdKind::User, euid, identity)?);
                c.group_requests
                    .push(idmap::subid_range(IdKind::Group, euid, identity)?);
            }
            Id::MapUsers => {
                c.flags |= libc::CLONE_NEWUSER;
                c.user_requests
                    .extend(ranges(required(), IdKind::User, euid)?);
            }
            Id::MapGroups => {
                c.flags |= libc::CLONE_NEWUSER;
                c.group_requests
                    .extend(ranges(required(), IdKind::Group, euid)?);
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
                            .ok_or_else(|| Error::msg(format!("unknown signal: {name}")))?
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
    check(&mut c, euid, egid)?;
    Ok(Parsed::Run(Box::new(c)))
}

/// Combinations that cannot work, refused before anything is done, and the
/// id maps in their final form.
fn check(c: &mut Config, euid: u32, egid: u32) -> Result<()> {
    if (c.monotonic.is_some() || c.boottime.is_some()) && !c.has(libc::CLONE_NEWTIME) {
        return Err(Error::msg(
            "options --monotonic and --boottime require unsharing of a time namespace (-T)",
        ));
    }
    if !c.fork && c.persist.iter().any(|(k, _)| k.flag == libc::CLONE_NEWPID) {
        return Err(Error::msg(
            "--pid=FILE needs --fork: a PID namespace exists only once its first process does",
        ));
    }
    // As util-linux: ranges, or an owner other than us, need a helper in
    // the parent namespace; a single id mapped onto our own we write ourselves.
    if !c.user_requests.is_empty() || (c.map_user.is_some() && c.owner.is_some()) {
        let single = c.map_user.take().map(|inner| (inner, euid));
        c.user_ranges = idmap::resolve(&c.user_requests, single);
    }
    if !c.group_requests.is_empty() || (c.map_group.is_some() && c.owner.is_some()) {
        let single = c.map_group.take().map(|inner| (inner, egid));
        c.group_ranges = idmap::resolve(&c.group_requests, single);
    }
    if c.map_group.is_some() && c.setgroups == Some(Setgroups::Allow) {
        return Err(Error::msg(
            "options --setgroups=allow and --map-group are mutually exclusive",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config(words: &[&str]) -> Result<Config> {
        match parse(words.iter().map(OsString::from).collect())? {
            Parsed::Run(config) => Ok(*config),
            Parsed::Show(_) => panic!("{words:?} printed instead of running"),
        }
    }

    fn err(words: &[&str]) -> String {
        config(words).unwrap_err().to_string()
    }

    #[test]
    fn namespaces_and_their_files() {
        let c = config(&["-mUuinpCT", "--uts=/a", "--uts=/b", "--net=/n", "-f", "sh"]).unwrap();
        assert_eq!(c.flags.count_ones(), 8);
        let files: Vec<_> = c
            .persist
            .iter()
            .map(|(k, p)| (k.name, p.to_str().unwrap()))
            .collect();
        assert_eq!(files, [("uts", "/b"), ("net", "/n")]);
        assert_eq!(c.program, ["sh"]);
        assert_eq!(c.propagation, Some(libc::MS_REC | libc::MS_PRIVATE));
    }

    #[test]
    fn options_that_imply_others() {
        let c = config(&["--mount-proc"]).unwrap();
        assert_eq!(c.flags, libc::CLONE_NEWNS);
        assert_eq!(c.proc_dir.as_deref(), Some(Path::new("/proc")));
        let c = config(&["-l", ":x:E::x::/bin/sh:"]).unwrap();
        assert_eq!(c.flags, libc::CLONE_NEWNS | libc::CLONE_NEWUSER);
        assert_eq!(c.binfmt_dir.as_deref(), Some(Path::new(BINFMT_MISC)));
        assert_eq!(c.proc_dir.as_deref(), Some(Path::new("/proc")));
        let c = config(&["--mount-binfmt=/b"]).unwrap();
        assert_eq!(
            (c.binfmt_dir.as_deref(), c.proc_dir),
            (Some(Path::new("/b")), None)
        );
        let c = config(&["--kill-child=TERM"]).unwrap();
        assert!(c.fork && c.kill_child == Some(libc::SIGTERM));
        let c = config(&["--forward-signals"]).unwrap();
        assert!(c.fork && c.forward_signals);
        for word in [
            "-r",
            "-c",
            "--map-user=0",
            "--map-group=0",
            "--owner=0:0",
            "--map-users=0:1:1",
        ] {
            assert_eq!(
                config(&[word]).unwrap().flags,
                libc::CLONE_NEWUSER,
                "{word}"
            );
        }
    }

    #[test]
    fn single_maps_and_ranges() {
        let c = config(&["-r"]).unwrap();
        assert_eq!((c.map_user, c.map_group), (Some(0), Some(0)));
        assert!(c.user_ranges.is_empty());
        let c = config(&["--map-user=root", "--map-group=root"]).unwrap();
        assert_eq!((c.map_user, c.map_group), (Some(0), Some(0)));
        // With ranges, the single id joins them and the helper writes it all.
        let c = config(&["--map-users=1:100000:10", "-r"]).unwrap();
        assert_eq!(c.map_user, None);
        assert_eq!(c.user_ranges[0].inner, 0);
        assert_eq!(c.user_ranges[0].outer, c.euid);
        assert_eq!(c.map_group, Some(0), "groups have no ranges: written by us");
        let c = config(&["--map-users=100000,0,10", "--map-users=10:200000:5"]).unwrap();
        assert_eq!(c.user_ranges.len(), 2);
    }

    #[test]
    fn bad_values() {
        assert_eq!(err(&["-S", "abc"]), "failed to parse uid: 'abc'");
        assert_eq!(err(&["-G", "-1"]), "failed to parse gid: '-1'");
        assert_eq!(
            err(&["-S", "4294967296"]),
            "failed to parse uid: '4294967296': Numerical result out of range"
        );
        assert_eq!(
            err(&["--map-user=no-such-user-x"]),
            "failed to parse uid: 'no-such-user-x'"
        );
        assert_eq!(
            err(&["--setgroups", "x"]),
            "unsupported --setgroups argument 'x'"
        );
        assert_eq!(
            err(&["--propagation", "x"]),
            "unsupported propagation mode: x"
        );
        assert_eq!(err(&["--kill-child=FOO"]), "unknown signal: FOO");
        assert_eq!(err(&["--owner", "1"]), "failed to parse owner");
        assert_eq!(err(&["--map-users=1,2"]), "invalid mapping '1,2'");
        assert_eq!(
            err(&["-T", "--monotonic", "x"]),
            "failed to parse monotonic offset: 'x'"
        );
        assert_eq!(
            err(&["-T", "--boottime", "99999999999999999999"]),
            "failed to parse boottime offset: '99999999999999999999': Numerical result out of range"
        );
        assert_eq!(
            config(&["-T", "--monotonic", "-5"]).unwrap().monotonic,
            Some(-5)
        );
    }

    #[test]
    fn combinations_refused_up_front() {
        assert_eq!(
            err(&["--monotonic", "1"]),
            "options --monotonic and --boottime require unsharing of a time namespace (-T)"
        );
        assert_eq!(
            err(&["-r", "--setgroups=allow"]),
            "options --setgroups=allow and --map-group are mutually exclusive"
        );
        assert!(err(&["--pid=/x"]).starts_with("--pid=FILE needs --fork"));
        assert!(config(&["--pid=/x", "-f"]).is_ok());
    }
}

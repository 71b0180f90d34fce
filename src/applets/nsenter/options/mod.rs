//! nsenter's command line: the option table (the one place that names every
//! option) and the parse into a `Config`.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use crate::args::{help, id_number, version, Arg, Getopt, Opt};
use crate::error::{Error, Result};
use crate::ns::Kind;
use crate::target::{self, Spec};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Id {
    All,
    Target,
    /// `-m`, `-u`, ...: the CLONE_NEW* flag of the kind.
    Namespace(libc::c_int),
    NetSocket,
    UserParent,
    Setuid,
    Setgid,
    PreserveCredentials,
    KeepCaps,
    Root,
    Wd,
    Wdns,
    Env,
    NoFork,
    JoinCgroup,
    FollowContext,
    Caps,
    Seccomp,
    NoNewPrivs,
    Pty,
    AsTarget,
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
        Arg::Optional("<file>|:<nsid>"),
        help,
    )
}

/// Every option, in util-linux's order, in groups: the target and the
/// namespaces; ids and capabilities; directories; the rest. Unlike
/// unshare's, the short namespace options take an attached file too:
/// `-nFILE`, `-n=FILE`.
pub static OPTIONS: &[Opt<Id>] = &[
    Opt::both(Id::All, "all", 'a', Arg::None, "enter all namespaces"),
    Opt::both(
        Id::Target,
        "target",
        't',
        Arg::Required("<pid>[:<inode>]"),
        "target process to get namespaces from",
    ),
    namespace(libc::CLONE_NEWNS, "mount", 'm', "enter mount namespace"),
    namespace(
        libc::CLONE_NEWUTS,
        "uts",
        'u',
        "enter UTS namespace (hostname etc)",
    ),
    namespace(
        libc::CLONE_NEWIPC,
        "ipc",
        'i',
        "enter System V IPC namespace",
    ),
    namespace(libc::CLONE_NEWNET, "net", 'n', "enter network namespace"),
    Opt::both(
        Id::NetSocket,
        "net-socket",
        'N',
        Arg::Required("<fd>"),
        "enter socket's network namespace (needs --target)",
    ),
    namespace(libc::CLONE_NEWPID, "pid", 'p', "enter pid namespace"),
    namespace(
        libc::CLONE_NEWCGROUP,
        "cgroup",
        'C',
        "enter cgroup namespace",
    ),
    namespace(libc::CLONE_NEWUSER, "user", 'U', "enter user namespace"),
    Opt::long(
        Id::UserParent,
        "user-parent",
        Arg::None,
        "enter parent user namespace",
    ),
    namespace(libc::CLONE_NEWTIME, "time", 'T', "enter time namespace"),
    Opt::both(
        Id::Setuid,
        "setuid",
        'S',
        Arg::Required("<uid>|follow"),
        "set uid in entered namespace (drops supplementary groups)",
    )
    .starts_group(),
    Opt::both(
        Id::Setgid,
        "setgid",
        'G',
        Arg::Required("<gid>|follow"),
        "set gid in entered namespace",
    ),
    Opt::long(
        Id::PreserveCredentials,
        "preserve-credentials",
        Arg::None,
        "do not touch uids or gids",
    ),
    Opt::long(
        Id::KeepCaps,
        "keep-caps",
        Arg::None,
        "retain capabilities granted in user namespaces",
    ),
    Opt::both(
        Id::Root,
        "root",
        'r',
        Arg::Optional("<dir>"),
        "set the root directory",
    )
    .starts_group(),
    Opt::both(
        Id::Wd,
        "wd",
        'w',
        Arg::Optional("<dir>"),
        "set the working directory",
    ),
    Opt::both(
        Id::Wdns,
        "wdns",
        'W',
        Arg::Required("<dir>"),
        "set the working directory in namespace",
    ),
    Opt::both(
        Id::Env,
        "env",
        'e',
        Arg::None,
        "inherit environment variables from target process",
    )
    .starts_group(),
    Opt::both(
        Id::NoFork,
        "no-fork",
        'F',
        Arg::None,
        "do not fork before exec'ing <program>",
    ),
    Opt::both(
        Id::JoinCgroup,
        "join-cgroup",
        'c',
        Arg::None,
        "join the cgroup of the target process",
    ),
    Opt::both(
        Id::FollowContext,
        "follow-context",
        'Z',
        Arg::None,
        "set SELinux context according to --target PID",
    ),
    Opt::long(
        Id::Caps,
        "caps",
        Arg::Required("target|inherit"),
        "take the target's capability sets",
    )
    .starts_group()
    .own(),
    Opt::long(
        Id::Seccomp,
        "seccomp",
        Arg::Required("target|inherit"),
        "take the target's seccomp filters",
    )
    .own(),
    Opt::long(
        Id::NoNewPrivs,
        "no-new-privs",
        Arg::None,
        "set no_new_privs for the program",
    )
    .own(),
    Opt::long(
        Id::Pty,
        "pty",
        Arg::None,
        "run the program on a new pseudo-terminal",
    )
    .own(),
    Opt::long(
        Id::AsTarget,
        "as-target",
        Arg::None,
        "enter as the target runs (-a -c -r -w -e, ids, caps, seccomp)",
    )
    .own(),
    Opt::both(Id::Help, "help", 'h', Arg::None, "display this help").starts_group(),
    Opt::both(Id::Version, "version", 'V', Arg::None, "display version"),
];

pub const SYNOPSIS: &str = "nsenter [options] [<program> [<argument>...]]";

/// Where a namespace to enter comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The target process's own.
    Target,
    /// A namespace file: /proc/PID/ns/X or a bind mount of one.
    File(PathBuf),
    /// `:NSID`: the namespace with this id.
    Id(u64),
}

/// A directory given for --root or --wd.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dir {
    /// The target's root or working directory.
    Target,
    /// This one, opened before entering anything.
    Path(PathBuf),
}

/// no_new_privs for the program.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NoNewPrivs {
    /// Inherited from us, as any process inherits it.
    #[default]
    Inherit,
    /// --no-new-privs: set it.
    Set,
    /// --as-target: set it when the target has it.
    Target,
}

/// -S / -G.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdChoice {
    Follow,
    Id(u32),
}

#[derive(Debug, Default)]
pub struct Config {
    pub target: Option<Spec>,
    pub all: bool,
    /// Namespaces asked for by option, in the order of `ns::KINDS` once
    /// sorted; for a kind, the last file or id given wins, and a bare
    /// option (the target's) counts only when neither was given.
    pub namespaces: Vec<(&'static Kind, Source)>,
    pub net_socket: Option<libc::c_int>,
    pub user_parent: bool,
    pub uid: Option<IdChoice>,
    pub gid: Option<IdChoice>,
    pub preserve_credentials: bool,
    /// `Some(last capability)` with --keep-caps.
    pub keep_caps: Option<u32>,
    pub root: Option<Dir>,
    pub wd: Option<Dir>,
    pub wdns: Option<PathBuf>,
    pub env: bool,
    pub no_fork: bool,
    pub join_cgroup: bool,
    pub follow_context: bool,
    /// --caps=target: the target's capability sets and securebits.
    pub caps: bool,
    /// --seccomp=target: the target's seccomp filters.
    pub seccomp: bool,
    pub no_new_privs: NoNewPrivs,
    /// --as-target: the target's supplementary groups, with its ids.
    pub groups: bool,
    pub pty: bool,
    pub program: Vec<OsString>,
}

/// What the command line asks for: a run, or text for standard output
/// (`--help`, `--version`), which the caller prints.
pub enum Parsed {
    Run(Box<Config>),
    Show(String),
}

/// util-linux strips a `=` left over from `-u=FILE`.
fn attached(value: &OsStr) -> &OsStr {
    use std::os::unix::ffi::OsStrExt;
    let bytes = value.as_bytes();
    OsStr::from_bytes(bytes.strip_prefix(b"=").unwrap_or(bytes))
}

fn source(value: Option<&OsStr>) -> Result<Source> {
    let Some(value) = value.map(attached) else {
        return Ok(Source::Target);
    };
    let text = value.to_string_lossy();
    match text.strip_prefix(':') {
        Some(id) => id
            .parse()
            .ok()
            .filter(|_| id.bytes().all(|b| b.is_ascii_digit()))
            .map(Source::Id)
            .ok_or_else(|| Error::usage(format!("failed to parse nsid: {id}"))),
        None => Ok(Source::File(PathBuf::from(value))),
    }
}

fn id_choice(value: &OsStr, what: &str) -> Result<IdChoice> {
    let text = value.to_string_lossy();
    if text == "follow" {
        return Ok(IdChoice::Follow);
    }
    id_number(value, what).map(IdChoice::Id)
}

fn dir(value: Option<&OsStr>) -> Dir {
    match value.map(attached) {
        Some(path) => Dir::Path(PathBuf::from(path)),
        None => Dir::Target,
    }
}

pub fn parse(args: Vec<OsString>) -> Result<Parsed> {
    let mut c = Config::default();
    let mut getopt = Getopt::new(OPTIONS, args);
    // What came from --as-target: -W may replace the working directory,
    // --preserve-credentials the ids.
    let mut wd_implied = false;
    let (mut uid_implied, mut gid_implied) = (false, false);
    for item in getopt.by_ref() {
        let (id, value) = item?;
        let value = value.as_deref();
        let required = || value.expect("getopt gives required arguments");
        match id {
            Id::All => c.all = true,
            Id::Target => {
                if c.target.is_some() {
                    return Err(Error::usage("option --target may be given only once"));
                }
                c.target = Some(target::parse_spec(required())?);
            }
            Id::Namespace(flag) => {
                let kind = Kind::by_flag(flag).expect("namespace options are in the table");
                let source = source(value)?;
                // As util-linux: a bare option only asks for the kind, so it
                // keeps a file or id given before; a file or id replaces.
                match c.namespaces.iter_mut().find(|(k, _)| *k == kind) {
                    Some(_) if source == Source::Target => {}
                    Some((_, given)) => *given = source,
                    None => c.namespaces.push((kind, source)),
                }
            }
            Id::NetSocket => {
                let text = required().to_string_lossy();
                let fd = text
                    .parse::<libc::c_int>()
                    .ok()
                    .filter(|fd| *fd >= 0 && text.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| {
                        Error::usage(format!("failed to parse file descriptor: '{text}'"))
                    })?;
                c.net_socket = Some(fd);
            }
            Id::UserParent => c.user_parent = true,
            Id::Setuid => {
                c.uid = Some(id_choice(required(), "uid")?);
                (uid_implied, c.groups) = (false, false);
            }
            Id::Setgid => {
                c.gid = Some(id_choice(required(), "gid")?);
                (gid_implied, c.groups) = (false, false);
            }
            Id::PreserveCredentials => {
                c.preserve_credentials = true;
                if uid_implied {
                    c.uid = None;
                }
                if gid_implied {
                    c.gid = None;
                }
                (uid_implied, gid_implied, c.groups) = (false, false, false);
            }
            Id::KeepCaps => c.keep_caps = Some(crate::sys::cap_last_cap()),
            Id::Root => c.root = Some(dir(value)),
            Id::Wd => {
                if c.wdns.is_some() {
                    return Err(exclusive());
                }
                c.wd = Some(dir(value));
                wd_implied = false;
            }
            Id::Wdns => {
                if c.wd.is_some() && !wd_implied {
                    return Err(exclusive());
                }
                c.wd = None;
                c.wdns = Some(PathBuf::from(attached(required())));
            }
            Id::Env => c.env = true,
            Id::NoFork => c.no_fork = true,
            Id::JoinCgroup => c.join_cgroup = true,
            Id::FollowContext => c.follow_context = true,
            Id::Caps => c.caps = from_target(required(), "--caps")?,
            Id::Seccomp => c.seccomp = from_target(required(), "--seccomp")?,
            Id::NoNewPrivs => c.no_new_privs = NoNewPrivs::Set,
            Id::Pty => c.pty = true,
            Id::AsTarget => {
                as_target(&mut c);
                (wd_implied, uid_implied, gid_implied) = (true, true, true);
            }
            Id::Help => {
                let text = help(
                    &[SYNOPSIS],
                    "Run a program with namespaces of other processes.",
                    OPTIONS,
                    "nsenter(1)",
                );
                return Ok(Parsed::Show(text));
            }
            Id::Version => return Ok(Parsed::Show(version("nsenter"))),
        }
    }
    c.program = getopt.operands();
    check(&c)?;
    Ok(Parsed::Run(Box::new(c)))
}

/// `target` or `inherit`, the values of --caps and --seccomp.
fn from_target(value: &OsStr, option: &str) -> Result<bool> {
    match value.to_string_lossy().as_ref() {
        "target" => Ok(true),
        "inherit" => Ok(false),
        other => Err(Error::usage(format!(
            "unsupported {option} value: '{other}' (use target or inherit)"
        ))),
    }
}

/// --as-target stands for its pieces, written in its place: an option
/// after it overrides the piece it names (`-S 0`, `-w/tmp`, `--caps=inherit`),
/// one before it is overridden.
fn as_target(c: &mut Config) {
    c.all = true;
    c.join_cgroup = true;
    c.uid = Some(IdChoice::Follow);
    c.gid = Some(IdChoice::Follow);
    c.groups = true;
    c.preserve_credentials = false;
    c.caps = true;
    c.no_new_privs = NoNewPrivs::Target;
    c.seccomp = true;
    c.root = Some(Dir::Target);
    c.wd = Some(Dir::Target);
    c.wdns = None;
    c.env = true;
}

/// util-linux's message for options that exclude each other.
fn exclusive() -> Error {
    Error::usage("mutually exclusive arguments: --wd --wdns")
}

/// What the command line alone shows cannot work: something to take from
/// a target without one, or nothing to enter at all. In util-linux's
/// order, and with its messages.
fn check(c: &Config) -> Result<()> {
    let target = c.target.is_some();
    let any_file = c.namespaces.iter().any(|(_, s)| *s != Source::Target);
    let from_target = c.namespaces.iter().any(|(_, s)| *s == Source::Target)
        || c.all
        || c.net_socket.is_some()
        // The parent of the user namespace of a file given, or the target's.
        || (c.user_parent && !any_file);
    if from_target && !target {
        return Err(Error::usage("no target PID specified"));
    }
    let needs = [
        (c.root == Some(Dir::Target), "root"),
        (c.wd == Some(Dir::Target), "cwd"),
        (c.env, "environ"),
        (c.join_cgroup, "cgroup"),
        (c.caps, "--caps=target"),
        (c.seccomp, "--seccomp=target"),
    ];
    if let Some((_, what)) = needs.iter().find(|(needed, _)| *needed && !target) {
        return Err(Error::usage(format!(
            "neither filename nor target pid supplied for {what}"
        )));
    }
    let follow = [c.uid, c.gid].contains(&Some(IdChoice::Follow));
    if follow && !target {
        return Err(Error::usage("no target PID specified for 'follow'"));
    }
    if c.pty && c.no_fork {
        return Err(Error::usage(
            "mutually exclusive arguments: --pty --no-fork",
        ));
    }
    // With --all, what is left to enter depends on the target: that is
    // checked once it is known.
    if c.namespaces.is_empty() && !c.all && c.net_socket.is_none() && !c.user_parent {
        return Err(Error::usage("no namespace specified"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;

//! `nsenter [options] [PROGRAM [ARG...]]`: run a program in the namespaces
//! of another process, or of namespace files, with util-linux's command line.
//!
//! Race-free: the target is held by a pidfd before anything else, its
//! namespaces are joined through that pidfd in one atomic setns(2) where the
//! kernel allows it, and whatever is still read by PID (root, working
//! directory, environment, cgroup) goes through a /proc/PID directory opened
//! while the pidfd proved the PID was still the target's. Everything is
//! opened before anything is entered.

mod confine;
mod enter;
pub(crate) mod options;

use std::ffi::OsString;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use crate::sys::open;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;

use crate::confine::status;
use crate::error::{Context, Error, Kind as ErrorKind, Result};
use crate::exec::{self, Forked, ParentSignals, Program};
use crate::multicall::print;
use crate::ns::{Kind, NsFile, KINDS};
use crate::target::{self, Target};
use crate::{cgroup, creds, idmap, pty, sys};

use confine::Confinement;

use enter::{Entry, Via};
use options::{Config, Dir, IdChoice, Parsed, Source};

pub fn main(args: Vec<OsString>) -> Result<i32> {
    match options::parse(args)? {
        Parsed::Run(config) => run(*config),
        Parsed::Show(text) => print(&text),
    }
}

/// Everything opened before entering: the program only needs these.
struct Opened {
    entries: Vec<Entry>,
    /// The target's cgroup namespace, entered only once the program is in
    /// the target's cgroup (-c): from inside it, a move from a cgroup above
    /// its root is refused (ENOENT).
    late: Vec<Entry>,
    root: Option<OwnedFd>,
    wd: Option<OwnedFd>,
    /// The working directory we started in, for -r alone.
    start_dir: Option<StartDir>,
    env: Option<Vec<(OsString, OsString)>>,
    cgroup: Option<cgroup::Destination>,
    exec_context: Option<String>,
    confinement: Confinement,
}

fn run(mut config: Config) -> Result<i32> {
    let program = std::mem::take(&mut config.program);
    let c = &config;
    let target = match c.target {
        Some(spec) => Some(hold(spec, c)?),
        None => None,
    };
    let mut opened = open_everything(c, target.as_ref())?;
    if let Some(target) = target.as_ref().filter(|_| reads_by_pid(c)) {
        // Everything above was read through the /proc directory the pidfd
        // proved; had the target ended meanwhile, part of it may be another
        // process's (after reuse of its PID).
        target.still_there()?;
    }
    let entered = |flag| {
        let e = |e: &Entry| e.kind.flag == flag;
        opened.entries.iter().any(e) || opened.late.iter().any(e)
    };
    let user = entered(libc::CLONE_NEWUSER);
    let pid = entered(libc::CLONE_NEWPID);
    let force_ids = user && !c.preserve_credentials;
    let forks = (pid && !c.no_fork) || c.pty;

    // Dropped both before and after entering, as util-linux does: before,
    // we may still have the right; after, we may only then have it.
    let dropped_before = force_ids && nix::unistd::setgroups(&[]).is_ok();
    if forks {
        // The parent will watch its child's stops through /proc, which a
        // mount namespace entered may cover with another PID namespace's.
        exec::keep_proc();
        // The parent stays, holding our terminal: once in the target's user
        // namespace, its root could otherwise ptrace us and use it.
        sys::set_dumpable(false);
    }
    let pidfd = target.as_ref().map(|t| &t.pidfd);
    enter::all(std::mem::take(&mut opened.entries), pidfd)?;
    // The target's own /dev/ptmx, so that the program's tty is one it can name.
    let pty = if c.pty { Some(pty::open()?) } else { None };
    // Read now, through the user namespace entered, as its ids.
    let owner = match (c.uid, c.gid) {
        (Some(IdChoice::Follow), _) | (_, Some(IdChoice::Follow)) => Some(
            target
                .as_ref()
                .ok_or_else(|| Error::msg("no target PID specified for 'follow'"))?
                .owner()?,
        ),
        _ => None,
    };
    let groups = match &target {
        Some(target) if c.groups => status::read(target)?.groups,
        _ => Vec::new(),
    };
    let choose = |choice: Option<IdChoice>, followed: Option<u32>| match choice {
        Some(IdChoice::Id(id)) => Some(id),
        Some(IdChoice::Follow) => followed,
        None => force_ids.then_some(0),
    };
    let uid = choose(c.uid, owner.map(|o| o.0));
    let gid = choose(c.gid, owner.map(|o| o.1));

    // Only the late cgroup namespace still needs the target: otherwise
    // let it go now, so that neither side of the fork has it to close.
    let target = target.filter(|_| !opened.late.is_empty());
    let pidfd = target.as_ref().map(|t| &t.pidfd);
    if forks {
        // Joining a PID namespace moves only our future children; and the
        // child is born in the target's cgroup, so that we never move.
        let forked = exec::fork_child_in(ParentSignals::Forward, opened.cgroup.as_ref())?;
        if let Forked::Parent(child) = forked {
            drop(target);
            return Ok(match pty {
                Some(pty) => pty.relay(child),
                None => exec::wait_and_mirror(child),
            });
        }
    } else if let Some(cgroup) = &opened.cgroup {
        cgroup.join()?;
    }
    enter::all(std::mem::take(&mut opened.late), pidfd)?;
    drop(target);
    change_directories(c, opened.root, opened.wd, opened.start_dir)?;
    if let Some(env) = &opened.env {
        exec::replace_environment(env);
    }
    if let Some(pty) = pty {
        pty.attach()?;
        // The program's own terminal, as login(1) hands one over: it may
        // open it by path, too. Best effort: where we may not (no
        // CAP_CHOWN over it), the descriptors it has are enough.
        if let Some(uid) = uid {
            let _ = nix::unistd::fchown(std::io::stdin(), Some(uid.into()), None);
        }
    }
    let confinement = &opened.confinement;
    confinement.before_ids();
    creds::set_ids_and_groups(uid, gid, &groups, dropped_before)?;
    if let Some(last_cap) = c.keep_caps.filter(|_| user && !confinement.takes_caps()) {
        sys::permitted_to_ambient(last_cap)?;
    }
    // None: the shell.
    let program = Program::new(program)?;
    if let Some(context) = &opened.exec_context {
        set_exec_context(context)?;
    }
    confinement.apply()?;
    Err(program.exec())
}

/// --caps=target: capabilities count in the user namespace that holds
/// them, so the target's sets mean the same for the program only in the
/// target's user namespace; in another (ours, say, the host's), the same
/// numbers would give it far more than the target has. Checked before
/// anything is entered: the program's user namespace will be the one of
/// the user entry, or else ours.
fn program_in_user_namespace_of(target: &Target, entries: &[Entry]) -> Result<()> {
    let theirs = target
        .stat("ns/user")
        .context(|| format!("stat of {} failed", target.path("ns/user").display()))?;
    let user = entries.iter().find(|e| e.kind.flag == libc::CLONE_NEWUSER);
    let program = match user.map(|e| &e.via) {
        Some(Via::Pidfd) => return Ok(()),
        Some(Via::Fd(fd)) => nix::sys::stat::fstat(fd),
        None => nix::sys::stat::stat("/proc/self/ns/user"),
    }
    .context(|| "cannot stat the user namespace to enter")?;
    if (program.st_dev, program.st_ino) != (theirs.st_dev, theirs.st_ino) {
        return Err(Error::msg(format!(
            "--caps=target: process {} has its capabilities in another user \
             namespace; enter that too (-U or -a)",
            target.pid
        )));
    }
    Ok(())
}

/// Whether anything of the target's besides its namespaces (which are
/// joined through the pidfd) is read through its /proc directory.
fn reads_by_pid(c: &Config) -> bool {
    c.all
        || c.root == Some(Dir::Target)
        || c.wd == Some(Dir::Target)
        || c.env
        || c.join_cgroup
        || c.follow_context
        || c.caps
        || c.seccomp
        || c.no_new_privs == options::NoNewPrivs::Target
        || c.net_socket.is_some()
        || c.user_parent
}

/// Take hold of the target process, naming in the error, should it not
/// exist, the first of its namespace files we would open.
fn hold(spec: target::Spec, c: &Config) -> Result<Target> {
    let first = KINDS
        .iter()
        .find(|k| {
            c.all
                || c.namespaces
                    .iter()
                    .any(|(n, s)| n == k && *s == Source::Target)
        })
        .map_or(String::new(), |k| format!("ns/{}", k.name));
    target::hold(spec, &first)
}

fn need<'a>(target: Option<&'a Target>, what: &str) -> Result<&'a Target> {
    target.ok_or_else(|| {
        Error::msg(format!(
            "neither filename nor target pid supplied for {what}"
        ))
    })
}

fn open_everything(c: &Config, target: Option<&Target>) -> Result<Opened> {
    let entries = namespaces(c, target)?;
    let dir_flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY;
    let open_dir = |dir: &Dir, name: &str| -> Result<OwnedFd> {
        match dir {
            Dir::Target => need(target, name)?.open_file(name, dir_flags),
            Dir::Path(path) => open(path, dir_flags | OFlag::O_CLOEXEC, Mode::empty())
                .context(|| format!("cannot open {}", path.display())),
        }
    };
    let root = c.root.as_ref().map(|d| open_dir(d, "root")).transpose()?;
    let wd = c.wd.as_ref().map(|d| open_dir(d, "cwd")).transpose()?;
    // Now, before entering a mount namespace resets it to its root.
    let start_dir = (c.root.is_some() && c.wd.is_none() && c.wdns.is_none()).then(start_dir);
    let env = if c.env {
        let data = need(target, "environ")?.read("environ")?;
        Some(parse_environ(&data))
    } else {
        None
    };
    let cgroup = if c.join_cgroup {
        let data = need(target, "cgroup")?.read("cgroup")?;
        Some(cgroup::Destination::open(&String::from_utf8_lossy(&data))?)
    } else {
        None
    };
    // As util-linux: without SELinux, -Z is ignored, --target or not.
    let exec_context = if c.follow_context && selinux_enabled() {
        let target =
            target.ok_or_else(|| Error::msg("no target PID specified for --follow-context"))?;
        let data = target.read("attr/current")?;
        let context = String::from_utf8_lossy(&data);
        Some(context.trim_end_matches(['\0', '\n']).to_owned())
    } else {
        None
    };
    // Only --all gets here with nothing to enter (every namespace of the
    // target is already ours): the parser refuses a command line that asks
    // for none. Last, as util-linux.
    if entries.is_empty() {
        return Err(Error::msg("no namespace specified"));
    }
    if let (Some(target), true) = (target, c.caps) {
        program_in_user_namespace_of(target, &entries)?;
    }
    let confinement = confine::read(c, target)?;
    let mut entries = entries;
    let mut late = Vec::new();
    let cgroup_ns = entries
        .iter()
        .position(|e| e.kind.flag == libc::CLONE_NEWCGROUP);
    if let (Some(at), Some(_)) = (cgroup_ns, &cgroup) {
        late.push(entries.remove(at));
    }
    Ok(Opened {
        entries,
        late,
        root,
        wd,
        start_dir,
        env,
        cgroup,
        exec_context,
        confinement,
    })
}

/// The namespaces to enter and how: asked for by option, added by --all,
/// replaced by --net-socket and --user-parent.
fn namespaces(c: &Config, target: Option<&Target>) -> Result<Vec<Entry>> {
    // Asked only when a namespace comes from the target (uname is a syscall).
    let via_pidfd = std::cell::OnceCell::new();
    let from_target = |kind: &'static Kind| -> Result<Via> {
        let target = need_target(target)?;
        if *via_pidfd.get_or_init(enter::pidfd_setns_supported) {
            return Ok(Via::Pidfd);
        }
        // Without setns(pidfd), open the file now, through the held /proc.
        let name = format!("ns/{}", kind.name);
        Ok(Via::Fd(target.open_file(&name, OFlag::O_RDONLY)?))
    };
    let mut entries: Vec<Entry> = Vec::new();
    for (kind, source) in &c.namespaces {
        let via = match source {
            Source::Target => from_target(kind)?,
            Source::File(path) => Via::Fd(open_kind(kind, path)?),
            Source::Id(id) => Via::Fd(crate::ns::open_by_id(kind, *id)?.fd),
        };
        put(&mut entries, kind, via);
    }
    if c.all {
        let target = need_target(target)?;
        for kind in &KINDS {
            if !entries.iter().any(|e| e.kind.flag == kind.flag) && worth_entering(target, kind)? {
                put(&mut entries, kind, from_target(kind)?);
            }
        }
    }
    if let Some(fd) = c.net_socket {
        let via = Via::Fd(socket_netns(need_target(target)?, fd)?);
        put(&mut entries, kind(libc::CLONE_NEWNET), via);
    }
    if c.user_parent {
        let via = Via::Fd(parent_user_ns(&entries, target)?);
        put(&mut entries, kind(libc::CLONE_NEWUSER), via);
    }
    Ok(entries)
}

fn kind(flag: libc::c_int) -> &'static Kind {
    Kind::by_flag(flag).expect("a kind of ns::KINDS")
}

/// Add an entry, or replace the one of its kind, keeping them in
/// `ns::KINDS` order (user first). (Placed as they come, not sorted at the
/// end: a sort's code is kilobytes, for a list of at most eight.)
fn put(entries: &mut Vec<Entry>, kind: &'static Kind, via: Via) {
    let rank = |k: &Kind| KINDS.iter().position(|o| o.flag == k.flag);
    let at = entries
        .iter()
        .position(|e| rank(e.kind) >= rank(kind))
        .unwrap_or(entries.len());
    match entries.get_mut(at) {
        Some(entry) if entry.kind.flag == kind.flag => entry.via = via,
        _ => entries.insert(at, Entry { kind, via }),
    }
}

/// The target, for what only a target can give.
fn need_target(target: Option<&Target>) -> Result<&Target> {
    target.ok_or_else(no_target)
}

fn no_target() -> Error {
    Error::msg("no target PID specified")
}

/// A namespace file for `kind`. Checked before anything is entered; a file
/// that is no namespace, or of another kind, gets util-linux's message (the
/// one setns(2) would have given), without the half-entered state.
fn open_kind(kind: &'static Kind, path: &Path) -> Result<OwnedFd> {
    match NsFile::open(path) {
        Ok(ns) if ns.kind == kind => Ok(ns.fd),
        Ok(_) => Err(wrong_kind(kind)),
        Err(err) if matches!(err.kind(), ErrorKind::Msg(_)) => Err(wrong_kind(kind)),
        Err(err) => Err(err),
    }
}

fn wrong_kind(kind: &'static Kind) -> Error {
    Error::sys(
        format!("reassociate to namespace 'ns/{}' failed", kind.name),
        nix::errno::Errno::EINVAL,
    )
}

/// Under --all: skip the kinds this kernel lacks, and the namespaces that
/// are already ours. Entering those would change nothing, except that the
/// kernel may refuse it (EPERM for an unprivileged caller, EINVAL for our
/// own user namespace), and that entering our own mount namespace would
/// undo a chroot.
fn worth_entering(target: &Target, kind: &Kind) -> Result<bool> {
    let ours = match nix::sys::stat::stat(format!("/proc/self/ns/{}", kind.name).as_str()) {
        Ok(st) => st,
        Err(nix::errno::Errno::ENOENT) => return Ok(false),
        Err(errno) => {
            return Err(Error::sys(
                format!("cannot stat /proc/self/ns/{}", kind.name),
                errno,
            ))
        }
    };
    let name = format!("ns/{}", kind.name);
    match target.stat(&name) {
        Ok(theirs) => Ok((theirs.st_dev, theirs.st_ino) != (ours.st_dev, ours.st_ino)),
        // Let setns(2) say what is wrong.
        Err(_) if kind.flag != libc::CLONE_NEWUSER => Ok(true),
        // Another user's process: say what would give access.
        Err(errno @ nix::errno::Errno::EACCES) => Err(Error::msg(format!(
            "stat of {} failed: {}; another user's process needs CAP_SYS_PTRACE",
            target.path(&name).display(),
            errno.desc()
        ))),
        Err(errno) => Err(Error::sys(
            format!("stat of {} failed", target.path(&name).display()),
            errno,
        )),
    }
}

/// -N: the network namespace of the target's socket `fd`.
fn socket_netns(target: &Target, fd: libc::c_int) -> Result<OwnedFd> {
    let socket = sys::pidfd_getfd(&target.pidfd, fd)
        .context(|| format!("cannot get descriptor {fd} of process {}", target.pid))?;
    sys::socket_netns(&socket).context(|| {
        format!(
            "cannot get the network namespace of descriptor {fd} of process {}",
            target.pid
        )
    })
}

/// --user-parent: the user namespace that owns the one we would enter
/// (its parent), or that owns another namespace we enter.
fn parent_user_ns(entries: &[Entry], target: Option<&Target>) -> Result<OwnedFd> {
    let failed = || "failed to open parent namespace";
    let user_fd = entries.iter().find_map(|e| match &e.via {
        Via::Fd(fd) if e.kind.flag == libc::CLONE_NEWUSER => Some(fd),
        _ => None,
    });
    if let Some(fd) = user_fd {
        return sys::ns_get_userns(fd).context(failed);
    }
    if let Some(target) = target {
        let own = target.open_file("ns/user", OFlag::O_RDONLY)?;
        return sys::ns_get_userns(&own).context(failed);
    }
    let any = entries.iter().find_map(|e| match &e.via {
        Via::Fd(fd) => Some(fd),
        Via::Pidfd => None,
    });
    match any {
        Some(fd) => sys::ns_get_userns(fd).context(failed),
        None => Err(no_target()),
    }
}

/// The working directory we started in: the directory itself, and its
/// path (none when it has been removed or lies outside our root: getcwd
/// fails then, or, from an older C library, gives a path that does not
/// start with `/`).
struct StartDir {
    fd: Option<OwnedFd>,
    path: Option<PathBuf>,
}

fn start_dir() -> StartDir {
    let flags = OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    StartDir {
        fd: open(".", flags, Mode::empty()).ok(),
        path: nix::unistd::getcwd().ok().filter(|p| p.is_absolute()),
    }
}

/// util-linux's order: root first, then the working directory. With the
/// root changed and no working directory asked for, we stay where we
/// started if that lies inside the new root; otherwise we go to the path we
/// started in, looked up inside the new root, or to its `/` when there is
/// no such directory there. (util-linux returns to where it started even
/// outside the new root, so `cd ..` leaves the root.)
fn change_directories(
    c: &Config,
    root: Option<OwnedFd>,
    wd: Option<OwnedFd>,
    start_dir: Option<StartDir>,
) -> Result<()> {
    if let Some(root) = root {
        nix::unistd::fchdir(&root).context(|| "change directory by root file descriptor failed")?;
        nix::unistd::chroot(".").context(|| "chroot failed")?;
        if let Some(start) = start_dir {
            // The kernel names a working directory from the root only when
            // it lies under the root; otherwise getcwd(3) fails.
            let inside = start.fd.is_some_and(|fd| nix::unistd::fchdir(&fd).is_ok())
                && nix::unistd::getcwd().is_ok();
            if !inside {
                nix::unistd::chdir("/").context(|| "cannot change directory to /")?;
                // Resolved under the new root, so `..` and symbolic links
                // stop at it; where there is no such directory, we stay at `/`.
                if let Some(path) = start.path {
                    let _ = nix::unistd::chdir(&path);
                }
            }
        } else {
            nix::unistd::chdir("/").context(|| "cannot change directory to /")?;
        }
    }
    let mut wd = wd;
    if let Some(dir) = &c.wdns {
        // Looked up inside: after entering and after the chroot.
        wd = Some(
            open(
                dir,
                OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
                Mode::empty(),
            )
            .context(|| format!("cannot open {}", dir.display()))?,
        );
    }
    if let Some(wd) = wd {
        nix::unistd::fchdir(&wd)
            .context(|| "change directory by working directory file descriptor failed")?;
    }
    Ok(())
}

/// /proc/PID/environ: `NAME=value` strings, each ended by a NUL.
fn parse_environ(data: &[u8]) -> Vec<(OsString, OsString)> {
    use std::os::unix::ffi::OsStrExt;
    data.split(|&b| b == 0)
        .filter_map(|entry| {
            let eq = entry.iter().position(|&b| b == b'=')?;
            let (name, value) = (&entry[..eq], &entry[eq + 1..]);
            (!name.is_empty()).then(|| {
                (
                    std::ffi::OsStr::from_bytes(name).to_owned(),
                    std::ffi::OsStr::from_bytes(value).to_owned(),
                )
            })
        })
        .collect()
}

/// Whether SELinux is enabled, as libselinux's is_selinux_enabled() decides
/// it (util-linux asks that before -Z does anything): its file system is
/// mounted at /sys/fs/selinux, not read-only (a container runtime mounts it
/// read-only to say "disabled"), and the system has /etc/selinux/config.
fn selinux_enabled() -> bool {
    use nix::sys::{statfs, statvfs};
    const MOUNT: &str = "/sys/fs/selinux";
    let selinuxfs =
        statfs::statfs(MOUNT).is_ok_and(|fs| fs.filesystem_type() == statfs::SELINUX_MAGIC);
    let writable =
        statvfs::statvfs(MOUNT).is_ok_and(|fs| !fs.flags().contains(statvfs::FsFlags::ST_RDONLY));
    selinuxfs && writable && Path::new("/etc/selinux/config").exists()
}

/// -Z: the program runs in the target's SELinux context.
fn set_exec_context(context: &str) -> Result<()> {
    idmap::write_proc_file(
        "/proc/thread-self/attr/exec",
        context.as_bytes(),
        "write failed",
    )
    .map_err(|_| Error::msg(format!("failed to set exec context to '{context}'")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environ_entries() {
        let env = parse_environ(b"A=1\0B=x=y\0=skip\0novalue\0C=\0");
        let got: Vec<_> = env
            .iter()
            .map(|(k, v)| (k.to_str().unwrap(), v.to_str().unwrap()))
            .collect();
        assert_eq!(got, [("A", "1"), ("B", "x=y"), ("C", "")]);
    }
}

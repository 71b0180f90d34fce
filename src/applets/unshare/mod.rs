//! `unshare [options] [PROGRAM [ARG...]]`: run a program in new namespaces,
//! with util-linux's command line and its order of operations.
//!
//! The order: open the persistence targets and the pid file and fork the
//! helpers (they must stay in the original namespaces), take the --owner
//! ids, one `unshare()`, the id maps, the time offsets, the hostname and
//! the loopback interface, the fork (the parent writes the pid file and has
//! the namespaces bound before the child goes on); then, in the process
//! that will run the program: propagation, root and working directory, proc
//! and binfmt_misc mounts, groups, gid, uid, capabilities, environment,
//! exec.

mod lookup;
pub(crate) mod options;
mod pidfile;
mod setup;
mod uts_net;

use std::ffi::OsString;

use nix::sched::CloneFlags;
use nix::unistd::{getpid, Pid};

use crate::error::{Context, Error, Result};
use crate::exec::{self, Forked, ParentSignals};
use crate::helper::{Helper, Parentage};
use crate::idmap::{self, IdKind};
use crate::multicall::print;
use crate::persist::{self, Target, BIND};
use crate::sys;

use options::{Config, Parsed, Setgroups};
use pidfile::Pidfile;

pub fn main(args: Vec<OsString>) -> Result<i32> {
    let mut config = match options::parse(args)? {
        Parsed::Run(config) => config,
        Parsed::Show(text) => return print(&text),
    };
    lookup::look_up(&mut config)?;
    run(&config)
}

fn run(c: &Config) -> Result<i32> {
    let mappers = map_helpers_needed(c)?;
    let mut binder = persist_helper(c)?;
    let mut pidfile = match &c.pidfile {
        Some(path) => Some(Pidfile::create(path, c.keep_pidfile)?),
        None => None,
    };
    let mut mapper = if mappers.is_empty() {
        None
    } else {
        Some(spawn_mapper(mappers)?)
    };
    if binder.is_some() || mapper.is_some() || c.fork {
        // Before any helper is forked: see `exec::default_sigchld`.
        exec::default_sigchld()?;
    }
    // Linux 6.18 numbers namespaces from per-CPU batches, and binds a mount
    // namespace only when its number is above that of the binder's own.
    let original_mount_ns = match c.persist.iter().any(|(k, _)| k.flag == libc::CLONE_NEWNS) {
        true => own_mount_ns_id(),
        false => None,
    };
    if let Some((uid, gid)) = c.owner {
        become_owner(uid, gid)?;
    }
    nix::sched::unshare(CloneFlags::from_bits_retain(c.flags)).context(|| "unshare failed")?;
    if let Some(original) = original_mount_ns {
        make_mount_ns_newer_than(original)?;
    }
    // setgroups goes first: the kernel refuses any change to it once a
    // gid_map is written (util-linux writes it last, and fails).
    if let Some(setgroups) = c.setgroups {
        write_setgroups(setgroups)?;
    }
    if let Some(mapper) = mapper.as_mut() {
        mapper.order(MAP)?;
        mapper.finish()?;
    }
    write_own_maps(c)?;
    write_time_offsets(c)?;
    // Before the fork and before the binder binds the namespaces: the
    // program, and whoever enters them through their files, find them set.
    if let Some(name) = &c.hostname {
        uts_net::set_hostname(name)?;
    }
    if c.loopback {
        uts_net::bring_up_loopback()?;
    }

    if !c.fork {
        if let Some(binder) = binder.as_mut() {
            binder.order(BIND)?;
        }
        return Err(setup::prepare_and_exec(c, binder.as_mut(), None, None));
    }

    let parent = match c.kill_child {
        Some(_) => Some(sys::pidfd_open(getpid().as_raw()).context(|| "pidfd_open failed")?),
        None => None,
    };
    // With persistence or a pid file the child waits until the namespaces
    // are bound and its PID is written, so that it never runs the program
    // when either failed, nor before the pid file holds its PID.
    let go = match binder.is_some() || pidfile.is_some() {
        true => Some(sys::pipe().context(|| "pipe failed")?),
        false => None,
    };
    let signals = if c.forward_signals {
        ParentSignals::Forward
    } else {
        ParentSignals::Block
    };
    match exec::fork_child(signals)? {
        Forked::Child => {
            if let Some(pidfile) = pidfile.as_mut() {
                pidfile.inherited();
            }
            if let Some((read, write)) = go {
                drop(write);
                if crate::helper::read_byte(&read).is_none() {
                    return Err(Error::reported());
                }
            }
            let keeper = pidfile.as_ref().map(Pidfile::keeper);
            Err(setup::prepare_and_exec(c, binder.as_mut(), keeper, parent))
        }
        Forked::Parent(child) => {
            drop(parent);
            let go = go.map(|(_, write)| write);
            let ready = match pidfile.as_mut() {
                Some(pidfile) => pidfile.write(child),
                None => Ok(()),
            };
            let ready = ready.and_then(|()| match binder.as_mut() {
                Some(binder) => binder.order(BIND),
                None => Ok(()),
            });
            if let Err(err) = ready {
                // The child holds the binder's orders too: let go of ours,
                // so that the binder ends (and undoes) once the child has.
                if let Some(binder) = binder.as_mut() {
                    binder.close_orders();
                }
                // At EOF the child leaves, without running the program.
                drop(go);
                let _ = exec::wait_quietly(child);
                return Err(err);
            }
            if let Some(go) = go {
                let _ = nix::unistd::write(&go, b"g");
            }
            if let Some(binder) = binder.as_mut() {
                // The helper keeps the mounts once the child has executed
                // the program, and undoes them should it fail or die
                // first. Wait for that, so that when we exit, whatever the
                // child's fate, the mounts are as they will stay.
                let _ = binder.finish();
            }
            // The pid file goes before our end, a re-raised signal included.
            Ok(exec::wait_and_mirror_then(child, || {
                if let Some(pidfile) = pidfile.as_mut() {
                    pidfile.finish();
                }
            }))
        }
    }
}

/// Order to the map helper: the namespace exists, write its maps.
const MAP: u8 = b'M';

/// Which maps need the helper, and how each will be written.
fn map_helpers_needed(c: &Config) -> Result<Vec<(IdKind, Vec<idmap::MapRange>, Writer)>> {
    let mut needed = Vec::new();
    for (kind, ranges, cap) in [
        (IdKind::User, &c.user_ranges, CAP_SETUID),
        (IdKind::Group, &c.group_ranges, CAP_SETGID),
    ] {
        if ranges.is_empty() {
            continue;
        }
        let writer = if sys::has_capability(cap) {
            Writer::Direct
        } else {
            // Say it now, before anything is done, rather than after unshare().
            if !exec::in_path(kind.helper()) {
                return Err(Error::msg(format!(
                    "{} not found: mapping ranges of ids as an unprivileged user needs it \
                     (Debian package uidmap)",
                    kind.helper()
                )));
            }
            Writer::Setuid
        };
        needed.push((kind, ranges.clone(), writer));
    }
    Ok(needed)
}

const CAP_SETGID: u32 = 6;
const CAP_SETUID: u32 = 7;

/// How the helper writes a map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Writer {
    /// We hold CAP_SETUID/CAP_SETGID: write /proc/PID/*_map ourselves.
    Direct,
    /// Through the set-uid newuidmap/newgidmap, which check /etc/sub[ug]id.
    Setuid,
}

fn spawn_mapper(maps: Vec<(IdKind, Vec<idmap::MapRange>, Writer)>) -> Result<Helper> {
    let pid = getpid().as_raw();
    crate::helper::spawn(&[], Parentage::Child, move |channel| {
        if channel.next_order() != Some(MAP) {
            return Ok(());
        }
        for (kind, ranges, writer) in &maps {
            match writer {
                Writer::Direct => {
                    idmap::write_map(&format!("/proc/{pid}/{}", kind.map_file()), ranges)?
                }
                Writer::Setuid => run_id_helper(*kind, pid, ranges)?,
            }
        }
        channel.done(MAP);
        Ok(())
    })
}

/// Run newuidmap or newgidmap and wait for it; it explains its own failures.
fn run_id_helper(kind: IdKind, pid: libc::pid_t, ranges: &[idmap::MapRange]) -> Result<()> {
    let argv = idmap::helper_argv(kind, pid, ranges);
    // SAFETY: single-threaded; the child only execs or exits.
    match unsafe { nix::unistd::fork() }.context(|| "fork failed")? {
        nix::unistd::ForkResult::Child => {
            exec::pristine_signals();
            let errno = nix::unistd::execvp(&argv[0], &argv).unwrap_err();
            let err = Error::exec(kind.helper(), errno);
            err.report(crate::applet_name());
            // SAFETY: leave the forked child at once.
            unsafe { libc::_exit(err.code()) }
        }
        nix::unistd::ForkResult::Parent { child } => match exec::wait_quietly(child) {
            Some(0) => Ok(()),
            _ => Err(Error::reported()),
        },
    }
}

/// The persistence targets, opened now, and the helper that will bind them.
fn persist_helper(c: &Config) -> Result<Option<Helper>> {
    if c.persist.is_empty() {
        return Ok(None);
    }
    let mut targets = Vec::new();
    for (kind, path) in &c.persist {
        match Target::open(kind, path) {
            Ok(target) => targets.push(target),
            Err(err) => {
                persist::remove_created(&targets);
                return Err(err);
            }
        }
    }
    // Without --fork the helper must outlive our exec of the program (it
    // learns from that exec that the program runs), and the program must
    // not find it among its children.
    let parentage = match c.fork {
        true => Parentage::Child,
        false => Parentage::Detached,
    };
    // Once it runs, the helper owns the targets, their removal included; we
    // only close our descriptors of them.
    persist::spawn_binder(&targets, getpid().as_raw(), parentage)
        .inspect_err(|_| persist::remove_created(&targets))
        .map(Some)
}

/// --owner: create the user namespace as this user, so that it owns it.
fn become_owner(uid: u32, gid: u32) -> Result<()> {
    nix::unistd::setgroups(&[]).context(|| "setgroups failed")?;
    nix::unistd::setgid(gid.into()).context(|| "setgid() failed")?;
    nix::unistd::setuid(uid.into()).context(|| "setuid() failed")?;
    // Changing uid made us non-dumpable, and /proc/self/{uid_map,setgroups}
    // root's: we could not write our own maps. We are about to exec anyway.
    sys::prctl(libc::PR_SET_DUMPABLE, 1, 0)
        .map(drop)
        .context(|| "prctl(PR_SET_DUMPABLE) failed")
}

/// The single ids we map onto our own (-r, -c, --map-user, --map-group).
fn write_own_maps(c: &Config) -> Result<()> {
    let (euid, egid) = (c.euid, c.egid);
    if let Some(inner) = c.map_user {
        let range = idmap::MapRange {
            inner,
            outer: euid,
            count: 1,
        };
        idmap::write_map("/proc/self/uid_map", &[range])?;
    }
    if let Some(inner) = c.map_group {
        // Unprivileged, the kernel takes a gid_map only once setgroups is denied.
        if c.setgroups.is_none() {
            write_setgroups(Setgroups::Deny)?;
        }
        let range = idmap::MapRange {
            inner,
            outer: egid,
            count: 1,
        };
        idmap::write_map("/proc/self/gid_map", &[range])?;
    }
    Ok(())
}

fn write_setgroups(value: Setgroups) -> Result<()> {
    let path = "/proc/self/setgroups";
    match idmap::write_proc_file(path, value.word().as_bytes(), "write failed") {
        // Kernels without user namespaces have no such file: nothing to control.
        Err(e) if e.sys_errno() == Some(nix::errno::Errno::ENOENT) => Ok(()),
        other => other,
    }
}

/// --boottime and --monotonic, before any process enters the namespace.
fn write_time_offsets(c: &Config) -> Result<()> {
    let path = "/proc/self/timens_offsets";
    for (clock, offset) in [
        (libc::CLOCK_BOOTTIME, c.boottime),
        (libc::CLOCK_MONOTONIC, c.monotonic),
    ] {
        let Some(offset) = offset else { continue };
        let line = format!("{clock} {offset} 0");
        idmap::write_proc_file_saying(
            path,
            line.as_bytes(),
            "failed to open",
            "failed to write to",
        )?;
    }
    Ok(())
}

/// The id of our mount namespace, where the kernel tells it (6.8 and later).
fn own_mount_ns_id() -> Option<u64> {
    let ns = crate::ns::NsFile::open(std::path::Path::new("/proc/self/ns/mnt")).ok()?;
    sys::ns_get_mntns_id(&ns.fd).ok()
}

/// The kernel binds a mount namespace onto a file only when it is newer than
/// the binder's own: when its id is larger. Since Linux 6.18 ids come from
/// per-CPU batches, so a namespace made on one CPU may number below one made
/// earlier on another, and the bind fails with EINVAL about half the time
/// on a machine with two CPUs. On the CPU that numbered the original, a new
/// id is always larger; so, while ours is not, make the mount namespace
/// again (nothing has happened in it yet) on each CPU in turn.
fn make_mount_ns_newer_than(original: u64) -> Result<()> {
    use nix::sched::{sched_getaffinity, sched_setaffinity, CpuSet};
    let newer = || own_mount_ns_id().map_or(true, |id| id > original);
    if newer() {
        return Ok(());
    }
    let me = Pid::from_raw(0);
    let allowed = sched_getaffinity(me).context(|| "sched_getaffinity failed")?;
    let mut result = Err(Error::msg(
        "cannot persist the mount namespace: the kernel numbers it below the \
         current one on every CPU, and refuses to bind it",
    ));
    for cpu in (0..CpuSet::count()).filter(|&cpu| allowed.is_set(cpu).unwrap_or(false)) {
        let mut one = CpuSet::new();
        if one.set(cpu).is_err() || sched_setaffinity(me, &one).is_err() {
            continue;
        }
        nix::sched::unshare(CloneFlags::CLONE_NEWNS).context(|| "unshare failed")?;
        if newer() {
            result = Ok(());
            break;
        }
    }
    // The program runs on the CPUs it was given, not the one we picked.
    sched_setaffinity(me, &allowed).context(|| "sched_setaffinity failed")?;
    result
}

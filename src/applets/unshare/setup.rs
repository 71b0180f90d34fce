//! The last steps, in the process that becomes the program: mounts,
//! directories, credentials, capabilities, environment, then exec.

use std::os::fd::OwnedFd;
use std::path::Path;

use nix::errno::Errno;
use nix::mount::{mount, MsFlags};

use crate::creds;
use crate::error::{Context, Error, Result};
use crate::exec::{self, Program};
use crate::helper::Helper;
use crate::idmap;
use crate::persist::{COMMIT, FAILED, RELEASE};
use crate::sys;

use super::options::Config;

/// Do the rest and exec; only returns (the error) on failure. `binder`,
/// when persisting, and `keeper`, the helper of --pidfile, are told that
/// the program is about to run at the last moment before the exec, once
/// signals we held back have struck, and that it failed should the exec
/// fail: the binder keeps its mounts, and the keeper with --keep-pidfile
/// its file, only when the exec succeeded. `parent` is a pidfd of the
/// parent for --kill-child.
pub fn prepare_and_exec(
    c: &Config,
    mut binder: Option<&mut Helper>,
    keeper: Option<&Helper>,
    parent: Option<OwnedFd>,
) -> Error {
    let program = match prepare(c) {
        Ok(program) => program,
        Err(err) => return err,
    };
    if let Err(err) = arm_kill_child(c, parent) {
        return err;
    }
    if let Some(binder) = binder.as_mut() {
        // The binder lets go of its descriptors of the new mounts, which
        // would keep them busy after the program (perhaps already ended)
        // has run; it undoes them by their ids from here on. Sent before
        // the signal state is reset: a signal that ends us now still makes
        // it undo them. Should the binder be gone, the mounts stay as they
        // are whatever we do: run the program.
        let _ = binder.order(RELEASE);
    }
    let told = [binder.as_deref(), keeper];
    let err = program.exec_announced(|| told.iter().flatten().for_each(|h| h.send(COMMIT)));
    told.iter().flatten().for_each(|h| h.send(FAILED));
    // Say why only once the mounts are undone.
    if let Some(binder) = binder.as_mut() {
        let _ = binder.finish();
    }
    err
}

fn prepare(c: &Config) -> Result<Program> {
    if let Some(flags) = c.propagation.filter(|_| c.has(libc::CLONE_NEWNS)) {
        mount(
            Some("none"),
            "/",
            None::<&str>,
            MsFlags::from_bits_retain(flags),
            None::<&str>,
        )
        .context(|| "cannot change root filesystem propagation")?;
    }
    // A binfmt_misc entry with the F flag opens its interpreter at once, so
    // register it before a chroot makes the interpreter's path mean another
    // file (util-linux does the same).
    let fixed_early = c.root.is_some() && c.interpreter.as_deref().is_some_and(is_fixed);
    if fixed_early {
        let dir = Path::new("/proc/sys/fs/binfmt_misc");
        mount_special("binfmt_misc", dir)?;
        load_interpreter(dir, c.interpreter.as_deref().unwrap_or_default())?;
    }
    let mut wd = c.wd.as_deref();
    if let Some(root) = &c.root {
        nix::unistd::chroot(root)
            .context(|| format!("cannot change root directory to '{}'", root.display()))?;
        wd = Some(wd.unwrap_or(Path::new("/")));
    }
    if let Some(wd) = wd {
        nix::unistd::chdir(wd)
            .context(|| format!("cannot change directory to {}", wd.display()))?;
    }
    if let Some(dir) = &c.proc_dir {
        // With a non-default propagation and no new root, the proc mount
        // point may still propagate: detach it first. A custom DIR is
        // likely no mount at all (EINVAL), which is fine.
        let private = libc::MS_REC | libc::MS_PRIVATE;
        if c.root.is_none() && c.propagation != Some(private) {
            match mount(
                Some("none"),
                dir.as_path(),
                None::<&str>,
                MsFlags::from_bits_retain(private),
                None::<&str>,
            ) {
                Ok(()) | Err(Errno::EINVAL) => {}
                Err(errno) => {
                    return Err(Error::sys(
                        format!("cannot change {} filesystem propagation", dir.display()),
                        errno,
                    ))
                }
            }
        }
        mount_special("proc", dir)?;
    }
    if let Some(dir) = &c.binfmt_dir {
        if !fixed_early {
            mount_special("binfmt_misc", dir)?;
            if let Some(interpreter) = &c.interpreter {
                load_interpreter(dir, interpreter)?;
            }
        }
    }
    creds::set_ids(c.uid, c.gid, false)?;
    if let Some(last_cap) = c.keep_caps.filter(|_| c.has(libc::CLONE_NEWUSER)) {
        sys::permitted_to_ambient(last_cap)?;
    }
    set_environment(c);
    // The shell is chosen last, as util-linux does: after --clear-env (which
    // leaves no $SHELL), the uid change and the chroot.
    if c.program.is_empty() {
        Ok(Program::shell())
    } else {
        Program::new(c.program.clone())
    }
}

/// proc or binfmt_misc, nosuid, noexec, nodev.
fn mount_special(fstype: &str, dir: &Path) -> Result<()> {
    let flags = MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC | MsFlags::MS_NODEV;
    mount(Some(fstype), dir, Some(fstype), flags, None::<&str>)
        .context(|| format!("mount {} failed", dir.display()))
}

/// `:name:type:offset:magic:mask:interpreter:flags`: F is the last field.
fn is_fixed(interpreter: &std::ffi::OsStr) -> bool {
    let text = interpreter.to_string_lossy();
    text.rsplit_once(':')
        .is_some_and(|(_, flags)| flags.contains('F'))
}

fn load_interpreter(dir: &Path, interpreter: &std::ffi::OsStr) -> Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let register = dir.join("register");
    let path = register.to_string_lossy();
    idmap::write_proc_file(&path, interpreter.as_bytes(), "write failed")
}

/// --clear-env and --whitelist-env.
fn set_environment(c: &Config) {
    if c.clear_env || c.kept_env.is_some() {
        exec::replace_environment(c.kept_env.as_deref().unwrap_or_default());
    }
}

/// --kill-child: the signal comes when our parent dies. It is armed last,
/// after the uid and gid changes, because the kernel clears it on any
/// credential change. If the parent died before it was armed, the signal
/// will never come: leave, as util-linux does.
fn arm_kill_child(c: &Config, parent: Option<OwnedFd>) -> Result<()> {
    let Some(signal) = c.kill_child else {
        return Ok(());
    };
    sys::prctl(libc::PR_SET_PDEATHSIG, signal as u64, 0).context(|| "prctl failed")?;
    if let Some(parent) = parent {
        if sys::pidfd_exited(&parent).context(|| "poll parent pidfd failed")? {
            return Err(Error::reported());
        }
    }
    Ok(())
}

//! `nsbox --install [-s] DIR`: a link per applet, replacing only what is
//! already nsbox's: a link to this executable, or to an older nsbox.

use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use nix::errno::Errno;

use crate::applets::APPLETS;
use crate::error::{errno_of, line, strerror, Context, Error, Result};

/// Text that every nsbox executable carries, those built before this
/// constant existed included: it opens nsbox's usage. `--install` and
/// `make install` (src/pkg/install.sh) look for it to tell an nsbox
/// executable of any version from another program of the same name:
/// reading a file is safe where running an unknown program would not be.
/// Never change it: older installs would no longer be recognised.
pub const SIGNATURE: &str = "Linux namespace tools in one executable";

/// More than any nsbox executable will ever be; a larger file is not one.
const LARGEST: u64 = 64 << 20;

/// Whether `path` (links followed) is an nsbox executable: a regular ELF
/// file that carries `SIGNATURE`. Only a regular file is opened, and
/// without blocking, so that a FIFO or a device put in the way is never
/// read (opening a tape drive rewinds it; opening a FIFO waits forever).
pub fn is_nsbox_executable(path: &Path) -> bool {
    let regular = |meta: &std::fs::Metadata| meta.is_file() && meta.len() <= LARGEST;
    if !std::fs::metadata(path).is_ok_and(|m| regular(&m)) {
        return false;
    }
    let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
    else {
        return false;
    };
    // The name may have been swapped for something else since the stat.
    if !file.metadata().is_ok_and(|m| regular(&m)) {
        return false;
    }
    let mut bytes = Vec::new();
    if file.take(LARGEST).read_to_end(&mut bytes).is_err() {
        return false;
    }
    let signature = SIGNATURE.as_bytes();
    bytes.starts_with(b"\x7fELF") && bytes.windows(signature.len()).any(|w| w == signature)
}

/// What is at DIR/NAME before installing.
enum Existing {
    Nothing,
    /// Already exactly what we would create.
    Done,
    /// nsbox's, but not what we would create: a link of the other sort to
    /// this executable, or a link to another nsbox executable (an older
    /// one, before an upgrade). Replaced.
    Replace,
}

/// What is at `link`; None when it is not nsbox's.
fn existing(
    link: &Path,
    exe: &Path,
    exe_meta: &std::fs::Metadata,
    symbolic: bool,
) -> Result<Option<Existing>> {
    let is_exe = |m: &std::fs::Metadata| m.dev() == exe_meta.dev() && m.ino() == exe_meta.ino();
    let meta = match std::fs::symlink_metadata(link) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Some(Existing::Nothing)),
        Err(e) => return Err(e).context(|| format!("cannot stat {}", link.display())),
        Ok(meta) => meta,
    };
    let found = if meta.file_type().is_symlink() {
        match std::fs::metadata(link) {
            Ok(target) if is_exe(&target) => {
                let direct = std::fs::read_link(link).is_ok_and(|t| t == exe);
                Some(if symbolic && direct {
                    Existing::Done
                } else {
                    Existing::Replace
                })
            }
            Ok(_) if is_nsbox_executable(link) => Some(Existing::Replace),
            _ => None,
        }
    } else if meta.file_type().is_file() && is_exe(&meta) {
        Some(if symbolic {
            Existing::Replace
        } else {
            Existing::Done
        })
    } else if meta.file_type().is_file() && is_nsbox_executable(link) {
        Some(Existing::Replace)
    } else {
        None
    };
    Ok(found)
}

/// Link every applet into `dir`. Nothing is created unless every name is
/// free or already nsbox's, so a refusal leaves the directory as it was.
pub fn links(dir: &Path, symbolic: bool) -> Result<i32> {
    let exe =
        std::fs::read_link("/proc/self/exe").context(|| "cannot find the nsbox executable")?;
    let exe_meta = std::fs::metadata(&exe).context(|| format!("cannot stat {}", exe.display()))?;

    let mut plan = Vec::new();
    let mut refused = Vec::new();
    for applet in APPLETS {
        let link = dir.join(applet.name);
        match existing(&link, &exe, &exe_meta, symbolic)? {
            Some(found) => plan.push((link, found)),
            None => refused.push(link),
        }
    }
    if !refused.is_empty() {
        let lines: String = refused
            .iter()
            .map(|p| {
                let why = "exists and is not nsbox's; not overwriting it";
                line("nsbox", &format!("{} {why}", p.display()))
            })
            .collect();
        let _ = std::io::stderr().write_all(lines.as_bytes());
        return Ok(1);
    }

    let make = |at: &Path| -> Result<()> {
        let made = if symbolic {
            std::os::unix::fs::symlink(&exe, at)
        } else {
            std::fs::hard_link(&exe, at)
        };
        made.map_err(|e| {
            let errno = errno_of(e);
            if errno == Errno::EXDEV {
                // A hard link cannot cross file systems; a symbolic one can.
                Error::msg(format!(
                    "cannot link {} to {}: {} (use --install -s for symbolic links)",
                    at.display(),
                    exe.display(),
                    strerror(errno)
                ))
            } else {
                Error::sys(format!("cannot create {}", at.display()), errno)
            }
        })
    };
    for (link, existing) in plan {
        match existing {
            Existing::Done => {}
            Existing::Nothing => make(&link)?,
            Existing::Replace => {
                // Replace through a rename, so the name never goes missing.
                let mut temp = link.clone().into_os_string();
                temp.push(".nsbox-new");
                let temp = PathBuf::from(temp);
                let _ = std::fs::remove_file(&temp);
                make(&temp)?;
                std::fs::rename(&temp, &link)
                    .context(|| format!("cannot replace {}", link.display()))?;
            }
        }
    }
    Ok(0)
}

//! The one error type of every applet: it decides the exit status and renders
//! the single line `applet: what failed: strerror` that the user sees.

use std::ffi::CStr;
use std::fmt;
use std::io::Write;

use nix::errno::Errno;

/// Exit status for the tool's own failures (util-linux's EXIT_FAILURE).
pub const EXIT_FAILURE: i32 = 1;
/// The command was found but could not be executed.
pub const EXIT_CANNOT_EXECUTE: i32 = 126;
/// The command was not found.
pub const EXIT_NOT_FOUND: i32 = 127;

#[derive(Debug)]
pub enum Error {
    /// Bad command line: the message is followed by the "Try --help" hint.
    Usage(String),
    /// A system call failed: `what: strerror(errno)`.
    Sys { what: String, errno: Errno },
    /// A failure the kernel did not name: the message alone.
    Msg(String),
    /// exec of the program failed: 127 when it does not exist, 126 otherwise.
    Exec { program: String, errno: Errno },
    /// Called without the operands it needs: the synopsis, then the hint.
    Synopsis(&'static str),
    /// Already reported, by a helper process or a program we ran: exit 1
    /// without a second message.
    Reported,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn sys(what: impl Into<String>, errno: Errno) -> Self {
        Error::Sys {
            what: what.into(),
            errno,
        }
    }

    pub fn msg(text: impl Into<String>) -> Self {
        Error::Msg(text.into())
    }

    pub fn usage(text: impl Into<String>) -> Self {
        Error::Usage(text.into())
    }

    /// The exit status this error ends the applet with.
    pub fn code(&self) -> i32 {
        match self {
            Error::Exec { errno, .. } if *errno == Errno::ENOENT => EXIT_NOT_FOUND,
            Error::Exec { .. } => EXIT_CANNOT_EXECUTE,
            _ => EXIT_FAILURE,
        }
    }

    /// Print the error as one write to stderr, so that lines from several
    /// processes never interleave mid-line.
    pub fn report(&self, applet: &str) {
        let mut text = match self {
            Error::Reported => return,
            Error::Synopsis(synopsis) => format!("Usage: {applet} {synopsis}\n"),
            _ => format!("{applet}: {self}\n"),
        };
        if matches!(self, Error::Usage(_) | Error::Synopsis(_)) {
            text.push_str(&format!("Try '{applet} --help' for more information.\n"));
        }
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(text) | Error::Msg(text) => f.write_str(text),
            Error::Synopsis(synopsis) => write!(f, "usage: {synopsis}"),
            Error::Reported => f.write_str("failed"),
            Error::Sys { what, errno } => write!(f, "{what}: {}", strerror(*errno)),
            Error::Exec { program, errno } => {
                write!(f, "failed to execute {program}: {}", strerror(*errno))
            }
        }
    }
}

/// The C library's description of an errno, as util-linux prints it; never
/// Rust's "(os error N)" decoration.
pub fn strerror(errno: Errno) -> String {
    // SAFETY: strerror returns a pointer to a NUL-terminated string that stays
    // valid until the next call; we copy it at once and never run threads.
    unsafe { CStr::from_ptr(libc::strerror(errno as i32)) }
        .to_string_lossy()
        .into_owned()
}

/// Attach "what failed" to the errno of a failed call.
pub trait Context<T> {
    fn context<S: Into<String>>(self, what: impl FnOnce() -> S) -> Result<T>;
}

impl<T> Context<T> for nix::Result<T> {
    fn context<S: Into<String>>(self, what: impl FnOnce() -> S) -> Result<T> {
        self.map_err(|errno| Error::sys(what(), errno))
    }
}

impl<T> Context<T> for std::io::Result<T> {
    fn context<S: Into<String>>(self, what: impl FnOnce() -> S) -> Result<T> {
        self.map_err(|err| {
            let errno = Errno::from_raw(err.raw_os_error().unwrap_or(libc::EIO));
            Error::sys(what(), errno)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_codes_follow_the_shell() {
        let missing = Error::Exec {
            program: "x".into(),
            errno: Errno::ENOENT,
        };
        let denied = Error::Exec {
            program: "x".into(),
            errno: Errno::EACCES,
        };
        assert_eq!(missing.code(), 127);
        assert_eq!(denied.code(), 126);
        assert_eq!(Error::msg("x").code(), 1);
        assert_eq!(Error::usage("x").code(), 1);
    }

    #[test]
    fn renders_strerror_without_os_error_suffix() {
        let e = Error::sys("cannot open /x", Errno::ENOENT);
        assert_eq!(e.to_string(), "cannot open /x: No such file or directory");
        let e = Error::Exec {
            program: "/etc/passwd".into(),
            errno: Errno::EACCES,
        };
        assert_eq!(
            e.to_string(),
            "failed to execute /etc/passwd: Permission denied"
        );
    }
}

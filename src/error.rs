//! The one error type of every applet: it decides the exit status and renders
//! the single line `applet: what failed: strerror` that the user sees.

use std::borrow::Cow;
use std::fmt;
use std::io::Write;

use nix::errno::Errno;

/// Exit status for the tool's own failures (util-linux's EXIT_FAILURE).
pub const EXIT_FAILURE: i32 = 1;
/// The command was found but could not be executed.
pub const EXIT_CANNOT_EXECUTE: i32 = 126;
/// The command was not found.
pub const EXIT_NOT_FOUND: i32 = 127;

/// An error: one pointer wide, so that a `Result<()>` comes back in one
/// register and each of the hundreds of `?` in nsbox moves a single word.
#[derive(Debug)]
pub struct Error(Box<Kind>);

#[derive(Debug)]
pub enum Kind {
    /// Whatever a parser refuses, from the command line alone: an unknown
    /// option, a missing or extra operand, a value an option cannot take,
    /// options that exclude each other. The message is followed by the
    /// "Try --help" hint.
    Usage(String),
    /// A system call failed: `what: strerror(errno)`.
    Sys { what: String, errno: Errno },
    /// A failure the kernel did not name: the message alone.
    Msg(String),
    /// exec of the program failed: 127 when it does not exist, 126 otherwise.
    Exec { program: String, errno: Errno },
    /// Already reported, by a helper process or a program we ran: exit 1
    /// without a second message.
    Reported,
}

pub type Result<T> = std::result::Result<T, Error>;

impl From<Kind> for Error {
    /// Out of line: each call site passes its pieces and gets back one
    /// pointer.
    #[inline(never)]
    fn from(kind: Kind) -> Self {
        Error(Box::new(kind))
    }
}

impl Error {
    pub fn sys(what: impl Into<String>, errno: Errno) -> Self {
        Kind::Sys {
            what: what.into(),
            errno,
        }
        .into()
    }

    pub fn msg(text: impl Into<String>) -> Self {
        Kind::Msg(text.into()).into()
    }

    pub fn usage(text: impl Into<String>) -> Self {
        Kind::Usage(text.into()).into()
    }

    pub fn exec(program: impl Into<String>, errno: Errno) -> Self {
        Kind::Exec {
            program: program.into(),
            errno,
        }
        .into()
    }

    /// Already reported: exit 1 without a message of ours.
    pub fn reported() -> Self {
        Kind::Reported.into()
    }

    pub fn kind(&self) -> &Kind {
        &self.0
    }

    /// The errno of a failed system call, for callers that treat one errno
    /// as an answer rather than a failure.
    pub fn sys_errno(&self) -> Option<Errno> {
        match *self.0 {
            Kind::Sys { errno, .. } => Some(errno),
            _ => None,
        }
    }

    /// A usage error with the errno text util-linux gives such a value:
    /// `failed to parse uid: '4294967296': Numerical result out of range`.
    pub fn usage_errno(text: impl fmt::Display, errno: Errno) -> Self {
        Error::usage(format!("{text}: {}", strerror(errno)))
    }

    /// The exit status this error ends the applet with.
    pub fn code(&self) -> i32 {
        match *self.0 {
            Kind::Exec {
                errno: Errno::ENOENT,
                ..
            } => EXIT_NOT_FOUND,
            Kind::Exec { .. } => EXIT_CANNOT_EXECUTE,
            _ => EXIT_FAILURE,
        }
    }

    /// What `report` writes: `applet: message`, and for a command-line
    /// mistake the hint; nothing for an error already reported.
    pub fn render(&self, applet: &str) -> Option<String> {
        if matches!(*self.0, Kind::Reported) {
            return None;
        }
        let mut text = line(applet, &self.to_string());
        if matches!(*self.0, Kind::Usage(_)) {
            let hint = format!("Try '{applet} --help' for more information.");
            text.push_str(&escape(&hint));
            text.push('\n');
        }
        Some(text)
    }

    /// Print the error as one write to stderr, so that lines from several
    /// processes never interleave mid-line.
    pub fn report(&self, applet: &str) {
        if let Some(text) = self.render(applet) {
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            Kind::Usage(text) | Kind::Msg(text) => f.write_str(text),
            Kind::Reported => f.write_str("failed"),
            Kind::Sys { what, errno } => write!(f, "{what}: {}", strerror(*errno)),
            Kind::Exec { program, errno } => {
                write!(f, "failed to execute {program}: {}", strerror(*errno))
            }
        }
    }
}

/// `applet: message` and a newline: one line, whatever the message holds.
pub fn line(applet: &str, message: &str) -> String {
    let mut text = escape(&format!("{applet}: {message}")).into_owned();
    text.push('\n');
    text
}

/// The text with every control character written as `\xHH`, one escape per
/// byte, as util-linux's lsns does: a file name or option value echoed into
/// a message can then neither end the line early (a newline, a carriage
/// return) nor drive the terminal (an escape sequence, C1's CSI), so that no
/// input can split an error line or forge another. The Unicode line and
/// paragraph separators count too, and so does a backslash that starts
/// `\x`, which keeps the escaping unambiguous.
pub fn escape(text: &str) -> Cow<'_, str> {
    let unsafe_at = |(i, c): (usize, char)| {
        c.is_control()
            || c == '\u{2028}'
            || c == '\u{2029}'
            || (c == '\\' && text[i + 1..].starts_with('x'))
    };
    if !text.char_indices().any(unsafe_at) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        if unsafe_at((i, c)) {
            for byte in c.encode_utf8(&mut [0; 4]).bytes() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The description of an errno, in glibc's words as util-linux prints it; never
/// Rust's "(os error N)" decoration.
pub fn strerror(errno: Errno) -> String {
    crate::errno_text::text(errno as i32).into_owned()
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
        self.map_err(|err| Error::sys(what(), errno_of(err)))
    }
}

/// The errno of a failed I/O call (EIO for an error that names none), in
/// one place rather than at every call site.
#[inline(never)]
pub fn errno_of(err: std::io::Error) -> Errno {
    Errno::from_raw(err.raw_os_error().unwrap_or(libc::EIO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_is_one_word() {
        assert_eq!(std::mem::size_of::<Result<()>>(), 8);
        assert_eq!(std::mem::size_of::<Result<u32>>(), 16);
    }

    #[test]
    fn exec_codes_follow_the_shell() {
        let missing = Error::exec("x", Errno::ENOENT);
        let denied = Error::exec("x", Errno::EACCES);
        assert_eq!(missing.code(), 127);
        assert_eq!(denied.code(), 126);
        assert_eq!(Error::msg("x").code(), 1);
        assert_eq!(Error::usage("x").code(), 1);
    }

    #[test]
    fn renders_strerror_without_os_error_suffix() {
        let e = Error::sys("cannot open /x", Errno::ENOENT);
        assert_eq!(e.to_string(), "cannot open /x: No such file or directory");
        let e = Error::exec("/etc/passwd", Errno::EACCES);
        assert_eq!(
            e.to_string(),
            "failed to execute /etc/passwd: Permission denied"
        );
    }

    #[test]
    fn report_is_the_message_and_for_usage_the_hint() {
        assert_eq!(
            Error::msg("bad").render("unshare").unwrap(),
            "unshare: bad\n"
        );
        assert_eq!(
            Error::usage("invalid option -- 'q'")
                .render("nsenter")
                .unwrap(),
            "nsenter: invalid option -- 'q'\nTry 'nsenter --help' for more information.\n"
        );
        assert_eq!(Error::reported().render("nsbind"), None);
    }

    #[test]
    fn control_characters_cannot_split_or_forge_a_line() {
        let forged = Error::msg("unsupported propagation mode: a\nunshare: all is well");
        assert_eq!(
            forged.render("unshare").unwrap(),
            "unshare: unsupported propagation mode: a\\x0aunshare: all is well\n"
        );
        let e = Error::sys("cannot open /x\r\t\u{1b}[2J\u{7f}", Errno::ENOENT);
        assert_eq!(
            e.render("setns-test").unwrap(),
            "setns-test: cannot open /x\\x0d\\x09\\x1b[2J\\x7f: No such file or directory\n"
        );
        // C1 controls (here CSI and NEL) and the Unicode separators, byte by byte.
        assert_eq!(
            escape("a\u{9b}b\u{85}c\u{2028}d\u{2029}"),
            "a\\xc2\\x9bb\\xc2\\x85c\\xe2\\x80\\xa8d\\xe2\\x80\\xa9"
        );
        let usage = Error::usage("unrecognized option '--a\nb'")
            .render("nsbind")
            .unwrap();
        assert_eq!(usage.lines().count(), 2, "{usage:?}");
    }

    #[test]
    fn escaping_leaves_printable_text_alone_and_stays_unambiguous() {
        let plain = "cannot open /tmp/é ü/\\n 'x': No such file or directory";
        assert!(matches!(escape(plain), Cow::Borrowed(_)));
        assert_eq!(escape(plain), plain);
        // A literal backslash-x is escaped, so "\x0a" in the output always
        // means a newline in the input.
        assert_eq!(escape("C:\\x0a"), "C:\\x5cx0a");
        assert_eq!(escape("end\\"), "end\\");
        assert_eq!(escape("\u{fffd}"), "\u{fffd}");
    }
}

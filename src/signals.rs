//! Signal names as util-linux accepts them: `KILL`, `SIGKILL`, `kill`,
//! `RT2`, `RTMIN+2`, `SIGRTMAX-1`; and, beyond util-linux, `9`, `RTMIN`
//! and `RTMAX`.

/// The names without `SIG`, and their numbers: one string with a space
/// after each name, and an array of numbers in the same order, so that the
/// table holds no pointers (each would cost a relocation in a static-PIE
/// executable).
macro_rules! table {
    ($(($name:literal, $number:expr),)*) => {
        const NAMES: &str = concat!($($name, " ",)*);
        const NUMBERS: &[libc::c_int] = &[$($number,)*];
    };
}

table![
    ("HUP", libc::SIGHUP),
    ("INT", libc::SIGINT),
    ("QUIT", libc::SIGQUIT),
    ("ILL", libc::SIGILL),
    ("TRAP", libc::SIGTRAP),
    ("ABRT", libc::SIGABRT),
    ("IOT", libc::SIGIOT),
    ("BUS", libc::SIGBUS),
    ("FPE", libc::SIGFPE),
    ("KILL", libc::SIGKILL),
    ("USR1", libc::SIGUSR1),
    ("SEGV", libc::SIGSEGV),
    ("USR2", libc::SIGUSR2),
    ("PIPE", libc::SIGPIPE),
    ("ALRM", libc::SIGALRM),
    ("TERM", libc::SIGTERM),
    ("STKFLT", libc::SIGSTKFLT),
    ("CHLD", libc::SIGCHLD),
    ("CLD", libc::SIGCHLD),
    ("CONT", libc::SIGCONT),
    ("STOP", libc::SIGSTOP),
    ("TSTP", libc::SIGTSTP),
    ("TTIN", libc::SIGTTIN),
    ("TTOU", libc::SIGTTOU),
    ("URG", libc::SIGURG),
    ("XCPU", libc::SIGXCPU),
    ("XFSZ", libc::SIGXFSZ),
    ("VTALRM", libc::SIGVTALRM),
    ("PROF", libc::SIGPROF),
    ("WINCH", libc::SIGWINCH),
    ("IO", libc::SIGIO),
    ("POLL", libc::SIGPOLL),
    ("PWR", libc::SIGPWR),
    ("SYS", libc::SIGSYS),
];

/// The first real-time signal as glibc numbers them, and so util-linux:
/// glibc keeps 32 and 33 for itself, musl also 34, so its SIGRTMIN() is
/// 35. The kernel's range is the same either way; the names must not
/// depend on the C library nsbox is built with. (SIGRTMAX is the kernel's
/// last signal in both.)
const RTMIN: libc::c_int = 34;

/// The number of a signal given by name or number; None when unknown.
///
/// util-linux's rules (lib/signames.c): an optional `SIG`, then a name of
/// the table, or `RT` followed by `N` (counted from `SIGRTMIN`), `MIN+N` or
/// `MAX-N`, all in any case. Where util-linux is lax, we are not: it stops
/// reading `N` at the first non-digit (`RT1abc` is `RT1` there) and keeps
/// only the low 32 bits of it (`RT4294967297` is `RT1`); both are unknown
/// here.
pub fn by_name(text: &str) -> Option<libc::c_int> {
    let (min, max) = (RTMIN, libc::SIGRTMAX());
    if let Ok(n) = text.parse::<libc::c_int>() {
        return (1..=max).contains(&n).then_some(n);
    }
    let upper = text.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    if let Some(i) = NAMES.split(' ').position(|known| known == name) {
        return NUMBERS.get(i).copied();
    }
    let realtime = name.strip_prefix("RT")?;
    let n = match (realtime.strip_prefix("MIN"), realtime.strip_prefix("MAX")) {
        (Some(""), _) => min,
        (_, Some("")) => max,
        (Some(rest), _) => min.checked_add(offset(rest.strip_prefix('+')?)?)?,
        (_, Some(rest)) => max.checked_sub(offset(rest.strip_prefix('-')?)?)?,
        _ => min.checked_add(offset(realtime)?)?,
    };
    (min..=max).contains(&n).then_some(n)
}

/// The `N` of a real-time signal: decimal digits, nothing else.
fn offset(digits: &str) -> Option<libc::c_int> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_numbers_and_realtime() {
        for text in ["KILL", "SIGKILL", "kill", "SigKill", "9"] {
            assert_eq!(by_name(text), Some(libc::SIGKILL), "{text}");
        }
        assert_eq!(by_name("TERM"), Some(libc::SIGTERM));
        assert_eq!(
            by_name("RTMIN"),
            Some(34),
            "glibc's, whatever the C library"
        );
        #[cfg(target_env = "gnu")]
        assert_eq!(RTMIN, libc::SIGRTMIN());
        assert_eq!(by_name("SIGRTMIN+2"), Some(RTMIN + 2));
        assert_eq!(by_name("RTMAX-1"), Some(libc::SIGRTMAX() - 1));
        for bad in [
            "FOO", "", "0", "65", "RTMIN-1", "RTMAX+1", "RTMIN+", "SIG", "-9", "RTMIN+99",
        ] {
            assert_eq!(by_name(bad), None, "{bad}");
        }
    }

    /// Every real-time spelling of util-linux's lib/signames.c: `RTN`,
    /// `RTMIN+N`, `RTMAX-N`, with or without `SIG`, in any case.
    #[test]
    fn util_linux_realtime_spellings() {
        let (min, max) = (RTMIN, libc::SIGRTMAX());
        for (text, want) in [
            ("RT1", min + 1),
            ("rt1", min + 1),
            ("SIGRT1", min + 1),
            ("sigrt0", min),
            ("RT01", min + 1),
            ("rtmin+1", min + 1),
            ("SigRtMin+0", min),
            ("SIGRTMAX-2", max - 2),
            ("RTMAX-0", max),
        ] {
            assert_eq!(by_name(text), Some(want), "{text}");
        }
        assert_eq!(by_name(&format!("RT{}", max - min)), Some(max));
        // util-linux takes these as RT1 (it stops at the first non-digit,
        // and keeps the low 32 bits of the number): not here.
        for bad in [
            "RT1abc",
            "RTMIN+1x",
            "RT4294967297",
            "RTMIN+4294967297",
            "RTMAX-4294967296",
            &format!("RT{}", max - min + 1),
            "RT",
            "RT+1",
            "RT-1",
            "RT 1",
            " KILL",
            "KILL ",
            "SIGSIGKILL",
        ] {
            assert_eq!(by_name(bad), None, "{bad}");
        }
    }

    /// Found by the parser fuzzer: an offset near the top of an int made
    /// `RTMIN+N` overflow (a panic in a debug build, a wrapped number in a
    /// release build).
    #[test]
    fn offsets_too_large_for_an_int_are_unknown() {
        for bad in [
            "RTMIN+2147483647",
            "SIGRTMIN+2147483614",
            "RTMAX-2147483647",
            "RTMIN+2147483648",
        ] {
            assert_eq!(by_name(bad), None, "{bad}");
        }
    }
}

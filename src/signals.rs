//! Signal names as util-linux accepts them: `KILL`, `SIGKILL`, `kill`, `9`,
//! `RTMIN+2`, `SIGRTMAX-1`.

const NAMES: &[(&str, libc::c_int)] = &[
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

/// The number of a signal given by name or number; None when unknown.
pub fn by_name(text: &str) -> Option<libc::c_int> {
    let (min, max) = (libc::SIGRTMIN(), libc::SIGRTMAX());
    if let Ok(n) = text.parse::<libc::c_int>() {
        return (1..=max).contains(&n).then_some(n);
    }
    let upper = text.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    if let Some(&(_, n)) = NAMES.iter().find(|(known, _)| *known == name) {
        return Some(n);
    }
    let offset = |rest: &str| -> Option<libc::c_int> {
        if rest.is_empty() {
            return Some(0);
        }
        let digits = rest.get(1..)?;
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse().ok())
            .flatten()
    };
    let n = if let Some(rest) = name.strip_prefix("RTMIN") {
        if !(rest.is_empty() || rest.starts_with('+')) {
            return None;
        }
        min.checked_add(offset(rest)?)?
    } else if let Some(rest) = name.strip_prefix("RTMAX") {
        if !(rest.is_empty() || rest.starts_with('-')) {
            return None;
        }
        max.checked_sub(offset(rest)?)?
    } else {
        return None;
    };
    (min..=max).contains(&n).then_some(n)
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
        assert_eq!(by_name("RTMIN"), Some(libc::SIGRTMIN()));
        assert_eq!(by_name("SIGRTMIN+2"), Some(libc::SIGRTMIN() + 2));
        assert_eq!(by_name("RTMAX-1"), Some(libc::SIGRTMAX() - 1));
        for bad in [
            "FOO", "", "0", "65", "RTMIN-1", "RTMAX+1", "RTMIN+", "SIG", "-9", "RTMIN+99",
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

//! The confinement fields of /proc/PID/status: capability sets,
//! no_new_privs, seccomp mode and filter count, supplementary groups, tracer,
//! state.

use crate::error::{Error, Result};
use crate::target::Target;

/// The five capability sets, as 64-bit masks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CapSets {
    pub inheritable: u64,
    pub permitted: u64,
    pub effective: u64,
    pub bounding: u64,
    pub ambient: u64,
}

/// `Seccomp:` in /proc/PID/status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SeccompMode {
    #[default]
    Disabled,
    Strict,
    Filter,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Status {
    pub caps: CapSets,
    pub no_new_privs: bool,
    pub seccomp: SeccompMode,
    /// How many filters (`Seccomp_filters:`).
    pub seccomp_filters: u32,
    /// Supplementary groups, as the user namespace of whoever opened the
    /// file sees them.
    pub groups: Vec<u32>,
    /// The PID of the process tracing it, 0 for none.
    pub tracer: libc::pid_t,
    /// The state letter: `R`, `S`, `T`, `Z` (zombie) and so on.
    pub state: u8,
}

/// Read the target's status through its held /proc directory.
pub fn read(target: &Target) -> Result<Status> {
    let data = target.read("status")?;
    parse(&String::from_utf8_lossy(&data))
        .ok_or_else(|| Error::msg(format!("cannot parse {}", target.path("status").display())))
}

/// The fields we need; None when one is missing or malformed (every kernel
/// nsbox runs on, 5.x and later, has them all).
pub fn parse(text: &str) -> Option<Status> {
    let field = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
            .map(str::trim)
    };
    let mask = |name: &str| u64::from_str_radix(field(name)?, 16).ok();
    let caps = CapSets {
        inheritable: mask("CapInh")?,
        permitted: mask("CapPrm")?,
        effective: mask("CapEff")?,
        bounding: mask("CapBnd")?,
        ambient: mask("CapAmb")?,
    };
    let seccomp = match field("Seccomp")? {
        "0" => SeccompMode::Disabled,
        "1" => SeccompMode::Strict,
        "2" => SeccompMode::Filter,
        _ => return None,
    };
    let groups = field("Groups")?
        .split_whitespace()
        .map(|g| g.parse().ok())
        .collect::<Option<Vec<u32>>>()?;
    Some(Status {
        caps,
        no_new_privs: field("NoNewPrivs")? == "1",
        seccomp,
        // Absent before Linux 5.9: then count them while reading.
        seccomp_filters: field("Seccomp_filters").map_or(Some(0), |n| n.parse().ok())?,
        groups,
        tracer: field("TracerPid")?.parse().ok()?,
        state: *field("State")?.as_bytes().first()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        let text = "Name:\tsleep\nState:\tS (sleeping)\nTracerPid:\t0\nGroups:\t4 27 \nCapInh:\t0000000000000000\n\
                    CapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb\n\
                    CapBnd:\t00000000a80425fb\nCapAmb:\t0000000000000000\n\
                    NoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t3\n";
        let s = parse(text).unwrap();
        assert_eq!(s.caps.permitted, 0xa804_25fb);
        assert_eq!(s.caps.inheritable, 0);
        assert!(s.no_new_privs);
        assert_eq!(s.seccomp, SeccompMode::Filter);
        assert_eq!(s.seccomp_filters, 3);
        assert_eq!(s.groups, [4, 27]);
        assert_eq!(s.state, b'S');
        assert_eq!(parse("Name:\tx\n"), None);
        let ours = std::fs::read_to_string("/proc/self/status").unwrap();
        assert!(parse(&ours).is_some());
    }
}

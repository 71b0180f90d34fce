//! The fuzzer's argument vectors: a small deterministic PRNG, and words made
//! from an applet's options (all forms: long, prefixes, `=` values, short
//! bundles, attached values) mixed with hostile values and garbage.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use crate::args::Arg;

/// SplitMix64: tiny, fast, and the same sequence on every machine, so a seed
/// names a run exactly.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True `percent` times in a hundred.
    pub fn percent(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One option of an applet, whatever the type of its table's ids.
#[derive(Clone, Copy, Debug)]
pub struct Word {
    pub long: &'static str,
    pub short: Option<char>,
    pub arg: Arg,
}

/// Values an option or operand may meet: the words applets know, edges of
/// every integer type, the separators of maps and specs.
const VALUES: &[&str] = &[
    "",
    "0",
    "1",
    "-1",
    "+1",
    "-0",
    "00",
    "65534",
    "2147483647",
    "2147483648",
    "-2147483649",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999999999999999",
    "0x10",
    "1e3",
    " 1",
    "1 ",
    ":",
    "::",
    ":1",
    "1:",
    "1:2",
    "1:2:3",
    "0:0:1",
    "0:100000:65536",
    "4294967295:0:1",
    "0:4294967295:2",
    "1,2",
    "1,2,3",
    "100000,0,65536",
    "1:2:0",
    ":42",
    ":x",
    ":18446744073709551616",
    "=",
    "=/x",
    "auto",
    "subids",
    "all",
    "follow",
    "allow",
    "deny",
    "slave",
    "shared",
    "private",
    "unchanged",
    "mnt",
    "mount",
    "uts",
    "ipc",
    "net",
    "pid",
    "user",
    "cgroup",
    "time",
    "pid_for_children",
    "time_for_children",
    "KILL",
    "SIGTERM",
    "term",
    "RTMIN",
    "SIGRTMAX",
    "RTMIN+1",
    "RTMAX-1",
    "RTMIN-1",
    "0",
    "65",
    "root",
    "nobody",
    "PATH,HOME",
    ",,",
    "/proc/self/ns/uts",
    "/proc/1/ns/net",
    "/nonexistent/x",
    "/",
    ".",
    "-",
    "--",
];

/// Prefixes that numbers are glued to: signals by offset, PID:INODE, nsids.
const GLUE: &[&str] = &[
    "RTMIN+",
    "SIGRTMIN+",
    "RTMAX-",
    "rtmax-",
    "SIG",
    ":",
    "1:",
    "0:",
    "-",
    "+",
];

/// Characters that must never reach the terminal raw: C0 controls, DEL,
/// C1's CSI and NEL, the Unicode line and paragraph separators.
const CONTROLS: &[&str] = &[
    "\n", "\r", "\t", "\x1b[31m", "\x07", "\x08", "\x7f", "\u{9b}", "\u{85}", "\u{2028}",
    "\u{2029}", "\\x0a",
];

/// The largest values of the integer types the parsers use, and their
/// neighbours: where an addition or a conversion overflows.
const EDGES: &[u64] = &[i32::MAX as u64, u32::MAX as u64, i64::MAX as u64, u64::MAX];

/// A whole number: small, at the edge of an integer type, or longer than
/// any integer type holds.
fn digits(rng: &mut Rng) -> Vec<u8> {
    if rng.percent(30) {
        let edge = rng
            .pick(EDGES)
            .wrapping_add(rng.below(3) as u64)
            .wrapping_sub(1);
        return edge.to_string().into_bytes();
    }
    let len = 1 + if rng.percent(70) {
        rng.below(4)
    } else {
        rng.below(40)
    };
    (0..len).map(|_| b'0' + rng.below(10) as u8).collect()
}

/// Bytes that are anything but NUL (argv cannot hold one), often not UTF-8.
fn garbage(rng: &mut Rng) -> Vec<u8> {
    let len = 1 + rng.below(12);
    (0..len)
        .map(|_| match rng.below(4) {
            0 => 0x80 + rng.below(0x80) as u8,
            1 => 1 + rng.below(0x1f) as u8,
            _ => 1 + rng.below(0xff) as u8,
        })
        .collect()
}

/// An option's value or an operand.
pub fn value(rng: &mut Rng) -> Vec<u8> {
    let mut bytes = match rng.below(10) {
        0..=2 => rng.pick(VALUES).as_bytes().to_vec(),
        3 | 4 => digits(rng),
        5 | 6 => {
            let mut v = rng.pick(GLUE).as_bytes().to_vec();
            v.extend(digits(rng));
            v
        }
        7 => {
            // Maps and specs with numbers of any size: INNER:OUTER:COUNT.
            let sep = *rng.pick(b":,");
            let mut v = digits(rng);
            for _ in 0..rng.below(3) {
                v.push(sep);
                v.extend(digits(rng));
            }
            v
        }
        8 => garbage(rng),
        _ if rng.percent(10) => vec![b'a'; 5000],
        _ => rng.pick(VALUES).as_bytes().to_vec(),
    };
    if rng.percent(15) {
        let at = rng.below(bytes.len() + 1);
        let control = rng.pick(CONTROLS).as_bytes();
        bytes.splice(at..at, control.iter().copied());
    }
    bytes
}

/// An option's long name, whole or cut short (a prefix may be unique,
/// ambiguous, or match nothing), or now and then garbage.
fn long_name(rng: &mut Rng, option: &Word) -> Vec<u8> {
    let name = option.long.as_bytes();
    if !name.is_empty() && rng.percent(20) {
        name[..1 + rng.below(name.len())].to_vec()
    } else if name.is_empty() || rng.percent(3) {
        garbage(rng)
    } else {
        name.to_vec()
    }
}

/// A short option letter: this option's, another from the table, or one
/// the table lacks.
fn short_letter(rng: &mut Rng, option: &Word, words: &[Word]) -> Vec<u8> {
    let letter = match option.short {
        Some(c) if rng.percent(50) => Some(c),
        _ => {
            let shorts: Vec<char> = words.iter().filter_map(|w| w.short).collect();
            (!shorts.is_empty() && !rng.percent(8)).then(|| *rng.pick(&shorts))
        }
    };
    match letter {
        Some(c) => c.to_string().into_bytes(),
        None => match rng.below(3) {
            0 => vec![0x80 + rng.below(0x80) as u8],
            1 => "é".as_bytes().to_vec(),
            _ => vec![*rng.pick(b"zqx=-:0?")],
        },
    }
}

/// One word of a command line, most often a form of `option`.
fn word(rng: &mut Rng, option: &Word, words: &[Word]) -> Vec<u8> {
    // Options with a value get one attached more often than flags do,
    // which are then refused ("doesn't allow an argument").
    let attach = if option.arg == Arg::None { 10 } else { 60 };
    match rng.below(20) {
        // --name, --name=value, --name value
        0..=7 => {
            let mut w = b"--".to_vec();
            w.extend(long_name(rng, option));
            if rng.percent(attach) {
                w.push(b'=');
                w.extend(value(rng));
            }
            w
        }
        // -x, -xyz bundles, -xVALUE, -x=VALUE
        8..=11 => {
            let mut w = b"-".to_vec();
            for _ in 0..1 + rng.below(4) {
                w.extend(short_letter(rng, option, words));
            }
            if rng.percent(attach / 2) {
                if rng.percent(30) {
                    w.push(b'=');
                }
                w.extend(value(rng));
            }
            w
        }
        12..=16 => value(rng),
        17 => rng.pick(&["--", "-", "---", "--="]).as_bytes().to_vec(),
        18 => garbage(rng),
        _ => {
            let mut w = b"-".to_vec();
            w.extend(garbage(rng));
            w
        }
    }
}

/// A whole argument vector (without argv[0]) of up to eight words. Each
/// has one option in focus, which most of its words are about: the values
/// of that option meet each other and every other option's.
pub fn argv(rng: &mut Rng, words: &[Word]) -> Vec<OsString> {
    let focus = *rng.pick(words);
    let len = rng.below(9);
    (0..len)
        .map(|_| {
            let option = if rng.percent(50) {
                focus
            } else {
                *rng.pick(words)
            };
            OsString::from_vec(word(rng, &option, words))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_words() {
        let words = [Word {
            long: "type",
            short: Some('t'),
            arg: Arg::Required("<type>"),
        }];
        let run = |seed| {
            let mut rng = Rng::new(seed);
            (0..50).map(|_| argv(&mut rng, &words)).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let all: Vec<u8> = run(7)
            .into_iter()
            .flatten()
            .flat_map(|a| a.into_vec())
            .collect();
        assert!(!all.contains(&0), "argv cannot hold a NUL byte");
    }
}

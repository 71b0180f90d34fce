//! `nsbind`: every command form, as root and as uid 65534 inside a user
//! namespace with its own mount namespace where the kernel allows it,
//! checked against what the kernel says: /proc/self/mountinfo, the
//! /proc/PID/ns links, stat of the bound files, hostnames, `ip netns`; the
//! files are entered again with nsenter and setns-test.
//!
//! Everything that might bind runs in a private mount namespace made for the
//! test by util-linux (`Scene`), so no mount ever reaches the host. Most
//! scenes are also a PID namespace of their own with their own /proc: the
//! end of the script kills and reaps whatever it started, and the process
//! counts of `--list` see only the scene's processes. On drop a scene checks
//! that no mount under its directory reached the host and that none of its
//! processes is left.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// Drops a root shell to uid 65534, as `Cmd::as_user` does.
const NB: &str = "setpriv --reuid 65534 --regid 65534 --clear-groups";

/// Shell functions for the scene scripts, sourced from `$D/prelude.sh`.
const PRELUDE: &str = r#"
umask 022
# waitfor 'CONDITION': poll until it holds; after 20 s, end the script.
waitfor() {
    _n=0
    until eval "$1"; do
        _n=$((_n + 1))
        if [ "$_n" -gt 2000 ]; then
            echo "gave up waiting for: $1" >&2
            exit 99
        fi
        sleep 0.01
    done
}
# run LABEL COMMAND...: run it, print "LABEL: rc=N", then what it printed
# (stdout and stderr together), each line as "LABEL> LINE".
run() {
    _l=$1
    shift
    _o=$("$@" 2>&1)
    _r=$?
    printf '%s: rc=%s\n' "$_l" "$_r"
    [ -z "$_o" ] || printf '%s\n' "$_o" | while IFS= read -r _x; do
        printf '%s> %s\n' "$_l" "$_x"
    done
    return 0
}
# mountinfo writes space, tab and backslash in paths as octal escapes.
escaped() { printf '%s' "$1" | sed 's/\\/\\134/g; s/ /\\040/g; s/	/\\011/g'; }
# mounts PATH: how many mounts sit exactly on PATH.
mounts() {
    P=$(escaped "$1") awk '$5 == ENVIRON["P"] { n++ } END { print n + 0 }' /proc/self/mountinfo
}
# mounted_kind PATH: the kind of the namespace mounted on top at PATH.
mounted_kind() {
    P=$(escaped "$1") awk '$5 == ENVIRON["P"] { k = $4; sub(/:.*/, "", k) } END { print k }' \
        /proc/self/mountinfo
}
# under DIR: the mounts at or below DIR; nsfs_under DIR: the nsfs ones.
under() {
    P=$(escaped "$1") awk '$5 == ENVIRON["P"] || index($5, ENVIRON["P"] "/") == 1 { n++ }
        END { print n + 0 }' /proc/self/mountinfo
}
nsfs_under() {
    P=$(escaped "$1") awk '($5 == ENVIRON["P"] || index($5, ENVIRON["P"] "/") == 1) && / - nsfs / { n++ }
        END { print n + 0 }' /proc/self/mountinfo
}
# ino FILE: the inode of what FILE holds (stat -L), or "none".
ino() { stat -L -c %i -- "$1" 2>/dev/null || echo none; }
# nsino PID ENTRY: the inode that readlink /proc/PID/ns/ENTRY names, or "none".
nsino() {
    if _n=$(readlink "/proc/$1/ns/$2" 2>/dev/null); then
        printf '%s\n' "$_n" | tr -cd 0-9
        echo
    else
        echo none
    fi
}
known() { [ -n "$1" ] && [ "$1" != none ]; }
# eq A B, ne A B: "yes" when both are known and equal (different), else "no(A,B)".
eq() { if known "$1" && [ "$1" = "$2" ]; then echo yes; else echo "no($1,$2)"; fi; }
ne() { if known "$1" && known "$2" && [ "$1" != "$2" ]; then echo yes; else echo "no($1,$2)"; fi; }
# files DIR: the names in DIR, on one line.
files() { printf '%s\n' "$(ls -A "$1" | paste -sd' ' -)"; }
# The state letter of pid $1, or "gone".
state() { cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null || echo gone; }
# The children of pid $1 named $2.
child_named() {
    for _p in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
        [ "$(cat "/proc/$_p/comm" 2>/dev/null)" = "$2" ] && echo "$_p"
    done
    true
}
# spawn OPTIONS...: util-linux's unshare OPTIONS sleep, in the background;
# T is its pid, set up once sleep runs.
spawn() {
    "$UL" "$@" sleep 600 &
    T=$!
    waitfor '[ "$(cat "/proc/$T/comm" 2>/dev/null)" = sleep ]'
}
# spawn_named NAME OPTIONS...: the same, in a new UTS namespace named NAME.
spawn_named() {
    _h=$1
    shift
    "$UL" --uts "$@" sh -c 'hostname "$1" && exec sleep 600' sh "$_h" &
    T=$!
    waitfor '[ "$(cat "/proc/$T/comm" 2>/dev/null)" = sleep ]'
}
# spawn_fork OPTIONS...: the same with --fork: L is unshare, T its child.
# When T is killed, util-linux 2.38 complains that it cannot unblock SIGKILL
# to die the same way ("sigprocmask unblock failed"): its stderr goes to a
# file, and end_fork passes on anything else it said.
spawn_fork() {
    "$UL" --fork "$@" sleep 600 2>"$D/t/launcher.$$" &
    L=$!
    waitfor '[ -n "$(child_named "$L" sleep)" ]'
    T=$(child_named "$L" sleep)
}
# end PID...: kill these children of ours and reap them.
end() { kill -9 "$@" 2>/dev/null; wait "$@" 2>/dev/null; return 0; }
# end_fork: end what spawn_fork started.
end_fork() {
    kill -9 "$T" 2>/dev/null
    wait "$L" 2>/dev/null
    grep -v 'sigprocmask unblock failed' "$D/t/launcher.$$" >&2
    rm -f "$D/t/launcher.$$"
    return 0
}
# other KIND: a different kind, for --type mismatches.
other() {
    case $1 in
        mnt) echo uts ;; uts) echo ipc ;; ipc) echo net ;; net) echo pid ;;
        pid) echo user ;; user) echo cgroup ;; cgroup) echo time ;; time) echo mnt ;;
    esac
}
"#;

/// Runs the script (in `$INNER`) as uid 65534, in a user namespace of its
/// own (mapped as root) with a mount namespace of its own.
/// It first checks that it is: uid 0 there is uid 65534 outside.
const AS_NOBODY: &str = r#"$NB "$UL" -r -m sh -c '
    . "$D/prelude.sh"
    [ "$(awk "{ print \$1, \$2, \$3 }" /proc/self/uid_map)" = "0 65534 1" ] ||
        echo "not in a user namespace of uid 65534: $(cat /proc/self/uid_map)" >&2
    eval "$INNER"' sh "$@""#;

/// Who runs a scene's script.
#[derive(Clone, Copy, Debug)]
enum Who {
    Root,
    /// uid 65534, in `unshare -r -m`.
    Nobody,
}

/// A test's world: the applet links, a work directory `$W` = `$D/w` and
/// `$D/t` for the scripts' own files (mode 0777, so that uid 65534 may
/// create files there), and shells that run
/// scripts in throwaway namespaces. On drop it checks that no mount of ours
/// leaked to the host and that no process of ours is left.
struct Scene {
    env: Env,
    /// Run the wrappers, and so everything below them, on this CPU only.
    cpu: Option<u32>,
}

/// The first CPU we may run on.
fn first_cpu() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let list = status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .expect("no Cpus_allowed_list in /proc/self/status")
        .trim()
        .to_owned();
    let first = list.split([',', '-']).next().unwrap_or_default();
    first
        .parse()
        .unwrap_or_else(|_| panic!("Cpus_allowed_list: {list:?}"))
}

impl Scene {
    fn new() -> Scene {
        let env = Env::new();
        env.tmp().write("prelude.sh", PRELUDE, 0o644);
        // $W, the work directory, and $D/t for the scripts' own files.
        for name in ["w", "t"] {
            let dir = env.tmp().join(name);
            std::fs::create_dir(&dir).unwrap();
            std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o777))
                .unwrap();
        }
        Scene { env, cpu: None }
    }

    /// A scene whose namespaces are all made on one CPU, for the scenes
    /// that bind a mount namespace. Linux 6.18 numbers namespaces from
    /// per-CPU batches and binds a mount namespace only when it numbers
    /// above the binder's own; a target's mount namespace made on another
    /// CPU than the scene's may count as older, and nsbind then refuses it
    /// (rightly: it cannot make the namespace again). On one CPU, a
    /// namespace made later is always newer.
    fn one_cpu() -> Scene {
        let mut scene = Scene::new();
        scene.cpu = Some(first_cpu());
        scene
    }

    fn dir(&self) -> &Path {
        self.env.dir()
    }

    /// `$D`, as the scripts and the messages show it.
    fn d(&self) -> String {
        self.dir().display().to_string()
    }

    /// `$W`.
    fn w(&self) -> String {
        format!("{}/w", self.d())
    }

    /// `$W/NAME`.
    fn work(&self, name: &str) -> PathBuf {
        self.env.tmp().join("w").join(name)
    }

    /// nsbind run directly, in the test's own namespaces: only for what the
    /// kernel cannot let bind anything.
    fn nsbind(&self) -> Cmd {
        self.env.applet("nsbind")
    }

    /// util-linux's unshare, under taskset when the scene has a CPU.
    fn ul(&self) -> Cmd {
        match self.cpu {
            Some(cpu) => cmd("taskset")
                .args(["-c", &cpu.to_string()])
                .arg(UL_UNSHARE),
            None => cmd(UL_UNSHARE),
        }
    }

    /// nsbind in a private mount namespace of its own.
    fn private(&self) -> Cmd {
        self.ul()
            .args(["--mount", "--propagation", "private"])
            .arg(self.env.path("nsbind"))
    }

    /// `sh -c SCRIPT sh` in a private mount namespace that is also a PID
    /// namespace with its own /proc (the end of the script kills and reaps
    /// all it left), with `$N` (nsbind), `$E` (nsenter), `$S` (setns-test),
    /// `$UL` (util-linux's unshare), `$D`, `$W`, `$NB` and the prelude's
    /// functions. Append the script's `$1...` with `.arg()`.
    fn shell(&self, script: &str) -> Cmd {
        self.wrapper(
            &[
                "--propagation",
                "private",
                "--pid",
                "--fork",
                "--kill-child",
                "--mount-proc",
            ],
            script,
        )
    }

    /// The same in a private mount namespace only, seeing the test's PIDs
    /// (for targets the test starts itself). The script must leave no
    /// process behind.
    fn shell_host_pids(&self, script: &str) -> Cmd {
        self.wrapper(&["--propagation", "private"], script)
    }

    /// `shell`, where the script runs as root or as uid 65534 in a user
    /// namespace of its own with a mount namespace of its own.
    fn shell_as(&self, who: Who, script: &str) -> Cmd {
        match who {
            Who::Root => self.shell(script),
            Who::Nobody => self.shell(AS_NOBODY).env("INNER", script),
        }
    }

    fn wrapper(&self, options: &[&str], script: &str) -> Cmd {
        self.ul()
            .arg("--mount")
            .args(options)
            .args(["sh", "-c"])
            .arg(format!(". \"$D/prelude.sh\"\n{script}"))
            .arg("sh")
            .env("N", self.env.path("nsbind"))
            .env("E", self.env.path("nsenter"))
            .env("S", self.env.path("setns-test"))
            .env("UL", UL_UNSHARE)
            .env("D", self.dir())
            .env("W", self.w())
            .env("NB", NB)
    }
}

/// The processes (other than us) whose environment has `D=dir`: started by
/// a scene of `dir`.
fn processes_of(dir: &str) -> Vec<String> {
    let marker = format!("D={dir}");
    let me = std::process::id().to_string();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) || pid == me {
            continue;
        }
        let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
            continue;
        };
        if environ.split(|b| *b == 0).any(|e| e == marker.as_bytes()) {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            found.push(format!("{pid} ({})", comm.trim_end()));
        }
    }
    found
}

impl Drop for Scene {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
        let dir = self.d();
        assert!(
            !mountinfo.contains(&dir),
            "a mount under {dir} leaked to the host:\n{mountinfo}"
        );
        let left = processes_of(&dir);
        assert!(
            left.is_empty(),
            "processes of the scene were left: {left:?}"
        );
    }
}

// ---------------------------------------------------------------- checks

/// Whether `text` matches `pattern`, where `*` stands for any text.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// The script succeeded, wrote nothing on stderr, and its stdout is these
/// lines (`*` in one stands for any text).
fn expect(out: &Output, expected: &str) {
    out.success().stderr_is("");
    let text = out.stdout();
    let got: Vec<&str> = text.lines().collect();
    let want: Vec<&str> = expected.lines().collect();
    for (i, w) in want.iter().enumerate() {
        match got.get(i) {
            Some(g) if glob(w, g) => {}
            Some(g) => out.fail(&format!(
                "stdout line {}: expected {w:?}, got {g:?}\n  expected all:\n{expected}",
                i + 1
            )),
            None => out.fail(&format!(
                "stdout ended before line {}: {w:?}\n  expected all:\n{expected}",
                i + 1
            )),
        }
    }
    if got.len() != want.len() {
        out.fail(&format!(
            "stdout has {} lines, expected {}\n  expected all:\n{expected}",
            got.len(),
            want.len()
        ));
    }
}

/// The value of the first stdout line `KEY=VALUE`.
fn value(out: &Output, key: &str) -> String {
    let prefix = format!("{key}=");
    out.stdout()
        .lines()
        .find_map(|l| l.strip_prefix(&prefix).map(str::to_owned))
        .unwrap_or_else(|| out.fail(&format!("no {key}= line")))
}

/// A kind different from `kind` (the prelude's `other`).
fn other(kind: &str) -> &'static str {
    let at = KINDS.iter().position(|k| *k == kind).unwrap();
    KINDS[(at + 1) % KINDS.len()]
}

fn pidfd_inode(pid: i32) -> u64 {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    assert!(
        fd >= 0,
        "pidfd_open {pid}: {}",
        std::io::Error::last_os_error()
    );
    // SAFETY: the descriptor is new and ours alone.
    let file = unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(fd as i32) };
    file.metadata().unwrap().ino()
}

// ---------------------------------------------------------------- listings

/// One entry of `nsbind --list` or `--json`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Listed {
    ns: u64,
    kind: String,
    nprocs: u64,
    path: String,
}

/// `--list`: a header `NS TYPE NPROCS PATH`, then one line per mount, the
/// path being the rest of the line after one space.
fn parse_table(text: &str) -> Result<Vec<Listed>, String> {
    let mut lines = text.lines();
    let header = lines.next().ok_or("no header")?;
    if header.split_whitespace().collect::<Vec<_>>() != ["NS", "TYPE", "NPROCS", "PATH"] {
        return Err(format!("bad header {header:?}"));
    }
    let field = |rest: &str| -> Result<(String, String), String> {
        let (word, rest) = rest
            .trim_start()
            .split_once(' ')
            .ok_or_else(|| format!("short line in {text:?}"))?;
        Ok((word.to_owned(), rest.to_owned()))
    };
    let mut found = Vec::new();
    for line in lines {
        let (ns, rest) = field(line)?;
        let (kind, rest) = field(&rest)?;
        let (nprocs, path) = field(&rest)?;
        found.push(Listed {
            ns: ns.parse().map_err(|_| format!("bad NS in {line:?}"))?,
            kind,
            nprocs: nprocs
                .parse()
                .map_err(|_| format!("bad NPROCS in {line:?}"))?,
            path,
        });
    }
    Ok(found)
}

/// A JSON value, as far as the listing needs: numbers stay text.
#[derive(Debug, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

/// A small strict JSON parser (RFC 8259), so that no serde is needed.
struct JsonParser<'a> {
    text: &'a [u8],
    at: usize,
}

impl JsonParser<'_> {
    fn parse(text: &str) -> Result<Json, String> {
        let mut p = JsonParser {
            text: text.as_bytes(),
            at: 0,
        };
        let value = p.value()?;
        p.space();
        if p.at != p.text.len() {
            return Err(format!("trailing text at byte {}", p.at));
        }
        Ok(value)
    }

    fn space(&mut self) {
        while matches!(self.text.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn fail<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("{what} at byte {}", self.at))
    }

    fn eat(&mut self, byte: u8) -> Result<(), String> {
        self.space();
        if self.text.get(self.at) == Some(&byte) {
            self.at += 1;
            Ok(())
        } else {
            self.fail(&format!("expected {:?}", byte as char))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.space();
        let rest = &self.text[self.at..];
        for (word, value) in [
            ("null", Json::Null),
            ("true", Json::Bool(true)),
            ("false", Json::Bool(false)),
        ] {
            if rest.starts_with(word.as_bytes()) {
                self.at += word.len();
                return Ok(value);
            }
        }
        match rest.first() {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(Json::Str),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => self.fail("expected a value"),
        }
    }

    fn object(&mut self) -> Result<Json, String> {
        self.eat(b'{')?;
        let mut members = Vec::new();
        self.space();
        if self.text.get(self.at) == Some(&b'}') {
            self.at += 1;
            return Ok(Json::Obj(members));
        }
        loop {
            self.space();
            let key = self.string()?;
            self.eat(b':')?;
            members.push((key, self.value()?));
            self.space();
            match self.text.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Json::Obj(members));
                }
                _ => return self.fail("expected ',' or '}'"),
            }
        }
    }

    fn array(&mut self) -> Result<Json, String> {
        self.eat(b'[')?;
        let mut items = Vec::new();
        self.space();
        if self.text.get(self.at) == Some(&b']') {
            self.at += 1;
            return Ok(Json::Arr(items));
        }
        loop {
            items.push(self.value()?);
            self.space();
            match self.text.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Json::Arr(items));
                }
                _ => return self.fail("expected ',' or ']'"),
            }
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.at;
        if self.text.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        let digits = |p: &mut Self| {
            let from = p.at;
            while matches!(p.text.get(p.at), Some(b'0'..=b'9')) {
                p.at += 1;
            }
            p.at > from
        };
        if !digits(self) {
            return self.fail("expected digits");
        }
        if self.text[start..].starts_with(b"-0") && self.at - start > 2
            || self.text[start..].starts_with(b"0") && self.at - start > 1
        {
            return self.fail("leading zero");
        }
        if self.text.get(self.at) == Some(&b'.') {
            self.at += 1;
            if !digits(self) {
                return self.fail("expected fraction digits");
            }
        }
        if matches!(self.text.get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.text.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !digits(self) {
                return self.fail("expected exponent digits");
            }
        }
        let text = std::str::from_utf8(&self.text[start..self.at]).unwrap();
        Ok(Json::Num(text.to_owned()))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .text
            .get(self.at..self.at + 4)
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u32::from_str_radix(d, 16).ok());
        match digits {
            Some(n) => {
                self.at += 4;
                Ok(n)
            }
            None => self.fail("bad \\u escape"),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        if self.text.get(self.at) != Some(&b'"') {
            return self.fail("expected a string");
        }
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let Some(&byte) = self.text.get(self.at) else {
                return self.fail("unterminated string");
            };
            self.at += 1;
            match byte {
                b'"' => break,
                b'\\' => {
                    let Some(&escape) = self.text.get(self.at) else {
                        return self.fail("unterminated escape");
                    };
                    self.at += 1;
                    let simple = match escape {
                        b'"' => Some(b'"'),
                        b'\\' => Some(b'\\'),
                        b'/' => Some(b'/'),
                        b'b' => Some(8),
                        b'f' => Some(12),
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        b'u' => None,
                        _ => return self.fail("bad escape"),
                    };
                    if let Some(b) = simple {
                        out.push(b);
                        continue;
                    }
                    let mut code = self.hex4()?;
                    if (0xd800..0xdc00).contains(&code) {
                        if !self.text[self.at..].starts_with(b"\\u") {
                            return self.fail("lone surrogate");
                        }
                        self.at += 2;
                        let low = self.hex4()?;
                        if !(0xdc00..0xe000).contains(&low) {
                            return self.fail("bad low surrogate");
                        }
                        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                    }
                    let c = char::from_u32(code).ok_or_else(|| "bad code point".to_owned())?;
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                0..=0x1f => return self.fail("control character in string"),
                _ => out.push(byte),
            }
        }
        String::from_utf8(out).map_err(|_| "string is not UTF-8".to_owned())
    }
}

/// `--json`: exactly {"namespaces": [{"ns", "type", "nprocs", "path"}...]}.
fn parse_listing_json(text: &str) -> Result<Vec<Listed>, String> {
    let Json::Obj(top) = JsonParser::parse(text)? else {
        return Err("not an object".into());
    };
    let [(key, Json::Arr(items))] = &top[..] else {
        return Err(format!("expected only \"namespaces\": [...], got {top:?}"));
    };
    if key != "namespaces" {
        return Err(format!("unexpected key {key:?}"));
    }
    let number = |v: &Json| match v {
        Json::Num(n) => n.parse::<u64>().map_err(|_| format!("not a count: {n}")),
        other => Err(format!("not a number: {other:?}")),
    };
    let mut found = Vec::new();
    for item in items {
        let Json::Obj(members) = item else {
            return Err(format!("not an object: {item:?}"));
        };
        let keys: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
        if keys != ["ns", "type", "nprocs", "path"] {
            return Err(format!("unexpected members {keys:?}"));
        }
        let (Json::Str(kind), Json::Str(path)) = (&members[1].1, &members[3].1) else {
            return Err(format!("type and path should be strings: {members:?}"));
        };
        found.push(Listed {
            ns: number(&members[0].1)?,
            kind: kind.clone(),
            nprocs: number(&members[2].1)?,
            path: path.clone(),
        });
    }
    Ok(found)
}

#[test]
fn json_parser_is_strict() {
    let good = r#"{"a": [1, -2.5e3, "x\"\\\/\n\u00e9\ud83d\ude00", true, false, null, {}]}"#;
    assert_eq!(
        JsonParser::parse(good).unwrap(),
        Json::Obj(vec![(
            "a".into(),
            Json::Arr(vec![
                Json::Num("1".into()),
                Json::Num("-2.5e3".into()),
                Json::Str("x\"\\/\n\u{e9}\u{1f600}".into()),
                Json::Bool(true),
                Json::Bool(false),
                Json::Null,
                Json::Obj(vec![]),
            ])
        )])
    );
    for bad in [
        "",
        "{",
        "{\"a\" 1}",
        "[1,]",
        "[1] 2",
        "\"a\nb\"",
        "\"\\x\"",
        "01",
        "{\"a\": 1,}",
        "\"\\ud83d\"",
    ] {
        assert!(JsonParser::parse(bad).is_err(), "accepted {bad:?}");
    }
}

// ---------------------------------------------------------------- binding

/// `nsbind NSFILE TARGET` for each kind, from a target in new namespaces
/// of every kind: the file holds the target's namespace (not ours), is
/// mounted once, can be entered with setns-test, and serves as NSFILE in
/// turn; `--type` with the right kind binds, with a wrong one it refuses
/// and creates nothing.
fn each_kind_from_file(who: Who) {
    let s = Scene::one_cpu();
    let out = s
        .shell_as(
            who,
            r#"
        spawn_fork -m -u -i -n -p -C -T -U -r
        echo "T=$T"
        for k in mnt uts ipc net pid user cgroup time; do
            run "$k" "$N" "/proc/$T/ns/$k" "$W/$k"
            echo "$k: held=$(eq "$(ino "$W/$k")" "$(nsino "$T" "$k")")" \
                "new=$(ne "$(nsino "$T" "$k")" "$(nsino $$ "$k")")" \
                "mounts=$(mounts "$W/$k") kind=$(mounted_kind "$W/$k")" \
                "entered=$(eq "$("$S" "$W/$k" readlink "/proc/self/ns/$k")" \
                              "$(readlink "/proc/$T/ns/$k")")"
            run "$k again" "$N" "$W/$k" "$W/$k.again"
            echo "$k again: held=$(eq "$(ino "$W/$k.again")" "$(nsino "$T" "$k")")" \
                "mounts=$(mounts "$W/$k.again")"
            run "$k typed" "$N" --type "$k" "/proc/$T/ns/$k" "$W/$k.typed"
            echo "$k typed: held=$(eq "$(ino "$W/$k.typed")" "$(nsino "$T" "$k")")"
            run "$k mistyped" "$N" --type "$(other "$k")" "/proc/$T/ns/$k" "$W/$k.mistyped"
            echo "$k mistyped: exists=$(ls -A "$W" | grep -c mistyped)" \
                "mounts=$(mounts "$W/$k.mistyped")"
        done
        run "mount typed" "$N" --type mount "/proc/$T/ns/mnt" "$W/mount.typed"
        echo "mounts=$(nsfs_under "$W") files=$(ls -A "$W" | wc -l)"
        end_fork
    "#,
        )
        .run();
    let t = value(&out, "T");
    let mut want = format!("T={t}\n");
    for k in KINDS {
        let o = other(k);
        want += &format!(
            "{k}: rc=0\n\
             {k}: held=yes new=yes mounts=1 kind={k} entered=yes\n\
             {k} again: rc=0\n\
             {k} again: held=yes mounts=1\n\
             {k} typed: rc=0\n\
             {k} typed: held=yes\n\
             {k} mistyped: rc=1\n\
             {k} mistyped> nsbind: /proc/{t}/ns/{k} is a {k} namespace, not {o}\n\
             {k} mistyped: exists=0 mounts=0\n"
        );
    }
    want += "mount typed: rc=0\nmounts=25 files=25\n";
    expect(&out, &want);
}

/// `nsbind -t PID TYPE TARGET` for each kind (and `mount`, `--target`).
fn each_kind_from_process(who: Who) {
    let s = Scene::one_cpu();
    let out = s
        .shell_as(
            who,
            r#"
        spawn_fork -m -u -i -n -p -C -T -U -r
        for k in mnt uts ipc net pid user cgroup time; do
            run "$k" "$N" -t "$T" "$k" "$W/$k"
            echo "$k: held=$(eq "$(ino "$W/$k")" "$(nsino "$T" "$k")")" \
                "new=$(ne "$(nsino "$T" "$k")" "$(nsino $$ "$k")")" \
                "mounts=$(mounts "$W/$k") kind=$(mounted_kind "$W/$k")"
        done
        run mount "$N" -t "$T" mount "$W/mount"
        echo "mount: held=$(eq "$(ino "$W/mount")" "$(nsino "$T" mnt)")"
        run long "$N" --target "$T" net "$W/long"
        echo "long: held=$(eq "$(ino "$W/long")" "$(nsino "$T" net)")"
        run attached "$N" -t"$T" ipc "$W/attached"
        echo "attached: held=$(eq "$(ino "$W/attached")" "$(nsino "$T" ipc)")"
        echo "entered: $(eq "$("$E" --mount="$W/mnt" --uts="$W/uts" readlink /proc/self/ns/uts)" \
                             "$(readlink "/proc/$T/ns/uts")")"
        end_fork
    "#,
        )
        .run();
    let mut want = String::new();
    for k in KINDS {
        want += &format!("{k}: rc=0\n{k}: held=yes new=yes mounts=1 kind={k}\n");
    }
    want += "mount: rc=0\nmount: held=yes\nlong: rc=0\nlong: held=yes\n\
             attached: rc=0\nattached: held=yes\nentered: yes\n";
    expect(&out, &want);
}

/// pid_for_children and time_for_children name the namespaces of a
/// process's future children: `unshare --pid --time --fork` is in neither,
/// its child in both. The files hold the child's; setns-test enters them.
fn for_children(who: Who) {
    let s = Scene::new();
    let out = s
        .shell_as(
            who,
            r#"
        spawn_fork --pid --time
        for e in pid_for_children time_for_children pid time; do
            run "$e" "$N" -t "$L" "$e" "$W/$e"
        done
        echo "pid_for_children: child=$(eq "$(ino "$W/pid_for_children")" "$(nsino "$T" pid)")" \
            "entry=$(eq "$(ino "$W/pid_for_children")" "$(nsino "$L" pid_for_children)")" \
            "not-own=$(ne "$(ino "$W/pid_for_children")" "$(nsino "$L" pid)")" \
            "kind=$(mounted_kind "$W/pid_for_children")"
        echo "time_for_children: child=$(eq "$(ino "$W/time_for_children")" "$(nsino "$T" time)")" \
            "entry=$(eq "$(ino "$W/time_for_children")" "$(nsino "$L" time_for_children)")" \
            "not-own=$(ne "$(ino "$W/time_for_children")" "$(nsino "$L" time)")" \
            "kind=$(mounted_kind "$W/time_for_children")"
        echo "pid: own=$(eq "$(ino "$W/pid")" "$(nsino "$L" pid)")"
        echo "time: own=$(eq "$(ino "$W/time")" "$(nsino "$L" time)")"
        echo "entered pid: $(eq "$("$S" "$W/pid_for_children" readlink /proc/self/ns/pid)" \
                                 "$(readlink "/proc/$T/ns/pid")")"
        echo "entered time: $(eq "$("$S" "$W/time_for_children" readlink /proc/self/ns/time)" \
                                  "$(readlink "/proc/$T/ns/time")")"
        end_fork
    "#,
        )
        .run();
    expect(
        &out,
        "pid_for_children: rc=0\n\
         time_for_children: rc=0\n\
         pid: rc=0\n\
         time: rc=0\n\
         pid_for_children: child=yes entry=yes not-own=yes kind=pid\n\
         time_for_children: child=yes entry=yes not-own=yes kind=time\n\
         pid: own=yes\n\
         time: own=yes\n\
         entered pid: yes\n\
         entered time: yes\n",
    );
}

mod file {
    #[test]
    fn each_kind() {
        super::each_kind_from_file(super::Who::Root);
    }
    #[test]
    fn each_kind_unprivileged() {
        super::each_kind_from_file(super::Who::Nobody);
    }
}

mod process {
    use super::*;

    #[test]
    fn each_kind() {
        each_kind_from_process(Who::Root);
    }
    #[test]
    fn each_kind_unprivileged() {
        each_kind_from_process(Who::Nobody);
    }
    #[test]
    fn for_children() {
        super::for_children(Who::Root);
    }
    #[test]
    fn for_children_unprivileged() {
        super::for_children(Who::Nobody);
    }

    /// PID:INODE pins the process by the inode of its pidfd: the right one
    /// binds, a wrong one is refused and creates nothing (nor --all's DIR).
    #[test]
    fn pid_and_pidfd_inode() {
        let target = Target::new(&["uts"]);
        let inode = pidfd_inode(target.pid());
        let s = Scene::new();
        let out = s
            .shell_host_pids(
                r#"
            run right "$N" -t "$1:$2" uts "$W/right"
            run wrong "$N" -t "$1:$3" uts "$W/wrong"
            run "wrong all" "$N" -t "$1:$3" --all "$W/all"
            echo "right: $(eq "$(ino "$W/right")" "$(nsino "$1" uts)") $("$S" "$W/right" hostname)"
            files "$W"
        "#,
            )
            .args([
                target.pid().to_string(),
                inode.to_string(),
                (inode + 1).to_string(),
            ])
            .run();
        let (pid, bad) = (target.pid(), inode + 1);
        expect(
            &out,
            &format!(
                "right: rc=0\n\
                 wrong: rc=1\n\
                 wrong> nsbind: pidfd inode {bad} not found for pid {pid}\n\
                 wrong all: rc=1\n\
                 wrong all> nsbind: pidfd inode {bad} not found for pid {pid}\n\
                 right: yes {}\n\
                 right\n",
                target.hostname()
            ),
        );
    }
}

// ---------------------------------------------------------------- --all

/// `-t PID --all DIR` from a target in new namespaces of every kind: DIR is
/// created (0755) and holds all eight, each the target's, each mounted once.
fn all_kinds(who: Who) {
    let s = Scene::one_cpu();
    let out = s
        .shell_as(
            who,
            r#"
        spawn_fork -m -u -i -n -p -C -T -U -r
        run all "$N" -t "$T" --all "$W/all"
        echo "mode=$(stat -c %a "$W/all") files=$(files "$W/all")"
        for k in mnt uts ipc net pid user cgroup time; do
            echo "$k: held=$(eq "$(ino "$W/all/$k")" "$(nsino "$T" "$k")")" \
                "mounts=$(mounts "$W/all/$k") kind=$(mounted_kind "$W/all/$k")"
        done
        echo "nsfs=$(nsfs_under "$W")"
        run short "$N" -t "$T" -a "$W/short"
        echo "short: files=$(files "$W/short") nsfs=$(nsfs_under "$W/short")"
        end_fork
    "#,
        )
        .run();
    let mut want = String::from("all: rc=0\nmode=755 files=cgroup ipc mnt net pid time user uts\n");
    for k in KINDS {
        want += &format!("{k}: held=yes mounts=1 kind={k}\n");
    }
    want += "nsfs=8\nshort: rc=0\nshort: files=cgroup ipc mnt net pid time user uts nsfs=8\n";
    expect(&out, &want);
}

mod all {
    use super::*;

    #[test]
    fn every_kind_into_a_new_dir() {
        all_kinds(Who::Root);
    }

    #[test]
    fn every_kind_into_a_new_dir_unprivileged() {
        all_kinds(Who::Nobody);
    }

    /// A target with only a UTS namespace of its own: the kinds it shares
    /// with us are bound all the same, except the mount namespace, which is
    /// our own (the kernel cannot bind that). An existing DIR is used.
    #[test]
    fn kinds_shared_with_us_and_our_mount_namespace() {
        let s = Scene::new();
        let out = s
            .shell(
                r#"
            spawn_named nsbind-all
            mkdir -m 700 "$W/all"
            run all "$N" -t "$T" --all "$W/all"
            echo "mode=$(stat -c %a "$W/all") files=$(files "$W/all")"
            echo "uts: held=$(eq "$(ino "$W/all/uts")" "$(nsino "$T" uts)")" \
                "new=$(ne "$(ino "$W/all/uts")" "$(nsino $$ uts)")" \
                "hostname=$("$S" "$W/all/uts" hostname)"
            for k in ipc net pid user cgroup time; do
                echo "$k: ours=$(eq "$(ino "$W/all/$k")" "$(nsino $$ "$k")")" \
                    "mounts=$(mounts "$W/all/$k")"
            done
            echo "nsfs=$(nsfs_under "$W")"
            end "$T"
        "#,
            )
            .run();
        expect(
            &out,
            "all: rc=0\n\
             mode=700 files=cgroup ipc net pid time user uts\n\
             uts: held=yes new=yes hostname=nsbind-all\n\
             ipc: ours=yes mounts=1\n\
             net: ours=yes mounts=1\n\
             pid: ours=yes mounts=1\n\
             user: ours=yes mounts=1\n\
             cgroup: ours=yes mounts=1\n\
             time: ours=yes mounts=1\n\
             nsfs=7\n",
        );
    }

    /// All or nothing, in an existing DIR: DIR/net is a symbolic link (or a
    /// directory), so the call fails at net after binding mnt, uts and ipc;
    /// those are undone and their files removed; DIR, the link and what it
    /// points at stay as they were.
    #[test]
    fn all_or_nothing_in_an_existing_dir() {
        let s = Scene::one_cpu();
        let out = s
            .shell(
                r#"
            spawn_fork -m -u -i -n -p -C -T -U -r
            mkdir "$W/link" "$W/dir"
            echo keep > "$W/elsewhere"
            ln -s "$W/elsewhere" "$W/link/net"
            mkdir "$W/dir/net"
            run link "$N" -t "$T" --all "$W/link"
            run dir "$N" -t "$T" --all "$W/dir"
            echo "link: $(files "$W/link") -> $(readlink "$W/link/net")"
            echo "dir: $(files "$W/dir") $(files "$W/dir/net")"
            echo "elsewhere: $(cat "$W/elsewhere") mounts=$(mounts "$W/elsewhere")"
            echo "files: $(files "$W")"
            echo "nsfs=$(nsfs_under "$D") mounts=$(under "$D")"
            end_fork
        "#,
            )
            .run();
        let w = s.w();
        expect(
            &out,
            &format!(
                "link: rc=1\n\
                 link> nsbind: {w}/link/net is a symbolic link; refusing to mount over what it points at\n\
                 dir: rc=1\n\
                 dir> nsbind: {w}/dir/net *directory*\n\
                 link: net -> {w}/elsewhere\n\
                 dir: net \n\
                 elsewhere: keep mounts=0\n\
                 files: dir elsewhere link\n\
                 nsfs=0 mounts=0\n"
            ),
        );
    }

    /// All or nothing, in a DIR the call creates: on a tmpfs with room for
    /// four inodes (its root, DIR, DIR/mnt, DIR/uts), DIR/ipc cannot be
    /// created; the mnt and uts binds are undone, their files and DIR
    /// removed, and every inode given back.
    #[test]
    fn all_or_nothing_in_a_new_dir() {
        let s = Scene::one_cpu();
        let out = s
            .shell(
                r#"
            spawn_fork -m -u -i -n -p -C -T -U -r
            mkdir "$W/small"
            mount -t tmpfs -o nr_inodes=4,mode=755 nsbind-small "$W/small"
            echo "before: $(df --output=iused "$W/small" | tail -n 1 | tr -d ' ')"
            run all "$N" -t "$T" --all "$W/small/all"
            echo "after: $(df --output=iused "$W/small" | tail -n 1 | tr -d ' ')" \
                "files=$(ls -A "$W/small" | wc -l) nsfs=$(nsfs_under "$D")"
            umount "$W/small"
            end_fork
        "#,
            )
            .run();
        let w = s.w();
        expect(
            &out,
            &format!(
                "before: 1\n\
                 all: rc=1\n\
                 all> nsbind: *{w}/small/all/ipc*No space left on device\n\
                 after: 1 files=0 nsfs=0\n"
            ),
        );
    }

    /// DIR a symbolic link is refused, and only DIR itself is created.
    #[test]
    fn symlinked_dir_and_missing_parent() {
        let s = Scene::new();
        let out = s
            .shell(
                r#"
            spawn_named nsbind-all
            mkdir "$W/real"
            ln -s "$W/real" "$W/link"
            run link "$N" -t "$T" --all "$W/link"
            run parent "$N" -t "$T" --all "$W/missing/all"
            echo "real: $(ls -A "$W/real" | wc -l) files: $(files "$W") nsfs=$(nsfs_under "$D")"
            end "$T"
        "#,
            )
            .run();
        let w = s.w();
        expect(
            &out,
            &format!(
                "link: rc=1\n\
                 link> nsbind: {w}/link *symbolic link*\n\
                 parent: rc=1\n\
                 parent> nsbind: *{w}/missing/all*No such file or directory\n\
                 real: 0 files: link real nsfs=0\n"
            ),
        );
    }
}

// ---------------------------------------------------------------- survival

/// A UTS namespace bound from a process (by file and by -t) outlives it:
/// once the process is killed and reaped, nsenter --uts=FILE and
/// setns-test FILE find the hostname it set there; ours is untouched.
fn survives(who: Who) {
    let s = Scene::new();
    let out = s
        .shell_as(
            who,
            r#"
        spawn_named nsbind-survivor
        run file "$N" "/proc/$T/ns/uts" "$W/by-file"
        run process "$N" -t "$T" uts "$W/by-pid"
        end "$T"
        echo "target: $(state "$T")"
        "$E" --uts="$W/by-file" hostname
        "$S" "$W/by-file" hostname
        "$E" --uts="$W/by-pid" hostname
        "$S" "$W/by-pid" hostname
        echo "mounts=$(mounts "$W/by-file") $(mounts "$W/by-pid")"
        hostname
    "#,
        )
        .run();
    let ours = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    expect(
        &out,
        &format!(
            "file: rc=0\n\
             process: rc=0\n\
             target: gone\n\
             nsbind-survivor\n\
             nsbind-survivor\n\
             nsbind-survivor\n\
             nsbind-survivor\n\
             mounts=1 1\n\
             {ours}"
        ),
    );
}

mod survival {
    #[test]
    fn uts_outlives_its_process() {
        super::survives(super::Who::Root);
    }
    #[test]
    fn uts_outlives_its_process_unprivileged() {
        super::survives(super::Who::Nobody);
    }
}

// ---------------------------------------------------------------- ip netns

mod ip_netns {
    use super::*;

    /// nsbind and ip netns share /run/netns: a net namespace nsbind bound
    /// there (its process gone; a link made in it earlier, a bridge as this
    /// kernel has no dummy driver) is listed and entered by ip, which also
    /// deletes it; one ip made is listed and released by nsbind; and nsbind
    /// binds into the shared /run/netns that ip set up. /run is a tmpfs of
    /// the scene's own, so /run/netns never appears on the host.
    #[test]
    fn interoperates_with_ip_netns() {
        let netns_before = Path::new("/run/netns").exists();
        let s = Scene::new();
        let out = s
            .shell(
                r#"
            mount -t tmpfs nsbind-run /run
            mkdir /run/netns
            "$UL" --net sh -c 'ip link add nsbind0 type bridge && exec sleep 600' &
            T=$!
            waitfor '[ "$(cat "/proc/$T/comm" 2>/dev/null)" = sleep ]'
            run bind "$N" -t "$T" net /run/netns/blue
            held=$(nsino "$T" net)
            end "$T"
            echo "list: $(ip netns list | cut -d' ' -f1 | paste -sd' ' -)"
            echo "links: $(ip netns exec blue ip -o link show | cut -d: -f2 | tr -d ' ' | paste -sd' ' -)"
            echo "held: $(eq "$(ino /run/netns/blue)" "$held")"
            "$N" --list | awk 'NR > 1 && $4 ~ /^\/run\/netns\// { print "listed:", $2, $3, $4 }'
            run "ip del" ip netns del blue
            echo "after del: $(files /run/netns) nsfs=$(nsfs_under /run)"

            run "ip add" ip netns add red
            "$N" --list | awk 'NR > 1 && $4 ~ /^\/run\/netns\// { print "listed:", $2, $3, $4 }'
            echo "red links: $(ip netns exec red ip -o link show | cut -d: -f2 | tr -d ' ' | paste -sd' ' -)"
            spawn --net
            run green "$N" -t "$T" net /run/netns/green
            echo "list: $(ip netns list | cut -d' ' -f1 | sort | paste -sd' ' -)"
            echo "green: $(eq "$(ip netns exec green readlink /proc/self/ns/net | tr -cd 0-9)" \
                             "$(nsino "$T" net)")"
            end "$T"
            run unbind "$N" --unbind /run/netns/red /run/netns/green
            echo "list: $(ip netns list | wc -l) files: $(ls -A /run/netns | wc -l)" \
                "nsfs=$(nsfs_under /run)"
        "#,
            )
            .run();
        expect(
            &out,
            "bind: rc=0\n\
             list: blue\n\
             links: lo nsbind0\n\
             held: yes\n\
             listed: net 0 /run/netns/blue\n\
             ip del: rc=0\n\
             after del:  nsfs=0\n\
             ip add: rc=0\n\
             listed: net 0 /run/netns/red\n\
             red links: lo\n\
             green: rc=0\n\
             list: green red\n\
             green: yes\n\
             unbind: rc=0\n\
             list: 0 files: 0 nsfs=0\n",
        );
        assert_eq!(
            Path::new("/run/netns").exists(),
            netns_before,
            "/run/netns appeared or vanished on the host"
        );
    }
}

// ---------------------------------------------------------------- refusals

mod refusals {
    use super::*;

    /// A symbolic link TARGET, dangling or not, is refused: nothing is
    /// mounted or created, and what it points at is untouched.
    #[test]
    fn symlink_target() {
        let s = Scene::new();
        let out = s
            .shell(
                r#"
            spawn_named nsbind-refused
            echo keep > "$W/target"
            ln -s "$W/target" "$W/link"
            ln -s "$W/absent" "$W/dangling"
            run link "$N" "/proc/$T/ns/uts" "$W/link"
            run dangling "$N" -t "$T" uts "$W/dangling"
            run mnt "$N" -t "$T" mnt "$W/dangling"
            echo "target: $(cat "$W/target") mounts=$(mounts "$W/target")"
            echo "files: $(files "$W") -> $(readlink "$W/link") $(readlink "$W/dangling")"
            echo "mounts=$(under "$D")"
            end "$T"
        "#,
            )
            .run();
        let w = s.w();
        let refused = "is a symbolic link; refusing to mount over what it points at";
        expect(
            &out,
            &format!(
                "link: rc=1\n\
                 link> nsbind: {w}/link {refused}\n\
                 dangling: rc=1\n\
                 dangling> nsbind: {w}/dangling {refused}\n\
                 mnt: rc=1\n\
                 mnt> nsbind: *\n\
                 target: keep mounts=0\n\
                 files: dangling link target -> {w}/target {w}/absent\n\
                 mounts=0\n"
            ),
        );
    }

    /// An NSFILE that is no namespace is refused before TARGET is created.
    #[test]
    fn non_namespace_nsfile() {
        let s = Scene::new();
        let out = s
            .shell(
                r#"
            mkfifo "$W/fifo"
            run passwd "$N" /etc/passwd "$W/a"
            run typed "$N" --type uts /etc/passwd "$W/b"
            run dir "$N" /proc/self/ns "$W/c"
            run fifo "$N" "$W/fifo" "$W/d"
            run missing "$N" "$W/absent" "$W/e"
            echo "files: $(files "$W") mounts=$(under "$D")"
        "#,
            )
            .run();
        let w = s.w();
        expect(
            &out,
            &format!(
                "passwd: rc=1\n\
                 passwd> nsbind: /etc/passwd is not a namespace file\n\
                 typed: rc=1\n\
                 typed> nsbind: /etc/passwd is not a namespace file\n\
                 dir: rc=1\n\
                 dir> nsbind: /proc/self/ns is not a namespace file\n\
                 fifo: rc=1\n\
                 fifo> nsbind: {w}/fifo is not a namespace file\n\
                 missing: rc=1\n\
                 missing> nsbind: cannot open {w}/absent: No such file or directory\n\
                 files: fifo mounts=0\n"
            ),
        );
    }

    /// A directory, a FIFO or a device as TARGET is refused, unmounted.
    #[test]
    fn directory_fifo_and_device_targets() {
        let s = Scene::new();
        let out = s
            .shell(
                r#"
            spawn_named nsbind-refused
            mkdir "$W/dir"
            mkfifo "$W/fifo"
            run dir "$N" -t "$T" uts "$W/dir"
            run fifo "$N" "/proc/$T/ns/uts" "$W/fifo"
            run null "$N" "/proc/$T/ns/uts" /dev/null
            echo "mounts=$(under "$D") $(mounts /dev/null) dir=$(ls -A "$W/dir" | wc -l)"
            echo "files: $(files "$W")"
            end "$T"
        "#,
            )
            .run();
        let w = s.w();
        expect(
            &out,
            &format!(
                "dir: rc=1\n\
                 dir> nsbind: {w}/dir *directory*\n\
                 fifo: rc=1\n\
                 fifo> nsbind: {w}/fifo *regular file*\n\
                 null: rc=1\n\
                 null> nsbind: /dev/null *regular file*\n\
                 mounts=0 0 dir=0\n\
                 files: dir fifo\n"
            ),
        );
    }

    /// A TARGET that already has a namespace bound is refused, whatever the
    /// kind or form: no stacking, the first mount stays the only one. A
    /// second --all into the same DIR fails and leaves the first one's
    /// mounts alone.
    #[test]
    fn already_bound_target() {
        let s = Scene::new();
        let out = s
            .shell(
                r#"
            spawn_named nsbind-bound --net
            run first "$N" -t "$T" uts "$W/f"
            run again "$N" -t "$T" uts "$W/f"
            run net "$N" "/proc/$T/ns/net" "$W/f"
            run self "$N" /proc/self/ns/ipc "$W/f"
            echo "f: mounts=$(mounts "$W/f") held=$(eq "$(ino "$W/f")" "$(nsino "$T" uts)")"
            run "all first" "$N" -t "$T" --all "$W/all"
            run "all again" "$N" -t "$T" --all "$W/all"
            echo "all: nsfs=$(nsfs_under "$W/all") files=$(files "$W/all")"
            end "$T"
        "#,
            )
            .run();
        let w = s.w();
        let refused =
            "already has a namespace bound onto it; release it first with nsbind --unbind";
        expect(
            &out,
            &format!(
                "first: rc=0\n\
                 again: rc=1\n\
                 again> nsbind: {w}/f {refused}\n\
                 net: rc=1\n\
                 net> nsbind: {w}/f {refused}\n\
                 self: rc=1\n\
                 self> nsbind: {w}/f {refused}\n\
                 f: mounts=1 held=yes\n\
                 all first: rc=0\n\
                 all again: rc=1\n\
                 all again> nsbind: {w}/all/uts {refused}\n\
                 all: nsfs=7 files=cgroup ipc net pid time user uts\n"
            ),
        );
    }

    /// A mount namespace cannot be bound onto a shared mount: refused up
    /// front, nothing created, with the fix in the message; the fix, run as
    /// the message words it, works.
    #[test]
    fn shared_mount_for_mnt_and_the_fix() {
        let s = Scene::one_cpu();
        let out = s
            .shell(
                r#"
            spawn --mount
            mkdir "$W/shared"
            mount --bind "$W/shared" "$W/shared"
            mount --make-shared "$W/shared"
            msg=$("$N" -t "$T" mnt "$W/shared/mnt" 2>&1)
            echo "rc=$?"
            printf '%s\n' "$msg"
            echo "files: $(ls -A "$W/shared" | wc -l) nsfs=$(nsfs_under "$D")"
            fix=${msg##*first: }
            sh -c "$fix"
            echo "fix: rc=$?"
            run fixed "$N" -t "$T" mnt "$W/shared/mnt"
            echo "fixed: held=$(eq "$(ino "$W/shared/mnt")" "$(nsino "$T" mnt)")" \
                "mounts=$(mounts "$W/shared/mnt")" \
                "entered=$(eq "$("$S" "$W/shared/mnt" readlink /proc/self/ns/mnt)" \
                               "$(readlink "/proc/$T/ns/mnt")")"
            end "$T"
            run unbind "$N" --unbind "$W/shared/mnt"
            echo "files: $(ls -A "$W/shared" | wc -l) nsfs=$(nsfs_under "$D")"
        "#,
            )
            .run();
        let sh = format!("{}/shared", s.w());
        expect(
            &out,
            &format!(
                "rc=1\n\
                 nsbind: *{sh}/mnt*shared*first: mkdir -p {sh} && mount --bind {sh} {sh} && mount --make-private {sh}\n\
                 files: 0 nsfs=0\n\
                 fix: rc=0\n\
                 fixed: rc=0\n\
                 fixed: held=yes mounts=1 entered=yes\n\
                 unbind: rc=0\n\
                 files: 0 nsfs=0\n"
            ),
        );
    }

    /// Our own mount namespace is refused (the kernel cannot bind it), by
    /// file and by process; nothing is created.
    #[test]
    fn our_own_mount_namespace() {
        let s = Scene::new();
        let out = s
            .shell(
                r#"
            run self "$N" /proc/self/ns/mnt "$W/a"
            run shell "$N" -t $$ mnt "$W/b"
            run typed "$N" --type mnt "/proc/$$/ns/mnt" "$W/c"
            echo "files: $(ls -A "$W" | wc -l) mounts=$(under "$D")"
        "#,
            )
            .run();
        let own = "is our own mount namespace, which the kernel does not bind; \
                   run nsbind from the mount namespace it was made from";
        expect(
            &out,
            &format!(
                "self: rc=1\n\
                 self> nsbind: /proc/self/ns/mnt {own}\n\
                 shell: rc=1\n\
                 shell> nsbind: /proc/1/ns/mnt {own}\n\
                 typed: rc=1\n\
                 typed> nsbind: /proc/1/ns/mnt {own}\n\
                 files: 0 mounts=0\n"
            ),
        );
    }

    /// A mount namespace older than the binder's is refused with a message
    /// (the kernel binds only newer ones); from the older namespace it was
    /// made from, it binds.
    #[test]
    fn older_mount_namespace() {
        let s = Scene::one_cpu();
        let out = s
            .shell(
                r#"
            spawn --mount
            run newer "$UL" --mount --propagation private "$N" -t "$T" mnt "$W/m"
            echo "files: $(ls -A "$W" | wc -l)"
            run older "$N" -t "$T" mnt "$W/m"
            echo "m: held=$(eq "$(ino "$W/m")" "$(nsino "$T" mnt)") mounts=$(mounts "$W/m")"
            end "$T"
        "#,
            )
            .run();
        expect(
            &out,
            "newer: rc=1\n\
             newer> nsbind: /proc/*/ns/mnt is not newer than our own mount namespace*\n\
             files: 0\n\
             older: rc=0\n\
             m: held=yes mounts=1\n",
        );
    }
}

// ---------------------------------------------------------------- --unbind

/// --unbind (-u) removes mount and file; --keep (-k) keeps the file, which
/// then takes a namespace again.
fn unbind_and_keep(who: Who) {
    let s = Scene::new();
    let out = s
        .shell_as(
            who,
            r#"
        spawn_named nsbind-unbind --net
        for f in a c; do "$N" -t "$T" uts "$W/$f"; done
        "$N" -t "$T" net "$W/b"
        echo "bound: $(mounts "$W/a") $(mounts "$W/b") $(mounts "$W/c")"
        run long "$N" --unbind "$W/a"
        run short "$N" -u "$W/b"
        run keep "$N" --unbind --keep "$W/c"
        echo "a: $(ls -A "$W" | grep -cx a) $(mounts "$W/a")"
        echo "b: $(ls -A "$W" | grep -cx b) $(mounts "$W/b")"
        echo "c: $(stat -c '%F %s %a' "$W/c") mounts=$(mounts "$W/c")"
        run again "$N" -t "$T" uts "$W/c"
        echo "c: held=$(eq "$(ino "$W/c")" "$(nsino "$T" uts)") mounts=$(mounts "$W/c")"
        run "keep short" "$N" -u -k "$W/c"
        echo "c: $(stat -c '%F %s' "$W/c") mounts=$(mounts "$W/c")"
        echo "target: $(cat "/proc/$T/comm") $("$E" -t "$T" --uts hostname)"
        end "$T"
        echo "files: $(files "$W") nsfs=$(nsfs_under "$D")"
    "#,
        )
        .run();
    expect(
        &out,
        "bound: 1 1 1\n\
         long: rc=0\n\
         short: rc=0\n\
         keep: rc=0\n\
         a: 0 0\n\
         b: 0 0\n\
         c: regular empty file 0 444 mounts=0\n\
         again: rc=0\n\
         c: held=yes mounts=1\n\
         keep short: rc=0\n\
         c: regular empty file 0 mounts=0\n\
         target: sleep nsbind-unbind\n\
         files: c nsfs=0\n",
    );
}

mod unbind {
    use super::*;

    #[test]
    fn removes_mount_and_file_or_keeps_the_file() {
        unbind_and_keep(Who::Root);
    }

    #[test]
    fn removes_mount_and_file_or_keeps_the_file_unprivileged() {
        unbind_and_keep(Who::Nobody);
    }

    /// What is not a namespace bind mount is refused and left untouched: a
    /// plain file, a copy of /etc/hostname, a symbolic link to a bound file,
    /// a tmpfs mount point, a file bind mount, a /proc namespace link.
    #[test]
    fn not_a_namespace_bind_mount_is_left_alone() {
        let s = Scene::new();
        let out = s
            .shell(
                r#"
            spawn_named nsbind-alone
            echo plain > "$W/plain"
            cp /etc/hostname "$W/hostname"
            "$N" -t "$T" uts "$W/bound"
            ln -s "$W/bound" "$W/link"
            mkdir "$W/tmpfs"
            mount -t tmpfs nsbind-tmpfs "$W/tmpfs"
            echo inside > "$W/tmpfs/marker"
            : > "$W/filebind"
            mount --bind /etc/hostname "$W/filebind"
            before=$(grep -F "$D" /proc/self/mountinfo)
            for f in plain hostname link tmpfs filebind; do
                run "$f" "$N" --unbind "$W/$f"
            done
            run proc "$N" --unbind "/proc/$T/ns/uts"
            echo "plain: $(cat "$W/plain")"
            echo "hostname: $(cmp -s /etc/hostname "$W/hostname" && echo same)"
            echo "link: $(readlink "$W/link") mounts=$(mounts "$W/bound")" \
                "held=$(eq "$(ino "$W/bound")" "$(nsino "$T" uts)")"
            echo "tmpfs: mounts=$(mounts "$W/tmpfs") $(cat "$W/tmpfs/marker")"
            echo "filebind: mounts=$(mounts "$W/filebind")" \
                "$(cmp -s /etc/hostname "$W/filebind" && echo same)"
            echo "mountinfo: $( [ "$before" = "$(grep -F "$D" /proc/self/mountinfo)" ] && echo same)"
            echo "files: $(files "$W")"
            end "$T"
        "#,
            )
            .run();
        let w = s.w();
        let mut want = String::new();
        for f in ["plain", "hostname", "link", "tmpfs", "filebind"] {
            want += &format!(
                "{f}: rc=1\n{f}> nsbind: {w}/{f} is not a namespace bind mount; leaving it alone\n"
            );
        }
        want += &format!(
            "proc: rc=1\n\
             proc> nsbind: /proc/*/ns/uts is not a namespace bind mount; leaving it alone\n\
             plain: plain\n\
             hostname: same\n\
             link: {w}/bound mounts=1 held=yes\n\
             tmpfs: mounts=1 inside\n\
             filebind: mounts=1 same\n\
             mountinfo: same\n\
             files: bound filebind hostname link plain tmpfs\n"
        );
        expect(&out, &want);
    }

    /// Several TARGETs, some failing: every other one is released, each
    /// failure is one line, and the exit status is 1.
    #[test]
    fn several_targets_some_failing() {
        let s = Scene::new();
        let out = s
            .shell(
                r#"
            spawn_named nsbind-several
            for f in a b c; do "$N" -t "$T" uts "$W/$f"; done
            echo plain > "$W/plain"
            run several "$N" --unbind "$W/a" "$W/absent" "$W/b" "$W/plain" "$W/c"
            echo "files: $(files "$W") nsfs=$(nsfs_under "$D")"
            end "$T"
        "#,
            )
            .run();
        let w = s.w();
        expect(
            &out,
            &format!(
                "several: rc=1\n\
                 several> nsbind: *{w}/absent*No such file or directory\n\
                 several> nsbind: {w}/plain is not a namespace bind mount; leaving it alone\n\
                 files: plain nsfs=0\n"
            ),
        );
    }

    /// util-linux's unshare stacks a mount on FILE at each --uts=FILE: all
    /// of them come off (with --keep too), whatever their kinds.
    #[test]
    fn stacked_mounts_all_come_off() {
        let s = Scene::new();
        let out = s
            .shell(
                r#"
            : > "$W/f"
            : > "$W/g"
            "$UL" --uts="$W/f" true && "$UL" --uts="$W/f" true
            "$UL" --uts="$W/g" true && "$UL" --ipc="$W/g" true && "$UL" --net="$W/g" true
            echo "stacked: $(mounts "$W/f") $(mounts "$W/g")"
            run f "$N" --unbind "$W/f"
            run g "$N" --unbind --keep "$W/g"
            echo "after: $(mounts "$W/f") $(mounts "$W/g") files: $(files "$W")" \
                "nsfs=$(nsfs_under "$D")"
        "#,
            )
            .run();
        expect(
            &out,
            "stacked: 2 3\n\
             f: rc=0\n\
             g: rc=0\n\
             after: 0 0 files: g nsfs=0\n",
        );
    }
}

// ---------------------------------------------------------------- concurrency

mod concurrency {
    use super::*;

    /// 100 bind/unbind pairs at once, on 100 files of one directory (every
    /// nsbind locks it), half by file and UTS, half by -t and net: every
    /// one succeeds, and no mount nor file is left.
    #[test]
    fn hundred_bind_unbind_pairs() {
        let s = Scene::new();
        let out = s
            .shell(
                r#"
            spawn_named nsbind-pairs --net
            pids=
            for i in $(seq 100); do
                (
                    if [ $((i % 2)) = 0 ]; then
                        "$N" "/proc/$T/ns/uts" "$W/f$i" || echo "bind $i: rc=$?"
                        k=uts
                    else
                        "$N" -t "$T" net "$W/f$i" || echo "bind $i: rc=$?"
                        k=net
                    fi
                    [ "$(mounts "$W/f$i")" = 1 ] || echo "bind $i: not mounted once"
                    [ "$(ino "$W/f$i")" = "$(nsino "$T" "$k")" ] || echo "bind $i: wrong namespace"
                    "$N" --unbind "$W/f$i" || echo "unbind $i: rc=$?"
                ) &
                pids="$pids $!"
            done
            wait $pids
            echo "stray mounts=$(nsfs_under "$D") files=$(ls -A "$W" | wc -l)"
            end "$T"
        "#,
            )
            .run();
        expect(&out, "stray mounts=0 files=0\n");
    }

    /// 50 binds of one TARGET at once, half UTS, half net: one wins, its
    /// namespace is the one mount; the 49 others exit 1 with the one clean
    /// message. Then 20 unbinds at once: one releases it, the others find
    /// nothing.
    #[test]
    fn fifty_binds_of_one_target() {
        let s = Scene::new();
        let out = s
            .shell(
                r#"
            spawn_named nsbind-race --net
            mkdir "$D/e"
            pids=
            for i in $(seq 50); do
                if [ $((i % 2)) = 0 ]; then k=uts; else k=net; fi
                ( "$N" -t "$T" "$k" "$W/f" 2>"$D/e/$i.err"; echo "$? $k" > "$D/e/$i.rc" ) &
                pids="$pids $!"
            done
            wait $pids
            echo "winners=$(cat "$D"/e/*.rc | grep -c '^0 ') losers=$(cat "$D"/e/*.rc | grep -c '^1 ')"
            k=$(cat "$D"/e/*.rc | grep '^0 ' | cut -d' ' -f2)
            echo "mounts=$(mounts "$W/f") kind: $(eq "$(mounted_kind "$W/f")" "$k")" \
                "held: $(eq "$(ino "$W/f")" "$(nsino "$T" "$k")")"
            cat "$D"/e/*.err | sort | uniq -c | sed 's/^ *//'
            rm -r "$D/e"
            mkdir "$D/e"
            pids=
            for i in $(seq 20); do
                ( "$N" --unbind "$W/f" 2>"$D/e/$i.err"; echo "$?" > "$D/e/$i.rc" ) &
                pids="$pids $!"
            done
            wait $pids
            echo "released=$(cat "$D"/e/*.rc | grep -c '^0$') failed=$(cat "$D"/e/*.rc | grep -c '^1$')"
            cat "$D"/e/*.err | sort | uniq -c | sed 's/^ *//'
            rm -r "$D/e"
            echo "files=$(ls -A "$W" | wc -l) nsfs=$(nsfs_under "$D")"
            end "$T"
        "#,
            )
            .run();
        let w = s.w();
        expect(
            &out,
            &format!(
                "winners=1 losers=49\n\
                 mounts=1 kind: yes held: yes\n\
                 49 nsbind: {w}/f already has a namespace bound onto it; \
                 release it first with nsbind --unbind\n\
                 released=1 failed=19\n\
                 19 nsbind: *{w}/f*No such file or directory\n\
                 files=0 nsfs=0\n"
            ),
        );
    }
}

// ---------------------------------------------------------------- --list

/// The entries of a listing under `dir`, in its order.
fn ours(listed: Vec<Listed>, dir: &str) -> Vec<Listed> {
    let prefix = format!("{dir}/");
    listed
        .into_iter()
        .filter(|l| l.path.starts_with(&prefix))
        .collect()
}

/// --list and --json (and -l, -J) parsed back: every file bound appears
/// once, with its kind, the inode stat -L and /proc/PID/ns give, and the
/// number of processes in the namespace: the target's launcher and the
/// target (1 in its PID and time namespaces, which only the child is in),
/// plus a process nsenter put in its UTS namespace; 0 for all once they
/// are gone. Paths with spaces, quotes and backslashes come out whole.
fn list_and_json(who: Who) {
    let s = Scene::new();
    // Where the script leaves the listings, writable by uid 65534 too.
    let outdir = s.dir().join("out");
    std::fs::create_dir(&outdir).unwrap();
    std::fs::set_permissions(&outdir, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    let out = s
        .shell_as(
            who,
            r#"
        spawn_fork -u -i -n -p -C -T -U -r
        bind() {
            "$N" -t "$T" "$2" "$W/$1" || echo "bind $1: rc=$?"
            printf '%s\t%s\t%s\t%s\n' "$W/$1" "$2" "$(ino "$W/$1")" "$(nsino "$T" "$2")" \
                >> "$D/out/bound"
        }
        for k in uts ipc net pid user cgroup time; do bind "$k" "$k"; done
        bind "with  two spaces" uts
        bind 'quote"back\slash' net
        "$E" --uts="$W/uts" sleep 600 &
        X=$!
        waitfor '[ "$(cat "/proc/$X/comm" 2>/dev/null)" = sleep ]'
        "$N" --list > "$D/out/list.alive"
        "$N" --json > "$D/out/json.alive"
        end "$X"
        end_fork
        "$N" -l > "$D/out/list.dead"
        "$N" -J > "$D/out/json.dead"
        "$N" --list --json > "$D/out/json.both"
        echo done
    "#,
        )
        .run();
    expect(&out, "done\n");
    let read = |name: &str| {
        std::fs::read_to_string(outdir.join(name))
            .unwrap_or_else(|e| panic!("cannot read {name}: {e}\n{}", out.stderr()))
    };
    let w = s.w();
    // What stat -L of each file and readlink of the target's entry said.
    let bound = read("bound");
    let mut expected: Vec<Listed> = bound
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert!(
                fields.len() == 4 && fields[2] == fields[3] && fields[2] != "none",
                "the file should hold the target's namespace: {line:?}"
            );
            let name = fields[0].strip_prefix(&format!("{w}/")).unwrap();
            let nprocs = match name {
                "uts" | "with  two spaces" => 3,
                "pid" | "time" => 1,
                _ => 2,
            };
            Listed {
                ns: fields[2].parse().unwrap(),
                kind: fields[1].to_owned(),
                nprocs,
                path: fields[0].to_owned(),
            }
        })
        .collect();
    assert_eq!(expected.len(), 9, "bound:\n{bound}");
    expected.sort_by(|a, b| a.path.cmp(&b.path));
    let check = |name: &str, listed: Result<Vec<Listed>, String>, want: &[Listed]| -> Vec<Listed> {
        let text = read(name);
        let listed = listed.unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        let mut found = ours(listed, &w);
        let in_order = found.clone();
        found.sort_by(|a, b| a.path.cmp(&b.path));
        assert_eq!(found, want, "{name}:\n{text}");
        in_order
    };
    let table = check("list.alive", parse_table(&read("list.alive")), &expected);
    let json = check(
        "json.alive",
        parse_listing_json(&read("json.alive")),
        &expected,
    );
    assert_eq!(table, json, "--list and --json disagree on the order");
    for e in &mut expected {
        e.nprocs = 0;
    }
    check("list.dead", parse_table(&read("list.dead")), &expected);
    check(
        "json.dead",
        parse_listing_json(&read("json.dead")),
        &expected,
    );
    check(
        "json.both",
        parse_listing_json(&read("json.both")),
        &expected,
    );
}

mod list {
    use super::*;

    #[test]
    fn list_and_json() {
        super::list_and_json(Who::Root);
    }
    #[test]
    fn list_and_json_unprivileged() {
        super::list_and_json(Who::Nobody);
    }

    /// With no namespace bound at all (the scene first detaches whatever
    /// nsfs mounts it inherited), --list is the header alone and --json an
    /// empty array.
    #[test]
    fn nothing_bound() {
        let s = Scene::new();
        let out = s
            .shell(
                r#"
            awk '/ - nsfs / { print $5 }' /proc/self/mountinfo | while read -r p; do
                umount -l "$(printf '%b' "$p")"
            done
            echo "nsfs=$(grep -c ' - nsfs ' /proc/self/mountinfo)"
            "$N" --list
            echo ---
            "$N" --json
        "#,
            )
            .run();
        out.success().stderr_is("");
        let text = out.stdout();
        let (list, json) = text
            .strip_prefix("nsfs=0\n")
            .and_then(|rest| rest.split_once("---\n"))
            .unwrap_or_else(|| out.fail("expected nsfs=0, the list, ---, the JSON"));
        out.check(
            parse_table(list) == Ok(vec![]) && list.lines().count() == 1,
            "--list should be the header alone",
        );
        out.check(
            parse_listing_json(json) == Ok(vec![]),
            "--json should be an empty array",
        );
    }
}

// ---------------------------------------------------------------- misuse

mod misuse {
    use super::*;

    /// Usage errors: exit 1, a message, then the hint; nothing created.
    #[test]
    fn usage_errors() {
        let s = Scene::new();
        let w = s.w();
        let (a, b, c) = (format!("{w}/a"), format!("{w}/b"), format!("{w}/c"));
        let uts = "/proc/self/ns/uts";
        let before = s.env.tmp().names();
        let cases: Vec<Vec<&str>> = vec![
            vec![],
            vec![uts],
            vec![uts, &a, &b],
            vec!["-t", "1"],
            vec!["-t", "1", "uts"],
            vec!["-t", "1", "uts", &a, &b],
            vec!["--keep", uts, &a],
            vec!["-k", "--list"],
            vec!["--all", &a],
            vec!["-a", uts, &a],
            vec!["-t", "1", "--all"],
            vec!["-t", "1", "--all", &a, &b],
            vec!["--type", "uts", "-t", "1", "uts", &a],
            vec!["--type", "uts", "--unbind", &a],
            vec!["--type", "uts", "--list"],
            vec!["--list", &a],
            vec!["--json", &a],
            vec!["--list", "--unbind", &a],
            vec!["--unbind", "-t", "1", &a],
            vec!["--unbind", "--all", &a],
            vec!["--list", "-t", "1"],
            vec!["--unbind"],
            vec!["--bogus", uts, &a],
            vec!["-t"],
            vec!["--type"],
            vec![uts, &c, "--unbind", &b],
        ];
        for args in cases {
            let out = s.private().args(&args).run();
            out.code(1).stdout_is("");
            let err = out.stderr();
            let lines: Vec<&str> = err.lines().collect();
            out.check(
                err.ends_with('\n')
                    && lines.len() == 2
                    && lines[0].starts_with("nsbind: ")
                    && lines[1] == "Try 'nsbind --help' for more information.",
                "expected a usage error: one message, then the hint",
            );
            assert!(
                s.env.tmp().names() == before
                    && std::fs::read_dir(s.work("")).unwrap().next().is_none(),
                "{args:?} created something"
            );
        }
    }

    /// A PID that does not exist (never did, or was reaped): the message
    /// names /proc/PID/ns/..., nothing is created (nor --all's DIR).
    #[test]
    fn pid_that_does_not_exist() {
        let s = Scene::new();
        let out = s
            .shell(
                r#"
            [ ! -e /proc/99999 ] || echo "99999 exists"
            true &
            gone=$!
            wait "$gone"
            run never "$N" -t 99999 uts "$W/a"
            run reaped "$N" -t "$gone" net "$W/b"
            run all "$N" -t 99999 --all "$W/dir"
            run children "$N" -t 99999 pid_for_children "$W/c"
            echo "gone=$gone"
            echo "files: $(ls -A "$W" | wc -l)"
        "#,
            )
            .run();
        let gone = value(&out, "gone");
        expect(
            &out,
            &format!(
                "never: rc=1\n\
                 never> nsbind: cannot open /proc/99999/ns/uts: No such file or directory\n\
                 reaped: rc=1\n\
                 reaped> nsbind: cannot open /proc/{gone}/ns/net: No such file or directory\n\
                 all: rc=1\n\
                 all> nsbind: cannot open /proc/99999/ns/*: No such file or directory\n\
                 children: rc=1\n\
                 children> nsbind: cannot open /proc/99999/ns/pid_for_children: No such file or directory\n\
                 gone={gone}\n\
                 files: 0\n"
            ),
        );
    }

    /// An unknown TYPE, for -t and for --type, and a malformed PID: one
    /// message each, nothing created.
    #[test]
    fn unknown_type_and_bad_pid() {
        let s = Scene::new();
        let out = s
            .shell(
                r#"
            run t "$N" -t $$ bogus "$W/a"
            run type "$N" --type bogus /proc/self/ns/uts "$W/b"
            run empty "$N" -t $$ "" "$W/c"
            run pid "$N" -t 1x uts "$W/d"
            run inode "$N" -t 1:x uts "$W/e"
            echo "files: $(ls -A "$W" | wc -l) mounts=$(under "$D")"
        "#,
            )
            .run();
        expect(
            &out,
            "t: rc=1\n\
             t> nsbind: unknown namespace type 'bogus'*\n\
             type: rc=1\n\
             type> nsbind: unknown namespace type 'bogus'*\n\
             empty: rc=1\n\
             empty> nsbind: unknown namespace type ''*\n\
             pid: rc=1\n\
             pid> nsbind: failed to parse PID argument '1x'*\n\
             inode: rc=1\n\
             inode> nsbind: failed to parse PID argument '1:x'*\n\
             files: 0 mounts=0\n",
        );
    }
}

// ---------------------------------------------------------------- unprivileged

mod unprivileged {
    use super::*;

    /// uid 65534 in the host's mount namespace (owned by the initial user
    /// namespace) may not mount: every form fails with EPERM and leaves no
    /// file it created (the kernel guarantees that nothing is mounted, so
    /// this runs outside any scene namespace, as the user would).
    #[test]
    fn outside_a_user_namespace_fails_with_eperm() {
        let s = Scene::new();
        let target = Target::build(&["uts"]).as_user(NOBODY).start();
        let pid = target.pid().to_string();
        let (f, g, dir) = (s.work("f"), s.work("g"), s.work("dir"));
        let runs = [
            s.nsbind()
                .args(["/proc/self/ns/uts".as_ref(), f.as_os_str()])
                .as_user(NOBODY)
                .run(),
            s.nsbind()
                .args(["-t".as_ref(), pid.as_ref(), "uts".as_ref(), g.as_os_str()])
                .as_user(NOBODY)
                .run(),
            s.nsbind()
                .args([
                    "-t".as_ref(),
                    pid.as_ref(),
                    "--all".as_ref(),
                    dir.as_os_str(),
                ])
                .as_user(NOBODY)
                .run(),
        ];
        for out in &runs {
            out.code(1)
                .stdout_is("")
                .stderr_line("nsbind: ")
                .stderr_has("Operation not permitted");
        }
        assert_eq!(
            std::fs::read_dir(s.work("")).unwrap().count(),
            0,
            "a file was left in {}",
            s.w()
        );
        // A file of its own that was there before is refused all the same,
        // and stays.
        std::fs::write(&f, "keep").unwrap();
        std::os::unix::fs::chown(&f, Some(NOBODY), Some(NOBODY)).unwrap();
        let out = s
            .nsbind()
            .args(["/proc/self/ns/uts".as_ref(), f.as_os_str()])
            .as_user(NOBODY)
            .run();
        out.code(1)
            .stderr_line("nsbind: ")
            .stderr_has("Operation not permitted");
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "keep");
    }
}

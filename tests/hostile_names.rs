//! Names that are not plain text: a mount point that is not UTF-8 anywhere
//! in the mount namespace must not stop the applets that read
//! /proc/self/mountinfo, and `nsbind --list` must show a bound file whose
//! name holds a newline or such bytes as one escaped entry, as lsns does,
//! while `--json` gives the name back.
//!
//! Everything that mounts runs in a private mount namespace made for the
//! test by util-linux's unshare, so nothing reaches the host.

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use common::*;

/// `sh -c SCRIPT sh` in a private mount namespace of its own, on one CPU,
/// with `$N` (nsbind), `$E` (nsenter), `$U` (unshare), `$UL` (util-linux's
/// unshare) and `$D` (the test's directory).
fn private_shell(env: &Env, script: &str) -> Cmd {
    cmd("taskset")
        .args(["-c", &first_cpu().to_string(), UL_UNSHARE])
        .args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg(format!("set -u\n{script}"))
        .arg("sh")
        .env("N", env.path("nsbind"))
        .env("E", env.path("nsenter"))
        .env("U", env.path("unshare"))
        .env("UL", UL_UNSHARE)
        .env("D", env.dir())
}

/// Neither a mount of ours nor a process of the shell outlived the test.
fn nothing_left(env: &Env) {
    let mountinfo = std::fs::read("/proc/self/mountinfo").unwrap();
    let dir = env.dir().as_os_str().as_bytes();
    assert!(
        !mountinfo.windows(dir.len()).any(|w| w == dir),
        "a mount under {} reached the host",
        env.dir().display()
    );
}

/// With a tmpfs mounted on `odd\xff`, the four commands that read
/// mountinfo work: `unshare --mount=FILE` and nsbind of a mount namespace
/// (which look for a shared mount under the file), `nsbind --list` and
/// `--json`, and `nsenter --uts=:NSID` (which looks among the namespace
/// bind mounts when the kernel cannot open a namespace by id).
#[test]
fn a_mount_point_that_is_not_utf8() {
    let env = Env::new();
    let uts = Target::new(&["uts"]);
    let script = r#"
        odd=$(printf 'odd\377')
        mkdir "$D/$odd" && mount -t tmpfs nsbox-odd "$D/$odd" || exit 90
        grep -c "$(printf ' %s/odd\377 ' "$D")" /proc/self/mountinfo
        "$U" --mount="$D/kept" true
        echo "unshare: $?"
        "$UL" --mount --propagation private sleep 600 &
        M=$!
        until [ "$(cat "/proc/$M/comm" 2>/dev/null)" = sleep ] &&
            [ "$(readlink "/proc/$M/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]; do
            sleep 0.01
        done
        "$N" "/proc/$M/ns/mnt" "$D/bound"
        echo "nsbind: $?"
        { kill -9 "$M" && wait "$M"; } 2>/dev/null
        list=$("$N" --list)
        echo "list: $?"
        printf '%s\n' "$list" | awk -v d="$D/" 'index($4, d) == 1 { print $2, $3, $4 }'
        json=$("$N" --json)
        echo "json: $?"
        printf '%s\n' "$json" | grep -F "\"path\": \"$D/" | sed 's/.*"type": //'
        "$E" --uts=:"$ID" hostname
        echo "nsenter: $?"
    "#;
    let d = env.dir().display();
    let nobody = "\"nprocs\": 0, \"nfds\": 0, \"nmounts\": 0, \"holder\": null, ";
    private_shell(&env, script)
        .env("ID", ns_id(&uts.ns_path("uts")).to_string())
        .run()
        .success()
        .stderr_is("")
        .stdout_is(&format!(
            "1\nunshare: 0\nnsbind: 0\nlist: 0\nmnt - {d}/kept\nmnt - {d}/bound\njson: 0\n\
             \"mnt\", {nobody}\"path\": \"{d}/kept\", \"paths\": [\"{d}/kept\"]}},\n\
             \"mnt\", {nobody}\"path\": \"{d}/bound\", \"paths\": [\"{d}/bound\"]}}\n\
             {}\nnsenter: 0\n",
            uts.hostname()
        ));
    nothing_left(&env);
}

/// `--list`'s form of a name, as lsns writes it: `\xHH` for a control
/// character, a byte that is not UTF-8, and a backslash before `x`.
fn lsns_escaped(name: &[u8]) -> String {
    let mut out = String::new();
    for (i, &b) in name.iter().enumerate() {
        let before_x = b == b'\\' && name.get(i + 1) == Some(&b'x');
        if b < 0x20 || b == 0x7f || b >= 0x80 || before_x {
            out.push_str(&format!("\\x{b:02x}"));
        } else {
            out.push(b as char);
        }
    }
    out
}

/// Read an escaped name back into its bytes.
fn lsns_unescaped(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 2..i + 4)
            .filter(|_| bytes[i..].starts_with(b"\\x"))
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match hex {
            Some(b) => {
                out.push(b);
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

/// The `"path"` strings of a `--json` text, decoded; panics on anything
/// that is not a well-formed JSON string (a raw control character, an
/// unknown escape).
fn json_paths(json: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for (at, _) in json.match_indices("\"path\": \"") {
        let mut chars = json[at + 9..].chars();
        let mut path = String::new();
        loop {
            match chars.next().expect("unterminated JSON string") {
                '"' => break,
                '\\' => match chars.next().unwrap() {
                    'n' => path.push('\n'),
                    't' => path.push('\t'),
                    'r' => path.push('\r'),
                    'b' => path.push('\u{8}'),
                    'f' => path.push('\u{c}'),
                    c @ ('"' | '\\' | '/') => path.push(c),
                    'u' => {
                        let hex: String = chars.by_ref().take(4).collect();
                        let code = u32::from_str_radix(&hex, 16).unwrap();
                        path.push(char::from_u32(code).expect("a lone surrogate"));
                    }
                    c => panic!("not a JSON escape: \\{c}"),
                },
                c if (c as u32) < 0x20 => panic!("raw control character in JSON: {json:?}"),
                c => path.push(c),
            }
        }
        paths.push(path);
    }
    paths
}

/// A file named `x`, newline, and what looks like another `--list` line,
/// and one whose name is not UTF-8 either: one escaped line each in
/// `--list`; in `--json`, the first name itself, the second in the escaped
/// form, which reads back to its bytes.
#[test]
fn bound_files_with_hostile_names() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let forged = env.tmp().join("x\n4026531999 net 0 forged");
    let mut raw = env.dir().as_os_str().as_bytes().to_vec();
    raw.extend_from_slice(b"/y\xff\n4026531999 net 0 forged\\x41");
    let not_utf8 = OsStr::from_bytes(&raw);
    let script = r#"
        "$N" --list >"$D/before"
        echo "before: $?"
        "$N" "/proc/$T/ns/uts" "$1"
        echo "bind: $?"
        "$N" "/proc/$T/ns/uts" "$2"
        echo "bind: $?"
        "$N" --list >"$D/after"
        echo "after: $?"
        "$N" --json >"$D/json"
        echo "json: $?"
    "#;
    private_shell(&env, script)
        .env("T", target.pid().to_string())
        .arg(&forged)
        .arg(not_utf8)
        .run()
        .success()
        .stderr_is("")
        .stdout_is("before: 0\nbind: 0\nbind: 0\nafter: 0\njson: 0\n");

    let read = |name: &str| std::fs::read_to_string(env.dir().join(name)).unwrap();
    let (before, after) = (read("before"), read("after"));
    let inode: u64 = target
        .ns("uts")
        .trim_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .unwrap();
    let line = |path: &[u8]| format!("{inode:>10} uts    1proc   {}\n", lsns_escaped(path));
    let forged_bytes = forged.as_os_str().as_bytes();
    assert_eq!(
        after,
        format!("{before}{}{}", line(forged_bytes), line(&raw)),
        "--list: one escaped line for each bound file"
    );
    assert!(line(&raw).contains("\\xff\\x0a4026531999 net 0 forged\\x5cx41\n"));

    let json = read("json");
    let paths = json_paths(&json);
    let last_two = &paths[paths.len() - 2..];
    assert_eq!(last_two[0].as_bytes(), forged_bytes, "in {json}");
    assert_eq!(last_two[1], lsns_escaped(&raw), "in {json}");
    assert_eq!(lsns_unescaped(&last_two[1]), raw);
    nothing_left(&env);
}

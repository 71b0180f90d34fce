//! `Scene`, the world of a test that runs shell scripts: the applet links,
//! a work directory, and shells that run scripts (as root or as uid 65534)
//! in throwaway namespaces made by util-linux, with the prelude's shell
//! functions. Shared by the unshare, nsbind and persistence tests.

use std::path::{Path, PathBuf};

use super::{cmd, first_cpu, Cmd, Env, NB, UL_UNSHARE};

/// Shell functions for the scene scripts, sourced from `$D/prelude.sh`.
pub const PRELUDE: &str = r#"
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
# mount_lines TEXT: how many lines of our mountinfo mention TEXT anywhere.
mount_lines() { grep -cF -- "$1" /proc/self/mountinfo || true; }
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
dead() { case $(state "$1") in Z|gone) return 0;; esac; return 1; }
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
pub const AS_NOBODY: &str = r#"$NB "$UL" -r -m sh -c '
    . "$D/prelude.sh"
    [ "$(awk "{ print \$1, \$2, \$3 }" /proc/self/uid_map)" = "0 65534 1" ] ||
        echo "not in a user namespace of uid 65534: $(cat /proc/self/uid_map)" >&2
    eval "$INNER"' sh "$@""#;

/// Who runs a scene's script.
#[derive(Clone, Copy, Debug)]
pub enum Who {
    Root,
    /// uid 65534, in `unshare -r -m`.
    Nobody,
}

/// A test's world: the applet links, a work directory `$W` = `$D/w` and
/// `$D/t` for the scripts' own files (mode 0777, so that uid 65534 may
/// create files there), and shells that run
/// scripts in throwaway namespaces. On drop it checks that no mount of ours
/// leaked to the host and that no process of ours is left.
pub struct Scene {
    pub env: Env,
    /// Run the wrappers, and so everything below them, on this CPU only.
    cpu: Option<u32>,
}

impl Scene {
    pub fn new() -> Scene {
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

    /// A scene whose namespaces are all made on one CPU. Linux 6.18 numbers
    /// namespaces from per-CPU batches, and binds a mount namespace only when
    /// it numbers above the binder's own: one made on another CPU than the
    /// scene's may count as older. nsbind then refuses it (rightly: it cannot
    /// make the namespace again); util-linux's `--mount=FILE` fails with
    /// EINVAL about half the time, where nsbox's unshare makes the namespace
    /// again on the right CPU (see `mnt_is_persisted_reliably_across_cpus`).
    /// On one CPU, a namespace made later is always newer.
    pub fn one_cpu() -> Scene {
        let mut scene = Scene::new();
        scene.cpu = Some(first_cpu());
        scene
    }

    pub fn dir(&self) -> &Path {
        self.env.dir()
    }

    /// `$D`, as the scripts and the messages show it.
    pub fn d(&self) -> String {
        self.dir().display().to_string()
    }

    /// `$W`.
    pub fn w(&self) -> String {
        format!("{}/w", self.d())
    }

    /// `$W/NAME`.
    pub fn work(&self, name: &str) -> PathBuf {
        self.env.tmp().join("w").join(name)
    }

    /// The `unshare` link.
    pub fn unshare_link(&self) -> PathBuf {
        self.env.path("unshare")
    }

    /// nsbox's unshare, through its link, in the test's own namespaces.
    pub fn unshare(&self) -> Cmd {
        cmd(self.unshare_link())
    }

    /// nsbind run directly, in the test's own namespaces: only for what the
    /// kernel cannot let bind anything.
    pub fn nsbind(&self) -> Cmd {
        self.env.applet("nsbind")
    }

    /// util-linux's unshare, under taskset when the scene has a CPU.
    pub fn ul(&self) -> Cmd {
        match self.cpu {
            Some(cpu) => cmd("taskset")
                .args(["-c", &cpu.to_string()])
                .arg(UL_UNSHARE),
            None => cmd(UL_UNSHARE),
        }
    }

    /// An applet of nsbox, through its link, in a private mount namespace of
    /// its own.
    pub fn private(&self, applet: &str) -> Cmd {
        self.ul()
            .args(["--mount", "--propagation", "private"])
            .arg(self.env.path(applet))
    }

    /// util-linux's unshare, run in a private mount namespace of its own.
    pub fn ul_private(&self) -> Cmd {
        self.ul()
            .args(["--mount", "--propagation", "private"])
            .arg(UL_UNSHARE)
    }

    /// `sh -c SCRIPT sh` in a private mount namespace that is also a PID
    /// namespace with its own /proc (`/proc/[0-9]*` lists what is left, and
    /// the end of the script kills and reaps all it left), with `$N`
    /// (nsbind), `$E` (nsenter), `$S` (setns-test), `$U` (unshare), `$UL`
    /// (util-linux's unshare), `$D`, `$W`, `$NB` and the prelude's
    /// functions. Append the script's `$1...` with `.arg()`.
    pub fn shell_pidns(&self, script: &str) -> Cmd {
        self.shell_pidns_with(&[], script)
    }

    /// `shell_pidns`, with more of util-linux's unshare options before its
    /// own (`--net`, `--uts`: namespaces of the script's own to change).
    pub fn shell_pidns_with(&self, more: &[&str], script: &str) -> Cmd {
        let own = [
            "--propagation",
            "private",
            "--pid",
            "--fork",
            "--kill-child",
            "--mount-proc",
        ];
        let options: Vec<&str> = more.iter().chain(&own).copied().collect();
        self.wrapper(&options, script)
    }

    /// The same in a private mount namespace only, seeing the test's PIDs
    /// (for targets the test starts itself). The script must leave no
    /// process behind.
    pub fn shell_host_pids(&self, script: &str) -> Cmd {
        self.wrapper(&["--propagation", "private"], script)
    }

    /// `shell_host_pids`, with every mount of the wrapper's namespace made
    /// shared.
    pub fn shell_shared(&self, script: &str) -> Cmd {
        self.wrapper(&["--propagation", "shared"], script)
    }

    /// `shell_pidns`, where the script runs as root or as uid 65534 in a
    /// user namespace of its own with a mount namespace of its own.
    pub fn shell_as(&self, who: Who, script: &str) -> Cmd {
        match who {
            Who::Root => self.shell_pidns(script),
            Who::Nobody => self.shell_pidns(AS_NOBODY).env("INNER", script),
        }
    }

    /// `sh -c SCRIPT sh` under util-linux's `unshare --mount OPTIONS`, with
    /// the variables and functions `shell_pidns` describes.
    pub fn wrapper(&self, options: &[&str], script: &str) -> Cmd {
        self.ul()
            .arg("--mount")
            .args(options)
            .args(["sh", "-c"])
            .arg(format!(". \"$D/prelude.sh\"\n{script}"))
            .arg("sh")
            .env("N", self.env.path("nsbind"))
            .env("E", self.env.path("nsenter"))
            .env("S", self.env.path("setns-test"))
            .env("U", self.unshare_link())
            .env("UL", UL_UNSHARE)
            .env("D", self.dir())
            .env("W", self.w())
            .env("NB", NB)
    }
}

/// The processes (other than us) whose environment has `D=dir`: started by
/// a scene of `dir`.
pub fn processes_of(dir: &str) -> Vec<String> {
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

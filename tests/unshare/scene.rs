//! The unshare tests' `Scene`: the applet links, a work directory, and
//! shells that run scripts in throwaway namespaces made by util-linux.

use std::path::{Path, PathBuf};

use crate::common::*;

/// Shell functions for the scene scripts, sourced from `$D/prelude.sh`.
pub const PRELUDE: &str = r#"
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
# How many lines of our mountinfo mention $1.
mounts() { grep -cF -- "$1" /proc/self/mountinfo || true; }
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
"#;

/// A test's world: the applet links, a work directory `$D/w` (mode 0777, so
/// that uid 65534 may create files there), and shells that run scripts in
/// throwaway namespaces. On drop it checks that no mount of ours leaked to
/// the host.
pub struct Scene {
    pub env: Env,
    /// Run the wrappers, and so everything below them, on this CPU only.
    cpu: Option<u32>,
}

impl Scene {
    /// A scene whose namespaces are all made on one CPU. Linux 6.18 numbers
    /// namespaces from per-CPU batches, so a mount namespace made on one CPU
    /// may count as older than one made just before on another, and binding
    /// it (--mount=FILE) then fails with EINVAL about half the time. nsbox
    /// makes the namespace again on the right CPU (see
    /// `mnt_is_persisted_reliably_across_cpus`); util-linux does not, so the
    /// scenes that persist a mount namespace with util-linux use this.
    pub fn one_cpu() -> Scene {
        let mut scene = Scene::new();
        scene.cpu = Some(first_cpu());
        scene
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

    pub fn new() -> Scene {
        let env = Env::new();
        env.tmp().write("prelude.sh", PRELUDE, 0o644);
        let work = env.tmp().join("w");
        std::fs::create_dir(&work).unwrap();
        std::fs::set_permissions(&work, std::os::unix::fs::PermissionsExt::from_mode(0o777))
            .unwrap();
        Scene { env, cpu: None }
    }

    pub fn dir(&self) -> &Path {
        self.env.dir()
    }

    /// `$D/w/NAME`.
    pub fn work(&self, name: &str) -> PathBuf {
        self.env.tmp().join("w").join(name)
    }

    /// The `unshare` link.
    pub fn link(&self) -> PathBuf {
        self.env.path("unshare")
    }

    /// nsbox's unshare, through its link.
    pub fn unshare(&self) -> Cmd {
        cmd(self.link())
    }

    /// nsbox's unshare, run in a private mount namespace of its own.
    pub fn private(&self) -> Cmd {
        self.ul()
            .args(["--mount", "--propagation", "private"])
            .arg(self.link())
    }

    /// util-linux's unshare, run in a private mount namespace of its own.
    pub fn ul_private(&self) -> Cmd {
        self.ul()
            .args(["--mount", "--propagation", "private"])
            .arg(UL_UNSHARE)
    }

    /// `sh -c SCRIPT sh` in a private mount namespace, with `$U` (our
    /// unshare), `$S` (setns-test), `$UL` (util-linux's unshare), `$D`, `$NB`
    /// and the prelude's functions. Append the script's `$1...` with `.arg()`.
    pub fn shell(&self, script: &str) -> Cmd {
        self.wrapper(&["--propagation", "private"], script)
    }

    /// The same, with every mount of the wrapper's namespace made shared.
    pub fn shell_shared(&self, script: &str) -> Cmd {
        self.wrapper(&["--propagation", "shared"], script)
    }

    /// The same as `shell`, in a PID namespace whose init is the script, with
    /// its own /proc: `/proc/[0-9]*` lists what is left, and the end of the
    /// script kills and reaps it all.
    pub fn shell_pidns(&self, script: &str) -> Cmd {
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

    pub fn wrapper(&self, options: &[&str], script: &str) -> Cmd {
        self.ul()
            .arg("--mount")
            .args(options)
            .args(["sh", "-c"])
            .arg(format!(". \"$D/prelude.sh\"\n{script}"))
            .arg("sh")
            .env("U", self.link())
            .env("S", self.env.path("setns-test"))
            .env("UL", UL_UNSHARE)
            .env("D", self.dir())
            .env("NB", NB)
    }
}

impl Drop for Scene {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
        let dir = self.dir().to_string_lossy().into_owned();
        assert!(
            !mountinfo.contains(&dir),
            "a mount under {dir} leaked to the host:\n{mountinfo}"
        );
    }
}

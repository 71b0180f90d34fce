//! `TempDir`, a fresh directory removed on drop, and `Env`, a test's temp
//! dir holding links named after the applets.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::{unique, Cmd, APPLETS, NSBOX};

/// A fresh directory, mode 0755 so that uid 65534 can run the binary through
/// links in it; removed with its contents on drop.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new() -> TempDir {
        TempDir::new_in("/tmp")
    }

    pub fn new_in(parent: impl AsRef<Path>) -> TempDir {
        let path = parent.as_ref().join(unique("nsbox-test"));
        std::fs::create_dir_all(parent.as_ref())
            .and_then(|()| std::fs::create_dir(&path))
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("cannot chmod {}: {e}", path.display()));
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.path.join(name)
    }

    /// A regular file with this content and mode.
    pub fn write(&self, name: &str, content: &str, mode: u32) -> PathBuf {
        let path = self.join(name);
        std::fs::write(&path, content)
            .and_then(|()| std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)))
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path
    }

    /// A symbolic link `name` pointing at `target`.
    pub fn symlink(&self, target: impl AsRef<Path>, name: &str) -> PathBuf {
        let path = self.join(name);
        std::os::unix::fs::symlink(target.as_ref(), &path)
            .unwrap_or_else(|e| panic!("cannot create link {}: {e}", path.display()));
        path
    }

    /// The names in the directory, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.path)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", self.path.display()))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A test's world: a temp dir with `unshare`, `nsenter`, `setns-test` and
/// `nsbind` linking to the binary, so the real binary runs under those names.
pub struct Env {
    tmp: TempDir,
}

impl Env {
    pub fn new() -> Env {
        let tmp = TempDir::new();
        for name in APPLETS {
            tmp.symlink(NSBOX, name);
        }
        Env { tmp }
    }

    pub fn dir(&self) -> &Path {
        self.tmp.path()
    }

    pub fn tmp(&self) -> &TempDir {
        &self.tmp
    }

    /// DIR/NAME: for an applet, the path of its link.
    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.join(name)
    }

    /// Run the applet through its link.
    pub fn applet(&self, name: &str) -> Cmd {
        Cmd::new(self.path(name))
    }

    /// One more link to the binary, under any name.
    pub fn link(&self, name: &str) -> PathBuf {
        self.tmp.symlink(NSBOX, name)
    }
}

//! `make install` and `make uninstall` (src/pkg/install.sh) in a staged
//! tree, DESTDIR, seeded with util-linux's `unshare` and `nsenter`, their
//! man pages and completions: install refuses to replace them and writes
//! nothing, `APPLETS` installs beside them, `FORCE=1` replaces them, an
//! older nsbox is upgraded, and uninstall removes what is nsbox's and
//! nothing else. Every file of the tree is checked after every step. The
//! tests never install on the host: DESTDIR is always a fresh directory.

#[path = "../common/mod.rs"]
mod common;
mod stage;

mod dirs;
mod modes;

# nsbox: build, test, install and package.
#
#   make                  build nsbox, static: against musl when Rust's musl
#                         target is installed (target/ARCH-unknown-linux-musl/
#                         release/nsbox), else glibc (target/release/nsbox);
#                         LIBC=glibc or LIBC=musl chooses
#   make static           the same
#   make dynamic          target/release/nsbox linked against glibc
#   make check            install the test dependencies (as root), run every test
#                         (twice where the musl target is installed: against the
#                         glibc build and the musl one) and lint (the unit
#                         tests include a seeded fuzzer of every
#                         command-line parser), then check that the host was left
#                         as found: mounts, hostname, interfaces, /run/netns
#   sudo make install     the binary, a hard link per applet, man pages and
#                         completions; refuses to replace any file that is
#                         not nsbox's (README, "Installing")
#   sudo make uninstall   remove what of those is nsbox's, and nothing else
#   make deb              a Debian package, in target/debian
#   sudo make bench       time, count and weigh nsbox beside util-linux, busybox,
#                         toybox and the start-up floors; installs the peers
#                         it lacks, writes bench/RESULTS.md (bench/README.md).
#                         Never part of check: BENCHFLAGS=--help lists options
#
# Staged installs: make install DESTDIR=/tmp/stage PREFIX=/usr
# Beside util-linux: make install APPLETS="setns-test nsbind"

PREFIX ?= /usr/local
DESTDIR ?=
# Left empty, each is the default for PREFIX, which src/pkg/install.sh
# works out (README, "Installing", lists them).
BINDIR ?=
LIBEXECDIR ?=
MANDIR ?=
BASHCOMPDIR ?=
ZSHCOMPDIR ?=
FISHCOMPDIR ?=
# The applets that get a link in BINDIR, a man page and completions (nsbox
# itself always does); FORCE=1 replaces files that are not nsbox's; LINKS
# is hard or symbolic.
ALL_APPLETS = unshare nsenter setns-test nsbind
APPLETS ?= $(ALL_APPLETS)
FORCE ?=
LINKS ?= hard

CARGO ?= cargo

# Follow CARGO_TARGET_DIR when it is set, as cargo does.
TARGET_DIR = $(or $(CARGO_TARGET_DIR),target)

# The static build links musl when Rust's target for it is installed
# (`rustup target add x86_64-unknown-linux-musl`): glibc's start-up probes
# the CPU with dozens of cpuid instructions, each a trap to the hypervisor
# on a virtual machine, which makes every call of a glibc program several
# times slower there (bench/RESULTS.md). nsbox's messages and signal names
# do not depend on the C library, and `make check` runs the whole suite
# against both builds.
MUSL = $(shell uname -m)-unknown-linux-musl
HAVE_MUSL := $(shell test -d "$$(rustc --print sysroot 2>/dev/null)/lib/rustlib/$(MUSL)/lib" && echo yes)
# Or a musl build is there already: `sudo make install` after `make` finds
# it even where root's PATH has no rustc.
LIBC ?= $(if $(HAVE_MUSL)$(wildcard $(TARGET_DIR)/$(MUSL)/release/nsbox),musl,glibc)
ifeq ($(LIBC),musl)
BIN = $(TARGET_DIR)/$(MUSL)/release/nsbox
else
BIN = $(TARGET_DIR)/release/nsbox
endif
DEBDIR = $(TARGET_DIR)/debian
# The package's Maintainer field: "Name <address>".
DEB_MAINTAINER ?= $(shell git log -1 --format='%an <%ae>' 2>/dev/null)

# Static or not is said here, to cargo: .cargo/config.toml says static too,
# but cargo reads it only when started inside the source tree, and only for
# the targets it names. RUSTFLAGS replaces that file's flags, so a caller's
# RUSTFLAGS are kept and ours added.
ifeq ($(LIBC),musl)
STATIC = $(CARGO) build --release --target $(MUSL)
else
STATIC = RUSTFLAGS="$$RUSTFLAGS -C target-feature=+crt-static" $(CARGO) build --release
endif
DYNAMIC = RUSTFLAGS="$$RUSTFLAGS -C target-feature=-crt-static" $(CARGO) build --release

.PHONY: all build static dynamic check install uninstall deb bench print-bin clean

all: build

# cargo decides what is stale, so always ask it.
build static:
	$(STATIC)

dynamic:
	$(DYNAMIC)

# install depends on the file, not on `build`: after `make`, a `sudo make
# install` copies what is there instead of compiling again as root (which
# would leave root-owned files in target/). It builds only when nothing is.
$(BIN):
	$(STATIC)

# The tests must leave the host as they found it: tests/host-state.sh takes
# a snapshot before them and compares after, even when a step failed (a
# failing test is the likeliest to leave something behind).
CHECKS = '$(CARGO) test' $(if $(HAVE_MUSL),'$(CARGO) test --target $(MUSL)') \
	'$(CARGO) fmt --check' '$(CARGO) clippy --all-targets -- -D warnings'

check:
	./tests/deps.sh
	@before=$$(mktemp) || exit 1; \
	trap 'rm -f "$$before"' EXIT; trap 'exit 130' INT TERM; \
	./tests/host-state.sh >"$$before" || exit 1; \
	status=0; \
	for step in $(CHECKS); do \
		echo "$$step"; $$step || { status=$$?; break; }; \
	done; \
	./tests/host-state.sh --compare "$$before" || [ $$status -ne 0 ] || status=1; \
	exit $$status

# The settings go to src/pkg/install.sh in its environment, each quoted for
# the shell whatever it holds (spaces, quotes).
quote = '$(subst ','\'',$(1))'
INSTALL_SETTINGS = BIN DESTDIR PREFIX BINDIR LIBEXECDIR MANDIR BASHCOMPDIR \
	ZSHCOMPDIR FISHCOMPDIR ALL_APPLETS APPLETS FORCE LINKS
INSTALL_ENV = $(foreach name,$(INSTALL_SETTINGS),$(name)=$(call quote,$($(name))))

install: $(BIN)
	@$(INSTALL_ENV) sh src/pkg/install.sh install

uninstall:
	@$(INSTALL_ENV) sh src/pkg/install.sh uninstall

# Built from a tree staged by install.sh, with dpkg-deb: see src/pkg/deb.sh.
deb: static
	@BIN=$(call quote,$(BIN)) DEBDIR=$(call quote,$(DEBDIR)) \
		DEB_MAINTAINER=$(call quote,$(DEB_MAINTAINER)) \
		ALL_APPLETS=$(call quote,$(ALL_APPLETS)) sh src/pkg/deb.sh

# Its own command, not a test: timings depend on the machine and its load.
BENCHFLAGS ?=
bench:
	python3 bench/bench.py $(BENCHFLAGS)

# Where the static build is, for scripts (bench/prepare.py).
print-bin:
	@echo $(BIN)

clean:
	$(CARGO) clean

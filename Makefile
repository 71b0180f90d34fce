# nsbox: build, test and install.
#
#   make                  build target/release/nsbox
#   make check            install the test dependencies (as root), run every test and
#                         lint (the unit tests include a seeded fuzzer of every
#                         command-line parser), then check that the host was left
#                         as found: mounts, hostname, interfaces, /run/netns
#   sudo make install     binary, one hard link per applet, man pages, completions
#   sudo make uninstall   remove exactly what install put there
#
# Staged installs: make install DESTDIR=/tmp/stage PREFIX=/usr

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
DESTDIR ?=

CARGO ?= cargo
INSTALL ?= install

APPLETS = unshare nsenter setns-test nsbind
# Every program name: the applets and nsbox itself.
NAMES = nsbox $(APPLETS)

# Follow CARGO_TARGET_DIR when it is set, as cargo does.
TARGET_DIR = $(or $(CARGO_TARGET_DIR),target)
BIN = $(TARGET_DIR)/release/nsbox

.PHONY: all build check install uninstall clean

all: build

# cargo decides what is stale, so always ask it.
build:
	$(CARGO) build --release

# install depends on the file, not on `build`: after `make`, a `sudo make
# install` copies what is there instead of compiling again as root (which
# would leave root-owned files in target/). It builds only when nothing is.
$(BIN):
	$(CARGO) build --release

# The tests must leave the host as they found it: tests/host-state.sh takes
# a snapshot before them and compares after, even when a step failed (a
# failing test is the likeliest to leave something behind).
CHECKS = '$(CARGO) test' '$(CARGO) fmt --check' '$(CARGO) clippy --all-targets -- -D warnings'

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

install: $(BIN)
	$(INSTALL) -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(MANDIR)/man1' \
		'$(DESTDIR)$(BASHCOMPDIR)' '$(DESTDIR)$(ZSHCOMPDIR)' '$(DESTDIR)$(FISHCOMPDIR)'
	$(INSTALL) -m 0755 '$(BIN)' '$(DESTDIR)$(BINDIR)/nsbox'
	for applet in $(APPLETS); do \
		ln -f '$(DESTDIR)$(BINDIR)/nsbox' "$(DESTDIR)$(BINDIR)/$$applet" || exit 1; \
	done
	for name in $(NAMES); do \
		$(INSTALL) -m 0644 "man/$$name.1" '$(DESTDIR)$(MANDIR)/man1/' && \
		$(INSTALL) -m 0644 "completions/bash/$$name" '$(DESTDIR)$(BASHCOMPDIR)/' && \
		$(INSTALL) -m 0644 "completions/zsh/_$$name" '$(DESTDIR)$(ZSHCOMPDIR)/' && \
		$(INSTALL) -m 0644 "completions/fish/$$name.fish" '$(DESTDIR)$(FISHCOMPDIR)/' || exit 1; \
	done

uninstall:
	for name in $(NAMES); do \
		rm -f "$(DESTDIR)$(BINDIR)/$$name" \
			"$(DESTDIR)$(MANDIR)/man1/$$name.1" \
			"$(DESTDIR)$(BASHCOMPDIR)/$$name" \
			"$(DESTDIR)$(ZSHCOMPDIR)/_$$name" \
			"$(DESTDIR)$(FISHCOMPDIR)/$$name.fish"; \
	done

clean:
	$(CARGO) clean

#!/bin/sh
# `make deb`: a Debian binary package of nsbox, made with dpkg-deb from a
# tree that install.sh stages (there is no debian/ directory to keep).
#
# It conflicts with nothing util-linux ships: /usr/bin gets nsbox,
# setns-test and nsbind (links to nsbox) with their pages and completions;
# unshare and nsenter are links in /usr/libexec/nsbox only, for those who
# put that directory first in PATH, and their pages and completions, which
# would clash with util-linux's, are left out.
#
# Settings in the environment:
#   BIN             the executable, built static (make deb builds it)
#   DEBDIR          where the package is made; it prints the .deb's path
#   DEB_MAINTAINER  the Maintainer field, "Name <address>"
#   ALL_APPLETS     every applet name
#   SOURCE_DATE_EPOCH  the changelog's date and every file's time (default:
#                   the last commit's), so that the same sources make the
#                   same package
set -eu
umask 022

me=${0##*/}
die() { printf '%s: %s\n' "$me" "$*" >&2; exit 1; }

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
: "${BIN:?BIN is not set}" "${DEBDIR:?DEBDIR is not set}" "${ALL_APPLETS:?ALL_APPLETS is not set}"
[ -n "${DEB_MAINTAINER-}" ] || die "set DEB_MAINTAINER to the package's maintainer, 'Name <address>'"

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$srcdir/Cargo.toml" | head -n 1)
[ -n "$version" ] || die "no version in $srcdir/Cargo.toml"
# Not a native package: its own revision, and a changelog.Debian.
full_version=$version-1
arch=$(dpkg --print-architecture)
if [ -z "${SOURCE_DATE_EPOCH-}" ]; then
    SOURCE_DATE_EPOCH=$(git -C "$srcdir" log -1 --format=%ct 2>/dev/null) ||
        SOURCE_DATE_EPOCH=$(date +%s)
fi
export SOURCE_DATE_EPOCH

root=$DEBDIR/nsbox_${full_version}_$arch
deb=$root.deb
rm -rf "$root" "$deb"
mkdir -p "$root"

# The files, where Debian wants them, by the same script as make install.
DESTDIR=$root PREFIX=/usr BINDIR=/usr/bin LIBEXECDIR=/usr/libexec/nsbox \
    MANDIR=/usr/share/man BASHCOMPDIR=/usr/share/bash-completion/completions \
    ZSHCOMPDIR=/usr/share/zsh/vendor-completions \
    FISHCOMPDIR=/usr/share/fish/vendor_completions.d \
    APPLETS="setns-test nsbind" LINKS=symbolic BIN=$BIN ALL_APPLETS=$ALL_APPLETS \
    sh "$srcdir/src/pkg/install.sh" install >/dev/null

# What dh_strip and dh_installman would do.
strip --remove-section=.comment --remove-section=.note --strip-unneeded \
    "$root/usr/bin/nsbox"
gzip -9n "$root"/usr/share/man/man1/*.1

doc=$root/usr/share/doc/nsbox
mkdir -p "$doc"
cp "$srcdir/src/pkg/copyright" "$doc/copyright"
gzip -9nc "$srcdir/README.md" >"$doc/README.md.gz"
{
    printf 'nsbox (%s) unstable; urgency=medium\n\n' "$full_version"
    printf '  * nsbox %s, packaged by make deb from its source tree.\n\n' "$version"
    printf ' -- %s  %s\n' "$DEB_MAINTAINER" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.Debian.gz"
chmod 0644 "$doc"/*
mkdir -p "$root/usr/share/lintian/overrides"
cp "$srcdir/src/pkg/lintian-overrides" "$root/usr/share/lintian/overrides/nsbox"
chmod 0644 "$root/usr/share/lintian/overrides/nsbox"

# glibc is linked in: name its source, as Policy asks of static linking.
built_using=$(dpkg-query -W -f='${source:Package} (= ${source:Version})' libc6-dev 2>/dev/null) ||
    built_using=

mkdir -p "$root/DEBIAN"
{
    cat <<EOF
Package: nsbox
Version: $full_version
Architecture: $arch
Maintainer: $DEB_MAINTAINER
Installed-Size: $(du -sk "$root/usr" | cut -f1)
EOF
    [ -z "$built_using" ] || printf 'Built-Using: %s\n' "$built_using"
    cat <<'EOF'
Section: admin
Priority: optional
Description: Linux namespace tools in one static executable
 nsbox is a multi-call executable in the manner of busybox: linked or
 invoked as unshare, nsenter, setns-test or nsbind, it becomes that tool.
 Its unshare and nsenter take the command lines of their util-linux
 namesakes; setns-test joins the namespace behind one file, and nsbind
 keeps namespaces in files by bind mount, lists and releases them.
 .
 This package puts nsbox, setns-test and nsbind in /usr/bin and leaves
 util-linux's unshare and nsenter alone. Links to all four applets are in
 /usr/libexec/nsbox, for those who want nsbox's unshare and nsenter first
 in PATH.
EOF
} >"$root/DEBIAN/control"
(cd "$root" && find usr -type f -exec md5sum {} + | sort -k 2) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

# The same time everywhere, for a reproducible package.
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
printf '%s\n' "$deb"

#!/bin/sh
# `make install` and `make uninstall`: the nsbox executable, a link to it per
# applet in BINDIR and in LIBEXECDIR, the man pages, and the bash, zsh and
# fish completions.
# README's "Installing" tells where each goes.
#
# Neither ever destroys a file that is not nsbox's. install first looks at
# every name it would write; if any holds something else, it lists them all
# and writes nothing, unless FORCE=1. uninstall removes only nsbox's files,
# and never a directory.
#
# What is nsbox's:
# - as the executable or an applet link: a regular ELF file that carries the
#   text every nsbox build carries (SIGNATURE in src/install.rs), whatever
#   its version, so that an upgrade replaces the older build; or a symbolic
#   link that leads to one. Nothing is run to find out.
# - as a man page or a completion: a regular file that has the marker line
#   every page and completion file of nsbox has, older ones included.
#
# Usage: install.sh install|uninstall, the settings in the environment:
#   BIN          the executable to install (install only)
#   ALL_APPLETS  every applet name
#   APPLETS      those that get a link in BINDIR, a page and completions
#                (default: all; nsbox itself always does)
#   FORCE=1      install replaces files that are not nsbox's
#   LINKS        hard (default) or symbolic
#   DESTDIR PREFIX BINDIR LIBEXECDIR MANDIR BASHCOMPDIR ZSHCOMPDIR FISHCOMPDIR
#                where (empty: the default for PREFIX)
# Names are never globbed.
set -euf
umask 022

me=${0##*/}
say() { printf '%s: %s\n' "$me" "$*" >&2; }
die() { say "$@"; exit 1; }

mode=${1-}
case $mode in
install | uninstall) ;;
*) die "usage: $me install|uninstall (settings in the environment)" ;;
esac

signature='Linux namespace tools in one executable'
marker='This file is part of nsbox (make install and make uninstall look for this line).'
srcdir=$(cd "$(dirname "$0")/../.." && pwd)

DESTDIR=${DESTDIR-}
PREFIX=${PREFIX:-/usr/local}
[ "$PREFIX" = / ] || PREFIX=${PREFIX%/}

# A directory from pkg-config's PACKAGE.pc, with PREFIX in place of the
# package's own prefix; only if it lies inside PREFIX (a /usr/local install
# must not write to /usr, as an answer that ignores the prefix would).
completions_dir() {
    dir=$(pkg-config --define-variable=prefix="$PREFIX" \
        --variable=completionsdir "$1" 2>/dev/null) || return 1
    case $dir in
    "$PREFIX"/?*) printf '%s\n' "$dir" ;;
    *) return 1 ;;
    esac
}

BINDIR=${BINDIR:-$PREFIX/bin}
LIBEXECDIR=${LIBEXECDIR:-$PREFIX/libexec/nsbox}
MANDIR=${MANDIR:-$PREFIX/share/man}
if [ -z "${BASHCOMPDIR-}" ]; then
    BASHCOMPDIR=$(completions_dir bash-completion) ||
        BASHCOMPDIR=$PREFIX/share/bash-completion/completions
fi
if [ -z "${ZSHCOMPDIR-}" ]; then
    # Debian's zsh searches vendor-completions, not site-functions, under
    # /usr; everywhere else, and under /usr/local, site-functions.
    if [ "$PREFIX" = /usr ] && [ -e /etc/debian_version ]; then
        ZSHCOMPDIR=/usr/share/zsh/vendor-completions
    else
        ZSHCOMPDIR=$PREFIX/share/zsh/site-functions
    fi
fi
if [ -z "${FISHCOMPDIR-}" ]; then
    # fish looks in PREFIX/share/fish/vendor_completions.d only when
    # XDG_DATA_DIRS names PREFIX/share, which a console login does not set;
    # the system administrator's /etc/fish/completions it always reads.
    if [ "$PREFIX" = /usr/local ]; then
        FISHCOMPDIR=/etc/fish/completions
    else
        FISHCOMPDIR=$(completions_dir fish) ||
            FISHCOMPDIR=$PREFIX/share/fish/vendor_completions.d
    fi
fi

ALL_APPLETS=${ALL_APPLETS:?ALL_APPLETS is not set}
APPLETS=${APPLETS-$ALL_APPLETS}
FORCE=${FORCE-}
LINKS=${LINKS:-hard}
case $LINKS in
hard | symbolic) ;;
*) die "LINKS=$LINKS: expected hard or symbolic" ;;
esac
for applet in $APPLETS; do
    case " $(echo $ALL_APPLETS) " in
    *" $applet "*) ;;
    *) die "APPLETS: no applet named '$applet' (expected some of: $(echo $ALL_APPLETS))" ;;
    esac
done
for dir in "$DESTDIR" "$BINDIR" "$LIBEXECDIR" "$MANDIR" "$BASHCOMPDIR" "$ZSHCOMPDIR" "$FISHCOMPDIR"; do
    case $dir in
    *'
'*) die "a directory name with a newline in it is not supported" ;;
    esac
done
for dir in "$BINDIR" "$LIBEXECDIR" "$MANDIR" "$BASHCOMPDIR" "$ZSHCOMPDIR" "$FISHCOMPDIR"; do
    case $dir in
    /*) ;;
    *) die "$dir: not an absolute directory" ;;
    esac
done

# ---------------------------------------------------------------- what is nsbox's

elf=$(printf '\177ELF')

# A regular ELF file carrying the signature. Regular only (links followed):
# a FIFO or a device is never opened.
is_nsbox_executable() {
    [ -f "$1" ] && [ -r "$1" ] || return 1
    [ "$(dd if="$1" bs=4 count=1 2>/dev/null)" = "$elf" ] || return 1
    LC_ALL=C grep -qF "$signature" "$1"
}

# The file a symbolic link leads to, an absolute target taken inside DESTDIR
# as it will be once the staged tree is in place.
resolve() {
    path=$1 hops=0
    while [ -L "$path" ]; do
        hops=$((hops + 1))
        [ "$hops" -le 40 ] || return 1
        target=$(readlink "$path") || return 1
        case $target in
        /*) path=$DESTDIR$target ;;
        *) path=${path%/*}/$target ;;
        esac
    done
    printf '%s\n' "$path"
}

# Whether PATH, an existing name, is nsbox's: KIND is exe (the executable or
# an applet link) or file (a man page or completion).
ours() {
    case $1 in
    exe)
        if [ -L "$2" ]; then
            target=$(resolve "$2") && is_nsbox_executable "$target"
        else
            is_nsbox_executable "$2"
        fi
        ;;
    file) [ -f "$2" ] && [ ! -L "$2" ] && LC_ALL=C grep -qF "$marker" "$2" ;;
    esac
}

exists() { [ -e "$1" ] || [ -L "$1" ]; }

# ---------------------------------------------------------------- what goes where

# Call "$visit KIND DEST SOURCE OWNER" for every name install writes (OWNER:
# the applet the name belongs to, or nsbox): the executable first, then the
# links, then the pages and completions. NAMES are the applets to cover.
each() {
    names=$1
    $visit exe "$DESTDIR$BINDIR/nsbox" "${BIN-}" nsbox
    for applet in $names; do
        $visit link "$DESTDIR$BINDIR/$applet" nsbox "$applet"
    done
    # Every applet in LIBEXECDIR, nsbox's own directory: unshare and
    # nsenter there come first for those who put it first in PATH.
    for applet in $ALL_APPLETS; do
        $visit link "$DESTDIR$LIBEXECDIR/$applet" "$(relative "$LIBEXECDIR" "$BINDIR/nsbox")" nsbox
    done
    for name in nsbox $names; do
        $visit file "$DESTDIR$MANDIR/man1/$name.1" "$srcdir/man/$name.1" "$name"
        $visit file "$DESTDIR$BASHCOMPDIR/$name" "$srcdir/completions/bash/$name" "$name"
        $visit file "$DESTDIR$ZSHCOMPDIR/_$name" "$srcdir/completions/zsh/_$name" "$name"
        $visit file "$DESTDIR$FISHCOMPDIR/$name.fish" "$srcdir/completions/fish/$name.fish" "$name"
    done
}

# The path from directory FROM to FILE, both absolute: what a relative
# symbolic link in FROM holds (../../bin/nsbox from /usr/libexec/nsbox).
relative() {
    from=${1%/}/ up=
    while :; do
        case $2 in
        "$from"*) break ;;
        esac
        from=${from%/*/}/
        up=../$up
    done
    printf '%s\n' "$up${2#"$from"}"
}

# ---------------------------------------------------------------- install

# First pass: what is in the way.
foreign= directories= blocked= core_blocked=
check() {
    kind=$1 dest=$2 owner=$4
    [ "$kind" = link ] && kind=exe
    exists "$dest" || return 0
    if [ -d "$dest" ]; then
        directories="$directories$dest
"
    elif ! ours "$kind" "$dest"; then
        foreign="$foreign$dest
"
    else
        return 0
    fi
    if [ "$owner" = nsbox ]; then
        core_blocked=1
    else
        case " $blocked " in
        *" $owner "*) ;;
        *) blocked="$blocked $owner" ;;
        esac
    fi
}

# Put SOURCE (a file, or with KIND link the link's target) at DEST through
# a temporary name and a rename: DEST never goes missing, and a link in
# the way is replaced, never written through.
put() {
    kind=$1 dest=$2 source=$3
    temp=$dest.nsbox-new
    mkdir -p "${dest%/*}"
    rm -f "$temp"
    case $kind in
    exe)
        cp "$source" "$temp"
        chmod 0755 "$temp"
        ;;
    link)
        if [ "$LINKS" = hard ]; then
            # An already installed hard link to this very file stays.
            if [ ! -L "$dest" ] && [ "$dest" -ef "$DESTDIR$BINDIR/nsbox" ]; then
                return 0
            fi
            ln "$DESTDIR$BINDIR/nsbox" "$temp"
        else
            ln -s "$source" "$temp"
        fi
        ;;
    file)
        cp "$source" "$temp"
        chmod 0644 "$temp"
        ;;
    esac
    mv -f "$temp" "$dest"
    printf 'installed %s\n' "$dest"
}

# Every source there, before anything is written.
need() {
    case $1 in
    exe) is_nsbox_executable "$3" || die "${3:-BIN}: not an nsbox executable" ;;
    file) [ -f "$3" ] || die "$3: missing" ;;
    esac
}

# List what is in the way, and how to go on: leave those applets out, or
# replace the files (not directories) anyway.
refuse() {
    printf '%s' "$directories" | while IFS= read -r dir; do
        say "$dir: is a directory; not replacing it, even with FORCE=1"
    done
    printf '%s' "$foreign" | while IFS= read -r file; do
        say "$file: exists and is not nsbox's; not replacing it"
    done
    hints=
    if [ -z "$core_blocked" ]; then
        beside=
        for applet in $APPLETS; do
            case " $blocked " in
            *" $applet "*) ;;
            *) beside="$beside $applet" ;;
            esac
        done
        hints="install beside them with APPLETS=\"${beside# }\""
    fi
    if [ -z "$directories" ]; then
        hints="${hints:+$hints, or }replace them with FORCE=1"
    fi
    die "nothing was installed${hints:+: $hints}"
}

install() {
    visit=need each "$APPLETS"
    visit=check each "$APPLETS"
    [ "$FORCE" != 1 ] || foreign=
    [ -z "$directories$foreign" ] || refuse
    visit=put each "$APPLETS"
}

# ---------------------------------------------------------------- uninstall

doomed=
judge() {
    kind=$1 dest=$2
    [ "$kind" = link ] && kind=exe
    exists "$dest" || return 0
    if [ ! -d "$dest" ] && ours "$kind" "$dest"; then
        doomed="$doomed$dest
"
    else
        printf 'kept %s: not nsbox'\''s\n' "$dest"
    fi
}

uninstall() {
    # Judge every name before removing any: a symbolic link to the
    # executable is recognised only while the executable is there.
    visit=judge each "$ALL_APPLETS"
    printf '%s' "$doomed" | while IFS= read -r file; do
        rm -f "$file"
        printf 'removed %s\n' "$file"
    done
}

"$mode"

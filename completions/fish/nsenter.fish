# fish completion for nsenter (an applet of nsbox)
# This file is part of nsbox (make install and make uninstall look for this line).
#
# nsenter [OPTION...] [PROGRAM [ARGUMENT...]]
#
# Unlike unshare's, the short namespace options take an optional value too,
# attached: -nFILE, -n=FILE, -n:NSID, as --net=FILE. So do -r and -w. An
# optional value is never the next token: "-n FILE" runs FILE.

# Succeeds when the long option TOKEN (less any =VALUE), or the only option it
# abbreviates, takes the next token as its value.
function __nsbox_nsenter_needs_value
    set -l word (string split -m 1 = -- $argv[1])[1]
    set -l with_value --target --net-socket --setuid --setgid --wdns --caps \
        --seccomp
    set -l without --all --mount --uts --ipc --net --pid --cgroup --user \
        --user-parent --time --preserve-credentials --keep-caps --root --wd \
        --env --no-fork --join-cgroup --follow-context --no-new-privs --pty \
        --as-target --help --version
    # An exact name wins (--wd is also a prefix of --wdns).
    contains -- $word $with_value; and return 0
    contains -- $word $without; and return 1
    set -l matches (string match -- "$word*" $with_value $without)
    test (count $matches) -eq 1; and contains -- $matches[1] $with_value
end

# For a bundle of short options (-aFt, -n/run/netns/blue), print the letter
# that takes a value, if any, and on a second line the value attached to it.
function __nsbox_nsenter_short_value
    set -l letters (string sub -s 2 -- $argv[1] | string split '')
    for j in (seq (count $letters))
        # t N S G W require a value, the others take an optional one; either
        # way the rest of the token is the value.
        if contains -- $letters[$j] t N S G W m u i n p C U T r w
            echo $letters[$j]
            string join '' -- $letters[(math $j + 1)..-1]
            return 0
        end
    end
    return 1
end

# Print the position of PROGRAM on the command line, counting the token being
# completed: options end at the first operand or after "--", as in getopt.
# Fail when the current token is an option or an option's value.
function __nsbox_nsenter_program
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -a tokens "$current"
    set -l takes_value 0
    for i in (seq 2 (count $tokens))
        set -l token $tokens[$i]
        if test $takes_value -eq 1
            set takes_value 0
            continue
        end
        # An option being typed, even a lone "-" or "--".
        if test $i -eq (count $tokens); and string match -q -- '-*' $token
            return 1
        end
        switch $token
            case --
                echo (math $i + 1)
                return 0
            case '--*=*'
            case '--*'
                __nsbox_nsenter_needs_value $token; and set takes_value 1
            case '-?*'
                set -l found (__nsbox_nsenter_short_value $token)
                if contains -- "$found[1]" t N S G W; and test -z "$found[2]"
                    set takes_value 1
                end
            case '*'
                echo $i
                return 0
        end
    end
    return 1
end

# The words from PROGRAM on form a command line of their own: complete that.
function __nsbox_nsenter_command
    set -l program (__nsbox_nsenter_program); or return
    set -l tokens (commandline -opc)
    set -l rest (string escape -- $tokens[$program..-1]) (commandline -ct)
    complete -C "$rest"
end

# The PID given with -t/--target so far.
function __nsbox_nsenter_target
    set -l tokens (commandline -opc)
    set -l next 0
    for token in $tokens[2..-1]
        if test $next -eq 1
            string split -f 1 : -- $token
            return
        end
        # --target, or an abbreviation of it (--t alone is ambiguous).
        set -l name (string split -m 1 = -- $token)[1]
        set -l is_target 0
        if test (string length -- $name) -ge 4; and string match -q -- "$name*" --target
            set is_target 1
        end
        switch $token
            case '--*=*'
                if test $is_target -eq 1
                    string split -f 1 : -- (string split -m 1 -f 2 = -- $token)
                    return
                end
            case '--*'
                test $is_target -eq 1; and set next 1
            case '-?*'
                set -l found (__nsbox_nsenter_short_value $token)
                if test "$found[1]" = t
                    if test -n "$found[2]"
                        string split -f 1 : -- $found[2]
                        return
                    end
                    set next 1
                end
        end
    end
end

# The sockets the target has open, by file descriptor: for -N.
function __nsbox_nsenter_sockets
    set -l pid (__nsbox_nsenter_target)
    string match -qr '^[0-9]+$' -- "$pid"; or return
    for fd in /proc/$pid/fd/*
        if string match -q 'socket:*' -- (readlink $fd 2>/dev/null)
            printf '%s\t%s\n' (string replace -r '.*/' '' -- $fd) socket
        end
    end
end

# "follow", and the numeric IDs of the database (passwd or group), named.
function __nsbox_nsenter_ids
    printf '%s\t%s\n' follow "the target's ID"
    getent $argv[1] 2>/dev/null | string replace -r '^([^:]*):[^:]*:([^:]*):.*' '$2\t$1'
end

# Directories for -W/--wdns, whose value fish completes on its own, whether
# the next token or attached (-W/srv, --wdns=/srv): complete just the value.
function __nsbox_nsenter_wdns
    set -l value (commandline -ct)
    set -l lead
    switch $value
        case '--*=*'
            set value (string split -m 1 -f 2 = -- $value)
        case '-?*'
            set -l found (__nsbox_nsenter_short_value $value); and set value $found[2]
            # -W=DIR is read as -WDIR.
            if string match -q -- '=*' $value
                set lead =
                set value (string sub -s 2 -- $value)
            end
    end
    __fish_complete_directories "$value" | string replace -r -- '^' "$lead"
end

# Candidates for a value attached to a short option, as whole tokens:
# -n/run/netns/blue, -r/srv, -t27514, -S1000.
function __nsbox_nsenter_attached
    set -l token (commandline -ct)
    set -l found (__nsbox_nsenter_short_value $token); or return
    set -l letter $found[1]
    set -l value $found[2]
    test -n "$value"; or return
    set -l prefix (string sub -l (math (string length -- $token) - (string length -- $value)) -- $token)
    # "-n=FILE" and "-W=DIR" are read as "-nFILE", "-WDIR".
    if contains -- $letter m u i n p C U T r w W; and string match -q -- '=*' $value
        set prefix "$prefix="
        set value (string sub -s 2 -- $value)
    end
    switch $letter
        case t
            __fish_complete_pids | string replace -r -- '^' "$prefix"
        case N
            __nsbox_nsenter_sockets | string replace -r -- '^' "$prefix"
        case S
            __nsbox_nsenter_ids passwd | string replace -r -- '^' "$prefix"
        case G
            __nsbox_nsenter_ids group | string replace -r -- '^' "$prefix"
        case r w W
            __fish_complete_directories "$value" | string replace -r -- '^' "$prefix"
        case '*'
            # A namespace file, or :NSID (which there is no completing).
            string match -q -- ':*' $value; and return
            complete -C"nonexistentcommandnsboxnsenter $value" | string replace -r -- '^' "$prefix"
    end
end

# Whether the short option LETTER may be offered for the current token. Once a
# bundle reaches a letter that takes a value, the rest of the token is that
# value: after -m, "-ma" would be the mount namespace of a file named "a".
# So only that letter's value is completed then, and no further letters.
function __nsbox_nsenter_short_ok
    set -l token (commandline -ct)
    string match -qr -- '^-[^-]' $token; or return 0
    set -l found (__nsbox_nsenter_short_value $token); or return 0
    test "$found[1]" = $argv[1]
end

complete -c nsenter -f
set -l opt 'not __nsbox_nsenter_program >/dev/null'

complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok a" -s a -l all -d 'enter all namespaces'
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok t" -s t -l target -x -a '(__fish_complete_pids)' -d 'target process to get namespaces from'

# The namespace options: the short flag (its optional value attached, which
# __nsbox_nsenter_attached completes), and the long option with =FILE.
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok m" -s m -d 'enter mount namespace'
complete -c nsenter -n $opt -l mount -F -d 'enter mount namespace [=FILE or =:NSID]'
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok u" -s u -d 'enter UTS namespace (hostname etc)'
complete -c nsenter -n $opt -l uts -F -d 'enter UTS namespace [=FILE or =:NSID]'
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok i" -s i -d 'enter System V IPC namespace'
complete -c nsenter -n $opt -l ipc -F -d 'enter System V IPC namespace [=FILE or =:NSID]'
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok n" -s n -d 'enter network namespace'
complete -c nsenter -n $opt -l net -F -d 'enter network namespace [=FILE or =:NSID]'
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok N" -s N -l net-socket -x -a '(__nsbox_nsenter_sockets)' -d "enter socket's network namespace (needs --target)"
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok p" -s p -d 'enter pid namespace'
complete -c nsenter -n $opt -l pid -F -d 'enter pid namespace [=FILE or =:NSID]'
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok C" -s C -d 'enter cgroup namespace'
complete -c nsenter -n $opt -l cgroup -F -d 'enter cgroup namespace [=FILE or =:NSID]'
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok U" -s U -d 'enter user namespace'
complete -c nsenter -n $opt -l user -F -d 'enter user namespace [=FILE or =:NSID]'
complete -c nsenter -n $opt -l user-parent -d 'enter parent user namespace'
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok T" -s T -d 'enter time namespace'
complete -c nsenter -n $opt -l time -F -d 'enter time namespace [=FILE or =:NSID]'

complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok S" -s S -l setuid -x -a '(__nsbox_nsenter_ids passwd)' -d 'set uid in entered namespace (drops supplementary groups)'
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok G" -s G -l setgid -x -a '(__nsbox_nsenter_ids group)' -d 'set gid in entered namespace'
complete -c nsenter -n $opt -l preserve-credentials -d 'do not touch uids or gids'
complete -c nsenter -n $opt -l keep-caps -d 'retain capabilities granted in user namespaces'
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok r" -s r -d 'set the root directory [the target\'s, or DIR attached]'
complete -c nsenter -n $opt -l root -a '(__fish_complete_directories)' -d 'set the root directory [=DIR]'
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok w" -s w -d 'set the working directory [the target\'s, or DIR attached]'
complete -c nsenter -n $opt -l wd -a '(__fish_complete_directories)' -d 'set the working directory [=DIR]'
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok W" -s W -l wdns -x -a '(__nsbox_nsenter_wdns)' -d 'set the working directory in namespace'
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok e" -s e -l env -d 'inherit environment variables from target process'
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok F" -s F -l no-fork -d "do not fork before exec'ing PROGRAM"
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok c" -s c -l join-cgroup -d 'join the cgroup of the target process'
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok Z" -s Z -l follow-context -d 'set SELinux context according to --target PID'
complete -c nsenter -n $opt -l caps -x -a 'target inherit' -d "take the target's capability sets"
complete -c nsenter -n $opt -l seccomp -x -a 'target inherit' -d "take the target's seccomp filters"
complete -c nsenter -n $opt -l no-new-privs -d 'set no_new_privs for the program'
complete -c nsenter -n $opt -l pty -d 'run the program on a new pseudo-terminal'
complete -c nsenter -n $opt -l as-target -d 'enter as the target runs (-a -c -r -w -e, ids, caps, seccomp)'
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok h" -s h -l help -d 'display this help'
complete -c nsenter -n "$opt; and __nsbox_nsenter_short_ok V" -s V -l version -d 'display version'

# A value attached to a short option, completed as a whole token.
complete -c nsenter -n $opt -a '(__nsbox_nsenter_attached)'

# PROGRAM, then its arguments.
complete -c nsenter -n '__nsbox_nsenter_program >/dev/null' -a '(__nsbox_nsenter_command)'

# fish completion for unshare (an applet of nsbox)
# This file is part of nsbox (make install and make uninstall look for this line).
#
# unshare [OPTION...] [PROGRAM [ARGUMENT...]]
#
# The namespace options take an optional FILE only in the attached long form
# (--uts=FILE); their short forms (-u) are plain flags that may be bundled.

# Succeeds when the long option TOKEN (less any =VALUE), or the only option it
# abbreviates, takes the next token as its value. nsbox's own options are
# abbreviated only by what abbreviates none of util-linux's (--h is --help).
function __nsbox_unshare_needs_value
    set -l word (string split -m 1 = -- $argv[1])[1]
    set -l with_value --load-interp --propagation --root --wd --setuid --setgid \
        --map-user --map-group --map-users --map-groups --owner --setgroups \
        --monotonic --boottime --whitelist-env
    set -l without --mount --uts --ipc --net --pid --user --cgroup --time \
        --mount-proc --mount-binfmt --map-root-user --map-current-user --map-auto \
        --map-subids --fork --kill-child --forward-signals --keep-caps --clear-env \
        --help --version
    set -l own_with_value --hostname --pidfile
    set -l own_without --loopback --keep-pidfile
    # An exact name wins (--map-user is also a prefix of --map-users).
    contains -- $word $with_value $own_with_value; and return 0
    contains -- $word $without $own_without; and return 1
    set -l matches (string match -- "$word*" $with_value $without)
    if test (count $matches) -eq 0
        set matches (string match -- "$word*" $own_with_value $own_without)
    end
    test (count $matches) -eq 1; and contains -- $matches[1] $with_value $own_with_value
end

# Print the position of PROGRAM on the command line, counting the token being
# completed: options end at the first operand or after "--", as in getopt.
# Fail when the current token is an option or an option's value.
function __nsbox_unshare_program
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
                __nsbox_unshare_needs_value $token; and set takes_value 1
            case '-?*'
                # A bundle of short flags; of those with a value (l R w S G),
                # the first takes the rest of the token, or the next token.
                set -l letters (string sub -s 2 -- $token | string split '')
                for j in (seq (count $letters))
                    if contains -- $letters[$j] l R w S G
                        test $j -eq (count $letters); and set takes_value 1
                        break
                    end
                end
            case '*'
                echo $i
                return 0
        end
    end
    return 1
end

# The words from PROGRAM on form a command line of their own: complete that.
function __nsbox_unshare_command
    set -l program (__nsbox_unshare_program); or return
    set -l tokens (commandline -opc)
    set -l rest (string escape -- $tokens[$program..-1]) (commandline -ct)
    complete -C "$rest"
end

# Signal names, with and without SIG: what --kill-child accepts (besides
# numbers, RTN, RTMIN+N and RTMAX-N).
function __nsbox_unshare_signals
    for name in HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM \
            TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF \
            WINCH IO PWR SYS RTMIN RTMAX
        echo $name
        echo SIG$name
    end
end

complete -c unshare -f
set -l opt 'not __nsbox_unshare_program >/dev/null'

# Each namespace option in two forms: the short flag, and the long option
# whose attached =FILE keeps the namespace by bind mount.
complete -c unshare -n $opt -s m -d 'unshare mounts namespace'
complete -c unshare -n $opt -l mount -F -d 'unshare mounts namespace [=FILE to keep it in]'
complete -c unshare -n $opt -s u -d 'unshare UTS namespace (hostname etc)'
complete -c unshare -n $opt -l uts -F -d 'unshare UTS namespace [=FILE to keep it in]'
complete -c unshare -n $opt -s i -d 'unshare System V IPC namespace'
complete -c unshare -n $opt -l ipc -F -d 'unshare System V IPC namespace [=FILE to keep it in]'
complete -c unshare -n $opt -s n -d 'unshare network namespace'
complete -c unshare -n $opt -l net -F -d 'unshare network namespace [=FILE to keep it in]'
complete -c unshare -n $opt -s p -d 'unshare pid namespace'
complete -c unshare -n $opt -l pid -F -d 'unshare pid namespace [=FILE to keep it in, with --fork]'
complete -c unshare -n $opt -s U -d 'unshare user namespace'
complete -c unshare -n $opt -l user -F -d 'unshare user namespace [=FILE to keep it in]'
complete -c unshare -n $opt -s C -d 'unshare cgroup namespace'
complete -c unshare -n $opt -l cgroup -F -d 'unshare cgroup namespace [=FILE to keep it in]'
complete -c unshare -n $opt -s T -d 'unshare time namespace'
complete -c unshare -n $opt -l time -F -d 'unshare time namespace [=FILE to keep it in]'

complete -c unshare -n $opt -l mount-proc -a '(__fish_complete_directories)' -d 'mount proc filesystem first (implies --mount)'
complete -c unshare -n $opt -l mount-binfmt -a '(__fish_complete_directories)' -d 'mount binfmt filesystem first (implies --user and --mount)'
complete -c unshare -n $opt -s l -l load-interp -x -d 'load binfmt definition in the namespace (implies --mount-binfmt)'
complete -c unshare -n $opt -l propagation -x -a 'slave shared private unchanged' -d 'modify mount propagation in mount namespace'
complete -c unshare -n $opt -s R -l root -x -a '(__fish_complete_directories)' -d 'run the command with root directory set to DIR'
complete -c unshare -n $opt -s w -l wd -x -a '(__fish_complete_directories)' -d 'change working directory to DIR'
complete -c unshare -n $opt -s S -l setuid -x -d 'set uid in entered namespace (drops supplementary groups)'
complete -c unshare -n $opt -s G -l setgid -x -d 'set gid in entered namespace'
complete -c unshare -n $opt -l map-user -x -a '(__fish_complete_users)' -d 'map current user to uid (implies --user)'
complete -c unshare -n $opt -l map-group -x -a '(__fish_complete_groups)' -d 'map current group to gid (implies --user)'
complete -c unshare -n $opt -s r -l map-root-user -d 'map current user to root (implies --user)'
complete -c unshare -n $opt -s c -l map-current-user -d 'map current user to itself (implies --user)'
complete -c unshare -n $opt -l map-auto -d 'map users and groups automatically (implies --user)'
complete -c unshare -n $opt -l map-subids -d 'map the first block of user IDs owned by euid (implies --user)'
complete -c unshare -n $opt -l map-users -x -a 'auto subids all' -d 'map count users from outeruid to inneruid (implies --user)'
complete -c unshare -n $opt -l map-groups -x -a 'auto subids all' -d 'map count groups from outergid to innergid (implies --user)'
complete -c unshare -n $opt -l owner -x -d 'set the user namespace owner (implies --user)'
complete -c unshare -n $opt -s f -l fork -d 'fork before launching PROGRAM'
complete -c unshare -n $opt -l kill-child -a '(__nsbox_unshare_signals)' -d 'when dying, kill the forked child (implies --fork)'
complete -c unshare -n $opt -l forward-signals -d 'forward SIGTERM and SIGINT to child (implies --fork)'
complete -c unshare -n $opt -l setgroups -x -a 'allow deny' -d 'control the setgroups syscall in user namespaces'
complete -c unshare -n $opt -l keep-caps -d 'retain capabilities granted in user namespaces'
complete -c unshare -n $opt -l monotonic -x -d 'set clock monotonic offset (seconds) in time namespaces'
complete -c unshare -n $opt -l boottime -x -d 'set clock boottime offset (seconds) in time namespaces'
complete -c unshare -n $opt -l clear-env -d 'do not inherit environment variables from the calling process'
complete -c unshare -n $opt -l whitelist-env -x -a '(__fish_complete_list , "set -xn")' -d 'clear environment except for specified variables'
complete -c unshare -n $opt -l hostname -x -d 'set the hostname in the new UTS namespace (needs --uts)'
complete -c unshare -n $opt -l loopback -d 'bring up the loopback interface in the new network namespace (needs --net)'
complete -c unshare -n $opt -l pidfile -r -F -d 'write the PID of the forked child to FILE (needs --fork)'
complete -c unshare -n $opt -l keep-pidfile -d 'leave the pidfile behind when unshare exits'
complete -c unshare -n $opt -s h -l help -d 'display this help'
complete -c unshare -n $opt -s V -l version -d 'display version'

# PROGRAM, then its arguments.
complete -c unshare -n '__nsbox_unshare_program >/dev/null' -a '(__nsbox_unshare_command)'

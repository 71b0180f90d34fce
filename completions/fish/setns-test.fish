# fish completion for setns-test (an applet of nsbox)
# This file is part of nsbox (make install and make uninstall look for this line).
#
# setns-test [--type TYPE] NSFILE [PROGRAM [ARGUMENT...]]

# Print the position of NSFILE among the finished words of the command line,
# or fail when it is not there yet. As in getopt, options end at the first
# operand or after "--".
function __nsbox_setns_test_nsfile
    set -l tokens (commandline -opc)
    set -l takes_value 0
    set -l options_ended 0
    for i in (seq 2 (count $tokens))
        if test $takes_value -eq 1
            set takes_value 0
            continue
        end
        if test $options_ended -eq 1
            echo $i
            return 0
        end
        switch $tokens[$i]
            case --
                set options_ended 1
            case --t --ty --typ --type
                set takes_value 1
            case '-*'
            case '*'
                echo $i
                return 0
        end
    end
    return 1
end

# The words after NSFILE form a command line of their own: complete that.
function __nsbox_setns_test_program
    set -l nsfile (__nsbox_setns_test_nsfile); or return
    set -l tokens (commandline -opc)
    set -l rest (string escape -- $tokens[(math $nsfile + 1)..-1]) (commandline -ct)
    complete -C "$rest"
end

set -l before 'not __nsbox_setns_test_nsfile >/dev/null'
complete -c setns-test -n $before -l type -x -a 'mnt uts ipc net pid user cgroup time' -d 'require NSFILE to be of this kind'
complete -c setns-test -n $before -s h -l help -d 'display this help'
complete -c setns-test -n $before -s V -l version -d 'display version'
# NSFILE itself, /proc/PID/ns/KIND or a bind mount of one: fish's default file completion.
complete -c setns-test -n '__nsbox_setns_test_nsfile >/dev/null' -f -a '(__nsbox_setns_test_program)'

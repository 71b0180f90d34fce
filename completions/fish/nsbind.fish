# fish completion for nsbind (an applet of nsbox)
# This file is part of nsbox (make install and make uninstall look for this line).
#
# nsbind [--type TYPE] NSFILE TARGET
# nsbind -t PID TYPE TARGET
# nsbind -t PID --all DIR
# nsbind --private DIR
# nsbind --unbind [--keep] TARGET...
# nsbind --list [--json]
#
# As in getopt, options end at the first operand or after "--". Only -t and
# --type take a value, the next token or attached (-t27514, --type=net).

# The long option that TOKEN (less any =VALUE) names: itself, or the only one
# it abbreviates ("--t" could be --target or --type).
function __nsbox_nsbind_long
    set -l word (string split -m 1 = -- $argv[1])[1]
    set -l all --target --type --all --private --unbind --keep --list --json --help --version
    if contains -- $word $all
        echo $word
        return 0
    end
    set -l matches (string match -- "$word*" $all)
    test (count $matches) -eq 1; and echo $matches[1]
end

# Print which form the command line is (list, unbind, all, private, target
# or file)
# and how many operands come before the current token. Fail while the
# current token is an option or the value of one.
function __nsbox_nsbind_form
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l value 0
    set -l ended 0
    set -l operands 0
    set -l target 0
    set -l all 0
    set -l private 0
    set -l unbind 0
    set -l list 0
    for token in $tokens[2..-1]
        if test $value -eq 1
            set value 0
            continue
        end
        if test $ended -eq 0
            switch $token
                case --
                    set ended 1
                    continue
                case '--*'
                    set -l long (__nsbox_nsbind_long $token)
                    switch "$long"
                        case --target
                            set target 1
                        case --all
                            set all 1
                        case --private
                            set private 1
                        case --unbind
                            set unbind 1
                        case --list --json
                            set list 1
                    end
                    if contains -- "$long" --target --type; and not string match -q -- '*=*' $token
                        set value 1
                    end
                    continue
                case '-?*'
                    # A bundle of flags (-uk), perhaps ending in -t and its
                    # value, attached or the next token.
                    set -l letters (string sub -s 2 -- $token | string split '')
                    for j in (seq (count $letters))
                        switch $letters[$j]
                            case a
                                set all 1
                            case u
                                set unbind 1
                            case l J
                                set list 1
                            case t
                                set target 1
                                test $j -eq (count $letters); and set value 1
                                break
                        end
                    end
                    continue
                case '*'
                    set ended 1
            end
        end
        set operands (math $operands + 1)
    end
    test $value -eq 1; and return 1
    test $ended -eq 0; and string match -q -- '-*' $current; and return 1
    if test $list -eq 1
        echo list $operands
    else if test $unbind -eq 1
        echo unbind $operands
    else if test $all -eq 1
        echo all $operands
    else if test $private -eq 1
        echo private $operands
    else if test $target -eq 1
        echo target $operands
    else
        echo file $operands
    end
end

# Succeeds when the current token is operand number N (from 0) of FORM; N
# may be "any".
function __nsbox_nsbind_operand
    set -l found (string split ' ' -- (__nsbox_nsbind_form)); or return 1
    test "$found[1]" = $argv[1]; or return 1
    test $argv[2] = any; or test "$found[2]" = $argv[2]
end

# Succeeds while options may still come: no operand and no "--" yet.
function __nsbox_nsbind_options
    set -l tokens (commandline -opc)
    set -l value 0
    for token in $tokens[2..-1]
        if test $value -eq 1
            set value 0
            continue
        end
        switch $token
            case --
                return 1
            case '--*'
                set -l long (__nsbox_nsbind_long $token)
                if contains -- "$long" --target --type; and not string match -q -- '*=*' $token
                    set value 1
                end
            case '-?*'
                string match -qr -- '^-[^t]*t$' $token; and set value 1
            case '*'
                return 1
        end
    end
end

# The namespace files bound in this mount namespace: the mount points (field
# 5) of the nsfs mounts in /proc/self/mountinfo, with the kernel's octal
# escapes undone (\134, a backslash, last). They are offered in the form the
# token is typed in: absolute, under ~/, or relative to the working
# directory.
function __nsbox_nsbind_bound
    set -l token (commandline -ct)
    set -l base
    set -l shown
    switch $token
        case '~' '~/*'
            set base $HOME/
            set shown '~/'
        case '' '/*'
        case './*'
            set base $PWD/
            set shown ./
        case '*'
            set base $PWD/
    end
    while read -l line
        # ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE ...
        set -l rest (string split -m 1 ' - ' -- $line)[2]
        test (string split -f 1 ' ' -- $rest) = nsfs; or continue
        set -l point (string split -f 5 ' ' -- $line | string replace -a '\\040' ' ' \
            | string replace -a '\\011' \t | string replace -a '\\012' \n \
            | string replace -a '\\134' '\\' | string collect)
        set -l head (string sub -l (string length -- "$base") -- $point)
        test "$head" = "$base"; or continue
        printf '%s%s\n' "$shown" (string sub -s (math (string length -- "$base") + 1) -- $point)
    end </proc/self/mountinfo
end

complete -c nsbind -f
set -l opt __nsbox_nsbind_options

complete -c nsbind -n $opt -s t -l target -x -a '(__fish_complete_pids)' -d 'bind namespaces of this process (TYPE TARGET, or --all DIR)'
complete -c nsbind -n $opt -l type -x -a 'mnt uts ipc net pid user cgroup time' -d 'require NSFILE to be of this kind'
complete -c nsbind -n $opt -s a -l all -d 'bind every namespace of --target into DIR, as DIR/mnt, DIR/uts, ...'
complete -c nsbind -n $opt -l private -d 'make DIR a private mount of its own, so that mount namespaces can be bound in it'
complete -c nsbind -n $opt -s u -l unbind -d 'release each TARGET: unmount it and remove the file'
complete -c nsbind -n $opt -s k -l keep -d 'with --unbind, leave the files in place'
complete -c nsbind -n $opt -s l -l list -d 'list the namespaces bound here, and what else holds them'
complete -c nsbind -n $opt -s J -l json -d 'list in JSON (implies --list)'
complete -c nsbind -n $opt -s h -l help -d 'display this help'
complete -c nsbind -n $opt -s V -l version -d 'display version'

# The operands of each form.
complete -c nsbind -n '__nsbox_nsbind_operand file 0' -F -d 'namespace file (/proc/PID/ns/TYPE)'
complete -c nsbind -n '__nsbox_nsbind_operand file 1' -F -d 'file to bind the namespace onto'
complete -c nsbind -n '__nsbox_nsbind_operand target 0' -x -a 'mnt uts ipc net pid user cgroup time pid_for_children time_for_children' -d 'namespace type'
complete -c nsbind -n '__nsbox_nsbind_operand target 1' -F -d 'file to bind the namespace onto'
complete -c nsbind -n '__nsbox_nsbind_operand all 0' -x -a '(__fish_complete_directories)' -d 'directory for every namespace'
complete -c nsbind -n '__nsbox_nsbind_operand private 0' -x -a '(__fish_complete_directories)' -d 'directory to make a private mount'
complete -c nsbind -n '__nsbox_nsbind_operand unbind any' -x -a '(__nsbox_nsbind_bound)' -d 'bound namespace file'

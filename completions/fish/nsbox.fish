# fish completion for nsbox, the multi-call namespace toolkit
# This file is part of nsbox (make install and make uninstall look for this line).
#
# nsbox APPLET [ARG...] | --list | --install [-s] DIR | --help | --version

# Nothing typed yet after "nsbox".
function __nsbox_first_word
    test (count (commandline -opc)) -eq 1
end

# The first word after "nsbox" is one of these.
function __nsbox_after
    set -l tokens (commandline -opc)
    set -q tokens[2]; and contains -- $tokens[2] $argv
end

complete -c nsbox -f
complete -c nsbox -n __nsbox_first_word -l list -d 'print the applet names, one a line'
complete -c nsbox -n __nsbox_first_word -l install -d 'link every applet into a directory'
complete -c nsbox -n __nsbox_first_word -s h -l help -d 'display this help'
complete -c nsbox -n __nsbox_first_word -s V -l version -d 'display version'

complete -c nsbox -n __nsbox_first_word -a nsbind -d 'persist namespaces by bind mount, list and release them'
complete -c nsbox -n __nsbox_first_word -a nsenter -d 'run a program in the namespaces of another process'
complete -c nsbox -n __nsbox_first_word -a setns-test -d 'join one namespace file and run a program'
complete -c nsbox -n __nsbox_first_word -a unshare -d 'run a program in new namespaces'

# --install [-s] DIR
complete -c nsbox -n '__nsbox_after --install' -s s -d 'make symbolic links instead of hard links'
complete -c nsbox -n '__nsbox_after --install' -a '(__fish_complete_directories)'

# nsbox APPLET ARG...: complete exactly as for APPLET.
complete -c nsbox -n '__nsbox_after nsbind nsenter setns-test unshare' -a '(__fish_complete_subcommand)'

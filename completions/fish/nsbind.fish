# fish completion for nsbind (an applet of nsbox)
#
# The applet is under construction: it accepts only --help and --version.

complete -c nsbind -f
complete -c nsbind -s h -l help -d 'display this help'
complete -c nsbind -s V -l version -d 'display version'

# fish completion for nsenter (an applet of nsbox)
#
# The applet is under construction: it accepts only --help and --version.

complete -c nsenter -f
complete -c nsenter -s h -l help -d 'display this help'
complete -c nsenter -s V -l version -d 'display version'

# fish completion for unshare (an applet of nsbox)
#
# The applet is under construction: it accepts only --help and --version.

complete -c unshare -f
complete -c unshare -s h -l help -d 'display this help'
complete -c unshare -s V -l version -d 'display version'

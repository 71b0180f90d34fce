# zsh -f tests/zsh-complete.zsh FPATH LINE
#
# Completes LINE, the cursor at its end, as an interactive zsh would with
# the completion functions in FPATH first, and prints each candidate it
# offers as "TAG<tab>WORD", one a line. For tests/zsh_completion.rs.
#
# Completion runs only inside the line editor, so the editor runs on a
# pseudo-terminal (zsh/zpty), in vared; a wrapper around compadd records
# what each call adds, and a key bound to a completion widget starts it.
zmodload zsh/zpty || exit 1
_zc_fpath=$1 _zc_line=$2
_zc_out=$(mktemp) || exit 1
trap 'rm -f $_zc_out' EXIT

editor() {
  fpath=($_zc_fpath $fpath)
  autoload -Uz compinit && compinit -u -D
  # Decoys that are no commands: a shell function and an alias.
  nsbox-test-function() { :; }
  alias nsbox-test-alias=:
  # Calls with -O, -A or -D (before the words, which "-" or "--" may
  # introduce) only compute matches; the others add them.
  compadd() {
    local _zc_arg
    local -a _zc_found
    for _zc_arg in "$@"; do
      [[ $_zc_arg == (-|--) ]] && break
      [[ $_zc_arg == -[OAD]* ]] && { builtin compadd "$@"; return }
    done
    builtin compadd -O _zc_found "$@"
    (( $#_zc_found )) && print -rl -- "${(@)_zc_found/#/$curtag	}" >> $_zc_out
    builtin compadd "$@"
  }
  # vared completes a value; without compstate[vared], a command line.
  _complete_line() {
    unset 'compstate[vared]'
    _main_complete "$@"
    print -r -- '<done>' >> $_zc_out
  }
  zle -C complete-line complete-word _complete_line
  bindkey '^X' complete-line
  stty rows 100 cols 200
  vared -c buffer
}

zpty editor editor
zpty -w -n editor "$_zc_line"$'\C-x'
for _ in {1..400}; do
  [[ $(<$_zc_out) == *'<done>' ]] && break
  sleep 0.05
done
zpty -d editor
if [[ $(<$_zc_out) != *'<done>' ]]; then
  print -u2 "zsh-complete: no completion for: $_zc_line"
  exit 1
fi
print -rn -- "${$(<$_zc_out)%'<done>'}"

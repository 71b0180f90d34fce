# bash tests/readme-example.bash FILE [transcript]
#
# Runs FILE, the lines of one of the README's examples, for tests/readme.rs,
# as a user typing them into bash would:
# - before the first command of each line, prints a marker, the byte 0x1e
#   and the line's number in FILE on a line of their own, so that the test
#   can tell what each line printed;
# - when a command was started in the background (`... &`) since the last
#   line, first waits until it has started its program, as it would have
#   while the user typed the next line;
# - stops at the first line that fails, naming it: where a command fails
#   (set -e), and also where a line's last command failed that set -e lets
#   pass (`a && b` when a fails). Not so for a transcript, whose commands may
#   fail as the README shows them failing; there stderr goes where stdout
#   goes, as on a terminal.
set -T -o pipefail
__readme_file=$1
__readme_mode=${2:-run}
__readme_line=
__readme_job=

# Whether every process at the leaves of the tree below $1 runs its program:
# is no longer the shell that forked it, or an applet still setting up.
__readme_started() {
    local kids kid
    kids=$(cat /proc/"$1"/task/*/children 2>/dev/null)
    if [[ -z $kids ]]; then
        case $(cat /proc/"$1"/comm 2>/dev/null) in
        bash | nsbox | unshare | nsenter | setns-test | nsbind) return 1 ;;
        esac
        return 0
    fi
    for kid in $kids; do
        __readme_started "$kid" || return 1
    done
}

# The DEBUG trap, given the status of the command before and the line of
# the next: only for the example's own commands, not for those of a function
# it calls or of a command substitution (whose output would get the marker).
__readme_before() {
    ((BASH_SUBSHELL == 0 && ${#BASH_SOURCE[@]} == 3)) || return 0
    [[ ${BASH_SOURCE[1]} == "$__readme_file" ]] || return 0
    if [[ $__readme_mode == run && -n $__readme_line && $2 != "$__readme_line" && $1 != 0 ]]; then
        echo "readme-example: line $__readme_line failed with status $1" >&2
        exit "$1"
    fi
    if [[ -n $! && $! != "$__readme_job" ]]; then
        __readme_job=$!
        local tries=0
        until __readme_started "$__readme_job"; do
            if ((++tries > 1000)); then
                echo "readme-example: the background job $__readme_job never started its program" >&2
                exit 98
            fi
            sleep 0.01
        done
    fi
    if [[ $2 != "$__readme_line" ]]; then
        __readme_line=$2
        printf '\036%s\n' "$2"
    fi
    return 0
}

if [[ $__readme_mode == transcript ]]; then
    exec 2>&1
else
    set -eE
    trap 'echo "readme-example: line $LINENO failed with status $?: $BASH_COMMAND" >&2' ERR
fi
trap '__readme_before $? $LINENO' DEBUG
# shellcheck source=/dev/null
source "$__readme_file"

# bash completion for tcpscope(1): subcommands, options, interface names,
# file names and option values. Installed as
# share/bash-completion/completions/tcpscope.

_tcpscope_interfaces() {
    local names
    names=$(tcpscope -D 2>/dev/null | sed -n 's/^[0-9]*\.\([^ ]*\).*/\1/p')
    [[ -z $names && -d /sys/class/net ]] && names=$(command ls /sys/class/net 2>/dev/null)
    printf '%s\n' $names any
}

_tcpscope_scenarios() {
    tcpscope lab --list 2>/dev/null | awk 'NF { print $1 }'
}

_tcpscope() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local subcommands="print conns"
    local print_opts="-A -B -c -D -e -F -h -i -K -l -n -nn -p -q -r -s -S -t -tt -ttt -tttt -ttttt -U -v -vv -vvv
        -w -x -xx -X -XX -Z -# --buffer-size --list-interfaces --help --interface --dont-verify-checksums
        --no-promiscuous-mode --snapshot-length --relinquish-privileges --number --version
        --time-stamp-precision --immediate-mode --nano --micro --print --skip --quiet"
    local conns_opts="-r -i --format --max-conns --validate-checksums --stats --quiet --help -h"

    # The subcommand is the first word if it names one; otherwise print.
    local command=print
    if ((cword > 1)) && [[ " $subcommands " == *" ${words[1]} "* ]]; then
        command=${words[1]}
    fi

    case $prev in
        -r | -w | -F | --read | --output | -o)
            COMPREPLY=($(compgen -f -- "$cur"))
            compopt -o filenames 2>/dev/null
            return
            ;;
        -i | --interface)
            COMPREPLY=($(compgen -W "$(_tcpscope_interfaces)" -- "$cur"))
            return
            ;;
        -Z | --relinquish-privileges)
            COMPREPLY=($(compgen -u -- "$cur"))
            return
            ;;
        --time-stamp-precision)
            COMPREPLY=($(compgen -W "micro nano" -- "$cur"))
            return
            ;;
        --format)
            case $command in
                conns) COMPREPLY=($(compgen -W "table json ndjson zeek" -- "$cur")) ;;
            esac
            return
            ;;
        -c | -s | -B | --skip | --max-conns | --buffer-size | --snapshot-length)
            return
            ;;
    esac

    if ((cword == 1)) && [[ $cur != -* ]]; then
        COMPREPLY=($(compgen -W "$subcommands" -- "$cur"))
        return
    fi
    if [[ $cur == -* ]]; then
        local opts
        case $command in
            print) opts=$print_opts ;;
            conns) opts=$conns_opts ;;
        esac
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
}

complete -F _tcpscope tcpscope

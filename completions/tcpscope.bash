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
    tcpscope lab --list 2>/dev/null | sed -n 's/^  \([^ ]*\).*/\1/p'
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

    local subcommands="print conns explain diagram lab server client"
    local print_opts="-A -B -c -d -dd -ddd -D -e -F -h -i -K -l -n -nn -N -O -p -Q -q -r -s -S -t -tt -ttt -tttt
        -ttttt -U -v -vv -vvv -w -x -xx -X -XX -Z -# --buffer-size --list-interfaces --help --interface
        --dont-verify-checksums --no-promiscuous-mode --snapshot-length --relinquish-privileges --number
        --version --time-stamp-precision --immediate-mode --nano --micro --print --skip --no-optimize
        --direction --quiet"
    local conns_opts="-r -i --format --max-conns --validate-checksums --stats --quiet -Z --relinquish-privileges
        --help -h"
    local source_opts="-r --read -i --interface -c --count --skip -s --snapshot-length -B --buffer-size
        -p --no-promiscuous-mode --immediate-mode -Z --relinquish-privileges --quiet --help -h"
    local explain_opts="$source_opts --conn --lang --color --format --compact --relative"
    local diagram_opts="$source_opts --format -o --output --conn --relative --color"
    local lab_opts="-w --lang --list --cleanup -q --quiet --help -h"
    local server_opts="--bind --port --reply --hold --close --count --help -h"
    local client_opts="--port --message --close --timeout --help -h"

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
        -Q | --direction)
            COMPREPLY=($(compgen -W "in out inout" -- "$cur"))
            return
            ;;
        --format)
            case $command in
                conns) COMPREPLY=($(compgen -W "table json ndjson zeek" -- "$cur")) ;;
                explain) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
                diagram) COMPREPLY=($(compgen -W "text svg html mermaid json" -- "$cur")) ;;
            esac
            return
            ;;
        --lang)
            COMPREPLY=($(compgen -W "en zh" -- "$cur"))
            return
            ;;
        --color)
            COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
            return
            ;;
        --close)
            COMPREPLY=($(compgen -W "normal abort shutdown" -- "$cur"))
            return
            ;;
        -c | -s | -B | --skip | --max-conns | --buffer-size | --snapshot-length | --count | --conn | --port | \
            --bind | --reply | --hold | --message | --timeout)
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
            explain) opts=$explain_opts ;;
            diagram) opts=$diagram_opts ;;
            lab) opts=$lab_opts ;;
            server) opts=$server_opts ;;
            client) opts=$client_opts ;;
        esac
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    case $command in
        lab) COMPREPLY=($(compgen -W "$(_tcpscope_scenarios)" -- "$cur")) ;;
        client) COMPREPLY=($(compgen -A hostname -- "$cur")) ;;
    esac
}

complete -F _tcpscope tcpscope

# fish completion for swdbackup, as the bash one: commands and options come from the
# program's own --help, profile names from 'swdbackup profiles list' and probe serials from
# 'swdbackup probes' when the installed version has that command; whatever fails completes
# nothing.

function __swdbackup_exe
    set -l tokens (commandline -opc)
    echo $tokens[1]
end

function __swdbackup_commands
    set -l exe (__swdbackup_exe)
    $exe --help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'
end

# The command on the line so far (nothing before one is typed: backup is the default).
function __swdbackup_command
    set -l cmds (__swdbackup_commands)
    for t in (commandline -opc)[2..-1]
        if contains -- $t $cmds
            echo $t
            return 0
        end
    end
    return 1
end

# Is the word before the cursor one of argv?
function __swdbackup_after
    set -l tokens (commandline -opc)
    contains -- $tokens[-1] $argv
end

function __swdbackup_options
    set -l exe (__swdbackup_exe)
    set -l cmd (__swdbackup_command); or set cmd backup
    $exe help $cmd 2>/dev/null | grep -oE -- '(^|[ ,])--?[A-Za-z][A-Za-z-]*' | tr -d ' ,' | sort -u
end

function __swdbackup_profiles
    set -l exe (__swdbackup_exe)
    $exe profiles list 2>/dev/null | awk '/^[^ \t]/ { print $1 }'
end

function __swdbackup_probes
    set -l exe (__swdbackup_exe)
    printf '%s\n' sim sim: stlink-tcp:
    if contains -- probes (__swdbackup_commands)
        $exe probes 2>/dev/null | awk '$1 ~ /^[[:alnum:]]{6,}$/ { print $1 }'
    end
end

set -l values --profile --probe --interface --openocd -o --output --speed --address

complete -c swdbackup -f
complete -c swdbackup -n "not __swdbackup_command; and not __swdbackup_after $values" -a '(__swdbackup_commands)'
complete -c swdbackup -n "string match -q -- '-*' (commandline -ct); and not __swdbackup_after $values" -a '(__swdbackup_options)'
complete -c swdbackup -n '__swdbackup_after --profile' -a '(__swdbackup_profiles)'
complete -c swdbackup -n '__swdbackup_after --profile' -F
complete -c swdbackup -n '__swdbackup_after --probe' -a '(__swdbackup_probes)'
complete -c swdbackup -n '__swdbackup_after --interface' -a 'stlink cmsis-dap jlink'
complete -c swdbackup -n '__swdbackup_after --openocd' -F
complete -c swdbackup -n '__swdbackup_after -o --output' -a '(__fish_complete_directories)'
complete -c swdbackup -n "__swdbackup_command; and not __swdbackup_after $values" -F

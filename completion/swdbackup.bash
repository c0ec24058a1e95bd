# bash completion for swdbackup. Commands and options come from the program's own --help,
# profile names from 'swdbackup profiles list' and probe serials from 'swdbackup probes'
# when the installed version has that command; whatever fails completes nothing.

_swdbackup_commands()
{
	"$1" --help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'
}

_swdbackup()
{
	local cur prev words cword
	_init_completion || return

	local exe=${words[0]} cmds cmd="" i
	cmds=$(_swdbackup_commands "$exe")
	for ((i = 1; i < cword; i++)); do
		if [[ " $cmds " == *" ${words[i]} "* ]]; then
			cmd=${words[i]}
			break
		fi
	done

	case $prev in
	--profile)
		COMPREPLY=($(compgen -W "$("$exe" profiles list 2>/dev/null | awk '/^[^ \t]/ { print $1 }')" -- "$cur"))
		_filedir json
		return
		;;
	--probe)
		local serials=""
		[[ " $cmds " == *" probes "* ]] &&
			serials=$("$exe" probes 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i ~ /^[0-9a-f]{4}:[0-9a-f]{4}$/) { if ($(i + 1) != "-") print $(i + 1); break } }')
		COMPREPLY=($(compgen -W "all sim sim: stlink-tcp: $serials" -- "$cur"))
		[[ ${COMPREPLY-} == *: ]] && compopt -o nospace
		return
		;;
	--interface)
		COMPREPLY=($(compgen -W "stlink cmsis-dap jlink" -- "$cur"))
		return
		;;
	--openocd)
		_filedir
		return
		;;
	-o | --output)
		_filedir -d
		return
		;;
	--junit)
		_filedir xml
		return
		;;
	--speed | --address)
		return
		;;
	esac

	if [[ $cur == -* ]]; then
		local help
		if [[ -n $cmd ]]; then
			help=$("$exe" help "$cmd" 2>/dev/null)
		else
			help=$("$exe" help backup 2>/dev/null)
		fi
		COMPREPLY=($(compgen -W "$(grep -oE -- '(^|[ ,])--?[A-Za-z][A-Za-z-]*' <<<"$help" | tr -d ' ,' | sort -u)" -- "$cur"))
		return
	fi
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
		return
	fi
	_filedir
}
complete -F _swdbackup swdbackup

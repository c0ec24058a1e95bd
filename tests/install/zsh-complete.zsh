# Stand-ins for zsh's completion builtins, to run completion/_swdbackup outside an interactive
# shell: complete_line "swdbackup re" prints what would be offered for the last word.
compadd() {
	local -a out
	local arr=0 suffix=""
	while (( $# )); do
		case $1 in
		-a) arr=1 ;;
		-S) suffix=$2; shift ;;
		-) ;;
		*) if (( arr )); then out+=(${(P)1}); else out+=($1); fi ;;
		esac
		shift
	done
	print -l -- ${(M)out:#${PREFIX}*}
}
_files() { print -- "(files:${(j.,.)@})" }
complete_line() {
	words=(${=1})
	[[ $1 == *" " ]] && words+=("")
	CURRENT=${#words}
	PREFIX=${words[CURRENT]}
	source $COMP | sort | tr '\n' ' '
	print
}

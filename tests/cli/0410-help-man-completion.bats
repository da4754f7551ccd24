#!/usr/bin/env bats
# Help, the man page and shell completion are generated from the command
# and settings tables: every command and every option that --help shows
# appears in the man page and in both completion scripts; help and the
# man page describe retort in one text; help is whole sentences within 100
# columns; the bash script really completes commands, options and revision
# ids; the zsh script parses; the man page formats without warnings.

load helpers

# commands as `retort --help` lists them
listed_commands() {
	rt --help | awk '/^commands:/ {f = 1; next} f && /^  [a-z]/ {print $1} f && /^$/ {exit}'
}

# has_word TEXT WORD: WORD stands alone in TEXT (between blanks, quotes or '(' / '|')
has_word() {
	[[ " $1 " =~ [[:space:]\"\'(|{,*]"$2"[[:space:]\"\')|}\[,] ]]
}

# option spellings in the label column of a help text: -x and --long
option_words() {
	grep -E '^  -' | cut -c1-30 | grep -oE '(^|[ ,])--?[a-z][a-z-]*' | sed 's/^[ ,]*//' |
		grep -vx -- '-h\|--help' | sort -u
}

@test "help: commands listed with whole one-line sentences, nothing over 100 columns" {
	run rt --help
	[ "$status" -eq 0 ]
	while IFS= read -r line; do
		[ "${#line}" -le 100 ] || { echo "too long: $line"; return 1; }
	done <<<"$output"
	n=0
	for c in $(listed_commands); do
		n=$((n + 1))
		brief=$(rt --help | awk -v c="$c" '$1 == c {sub(/^  [a-z]+ +/, ""); print}')
		[[ "$brief" == *. ]] || { echo "$c: cut or unfinished: $brief"; return 1; }
		run rt "$c" --help
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "usage: retort $c"* ]]
		while IFS= read -r line; do
			[ "${#line}" -le 100 ] || { echo "$c: too long: $line"; return 1; }
		done <<<"$output"
	done
	[ "$n" -ge 20 ]
}

@test "help and the man page describe retort in the same words, naming every database it drives" {
	local help man
	# --help: the paragraph after the usage line, its wrapped lines joined
	help=$(rt --help | awk 'NR > 2 && /^$/ {exit} NR > 2' | tr '\n' ' ' | sed 's/ *$//')
	# the man page: its DESCRIPTION, roff's \- read back as -
	man=$(rt manpage | awk '/^\.SH DESCRIPTION/ {f = 1; next} f && /^\./ {exit} f' | sed 's/\\-/-/g')
	[ -n "$help" ] && [ "$help" = "$man" ] || { printf 'help: %s\nman:  %s\n' "$help" "$man"; return 1; }
	[[ $help == *"SQLite, PostgreSQL and MySQL/MariaDB"* ]]
}

@test "man page and completion scripts name every command and every option" {
	man=$(rt manpage)
	bash_script=$(rt completion bash)
	zsh_script=$(rt completion zsh)
	# global options
	for o in $(rt --help | sed -n '/^global options/,/^commands:/p' | option_words); do
		[[ "$man" == *"${o//-/\\-}"* ]] || { echo "man lacks global $o"; return 1; }
		has_word "$bash_script" "$o" || { echo "bash lacks global $o"; return 1; }
		has_word "$zsh_script" "$o" || { echo "zsh lacks global $o"; return 1; }
	done
	for c in $(listed_commands); do
		[[ "$man" == *".SS $c"* ]] || { echo "man lacks $c"; return 1; }
		[[ "$bash_script" == *$'\t'"$c)"* ]] || { echo "bash lacks $c"; return 1; }
		[[ "$zsh_script" == *"'$c:"* ]] || { echo "zsh lacks $c"; return 1; }
		section=$(awk -v c="$c" '$0 == ".SS " c {f = 1; next} f && /^\.SS / {exit} f' <<<"$man")
		zsh_arm=$(awk -v c="$c" '$0 == "\t\t" c ") _arguments \\" {f = 1; next} f && /;;$/ {print; exit} f' <<<"$zsh_script")
		case_arm=$(awk -v c="$c" '$0 == "\t" c ")" {f = 1; next} f && /;;$/ {print; exit} f' <<<"$bash_script")
		for o in $(rt "$c" --help | sed -n '/^options:/,$p' | option_words); do
			[[ "$section" == *"${o//-/\\-}"* ]] || { echo "man: $c lacks $o"; return 1; }
			has_word "$case_arm" "$o" || { echo "bash: $c lacks $o"; return 1; }
			has_word "$zsh_arm" "$o" || { echo "zsh: $c lacks $o"; return 1; }
		done
	done
}

# complete WORDS...: what the bash completion offers for the last word
complete_words() {
	local script=$1
	shift
	bash -c '
		retort() { "$RETORT_BIN" "$@"; }
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_retort
		printf "%s\n" "${COMPREPLY[@]}"' _ "$script" "$@"
}

@test "bash completion completes commands, options and revision ids" {
	linear3
	mkrev 4d5e6f7a8b9c 3c4d5e6f7a8b "labelled" "SELECT 1;" "SELECT 1;" "-- Branch Labels: feature"
	rt completion bash >comp.bash
	run bash -n comp.bash
	[ "$status" -eq 0 ]
	[ "$(complete_words comp.bash retort upg)" = "upgrade" ]
	[ "$(complete_words comp.bash retort upgrade --s)" = "--sql" ]
	[[ "$(complete_words comp.bash retort --sing)" == "--single-transaction" ]]
	run complete_words comp.bash retort downgrade 2b
	[ "$output" = "2b3c4d5e6f7a" ]
	run complete_words comp.bash retort -q stamp fea
	[ "$output" = "feature" ]
	run complete_words comp.bash retort revision --head 3c
	[ "$output" = "3c4d5e6f7a8b" ]
	run complete_words comp.bash retort completion z
	[ "$output" = "zsh" ]
	# the script directory named before the command is the one completed
	mkdir other && (cd other && mkrev 9e8d7c6b5a4f "" "elsewhere" "SELECT 1;" "SELECT 1;")
	run complete_words comp.bash retort -d other/migrations upgrade 9e
	[ "$output" = "9e8d7c6b5a4f" ]
	run complete_words comp.bash retort --dir=other/migrations stamp 9e
	[ "$output" = "9e8d7c6b5a4f" ]
	run complete_words comp.bash retort upgrade 9e
	[ -z "$output" ]
}

@test "zsh completion parses; the man page formats without warnings" {
	rt completion zsh >_retort
	if command -v zsh >/dev/null; then
		run zsh -n _retort
		[ "$status" -eq 0 ] || { echo "$output"; return 1; }
		# with zsh's completion functions stubbed, _arguments gets every spec
		run zsh -c '_arguments() { print -rl -- "$@" }; _describe() { :; }
			source ./_retort'
		[ "$status" -eq 0 ]
		[[ "$output" == *"--single-transaction[run the whole"* ]] || { echo "$output"; return 1; }
		[[ "$output" == *"'1:command:->command'"* || "$output" == *"1:command:->command"* ]]
	else
		skip "zsh is not installed (apt-get install zsh): the zsh script was not checked"
	fi
	rt manpage >retort.1
	run groff -man -Tutf8 -ww -z retort.1
	[ "$status" -eq 0 ]
	[ -z "$output" ] || { echo "$output"; return 1; }
	[[ "$(head -1 retort.1)" == ".TH RETORT 1"* ]]
}

@test "a global option after the command says where it goes" {
	linear3
	run rt upgrade head -q
	[ "$status" -eq 64 ]
	[[ "$output" == *"'-q' is a global option: put it before the command"* ]]
}

#!/usr/bin/env bats
# Covers the progress counter that a terminal sees during long runs.  The
# repository's own migrations/ are tested on every backend in
# shared/0050-repo-migrations.bats.

load helpers

@test "a terminal sees a [k/N] progress counter on long runs" {
	command -v script >/dev/null || skip "script(1) from util-linux is not installed"
	for i in $(seq 1 25); do
		prev=""
		if [ $i -gt 1 ]; then prev=$(printf 'p%011d' $((i - 1))); fi
		mkrev "$(printf 'p%011d' $i)" "$prev" "step $i" "CREATE TABLE t$i (x INTEGER);" "DROP TABLE t$i;"
	done
	run script -qec "$RETORT_WRAP $RETORT_BIN upgrade head" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"[24/25]"* ]]
	# not on a pipe
	run rt downgrade base
	[[ "$output" != *"[1/25]"* ]]
}

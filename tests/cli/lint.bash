# What the lint tests share (1900-lint.bats, 1910-lint-sqlite.bats): one
# case linted as the child of a base revision, and the corpus check.  A
# file sets CORPUS (its tests/lint folder) and BASE_SQL (the base
# revision's upgrade), then loads this.

CASE=migrations/versions/1b1b1b1b1b1b_case.sql

# lintcase_sql SQL [notx]: the base revision, and revision 1b1b1b1b1b1b
# whose upgrade section is SQL (transaction:false with notx); line N of
# SQL is line N+7 of $CASE.
lintcase_sql() {
	rm -rf migrations
	mkrev 0a0a0a0a0a0a "" "base" "$BASE_SQL" "-"
	local marker="-- migrate:upgrade"
	[ "${2:-}" != notx ] || marker="$marker transaction:false"
	{
		printf -- '-- case\n--\n-- Revision ID: 1b1b1b1b1b1b\n-- Revises: 0a0a0a0a0a0a\n'
		printf -- '-- Create Date: 2026-11-22 10:00:00.000000\n\n%s\n' "$marker"
		printf '%s\n' "$1"
	} >"$CASE"
}

# lintcase FILE: the same with FILE's SQL, transaction:false when FILE
# has a "-- section: transaction:false" line.
lintcase() {
	local notx=""
	! grep -q '^-- section: transaction:false' "$1" || notx=notx
	lintcase_sql "$(cat "$1")" $notx
}

# finding lines of the text format in $output
findings() {
	grep -E '^migrations/versions/[^:]+:[0-9]+:[0-9]+: [a-z-]+: ' <<<"$output" || true
}

# corpus_check DIALECT: linted as DIALECT, every RULE.bad.sql of CORPUS
# gives exactly the findings its "-- expect: RULE LINE:COL" lines name
# (positions counted in that file) and exits 1 when one is an error
# (lock-timeout is the one warning), and its RULE.ok.sql gives none.
corpus_check() {
	local bad name want errors rule line col expect
	for bad in "$CORPUS"/*.bad.sql; do
		name=$(basename "$bad" .bad.sql)
		lintcase "$bad"
		run rt lint --dialect "$1" --all
		want=$(sed -n 's/^-- expect: \([a-z-]*\) \([0-9]*\):\([0-9]*\)$/\1 \2 \3/p' "$bad")
		[ -n "$want" ] || { echo "$bad: no expect line"; return 1; }
		errors=0
		while read -r rule line col; do
			expect="$CASE:$((line + 7)):$col: $rule: "
			[[ "$output" == *"$expect"* ]] || { echo "$name: missing '$expect' in:"; echo "$output"; return 1; }
			[ "$rule" = lock-timeout ] || errors=1
		done <<<"$want"
		[ "$(findings | wc -l)" -eq "$(wc -l <<<"$want")" ] || { echo "$name: other findings:"; echo "$output"; return 1; }
		[ "$status" -eq "$errors" ] || { echo "$name: exit $status, want $errors"; return 1; }

		lintcase "$CORPUS/$name.ok.sql"
		run rt lint --dialect "$1" --all
		[ "$status" -eq 0 ] && [ -z "$(findings)" ] || { echo "$name.ok.sql is not quiet:"; echo "$output"; return 1; }
		[[ "$output" == *"retort: linted 2 migrations: 0 errors, 0 warnings"* ]]
	done
}

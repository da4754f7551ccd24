#!/usr/bin/env bats
# Covers Alembic parity: the differential test (tests/diff/alembic_diff.py)
# runs the real Alembic and retort side by side on random revision graphs
# with random command sequences, for a fixed set of seeds (and compares what
# retort prints from Alembic's own .py files too), and accepts only
# the deviations docs/alembic-compat.md documents.  `make difftest` runs
# more seeds.  Skips loudly without python3-alembic.

load helpers

@test "retort agrees with Alembic on 40 random graphs" {
	/usr/bin/python3 -c 'import alembic' 2>/dev/null || skip "python3-alembic is not installed"
	run /usr/bin/python3 "$BATS_TEST_DIRNAME/../diff/alembic_diff.py" "$RETORT_BIN" 1 40
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"disagreed: 0 (100.0% agreement)"* ]]
}

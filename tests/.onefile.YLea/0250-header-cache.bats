#!/usr/bin/env bats
# Covers the header cache (lib/hdrcache.h): the read-only commands (heads,
# history, branches, show, graph, current) take each unchanged revision
# file's parsed header from one cache file instead of opening and parsing
# it, and print exactly what they print without it; a changed, added or
# removed file is read again at once; a file younger than two seconds is
# never cached; a corrupt or foreign cache is ignored and replaced; a cache
# directory that cannot be written is skipped without a word; --no-cache
# and RETORT_NO_CACHE turn it off; another binary does not trust it; and
# eight runs at once leave a valid cache.  Commands that run SQL never use it;
# current -v, which checksums the applied files, reads their SQL when it must.

load helpers

# A graph with a branch point, labels, a merge, a dependency and a .py
# revision, old enough to be cached.
graph_project() {
	mkrev a1 "" "root" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
	mkrev b1 a1 "left" "CREATE TABLE b (id INTEGER);" "DROP TABLE b;" "-- Branch Labels: lefty"
	mkrev c1 a1 "right" "CREATE TABLE c (id INTEGER);" "DROP TABLE c;" "-- Depends On: b1"
	mkrev d1 "b1, c1" "merge" "SELECT 1;" "SELECT 1;"
	cat >migrations/versions/e1_py.py <<-'PY'
	"""a python revision

	with a longer message
	"""
	revision = "e1"
	down_revision = "d1"
	branch_labels = None
	depends_on = None
	PY
	# files younger than two seconds are not cached (an edit within one
	# clock tick could keep every stat field): wait until these are older
	sleep 3
}

# everything the read-only commands print
views() {
	rt history --verbose
	rt heads --verbose
	rt branches --verbose
	rt show d1
	rt graph --format dot
	rt history --graph
}

cached() { rt -v heads 2>&1 | sed -n 's/^retort: \([0-9]*\) of \([0-9]*\) revision files read from the header cache.*/\1\/\2/p'; }

@test "cold, warm and no cache print the same; the warm run reads every file from the cache" {
	graph_project
	nocache=$(RETORT_NO_CACHE=1 views)
	cold=$(views)
	warm=$(views)
	[ "$cold" = "$nocache" ]
	[ "$warm" = "$nocache" ]
	[ "$(cached)" = "5/5" ]
	rt -q stamp head
	[ "$(rt current)" = "$(RETORT_NO_CACHE=1 rt current)" ]
	[[ "$(rt current --verbose)" == *"Rev: e1 (head)"* ]]
}

@test "an edited, added or removed file is read again at once" {
	graph_project
	views >/dev/null
	[ "$(cached)" = "5/5" ]
	# the same size, a different message: still seen
	sed -i 's/^-- left$/-- LEFT/' migrations/versions/b1_left.sql
	run rt history
	[[ "$output" == *"a1 -> b1 (lefty), LEFT"* ]]
	[ "$(cached)" = "4/5" ]
	mkrev f1 e1 "new one" "SELECT 2;" "SELECT 2;"
	run rt heads
	[ "$output" = "f1 (lefty) (head)" ]
	rm migrations/versions/f1_new_one.sql
	run rt heads
	[ "$output" = "e1 (lefty) (head)" ]
	# a revision made invalid is reported, not served from the cache
	sed -i 's/^-- Revision ID: c1$/-- Revision ID: /' migrations/versions/c1_right.sql
	run rt heads
	[ "$status" -eq 2 ]
	[[ "$output" == *"c1_right.sql:3:16: empty revision id"* ]]
}

@test "commands that run SQL read the files themselves" {
	graph_project
	views >/dev/null
	run rt -v upgrade d1
	[ "$status" -eq 0 ]
	[[ "$output" != *"header cache"* ]]
	[ "$(db_versions)" = "d1" ]
	run rt -v upgrade d1:e1 --sql
	[[ "$output" != *"header cache"* ]]
	run rt -v downgrade base
	[ "$status" -eq 0 ]
	[[ "$output" != *"header cache"* ]]
}

@test "a corrupt, truncated or foreign cache is ignored and replaced" {
	graph_project
	want=$(RETORT_NO_CACHE=1 views)
	views >/dev/null
	f=$(ls "$RETORT_CACHE_DIR"/headers-*)
	head -c 300 "$f" >"$f.short" && mv "$f.short" "$f"
	[ "$(views)" = "$want" ]
	[ "$(cached)" = "5/5" ]
	head -c 5000 /dev/urandom >"$f"
	[ "$(views)" = "$want" ]
	printf 'RTHC1\nsomething else\n' >"$f"
	[ "$(views)" = "$want" ]
	[ "$(cached)" = "5/5" ]
	# another binary (another inode) does not trust this one's cache
	cp "$RETORT_BIN" other-retort
	run ./other-retort -v heads
	[[ "$output" == *"0 of 5 revision files read from the header cache"* ]]
}

@test "no cache directory, one that cannot be made, --no-cache: silently no cache" {
	graph_project
	want=$(RETORT_NO_CACHE=1 views)
	RETORT_CACHE_DIR=/dev/null/cache run views
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	run rt --no-cache -v heads
	[[ "$output" == *"0 of 5 revision files read from the header cache (--no-cache)"* ]]
	[ ! -e "$RETORT_CACHE_DIR" ]
	unset RETORT_CACHE_DIR
	run env -u HOME -u XDG_CACHE_HOME $RETORT_WRAP "$RETORT_BIN" -v heads
	[ "$status" -eq 0 ]
	[[ "$output" == *"0 of 5 revision files read from the header cache (no cache directory)"* ]]
	XDG_CACHE_HOME=$TEST_DIR/xdg run rt heads
	ls "$TEST_DIR"/xdg/retort/headers-*
}

@test "eight runs at once print the same and leave a valid cache" {
	graph_project
	want=$(RETORT_NO_CACHE=1 rt history --verbose)
	for i in 1 2 3 4 5 6 7 8; do
		rt history --verbose >"out.$i" 2>&1 3>&- &
		pids="${pids:-} $!"
	done
	for p in $pids; do wait "$p"; done
	for i in 1 2 3 4 5 6 7 8; do [ "$(cat "out.$i")" = "$want" ]; done
	[ "$(cached)" = "5/5" ]
	[ -z "$(ls "$RETORT_CACHE_DIR" | grep -v '^headers-[0-9a-f]*$')" ]
}

@test "current -v, which checks the applied files' checksums, reads the SQL it needs" {
	graph_project
	rt -q upgrade d1
	rt current >/dev/null
	[ "$(cached)" = "5/5" ]
	run rt current -v
	[ "$status" -eq 0 ]
	[[ "$output" != *"changed since it ran"* ]]
	# the same size, another statement: the checksum says so
	sed -i 's/^CREATE TABLE b (id INTEGER);$/CREATE TABLE b (ID INTEGER);/' migrations/versions/b1_left.sql
	run rt current -v
	[ "$status" -eq 0 ]
	[[ "$output" == *"1 applied migration changed since it ran:"*"b1  migrations/versions/b1_left.sql"* ]]
}

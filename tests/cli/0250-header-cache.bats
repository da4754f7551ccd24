#!/usr/bin/env bats
# Covers the header cache (lib/hdrcache.h): the read-only commands (heads,
# history, branches, show, graph, current) take each unchanged revision
# file's parsed header from one cache file instead of opening and parsing
# it, and print exactly what they print without it; a changed, added or
# removed file is read again at once; a file younger than two seconds is
# never cached; a folder's listing is taken from it only while the folder
# is unchanged (and was older than two seconds, and, walked recursively,
# holds no symbolic link); a corrupt or foreign cache is ignored and replaced; a cache
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
listed() { rt -v heads 2>&1 | sed -n 's/^retort: .*header cache; \([0-9]*\) of \([0-9]*\) folders listed from it$/\1\/\2/p'; }

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

@test "a folder's listing comes from the cache until an entry is made, renamed or removed in it" {
	graph_project
	views >/dev/null
	[ "$(cached)" = "5/5" ]
	[ "$(listed)" = "1/1" ]
	# a file made in the listed folder: its mtime and ctime move, it is read
	mkrev f1 e1 "new one" "SELECT 2;" "SELECT 2;"
	run rt heads
	[ "$output" = "f1 (lefty) (head)" ]
	# changed in the last two seconds: listed again, not recorded
	[ "$(listed)" = "0/1" ]
	sleep 3
	rt heads >/dev/null
	[ "$(listed)" = "1/1" ]
	mv migrations/versions/f1_new_one.sql migrations/versions/f1_renamed.sql
	run rt history --verbose -r -1:
	[[ "$output" == *"Path: "*"/migrations/versions/f1_renamed.sql"* ]]
	[ "$(listed)" = "0/1" ]
	sleep 3
	rt heads >/dev/null
	[ "$(listed)" = "1/1" ]
	rm migrations/versions/f1_renamed.sql
	run rt heads
	[ "$output" = "e1 (lefty) (head)" ]
	# a file that is not a revision counts as an entry too
	sleep 3
	rt heads >/dev/null
	[ "$(listed)" = "1/1" ]
	touch migrations/versions/README
	[ "$(listed)" = "0/1" ]
	[ "$(RETORT_NO_CACHE=1 views)" = "$(views)" ]
}

# mkrev_in FOLDER ID...: mkrev's file, made elsewhere and moved into FOLDER,
# so that no other folder changes
mkrev_in() {
	local to=$1
	shift
	(mkdir -p "$TEST_DIR/scratch" && cd "$TEST_DIR/scratch" && mkrev "$@")
	mv "$TEST_DIR"/scratch/migrations/versions/* "$to/"
}

@test "walked recursively, each folder's listing is checked, and none holding a symbolic link is kept" {
	graph_project
	printf '[retort]\nscript_location = migrations\nrecursive_version_locations = true\n' >retort.ini
	mkdir -p migrations/versions/2026/12
	mkrev_in migrations/versions/2026/12 f1 e1 "nested" "SELECT 2;" "SELECT 2;"
	sleep 3
	views >/dev/null
	[ "$(listed)" = "3/3" ]
	[ "$(rt heads)" = "f1 (lefty) (head)" ]
	# a new file two folders down changes only that folder
	mkrev_in migrations/versions/2026/12 g1 f1 "deeper" "SELECT 3;" "SELECT 3;"
	run rt heads
	[ "$output" = "g1 (lefty) (head)" ]
	[ "$(listed)" = "2/3" ]
	# a folder made in the top one is walked at once
	mkdir migrations/versions/2027
	mkrev_in migrations/versions/2027 h1 g1 "next year" "SELECT 4;" "SELECT 4;"
	run rt heads
	[ "$output" = "h1 (lefty) (head)" ]
	# a link whose target can turn into a folder without any walked
	# folder's stat changing: the folder holding it is always read
	ln -s "$TEST_DIR/elsewhere" migrations/versions/later
	sleep 3
	rt heads >/dev/null
	[ "$(listed)" = "3/4" ]
	mkdir -p elsewhere/sub
	mkrev_in elsewhere/sub i1 h1 "linked" "SELECT 5;" "SELECT 5;"
	run rt heads
	[ "$output" = "i1 (lefty) (head)" ]
	sleep 3
	rt heads >/dev/null
	[ "$(listed)" = "5/6" ]
	[ "$(RETORT_NO_CACHE=1 views)" = "$(views)" ]
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
	printf 'RTHC2\nsomething else\n' >"$f"
	[ "$(views)" = "$want" ]
	[ "$(cached)" = "5/5" ]
	# another binary (another inode) does not trust this one's cache
	cp "$RETORT_BIN" other-retort
	run ./other-retort -v heads
	[[ "$output" == *"0 of 5 revision files read from the header cache"* ]]
}

@test "a damaged listing that names a file outside its folder is not followed" {
	graph_project
	views >/dev/null
	[ "$(listed)" = "1/1" ]
	sed 's/^-- Revision ID: b1$/-- Revision ID: x9/' migrations/versions/b1_left.sql >migrations/b1_l.sql
	f=$(ls "$RETORT_CACHE_DIR"/headers-*)
	python3 - "$f" <<-'PY'
	import sys
	b = open(sys.argv[1], "rb").read()
	i = b.rfind(b"b1_left.sql")
	open(sys.argv[1], "wb").write(b[:i] + b"../b1_l.sql" + b[i + 11:])
	PY
	[ "$(listed)" = "0/1" ]
	[ "$(RETORT_NO_CACHE=1 views)" = "$(views)" ]
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

#!/usr/bin/env bats
# Covers seeing the revision graph (issue #17): `history --graph` draws
# history's own entries, in history's order, beside git-log-style lanes
# ('*' a revision, '|' '/' '\' '_' its Revises edges; dependencies are not
# drawn), marking the current revision(s) when a database answers; and
# `graph --format dot|mermaid` writes one node per revision and exactly one
# edge per Revises parent (child -> parent), dependencies dashed, heads and
# the current revision(s) marked, labels escaped for each format.  The
# drawings are read back by tests/cli/graphcheck.py: the DOT and Mermaid
# parsed into edges, and the lanes followed down from each '*' to the
# revisions they reach; on the differential test's random graphs
# (tests/diff/alembic_diff.py's generator and seeds) both must give back
# exactly the graph.  Graphviz renders the DOT once where `dot` is installed.

load helpers

GC() { /usr/bin/python3 "$BATS_TEST_DIRNAME/graphcheck.py" "$@"; }

# Two branches from one root, merged; a branch label on the left.
merge4() {
	mkrev aaaa00000000 "" "root" "" ""
	mkrev bbbb00000001 aaaa00000000 "left" "" "" "-- Branch Labels: lefty"
	mkrev bbbb00000002 aaaa00000000 "right" "" ""
	mkrev cccc00000003 "bbbb00000001, bbbb00000002" "merge" "" ""
}

@test "history --graph: a linear history is one lane of history's own entries" {
	linear3
	run rt history --graph
	[ "$status" -eq 0 ]
	[ "$output" = "* 2b3c4d5e6f7a -> 3c4d5e6f7a8b (head), create c
* 1a2b3c4d5e6f -> 2b3c4d5e6f7a, create b
* <base> -> 1a2b3c4d5e6f, create a" ]
	# -r draws the range only; a parent outside it has no lane
	run rt history --graph -r 2b3c:
	[ "$output" = "* 2b3c4d5e6f7a -> 3c4d5e6f7a8b (head), create c
* 1a2b3c4d5e6f -> 2b3c4d5e6f7a, create b" ]
}

@test "history --graph: a branch point is two lanes that join above it" {
	mkrev aaaa00000000 "" "root" "" ""
	mkrev bbbb00000001 aaaa00000000 "left" "" ""
	mkrev bbbb00000002 aaaa00000000 "right" "" ""
	run rt history --graph
	[ "$output" = "* aaaa00000000 -> bbbb00000001 (head), left
| * aaaa00000000 -> bbbb00000002 (head), right
|/
* <base> -> aaaa00000000 (branchpoint), root" ]
}

@test "history --graph: a merge fans out to its parents; branch labels are shown" {
	merge4
	run rt history --graph
	[ "$output" = "* bbbb00000001, bbbb00000002 -> cccc00000003 (lefty) (head) (mergepoint), merge
|\\
* | aaaa00000000 -> bbbb00000001 (lefty), left
| * aaaa00000000 -> bbbb00000002, right
|/
* <base> -> aaaa00000000 (branchpoint), root" ]
	# a merge of three parents: '*-.' and one '\' per further parent
	mkrev dddd00000004 "" "other root" "" ""
	mkrev eeee00000005 "cccc00000003, dddd00000004, bbbb00000002" "octopus" "" ""
	run rt history --graph
	[ "${lines[0]}" = "*-. cccc00000003, dddd00000004, bbbb00000002 -> eeee00000005 (lefty) (head) (mergepoint), octopus" ]
	[ "${lines[1]}" = "|\\ \\" ]
	run GC lanes <<<"$output"
	[ "$output" = "bbbb00000001 -> aaaa00000000
bbbb00000002 -> aaaa00000000
cccc00000003 -> bbbb00000001
cccc00000003 -> bbbb00000002
eeee00000005 -> bbbb00000002
eeee00000005 -> cccc00000003
eeee00000005 -> dddd00000004" ]
}

@test "history --graph: two roots; a line between keeps unrelated revisions apart" {
	mkrev aaaa00000001 "" "first root" "" ""
	mkrev aaaa00000002 aaaa00000001 "first child" "" ""
	mkrev bbbb00000001 "" "second root" "" ""
	mkrev bbbb00000002 bbbb00000001 "second child" "" ""
	run rt history --graph
	[ "$output" = "* aaaa00000001 -> aaaa00000002 (head), first child
* <base> -> aaaa00000001, first root

* bbbb00000001 -> bbbb00000002 (head), second child
* <base> -> bbbb00000001, second root" ]
	run GC lanes <<<"$output"
	[ "$output" = "aaaa00000002 -> aaaa00000001
bbbb00000002 -> bbbb00000001" ]
}

@test "history --graph: dependencies stay in the text, not the lanes" {
	mkrev aaaa00000001 "" "first root" "" ""
	mkrev aaaa00000002 aaaa00000001 "first child" "" ""
	mkrev bbbb00000001 "" "second root" "" "" "-- Branch Labels: other"
	mkrev bbbb00000002 bbbb00000001 "second child" "" ""
	mkrev cccc00000003 bbbb00000001 "x" "" "" "-- Depends On: aaaa00000002"
	run rt history --graph
	[ "$output" = "* bbbb00000001 -> bbbb00000002 (other) (head), second child
| * bbbb00000001 (aaaa00000002) -> cccc00000003 (other) (head), x
|/
| * aaaa00000001 -> aaaa00000002 (effective head), first child
| * <base> -> aaaa00000001, first root
* <base> -> bbbb00000001 (other) (branchpoint), second root" ]
}

@test "history --graph: the current revisions marked; without a database nothing is, and nothing fails" {
	merge4
	rt upgrade bbbb00000002
	run rt history --graph
	[ "$status" -eq 0 ]
	[ "${lines[3]}" = "| * aaaa00000000 -> bbbb00000002 (current), right" ]
	[ "$(grep -c current <<<"$output")" -eq 1 ]
	run rt history --graph -i
	[ "${lines[3]}" = "| * aaaa00000000 -> bbbb00000002 (current), right" ]
	# no database configured: the drawing, nothing marked, no database touched
	local want
	want=$(rt history --graph | sed 's/ (current)//')
	rm test.db
	unset DATABASE_URL
	run rt history --graph
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	[ ! -e test.db ]
	# a configured database that does not answer: a warning, the drawing unmarked
	DATABASE_URL=postgresql://nobody@127.0.0.1:1/nothing run rt history --graph
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: no revision is marked current: "* ]]
	[[ "$output" == *"$want"* ]]
	# -i needs it, as in history
	DATABASE_URL=postgresql://nobody@127.0.0.1:1/nothing run rt history --graph -i
	[ "$status" -ne 0 ]
}

@test "history --graph -v: each entry's lines continue beside the lanes" {
	merge4
	run rt history --graph -v
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "* Rev: cccc00000003 (head) (mergepoint)" ]
	[ "${lines[1]}" = "| Merges: bbbb00000001, bbbb00000002" ]
	[[ "$output" == *"
|\\
* | Rev: bbbb00000001
| | Parent: aaaa00000000
| | Branch names: lefty"* ]]
	[ "$(grep -c '^[-|/\\ *.]*Rev: ' <<<"$output")" -eq 4 ]
}

@test "graph --format dot: one node per revision, each Revises edge once, dependencies dashed" {
	mkrev aaaa00000001 "" "first root" "" ""
	mkrev aaaa00000002 aaaa00000001 "first child" "" ""
	mkrev bbbb00000001 "" "second root" "" "" "-- Branch Labels: other"
	mkrev bbbb00000002 bbbb00000001 "second child" "" ""
	mkrev cccc00000003 "bbbb00000001, aaaa00000002" "x" "" "" "-- Depends On: aaaa00000001"
	run rt graph
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "// retort graph: an edge goes from a revision to the one it revises; dashed: depends on" ]
	run GC edges dot <<<"$output"
	[ "$status" -eq 0 ]
	[ "$output" = "aaaa00000002 -> aaaa00000001
bbbb00000002 -> bbbb00000001
cccc00000003 -> aaaa00000002
cccc00000003 -> bbbb00000001
cccc00000003 .-> aaaa00000001
node aaaa00000001: aaaa00000001 / first root
node aaaa00000002: aaaa00000002 / first child
node bbbb00000001: bbbb00000001 (other) / second root
node bbbb00000002: bbbb00000002 (other) (head) / second child
node cccc00000003: cccc00000003 (other) (head) / x" ]
	# --format dot is the default; heads have a double border
	[ "$(rt graph --format dot)" = "$(rt graph)" ]
	[ "$(rt graph | grep -c 'peripheries=2')" -eq 2 ]
	run rt graph --format png
	[ "$status" -eq 64 ]
	[[ "$output" == *"unknown graph format 'png': dot or mermaid"* ]]
}

@test "graph --format mermaid: the same nodes and edges as a flowchart, heads and current as classes" {
	merge4
	rt upgrade bbbb00000001
	run rt graph --format mermaid
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "flowchart TD" ]
	[[ "$output" == *"class rev0 head"* ]]
	[[ "$output" == *"class rev1 current"* ]]
	run GC edges mermaid <<<"$output"
	[ "$output" = "bbbb00000001 -> aaaa00000000
bbbb00000002 -> aaaa00000000
cccc00000003 -> bbbb00000001
cccc00000003 -> bbbb00000002
node aaaa00000000: aaaa00000000 / root
node bbbb00000001: bbbb00000001 (lefty) (current) / left
node bbbb00000002: bbbb00000002 / right
node cccc00000003: cccc00000003 (lefty) (head) / merge" ]
	# DOT marks the same revision
	[[ "$(rt graph)" == *'"bbbb00000001" [label="bbbb00000001 (lefty) (current)\nleft", style="bold,filled"'* ]]
	# without a database: nothing marked, nothing fails
	unset DATABASE_URL
	run rt graph --format mermaid
	[ "$status" -eq 0 ]
	[[ "$output" != *current* ]]
}

@test "graph: quotes, backslashes and markup in a message are escaped for DOT and Mermaid" {
	mkdir -p migrations/versions
	local msg='say "hi" to C:\temp\ #1 <b> & *bold* _it_ `code` [x] {y} |z| 100% ~$'
	printf -- '-- %s\n--\n-- Revision ID: eeee00000001\n-- Revises:\n\n-- migrate:upgrade\nSELECT 1;\n' \
		"$msg" >migrations/versions/eeee_odd.sql
	run rt graph
	[[ "$output" == *'[label="eeee00000001 (head)\nsay \"hi\" to C:\\temp\\ #1 <b> & *bold* _it_ `code` [x] {y} |z| 100% ~$"'* ]]
	run GC edges dot <<<"$output"
	[ "$output" = "node eeee00000001: eeee00000001 (head) / $msg" ]
	run rt graph --format mermaid
	[[ "$output" == *'rev0["eeee00000001 (head)<br>say #34;hi#34; to C:#92;temp#92; #35;1 #60;b#62; #38; #42;bold#42; #95;it#95; #96;code#96; #91;x#93; #123;y#125; #124;z#124; 100#37; #126;#36;"]'* ]]
	run GC edges mermaid <<<"$output"
	[ "$output" = "node eeee00000001: eeee00000001 (head) / $msg" ]
}

@test "graph: Graphviz renders the DOT, labels as written (where dot is installed)" {
	command -v dot >/dev/null || skip "dot is not installed (apt-get install graphviz)"
	merge4
	printf -- '-- a "quoted" \\ message\n--\n-- Revision ID: dddd00000004\n-- Revises: cccc00000003\n\n-- migrate:upgrade\nSELECT 1;\n' \
		>migrations/versions/dddd_q.sql
	rt graph >g.dot
	dot -Tsvg g.dot >g.svg
	run /usr/bin/python3 -c '
import sys, xml.etree.ElementTree as ET
print("\n".join(e.text for e in ET.parse(sys.argv[1]).iter() if e.tag.endswith("}text")))' g.svg
	[ "$status" -eq 0 ]
	[[ "$output" == *"dddd00000004 (lefty) (head)
a \"quoted\" \\ message
cccc00000003 (lefty)
merge"* ]]
	[ "$(grep -c '<g id="edge' g.svg)" -eq 5 ]
}

@test "the differential test's random graphs: DOT, Mermaid and the lanes give back exactly the graph" {
	/usr/bin/python3 -c 'import alembic' 2>/dev/null || skip "python3-alembic is not installed (the generator imports it)"
	run GC random "$RETORT_BIN" 1 40
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "40 graphs, "*" revisions, "*" edges: all drawn exactly once" ]]
}

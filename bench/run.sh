#!/usr/bin/env bash
# make bench: retort's figures against the floor set by each database's own
# CLI applying the same SQL (bench/gen.sh), N revisions (default 1,000).
#   W1  cold `retort current` on an up-to-date SQLite database
#   W2  `retort upgrade head` from empty on SQLite (and --single-transaction)
#   W3  the same on PostgreSQL;  W4 `retort downgrade base` on PostgreSQL
#   W5  the floors: sqlite3 / psql, one transaction per migration, and one in all
#   W6  `retort history` and `heads` on 1,000 and 10,000 revisions with
#       branches and merges (bench/gen_graph.py), and planning `upgrade heads`
#       from base (`--sql`, no database) at 1k, 10k (and 100k with BENCH_BIG=1)
# Medians from hyperfine (warm-up, several runs, database reset before
# each run); peak RSS from GNU time.  PostgreSQL runs on a private server
# (tests/pg/server.sh).  What it lacks it installs with apt.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
retort=${RETORT_BIN:-$here/../build/retort}
n=${BENCH_N:-1000}
runs=${BENCH_RUNS:-10}

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
[ -x /usr/bin/time ] || need+=(time)
command -v sqlite3 >/dev/null || need+=(sqlite3)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql-15)
if [ ${#need[@]} -gt 0 ]; then
	echo "bench: installing ${need[*]}" >&2
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

work=$(mktemp -d)
pgdir=""
cleanup() {
	[ -n "$pgdir" ] && "$here/../tests/pg/server.sh" stop "$pgdir"
	rm -rf "$work"
}
trap cleanup EXIT
"$here/gen.sh" "$work/m" "$n"
cd "$work"
db="$work/b.db"
sqlite_url="sqlite:///$db"

median() { # hyperfine JSON -> median ms
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % (r["median"]*1000))' "$1"
}
rss() { # peak RSS in MB of one run of the command
	/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f", $1/1024}'
}
bench() { # name runs prepare command
	hyperfine -N -w 1 -r "$2" --prepare "$3" --export-json "$1.json" "$4" >/dev/null 2>&1
	median "$1.json"
}
ratio() {
	python3 -c "print('%.2fx' % ($1 / $2))"
}

printf 'BEGIN;\n' >floor1s.sql; cat m/floor1.sql >>floor1s.sql; printf 'COMMIT;\n' >>floor1s.sql
w2=$(bench w2 "$runs" "rm -f $db" "$retort -q -u $sqlite_url -d m upgrade head")
w2s=$(bench w2s "$runs" "rm -f $db" "$retort -q -u $sqlite_url -d m --single-transaction upgrade head")
hyperfine -w 1 -r "$runs" --prepare "rm -f $db" --export-json w5s.json "sqlite3 $db < m/floor.sql" >/dev/null 2>&1
w5s=$(median w5s.json)
hyperfine -w 1 -r "$runs" --prepare "rm -f $db" --export-json w5s1.json "sqlite3 $db < floor1s.sql" >/dev/null 2>&1
w5s1=$(median w5s1.json)
rm -f "$db"
"$retort" -q -u "$sqlite_url" -d m upgrade head
w1=$(bench w1 $((runs * 3)) "true" "$retort -q -u $sqlite_url -d m current")
w6h=$(bench w6h $((runs * 3)) "true" "$retort -q -u $sqlite_url -d m history")
w6s=$(bench w6s $((runs * 3)) "true" "$retort -q -u $sqlite_url -d m heads")
rss_cur=$(rss "$retort" -q -u "$sqlite_url" -d m current)
rm -f "$db"
rss_up=$(rss "$retort" -q -u "$sqlite_url" -d m upgrade head)

# W6: graphs with branches and merges
for g in 1000 10000 ${BENCH_BIG:+100000}; do
	/usr/bin/python3 "$here/gen_graph.py" "g$g" "$g"
done
w6h1=$(bench w6h1 "$runs" true "$retort -q -d g1000 history")
w6s1=$(bench w6s1 "$runs" true "$retort -q -d g1000 heads")
w6h10=$(bench w6h10 "$runs" true "$retort -q -d g10000 history")
w6s10=$(bench w6s10 "$runs" true "$retort -q -d g10000 heads")
plan() { # g: median ms of planning `upgrade heads` from base for graph g
	printf '#!/bin/sh\nexec %s -q -d g%s -u sqlite:// upgrade heads --sql >/dev/null\n' "$retort" "$1" >"plan$1.sh"
	chmod +x "plan$1.sh"
	bench "plan$1" "$2" true "./plan$1.sh"
}
p1=$(plan 1000 "$runs")
p10=$(plan 10000 "$runs")
p100=""
[ -n "${BENCH_BIG:-}" ] && p100=$(plan 100000 3)

eval "$("$here/../tests/pg/server.sh" start)"
pgdir=$RETORT_TEST_PG_DIR
psql="$RETORT_TEST_PG_BIN/psql -X -q -h $pgdir -p $RETORT_TEST_PG_PORT -U postgres"
pg_url="postgresql://postgres@/b?host=$pgdir&port=$RETORT_TEST_PG_PORT"
# hyperfine -N runs --prepare without a shell: give it scripts
printf '#!/bin/sh\n%s -d postgres -c "DROP DATABASE IF EXISTS b WITH (FORCE)" -c "CREATE DATABASE b"\n' "$psql" >reset.sh
printf '#!/bin/sh\n./reset.sh && %s -q -u "%s" -d m upgrade head\n' "$retort" "$pg_url" >reset_up.sh
chmod +x reset.sh reset_up.sh
reset=./reset.sh
pruns=$(( runs > 5 ? 5 : runs ))
w3=$(bench w3 "$pruns" "$reset" "$retort -q -u $pg_url -d m upgrade head")
w3s=$(bench w3s "$pruns" "$reset" "$retort -q -u $pg_url -d m --single-transaction upgrade head")
hyperfine -w 1 -r "$pruns" --prepare "$reset" --export-json w5p.json "$psql -d b -f m/floor.sql" >/dev/null 2>&1
w5p=$(median w5p.json)
hyperfine -w 1 -r "$pruns" --prepare "$reset" --export-json w5p1.json "$psql -d b -1 -f m/floor1.sql" >/dev/null 2>&1
w5p1=$(median w5p1.json)
w4=$(bench w4 "$pruns" ./reset_up.sh "$retort -q -u $pg_url -d m downgrade base")
./reset.sh >/dev/null
rss_pg=$(rss "$retort" -q -u "$pg_url" -d m upgrade head)

cat <<TABLE
| workload ($n revisions) | retort | floor (database CLI) | retort / floor | peak RSS |
|---|---:|---:|---:|---:|
| W1 cold \`current\`, SQLite, up to date | ${w1} ms | | | ${rss_cur} MB |
| W2 \`upgrade head\`, SQLite, 1 txn/migration | ${w2} ms | ${w5s} ms | $(ratio "$w2" "$w5s") | ${rss_up} MB |
| W2 \`--single-transaction upgrade head\`, SQLite | ${w2s} ms | ${w5s1} ms | $(ratio "$w2s" "$w5s1") | |
| W3 \`upgrade head\`, PostgreSQL, 1 txn/migration | ${w3} ms | ${w5p} ms | $(ratio "$w3" "$w5p") | ${rss_pg} MB |
| W3 \`--single-transaction upgrade head\`, PostgreSQL | ${w3s} ms | ${w5p1} ms | $(ratio "$w3s" "$w5p1") | |
| W4 \`downgrade base\`, PostgreSQL | ${w4} ms | | | |
| W6 \`history\`, linear | ${w6h} ms | | | |
| W6 \`heads\`, linear | ${w6s} ms | | | |
| W6 \`history\` / \`heads\`, 1,000 with branches and merges | ${w6h1} / ${w6s1} ms | | | |
| W6 \`history\` / \`heads\`, 10,000 with branches and merges | ${w6h10} / ${w6s10} ms | | | |
| planning \`upgrade heads\` from base, 1k / 10k${p100:+ / 100k} | ${p1} / ${p10}${p100:+ / $p100} ms | | | |
TABLE

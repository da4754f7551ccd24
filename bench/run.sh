#!/usr/bin/env bash
# make bench: retort side by side with Alembic, dbmate and the floor set by
# each database's own CLI, on identical SQL (bench/gen.py), for N = 100 and
# 1,000 revisions (BENCH_BIG=1 adds 10,000):
#   W1  `current` on an up-to-date SQLite database (dbmate: `status`), with
#       retort's header cache off (--no-cache) and on (filled by a first run),
#       of the .sql revisions and of the Alembic project's .py revisions
#   W2  `upgrade head` from empty on SQLite, one transaction per migration,
#       and in one transaction (retort --single-transaction, Alembic with
#       transaction_per_migration off)
#   W3  the same on PostgreSQL;  W4 `downgrade base` on PostgreSQL
#   W5  the floors: sqlite3 and psql applying the same SQL with the same
#       version-row changes, per migration and in one transaction
#   W6  `history` and `heads` on 1,000 and 10,000 revisions with branches
#       and merges (retort without and with its header cache), and planning
#       `upgrade heads --sql` from base
#   W7  autogenerate against Zabbix 6.0's schema (173 tables, from Debian's
#       packages) on SQLite and PostgreSQL
#   W9  one 50 MB data migration (BENCH_BIG_MB) on SQLite and PostgreSQL,
#       beside the floor applying the same file in one transaction
#   W10 fleets: `check` across 100 and 1,000 SQLite files and 200
#       PostgreSQL databases, one fleet run against a shell loop of single
#       runs and of Alembic runs (bench/fleet.sh, which also runs alone)
#   W8  the image's size and a container's start-to-exit for `current`
#       (when a container engine and the retort:local image are there)
#   W11 `lint --all` of 1,000 (and 10,000) linear revisions with the
#       PostgreSQL rules, offline (every upgrade parsed by libpg_query)
#   W13 `upgrade head` on PostgreSQL through a proxy that delays each way
#       (bench/remote.sh, which also runs alone), beside psql and dbmate
#   W12 `upgrade head` and `downgrade base` on MariaDB beside dbmate and the
#       mariadb client's floor, interleaved round by round (bench/mysql.sh,
#       which starts its own private server, skips without one, and also
#       runs alone)
# Each figure is hyperfine's median (a warm-up, then BENCH_RUNS runs, the
# database reset before each run); peak RSS is GNU time's of one run.
# PostgreSQL is a private server (tests/pg/server.sh, fsync off, its data
# in /dev/shm so that the disk's write-back stays out of the figures).  Whatever
# is missing is installed: apt (hyperfine, alembic, psycopg2, PostgreSQL)
# and npm (dbmate, into ~/.cache/retort/bench-npm).  The table goes to
# standard output and, with the machine's description, to bench/RESULTS.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
retort=${RETORT_BIN:-$here/../build/retort}
runs=${BENCH_RUNS:-5}
sizes=${BENCH_SIZES:-"100 1000${BENCH_BIG:+ 10000}"}
out=${BENCH_OUT:-$here/RESULTS.md}

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
[ -x /usr/bin/time ] || need+=(time)
command -v sqlite3 >/dev/null || need+=(sqlite3)
[ -x /usr/bin/alembic ] || need+=(alembic python3-alembic)
/usr/bin/python3 -c 'import psycopg2' 2>/dev/null || need+=(python3-psycopg2)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql-15)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
	echo "bench: installing ${need[*]}" >&2
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# dbmate comes from npm, whose node_modules/.bin/dbmate is a Node.js
# wrapper that pays Node's start-up (about 170 ms) before dbmate runs:
# measure the Go binary the package ships, never the wrapper.
npmdir=${XDG_CACHE_HOME:-$HOME/.cache}/retort/bench-npm
dbmate=$npmdir/node_modules/@dbmate/linux-x64/bin/dbmate
if [ ! -x "$dbmate" ]; then
	echo "bench: installing dbmate (npm)" >&2
	mkdir -p "$npmdir"
	npm install --prefix "$npmdir" --no-audit --no-fund dbmate@2 >/dev/null 2>&1 ||
		echo "bench: npm could not install dbmate; its columns stay empty" >&2
fi
if [ -x "$dbmate" ] && head -c 2 "$dbmate" | grep -q '#!'; then
	echo "bench: $dbmate is a script, not dbmate's binary; its columns stay empty" >&2
	dbmate=/nonexistent/dbmate
fi
alembic=/usr/bin/alembic

work=$(mktemp -d)
# retort's header cache goes with the work directory, not the user's
export RETORT_CACHE_DIR=$work/cache
pgdir=""
cleanup() {
	cd /   # pg_ctl runs as postgres, which cannot enter $work
	[ -n "$pgdir" ] && "$here/../tests/pg/server.sh" stop "$pgdir"
	rm -rf "$work"
}
trap cleanup EXIT
results=$work/results.tsv
: >"$results"
cd "$work"

median() { # hyperfine JSON -> median ms
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % (r["median"]*1000))' "$1"
}
# measure W N TOOL PREPARE CMD...: one row of results (median ms, peak RSS MB)
measure() {
	local w=$1 n=$2 tool=$3 prep=$4 runs_here=${RUNS_HERE:-$runs}
	shift 4
	[ -x "${1%% *}" ] || command -v "$1" >/dev/null || return 0
	if ! hyperfine -N -w 1 -r "$runs_here" --prepare "$prep" --export-json "$work/m.json" \
		"$(printf '%q ' "$@")" \
		>"$work/hf.log" 2>&1; then
		echo "bench: $tool failed on $w (N=$n):" >&2
		tail -5 "$work/hf.log" >&2
		return 0
	fi
	local ms mb
	ms=$(median "$work/m.json")
	$prep >/dev/null 2>&1
	mb=$(/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f", $1/1024}')
	printf '%s\t%s\t%s\t%s\t%s\n' "$w" "$n" "$tool" "$ms" "$mb" >>"$results"
}

# 10,000 CREATE TABLEs in one transaction hold ~20,000 locks: PostgreSQL's
# default lock table (64 per connection) refuses that with "out of shared
# memory", for every tool alike; make room so the one-transaction rows exist.
eval "$(RETORT_TEST_PG_PARENT=/dev/shm RETORT_TEST_PG_OPTS="-c max_locks_per_transaction=1024" "$here/../tests/pg/server.sh" start)"
pgdir=$RETORT_TEST_PG_DIR
psql="$RETORT_TEST_PG_BIN/psql -X -q -v ON_ERROR_STOP=1 -h $pgdir -p $RETORT_TEST_PG_PORT -U postgres"
pg_url() { echo "postgresql://postgres@/$1?host=$pgdir&port=$RETORT_TEST_PG_PORT"; }
# hyperfine -N runs --prepare without a shell: give it scripts
printf '#!/bin/sh\n%s -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"\n' \
	"$psql" >reset.sh
chmod +x reset.sh

for n in $sizes; do
	/usr/bin/python3 "$here/gen.py" linear "m$n" "$n"
	m=$work/m$n
	printf 'BEGIN;\n' >"$m/floor1s.sql"
	cat "$m/floor1.sql" >>"$m/floor1s.sql"
	printf 'COMMIT;\n' >>"$m/floor1s.sql"
	RUNS_HERE=$runs
	[ "$n" -ge 10000 ] && RUNS_HERE=2

	# SQLite: W2 (each tool on its own file), then W1 on the result
	export BENCH_URL="sqlite:///$work/a.db" BENCH_TXN=each
	measure W2 "$n" retort "rm -f $work/r.db" "$retort" -q -u "sqlite:///$work/r.db" -d "$m/retort" upgrade head
	measure W2 "$n" alembic "rm -f $work/a.db" $alembic -c "$m/alembic.ini" upgrade head
	measure W2 "$n" dbmate "rm -f $work/d.db" "$dbmate" --url "sqlite:$work/d.db" --migrations-dir "$m/dbmate" --no-dump-schema migrate
	measure W2 "$n" floor "rm -f $work/f.db" sqlite3 "$work/f.db" ".read $m/floor.sql"
	# runs of a few milliseconds: thirty of each, so that a noisy minute
	# moves the medians less (Alembic's take a second: the usual count)
	RUNS_HERE=30 measure "W1 no cache" "$n" retort true "$retort" -q --no-cache -u "sqlite:///$work/r.db" -d "$m/retort" current
	measure "W1 no cache" "$n" alembic true $alembic -c "$m/alembic.ini" current
	RUNS_HERE=30 measure "W1 no cache" "$n" dbmate true "$dbmate" --url "sqlite:$work/d.db" --migrations-dir "$m/dbmate" status
	# the header cache, filled by hyperfine's warm-up (the files are older
	# than its two-second youth rule by now: W2 ran first)
	RUNS_HERE=30 measure "W1 cache" "$n" retort true "$retort" -q -u "sqlite:///$work/r.db" -d "$m/retort" current
	# the same read from the Alembic project: its .py revisions, parsed
	# natively, on the database Alembic migrated
	RUNS_HERE=30 measure "W1 .py no cache" "$n" retort true "$retort" -q --no-cache -c "$m/alembic.ini" -u "sqlite:///$work/a.db" current
	RUNS_HERE=30 measure "W1 .py cache" "$n" retort true "$retort" -q -c "$m/alembic.ini" -u "sqlite:///$work/a.db" current
	BENCH_TXN=one
	measure W2-1txn "$n" retort "rm -f $work/r.db" "$retort" -q -u "sqlite:///$work/r.db" -d "$m/retort" --single-transaction upgrade head
	measure W2-1txn "$n" alembic "rm -f $work/a.db" $alembic -c "$m/alembic.ini" upgrade head
	measure W2-1txn "$n" floor "rm -f $work/f.db" sqlite3 "$work/f.db" ".read $m/floor1s.sql"

	# PostgreSQL: W3, W4
	RUNS_HERE=$(( RUNS_HERE > 3 ? 3 : RUNS_HERE ))
	export BENCH_URL="postgresql+psycopg2://postgres@/b_alembic?host=$pgdir&port=$RETORT_TEST_PG_PORT" BENCH_TXN=each
	measure W3 "$n" retort "./reset.sh b_retort" "$retort" -q -u "$(pg_url b_retort)" -d "$m/retort" upgrade head
	measure W3 "$n" alembic "./reset.sh b_alembic" $alembic -c "$m/alembic.ini" upgrade head
	measure W3 "$n" dbmate "./reset.sh b_dbmate" "$dbmate" --url "postgres://postgres@:$RETORT_TEST_PG_PORT/b_dbmate?socket=$pgdir&sslmode=disable" --migrations-dir "$m/dbmate" --no-dump-schema migrate
	measure W3 "$n" floor "./reset.sh b_floor" $psql -d b_floor -f "$m/floor.sql"
	printf '#!/bin/sh\n./reset.sh b_retort && %s -q -u "%s" -d %s upgrade head\n' "$retort" "$(pg_url b_retort)" "$m/retort" >up_r.sh
	printf '#!/bin/sh\n./reset.sh b_alembic && %s -c %s upgrade head >/dev/null 2>&1\n' "$alembic" "$m/alembic.ini" >up_a.sh
	chmod +x up_r.sh up_a.sh
	measure W4 "$n" retort ./up_r.sh "$retort" -q -u "$(pg_url b_retort)" -d "$m/retort" downgrade base
	measure W4 "$n" alembic ./up_a.sh $alembic -c "$m/alembic.ini" downgrade base
	BENCH_TXN=one
	measure W3-1txn "$n" retort "./reset.sh b_retort" "$retort" -q -u "$(pg_url b_retort)" -d "$m/retort" --single-transaction upgrade head
	measure W3-1txn "$n" alembic "./reset.sh b_alembic" $alembic -c "$m/alembic.ini" upgrade head
	measure W3-1txn "$n" floor "./reset.sh b_floor" $psql -d b_floor -1 -f "$m/floor1.sql"
	rm -rf "$m"
done

# W6: graphs with branches and merges; planning from base (no database)
export BENCH_URL="sqlite:///$work/g.db"
for n in 1000 10000; do
	/usr/bin/python3 "$here/gen.py" graph "g$n" "$n"
	RUNS_HERE=$runs
	[ "$n" -ge 10000 ] && RUNS_HERE=2
	sleep 3   # older than the header cache's youth rule
	for c in history heads; do
		measure "W6 $c" "$n" retort true "$retort" -q --no-cache -d "g$n/retort" "$c"
		measure "W6 $c" "$n" alembic true $alembic -c "g$n/alembic.ini" "$c"
		measure "W6 $c, cache" "$n" retort true "$retort" -q -d "g$n/retort" "$c"
	done
	measure "W6 plan" "$n" retort true "$retort" -q -d "g$n/retort" -u sqlite:// upgrade heads --sql
	measure "W6 plan" "$n" alembic true $alembic -c "g$n/alembic.ini" upgrade heads --sql
	rm -rf "g$n"
done

# W11: the linter over every revision, offline (no database is opened)
for n in 1000${BENCH_BIG:+ 10000}; do
	/usr/bin/python3 "$here/gen.py" linear "l$n" "$n"
	RUNS_HERE=$runs
	[ "$n" -ge 10000 ] && RUNS_HERE=2
	measure "W11 lint --all" "$n" retort true "$retort" -q -d "l$n/retort" -u postgresql://nowhere/x lint --all
	rm -rf "l$n"
done

# W7: autogenerate from a large real schema (Debian's Zabbix packages)
zabbix() { # PACKAGE FILE -> schema.sql in $work/z
	local cache=${XDG_CACHE_HOME:-$HOME/.cache}/retort/real-schemas/$1
	if [ ! -d "$cache/x" ]; then
		mkdir -p "$cache"
		(cd "$cache" && apt-get download "$1" >/dev/null 2>&1 && dpkg -x "$1"_*.deb x) || return 1
	fi
	rm -rf z && mkdir -p z/versions && gzip -dc "$cache/x/$2" >z/schema.sql
}
printf '#!/bin/sh\nrm -f %s/z/versions/*\n' "$work" >clean_z.sh
chmod +x clean_z.sh
if zabbix zabbix-proxy-sqlite3 usr/share/zabbix-proxy-sqlite3/schema.sql.gz; then
	measure "W7 autogenerate, SQLite" 173 retort ./clean_z.sh "$retort" -q -u "sqlite:///$work/z.db" -d z revision --autogenerate -m zabbix
fi
if zabbix zabbix-server-pgsql usr/share/zabbix-server-pgsql/schema.sql.gz; then
	./reset.sh b_z
	measure "W7 autogenerate, PostgreSQL" 173 retort ./clean_z.sh "$retort" -q -u "$(pg_url b_z)" -d z revision --autogenerate -m zabbix
fi

# W9: one large data migration; time must grow linearly with its size
mb=${BENCH_BIG_MB:-50}
/usr/bin/python3 "$here/gen.py" big big "$mb"
RUNS_HERE=3 measure "W9 ${mb} MB migration, SQLite" 1 retort "rm -f $work/big.db" "$retort" -q -u "sqlite:///$work/big.db" -d big/retort upgrade head
RUNS_HERE=3 measure "W9 ${mb} MB migration, SQLite" 1 floor "rm -f $work/bigf.db" sqlite3 "$work/bigf.db" ".read big/floor.sql"
RUNS_HERE=3 measure "W9 ${mb} MB migration, PostgreSQL" 1 retort "./reset.sh b_big" "$retort" -q -u "$(pg_url b_big)" -d big/retort upgrade head
RUNS_HERE=3 measure "W9 ${mb} MB migration, PostgreSQL" 1 floor "./reset.sh b_bigf" $psql -d b_bigf -f big/floor.sql
rm -rf big

# W10: fleets, on this server, into this table
BENCH_RESULTS=$results RETORT_BIN=$retort BENCH_RUNS=$runs "$here/fleet.sh"

# W12: MariaDB, on its own private server, into this table
BENCH_RESULTS=$results RETORT_BIN=$retort BENCH_RUNS=$runs BENCH_SIZES=$sizes BENCH_DBMATE=$dbmate "$here/mysql.sh"

# W13: PostgreSQL through a link that delays each way, its own table
w13=$(RETORT_BIN=$retort BENCH_RUNS=$runs "$here/remote.sh")

# W8: the image (only when an engine and the image are there)
image=${RETORT_IMAGE:-retort:local}
w8=""
if command -v docker >/dev/null && docker image inspect "$image" >/dev/null 2>&1; then
	size=$(docker image inspect -f '{{.Size}}' "$image")
	w8="image $image: $size bytes"
	RUNS_HERE=5 measure "W8 container \`current\`" - retort true docker run --rm "$image" -u sqlite:////app/none.db current
fi

table=$(python3 - "$results" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
order, cells = [], {}
for w, n, tool, ms, mb in rows:
    if (w, n) not in cells:
        order.append((w, n))
        cells[(w, n)] = {}
    cells[(w, n)][tool] = (float(ms), mb)
def fmt(c):
    if c and c[1] == "-":
        return "%.1f ms" % c[0]
    return "%.1f ms, %s MB" % c if c else ""
print("| workload | N | retort | Alembic | dbmate | floor | retort / best peer | retort / floor |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for key in order:
    c = cells[key]
    r = c.get("retort")
    peers = [c[t][0] for t in ("alembic", "dbmate") if t in c]
    best = "%.2fx" % (r[0] / min(peers)) if r and peers else ""
    fl = "%.2fx" % (r[0] / c["floor"][0]) if r and "floor" in c else ""
    print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (key[0], key[1], fmt(r), fmt(c.get("alembic")),
          fmt(c.get("dbmate")), "%.1f ms" % c["floor"][0] if "floor" in c else "", best, fl))
PY
)
machine="$(uname -sm), $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), \
$(sed -n 's/^PRETTY_NAME="\(.*\)"/\1/p' /etc/os-release)"
versions="retort $("$retort" --version | head -1 | awk '{print $2}'); $($alembic --version 2>/dev/null || echo alembic missing); \
dbmate $("$dbmate" --version 2>/dev/null | awk '{print $3}'); sqlite3 $(sqlite3 --version | awk '{print $1}'); \
PostgreSQL $($psql -d postgres -Atc 'SHOW server_version')\
$([ ! -x /usr/sbin/mariadbd ] || /usr/sbin/mariadbd --version | sed 's/.* Ver \([0-9.]*\).*/; MariaDB \1/')"
# what was measured apart, under its heading, stays as it is
notes=""
[ ! -f "$out" ] || notes=$(sed -n '/^## Measured apart$/,$p' "$out")
{
	echo "# Benchmark results"
	echo
	echo "Produced by \`make bench\` (bench/run.sh) on $(date -u +%Y-%m-%d): $machine."
	echo "Versions: $versions. $runs runs after a warm-up (30 for W1's, fewer on PostgreSQL and at"
	echo "10,000);"
	echo "medians of wall time, and peak RSS of one run. PostgreSQL runs on a private socket"
	echo "with fsync off. Ratios are within this one run; the machine is noisy."
	[ -n "$w8" ] && echo "W8: $w8."
	echo
	echo "$table"
	printf '\n## W13, PostgreSQL over a slow link (bench/remote.sh)\n\n%s\n' "$w13"
	[ -z "$notes" ] || printf '\n%s\n' "$notes"
} >"$out"
cat "$out"

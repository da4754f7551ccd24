#!/usr/bin/env bash
# W10, fleets: `check` with nothing to do across many up-to-date databases
# (a 10-revision history), three ways:
#   fleet    one retort run with --targets FILE (--jobs 4, the default, and 8)
#   loop     a shell loop of single `retort check` runs, one per database
#   alembic  a shell loop of `alembic current` runs (Alembic's `check` needs
#            model metadata; `current` is its nearest no-op per database),
#            over the first BENCH_FLEET_ALEMBIC databases only (default 20),
#            its figure scaled to the whole fleet and marked so
# on 100 and 1,000 SQLite files (cost per target as the fleet grows) and on
# 200 PostgreSQL databases of one local server (BENCH_FLEET_PG), beside
#   floor    bench/pgfloor.c: libpq connecting to each database, reading
#            its version table in one query and closing, 8 threads at once
#            (what the server's accepting connections costs by itself)
# bench/run.sh runs it with its server and results file; alone it starts
# its own private server (tests/pg/server.sh, its data in /dev/shm) and
# prints its rows:
#   bench/fleet.sh            (RETORT_BIN, BENCH_RUNS as for run.sh)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
retort=${RETORT_BIN:-$here/../build/retort}
runs=${BENCH_RUNS:-5}
alembic_n=${BENCH_FLEET_ALEMBIC:-20}
pg_n=${BENCH_FLEET_PG:-200}
alembic=/usr/bin/alembic
[ -x "$alembic" ] || alembic="/usr/bin/python3 -m alembic"
fw=$(mktemp -d)
own_pg=""
cleanup() {
	cd /
	[ -n "$own_pg" ] && "$here/../tests/pg/server.sh" stop "$own_pg"
	rm -rf "$fw"
}
trap cleanup EXIT
if [ -z "${RETORT_TEST_PG_DIR:-}" ]; then
	eval "$(RETORT_TEST_PG_PARENT=/dev/shm "$here/../tests/pg/server.sh" start)"
	own_pg=$RETORT_TEST_PG_DIR
fi
results=${BENCH_RESULTS:-$fw/results.tsv}
cd "$fw"
psql="$RETORT_TEST_PG_BIN/psql -X -q -v ON_ERROR_STOP=1 -h $RETORT_TEST_PG_DIR -p $RETORT_TEST_PG_PORT -U postgres"

# row W N TOOL CMD...: hyperfine's median of CMD (a warm-up, then runs)
row() {
	local w=$1 n=$2 tool=$3 r=${RUNS_HERE:-$runs}
	shift 3
	if ! hyperfine -N -w 1 -r "$r" --export-json "$fw/m.json" "$(printf '%q ' "$@")" >"$fw/hf.log" 2>&1; then
		echo "bench: $tool failed on $w (N=$n):" >&2
		tail -5 "$fw/hf.log" >&2
		return 0
	fi
	local ms
	ms=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % (r["median"]*1000))' "$fw/m.json")
	printf '%s\t%s\t%s\t%s\t-\n' "$w" "$n" "$tool" "$ms" >>"$results"
	echo "bench: $w N=$n $tool: $ms ms" >&2
}

# loops: a script per database list, since hyperfine -N runs no shell
loops() { # NAME LISTFILE ALEMBIC_URLS_FILE
	{
		echo '#!/bin/sh'
		echo "while read -r u; do $retort -q -d $fw/m/retort -u \"\$u\" check >/dev/null || exit 1; done <$2"
	} >"loop_$1.sh"
	{
		echo '#!/bin/sh'
		echo "while read -r u; do BENCH_URL=\"\$u\" $alembic -c $fw/m/alembic.ini current >/dev/null 2>&1 || exit 1; done <$3"
	} >"alembic_$1.sh"
	chmod +x "loop_$1.sh" "alembic_$1.sh"
}

# alembic_row W N NAME: Alembic's loop over the first $alembic_n, scaled to N
alembic_row() {
	/usr/bin/python3 -c 'import alembic, psycopg2' 2>/dev/null || return 0
	local before
	before=$(wc -l <"$results")
	RUNS_HERE=1 row "$1" "$alembic_n" alembic "./alembic_$3.sh"
	if [ "$(wc -l <"$results")" -gt "$before" ]; then
		local ms
		ms=$(tail -1 "$results" | cut -f4)
		sed -i '$d' "$results"
		printf '%s\t%s\t%s\t%s\t-\n' "$1" "$2" alembic \
			"$(python3 -c "print('%.1f' % ($ms * $2 / $alembic_n))")" >>"$results"
		echo "bench: (Alembic measured on $alembic_n databases, scaled to $2)" >&2
	fi
}

/usr/bin/python3 "$here/gen.py" linear m 10
"$retort" -q -u "sqlite:///$fw/seed.db" -d m/retort upgrade head
for n in 100 1000; do
	mkdir -p "sq$n"
	: >"sq$n.txt"
	: >"sqa$n.txt"
	for i in $(seq "$n"); do
		cp seed.db "sq$n/$i.db"
		echo "sqlite:///$fw/sq$n/$i.db" >>"sq$n.txt"
	done
	head -"$alembic_n" "sq$n.txt" >"sqa$n.txt"
	loops "sq$n" "sq$n.txt" "sqa$n.txt"
	row "W10 fleet check, SQLite, --jobs 4" "$n" retort "$retort" -q -d m/retort --targets "sq$n.txt" check
	row "W10 fleet check, SQLite, --jobs 8" "$n" retort "$retort" -q -d m/retort --jobs 8 --targets "sq$n.txt" check
	RUNS_HERE=$(( n >= 1000 ? 2 : runs )) row "W10 loop of single runs, SQLite" "$n" retort "./loop_sq$n.sh"
	alembic_row "W10 loop of single runs, SQLite" "$n" "sq$n"
done

$psql -d postgres -c "CREATE DATABASE f_seed"
"$retort" -q -u "postgresql://postgres@/f_seed?host=$RETORT_TEST_PG_DIR&port=$RETORT_TEST_PG_PORT" -d m/retort upgrade head
: >pg.txt
: >pga.txt
for i in $(seq "$pg_n"); do
	$psql -d postgres -c "CREATE DATABASE f_$i TEMPLATE f_seed"
	echo "postgresql://postgres@/f_$i?host=$RETORT_TEST_PG_DIR&port=$RETORT_TEST_PG_PORT" >>pg.txt
done
head -"$alembic_n" pg.txt | sed 's|^postgresql://|postgresql+psycopg2://|' >pga.txt
loops pg pg.txt pga.txt
row "W10 fleet check, PostgreSQL, --jobs 4" "$pg_n" retort "$retort" -q -d m/retort --targets pg.txt check
row "W10 fleet check, PostgreSQL, --jobs 8" "$pg_n" retort "$retort" -q -d m/retort --jobs 8 --targets pg.txt check
if cc -std=c11 -D_DEFAULT_SOURCE -O2 -o pgfloor "$here/pgfloor.c" -I"$(pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)" -lpq -lpthread 2>"$fw/cc.log"; then
	row "W10 floor: connect, one query, close (libpq, 8 threads)" "$pg_n" floor ./pgfloor 8 pg.txt
else
	echo "bench: bench/pgfloor.c did not build (libpq-dev?), no floor row:" >&2
	tail -3 "$fw/cc.log" >&2
fi
RUNS_HERE=2 row "W10 loop of single runs, PostgreSQL" "$pg_n" retort ./loop_pg.sh
alembic_row "W10 loop of single runs, PostgreSQL" "$pg_n" pg
for i in $(seq "$pg_n"); do $psql -d postgres -c "DROP DATABASE f_$i"; done
$psql -d postgres -c "DROP DATABASE f_seed"
[ -n "${BENCH_RESULTS:-}" ] || column -t -s "$(printf '\t')" "$results"

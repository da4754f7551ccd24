#!/usr/bin/env bash
# make bench: retort's core figures on SQLite, with the database floor.
#   W1  cold `retort current` on an up-to-date database, 1,000 revisions
#   W2  `retort upgrade head` from empty, 1,000 revisions, against the
#       sqlite3 CLI applying the same SQL (one transaction per migration)
#   W6  `retort history` and `heads` on 1,000 revisions
#   RSS peak resident memory of each retort run (GNU time)
# Timings come from hyperfine (warm-up, several runs, database reset before
# each); it and GNU time are installed with apt when missing.  Results are
# printed as a table; bench/RESULTS.md keeps the last recorded run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
retort=${RETORT_BIN:-$here/../build/retort}
n=${BENCH_N:-1000}
runs=${BENCH_RUNS:-10}

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
[ -x /usr/bin/time ] || need+=(time)
command -v sqlite3 >/dev/null || need+=(sqlite3)
if [ ${#need[@]} -gt 0 ]; then
	echo "bench: installing ${need[*]}" >&2
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/gen.sh" "$work/m" "$n"
db="$work/b.db"
export DATABASE_URL="sqlite:///$db"
cd "$work"

median() { # hyperfine JSON -> median ms
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % (r["median"]*1000))' "$1"
}
rss() { # peak RSS in MB of one run of the command
	/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f", $1/1024}'
}

hyperfine -N -w 2 -r "$runs" --prepare "rm -f $db" --export-json w2.json \
	"$retort -q -d m upgrade head" >/dev/null
hyperfine -w 2 -r "$runs" --prepare "rm -f $db" --export-json w5.json \
	"sqlite3 $db < m/floor.sql" >/dev/null
rm -f "$db"
"$retort" -q -d m upgrade head
hyperfine -N -w 3 -r $((runs * 3)) --export-json w1.json "$retort -q -d m current" >/dev/null
hyperfine -N -w 3 -r $((runs * 3)) --export-json w6h.json "$retort -q -d m history" >/dev/null
hyperfine -N -w 3 -r $((runs * 3)) --export-json w6s.json "$retort -q -d m heads" >/dev/null

w1=$(median w1.json) w2=$(median w2.json) w5=$(median w5.json)
w6h=$(median w6h.json) w6s=$(median w6s.json)
rss_cur=$(rss "$retort" -q -d m current)
rm -f "$db"
rss_up=$(rss "$retort" -q -d m upgrade head)
ratio=$(python3 -c "print('%.2f' % ($w2 / $w5))")

cat <<TABLE
| workload ($n revisions, SQLite)                   | median     | peak RSS |
|---------------------------------------------------|-----------:|---------:|
| W1 cold \`retort current\`, up to date              | ${w1} ms | ${rss_cur} MB |
| W2 \`retort upgrade head\` from empty               | ${w2} ms | ${rss_up} MB |
| W5 floor: sqlite3 CLI, same SQL, 1 txn/migration  | ${w5} ms |          |
| W2 / W5                                           | ${ratio}x      |          |
| W6 \`retort history\`                               | ${w6h} ms |          |
| W6 \`retort heads\`                                 | ${w6s} ms |          |
TABLE

#!/bin/sh
# Run each libFuzzer target for FUZZ_SECONDS on a scratch copy of its seed
# corpus (the committed corpus never grows); stop at the first crash, whose
# input is saved as build/fuzz/artifacts/TARGET-crash-*.
#   tests/fuzz/run.sh BINDIR TARGET...
set -eu
bindir=$(cd "$1" && pwd); shift
here=$(cd "$(dirname "$0")" && pwd)
secs=${FUZZ_SECONDS:-60}
art=$bindir/artifacts
mkdir -p "$art"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/retort-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM HUP PIPE
# the config target's temporary directory too, even after a crash
mkdir "$scratch/tmp"
export TMPDIR="$scratch/tmp"
failed=0
for t in "$@"; do
	mkdir -p "$scratch/$t"
	cp "$here/corpus/$t"/* "$scratch/$t/"
	log=$scratch/$t.log
	if ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
		"$bindir/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
		-max_len=4096 -print_final_stats=1 -artifact_prefix="$art/$t-" \
		"$scratch/$t" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "fuzz $t: ok, $runs runs in ${secs}s"
	else
		echo "fuzz $t: FAILED" >&2
		sed -n '/ERROR: \|property failed\|runtime error/,$p' "$log" | grep -v '^#[0-9]* *[A-Z]' |
			head -n 40 >&2
		crash=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
		[ -z "$crash" ] || echo "reproduce: $bindir/fuzz_$t $crash" >&2
		failed=$((failed + 1))
		break
	fi
done
[ "$failed" = 0 ] && echo "fuzz: $# targets, no crash" || { echo "fuzz: crash (see above)" >&2; exit 1; }

#!/usr/bin/env bash
# Runs every test: the cmocka unit tests (tests/unit, built by make into
# $UNIT_DIR) and the bats CLI tests (tests/cli) against $RETORT_BIN, all in
# TAP, and ends with one line "N passed, M failed[, K skipped]".
# RETORT_WRAP (e.g. "valgrind ...") wraps every program run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${RETORT_BIN:?set RETORT_BIN to the retort binary}"
: "${UNIT_DIR:?set UNIT_DIR to the built unit tests}"
export RETORT_BIN RETORT_WRAP="${RETORT_WRAP:-}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# A private PostgreSQL server for the PostgreSQL tests, unless one is given.
if [ -z "${RETORT_TEST_PG_URL:-}" ]; then
	if pg_env=$("$here/pg/server.sh" start); then
		eval "$pg_env"
		trap 'rm -f "$log"; "$here/pg/server.sh" stop "$RETORT_TEST_PG_DIR"' EXIT
	else
		echo "# SKIP: no PostgreSQL server binaries (apt-get install postgresql-15);" \
			"the PostgreSQL tests will be skipped"
	fi
fi

pass=0 fail=0 skip=0
count() {   # read TAP on stdin, echo it, and tally
	local line
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in
		# a skip, however the runner spells it (cmocka: "not ok N # SKIP")
		"ok "*"# skip"*|"ok "*"# SKIP"*|"not ok "*"# SKIP"*) skip=$((skip + 1)) ;;
		"not ok "*) fail=$((fail + 1)) ;;
		"ok "*) pass=$((pass + 1)) ;;
		esac
	done
}

for t in "$UNIT_DIR"/test_*; do
	[ -x "$t" ] || continue
	echo "# unit: ${t##*/}"
	CMOCKA_MESSAGE_OUTPUT=TAP $RETORT_WRAP "$t" >"$log" 2>&1
	rc=$?
	count <"$log"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$log"; then
		echo "not ok - ${t##*/} exited with status $rc"
		fail=$((fail + 1))
	fi
done

if ! command -v bats >/dev/null; then
	echo "not ok - bats is not installed (make deps); the CLI tests did not run"
	fail=$((fail + 1))
else
	(unset RETORT_TEST_BACKEND; bats --tap "$here"/cli/*.bats) >"$log" 2>&1
	count <"$log"
	# the shared scenarios, once per backend
	for backend in sqlite postgresql; do
		echo "# shared scenarios on $backend"
		RETORT_TEST_BACKEND=$backend bats --tap "$here"/cli/shared/*.bats >"$log" 2>&1
		count <"$log"
	done
fi

if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]

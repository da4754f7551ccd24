#!/usr/bin/env bash
# Run retort in the compose project's `migrate` service, as if it were
# installed here:
#
#   ./scripts/migrate.sh upgrade head
#   ./scripts/migrate.sh revision -m "add users"
#   ./scripts/migrate.sh --local current        # the binary built by `make`
#
# Every argument goes to retort; its exit status comes back.  A TTY is
# allocated only when this script runs in one, and the container runs as
# your user, so files it writes (new revisions) are yours.  Works with
# `docker compose` and with `docker-compose`.  RETORT_LOCAL=1 is --local;
# RETORT_DB=mariadb runs the service `migrate-mariadb` of compose's mariadb
# profile instead, against MariaDB.
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
	cat <<'USAGE'
usage: scripts/migrate.sh [--local] RETORT-ARGS...

Runs `retort RETORT-ARGS...` in the compose service `migrate` (starting the
database first), or with --local (or RETORT_LOCAL=1) the locally built
build/retort.  RETORT_DB=mariadb uses MariaDB instead of PostgreSQL (the
service `migrate-mariadb` of compose's mariadb profile).  Examples:

  scripts/migrate.sh upgrade head
  scripts/migrate.sh current
  scripts/migrate.sh revision -m "add users"
  scripts/migrate.sh downgrade -1
  scripts/migrate.sh --help          # retort's own help
USAGE
}

die() {
	printf 'migrate.sh: error: %s\n' "$1" >&2
	exit "${2:-2}"
}

local_run=${RETORT_LOCAL:-0}
if [ "${1:-}" = --local ]; then
	local_run=1
	shift
fi
if [ $# -eq 0 ]; then
	usage >&2
	exit 64
fi

if [ "$local_run" = 1 ]; then
	bin=${RETORT_BIN:-$root/build/retort}
	[ -x "$bin" ] || die "'$bin' is not built yet: run 'make' first (or drop --local)"
	exec "$bin" "$@"
fi

# The service: PostgreSQL's, or MariaDB's in compose's mariadb profile.
tty=()
if [ ! -t 0 ] || [ ! -t 1 ]; then
	tty=(-T)
fi
case ${RETORT_DB:-postgresql} in
postgresql) run=(run --rm "${tty[@]}" migrate) ;;
mariadb) run=(--profile mariadb run --rm "${tty[@]}" migrate-mariadb) ;;
*) die "RETORT_DB is '$RETORT_DB'; it takes postgresql (the default) or mariadb" 64 ;;
esac
if docker compose version >/dev/null 2>&1; then
	compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
	compose=(docker-compose)
else
	die "neither 'docker compose' nor 'docker-compose' is installed; install Docker with its compose plugin, or run with --local"
fi
if ! docker info >/dev/null 2>&1; then
	die "no container engine answers (is the Docker daemon running, and may you use it?); start it, or run with --local"
fi

# Each checkout runs the image built from its own sources: a tag of its
# own, so that two checkouts on one engine never run each other's binary.
if [ -z "${RETORT_IMAGE:-}" ]; then
	RETORT_IMAGE=retort:local-$(printf '%s' "$root" | cksum | cut -d ' ' -f 1)
	export RETORT_IMAGE
fi
# Files the container writes belong to you.
export RETORT_UID=${RETORT_UID:-$(id -u)} RETORT_GID=${RETORT_GID:-$(id -g)}
cd "$root" || die "cannot enter '$root'"
"${compose[@]}" "${run[@]}" "$@"
exit $?

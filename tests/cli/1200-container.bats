#!/usr/bin/env bats
# Covers the Docker journey with a real container engine: the image (size,
# non-root user, read-only root, no default database, the static binary on
# a machine without musl), the user journey through compose and
# scripts/migrate.sh on a fresh copy of the repository, on PostgreSQL and
# on MariaDB (compose's mariadb profile), and the CI flow
# (database and migration started together; a database that never comes
# up; a wrong password), and the models example (the static binary copied
# into an application image with SQLAlchemy).  Needs `docker info` to
# answer (on machines without Docker: ../shared/container-lab/setup.sh);
# skips loudly otherwise.
# Runs in plain `make test` only: the ASan and valgrind runs test the host
# binary, and the image does not change between them.

load helpers
load container

setup_file() {
	container_setup_file
	[ -z "${SKIP_ALL:-}" ] || return 0
	export POSTGRES_IMAGE=${POSTGRES_IMAGE:-localhost/postgres:15-lab} RETORT_IMAGE=$IMAGE
}

# docker run, keeping the exit status: some engines' `docker run --rm`
# report 0 whatever the container returned, so remove it afterwards instead.
drun() {
	local name=rt-$$-$RANDOM rc
	docker run --name "$name" "$@"
	rc=$?
	docker rm "$name" >/dev/null 2>&1
	return $rc
}

setup() {
	[ -z "${SKIP_ALL:-}" ] || skip "$SKIP_ALL"
	[ -z "${BUILD_FAILED:-}" ] || { echo "docker build failed" >&2; return 1; }
	TEST_DIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/retort-ct.XXXXXX")
	# a fresh copy of the repository: what a user has after cloning
	(cd "$REPO" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$TEST_DIR")
	cd "$TEST_DIR" || return 1
	export COMPOSE_PROJECT_NAME=rt${BATS_TEST_NUMBER}x$$
	unset DATABASE_URL RETORT_UID RETORT_GID RETORT_LOCAL
	# retort run on the host (RETORT_LOCAL tests) keeps its header cache here
	export RETORT_CACHE_DIR=$TEST_DIR.cache
}

teardown() {
	[ -n "${TEST_DIR:-}" ] || return 0
	# the profile's services too, whichever the test started
	cd "$TEST_DIR" && docker compose --profile mariadb down -v -t 1 >/dev/null 2>&1
	cd / && rm -rf "$TEST_DIR" "$TEST_DIR.cache"
}

@test "image: under 10 MB, non-root, read-only root, --version names the libraries" {
	size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
	echo "# image size: $size bytes" >&3
	[ "$size" -lt 10000000 ]
	[ "$(docker image inspect -f '{{.Config.User}}' "$IMAGE")" = "10001:10001" ]
	run drun --read-only "$IMAGE" --version
	[ "$status" -eq 0 ]
	[[ $output == *"sqlite 3."* && $output == *"libpq 15."* && $output == *"libmariadb 3."* && $output == *"libcurl/7."*"OpenSSL/3."* ]]
	run drun --read-only --entrypoint /retort "$IMAGE" wait --timeout 0 tcp://127.0.0.1:1
	[ "$status" -eq 3 ]
}

@test "image: no default database; without DATABASE_URL it exits 2 and says so" {
	run drun --read-only "$IMAGE" upgrade head
	[ "$status" -eq 2 ]
	[[ $output == *"no database configured"*"set DATABASE_URL or DATABASE_URL_FILE, or pass -u/--url"* ]]
	run drun --read-only "$IMAGE" history
	[ "$status" -eq 0 ]
	[[ $output == *"create customers"* ]]
}

@test "image: the static binary runs on a Debian machine without musl" {
	id=$(docker create "$IMAGE")
	docker cp "$id:/retort" "$TEST_DIR/retort-static"
	docker rm "$id" >/dev/null
	run file "$TEST_DIR/retort-static"
	[[ $output == *"statically linked"* ]]
	run drun -v "$TEST_DIR/retort-static:/usr/local/bin/retort:ro" debian:bookworm-slim \
		sh -c 'test ! -e /lib/ld-musl-x86_64.so.1 && retort --version'
	[ "$status" -eq 0 ]
	[[ $output == *"libpq 15."* ]]
}

@test "journey: up db, migrate.sh upgrade, compose run current, revision, downgrade, check, down -v" {
	run docker compose up -d db
	[ "$status" -eq 0 ]
	run ./scripts/migrate.sh upgrade head
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"upgrade 8d3f2e4c7a32 -> 9e4a3f5d6b43, add customer phone"* ]]
	run docker compose run --rm -T migrate current
	[ "$status" -eq 0 ]
	[[ $output == *"9e4a3f5d6b43 (head)"* ]]
	# new files belong to the host user (the script maps it; here a stand-in uid)
	chmod 777 migrations/versions
	RETORT_UID=4321 RETORT_GID=4321 run ./scripts/migrate.sh revision -m "add x"
	[ "$status" -eq 0 ]
	f=$(ls migrations/versions/*_add_x.sql)
	[ "$(stat -c %u:%g "$f")" = "4321:4321" ]
	run ./scripts/migrate.sh revision -m "add y"
	f=$(ls migrations/versions/*_add_y.sql)
	[ "$(stat -c %u "$f")" = "$(id -u)" ]
	rm -f migrations/versions/*_add_[xy].sql
	run ./scripts/migrate.sh downgrade -1
	[ "$status" -eq 0 ]
	run ./scripts/migrate.sh check
	[ "$status" -eq 1 ]
	[[ $output == *"9e4a3f5d6b43, add customer phone"* ]]
	./scripts/migrate.sh upgrade head
	run ./scripts/migrate.sh check
	[ "$status" -eq 0 ]
	run docker compose down -v
	[ "$status" -eq 0 ]
	[ -z "$(docker volume ls -q --filter "name=${COMPOSE_PROJECT_NAME}_db-data")" ]
}

@test "journey on MariaDB: the mariadb profile, RETORT_DB=mariadb migrate.sh, Alembic's version table, down -v" {
	export MARIADB_IMAGE=${MARIADB_IMAGE:-localhost/mariadb:10.11-lab}
	run docker compose --profile mariadb up -d mariadb
	[ "$status" -eq 0 ]
	RETORT_DB=mariadb run ./scripts/migrate.sh upgrade head
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"upgrade 8d3f2e4c7a32 -> 9e4a3f5d6b43, add customer phone"* ]]
	run docker compose --profile mariadb run --rm -T migrate-mariadb current
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"9e4a3f5d6b43 (head)"* ]]
	# the schema loads into a scratch database the app user may make (docker/mariadb-initdb.sh)
	RETORT_DB=mariadb run ./scripts/migrate.sh check
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"matches the schema in migrations/schema.sql"* ]]
	# the version table is the one Alembic creates on MySQL, in InnoDB
	run docker compose --profile mariadb exec -T mariadb mariadb -uroot -N -B -e \
		"SELECT engine, column_type FROM information_schema.columns JOIN information_schema.tables USING (table_schema, table_name) WHERE table_schema = 'app' AND table_name = 'alembic_version'"
	[ "$output" = "$(printf 'InnoDB\tvarchar(32)')" ]
	RETORT_DB=mariadb run ./scripts/migrate.sh downgrade base
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"downgrade 6b1f0c2d9a10 -> <base>, create customers"* ]]
	RETORT_DB=oracle run ./scripts/migrate.sh current
	[ "$status" -eq 64 ]
	[[ $output == *"RETORT_DB is 'oracle'; it takes postgresql (the default) or mariadb"* ]]
	run docker compose --profile mariadb down -v
	[ "$status" -eq 0 ]
	[ -z "$(docker volume ls -q --filter "name=${COMPOSE_PROJECT_NAME}_mariadb-data")" ]
}

@test "migrate.sh: usage, --local, exit codes pass through" {
	run ./scripts/migrate.sh
	[ "$status" -eq 64 ]
	[[ $output == *"usage: scripts/migrate.sh"* ]]
	RETORT_BIN=$RETORT_BIN run ./scripts/migrate.sh --local -u "sqlite:///$TEST_DIR/l.db" upgrade head
	[ "$status" -eq 0 ]
	RETORT_BIN=$RETORT_BIN RETORT_LOCAL=1 run ./scripts/migrate.sh -u "sqlite:///$TEST_DIR/l.db" check
	[ "$status" -eq 0 ]
	run ./scripts/migrate.sh show no-such-rev
	[ "$status" -eq 2 ]
	[[ $output == *"no-such-rev"* ]]
}

@test "ci: database and migration start at the same moment; the migration waits" {
	# create the network and the container first: two compose commands
	# creating the project's network at once can race (compose 1.29)
	docker compose up --no-start db >up.log 2>&1 || { cat up.log; return 1; }
	docker compose start db >up.log 2>&1 &
	up=$!
	# --no-deps: no help from compose's health check, only retort's own wait
	run docker compose run --rm -T --no-deps migrate upgrade head
	wait $up || { echo "docker compose start db failed:"; cat up.log; return 1; }
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"waiting up to 60 s for postgresql://app:***@db:5432/app"* ]]
	[[ $output == *"is ready"* ]]
	[[ $output == *"add customer phone"* ]]
	[[ $output != *":app@db"* ]]
	run docker compose run --rm -T migrate check
	[ "$status" -eq 0 ]
}

@test "ci: a database that never comes up ends in exit 3 within the timeout" {
	start=$SECONDS
	run docker compose run --rm -T --no-deps -e RETORT_WAIT_TIMEOUT=4 migrate current
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *"timed out after 4 s waiting for 'postgresql://app:***@db:5432/app'; last try:"* ]]
	[ $((SECONDS - start)) -lt 40 ]
}

@test "ci: a wrong password ends at once with a clear error" {
	docker compose up -d --wait db >/dev/null 2>&1 || docker compose up -d db >/dev/null
	start=$SECONDS
	run docker compose run --rm -T -e DATABASE_URL=postgresql://app:not-the-password@db:5432/app \
		-e RETORT_WAIT_TIMEOUT=120 migrate current
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *'password authentication failed for user "app"'* ]]
	[[ $output != *not-the-password* ]]
	[ $((SECONDS - start)) -lt 60 ]
}

@test "models: the static binary copied into an application image checks its SQLAlchemy models" {
	# examples/models/Dockerfile: Debian's python3-sqlalchemy, retort copied
	# from this checkout's image, the example's models and revisions
	run docker build -q --build-arg RETORT_IMAGE="$IMAGE" -t "$IMAGE-models" examples/models
	echo "$output"
	[ "$status" -eq 0 ]
	mkdir -p data
	run drun -v "$TEST_DIR/data:/data" "$IMAGE-models" -u sqlite:////data/app.db upgrade head
	echo "$output"
	[ "$status" -eq 0 ]
	run drun -v "$TEST_DIR/data:/data" "$IMAGE-models" -u sqlite:////data/app.db check
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"matches the schema in python:app.models:Base"* ]]
	# a model changed in the image: check finds it (makemigrations from the
	# models is tested with the host's binary, in shared/0210-models.bats)
	printf 'FROM %s\nRUN sed -i "s/    phone = sa.Column(sa.Text)/&\\n    vip = sa.Column(sa.Boolean)/" app/models.py\n' \
		"$IMAGE-models" >Dockerfile.changed
	run docker build -q -f Dockerfile.changed -t "$IMAGE-models2" .
	[ "$status" -eq 0 ]
	run drun -v "$TEST_DIR/data:/data" "$IMAGE-models2" -u sqlite:////data/app.db check
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"table customers: column vip missing"* ]]
	docker rmi -f "$IMAGE-models2" "$IMAGE-models" >/dev/null 2>&1 || true
}

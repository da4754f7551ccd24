#!/usr/bin/env bats
# Covers the Kubernetes manifests in docker/kubernetes/: their fields as
# shipped (a Job that Kubernetes retries and stops, the URL from a Secret,
# non-root, read-only, no capabilities, resources), and, played for real by
# the container lab's `podman kube play` against the test's PostgreSQL, the
# Deployment's pod: the init container migrates before the application
# container starts; two pods started at once apply every migration once
# and both start; a pod killed mid-migration leaves the database at a
# revision and the next pod completes.  podman cannot play a Job, so the
# Job is checked field by field, its pod being the Deployment's init
# container's twin.

load helpers
load container
backend postgresql

setup_file() {
	container_setup_file
	[ -n "${SKIP_ALL:-}" ] || command -v podman >/dev/null ||
		export SKIP_ALL="podman is not installed: 'podman kube play' runs the manifests here"
}

MANIFESTS=$BATS_TEST_DIRNAME/../../docker/kubernetes

need_engine() {
	[ -z "${SKIP_ALL:-}" ] || skip "$SKIP_ALL"
	[ -z "${BUILD_FAILED:-}" ] || { echo "docker build failed" >&2; return 1; }
	# the pods run as uid 10001 and read the migrations mounted from here
	chmod 755 "$TEST_DIR"
	pq "GRANT CREATE ON SCHEMA public TO retort_pw"
	local url="postgresql://retort_pw:$RETORT_TEST_PG_PASSWORD@127.0.0.1:$RETORT_TEST_PG_PORT/$PG_DB"
	# podman's kube play reads a secret as JSON of base64 values
	printf '{"url":"%s"}' "$(printf '%s' "$url" | base64 -w0)" >secret.json
	podman secret rm retort-database >/dev/null 2>&1 || true
	podman secret create retort-database secret.json >/dev/null
	rm secret.json
}

teardown() {
	local f
	for f in "$TEST_DIR"/pod-*.yaml; do
		[ -e "$f" ] && podman kube down "$f" >/dev/null 2>&1
	done
	podman secret rm retort-database >/dev/null 2>&1 || true
	db_teardown
	test_dir_teardown
}

# pod NAME: write pod-NAME.yaml, the Deployment's pod as this machine plays it.
pod() {
	/usr/bin/python3 "$BATS_TEST_DIRNAME/kube-pod.py" "$MANIFESTS/deployment.yaml" "$1" \
		"$(podman image inspect --format '{{index .RepoTags 0}}' "$IMAGE")" "$TEST_DIR/migrations" \
		>"pod-$1.yaml"
}

# app_exited NAME [SECONDS]: wait until the pod's application container has
# run; print its log.
app_exited() {
	local i
	for i in $(seq 1 $((${2:-60} * 5))); do
		case $(podman ps -a --filter "name=^$1-app\$" --format '{{.Status}}') in
		Exited*) podman logs "$1-app"; return 0 ;;
		esac
		sleep 0.2
	done
	echo "pod $1: the app container did not run: $(podman pod ps --filter name="$1" 2>&1)"
	return 1
}

yq() { /usr/bin/python3 -c 'import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
print(eval(sys.argv[2], {"d": d}))' "$@"; }

@test "kubernetes: the Job and the Deployment as shipped" {
	job=$MANIFESTS/job.yaml dep=$MANIFESTS/deployment.yaml
	[ "$(yq "$job" 'd["kind"]')" = Job ]
	[ "$(yq "$job" 'd["spec"]["backoffLimit"] > 0 and d["spec"]["activeDeadlineSeconds"] > 0')" = True ]
	[ "$(yq "$job" 'd["spec"]["template"]["spec"]["restartPolicy"]')" = Never ]
	for f in "$job" "$dep"; do
		c='d["spec"]["template"]["spec"]'
		[ "$(yq "$f" "$c[\"securityContext\"][\"runAsNonRoot\"]")" = True ]
		[ "$(yq "$f" "$c[\"securityContext\"][\"runAsUser\"]")" = 10001 ]
		case $f in
		*job.yaml) m="$c[\"containers\"][0]" ;;
		*) m="$c[\"initContainers\"][0]" ;;
		esac
		[ "$(yq "$f" "$m[\"args\"]")" = "['upgrade', 'head']" ]
		[ "$(yq "$f" "$m[\"securityContext\"][\"readOnlyRootFilesystem\"]")" = True ]
		[ "$(yq "$f" "$m[\"securityContext\"][\"allowPrivilegeEscalation\"]")" = False ]
		[ "$(yq "$f" "$m[\"securityContext\"][\"capabilities\"][\"drop\"]")" = "['ALL']" ]
		[ "$(yq "$f" "[e for e in $m[\"env\"] if e[\"name\"] == \"DATABASE_URL\"][0][\"valueFrom\"][\"secretKeyRef\"]")" = "{'name': 'retort-database', 'key': 'url'}" ]
		[ "$(yq "$f" "$m[\"resources\"][\"limits\"][\"memory\"]")" = 256Mi ]
	done
	[ "$(yq "$MANIFESTS/secret.yaml" 'd["metadata"]["name"]')" = retort-database ]
}

@test "kubernetes: the init container migrates before the application container starts" {
	need_engine
	linear3
	pod one
	podman kube play pod-one.yaml >/dev/null
	run app_exited one
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"app started"* ]]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
	[ "$(db_tables)" = "a alembic_version b c" ]
}

@test "kubernetes: two pods started at the same moment apply every migration once, and both start" {
	need_engine
	for i in $(seq 1 6); do
		prev=""
		[ "$i" -eq 1 ] || prev=$(printf 'c%011d' $((i - 1)))
		mkrev "$(printf 'c%011d' "$i")" "$prev" "step $i" \
			"SELECT pg_sleep(0.3); CREATE TABLE t$i (x int); INSERT INTO log VALUES ($i);" "DROP TABLE t$i;"
	done
	pq "CREATE TABLE log (n int); GRANT INSERT ON log TO retort_pw"
	pod one
	pod two
	podman kube play pod-one.yaml >/dev/null 2>&1 3>&- &
	p1=$!
	podman kube play pod-two.yaml >/dev/null 2>&1 3>&- &
	p2=$!
	# each by its pid: a bare wait would also wait for bats' own timeout timer
	wait $p1 $p2 || true
	run app_exited one
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run app_exited two
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(pq 'SELECT count(*), count(DISTINCT n) FROM log')" = "6|6" ]
	[ "$(db_versions)" = "c00000000006" ]
}

@test "kubernetes: a pod killed mid-migration leaves the database at a revision; the next pod completes" {
	need_engine
	pq "CREATE SEQUENCE slow_once; GRANT USAGE ON SEQUENCE slow_once TO retort_pw"
	mkrev 1a2b3c4d5e6f "" "first" "CREATE TABLE a (id int);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "slow once" \
		"CREATE TABLE b (id int); SELECT pg_sleep(CASE WHEN nextval('slow_once') = 1 THEN 60 ELSE 0 END);" \
		"DROP TABLE b;"
	pod one
	# kube play returns once the init containers are done: run it aside
	podman kube play pod-one.yaml >/dev/null 2>&1 3>&- &
	play=$!
	for _ in $(seq 1 300); do
		[ "$(pq "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND pid <> pg_backend_pid()")" = 1 ] && break
		sleep 0.2
	done
	# SIGKILL every container of the pod, the init container included
	# (podman pod kill leaves a running init container alone)
	# shellcheck disable=SC2046
	podman kill -s KILL $(podman ps -q --filter pod=one) >/dev/null
	wait $play || true
	podman kube down pod-one.yaml >/dev/null 2>&1
	# the migration that was running left nothing: the database is at the one before
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
	[ "$(db_tables)" = "a alembic_version" ]
	pod two
	podman kube play pod-two.yaml >/dev/null
	run app_exited two 90
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "2b3c4d5e6f7a" ]
}

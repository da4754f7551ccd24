# What the container tests share (1200-container.bats, 1250-kubernetes.bats):
# whether they can run, and one image build per file.
#
# container_setup_file: sets SKIP_ALL when the tests cannot run here (under
# ASan/valgrind, RETORT_CONTAINER_TESTS=0, or no engine), else builds this
# checkout's image as $IMAGE (a tag of the checkout's own, so two checkouts
# on one engine never share it) and sets BUILD_FAILED if that fails.  REPO
# is the checkout.

IMAGE=retort:test-$(cd "$BATS_TEST_DIRNAME/../.." && pwd | tr -d '\n' | cksum | cut -d ' ' -f 1)

container_setup_file() {
	if [ -n "${RETORT_WRAP:-}" ] || [ "${RETORT_CONTAINER_TESTS:-1}" = 0 ]; then
		export SKIP_ALL="container tests run in plain 'make test' only (not under ASan/valgrind)"
		return 0
	fi
	if ! command -v docker >/dev/null || ! docker info >/dev/null 2>&1; then
		export SKIP_ALL="no container engine answers 'docker info' (start Docker, or any engine that serves the Docker API, such as podman's)"
		echo "# SKIP: $SKIP_ALL" >&3
		return 0
	fi
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	export REPO
	# one build for the whole file; the dependency stage is cached after the first
	local t0=$SECONDS
	if ! docker build -q -t "$IMAGE" "$REPO" >"$BATS_FILE_TMPDIR/build.log" 2>&1; then
		tail -n 30 "$BATS_FILE_TMPDIR/build.log" >&3
		export BUILD_FAILED=1
	fi
	echo "# image built in $((SECONDS - t0)) s" >&3
}

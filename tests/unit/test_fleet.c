/* Unit tests of fleets (run/fleet.c): the target-list parser with its
 * FILE:LINE:COL rejections, and the scheduler's policy (at most `jobs` at
 * once, canaries alone and first, stop after a failure or keep going,
 * each child's output and outcome brought back). */
#include "unit.h"

#include "run/fleet.h"

#include <stdio.h>
#include <unistd.h>

static void parses_lines(void **state)
{
	(void)state;
	struct rt_targets t;
	struct rt_error err = RT_ERROR_INIT;
	rt_targets_init(&t);
	assert_int_equal(rt_targets_parse(&t,
					  "# tenants\n"
					  "\n"
					  "  postgresql://u:p#w@h/db schema=t1   # the first\n"
					  "postgresql://u:p#w@h/db schema=t2\n"
					  "sqlite:///a.db\n",
					  "f.txt", 1, NULL, 0, &err), 0);
	assert_int_equal(t.nr, 3);
	assert_string_equal(t.v[0].url, "postgresql://u:p#w@h/db");
	assert_string_equal(t.v[0].schema, "t1");
	assert_string_equal(t.v[0].where, "f.txt:3");
	assert_null(t.v[2].schema);
	char *label = rt_target_label(&t.v[1]);
	assert_string_equal(label, "postgresql://u:***@h/db schema=t2");
	free(label);
	rt_targets_release(&t);
}

static void rejects_bad_lines(void **state)
{
	(void)state;
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "sqlite:///a.db\nsqlite:///b.db extra\n", "f.txt:2:16: unexpected 'extra'" },
		{ "nosuch://x\n", "f.txt:1:1: " },
		{ "sqlite:///a.db schema=t\n", "f.txt:1:1: schema= needs a PostgreSQL target" },
		{ "postgresql://h/d schema=1x\n", "f.txt:1:18: schema= takes a name" },
		{ "postgresql://h/d schema=a schema=b\n", "f.txt:1:27: a second schema=" },
		{ "sqlite:///a.db\n sqlite:///a.db\n", "f.txt:2:2: target 'sqlite:///a.db' is already given at f.txt:1" },
		{ "postgresql://u:secret@h/d bad\n", "unexpected 'bad'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rt_targets t;
		struct rt_error err = RT_ERROR_INIT;
		rt_targets_init(&t);
		assert_int_equal(rt_targets_parse(&t, cases[i].text, "f.txt", 1, NULL, 0, &err), -1);
		assert_int_equal(err.code, RT_EXIT_ERROR);
		assert_msg_has(&err, cases[i].msg);
		assert_null(strstr(err.msg, "secret"));
		rt_targets_release(&t);
	}
	/* a --target value: named by its label, a usage error */
	struct rt_targets t;
	struct rt_error err = RT_ERROR_INIT;
	rt_targets_init(&t);
	assert_int_equal(rt_targets_parse(&t, "sqlite:///a.db x", NULL, 1, "--target #2", 1, &err), -1);
	assert_int_equal(err.code, RT_EXIT_USAGE);
	assert_msg_has(&err, "--target #2, column 16: unexpected 'x'");
	rt_targets_release(&t);
}

/* The scheduler's test double: target i fails when bad[i]; the parent
 * counts how many run at once and in which order they start. */
struct sched {
	const int *bad;
	int running, most, order[32], started;
};

static void child(void *ctx, size_t i, struct rt_fleet_outcome *oc)
{
	struct sched *s = ctx;
	printf("out %zu\n", i);
	fprintf(stderr, "err %zu\n", i);
	snprintf(oc->from, sizeof(oc->from), "a");
	snprintf(oc->to, sizeof(oc->to), "b");
	oc->steps = (int)i;
	oc->reported = 1;
	fflush(stdout);
	fflush(stderr);
	usleep(2000);
	_exit(s->bad[i] ? 2 : 0);
}

static void started(void *ctx, size_t i, const struct rt_fleet_result *r)
{
	struct sched *s = ctx;
	(void)r;
	s->order[s->started++] = (int)i;
	if (++s->running > s->most)
		s->most = s->running;
}

static void finished(void *ctx, size_t i, const struct rt_fleet_result *r)
{
	struct sched *s = ctx;
	(void)i;
	(void)r;
	s->running--;
}

static int run(size_t n, const int *bad, struct rt_fleet_opts o, struct sched *s,
	       struct rt_fleet_result *res, struct rt_fleet_summary *sum)
{
	struct rt_error err = RT_ERROR_INIT;
	memset(s, 0, sizeof(*s));
	s->bad = bad;
	struct rt_fleet_hooks h = { .child = child, .started = started, .finished = finished, .ctx = s };
	rt_fleet_results_init(res, n);
	return rt_fleet_run(n, &o, &h, res, sum, &err);
}

static void schedules(void **state)
{
	(void)state;
	int none[12] = { 0 }, third[12] = { 0, 0, 1 }, first[12] = { 1 };
	struct rt_fleet_result res[12];
	struct rt_fleet_summary sum;
	struct sched s;

	/* all succeed, never more than 3 at once, output and outcome kept */
	assert_int_equal(run(12, none, (struct rt_fleet_opts){ .jobs = 3 }, &s, res, &sum), 0);
	assert_true(s.most <= 3);
	assert_int_equal(sum.ok, 12);
	assert_string_equal(res[7].out.buf, "out 7\n");
	assert_string_equal(res[7].errout.buf, "err 7\n");
	assert_int_equal(res[7].oc.steps, 7);
	assert_string_equal(res[7].oc.to, "b");
	rt_fleet_results_release(res, 12);

	/* one at a time: a failure stops the start of the rest */
	assert_int_equal(run(6, third, (struct rt_fleet_opts){ .jobs = 1 }, &s, res, &sum), 0);
	assert_int_equal(sum.ok, 2);
	assert_int_equal(sum.failed, 1);
	assert_int_equal(sum.not_started, 3);
	assert_true(sum.stopped);
	assert_int_equal(res[2].status, 2);
	assert_int_equal(res[3].state, RT_FLEET_PENDING);
	rt_fleet_results_release(res, 6);

	/* --keep-going */
	assert_int_equal(run(6, third, (struct rt_fleet_opts){ .jobs = 2, .keep_going = 1 }, &s, res, &sum), 0);
	assert_int_equal(sum.ok, 5);
	assert_int_equal(sum.failed, 1);
	assert_false(sum.stopped);
	rt_fleet_results_release(res, 6);

	/* a failing canary: nothing else starts, whatever keep_going says */
	assert_int_equal(run(6, first, (struct rt_fleet_opts){ .jobs = 4, .canary = 2, .keep_going = 1 },
			     &s, res, &sum), 0);
	assert_int_equal(s.started, 1);
	assert_true(sum.canary_failed);
	assert_int_equal(sum.not_started, 5);
	rt_fleet_results_release(res, 6);

	/* passing canaries run alone, in order, before the rest */
	assert_int_equal(run(8, none, (struct rt_fleet_opts){ .jobs = 4, .canary = 2 }, &s, res, &sum), 0);
	assert_int_equal(sum.ok, 8);
	assert_int_equal(s.order[0], 0);
	assert_int_equal(s.order[1], 1);
	assert_true(s.most <= 4);
	rt_fleet_results_release(res, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_lines),
		cmocka_unit_test(rejects_bad_lines),
		cmocka_unit_test(schedules),
	};
	return cmocka_run_group_tests_name("fleet", tests, NULL, NULL);
}

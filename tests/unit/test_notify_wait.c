/* Unit tests of the notification body (lib/notify.c, strbuf_add_json) and
 * of wait-target parsing (lib/wait.c).  Delivery and waiting themselves
 * run against real servers in tests/cli/1100-wait-notify.bats. */
#include "unit.h"

#include "lib/notify.h"
#include "lib/strbuf.h"
#include "run/wait.h"

static void json_strings(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_add_json(&sb, "a\"b\\c\nd\te\x01 caf\xc3\xa9");
	assert_string_equal(sb.buf, "\"a\\\"b\\\\c\\nd\\te\\u0001 caf\xc3\xa9\"");
	strbuf_release(&sb);
}

static void body_of_a_failed_run(void **state)
{
	(void)state;
	struct rt_plan plan;
	struct strvec from = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct rt_error failure = RT_ERROR_INIT;
	rt_plan_init(&plan);
	plan.n = 2; /* two planned steps, none done: the steps array stays unread */
	strvec_push(&from, "1a2b");
	rt_error_set(&failure, RT_EXIT_ERROR, "v.sql:3:1: \"x\" failed");
	struct rt_run_summary s = { .command = "upgrade", .database = "postgresql://u:***@h/db",
				    .version = "9.9", .from = &from, .plan = &plan, .total_ms = 12.5,
				    .wait_ms = 2000, .error = &failure };
	rt_notify_body(&s, &sb);
	assert_non_null(strstr(sb.buf, "\"ok\": false"));
	assert_non_null(strstr(sb.buf, "\"from\": [\"1a2b\"], \"to\": null"));
	assert_non_null(strstr(sb.buf, "\"duration_ms\": 12.5, \"wait_ms\": 2000.0, \"steps\": []"));
	assert_non_null(strstr(sb.buf, "\"error\": \"v.sql:3:1: \\\"x\\\" failed\""));
	assert_non_null(strstr(sb.buf, "failed at step 1 of 2"));
	assert_non_null(strstr(sb.buf, "(1a2b -> ?)"));
	plan.n = 0;
	rt_plan_release(&plan);
	strvec_clear(&from);
	strbuf_release(&sb);
}

static void targets(void **state)
{
	(void)state;
	struct rt_wait_target t;
	struct rt_error err = RT_ERROR_INIT;

	assert_int_equal(rt_wait_target_init(&t, "tcp://db:5432", &err), 0);
	assert_int_equal(t.kind, RT_WAIT_TCP);
	assert_string_equal(t.host, "db");
	assert_string_equal(t.port, "5432");
	rt_wait_target_release(&t);

	assert_int_equal(rt_wait_target_init(&t, "tcp://[::1]:80/", &err), 0);
	assert_string_equal(t.host, "::1");
	assert_string_equal(t.port, "80");
	rt_wait_target_release(&t);

	static const char *const bad[] = { "tcp://db", "tcp://db:", "tcp://:5432", "tcp://db:0",
					   "tcp://db:65536", "tcp://db:54x", "tcp://[::1]5432" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(rt_wait_target_init(&t, bad[i], &err), -1);
		assert_int_equal(err.code, RT_EXIT_USAGE);
		rt_wait_target_release(&t);
	}

	assert_int_equal(rt_wait_target_init(&t, "sqlite:///x.db", &err), 0);
	assert_int_equal(t.kind, RT_WAIT_DB);
	rt_wait_target_release(&t);

	assert_int_equal(rt_wait_target_init(&t, "postgresql://u:pw@h/db", &err), 0);
	assert_string_equal(t.shown, "postgresql://u:***@h/db");
	rt_wait_target_release(&t);
	/* a URL parsed already is copied, not parsed again: the target
	 * outlives the caller's URL, and its text only names it */
	struct rt_url u;
	assert_int_equal(rt_url_parse(&u, "postgresql://u:p/w@h:5433/db?sslmode=disable", &err), 0);
	assert_int_equal(rt_wait_target_init_url(&t, "postgresql://u:p/w@h:5433/db?sslmode=disable",
						 &u, &err), 0);
	rt_url_release(&u);
	assert_int_equal(t.kind, RT_WAIT_DB);
	assert_string_equal(t.shown, "postgresql://u:***@h:5433/db?sslmode=disable");
	assert_string_equal(t.url.password, "p/w");
	assert_string_equal(t.url.port, "5433");
	assert_string_equal(rt_url_query(&t.url, "sslmode"), "disable");
	rt_wait_target_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_strings),
		cmocka_unit_test(body_of_a_failed_run),
		cmocka_unit_test(targets),
	};
	return cmocka_run_group_tests_name("notify_wait", tests, NULL, NULL);
}

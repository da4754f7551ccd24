/* Unit tests of child processes (lib/proc.c): stdout and stderr captured
 * whole and apart (also past a pipe's buffer), exit statuses and signals,
 * the extra environment, and a program that cannot be started reported as
 * an error rather than an exit status. */
#include "unit.h"

#include <signal.h>

#include "lib/proc.h"

static int run_sh(const char *script, const char *const *env, struct rt_proc_result *r,
		  struct rt_error *err)
{
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	rt_proc_result_init(r);
	return rt_proc_run(argv, env, r, err);
}

static void test_captures_both_streams(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_proc_result r;
	assert_int_equal(run_sh("echo out; echo err >&2; echo more", NULL, &r, &err), 0);
	assert_string_equal(r.out.buf, "out\nmore\n");
	assert_string_equal(r.err.buf, "err\n");
	assert_int_equal(r.exited, 1);
	assert_int_equal(r.status, 0);
	rt_proc_result_release(&r);
	/* more than a pipe holds, on both streams at once: no deadlock */
	assert_int_equal(run_sh("head -c 300000 /dev/zero; head -c 200000 /dev/zero >&2", NULL, &r,
				&err), 0);
	assert_int_equal(r.out.len, 300000);
	assert_int_equal(r.err.len, 200000);
	rt_proc_result_release(&r);
}

static void test_status_signal_env(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_proc_result r;
	assert_int_equal(run_sh("exit 7", NULL, &r, &err), 0);
	assert_int_equal(r.exited, 1);
	assert_int_equal(r.status, 7);
	rt_proc_result_release(&r);
	assert_int_equal(run_sh("kill -TERM $$", NULL, &r, &err), 0);
	assert_int_equal(r.exited, 0);
	assert_int_equal(r.status, SIGTERM);
	rt_proc_result_release(&r);
	const char *env[] = { "RT_PROC_TEST=hello there", NULL };
	assert_int_equal(run_sh("printf %s \"$RT_PROC_TEST\"", env, &r, &err), 0);
	assert_string_equal(r.out.buf, "hello there");
	rt_proc_result_release(&r);
	/* stdin is /dev/null: a program reading it sees the end at once */
	assert_int_equal(run_sh("cat; echo done", NULL, &r, &err), 0);
	assert_string_equal(r.out.buf, "done\n");
	rt_proc_result_release(&r);
}

static void test_cannot_start(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_proc_result r;
	const char *argv[] = { "/nonexistent/prog", NULL };
	rt_proc_result_init(&r);
	assert_int_equal(rt_proc_run(argv, NULL, &r, &err), -1);
	assert_msg_has(&err, "cannot run '/nonexistent/prog': No such file or directory");
	rt_proc_result_release(&r);
	const char *path_argv[] = { "rt-no-such-program-on-path", NULL };
	rt_error_clear(&err);
	assert_int_equal(rt_proc_run(path_argv, NULL, &r, &err), -1);
	assert_msg_has(&err, "cannot run 'rt-no-such-program-on-path'");
	rt_proc_result_release(&r);
}

static void test_tail(void **state)
{
	(void)state;
	assert_string_equal(rt_proc_tail("a\nb\nc\n", 2), "b\nc\n");
	assert_string_equal(rt_proc_tail("a\nb\nc", 1), "c");
	assert_string_equal(rt_proc_tail("only", 5), "only");
	assert_string_equal(rt_proc_tail("", 3), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captures_both_streams),
		cmocka_unit_test(test_status_signal_env),
		cmocka_unit_test(test_cannot_start),
		cmocka_unit_test(test_tail),
	};
	return cmocka_run_group_tests_name("proc", tests, NULL, NULL);
}

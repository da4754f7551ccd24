/* Unit tests of new-revision naming (lib/newrev.c): ids, Alembic's slug
 * rules, file_template tokens and ${placeholder} templates. */
#include "unit.h"

#include <ctype.h>

#include "lib/newrev.h"

static void rev_ids(void **state)
{
	(void)state;
	char a[13], b[13];
	rt_new_rev_id(a);
	rt_new_rev_id(b);
	assert_int_equal(strlen(a), 12);
	for (int i = 0; i < 12; i++)
		assert_true(isxdigit((unsigned char)a[i]) && !isupper((unsigned char)a[i]));
	assert_string_not_equal(a, b);
}

static void slugs(void **state)
{
	(void)state;
	char *s = rt_slugify("Add users table", 40);
	assert_string_equal(s, "add_users_table");
	free(s);
	s = rt_slugify("  fix: user's e-mail (NOT NULL)!", 40);
	assert_string_equal(s, "fix_user_s_e_mail_not_null");
	free(s);
	s = rt_slugify("this is a really long name with lots of characters and also", 40);
	assert_string_equal(s, "this_is_a_really_long_name_with_lots_of_");
	free(s);
	s = rt_slugify(NULL, 40);
	assert_string_equal(s, "");
	free(s);
}

static void file_templates(void **state)
{
	(void)state;
	struct rt_create_time t;
	struct rt_error err = RT_ERROR_INIT;
	char *out;
	assert_int_equal(rt_create_time_now(&t, "UTC", &err), 0);
	t.tm.tm_year = 126;
	t.tm.tm_mon = 0;
	t.tm.tm_mday = 5;
	t.tm.tm_hour = 7;
	t.tm.tm_min = 3;
	t.tm.tm_sec = 9;
	t.epoch = 1767596589;
	assert_int_equal(rt_format_file_template("%(year)d_%(month).2d_%(day).2d_%(hour).2d%(minute).2d"
						 "%(second).2d_%(rev)s_%(slug)s", "ab12", "add_x", &t,
						 &out, &err), 0);
	assert_string_equal(out, "2026_01_05_070309_ab12_add_x");
	free(out);
	assert_int_equal(rt_format_file_template("%(epoch)s-%(rev)s%%", "ab12", "", &t, &out, &err), 0);
	assert_string_equal(out, "1767596589-ab12%");
	free(out);
	assert_int_equal(rt_format_file_template("%(nope)s", "ab12", "", &t, &out, &err), -1);
	assert_msg_has(&err, "unknown key 'nope'");
	assert_int_equal(rt_format_file_template("%(rev)d", "ab12", "", &t, &out, &err), -1);
	assert_msg_has(&err, "format it with 's'");
	assert_int_equal(rt_format_file_template("%(rev)", "ab12", "", &t, &out, &err), -1);
	assert_msg_has(&err, "malformed");
	assert_int_equal(rt_create_time_now(&t, "No/Such_Zone", &err), -1);
	assert_msg_has(&err, "can't locate timezone 'No/Such_Zone'");
}

static void create_time_format(void **state)
{
	(void)state;
	struct rt_create_time t;
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(rt_create_time_now(&t, "UTC", &err), 0);
	/* Python's str(datetime): "YYYY-MM-DD HH:MM:SS[.ffffff]+00:00" */
	assert_true(strlen(t.text) == 25 || strlen(t.text) == 32);
	assert_string_equal(t.text + strlen(t.text) - 6, "+00:00");
	assert_int_equal(t.text[4], '-');
	assert_int_equal(t.text[10], ' ');
}

static void templates(void **state)
{
	(void)state;
	struct strvec k = STRVEC_INIT, v = STRVEC_INIT;
	struct rt_error err = RT_ERROR_INIT;
	char *out;
	strvec_push(&k, "message");
	strvec_push(&v, "hello");
	strvec_push(&k, "x.owner");
	strvec_push(&v, "ops");
	assert_int_equal(rt_render_template("-- ${message} by ${x.owner} costs $$5 \n", "t", &k, &v, &out,
					    &err), 0);
	assert_string_equal(out, "-- hello by ops costs $5\n");
	free(out);
	assert_int_equal(rt_render_template("ok\n  ${mesage}\n", "tmpl", &k, &v, &out, &err), -1);
	assert_msg_has(&err, "tmpl:2:3: unknown placeholder '${mesage}'");
	assert_int_equal(rt_render_template("${message\n}", "tmpl", &k, &v, &out, &err), -1);
	assert_msg_has(&err, "tmpl:1:1: unclosed");
	strvec_clear(&k);
	strvec_clear(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rev_ids),
		cmocka_unit_test(slugs),
		cmocka_unit_test(file_templates),
		cmocka_unit_test(create_time_format),
		cmocka_unit_test(templates),
	};
	return cmocka_run_group_tests_name("newrev", tests, NULL, NULL);
}

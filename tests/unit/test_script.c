/* Unit tests of the migration file parser (lib/script.c): headers,
 * sections, and the exact file:line:col of every rejection. */
#include "unit.h"

#include "lib/strbuf.h"
#include "lib/xalloc.h"

#include <stdio.h>
#include <unistd.h>

static const char good[] =
	"-- Add users table\n"
	"-- (second line of the message)\n"
	"--\n"
	"-- Revision ID: 3f2a9c1b7d4e\n"
	"-- Revises: 1a2b3c4d5e6f, 9a8b7c6d5e4f\n"
	"-- Create Date: 2026-11-22 10:00:00.000000\n"
	"-- Branch Labels: core, api\n"
	"-- Depends On: 777777777777\n"
	"\n"
	"-- migrate:upgrade\n"
	"CREATE TABLE users (id INTEGER PRIMARY KEY);\n"
	"\n"
	"-- migrate:downgrade transaction:false\n"
	"DROP TABLE users;\n";

static void parses_header_and_sections(void **state)
{
	(void)state;
	struct rt_script s;
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(parse_text(&s, "v/a.sql", good, &err), 0);
	assert_string_equal(s.id, "3f2a9c1b7d4e");
	assert_int_equal(s.id_line, 4);
	assert_int_equal(s.down.nr, 2);
	assert_string_equal(s.down.v[1], "9a8b7c6d5e4f");
	assert_int_equal(s.labels.nr, 2);
	assert_string_equal(s.labels.v[0], "core");
	assert_int_equal(s.deps.nr, 1);
	assert_string_equal(s.create_date, "2026-11-22 10:00:00.000000");
	assert_string_equal(s.doc, "Add users table\n(second line of the message)");
	assert_non_null(strstr(s.longdoc, "\n\nRevision ID: 3f2a9c1b7d4e\n"));
	assert_true(s.up.present && s.up.transactional);
	assert_int_equal(s.up.marker_line, 10);
	assert_true(s.downgrade.present && !s.downgrade.transactional);
	assert_memory_equal(s.text + s.up.off, "CREATE TABLE users", 18);
	assert_memory_equal(s.text + s.downgrade.off, "DROP TABLE users;\n", s.downgrade.len);
	int line, col;
	rt_script_position(&s, s.up.off + 7, &line, &col);
	assert_int_equal(line, 11);
	assert_int_equal(col, 8);
	rt_script_release(&s);
}

static void root_and_irreversible(void **state)
{
	(void)state;
	struct rt_script s;
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(parse_text(&s, "a.sql",
				    "-- Revision ID: abc123\n-- Revises:\n\n-- migrate:upgrade\nSELECT 1;\n",
				    &err), 0);
	assert_int_equal(s.down.nr, 0);
	assert_false(s.downgrade.present);
	assert_string_equal(s.doc, "");
	rt_script_release(&s);
}

/* Each bad file is rejected with its exact position. */
static void expect_error(const char *text, const char *where, const char *what)
{
	struct rt_script s;
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(parse_text(&s, "v/x.sql", text, &err), -1);
	assert_msg_has(&err, where);
	assert_msg_has(&err, what);
	rt_script_release(&s);
}

static void rejections(void **state)
{
	(void)state;
	expect_error("-- message\n\n-- migrate:upgrade\nSELECT 1;\n", "v/x.sql:1:1:", "missing '-- Revision ID");
	expect_error("-- Revision ID: ab-12\n-- Revises:\n-- migrate:upgrade\n", "v/x.sql:1:17:",
		     "character '-' not allowed");
	expect_error("-- Revision ID: ab12\n-- Revises: cd:34\n-- migrate:upgrade\n", "v/x.sql:2:13:",
		     "character ':'");
	expect_error("CREATE TABLE t (x int);\n-- Revision ID: ab12\n", "v/x.sql:1:1:", "text before");
	expect_error("-- Revision ID: ab12\n-- Revises:\n  SELECT 1;\n-- migrate:upgrade\n", "v/x.sql:3:3:",
		     "text before");
	expect_error("-- Revision ID: ab12\n-- Revises:\n-- migrate:upgrade\n-- migrate:upgrade\n",
		     "v/x.sql:4:1:", "second '-- migrate:upgrade' section; the first is at line 3");
	expect_error("-- Revision ID: ab12\n-- Revises:\n-- migrate:upgrade transaction:maybe\n",
		     "v/x.sql:3:20:", "unknown section option 'transaction:maybe'");
	expect_error("-- Revision ID: ab12\n-- Revises:\n-- migrate:sideways\n", "v/x.sql:3:12:",
		     "unknown section '-- migrate:sideways'");
	expect_error("-- Revision ID: ab12\n-- Revises:\n", "v/x.sql:", "no '-- migrate:upgrade' section");
	expect_error("-- Revision ID: ab12\n-- migrate:upgrade\n", "v/x.sql:1:1:", "missing '-- Revises:'");
	expect_error("-- Revision ID: ab12\n-- Revision ID: cd34\n-- Revises:\n-- migrate:upgrade\n",
		     "v/x.sql:2:1:", "second 'Revision ID:' header line");
	expect_error("-- Revision ID: ab12\n-- Revises: ab12\n-- migrate:upgrade\n", "v/x.sql:2:1:",
		     "revises itself");
	expect_error("-- Revision ID: ab12\n-- Revises: cd34, cd34\n-- migrate:upgrade\n", "v/x.sql:2:19:",
		     "'cd34' is listed twice");
	expect_error("-- Revision ID: ab12\n-- Revises:\n-- migrate:downgrade\n-- migrate:upgrade\n",
		     "v/x.sql:4:1:", "must come before");
}

/* A merge of thousands of parents parses in n log n, and a repeat far
 * into the list is still named at its column. */
static void long_revises_list(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "-- m\n--\n-- Revision ID: m1\n-- Revises: ");
	for (int i = 0; i < 5000; i++)
		strbuf_addf(&sb, "%sr%05d", i ? ", " : "", i);
	struct rt_script s;
	struct rt_error err = RT_ERROR_INIT;
	char *ok = xstrdup(sb.buf);
	strbuf_addstr(&sb, ", r00042\n\n-- migrate:upgrade\nSELECT 1;\n");
	/* the repeat's column on line 4: after ", ", 1-based */
	size_t col = strlen(ok) - strlen("-- m\n--\n-- Revision ID: m1\n") + 3;
	char want[64];
	snprintf(want, sizeof(want), "v/x.sql:4:%zu: 'r00042' is listed twice", col);
	expect_error(sb.buf, want, "listed twice");
	free(ok);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "-- m\n--\n-- Revision ID: m1\n-- Revises: ");
	for (int i = 0; i < 5000; i++)
		strbuf_addf(&sb, "%sr%05d", i ? ", " : "", i);
	strbuf_addstr(&sb, "\n\n-- migrate:upgrade\nSELECT 1;\n");
	assert_int_equal(parse_text(&s, "v/x.sql", sb.buf, &err), 0);
	assert_int_equal(s.down.nr, 5000);
	rt_script_release(&s);
	strbuf_release(&sb);
}

static void crlf_and_bom(void **state)
{
	(void)state;
	struct rt_script s;
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(parse_text(&s, "a.sql",
				    "\xef\xbb\xbf-- hi\r\n--\r\n-- Revision ID: abcd\r\n-- Revises: \r\n"
				    "-- migrate:upgrade\r\nSELECT 1;\r\n", &err), 0);
	assert_string_equal(s.id, "abcd");
	assert_string_equal(s.doc, "hi");
	rt_script_release(&s);
}

/* Loading from a file: the whole text kept (a file past one read chunk
 * too), and an unreadable path named in the error. */
static void load_file(void **state)
{
	(void)state;
	char path[] = "/tmp/rt-script-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs(good, f);
	for (int i = 0; i < 2000; i++)
		fputs("INSERT INTO users VALUES (1);\n", f);
	fclose(f);
	struct rt_script s;
	struct rt_error err = RT_ERROR_INIT;
	rt_script_init(&s);
	assert_int_equal(rt_script_load(&s, path, &err), 0);
	assert_string_equal(s.id, "3f2a9c1b7d4e");
	assert_int_equal(s.text_len, strlen(good) + 2000 * 30);
	assert_int_equal(strlen(s.text), s.text_len);
	assert_int_equal(s.downgrade.off + s.downgrade.len, s.text_len);
	rt_script_release(&s);
	unlink(path);
	rt_script_init(&s);
	assert_int_equal(rt_script_load(&s, path, &err), -1);
	assert_msg_has(&err, path);
	assert_msg_has(&err, "No such file");
	rt_script_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_header_and_sections),
		cmocka_unit_test(root_and_irreversible),
		cmocka_unit_test(rejections),
		cmocka_unit_test(long_revises_list),
		cmocka_unit_test(crlf_and_bom),
		cmocka_unit_test(load_file),
	};
	return cmocka_run_group_tests_name("script", tests, NULL, NULL);
}

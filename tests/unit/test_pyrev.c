/* Unit tests of the Alembic .py header reader (lib/pyrev.c): every
 * header form Alembic's templates wrote, the docstring as Alembic shows
 * it, and the file:line:col of every header it cannot read. */
#include "unit.h"

#include "lib/pyrev.h"
#include "lib/strbuf.h"

static int py(struct rt_script *s, const char *path, const char *text, struct rt_error *err)
{
	rt_script_init(s);
	return rt_pyrev_parse(s, path, xstrdup(text), strlen(text), err);
}

/* The file Alembic 1.8's generic template writes. */
static void alembic_18_template(void **state)
{
	(void)state;
	struct rt_script s;
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(py(&s, "v/ae1027a6acf_add_users.py",
			    "\"\"\"add users\n"
			    "\n"
			    "Revision ID: ae1027a6acf\n"
			    "Revises: 1975ea83b712\n"
			    "Create Date: 2026-11-22 10:00:00.000000\n"
			    "\n"
			    "\"\"\"\n"
			    "from alembic import op\n"
			    "import sqlalchemy as sa\n"
			    "\n"
			    "\n"
			    "# revision identifiers, used by Alembic.\n"
			    "revision = 'ae1027a6acf'\n"
			    "down_revision = '1975ea83b712'\n"
			    "branch_labels = None\n"
			    "depends_on = None\n"
			    "\n"
			    "\n"
			    "def upgrade() -> None:\n"
			    "    revision = 'not-this-one'\n"
			    "    op.create_table('users', sa.Column('id', sa.Integer))\n", &err), 0);
	assert_string_equal(s.id, "ae1027a6acf");
	assert_int_equal(s.id_line, 13);
	assert_int_equal(s.down.nr, 1);
	assert_string_equal(s.down.v[0], "1975ea83b712");
	assert_int_equal(s.down_line, 14);
	assert_int_equal(s.labels.nr, 0);
	assert_int_equal(s.deps.nr, 0);
	assert_string_equal(s.doc, "add users");
	assert_string_equal(s.longdoc, "add users\n\nRevision ID: ae1027a6acf\nRevises: 1975ea83b712\n"
				       "Create Date: 2026-11-22 10:00:00.000000");
	assert_false(s.has_sql);
	assert_false(s.up.present);
	assert_string_equal(s.py_path, "v/ae1027a6acf_add_users.py");
	rt_script_release(&s);
}

/* Alembic 1.13's annotated template, and the later Sequence form. */
static void annotated(void **state)
{
	(void)state;
	struct rt_script s;
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(py(&s, "x.py",
			    "\"\"\"merge heads\"\"\"\n"
			    "from typing import Sequence, Union\n"
			    "revision: str = \"c3\"\n"
			    "down_revision: Union[str, Sequence[str], None] = (\"a1\", \"b2\")\n"
			    "branch_labels: Union[str, Sequence[str], None] = ('core',)\n"
			    "depends_on: Union[\n"
			    "    str, Sequence[str], None\n"
			    "] = [\"d4\"]\n", &err), 0);
	assert_string_equal(s.id, "c3");
	assert_int_equal(s.down.nr, 2);
	assert_string_equal(s.down.v[0], "a1");
	assert_string_equal(s.down.v[1], "b2");
	assert_int_equal(s.labels.nr, 1);
	assert_string_equal(s.labels.v[0], "core");
	assert_int_equal(s.deps.nr, 1);
	assert_string_equal(s.deps.v[0], "d4");
	assert_int_equal(s.deps_line, 8);
	assert_string_equal(s.doc, "merge heads");
	rt_script_release(&s);
}

/* Tuples and lists over several lines, bare tuples, a string label,
 * comments, continuation lines, empty sequences. */
static void value_forms(void **state)
{
	(void)state;
	struct rt_script s;
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(py(&s, "x.py",
			    "# -*- coding: utf-8 -*-\n"
			    "revision = ('abc')  # parenthesised: a string, not a tuple\n"
			    "down_revision = (\n"
			    "    'a1',  # the first head\n"
			    "    \"b2\",\n"
			    ")\n"
			    "branch_labels = 'lab'\n"
			    "depends_on = \\\n"
			    "    'x1', 'x2'\n", &err), 0);
	assert_string_equal(s.id, "abc");
	assert_int_equal(s.down.nr, 2);
	assert_string_equal(s.down.v[1], "b2");
	assert_int_equal(s.labels.nr, 1);
	assert_string_equal(s.labels.v[0], "lab");
	assert_int_equal(s.deps.nr, 2);
	assert_string_equal(s.deps.v[1], "x2");
	assert_string_equal(s.doc, "");
	assert_string_equal(s.longdoc, "");
	rt_script_release(&s);

	assert_int_equal(py(&s, "x.py", "revision = 'r'; down_revision = ()\ndepends_on = []\n",
			    &err), 0);
	assert_int_equal(s.down.nr, 0);
	assert_int_equal(s.deps.nr, 0);
	rt_script_release(&s);

	/* the last assignment wins, as in Python */
	assert_int_equal(py(&s, "x.py", "revision = 'r1'\ndown_revision = None\nrevision = 'r2'\n",
			    &err), 0);
	assert_string_equal(s.id, "r2");
	assert_int_equal(s.id_line, 3);
	rt_script_release(&s);
}

/* The docstring: any quotes and prefixes, escapes decoded, stripped, its
 * first paragraph the message; only the first statement is one. */
static void docstrings(void **state)
{
	(void)state;
	struct rt_script s;
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(py(&s, "x.py",
			    "#!/usr/bin/env python\n\n"
			    "  \n"
			    "'''  Add \\'users\\' \\x41\\u00e9 table\n"
			    "second line\\\n"
			    " joined\n\n\n"
			    "Revision ID: r\n"
			    "'''\nrevision = 'r'\ndown_revision = None\n", &err), 0);
	assert_string_equal(s.doc, "Add 'users' A\xc3\xa9 table\nsecond line joined");
	assert_string_equal(s.longdoc, "Add 'users' A\xc3\xa9 table\nsecond line joined\n\n\n"
				       "Revision ID: r");
	rt_script_release(&s);

	assert_int_equal(py(&s, "x.py", "r\"\"\"raw \\n stays\"\"\"\nrevision = 'r'\ndown_revision = None\n",
			    &err), 0);
	assert_string_equal(s.doc, "raw \\n stays");
	rt_script_release(&s);

	/* CRLF line ends read as Python reads them */
	assert_int_equal(py(&s, "x.py", "\"\"\"one\r\n\r\ntwo\r\n\"\"\"\r\nrevision = 'r'\r\n"
			    "down_revision = None\r\n", &err), 0);
	assert_string_equal(s.longdoc, "one\n\ntwo");
	assert_string_equal(s.doc, "one");
	assert_string_equal(s.id, "r");
	rt_script_release(&s);

	/* not the first statement, or not a lone literal: no docstring */
	assert_int_equal(py(&s, "x.py", "import os\n\"\"\"late\"\"\"\nrevision = 'r'\ndown_revision = None\n",
			    &err), 0);
	assert_string_equal(s.doc, "");
	rt_script_release(&s);
	assert_int_equal(py(&s, "x.py", "\"\"\"x\"\"\".strip()\nrevision = 'r'\ndown_revision = None\n",
			    &err), 0);
	assert_string_equal(s.doc, "");
	rt_script_release(&s);
	assert_int_equal(py(&s, "x.py", "b\"\"\"bytes\"\"\"\nrevision = 'r'\ndown_revision = None\n",
			    &err), 0);
	assert_string_equal(s.doc, "");
	rt_script_release(&s);
	/* a header-like text inside a string is not a header */
	assert_int_equal(py(&s, "x.py", "\"\"\"\nrevision = 'no'\n\"\"\"\nrevision = 'r'\n"
			    "down_revision = None\nX = '''\ndown_revision = 'no'\n'''\n", &err), 0);
	assert_string_equal(s.id, "r");
	assert_int_equal(s.down.nr, 0);
	assert_string_equal(s.doc, "revision = 'no'");
	rt_script_release(&s);
}

/* Deep nesting and long chains are loops, not recursion: no stack runs out. */
static void deep_input(void **state)
{
	(void)state;
	struct rt_script s;
	struct rt_error err = RT_ERROR_INIT;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "revision = ");
	for (int i = 0; i < 200000; i++)
		strbuf_addch(&sb, '(');
	strbuf_addstr(&sb, "'r'");
	for (int i = 0; i < 200000; i++)
		strbuf_addch(&sb, ')');
	strbuf_addstr(&sb, "\ndown_revision = None");
	for (int i = 0; i < 200000; i++)
		strbuf_addstr(&sb, "; depends_on = 'x'");
	strbuf_addch(&sb, '\n');
	assert_int_equal(py(&s, "x.py", sb.buf, &err), 0);
	assert_string_equal(s.id, "r");
	assert_int_equal(s.deps.nr, 1);
	rt_script_release(&s);
	strbuf_release(&sb);
}

/* Alembic's legacy rule: a hexadecimal file name gives the id. */
static void legacy_name(void **state)
{
	(void)state;
	struct rt_script s;
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(py(&s, "v/1975ea83b712.py", "down_revision = None\n", &err), 0);
	assert_string_equal(s.id, "1975ea83b712");
	rt_script_release(&s);
	assert_int_equal(py(&s, "v/helpers.py", "def f():\n    pass\n", &err), -1);
	assert_msg_has(&err, "v/helpers.py: no top-level 'revision = \"<id>\"' assignment");
	rt_script_release(&s);
}

struct bad {
	const char *text, *msg;
};

/* What cannot be read statically, each named by file:line:col. */
static void rejections(void **state)
{
	(void)state;
	static const struct bad cases[] = {
		{ "revision = make_id()\n", "x.py:1:12: expected None, a string literal" },
		{ "revision = 'r'\ndown_revision = PREV\n", "x.py:2:17: expected None, a string literal" },
		{ "revision = 'r'\ndown_revision = 'a' + 'b'\n", "x.py:2:21: expected the end of the line" },
		{ "revision = 'r'\ndown_revision = ('a', x)\n", "x.py:2:23: expected None, a string" },
		{ "revision = 'r'\ndown_revision = ('a' 'b'\n", "x.py:3:1: expected ',' or ')' in the tuple" },
		{ "revision = 'r'\ndown_revision = f'{x}'\n", "x.py:2:17: an f-string literal" },
		{ "revision = b'r'\n", "x.py:1:12: a bytes literal" },
		{ "revision = None\ndown_revision = None\n", "x.py:1:12: revision must be a string" },
		{ "revision = ('a', 'b')\ndown_revision = None\n", "x.py:1:12: revision must be a string" },
		{ "revision = 'r'\n", "x.py:1:1: no top-level 'down_revision = ...' assignment" },
		{ "revision = 'r'\ndown_revision = 'r'\n", "x.py:2:17: revision 'r' revises itself" },
		{ "revision = 'r'\ndown_revision = None\ndepends_on = ('a', 'a')\n",
		  "x.py:3:14: depends_on lists 'a' twice" },
		{ "revision = 'a-b'\ndown_revision = None\n", "x.py:1:12: revision: character '-'" },
		{ "revision = 'r'\ndown_revision = 'x y'\n", "x.py:2:17: down_revision: character ' '" },
		{ "revision = 'r\ndown_revision = None\n", "x.py:1:12: string literal is not closed" },
		{ "\"\"\"never closed\nrevision = 'r'\n", "x.py:1:1: string literal is not closed" },
		{ "revision = 'r'\ndown_revision = None\ndepends_on += ['x']\n",
		  "x.py:3:12: an augmented assignment" },
		{ "revision = 'r'\ndown_revision = None\nbranch_labels = ''\n", "x.py:3:17: empty branch label" },
		{ "revision = '\\N{BULLET}'\n", "x.py:1:14: a \\N{...} escape" },
		{ "revision: Union[str\n", "the annotation's bracket is not closed" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rt_script s;
		struct rt_error err = RT_ERROR_INIT;
		if (py(&s, "x.py", cases[i].text, &err) != -1)
			fail_msg("case %zu was accepted: %s", i, cases[i].text);
		if (!strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: message '%s' lacks '%s'", i, err.msg, cases[i].msg);
		rt_script_release(&s);
	}
}

/* Things that look like headers but are not assignments to them. */
static void not_headers(void **state)
{
	(void)state;
	struct rt_script s;
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(py(&s, "x.py",
			    "revision = 'r'\n"
			    "down_revision = None\n"
			    "revision_x = make()\n"
			    "if revision == 'r':\n"
			    "    down_revision = compute()\n"
			    "branch_labels: tuple\n"
			    "depends_on.__class__\n"
			    "def f(revision='x'): pass\n", &err), 0);
	assert_string_equal(s.id, "r");
	assert_int_equal(s.down.nr, 0);
	assert_int_equal(s.labels.nr, 0);
	rt_script_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(alembic_18_template),
		cmocka_unit_test(annotated),
		cmocka_unit_test(value_forms),
		cmocka_unit_test(docstrings),
		cmocka_unit_test(legacy_name),
		cmocka_unit_test(deep_input),
		cmocka_unit_test(rejections),
		cmocka_unit_test(not_headers),
	};
	return cmocka_run_group_tests_name("pyrev", tests, NULL, NULL);
}

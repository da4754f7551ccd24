/* Unit tests of the text lanes of history --graph (lib/graphdraw.c): the
 * exact drawing of small graphs (linear, branch point, merge, several
 * roots and heads, a three-parent merge, lanes that cross to join), entry
 * text of several lines, and refused input. */
#include "unit.h"

#include "lib/graphdraw.h"
#include "lib/strbuf.h"
#include "lib/strvec.h"

/* Draw `n` nodes named a, b, c... whose parents are given as strings of
 * names ("bc": b and c); returns the lines joined by '\n' (free it). */
static char *draw(int n, const char *const *parents)
{
	struct rt_drawnode nodes[16];
	int pv[16][8];
	char text[16][2];
	struct strvec out = STRVEC_INIT;
	struct rt_error err = RT_ERROR_INIT;
	assert_true(n <= 16);
	for (int i = 0; i < n; i++) {
		nodes[i].nparents = 0;
		for (const char *p = parents[i]; *p; p++)
			pv[i][nodes[i].nparents++] = *p - 'a';
		nodes[i].parents = pv[i];
		text[i][0] = (char)('a' + i);
		text[i][1] = '\0';
		nodes[i].text = text[i];
	}
	assert_int_equal(rt_graphdraw(nodes, n, &out, &err), 0);
	char *s = strvec_join(&out, "\n");
	strvec_clear(&out);
	return s;
}

#define DRAWS(expect, ...)                                                         \
	do {                                                                       \
		const char *const p_[] = { __VA_ARGS__ };                          \
		char *got_ = draw((int)(sizeof(p_) / sizeof(*p_)), p_);            \
		assert_string_equal(got_, expect);                                 \
		free(got_);                                                        \
	} while (0)

static void linear(void **state)
{
	(void)state;
	DRAWS("* a\n* b\n* c", "b", "c", "");
	DRAWS("* a", "");
}

static void branch_point(void **state)
{
	(void)state;
	/* a and b both revise c: two lanes that join under b */
	DRAWS("* a\n"
	      "| * b\n"
	      "|/\n"
	      "* c",
	      "c", "c", "");
}

static void merge(void **state)
{
	(void)state;
	/* a merges b and c, which both revise d */
	DRAWS("* a\n"
	      "|\\\n"
	      "* | b\n"
	      "| * c\n"
	      "|/\n"
	      "* d",
	      "bc", "d", "d", "");
}

static void roots_and_heads(void **state)
{
	(void)state;
	/* two unrelated lines: a line of lanes keeps c from reading as b's parent */
	DRAWS("* a\n"
	      "* b\n"
	      "\n"
	      "* c\n"
	      "* d",
	      "b", "", "d", "");
	/* a head beside a lane: a new lane on the right */
	DRAWS("* a\n"
	      "| * b\n"
	      "* | c\n"
	      "| * d\n"
	      "|/\n"
	      "* e",
	      "c", "d", "e", "e", "");
	/* a root with a lane on its right: that lane moves in */
	DRAWS("* a\n"
	      "|\\\n"
	      "* | b\n"
	      " /\n"
	      "* c",
	      "bc", "", "");
}

static void octopus(void **state)
{
	(void)state;
	/* three parents fan out, each root lets the next lanes move in; with a
	 * lane on the right the fan makes room first */
	DRAWS("*-. a\n"
	      "|\\ \\\n"
	      "* | | b\n"
	      " / /\n"
	      "* | c\n"
	      " /\n"
	      "* d",
	      "bcd", "", "", "");
	DRAWS("* a\n"
	      "|\\\n"
	      "|  \\\n"
	      "*-. | b\n"
	      "|\\ \\ \\\n"
	      "* | | | c\n"
	      " / / /\n"
	      "* | | d\n"
	      " / /\n"
	      "* | e\n"
	      " /\n"
	      "* f",
	      "bf", "cde", "", "", "", "");
}

static void crossing(void **state)
{
	(void)state;
	/* c revises a lane two columns left: it runs under the middle lane */
	DRAWS("* a\n"
	      "| * b\n"
	      "| | * c\n"
	      "|_|/\n"
	      "* | d\n"
	      "| * e\n"
	      "* f",
	      "d", "e", "d", "f", "", "");
}

static void several_lines(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	struct strvec out = STRVEC_INIT;
	const int pa[] = { 1 };
	struct rt_drawnode nodes[] = {
		{ pa, 1, "Rev: a\nParent: b\n" },
		{ NULL, 0, "Rev: b\nParent: <base>" },
	};
	assert_int_equal(rt_graphdraw(nodes, 2, &out, &err), 0);
	char *s = strvec_join(&out, "\n");
	assert_string_equal(s, "* Rev: a\n| Parent: b\n|\n* Rev: b\n  Parent: <base>");
	free(s);
	strvec_clear(&out);
}

static void refused(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	struct strvec out = STRVEC_INIT;
	const int back[] = { 0 }, far[] = { 5 };
	struct rt_drawnode nodes[] = { { NULL, 0, "a" }, { back, 1, "b" } };
	assert_int_equal(rt_graphdraw(nodes, 2, &out, &err), -1);
	assert_msg_has(&err, "node 1 has parent 0");
	nodes[1].parents = far;
	assert_int_equal(rt_graphdraw(nodes, 2, &out, &err), -1);
	assert_int_equal((int)out.nr, 0);
	/* no nodes: no lines */
	assert_int_equal(rt_graphdraw(nodes, 0, &out, &err), 0);
	assert_int_equal((int)out.nr, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(linear),
		cmocka_unit_test(branch_point),
		cmocka_unit_test(merge),
		cmocka_unit_test(roots_and_heads),
		cmocka_unit_test(octopus),
		cmocka_unit_test(crossing),
		cmocka_unit_test(several_lines),
		cmocka_unit_test(refused),
	};
	return cmocka_run_group_tests_name("graphdraw", tests, NULL, NULL);
}

/* Unit tests of the revision graph (lib/graph.c), target resolution
 * (lib/resolve.c) and plans with their version-row changes (lib/plan.c),
 * on hand-made graphs. */
#include "unit.h"

#include <stdio.h>

#include "lib/graph.h"
#include "lib/plan.h"
#include "lib/resolve.h"
#include "lib/strbuf.h"

static struct rt_script scripts[64];
static int nscripts;
static struct rt_graph g;

/* Add a revision: id, comma-separated parents, deps and labels. */
static void mk(const char *id, const char *down, const char *deps, const char *labels)
{
	struct rt_script *s = &scripts[nscripts++];
	rt_script_init(s);
	s->id = xstrdup(id);
	s->path = xstrdup(id);
	s->doc = xstrdup(id);
	s->longdoc = xstrdup(id);
	strvec_split_list(&s->down, down);
	strvec_split_list(&s->deps, deps);
	strvec_split_list(&s->labels, labels);
	s->down_line = s->id_line = s->labels_line = s->deps_line = 1;
}

static int build(struct rt_error *err)
{
	return rt_graph_build(&g, scripts, nscripts, err);
}

static int teardown(void **state)
{
	(void)state;
	rt_graph_release(&g);
	for (int i = 0; i < nscripts; i++)
		rt_script_release(&scripts[i]);
	nscripts = 0;
	return 0;
}

/* "INSERT a; UPDATE a->b | ..." : each step's row changes, steps separated by " | " */
static char *describe(const struct rt_plan *p)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < p->n; i++) {
		const struct rt_step *s = &p->steps[i];
		if (i)
			strbuf_addstr(&sb, " | ");
		if (s->rev >= 0)
			strbuf_addf(&sb, "%s:", g.revs[s->rev].id);
		for (int k = 0; k < s->nvops; k++) {
			const struct rt_vop *v = &s->vops[k];
			if (v->kind == RT_VOP_INSERT)
				strbuf_addf(&sb, " +%s", v->to);
			else if (v->kind == RT_VOP_DELETE)
				strbuf_addf(&sb, " -%s", v->from);
			else
				strbuf_addf(&sb, " %s>%s", v->from, v->to);
		}
	}
	return strbuf_detach(&sb);
}

static void rows_of(struct strvec *rows, const char *list)
{
	strvec_init(rows);
	strvec_split_list(rows, list);
}

/* The plan p as describe() writes it must be `expect`; rc is the planner's result. */
static void expect_plan(struct rt_plan *p, int rc, const struct rt_error *e, const char *what,
			const char *expect)
{
	if (rc)
		fail_msg("plan %s failed: %s", what, e->msg);
	char *d = describe(p);
	assert_string_equal(d, expect);
	free(d);
}

#define PLAN(kind, rowlist, target, expect)                                        \
	do {                                                                       \
		struct rt_plan p_;                                                 \
		struct strvec r_;                                                  \
		struct rt_error e_ = RT_ERROR_INIT;                                \
		rt_plan_init(&p_);                                                 \
		rows_of(&r_, rowlist);                                             \
		expect_plan(&p_, rt_plan_##kind(&g, &r_, target, &p_, &e_), &e_,  \
			    #kind " " target, expect);                              \
		strvec_clear(&r_);                                                 \
		rt_plan_release(&p_);                                              \
	} while (0)

#define PLAN_FAILS(kind, rowlist, target, needle)                                  \
	do {                                                                       \
		struct rt_plan p_;                                                 \
		struct strvec r_;                                                  \
		struct rt_error e_ = RT_ERROR_INIT;                                \
		rt_plan_init(&p_);                                                 \
		rows_of(&r_, rowlist);                                             \
		assert_int_equal(rt_plan_##kind(&g, &r_, target, &p_, &e_), -1);   \
		assert_msg_has(&e_, needle);                                       \
		strvec_clear(&r_);                                                 \
		rt_plan_release(&p_);                                              \
	} while (0)

static void linear(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	mk("aaaa", "", "", "");
	mk("bbbb", "aaaa", "", "");
	mk("cccc", "bbbb", "", "");
	assert_int_equal(build(&err), 0);
	assert_int_equal(g.heads.nr, 1);
	assert_string_equal(g.revs[g.heads.v[0]].id, "cccc");
	PLAN(upgrade, "", "head", "aaaa: +aaaa | bbbb: aaaa>bbbb | cccc: bbbb>cccc");
	PLAN(upgrade, "aaaa", "+1", "bbbb: aaaa>bbbb");
	PLAN(upgrade, "aaaa", "bbbb", "bbbb: aaaa>bbbb");
	PLAN(upgrade, "cccc", "aaaa", "");            /* older target: nothing to do */
	PLAN(downgrade, "cccc", "-1", "cccc: cccc>bbbb");
	PLAN(downgrade, "cccc", "base", "cccc: cccc>bbbb | bbbb: bbbb>aaaa | aaaa: -aaaa");
	PLAN(downgrade, "bbbb", "aaaa", "bbbb: bbbb>aaaa");
	PLAN_FAILS(downgrade, "aaaa", "cccc", "not a valid downgrade target");
	PLAN_FAILS(downgrade, "aaaa", "-2", "relative revision -2 didn't produce 2 migrations: the walk ends after 1 step");
	PLAN_FAILS(upgrade, "cccc", "+1", "relative revision +1 didn't produce 1 migrations: the walk ends after 0 steps");
	PLAN_FAILS(upgrade, "", "zzzz", "can't locate revision identified by 'zzzz'");
	PLAN_FAILS(upgrade, "gone", "head", "the database is at revision 'gone'");
}

static void branches_and_merge(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	mk("aaaa", "", "", "");
	mk("bbb1", "aaaa", "", "");
	mk("bbb2", "aaaa", "", "");
	assert_int_equal(build(&err), 0);
	assert_int_equal(g.heads.nr, 2);
	assert_true(rt_rev_is_branch_point(&g.revs[0]));
	/* Alembic's order: the topological sort walks heads in file order and the
	 * upgrade runs it backwards */
	PLAN(upgrade, "", "heads", "aaaa: +aaaa | bbb2: aaaa>bbb2 | bbb1: +bbb1");
	PLAN_FAILS(upgrade, "", "head", "multiple heads are present");
	PLAN(upgrade, "", "bbb1", "aaaa: +aaaa | bbb1: aaaa>bbb1");
	PLAN(upgrade, "bbb1", "bbb2", "bbb2: +bbb2");
	PLAN_FAILS(downgrade, "bbb1, bbb2", "-1", "ambiguous");
	PLAN(downgrade, "bbb1, bbb2", "bbb1@aaaa", "bbb1: -bbb1");
	teardown(NULL);

	mk("aaaa", "", "", "");
	mk("bbb1", "aaaa", "", "");
	mk("bbb2", "aaaa", "", "");
	mk("mmmm", "bbb1, bbb2", "", "");
	assert_int_equal(build(&err), 0);
	assert_true(rt_rev_is_merge_point(&g.revs[3]));
	PLAN(upgrade, "bbb1, bbb2", "head", "mmmm: -bbb1 bbb2>mmmm");
	PLAN(upgrade, "bbb1", "head", "bbb2: +bbb2 | mmmm: -bbb1 bbb2>mmmm");
	PLAN(downgrade, "mmmm", "bbb1", "mmmm: +bbb1 mmmm>bbb2");
	PLAN_FAILS(downgrade, "mmmm", "-1", "ambiguous walk");
	PLAN(downgrade, "mmmm", "base",
	     "mmmm: +bbb1 mmmm>bbb2 | bbb1: -bbb1 | bbb2: bbb2>aaaa | aaaa: -aaaa");
}

static void dependencies_and_labels(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	mk("aaaa", "", "", "core");
	mk("bbbb", "aaaa", "", "");
	mk("xxxx", "", "", "other");
	mk("yyyy", "xxxx", "bbbb", "");
	assert_int_equal(build(&err), 0);
	/* labels spread to descendants */
	assert_int_equal(strvec_find(&g.revs[1].labels, "core"), 0);
	/* the dependency comes first, and keeps no row of its own (checked
	 * against Alembic 1.8.1) */
	PLAN(upgrade, "", "other@head", "aaaa: +aaaa | bbbb: aaaa>bbbb | xxxx: +xxxx | yyyy: -xxxx bbbb>yyyy");
	PLAN(upgrade, "", "core@head", "aaaa: +aaaa | bbbb: aaaa>bbbb");
	/* downgrading the dependency first reverts what depends on it */
	PLAN(downgrade, "yyyy", "core@base", "yyyy: +xxxx yyyy>bbbb | bbbb: bbbb>aaaa | aaaa: -aaaa");
	assert_false(rt_rev_is_head(&g.revs[3]) == 0);
	assert_false(rt_rev_is_real_head(&g.revs[1]));
	assert_true(rt_rev_is_head(&g.revs[1])); /* an effective head */
}

static void resolution(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	struct intlist out = { 0 };
	int r;
	mk("abcd1111", "", "", "");
	mk("abcd2222", "abcd1111", "", "");
	mk("ef001234", "abcd2222", "", "feature");
	assert_int_equal(build(&err), 0);
	assert_int_equal(rt_resolve_one(&g, "abcd1", &r, &err), 0);
	assert_int_equal(r, 0);
	assert_int_equal(rt_resolve_one(&g, "abcd", &r, &err), -1);
	assert_msg_has(&err, "'abcd' is ambiguous: 'abcd1111', 'abcd2222'");
	assert_int_equal(rt_resolve_one(&g, "zz", &r, &err), -1);
	assert_msg_has(&err, "no revision id or branch label starts with it");
	assert_int_equal(rt_resolve_one(&g, "e", &r, &err), 0); /* a prefix of one character */
	assert_int_equal(r, 2);
	assert_int_equal(rt_resolve_one(&g, "feature", &r, &err), 0);
	assert_int_equal(r, 2);
	assert_int_equal(rt_resolve_one(&g, "feature@head", &r, &err), 0);
	assert_int_equal(r, 2);
	assert_int_equal(rt_resolve_one(&g, "base", &r, &err), 0);
	assert_int_equal(r, RT_REV_NONE);
	assert_int_equal(rt_resolve(&g, "heads", &out, &err), 0);
	assert_int_equal(out.nr, 1);
	intlist_release(&out);
	PLAN(upgrade, "abcd1111", "head-1", "abcd2222: abcd1111>abcd2222");
	PLAN(upgrade, "", "base+2", "abcd1111: +abcd1111 | abcd2222: abcd1111>abcd2222");
	PLAN(downgrade, "ef001234", "feature@-2", "ef001234: ef001234>abcd2222 | abcd2222: abcd2222>abcd1111");
}

/* Build what mk() set up, expect failure with `needle`, and start afresh. */
static void expect_build_error(const char *needle)
{
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(build(&err), -1);
	assert_msg_has(&err, needle);
	teardown(NULL);
}

static void bad_graphs(void **state)
{
	(void)state;
	mk("aaaa", "bbbb", "", "");
	mk("bbbb", "aaaa", "", "");
	expect_build_error("cycle detected in revisions (aaaa, bbbb)");

	mk("aaaa", "", "", "");
	mk("bbbb", "aaaa", "", "");
	mk("cccc", "dddd", "", "");
	mk("dddd", "cccc", "", "");
	expect_build_error("cycle detected in revisions (cccc, dddd)");

	/* a loop through a merge: every revision is reachable from the head
	 * and from the base, and only the loop's members are named (found by
	 * the fuzzer: this hung upgrade and history) */
	mk("aaaa", "", "", "");
	mk("bbbb", "aaaa, cccc", "", "");
	mk("cccc", "bbbb", "", "");
	mk("dddd", "cccc", "", "");
	expect_build_error("cycle detected in revisions (bbbb, cccc); check their 'Revises:'");

	mk("aaaa", "", "", "x");
	mk("bbbb", "aaaa", "", "x");
	expect_build_error("branch label 'x' in revision bbbb is already used by revision aaaa");

	mk("aaaa", "", "", "");
	mk("bbbb", "nope", "", "");
	expect_build_error("revises 'nope', which no migration file defines");

	mk("aaaa", "", "", "");
	mk("aaaa", "", "", "");
	expect_build_error("revision id 'aaaa' is already used");

	mk("aaaa", "", "bbbb", "");
	mk("bbbb", "", "aaaa", "");
	expect_build_error("dependency cycle");
}

static void stamps(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_plan p;
	struct strvec rows, targets;
	mk("aaaa", "", "", "");
	mk("bbbb", "aaaa", "", "");
	mk("cccc", "", "", "");
	assert_int_equal(build(&err), 0);

#define STAMP(rowlist, tlist, purge, expect)                                            \
	do {                                                                            \
		rt_plan_init(&p);                                                       \
		rows_of(&rows, rowlist);                                                \
		rows_of(&targets, tlist);                                               \
		assert_int_equal(rt_plan_stamp(&g, &rows, &targets, purge, &p, &err), 0); \
		char *d_ = describe(&p);                                                \
		assert_string_equal(d_, expect);                                        \
		free(d_);                                                               \
		strvec_clear(&rows);                                                    \
		strvec_clear(&targets);                                                 \
		rt_plan_release(&p);                                                    \
	} while (0)
#define STAMP_FAILS(rowlist, tlist, needle)                                              \
	do {                                                                            \
		rt_plan_init(&p);                                                       \
		rows_of(&rows, rowlist);                                                \
		rows_of(&targets, tlist);                                               \
		assert_int_equal(rt_plan_stamp(&g, &rows, &targets, 0, &p, &err), -1);  \
		assert_msg_has(&err, needle);                                           \
		strvec_clear(&rows);                                                    \
		strvec_clear(&targets);                                                 \
		rt_plan_release(&p);                                                    \
	} while (0)
	STAMP("", "bbbb", 0, " +bbbb");
	STAMP("aaaa", "bbbb", 0, " aaaa>bbbb");
	STAMP("bbbb", "aaaa", 0, " bbbb>aaaa");
	STAMP("bbbb", "base", 0, " -bbbb");
	STAMP("bbbb", "cccc", 0, " +cccc");
	STAMP("bbbb", "bbbb", 0, "");
	STAMP("zzzz", "aaaa", 1, " +aaaa");
}

/* Where retort is safer than Alembic (docs/alembic-compat.md). */
static void safe_stamps_and_overlaps(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_plan p;
	struct strvec rows, targets;
	/* two branches, two heads */
	mk("aaaa", "", "", "");
	mk("bbb1", "aaaa", "", "");
	mk("bbb2", "aaaa", "", "");
	mk("ccc1", "bbb1", "", "");
	mk("ccc2", "bbb2", "", "");
	assert_int_equal(build(&err), 0);
	/* stamp heads with rows on two branches keeps both (Alembic folds them) */
	STAMP("ccc1, bbb2", "heads", 0, " bbb2>ccc2");
	/* a revision named twice */
	STAMP_FAILS("", "bbb1 bbb1", "revision bbb1 is named twice");
	/* overlapping rows are refused, as Alembic refuses them */
	PLAN_FAILS(upgrade, "aaaa, ccc1", "heads", "recorded revision ccc1 overlaps with aaaa");
}

static void ambiguous_stamp(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_plan p;
	struct strvec rows, targets;
	mk("aaaa", "", "", "");
	mk("bbb1", "aaaa", "", "");
	mk("bbb2", "aaaa", "", "");
	mk("mmmm", "bbb1, bbb2", "", "");
	mk("nnnn", "mmmm", "", "");
	assert_int_equal(build(&err), 0);
	/* bbb1 lies below mmmm and nnnn above it: Alembic asserts, retort refuses */
	STAMP_FAILS("bbb1 nnnn", "mmmm", "stamping mmmm is ambiguous");
}

/* ONE(kind, rows, rev, expect): rt_plan_one's step, or (expect "!needle") its error. */
#define ONE(kind, rowlist, id, expect)                                              \
	do {                                                                        \
		struct rt_plan p_;                                                  \
		struct strvec r_;                                                   \
		struct rt_error e_ = RT_ERROR_INIT;                                 \
		rt_plan_init(&p_);                                                  \
		rows_of(&r_, rowlist);                                              \
		int rc_ = rt_plan_one(&g, &r_, rt_graph_find(&g, id), kind, &p_, &e_); \
		if ((expect)[0] == '!') {                                           \
			assert_int_equal(rc_, -1);                                  \
			assert_msg_has(&e_, (expect) + 1);                          \
		} else {                                                            \
			expect_plan(&p_, rc_, &e_, "one " id, expect);              \
		}                                                                   \
		strvec_clear(&r_);                                                  \
		rt_plan_release(&p_);                                               \
	} while (0)

/* One step of one revision (retort test): the same row changes as a walk. */
static void one_step(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	mk("aaaa", "", "", "");
	mk("bbb1", "aaaa", "", "");
	mk("bbb2", "aaaa", "", "");
	mk("mmmm", "bbb1, bbb2", "", "");
	mk("dddd", "", "bbb1", "");
	assert_int_equal(build(&err), 0);
	ONE(RT_STEP_UPGRADE, "", "aaaa", "aaaa: +aaaa");
	ONE(RT_STEP_UPGRADE, "aaaa", "bbb1", "bbb1: aaaa>bbb1");
	ONE(RT_STEP_UPGRADE, "bbb1", "bbb2", "bbb2: +bbb2");
	ONE(RT_STEP_UPGRADE, "bbb1, bbb2", "mmmm", "mmmm: -bbb1 bbb2>mmmm");
	ONE(RT_STEP_DOWNGRADE, "mmmm", "mmmm", "mmmm: +bbb1 mmmm>bbb2");
	ONE(RT_STEP_DOWNGRADE, "bbb1, bbb2", "bbb2", "bbb2: -bbb2");
	/* Alembic moves the dependency's row, as an upgrade walk does */
	ONE(RT_STEP_UPGRADE, "bbb1", "dddd", "dddd: bbb1>dddd");
	ONE(RT_STEP_UPGRADE, "", "bbb1", "!bbb1 needs aaaa, which is not applied");
	ONE(RT_STEP_UPGRADE, "aaaa", "dddd", "!dddd needs bbb1, which is not applied");
	ONE(RT_STEP_UPGRADE, "bbb1", "aaaa", "!aaaa is applied already");
	ONE(RT_STEP_DOWNGRADE, "mmmm", "bbb1", "!bbb1 is needed by mmmm, which is applied");
	ONE(RT_STEP_DOWNGRADE, "aaaa", "bbb1", "!bbb1 is not applied");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(safe_stamps_and_overlaps, teardown),
		cmocka_unit_test_teardown(ambiguous_stamp, teardown),
		cmocka_unit_test_teardown(linear, teardown),
		cmocka_unit_test_teardown(branches_and_merge, teardown),
		cmocka_unit_test_teardown(dependencies_and_labels, teardown),
		cmocka_unit_test_teardown(resolution, teardown),
		cmocka_unit_test_teardown(bad_graphs, teardown),
		cmocka_unit_test_teardown(stamps, teardown),
		cmocka_unit_test_teardown(one_step, teardown),
	};
	return cmocka_run_group_tests_name("graph", tests, NULL, NULL);
}

/*
 * The graph, target resolution and plan pipeline.  The input is
 *
 *   line 1: the version rows ("aaaa, bbbb"), line 2: an upgrade target,
 *   line 3: a downgrade target, line 4: stamp targets (a leading '!'
 *   purges), then up to MAX_SCRIPTS migration files separated by "==" lines,
 *
 * each parsed with rt_script_parse (those that fail are left out), built
 * into a graph and planned against.  Properties: every index the graph
 * and the plans hold names a revision; a graph with revisions has a head;
 * and an upgrade to an absolute target, planned again from the rows it
 * ends at, has nothing left to do.
 */
#include "fuzz.h"

#include <string.h>

#include "lib/graph.h"
#include "lib/plan.h"
#include "lib/resolve.h"

#define MAX_SCRIPTS 8

/* The next line of data[*pos..size) as a new string; *pos moves past it. */
static char *take_line(const uint8_t *data, size_t size, size_t *pos)
{
	const uint8_t *p = data + *pos;
	const uint8_t *nl = memchr(p, '\n', size - *pos);
	size_t n = nl ? (size_t)(nl - p) : size - *pos;
	char *s = malloc(n + 1);
	if (!s)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	*pos += n + (nl != NULL);
	return s;
}

static void check_list(const struct intlist *l, int n, int base_ok)
{
	for (int i = 0; i < l->nr; i++)
		FUZZ_CHECK((l->v[i] >= 0 && l->v[i] < n) || (base_ok && l->v[i] == RT_REV_BASE));
}

static void check_plan(const struct rt_graph *g, const struct rt_plan *p)
{
	FUZZ_CHECK(p->n >= 0 && p->n <= p->alloc);
	for (int i = 0; i < p->n; i++) {
		const struct rt_step *s = &p->steps[i];
		if (s->kind == RT_STEP_STAMP)
			FUZZ_CHECK(s->rev == -1);
		else
			FUZZ_CHECK(s->rev >= 0 && s->rev < g->n);
		FUZZ_CHECK(s->nvops >= 0 && s->nvops <= s->avops);
		for (int k = 0; k < s->nvops; k++) {
			const struct rt_vop *v = &s->vops[k];
			if (v->from)
				FUZZ_CHECK(rt_graph_find(g, v->from) >= 0);
			if (v->to)
				FUZZ_CHECK(rt_graph_find(g, v->to) >= 0);
		}
	}
	for (size_t i = 0; i < p->end_rows.nr; i++)
		FUZZ_CHECK(rt_graph_find(g, p->end_rows.v[i]) >= 0);
}

static int is_relative(const char *t)
{
	return strchr(t, '+') || strchr(t, '-');
}

static void plans(const struct rt_graph *g, const struct strvec *rows, const char *up,
		  const char *down, const char *stamp)
{
	struct rt_plan p;
	struct rt_error err = RT_ERROR_INIT;
	struct strvec targets;
	struct intlist walk = { 0 };

	rt_plan_init(&p);
	if (!rt_plan_upgrade(g, rows, up, &p, &err)) {
		check_plan(g, &p);
		if (!is_relative(up)) {
			struct rt_plan again;
			struct strvec end;
			rt_plan_init(&again);
			strvec_init(&end);
			for (size_t i = 0; i < p.end_rows.nr; i++)
				strvec_push(&end, p.end_rows.v[i]);
			FUZZ_CHECK(!rt_plan_upgrade(g, &end, up, &again, &err));
			FUZZ_CHECK(again.n == 0);
			rt_plan_release(&again);
			strvec_clear(&end);
		}
	}
	rt_plan_release(&p);

	rt_plan_init(&p);
	if (!rt_plan_downgrade(g, rows, down, &p, &err))
		check_plan(g, &p);
	rt_plan_release(&p);

	strvec_init(&targets);
	strvec_split_list(&targets, stamp + (*stamp == '!'));
	rt_plan_init(&p);
	if (!rt_plan_stamp(g, rows, &targets, *stamp == '!', &p, &err))
		check_plan(g, &p);
	rt_plan_release(&p);
	strvec_clear(&targets);

	if (!rt_walk_revisions(g, NULL, NULL, &walk, &err)) {
		check_list(&walk, g->n, 0);
		FUZZ_CHECK(walk.nr <= g->n);
	}
	intlist_release(&walk);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_script scripts[MAX_SCRIPTS];
	struct rt_graph g;
	struct rt_error err = RT_ERROR_INIT;
	struct strvec rows;
	size_t pos = 0;
	int n = 0;
	char *line[4];

	for (int i = 0; i < 4; i++)
		line[i] = take_line(data, size, &pos);
	while (pos < size && n < MAX_SCRIPTS) {
		/* one script: up to a line "==" or the end */
		size_t start = pos, end = size, next = size;
		for (size_t q = pos; q < size; q++)
			if ((q == pos || data[q - 1] == '\n') && size - q >= 2 && data[q] == '=' &&
			    data[q + 1] == '=' && (size - q == 2 || data[q + 2] == '\n')) {
				end = q;
				next = q + 2 + (size - q > 2);
				break;
			}
		pos = next;
		char *text = malloc(end - start + 1);
		if (!text)
			abort();
		memcpy(text, data + start, end - start);
		text[end - start] = '\0';
		rt_script_init(&scripts[n]);
		if (rt_script_parse(&scripts[n], "versions/x.sql", text, end - start, &err))
			rt_script_release(&scripts[n]);
		else
			n++;
	}

	strvec_init(&rows);
	strvec_split_list(&rows, line[0]);
	rt_graph_init(&g);
	if (!rt_graph_build(&g, scripts, n, &err)) {
		FUZZ_CHECK(g.n == n);
		if (n)
			FUZZ_CHECK(g.heads.nr >= 1 && g.bases.nr >= 1);
		check_list(&g.heads, n, 0);
		check_list(&g.bases, n, 0);
		for (int i = 0; i < g.n; i++) {
			const struct rt_rev *r = &g.revs[i];
			check_list(&r->down, n, 0);
			check_list(&r->norm_down, n, 0);
			check_list(&r->next, n, 0);
			check_list(&r->all_next, n, 0);
			FUZZ_CHECK(rt_graph_find(&g, r->id) == i);
		}
		plans(&g, &rows, line[1], line[2], line[3]);
	}
	rt_graph_release(&g);
	strvec_clear(&rows);
	for (int i = 0; i < n; i++)
		rt_script_release(&scripts[i]);
	for (int i = 0; i < 4; i++)
		free(line[i]);
	return 0;
}

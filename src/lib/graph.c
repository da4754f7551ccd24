/*
 * The revision graph: revisions from the script directory linked by
 * down_revision and depends_on, with heads, branch points, labels and
 * ancestor sets, checked for unknown parents and cycles.
 */
#include "graph.h"
#include "strbuf.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void intlist_push(struct intlist *l, int x)
{
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	l->v[l->nr++] = x;
}

int intlist_has(const struct intlist *l, int x)
{
	for (int i = 0; i < l->nr; i++)
		if (l->v[i] == x)
			return 1;
	return 0;
}

void intlist_release(struct intlist *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void rt_graph_init(struct rt_graph *g)
{
	memset(g, 0, sizeof(*g));
	strvec_init(&g->label_names);
}

void rt_graph_release(struct rt_graph *g)
{
	for (int i = 0; i < g->n; i++) {
		struct rt_rev *r = &g->revs[i];
		intlist_release(&r->down);
		intlist_release(&r->deps);
		intlist_release(&r->norm_deps);
		intlist_release(&r->norm_down);
		intlist_release(&r->next);
		intlist_release(&r->all_next);
		intlist_release(&r->norm_up);
		strvec_clear(&r->labels);
	}
	free(g->revs);
	intlist_release(&g->heads);
	intlist_release(&g->real_heads);
	intlist_release(&g->bases);
	intlist_release(&g->real_bases);
	free(g->slots);
	strvec_clear(&g->label_names);
	intlist_release(&g->label_revs);
	rt_graph_init(g);
}

/* FNV-1a; the id table is open-addressed with linear probing. */
static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

int rt_graph_find(const struct rt_graph *g, const char *id)
{
	if (!g->nslots)
		return -1;
	for (size_t i = hash_str(id) & (g->nslots - 1);; i = (i + 1) & (g->nslots - 1)) {
		int r = g->slots[i];
		if (r < 0)
			return -1;
		if (!strcmp(g->revs[r].id, id))
			return r;
	}
}

int rt_graph_find_label(const struct rt_graph *g, const char *label)
{
	int i = strvec_find(&g->label_names, label);
	return i < 0 ? -1 : g->label_revs.v[i];
}

/* Resolve an id or a branch label (as Alembic's map holds both). */
static int find_id_or_label(const struct rt_graph *g, const char *s)
{
	int r = rt_graph_find(g, s);
	return r >= 0 ? r : rt_graph_find_label(g, s);
}

/*
 * Generic walk: DFS with an explicit stack over `next` lists chosen by
 * `edges`, marking everything reachable from the targets (themselves
 * included).  Bitsets keep it linear in the size of the graph.
 */
enum walk_edges { W_NORM_DOWN, W_DOWN, W_ALL_NEXT, W_NEXT };

static const struct intlist *edges_of(const struct rt_rev *r, enum walk_edges e)
{
	switch (e) {
	case W_NORM_DOWN:
		return &r->norm_down;
	case W_DOWN:
		return &r->down;
	case W_ALL_NEXT:
		return &r->all_next;
	default:
		return &r->next;
	}
}

static void walk(const struct rt_graph *g, const int *targets, int n, enum walk_edges e,
		 struct bitset *out)
{
	struct intlist stack = { 0 };
	struct bitset seen;
	/* a private visited set: `out` may already hold members of another walk */
	bitset_init(&seen, g->n);
	for (int t = 0; t < n; t++) {
		intlist_push(&stack, targets[t]);
		while (stack.nr) {
			int r = stack.v[--stack.nr];
			if (bitset_has(&seen, r))
				continue;
			bitset_set(&seen, r);
			const struct intlist *l = edges_of(&g->revs[r], e);
			for (int i = 0; i < l->nr; i++)
				if (!bitset_has(&seen, l->v[i]))
					intlist_push(&stack, l->v[i]);
		}
	}
	bitset_or(out, &seen);
	bitset_release(&seen);
	intlist_release(&stack);
}

void rt_graph_ancestors(const struct rt_graph *g, const int *targets, int n, int with_deps,
			struct bitset *out)
{
	walk(g, targets, n, with_deps ? W_NORM_DOWN : W_DOWN, out);
}

void rt_graph_descendants(const struct rt_graph *g, const int *targets, int n, int with_deps,
			  struct bitset *out)
{
	walk(g, targets, n, with_deps ? W_ALL_NEXT : W_NEXT, out);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_label(struct rt_rev *r, const char *label)
{
	if (strvec_find(&r->labels, label) < 0) {
		strvec_push(&r->labels, label);
		qsort(r->labels.v, r->labels.nr, sizeof(char *), cmp_str);
	}
}

/*
 * Spread each revision's own labels: to all its descendants (through
 * Revises only), then, from the last descendant reached, down through
 * single parents until a real branch point or merge point, as Alembic's
 * _add_branches does; so a label names its whole branch.
 */
static void spread_labels(struct rt_graph *g)
{
	struct bitset seen;
	struct intlist stack = { 0 };
	bitset_init(&seen, g->n);
	for (int i = 0; i < g->n; i++) {
		const struct strvec *own = &g->revs[i].script->labels;
		if (!own->nr)
			continue;
		bitset_clearall(&seen);
		int last = i;
		intlist_push(&stack, i);
		while (stack.nr) {
			int r = stack.v[--stack.nr];
			if (bitset_has(&seen, r))
				continue;
			bitset_set(&seen, r);
			last = r;
			for (size_t k = 0; k < own->nr; k++)
				add_label(&g->revs[r], own->v[k]);
			for (int c = 0; c < g->revs[r].next.nr; c++)
				intlist_push(&stack, g->revs[r].next.v[c]);
		}
		int p = last;
		while (p >= 0 && !rt_rev_is_real_branch_point(&g->revs[p]) &&
		       !rt_rev_is_merge_point(&g->revs[p])) {
			for (size_t k = 0; k < own->nr; k++)
				add_label(&g->revs[p], own->v[k]);
			p = g->revs[p].down.nr ? g->revs[p].down.v[0] : -1;
		}
	}
	intlist_release(&stack);
	bitset_release(&seen);
}

/*
 * Revisions that cannot be reached both from a head (walking down) and
 * from a base (walking up) lie on a cycle.  Checked for Revises alone and
 * then with dependencies, as Alembic does.
 */
static int detect_cycles(const struct rt_graph *g, int with_deps, struct rt_error *err)
{
	const struct intlist *heads = with_deps ? &g->real_heads : &g->heads;
	const struct intlist *bases = with_deps ? &g->real_bases : &g->bases;
	struct bitset down, up;
	int rc = 0;

	if (!g->n)
		return 0;
	bitset_init(&down, g->n);
	bitset_init(&up, g->n);
	walk(g, heads->v, heads->nr, with_deps ? W_NORM_DOWN : W_DOWN, &down);
	walk(g, bases->v, bases->nr, with_deps ? W_ALL_NEXT : W_NEXT, &up);
	bitset_and(&down, &up);
	struct strvec bad = STRVEC_INIT;
	for (int i = 0; i < g->n; i++)
		if (!bitset_has(&down, i))
			strvec_push(&bad, g->revs[i].id);
	if (bad.nr) {
		qsort(bad.v, bad.nr, sizeof(char *), cmp_str);
		char *list = strvec_join(&bad, ", ");
		rc = rt_error_set(err, RT_EXIT_ERROR,
				  "%s detected in revisions (%s); check their 'Revises:'%s lines",
				  with_deps ? "dependency cycle" : "cycle", list,
				  with_deps ? " and 'Depends On:'" : "");
		free(list);
	}
	strvec_clear(&bad);
	bitset_release(&down);
	bitset_release(&up);
	return rc;
}

/*
 * Kahn's algorithm over norm_down: every revision after all it needs.
 * Revisions left over lie on a cycle, or after one: a cycle that every
 * revision of can be reached from a head and from a base (a Revises loop
 * through a merge), which detect_cycles() cannot see.  Then the ones on
 * the cycle are found by peeling off, from the other end, those that lead
 * nowhere else, and named in the error.
 */
static int number_topologically(struct rt_graph *g, struct rt_error *err)
{
	int *indeg = xcalloc((size_t)g->n + 1, sizeof(int));
	struct intlist queue = { 0 };
	struct bitset done;
	int next = 0, rc = 0;
	bitset_init(&done, g->n);
	for (int i = 0; i < g->n; i++) {
		indeg[i] = g->revs[i].norm_down.nr;
		if (!indeg[i])
			intlist_push(&queue, i);
	}
	for (int q = 0; q < queue.nr; q++) {
		struct rt_rev *r = &g->revs[queue.v[q]];
		r->topo = next++;
		bitset_set(&done, queue.v[q]);
		for (int k = 0; k < r->norm_up.nr; k++)
			if (--indeg[r->norm_up.v[k]] == 0)
				intlist_push(&queue, r->norm_up.v[k]);
	}
	if (next < g->n) {
		/* outdegree within the leftovers; peel those with none */
		queue.nr = 0;
		for (int i = 0; i < g->n; i++) {
			indeg[i] = 0;
			if (bitset_has(&done, i))
				continue;
			for (int k = 0; k < g->revs[i].norm_up.nr; k++)
				indeg[i] += !bitset_has(&done, g->revs[i].norm_up.v[k]);
			if (!indeg[i])
				intlist_push(&queue, i);
		}
		for (int q = 0; q < queue.nr; q++) {
			const struct rt_rev *r = &g->revs[queue.v[q]];
			bitset_set(&done, queue.v[q]);
			for (int k = 0; k < r->norm_down.nr; k++)
				if (!bitset_has(&done, r->norm_down.v[k]) && --indeg[r->norm_down.v[k]] == 0)
					intlist_push(&queue, r->norm_down.v[k]);
		}
		struct strvec on = STRVEC_INIT;
		for (int i = 0; i < g->n; i++)
			if (!bitset_has(&done, i))
				strvec_push(&on, g->revs[i].id);
		qsort(on.v, on.nr, sizeof(char *), cmp_str);
		char *list = strvec_join(&on, ", ");
		rc = rt_error_set(err, RT_EXIT_ERROR, "cycle detected in revisions (%s); check their "
				  "'Revises:' and 'Depends On:' lines", list);
		free(list);
		strvec_clear(&on);
	}
	bitset_release(&done);
	intlist_release(&queue);
	free(indeg);
	return rc;
}

int rt_graph_build(struct rt_graph *g, struct rt_script *scripts, int n, struct rt_error *err)
{
	rt_graph_init(g);
	g->n = n;
	g->revs = xcalloc((size_t)n + 1, sizeof(*g->revs));
	g->nslots = 16;
	while (g->nslots < (size_t)n * 2 + 2)
		g->nslots *= 2;
	g->slots = xmalloc(g->nslots * sizeof(int));
	for (size_t i = 0; i < g->nslots; i++)
		g->slots[i] = -1;

	for (int i = 0; i < n; i++) {
		struct rt_rev *r = &g->revs[i];
		r->script = &scripts[i];
		r->id = scripts[i].id;
		strvec_init(&r->labels);
		int dup = rt_graph_find(g, r->id);
		if (dup >= 0)
			return rt_error_set(err, RT_EXIT_ERROR,
					    "%s:%d:1: revision id '%s' is already used by '%s'; give one of "
					    "them a new id", scripts[i].path, scripts[i].id_line, r->id,
					    scripts[dup].path);
		size_t s = hash_str(r->id) & (g->nslots - 1);
		while (g->slots[s] >= 0)
			s = (s + 1) & (g->nslots - 1);
		g->slots[s] = i;
	}
	/* labels: unique, and not clashing with a revision id */
	for (int i = 0; i < n; i++) {
		const struct strvec *own = &scripts[i].labels;
		for (size_t k = 0; k < own->nr; k++) {
			int other = find_id_or_label(g, own->v[k]);
			if (other >= 0)
				return rt_error_set(err, RT_EXIT_ERROR,
						    "%s:%d:1: branch label '%s' in revision %s is already used "
						    "by revision %s (%s)", scripts[i].path, scripts[i].labels_line,
						    own->v[k], g->revs[i].id, g->revs[other].id,
						    scripts[other].path);
			strvec_push(&g->label_names, own->v[k]);
			intlist_push(&g->label_revs, i);
		}
	}
	/* parents, dependencies and children */
	for (int i = 0; i < n; i++) {
		struct rt_rev *r = &g->revs[i];
		const struct rt_script *sc = r->script;
		for (size_t k = 0; k < sc->down.nr; k++) {
			int p = rt_graph_find(g, sc->down.v[k]);
			if (p < 0)
				return rt_error_set(err, RT_EXIT_ERROR,
						    "%s:%d:1: revision %s revises '%s', which no migration file "
						    "defines", sc->path, sc->down_line, r->id, sc->down.v[k]);
			intlist_push(&r->down, p);
		}
		for (size_t k = 0; k < sc->deps.nr; k++) {
			int p = find_id_or_label(g, sc->deps.v[k]);
			if (p < 0)
				return rt_error_set(err, RT_EXIT_ERROR,
						    "%s:%d:1: revision %s depends on '%s', which is neither a "
						    "revision id nor a branch label", sc->path, sc->deps_line,
						    r->id, sc->deps.v[k]);
			if (p == i)
				return rt_error_set(err, RT_EXIT_ERROR,
						    "%s:%d:1: revision %s depends on itself", sc->path,
						    sc->deps_line, r->id);
			if (!intlist_has(&r->deps, p))
				intlist_push(&r->deps, p);
		}
	}
	for (int i = 0; i < n; i++) {
		struct rt_rev *r = &g->revs[i];
		for (int k = 0; k < r->down.nr; k++) {
			struct rt_rev *p = &g->revs[r->down.v[k]];
			intlist_push(&p->next, i);
			intlist_push(&p->all_next, i);
		}
		for (int k = 0; k < r->deps.nr; k++) {
			struct rt_rev *p = &g->revs[r->deps.v[k]];
			if (!intlist_has(&p->all_next, i))
				intlist_push(&p->all_next, i);
		}
	}
	/*
	 * Normalized dependencies: drop those that an ancestor (through
	 * Revises) already depends on.
	 */
	struct bitset anc;
	bitset_init(&anc, n);
	for (int i = 0; i < n; i++) {
		struct rt_rev *r = &g->revs[i];
		if (r->deps.nr) {
			bitset_clearall(&anc);
			walk(g, &i, 1, W_DOWN, &anc);
			for (int k = 0; k < r->deps.nr; k++) {
				int d = r->deps.v[k], implied = 0;
				for (int a = 0; a < n && !implied; a++)
					if (a != i && bitset_has(&anc, a) && intlist_has(&g->revs[a].deps, d))
						implied = 1;
				if (!implied)
					intlist_push(&r->norm_deps, d);
			}
		}
		for (int k = 0; k < r->down.nr; k++)
			intlist_push(&r->norm_down, r->down.v[k]);
		for (int k = 0; k < r->norm_deps.nr; k++)
			if (!intlist_has(&r->norm_down, r->norm_deps.v[k]))
				intlist_push(&r->norm_down, r->norm_deps.v[k]);
	}
	bitset_release(&anc);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < g->revs[i].norm_down.nr; k++)
			intlist_push(&g->revs[g->revs[i].norm_down.v[k]].norm_up, i);

	for (int i = 0; i < n; i++) {
		struct rt_rev *r = &g->revs[i];
		if (rt_rev_is_head(r))
			intlist_push(&g->heads, i);
		if (rt_rev_is_real_head(r))
			intlist_push(&g->real_heads, i);
		if (!r->down.nr)
			intlist_push(&g->bases, i);
		if (!r->down.nr && !r->deps.nr)
			intlist_push(&g->real_bases, i);
	}
	if (n && (!g->heads.nr || !g->bases.nr))
		return detect_cycles(g, 0, err) ? -1
			: rt_error_set(err, RT_EXIT_ERROR, "cycle detected: the revisions have no head or no base");
	if (detect_cycles(g, 0, err))
		return -1;
	if (n && (!g->real_heads.nr || !g->real_bases.nr))
		return rt_error_set(err, RT_EXIT_ERROR, "dependency cycle detected: no real head or base");
	if (detect_cycles(g, 1, err))
		return -1;
	if (number_topologically(g, err))
		return -1;
	spread_labels(g);
	return 0;
}

/*
 * Is `c` an ancestor of `t` (through norm_down)?  Only for the sort below:
 * the search stays among revisions still to sort that lie above `c` in
 * topological order, since any path from t down to c runs through those.
 */
static int reaches(const struct rt_graph *g, int t, int c, const struct bitset *left,
		   struct bitset *seen, struct intlist *stack)
{
	int found = 0;
	bitset_clearall(seen);
	stack->nr = 0;
	intlist_push(stack, t);
	while (stack->nr && !found) {
		int r = stack->v[--stack->nr];
		if (r == c) {
			found = 1;
			break;
		}
		if (bitset_has(seen, r))
			continue;
		bitset_set(seen, r);
		const struct intlist *d = &g->revs[r].norm_down;
		for (int k = 0; k < d->nr; k++) {
			int p = d->v[k];
			if (p == c || (bitset_has(left, p) && g->revs[p].topo > g->revs[c].topo))
				intlist_push(stack, p);
		}
	}
	return found;
}

/*
 * Alembic's _topological_sort, with the same output: keep a list of branch
 * tips in file order; emit the current tip unless it is an ancestor of
 * another tip (then switch to the first such tip), and replace it by its
 * parents still to sort.  Every revision comes before its parents, and one
 * branch is walked as far as it can go before the next; this fixes the
 * order of `upgrade heads` (reversed) and of `history`.
 *
 * Alembic keeps an ancestor set per tip and recomputes it at every merge,
 * which is quadratic.  Here "is an ancestor of another tip" is answered
 * from a count: everything still to sort lies below some tip, so a tip is
 * an ancestor of another exactly when one of its children (through
 * norm_down) is still to sort.  Only when it is does a bounded search find
 * which tip comes first in the list.
 */
void rt_graph_toposort(const struct rt_graph *g, struct bitset *todo, const int *heads, int nheads,
		       struct intlist *out)
{
	struct intlist cur = { 0 }, stack = { 0 };
	struct bitset is_tip, seen;
	int *pending = xcalloc((size_t)g->n + 1, sizeof(int));

	bitset_init(&is_tip, g->n);
	bitset_init(&seen, g->n);
	for (int i = 0; i < nheads; i++)
		if (bitset_has(todo, heads[i]))
			bitset_set(&is_tip, heads[i]);
	for (int i = 0; i < g->n; i++) {
		if (bitset_has(&is_tip, i))
			intlist_push(&cur, i); /* tips in file order */
		if (!bitset_has(todo, i))
			continue;
		const struct intlist *d = &g->revs[i].norm_down;
		for (int k = 0; k < d->nr; k++)
			if (bitset_has(todo, d->v[k]))
				pending[d->v[k]]++;
	}

	int idx = 0;
	while (cur.nr) {
		int cand = cur.v[idx];
		if (pending[cand]) {
			for (int h = 0; h < cur.nr; h++)
				if (h != idx && reaches(g, cur.v[h], cand, todo, &seen, &stack)) {
					idx = h;
					break;
				}
			continue;
		}
		const struct rt_rev *r = &g->revs[cand];
		if (bitset_has(todo, cand)) {
			intlist_push(out, cand);
			bitset_clear(todo, cand);
			for (int k = 0; k < r->norm_down.nr; k++)
				if (bitset_has(todo, r->norm_down.v[k]))
					pending[r->norm_down.v[k]]--;
		}
		struct intlist add = { 0 };
		for (int k = 0; k < r->norm_down.nr; k++) {
			int p = r->norm_down.v[k];
			if (bitset_has(todo, p) && !bitset_has(&is_tip, p) && !intlist_has(&add, p))
				intlist_push(&add, p);
		}
		bitset_clear(&is_tip, cand);
		if (!add.nr) {
			memmove(&cur.v[idx], &cur.v[idx + 1], (size_t)(cur.nr - idx - 1) * sizeof(int));
			cur.nr--;
			idx = idx > 0 ? idx - 1 : 0;
		} else {
			cur.v[idx] = add.v[0];
			bitset_set(&is_tip, add.v[0]);
			for (int k = 1; k < add.nr; k++) {
				intlist_push(&cur, add.v[k]);
				bitset_set(&is_tip, add.v[k]);
			}
		}
		intlist_release(&add);
	}
	free(pending);
	bitset_release(&is_tip);
	bitset_release(&seen);
	intlist_release(&stack);
	intlist_release(&cur);
}

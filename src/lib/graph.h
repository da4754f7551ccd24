/*
 * The revision graph, built from parsed scripts with Alembic's rules:
 *
 *   down      the versioned parents ("Revises"); they decide heads and rows
 *   deps      "Depends On", resolved to revisions (a dependency may name a
 *             branch label); "norm_deps" omits those an ancestor already has
 *   norm_down down + norm_deps: what must be applied before a revision
 *   next      children through "Revises"; all_next also through deps
 *
 * A head has no versioned child; a real head has no child at all (a head
 * that is only depended upon is an "effective head").  Revisions keep the
 * order of their files (sorted names), which breaks ties in every walk.
 * Branch labels spread to descendants and down to the previous branch point.
 */
#ifndef RT_GRAPH_H
#define RT_GRAPH_H

#include "bitset.h"
#include "error.h"
#include "script.h"
#include "strvec.h"

struct intlist {
	int *v;
	int nr, alloc;
};
void intlist_push(struct intlist *l, int x);
int intlist_has(const struct intlist *l, int x);
void intlist_release(struct intlist *l);

struct rt_rev {
	struct rt_script *script;
	const char *id;
	struct intlist down, deps, norm_deps, norm_down, next, all_next;
	struct intlist norm_up;   /* reverse of norm_down: who must come after this */
	int topo;                 /* position in a parents-first order */
	struct strvec labels;   /* own and inherited branch labels, sorted */
};

struct rt_graph {
	struct rt_rev *revs;
	int n;
	struct intlist heads, real_heads, bases, real_bases;
	/* id and label lookup */
	int *slots;
	size_t nslots;
	struct strvec label_names;
	struct intlist label_revs;
};

void rt_graph_init(struct rt_graph *g);
void rt_graph_release(struct rt_graph *g);
/* Build from `n` scripts (not owned; they must outlive the graph). */
int rt_graph_build(struct rt_graph *g, struct rt_script *scripts, int n, struct rt_error *err);

int rt_graph_find(const struct rt_graph *g, const char *id);        /* exact id, -1 if none */
int rt_graph_find_label(const struct rt_graph *g, const char *label); /* rev owning label */

static inline int rt_rev_is_head(const struct rt_rev *r) { return r->next.nr == 0; }
static inline int rt_rev_is_real_head(const struct rt_rev *r) { return r->all_next.nr == 0; }
static inline int rt_rev_is_branch_point(const struct rt_rev *r) { return r->next.nr > 1; }
static inline int rt_rev_is_real_branch_point(const struct rt_rev *r) { return r->all_next.nr > 1; }
static inline int rt_rev_is_merge_point(const struct rt_rev *r) { return r->down.nr > 1; }

/* Add the ancestors (following norm_down, or only down) of each of `targets`,
 * themselves included, to `out`. */
void rt_graph_ancestors(const struct rt_graph *g, const int *targets, int n, int with_deps,
			struct bitset *out);
/* Likewise descendants (following all_next, or only next). */
void rt_graph_descendants(const struct rt_graph *g, const int *targets, int n, int with_deps,
			  struct bitset *out);
/* Alembic's topological sort of `todo` (consumed), walking down from
 * `heads`: every revision comes before its parents.  Appends to `out`. */
void rt_graph_toposort(const struct rt_graph *g, struct bitset *todo, const int *heads, int nheads,
		       struct intlist *out);

#endif

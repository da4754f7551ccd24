/*
 * Target resolution: turn what a user types (full or partial ids, branch
 * labels, "head", "heads", "base", "LABEL@head", "+N", "-N", "REV+N",
 * "LABEL@-N") into revisions, with Alembic's rules and refusals.
 *
 * Revisions are graph indexes; RT_REV_BASE stands for "base" (before the
 * first revision) where a walk can reach it.
 */
#ifndef RT_RESOLVE_H
#define RT_RESOLVE_H

/* The most steps a relative target (+N, -N) may take. */
#define RT_MAX_RELATIVE 1000000

#include "error.h"
#include "graph.h"

#define RT_REV_NONE (-1)
#define RT_REV_BASE (-2)

/* All revisions an identifier names ("heads" may give several, "base" none). */
int rt_resolve(const struct rt_graph *g, const char *ident, struct intlist *out,
	       struct rt_error *err);
/* Exactly one revision (RT_REV_NONE for "base"); several is an error. */
int rt_resolve_one(const struct rt_graph *g, const char *ident, int *out, struct rt_error *err);
/* Every id in `ids` (e.g. the database's version rows) must name a revision. */
int rt_resolve_current(const struct rt_graph *g, const struct strvec *ids, struct intlist *out,
		       struct rt_error *err);

/* Does `target` share ancestry or descent with any of `against`? */
int rt_shares_lineage(const struct rt_graph *g, int target, const int *against, int n,
		      int with_deps);
/* Keep the members of `in` that share lineage with what `ident` names. */
int rt_filter_lineage(const struct rt_graph *g, const struct intlist *in, const char *ident,
		      int with_deps, struct intlist *out, struct rt_error *err);

/* Targets of an upgrade: absolute, or relative to `current` ("+2", "ae1+1"). */
int rt_parse_upgrade_target(const struct rt_graph *g, const struct intlist *current,
			    const char *target, int assert_relative_length, struct intlist *out,
			    struct rt_error *err);
/* Target of a downgrade: its branch label (or NULL, caller frees) and the
 * revision, RT_REV_NONE meaning base. */
int rt_parse_downgrade_target(const struct rt_graph *g, const struct intlist *current,
			      const char *target, int assert_relative_length, char **label,
			      int *rev, struct rt_error *err);

/* The "branch heads" among `revs` and all their ancestors: what `current` shows. */
void rt_all_current(const struct rt_graph *g, const struct intlist *revs, struct intlist *out);

#endif

/*
 * Plans: the ordered steps an upgrade, downgrade or stamp will take, each
 * with the exact version-row changes (INSERT for a new branch, UPDATE for a
 * step along a branch, DELETE at base, DELETE+UPDATE through a merge,
 * INSERT+UPDATE back out of one), computed up front by simulating Alembic's
 * head maintainer.  Execution and offline SQL both consume a plan, so what
 * `--sql` prints is what an online run does.
 */
#ifndef RT_PLAN_H
#define RT_PLAN_H

#include "error.h"
#include "graph.h"
#include "strvec.h"
#include "vop.h"

enum rt_step_kind { RT_STEP_UPGRADE, RT_STEP_DOWNGRADE, RT_STEP_STAMP };

struct rt_step {
	enum rt_step_kind kind;
	int rev;                 /* the revision run (upgrade/downgrade); -1 for stamp */
	struct strvec from, to;  /* for display: "from -> to" */
	struct rt_vop *vops;
	int nvops, avops;
};

struct rt_plan {
	struct rt_step *steps;
	int n, alloc;
	int purge;               /* stamp --purge: delete every row first */
	struct strvec end_rows;  /* version rows once every step has run */
};

void rt_plan_init(struct rt_plan *p);
void rt_plan_release(struct rt_plan *p);

int rt_plan_upgrade(const struct rt_graph *g, const struct strvec *rows, const char *target,
		    struct rt_plan *p, struct rt_error *err);
int rt_plan_downgrade(const struct rt_graph *g, const struct strvec *rows, const char *target,
		      struct rt_plan *p, struct rt_error *err);
int rt_plan_stamp(const struct rt_graph *g, const struct strvec *rows, const struct strvec *targets,
		  int purge, struct rt_plan *p, struct rt_error *err);

/*
 * One step only: upgrade `rev` (every parent applied, `rev` not) or
 * downgrade it (applied, no applied child), with its exact version-row
 * changes from `rows`.  Anything else is an error saying why: a walk of
 * several steps is rt_plan_upgrade/rt_plan_downgrade's job.
 */
int rt_plan_one(const struct rt_graph *g, const struct strvec *rows, int rev,
		enum rt_step_kind kind, struct rt_plan *p, struct rt_error *err);

/* Revisions from `head` down to `base` (identifiers, "heads"/"base" when
 * NULL) in history order: every revision before its parents. */
int rt_walk_revisions(const struct rt_graph *g, const char *base, const char *head,
		      struct intlist *out, struct rt_error *err);

#endif

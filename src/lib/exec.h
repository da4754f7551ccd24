/*
 * Executing a plan against a database: each migration's SQL and its
 * version-row changes in one transaction (a section marked
 * transaction:false runs its statements on their own, then the version
 * change commits alone).  A failure rolls the migration back, stops, and
 * reports file:line:col of the failing statement with the database's
 * message; migrations before it stay applied.  The version table is
 * created in the same transaction as the first change, so a failed first
 * migration leaves the database exactly as it was.
 *
 * The caller must hold the driver's migration lock and must have read the
 * version rows (and computed the plan) under it.
 */
#ifndef RT_EXEC_H
#define RT_EXEC_H

#include "../db/driver.h"
#include "error.h"
#include "graph.h"
#include "plan.h"

struct rt_exec_hooks {
	void (*step_start)(void *ctx, const struct rt_plan *p, int i);
	void (*step_done)(void *ctx, const struct rt_plan *p, int i, double ms);
	void *ctx;
};

/* Refuse a plan that cannot run to the end (a downgrade through a
 * revision without a downgrade section) before anything runs. */
int rt_exec_check(const struct rt_graph *g, const struct rt_plan *p, struct rt_error *err);

int rt_exec_plan(struct rt_db *db, const struct rt_graph *g, const struct rt_plan *p,
		 int table_exists, const struct rt_exec_hooks *hooks, struct rt_error *err);

#endif

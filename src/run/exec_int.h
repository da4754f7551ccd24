/*
 * What the executor's two files share: exec.c runs a plan step by step
 * and decides each step's path; exec_script.c composes the scripts that
 * send a migration, its version change, or a batch of migrations in one
 * round trip.  Not for use outside src/run/exec*.c.
 */
#ifndef RT_EXEC_INT_H
#define RT_EXEC_INT_H

#include "exec.h"
#include "../db/history.h"
#include "../lib/sqllex.h"
#include "../lib/strbuf.h"

/* ---- exec.c ---- */

double rt_exec_now_ms(void);
/* The section a step runs (its upgrade or its downgrade). */
const struct rt_section *rt_exec_step_section(const struct rt_graph *g, const struct rt_step *s);
/* The history row of a migration step (its checksum goes in `sum`). */
void rt_exec_step_row(const struct rt_graph *g, const struct rt_step *s, const char *version,
		      char sum[65], struct rt_history_row *row);
/* "upgrade A -> B" for messages. */
void rt_exec_step_desc(const struct rt_step *s, struct strbuf *sb);
/* When the connection itself is gone, say so in err (1); else 0. */
int rt_exec_connection_lost(struct rt_db *db, const char *what, struct rt_error *err);

/* ---- exec_script.c ---- */

/* End script q with COMMIT and send it (q is released): 0 when it ran;
 * 1 when it failed and `f` explains it; -1 when the connection is gone. */
int rt_exec_send_script(struct rt_db *db, struct strbuf *q, struct rt_script_fail *f,
			const char *what, struct rt_error *err);
/* How much of a section's one statement can lead its version change's
 * script (MySQL), or 0. */
size_t rt_exec_lead_len(const char *sql, size_t n, unsigned flags);
/* The version change after a section that ran outside a transaction, as
 * one script (with `lead`, the section's one statement first). */
int rt_exec_version_script(struct rt_db *db, const struct rt_step *s, const struct rt_script *sc,
			   const struct rt_section *sec, const struct rt_stmts *stmts, size_t lead,
			   int create_table, const struct rt_history_row *hist, int create_history,
			   const char *prog_rev, const char *prog_dir, const char *what,
			   struct rt_error *err);
/* One transactional migration as one script in one round trip; with
 * `in_txn`, inside the run's one transaction (no BEGIN, no COMMIT). */
int rt_exec_run_script(struct rt_db *db, const struct rt_script *sc, const struct rt_section *sec,
		       const struct rt_stmts *stmts, const struct rt_step *s, int in_txn,
		       int create_table, const struct rt_history_row *hist, int create_history,
		       const char *what, struct rt_error *err);
/* How many steps from i can go in one batch (0 or 1: none), up to
 * max_steps; `alone` is a step that must run by itself. */
int rt_exec_batch_extent(const struct rt_db *db, const struct rt_graph *g, const struct rt_plan *p,
			 const struct rt_stmts *lists, int i, int single_txn, int alone,
			 int max_steps);
/* The most steps the first batch of a run takes. */
#define RT_BATCH_FIRST_STEPS 64
/* The most steps the next batch takes, after one of n steps of at most
 * max_steps that took `ms` milliseconds. */
int rt_exec_batch_pace(int max_steps, int n, double ms);
/* Where DDL commits by itself (MySQL): how much of step s's one statement
 * leads its version change's script (rt_exec_lead_len), when the step
 * runs outside a transaction as one statement and the driver composes
 * scripts; 0 when it does not go that way. */
size_t rt_exec_step_lead(const struct rt_db *db, const struct rt_graph *g, const struct rt_step *s,
			 const struct rt_stmts *stmts);
/* How a batch's steps stand to transactions: each in its own, or parts
 * of the run's one transaction (--single-transaction), which the batch's
 * script may begin itself, saving a round trip. */
enum rt_batch_txn { RT_BATCH_OWN_TXNS, RT_BATCH_IN_RUN_TXN, RT_BATCH_BEGINS_RUN_TXN };
/* Steps first..first+n-1 as one batch: 0 all ran, -1 one failed (named),
 * 1 a syntax error in step *alone stopped it before anything ran. */
int rt_exec_run_batch(struct rt_db *db, const struct rt_graph *g, const struct rt_plan *p,
		      const struct rt_stmts *lists, int first, int n, enum rt_batch_txn txn,
		      int *table_exists,
		      const struct rt_exec_hooks *hooks, int *alone, struct rt_error *err);

#endif

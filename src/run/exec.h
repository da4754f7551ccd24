/*
 * Executing a plan against a database: each migration's SQL and its
 * version-row changes in one transaction (a section marked
 * transaction:false runs its statements on their own, then the version
 * change commits alone).  A failure rolls the migration back, stops, and
 * reports file:line:col of the failing statement with the database's
 * message; migrations before it stay applied.  The version table is
 * created in the same transaction as the first change, so a failed first
 * migration leaves the database exactly as it was (not where DDL commits
 * implicitly, MySQL: there a section with DDL runs like transaction:false,
 * and the version table is created first).
 *
 * A section that runs outside one transaction records each statement it
 * completes in a progress table beside the version table; when it fails
 * part-way, the next run resumes after the recorded statements if their
 * text is unchanged, and refuses if one was edited.
 *
 * When the caller asks for it (hooks->history_version), each migration,
 * and each revision a stamp applies or unapplies, also writes its row in
 * retort_history (db/history.h) in the transaction of its version rows.
 *
 * The caller must hold the driver's migration lock and must have read the
 * version rows (and computed the plan) under it.
 */
#ifndef RT_EXEC_H
#define RT_EXEC_H

#include "../db/driver.h"
#include "../lib/error.h"
#include "../lib/graph.h"
#include "../lib/plan.h"

struct rt_exec_hooks {
	void (*step_start)(void *ctx, const struct rt_plan *p, int i);
	void (*step_done)(void *ctx, const struct rt_plan *p, int i, double ms);
	void *ctx;
	/* Optional: a line to tell the user ("resuming ..."). */
	void (*note)(void *ctx, const char *msg);
	/* Optional: non-zero stops the run before the next migration (a fleet
	 * being stopped), the ones done staying done; never inside a
	 * single-transaction run, which is all or nothing. */
	int (*stop)(void *ctx);
	/* retort's version: record each migration and stamp in retort_history
	 * (db/history.h) in the transaction of its version row.  NULL (or no
	 * hooks): record nothing. */
	const char *history_version;
};

/*
 * Refuse, before anything runs, a plan that cannot run to the end: a
 * downgrade through a revision without a downgrade section, an unterminated
 * quote or comment, or a statement that cannot run inside a transaction
 * (CREATE INDEX CONCURRENTLY, VACUUM...) in a transactional section.
 * `db` may be NULL (offline): then the shared list of such statements applies.
 */
int rt_exec_check(struct rt_db *db, const struct rt_graph *g, const struct rt_plan *p,
		  struct rt_error *err);
/* The same for an offline script in dialect `dia` (NULL: the common rules):
 * its lexer, and no statement refused where DDL commits anyway (MySQL). */
int rt_exec_check_offline(const struct rt_sql_dialect *dia, const struct rt_graph *g,
			  const struct rt_plan *p, struct rt_error *err);

/* single_txn: the whole plan in one transaction (all or nothing). */
int rt_exec_plan(struct rt_db *db, const struct rt_graph *g, const struct rt_plan *p,
		 int table_exists, int single_txn, const struct rt_exec_hooks *hooks,
		 struct rt_error *err);

/*
 * Record in retort_history that the upgrade sections of `revs` (applied
 * revisions, which the caller checked) were reviewed as they read now: an
 * 'accept' row each, with the current checksum, in one transaction.
 */
int rt_exec_accept(struct rt_db *db, const struct rt_graph *g, const struct intlist *revs,
		   const char *version, struct rt_error *err);

/* The revisions that version rows `rows` make applied (ancestors included) into `out`
 * (a bitset of g->n, cleared first); rows naming no revision are left out. */
struct bitset;
void rt_exec_applied(const struct rt_graph *g, const struct strvec *rows, struct bitset *out);

/* The checksum of a section as retort_history records it ("" for none:
 * a .py revision without SQL, or a section that is not there). */
void rt_exec_section_checksum(const struct rt_script *sc, const struct rt_section *sec,
			      char out[65]);

/*
 * Rewrite err (a driver's failure running section `sec` of `sc`) to name
 * file:line:col of the failing statement, with that line and a caret as
 * detail; `what` says what was running ("upgrade", "schema").
 */
void rt_exec_locate(const struct rt_script *sc, const struct rt_section *sec,
		    const struct rt_exec_info *info, const char *what, struct rt_error *err);

#endif

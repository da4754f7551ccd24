/*
 * Fleets: one command run on many targets (databases, or schemas of one
 * PostgreSQL database), up to `jobs` at once.
 *
 * A target list is written one target a line:
 *
 *   URL [schema=NAME]      # a comment after white space
 *
 * where `schema=NAME` (PostgreSQL only) puts the target's migrations and
 * its version table in schema NAME, so tenants in one database each have
 * their own alembic_version and their own migration lock.  Blank lines
 * are skipped, and a '#' that starts a word starts a comment; a '#'
 * inside the URL (a password's) is part of it, a space must be %20.
 *
 * rt_fleet_run() is the policy, and prints nothing: each target runs in a
 * forked child (the `child` hook, which runs the ordinary single-target
 * command and ends the child), its standard output and error captured on
 * pipes; the first `canary` targets run alone, one after another, and a
 * failure among them starts nothing more; after that up to `jobs` run at
 * once, and a failure stops starting new ones unless `keep_going`.  The
 * first SIGINT or SIGTERM stops starting new targets and tells the running
 * ones (SIGUSR1) to stop after their current migration; a second one
 * terminates them (SIGTERM: their open transactions roll back).
 */
#ifndef RT_FLEET_H
#define RT_FLEET_H

#include <stddef.h>

#include "../lib/error.h"
#include "../lib/strbuf.h"

struct rt_target {
	char *url;      /* as given: may hold a password, never print it raw */
	char *schema;   /* NULL, or the PostgreSQL schema */
	char *where;    /* "FILE:LINE" or "--target #N", for messages */
};

struct rt_targets {
	struct rt_target *v;
	size_t nr, alloc;
};

void rt_targets_init(struct rt_targets *t);
void rt_targets_release(struct rt_targets *t);
/*
 * Add the targets of `text`, whose first line is line `first_line` of
 * `file` (for messages "FILE:LINE:COL: ..."; `file` NULL: `label`
 * alone names each line, as for a --target value).  A bad line, a schema
 * on a backend other than PostgreSQL, or a target given twice is an error
 * (code RT_EXIT_USAGE when `usage`, else RT_EXIT_ERROR).
 */
int rt_targets_parse(struct rt_targets *t, const char *text, const char *file, int first_line,
		     const char *label, int usage, struct rt_error *err);
/* The target as messages show it: the masked URL, then " schema=NAME". */
char *rt_target_label(const struct rt_target *t);

/* What a child says about its run, in memory shared with the parent. */
#define RT_FLEET_REVS 200
struct rt_fleet_outcome {
	int reported;               /* the child filled this in */
	int steps;                  /* migrations applied or reverted */
	char from[RT_FLEET_REVS];   /* version rows before ("" : base), comma-joined */
	char to[RT_FLEET_REVS];     /* after */
};

enum rt_fleet_state { RT_FLEET_PENDING, RT_FLEET_RUNNING, RT_FLEET_DONE };

struct rt_fleet_result {
	enum rt_fleet_state state;  /* PENDING at the end: never started */
	int status;                 /* the child's exit status (DONE, not killed) */
	int signal;                 /* killed by this signal, or 0 */
	int ok;                     /* exit status 0 */
	double started, ms;         /* rt_now() at the start; wall time */
	struct strbuf out, errout;  /* what it wrote */
	struct rt_fleet_outcome oc;
	/* private to fleet.c */
	int pid, fd[2];
};

struct rt_fleet_opts {
	int jobs;         /* >= 1 */
	int canary;       /* run the first `canary` alone first */
	int keep_going;   /* a failure does not stop starting the rest */
};

struct rt_fleet_hooks {
	/* In the child, with standard output and error on the pipes: run
	 * target i, fill `oc`, and end the process (_exit) with the command's
	 * exit status.  It must not return. */
	void (*child)(void *ctx, size_t i, struct rt_fleet_outcome *oc);
	/* In the parent (optional): target i started; target i finished. */
	void (*started)(void *ctx, size_t i, const struct rt_fleet_result *r);
	void (*finished)(void *ctx, size_t i, const struct rt_fleet_result *r);
	/* In the parent (optional): the first signal arrived. */
	void (*stopping)(void *ctx, int signo);
	void *ctx;
};

struct rt_fleet_summary {
	size_t ok, failed, not_started;
	int canary_failed;   /* a canary failed, so the rest never started */
	int stopped;         /* stopped after a failure (no --keep-going) */
	int signal;          /* the first signal received, or 0 */
	int signals;         /* how many arrived */
};

/* Run `n` targets; `res` has `n` entries (rt_fleet_results_init). Fails
 * only when the machinery does (no pipe, no fork), having stopped the
 * children it started. */
int rt_fleet_run(size_t n, const struct rt_fleet_opts *o, const struct rt_fleet_hooks *h,
		 struct rt_fleet_result *res, struct rt_fleet_summary *sum, struct rt_error *err);
/* In a fleet's child: has the parent asked it to stop after the current
 * migration?  Always 0 outside a fleet. */
int rt_fleet_stop_requested(void);
void rt_fleet_results_init(struct rt_fleet_result *res, size_t n);
void rt_fleet_results_release(struct rt_fleet_result *res, size_t n);

#endif

/*
 * Notifications: after a command that changes the database, a JSON summary
 * POSTed to a webhook (--notify URL, env RETORT_NOTIFY_URL).  The body has
 * a "text" field, so chat webhooks (Slack, Mattermost, Discord's /slack
 * endpoint) show a readable line, and the structured fields for machines:
 *
 *   {"text": "...", "command": "upgrade", "ok": true, "database": masked URL,
 *    "from": [revisions before], "to": [revisions after], "duration_ms": N,
 *    "wait_ms": N (before the run: connecting, the database's and the lock's waits),
 *    "steps": [{"kind", "revision", "from", "to", "duration_ms"}...],
 *    "error": null | "message", "retort_version": "..."}
 */
#ifndef RT_NOTIFY_H
#define RT_NOTIFY_H

#include "error.h"
#include "graph.h"
#include "plan.h"
#include "strbuf.h"
#include "strvec.h"

struct rt_run_summary {
	const char *command;        /* "upgrade", "downgrade", "stamp"... */
	const char *database;       /* already masked */
	const char *version;        /* retort's */
	const struct strvec *from;  /* version rows before; NULL: never read */
	const struct strvec *to;    /* after; NULL: unknown (the database failed) */
	const struct rt_graph *g;
	const struct rt_plan *plan; /* may be NULL (failed before planning) */
	const double *step_ms;      /* duration of each step that ran */
	int steps_done;
	double total_ms;            /* the run itself, once connected and the lock held */
	double wait_ms;             /* before it: connecting, waiting for the database and the lock */
	const struct rt_error *error; /* NULL on success */
};

void rt_notify_body(const struct rt_run_summary *s, struct strbuf *out);
/* POST `body` to `url`, retrying up to `tries` times on a transport error
 * or a 5xx/429 answer; each try is bounded by `timeout` seconds. */
int rt_notify_send(const char *url, const char *body, double timeout, int tries,
		   struct rt_error *err);

#endif

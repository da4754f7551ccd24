/*
 * The wait probe: block until every target answers, or a wall-clock
 * deadline passes.  Targets:
 *   a database URL       the driver's probe (PostgreSQL: a real connection,
 *                        with PQping deciding whether a failure can heal)
 *   tcp://HOST:PORT      a TCP connection is accepted
 *   http(s)://...        a GET answers 2xx or 3xx (libcurl)
 * Tries back off from ~50 ms to ~2 s with jitter, each bounded by the time
 * left.  A failure that waiting cannot heal (bad password, unknown
 * database, malformed URL) ends the wait at once.
 */
#ifndef RT_WAIT_H
#define RT_WAIT_H

#include "../lib/error.h"
#include "../lib/url.h"

enum rt_wait_kind { RT_WAIT_DB, RT_WAIT_TCP, RT_WAIT_HTTP };

struct rt_wait_target {
	enum rt_wait_kind kind;
	char *spec;      /* as given */
	char *shown;     /* for messages: password masked, webhook paths kept */
	struct rt_url url;   /* RT_WAIT_DB */
	char *host, *port;   /* RT_WAIT_TCP */
};

/* Progress callbacks for the command layer (any may be NULL). */
struct rt_wait_hooks {
	void (*waiting)(void *ctx, const struct rt_wait_target *t, double timeout);
	/* a try failed and another will follow; `why` says what it saw */
	void (*retry)(void *ctx, const struct rt_wait_target *t, const struct rt_error *why);
	void (*ready)(void *ctx, const struct rt_wait_target *t, double elapsed);
	void *ctx;
};

/* Classify and check `spec`; a malformed one fails with RT_EXIT_USAGE. */
int rt_wait_target_init(struct rt_wait_target *t, const char *spec, struct rt_error *err);
/* A database target from a URL parsed already; `spec` is its text. */
int rt_wait_target_init_url(struct rt_wait_target *t, const char *spec, const struct rt_url *url,
			    struct rt_error *err);
void rt_wait_target_release(struct rt_wait_target *t);

/* Wait for each target in turn under one deadline of `timeout` seconds.
 * On timeout err->code is RT_EXIT_WAIT and the message ends with the last
 * try's error. */
int rt_wait(const struct rt_wait_target *targets, int n, double timeout,
	    const struct rt_wait_hooks *hooks, struct rt_error *err);

#endif

/* history: every revision, newest first, in Alembic's format; --runs (-v
 * with when each ran, from retort_history) when a database is configured. */
#include "cmd.h"
#include "../db/history.h"
#include "../lib/graphdraw.h"
#include "../lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "current" in a range stands for the database's revision. */
static int substitute_current(struct app *app, char **end, struct rt_error *err)
{
	struct strvec rows = STRVEC_INIT;
	struct intlist revs = { 0 };
	int rc = -1;
	if (app_current(app, &rows, &revs, err))
		goto out;
	if (rows.nr > 1) {
		rt_error_set(err, RT_EXIT_ERROR,
			     "'current' in a history range with several current heads is not supported "
			     "yet; name the revisions instead");
		goto out;
	}
	free(*end);
	*end = xstrdup(rows.nr ? rows.v[0] : "base");
	rc = 0;
out:
	strvec_clear(&rows);
	intlist_release(&revs);
	return rc;
}

struct history_opts {
	const char *range;
	int verbose, indicate, graph, runs;
};

static const struct opt history_options[] = {
	OPT_STRING_('r', "rev-range", struct history_opts, range, "[START]:[END]", "only this range"),
	OPT_BOOL_('v', "verbose", struct history_opts, verbose, "show each revision in full"),
	OPT_BOOL_('i', "indicate-current", struct history_opts, indicate,
		  "mark the current revision(s)"),
	OPT_BOOL_(0, "graph", struct history_opts, graph,
		  "draw the graph beside the list, as git log --graph does"),
	OPT_BOOL_(0, "runs", struct history_opts, runs,
		  "with -v (implied): when each revision ran, was stamped or had its checksum "
		  "accepted, from the database's retort_history"),
	OPT_END_,
};

/* The entries beside the lanes of the graph: each revision's Revises
 * parents that the listing includes (with -r, the others are off the
 * drawing); dependencies are not drawn, as Alembic's history shows them
 * in the text only. */
static int draw(const struct rt_graph *g, const struct intlist *order, const struct strvec *entries,
		struct rt_error *err)
{
	int *pos = xcalloc((size_t)g->n + 1, sizeof(*pos));
	struct rt_drawnode *nodes = xcalloc((size_t)order->nr + 1, sizeof(*nodes));
	int **parents = xcalloc((size_t)order->nr + 1, sizeof(*parents));
	struct strvec lines = STRVEC_INIT;
	int rc;
	for (int i = 0; i < g->n; i++)
		pos[i] = -1;
	for (int i = 0; i < order->nr; i++)
		pos[order->v[i]] = i;
	for (int i = 0; i < order->nr; i++) {
		const struct rt_rev *rv = &g->revs[order->v[i]];
		parents[i] = xcalloc((size_t)rv->down.nr + 1, sizeof(**parents));
		for (int j = 0; j < rv->down.nr; j++)
			if (pos[rv->down.v[j]] >= 0)
				parents[i][nodes[i].nparents++] = pos[rv->down.v[j]];
		nodes[i].parents = parents[i];
		nodes[i].text = entries->v[i];
	}
	rc = rt_graphdraw(nodes, order->nr, &lines, err);
	for (size_t i = 0; !rc && i < lines.nr; i++)
		puts(lines.v[i]);
	for (int i = 0; i < order->nr; i++)
		free(parents[i]);
	free(parents);
	free(nodes);
	free(pos);
	strvec_clear(&lines);
	return rc;
}

/*
 * With -v and a configured database that answers: its retort_history
 * rows, or none (h->exists 0) with a warning when it cannot be read.
 */
static int read_runs(struct app *app, struct rt_history *h)
{
	struct rt_error err = RT_ERROR_INIT;
	h->v = NULL;
	h->nr = h->exists = 0;
	if (app->cfg.url_source == RT_SRC_DEFAULT && !app->db)
		return 0;
	if ((!app->db && app_open_db(app, 1, 0, &err)) || rt_history_read(app->db, h, &err)) {
		app_warn(app, "not showing when each revision ran: %s", err.msg);
		rt_history_release(h);
		return 0;
	}
	return 1;
}

/* After the entry's "Path:" line, one line per row of revision `id`:
 * "Ran: upgrade at <when> by <who>, 3 ms, retort 0.1.0" (or Stamped:,
 * Accepted:), or "Ran: no record" (none, or no table: Alembic's database). */
static void add_runs(const struct rt_history *h, const char *id, struct strbuf *entry)
{
	const char *path = strstr(entry->buf, "\nPath: ");
	if (!path)
		return;
	const char *eol = strchr(path + 1, '\n');
	size_t at = eol ? (size_t)(eol + 1 - entry->buf) : entry->len;
	struct strbuf lines = STRBUF_INIT;
	for (int i = 0; i < h->nr; i++) {
		const struct rt_history_entry *e = &h->v[i];
		if (strcmp(e->revision, id))
			continue;
		const char *what = !strcmp(e->operation, "stamp") ? "Stamped"
				   : !strcmp(e->operation, "accept") ? "Accepted" : "Ran";
		strbuf_addf(&lines, "%s: %s at %s", what,
			    !strcmp(e->operation, "accept") ? "checksum" : e->direction, e->applied_at);
		if (*e->applied_by)
			strbuf_addf(&lines, " by %s", e->applied_by);
		if (*e->duration_ms)
			strbuf_addf(&lines, ", %s ms", e->duration_ms);
		strbuf_addf(&lines, ", retort %s\n", e->version);
	}
	if (!lines.len)
		strbuf_addstr(&lines, "Ran: no record\n");
	struct strbuf out = STRBUF_INIT;
	strbuf_add(&out, entry->buf, at);
	strbuf_add(&out, lines.buf, lines.len);
	strbuf_add(&out, entry->buf + at, entry->len - at);
	strbuf_release(entry);
	*entry = out;
	strbuf_release(&lines);
}

static int run_history(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	struct history_opts *o = opts;
	struct strvec rows = STRVEC_INIT;
	struct intlist order = { 0 }, cur = { 0 };
	char *base = NULL, *head = NULL;
	int rc = -1;
	(void)args;
	if (o->range) {
		const char *colon = strchr(o->range, ':');
		if (!colon)
			return rt_error_set(err, RT_EXIT_USAGE, "history range '%s' needs a colon: "
					    "[start]:[end], start: or :end", o->range);
		if (colon > o->range)
			base = xstrndup(o->range, (size_t)(colon - o->range));
		if (colon[1])
			head = xstrdup(colon + 1);
	}
	if (o->runs)
		o->verbose = 1; /* -v alone stays Alembic's, byte for byte */
	if (base && !strcmp(base, "current") && substitute_current(app, &base, err))
		goto out;
	if (head && !strcmp(head, "current") && substitute_current(app, &head, err))
		goto out;
	if (o->indicate && app_current(app, &rows, &cur, err))
		goto out;
	const struct rt_graph *g = &app->sd.graph;
	if (rt_walk_revisions(g, base, head, &order, err))
		goto out;
	if (!o->indicate && o->graph)
		app_current_if_any(app, &cur);
	struct strvec entries = STRVEC_INIT;
	struct rt_history runs = { 0 };
	int known = o->runs && read_runs(app, &runs);
	for (int i = 0; i < order.nr; i++) {
		struct strbuf sb = STRBUF_INIT;
		int is_cur = intlist_has(&cur, order.v[i]);
		if (o->verbose)
			fmt_log_entry(g, order.v[i], is_cur, &sb);
		else
			fmt_head_only(g, order.v[i], FMT_BRANCHES | FMT_DOC | FMT_PARENTS | FMT_TREE | FMT_HEADS,
				      is_cur, &sb);
		if (known)
			add_runs(&runs, g->revs[order.v[i]].id, &sb);
		strvec_push(&entries, sb.buf);
		strbuf_release(&sb);
	}
	if (o->graph) {
		rc = draw(g, &order, &entries, err);
	} else {
		for (size_t i = 0; i < entries.nr; i++)
			puts(entries.v[i]);
		rc = 0;
	}
	strvec_clear(&entries);
	rt_history_release(&runs);
out:
	free(base);
	free(head);
	strvec_clear(&rows);
	intlist_release(&order);
	intlist_release(&cur);
	return rc;
}

const struct cmd cmd_history = {
	.name = "history",
	.brief = "List revisions, newest first.",
	.description = "List revisions, newest first, in Alembic's format. -r START:END limits the "
		       "range (either end may be empty, or 'current'). --graph draws the Revises edges "
		       "beside the list as git log --graph does (* a revision, | / \\ _ its lanes); "
		       "dependencies (depends_on) are not edges of the drawing, only of the text, as "
		       "in Alembic's history. With --graph the current revision(s) are marked when a "
		       "database is configured and answers; -i makes reading them required. "
		       "--runs is -v (which stays Alembic's) plus, from the configured database's "
		       "retort_history, when each revision ran, was stamped or had its checksum "
		       "accepted ('Ran: no record' where there is none).",
	.run = run_history,
	.opts = history_options,
	.opts_size = sizeof(struct history_opts),
	.max_args = 0,
	.needs = NEEDS_SCRIPTS | NEEDS_HEADERS_ONLY,
};

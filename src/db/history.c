/*
 * retort_history (see history.h): its statements, composed from the
 * dialect's description like the version table's, and run through the
 * driver's primitives.
 */
#include "history.h"
#include "../lib/xalloc.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void rt_history_create_sql(const struct rt_vt *t, int if_missing, struct strbuf *sb)
{
	strbuf_addf(sb, "CREATE TABLE %s%s (%s, version_table VARCHAR(128) NOT NULL, revision "
		    "VARCHAR(32) NOT NULL, direction VARCHAR(9) NOT NULL, operation VARCHAR(6) NOT "
		    "NULL, checksum VARCHAR(64), applied_at VARCHAR(32) NOT NULL, duration_ms INTEGER, "
		    "retort_version VARCHAR(32) NOT NULL, applied_by VARCHAR(255))",
		    if_missing ? "IF NOT EXISTS " : "", t->history, t->dialect->history_id);
}

/* Who runs this, where the database cannot say (SQLite): user@host,
 * looked up once for the process (a run of 1,000 migrations read
 * /etc/passwd 1,000 times). */
static const char *local_who(void)
{
	static char who[512];
	if (!who[0]) {
		char host[256] = "";
		const struct passwd *pw = getpwuid(geteuid());
		if (gethostname(host, sizeof(host) - 1))
			host[0] = '\0';
		host[sizeof(host) - 1] = '\0';
		snprintf(who, sizeof(who), "%s%s%s", pw && pw->pw_name ? pw->pw_name : "?",
			 *host ? "@" : "", host);
	}
	return who;
}

void rt_history_insert_sql(const struct rt_vt *t, const struct rt_history_row *r, int guard,
			   struct strbuf *sb)
{
	const struct rt_sql_dialect *d = t->dialect;
	strbuf_addf(sb, "INSERT INTO %s (version_table, revision, direction, operation, checksum, "
		    "applied_at, duration_ms, retort_version, applied_by) VALUES (", t->history);
	if (guard && d->guard_value) { /* version_table is NOT NULL */
		struct strbuf name = STRBUF_INIT;
		rt_sql_add_literal(&name, t->name);
		strbuf_addf(sb, d->guard_value, name.buf);
		strbuf_release(&name);
	} else {
		rt_sql_add_literal(sb, t->name);
	}
	strbuf_addstr(sb, ", ");
	rt_sql_add_literal(sb, r->revision);
	strbuf_addstr(sb, ", ");
	rt_sql_add_literal(sb, r->direction);
	strbuf_addstr(sb, ", ");
	rt_sql_add_literal(sb, r->operation);
	strbuf_addstr(sb, ", ");
	if (r->checksum && *r->checksum)
		rt_sql_add_literal(sb, r->checksum);
	else
		strbuf_addstr(sb, "NULL");
	strbuf_addf(sb, ", %s, ", d->utc_now);
	if (r->duration_ms >= 0)
		strbuf_addf(sb, "%ld", r->duration_ms);
	else if (r->duration_ms == RT_HISTORY_SINCE_BEGIN && d->ms_since_begin)
		strbuf_addstr(sb, d->ms_since_begin);
	else
		strbuf_addstr(sb, "NULL");
	strbuf_addstr(sb, ", ");
	rt_sql_add_literal(sb, r->version);
	strbuf_addstr(sb, ", ");
	if (d->who) {
		strbuf_addstr(sb, d->who);
	} else {
		rt_sql_add_literal(sb, local_who());
	}
	strbuf_addch(sb, ')');
}

int rt_history_exists(struct rt_db *db, int *exists, struct rt_error *err)
{
	struct rt_vt *t = db->vt;
	if (t->history_exists < 0) {
		int e;
		if (rt_db_table_exists(db, t->schema, RT_HISTORY_TABLE, &e, err))
			return -1;
		t->history_exists = e;
	}
	*exists = t->history_exists;
	return 0;
}

int rt_history_prepare(struct rt_db *db, struct rt_error *err)
{
	struct strbuf q = STRBUF_INIT;
	int exists;
	if (rt_history_exists(db, &exists, err))
		return -1;
	if (exists)
		return 0;
	rt_history_create_sql(db->vt, 0, &q);
	int rc = db->drv->exec_params(db, q.buf, 0, NULL, NULL, "creating the history table", err);
	strbuf_release(&q);
	if (!rc)
		db->vt->history_exists = 1;
	return rc;
}

void rt_history_forget(struct rt_db *db)
{
	if (db && db->vt)
		db->vt->history_exists = -1;
}

int rt_history_add(struct rt_db *db, const struct rt_history_row *r, struct rt_error *err)
{
	struct strbuf q = STRBUF_INIT;
	rt_history_insert_sql(db->vt, r, 0, &q);
	int rc = db->drv->exec_params(db, q.buf, 0, NULL, NULL, "recording the migration's history",
				      err);
	strbuf_release(&q);
	return rc;
}

void rt_history_release(struct rt_history *h)
{
	for (int i = 0; i < h->nr; i++) {
		struct rt_history_entry *e = &h->v[i];
		free(e->revision);
		free(e->direction);
		free(e->operation);
		free(e->checksum);
		free(e->applied_at);
		free(e->duration_ms);
		free(e->version);
		free(e->applied_by);
	}
	free(h->v);
	h->v = NULL;
	h->nr = 0;
	h->exists = 0;
}

#define NCOLS 8

int rt_history_read(struct rt_db *db, struct rt_history *out, struct rt_error *err)
{
	struct strvec cells = STRVEC_INIT;
	struct strbuf q = STRBUF_INIT;
	out->v = NULL;
	out->nr = 0;
	if (rt_history_exists(db, &out->exists, err))
		return -1;
	if (!out->exists)
		return 0;
	if (!db->drv->query_rows)
		return rt_error_set(err, RT_EXIT_ERROR, "this driver cannot read %s", RT_HISTORY_TABLE);
	strbuf_addf(&q, "SELECT revision, direction, operation, checksum, applied_at, duration_ms, "
		    "retort_version, applied_by FROM %s WHERE version_table = ", db->vt->history);
	rt_sql_add_literal(&q, db->vt->name);
	strbuf_addstr(&q, " ORDER BY id");
	int rc = db->drv->query_rows(db, q.buf, NCOLS, &cells, "reading the history table", err);
	strbuf_release(&q);
	if (!rc) {
		int n = (int)(cells.nr / NCOLS);
		out->v = xcalloc(n ? (size_t)n : 1, sizeof(*out->v));
		for (int i = 0; i < n; i++) {
			char **c = cells.v + (size_t)i * NCOLS;
			out->v[i] = (struct rt_history_entry){
				.revision = xstrdup(c[0]),
				.direction = xstrdup(c[1]),
				.operation = xstrdup(c[2]),
				.checksum = xstrdup(c[3]),
				.applied_at = xstrdup(c[4]),
				.duration_ms = xstrdup(c[5]),
				.version = xstrdup(c[6]),
				.applied_by = xstrdup(c[7]),
			};
		}
		out->nr = n;
	}
	strvec_clear(&cells);
	return rc;
}

const struct rt_history_entry *rt_history_applied(const struct rt_history *h, const char *rev)
{
	for (int i = h->nr - 1; i >= 0; i--)
		if (!strcmp(h->v[i].revision, rev) && !strcmp(h->v[i].direction, "upgrade"))
			return &h->v[i];
	return NULL;
}

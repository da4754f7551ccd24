/*
 * Alembic's version table for every dialect (see version_table.h): the
 * statements are composed here from the dialect's description and run
 * through the driver's primitives, so no driver writes them again.
 */
#include "version_table.h"
#include "../lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct rt_sql_dialect rt_sql_postgresql = {
	.backend = "postgresql",
	.placeholder = '$',
	.schemas = 1,
	.quoted_name_in_messages = 1,
	.offline_txn = 1,
	.offline_returning = 1,
	/* 1/0 when nothing changed: the script stops before its COMMIT */
	.guard = "SELECT 1 / count(*)::int FROM u",
	.guard_sqlstate = "22012",
	.history_id = "id SERIAL PRIMARY KEY",
	.utc_now = "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
	.who = "session_user || COALESCE(' (' || NULLIF(current_setting('application_name'), '') || "
	       "')', '')",
	/* not now(): in a script of several transactions (exec_batch) every
	 * one of them began, for now(), when the script arrived */
	.ms_since_begin = "CAST(EXTRACT(EPOCH FROM clock_timestamp() - "
			  "pg_catalog.current_setting('retort.t0', true)::timestamptz) * 1000 AS INTEGER)",
	.script_clock = "SELECT pg_catalog.set_config('retort.t0', "
			"pg_catalog.clock_timestamp()::text, true)",
	.step_end = "SELECT NULL AS " RT_STEP_END_COLUMN,
};

const struct rt_sql_dialect rt_sql_sqlite = {
	.backend = "sqlite",
	.placeholder = '?',
	.history_id = "id INTEGER PRIMARY KEY",
	.utc_now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
};

/* MySQL and MariaDB: backtick names, and DDL commits implicitly, so
 * Alembic renders offline scripts without BEGIN/COMMIT, as for SQLite. */
const struct rt_sql_dialect rt_sql_mysql = {
	.backend = "mysql",
	.placeholder = '?',
	.ident_quote = '`',
	.lex_flags = RT_LEX_MYSQL,
	.ddl_commits = 1,
	/* a scalar subquery of two rows fails (1242, 21000) unless the change
	 * matched one row (CLIENT_FOUND_ROWS: matched, not changed) */
	.guard = "SELECT IF(ROW_COUNT() = 1, 1, (SELECT 1 UNION ALL SELECT 2))",
	.guard_sqlstate = "21000",
	.guard_follows = 1,
	/* a single-row INSERT of NULL into a NOT NULL column fails (1048,
	 * 23000) in every sql_mode; the history table has no unique key but
	 * its AUTO_INCREMENT id, so its INSERT fails with 23000 only so.  The
	 * UNION subquery above costs the server about 30 microseconds a row. */
	.guard_value = "IF(ROW_COUNT() = 1, %s, NULL)",
	.guard_value_sqlstate = "23000",
	.history_id = "id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
	.utc_now = "CONCAT(LEFT(DATE_FORMAT(UTC_TIMESTAMP(3), '%Y-%m-%dT%H:%i:%s.%f'), 23), 'Z')",
	.who = "USER()",
	.ms_since_begin = "TIMESTAMPDIFF(MICROSECOND, @retort_t0, SYSDATE(6)) DIV 1000",
	.script_clock = "SET @retort_t0 = SYSDATE(6)",
};

const struct rt_sql_dialect *rt_sql_dialect_for(const char *backend)
{
	static const struct rt_sql_dialect *const all[] = { &rt_sql_postgresql, &rt_sql_sqlite,
							    &rt_sql_mysql };
	for (size_t i = 0; i < sizeof(all) / sizeof(*all); i++)
		if (!strcmp(all[i]->backend, backend))
			return all[i];
	return NULL;
}

/*
 * Name the table once: its quoted, qualified form for SQL, its primary
 * key's name (<table>_pkc, never qualified), and how messages show it
 * (the quoted form, or the bare name in single quotes).
 */
struct rt_vt *rt_vt_new(const struct rt_sql_dialect *d, rt_keyword_fn is_keyword, const char *name,
			const char *schema)
{
	struct rt_vt *t = xcalloc(1, sizeof(*t));
	struct strbuf sb = STRBUF_INIT;
	char q = d->ident_quote ? d->ident_quote : '"';
	t->dialect = d;
	t->name = xstrdup(name ? name : RT_VERSION_TABLE_DEFAULT);
	t->schema = schema ? xstrdup(schema) : NULL;
	if (t->schema) {
		rt_sql_add_ident_q(&sb, t->schema, is_keyword, q);
		strbuf_addch(&sb, '.');
	}
	rt_sql_add_ident_q(&sb, t->name, is_keyword, q);
	t->sql = strbuf_detach(&sb);
	strbuf_addf(&sb, "%s_pkc", t->name);
	struct strbuf pkc = STRBUF_INIT;
	rt_sql_add_ident_q(&pkc, sb.buf, is_keyword, q);
	t->pkc = strbuf_detach(&pkc);
	strbuf_reset(&sb);
	if (t->schema) {
		rt_sql_add_ident_q(&sb, t->schema, is_keyword, q);
		strbuf_addch(&sb, '.');
	}
	rt_sql_add_ident_q(&sb, RT_PROGRESS_TABLE, is_keyword, q);
	t->progress = strbuf_detach(&sb);
	t->progress_exists = -1;
	if (t->schema) {
		rt_sql_add_ident_q(&sb, t->schema, is_keyword, q);
		strbuf_addch(&sb, '.');
	}
	rt_sql_add_ident_q(&sb, RT_HISTORY_TABLE, is_keyword, q);
	t->history = strbuf_detach(&sb);
	t->history_exists = -1;
	if (d->quoted_name_in_messages)
		strbuf_addstr(&sb, t->sql);
	else
		strbuf_addf(&sb, "'%s'", t->name);
	t->shown = strbuf_detach(&sb);
	return t;
}

void rt_vt_free(struct rt_vt *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->schema);
	free(t->sql);
	free(t->pkc);
	free(t->shown);
	free(t->progress);
	free(t->history);
	free(t);
}

void rt_vt_create_sql(const struct rt_vt *t, enum rt_vt_create_form form, struct strbuf *sb)
{
	const char *indent = form == RT_VT_CREATE_OFFLINE ? "    " : "\t";
	strbuf_addf(sb, "CREATE TABLE %s%s (\n%sversion_num VARCHAR(32) NOT NULL, \n%s"
		    "CONSTRAINT %s PRIMARY KEY (version_num)\n)",
		    form == RT_VT_CREATE_IF_MISSING ? "IF NOT EXISTS " : "", t->sql, indent, indent,
		    t->pkc);
}

/* Append value number `n` of a change: a placeholder, or `v` as a literal. */
static void add_value(const struct rt_vt *t, struct strbuf *sb, int n, const char *v, int literal)
{
	if (literal)
		rt_sql_add_literal(sb, v);
	else
		strbuf_addf(sb, "%c%d", t->dialect->placeholder, n);
}

/*
 * The body of a row change.  Parameters are numbered as the callers bind
 * them: the row changed first (from; to for INSERT), then the new value.
 */
static void change_sql(const struct rt_vt *t, const struct rt_vop *v, int literal,
		       struct strbuf *sb)
{
	switch (v->kind) {
	case RT_VOP_INSERT:
		strbuf_addf(sb, "INSERT INTO %s (version_num) VALUES (", t->sql);
		add_value(t, sb, 1, v->to, literal);
		strbuf_addch(sb, ')');
		break;
	case RT_VOP_UPDATE:
		strbuf_addf(sb, "UPDATE %s SET version_num = ", t->sql);
		add_value(t, sb, 2, v->to, literal);
		strbuf_addstr(sb, " WHERE version_num = ");
		add_value(t, sb, 1, v->from, literal);
		break;
	case RT_VOP_DELETE:
		strbuf_addf(sb, "DELETE FROM %s WHERE version_num = ", t->sql);
		add_value(t, sb, 1, v->from, literal);
		break;
	}
}

int rt_vt_can_guard(const struct rt_vt *t)
{
	return t->dialect->guard != NULL;
}

int rt_vt_guarded_stmts(const struct rt_vt *t, const struct rt_vop *v)
{
	return v->kind != RT_VOP_INSERT && t->dialect->guard_follows ? 2 : 1;
}

/* rt_vt_guarded_sql, or only the change where the next statement can
 * carry its guard (guard_value). */
int rt_vt_guarded_sql_fold(const struct rt_vt *t, const struct rt_vop *v, struct strbuf *sb)
{
	if (v->kind == RT_VOP_INSERT || !t->dialect->guard_follows || !t->dialect->guard_value) {
		rt_vt_guarded_sql(t, v, sb);
		return 0;
	}
	change_sql(t, v, 1, sb);
	strbuf_addstr(sb, ";\n");
	return 1;
}

void rt_vt_guarded_sql(const struct rt_vt *t, const struct rt_vop *v, struct strbuf *sb)
{
	if (v->kind == RT_VOP_INSERT) {
		change_sql(t, v, 1, sb);
	} else if (t->dialect->guard_follows) {
		change_sql(t, v, 1, sb);
		strbuf_addf(sb, ";\n%s", t->dialect->guard);
	} else {
		strbuf_addstr(sb, "WITH u AS (");
		change_sql(t, v, 1, sb);
		strbuf_addf(sb, " RETURNING 1) %s", t->dialect->guard);
	}
	strbuf_addstr(sb, ";\n");
}

/* Alembic's offline spelling: no spaces around SET's '=', the table
 * named again in WHERE, and on PostgreSQL INSERT ... RETURNING. */
void rt_vt_offline_sql(const struct rt_vt *t, const struct rt_vop *v, struct strbuf *sb)
{
	switch (v->kind) {
	case RT_VOP_INSERT:
		strbuf_addf(sb, "INSERT INTO %s (version_num) VALUES (", t->sql);
		rt_sql_add_literal(sb, v->to);
		strbuf_addch(sb, ')');
		if (t->dialect->offline_returning)
			strbuf_addf(sb, " RETURNING %s.version_num", t->sql);
		break;
	case RT_VOP_UPDATE:
		strbuf_addf(sb, "UPDATE %s SET version_num=", t->sql);
		rt_sql_add_literal(sb, v->to);
		strbuf_addf(sb, " WHERE %s.version_num = ", t->sql);
		rt_sql_add_literal(sb, v->from);
		break;
	case RT_VOP_DELETE:
		strbuf_addf(sb, "DELETE FROM %s WHERE %s.version_num = ", t->sql, t->sql);
		rt_sql_add_literal(sb, v->from);
		break;
	}
}

const char *rt_vt_vop_rev(const struct rt_vop *v)
{
	return v->kind == RT_VOP_INSERT ? v->to : v->from;
}

int rt_vt_miss(const struct rt_vt *t, const char *rev, int changed, struct rt_error *err)
{
	char n[16];
	if (changed < 0)
		snprintf(n, sizeof(n), "none");
	else
		snprintf(n, sizeof(n), "%d", changed);
	return rt_error_set(err, RT_EXIT_ERROR,
			    "expected to change one row of %s for revision '%s', changed %s; "
			    "another process may have changed it", t->shown, rev ? rev : "?", n);
}

int rt_versions_read(struct rt_db *db, struct strvec *out, int *exists, struct rt_error *err)
{
	struct rt_vt *t = db->vt;
	/* the tables beside it in the same round trip: what the history and
	 * the progress of a migration left part-way need next */
	const char *names[3] = { t->name, RT_HISTORY_TABLE, RT_PROGRESS_TABLE };
	int e[3], rc = 0;
	*exists = 0;
	/* the open may have read it all already (opts.read_ahead) */
	int ahead = db->drv->versions_ahead && db->drv->versions_ahead(db, e, out);
	if (!ahead && db->drv->tables_exist(db, t->schema, names, 3, e, err))
		return -1;
	*exists = e[0];
	t->history_exists = e[1];
	t->progress_exists = e[2];
	if (!ahead && *exists) {
		struct strbuf q = STRBUF_INIT;
		strbuf_addf(&q, "SELECT version_num FROM %s", t->sql);
		rc = db->drv->query_column(db, q.buf, out, "reading the version table", err);
		strbuf_release(&q);
	}
	return rc;
}

int rt_version_table_create(struct rt_db *db, struct rt_error *err)
{
	struct strbuf q = STRBUF_INIT;
	int exists;
	if (rt_db_table_exists(db, db->vt->schema, db->vt->name, &exists, err))
		return -1;
	if (exists)
		return 0;
	rt_vt_create_sql(db->vt, RT_VT_CREATE, &q);
	int rc = db->drv->exec_params(db, q.buf, 0, NULL, NULL, "creating the version table", err);
	strbuf_release(&q);
	return rc;
}

int rt_version_change(struct rt_db *db, const struct rt_vop *v, struct rt_error *err)
{
	struct strbuf q = STRBUF_INIT;
	const char *p[2] = { rt_vt_vop_rev(v), v->to };
	int changed = 0;
	change_sql(db->vt, v, 0, &q);
	int rc = db->drv->exec_params(db, q.buf, v->kind == RT_VOP_UPDATE ? 2 : 1, p, &changed,
				      "changing the version table", err);
	strbuf_release(&q);
	if (rc)
		return -1;
	if (changed != 1)
		return rt_vt_miss(db->vt, p[0], changed, err);
	return 0;
}

int rt_version_delete_all(struct rt_db *db, struct rt_error *err)
{
	struct strbuf q = STRBUF_INIT;
	strbuf_addf(&q, "DELETE FROM %s", db->vt->sql);
	int rc = db->drv->exec_params(db, q.buf, 0, NULL, NULL, "changing the version table", err);
	strbuf_release(&q);
	return rc;
}

void rt_progress_sum(const char *text, size_t len, char out[17])
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)text[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(out, 17, "%016llx", h);
}

static int progress_exists(struct rt_db *db, struct rt_error *err)
{
	struct rt_vt *t = db->vt;
	int exists;
	if (t->progress_exists < 0) {
		if (rt_db_table_exists(db, t->schema, RT_PROGRESS_TABLE, &exists, err))
			return -1;
		t->progress_exists = exists;
	}
	return t->progress_exists;
}

/* WHERE clause naming one migration's rows, with literals. */
static void progress_where(const struct rt_vt *t, const char *rev, const char *direction,
			   struct strbuf *q)
{
	strbuf_addstr(q, " WHERE version_table = ");
	rt_sql_add_literal(q, t->name);
	strbuf_addstr(q, " AND revision = ");
	rt_sql_add_literal(q, rev);
	strbuf_addstr(q, " AND direction = ");
	rt_sql_add_literal(q, direction);
}

int rt_progress_read(struct rt_db *db, const char *rev, const char *direction, struct strvec *sums,
		     struct rt_error *err)
{
	int e = progress_exists(db, err);
	if (e <= 0)
		return e;
	struct strbuf q = STRBUF_INIT;
	strbuf_addf(&q, "SELECT checksum FROM %s", db->vt->progress);
	progress_where(db->vt, rev, direction, &q);
	strbuf_addstr(&q, " ORDER BY statement");
	int rc = db->drv->query_column(db, q.buf, sums, "reading the migration's progress", err);
	strbuf_release(&q);
	return rc;
}

int rt_progress_add(struct rt_db *db, const char *rev, const char *direction, int n,
		    const char *sum, struct rt_error *err)
{
	struct rt_vt *t = db->vt;
	struct strbuf q = STRBUF_INIT;
	int e = progress_exists(db, err);
	if (e < 0)
		return -1;
	if (!e) {
		strbuf_addf(&q, "CREATE TABLE %s (version_table VARCHAR(128) NOT NULL, revision "
			    "VARCHAR(32) NOT NULL, direction VARCHAR(9) NOT NULL, statement INTEGER NOT "
			    "NULL, checksum VARCHAR(16) NOT NULL, PRIMARY KEY (version_table, revision, "
			    "direction, statement))", t->progress);
		if (db->drv->exec_params(db, q.buf, 0, NULL, NULL, "creating the progress table", err)) {
			strbuf_release(&q);
			return -1;
		}
		t->progress_exists = 1;
		strbuf_reset(&q);
	}
	char num[16];
	snprintf(num, sizeof(num), "%d", n);
	strbuf_addf(&q, "INSERT INTO %s (version_table, revision, direction, statement, checksum) "
		    "VALUES (", t->progress);
	rt_sql_add_literal(&q, t->name);
	strbuf_addch(&q, ',');
	rt_sql_add_literal(&q, rev);
	strbuf_addch(&q, ',');
	rt_sql_add_literal(&q, direction);
	strbuf_addf(&q, ", %s, ", num);
	rt_sql_add_literal(&q, sum);
	strbuf_addch(&q, ')');
	int rc = db->drv->exec_params(db, q.buf, 0, NULL, NULL, "recording the migration's progress",
				      err);
	strbuf_release(&q);
	return rc;
}

int rt_progress_clear_sql(struct rt_db *db, const char *rev, const char *direction,
			  struct strbuf *sb, struct rt_error *err)
{
	int e = progress_exists(db, err);
	if (e <= 0)
		return e;
	strbuf_addf(sb, "DELETE FROM %s", db->vt->progress);
	progress_where(db->vt, rev, direction, sb);
	return 1;
}

int rt_progress_clear(struct rt_db *db, const char *rev, const char *direction, struct rt_error *err)
{
	struct strbuf q = STRBUF_INIT;
	int e = rt_progress_clear_sql(db, rev, direction, &q, err);
	if (e <= 0) {
		strbuf_release(&q);
		return e;
	}
	int rc = db->drv->exec_params(db, q.buf, 0, NULL, NULL, "clearing the migration's progress",
				      err);
	strbuf_release(&q);
	return rc;
}

int rt_progress_list(struct rt_db *db, struct strvec *out, struct rt_error *err)
{
	int e = progress_exists(db, err);
	if (e <= 0)
		return e;
	struct strvec revs = STRVEC_INIT, dirs = STRVEC_INIT, counts = STRVEC_INIT;
	struct strbuf q = STRBUF_INIT;
	const char *cols[3] = { "revision", "direction", "COUNT(*)" };
	struct strvec *into[3] = { &revs, &dirs, &counts };
	int rc = 0;
	for (int c = 0; c < 3 && !rc; c++) {
		strbuf_reset(&q);
		strbuf_addf(&q, "SELECT %s FROM %s WHERE version_table = ", cols[c], db->vt->progress);
		rt_sql_add_literal(&q, db->vt->name);
		strbuf_addstr(&q, " GROUP BY revision, direction ORDER BY revision, direction");
		rc = db->drv->query_column(db, q.buf, into[c], "reading the progress table", err);
	}
	for (size_t i = 0; !rc && i < revs.nr && i < dirs.nr && i < counts.nr; i++) {
		strbuf_reset(&q);
		strbuf_addf(&q, "%s %s %s", revs.v[i], dirs.v[i], counts.v[i]);
		strvec_push(out, q.buf);
	}
	strbuf_release(&q);
	strvec_clear(&revs);
	strvec_clear(&dirs);
	strvec_clear(&counts);
	return rc;
}

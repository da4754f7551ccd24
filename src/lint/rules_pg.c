/*
 * The PostgreSQL rules: each upgrade section goes through libpg_query
 * (PostgreSQL 15's own parser) as one string; the parse tree comes back as
 * protobuf and is read through the typed structs of pg_query.pb-c.h.
 * Parser locations are byte offsets into the section's body, which the
 * engine maps to file:line:col.
 *
 * What each rule catches, precisely, is in docs/lint.md; the lock levels
 * are those of PostgreSQL's ALTER TABLE documentation.  libpg_query keeps
 * its memory context per thread for the life of the process (reachable,
 * never leaked; its pg_query_exit() cannot be followed by another parse).
 */
#include "lint_int.h"

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/strbuf.h"

/* The last String of a list of name parts ("public", "users" -> "users"). */
static const char *last_str(PgQuery__Node **items, size_t n)
{
	if (!n || items[n - 1]->node_case != PG_QUERY__NODE__NODE_STRING)
		return NULL;
	return items[n - 1]->string->sval;
}

/* The object name in a DROP or RENAME: a list of parts, a type name or a string. */
static const char *node_name(const PgQuery__Node *n)
{
	if (!n)
		return NULL;
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_LIST: return last_str(n->list->items, n->list->n_items);
	case PG_QUERY__NODE__NODE_TYPE_NAME: return last_str(n->type_name->names, n->type_name->n_names);
	case PG_QUERY__NODE__NODE_STRING: return n->string->sval;
	default: return NULL;
	}
}

/* A table the migration did not create: earlier migrations or the
 * database have it (or the statement fails anyway). */
static int existing(const struct lint_mig *m, const PgQuery__RangeVar *rv)
{
	return rv && rv->relname && !lint_has(&m->new_tables, rv->relname);
}

static size_t at(const struct lint_mig *m, int32_t location)
{
	return location >= 0 ? (size_t)location : m->stmt_off;
}

/* Once per migration: an ACCESS EXCLUSIVE lock on an existing table while
 * no lock_timeout is set. */
static void access_exclusive(struct lint_mig *m, const char *table, size_t off)
{
	if (m->lock_timeout || m->l->opts.session_lock_timeout || m->lock_reported)
		return;
	m->lock_reported = 1;
	lint_report(m, "lock-timeout", off,
		    "this takes an ACCESS EXCLUSIVE lock on \"%s\" with no lock_timeout set: queued "
		    "behind one long query it blocks every read and write of the table", table);
}

static void cascade(struct lint_mig *m)
{
	lint_report(m, "drop-cascade", lint_find_name(m, m->stmt_off, "cascade"),
		    "CASCADE also drops every object that depends on this one (views, foreign "
		    "keys...), which the migration does not name");
}

static int volatile_func(const char *name)
{
	static const char *const names[] = {
		"random", "random_normal", "gen_random_uuid", "gen_random_bytes", "uuid_generate_v1",
		"uuid_generate_v1mc", "uuid_generate_v4", "clock_timestamp", "timeofday", "nextval",
		"txid_current", NULL,
	};
	for (int i = 0; name && names[i]; i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

/* The first call of a volatile function anywhere in an expression tree,
 * found through protobuf-c's descriptors (every message field, active
 * oneof members only). */
static const PgQuery__FuncCall *find_volatile(const ProtobufCMessage *msg)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;
	if (d == &pg_query__func_call__descriptor) {
		const PgQuery__FuncCall *fc = (const PgQuery__FuncCall *)msg;
		if (volatile_func(last_str(fc->funcname, fc->n_funcname)))
			return fc;
	}
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *base = (const char *)msg;
		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(const uint32_t *)(const void *)(base + f->quantifier_offset) != f->id)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(const void *)(base + f->quantifier_offset);
			ProtobufCMessage *const *v = *(ProtobufCMessage *const *const *)(const void *)(base + f->offset);
			for (size_t k = 0; k < n; k++) {
				const PgQuery__FuncCall *fc = find_volatile(v[k]);
				if (fc)
					return fc;
			}
		} else {
			const ProtobufCMessage *c = *(ProtobufCMessage *const *)(const void *)(base + f->offset);
			const PgQuery__FuncCall *fc = c ? find_volatile(c) : NULL;
			if (fc)
				return fc;
		}
	}
	return NULL;
}

/* The column of CHECK (column IS NOT NULL), or NULL for any other check. */
static const char *not_null_check_column(const PgQuery__Constraint *c)
{
	const PgQuery__Node *e = c->raw_expr;
	if (c->contype != PG_QUERY__CONSTR_TYPE__CONSTR_CHECK || !e ||
	    e->node_case != PG_QUERY__NODE__NODE_NULL_TEST ||
	    e->null_test->nulltesttype != PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL || !e->null_test->arg ||
	    e->null_test->arg->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
		return NULL;
	const PgQuery__ColumnRef *cr = e->null_test->arg->column_ref;
	return last_str(cr->fields, cr->n_fields);
}

/* ADD COLUMN on an existing table: a default, identity or stored
 * expression computed for every existing row, or a unique index built
 * under the lock. */
static void add_column(struct lint_mig *m, const char *table, const PgQuery__ColumnDef *cd)
{
	const char *type = cd->type_name ? last_str(cd->type_name->names, cd->type_name->n_names) : NULL;
	static const char *const serials[] = { "serial", "bigserial", "smallserial", "serial2",
					       "serial4", "serial8", NULL };
	size_t off = at(m, cd->location);
	for (int i = 0; type && serials[i]; i++)
		if (!strcmp(type, serials[i]))
			lint_report(m, "volatile-default", off,
				    "adding %s column \"%s\" to \"%s\" fills every existing row from a "
				    "sequence, rewriting the table under an ACCESS EXCLUSIVE lock",
				    type, cd->colname, table);
	const PgQuery__FuncCall *fc = cd->raw_default ? find_volatile(&cd->raw_default->base) : NULL;
	for (size_t i = 0; i < cd->n_constraints; i++) {
		if (cd->constraints[i]->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
			continue;
		const PgQuery__Constraint *c = cd->constraints[i]->constraint;
		switch (c->contype) {
		case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
			if (!fc && c->raw_expr)
				fc = find_volatile(&c->raw_expr->base);
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
		case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
			lint_report(m, "volatile-default", at(m, c->location),
				    "adding %s column \"%s\" to \"%s\" computes it for every existing "
				    "row, rewriting the table under an ACCESS EXCLUSIVE lock",
				    c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY ? "identity"
											 : "generated",
				    cd->colname, table);
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
		case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
			lint_report(m, "unique-without-index", at(m, c->location),
				    "adding column \"%s\" with a %s constraint builds its index on \"%s\" "
				    "under an ACCESS EXCLUSIVE lock", cd->colname,
				    c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE ? "UNIQUE"
											: "PRIMARY KEY",
				    table);
			break;
		default:
			break;
		}
	}
	if (fc)
		lint_report(m, "volatile-default", at(m, fc->location),
			    "the default of new column \"%s\" calls volatile %s(), so PostgreSQL "
			    "rewrites every row of \"%s\" under an ACCESS EXCLUSIVE lock",
			    cd->colname, last_str(fc->funcname, fc->n_funcname), table);
}

/* ADD CONSTRAINT on an existing table. */
static void add_constraint(struct lint_mig *m, const char *table, const PgQuery__Constraint *c)
{
	size_t off = at(m, c->location);
	const char *nn = not_null_check_column(c);
	struct strbuf key = STRBUF_INIT;
	if (nn && c->skip_validation && c->conname && *c->conname) {
		strbuf_addf(&key, "%s\t%s\t%s", table, c->conname, nn);
		strvec_push(&m->l->notnull_checks, key.buf);
	} else if (nn) {
		strbuf_addf(&key, "%s\t%s", table, nn);
		strvec_push(&m->l->notnull_valid, key.buf);
	}
	strbuf_release(&key);
	switch (c->contype) {
	case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
	case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
		if (!c->skip_validation)
			lint_report(m, "constraint-without-not-valid", off,
				    "adding a %s constraint to \"%s\" checks every existing row while "
				    "holding a lock that blocks writes",
				    c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK ? "CHECK"
										       : "FOREIGN KEY",
				    table);
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
	case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
		if (!c->indexname || !*c->indexname)
			lint_report(m, "unique-without-index", off,
				    "adding a %s constraint to \"%s\" builds its index under an ACCESS "
				    "EXCLUSIVE lock, blocking reads and writes while it builds",
				    c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE ? "UNIQUE"
											: "PRIMARY KEY",
				    table);
		break;
	default:
		break;
	}
}

/* Is this ALTER TABLE subcommand one that takes less than ACCESS EXCLUSIVE? */
static int lesser_lock(const PgQuery__AlterTableCmd *cmd)
{
	switch (cmd->subtype) {
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStatistics:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetOptions:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetOptions:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ClusterOn:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropCluster:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigAll:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigAll:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition:
		return 1;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
		return cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
		       cmd->def->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition:
		return cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD &&
		       cmd->def->partition_cmd->concurrent;
	default:
		return 0;
	}
}

static void concurrently_in_txn(struct lint_mig *m, const char *what)
{
	if (m->sec->transactional)
		lint_report(m, "concurrently-in-transaction",
			    lint_find_name(m, m->stmt_off, "concurrently"),
			    "%s CONCURRENTLY cannot run inside a transaction block, and this section "
			    "runs in one: retort refuses the migration before running it", what);
}

static void alter_table(struct lint_mig *m, const PgQuery__AlterTableStmt *st)
{
	const PgQuery__RangeVar *rv = st->relation;
	if (st->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !rv)
		return;
	const char *table = rv->relname;
	int old = existing(m, rv), exclusive = 0;
	/* column names are looked for after the table's own name */
	size_t cursor = lint_after_name(m, at(m, rv->location), table);
	for (size_t i = 0; i < st->n_cmds; i++) {
		if (st->cmds[i]->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
			continue;
		const PgQuery__AlterTableCmd *cmd = st->cmds[i]->alter_table_cmd;
		size_t off = cursor;
		if (cmd->name && *cmd->name) {
			off = lint_find_name(m, cursor, cmd->name);
			cursor = lint_after_name(m, cursor, cmd->name);
		}
		struct strbuf key = STRBUF_INIT;
		if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint && cmd->name) {
			strbuf_addf(&key, "%s\t%s\t", table, cmd->name);
			for (size_t k = 0; k < m->l->notnull_checks.nr; k++) {
				const char *c = m->l->notnull_checks.v[k];
				if (!strncmp(c, key.buf, key.len)) {
					struct strbuf v = STRBUF_INIT;
					strbuf_addf(&v, "%s\t%s", table, c + key.len);
					strvec_push(&m->l->notnull_valid, v.buf);
					strbuf_release(&v);
				}
			}
		}
		strbuf_release(&key);
		if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition && cmd->def &&
		    cmd->def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD &&
		    cmd->def->partition_cmd->concurrent)
			concurrently_in_txn(m, "DETACH PARTITION");
		if (cmd->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE)
			cascade(m);
		if (!old)
			continue;
		if (!lesser_lock(cmd))
			exclusive = 1;
		switch (cmd->subtype) {
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
			if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
				add_column(m, table, cmd->def->column_def);
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
			if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
				add_constraint(m, table, cmd->def->constraint);
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
			lint_report(m, "column-type-change", off,
				    "changing the type of \"%s\".\"%s\" rewrites the table and its indexes "
				    "under an ACCESS EXCLUSIVE lock (unless the change is binary-compatible)",
				    table, cmd->name);
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull: {
			struct strbuf k = STRBUF_INIT;
			strbuf_addf(&k, "%s\t%s", table, cmd->name);
			if (!lint_has(&m->l->notnull_valid, k.buf))
				lint_report(m, "set-not-null", off,
					    "SET NOT NULL on \"%s\".\"%s\" scans the whole table under an "
					    "ACCESS EXCLUSIVE lock", table, cmd->name);
			strbuf_release(&k);
			break;
		}
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
			lint_report(m, "drop-column", off,
				    "dropping column \"%s\" of \"%s\" breaks the running application's "
				    "queries that name it, and its data is gone", cmd->name, table);
			break;
		default:
			break;
		}
	}
	if (exclusive)
		access_exclusive(m, table, m->stmt_off);
}

static void drop(struct lint_mig *m, const PgQuery__DropStmt *st)
{
	if (st->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE)
		cascade(m);
	if (st->concurrent)
		concurrently_in_txn(m, "DROP INDEX");
	for (size_t i = 0; i < st->n_objects; i++) {
		const char *name = node_name(st->objects[i]);
		if (!name)
			continue;
		size_t off = lint_find_name(m, m->stmt_off, name);
		switch (st->remove_type) {
		case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
			if (lint_has(&m->new_tables, name))
				break;
			lint_report(m, "drop-table", off,
				    "dropping table \"%s\" breaks the running application's queries "
				    "that use it, and its data is gone", name);
			access_exclusive(m, name, off);
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
			if (st->concurrent || lint_has(&m->new_indexes, name))
				break;
			lint_report(m, "index-without-concurrently", off,
				    "DROP INDEX \"%s\" without CONCURRENTLY takes an ACCESS EXCLUSIVE "
				    "lock on its table", name);
			access_exclusive(m, name, off);
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
			if (!lint_has(&m->new_types, name))
				strvec_push(&m->gone_types, name);
			break;
		default:
			break;
		}
	}
}

static void rename_stmt(struct lint_mig *m, const PgQuery__RenameStmt *st)
{
	const PgQuery__RangeVar *rv = st->relation;
	switch (st->rename_type) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
		if (existing(m, rv)) {
			lint_report(m, "rename-table", at(m, rv->location),
				    "renaming table \"%s\" to \"%s\" breaks the running application's "
				    "queries that use the old name", rv->relname, st->newname);
			access_exclusive(m, rv->relname, at(m, rv->location));
		} else if (rv && st->newname) {
			strvec_push(&m->new_tables, st->newname);
		}
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN:
		if (st->relation_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE && existing(m, rv)) {
			size_t off = lint_find_name(m, lint_after_name(m, at(m, rv->location), rv->relname),
						    st->subname);
			lint_report(m, "rename-column", off,
				    "renaming column \"%s\" of \"%s\" to \"%s\" breaks the running "
				    "application's queries that use the old name", st->subname,
				    rv->relname, st->newname);
			access_exclusive(m, rv->relname, off);
		}
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE: {
		const char *name = node_name(st->object);
		if (name && !lint_has(&m->new_types, name))
			strvec_push(&m->gone_types, name);
		break;
	}
	default:
		break;
	}
}

/* Does an option list (REINDEX's, VACUUM's) have DefElem `name`? */
static int has_option(PgQuery__Node **v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (v[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM && v[i]->def_elem->defname &&
		    !strcmp(v[i]->def_elem->defname, name))
			return 1;
	return 0;
}

/* SET lock_timeout to anything but 0 (which means no timeout). */
static int sets_lock_timeout(const PgQuery__VariableSetStmt *st)
{
	if (!st->name || strcmp(st->name, "lock_timeout") ||
	    st->kind != PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE || st->n_args != 1 ||
	    st->args[0]->node_case != PG_QUERY__NODE__NODE_A_CONST)
		return 0;
	const PgQuery__AConst *c = st->args[0]->a_const;
	if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL)
		return c->ival->ival != 0;
	if (c->val_case == PG_QUERY__A__CONST__VAL_SVAL)
		return strtod(c->sval->sval, NULL) != 0;
	return 1;
}

static void lint_stmt(struct lint_mig *m, const PgQuery__Node *n)
{
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_CREATE_STMT:
		if (n->create_stmt->relation)
			strvec_push(&m->new_tables, n->create_stmt->relation->relname);
		break;
	case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
		if (n->create_table_as_stmt->into && n->create_table_as_stmt->into->rel)
			strvec_push(&m->new_tables, n->create_table_as_stmt->into->rel->relname);
		break;
	case PG_QUERY__NODE__NODE_INDEX_STMT: {
		const PgQuery__IndexStmt *st = n->index_stmt;
		if (st->concurrent)
			concurrently_in_txn(m, "CREATE INDEX");
		else if (existing(m, st->relation))
			lint_report(m, "index-without-concurrently", m->stmt_off,
				    "CREATE INDEX on existing table \"%s\" without CONCURRENTLY blocks "
				    "its writes until the index is built", st->relation->relname);
		if (st->idxname && *st->idxname)
			strvec_push(&m->new_indexes, st->idxname);
		break;
	}
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		alter_table(m, n->alter_table_stmt);
		break;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		drop(m, n->drop_stmt);
		break;
	case PG_QUERY__NODE__NODE_RENAME_STMT:
		rename_stmt(m, n->rename_stmt);
		break;
	case PG_QUERY__NODE__NODE_TRUNCATE_STMT: {
		const PgQuery__TruncateStmt *st = n->truncate_stmt;
		for (size_t i = 0; i < st->n_relations; i++) {
			if (st->relations[i]->node_case != PG_QUERY__NODE__NODE_RANGE_VAR)
				continue;
			const PgQuery__RangeVar *rv = st->relations[i]->range_var;
			if (!existing(m, rv))
				continue;
			lint_report(m, "truncate", at(m, rv->location),
				    "TRUNCATE deletes every row of \"%s\" at once, under an ACCESS "
				    "EXCLUSIVE lock", rv->relname);
			access_exclusive(m, rv->relname, at(m, rv->location));
		}
		if (st->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE)
			cascade(m);
		break;
	}
	case PG_QUERY__NODE__NODE_CREATE_ENUM_STMT: {
		const PgQuery__CreateEnumStmt *st = n->create_enum_stmt;
		const char *name = last_str(st->type_name, st->n_type_name);
		if (name && lint_has(&m->gone_types, name))
			lint_report(m, "enum-recreate", lint_find_name(m, m->stmt_off, name),
				    "enum type \"%s\" existed before this migration, which drops or "
				    "renames it and creates it again: columns of the old type must be "
				    "rewritten, and rows holding a removed value make it fail", name);
		if (name)
			strvec_push(&m->new_types, name);
		break;
	}
	case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT:
		if (sets_lock_timeout(n->variable_set_stmt))
			m->lock_timeout = 1;
		break;
	case PG_QUERY__NODE__NODE_REINDEX_STMT:
		if (has_option(n->reindex_stmt->params, n->reindex_stmt->n_params, "concurrently"))
			concurrently_in_txn(m, "REINDEX");
		break;
	case PG_QUERY__NODE__NODE_LOCK_STMT: {
		const PgQuery__LockStmt *st = n->lock_stmt;
		/* 8 is AccessExclusiveLock, also the mode of a bare LOCK TABLE */
		if (st->mode == 8 && st->n_relations &&
		    st->relations[0]->node_case == PG_QUERY__NODE__NODE_RANGE_VAR &&
		    existing(m, st->relations[0]->range_var))
			access_exclusive(m, st->relations[0]->range_var->relname, m->stmt_off);
		break;
	}
	case PG_QUERY__NODE__NODE_VACUUM_STMT: {
		const PgQuery__VacuumStmt *st = n->vacuum_stmt;
		if (has_option(st->options, st->n_options, "full") && st->n_rels &&
		    st->rels[0]->node_case == PG_QUERY__NODE__NODE_VACUUM_RELATION &&
		    existing(m, st->rels[0]->vacuum_relation->relation))
			access_exclusive(m, st->rels[0]->vacuum_relation->relation->relname, m->stmt_off);
		break;
	}
	case PG_QUERY__NODE__NODE_CLUSTER_STMT:
		if (existing(m, n->cluster_stmt->relation))
			access_exclusive(m, n->cluster_stmt->relation->relname, m->stmt_off);
		break;
	default:
		break;
	}
}

const char *rt_lint_parser_version(void)
{
	return PG_VERSION;
}

void lint_pg_section(struct lint_mig *m)
{
	PgQueryProtobufParseResult r = pg_query_parse_protobuf(m->body);
	if (r.error) {
		size_t off = r.error->cursorpos > 0 ? (size_t)r.error->cursorpos - 1 : 0;
		lint_begin_stmt(m, off, m->body_len);
		m->stmt_line = 0; /* a syntax error cannot be ignored */
		lint_report(m, "syntax", off, "PostgreSQL's parser says: %s", r.error->message);
		pg_query_free_protobuf_parse_result(r);
		return;
	}
	PgQuery__ParseResult *pr = pg_query__parse_result__unpack(NULL, r.parse_tree.len,
								  (const uint8_t *)r.parse_tree.data);
	pg_query_free_protobuf_parse_result(r);
	if (!pr) {
		lint_begin_stmt(m, 0, m->body_len);
		m->stmt_line = 0;
		lint_report(m, "syntax", m->stmt_off, "libpg_query returned a parse tree it cannot read");
		return;
	}
	for (size_t i = 0; i < pr->n_stmts; i++) {
		const PgQuery__RawStmt *st = pr->stmts[i];
		size_t loc = st->stmt_location > 0 ? (size_t)st->stmt_location : 0;
		size_t end = st->stmt_len > 0 ? loc + (size_t)st->stmt_len : m->body_len;
		if (!st->stmt)
			continue;
		lint_begin_stmt(m, loc, end);
		lint_stmt(m, st->stmt);
	}
	pg_query__parse_result__free_unpacked(pr, NULL);
}

/* The schema model: building, sorting, looking up, ordering by foreign keys;
 * and normalizing SQLite's DDL text for comparison (on the shared lexer). */
#include "model.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/sqllex.h"
#include "../lib/xalloc.h"

void rt_schema_init(struct rt_schema *s, enum rt_dialect d)
{
	memset(s, 0, sizeof(*s));
	s->dialect = d;
}

static void object_release(struct rt_object *o)
{
	free(o->name);
	free(o->q);
	free(o->table);
	free(o->def);
	free(o->sql);
}

static void objects_free(struct rt_object *v, int n)
{
	for (int i = 0; i < n; i++)
		object_release(&v[i]);
	free(v);
}

static void table_release(struct rt_table *t)
{
	for (int i = 0; i < t->ncols; i++) {
		struct rt_column *c = &t->cols[i];
		free(c->name);
		free(c->q);
		free(c->def);
		free(c->sql);
		free(c->type);
		free(c->dflt);
		free(c->generated);
		free(c->comment);
	}
	free(t->cols);
	for (int i = 0; i < t->ncons; i++) {
		free(t->cons[i].name);
		free(t->cons[i].q);
		free(t->cons[i].declared);
		free(t->cons[i].def);
		free(t->cons[i].ref);
	}
	free(t->cons);
	free(t->name);
	free(t->q);
	free(t->comment);
	free(t->sql);
	free(t->options);
}

void rt_schema_release(struct rt_schema *s)
{
	for (int i = 0; i < s->ntables; i++)
		table_release(&s->tables[i]);
	free(s->tables);
	objects_free(s->indexes, s->nindexes);
	objects_free(s->views, s->nviews);
	objects_free(s->triggers, s->ntriggers);
	objects_free(s->sequences, s->nsequences);
	for (int i = 0; i < s->nenums; i++) {
		free(s->enums[i].name);
		free(s->enums[i].q);
		strvec_clear(&s->enums[i].labels);
	}
	free(s->enums);
	rt_schema_init(s, s->dialect);
}

/* Grow *v (of `size`-byte elements) to hold one more; return the new one, zeroed. */
static void *grow(void *vp, int *n, int *alloc, size_t size)
{
	void **v = vp;
	if (*n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 8;
		*v = xrealloc(*v, (size_t)*alloc * size);
	}
	char *e = (char *)*v + (size_t)(*n)++ * size;
	memset(e, 0, size);
	return e;
}

struct rt_table *rt_schema_add_table(struct rt_schema *s, const char *name, const char *q)
{
	struct rt_table *t = grow(&s->tables, &s->ntables, &s->atables, sizeof(*t));
	t->name = xstrdup(name);
	t->q = xstrdup(q);
	return t;
}

/* Tables own their column and constraint arrays; capacity is the next
 * power of two at or above the count, so no separate field is needed. */
static int cap_of(int n)
{
	int c = 8;
	while (c < n)
		c *= 2;
	return n ? c : 0;
}

struct rt_column *rt_table_add_column(struct rt_table *t, const char *name, const char *q)
{
	int alloc = cap_of(t->ncols);
	struct rt_column *c = grow(&t->cols, &t->ncols, &alloc, sizeof(*c));
	c->name = xstrdup(name);
	c->q = xstrdup(q);
	return c;
}

struct rt_constraint *rt_table_add_constraint(struct rt_table *t, const char *name, const char *q,
					      char kind, const char *def)
{
	int alloc = cap_of(t->ncons);
	struct rt_constraint *c = grow(&t->cons, &t->ncons, &alloc, sizeof(*c));
	c->name = xstrdup(name);
	c->q = xstrdup(q);
	c->kind = kind;
	c->def = xstrdup(def);
	return c;
}

struct rt_object *rt_schema_add_object(struct rt_object **v, int *n, int *alloc, const char *name,
				       const char *q)
{
	struct rt_object *o = grow(v, n, alloc, sizeof(*o));
	o->name = xstrdup(name);
	o->q = xstrdup(q);
	return o;
}

struct rt_enum *rt_schema_add_enum(struct rt_schema *s, const char *name, const char *q)
{
	struct rt_enum *e = grow(&s->enums, &s->nenums, &s->aenums, sizeof(*e));
	e->name = xstrdup(name);
	e->q = xstrdup(q);
	strvec_init(&e->labels);
	return e;
}

/* Every element type starts with `char *name`, so one comparator sorts them all. */
static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* qsort, but an empty array may be NULL */
static void sort_names(void *v, int n, size_t size)
{
	if (n > 1)
		qsort(v, (size_t)n, size, by_name);
}

void rt_schema_sort(struct rt_schema *s)
{
	sort_names(s->tables, s->ntables, sizeof(*s->tables));
	for (int i = 0; i < s->ntables; i++)
		sort_names(s->tables[i].cons, s->tables[i].ncons, sizeof(*s->tables[i].cons));
	sort_names(s->indexes, s->nindexes, sizeof(*s->indexes));
	sort_names(s->triggers, s->ntriggers, sizeof(*s->triggers));
	sort_names(s->sequences, s->nsequences, sizeof(*s->sequences));
	sort_names(s->enums, s->nenums, sizeof(*s->enums));
	/* views keep the order the database created them in: later views may
	 * select from earlier ones */
}

/* Binary search in a name-sorted array of `size`-byte elements. */
static const void *find_sorted(const void *v, int n, size_t size, const char *name)
{
	return n ? bsearch(&name, v, (size_t)n, size, by_name) : NULL;
}

const struct rt_table *rt_schema_table(const struct rt_schema *s, const char *name)
{
	return find_sorted(s->tables, s->ntables, sizeof(*s->tables), name);
}

const struct rt_column *rt_table_column(const struct rt_table *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, name))
			return &t->cols[i];
	return NULL;
}

const struct rt_constraint *rt_table_constraint(const struct rt_table *t, const char *name)
{
	return find_sorted(t->cons, t->ncons, sizeof(*t->cons), name);
}

const struct rt_object *rt_object_find(const struct rt_object *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

const struct rt_enum *rt_schema_enum(const struct rt_schema *s, const char *name)
{
	return find_sorted(s->enums, s->nenums, sizeof(*s->enums), name);
}

/*
 * Kahn's algorithm over the foreign-key graph restricted to the wanted
 * tables; self-references do not count.  Each round takes the first ready
 * table by name, so equal inputs give equal orders.
 */
int *rt_schema_table_order(const struct rt_schema *s, const int *want, int *n)
{
	int nt = s->ntables, cnt = 0;
	int *out = xcalloc((size_t)nt + 1, sizeof(int));
	char *done = xcalloc((size_t)nt + 1, 1);
	for (int i = 0; i < nt; i++)
		if (want && !want[i])
			done[i] = 1;
	for (;;) {
		int progress = 0;
		for (int i = 0; i < nt; i++) {
			if (done[i])
				continue;
			const struct rt_table *t = &s->tables[i];
			int ready = 1;
			for (int k = 0; ready && k < t->ncons; k++) {
				const struct rt_constraint *c = &t->cons[k];
				if (!c->ref || !strcmp(c->ref, t->name))
					continue;
				const struct rt_table *r = rt_schema_table(s, c->ref);
				if (r && !done[r - s->tables])
					ready = 0;
			}
			if (ready) {
				done[i] = 2;
				out[cnt++] = i;
				progress = 1;
				break;
			}
		}
		if (!progress)
			break;
	}
	for (int i = 0; i < nt; i++) /* cycles */
		if (!done[i])
			out[cnt++] = i;
	free(done);
	*n = cnt;
	return out;
}

/* Is the quoted identifier body [b, e) a plain word that needs no quotes? */
static int plain_ident(const char *b, const char *e)
{
	if (b == e || isdigit((unsigned char)*b))
		return 0;
	for (const char *p = b; p < e; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_'))
			return 0;
	return 1;
}

/*
 * Tokens from the shared lexer (with SQLite's quotes), joined back: a
 * space only between two tokens that are not punctuation, words and
 * numbers upper-cased, quoted names that need no quotes unquoted and
 * upper-cased, strings and other quoted names kept as written.
 */
char *rt_sql_normalize(const char *sql, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	struct rt_sql_lexer lx;
	struct rt_sql_tok t;
	int prev_word = 0;
	strbuf_grow(&sb, len);
	rt_sql_lexer_init(&lx, sql, len, RT_LEX_SQLITE);
	while (rt_sql_next(&lx, &t)) {
		const char *b = sql + t.off, *e = b + t.len;
		int word = t.kind != RT_SQL_PUNCT;
		if (word && prev_word)
			strbuf_addch(&sb, ' ');
		int keep = t.kind == RT_SQL_STRING || t.kind == RT_SQL_QNAME;
		if (t.kind == RT_SQL_QNAME && !t.unterminated && plain_ident(b + 1, e - 1)) {
			b++;
			e--;
			keep = 0;
		}
		if (keep)
			strbuf_add(&sb, b, t.len);
		else
			for (const char *q = b; q < e; q++)
				strbuf_addch(&sb, (char)toupper((unsigned char)*q));
		prev_word = word;
	}
	return strbuf_detach(&sb);
}

/* Any token of the text (a word or a quoted name) equal to `word`. */
int rt_sql_has_word(const char *norm, const char *word)
{
	struct rt_sql_lexer lx;
	struct rt_sql_tok t;
	size_t n = strlen(word);
	rt_sql_lexer_init(&lx, norm, strlen(norm), RT_LEX_SQLITE);
	while (rt_sql_next(&lx, &t))
		if (t.len == n && !memcmp(norm + t.off, word, n))
			return 1;
	return 0;
}

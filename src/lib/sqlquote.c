/* The identifier and string-literal quoters (see sqlquote.h). */
#include "sqlquote.h"

#include <stdlib.h>
#include <string.h>

static const char *const common_keywords[] = {
	"add", "all", "alter", "analyse", "analyze", "and", "any", "array", "as", "asc",
	"asymmetric", "authorization", "autoincrement", "between", "binary", "both", "case",
	"cast", "check", "collate", "collation", "column", "commit", "concurrently", "constraint",
	"create", "cross", "current_catalog", "current_date", "current_role", "current_schema",
	"current_time", "current_timestamp", "current_user", "default", "deferrable", "delete",
	"desc", "distinct", "do", "drop", "else", "end", "escape", "except", "exists", "false",
	"fetch", "for", "foreign", "freeze", "from", "full", "glob", "grant", "group", "having",
	"if", "ilike", "in", "index", "indexed", "initially", "inner", "insert", "intersect",
	"into", "is", "isnull", "join", "lateral", "leading", "left", "like", "limit",
	"localtime", "localtimestamp", "match", "natural", "not", "nothing", "notnull", "null",
	"offset", "on", "only", "or", "order", "outer", "overlaps", "placing", "primary", "raise",
	"references", "regexp", "returning", "right", "rollback", "select", "session_user", "set",
	"similar", "some", "symmetric", "table", "tablesample", "then", "to", "trailing",
	"transaction", "true", "union", "unique", "update", "user", "using", "values", "variadic",
	"verbose", "when", "where", "window", "with"
};

static int cmp_word(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int rt_sql_common_keyword(const char *word)
{
	return bsearch(&word, common_keywords, sizeof(common_keywords) / sizeof(*common_keywords),
		       sizeof(*common_keywords), cmp_word) != NULL;
}

int rt_sql_every_word(const char *word)
{
	(void)word;
	return 1;
}

static int is_plain(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

void rt_sql_add_ident_q(struct strbuf *sb, const char *name, rt_keyword_fn is_keyword, char quote)
{
	if (is_plain(name) && !(is_keyword ? is_keyword : rt_sql_common_keyword)(name)) {
		strbuf_addstr(sb, name);
		return;
	}
	strbuf_addch(sb, quote);
	for (const char *p = name; *p; p++) {
		if (*p == quote)
			strbuf_addch(sb, quote);
		strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, quote);
}

void rt_sql_add_ident(struct strbuf *sb, const char *name, rt_keyword_fn is_keyword)
{
	rt_sql_add_ident_q(sb, name, is_keyword, '"');
}

char *rt_sql_quote_ident(const char *name, rt_keyword_fn is_keyword)
{
	struct strbuf sb = STRBUF_INIT;
	rt_sql_add_ident(&sb, name, is_keyword);
	return strbuf_detach(&sb);
}

char *rt_sql_quote_ident_q(const char *name, rt_keyword_fn is_keyword, char quote)
{
	struct strbuf sb = STRBUF_INIT;
	rt_sql_add_ident_q(&sb, name, is_keyword, quote);
	return strbuf_detach(&sb);
}

void rt_sql_add_literal_ex(struct strbuf *sb, const char *s, int backslash)
{
	strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'' || (backslash && *s == '\\'))
			strbuf_addch(sb, *s);
		strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '\'');
}

void rt_sql_add_literal(struct strbuf *sb, const char *s)
{
	rt_sql_add_literal_ex(sb, s, 0);
}

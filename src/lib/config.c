/*
 * The settings table and its resolution: flags, then the environment,
 * then the config file, then the defaults (see config.h).
 */
#include "config.h"
#include "proc.h"
#include "fileio.h"
#include "strbuf.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define AT(f) offsetof(struct rt_config, f)
#define RT_MAX_CONFIG_VALUE 65536

const struct rt_setting rt_settings[RT_SET_COUNT] = {
	[RT_SET_CONFIG] = { .id = RT_SET_CONFIG, .type = RT_SETTING_STRING, .short_flag = 'c',
			    .flag = "config", .env = "RETORT_CONFIG", .off = AT(config_file),
			    .argh = "FILE", .help = "config file (default: retort.ini, else alembic.ini)" },
	[RT_SET_URL] = { .id = RT_SET_URL, .type = RT_SETTING_STRING, .short_flag = 'u', .flag = "url",
			 .env = "DATABASE_URL", .env_file = "DATABASE_URL_FILE", .ini = "sqlalchemy.url",
			 .ini_alt = "url", .off = AT(url), .argh = "URL", .flags = RT_SETF_SECRET,
			 .help = "database URL (prefer DATABASE_URL: -u shows a password in ps)" },
	[RT_SET_DIR] = { .id = RT_SET_DIR, .type = RT_SETTING_STRING, .short_flag = 'd', .flag = "dir",
			 .env = "RETORT_DIR", .ini = "script_location", .off = AT(script_location),
			 .argh = "DIR", .help = "script directory holding versions/ (default: migrations)" },
	[RT_SET_XARGS] = { .id = RT_SET_XARGS, .type = RT_SETTING_LIST, .short_flag = 'x',
			   .argh = "KEY=VALUE", .help = "extra value for templates (repeatable)" },
	[RT_SET_QUIET] = { .id = RT_SET_QUIET, .type = RT_SETTING_COUNT_, .short_flag = 'q',
			   .flag = "quiet", .off = AT(quiet), .help = "print only results and errors" },
	[RT_SET_VERBOSE] = { .id = RT_SET_VERBOSE, .type = RT_SETTING_COUNT_, .short_flag = 'v',
			     .flag = "verbose", .off = AT(verbose),
			     .help = "say more about what is used" },
	[RT_SET_COLOR] = { .id = RT_SET_COLOR, .type = RT_SETTING_COLOR, .flag = "color",
			   .env = "RETORT_COLOR", .ini = "color", .off = AT(color), .argh = "WHEN",
			   .help = "colour on stderr: auto, always or never (auto honours NO_COLOR)" },
	[RT_SET_LOCK_TIMEOUT] = { .id = RT_SET_LOCK_TIMEOUT, .type = RT_SETTING_SECONDS,
				  .flag = "lock-timeout", .env = "RETORT_LOCK_TIMEOUT",
				  .ini = "lock_timeout", .off = AT(lock_timeout), .argh = "SECONDS",
				  .help = "how long to wait for another retort's migration lock "
					  "(default 60)" },
	[RT_SET_LOCK] = { .id = RT_SET_LOCK, .type = RT_SETTING_LOCK, .flag = "lock",
			  .env = "RETORT_LOCK", .ini = "lock", .off = AT(lock), .argh = "KIND",
			  .help = "migration lock: advisory, table (a lease row, for poolers) or none "
				  "(default: chosen)" },
	[RT_SET_LOCK_LEASE] = { .id = RT_SET_LOCK_LEASE, .type = RT_SETTING_SECONDS,
				.flag = "lock-lease", .env = "RETORT_LOCK_LEASE", .ini = "lock_lease",
				.off = AT(lock_lease), .argh = "SECONDS",
				.help = "--lock=table: a lease not renewed for this long expires "
					"(default 30)" },
	[RT_SET_SINGLE_TXN] = { .id = RT_SET_SINGLE_TXN, .type = RT_SETTING_BOOL,
				.flag = "single-transaction", .env = "RETORT_SINGLE_TRANSACTION",
				.ini = "single_transaction", .off = AT(single_txn),
				.help = "run the whole upgrade/downgrade in one transaction: all or "
					"nothing" },
	[RT_SET_SCHEMA] = { .id = RT_SET_SCHEMA, .type = RT_SETTING_STRING, .flag = "schema",
			    .env = "RETORT_SCHEMA", .ini = "schema", .off = AT(schema_path),
			    .argh = "SRC",
			    .help = "declarative schema: a .sql file or directory (default "
				    "DIR/schema.sql), python:MODULE:ATTR or 'exec:COMMAND'" },
	[RT_SET_PYTHON] = { .id = RT_SET_PYTHON, .type = RT_SETTING_STRING, .flag = "python",
			    .env = "RETORT_PYTHON", .ini = "python", .off = AT(python),
			    .argh = "PATH",
			    .help = "the project's Python, for python: schemas (default python3)" },
	[RT_SET_NO_CACHE] = { .id = RT_SET_NO_CACHE, .type = RT_SETTING_BOOL, .flag = "no-cache",
			      .env = "RETORT_NO_CACHE", .ini = "no_cache", .off = AT(no_cache),
			      .help = "do not read or write the cache of parsed revision headers" },
	[RT_SET_CACHE_DIR] = { .id = RT_SET_CACHE_DIR, .type = RT_SETTING_STRING,
			       .env = "RETORT_CACHE_DIR", .ini = "cache_dir", .off = AT(cache_dir),
			       .help = "where the header cache lives (default ~/.cache/retort)" },
	[RT_SET_SEARCH_PATH] = { .id = RT_SET_SEARCH_PATH, .type = RT_SETTING_STRING,
				 .flag = "search-path", .env = "RETORT_SEARCH_PATH",
				 .ini = "search_path", .off = AT(search_path), .argh = "NAME",
				 .help = "PostgreSQL: search_path for migrations" },
	[RT_SET_VERSION_TABLE] = { .id = RT_SET_VERSION_TABLE, .type = RT_SETTING_STRING,
				   .flag = "version-table", .env = "RETORT_VERSION_TABLE",
				   .ini = "version_table", .off = AT(version_table), .argh = "NAME",
				   .help = "version table name (default alembic_version)" },
	[RT_SET_VERSION_TABLE_SCHEMA] = { .id = RT_SET_VERSION_TABLE_SCHEMA,
					  .type = RT_SETTING_STRING, .flag = "version-table-schema",
					  .env = "RETORT_VERSION_TABLE_SCHEMA",
					  .ini = "version_table_schema",
					  .off = AT(version_table_schema), .argh = "NAME",
					  .help = "PostgreSQL: schema of the version table" },
	[RT_SET_STATEMENT_TIMEOUT] = { .id = RT_SET_STATEMENT_TIMEOUT, .type = RT_SETTING_SECONDS,
				       .flag = "statement-timeout", .env = "RETORT_STATEMENT_TIMEOUT",
				       .ini = "statement_timeout", .off = AT(statement_timeout),
				       .argh = "SECONDS",
				       .help = "PostgreSQL, MariaDB: cancel any statement running longer" },
	[RT_SET_DDL_LOCK_TIMEOUT] = { .id = RT_SET_DDL_LOCK_TIMEOUT, .type = RT_SETTING_SECONDS,
				      .flag = "ddl-lock-timeout", .env = "RETORT_DDL_LOCK_TIMEOUT",
				      .ini = "ddl_lock_timeout", .off = AT(ddl_lock_timeout),
				      .argh = "SECONDS",
				      .help = "PostgreSQL, MySQL: give up waiting for a table lock after "
					      "this long (lock_timeout, lock_wait_timeout)" },
	[RT_SET_WAIT] = { .id = RT_SET_WAIT, .type = RT_SETTING_BOOL, .flag = "wait",
			  .off = AT(wait),
			  .help = "wait for the database to accept connections before using it (up "
				  "to 60 s)" },
	[RT_SET_WAIT_TIMEOUT] = { .id = RT_SET_WAIT_TIMEOUT, .type = RT_SETTING_SECONDS,
				  .flag = "wait-timeout", .env = "RETORT_WAIT_TIMEOUT",
				  .ini = "wait_timeout", .off = AT(wait_timeout), .argh = "SECONDS",
				  .help = "wait up to this long (implies --wait; exit 3 on timeout)" },
	[RT_SET_NOTIFY] = { .id = RT_SET_NOTIFY, .type = RT_SETTING_STRING, .flag = "notify",
			    .env = "RETORT_NOTIFY_URL", .ini = "notify_url", .off = AT(notify_url),
			    .argh = "URL", .flags = RT_SETF_SECRET,
			    .help = "POST a JSON summary of each change to this webhook" },
	[RT_SET_REQUIRE_URL] = { .id = RT_SET_REQUIRE_URL, .type = RT_SETTING_BOOL,
				 .env = "RETORT_REQUIRE_URL", .off = AT(require_url),
				 .help = "there is no default database (set in the container image)" },
	[RT_SET_FILE_TEMPLATE] = { .id = RT_SET_FILE_TEMPLATE, .type = RT_SETTING_STRING,
				   .ini = "file_template", .off = AT(file_template),
				   .help = "new revision file names (default %(rev)s_%(slug)s)" },
	[RT_SET_TRUNCATE_SLUG] = { .id = RT_SET_TRUNCATE_SLUG, .type = RT_SETTING_INT,
				   .ini = "truncate_slug_length", .off = AT(truncate_slug_length),
				   .min = 1, .max = 1000, .help = "longest slug in a file name (40)" },
	[RT_SET_TIMEZONE] = { .id = RT_SET_TIMEZONE, .type = RT_SETTING_STRING, .ini = "timezone",
			      .off = AT(timezone),
			      .help = "create dates in this IANA zone (default: local time)" },
	[RT_SET_VERSION_LOCATIONS] = { .id = RT_SET_VERSION_LOCATIONS, .type = RT_SETTING_STRING,
				       .ini = "version_locations",
				       .help = "directories holding revision files" },
	[RT_SET_VERSION_PATH_SEP] = { .id = RT_SET_VERSION_PATH_SEP, .type = RT_SETTING_STRING,
				      .ini = "version_path_separator", .ini_alt = "path_separator",
				      .off = AT(version_path_separator),
				      .help = "how version_locations is split (os, space, ...)" },
	[RT_SET_RECURSIVE_VERSION_LOCATIONS] = { .id = RT_SET_RECURSIVE_VERSION_LOCATIONS,
						 .type = RT_SETTING_BOOL,
						 .ini = "recursive_version_locations",
						 .off = AT(recursive_version_locations),
						 .help = "read revision files in subfolders of the "
							 "version locations too" },
	[RT_SET_NAME] = { .id = RT_SET_NAME, .type = RT_SETTING_STRING, .short_flag = 'n',
			  .flag = "name", .env = "RETORT_NAME", .off = AT(name), .argh = "SECTION",
			  .help = "the config file's section to read (default retort, else alembic)" },
	[RT_SET_TARGET] = { .id = RT_SET_TARGET, .type = RT_SETTING_LIST, .flag = "target",
			    .argh = "URL", .flags = RT_SETF_SECRET,
			    .help = "fleets: run the command on this target (repeatable; "
				    "'URL schema=NAME' for a PostgreSQL schema)" },
	[RT_SET_TARGETS] = { .id = RT_SET_TARGETS, .type = RT_SETTING_STRING, .flag = "targets",
			     .env = "RETORT_TARGETS_FILE", .off = AT(targets_file), .argh = "FILE",
			     .help = "fleets: the targets, one a line ('URL [schema=NAME]', # comments)" },
	[RT_SET_TARGET_LINES] = { .id = RT_SET_TARGET_LINES, .type = RT_SETTING_STRING,
				  .ini = "targets", .off = AT(target_lines), .flags = RT_SETF_SECRET,
				  .help = "fleets: the targets, one a line, as in a --targets file" },
	[RT_SET_JOBS] = { .id = RT_SET_JOBS, .type = RT_SETTING_INT, .flag = "jobs",
			  .env = "RETORT_JOBS", .ini = "jobs", .off = AT(jobs), .argh = "N",
			  .min = 1, .max = 256, .help = "fleets: run up to N targets at once (default 4)" },
	[RT_SET_CANARY] = { .id = RT_SET_CANARY, .type = RT_SETTING_INT, .flag = "canary",
			    .env = "RETORT_CANARY", .ini = "canary", .off = AT(canary), .argh = "K",
			    .min = 0, .max = 1000000,
			    .help = "fleets: run the first K targets alone first; stop if one fails" },
	[RT_SET_KEEP_GOING] = { .id = RT_SET_KEEP_GOING, .type = RT_SETTING_BOOL, .flag = "keep-going",
				.env = "RETORT_KEEP_GOING", .ini = "keep_going", .off = AT(keep_going),
				.help = "fleets: after a failure, still start the remaining targets" },
	[RT_SET_JSON] = { .id = RT_SET_JSON, .type = RT_SETTING_BOOL, .flag = "json", .off = AT(json),
			  .help = "fleets: print the outcome as one JSON document" },
};

void rt_config_flags_init(struct rt_config_flags *f)
{
	memset(f, 0, sizeof(*f));
	strvec_init(&f->xargs);
	strvec_init(&f->targets);
}

void rt_config_flags_release(struct rt_config_flags *f)
{
	strvec_clear(&f->xargs);
	strvec_clear(&f->targets);
	rt_config_flags_init(f);
}

void rt_config_init(struct rt_config *c)
{
	memset(c, 0, sizeof(*c));
	strvec_init(&c->version_locations);
	strvec_init(&c->missing_version_locations);
	strvec_init(&c->xkeys);
	strvec_init(&c->xvals);
	strvec_init(&c->warnings);
	strvec_init(&c->notes);
	strvec_init(&c->targets);
}

void rt_config_release(struct rt_config *c)
{
	for (int i = 0; i < RT_SET_COUNT; i++)
		if (rt_settings[i].type == RT_SETTING_STRING && rt_settings[i].off)
			free(*(char **)((char *)c + rt_settings[i].off));
	strvec_clear(&c->version_locations);
	strvec_clear(&c->missing_version_locations);
	strvec_clear(&c->python_path);
	strvec_clear(&c->xkeys);
	strvec_clear(&c->xvals);
	strvec_clear(&c->warnings);
	strvec_clear(&c->notes);
	strvec_clear(&c->targets);
	rt_config_init(c);
}

const char *rt_config_xarg(const struct rt_config *c, const char *key)
{
	int i = strvec_find(&c->xkeys, key);
	return i < 0 ? NULL : c->xvals.v[i];
}

/* The raw key/value pairs of one section (plus [DEFAULT]) of an ini file. */
struct ini_section {
	const char *want;        /* section name wanted */
	struct strvec keys, vals;
	struct strvec dkeys, dvals; /* [DEFAULT] */
	int seen;                /* the wanted section exists */
	struct strbuf text;      /* the whole file */
	struct strvec others;    /* the other sections, which retort does not read */
};

static void kv_set(struct strvec *keys, struct strvec *vals, const char *k, const char *v)
{
	int i = strvec_find(keys, k);
	if (i >= 0) {
		/* inih reports continuation lines as repeats of the key */
		struct strbuf sb = STRBUF_INIT;
		strbuf_addstr(&sb, vals->v[i]);
		strbuf_addch(&sb, '\n');
		strbuf_addstr(&sb, v);
		free(vals->v[i]);
		vals->v[i] = strbuf_detach(&sb);
		return;
	}
	strvec_push(keys, k);
	strvec_push(vals, v);
}

static int section_handler(void *user, const char *section, const char *name, const char *value)
{
	struct ini_section *s = user;
	if (strcmp(section, s->want) && strcmp(section, "DEFAULT") && strvec_find(&s->others, section) < 0)
		strvec_push(&s->others, section);
	if (!strcmp(section, s->want)) {
		s->seen = 1;
		if (name)
			kv_set(&s->keys, &s->vals, name, value ? value : "");
	} else if (!strcmp(section, "DEFAULT") && name) {
		kv_set(&s->dkeys, &s->dvals, name, value ? value : "");
	}
	return 1;
}

static void ini_section_init(struct ini_section *s)
{
	memset(s, 0, sizeof(*s));
	strvec_init(&s->keys);
	strvec_init(&s->vals);
	strvec_init(&s->dkeys);
	strvec_init(&s->dvals);
	strvec_init(&s->others);
	strbuf_init(&s->text);
}

/* Forget the keys read (to read the file again for another section). */
static void ini_section_reset(struct ini_section *s)
{
	strvec_clear(&s->keys);
	strvec_clear(&s->vals);
	strvec_clear(&s->dkeys);
	strvec_clear(&s->dvals);
	strvec_clear(&s->others);
	s->seen = 0;
}

static void ini_section_release(struct ini_section *s)
{
	ini_section_reset(s);
	strbuf_release(&s->text);
}

static const char *ini_raw(const struct ini_section *s, const char *key)
{
	int i = strvec_find(&s->keys, key);
	if (i >= 0)
		return s->vals.v[i];
	i = strvec_find(&s->dkeys, key);
	return i >= 0 ? s->dvals.v[i] : NULL;
}

/*
 * configparser's BasicInterpolation: "%%" is "%", "%(name)s" is the
 * (recursively interpolated) value of another key, "here" being the
 * directory of the file.  Depth is bounded like configparser's.
 */
static int interpolate(const struct ini_section *s, const char *here, const char *file,
		       const char *key, const char *v, int depth, int secret, struct strbuf *out,
		       struct rt_error *err)
{
	if (depth > 10)
		return rt_error_set(err, RT_EXIT_ERROR,
				    "%s: interpolation of '%s' is nested too deeply (a loop?)", file, key);
	for (const char *p = v; *p; p++) {
		/* depth bounds loops, not fan-out: 20 references on each of 10
		 * levels would grow without end, so bound the value itself */
		if (out->len > RT_MAX_CONFIG_VALUE)
			return rt_error_set(err, RT_EXIT_ERROR, "%s: interpolating '%s' grows beyond %d "
					    "bytes; its %%(name)s references repeat too much", file, key,
					    RT_MAX_CONFIG_VALUE);
		if (*p != '%') {
			strbuf_addch(out, *p);
			continue;
		}
		if (p[1] == '%') {
			strbuf_addch(out, '%');
			p++;
			continue;
		}
		if (p[1] == '(') {
			const char *close = strstr(p + 2, ")s");
			if (close) {
				char *name = xstrndup(p + 2, (size_t)(close - p - 2));
				const char *sub = !strcmp(name, "here") ? here : ini_raw(s, name);
				int rc = 0;
				if (!sub)
					rc = rt_error_set(err, RT_EXIT_ERROR,
							  "%s: key '%s' refers to '%%(%s)s', which is not set in "
							  "[%s] or [DEFAULT]", file, key, name, s->want);
				else if (!strcmp(name, "here"))
					strbuf_addstr(out, sub);
				else
					rc = interpolate(s, here, file, name, sub, depth + 1, secret, out, err);
				free(name);
				if (rc)
					return rc;
				p = close + 1;
				continue;
			}
		}
		/* a URL may hold a password: never quote it */
		if (secret)
			return rt_error_set(err, RT_EXIT_ERROR,
					    "%s: key '%s': '%%' must be followed by '%%' or '(name)s'; write "
					    "'%%%%' for a literal percent sign (in a password too)", file, key);
		return rt_error_set(err, RT_EXIT_ERROR,
				    "%s: key '%s': '%%' must be followed by '%%' or '(name)s' in '%s'; write "
				    "'%%%%' for a literal percent sign", file, key, v);
	}
	return 0;
}

static int ini_get(const struct ini_section *s, const char *here, const char *file,
		   const char *key, int secret, char **out, struct rt_error *err)
{
	const char *raw = ini_raw(s, key);
	struct strbuf sb = STRBUF_INIT;
	*out = NULL;
	if (!raw)
		return 0;
	if (interpolate(s, here, file, key, raw, 0, secret, &sb, err)) {
		strbuf_release(&sb);
		return -1;
	}
	*out = strbuf_detach(&sb);
	return 0;
}

static char *dir_of(const char *path)
{
	char abs[PATH_MAX];
	const char *slash;
	if (!realpath(path, abs))
		snprintf(abs, sizeof(abs), "%s", path);
	slash = strrchr(abs, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == abs)
		return xstrdup("/");
	return xstrndup(abs, (size_t)(slash - abs));
}

/* Split version_locations by Alembic's version_path_separator rules;
 * -1 for a separator Alembic does not know. */
static int split_locations(struct strvec *out, const char *v, const char *sepname)
{
	char sep = 0;
	if (!sepname) {
		strvec_split_list(out, v); /* legacy: spaces and/or commas */
		return 0;
	}
	if (!strcmp(sepname, "os") || !strcmp(sepname, ":"))
		sep = ':';
	else if (!strcmp(sepname, ";"))
		sep = ';';
	else if (!strcmp(sepname, "space"))
		sep = ' ';
	else if (!strcmp(sepname, "newline"))
		sep = '\n';
	else if (!strcmp(sepname, ","))
		sep = ',';
	else
		return -1;
	const char *p = v;
	while (*p) {
		const char *e = strchr(p, sep);
		size_t n = e ? (size_t)(e - p) : strlen(p);
		while (n && (*p == ' ' || *p == '\t' || *p == '\n')) {
			p++;
			n--;
		}
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n'))
			n--;
		if (n)
			strvec_pushn(out, p, n);
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

/* A value from a file named by an environment variable (Docker secrets):
 * its first line, white space trimmed. */
static int read_value_file(const char *var, const char *path, char **out, struct rt_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	if (rt_read_file(path, &sb, 4095, err)) {
		rt_error_prefix(err, "%s", var);
		return -1;
	}
	char *b = sb.buf;
	while (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r')
		b++;
	size_t l = strcspn(b, "\r\n");
	while (l && (b[l - 1] == ' ' || b[l - 1] == '\t'))
		l--;
	if (!l) {
		strbuf_release(&sb);
		return rt_error_set(err, RT_EXIT_ERROR, "%s '%s' is empty", var, path);
	}
	*out = xstrndup(b, l);
	strbuf_release(&sb);
	return 0;
}

/* The next line of `text` from *p: its start and length (without the
 * line end); NULL at the end. */
static const char *next_line(const char **p, size_t *n)
{
	const char *b = *p;
	if (!*b)
		return NULL;
	const char *e = strchr(b, '\n');
	*n = e ? (size_t)(e - b) : strlen(b);
	*p = e ? e + 1 : b + *n;
	if (*n && b[*n - 1] == '\r')
		(*n)--;
	return b;
}

/* Does a line of the file open section [name]? */
static int has_section_line(const struct ini_section *s, const char *name)
{
	const char *p = s->text.buf, *l;
	size_t n, nl = strlen(name);
	while ((l = next_line(&p, &n))) {
		size_t k = strspn(l, " \t");
		if (k + nl + 2 <= n && l[k] == '[' && !strncmp(l + k + 1, name, nl) && l[k + 1 + nl] == ']')
			return 1;
	}
	return 0;
}

/*
 * configparser in its strict mode, as Alembic reads an ini, refuses a key
 * set twice in one section (names compared without case, as it folds
 * them) and a section opened twice; inih would join the second value to
 * the first as if it were a continuation line.  Only [want] and [DEFAULT]
 * are looked at: retort reads no other.
 */
static int duplicates(const struct ini_section *s, const char *path, struct rt_error *err)
{
	const char *p = s->text.buf, *l;
	struct strvec keys = STRVEC_INIT; /* "w:key" / "d:key", lower-cased */
	int *lines = NULL, opened[2] = { 0, 0 }, cur = -1, line = 0, rc = 0;
	size_t n, alloc = 0;
	while (!rc && (l = next_line(&p, &n))) {
		size_t k = strspn(l, " \t");
		line++;
		if (k == n || l[k] == '#' || l[k] == ';')
			continue;
		if (l[k] == '[') {
			const char *close = memchr(l + k, ']', n - k);
			size_t sl = close ? (size_t)(close - l - k - 1) : 0;
			const char *name = l + k + 1;
			cur = sl == strlen(s->want) && !strncmp(name, s->want, sl) ? 0
			      : sl == 7 && !strncmp(name, "DEFAULT", 7)          ? 1
										  : -1;
			if (cur >= 0 && opened[cur])
				rc = rt_error_set(err, RT_EXIT_ERROR, "%s:%d: section [%s] is opened a "
						  "second time (first at line %d); configparser, which "
						  "Alembic reads it with, refuses that too: merge them",
						  path, line, cur ? "DEFAULT" : s->want, opened[cur]);
			else if (cur >= 0)
				opened[cur] = line;
			continue;
		}
		if (cur < 0 || k > 0) /* another section's, or a continuation line */
			continue;
		size_t kl = strcspn(l, "=:");
		if (kl > n)
			kl = n;
		while (kl && (l[kl - 1] == ' ' || l[kl - 1] == '\t'))
			kl--;
		struct strbuf key = STRBUF_INIT;
		strbuf_addstr(&key, cur ? "d:" : "w:");
		for (size_t i = 0; i < kl; i++)
			strbuf_addch(&key, (char)tolower((unsigned char)l[i]));
		int at = strvec_find(&keys, key.buf);
		if (at >= 0) {
			rc = rt_error_set(err, RT_EXIT_ERROR, "%s:%d: key '%.*s' is set a second time in "
					  "[%s] (first at line %d); configparser, which Alembic reads it "
					  "with, refuses that too: keep one", path, line, (int)kl, l,
					  cur ? "DEFAULT" : s->want, lines[at]);
		} else {
			ALLOC_GROW(lines, keys.nr + 1, alloc);
			lines[keys.nr] = line;
			strvec_push(&keys, key.buf);
		}
		strbuf_release(&key);
	}
	strvec_clear(&keys);
	free(lines);
	return rc;
}

/* The largest config file read: far beyond any real alembic.ini. */
#define RT_MAX_CONFIG_FILE (16 << 20)

/*
 * inih reads a line into a buffer of a size fixed when it was built (200
 * bytes upstream), and hands a longer line on in pieces: a long
 * version_locations would lose its tail without a word.  Debian's libinih
 * makes the limits variables (RT_INIH_RUNTIME_LIMITS, found by the
 * Makefile), so the buffer is sized here to the file's longest line
 * (and inline "; comments", which configparser does not have, are off);
 * built against an inih without them, a line that does not fit is
 * refused with its number.  Either way a line is read whole or not at all.
 */
static int size_inih(const struct ini_section *s, const char *path, struct rt_error *err)
{
	const char *p = s->text.buf, *l;
	size_t n, longest = 0;
	int line = 0, longest_line = 0;
	while ((l = next_line(&p, &n))) {
		line++;
		if (n > longest) {
			longest = n;
			longest_line = line;
		}
	}
#ifdef RT_INIH_RUNTIME_LIMITS
	(void)path;
	(void)err;
	(void)longest_line;
	/* and, as Python's configparser (Alembic's), no inline comments:
	 * "version_path_separator = ;" is a semicolon */
	ini_allow_inline_comments = 0;
	ini_use_stack = 0;
	ini_allow_realloc = 1;
	ini_max_line = (int)longest + 3 > 200 ? (int)longest + 3 : 200;
	return 0;
#else
	if (longest + 3 > INI_MAX_LINE)
		return rt_error_set(err, RT_EXIT_ERROR, "%s:%d: this line is %zu characters long, and "
				    "the inih library retort was built with reads at most %d; shorten "
				    "it, or build retort against Debian's libinih, which has no such "
				    "limit", path, longest_line, longest, INI_MAX_LINE - 3);
	return 0;
#endif
}

/*
 * Find the config file: `path` if given (it must exist), else retort.ini,
 * else alembic.ini in the current directory, else none (returns 0 with
 * *found 0).  The section read is `name` (-n/--name) if given, else
 * [retort] in retort.ini, [alembic] in alembic.ini, and in an explicit
 * file [retort] when it has one, else [alembic].
 */
static int read_config_file(struct ini_section *s, const char *path, int explicit_file,
			    const char *name, const char **found, struct rt_error *err)
{
	*found = NULL;
	if (!path) {
		if (!access("retort.ini", F_OK))
			path = "retort.ini";
		else if (!access("alembic.ini", F_OK))
			path = "alembic.ini";
		else if (name)
			return rt_error_set(err, RT_EXIT_USAGE, "-n/--name '%s' names a config file "
					    "section, and there is no config file (retort.ini, "
					    "alembic.ini or -c)", name);
		else
			return 0;
	} else if (access(path, R_OK)) {
		return rt_error_set(err, explicit_file ? RT_EXIT_USAGE : RT_EXIT_ERROR,
				    "config file '%s' cannot be read; check the path given with -c or "
				    "RETORT_CONFIG", path);
	}
	if (rt_read_file(path, &s->text, RT_MAX_CONFIG_FILE, err))
		return -1;
	if (rt_text_check(path, s->text.buf, s->text.len, "a config file is text", err))
		return -1;
	if (size_inih(s, path, err))
		return -1;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	s->want = name ? name : strcmp(base, "alembic.ini") ? "retort" : "alembic";
	int line = ini_parse_string(s->text.buf, section_handler, s);
	if (line < 0)
		return rt_error_set(err, RT_EXIT_ERROR, "config file '%s' cannot be read (out of memory)",
				    path);
	if (line > 0)
		return rt_error_set(err, RT_EXIT_ERROR,
				    "%s:%d: malformed line; expected 'key = value', '[section]' or a "
				    "comment", path, line);
	if (!name && !s->seen && !strcmp(s->want, "retort") && !has_section_line(s, "retort")) {
		/* an explicitly named alembic-style file under another name */
		ini_section_reset(s);
		s->want = "alembic";
		ini_parse_string(s->text.buf, section_handler, s);
	}
	/* inih reports keys, not sections: a section holding only comments
	 * (Flask-Migrate's [alembic]) exists all the same */
	if (!s->seen && has_section_line(s, s->want))
		s->seen = 1;
	if (!s->seen && name)
		return rt_error_set(err, RT_EXIT_ERROR, "config file '%s' has no [%s] section (named "
				    "by -n/--name)", path, name);
	if (!s->seen)
		return rt_error_set(err, RT_EXIT_ERROR,
				    "config file '%s' has no [retort] or [alembic] section", path);
	if (duplicates(s, path, err))
		return -1;
	*found = path;
	return 0;
}

/* Everything a setting's value may come from, for resolve(). */
struct sources {
	const struct rt_config_flags *flags;
	rt_getenv_fn env;
	const struct ini_section *ini; /* NULL: no config file */
	const char *file, *here;
};

static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on", NULL };
	static const char *const no[] = { "0", "false", "no", "off", "", NULL };
	for (int i = 0; yes[i]; i++)
		if (!strcasecmp(v, yes[i]))
			return *out = 1, 0;
	for (int i = 0; no[i]; i++)
		if (!strcasecmp(v, no[i]))
			return *out = 0, 0;
	return -1;
}

/* "option '--x'", "RETORT_X" or "retort.ini: key 'x'": where a bad value came from. */
static void where(const struct rt_setting *st, enum rt_source src, const struct sources *in,
		  char *buf, size_t n)
{
	if (src == RT_SRC_FLAG)
		snprintf(buf, n, "option '--%s'", st->flag);
	else if (src == RT_SRC_ENV)
		snprintf(buf, n, "%s", st->env);
	else
		snprintf(buf, n, "%s: %s", in->file, st->ini);
}

/*
 * Turn the winning text of one setting into its field.  Errors say where
 * the bad value came from; a value from the command line or the
 * environment is a usage error, one from the file a configuration error.
 */
static int store(struct rt_config *c, const struct rt_setting *st, const char *v,
		 enum rt_source src, const struct sources *in, struct rt_error *err)
{
	char *at = (char *)c + st->off, *end, w[256];
	int code = src == RT_SRC_FILE ? RT_EXIT_ERROR : RT_EXIT_USAGE;
	where(st, src, in, w, sizeof(w));
	switch (st->type) {
	case RT_SETTING_STRING:
		free(*(char **)at);
		*(char **)at = xstrdup(v);
		return 0;
	case RT_SETTING_BOOL:
	case RT_SETTING_COUNT_:
		if (parse_bool(v, (int *)at))
			return rt_error_set(err, code, "%s takes true or false (1/0, yes/no, on/off), "
					    "not '%s'", w, v);
		return 0;
	case RT_SETTING_SECONDS: {
		double d = strtod(v, &end);
		if (!*v || *end || !(d >= 0) || d > 1e9) {
			if (src == RT_SRC_ENV)
				return rt_error_set(err, code, "%s must be a number of seconds, not '%s'", w, v);
			return rt_error_set(err, code, "%s takes a non-negative number, not '%s'", w, v);
		}
		*(double *)at = d;
		return 0;
	}
	case RT_SETTING_INT: {
		errno = 0;
		long n = strtol(v, &end, 10);
		if (!*v || *end || errno || n < st->min || n > st->max)
			return rt_error_set(err, code, "%s must be a positive integer of at most %ld, "
					    "not '%s'", w, st->max, v);
		*(int *)at = (int)n;
		return 0;
	}
	case RT_SETTING_COLOR:
		if (!strcmp(v, "auto"))
			*(int *)at = RT_COLOR_AUTO;
		else if (!strcmp(v, "always"))
			*(int *)at = RT_COLOR_ALWAYS;
		else if (!strcmp(v, "never"))
			*(int *)at = RT_COLOR_NEVER;
		else
			return rt_error_set(err, code, "%s takes auto, always or never, not '%s'", w, v);
		return 0;
	case RT_SETTING_LOCK:
		if (!strcmp(v, "advisory"))
			*(int *)at = RT_LOCK_ADVISORY;
		else if (!strcmp(v, "table"))
			*(int *)at = RT_LOCK_TABLE;
		else if (!strcmp(v, "none"))
			*(int *)at = RT_LOCK_NONE;
		else if (!strcmp(v, "auto"))
			*(int *)at = RT_LOCK_AUTO;
		else
			return rt_error_set(err, code, "%s takes advisory, table or none, not '%s'", w, v);
		return 0;
	default:
		return 0;
	}
}

/*
 * The text that wins for one setting, with its source: the flag, else
 * the environment (a variable naming a file counts too), else the config
 * file, else NULL.  An empty environment variable counts as unset.
 * `owned` receives what must be freed.
 */
static int pick(const struct rt_setting *st, const struct sources *in, const char **v,
		enum rt_source *src, char **owned, struct rt_error *err)
{
	const char *e;
	*v = NULL;
	*owned = NULL;
	if (st->flag && (st->type == RT_SETTING_BOOL || st->type == RT_SETTING_COUNT_)
	    && in->flags->count[st->id]) {
		*v = "1";
		*src = RT_SRC_FLAG;
		return 0;
	}
	if (in->flags->value[st->id]) {
		*v = in->flags->value[st->id];
		*src = RT_SRC_FLAG;
		return 0;
	}
	if (st->env && (e = in->env(st->env)) && *e) {
		*v = e;
		*src = RT_SRC_ENV;
		return 0;
	}
	if (st->env_file && (e = in->env(st->env_file)) && *e) {
		if (read_value_file(st->env_file, e, owned, err))
			return -1;
		*v = *owned;
		*src = RT_SRC_ENV;
		return 0;
	}
	if (in->ini && st->ini) {
		int secret = st->flags & RT_SETF_SECRET;
		if (ini_get(in->ini, in->here, in->file, st->ini, secret, owned, err))
			return -1;
		if (!*owned && st->ini_alt && ini_get(in->ini, in->here, in->file, st->ini_alt, secret,
						      owned, err))
			return -1;
		if (*owned) {
			*v = *owned;
			*src = RT_SRC_FILE;
		}
	}
	return 0;
}

/* Settings whose defaults depend on others, and the -x values. */
static int derive(struct rt_config *c, const struct rt_config_flags *flags, struct rt_error *err)
{
	if (!c->url) {
		c->url = xstrdup(RT_DEFAULT_URL);
		c->source[RT_SET_URL] = RT_SRC_DEFAULT;
	}
	c->url_source = c->source[RT_SET_URL];
	/* the heartbeat renews a lease every third of it: below a second is no lease */
	if (c->lock_lease < 1)
		return rt_error_set(err, c->source[RT_SET_LOCK_LEASE] == RT_SRC_FILE ? RT_EXIT_ERROR
				    : RT_EXIT_USAGE, "--lock-lease must be at least 1 second, not %g",
				    c->lock_lease);
	/* --wait alone waits the default time; an explicit timeout of 0 does not wait */
	if (c->wait && c->source[RT_SET_WAIT_TIMEOUT] == RT_SRC_DEFAULT)
		c->wait_timeout = RT_DEFAULT_WAIT_TIMEOUT;
	if (c->notify_url && !*c->notify_url) {
		/* an empty --notify turns the environment's webhook off */
		free(c->notify_url);
		c->notify_url = NULL;
	}
	if (c->schema_path && *c->schema_path) {
		c->schema_path_set = 1;
	} else {
		free(c->schema_path);
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s/schema.sql", c->script_location);
		c->schema_path = strbuf_detach(&sb);
	}
	if (!c->python || !*c->python) {
		free(c->python);
		c->python = xstrdup("python3");
	}
	if (c->timezone && !*c->timezone) {
		free(c->timezone);
		c->timezone = NULL;
	}
	if (!c->version_locations.nr) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s/versions", c->script_location);
		strvec_push(&c->version_locations, sb.buf);
		strbuf_release(&sb);
	}
	for (size_t i = 0; i < flags->xargs.nr; i++) {
		const char *kv = flags->xargs.v[i];
		const char *eq = strchr(kv, '=');
		if (!eq || eq == kv)
			return rt_error_set(err, RT_EXIT_USAGE, "-x takes KEY=VALUE, not '%s'", kv);
		strvec_pushn(&c->xkeys, kv, (size_t)(eq - kv));
		strvec_push(&c->xvals, eq + 1);
	}
	return 0;
}

/* Keys of Alembic's [alembic] section that retort reads nowhere but that
 * belong there (Python-side settings): accepted, and named by -v. */
static const char *const alembic_only_keys[] = {
	"revision_environment", "sourceless", "output_encoding", "hooks", "databases", NULL,
};

static size_t distance(const char *a, const char *b);

static int alembic_key(const char *k)
{
	/* the engine's options (sqlalchemy.echo, sqlalchemy.pool_size...),
	 * which env.py hands to engine_from_config; the URL is retort's, and
	 * a near miss of it (sqlalchemy.urll, .uri) is a typo to warn about */
	if (!strncmp(k, "sqlalchemy.", 11) && distance(k + 11, "url") > 2)
		return 1;
	for (int i = 0; alembic_only_keys[i]; i++)
		if (!strcmp(alembic_only_keys[i], k))
			return 1;
	return 0;
}

static int known_key(const char *k)
{
	for (int i = 0; i < RT_SET_COUNT; i++)
		if ((rt_settings[i].ini && !strcmp(rt_settings[i].ini, k)) ||
		    (rt_settings[i].ini_alt && !strcmp(rt_settings[i].ini_alt, k)))
			return 1;
	/* read only to find a package:path location (resolve_resources) */
	return alembic_key(k) || !strcmp(k, "prepend_sys_path");
}

/* Edit distance, for "did you mean"; keys are short, so the quadratic
 * table is tiny. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64];
	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/* The line that sets `key` ("key =" or "key:") in the section read, else
 * in [DEFAULT], or 0. */
static int key_line(const struct ini_section *s, const char *key)
{
	const char *p = s->text.buf, *l, *section = "";
	size_t n, kl = strlen(key), sl = 0;
	int line = 0, in_default = 0;
	while ((l = next_line(&p, &n))) {
		size_t k = strspn(l, " \t");
		line++;
		if (k < n && l[k] == '[') {
			const char *close = memchr(l + k, ']', n - k);
			section = l + k + 1;
			sl = close ? (size_t)(close - section) : 0;
			continue;
		}
		int want = sl == strlen(s->want) && !strncmp(section, s->want, sl);
		int dflt = sl == 7 && !strncmp(section, "DEFAULT", 7);
		if ((want || dflt) && k == 0 && kl < n && !strncmp(l, key, kl) && strchr("=: \t", l[kl])) {
			if (want)
				return line;
			if (!in_default)
				in_default = line;
		}
	}
	return in_default;
}

/* Is `key` read through "%(key)s" by a value of the section or of
 * [DEFAULT]?  Then it is used, though no setting reads it by name ("%%(" is
 * a literal '%' and then "(", not a reference). */
static int referenced(const struct ini_section *s, const char *key)
{
	const struct strvec *lists[2] = { &s->vals, &s->dvals };
	struct strbuf ref = STRBUF_INIT;
	int found = 0;
	strbuf_addf(&ref, "%%(%s)s", key);
	for (int l = 0; l < 2 && !found; l++)
		for (size_t i = 0; i < lists[l]->nr && !found; i++)
			for (const char *v = lists[l]->v[i]; *v && !found; v++) {
				if (*v == '%' && v[1] == '%') {
					v++;
					continue;
				}
				found = !strncmp(v, ref.buf, ref.len);
			}
	strbuf_release(&ref);
	return found;
}

/* Warn about keys of the section that no setting reads: a typo there
 * would otherwise quietly fall back to a default (the embedded database). */
static void unknown_keys(struct rt_config *c, const struct ini_section *s, const char *path)
{
	for (size_t i = 0; i < s->keys.nr; i++) {
		const char *k = s->keys.v[i], *near = NULL;
		size_t best = 3;
		if (!strcmp(k, "sourceless") && !strcmp(s->vals.v[i], "true")) {  /* Alembic's test */
			/* not a note: revisions Alembic would see could be missing */
			struct strbuf w = STRBUF_INIT;
			strbuf_addf(&w, "%s:%d: sourceless = true: retort reads .py sources only, so a "
				    "revision kept only as a .pyc file is not seen", path, key_line(s, k));
			strvec_push(&c->warnings, w.buf);
			strbuf_release(&w);
			continue;
		}
		if (alembic_key(k)) {
			struct strbuf note = STRBUF_INIT;
			strbuf_addf(&note, "%s:%d: '%s' is for Alembic's Python side; retort ignores it",
				    path, key_line(s, k), k);
			strvec_push(&c->notes, note.buf);
			strbuf_release(&note);
			continue;
		}
		if (known_key(k) || referenced(s, k))
			continue;
		for (int j = 0; j < RT_SET_COUNT; j++) {
			const char *cand = rt_settings[j].ini;
			size_t d = cand ? distance(k, cand) : 99;
			if (d < best || (d == best && !near && d < 3)) {
				best = d;
				near = cand;
			}
		}
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s:%d: unknown key '%s' in [%s] is ignored", path,
			    key_line(s, k), k, s->want);
		if (near)
			strbuf_addf(&sb, "; did you mean '%s'?", near);
		strvec_push(&c->warnings, sb.buf);
		strbuf_release(&sb);
	}
	if (s->others.nr) {
		/* [loggers], [handlers], [post_write_hooks], other environments... */
		struct strbuf note = STRBUF_INIT;
		strbuf_addf(&note, "%s: section%s ", path, s->others.nr > 1 ? "s" : "");
		for (size_t i = 0; i < s->others.nr; i++)
			strbuf_addf(&note, "%s[%s]", i ? ", " : "", s->others.v[i]);
		strbuf_addf(&note, " ignored (retort reads [%s] and [DEFAULT])", s->want);
		strvec_push(&c->notes, note.buf);
		strbuf_release(&note);
	}
}

/* Alembic's rule: a relative location with a colon is a package resource. */
static int is_resource(const char *v)
{
	return *v != '/' && strchr(v, ':');
}

/*
 * Where the project's Python finds package `pkg` (dotted), with the
 * folders of `syspath` first on sys.path as Alembic puts them: its first
 * folder.  -1 when Python cannot be run or cannot import the package.
 */
static int python_package_dir(const char *python, const char *pkg, const struct strvec *syspath,
			      struct strbuf *out)
{
	static const char find[] =
		"import importlib.util, sys\n"
		"sys.path[:0] = sys.argv[2:]\n"
		"s = importlib.util.find_spec(sys.argv[1])\n"
		"d = list(s.submodule_search_locations or []) if s else []\n"
		"print(d[0] if d else '')\n";
	struct strvec argv = STRVEC_INIT;
	struct rt_proc_result r;
	struct rt_error ignored = RT_ERROR_INIT;
	strvec_push(&argv, python);
	strvec_push(&argv, "-c");
	strvec_push(&argv, find);
	strvec_push(&argv, pkg);
	for (size_t i = 0; i < syspath->nr; i++)
		strvec_push(&argv, syspath->v[i]);
	rt_proc_result_init(&r);
	int rc = -1;
	if (!rt_proc_run((const char *const *)argv.v, NULL, &r, &ignored) && r.exited &&
	    !r.status) {
		strbuf_rtrim(&r.out);
		if (r.out.len && !strchr(r.out.buf, '\n')) {
			strbuf_addstr(out, r.out.buf);
			rc = 0;
		}
	}
	rt_proc_result_release(&r);
	strvec_clear(&argv);
	return rc;
}

/*
 * "pkg.sub:path/more", Alembic's package resource: the folder path/more
 * inside the Python package pkg.sub.  retort looks for the package first
 * without running Python, in the folders prepend_sys_path puts first on
 * sys.path (relative ones from the working directory, as Python takes
 * them), then in the working directory: where a project's own package is.
 * An installed package (site-packages, a virtualenv) is then asked of the
 * project's Python, with those folders first on its sys.path.
 */
static int resolve_resource(const char *key, const char *v, const struct strvec *syspath,
			    const char *python, const char *file, int line, char **out,
			    struct rt_error *err)
{
	const char *colon = strchr(v, ':');
	struct strbuf pkg = STRBUF_INIT, rest = STRBUF_INIT, cand = STRBUF_INIT;
	struct stat st;
	for (const char *p = v; p < colon; p++)
		strbuf_addch(&pkg, *p == '.' ? '/' : *p);
	for (const char *p = colon + 1; *p; p++)
		strbuf_addch(&rest, *p == ':' ? '/' : *p);
	*out = NULL;
	for (size_t i = 0; i < syspath->nr && !*out; i++) {
		strbuf_reset(&cand);
		strbuf_addf(&cand, "%s/%s", syspath->v[i], pkg.buf);
		if (!pkg.len || stat(cand.buf, &st) || !S_ISDIR(st.st_mode))
			continue;
		strbuf_addf(&cand, "/%s", rest.buf);
		*out = strbuf_detach(&cand);
	}
	int rc = 0;
	if (!*out && pkg.len) {
		/* an installed package: ask the project's Python where it is */
		struct strbuf dotted = STRBUF_INIT, dir = STRBUF_INIT;
		strbuf_add(&dotted, v, (size_t)(colon - v));
		if (!python_package_dir(python, dotted.buf, syspath, &dir)) {
			strbuf_addf(&dir, "/%s", rest.buf);
			*out = strbuf_detach(&dir);
		}
		strbuf_release(&dotted);
		strbuf_release(&dir);
	}
	if (!*out) {
		char *where = strvec_join(syspath, ", ");
		rc = rt_error_set(err, RT_EXIT_ERROR,
				  "%s:%d: %s '%s' names a folder of the Python package '%.*s', which is in "
				  "none of the prepend_sys_path folders nor the working directory (%s), "
				  "and which %s cannot import either; give the folder's path instead, "
				  "e.g. '%s = %%(here)s/...', or the project's Python with --python",
				  file ? file : "(no config file)", line, key, v, (int)(colon - v), v, where,
				  python, key);
		free(where);
	}
	strbuf_release(&pkg);
	strbuf_release(&rest);
	strbuf_release(&cand);
	return rc;
}

/* prepend_sys_path as Alembic splits it (commas, spaces, colons) into
 * c->python_path, then the working directory, which 'python -m alembic'
 * puts on sys.path last. */
static int read_sys_path(struct rt_config *c, const struct ini_section *ini,
			 const struct sources *in, struct rt_error *err)
{
	char *pp = NULL;
	if (in->ini && ini_get(ini, in->here, in->file, "prepend_sys_path", 0, &pp, err))
		return -1;
	for (const char *p = pp ? pp : ""; *p;) {
		size_t n = strcspn(p, ", :\t\n");
		if (n)
			strvec_pushn(&c->python_path, p, n);
		p += n;
		p += strspn(p, ", :\t\n");
	}
	free(pp);
	strvec_push(&c->python_path, ".");
	return 0;
}

/* Resolve package resources in script_location and version_locations. */
static int resolve_resources(struct rt_config *c, const struct ini_section *ini,
			     const struct sources *in, struct rt_error *err)
{
	int need = is_resource(c->script_location);
	for (size_t i = 0; i < c->version_locations.nr; i++)
		need |= is_resource(c->version_locations.v[i]);
	if (!need)
		return 0;
	const struct strvec *syspath = &c->python_path;
	const char *python = c->python && *c->python ? c->python : "python3";
	int rc = 0;
	char *r;
	if (is_resource(c->script_location)) {
		rc = resolve_resource("script_location", c->script_location, syspath, python, in->file,
				      in->ini ? key_line(ini, "script_location") : 0, &r, err);
		if (!rc) {
			free(c->script_location);
			c->script_location = r;
		}
	}
	for (size_t i = 0; i < c->version_locations.nr && !rc; i++) {
		if (!is_resource(c->version_locations.v[i]))
			continue;
		rc = resolve_resource("version_locations", c->version_locations.v[i], syspath, python,
				      in->file, in->ini ? key_line(ini, "version_locations") : 0, &r, err);
		if (!rc) {
			free(c->version_locations.v[i]);
			c->version_locations.v[i] = r;
		}
	}
	return rc;
}

int rt_config_load(struct rt_config *c, const struct rt_config_flags *flags, rt_getenv_fn env,
		   struct rt_error *err)
{
	struct ini_section ini;
	struct sources in = { .flags = flags, .env = env };
	const char *file = flags->value[RT_SET_CONFIG], *found = NULL, *e;
	const char *name = flags->value[RT_SET_NAME];
	char *here = NULL, *locations = NULL;
	int explicit_file = file != NULL, rc = -1;

	ini_section_init(&ini);
	if (name)
		c->source[RT_SET_NAME] = RT_SRC_FLAG;
	else if ((e = env("RETORT_NAME")) && *e)
		name = e, c->source[RT_SET_NAME] = RT_SRC_ENV;
	if (name && (!*name || strpbrk(name, "[]\n")))
		return rt_error_set(err, RT_EXIT_USAGE, "-n/--name takes a config file section name, "
				    "not '%s'", name);
	c->name = name ? xstrdup(name) : NULL;
	c->script_location = xstrdup(RT_DEFAULT_DIR);
	c->file_template = xstrdup(RT_DEFAULT_FILE_TEMPLATE);
	c->truncate_slug_length = 40;
	c->lock_timeout = 60;
	c->jobs = 4;
	c->lock_lease = RT_DEFAULT_LOCK_LEASE;

	if (!file && (e = env("RETORT_CONFIG")) && *e) {
		file = e;
		explicit_file = 1;
	}
	if (read_config_file(&ini, file, explicit_file, name, &found, err))
		goto out;
	if (found) {
		c->config_file = xstrdup(found);
		here = dir_of(found);
		in.ini = &ini;
		in.file = found;
		in.here = here;
		unknown_keys(c, &ini, found);
	}
	for (int i = 0; i < RT_SET_COUNT; i++) {
		const struct rt_setting *st = &rt_settings[i];
		enum rt_source src = RT_SRC_DEFAULT;
		const char *v;
		char *owned;
		if (i == RT_SET_CONFIG || i == RT_SET_XARGS || i == RT_SET_NAME || i == RT_SET_TARGET)
			continue;
		if (pick(st, &in, &v, &src, &owned, err))
			goto out;
		if (i == RT_SET_VERSION_LOCATIONS) {
			locations = owned;
			continue;
		}
		int bad = v && store(c, st, v, src, &in, err);
		free(owned);
		if (bad)
			goto out;
		if (v)
			c->source[i] = src;
	}
	/* a script directory from the command line or the environment brings
	 * its own versions/, whatever the file's version_locations say */
	if (locations && c->source[RT_SET_DIR] <= RT_SRC_FILE) {
		if (split_locations(&c->version_locations, locations, c->version_path_separator)) {
			rt_error_set(err, RT_EXIT_ERROR, "%s:%d: version_path_separator '%s' is not one of "
				     "'space', 'newline', 'os', ':', ';' (or ',')", found,
				     key_line(&ini, ini_raw(&ini, "version_path_separator")
						    ? "version_path_separator" : "path_separator"),
				     c->version_path_separator);
			goto out;
		}
		c->version_locations_set = c->version_locations.nr > 0;
	}
	if (read_sys_path(c, &ini, &in, err) || resolve_resources(c, &ini, &in, err))
		goto out;
	if (c->version_locations_set) {
		/* Alembic passes over a location that does not exist: so does
		 * retort, saying so, as a typo would otherwise hide revisions */
		struct strvec kept = STRVEC_INIT, real = STRVEC_INIT;
		struct stat st;
		for (size_t i = 0; i < c->version_locations.nr; i++) {
			const char *d = c->version_locations.v[i];
			char rp[PATH_MAX];
			if (realpath(d, rp)) {
				/* one folder named twice: Alembic reads its files once */
				if (strvec_find(&real, rp) < 0) {
					strvec_push(&real, rp);
					strvec_push(&kept, d);
				}
				continue;
			}
			if (!stat(d, &st) || errno != ENOENT) {
				strvec_push(&kept, d);
				continue;
			}
			strvec_push(&c->missing_version_locations, d);
			struct strbuf w = STRBUF_INIT;
			strbuf_addf(&w, "%s:%d: version location '%s' does not exist; skipped, as Alembic "
				    "does", found, key_line(&ini, "version_locations"), d);
			strvec_push(&c->warnings, w.buf);
			strbuf_release(&w);
		}
		strvec_clear(&c->version_locations);
		strvec_clear(&real);
		c->version_locations = kept;
	}
	/* Alembic's template placeholder, or nothing: not a database to use */
	if (c->source[RT_SET_URL] == RT_SRC_FILE && c->url &&
	    (!c->url[strspn(c->url, " \t")] || !strncmp(c->url, "driver://", 9))) {
		c->url_placeholder = *c->url ? 2 : 1;
		c->url_line = key_line(&ini, ini_raw(&ini, "sqlalchemy.url") ? "sqlalchemy.url" : "url");
	}
	/* An Alembic project whose ini names no database builds its URL in
	 * env.py, which retort does not run: its database is not the embedded
	 * default file, so say where to give it instead of migrating that */
	if (c->source[RT_SET_URL] == RT_SRC_DEFAULT && found && !strcmp(ini.want, "alembic"))
		c->url_placeholder = 3;
	for (size_t i = 0; i < flags->targets.nr; i++)
		strvec_push(&c->targets, flags->targets.v[i]);
	if (c->source[RT_SET_TARGET_LINES] == RT_SRC_FILE)
		c->targets_line = key_line(&ini, "targets");
	rc = derive(c, flags, err);
	if (!rc && !c->cache_dir) {
		/* the XDG base directory rule, as git and pip use it */
		const char *x = env("XDG_CACHE_HOME"), *home = env("HOME");
		struct strbuf sb = STRBUF_INIT;
		if (x && *x == '/')
			strbuf_addf(&sb, "%s/retort", x);
		else if (home && *home == '/')
			strbuf_addf(&sb, "%s/.cache/retort", home);
		c->cache_dir = sb.len ? strbuf_detach(&sb) : NULL;
		strbuf_release(&sb);
	}
out:
	free(here);
	free(locations);
	ini_section_release(&ini);
	return rc;
}

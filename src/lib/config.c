#include "config.h"
#include "strbuf.h"
#include "xalloc.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void rt_config_init(struct rt_config *c)
{
	memset(c, 0, sizeof(*c));
	strvec_init(&c->version_locations);
	strvec_init(&c->xkeys);
	strvec_init(&c->xvals);
}

void rt_config_release(struct rt_config *c)
{
	free(c->config_file);
	free(c->script_location);
	free(c->schema_path);
	strvec_clear(&c->version_locations);
	free(c->url);
	free(c->file_template);
	free(c->timezone);
	free(c->notify_url);
	strvec_clear(&c->xkeys);
	strvec_clear(&c->xvals);
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
	if (!strcmp(section, s->want)) {
		s->seen = 1;
		if (name)
			kv_set(&s->keys, &s->vals, name, value ? value : "");
	} else if (!strcmp(section, "DEFAULT") && name) {
		kv_set(&s->dkeys, &s->dvals, name, value ? value : "");
	}
	return 1;
}

static void ini_section_release(struct ini_section *s)
{
	strvec_clear(&s->keys);
	strvec_clear(&s->vals);
	strvec_clear(&s->dkeys);
	strvec_clear(&s->dvals);
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
		       const char *key, const char *v, int depth, struct strbuf *out,
		       struct rt_error *err)
{
	if (depth > 10)
		return rt_error_set(err, RT_EXIT_ERROR,
				    "%s: interpolation of '%s' is nested too deeply (a loop?)", file, key);
	for (const char *p = v; *p; p++) {
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
					rc = interpolate(s, here, file, name, sub, depth + 1, out, err);
				free(name);
				if (rc)
					return rc;
				p = close + 1;
				continue;
			}
		}
		return rt_error_set(err, RT_EXIT_ERROR,
				    "%s: key '%s': '%%' must be followed by '%%' or '(name)s' in '%s'; write "
				    "'%%%%' for a literal percent sign", file, key, v);
	}
	return 0;
}

static int ini_get(const struct ini_section *s, const char *here, const char *file,
		   const char *key, char **out, struct rt_error *err)
{
	const char *raw = ini_raw(s, key);
	struct strbuf sb = STRBUF_INIT;
	*out = NULL;
	if (!raw)
		return 0;
	if (interpolate(s, here, file, key, raw, 0, &sb, err)) {
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

/* Split version_locations by Alembic's version_path_separator rules. */
static void split_locations(struct strvec *out, const char *v, const char *sepname)
{
	char sep = 0;
	if (!sepname) {
		strvec_split_list(out, v); /* legacy: spaces and/or commas */
		return;
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
	else {
		strvec_split_list(out, v);
		return;
	}
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
}

/*
 * Read the config file: `path` if given (it must exist), else retort.ini,
 * else alembic.ini in the current directory, else nothing.  retort.ini
 * uses section [retort]; alembic.ini [alembic]; an explicit file uses
 * [retort] when it has one, else [alembic].
 */
static int read_config_file(struct rt_config *c, const char *path, int explicit_file,
			    struct rt_error *err)
{
	struct ini_section s = { 0 };
	char *here = NULL, *v = NULL;
	int rc = -1;

	strvec_init(&s.keys);
	strvec_init(&s.vals);
	strvec_init(&s.dkeys);
	strvec_init(&s.dvals);

	if (!path) {
		if (!access("retort.ini", F_OK))
			path = "retort.ini";
		else if (!access("alembic.ini", F_OK))
			path = "alembic.ini";
		else
			return 0;
	} else if (access(path, R_OK)) {
		return rt_error_set(err, explicit_file ? RT_EXIT_USAGE : RT_EXIT_ERROR,
				    "config file '%s' cannot be read; check the path given with -c or "
				    "RETORT_CONFIG", path);
	}

	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	s.want = strcmp(base, "alembic.ini") ? "retort" : "alembic";
	int line = ini_parse(path, section_handler, &s);
	if (line < 0) {
		rt_error_set(err, RT_EXIT_ERROR, "config file '%s' cannot be opened", path);
		goto out;
	}
	if (line > 0) {
		rt_error_set(err, RT_EXIT_ERROR,
			     "%s:%d: malformed line; expected 'key = value', '[section]' or a comment",
			     path, line);
		goto out;
	}
	if (!s.seen && !strcmp(s.want, "retort")) {
		/* an explicitly named alembic-style file under another name */
		ini_section_release(&s);
		s.want = "alembic";
		ini_parse(path, section_handler, &s);
	}
	if (!s.seen) {
		rt_error_set(err, RT_EXIT_ERROR,
			     "config file '%s' has no [retort] or [alembic] section", path);
		goto out;
	}
	c->config_file = xstrdup(path);
	here = dir_of(path);

	if (ini_get(&s, here, path, "script_location", &v, err))
		goto out;
	if (v) {
		free(c->script_location);
		c->script_location = v;
	}
	if (ini_get(&s, here, path, "sqlalchemy.url", &v, err))
		goto out;
	if (!v && ini_get(&s, here, path, "url", &v, err))
		goto out;
	if (v && *v) {
		free(c->url);
		c->url = v;
		c->url_source = RT_SRC_FILE;
	} else {
		free(v);
	}
	if (ini_get(&s, here, path, "schema", &v, err))
		goto out;
	if (v && *v) {
		free(c->schema_path);
		c->schema_path = v;
		c->schema_path_set = 1;
	} else {
		free(v);
	}
	if (ini_get(&s, here, path, "file_template", &v, err))
		goto out;
	if (v) {
		free(c->file_template);
		c->file_template = v;
	}
	if (ini_get(&s, here, path, "truncate_slug_length", &v, err))
		goto out;
	if (v) {
		char *end;
		long n = strtol(v, &end, 10);
		if (*end || n <= 0 || n > 1000) {
			rt_error_set(err, RT_EXIT_ERROR,
				     "%s: truncate_slug_length must be a positive integer, not '%s'", path, v);
			free(v);
			goto out;
		}
		c->truncate_slug_length = (int)n;
		free(v);
	}
	if (ini_get(&s, here, path, "timezone", &v, err))
		goto out;
	if (v && *v)
		c->timezone = v;
	else
		free(v);
	char *sepname = NULL;
	if (ini_get(&s, here, path, "version_path_separator", &sepname, err))
		goto out;
	if (!sepname && ini_get(&s, here, path, "path_separator", &sepname, err))
		goto out;
	if (ini_get(&s, here, path, "version_locations", &v, err)) {
		free(sepname);
		goto out;
	}
	if (v) {
		split_locations(&c->version_locations, v, sepname);
		c->version_locations_set = c->version_locations.nr > 0;
		free(v);
	}
	free(sepname);
	rc = 0;
out:
	free(here);
	ini_section_release(&s);
	return rc;
}

/* The URL from a file (first line, white space trimmed). */
static int read_url_file(struct rt_config *c, const char *path, struct rt_error *err)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	if (!f)
		return rt_error_set(err, RT_EXIT_ERROR,
				    "DATABASE_URL_FILE '%s' cannot be read: %s", path, strerror(errno));
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *b = buf;
	while (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r')
		b++;
	size_t l = strcspn(b, "\r\n");
	while (l && (b[l - 1] == ' ' || b[l - 1] == '\t'))
		l--;
	if (!l)
		return rt_error_set(err, RT_EXIT_ERROR, "DATABASE_URL_FILE '%s' is empty", path);
	free(c->url);
	c->url = xstrndup(b, l);
	return 0;
}

/* --wait, --wait-timeout and RETORT_WAIT_TIMEOUT; --notify and RETORT_NOTIFY_URL. */
static int wait_and_notify(struct rt_config *c, const struct rt_config_flags *flags,
			   rt_getenv_fn env, struct rt_error *err)
{
	const char *e;
	if ((e = env("RETORT_WAIT_TIMEOUT")) && *e) {
		char *end;
		double t = strtod(e, &end);
		if (*end || t < 0 || t != t)
			return rt_error_set(err, RT_EXIT_USAGE, "RETORT_WAIT_TIMEOUT must be a number "
					    "of seconds, not '%s'", e);
		c->wait_timeout = t;
	}
	if (flags->wait && c->wait_timeout <= 0)
		c->wait_timeout = RT_DEFAULT_WAIT_TIMEOUT;
	if (flags->wait_timeout_set) {
		if (flags->wait_timeout < 0)
			return rt_error_set(err, RT_EXIT_USAGE, "--wait-timeout must not be negative");
		c->wait_timeout = flags->wait_timeout;
	}
	if (flags->notify_url)
		c->notify_url = *flags->notify_url ? xstrdup(flags->notify_url) : NULL;
	else if ((e = env("RETORT_NOTIFY_URL")) && *e)
		c->notify_url = xstrdup(e);
	return 0;
}

int rt_config_load(struct rt_config *c, const struct rt_config_flags *flags, rt_getenv_fn env,
		   struct rt_error *err)
{
	const char *file = flags->config_file;
	int explicit_file = file != NULL;
	const char *e;

	c->script_location = xstrdup(RT_DEFAULT_DIR);
	c->file_template = xstrdup(RT_DEFAULT_FILE_TEMPLATE);
	c->truncate_slug_length = 40;
	c->quiet = flags->quiet;
	c->verbose = flags->verbose;

	if (!file && (e = env("RETORT_CONFIG")) && *e) {
		file = e;
		explicit_file = 1;
	}
	if (read_config_file(c, file, explicit_file, err))
		return -1;

	if ((e = env("RETORT_DIR")) && *e) {
		free(c->script_location);
		c->script_location = xstrdup(e);
		strvec_clear(&c->version_locations);
		c->version_locations_set = 0;
	}
	if ((e = env("DATABASE_URL")) && *e) {
		free(c->url);
		c->url = xstrdup(e);
		c->url_source = RT_SRC_ENV;
	} else if ((e = env("DATABASE_URL_FILE")) && *e) {
		/* Docker secrets: a file holding the URL */
		if (read_url_file(c, e, err))
			return -1;
		c->url_source = RT_SRC_ENV;
	}
	if (flags->dir) {
		free(c->script_location);
		c->script_location = xstrdup(flags->dir);
		strvec_clear(&c->version_locations);
		c->version_locations_set = 0;
	}
	if (flags->url) {
		free(c->url);
		c->url = xstrdup(flags->url);
		c->url_source = RT_SRC_FLAG;
	}
	if (!c->url) {
		c->url = xstrdup(RT_DEFAULT_URL);
		c->url_source = RT_SRC_DEFAULT;
	}
	if (wait_and_notify(c, flags, env, err))
		return -1;
	if (flags->schema_path || ((e = env("RETORT_SCHEMA")) && *e)) {
		free(c->schema_path);
		c->schema_path = xstrdup(flags->schema_path ? flags->schema_path : e);
		c->schema_path_set = 1;
	}
	if (!c->schema_path) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s/schema.sql", c->script_location);
		c->schema_path = strbuf_detach(&sb);
	}
	if ((e = env("RETORT_REQUIRE_URL")) && (!strcmp(e, "1") || !strcasecmp(e, "true")))
		c->require_url = 1;
	if (!c->version_locations.nr) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s/versions", c->script_location);
		strvec_push(&c->version_locations, sb.buf);
		strbuf_release(&sb);
	}
	if (flags->xargs) {
		for (size_t i = 0; i < flags->xargs->nr; i++) {
			const char *kv = flags->xargs->v[i];
			const char *eq = strchr(kv, '=');
			if (!eq || eq == kv)
				return rt_error_set(err, RT_EXIT_USAGE,
						    "-x takes KEY=VALUE, not '%s'", kv);
			strvec_pushn(&c->xkeys, kv, (size_t)(eq - kv));
			strvec_push(&c->xvals, eq + 1);
		}
	}
	return 0;
}

/*
 * Database URLs: one parser, and a masker that hides exactly what the
 * parser takes as the password (see url.h).
 */
#include "url.h"
#include "strbuf.h"
#include "xalloc.h"

#include <ctype.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

void rt_url_init(struct rt_url *u)
{
	memset(u, 0, sizeof(*u));
	strvec_init(&u->qkeys);
	strvec_init(&u->qvals);
}

void rt_url_release(struct rt_url *u)
{
	free(u->backend);
	free(u->driver);
	free(u->user);
	free(u->password);
	free(u->host);
	free(u->port);
	free(u->path);
	strvec_clear(&u->qkeys);
	strvec_clear(&u->qvals);
	rt_url_init(u);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* A deep copy, so a URL parsed once can be handed on and changed (a
 * scratch database's name) without parsing its text again. */
void rt_url_copy(struct rt_url *dst, const struct rt_url *src)
{
	rt_url_init(dst);
	dst->backend = dup_or_null(src->backend);
	dst->driver = dup_or_null(src->driver);
	dst->user = dup_or_null(src->user);
	dst->password = dup_or_null(src->password);
	dst->host = dup_or_null(src->host);
	dst->port = dup_or_null(src->port);
	dst->path = dup_or_null(src->path);
	dst->memory = src->memory;
	for (size_t i = 0; i < src->qkeys.nr; i++) {
		strvec_push(&dst->qkeys, src->qkeys.v[i]);
		strvec_push(&dst->qvals, src->qvals.v[i]);
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decode s[0..n) into a new string; -1 on a bad escape. */
static char *pct_decode(const char *s, size_t n, int *bad)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int h, l;
			if (i + 2 >= n) {
				*bad = 1;
				break;
			}
			h = hexval((unsigned char)s[i + 1]);
			l = hexval((unsigned char)s[i + 2]);
			if (h < 0 || l < 0) {
				*bad = 1;
				break;
			}
			strbuf_addch(&sb, (char)(h * 16 + l));
			i += 2;
		} else {
			strbuf_addch(&sb, s[i]);
		}
	}
	return strbuf_detach(&sb);
}

static int parse_query(struct rt_url *u, const char *q, const char *raw, struct rt_error *err)
{
	while (*q) {
		const char *amp = strchr(q, '&');
		size_t n = amp ? (size_t)(amp - q) : strlen(q);
		const char *eq = memchr(q, '=', n);
		int bad = 0;
		if (n) {
			size_t kn = eq ? (size_t)(eq - q) : n;
			char *k = pct_decode(q, kn, &bad);
			char *v = eq ? pct_decode(eq + 1, n - kn - 1, &bad) : xstrdup("");
			strvec_push(&u->qkeys, k);
			strvec_push(&u->qvals, v);
			free(k);
			free(v);
			if (bad) {
				char *m = rt_url_mask(raw);
				rt_error_set(err, RT_EXIT_USAGE, "bad percent-escape in the query of database url '%s'", m);
				free(m);
				return -1;
			}
		}
		q += n;
		if (*q == '&')
			q++;
	}
	return 0;
}

/*
 * Where the userinfo of "scheme://REST" ends, the way SQLAlchemy reads
 * it: a user name (no ':', '/', '?' or '#' in it), optionally ':' and a
 * password that may hold any character, then '@'.  The last '@' that
 * makes such a user name wins, so a password may hold '@', '/', '?' and
 * '#' unescaped; an '@' in the query (options=...) is not taken for the
 * end of the userinfo.  Returns the offset of that '@' in rest (or -1: no userinfo)
 * and, in *colon, the offset of the ':' before the password (or -1).
 * The parser and the masker both use this, so what is masked is exactly
 * what is parsed as the password.
 */
static long split_userinfo(const char *rest, size_t n, long *colon)
{
	size_t user = strcspn(rest, ":/?#@");
	/* a user name alone, or one followed by ':' and the password */
	if (user >= n || (rest[user] != ':' && rest[user] != '@'))
		return *colon = -1, -1;
	/* first the last '@' with no '?' before it, so that "?options=a@b"
	 * stays in the query; then, for a password holding '?', the last '@'
	 * that a database path follows ("...@host/db"), else the last '@' */
	for (long at = (long)n - 1; at >= (long)user; at--)
		if (rest[at] == '@' && !memchr(rest, '?', (size_t)at))
			return *colon = rest[user] == ':' ? (long)user : -1, at;
	if (rest[user] == ':') {
		long last = -1;
		for (long at = (long)n - 1; at > (long)user; at--) {
			if (rest[at] != '@')
				continue;
			if (last < 0)
				last = at;
			size_t host = strcspn(rest + at + 1, "/?@");
			if (rest[at + 1 + host] == '/')
				return *colon = (long)user, at;
		}
		if (last >= 0)
			return *colon = (long)user, last;
	}
	return *colon = -1, -1;
}

/*
 * Split scheme://[user[:password]@][host][:port][/path][?query].  SQLite
 * URLs keep everything after "://" up to '?' as the path, minus the first
 * slash, which is how "sqlite:////abs.db" names "/abs.db".
 */
int rt_url_parse(struct rt_url *u, const char *s, struct rt_error *err)
{
	const char *sep = strstr(s, "://");
	char *masked = rt_url_mask(s);
	int bad = 0;

	rt_url_init(u);
	if (!sep || sep == s) {
		rt_error_set(err, RT_EXIT_USAGE,
			     "database url '%s' has no scheme; expected e.g. 'sqlite:///app.db' or "
			     "'postgresql://user@host/db'", masked);
		goto fail;
	}
	char *scheme = xstrndup(s, (size_t)(sep - s));
	for (char *p = scheme; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	char *plus = strchr(scheme, '+');
	if (plus) {
		u->driver = xstrdup(plus + 1);
		*plus = '\0';
	}
	if (!strcmp(scheme, "sqlite") || !strcmp(scheme, "sqlite3")) {
		u->backend = xstrdup("sqlite");
	} else if (!strcmp(scheme, "postgresql") || !strcmp(scheme, "postgres") ||
		   !strcmp(scheme, "pgsql")) {
		u->backend = xstrdup("postgresql");
	} else if (!strcmp(scheme, "mysql") || !strcmp(scheme, "mariadb")) {
		/* one driver for both servers; mysql+pymysql, mariadb+mariadbconnector... */
		u->backend = xstrdup("mysql");
	} else {
		rt_error_set(err, RT_EXIT_USAGE,
			     "unsupported database url scheme '%s' in '%s'; use 'sqlite:///FILE', "
			     "'postgresql://...' or 'mysql://...'", scheme, masked);
		free(scheme);
		goto fail;
	}
	free(scheme);

	const char *rest = sep + 3;
	if (!strcmp(u->backend, "sqlite")) {
		const char *qmark = strchr(rest, '?');
		size_t restlen = qmark ? (size_t)(qmark - rest) : strlen(rest);
		if (qmark && parse_query(u, qmark + 1, s, err))
			goto fail;
		/* sqlite://  or sqlite:///:memory: is in memory; the host part must be empty */
		if (restlen == 0) {
			u->memory = 1;
			u->path = xstrdup("");
		} else if (rest[0] != '/') {
			rt_error_set(err, RT_EXIT_USAGE,
				     "sqlite url '%s' names a host; use 'sqlite:///relative.db' (three slashes) "
				     "or 'sqlite:////absolute.db' (four)", masked);
			goto fail;
		} else {
			u->path = pct_decode(rest + 1, restlen - 1, &bad);
			if (!*u->path || !strcmp(u->path, ":memory:"))
				u->memory = 1;
		}
	} else {
		/* the userinfo may hold '/', '?' and '#': find it before the path and query */
		long colon, at = split_userinfo(rest, strlen(rest), &colon);
		const char *hostp = rest;
		if (at >= 0) {
			if (colon >= 0) {
				u->user = pct_decode(rest, (size_t)colon, &bad);
				u->password = pct_decode(rest + colon + 1, (size_t)(at - colon - 1), &bad);
			} else {
				u->user = pct_decode(rest, (size_t)at, &bad);
			}
			hostp = rest + at + 1;
		}
		size_t hostlen = strcspn(hostp, "?");
		const char *end = hostp + hostlen;
		if (*end == '?' && parse_query(u, end + 1, s, err))
			goto fail;
		const char *slash = memchr(hostp, '/', hostlen);
		const char *auth_end = slash ? slash : end;
		const char *hend = auth_end;
		const char *pcolon = NULL;
		if (hostp < hend && *hostp == '[') {
			const char *rb = memchr(hostp, ']', (size_t)(hend - hostp));
			if (!rb) {
				rt_error_set(err, RT_EXIT_USAGE, "the IPv6 address in database url '%s' has "
					     "no closing ']'", masked);
				goto fail;
			}
			{
				u->host = xstrndup(hostp + 1, (size_t)(rb - hostp - 1));
				if (rb + 1 < hend && rb[1] == ':')
					pcolon = rb + 1;
			}
		} else {
			pcolon = memchr(hostp, ':', (size_t)(hend - hostp));
			size_t hl = pcolon ? (size_t)(pcolon - hostp) : (size_t)(hend - hostp);
			if (hl)
				u->host = pct_decode(hostp, hl, &bad);
		}
		if (pcolon) {
			u->port = xstrndup(pcolon + 1, (size_t)(hend - pcolon - 1));
			for (const char *p = u->port; *p; p++)
				if (!isdigit((unsigned char)*p)) {
					rt_error_set(err, RT_EXIT_USAGE, "the port in database url '%s' is "
						     "not a number", masked);
					goto fail;
				}
		}
		if (slash && slash + 1 < end)
			u->path = pct_decode(slash + 1, (size_t)(end - slash - 1), &bad);
	}
	if (bad) {
		rt_error_set(err, RT_EXIT_USAGE, "bad percent-escape in database url '%s'", masked);
		goto fail;
	}
	free(masked);
	return 0;
fail:
	free(masked);
	rt_url_release(u);
	return -1;
}

const char *rt_url_query(const struct rt_url *u, const char *key)
{
	int i = strvec_find(&u->qkeys, key);
	return i < 0 ? NULL : u->qvals.v[i];
}

/* `p` with its folder resolved (symbolic links, "..", the working
 * directory); as given when the folder cannot be resolved. */
static char *resolved_path(const char *p)
{
	const char *slash = strrchr(p, '/');
	char *dir = slash ? xstrndup(p, slash == p ? 1 : (size_t)(slash - p)) : xstrdup(".");
	char *real = realpath(dir, NULL);
	struct strbuf sb = STRBUF_INIT;
	if (real)
		strbuf_addf(&sb, "%s/%s", strcmp(real, "/") ? real : "", slash ? slash + 1 : p);
	else
		strbuf_addstr(&sb, p);
	free(real);
	free(dir);
	return strbuf_detach(&sb);
}

static int same_sqlite_file(const struct rt_url *a, const struct rt_url *b)
{
	struct stat sa, sb;
	if (a->memory || b->memory)
		return 0;
	if (!stat(a->path, &sa) && !stat(b->path, &sb))
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	char *ra = resolved_path(a->path), *rb = resolved_path(b->path);
	int same = !strcmp(ra, rb);
	free(ra);
	free(rb);
	return same;
}

/* The first of `v` that is given and not empty, else NULL. */
static const char *first_given(const char *const *v, int n)
{
	for (int i = 0; i < n; i++)
		if (v[i] && *v[i])
			return v[i];
	return NULL;
}
#define FIRST_GIVEN(...) first_given((const char *const[]){ __VA_ARGS__ }, \
				     (int)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(char *)))

/* This machine, however a URL spells it: no host (the default socket), a
 * socket folder, or the loopback addresses. */
static int is_this_machine(const char *host)
{
	return !host || !*host || *host == '/' || *host == '@' || !strcasecmp(host, "localhost") ||
	       !strcmp(host, "127.0.0.1") || !strcmp(host, "::1");
}

/* Host, port and database of a server URL, filled in as the client
 * library does where the URL leaves them out. */
struct server_id {
	const char *host, *db;
	long port;
};

static struct server_id server_id(const struct rt_url *u)
{
	struct server_id id;
	const char *port;
	if (!strcmp(u->backend, "postgresql")) {
		const struct passwd *pw = getpwuid(geteuid());
		/* a query parameter wins over the part of the URL, as in db/pg.c */
		const char *user = FIRST_GIVEN(rt_url_query(u, "user"), u->user, getenv("PGUSER"),
					       pw ? pw->pw_name : NULL);
		id.host = FIRST_GIVEN(rt_url_query(u, "host"), u->host, getenv("PGHOST"));
		port = FIRST_GIVEN(rt_url_query(u, "port"), u->port, getenv("PGPORT"), "5432");
		id.db = FIRST_GIVEN(rt_url_query(u, "dbname"), u->path, getenv("PGDATABASE"), user);
	} else {
		id.host = rt_url_query(u, "unix_socket") ? NULL : FIRST_GIVEN(u->host, getenv("MYSQL_HOST"));
		port = FIRST_GIVEN(u->port, getenv("MYSQL_TCP_PORT"), "3306");
		id.db = u->path;
	}
	id.port = strtol(port, NULL, 10);
	if (!id.db)
		id.db = "";
	return id;
}

int rt_url_same_database(const struct rt_url *a, const struct rt_url *b)
{
	if (strcmp(a->backend, b->backend))
		return 0;
	if (!strcmp(a->backend, "sqlite"))
		return same_sqlite_file(a, b);
	struct server_id x = server_id(a), y = server_id(b);
	int same_host = is_this_machine(x.host) ? is_this_machine(y.host)
		: y.host && !strcasecmp(x.host, y.host);
	return same_host && x.port == y.port && !strcmp(x.db, y.db);
}

/*
 * Does `p` (just after '?' or '&') start a password parameter?  The key is
 * compared as the parser will see it, percent-decoded and in any case
 * ("%70assword=" is "password=").  Returns the length of "KEY=", or 0.
 */
static size_t password_param(const char *p)
{
	static const char want[] = "password";
	size_t i = 0, k = 0;
	while (p[i] && p[i] != '=' && p[i] != '&') {
		int c = (unsigned char)p[i];
		if (c == '%' && hexval((unsigned char)p[i + 1]) >= 0 && hexval((unsigned char)p[i + 2]) >= 0) {
			c = hexval((unsigned char)p[i + 1]) * 16 + hexval((unsigned char)p[i + 2]);
			i += 3;
		} else {
			i++;
		}
		if (k >= sizeof(want) - 1 || tolower(c) != want[k])
			return 0;
		k++;
	}
	return k == sizeof(want) - 1 && p[i] == '=' ? i + 1 : 0;
}

char *rt_url_mask(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	const char *sep = strstr(s, "://");
	const char *p = s;
	/* the userinfo as the parser splits it; without "://" (a malformed
	 * URL about to be quoted in an error) the same split of the whole */
	const char *rest = sep ? sep + 3 : s;
	long colon, at = split_userinfo(rest, strlen(rest), &colon);
	if (at >= 0 && colon >= 0) {
		strbuf_add(&sb, s, (size_t)(rest + colon + 1 - s));
		strbuf_addstr(&sb, "***");
		p = rest + at;
	}
	/* copy the rest, masking password=... query parameters up to the next
	 * '&', where the query parser ends them */
	while (*p) {
		size_t key;
		if ((*p == '?' || *p == '&') && (key = password_param(p + 1))) {
			strbuf_addch(&sb, *p);
			strbuf_add(&sb, p + 1, key);
			strbuf_addstr(&sb, "***");
			p += 1 + key;
			while (*p && *p != '&')
				p++;
			continue;
		}
		strbuf_addch(&sb, *p++);
	}
	return strbuf_detach(&sb);
}

/*
 * "scheme://host:port", then "/..." when anything followed.  The userinfo
 * is dropped as the parser splits it (split_userinfo), so a password
 * holding a raw '/', '?' or '#' is dropped whole with it, never cut at the
 * first of those and shown in part.
 */
char *rt_url_origin(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	const char *sep = strstr(s, "://");
	if (!sep) {
		strbuf_addstr(&sb, "(a webhook)");
		return strbuf_detach(&sb);
	}
	const char *rest = sep + 3;
	long colon, at = split_userinfo(rest, strlen(rest), &colon);
	const char *host = at >= 0 ? rest + at + 1 : rest;
	size_t hlen = strcspn(host, "/?#");
	strbuf_add(&sb, s, (size_t)(rest - s));
	strbuf_add(&sb, host, hlen);
	if (host[hlen])
		strbuf_addstr(&sb, "/...");
	return strbuf_detach(&sb);
}

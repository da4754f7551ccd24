/*
 * Database URLs, in SQLAlchemy's spelling so alembic.ini files carry over:
 *   sqlite:///relative.db   sqlite:////absolute.db   sqlite://  (in memory)
 *   sqlite+pysqlite:///x.db  postgresql+psycopg2://user:pw@host:5432/db?k=v
 *   mysql+pymysql://user:pw@host:3306/db?charset=utf8mb4  (mariadb:// too)
 * The "+driver" suffix is accepted and dropped.  Every component is
 * percent-decoded.  Passwords must never be printed: use rt_url_mask().
 */
#ifndef RT_URL_H
#define RT_URL_H

#include "error.h"
#include "strvec.h"

struct rt_url {
	char *backend;   /* "sqlite", "postgresql" or "mysql" (mysql:// and mariadb://) */
	char *driver;    /* the SQLAlchemy "+driver" suffix, or NULL */
	char *user, *password, *host, *port;
	char *path;      /* sqlite: file path ("" for memory); others: database name */
	int memory;      /* sqlite in-memory database */
	struct strvec qkeys, qvals;
};

void rt_url_init(struct rt_url *u);
void rt_url_release(struct rt_url *u);
int rt_url_parse(struct rt_url *u, const char *s, struct rt_error *err);
/* `dst` (not yet initialised) becomes a copy of `src` owning its strings. */
void rt_url_copy(struct rt_url *dst, const struct rt_url *src);
/* A copy of `s` with any password replaced by "***" (also password=... query
 * parameters).  Safe on malformed input. */
char *rt_url_mask(const char *s);
/* "scheme://host:port/..." of any URL: no credentials, no path (a webhook's
 * path is often its secret).  For naming a URL in messages. */
char *rt_url_origin(const char *s);
const char *rt_url_query(const struct rt_url *u, const char *key);

/*
 * Do `a` and `b` name the same database?  1: surely; 0: not by their
 * names (two server URLs may still reach one database two ways, through
 * another host name or a proxy: only connecting to both can tell).
 *   SQLite: the same file, by device and inode (a relative path is
 *   resolved against the working directory, as SQLite and SQLAlchemy do);
 *   when either file does not exist yet, the same path once its folder is
 *   resolved.  A database in memory is never the same as another.
 *   PostgreSQL, MySQL: the same backend, port and database, and the same
 *   host or both this machine (no host, a socket folder, localhost,
 *   127.0.0.1, ::1), each part filled in where the URL leaves it out as
 *   the client library does (PGHOST, PGPORT, PGDATABASE, PGUSER, the login
 *   name; MYSQL_HOST, MYSQL_TCP_PORT; ports 5432, 3306).
 */
int rt_url_same_database(const struct rt_url *a, const struct rt_url *b);

#endif

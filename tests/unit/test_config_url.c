/* Unit tests of configuration precedence and ini interpolation
 * (lib/config.c) and of database URL parsing and masking (lib/url.c). */
#include "unit.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/strbuf.h"

#include "lib/config.h"
#include "lib/url.h"

static const char *fake_env[16][2];

static const char *env(const char *name)
{
	for (int i = 0; fake_env[i][0]; i++)
		if (!strcmp(fake_env[i][0], name))
			return fake_env[i][1];
	return NULL;
}

static char tmpdir[256], olddir[1024];

static int enter_tmp(void **state)
{
	(void)state;
	memset(fake_env, 0, sizeof(fake_env));
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/retort-unit-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	assert_non_null(getcwd(olddir, sizeof(olddir)));
	assert_int_equal(chdir(tmpdir), 0);
	return 0;
}

static int leave_tmp(void **state)
{
	(void)state;
	unlink("retort.ini");
	unlink("alembic.ini");
	unlink("other.ini");
	assert_int_equal(chdir(olddir), 0);
	rmdir(tmpdir);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void defaults(void **state)
{
	(void)state;
	struct rt_config c;
	struct rt_config_flags f = { 0 };
	struct rt_error err = RT_ERROR_INIT;
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), 0);
	assert_string_equal(c.script_location, "migrations");
	assert_string_equal(c.url, "sqlite:///app.db");
	assert_int_equal(c.url_source, RT_SRC_DEFAULT);
	assert_string_equal(c.version_locations.v[0], "migrations/versions");
	assert_string_equal(c.file_template, "%(rev)s_%(slug)s");
	assert_int_equal(c.truncate_slug_length, 40);
	rt_config_release(&c);
}

static void alembic_ini_interpolation(void **state)
{
	(void)state;
	struct rt_config c;
	struct rt_config_flags f = { 0 };
	struct rt_error err = RT_ERROR_INIT;
	write_file("alembic.ini", "[DEFAULT]\nproj = shop\n[alembic]\nscript_location = %(here)s/db\n"
				  "sqlalchemy.url = sqlite:///%(proj)s.db\n"
				  "file_template = %%(year)d_%%(rev)s_%%(slug)s\ntruncate_slug_length = 12\n"
				  "version_locations = %(here)s/a %(here)s/b %(here)s/missing\n");
	assert_int_equal(mkdir("a", 0700), 0);
	assert_int_equal(mkdir("b", 0700), 0);
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), 0);
	rmdir("a");
	rmdir("b");
	char expect[4200], real[4096];
	assert_non_null(realpath(tmpdir, real));
	snprintf(expect, sizeof(expect), "%s/db", real);
	assert_string_equal(c.script_location, expect);
	assert_string_equal(c.url, "sqlite:///shop.db");
	assert_int_equal(c.url_source, RT_SRC_FILE);
	assert_string_equal(c.file_template, "%(year)d_%(rev)s_%(slug)s");
	assert_int_equal(c.truncate_slug_length, 12);
	/* a location that does not exist is passed over, as Alembic does, with a warning */
	assert_int_equal(c.version_locations.nr, 2);
	assert_int_equal(c.warnings.nr, 1);
	assert_non_null(strstr(c.warnings.v[0], "alembic.ini:8: version location '"));
	assert_non_null(strstr(c.warnings.v[0], "/missing' does not exist; skipped, as Alembic does"));
	rt_config_release(&c);
}

/* alembic.ini as real projects write it: lines of any length, -n/--name,
 * placeholders, Alembic-only keys and sections. */
static void alembic_ini_as_written(void **state)
{
	(void)state;
	struct rt_config c;
	struct rt_config_flags f = { 0 };
	struct rt_error err = RT_ERROR_INIT;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "[alembic]\nscript_location = core\nversion_path_separator = space\n"
			   "version_locations =");
	for (int i = 0; i < 400; i++)
		strbuf_addf(&sb, " %s/v%03d", i % 2 ? "x" : "y", i);
	strbuf_addstr(&sb, " last\nsqlalchemy.url = driver://user:pass@localhost/dbname\n"
			   "output_encoding = utf-8\n[tenant]\nscript_location = tenant\n"
			   "sqlalchemy.url =\n[post_write_hooks]\nhooks = black\n[loggers]\nkeys = root\n");
	write_file("alembic.ini", sb.buf);
	strbuf_release(&sb);
	assert_int_equal(mkdir("last", 0700), 0);
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), 0);
	rmdir("last");
	/* the 400th location stands at byte 4000 of its line: read whole */
	assert_int_equal(c.version_locations.nr, 1);
	assert_string_equal(c.version_locations.v[0], "last");
	assert_int_equal(c.warnings.nr, 400);
	assert_int_equal(c.url_placeholder, 2);
	assert_int_equal(c.url_line, 5);
	assert_int_equal(c.notes.nr, 2);
	assert_non_null(strstr(c.notes.v[0], "alembic.ini:6: 'output_encoding' is for Alembic"));
	assert_non_null(strstr(c.notes.v[1], "sections [tenant], [post_write_hooks], [loggers] ignored"));
	rt_config_release(&c);

	/* -n selects another section */
	f.value[RT_SET_NAME] = "tenant";
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), 0);
	assert_string_equal(c.script_location, "tenant");
	assert_string_equal(c.name, "tenant");
	assert_int_equal(c.url_placeholder, 1);
	assert_int_equal(c.url_line, 9);
	rt_config_release(&c);
	f.value[RT_SET_NAME] = "nosuch";
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), -1);
	assert_msg_has(&err, "config file 'alembic.ini' has no [nosuch] section (named by -n/--name)");
	rt_config_release(&c);
	/* in retort.ini too, and from RETORT_NAME */
	f.value[RT_SET_NAME] = NULL;
	write_file("retort.ini", "[retort]\nscript_location = main\n[staging]\nscript_location = stage\n");
	fake_env[0][0] = "RETORT_NAME";
	fake_env[0][1] = "staging";
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), 0);
	assert_string_equal(c.script_location, "stage");
	assert_int_equal(c.source[RT_SET_NAME], RT_SRC_ENV);
	rt_config_release(&c);
	fake_env[0][0] = NULL;
	unlink("retort.ini");

	/* every separator Alembic knows, %(here)s in each folder */
	static const char *const seps[][2] = {
		{ "os", "%(here)s/a:%(here)s/b" }, { ":", "a:b" }, { ";", "a ; b" },
		{ "space", "a  b" }, { "newline", "\n    a\n    b" }, { NULL, "a, b" },
	};
	assert_int_equal(mkdir("a", 0700), 0);
	assert_int_equal(mkdir("b", 0700), 0);
	for (size_t i = 0; i < sizeof(seps) / sizeof(seps[0]); i++) {
		struct strbuf ini = STRBUF_INIT;
		strbuf_addf(&ini, "[alembic]\nversion_locations = %s\n", seps[i][1]);
		if (seps[i][0])
			strbuf_addf(&ini, "version_path_separator = %s\n", seps[i][0]);
		write_file("alembic.ini", ini.buf);
		strbuf_release(&ini);
		rt_config_init(&c);
		if (rt_config_load(&c, &f, env, &err))
			fail_msg("separator %s: %s", seps[i][0] ? seps[i][0] : "(none)", err.msg);
		if (c.version_locations.nr != 2 || !strstr(c.version_locations.v[0], "a") ||
		    !strstr(c.version_locations.v[1], "b") || c.warnings.nr)
			fail_msg("separator %s: %zu locations", seps[i][0] ? seps[i][0] : "(none)",
				 c.version_locations.nr);
		rt_config_release(&c);
	}
	rmdir("a");
	rmdir("b");

	write_file("alembic.ini", "[alembic]\nversion_locations = a\nversion_path_separator = tab\n");
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), -1);
	assert_msg_has(&err, "alembic.ini:3: version_path_separator 'tab' is not one of");
	rt_config_release(&c);
}

static void precedence(void **state)
{
	(void)state;
	struct rt_config c;
	struct rt_config_flags f = { 0 };
	struct rt_error err = RT_ERROR_INIT;
	write_file("retort.ini", "[retort]\nscript_location = fromfile\nsqlalchemy.url = sqlite:///file.db\n");
	write_file("alembic.ini", "[alembic]\nscript_location = alembicdir\n");
	/* retort.ini wins over alembic.ini */
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), 0);
	assert_string_equal(c.script_location, "fromfile");
	assert_string_equal(c.url, "sqlite:///file.db");
	rt_config_release(&c);
	/* environment beats the file */
	fake_env[0][0] = "DATABASE_URL";
	fake_env[0][1] = "sqlite:///env.db";
	fake_env[1][0] = "RETORT_DIR";
	fake_env[1][1] = "envdir";
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), 0);
	assert_string_equal(c.url, "sqlite:///env.db");
	assert_int_equal(c.url_source, RT_SRC_ENV);
	assert_string_equal(c.script_location, "envdir");
	assert_string_equal(c.version_locations.v[0], "envdir/versions");
	rt_config_release(&c);
	/* flags beat the environment */
	f.value[RT_SET_URL] = "sqlite:///flag.db";
	f.value[RT_SET_DIR] = "flagdir";
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), 0);
	assert_string_equal(c.url, "sqlite:///flag.db");
	assert_string_equal(c.script_location, "flagdir");
	rt_config_release(&c);
	/* RETORT_CONFIG picks the file */
	write_file("other.ini", "[retort]\nscript_location = other\n");
	memset(fake_env, 0, sizeof(fake_env));
	fake_env[0][0] = "RETORT_CONFIG";
	fake_env[0][1] = "other.ini";
	f.value[RT_SET_DIR] = NULL;
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), 0);
	assert_string_equal(c.script_location, "other");
	rt_config_release(&c);
}

static void config_errors(void **state)
{
	(void)state;
	struct rt_config c;
	struct rt_config_flags f = { 0 };
	struct rt_error err = RT_ERROR_INIT;
	f.value[RT_SET_CONFIG] = "missing.ini";
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), -1);
	assert_int_equal(err.code, RT_EXIT_USAGE);
	assert_msg_has(&err, "'missing.ini' cannot be read");
	rt_config_release(&c);

	write_file("retort.ini", "[retort]\nscript_location = x\nthis line is wrong\n");
	f.value[RT_SET_CONFIG] = NULL;
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), -1);
	assert_msg_has(&err, "retort.ini:3: malformed line");
	rt_config_release(&c);

	write_file("retort.ini", "[retort]\nscript_location = 50%\n");
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), -1);
	assert_msg_has(&err, "'%%' for a literal percent sign");
	rt_config_release(&c);

	/* a URL is never quoted in an interpolation error: it may hold a password */
	write_file("retort.ini", "[retort]\nsqlalchemy.url = postgresql://u:pa%ss@h/db\n");
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), -1);
	assert_msg_has(&err, "key 'sqlalchemy.url'");
	assert_null(strstr(err.msg, "pa%ss"));
	rt_config_release(&c);

	write_file("retort.ini", "[retort]\nsqlalchemy.url = %(nothere)s\n");
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), -1);
	assert_msg_has(&err, "'%(nothere)s', which is not set");
	rt_config_release(&c);

	write_file("retort.ini", "[retort]\ntruncate_slug_length = many\n");
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), -1);
	assert_msg_has(&err, "truncate_slug_length must be a positive integer");
	rt_config_release(&c);
}

static void sqlite_urls(void **state)
{
	(void)state;
	struct rt_url u;
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(rt_url_parse(&u, "sqlite:///rel/app.db", &err), 0);
	assert_string_equal(u.backend, "sqlite");
	assert_string_equal(u.path, "rel/app.db");
	assert_false(u.memory);
	rt_url_release(&u);
	assert_int_equal(rt_url_parse(&u, "sqlite:////abs/app.db", &err), 0);
	assert_string_equal(u.path, "/abs/app.db");
	rt_url_release(&u);
	assert_int_equal(rt_url_parse(&u, "sqlite://", &err), 0);
	assert_true(u.memory);
	rt_url_release(&u);
	assert_int_equal(rt_url_parse(&u, "sqlite+pysqlite:///x%20y.db", &err), 0);
	assert_string_equal(u.driver, "pysqlite");
	assert_string_equal(u.path, "x y.db");
	rt_url_release(&u);
	assert_int_equal(rt_url_parse(&u, "sqlite://host/x.db", &err), -1);
	assert_msg_has(&err, "three slashes");
	assert_int_equal(rt_url_parse(&u, "oracle://u:secret@h/db", &err), -1);
	assert_msg_has(&err, "unsupported database url scheme 'oracle'");
	assert_null(strstr(err.msg, "secret"));
	assert_int_equal(rt_url_parse(&u, "app.db", &err), -1);
	assert_msg_has(&err, "has no scheme");
}

static void postgres_urls(void **state)
{
	(void)state;
	struct rt_url u;
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(rt_url_parse(&u, "postgresql+asyncpg://bob:p%40ss@db.example:6543/shop?ssl=require&application_name=x", &err), 0);
	assert_string_equal(u.backend, "postgresql");
	assert_string_equal(u.driver, "asyncpg");
	assert_string_equal(u.user, "bob");
	assert_string_equal(u.password, "p@ss");
	assert_string_equal(u.host, "db.example");
	assert_string_equal(u.port, "6543");
	assert_string_equal(u.path, "shop");
	assert_string_equal(rt_url_query(&u, "ssl"), "require");
	rt_url_release(&u);
	assert_int_equal(rt_url_parse(&u, "postgres://[::1]:5432/db?host=/var/run/postgresql", &err), 0);
	assert_string_equal(u.host, "::1");
	assert_string_equal(rt_url_query(&u, "host"), "/var/run/postgresql");
	rt_url_release(&u);
	assert_int_equal(rt_url_parse(&u, "postgresql://u:secret@h:54x/db", &err), -1);
	assert_msg_has(&err, "is not a number");
	assert_null(strstr(err.msg, "secret"));
}

/* rt_url_same_database on two URLs as written. */
static int same_db(const char *a, const char *b)
{
	struct rt_url x, y;
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(rt_url_parse(&x, a, &err), 0);
	assert_int_equal(rt_url_parse(&y, b, &err), 0);
	int same = rt_url_same_database(&x, &y);
	assert_int_equal(rt_url_same_database(&y, &x), same);
	rt_url_release(&x);
	rt_url_release(&y);
	return same;
}

static void same_database(void **state)
{
	(void)state;
	char abs[1200];
	/* SQLite: one file however the path reaches it; a new file is another */
	write_file("app.db", "");
	assert_int_equal(mkdir("sub", 0755), 0);
	assert_int_equal(symlink("app.db", "link.db"), 0);
	snprintf(abs, sizeof(abs), "sqlite:///%s/%s/app.db", tmpdir[0] == '/' ? "" : ".", tmpdir);
	assert_true(same_db("sqlite:///app.db", abs));
	assert_true(same_db("sqlite:///app.db", "sqlite+pysqlite:///sub/../app.db"));
	assert_true(same_db("sqlite:///app.db", "sqlite:///link.db"));
	assert_false(same_db("sqlite:///app.db", "sqlite:///sub/app.db"));
	assert_false(same_db("sqlite:///app.db", "sqlite:///new.db"));
	/* neither exists yet: the same path is one file to be */
	assert_true(same_db("sqlite:///new.db", "sqlite:///sub/../new.db"));
	assert_false(same_db("sqlite://", "sqlite://"));
	assert_false(same_db("sqlite:///app.db", "postgresql://h/app.db"));
	unlink("link.db");
	unlink("app.db");
	rmdir("sub");

	/* PostgreSQL: defaults filled in, this machine spelled any way */
	unsetenv("PGHOST");
	unsetenv("PGPORT");
	unsetenv("PGDATABASE");
	assert_true(same_db("postgresql://u@db.example/shop", "postgresql+psycopg2://other:pw@DB.example:5432/shop"));
	assert_true(same_db("postgresql://u@/shop?host=/run/pg&port=6000", "postgres://u@127.0.0.1:6000/shop"));
	assert_true(same_db("postgresql://u@localhost/shop", "postgresql://u@[::1]/shop?sslmode=disable"));
	assert_true(same_db("postgresql:///shop", "postgresql://x@h:1/other?host=localhost&port=5432&dbname=shop"));
	assert_false(same_db("postgresql://u@db.example/shop", "postgresql://u@db.example/shop_dev"));
	assert_false(same_db("postgresql://u@db.example/shop", "postgresql://u@db.example:5433/shop"));
	assert_false(same_db("postgresql://u@db.example/shop", "postgresql://u@localhost/shop"));
	/* no database named: the user's, as libpq does */
	assert_true(same_db("postgresql://alice@db.example", "postgresql://db.example/alice?user=alice"));
	assert_false(same_db("postgresql://alice@db.example", "postgresql://bob@db.example"));
	/* the environment fills in what a URL leaves out */
	setenv("PGHOST", "db.example", 1);
	setenv("PGPORT", "6543", 1);
	assert_true(same_db("postgresql:///shop", "postgresql://u@db.example:6543/shop"));
	assert_false(same_db("postgresql:///shop", "postgresql://u@localhost:6543/shop"));
	unsetenv("PGHOST");
	unsetenv("PGPORT");

	/* MySQL */
	assert_true(same_db("mysql://root@localhost/shop?unix_socket=/run/mysqld.sock", "mariadb+pymysql://app:pw@127.0.0.1:3306/shop"));
	assert_false(same_db("mysql://root@localhost/shop", "mysql://root@localhost/shop_dev"));
	assert_false(same_db("mysql://root@db.example/shop", "postgresql://root@db.example/shop"));
}

static void masking(void **state)
{
	(void)state;
	char *m = rt_url_mask("postgresql://bob:s3cr3t@host/db");
	assert_string_equal(m, "postgresql://bob:***@host/db");
	free(m);
	m = rt_url_mask("postgresql://bob:p@ss@host/db?password=also&x=1");
	assert_string_equal(m, "postgresql://bob:***@host/db?password=***&x=1");
	free(m);
	m = rt_url_mask("sqlite:///app.db");
	assert_string_equal(m, "sqlite:///app.db");
	free(m);
}

/* What the parser takes as the password is exactly what the masker hides,
 * whatever unescaped characters the password holds. */
static void mask_follows_parse(void **state)
{
	(void)state;
	static const char *const pws[] = { "S3#cr", "S3/cr", "S3?cr", "S3@cr", "S3:cr", NULL };
	for (int i = 0; pws[i]; i++) {
		char url[128];
		struct rt_url u;
		struct rt_error err = RT_ERROR_INIT;
		snprintf(url, sizeof(url), "postgresql://bob:%s@h:5432/db?options=a@b", pws[i]);
		assert_int_equal(rt_url_parse(&u, url, &err), 0);
		assert_string_equal(u.password, pws[i]);
		assert_string_equal(u.host, "h");
		assert_string_equal(u.path, "db");
		assert_string_equal(rt_url_query(&u, "options"), "a@b");
		char *m = rt_url_mask(url);
		assert_string_equal(m, "postgresql://bob:***@h:5432/db?options=a@b");
		free(m);
		rt_url_release(&u);
	}
}

/* A copy owns its strings: it stays whole after the original is released. */
static void url_copy(void **state)
{
	(void)state;
	struct rt_url u, c;
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(rt_url_parse(&u, "mysql+pymysql://bob:pw@h:3307/app?charset=utf8mb4&x=", &err), 0);
	rt_url_copy(&c, &u);
	rt_url_release(&u);
	assert_string_equal(c.backend, "mysql");
	assert_string_equal(c.driver, "pymysql");
	assert_string_equal(c.user, "bob");
	assert_string_equal(c.password, "pw");
	assert_string_equal(c.host, "h");
	assert_string_equal(c.port, "3307");
	assert_string_equal(c.path, "app");
	assert_int_equal(c.memory, 0);
	assert_int_equal(c.qkeys.nr, 2);
	assert_string_equal(rt_url_query(&c, "charset"), "utf8mb4");
	assert_string_equal(rt_url_query(&c, "x"), "");
	rt_url_release(&c);
	/* absent parts stay absent */
	assert_int_equal(rt_url_parse(&u, "sqlite://", &err), 0);
	rt_url_copy(&c, &u);
	assert_null(c.user);
	assert_null(c.password);
	assert_null(c.host);
	assert_string_equal(c.path, "");
	assert_int_equal(c.memory, 1);
	rt_url_release(&u);
	rt_url_release(&c);
}

static void origin(void **state)
{
	(void)state;
	char *o = rt_url_origin("https://user:pw@hooks.example.com:8443/services/T0/SECRET?x=1");
	assert_string_equal(o, "https://hooks.example.com:8443/...");
	free(o);
	o = rt_url_origin("http://127.0.0.1:9");
	assert_string_equal(o, "http://127.0.0.1:9");
	free(o);
	o = rt_url_origin("not a url");
	assert_string_equal(o, "(a webhook)");
	free(o);
	/* a password holding a raw '/', '?', '#' or '%' goes whole, as the
	 * parser splits the userinfo; never cut at the first of them */
	static const char *const pws[] = { "s3cr/et", "s3cr?et", "s3cr#et", "s3cr%et", "a/b?c#d@e%f" };
	for (size_t i = 0; i < sizeof(pws) / sizeof(pws[0]); i++) {
		char url[128];
		snprintf(url, sizeof(url), "http://hook:%s@127.0.0.1:9/x", pws[i]);
		o = rt_url_origin(url);
		assert_string_equal(o, "http://127.0.0.1:9/...");
		free(o);
		snprintf(url, sizeof(url), "http://hook:%s@127.0.0.1:9", pws[i]);
		o = rt_url_origin(url);
		assert_string_equal(o, "http://127.0.0.1:9");
		free(o);
	}
	/* an '@' in the path or the query is no userinfo */
	o = rt_url_origin("http://127.0.0.1/a@b");
	assert_string_equal(o, "http://127.0.0.1/...");
	free(o);
	o = rt_url_origin("http://127.0.0.1?to=a@b");
	assert_string_equal(o, "http://127.0.0.1/...");
	free(o);
}

/* --wait, --wait-timeout, RETORT_WAIT_TIMEOUT; --notify and RETORT_NOTIFY_URL */
static void wait_and_notify_settings(void **state)
{
	(void)state;
	struct rt_config c;
	struct rt_config_flags f = { 0 };
	struct rt_error err = RT_ERROR_INIT;

	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), 0);
	assert_true(c.wait_timeout == 0 && !c.notify_url && !c.require_url);
	rt_config_release(&c);

	f.count[RT_SET_WAIT] = 1;
	assert_int_equal(rt_config_load(&c, &f, env, &err), 0);
	assert_true(c.wait_timeout == RT_DEFAULT_WAIT_TIMEOUT);
	rt_config_release(&c);

	fake_env[0][0] = "RETORT_WAIT_TIMEOUT";
	fake_env[0][1] = "7.5";
	fake_env[1][0] = "RETORT_NOTIFY_URL";
	fake_env[1][1] = "http://env/hook";
	fake_env[2][0] = "RETORT_REQUIRE_URL";
	fake_env[2][1] = "1";
	f.count[RT_SET_WAIT] = 0;
	assert_int_equal(rt_config_load(&c, &f, env, &err), 0);
	assert_true(c.wait_timeout == 7.5);
	assert_string_equal(c.notify_url, "http://env/hook");
	assert_true(c.require_url && c.url_source == RT_SRC_DEFAULT);
	rt_config_release(&c);

	/* flags win; an empty --notify turns the environment's off */
	f.value[RT_SET_WAIT_TIMEOUT] = "0";
	f.value[RT_SET_NOTIFY] = "";
	assert_int_equal(rt_config_load(&c, &f, env, &err), 0);
	assert_true(c.wait_timeout == 0 && !c.notify_url);
	rt_config_release(&c);

	f.value[RT_SET_WAIT_TIMEOUT] = NULL;
	fake_env[0][1] = "10s";
	assert_int_equal(rt_config_load(&c, &f, env, &err), -1);
	assert_int_equal(err.code, RT_EXIT_USAGE);
	assert_msg_has(&err, "RETORT_WAIT_TIMEOUT must be a number of seconds, not '10s'");
	rt_config_release(&c);
}

/* --lock and --lock-lease: the flag over RETORT_LOCK over the file, and
 * the values each takes. */
static void lock_settings(void **state)
{
	(void)state;
	struct rt_config c;
	struct rt_config_flags f = { 0 };
	struct rt_error err = RT_ERROR_INIT;

	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), 0);
	assert_int_equal(c.lock, RT_LOCK_AUTO);
	assert_true(c.lock_lease == RT_DEFAULT_LOCK_LEASE);
	rt_config_release(&c);

	write_file("retort.ini", "[retort]\nlock = none\nlock_lease = 90\n");
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), 0);
	assert_int_equal(c.lock, RT_LOCK_NONE);
	assert_true(c.lock_lease == 90);
	rt_config_release(&c);

	fake_env[0][0] = "RETORT_LOCK";
	fake_env[0][1] = "table";
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), 0);
	assert_int_equal(c.lock, RT_LOCK_TABLE);
	rt_config_release(&c);

	f.value[RT_SET_LOCK] = "advisory";
	f.value[RT_SET_LOCK_LEASE] = "5";
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), 0);
	assert_int_equal(c.lock, RT_LOCK_ADVISORY);
	assert_true(c.lock_lease == 5);
	rt_config_release(&c);

	f.value[RT_SET_LOCK] = "flock";
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), -1);
	assert_int_equal(err.code, RT_EXIT_USAGE);
	assert_msg_has(&err, "option '--lock' takes advisory, table or none, not 'flock'");
	rt_config_release(&c);

	f.value[RT_SET_LOCK] = NULL;
	f.value[RT_SET_LOCK_LEASE] = "0.2";
	rt_config_init(&c);
	assert_int_equal(rt_config_load(&c, &f, env, &err), -1);
	assert_int_equal(err.code, RT_EXIT_USAGE);
	assert_msg_has(&err, "--lock-lease must be at least 1 second, not 0.2");
	rt_config_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(defaults, enter_tmp, leave_tmp),
		cmocka_unit_test_setup_teardown(alembic_ini_interpolation, enter_tmp, leave_tmp),
		cmocka_unit_test_setup_teardown(alembic_ini_as_written, enter_tmp, leave_tmp),
		cmocka_unit_test_setup_teardown(precedence, enter_tmp, leave_tmp),
		cmocka_unit_test_setup_teardown(config_errors, enter_tmp, leave_tmp),
		cmocka_unit_test(sqlite_urls),
		cmocka_unit_test(postgres_urls),
		cmocka_unit_test_setup_teardown(same_database, enter_tmp, leave_tmp),
		cmocka_unit_test(masking),
		cmocka_unit_test(mask_follows_parse),
		cmocka_unit_test(url_copy),
		cmocka_unit_test(origin),
		cmocka_unit_test_setup_teardown(wait_and_notify_settings, enter_tmp, leave_tmp),
		cmocka_unit_test_setup_teardown(lock_settings, enter_tmp, leave_tmp),
	};
	return cmocka_run_group_tests_name("config_url", tests, NULL, NULL);
}

/* init: create a script directory (versions/, script.sql.tmpl) and a retort.ini. */
#include "cmd.h"
#include "../lib/newrev.h"
#include "../lib/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int empty = 1;
	if (!d)
		return 1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

static int write_file(const char *path, const char *text, struct rt_error *err)
{
	FILE *f = fopen(path, "wx");
	if (!f)
		return rt_error_set(err, RT_EXIT_ERROR, "cannot create '%s': %s", path, strerror(errno));
	fputs(text, f);
	if (fclose(f))
		return rt_error_set(err, RT_EXIT_ERROR, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}

static int make_dir(const char *path, struct rt_error *err)
{
	if (mkdir(path, 0777) && errno != EEXIST)
		return rt_error_set(err, RT_EXIT_ERROR, "cannot create directory '%s': %s", path,
				    strerror(errno));
	return 0;
}

static int run_init(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	struct strbuf path = STRBUF_INIT;
	int rc = -1;
	(void)opts;
	const char *dir = args->nr ? args->v[0] : app->cfg.script_location;
	struct stat st;
	if (!stat(dir, &st) && (!S_ISDIR(st.st_mode) || !dir_is_empty(dir))) {
		rt_error_set(err, RT_EXIT_ERROR,
			     "directory '%s' already exists and is not empty; choose another with "
			     "'retort init DIR'", dir);
		goto out;
	}
	if (make_dir(dir, err))
		goto out;
	app_status(app, "  Creating directory %s ...  done", dir);
	strbuf_addf(&path, "%s/versions", dir);
	if (make_dir(path.buf, err))
		goto out;
	app_status(app, "  Creating directory %s ...  done", path.buf);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/script.sql.tmpl", dir);
	if (write_file(path.buf, rt_default_template, err))
		goto out;
	app_status(app, "  Generating %s ...  done", path.buf);
	if (access("retort.ini", F_OK) && !app->cfg.config_file) {
		strbuf_reset(&path);
		strbuf_addf(&path,
			    "# retort configuration; see README.md for every key.\n"
			    "[retort]\n"
			    "# The directory holding versions/ and script.sql.tmpl.\n"
			    "script_location = %s\n"
			    "# The database. DATABASE_URL or -u/--url override it; without any,\n"
			    "# retort uses the embedded default sqlite:///app.db.\n"
			    "# sqlalchemy.url = postgresql://user@localhost/app\n"
			    "# New file names: Alembic's tokens; %%%% stands for a literal %%.\n"
			    "file_template = %%%%(rev)s_%%%%(slug)s\n"
			    "truncate_slug_length = 40\n"
			    "# Create dates in this zone instead of local time.\n"
			    "# timezone = UTC\n", dir);
		if (write_file("retort.ini", path.buf, err))
			goto out;
		app_status(app, "  Generating retort.ini ...  done");
	}
	rc = 0;
out:
	strbuf_release(&path);
	return rc;
}

const struct cmd cmd_init = {
	.name = "init",
	.args = "[DIR]",
	.brief = "Create a script directory and a retort.ini.",
	.description = "Create a script directory (DIR/versions/, DIR/script.sql.tmpl) and a "
		       "retort.ini. DIR defaults to the configured script location; it must be new "
		       "or empty.",
	.run = run_init,
	.max_args = 1,
	.complete = COMPLETE_FILES,
};

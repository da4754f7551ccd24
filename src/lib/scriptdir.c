/* The script directory: every revision file of the version locations, read into a graph. */
#include "scriptdir.h"
#include "fileio.h"
#include "strbuf.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void rt_scriptdir_init(struct rt_scriptdir *sd)
{
	memset(sd, 0, sizeof(*sd));
	rt_graph_init(&sd->graph);
}

void rt_scriptdir_release(struct rt_scriptdir *sd)
{
	rt_graph_release(&sd->graph);
	for (int i = 0; i < sd->n; i++)
		rt_script_release(&sd->scripts[i]);
	free(sd->scripts);
	rt_scriptdir_init(sd);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_sql_name(const char *n)
{
	size_t l = strlen(n);
	return n[0] != '.' && l > 4 && !strcmp(n + l - 4, ".sql");
}

static int is_py_name(const char *n)
{
	size_t l = strlen(n);
	return n[0] != '.' && n[0] != '_' && l > 3 && !strcmp(n + l - 3, ".py");
}

/*
 * The revision id an Alembic .py revision assigns ("revision = 'abc'" or
 * "revision: str = \"abc\"" at the start of a line), and that line; NULL
 * when the file assigns none (a helper module, not a revision).
 */
static char *py_revision_id(const char *text, int *line)
{
	*line = 1;
	for (const char *p = text; *p; ) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n > 8 && !strncmp(p, "revision", 8) && (p[8] == ' ' || p[8] == '=' || p[8] == ':')) {
			const char *q = memchr(p, '=', n);
			if (q) {
				q++;
				while (*q == ' ')
					q++;
				if (*q == '\'' || *q == '"') {
					const char *end = memchr(q + 1, *q, n - (size_t)(q + 1 - p));
					if (end)
						return xstrndup(q + 1, (size_t)(end - q - 1));
				}
			}
		}
		if (!e)
			break;
		p = e + 1;
		(*line)++;
	}
	return NULL;
}

/*
 * Alembic's .py revisions are not run yet: refuse one whose revision has
 * no .sql twin, rather than plan as if it did not exist (an upgrade that
 * "has nothing to do" while the database needs it would be a silent skip).
 */
static int check_py(const struct rt_scriptdir *sd, const char *dir, const struct strvec *py,
		    struct rt_error *err)
{
	for (size_t i = 0; i < py->nr; i++) {
		struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
		int line, rc = 0;
		strbuf_addf(&path, "%s/%s", dir, py->v[i]);
		if (rt_read_file(path.buf, &text, 1 << 20, err)) {
			strbuf_release(&path);
			return -1;
		}
		char *id = py_revision_id(text.buf, &line);
		if (id && rt_graph_find(&sd->graph, id) < 0)
			rc = rt_error_set(err, RT_EXIT_ERROR,
					  "%s:%d: Alembic revision '%s' is a .py file, and retort does not "
					  "run .py revisions yet; write its SQL as a .sql revision with "
					  "'Revision ID: %s' beside it (README: Coming from Alembic); "
					  "nothing was run", path.buf, line, id, id);
		free(id);
		strbuf_release(&path);
		strbuf_release(&text);
		if (rc)
			return -1;
	}
	return 0;
}

static int load_dir(struct rt_scriptdir *sd, const char *dir, struct strvec *py,
		    struct rt_error *err)
{
	DIR *d = opendir(dir);
	struct strvec names = STRVEC_INIT;
	struct dirent *de;
	if (!d)
		return rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_SCRIPT_DIR,
				       "cannot read the versions directory '%s': %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		if (is_sql_name(de->d_name))
			strvec_push(&names, de->d_name);
		else if (is_py_name(de->d_name))
			strvec_push(py, de->d_name);
	}
	closedir(d);
	qsort(names.v, names.nr, sizeof(char *), cmp_name);

	struct strbuf path = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < names.nr && !rc; i++) {
		strbuf_reset(&path);
		strbuf_addstr(&path, dir);
		strbuf_addch(&path, '/');
		strbuf_addstr(&path, names.v[i]);
		ALLOC_GROW(sd->scripts, sd->n + 1, sd->alloc);
		struct rt_script *s = &sd->scripts[sd->n];
		rt_script_init(s);
		rc = rt_script_load(s, path.buf, err);
		if (rc)
			rt_script_release(s);
		else
			sd->n++;
	}
	strbuf_release(&path);
	strvec_clear(&names);
	return rc;
}

int rt_scriptdir_load(struct rt_scriptdir *sd, const struct rt_config *c, struct rt_error *err)
{
	struct stat st;
	if (stat(c->script_location, &st) || !S_ISDIR(st.st_mode)) {
		rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_SCRIPT_DIR,
				"script directory '%s' does not exist", c->script_location);
		rt_error_hint_subject(err, c->script_location);
		return -1;
	}
	struct strvec *py = xcalloc(c->version_locations.nr + 1, sizeof(*py));
	int rc = 0;
	for (size_t i = 0; i < c->version_locations.nr; i++) {
		strvec_init(&py[i]);
		if (!rc)
			rc = load_dir(sd, c->version_locations.v[i], &py[i], err);
	}
	if (!rc)
		rc = rt_graph_build(&sd->graph, sd->scripts, sd->n, err);
	for (size_t i = 0; i < c->version_locations.nr; i++) {
		if (!rc && py[i].nr)
			rc = check_py(sd, c->version_locations.v[i], &py[i], err);
		strvec_clear(&py[i]);
	}
	free(py);
	return rc;
}

/* The script directory: every revision file of the version locations, read into a graph. */
#include "scriptdir.h"
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

static int load_dir(struct rt_scriptdir *sd, const char *dir, struct rt_error *err)
{
	DIR *d = opendir(dir);
	struct strvec names = STRVEC_INIT;
	struct dirent *de;
	if (!d)
		return rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_SCRIPT_DIR,
				       "cannot read the versions directory '%s': %s", dir, strerror(errno));
	while ((de = readdir(d)))
		if (is_sql_name(de->d_name))
			strvec_push(&names, de->d_name);
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
	for (size_t i = 0; i < c->version_locations.nr; i++)
		if (load_dir(sd, c->version_locations.v[i], err))
			return -1;
	return rt_graph_build(&sd->graph, sd->scripts, sd->n, err);
}

/* Desired schemas from schema files or from the revisions' upgrade sections. */
#include "schema_load.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "exec.h"
#include "../lib/fileio.h"
#include "../lib/plan.h"
#include "../lib/strvec.h"
#include "../lib/xalloc.h"

void rt_schema_source_init(struct rt_schema_source *s)
{
	memset(s, 0, sizeof(*s));
	strvec_init(&s->notes);
}

void rt_schema_source_release(struct rt_schema_source *s)
{
	for (int i = 0; i < s->nfiles; i++)
		rt_script_release(&s->files[i]);
	free(s->files);
	free(s->sc);
	free(s->sec);
	strvec_clear(&s->notes);
	rt_schema_source_init(s);
}

static void add_piece(struct rt_schema_source *s, const struct rt_script *sc,
		      const struct rt_section *sec)
{
	s->sc = xrealloc(s->sc, (size_t)(s->n + 1) * sizeof(*s->sc));
	s->sec = xrealloc(s->sec, (size_t)(s->n + 1) * sizeof(*s->sec));
	s->sc[s->n] = sc;
	s->sec[s->n] = sec;
	s->n++;
}

/* One schema file, whole, as a script without a header (its text only). */
static int read_file(struct rt_schema_source *s, const char *path, struct rt_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	if (rt_read_file(path, &sb, RT_READ_NO_LIMIT, err))
		return -1;
	s->files = xrealloc(s->files, (size_t)(s->nfiles + 1) * sizeof(*s->files));
	struct rt_script *sc = &s->files[s->nfiles++];
	rt_script_init(sc);
	sc->path = xstrdup(path);
	sc->text_len = sb.len;
	sc->text = strbuf_detach(&sb);
	return 0;
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rt_schema_source_files(struct rt_schema_source *s, const char *path, struct rt_error *err)
{
	struct stat st;
	if (stat(path, &st)) {
		rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_SCHEMA_PATH, "schema '%s' does not exist",
				path);
		rt_error_hint_subject(err, path);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		if (!d)
			return rt_error_set(err, RT_EXIT_ERROR, "cannot read schema directory '%s': %s",
					    path, strerror(errno));
		struct strvec names = STRVEC_INIT;
		struct dirent *de;
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);
			if (de->d_name[0] != '.' && l > 4 && !strcmp(de->d_name + l - 4, ".sql"))
				strvec_push(&names, de->d_name);
		}
		closedir(d);
		qsort(names.v, names.nr, sizeof(*names.v), by_str);
		int rc = 0;
		for (size_t i = 0; i < names.nr && !rc; i++) {
			struct strbuf p = STRBUF_INIT;
			strbuf_addf(&p, "%s/%s", path, names.v[i]);
			rc = read_file(s, p.buf, err);
			strbuf_release(&p);
		}
		strvec_clear(&names);
		if (rc)
			return -1;
		if (!s->nfiles)
			return rt_error_set(err, RT_EXIT_ERROR, "schema directory '%s' has no .sql files",
					    path);
	} else if (read_file(s, path, err)) {
		return -1;
	}
	rt_schema_source_whole_files(s);
	return 0;
}

void rt_schema_source_whole_files(struct rt_schema_source *s)
{
	s->whole.present = 1;
	s->whole.transactional = 1;
	s->whole.marker_line = 1;
	for (int i = 0; i < s->nfiles; i++)
		add_piece(s, &s->files[i], &s->whole);
}

int rt_schema_source_head(struct rt_schema_source *s, const struct rt_graph *g, struct rt_error *err)
{
	struct rt_plan plan;
	struct strvec none = STRVEC_INIT;
	rt_plan_init(&plan);
	if (g->n && rt_plan_upgrade(g, &none, "heads", &plan, err)) {
		rt_plan_release(&plan);
		return -1;
	}
	for (int i = 0; i < plan.n; i++) {
		const struct rt_script *sc = g->revs[plan.steps[i].rev].script;
		add_piece(s, sc, &sc->up);
	}
	rt_plan_release(&plan);
	return 0;
}

int rt_schema_source_read(struct rt_db *db, const struct rt_schema_source *s, struct rt_schema *out,
			  struct rt_error *err)
{
	if (!db->drv->schema_read)
		return rt_error_set(err, RT_EXIT_ERROR, "the %s driver cannot read schemas",
				    db->drv->name);
	struct rt_ddl *ddl = xcalloc((size_t)s->n + 1, sizeof(*ddl));
	for (int i = 0; i < s->n; i++) {
		/* a whole file: the section spans its text */
		size_t off = s->sec[i] == &s->whole ? 0 : s->sec[i]->off;
		size_t len = s->sec[i] == &s->whole ? s->sc[i]->text_len : s->sec[i]->len;
		ddl[i].text = s->sc[i]->text + off;
		ddl[i].len = len;
	}
	struct rt_ddl_fail fail = { .src = -1 };
	int rc = db->drv->schema_read(db, ddl, s->n, out, &fail, err);
	if (rc && fail.src >= 0 && fail.src < s->n)
		rt_exec_locate(s->sc[fail.src], s->sec[fail.src], &fail.info,
			       s->sec[fail.src] == &s->whole ? "loading the schema" : "upgrade", err);
	free(ddl);
	return rc;
}

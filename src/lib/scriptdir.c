/*
 * The script directory: every revision file of the version locations
 * (.sql files, and Alembic's .py files read by lib/pyrev.c), a .py/.sql
 * pair with one Revision ID made one revision, read into a graph.
 */
#include "scriptdir.h"
#include "fileio.h"
#include "hdrcache.h"
#include "ptrsort.h"
#include "pyrev.h"
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

static int cmp_name(char *a, char *b)
{
	return strcmp(a, b);
}
RT_DEFINE_PTR_SORT(sort_names, char *)

static int is_sql_name(const char *n)
{
	size_t l = strlen(n);
	return n[0] != '.' && l > 4 && !strcmp(n + l - 4, ".sql");
}

/* Alembic's rule for source revisions: a name ending in ".py", except
 * __init__* and editors' ".#" lock files; __pycache__ and the .pyc files
 * of its `sourceless` mode (off by default) are not read. */
static int is_py_name(const char *n)
{
	size_t l = strlen(n);
	return l >= 3 && !strcmp(n + l - 3, ".py") && strncmp(n, "__init__", 8) && strncmp(n, ".#", 2);
}

/* One file found: its path, whether it is a .py revision, and (for the
 * header cache) its stat, taken while the directory is open. */
struct found {
	char *path;
	int py;
	int have_st;
	struct stat st;
};

struct found_list {
	struct found *v;
	int n, alloc;
};

/*
 * Read one folder: its revision-file names and (with `recursive`) its
 * subfolders, each sorted.  0 when the listing may be cached; 1 when a
 * recursive walk met a symbolic link or an entry of unknown type, whose
 * turning into a folder would change no folder's stat.
 */
static int read_names(DIR *d, int recursive, struct strvec *names, struct strvec *subdirs)
{
	struct dirent *de;
	int unsure = 0;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		if (is_sql_name(n) || is_py_name(n)) {
			strvec_push(names, n);
			continue;
		}
		if (!recursive)
			continue;
		size_t l = strlen(n);
		if (l >= 11 && !strcmp(n + l - 11, "__pycache__"))
			continue;
		if (de->d_type == DT_LNK || de->d_type == DT_UNKNOWN)
			unsure = 1;
		if (de->d_type != DT_DIR && de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
			continue;
		struct stat st;
		if (!fstatat(dirfd(d), n, &st, 0) && S_ISDIR(st.st_mode))
			strvec_push(subdirs, n);
	}
	sort_names(names->v, names->nr, cmp_name);
	sort_names(subdirs->v, subdirs->nr, cmp_name);
	return unsure;
}

/* Names a listing can hold: revision files, and subfolders, of this very
 * folder (the cache is retort's own file, but a damaged one must not lead
 * the walk elsewhere). */
static int sane_listing(const struct strvec *names, const struct strvec *subdirs)
{
	for (size_t i = 0; i < names->nr; i++)
		if (strchr(names->v[i], '/') || !(is_sql_name(names->v[i]) || is_py_name(names->v[i])))
			return 0;
	for (size_t i = 0; i < subdirs->nr; i++)
		if (strchr(subdirs->v[i], '/') || !strcmp(subdirs->v[i], ".") ||
		    !strcmp(subdirs->v[i], "..") || !*subdirs->v[i])
			return 0;
	return 1;
}

/* A walk of the version locations: the cache, and what it found there. */
struct walk {
	struct rt_hdrcache *hc;
	int recursive, trust_listing;
	int folders, listed;    /* folders walked, and listed from the cache */
};

/*
 * The revision files of one version location, sorted by name; with
 * `recursive`, then those of each subfolder in name order, depth first
 * (Alembic's recursive_version_locations walk), __pycache__ skipped.
 * With the header cache on, each file is stat'ed by name relative to the
 * open directory, which spares the kernel a walk of the whole path per
 * file (half the cost of validating the cache at 1,000 revisions), and
 * with `trust_listing` an unchanged folder's names come from the cache
 * (reading and sorting 1,000 names cost a tenth of a cached `heads`).
 */
static int list_dir(struct found_list *out, const char *dir, struct walk *w, int depth,
		    struct rt_error *err)
{
	DIR *d = opendir(dir);
	struct strvec names = STRVEC_INIT, subdirs = STRVEC_INIT;
	if (!d)
		return rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_SCRIPT_DIR,
				       "cannot read the versions directory '%s': %s", dir, strerror(errno));
	if (depth > 64) {
		closedir(d);
		return rt_error_set(err, RT_EXIT_ERROR, "'%s': version folders nested more than 64 "
				    "deep (a symbolic link loop?)", dir);
	}
	int want_stat = w->hc->file != NULL;
	struct stat dst;
	int have_dst = want_stat && !fstat(dirfd(d), &dst);
	w->folders++;
	int listed = have_dst && w->trust_listing &&
		     rt_hdrcache_listing(w->hc, &dst, &names, &subdirs);
	if (listed && !sane_listing(&names, &subdirs)) {
		strvec_clear(&names);
		strvec_clear(&subdirs);
		listed = 0;
	}
	if (listed)
		w->listed++;
	else if (!read_names(d, w->recursive, &names, &subdirs) && have_dst)
		rt_hdrcache_note_listing(w->hc, &dst, &names, &subdirs);
	struct strbuf path = STRBUF_INIT;
	size_t dl = strlen(dir);
	ALLOC_GROW(out->v, (size_t)out->n + names.nr, out->alloc);
	for (size_t i = 0; i < names.nr; i++) {
		size_t l = strlen(names.v[i]);
		/* no printf: musl's costs thousands of instructions a call */
		strbuf_grow(&path, dl + l + 2);
		strbuf_add(&path, dir, dl);
		strbuf_addch(&path, '/');
		strbuf_add(&path, names.v[i], l);
		struct found *f = &out->v[out->n++];
		f->path = strbuf_detach(&path);
		f->py = !strcmp(names.v[i] + l - 3, ".py");
		f->have_st = want_stat && !fstatat(dirfd(d), names.v[i], &f->st, 0);
	}
	closedir(d);
	int rc = 0;
	for (size_t i = 0; i < subdirs.nr && !rc; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, subdirs.v[i]);
		rc = list_dir(out, path.buf, w, depth + 1, err);
	}
	strbuf_release(&path);
	strvec_clear(&names);
	strvec_clear(&subdirs);
	return rc;
}

static int same_list(const struct strvec *a, const struct strvec *b)
{
	if (a->nr != b->nr)
		return 0;
	for (size_t i = 0; i < a->nr; i++)
		if (strcmp(a->v[i], b->v[i]))
			return 0;
	return 1;
}

/* Branch labels are a set in Alembic: their order does not matter. */
static int same_set(const struct strvec *a, const struct strvec *b)
{
	if (a->nr != b->nr)
		return 0;
	for (size_t i = 0; i < a->nr; i++)
		if (strvec_find(b, a->v[i]) < 0)
			return 0;
	return 1;
}

/* "path:line", or "path (no KEY)" where the file does not give the key. */
static void key_place(struct strbuf *sb, const char *path, int line, const char *key)
{
	if (line > 0)
		strbuf_addf(sb, "%s:%d", path, line);
	else
		strbuf_addf(sb, "%s (no %s)", path, key);
}

static int pair_conflict(const struct rt_script *sql, int sql_line, const char *sql_key,
			 const struct rt_script *py, int py_line, const char *py_key,
			 const char *what, const struct strvec *a, const struct strvec *b,
			 struct rt_error *err)
{
	char *x = strvec_join(a, ", "), *y = strvec_join(b, ", ");
	struct strbuf p = STRBUF_INIT, q = STRBUF_INIT;
	key_place(&p, sql->path, sql_line, sql_key);
	key_place(&q, py->path, py_line, py_key);
	rt_error_set(err, RT_EXIT_ERROR,
		     "%s and %s both define revision '%s', with different %s ('%s' and '%s'); "
		     "make the two files agree", p.buf, q.buf, sql->id, what, x, y);
	strbuf_release(&p);
	strbuf_release(&q);
	free(x);
	free(y);
	return -1;
}

/* The .sql file gives a paired revision its SQL; the .py file what Alembic
 * shows of it (path, message), so both tools print the same. */
static int pair(struct rt_script *sql, struct rt_script *py, struct rt_error *err)
{
	if (!same_list(&sql->down, &py->down))
		return pair_conflict(sql, sql->down_line, "'-- Revises:' line", py, py->down_line,
				     "down_revision", "down revisions", &sql->down, &py->down, err);
	if (!same_set(&sql->labels, &py->labels))
		return pair_conflict(sql, sql->labels_line, "'-- Branch Labels:' line", py,
				     py->labels_line, "branch_labels", "branch labels", &sql->labels,
				     &py->labels, err);
	if (!same_list(&sql->deps, &py->deps))
		return pair_conflict(sql, sql->deps_line, "'-- Depends On:' line", py, py->deps_line,
				     "depends_on", "dependencies", &sql->deps, &py->deps, err);
	free(sql->py_path);
	free(sql->doc);
	free(sql->longdoc);
	sql->py_path = py->py_path;
	sql->doc = py->doc;
	sql->longdoc = py->longdoc;
	py->py_path = py->doc = py->longdoc = NULL;
	return 0;
}

static int cmp_script_id(struct rt_script *x, struct rt_script *y)
{
	int c = strcmp(x->id, y->id);
	return c ? c : x->has_sql - y->has_sql;
}
RT_DEFINE_PTR_SORT(sort_scripts, struct rt_script *)

/*
 * Make each .py/.sql pair with one Revision ID one revision, in the place
 * of its .py file (Alembic's order).  A pair sorts next to each other by
 * id, so this stays n log n for thousands of revisions.
 */
static int merge_pairs(struct rt_scriptdir *sd, struct rt_error *err)
{
	struct rt_script **by_id = xmalloc((size_t)(sd->n ? sd->n : 1) * sizeof(*by_id));
	char *drop = xcalloc((size_t)sd->n + 1, 1);
	int rc = 0;
	for (int i = 0; i < sd->n; i++)
		by_id[i] = &sd->scripts[i];
	sort_scripts(by_id, (size_t)sd->n, cmp_script_id);
	for (int i = 0; i + 1 < sd->n && !rc; i++) {
		struct rt_script *py = by_id[i], *sql = by_id[i + 1];
		if (py->has_sql || !sql->has_sql || strcmp(py->id, sql->id))
			continue;
		if (i + 2 < sd->n && !strcmp(by_id[i + 2]->id, sql->id))
			continue; /* a third file: the graph names the duplicate */
		rc = pair(sql, py, err);
		if (rc)
			break;
		/* the merged revision takes the .py file's place */
		struct rt_script tmp = *py;
		*py = *sql;
		*sql = tmp;
		drop[sql - sd->scripts] = 1;
	}
	free(by_id);
	int w = 0;
	for (int i = 0; i < sd->n; i++) {
		if (drop[i]) {
			rt_script_release(&sd->scripts[i]);
			continue;
		}
		if (w != i)
			sd->scripts[w] = sd->scripts[i];
		w++;
	}
	sd->n = w;
	free(drop);
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
	struct found_list files = { 0 };
	struct rt_hdrcache hc;
	int rc = 0;
	rt_hdrcache_open(&hc, c->no_cache ? NULL : c->cache_dir, &c->version_locations,
			 c->recursive_version_locations);
	struct walk w = { .hc = &hc, .recursive = c->recursive_version_locations,
			  .trust_listing = sd->headers_only };
	for (size_t i = 0; i < c->version_locations.nr && !rc; i++)
		rc = list_dir(&files, c->version_locations.v[i], &w, 0, err);
	sd->nfolders = w.folders;
	sd->nlisted = w.listed;
	rt_hdrcache_expect(&hc, files.n);
	/* one array for them all: growing it would copy 240 bytes a revision
	 * over and over, and fault in pages only to leave them */
	ALLOC_GROW(sd->scripts, sd->n + files.n, sd->alloc);
	for (int i = 0; i < files.n && !rc; i++) {
		struct rt_script *s = &sd->scripts[sd->n];
		const char *path = files.v[i].path;
		const struct stat *fst = &files.v[i].st;
		int known = hc.file && files.v[i].have_st;
		rt_script_init(s);
		if (known && sd->headers_only && rt_hdrcache_lookup(&hc, fst, path, s))
			sd->ncached++;
		else
			rc = files.v[i].py ? rt_pyrev_load(s, path, err) : rt_script_load(s, path, err);
		if (rc) {
			rt_script_release(s);
			break;
		}
		if (known)
			rt_hdrcache_note(&hc, fst, s);
		sd->n++;
	}
	sd->nfiles = files.n;
	rt_hdrcache_close(&hc, !rc);
	for (int i = 0; i < files.n; i++)
		free(files.v[i].path);
	free(files.v);
	if (!rc)
		rc = merge_pairs(sd, err);
	if (!rc)
		rc = rt_graph_build(&sd->graph, sd->scripts, sd->n, err);
	return rc;
}

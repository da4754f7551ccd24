/*
 * The header cache (see hdrcache.h): a binary file of length-prefixed
 * fields, mapped whole and checked at every step, so that a truncated or
 * foreign file is ignored rather than trusted.
 *
 *   "RTHC2\n" EXE-IDENTITY "\n" COUNT
 *   COUNT x (STAT id id_line down down_line deps deps_line labels
 *            labels_line create_date longdoc doc up downgrade has_sql is_py)
 *   FOLDERS
 *   FOLDERS x (STAT names subfolders)
 *
 * STAT is dev ino size mtime_s mtime_ns ctime_s ctime_ns.  Numbers are 8
 * bytes little-endian (counts 4); strings a 4-byte length (all ones for
 * NULL) and the bytes; lists a count and strings; sections present,
 * transactional, marker_line, off, len.  Entries are in the order of
 * (dev, ino), the order lookups search; folders in the order walked.
 */
#include "hdrcache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "strbuf.h"
#include "xalloc.h"

#define MAGIC "RTHC2\n"
#define NULL_LEN 0xffffffffu

/* ---- writing ---- */

static void put_u64(struct strbuf *sb, unsigned long long v)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	strbuf_add(sb, b, 8);
}

static void put_u32(struct strbuf *sb, unsigned v)
{
	unsigned char b[4];
	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	strbuf_add(sb, b, 4);
}

static void put_str(struct strbuf *sb, const char *s)
{
	if (!s) {
		put_u32(sb, NULL_LEN);
		return;
	}
	size_t n = strlen(s);
	put_u32(sb, (unsigned)n);
	strbuf_add(sb, s, n);
}

static void put_list(struct strbuf *sb, const struct strvec *v)
{
	put_u32(sb, (unsigned)v->nr);
	for (size_t i = 0; i < v->nr; i++)
		put_str(sb, v->v[i]);
}

static void put_section(struct strbuf *sb, const struct rt_section *sec)
{
	put_u64(sb, (unsigned long long)sec->present);
	put_u64(sb, (unsigned long long)sec->transactional);
	put_u64(sb, (unsigned long long)sec->marker_line);
	put_u64(sb, sec->off);
	put_u64(sb, sec->len);
}

static void put_stat(struct strbuf *sb, const struct rt_hdrcache_entry *e)
{
	put_u64(sb, e->dev);
	put_u64(sb, e->ino);
	put_u64(sb, e->size);
	put_u64(sb, (unsigned long long)e->mtime_s);
	put_u64(sb, (unsigned long long)e->mtime_ns);
	put_u64(sb, (unsigned long long)e->ctime_s);
	put_u64(sb, (unsigned long long)e->ctime_ns);
}

/* What an entry records after its stat: the parse of the file. */
static void put_script(struct strbuf *sb, const struct rt_script *s)
{
	put_str(sb, s->id);
	put_u64(sb, (unsigned long long)s->id_line);
	put_list(sb, &s->down);
	put_u64(sb, (unsigned long long)s->down_line);
	put_list(sb, &s->deps);
	put_u64(sb, (unsigned long long)s->deps_line);
	put_list(sb, &s->labels);
	put_u64(sb, (unsigned long long)s->labels_line);
	put_str(sb, s->create_date);
	put_str(sb, s->longdoc);
	put_str(sb, s->doc);
	put_section(sb, &s->up);
	put_section(sb, &s->downgrade);
	put_u64(sb, (unsigned long long)s->has_sql);
	put_u64(sb, s->py_path ? 1 : 0);
}

/* ---- reading: every getter fails once the input is exhausted ---- */

struct rd {
	const unsigned char *p, *end;
	int bad;
};

static unsigned long long get_u64(struct rd *r)
{
	if (r->bad || r->end - r->p < 8) {
		r->bad = 1;
		return 0;
	}
	unsigned long long v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | r->p[i];
	r->p += 8;
	return v;
}

static int get_int(struct rd *r)
{
	unsigned long long v = get_u64(r);
	if (v > INT_MAX)
		r->bad = 1;
	return r->bad ? 0 : (int)v;
}

static unsigned get_u32(struct rd *r)
{
	if (r->bad || r->end - r->p < 4) {
		r->bad = 1;
		return 0;
	}
	unsigned v = (unsigned)r->p[0] | (unsigned)r->p[1] << 8 | (unsigned)r->p[2] << 16 |
		     (unsigned)r->p[3] << 24;
	r->p += 4;
	return v;
}

static char *get_str(struct rd *r)
{
	unsigned n = get_u32(r);
	if (r->bad || n == NULL_LEN)
		return NULL;
	if ((size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return NULL;
	}
	char *s = xmalloc((size_t)n + 1);
	memcpy(s, r->p, n);
	s[n] = 0;
	r->p += n;
	return s;
}

/* Step over a string; 1 when it is there and not NULL. */
static int skip_str(struct rd *r)
{
	unsigned n = get_u32(r);
	if (r->bad || n == NULL_LEN)
		return 0;
	if ((size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return 0;
	}
	r->p += n;
	return 1;
}

static void get_list(struct rd *r, struct strvec *v)
{
	unsigned n = get_u32(r);
	for (unsigned i = 0; i < n && !r->bad; i++) {
		unsigned len = get_u32(r);
		if (r->bad || len == NULL_LEN || (size_t)(r->end - r->p) < len) {
			r->bad = 1;
			break;
		}
		strvec_pushn(v, (const char *)r->p, len);
		r->p += len;
	}
}

static void skip_list(struct rd *r)
{
	unsigned n = get_u32(r);
	for (unsigned i = 0; i < n && !r->bad; i++)
		if (!skip_str(r))
			r->bad = 1;
}

static void get_section(struct rd *r, struct rt_section *sec)
{
	sec->present = get_int(r);
	sec->transactional = get_int(r);
	sec->marker_line = get_int(r);
	sec->off = get_u64(r);
	sec->len = get_u64(r);
}

/*
 * One entry of the file: its stat fields are read, the rest is checked
 * and stepped over (`rec` keeps where it is), so that a run decodes only
 * the entries it uses, once, and writes unchanged ones back byte for byte.
 */
static void get_stat(struct rd *r, struct rt_hdrcache_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->dev = get_u64(r);
	e->ino = get_u64(r);
	e->size = get_u64(r);
	e->mtime_s = (long long)get_u64(r);
	e->mtime_ns = (long long)get_u64(r);
	e->ctime_s = (long long)get_u64(r);
	e->ctime_ns = (long long)get_u64(r);
}

static int index_entry(struct rd *r, struct rt_hdrcache_entry *e)
{
	get_stat(r, e);
	e->rec = r->p;
	int has_id = skip_str(r);
	get_u64(r);
	skip_list(r);
	get_u64(r);
	skip_list(r);
	get_u64(r);
	skip_list(r);
	get_u64(r);
	for (int i = 0; i < 3; i++)
		skip_str(r);
	for (int i = 0; i < 2 * 5 + 2; i++)
		get_u64(r);
	e->rec_len = (size_t)(r->p - e->rec);
	return r->bad || !has_id ? -1 : 0;
}

/* Decode an indexed entry's header into `s` (init'ed); -1 if malformed. */
static int decode_entry(const struct rt_hdrcache_entry *e, struct rt_script *s)
{
	struct rd r = { e->rec, e->rec + e->rec_len, 0 };
	s->id = get_str(&r);
	s->id_line = get_int(&r);
	get_list(&r, &s->down);
	s->down_line = get_int(&r);
	get_list(&r, &s->deps);
	s->deps_line = get_int(&r);
	get_list(&r, &s->labels);
	s->labels_line = get_int(&r);
	s->create_date = get_str(&r);
	s->longdoc = get_str(&r);
	s->doc = get_str(&r);
	get_section(&r, &s->up);
	get_section(&r, &s->downgrade);
	s->has_sql = get_int(&r);
	/* a .py file: py_path is its own path, filled in on a hit */
	s->py_path = get_int(&r) ? xstrdup("") : NULL;
	if (r.bad || !s->id) {
		rt_script_release(s);
		rt_script_init(s);
		return -1;
	}
	return 0;
}

/* One folder's listing: its stat read, its names checked and stepped over. */
static int index_dir(struct rd *r, struct rt_hdrcache_dir *d)
{
	memset(d, 0, sizeof(*d));
	get_stat(r, &d->st);
	d->rec = r->p;
	skip_list(r);
	skip_list(r);
	d->rec_len = (size_t)(r->p - d->rec);
	return r->bad ? -1 : 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct rt_hdrcache_entry *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* ---- the cache file ---- */

/* FNV-1a: the cache file's name from the locations it covers. */
static unsigned long long fnv(unsigned long long h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/*
 * Map the cache file, rather than read it: its pages come from the page
 * cache as they are, where reading copies them into fresh memory (at
 * 1,000 revisions, a third of a megabyte and a hundred page faults, 5% of
 * a cached `heads`).  NULL for no file, an empty one, or one that cannot
 * be mapped: as if there were none.
 */
static const unsigned char *map_file(const char *path, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	void *p = MAP_FAILED;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (unsigned long long)st.st_size <= SIZE_MAX) {
		*len = (size_t)st.st_size;
		p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	}
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* Map the cache file and index its entries; any flaw, and it is as if
 * there were none. */
static void read_cache(struct rt_hdrcache *hc)
{
	if (!(hc->map = map_file(hc->file, &hc->map_len)))
		return;
	const char *buf = (const char *)hc->map;
	struct rd r = { hc->map, hc->map + hc->map_len, 0 };
	size_t hlen = strlen(MAGIC), elen = strlen(hc->exe);
	if (hc->map_len < hlen + elen + 1 || memcmp(buf, MAGIC, hlen) ||
	    memcmp(buf + hlen, hc->exe, elen) || buf[hlen + elen] != '\n')
		return;
	r.p += hlen + elen + 1;
	unsigned n = get_u32(&r);
	if (r.bad || n > (size_t)(r.end - r.p) / 64)
		return;
	hc->old = xcalloc((size_t)n + 1, sizeof(*hc->old));
	for (unsigned i = 0; i < n; i++) {
		if (index_entry(&r, &hc->old[hc->nold]))
			break;
		hc->nold++;
	}
	if (hc->nold != (int)n) {
		hc->nold = 0;
		return;
	}
	unsigned nd = get_u32(&r);
	if (r.bad || nd > (size_t)(r.end - r.p) / 64) {
		hc->nold = 0;
		return;
	}
	hc->dirs_old = xcalloc((size_t)nd + 1, sizeof(*hc->dirs_old));
	for (unsigned i = 0; i < nd; i++) {
		if (index_dir(&r, &hc->dirs_old[hc->ndirs_old]))
			break;
		hc->ndirs_old++;
	}
	if (hc->ndirs_old != (int)nd || r.p != r.end) {
		/* a flaw anywhere: as if there were no cache */
		hc->nold = hc->ndirs_old = 0;
		return;
	}
	/* written in this order: sort only a file that is not */
	for (int i = 1; i < hc->nold; i++)
		if (cmp_entry(&hc->old[i - 1], &hc->old[i]) > 0) {
			qsort(hc->old, (size_t)hc->nold, sizeof(*hc->old), cmp_entry);
			break;
		}
}

void rt_hdrcache_open(struct rt_hdrcache *hc, const char *dir, const struct strvec *locations,
		      int recursive)
{
	memset(hc, 0, sizeof(*hc));
	struct stat st;
	if (!dir || !*dir || stat("/proc/self/exe", &st))
		return;
	snprintf(hc->exe, sizeof(hc->exe), "%llx:%llx:%llx:%lld.%09ld", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino, (unsigned long long)st.st_size,
		 (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
	unsigned long long h = 14695981039346656037ull;
	char rp[PATH_MAX];
	for (size_t i = 0; i < locations->nr; i++) {
		h = fnv(h, realpath(locations->v[i], rp) ? rp : locations->v[i]);
		h = fnv(h, "\n");
	}
	h = fnv(h, recursive ? "r" : "-");
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s/headers-%016llx", dir, h);
	hc->file = strbuf_detach(&sb);
	hc->young = time(NULL) - 2;
	read_cache(hc);
}

void rt_hdrcache_expect(struct rt_hdrcache *hc, int nfiles)
{
	if (hc->file && nfiles > hc->anow)
		ALLOC_GROW(hc->now, nfiles, hc->anow);
}

static void fill_stat(struct rt_hdrcache_entry *e, const struct stat *st)
{
	e->dev = (unsigned long long)st->st_dev;
	e->ino = (unsigned long long)st->st_ino;
	e->size = (unsigned long long)st->st_size;
	e->mtime_s = st->st_mtim.tv_sec;
	e->mtime_ns = st->st_mtim.tv_nsec;
	e->ctime_s = st->st_ctim.tv_sec;
	e->ctime_ns = st->st_ctim.tv_nsec;
}

static void copy_list(struct strvec *to, const struct strvec *from)
{
	for (size_t i = 0; i < from->nr; i++)
		strvec_push(to, from->v[i]);
}

/* A copy of the parse without its text and path. */
static void copy_script(struct rt_script *to, const struct rt_script *from)
{
	rt_script_init(to);
	to->id = xstrdup(from->id);
	to->id_line = from->id_line;
	copy_list(&to->down, &from->down);
	to->down_line = from->down_line;
	copy_list(&to->deps, &from->deps);
	to->deps_line = from->deps_line;
	copy_list(&to->labels, &from->labels);
	to->labels_line = from->labels_line;
	to->create_date = from->create_date ? xstrdup(from->create_date) : NULL;
	to->longdoc = from->longdoc ? xstrdup(from->longdoc) : NULL;
	to->doc = from->doc ? xstrdup(from->doc) : NULL;
	to->up = from->up;
	to->downgrade = from->downgrade;
	to->has_sql = from->has_sql;
	to->py_path = from->py_path ? xstrdup("") : NULL;
}

/* Whether two stats of one inode say it is unchanged. */
static int same_stat(const struct rt_hdrcache_entry *a, const struct rt_hdrcache_entry *b)
{
	return a->size == b->size && a->mtime_s == b->mtime_s && a->mtime_ns == b->mtime_ns &&
	       a->ctime_s == b->ctime_s && a->ctime_ns == b->ctime_ns;
}

/* Changed within the last two seconds: an edit within the clock's tick
 * after now could keep every stat field, so it is read again next time. */
static int too_young(const struct rt_hdrcache *hc, const struct stat *st)
{
	return st->st_mtim.tv_sec >= hc->young || st->st_ctim.tv_sec >= hc->young;
}

/* The entry read from the file for exactly this stat, or NULL. */
static const struct rt_hdrcache_entry *find_same(const struct rt_hdrcache *hc, const struct stat *st)
{
	if (!hc->nold)
		return NULL;
	struct rt_hdrcache_entry key;
	fill_stat(&key, st);
	const struct rt_hdrcache_entry *e = bsearch(&key, hc->old, (size_t)hc->nold, sizeof(key),
						    cmp_entry);
	return e && same_stat(e, &key) ? e : NULL;
}

int rt_hdrcache_lookup(struct rt_hdrcache *hc, const struct stat *st, const char *path,
		       struct rt_script *s)
{
	const struct rt_hdrcache_entry *e = find_same(hc, st);
	if (!e || decode_entry(e, s))
		return 0;
	s->path = xstrdup(path);
	if (s->py_path) {
		free(s->py_path);
		s->py_path = xstrdup(path);
	}
	return 1;
}

void rt_hdrcache_note(struct rt_hdrcache *hc, const struct stat *st, const struct rt_script *s)
{
	if (!hc->file)
		return;
	if (too_young(hc, st)) {
		hc->changed = 1;
		return;
	}
	ALLOC_GROW(hc->now, hc->nnow + 1, hc->anow);
	struct rt_hdrcache_entry *e = &hc->now[hc->nnow++];
	const struct rt_hdrcache_entry *same = find_same(hc, st);
	/* an unchanged file's entry is written from the old one: no copy */
	e->same = same;
	e->s = NULL;
	fill_stat(e, st);
	if (same) {
		hc->nsame++;
		return;
	}
	hc->changed = 1;
	e->s = xmalloc(sizeof(*e->s));
	copy_script(e->s, s);
}

/* ---- folder listings ---- */

/* The listing read from the file for exactly this folder stat, or NULL.
 * A run walks a handful of folders: a linear search. */
static const struct rt_hdrcache_dir *find_dir(const struct rt_hdrcache *hc, const struct stat *st)
{
	struct rt_hdrcache_entry key;
	fill_stat(&key, st);
	for (int i = 0; i < hc->ndirs_old; i++) {
		const struct rt_hdrcache_dir *d = &hc->dirs_old[i];
		if (d->st.dev == key.dev && d->st.ino == key.ino && same_stat(&d->st, &key))
			return d;
	}
	return NULL;
}

static struct rt_hdrcache_dir *add_dir(struct rt_hdrcache *hc, const struct stat *st)
{
	ALLOC_GROW(hc->dirs_now, hc->ndirs_now + 1, hc->adirs_now);
	struct rt_hdrcache_dir *d = &hc->dirs_now[hc->ndirs_now++];
	memset(d, 0, sizeof(*d));
	strbuf_init(&d->fresh);
	fill_stat(&d->st, st);
	return d;
}

int rt_hdrcache_listing(struct rt_hdrcache *hc, const struct stat *st, struct strvec *names,
			struct strvec *subdirs)
{
	const struct rt_hdrcache_dir *old = hc->file ? find_dir(hc, st) : NULL;
	if (!old)
		return 0;
	struct rd r = { old->rec, old->rec + old->rec_len, 0 };
	get_list(&r, names);
	get_list(&r, subdirs);
	if (r.bad) {
		strvec_clear(names);
		strvec_clear(subdirs);
		return 0;
	}
	struct rt_hdrcache_dir *d = add_dir(hc, st);
	d->rec = old->rec;
	d->rec_len = old->rec_len;
	hc->ndirs_same++;
	return 1;
}

void rt_hdrcache_note_listing(struct rt_hdrcache *hc, const struct stat *st,
			      const struct strvec *names, const struct strvec *subdirs)
{
	if (!hc->file)
		return;
	/* the folder's cached listing was just taken and refused by the caller
	 * (a damaged one): this listing replaces it */
	struct rt_hdrcache_dir *last = hc->ndirs_now ? &hc->dirs_now[hc->ndirs_now - 1] : NULL;
	if (last && !last->fresh.len && last->st.dev == (unsigned long long)st->st_dev &&
	    last->st.ino == (unsigned long long)st->st_ino) {
		hc->ndirs_now--;
		hc->ndirs_same--;
	}
	if (too_young(hc, st)) {
		hc->changed = 1;
		return;
	}
	struct rt_hdrcache_dir *d = add_dir(hc, st);
	put_list(&d->fresh, names);
	put_list(&d->fresh, subdirs);
	/* listed again unchanged (a command that does not trust listings) */
	const struct rt_hdrcache_dir *old = find_dir(hc, st);
	if (old && old->rec_len == d->fresh.len && !memcmp(old->rec, d->fresh.buf, old->rec_len)) {
		strbuf_release(&d->fresh);
		d->rec = old->rec;
		d->rec_len = old->rec_len;
		hc->ndirs_same++;
		return;
	}
	d->rec = (const unsigned char *)d->fresh.buf;
	d->rec_len = d->fresh.len;
	hc->changed = 1;
}

static void write_cache(struct rt_hdrcache *hc)
{
	struct strbuf sb = STRBUF_INIT, tmp = STRBUF_INIT;
	strbuf_addstr(&sb, MAGIC);
	strbuf_addstr(&sb, hc->exe);
	strbuf_addch(&sb, '\n');
	put_u32(&sb, (unsigned)hc->nnow);
	/* in the order lookups search, so that reading needs no sort
	 * (an empty project has no array: qsort must not see NULL) */
	if (hc->nnow > 1)
		qsort(hc->now, (size_t)hc->nnow, sizeof(*hc->now), cmp_entry);
	for (int i = 0; i < hc->nnow; i++) {
		const struct rt_hdrcache_entry *e = &hc->now[i];
		/* an unchanged file's record goes back as it was read */
		put_stat(&sb, e);
		if (e->same)
			strbuf_add(&sb, e->same->rec, e->same->rec_len);
		else
			put_script(&sb, e->s);
	}
	put_u32(&sb, (unsigned)hc->ndirs_now);
	for (int i = 0; i < hc->ndirs_now; i++) {
		put_stat(&sb, &hc->dirs_now[i].st);
		strbuf_add(&sb, hc->dirs_now[i].rec, hc->dirs_now[i].rec_len);
	}
	/* the directory may not exist yet: make it and its parent, private */
	char *slash = strrchr(hc->file, '/');
	if (slash) {
		struct strbuf d = STRBUF_INIT;
		strbuf_add(&d, hc->file, (size_t)(slash - hc->file));
		char *up = strrchr(d.buf, '/');
		if (up) {
			*up = 0;
			mkdir(d.buf, 0700);
			*up = '/';
		}
		mkdir(d.buf, 0700);
		strbuf_release(&d);
	}
	strbuf_addf(&tmp, "%s.tmp.%ld", hc->file, (long)getpid());
	int fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		size_t off = 0;
		while (off < sb.len) {
			ssize_t n = write(fd, sb.buf + off, sb.len - off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			off += (size_t)n;
		}
		if (close(fd) || off != sb.len || rename(tmp.buf, hc->file))
			unlink(tmp.buf);
	}
	strbuf_release(&tmp);
	strbuf_release(&sb);
}

void rt_hdrcache_close(struct rt_hdrcache *hc, int write)
{
	if (write && hc->file &&
	    (hc->changed || hc->nsame != hc->nold || hc->ndirs_same != hc->ndirs_old))
		write_cache(hc);
	for (int i = 0; i < hc->ndirs_now; i++)
		strbuf_release(&hc->dirs_now[i].fresh);
	free(hc->dirs_old);
	free(hc->dirs_now);
	for (int i = 0; i < hc->nnow; i++)
		if (hc->now[i].s) {
			rt_script_release(hc->now[i].s);
			free(hc->now[i].s);
		}
	if (hc->map)
		munmap((void *)hc->map, hc->map_len);
	free(hc->old);
	free(hc->now);
	free(hc->file);
	memset(hc, 0, sizeof(*hc));
}

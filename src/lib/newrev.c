/*
 * Writing a new revision file: its id, its parents, the template filled
 * in (DIR/script.sql.tmpl, else the built-in one), the file created.
 */
#include "newrev.h"
#include "fileio.h"
#include "resolve.h"
#include "strbuf.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

const char rt_default_template[] =
	"-- ${message}\n"
	"--\n"
	"-- Revision ID: ${up_revision}\n"
	"-- Revises: ${down_revision}\n"
	"-- Create Date: ${create_date}\n"
	"-- Branch Labels: ${branch_labels}\n"
	"-- Depends On: ${depends_on}\n"
	"\n"
	"-- migrate:upgrade\n"
	"\n"
	"\n"
	"-- migrate:downgrade\n"
	"\n";

void rt_new_rev_id(char out[13])
{
	unsigned char b[6];
	size_t got = 0;
	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
		if (n > 0)
			got += (size_t)n;
		else if (errno != EINTR)
			break;
	}
	if (got < sizeof(b)) {
		/* no entropy source: fall back to time and pid, still unique enough per dir */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		unsigned long long x = (unsigned long long)ts.tv_nsec ^ ((unsigned long long)ts.tv_sec << 20) ^
				       (unsigned long long)getpid() << 40;
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)(x >> (i * 8));
	}
	for (int i = 0; i < 6; i++)
		snprintf(out + i * 2, 3, "%02x", b[i]);
}

/* Python's \w on UTF-8 text: ASCII letters, digits, '_', and any non-ASCII byte. */
static int is_word_byte(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

char *rt_slugify(const char *message, int max)
{
	struct strbuf sb = STRBUF_INIT;
	const unsigned char *p = (const unsigned char *)(message ? message : "");
	while (*p) {
		while (*p && !is_word_byte(*p))
			p++;
		if (!*p)
			break;
		if (sb.len)
			strbuf_addch(&sb, '_');
		while (*p && is_word_byte(*p))
			strbuf_addch(&sb, (char)tolower(*p++));
	}
	if (max > 0 && sb.len > (size_t)max) {
		size_t cut = (size_t)max;
		/* don't split a UTF-8 sequence */
		while (cut > 0 && ((unsigned char)sb.buf[cut] & 0xC0) == 0x80)
			cut--;
		strbuf_setlen(&sb, cut);
		char *us = strrchr(sb.buf, '_');
		if (us)
			strbuf_setlen(&sb, (size_t)(us - sb.buf));
		strbuf_addch(&sb, '_');
	}
	return strbuf_detach(&sb);
}

static int zone_exists(const char *tz)
{
	const char *dir = getenv("TZDIR");
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
	return !access(path, R_OK) && !strstr(tz, "..");
}

int rt_create_time_now(struct rt_create_time *t, const char *tz, struct rt_error *err)
{
	struct timespec ts;
	char *old = NULL, *zone = NULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	t->epoch = ts.tv_sec;
	t->usec = ts.tv_nsec / 1000;
	if (tz) {
		zone = xstrdup(tz);
		if (!zone_exists(zone)) {
			for (char *p = zone; *p; p++)
				*p = (char)toupper((unsigned char)*p);
			if (!zone_exists(zone)) {
				free(zone);
				return rt_error_set(err, RT_EXIT_ERROR,
						    "can't locate timezone '%s' (from the 'timezone' setting); "
						    "use an IANA name such as 'UTC' or 'Europe/Paris'", tz);
			}
		}
		const char *o = getenv("TZ");
		old = o ? xstrdup(o) : NULL;
		setenv("TZ", zone, 1);
		tzset();
	}
	localtime_r(&t->epoch, &t->tm);
	size_t n = strftime(t->text, sizeof(t->text), "%Y-%m-%d %H:%M:%S", &t->tm);
	if (t->usec)
		n += (size_t)snprintf(t->text + n, sizeof(t->text) - n, ".%06ld", t->usec);
	if (tz) {
		long off = t->tm.tm_gmtoff;
		char sign = off < 0 ? '-' : '+';
		if (off < 0)
			off = -off;
		snprintf(t->text + n, sizeof(t->text) - n, "%c%02ld:%02ld", sign, off / 3600,
			 (off % 3600) / 60);
		if (old)
			setenv("TZ", old, 1);
		else
			unsetenv("TZ");
		tzset();
	}
	free(old);
	free(zone);
	return 0;
}

/*
 * A small Python %-formatter for file_template: "%(name)" then optional
 * flags, width and precision, then 's' or 'd'.
 */
int rt_format_file_template(const char *tmpl, const char *rev, const char *slug,
			    const struct rt_create_time *t, char **out, struct rt_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	const struct { const char *name; long num; const char *str; } vars[] = {
		{ "rev", 0, rev },
		{ "slug", 0, slug },
		{ "epoch", (long)t->epoch, NULL },
		{ "year", t->tm.tm_year + 1900, NULL },
		{ "month", t->tm.tm_mon + 1, NULL },
		{ "day", t->tm.tm_mday, NULL },
		{ "hour", t->tm.tm_hour, NULL },
		{ "minute", t->tm.tm_min, NULL },
		{ "second", t->tm.tm_sec, NULL },
	};
	for (const char *p = tmpl; *p; p++) {
		if (*p != '%') {
			strbuf_addch(&sb, *p);
			continue;
		}
		if (p[1] == '%') {
			strbuf_addch(&sb, '%');
			p++;
			continue;
		}
		const char *close = p[1] == '(' ? strchr(p + 2, ')') : NULL;
		if (!close)
			goto bad;
		size_t nl = (size_t)(close - p - 2);
		int v = -1;
		for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
			if (strlen(vars[i].name) == nl && !strncmp(vars[i].name, p + 2, nl))
				v = (int)i;
		if (v < 0) {
			rt_error_set(err, RT_EXIT_ERROR,
				     "file_template '%s' uses unknown key '%.*s'; known: rev, slug, epoch, "
				     "year, month, day, hour, minute, second", tmpl, (int)nl, p + 2);
			strbuf_release(&sb);
			return -1;
		}
		const char *q = close + 1;
		char spec[32] = "%";
		size_t sl = 1;
		while (*q && strchr("-+ 0#", *q) && sl < 20)
			spec[sl++] = *q++;
		while (isdigit((unsigned char)*q) && sl < 24)
			spec[sl++] = *q++;
		if (*q == '.') {
			spec[sl++] = *q++;
			while (isdigit((unsigned char)*q) && sl < 28)
				spec[sl++] = *q++;
		}
		if (*q == 's') {
			char num[32];
			const char *s = vars[v].str;
			if (!s) {
				snprintf(num, sizeof(num), "%ld", vars[v].num);
				s = num;
			}
			spec[sl++] = 's';
			spec[sl] = '\0';
			strbuf_addf(&sb, spec, s);
		} else if (*q == 'd' || *q == 'i') {
			if (vars[v].str) {
				rt_error_set(err, RT_EXIT_ERROR,
					     "file_template '%s': '%.*s' is text; format it with 's', not '%c'",
					     tmpl, (int)nl, p + 2, *q);
				strbuf_release(&sb);
				return -1;
			}
			spec[sl++] = 'l';
			spec[sl++] = 'd';
			spec[sl] = '\0';
			strbuf_addf(&sb, spec, vars[v].num);
		} else {
			goto bad;
		}
		p = q;
	}
	if (strchr(sb.buf, '/')) {
		rt_error_set(err, RT_EXIT_ERROR,
			     "file_template '%s' produced '%s', which contains '/'", tmpl, sb.buf);
		strbuf_release(&sb);
		return -1;
	}
	*out = strbuf_detach(&sb);
	return 0;
bad:
	strbuf_release(&sb);
	return rt_error_set(err, RT_EXIT_ERROR,
			    "file_template '%s' is malformed: use %%(name)s or %%(name)d tokens, and "
			    "%%%% for a literal percent sign", tmpl);
}

int rt_render_template(const char *text, const char *where, const struct strvec *keys,
		       const struct strvec *vals, char **out, struct rt_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int line = 1;
	const char *bol = text;
	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			line++;
			bol = p + 1;
		}
		if (*p != '$') {
			strbuf_addch(&sb, *p);
			continue;
		}
		if (p[1] == '$') {
			strbuf_addch(&sb, '$');
			p++;
			continue;
		}
		if (p[1] != '{') {
			strbuf_addch(&sb, '$');
			continue;
		}
		const char *close = strchr(p + 2, '}');
		const char *nl = strchr(p + 2, '\n');
		if (!close || (nl && nl < close)) {
			rt_error_set(err, RT_EXIT_ERROR, "%s:%d:%d: unclosed '${' in template", where, line,
				     (int)(p - bol) + 1);
			strbuf_release(&sb);
			return -1;
		}
		char *name = xstrndup(p + 2, (size_t)(close - p - 2));
		int i = strvec_find(keys, name);
		if (i < 0) {
			rt_error_set(err, RT_EXIT_ERROR,
				     "%s:%d:%d: unknown placeholder '${%s}'; known: message, up_revision, "
				     "down_revision, create_date, branch_labels, depends_on, x.KEY (from -x "
				     "KEY=VALUE)", where, line, (int)(p - bol) + 1, name);
			free(name);
			strbuf_release(&sb);
			return -1;
		}
		free(name);
		strbuf_addstr(&sb, vals->v[i]);
		p = close;
	}
	/* an empty placeholder must not leave trailing blanks behind */
	struct strbuf trimmed = STRBUF_INIT;
	const char *p = sb.buf;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		size_t k = n;
		while (k && (p[k - 1] == ' ' || p[k - 1] == '\t'))
			k--;
		strbuf_add(&trimmed, p, k);
		if (nl)
			strbuf_addch(&trimmed, '\n');
		p += n + (nl ? 1 : 0);
	}
	strbuf_release(&sb);
	*out = strbuf_detach(&trimmed);
	return 0;
}

static int write_new_file(const char *path, const char *text, struct rt_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0 && (errno == EACCES || errno == EPERM || errno == EROFS))
		return rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_WRITE_ACCESS, "cannot create '%s': %s",
				       path, strerror(errno));
	if (fd < 0)
		return rt_error_set(err, RT_EXIT_ERROR, "cannot create '%s': %s", path, strerror(errno));
	size_t len = strlen(text), done = 0;
	while (done < len) {
		ssize_t w = write(fd, text + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;
			close(fd);
			unlink(path);
			return rt_error_set(err, RT_EXIT_ERROR, "cannot write '%s': %s", path, strerror(e));
		}
		done += (size_t)w;
	}
	if (close(fd)) {
		unlink(path);
		return rt_error_set(err, RT_EXIT_ERROR, "cannot write '%s': %s", path, strerror(errno));
	}
	return 0;
}

static char *dir_of_path(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? xstrndup(p, (size_t)(s - p)) : xstrdup(".");
}

/* `p` made absolute against the working directory, with ".", ".." and
 * repeated slashes taken out lexically (symbolic links stay): Python's
 * os.path.normpath(os.path.abspath(p)), which Alembic compares. */
static char *norm_abs_path(const char *p)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	if (*p != '/') {
		char *cwd = getcwd(NULL, 0);
		strbuf_addstr(&in, cwd ? cwd : "");
		free(cwd);
	}
	strbuf_addch(&in, '/');
	strbuf_addstr(&in, p);
	for (const char *c = in.buf; *c;) {
		size_t n = strcspn(c, "/");
		if (n == 2 && !strncmp(c, "..", 2)) {
			char *up = out.len ? strrchr(out.buf, '/') : NULL;
			if (up)
				strbuf_setlen(&out, (size_t)(up - out.buf));
		} else if (n && !(n == 1 && *c == '.')) {
			strbuf_addch(&out, '/');
			strbuf_add(&out, c, n);
		}
		c += n;
		while (*c == '/')
			c++;
	}
	if (!out.len)
		strbuf_addch(&out, '/');
	strbuf_release(&in);
	return strbuf_detach(&out);
}

/* mkdir -p `dir`. */
static int make_dirs(const char *dir, struct rt_error *err)
{
	char *p = xstrdup(dir);
	int rc = 0;
	for (char *s = p + 1;; s++) {
		if (*s && *s != '/')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0777) && errno != EEXIST) {
			rc = rt_error_set(err, RT_EXIT_ERROR, "cannot create the version location '%s': %s",
					  p, strerror(errno));
			break;
		}
		if (!(*s = c))
			break;
	}
	free(p);
	return rc;
}

/* Which of the version locations is `path` (as Alembic matches --version-path)?  -1: none. */
static int find_location(const struct strvec *locations, const char *path)
{
	char *want = norm_abs_path(path);
	int found = -1;
	for (size_t i = 0; found < 0 && i < locations->nr; i++) {
		char *loc = norm_abs_path(locations->v[i]);
		if (!strcmp(loc, want))
			found = (int)i;
		free(loc);
	}
	free(want);
	return found;
}

/* The parents of the new revision, as Alembic's generate_revision picks them. */
static int pick_parents(const struct rt_graph *g, const struct rt_newrev *o, struct intlist *out,
			struct rt_error *err)
{
	if (o->parents) {
		for (size_t i = 0; i < o->parents->nr; i++)
			if (rt_resolve(g, o->parents->v[i], out, err))
				return -1;
	} else {
		const char *head = o->head ? o->head : "head";
		if (!o->head && g->heads.nr > 1)
			return rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_NAME_HEAD,
					       "multiple heads are present; name the head to build on");
		if (rt_resolve(g, head, out, err))
			return -1;
	}
	for (int i = 0; i < out->nr; i++)
		for (int j = i + 1; j < out->nr; j++)
			if (out->v[i] == out->v[j])
				return rt_error_set(err, RT_EXIT_ERROR, "revision %s is named twice as a parent",
						    g->revs[out->v[i]].id);
	if (!o->splice && !o->parents)
		for (int i = 0; i < out->nr; i++)
			if (!rt_rev_is_head(&g->revs[out->v[i]]))
				return rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_SPLICE,
						       "revision %s is not a head revision",
						       g->revs[out->v[i]].id);
	return 0;
}

/* Put `body` on the lines after the first line that starts with `marker`. */
static void insert_after_marker(char **text, const char *marker, const char *body)
{
	size_t ml = strlen(marker);
	for (char *p = *text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, marker, ml))
			continue;
		char *eol = strchr(p, '\n');
		size_t at = eol ? (size_t)(eol + 1 - *text) : strlen(*text);
		struct strbuf sb = STRBUF_INIT;
		strbuf_add(&sb, *text, at);
		if (!eol)
			strbuf_addch(&sb, '\n');
		strbuf_addstr(&sb, body);
		strbuf_addstr(&sb, *text + at);
		free(*text);
		*text = strbuf_detach(&sb);
		return;
	}
}

int rt_revision_create(const struct rt_config *c, const struct rt_scriptdir *sd,
		       const struct rt_newrev *o, char **path_out, struct rt_error *err)
{
	const struct rt_graph *g = &sd->graph;
	struct intlist parents = { 0 };
	struct strvec keys = STRVEC_INIT, vals = STRVEC_INIT, deps = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT, tmpl_path = STRBUF_INIT, down = STRBUF_INIT;
	char idbuf[13], *slug = NULL, *fname = NULL, *tmpl = NULL, *text = NULL, *dir = NULL;
	struct rt_create_time ct;
	int rc = -1;

	const char *id = o->rev_id;
	if (!id) {
		rt_new_rev_id(idbuf);
		id = idbuf;
	}
	if (rt_revid_check(id, "the new revision's id: ", err))
		goto out;
	if (rt_graph_find(g, id) >= 0 || rt_graph_find_label(g, id) >= 0) {
		rt_error_set(err, RT_EXIT_ERROR, "revision id '%s' is already in use", id);
		goto out;
	}
	if (pick_parents(g, o, &parents, err))
		goto out;
	for (size_t i = 0; o->labels && i < o->labels->nr; i++) {
		const char *l = o->labels->v[i];
		if (rt_graph_find_label(g, l) >= 0 || rt_graph_find(g, l) >= 0) {
			rt_error_set(err, RT_EXIT_ERROR, "branch label '%s' is already used by revision %s",
				     l, g->revs[rt_graph_find_label(g, l) >= 0 ? rt_graph_find_label(g, l)
										: rt_graph_find(g, l)].id);
			goto out;
		}
		if (strchr(l, ',') || strchr(l, '@') || !*l) {
			rt_error_set(err, RT_EXIT_ERROR, "branch label '%s' may not be empty or contain ',' "
				     "or '@'", l);
			goto out;
		}
	}
	for (size_t i = 0; o->depends_on && i < o->depends_on->nr; i++) {
		int r;
		const char *dep = o->depends_on->v[i];
		if (rt_resolve_one(g, dep, &r, err))
			goto out;
		if (r < 0) {
			rt_error_set(err, RT_EXIT_ERROR, "the dependency '%s' names no revision", dep);
			goto out;
		}
		/* keep a branch label as written; expand partial ids */
		strvec_push(&deps, strvec_find(&g->revs[r].labels, dep) >= 0 ? dep : g->revs[r].id);
	}

	/* where the file goes */
	if (o->version_path) {
		int missing = find_location(&c->version_locations, o->version_path) < 0;
		if (missing && find_location(&c->missing_version_locations, o->version_path) < 0) {
			struct strvec all = STRVEC_INIT;
			for (size_t i = 0; i < c->version_locations.nr; i++)
				strvec_push(&all, c->version_locations.v[i]);
			for (size_t i = 0; i < c->missing_version_locations.nr; i++)
				strvec_push(&all, c->missing_version_locations.v[i]);
			char *list = strvec_join(&all, ", ");
			rt_error_set(err, RT_EXIT_ERROR, "the version path '%s' is not one of the version "
				     "locations (%s); give one of them, relative to the working directory "
				     "or absolute", o->version_path, list);
			free(list);
			strvec_clear(&all);
			goto out;
		}
		dir = xstrdup(*o->version_path ? o->version_path : ".");
		for (size_t l = strlen(dir); l > 1 && dir[l - 1] == '/'; l--)
			dir[l - 1] = '\0';
		/* a configured location not made yet: made now, as Alembic does */
		if (missing && make_dirs(dir, err))
			goto out;
	} else if (c->version_locations.nr > 1) {
		if (!parents.nr) {
			rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_VERSION_PATH,
					"several version locations are configured");
			goto out;
		}
		dir = dir_of_path(g->revs[parents.v[0]].script->path);
	} else {
		dir = xstrdup(c->version_locations.v[0]);
	}

	if (rt_create_time_now(&ct, c->timezone, err))
		goto out;
	slug = rt_slugify(o->message, c->truncate_slug_length);
	if (rt_format_file_template(c->file_template, id, slug, &ct, &fname, err))
		goto out;
	strbuf_addf(&path, "%s/%s.sql", dir, fname);

	strbuf_addf(&tmpl_path, "%s/script.sql.tmpl", c->script_location);
	struct strbuf tmpl_text = STRBUF_INIT;
	if (!rt_read_file(tmpl_path.buf, &tmpl_text, RT_READ_NO_LIMIT, err)) {
		tmpl = strbuf_detach(&tmpl_text);
	} else {
		if (errno != ENOENT) {
			rt_error_prefix(err, "template");
			goto out;
		}
		rt_error_clear(err);
		tmpl = xstrdup(rt_default_template);
		strbuf_reset(&tmpl_path);
		strbuf_addstr(&tmpl_path, "(built-in template)");
	}
	for (int i = 0; i < parents.nr; i++)
		strbuf_addf(&down, "%s%s", i ? ", " : "", g->revs[parents.v[i]].id);
	char *labels = o->labels ? strvec_join(o->labels, ", ") : xstrdup("");
	char *depstr = strvec_join(&deps, ", ");
	const char *msg = o->message ? o->message : "empty message";
	/* a multi-line message stays inside the comment header */
	struct strbuf m = STRBUF_INIT;
	for (const char *p = msg; *p; p++) {
		strbuf_addch(&m, *p);
		if (*p == '\n' && p[1])
			strbuf_addstr(&m, "-- ");
	}
	strvec_push(&keys, "message");
	strvec_push(&vals, m.buf);
	strvec_push(&keys, "up_revision");
	strvec_push(&vals, id);
	strvec_push(&keys, "down_revision");
	strvec_push(&vals, down.buf);
	strvec_push(&keys, "create_date");
	strvec_push(&vals, ct.text);
	strvec_push(&keys, "branch_labels");
	strvec_push(&vals, labels);
	strvec_push(&keys, "depends_on");
	strvec_push(&vals, depstr);
	strbuf_release(&m);
	free(labels);
	free(depstr);
	for (size_t i = 0; i < c->xkeys.nr; i++) {
		struct strbuf k = STRBUF_INIT;
		strbuf_addf(&k, "x.%s", c->xkeys.v[i]);
		strvec_push(&keys, k.buf);
		strvec_push(&vals, c->xvals.v[i]);
		strbuf_release(&k);
	}
	strvec_push(&keys, "upgrades");
	strvec_push(&vals, o->upgrades ? o->upgrades : "");
	strvec_push(&keys, "downgrades");
	strvec_push(&vals, o->downgrades ? o->downgrades : "");
	if (rt_render_template(tmpl, tmpl_path.buf, &keys, &vals, &text, err))
		goto out;
	if (o->upgrades && !strstr(tmpl, "${upgrades}"))
		insert_after_marker(&text, "-- migrate:upgrade", o->upgrades);
	if (o->downgrades && !strstr(tmpl, "${downgrades}"))
		insert_after_marker(&text, "-- migrate:downgrade", o->downgrades);
	if (!access(path.buf, F_OK)) {
		rt_error_set(err, RT_EXIT_ERROR, "'%s' already exists", path.buf);
		goto out;
	}
	if (write_new_file(path.buf, text, err))
		goto out;
	/* read it back as any other script would be: the template must make valid files */
	{
		struct rt_script s;
		rt_script_init(&s);
		int bad = rt_script_load(&s, path.buf, err);
		if (!bad && o->labels && o->labels->nr && !s.labels.nr)
			bad = rt_error_set(err, RT_EXIT_ERROR,
					   "%s has no '-- Branch Labels:' line, so the labels were lost; add "
					   "'-- Branch Labels: ${branch_labels}' to the template", tmpl_path.buf);
		else if (!bad && strcmp(s.id, id))
			bad = rt_error_set(err, RT_EXIT_ERROR,
					   "%s does not write '-- Revision ID: ${up_revision}'", tmpl_path.buf);
		rt_script_release(&s);
		if (bad) {
			unlink(path.buf);
			rt_error_prefix(err, "the template made an invalid file (removed)");
			goto out;
		}
	}
	*path_out = strbuf_detach(&path);
	rc = 0;
out:
	intlist_release(&parents);
	strvec_clear(&keys);
	strvec_clear(&vals);
	strvec_clear(&deps);
	strbuf_release(&path);
	strbuf_release(&tmpl_path);
	strbuf_release(&down);
	free(slug);
	free(fname);
	free(tmpl);
	free(text);
	free(dir);
	return rc;
}

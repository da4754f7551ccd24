/*
 * Fleets: the target-list parser and the scheduler that runs one forked
 * child per target, up to `jobs` at once, with canaries, stop-on-failure
 * and signal handling (see fleet.h).  Nothing here prints: the command
 * layer hears of each target through the hooks.
 */
#include "fleet.h"
#include "../lib/clock.h"
#include "../lib/url.h"
#include "../lib/xalloc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

void rt_targets_init(struct rt_targets *t)
{
	memset(t, 0, sizeof(*t));
}

void rt_targets_release(struct rt_targets *t)
{
	for (size_t i = 0; i < t->nr; i++) {
		free(t->v[i].url);
		free(t->v[i].schema);
		free(t->v[i].where);
	}
	free(t->v);
	rt_targets_init(t);
}

char *rt_target_label(const struct rt_target *t)
{
	struct strbuf sb = STRBUF_INIT;
	char *m = rt_url_mask(t->url);
	strbuf_addstr(&sb, m);
	free(m);
	if (t->schema)
		strbuf_addf(&sb, " schema=%s", t->schema);
	return strbuf_detach(&sb);
}

/* A PostgreSQL identifier retort can put in search_path unquoted. */
static int plain_identifier(const char *s)
{
	if (!*s || !(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	for (; *s; s++)
		if (!(*s == '_' || *s == '$' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Where a line's error is: "FILE:LINE:COL" or "LABEL, column COL". */
static void line_where(char *buf, size_t n, const char *file, int line, const char *label, size_t col)
{
	if (file)
		snprintf(buf, n, "%s:%d:%zu", file, line, col);
	else
		snprintf(buf, n, "%s, column %zu", label, col);
}

/*
 * One line: the URL (checked by the one URL parser), then words
 * `schema=NAME`; '#' after white space starts a comment.
 */
static int parse_line(struct rt_targets *t, const char *line, size_t len, const char *file,
		      int lineno, const char *label, int code, struct rt_error *err)
{
	char at[1200];
	size_t i = 0;
	char *url = NULL, *schema = NULL;
	size_t url_col = 0;
	while (i < len) {
		while (i < len && is_blank(line[i]))
			i++;
		if (i >= len || line[i] == '#')
			break;
		size_t start = i;
		while (i < len && !is_blank(line[i]))
			i++;
		char *word = xstrndup(line + start, i - start);
		line_where(at, sizeof(at), file, lineno, label, start + 1);
		if (!url) {
			url = word;
			url_col = start + 1;
			continue;
		}
		if (strncmp(word, "schema=", 7)) {
			char *m = rt_url_mask(word);
			rt_error_set(err, code, "%s: unexpected '%s'; a target is 'URL [schema=NAME]'", at, m);
			free(m);
			free(word);
			goto fail;
		}
		if (schema) {
			rt_error_set(err, code, "%s: a second schema= for one target", at);
			free(word);
			goto fail;
		}
		if (!plain_identifier(word + 7)) {
			rt_error_set(err, code, "%s: schema= takes a name of letters, digits, '_' and '$', "
				     "not starting with a digit, not '%s'", at, word + 7);
			free(word);
			goto fail;
		}
		schema = xstrdup(word + 7);
		free(word);
	}
	if (!url)
		return 0;  /* blank or a comment */
	struct rt_url u;
	struct rt_error e = RT_ERROR_INIT;
	rt_url_init(&u);
	line_where(at, sizeof(at), file, lineno, label, url_col);
	if (rt_url_parse(&u, url, &e)) {
		rt_url_release(&u);
		rt_error_set(err, code, "%s: %s", at, e.msg);
		goto fail;
	}
	int pg = !strcmp(u.backend, "postgresql");
	rt_url_release(&u);
	if (schema && !pg) {
		rt_error_set(err, code, "%s: schema= needs a PostgreSQL target (schemas of one "
			     "database); give each database its own line instead", at);
		goto fail;
	}
	for (size_t k = 0; k < t->nr; k++) {
		const struct rt_target *o = &t->v[k];
		if (!strcmp(o->url, url) && ((!o->schema && !schema) ||
					    (o->schema && schema && !strcmp(o->schema, schema)))) {
			char *m = rt_target_label(o);
			rt_error_set(err, code, "%s: target '%s' is already given at %s; each target "
				     "runs once", at, m, o->where);
			free(m);
			goto fail;
		}
	}
	if (t->nr == t->alloc) {
		t->alloc = t->alloc ? 2 * t->alloc : 16;
		t->v = xrealloc(t->v, t->alloc * sizeof(*t->v));
	}
	char w[1100];
	if (file)
		snprintf(w, sizeof(w), "%s:%d", file, lineno);
	else
		snprintf(w, sizeof(w), "%s", label);
	t->v[t->nr++] = (struct rt_target){ .url = url, .schema = schema, .where = xstrdup(w) };
	return 0;
fail:
	free(url);
	free(schema);
	return -1;
}

int rt_targets_parse(struct rt_targets *t, const char *text, const char *file, int first_line,
		     const char *label, int usage, struct rt_error *err)
{
	int code = usage ? RT_EXIT_USAGE : RT_EXIT_ERROR;
	int lineno = first_line;
	for (const char *p = text; *p; lineno++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (parse_line(t, p, len, file, lineno, label, code, err))
			return -1;
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

void rt_fleet_results_init(struct rt_fleet_result *res, size_t n)
{
	for (size_t i = 0; i < n; i++)
		res[i] = (struct rt_fleet_result){ .out = STRBUF_INIT, .errout = STRBUF_INIT,
						   .pid = -1, .fd = { -1, -1 } };
}

void rt_fleet_results_release(struct rt_fleet_result *res, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		strbuf_release(&res[i].out);
		strbuf_release(&res[i].errout);
	}
}

static volatile sig_atomic_t fleet_signals, fleet_first_signal;
static sigset_t fleet_unblocked;  /* the mask to run children and ppoll() with */

static volatile sig_atomic_t child_stop;

static void on_stop(int signo)
{
	(void)signo;
	child_stop = 1;
}

int rt_fleet_stop_requested(void)
{
	return child_stop;
}

static void on_signal(int signo)
{
	if (!fleet_signals)
		fleet_first_signal = signo;
	fleet_signals++;
}

/* Start target i: two pipes, a fork; the child never comes back. */
static int start(size_t i, struct rt_fleet_result *r, const struct rt_fleet_hooks *h,
		 struct rt_fleet_outcome *shared, struct rt_fleet_result *all, size_t n,
		 struct rt_error *err)
{
	int out[2], errp[2];
	if (pipe(out))
		return rt_error_set(err, RT_EXIT_ERROR, "cannot create a pipe: %s", strerror(errno));
	if (pipe(errp)) {
		close(out[0]);
		close(out[1]);
		return rt_error_set(err, RT_EXIT_ERROR, "cannot create a pipe: %s", strerror(errno));
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(out[0]);
		close(out[1]);
		close(errp[0]);
		close(errp[1]);
		return rt_error_set(err, RT_EXIT_ERROR, "cannot start a process for a target: %s",
				    strerror(e));
	}
	if (!pid) {
		/* its own process group: a terminal's Ctrl-C reaches only the
		 * parent, which decides what the running targets do */
		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		struct sigaction st = { .sa_handler = on_stop, .sa_flags = SA_RESTART };
		sigemptyset(&st.sa_mask);
		sigaction(SIGUSR1, &st, NULL);
		sigprocmask(SIG_SETMASK, &fleet_unblocked, NULL);
		for (size_t k = 0; k < n; k++)
			if (all[k].state == RT_FLEET_RUNNING) {
				close(all[k].fd[0]);
				close(all[k].fd[1]);
			}
		close(out[0]);
		close(errp[0]);
		dup2(out[1], 1);
		dup2(errp[1], 2);
		close(out[1]);
		close(errp[1]);
		h->child(h->ctx, i, &shared[i]);
		_exit(127); /* unreachable: the hook ends the child */
	}
	close(out[1]);
	close(errp[1]);
	r->pid = pid;
	r->fd[0] = out[0];
	r->fd[1] = errp[0];
	r->state = RT_FLEET_RUNNING;
	r->started = rt_now();
	if (h->started)
		h->started(h->ctx, i, r);
	return 0;
}

/* Both pipes of a child closed: reap it and record how it ended. */
static void reap(struct rt_fleet_result *r, const struct rt_fleet_outcome *shared)
{
	int st = 0;
	while (waitpid(r->pid, &st, 0) < 0 && errno == EINTR)
		;
	r->ms = (rt_now() - r->started) * 1e3;
	r->state = RT_FLEET_DONE;
	if (WIFSIGNALED(st)) {
		r->signal = WTERMSIG(st);
		r->status = 128 + r->signal;
	} else {
		r->status = WEXITSTATUS(st);
	}
	r->ok = !r->signal && !r->status;
	r->oc = *shared;
	r->pid = -1;
}

/* Read what is there on fd `k` of r; close it at end of file. */
static void drain(struct rt_fleet_result *r, int k)
{
	char buf[8192];
	ssize_t got = read(r->fd[k], buf, sizeof(buf));
	if (got < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (got <= 0) {
		close(r->fd[k]);
		r->fd[k] = -1;
		return;
	}
	strbuf_add(k ? &r->errout : &r->out, buf, (size_t)got);
}

int rt_fleet_run(size_t n, const struct rt_fleet_opts *o, const struct rt_fleet_hooks *h,
		 struct rt_fleet_result *res, struct rt_fleet_summary *sum, struct rt_error *err)
{
	size_t next = 0, running = 0, canary = o->canary > 0 ? (size_t)o->canary : 0;
	int jobs = o->jobs > 0 ? o->jobs : 1, failed = 0, rc = 0, killed = 0;
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	struct pollfd *pfd = xcalloc(2 * (size_t)jobs + 2, sizeof(*pfd));
	size_t *who = xcalloc(2 * (size_t)jobs + 2, sizeof(*who));
	size_t shared_size = (n ? n : 1) * sizeof(struct rt_fleet_outcome);
	struct rt_fleet_outcome *shared = mmap(NULL, shared_size, PROT_READ | PROT_WRITE,
					       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	memset(sum, 0, sizeof(*sum));
	if (shared == MAP_FAILED) {
		free(pfd);
		free(who);
		return rt_error_set(err, RT_EXIT_ERROR, "cannot map memory for the fleet: %s",
				    strerror(errno));
	}
	memset(shared, 0, shared_size);
	if (canary > n)
		canary = n;
	fleet_signals = 0;
	fleet_first_signal = 0;
	/* the signals stay blocked but inside ppoll(), so none slips in
	 * between looking at the count and going to sleep */
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &fleet_unblocked);
	/* a child unblocks SIGUSR1 once its handler is there */
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	int told = 0;
	for (;;) {
		if (fleet_signals && !told) {
			told = 1;
			if (h->stopping)
				h->stopping(h->ctx, fleet_first_signal);
			for (size_t k = 0; k < n; k++)
				if (res[k].state == RT_FLEET_RUNNING)
					kill(res[k].pid, SIGUSR1);
		}
		if (fleet_signals >= 2 && !killed) {
			/* the second signal: as without a fleet, the runs end now */
			killed = 1;
			for (size_t k = 0; k < n; k++)
				if (res[k].state == RT_FLEET_RUNNING)
					kill(res[k].pid, SIGTERM);
		}
		int may_start = !fleet_signals && !rc && !sum->canary_failed &&
				(o->keep_going || !failed);
		while (may_start && next < n) {
			/* canaries one by one, and the rest only after them */
			if ((canary && next <= canary && running) || running >= (size_t)jobs)
				break;
			if (start(next, &res[next], h, shared, res, n, err)) {
				rc = -1;
				break;
			}
			next++;
			running++;
		}
		if (rc && !killed) {
			killed = 1;
			for (size_t k = 0; k < n; k++)
				if (res[k].state == RT_FLEET_RUNNING)
					kill(res[k].pid, SIGTERM);
		}
		if (!running)
			break;
		nfds_t m = 0;
		for (size_t k = 0; k < n && m < 2 * (size_t)jobs + 2; k++) {
			if (res[k].state != RT_FLEET_RUNNING)
				continue;
			for (int f = 0; f < 2; f++)
				if (res[k].fd[f] >= 0) {
					pfd[m] = (struct pollfd){ .fd = res[k].fd[f], .events = POLLIN };
					who[m++] = k * 2 + (size_t)f;
				}
		}
		if (m && ppoll(pfd, m, NULL, &fleet_unblocked) < 0 && errno != EINTR) {
			rt_error_set(err, RT_EXIT_ERROR, "cannot wait for the targets: %s", strerror(errno));
			rc = -1;
			continue;
		}
		for (nfds_t j = 0; j < m; j++) {
			if (!(pfd[j].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			struct rt_fleet_result *r = &res[who[j] / 2];
			drain(r, (int)(who[j] % 2));
			if (r->fd[0] < 0 && r->fd[1] < 0) {
				size_t k = who[j] / 2;
				reap(r, &shared[k]);
				running--;
				if (!r->ok) {
					failed = 1;
					if (k < canary)
						sum->canary_failed = 1;
				}
				if (h->finished)
					h->finished(h->ctx, k, r);
			}
		}
	}
	/* unblock while our handler is still there: a signal that came in
	 * since the last ppoll() is counted, not fatal */
	sigprocmask(SIG_SETMASK, &fleet_unblocked, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	munmap(shared, shared_size);
	free(pfd);
	free(who);
	for (size_t k = 0; k < n; k++) {
		if (res[k].state == RT_FLEET_PENDING)
			sum->not_started++;
		else if (res[k].ok)
			sum->ok++;
		else
			sum->failed++;
	}
	sum->stopped = failed && !o->keep_going && sum->not_started > 0;
	sum->signal = fleet_first_signal;
	sum->signals = fleet_signals;
	return rc;
}

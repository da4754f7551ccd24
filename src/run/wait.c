/* The wait probe: targets classified, then tried with backoff under one deadline (wait.h). */
#include "wait.h"
#include "../lib/clock.h"
#include "../lib/http.h"
#include "../lib/xalloc.h"
#include "../db/driver.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* tcp://HOST:PORT, with [v6]:PORT accepted. */
static int parse_tcp(struct rt_wait_target *t, const char *hp, struct rt_error *err)
{
	const char *colon;
	if (*hp == '[') {
		const char *close = strchr(hp, ']');
		if (!close || close[1] != ':')
			goto bad;
		t->host = xstrndup(hp + 1, (size_t)(close - hp - 1));
		colon = close + 1;
	} else {
		colon = strrchr(hp, ':');
		if (!colon || colon == hp)
			goto bad;
		t->host = xstrndup(hp, (size_t)(colon - hp));
	}
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end == '/')
		end += strspn(end, "/");
	if (!colon[1] || *end || port < 1 || port > 65535)
		goto bad;
	t->port = xstrndup(colon + 1, strcspn(colon + 1, "/"));
	return 0;
bad:
	return rt_error_set(err, RT_EXIT_USAGE, "wait target '%s' is not tcp://HOST:PORT", t->shown);
}

int rt_wait_target_init(struct rt_wait_target *t, const char *spec, struct rt_error *err)
{
	memset(t, 0, sizeof(*t));
	rt_url_init(&t->url);
	t->spec = xstrdup(spec);
	t->shown = rt_url_mask(spec);
	if (!strncmp(spec, "tcp://", 6)) {
		t->kind = RT_WAIT_TCP;
		/* a port answers or not: there is nobody to log in as, and a
		 * password here would reach the error messages below */
		if (strchr(spec + 6, '@'))
			return rt_error_set(err, RT_EXIT_USAGE, "wait target '%s' is not "
					    "tcp://HOST:PORT: a tcp:// target takes no user or password",
					    t->shown);
		return parse_tcp(t, spec + 6, err);
	}
	if (!strncmp(spec, "http://", 7) || !strncmp(spec, "https://", 8)) {
		t->kind = RT_WAIT_HTTP;
		if (!rt_http_version())
			return rt_http_request(spec, NULL, 0, NULL, err);
		return 0;
	}
	t->kind = RT_WAIT_DB;
	const struct rt_driver *drv;
	if (rt_url_parse(&t->url, spec, err) || rt_driver_for(&t->url, &drv, err)) {
		rt_error_prefix(err, "wait target '%s' is not tcp://, http(s):// or a database url",
				t->shown);
		return -1;
	}
	return 0;
}

/*
 * A database target whose URL the caller has parsed already (the
 * configured one): `url` is copied, not parsed again from `spec`, which
 * only names the target in messages.  The driver must be built in.
 */
int rt_wait_target_init_url(struct rt_wait_target *t, const char *spec, const struct rt_url *url,
			    struct rt_error *err)
{
	const struct rt_driver *drv;
	memset(t, 0, sizeof(*t));
	t->kind = RT_WAIT_DB;
	t->spec = xstrdup(spec);
	t->shown = rt_url_mask(spec);
	rt_url_copy(&t->url, url);
	if (rt_driver_for(&t->url, &drv, err)) {
		rt_error_prefix(err, "cannot wait for '%s'", t->shown);
		return -1;
	}
	return 0;
}

void rt_wait_target_release(struct rt_wait_target *t)
{
	free(t->spec);
	free(t->shown);
	free(t->host);
	free(t->port);
	rt_url_release(&t->url);
}

/* One TCP connection attempt, non-blocking so the deadline holds. */
static int try_tcp(const struct rt_wait_target *t, double timeout, struct rt_error *err)
{
	struct addrinfo hints = { 0 }, *ai = NULL;
	double deadline = rt_now() + timeout;
	int rc = RT_PROBE_RETRY, gai;
	hints.ai_socktype = SOCK_STREAM;
	if ((gai = getaddrinfo(t->host, t->port, &hints, &ai))) {
		/* names of services that are still being created do not resolve yet */
		rt_error_set(err, RT_EXIT_ERROR, "cannot resolve '%s': %s", t->host, gai_strerror(gai));
		return RT_PROBE_RETRY;
	}
	rt_error_set(err, RT_EXIT_ERROR, "no address of '%s' answered", t->host);
	for (struct addrinfo *a = ai; a && rc != RT_PROBE_READY; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
				a->ai_protocol);
		if (fd < 0)
			continue;
		int e = connect(fd, a->ai_addr, a->ai_addrlen) ? errno : 0;
		if (e == EINPROGRESS) {
			struct pollfd p = { fd, POLLOUT, 0 };
			double left = deadline - rt_now();
			socklen_t len = sizeof(e);
			if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0)
				e = ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len))
				e = errno;
		}
		if (!e)
			rc = RT_PROBE_READY;
		else
			rt_error_set(err, RT_EXIT_ERROR, "connecting to %s port %s: %s", t->host, t->port,
				     strerror(e));
		close(fd);
	}
	freeaddrinfo(ai);
	return rc;
}

static int try_http(const struct rt_wait_target *t, double timeout, struct rt_error *err)
{
	long status = 0;
	if (rt_http_request(t->spec, NULL, timeout, &status, err))
		return err->code == RT_EXIT_USAGE ? RT_PROBE_NEVER : RT_PROBE_RETRY;
	if (status >= 200 && status < 400)
		return RT_PROBE_READY;
	rt_error_set(err, RT_EXIT_ERROR, "HTTP status %ld", status);
	return RT_PROBE_RETRY;
}

static int try_once(const struct rt_wait_target *t, double timeout, struct rt_error *err)
{
	const struct rt_driver *drv;
	switch (t->kind) {
	case RT_WAIT_TCP:
		return try_tcp(t, timeout, err);
	case RT_WAIT_HTTP:
		return try_http(t, timeout, err);
	case RT_WAIT_DB:
		break;
	}
	if (rt_driver_for(&t->url, &drv, err))
		return RT_PROBE_NEVER;
	return drv->probe ? drv->probe(&t->url, timeout, err) : RT_PROBE_READY;
}

int rt_wait(const struct rt_wait_target *targets, int n, double timeout,
	    const struct rt_wait_hooks *hooks, struct rt_error *err)
{
	double start = rt_now(), deadline = start + timeout;
	for (int i = 0; i < n; i++) {
		const struct rt_wait_target *t = &targets[i];
		double delay = 0.05;
		if (hooks && hooks->waiting)
			hooks->waiting(hooks->ctx, t, deadline - rt_now());
		struct rt_error why = RT_ERROR_INIT;
		for (;;) {
			struct rt_error now = RT_ERROR_INIT;
			double left = deadline - rt_now(), budget = left > 0.001 ? left : 0.001;
			int rc = try_once(t, budget, &now);
			rt_error_one_line(&now);
			/* a try the deadline cut short says less than the one before it */
			if (budget >= 0.1 || !why.msg[0])
				why = now;
			if (rc == RT_PROBE_READY) {
				if (hooks && hooks->ready)
					hooks->ready(hooks->ctx, t, rt_now() - start);
				break;
			}
			if (rc == RT_PROBE_NEVER)
				return rt_error_set(err, RT_EXIT_ERROR, "'%s' cannot become ready by "
						    "waiting: %s", t->shown, why.msg);
			left = deadline - rt_now();
			if (left <= 0)
				return rt_error_set(err, RT_EXIT_WAIT, "timed out after %g s waiting for "
						    "'%s'; last try: %s", timeout, t->shown, why.msg);
			if (hooks && hooks->retry)
				hooks->retry(hooks->ctx, t, &why);
			double pause = rt_jitter(delay, 0.25);
			rt_sleep(pause < left ? pause : left);
			delay = delay * 1.6 < 2.0 ? delay * 1.6 : 2.0;
		}
	}
	return 0;
}

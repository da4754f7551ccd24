/*
 * Child processes: fork, exec and collect stdout and stderr, for the
 * programs retort runs on the user's behalf (the project's Python, schema
 * commands).  A failed exec is reported through a close-on-exec pipe, so
 * "python3: not found" is an error of ours and not an exit status 127.
 */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void rt_proc_result_init(struct rt_proc_result *r)
{
	strbuf_init(&r->out);
	strbuf_init(&r->err);
	r->exited = 0;
	r->status = 0;
}

void rt_proc_result_release(struct rt_proc_result *r)
{
	strbuf_release(&r->out);
	strbuf_release(&r->err);
	rt_proc_result_init(r);
}

/* In the child: set up the descriptors and exec; on failure write errno
 * to `report` and exit. */
static void child(const char *const *argv, const char *const *env, int out, int errfd, int report)
{
	int null = open("/dev/null", O_RDONLY);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		goto fail;
	for (const char *const *e = env; e && *e; e++)
		if (putenv((char *)*e))
			goto fail;
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], (char *const *)argv);
fail:;
	int e = errno;
	ssize_t unused = write(report, &e, sizeof(e));
	(void)unused;
	_exit(127);
}

/* Read both pipes until each is closed. */
static void drain(int out, int errfd, struct rt_proc_result *r)
{
	struct pollfd p[2] = { { .fd = out, .events = POLLIN }, { .fd = errfd, .events = POLLIN } };
	struct strbuf *to[2] = { &r->out, &r->err };
	int open_fds = 2;
	char buf[65536];
	while (open_fds) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(p[i].fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
				continue;
			}
			strbuf_add(to[i], buf, (size_t)n);
		}
	}
	for (int i = 0; i < 2; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
}

int rt_proc_run(const char *const *argv, const char *const *env, struct rt_proc_result *r,
		struct rt_error *err)
{
	int out[2], errp[2], rep[2];
	if (pipe2(out, O_CLOEXEC))
		return rt_error_set(err, RT_EXIT_ERROR, "cannot run %s: %s", argv[0], strerror(errno));
	if (pipe2(errp, O_CLOEXEC)) {
		close(out[0]), close(out[1]);
		return rt_error_set(err, RT_EXIT_ERROR, "cannot run %s: %s", argv[0], strerror(errno));
	}
	if (pipe2(rep, O_CLOEXEC)) {
		close(out[0]), close(out[1]), close(errp[0]), close(errp[1]);
		return rt_error_set(err, RT_EXIT_ERROR, "cannot run %s: %s", argv[0], strerror(errno));
	}
	pid_t pid = fork();
	if (pid == 0)
		child(argv, env, out[1], errp[1], rep[1]);
	close(out[1]);
	close(errp[1]);
	close(rep[1]);
	if (pid < 0) {
		int e = errno;
		close(out[0]), close(errp[0]), close(rep[0]);
		return rt_error_set(err, RT_EXIT_ERROR, "cannot run %s: %s", argv[0], strerror(e));
	}
	drain(out[0], errp[0], r);
	int child_errno = 0;
	ssize_t n = read(rep[0], &child_errno, sizeof(child_errno));
	close(rep[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(child_errno))
		return rt_error_set(err, RT_EXIT_ERROR, "cannot run '%s': %s", argv[0],
				    strerror(child_errno));
	r->exited = WIFEXITED(st);
	r->status = r->exited ? WEXITSTATUS(st) : WTERMSIG(st);
	return 0;
}

const char *rt_proc_tail(const char *text, int n)
{
	size_t len = strlen(text);
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		len--;
	const char *p = text + len;
	while (p > text) {
		if (p[-1] == '\n' && --n == 0)
			break;
		p--;
	}
	return p;
}

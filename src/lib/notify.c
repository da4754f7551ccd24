/* Notifications: the JSON body of a run summary, and its delivery to a webhook. */
#include "notify.h"
#include "clock.h"
#include "http.h"

#include <stdlib.h>

/* A JSON array of strings; null when the list is unknown (NULL). */
static void add_list(struct strbuf *sb, const struct strvec *v)
{
	if (!v) {
		strbuf_addstr(sb, "null");
		return;
	}
	strbuf_addch(sb, '[');
	for (size_t i = 0; v && i < v->nr; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		strbuf_add_json(sb, v->v[i]);
	}
	strbuf_addch(sb, ']');
}

static const char *kind_name(enum rt_step_kind k)
{
	return k == RT_STEP_UPGRADE ? "upgrade" : k == RT_STEP_DOWNGRADE ? "downgrade" : "stamp";
}

/* The human line: "retort upgrade on DB: 3 migrations applied (a -> b) in 42 ms". */
static void add_text(struct strbuf *sb, const struct rt_run_summary *s)
{
	char *from = s->from ? strvec_join(s->from, ", ") : NULL;
	char *to = s->to ? strvec_join(s->to, ", ") : NULL;
	strbuf_addf(sb, "retort %s on %s: ", s->command, s->database);
	if (s->error && s->plan && s->plan->n)
		strbuf_addf(sb, "failed at step %d of %d: %s", s->steps_done + 1, s->plan->n,
			    s->error->msg);
	else if (s->error)
		strbuf_addf(sb, "failed: %s", s->error->msg);
	else
		strbuf_addf(sb, "%d step%s in %.0f ms", s->steps_done, s->steps_done == 1 ? "" : "s",
			    s->total_ms);
	if (from)
		strbuf_addf(sb, " (%s -> %s)", *from ? from : "<base>", !to ? "?" : *to ? to : "<base>");
	free(from);
	free(to);
}

void rt_notify_body(const struct rt_run_summary *s, struct strbuf *out)
{
	struct strbuf text = STRBUF_INIT;
	add_text(&text, s);
	strbuf_addstr(out, "{\"text\": ");
	strbuf_add_json(out, text.buf);
	strbuf_addstr(out, ", \"command\": ");
	strbuf_add_json(out, s->command);
	strbuf_addf(out, ", \"ok\": %s, \"database\": ", s->error ? "false" : "true");
	strbuf_add_json(out, s->database);
	strbuf_addstr(out, ", \"from\": ");
	add_list(out, s->from);
	strbuf_addstr(out, ", \"to\": ");
	add_list(out, s->to);
	strbuf_addf(out, ", \"duration_ms\": %.1f, \"wait_ms\": %.1f, \"steps\": [", s->total_ms,
		    s->wait_ms);
	for (int i = 0; s->plan && i < s->steps_done; i++) {
		const struct rt_step *st = &s->plan->steps[i];
		strbuf_addstr(out, i ? ", {\"kind\": " : "{\"kind\": ");
		strbuf_add_json(out, kind_name(st->kind));
		strbuf_addstr(out, ", \"revision\": ");
		if (st->rev >= 0)
			strbuf_add_json(out, s->g->revs[st->rev].id);
		else
			strbuf_addstr(out, "null");
		strbuf_addstr(out, ", \"from\": ");
		add_list(out, &st->from);
		strbuf_addstr(out, ", \"to\": ");
		add_list(out, &st->to);
		strbuf_addf(out, ", \"duration_ms\": %.1f}", s->step_ms ? s->step_ms[i] : 0.0);
	}
	strbuf_addstr(out, "], \"error\": ");
	if (s->error)
		strbuf_add_json(out, s->error->msg);
	else
		strbuf_addstr(out, "null");
	strbuf_addstr(out, ", \"retort_version\": ");
	strbuf_add_json(out, s->version);
	strbuf_addstr(out, "}\n");
	strbuf_release(&text);
}

int rt_notify_send(const char *url, const char *body, double timeout, int tries,
		   struct rt_error *err)
{
	double pause = 0.2;
	for (int i = 1;; i++) {
		long status = 0;
		if (!rt_http_request(url, body, timeout, &status, err)) {
			if (status >= 200 && status < 300)
				return 0;
			rt_error_set(err, RT_EXIT_ERROR, "the webhook answered HTTP %ld", status);
			if (status < 500 && status != 429)
				return -1; /* the request itself is wrong: retrying cannot help */
		} else if (err->code == RT_EXIT_USAGE) {
			return -1;
		}
		if (i >= tries)
			return -1;
		rt_sleep(rt_jitter(pause, 0.25));
		pause *= 3;
	}
}

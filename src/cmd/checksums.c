/*
 * Checksums of applied migrations, for check, status, current -v and
 * history -v: which applied revisions' files changed since they ran
 * (their upgrade section no longer has the checksum of the latest
 * 'upgrade' row in retort_history), and which have no record (migrated
 * before retort recorded checksums, or by Alembic): those are never a
 * failure.
 */
#include "cmd.h"
#include "../db/history.h"
#include "../lib/bitset.h"
#include "../run/exec.h"

#include <stdio.h>
#include <string.h>

void checksum_report_release(struct checksum_report *r)
{
	intlist_release(&r->edited);
	intlist_release(&r->unrecorded);
	strvec_clear(&r->edited_at);
	rt_history_release(&r->history);
}

int app_checksums(struct app *app, const struct strvec *rows, struct checksum_report *r,
		  struct rt_error *err)
{
	const struct rt_graph *g = &app->sd.graph;
	struct bitset applied;
	*r = (struct checksum_report){ .edited_at = STRVEC_INIT };
	if (rt_history_read(app->db, &r->history, err))
		return -1;
	bitset_init(&applied, g->n);
	rt_exec_applied(g, rows, &applied);
	for (int i = 0; i < g->n; i++) {
		if (!bitset_has(&applied, i))
			continue;
		/* (current reads the header cache: the text may be read only now) */
		struct rt_script *sc = (struct rt_script *)g->revs[i].script;
		if (rt_script_load_text(sc, err)) {
			bitset_release(&applied);
			checksum_report_release(r);
			return -1;
		}
		const struct rt_history_entry *e = rt_history_applied(&r->history, sc->id);
		char now[65];
		rt_exec_section_checksum(sc, &sc->up, now);
		if (!e || !*e->checksum || !*now) {
			intlist_push(&r->unrecorded, i);
		} else if (strcmp(e->checksum, now)) {
			intlist_push(&r->edited, i);
			strvec_push(&r->edited_at, e->applied_at);
		} else {
			r->matched++;
		}
	}
	bitset_release(&applied);
	return 0;
}

void print_checksums(const struct app *app, const struct checksum_report *r, enum checksum_form form)
{
	const struct rt_graph *g = &app->sd.graph;
	if (form == CHECKSUMS_SUMMARY)
		printf("checksums: %d match, %d edited since applied, %d with no record\n", r->matched,
		       r->edited.nr, r->unrecorded.nr);
	if (r->edited.nr) {
		printf("%d applied migration%s changed since %s ran:\n", r->edited.nr,
		       r->edited.nr == 1 ? "" : "s", r->edited.nr == 1 ? "it" : "they");
		for (int i = 0; i < r->edited.nr; i++) {
			const struct rt_script *sc = g->revs[r->edited.v[i]].script;
			printf("  %s  %s  (applied %s)\n", sc->id, sc->path, r->edited_at.v[i]);
		}
		printf("review each change; a change that is right (the database already matches "
		       "it) is recorded with: retort stamp --accept-checksums REV...\n");
	}
	if (form == CHECKSUMS_CHECK && r->unrecorded.nr)
		printf("no record of the checksum of %d applied revision%s (applied before retort "
		       "recorded checksums, or by Alembic): not compared\n", r->unrecorded.nr,
		       r->unrecorded.nr == 1 ? "" : "s");
}

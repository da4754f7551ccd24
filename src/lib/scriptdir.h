/*
 * The script directory: every *.sql file of the version locations, read
 * and parsed in file-name order (which breaks ties in every walk, as in
 * Alembic), and the revision graph built from them.
 */
#ifndef RT_SCRIPTDIR_H
#define RT_SCRIPTDIR_H

#include "config.h"
#include "error.h"
#include "graph.h"
#include "script.h"

struct rt_scriptdir {
	struct rt_script *scripts;
	int n, alloc;
	struct rt_graph graph;
	/* Set before loading by callers that need no SQL (heads, history...):
	 * revisions may then come from the header cache, without their text. */
	int headers_only;
	int nfiles, ncached;  /* files read, and how many of them came from the cache */
	int nfolders, nlisted; /* folders walked, and how many were listed from it */
};

void rt_scriptdir_init(struct rt_scriptdir *sd);
void rt_scriptdir_release(struct rt_scriptdir *sd);
int rt_scriptdir_load(struct rt_scriptdir *sd, const struct rt_config *c, struct rt_error *err);

#endif

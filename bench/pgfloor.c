/*
 * The floor of a PostgreSQL fleet check (bench/fleet.sh, W10): for each
 * connection string of a file, connect with libpq, read the version table
 * in one query, and close, `jobs` threads at a time.  No retort: what the
 * server's accepting a connection and answering one query cost, which no
 * migration runner can go below.
 *
 *   pgfloor JOBS FILE     (one libpq connection string or URL a line)
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char **conninfo;
static int ntargets, next_target, failed;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* Take the next target's index, or -1 when none is left. */
static int take(void)
{
	pthread_mutex_lock(&mu);
	int i = next_target < ntargets ? next_target++ : -1;
	pthread_mutex_unlock(&mu);
	return i;
}

static void *worker(void *arg)
{
	(void)arg;
	for (int i; (i = take()) >= 0;) {
		PGconn *c = PQconnectdb(conninfo[i]);
		PGresult *r = PQstatus(c) == CONNECTION_OK
				      ? PQexec(c, "SELECT version_num FROM alembic_version")
				      : NULL;
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			fprintf(stderr, "pgfloor: %s: %s", conninfo[i], PQerrorMessage(c));
			pthread_mutex_lock(&mu);
			failed = 1;
			pthread_mutex_unlock(&mu);
		}
		PQclear(r);
		PQfinish(c);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	char line[4096];
	int jobs = argc == 3 ? atoi(argv[1]) : 0;
	FILE *f = argc == 3 ? fopen(argv[2], "r") : NULL;
	if (jobs < 1 || jobs > 256 || !f) {
		fprintf(stderr, "usage: pgfloor JOBS FILE\n");
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!*line)
			continue;
		conninfo = realloc(conninfo, (size_t)(ntargets + 1) * sizeof(*conninfo));
		if (!conninfo || !(conninfo[ntargets++] = strdup(line)))
			return 2;
	}
	fclose(f);
	pthread_t *t = calloc((size_t)jobs, sizeof(*t));
	if (!t)
		return 2;
	for (int i = 0; i < jobs; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < jobs; i++)
		pthread_join(t[i], NULL);
	return failed;
}

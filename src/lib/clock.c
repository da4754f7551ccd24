/* Time: a monotonic clock, sleeping, and jitter for backoff loops. */
#include "clock.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

double rt_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void rt_sleep(double s)
{
	if (s <= 0)
		return;
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

double rt_jitter(double d, double spread)
{
	static unsigned seed;
	if (!seed) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (unsigned)getpid() ^ (unsigned)ts.tv_nsec ^ 1u;
	}
	double r = (double)rand_r(&seed) / RAND_MAX; /* 0..1 */
	return d * (1 - spread + 2 * spread * r);
}

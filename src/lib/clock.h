/*
 * Time for deadlines and backoff: a monotonic clock in seconds, a sleep
 * that takes seconds, and jitter so processes polling the same thing (a
 * lock, a database coming up) do not poll in step.
 */
#ifndef RT_CLOCK_H
#define RT_CLOCK_H

/* Seconds on the monotonic clock (only differences mean anything). */
double rt_now(void);
/* Sleep for `s` seconds (nothing when s <= 0); resumes after signals. */
void rt_sleep(double s);
/* `d` scaled by a random factor in [1 - spread, 1 + spread]; the random
 * sequence is seeded per process. */
double rt_jitter(double d, double spread);

#endif

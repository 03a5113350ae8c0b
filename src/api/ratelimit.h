/*
 * ratelimit.h: a token bucket per principal and a count of failed
 * authentications per client address. Both live in memory shared by all
 * workers (mapped by ratelimit_configure() in the master, before the
 * fork), so a principal's rate is the same whichever worker its
 * connections land on.
 */
#ifndef PIPELINED_RATELIMIT_H
#define PIPELINED_RATELIMIT_H

/* Call once, in the master, before the workers are forked. */
void ratelimit_configure(int per_second, int burst, int failures_per_minute);

/* Takes a token; returns 0, or the seconds to wait when the bucket is
 * empty. */
int ratelimit_take(const char *principal_id);

/* Failed authentications of a client address: one more; and whether it
 * is over auth_failures_per_minute (the seconds until it is not, else
 * 0). */
void ratelimit_auth_failure(const char *addr);
int ratelimit_auth_blocked(const char *addr);

#endif

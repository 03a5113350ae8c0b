/*
 * ratelimit.h: a token bucket per principal and a count of failed
 * authentications per client address, both per worker process. A client's
 * keep-alive connection stays on one worker, so the buckets hold for the
 * requests a client makes on one connection; with N workers and many
 * connections a principal can reach at most N times the configured rate.
 */
#ifndef PIPELINED_RATELIMIT_H
#define PIPELINED_RATELIMIT_H

void ratelimit_configure(int per_second, int burst, int failures_per_minute);

/* Takes a token; returns 0, or the seconds to wait when the bucket is
 * empty. */
int ratelimit_take(const char *principal_id);

void ratelimit_auth_failure(const char *addr);
int ratelimit_auth_blocked(const char *addr);

#endif

/*
 * ratelimit.h: a token bucket per principal and a count of failed
 * authentications per client address, in memory shared by all workers
 * (mapped by ratelimit_init() in the master, before the fork), so a
 * principal's rate is the same whichever worker its connections land on.
 *
 * With rate_limit_shared on, the limits hold across instances too: the
 * bucket itself is in PostgreSQL (sql/017), and this memory holds what
 * this instance leased from it, a few tokens at a time (pipeline.c asks
 * for a lease when the last one is spent); and the count of failures is
 * raised to what the database counted for the address over all
 * instances (auth.c records each failure there). The instance's own
 * bucket stays, for when the database cannot be asked.
 */
#ifndef PIPELINED_RATELIMIT_H
#define PIPELINED_RATELIMIT_H

/* Call once, in the master, before the workers are forked. */
void ratelimit_init(void);
/* In each worker, from its configuration: the tables stay shared by
 * workers of an older and a newer configuration (a reload), so a
 * principal's bucket is not refilled by one. */
void ratelimit_configure(
    int per_second, int burst, int failures_per_minute, int shared);

/* What ratelimit_take() answers when the lease is spent. */
#define RATELIMIT_ASK (-1)

/* Takes a token; returns 0, or the seconds to wait when the bucket is
 * empty; shared, RATELIMIT_ASK when this instance's lease is spent and
 * the database's bucket must be asked for ratelimit_lease_size() more. */
int ratelimit_take(const char *principal_id);
/* This instance's own bucket, whatever the mode: when the database
 * cannot be asked. */
int ratelimit_take_local(const char *principal_id);
int ratelimit_lease_size(void);
double ratelimit_rate(void);
double ratelimit_burst(void);
/* n tokens the database leased to this instance, valid for a second
 * (n may be 0: the bucket was empty; a failed lease is 0 too, so that
 * the next request asks again). */
void ratelimit_lease_add(const char *principal_id, int n);

/* Failed authentications of a client address: one more; and whether it
 * is over auth_failures_per_minute (the seconds until it is not, else
 * 0). */
void ratelimit_auth_failure(const char *addr);
int ratelimit_auth_blocked(const char *addr);
/* The address's level over every instance, as the database counted it
 * (shared); this instance's is raised to it. */
void ratelimit_auth_level(const char *addr, double level);
int ratelimit_failures_per_minute(void);

#endif

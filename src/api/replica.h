/*
 * replica.h: reads that a streaming standby may serve (issue 18).
 *
 * With database_read_url set, each worker has a second pool on it and
 * watches, ten times a second, how far the standby has replayed against
 * how far the primary has written. Lists, figures, alerts and the change
 * feed then go to the standby while it is less than replica_max_lag_ms
 * behind, else to the primary. A client that has just written reads its
 * write: every write's response carries the WAL position that covers its
 * commit (Commit-Position), and a read that sends it back goes to the
 * standby only once the standby has replayed that far.
 */
#ifndef PIPELINED_REPLICA_H
#define PIPELINED_REPLICA_H

struct api_req;
struct db_pool;
struct event_base;

/* Per worker, after the primary's pool: the standby's pool and its
 * watch; nothing when database_read_url is empty. */
int replica_worker_init(struct event_base *base);
void replica_worker_fini(void);

/* The pool a read of a should go to. */
struct db_pool *api_reader(struct api_req *a);

#endif

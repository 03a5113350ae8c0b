/*
 * peers.h: open connections per client address, all workers together
 * (max_connections_per_address), so that one address cannot hold every
 * connection of the service.
 *
 * The table lives in memory shared by the workers, mapped by the master
 * before it forks them. Each worker counts in its own column, and a new
 * worker clears the column of the one it replaces: the connections of a
 * worker that died closed with it, so a crash leaves no count behind.
 * The master clears the column of a worker it does not replace (one
 * retired by a reload) the same way.
 */
#ifndef PIPELINED_PEERS_H
#define PIPELINED_PEERS_H

/* In the master, before forking: maps the table; -1 when it cannot. */
int peers_init(void);

/* In a worker, before it accepts: its column, cleared, and its limit
 * (its configuration's; a reload may change it). */
void peers_worker_start(int slot, int max_per_address);
/* The column of a slot whose worker is gone, cleared. */
void peers_clear(int slot);

/* A connection from addr: 1 when it is counted, 0 when addr already has
 * its limit of connections (refuse it). An address that does not fit in
 * a full table is let through, uncounted (-1): the per-worker
 * max_connections still bounds it. */
int peers_enter(const char *addr);

/* The counted connection from addr has closed. */
void peers_leave(const char *addr);

#endif

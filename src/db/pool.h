/*
 * pool.h: the pool's state, shared by pool.c (each connection's life and
 * the sending of statements) and schedule.c (which waiting queries go
 * together). Nothing outside src/db/ sees it.
 *
 * A connection's states:
 *   C_DOWN        no connection; waiting out the reconnect backoff
 *   C_CONNECTING  PQconnectPoll in progress
 *   C_PREPARING   preparing every registered statement, one by one
 *   C_IDLE        ready for a statement
 *   C_BUSY        a statement in flight; dc->sent holds the queries it
 *                 answers (one, a batch, or identical shared reads)
 *   DOWN -> CONNECTING -> PREPARING -> IDLE <-> BUSY; any -> DOWN when the
 *   socket fails, failing the queries on dc->sent.
 */
#ifndef PIPELINED_POOL_H
#define PIPELINED_POOL_H

#include <stddef.h>
#include <sys/queue.h>

#include <libpq-fe.h>

#include "call.h"
#include "db.h"

#define MAX_PARAMS  32
#define MAX_WAITING 4096
#define MAX_STMTS   128

enum cstate { C_DOWN, C_CONNECTING, C_PREPARING, C_IDLE, C_BUSY };

struct query {
	TAILQ_ENTRY(query) entry;
	const char *stmt;
	int nparams;
	int alone; /* never batched: its batch failed, so it runs by itself */
	int shared; /* identical ones may share a result (call.h) */
	const char *params[MAX_PARAMS];
	db_callback cb;
	void *arg; /* what cb gets: ctx */
	_Alignas(max_align_t) unsigned char ctx[DB_CALL_CTX_MAX];
	char data[]; /* the parameters' bytes */
};
TAILQ_HEAD(queryq, query);

struct dbconn {
	struct db_pool *pool;
	PGconn *pg;
	enum cstate state;
	struct event *ev; /* connecting: one-shot; then persistent reads */
	struct event *wev; /* armed only while libpq has output to flush */
	struct event *retry;
	int backoff_ms;
	size_t preparing; /* index of the statement being prepared */
	struct queryq sent; /* the queries the statement in flight answers */
	const char *batch; /* the batch form they went as; NULL: alone */
	PGresult *res; /* a result waiting for the end of its statement */
};

struct db_pool {
	struct event_base *base;
	char *conninfo;
	char options[160]; /* timeouts and the client check (db_pool_new) */
	int size, reconnect_max_ms;
	struct dbconn *conns;
	struct queryq waiting;
	int nwaiting;
};

/* pool.c */
/* Calls q back with a view of res (NULL: unreachable), and frees q. */
void pool_finish_query(
    struct query *q, const PGresult *res, int row0, int rows, int col0);
void pool_finish_whole(struct query *q, const PGresult *res);
void pool_note_error(void);
void pool_note_batch(int queries);
void pool_note_shared(int queries);

/* schedule.c */
void sched_requeue_alone(struct db_pool *pool, struct queryq *batch);
void sched_answer_batch(struct queryq *batch, const PGresult *res);
void sched_answer_alike(struct queryq *done, const PGresult *res);
const char *sched_batch_form(const struct query *q);
int sched_gather(struct dbconn *dc, const struct query *q);
int sched_holds_back(const struct db_pool *pool, const struct query *q);

#endif

/*
 * schedule.c: which waiting queries go to PostgreSQL together, and how
 * one statement's result answers each of them. The connection's life
 * (connecting, preparing, sending, reading) is pool.c's; this file only
 * decides, over the queue and the statements in flight:
 *
 *   - a lookup with a batch form waits while one like it runs, and the
 *     lookups that waited go as one statement (sched_holds_back,
 *     sched_gather); its result is split by key (sched_answer_batch);
 *   - identical shared reads that waited together run once, and each gets
 *     the whole result (sched_answer_alike);
 *   - a query never joins a statement already sent, whose snapshot may
 *     predate its request;
 *   - a failed batch's queries go back to the head of the queue, each to
 *     run alone (sched_requeue_alone).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>
#include <libpq-fe.h>

#include "batch.h"
#include "call.h"
#include "db.h"
#include "pool.h"
#include "result.h"

/*
 * Puts the queries of a failed batch back at the head of the queue, each
 * to run alone: the error says nothing of which query it was for (one key
 * may be bad, or the error may concern none of them), so each gets an
 * answer of its own.
 */
void
sched_requeue_alone(struct db_pool *pool, struct queryq *batch)
{
	struct query *q;

	while ((q = TAILQ_LAST(batch, queryq)) != NULL) {
		TAILQ_REMOVE(batch, q, entry);
		q->alone = 1;
		TAILQ_INSERT_HEAD(&pool->waiting, q, entry);
		pool->nwaiting++;
	}
}

static int
count(const struct queryq *list)
{
	const struct query *q;
	int n = 0;

	TAILQ_FOREACH(q, list, entry)
		n++;
	return n;
}

/* Answers each query of a batch with its own rows. */
void
sched_answer_batch(struct queryq *batch, const PGresult *res)
{
	struct query *q;
	int row0, rows, n = count(batch);

	if (n > 0)
		pool_note_batch(n);
	while ((q = TAILQ_FIRST(batch)) != NULL) {
		TAILQ_REMOVE(batch, q, entry);
		batch_rows_of(res, q->params[0], &row0, &rows);
		pool_finish_query(q, res, row0, rows, 1);
	}
}

/* Answers a query, or identical shared reads, with the whole result. */
void
sched_answer_alike(struct queryq *done, const PGresult *res)
{
	struct query *q;
	int n = count(done);

	if (res != NULL && PQresultStatus(res) == PGRES_FATAL_ERROR)
		pool_note_error();
	if (n > 1)
		pool_note_shared(n);
	while ((q = TAILQ_FIRST(done)) != NULL) {
		TAILQ_REMOVE(done, q, entry);
		pool_finish_whole(q, res);
	}
}

/* The batch form q may go as, or NULL. */
const char *
sched_batch_form(const struct query *q)
{
	if (q->alone || q->nparams != 1 || q->params[0] == NULL)
		return NULL;
	return batch_form(q->stmt);
}

/* Are a and b the same shared read: statement and parameters alike? */
static int
same_read(const struct query *a, const struct query *b)
{
	int i;

	if (!a->shared || !b->shared || a->nparams != b->nparams ||
	    strcmp(a->stmt, b->stmt) != 0)
		return 0;
	for (i = 0; i < a->nparams; i++) {
		if ((a->params[i] == NULL) != (b->params[i] == NULL))
			return 0;
		if (a->params[i] != NULL &&
		    strcmp(a->params[i], b->params[i]) != 0)
			return 0;
	}
	return 1;
}

/* Can w go with q: as the same shared read, or in q's batch? */
static int
goes_with(const struct query *w, const struct query *q)
{
	if (q->shared)
		return same_read(w, q);
	return !w->alone && w->nparams == 1 && w->params[0] != NULL &&
	       strcmp(w->stmt, q->stmt) == 0;
}

/* Moves the waiting queries that can go with q onto dc->sent, in their
 * order, up to BATCH_MAX with q. Returns how many went. */
int
sched_gather(struct dbconn *dc, const struct query *q)
{
	struct db_pool *pool = dc->pool;
	struct query *w, *next;
	int n = 0;

	for (w = TAILQ_FIRST(&pool->waiting); w != NULL && n + 1 < BATCH_MAX;
	     w = next) {
		next = TAILQ_NEXT(w, entry);
		if (!goes_with(w, q))
			continue;
		TAILQ_REMOVE(&pool->waiting, w, entry);
		pool->nwaiting--;
		TAILQ_INSERT_TAIL(&dc->sent, w, entry);
		n++;
	}
	return n;
}

/* Is a statement like q running: the same shared read, or a statement
 * q could have gone in a batch with? */
static int
running_like(const struct db_pool *pool, const struct query *q)
{
	const struct dbconn *dc;
	const struct query *head;
	int i;

	for (i = 0; i < pool->size; i++) {
		dc = &pool->conns[i];
		if (dc->state != C_BUSY || TAILQ_EMPTY(&dc->sent))
			continue;
		head = TAILQ_FIRST(&dc->sent);
		if (q->shared ? same_read(head, q)
		              : strcmp(head->stmt, q->stmt) == 0)
			return 1;
	}
	return 0;
}

/*
 * Should q wait although a connection is idle? Yes when a statement like
 * it is running: it then goes, with those that come after it, as soon as
 * that statement answers, and the database runs one statement for them
 * all. For a lookup with a batch form the wait is at most one round trip,
 * and a full batch's worth of waiting lookups no longer waits; a shared
 * read waits out the identical read it must not join, since that one
 * started before its request arrived.
 */
int
sched_holds_back(const struct db_pool *pool, const struct query *q)
{
	if (!q->shared &&
	    (pool->nwaiting >= BATCH_MAX || sched_batch_form(q) == NULL))
		return 0;
	return running_like(pool, q);
}

/*
 * pool.c: see db.h.
 *
 * A connection moves DOWN -> CONNECTING -> PREPARING -> IDLE <-> BUSY and
 * back to DOWN when its socket fails (the states are named in pool.h). While
 * connecting, a one-shot event follows what PQconnectPoll asks for (the socket
 * may change); once connected, a persistent read event watches the socket for
 * the connection's life and a write event is armed only while libpq has output
 * it could not flush, so a query costs no epoll_ctl.
 * Queries that find no idle connection wait in a FIFO queue as long as at
 * least one connection is up or connecting; with none they fail at once,
 * so a request never hangs on a database that is gone.
 *
 * Under load, statements are shared. A lookup whose statement has a
 * batch form ("<name>_batch", db.h) waits while one like it runs, and the
 * lookups that waited then go as one statement; identical shared reads
 * (db_call with shared) that waited together run once. The database then
 * parses, plans, snapshots and answers once for many requests, and the
 * queue drains faster the longer it is. A query never joins a statement
 * already sent, whose snapshot may predate it. With nothing like it
 * running, a query goes at once, so a quiet server answers each alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>
#include <libpq-fe.h>

#include "../util/alloc.h"
#include "batch.h"
#include "call.h"
#include "db.h"
#include "pool.h"
#include "result.h"

/* How often a running query's backend polls for its client (PostgreSQL
 * 14's client_connection_check_interval), in milliseconds. */
#define CLIENT_CHECK_MS 1000

static const struct db_stmt *stmts[MAX_STMTS];
static size_t nstmts;
static struct db_observer observer;

void
db_set_observer(const struct db_observer *o)
{
	observer = *o;
}

void
pool_note_error(void)
{
	if (observer.error != NULL)
		observer.error();
}

static void conn_io(evutil_socket_t fd, short what, void *arg);
static void want_flush(struct dbconn *dc);
static void conn_start(struct dbconn *dc);
static void conn_next(struct dbconn *dc);
static void pool_dispatch(struct db_pool *pool);

void
db_register(const struct db_stmt *list, size_t n)
{
	size_t i;

	for (i = 0; i < n && nstmts < MAX_STMTS; i++)
		stmts[nstmts++] = &list[i];
	batch_register(list, n);
}

void
pool_note_batch(int queries)
{
	if (observer.batch != NULL)
		observer.batch(queries);
}

void
pool_note_shared(int queries)
{
	if (observer.shared != NULL)
		observer.shared(queries);
}

static void
update_gauges(struct db_pool *pool)
{
	int i, busy = 0, up = 0;

	for (i = 0; i < pool->size; i++) {
		busy += pool->conns[i].state == C_BUSY;
		up += pool->conns[i].state >= C_IDLE;
	}
	if (observer.gauges != NULL)
		observer.gauges(busy, pool->nwaiting, up);
}

/* Up, or on its way up: a query may wait for a connection that is still
 * connecting, not for one that is waiting out a backoff. */
static int
pool_up(struct db_pool *pool)
{
	int i;

	for (i = 0; i < pool->size; i++)
		if (pool->conns[i].state != C_DOWN)
			return 1;
	return 0;
}

/* Calls back with a view of res (NULL: the database is unreachable). */
void
pool_finish_query(
    struct query *q, const PGresult *res, int row0, int rows, int col0)
{
	struct db_result view = {res, row0, rows, col0};

	q->cb(res != NULL ? &view : NULL, q->arg);
	free(q);
}

void
pool_finish_whole(struct query *q, const PGresult *res)
{
	pool_finish_query(q, res, 0, res != NULL ? PQntuples(res) : 0, 0);
}

/* Fails every query of a list that has been taken off the pool. */
static void
fail_all(struct queryq *list)
{
	struct query *q;

	while ((q = TAILQ_FIRST(list)) != NULL) {
		TAILQ_REMOVE(list, q, entry);
		pool_finish_whole(q, NULL);
	}
}

static void
fail_waiting(struct db_pool *pool)
{
	struct queryq list;

	TAILQ_INIT(&list);
	TAILQ_CONCAT(&list, &pool->waiting, entry);
	pool->nwaiting = 0;
	fail_all(&list);
}

/* While connecting: wait once for what PQconnectPoll asked. */
static void
watch(struct dbconn *dc, short what)
{
	event_del(dc->ev);
	event_assign(
	    dc->ev, dc->pool->base, PQsocket(dc->pg), what, conn_io, dc);
	event_add(dc->ev, NULL);
}

/* The connection failed: give up its query, schedule a reconnect. */
static void
conn_down(struct dbconn *dc)
{
	struct timeval tv;
	struct queryq lost;

	event_del(dc->wev);
	if (dc->backoff_ms == 0) {
		/* Said once per outage, not once per retry. */
		pool_note_error();
		fprintf(stderr, "pipelined: database connection lost: %s",
		    dc->pg != NULL ? PQerrorMessage(dc->pg)
		                   : "out of memory\n");
	}
	event_del(dc->ev);
	if (dc->pg != NULL) {
		PQfinish(dc->pg);
		dc->pg = NULL;
	}
	dc->state = C_DOWN;
	TAILQ_INIT(&lost);
	TAILQ_CONCAT(&lost, &dc->sent, entry);
	dc->batch = NULL;
	PQclear(dc->res);
	dc->res = NULL;
	dc->backoff_ms = dc->backoff_ms == 0 ? 50 : dc->backoff_ms * 2;
	if (dc->backoff_ms > dc->pool->reconnect_max_ms)
		dc->backoff_ms = dc->pool->reconnect_max_ms;
	tv.tv_sec = dc->backoff_ms / 1000;
	tv.tv_usec = (suseconds_t)(dc->backoff_ms % 1000) * 1000;
	evtimer_add(dc->retry, &tv);
	fail_all(&lost);
	if (!pool_up(dc->pool))
		fail_waiting(dc->pool);
	else
		pool_dispatch(dc->pool); /* what held back for it */
	update_gauges(dc->pool);
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	conn_start(arg);
}

static void
prepare_next(struct dbconn *dc)
{
	if (dc->preparing == nstmts) {
		dc->state = C_IDLE;
		dc->backoff_ms = 0;
		conn_next(dc);
		return;
	}
	if (!PQsendPrepare(dc->pg, stmts[dc->preparing]->name,
	        stmts[dc->preparing]->sql, 0, NULL)) {
		conn_down(dc);
		return;
	}
	want_flush(dc);
}

/* Arms the write event while libpq still holds output. */
static void
want_flush(struct dbconn *dc)
{
	int rc = PQflush(dc->pg);

	if (rc < 0)
		conn_down(dc);
	else if (rc == 1)
		event_add(dc->wev, NULL);
}

static void
connect_poll(struct dbconn *dc)
{
	switch (PQconnectPoll(dc->pg)) {
	case PGRES_POLLING_READING:
		watch(dc, EV_READ);
		break;
	case PGRES_POLLING_WRITING:
		watch(dc, EV_WRITE);
		break;
	case PGRES_POLLING_OK:
		/* The socket is final now: one persistent read event for
		 * the connection's life, so a query costs no epoll_ctl. */
		event_del(dc->ev);
		event_assign(dc->ev, dc->pool->base, PQsocket(dc->pg),
		    EV_READ | EV_PERSIST, conn_io, dc);
		event_assign(dc->wev, dc->pool->base, PQsocket(dc->pg),
		    EV_WRITE, conn_io, dc);
		event_add(dc->ev, NULL);
		PQsetnonblocking(dc->pg, 1);
		dc->state = C_PREPARING;
		dc->preparing = 0;
		prepare_next(dc);
		break;
	default:
		conn_down(dc);
	}
}

static void
conn_start(struct dbconn *dc)
{
	/* The configured string may be key=value or a URI: it goes in as
	 * dbname with expand_dbname, and the options after it add limits so
	 * that no query holds a request (and its connection) for ever. */
	static const char *const keys[] = {"dbname", "options", NULL};
	const char *values[] = {dc->pool->conninfo, dc->pool->options, NULL};

	dc->pg = PQconnectStartParams(keys, values, 1);
	if (dc->pg == NULL || PQstatus(dc->pg) == CONNECTION_BAD) {
		dc->state = C_CONNECTING;
		conn_down(dc);
		return;
	}
	dc->state = C_CONNECTING;
	connect_poll(dc);
}

/*
 * Reads what arrived. A statement's result and the end of its results
 * may come in different reads, so the result waits in dc->res until
 * PQgetResult says there is no more. Returns 1 when the statement is
 * done (its result, possibly NULL, in *out), 0 when more must be read,
 * -1 when the connection broke.
 */
static int
read_result(struct dbconn *dc, PGresult **out)
{
	PGresult *res;

	if (!PQconsumeInput(dc->pg))
		return -1;
	while (!PQisBusy(dc->pg)) {
		if ((res = PQgetResult(dc->pg)) == NULL) {
			*out = dc->res;
			dc->res = NULL;
			return 1;
		}
		if (dc->res == NULL)
			dc->res = res;
		else
			PQclear(res); /* one statement, one result */
	}
	return 0;
}

static void
on_prepared(struct dbconn *dc)
{
	PGresult *res = NULL;
	int rc = read_result(dc, &res);

	if (rc < 0) {
		conn_down(dc);
		return;
	}
	if (rc == 0)
		return;
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		/* Typically a schema behind the binary: said once, then
		 * retried quietly with the backoff until it is migrated. */
		if (dc->backoff_ms == 0)
			fprintf(stderr, "pipelined: preparing %s: %s",
			    stmts[dc->preparing]->name,
			    res ? PQresultErrorMessage(res) : "no result\n");
		PQclear(res);
		conn_down(dc);
		return;
	}
	PQclear(res);
	dc->preparing++;
	prepare_next(dc);
}

static void
on_result(struct dbconn *dc)
{
	PGresult *res = NULL;
	struct queryq done;
	const char *batch = dc->batch;
	int rc = read_result(dc, &res);

	if (rc < 0) {
		conn_down(dc);
		return;
	}
	if (rc == 0)
		return;
	if (PQstatus(dc->pg) != CONNECTION_OK) {
		/* The statement ended with its connection (a FATAL error
		 * came with the close): nothing more may go on it. */
		PQclear(res);
		conn_down(dc);
		return;
	}
	TAILQ_INIT(&done);
	TAILQ_CONCAT(&done, &dc->sent, entry);
	dc->batch = NULL;
	dc->state = C_IDLE;
	if (batch != NULL &&
	    (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK))
		sched_requeue_alone(dc->pool, &done);
	/* What waited goes before anything the callbacks ask: a lookup held
	 * back for this statement is not overtaken by the next one. */
	pool_dispatch(dc->pool);
	if (batch != NULL)
		sched_answer_batch(&done, res);
	else
		sched_answer_alike(&done, res);
	PQclear(res);
	pool_dispatch(dc->pool);
}

static void
conn_io(evutil_socket_t fd, short what, void *arg)
{
	struct dbconn *dc = arg;

	(void)fd;
	if (dc->state == C_CONNECTING) {
		connect_poll(dc);
		return;
	}
	if (dc->state == C_DOWN)
		return;
	if (what & EV_WRITE) {
		want_flush(dc);
		if (dc->state == C_DOWN)
			return;
	}
	if (!(what & EV_READ))
		return;
	switch (dc->state) {
	case C_PREPARING:
		on_prepared(dc);
		break;
	case C_BUSY:
		on_result(dc);
		break;
	case C_IDLE:
		/* Nothing was asked: the server is closing on us, or sent a
		 * notice. Either way, find out. */
		if (!PQconsumeInput(dc->pg) ||
		    PQstatus(dc->pg) != CONNECTION_OK)
			conn_down(dc);
		break;
	default:
		break;
	}
}

static void
send_query(struct dbconn *dc, struct query *q)
{
	TAILQ_INSERT_TAIL(&dc->sent, q, entry);
	dc->batch = NULL;
	dc->state = C_BUSY;
	if (!PQsendQueryPrepared(
	        dc->pg, q->stmt, q->nparams, q->params, NULL, NULL, 0)) {
		conn_down(dc);
		return;
	}
	want_flush(dc);
}

/*
 * Sends q and the queries sched_gather() put on dc->sent as one statement,
 * their batch form, with the array of their keys as $1.
 */
static void
send_batch(struct dbconn *dc, struct query *q, const char *form)
{
	const char *keys[BATCH_MAX], *param[1];
	size_t n = 0;
	char *lit;
	int ok;

	TAILQ_INSERT_HEAD(&dc->sent, q, entry);
	TAILQ_FOREACH(q, &dc->sent, entry)
		keys[n++] = q->params[0];
	if ((lit = batch_keys(keys, n)) == NULL) {
		/* No batch then: each goes alone, from the queue's head. */
		sched_requeue_alone(dc->pool, &dc->sent);
		conn_next(dc);
		return;
	}
	param[0] = lit;
	dc->batch = form;
	dc->state = C_BUSY;
	ok = PQsendQueryPrepared(dc->pg, form, 1, param, NULL, NULL, 0);
	free(lit);
	if (!ok)
		conn_down(dc);
	else
		want_flush(dc);
}

/* An idle connection takes the first waiting query that need not wait
 * for a statement like it, with those that can go with it, or waits. */
static void
conn_next(struct dbconn *dc)
{
	struct db_pool *pool = dc->pool;
	const char *form;
	struct query *q;
	int n;

	TAILQ_FOREACH(q, &pool->waiting, entry)
		if (!sched_holds_back(pool, q))
			break;
	if (q != NULL) {
		TAILQ_REMOVE(&pool->waiting, q, entry);
		pool->nwaiting--;
		form = sched_batch_form(q);
		n = form != NULL || q->shared ? sched_gather(dc, q) : 0;
		if (form != NULL && n > 0)
			send_batch(dc, q, form);
		else
			send_query(dc, q);
	}
	update_gauges(pool);
}

static struct query *
query_new(const char *stmt, int nparams, const char *const *params,
    db_callback cb, void *arg)
{
	struct query *q;
	size_t total = 0, off = 0, len;
	int i;

	if (nparams > MAX_PARAMS)
		return NULL;
	for (i = 0; i < nparams; i++)
		if (params[i] != NULL)
			total += strlen(params[i]) + 1;
	q = xmalloc(sizeof(*q) + total);
	q->stmt = stmt;
	q->nparams = nparams;
	q->alone = 0;
	q->shared = 0;
	q->cb = cb;
	q->arg = arg;
	for (i = 0; i < nparams; i++) {
		if (params[i] == NULL) {
			q->params[i] = NULL;
			continue;
		}
		len = strlen(params[i]) + 1;
		memcpy(q->data + off, params[i], len);
		q->params[i] = q->data + off;
		off += len;
	}
	return q;
}

/* Idle connections take what waits. */
static void
pool_dispatch(struct db_pool *pool)
{
	int i;

	for (i = 0; i < pool->size && pool->nwaiting > 0; i++)
		if (pool->conns[i].state == C_IDLE)
			conn_next(&pool->conns[i]);
}

/* Sends a new query on an idle connection unless it should wait, else
 * queues it. */
int
db_call(struct db_pool *pool, const char *stmt, int nparams,
    const char *const *params, int shared, db_callback cb, const void *ctx,
    size_t ctxlen)
{
	struct query *q;
	int i;

	if (!pool_up(pool) || pool->nwaiting >= MAX_WAITING ||
	    ctxlen > DB_CALL_CTX_MAX)
		return -1;
	if ((q = query_new(stmt, nparams, params, cb, NULL)) == NULL)
		return -1;
	if (ctxlen > 0)
		memcpy(q->ctx, ctx, ctxlen);
	q->arg = q->ctx;
	q->shared = shared;
	if (!sched_holds_back(pool, q)) {
		for (i = 0; i < pool->size; i++) {
			if (pool->conns[i].state == C_IDLE) {
				send_query(&pool->conns[i], q);
				update_gauges(pool);
				return 0;
			}
		}
	}
	TAILQ_INSERT_TAIL(&pool->waiting, q, entry);
	pool->nwaiting++;
	update_gauges(pool);
	return 0;
}

struct db_pool *
db_pool_new(struct event_base *base, const char *conninfo, int size,
    int reconnect_max_ms, int statement_timeout_ms, int lock_timeout_ms)
{
	struct db_pool *pool;
	int i;

	pool = xcalloc(1, sizeof(*pool));
	pool->base = base;
	pool->size = size;
	pool->reconnect_max_ms = reconnect_max_ms;
	/* client_connection_check_interval: a query still running or waiting
	 * for a lock when this process dies ends within a second, instead of
	 * running on for a client that is gone (and holding its session, so
	 * that an Idempotency-Key it reserved lives on, sql/015). */
	snprintf(pool->options, sizeof(pool->options),
	    "-c statement_timeout=%d -c lock_timeout=%d"
	    " -c client_connection_check_interval=%d",
	    statement_timeout_ms, lock_timeout_ms, CLIENT_CHECK_MS);
	pool->conninfo = xstrdup(conninfo);
	pool->conns = xcalloc((size_t)size, sizeof(*pool->conns));
	TAILQ_INIT(&pool->waiting);
	for (i = 0; i < size; i++) {
		struct dbconn *dc = &pool->conns[i];

		dc->pool = pool;
		TAILQ_INIT(&dc->sent);
		dc->ev = event_new(base, -1, 0, conn_io, dc);
		dc->wev = event_new(base, -1, 0, conn_io, dc);
		dc->retry = evtimer_new(base, retry_cb, dc);
		conn_start(dc);
	}
	return pool;
}

void
db_pool_free(struct db_pool *pool)
{
	int i;

	if (pool == NULL)
		return;
	for (i = 0; i < pool->size; i++) {
		struct dbconn *dc = &pool->conns[i];

		fail_all(&dc->sent);
		PQclear(dc->res);
		if (dc->pg != NULL)
			PQfinish(dc->pg);
		event_free(dc->ev);
		event_free(dc->wev);
		event_free(dc->retry);
	}
	fail_waiting(pool);
	free(pool->conns);
	free(pool->conninfo);
	free(pool);
}

const char *
db_conninfo(const char *configured)
{
	const char *env;

	if (configured != NULL && configured[0] != '\0')
		return configured;
	if ((env = getenv("DATABASE_URL")) != NULL && env[0] != '\0')
		return env;
	return "dbname=pipeline";
}

/*
 * limits.c: the statements of the limits every instance shares (sql/017):
 * leases from a principal's token bucket, and failed authentications per
 * client address.
 */
#include <stdio.h>
#include <stdlib.h>

#include "call.h"
#include "statements.h"

const struct db_stmt db_limits_stmts[] = {
    {"rate_lease", "SELECT granted, wait_s FROM rate_lease($1, $2, $3, $4)"},
    {"auth_failure_record", "SELECT auth_failure_record($1, $2)"},
};

const size_t db_limits_nstmts =
    sizeof(db_limits_stmts) / sizeof(db_limits_stmts[0]);

struct lease_call {
	db_lease_cb cb;
	void *arg;
};

static void
lease_done(const db_result *res, void *ctx)
{
	const struct lease_call *c = ctx;
	struct db_lease l;

	if (db_failed(res) || db_rows(res) != 1) {
		c->cb(res, NULL, c->arg);
		return;
	}
	l.granted = atoi(db_value(res, 0, 0));
	l.wait_s = atoi(db_value(res, 0, 1));
	c->cb(res, &l, c->arg);
}

int
db_rate_lease(struct db_pool *pool, const char *principal_id, double rate,
    double burst, int want, db_lease_cb cb, void *arg)
{
	char r[32], b[32], w[16];
	const char *params[4] = {principal_id, r, b, w};
	struct lease_call c = {cb, arg};

	snprintf(r, sizeof(r), "%.17g", rate);
	snprintf(b, sizeof(b), "%.17g", burst);
	snprintf(w, sizeof(w), "%d", want);
	return db_call(
	    pool, "rate_lease", 4, params, 0, lease_done, &c, sizeof(c));
}

struct failure_call {
	db_level_cb cb;
	void *arg;
};

static void
failure_done(const db_result *res, void *ctx)
{
	const struct failure_call *c = ctx;

	if (db_failed(res) || db_rows(res) != 1)
		c->cb(res, -1, c->arg);
	else
		c->cb(res, atof(db_value(res, 0, 0)), c->arg);
}

int
db_auth_failure_record(struct db_pool *pool, const char *addr, int per_minute,
    db_level_cb cb, void *arg)
{
	char m[16];
	const char *params[2] = {addr, m};
	struct failure_call c = {cb, arg};

	snprintf(m, sizeof(m), "%d", per_minute);
	return db_call(pool, "auth_failure_record", 2, params, 0, failure_done,
	    &c, sizeof(c));
}

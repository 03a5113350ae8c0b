/*
 * migrate.c: applies the migrations compiled into the binary, in order,
 * each in its own transaction together with its row in schema_migrations,
 * so a migration that fails leaves the schema exactly as it was. An
 * advisory lock keeps two migrators (two `make run`s) from interleaving.
 */
#include <stdio.h>
#include <stdlib.h>

#include <libpq-fe.h>

#include "db.h"
#include "migrations.h"

#define MIGRATE_LOCK_KEY "7274201"

static int
exec_ok(PGconn *pg, const char *sql, const char *what)
{
	PGresult *res = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(res);
	int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

	if (!ok)
		fprintf(stderr, "pipelined: migrate: %s: %s", what,
		    PQresultErrorMessage(res));
	PQclear(res);
	return ok;
}

static int
applied(PGconn *pg, int version)
{
	char v[16];
	const char *params[1] = {v};
	PGresult *res;
	int n;

	snprintf(v, sizeof(v), "%d", version);
	res = PQexecParams(pg,
	    "SELECT 1 FROM schema_migrations WHERE version = $1", 1, NULL,
	    params, NULL, NULL, 0);
	n = PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) : -1;
	PQclear(res);
	return n;
}

static int
apply(PGconn *pg, const struct migration *m)
{
	char v[16];
	const char *params[2] = {v, m->name};
	PGresult *res;
	int ok;

	if (!exec_ok(pg, "BEGIN", "begin"))
		return -1;
	if (!exec_ok(pg, m->sql, m->name)) {
		exec_ok(pg, "ROLLBACK", "rollback");
		return -1;
	}
	snprintf(v, sizeof(v), "%d", m->version);
	res = PQexecParams(pg,
	    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2,
	    NULL, params, NULL, NULL, 0);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!ok || !exec_ok(pg, "COMMIT", "commit")) {
		exec_ok(pg, "ROLLBACK", "rollback");
		return -1;
	}
	printf("pipelined: applied migration %s\n", m->name);
	return 0;
}

int
db_schema_version_expected(void)
{
	return nmigrations > 0 ? migrations[nmigrations - 1].version : 0;
}

int
db_migrate(const char *conninfo)
{
	PGconn *pg = PQconnectdb(conninfo);
	int i, rc = 0, n;

	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "pipelined: migrate: %s", PQerrorMessage(pg));
		PQfinish(pg);
		return -1;
	}
	PQclear(PQexec(pg, "SET client_min_messages = warning"));
	if (!exec_ok(
	        pg, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", "lock") ||
	    !exec_ok(pg,
	        "CREATE TABLE IF NOT EXISTS schema_migrations ("
	        " version integer PRIMARY KEY,"
	        " name text NOT NULL,"
	        " applied_at timestamptz NOT NULL DEFAULT now())",
	        "schema_migrations")) {
		PQfinish(pg);
		return -1;
	}
	for (i = 0; i < nmigrations && rc == 0; i++) {
		if ((n = applied(pg, migrations[i].version)) < 0)
			rc = -1;
		else if (n == 0)
			rc = apply(pg, &migrations[i]);
	}
	exec_ok(
	    pg, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", "unlock");
	PQfinish(pg);
	return rc;
}

/*
 * migrate.c: brings a database to the schema compiled into the binary
 * (build/gen/migrations.c, from sql/ by src/db/embed-sql.awk), all in one
 * transaction, so that a run that fails anywhere leaves the database
 * exactly as it was:
 *
 *   1. the functions listed "before migrations" in sql/functions/ORDER,
 *      with check_function_bodies off: only what a migration needs while
 *      it runs on a fresh database (the trigger function of CREATE
 *      TRIGGER, the function of a generated column);
 *   2. every migration (sql/NNN_*.sql) not yet in schema_migrations, in
 *      number order, each with its row there;
 *   3. the functions listed "after migrations", in the order listed (each
 *      after the functions its LANGUAGE sql or RETURN body calls, as those
 *      bodies are checked when created; the tables all exist by then).
 *
 * Migrations hold tables, indexes, triggers and data. Every function has
 * its one definition in sql/functions/NAME.sql, a CREATE OR REPLACE that
 * steps 1 and 3 run on every migrate, pending migrations or not: so a
 * fresh database and an upgraded one end with the same definitions, those
 * of this build. The migrations that created or replaced functions before
 * they moved there (001-012) no longer do; the databases that ran them
 * have them recorded, and nothing compares a migration's text with what
 * ran (/ready compares only the highest version). CREATE OR REPLACE cannot
 * change argument types, parameter names or a return type: how to change
 * those is in sql/functions/ORDER.
 *
 * Nothing here may need to run outside a transaction block (CREATE INDEX
 * CONCURRENTLY, ALTER TYPE ... ADD VALUE then using the value). A
 * transaction-scoped advisory lock keeps two migrators (two `make run`s)
 * from interleaving.
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
	/* PGRES_EMPTY_QUERY: a migration of comments only (010-012, whose
	 * functions are in sql/functions/ now). */
	int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ||
	         st == PGRES_EMPTY_QUERY;

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
	if (n < 0)
		fprintf(stderr, "pipelined: migrate: schema_migrations: %s",
		    PQresultErrorMessage(res));
	PQclear(res);
	return n;
}

/* A migration and its row in schema_migrations, in the open transaction. */
static int
apply(PGconn *pg, const struct migration *m)
{
	char v[16];
	const char *params[2] = {v, m->name};
	PGresult *res;
	int ok;

	if (!exec_ok(pg, m->sql, m->name))
		return -1;
	snprintf(v, sizeof(v), "%d", m->version);
	res = PQexecParams(pg,
	    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2,
	    NULL, params, NULL, NULL, 0);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "pipelined: migrate: %s: %s", m->name,
		    PQresultErrorMessage(res));
	PQclear(res);
	return ok ? 0 : -1;
}

static int
apply_functions(PGconn *pg, const struct sql_file *f, int n)
{
	char what[128];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "sql/functions/%s", f[i].name);
		if (!exec_ok(pg, f[i].sql, what))
			return -1;
	}
	return 0;
}

/* Steps 1-3 in the open transaction; the migrations applied are marked in
 * done[] (nmigrations entries). */
static int
migrate_in_transaction(PGconn *pg, char *done)
{
	int i, n;

	if (!exec_ok(pg, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ")",
	        "lock") ||
	    !exec_ok(pg,
	        "CREATE TABLE IF NOT EXISTS schema_migrations ("
	        " version integer PRIMARY KEY,"
	        " name text NOT NULL,"
	        " applied_at timestamptz NOT NULL DEFAULT now())",
	        "schema_migrations"))
		return -1;

	/* 1. Off so that a LANGUAGE sql body may name a table that a pending
	 * migration is yet to create. */
	if (!exec_ok(pg, "SET LOCAL check_function_bodies = off",
	        "check_function_bodies") ||
	    apply_functions(pg, functions_before, nfunctions_before) != 0 ||
	    !exec_ok(pg, "SET LOCAL check_function_bodies = on",
	        "check_function_bodies"))
		return -1;

	/* 2. */
	for (i = 0; i < nmigrations; i++) {
		if ((n = applied(pg, migrations[i].version)) < 0)
			return -1;
		if (n == 0) {
			if (apply(pg, &migrations[i]) != 0)
				return -1;
			done[i] = 1;
		}
	}

	/* 3. */
	return apply_functions(pg, functions_after, nfunctions_after);
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
	char *done;
	int i, rc;

	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "pipelined: migrate: %s", PQerrorMessage(pg));
		PQfinish(pg);
		return -1;
	}
	if ((done = calloc((size_t)nmigrations + 1, 1)) == NULL) {
		fprintf(stderr, "pipelined: migrate: out of memory\n");
		PQfinish(pg);
		return -1;
	}
	PQclear(PQexec(pg, "SET client_min_messages = warning"));
	rc = exec_ok(pg, "BEGIN", "begin") ? 0 : -1;
	if (rc == 0 && (migrate_in_transaction(pg, done) != 0 ||
	                   !exec_ok(pg, "COMMIT", "commit"))) {
		exec_ok(pg, "ROLLBACK", "rollback");
		rc = -1;
	}
	/* Said once committed: until then nothing is applied. */
	for (i = 0; i < nmigrations && rc == 0; i++)
		if (done[i])
			printf("pipelined: applied migration %s\n",
			    migrations[i].name);
	free(done);
	PQfinish(pg);
	return rc;
}

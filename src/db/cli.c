/*
 * cli.c: the synchronous statements of the command line (`pipelined key
 * create`), which runs outside any event loop.
 */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "db.h"

int
db_principal_create(
    const char *conninfo, const char *const params[7], char id[40])
{
	static const char sql[] =
	    "WITH p AS (INSERT INTO principals (id, name, role, areas,"
	    "  key_prefix, key_hash, cert_sha256, expires_on)"
	    " SELECT gen_random_uuid(), $1, $2, $3::text[], $4, $5, $6, "
	    "$7::date"
	    /* Areas are data: every code must be in the areas table. */
	    " WHERE $3::text[] <@ ARRAY(SELECT code FROM areas)"
	    " RETURNING *),"
	    " a AS (INSERT INTO audit_log (principal_id, principal, request_id,"
	    "  method, path, resource_type, resource_id, after)"
	    "  SELECT NULL, 'command line', 'cli', 'CLI', 'key create', 'key',"
	    "  id::text, to_jsonb(p) - 'key_hash' FROM p)"
	    "SELECT id FROM p";
	PGconn *pg = PQconnectdb(conninfo);
	PGresult *res;
	int rc = -1;

	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "pipelined: %s", PQerrorMessage(pg));
		PQfinish(pg);
		return -1;
	}
	res = PQexecParams(pg, sql, 7, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		snprintf(id, 40, "%s", PQgetvalue(res, 0, 0));
		rc = 0;
	} else if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		fprintf(stderr, "pipelined: key create: unknown area code\n");
	} else {
		fprintf(stderr, "pipelined: key create: %s",
		    PQresultErrorMessage(res));
	}
	PQclear(res);
	PQfinish(pg);
	return rc;
}

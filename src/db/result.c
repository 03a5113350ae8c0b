/* result.c: the accessors of db.h and call.h over a result view
 * (result.h). */
#include "call.h"
#include "result.h"

int
db_failed(const db_result *res)
{
	return res == NULL || (PQresultStatus(res->pg) != PGRES_TUPLES_OK &&
	                          PQresultStatus(res->pg) != PGRES_COMMAND_OK);
}

const char *
db_sqlstate(const db_result *res)
{
	const char *s;

	if (res == NULL)
		return "08006";
	s = PQresultErrorField(res->pg, PG_DIAG_SQLSTATE);
	return s != NULL ? s : "00000";
}

const char *
db_error_message(const db_result *res)
{
	return res == NULL ? "connection lost" : PQresultErrorMessage(res->pg);
}

int
db_rows(const db_result *res)
{
	return res->rows;
}

const char *
db_value(const db_result *res, int row, int col)
{
	return PQgetvalue(res->pg, res->row0 + row, res->col0 + col);
}

size_t
db_length(const db_result *res, int row, int col)
{
	return (size_t)PQgetlength(res->pg, res->row0 + row, res->col0 + col);
}

int
db_is_null(const db_result *res, int row, int col)
{
	return PQgetisnull(res->pg, res->row0 + row, res->col0 + col);
}

/* result.c: the accessors of db.h and call.h over a result view
 * (result.h). */
#include <stdio.h>

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

/*
 * A decoder that reads a column or row the result does not have is a
 * SELECT list changed without its decoder: say so, once per statement
 * shape, and read an empty value instead of libpq's NULL, which the
 * decoder would dereference.
 */
static int
out_of_range(const db_result *res, int row, int col)
{
	static int warned;

	if (row >= 0 && row < res->rows && col >= 0 &&
	    res->col0 + col < PQnfields(res->pg))
		return 0;
	if (!warned) {
		warned = 1;
		fprintf(stderr,
		    "pipelined: a decoder read row %d column %d of a result "
		    "of %d rows and %d columns\n",
		    row, res->col0 + col, res->rows, PQnfields(res->pg));
	}
	return 1;
}

int
db_rows(const db_result *res)
{
	return res->rows;
}

const char *
db_value(const db_result *res, int row, int col)
{
	if (out_of_range(res, row, col))
		return "";
	return PQgetvalue(res->pg, res->row0 + row, res->col0 + col);
}

size_t
db_length(const db_result *res, int row, int col)
{
	if (out_of_range(res, row, col))
		return 0;
	return (size_t)PQgetlength(res->pg, res->row0 + row, res->col0 + col);
}

int
db_is_null(const db_result *res, int row, int col)
{
	if (out_of_range(res, row, col))
		return 1;
	return PQgetisnull(res->pg, res->row0 + row, res->col0 + col);
}

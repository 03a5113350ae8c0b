/*
 * result.h: what a query's callback reads (db_result in db.h): a whole
 * result, or the rows of a batch's result that one query asked for,
 * without the batch's key column.
 */
#ifndef PIPELINED_RESULT_H
#define PIPELINED_RESULT_H

#include <libpq-fe.h>

struct db_result {
	const PGresult *pg;
	int row0, rows, col0;
};

#endif

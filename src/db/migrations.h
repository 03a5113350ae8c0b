/* migrations.h: the schema compiled into the binary (build/gen/migrations.c,
 * generated from sql/ by src/db/embed-sql.awk). */
#ifndef PIPELINED_MIGRATIONS_H
#define PIPELINED_MIGRATIONS_H

/* sql/NNN_name.sql: tables, indexes, triggers and data, applied once. */
struct migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migration migrations[];
extern const int nmigrations;

/* sql/functions/NAME.sql: one CREATE OR REPLACE FUNCTION each, applied on
 * every migrate, in the order of sql/functions/ORDER: those listed before
 * the migrations, then those listed after them. */
struct sql_file {
	const char *name;
	const char *sql;
};

extern const struct sql_file functions_before[];
extern const int nfunctions_before;
extern const struct sql_file functions_after[];
extern const int nfunctions_after;

#endif

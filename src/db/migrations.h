/* migrations.h: the schema migrations compiled into the binary. */
#ifndef PIPELINED_MIGRATIONS_H
#define PIPELINED_MIGRATIONS_H

struct migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migration migrations[];
extern const int nmigrations;

#endif

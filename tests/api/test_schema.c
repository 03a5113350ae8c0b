/*
 * test_schema.c: the schema's layout (sql/NNN_*.sql migrations of tables,
 * indexes, triggers and data; every function once, in sql/functions/) and
 * the upgrade to it.
 *
 * tests/fixtures/schema-012/ keeps the migrations as they were when every
 * function was still defined, and redefined, in them (001-012). A database
 * built from those, as the migrate of that time built it (each migration
 * in its own transaction with its row in schema_migrations), then
 * migrated with the new layout, must have exactly the schema of a fresh
 * database, from 012 and from 006 (a database with more migrations
 * pending). Compared: pg_dump --schema-only, the catalogs
 * (tests/fixtures/schema-catalog.sql: pg_get_functiondef of every
 * function, columns, constraints, indexes, triggers, schema_migrations)
 * and the answers of every function (tests/fixtures/schema-probe.sql).
 *
 * Each database is made on the throwaway cluster of scripts/test.sh
 * (TEST_PGDIR); the files compared are kept in $TEST_DIR/schema/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define FIXTURES "tests/fixtures"
#define PSQL     "psql -X -q -v ON_ERROR_STOP=1 -h \"$TEST_PGDIR\" -U postgres"

static char dir[1024]; /* $TEST_DIR/schema */

static int
createdb(const char *db)
{
	/* PGOPTIONS: no notice that the database did not exist. */
	return sh(
	    "PGOPTIONS='-c client_min_messages=warning' "
	    "runuser -u postgres -- dropdb --if-exists -h \"$TEST_PGDIR\" %s"
	    " && runuser -u postgres -- createdb -h \"$TEST_PGDIR\" %s",
	    db, db);
}

/* A database with the old migrations 001..upto applied as the old migrate
 * applied them: each in its own transaction with its schema_migrations
 * row. */
static int
old_schema(const char *db, int upto)
{
	if (createdb(db) != 0)
		return -1;
	/* TEST_PGDIR has no blanks (mktemp in scripts/test.sh). */
	return sh("set -e; P=\"psql -X -q -v ON_ERROR_STOP=1 -h $TEST_PGDIR"
	          " -U postgres -d %s\"; "
	          "$P -c 'CREATE TABLE schema_migrations ("
	          " version integer PRIMARY KEY, name text NOT NULL,"
	          " applied_at timestamptz NOT NULL DEFAULT now())'; "
	          "for f in " FIXTURES "/schema-012/[0-9]*.sql; do "
	          " b=${f##*/}; v=$(expr \"${b%%%%_*}\" + 0); "
	          " [ \"$v\" -le %d ] || continue; "
	          " $P -1 -f \"$f\" -c \"INSERT INTO schema_migrations"
	          " (version, name) VALUES ($v, '$b')\"; "
	          "done",
	    db, upto);
}

/* The new pipelined migrate on db; its output in dir/log. */
static int
migrate(const char *db, const char *log)
{
	return sh("DATABASE_URL=\"host=$TEST_PGDIR dbname=%s user=postgres\" "
	          "\"$PIPELINED_BIN\" -c /dev/null migrate >'%s/%s' 2>&1",
	    db, dir, log);
}

/* dir/name.dump (pg_dump less comments, blank lines and psql's \restrict
 * lines, whose key is random) and dir/name.catalog. */
static int
snapshot(const char *db, const char *name)
{
	return sh("set -e; pg_dump --schema-only --no-owner --no-privileges "
	          "\"host=$TEST_PGDIR dbname=%s user=postgres\" | "
	          "grep -v -E '^(--|\\\\(un)?restrict |$)' >'%s/%s.dump'; " PSQL
	          " -d %s -f " FIXTURES "/schema-catalog.sql "
	          ">'%s/%s.catalog'",
	    db, dir, name, db, dir, name);
}

/* dir/name.probe: what every function answers (errors included: the
 * append-only triggers must refuse). */
static int
probe(const char *db, const char *name)
{
	return sh("psql -X -h \"$TEST_PGDIR\" -U postgres -d %s "
	          "-f " FIXTURES "/schema-probe.sql >'%s/%s.probe' 2>&1",
	    db, dir, name);
}

static void
assert_same(const char *a, const char *b, const char *what)
{
	int rc =
	    sh("cd '%s' && diff -u %s.%s %s.%s >&2", dir, a, what, b, what);

	if (rc != 0)
		fprintf(stderr, "schema: %s/%s.%s and %s.%s differ\n", dir, a,
		    what, b, what);
	assert_int_equal(rc, 0);
}

static void
assert_same_schema(const char *a, const char *b)
{
	assert_same(a, b, "catalog");
	assert_same(a, b, "dump");
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/schema", ts_env("TEST_DIR"));
	ts_env("TEST_PGDIR");
	ts_env("PIPELINED_BIN");
	if (sh("mkdir -p '%s'", dir) != 0 || createdb("schema_fresh") != 0 ||
	    migrate("schema_fresh", "fresh.log") != 0 ||
	    snapshot("schema_fresh", "fresh") != 0 ||
	    probe("schema_fresh", "fresh") != 0) {
		fprintf(stderr,
		    "schema: cannot make the fresh database; see %s\n", dir);
		return -1;
	}
	return 0;
}

/* Every CREATE [OR REPLACE] FUNCTION or VIEW under sql/ (the demo data's
 * temporary function included) names a different object; those of the
 * schema are in sql/functions/NAME.sql, and they are exactly the functions
 * and views a migrated database has. */
static void
test_each_function_defined_once_under_sql(void **state)
{
	(void)state;
	assert_int_equal(
	    sh("grep -rHoiE '^[[:space:]]*create[[:space:]]+(or[[:space:]]+"
	       "replace[[:space:]]+)?(function|view)[[:space:]]+[a-z0-9_.]+' "
	       "sql | awk -F: '{ n = split($2, w, \" \");"
	       " print tolower(w[n]), $1 }' | sort >'%s/defined'",
	        dir),
	    0);
	/* Once each. */
	assert_int_equal(
	    sh("cd '%s' && d=$(cut -d' ' -f1 defined | uniq -d) && "
	       "{ [ -z \"$d\" ] || { echo \"defined more than once"
	       " under sql/: $d\" >&2; false; }; }",
	        dir),
	    0);
	/* In its own file, not in a migration. */
	assert_int_equal(sh("cd '%s' && w=$(awk '$2 !~ /^sql\\/demo\\// && "
	                    "$2 != \"sql/functions/\" $1 \".sql\"' defined) && "
	                    "{ [ -z \"$w\" ] || { echo \"defined outside "
	                    "sql/functions/NAME.sql: $w\" >&2; false; }; }",
	                     dir),
	    0);
	/* The functions and views of a migrated database, no more, no less. */
	assert_int_equal(
	    sh("cd '%s' && awk '$2 !~ /^sql\\/demo\\// { print $1 }' defined "
	       ">defined.schema && " PSQL " -At -d schema_fresh -c "
	       "\"SELECT proname FROM pg_proc"
	       " WHERE pronamespace = 'public'::regnamespace UNION ALL"
	       " SELECT viewname FROM pg_views WHERE schemaname = 'public'"
	       " ORDER BY 1\" >defined.db && [ -s defined.db ] && "
	       "diff -u defined.db defined.schema >&2",
	        dir),
	    0);
}

/* The generator (src/db/embed-sql.awk) refuses what would break the
 * layout: a function in a migration, a function file not in the ORDER
 * list, a file defining another function than its name. */
static void
test_generator_refuses_what_breaks_the_layout(void **state)
{
	static const char *breakage[] = {
	    "printf 'CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN 1;\\n'"
	    " >>sql/009_changes.sql",
	    "printf 'CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql"
	    " RETURN 1;\\n' >sql/functions/f.sql",
	    "sed -i 's/FUNCTION light_name(/FUNCTION light_names(/'"
	    " sql/functions/light_name.sql",
	    "sed -i '/^today_local$/d' sql/functions/ORDER",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(breakage) / sizeof(breakage[0]); i++) {
		/* The copy as it is builds; broken, it does not. */
		assert_int_equal(
		    sh("set -e; rm -rf '%s/gen'; mkdir '%s/gen'; cp -r sql "
		       "src/db/embed-sql.awk '%s/gen/'; cd '%s/gen'; "
		       "gen() { awk -v order=sql/functions/ORDER"
		       " -v functions=\"$(echo sql/functions/*.sql)\""
		       " -f embed-sql.awk sql/[0-9]*.sql >/dev/null; }; "
		       "gen; %s; if gen 2>err; then exit 1; fi; cat err >&2",
		        dir, dir, dir, dir, breakage[i]),
		    0);
	}
}

/* The probe runs through on a fresh database: four refusals by the
 * triggers and one write refused because its Idempotency-Key was taken
 * over, no other error. (Until the schema changed after 012, a test here
 * also proved that the function files were the last definitions of
 * 001-012, byte for byte; migration 013 and its functions ended that.) */
static void
test_probe_runs_through(void **state)
{
	(void)state;
	assert_int_equal(
	    sh("cd '%s' && [ $(grep -c 'ERROR:' fresh.probe) -eq 5 ] && "
	       "[ $(grep -c 'is append-only' fresh.probe) -eq 4 ] && "
	       "[ $(grep -c 'was taken over' fresh.probe) -eq 1 ]",
	        dir),
	    0);
}

/* A database at 012 built from the old texts (the last migration when
 * the functions moved), then the new pipelined migrate: none of 001-012
 * applied again, 013 and after applied, every function replaced by its
 * file; the same schema as a fresh database. */
static void
test_upgrade_from_012(void **state)
{
	(void)state;
	assert_int_equal(old_schema("schema_from_012", 12), 0);
	assert_int_equal(migrate("schema_from_012", "from012.log"), 0);
	assert_int_equal(
	    sh("! grep -E 'applied migration 0(0[0-9]|1[0-2])_' "
	       "'%s/from012.log' && [ $(grep -cE 'applied migration "
	       "01[34]_' '%s/from012.log') -eq 2 ]",
	        dir, dir),
	    0);
	assert_int_equal(snapshot("schema_from_012", "from012"), 0);
	assert_same_schema("fresh", "from012");
	assert_int_equal(probe("schema_from_012", "from012"), 0);
	assert_same("fresh", "from012", "probe");
}

/* A database at 006 with the old texts: the new migrate applies 007-016
 * (007-012 as they are now: no functions) and every function file, and
 * ends where a fresh one does. */
static void
test_upgrade_from_006(void **state)
{
	(void)state;
	assert_int_equal(old_schema("schema_from_006", 6), 0);
	assert_int_equal(migrate("schema_from_006", "from006.log"), 0);
	assert_int_equal(
	    sh("cd '%s' && [ $(grep -cE 'applied migration 0(0[7-9]|1[0-4])_' "
	       "from006.log) -eq 8 ] && "
	       "! grep -E 'applied migration 00[0-6]_' from006.log",
	        dir),
	    0);
	assert_int_equal(snapshot("schema_from_006", "from006"), 0);
	assert_same_schema("fresh", "from006");
	assert_int_equal(probe("schema_from_006", "from006"), 0);
	assert_same("fresh", "from006", "probe");
}

/* Migrating a current database again applies no migration and leaves the
 * schema as it was. */
static void
test_migrate_again_changes_nothing(void **state)
{
	(void)state;
	assert_int_equal(migrate("schema_fresh", "again.log"), 0);
	assert_int_equal(
	    sh("! grep -q 'applied migration' '%s/again.log'", dir), 0);
	assert_int_equal(snapshot("schema_fresh", "again"), 0);
	assert_same_schema("fresh", "again");
}

/* One transaction: when a pending migration fails (here 008, whose table
 * is in the way), neither the functions replaced before it, nor the
 * migrations before it (007), nor any function after it are left. */
static void
test_failed_migrate_changes_nothing(void **state)
{
	(void)state;
	assert_int_equal(old_schema("schema_broken", 6), 0);
	assert_int_equal(
	    sh(PSQL " -d schema_broken -c 'CREATE TABLE site_reports (x int)'"),
	    0);
	assert_int_equal(snapshot("schema_broken", "broken.before"), 0);
	assert_int_not_equal(migrate("schema_broken", "broken.log"), 0);
	assert_int_equal(sh("cd '%s' && cat broken.log >&2 && "
	                    "grep -q '008_site_reports.sql' broken.log && "
	                    "! grep -q 'applied migration' broken.log",
	                     dir),
	    0);
	assert_int_equal(snapshot("schema_broken", "broken.after"), 0);
	assert_same_schema("broken.before", "broken.after");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_each_function_defined_once_under_sql),
	    cmocka_unit_test(test_generator_refuses_what_breaks_the_layout),
	    cmocka_unit_test(test_probe_runs_through),
	    cmocka_unit_test(test_upgrade_from_012),
	    cmocka_unit_test(test_upgrade_from_006),
	    cmocka_unit_test(test_migrate_again_changes_nothing),
	    cmocka_unit_test(test_failed_migrate_changes_nothing),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

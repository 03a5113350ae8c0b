/*
 * test_queries.c: the typed query functions of src/db/ against fake
 * results, with no database: each sends a registered statement with as
 * many parameters as its SQL uses, and decodes its columns into the row
 * its callback gets, pointing into the result.
 *
 * The files under test are compiled into this one (the Makefile links
 * unit tests with the pure code only), and db_call, the pool's entry, is
 * replaced by one that answers at once with the result the test made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/db/decode.c"
#include "../../src/db/idempotency.c"
#include "../../src/db/principals.c"
#include "../../src/db/projects.c"
#include "../../src/db/result.c"
#include "../../src/db/write.c"

/* ---- the fake pool ------------------------------------------------------ */

#define MAX_SENT_PARAMS 16

/* What the last query sent, and the result it is to get. */
static struct {
	const char *stmt;
	int nparams, shared;
	char params[MAX_SENT_PARAMS][512];
	int is_null[MAX_SENT_PARAMS];
	const PGresult *answer; /* NULL: the database is unreachable */
	int row0, col0; /* the view of a batch's rows (pool.c) */
	int rows; /* -1: all of them */
} fake;

static const struct db_stmt *
registered(const char *name)
{
	static const struct {
		const struct db_stmt *list;
		const size_t *n;
	} tables[] = {
	    {db_project_stmts, &db_project_nstmts},
	    {db_principal_stmts, &db_principal_nstmts},
	    {db_idempotency_stmts, &db_idempotency_nstmts},
	};
	size_t t, i;

	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (i = 0; i < *tables[t].n; i++)
			if (strcmp(tables[t].list[i].name, name) == 0)
				return &tables[t].list[i];
	return NULL;
}

/* The highest $n in an SQL text: how many parameters it takes. */
static int
params_used(const char *sql)
{
	const char *s;
	int n, most = 0;

	for (s = strchr(sql, '$'); s != NULL; s = strchr(s + 1, '$'))
		if (sscanf(s + 1, "%d", &n) == 1 && n > most)
			most = n;
	return most;
}

int
db_call(struct db_pool *pool, const char *stmt, int nparams,
    const char *const *params, int shared, db_callback done, const void *ctx,
    size_t ctxlen)
{
	_Alignas(max_align_t) unsigned char copy[DB_CALL_CTX_MAX];
	const struct db_stmt *s = registered(stmt);
	struct db_result view;
	int i;

	(void)pool;
	assert_non_null(s);
	assert_int_equal(nparams, params_used(s->sql));
	assert_true(nparams <= MAX_SENT_PARAMS);
	assert_true(ctxlen <= sizeof(copy));
	fake.stmt = stmt;
	fake.nparams = nparams;
	fake.shared = shared;
	for (i = 0; i < nparams; i++) {
		fake.is_null[i] = params[i] == NULL;
		snprintf(fake.params[i], sizeof(fake.params[i]), "%s",
		    params[i] != NULL ? params[i] : "");
	}
	if (ctxlen > 0)
		memcpy(copy, ctx, ctxlen);
	view.pg = fake.answer;
	view.row0 = fake.row0;
	view.col0 = fake.col0;
	view.rows = fake.rows >= 0 || fake.answer == NULL
	                ? fake.rows
	                : PQntuples(fake.answer) - fake.row0;
	done(fake.answer != NULL ? &view : NULL, copy);
	return 0;
}

/* A result of rows of text columns; NULL cells are SQL NULL. */
static PGresult *
result_of(int ncols, int nrows, const char *const *cells)
{
	PGresAttDesc cols[12];
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	char name[16];
	int r, c;
	const char *v;

	assert_true(ncols <= 12);
	memset(cols, 0, sizeof(cols));
	for (c = 0; c < ncols; c++) {
		snprintf(name, sizeof(name), "c%d", c);
		cols[c].name = strdup(name);
		cols[c].typid = 25; /* text */
		cols[c].typlen = -1;
		cols[c].atttypmod = -1;
	}
	assert_true(PQsetResultAttrs(res, ncols, cols));
	for (c = 0; c < ncols; c++)
		free(cols[c].name);
	for (r = 0; r < nrows; r++)
		for (c = 0; c < ncols; c++) {
			v = cells[r * ncols + c];
			assert_true(PQsetvalue(res, r, c, (char *)v,
			    v != NULL ? (int)strlen(v) : -1));
		}
	return res;
}

static void
answer_with(const PGresult *res)
{
	fake.answer = res;
	fake.row0 = fake.col0 = 0;
	fake.rows = -1;
}

/* ---- what the callbacks got --------------------------------------------- */

static struct {
	int calls, failed;
	const char *sqlstate;
	int has_row;
	struct db_project project;
	struct db_project_history history;
	struct db_project_state pstate;
	struct db_principal principal;
	struct db_idem idem;
	struct db_json json;
} got;

static void
note(const db_result *st, const void *row)
{
	got.calls++;
	got.failed = db_failed(st);
	got.sqlstate = db_sqlstate(st);
	got.has_row = row != NULL;
}

static void
on_project(const db_result *st, const struct db_project *p, void *arg)
{
	assert_ptr_equal(arg, &got);
	note(st, p);
	if (p != NULL)
		got.project = *p;
}

static void
on_history(const db_result *st, const struct db_project_history *h, void *arg)
{
	(void)arg;
	note(st, h);
	if (h != NULL)
		got.history = *h;
}

static void
on_state(const db_result *st, const struct db_project_state *s, void *arg)
{
	(void)arg;
	note(st, s);
	if (s != NULL)
		got.pstate = *s;
}

static void
on_principal(const db_result *st, const struct db_principal *p, void *arg)
{
	(void)arg;
	note(st, p);
	if (p != NULL)
		got.principal = *p;
}

static void
on_idem(const db_result *st, const struct db_idem *r, void *arg)
{
	(void)arg;
	note(st, r);
	if (r != NULL)
		got.idem = *r;
}

static void
on_json(const db_result *st, const struct db_json *doc, void *arg)
{
	(void)arg;
	note(st, doc);
	if (doc != NULL)
		got.json = *doc;
}

static int
setup(void **state)
{
	(void)state;
	memset(&got, 0, sizeof(got));
	memset(&fake, 0, sizeof(fake));
	return 0;
}

/* ---- the tests ---------------------------------------------------------- */

static void
test_project_get_decodes_its_columns(void **state)
{
	static const char *const row[] = {"{\"id\":\"p1\"}", "7", "140821"};
	PGresult *res = result_of(3, 1, row);

	(void)state;
	answer_with(res);
	assert_int_equal(db_project_get(NULL, "p1", on_project, &got), 0);
	assert_string_equal(fake.stmt, "project_get");
	assert_string_equal(fake.params[0], "p1");
	assert_int_equal(got.calls, 1);
	assert_true(got.has_row);
	assert_false(got.failed);
	assert_int_equal(got.project.version, 7);
	assert_string_equal(got.project.area, "140821");
	assert_int_equal(got.project.json_len, strlen(row[0]));
	/* No copy: the row points into the result. */
	assert_ptr_equal(got.project.json, PQgetvalue(res, 0, 0));
	PQclear(res);
}

/* A SELECT list shorter than its decoder: the missing columns read as
 * empty, never as libpq's NULL. */
static void
test_missing_column_reads_empty(void **state)
{
	static const char *const row[] = {"{\"id\":\"p1\"}", "7"};
	PGresult *res = result_of(2, 1, row);

	(void)state;
	answer_with(res);
	assert_int_equal(db_project_get(NULL, "p1", on_project, &got), 0);
	assert_int_equal(got.calls, 1);
	assert_true(got.has_row);
	assert_int_equal(got.project.version, 7);
	assert_non_null(got.project.area);
	assert_string_equal(got.project.area, "");
	PQclear(res);
}

/* A query answered by its batch form sees its own rows, past the key. */
static void
test_project_from_a_batch_view(void **state)
{
	static const char *const rows[] = {
	    "a", "{\"id\":\"a\"}", "3", "140802", /* another query's */
	    "b", "{\"id\":\"b\"}", "9", "140882", /* this one's */
	};
	PGresult *res = result_of(4, 2, rows);

	(void)state;
	answer_with(res);
	fake.row0 = 1;
	fake.col0 = 1;
	fake.rows = 1;
	db_project_get(NULL, "b", on_project, &got);
	assert_true(got.has_row);
	assert_string_equal(got.project.json, "{\"id\":\"b\"}");
	assert_int_equal(got.project.version, 9);
	assert_string_equal(got.project.area, "140882");
	PQclear(res);
}

static void
test_no_row_failure_and_no_database(void **state)
{
	PGresult *none = result_of(3, 0, NULL);
	PGresult *error = PQmakeEmptyPGresult(NULL, PGRES_FATAL_ERROR);

	(void)state;
	answer_with(none);
	db_project_get(NULL, "p1", on_project, &got);
	assert_false(got.failed);
	assert_false(got.has_row); /* no such project */

	answer_with(error);
	db_project_get(NULL, "p1", on_project, &got);
	assert_true(got.failed);
	assert_false(got.has_row);

	answer_with(NULL);
	db_project_get(NULL, "p1", on_project, &got);
	assert_true(got.failed);
	assert_false(got.has_row);
	assert_string_equal(got.sqlstate, "08006"); /* answered as 503 */
	assert_int_equal(got.calls, 3);
	PQclear(none);
	PQclear(error);
}

static void
test_history_adds_the_events(void **state)
{
	static const char *const row[] = {
	    "{}", "12", "140821", "[{\"type\":\"signing\"}]"};
	PGresult *res = result_of(4, 1, row);

	(void)state;
	answer_with(res);
	db_project_history(NULL, "p1", on_history, &got);
	assert_string_equal(fake.stmt, "project_history");
	assert_true(got.has_row);
	assert_int_equal(got.history.project.version, 12);
	assert_string_equal(got.history.project.area, "140821");
	assert_string_equal(got.history.events, "[{\"type\":\"signing\"}]");
	PQclear(res);
}

/* The derived fields as stored, NULL where unset, and the latest date. */
static void
test_state_reads_the_derived_fields(void **state)
{
	static const char *const row[] = {"{}", "7", "140821",
	    "under_construction", NULL, NULL, "2024-03-01", NULL, NULL,
	    "2024-06-30"};
	PGresult *res = result_of(10, 1, row);

	(void)state;
	answer_with(res);
	db_project_state(NULL, "p1", on_state, &got);
	assert_string_equal(fake.stmt, "project_state");
	assert_true(got.has_row);
	assert_int_equal(got.pstate.project.version, 7);
	assert_string_equal(got.pstate.project.area, "140821");
	assert_string_equal(got.pstate.status, "under_construction");
	assert_null(got.pstate.signed_on);
	assert_null(got.pstate.signed_amount_yuan);
	assert_string_equal(got.pstate.started_on, "2024-03-01");
	assert_null(got.pstate.completed_on);
	assert_null(got.pstate.operating_on);
	assert_string_equal(got.pstate.latest, "2024-06-30");
	PQclear(res);
}

static void
test_principal_flags_and_uniqueness(void **state)
{
	static const char *const row[] = {
	    "id1", "Alice", "county", "{140821,140882}", "ab12", "f", "t"};
	static const char *const two[] = {"id1", "A", "admin", "{}", "x", "f",
	    "f", "id2", "B", "admin", "{}", "y", "f", "f"};
	PGresult *res = result_of(7, 1, row);
	PGresult *dup = result_of(7, 2, two);

	(void)state;
	answer_with(res);
	db_principal_by_key_prefix(NULL, "abcdefgh", on_principal, &got);
	assert_string_equal(fake.stmt, "principal_by_key_prefix");
	assert_true(got.has_row);
	assert_string_equal(got.principal.id, "id1");
	assert_string_equal(got.principal.role, "county");
	assert_string_equal(got.principal.areas, "{140821,140882}");
	assert_string_equal(got.principal.secret, "ab12");
	assert_false(got.principal.expired);
	assert_true(got.principal.revoked);

	answer_with(dup);
	db_principal_by_cert(NULL, "ff", on_principal, &got);
	assert_string_equal(fake.stmt, "principal_by_cert");
	assert_false(got.has_row); /* not unique: no one */
	PQclear(res);
	PQclear(dup);
}

static void
test_idempotency_outcomes(void **state)
{
	static const char *const done[] = {"done", "201", "{\"id\":1}",
	    "/api/v1/projects/1", NULL, "application/json", NULL};
	static const char *const reserved[] = {"reserved", NULL, NULL, NULL,
	    NULL, NULL, "5e0c9f3a-8d1e-4c55-9a43-2b7f1d6e0a11"};
	static const char *const odd[] = {
	    "later", NULL, NULL, NULL, NULL, NULL, NULL};
	PGresult *r1 = result_of(7, 1, done);
	PGresult *r2 = result_of(7, 1, reserved);
	PGresult *r3 = result_of(7, 1, odd);

	(void)state;
	answer_with(r1);
	db_idem_reserve(NULL, "who", "key-1", "hash", 30, on_idem, &got);
	assert_string_equal(fake.params[3], "30");
	assert_int_equal(got.idem.outcome, DB_IDEM_DONE);
	assert_int_equal(got.idem.status, 201);
	assert_string_equal(got.idem.body, "{\"id\":1}");
	assert_string_equal(got.idem.location, "/api/v1/projects/1");
	assert_null(got.idem.etag);
	assert_string_equal(got.idem.content_type, "application/json");
	assert_null(got.idem.token);

	answer_with(r2);
	db_idem_reserve(NULL, "who", "key-1", "hash", 30, on_idem, &got);
	assert_int_equal(got.idem.outcome, DB_IDEM_RESERVED);
	assert_string_equal(
	    got.idem.token, "5e0c9f3a-8d1e-4c55-9a43-2b7f1d6e0a11");
	assert_null(got.idem.content_type);

	answer_with(r3);
	db_idem_reserve(NULL, "who", "key-1", "hash", 30, on_idem, &got);
	assert_int_equal(got.idem.outcome, DB_IDEM_IN_FLIGHT);
	PQclear(r1);
	PQclear(r2);
	PQclear(r3);
}

static struct {
	int n;
	struct db_page_item items[4];
} walked;

static void
on_page(const db_result *st, struct db_page *page, void *arg)
{
	(void)arg;
	note(st, page);
	while (walked.n < 4 && db_page_next(page, &walked.items[walked.n]))
		walked.n++;
}

static void
test_a_page_is_walked_in_order(void **state)
{
	static const char *const rows[] = {
	    "{\"n\":1}", "11", "{\"n\":2}", "12"};
	PGresult *res = result_of(2, 2, rows);
	struct db_project_filter f = {.area = "140821", .batch = NULL};

	(void)state;
	walked.n = 0;
	answer_with(res);
	db_project_page(NULL, &f, 10, 51, on_page, &got);
	assert_string_equal(fake.stmt, "project_page");
	assert_string_equal(fake.params[0], "10"); /* after */
	assert_string_equal(fake.params[1], "51"); /* rows */
	assert_string_equal(fake.params[2], "140821");
	assert_true(fake.is_null[9]);
	assert_int_equal(walked.n, 2);
	assert_string_equal(walked.items[0].json, "{\"n\":1}");
	assert_int_equal(walked.items[0].seq, 11);
	assert_int_equal(walked.items[1].seq, 12);
	PQclear(res);
}

/* The events' page: the project, then the position and the rows. */
static void
test_event_page_sends_project_after_rows(void **state)
{
	static const char *const rows[] = {"{\"id\":\"e\"}", "41"};
	PGresult *res = result_of(2, 1, rows);

	(void)state;
	walked.n = 0;
	answer_with(res);
	db_event_page(NULL, "p1", 40, 3, on_page, &got);
	assert_string_equal(fake.stmt, "event_page");
	assert_string_equal(fake.params[0], "p1");
	assert_string_equal(fake.params[1], "40");
	assert_string_equal(fake.params[2], "3");
	assert_int_equal(walked.n, 1);
	assert_int_equal(walked.items[0].seq, 41);
	PQclear(res);
}

/* A write sends its documents, then the audit document the SQL write
 * functions read; the version travels as the number it is. */
static void
test_write_sends_documents_and_audit(void **state)
{
	static const char *const row[] = {"{\"version\":13}"};
	PGresult *res = result_of(1, 1, row);
	struct db_actor who = {"pid", "Alice", "req-1", "PATCH", "/p/1", NULL,
	    NULL, "203.0.113.7"};
	json_t *fields = json_pack("{s:s}", "name", "运城");
	json_t *audit;

	(void)state;
	answer_with(res);
	db_project_update(NULL, "p1", 12, fields, &who, on_json, &got);
	assert_string_equal(fake.stmt, "project_update");
	assert_string_equal(fake.params[0], "p1");
	assert_string_equal(fake.params[1], "12");
	assert_string_equal(fake.params[2], "{\"name\":\"运城\"}");
	audit = json_loads(fake.params[3], 0, NULL);
	assert_non_null(audit);
	assert_string_equal(
	    json_string_value(json_object_get(audit, "principal_id")), "pid");
	assert_string_equal(
	    json_string_value(json_object_get(audit, "request_id")), "req-1");
	assert_string_equal(
	    json_string_value(json_object_get(audit, "client")), "203.0.113.7");
	assert_true(json_is_null(json_object_get(audit, "idempotency_key")));
	assert_true(json_is_null(json_object_get(audit, "idempotency_token")));
	assert_true(got.has_row);
	assert_string_equal(got.json.text, "{\"version\":13}");
	json_decref(audit);
	json_decref(fields);
	PQclear(res);
}

/* A write function that answers NULL (the version moved) answers none. A
 * request's reserved key goes in the audit document with its token. */
static void
test_null_document_is_none(void **state)
{
	static const char *const row[] = {NULL};
	PGresult *res = result_of(1, 1, row);
	struct db_actor who = {
	    "pid", "A", "r", "POST", "/p", "key", "tok", NULL};
	json_t *doc = json_object(), *audit;

	(void)state;
	answer_with(res);
	db_event_append(NULL, "p1", 3, doc, doc, &who, on_json, &got);
	assert_string_equal(fake.stmt, "event_append");
	assert_false(got.failed);
	assert_false(got.has_row);
	audit = json_loads(fake.params[4], 0, NULL);
	assert_non_null(audit);
	assert_string_equal(
	    json_string_value(json_object_get(audit, "idempotency_key")),
	    "key");
	assert_string_equal(
	    json_string_value(json_object_get(audit, "idempotency_token")),
	    "tok");
	json_decref(audit);
	json_decref(doc);
	PQclear(res);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_project_get_decodes_its_columns, setup),
	    cmocka_unit_test_setup(test_project_from_a_batch_view, setup),
	    cmocka_unit_test_setup(test_missing_column_reads_empty, setup),
	    cmocka_unit_test_setup(test_no_row_failure_and_no_database, setup),
	    cmocka_unit_test_setup(test_history_adds_the_events, setup),
	    cmocka_unit_test_setup(test_state_reads_the_derived_fields, setup),
	    cmocka_unit_test_setup(test_principal_flags_and_uniqueness, setup),
	    cmocka_unit_test_setup(test_idempotency_outcomes, setup),
	    cmocka_unit_test_setup(test_a_page_is_walked_in_order, setup),
	    cmocka_unit_test_setup(
	        test_event_page_sends_project_after_rows, setup),
	    cmocka_unit_test_setup(test_write_sends_documents_and_audit, setup),
	    cmocka_unit_test_setup(test_null_document_is_none, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

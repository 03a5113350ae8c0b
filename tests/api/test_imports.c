/*
 * test_imports.c: bulk imports for reconciliation jobs: NDJSON and CSV,
 * created / updated / unchanged by code, idempotent by content, dry run
 * writes nothing, and one bad record refuses the whole file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "support.h"

static struct tserver srv;
static const char *reconciler;
static const char *const ndjson[] = {
    "Content-Type: application/x-ndjson", NULL};
static const char *const csv[] = {"Content-Type: text/csv", NULL};

#define REC(code, name, amount)                                                \
	"{\"code\":\"" code "\",\"name\":\"" name "\",\"area\":\"140825\","    \
	"\"funding\":\"enterprise\",\"industry\":\"新材料\","               \
	"\"total_investment_yuan\":" amount "}\n"

static int
setup(void **state)
{
	*state = &srv; /* for ts_group_teardown */
	ts_start(&srv, "");
	reconciler = make_key(&srv, "reconciler", NULL);
	return 0;
}

static long long
field(struct tresp *r, const char *name)
{
	return json_integer_value(json_object_get(r->json, name));
}

static void
test_ndjson_create_update_unchanged(void **state)
{
	static const char first[] =
	    REC("2024-140825-30-01-000001", "导入甲", "100")
	        REC("2024-140825-30-01-000002", "导入乙", "200")
	            REC("2024-140825-30-01-000003", "导入丙", "300");
	static const char changed[] =
	    REC("2024-140825-30-01-000001", "导入甲", "100")
	        REC("2024-140825-30-01-000002", "导入乙", "250")
	            REC("2024-140825-30-01-000003", "导入丙", "300");
	struct tresp r;

	(void)state;
	tr_do(&srv, "POST", "/api/v1/imports", reconciler, first, ndjson, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(field(&r, "created"), 3);
	tr_free(&r);
	/* The same file again changes nothing. */
	tr_do(&srv, "POST", "/api/v1/imports", reconciler, first, ndjson, &r);
	assert_int_equal(field(&r, "unchanged"), 3);
	assert_int_equal(field(&r, "created"), 0);
	tr_free(&r);
	/* A dry run shows the diff and writes nothing. */
	tr_do(&srv, "POST", "/api/v1/imports?dry_run=true", reconciler, changed,
	    ndjson, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(field(&r, "updated"), 1);
	assert_non_null(strstr(r.body, "total_investment_yuan"));
	tr_free(&r);
	assert_string_equal(db_scalar("SELECT total_investment_yuan FROM "
	                              "projects WHERE code = "
	                              "'2024-140825-30-01-000002'"),
	    "200");
	tr_do(&srv, "POST", "/api/v1/imports", reconciler, changed, ndjson, &r);
	assert_int_equal(field(&r, "updated"), 1);
	assert_int_equal(field(&r, "unchanged"), 2);
	tr_free(&r);
	assert_string_equal(db_scalar("SELECT total_investment_yuan || ' ' || "
	                              "version FROM projects WHERE code = "
	                              "'2024-140825-30-01-000002'"),
	    "250 2");
}

/* A nightly job whose answer was lost retries with the same
 * Idempotency-Key: the first outcome again, nothing imported twice (and
 * the records changed in between stay as the first import left them). */
static void
test_retry_with_idempotency_key(void **state)
{
	static const char file[] = REC("2024-140825-30-01-000011", "幂等导入甲",
	    "100") REC("2024-140825-30-01-000012", "幂等导入乙", "200");
	static const char *const keyed[] = {
	    "Content-Type: application/x-ndjson",
	    "Idempotency-Key: nightly-2024-06-01", NULL};
	char replayed[16];
	struct tresp first, again;

	(void)state;
	tr_do(&srv, "POST", "/api/v1/imports", reconciler, file, keyed, &first);
	assert_int_equal(first.status, 200);
	assert_int_equal(field(&first, "created"), 2);
	tr_do(&srv, "POST", "/api/v1/imports", reconciler, file, keyed, &again);
	assert_int_equal(again.status, 200);
	assert_string_equal(tr_header(&again, "Idempotent-Replayed", replayed,
	                        sizeof(replayed)),
	    "true");
	assert_true(json_equal(first.json, again.json));
	tr_free(&first);
	tr_free(&again);
	assert_string_equal(db_scalar("SELECT count(*) FROM projects WHERE "
	                              "code IN ('2024-140825-30-01-000011', "
	                              "'2024-140825-30-01-000012')"),
	    "2");
	assert_string_equal(db_scalar("SELECT count(*) FROM audit_log WHERE "
	                              "resource_type = 'project' AND after->>"
	                              "'code' = '2024-140825-30-01-000011'"),
	    "1");
}

static void
test_csv_with_quotes(void **state)
{
	static const char body[] =
	    "code,name,area,funding,owner,total_investment_yuan\r\n"
	    "2024-140825-30-01-000010,\"新绛县铝,镁合金项目\",140825,mixed,"
	    "\"山西\"\"新绛\"\"公司\",880000000\r\n";
	struct tresp r;

	(void)state;
	tr_do(&srv, "POST", "/api/v1/imports", reconciler, body, csv, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(field(&r, "created"), 1);
	tr_free(&r);
	assert_string_equal(
	    db_scalar("SELECT name || '|' || owner || '|' || "
	              "total_investment_yuan FROM projects "
	              "WHERE code = '2024-140825-30-01-000010'"),
	    "新绛县铝,镁合金项目|山西\"新绛\"公司|880000000");
}

static void
test_one_bad_record_refuses_all(void **state)
{
	static const char bad[] = REC("2024-140825-30-01-000020", "导入丁",
	    "1") "{\"code\":\"2024-140825-30-01-000021\",\"name\":\"x\","
	         "\"area\":\"140825\",\"funding\":\"charity\"}\n" REC(
	             "2024-140825-30-01-000020", "导入丁", "1");
	static const char unknown_area[] =
	    "{\"code\":\"2024-140899-30-01-"
	    "000030\",\"name\":\"x\",\"area\":"
	    "\"140899\",\"funding\":\"mixed\"}\n";
	char before[32];
	struct tresp r;

	(void)state;
	snprintf(before, sizeof(before), "%s",
	    db_scalar("SELECT count(*) FROM projects"));
	tr_do(&srv, "POST", "/api/v1/imports", reconciler, bad, ndjson, &r);
	assert_int_equal(r.status, 422);
	assert_non_null(strstr(r.body, "\"/2/funding\""));
	assert_non_null(strstr(r.body, "\"/3/code\"")); /* duplicate */
	tr_free(&r);
	tr_do(&srv, "POST", "/api/v1/imports", reconciler, unknown_area, ndjson,
	    &r);
	assert_int_equal(r.status, 422);
	assert_non_null(strstr(r.body, "\"/1/area\""));
	tr_free(&r);
	tr_do(
	    &srv, "POST", "/api/v1/imports", reconciler, "name\nx\n", NULL, &r);
	assert_int_equal(r.status, 415);
	tr_free(&r);
	tr_do(&srv, "POST", "/api/v1/imports", reconciler,
	    "code,name\n\"unterminated\n", csv, &r);
	assert_int_equal(r.status, 422);
	tr_free(&r);
	assert_string_equal(db_scalar("SELECT count(*) FROM projects"), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ndjson_create_update_unchanged),
	    cmocka_unit_test(test_retry_with_idempotency_key),
	    cmocka_unit_test(test_csv_with_quotes),
	    cmocka_unit_test(test_one_bad_record_refuses_all),
	};

	return cmocka_run_group_tests_name(
	    "imports", tests, setup, ts_group_teardown);
}

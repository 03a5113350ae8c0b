/*
 * test_input.c: the API's readers of request bodies, which do no I/O
 * (src/api/input.c, history.c, import_parse.c): what the fuzz harnesses
 * found in them, kept as tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "../../src/api/history.h"
#include "../../src/api/input.h"

static const char *
pointer(const struct verrors *v, size_t i)
{
	return json_string_value(
	    json_object_get(json_array_get(v->list, i), "pointer"));
}

/* A new project's event has every error under its /events/<i>, those of
 * input_string() and input_money() included (they were at "/type"). */
static void
test_event_errors_under_prefix(void **state)
{
	struct project_event e;
	struct verrors v;
	json_t *body;

	(void)state;
	body = json_loads("{\"type\":7,\"effective_on\":\"2024-13-01\","
	                  "\"x\":1}",
	    0, NULL);
	assert_non_null(body);
	verrors_init(&v);
	assert_int_equal(history_read_event(body, "/events/2", &e, &v), -1);
	assert_int_equal(json_array_size(v.list), 3);
	assert_string_equal(pointer(&v, 0), "/events/2/x");
	assert_string_equal(pointer(&v, 1), "/events/2/type");
	assert_string_equal(pointer(&v, 2), "/events/2/effective_on");
	verrors_free(&v);

	/* At the top of a body, as POST .../events reads it. */
	verrors_init(&v);
	assert_int_equal(history_read_event(body, "", &e, &v), -1);
	assert_string_equal(pointer(&v, 1), "/type");
	verrors_free(&v);
	json_decref(body);

	body = json_loads("{\"type\":\"signed\",\"effective_on\":"
	                  "\"2024-01-10\"}",
	    0, NULL);
	verrors_init(&v);
	assert_int_equal(history_read_event(body, "/events/0", &e, &v), -1);
	assert_int_equal(json_array_size(v.list), 1);
	assert_string_equal(pointer(&v, 0), "/events/0/amount_yuan");
	verrors_free(&v);
	json_decref(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_event_errors_under_prefix),
	};

	return cmocka_run_group_tests_name("input", tests, NULL, NULL);
}

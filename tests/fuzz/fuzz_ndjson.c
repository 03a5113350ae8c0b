/*
 * fuzz_ndjson.c: libFuzzer harness for the NDJSON reader of bulk
 * imports (import_parse() in src/api/import_parse.c). The input is the
 * body of a POST /api/v1/imports as application/x-ndjson; the
 * invariants are in import_check.h.
 */
#define FUZZ_NAME "fuzz_ndjson"
#include "import_check.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_import(IMPORT_NDJSON, data, size);
	return 0;
}

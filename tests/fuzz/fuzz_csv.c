/*
 * fuzz_csv.c: libFuzzer harness for the CSV reader of bulk imports
 * (import_parse() in src/api/import_parse.c, on libcsv). The input is the
 * body of a POST /api/v1/imports as text/csv; the
 * invariants are in import_check.h.
 */
#define FUZZ_NAME "fuzz_csv"
#include "import_check.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_import(IMPORT_CSV, data, size);
	return 0;
}

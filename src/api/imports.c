/*
 * imports.c: POST /api/v1/imports — a reconciliation job pushes whole
 * project records keyed by their code, as NDJSON (one object a line) or
 * CSV (a header row of field names; Debian's libcsv does the quoting).
 * Every record is checked like a project of POST /projects; any error, in
 * any line, refuses the whole file with every error pointed at
 * "/<line>/<field>". ?dry_run=true returns the diff without writing.
 * import_parse.c turns the body into records; this file answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "import_parse.h"
#include "input.h"

static void
imported(const db_result *st, const struct db_json *outcome, void *arg)
{
	struct api_req *a = arg;
	json_t *doc, *errs;

	if (db_failed(st) || outcome == NULL) {
		api_write_refused(a, st);
		return;
	}
	doc = json_loads(outcome->text, 0, NULL);
	if ((errs = json_object_get(doc, "errors")) != NULL) {
		problems_answer(a->http, 422, "validation",
		    "Some records name unknown areas; nothing was imported.",
		    errs);
		json_decref(doc);
		return;
	}
	json_decref(doc);
	api_json(a, 200, outcome->text, outcome->len);
}

void
imports_create(struct api_req *a)
{
	const char *ctype = http_header(a->http, "Content-Type");
	struct db_actor who = api_actor(a);
	char dry[8];
	int dry_run;
	json_t *records;
	struct verrors v;
	int rc;

	rc = input_query(a->http, "dry_run", dry, sizeof(dry));
	if (rc < 0 ||
	    (rc > 0 && strcmp(dry, "true") != 0 && strcmp(dry, "false") != 0)) {
		api_problem(
		    a, 400, "invalid-parameter", "dry_run is true or false.");
		return;
	}
	dry_run = rc > 0 && strcmp(dry, "true") == 0;
	if (ctype == NULL || (strncmp(ctype, "application/x-ndjson", 20) != 0 &&
	                         strncmp(ctype, "text/csv", 8) != 0)) {
		api_problem(a, 415, "unsupported-media-type",
		    "An import is application/x-ndjson or text/csv.");
		return;
	}
	verrors_init(&v);
	records = import_parse(ctype[0] == 'a' ? IMPORT_NDJSON : IMPORT_CSV,
	    a->http->body ? a->http->body : "", a->http->body_len, &v);
	if (verrors_finish(a, &v) != 0) {
		json_decref(records);
		return;
	}
	api_sent(a,
	    db_import_projects(api_pool, dry_run, records, &who, imported, a));
	json_decref(records);
}

/*
 * api.c: the helpers every handler uses to query and to answer. They call
 * down only (into src/db/ and src/http/), never into another file of
 * src/api/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

void
api_json(struct api_req *a, int status, const char *json, size_t len)
{
	if (a->etag[0] != '\0')
		http_add_header(a->http, "ETag", a->etag);
	http_respond(a->http, status, "application/json", json, len);
}

void
api_json_t(struct api_req *a, int status, json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT);

	if (text == NULL) {
		api_problem(a, 503, "overloaded", "Out of memory.");
		return;
	}
	api_json(a, status, text, strlen(text));
	free(text);
}

void
api_problem(struct api_req *a, int status, const char *type, const char *detail)
{
	http_problem(
	    a->http, status, type, http_status_text(status), detail, NULL);
}

void
api_db_problem(struct api_req *a, const db_result *res)
{
	if (res == NULL) {
		http_add_header(a->http, "Retry-After", "1");
		api_problem(a, 503, "database-unavailable",
		    "The database cannot be reached; retry shortly.");
		return;
	}
	/* The message stays in the server's log; clients get no internals. */
	fprintf(stderr, "pipelined: request %s: database error %s: %s",
	    a->http->request_id, db_sqlstate(res), db_error_message(res));
	http_add_header(a->http, "Retry-After", "1");
	api_problem(a, 503, "database-error",
	    "The database could not complete the request; retry shortly.");
}

int
api_sent(struct api_req *a, int rc)
{
	if (rc == 0)
		return 0;
	if (rc == DB_NOMEM)
		api_problem(a, 503, "overloaded", "Out of memory.");
	else
		api_db_problem(a, NULL);
	return -1;
}

struct db_actor
api_actor(const struct api_req *a)
{
	struct db_actor who = {a->who.id, a->who.name, a->http->request_id,
	    a->http->method_name, a->http->path, a->idem_key};

	return who;
}

static void
query_done(const db_result *res, void *arg)
{
	struct api_req *a = arg;

	a->next(a, res);
}

static int
run_query(struct api_req *a, int shared, const char *stmt, int nparams,
    const char *const *params, void (*cb)(struct api_req *, const db_result *))
{
	int rc;

	a->next = cb;
	rc = shared ? db_query_shared(
	                  api_pool, stmt, nparams, params, query_done, a)
	            : db_query(api_pool, stmt, nparams, params, query_done, a);
	if (rc != 0) {
		api_db_problem(a, NULL);
		return -1;
	}
	return 0;
}

int
api_query(struct api_req *a, const char *stmt, int nparams,
    const char *const *params, void (*cb)(struct api_req *, const db_result *))
{
	return run_query(a, 0, stmt, nparams, params, cb);
}

int
api_query_shared(struct api_req *a, const char *stmt, int nparams,
    const char *const *params, void (*cb)(struct api_req *, const db_result *))
{
	return run_query(a, 1, stmt, nparams, params, cb);
}

void
api_audit_params(struct api_req *a, const char **params)
{
	params[0] = a->who.id;
	params[1] = a->who.name;
	params[2] = a->http->request_id;
	params[3] = a->http->method_name;
	params[4] = a->http->path;
}

/* The audit document every write function takes last, as text. */
static char *
audit_text(struct api_req *a)
{
	json_t *doc = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?}", "principal_id",
	    a->who.id, "principal", a->who.name, "request_id",
	    a->http->request_id, "method", a->http->method_name, "path",
	    a->http->path, "idempotency_key", a->idem_key);
	char *text = json_dumps(doc, JSON_COMPACT);

	json_decref(doc);
	return text;
}

int
api_write(struct api_req *a, const char *stmt, const char *const *lead,
    int nlead, json_t *const *docs, int ndocs,
    void (*cb)(struct api_req *, const db_result *))
{
	const char *params[8];
	char *texts[8];
	int i, made = 0, rc = -1;

	for (i = 0; i < nlead; i++)
		params[i] = lead[i];
	for (made = 0; made <= ndocs; made++) {
		texts[made] = made < ndocs ? json_dumps(docs[made],
		                                 JSON_COMPACT | JSON_ENCODE_ANY)
		                           : audit_text(a);
		if (texts[made] == NULL)
			break;
		params[nlead + made] = texts[made];
	}
	if (made > ndocs)
		rc = api_query(a, stmt, nlead + made, params, cb);
	else
		api_problem(a, 503, "overloaded", "Out of memory.");
	for (i = 0; i < made; i++)
		free(texts[i]);
	return rc;
}

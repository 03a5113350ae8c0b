/*
 * api.c: the helpers every handler uses to query and to answer. They call
 * down only (into src/db/ and src/http/), never into another file of
 * src/api/ but problems.c, which every problem is answered through (and
 * which calls none of them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/lifecycle.h"
#include "../domain/validate.h"
#include "../util/alloc.h"
#include "api.h"

static void
respond_now(struct api_req *a, int status, const char *type, const char *body,
    size_t len)
{
	if (a->etag[0] != '\0')
		http_add_header(a->http, "ETag", a->etag);
	http_respond(a->http, status, type, body, len);
}

/* A write's response, waiting for the WAL position that covers its
 * commit (replica.h). */
struct positioning {
	struct api_req *a;
	int status;
	char type[64];
	size_t len;
	char body[]; /* a copy: the write's result is gone by then */
};

static void
positioned(const db_result *st, long long pos, void *arg)
{
	struct positioning *p = arg;
	char buf[24];

	(void)st;
	/* Without it (the query failed) the write still happened: the
	 * client then cannot ask for its read to follow it, no more. */
	if (pos >= 0) {
		snprintf(buf, sizeof(buf), "%lld", pos);
		http_add_header(p->a->http, COMMIT_POSITION, buf);
	}
	respond_now(p->a, p->status, p->type, p->body, p->len);
	free(p);
}

static int
is_write(const struct api_req *a)
{
	return a->http->method != HTTP_M_GET && a->http->method != HTTP_M_HEAD;
}

void
api_respond(struct api_req *a, int status, const char *type, const char *body,
    size_t len)
{
	struct positioning *p;

	if (api_read_pool == NULL || !is_write(a) || status < 200 ||
	    status >= 300 || strlen(type) >= sizeof(p->type)) {
		respond_now(a, status, type, body, len);
		return;
	}
	p = xmalloc(sizeof(*p) + len);
	p->a = a;
	p->status = status;
	snprintf(p->type, sizeof(p->type), "%s", type);
	p->len = len;
	memcpy(p->body, body, len);
	if (db_wal_position(api_pool, positioned, p) != 0) {
		free(p);
		respond_now(a, status, type, body, len);
	}
}

void
api_json(struct api_req *a, int status, const char *json, size_t len)
{
	api_respond(a, status, "application/json", json, len);
}

void
api_found(const db_result *st, const struct db_json *doc, void *arg)
{
	struct api_req *a = arg;

	if (db_failed(st))
		api_db_problem(a, st);
	else if (doc == NULL)
		api_problem(a, 404, "not-found", a->missing);
	else
		api_json(a, 200, doc->text, doc->len);
}

int
api_uuid_capture(struct api_req *a, int n, const char *detail)
{
	if (validate_uuid(a->caps.value[n]))
		return 0;
	api_problem(a, 404, "not-found", detail);
	return -1;
}

void
api_json_t(struct api_req *a, int status, json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT);

	if (text == NULL) {
		/* doc is NULL: a json_pack of a string that is not UTF-8. */
		api_problem(
		    a, 500, "internal", "The response could not be encoded.");
		return;
	}
	api_json(a, status, text, strlen(text));
	free(text);
}

void
api_problem(struct api_req *a, int status, const char *type, const char *detail)
{
	problems_answer(a->http, status, type, detail, NULL);
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
	if (strcmp(db_sqlstate(res), DB_IDEM_TAKEN_OVER) == 0) {
		/* A retry took the key over; it is the one that writes. */
		http_add_header(a->http, "Retry-After", "1");
		api_problem(a, 409, "idempotency-key-in-flight",
		    "A retry with this Idempotency-Key took it over.");
		return;
	}
	/* The message stays in the server's log; clients get no internals. */
	fprintf(stderr, "pipelined: request %s: database error %s: %s",
	    a->http->request_id, db_sqlstate(res), db_error_message(res));
	http_add_header(a->http, "Retry-After", "1");
	api_problem(a, 503, "database-error",
	    "The database could not complete the request; retry shortly.");
}

void
api_violation(struct api_req *a, const struct violation *v)
{
	int status = v->kind == VIOLATION_CONFLICT    ? 409
	             : v->kind == VIOLATION_NOT_FOUND ? 404
	                                              : 422;

	api_problem(a, status, v->rule, v->detail);
}

int
api_sent(struct api_req *a, int rc)
{
	if (rc == 0)
		return 0;
	if (rc == DB_NOMEM)
		api_problem(a, 500, "internal",
		    "A parameter of the query could not be encoded.");
	else
		api_db_problem(a, NULL);
	return -1;
}

struct db_actor
api_actor(const struct api_req *a)
{
	struct db_actor who = {a->who.id, a->who.name, a->http->request_id,
	    a->http->method_name, a->http->path, a->idem_key,
	    a->idem_key != NULL ? a->idem_token : NULL, a->http->client_addr};

	return who;
}

/*
 * The conditional field name against a->etag (RFC 9110 §13.1): ETAG_MATCH
 * also when the field is absent, ETAG_NO_MATCH, or ETAG_MALFORMED when
 * it was answered with 400.
 */
int
api_precondition(struct api_req *a, const char *name, enum etag_cmp cmp)
{
	const char *field = http_header(a->http, name);
	char detail[96];
	int m;

	if (field == NULL)
		return cmp == ETAG_WEAK ? ETAG_NO_MATCH : ETAG_MATCH;
	if ((m = etag_match(field, a->etag, cmp)) == ETAG_MALFORMED) {
		snprintf(detail, sizeof(detail),
		    "%s must be \"*\" or a list of entity tags (\"3\").", name);
		api_problem(a, 400, "invalid-precondition", detail);
	}
	return m;
}

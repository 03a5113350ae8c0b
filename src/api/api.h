/*
 * api.h: the request handlers, what they share, and the one route table
 * (routes.c) that maps a method and a path to a handler and the roles that
 * may call it.
 */
#ifndef PIPELINED_API_H
#define PIPELINED_API_H

#include <stdio.h>

#include <jansson.h>

#include "../db/db.h"
#include "../db/queries.h"
#include "../util/config.h"
#include "../http/etag.h"
#include "../http/http.h"
#include "../http/router.h"

struct event_base;

enum role {
	ROLE_ADMIN = 1 << 0,
	ROLE_EDITOR = 1 << 1,
	ROLE_COUNTY = 1 << 2,
	ROLE_REPORTER = 1 << 3,
	ROLE_RECONCILER = 1 << 4,
	ROLE_VIEWER = 1 << 5,
};
#define ROLES_ANY                                                              \
	(ROLE_ADMIN | ROLE_EDITOR | ROLE_COUNTY | ROLE_REPORTER |              \
	    ROLE_RECONCILER | ROLE_VIEWER)
#define ROLES_PUBLIC 0 /* no credentials needed: the operational routes */

#define API_MAX_AREAS 16

struct principal {
	char id[40];
	char name[128];
	enum role role;
	int nareas;
	char areas[API_MAX_AREAS][7];
};

struct api_req;
typedef void (*api_handler)(struct api_req *a);

struct route {
	enum http_verb method;
	const char *pattern;
	api_handler handler;
	unsigned roles;
	const char *name; /* the metrics label and the OpenAPI operationId */
	unsigned flags; /* ROUTE_IDEMPOTENT: honours Idempotency-Key */
};

#define ROUTE_IDEMPOTENT 1
#define ROUTE_PHOTO_BODY 2 /* its body may be max_photo_size */

/* The state of one request while its handler runs; freed with it. */
struct api_req {
	struct http_request *http;
	const struct route *route;
	struct route_captures caps;
	struct principal who;
	json_t *body; /* parsed request body, when the handler asked */
	const char *idem_key; /* Idempotency-Key reserved for this request */
	char idem_token[40]; /* and its reservation's token */
	json_t *state; /* handler scratch: what it carries between queries */
	void *data; /* handler state that is not JSON, freed with */
	void (*data_free)(void *);
	char etag[72]; /* "version", or a photo's "sha256" */
	const char *missing; /* api_found's 404 detail: a static string */
	int stage; /* in pipeline.c's list */
	void (*resume)(struct api_req *); /* the stage after an async one */
};

/* service.c: process-wide, set before the workers fork. */
void api_init(void);
/* Per worker, after fork, first: its configuration. */
void api_configure(const struct config *cfg);
/* Per worker, after fork: the database pool. */
int api_worker_init(struct event_base *base, void *arg);
void api_worker_fini(void *arg);

/* pipeline.c: the http_handler; every request starts here. */
void api_handle(struct http_request *r);

/* routes.c */
extern const struct route api_routes[];
extern const int api_nroutes;
const char *const *api_route_names(void);

/* Shared by the handlers (service.c sets them, api.c uses them). */
extern const struct config *api_cfg;
extern struct db_pool *api_pool;
/* The standby's pool when database_read_url is set, else NULL
 * (replica.c); with it, a write's response carries the header below. */
extern struct db_pool *api_read_pool;
#define COMMIT_POSITION "Commit-Position"

/*
 * The glue between a handler and a query function of queries.h, which
 * the handler calls with api_pool, its callback and a itself as the
 * argument: api_sent(a, db_project_get(api_pool, id, fetched, a)).
 * Returns 0 when the query is on its way; otherwise answers 503 (the
 * database cannot be reached, or memory ran out) and returns -1.
 */
int api_sent(struct api_req *a, int rc);

/* Who a write records as having made it: the principal and request. */
struct db_actor api_actor(const struct api_req *a);

/* Every response of a handler: with its ETag (a->etag) and, for a
 * write's 2xx where reads may go to a standby, its Commit-Position. */
void api_respond(struct api_req *a, int status, const char *type,
    const char *body, size_t len);
void api_json(struct api_req *a, int status, const char *json, size_t len);
void api_json_t(struct api_req *a, int status, json_t *doc);
void api_problem(
    struct api_req *a, int status, const char *type, const char *detail);
void api_db_problem(struct api_req *a, const db_result *res);

/* A broken lifecycle rule: 409 when it contradicts the history, 404 when
 * it names an event the history lacks, 422 when the event is not valid
 * at all; the rule names the problem type. */
struct violation;
void api_violation(struct api_req *a, const struct violation *v);

/*
 * page.c: list pages. A page query (db_*_page) fetches api_page_rows()
 * rows for a page of limit items: one more, the extra row saying whether
 * a next page exists. The limit is kept in a->state for api_listed, the
 * callback (its argument a) that answers with the page through api_list.
 */
int api_page_rows(struct api_req *a, int limit);
void api_listed(const db_result *st, struct db_page *page, void *arg);
/* The cursor of the page after the item last (CURSOR_MAX bytes in cur),
 * and its Link header: for a page that api_list does not build. */
void api_page_next(struct api_req *a, long long last, char *cur);
/* A page's weak ETag (a hash of its body) into a->etag; 1 when
 * If-None-Match names it and 304 went out (or 400 for a malformed
 * field), else 0: then answer the page, which sends the ETag. */
int api_page_unchanged(struct api_req *a, const char *body, size_t len);
void api_list(
    struct api_req *a, const db_result *st, struct db_page *page, int limit);

/* api.c: the callback of a read of one document (db_*_get, argument a):
 * 200 with it, 404 with a->missing when there is none, 503 when the
 * database failed. */
void api_found(const db_result *st, const struct db_json *doc, void *arg);
/* 404 with detail unless the path's capture n is a UUID (ids are). */
int api_uuid_capture(struct api_req *a, int n, const char *detail);

/* projects.c: shared by the project and event handlers. */
/* Answers a refused write: duplicate code 409, unknown area 422, ... */
void api_write_refused(struct api_req *a, const db_result *res);
void api_etag_of(struct api_req *a, long long version);
/* The conditional field name (If-Match, If-None-Match) against a->etag
 * (RFC 9110 §13.1): ETAG_MATCH, also when the field is absent and cmp is
 * ETAG_STRONG; ETAG_NO_MATCH; or ETAG_MALFORMED when it was answered with
 * 400. */
int api_precondition(struct api_req *a, const char *name, enum etag_cmp cmp);
/* 404 unless the {id} of the path is a UUID. */
int api_project_id(struct api_req *a);

/* idempotency.c: when the route honours Idempotency-Key and the request
 * carries one, reserves it (or answers with the replay, 409 or 422);
 * then next(a). */
void idem_reserve(struct api_req *a, void (*next)(struct api_req *));
/* After the response: gives back a key whose request wrote nothing. */
void idem_release(struct api_req *a);

/* scope.c: the answer to a project query whose row is NULL: 503 when it
 * failed, else 404. */
void api_project_missing(struct api_req *a, const db_result *st);
/* Answers 403 and returns -1 unless the project's area is one of the
 * principal's. */
int api_project_in_scope(struct api_req *a, const char *area);

/* ops.c */
void ops_health(struct api_req *a);
void ops_ready(struct api_req *a);
void ops_metrics(struct api_req *a);
void ops_openapi(struct api_req *a);
/* openapi.c: the document, put together once before the workers fork;
 * the query parameters a route takes (NULL ended); the document for
 * pipelined openapi. */
void openapi_init(void);
const char *const *openapi_query_names(const struct route *r);
int api_openapi_print(FILE *out);
/* problems.c: the problem types ("/problems/name") of a status. */
json_t *problems_types(int status);
/*
 * problems.c: every problem the API answers, whatever the stage or the
 * handler: type (a slug of the registry), the registry's title for it,
 * and detail (English); errors, when not NULL, the validation errors.
 * When the request's Accept-Language prefers Chinese, title and detail
 * are the registry's Chinese ones and detail goes to detail_en. Always
 * Vary: Accept-Language and Content-Language. api_problem is this for a
 * request past the route stage.
 */
void problems_answer(struct http_request *r, int status, const char *type,
    const char *detail, json_t *errors);
/* The same problem as a JSON object, for a problem inside a response
 * (one report's of a batch); the caller owns it. */
json_t *problems_doc(struct http_request *r, int status, const char *type,
    const char *detail, json_t *errors);

#endif

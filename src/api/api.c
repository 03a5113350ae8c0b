/*
 * api.c: the entry of every request: find the route, authenticate and
 * authorize, hand over to the handler; and the helpers every handler uses
 * to query and to answer.
 */
#include <stdlib.h>
#include <string.h>

#include "../http/metrics.h"
#include "api.h"
#include <event2/buffer.h>

#include "auth.h"
#include "cursor.h"
#include "ratelimit.h"

const struct config *api_cfg;
struct db_pool *api_pool;

static void
observe_gauges(int in_use, int waiting, int connected)
{
	metrics_pool_gauges(in_use, waiting, connected);
}

void
api_init(const struct config *cfg)
{
	static const struct db_observer obs = {observe_gauges, metrics_db_error,
	    metrics_db_batch, metrics_db_shared};

	api_cfg = cfg;
	db_set_observer(&obs);
	db_register_all();
	ratelimit_configure(cfg->rate_limit_per_second, cfg->rate_limit_burst,
	    cfg->auth_failures_per_minute);
	metrics_set_routes(api_route_names(), api_nroutes);
}

int
api_worker_init(struct event_base *base, void *arg)
{
	(void)arg;
	api_pool = db_pool_new(base, db_conninfo(api_cfg->database_url),
	    api_cfg->db_pool_size, api_cfg->db_reconnect_max_ms,
	    api_cfg->db_statement_timeout_ms, api_cfg->db_lock_timeout_ms);
	return api_pool == NULL ? -1 : 0;
}

void
api_worker_fini(void *arg)
{
	(void)arg;
	db_pool_free(api_pool);
	api_pool = NULL;
}

static void
api_req_free(void *p)
{
	struct api_req *a = p;

	idem_finish(a);
	json_decref(a->body);
	json_decref(a->state);
	if (a->data_free != NULL)
		a->data_free(a->data);
	free(a);
}

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

void
api_list(struct api_req *a, const db_result *res, int limit)
{
	struct evbuffer *b;
	char cur[CURSOR_MAX];
	int i, n;

	if (db_failed(res)) {
		api_db_problem(a, res);
		return;
	}
	if ((b = evbuffer_new()) == NULL) {
		api_problem(a, 503, "overloaded", "Out of memory.");
		return;
	}
	n = db_rows(res);
	evbuffer_add(b, "{\"items\":[", 10);
	for (i = 0; i < n && i < limit; i++) {
		if (i > 0)
			evbuffer_add(b, ",", 1);
		evbuffer_add(b, db_value(res, i, 0), db_length(res, i, 0));
	}
	if (n > limit) {
		cursor_encode(atoll(db_value(res, limit - 1, 1)), cur);
		evbuffer_add_printf(b, "],\"next_cursor\":\"%s\"}", cur);
	} else {
		evbuffer_add_printf(b, "],\"next_cursor\":null}");
	}
	api_json(a, 200, (const char *)evbuffer_pullup(b, -1),
	    evbuffer_get_length(b));
	evbuffer_free(b);
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

int
api_query_page(struct api_req *a, const char *stmt, int nparams,
    const char *const *params, int at, long long after, int limit,
    void (*cb)(struct api_req *, const db_result *))
{
	const char *p[16];
	char after_s[24], limit_s[16];

	if (nparams > 16 || at + 1 >= nparams) {
		api_problem(a, 500, "internal", "A page query is malformed.");
		return -1;
	}
	memcpy(p, params, sizeof(*p) * (size_t)nparams);
	snprintf(after_s, sizeof(after_s), "%lld", after);
	snprintf(limit_s, sizeof(limit_s), "%d", limit + 1);
	p[at] = after_s;
	p[at + 1] = limit_s;
	a->state = json_integer(limit);
	return api_query(a, stmt, nparams, p, cb);
}

void
api_listed(struct api_req *a, const db_result *res)
{
	api_list(a, res, (int)json_integer_value(a->state));
}

int
api_project_in_scope(struct api_req *a, const db_result *res, int area_col)
{
	if (db_failed(res)) {
		api_db_problem(a, res);
		return -1;
	}
	if (db_rows(res) == 0) {
		api_problem(a, 404, "not-found", "No such project.");
		return -1;
	}
	if (!auth_area_allowed(&a->who, db_value(res, 0, area_col))) {
		api_problem(a, 403, "outside-scope",
		    "The project's area is outside your areas.");
		return -1;
	}
	return 0;
}

static void
body_read(struct http_request *r)
{
	struct api_req *a = r->ctx;

	a->after_body(a);
}

void
api_read_body(struct api_req *a, void (*next)(struct api_req *))
{
	if (a->http->body_state != HTTP_BODY_PENDING) {
		next(a);
		return;
	}
	a->after_body = next;
	http_read_body(a->http, body_read);
}

static void
method_not_allowed(struct http_request *r, const char *path)
{
	struct route_captures caps;
	char allow[128] = "";
	int i;

	for (i = 0; i < api_nroutes; i++) {
		if (!router_match(api_routes[i].pattern, path, &caps))
			continue;
		if (allow[0] != '\0')
			strcat(allow, ", ");
		strcat(allow, http_method_name(api_routes[i].method));
	}
	http_add_header(r, "Allow", allow);
	http_problem(r, 405, "method-not-allowed", "Method Not Allowed",
	    "This resource does not support that method; see Allow.", NULL);
}

void
api_handle(struct http_request *r)
{
	struct route_captures caps;
	enum http_verb m = r->method == HTTP_M_HEAD ? HTTP_M_GET : r->method;
	int i, path_known = 0;
	struct api_req *a;

	for (i = 0; i < api_nroutes; i++) {
		if (!router_match(api_routes[i].pattern, r->path, &caps))
			continue;
		path_known = 1;
		if (api_routes[i].method == m)
			break;
	}
	if (i == api_nroutes) {
		if (path_known)
			method_not_allowed(r, r->path);
		else
			http_problem(r, 404, "unknown-route", "Not Found",
			    "No resource lives at this path.", NULL);
		return;
	}
	r->route = i;
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		http_problem(r, 503, "overloaded", "Service Unavailable",
		    "Out of memory.", NULL);
		return;
	}
	a->http = r;
	a->route = &api_routes[i];
	a->caps = caps;
	r->ctx = a;
	r->ctx_free = api_req_free;
	if (a->route->roles == ROLES_PUBLIC)
		api_read_body(a, a->route->handler);
	else
		auth_begin(a);
}

/*
 * pipeline.c: the life of every API request, in one place.
 *
 * The HTTP layer hands over a request as soon as its head is complete
 * (its body, if any, not yet read). It then goes through these stages in
 * order; each one either answers (and the request ends there) or passes
 * it on with stage_next(), at once or when its database work returns:
 *
 *   route          find the route for the method and path    404, 405
 *                  and refuse a Content-Length over its limit 413
 *   authenticate   who is calling: key or client certificate 401, 429
 *   authorize      may that role call this route              403
 *   rate_limit     the principal's share of the service, shared
 *                  by every instance (a lease from the
 *                  database's bucket when this one's is spent) 429
 *   query          the query names only the route's documented
 *                  parameters (openapi.json), each once         400
 *   read_body      only now is the body read; "100 Continue"
 *                  goes out here                               413, 408
 *   idempotency    replay, conflict, or reserve the key       409, 422
 *   handle         the route's handler
 *   after_response once the response is decided: give back an
 *                  Idempotency-Key whose request wrote nothing
 *
 * Public routes (ROLES_PUBLIC: health, readiness, metrics, the OpenAPI
 * document, the problem types, the labels) pass authenticate, authorize,
 * rate_limit and idempotency untouched. No stage runs for a request that an
 * earlier one answered, so nothing unauthenticated is read past its head.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "api.h"
#include "auth.h"
#include "input.h"
#include "ratelimit.h"

static void stage_authenticate(struct api_req *a);
static void stage_authorize(struct api_req *a);
static void stage_rate_limit(struct api_req *a);
static void stage_query(struct api_req *a);
static void stage_read_body(struct api_req *a);
static void stage_idempotency(struct api_req *a);
static void stage_handle(struct api_req *a);

static const struct stage {
	const char *name;
	void (*run)(struct api_req *a);
} stages[] = {
    {"authenticate", stage_authenticate},
    {"authorize", stage_authorize},
    {"rate_limit", stage_rate_limit},
    {"query", stage_query},
    {"read_body", stage_read_body},
    {"idempotency", stage_idempotency},
    {"handle", stage_handle},
};

#define NSTAGES ((int)(sizeof(stages) / sizeof(stages[0])))

/* Passes a on to the stage after the one it is in. */
static void
stage_next(struct api_req *a)
{
	if (++a->stage < NSTAGES)
		stages[a->stage].run(a);
}

static int
is_public(const struct api_req *a)
{
	return a->route->roles == ROLES_PUBLIC;
}

/* What an authenticated route answers is for its caller alone: no cache
 * keeps it unless the handler says otherwise ("private, ..."). */
static void
stage_authenticate(struct api_req *a)
{
	if (is_public(a)) {
		stage_next(a);
		return;
	}
	a->http->cache_control = "no-store";
	auth_authenticate(a, stage_next);
}

/* A Commit-Position sent back must be one a write answered with: digits
 * (replica.c routes on it). */
static int
commit_position_ok(const struct api_req *a)
{
	const char *h = http_header(a->http, COMMIT_POSITION);

	return h == NULL ||
	       (*h != '\0' && strspn(h, "0123456789") == strlen(h) &&
	           strlen(h) <= 19);
}

static void
stage_authorize(struct api_req *a)
{
	if (!is_public(a) && !(a->route->roles & a->who.role)) {
		api_problem(
		    a, 403, "forbidden", "Your role may not call this route.");
		return;
	}
	if (!commit_position_ok(a)) {
		api_problem(a, 400, "invalid-commit-position",
		    "Commit-Position must be the digits a write's response "
		    "carried.");
		return;
	}
	stage_next(a);
}

/* 429 when the principal must wait, else on to the next stage. */
static void
rate_checked(struct api_req *a, int wait)
{
	char retry[16];

	if (wait > 0) {
		snprintf(retry, sizeof(retry), "%d", wait);
		http_add_header(a->http, "Retry-After", retry);
		api_problem(a, 429, "rate-limited",
		    "Too many requests for this principal; slow down.");
		return;
	}
	stage_next(a);
}

/* The database's bucket answered: a lease, or the wait. When it could
 * not be asked, this instance's own bucket decides, so that a database
 * that is down or slow never lifts the limit. */
static void
leased(const db_result *st, const struct db_lease *lease, void *arg)
{
	struct api_req *a = arg;

	(void)st;
	if (lease == NULL) {
		ratelimit_lease_add(a->who.id, 0);
		rate_checked(a, ratelimit_take_local(a->who.id));
	} else if (lease->granted > 0) {
		ratelimit_lease_add(a->who.id, lease->granted - 1);
		rate_checked(a, 0);
	} else {
		ratelimit_lease_add(a->who.id, 0);
		rate_checked(a, lease->wait_s > 0 ? lease->wait_s : 1);
	}
}

static void
stage_rate_limit(struct api_req *a)
{
	int wait;

	if (is_public(a)) {
		stage_next(a);
		return;
	}
	if ((wait = ratelimit_take(a->who.id)) != RATELIMIT_ASK) {
		rate_checked(a, wait);
		return;
	}
	if (db_rate_lease(api_pool, a->who.id, ratelimit_rate(),
	        ratelimit_burst(), ratelimit_lease_size(), leased, a) != 0) {
		ratelimit_lease_add(a->who.id, 0);
		rate_checked(a, ratelimit_take_local(a->who.id));
	}
}

static void
stage_query(struct api_req *a)
{
	if (input_query_known(a, openapi_query_names(a->route)) == 0)
		stage_next(a);
}

static void
body_arrived(struct http_request *r)
{
	stage_next(r->ctx);
}

/* The body a route may take: max_photo_size for a photo's, else
 * max_body_size. */
static size_t
body_max(const struct route *rt)
{
	return rt->flags & ROUTE_PHOTO_BODY ? (size_t)api_cfg->max_photo_size
	                                    : (size_t)api_cfg->max_body_size;
}

/* A Content-Length over the route's limit: refused with the head (the
 * parser refuses at once only what no route takes), before the caller is
 * asked who it is, as it always was; 0 when it fits. */
static int
announced_too_large(struct http_request *r, const struct route *rt)
{
	const char *cl = http_header(r, "Content-Length");

	if (cl == NULL || strtoull(cl, NULL, 10) <= body_max(rt))
		return 0;
	problems_answer(r, 413, "body-too-large",
	    "The request body exceeds the limit of this route.", NULL);
	return 1;
}

static void
stage_read_body(struct api_req *a)
{
	if (a->http->body_state == HTTP_BODY_PENDING)
		http_read_body_max(a->http, body_max(a->route), body_arrived);
	else
		stage_next(a);
}

static void
stage_idempotency(struct api_req *a)
{
	if (is_public(a))
		stage_next(a);
	else
		idem_reserve(a, stage_next);
}

static void
stage_handle(struct api_req *a)
{
	a->route->handler(a);
}

/* The last stage: the response is decided (sent, or dropped because the
 * client has gone). */
static void
after_response(struct http_request *r)
{
	struct api_req *a = r->ctx;

	idem_release(a);
}

static void
api_req_free(void *p)
{
	struct api_req *a = p;

	json_decref(a->body);
	json_decref(a->state);
	if (a->data_free != NULL)
		a->data_free(a->data);
	free(a);
}

static void
method_not_allowed(struct http_request *r, const char *path)
{
	struct route_captures caps;
	char allow[128] = "";
	size_t n = 0;
	int i;

	for (i = 0; i < api_nroutes && n < sizeof(allow); i++) {
		if (!router_match(api_routes[i].pattern, path, &caps))
			continue;
		n += (size_t)snprintf(allow + n, sizeof(allow) - n, "%s%s",
		    n > 0 ? ", " : "", http_method_name(api_routes[i].method));
	}
	http_add_header(r, "Allow", allow);
	problems_answer(r, 405, "method-not-allowed",
	    "This resource does not support that method; see Allow.", NULL);
}

/* The route stage; -1 when it answered. */
static int
route(struct http_request *r, struct route_captures *caps)
{
	enum http_verb m = r->method == HTTP_M_HEAD ? HTTP_M_GET : r->method;
	int i, path_known = 0;

	for (i = 0; i < api_nroutes; i++) {
		if (!router_match(api_routes[i].pattern, r->path, caps))
			continue;
		path_known = 1;
		if (api_routes[i].method == m)
			return i;
	}
	if (path_known)
		method_not_allowed(r, r->path);
	else
		problems_answer(r, 404, "unknown-route",
		    "No resource lives at this path.", NULL);
	return -1;
}

/* The http_handler: every request starts here. */
void
api_handle(struct http_request *r)
{
	struct route_captures caps;
	struct api_req *a;
	int i;

	if ((i = route(r, &caps)) < 0 || announced_too_large(r, &api_routes[i]))
		return;
	r->route = i;
	a = xcalloc(1, sizeof(*a));
	a->http = r;
	a->route = &api_routes[i];
	a->caps = caps;
	a->stage = -1;
	r->ctx = a;
	r->ctx_free = api_req_free;
	r->after_response = after_response;
	stage_next(a);
}

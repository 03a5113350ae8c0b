/*
 * ops.c: the unversioned operational routes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "../util/metrics.h"
#include "api.h"

void
ops_health(struct api_req *a)
{
	static const char ok[] = "{\"status\":\"ok\"}";

	http_respond(a->http, 200, "application/json", ok, sizeof(ok) - 1);
}

static void
ready_done(const db_result *st, const struct db_schema *schema, void *arg)
{
	struct api_req *a = arg;
	char body[128];
	int have, want = db_schema_version_expected();

	if (db_failed(st) || schema == NULL) {
		http_add_header(a->http, "Retry-After", "1");
		api_problem(
		    a, 503, "not-ready", "The database does not answer.");
		return;
	}
	have = schema->version;
	if (have != want) {
		snprintf(body, sizeof(body),
		    "The schema is at version %d; this build needs %d.", have,
		    want);
		api_problem(a, 503, "not-ready", body);
		return;
	}
	snprintf(
	    body, sizeof(body), "{\"status\":\"ready\",\"schema\":%d}", have);
	http_respond(a->http, 200, "application/json", body, strlen(body));
}

void
ops_ready(struct api_req *a)
{
	/* Draining: the balancer is to send no more here. */
	if (http_draining()) {
		http_add_header(a->http, "Retry-After", "1");
		api_problem(a, 503, "draining",
		    "This instance is shutting down; another one serves.");
		return;
	}
	/* With no connection up, api_sent answers 503 at once. */
	api_sent(a, db_schema_version(api_pool, ready_done, a));
}

void
ops_metrics(struct api_req *a)
{
	struct evbuffer *buf = evbuffer_new(); /* aborts on failure */

	metrics_render(buf);
	http_respond(a->http, 200, "text/plain; version=0.0.4",
	    (const char *)evbuffer_pullup(buf, -1), evbuffer_get_length(buf));
	evbuffer_free(buf);
}

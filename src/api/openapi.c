/*
 * openapi.c: GET /openapi.json, built from the route table at start-up so
 * that it cannot drift from what the server answers. The schemas of the
 * bodies are in openapi_schemas.json, compiled in.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

extern const char openapi_schemas_json[];

static char *document;
static size_t document_len;

static const char *
lower_method(enum http_verb m)
{
	static const char *const names[] = {"get", "head", "post", "put",
	    "patch", "delete", "options", "other"};

	return names[m];
}

static json_t *
parameters_of(const char *pattern)
{
	json_t *params = json_array();
	const char *p = pattern;
	size_t n;

	while ((p = strchr(p, '{')) != NULL) {
		n = strcspn(p + 1, "}");
		json_array_append_new(params,
		    json_pack("{s:s%,s:s,s:b,s:{s:s}}", "name", p + 1, n, "in",
		        "path", "required", 1, "schema", "type", "string"));
		p += n + 1;
	}
	return params;
}

/* A body's media types: a PATCH is a JSON merge patch (RFC 7396),
 * under its own type or as plain JSON (input_merge_patch). */
static json_t *
request_content(const struct route *r, json_t *schema)
{
	json_t *content =
	    json_pack("{s:{s:O}}", "application/json", "schema", schema);

	if (r->method == HTTP_M_PATCH)
		json_object_set_new(content, "application/merge-patch+json",
		    json_pack("{s:O}", "schema", schema));
	return content;
}

static json_t *
operation_of(const struct route *r, json_t *schemas)
{
	json_t *op, *ref, *params = parameters_of(r->pattern);

	/* Then its query parameters, if it has any (a list's: limit, ...). */
	json_array_extend(params,
	    json_object_get(json_object_get(schemas, "parameters"), r->name));
	if (r->method == HTTP_M_GET && r->roles != ROLES_PUBLIC)
		json_array_append_new(
		    params, json_pack("{s:s}", "$ref",
		                "#/components/parameters/CommitPosition"));
	op = json_pack("{s:s,s:o,s:{s:{s:s},s:{s:s}}}", "operationId", r->name,
	    "parameters", params, "responses", "default", "description",
	    "An RFC 9457 problem document.", "2XX", "description", "Success.");
	if (r->method != HTTP_M_GET && r->method != HTTP_M_HEAD)
		json_object_set_new(
		    json_object_get(json_object_get(op, "responses"), "2XX"),
		    "headers",
		    json_pack("{s:{s:s}}", "Commit-Position", "$ref",
		        "#/components/headers/CommitPosition"));
	if (r->roles != ROLES_PUBLIC)
		json_object_set_new(op, "security",
		    json_pack(
		        "[{s:[]},{s:[]}]", "bearer", "clientCertificate"));
	ref = json_object_get(json_object_get(schemas, "responses"), r->name);
	if (ref != NULL)
		json_object_set_new(
		    json_object_get(json_object_get(op, "responses"), "2XX"),
		    "content",
		    json_pack("{s:{s:O}}", "application/json", "schema", ref));
	ref = json_object_get(json_object_get(schemas, "requests"), r->name);
	if (ref != NULL)
		json_object_set_new(op, "requestBody",
		    json_pack("{s:b,s:o}", "required", 1, "content",
		        request_content(r, ref)));
	return op;
}

static void
build(void)
{
	json_t *doc, *paths, *schemas, *item;
	json_error_t err;
	int i;

	schemas = json_loads(openapi_schemas_json, 0, &err);
	paths = json_object();
	for (i = 0; i < api_nroutes; i++) {
		item = json_object_get(paths, api_routes[i].pattern);
		if (item == NULL) {
			item = json_object();
			json_object_set_new(paths, api_routes[i].pattern, item);
		}
		json_object_set_new(item, lower_method(api_routes[i].method),
		    operation_of(&api_routes[i], schemas));
	}
	doc = json_pack("{s:s,s:{s:s,s:s,s:s},s:o,s:{s:O,s:O,s:O,s:{s:{s:s,s:s}"
	                ",s:{s:s,s:s}}}}",
	    "openapi", "3.1.0", "info", "title",
	    "Yuncheng investment pipeline service", "version", "1.0.0",
	    "description",
	    "Tracks investment projects from signing to production and "
	    "computes the city's figures.",
	    "paths", paths, "components", "schemas",
	    json_object_get(schemas, "components"), "parameters",
	    json_object_get(schemas, "parameterComponents"), "headers",
	    json_object_get(schemas, "headerComponents"), "securitySchemes",
	    "bearer", "type", "http", "scheme", "bearer", "clientCertificate",
	    "type", "mutualTLS", "description",
	    "A client certificate registered to a principal.");
	document = json_dumps(doc, JSON_COMPACT);
	document_len = document ? strlen(document) : 0;
	json_decref(doc);
	json_decref(schemas);
}

void
ops_openapi(struct api_req *a)
{
	if (document == NULL)
		build(); /* json_dumps of an object fails only out of memory,
		            and that aborts */
	http_respond(a->http, 200, "application/json", document, document_len);
}

/*
 * openapi.c: GET /openapi.json, and the query parameters of each route.
 *
 * The document is put together once, before the workers fork, from two
 * sources that cannot drift apart: the route table (routes.c: path,
 * method, operationId, the roles that may call it, whether it honours
 * Idempotency-Key) and the contract (openapi.json, compiled in: each
 * operation's summary, query parameters, request body, success responses
 * and the problems of its own). What every route of a kind answers is
 * added here, by these rules:
 *
 *   every operation       400 (a query parameter not its own, or one
 *                         given twice), 500, 503; Accept-Language, and
 *                         Content-Language on every problem (problems.c)
 *   authenticated         security; 401, 403, 429; Commit-Position on a
 *                         read, and on a write's success
 *   a path parameter      its schema; 404
 *   a request body        400 (not JSON), 413, 415, 422
 *   Idempotency-Key       the header; Idempotent-Replayed; 409, 422
 *   a list (its 200 has   ETag (page.c: a hash of the page), and
 *   a Link header)        If-None-Match with its 304
 *
 * The pipeline's query stage lets through only the parameters documented
 * here (openapi_query_names), so a handler cannot take one that the
 * document does not list. Each problem response lists the problem types
 * of its status (problems.c), so a test that receives a type the
 * document does not name for that status fails (tests/contract/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "api.h"

extern const char openapi_contract_json[];

static char *document;
static size_t document_len;
/* Per route (index in api_routes): its query parameters' names, NULL
 * ended, pointing into the contract, which is kept. */
static const char ***query_names;
static json_t *contract;

/* The problem responses, one component a status. */
static const struct problem_response {
	int status;
	const char *name;
	const char *about;
	const char *header; /* a header it may send: its component */
} problem_responses[] = {
    {400, "BadRequest",
        "A query parameter, header or body that the operation does not "
        "take as sent.",
        NULL},
    {401, "Unauthorized", "No credentials, or ones that are not valid.",
        "WWWAuthenticate"},
    {403, "Forbidden",
        "The caller's role may not call this, or the resource is outside "
        "its areas.",
        NULL},
    {404, "NotFound", "No such resource.", NULL},
    {409, "Conflict",
        "The request conflicts with the resource's state: a lifecycle "
        "rule, a duplicate, a concurrent change or a request in flight "
        "with the same Idempotency-Key.",
        "RetryAfter"},
    {412, "PreconditionFailed", "If-Match names another version.", NULL},
    {413, "ContentTooLarge", "The body is over the limit.", NULL},
    {415, "UnsupportedMediaType",
        "The body's Content-Type is not one the operation takes.",
        "AcceptPatch"},
    {422, "UnprocessableContent",
        "The body is JSON but not valid for the operation; `errors` "
        "points at each field.",
        NULL},
    {428, "PreconditionRequired", "If-Match is required.", NULL},
    {429, "TooManyRequests",
        "Over the caller's rate, or too many failed authentications.",
        "RetryAfter"},
    {500, "InternalError", "A fault of the service's own.", NULL},
    {503, "ServiceUnavailable",
        "The database is unavailable, the instance is busy or stopping.",
        "RetryAfter"},
};

#define NPROBLEM_RESPONSES                                                     \
	(sizeof(problem_responses) / sizeof(problem_responses[0]))

static const char *
lower_method(enum http_verb m)
{
	static const char *const names[] = {"get", "head", "post", "put",
	    "patch", "delete", "options", "other"};

	return names[m];
}

static json_t *
ref(const char *kind, const char *name)
{
	char to[128];

	snprintf(to, sizeof(to), "#/components/%s/%s", kind, name);
	return json_pack("{s:s}", "$ref", to);
}

/* The path parameters, in the order of the pattern, from the
 * contract's pathParameters. */
static void
add_path_parameters(const char *pattern, json_t *params)
{
	json_t *known = json_object_get(contract, "pathParameters");
	const char *p = pattern;
	char name[32];
	size_t n;

	while ((p = strchr(p, '{')) != NULL) {
		n = strcspn(p + 1, "}");
		snprintf(name, sizeof(name), "%.*s", (int)n, p + 1);
		json_array_append_new(
		    params, json_pack("{s:s,s:s,s:b,s:O,s:O}", "name", name,
		                "in", "path", "required", 1, "description",
		                json_object_get(json_object_get(known, name),
		                    "description"),
		                "schema",
		                json_object_get(
		                    json_object_get(known, name), "schema")));
		p += n + 1;
	}
}

/* A list: its 200 has a Link header (a next page). */
static int
is_list(json_t *c)
{
	json_t *h,
	    *ok = json_object_get(json_object_get(c, "responses"), "200");
	size_t i;

	json_array_foreach(json_object_get(ok, "headers"), i,
	    h) if (strcmp(json_string_value(h), "Link") == 0) return 1;
	return 0;
}

static json_t *
parameters_of(const struct route *r, json_t *c)
{
	json_t *params = json_array();

	add_path_parameters(r->pattern, params);
	json_array_extend(params, json_object_get(c, "parameters"));
	if (r->roles != ROLES_PUBLIC && r->method == HTTP_M_GET)
		json_array_append_new(
		    params, ref("parameters", "CommitPosition"));
	if (r->flags & ROUTE_IDEMPOTENT)
		json_array_append_new(
		    params, ref("parameters", "IdempotencyKey"));
	/* Every operation's problems follow it, a public one's too (a
	 * query parameter it does not take, /ready's 503). */
	json_array_append_new(params, ref("parameters", "AcceptLanguage"));
	if (is_list(c))
		json_array_append_new(params, ref("parameters", "IfNoneMatch"));
	return params;
}

/* A request body: JSON, and a PATCH also as a JSON merge patch (RFC 7396,
 * input_merge_patch); or the media types the contract names. */
static json_t *
request_body(const struct route *r, json_t *c)
{
	json_t *schema = json_object_get(c, "request"), *types, *content, *t;
	size_t i;

	types = json_object_get(c, "requestTypes");
	if (schema == NULL && types == NULL)
		return NULL;
	content = json_object();
	if (types != NULL) {
		json_array_foreach(types, i, t)
		    json_object_set_new(content, json_string_value(t),
		        json_pack("{s:{s:s}}", "schema", "type", "string"));
	} else {
		json_object_set_new(content, "application/json",
		    json_pack("{s:O}", "schema", schema));
		if (r->method == HTTP_M_PATCH)
			json_object_set_new(content,
			    "application/merge-patch+json",
			    json_pack("{s:O}", "schema", schema));
	}
	return json_pack("{s:b,s:o}", "required", 1, "content", content);
}

/* A header component's field name: RetryAfter is Retry-After. */
static const char *
header_name(const char *component)
{
	static const char *const names[][2] = {{"RetryAfter", "Retry-After"},
	    {"AcceptPatch", "Accept-Patch"},
	    {"WWWAuthenticate", "WWW-Authenticate"},
	    {"CommitPosition", "Commit-Position"},
	    {"IdempotentReplayed", "Idempotent-Replayed"},
	    {"ContentLanguage", "Content-Language"}};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i][0], component) == 0)
			return names[i][1];
	return component;
}

/* One success response of the contract, as OpenAPI has it. */
static json_t *
success_response(const struct route *r, json_t *s)
{
	json_t *out, *headers = json_object(), *h, *content, *types, *t;
	const char *type, *ctype;
	size_t i;

	out = json_pack(
	    "{s:O}", "description", json_object_get(s, "description"));
	json_array_foreach(json_object_get(s, "headers"), i, h)
	{
		type = json_string_value(h);
		json_object_set_new(
		    headers, header_name(type), ref("headers", type));
	}
	if (r->roles != ROLES_PUBLIC && r->method != HTTP_M_GET)
		json_object_set_new(headers, header_name("CommitPosition"),
		    ref("headers", "CommitPosition"));
	if (r->flags & ROUTE_IDEMPOTENT)
		json_object_set_new(headers, header_name("IdempotentReplayed"),
		    ref("headers", "IdempotentReplayed"));
	if (json_object_size(headers) > 0)
		json_object_set(out, "headers", headers);
	json_decref(headers);
	content = json_object();
	if ((types = json_object_get(s, "types")) != NULL)
		json_array_foreach(types, i, t)
		    json_object_set_new(content, json_string_value(t),
		        json_pack("{s:{s:s,s:s}}", "schema", "type", "string",
		            "contentMediaType", json_string_value(t)));
	else if (json_object_get(s, "schema") != NULL) {
		ctype = json_string_value(json_object_get(s, "type"));
		json_object_set_new(content, ctype ? ctype : "application/json",
		    json_pack("{s:O}", "schema", json_object_get(s, "schema")));
	}
	if (json_object_size(content) > 0)
		json_object_set(out, "content", content);
	json_decref(content);
	return out;
}

/* A set of problem statuses, 400 to 599. */
struct statuses {
	unsigned char has[200];
};

static void
add(struct statuses *set, int status)
{
	if (status >= 400 && status < 600)
		set->has[status - 400] = 1;
}

/* The problem statuses of the route, by the rules above and the
 * contract's own. */
static void
problem_statuses(const struct route *r, json_t *c, struct statuses *set)
{
	json_t *v;
	size_t i;

	add(set, 400);
	add(set, 500);
	add(set, 503);
	if (r->roles != ROLES_PUBLIC) {
		add(set, 401);
		add(set, 403);
		add(set, 429);
	}
	if (strchr(r->pattern, '{') != NULL)
		add(set, 404);
	if (json_object_get(c, "request") ||
	    json_object_get(c, "requestTypes")) {
		add(set, 413);
		add(set, 415);
		add(set, 422);
	}
	if (r->flags & ROUTE_IDEMPOTENT) {
		add(set, 409);
		add(set, 422);
	}
	json_array_foreach(json_object_get(c, "problems"), i, v)
	    add(set, (int)json_integer_value(v));
}

static json_t *
responses_of(const struct route *r, json_t *c, struct statuses *used)
{
	json_t *out = json_object(), *s;
	struct statuses set = {{0}};
	const char *status;
	char code[8];
	size_t i;

	json_object_foreach(json_object_get(c, "responses"), status, s)
	    json_object_set_new(out, status, success_response(r, s));
	if (is_list(c)) {
		/* The page's ETag, and 304 when nothing in it changed. */
		json_object_set_new(
		    json_object_get(json_object_get(out, "200"), "headers"),
		    "ETag", ref("headers", "ETag"));
		json_object_set_new(out, "304",
		    json_pack("{s:s,s:{s:o,s:o}}", "description",
		        "Nothing in the page changed since the ETag sent.",
		        "headers", "ETag", ref("headers", "ETag"), "Link",
		        ref("headers", "Link")));
	}
	problem_statuses(r, c, &set);
	for (i = 0; i < NPROBLEM_RESPONSES; i++) {
		int st = problem_responses[i].status;

		if (!set.has[st - 400])
			continue;
		add(used, st);
		snprintf(code, sizeof(code), "%d", st);
		json_object_set_new(
		    out, code, ref("responses", problem_responses[i].name));
	}
	return out;
}

static json_t *
operation_of(const struct route *r, json_t *c, struct statuses *used)
{
	json_t *op, *body;

	op = json_pack("{s:s,s:O,s:O,s:o,s:o}", "operationId", r->name, "tags",
	    json_object_get(c, "tags"), "summary",
	    json_object_get(c, "summary"), "parameters", parameters_of(r, c),
	    "responses", responses_of(r, c, used));
	if (json_object_get(c, "description") != NULL)
		json_object_set(
		    op, "description", json_object_get(c, "description"));
	if ((body = request_body(r, c)) != NULL)
		json_object_set_new(op, "requestBody", body);
	if (r->roles == ROLES_PUBLIC)
		json_object_set_new(op, "security", json_array());
	if (json_array_size(json_object_get(op, "parameters")) == 0)
		json_object_del(op, "parameters");
	return op;
}

/* The components/responses of the problem statuses some operation has;
 * each names the problem types of its status. */
static json_t *
problem_components(const struct statuses *used)
{
	json_t *out = json_object(), *resp, *headers;
	size_t i;

	for (i = 0; i < NPROBLEM_RESPONSES; i++) {
		const struct problem_response *p = &problem_responses[i];

		if (!used->has[p->status - 400])
			continue;
		resp = json_pack("{s:s,s:{s:{s:{s:[{s:s}],s:{s:{s:o}}}}}}",
		    "description", p->about, "content",
		    "application/problem+json", "schema", "allOf", "$ref",
		    "#/components/schemas/Problem", "properties", "type",
		    "enum", problems_types(p->status));
		headers = json_pack("{s:o}", header_name("ContentLanguage"),
		    ref("headers", "ContentLanguage"));
		if (p->header != NULL)
			json_object_set_new(headers, header_name(p->header),
			    ref("headers", p->header));
		json_object_set_new(resp, "headers", headers);
		json_object_set_new(out, p->name, resp);
	}
	return out;
}

/* The problem types the HTTP layer answers with before any operation. */
static json_t *
protocol_problems(void)
{
	json_t *out = json_array(), *name;
	char type[64];
	size_t i;

	json_array_foreach(
	    json_object_get(contract, "protocolProblems"), i, name)
	{
		snprintf(type, sizeof(type), "/problems/%s",
		    json_string_value(name));
		json_array_append_new(out, json_string(type));
	}
	return out;
}

/* The query parameters' names of each route, for the pipeline. */
static void
collect_query_names(void)
{
	json_t *params, *p, *params_comp;
	const char *name, *in;
	size_t i, n;
	int r;

	params_comp = json_object_get(contract, "parameters");
	query_names = xcalloc((size_t)api_nroutes, sizeof(*query_names));
	for (r = 0; r < api_nroutes; r++) {
		params = json_object_get(
		    json_object_get(json_object_get(contract, "operations"),
		        api_routes[r].name),
		    "parameters");
		query_names[r] = xcalloc(
		    json_array_size(params) + 1, sizeof(*query_names[r]));
		n = 0;
		json_array_foreach(params, i, p)
		{
			name = json_string_value(json_object_get(p, "$ref"));
			if (name != NULL)
				p = json_object_get(
				    params_comp, strrchr(name, '/') + 1);
			in = json_string_value(json_object_get(p, "in"));
			if (in != NULL && strcmp(in, "query") == 0)
				query_names[r][n++] = json_string_value(
				    json_object_get(p, "name"));
		}
	}
}

static json_t *
paths_of(struct statuses *used)
{
	json_t *paths = json_object(), *item, *ops, *c;
	int i;

	ops = json_object_get(contract, "operations");
	for (i = 0; i < api_nroutes; i++) {
		c = json_object_get(ops, api_routes[i].name);
		if (c == NULL)
			abort(); /* a route without a contract: tests catch it
			          */
		item = json_object_get(paths, api_routes[i].pattern);
		if (item == NULL) {
			item = json_object();
			json_object_set_new(paths, api_routes[i].pattern, item);
		}
		json_object_set_new(item, lower_method(api_routes[i].method),
		    operation_of(&api_routes[i], c, used));
	}
	return paths;
}

void
openapi_init(void)
{
	struct statuses used = {{0}};
	json_t *doc, *paths;
	json_error_t err;

	if (document != NULL)
		return;
	contract = json_loads(openapi_contract_json, 0, &err);
	if (contract == NULL) {
		fprintf(stderr, "openapi.json:%d: %s\n", err.line, err.text);
		abort(); /* compiled in: make test fails on it */
	}
	paths = paths_of(&used);
	collect_query_names();
	doc = json_pack("{s:s,s:O,s:O,s:O,s:o,s:[{s:[]},{s:[]}],s:{s:O,s:O,"
	                "s:O,s:o,s:{s:{s:s,s:s},s:{s:s,s:s}}}}",
	    "openapi", "3.1.0", "info", json_object_get(contract, "info"),
	    "servers", json_object_get(contract, "servers"), "tags",
	    json_object_get(contract, "tags"), "paths", paths, "security",
	    "bearer", "clientCertificate", "components", "schemas",
	    json_object_get(contract, "schemas"), "parameters",
	    json_object_get(contract, "parameters"), "headers",
	    json_object_get(contract, "headers"), "responses",
	    problem_components(&used), "securitySchemes", "bearer", "type",
	    "http", "scheme", "bearer", "clientCertificate", "type",
	    "mutualTLS", "description",
	    "A client certificate registered to a principal.");
	json_object_set_new(doc, "x-protocol-problems", protocol_problems());
	document = json_dumps(doc, JSON_COMPACT);
	document_len = strlen(document);
	json_decref(doc);
}

const char *const *
openapi_query_names(const struct route *r)
{
	return query_names[r - api_routes];
}

/* pipelined openapi: the document on stdout, for the linter and the tests'
 * validator (scripts/test.sh), without a server. */
int
api_openapi_print(FILE *out)
{
	openapi_init();
	return fwrite(document, 1, document_len, out) == document_len &&
	               fputc('\n', out) != EOF
	           ? 0
	           : -1;
}

void
ops_openapi(struct api_req *a)
{
	http_respond(a->http, 200, "application/json", document, document_len);
}

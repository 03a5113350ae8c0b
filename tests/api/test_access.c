/*
 * test_access.c: who may call what. The route x role matrix comes from
 * one table below, and the table is checked against the OpenAPI document
 * (itself built from the server's route table), so a new route that is
 * not in this table fails the test. Then: area scopes, every kind of bad
 * credential, client certificates, the audit log, rate limits, and no key
 * material in any log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "images.h"
#include "support.h"

enum {
	R_ADMIN,
	R_EDITOR,
	R_COUNTY,
	R_REPORTER,
	R_RECONCILER,
	R_VIEWER,
	NROLES
};
#define ALL     0x3f
#define BIT(r)  (1 << (r))
#define WRITERS (BIT(R_ADMIN) | BIT(R_EDITOR) | BIT(R_COUNTY))

static const char *const role_names[NROLES] = {
    "admin", "editor", "county", "reporter", "reconciler", "viewer"};

/* Placeholders: {P} a project of 140821, {E} a fresh event of it, {K} a
 * fresh key, {R} a report of {P} with one photo, {B} a fresh batch of
 * {P}. Bodies are valid, so an allowed role gets the success code. */
static const struct row {
	const char *method, *path, *doc_path, *body;
	unsigned allowed;
	long success;
	const char *ctype; /* when not JSON */
} matrix[] = {
    {"GET", "/api/v1/areas", "/api/v1/areas", NULL, ALL, 200, NULL},
    {"GET", "/api/v1/projects", "/api/v1/projects", NULL, ALL, 200, NULL},
    {"POST", "/api/v1/projects", "/api/v1/projects",
        "{\"name\":\"矩阵项目\",\"area\":\"140821\",\"funding\":\"mixed\"}",
        WRITERS, 201, NULL},
    {"GET", "/api/v1/projects/{P}", "/api/v1/projects/{id}", NULL, ALL, 200,
        NULL},
    {"PATCH", "/api/v1/projects/{P}", "/api/v1/projects/{id}",
        "{\"owner\":\"矩阵\"}", WRITERS, 200, NULL},
    {"GET", "/api/v1/projects/{P}/events", "/api/v1/projects/{id}/events", NULL,
        ALL, 200, NULL},
    {"POST", "/api/v1/projects/{P}/events", "/api/v1/projects/{id}/events",
        "{\"type\":\"approval\",\"kind\":\"filing\","
        "\"effective_on\":\"2024-01-02\"}",
        WRITERS, 201, NULL},
    {"GET", "/api/v1/projects/{P}/events/{E}",
        "/api/v1/projects/{id}/events/{event_id}", NULL, ALL, 200, NULL},
    {"POST", "/api/v1/projects/{P}/events/{E}/retraction",
        "/api/v1/projects/{id}/events/{event_id}/retraction",
        "{\"reason\":\"matrix\"}", WRITERS, 201, NULL},
    {"GET", "/api/v1/projects/{P}/reports", "/api/v1/projects/{id}/reports",
        NULL, ALL, 200, NULL},
    {"POST", "/api/v1/projects/{P}/reports", "/api/v1/projects/{id}/reports",
        "{\"reported_on\":\"2024-06-01\",\"latitude\":35.02,"
        "\"longitude\":110.99,\"progress_percent\":20}",
        WRITERS | BIT(R_REPORTER), 201, NULL},
    {"GET", "/api/v1/projects/{P}/reports/{R}",
        "/api/v1/projects/{id}/reports/{report_id}", NULL, ALL, 200, NULL},
    {"GET", "/api/v1/projects/{P}/reports/{R}/photos/1",
        "/api/v1/projects/{id}/reports/{report_id}/photos/{n}", NULL, ALL, 200,
        NULL},
    {"POST", "/api/v1/reports/batch", "/api/v1/reports/batch",
        "{\"reports\":[{\"id\":\"5e1ec7ed-acce-4000-8000-000000000001\","
        "\"project_id\":\"{P}\",\"observed_at\":"
        "\"2024-06-01T10:00:00+08:00\",\"progress_pct\":5}]}",
        WRITERS | BIT(R_REPORTER), 200, NULL},
    {"GET", "/api/v1/reports", "/api/v1/reports", NULL, ALL, 200, NULL},
    {"GET", "/api/v1/reports/{R}", "/api/v1/reports/{id}", NULL, ALL, 200,
        NULL},
    /* {PHOTO}: a fresh photo, PUT under its own hash (test_matrix). */
    {"PUT", "/api/v1/photos/{PHOTO}", "/api/v1/photos/{sha256}", "{PHOTO}",
        WRITERS | BIT(R_REPORTER), 201, "Content-Type: image/png"},
    {"GET", "/api/v1/photos/{H}", "/api/v1/photos/{sha256}", NULL, ALL, 200,
        NULL},
    {"GET", "/api/v1/stats/pipeline", "/api/v1/stats/pipeline", NULL, ALL, 200,
        NULL},
    {"GET", "/api/v1/stats/alerts", "/api/v1/stats/alerts", NULL, ALL, 200,
        NULL},
    {"GET", "/api/v1/targets/2024", "/api/v1/targets/{year}", NULL, ALL, 200,
        NULL},
    {"PUT", "/api/v1/targets/2030", "/api/v1/targets/{year}",
        "{\"signed_amount_yuan\":1,\"start_rate\":0.5}", BIT(R_ADMIN), 200,
        NULL},
    {"GET", "/api/v1/batches", "/api/v1/batches", NULL, ALL, 200, NULL},
    {"POST", "/api/v1/batches", "/api/v1/batches",
        "{\"kind\":\"sign\",\"held_on\":\"2024-03-28\",\"name\":\"矩阵批次\","
        "\"area\":\"140821\",\"projects\":[\"{P}\"]}",
        BIT(R_ADMIN) | BIT(R_EDITOR), 201, NULL},
    {"GET", "/api/v1/batches/{B}", "/api/v1/batches/{id}", NULL, ALL, 200,
        NULL},
    {"GET", "/api/v1/keys", "/api/v1/keys", NULL, BIT(R_ADMIN), 200, NULL},
    {"GET", "/api/v1/keys/{K}", "/api/v1/keys/{id}", NULL, BIT(R_ADMIN), 200,
        NULL},
    {"POST", "/api/v1/keys", "/api/v1/keys",
        "{\"name\":\"m\",\"role\":\"viewer\"}", BIT(R_ADMIN), 201, NULL},
    {"DELETE", "/api/v1/keys/{K}", "/api/v1/keys/{id}", NULL, BIT(R_ADMIN), 204,
        NULL},
    {"GET", "/api/v1/audit", "/api/v1/audit", NULL, BIT(R_ADMIN), 200, NULL},
    {"GET", "/api/v1/changes", "/api/v1/changes", NULL,
        BIT(R_ADMIN) | BIT(R_RECONCILER), 200, NULL},
    {"POST", "/api/v1/imports?dry_run=true", "/api/v1/imports",
        "{\"code\":\"2024-140821-44-01-000777\",\"name\":\"矩阵导入\","
        "\"area\":\"140821\",\"funding\":\"mixed\"}\n",
        BIT(R_ADMIN) | BIT(R_RECONCILER), 200,
        "Content-Type: application/x-ndjson"},
};
#define NMATRIX (sizeof(matrix) / sizeof(matrix[0]))

static const char *const public_paths[] = {"/health", "/ready", "/metrics",
    "/openapi.json", "/problems", "/problems/{name}", "/labels", NULL};

static struct tserver srv;
static const char *keys[NROLES];
static const char *editor;
static char project[64];

static int
setup(void **state)
{
	struct tresp r;
	int i;

	*state = &srv; /* for ts_group_teardown */
	ts_start(&srv, "");
	for (i = 0; i < NROLES; i++)
		keys[i] = make_key(&srv, role_names[i],
		    i == R_COUNTY || i == R_REPORTER ? "\"140821\"" : NULL);
	editor = keys[R_EDITOR];
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"临猗矩阵项目\",\"area\":\"140821\",\"funding\":"
	    "\"enterprise\"}",
	    NULL, &r);
	assert_int_equal(r.status, 201);
	snprintf(project, sizeof(project), "%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	return 0;
}

static void
fresh_event(char *out)
{
	char path[160];
	struct tresp r;

	snprintf(path, sizeof(path), "/api/v1/projects/%s/events", project);
	tr_do(&srv, "POST", path, editor,
	    "{\"type\":\"approval\",\"kind\":\"land\","
	    "\"effective_on\":\"2024-01-03\"}",
	    NULL, &r);
	assert_int_equal(r.status, 201);
	snprintf(out, 64, "%s",
	    json_string_value(
	        json_object_get(json_object_get(r.json, "event"), "id")));
	tr_free(&r);
}

static void
fresh_report(char *out)
{
	char path[160];
	struct tresp r;

	snprintf(path, sizeof(path), "/api/v1/projects/%s/reports", project);
	/* A PNG signature and a few bytes: enough to be a PNG here. */
	tr_do(&srv, "POST", path, editor,
	    "{\"reported_on\":\"2024-06-02\",\"latitude\":35.0,"
	    "\"longitude\":111.0,\"progress_percent\":21,\"photos\":"
	    "[{\"content_type\":\"image/png\",\"data\":"
	    "\"iVBORw0KGgoAAAANSUhEUg==\"}]}",
	    NULL, &r);
	assert_int_equal(r.status, 201);
	snprintf(
	    out, 64, "%s", json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
}

/* A photo no test has sent before; its hash in hash. */
static unsigned char *
fresh_photo(size_t *len, char *hash)
{
	static unsigned seed = 100;
	unsigned char *png = img_png(8, 8, 0, seed++, len);

	img_sha256_hex(png, *len, hash);
	return png;
}

/* The hash of a fresh photo, uploaded. */
static void
uploaded_photo(char *hash)
{
	const char *h[] = {"Content-Type: image/png", NULL};
	unsigned char *png;
	char path[128];
	struct tresp r;
	size_t len;

	png = fresh_photo(&len, hash);
	snprintf(path, sizeof(path), "/api/v1/photos/%s", hash);
	tr_do_bytes(&srv, "PUT", path, editor, (const char *)png, len, h, &r);
	assert_int_equal(r.status, 201);
	tr_free(&r);
	free(png);
}

static void
fresh_batch(char *out)
{
	char body[256];
	struct tresp r;

	snprintf(body, sizeof(body),
	    "{\"kind\":\"start\",\"held_on\":\"2024-04-28\",\"name\":"
	    "\"矩阵读取批次\",\"area\":\"140821\",\"projects\":[\"%s\"]}",
	    project);
	tr_do(&srv, "POST", "/api/v1/batches", editor, body, NULL, &r);
	assert_int_equal(r.status, 201);
	snprintf(
	    out, 64, "%s", json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
}

static void
current_etag(char *line)
{
	char path[128], etag[32];
	struct tresp r;

	snprintf(path, sizeof(path), "/api/v1/projects/%s", project);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	snprintf(line, 64, "If-Match: %s",
	    tr_header(&r, "ETag", etag, sizeof(etag)));
	tr_free(&r);
}

static void
expand(const char *tmpl, char *out, size_t len)
{
	char ev[80], key_id[64];
	size_t o = 0;
	const char *p;

	for (p = tmpl; *p != '\0' && o + 40 < len; p++) {
		if (strncmp(p, "{P}", 3) == 0) {
			o += (size_t)snprintf(out + o, len - o, "%s", project);
			p += 2;
		} else if (strncmp(p, "{E}", 3) == 0) {
			fresh_event(ev);
			o += (size_t)snprintf(out + o, len - o, "%s", ev);
			p += 2;
		} else if (strncmp(p, "{R}", 3) == 0) {
			fresh_report(ev);
			o += (size_t)snprintf(out + o, len - o, "%s", ev);
			p += 2;
		} else if (strncmp(p, "{H}", 3) == 0) {
			uploaded_photo(ev);
			o += (size_t)snprintf(out + o, len - o, "%s", ev);
			p += 2;
		} else if (strncmp(p, "{B}", 3) == 0) {
			fresh_batch(ev);
			o += (size_t)snprintf(out + o, len - o, "%s", ev);
			p += 2;
		} else if (strncmp(p, "{K}", 3) == 0) {
			make_key_ex(&srv, "viewer", NULL, NULL, key_id);
			o += (size_t)snprintf(out + o, len - o, "%s", key_id);
			p += 2;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
}

static void
test_matrix_covers_every_route(void **state)
{
	const char *path, *method;
	json_t *ops, *op;
	struct tresp r;
	size_t i;
	int found, j;

	(void)state;
	tr_do(&srv, "GET", "/openapi.json", NULL, NULL, NULL, &r);
	json_object_foreach(json_object_get(r.json, "paths"), path, ops)
	{
		json_object_foreach(ops, method, op)
		{
			for (i = 0, found = 0; i < NMATRIX && !found; i++)
				found =
				    strcmp(matrix[i].doc_path, path) == 0 &&
				    strcasecmp(matrix[i].method, method) == 0;
			for (j = 0; public_paths[j] != NULL && !found; j++)
				found = strcmp(public_paths[j], path) == 0;
			if (!found)
				fail_msg("%s %s is not in the access matrix",
				    method, path);
			/* Public routes lift the document's security
			 * requirement (security: []); the rest keep it. */
			for (j = 0, found = 0;
			     public_paths[j] != NULL && !found; j++)
				found = strcmp(public_paths[j], path) == 0;
			assert_int_equal(
			    json_object_get(op, "security") != NULL, found);
			if (found)
				assert_int_equal(
				    json_array_size(
				        json_object_get(op, "security")),
				    0);
		}
	}
	/* A write's Commit-Position, and a read's (issue 18). */
	assert_non_null(json_object_get(
	    json_object_get(json_object_get(r.json, "components"), "headers"),
	    "CommitPosition"));
	op = json_object_get(json_object_get(json_object_get(r.json, "paths"),
	                         "/api/v1/projects"),
	    "post");
	assert_non_null(json_object_get(
	    json_object_get(
	        json_object_get(json_object_get(op, "responses"), "201"),
	        "headers"),
	    "Commit-Position"));
	op = json_object_get(json_object_get(json_object_get(r.json, "paths"),
	                         "/api/v1/projects"),
	    "get");
	found = 0;
	for (i = 0; i < json_array_size(json_object_get(op, "parameters"));
	     i++) {
		const char *ref = json_string_value(json_object_get(
		    json_array_get(json_object_get(op, "parameters"), i),
		    "$ref"));

		found |=
		    ref != NULL &&
		    strcmp(ref, "#/components/parameters/CommitPosition") == 0;
	}
	assert_true(found);
	tr_free(&r);
}

static void
test_matrix(void **state)
{
	char path[512], body[1024], if_match[64];
	const char *hdrs[2] = {NULL, NULL};
	struct tresp r;
	size_t i;
	int role;

	(void)state;
	for (i = 0; i < NMATRIX; i++) {
		for (role = 0; role < NROLES; role++) {
			expand(matrix[i].path, path, sizeof(path));
			hdrs[0] = matrix[i].ctype;
			if (strcmp(matrix[i].method, "PATCH") == 0) {
				current_etag(if_match);
				hdrs[0] = if_match;
			}
			if (matrix[i].body != NULL &&
			    strcmp(matrix[i].body, "{PHOTO}") == 0) {
				unsigned char *png;
				char hash[65];
				size_t n;

				png = fresh_photo(&n, hash);
				snprintf(path, sizeof(path),
				    "/api/v1/photos/%s", hash);
				tr_do_bytes(&srv, matrix[i].method, path,
				    keys[role], (const char *)png, n, hdrs, &r);
				free(png);
			} else {
				if (matrix[i].body != NULL)
					expand(
					    matrix[i].body, body, sizeof(body));
				tr_do(&srv, matrix[i].method, path, keys[role],
				    matrix[i].body ? body : NULL, hdrs, &r);
			}
			if (matrix[i].allowed & BIT(role)) {
				if (r.status != matrix[i].success)
					fail_msg(
					    "%s %s as %s: %ld, wanted %ld: %s",
					    matrix[i].method, path,
					    role_names[role], r.status,
					    matrix[i].success,
					    r.body ? r.body : "");
			} else if (r.status != 403) {
				fail_msg("%s %s as %s: %ld, wanted 403",
				    matrix[i].method, path, role_names[role],
				    r.status);
			}
			tr_free(&r);
		}
	}
}

static void
test_area_scope(void **state)
{
	const char *county = keys[R_COUNTY];
	char other[64], path[160], if_match[64];
	const char *hdrs[2] = {NULL, NULL};
	struct tresp r;
	char *before;

	(void)state;
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"河津项目\",\"area\":\"140882\",\"funding\":"
	    "\"enterprise\"}",
	    NULL, &r);
	snprintf(other, sizeof(other), "%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	before = strdup(db_scalar("SELECT version || status FROM projects "
	                          "WHERE id = '%s'",
	    other));
	snprintf(path, sizeof(path), "/api/v1/projects/%s/events", other);
	tr_do(&srv, "POST", path, county,
	    "{\"type\":\"started\",\"effective_on\":\"2024-05-01\"}", NULL, &r);
	assert_int_equal(r.status, 403);
	tr_free(&r);
	snprintf(path, sizeof(path), "/api/v1/projects/%s", other);
	hdrs[0] = "If-Match: \"1\"";
	tr_do(&srv, "PATCH", path, county, "{\"owner\":\"x\"}", hdrs, &r);
	assert_int_equal(r.status, 403);
	tr_free(&r);
	assert_string_equal(db_scalar("SELECT version || status FROM projects "
	                              "WHERE id = '%s'",
	                        other),
	    before);
	free(before);
	tr_do(&srv, "POST", "/api/v1/projects", county,
	    "{\"name\":\"越界\",\"area\":\"140882\",\"funding\":\"mixed\"}",
	    NULL, &r);
	assert_int_equal(r.status, 403);
	tr_free(&r);
	/* Its own project cannot be moved out of its areas. */
	snprintf(path, sizeof(path), "/api/v1/projects/%s", project);
	current_etag(if_match);
	hdrs[0] = if_match;
	tr_do(&srv, "PATCH", path, county, "{\"area\":\"140882\"}", hdrs, &r);
	assert_int_equal(r.status, 403);
	tr_free(&r);
	assert_string_equal(
	    db_scalar("SELECT area FROM projects WHERE id = '%s'", project),
	    "140821");
}

static void
expect_401(const char *key, const char *raw_header)
{
	const char *hdrs[2] = {raw_header, NULL};
	char www[128];
	struct tresp r;

	tr_do(&srv, "GET", "/api/v1/areas", key, NULL, raw_header ? hdrs : NULL,
	    &r);
	if (r.status != 401)
		fail_msg("wanted 401, got %ld for %s", r.status,
		    key          ? key
		    : raw_header ? raw_header
		                 : "no credentials");
	assert_non_null(tr_header(&r, "WWW-Authenticate", www, sizeof(www)));
	assert_string_equal(tr_problem_type(&r), "/problems/unauthorized");
	tr_free(&r);
}

static void
test_bad_credentials(void **state)
{
	char changed[80], id[64], path[128];
	const char *expired, *revoked;
	struct tresp r;

	(void)state;
	expect_401(NULL, NULL);
	expect_401(NULL, "Authorization: Bearer");
	expect_401(NULL, "Authorization: Basic dXNlcjpwYXNz");
	expect_401("pk_short", NULL);
	snprintf(changed, sizeof(changed), "%s", keys[R_VIEWER]);
	changed[strlen(changed) - 1] =
	    changed[strlen(changed) - 1] == 'A' ? 'B' : 'A';
	expect_401(changed, NULL);
	expired = make_key_ex(
	    &srv, "viewer", NULL, "\"expires_on\":\"2020-01-01\"", NULL);
	expect_401(expired, NULL);
	revoked = make_key_ex(&srv, "viewer", NULL, NULL, id);
	tr_do(&srv, "GET", "/api/v1/areas", revoked, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
	snprintf(path, sizeof(path), "/api/v1/keys/%s", id);
	tr_do(&srv, "DELETE", path, keys[R_ADMIN], NULL, NULL, &r);
	assert_int_equal(r.status, 204);
	tr_free(&r);
	usleep(1100000); /* the per-worker cache lives one second */
	expect_401(revoked, NULL);
	/* Scopes name areas that exist (the areas table, not a list in code).
	 */
	tr_do(&srv, "POST", "/api/v1/keys", keys[R_ADMIN],
	    "{\"name\":\"x\",\"role\":\"county\",\"areas\":[\"140899\"]}", NULL,
	    &r);
	assert_int_equal(r.status, 422);
	tr_free(&r);
}

static void
test_audit_rows(void **state)
{
	char id[64], path[256], pid[64], if_match[64];
	const char *key, *hdrs[2] = {NULL, NULL};
	struct tresp r;
	json_t *items, *row;

	(void)state;
	key = make_key_ex(&srv, "editor", NULL, NULL, id);
	tr_do(&srv, "POST", "/api/v1/projects", key,
	    "{\"name\":\"审计项目\",\"area\":\"140823\",\"funding\":"
	    "\"enterprise\"}",
	    NULL, &r);
	snprintf(pid, sizeof(pid), "%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	snprintf(path, sizeof(path), "/api/v1/projects/%s", pid);
	snprintf(if_match, sizeof(if_match), "If-Match: \"1\"");
	hdrs[0] = if_match;
	tr_do(&srv, "PATCH", path, key, "{\"park\":\"闻喜经济技术开发区\"}",
	    hdrs, &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/events", pid);
	tr_do(&srv, "POST", path, key,
	    "{\"type\":\"started\",\"effective_on\":\"2024-06-01\"}", NULL, &r);
	assert_int_equal(r.status, 201);
	tr_free(&r);
	snprintf(path, sizeof(path), "/api/v1/audit?principal=%s", id);
	tr_do(&srv, "GET", path, keys[R_ADMIN], NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), 3);
	row = json_array_get(items, 0);
	assert_string_equal(
	    json_string_value(json_object_get(row, "method")), "POST");
	assert_true(json_is_null(json_object_get(row, "before")));
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(row, "after"), "name")),
	    "审计项目");
	row = json_array_get(items, 1);
	assert_true(json_is_null(
	    json_object_get(json_object_get(row, "before"), "park")));
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(row, "after"), "park")),
	    "闻喜经济技术开发区");
	assert_non_null(json_object_get(row, "request_id"));
	row = json_array_get(items, 2);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(json_object_get(row, "after"), "event"),
	        "type")),
	    "started");
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(json_object_get(row, "after"), "project"),
	        "status")),
	    "under_construction");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(row, "before"), "status")),
	    "planned");
	tr_free(&r);
	tr_do(&srv, "GET", "/api/v1/audit?from=2024-13-45T99:00:00Z",
	    keys[R_ADMIN], NULL, NULL, &r);
	assert_int_equal(r.status, 400);
	tr_free(&r);
}

static void
test_client_certificates(void **state)
{
	char extra[1024], fp[80], cert[512], keyf[512];
	struct tserver mtls;
	struct tresp r;
	FILE *f;
	const char *dir = ts_env("TEST_DIR");

	(void)state;
	snprintf(extra, sizeof(extra), "tls_client_ca %s/client-ca.crt", dir);
	ts_start(&mtls, extra);
	snprintf(cert, sizeof(cert), "%s/client-registered.sha256", dir);
	f = fopen(cert, "r");
	assert_non_null(f);
	assert_non_null(fgets(fp, sizeof(fp), f));
	fclose(f);
	fp[strcspn(fp, "\n")] = '\0';
	snprintf(extra, sizeof(extra), "\"client_cert_sha256\":\"%s\"", fp);
	make_key_ex(&mtls, "reconciler", NULL, extra, NULL);

	snprintf(cert, sizeof(cert), "%s/client-registered.crt", dir);
	snprintf(keyf, sizeof(keyf), "%s/client-registered.key", dir);
	tr_client_cert(cert, keyf);
	tr_do(&mtls, "GET", "/api/v1/areas", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
	tr_do(&mtls, "GET", "/api/v1/keys", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 403); /* authenticated as a reconciler */
	tr_free(&r);

	snprintf(cert, sizeof(cert), "%s/client-unregistered.crt", dir);
	snprintf(keyf, sizeof(keyf), "%s/client-unregistered.key", dir);
	tr_client_cert(cert, keyf);
	tr_do(&mtls, "GET", "/api/v1/areas", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 401);
	tr_free(&r);

	snprintf(cert, sizeof(cert), "%s/client-other.crt", dir);
	snprintf(keyf, sizeof(keyf), "%s/client-other.key", dir);
	tr_client_cert(cert, keyf);
	tr_do(&mtls, "GET", "/api/v1/areas", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 0); /* the handshake fails */
	tr_free(&r);
	tr_client_cert(NULL, NULL);
	assert_int_equal(ts_stop(&mtls), 0);
}

static void
test_rate_limits(void **state)
{
	struct tserver lim;
	const char *busy, *other;
	char retry[16];
	struct tresp r;
	int i, limited = 0;

	(void)state;
	ts_start(&lim, "rate_limit_per_second 1\nrate_limit_burst 3\n"
	               "auth_failures_per_minute 3\n");
	busy = make_key(&lim, "viewer", NULL);
	other = make_key(&lim, "viewer", NULL);
	for (i = 0; i < 16; i++) {
		tr_do(&lim, "GET", "/api/v1/areas", busy, NULL, NULL, &r);
		if (r.status == 429) {
			limited++;
			assert_non_null(
			    tr_header(&r, "Retry-After", retry, sizeof(retry)));
			assert_true(atoi(retry) >= 1);
		}
		tr_free(&r);
	}
	/* Shared by both workers: burst 3 plus about one a second, however
	 * the 16 connections were spread. */
	assert_true(limited >= 10);
	tr_do(&lim, "GET", "/api/v1/areas", other, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
	/* Failed authentications from one address: past the limit a
	 * failure is 429, but a valid key is still served. The count is
	 * the database's, shared by every instance (sql/017): the earlier
	 * tests' failures from this address are forgotten first. */
	db_scalar("DELETE FROM auth_failures");
	for (i = 0; i < 5; i++) {
		tr_do(&lim, "GET", "/api/v1/areas",
		    "pk_AAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		    NULL, NULL, &r);
		/* The third reaches 3 a minute, less what leaked out since
		 * the first (a twentieth a second): the fourth is over. */
		if (i < 2)
			assert_int_equal(r.status, 401);
		if (i >= 3)
			assert_int_equal(r.status, 429);
		if (i >= 3)
			assert_string_equal(
			    tr_problem_type(&r), "/problems/too-many-failures");
		tr_free(&r);
	}
	usleep(1100000); /* a token for other */
	tr_do(&lim, "GET", "/api/v1/areas", other, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
	assert_int_equal(ts_stop(&lim), 0);
}

/* Last: every log this test run wrote, and the audit table, are free of
 * the keys it handled (and of their stored hashes). */
static void
test_no_key_material_in_logs(void **state)
{
	const char *const *all;
	int n = made_keys(&all), i;

	(void)state;
	assert_true(n > 5);
	for (i = 0; i < n; i++) {
		if (sh("grep -rqF -- '%s' %s/*.log", all[i],
		        ts_env("TEST_DIR")) == 0)
			fail_msg("key %d found in a log", i);
		assert_string_equal(db_scalar("SELECT count(*) FROM audit_log "
		                              "WHERE concat(before, after, "
		                              "path) LIKE '%%%s%%'",
		                        all[i]),
		    "0");
	}
	assert_int_not_equal(
	    sh("grep -rqF -- \"$TEST_ADMIN_KEY\" %s/*.log", ts_env("TEST_DIR")),
	    0);
	assert_string_equal(
	    db_scalar("SELECT count(*) FROM audit_log a JOIN principals p ON "
	              "concat(a.before, a.after) LIKE '%%' || p.key_hash || "
	              "'%%'"),
	    "0");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_matrix_covers_every_route),
	    cmocka_unit_test(test_matrix),
	    cmocka_unit_test(test_area_scope),
	    cmocka_unit_test(test_bad_credentials),
	    cmocka_unit_test(test_audit_rows),
	    cmocka_unit_test(test_client_certificates),
	    cmocka_unit_test(test_rate_limits),
	    cmocka_unit_test(test_no_key_material_in_logs),
	};

	return cmocka_run_group_tests_name(
	    "access", tests, setup, ts_group_teardown);
}

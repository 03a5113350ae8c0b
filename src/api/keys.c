/*
 * keys.c: /api/v1/keys (admin) — create, list and revoke principals with
 * their API keys or client certificates. The secret is in the creation
 * response and nowhere else: not in the database, the log or the audit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "../domain/validate.h"
#include "api.h"
#include "auth.h"
#include "cursor.h"
#include "input.h"
#include "keys.h"

int
keys_read_areas(json_t *arr, char *out, size_t outlen, struct verrors *v)
{
	size_t i, off = 1;
	json_t *e;

	snprintf(out, outlen, "{");
	if (arr == NULL || json_is_null(arr)) {
		snprintf(out, outlen, "{}");
		return 0;
	}
	if (!json_is_array(arr) || json_array_size(arr) > API_MAX_AREAS) {
		verrors_add(v, "/areas", "areas must be a list of area codes.");
		return -1;
	}
	json_array_foreach(arr, i, e)
	{
		if (!json_is_string(e) || strlen(json_string_value(e)) != 6 ||
		    strspn(json_string_value(e), "0123456789") != 6) {
			verrors_add(v, "/areas", "An area code is six digits.");
			return -1;
		}
		off += (size_t)snprintf(out + off, outlen - off, "%s%s",
		    i ? "," : "", json_string_value(e));
	}
	snprintf(out + off, outlen - off, "}");
	return (int)i;
}

static void
created(const db_result *st, const struct db_json *key, void *arg)
{
	struct api_req *a = arg;
	json_t *doc;
	json_error_t err;
	char loc[96];

	if (!db_failed(st) && key == NULL) {
		struct verrors v;

		verrors_init(&v);
		verrors_add(&v, "/areas", "Not a known area code.");
		verrors_respond(a, &v);
		return;
	}
	if (db_failed(st)) {
		if (strcmp(db_sqlstate(st), "23505") == 0) {
			api_problem(a, 409, "duplicate-certificate",
			    "That client certificate is already registered.");
			return;
		}
		api_db_problem(a, st);
		return;
	}
	doc = json_loads(key->text, 0, &err);
	json_object_set(doc, "key", json_object_get(a->state, "key"));
	snprintf(loc, sizeof(loc), "/api/v1/keys/%s",
	    json_string_value(json_object_get(doc, "id")));
	http_add_header(a->http, "Location", loc);
	api_json_t(a, 201, doc);
	json_decref(doc);
}

void
keys_create(struct api_req *a)
{
	static const char *const fields[] = {
	    "name", "role", "areas", "expires_on", "client_cert_sha256", NULL};
	const char *name = NULL, *role = NULL, *expires = NULL, *cert = NULL;
	char key[80], prefix[16], hash[65], areas[API_MAX_AREAS * 8 + 4];
	struct db_actor who = api_actor(a);
	struct db_principal_new p;
	struct verrors v;
	json_t *body;
	enum role r = 0;
	int nareas;

	if (input_body(a) != 0)
		return;
	body = a->body;
	verrors_init(&v);
	input_known_fields(body, fields, &v);
	input_string(body, "name", &name, 120, &v, 1);
	if (input_string(body, "role", &role, 20, &v, 1) &&
	    (r = auth_role_parse(role)) == 0)
		verrors_add(&v, "/role", "Unknown role.");
	nareas = keys_read_areas(
	    json_object_get(body, "areas"), areas, sizeof(areas), &v);
	if ((r == ROLE_COUNTY || r == ROLE_REPORTER) && nareas == 0)
		verrors_add(&v, "/areas", "This role needs at least one area.");
	if (input_string(body, "expires_on", &expires, 10, &v, 0) &&
	    !validate_date(expires, NULL))
		verrors_add(&v, "/expires_on", "Not a date (YYYY-MM-DD).");
	if (input_string(body, "client_cert_sha256", &cert, 64, &v, 0) &&
	    (strlen(cert) != 64 || strspn(cert, "0123456789abcdef") != 64))
		verrors_add(&v, "/client_cert_sha256",
		    "A SHA-256 fingerprint: 64 lower-case hex digits.");
	if (verrors_finish(a, &v) != 0)
		return;
	if (auth_key_generate(key, prefix, hash) != 0) {
		api_problem(a, 503, "overloaded", "No randomness available.");
		return;
	}
	a->state = json_pack("{ss}", "key", key);
	OPENSSL_cleanse(key, sizeof(key));
	p.name = name;
	p.role = role;
	p.areas = areas;
	p.prefix = prefix;
	p.key_hash = hash;
	p.cert_sha256 = cert;
	p.expires_on = expires;
	api_sent(a, db_principal_insert(api_pool, &p, &who, created, a));
}

void
keys_list(struct api_req *a)
{
	long long after;
	int limit;

	if (cursor_params(a, &after, &limit) != 0)
		return;
	api_sent(a, db_principal_page(api_pool, after, api_page_rows(a, limit),
	                api_listed, a));
}

static void
revoked(const db_result *st, const struct db_revocation *r, void *arg)
{
	struct api_req *a = arg;

	if (db_failed(st)) {
		api_db_problem(a, st);
		return;
	}
	if (r == NULL || !r->found) {
		api_problem(a, 404, "not-found", "No such key.");
		return;
	}
	http_respond(a->http, 204, NULL, NULL, 0);
}

void
keys_revoke(struct api_req *a)
{
	struct db_actor who = api_actor(a);

	if (!validate_uuid(a->caps.value[0])) {
		api_problem(a, 404, "not-found", "No such key.");
		return;
	}
	api_sent(a,
	    db_principal_revoke(api_pool, a->caps.value[0], &who, revoked, a));
}

void
keys_get(struct api_req *a)
{
	if (api_uuid_capture(a, 0, "No such key: the id is not a UUID.") != 0)
		return;
	a->missing = "No such key.";
	api_sent(a, db_principal_get(api_pool, a->caps.value[0], api_found, a));
}

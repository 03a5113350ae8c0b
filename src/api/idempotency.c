/*
 * idempotency.c: Idempotency-Key on the POSTs that create (SPEC §6).
 *
 * The key is reserved for the principal before the handler runs; the
 * handler's write marks it done in its own transaction (sql/007), with
 * the response: its status, exact body, Content-Type, Location and ETag
 * (sql/functions/idempotency_done.sql). A replay sends those again; the
 * same key with another request gets 422; while the first is still
 * running, 409. A request that wrote nothing gives the key back when it
 * is answered. A reservation ends with the database session that made it
 * (sql/015): a retry after its worker died runs at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "api.h"

/* STALE_AFTER: the seconds after which a reservation whose session still
 * lives is taken over (its request lost the key without giving it back). */
#define KEY_MAX     255
#define STALE_AFTER 30

static int
valid_key(const char *k)
{
	size_t n = strlen(k), i;

	if (n == 0 || n > KEY_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			return 0;
	return 1;
}

/* SHA-256 of what makes two requests the same: method, path, body. */
static void
request_hash(const struct http_request *r, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, r->method_name, strlen(r->method_name) + 1);
	EVP_DigestUpdate(ctx, r->path, strlen(r->path) + 1);
	if (r->body_len > 0)
		EVP_DigestUpdate(ctx, r->body, r->body_len);
	EVP_DigestFinal_ex(ctx, md, &len);
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * (size_t)i, 3, "%02x", md[i]);
}

static void
replay(struct api_req *a, const struct db_idem *r)
{
	if (r->location != NULL)
		http_add_header(a->http, "Location", r->location);
	if (r->etag != NULL)
		http_add_header(a->http, "ETag", r->etag);
	http_add_header(a->http, "Idempotent-Replayed", "true");
	/* The write replayed committed before its record did: the position
	 * now covers it. */
	api_respond(a, r->status,
	    r->content_type != NULL ? r->content_type : "application/json",
	    r->body, r->body_len);
}

static void
reserved(const db_result *st, const struct db_idem *r, void *arg)
{
	struct api_req *a = arg;
	enum db_idem_outcome outcome;

	if (db_failed(st)) {
		api_db_problem(a, st);
		return;
	}
	outcome = r != NULL ? r->outcome : DB_IDEM_IN_FLIGHT;
	if (outcome == DB_IDEM_RESERVED && r->token != NULL &&
	    strlen(r->token) < sizeof(a->idem_token)) {
		snprintf(a->idem_token, sizeof(a->idem_token), "%s", r->token);
		a->idem_key = http_header(a->http, "Idempotency-Key");
		a->resume(a);
	} else if (outcome == DB_IDEM_DONE) {
		replay(a, r);
	} else if (outcome == DB_IDEM_MISMATCH) {
		api_problem(a, 422, "idempotency-key-reused",
		    "This Idempotency-Key was used with a different request.");
	} else {
		http_add_header(a->http, "Retry-After", "1");
		api_problem(a, 409, "idempotency-key-in-flight",
		    "A request with this Idempotency-Key is still running.");
	}
}

void
idem_reserve(struct api_req *a, void (*next)(struct api_req *))
{
	const char *key = http_header(a->http, "Idempotency-Key");
	char hash[65];

	if (!(a->route->flags & ROUTE_IDEMPOTENT) || key == NULL) {
		next(a);
		return;
	}
	if (!valid_key(key)) {
		api_problem(a, 400, "invalid-idempotency-key",
		    "Idempotency-Key is 1 to 255 visible ASCII characters.");
		return;
	}
	request_hash(a->http, hash);
	a->resume = next;
	api_sent(a, db_idem_reserve(api_pool, a->who.id, key, hash, STALE_AFTER,
	                reserved, a));
}

void
idem_release(struct api_req *a)
{
	if (a->idem_key == NULL ||
	    (a->http->status >= 200 && a->http->status < 300))
		return;
	/* Best effort: if the database is away, the reservation goes
	 * stale and is taken over by the next retry. */
	db_idem_release(api_pool, a->who.id, a->idem_key, a->idem_token);
}

/*
 * auth.c: see auth.h.
 *
 * Keys are "pk_" + 8 characters of public prefix + "_" + 43 characters of
 * secret (32 random bytes, base64url). The database keeps the prefix and
 * the SHA-256 of the whole key: the secret carries 256 bits, so a slow
 * password hash would add latency to every request and no safety. The
 * stored and presented hashes are compared with CRYPTO_memcmp.
 *
 * The lookup cache is per worker: it keeps the key query off the hot path,
 * and its one-second lifetime is the bound on how long a revoked key keeps
 * working. The rate limits are shared by all workers (ratelimit.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "../util/alloc.h"
#include "../util/clock.h"
#include "../util/hex.h"
#include "auth.h"
#include "ratelimit.h"

#define KEY_PREFIX_LEN 8
#define KEY_SECRET_LEN 43
#define KEY_LEN        (3 + KEY_PREFIX_LEN + 1 + KEY_SECRET_LEN)
#define CACHE_SLOTS    256
#define CACHE_MS       1000

static const char *const role_names[] = {
    "admin", "editor", "county", "reporter", "reconciler", "viewer"};

struct cached {
	char hash[65]; /* of the key, or the certificate fingerprint */
	struct principal who;
	uint64_t at_ms;
};

static struct cached cache[CACHE_SLOTS];

enum role
auth_role_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
		if (strcmp(name, role_names[i]) == 0)
			return (enum role)(1u << i);
	return 0;
}

void
auth_key_hash(const char *key, char hash_hex[65])
{
	unsigned char md[32];
	unsigned int len = 0;

	EVP_Digest(key, strlen(key), md, &len, EVP_sha256(), NULL);
	hex_encode(md, 32, hash_hex);
}

int
auth_key_generate(char key[80], char prefix[16], char hash_hex[65])
{
	static const char b64url[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char rnd[KEY_PREFIX_LEN + KEY_SECRET_LEN];
	size_t i;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -1;
	/* The prefix is alphanumeric so it never contains the separator. */
	for (i = 0; i < KEY_PREFIX_LEN; i++)
		prefix[i] = b64url[rnd[i] % 62];
	prefix[KEY_PREFIX_LEN] = '\0';
	snprintf(key, 80, "pk_%s_", prefix);
	for (i = 0; i < KEY_SECRET_LEN; i++)
		key[3 + KEY_PREFIX_LEN + 1 + i] =
		    b64url[rnd[KEY_PREFIX_LEN + i] & 63];
	key[KEY_LEN] = '\0';
	auth_key_hash(key, hash_hex);
	OPENSSL_cleanse(rnd, sizeof(rnd));
	return 0;
}

/* Splits "Bearer pk_<prefix>_<secret>"; 0 when well-formed. */
static int
parse_bearer(const char *hdr, const char **key, char prefix[16])
{
	const char *k;
	size_t i;

	if (strncasecmp(hdr, "Bearer ", 7) != 0)
		return -1;
	k = hdr + 7;
	if (strlen(k) != KEY_LEN || strncmp(k, "pk_", 3) != 0 ||
	    k[3 + KEY_PREFIX_LEN] != '_')
		return -1;
	for (i = 0; i < KEY_LEN; i++)
		if (strchr(
		        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		        "0123456789-_",
		        k[i]) == NULL)
			return -1;
	memcpy(prefix, k + 3, KEY_PREFIX_LEN);
	prefix[KEY_PREFIX_LEN] = '\0';
	*key = k;
	return 0;
}

static struct cached *
cache_slot(const char *hash)
{
	return &cache[strtoul((char[]){hash[0], hash[1], 0}, NULL, 16) %
	              CACHE_SLOTS];
}

static const struct principal *
cache_get(const char *hash)
{
	struct cached *c = cache_slot(hash);

	if (c->at_ms != 0 && clock_ms() - c->at_ms < CACHE_MS &&
	    CRYPTO_memcmp(c->hash, hash, 64) == 0)
		return &c->who;
	return NULL;
}

static void
cache_put(const char *hash, const struct principal *who)
{
	struct cached *c = cache_slot(hash);

	memcpy(c->hash, hash, 65);
	c->who = *who;
	c->at_ms = clock_ms();
}

/*
 * A failed authentication. Past auth_failures_per_minute from one
 * address, failures are answered 429 rather than 401, telling a client
 * that guesses (or a misconfigured job) to stop. Credentials are checked
 * whatever the count: behind a proxy or a NAT, an attacker's failures
 * must not lock out the valid keys that share the address.
 */
/* What the database counted for the address over every instance. */
static void
failure_recorded(const db_result *st, double level, void *arg)
{
	(void)st;
	if (level >= 0)
		ratelimit_auth_level(arg, level);
	free(arg);
}

/* With rate_limit_shared, the failure is counted in the database too;
 * this answer does not wait for it, the next failure's sees it. */
static void
record_failure(const char *addr)
{
	char *copy;

	ratelimit_auth_failure(addr);
	if (strcmp(api_cfg->rate_limit_shared, "on") != 0)
		return;
	copy = xstrdup(addr);
	if (db_auth_failure_record(api_pool, addr,
	        ratelimit_failures_per_minute(), failure_recorded, copy) != 0)
		free(copy);
}

static void
unauthorized(struct api_req *a, const char *detail)
{
	char retry[16];
	int wait;

	record_failure(a->http->client_addr);
	if ((wait = ratelimit_auth_blocked(a->http->client_addr)) > 0) {
		snprintf(retry, sizeof(retry), "%d", wait);
		http_add_header(a->http, "Retry-After", retry);
		api_problem(a, 429, "too-many-failures",
		    "Too many failed authentications from this address.");
		return;
	}
	http_add_header(
	    a->http, "WWW-Authenticate", "Bearer realm=\"pipelined\"");
	api_problem(a, 401, "unauthorized", detail);
}

/* Reads "{140821,140882}" into the principal's areas. */
static void
parse_areas(struct principal *p, const char *arr)
{
	const char *s = arr;
	size_t n;

	p->nareas = 0;
	while (*s != '\0' && p->nareas < API_MAX_AREAS) {
		s += strspn(s, "{},\"");
		n = strcspn(s, "{},\"");
		if (n == 6) {
			memcpy(p->areas[p->nareas], s, 6);
			p->areas[p->nareas++][6] = '\0';
		}
		s += n;
	}
}

/*
 * The hash is compared here rather than in SQL so that the comparison is
 * constant-time.
 */
static void
lookup_done(const db_result *st, const struct db_principal *p, void *arg)
{
	struct api_req *a = arg;
	char hash[65];
	struct principal who;

	if (db_failed(st)) {
		api_db_problem(a, st);
		return;
	}
	if (p == NULL) {
		unauthorized(a, "Unknown credentials.");
		return;
	}
	memcpy(hash, json_string_value(json_object_get(a->state, "hash")), 65);
	/* The stored value may be empty (a certificate-only principal): the
	 * constant-time compare reads 64 bytes, so check its length first. */
	if (strlen(p->secret) != 64 ||
	    CRYPTO_memcmp(p->secret, hash, 64) != 0) {
		unauthorized(a, "Unknown credentials.");
		return;
	}
	if (p->revoked) {
		unauthorized(a, "These credentials have been revoked.");
		return;
	}
	if (p->expired) {
		unauthorized(a, "These credentials have expired.");
		return;
	}
	memset(&who, 0, sizeof(who));
	snprintf(who.id, sizeof(who.id), "%s", p->id);
	snprintf(who.name, sizeof(who.name), "%s", p->name);
	who.role = auth_role_parse(p->role);
	parse_areas(&who, p->areas);
	cache_put(hash, &who);
	json_decref(a->state);
	a->state = NULL;
	a->who = who;
	a->resume(a);
}

/* db_principal_by_key_prefix or db_principal_by_cert. */
typedef int (*principal_lookup)(
    struct db_pool *pool, const char *key, db_principal_cb cb, void *arg);

static void
lookup(
    struct api_req *a, principal_lookup find, const char *key, const char *hash)
{
	const struct principal *who;

	if ((who = cache_get(hash)) != NULL) {
		a->who = *who;
		a->resume(a);
		return;
	}
	a->state = json_pack("{ss}", "hash", hash);
	api_sent(a, find(api_pool, key, lookup_done, a));
}

void
auth_authenticate(struct api_req *a, void (*next)(struct api_req *))
{
	const char *hdr = http_header(a->http, "Authorization");
	const char *fp = a->http->peer_cert_sha256;
	const char *key;
	char prefix[16], hash[65];

	a->resume = next;
	if (hdr != NULL) {
		if (parse_bearer(hdr, &key, prefix) != 0) {
			unauthorized(a, "The Authorization header must be "
			                "'Bearer <api key>'.");
			return;
		}
		auth_key_hash(key, hash);
		lookup(a, db_principal_by_key_prefix, prefix, hash);
		return;
	}
	if (fp != NULL) {
		/* The fingerprint is both the lookup and the comparison. */
		lookup(a, db_principal_by_cert, fp, fp);
		return;
	}
	unauthorized(a, "This route needs an API key or a client certificate.");
}

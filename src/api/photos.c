/*
 * photos.c: PUT and GET /api/v1/photos/{sha256} (issue 12). A field
 * client uploads each photo on its own, named by the SHA-256 of its
 * bytes, and a report names its photos by those hashes. An upload cut
 * short is simply sent again; one sent twice is stored once and answered
 * alike. What is stored has been checked here: the bytes hash to the
 * name, a real decoder reads the whole image (image.c), and the EXIF
 * capture time and position are kept when present.
 *
 * Every worker sweeps, now and then, the photos that no report has named
 * photo_keep_unreferenced seconds after their upload (photos_sweep_*).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <openssl/evp.h>

#include "../domain/validate.h"
#include "../util/alloc.h"
#include "../util/hex.h"
#include "../util/image.h"
#include "handlers.h"

static struct event *sweep_timer;

/* The photo's bytes as bytea's text input: "\x" and hex. */
static char *
bytea_text(const unsigned char *b, size_t n)
{
	char *t = xmalloc(2 * n + 3);

	t[0] = '\\';
	t[1] = 'x';
	hex_encode(b, n, t + 2);
	return t;
}

/* What the checks read, for photo_put. */
static json_t *
photo_meta(const char *sha256, const struct image_info *im)
{
	json_t *m = json_pack("{s:s,s:s,s:i,s:i}", "sha256", sha256,
	    "content_type", im->content_type, "width", (int)im->width, "height",
	    (int)im->height);

	if (im->has_taken_at)
		json_object_set_new(m, "taken_at", json_string(im->taken_at));
	if (im->has_position) {
		json_object_set_new(m, "lat", json_real(im->lat));
		json_object_set_new(m, "lon", json_real(im->lon));
	}
	return m;
}

static void
stored(const db_result *st, const struct db_json *doc, void *arg)
{
	struct api_req *a = arg;
	char loc[128];
	json_t *out;
	int created;

	if (db_failed(st) || doc == NULL) {
		api_db_problem(a, st);
		return;
	}
	out = json_loadb(doc->text, doc->len, 0, NULL);
	created = json_is_true(json_object_get(out, "created"));
	snprintf(a->etag, sizeof(a->etag), "\"%.64s\"", a->caps.value[0]);
	if (created) {
		snprintf(
		    loc, sizeof(loc), "/api/v1/photos/%s", a->caps.value[0]);
		http_add_header(a->http, "Location", loc);
	}
	/* The same answer to the same bytes, but for 201 the first time. */
	api_json_t(a, created ? 201 : 200, json_object_get(out, "photo"));
	json_decref(out);
}

/* The checks of an upload, in the order a client would fix them; 0, or
 * -1 when it answered. */
static int
check_upload(struct api_req *a, struct image_info *im)
{
	const char *ctype = http_header(a->http, "Content-Type");
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1], why[160];

	if (ctype == NULL || (strcmp(ctype, "image/jpeg") != 0 &&
	                         strcmp(ctype, "image/png") != 0)) {
		api_problem(a, 415, "unsupported-media-type",
		    "A photo is image/jpeg or image/png.");
		return -1;
	}
	EVP_Digest(
	    a->http->body, a->http->body_len, md, &mdlen, EVP_sha256(), NULL);
	hex_encode(md, mdlen, hex);
	if (strcmp(hex, a->caps.value[0]) != 0) {
		api_problem(a, 422, "photo-hash-mismatch",
		    "The body's SHA-256 is not the one in the path: the upload "
		    "was cut or changed; send it again.");
		return -1;
	}
	if (image_inspect((const unsigned char *)a->http->body,
	        a->http->body_len,
	        (unsigned long long)api_cfg->max_photo_pixels, im, why,
	        sizeof(why)) != 0) {
		api_problem(a, 422, "photo-not-an-image", why);
		return -1;
	}
	if (strcmp(im->content_type, ctype) != 0) {
		api_problem(a, 422, "photo-type-mismatch",
		    "The body is an image of another type than its "
		    "Content-Type says.");
		return -1;
	}
	return 0;
}

void
photos_put(struct api_req *a)
{
	struct db_actor who = api_actor(a);
	struct image_info im;
	json_t *meta;
	char *bytes;
	int rc;

	if (!validate_sha256_hex(a->caps.value[0])) {
		api_problem(a, 404, "not-found",
		    "A photo's name is the SHA-256 of its bytes, in 64 "
		    "lowercase hex digits.");
		return;
	}
	if (check_upload(a, &im) != 0)
		return;
	meta = photo_meta(a->caps.value[0], &im);
	bytes =
	    bytea_text((const unsigned char *)a->http->body, a->http->body_len);
	rc = db_photo_put(api_pool, bytes, meta, &who, stored, a);
	free(bytes);
	json_decref(meta);
	api_sent(a, rc);
}

static int
hexval(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

void
api_photo_serve(const db_result *st, const struct db_photo *ph, void *arg)
{
	struct api_req *a = arg;
	unsigned char *bytes;
	size_t n, i;
	int m;

	if (db_failed(st)) {
		api_db_problem(a, st);
		return;
	}
	if (ph == NULL) {
		api_problem(a, 404, "not-found", "No such photo.");
		return;
	}
	/* Its name is its content: the tag never changes, and a copy may
	 * be kept as long as the client likes. */
	snprintf(a->etag, sizeof(a->etag), "\"%s\"", ph->sha256);
	a->http->cache_control = "private, max-age=31536000, immutable";
	if ((m = api_precondition(a, "If-None-Match", ETAG_WEAK)) ==
	    ETAG_MALFORMED)
		return;
	http_add_header(a->http, "ETag", a->etag);
	if (m == ETAG_MATCH) {
		http_respond(a->http, 304, NULL, NULL, 0);
		return;
	}
	n = ph->hex_len / 2;
	bytes = xmalloc(n + 1);
	for (i = 0; i < n; i++)
		bytes[i] = (unsigned char)(hexval(ph->hex[2 * i]) * 16 +
		                           hexval(ph->hex[2 * i + 1]));
	http_respond(a->http, 200, ph->content_type, (const char *)bytes, n);
	free(bytes);
}

void
photos_get(struct api_req *a)
{
	if (!validate_sha256_hex(a->caps.value[0])) {
		api_problem(a, 404, "not-found", "No such photo.");
		return;
	}
	api_sent(
	    a, db_photo_get(api_pool, a->caps.value[0], api_photo_serve, a));
}

static void
sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (api_pool != NULL)
		db_photo_sweep(api_pool, api_cfg->photo_keep_unreferenced);
}

/* Every quarter of the time a photo is kept, between 1 s and 5 min: a
 * photo goes at most that long after its time. */
int
photos_sweep_start(struct event_base *base)
{
	int every = api_cfg->photo_keep_unreferenced / 4;
	struct timeval tv;

	every = every < 1 ? 1 : every > 300 ? 300 : every;
	tv.tv_sec = every;
	tv.tv_usec = 0;
	sweep_timer = event_new(base, -1, EV_PERSIST, sweep_cb, NULL);
	return sweep_timer != NULL ? event_add(sweep_timer, &tv) : -1;
}

void
photos_sweep_stop(void)
{
	if (sweep_timer != NULL)
		event_free(sweep_timer);
	sweep_timer = NULL;
}

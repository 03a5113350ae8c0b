/*
 * test_photos.c: photos on their own, addressed by content (issue 12),
 * as a field client on a bad network sends them:
 *   - a JPEG with EXIF is stored (201, Location, ETag its hash) with its
 *     size, dimensions, capture time and position read; GET serves the
 *     same bytes with its type, a strong ETag, a long Cache-Control, and
 *     304 to If-None-Match; a PNG is stored too, without EXIF;
 *   - the same photo sent again is answered alike (200) and stored once;
 *   - an upload cut after half its bytes stores nothing, and the whole
 *     photo sent after it is one photo;
 *   - refused, and nothing stored: a body whose SHA-256 is not the path's
 *     (422), a text file that begins with a JPEG's signature, a JPEG cut
 *     in half (422: a real decoder reads the whole image), a JPEG sent as
 *     image/png (422), text/plain (415), a name that is not a hash (404);
 *   - a photo may be larger than any other body (max_photo_size), and
 *     only a photo: a JSON body of that size is 413;
 *   - a photo no report references goes after photo_keep_unreferenced;
 *     one a report references stays.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "images.h"
#include "support.h"

static struct tserver srv;
static const char *reporter, *editor;

static int
setup(void **state)
{
	*state = &srv; /* for ts_group_teardown */
	/* Photos of up to 3 MB (bodies stay at 1 MiB), kept 2 s when no
	 * report names them. */
	ts_start(&srv, "max_photo_size 3000000\nphoto_keep_unreferenced 2\n");
	reporter = make_key(&srv, "reporter", "\"140821\"");
	editor = make_key(&srv, "editor", NULL);
	return 0;
}

/* PUT the bytes under name (NULL: their own hash) as ctype. */
static void
put_photo(const unsigned char *b, size_t len, const char *name,
    const char *ctype, struct tresp *r)
{
	char path[128], hash[65], header[64];
	const char *h[] = {header, NULL};

	img_sha256_hex(b, len, hash);
	snprintf(path, sizeof(path), "/api/v1/photos/%s", name ? name : hash);
	snprintf(header, sizeof(header), "Content-Type: %s", ctype);
	tr_do_bytes(&srv, "PUT", path, reporter, (const char *)b, len, h, r);
}

static long long
photos_named(const char *hash)
{
	return atoll(
	    db_scalar("SELECT count(*) FROM photos WHERE sha256 = '%s'", hash));
}

static void
test_jpeg_with_exif_stored_and_served(void **state)
{
	const struct img_exif exif = {
	    "2024:05:06 07:08:09", 35.0251, -110.9877};
	unsigned char *jpg;
	char hash[65], path[128], etag[80], want[80], loc[160], cache[80];
	char inm_line[128];
	const char *inm[] = {inm_line, NULL};
	struct tresp r, again, got;
	json_t *pos;
	size_t len;

	(void)state;
	jpg = img_jpeg(64, 48, 0, 1, &exif, &len);
	img_sha256_hex(jpg, len, hash);
	put_photo(jpg, len, NULL, "image/jpeg", &r);
	if (r.status != 201)
		fail_msg("%ld %s", r.status, r.body);
	snprintf(path, sizeof(path), "/api/v1/photos/%s", hash);
	snprintf(want, sizeof(want), "\"%s\"", hash);
	assert_string_equal(tr_header(&r, "Location", loc, sizeof(loc)), path);
	assert_string_equal(tr_header(&r, "ETag", etag, sizeof(etag)), want);
	assert_int_equal(json_integer_value(json_object_get(r.json, "size")),
	    (long long)len);
	assert_int_equal(
	    json_integer_value(json_object_get(r.json, "width")), 64);
	assert_int_equal(
	    json_integer_value(json_object_get(r.json, "height")), 48);
	assert_string_equal(
	    json_string_value(json_object_get(r.json, "taken_at")),
	    "2024-05-06T07:08:09");
	pos = json_object_get(r.json, "position");
	assert_true(fabs(json_number_value(json_object_get(pos, "lat")) -
	                 35.0251) < 1e-4);
	assert_true(fabs(json_number_value(json_object_get(pos, "lon")) +
	                 110.9877) < 1e-4);
	/* Sent again: answered alike, stored once. */
	put_photo(jpg, len, NULL, "image/jpeg", &again);
	assert_int_equal(again.status, 200);
	assert_true(json_equal(r.json, again.json));
	assert_int_equal(photos_named(hash), 1);
	tr_free(&again);
	/* Served as sent. */
	tr_do(&srv, "GET", path, editor, NULL, NULL, &got);
	assert_int_equal(got.status, 200);
	assert_int_equal(got.len, len);
	assert_memory_equal(got.body, jpg, len);
	assert_string_equal(
	    tr_header(&got, "Content-Type", cache, sizeof(cache)),
	    "image/jpeg");
	assert_string_equal(tr_header(&got, "ETag", etag, sizeof(etag)), want);
	assert_non_null(
	    strstr(tr_header(&got, "Cache-Control", cache, sizeof(cache)),
	        "immutable"));
	tr_free(&got);
	snprintf(inm_line, sizeof(inm_line), "If-None-Match: %s", want);
	tr_do(&srv, "GET", path, editor, NULL, inm, &got);
	assert_int_equal(got.status, 304);
	tr_free(&got);
	tr_free(&r);
	free(jpg);
}

static void
test_png_stored(void **state)
{
	unsigned char *png;
	struct tresp r;
	size_t len;

	(void)state;
	png = img_png(40, 30, 1, 2, &len);
	put_photo(png, len, NULL, "image/png", &r);
	assert_int_equal(r.status, 201);
	assert_string_equal(
	    json_string_value(json_object_get(r.json, "content_type")),
	    "image/png");
	assert_int_equal(
	    json_integer_value(json_object_get(r.json, "width")), 40);
	assert_true(json_is_null(json_object_get(r.json, "taken_at")));
	assert_true(json_is_null(json_object_get(r.json, "position")));
	tr_free(&r);
	free(png);
}

/* The head and the first half of the body of a PUT of b, then the
 * connection closed: a send cut by the network. */
static void
cut_upload(const unsigned char *b, size_t len, const char *hash)
{
	SSL_CTX *ctx;
	SSL *ssl = tls_connect(srv.port, 0, &ctx, NULL, NULL);
	char head[512];
	int n;

	assert_non_null(ssl);
	n = snprintf(head, sizeof(head),
	    "PUT /api/v1/photos/%s HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Bearer %s\r\nContent-Type: image/jpeg\r\n"
	    "Content-Length: %zu\r\n\r\n",
	    hash, reporter, len);
	assert_int_equal(SSL_write(ssl, head, n), n);
	assert_int_equal(SSL_write(ssl, b, (int)(len / 2)), (int)(len / 2));
	usleep(200000);
	tls_close(ssl, ctx);
}

static void
test_cut_upload_then_resent(void **state)
{
	unsigned char *jpg;
	char hash[65];
	struct tresp r;
	size_t len;

	(void)state;
	jpg = img_jpeg(200, 150, 1, 3, NULL, &len);
	img_sha256_hex(jpg, len, hash);
	cut_upload(jpg, len, hash);
	usleep(300000);
	assert_int_equal(photos_named(hash), 0);
	put_photo(jpg, len, NULL, "image/jpeg", &r);
	assert_int_equal(r.status, 201);
	tr_free(&r);
	assert_int_equal(photos_named(hash), 1);
	free(jpg);
}

static void
expect_refused(const unsigned char *b, size_t len, const char *name,
    const char *ctype, long status, const char *type)
{
	struct tresp r;
	char hash[65];

	img_sha256_hex(b, len, hash);
	put_photo(b, len, name, ctype, &r);
	if (r.status != status || strcmp(tr_problem_type(&r), type) != 0)
		fail_msg("%s: %ld %s", type, r.status, r.body);
	tr_free(&r);
	assert_int_equal(photos_named(hash), 0);
}

static void
test_bad_uploads_refused(void **state)
{
	static const char text[] = "\xff\xd8\xff\xe0 not really a JPEG, just "
	                           "text that starts like one";
	unsigned char *jpg;
	char other[65];
	size_t len;

	(void)state;
	jpg = img_jpeg(120, 90, 0, 4, NULL, &len);
	memset(other, 'a', 64);
	other[64] = '\0';
	expect_refused(jpg, len, other, "image/jpeg", 422,
	    "/problems/photo-hash-mismatch");
	expect_refused((const unsigned char *)text, sizeof(text) - 1, NULL,
	    "image/jpeg", 422, "/problems/photo-not-an-image");
	expect_refused(jpg, len / 2, NULL, "image/jpeg", 422,
	    "/problems/photo-not-an-image");
	expect_refused(
	    jpg, len, NULL, "image/png", 422, "/problems/photo-type-mismatch");
	expect_refused(jpg, len, NULL, "text/plain", 415,
	    "/problems/unsupported-media-type");
	expect_refused(
	    jpg, len, "not-a-hash", "image/jpeg", 404, "/problems/not-found");
	free(jpg);
}

static void
test_photo_limit_is_the_photos_alone(void **state)
{
	unsigned char *big;
	char *json;
	struct tresp r;
	size_t len;

	(void)state;
	/* A photo of about 2 MB: over max_body_size, under max_photo_size. */
	big = img_jpeg(1800, 1100, 0, 5 | IMG_NOISE, NULL, &len);
	print_message("a photo of %zu bytes\n", len);
	assert_true(len > 1048576 && len < 3000000);
	put_photo(big, len, NULL, "image/jpeg", &r);
	assert_int_equal(r.status, 201);
	tr_free(&r);
	free(big);
	/* Any other body stays at max_body_size. */
	json = malloc(2000001);
	memset(json, ' ', 2000000);
	json[0] = '{';
	json[1999999] = '}';
	json[2000000] = '\0';
	tr_do(&srv, "POST", "/api/v1/projects", editor, json, NULL, &r);
	assert_int_equal(r.status, 413);
	tr_free(&r);
	free(json);
	/* And a photo over max_photo_size is refused before it is read. */
	big = img_png(1100, 1000, 0, 6 | IMG_NOISE, &len);
	assert_true(len > 3000000);
	put_photo(big, len, NULL, "image/png", &r);
	assert_int_equal(r.status, 413);
	tr_free(&r);
	free(big);
}

static void
test_unreferenced_photos_swept(void **state)
{
	unsigned char *lone, *named;
	char lone_hash[65], named_hash[65], *b64, *body, project[64], path[160];
	struct tresp r;
	size_t lone_len, named_len, i;
	int waited;

	(void)state;
	lone = img_jpeg(32, 32, 0, 7, NULL, &lone_len);
	named = img_jpeg(32, 32, 0, 8, NULL, &named_len);
	img_sha256_hex(lone, lone_len, lone_hash);
	img_sha256_hex(named, named_len, named_hash);
	put_photo(lone, lone_len, NULL, "image/jpeg", &r);
	assert_int_equal(r.status, 201);
	tr_free(&r);
	put_photo(named, named_len, NULL, "image/jpeg", &r);
	assert_int_equal(r.status, 201);
	tr_free(&r);
	/* A report names the second (its photo, sent in the report). */
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"照片项目\",\"area\":\"140821\",\"funding\":\"mixed\"}",
	    NULL, &r);
	snprintf(project, sizeof(project), "%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	b64 = strdup(db_scalar(
	    "SELECT translate(encode(bytes, 'base64'), E'\\n', '') FROM photos "
	    "WHERE sha256 = '%s'",
	    named_hash));
	body = malloc(strlen(b64) + 256);
	sprintf(body,
	    "{\"reported_on\":\"2024-06-01\",\"latitude\":35.02,"
	    "\"longitude\":110.99,\"progress_percent\":20,\"photos\":["
	    "{\"content_type\":\"image/jpeg\",\"data\":\"%s\"}]}",
	    b64);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/reports", project);
	tr_do(&srv, "POST", path, reporter, body, NULL, &r);
	assert_int_equal(r.status, 201);
	tr_free(&r);
	/* Kept 2 s, swept every second: gone within a few. */
	for (waited = 0; photos_named(lone_hash) > 0 && waited < 100; waited++)
		usleep(100000);
	assert_int_equal(photos_named(lone_hash), 0);
	assert_int_equal(photos_named(named_hash), 1);
	snprintf(path, sizeof(path), "/api/v1/photos/%s", lone_hash);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	tr_free(&r);
	for (i = 0; i < 2; i++)
		free(i ? named : lone);
	free(b64);
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_jpeg_with_exif_stored_and_served),
	    cmocka_unit_test(test_png_stored),
	    cmocka_unit_test(test_cut_upload_then_resent),
	    cmocka_unit_test(test_bad_uploads_refused),
	    cmocka_unit_test(test_photo_limit_is_the_photos_alone),
	    cmocka_unit_test(test_unreferenced_photos_swept),
	};

	return cmocka_run_group_tests_name(
	    "photos", tests, setup, ts_group_teardown);
}

/*
 * fuzz_cursor.c: libFuzzer harness for the list cursors
 * (src/api/cursor.c) and the query string reader that hands them over
 * (input_query() in src/api/input.c).
 *
 * The input, up to its first NUL, is a query string, as a request's
 * query (which never holds a NUL). Its "cursor" parameter is read as
 * cursor_params() and changes_list() read it, into 64 bytes, and the
 * value decoded as a cursor and as a pair; so is the whole input, as a
 * cursor without the percent-decoding. A decoded cursor must re-encode
 * to exactly what was decoded (one spelling per position), to a
 * position that is not negative; no string is both kinds.
 *
 * The first 16 bytes are also two positions: encoded, each must fit
 * CURSOR_MAX, decode back to itself when it is not negative and be
 * refused when it is; with one digit of its check changed (byte 16 says
 * which, byte 17 to what), it must be refused.
 */
#include <string.h>

#include "../../src/api/cursor.h"
#include "../../src/api/input.h"
#include "../../src/domain/validate.h"

#define FUZZ_NAME "fuzz_cursor"
#include "fuzz.h"

#define QUERY_BUF 64 /* cursor_params()'s and changes_list()'s */

/* Decodes s both ways; what decodes re-encodes to s. */
static void
check_decode(const char *s, unsigned long long scope)
{
	char again[CURSOR_MAX];
	long long seq, a, b;
	int one, two;

	one = cursor_decode(s, scope, &seq) == 0;
	if (one) {
		CHECK(seq >= 0);
		cursor_encode(seq, scope, again);
		CHECK(strcmp(again, s) == 0);
	}
	two = cursor_decode_pair(s, &a, &b) == 0;
	if (two) {
		CHECK(a >= 0 && b >= 0);
		cursor_encode_pair(a, b, again);
		CHECK(strcmp(again, s) == 0);
	}
	CHECK(!(one && two));
}

/* The check is what follows the last '.'; change its digit at k. */
static void
check_tampered(const char *enc, unsigned k, unsigned to, int pair)
{
	char bad[CURSOR_MAX];
	const char *dot = strrchr(enc, '.');
	long long x, y;
	size_t at;

	CHECK(dot != NULL && strlen(dot + 1) == 8);
	memcpy(bad, enc, strlen(enc) + 1);
	at = (size_t)(dot + 1 - enc) + k % 8;
	bad[at] = "0123456789abcdef"[to % 16];
	if (bad[at] == enc[at])
		return;
	CHECK(pair ? cursor_decode_pair(bad, &x, &y) != 0
	           : cursor_decode(bad, 0, &x) != 0);
}

static void
check_encode(long long a, long long b, unsigned k, unsigned to)
{
	char enc[CURSOR_MAX];
	long long x, y;

	memset(enc, 'x', sizeof(enc));
	cursor_encode(a, 0, enc);
	CHECK(memchr(enc, '\0', sizeof(enc)) != NULL);
	if (a >= 0) {
		CHECK(cursor_decode(enc, 0, &x) == 0 && x == a);
		check_tampered(enc, k, to, 0);
	} else
		CHECK(cursor_decode(enc, 0, &x) != 0);
	CHECK(cursor_decode_pair(enc, &x, &y) != 0);

	memset(enc, 'x', sizeof(enc));
	cursor_encode_pair(a, b, enc);
	CHECK(memchr(enc, '\0', sizeof(enc)) != NULL);
	if (a >= 0 && b >= 0) {
		CHECK(cursor_decode_pair(enc, &x, &y) == 0 && x == a && y == b);
		check_tampered(enc, k, to, 1);
	} else
		CHECK(cursor_decode_pair(enc, &x, &y) != 0);
	CHECK(cursor_decode(enc, 0, &x) != 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request r;
	char *query, buf[QUERY_BUF];
	long long a, b;
	size_t len = strnlen((const char *)data, size);
	int rc;

	query = malloc(len + 1);
	CHECK(query != NULL);
	memcpy(query, data, len);
	query[len] = '\0';

	memset(&r, 0, sizeof(r));
	r.query = query;
	memset(buf, 'x', sizeof(buf));
	rc = input_query(&r, "cursor", buf, sizeof(buf));
	CHECK(rc >= -1 && rc <= 1);
	if (rc == 1) {
		CHECK(memchr(buf, '\0', sizeof(buf)) != NULL);
		CHECK(validate_utf8(buf, strlen(buf)));
		check_decode(buf, cursor_scope(query));
	}
	check_decode(query, 0);
	free(query);

	if (size >= 18) {
		memcpy(&a, data, sizeof(a));
		memcpy(&b, data + 8, sizeof(b));
		check_encode(a, b, data[16], data[17]);
	}
	return 0;
}

/*
 * fuzz_parse.c: libFuzzer harness for the request parser (src/http/parse.c).
 *
 * Input format (numbers little-endian):
 *
 *   bytes 0-1   max_header = 64 + v % 8129            (64 .. 8192)
 *   bytes 2-3   max_body   = v, and 0xffff is 65536   (0 .. 65536)
 *   bytes 4-11  the split pattern: the client's bytes arrive in pieces
 *               of s[0], s[1], ..., s[7], s[0], ... bytes, as TLS records
 *               would deliver them; a 0 stands for 16384, a full record
 *   bytes 12-   the bytes the client sends on one connection
 *
 * Shorter inputs are ignored. A seed that wants the largest limits and a
 * mixed split starts with "c0 1f ff ff 01 07 02 0d 03 40 05 00".
 *
 * The bytes are parsed twice, as conn_parse() in src/http/conn.c does it:
 * once delivered whole, once in the split pattern, each time through an
 * input buffer of exactly the bytes received and not yet consumed (so
 * that ASan sees a read past them). On PARSE_HEAD the request is taken
 * and the body read; on PARSE_DONE it is checked, released, and parsing
 * goes on with the next pipelined message; on PARSE_ERROR parsing stops,
 * the half-built request is taken and released as the connection does.
 * Each run writes what it saw into a log (every request's method,
 * version, path, query, fields and body; the failure's status and
 * type); the two logs must be equal. Any broken invariant aborts.
 *
 * With FUZZ_PARSE_TRACE set in the environment, each run says on stderr
 * what it parsed: build/fuzz/fuzz_parse FILE... replays inputs.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../src/http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONTROL_BYTES 12
#define PATTERN_LEN   8
#define FULL_RECORD   16384

/* Stop with a message naming the broken invariant. */
#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_parse: %s:%d: %s\n", __FILE__,   \
			    __LINE__, #cond);                                  \
			abort();                                               \
		}                                                              \
	} while (0)

struct log {
	unsigned char *b;
	size_t len, cap;
};

/* One connection's parse: conn's input buffer and what it holds. */
struct run {
	struct parse p;
	struct parse_limits lim;
	char *in; /* exactly in_len bytes, received and not consumed */
	size_t in_len;
	struct http_request *req; /* taken at PARSE_HEAD, body arriving */
	int head_fields; /* its field count then */
	int stopped;
	int trace; /* FUZZ_PARSE_TRACE set: say what happens, on stderr */
	struct log log;
	size_t error_at; /* where in the log the failure is, if any */
	int status; /* the failure's, or 0 */
};

static int
tracing(void)
{
	static int on = -1;

	if (on < 0)
		on = getenv("FUZZ_PARSE_TRACE") != NULL;
	return on;
}

static void
log_add(struct log *l, const void *v, size_t len)
{
	if (l->len + len > l->cap) {
		l->cap = l->cap ? l->cap : 256;
		while (l->cap < l->len + len)
			l->cap *= 2;
		l->b = realloc(l->b, l->cap);
		CHECK(l->b != NULL);
	}
	memcpy(l->b + l->len, v, len);
	l->len += len;
}

static void
log_size(struct log *l, size_t n)
{
	log_add(l, &n, sizeof(n));
}

static void
log_str(struct log *l, const char *s)
{
	if (s == NULL) {
		log_size(l, SIZE_MAX);
		return;
	}
	log_size(l, strlen(s));
	log_add(l, s, strlen(s));
}

/*
 * s points into [store, store + store_len] and ends with a NUL within it.
 * store_len counts the NUL of a string ended by store_terminate() but not
 * that of the last one appended, so the byte at store_len is the store's
 * only when it is below store_cap.
 */
static int
in_store(const struct http_request *r, const char *s)
{
	size_t end =
	    r->store_len < r->store_cap ? r->store_len + 1 : r->store_cap;

	if (s < r->store || s > r->store + r->store_len)
		return 0;
	return (size_t)(s - r->store) < end &&
	       memchr(s, '\0', end - (size_t)(s - r->store)) != NULL;
}

/* RFC 9110 §5.6.2: 1*tchar. */
static int
is_token(const char *s)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";
	unsigned char ch;

	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr(extra, ch) != NULL)
			continue;
		return 0;
	}
	return 1;
}

static int
count_fields(const struct http_request *r, const char *name)
{
	int i, n = 0;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			n++;
	return n;
}

static const char *const method_names[] = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

/* Looked up through http_header() as the handlers do; ASan checks it. */
static const char *const lookups[] = {"Host", "Content-Length",
    "Transfer-Encoding", "Expect", "Authorization", "Content-Type",
    "X-Request-Id", "Idempotency-Key", "Connection", ""};

/* What a handler, or the answer to a refused request, may read of a head
 * that was complete: every string is the request's own. */
static void
check_strings(const struct http_request *r)
{
	const char *v;
	size_t i;
	int k;

	CHECK(r->store != NULL);
	CHECK(r->store_len <= r->store_cap);
	CHECK(r->path != NULL && in_store(r, r->path));
	CHECK(r->path[0] == '/' || strcmp(r->path, "*") == 0);
	CHECK(r->query == NULL || in_store(r, r->query));
	CHECK(r->nheaders >= 0 && r->nheaders <= HTTP_MAX_HEADERS);
	for (k = 0; k < r->nheaders; k++) {
		CHECK(in_store(r, r->headers[k].name));
		CHECK(in_store(r, r->headers[k].value));
		CHECK(is_token(r->headers[k].name));
		CHECK(strpbrk(r->headers[k].value, "\r\n") == NULL);
	}
	for (i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
		v = http_header(r, lookups[i]);
		CHECK(v == NULL || in_store(r, v));
	}
}

/*
 * The head of a request, complete and accepted. framing says whether
 * hp's framing may be compared with the fields: at PARSE_HEAD, and at a
 * PARSE_DONE without one (after a body, hp has counted it down).
 */
static void
check_head(const struct run *st, const struct http_request *r, int framing)
{
	const http_parser *hp = &st->p.hp;
	const char *te, *cl;
	int hosts;

	check_strings(r);
	CHECK(r->method >= HTTP_M_GET && r->method < HTTP_M_OTHER);
	CHECK(r->method_name != NULL &&
	      strcmp(r->method_name, method_names[r->method]) == 0);
	CHECK(r->version_minor == 0 || r->version_minor == 1);

	/* RFC 9112 §3.2: one Host in HTTP/1.1, at most one otherwise. */
	hosts = count_fields(r, "Host");
	CHECK(hosts == 1 || (hosts == 0 && r->version_minor == 0));

	/* The framing http-parser applies is the one the fields announce:
	 * what a handler reads of them is what delimited the message. More
	 * than one Transfer-Encoding may come (all but one empty: RFC 9110
	 * §5.6.1 lets a list have empty elements). */
	te = count_fields(r, "Transfer-Encoding") > 0 ? "" : NULL;
	cl = http_header(r, "Content-Length");
	CHECK(te == NULL || cl == NULL);
	CHECK(te == NULL || r->version_minor == 1);
	if (!framing)
		return;
	CHECK((te != NULL) == ((hp->flags & F_CHUNKED) != 0));
	if (!(hp->flags & F_CHUNKED))
		CHECK((cl != NULL) == (hp->content_length != ULLONG_MAX));
	if (cl != NULL) {
		CHECK(count_fields(r, "Content-Length") == 1);
		CHECK(strtoull(cl, NULL, 10) == hp->content_length);
	}
}

static void
check_body(const struct run *st, const struct http_request *r, int had_head)
{
	const char *cl;

	CHECK(r->body_len <= st->lim.max_body);
	if (r->body != NULL) {
		CHECK(r->body_len < r->body_cap);
		CHECK(r->body[r->body_len] == '\0');
	} else
		CHECK(r->body_len == 0);
	if (!had_head) {
		CHECK(r->body_state == HTTP_BODY_NONE);
		CHECK(r->body_len == 0);
		return;
	}
	CHECK(r->body_state == HTTP_BODY_COMPLETE);
	if ((cl = http_header(r, "Content-Length")) != NULL)
		CHECK(r->body_len == strtoull(cl, NULL, 10));
	else
		CHECK(http_header(r, "Transfer-Encoding") != NULL);
}

static void
log_request(struct log *l, const struct http_request *r)
{
	int k;

	log_add(l, "D", 1);
	log_size(l, (size_t)r->method);
	log_size(l, (size_t)r->version_minor);
	log_size(l, (size_t)r->keep_alive);
	log_str(l, r->path);
	log_str(l, r->query);
	log_size(l, (size_t)r->nheaders);
	for (k = 0; k < r->nheaders; k++) {
		log_str(l, r->headers[k].name);
		log_str(l, r->headers[k].value);
	}
	log_size(l, r->body_len);
	if (r->body_len > 0)
		log_add(l, r->body, r->body_len);
}

static void
on_head(struct run *st)
{
	struct http_request *r = parse_request(&st->p);

	CHECK(st->req == NULL);
	CHECK(r != NULL && parse_in_message(&st->p));
	CHECK(parse_take(&st->p) == r);
	CHECK(r->body_state == HTTP_BODY_PENDING);
	CHECK(r->body_len == 0);
	check_head(st, r, 1);
	st->req = r;
	st->head_fields = r->nheaders;
	log_add(&st->log, "H", 1);
	if (st->trace)
		fprintf(stderr, "  HEAD %s %s\n", r->method_name, r->path);
	parse_resume(&st->p);
}

static void
on_done(struct run *st)
{
	struct http_request *r = parse_request(&st->p);
	int had_head = st->req != NULL, k;

	CHECK(r != NULL);
	if (had_head) {
		/* The trailers are never read as fields. */
		CHECK(r == st->req);
		CHECK(r->nheaders == st->head_fields);
	} else
		CHECK(parse_take(&st->p) == r);
	check_head(st, r, !had_head);
	check_body(st, r, had_head);
	log_request(&st->log, r);
	if (st->trace)
		fprintf(stderr,
		    "  DONE %s %s%s%s HTTP/1.%d, %d fields, %zu body bytes\n",
		    r->method_name, r->path, r->query ? "?" : "",
		    r->query ? r->query : "", r->version_minor, r->nheaders,
		    r->body_len);
	for (k = 0; st->trace && k < r->nheaders; k++)
		fprintf(stderr, "    [%s] [%s]\n", r->headers[k].name,
		    r->headers[k].value);
	http_request_release(r);
	st->req = NULL;
	parse_resume(&st->p);
	CHECK(parse_request(&st->p) == NULL);
	CHECK(!parse_in_message(&st->p));
}

static void
on_error(struct run *st)
{
	const struct parse_failure *f = parse_error(&st->p);
	struct http_request *r = st->req;
	size_t used = 1;

	CHECK(f->status == 400 || f->status == 413 || f->status == 414 ||
	      f->status == 431 || f->status == 501 || f->status == 505);
	CHECK(f->type != NULL && f->detail != NULL);
	st->error_at = st->log.len;
	st->status = f->status;
	log_add(&st->log, "E", 1);
	log_size(&st->log, (size_t)f->status);
	log_str(&st->log, f->type);
	if (st->trace)
		fprintf(stderr, "  ERROR %d %s: %s\n", f->status, f->type,
		    f->detail);

	/* A failed parser stays failed and reads nothing more. */
	CHECK(parse_feed(&st->p, "G", 1, &used) == PARSE_ERROR && used == 0);

	/* As fail_request(): the half-built request is answered through. */
	if (r == NULL && (r = parse_request(&st->p)) != NULL)
		CHECK(parse_take(&st->p) == r);
	if (r != NULL && r->path != NULL)
		check_strings(r);
	http_request_release(r);
	st->req = NULL;
	parse_reset(&st->p);
	st->stopped = 1;
}

/* conn_parse(): feeds the buffered input, one message at a time. */
static void
pump(struct run *st)
{
	size_t off = 0, used, len;
	enum parse_result res;
	int idle = 0;

	while (!st->stopped && off < st->in_len) {
		len = st->in_len - off;
		used = SIZE_MAX;
		res = parse_feed(&st->p, st->in + off, len, &used);
		CHECK(used <= len);
		switch (res) {
		case PARSE_MORE:
			CHECK(used == len);
			break;
		case PARSE_HEAD:
			on_head(st);
			break;
		case PARSE_DONE:
			CHECK(used > 0);
			on_done(st);
			break;
		case PARSE_ERROR:
			on_error(st);
			used = len;
			break;
		default:
			CHECK(!"a result parse.h does not name");
		}
		off += used;
		/* PARSE_HEAD may consume nothing (the head's last LF is left
		 * for the body's turn); twice in a row would never end. */
		idle = used == 0 ? idle + 1 : 0;
		CHECK(idle < 2);
	}
	memmove(st->in, st->in + off, st->in_len - off);
	st->in_len -= off;
}

/* Parses one connection's bytes; pattern NULL delivers them whole. */
static void
run(struct run *st, const struct parse_limits *lim, const uint8_t *pattern,
    const uint8_t *data, size_t size)
{
	size_t pos = 0, n, k = 0;

	memset(st, 0, sizeof(*st));
	st->trace = tracing();
	st->lim = *lim;
	parse_init(&st->p, lim);
	while (pos < size && !st->stopped) {
		n = size - pos;
		if (pattern != NULL) {
			n = pattern[k++ % PATTERN_LEN];
			if (n == 0)
				n = FULL_RECORD;
			if (n > size - pos)
				n = size - pos;
		}
		/* realloc to the exact size: ASan bounds the parser's view. */
		st->in = realloc(st->in, st->in_len + n);
		CHECK(st->in != NULL);
		memcpy(st->in + st->in_len, data + pos, n);
		st->in_len += n;
		pos += n;
		pump(st);
	}
	if (!st->stopped) {
		/* The client has gone: conn_free(). */
		log_add(&st->log, "M", 1);
		log_size(&st->log, (size_t)parse_in_message(&st->p));
		if (st->trace)
			fprintf(stderr, "  END%s\n",
			    parse_in_message(&st->p) ? ", in a message" : "");
		CHECK(st->in_len == 0);
		http_request_release(st->req);
		st->req = NULL;
		parse_reset(&st->p);
	}
	free(st->in);
	st->in = NULL;
}

static void
print_log(const char *what, const struct log *l)
{
	size_t i;

	fprintf(stderr, "fuzz_parse: %s (%zu bytes):", what, l->len);
	for (i = 0; i < l->len; i++) {
		if (i % 32 == 0)
			fprintf(stderr, "\n ");
		fprintf(stderr, " %02x", l->b[i]);
	}
	fprintf(stderr, "\n");
}

/*
 * Whether the two runs saw the same. KNOWN_LIMIT_PRECEDENCE: when a head
 * both passes max_header and has a byte that is refused, which of the two
 * the client hears of depends on where its bytes were split. http-parser
 * 2.9.4 scans a run of bytes before it counts them against the limit, and
 * parse.c checks a field name only when http-parser hands it over (at the
 * colon, or at the end of a piece): 400 when both arrive in one piece, 414
 * or 431 when the limit is crossed in an earlier one. Either refuses the
 * request and closes; that one difference, as the last thing logged, is
 * let through. Build with -DKNOWN_LIMIT_PRECEDENCE=0 to see it.
 */
#ifndef KNOWN_LIMIT_PRECEDENCE
#define KNOWN_LIMIT_PRECEDENCE 1
#endif

static int
same(const struct run *a, const struct run *b)
{
	const struct run *bad, *limit;

	if (a->log.len == b->log.len &&
	    memcmp(a->log.b, b->log.b, a->log.len) == 0)
		return 1;
	if (!KNOWN_LIMIT_PRECEDENCE || a->status == 0 || b->status == 0 ||
	    a->error_at != b->error_at ||
	    memcmp(a->log.b, b->log.b, a->error_at) != 0)
		return 0;
	bad = a->status == 400 ? a : b;
	limit = bad == a ? b : a;
	return bad->status == 400 &&
	       (limit->status == 414 || limit->status == 431);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run whole, split;
	struct parse_limits lim;
	unsigned v;

	if (size < CONTROL_BYTES)
		return 0;
	v = (unsigned)data[0] | (unsigned)data[1] << 8;
	lim.max_header = 64 + v % 8129;
	v = (unsigned)data[2] | (unsigned)data[3] << 8;
	lim.max_body = v == 0xffff ? 65536 : v;
	lim.max_body_any = lim.max_body;
	/* No budget: where a chunked body crosses max_body_memory depends
	 * on how its bytes were split, which the whole-versus-split check
	 * would report as a difference. test_hardening covers the budget. */
	lim.budget = NULL;
	if (tracing())
		fprintf(stderr, "fuzz_parse: max_header %zu, max_body %zu\n",
		    lim.max_header, lim.max_body);

	if (tracing())
		fprintf(stderr, "fed whole:\n");
	run(&whole, &lim, NULL, data + CONTROL_BYTES, size - CONTROL_BYTES);
	if (tracing())
		fprintf(stderr, "fed split:\n");
	run(&split, &lim, data + 4, data + CONTROL_BYTES, size - CONTROL_BYTES);
	if (!same(&whole, &split)) {
		print_log("fed whole", &whole.log);
		print_log("fed split", &split.log);
		fprintf(stderr, "fuzz_parse: FUZZ_PARSE_TRACE=1 in the "
		                "environment shows both runs readably\n");
		CHECK(!"the split input parses as the whole one does");
	}
	free(whole.log.b);
	free(split.log.b);
	return 0;
}

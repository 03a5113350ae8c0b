/*
 * parse.c: see parse.h.
 *
 * http-parser does the tokenising and the chunked decoding; what it lets
 * through that RFC 9112 forbids is refused here, in finish_head() and in
 * the field callbacks. The rules, and where each is enforced:
 *
 *   the head (request line, fields, every delimiter) is at most
 *     max_header bytes: http-parser counts them (431; 414 while still in
 *     the request line, RFC 9110 §15.5.15)
 *   at most HTTP_MAX_HEADERS fields (431)
 *   a field name is a token, no whitespace before the colon (400, §5.1)
 *   HTTP/1.0 or 1.x only (505), never a version-less line (400, §3)
 *   an HTTP/1.1 request has exactly one Host, any request at most one
 *     (400, §3.2)
 *   the absolute form is served as its path (§3.2.2)
 *   Transfer-Encoding: only "chunked", once, last (501 for another
 *     coding, 400 otherwise), never in HTTP/1.0 (400, §6.1); never with
 *     Content-Length (http-parser: 400, §6.3)
 *   a method this server does not implement (501, RFC 9110 §9.1)
 *   a body over max_body, or over what the route let it have up to
 *     max_body_any (413, before reading it when its length is announced)
 *   trailer fields are kept apart from the request's fields and never
 *     read as them; one that names a field of framing, routing or
 *     authentication is refused (400, RFC 9110 §6.5.1)
 *
 * Memory: the request line and the fields are copied into the request's
 * own store as they arrive (http-parser hands them over in pieces); the
 * field table is filled with offsets while the store may still move, and
 * turned into pointers once, when the head is complete. Until then
 * req->nheaders is 0, so nothing can read a slot that was not built.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/alloc.h"
#include "parse.h"

static const http_parser_settings settings;

struct http_request *
request_new(void)
{
	struct http_request *r;

	/* Not calloc: the field table and the extra-header buffer are
	 * written before they are read, and zeroing them cost more than the
	 * rest of the request's set-up. Everything read first is set here. */
	r = xmalloc(sizeof(*r));
	memset(r, 0, offsetof(struct http_request, headers));
	r->nheaders = 0;
	r->body = NULL;
	r->body_len = r->body_cap = 0;
	r->body_state = HTTP_BODY_NONE;
	r->on_body = NULL;
	r->request_id[0] = '\0';
	r->client_addr[0] = '\0';
	r->peer_cert_sha256 = NULL;
	r->route = -1;
	r->status = 0;
	r->extra_len = 0;
	r->extra_headers[0] = '\0';
	r->ctx = NULL;
	r->ctx_free = NULL;
	r->after_response = NULL;
	r->store = NULL;
	r->store_len = r->store_cap = 0;
	r->budget = NULL;
	r->cache_control = NULL;
	r->responded = 0;
	clock_gettime(CLOCK_MONOTONIC, &r->started);
	return r;
}

static void
store_append(struct http_request *r, const char *data, size_t len)
{
	size_t need = r->store_len + len + 1, cap;

	if (need > r->store_cap) {
		cap = r->store_cap ? r->store_cap : 512;
		while (cap < need)
			cap *= 2;
		r->store = xrealloc(r->store, cap);
		r->store_cap = cap;
	}
	memcpy(r->store + r->store_len, data, len);
	r->store_len += len;
	r->store[r->store_len] = '\0';
}

/* Ends the string being built in the store with a NUL of its own. */
static void
store_terminate(struct http_request *r)
{
	store_append(r, "", 0);
	r->store_len++;
}

static int
fail(struct parse *p, int status, const char *type, const char *detail)
{
	if (p->fail.status == 0) {
		p->fail.status = status;
		p->fail.type = type;
		p->fail.detail = detail;
	}
	return -1;
}

static int
malformed(struct parse *p, const char *detail)
{
	return fail(p, 400, "malformed-request", detail);
}

/* RFC 9110 §5.6.2: tchar. http-parser lets a space through. */
static int
is_token(const char *s, size_t len)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";
	size_t i;
	unsigned char ch;

	for (i = 0; i < len; i++) {
		ch = (unsigned char)s[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') ||
		    (ch != '\0' && strchr(extra, ch) != NULL))
			continue;
		return 0;
	}
	return 1;
}

static int
on_message_begin(http_parser *hp)
{
	struct parse *p = hp->data;

	p->req = request_new();
	/* http-parser keeps the last message's version until it reads this
	 * one's: map_errno() tells the request line by it (a line without
	 * a version ends as 0.9). */
	hp->http_major = hp->http_minor = 0;
	p->taken = 0;
	p->nfields = 0;
	p->in_value = 0;
	p->url_end = 0;
	p->in_trailers = 0;
	p->trailer_name_len = p->trailer_bytes = 0;
	return 0;
}

static int
on_url(http_parser *hp, const char *at, size_t len)
{
	struct parse *p = hp->data;

	store_append(p->req, at, len);
	p->url_end = p->req->store_len;
	return 0;
}

/* Fields that decide how a message is framed, routed or authenticated:
 * never taken from a trailer. */
static int
forbidden_trailer(const char *name, size_t len)
{
	static const char *const names[] = {"content-length",
	    "transfer-encoding", "te", "trailer", "host", "authorization",
	    "proxy-authorization", "cookie", "connection", "expect",
	    "content-type", "content-encoding", "content-range", "upgrade",
	    "x-request-id", "idempotency-key", "x-forwarded-for", "forwarded"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len &&
		    strncasecmp(names[i], name, len) == 0)
			return 1;
	return 0;
}

/* A trailer's name is complete: check it, and start the next one. */
static int
trailer_name_done(struct parse *p)
{
	size_t n = p->trailer_name_len;

	p->trailer_name_len = 0;
	if (n > 0 && n <= sizeof(p->trailer_name) &&
	    forbidden_trailer(p->trailer_name, n))
		return malformed(p, "A trailer field may not carry framing, "
		                    "routing or authentication.");
	return 0;
}

static int
count_trailer(struct parse *p, size_t len)
{
	p->trailer_bytes += len;
	if (p->trailer_bytes > p->lim.max_header)
		return fail(p, 431, "header-too-large",
		    "The request's trailer fields exceed the server's limit.");
	return 0;
}

static int
on_trailer_field(struct parse *p, const char *at, size_t len)
{
	size_t have = p->trailer_name_len;

	if (p->in_value) {
		p->in_value = 0;
		if (count_trailer(p, 4) != 0) /* ": " and CRLF */
			return -1;
	}
	if (count_trailer(p, len) != 0)
		return -1;
	/* have may already be past the buffer: a name in pieces. */
	if (have <= sizeof(p->trailer_name) &&
	    len <= sizeof(p->trailer_name) - have)
		memcpy(p->trailer_name + have, at, len);
	/* A name longer than the buffer is longer than every forbidden
	 * one: keep its length past the buffer to say so. */
	p->trailer_name_len += len;
	return 0;
}

static int
on_header_field(http_parser *hp, const char *at, size_t len)
{
	struct parse *p = hp->data;
	struct http_request *r = p->req;

	if (!is_token(at, len))
		return malformed(p, "A field name may not contain whitespace "
		                    "or separators (RFC 9112 section 5.1).");
	if (p->in_trailers)
		return on_trailer_field(p, at, len);
	if (p->nfields == 0 || p->in_value) {
		if (p->nfields == HTTP_MAX_HEADERS)
			return fail(p, 431, "header-too-large",
			    "The request has more header fields than the "
			    "server accepts.");
		store_terminate(r); /* ends the URL or the last value */
		p->field[p->nfields++].name = r->store_len;
		p->in_value = 0;
	}
	store_append(r, at, len);
	return 0;
}

static int
on_header_value(http_parser *hp, const char *at, size_t len)
{
	struct parse *p = hp->data;
	struct http_request *r = p->req;

	if (p->in_trailers) {
		if (!p->in_value) {
			p->in_value = 1;
			if (trailer_name_done(p) != 0)
				return -1;
		}
		return count_trailer(p, len);
	}
	if (!p->in_value) {
		store_terminate(r);
		p->field[p->nfields - 1].value = r->store_len;
		p->in_value = 1;
	}
	store_append(r, at, len);
	return 0;
}

static enum http_verb
method_of(unsigned int m)
{
	switch (m) {
	case HTTP_GET:
		return HTTP_M_GET;
	case HTTP_HEAD:
		return HTTP_M_HEAD;
	case HTTP_POST:
		return HTTP_M_POST;
	case HTTP_PUT:
		return HTTP_M_PUT;
	case HTTP_PATCH:
		return HTTP_M_PATCH;
	case HTTP_DELETE:
		return HTTP_M_DELETE;
	case HTTP_OPTIONS:
		return HTTP_M_OPTIONS;
	default:
		return HTTP_M_OTHER;
	}
}

/* The field table as pointers into the store, which no longer moves. */
static void
build_fields(struct parse *p)
{
	struct http_request *r = p->req;
	int i;

	if (p->nfields == 0)
		store_terminate(r); /* ends the URL */
	for (i = 0; i < p->nfields; i++) {
		r->headers[i].name = r->store + p->field[i].name;
		r->headers[i].value = r->store + p->field[i].value;
	}
	r->nheaders = p->nfields;
}

/*
 * The absolute form "https://host:port/path?query" (RFC 9112 §3.2.2) is
 * served as its path and query, moved to the start of the store; the
 * origin form and "*" are kept as they are.
 */
static int
target_to_path(struct parse *p)
{
	struct http_request *r = p->req;
	struct http_parser_url u;
	const char *scheme;
	size_t off, len;

	if (r->store[0] == '/' || strcmp(r->store, "*") == 0)
		return 0;
	http_parser_url_init(&u);
	if (http_parser_parse_url(r->store, strlen(r->store), 0, &u) != 0 ||
	    !(u.field_set & (1 << UF_SCHEMA)) ||
	    !(u.field_set & (1 << UF_HOST)))
		return malformed(p, "The request target is not a path or an "
		                    "absolute URI.");
	scheme = r->store + u.field_data[UF_SCHEMA].off;
	len = u.field_data[UF_SCHEMA].len;
	if (!((len == 4 && strncasecmp(scheme, "http", 4) == 0) ||
	        (len == 5 && strncasecmp(scheme, "https", 5) == 0)))
		return malformed(p, "The request target's scheme is not http "
		                    "or https.");
	if (u.field_set & (1 << UF_PATH)) {
		off = u.field_data[UF_PATH].off;
		len = strlen(r->store + off);
		memmove(r->store, r->store + off, len + 1);
	} else {
		/* "https://host" or "https://host?q": the path is "/". */
		off = (u.field_set & (1 << UF_QUERY))
		          ? (size_t)u.field_data[UF_QUERY].off - 1
		          : strlen(r->store);
		len = strlen(r->store + off);
		memmove(r->store + 1, r->store + off, len + 1);
		r->store[0] = '/';
	}
	return 0;
}

/*
 * Transfer-Encoding's codings, in order. RFC 9112 §6.3: when chunked is
 * not the last, the body's length cannot be known (400); chunked twice is
 * forbidden (400, §6.1); any other coding is one this server does not
 * implement (501). *last_chunked tells, across fields, whether the last
 * coding seen was chunked.
 */
static int
check_codings(
    struct parse *p, const char *v, int *chunked, int *other, int *last_chunked)
{
	size_t n;

	while (*v != '\0') {
		v += strspn(v, " \t,");
		n = strcspn(v, " \t,");
		if (n == 0)
			break;
		*last_chunked = n == 7 && strncasecmp(v, "chunked", 7) == 0;
		if (*last_chunked && (*chunked)++ > 0)
			return malformed(
			    p, "chunked may be applied only once.");
		if (!*last_chunked)
			(*other)++;
		v += n;
	}
	return 0;
}

static int
check_framing(
    struct parse *p, int te_fields, int chunked, int other, int last_chunked)
{
	if (te_fields == 0 || (chunked == 0 && other == 0))
		return 0;
	if (!last_chunked)
		return malformed(p, "chunked must be the last transfer coding "
		                    "of a request.");
	if (other > 0)
		return fail(p, 501, "not-implemented",
		    "Transfer codings other than chunked are not implemented.");
	return 0;
}

static int
check_fields(struct parse *p)
{
	const struct http_request *r = p->req;
	int i, hosts = 0, te = 0, chunked = 0, other = 0, last_chunked = 0;

	for (i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->headers[i].name, "Host") == 0)
			hosts++;
		else if (strcasecmp(r->headers[i].name, "Transfer-Encoding") ==
		         0) {
			if (p->hp.http_minor == 0)
				return malformed(p,
				    "Transfer-Encoding is not defined in "
				    "HTTP/1.0.");
			te++;
			if (check_codings(p, r->headers[i].value, &chunked,
			        &other, &last_chunked) != 0)
				return -1;
		}
	}
	if (check_framing(p, te, chunked, other, last_chunked) != 0)
		return -1;
	if (hosts > 1)
		return malformed(p, "A request may have only one Host field.");
	if (hosts == 0 && p->hp.http_minor >= 1)
		return malformed(p, "An HTTP/1.1 request needs a Host field.");
	return 0;
}

static int
check_request_line(struct parse *p)
{
	if (p->hp.http_major == 0)
		return malformed(p, "The request line has no HTTP version.");
	if (p->hp.http_major != 1)
		return fail(p, 505, "version-not-supported",
		    "This server speaks HTTP/1.0 and HTTP/1.1 only.");
	if (method_of(p->hp.method) == HTTP_M_OTHER)
		return fail(p, 501, "not-implemented",
		    "The request method is not implemented here.");
	return 0;
}

/* The head is complete: make it the request's, and check it. */
static int
finish_head(struct parse *p)
{
	struct http_request *r = p->req;
	char *q;

	if (p->nfields > 0 && !p->in_value)
		return malformed(p, "A header field has no value.");
	build_fields(p);
	if (check_request_line(p) != 0 || check_fields(p) != 0 ||
	    target_to_path(p) != 0)
		return -1;
	r->path = r->store;
	if ((q = strchr(r->store, '?')) != NULL) {
		*q = '\0';
		r->query = q + 1;
	}
	r->method = method_of(p->hp.method);
	r->method_name = http_method_str(p->hp.method);
	r->version_minor = p->hp.http_minor > 0 ? 1 : 0;
	return 0;
}

static int
has_body(const http_parser *hp)
{
	return (hp->flags & F_CHUNKED) ||
	       (hp->content_length != ULLONG_MAX && hp->content_length > 0);
}

static int
on_headers_complete(http_parser *hp)
{
	struct parse *p = hp->data;

	if (finish_head(p) != 0)
		return -1;
	p->in_trailers = 1; /* any field from here on is a trailer */
	p->in_value = 0;
	p->announced = 0;
	p->body_max = p->lim.max_body;
	/* The route, not yet known, may let the body have more than
	 * max_body: only what no route takes is refused now. */
	if (hp->content_length != ULLONG_MAX &&
	    hp->content_length > p->lim.max_body_any)
		return fail(p, 413, "body-too-large",
		    "The request body exceeds the server's limit.");
	if (has_body(hp)) {
		p->announced =
		    (hp->flags & F_CHUNKED) ? 0 : (size_t)hp->content_length;
		p->req->body_state = HTTP_BODY_PENDING;
		p->result = PARSE_HEAD;
		http_parser_pause(hp, 1);
	}
	return 0;
}

/* Gives r's body a buffer of cap bytes, charged to the budget; -1 when
 * the budget cannot hold the growth. */
static int
body_grow(struct parse *p, struct http_request *r, size_t cap)
{
	struct body_budget *b = p->lim.budget;
	size_t more = cap - r->body_cap;

	if (b != NULL) {
		if (b->used + more > b->max)
			return fail(p, 503, "server-busy",
			    "The server holds as many request bodies as it "
			    "may; retry shortly.");
		b->used += more;
		r->budget = b;
	}
	r->body = xrealloc(r->body, cap);
	r->body_cap = cap;
	return 0;
}

void
parse_body_max(struct parse *p, size_t max)
{
	p->body_max = max < p->lim.max_body_any ? max : p->lim.max_body_any;
}

int
parse_body_reserve(struct parse *p)
{
	if (p->announced > p->body_max)
		return fail(p, 413, "body-too-large",
		    "The request body exceeds the limit of this route.");
	if (p->announced == 0 || p->req->body_cap > 0)
		return 0;
	return body_grow(p, p->req, p->announced + 1);
}

static int
on_body(http_parser *hp, const char *at, size_t len)
{
	struct parse *p = hp->data;
	struct http_request *r = p->req;
	size_t cap;

	if (r->body_len + len > p->body_max)
		return fail(p, 413, "body-too-large",
		    "The request body exceeds the server's limit.");
	if (r->body_len + len + 1 > r->body_cap) {
		/* A chunked body, whose length is learnt as it comes. */
		cap = r->body_cap ? r->body_cap : 1024;
		while (cap < r->body_len + len + 1)
			cap *= 2;
		if (body_grow(p, r, cap) != 0)
			return -1;
	}
	memcpy(r->body + r->body_len, at, len);
	r->body_len += len;
	r->body[r->body_len] = '\0';
	return 0;
}

static int
on_message_complete(http_parser *hp)
{
	struct parse *p = hp->data;

	if (trailer_name_done(p) != 0)
		return -1;
	if (p->req->body_state == HTTP_BODY_PENDING)
		p->req->body_state = HTTP_BODY_COMPLETE;
	p->req->keep_alive = http_should_keep_alive(hp);
	p->result = PARSE_DONE;
	http_parser_pause(hp, 1);
	return 0;
}

static const http_parser_settings settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

void
parse_init(struct parse *p, const struct parse_limits *lim)
{
	memset(p, 0, offsetof(struct parse, field));
	p->nfields = 0;
	p->in_value = 0;
	p->in_trailers = 0;
	p->taken = 0;
	p->announced = 0;
	p->fail.status = 0;
	p->result = PARSE_MORE;
	p->lim = *lim;
	http_parser_init(&p->hp, HTTP_REQUEST);
	p->hp.data = p;
}

void
parse_reset(struct parse *p)
{
	if (p->req != NULL && !p->taken)
		http_request_release(p->req);
	p->req = NULL;
}

/* What an error of http-parser's own means for the client. */
static void
map_errno(struct parse *p, enum http_errno e)
{
	if (e == HPE_HEADER_OVERFLOW &&
	    (p->req == NULL ||
	        (p->hp.http_major == 0 && p->hp.http_minor == 0)))
		fail(p, 414, "uri-too-long",
		    "The request line exceeds the server's header limit.");
	else if (e == HPE_HEADER_OVERFLOW)
		fail(p, 431, "header-too-large",
		    "The request's header block exceeds the server's limit.");
	else if (e == HPE_INVALID_METHOD)
		fail(p, 501, "not-implemented",
		    "The request method is not implemented here.");
	else
		malformed(p, http_errno_description(e));
}

enum parse_result
parse_feed(struct parse *p, const char *data, size_t len, size_t *used)
{
	enum http_errno e;

	if (p->fail.status != 0) {
		*used = 0;
		return PARSE_ERROR;
	}
	http_parser_set_max_header_size((uint32_t)p->lim.max_header);
	*used = http_parser_execute(&p->hp, &settings, data, len);
	e = HTTP_PARSER_ERRNO(&p->hp);
	if (e == HPE_PAUSED)
		return p->result;
	if (e == HPE_OK)
		return PARSE_MORE;
	if (p->fail.status == 0)
		map_errno(p, e);
	return PARSE_ERROR;
}

void
parse_resume(struct parse *p)
{
	if (p->result == PARSE_DONE)
		p->req = NULL; /* the caller has it */
	/* http-parser does not count a head from 0 itself here: paused in
	 * a callback, it keeps the count it had when the call began. After
	 * a message, the trailers' bytes (when they came in another call)
	 * would be charged to the next request; after a head, its last LF
	 * would be counted twice. */
	p->hp.nread = 0;
	p->result = PARSE_MORE;
	http_parser_pause(&p->hp, 0);
}

struct http_request *
parse_request(const struct parse *p)
{
	return p->req;
}

struct http_request *
parse_take(struct parse *p)
{
	p->taken = 1;
	return p->req;
}

int
parse_in_message(const struct parse *p)
{
	return p->req != NULL && p->result != PARSE_DONE;
}

const struct parse_failure *
parse_error(const struct parse *p)
{
	return &p->fail;
}

/* Lookups in, and the end of, the request built here. */
const char *
http_header(const struct http_request *r, const char *name)
{
	int i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

void
http_request_release(struct http_request *r)
{
	if (r == NULL)
		return;
	if (r->ctx_free != NULL && r->ctx != NULL)
		r->ctx_free(r->ctx);
	if (r->budget != NULL)
		r->budget->used -= r->body_cap;
	free(r->body);
	free(r->store);
	free(r);
}

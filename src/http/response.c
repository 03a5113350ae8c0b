/*
 * response.c: writing responses, problem documents and request ids.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>

#include "../util/metrics.h"
#include "server.h"

const char *
http_method_name(enum http_verb m)
{
	static const char *const names[] = {"GET", "HEAD", "POST", "PUT",
	    "PATCH", "DELETE", "OPTIONS", "OTHER"};

	return names[m];
}

const char *
http_status_text(int status)
{
	switch (status) {
	case 100:
		return "Continue";
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 406:
		return "Not Acceptable";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 410:
		return "Gone";
	case 411:
		return "Length Required";
	case 412:
		return "Precondition Failed";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Content";
	case 428:
		return "Precondition Required";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 505:
		return "HTTP Version Not Supported";
	case 503:
		return "Service Unavailable";
	default:
		return "Unknown";
	}
}

void
http_json_escape(struct evbuffer *buf, const char *s, size_t len)
{
	size_t i, start = 0;
	unsigned char ch;

	evbuffer_add(buf, "\"", 1);
	for (i = 0; i < len; i++) {
		ch = (unsigned char)s[i];
		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		evbuffer_add(buf, s + start, i - start);
		start = i + 1;
		if (ch == '"')
			evbuffer_add(buf, "\\\"", 2);
		else if (ch == '\\')
			evbuffer_add(buf, "\\\\", 2);
		else
			evbuffer_add_printf(buf, "\\u%04x", ch);
	}
	evbuffer_add(buf, s + start, len - start);
	evbuffer_add(buf, "\"", 1);
}

/* A well-formed incoming request id is 1-64 of [A-Za-z0-9._-]. */
static int
valid_request_id(const char *id)
{
	size_t n = strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
	                      "wxyz0123456789._-");

	return n > 0 && n <= HTTP_REQUEST_ID_MAX && id[n] == '\0';
}

void
response_new_id(struct server *srv, struct http_request *r)
{
	const char *given = http_header(r, "X-Request-Id");

	if (given != NULL && valid_request_id(given)) {
		/* valid_request_id() bounds it to HTTP_REQUEST_ID_MAX. */
		memcpy(r->request_id, given, strlen(given) + 1);
		return;
	}
	/* "<16 hex of the worker's random prefix>-<8+ hex of a counter>" */
	{
		static const char hexd[] = "0123456789abcdef";
		unsigned long long n = ++srv->id_counter;
		char *p = r->request_id;
		int i, digits = 8;

		while (digits < 16 && (n >> (4 * digits)) != 0)
			digits++;
		memcpy(p, srv->id_prefix, 16);
		p[16] = '-';
		for (i = 0; i < digits; i++)
			p[17 + i] = hexd[(n >> (4 * (digits - 1 - i))) & 15];
		p[17 + digits] = '\0';
	}
}

int
http_add_header(struct http_request *r, const char *name, const char *value)
{
	int n;

	n = snprintf(r->extra_headers + r->extra_len,
	    sizeof(r->extra_headers) - r->extra_len, "%s: %s\r\n", name, value);
	if (n < 0 || (size_t)n >= sizeof(r->extra_headers) - r->extra_len) {
		r->extra_headers[r->extra_len] = '\0';
		return -1;
	}
	r->extra_len += (size_t)n;
	return 0;
}

static uint64_t
elapsed_us(const struct http_request *r)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - r->started.tv_sec) * 1000000u +
	       (uint64_t)((now.tv_nsec - r->started.tv_nsec) / 1000);
}

/* "Date: <IMF-fixdate>\r\n" (RFC 9110 6.6.1), made once a second. */
static const char *
date_line(void)
{
	static time_t last;
	static char line[48];
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME_COARSE, &now);
	if (now.tv_sec != last) {
		gmtime_r(&now.tv_sec, &tm);
		strftime(line, sizeof(line),
		    "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
		last = now.tv_sec;
	}
	return line;
}

/*
 * The response head is a byte buffer with a length, never a C string:
 * no NUL is written into it.
 * NOLINTBEGIN(bugprone-not-null-terminated-result)
 */

/*
 * "HTTP/1.1 200 OK\r\nContent-Length: 15\r\n" into head; its length.
 * RFC 9110 §8.6: a 204 never has a Content-Length, and a 304's would be
 * the length of the representation it stands for, which is not known
 * here: neither gets one.
 */
static size_t
head_line(char *head, int status, size_t len)
{
	const char *reason = http_status_text(status);
	char digits[24];
	size_t n = 0, d = 0, rl = strlen(reason);

	memcpy(head, "HTTP/1.1 ", 9);
	n = 9;
	head[n++] = (char)('0' + status / 100);
	head[n++] = (char)('0' + status / 10 % 10);
	head[n++] = (char)('0' + status % 10);
	head[n++] = ' ';
	memcpy(head + n, reason, rl);
	n += rl;
	if (status == 204 || status == 304) {
		head[n++] = '\r';
		head[n++] = '\n';
		return n;
	}
	memcpy(head + n, "\r\nContent-Length: ", 18);
	n += 18;
	do
		digits[d++] = (char)('0' + len % 10);
	while ((len /= 10) > 0);
	while (d > 0)
		head[n++] = digits[--d];
	head[n++] = '\r';
	head[n++] = '\n';
	return n;
}

#define HEAD_MAX 1024

/* Appends a, b, c to head at n, within HEAD_MAX bytes (the values are
 * bounded: a request id is at most 64 bytes, content types and cache
 * directives are ours). */
static size_t
append(char *head, size_t n, const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);

	if (n + la + lb + lc > HEAD_MAX)
		return n;
	memcpy(head + n, a, la);
	memcpy(head + n + la, b, lb);
	memcpy(head + n + la + lb, c, lc);
	return n + la + lb + lc;
}

/*
 * The headers every response carries, whatever made it. The service is
 * HTTPS only, so browsers may be told to never try plain HTTP (RFC 6797);
 * no content is to be sniffed into another type. What is not a page may
 * load nothing and be framed by nobody (a JSON document opened in a
 * browser runs nothing); a page may load only what its own origin
 * serves, may not be framed, and posts forms only to its origin.
 */
#define SECURITY_HEADERS                                                       \
	"Strict-Transport-Security: max-age=31536000\r\n"                      \
	"X-Content-Type-Options: nosniff\r\n"
#define DATA_POLICY                                                            \
	"Content-Security-Policy: default-src 'none'; frame-ancestors "        \
	"'none'\r\n"
#define HTML_POLICY                                                            \
	"Content-Security-Policy: default-src 'none'; script-src 'self'; "     \
	"style-src 'self'; img-src 'self' data:; connect-src 'self'; "         \
	"font-src 'self'; form-action 'self'; base-uri 'none'; "               \
	"frame-ancestors 'none'\r\n"

static int
is_html(const char *ctype)
{
	return ctype != NULL && strncasecmp(ctype, "text/html", 9) == 0;
}

/* The head of r's response: status line to the last header, without
 * the empty line; its length. */
static size_t
head_build(char *head, const struct http_request *r, int status,
    const char *ctype, size_t len, int keep_alive)
{
	size_t hl;

	/* By hand: printf was the largest user-space cost of a small
	 * response. */
	hl = head_line(head, status, len);
	hl = append(head, hl, date_line(), SECURITY_HEADERS, "");
	hl = append(head, hl, "X-Request-Id: ", r->request_id, "\r\n");
	if (ctype != NULL)
		hl = append(head, hl, "Content-Type: ", ctype, "\r\n");
	hl = append(
	    head, hl, is_html(ctype) ? HTML_POLICY : DATA_POLICY, "", "");
	if (r->cache_control != NULL)
		hl = append(
		    head, hl, "Cache-Control: ", r->cache_control, "\r\n");
	if (!keep_alive)
		hl = append(head, hl, "Connection: close\r\n", "", "");
	return hl;
}

/* NOLINTEND(bugprone-not-null-terminated-result) */

void
http_respond(struct http_request *r, int status, const char *ctype,
    const char *body, size_t len)
{
	struct conn *c = r->conn;
	struct evbuffer *out;
	char head[HEAD_MAX];
	size_t hl;
	int keep_alive;

	if (r->responded)
		return;
	r->responded = 1;
	r->status = status;
	if (r->after_response != NULL)
		r->after_response(r);
	if (c == NULL) {
		/* The client left while the handler worked. */
		http_request_release(r);
		return;
	}
	out = conn_output(c);
	keep_alive = conn_keep_alive(c);
	hl = head_build(head, r, status, ctype, len, keep_alive);
	evbuffer_expand(out, hl + r->extra_len + 2 + len);
	evbuffer_add(out, head, hl);
	evbuffer_add(out, r->extra_headers, r->extra_len);
	evbuffer_add(out, "\r\n", 2);
	if (len > 0 && r->method != HTTP_M_HEAD && status != 204 &&
	    status != 304)
		evbuffer_add(out, body, len);
	r->duration_us = elapsed_us(r);
	metrics_record_request(r->route, r->status, r->duration_us);
	conn_response_ready(c, r, len, keep_alive);
}

void
http_problem_send(struct http_request *r, const struct http_problem_doc *p)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL) {
		http_respond(r, p->status, NULL, NULL, 0);
		return;
	}
	evbuffer_add_printf(
	    b, "{\"type\":\"/problems/%s\",\"title\":", p->type);
	http_json_escape(b, p->title, strlen(p->title));
	evbuffer_add_printf(b, ",\"status\":%d,\"detail\":", p->status);
	http_json_escape(b, p->detail, strlen(p->detail));
	if (p->detail_en != NULL) {
		evbuffer_add(b, ",\"detail_en\":", 13);
		http_json_escape(b, p->detail_en, strlen(p->detail_en));
	}
	evbuffer_add_printf(b, ",\"request_id\":\"%s\"", r->request_id);
	if (p->errors_json != NULL)
		evbuffer_add_printf(b, ",\"errors\":%s", p->errors_json);
	evbuffer_add(b, "}", 1);
	http_respond(r, p->status, "application/problem+json",
	    (const char *)evbuffer_pullup(b, -1), evbuffer_get_length(b));
	evbuffer_free(b);
}

void
http_problem(struct http_request *r, int status, const char *type,
    const char *title, const char *detail, const char *errors_json)
{
	struct http_problem_doc p = {
	    status, type, title, detail, NULL, errors_json};

	http_problem_send(r, &p);
}

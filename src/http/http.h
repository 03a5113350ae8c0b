/*
 * http.h: what a request handler sees of the HTTP layer.
 *
 * The handler is called once per request, as soon as the request's head
 * is complete and valid. It must, sooner or later, call http_respond() or
 * http_problem() exactly once. It may do so after asynchronous work: if
 * the client goes away meanwhile, the request is orphaned (r->conn is
 * NULL) and the reply is discarded.
 *
 * A body is read only when the handler asks for it. While
 * r->body_state is HTTP_BODY_PENDING, the handler either answers at once
 * (the body is never read, and the connection closes after the answer)
 * or calls http_read_body(r, cb): "100 Continue" goes out if the client
 * asked for it, the body is read, and cb(r) runs once it is complete. If
 * the body fails (too large, too slow, malformed), the HTTP layer answers
 * through r and cb never runs; r->ctx_free cleans up the handler's state.
 */
#ifndef PIPELINED_HTTP_H
#define PIPELINED_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define HTTP_MAX_HEADERS      64
#define HTTP_REQUEST_ID_MAX   64
#define HTTP_EXTRA_HEADER_MAX 1024

enum http_verb {
	HTTP_M_GET,
	HTTP_M_HEAD,
	HTTP_M_POST,
	HTTP_M_PUT,
	HTTP_M_PATCH,
	HTTP_M_DELETE,
	HTTP_M_OPTIONS,
	HTTP_M_OTHER,
};

enum http_body_state {
	HTTP_BODY_NONE, /* the request has no body */
	HTTP_BODY_PENDING, /* announced, not read: the handler decides */
	HTTP_BODY_READING, /* the handler asked for it; arriving */
	HTTP_BODY_COMPLETE,
};

struct conn;
struct body_budget;

struct http_request {
	struct conn *conn; /* NULL once the client has gone */
	enum http_verb method;
	const char *method_name;
	const char *path; /* raw path, without the query */
	const char *query; /* raw query string, or NULL */
	int version_minor; /* HTTP/1.0: 0, HTTP/1.1: 1 */
	int keep_alive; /* what the client's message allows */
	struct {
		const char *name, *value;
	} headers[HTTP_MAX_HEADERS];
	int nheaders;
	char *body; /* NUL-terminated; body_len excludes the NUL */
	size_t body_len, body_cap;
	enum http_body_state body_state;
	void (*on_body)(struct http_request *r);
	char request_id[HTTP_REQUEST_ID_MAX + 1];
	struct timespec started;
	uint64_t duration_us; /* to the response, set by http_respond() */
	char client_addr[64];
	const char *peer_cert_sha256; /* hex fingerprint, or NULL */

	/* Filled by the handler. */
	int route; /* index into the route names for metrics, -1 unknown */
	int status;
	/* The Cache-Control value, a static string; NULL sends none. */
	const char *cache_control;
	char extra_headers[HTTP_EXTRA_HEADER_MAX];
	size_t extra_len;
	void *ctx; /* handler state, freed with ctx_free */
	void (*ctx_free)(void *);
	/* Called once the response is decided (queued, or dropped because
	 * the client has gone), before the request is freed. */
	void (*after_response)(struct http_request *r);

	/* Storage of the strings above; owned by the request. */
	char *store;
	size_t store_len, store_cap;
	struct body_budget *budget; /* body_cap is charged to it */
	int responded;
};

typedef void (*http_handler)(struct http_request *r);

/* Case-insensitive header lookup; NULL when absent. */
const char *http_header(const struct http_request *r, const char *name);

/* Reads the pending body, then calls cb(r); see the top of this file.
 * The body may be max_body_size bytes; http_read_body_max lets it have
 * max (up to the largest body limit of the configuration; 0: the
 * default). */
void http_read_body(struct http_request *r, http_handler cb);
void http_read_body_max(struct http_request *r, size_t max, http_handler cb);

/* Whether this worker is draining (SIGTERM): /ready answers 503. */
int http_draining(void);

/* Adds a response header; returns -1 if it does not fit. */
int http_add_header(
    struct http_request *r, const char *name, const char *value);

/* Sends a response. body may be NULL when len is 0. */
void http_respond(struct http_request *r, int status, const char *ctype,
    const char *body, size_t len);

/*
 * Sends an RFC 9457 problem document. type is a short slug that becomes
 * "/problems/<type>"; errors_json, when not NULL, is a JSON array text
 * put under "errors" as is.
 */
void http_problem(struct http_request *r, int status, const char *type,
    const char *title, const char *detail, const char *errors_json);

/* The same with every member: detail_en, when not NULL, is the English
 * of a detail written in another language (an extension member). */
struct http_problem_doc {
	int status;
	const char *type, *title, *detail;
	const char *detail_en;
	const char *errors_json;
};
void http_problem_send(
    struct http_request *r, const struct http_problem_doc *p);

/* Frees a request whose client has gone (used by response.c). */
void http_request_release(struct http_request *r);

/* "GET" for HTTP_M_GET, and so on. */
const char *http_method_name(enum http_verb m);

/* The standard reason phrase of a status code. */
const char *http_status_text(int status);

/* Appends s to buf as a JSON string literal (with quotes). */
struct evbuffer;
void http_json_escape(struct evbuffer *buf, const char *s, size_t len);

#endif

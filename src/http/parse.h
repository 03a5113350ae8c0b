/*
 * parse.h: HTTP/1.1 request parsing, as RFC 9112 says, on Debian's
 * http-parser. It knows nothing of sockets or TLS: it takes bytes and
 * returns requests, so that the fuzz harness and the connection share
 * one parser.
 *
 * A message goes through three results:
 *
 *   PARSE_HEAD  the head is complete and valid, and a body follows. The
 *               caller decides whether to read it (parse_resume()) or to
 *               answer now and close: the body is never read before the
 *               caller says so.
 *   PARSE_DONE  the message is complete, body included. The caller takes
 *               the request (parse_take()) and calls parse_resume() for
 *               the next message once it is ready for it.
 *   PARSE_ERROR the bytes are not a request this server will serve;
 *               parse_error() says with which status and why. The
 *               connection must close after answering: the framing of
 *               what follows is unknown.
 *
 * PARSE_MORE means every byte given was consumed and more are needed.
 */
#ifndef PIPELINED_PARSE_H
#define PIPELINED_PARSE_H

#include <stddef.h>

#include <http_parser.h>

#include "http.h"

/*
 * The memory that the bodies of all of a worker's requests may hold at
 * once (max_body_memory). A body is charged the capacity of its buffer
 * when it is allocated or grows and credited when its request is freed;
 * a body that would pass the limit is refused with 503.
 */
struct body_budget {
	size_t used, max;
};

struct parse_limits {
	size_t max_header; /* request line, fields and delimiters, bytes */
	size_t max_body; /* a request's body, unless it is let have more */
	size_t max_body_any; /* the most any request may be let have */
	struct body_budget *budget;
};

enum parse_result { PARSE_MORE, PARSE_HEAD, PARSE_DONE, PARSE_ERROR };

struct parse_failure {
	int status; /* 400, 413, 414, 431, 501, 505 */
	const char *type; /* the problem type's slug */
	const char *detail;
};

struct field_off {
	size_t name, value; /* offsets into the request's store */
};

struct parse {
	http_parser hp;
	struct parse_limits lim;
	struct http_request *req; /* being built; NULL between messages */
	struct field_off field[HTTP_MAX_HEADERS];
	int nfields; /* fields begun; req->nheaders is set only when the
	                head is complete and every slot is built */
	int in_value;
	size_t url_end;
	int in_trailers; /* fields now are trailers: kept apart */
	char trailer_name[32];
	size_t trailer_name_len, trailer_bytes;
	size_t announced; /* the body's Content-Length; 0 when chunked */
	size_t body_max; /* this request's limit: max_body, or what
	                    parse_body_max let it have */
	int taken; /* req belongs to the caller; the body may still be
	              appended to it until PARSE_DONE */
	enum parse_result result; /* of the pause in progress */
	struct parse_failure fail;
};

void parse_init(struct parse *p, const struct parse_limits *lim);

/* Forgets the message in progress; frees its request unless taken. */
void parse_reset(struct parse *p);

/*
 * Feeds len bytes from data; *used receives how many were consumed (the
 * rest belongs to a later message, or was never looked at).
 */
enum parse_result parse_feed(
    struct parse *p, const char *data, size_t len, size_t *used);

/* After PARSE_HEAD: read the body. After PARSE_DONE: the next message. */
void parse_resume(struct parse *p);

/* After PARSE_HEAD, before parse_resume: a buffer for the whole of an
 * announced body, charged to the budget. -1, with the failure set, when
 * the body announced is over the request's limit (413) or the budget
 * cannot hold it (503). */
int parse_body_reserve(struct parse *p);
/* Lets the request being read have a body of up to max bytes (at most
 * max_body_any); before parse_body_reserve. */
void parse_body_max(struct parse *p, size_t max);

/* The request being built (after PARSE_HEAD, or the half-built one of a
 * failure), still owned by the parser; NULL when none began. */
struct http_request *parse_request(const struct parse *p);

/* Hands the request over to the caller (after PARSE_HEAD or DONE).
 * After PARSE_HEAD the parser goes on appending the body to it. */
struct http_request *parse_take(struct parse *p);

/* Whether a message has begun and is not complete. */
int parse_in_message(const struct parse *p);

const struct parse_failure *parse_error(const struct parse *p);

/* A new request with nothing in it; freed with http_request_release(). */
struct http_request *request_new(void);

#endif

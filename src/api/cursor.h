/*
 * cursor.h: opaque list cursors. A cursor carries the position (a row's
 * seq) and a check over it and over the list's filters, so that a cursor
 * edited by hand, or sent with other filters than it was issued for, is
 * refused with 400 instead of silently paging from somewhere else.
 */
#ifndef PIPELINED_CURSOR_H
#define PIPELINED_CURSOR_H

#define CURSOR_MAX 48

/* The most query parameters cursor_scope() takes into account. */
#define CURSOR_SCOPE_MAX 32

/* The scope of a list's raw query string: a hash of its parameters but
 * cursor and limit, in whatever order they come; 0 when there are none. */
unsigned long long cursor_scope(const char *query);

void cursor_encode(
    long long seq, unsigned long long scope, char out[CURSOR_MAX]);
/* 0 and *seq on success, -1 when the cursor is not one of ours for this
 * scope. */
int cursor_decode(const char *s, unsigned long long scope, long long *seq);

/* A position of two numbers (the change feed: transaction id, row id). */
void cursor_encode_pair(long long a, long long b, char out[CURSOR_MAX]);
int cursor_decode_pair(const char *s, long long *a, long long *b);

/*
 * page.c: reads "limit" (1..500, default 50) and "cursor" from the query
 * string; answers 400 itself and returns -1 when either is malformed.
 */
struct api_req;
int cursor_params(struct api_req *a, long long *after, int *limit);
/* Reads only "limit" (1..500, default 50); answers 400 itself. */
int cursor_limit(struct api_req *a, int *limit);

#endif

/*
 * cursor.h: opaque list cursors. A cursor carries the position (a row's
 * seq) and a check over it, so that a cursor edited by hand is refused
 * with 400 instead of silently paging from somewhere else.
 */
#ifndef PIPELINED_CURSOR_H
#define PIPELINED_CURSOR_H

#define CURSOR_MAX 48

void cursor_encode(long long seq, char out[CURSOR_MAX]);
/* 0 and *seq on success, -1 when the cursor is not one of ours. */
int cursor_decode(const char *s, long long *seq);

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

/*
 * contract.c: every response tr_do receives is held to the service's
 * OpenAPI document by tests/contract/validate.js, a child process started
 * on the first response and fed one exchange a line. A response the
 * document does not allow aborts the test that received it, naming what
 * was wrong, so a route cannot drift from its contract unseen.
 *
 * scripts/test.sh writes the document (pipelined openapi) to
 * PIPELINED_OPENAPI and collects the validator's counts from
 * CONTRACT_COUNTS; a test binary run by hand without them checks nothing.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *to_child, *from_child;
static pid_t child;
static int started;

static void
contract_stop(void)
{
	if (child <= 0)
		return;
	fclose(to_child); /* end of input: the validator writes its counts */
	fclose(from_child);
	waitpid(child, NULL, 0);
	child = 0;
}

/* Starts the validator; 0 when the document is not configured. */
static int
contract_start(void)
{
	const char *doc = getenv("PIPELINED_OPENAPI");
	const char *counts = getenv("CONTRACT_COUNTS");
	int in[2], out[2];

	if (doc == NULL || *doc == '\0')
		return 0;
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
		abort();
	if ((child = fork()) == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execlp("node", "node", "tests/contract/validate.js", doc,
		    counts ? counts : "", (char *)NULL);
		perror("contract: node");
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	to_child = fdopen(in[1], "w");
	from_child = fdopen(out[0], "r");
	signal(SIGPIPE, SIG_IGN);
	atexit(contract_stop);
	return 1;
}

/* One line of JSON for the exchange; the body as text when it is UTF-8
 * (jansson refuses anything else), else null. */
static char *
exchange_line(const char *method, const char *path, const struct tresp *r)
{
	json_t *body = r->body ? json_stringn(r->body, r->len) : NULL;
	json_t *x = json_pack("{s:s,s:s,s:i,s:s,s:o}", "method", method, "path",
	    path, "status", (int)r->status, "headers", r->headers, "body",
	    body ? body : json_null());
	char *line = json_dumps(x, JSON_COMPACT);

	json_decref(x);
	return line;
}

void
contract_check(const char *method, const char *path, const struct tresp *r)
{
	char answer[2048];
	char *line;
	int ok;

	if (r->status == 0)
		return; /* no response: nothing to hold to the document */
	pthread_mutex_lock(&lock);
	if (!started)
		started = contract_start() ? 1 : -1;
	if (started < 0) {
		pthread_mutex_unlock(&lock);
		return;
	}
	line = exchange_line(method, path, r);
	ok = line != NULL && fprintf(to_child, "%s\n", line) > 0 &&
	     fflush(to_child) == 0 &&
	     fgets(answer, sizeof(answer), from_child) != NULL;
	free(line);
	pthread_mutex_unlock(&lock);
	if (!ok) {
		fprintf(stderr, "contract: the validator is gone\n");
		abort();
	}
	if (strcmp(answer, "ok\n") != 0) {
		fprintf(stderr, "contract: %s %s: %s", method, path, answer);
		abort();
	}
}

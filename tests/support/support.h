/*
 * support.h: what the API tests share: starting the real pipelined binary
 * on a free port with a configuration of the test's choosing, and talking
 * HTTPS to it with libcurl (or with raw OpenSSL where a test must control
 * the bytes or the TLS version).
 *
 * The environment comes from scripts/test.sh: TEST_DIR (a scratch
 * directory with the certificates), DATABASE_URL, TEST_ADMIN_KEY,
 * PIPELINED_BIN and TEST_PGDIR (the throwaway cluster).
 */
#ifndef TEST_SUPPORT_H
#define TEST_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>
#include <openssl/ssl.h>

struct tserver {
	pid_t pid;
	int port;
	char conf[512];
	char log[512];
	char ca[512]; /* what libcurl trusts: the tls_certificate file */
};

struct tresp {
	long status;
	char *body;
	size_t len;
	char headers[16384];
	json_t *json; /* parsed body when it is JSON, else NULL */
};

/* contract.c: holds a response tr_do received to the OpenAPI document
 * (tests/contract/validate.js); aborts the test when it does not conform. */
void contract_check(
    const char *method, const char *path, const struct tresp *r);

/* Starts pipelined with the base configuration plus extra lines; waits
 * until /health answers. Aborts the test on failure. */
void ts_start(struct tserver *s, const char *extra_conf);
/* Writes s's configuration file as ts_start does, with s->port and the
 * base lines plus extra_conf: what a reload (SIGHUP) then reads. */
void ts_write_conf(struct tserver *s, const char *extra_conf);
/* SIGTERM and wait; returns the exit status. */
int ts_stop(struct tserver *s);
/* A cmocka group teardown: stops the server in *state, which must exit
 * 0 (a sanitizer report or a leak makes it fail). */
int ts_group_teardown(void **state);
const char *ts_env(const char *name);
/* A TCP port free on 127.0.0.1 when asked (as the servers get theirs),
 * for the other servers a test runs. */
int ts_free_port(void);
/* Whether a TCP connection to 127.0.0.1:port is accepted. */
int ts_port_open(int port);

/* One request. key may be NULL; body may be NULL. headers is a
 * NULL-terminated list of "Name: value" lines, or NULL. */
void tr_do(struct tserver *s, const char *method, const char *path,
    const char *key, const char *body, const char *const *headers,
    struct tresp *r);
/* tr_do with a body of len bytes, which may hold any byte. */
void tr_do_bytes(struct tserver *s, const char *method, const char *path,
    const char *key, const char *body, size_t len, const char *const *headers,
    struct tresp *r);
void tr_free(struct tresp *r);
/* A response header's value (copied into buf), or NULL. */
const char *tr_header(
    const struct tresp *r, const char *name, char *buf, size_t buflen);
/* A field of a raw response head ("HTTP/1.1 ...\r\nName: value\r\n..."),
 * copied into buf; NULL when absent. */
const char *head_field(
    const char *head, const char *name, char *buf, size_t buflen);

/* VmRSS of pid in KiB, or -1 when it has none. */
long ts_rss_kb(pid_t pid);

/* The worker processes of a server's master (up to max); how many. */
int ts_worker_pids(pid_t master, pid_t *out, int max);
/* Its key manager (named pipelined-keys), or 0 when it has none. */
pid_t ts_keymgr_pid(pid_t master);

/* The problem document's type, or "" when the body is not one. */
const char *tr_problem_type(const struct tresp *r);

/* Raw TLS: a connected SSL to the server, version-pinned when given
 * (0 = default), or NULL when the handshake fails. */
SSL *tls_connect(int port, int version, SSL_CTX **ctx_out, const char *cert,
    const char *key);
/* The same from a given loopback address ("127.0.0.2"): how the tests
 * are many clients. */
SSL *tls_connect_from(int port, const char *from, SSL_CTX **ctx_out);
void tls_close(SSL *ssl, SSL_CTX *ctx);
/* A TCP connection to the server from a loopback address (NULL: the
 * kernel's choice); a refused connection ends the test binary. */
int ts_tcp_connect(int port, const char *from);
/* TLS on fd, a connection on which the test has written bytes of its own
 * first (a PROXY protocol header), with a client certificate when cert
 * is not NULL; NULL when the handshake fails (fd stays open then). */
SSL *tls_over_fd(int fd, SSL_CTX **ctx_out, const char *cert, const char *key);
/* A certificate's serial number in upper-case hex without leading zeros
 * (as "openssl x509 -serial" prints it, less those); 0, or -1. */
int cert_serial_hex(const X509 *cert, char *out, size_t outlen);
/* The certificate a new TLS connection to the server is served (not
 * verified): its issuer, as X509_NAME_oneline writes it ("/CN=..."), and
 * its serial (cert_serial_hex). 0, or -1 when the connection or the
 * handshake fails. */
int tls_served_cert(
    int port, char *issuer, size_t ilen, char *serial, size_t slen);

/* Runs a printf-formatted shell command; returns its exit status. */
int sh(const char *fmt, ...);

/* Creates a key with the admin key; returns it (static buffer). */
const char *make_key(struct tserver *s, const char *role, const char *areas);

/* The same, with extra JSON members (e.g. "\"expires_on\":\"...\"");
 * writes the principal's id into id (64 bytes) when not NULL. */
const char *make_key_ex(struct tserver *s, const char *role, const char *areas,
    const char *extra, char *id);

/* Every key the tests were given, to look for them in logs. */
int made_keys(const char *const **keys);

/* The value of one series of /metrics, named with its labels, e.g.
 * "pipelined_db_errors_total"; 0 when absent. */
long long tr_metric(struct tserver *s, const char *series);
/* GET /api/v1/areas with key, turn by turn on servers[0..n-1], for
 * seconds: how many were served (200; any answer but 429 aborts), and
 * in *asked how many were made. */
int tr_served_for(struct tserver *const *servers, int n, const char *key,
    double seconds, int *asked);

/* A client certificate for the requests that follow (NULL: none). */
void tr_client_cert(const char *cert, const char *key);

/* The first column of the first row of a query run on the test database,
 * as a string (static buffer; "" when no row). */
const char *db_scalar(const char *fmt, ...);

/* Polls sql (one value) every 10 ms until it is want; past ms, the test
 * binary dies saying what it waited for. */
void db_wait_scalar(
    const char *sql, const char *want, int ms, const char *what);

/* Holds an ACCESS EXCLUSIVE lock on table for the given seconds, from a
 * session of its own; returns once the lock is granted. */
void db_lock_table(const char *table, int seconds);
/* Returns once no session holds or waits for a lock on table. */
void db_wait_unlocked(const char *table);

/* Runs n requests at once, one thread each, and stores their results. */
struct tparallel {
	const char *method, *path, *key, *body;
	const char *headers[4];
	struct tresp resp;
};
void tr_parallel(struct tserver *s, struct tparallel *reqs, int n);
#endif

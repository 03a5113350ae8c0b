/*
 * support.c: see support.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "support.h"

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

const char *
ts_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0')
		die("support: %s is not set (run the tests with make test)",
		    name);
	return v;
}

int
sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int tcp_try_connect(int port, const char *from);

int
ts_port_open(int port)
{
	int fd = tcp_try_connect(port, NULL);

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

int
ts_free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
		die("support: no free port");
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* Whether the configuration lines in conf set option name. */
static int
has_option(const char *conf, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = conf; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		p += strspn(p, "\n \t");
		if (strncmp(p, name, n) == 0 && (p[n] == ' ' || p[n] == '\t'))
			return 1;
	}
	return 0;
}

/* The value of option name in conf, copied into buf; 0, or -1. */
static int
option_value(const char *conf, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name), k;
	const char *p;

	for (p = conf; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		p += strspn(p, "\n \t");
		if (strncmp(p, name, n) != 0 || (p[n] != ' ' && p[n] != '\t'))
			continue;
		p += n + strspn(p + n, " \t");
		k = strcspn(p, "\n");
		snprintf(buf, len, "%.*s", (int)k, p);
		return 0;
	}
	return -1;
}

void
ts_write_conf(struct tserver *s, const char *extra)
{
	const char *dir = ts_env("TEST_DIR"), *user;
	char userline[256];
	FILE *fp;

	/* libcurl trusts the certificate the server presents. */
	if (option_value(extra, "tls_certificate", s->ca, sizeof(s->ca)) != 0)
		snprintf(s->ca, sizeof(s->ca), "%s/server.crt", dir);
	if ((fp = fopen(s->conf, "w")) == NULL)
		die("support: %s: %s", s->conf, strerror(errno));
	/* As make run does: the workers switch to PIPELINED_USER (set by
	 * scripts/test.sh when the tests run as root), and are sandboxed
	 * since sandbox is on by default. */
	user = getenv("PIPELINED_USER");
	if (user != NULL && *user != '\0' && !has_option(extra, "user"))
		snprintf(userline, sizeof(userline), "user %s\n", user);
	else
		userline[0] = '\0';
	/* The key manager, likewise, as its own user. */
	user = getenv("PIPELINED_KEYS_USER");
	if (user != NULL && *user != '\0' &&
	    !has_option(extra, "key_manager_user"))
		snprintf(userline + strlen(userline),
		    sizeof(userline) - strlen(userline),
		    "key_manager_user %s\n", user);
	/* The tests' certificate, unless the test names its own (one that
	 * it replaces, as test_acme does). */
	if (!has_option(extra, "tls_certificate"))
		fprintf(fp, "tls_certificate %s/server.crt\n", dir);
	if (!has_option(extra, "tls_certificate_key"))
		fprintf(fp, "tls_certificate_key %s/server.key\n", dir);
	fprintf(fp,
	    "port %d\n%s\ndatabase_url %s\ndb_reconnect_max_ms 200\n%s%s\n",
	    s->port,
	    extra != NULL && strstr(extra, "workers") ? "" : "workers 2",
	    ts_env("DATABASE_URL"), userline, extra ? extra : "");
	fclose(fp);
}

void
ts_start(struct tserver *s, const char *extra)
{
	const char *dir = ts_env("TEST_DIR");
	static int serial;
	struct tresp r;
	int i;

	memset(s, 0, sizeof(*s));
	s->port = ts_free_port();
	snprintf(s->conf, sizeof(s->conf), "%s/server-%d-%d.conf", dir,
	    (int)getpid(), ++serial);
	snprintf(s->log, sizeof(s->log), "%s/server-%d-%d.log", dir,
	    (int)getpid(), serial);
	ts_write_conf(s, extra);
	if ((s->pid = fork()) == 0) {
		int fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		/* A test that dies must not leave its server behind. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(ts_env("PIPELINED_BIN"), "pipelined", "-c", s->conf,
		    (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		usleep(50000);
		tr_do(s, "GET", "/ready", NULL, NULL, NULL, &r);
		if (r.status == 200) {
			tr_free(&r);
			return;
		}
		tr_free(&r);
	}
	die("support: pipelined did not become ready; see %s", s->log);
}

int
ts_stop(struct tserver *s)
{
	int st, i;

	if (s->pid <= 0)
		return -1;
	kill(s->pid, SIGTERM);
	for (i = 0; i < 300; i++) {
		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			s->pid = 0;
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
		}
		usleep(50000);
	}
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &st, 0);
	s->pid = 0;
	return -1;
}

int
ts_group_teardown(void **state)
{
	assert_int_equal(ts_stop(*state), 0);
	return 0;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct tresp *r = arg;
	char *b = realloc(r->body, r->len + size * n + 1);

	if (b == NULL)
		return 0;
	memcpy(b + r->len, p, size * n);
	r->body = b;
	r->len += size * n;
	b[r->len] = '\0';
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct tresp *r = arg;
	size_t have = strlen(r->headers), add = size * n;

	if (have + add < sizeof(r->headers)) {
		memcpy(r->headers + have, p, add);
		r->headers[have + add] = '\0';
	}
	return add;
}

static const char *client_cert, *client_key;

void
tr_client_cert(const char *cert, const char *key)
{
	client_cert = cert;
	client_key = key;
}

/* The problem types the server lists (GET /problems): name -> its page
 * (status, title, title_zh, detail_zh); and those the HTTP layer answers
 * with before any operation (x-protocol-problems of /openapi.json). */
static json_t *problem_types, *protocol_problems;

static int
load_problem_types(struct tserver *s)
{
	static int loading;
	struct tresp r, d;
	json_t *e;
	size_t i;

	if (problem_types != NULL || loading)
		return problem_types != NULL;
	loading = 1;
	tr_do(s, "GET", "/problems", NULL, NULL, NULL, &r);
	tr_do(s, "GET", "/openapi.json", NULL, NULL, NULL, &d);
	loading = 0;
	if (r.status == 200 && d.status == 200) {
		problem_types = json_object();
		json_array_foreach(json_object_get(r.json, "items"), i, e)
		    json_object_set(problem_types,
		        json_string_value(json_object_get(e, "type")), e);
		protocol_problems =
		    json_incref(json_object_get(d.json, "x-protocol-problems"));
	}
	tr_free(&r);
	tr_free(&d);
	return problem_types != NULL;
}

static int
protocol_problem(const char *type)
{
	json_t *t;
	size_t i;

	json_array_foreach(protocol_problems, i, t)
	{
		if (strcmp(json_string_value(t), type) == 0)
			return 1;
	}
	return 0;
}

static const char *
member(const json_t *o, const char *name)
{
	const char *v = json_string_value(json_object_get(o, name));

	return v != NULL ? v : "";
}

/*
 * Every problem document any test receives has a type the server lists
 * under GET /problems, with the status it was sent with: a type used
 * without its page, or with another status, fails the test that got it.
 * One that the API answered (all but the HTTP layer's refusals) went
 * through problems_answer: it carries Content-Language, Vary:
 * Accept-Language and its type's title; in Chinese (zh), the type's
 * detail_zh and the English detail in detail_en.
 */
static void
check_problem(struct tserver *s, const struct tresp *r)
{
	char ctype[128], lang[16], vary[128];
	const char *type;
	json_t *page;

	if (r->status == 0 ||
	    tr_header(r, "Content-Type", ctype, sizeof(ctype)) == NULL ||
	    strncmp(ctype, "application/problem+json", 24) != 0)
		return;
	type = json_string_value(json_object_get(r->json, "type"));
	if (type == NULL)
		die("support: a problem document without a type: %s", r->body);
	if (!load_problem_types(s))
		return; /* the server cannot list them now (it is stopping) */
	page = json_object_get(problem_types, type);
	if (page == NULL)
		die("support: problem type %s (status %ld) is not listed in "
		    "GET "
		    "/problems",
		    type, r->status);
	if (json_integer_value(json_object_get(page, "status")) != r->status)
		die("support: problem type %s came with status %ld, listed "
		    "with "
		    "%lld",
		    type, r->status,
		    (long long)json_integer_value(
		        json_object_get(page, "status")));
	if (tr_header(r, "Content-Language", lang, sizeof(lang)) == NULL) {
		if (!protocol_problem(type))
			die("support: problem %s without Content-Language: not "
			    "answered through problems_answer: %s",
			    type, r->body);
		return;
	}
	if (tr_header(r, "Vary", vary, sizeof(vary)) == NULL ||
	    strstr(vary, "Accept-Language") == NULL)
		die("support: problem %s without Vary: Accept-Language", type);
	if (strcmp(lang, "zh") == 0 &&
	    (strcmp(member(r->json, "title"), member(page, "title_zh")) != 0 ||
	        strcmp(member(r->json, "detail"), member(page, "detail_zh")) !=
	            0 ||
	        *member(r->json, "detail_en") == '\0'))
		die("support: problem %s in zh is not its type's title_zh and "
		    "detail_zh with a detail_en: %s",
		    type, r->body);
	if (strcmp(lang, "en") == 0 &&
	    (strcmp(member(r->json, "title"), member(page, "title")) != 0 ||
	        json_object_get(r->json, "detail_en") != NULL))
		die("support: problem %s in en has not its type's title, or "
		    "has a detail_en: %s",
		    type, r->body);
	if (strcmp(lang, "zh") != 0 && strcmp(lang, "en") != 0)
		die("support: problem %s with Content-Language %s", type, lang);
}

void
tr_do(struct tserver *s, const char *method, const char *path, const char *key,
    const char *body, const char *const *headers, struct tresp *r)
{
	tr_do_bytes(
	    s, method, path, key, body, body ? strlen(body) : 0, headers, r);
}

void
tr_do_bytes(struct tserver *s, const char *method, const char *path,
    const char *key, const char *body, size_t len, const char *const *headers,
    struct tresp *r)
{
	struct curl_slist *h = NULL;
	char url[2048], auth[256];
	CURL *c = curl_easy_init();
	int i;

	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "https://127.0.0.1:%d%s", s->port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, s->ca);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (client_cert != NULL) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, client_cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, client_key);
	}
	if (key != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
		h = curl_slist_append(h, auth);
	}
	for (i = 0; headers != NULL && headers[i] != NULL; i++)
		if (strncasecmp(headers[i], "Content-Type:", 13) == 0)
			break;
	if (body != NULL) {
		if (headers == NULL || headers[i] == NULL)
			h = curl_slist_append(
			    h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	h = curl_slist_append(h, "Expect:");
	for (i = 0; headers != NULL && headers[i] != NULL; i++)
		h = curl_slist_append(h, headers[i]);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	else
		r->status = 0;
	if (r->body != NULL)
		r->json = json_loadb(r->body, r->len, 0, NULL);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	check_problem(s, r);
	contract_check(method, path, r);
}

void
tr_free(struct tresp *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

const char *
head_field(const char *head, const char *name, char *buf, size_t buflen)
{
	const char *p = head;
	size_t n = strlen(name), v;

	while ((p = strchr(p, '\n')) != NULL) {
		p++;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			p += strspn(p, " \t");
			v = strcspn(p, "\r\n");
			if (v >= buflen)
				v = buflen - 1;
			memcpy(buf, p, v);
			buf[v] = '\0';
			return buf;
		}
	}
	return NULL;
}

const char *
tr_header(const struct tresp *r, const char *name, char *buf, size_t buflen)
{
	return head_field(r->headers, name, buf, buflen);
}

/* Whether pid's name (/proc/<pid>/comm) is name. */
static int
named(pid_t pid, const char *name)
{
	char path[64], comm[32] = "";
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(comm, sizeof(comm), fp) != NULL)
		comm[strcspn(comm, "\n")] = '\0';
	fclose(fp);
	return strcmp(comm, name) == 0;
}

/* The master's children: the workers (keymgr 0) or the key manager. */
static int
children(pid_t master, int keymgr, pid_t *out, int max)
{
	char path[128];
	FILE *fp;
	int n = 0;
	long pid;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)master,
	    (int)master);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (n < max && fscanf(fp, "%ld", &pid) == 1)
		if (named((pid_t)pid, "pipelined-keys") == keymgr)
			out[n++] = (pid_t)pid;
	fclose(fp);
	return n;
}

int
ts_worker_pids(pid_t master, pid_t *out, int max)
{
	return children(master, 0, out, max);
}

pid_t
ts_keymgr_pid(pid_t master)
{
	pid_t pid;

	return children(master, 1, &pid, 1) == 1 ? pid : 0;
}

const char *
tr_problem_type(const struct tresp *r)
{
	const char *t = json_string_value(json_object_get(r->json, "type"));

	return t != NULL ? t : "";
}

/* A TCP connection to the server on loopback, from the address from
 * (NULL: the kernel's choice); -1 when the connection is refused. */
static int
tcp_try_connect(int port, const char *from)
{
	struct sockaddr_in sin, src;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	if (from != NULL &&
	    (inet_pton(AF_INET, from, &src.sin_addr) != 1 ||
	        bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0))
		die("support: bind %s: %s", from, strerror(errno));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The same; a refused connection ends the test binary. */
static int
tcp_connect(int port, const char *from)
{
	int fd = tcp_try_connect(port, from);

	if (fd < 0)
		die("support: connect: %s", strerror(errno));
	return fd;
}

/* A client context: version-pinned when version is not 0, with the
 * client certificate cert (and its key) when not NULL. */
static SSL_CTX *
client_context(int version, const char *cert, const char *key)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (version != 0) {
		/* Let the client offer old versions: the server must be
		 * the one that refuses. */
		SSL_CTX_set_security_level(ctx, 0);
		SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
		SSL_CTX_set_min_proto_version(ctx, version);
		SSL_CTX_set_max_proto_version(ctx, version);
	}
	if (cert != NULL &&
	    (SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM) != 1 ||
	        SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1))
		die("support: cannot load client certificate %s", cert);
	return ctx;
}

/* The handshake on fd; NULL when it fails (fd stays open). */
static SSL *
handshake(SSL_CTX *ctx, int fd)
{
	SSL *ssl = SSL_new(ctx);

	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1) {
		ERR_clear_error();
		SSL_free(ssl);
		return NULL;
	}
	return ssl;
}

static SSL *
tls_open(int port, int version, SSL_CTX **ctx_out, const char *cert,
    const char *key, const char *from)
{
	int fd;
	SSL *ssl;

	*ctx_out = client_context(version, cert, key);
	fd = tcp_connect(port, from);
	if ((ssl = handshake(*ctx_out, fd)) == NULL)
		close(fd);
	return ssl;
}

int
ts_tcp_connect(int port, const char *from)
{
	return tcp_connect(port, from);
}

SSL *
tls_over_fd(int fd, SSL_CTX **ctx_out, const char *cert, const char *key)
{
	*ctx_out = client_context(0, cert, key);
	return handshake(*ctx_out, fd);
}

SSL *
tls_connect(
    int port, int version, SSL_CTX **ctx_out, const char *cert, const char *key)
{
	return tls_open(port, version, ctx_out, cert, key, NULL);
}

SSL *
tls_connect_from(int port, const char *from, SSL_CTX **ctx_out)
{
	return tls_open(port, 0, ctx_out, NULL, NULL, from);
}

void
tls_close(SSL *ssl, SSL_CTX *ctx)
{
	if (ssl != NULL) {
		int fd = SSL_get_fd(ssl);

		SSL_free(ssl);
		close(fd);
	}
	SSL_CTX_free(ctx);
}

int
cert_serial_hex(const X509 *cert, char *out, size_t outlen)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;

	snprintf(out, outlen, "%s", hex != NULL ? hex : "");
	OPENSSL_free(hex);
	BN_free(bn);
	return hex != NULL ? 0 : -1;
}

int
tls_served_cert(int port, char *issuer, size_t ilen, char *serial, size_t slen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = NULL;
	X509 *cert = NULL;
	int fd, rc = -1;

	if ((fd = tcp_try_connect(port, NULL)) < 0)
		goto out;
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1 ||
	    (cert = SSL_get1_peer_certificate(ssl)) == NULL)
		goto out;
	X509_NAME_oneline(X509_get_issuer_name(cert), issuer, (int)ilen);
	rc = cert_serial_hex(cert, serial, slen);
out:
	ERR_clear_error();
	X509_free(cert);
	SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	SSL_CTX_free(ctx);
	return rc;
}

static const char *all_keys[256];
static int nkeys;

int
made_keys(const char *const **keys)
{
	*keys = all_keys;
	return nkeys;
}

const char *
make_key(struct tserver *s, const char *role, const char *areas)
{
	return make_key_ex(s, role, areas, NULL, NULL);
}

const char *
make_key_ex(struct tserver *s, const char *role, const char *areas,
    const char *extra, char *id)
{
	char body[1024];
	struct tresp r;
	char *k = calloc(1, 80);

	snprintf(body, sizeof(body),
	    "{\"name\":\"test %s\",\"role\":\"%s\",\"areas\":[%s]%s%s}", role,
	    role, areas ? areas : "", extra ? "," : "", extra ? extra : "");
	tr_do(s, "POST", "/api/v1/keys", ts_env("TEST_ADMIN_KEY"), body, NULL,
	    &r);
	if (r.status != 201)
		die("support: creating a %s key: %ld %s", role, r.status,
		    r.body ? r.body : "");
	snprintf(
	    k, 80, "%s", json_string_value(json_object_get(r.json, "key")));
	if (id != NULL)
		snprintf(id, 64, "%s",
		    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	if (nkeys < 256)
		all_keys[nkeys++] = k;
	return k;
}

const char *
db_scalar(const char *fmt, ...)
{
	static char out[4096];
	char sql[4096];
	PGconn *pg = PQconnectdb(ts_env("DATABASE_URL"));
	PGresult *res;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	res = PQexec(pg, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQresultStatus(res) != PGRES_COMMAND_OK)
		die("support: %s: %s", sql, PQresultErrorMessage(res));
	snprintf(out, sizeof(out), "%s",
	    PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	PQfinish(pg);
	return out;
}

struct par_arg {
	struct tserver *s;
	struct tparallel *r;
	pthread_barrier_t *barrier;
};

static void *
par_run(void *p)
{
	struct par_arg *a = p;

	pthread_barrier_wait(a->barrier);
	tr_do(a->s, a->r->method, a->r->path, a->r->key, a->r->body,
	    a->r->headers, &a->r->resp);
	return NULL;
}

void
tr_parallel(struct tserver *s, struct tparallel *reqs, int n)
{
	pthread_t th[32];
	struct par_arg args[32];
	pthread_barrier_t barrier;
	int i;

	pthread_barrier_init(&barrier, NULL, (unsigned)n);
	for (i = 0; i < n && i < 32; i++) {
		args[i].s = s;
		args[i].r = &reqs[i];
		args[i].barrier = &barrier;
		pthread_create(&th[i], NULL, par_run, &args[i]);
	}
	for (i = 0; i < n && i < 32; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&barrier);
}

long long
tr_metric(struct tserver *s, const char *series)
{
	char needle[256], *p;
	struct tresp r;
	long long v = 0;

	snprintf(needle, sizeof(needle), "\n%s ", series);
	tr_do(s, "GET", "/metrics", NULL, NULL, NULL, &r);
	if (r.status != 200)
		die("support: /metrics answered %ld", r.status);
	if ((p = strstr(r.body, needle)) != NULL)
		v = atoll(p + strlen(needle));
	tr_free(&r);
	return v;
}

int
tr_served_for(struct tserver *const *servers, int n, const char *key,
    double seconds, int *asked)
{
	struct timespec t0, t;
	struct tresp r;
	int ok = 0, i = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((double)(t.tv_sec - t0.tv_sec) +
		        (double)(t.tv_nsec - t0.tv_nsec) / 1e9 >=
		    seconds)
			break;
		tr_do(servers[i++ % n], "GET", "/api/v1/areas", key, NULL, NULL,
		    &r);
		if (r.status != 200 && r.status != 429)
			die("support: /api/v1/areas answered %ld", r.status);
		ok += r.status == 200;
		tr_free(&r);
	}
	*asked = i;
	return ok;
}

void
db_wait_scalar(const char *sql, const char *want, int ms, const char *what)
{
	int i;

	for (i = 0; i < ms / 10; i++) {
		if (strcmp(db_scalar("%s", sql), want) == 0)
			return;
		usleep(10000);
	}
	die("support: %s", what);
}

void
db_lock_table(const char *table, int seconds)
{
	char sql[256];

	sh("psql \"$DATABASE_URL\" -qc 'BEGIN; LOCK TABLE %s IN ACCESS "
	   "EXCLUSIVE MODE; SELECT pg_sleep(%d); COMMIT' >/dev/null 2>&1 &",
	    table, seconds);
	snprintf(sql, sizeof(sql),
	    "SELECT count(*) FROM pg_locks WHERE relation = '%s'::regclass "
	    "AND mode = 'AccessExclusiveLock' AND granted",
	    table);
	db_wait_scalar(sql, "1", 2000, "the lock was never taken");
}

void
db_wait_unlocked(const char *table)
{
	char sql[160];

	snprintf(sql, sizeof(sql),
	    "SELECT count(*) FROM pg_locks WHERE relation = '%s'::regclass",
	    table);
	db_wait_scalar(sql, "0", 20000, "the lock was never released");
}

long
ts_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = atol(line + 6);
	fclose(fp);
	return kb;
}

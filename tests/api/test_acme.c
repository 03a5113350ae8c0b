/*
 * test_acme.c: certificate renewal end to end (issue 21), with Debian's
 * ACME client and test CA on loopback. pebble (Let's Encrypt's test
 * server, PEBBLE_VA_ALWAYS_VALID=1 so no challenge is really checked)
 * issues; lego obtains and renews; its hook, scripts/acme-hook.sh, installs
 * the new chain and key where pipelined reads them and sends SIGHUP to the
 * master; the test then opens new TLS connections until they are served
 * the new certificate. Before: the tests' self-signed one (a copy in a
 * directory of this test's, since the hook replaces it); after "lego run":
 * lego's certificate, issued by pebble's intermediate; after a forced
 * "lego renew": the renewed one, a new serial. A pair whose key is not the
 * certificate's is refused by the hook and changes nothing.
 *
 * Why lego and not certbot (both are in Debian 12): lego 4.9 is one static
 * Go binary with no Python stack behind it, takes the CA to trust from
 * LEGO_CA_CERTIFICATES, runs its own HTTP-01 listener on any address:port
 * and keeps all its state under --path; its hook gets the new files'
 * paths in LEGO_CERT_PATH and LEGO_CERT_KEY_PATH. certbot 2.1 would need
 * --config-dir, --work-dir and --logs-dir to stay out of /etc and /var,
 * and REQUESTS_CA_BUNDLE to trust pebble.
 *
 * pebble's own HTTPS listener uses the tests' self-signed certificate
 * ($TEST_DIR/server.crt, for 127.0.0.1), which lego and curl are told to
 * trust: Debian's pebble ships no test certificates. The test fails, it is
 * never skipped, when pebble or lego is missing (scripts/deps.sh installs
 * both).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "support.h"

static struct tserver srv;
static pid_t pebble;
static int acme_port, http_port;
/* This test's directory, and in it the pair pipelined is configured with. */
static char dir[PATH_MAX], cert[PATH_MAX + 32], key[PATH_MAX + 32];
/* The self-signed certificate pipelined starts with. */
static char old_issuer[512], old_serial[128];
/* The subject of pebble's intermediate, the issuer of what it signs. */
static char intermediate[512];
/* The serial of the certificate "lego run" obtained. */
static char first_serial[128];

/* The first certificate of a PEM file: subject, issuer and serial (any of
 * them NULL when not wanted); 0, or -1 when the file has none. */
static int
pem_cert(const char *path, char *subject, char *issuer, char *serial)
{
	FILE *fp = fopen(path, "r");
	X509 *x;

	if (fp == NULL)
		return -1;
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (x == NULL)
		return -1;
	if (subject != NULL)
		X509_NAME_oneline(X509_get_subject_name(x), subject, 512);
	if (issuer != NULL)
		X509_NAME_oneline(X509_get_issuer_name(x), issuer, 512);
	if (serial != NULL)
		cert_serial_hex(x, serial, 128);
	X509_free(x);
	return 0;
}

/* Polls new connections for up to 5 s until eight in a row are served the
 * certificate of that issuer and serial (both workers take connections);
 * what was served last is left in issuer_out and serial_out. */
static int
wait_served(
    const char *issuer, const char *serial, char *issuer_out, char *serial_out)
{
	int i, run = 0;

	for (i = 0; i < 250; i++) {
		issuer_out[0] = serial_out[0] = '\0';
		if (tls_served_cert(
		        srv.port, issuer_out, 512, serial_out, 128) == 0 &&
		    strcmp(issuer_out, issuer) == 0 &&
		    strcmp(serial_out, serial) == 0) {
			if (++run == 8)
				return 1;
			continue;
		}
		run = 0;
		usleep(20000);
	}
	return 0;
}

/* Whether the master still runs: kill(pid, 0) would also answer for a
 * zombie, which only the teardown reaps. */
static int
master_alive(void)
{
	char path[64], line[512], *p;
	FILE *fp;
	int alive = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)srv.pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(line, sizeof(line), fp) != NULL &&
	    (p = strrchr(line, ')')) != NULL)
		alive = p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
	fclose(fp);
	return alive;
}

static void
need_tools(void)
{
	if (sh("command -v pebble >/dev/null && command -v lego >/dev/null") !=
	    0)
		fail_msg("pebble or lego is missing: scripts/deps.sh installs "
		         "them (apt-get install pebble lego)");
}

/* lego's command line up to its command, with pebble's directory and the
 * HTTP-01 listener on loopback; its account and certificates under dir. */
static const char *
lego(void)
{
	static char cmd[PATH_MAX * 2];

	snprintf(cmd, sizeof(cmd),
	    "LEGO_CA_CERTIFICATES=%s/server.crt lego --server "
	    "https://127.0.0.1:%d/dir --accept-tos --email acme@example.com "
	    "--domains localhost --http --http.port 127.0.0.1:%d --path "
	    "%s/lego",
	    ts_env("TEST_DIR"), acme_port, http_port, dir);
	return cmd;
}

/* The hook as lego is told to run it: lego splits it at blanks. */
static const char *
hook(void)
{
	static char cmd[PATH_MAX * 4];
	char cwd[PATH_MAX];

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		fail_msg("getcwd");
	snprintf(cmd, sizeof(cmd), "%s/scripts/acme-hook.sh %s %s %d", cwd,
	    cert, key, (int)srv.pid);
	return cmd;
}

static void
start_pebble(void)
{
	char conf[PATH_MAX + 32], log[PATH_MAX + 32];
	const char *tdir = ts_env("TEST_DIR");
	int mgmt_port = ts_free_port(), i, st;
	FILE *fp;

	acme_port = ts_free_port();
	http_port = ts_free_port();
	snprintf(conf, sizeof(conf), "%s/pebble.json", dir);
	snprintf(log, sizeof(log), "%s/pebble.log", dir);
	if ((fp = fopen(conf, "w")) == NULL)
		fail_msg("%s", conf);
	/* httpPort and tlsPort are where pebble would validate challenges:
	 * never used with PEBBLE_VA_ALWAYS_VALID, but free all the same. */
	fprintf(fp,
	    "{\"pebble\": {\"listenAddress\": \"127.0.0.1:%d\", "
	    "\"managementListenAddress\": \"127.0.0.1:%d\", "
	    "\"certificate\": \"%s/server.crt\", "
	    "\"privateKey\": \"%s/server.key\", \"httpPort\": %d, "
	    "\"tlsPort\": %d, \"ocspResponderURL\": \"\", "
	    "\"externalAccountBindingRequired\": false}}\n",
	    acme_port, mgmt_port, tdir, tdir, ts_free_port(), ts_free_port());
	fclose(fp);
	if ((pebble = fork()) == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(fd, 1);
		dup2(fd, 2);
		setenv("PEBBLE_VA_ALWAYS_VALID", "1", 1);
		setenv("PEBBLE_VA_NOSLEEP", "1", 1);
		/* pebble refuses 5% of good nonces by default; lego retries,
		 * but the test need not depend on it. */
		setenv("PEBBLE_WFE_NONCEREJECT", "0", 1);
		execlp("pebble", "pebble", "-config", conf, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100; i++) {
		if (waitpid(pebble, &st, WNOHANG) == pebble) {
			pebble = 0;
			sh("cat %s >&2", log);
			fail_msg("pebble exited");
		}
		if (sh("curl -sf --cacert %s/server.crt "
		       "https://127.0.0.1:%d/dir >/dev/null",
		        tdir, acme_port) == 0)
			break;
		usleep(100000);
	}
	if (i == 100)
		fail_msg("pebble did not answer on %d; see %s", acme_port, log);
	/* It makes a new root and intermediate at each start. */
	if (sh("curl -sf --cacert %s/server.crt "
	       "https://127.0.0.1:%d/intermediates/0 -o %s/intermediate.pem",
	        tdir, mgmt_port, dir) != 0)
		fail_msg("no intermediate from pebble's management port");
	snprintf(log, sizeof(log), "%s/intermediate.pem", dir);
	if (pem_cert(log, intermediate, NULL, NULL) != 0)
		fail_msg("%s holds no certificate", log);
}

static int
setup(void **state)
{
	char conf[2 * PATH_MAX + 128];

	snprintf(
	    dir, sizeof(dir), "%s/acme-%d", ts_env("TEST_DIR"), (int)getpid());
	snprintf(cert, sizeof(cert), "%s/tls/server.crt", dir);
	snprintf(key, sizeof(key), "%s/tls/server.key", dir);
	if (sh("mkdir -p %s/tls && cp %s/server.crt %s/server.key %s/tls/ && "
	       "chmod 600 %s",
	        dir, ts_env("TEST_DIR"), ts_env("TEST_DIR"), dir, key) != 0)
		return -1;
	if (pem_cert(cert, NULL, old_issuer, old_serial) != 0)
		return -1;
	snprintf(conf, sizeof(conf),
	    "tls_certificate %s\ntls_certificate_key %s\n", cert, key);
	ts_start(&srv, conf);
	*state = &srv;
	return 0;
}

static int
teardown(void **state)
{
	int st;

	if (pebble > 0) {
		kill(pebble, SIGTERM);
		waitpid(pebble, &st, 0);
	}
	return ts_group_teardown(state);
}

/* A pair whose key is not the certificate's is refused before anything is
 * written or signalled: the installed files stay, byte for byte, and the
 * server serves what it served. */
static void
test_hook_refuses_mismatched_pair(void **state)
{
	char issuer[512], serial[128];

	(void)state;
	assert_int_equal(
	    sh("cp %s %s.before && cp %s %s.before", cert, cert, key, key), 0);
	assert_int_not_equal(sh("LEGO_CERT_PATH=%s/client-ca.crt "
	                        "LEGO_CERT_KEY_PATH=%s %s 2>%s/refused.log",
	                         ts_env("TEST_DIR"), key, hook(), dir),
	    0);
	assert_int_equal(sh("grep -q 'is not the key' %s/refused.log", dir), 0);
	assert_int_equal(sh("cmp -s %s %s.before && cmp -s %s %s.before", cert,
	                     cert, key, key),
	    0);
	assert_true(wait_served(old_issuer, old_serial, issuer, serial));
	assert_true(master_alive());
}

/* lego run obtains a certificate from pebble; its hook installs it and
 * signals the master; new connections are served it. */
static void
test_run_installs_and_reloads(void **state)
{
	char issuer[512], serial[128], path[PATH_MAX + 64];
	struct stat st;

	(void)state;
	need_tools();
	start_pebble();
	/* Before: the self-signed certificate. */
	assert_true(wait_served(old_issuer, old_serial, issuer, serial));
	assert_string_not_equal(old_issuer, intermediate);

	if (sh("%s run --run-hook '%s' >%s/lego-run.log 2>&1", lego(), hook(),
	        dir) != 0) {
		sh("cat %s/lego-run.log >&2", dir);
		fail_msg("lego run failed");
	}
	/* The hook installed lego's files, the key private. */
	snprintf(path, sizeof(path), "%s/lego/certificates/localhost.crt", dir);
	assert_int_equal(pem_cert(path, NULL, NULL, first_serial), 0);
	assert_int_equal(sh("cmp -s %s %s", path, cert), 0);
	snprintf(path, sizeof(path), "%s/lego/certificates/localhost.key", dir);
	assert_int_equal(sh("cmp -s %s %s", path, key), 0);
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	if (!wait_served(intermediate, first_serial, issuer, serial)) {
		sh("cat %s/lego-run.log %s >&2", dir, srv.log);
		fail_msg("after the hook's SIGHUP, served %s %s (master %s), "
		         "not %s %s",
		    issuer, serial, master_alive() ? "running" : "gone",
		    intermediate, first_serial);
	}
}

/* A forced renewal (--days 9999: pebble's certificates last five years)
 * gives a new certificate, which the renew hook puts in service. */
static void
test_renew_serves_new_serial(void **state)
{
	char issuer[512], serial[128], renewed[128], path[PATH_MAX + 64];

	(void)state;
	need_tools();
	if (pebble <= 0 || first_serial[0] == '\0')
		fail_msg("no certificate from lego run to renew");
	/* --no-random-sleep: without a terminal, lego renew otherwise waits
	 * up to 8 minutes first. */
	if (sh("%s renew --days 9999 --no-random-sleep --renew-hook '%s' "
	       ">%s/lego-renew.log 2>&1",
	        lego(), hook(), dir) != 0) {
		sh("cat %s/lego-renew.log >&2", dir);
		fail_msg("lego renew failed");
	}
	snprintf(path, sizeof(path), "%s/lego/certificates/localhost.crt", dir);
	assert_int_equal(pem_cert(path, NULL, NULL, renewed), 0);
	assert_string_not_equal(renewed, first_serial);
	assert_int_equal(sh("cmp -s %s %s", path, cert), 0);
	if (!wait_served(intermediate, renewed, issuer, serial)) {
		sh("cat %s/lego-renew.log %s >&2", dir, srv.log);
		fail_msg("after the renewal, served %s %s (master %s), not %s",
		    issuer, serial, master_alive() ? "running" : "gone",
		    renewed);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hook_refuses_mismatched_pair),
	    cmocka_unit_test(test_run_installs_and_reloads),
	    cmocka_unit_test(test_renew_serves_new_serial),
	};

	return cmocka_run_group_tests_name("acme", tests, setup, teardown);
}

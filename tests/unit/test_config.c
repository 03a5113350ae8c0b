/* test_config.c: the configuration parser's defaults, bounds and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/util/config.h"

static int
load_text(struct config *cfg, const char *text, char *err, size_t errlen)
{
	char path[] = "/tmp/pipelined-conf-XXXXXX";
	int fd = mkstemp(path), rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	config_defaults(cfg);
	rc = config_load(cfg, path, err, errlen);
	unlink(path);
	return rc;
}

static void
test_defaults(void **state)
{
	struct config cfg;

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(cfg.port, 8443);
	assert_string_equal(cfg.bind, "127.0.0.1");
	assert_int_equal(cfg.max_header_size, 8192);
	assert_int_equal(cfg.alert_start_red_days, 90);
	assert_string_equal(cfg.access_log, "stdout");
	assert_string_equal(cfg.sandbox, "on");
	assert_string_equal(cfg.user, "");
}

static void
test_values_comments_blank_lines(void **state)
{
	struct config cfg;
	char err[256];

	(void)state;
	assert_int_equal(load_text(&cfg,
	                     "# c\n\n  port   9443  # trailing\n"
	                     "tls_client_ca /etc/ca.pem\nworkers 3\n",
	                     err, sizeof(err)),
	    0);
	assert_int_equal(cfg.port, 9443);
	assert_int_equal(cfg.workers, 3);
	assert_string_equal(cfg.tls_client_ca, "/etc/ca.pem");
	assert_int_equal(cfg.body_timeout, 30);
}

static void
test_errors_name_line_and_option(void **state)
{
	struct config cfg;
	char err[256];

	(void)state;
	assert_int_equal(
	    load_text(&cfg, "port 1\nbogus 2\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":2: unknown option 'bogus'"));
	assert_int_equal(load_text(&cfg, "workers -1\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: option 'workers': -1 is outside"));
	assert_int_equal(load_text(&cfg, "port 12x\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a whole number"));
	assert_int_equal(
	    load_text(&cfg, "port 1\nport 1\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "given twice"));
	assert_int_equal(load_text(&cfg, "port\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "needs a value"));
	assert_int_equal(load_text(&cfg, "sandbox of\n", err, sizeof(err)), -1);
	assert_non_null(
	    strstr(err, "option 'sandbox': 'of' is not one of on|log|off"));
	assert_int_equal(load_text(&cfg, "sandbox\n", err, sizeof(err)), -1);
	/* Whole words only: found by fuzz_config (corpus sandbox-bar). */
	assert_int_equal(
	    load_text(&cfg, "sandbox on|log\n", err, sizeof(err)), -1);
	assert_int_equal(load_text(&cfg, "sandbox o\n", err, sizeof(err)), -1);
	assert_int_equal(
	    load_text(&cfg, "sandbox offf\n", err, sizeof(err)), -1);
	assert_int_equal(load_text(&cfg, "sandbox log\n", err, sizeof(err)), 0);
	assert_string_equal(cfg.sandbox, "log");
	assert_int_equal(load_text(&cfg, "sandbox off\n", err, sizeof(err)), 0);
	assert_string_equal(cfg.sandbox, "off");
}

/* The options of issue 14, and the rules between options. */
static void
test_hardening_options(void **state)
{
	struct config cfg;
	char err[256];

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(cfg.max_body_memory, 67108864);
	assert_int_equal(cfg.max_connections_per_address, 256);
	assert_string_equal(cfg.trusted_proxies, "");
	assert_int_equal(load_text(&cfg,
	                     "trusted_proxies 10.0.0.0/8, ::1\n"
	                     "max_connections_per_address 16\n",
	                     err, sizeof(err)),
	    0);
	assert_string_equal(cfg.trusted_proxies, "10.0.0.0/8, ::1");
	assert_int_equal(cfg.max_connections_per_address, 16);
	assert_int_equal(
	    load_text(&cfg, "trusted_proxies 10.0.0.0/40\n", err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "trusted_proxies: '10.0.0.0/40'"));
	assert_int_equal(
	    load_text(&cfg, "max_body_size 2097152\nmax_body_memory 1048576\n",
	        err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "max_body_memory (1048576) must hold"));
}

/* proxy_protocol_from (issue 18): off by default, trusted_proxies'
 * syntax, a bad range stops start-up. */
static void
test_proxy_protocol_from(void **state)
{
	struct config cfg;
	char err[256];

	(void)state;
	config_defaults(&cfg);
	assert_string_equal(cfg.proxy_protocol_from, "");
	assert_int_equal(
	    load_text(&cfg, "proxy_protocol_from 10.0.0.5 fd00::/8\n", err,
	        sizeof(err)),
	    0);
	assert_string_equal(cfg.proxy_protocol_from, "10.0.0.5 fd00::/8");
	assert_int_equal(load_text(&cfg, "proxy_protocol_from 10.0.0.5/33\n",
	                     err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "proxy_protocol_from: '10.0.0.5/33'"));
}

static void
test_missing_file(void **state)
{
	struct config cfg;
	char err[256];

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(
	    config_load(&cfg, "/nonexistent/x.conf", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/x.conf"));
}

/* Every default is within its option's bounds, and a string fits. */
static void
test_defaults_within_bounds(void **state)
{
	const struct config_option *o;
	struct config cfg;
	size_t i;
	int v;

	(void)state;
	config_defaults(&cfg);
	for (i = 0; i < config_noptions; i++) {
		o = &config_options[i];
		if (o->type == CONFIG_STR) {
			assert_true(strlen(o->def) < CONFIG_STR_MAX);
			continue;
		}
		v = *(const int *)((const char *)&cfg + o->offset);
		assert_true(v >= o->min && v <= o->max);
	}
}

/* The file reader and the text parser agree, line limit included: a line
 * of CONFIG_LINE_MAX bytes is read, one more is refused. */
static void
test_text_and_line_limit(void **state)
{
	char text[CONFIG_LINE_MAX + 16], err[256];
	struct config cfg;
	size_t n;

	(void)state;
	memset(text, ' ', sizeof(text));
	memcpy(text, "port 9443", 9);
	text[CONFIG_LINE_MAX] = '\n';
	text[CONFIG_LINE_MAX + 1] = '\0';
	assert_int_equal(load_text(&cfg, text, err, sizeof(err)), 0);
	assert_int_equal(cfg.port, 9443);
	/* The same line as the last one, without its newline. */
	text[CONFIG_LINE_MAX] = '\0';
	assert_int_equal(load_text(&cfg, text, err, sizeof(err)), 0);
	text[CONFIG_LINE_MAX] = ' ';
	text[CONFIG_LINE_MAX + 1] = '\n';
	text[CONFIG_LINE_MAX + 2] = '\0';
	assert_int_equal(load_text(&cfg, text, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: line too long"));

	n = strlen("workers 2\n");
	config_defaults(&cfg);
	assert_int_equal(config_parse_text(&cfg, "workers 2\nport 1", n + 6,
	                     "t.conf", err, sizeof(err)),
	    0);
	assert_int_equal(cfg.workers, 2);
	assert_int_equal(cfg.port, 1);
}

/* A NUL byte would hide the rest of its line: refused, with the line. */
static void
test_nul_byte_refused(void **state)
{
	static const char text[] = "port 1\nworkers 2\0 # x\n";
	struct config cfg;
	char err[256];

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(config_parse_text(&cfg, text, sizeof(text) - 1,
	                     "t.conf", err, sizeof(err)),
	    -1);
	assert_string_equal(err, "t.conf:2: NUL byte");
}

/* fopen() opens a directory; reading it fails, and so does the load. */
static void
test_directory_refused(void **state)
{
	struct config cfg;
	char err[256];

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(config_load(&cfg, "/tmp", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/tmp: "));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_values_comments_blank_lines),
	    cmocka_unit_test(test_errors_name_line_and_option),
	    cmocka_unit_test(test_hardening_options),
	    cmocka_unit_test(test_proxy_protocol_from),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_defaults_within_bounds),
	    cmocka_unit_test(test_text_and_line_limit),
	    cmocka_unit_test(test_nul_byte_refused),
	    cmocka_unit_test(test_directory_refused),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}

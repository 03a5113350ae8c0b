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
	assert_int_equal(load_text(&cfg, "sandbox log\n", err, sizeof(err)), 0);
	assert_string_equal(cfg.sandbox, "log");
	assert_int_equal(load_text(&cfg, "sandbox off\n", err, sizeof(err)), 0);
	assert_string_equal(cfg.sandbox, "off");
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_values_comments_blank_lines),
	    cmocka_unit_test(test_errors_name_line_and_option),
	    cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}

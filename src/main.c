/*
 * main.c: pipelined, the Yuncheng investment pipeline service.
 *
 *   pipelined [-c file] [serve]        run the HTTPS service
 *   pipelined [-c file] migrate        apply missing schema migrations
 *   pipelined [-c file] key create --role ROLE --name NAME
 *             [--areas CODE,...] [--expires YYYY-MM-DD]
 *   pipelined [-c file] check          validate the configuration
 *   pipelined [-c file] url            the address the service serves
 *
 * Without -c: $PIPELINED_CONF, else var/run.conf when it exists (what
 * make run serves, with its database), else conf/pipelined.conf.
 *
 * The master process parses the configuration, reads the TLS certificate
 * and hands the key to the key manager (so that a bad one fails before
 * any worker is forked), and supervises the workers;
 * each worker runs an event loop with its own database pool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/input.h"
#include "api/keys.h"
#include "db/db.h"
#include "domain/validate.h"
#include "util/alloc.h"
#include "util/config.h"
#include "runtime/master.h"
#include "util/metrics.h"
#include "http/peers.h"
#include "http/server.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: pipelined [-c file] [serve | migrate | check | url | "
	    "openapi |\n"
	    "       key create --role ROLE --name NAME [--areas CODE,...] "
	    "[--expires YYYY-MM-DD]]\n");
	exit(2);
}

static int
serve(const struct config *cfg, const char *conf_path)
{
	struct master_opts o;

	memset(&o, 0, sizeof(o));
	o.cfg = cfg;
	o.conf_path = conf_path;
	if (metrics_init() != 0 || peers_init() != 0) {
		perror("pipelined: shared memory");
		return 1;
	}
	api_init();
	o.handler = api_handle;
	o.configure = api_configure;
	o.worker_init = api_worker_init;
	o.worker_fini = api_worker_fini;
	return master_run(&o);
}

/* Turns "140821,140882" into a JSON list for keys_read_areas(). */
static json_t *
areas_list(const char *csv)
{
	json_t *arr = json_array();
	char buf[256], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", csv);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save))
		json_array_append_new(arr, json_string(tok));
	return arr;
}

static int
key_create(const struct config *cfg, int argc, char **argv)
{
	const char *role = NULL, *name = NULL, *areas = "", *expires = NULL;
	char key[80], prefix[16], hash[65], id[40], lit[256];
	const char *params[7];
	struct verrors v;
	json_t *arr;
	int i, n;

	for (i = 0; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--role") == 0)
			role = argv[i + 1];
		else if (strcmp(argv[i], "--name") == 0)
			name = argv[i + 1];
		else if (strcmp(argv[i], "--areas") == 0)
			areas = argv[i + 1];
		else if (strcmp(argv[i], "--expires") == 0)
			expires = argv[i + 1];
		else
			usage();
	}
	if (i != argc || role == NULL || name == NULL)
		usage();
	if (auth_role_parse(role) == 0) {
		fprintf(stderr, "pipelined: unknown role '%s'\n", role);
		return 2;
	}
	if (expires != NULL && !validate_date(expires, NULL)) {
		fprintf(stderr, "pipelined: --expires: not a date\n");
		return 2;
	}
	verrors_init(&v);
	arr = areas_list(areas);
	n = keys_read_areas(arr, lit, sizeof(lit), &v);
	json_decref(arr);
	verrors_free(&v);
	if (n < 0 || ((auth_role_parse(role) == ROLE_COUNTY ||
	                  auth_role_parse(role) == ROLE_REPORTER) &&
	                 n == 0)) {
		fprintf(
		    stderr, "pipelined: --areas: known area codes needed\n");
		return 2;
	}
	if (auth_key_generate(key, prefix, hash) != 0)
		return 1;
	params[0] = name;
	params[1] = role;
	params[2] = lit;
	params[3] = prefix;
	params[4] = hash;
	params[5] = NULL;
	params[6] = expires;
	if (db_principal_create(db_conninfo(cfg->database_url), params, id) !=
	    0)
		return 1;
	printf("%s\n", key);
	fprintf(
	    stderr, "pipelined: created %s key %s (id %s)\n", role, prefix, id);
	OPENSSL_cleanse(key, sizeof(key));
	return 0;
}

/* The configuration file when -c names none (the comment at the top). */
static const char *
default_conf(void)
{
	const char *env = getenv("PIPELINED_CONF");

	if (env != NULL && *env != '\0')
		return env;
	if (access("var/run.conf", R_OK) == 0)
		return "var/run.conf";
	return "conf/pipelined.conf";
}

/* https://bind:port, with an IPv6 address in brackets. */
static void
print_url(const struct config *cfg)
{
	if (strchr(cfg->bind, ':') != NULL)
		printf("https://[%s]:%d\n", cfg->bind, cfg->port);
	else
		printf("https://%s:%d\n", cfg->bind, cfg->port);
}

int
main(int argc, char **argv)
{
	const char *conf = default_conf();
	struct config cfg;
	char err[512];
	int opt;

	alloc_install();
	while ((opt = getopt(argc, argv, "+c:")) != -1) {
		if (opt == 'c')
			conf = optarg;
		else
			usage();
	}
	argc -= optind;
	argv += optind;
	config_defaults(&cfg);
	if (config_load(&cfg, conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "pipelined: %s\n", err);
		return 1;
	}
	if (argc == 0 || strcmp(argv[0], "serve") == 0)
		return serve(&cfg, conf);
	if (strcmp(argv[0], "check") == 0) {
		printf("%s: ok\n", conf);
		return 0;
	}
	if (strcmp(argv[0], "openapi") == 0)
		return api_openapi_print(stdout) == 0 ? 0 : 1;
	if (strcmp(argv[0], "url") == 0) {
		print_url(&cfg);
		return 0;
	}
	if (strcmp(argv[0], "migrate") == 0)
		return db_migrate(db_conninfo(cfg.database_url)) == 0 ? 0 : 1;
	if (argc >= 2 && strcmp(argv[0], "key") == 0 &&
	    strcmp(argv[1], "create") == 0)
		return key_create(&cfg, argc - 2, argv + 2);
	usage();
	return 2;
}

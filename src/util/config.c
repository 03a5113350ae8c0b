/*
 * config.c: parses the configuration file (config_parse_text() its text,
 * config_load() the file).
 *
 * The format is Kore's: one "option value" per line, '#' starts a comment,
 * blank lines are ignored. An unknown option, a value out of bounds, a
 * value that is not a whole number where one is expected, or an option
 * given twice stops start-up: a server that silently ignores a typo in
 * "max_body_size" is worse than one that refuses to start.
 */
#include "config.h"
#include "alloc.h"
#include "cidr.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INT_OPT(n, d, lo, hi)                                                  \
	{                                                                      \
#n, CONFIG_INT, offsetof(struct config, n), d, lo, hi, NULL    \
	}
#define STR_OPT(n, d)                                                          \
	{                                                                      \
#n, CONFIG_STR, offsetof(struct config, n), d, 0, 0, NULL      \
	}
/* A string that must be one of the words, separated by '|'. */
#define WORD_OPT(n, d, w)                                                      \
	{                                                                      \
#n, CONFIG_STR, offsetof(struct config, n), d, 0, 0, w         \
	}

const struct config_option config_options[] = {
    STR_OPT(bind, "127.0.0.1"),
    INT_OPT(port, "8443", 1, 65535),
    INT_OPT(workers, "0", 0, 64),
    STR_OPT(tls_certificate, "var/tls/server.crt"),
    STR_OPT(tls_certificate_key, "var/tls/server.key"),
    STR_OPT(tls_client_ca, ""),
    WORD_OPT(tls_key_manager, "on", "on|off"),
    STR_OPT(key_manager_user, ""),
    INT_OPT(key_manager_timeout_ms, "500", 10, 60000),
    STR_OPT(database_url, ""),
    STR_OPT(database_read_url, ""),
    INT_OPT(replica_max_lag_ms, "1000", 0, 3600000),
    INT_OPT(db_pool_size, "4", 1, 64),
    INT_OPT(db_reconnect_max_ms, "2000", 10, 60000),
    INT_OPT(db_statement_timeout_ms, "30000", 100, 3600000),
    INT_OPT(db_lock_timeout_ms, "10000", 100, 3600000),
    INT_OPT(max_header_size, "8192", 1024, 1048576),
    INT_OPT(max_body_size, "1048576", 1024, 268435456),
    INT_OPT(max_body_memory, "67108864", 1024, 1073741824),
    INT_OPT(max_photo_size, "10485760", 1024, 268435456),
    INT_OPT(max_photo_pixels, "60000000", 1, 1000000000),
    INT_OPT(photo_keep_unreferenced, "604800", 1, 31536000),
    INT_OPT(header_timeout, "10", 1, 3600),
    INT_OPT(body_timeout, "30", 1, 3600),
    INT_OPT(keepalive_timeout, "60", 1, 3600),
    INT_OPT(write_timeout, "30", 1, 3600),
    INT_OPT(output_high_watermark, "1048576", 16384, 268435456),
    INT_OPT(output_low_watermark, "262144", 0, 268435456),
    INT_OPT(max_connections, "2048", 1, 1000000),
    INT_OPT(max_connections_per_address, "256", 1, 1000000),
    INT_OPT(drain_timeout, "10", 1, 3600),
    INT_OPT(drain_accept_ms, "0", 0, 60000),
    STR_OPT(access_log, "stdout"),
    STR_OPT(user, ""),
    STR_OPT(trusted_proxies, ""),
    STR_OPT(proxy_protocol_from, ""),
    WORD_OPT(sandbox, "on", "on|log|off"),
    INT_OPT(rate_limit_per_second, "100", 1, 1000000),
    INT_OPT(rate_limit_burst, "200", 1, 1000000),
    WORD_OPT(rate_limit_shared, "on", "on|off"),
    INT_OPT(auth_failures_per_minute, "30", 1, 1000000),
    INT_OPT(idempotency_ttl_hours, "24", 24, 8760),
    INT_OPT(alert_start_red_days, "90", 1, 3650),
    INT_OPT(alert_progress_yellow_points, "10", 1, 100),
    INT_OPT(alert_progress_red_points, "30", 1, 100),
    INT_OPT(alert_reporting_yellow_days, "30", 1, 3650),
    INT_OPT(alert_reporting_red_days, "60", 1, 3650),
};

#define NOPTIONS (sizeof(config_options) / sizeof(config_options[0]))

const size_t config_noptions = NOPTIONS;

/* Whether value is one of the '|'-separated words, whole: "on|log" is
 * not a word of "on|log|off". */
static int
is_word(const char *words, const char *value)
{
	size_t n = strlen(value), len;
	const char *w = words, *bar;

	for (;;) {
		bar = strchr(w, '|');
		len = bar != NULL ? (size_t)(bar - w) : strlen(w);
		if (len == n && strncmp(w, value, n) == 0)
			return 1;
		if (bar == NULL)
			return 0;
		w = bar + 1;
	}
}

static int
set_option(struct config *cfg, const struct config_option *o, const char *value,
    char *why, size_t whylen)
{
	char *field = (char *)cfg + o->offset;
	char *end;
	long v;

	if (o->type == CONFIG_STR) {
		if (o->words != NULL && !is_word(o->words, value)) {
			snprintf(why, whylen, "'%s' is not one of %s", value,
			    o->words);
			return -1;
		}
		if (strlen(value) >= CONFIG_STR_MAX) {
			snprintf(why, whylen, "value longer than %d bytes",
			    CONFIG_STR_MAX - 1);
			return -1;
		}
		memcpy(field, value, strlen(value) + 1); /* bounded above */
		return 0;
	}
	errno = 0;
	v = strtol(value, &end, 10);
	if (*value == '\0' || *end != '\0' || errno != 0) {
		snprintf(why, whylen, "'%s' is not a whole number", value);
		return -1;
	}
	if (v < o->min || v > o->max) {
		snprintf(
		    why, whylen, "%ld is outside %ld..%ld", v, o->min, o->max);
		return -1;
	}
	*(int *)field = (int)v;
	return 0;
}

void
config_defaults(struct config *cfg)
{
	char why[128];
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < NOPTIONS; i++)
		(void)set_option(cfg, &config_options[i], config_options[i].def,
		    why, sizeof(why));
}

static const struct config_option *
find_option(const char *name)
{
	size_t i;

	for (i = 0; i < NOPTIONS; i++)
		if (strcmp(config_options[i].name, name) == 0)
			return &config_options[i];
	return NULL;
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Splits one line into its option and value; returns 0 for a blank line. */
static int
split_line(char *line, char **name, char **value)
{
	char *hash, *p;

	if ((hash = strchr(line, '#')) != NULL)
		*hash = '\0';
	p = trim(line);
	if (*p == '\0')
		return 0;
	*name = p;
	while (*p != '\0' && !isspace((unsigned char)*p))
		p++;
	if (*p != '\0')
		*p++ = '\0';
	*value = trim(p);
	return 1;
}

/* Rules between options, checked once all of them are read. */
static int
check_relations(
    const struct config *cfg, const char *path, char *err, size_t errlen)
{
	struct cidr_list proxies;
	char why[128];

	if (cfg->output_low_watermark >= cfg->output_high_watermark) {
		snprintf(err, errlen,
		    "%s: output_low_watermark (%d) must be below "
		    "output_high_watermark (%d)",
		    path, cfg->output_low_watermark,
		    cfg->output_high_watermark);
		return -1;
	}
	if ((size_t)cfg->max_body_memory < config_max_body_any(cfg)) {
		snprintf(err, errlen,
		    "%s: max_body_memory (%d) must hold at least one body of "
		    "max_body_size (%d) and one photo of max_photo_size (%d)",
		    path, cfg->max_body_memory, cfg->max_body_size,
		    cfg->max_photo_size);
		return -1;
	}
	if (cidr_list_parse(cfg->trusted_proxies, &proxies, why, sizeof(why)) !=
	    0) {
		snprintf(err, errlen, "%s: trusted_proxies: %s", path, why);
		return -1;
	}
	if (cidr_list_parse(
	        cfg->proxy_protocol_from, &proxies, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s: proxy_protocol_from: %s", path, why);
		return -1;
	}
	return 0;
}

/*
 * The lines are those fgets() with a buffer of CONFIG_LINE_MAX + 2 bytes
 * read when this parser read the file itself: one per '\n', and a last
 * one without it; none is longer than CONFIG_LINE_MAX.
 */
int
config_parse_text(struct config *cfg, const char *text, size_t len,
    const char *name, char *err, size_t errlen)
{
	unsigned char seen[NOPTIONS] = {0};
	const struct config_option *o;
	const char *p = text, *end = text + len, *nl;
	char line[CONFIG_LINE_MAX + 1], why[160], *opt, *value;
	size_t n;
	int lineno = 0, rc = 0;

	while (rc == 0 && p < end) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > CONFIG_LINE_MAX) {
			snprintf(
			    err, errlen, "%s:%d: line too long", name, lineno);
			rc = -1;
			break;
		}
		/* A NUL would end the line early, and what follows it on the
		 * line would be ignored without a word. */
		if (memchr(p, '\0', n) != NULL) {
			snprintf(err, errlen, "%s:%d: NUL byte", name, lineno);
			rc = -1;
			break;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl + 1;
		if (split_line(line, &opt, &value) == 0) {
			continue;
		} else if ((o = find_option(opt)) == NULL) {
			snprintf(err, errlen, "%s:%d: unknown option '%s'",
			    name, lineno, opt);
			rc = -1;
		} else if (seen[o - config_options]++) {
			snprintf(err, errlen, "%s:%d: option '%s' given twice",
			    name, lineno, opt);
			rc = -1;
		} else if (*value == '\0' && o->type == CONFIG_INT) {
			snprintf(err, errlen,
			    "%s:%d: option '%s' needs a value", name, lineno,
			    opt);
			rc = -1;
		} else if (set_option(cfg, o, value, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s:%d: option '%s': %s", name,
			    lineno, opt, why);
			rc = -1;
		}
	}
	if (rc == 0)
		rc = check_relations(cfg, name, err, errlen);
	return rc;
}

/* Reads the whole file, then parses it as text. */
int
config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	FILE *fp;
	int rc;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			text = xrealloc(text, cap);
		}
		n = fread(text + len, 1, cap - len, fp);
		len += n;
	} while (n > 0);
	/* A directory opens, and fails only here: it is no configuration. */
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	} else
		rc = config_parse_text(cfg, text, len, path, err, errlen);
	fclose(fp);
	free(text);
	return rc;
}

size_t
config_max_body_any(const struct config *cfg)
{
	return (size_t)(cfg->max_body_size > cfg->max_photo_size
	                    ? cfg->max_body_size
	                    : cfg->max_photo_size);
}

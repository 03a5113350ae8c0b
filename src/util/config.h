/*
 * config.h: the server's configuration, read from one file of
 * "option value" lines. Every option, its default and its bounds are
 * listed once, in the table in config.c; conf/pipelined.conf documents
 * them for operators.
 */
#ifndef PIPELINED_CONFIG_H
#define PIPELINED_CONFIG_H

#include <stddef.h>

#define CONFIG_STR_MAX 512

struct config {
	char bind[CONFIG_STR_MAX];
	int port;
	int workers;
	char tls_certificate[CONFIG_STR_MAX];
	char tls_certificate_key[CONFIG_STR_MAX];
	char tls_client_ca[CONFIG_STR_MAX];
	char tls_key_manager[CONFIG_STR_MAX]; /* "on" or "off" */
	char key_manager_user[CONFIG_STR_MAX];
	int key_manager_timeout_ms;
	char database_url[CONFIG_STR_MAX];
	char database_read_url[CONFIG_STR_MAX];
	int replica_max_lag_ms;
	int db_pool_size;
	int db_reconnect_max_ms;
	int db_statement_timeout_ms;
	int db_lock_timeout_ms;
	int max_header_size;
	int max_body_size;
	int max_body_memory;
	int max_photo_size;
	int max_photo_pixels;
	int photo_keep_unreferenced;
	int header_timeout;
	int body_timeout;
	int keepalive_timeout;
	int write_timeout;
	int output_high_watermark;
	int output_low_watermark;
	int max_connections;
	int max_connections_per_address;
	int drain_timeout;
	int drain_accept_ms;
	char access_log[CONFIG_STR_MAX];
	char user[CONFIG_STR_MAX];
	char trusted_proxies[CONFIG_STR_MAX];
	char proxy_protocol_from[CONFIG_STR_MAX];
	char sandbox[CONFIG_STR_MAX]; /* "on", "log" or "off" */
	int rate_limit_per_second;
	int rate_limit_burst;
	char rate_limit_shared[CONFIG_STR_MAX]; /* "on" or "off" */
	int auth_failures_per_minute;
	int idempotency_ttl_hours;
	int alert_start_red_days;
	int alert_progress_yellow_points;
	int alert_progress_red_points;
	int alert_reporting_yellow_days;
	int alert_reporting_red_days;
};

/*
 * The options, one entry each: the table config.c reads, visible so that
 * the tests can check a parsed configuration against its bounds.
 */
enum config_type { CONFIG_INT, CONFIG_STR };

struct config_option {
	const char *name;
	enum config_type type;
	size_t offset; /* of its field in struct config */
	const char *def;
	long min, max; /* a CONFIG_INT's bounds, inclusive */
	const char *words; /* a CONFIG_STR's values, '|'-separated, or NULL */
};

extern const struct config_option config_options[];
extern const size_t config_noptions;

/* The longest line, without its newline, that a configuration may have. */
#define CONFIG_LINE_MAX 2046

/* Fills cfg with the defaults of every option. */
void config_defaults(struct config *cfg);

/*
 * Reads path over the defaults. On error returns -1 and writes a message
 * naming the file, line and option into err.
 */
int config_load(struct config *cfg, const char *path, char *err, size_t errlen);

/* The largest body any route may be let have (max_body_size, or a
 * photo's max_photo_size). */
size_t config_max_body_any(const struct config *cfg);

/*
 * Parses len bytes of text over cfg, as config_load() parses a file's;
 * name stands for the file in the messages. A NUL byte is an error.
 */
int config_parse_text(struct config *cfg, const char *text, size_t len,
    const char *name, char *err, size_t errlen);

#endif

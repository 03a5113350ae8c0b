/*
 * service.c: the API layer's set-up: once in the master before the
 * workers fork (metrics labels, shared rate limits, prepared statements),
 * and in each worker its configuration (a reload gives new workers a new
 * one) and its database pools.
 */
#include <string.h>

#include "../util/metrics.h"
#include "api.h"
#include "handlers.h"
#include "ratelimit.h"
#include "replica.h"

const struct config *api_cfg;
struct db_pool *api_pool;
struct db_pool *api_read_pool;

static void
observe_gauges(int in_use, int waiting, int connected)
{
	metrics_pool_gauges(in_use, waiting, connected);
}

void
api_init(void)
{
	static const struct db_observer obs = {observe_gauges, metrics_db_error,
	    metrics_db_batch, metrics_db_shared};

	db_set_observer(&obs);
	db_register_all();
	ratelimit_init();
	metrics_set_routes(api_route_names(), api_nroutes);
	openapi_init();
}

void
api_configure(const struct config *cfg)
{
	api_cfg = cfg;
	ratelimit_configure(cfg->rate_limit_per_second, cfg->rate_limit_burst,
	    cfg->auth_failures_per_minute,
	    strcmp(cfg->rate_limit_shared, "on") == 0);
}

int
api_worker_init(struct event_base *base, void *arg)
{
	(void)arg;
	api_pool = db_pool_new(base, db_conninfo(api_cfg->database_url),
	    api_cfg->db_pool_size, api_cfg->db_reconnect_max_ms,
	    api_cfg->db_statement_timeout_ms, api_cfg->db_lock_timeout_ms);
	if (api_pool == NULL || photos_sweep_start(base) != 0)
		return -1;
	return replica_worker_init(base);
}

void
api_worker_fini(void *arg)
{
	(void)arg;
	photos_sweep_stop();
	replica_worker_fini();
	db_pool_free(api_pool);
	api_pool = NULL;
}

/* areas.c: GET /api/v1/areas — the city and its 13 county-level units. */
#include "api.h"
#include "handlers.h"

static void
listed(const db_result *st, const struct db_json *areas, void *arg)
{
	struct api_req *a = arg;

	if (db_failed(st) || areas == NULL) {
		api_db_problem(a, st);
		return;
	}
	a->http->cache_control = "private, max-age=3600";
	api_json(a, 200, areas->text, areas->len);
}

void
areas_list(struct api_req *a)
{
	api_sent(a, db_area_list(api_pool, listed, a));
}

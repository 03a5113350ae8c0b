/* areas.c: GET /api/v1/areas — the city and its 13 county-level units. */
#include "api.h"
#include "handlers.h"

static void
listed(struct api_req *a, const db_result *res)
{
	if (db_failed(res)) {
		api_db_problem(a, res);
		return;
	}
	http_add_header(a->http, "Cache-Control", "max-age=3600");
	api_json(a, 200, db_value(res, 0, 0), db_length(res, 0, 0));
}

void
areas_list(struct api_req *a)
{
	api_query(a, "area_list", 0, NULL, listed);
}

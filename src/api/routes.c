/*
 * routes.c: the one route table. Method, path, handler, the roles that
 * may call it, and its name (the metrics label and OpenAPI operationId).
 * The OpenAPI document and the authorization tests are checked against
 * this table, so a route added here is a route documented and tested.
 */
#include "api.h"
#include "handlers.h"

#define A  ROLE_ADMIN
#define E  ROLE_EDITOR
#define C  ROLE_COUNTY
#define RP ROLE_REPORTER
#define RC ROLE_RECONCILER

const struct route api_routes[] = {
    {HTTP_M_GET, "/health", ops_health, ROLES_PUBLIC, "health", 0},
    {HTTP_M_GET, "/ready", ops_ready, ROLES_PUBLIC, "ready", 0},
    {HTTP_M_GET, "/metrics", ops_metrics, ROLES_PUBLIC, "metrics", 0},
    {HTTP_M_GET, "/openapi.json", ops_openapi, ROLES_PUBLIC, "openapi", 0},
    {HTTP_M_GET, "/problems", problems_list, ROLES_PUBLIC, "listProblemTypes",
        0},
    {HTTP_M_GET, "/problems/{name}", problems_get, ROLES_PUBLIC,
        "getProblemType", 0},
    {HTTP_M_GET, "/labels", labels_get, ROLES_PUBLIC, "getLabels", 0},
    {HTTP_M_GET, "/api/v1/areas", areas_list, ROLES_ANY, "listAreas", 0},
    {HTTP_M_GET, "/api/v1/projects", projects_list, ROLES_ANY, "listProjects",
        0},
    {HTTP_M_POST, "/api/v1/projects", projects_create, A | E | C,
        "createProject", ROUTE_IDEMPOTENT},
    {HTTP_M_GET, "/api/v1/projects/{id}", projects_get, ROLES_ANY, "getProject",
        0},
    {HTTP_M_PATCH, "/api/v1/projects/{id}", projects_patch, A | E | C,
        "updateProject", 0},
    {HTTP_M_GET, "/api/v1/projects/{id}/events", events_list, ROLES_ANY,
        "listEvents", 0},
    {HTTP_M_POST, "/api/v1/projects/{id}/events", events_create, A | E | C,
        "createEvent", ROUTE_IDEMPOTENT},
    {HTTP_M_GET, "/api/v1/projects/{id}/events/{event_id}", events_get,
        ROLES_ANY, "getEvent", 0},
    {HTTP_M_POST, "/api/v1/projects/{id}/events/{event_id}/retraction",
        events_retract, A | E | C, "retractEvent", ROUTE_IDEMPOTENT},
    {HTTP_M_GET, "/api/v1/projects/{id}/reports", reports_list, ROLES_ANY,
        "listReports", 0},
    {HTTP_M_POST, "/api/v1/projects/{id}/reports", reports_create,
        A | E | C | RP, "createReport", ROUTE_IDEMPOTENT},
    {HTTP_M_GET, "/api/v1/projects/{id}/reports/{report_id}", reports_get,
        ROLES_ANY, "getReport", 0},
    {HTTP_M_GET, "/api/v1/projects/{id}/reports/{report_id}/photos/{n}",
        reports_photo, ROLES_ANY, "getReportPhoto", 0},
    {HTTP_M_POST, "/api/v1/reports/batch", reports_batch, A | E | C | RP,
        "submitReports", 0},
    {HTTP_M_GET, "/api/v1/reports", reports_search, ROLES_ANY, "searchReports",
        0},
    {HTTP_M_GET, "/api/v1/reports/{id}", reports_get_by_id, ROLES_ANY,
        "getReportById", 0},
    {HTTP_M_PUT, "/api/v1/photos/{sha256}", photos_put, A | E | C | RP,
        "putPhoto", ROUTE_PHOTO_BODY},
    {HTTP_M_GET, "/api/v1/photos/{sha256}", photos_get, ROLES_ANY, "getPhoto",
        0},
    {HTTP_M_GET, "/api/v1/stats/pipeline", stats_pipeline, ROLES_ANY,
        "getPipelineFigures", 0},
    {HTTP_M_GET, "/api/v1/stats/alerts", stats_alerts, ROLES_ANY, "getAlerts",
        0},
    {HTTP_M_GET, "/api/v1/targets/{year}", targets_get, ROLES_ANY, "getTargets",
        0},
    {HTTP_M_PUT, "/api/v1/targets/{year}", targets_put, A, "putTargets", 0},
    {HTTP_M_GET, "/api/v1/batches", batches_list, ROLES_ANY, "listBatches", 0},
    {HTTP_M_GET, "/api/v1/batches/{id}", batches_get, ROLES_ANY, "getBatch", 0},
    {HTTP_M_POST, "/api/v1/batches", batches_create, A | E, "createBatch",
        ROUTE_IDEMPOTENT},
    {HTTP_M_GET, "/api/v1/keys", keys_list, A, "listKeys", 0},
    {HTTP_M_POST, "/api/v1/keys", keys_create, A, "createKey", 0},
    {HTTP_M_GET, "/api/v1/keys/{id}", keys_get, A, "getKey", 0},
    {HTTP_M_DELETE, "/api/v1/keys/{id}", keys_revoke, A, "revokeKey", 0},
    {HTTP_M_GET, "/api/v1/audit", audit_list, A, "listAudit", 0},
    {HTTP_M_GET, "/api/v1/changes", changes_list, A | RC, "listChanges", 0},
    {HTTP_M_POST, "/api/v1/imports", imports_create, A | RC, "createImport",
        ROUTE_IDEMPOTENT},
};

const int api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);

const char *const *
api_route_names(void)
{
	static const char *names[sizeof(api_routes) / sizeof(api_routes[0])];
	int i;

	for (i = 0; i < api_nroutes; i++)
		names[i] = api_routes[i].name;
	return names;
}

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
    {HTTP_M_GET, "/health", ops_health, ROLES_PUBLIC, "health"},
    {HTTP_M_GET, "/ready", ops_ready, ROLES_PUBLIC, "ready"},
    {HTTP_M_GET, "/metrics", ops_metrics, ROLES_PUBLIC, "metrics"},
    {HTTP_M_GET, "/openapi.json", ops_openapi, ROLES_PUBLIC, "openapi"},
    {HTTP_M_GET, "/api/v1/areas", areas_list, ROLES_ANY, "listAreas"},
    {HTTP_M_GET, "/api/v1/projects", projects_list, ROLES_ANY, "listProjects"},
    {HTTP_M_POST, "/api/v1/projects", projects_create, A | E | C,
        "createProject"},
    {HTTP_M_GET, "/api/v1/projects/{id}", projects_get, ROLES_ANY,
        "getProject"},
    {HTTP_M_PATCH, "/api/v1/projects/{id}", projects_patch, A | E | C,
        "updateProject"},
    {HTTP_M_GET, "/api/v1/projects/{id}/events", events_list, ROLES_ANY,
        "listEvents"},
    {HTTP_M_POST, "/api/v1/projects/{id}/events", events_create, A | E | C,
        "createEvent"},
    {HTTP_M_POST, "/api/v1/projects/{id}/events/{event_id}/retraction",
        events_retract, A | E | C, "retractEvent"},
    {HTTP_M_GET, "/api/v1/stats/pipeline", stats_pipeline, ROLES_ANY,
        "getPipelineFigures"},
    {HTTP_M_GET, "/api/v1/stats/alerts", stats_alerts, ROLES_ANY, "getAlerts"},
    {HTTP_M_GET, "/api/v1/targets/{year}", targets_get, ROLES_ANY,
        "getTargets"},
    {HTTP_M_PUT, "/api/v1/targets/{year}", targets_put, A, "putTargets"},
    {HTTP_M_GET, "/api/v1/batches", batches_list, ROLES_ANY, "listBatches"},
    {HTTP_M_POST, "/api/v1/batches", batches_create, A | E, "createBatch"},
    {HTTP_M_GET, "/api/v1/keys", keys_list, A, "listKeys"},
    {HTTP_M_POST, "/api/v1/keys", keys_create, A, "createKey"},
    {HTTP_M_DELETE, "/api/v1/keys/{id}", keys_revoke, A, "revokeKey"},
    {HTTP_M_GET, "/api/v1/audit", audit_list, A, "listAudit"},
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

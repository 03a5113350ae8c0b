/*
 * projects.c: the statements about projects and their events. The writes
 * are SQL functions (sql/004_project_writes.sql) so that a change, its
 * derived fields and its audit row are one atomic call.
 */
#include "statements.h"

#define EVENTS_OF(p)                                                           \
	"(SELECT coalesce(json_agg(json_build_object('id', e.id, 'type',"      \
	" e.type, 'effective_on', e.effective_on, 'amount_yuan',"              \
	" e.amount_yuan, 'retracts', e.retracts) ORDER BY e.seq), '[]')"       \
	" FROM project_events e WHERE e.project_id = " p ".id)"

const struct db_stmt db_project_stmts[] = {
    {"project_get", "SELECT project_json(p), p.version, p.area FROM projects p"
                    " WHERE p.id = $1"},
    /* Under load, the waiting lookups as one statement (db.h). */
    {"project_get_batch",
        "SELECT k, project_json(p), p.version, p.area"
        " FROM unnest($1::text[]) k JOIN projects p ON p.id = k::uuid"
        " ORDER BY k"},
    /* The project and its whole history, for the rules. */
    {"project_history", "SELECT project_json(p), p.version, p.area, " EVENTS_OF(
                            "p") " FROM projects p WHERE p.id = $1"},
    {"project_history_batch",
        "SELECT k, project_json(p), p.version, p.area, " EVENTS_OF(
            "p") " FROM unnest($1::text[]) k"
                 " JOIN projects p ON p.id = k::uuid ORDER BY k"},
    {"project_create",
        "SELECT project_create($1::json, $2::json, $3::json, $4::json)"},
    {"project_update",
        "SELECT project_update($1::uuid, $2::bigint, $3::json, $4::json)"},
    {"event_append",
        "SELECT event_append($1::uuid, $2::bigint, $3::json, $4::json,"
        " $5::json)"},
    {"project_page",
        "SELECT doc, seq FROM project_page($1, $2, $3, $4, $5, $6, $7,"
        " $8, $9, $10::uuid)"},
    /* Every event, each with the retraction that withdrew it, if any. */
    {"event_list",
        "SELECT (SELECT coalesce(json_agg(json_build_object("
        "  'id', e.id, 'type', e.type, 'effective_on', e.effective_on,"
        "  'amount_yuan', e.amount_yuan, 'kind', e.kind, 'note', e.note,"
        "  'retracts', e.retracts, 'reason', e.reason,"
        "  'recorded_at', e.recorded_at, 'recorded_by', e.recorded_by,"
        "  'retracted_by', CASE WHEN r.id IS NULL THEN NULL ELSE"
        "   json_build_object('id', r.id, 'reason', r.reason,"
        "   'recorded_at', r.recorded_at) END) ORDER BY e.seq), '[]')"
        " FROM project_events e"
        " LEFT JOIN project_events r ON r.retracts = e.id"
        " WHERE e.project_id = p.id), p.area"
        " FROM projects p WHERE p.id = $1"},
};

const size_t db_project_nstmts =
    sizeof(db_project_stmts) / sizeof(db_project_stmts[0]);

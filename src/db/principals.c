/*
 * principals.c: the statements about principals (API keys and client
 * certificates) and the operational checks.
 */
#include "call.h"
#include "statements.h"

#define PRINCIPAL_COLUMNS "id, name, role, areas::text, "

const struct db_stmt db_principal_stmts[] = {
    {"schema_version",
        "SELECT coalesce(max(version), 0) FROM schema_migrations"},
    {"principal_by_key_prefix", "SELECT " PRINCIPAL_COLUMNS "key_hash, "
                                " coalesce(expires_on < today_local(), false), "
                                " revoked_at IS NOT NULL "
                                "FROM principals WHERE key_prefix = $1"},
    {"principal_by_cert", "SELECT " PRINCIPAL_COLUMNS "cert_sha256, "
                          " coalesce(expires_on < today_local(), false), "
                          " revoked_at IS NOT NULL "
                          "FROM principals WHERE cert_sha256 = $1"},
    /* $1 name, $2 role, $3 areas, $4 prefix, $5 hash, $6 cert,
     * $7 expires_on, then the audit columns $8..$12. */
    {"principal_insert",
        "WITH p AS ("
        " INSERT INTO principals (id, name, role, areas, key_prefix,"
        "  key_hash, cert_sha256, expires_on)"
        " SELECT gen_random_uuid(), $1, $2, $3::text[], $4, $5, $6, $7::date"
        /* Areas are data: every code must be in the areas table. */
        " WHERE $3::text[] <@ ARRAY(SELECT code FROM areas)"
        " RETURNING *),"
        " doc AS (SELECT json_build_object('id', id, 'name', name,"
        "  'role', role, 'areas', areas, 'prefix', key_prefix,"
        "  'client_cert_sha256', cert_sha256, 'expires_on', expires_on,"
        "  'created_at', created_at, 'revoked_at', revoked_at) AS j,"
        "  id FROM p),"
        " a AS (INSERT INTO audit_log (principal_id, principal, request_id,"
        "  method, path, resource_type, resource_id, before, after)"
        "  SELECT $8, $9, $10, $11, $12, 'key', doc.id::text, NULL,"
        "  doc.j::jsonb FROM doc)"
        "SELECT j FROM doc"},
    /* $1 after (seq), $2 limit */
    {"principal_list",
        DB_PAGE("json_build_object('id', id, 'name', name, 'role', role,"
                " 'areas', areas, 'prefix', key_prefix,"
                " 'client_cert_sha256', cert_sha256, 'expires_on',"
                " expires_on, 'created_at', created_at, 'revoked_at',"
                " revoked_at)",
            "seq") " FROM principals WHERE seq > $1 ORDER BY seq LIMIT $2"},
    /* $1 id, then the audit columns $2..$6. */
    {"principal_revoke",
        "WITH b AS (SELECT to_jsonb(p) - 'key_hash' AS doc FROM principals p"
        "  WHERE id = $1),"
        " u AS (UPDATE principals SET revoked_at = now()"
        "  WHERE id = $1 AND revoked_at IS NULL RETURNING *),"
        " a AS (INSERT INTO audit_log (principal_id, principal, request_id,"
        "  method, path, resource_type, resource_id, before, after)"
        "  SELECT $2, $3, $4, $5, $6, 'key', u.id::text, (SELECT doc FROM b),"
        "  to_jsonb(u) - 'key_hash' FROM u)"
        "SELECT (SELECT count(*) FROM b), (SELECT count(*) FROM u)"},
    {"area_list",
        "SELECT coalesce(json_agg(json_build_object('code', code, 'name',"
        " name, 'parent', parent) ORDER BY code), '[]') FROM areas"},
};

const size_t db_principal_nstmts =
    sizeof(db_principal_stmts) / sizeof(db_principal_stmts[0]);

int
db_principal_page(
    struct db_pool *pool, long long after, int rows, db_page_cb cb, void *arg)
{
	const char *params[2];

	return db_call_page(
	    pool, "principal_list", 2, params, 0, after, rows, cb, arg);
}

/*
 * principals.c: the statements about principals (API keys and client
 * certificates) and the operational checks.
 */
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "statements.h"

/* A principal as principal_row() reads it; secret is the column the
 * caller compares with what was presented. */
#define PRINCIPAL_COLUMNS(secret)                                              \
	"id, name, role, areas::text, " secret ","                             \
	" coalesce(expires_on < today_local(), false),"                        \
	" revoked_at IS NOT NULL"

/* A key as the admin sees it: never its hash. */
#define KEY_ITEM                                                               \
	"json_build_object('id', id, 'name', name, 'role', role,"              \
	" 'areas', areas, 'prefix', key_prefix,"                               \
	" 'client_cert_sha256', cert_sha256, 'expires_on',"                    \
	" expires_on, 'created_at', created_at, 'revoked_at',"                 \
	" revoked_at)"

const struct db_stmt db_principal_stmts[] = {
    {"schema_version",
        "SELECT coalesce(max(version), 0) FROM schema_migrations"},
    {"principal_by_key_prefix",
        "SELECT " PRINCIPAL_COLUMNS(
            "key_hash") " FROM principals WHERE key_prefix = $1"},
    {"principal_by_cert",
        "SELECT " PRINCIPAL_COLUMNS(
            "cert_sha256") " FROM principals WHERE cert_sha256 = $1"},
    /* $1 name, $2 role, $3 areas, $4 prefix, $5 hash, $6 cert,
     * $7 expires_on, then the audit columns $8..$13. */
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
        "  method, path, client, resource_type, resource_id, before, after)"
        "  SELECT $8, $9, $10, $11, $12, $13, 'key', doc.id::text, NULL,"
        "  doc.j::jsonb FROM doc)"
        "SELECT j FROM doc"},
    /* $1 after (seq), $2 limit */
    {"principal_list",
        DB_PAGE(KEY_ITEM, "seq") " FROM principals"
                                 " WHERE seq > $1 ORDER BY seq LIMIT $2"},
    /* $1 id */
    {"principal_get", "SELECT " KEY_ITEM " FROM principals WHERE id = $1"},
    /* $1 id, then the audit columns $2..$7; answers (found, revoked). */
    {"principal_revoke",
        "WITH b AS (SELECT to_jsonb(p) - 'key_hash' AS doc FROM principals p"
        "  WHERE id = $1),"
        " u AS (UPDATE principals SET revoked_at = now()"
        "  WHERE id = $1 AND revoked_at IS NULL RETURNING *),"
        " a AS (INSERT INTO audit_log (principal_id, principal, request_id,"
        "  method, path, client, resource_type, resource_id, before, after)"
        "  SELECT $2, $3, $4, $5, $6, $7, 'key', u.id::text,"
        "  (SELECT doc FROM b), to_jsonb(u) - 'key_hash' FROM u)"
        "SELECT (SELECT count(*) FROM b), (SELECT count(*) FROM u)"},
    {"area_list",
        "SELECT coalesce(json_agg(json_build_object('code', code, 'name',"
        " name, 'parent', parent) ORDER BY code), '[]') FROM areas"},
};

const size_t db_principal_nstmts =
    sizeof(db_principal_stmts) / sizeof(db_principal_stmts[0]);

/* ---- principal_by_key_prefix, principal_by_cert ------------------------ */

/* PRINCIPAL_COLUMNS; NULL unless exactly one row: a lookup that is not
 * unique finds no one. */
static const struct db_principal *
principal_row(const db_result *res, struct db_principal *p)
{
	if (db_failed(res) || db_rows(res) != 1)
		return NULL;
	p->id = db_value(res, 0, 0);
	p->name = db_value(res, 0, 1);
	p->role = db_value(res, 0, 2);
	p->areas = db_value(res, 0, 3);
	p->secret = db_value(res, 0, 4);
	p->expired = strcmp(db_value(res, 0, 5), "t") == 0;
	p->revoked = strcmp(db_value(res, 0, 6), "t") == 0;
	return p;
}

struct principal_call {
	db_principal_cb cb;
	void *arg;
};

static void
principal_done(const db_result *res, void *ctx)
{
	const struct principal_call *c = ctx;
	struct db_principal p;

	c->cb(res, principal_row(res, &p), c->arg);
}

static int
principal_by(struct db_pool *pool, const char *stmt, const char *key,
    db_principal_cb cb, void *arg)
{
	const char *params[1] = {key};
	struct principal_call c = {cb, arg};

	return db_call(pool, stmt, 1, params, 0, principal_done, &c, sizeof(c));
}

int
db_principal_by_key_prefix(
    struct db_pool *pool, const char *prefix, db_principal_cb cb, void *arg)
{
	return principal_by(pool, "principal_by_key_prefix", prefix, cb, arg);
}

int
db_principal_by_cert(
    struct db_pool *pool, const char *sha256, db_principal_cb cb, void *arg)
{
	return principal_by(pool, "principal_by_cert", sha256, cb, arg);
}

/* ---- principal_insert, principal_list ---------------------------------- */

int
db_principal_insert(struct db_pool *pool, const struct db_principal_new *p,
    const struct db_actor *who, db_json_cb cb, void *arg)
{
	const char *params[7 + DB_ACTOR_NPARAMS] = {p->name, p->role, p->areas,
	    p->prefix, p->key_hash, p->cert_sha256, p->expires_on};

	db_actor_params(who, params + 7);
	return db_call_json(
	    pool, "principal_insert", 7 + DB_ACTOR_NPARAMS, params, 0, cb, arg);
}

int
db_principal_page(
    struct db_pool *pool, long long after, int rows, db_page_cb cb, void *arg)
{
	const char *params[2];

	return db_call_page(
	    pool, "principal_list", 2, params, 0, after, rows, cb, arg);
}

int
db_principal_get(struct db_pool *pool, const char *id, db_json_cb cb, void *arg)
{
	const char *params[1] = {id};

	return db_call_json(pool, "principal_get", 1, params, 0, cb, arg);
}

/* ---- principal_revoke -------------------------------------------------- */

/* The two counts: the principal found, then revoked by this call. */
static const struct db_revocation *
revocation_row(const db_result *res, struct db_revocation *r)
{
	if (db_failed(res) || db_rows(res) == 0)
		return NULL;
	r->found = atoll(db_value(res, 0, 0)) > 0;
	r->revoked = atoll(db_value(res, 0, 1)) > 0;
	return r;
}

struct revocation_call {
	db_revocation_cb cb;
	void *arg;
};

static void
revocation_done(const db_result *res, void *ctx)
{
	const struct revocation_call *c = ctx;
	struct db_revocation r;

	c->cb(res, revocation_row(res, &r), c->arg);
}

int
db_principal_revoke(struct db_pool *pool, const char *id,
    const struct db_actor *who, db_revocation_cb cb, void *arg)
{
	const char *params[1 + DB_ACTOR_NPARAMS] = {id};
	struct revocation_call c = {cb, arg};

	db_actor_params(who, params + 1);
	return db_call(pool, "principal_revoke", 1 + DB_ACTOR_NPARAMS, params,
	    0, revocation_done, &c, sizeof(c));
}

/* ---- area_list, schema_version ----------------------------------------- */

int
db_area_list(struct db_pool *pool, db_json_cb cb, void *arg)
{
	return db_call_json(pool, "area_list", 0, NULL, 0, cb, arg);
}

struct schema_call {
	db_schema_cb cb;
	void *arg;
};

static void
schema_done(const db_result *res, void *ctx)
{
	const struct schema_call *c = ctx;
	struct db_schema s;
	int ok = !db_failed(res) && db_rows(res) > 0;

	if (ok)
		s.version = atoi(db_value(res, 0, 0));
	c->cb(res, ok ? &s : NULL, c->arg);
}

int
db_schema_version(struct db_pool *pool, db_schema_cb cb, void *arg)
{
	struct schema_call c = {cb, arg};

	return db_call(
	    pool, "schema_version", 0, NULL, 0, schema_done, &c, sizeof(c));
}

/*
 * write.c: what every write shares: the audit document and the running of
 * a write function. The document's shape is the write functions' (sql/004
 * and after), which is why it is made here and not by the handlers.
 */
#include <stdlib.h>

#include "call.h"

/* The audit document, as text; NULL when memory ran out. */
static char *
audit_text(const struct db_actor *who)
{
	json_t *doc = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?,s:s?,s:s?}",
	    "principal_id", who->principal_id, "principal", who->principal,
	    "request_id", who->request_id, "method", who->method, "path",
	    who->path, "idempotency_key", who->idempotency_key,
	    "idempotency_token", who->idempotency_token, "client", who->client);
	char *text = json_dumps(doc, JSON_COMPACT);

	json_decref(doc);
	return text;
}

int
db_write(struct db_pool *pool, const char *stmt, const char *const *lead,
    int nlead, json_t *const *docs, int ndocs, const struct db_actor *who,
    db_json_cb cb, void *arg)
{
	const char *params[8];
	char *texts[8];
	int i, made, rc = DB_NOMEM;

	if (nlead + ndocs + 1 > 8)
		return DB_NOMEM;
	for (i = 0; i < nlead; i++)
		params[i] = lead[i];
	for (made = 0; made <= ndocs; made++) {
		texts[made] = made < ndocs ? json_dumps(docs[made],
		                                 JSON_COMPACT | JSON_ENCODE_ANY)
		                           : audit_text(who);
		if (texts[made] == NULL)
			break;
		params[nlead + made] = texts[made];
	}
	if (made > ndocs)
		rc = db_call_json(pool, stmt, nlead + made, params, 0, cb, arg);
	for (i = 0; i < made; i++)
		free(texts[i]);
	return rc;
}

void
db_actor_params(const struct db_actor *who, const char **params)
{
	params[0] = who->principal_id;
	params[1] = who->principal;
	params[2] = who->request_id;
	params[3] = who->method;
	params[4] = who->path;
	params[5] = who->client;
}

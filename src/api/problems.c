/*
 * problems.c: every problem type the service answers with, from any
 * layer (the HTTP protocol's, the lifecycle rules', the API's), and the
 * pages that explain them: GET /problems lists them, GET /problems/{name}
 * is the page a problem document's "type" (/problems/{name}) names, as
 * RFC 9457 §3.1.1 asks of a type URI. The tests check that every problem
 * they receive is listed here with its status (tests/support).
 */
#include <string.h>

#include "handlers.h"

struct problem_doc {
	const char *name;
	int status;
	const char *title, *title_zh;
	const char *description;
};

static const struct problem_doc docs[] = {
    /* The HTTP protocol (src/http/). */
    {"malformed-request", 400, "Malformed request", "请求格式错误",
        "The request is not HTTP/1.1 as RFC 9112 frames it (a bad request "
        "line, header or chunk, Content-Length with Transfer-Encoding). The "
        "connection is closed."},
    {"request-timeout", 408, "Request timeout", "请求超时",
        "The request's head or body did not arrive within header_timeout or "
        "body_timeout."},
    {"body-too-large", 413, "Content too large", "请求体过大",
        "The body is larger than max_body_size; it was not read."},
    {"uri-too-long", 414, "URI too long", "请求地址过长",
        "The request line is longer than max_header_size allows."},
    {"header-too-large", 431, "Header fields too large", "请求头过大",
        "The header block is larger than max_header_size."},
    {"not-implemented", 501, "Not implemented", "未实现",
        "A request method, or a transfer coding other than chunked, that "
        "this server does not implement."},
    {"server-busy", 503, "Server busy", "服务繁忙",
        "Request bodies already hold max_body_memory of this worker's memory; "
        "retry after Retry-After."},
    {"version-not-supported", 505, "HTTP version not supported",
        "不支持的HTTP版本", "Only HTTP/1.0 and HTTP/1.1 are served."},
    {"unknown-route", 404, "Not found", "地址不存在",
        "No route has this path. /openapi.json lists them."},
    {"method-not-allowed", 405, "Method not allowed", "不支持的方法",
        "The path exists but not with this method; Allow lists those it "
        "has."},
    /* Authentication, authorization and limits. */
    {"unauthorized", 401, "Unauthorized", "未认证",
        "No valid API key (Authorization: Bearer) or registered client "
        "certificate."},
    {"forbidden", 403, "Forbidden", "无权调用",
        "The principal's role may not call this route (README: the routes "
        "and who may call them)."},
    {"outside-scope", 403, "Outside your areas", "超出权限范围",
        "The principal's role or areas do not cover this resource."},
    {"rate-limited", 429, "Too many requests", "请求过于频繁",
        "The principal's requests exceed rate_limit_per_second; retry after "
        "Retry-After."},
    {"too-many-failures", 429, "Too many failed authentications",
        "认证失败次数过多",
        "This address failed to authenticate more than "
        "auth_failures_per_minute times; retry after Retry-After."},
    /* The request's parts. */
    {"unknown-parameter", 400, "Unknown query parameter", "未知的查询参数",
        "The query has a parameter this operation does not take."},
    {"invalid-parameter", 400, "Invalid query parameter", "查询参数无效",
        "A query parameter's value is not one this operation accepts."},
    {"invalid-cursor", 400, "Invalid cursor", "分页游标无效",
        "The cursor is not one this service issued for this list."},
    {"invalid-json", 400, "Invalid JSON", "JSON格式错误",
        "The body is not one JSON object (or has a key twice)."},
    {"invalid-precondition", 400, "Invalid precondition", "条件请求头无效",
        "If-Match or If-None-Match is not \"*\" or a list of entity tags."},
    {"invalid-idempotency-key", 400, "Invalid Idempotency-Key", "幂等键无效",
        "Idempotency-Key must be 1 to 255 visible ASCII characters."},
    {"invalid-commit-position", 400, "Invalid Commit-Position", "提交位置无效",
        "Commit-Position must be the digits a write's "
        "response carried."},
    {"unsupported-media-type", 415, "Unsupported media type",
        "不支持的内容类型",
        "The body's Content-Type is not one this operation takes "
        "(application/json; a PATCH also application/merge-patch+json)."},
    {"validation", 422, "Unprocessable content", "数据校验未通过",
        "A field is missing or not valid; errors lists each, with its JSON "
        "pointer."},
    {"if-match-required", 428, "Precondition required", "需要If-Match",
        "A PATCH needs If-Match with the resource's ETag (or \"*\")."},
    {"stale-version", 412, "Precondition failed", "版本已变化",
        "The resource changed since the version in If-Match; read it "
        "again."},
    /* Resources. */
    {"not-found", 404, "Not found", "不存在",
        "No such resource (or its id is not a UUID)."},
    {"unknown-event", 404, "Unknown event", "事件不存在",
        "The event to retract is not in this project's history."},
    {"duplicate-code", 409, "Duplicate project code", "项目代码重复",
        "Another project has this code."},
    {"duplicate-certificate", 409, "Duplicate certificate", "证书已登记",
        "That client certificate is already registered to a key."},
    {"concurrent-modification", 409, "Concurrent modification", "并发修改",
        "The project kept changing while this write was checked; retry."},
    {"idempotency-key-in-flight", 409, "Idempotency-Key in flight",
        "幂等请求处理中",
        "A request with this Idempotency-Key is still running; retry after "
        "Retry-After."},
    {"idempotency-key-reused", 422, "Idempotency-Key reused",
        "幂等键已用于其他请求",
        "This Idempotency-Key was used with another request."},
    {"known-at-in-future", 422, "known_at in the future", "知悉时间晚于当前",
        "known_at must not be after now."},
    /* The lifecycle rules (src/domain/lifecycle.c, SPEC §4). */
    {"unknown-event-type", 422, "Unknown event type", "未知的事件类型",
        "type is not one of the lifecycle's events."},
    {"project-cancelled", 409, "Project cancelled", "项目已取消",
        "A cancelled project takes no further events."},
    {"already-signed", 409, "Already signed", "项目已签约",
        "The project has a signing already; retract it first."},
    {"signed-after-started", 409, "Signed after started", "签约晚于开工",
        "The signing would fall after the project's start."},
    {"already-started", 409, "Already started", "项目已开工",
        "The project has started already."},
    {"started-before-signed", 409, "Started before signed", "开工早于签约",
        "A start needs a signing on or before its date."},
    {"not-under-construction", 409, "Not under construction", "项目不在建",
        "Only a project under construction can be suspended or completed."},
    {"not-suspended", 409, "Not suspended", "项目未停工",
        "Only a suspended project can resume."},
    {"not-started", 409, "Not started", "项目未开工",
        "The event needs a start first."},
    {"completed-before-started", 409, "Completed before started",
        "竣工早于开工", "A completion cannot precede the start."},
    {"not-completed", 409, "Not completed", "项目未竣工",
        "Operation needs a completion first."},
    {"operating-before-completed", 409, "Operating before completed",
        "投产早于竣工", "Operation cannot precede the completion."},
    {"already-cancelled", 409, "Already cancelled", "项目已取消",
        "The project was cancelled already."},
    {"already-completed", 409, "Already completed", "项目已竣工",
        "A completed project cannot be cancelled."},
    {"effective-date-in-future", 422, "Effective date in the future",
        "生效日期晚于今天",
        "effective_on is after today (Asia/Shanghai): events record what "
        "happened."},
    {"cannot-retract-retraction", 409, "Cannot retract a retraction",
        "撤销记录不可再撤销", "A retraction cannot itself be retracted."},
    {"already-retracted", 409, "Already retracted", "事件已撤销",
        "That event is already retracted."},
    {"retraction-breaks-history", 409, "Retraction breaks the history",
        "撤销后历史不成立",
        "Without that event the rest of the history would break a rule "
        "(detail names it); retract the later events first."},
    /* The service's state. */
    {"internal", 500, "Internal error", "内部错误",
        "The service failed; the request id in the log says where."},
    {"database-unavailable", 503, "Database unavailable", "数据库不可用",
        "The database cannot be reached; retry after Retry-After."},
    {"database-error", 503, "Database error", "数据库错误",
        "A query failed for a reason not the request's; retry."},
    {"overloaded", 503, "Overloaded", "服务过载",
        "A resource the request needs (such as randomness for a new key) is "
        "not available now; retry."},
    {"not-ready", 503, "Not ready", "尚未就绪",
        "/ready: the database does not answer, or its schema is not the "
        "version this build needs (run pipelined migrate)."},
    {"draining", 503, "Draining", "正在停止",
        "The instance is stopping; the balancer sends requests elsewhere."},
};

#define NDOCS (sizeof(docs) / sizeof(docs[0]))

static json_t *
doc_json(const struct problem_doc *d)
{
	return json_pack("{s:s+,s:s,s:s,s:i,s:s}", "type", "/problems/",
	    d->name, "title", d->title, "title_zh", d->title_zh, "status",
	    d->status, "description", d->description);
}

/* The types of one status, for the document's problem responses. */
json_t *
problems_types(int status)
{
	json_t *types = json_array();
	size_t i;

	for (i = 0; i < NDOCS; i++)
		if (docs[i].status == status)
			json_array_append_new(
			    types, json_pack("s+", "/problems/", docs[i].name));
	return types;
}

void
problems_list(struct api_req *a)
{
	json_t *items = json_array(), *doc;
	size_t i;

	for (i = 0; i < NDOCS; i++)
		json_array_append_new(items, doc_json(&docs[i]));
	doc = json_pack("{s:o}", "items", items);
	api_json_t(a, 200, doc);
	json_decref(doc);
}

void
problems_get(struct api_req *a)
{
	json_t *doc;
	size_t i;

	for (i = 0; i < NDOCS; i++)
		if (strcmp(docs[i].name, a->caps.value[0]) == 0)
			break;
	if (i == NDOCS) {
		api_problem(a, 404, "not-found",
		    "No such problem type: GET /problems lists them.");
		return;
	}
	doc = doc_json(&docs[i]);
	api_json_t(a, 200, doc);
	json_decref(doc);
}

/*
 * problems.c: every problem type the service answers with, from any
 * layer (the HTTP protocol's, the lifecycle rules', the API's), the one
 * function through which the API answers with any of them, and the
 * pages that explain them: GET /problems lists them, GET /problems/{name}
 * is the page a problem document's "type" (/problems/{name}) names, as
 * RFC 9457 §3.1.1 asks of a type URI. The tests check that every problem
 * they receive is listed here with its status (tests/support).
 *
 * A problem's title is its type's, from this table, in English or, when
 * the request's Accept-Language prefers Chinese, in Chinese; so is its
 * detail then, the call site's English detail going to detail_en. The
 * HTTP layer's own refusals (src/http/) stay in English. This file calls
 * only into src/http/, so that api.c, which answers through it, and it
 * never call each other in a loop.
 */
#include <stdlib.h>
#include <string.h>

#include "../http/language.h"
#include "handlers.h"

struct problem_doc {
	const char *name;
	int status;
	const char *title, *title_zh;
	const char *description;
	const char *detail_zh; /* a problem's detail when zh is preferred */
};

static const struct problem_doc docs[] = {
    /* The HTTP protocol (src/http/). */
    {"malformed-request", 400, "Malformed request", "请求格式错误",
        "The request is not HTTP/1.1 as RFC 9112 frames it (a bad request "
        "line, header or chunk, Content-Length with Transfer-Encoding). The "
        "connection is closed.",
        "请求不符合 HTTP/1.1 "
        "的报文格式（请求行、请求头或分块编码有误），连接已关闭。"},
    {"request-timeout", 408, "Request timeout", "请求超时",
        "The request's head or body did not arrive within header_timeout or "
        "body_timeout.",
        "请求头或请求体未在规定时间内送达，请检查网络后重试。"},
    {"body-too-large", 413, "Content too large", "请求体过大",
        "The body is larger than max_body_size; it was not read.",
        "请求体超过了服务允许的大小（max_body_size），未予读取。"},
    {"uri-too-long", 414, "URI too long", "请求地址过长",
        "The request line is longer than max_header_size allows.",
        "请求行过长，超出了 max_header_size 的限制。"},
    {"header-too-large", 431, "Header fields too large", "请求头过大",
        "The header block is larger than max_header_size.",
        "请求头的总长度超出了 max_header_size 的限制。"},
    {"not-implemented", 501, "Not implemented", "未实现",
        "A request method, or a transfer coding other than chunked, that "
        "this server does not implement.",
        "本服务不支持该请求方法，或不支持 chunked 以外的传输编码。"},
    {"server-busy", 503, "Server busy", "服务繁忙",
        "Request bodies already hold max_body_memory of this worker's memory; "
        "retry after Retry-After.",
        "服务正在处理的请求体已占满本进程的内存额度，请按 Retry-After "
        "稍后重试。"},
    {"version-not-supported", 505, "HTTP version not supported",
        "不支持的HTTP版本", "Only HTTP/1.0 and HTTP/1.1 are served.",
        "本服务只支持 HTTP/1.0 和 HTTP/1.1。"},
    {"unknown-route", 404, "Not found", "地址不存在",
        "No route has this path. /openapi.json lists them.",
        "没有这个地址的接口；全部接口见 /openapi.json。"},
    {"method-not-allowed", 405, "Method not allowed", "不支持的方法",
        "The path exists but not with this method; Allow lists those it "
        "has.",
        "该地址不支持此请求方法；可用的方法见响应头 Allow。"},
    /* Authentication, authorization and limits. */
    {"unauthorized", 401, "Unauthorized", "未认证",
        "No valid API key (Authorization: Bearer) or registered client "
        "certificate.",
        "未提供有效的 API 密钥（Authorization: "
        "Bearer），也没有已登记的客户端证书。"},
    {"forbidden", 403, "Forbidden", "无权调用",
        "The principal's role may not call this route (README: the routes "
        "and who may call them).",
        "您的角色无权调用此接口（各角色的权限见 README）。"},
    {"outside-scope", 403, "Outside your areas", "超出权限范围",
        "The principal's role or areas do not cover this resource.",
        "该资源不在您的角色或所辖区县的权限范围内。"},
    {"rate-limited", 429, "Too many requests", "请求过于频繁",
        "The principal's requests exceed rate_limit_per_second; retry after "
        "Retry-After.",
        "请求过于频繁，超出了限额，请按 Retry-After 稍后重试。"},
    {"too-many-failures", 429, "Too many failed authentications",
        "认证失败次数过多",
        "This address failed to authenticate more than "
        "auth_failures_per_minute times; retry after Retry-After.",
        "该地址认证失败次数过多，请按 Retry-After 稍后重试。"},
    /* The request's parts. */
    {"unknown-parameter", 400, "Unknown query parameter", "未知的查询参数",
        "The query has a parameter this operation does not take.",
        "查询参数中有此接口不接受的参数。"},
    {"invalid-parameter", 400, "Invalid query parameter", "查询参数无效",
        "A query parameter's value is not one this operation accepts.",
        "查询参数的取值无效，或同一参数出现了不止一次。"},
    {"invalid-cursor", 400, "Invalid cursor", "分页游标无效",
        "The cursor is not one this service issued for this list.",
        "分页游标无效：请使用本服务对同一查询条件返回的 next_cursor。"},
    {"invalid-json", 400, "Invalid JSON", "JSON格式错误",
        "The body is not one JSON object (or has a key twice).",
        "请求体不是一个合法的 JSON 对象（或其中有重复的键）。"},
    {"invalid-precondition", 400, "Invalid precondition", "条件请求头无效",
        "If-Match or If-None-Match is not \"*\" or a list of entity tags.",
        "If-Match 或 If-None-Match "
        "的取值无效：应为“*”或实体标签（ETag）列表。"},
    {"invalid-idempotency-key", 400, "Invalid Idempotency-Key", "幂等键无效",
        "Idempotency-Key must be 1 to 255 visible ASCII characters.",
        "Idempotency-Key 应为 1 至 255 个可见的 ASCII 字符。"},
    {"invalid-commit-position", 400, "Invalid Commit-Position", "提交位置无效",
        "Commit-Position must be the digits a write's "
        "response carried.",
        "Commit-Position 应为写操作响应中返回的那串数字。"},
    {"unsupported-media-type", 415, "Unsupported media type",
        "不支持的内容类型",
        "The body's Content-Type is not one this operation takes "
        "(application/json; a PATCH also application/merge-patch+json).",
        "请求体的内容类型（Content-Type）不是此接口接受的类型。"},
    {"validation", 422, "Unprocessable content", "数据校验未通过",
        "A field is missing or not valid; errors lists each, with its JSON "
        "pointer.",
        "提交的数据未通过校验：有字段缺失或取值无效，逐项说明见 errors。"},
    {"if-match-required", 428, "Precondition required", "需要If-Match",
        "A PATCH needs If-Match with the resource's ETag (or \"*\").",
        "修改前须带上 If-Match 请求头（资源的 ETag "
        "或“*”），以免覆盖他人的修改。"},
    {"stale-version", 412, "Precondition failed", "版本已变化",
        "The resource changed since the version in If-Match; read it "
        "again.",
        "项目已被他人修改：请重新读取后再提交（If-Match 与当前版本不符）。"},
    /* Resources. */
    {"photo-missing", 422, "Photo not uploaded", "照片未上传",
        "A report names a photo by its SHA-256 that is not uploaded: PUT "
        "/api/v1/photos/{sha256} first, then send the report again.",
        "报告引用的照片尚未上传：请先上传照片，再重新提交报告。"},
    {"report-id-conflict", 409, "Report id taken", "报告编号冲突",
        "Another report, with other content, is stored under this id. A "
        "report's id is made once by the client, for that report alone; "
        "the same report sent again is answered unchanged.",
        "该编号下已存有内容不同的另一份报告。报告编号由客户端为每份报告"
        "单独生成；同一份报告重复提交时答复为未变。"},
    {"photo-hash-mismatch", 422, "Photo hash mismatch", "照片校验值不符",
        "PUT /api/v1/photos/{sha256}: the SHA-256 of the body is not the "
        "one in the path. The upload was cut or changed on the way: send "
        "the whole photo again.",
        "照片内容的 SHA-256 "
        "与地址中的不一致：上传被中断或被改动，请重新上传整张照片。"},
    {"photo-not-an-image", 422, "Not an image", "不是有效图片",
        "The photo does not decode as a whole JPEG or PNG image (the "
        "detail says what the decoder found), or it has more pixels than "
        "max_photo_pixels.",
        "照片无法完整解码为 JPEG 或 PNG 图片，或像素数超过上限。"},
    {"photo-type-mismatch", 422, "Photo type mismatch", "照片类型不符",
        "The photo decodes, but as another type than its Content-Type "
        "says.",
        "照片可以解码，但其类型与 Content-Type 声明的不一致。"},
    {"not-found", 404, "Not found", "不存在",
        "No such resource (or its id is not a UUID).",
        "所请求的资源不存在（或其编号不是有效的 UUID）。"},
    {"unknown-event", 404, "Unknown event", "事件不存在",
        "The event to retract is not in this project's history.",
        "要撤销的事件不在该项目的记录中。"},
    {"duplicate-code", 409, "Duplicate project code", "项目代码重复",
        "Another project has this code.", "已有其他项目使用了这个项目代码。"},
    {"duplicate-certificate", 409, "Duplicate certificate", "证书已登记",
        "That client certificate is already registered to a key.",
        "该客户端证书已登记在某个密钥名下。"},
    {"concurrent-modification", 409, "Concurrent modification", "并发修改",
        "The project kept changing while this write was checked; retry.",
        "核对期间该项目被同时修改，请重试。"},
    {"idempotency-key-in-flight", 409, "Idempotency-Key in flight",
        "幂等请求处理中",
        "A request with this Idempotency-Key is still running; retry after "
        "Retry-After.",
        "使用同一 Idempotency-Key 的请求仍在处理中，请按 Retry-After "
        "稍后重试。"},
    {"idempotency-key-reused", 422, "Idempotency-Key reused",
        "幂等键已用于其他请求",
        "This Idempotency-Key was used with another request.",
        "这个 Idempotency-Key 已用于另一个内容不同的请求。"},
    {"known-at-in-future", 422, "known_at in the future", "知悉时间晚于当前",
        "known_at must not be after now.", "known_at 不能晚于当前时间。"},
    /* The lifecycle rules (src/domain/lifecycle.c, SPEC §4). */
    {"unknown-event-type", 422, "Unknown event type", "未知的事件类型",
        "type is not one of the lifecycle's events.",
        "事件类型（type）不是项目生命周期中的事件。"},
    {"project-cancelled", 409, "Project cancelled", "项目已取消",
        "A cancelled project takes no further events.",
        "项目已取消，不能再记录新的事件。"},
    {"already-signed", 409, "Already signed", "项目已签约",
        "The project has a signing already; retract it first.",
        "项目已有签约记录；如需更正，请先撤销原签约。"},
    {"signed-after-started", 409, "Signed after started", "签约晚于开工",
        "The signing would fall after the project's start.",
        "签约日期不能晚于项目的开工日期。"},
    {"already-started", 409, "Already started", "项目已开工",
        "The project has started already.", "项目已经开工。"},
    {"started-before-signed", 409, "Started before signed", "开工早于签约",
        "A start needs a signing on or before its date.",
        "开工日期不能早于签约日期。"},
    {"not-under-construction", 409, "Not under construction", "项目不在建",
        "Only a project under construction can be suspended or completed.",
        "只有在建的项目才能停工或竣工。"},
    {"not-suspended", 409, "Not suspended", "项目未停工",
        "Only a suspended project can resume.", "只有停工的项目才能复工。"},
    {"not-started", 409, "Not started", "项目未开工",
        "The event needs a start first.", "项目开工之后才能记录此事件。"},
    {"completed-before-started", 409, "Completed before started",
        "竣工早于开工", "A completion cannot precede the start.",
        "竣工日期不能早于开工日期。"},
    {"not-completed", 409, "Not completed", "项目未竣工",
        "Operation needs a completion first.", "项目竣工之后才能记录投产。"},
    {"operating-before-completed", 409, "Operating before completed",
        "投产早于竣工", "Operation cannot precede the completion.",
        "投产日期不能早于竣工日期。"},
    {"already-cancelled", 409, "Already cancelled", "项目已取消",
        "The project was cancelled already.", "项目此前已经取消。"},
    {"already-completed", 409, "Already completed", "项目已竣工",
        "A completed project cannot be cancelled.", "已竣工的项目不能取消。"},
    {"effective-date-in-future", 422, "Effective date in the future",
        "生效日期晚于今天",
        "effective_on is after today (Asia/Shanghai): events record what "
        "happened.",
        "生效日期（effective_"
        "on）晚于今天（北京时间）：事件只记录已经发生的事。"},
    {"cannot-retract-retraction", 409, "Cannot retract a retraction",
        "撤销记录不可再撤销", "A retraction cannot itself be retracted.",
        "撤销记录本身不能再被撤销。"},
    {"already-retracted", 409, "Already retracted", "事件已撤销",
        "That event is already retracted.", "该事件已经撤销。"},
    {"retraction-breaks-history", 409, "Retraction breaks the history",
        "撤销后历史不成立",
        "Without that event the rest of the history would break a rule "
        "(detail names it); retract the later events first.",
        "撤销该事件后，其余记录将违反生命周期规则（具体规则见 "
        "detail_en），请先撤销其后的事件。"},
    /* The service's state. */
    {"internal", 500, "Internal error", "内部错误",
        "The service failed; the request id in the log says where.",
        "服务内部出错；可凭请求编号（request_id）在日志中查明原因。"},
    {"database-unavailable", 503, "Database unavailable", "数据库不可用",
        "The database cannot be reached; retry after Retry-After.",
        "暂时无法连接数据库，请按 Retry-After 稍后重试。"},
    {"database-error", 503, "Database error", "数据库错误",
        "A query failed for a reason not the request's; retry.",
        "数据库未能完成该请求（并非请求本身有误），请稍后重试。"},
    {"overloaded", 503, "Overloaded", "服务过载",
        "A resource the request needs (such as randomness for a new key) is "
        "not available now; retry.",
        "请求所需的资源（如生成新密钥所需的随机数）暂时不可用，请稍后重试。"},
    {"not-ready", 503, "Not ready", "尚未就绪",
        "/ready: the database does not answer, or its schema is not the "
        "version this build needs (run pipelined migrate).",
        "服务尚未就绪：数据库无响应，或数据库结构的版本与本程序不符（请运行 "
        "pipelined migrate）。"},
    {"draining", 503, "Draining", "正在停止",
        "The instance is stopping; the balancer sends requests elsewhere.",
        "本实例正在停止，负载均衡会把请求转给其他实例。"},
};

#define NDOCS (sizeof(docs) / sizeof(docs[0]))

/* The registry's entry of a type, or NULL: a type not in it is a bug
 * (the tests fail any problem whose type GET /problems does not list). */
static const struct problem_doc *
problems_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < NDOCS; i++)
		if (strcmp(docs[i].name, name) == 0)
			return &docs[i];
	return NULL;
}

/* The title and detail of a problem in the language r prefers; the
 * language's tag. */
static const char *
localize(struct http_request *r, struct http_problem_doc *p)
{
	const struct problem_doc *d = problems_lookup(p->type);

	if (d != NULL)
		p->title = d->title;
	if (d != NULL &&
	    language_prefers_zh(http_header(r, "Accept-Language"))) {
		p->title = d->title_zh;
		p->detail_en = p->detail;
		p->detail = d->detail_zh;
		return "zh";
	}
	return "en";
}

json_t *
problems_doc(struct http_request *r, int status, const char *type,
    const char *detail, json_t *errors)
{
	struct http_problem_doc p = {
	    status, type, http_status_text(status), detail, NULL, NULL};
	json_t *doc;

	localize(r, &p);
	doc = json_pack("{s:s+,s:s,s:i,s:s}", "type", "/problems/", type,
	    "title", p.title, "status", status, "detail", p.detail);
	if (p.detail_en != NULL)
		json_object_set_new(doc, "detail_en", json_string(p.detail_en));
	if (errors != NULL)
		json_object_set(doc, "errors", errors);
	return doc;
}

void
problems_answer(struct http_request *r, int status, const char *type,
    const char *detail, json_t *errors)
{
	struct http_problem_doc p = {
	    status, type, http_status_text(status), detail, NULL, NULL};
	const char *language = localize(r, &p);
	char *errs = errors != NULL ? json_dumps(errors, JSON_COMPACT) : NULL;

	p.errors_json = errs;
	/* What a cache keeps of a problem depends on the language asked. */
	http_add_header(r, "Vary", "Accept-Language");
	http_add_header(r, "Content-Language", language);
	http_problem_send(r, &p);
	free(errs);
}

static json_t *
doc_json(const struct problem_doc *d)
{
	return json_pack("{s:s+,s:s,s:s,s:i,s:s,s:s}", "type", "/problems/",
	    d->name, "title", d->title, "title_zh", d->title_zh, "status",
	    d->status, "description", d->description, "detail_zh",
	    d->detail_zh);
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

/* The pages' 200: straight to the HTTP layer (see the top). */
static void
answer_json(struct api_req *a, json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT);

	http_respond(a->http, 200, "application/json", text, strlen(text));
	free(text);
	json_decref(doc);
}

void
problems_list(struct api_req *a)
{
	json_t *items = json_array();
	size_t i;

	for (i = 0; i < NDOCS; i++)
		json_array_append_new(items, doc_json(&docs[i]));
	answer_json(a, json_pack("{s:o}", "items", items));
}

void
problems_get(struct api_req *a)
{
	const struct problem_doc *d = problems_lookup(a->caps.value[0]);

	if (d == NULL) {
		problems_answer(a->http, 404, "not-found",
		    "No such problem type: GET /problems lists them.", NULL);
		return;
	}
	answer_json(a, doc_json(d));
}

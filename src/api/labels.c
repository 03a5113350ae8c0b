/*
 * labels.c: GET /labels — the Chinese label of every enum value the API
 * takes or answers with (SPEC §6: "enum values carry Chinese labels"),
 * so that a client shows 在建 for under_construction without a table of
 * its own. The words are SPEC §3 and §4's. Public, as /problems is: they
 * are not data. tests/api/test_language.c fails when an enum of
 * /openapi.json has a value without a label here, and the contract's
 * schema of the answer (openapi.json, getLabels) lists every one.
 */
#include "api.h"
#include "handlers.h"

struct label {
	const char *value, *zh;
};

static const struct label status[] = {{"planned", "谋划"}, {"signed", "签约"},
    {"preparing", "前期"}, {"under_construction", "在建"},
    {"suspended", "停工"}, {"completed", "竣工"}, {"in_operation", "投产"},
    {"cancelled", "取消"}, {NULL, NULL}};

static const struct label level[] = {{"provincial", "省级"},
    {"municipal", "市级"}, {"county", "县级"}, {NULL, NULL}};

static const struct label funding[] = {{"government", "政府投资"},
    {"enterprise", "企业投资"}, {"mixed", "混合投资"}, {NULL, NULL}};

/* An event's type, and a retraction's (an event list holds both). */
static const struct label event_type[] = {{"signed", "签约"},
    {"approval", "前期手续"}, {"started", "开工"}, {"suspended", "停缓建"},
    {"resumed", "复工"}, {"completed", "竣工"}, {"operating", "投产"},
    {"cancelled", "终止"}, {"retraction", "撤销"}, {NULL, NULL}};

static const struct label approval_kind[] = {{"filing", "备案"},
    {"land", "用地"}, {"planning", "规划"}, {"environment", "环评"},
    {"energy", "能评"}, {"construction_permit", "施工许可"}, {NULL, NULL}};

static const struct label light[] = {
    {"red", "红灯"}, {"yellow", "黄灯"}, {"green", "绿灯"}, {NULL, NULL}};

static const struct label role[] = {{"admin", "管理员"}, {"editor", "市级编辑"},
    {"county", "县级编辑"}, {"reporter", "现场填报员"},
    {"reconciler", "数据对账"}, {"viewer", "只读用户"}, {NULL, NULL}};

static const struct label batch_kind[] = {{"sign", "集中签约"},
    {"start", "集中开工"}, {"production", "集中投产"}, {NULL, NULL}};

/* The groups of GET /api/v1/stats/pipeline?by= */
static const struct label figures_by[] = {{"area", "按区县"},
    {"industry", "按产业"}, {"level", "按级别"}, {"month", "按月份"},
    {NULL, NULL}};

static const struct {
	const char *name;
	const struct label *labels;
} enums[] = {
    {"status", status},
    {"level", level},
    {"funding", funding},
    {"event_type", event_type},
    {"approval_kind", approval_kind},
    {"light", light},
    {"role", role},
    {"batch_kind", batch_kind},
    {"figures_by", figures_by},
};

void
labels_get(struct api_req *a)
{
	json_t *doc = json_object(), *one;
	const struct label *l;
	size_t i;

	for (i = 0; i < sizeof(enums) / sizeof(enums[0]); i++) {
		one = json_object();
		for (l = enums[i].labels; l->value != NULL; l++)
			json_object_set_new(one, l->value, json_string(l->zh));
		json_object_set_new(doc, enums[i].name, one);
	}
	/* They change with a new build only. */
	a->http->cache_control = "public, max-age=3600";
	api_json_t(a, 200, doc);
	json_decref(doc);
}

#include "sinks/sarif.h"

#include <stdlib.h>
#include <string.h>

#include "sinks/output.h"

static const char *sarif_level(enum hh_severity s)
{
	switch (s) {
	case HH_SEV_CRITICAL:
	case HH_SEV_HIGH:
		return "error";
	case HH_SEV_MEDIUM:
		return "warning";
	default:
		return "note";
	}
}

/* GitHub code scanning ranks alerts by this 0-10 score. */
static const char *security_severity(enum hh_severity s)
{
	static const char *const score[] = { "1.0", "3.0", "5.5", "8.0", "9.5" };
	return score[s];
}

#define DOCS_URI "https://github.com/hashhound/hashhound/blob/main/docs/"

/* The page that documents a rule, by its family. */
static const char *help_page(const char *rule)
{
	static const struct { const char *prefix, *page; } pages[] = {
		{ "posture.", "posture.md" }, { "audit.", "audit.md" },     { "net.", "network.md" },
		{ "scan.", "scan.md" },       { "miner.", "scan.md" },      { "image.", "scan.md" },
		{ "behavior.", "behavior.md" }, { "incident.", "agent.md" }, { "response.", "response.md" },
		{ "drill.", "drill.md" },
	};
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (strncmp(rule, pages[i].prefix, strlen(pages[i].prefix)) == 0)
			return pages[i].page;
	return "findings.md";
}

static json_t *sarif_rule(const struct hh_finding *f)
{
	json_t *tags = json_array();
	json_array_append_new(tags, json_string("security"));
	for (size_t i = 0; i < f->n_mitre; i++)
		json_array_append_new(tags, json_string(f->mitre[i]));
	/* help: why it matters (the control's why for posture), else the title */
	const char *why = json_string_value(json_object_get(f->fields, "control.why"));
	char help[1024], uri[256];
	if (why && why[0])
		snprintf(help, sizeof(help), "%s: %s.", f->title, why);
	else
		snprintf(help, sizeof(help), "%s. See the rule's documentation.", f->title);
	snprintf(uri, sizeof(uri), DOCS_URI "%s", help_page(f->rule));
	return json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:s, s:{s:o, s:s}}",
			 "id", f->rule, "name", f->rule,
			 "shortDescription", "text", f->title,
			 "fullDescription", "text", help,
			 "defaultConfiguration", "level", sarif_level(f->severity),
			 "help", "text", help, "helpUri", uri,
			 "properties", "tags", tags, "security-severity", security_severity(f->severity));
}

static json_t *sarif_result(const struct hh_finding *f, size_t rule_index)
{
	/* The message names the object: "Privileged container: default/Pod/web (container app)". */
	char where[1400], text[2048];
	hh_output_where(f, where, sizeof(where));
	const char *ctr = json_string_value(json_object_get(f->fields, "container.name"));
	snprintf(text, sizeof(text), "%s: %s%s%s%s", f->title, where, ctr && !strstr(where, ctr) ? " (container " : "",
		 ctr && !strstr(where, ctr) ? ctr : "", ctr && !strstr(where, ctr) ? ")" : "");
	json_t *r = json_pack("{s:s, s:I, s:s, s:{s:s}}", "ruleId", f->rule,
			      "ruleIndex", (json_int_t)rule_index, "level", sarif_level(f->severity),
			      "message", "text", text);
	const char *path = json_string_value(json_object_get(f->fields, "file.path"));
	json_t *line = json_object_get(f->fields, "file.line");
	json_t *phys = json_pack("{s:{s:s}}", "artifactLocation", "uri", path ? path : ".");
	if (json_is_integer(line) && json_integer_value(line) > 0)
		json_object_set_new(phys, "region",
				    json_pack("{s:I}", "startLine", json_integer_value(line)));
	json_object_set_new(r, "locations", json_pack("[{s:o}]", "physicalLocation", phys));
	json_object_set_new(r, "properties",
			    json_pack("{s:s, s:f, s:O, s:O}", "severity", hh_severity_name(f->severity),
				      "confidence", f->confidence, "fields", f->fields,
				      "evidence", f->evidence));
	return r;
}

void hh_sarif_write(FILE *fp, const char *command, const struct hh_findings *list)
{
	json_t *rules = json_array(), *results = json_array();
	for (size_t i = 0; i < list->n; i++) {
		const struct hh_finding *f = list->items[i];
		size_t idx = 0;
		for (; idx < json_array_size(rules); idx++) {
			const char *id = json_string_value(json_object_get(json_array_get(rules, idx), "id"));
			if (strcmp(id, f->rule) == 0)
				break;
		}
		if (idx == json_array_size(rules))
			json_array_append_new(rules, sarif_rule(f));
		json_array_append_new(results, sarif_result(f, idx));
	}
	json_t *log = json_pack(
		"{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, s:o, s:{s:s}}]}",
		"$schema", "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0",
		"runs", "tool", "driver", "name", "hashhound", "version", HH_VERSION,
		"informationUri", "https://github.com/hashhound/hashhound", "rules", rules,
		"results", results, "properties", "command", command ? command : "");
	json_dumpf(log, fp, JSON_INDENT(2) | JSON_ENSURE_ASCII | HH_JSON_REALS);
	fputc('\n', fp);
	json_decref(log);
}

#include "sinks/junit.h"

#include <stdlib.h>

#include "sinks/markup.h"
#include <string.h>

void hh_junit_write(FILE *fp, const char *command, const struct hh_findings *list)
{
	size_t failures = 0;
	for (size_t i = 0; i < list->n; i++)
		failures += list->items[i]->severity >= HH_SEV_MEDIUM;
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(fp, "<testsuites name=\"hashhound\" tests=\"%zu\" failures=\"%zu\">\n", list->n, failures);
	fprintf(fp, "  <testsuite name=\"hashhound ");
	hh_markup_escaped(fp, command);
	fprintf(fp, "\" tests=\"%zu\" failures=\"%zu\">\n", list->n, failures);
	for (size_t i = 0; i < list->n; i++) {
		const struct hh_finding *f = list->items[i];
		const char *where = json_string_value(json_object_get(f->fields, "k8s.name"));
		if (!where)
			where = json_string_value(json_object_get(f->fields, "file.path"));
		fprintf(fp, "    <testcase classname=\"");
		hh_markup_escaped(fp, f->rule);
		fprintf(fp, "\" name=\"");
		hh_markup_escaped(fp, where ? where : f->rule);
		fprintf(fp, "\">\n");
		if (f->severity >= HH_SEV_MEDIUM) {
			fprintf(fp, "      <failure type=\"%s\" message=\"", hh_severity_name(f->severity));
			hh_markup_escaped(fp, f->title);
			fprintf(fp, "\">");
			char *ev = json_dumps(f->evidence, HH_JSON_COMPACT);
			hh_markup_escaped(fp, ev);
			free(ev);
			fprintf(fp, "</failure>\n");
		}
		fprintf(fp, "    </testcase>\n");
	}
	fprintf(fp, "  </testsuite>\n</testsuites>\n");
}

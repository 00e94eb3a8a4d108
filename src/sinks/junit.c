#include "sinks/junit.h"

#include <stdlib.h>
#include <string.h>

static void xml_escaped(FILE *fp, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '&': fputs("&amp;", fp); break;
		case '"': fputs("&quot;", fp); break;
		default:
			/* XML 1.0 forbids most control characters even escaped. */
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				fputc('?', fp);
			else
				fputc(*s, fp);
		}
	}
}

void hh_junit_write(FILE *fp, const char *command, const struct hh_findings *list)
{
	size_t failures = 0;
	for (size_t i = 0; i < list->n; i++)
		failures += list->items[i]->severity >= HH_SEV_MEDIUM;
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(fp, "<testsuites name=\"hashhound\" tests=\"%zu\" failures=\"%zu\">\n", list->n, failures);
	fprintf(fp, "  <testsuite name=\"hashhound ");
	xml_escaped(fp, command);
	fprintf(fp, "\" tests=\"%zu\" failures=\"%zu\">\n", list->n, failures);
	for (size_t i = 0; i < list->n; i++) {
		const struct hh_finding *f = list->items[i];
		const char *where = json_string_value(json_object_get(f->fields, "k8s.name"));
		if (!where)
			where = json_string_value(json_object_get(f->fields, "file.path"));
		fprintf(fp, "    <testcase classname=\"");
		xml_escaped(fp, f->rule);
		fprintf(fp, "\" name=\"");
		xml_escaped(fp, where ? where : f->rule);
		fprintf(fp, "\">\n");
		if (f->severity >= HH_SEV_MEDIUM) {
			fprintf(fp, "      <failure type=\"%s\" message=\"", hh_severity_name(f->severity));
			xml_escaped(fp, f->title);
			fprintf(fp, "\">");
			char *ev = json_dumps(f->evidence, JSON_COMPACT);
			xml_escaped(fp, ev);
			free(ev);
			fprintf(fp, "</failure>\n");
		}
		fprintf(fp, "    </testcase>\n");
	}
	fprintf(fp, "  </testsuite>\n</testsuites>\n");
}

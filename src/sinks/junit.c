#include "sinks/junit.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/node.h"
#include "sinks/markup.h"
#include "sinks/output.h"

/* One testcase: a (subject, control) pair, or a finding about no subject. */
struct jcase {
	const char *file;              /* suite it goes to; "" none */
	size_t order;                  /* stable sort */
	long subject;                  /* -1: a finding case */
	const char *control;
	const struct hh_finding *finding;
	char *name;                    /* unique; owned */
	bool failed;
};

struct jrun {
	const struct hh_findings *list;
	const struct hh_junit_subject *subjects;
	size_t n_subjects;
	long *subject_of;              /* per finding */
	size_t *by_subject;            /* finding indices sorted by subject */
	size_t *first_of;              /* per subject: start in by_subject; [n_subjects] = end */
	struct jcase *cases;
	size_t n_cases;
};

static const char *fstr(const struct hh_finding *f, const char *k)
{
	const char *v = json_string_value(json_object_get(f->fields, k));
	return v ? v : "";
}

static uint64_t hash_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (h ^ 0xff) * 1099511628211ull;
}

static uint64_t subject_key(const char *kind, const char *ns, const char *name, const char *file)
{
	return hash_str(hash_str(hash_str(hash_str(1469598103934665603ull, kind), ns), name), file);
}

static bool finding_is_about(const struct hh_finding *f, const struct hh_junit_subject *s)
{
	return strcmp(fstr(f, "k8s.kind"), s->kind) == 0 && strcmp(fstr(f, "k8s.ns.name"), s->ns) == 0 &&
	       strcmp(fstr(f, "k8s.name"), s->name) == 0 && strcmp(fstr(f, "file.path"), s->file) == 0;
}

/* subject_of[] for every finding, through a hash of the subjects' keys. */
static int match_subjects(struct jrun *r)
{
	size_t nf = r->list->n, ns = r->n_subjects;
	r->subject_of = calloc(nf ? nf : 1, sizeof(long));
	r->by_subject = calloc(nf ? nf : 1, sizeof(size_t));
	r->first_of = calloc(ns + 1, sizeof(size_t));
	size_t cap = 16;
	while (cap < ns * 2)
		cap *= 2;
	long *slots = malloc(cap * sizeof(long));
	if (!r->subject_of || !r->by_subject || !r->first_of || !slots) {
		free(slots);
		return -1;
	}
	for (size_t i = 0; i < cap; i++)
		slots[i] = -1;
	for (size_t s = 0; s < ns; s++) {
		const struct hh_junit_subject *sj = &r->subjects[s];
		size_t h = (size_t)subject_key(sj->kind, sj->ns, sj->name, sj->file) & (cap - 1);
		while (slots[h] >= 0)
			h = (h + 1) & (cap - 1);
		slots[h] = (long)s;
	}
	size_t *count = r->first_of;
	for (size_t i = 0; i < nf; i++) {
		const struct hh_finding *f = r->list->items[i];
		r->subject_of[i] = -1;
		if (!ns)
			continue;
		size_t h = (size_t)subject_key(fstr(f, "k8s.kind"), fstr(f, "k8s.ns.name"), fstr(f, "k8s.name"),
					       fstr(f, "file.path")) & (cap - 1);
		for (; slots[h] >= 0; h = (h + 1) & (cap - 1))
			if (finding_is_about(f, &r->subjects[slots[h]])) {
				r->subject_of[i] = slots[h]; /* the first subject with this key */
				break;
			}
		if (r->subject_of[i] >= 0)
			count[r->subject_of[i]]++;
	}
	free(slots);
	/* counts -> starts; then place */
	size_t sum = 0;
	for (size_t s = 0; s <= ns; s++) {
		size_t c = s < ns ? count[s] : 0;
		count[s] = sum;
		sum += c;
	}
	size_t *fill = calloc(ns ? ns : 1, sizeof(size_t));
	if (!fill)
		return -1;
	for (size_t i = 0; i < nf; i++)
		if (r->subject_of[i] >= 0) {
			size_t s = (size_t)r->subject_of[i];
			r->by_subject[r->first_of[s] + fill[s]++] = i;
		}
	free(fill);
	return 0;
}

static bool controls_have(const struct hh_junit_subject *s, const char *rule)
{
	for (size_t c = 0; c < s->n_controls; c++)
		if (strcmp(s->controls[c], rule) == 0)
			return true;
	return false;
}

static void subject_where(const struct hh_junit_subject *s, char *buf, size_t len)
{
	if (s->name[0])
		snprintf(buf, len, "%s%s%s/%s", s->ns, s->ns[0] ? "/" : "", s->kind, s->name);
	else if (s->line)
		snprintf(buf, len, "%s %s:%u", s->kind, s->file, s->line);
	else
		snprintf(buf, len, "%s %s", s->kind, s->file);
}

static int cmp_case(const void *a, const void *b)
{
	const struct jcase *x = a, *y = b;
	int c = strcmp(x->file, y->file);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Unique names: a set of the names given so far (open addressing). */
struct nameset {
	const char **slot;
	size_t cap;
};

static bool nameset_add(struct nameset *ns, const char *name)
{
	size_t h = (size_t)hash_str(1469598103934665603ull, name) & (ns->cap - 1);
	for (; ns->slot[h]; h = (h + 1) & (ns->cap - 1))
		if (strcmp(ns->slot[h], name) == 0)
			return false;
	ns->slot[h] = name;
	return true;
}

static int build_cases(struct jrun *r)
{
	size_t n = 0;
	for (size_t s = 0; s < r->n_subjects; s++)
		n += r->subjects[s].n_controls;
	for (size_t i = 0; i < r->list->n; i++) {
		long s = r->subject_of[i];
		if (s < 0 || !controls_have(&r->subjects[s], r->list->items[i]->rule))
			n++;
	}
	r->cases = calloc(n ? n : 1, sizeof(*r->cases));
	if (!r->cases)
		return -1;
	for (size_t s = 0; s < r->n_subjects; s++) {
		const struct hh_junit_subject *sj = &r->subjects[s];
		for (size_t c = 0; c < sj->n_controls; c++) {
			struct jcase *k = &r->cases[r->n_cases];
			*k = (struct jcase){ sj->file, r->n_cases, (long)s, sj->controls[c], NULL, NULL, false };
			for (size_t j = r->first_of[s]; j < r->first_of[s + 1]; j++) {
				const struct hh_finding *f = r->list->items[r->by_subject[j]];
				if (strcmp(f->rule, sj->controls[c]) == 0 && f->severity >= HH_SEV_MEDIUM)
					k->failed = true;
			}
			r->n_cases++;
		}
	}
	for (size_t i = 0; i < r->list->n; i++) {
		const struct hh_finding *f = r->list->items[i];
		long s = r->subject_of[i];
		if (s >= 0 && controls_have(&r->subjects[s], f->rule))
			continue;
		r->cases[r->n_cases] = (struct jcase){ fstr(f, "file.path"), r->n_cases, -1, f->rule, f, NULL,
						       f->severity >= HH_SEV_MEDIUM };
		r->n_cases++;
	}
	qsort(r->cases, r->n_cases, sizeof(*r->cases), cmp_case);
	/* names: "CONTROL WHERE", made unique with the line, then a counter */
	struct nameset set = { NULL, 16 };
	while (set.cap < r->n_cases * 2)
		set.cap *= 2;
	set.slot = calloc(set.cap, sizeof(*set.slot));
	if (!set.slot)
		return -1;
	for (size_t i = 0; i < r->n_cases; i++) {
		struct jcase *k = &r->cases[i];
		char where[1400], name[1600];
		unsigned line = 0;
		if (k->subject >= 0) {
			subject_where(&r->subjects[k->subject], where, sizeof(where));
			line = r->subjects[k->subject].line;
		} else {
			hh_output_where(k->finding, where, sizeof(where));
		}
		snprintf(name, sizeof(name), "%s %s", k->control, where);
		k->name = strdup(name);
		if (k->name && !nameset_add(&set, k->name)) {
			free(k->name);
			k->name = NULL;
			for (unsigned n2 = 2; n2 < 1000000; n2++) {
				if (line && n2 == 2)
					snprintf(name, sizeof(name), "%s %s (%s:%u)", k->control, where, k->file, line);
				else
					snprintf(name, sizeof(name), "%s %s #%u", k->control, where, n2);
				k->name = strdup(name);
				if (!k->name || nameset_add(&set, k->name))
					break;
				free(k->name);
				k->name = NULL;
			}
		}
	}
	free(set.slot);
	return 0;
}

/* What, where, why and the evidence, for people reading a CI report. */
static void finding_text(FILE *fp, const struct hh_finding *f)
{
	char where[1400], line[2048];
	hh_output_where(f, where, sizeof(where));
	snprintf(line, sizeof(line), "%s %s: %s\nwhere: %s", hh_severity_name(f->severity), f->rule, f->title, where);
	hh_markup_escaped(fp, line);
	const char *file = fstr(f, "file.path");
	json_t *fl = json_object_get(f->fields, "file.line");
	if (file[0] && !strstr(where, file)) {
		fputs(" (", fp);
		hh_markup_escaped(fp, file);
		if (json_is_integer(fl))
			fprintf(fp, ":%lld", (long long)json_integer_value(fl));
		fputc(')', fp);
	}
	const char *ctr = fstr(f, "container.name");
	if (ctr[0] && !strstr(where, ctr)) {
		fputs(", container ", fp);
		hh_markup_escaped(fp, ctr);
	}
	const char *why = fstr(f, "control.why");
	if (why[0]) {
		fputs("\nwhy: ", fp);
		hh_markup_escaped(fp, why);
	}
	size_t i;
	json_t *e;
	json_array_foreach(f->evidence, i, e) {
		const json_t *v = json_object_get(e, "value");
		char num[64];
		char *dumped = NULL;
		const char *text = json_string_value(v);
		if (json_is_number(v)) {
			hh_output_round(json_number_value(v), num, sizeof(num));
			text = num;
		} else if (!text) {
			dumped = json_dumps(v, JSON_ENCODE_ANY | HH_JSON_COMPACT);
			text = dumped ? dumped : "";
		}
		fputs(i ? "\n  " : "\nevidence:\n  ", fp);
		hh_markup_escaped(fp, json_string_value(json_object_get(e, "what")));
		fputs(": ", fp);
		hh_markup_escaped(fp, text);
		free(dumped);
	}
}

static void write_case(FILE *fp, const struct jrun *r, const struct jcase *k, const char *command)
{
	fputs("    <testcase classname=\"", fp);
	hh_markup_escaped(fp, command);
	fputc('.', fp);
	hh_markup_escaped(fp, k->control);
	fputs("\" name=\"", fp);
	hh_markup_escaped(fp, k->name ? k->name : k->control);
	fputs("\" time=\"0\">\n", fp);
	/* the findings about this case: at medium and above failures, below as output */
	const struct hh_finding *one[1] = { k->finding };
	size_t from = 0, to = k->finding ? 1 : 0;
	if (k->subject >= 0) {
		from = r->first_of[k->subject];
		to = r->first_of[k->subject + 1];
	}
	bool out_open = false;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t j = from; j < to; j++) {
			const struct hh_finding *f = k->subject >= 0 ? r->list->items[r->by_subject[j]] : one[0];
			if (strcmp(f->rule, k->control) != 0 || (pass == 0) != (f->severity >= HH_SEV_MEDIUM))
				continue;
			if (pass == 0) {
				fprintf(fp, "      <failure type=\"%s\" message=\"", hh_severity_name(f->severity));
				hh_markup_escaped(fp, f->title);
				fputs("\">", fp);
				finding_text(fp, f);
				fputs("</failure>\n", fp);
			} else {
				fputs(out_open ? "\n\n" : "      <system-out>", fp);
				out_open = true;
				finding_text(fp, f);
			}
		}
	}
	if (out_open)
		fputs("</system-out>\n", fp);
	fputs("    </testcase>\n", fp);
}

void hh_junit_write(FILE *fp, const char *command, const struct hh_findings *list,
		    const struct hh_junit_subject *subjects, size_t n_subjects, double elapsed_s)
{
	struct jrun r = { .list = list, .subjects = subjects, .n_subjects = subjects ? n_subjects : 0 };
	if (!command)
		command = "";
	if (match_subjects(&r) < 0 || build_cases(&r) < 0) {
		fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- out of memory -->\n<testsuites/>\n");
		goto out;
	}
	size_t failures = 0;
	for (size_t i = 0; i < r.n_cases; i++)
		failures += r.cases[i].failed;
	time_t start = time(NULL) - (time_t)(elapsed_s > 0 ? elapsed_s : 0);
	struct tm tm;
	char stamp[32] = "1970-01-01T00:00:00";
	if (gmtime_r(&start, &tm))
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	const char *host = hh_node_get()->hostname[0] ? hh_node_get()->hostname : "localhost";
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(fp, "<testsuites name=\"hashhound ");
	hh_markup_escaped(fp, command);
	fprintf(fp, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"%.3f\">\n", r.n_cases, failures,
		elapsed_s > 0 ? elapsed_s : 0);
	for (size_t i = 0; i < r.n_cases || (i == 0 && r.n_cases == 0);) {
		/* one suite per file; an empty run still has one (empty) suite */
		size_t end = i, fails = 0;
		while (end < r.n_cases && strcmp(r.cases[end].file, r.cases[i].file) == 0)
			fails += r.cases[end++].failed;
		const char *file = r.n_cases ? r.cases[i].file : "";
		fputs("  <testsuite name=\"", fp);
		if (file[0]) {
			hh_markup_escaped(fp, file);
		} else {
			fputs("hashhound ", fp);
			hh_markup_escaped(fp, command);
		}
		fprintf(fp, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"%.3f\" timestamp=\"%s\" hostname=\"",
			end - i, fails, elapsed_s > 0 ? elapsed_s : 0, stamp);
		hh_markup_escaped(fp, host);
		fputc('"', fp);
		if (file[0]) {
			fputs(" file=\"", fp);
			hh_markup_escaped(fp, file);
			fputc('"', fp);
		}
		fputs(">\n", fp);
		for (size_t k = i; k < end; k++)
			write_case(fp, &r, &r.cases[k], command);
		fputs("  </testsuite>\n", fp);
		if (end == i)
			break;
		i = end;
	}
	fputs("</testsuites>\n", fp);
out:
	for (size_t i = 0; i < r.n_cases; i++)
		free(r.cases[i].name);
	free(r.cases);
	free(r.subject_of);
	free(r.by_subject);
	free(r.first_of);
}

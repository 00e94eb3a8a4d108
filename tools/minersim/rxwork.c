/* hh-rxwork: the stringless variant of the simulator for detection tests
 * (docs/minersim.md). It does the RandomX-like work of rxvm.c in N threads and
 * speaks the CryptoNote dialect to a loopback endpoint, configured from a
 * file, with no wallet (the login is "x" unless the file says otherwise). Every
 * protocol word is stored encoded and decoded at run time, and no message
 * names what it is, so `strings` on the binary finds no telltale: detection
 * has to come from what the process does. Loopback only, like the others. */
#include "common.h"
#include "netconn.h"
#include "rxvm.h"

#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROG "w"
#define MAX_LANES 16
#define QLEN 32

static const unsigned char S_LOGIN[] = { 0x36,0x35,0x3d,0x33,0x34, 0x5a };
static const unsigned char S_PASS[] = { 0x2a,0x3b,0x29,0x29, 0x5a };
static const unsigned char S_AGENT[] = { 0x3b,0x3d,0x3f,0x34,0x2e, 0x5a };
static const unsigned char S_ALGO[] = { 0x3b,0x36,0x3d,0x35, 0x5a };
static const unsigned char S_ALGO0[] = { 0x28,0x22,0x75,0x6a, 0x5a };
static const unsigned char S_JOB[] = { 0x30,0x35,0x38, 0x5a };
static const unsigned char S_JOBID[] = { 0x30,0x35,0x38,0x05,0x33,0x3e, 0x5a };
static const unsigned char S_BLOB[] = { 0x38,0x36,0x35,0x38, 0x5a };
static const unsigned char S_TARGET[] = { 0x2e,0x3b,0x28,0x3d,0x3f,0x2e, 0x5a };
static const unsigned char S_SUBMIT[] = { 0x29,0x2f,0x38,0x37,0x33,0x2e, 0x5a };
static const unsigned char S_NONCE[] = { 0x34,0x35,0x34,0x39,0x3f, 0x5a };
static const unsigned char S_RESULT[] = { 0x28,0x3f,0x29,0x2f,0x36,0x2e, 0x5a };
static const unsigned char S_KEEP[] = { 0x31,0x3f,0x3f,0x2a,0x3b,0x36,0x33,0x2c,0x3f,0x3e, 0x5a };
static const unsigned char S_METHOD[] = { 0x37,0x3f,0x2e,0x32,0x35,0x3e, 0x5a };
static const unsigned char S_PARAMS[] = { 0x2a,0x3b,0x28,0x3b,0x37,0x29, 0x5a };
static const unsigned char S_ID[] = { 0x33,0x3e, 0x5a };
static const unsigned char S_JSONRPC[] = { 0x30,0x29,0x35,0x34,0x28,0x2a,0x39, 0x5a };
static const unsigned char S_STATUS[] = { 0x29,0x2e,0x3b,0x2e,0x2f,0x29, 0x5a };
static const unsigned char S_UA[] = { 0x2d,0x75,0x6b,0x74,0x6a, 0x5a };

/* Decoded words (filled once in main). */
static char w_login[16], w_pass[16], w_agent[16], w_algo[16], w_algo0[16], w_job[16], w_jobid[16], w_blob[16],
	w_target[16], w_submit[16], w_nonce[16], w_result[16], w_keep[16], w_method[16], w_params[16], w_id[16],
	w_jsonrpc[16], w_status[16], w_ua[16];

static void dec(const unsigned char *enc, char *out, size_t cap)
{
	size_t i = 0;
	for (; enc[i] != 0x5a && i + 1 < cap; i++)
		out[i] = (char)(enc[i] ^ 0x5a);
	out[i] = '\0';
}

struct conf {
	char upstream[256], user[256];
	int secure, lanes, share, quiet;
	long seconds;
	unsigned scratch_mib;
};

static struct conf cf = { .user = "x", .lanes = 1, .share = 100, .seconds = 60, .scratch_mib = 256 };
static _Atomic int g_stop;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static uint8_t g_blob[128];     /* guarded by g_mu */
static size_t g_blob_len;       /* guarded by g_mu */
static char g_task[65];         /* guarded by g_mu */
static uint64_t g_bound, g_gen; /* guarded by g_mu */
static struct { char task[65]; uint32_t n; uint8_t r[32]; } g_q[QLEN];
static size_t g_qn;             /* guarded by g_mu */
static _Atomic uint64_t g_done;
static struct rx_cache g_cache;

#define SAY(...) do { if (!cf.quiet) ms_log(PROG, __VA_ARGS__); } while (0)

static void on_signal(int sig) { (void)sig; g_stop = 1; }

/* "key value" lines; '#' comments. Returns 0 or -1 with a message naming the line. */
static int load_conf(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		ms_log(PROG, "%s: cannot open", path);
		return -1;
	}
	char line[512];
	int ln = 0;
	while (fgets(line, sizeof(line), fp)) {
		ln++;
		char *p = line + strspn(line, " \t");
		if (*p == '#' || *p == '\n' || !*p)
			continue;
		char key[64], val[256];
		long v;
		if (sscanf(p, "%63s %255s", key, val) != 2) {
			ms_log(PROG, "%s:%d: want 'key value'", path, ln);
			goto bad;
		}
		if (!strcmp(key, "upstream")) {
			snprintf(cf.upstream, sizeof(cf.upstream), "%s", val);
		} else if (!strcmp(key, "user")) {
			snprintf(cf.user, sizeof(cf.user), "%s", val);
		} else if (!strcmp(key, "secure") && ms_parse_long(val, 0, 1, &v) == 0) {
			cf.secure = (int)v;
		} else if (!strcmp(key, "quiet") && ms_parse_long(val, 0, 1, &v) == 0) {
			cf.quiet = (int)v;
		} else if (!strcmp(key, "lanes") && ms_parse_long(val, 1, MAX_LANES, &v) == 0) {
			cf.lanes = (int)v;
		} else if (!strcmp(key, "share") && ms_parse_long(val, 1, 100, &v) == 0) {
			cf.share = (int)v;
		} else if (!strcmp(key, "seconds") && ms_parse_long(val, 0, 86400, &v) == 0) {
			cf.seconds = v;
		} else if (!strcmp(key, "scratch_mib") && ms_parse_long(val, 1, 4096, &v) == 0 && !(v & (v - 1))) {
			cf.scratch_mib = (unsigned)v;
		} else {
			ms_log(PROG, "%s:%d: unknown key or bad value '%s %s'", path, ln, key, val);
			goto bad;
		}
	}
	fclose(fp);
	return 0;
bad:
	fclose(fp);
	return -1;
}

static uint64_t thread_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *lane(void *arg)
{
	unsigned idx = (unsigned)(uintptr_t)arg;
	struct rx_vm vm;
	if (rx_vm_init(&vm, &g_cache, 1) < 0) {
		ms_log(PROG, "lane %u: mmap failed", idx);
		return NULL;
	}
	uint8_t blob[128];
	size_t len = 0;
	char task[65] = "";
	uint64_t gen = 0, bound = 0;
	uint32_t n = idx << 24;
	const uint64_t period = 100000000ull, on = period * (uint64_t)cf.share / 100;
	while (!g_stop) {
		uint64_t t0 = ms_now_ns(), c0 = thread_ns();
		while (!g_stop && thread_ns() - c0 < on && ms_now_ns() - t0 < period) {
			pthread_mutex_lock(&g_mu);
			if (g_gen != gen) {
				memcpy(blob, g_blob, sizeof(blob));
				len = g_blob_len;
				memcpy(task, g_task, sizeof(task));
				bound = g_bound;
				gen = g_gen;
			}
			pthread_mutex_unlock(&g_mu);
			if (!gen) {
				ms_sleep_ns(20000000);
				continue;
			}
			size_t off = len >= 43 ? 39 : len - 4;
			memcpy(blob + off, &n, 4);
			uint8_t r[32];
			if (rx_vm_hash(&vm, blob, len, r) < 0) {
				ms_log(PROG, "lane %u: mprotect failed", idx);
				g_stop = 1;
				break;
			}
			atomic_fetch_add(&g_done, 1);
			uint64_t val;
			memcpy(&val, r + 24, 8);
			if (val < bound) {
				pthread_mutex_lock(&g_mu);
				if (g_qn < QLEN) {
					memcpy(g_q[g_qn].task, task, sizeof(task));
					g_q[g_qn].n = n;
					memcpy(g_q[g_qn].r, r, 32);
					g_qn++;
				}
				pthread_mutex_unlock(&g_mu);
			}
			n++;
		}
		uint64_t spent = ms_now_ns() - t0;
		if (cf.share < 100 && spent < period && !g_stop)
			ms_sleep_ns(period - spent);
	}
	rx_vm_free(&vm);
	return NULL;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s);
	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return (int)(n / 2);
}

/* A task object {blob, job_id, target}: installs it for the lanes. */
static void take(const json_t *t)
{
	const char *b = json_string_value(json_object_get(t, w_blob));
	const char *id = json_string_value(json_object_get(t, w_jobid));
	const char *tg = json_string_value(json_object_get(t, w_target));
	uint8_t blob[128];
	int n = b ? unhex(b, blob, sizeof(blob)) : -1;
	if (n < 4 || !id || strlen(id) > 64 || !tg || strlen(tg) != 8) {
		ms_log(PROG, "ignored a malformed task");
		return;
	}
	uint8_t tb[4];
	if (unhex(tg, tb, 4) != 4)
		return;
	uint32_t t32 = (uint32_t)tb[0] | (uint32_t)tb[1] << 8 | (uint32_t)tb[2] << 16 | (uint32_t)tb[3] << 24;
	pthread_mutex_lock(&g_mu);
	memcpy(g_blob, blob, (size_t)n);
	g_blob_len = (size_t)n;
	snprintf(g_task, sizeof(g_task), "%s", id);
	g_bound = t32 ? 0xFFFFFFFFFFFFFFFFULL / (0xFFFFFFFFULL / t32) : 0;
	g_gen++;
	pthread_mutex_unlock(&g_mu);
	SAY("task %s", id);
}

static int send_obj(struct ms_conn *c, json_t *o)
{
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!s)
		return -1;
	int rc = ms_conn_send_line(c, s, 0);
	free(s);
	return rc;
}

static json_t *request(json_int_t id, const char *method, json_t *params)
{
	json_t *o = json_object();
	json_object_set_new(o, w_id, json_integer(id));
	json_object_set_new(o, w_jsonrpc, json_string("2.0"));
	json_object_set_new(o, w_method, json_string(method));
	json_object_set_new(o, w_params, params);
	return o;
}

static int session(struct ms_conn *c, uint64_t deadline)
{
	json_t *p = json_object();
	json_object_set_new(p, w_login, json_string(cf.user));
	json_object_set_new(p, w_pass, json_string("x"));
	json_object_set_new(p, w_agent, json_string(w_ua));
	json_t *al = json_array();
	json_array_append_new(al, json_string(w_algo0));
	json_object_set_new(p, w_algo, al);
	if (send_obj(c, request(1, w_login, p)) < 0)
		return -1;
	char sess[65] = "";
	json_int_t next = 100;
	uint64_t last_keep = ms_now_ns();
	char *line = malloc(MS_LINE_MAX);
	if (!line)
		return -1;
	int rc = 0;
	while (!g_stop && (!deadline || ms_now_ns() < deadline)) {
		int n = ms_conn_read_line(c, line, MS_LINE_MAX, 100);
		if (n == -1 || n == -3) {
			rc = -1;
			break;
		}
		if (n >= 0) {
			json_t *m = json_loads(line, 0, NULL);
			const char *method = json_string_value(json_object_get(m, w_method));
			json_t *res = json_object_get(m, w_result);
			if (method && !strcmp(method, w_job)) {
				take(json_object_get(m, w_params));
			} else if (json_integer_value(json_object_get(m, w_id)) == 1 && json_is_object(res)) {
				const char *sid = json_string_value(json_object_get(res, w_id));
				snprintf(sess, sizeof(sess), "%s", sid ? sid : "");
				SAY("session open");
				if (json_object_get(res, w_job))
					take(json_object_get(res, w_job));
			}
			json_decref(m);
		}
		for (;;) {
			char task[65], nn[9], rr[65];
			uint32_t nonce;
			uint8_t r[32];
			pthread_mutex_lock(&g_mu);
			int got = g_qn > 0;
			if (got) {
				g_qn--;
				memcpy(task, g_q[g_qn].task, sizeof(task));
				nonce = g_q[g_qn].n;
				memcpy(r, g_q[g_qn].r, 32);
			}
			pthread_mutex_unlock(&g_mu);
			if (!got)
				break;
			uint8_t nb[4];
			memcpy(nb, &nonce, 4);
			hex(nb, 4, nn);
			hex(r, 32, rr);
			json_t *sp = json_object();
			json_object_set_new(sp, w_id, json_string(sess));
			json_object_set_new(sp, w_jobid, json_string(task));
			json_object_set_new(sp, w_nonce, json_string(nn));
			json_object_set_new(sp, w_result, json_string(rr));
			if (send_obj(c, request(next++, w_submit, sp)) < 0) {
				rc = -1;
				goto out;
			}
		}
		if (sess[0] && ms_now_ns() - last_keep >= 30000000000ull) {
			last_keep = ms_now_ns();
			json_t *kp = json_object();
			json_object_set_new(kp, w_id, json_string(sess));
			if (send_obj(c, request(next++, w_keep, kp)) < 0) {
				rc = -1;
				break;
			}
		}
	}
out:
	free(line);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[1], "-c")) {
		fputs("usage: hh-rxwork -c FILE\n", stderr);
		return 2;
	}
	if (load_conf(argv[2]) < 0)
		return 2;
	dec(S_LOGIN, w_login, 16); dec(S_PASS, w_pass, 16); dec(S_AGENT, w_agent, 16); dec(S_ALGO, w_algo, 16);
	dec(S_ALGO0, w_algo0, 16); dec(S_JOB, w_job, 16); dec(S_JOBID, w_jobid, 16); dec(S_BLOB, w_blob, 16);
	dec(S_TARGET, w_target, 16); dec(S_SUBMIT, w_submit, 16); dec(S_NONCE, w_nonce, 16);
	dec(S_RESULT, w_result, 16); dec(S_KEEP, w_keep, 16); dec(S_METHOD, w_method, 16);
	dec(S_PARAMS, w_params, 16); dec(S_ID, w_id, 16); dec(S_JSONRPC, w_jsonrpc, 16);
	dec(S_STATUS, w_status, 16); dec(S_UA, w_ua, 16);
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	char err[256];
	if (cf.upstream[0] && ms_parse_loopback(cf.upstream, &ss, &sl, err, sizeof(err)) < 0) {
		ms_log(PROG, "upstream: %s", err);
		return 2;
	}
	if (!rx_supported()) {
		ms_log(PROG, "x86-64 only");
		return 2;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (rx_cache_init(&g_cache, cf.scratch_mib, (const uint8_t *)"seed", 4) < 0) {
		ms_log(PROG, "cannot map %u MiB", cf.scratch_mib);
		return 1;
	}
	SAY("ready: %d lane(s), %d%%, %u MiB", cf.lanes, cf.share, cf.scratch_mib);
	if (!cf.upstream[0]) { /* local work only */
		uint8_t b[76] = { 1 };
		pthread_mutex_lock(&g_mu);
		memcpy(g_blob, b, sizeof(b));
		g_blob_len = sizeof(b);
		snprintf(g_task, sizeof(g_task), "local");
		g_gen = 1;
		pthread_mutex_unlock(&g_mu);
	}
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_t th[MAX_LANES];
	int started = 0;
	for (int i = 0; i < cf.lanes; i++)
		if (pthread_create(&th[i], NULL, lane, (void *)(uintptr_t)i) == 0)
			started++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	uint64_t t0 = ms_now_ns(), deadline = cf.seconds ? t0 + (uint64_t)cf.seconds * 1000000000ull : 0;
	SSL_CTX *ctx = NULL;
	if (cf.upstream[0] && cf.secure && !(ctx = ms_tls_client_ctx(err, sizeof(err)))) {
		ms_log(PROG, "%s", err);
		g_stop = 1;
	}
	while (!g_stop && (!deadline || ms_now_ns() < deadline)) {
		if (!cf.upstream[0]) {
			ms_sleep_ns(100000000);
			continue;
		}
		struct ms_conn c = { .fd = -1 };
		if (ms_conn_connect(&c, &ss, sl, ctx, NULL, err, sizeof(err)) < 0) {
			SAY("connect: %s; again in 1 s", err);
			ms_sleep_ns(1000000000ull);
			continue;
		}
		SAY("connected%s", ctx ? " (TLS)" : "");
		session(&c, deadline);
		ms_conn_close(&c);
	}
	g_stop = 1;
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	SAY("stopped after %.1f s: %llu rounds", (double)(ms_now_ns() - t0) / 1e9, (unsigned long long)g_done);
	SSL_CTX_free(ctx);
	rx_cache_free(&g_cache);
	return 0;
}

/* hh-minersim: a miner simulator for testing cryptojacking detection.
 * It does real memory-hard hash work (cnhash.c) in N threads, optionally
 * duty-cycled and disguised, and speaks a pool dialect to a loopback pool
 * (hh-poolsim) over TCP or TLS. It mines nothing: the hash is not any coin's. */
#include "cnhash.h"
#include "common.h"
#include "msgs.h"
#include "netconn.h"
#include "rxvm.h"
#include "wallet.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#define PROG "minersim"
#define MAX_THREADS 64
#define SHARE_QUEUE 64
#define SUBMIT_ID0 100     /* request ids [SUBMIT_ID0, KEEP_ID0) are share submits */
#define KEEP_ID0 1000000000 /* keepalived / eth_submitHashrate ids */

static const char *usage_text =
	"usage: hh-minersim [options]\n"
	"  --pool HOST:PORT        loopback pool (127.0.0.0/8, [::1], localhost); none: hash only\n"
	"  --tls                   TLS to the pool (no SNI unless --sni NAME)\n"
	"  --sni NAME              server name to send in the TLS ClientHello\n"
	"  --dialect D             stratum | cryptonote (default) | ethproxy\n"
	"  --json compact|spaced   message layout (default compact)\n"
	"  --split                 write each line in several small TCP writes\n"
	"  --threads N             hashing threads (default 1, max 64)\n"
	"  --duty PERCENT          busy share of each 100 ms period per thread (default 100)\n"
	"  --name NAME             process name and command line to show (disguise)\n"
	"  --duration SECONDS      stop after this long (default 60; 0 = until signalled)\n"
	"  --wallet ADDRESS        login (default: a checksum-valid Monero address)\n"
	"  --pass PASS             password (default x)\n"
	"  --agent STRING          user agent (default XMRig-like)\n"
	"  --keepalive SECONDS     keepalived / eth_submitHashrate interval (default 30)\n"
	"  --fpu-rounding          RandomX-like non-default MXCSR rounding while hashing\n"
	"  --randomx               RandomX-like VM instead of hh-cn: memory-hard cache, JIT\n"
	"                          programs (mprotect RW->RX each), rounding mode per program\n"
	"  --rx-cache-mib N        its cache size, a power of two (default 256)\n"
	"  --rx-rwx                one writable+executable JIT mapping instead of W^X flips\n"
	"  --quiet                 errors only\n";

struct opts {
	char *pool, *sni, *name, *wallet, *pass, *agent;
	int tls, dialect, style, split, threads, duty, fpu, quiet, randomx, rx_rwx;
	unsigned rx_mib;
	long duration, keepalive;
};

struct share {
	char job_id[65];
	uint8_t hash[32];
	uint32_t nonce;
	char ntime[17];
	char header[67];
};

static struct opts o = { .dialect = MS_CRYPTONOTE, .style = MS_COMPACT, .threads = 1, .duty = 100,
			 .duration = 60, .keepalive = 30, .rx_mib = 256 };
static struct rx_cache g_rx_cache;
static _Atomic int g_stop; /* set by the signal handler, read by every thread (lock-free) */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static struct ms_job g_job;     /* guarded by g_mu */
static uint64_t g_job_gen;      /* guarded by g_mu; 0 = no job yet */
static struct share g_q[SHARE_QUEUE];
static size_t g_q_head, g_q_len; /* guarded by g_mu */
static _Atomic uint64_t g_hashes, g_found, g_dropped;

#define INFO(...) do { if (!o.quiet) ms_log(PROG, __VA_ARGS__); } while (0)
#define ERR(...) ms_log(PROG, __VA_ARGS__)

static void on_signal(int sig) { (void)sig; g_stop = 1; }

static void set_job(const struct ms_job *j)
{
	pthread_mutex_lock(&g_mu);
	g_job = *j;
	g_job_gen++;
	pthread_mutex_unlock(&g_mu);
}

static void push_share(const struct share *s)
{
	pthread_mutex_lock(&g_mu);
	if (g_q_len < SHARE_QUEUE) {
		g_q[(g_q_head + g_q_len) % SHARE_QUEUE] = *s;
		g_q_len++;
	} else {
		atomic_fetch_add(&g_dropped, 1);
	}
	pthread_mutex_unlock(&g_mu);
}

static int pop_share(struct share *s)
{
	int got = 0;
	pthread_mutex_lock(&g_mu);
	if (g_q_len) {
		*s = g_q[g_q_head];
		g_q_head = (g_q_head + 1) % SHARE_QUEUE;
		g_q_len--;
		got = 1;
	}
	pthread_mutex_unlock(&g_mu);
	return got;
}

/* A local job for hash-only runs: a Monero-sized blob, difficulty 1000. */
static void local_job(void)
{
	struct ms_job j = { .blob_len = 76, .nonce_off = 39, .target = ms_target_from_difficulty(1000) };
	uint64_t seed = ms_now_ns() ^ (uint64_t)getpid();
	for (size_t i = 0; i < j.blob_len; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		j.blob[i] = (uint8_t)(seed >> 56);
	}
	snprintf(j.job_id, sizeof(j.job_id), "local");
	set_job(&j);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *hash_thread(void *arg)
{
	unsigned idx = (unsigned)(uintptr_t)arg;
	struct ms_hasher h;
	struct rx_vm vm;
	if (o.randomx && rx_vm_init(&vm, &g_rx_cache, !o.rx_rwx) < 0) {
		ERR("thread %u: cannot map the JIT page", idx);
		return NULL;
	}
	if (ms_hasher_init(&h, o.fpu ? MS_HASH_FPU_ROUNDING : 0) < 0) {
		ERR("thread %u: cannot allocate the %u-byte scratchpad", idx, MS_PAD_BYTES);
		return NULL;
	}
#if defined(__x86_64__) || defined(__i386__)
	if (o.fpu) /* non-default from the start, as a RandomX VM leaves it */
		_mm_setcsr((_mm_getcsr() & ~0x6000u) | (3u << 13));
#endif
	struct ms_job job = { 0 };
	uint64_t gen = 0;
	uint32_t nonce = (uint32_t)(((uint64_t)idx << 32) / (unsigned)o.threads);
	const uint64_t period = 100000000ull, on = period * (uint64_t)o.duty / 100;
	/* Each 100 ms period: hash until this thread has used duty% of the period
	 * in CPU time (not wall time, so a busy machine does not stretch the
	 * share), then sleep out the period. A thread that cannot get its share
	 * within the period just goes on into the next one. */
	while (!g_stop) {
		uint64_t t0 = ms_now_ns(), c0 = thread_cpu_ns();
		while (!g_stop && thread_cpu_ns() - c0 < on && ms_now_ns() - t0 < period) {
			pthread_mutex_lock(&g_mu);
			if (g_job_gen != gen) {
				job = g_job;
				gen = g_job_gen;
			}
			pthread_mutex_unlock(&g_mu);
			if (!gen) {
				ms_sleep_ns(20000000);
				continue;
			}
			memcpy(job.blob + job.nonce_off, &nonce, 4);
			uint8_t out[32];
			if (o.randomx) {
				if (rx_vm_hash(&vm, job.blob, job.blob_len, out) < 0) {
					ERR("thread %u: mprotect of the JIT page failed", idx);
					break;
				}
			} else {
				ms_hash(&h, job.blob, job.blob_len, out);
			}
			atomic_fetch_add(&g_hashes, 1);
			if (ms_hash_value(out) < job.target) {
				atomic_fetch_add(&g_found, 1);
				if (o.pool) {
					struct share s = { .nonce = nonce };
					memcpy(s.job_id, job.job_id, sizeof(s.job_id));
					memcpy(s.hash, out, 32);
					memcpy(s.ntime, job.ntime, sizeof(s.ntime));
					memcpy(s.header, job.header, sizeof(s.header));
					push_share(&s);
				}
			}
			nonce++;
		}
		uint64_t spent = ms_now_ns() - t0;
		if (o.duty < 100 && spent < period && !g_stop)
			ms_sleep_ns(period - spent);
	}
	ms_hasher_free(&h);
	if (o.randomx)
		rx_vm_free(&vm);
	return NULL;
}

/* ---- pool session ---- */

struct session {
	struct ms_conn c;
	int connected;
	json_int_t next_id, keep_id;
	char cn_id[65];        /* cryptonote login session id */
	char extranonce1[33];  /* stratum */
	int en2_size;
	double difficulty;
	uint64_t submitted, accepted, rejected, jobs;
};

static int send_msg(struct session *s, char *line)
{
	if (!line)
		return -1;
	int rc = ms_conn_send_line(&s->c, line, o.split);
	free(line);
	if (rc < 0)
		ERR("send failed; connection lost");
	return rc;
}

static int login(struct session *s)
{
	switch (o.dialect) {
	case MS_STRATUM:
		if (send_msg(s, ms_msg_stratum_subscribe(o.style, 1, o.agent)) < 0)
			return -1;
		return send_msg(s, ms_msg_stratum_authorize(o.style, 2, o.wallet, o.pass));
	case MS_ETHPROXY:
		if (send_msg(s, ms_msg_eth_login(o.style, 1, o.wallet, o.pass)) < 0)
			return -1;
		return send_msg(s, ms_msg_eth_getwork(o.style, 2));
	default:
		return send_msg(s, ms_msg_cn_login(o.style, 1, o.wallet, o.pass, o.agent));
	}
}

static void take_job(struct session *s, int rc, const struct ms_job *j, const char *err)
{
	if (rc < 0) {
		ERR("bad job from pool: %s", err);
		return;
	}
	set_job(j);
	s->jobs++;
	INFO("new job %s from pool (blob %zu bytes, target %016llx)", j->job_id, j->blob_len,
	     (unsigned long long)j->target);
}

static void handle_line(struct session *s, const char *line)
{
	json_error_t jerr;
	json_t *m = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	char err[160];
	struct ms_job j;
	if (!json_is_object(m)) {
		ERR("unparsable line from pool (%s at column %d)", jerr.text, jerr.column);
		json_decref(m);
		return;
	}
	const char *method = json_string_value(json_object_get(m, "method"));
	json_t *params = json_object_get(m, "params");
	json_t *result = json_object_get(m, "result");
	json_t *error = json_object_get(m, "error");
	json_int_t id = json_integer_value(json_object_get(m, "id"));
	if (method) {
		if (!strcmp(method, "mining.set_difficulty") && json_is_number(json_array_get(params, 0))) {
			s->difficulty = json_number_value(json_array_get(params, 0));
			INFO("difficulty set to %g", s->difficulty);
		} else if (!strcmp(method, "mining.notify")) {
			take_job(s, ms_job_from_stratum(params, s->extranonce1, s->difficulty, &j, err, sizeof(err)), &j, err);
		} else if (!strcmp(method, "job")) {
			take_job(s, ms_job_from_cn(params, &j, err, sizeof(err)), &j, err);
		} else {
			INFO("ignoring pool method %s", method);
		}
		json_decref(m);
		return;
	}
	if (error && !json_is_null(error)) {
		const char *msg = json_string_value(json_object_get(error, "message"));
		if (!msg)
			msg = json_is_array(error) ? json_string_value(json_array_get(error, 1)) : NULL;
		if (id >= SUBMIT_ID0 && id < KEEP_ID0) {
			s->rejected++;
			INFO("share rejected: %s", msg ? msg : "?");
		} else {
			ERR("pool error for request %lld: %s", (long long)id, msg ? msg : "?");
		}
		json_decref(m);
		return;
	}
	if (id >= KEEP_ID0) {
		const char *st = json_string_value(json_object_get(result, "status"));
		if (json_is_true(result) || (st && !strcmp(st, "KEEPALIVED")))
			INFO("%s acknowledged", o.dialect == MS_ETHPROXY ? "hashrate report" : "keepalived");
	} else if (id >= SUBMIT_ID0) {
		const char *st = json_string_value(json_object_get(result, "status"));
		if (json_is_true(result) || (st && !strcmp(st, "OK"))) {
			s->accepted++;
			INFO("share accepted (%llu/%llu)", (unsigned long long)s->accepted,
			     (unsigned long long)s->submitted);
		}
	} else if (o.dialect == MS_CRYPTONOTE && id == 1 && json_is_object(result)) {
		const char *sid = json_string_value(json_object_get(result, "id"));
		snprintf(s->cn_id, sizeof(s->cn_id), "%s", sid ? sid : "");
		INFO("login accepted (session %s)", s->cn_id);
		if (json_object_get(result, "job"))
			take_job(s, ms_job_from_cn(json_object_get(result, "job"), &j, err, sizeof(err)), &j, err);
	} else if (o.dialect == MS_STRATUM && id == 1 && json_is_array(result)) {
		const char *en1 = json_string_value(json_array_get(result, 1));
		snprintf(s->extranonce1, sizeof(s->extranonce1), "%s", en1 ? en1 : "");
		s->en2_size = (int)json_integer_value(json_array_get(result, 2));
		if (s->en2_size < 0 || s->en2_size > 16)
			s->en2_size = 4;
		INFO("subscribed (extranonce1 %s, extranonce2 size %d)", s->extranonce1, s->en2_size);
	} else if ((o.dialect == MS_STRATUM || o.dialect == MS_ETHPROXY) && id == 1 && json_is_true(result)) {
		INFO("login accepted");
	} else if (o.dialect == MS_STRATUM && id == 2 && json_is_true(result)) {
		INFO("login accepted (authorized %s)", o.wallet);
	} else if (o.dialect == MS_ETHPROXY && json_is_array(result)) {
		take_job(s, ms_job_from_eth(result, &j, err, sizeof(err)), &j, err);
	}
	json_decref(m);
}

static int submit(struct session *s, const struct share *sh)
{
	char nonce[9], result[65], line_nonce[24], mix[70];
	uint8_t nb[4];
	memcpy(nb, &sh->nonce, 4); /* the bytes as placed in the blob */
	ms_hex_encode(nb, 4, nonce);
	ms_hex_encode(sh->hash, 32, result);
	json_int_t id = s->next_id++;
	if (s->next_id >= KEEP_ID0)
		s->next_id = SUBMIT_ID0;
	char *line = NULL;
	switch (o.dialect) {
	case MS_STRATUM: {
		char en2[33] = "";
		for (int i = 0; i < s->en2_size * 2 && i < 32; i++)
			en2[i] = '0';
		en2[s->en2_size * 2 < 32 ? s->en2_size * 2 : 32] = '\0';
		line = ms_msg_stratum_submit(o.style, id, o.wallet, sh->job_id, en2, sh->ntime, nonce);
		break;
	}
	case MS_ETHPROXY:
		snprintf(line_nonce, sizeof(line_nonce), "0x00000000%s", nonce);
		snprintf(mix, sizeof(mix), "0x%s", result);
		line = ms_msg_eth_submitwork(o.style, id, line_nonce, sh->header, mix);
		break;
	default:
		line = ms_msg_cn_submit(o.style, id, s->cn_id, sh->job_id, nonce, result);
	}
	s->submitted++;
	INFO("share submitted: job %s nonce %s", sh->job_id, nonce);
	return send_msg(s, line);
}

static void log_rate(uint64_t *last_h, uint64_t *last_t)
{
	uint64_t h = atomic_load(&g_hashes), t = ms_now_ns();
	double secs = (double)(t - *last_t) / 1e9;
	if (secs > 0)
		INFO("speed %.1f H/s (%llu hashes total)", (double)(h - *last_h) / secs, (unsigned long long)h);
	*last_h = h;
	*last_t = t;
}

static int run_pool(uint64_t deadline, struct session *s)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char err[256];
	if (ms_parse_loopback(o.pool, &ss, &sl, err, sizeof(err)) < 0) {
		ERR("--pool: %s", err);
		return 2;
	}
	SSL_CTX *ctx = NULL;
	if (o.tls && !(ctx = ms_tls_client_ctx(err, sizeof(err)))) {
		ERR("%s", err);
		return 1;
	}
	char *line = malloc(MS_LINE_MAX);
	if (!line) {
		SSL_CTX_free(ctx);
		return 1;
	}
	uint64_t last_keep = ms_now_ns(), last_rate_t = ms_now_ns(), last_rate_h = 0, retry_at = 0;
	while (!g_stop && (!deadline || ms_now_ns() < deadline)) {
		if (!s->connected) {
			if (ms_now_ns() < retry_at) {
				ms_sleep_ns(50000000);
				continue;
			}
			if (ms_conn_connect(&s->c, &ss, sl, ctx, o.sni, err, sizeof(err)) < 0) {
				ERR("cannot reach pool %s: %s; retrying in 1 s", o.pool, err);
				retry_at = ms_now_ns() + 1000000000ull;
				continue;
			}
			s->connected = 1;
			s->next_id = SUBMIT_ID0;
			s->keep_id = KEEP_ID0;
			s->difficulty = 1;
			INFO("connected to %s%s%s (%s, %s json%s)", o.pool, o.tls ? " over " : "",
			     o.tls ? SSL_get_version(s->c.ssl) : "", ms_dialect_name(o.dialect),
			     o.style == MS_SPACED ? "spaced" : "compact", o.split ? ", split writes" : "");
			if (login(s) < 0)
				goto lost;
		}
		int n = ms_conn_read_line(&s->c, line, MS_LINE_MAX, 100);
		if (n >= 0)
			handle_line(s, line);
		else if (n == -1 || n == -3) {
			ERR(n == -1 ? "pool closed the connection" : "line from pool over %d bytes", MS_LINE_MAX);
			goto lost;
		}
		struct share sh;
		while (pop_share(&sh))
			if (submit(s, &sh) < 0)
				goto lost;
		if (ms_now_ns() - last_keep >= (uint64_t)o.keepalive * 1000000000ull) {
			last_keep = ms_now_ns();
			if (o.dialect == MS_CRYPTONOTE && s->cn_id[0] &&
			    send_msg(s, ms_msg_cn_keepalived(o.style, s->keep_id++, s->cn_id)) < 0)
				goto lost;
			if (o.dialect == MS_ETHPROXY) {
				uint64_t h = atomic_load(&g_hashes);
				if (send_msg(s, ms_msg_eth_hashrate(o.style, s->keep_id++, h / (uint64_t)o.keepalive,
					     "0x6868000000000000000000000000000000000000000000000000000000000001")) < 0)
					goto lost;
			}
		}
		if (ms_now_ns() - last_rate_t >= 10000000000ull)
			log_rate(&last_rate_h, &last_rate_t);
		continue;
lost:
		ms_conn_close(&s->c);
		s->connected = 0;
		retry_at = ms_now_ns() + 1000000000ull;
	}
	if (s->connected)
		ms_conn_close(&s->c);
	free(line);
	SSL_CTX_free(ctx);
	return 0;
}

/* Overwrites the whole argv area so /proc/PID/cmdline shows only name, and
 * sets the thread name behind /proc/PID/comm (threads created later inherit it). */
static void disguise(int argc, char **argv, const char *name)
{
	char *start = argv[0], *end = argv[argc - 1] + strlen(argv[argc - 1]);
	size_t room = (size_t)(end - start);
	memset(start, 0, room);
	size_t n = strlen(name) < room ? strlen(name) : room;
	memcpy(start, name, n);
	prctl(PR_SET_NAME, name, 0, 0, 0);
}

static char *dup_or_die(const char *s)
{
	char *d = strdup(s);
	if (!d) {
		ERR("out of memory");
		exit(1);
	}
	return d;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "pool", required_argument, 0, 'p' },	  { "tls", no_argument, 0, 'T' },
		{ "sni", required_argument, 0, 'S' },	  { "dialect", required_argument, 0, 'D' },
		{ "json", required_argument, 0, 'J' },	  { "split", no_argument, 0, 's' },
		{ "threads", required_argument, 0, 't' }, { "duty", required_argument, 0, 'd' },
		{ "name", required_argument, 0, 'n' },	  { "duration", required_argument, 0, 'u' },
		{ "wallet", required_argument, 0, 'w' },  { "pass", required_argument, 0, 'P' },
		{ "agent", required_argument, 0, 'a' },	  { "keepalive", required_argument, 0, 'k' },
		{ "fpu-rounding", no_argument, 0, 'F' },  { "quiet", no_argument, 0, 'q' },
		{ "randomx", no_argument, 0, 'R' },	  { "rx-cache-mib", required_argument, 0, 'M' },
		{ "rx-rwx", no_argument, 0, 'X' },
		{ "help", no_argument, 0, 'h' },	  { 0, 0, 0, 0 },
	};
	int c;
	long v;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'p': o.pool = dup_or_die(optarg); break;
		case 'T': o.tls = 1; break;
		case 'S': o.sni = dup_or_die(optarg); break;
		case 'D':
			if ((o.dialect = ms_dialect_parse(optarg)) < 0)
				goto usage;
			break;
		case 'J':
			if (strcmp(optarg, "compact") && strcmp(optarg, "spaced"))
				goto usage;
			o.style = !strcmp(optarg, "spaced") ? MS_SPACED : MS_COMPACT;
			break;
		case 's': o.split = 1; break;
		case 't':
			if (ms_parse_long(optarg, 1, MAX_THREADS, &v) < 0)
				goto usage;
			o.threads = (int)v;
			break;
		case 'd':
			if (ms_parse_long(optarg, 1, 100, &v) < 0)
				goto usage;
			o.duty = (int)v;
			break;
		case 'n':
			if (!*optarg)
				goto usage;
			o.name = dup_or_die(optarg);
			break;
		case 'u':
			if (ms_parse_long(optarg, 0, 86400, &v) < 0)
				goto usage;
			o.duration = v;
			break;
		case 'w': o.wallet = dup_or_die(optarg); break;
		case 'P': o.pass = dup_or_die(optarg); break;
		case 'a': o.agent = dup_or_die(optarg); break;
		case 'k':
			if (ms_parse_long(optarg, 1, 3600, &v) < 0)
				goto usage;
			o.keepalive = v;
			break;
		case 'F': o.fpu = 1; break;
		case 'R': o.randomx = 1; break;
		case 'X': o.rx_rwx = 1; break;
		case 'M':
			if (ms_parse_long(optarg, 1, 4096, &v) < 0 || (v & (v - 1)))
				goto usage;
			o.rx_mib = (unsigned)v;
			break;
		case 'q': o.quiet = 1; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	if (!o.wallet) {
		o.wallet = malloc(MS_WALLET_LEN + 1);
		if (!o.wallet)
			return 1;
		ms_wallet_make("hashhound-minersim", 18, o.wallet);
	}
	if (!o.pass)
		o.pass = dup_or_die("x");
	if (!o.agent)
		o.agent = dup_or_die("XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0");
	if (o.name)
		disguise(argc, argv, o.name);

	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (o.randomx)
		INFO("starting: %d thread(s), duty %d%%, randomx-like VM (%u MiB cache, %s JIT)", o.threads, o.duty,
		     o.rx_mib, o.rx_rwx ? "RWX" : "W^X");
	else
		INFO("starting: %d thread(s), duty %d%%, %s AES, hash hh-cn (2 MiB pad, %u iterations)%s", o.threads,
		     o.duty, ms_have_aesni() ? "AES-NI" : "software", MS_ITERATIONS, o.fpu ? ", FPU rounding" : "");
	if (!o.pool)
		local_job();
	if (o.randomx) {
		if (!rx_supported()) {
			ERR("--randomx needs x86-64");
			return 2;
		}
		uint64_t c0 = ms_now_ns();
		if (rx_cache_init(&g_rx_cache, o.rx_mib, (const uint8_t *)"hh-rx-seed", 10) < 0) {
			ERR("cannot allocate the %u MiB cache", o.rx_mib);
			return 1;
		}
		INFO("randomx-like cache: %u MiB filled in %.1f s (%s)", o.rx_mib, (double)(ms_now_ns() - c0) / 1e9,
		     g_rx_cache.hugetlb ? "MAP_HUGETLB" : "madvise MADV_HUGEPAGE");
	}

	/* Hashing threads never take the signals; the main thread does. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_t th[MAX_THREADS];
	int started = 0;
	for (int i = 0; i < o.threads; i++)
		if (pthread_create(&th[i], NULL, hash_thread, (void *)(uintptr_t)i) == 0)
			started++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!started) {
		ERR("no hashing thread could start");
		return 1;
	}

	uint64_t t0 = ms_now_ns(), deadline = o.duration ? t0 + (uint64_t)o.duration * 1000000000ull : 0;
	struct session s = { .c = { .fd = -1 } };
	int rc = 0;
	if (o.pool) {
		rc = run_pool(deadline, &s);
	} else {
		uint64_t lh = 0, lt = t0;
		while (!g_stop && (!deadline || ms_now_ns() < deadline)) {
			ms_sleep_ns(100000000);
			if (ms_now_ns() - lt >= 10000000000ull)
				log_rate(&lh, &lt);
		}
	}
	g_stop = 1;
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	double secs = (double)(ms_now_ns() - t0) / 1e9;
	INFO("stopped after %.1f s: %llu hashes (%.1f H/s), %llu below target, %llu submitted, %llu accepted, "
	     "%llu rejected, %llu jobs",
	     secs, (unsigned long long)g_hashes, (double)g_hashes / secs, (unsigned long long)g_found,
	     (unsigned long long)s.submitted, (unsigned long long)s.accepted, (unsigned long long)s.rejected,
	     (unsigned long long)s.jobs);
	rx_cache_free(&g_rx_cache);
	free(o.pool); free(o.sni); free(o.name); free(o.wallet); free(o.pass); free(o.agent);
	return rc;
usage:
	fputs(usage_text, stderr);
	return 2;
}

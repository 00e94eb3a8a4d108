/* hh-poolsim: a mining-pool simulator on loopback for tests. It accepts many
 * miners (plain TCP or TLS with a self-signed certificate made at start),
 * detects each one's dialect from its first request (Stratum v1, CryptoNote
 * login/job/submit/keepalived, or Ethereum getwork proxy), answers it, pushes
 * a new job every --job-interval seconds and accepts every share. With --log
 * it writes one line per message received and sent, for tests to check. */
#include "common.h"
#include "msgs.h"
#include "netconn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROG "poolsim"
#define MAX_CLIENTS 256

static const char *usage_text =
	"usage: hh-poolsim --listen 127.0.0.1:PORT [options]\n"
	"  --listen ADDR:PORT      loopback address to listen on (port 0: any; printed)\n"
	"  --tls                   TLS with a self-signed certificate made at start\n"
	"  --job-interval SECONDS  push a new job this often (default 5)\n"
	"  --difficulty N          share difficulty (default 50)\n"
	"  --max-seconds N         exit after N seconds (default 600)\n"
	"  --max-clients N         concurrent miners (default 64, max 256)\n"
	"  --log FILE              one line per message received/sent and per connection event\n"
	"  --quiet                 errors only\n";

static struct {
	char *listen, *log;
	int tls, quiet;
	long job_interval, difficulty, max_seconds, max_clients;
} o = { .job_interval = 5, .difficulty = 50, .max_seconds = 600, .max_clients = 64 };

static _Atomic int g_stop; /* set by the signal handler, read by every thread (lock-free) */
static SSL_CTX *g_ctx;
static FILE *g_log;
static pthread_mutex_t g_log_mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint64_t g_shares, g_logins, g_jobs, g_conns;

#define INFO(...) do { if (!o.quiet) ms_log(PROG, __VA_ARGS__); } while (0)
#define ERR(...) ms_log(PROG, __VA_ARGS__)

static void on_signal(int sig) { (void)sig; g_stop = 1; }

/* "<unix seconds.ms> conn=<n> <what> <text>" */
static void logline(unsigned conn, const char *what, const char *text)
{
	if (!g_log)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	pthread_mutex_lock(&g_log_mu);
	fprintf(g_log, "%lld.%03ld conn=%u %s %s\n", (long long)ts.tv_sec, ts.tv_nsec / 1000000, conn, what, text);
	fflush(g_log);
	pthread_mutex_unlock(&g_log_mu);
}

struct client {
	pthread_t th;
	int used;          /* slot taken (guarded by g_slots_mu) */
	_Atomic int done;  /* thread finished; slot may be joined */
	int fd;
	unsigned id;
	char peer[64];
	struct ms_conn c;
	int dialect;       /* -1 until the first request */
	int logged_in;
	unsigned job_seq;
	uint64_t rng;
};

static struct client g_clients[MAX_CLIENTS];

static uint64_t rnd(struct client *cl)
{
	cl->rng ^= cl->rng << 13;
	cl->rng ^= cl->rng >> 7;
	cl->rng ^= cl->rng << 17;
	return cl->rng;
}

static void rnd_hex(struct client *cl, size_t bytes, char *out)
{
	uint8_t b[128];
	for (size_t i = 0; i < bytes; i++)
		b[i] = (uint8_t)rnd(cl);
	ms_hex_encode(b, bytes, out);
}

static int send_json(struct client *cl, json_t *msg)
{
	char *s = json_dumps(msg, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(msg);
	if (!s)
		return -1;
	logline(cl->id, "sent", s);
	int rc = ms_conn_send_line(&cl->c, s, 0);
	free(s);
	return rc;
}

static json_t *cn_job(struct client *cl)
{
	char blob[153], seed[65], job_id[20], target[9];
	rnd_hex(cl, 76, blob);
	rnd_hex(cl, 32, seed);
	snprintf(job_id, sizeof(job_id), "%u%04u", cl->id, ++cl->job_seq);
	ms_cn_hex_from_difficulty((double)o.difficulty, target);
	return json_pack("{s:s,s:s,s:s,s:s,s:I,s:s}", "blob", blob, "job_id", job_id, "target", target, "algo",
			 "rx/0", "height", (json_int_t)(3000000 + cl->job_seq), "seed_hash", seed);
}

static json_t *eth_work(struct client *cl)
{
	char hdr[67] = "0x", seed[67] = "0x", bnd[67];
	rnd_hex(cl, 32, hdr + 2);
	rnd_hex(cl, 32, seed + 2);
	ms_eth_boundary_from_difficulty((double)o.difficulty, bnd);
	cl->job_seq++;
	return json_pack("[sss]", hdr, seed, bnd);
}

static int push_job(struct client *cl)
{
	atomic_fetch_add(&g_jobs, 1);
	switch (cl->dialect) {
	case MS_STRATUM: {
		char prev[65], cb1[81], cb2[41], job_id[20], ntime[9];
		rnd_hex(cl, 32, prev);
		rnd_hex(cl, 40, cb1);
		rnd_hex(cl, 20, cb2);
		snprintf(job_id, sizeof(job_id), "%x", (cl->id << 16) | ++cl->job_seq);
		snprintf(ntime, sizeof(ntime), "%08lx", (unsigned long)time(NULL));
		return send_json(cl, json_pack("{s:n,s:s,s:[ssss[]sssb]}", "id", "method", "mining.notify", "params",
					       job_id, prev, cb1, cb2, "20000000", "1a0ffff0", ntime, 1));
	}
	case MS_ETHPROXY:
		return send_json(cl, json_pack("{s:i,s:s,s:o}", "id", 0, "jsonrpc", "2.0", "result", eth_work(cl)));
	default:
		return send_json(cl, json_pack("{s:s,s:s,s:o}", "jsonrpc", "2.0", "method", "job", "params", cn_job(cl)));
	}
}

static int detect_dialect(const char *method)
{
	if (!strncmp(method, "mining.", 7))
		return MS_STRATUM;
	if (!strncmp(method, "eth_", 4))
		return MS_ETHPROXY;
	if (!strcmp(method, "login") || !strcmp(method, "submit") || !strcmp(method, "keepalived") ||
	    !strcmp(method, "getjob"))
		return MS_CRYPTONOTE;
	return -1;
}

/* A reply echoing the request's id (any JSON value). */
static json_t *reply(json_t *id, int jsonrpc)
{
	json_t *r = json_object();
	json_object_set(r, "id", id ? id : json_null());
	if (jsonrpc)
		json_object_set_new(r, "jsonrpc", json_string("2.0"));
	return r;
}

static int answer(struct client *cl, json_t *id, json_t *result, int jsonrpc)
{
	json_t *r = reply(id, jsonrpc);
	json_object_set_new(r, "error", json_null());
	json_object_set_new(r, "result", result);
	return send_json(cl, r);
}

static int answer_error(struct client *cl, json_t *id, int code, const char *msg)
{
	json_t *r = reply(id, 1);
	json_object_set_new(r, "error", json_pack("{s:i,s:s}", "code", code, "message", msg));
	json_object_set_new(r, "result", json_null());
	return send_json(cl, r);
}

/* Returns -1 to drop the client. */
static int handle(struct client *cl, const char *line, uint64_t *next_job)
{
	json_error_t jerr;
	json_t *m = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(m)) {
		char what[200];
		snprintf(what, sizeof(what), "bad-json column %d: %s", jerr.column, jerr.text);
		logline(cl->id, "error", what);
		json_decref(m);
		return answer_error(cl, NULL, -32700, "Parse error");
	}
	json_t *id = json_object_get(m, "id");
	const char *method = json_string_value(json_object_get(m, "method"));
	int rc = 0;
	if (!method) {
		rc = answer_error(cl, id, -32600, "Invalid request");
		goto out;
	}
	if (cl->dialect < 0) {
		cl->dialect = detect_dialect(method);
		if (cl->dialect < 0) {
			rc = answer_error(cl, id, -32601, "Method not found");
			goto out;
		}
		logline(cl->id, "dialect", ms_dialect_name(cl->dialect));
		INFO("conn %u from %s speaks %s", cl->id, cl->peer, ms_dialect_name(cl->dialect));
	}
	uint64_t now = ms_now_ns(), every = (uint64_t)o.job_interval * 1000000000ull;
	if (!strcmp(method, "mining.subscribe")) {
		char en1[9];
		snprintf(en1, sizeof(en1), "%08x", cl->id);
		rc = answer(cl, id,
			    json_pack("[[[ss][ss]]si]", "mining.set_difficulty", "1", "mining.notify", "1", en1, 4), 0);
	} else if (!strcmp(method, "mining.authorize")) {
		atomic_fetch_add(&g_logins, 1);
		rc = answer(cl, id, json_true(), 0);
		if (!rc)
			rc = send_json(cl, json_pack("{s:n,s:s,s:[I]}", "id", "method", "mining.set_difficulty", "params",
						     (json_int_t)o.difficulty));
		if (!rc)
			rc = push_job(cl);
		cl->logged_in = 1;
		*next_job = now + every;
	} else if (!strcmp(method, "mining.submit") || !strcmp(method, "eth_submitWork")) {
		atomic_fetch_add(&g_shares, 1);
		rc = answer(cl, id, json_true(), cl->dialect == MS_ETHPROXY);
	} else if (!strcmp(method, "mining.extranonce.subscribe") || !strcmp(method, "eth_submitHashrate")) {
		rc = answer(cl, id, json_true(), cl->dialect == MS_ETHPROXY);
	} else if (!strcmp(method, "login")) {
		char sess[17];
		rnd_hex(cl, 8, sess);
		atomic_fetch_add(&g_logins, 1);
		atomic_fetch_add(&g_jobs, 1);
		rc = answer(cl, id,
			    json_pack("{s:s,s:o,s:[s],s:s}", "id", sess, "job", cn_job(cl), "extensions", "keepalive",
				      "status", "OK"),
			    1);
		cl->logged_in = 1;
		*next_job = now + every;
	} else if (!strcmp(method, "getjob")) {
		atomic_fetch_add(&g_jobs, 1);
		rc = answer(cl, id, cn_job(cl), 1);
	} else if (!strcmp(method, "submit")) {
		atomic_fetch_add(&g_shares, 1);
		rc = answer(cl, id, json_pack("{s:s}", "status", "OK"), 1);
	} else if (!strcmp(method, "keepalived")) {
		rc = answer(cl, id, json_pack("{s:s}", "status", "KEEPALIVED"), 1);
	} else if (!strcmp(method, "eth_submitLogin")) {
		atomic_fetch_add(&g_logins, 1);
		rc = answer(cl, id, json_true(), 1);
		cl->logged_in = 1;
		*next_job = now + every;
	} else if (!strcmp(method, "eth_getWork")) {
		atomic_fetch_add(&g_jobs, 1);
		rc = answer(cl, id, eth_work(cl), 1);
	} else {
		rc = answer_error(cl, id, -32601, "Method not found");
	}
out:
	json_decref(m);
	return rc;
}

static void *client_thread(void *arg)
{
	struct client *cl = arg;
	char err[256], what[192];
	if (ms_conn_accept(&cl->c, cl->fd, g_ctx, err, sizeof(err)) < 0) {
		logline(cl->id, "error", err);
		ERR("conn %u from %s: %s", cl->id, cl->peer, err);
		atomic_store(&cl->done, 1);
		return NULL;
	}
	const char *sni = cl->c.ssl ? SSL_get_servername(cl->c.ssl, TLSEXT_NAMETYPE_host_name) : NULL;
	snprintf(what, sizeof(what), "from %s %s sni=%.64s", cl->peer, cl->c.ssl ? SSL_get_version(cl->c.ssl) : "tcp",
		 sni ? sni : "-");
	logline(cl->id, "open", what);
	INFO("conn %u open %s", cl->id, what);
	char *line = malloc(MS_LINE_MAX);
	uint64_t next_job = 0;
	while (line && !g_stop) {
		int n = ms_conn_read_line(&cl->c, line, MS_LINE_MAX, 200);
		if (n >= 0) {
			logline(cl->id, "recv", line);
			if (handle(cl, line, &next_job) < 0)
				break;
		} else if (n == -3) {
			logline(cl->id, "error", "line over 16384 bytes");
			break;
		} else if (n == -1) {
			break;
		}
		if (cl->logged_in && ms_now_ns() >= next_job) {
			if (push_job(cl) < 0)
				break;
			next_job = ms_now_ns() + (uint64_t)o.job_interval * 1000000000ull;
		}
	}
	free(line);
	logline(cl->id, "close", cl->peer);
	INFO("conn %u closed", cl->id);
	ms_conn_close(&cl->c);
	atomic_store(&cl->done, 1);
	return NULL;
}

/* Joins finished client threads so their slots can be reused. */
static int reap(int all)
{
	int live = 0;
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *cl = &g_clients[i];
		if (!cl->used)
			continue;
		if (all || atomic_load(&cl->done)) {
			pthread_join(cl->th, NULL);
			cl->used = 0;
		} else {
			live++;
		}
	}
	return live;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "listen", required_argument, 0, 'l' },      { "tls", no_argument, 0, 'T' },
		{ "job-interval", required_argument, 0, 'j' }, { "difficulty", required_argument, 0, 'd' },
		{ "max-seconds", required_argument, 0, 'm' },  { "max-clients", required_argument, 0, 'c' },
		{ "log", required_argument, 0, 'L' },	       { "quiet", no_argument, 0, 'q' },
		{ "help", no_argument, 0, 'h' },	       { 0, 0, 0, 0 },
	};
	int ch;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (ch) {
		case 'l': o.listen = optarg; break;
		case 'T': o.tls = 1; break;
		case 'j': if (ms_parse_long(optarg, 1, 3600, &o.job_interval) < 0) goto usage; break;
		case 'd': if (ms_parse_long(optarg, 1, 1000000000, &o.difficulty) < 0) goto usage; break;
		case 'm': if (ms_parse_long(optarg, 1, 86400, &o.max_seconds) < 0) goto usage; break;
		case 'c': if (ms_parse_long(optarg, 1, MAX_CLIENTS, &o.max_clients) < 0) goto usage; break;
		case 'L': o.log = optarg; break;
		case 'q': o.quiet = 1; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: goto usage;
		}
	}
	if (optind != argc || !o.listen)
		goto usage;
	struct sockaddr_storage ss;
	socklen_t sl;
	char err[256];
	if (ms_parse_loopback(o.listen, &ss, &sl, err, sizeof(err)) < 0) {
		ERR("--listen: %s", err);
		return 2;
	}
	if (o.log && !(g_log = fopen(o.log, "w"))) {
		ERR("--log %s: %s", o.log, strerror(errno));
		return 2;
	}
	if (o.tls && !(g_ctx = ms_tls_server_ctx("pool.hh-sim.invalid", err, sizeof(err)))) {
		ERR("%s", err);
		return 1;
	}
	int lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&ss, sl) < 0 || listen(lfd, 64) < 0) {
		ERR("listen on %s: %s", o.listen, strerror(errno));
		return 1;
	}
	struct sockaddr_storage bound;
	socklen_t bl = sizeof(bound);
	getsockname(lfd, (struct sockaddr *)&bound, &bl);
	char host[INET6_ADDRSTRLEN] = "?", where[80];
	unsigned port;
	if (bound.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&bound)->sin6_addr, host, sizeof(host));
		port = ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
		snprintf(where, sizeof(where), "[%s]:%u", host, port);
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&bound)->sin_addr, host, sizeof(host));
		port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
		snprintf(where, sizeof(where), "%s:%u", host, port);
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	logline(0, "listen", where);
	INFO("listening on %s%s, job every %ld s, difficulty %ld, for at most %ld s", where, o.tls ? " (TLS)" : "",
	     o.job_interval, o.difficulty, o.max_seconds);

	uint64_t deadline = ms_now_ns() + (uint64_t)o.max_seconds * 1000000000ull;
	unsigned next_id = 1;
	while (!g_stop && ms_now_ns() < deadline) {
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };
		int pr = poll(&pfd, 1, 200);
		reap(0);
		if (pr <= 0)
			continue;
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);
		int fd = accept4(lfd, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		int slot = -1, live = 0;
		for (int i = 0; i < MAX_CLIENTS; i++) {
			if (g_clients[i].used)
				live++;
			else if (slot < 0)
				slot = i;
		}
		if (slot < 0 || live >= o.max_clients) {
			logline(0, "refused", "too many clients");
			close(fd);
			continue;
		}
		struct client *cl = &g_clients[slot];
		memset(cl, 0, sizeof(*cl));
		cl->fd = fd;
		cl->id = next_id++;
		cl->dialect = -1;
		cl->rng = ms_now_ns() ^ ((uint64_t)cl->id << 32) ^ 0x9e3779b97f4a7c15ULL;
		if (peer.ss_family == AF_INET) {
			char a[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &((struct sockaddr_in *)&peer)->sin_addr, a, sizeof(a));
			snprintf(cl->peer, sizeof(cl->peer), "%s:%u", a, ntohs(((struct sockaddr_in *)&peer)->sin_port));
		} else {
			snprintf(cl->peer, sizeof(cl->peer), "[::1]:%u", ntohs(((struct sockaddr_in6 *)&peer)->sin6_port));
		}
		atomic_fetch_add(&g_conns, 1);
		cl->used = 1;
		if (pthread_create(&cl->th, NULL, client_thread, cl) != 0) {
			cl->used = 0;
			close(fd);
		}
	}
	g_stop = 1;
	close(lfd);
	reap(1);
	INFO("stopped: %llu connections, %llu logins, %llu jobs, %llu shares accepted",
	     (unsigned long long)g_conns, (unsigned long long)g_logins, (unsigned long long)g_jobs,
	     (unsigned long long)g_shares);
	logline(0, "stop", "");
	if (g_log)
		fclose(g_log);
	SSL_CTX_free(g_ctx);
	return 0;
usage:
	fputs(usage_text, stderr);
	return 2;
}

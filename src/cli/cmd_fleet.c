/* hashhound fleet: findings of many nodes through NATS JetStream, correlated
 * into campaigns (the same miner hash, pool, wallet, image or dropper on
 * several nodes). `run` is a durable pull consumer (replicas started with
 * the same --durable share the work); `publish` sends findings through the
 * agent's JetStream sink (replays, tests); `campaigns` lists what a store
 * holds. */
#include <errno.h>
#include <nats/nats.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/log.h"
#include "correlation/fleet.h"
#include "sinks/fleet_store.h"
#include "sinks/nats_stream.h"
#include "sinks/sinks.h"
#include "sinks/store.h"

#define FLEET_LINE_MAX (1u << 20)

static void fleet_usage(FILE *fp)
{
	fprintf(fp,
		"usage: hashhound fleet run --nats URLS [--store FILE] [--durable NAME] [--stream NAME]\n"
		"                           [--min-nodes N] [--duration S] [-f json|table]\n"
		"       hashhound fleet publish --nats URLS --node NAME [--spool FILE] [--wait S] FILE.jsonl...\n"
		"       hashhound fleet campaigns [--store FILE] [-f json|table]\n\n"
		"run: consumes every node's findings from the JetStream stream (the agents'\n"
		"  sinks.nats), keeps each once (by message id) in the store, and reports a\n"
		"  fleet.campaign finding when the same executable hash, pool endpoint,\n"
		"  wallet, image or dropper URL appears in medium-or-worse findings of\n"
		"  --min-nodes (default 2) nodes, and again each time another node joins.\n"
		"  Replicas with the same --durable share the stream's messages.\n"
		"publish: sends findings (JSON lines) to the stream as node NAME, through\n"
		"  the same sink the agent uses; what the stream has not taken after --wait\n"
		"  seconds is left in the spool, sent first by the next publish.\n"
		"campaigns: the campaigns a fleet store holds.\n\n"
		"Options:\n"
		"      --nats URLS      nats://host:4222[,nats://...] (default: sinks.nats.url)\n"
		"      --store FILE     fleet store (default /var/lib/hashhound/fleet.db)\n"
		"      --durable NAME   consumer name (default hashhound-fleet)\n"
		"      --stream NAME    stream (default HASHHOUND)\n"
		"      --min-nodes N    nodes that make a campaign (default 2)\n"
		"      --duration S     stop after S seconds (default: until SIGTERM/SIGINT)\n"
		"      --node NAME      publish: the node the findings come from\n"
		"      --spool FILE     publish: spool file while the stream is unreachable\n"
		"      --wait S         publish: seconds to wait for the stream at the end (default 15)\n"
		"  -f, --format FMT     json (JSON lines) or table\n"
		"  -c, --config FILE    YAML configuration (default: built-in)\n"
		"  -v, --verbose / -q, --quiet; -h, --help\n\n"
		"Exit: 0 ok (run: no campaign at or above --fail-on), 1 campaigns at or above it, 2 usage or input error.\n");
}

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct fleet_opts {
	const char *nats, *store, *durable, *stream, *node, *spool;
	long min_nodes, duration, wait_s;
};

/* The node token of hashhound.findings.NODE. */
static const char *subject_node(const char *subject)
{
	const char *dot = subject ? strrchr(subject, '.') : NULL;
	return dot ? dot + 1 : "";
}

#define FLEET_FETCH 64

/* What a batch hands over once it is committed: each new finding (for the
 * plain store) and each campaign that grew (reported, and stored). */
struct batch_out {
	struct hh_finding *f[FLEET_FETCH * (1 + HH_FLEET_MAX_KEYS)];
	bool campaign[FLEET_FETCH * (1 + HH_FLEET_MAX_KEYS)];
	size_t n;
};

static void batch_keep(struct batch_out *b, struct hh_finding *f, bool campaign)
{
	if (!f)
		return;
	if (b->n == sizeof(b->f) / sizeof(b->f[0])) { /* cannot happen: sized for a full fetch */
		hh_finding_free(f);
		return;
	}
	b->campaign[b->n] = campaign;
	b->f[b->n++] = f;
}

/* One message, inside the batch's transaction: stored once, then the
 * campaigns of its keys. Returns 0 (ack after the commit) or -1 (not
 * stored: leave it for redelivery). */
static int handle(struct hh_fleet_store *fs, const struct fleet_opts *o, natsMsg *msg, struct batch_out *out,
		  long long *n_new)
{
	const char *data = natsMsg_GetData(msg);
	int len = natsMsg_GetDataLength(msg);
	json_error_t je;
	json_t *j = data ? json_loadb(data, (size_t)len, 0, &je) : NULL;
	struct hh_finding *f = j ? hh_finding_from_json(j) : NULL;
	json_decref(j);
	if (!f) {
		/* Not a finding: said once per message, and acknowledged (it
		 * would never parse on redelivery either). */
		hh_warn("fleet: message on %s is not a finding (%s); skipped", natsMsg_GetSubject(msg),
			j ? "missing keys" : je.text);
		return 0;
	}
	const char *id = NULL;
	char hash[33];
	if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) != NATS_OK || !id || !*id) {
		hh_nats_msg_id(data, (size_t)len, hash);
		id = hash;
	}
	const char *node = hh_fleet_node(f, subject_node(natsMsg_GetSubject(msg)));
	struct hh_fleet_key keys[HH_FLEET_MAX_KEYS];
	size_t nk = hh_fleet_keys(f, keys, HH_FLEET_MAX_KEYS);
	int rc = hh_fleet_store_add(fs, id, node, f, keys, nk);
	if (rc < 0) {
		hh_finding_free(f);
		return -1;
	}
	if (rc == 0) {
		hh_finding_free(f);
		return 0;
	}
	(*n_new)++;
	batch_keep(out, f, false);
	for (size_t k = 0; k < nk; k++) {
		struct hh_fleet_member m[HH_FLEET_MAX_MEMBERS];
		int n = hh_fleet_store_members(fs, &keys[k], m, HH_FLEET_MAX_MEMBERS);
		if (n < o->min_nodes)
			continue;
		struct hh_finding *c = hh_fleet_campaign(&keys[k], m, (size_t)n);
		if (c && hh_fleet_store_campaign(fs, &keys[k], (size_t)n, c) == 1)
			batch_keep(out, c, true);
		else
			hh_finding_free(c);
	}
	return 0;
}

/* One fetched batch: one transaction; acknowledged after its commit, then
 * the plain store and the campaign reports. A failed commit leaves every
 * message of the batch to redelivery. */
static void handle_batch(struct hh_cli *cli, struct hh_fleet_store *fs, struct hh_store *plain,
			 const struct fleet_opts *o, natsMsgList *ml, long long *n_new)
{
	static struct batch_out out; /* one consumer thread */
	bool ok[FLEET_FETCH] = { 0 };
	long long fresh = 0;
	out.n = 0;
	int n = ml->Count < FLEET_FETCH ? ml->Count : FLEET_FETCH;
	bool committed = hh_fleet_store_begin(fs) == 0;
	if (committed) {
		for (int i = 0; i < n; i++)
			ok[i] = handle(fs, o, ml->Msgs[i], &out, &fresh) == 0;
		committed = hh_fleet_store_commit(fs) == 0;
	}
	for (int i = 0; i < ml->Count; i++) {
		if (committed && i < n && ok[i])
			natsMsg_Ack(ml->Msgs[i], NULL);
		else
			natsMsg_Nak(ml->Msgs[i], NULL);
	}
	if (committed && plain)
		hh_store_add_many(plain, out.f, out.n);
	for (size_t i = 0; i < out.n; i++) {
		if (committed) {
			if (out.campaign[i])
				hh_cli_emit(cli, out.f[i]);
		}
		hh_finding_free(out.f[i]);
	}
	if (committed)
		*n_new += fresh;
}

static void on_connected(natsConnection *nc, void *closure)
{
	(void)nc;
	(void)closure;
	hh_info("fleet: connected");
}

static int fleet_run(struct hh_cli *cli, const struct fleet_opts *o)
{
	char err[512];
	struct hh_fleet_store *fs = hh_fleet_store_open(o->store, err, sizeof(err));
	if (!fs) {
		fprintf(stderr, "hashhound fleet: %s\n", err);
		return HH_EXIT_USAGE;
	}
	struct hh_store *plain = hh_store_open(o->store, 0, err, sizeof(err));
	if (!plain)
		hh_warn("fleet: %s (findings not in the dashboard store)", err);
	natsOptions *no = NULL;
	natsConnection *nc = NULL;
	jsCtx *js = NULL;
	natsSubscription *sub = NULL;
	const char *list[16];
	char buf[1024];
	int k = 0;
	snprintf(buf, sizeof(buf), "%s", o->nats);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && k < 16; t = strtok_r(NULL, ",", &save))
		list[k++] = t;
	natsOptions_Create(&no);
	natsOptions_SetServers(no, list, k);
	natsOptions_SetMaxReconnect(no, -1);
	natsOptions_SetReconnectWait(no, 250);
	/* With a callback the first connection is retried in the background
	 * (without one, libnats retries inside Connect, forever, deaf to
	 * SIGTERM); the stream wait below notices the signal. */
	natsOptions_SetRetryOnFailedConnect(no, true, on_connected, NULL);
	natsStatus s = natsConnection_Connect(&nc, no);
	if (s == NATS_NOT_YET_CONNECTED) {
		hh_warn("fleet: no server of %s answers yet; retrying", o->nats);
		s = NATS_OK;
	}
	jsErrCode jerr = 0;
	if (s == NATS_OK)
		s = natsConnection_JetStream(&js, nc, NULL);
	/* Wait for the stream (agents or this consumer may come first). */
	for (int tries = 0; s == NATS_OK && !stop_requested; tries++) {
		if (natsConnection_Status(nc) != NATS_CONN_STATUS_CONNECTED) {
			nats_Sleep(250);
			continue;
		}
		if (hh_nats_ensure_stream(js, o->stream, (int)hh_config_int(&cli->config, NULL, "sinks.nats.replicas", 1),
					  err, sizeof(err)) == 0)
			break;
		if (tries == 0)
			hh_warn("fleet: %s; retrying", err);
		nats_Sleep(500);
	}
	if (s == NATS_OK && stop_requested) { /* stopped while waiting: nothing consumed */
		jsCtx_Destroy(js);
		natsConnection_Destroy(nc);
		natsOptions_Destroy(no);
		hh_store_close(plain);
		hh_fleet_store_close(fs);
		hh_info("fleet: stopped before the stream was reachable");
		return hh_cli_finish(cli);
	}
	if (s == NATS_OK) {
		jsSubOptions so;
		jsSubOptions_Init(&so);
		so.Stream = o->stream;
		so.Config.AckWait = (int64_t)30 * 1000000000LL;
		s = js_PullSubscribe(&sub, js, "hashhound.findings.>", o->durable, NULL, &so, &jerr);
	}
	if (s != NATS_OK) {
		fprintf(stderr, "hashhound fleet: cannot consume from %s: %s (%d)\n", o->nats, natsStatus_GetText(s),
			(int)jerr);
		natsSubscription_Destroy(sub);
		jsCtx_Destroy(js);
		natsConnection_Destroy(nc);
		natsOptions_Destroy(no);
		hh_store_close(plain);
		hh_fleet_store_close(fs);
		return HH_EXIT_USAGE;
	}
	hh_info("fleet: consuming stream %s as %s into %s", o->stream, o->durable, o->store);
	time_t end = o->duration > 0 ? time(NULL) + o->duration : 0;
	long long received = 0, n_new = 0;
	while (!stop_requested && (!end || time(NULL) < end)) {
		natsMsgList ml = { 0 };
		s = natsSubscription_Fetch(&ml, sub, FLEET_FETCH, 1000, &jerr);
		received += ml.Count;
		if (ml.Count)
			handle_batch(cli, fs, plain, o, &ml, &n_new);
		natsMsgList_Destroy(&ml);
		if (s != NATS_OK && s != NATS_TIMEOUT)
			nats_Sleep(250); /* a server down: the library reconnects */
	}
	hh_info("fleet: %lld messages received, %lld new findings, %lld in the store", received, n_new,
		hh_fleet_store_count(fs));
	natsSubscription_Destroy(sub);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	natsOptions_Destroy(no);
	hh_store_close(plain);
	hh_fleet_store_close(fs);
	return hh_cli_finish(cli);
}

/* Makes f a finding of node: another node's finding replayed as this one
 * gets an id of its own (a UUID-shaped hash of the node and the original
 * id), so the stream and the fleet store keep both; a node's own finding
 * keeps its id, so replaying a file twice sends nothing new. */
static void replay_as_node(struct hh_finding *f, const char *node)
{
	const char *was = json_string_value(json_object_get(f->fields, "k8s.node.name"));
	if (!was || !*was)
		was = json_string_value(json_object_get(f->fields, "hostname"));
	if (was && *was && strcmp(was, node)) {
		char buf[512];
		unsigned char md[SHA256_DIGEST_LENGTH];
		int n = snprintf(buf, sizeof(buf), "%s\n%s", node, f->id);
		SHA256((const unsigned char *)buf, n > 0 && (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1, md);
		md[6] = (unsigned char)((md[6] & 0x0f) | 0x50); /* version 5-like: name-based */
		md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
		snprintf(f->id, sizeof(f->id),
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", md[0], md[1], md[2],
			 md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11], md[12], md[13], md[14], md[15]);
	}
	json_object_del(f->fields, "k8s.node.name");
	hh_finding_set_str(f, "hostname", node);
}

static int fleet_publish(struct hh_cli *cli, const struct fleet_opts *o, int argc, char **argv)
{
	if (!o->node || !*o->node || optind >= argc) {
		fprintf(stderr, "hashhound fleet publish: --node NAME and at least one FILE.jsonl are required\n");
		return HH_EXIT_USAGE;
	}
	char subject[256], err[512];
	snprintf(subject, sizeof(subject), "hashhound.findings.%s", o->node);
	for (char *p = subject + 19; *p; p++)
		if (*p == '.' || *p == '*' || *p == '>' || *p == ' ')
			*p = '_';
	struct hh_nats_opts no = {
		.servers = o->nats,
		.stream = o->stream,
		.subject = subject,
		.replicas = (int)hh_config_int(&cli->config, NULL, "sinks.nats.replicas", 1),
		.spool_path = o->spool ? o->spool : hh_config_str(&cli->config, NULL, "sinks.nats.spool", NULL),
	};
	struct hh_nats *n = hh_nats_start(&no, err, sizeof(err));
	if (!n) {
		fprintf(stderr, "hashhound fleet publish: %s\n", err);
		return HH_EXIT_USAGE;
	}
	int rc = 0;
	long long sent = 0;
	for (int i = optind; i < argc; i++) {
		FILE *fp = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "re");
		if (!fp) {
			fprintf(stderr, "hashhound fleet publish: cannot read %s: %s\n", argv[i], strerror(errno));
			rc = HH_EXIT_USAGE;
			continue;
		}
		char *line = NULL;
		size_t cap = 0;
		ssize_t len;
		long lineno = 0;
		while ((len = getline(&line, &cap, fp)) > 0) {
			lineno++;
			if ((size_t)len > FLEET_LINE_MAX || line[0] == '\n')
				continue;
			json_error_t je;
			json_t *j = json_loadb(line, (size_t)len, 0, &je);
			struct hh_finding *f = j ? hh_finding_from_json(j) : NULL;
			json_decref(j);
			if (!f) {
				fprintf(stderr, "hashhound fleet publish: %s:%ld: not a finding (%s)\n", argv[i], lineno,
					j ? "missing keys" : je.text);
				rc = HH_EXIT_USAGE;
				continue;
			}
			/* The node it came from, whatever the file says. */
			replay_as_node(f, o->node);
			hh_nats_send(n, f);
			hh_finding_free(f);
			sent++;
		}
		free(line);
		if (fp != stdin)
			fclose(fp);
	}
	hh_nats_stop(n, o->wait_s * 1000);
	hh_info("fleet publish: %lld findings sent as node %s", sent, o->node);
	return rc;
}

static void emit_cb(const struct hh_finding *f, void *ctx)
{
	hh_cli_emit(ctx, f);
}

static int fleet_campaigns(struct hh_cli *cli, const struct fleet_opts *o)
{
	char err[512];
	struct hh_fleet_store *fs = hh_fleet_store_open(o->store, err, sizeof(err));
	if (!fs) {
		fprintf(stderr, "hashhound fleet: %s\n", err);
		return HH_EXIT_USAGE;
	}
	hh_fleet_store_campaigns(fs, emit_cb, cli);
	hh_fleet_store_close(fs);
	return hh_cli_finish(cli);
}

int hh_cmd_fleet(int argc, char **argv)
{
	enum { O_NATS = 0x2000, O_STORE, O_DURABLE, O_STREAM, O_MIN, O_DUR, O_NODE, O_SPOOL, O_WAIT };
	static const struct option longopts[] = {
		HH_COMMON_LONGOPTS,
		{ "nats", required_argument, 0, O_NATS }, { "store", required_argument, 0, O_STORE },
		{ "durable", required_argument, 0, O_DURABLE }, { "stream", required_argument, 0, O_STREAM },
		{ "min-nodes", required_argument, 0, O_MIN }, { "duration", required_argument, 0, O_DUR },
		{ "node", required_argument, 0, O_NODE }, { "spool", required_argument, 0, O_SPOOL },
		{ "wait", required_argument, 0, O_WAIT },
		{ 0, 0, 0, 0 },
	};
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fleet_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? HH_EXIT_USAGE : 0;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "run") && strcmp(sub, "publish") && strcmp(sub, "campaigns")) {
		fprintf(stderr, "hashhound fleet: unknown subcommand '%s' (run, publish, campaigns)\n", sub);
		return HH_EXIT_USAGE;
	}
	struct hh_cli cli;
	char cmd[32];
	snprintf(cmd, sizeof(cmd), "fleet");
	hh_cli_init(&cli, cmd);
	struct fleet_opts o = { .durable = "hashhound-fleet", .stream = "HASHHOUND", .min_nodes = 2, .wait_s = 15 };
	int opt;
	optind = 2;
	while ((opt = getopt_long(argc, argv, HH_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int h = hh_cli_option(&cli, opt, optarg);
		if (h < 0)
			return HH_EXIT_USAGE;
		if (h)
			continue;
		char *end = NULL;
		switch (opt) {
		case O_NATS: o.nats = optarg; break;
		case O_STORE: o.store = optarg; break;
		case O_DURABLE: o.durable = optarg; break;
		case O_STREAM: o.stream = optarg; break;
		case O_NODE: o.node = optarg; break;
		case O_SPOOL: o.spool = optarg; break;
		case O_MIN:
		case O_DUR:
		case O_WAIT: {
			long v = strtol(optarg, &end, 10);
			const char *name = opt == O_MIN ? "min-nodes" : opt == O_DUR ? "duration" : "wait";
			if (!*optarg || *end || v < (opt == O_MIN ? 1 : 0) || v > 1000000) {
				fprintf(stderr, "hashhound fleet: --%s takes a %s whole number, got '%s'\n", name,
					opt == O_MIN ? "positive" : "non-negative", optarg);
				return HH_EXIT_USAGE;
			}
			if (opt == O_MIN)
				o.min_nodes = v;
			else if (opt == O_DUR)
				o.duration = v;
			else
				o.wait_s = v;
			break;
		}
		default: fleet_usage(stderr); return HH_EXIT_USAGE;
		}
	}
	if (cli.want_help) {
		fleet_usage(stdout);
		return 0;
	}
	if (cli.format != HH_FMT_JSON && cli.format != HH_FMT_TABLE && cli.format != HH_FMT_FALCO) {
		fprintf(stderr, "hashhound fleet: --format json, falco or table\n");
		return HH_EXIT_USAGE;
	}
	if (hh_cli_start(&cli) != 0)
		return HH_EXIT_USAGE;
	if (!o.nats)
		o.nats = hh_config_str(&cli.config, NULL, "sinks.nats.url", "");
	if (!o.store)
		o.store = hh_config_str(&cli.config, NULL, "fleet.store", "/var/lib/hashhound/fleet.db");
	if (strcmp(sub, "campaigns") && !o.nats[0]) {
		fprintf(stderr, "hashhound fleet %s: --nats URLS is required (or sinks.nats.url)\n", sub);
		hh_cli_finish(&cli);
		return HH_EXIT_USAGE;
	}
	if (strcmp(sub, "publish") && optind < argc) {
		fprintf(stderr, "hashhound fleet %s: unexpected argument '%s'\n", sub, argv[optind]);
		hh_cli_finish(&cli);
		return HH_EXIT_USAGE;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!strcmp(sub, "run")) {
		hh_ensure_parent_dir(o.store);
		return fleet_run(&cli, &o);
	}
	if (!strcmp(sub, "campaigns"))
		return fleet_campaigns(&cli, &o);
	int rc = fleet_publish(&cli, &o, argc, argv);
	int rc2 = hh_cli_finish(&cli);
	return rc ? rc : rc2;
}

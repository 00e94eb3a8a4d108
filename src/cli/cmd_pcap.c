/* hashhound pcap: mining on the wire, from capture files or a live interface. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/log.h"
#include "detectors/network/netdetect.h"
#include "enrich/identity.h"
#include "enrich/intel/intel.h"
#include "sources/pcap/engine.h"
#include "sources/pcap/live.h"
#include "sources/pcap/pcapfile.h"

#define MAX_INTEL_FILES 32
#define MAX_IFACES 16

static void pcap_usage(FILE *fp)
{
	fprintf(fp,
		"usage: hashhound pcap [OPTIONS] FILE...\n"
		"       hashhound pcap [OPTIONS] --live IFACE [--live IFACE2] [--duration S] [--filter BPF]\n\n"
		"Finds cryptocurrency mining in network traffic: Stratum v1, CryptoNote (XMRig,\n"
		"xmr-stak), EthProxy, EthereumStratum 1.0.0/2.0.0, getwork over HTTP, Stratum V2\n"
		"handshakes, mining over TLS by flow behavior, mining-pool domains and addresses\n"
		"(DNS, TLS SNI, intel lists) and cryptocurrency node P2P (informational).\n"
		"Reads pcap and pcapng (Ethernet, VLAN, Linux cooked v1/v2, raw IP, loopback).\n\n"
		"Options:\n"
		"      --live IFACE     capture live on IFACE (repeatable; 'any' for all)\n"
		"      --duration S     stop a live capture after S seconds (default: until Ctrl-C)\n"
		"      --filter BPF     live capture filter (default: tcp or udp port 53)\n"
		"      --intel FILE     extra intel list (hosts, plain, adblock or Falco YAML; repeatable)\n"
		"      --no-builtin-intel  leave out the built-in pool list\n"
		"      --stats          print packet and flow counts on stderr at the end\n"
		HH_COMMON_HELP, hh_cli_format_help("pcap"));
}

struct pcap_ctx {
	struct hh_cli *cli;
};

static void sink(void *arg, struct hh_finding *f)
{
	struct pcap_ctx *c = arg;
	hh_cli_emit_free(c->cli, f);
}

/* Live owner callback: the capture threads call it one at a time per
 * interface; a single interface is the common case, and hh_identity is only
 * shared when several are captured, so serialise it. */
static pthread_mutex_t owner_lock = PTHREAD_MUTEX_INITIALIZER;
static bool owner_of(void *arg, int pid, struct hh_workload *w)
{
	pthread_mutex_lock(&owner_lock);
	int r = hh_identity_of_pid(arg, pid, w);
	pthread_mutex_unlock(&owner_lock);
	return r == 1;
}

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int run_live(struct hh_cli *cli, struct pcap_ctx *ctx, const struct hh_intel *intel, const char **ifaces,
		    size_t n_ifaces, double duration, const char *filter, bool stats)
{
	struct hh_live_opts o = { .ifaces = ifaces, .n_ifaces = n_ifaces, .filter = filter, .duration_s = duration };
	char err[512];
	/* Socket owners are named by process, and by container through runtime state. */
	struct hh_identity_opts io = { 0 };
	struct hh_identity *id = hh_identity_new(&io);
	struct hh_live *l = hh_live_start(&o, &cli->config, intel, sink, ctx, id ? owner_of : NULL, id, err, sizeof(err));
	if (!l) {
		fprintf(stderr, "hashhound pcap: %s\n", err);
		hh_identity_free(id);
		return -1;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop_requested && !hh_live_done(l))
		usleep(100000);
	struct hh_live_stats st;
	hh_live_get_stats(l, &st);
	hh_live_stop(l);
	hh_identity_free(id);
	if (stats)
		fprintf(stderr, "live: %llu packets, %llu dropped by the kernel, %llu flows, %llu attributed to a process\n",
			st.packets, st.dropped_kernel, st.flows, st.attributed);
	return 0;
}

int hh_cmd_pcap(int argc, char **argv)
{
	enum { OPT_LIVE = 0x2000, OPT_DURATION, OPT_FILTER, OPT_INTEL, OPT_NO_BUILTIN, OPT_STATS };
	static const struct option longopts[] = {
		HH_COMMON_LONGOPTS,
		{ "live", required_argument, 0, OPT_LIVE },
		{ "duration", required_argument, 0, OPT_DURATION },
		{ "filter", required_argument, 0, OPT_FILTER },
		{ "intel", required_argument, 0, OPT_INTEL },
		{ "no-builtin-intel", no_argument, 0, OPT_NO_BUILTIN },
		{ "stats", no_argument, 0, OPT_STATS },
		{ 0, 0, 0, 0 },
	};
	struct hh_cli cli;
	hh_cli_init(&cli, "pcap");
	const char *intel_files[MAX_INTEL_FILES];
	const char *ifaces[MAX_IFACES];
	size_t n_intel = 0, n_ifaces = 0;
	double duration = 0;
	const char *filter = NULL;
	int builtin = -1;
	bool stats = false;
	int opt;
	while ((opt = getopt_long(argc, argv, HH_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int r = hh_cli_option(&cli, opt, optarg);
		if (r < 0)
			return HH_EXIT_USAGE;
		if (r > 0)
			continue;
		switch (opt) {
		case OPT_LIVE:
			if (n_ifaces == MAX_IFACES) {
				fprintf(stderr, "hashhound pcap: at most %d --live interfaces\n", MAX_IFACES);
				return HH_EXIT_USAGE;
			}
			ifaces[n_ifaces++] = optarg;
			break;
		case OPT_DURATION: {
			char *end;
			duration = strtod(optarg, &end);
			if (*end || duration < 0) {
				fprintf(stderr, "hashhound pcap: bad --duration '%s' (seconds)\n", optarg);
				return HH_EXIT_USAGE;
			}
			break;
		}
		case OPT_FILTER: filter = optarg; break;
		case OPT_INTEL:
			if (n_intel == MAX_INTEL_FILES) {
				fprintf(stderr, "hashhound pcap: at most %d --intel files\n", MAX_INTEL_FILES);
				return HH_EXIT_USAGE;
			}
			intel_files[n_intel++] = optarg;
			break;
		case OPT_NO_BUILTIN: builtin = 0; break;
		case OPT_STATS: stats = true; break;
		default: pcap_usage(stderr); return HH_EXIT_USAGE;
		}
	}
	if (cli.want_help) {
		pcap_usage(stdout);
		return 0;
	}
	if (optind >= argc && n_ifaces == 0) {
		pcap_usage(stderr);
		return HH_EXIT_USAGE;
	}
	int rc = hh_cli_start(&cli);
	if (rc)
		return rc;
	char err[512];
	struct hh_intel *intel = hh_intel_from_config(&cli.config, builtin, intel_files, n_intel, err, sizeof(err));
	if (!intel) {
		fprintf(stderr, "hashhound pcap: intel: %s\n", err);
		hh_cli_finish(&cli);
		return HH_EXIT_USAGE;
	}
	struct pcap_ctx ctx = { &cli };
	bool input_error = false;
	if (n_ifaces) {
		if (run_live(&cli, &ctx, intel, ifaces, n_ifaces, duration, filter, stats) < 0)
			input_error = true;
	}
	struct hh_netdetect_opts dopts;
	hh_netdetect_opts_load(&dopts, &cli.config);
	struct hh_engine_opts eopts;
	hh_engine_opts_load(&eopts, &cli.config);
	for (int i = optind; i < argc; i++) {
		/* One engine per file: flows and DNS answers never leak between captures. */
		struct hh_netdetect *det = hh_netdetect_new(&dopts, intel, "pcap", sink, &ctx);
		struct hh_engine *eng = det ? hh_engine_new(&eopts, det, intel) : NULL;
		if (!eng) {
			fprintf(stderr, "hashhound pcap: out of memory\n");
			hh_netdetect_free(det);
			input_error = true;
			break;
		}
		struct hh_pcap_file_result res;
		if (hh_pcap_read_file(eng, argv[i], &res, err, sizeof(err)) < 0) {
			fprintf(stderr, "hashhound pcap: %s\n", err);
			input_error = true;
		}
		hh_engine_flush(eng);
		hh_engine_warn_skipped(eng, argv[i]); /* skipped data is never silent */
		if (stats) {
			struct hh_engine_stats es;
			struct hh_netdetect_stats ds;
			hh_engine_get_stats(eng, &es);
			hh_netdetect_get_stats(det, &ds);
			fprintf(stderr,
				"%s: %llu packets (%llu IP, %llu TCP, %llu UDP, %llu not IP, %llu malformed, %llu fragments, "
				"%llu snaplen-cut), %llu flows (peak %zu, %llu LRU-evicted, %llu idle), %llu reassembly gaps, "
				"%llu JSON lines, %llu mining sessions, %llu TLS hellos, %llu DNS messages, %llu findings\n",
				argv[i], (unsigned long long)es.packets, (unsigned long long)es.ip_packets,
				(unsigned long long)es.tcp_packets, (unsigned long long)es.udp_packets,
				(unsigned long long)es.not_ip, (unsigned long long)es.malformed,
				(unsigned long long)es.fragments, (unsigned long long)es.truncated,
				(unsigned long long)es.flows, es.flows_peak, (unsigned long long)es.evicted_lru,
				(unsigned long long)es.evicted_idle, (unsigned long long)es.reasm_gaps,
				(unsigned long long)ds.json_lines, (unsigned long long)ds.mining_sessions,
				(unsigned long long)ds.tls_hellos, (unsigned long long)ds.dns_messages,
				(unsigned long long)ds.findings);
		}
		hh_engine_free(eng);
		hh_netdetect_free(det);
	}
	hh_intel_free(intel);
	rc = hh_cli_finish(&cli);
	/* An unreadable input is an input error; findings at or above --fail-on still say 1. */
	if (input_error && rc == HH_EXIT_CLEAN)
		rc = HH_EXIT_USAGE;
	return rc;
}

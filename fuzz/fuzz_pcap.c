/* libFuzzer: a whole capture file (pcap or pcapng bytes) through libpcap,
 * the decoder, the flow engine, reassembly and every network detector. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

#include "core/finding.h"
#include "detectors/network/netdetect.h"
#include "enrich/intel/intel.h"
#include "sources/pcap/engine.h"

static void sink(void *arg, struct hh_finding *f)
{
	(void)arg;
	hh_finding_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hh_intel *intel;
	if (!intel) {
		intel = hh_intel_new();
		hh_intel_load_builtin(intel, NULL);
	}
	FILE *fp = fmemopen((void *)data, size, "rb");
	if (!fp)
		return 0;
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_fopen_offline(fp, err); /* owns fp */
	if (!p) {
		fclose(fp);
		return 0;
	}
	struct hh_netdetect_opts o;
	hh_netdetect_opts_load(&o, NULL);
	struct hh_engine_opts eo;
	hh_engine_opts_load(&eo, NULL);
	eo.max_flows = 64;
	o.dns_cache = 64; /* small tables: each input builds its own */
	struct hh_netdetect *det = hh_netdetect_new(&o, intel, "pcap", sink, NULL);
	struct hh_engine *eng = hh_engine_new(&eo, det, intel);
	int lt = pcap_datalink(p);
	struct pcap_pkthdr *h;
	const u_char *pkt;
	for (int i = 0; i < 100000 && pcap_next_ex(p, &h, &pkt) == 1; i++) {
		const char *why;
		hh_engine_packet(eng, lt, pkt, h->caplen, h->len < h->caplen ? h->caplen : h->len,
				 (double)h->ts.tv_sec + h->ts.tv_usec / 1e6, &why);
	}
	hh_engine_free(eng);
	hh_netdetect_free(det);
	pcap_close(p);
	return 0;
}

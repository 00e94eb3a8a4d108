/* pcap/pcapng file reader. */
#include "sources/pcap/pcapfile.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "sources/pcap/decode.h"

#define MAX_LOGGED_MALFORMED 5

int hh_pcap_read_file(struct hh_engine *e, const char *path, struct hh_pcap_file_result *res, char *err,
		      size_t errlen)
{
	memset(res, 0, sizeof(*res));
	char perr[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (!p) {
		snprintf(err, errlen, "%s: cannot read capture: %s", path, perr);
		return -1;
	}
	res->linktype = pcap_datalink(p);
	if (!hh_decode_linktype_supported(res->linktype)) {
		snprintf(err, errlen, "%s: unsupported link type %d (%s)", path, res->linktype,
			 hh_decode_linktype_name(res->linktype));
		pcap_close(p);
		return -1;
	}
	FILE *fp = pcap_file(p);
	int rc = 0;
	for (;;) {
		long off = fp ? ftell(fp) : -1;
		struct pcap_pkthdr *h;
		const u_char *data;
		int r = pcap_next_ex(p, &h, &data);
		if (r == PCAP_ERROR_BREAK)
			break; /* end of file */
		if (r != 1) {
			snprintf(err, errlen, "%s: packet %llu at offset %ld: %s", path,
				 (unsigned long long)res->packets + 1, off, pcap_geterr(p));
			rc = -1;
			break;
		}
		res->packets++;
		uint32_t caplen = h->caplen, wirelen = h->len < h->caplen ? h->caplen : h->len;
		double ts = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;
		const char *why = "";
		if (hh_engine_packet(e, res->linktype, data, caplen, wirelen, ts, &why) == HH_DECODE_MALFORMED) {
			if (res->malformed++ < MAX_LOGGED_MALFORMED)
				hh_warn("%s: packet %llu at offset %ld: %s (skipped)", path,
					(unsigned long long)res->packets, off, why);
		}
	}
	if (res->malformed > MAX_LOGGED_MALFORMED)
		hh_warn("%s: %llu malformed packets in all (skipped)", path, (unsigned long long)res->malformed);
	pcap_close(p);
	return rc;
}

/* pcap/pcapng file reader. */
#include "sources/pcap/pcapfile.h"

#include <pcap/pcap.h>
#include <stdbool.h>
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
	/* Offsets: classic pcap records are 16 bytes of header plus the captured
	 * bytes, so they are counted, not asked for (ftell is a system call per
	 * packet). pcapng blocks vary: its offsets are read from the stream, and
	 * only when a message needs one. */
	bool classic = pcap_major_version(p) == 2;
	long next_off = 24;
	int rc = 0;
	for (;;) {
		long off = classic ? next_off : -1;
		struct pcap_pkthdr *h;
		const u_char *data;
		int r = pcap_next_ex(p, &h, &data);
		if (r == PCAP_ERROR_BREAK)
			break; /* end of file */
		if (r != 1) {
			if (!classic)
				off = fp ? ftell(fp) : -1;
			snprintf(err, errlen, "%s: packet %llu at offset %ld%s: %s", path,
				 (unsigned long long)res->packets + 1, off, classic ? "" : " (block end)", pcap_geterr(p));
			rc = -1;
			break;
		}
		next_off += 16 + (long)h->caplen;
		res->packets++;
		uint32_t caplen = h->caplen, wirelen = h->len < h->caplen ? h->caplen : h->len;
		double ts = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;
		const char *why = "";
		if (hh_engine_packet(e, res->linktype, data, caplen, wirelen, ts, &why) == HH_DECODE_MALFORMED) {
			if (res->malformed++ < MAX_LOGGED_MALFORMED) {
				if (!classic)
					off = fp ? ftell(fp) : -1;
				hh_warn("%s: packet %llu at offset %ld%s: %s (skipped)", path,
					(unsigned long long)res->packets, off, classic ? "" : " (block end)", why);
			}
		}
	}
	if (res->malformed > MAX_LOGGED_MALFORMED)
		hh_warn("%s: %llu malformed packets in all (skipped)", path, (unsigned long long)res->malformed);
	pcap_close(p);
	return rc;
}

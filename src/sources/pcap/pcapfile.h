/* Capture files (pcap and pcapng, through libpcap) fed to the packet engine.
 * Errors name the file, the packet number and its byte offset; a file cut
 * short keeps everything read before the cut. */
#ifndef HH_PCAP_FILE_H
#define HH_PCAP_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "sources/pcap/engine.h"

struct hh_pcap_file_result {
	uint64_t packets;        /* frames read */
	uint64_t malformed;      /* frames that did not decode (first few logged) */
	int linktype;
};

/* Returns 0 when the whole file was read, -1 with err ("FILE: packet N at
 * offset O: problem", or "FILE: problem" when it cannot be opened). */
int hh_pcap_read_file(struct hh_engine *e, const char *path, struct hh_pcap_file_result *res, char *err,
		      size_t errlen);

#endif

/* libFuzzer: a whole capture file through hh_pcap_read_file (libpcap opens
 * and validates it; classic pcap is then read in place from a mapping,
 * pcapng through libpcap), the decoder, the flow engine, reassembly and every
 * network detector. The input lives in a memfd so both paths see a real file. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/finding.h"
#include "detectors/network/netdetect.h"
#include "enrich/intel/intel.h"
#include "sources/pcap/engine.h"
#include "sources/pcap/pcapfile.h"

static void sink(void *arg, struct hh_finding *f)
{
	(void)arg;
	hh_finding_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hh_intel *intel;
	static int fd = -1;
	if (!intel) {
		intel = hh_intel_new();
		hh_intel_load_builtin(intel, NULL);
		fd = memfd_create("fuzz-pcap", 0);
	}
	if (fd < 0 || ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct hh_netdetect_opts o;
	hh_netdetect_opts_load(&o, NULL);
	o.dns_cache = 64; /* small tables: each input builds its own */
	struct hh_engine_opts eo;
	hh_engine_opts_load(&eo, NULL);
	eo.max_flows = 64;
	struct hh_netdetect *det = hh_netdetect_new(&o, intel, "pcap", sink, NULL);
	struct hh_engine *eng = hh_engine_new(&eo, det, intel);
	struct hh_pcap_file_result res;
	char err[512];
	hh_pcap_read_file(eng, path, &res, err, sizeof(err));
	hh_engine_free(eng);
	hh_netdetect_free(det);
	return 0;
}

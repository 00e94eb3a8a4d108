/* pcap/pcapng file reader. */
#include "sources/pcap/pcapfile.h"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "sources/pcap/decode.h"

#define MAX_LOGGED_MALFORMED 5
#define MAX_RECORD (256u * 1024u) /* libpcap's own limit for a captured packet */
#define RELEASE_EVERY ((size_t)32 << 20)

static void note_malformed(struct hh_pcap_file_result *res, const char *path, long off, const char *why)
{
	if (res->malformed++ < MAX_LOGGED_MALFORMED)
		hh_warn("%s: packet %llu at offset %ld: %s (skipped)", path, (unsigned long long)res->packets, off, why);
}

static uint32_t rd32(const uint8_t *p, bool swap)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

/* Classic pcap, read in place from a mapping: libpcap's stdio path copies
 * every byte twice (read() into the FILE buffer, then into its packet
 * buffer), which is most of the cost on a large file. libpcap has already
 * opened the file and validated its header and link type. Returns 1 when
 * the file cannot be mapped (the caller reads it through libpcap). */
static int read_mapped(struct hh_engine *e, const char *path, int linktype, struct hh_pcap_file_result *res,
		       char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 24) {
		close(fd);
		return 1;
	}
	size_t size = (size_t)st.st_size;
	const uint8_t *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return 1;
	madvise((void *)m, size, MADV_SEQUENTIAL);
	uint32_t magic;
	memcpy(&magic, m, 4);
	bool swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
	bool nano = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
	if (!swap && !nano && magic != 0xa1b2c3d4) {
		munmap((void *)m, size);
		return 1; /* a variant libpcap knows and we do not: let it read */
	}
	int rc = 0;
	size_t off = 24, released = 0;
	long page = sysconf(_SC_PAGESIZE);
	while (off < size) {
		/* Drop the pages already read from this mapping, so resident memory
		 * stays small on a large file (the page cache keeps them if it can). */
		if (off - released >= RELEASE_EVERY) {
			size_t upto = off & ~((size_t)page - 1);
			madvise((void *)(m + released), upto - released, MADV_DONTNEED);
			released = upto;
		}
		if (size - off < 16) {
			snprintf(err, errlen, "%s: packet %llu at offset %zu: truncated record header (%zu of 16 bytes)", path,
				 (unsigned long long)res->packets + 1, off, size - off);
			rc = -1;
			break;
		}
		const uint8_t *h = m + off;
		uint32_t sec = rd32(h, swap), frac = rd32(h + 4, swap), caplen = rd32(h + 8, swap), wirelen = rd32(h + 12, swap);
		if (caplen > MAX_RECORD) {
			snprintf(err, errlen, "%s: packet %llu at offset %zu: captured length %u larger than %u", path,
				 (unsigned long long)res->packets + 1, off, caplen, MAX_RECORD);
			rc = -1;
			break;
		}
		if (size - off - 16 < caplen) {
			snprintf(err, errlen, "%s: packet %llu at offset %zu: truncated packet (%zu of %u bytes)", path,
				 (unsigned long long)res->packets + 1, off, size - off - 16, caplen);
			rc = -1;
			break;
		}
		res->packets++;
		double ts = (double)sec + (double)frac / (nano ? 1e9 : 1e6);
		const char *why = "";
		if (hh_engine_packet(e, linktype, h + 16, caplen, wirelen < caplen ? caplen : wirelen, ts, &why) ==
		    HH_DECODE_MALFORMED)
			note_malformed(res, path, (long)off, why);
		off += 16 + (size_t)caplen;
	}
	munmap((void *)m, size);
	return rc;
}

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
	if (pcap_major_version(p) == 2) {
		int r = read_mapped(e, path, res->linktype, res, err, errlen);
		if (r <= 0) {
			if (res->malformed > MAX_LOGGED_MALFORMED)
				hh_warn("%s: %llu malformed packets in all (skipped)", path, (unsigned long long)res->malformed);
			pcap_close(p);
			return r;
		}
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

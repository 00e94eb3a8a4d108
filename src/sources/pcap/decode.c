/* Link, network and transport decoding with bounds checks at every step. */
#include "sources/pcap/decode.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD 0x9100
#define MAX_VLAN_TAGS 4
#define MAX_IPV6_EXT 8

bool hh_decode_linktype_supported(int lt)
{
	switch (lt) {
	case DLT_EN10MB: case DLT_LINUX_SLL: case DLT_LINUX_SLL2: case DLT_RAW: case DLT_IPV4:
	case DLT_IPV6: case DLT_NULL: case DLT_LOOP:
		return true;
	default:
		return false;
	}
}

const char *hh_decode_linktype_name(int lt)
{
	const char *n = pcap_datalink_val_to_name(lt);
	return n ? n : "unknown";
}

const char *hh_addr_str(int family, const uint8_t *addr, char *buf, size_t n)
{
	if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf, (socklen_t)n))
		snprintf(buf, n, "?");
	return buf;
}

/* Ones' complement sum of 16-bit big-endian words (RFC 1071). */
static uint64_t sum16(const uint8_t *p, size_t n, uint64_t acc)
{
	size_t i = 0;
	for (; i + 1 < n; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < n)
		acc += (uint32_t)p[i] << 8;
	return acc;
}

static uint16_t fold(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

static uint64_t pseudo_sum(const struct hh_pkt *out, uint32_t l4len)
{
	uint64_t acc = 0;
	if (out->family == 4) {
		acc = sum16(out->src, 4, acc);
		acc = sum16(out->dst, 4, acc);
	} else {
		acc = sum16(out->src, 16, acc);
		acc = sum16(out->dst, 16, acc);
		acc += l4len >> 16;
	}
	return acc + out->proto + (l4len & 0xffff);
}

/* Verifies the checksum at p[coff] of a whole TCP/UDP segment of len bytes. */
static enum hh_csum l4_checksum(const struct hh_pkt *out, const uint8_t *p, uint32_t len, uint32_t coff)
{
	uint16_t field = (uint16_t)(p[coff] << 8 | p[coff + 1]);
	if (out->proto == IPPROTO_UDP && field == 0)
		return HH_CSUM_UNCHECKED; /* "no checksum" */
	if (fold(sum16(p, len, pseudo_sum(out, len))) == 0xffff)
		return HH_CSUM_GOOD;
	/* Offload (CHECKSUM_PARTIAL): the field holds the folded pseudo-header
	 * sum (with the segment length, or 0 for segmentation offload), or zero. */
	uint16_t part = fold(pseudo_sum(out, len)), part0 = fold(pseudo_sum(out, 0));
	uint16_t npart = (uint16_t)(0xffffu ^ part), npart0 = (uint16_t)(0xffffu ^ part0);
	if (field == 0 || field == part || field == npart || field == part0 || field == npart0)
		return HH_CSUM_PARTIAL;
	return HH_CSUM_BAD;
}

static enum hh_decode_rc decode_l4(const uint8_t *p, uint32_t avail, uint32_t wire, struct hh_pkt *out,
				   const char **why)
{
	if (out->fragment)
		return HH_DECODE_OK;
	if ((out->proto == IPPROTO_TCP && avail >= 20 && avail == wire) ||
	    (out->proto == IPPROTO_UDP && avail >= 8 && avail == wire))
		out->l4_csum = l4_checksum(out, p, wire, out->proto == IPPROTO_TCP ? 16 : 6);
	if (out->proto == IPPROTO_TCP) {
		if (avail < 20) {
			*why = avail < wire ? "TCP header cut by the snapshot length" : "TCP header truncated";
			return HH_DECODE_MALFORMED;
		}
		uint32_t off = (uint32_t)(p[12] >> 4) * 4;
		if (off < 20 || off > wire) {
			*why = "bad TCP data offset";
			return HH_DECODE_MALFORMED;
		}
		out->sport = be16(p);
		out->dport = be16(p + 2);
		out->seq = be32(p + 4);
		out->ack = be32(p + 8);
		out->tcp_flags = p[13];
		out->wire_payload_len = wire - off;
		out->payload_len = avail > off ? avail - off : 0;
		out->payload = out->payload_len ? p + off : NULL;
	} else if (out->proto == IPPROTO_UDP) {
		if (avail < 8) {
			*why = "UDP header truncated";
			return HH_DECODE_MALFORMED;
		}
		out->sport = be16(p);
		out->dport = be16(p + 2);
		uint32_t ulen = be16(p + 4);
		if (ulen < 8 || ulen > wire)
			ulen = wire; /* trust the IP length; UDP length 0 is legal in jumbograms */
		out->wire_payload_len = ulen - 8;
		out->payload_len = avail - 8 < ulen - 8 ? avail - 8 : ulen - 8;
		out->payload = out->payload_len ? p + 8 : NULL;
	}
	return HH_DECODE_OK;
}

static enum hh_decode_rc decode_ipv4(const uint8_t *p, uint32_t caplen, struct hh_pkt *out, const char **why)
{
	if (caplen < 20) {
		*why = "IPv4 header truncated";
		return HH_DECODE_MALFORMED;
	}
	uint32_t ihl = (uint32_t)(p[0] & 0x0f) * 4;
	uint32_t total = be16(p + 2);
	if (ihl < 20 || caplen < ihl) {
		*why = "bad IPv4 header length";
		return HH_DECODE_MALFORMED;
	}
	if (total == 0 && caplen > ihl)
		total = caplen; /* TSO captures write 0 here */
	if (total < ihl) {
		*why = "IPv4 total length shorter than its header";
		return HH_DECODE_MALFORMED;
	}
	out->family = 4;
	out->proto = p[9];
	memcpy(out->src, p + 12, 4);
	memcpy(out->dst, p + 16, 4);
	out->ip_len = total;
	uint16_t frag = be16(p + 6);
	out->fragment = (frag & 0x3fff) != 0; /* MF set or a non-zero offset */
	/* A zero field is offload (Windows, BSD captures of sent packets); TSO (total 0) is not checked. */
	if (be16(p + 10) != 0 && be16(p + 2) != 0 && fold(sum16(p, ihl, 0)) != 0xffff)
		out->ip_csum_bad = true;
	/* Ethernet pads short frames: the IP length bounds the payload. */
	uint32_t avail = (caplen < total ? caplen : total) - ihl;
	if (out->fragment) {
		out->frag_id = be16(p + 4);
		out->frag_off = (uint32_t)(frag & 0x1fff) * 8;
		out->frag_more = (frag & 0x2000) != 0;
		out->frag_data = p + ihl;
		out->frag_len = avail;
		out->frag_wire_len = total - ihl;
	}
	return decode_l4(p + ihl, avail, total - ihl, out, why);
}

static enum hh_decode_rc decode_ipv6(const uint8_t *p, uint32_t caplen, struct hh_pkt *out, const char **why)
{
	if (caplen < 40) {
		*why = "IPv6 header truncated";
		return HH_DECODE_MALFORMED;
	}
	uint32_t plen = be16(p + 4);
	if (plen == 0 && caplen > 40)
		plen = caplen - 40; /* jumbogram or TSO: trust the capture */
	out->family = 6;
	memcpy(out->src, p + 8, 16);
	memcpy(out->dst, p + 24, 16);
	out->ip_len = plen + 40;
	uint8_t nh = p[6];
	uint32_t off = 40;
	uint32_t end_wire = 40 + plen;
	uint32_t end_cap = caplen < end_wire ? caplen : end_wire;
	for (int i = 0; i < MAX_IPV6_EXT; i++) {
		if (nh != 0 && nh != 43 && nh != 60 && nh != 44 && nh != 51)
			break;
		if (off + 8 > end_cap) {
			*why = "IPv6 extension header truncated";
			return HH_DECODE_MALFORMED;
		}
		uint32_t hlen;
		if (nh == 44) { /* fragment */
			uint16_t fo = be16(p + off + 2);
			if ((fo & 0xfff9) != 0) { /* offset or M flag: the rest is a piece of a datagram */
				out->fragment = true;
				out->frag_id6 = be32(p + off + 4);
				out->frag_id = (uint16_t)out->frag_id6;
				out->frag_off = fo & 0xfff8u;
				out->frag_more = (fo & 1) != 0;
				out->proto = p[off];
				off += 8;
				out->frag_data = p + off;
				out->frag_len = end_cap > off ? end_cap - off : 0;
				out->frag_wire_len = end_wire > off ? end_wire - off : 0;
				if (off > end_wire) {
					*why = "IPv6 fragment header longer than the packet";
					return HH_DECODE_MALFORMED;
				}
				return HH_DECODE_OK;
			}
			hlen = 8;
		} else if (nh == 51) { /* AH: length in 4-byte units minus 2 */
			hlen = ((uint32_t)p[off + 1] + 2) * 4;
		} else {
			hlen = ((uint32_t)p[off + 1] + 1) * 8;
		}
		nh = p[off];
		off += hlen;
		if (off > end_wire) {
			*why = "IPv6 extension header longer than the packet";
			return HH_DECODE_MALFORMED;
		}
	}
	out->proto = nh;
	uint32_t avail = end_cap > off ? end_cap - off : 0;
	return decode_l4(p + off, avail, end_wire - off, out, why);
}

enum hh_decode_rc hh_decode_l4(const uint8_t *l4, uint32_t len, struct hh_pkt *out, const char **why)
{
	out->fragment = false;
	uint32_t off = 0;
	/* an IPv6 datagram's fragmentable part may open with more extension headers */
	for (int i = 0; out->family == 6 && i < MAX_IPV6_EXT &&
			(out->proto == 0 || out->proto == 43 || out->proto == 60 || out->proto == 51); i++) {
		if (off + 8 > len) {
			*why = "IPv6 extension header truncated";
			return HH_DECODE_MALFORMED;
		}
		uint32_t hlen = out->proto == 51 ? ((uint32_t)l4[off + 1] + 2) * 4 : ((uint32_t)l4[off + 1] + 1) * 8;
		out->proto = l4[off];
		off += hlen;
		if (off > len) {
			*why = "IPv6 extension header longer than the packet";
			return HH_DECODE_MALFORMED;
		}
	}
	return decode_l4(l4 + off, len - off, len - off, out, why);
}

enum hh_decode_rc hh_decode_ip(const uint8_t *p, uint32_t caplen, struct hh_pkt *out, const char **why)
{
	if (caplen < 1) {
		*why = "empty IP packet";
		return HH_DECODE_MALFORMED;
	}
	switch (p[0] >> 4) {
	case 4: return decode_ipv4(p, caplen, out, why);
	case 6: return decode_ipv6(p, caplen, out, why);
	default:
		*why = "IP version is neither 4 nor 6";
		return HH_DECODE_MALFORMED;
	}
}

static enum hh_decode_rc by_ethertype(uint16_t type, const uint8_t *p, uint32_t len, struct hh_pkt *out,
				      const char **why)
{
	for (int tags = 0; type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD; tags++) {
		if (tags >= MAX_VLAN_TAGS) {
			*why = "too many VLAN tags";
			return HH_DECODE_MALFORMED;
		}
		if (len < 4) {
			*why = "VLAN tag truncated";
			return HH_DECODE_MALFORMED;
		}
		if (tags == 0)
			out->vlan = be16(p) & 0x0fff;
		type = be16(p + 2);
		p += 4;
		len -= 4;
	}
	if (type == ETH_IPV4 || type == ETH_IPV6)
		return hh_decode_ip(p, len, out, why);
	return HH_DECODE_NOT_IP;
}

enum hh_decode_rc hh_decode_packet(int lt, const uint8_t *d, uint32_t caplen, struct hh_pkt *out, const char **why)
{
	double ts = out->ts;
	memset(out, 0, sizeof(*out));
	out->ts = ts;
	*why = "";
	switch (lt) {
	case DLT_EN10MB:
		if (caplen < 14) {
			*why = "Ethernet header truncated";
			return HH_DECODE_MALFORMED;
		}
		return by_ethertype(be16(d + 12), d + 14, caplen - 14, out, why);
	case DLT_LINUX_SLL:
		if (caplen < 16) {
			*why = "Linux cooked (SLL) header truncated";
			return HH_DECODE_MALFORMED;
		}
		return by_ethertype(be16(d + 14), d + 16, caplen - 16, out, why);
	case DLT_LINUX_SLL2:
		if (caplen < 20) {
			*why = "Linux cooked v2 (SLL2) header truncated";
			return HH_DECODE_MALFORMED;
		}
		return by_ethertype(be16(d), d + 20, caplen - 20, out, why);
	case DLT_RAW: case DLT_IPV4: case DLT_IPV6:
		return hh_decode_ip(d, caplen, out, why);
	case DLT_NULL: case DLT_LOOP: {
		if (caplen < 4) {
			*why = "loopback header truncated";
			return HH_DECODE_MALFORMED;
		}
		/* The address family is in the capturing host's byte order (NULL)
		 * or network order (LOOP): accept either. AF_INET6 differs per BSD. */
		uint32_t le = (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
		uint32_t fam = le > 0xffff ? be32(d) : le;
		if (fam == 2 || fam == 10 || fam == 24 || fam == 28 || fam == 30)
			return hh_decode_ip(d + 4, caplen - 4, out, why);
		return HH_DECODE_NOT_IP;
	}
	default:
		*why = "unsupported link type";
		return HH_DECODE_MALFORMED;
	}
}

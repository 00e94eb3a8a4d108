/* Packet decoding: link layer (Ethernet with 802.1Q/QinQ, Linux cooked v1 and
 * v2, raw IPv4/IPv6, BSD loopback/null), IPv4 (fragments described for
 * reassembly), IPv6 with its extension headers, then TCP or UDP.
 *
 * Every length is checked against what was captured: a snaplen-cut packet
 * decodes with payload_len (captured) smaller than wire_payload_len (what the
 * IP header says), so reassembly can skip the missing bytes instead of
 * reading past the buffer.
 *
 * Checksums: the IPv4 header checksum, and the TCP/UDP checksum over the
 * pseudo-header when the whole segment was captured, are verified (l4_csum,
 * ip_csum_bad); the engine drops segments a receiver would drop. Fragments
 * are described (frag_*) for the engine's reassembly (ipfrag.h). */
#ifndef HH_PCAP_DECODE_H
#define HH_PCAP_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a TCP or UDP checksum says. Linux captures of locally sent packets
 * (loopback, checksum offload) carry only the pseudo-header sum, or zero:
 * those are PARTIAL, neither good nor bad. */
enum hh_csum {
	HH_CSUM_UNCHECKED = 0, /* not verifiable: payload cut by the snapshot length, fragment, UDP without one */
	HH_CSUM_GOOD,
	HH_CSUM_BAD,           /* a receiver's stack drops this segment */
	HH_CSUM_PARTIAL,       /* offload pattern: zero or the bare pseudo-header sum */
};

struct hh_pkt {
	double ts;
	uint8_t family;           /* 4 or 6 */
	uint8_t proto;            /* IPPROTO_TCP, IPPROTO_UDP, or another IP protocol */
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint32_t seq, ack;
	const uint8_t *payload;   /* L4 payload as captured (NULL when none) */
	uint32_t payload_len;     /* captured payload bytes */
	uint32_t wire_payload_len;/* payload bytes on the wire (>= payload_len) */
	uint32_t ip_len;          /* IP packet length on the wire */
	bool fragment;            /* an IP fragment: L4 not decoded */
	uint16_t frag_id;         /* fragments: IPv4 identification (low 16 bits of the IPv6 one) */
	uint32_t frag_id6;        /* IPv6 fragment identification */
	uint32_t frag_off;        /* fragments: byte offset of this piece */
	bool frag_more;           /* fragments: more fragments follow */
	const uint8_t *frag_data; /* fragments: the piece as captured (after the IP / fragment header) */
	uint32_t frag_len;        /* captured bytes of the piece */
	uint32_t frag_wire_len;   /* bytes of the piece on the wire */
	enum hh_csum l4_csum;     /* TCP/UDP checksum as captured */
	bool ip_csum_bad;         /* IPv4 header checksum wrong (a receiver drops the packet) */
	uint16_t vlan;            /* outermost VLAN id, 0 when none */
};

#define HH_TCP_FIN 0x01
#define HH_TCP_SYN 0x02
#define HH_TCP_RST 0x04
#define HH_TCP_PSH 0x08
#define HH_TCP_ACK 0x10

enum hh_decode_rc {
	HH_DECODE_OK = 0,     /* IP packet decoded (L4 when proto is TCP/UDP and not a fragment) */
	HH_DECODE_NOT_IP,     /* ARP, LLDP ...: nothing to do */
	HH_DECODE_MALFORMED,  /* *why says what is wrong */
};

/* linktype is a libpcap DLT_* value. Returns whether the link type is one
 * hh_decode_packet understands. */
bool hh_decode_linktype_supported(int linktype);
const char *hh_decode_linktype_name(int linktype);

/* Decodes one captured frame of caplen bytes. out->payload points into data. */
enum hh_decode_rc hh_decode_packet(int linktype, const uint8_t *data, uint32_t caplen, struct hh_pkt *out,
				   const char **why);

/* Decodes an IP packet (version from the first nibble). */
enum hh_decode_rc hh_decode_ip(const uint8_t *data, uint32_t caplen, struct hh_pkt *out, const char **why);

/* Decodes the TCP or UDP header of a reassembled datagram: out holds the IP
 * part (family, proto, addresses) from the first fragment; l4 is the whole
 * transport segment. */
enum hh_decode_rc hh_decode_l4(const uint8_t *l4, uint32_t len, struct hh_pkt *out, const char **why);

/* "1.2.3.4" or "2001:db8::1" for a packet address. buf >= 46 bytes. */
const char *hh_addr_str(int family, const uint8_t *addr, char *buf, size_t n);

#endif

/* Packet decoding: link layer (Ethernet with 802.1Q/QinQ, Linux cooked v1 and
 * v2, raw IPv4/IPv6, BSD loopback/null), IPv4 (fragments noted, not
 * reassembled), IPv6 with its extension headers, then TCP or UDP.
 *
 * Every length is checked against what was captured: a snaplen-cut packet
 * decodes with payload_len (captured) smaller than wire_payload_len (what the
 * IP header says), so reassembly can skip the missing bytes instead of
 * reading past the buffer. */
#ifndef HH_PCAP_DECODE_H
#define HH_PCAP_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* "1.2.3.4" or "2001:db8::1" for a packet address. buf >= 46 bytes. */
const char *hh_addr_str(int family, const uint8_t *addr, char *buf, size_t n);

#endif

/* Binary protocols the encrypted-flow detector recognises and leaves alone,
 * and the entropy test that tells encrypted (or compressed) payload from
 * structured binary framing.
 *   dnp3      DNP3 link layer: 0x05 0x64, length >= 5 (SCADA polling is periodic)
 *   hislip    IVI HiSLIP: "HS", message type <= 25, 16-byte header (instruments)
 *   openvpn   OpenVPN over TCP: 2-byte length, then a hard-reset opcode (7, 8,
 *             10) with key id 0 and an 8-byte session id
 *   whatsapp  WhatsApp: "WA" + 2 version bytes, or the Noise prologue "ED\0\1"
 * The tests look at the first bytes of a direction only. */
#ifndef HH_NET_KNOWN_PROTO_H
#define HH_NET_KNOWN_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Name of the protocol p[0..n) starts, or NULL. */
const char *hh_known_binary_protocol(const uint8_t *p, size_t n);

/* Shannon entropy of p[0..n) in bits per byte. */
double hh_payload_entropy(const uint8_t *p, size_t n);

/* True when n bytes with this entropy read as encrypted or compressed: the
 * entropy random bytes of that count reach (about 8 - 184/n), less a margin
 * of 0.6. Needs at least HH_ENTROPY_MIN_SAMPLE bytes. */
#define HH_ENTROPY_MIN_SAMPLE 128
bool hh_payload_looks_encrypted(double entropy, size_t n);

#endif

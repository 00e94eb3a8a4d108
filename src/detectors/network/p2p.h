/* Cryptocurrency node peer-to-peer framing: Bitcoin-family message headers
 * (network magic + NUL-padded ASCII command), Monero's Levin header, and the
 * Ethereum RLPx (devp2p) handshake shape. Node traffic is crypto activity,
 * not pool mining: it gives an informational finding at most. */
#ifndef HH_NET_P2P_H
#define HH_NET_P2P_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hh_p2p_kind { HH_P2P_NONE = 0, HH_P2P_BITCOIN, HH_P2P_LEVIN, HH_P2P_DEVP2P };

/* Classifies the first bytes of a stream direction (Bitcoin, Levin). */
enum hh_p2p_kind hh_p2p_classify(const uint8_t *d, size_t len, char *detail, size_t n);

/* RLPx handshake shape: the initiator's auth is 307 bytes (pre-EIP-8) or an
 * EIP-8 size-prefixed message, and the port is devp2p's (30303). */
bool hh_p2p_devp2p_shape(const uint8_t *first, size_t len, uint16_t sport);

const char *hh_p2p_name(enum hh_p2p_kind k);

#endif

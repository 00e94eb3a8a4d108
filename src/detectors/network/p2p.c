/* Cryptocurrency node P2P recognition. */
#include "detectors/network/p2p.h"

#include <stdio.h>
#include <string.h>

const char *hh_p2p_name(enum hh_p2p_kind k)
{
	switch (k) {
	case HH_P2P_BITCOIN: return "bitcoin-p2p";
	case HH_P2P_LEVIN: return "monero-levin";
	case HH_P2P_DEVP2P: return "ethereum-devp2p";
	default: return "none";
	}
}

static const struct {
	uint8_t magic[4];
	const char *net;
} magics[] = {
	{ { 0xf9, 0xbe, 0xb4, 0xd9 }, "bitcoin mainnet" },
	{ { 0x0b, 0x11, 0x09, 0x07 }, "bitcoin testnet3" },
	{ { 0x1c, 0x16, 0x3f, 0x28 }, "bitcoin testnet4" },
	{ { 0xfa, 0xbf, 0xb5, 0xda }, "bitcoin regtest" },
	{ { 0x0a, 0x03, 0xcf, 0x40 }, "bitcoin signet" },
	{ { 0xfb, 0xc0, 0xb6, 0xdb }, "litecoin mainnet" },
	{ { 0xc0, 0xc0, 0xc0, 0xc0 }, "dogecoin mainnet" },
	{ { 0xe3, 0xe1, 0xf3, 0xe8 }, "bitcoin cash mainnet" },
};

enum hh_p2p_kind hh_p2p_classify(const uint8_t *d, size_t len, char *detail, size_t n)
{
	if (n)
		detail[0] = 0;
	if (len >= 16) {
		for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
			if (memcmp(d, magics[i].magic, 4) != 0)
				continue;
			/* Command: lower-case ASCII then NUL padding, 12 bytes. */
			size_t k = 4;
			while (k < 16 && d[k] >= 'a' && d[k] <= 'z')
				k++;
			if (k == 4)
				return HH_P2P_NONE;
			for (size_t z = k; z < 16; z++)
				if (d[z] != 0)
					return HH_P2P_NONE;
			snprintf(detail, n, "%s, command %.*s", magics[i].net, (int)(k - 4), (const char *)d + 4);
			return HH_P2P_BITCOIN;
		}
	}
	static const uint8_t levin[8] = { 0x01, 0x21, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01 };
	if (len >= 33 && memcmp(d, levin, 8) == 0) {
		unsigned cmd = (unsigned)d[17] | (unsigned)d[18] << 8 | (unsigned)d[19] << 16 | (unsigned)d[20] << 24;
		snprintf(detail, n, "Levin command %u", cmd);
		return HH_P2P_LEVIN;
	}
	return HH_P2P_NONE;
}

bool hh_p2p_devp2p_shape(const uint8_t *first, size_t len, uint16_t sport)
{
	if (sport != 30303 && sport != 30304)
		return false;
	if (len == 307)
		return true;
	/* EIP-8: a 2-byte big-endian size of the ECIES message that follows. */
	if (len >= 2) {
		size_t sz = (size_t)first[0] << 8 | first[1];
		return sz + 2 == len && sz >= 200 && first[2] == 0x04; /* ECIES ephemeral key starts 0x04 */
	}
	return false;
}

/* Known binary protocols and payload entropy (see known_proto.h). */
#include "detectors/network/known_proto.h"

#include <math.h>
#include <string.h>

const char *hh_known_binary_protocol(const uint8_t *p, size_t n)
{
	if (n >= 10 && p[0] == 0x05 && p[1] == 0x64 && p[2] >= 5)
		return "dnp3";
	if (n >= 16 && p[0] == 'H' && p[1] == 'S' && p[2] <= 25)
		return "hislip";
	if (n >= 4 && p[0] == 'W' && p[1] == 'A' && p[2] <= 9)
		return "whatsapp";
	if (n >= 4 && !memcmp(p, "ED\0\1", 4))
		return "whatsapp";
	if (n >= 11) {
		unsigned len = (unsigned)p[0] << 8 | p[1], op = p[2] >> 3, key = p[2] & 7;
		if (len >= 9 && len <= 1600 && key == 0 && (op == 7 || op == 8 || op == 10))
			return "openvpn";
	}
	return NULL;
}

double hh_payload_entropy(const uint8_t *p, size_t n)
{
	if (!n)
		return 0;
	uint32_t hist[256] = { 0 };
	for (size_t i = 0; i < n; i++)
		hist[p[i]]++;
	double h = 0;
	for (int i = 0; i < 256; i++)
		if (hist[i]) {
			double q = (double)hist[i] / (double)n;
			h -= q * log2(q);
		}
	return h;
}

bool hh_payload_looks_encrypted(double entropy, size_t n)
{
	if (n < HH_ENTROPY_MIN_SAMPLE)
		return false;
	return entropy >= 8.0 - 184.0 / (double)n - 0.6;
}

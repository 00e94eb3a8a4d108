/* hh-cn memory-hard hash (see cnhash.h). The whole file may use AES-NI
 * instructions; they only run after a CPUID check (ms_have_aesni). */
#if defined(__x86_64__) || defined(__i386__)
#define MS_X86 1
#pragma GCC target("aes")
#include <immintrin.h>
#else
#define MS_X86 0
#endif

#include "cnhash.h"

#include "detectors/indicators/keccak.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	uint64_t lo, hi;
} blk;

static uint8_t sbox[256];
static pthread_once_t sbox_once = PTHREAD_ONCE_INIT;

static inline uint8_t rotl8(uint8_t x, int n) { return (uint8_t)((x << n) | (x >> (8 - n))); }

/* The AES S-box computed from its definition (inverse in GF(2^8), then the
 * affine map), walking the field with generator 3. */
static void sbox_init(void)
{
	uint8_t p = 1, q = 1;
	do {
		p = (uint8_t)(p ^ (p << 1) ^ ((p & 0x80) ? 0x1B : 0));
		q = (uint8_t)(q ^ (q << 1));
		q = (uint8_t)(q ^ (q << 2));
		q = (uint8_t)(q ^ (q << 4));
		if (q & 0x80)
			q ^= 0x09;
		sbox[p] = (uint8_t)(q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4) ^ 0x63);
	} while (p != 1);
	sbox[0] = 0x63;
}

static inline uint8_t xt(uint8_t a) { return (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1B : 0)); }

static inline blk aes_sw(blk s, blk k)
{
	uint8_t in[16], t[16], o[16];
	memcpy(in, &s, 16);
	for (int c = 0; c < 4; c++)
		for (int r = 0; r < 4; r++)
			t[r + 4 * c] = sbox[in[r + 4 * ((c + r) & 3)]];
	for (int c = 0; c < 4; c++) {
		uint8_t a0 = t[4 * c], a1 = t[4 * c + 1], a2 = t[4 * c + 2], a3 = t[4 * c + 3];
		o[4 * c] = (uint8_t)(xt(a0) ^ xt(a1) ^ a1 ^ a2 ^ a3);
		o[4 * c + 1] = (uint8_t)(a0 ^ xt(a1) ^ xt(a2) ^ a2 ^ a3);
		o[4 * c + 2] = (uint8_t)(a0 ^ a1 ^ xt(a2) ^ xt(a3) ^ a3);
		o[4 * c + 3] = (uint8_t)(xt(a0) ^ a0 ^ a1 ^ a2 ^ xt(a3));
	}
	blk r;
	memcpy(&r, o, 16);
	r.lo ^= k.lo;
	r.hi ^= k.hi;
	return r;
}

#if MS_X86
static inline blk aes_hw(blk s, blk k)
{
	__m128i x = _mm_loadu_si128((const __m128i *)&s);
	x = _mm_aesenc_si128(x, _mm_loadu_si128((const __m128i *)&k));
	blk r;
	_mm_storeu_si128((__m128i *)&r, x);
	return r;
}
#define AESR(hw, s, k) ((hw) ? aes_hw((s), (k)) : aes_sw((s), (k)))
#else
#define AESR(hw, s, k) aes_sw((s), (k))
#endif

int ms_have_aesni(void)
{
#if MS_X86
	__builtin_cpu_init();
	return __builtin_cpu_supports("aes") ? 1 : 0;
#else
	return 0;
#endif
}

int ms_fpu_rounding_mode(void)
{
#if MS_X86
	return (int)((_mm_getcsr() & 0x6000u) >> 13);
#else
	return -1;
#endif
}

uint64_t ms_hash_value(const uint8_t hash[32])
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | hash[24 + i];
	return v;
}

void ms_aes_round(uint8_t out[16], const uint8_t in[16], const uint8_t key[16], int hw)
{
	pthread_once(&sbox_once, sbox_init);
	blk s, k, r;
	memcpy(&s, in, 16);
	memcpy(&k, key, 16);
	r = AESR(hw && ms_have_aesni(), s, k);
	memcpy(out, &r, 16);
}

int ms_hasher_init(struct ms_hasher *h, int flags)
{
	pthread_once(&sbox_once, sbox_init);
	memset(h, 0, sizeof(*h));
	h->pad = aligned_alloc(64, MS_PAD_BYTES);
	if (!h->pad)
		return -1;
	h->hw = !(flags & MS_HASH_SOFT_AES) && ms_have_aesni();
	h->fpu_rounding = MS_X86 && (flags & MS_HASH_FPU_ROUNDING);
	return 0;
}

void ms_hasher_free(struct ms_hasher *h)
{
	free(h->pad);
	h->pad = NULL;
}

/* Sets the MXCSR rounding bits to one of the non-default modes chosen by v,
 * as RandomX's CFROUND does from a register value. */
static inline void cfround(uint64_t v)
{
#if MS_X86
	unsigned mode = 1u + (unsigned)(v % 3u); /* down, up or toward zero */
	_mm_setcsr((_mm_getcsr() & ~0x6000u) | (mode << 13));
#else
	(void)v;
#endif
}

#define PAD_MASK ((uint64_t)(MS_PAD_BYTES - 16))
#define NBLK (MS_PAD_BYTES / 16)

/* The body, inlined twice with hw constant so each copy has one AES path. */
static inline __attribute__((always_inline)) void
hash_core(struct ms_hasher *h, const uint8_t *blob, size_t len, uint8_t out[32], const int hw)
{
	uint64_t st[25], ks[25];
	blk rk[10], text[8];
	blk *pad = (blk *)h->pad;

	hh_keccak_state(blob, len, st);
	memcpy(ks, st, sizeof(ks));
	hh_keccakf1600(ks);
	memcpy(rk, ks, sizeof(rk));

	/* Fill the pad: 8 lanes of state bytes 64..191 through 10 AES rounds each step. */
	memcpy(text, (uint8_t *)st + 64, sizeof(text));
	for (size_t i = 0; i < NBLK; i += 8) {
		for (int j = 0; j < 8; j++) {
			for (int r = 0; r < 10; r++)
				text[j] = AESR(hw, text[j], rk[r]);
			pad[i + j] = text[j];
		}
	}

	blk a = { st[0] ^ st[4], st[1] ^ st[5] };
	blk b = { st[2] ^ st[6], st[3] ^ st[7] };
	double f = 1.0 + (double)(a.lo & 0xffff) / 65536.0;
	for (uint32_t i = 0; i < MS_ITERATIONS; i++) {
		if (h->fpu_rounding && (i & 0x3ff) == 0) {
			cfround(a.lo >> 7);
			__asm__ volatile("" : "+x"(f)); /* keep the FP math after the mode switch */
		}
		uint64_t idx = (a.lo & PAD_MASK) / 16;
		blk c = AESR(hw, pad[idx], a);
		pad[idx] = (blk){ b.lo ^ c.lo, b.hi ^ c.hi };
		idx = (c.lo & PAD_MASK) / 16;
		blk d = pad[idx];
		unsigned __int128 m = (unsigned __int128)c.lo * d.lo;
		/* SSE double work whose low bits depend on the rounding mode. */
		f = f * 0.9999999 + (double)(m >> 75) * 0x1p-53;
		uint64_t fb;
		memcpy(&fb, &f, sizeof(fb));
		a.lo += (uint64_t)(m >> 64);
		a.hi += (uint64_t)m ^ (fb & 0xffff);
		pad[idx] = a;
		a.lo ^= d.lo;
		a.hi ^= d.hi;
		b = c;
	}

	/* Fold the pad back into state bytes 64..191. */
	hh_keccakf1600(ks);
	memcpy(rk, ks, sizeof(rk));
	memcpy(text, (uint8_t *)st + 64, sizeof(text));
	for (size_t i = 0; i < NBLK; i += 8) {
		for (int j = 0; j < 8; j++) {
			text[j].lo ^= pad[i + j].lo;
			text[j].hi ^= pad[i + j].hi;
			for (int r = 0; r < 10; r++)
				text[j] = AESR(hw, text[j], rk[r]);
		}
	}
	memcpy((uint8_t *)st + 64, text, sizeof(text));
	st[0] ^= a.lo;
	st[1] ^= a.hi;
	hh_keccakf1600(st);
	hh_keccak256((const uint8_t *)st, 200, out);
}

static void hash_sw(struct ms_hasher *h, const uint8_t *blob, size_t len, uint8_t out[32])
{
	hash_core(h, blob, len, out, 0);
}

#if MS_X86
static void hash_hw(struct ms_hasher *h, const uint8_t *blob, size_t len, uint8_t out[32])
{
	hash_core(h, blob, len, out, 1);
}
#endif

void ms_hash(struct ms_hasher *h, const uint8_t *blob, size_t len, uint8_t out[32])
{
#if MS_X86
	if (h->hw) {
		hash_hw(h, blob, len, out);
		return;
	}
#endif
	hash_sw(h, blob, len, out);
}

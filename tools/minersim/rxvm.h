/* A RandomX-like VM for the simulators: the work a RandomX miner's threads do,
 * with nothing of any coin's proof of work (the results are not RandomX hashes).
 *
 *   cache   a shared anonymous buffer (256 MiB by default) filled by a
 *           memory-hard function: 1 KiB blocks, each mixed from the previous
 *           block and a data-dependent earlier one (Argon2d-like, 3 passes).
 *           It asks for huge pages as a miner does: MAP_HUGETLB first, else an
 *           ordinary mapping with madvise(MADV_HUGEPAGE).
 *   JIT     per program, x86-64 machine code is generated from the program's
 *           bits into an anonymous page (integer and SSE double arithmetic,
 *           data-dependent reads from the cache, in-program rounding-mode
 *           changes), made executable and run. W^X mode (default): mprotect
 *           RW to write, RX to run, each program; otherwise one RWX mapping.
 *   rounding  every program starts with a rounding mode taken from its bits
 *           (one of the four, as RandomX's CFROUND picks), and leaves it set.
 * x86-64 only (other architectures: rx_supported() is 0). */
#ifndef MS_RXVM_H
#define MS_RXVM_H
#include <stddef.h>
#include <stdint.h>

struct rx_cache {
	uint8_t *mem;
	size_t bytes;     /* a power of two */
	int hugetlb;      /* 1: MAP_HUGETLB worked; 0: madvise(MADV_HUGEPAGE) asked */
};

struct rx_vm {
	uint8_t *code;
	size_t code_cap;
	int wx;           /* 1: flip RW<->RX per program */
	const struct rx_cache *cache;
	uint64_t regs[16]; /* 0..3 integer, 4..11 doubles, 12..13 four MXCSR words */
	uint64_t programs;
};

int rx_supported(void);
/* Allocates and fills the cache from seed. mib: power of two, 1..4096.
 * Returns 0, or -1 (errno). */
int rx_cache_init(struct rx_cache *c, unsigned mib, const uint8_t *seed, size_t seedlen);
void rx_cache_free(struct rx_cache *c);
int rx_vm_init(struct rx_vm *vm, const struct rx_cache *c, int wx);
void rx_vm_free(struct rx_vm *vm);
/* 8 programs of 2048 iterations over in; 32 bytes out. Returns 0 or -1
 * (mprotect failed). */
int rx_vm_hash(struct rx_vm *vm, const uint8_t *in, size_t len, uint8_t out[32]);

#endif

#include "rxvm.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

#define BLOCK_WORDS 128          /* 1 KiB blocks */
#define PASSES 3
#define PROGRAMS 8
#define ITERATIONS 2048
#define OPS 64
#define CODE_BYTES 4096

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rotr(uint64_t x, unsigned n) { return (x >> n) | (x << ((64 - n) & 63)); }

int rx_supported(void)
{
#if defined(__x86_64__)
	return 1;
#else
	return 0;
#endif
}

int rx_cache_init(struct rx_cache *c, unsigned mib, const uint8_t *seed, size_t seedlen)
{
	memset(c, 0, sizeof(*c));
	if (mib == 0 || mib > 4096 || (mib & (mib - 1))) {
		errno = EINVAL;
		return -1;
	}
	c->bytes = (size_t)mib << 20;
	void *m = mmap(NULL, c->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (m != MAP_FAILED) {
		c->hugetlb = 1;
	} else {
		m = mmap(NULL, c->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return -1;
		madvise(m, c->bytes, MADV_HUGEPAGE);
	}
	c->mem = m;
	uint64_t *w = (uint64_t *)c->mem;
	size_t nblocks = c->bytes / (BLOCK_WORDS * 8);
	uint64_t s = 0x6a09e667f3bcc908ULL;
	for (size_t i = 0; i < seedlen; i++)
		s = mix64(s ^ seed[i]);
	for (size_t j = 0; j < 2 * BLOCK_WORDS; j++)
		w[j] = mix64(s + j);
	for (int pass = 0; pass < PASSES; pass++) {
		for (size_t i = pass ? 0 : 2; i < nblocks; i++) {
			const uint64_t *prev = w + ((i + nblocks - 1) % nblocks) * BLOCK_WORDS;
			size_t span = pass ? nblocks : i;
			const uint64_t *ref = w + (prev[0] % span) * BLOCK_WORDS; /* data-dependent */
			uint64_t *b = w + i * BLOCK_WORDS, carry = b[BLOCK_WORDS - 1];
			for (size_t j = 0; j < BLOCK_WORDS; j++) {
				uint64_t x = prev[j] + ref[j] + 2 * (uint64_t)(uint32_t)prev[j] * (uint32_t)ref[j];
				carry = rotr(x ^ carry, 32) + (pass ? b[j] : 0);
				b[j] = carry;
			}
		}
	}
	return 0;
}

void rx_cache_free(struct rx_cache *c)
{
	if (c->mem)
		munmap(c->mem, c->bytes);
	c->mem = NULL;
}

int rx_vm_init(struct rx_vm *vm, const struct rx_cache *c, int wx)
{
	memset(vm, 0, sizeof(*vm));
	vm->wx = wx;
	vm->cache = c;
	vm->code_cap = CODE_BYTES * 4;
	int prot = PROT_READ | PROT_WRITE | (wx ? 0 : PROT_EXEC);
	void *m = mmap(NULL, vm->code_cap, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	vm->code = m;
	return 0;
}

void rx_vm_free(struct rx_vm *vm)
{
	if (vm->code)
		munmap(vm->code, vm->code_cap);
	vm->code = NULL;
}

/* ---- x86-64 code generation ---- */

struct emit {
	uint8_t *p, *end;
};

static void b(struct emit *e, uint8_t v)
{
	if (e->p < e->end)
		*e->p++ = v;
}

static void b4(struct emit *e, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b(e, (uint8_t)(v >> (8 * i)));
}

/* Regfile (rdi): r8..r11 at 0..24, xmm0..7 at 32..88, four MXCSR words at 96..108.
 * rsi: cache base, rdx: read mask. rax, rcx scratch. Only caller-saved registers. */
static size_t generate(uint8_t *code, size_t cap, uint64_t seed)
{
	struct emit e = { code, code + cap - 64 };
	for (int i = 0; i < 4; i++) { /* mov r(8+i), [rdi+8i] */
		b(&e, 0x4C); b(&e, 0x8B); b(&e, (uint8_t)(0x47 | (i << 3))); b(&e, (uint8_t)(8 * i));
	}
	for (int x = 0; x < 8; x++) { /* movsd xmmx, [rdi+32+8x] */
		b(&e, 0xF2); b(&e, 0x0F); b(&e, 0x10); b(&e, (uint8_t)(0x47 | (x << 3))); b(&e, (uint8_t)(32 + 8 * x));
	}
	b(&e, 0xB9); b4(&e, ITERATIONS); /* mov ecx, ITERATIONS */
	uint8_t *top = e.p;
	uint64_t s = seed;
	for (int k = 0; k < OPS; k++) {
		s = mix64(s + (uint64_t)k);
		unsigned op = (unsigned)(s % 15), ra = (unsigned)(s >> 8) & 3, rb = (unsigned)(s >> 10) & 3;
		unsigned xa = (unsigned)(s >> 12) & 7, xb = (unsigned)(s >> 15) & 7;
		uint32_t imm = (uint32_t)(s >> 32);
		switch (op) {
		case 0: b(&e, 0x4D); b(&e, 0x01); b(&e, (uint8_t)(0xC0 | (rb << 3) | ra)); break; /* add */
		case 1: b(&e, 0x4D); b(&e, 0x29); b(&e, (uint8_t)(0xC0 | (rb << 3) | ra)); break; /* sub */
		case 2: b(&e, 0x4D); b(&e, 0x31); b(&e, (uint8_t)(0xC0 | (rb << 3) | ra)); break; /* xor */
		case 3: b(&e, 0x4D); b(&e, 0x0F); b(&e, 0xAF); b(&e, (uint8_t)(0xC0 | (ra << 3) | rb)); break; /* imul */
		case 4: b(&e, 0x49); b(&e, 0xC1); b(&e, (uint8_t)(0xC8 | ra)); b(&e, (uint8_t)(1 + imm % 63)); break; /* ror */
		case 5: b(&e, 0x49); b(&e, 0x81); b(&e, (uint8_t)(0xC0 | ra)); b4(&e, imm | 1); break; /* add imm32 */
		case 6: /* mov rax, rb; and rax, rdx; xor ra, [rsi+rax] */
			b(&e, 0x4C); b(&e, 0x89); b(&e, (uint8_t)(0xC0 | (rb << 3)));
			b(&e, 0x48); b(&e, 0x21); b(&e, 0xD0);
			b(&e, 0x4C); b(&e, 0x33); b(&e, (uint8_t)(0x04 | (ra << 3))); b(&e, 0x06);
			break;
		case 7: b(&e, 0xF2); b(&e, 0x0F); b(&e, 0x58); b(&e, (uint8_t)(0xC0 | (xa << 3) | xb)); break; /* addsd */
		case 8: b(&e, 0xF2); b(&e, 0x0F); b(&e, 0x5C); b(&e, (uint8_t)(0xC0 | (xa << 3) | xb)); break; /* subsd */
		case 9: b(&e, 0xF2); b(&e, 0x0F); b(&e, 0x59); b(&e, (uint8_t)(0xC0 | (xa << 3) | xb)); break; /* mulsd */
		case 10: b(&e, 0xF2); b(&e, 0x0F); b(&e, 0x5E); b(&e, (uint8_t)(0xC0 | (xa << 3) | xb)); break; /* divsd */
		case 11: b(&e, 0xF2); b(&e, 0x0F); b(&e, 0x51); b(&e, (uint8_t)(0xC0 | (xa << 3) | xa)); break; /* sqrtsd */
		case 12: /* cvtsi2sd xmm_a, r_b */
			b(&e, 0xF2); b(&e, 0x49); b(&e, 0x0F); b(&e, 0x2A); b(&e, (uint8_t)(0xC0 | (xa << 3) | rb));
			break;
		case 13: /* movq r_a, xmm_b */
			b(&e, 0x66); b(&e, 0x49); b(&e, 0x0F); b(&e, 0x7E); b(&e, (uint8_t)(0xC0 | (xb << 3) | ra));
			break;
		default: /* ldmxcsr [rdi+96+4m]: the rounding mode changes inside the program */
			b(&e, 0x0F); b(&e, 0xAE); b(&e, 0x57); b(&e, (uint8_t)(96 + 4 * (imm & 3)));
		}
	}
	b(&e, 0xFF); b(&e, 0xC9); /* dec ecx */
	b(&e, 0x0F); b(&e, 0x85); b4(&e, (uint32_t)(int32_t)(top - (e.p + 4))); /* jnz top */
	for (int i = 0; i < 4; i++) { /* mov [rdi+8i], r(8+i) */
		b(&e, 0x4C); b(&e, 0x89); b(&e, (uint8_t)(0x47 | (i << 3))); b(&e, (uint8_t)(8 * i));
	}
	for (int x = 0; x < 8; x++) { /* movsd [rdi+32+8x], xmmx */
		b(&e, 0xF2); b(&e, 0x0F); b(&e, 0x11); b(&e, (uint8_t)(0x47 | (x << 3))); b(&e, (uint8_t)(32 + 8 * x));
	}
	b(&e, 0xC3);
	return (size_t)(e.p - code);
}

typedef void (*rx_prog_fn)(uint64_t *regs, const uint8_t *cache, uint64_t mask);

int rx_vm_hash(struct rx_vm *vm, const uint8_t *in, size_t len, uint8_t out[32])
{
#if defined(__x86_64__)
	uint64_t s = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++)
		s = mix64(s ^ in[i]);
	for (int i = 0; i < 4; i++)
		vm->regs[i] = mix64(s + 100 + (uint64_t)i);
	for (int x = 0; x < 8; x++) {
		double d = (double)(mix64(s + 200 + (uint64_t)x) >> 11) / 9007199254740992.0 + 1.0;
		memcpy(&vm->regs[4 + x], &d, 8);
	}
	uint32_t csr[4];
	for (uint32_t m = 0; m < 4; m++)
		csr[m] = 0x1F80u | (m << 13); /* all exceptions masked, rounding mode m */
	memcpy(&vm->regs[12], csr, sizeof(csr));
	uint64_t mask = (vm->cache->bytes - 1) & ~(uint64_t)7;
	for (int p = 0; p < PROGRAMS; p++) {
		uint64_t pseed = mix64(s ^ vm->regs[p & 3] ^ (uint64_t)p);
		if (vm->wx && mprotect(vm->code, vm->code_cap, PROT_READ | PROT_WRITE) < 0)
			return -1;
		generate(vm->code, vm->code_cap, pseed);
		if (vm->wx && mprotect(vm->code, vm->code_cap, PROT_READ | PROT_EXEC) < 0)
			return -1;
		/* the program's rounding mode, from its bits, left in place after it */
		_mm_setcsr(csr[pseed >> 62]);
		((rx_prog_fn)(void *)vm->code)(vm->regs, vm->cache->mem, mask);
		vm->programs++;
		s = mix64(s ^ vm->regs[0] ^ vm->regs[1] ^ vm->regs[2] ^ vm->regs[3] ^ vm->regs[4 + (p & 7)]);
	}
	for (int i = 0; i < 4; i++) {
		uint64_t v = mix64(s + vm->regs[i]);
		memcpy(out + 8 * i, &v, 8);
	}
	return 0;
#else
	(void)vm; (void)in; (void)len; (void)out;
	errno = ENOSYS;
	return -1;
#endif
}

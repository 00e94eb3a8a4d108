/* A bounded WebAssembly binary reader for the image scanner: walks the
 * sections, reads the names a module exports, imports and declares in its
 * "name" custom section, and looks for the constant tables of the hash
 * primitives CryptoNight and RandomX are built from (AES S-box, Keccak round
 * constants). Browser miners ship exactly such modules (cryptonight.wasm). */
#ifndef HH_WASM_MODULE_H
#define HH_WASM_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hh_wasm_info {
	bool is_wasm;            /* magic and version present */
	char error[96];          /* first structural problem with its offset, "" when none */
	size_t n_sections, n_imports, n_exports, n_names;
	int miner_names;         /* names that speak of CryptoNight/RandomX hashing */
	char miner_name[64];     /* the first such name */
	bool aes_sbox;           /* AES S-box table bytes present */
	bool keccak_rc;          /* Keccak-f round constants table present */
};

/* Returns true when buf is a wasm module (then info is filled, possibly with
 * an error for a malformed body). Never reads outside buf. */
bool hh_wasm_parse(const uint8_t *buf, size_t len, struct hh_wasm_info *info);

/* True when name looks like a CryptoNight/RandomX hashing routine. */
bool hh_wasm_miner_name(const char *name, size_t len);

#endif

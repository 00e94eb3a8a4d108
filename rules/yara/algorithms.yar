/* hashhound rule pack: proof-of-work algorithms recognised by what they
 * compute. Each rule looks for the constants an implementation cannot change
 * without computing wrong hashes (so renaming or stripping strings does not
 * hide them), laid out as the code keeps them: 16-byte vector constants in
 * memory order (matched as 8-byte halves, so immediates split by a compiler
 * still count), 64-bit tables, x86-64 instruction immediates. Constants that
 * generic crypto libraries share (AES tables, the Blake2b/SHA-512 IV, the
 * Keccak round constants alone, FNV) only count together with ones that are
 * specific to the algorithm. Sources of the values: the RandomX reference
 * (aes_hash.cpp AesGenerator1R keys, dataset.cpp SuperscalarHash item
 * constants), CryptoNight's finalists
 * (Groestl T table, JH E8 round constants, Skein-512-256 IV), the CryptoNight
 * scratchpad mask (2 MiB pad, 16-byte cells: and 0x1ffff0), libethash's DAG
 * and cache size tables, KawPow's "rAVENCOINKAWPOW" padding words and the
 * Keccak-f800 round constants of ProgPoW, the KISS99 multipliers.
 * meta prefilter names strings of which one must occur for the condition
 * to hold (the scanner skips YARA on executables holding none of them). */

rule hh_algo_randomx
{
    meta:
        id = "miner.algo.randomx"
        severity = "high"
        title = "RandomX proof-of-work code (AES generator keys, SuperscalarHash constants)"
    strings:
        /* AesGenerator1R keys (scratchpad fill) as 8-byte halves, SuperscalarHash item constants.
           The AesGenerator4R keys and AesHash1R state/keys are as specific, but every
           string costs scan time on every file: these 15 are enough. */
        $gen1r_k0_lo = { 53 A5 AC 6D 09 66 71 62 }
        $gen1r_k0_hi = { 2B 55 B5 DB 17 49 F4 B4 }
        $gen1r_k1_lo = { 07 AF 7C 6D 0D 71 6A 84 }
        $gen1r_k1_hi = { 78 D3 25 17 4E DC A1 0D }
        $gen1r_k2_lo = { F1 62 12 3F C6 7E 94 9F }
        $gen1r_k2_hi = { 4F 79 C0 F4 45 E3 20 3E }
        $gen1r_k3_lo = { 35 81 EF 6A 7C 31 BA B1 }
        $gen1r_k3_hi = { 88 4C 31 16 54 91 16 49 }
        $sshash_add1 = { FC A1 F5 59 8A 97 0A 81 }
        $sshash_add2 = { 46 D8 C2 38 DF 99 70 A7 }
        $sshash_add3 = { 5C 49 22 BF 1C B9 26 81 }
        $sshash_add4 = { 62 8A 9F 17 97 25 4D 49 }
        $sshash_add5 = { 0C EC AA CE B9 EF 37 92 }
        $sshash_add6 = { 78 2D E6 6C 74 56 2A 2F }
        $sshash_add7 = { 4E E5 2C B6 F7 3B 85 84 }
    condition:
        6 of them
}

rule hh_algo_cryptonight
{
    meta:
        id = "miner.algo.cryptonight"
        severity = "high"
        title = "CryptoNight proof-of-work code (Keccak state, 2 MiB AES scratchpad loop or its final-hash set)"
        prefilter = "$keccak_head"
    strings:
        /* Keccak-f1600 round constants 0..3 as a 64-bit table */
        $keccak_head = { 01 00 00 00 00 00 00 00 82 80 00 00 00 00 00 00 8A 80 00 00 00 00 00 80 00 80 00 80 00 00 00 80 }
        /* CryptoNight's final hashes besides Keccak: Groestl T0, JH round constant 0, Skein-512-256 IV */
        $groestl_t0 = { C6 32 F4 A5 F4 97 A5 C6 F8 6F 97 84 97 EB 84 F8 }
        $jh_e8_rc0 = { 72 D5 DE A2 DF 15 F8 67 7B 84 15 0A B7 23 15 57 }
        $skein512_iv256 = { 13 3E DB 2F A1 44 D0 CC EB A9 79 1A 30 90 35 E8 }
        /* and r32, 0x1ffff0: the scratchpad index of the 2 MiB variants (x86-64) */
        $pad_mask_eax = { 25 F0 FF 1F 00 }
        $pad_mask_r = { 81 E? F0 FF 1F 00 }
        /* AES rounds: AES-NI aesenc (xmm0-7 form), or the first words of the AES T-table */
        $aesenc = { 66 0F 38 DC }
        $aes_te0 = { A5 63 63 C6 84 7C 7C F8 99 77 77 EE 8D 7B 7B F6 }
        $aes_te0_be = { C6 63 63 A5 F8 7C 7C 84 EE 77 77 99 F6 7B 7B 8D }
    condition:
        any of ($keccak_*) and (
            2 of ($groestl_t0, $jh_e8_rc0, $skein512_iv256) or
            (#pad_mask_eax + #pad_mask_r >= 3 and any of ($aes*))
        )
}

rule hh_algo_kawpow
{
    meta:
        id = "miner.algo.kawpow"
        severity = "high"
        title = "KawPow / ProgPoW proof-of-work code (Keccak-f800 with KawPow padding or KISS99/FNV mixing)"
        prefilter = "$kawpow_pad,$f800_rc"
    strings:
        /* rAVENCOINKAWPOW as 32-bit words, the Keccak-f800 input padding of KawPow */
        $kawpow_pad = { 72 00 00 00 41 00 00 00 56 00 00 00 45 00 00 00 4E 00 00 00 43 00 00 00 4F 00 00 00 49 00 00 00 4E 00 00 00 4B 00 00 00 41 00 00 00 57 00 00 00 50 00 00 00 4F 00 00 00 57 00 00 00 }
        /* Keccak-f800 round constants 0..7 (32-bit table) */
        $f800_rc = { 01 00 00 00 82 80 00 00 8A 80 00 00 00 80 00 80 8B 80 00 00 01 00 00 80 81 80 00 80 09 80 00 00 }
        /* imul by the FNV-1 prime 0x01000193, and the KISS99 multipliers 36969 and 18000 */
        $fnv_imul = { 69 ?? 93 01 00 01 }
        $kiss_36969 = { 69 ?? 69 90 00 00 }
        $kiss_18000 = { 69 ?? 50 46 00 00 }
    condition:
        ($kawpow_pad and ($f800_rc or $fnv_imul)) or
        ($f800_rc and $fnv_imul and $kiss_36969 and $kiss_18000)
}

rule hh_algo_ethash
{
    meta:
        id = "miner.algo.ethash"
        severity = "high"
        title = "Ethash proof-of-work code (DAG and light-cache size tables)"
    strings:
        /* first five entries of libethash's dag_sizes[] and cache_sizes[] (uint64) */
        $dag_sizes = { 80 F8 FF 3F 00 00 00 00 80 FF 7F 40 00 00 00 00 80 EF FF 40 00 00 00 00 80 FC 7F 41 00 00 00 00 80 F3 FF 41 00 00 00 00 }
        $cache_sizes = { C0 FE FF 00 00 00 00 00 C0 FC 01 01 00 00 00 00 C0 FF 03 01 00 00 00 00 C0 FE 05 01 00 00 00 00 40 FE 07 01 00 00 00 00 }
    condition:
        any of them
}

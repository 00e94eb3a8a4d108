/* hashhound rule pack: miner executables found by content, whatever their name.
 * Each rule needs several strings of one family, so a tool that merely mentions
 * a miner does not match. meta: id (stable rule id), severity, title.
 * Kept to strings and counts so ClamAV's YARA subset loads them too (bench).
 * meta prefilter names strings of which one must occur for the condition to
 * hold: for "N of them" over M strings, any M - N + 1 of them (the least
 * common); the scanner skips YARA on executables holding none of them. */

rule hh_miner_xmrig
{
    meta:
        id = "miner.exe.xmrig"
        severity = "high"
        title = "XMRig (or fork) miner executable"
        prefilter = "$a1,$a2,$a3,$a4,$a5,$a6,$a9,$a10,$a11"
    strings:
        $a1 = "xmrig" nocase
        $a2 = "donate-level"
        $a3 = "randomx" nocase
        $a4 = "cryptonight" nocase
        $a5 = "mining.subscribe"
        $a6 = "\"method\":\"login\""
        $a7 = "nicehash"
        $a8 = "rx/0"
        $a9 = "cpu-max-threads-hint"
        $a10 = "donate.v2.xmrig.com"
        $a11 = "stratum+tcp://"
        $a12 = "\"pools\""
    condition:
        4 of them
}

rule hh_miner_xmr_stak
{
    meta:
        id = "miner.exe.xmr-stak"
        severity = "high"
        title = "xmr-stak miner executable"
        prefilter = "$a1,$a4,$a5,$a6"
    strings:
        $a1 = "xmr-stak" nocase
        $a2 = "pool.txt"
        $a3 = "cpu.txt"
        $a4 = "cryptonight" nocase
        $a5 = "pool_address"
        $a6 = "wallet_address"
        $a7 = "rig_id"
    condition:
        4 of them
}

rule hh_miner_cpuminer
{
    meta:
        id = "miner.exe.cpuminer"
        severity = "high"
        title = "cpuminer / minerd executable"
        prefilter = "$a1,$a3,$a4,$a5,$a8"
    strings:
        $a1 = "cpuminer" nocase
        $a2 = "minerd"
        $a3 = "mining.subscribe"
        $a4 = "mining.notify"
        $a5 = "getblocktemplate"
        $a6 = "scrypt"
        $a7 = "stratum+tcp://"
        $a8 = "--coinbase-addr"
    condition:
        4 of them
}

rule hh_miner_gpu
{
    meta:
        id = "miner.exe.gpu"
        severity = "high"
        title = "GPU miner executable (ccminer, lolMiner, T-Rex, SRBMiner, NBMiner, ethminer, GMiner)"
        prefilter = "$n1,$n2,$n3,$n4,$n5,$n6,$n7"
    strings:
        $n1 = "ccminer" nocase
        $n2 = "lolMiner" nocase
        $n3 = "t-rex" nocase
        $n4 = "SRBMiner" nocase
        $n5 = "nbminer" nocase
        $n6 = "ethminer" nocase
        $n7 = "gminer" nocase
        $s1 = "mining.subscribe"
        $s2 = "mining.authorize"
        $s3 = "eth_submitLogin"
        $s4 = "eth_getWork"
        $s5 = "stratum+tcp://"
        $s6 = "ethash" nocase
        $s7 = "kawpow" nocase
        $s8 = "autolykos" nocase
    condition:
        1 of ($n*) and 3 of ($s*)
}

rule hh_miner_randomx_impl
{
    meta:
        id = "miner.exe.randomx"
        severity = "high"
        title = "RandomX / CryptoNight hashing implementation with a stratum client"
        prefilter = "$r1,$r2,$r3,$r4,$r5"
    strings:
        $r1 = "RandomX" nocase
        $r2 = "randomx_init_dataset"
        $r3 = "randomx_calculate_hash"
        $r4 = "cn/r"
        $r5 = "cryptonight_hash" nocase
        $s1 = "mining.submit"
        $s2 = "\"method\":\"submit\""
        $s3 = "\"job_id\""
        $s4 = "keepalived"
    condition:
        2 of ($r*) and 2 of ($s*)
}

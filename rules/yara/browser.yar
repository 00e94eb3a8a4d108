/* hashhound rule pack: browser miners (CoinHive-style JavaScript).
 * Every rule here needs one of its strings to match (hashhound skips YARA on
 * text holding none of them); meta prefilter names the strings of which one
 * must occur when that is fewer than all (the condition requires it). */

rule hh_browser_coinhive
{
    meta:
        id = "miner.web.coinhive"
        severity = "high"
        title = "CoinHive-style browser miner script"
    strings:
        $a1 = "CoinHive.Anonymous"
        $a2 = "CoinHive.User"
        $a3 = "coinhive.min.js"
        $a4 = "CRLT.Anonymous"
        $a5 = "CryptoLoot"
        $a6 = "coinimp" nocase
        $a7 = "Client.Anonymous("
        $a8 = "webminerpool" nocase
        $a9 = "cryptonight.wasm"
        $a10 = "authedmine" nocase
        $a11 = "deepMiner" nocase
        $a12 = "WMP.Anonymous"
        $a13 = "startMining("
    condition:
        2 of them
}

rule hh_browser_pool_socket
{
    meta:
        id = "miner.web.pool-socket"
        severity = "high"
        title = "Browser script speaking a mining protocol over WebSocket"
        prefilter = "$ws"
    strings:
        $ws = "new WebSocket(" 
        $m1 = "\"login\""
        $m2 = "\"submit\""
        $m3 = "job_id"
        $m4 = "hashesPerSecond"
        $m5 = "throttle"
        $m6 = "nonce"
    condition:
        $ws and 3 of ($m*)
}

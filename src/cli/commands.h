/* The subcommands: HH_COMMAND(name, entry point, one-line summary).
 * Included with HH_COMMAND defined by the includer. One line per command. */
HH_COMMAND("config", hh_cmd_config, "print the built-in configuration or check a config file")
HH_COMMAND("pcap", hh_cmd_pcap, "find mining on the wire in capture files or live traffic")
HH_COMMAND("intel", hh_cmd_intel, "import, list and test mining-pool intel (domains, IPs, ports)")

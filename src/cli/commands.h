/* The subcommands: HH_COMMAND(name, entry point, one-line summary).
 * Included with HH_COMMAND defined by the includer. One line per command. */
HH_COMMAND("config", hh_cmd_config, "print the built-in configuration or check a config file")
HH_COMMAND("scan", hh_cmd_scan, "scan images, layers, filesystems and web bundles for miners (CI/CD gate)")

/* The subcommands: HH_COMMAND(name, entry point, one-line summary).
 * Included with HH_COMMAND defined by the includer. One line per command. */
HH_COMMAND("config", hh_cmd_config, "print the built-in configuration or check a config file")
HH_COMMAND("sensor", hh_cmd_sensor, "run the runtime sensor alone and print its events as JSON lines")

/* The subcommands: HH_COMMAND(name, entry point, one-line summary).
 * Included with HH_COMMAND defined by the includer. One line per command. */
HH_COMMAND("config", hh_cmd_config, "print the built-in configuration or check a config file")
HH_COMMAND("agent", hh_cmd_agent, "watch every container on this node: telemetry, processes, behavior, incidents")
HH_COMMAND("report", hh_cmd_report, "replay findings from the store, or import JSON-lines findings into it")
HH_COMMAND("serve", hh_cmd_serve, "serve the dashboard, findings API and /metrics over a store")
HH_COMMAND("drill", hh_cmd_drill, "run a harmless simulated miner in a container and check the agent detects it")

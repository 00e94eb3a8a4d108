/* The subcommands: HH_COMMAND(name, entry point, one-line summary).
 * Included with HH_COMMAND defined by the includer. One line per command. */
HH_COMMAND("config", hh_cmd_config, "print the built-in configuration or check a config file")
HH_COMMAND("sensor", hh_cmd_sensor, "run the runtime sensor alone and print its events as JSON lines")
HH_COMMAND("agent", hh_cmd_agent, "watch every container on this node: telemetry, processes, behavior, incidents")
HH_COMMAND("report", hh_cmd_report, "replay findings from the store, or import JSON-lines findings into it")
HH_COMMAND("serve", hh_cmd_serve, "serve the dashboard, findings API and /metrics over a store")
HH_COMMAND("drill", hh_cmd_drill, "run a harmless simulated miner in a container and check the agent detects it")
HH_COMMAND("check", hh_cmd_check, "check Kubernetes manifests and node configs for miner-enabling misconfigurations")
HH_COMMAND("audit-log", hh_cmd_audit_log, "analyze Kubernetes audit logs for cryptojacking intrusion steps")
HH_COMMAND("rules", hh_cmd_rules, "check, list and test runtime detection rules (Falco-style YAML)")
HH_COMMAND("scan", hh_cmd_scan, "scan images, layers, filesystems and web bundles for miners (CI/CD gate)")
HH_COMMAND("ps", hh_cmd_ps, "list containers with identity, CPU/quota/throttling/memory telemetry and (--processes) process inventory")
HH_COMMAND("respond", hh_cmd_respond, "snapshot evidence, then freeze, kill or isolate a container (dry-run unless --yes)")

# The default miner rule pack, compiled into the binary (src/detectors/rules/load.c).
EMBED_FILES += rules/miner.yaml

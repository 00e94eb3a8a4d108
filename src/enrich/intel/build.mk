# Built-in mining-pool intel, compiled into the binary (intel_builtin.c).
EMBED_FILES += src/enrich/intel/default-pools.txt

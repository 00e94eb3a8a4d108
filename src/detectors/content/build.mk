# The image scanner's YARA rule pack, compiled into the binary.
EMBED_FILES += rules/yara/miners.yar rules/yara/browser.yar rules/yara/algorithms.yar

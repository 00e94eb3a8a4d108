# libFuzzer targets: fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput and is
# linked with the whole library built by clang with sanitizers.
#   make fuzz                      builds build-fuzz/fuzz_*
#   build-fuzz/fuzz_NAME fuzz/corpus/NAME -max_total_time=60
FUZZ_BUILD := build-fuzz
FUZZ_SRCS  := $(wildcard fuzz/fuzz_*.c)
FUZZ_BINS  := $(FUZZ_SRCS:fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer

fuzz:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(CLANG) SANFLAGS="$(FUZZ_FLAGS)" OPTFLAGS="-O1 -g" $(FUZZ_BUILD)/libhashhound.a
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(CLANG) $(FUZZ_BINS)

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_BUILD)/libhashhound.a
	$(CLANG) -std=c17 -D_GNU_SOURCE -O1 -g -Isrc -I$(FUZZ_BUILD)/gen $(PKG_CFLAGS) \
		-fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_BUILD)/libhashhound.a $(PKG_LIBS) -lm -lpthread

.PHONY: fuzz

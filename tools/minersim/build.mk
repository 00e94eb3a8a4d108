# tools/minersim: hh-minersim and hh-poolsim, the test tools of issue 2 section 6,
# and hh-rxsim, the stringless RandomX-shaped fixture of the scanner (issue 11).
# They are not part of hashhound (nothing under src/ uses them). Release builds
# link them fully static (OpenSSL, jansson, glibc) so they run in a scratch
# image; SAN=1 builds them dynamic with the sanitizers, for the tests.
MS_DIR   := tools/minersim
# Keccak and wallet checks are hashhound's own indicator code, shared, not copied.
MS_SHARED := src/detectors/indicators/keccak.c src/detectors/indicators/wallet.c
MS_LIBSRC := $(addprefix $(MS_DIR)/,cnhash.c wallet.c msgs.c netconn.c common.c rxvm.c)
MS_OBJS  := $(MS_LIBSRC:$(MS_DIR)/%.c=$(BUILD)/minersim/%.o) $(MS_SHARED:src/%.c=$(BUILD)/minersim/shared/%.o)
MS_LIB   := $(BUILD)/minersim/libminersim.a
MS_BINS  := $(BUILD)/hh-minersim $(BUILD)/hh-poolsim $(BUILD)/hh-rxwork $(BUILD)/hh-rxsim
MS_CFLAGS := $(OPTFLAGS) -std=c17 -D_GNU_SOURCE $(WARN) -Isrc -fstack-protector-strong $(SANFLAGS) -MMD -MP \
             $(shell pkg-config --cflags jansson openssl)
ifeq ($(SAN),1)
MS_LDLIBS := -ljansson -lssl -lcrypto -lpthread
else
MS_STATIC := -static
MS_LDLIBS := -ljansson -lssl -lcrypto -lpthread -ldl
endif

tools: $(MS_BINS)

$(BUILD)/minersim/%.o: $(MS_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(MS_CFLAGS) -c -o $@ $<

$(BUILD)/minersim/shared/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(MS_CFLAGS) -c -o $@ $<

$(MS_LIB): $(MS_OBJS)
	@rm -f $@
	ar rcs $@ $^

# glibc and OpenSSL's unused resolver paths make ld warn about static
# getaddrinfo/dlopen; the output is kept only when the link fails.
define MS_LINK
$(BUILD)/hh-$(1): $(BUILD)/minersim/$(1).o $(MS_LIB)
	@echo "  LD      $$@"
	@$$(CC) $$(MS_STATIC) $$(LDFLAGS) -o $$@ $$^ $$(MS_LDLIBS) >$$@.ldlog 2>&1 || { cat $$@.ldlog; rm -f $$@.ldlog; exit 1; }
	@rm -f $$@.ldlog
endef
$(eval $(call MS_LINK,minersim))
$(eval $(call MS_LINK,poolsim))
# hh-rxwork is the stringless variant: stripped, so not even its symbol names
# are left for `strings` (docs/minersim.md).
$(BUILD)/hh-rxwork: $(BUILD)/minersim/rxwork.o $(MS_LIB)
	@echo "  LD      $@"
	@$(CC) $(MS_STATIC) $(LDFLAGS) -o $@ $^ $(MS_LDLIBS) >$@.ldlog 2>&1 || { cat $@.ldlog; rm -f $@.ldlog; exit 1; }
	@rm -f $@.ldlog
	@strip --strip-all $@
# hh-rxsim: the stringless RandomX-shaped fixture of the algorithm rules.
$(eval $(call MS_LINK,rxsim))
# The algorithm-rule test scans hh-rxsim.
$(BUILD)/tests/test_algo_rules: $(BUILD)/hh-rxsim $(BUILD)/hh-minersim

# Unit tests of the pure parts link the tool library, not libhashhound.
$(BUILD)/tests/test_minersim_%: tests/unit/test_minersim_%.c $(MS_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(MS_CFLAGS) -I$(MS_DIR) -o $@ $< $(MS_LIB) $(LDFLAGS) -ljansson -lssl -lcrypto -lcmocka -lpthread

-include $(MS_OBJS:.o=.d) $(BUILD)/minersim/minersim.d $(BUILD)/minersim/poolsim.d $(BUILD)/minersim/rxwork.d $(BUILD)/minersim/rxsim.d

# libFuzzer target over the parsers (fuzz/fuzz_minersim.c): the library
# sources are compiled into it with coverage, since make fuzz instruments
# only libhashhound.
MS_FUZZ_SRCS := $(addprefix $(MS_DIR)/,wallet.c msgs.c netconn.c common.c) $(MS_SHARED)
$(FUZZ_BUILD)/fuzz_minersim: fuzz/fuzz_minersim.c $(MS_FUZZ_SRCS)
	@mkdir -p $(dir $@)
	$(CLANG) -std=c17 -D_GNU_SOURCE -O1 -g -I$(MS_DIR) -Isrc -fsanitize=fuzzer,address,undefined \
		-o $@ $< $(MS_FUZZ_SRCS) -ljansson -lssl -lcrypto -lpthread

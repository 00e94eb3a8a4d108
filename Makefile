# hashhound build. One Makefile; modules may add rules in their own build.mk.
#   make            release build in build/
#   make SAN=1      ASan/UBSan build in build-san/ (what the tests use)
#   make test       unit + integration + real-world tiers (see tests/run)
#   make fuzz       libFuzzer targets in build-fuzz/ (clang)
#   make bench      bench/run

SAN     ?= 0
ifeq ($(SAN),1)
BUILD   ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else
BUILD   ?= build
SANFLAGS :=
endif

CC      ?= cc
CLANG   ?= clang
BPFTOOL ?= bpftool
PREFIX  ?= /usr/local
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
ARCH    := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

PKGS    := jansson yaml-0.1 libpcap sqlite3 openssl libarchive yara libbpf libcurl libmicrohttpd libzstd zlib libelf libnats libisal
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))

WARN    := -Wall -Wextra -Werror -Wno-unused-parameter
OPTFLAGS ?= -O2 -g
CFLAGS  := $(OPTFLAGS) -std=c17 -D_GNU_SOURCE $(WARN) -Isrc -I$(BUILD)/gen $(PKG_CFLAGS) \
           -DHH_VERSION='"$(VERSION)"' -fstack-protector-strong $(SANFLAGS) -MMD -MP
LDFLAGS += $(SANFLAGS)
LDLIBS  += $(PKG_LIBS) -lm -lpthread

.DEFAULT_GOAL := all

# Files compiled into the binary as C strings (built-in config, rules, intel).
# Modules append to EMBED_FILES in their build.mk; a file a/b.yaml becomes
# $(BUILD)/gen/embed/a_b_yaml.h defining hh_embed_a_b_yaml[].
EMBED_FILES := config/hashhound.yaml

# Modules add their own files, targets (tools, fuzzers) and embedded data here.
include $(sort $(wildcard tools/*/build.mk fuzz/build.mk src/*/build.mk src/*/*/build.mk))

embed_name = $(subst /,_,$(subst .,_,$(subst -,_,$(1))))
EMBED_HDRS := $(foreach f,$(EMBED_FILES),$(BUILD)/gen/embed/$(call embed_name,$(f)).h)

# Library sources: everything under src/ except the entry point and eBPF programs.
LIB_SRCS := $(shell find src -name '*.c' ! -name '*.bpf.c' ! -path src/main.c | sort)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
BPF_SRCS := $(shell find src -name '*.bpf.c' | sort)
BPF_SKELS := $(foreach s,$(BPF_SRCS),$(BUILD)/gen/$(notdir $(s:.bpf.c=.skel.h)))
LIB      := $(BUILD)/libhashhound.a
BIN      := $(BUILD)/hashhound

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all clean test unit integration realworld fuzz bench install tools image-root
all: $(BIN) tools

$(BIN): $(BUILD)/src/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

# Every object may include a generated skeleton; generate them first.
$(BUILD)/%.o: %.c | $(BPF_SKELS) $(EMBED_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

define EMBED_RULE
$(BUILD)/gen/embed/$(call embed_name,$(1)).h: $(1)
	@mkdir -p $$(dir $$@)
	tools/embed.sh $(call embed_name,$(1)) $$< > $$@.tmp && mv $$@.tmp $$@
endef
$(foreach f,$(EMBED_FILES),$(eval $(call EMBED_RULE,$(f))))

# eBPF: x.bpf.c -> x.bpf.o -> x.skel.h (libbpf-tools pattern).
$(BUILD)/gen/vmlinux.h:
	@mkdir -p $(dir $@)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

define BPF_RULE
$(BUILD)/gen/$(notdir $(1:.bpf.c=.bpf.o)): $(1) $(BUILD)/gen/vmlinux.h $(wildcard $(dir $(1))*.h)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(BUILD)/gen -I$(dir $(1)) -Isrc -c $(1) -o $$@
	llvm-strip -g $$@ 2>/dev/null || true
$(BUILD)/gen/$(notdir $(1:.bpf.c=.skel.h)): $(BUILD)/gen/$(notdir $(1:.bpf.c=.bpf.o))
	$(BPFTOOL) gen skeleton $$< > $$@
endef
$(foreach s,$(BPF_SRCS),$(eval $(call BPF_RULE,$(s))))

# Unit tests: one cmocka program per tests/unit/test_*.c, linked with the library.
$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS) -lcmocka

unit: $(UNIT_BINS)
	@tests/run-unit $(BUILD) $(UNIT_BINS)

# The README's test command: builds the sanitizer build and runs every tier.
test:
	$(MAKE) SAN=1 all $(patsubst $(BUILD)/%,build-san/%,$(UNIT_BINS))
	$(MAKE) SAN=0 all
	tests/run all

integration:
	tests/run integration

realworld:
	tests/run realworld

bench: all
	bench/run

# The agent image's root (deploy/Containerfile is FROM scratch + this tree).
image-root: $(BIN)
	scripts/image-root.sh $(BIN) $(BUILD)/image-root

install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/hashhound

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJS:.o=.d) $(BUILD)/src/main.d

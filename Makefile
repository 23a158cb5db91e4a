# xar — plain Makefile. `make` builds, `make demo` packs a sample and shows it,
# `make check` runs every test. Missing Debian packages are installed first.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc
PKG_CONFIG ?= pkg-config

WARN    = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wwrite-strings -Wvla \
          -Wformat=2 -Wmissing-prototypes -Wno-unused-parameter
CFLAGS  ?= -O2 -g
XCFLAGS = -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(WARN) -Ilib -MMD -MP \
          $(shell $(PKG_CONFIG) --cflags libzstd fuse3 squashfuse_ll libsodium 2>/dev/null)
LIBS    = $(shell $(PKG_CONFIG) --libs squashfuse_ll squashfuse fuse3 libzstd libsodium 2>/dev/null) -lpthread
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

LIB_DIRS     := base elf header trust tree squashfs image server mount run python build
LIB_SRCS     := $(sort $(foreach d,$(LIB_DIRS),$(wildcard lib/$(d)/*.c)))
MKXAR_SRCS   := $(sort $(wildcard mkxar/*.c))
XAREXEC_SRCS := $(sort $(filter-out xarexec/runtime%.c xarexec/python_launcher.c,$(wildcard xarexec/*.c)))
RUNTIME_SRCS := $(sort $(wildcard xarexec/runtime*.c))
LAUNCHER_SRC := xarexec/python_launcher.c
UNIT_SRCS    := $(sort $(wildcard tests/unit/*/check_*.c))

LIB_OBJS     := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
MKXAR_OBJS   := $(MKXAR_SRCS:%.c=$(BUILD)/obj/%.o)
XAREXEC_OBJS := $(XAREXEC_SRCS:%.c=$(BUILD)/obj/%.o)
# Built in the main tree too, so that warnings and the layout check see them.
RUNTIME_CHECK_OBJS := $(RUNTIME_SRCS:%.c=$(BUILD)/obj/%.o) $(LAUNCHER_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BINS    := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
LIBXAR       := $(BUILD)/libxar.a
DEPS_STAMP   := $(BUILD)/.deps-ok

BINS = $(BUILD)/mkxar $(BUILD)/xarexec $(BUILD)/xarexec_fuse $(BUILD)/xar-runtime \
       $(BUILD)/xar-python-launcher

.PHONY: all deps demo check unit e2e asan valgrind fuzz fuzz-run clean install uninstall bench
# Keep test objects: make would delete them after the run, printing
# after the test summary.
.SECONDARY:
all: $(BINS)

# The stamp is made once per build dir; scripts/deps.sh installs what is missing.
$(DEPS_STAMP): scripts/deps.sh
	@mkdir -p $(@D)
	@sh scripts/deps.sh
	@touch $@
deps:
	@sh scripts/deps.sh

$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(CFLAGS) -c -o $@ $<

$(LIBXAR): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/mkxar: $(MKXAR_OBJS) $(LIBXAR)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# xarexec runs before every app: its libraries are linked statically and
# the binary is not position-independent, so that a start loads libc alone
# and relocates nothing (about 0.6 ms less per start, measured).
XAREXEC_LIBS = -Wl,-Bstatic -lsquashfuse_ll -lsquashfuse -lfuse3 -lzstd -lz \
               -llzma -llzo2 -llz4 -lsodium -Wl,-Bdynamic -lpthread
$(BUILD)/xarexec: $(XAREXEC_OBJS) $(LIBXAR)
	$(CC) $(CFLAGS) $(LDFLAGS) -no-pie -o $@ $^ $(XAREXEC_LIBS)

$(BUILD)/xarexec_fuse: $(BUILD)/xarexec
	ln -sf xarexec $@

# The runtime mkxar --self-contained puts in front of a xar: xarexec's
# sources again, fully static (no program interpreter, no shared library,
# no NSS), optimised for size, unused functions dropped; at most 1.5 MiB
# (tests/e2e/xarexec/test_self_contained.sh checks). Its own flags, not
# CFLAGS: sanitizer builds cannot link statically, and the runtime is the
# same code the sanitized xarexec runs.
RT_CFLAGS  = -Os -g0 -ffunction-sections -fdata-sections -DXAR_EMBEDDED_RUNTIME
RT_LDFLAGS = -static -s -Wl,--gc-sections -Wl,-z,noseparate-code \
             -Wl,--build-id=none
RT_LIBS    = -lsquashfuse_ll -lsquashfuse -lfuse3 -lzstd -lsodium -lpthread
RT_OBJS    = $(patsubst %.c,$(BUILD)/rt/%.o,$(XAREXEC_SRCS) $(RUNTIME_SRCS))
RT_LIBXAR  = $(BUILD)/rt/libxar.a
$(BUILD)/rt/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(RT_CFLAGS) -c -o $@ $<
$(RT_LIBXAR): $(LIB_SRCS:%.c=$(BUILD)/rt/%.o)
	@rm -f $@
	$(AR) rcs $@ $^
$(BUILD)/xar-runtime: $(RT_OBJS) $(RT_LIBXAR) $(RUNTIME_CHECK_OBJS)
	$(CC) $(RT_LDFLAGS) -o $@ $(RT_OBJS) $(RT_LIBXAR) $(RT_LIBS)

# The launcher a hermetic Python xar carries (mkxar --bundle-python): what
# sys.executable names inside the image; static for the same reasons.
$(BUILD)/xar-python-launcher: $(BUILD)/rt/$(LAUNCHER_SRC:.c=.o) $(RT_LIBXAR) $(RUNTIME_CHECK_OBJS)
	$(CC) $(RT_LDFLAGS) -o $@ $(BUILD)/rt/$(LAUNCHER_SRC:.c=.o) $(RT_LIBXAR)

$(BUILD)/tests/unit/%.o: tests/unit/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) -Itests/unit $(CHECK_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(LIBXAR)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LIBS)

# The libsquashfuse oracle that tests diff against tree-manifest.py, and
# xarexec's inspection options behind their own small command line.
TOOLS = $(BUILD)/tests/sqfs-manifest $(BUILD)/tests/xarexec-inspect
$(BUILD)/tests/sqfs-manifest: tests/tools/sqfs-manifest.c $(LIBXAR) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBXAR) $(LIBS)
INSPECT_OBJS := $(filter $(BUILD)/obj/xarexec/inspect%,$(XAREXEC_OBJS))
$(BUILD)/tests/xarexec-inspect: tests/tools/xarexec-inspect.c $(INSPECT_OBJS) $(LIBXAR) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) -Ixarexec $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o %.a,$^) $(LIBS)

# Fuzz harnesses tests/fuzz/fuzz_<name>.c: linked with a replay driver
# that make check runs over the saved inputs, or with libFuzzer (make fuzz).
FUZZ_NAMES := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(filter-out \
              tests/fuzz/fuzz_util.c,$(wildcard tests/fuzz/fuzz_*.c))))
FUZZ_OBJS   = $(BUILD)/obj/tests/fuzz/fuzz_util.o $(BUILD)/obj/mkxar/options.o $(LIBXAR)
TOOLS += $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay_%)
$(BUILD)/fuzz/replay_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/obj/tests/fuzz/replay.o $(FUZZ_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)
$(BUILD)/fuzz/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(FUZZ_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

# make fuzz FUZZ_SECONDS=N: each harness for N seconds under ASan+UBSan,
# from a corpus seeded with real xars; findings land in build-fuzz/.
# FUZZ_SEED=N makes the mutations repeatable (CI uses 1).
FUZZ_SECONDS ?= 60
FUZZ_SEED ?=
fuzz: all
	$(MAKE) BUILD=build-fuzz CC=clang FUZZ_MKXAR=$(abspath $(BUILD)/mkxar) \
	  CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" fuzz-run
fuzz-run: $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
	@BUILD=$(abspath $(BUILD)) MKXAR=$(FUZZ_MKXAR) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SEED=$(FUZZ_SEED) \
	  sh tests/fuzz/run.sh $(FUZZ_NAMES)

unit: $(UNIT_BINS)
	@sh tests/run-unit.sh $(UNIT_BINS)

e2e: $(BINS) $(TOOLS)
	@BUILD=$(abspath $(BUILD)) sh tests/run-e2e.sh

check: all $(UNIT_BINS) $(TOOLS)
	@BUILD=$(abspath $(BUILD)) sh tests/run-all.sh $(UNIT_BINS)

# The whole test suite again, built with AddressSanitizer, LeakSanitizer and
# UBSan. Reports go to files (the FUSE server's stderr is /dev/null); the
# test runners fail the test during which one appears.
SAN_LOGS = $(abspath build-asan)/sanitizer-logs
asan:
	@rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS)
	ASAN_OPTIONS=log_path=$(SAN_LOGS)/asan:detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=log_path=$(SAN_LOGS)/ubsan:print_stacktrace=1 \
	XAR_SANITIZER_LOGS=$(SAN_LOGS) \
	$(MAKE) BUILD=build-asan CC=clang \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" check

# The unit tests under valgrind's memcheck: invalid accesses, uninitialised
# reads and definite leaks fail the test they happen in.
valgrind: $(UNIT_BINS)
	@CK_EXCLUDE_TAGS=spawn-errors VALGRIND="valgrind -q --error-exitcode=99 \
	  --leak-check=full --errors-for-leak-kinds=definite,indirect" \
	  sh tests/run-unit.sh $(UNIT_BINS)

demo: all
	@sh samples/demo.sh $(abspath $(BUILD))

# Each sample in samples/ packed into $(BUILD)/samples/<name>.xar.
.PHONY: samples
samples: all
	@sh samples/build.sh $(abspath $(BUILD))

bench: all
	@sh bench/build.sh $(abspath $(BUILD))

MAN1DIR ?= $(PREFIX)/share/man/man1
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MAN1DIR)
	install -m 0755 $(BUILD)/mkxar $(BUILD)/xarexec $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(PREFIX)/lib/xar
	install -m 0755 $(BUILD)/xar-runtime $(BUILD)/xar-python-launcher \
	  $(DESTDIR)$(PREFIX)/lib/xar/
	ln -sf xarexec $(DESTDIR)$(PREFIX)/bin/xarexec_fuse
	install -m 0644 man/mkxar.1 man/xarexec.1 $(DESTDIR)$(MAN1DIR)/
	ln -sf xarexec.1 $(DESTDIR)$(MAN1DIR)/xarexec_fuse.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/mkxar $(DESTDIR)$(PREFIX)/bin/xarexec \
	      $(DESTDIR)$(PREFIX)/bin/xarexec_fuse $(DESTDIR)$(MAN1DIR)/mkxar.1 \
	      $(DESTDIR)$(PREFIX)/lib/xar/xar-runtime \
	      $(DESTDIR)$(PREFIX)/lib/xar/xar-python-launcher \
	      $(DESTDIR)$(MAN1DIR)/xarexec.1 $(DESTDIR)$(MAN1DIR)/xarexec_fuse.1

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

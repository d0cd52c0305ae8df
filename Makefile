# ncgsim: build, test, run the shipped scenarios, benchmark, install.

CC      ?= cc
PREFIX  ?= /usr/local
OPT     ?= -O2 -g
PKGS     = gsl libconfig
WARN     = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion \
           -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
# Required flags live in NCG_* variables, so that a user's CFLAGS,
# CPPFLAGS or LDLIBS on the command line (make CFLAGS=-O0) add to them
# and never drop -std=c11, the warnings, -pthread or the library flags.
NCG_CPPFLAGS = -Isrc -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
               -DNCGSIM_DATADIR='"$(PREFIX)/share/ncgsim"'
# Deferred (=) so that `make run` can install missing packages first.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lgsl -lgslcblas -lconfig)
NCG_CFLAGS = $(WARN) -ffp-contract=off $(OPT) -pthread $(PKG_CFLAGS)
NCG_LDLIBS = $(PKG_LIBS) -lm -pthread
ifeq ($(WERROR),1)
NCG_CFLAGS += -Werror
endif
ALL_CPPFLAGS = $(NCG_CPPFLAGS) $(CPPFLAGS)
ALL_CFLAGS   = $(NCG_CFLAGS) $(CFLAGS)
ALL_LDLIBS   = $(NCG_LDLIBS) $(LDLIBS)

# The MPI driver (docs/distributed.md): `make MPI=1` builds it, `make MPI=0`
# leaves it out; by default it is built when Open MPI's development files are
# found (pkg-config ompi-c, or mpicc). The binary calls MPI only when started
# by mpirun or srun, so a build with MPI runs like one without otherwise.
ifeq ($(origin MPI),undefined)
MPI := $(shell { pkg-config --exists ompi-c || mpicc --showme:compile; } \
          >/dev/null 2>&1 && echo 1 || echo 0)
endif
ifeq ($(MPI),1)
MPI_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags ompi-c \
                2>/dev/null || mpicc --showme:compile))
MPI_LIBS   := $(shell pkg-config --libs ompi-c 2>/dev/null \
                || mpicc --showme:link)
NCG_LDLIBS += $(MPI_LIBS)
NOT_CLUSTER = src/cli/cluster_none.c
else
NOT_CLUSTER = src/cli/cluster_mpi.c
endif

BUILD   ?= build
OUT     ?= results
SRCS     = $(filter-out $(NOT_CLUSTER),$(wildcard src/*/*.c))
OBJS     = $(SRCS:src/%.c=$(BUILD)/%.o)
# The commands and dispatch are the binary's; the suites link the rest.
LIBOBJS  = $(filter-out $(BUILD)/cli/main.o $(BUILD)/cli/cmd_%.o,$(OBJS))
TSRCS    = $(wildcard tests/test_*.c)
TOBJS    = $(TSRCS:tests/%.c=$(BUILD)/tests/%.o)
SCENARIOS = scenarios scenarios/from_today

.PHONY: all test run bench install clean deps docs test-asan test-valgrind fuzz golden check-layers

all: ncgsim ncgsim.1 $(BUILD)/completion/ncgsim

# The man page and the bash completion, both from the option table.
ncgsim.1: ncgsim
	./ncgsim help --man > $@.tmp && mv $@.tmp $@
$(BUILD)/completion/ncgsim: ncgsim
	@mkdir -p $(@D)
	./ncgsim help --completion > $@.tmp && mv $@.tmp $@

ncgsim: $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

# The binary of another build folder (sanitizers, valgrind, clang).
$(BUILD)/ncgsim: $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

# Only the MPI driver sees mpi.h.
$(BUILD)/cli/cluster_mpi.o: NCG_CFLAGS += $(MPI_CFLAGS)

$(BUILD)/%.o: src/%.c | $(BUILD)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c $(BUILD)/tests/suites.inc | $(BUILD)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -Isrc -I$(BUILD)/tests -MMD -MP -c -o $@ $<

# One CUnit suite per tests/test_<module>.c, registered by name.
$(BUILD)/tests/suites.inc: $(TSRCS) | $(BUILD)
	@mkdir -p $(BUILD)/tests
	@for f in $(TSRCS); do n=$$(basename $$f .c); echo "SUITE($${n#test_})"; done > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp

$(BUILD)/ncgsim_tests: $(LIBOBJS) $(TOBJS) $(BUILD)/tests/testmain.o \
                     $(BUILD)/tests/testutil.o
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS) -lcunit

$(BUILD):
	@mkdir -p $(BUILD)/tests

# Missing Debian packages are installed first (see .ci/deps).
deps:
	@sh .ci/deps

# make test [SUITE=name]: every suite, or one.
test: deps
	@$(MAKE) --no-print-directory ncgsim $(BUILD)/ncgsim_tests
	./$(BUILD)/ncgsim_tests $(SUITE)

# Builds, runs every scenario in scenarios/ (what-if, unconditioned) and
# scenarios/from_today/ (conditioned on the 2025-26 record), renders the
# plots and writes the briefing, $(OUT)/report.html (its path is printed last).
run: deps
	@$(MAKE) --no-print-directory ncgsim
	./ncgsim run $(SCENARIOS) -o $(OUT) --report

# The model diagram of the baseline, for docs/model.md.
docs: deps
	@$(MAKE) --no-print-directory ncgsim
	./ncgsim graph --no-params scenarios/baseline.cfg > $(BUILD)/model.dot
	dot -Tsvg $(BUILD)/model.dot -o docs/model.svg
	dot -Tpng -Gdpi=72 $(BUILD)/model.dot -o docs/model.png
	./ncgsim graph scenarios/baseline.cfg > $(BUILD)/model-full.dot
	dot -Tsvg $(BUILD)/model-full.dot -o docs/model-full.svg

# make bench: times the binary users get (./ncgsim, built by `make` with
# the default flags, the one `make install` installs) against a
# hand-written C loop and the floor (built by the same compiler with the same
# flags) and vectorised NumPy, in one run; see docs/performance.md.
# BENCH_REPS=N changes the number of runs per figure (default 5).
BENCH_REPS ?= 5
bench: deps
	@sh .ci/deps python3-numpy
	@$(MAKE) --no-print-directory ncgsim $(BUILD)/bench/hand \
	    $(BUILD)/bench/floor $(BUILD)/bench/bench
	$(BUILD)/bench/bench -r $(BENCH_REPS) ./ncgsim $(BUILD)/bench \
	    bench/reference.cfg $(SCENARIOS)

$(BUILD)/bench/hand $(BUILD)/bench/floor: $(BUILD)/bench/%: bench/%.c \
    $(BUILD)/random/rng.o
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(BUILD)/bench/bench: bench/bench.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(ALL_LDLIBS)

# Sanitizers: the whole suite (the CLI tests run the asan binary too; it
# is not beside plots/, so the style is named as an installed one would be).
ASAN_BUILD ?= $(BUILD)/asan
ASAN_OPT   = -fsanitize=address,undefined -fno-omit-frame-pointer -O1 -g
test-asan: deps
	@$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) OPT="$(ASAN_OPT)" \
	    $(ASAN_BUILD)/ncgsim $(ASAN_BUILD)/ncgsim_tests
	ASAN_OPTIONS=detect_leaks=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	NCGSIM_PLOTS=$(abspath plots) \
	NCGSIM_BIN=$(abspath $(ASAN_BUILD)/ncgsim) $(ASAN_BUILD)/ncgsim_tests $(SUITE)

# Valgrind over a representative set: fast suites, a threaded run, a check.
VALGRIND = valgrind -q --leak-check=full \
           --errors-for-leak-kinds=definite,indirect --error-exitcode=1
VG_SUITES = lex parse code vm rng scenario model regress
test-valgrind:
	@command -v valgrind >/dev/null || sh .ci/deps valgrind
	@$(MAKE) --no-print-directory $(BUILD)/ncgsim $(BUILD)/ncgsim_tests
	$(VALGRIND) $(BUILD)/ncgsim_tests $(VG_SUITES)
	rm -rf $(BUILD)/valgrind
	$(VALGRIND) $(BUILD)/ncgsim run -q --no-plots -j 2 -n 2000 \
	    -o $(BUILD)/valgrind scenarios/examples/quickstart.cfg
	$(VALGRIND) $(BUILD)/ncgsim check \
	    tests/data/catalogue/expr_several_errors.cfg; \
	    test $$? -eq 3

# libFuzzer (clang): make fuzz FUZZ_SECONDS=N runs each target N seconds.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_FLAGS    = -fsanitize=fuzzer,address,undefined -g -O1
FUZZ_TARGETS  = scenario expr
# Always without MPI: the fuzz targets never run under mpirun.
FUZZ_SRCS     = $(filter-out src/cli/main.c src/cli/cmd_%.c \
                  src/cli/cluster_mpi.c,$(wildcard src/*/*.c))
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SRCS) $(wildcard src/*/*.h)
	@mkdir -p $(BUILD)/fuzz
	$(FUZZ_CC) -std=c11 $(ALL_CPPFLAGS) $(FUZZ_FLAGS) -pthread -Isrc \
	    $(PKG_CFLAGS) -o $@ $< $(FUZZ_SRCS) $(PKG_LIBS) -lm
fuzz:
	@command -v $(FUZZ_CC) >/dev/null || sh .ci/deps clang libclang-rt-14-dev
	@$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(BUILD)/fuzz/corpus_$$t $(BUILD)/fuzz/artifacts || exit 1; \
	    echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
	    LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    $(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
	        -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	        -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/artifacts/ \
	        $(BUILD)/fuzz/corpus_$$t tests/fuzz/corpus_$$t || exit 1; \
	done

install: ncgsim ncgsim.1 $(BUILD)/completion/ncgsim
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/ncgsim/plots
	install -m 755 ncgsim $(DESTDIR)$(PREFIX)/bin/ncgsim
	install -m 644 plots/*.gp $(DESTDIR)$(PREFIX)/share/ncgsim/plots/ 2>/dev/null || true
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 ncgsim.1 $(DESTDIR)$(PREFIX)/share/man/man1/ncgsim.1
	install -m 644 $(BUILD)/completion/ncgsim \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ncgsim

# Includes point down the pipeline only (the order is in src/layers).
check-layers:
	sh .ci/check-layers src

# Rewrites the golden checksums (tests/test_golden.c) from the current
# binary: only when a change of results is meant; say why in the commit.
golden: ncgsim
	rm -rf $(BUILD)/golden
	sh tests/golden.sh ./ncgsim $(BUILD)/golden > $(BUILD)/golden.sha256
	mv $(BUILD)/golden.sha256 tests/data/golden/checksums.sha256
	rm -rf $(BUILD)/golden

clean:
	rm -rf $(BUILD) ncgsim ncgsim.1

-include $(OBJS:.o=.d) $(TOBJS:.o=.d) $(BUILD)/tests/testmain.d \
         $(BUILD)/tests/testutil.d

/* fuzz_scenario.c: libFuzzer target over loading, merging, compiling and briefly running a scenario. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/diag.h"
#include "run/engine.h"
#include "model/model.h"
#include "scenario/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input is one scenario file, optionally followed by a line "#---"
 * and a second file: the first is written as main.cfg, the second as
 * parent.cfg next to it, so `extends = "parent.cfg"` reaches it (and
 * `extends = "main.cfg"` makes a cycle). Comment lines "#set PATH=VALUE"
 * at the very start become --set overrides (comments to libconfig). Next
 * to them are a FIFO (fifo.cfg) and a folder (dir), so that `extends` and
 * `@include` reach special files by relative paths as well as absolute
 * ones (/dev/stdin, /proc/self/mem). */
#define FUZZ_SPLIT "\n#---\n"
#define FUZZ_SET "#set "
#define FUZZ_MAX_SETS 8

/* Models at most this big also go through the engine: enough to reach
 * every opcode and event kind, small enough to keep thousands of
 * executions a second. */
#define FUZZ_RUN_STEPS 16
#define FUZZ_RUN_TRIALS 8

/* A per-process folder in memory: loading reads from a path, and several
 * fuzzing workers may run at once. */
static char fuzz_dir[64], fuzz_main[96], fuzz_parent[96], fuzz_fifo[96],
    fuzz_sub[96];

/* Removes the folder when the fuzzer exits, so runs leave nothing behind. */
static void fuzz_cleanup(void)
{
    unlink(fuzz_main);
    unlink(fuzz_parent);
    unlink(fuzz_fifo);
    rmdir(fuzz_sub);
    rmdir(fuzz_dir);
}

static void fuzz_paths(void)
{
    if (fuzz_dir[0])
        return;
    snprintf(fuzz_dir, sizeof fuzz_dir, "/dev/shm/ncgsim-fuzz-%ld",
             (long)getpid());
    if (mkdir(fuzz_dir, 0700) != 0 && access(fuzz_dir, W_OK) != 0) {
        /* No /dev/shm (a container without it): fall back to /tmp. */
        snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/ncgsim-fuzz-%ld",
                 (long)getpid());
        (void)mkdir(fuzz_dir, 0700);
    }
    snprintf(fuzz_main, sizeof fuzz_main, "%s/main.cfg", fuzz_dir);
    snprintf(fuzz_parent, sizeof fuzz_parent, "%s/parent.cfg", fuzz_dir);
    snprintf(fuzz_fifo, sizeof fuzz_fifo, "%s/fifo.cfg", fuzz_dir);
    snprintf(fuzz_sub, sizeof fuzz_sub, "%s/dir", fuzz_dir);
    (void)mkfifo(fuzz_fifo, 0600);
    (void)mkdir(fuzz_sub, 0700);
    atexit(fuzz_cleanup);
}

/* Writes LEN bytes of DATA to PATH; 0 or -1. */
static int fuzz_write(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t put = len ? fwrite(data, 1, len, f) : 0;
    return fclose(f) == 0 && put == len ? 0 : -1;
}

/* The first occurrence of the split line in DATA, or NULL. */
static const uint8_t *fuzz_split(const uint8_t *data, size_t size)
{
    size_t n = sizeof FUZZ_SPLIT - 1;
    for (size_t i = 0; i + n <= size; i++)
        if (memcmp(data + i, FUZZ_SPLIT, n) == 0)
            return data + i;
    return NULL;
}

/* Copies the leading "#set " lines of DATA into BUF as NUL-terminated
 * strings pointed to by SETS; returns how many. */
static size_t fuzz_sets(const uint8_t *data, size_t size, char *buf,
                        const char *sets[FUZZ_MAX_SETS])
{
    size_t n = 0, at = 0, len = sizeof FUZZ_SET - 1;
    while (n < FUZZ_MAX_SETS && at + len <= size
           && memcmp(data + at, FUZZ_SET, len) == 0) {
        const uint8_t *nl = memchr(data + at, '\n', size - at);
        size_t end = nl ? (size_t)(nl - data) : size;
        memcpy(buf + at, data + at + len, end - at - len);
        buf[end - len] = 0;
        sets[n++] = buf + at;
        at = end + 1;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_paths();
    const uint8_t *cut = fuzz_split(data, size);
    size_t main_len = cut ? (size_t)(cut - data) : size;
    if (fuzz_write(fuzz_main, data, main_len) != 0)
        return 0;
    if (cut) {
        size_t skip = main_len + sizeof FUZZ_SPLIT - 1;
        if (fuzz_write(fuzz_parent, data + skip, size - skip) != 0)
            return 0;
    } else {
        unlink(fuzz_parent);
    }

    diag *d = diag_alloc();
    scenario *s = NULL;
    model *m = NULL;
    engine_result *res = NULL;
    char *setbuf = malloc(size + 1);
    const char *sets[FUZZ_MAX_SETS];
    if (!d || !setbuf)
        goto end;
    /* Few trials whatever the file says, so that a run stays short (the
     * file's `trials` is replaced before the checks: the error catalogue
     * covers those). */
    scenario_opts opts = {.sets = sets,
                          .n_sets = fuzz_sets(data, size, setbuf, sets),
                          .has_trials = 1, .trials = FUZZ_RUN_TRIALS};
    if (scenario_load_all(fuzz_main, &opts, &s, d) != 0) {
        /* As `check` does: the model's errors in the same pass. */
        if (s)
            (void)model_build(s, &m, d);
        goto end;
    }
    /* Printing the resolved scenario walks every node of the merged tree. */
    char *text = scenario_text(s);
    free(text);
    if (model_build(s, &m, d) != 0)
        goto end;
    if (s->sim.steps <= FUZZ_RUN_STEPS) {
        engine_opts eo = {.threads = 1};
        (void)engine_run(&m, 1, &eo, &res, d);
    }
end:
    free(setbuf);
    engine_result_free(res);
    model_free(m);
    scenario_free(s);
    diag_free(d);
    return 0;
}

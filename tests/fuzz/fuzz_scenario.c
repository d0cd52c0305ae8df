/* fuzz_scenario.c: libFuzzer target over loading, merging, compiling and briefly running a scenario. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "diag.h"
#include "engine.h"
#include "model.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input is one scenario file, optionally followed by a line "#---"
 * and a second file: the first is written as main.cfg, the second as
 * parent.cfg next to it, so `extends = "parent.cfg"` reaches it (and
 * `extends = "main.cfg"` makes a cycle). */
#define FUZZ_SPLIT "\n#---\n"

/* Models at most this big also go through the engine: enough to reach
 * every opcode and event kind, small enough to keep thousands of
 * executions a second. */
#define FUZZ_RUN_STEPS 16
#define FUZZ_RUN_TRIALS 8

/* A per-process folder in memory: loading reads from a path, and several
 * fuzzing workers may run at once. */
static char fuzz_dir[64], fuzz_main[96], fuzz_parent[96];

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
    if (!d)
        return 0;
    /* Few trials whatever the file says: the loader's own checks of
     * `trials` are still exercised by `check`, and a run must stay short. */
    scenario_opts opts = {.has_trials = 1, .trials = FUZZ_RUN_TRIALS};
    if (scenario_load(fuzz_main, &opts, &s, d) != 0)
        goto end;
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
    engine_result_free(res);
    model_free(m);
    scenario_free(s);
    diag_free(d);
    return 0;
}

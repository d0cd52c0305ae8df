/* test_sensshard.c: `sensitivity --shard` and `merge` of its parts: the same bytes as one process, and the refusals of bad sets of parts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

#define BIN "\"${NCGSIM_BIN:-./ncgsim}\""
/* 14 tornado items (two lockstep groups) and 3000 trials (three chunks of
 * the design): five units, so 7 shards leave two empty. */
#define SMALL "tests/data/sens/small.cfg"

/* Runs CMD (with DIR as $D); its exit status, output in *OUT. */
static int sh(const char *dir, const char *cmd, char **out)
{
    char full[4096];
    snprintf(full, sizeof full, "D='%s'; %s", dir, cmd);
    return test_run(full, out);
}

/* Shards 1 .. K of `sensitivity ARGS` into $D/pK, merged (parts in
 * reverse order, with MERGE_ARGS) into $D/mK, must be the bytes of
 * $D/one; the part folder must hold exactly K files. */
static void merged_equals_one(const char *dir, const char *args,
                              const char *merge_args, int k)
{
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd, "K=%d; for i in $(seq 1 $K); do " BIN
             " sensitivity %s --shard $i/$K -o \"$D/p$K\" || exit 9; done; "
             "test $(ls -A \"$D/p$K\" | wc -l) -eq $K || exit 8; "
             BIN " merge $(ls \"$D/p$K\"/*.ncgpart | sort -r) %s "
             "-o \"$D/m$K\" && diff -r \"$D/one\" \"$D/m$K\"", k, args,
             merge_args);
    int rc = sh(dir, cmd, &out);
    if (rc != 0)
        fprintf(stderr, "\n  K=%d: %s\n", k, out ? out : "");
    CU_ASSERT_EQUAL(rc, 0);
    free(out);
}

static void test_sensshard__merged_shards__equal_one_process_for_k_1_2_3_7(void)
{
    char *dir = test_tmpdir(), *out = NULL;
    /* With its charts: tornado and Sobol, drawn by the merge. */
    int rc = sh(dir, BIN " sensitivity " SMALL " -j2 -q -o \"$D/one\" && "
                "test -e \"$D/one/small-sensitivity/sobol-y.png\"", &out);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    free(out);
    static const int ks[] = { 1, 2, 3, 7 };
    for (size_t t = 0; t < sizeof ks / sizeof ks[0]; t++)
        merged_equals_one(dir, SMALL " -j2 -q", "-q", ks[t]);
    /* A shard computed again, on another number of threads: its bytes. */
    rc = sh(dir, "P=\"$D/p3/small-sensitivity.part-2-of-3.ncgpart\"; "
            "cp \"$P\" \"$D/again\" && " BIN " sensitivity " SMALL " -j1 -q "
            "--shard 2/3 -o \"$D/p3\" && cmp \"$D/again\" \"$P\"", &out);
    CU_ASSERT_EQUAL(rc, 0);
    free(out);
    test_rmrf(dir);
    free(dir);
}

static void test_sensshard__conditioned_scenario__merges_to_one_process(void)
{
    char *dir = test_tmpdir(), *out = NULL;
    int rc = sh(dir, BIN " sensitivity scenarios/examples/conditioning.cfg "
                "-n 2000 -j2 -q --no-plots -o \"$D/one\"", &out);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    free(out);
    merged_equals_one(dir, "scenarios/examples/conditioning.cfg -n 2000 -j2 "
                      "-q --no-plots", "-q --no-plots", 2);
    test_rmrf(dir);
    free(dir);
}

/* The messages and exit status of `merge` of the parts in $D/x (a copy
 * of $D/p, the three shards of SMALL, after PREP ran in it) and EXTRA,
 * with the folder $D/ taken out of the paths. */
static char *merge_refusal(const char *dir, const char *prep,
                           const char *extra)
{
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd, "rm -rf \"$D/x\" && cp -r \"$D/p\" \"$D/x\" && "
             "(cd \"$D/x\" && %s) && { " BIN " merge \"$D\"/x/*.ncgpart %s "
             "-q --no-plots -o \"$D/out\"; echo \"rc=$?\"; } 2>&1 "
             "| sed \"s|$D/||g\"", prep, extra);
    sh(dir, cmd, &out);
    return out;
}

static void test_sensshard__bad_sets_of_parts__are_refused_naming_the_part(void)
{
    char *dir = test_tmpdir(), *out = NULL;
    int rc = sh(dir, "for i in 1 2 3; do " BIN " sensitivity " SMALL " -j2 "
                "-q --shard $i/3 -o \"$D/p\" || exit 9; done; "
                BIN " run " SMALL " -n 4096 -j2 -q --shard 1/1 -o \"$D/run\" "
                "&& " BIN " sensitivity " SMALL " -j2 -q --shard 2/3 --seed 5 "
                "-o \"$D/seed\" && " BIN " sensitivity " SMALL " -j2 -q "
                "--shard 2/3 --constants 10 -o \"$D/opts\"", &out);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    free(out);
    static const struct { const char *prep, *extra, *msg; } cases[] = {
        { "rm small-sensitivity.part-2-of-3.ncgpart", "",
          "missing part: shard 2 of 3 of scenario small "
          "(small-sensitivity.part-2-of-3.ncgpart)\nrc=4\n" },
        /* A part of `run` of the same scenario among them. */
        { "true", "\"$D/run/small.part-1-of-1.ncgpart\"",
          "run/small.part-1-of-1.ncgpart: a part of `run`, but "
          "x/small-sensitivity.part-1-of-3.ncgpart is a part of "
          "`sensitivity`\nrc=4\n" },
        { "cp small-sensitivity.part-1-of-3.ncgpart copy.ncgpart", "",
          "x/small-sensitivity.part-1-of-3.ncgpart: shard 1 of 3 of scenario "
          "small again (also x/copy.ncgpart): give each part once\nrc=4\n" },
        { "head -c 5000 small-sensitivity.part-3-of-3.ncgpart > t && "
          "mv t small-sensitivity.part-3-of-3.ncgpart", "",
          "x/small-sensitivity.part-3-of-3.ncgpart: incomplete part file "
          "(5000 bytes, no checksum at the end): truncated or damaged; "
          "compute this shard again\nrc=4\n" },
        { "cp ../seed/small-sensitivity.part-2-of-3.ncgpart .", "",
          "x/small-sensitivity.part-2-of-3.ncgpart: seed 5, but "
          "x/small-sensitivity.part-1-of-3.ncgpart has seed 11: parts of "
          "different runs\nrc=4\n" },
        /* Another --constants: the same model, another job. */
        { "cp ../opts/small-sensitivity.part-2-of-3.ncgpart .", "",
          "x/small-sensitivity.part-2-of-3.ncgpart: belongs to another job "
          "than x/small-sensitivity.part-1-of-3.ncgpart (other scenarios or "
          "options)\nrc=4\n" },
        { "printf 'X' | dd of=small-sensitivity.part-1-of-3.ncgpart bs=1 "
          "seek=300 conv=notrunc 2>/dev/null", "",
          "x/small-sensitivity.part-1-of-3.ncgpart: checksum mismatch: the "
          "part file was altered or damaged; compute this shard again\n"
          "rc=4\n" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *msg = merge_refusal(dir, cases[i].prep, cases[i].extra);
        int ok = msg && strcmp(msg, cases[i].msg) == 0;
        if (!ok)
            fprintf(stderr, "\n  case %zu: got '%s'\n", i, msg ? msg : "");
        CU_ASSERT(ok);
        free(msg);
    }
    /* Nothing was written by any refused merge. */
    rc = sh(dir, "test ! -e \"$D/out\"", &out);
    CU_ASSERT_EQUAL(rc, 0);
    free(out);
    test_rmrf(dir);
    free(dir);
}

void test_sensshard_register(void);
void test_sensshard_register(void)
{
    static const test_case cases[] = {
        { "merged shards equal one process for K = 1, 2, 3, 7", test_sensshard__merged_shards__equal_one_process_for_k_1_2_3_7 },
        { "a conditioned scenario merges to one process's bytes", test_sensshard__conditioned_scenario__merges_to_one_process },
        { "bad sets of parts are refused naming the part", test_sensshard__bad_sets_of_parts__are_refused_naming_the_part },
    };
    TEST_SUITE("sensshard", cases);
}

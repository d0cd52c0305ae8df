/* test_shard_precision.c: `run --shard --precision` in two passes and
 * `merge`: one process's trials and bytes, and mixed passes refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

#define BIN "\"${NCGSIM_BIN:-./ncgsim}\""
/* Two scenarios (a comparison and paired differences), one conditioned
 * on a record (weighted tallies, pairs and histograms). --max-trials
 * 6000 is six chunks, the last short, so 7 shards leave one empty;
 * 20000 is twenty. */
#define SCENARIOS "scenarios/baseline.cfg scenarios/examples/conditioning.cfg"

/* Runs CMD (with DIR as $D); its exit status, output in *OUT. */
static int sh(const char *dir, const char *cmd, char **out)
{
    char full[8192];
    snprintf(full, sizeof full, "D='%s'; B=\"$(realpath " BIN ")\"; %s", dir,
             cmd);
    return test_run(full, out);
}

/*
 * The whole workflow for each K of KS: the first pass (K probes), a merge
 * that prints one process's rounds, word for word, and the second pass,
 * that printed command run for each shard
 * (with another number of shards, K % 3 + 1, which must not matter), and
 * the merge of probes and parts: the folders must be those of one process
 * with OPTS, byte for byte, and the trials those it chose (TRIALS).
 */
static void two_passes_equal_one_process(const char *opts, long trials)
{
    char *dir = test_tmpdir(), *out = NULL, cmd[4096];
    snprintf(cmd, sizeof cmd, "$B run " SCENARIOS " %s -j2 --no-plots "
             "-o \"$D/one\" 2>&1 >/dev/null | grep '^precision:' "
             "> \"$D/rounds\" && test $(wc -l < \"$D/rounds\") -eq 2 && "
             "grep -c 'trials = %ld;' "
             "\"$D/one/baseline/resolved.cfg\"", opts, trials);
    int rc = sh(dir, cmd, &out);
    CU_ASSERT_EQUAL(rc, 0);
    free(out);
    static const int ks[] = { 1, 2, 3, 7 };
    for (size_t t = 0; t < sizeof ks / sizeof ks[0]; t++) {
        snprintf(cmd, sizeof cmd, "K=%d; K2=$((K %% 3 + 1)); P=\"$D/p$K\"; "
                 "for i in $(seq 1 $K); do $B run " SCENARIOS " %s -j2 -q "
                 "--shard $i/$K -o \"$P\" || exit 9; done; "
                 "$B merge \"$P\" --no-plots -o \"$D/m$K\" > \"$D/next\" "
                 "2> \"$D/r$K\" || exit 8; test ! -e \"$D/m$K\" || exit 7; "
                 "diff \"$D/rounds\" \"$D/r$K\" || exit 4; "
                 "next=$(sed -n 's/^ *ncgsim //p' \"$D/next\"); "
                 "case \"$next\" in *' --shard I/K -n %ld') ;; *) exit 6;; "
                 "esac; for i in $(seq 1 $K2); do "
                 "eval \"$B ${next%%--shard I/K*} --shard $i/$K2 -n %ld\" "
                 "-j2 || exit 5; done; "
                 "$B merge $(ls \"$P\"/*.ncgpart | sort -r) -q --no-plots "
                 "-o \"$D/m$K\" && diff -r \"$D/one\" \"$D/m$K\"", ks[t],
                 opts, trials, trials);
        rc = sh(dir, cmd, &out);
        if (rc != 0)
            fprintf(stderr, "K=%d: rc %d: %s\n", ks[t], rc, out ? out : "");
        CU_ASSERT_EQUAL(rc, 0);
        free(out);
    }
    test_rmrf(dir);
    free(dir);
}

/* --precision 0.02: at 4096 trials an event's interval is 1.89 times its
 * target, so the next round would pass --max-trials 6000, which one
 * process then runs unmeasured (its last chunk short): 6000 trials. */
static void test_shard_precision__events__two_passes_equal_one_process(void)
{
    two_passes_equal_one_process("--precision 0.02 --max-trials 6000",
                                 6000);
}

/* --precision-of a mean and a percentile (the probes keep the last-step
 * histograms, weighted in the conditioned scenario): at 4096 trials the
 * median of nuke_support is 1.63 times its target, at 12288 (twelve
 * chunks, across probes for K > 1) 0.979. */
static void test_shard_precision__mean_and_percentile__two_passes_equal_one_process(void)
{
    two_passes_equal_one_process("--precision-of mean:usfk_troops=150 "
                                 "--precision-of p50:nuke_support=0.5% "
                                 "--max-trials 20000", 12288);
}

/* Probes in $D/p (3 shards of baseline, --precision 0.03, which choose
 * 4096 trials), the second pass's parts in $D/q; each case's merge
 * message, exactly, and nothing written. */
static void test_shard_precision__mixed_passes__are_refused_naming_the_part(void)
{
    char *dir = test_tmpdir(), *out = NULL;
    const char *run = "$B run scenarios/baseline.cfg --precision 0.03 -j2 -q";
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "M='--max-trials 12000'; for i in 1 2 3; do "
             "%s $M --shard $i/3 -o \"$D/p\" && "
             "%s $M --shard $i/3 -n 4096 -o \"$D/q\" || exit 9; done; "
             "%s $M --shard 1/3 -n 8192 -o \"$D/n\" && "
             "%s $M --shard 2/3 --seed 5 -o \"$D/s\" && "
             "%s --max-trials 16000 --shard 1/3 -n 4096 -o \"$D/t\"", run,
             run, run, run, run);
    int rc = sh(dir, cmd, &out);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    free(out);
    static const struct { const char *files, *msg; } cases[] = {
        /* The second pass alone: its trials cannot be checked. */
        { "q/*",
          "q/baseline.part-1-of-3.ncgpart: a part of a sharded run with "
          "--precision: give its probes too "
          "(baseline-probe.part-I-of-K.ncgpart), which choose the trials\n" },
        /* Shards of another -n than the probes choose. */
        { "p/* q/baseline.part-2-of-3.ncgpart q/baseline.part-3-of-3.ncgpart "
          "n/*",
          "n/baseline.part-1-of-3.ncgpart: 8192 trials, but the probes choose "
          "4096: run the second pass again with -n 4096\n" },
        /* A probe of another seed. */
        { "p/baseline-probe.part-1-of-3.ncgpart "
          "p/baseline-probe.part-3-of-3.ncgpart s/*",
          "s/baseline-probe.part-2-of-3.ncgpart: seed 5, but "
          "p/baseline-probe.part-1-of-3.ncgpart has seed 20250110: parts of "
          "different runs\n" },
        /* A second pass of other --precision settings. */
        { "p/* q/baseline.part-2-of-3.ncgpart q/baseline.part-3-of-3.ncgpart "
          "t/*",
          "t/baseline.part-1-of-3.ncgpart: a part of `run --precision 0.03 "
          "--max-trials 16000`, but p/baseline-probe.part-1-of-3.ncgpart is "
          "a probe of `run --precision 0.03 --max-trials 12000`: merge the "
          "parts of one job\n" },
        /* A probe missing. */
        { "p/baseline-probe.part-1-of-3.ncgpart "
          "p/baseline-probe.part-2-of-3.ncgpart",
          "missing part: shard 3 of 3 of scenario baseline "
          "(baseline-probe.part-3-of-3.ncgpart)\n" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(cmd, sizeof cmd, "cd \"$D\" && $B merge %s -q --no-plots "
                 "-o \"$D/out\"", cases[i].files);
        rc = sh(dir, cmd, &out);
        CU_ASSERT_EQUAL(rc, 4);
        if (strcmp(out ? out : "", cases[i].msg) != 0)
            fprintf(stderr, "case %zu: got '%s'\n", i, out ? out : "");
        CU_ASSERT_STRING_EQUAL(out ? out : "", cases[i].msg);
        free(out);
    }
    rc = sh(dir, "test ! -e \"$D/out\"", &out);
    CU_ASSERT_EQUAL(rc, 0);
    free(out);
    /* A sampler whose design depends on the trials cannot take probes. */
    rc = sh(dir, "$B run scenarios/baseline.cfg --precision 0.03 --shard 1/2 "
            "--set simulation.sampler=lhs -o \"$D/l\"", &out);
    CU_ASSERT_EQUAL(rc, 2);
    CU_ASSERT(out != NULL && strstr(out, "ncgsim: run: --shard with "
              "--precision: scenarios/baseline.cfg uses the lhs sampler, "
              "whose design depends on the number of trials; shard it with a "
              "fixed -n, or use sampler = \"mc\"\n") == out);
    free(out);
    test_rmrf(dir);
    free(dir);
}

void test_shard_precision_register(void);
void test_shard_precision_register(void)
{
    static const test_case cases[] = {
        { "events: two passes equal one process", test_shard_precision__events__two_passes_equal_one_process },
        { "mean and percentile: two passes equal one process", test_shard_precision__mean_and_percentile__two_passes_equal_one_process },
        { "mixed passes are refused naming the part", test_shard_precision__mixed_passes__are_refused_naming_the_part },
    };
    TEST_SUITE("shard_precision", cases);
}

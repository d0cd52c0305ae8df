/* test_merge.c: `sweep`, `discover` and `score` with --shard, and `merge` of their parts: the same folder as one process, and the refusals of bad sets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "testutil.h"

#define BIN "\"${NCGSIM_BIN:-./ncgsim}\""
/* 42 points of 600 trials: batches of 16 points cut across the shards. */
#define SWEEP "sweep tests/data/golden/examples/quickstart.cfg -n 600 -j 1 " \
              "-q --vary cut_chance=0:1:0.05 --vary p_sceptic=0:1:1"

/* Runs ARGS (after "ncgsim") into $D/one, then as shards 1..K into $D/pK
 * for each K of KS (N of them), asserting that each shard writes exactly
 * one part and nothing else, and that `merge` of the parts, given in
 * reverse order (with MERGE_ARGS), writes the same bytes as $D/one into
 * $D/mK; and that a shard computed again writes the same part. PARTS is
 * the number of part files a shard writes. */
static void shards_equal_one_process(const char *dir, const char *args,
                                     const char *merge_args, const int *ks,
                                     size_t n, int parts)
{
    char cmd[4096], *out = NULL;
    snprintf(cmd, sizeof cmd, BIN " %s -o \"$D/one\"", args);
    int rc = test_run_in(dir, cmd, &out);
    if (rc != 0)
        fprintf(stderr, "\n  one process: %s\n", out ? out : "");
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    free(out);
    for (size_t t = 0; t < n; t++) {
        snprintf(cmd, sizeof cmd, "K=%d; for i in $(seq 1 $K); do " BIN
                 " %s --shard $i/$K -o \"$D/p$K\" || exit 9; done; "
                 "test $(ls -A \"$D/p$K\" | wc -l) -eq $((%d * K)) || exit 8; "
                 BIN " merge $(ls \"$D/p$K\"/*.ncgpart | sort -r) %s "
                 "-o \"$D/m$K\" && diff -r \"$D/one\" \"$D/m$K\"", ks[t], args,
                 parts, merge_args);
        out = NULL;
        rc = test_run_in(dir, cmd, &out);
        if (rc != 0)
            fprintf(stderr, "\n  K=%d (rc %d): %s\n", ks[t], rc,
                    out ? out : "");
        CU_ASSERT_EQUAL(rc, 0);
        free(out);
    }
    /* A shard computed again (the second of the last split) writes the
     * same bytes over its part. */
    snprintf(cmd, sizeof cmd, "K=%d; cp -r \"$D/p$K\" \"$D/again\" && " BIN
             " %s --shard 2/$K -o \"$D/p$K\" && diff -r \"$D/again\" "
             "\"$D/p$K\"", ks[n - 1], args);
    out = NULL;
    CU_ASSERT_EQUAL(test_run_in(dir, cmd, &out), 0);
    free(out);
}

static void test_merge__sweep_shards__equal_one_process_for_k_1_2_3_7(void)
{
    static const int ks[] = { 1, 2, 3, 7 };
    char *dir = test_tmpdir();
    /* The charts too: merge draws them from the merged cells. */
    shards_equal_one_process(dir, SWEEP, "-q", ks, 4, 1);
    test_rmrf(dir);
    free(dir);
}

/* Writes the small uncertain model (two random params, an event and a
 * state) and its outcomes file into DIR. */
static void write_unc(const char *dir)
{
    free(test_write(dir, "unc.cfg", TEST_UNC_CFG));
    free(test_write(dir, "outcomes.csv", TEST_UNC_OUTCOMES));
}

/* 3000 trials are three chunks of 1024, so 7 shards leave some empty. */
#define DISCOVER "discover \"$D/unc.cfg\" --case 'troops < 27500' " \
                 "-n 3000 --resample 3 -j 1 --no-plots"

static void test_merge__discover_shards__equal_one_process_for_k_1_2_3_7(void)
{
    static const int ks[] = { 1, 2, 3, 7 };
    char *dir = test_tmpdir();
    write_unc(dir);
    shards_equal_one_process(dir, DISCOVER, "-q --no-plots", ks, 4, 1);
    test_rmrf(dir);
    free(dir);
}

static char *merge_message(const char *dir, const char *args);

/* Two scenarios scored on the same questions, 3000 trials (three
 * chunks) each. */
#define SCORE "score \"$D/unc.cfg\" \"$D/unc2.cfg\" --outcomes " \
              "\"$D/outcomes.csv\" -n 3000 -j 1 -q --no-plots"
/* A conditioned backtest: every trial weighted by the record to 2025Q4. */
#define BACKTEST "score scenarios/examples/conditioning.cfg --outcomes " \
                 "scenarios/examples/outcomes.csv --as-of 2025Q4 -n 9000 " \
                 "-j 1 -q --no-plots"

static void test_merge__score_shards__equal_one_process_for_k_1_2_3_7(void)
{
    static const int ks[] = { 1, 2, 3, 7 };
    char *dir = test_tmpdir();
    write_unc(dir);
    free(test_write(dir, "unc2.cfg", "name = \"unc2\";\nextends = "
                    "\"unc.cfg\";\nparams = { cut = { dist = \"uniform\"; "
                    "min = 400.0; max = 900.0; }; };\n"));
    shards_equal_one_process(dir, SCORE, "-q --no-plots", ks, 4, 2);
    test_rmrf(dir);
    free(dir);
}

static void test_merge__conditioned_score_shards__equal_one_process(void)
{
    static const int ks[] = { 1, 2, 3, 7 };
    char *dir = test_tmpdir();
    shards_equal_one_process(dir, BACKTEST, "-q --no-plots", ks, 4, 1);
    test_rmrf(dir);
    free(dir);
}

/* A record no trial explains (no NCG meeting can happen, yet one did):
 * one process fails naming the observation; so does the merge of the
 * shards of a run or a backtest, naming the part (the scenario it loads
 * back is a temporary copy), and it writes nothing. */
static void test_merge__parts_of_a_record_no_trial_explains__are_refused(void)
{
    char *dir = test_tmpdir(), *out = NULL;
    int rc = test_run_in(dir, "for i in 1 2 3; do " BIN " " BACKTEST
                         " --set p_meeting=0 --shard $i/3 -o \"$D/s\" && "
                         BIN " run scenarios/examples/conditioning.cfg -n 9000 "
                         "-q --set p_meeting=0 --shard $i/3 -o \"$D/r\" || "
                         "exit 9; done", &out);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    free(out);
    static const struct { const char *args, *part; } cases[] = {
        { "s/*.ncgpart", "s/conditioning-score.part-3-of-3.ncgpart" },
        { "r/*.ncgpart", "r/conditioning-set-p_meeting-0.part-1-of-3.ncgpart" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char want[1024], *msg = merge_message(dir, cases[i].args);
        snprintf(want, sizeof want, "%s: in its scenario: observations[2] "
                 "(ncg_meeting at 2025Q4): no trial could explain it: every "
                 "trial gives it probability 0 (check its value and step "
                 "against the model)\nrc=1\n", cases[i].part);
        CU_ASSERT_STRING_EQUAL(msg ? msg : "", want);
        free(msg);
    }
    CU_ASSERT_EQUAL(test_run_in(dir, "test ! -e \"$D/out\"", NULL), 0);
    test_rmrf(dir);
    free(dir);
}

/* The output of `merge` run in $D on the parts ARGS names (paths under
 * $D, so that messages name them the same way every time), then "rc=N". */
static char *merge_message(const char *dir, const char *args)
{
    char cmd[4096], *out = NULL;
    snprintf(cmd, sizeof cmd, "b=$(readlink -f " BIN ") && cd \"$D\" && "
             "\"$b\" merge %s -q -o out; echo \"rc=$?\"", args);
    test_run_in(dir, cmd, &out);
    return out;
}

static void test_merge__bad_sets_of_sweep_parts__are_refused_naming_the_part(void)
{
    char *dir = test_tmpdir(), *out = NULL;
    int rc = test_run_in(dir, "for i in 1 2 3; do " BIN " " SWEEP
                         " --shard $i/3 -o \"$D/p\" || exit 9; done; " BIN
                         " run -q -n 600 "
                         "tests/data/golden/examples/quickstart.cfg "
                         "--shard 1/3 -o \"$D/r\" && mkdir \"$D/old\" && "
                         "cp \"$D/r\"/*.ncgpart \"$D/old\" && printf '\\001' "
                         "| dd of=\"$D/old/quickstart.part-1-of-3.ncgpart\" "
                         "bs=1 seek=8 conv=notrunc 2>/dev/null", &out);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    free(out);
    static const struct { const char *args, *msg; } cases[] = {
        { "p/quickstart-sweep.part-1-of-3.ncgpart "
          "p/quickstart-sweep.part-3-of-3.ncgpart",
          "missing part: shard 2 of 3 of scenario quickstart "
          "(quickstart-sweep.part-2-of-3.ncgpart)\nrc=4\n" },
        { "p/*.ncgpart r/quickstart.part-1-of-3.ncgpart",
          "r/quickstart.part-1-of-3.ncgpart: a part of `run`, but "
          "p/quickstart-sweep.part-1-of-3.ncgpart is a part of `sweep`\n"
          "rc=4\n" },
        { "r/quickstart.part-1-of-3.ncgpart p/*.ncgpart",
          "p/quickstart-sweep.part-1-of-3.ncgpart: a part of `sweep`, but "
          "r/quickstart.part-1-of-3.ncgpart is a part of `run`\nrc=4\n" },
        /* The format number of ncgsim 0.1 (chunks of 4096 trials). */
        { "old/quickstart.part-1-of-3.ncgpart",
          "old/quickstart.part-1-of-3.ncgpart: part format 1; this ncgsim "
          "(" NCGSIM_VERSION ") reads format 2: merge with the version that "
          "wrote it\nrc=4\n" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *msg = merge_message(dir, cases[i].args);
        CU_ASSERT_STRING_EQUAL(msg ? msg : "", cases[i].msg);
        free(msg);
    }
    /* Nothing was written by any refused merge. */
    rc = test_run_in(dir, "test ! -e \"$D/out\"", &out);
    CU_ASSERT_EQUAL(rc, 0);
    free(out);
    test_rmrf(dir);
    free(dir);
}

void test_merge_register(void);
void test_merge_register(void)
{
    static const test_case cases[] = {
        { "sweep --shard 1..K merged (K = 1, 2, 3, 7, parts out of order): "
          "the same folder, charts included, as one process",
          test_merge__sweep_shards__equal_one_process_for_k_1_2_3_7 },
        { "a missing sweep part, one mixed with a run part, or one of the "
          "previous part format is refused naming it", test_merge__bad_sets_of_sweep_parts__are_refused_naming_the_part },
        { "discover --shard 1..K merged (K = 1, 2, 3, 7): the same folder as "
          "one process", test_merge__discover_shards__equal_one_process_for_k_1_2_3_7 },
        { "score of two scenarios, --shard 1..K merged (K = 1, 2, 3, 7): the "
          "same folder as one process",
          test_merge__score_shards__equal_one_process_for_k_1_2_3_7 },
        { "score --as-of (conditioned trials), --shard 1..K merged: the same "
          "folder as one process",
          test_merge__conditioned_score_shards__equal_one_process },
        { "parts of a run or a backtest of a record no trial explains: the "
          "merge names the part and the observation, and writes nothing",
          test_merge__parts_of_a_record_no_trial_explains__are_refused },
    };
    TEST_SUITE("merge", cases);
}

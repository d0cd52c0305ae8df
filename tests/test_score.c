/* test_score.c: outcomes files, forecasts from probes against closed forms, Brier and log scores, the score command, reruns of conditioned scenarios. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/score.h"
#include "base/ncgsim.h"
#include "model/model.h"
#include "model/observe.h"
#include "run/engine.h"
#include "scenario/scenario.h"
#include "testutil.h"

/* The binary under test: NCGSIM_BIN (e.g. the sanitizer build) when set,
 * expanded by the shell that test_run starts; else ./ncgsim beside the
 * suite (make test runs it from the repository root). */
#define BIN "\"${NCGSIM_BIN:-./ncgsim}\""

static void test_score__brier_and_log__match_their_definitions(void)
{
    CU_ASSERT_DOUBLE_EQUAL(score_brier(0.7, 1), 0.09, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(score_brier(0.7, 0), 0.49, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(score_log(0.7, 1), -log(0.7), 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(score_log(0.7, 0), -log(0.3), 1e-15);
    /* Clipped: a certain miss costs -log(1e-6), not infinity. */
    CU_ASSERT_DOUBLE_EQUAL(score_log(0.0, 1), -log(1e-6), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(score_log(1.0, 0), -log(1e-6), 1e-9);
}

/* Forecasts from probes: a recurrent event with p = 0.3 is 1 at some
 * step of 1 .. 3 with probability 1 - 0.7^3; a state s = t exceeds 2.5 at
 * step 3 surely; with --as-of 1, the question about step 1 is not scored
 * and the window starts at step 2: 1 - 0.7^2. 4.5 standard errors. */
static void test_score__probes__match_closed_forms(void)
{
    char *dir = test_tmpdir();
    char *cfg = test_write(dir, "m.cfg",
        "simulation = { steps = 4; trials = 20000; seed = 9; };\n"
        "events = { e = { p = \"0.3\"; kind = \"recurrent\"; }; };\n"
        "states = { s = { init = \"0\"; next = \"s + 1\"; }; };\n");
    char *csv = test_write(dir, "o.csv",
        "# a comment line\n"
        "id,var,at,through,op,threshold,outcome,question\n"
        "q1,e,,3,,,1,\"any e by 3, with a comma\"\n"
        "q2,s,3,,>,2.5,1,\n"
        "q3,e,1,,,,0,\n");
    diag *d = diag_alloc();
    score_outcomes *o = NULL;
    scenario *sc = NULL;
    model *m = NULL;
    engine_result *res = NULL;
    engine_probe pr[3];
    int use[3];
    scenario_opts so = { 0 };
    engine_opts eo = { .threads = 2 };
    CU_ASSERT_FATAL(score_outcomes_read(csv, &o, d) == 0);
    CU_ASSERT_EQUAL(score_outcomes_count(o), 3);
    CU_ASSERT_STRING_EQUAL(score_outcomes_get(o, 0)->question,
                           "any e by 3, with a comma");
    CU_ASSERT_FATAL(model_load(cfg, &so, &sc, &m, d) == 0);
    CU_ASSERT_FATAL(score_probes(o, m, UINT32_MAX, pr, use, d) == 0);
    CU_ASSERT_FATAL(engine_run_probed(&m, 1, &eo, pr, 3, &res, d) == 0);
    double p1 = 1 - 0.7 * 0.7 * 0.7;
    ASSERT_WITHIN_SE(res->probe_p[0], p1, sqrt(p1 * (1 - p1) / 20000), 4.5);
    CU_ASSERT_EQUAL(res->probe_p[1], 1.0);
    ASSERT_WITHIN_SE(res->probe_p[2], 0.3, sqrt(0.21 / 20000), 4.5);
    engine_result_free(res);
    res = NULL;
    CU_ASSERT_FATAL(score_probes(o, m, 1, pr, use, d) == 0);
    CU_ASSERT(use[0] && use[1] && !use[2]);
    CU_ASSERT_EQUAL(pr[0].from, 2);
    CU_ASSERT_FATAL(engine_run_probed(&m, 1, &eo, pr, 3, &res, d) == 0);
    double p2 = 1 - 0.7 * 0.7;
    ASSERT_WITHIN_SE(res->probe_p[0], p2, sqrt(p2 * (1 - p2) / 20000), 4.5);
    engine_result_free(res);
    model_free(m);
    scenario_free(sc);
    score_outcomes_free(o);
    diag_free(d);
    free(cfg);
    free(csv);
    test_rmrf(dir);
    free(dir);
}

/* Bad outcomes files: every problem, with file, line and column. */
static void test_score__bad_outcomes__are_reported_with_line_and_column(void)
{
    char *dir = test_tmpdir();
    char *csv = test_write(dir, "o.csv",
        "id,var,at,through,op,threshold,outcome,base_rate\n"
        "a b,e,1,,,,1,\n"
        "q2,e,1,2,,,1,\n"
        "q3,e,1,,,,2,\n"
        "q4,e,1,,~,1,1,1.5\n"
        "q4,e,1,,,,1,\n");
    diag *d = diag_alloc();
    score_outcomes *o = NULL;
    char want[8][256];
    CU_ASSERT_EQUAL(score_outcomes_read(csv, &o, d), NCG_EXIT_SCENARIO);
    CU_ASSERT_PTR_NULL(o);
    snprintf(want[0], 256, "%s:2: id: 'a b' is not an id (letters, digits, '_', '.' and '-')", csv);
    snprintf(want[1], 256, "%s:3: through: give 'at' (one step) or 'through' (an event, by then), exactly one", csv);
    snprintf(want[2], 256, "%s:4: outcome: '2': what happened is 0 or 1", csv);
    snprintf(want[3], 256, "%s:5: base_rate: '1.5' is not a probability (0 .. 1)", csv);
    snprintf(want[4], 256, "%s:5: op: '~': expected <, <=, > or >=", csv);
    snprintf(want[5], 256, "%s:6: id: 'q4' is also the id of line 5", csv);
    CU_ASSERT_EQUAL_FATAL(diag_count(d), 6);
    for (size_t i = 0; i < 6; i++)
        CU_ASSERT_STRING_EQUAL(diag_get(d, i), want[i]);
    diag_free(d);
    free(csv);
    test_rmrf(dir);
    free(dir);
}

/* The shipped example end to end: `score` writes its files and chart;
 * rerunning a conditioned run's resolved.cfg reproduces every file byte
 * for byte with another thread count. */
static void test_score__example__scores_and_reruns_byte_for_byte(void)
{
    char *dir = test_tmpdir(), *out = NULL, cmd[2048];
    snprintf(cmd, sizeof cmd,
             BIN " score scenarios/examples/conditioning.cfg --outcomes "
             "scenarios/examples/outcomes.csv --as-of 2025Q4 -n 4000 -q "
             "-o %s && test -s %s/score/score.csv && test -s "
             "%s/score/score_summary.csv && test -s %s/score/reliability.csv",
             dir, dir, dir, dir);
    int rc = test_run(cmd, &out);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc != 0 && out)
        fprintf(stderr, "%s\n", out);
    free(out);
    snprintf(cmd, sizeof cmd,
             BIN " run -q --no-plots -n 8000 -j 1 -o %s/a "
             "scenarios/examples/conditioning.cfg && " BIN " run -q "
             "--no-plots -j 3 -o %s/b %s/a/conditioning/resolved.cfg && "
             "test -s %s/a/conditioning/posterior.csv && "
             "diff -r %s/a/conditioning %s/b/conditioning",
             dir, dir, dir, dir, dir, dir);
    rc = test_run(cmd, &out);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc != 0 && out)
        fprintf(stderr, "%s\n", out);
    free(out);
    test_rmrf(dir);
    free(dir);
}

/* A child's observations replace its parent's (lists are not merged). */
static void test_score__extends__child_observations_replace_parents(void)
{
    char *dir = test_tmpdir();
    char *parent = test_write(dir, "p.cfg",
        "simulation = { steps = 3; trials = 10; };\n"
        "events = { e = { p = \"0.5\"; kind = \"recurrent\"; }; };\n"
        "observations = ( { var = \"e\"; at = 1; value = 1; },\n"
        "  { var = \"e\"; at = 2; value = 1; } );\n");
    char *child = test_write(dir, "c.cfg",
        "extends = \"p.cfg\";\n"
        "observations = ( { var = \"e\"; at = 3; value = 0; } );\n");
    diag *d = diag_alloc();
    scenario_opts so = { 0 };
    scenario *sc;
    model *m;
    CU_ASSERT_FATAL(model_load(child, &so, &sc, &m, d) == 0);
    CU_ASSERT_EQUAL(m->obs->n_items, 1);
    CU_ASSERT_EQUAL(m->obs->items[0].to, 3);
    model_free(m);
    scenario_free(sc);
    diag_free(d);
    free(parent);
    free(child);
    test_rmrf(dir);
    free(dir);
}

void test_score_register(void);
void test_score_register(void)
{
    static const test_case cases[] = {
        { "Brier and log scores match their definitions", test_score__brier_and_log__match_their_definitions },
        { "probes match closed forms", test_score__probes__match_closed_forms },
        { "bad outcomes are reported with line and column", test_score__bad_outcomes__are_reported_with_line_and_column },
        { "the example scores and reruns byte for byte", test_score__example__scores_and_reruns_byte_for_byte },
        { "a child's observations replace its parent's", test_score__extends__child_observations_replace_parents },
    };
    TEST_SUITE("score", cases);
}

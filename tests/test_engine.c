/* test_engine.c: whole models against closed-form answers, order, threads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "run/engine.h"
#include "model/model.h"
#include "base/ncgsim.h"
#include "io/output.h"
#include "scenario/scenario.h"
#include "testutil.h"

typedef test_ran ran;

static double mean_at(const ran *x, const char *name, uint32_t t, double *se)
{
    double mean, s;
    output_mean_se(x->r, test_ran_output(x, name), t, &mean, &s);
    if (se)
        *se = s;
    return mean;
}

/* The probability that an event is 1 at step T, checked against EXPECTED
 * within 4 standard errors of a proportion (a false alarm about once in
 * 16000 runs; the seeds are fixed, so in practice never). */
static void check_prob(const ran *x, const char *name, uint32_t t,
                       double expected)
{
    double n = (double)x->r->trials;
    double se = sqrt(expected * (1 - expected) / n);
    ASSERT_WITHIN_SE(mean_at(x, name, t, NULL), expected, se, 4);
}

static void test_engine__absorbing_event__matches_geometric_law(void)
{
    ran x;
    CU_ASSERT_FATAL(test_ran_text(&x, "simulation = { trials = 20000; steps = 10; };\n"
                             "events = { e = { p = \"0.1\"; }; };\n", 2) == 0);
    for (uint32_t t = 0; t <= 10; t++)
        check_prob(&x, "e", t, 1 - pow(0.9, t));
    test_ran_free(&x);
}

static void test_engine__recurrent_event__is_independent_each_step(void)
{
    ran x;
    CU_ASSERT_FATAL(test_ran_text(&x, "simulation = { trials = 20000; steps = 6; };\n"
                             "events = { e = { p = \"0.3\"; kind = \"recurrent\"; }; };\n",
                             2) == 0);
    size_t o = test_ran_output(&x, "e");
    check_prob(&x, "e", 6, 0.3);
    /* Ever in 6 steps, and the number of occurrences: binomial(6, 0.3). */
    double never = (double)x.r->first[o * 8 + 7] / 20000.0;
    ASSERT_WITHIN_SE(1 - never, 1 - pow(0.7, 6),
                     sqrt(pow(0.7, 6) * (1 - pow(0.7, 6)) / 20000), 4);
    double cm = 0;
    for (int c = 0; c <= 6; c++)
        cm += c * (double)x.r->count[o * 7 + (size_t)c] / 20000.0;
    ASSERT_WITHIN_SE(cm, 1.8, sqrt(6 * 0.3 * 0.7 / 20000), 4);
    test_ran_free(&x);
}

static void test_engine__switch_event__follows_two_state_chain(void)
{
    ran x;
    CU_ASSERT_FATAL(test_ran_text(&x, "simulation = { trials = 20000; steps = 8; };\n"
                             "events = { e = { p = \"0.2\"; kind = \"switch\"; "
                             "recover = \"0.5\"; init = \"1\"; }; };\n", 2) == 0);
    /* P(1 at t) = pi + (P0 - pi) (1 - p - r)^t with pi = p / (p + r). */
    double pi = 0.2 / 0.7;
    for (uint32_t t = 0; t <= 8; t++)
        check_prob(&x, "e", t, pi + (1 - pi) * pow(0.3, t));
    test_ran_free(&x);
}

static void test_engine__init_probability__sets_the_starting_share(void)
{
    ran x;
    CU_ASSERT_FATAL(test_ran_text(&x, "simulation = { trials = 20000; steps = 3; };\n"
                             "params = { q = 0.3; };\n"
                             "events = { e = { p = \"0\"; init = \"q\"; }; };\n",
                             1) == 0);
    check_prob(&x, "e", 0, 0.3);
    check_prob(&x, "e", 3, 0.3);
    test_ran_free(&x);
}

static void test_engine__reference_model__matches_closed_form(void)
{
    ran x;
    CU_ASSERT_FATAL(test_ran_text(&x,
        "simulation = { trials = 40000; steps = 16; seed = 12345; };\n"
        "params = { p_trump = { dist = \"beta\"; a = 8.0; b = 2.0; }; };\n"
        "events = { trump = { p = \"0\"; init = \"p_trump\"; };\n"
        "  ncg_dead = { p = \"0.01 + 0.05 * trump\"; }; };\n"
        "derived = { cut = \"(trump and bernoulli(0.08)) ? lognormal(3000, 0.4) : 0\"; };\n"
        "states = { troops = { init = \"28500\"; next = \"max(0, troops - cut)\"; };\n"
        "  cred = { init = \"70\"; next = \"clamp(cred + 0.5 * (ncg_dead ? -4 : 1)"
        " - cut / 1000 + normal(0, 1.5), 0, 100)\"; }; };\n", 2) == 0);
    double alive = 0.8 * pow(0.94, 16) + 0.2 * pow(0.99, 16);
    check_prob(&x, "ncg_dead", 16, 1 - alive);
    check_prob(&x, "trump", 16, 0.8);
    /* Expected troops: each sceptic quarter removes 0.08 * 3000 e^(0.4^2/2)
     * on average (the floor at 0 is never reached in 16 quarters). */
    double se;
    double troops = mean_at(&x, "troops", 16, &se);
    ASSERT_WITHIN_SE(troops, 28500 - 0.8 * 16 * 0.08 * 3000 * exp(0.08), se, 4);
    test_ran_free(&x);
}

static void test_engine__states__clamp_after_every_step_but_not_at_init(void)
{
    ran x;
    CU_ASSERT_FATAL(test_ran_text(&x, "simulation = { trials = 300; steps = 4; };\n"
                             "states = { s = { init = \"50\"; next = \"s + 10\"; "
                             "max = 35.0; }; };\n", 1) == 0);
    CU_ASSERT_DOUBLE_EQUAL(mean_at(&x, "s", 0, NULL), 50, 0);
    CU_ASSERT_DOUBLE_EQUAL(mean_at(&x, "s", 1, NULL), 35, 0);
    CU_ASSERT_DOUBLE_EQUAL(mean_at(&x, "s", 4, NULL), 35, 0);
    test_ran_free(&x);
}

static void test_engine__same_step_references__follow_dependency_order(void)
{
    ran x;
    /* a is written before what it reads; prev() and a state's own name in
     * next read t - 1; at t = 0 prev(x) is x itself. */
    CU_ASSERT_FATAL(test_ran_text(&x, "simulation = { trials = 10; steps = 5; };\n"
                             "derived = { a = \"b + 1\"; b = \"s * 2\"; "
                             "lag = \"prev(s)\"; tt = \"t + T\"; };\n"
                             "states = { s = { init = \"1\"; next = \"s + 1\"; }; };\n",
                             1) == 0);
    CU_ASSERT_DOUBLE_EQUAL(mean_at(&x, "a", 5, NULL), 13, 0);
    CU_ASSERT_DOUBLE_EQUAL(mean_at(&x, "lag", 5, NULL), 5, 0);
    CU_ASSERT_DOUBLE_EQUAL(mean_at(&x, "lag", 0, NULL), 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(mean_at(&x, "a", 0, NULL), 3, 0);
    CU_ASSERT_DOUBLE_EQUAL(mean_at(&x, "tt", 2, NULL), 7, 0);
    test_ran_free(&x);
}

static void test_engine__nan__names_variable_step_and_trial(void)
{
    ran x;
    CU_ASSERT_EQUAL(test_ran_text(&x, "simulation = { trials = 1000; steps = 5; "
                             "step = \"quarter\"; start = \"2025Q1\"; };\n"
                             "derived = { x = \"t < 3 ? 1 : log(uniform(-1, 0))\"; };\n",
                             2), NCG_EXIT_RUN);
    CU_ASSERT_EQUAL(diag_count(x.d), 1);
    const char *want = "value is NaN at step 3 (2025Q3) in trial 1 (look for "
                       "log or sqrt of a negative number, division by zero, or "
                       "a random function with an invalid argument)";
    const char *got = diag_get(x.d, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, ": derived.x: "));
    CU_ASSERT_STRING_EQUAL(strstr(got, "value is"), want);
    test_ran_free(&x);
}

/* The pilot runs on every thread a block at a time: a value that fails in
 * a few scattered trials (the first in block 8 under this seed) is
 * reported for the same, first failing trial whatever the thread count. */
static void test_engine__nan_in_the_pilot__same_message_for_any_threads(void)
{
    const char *text = "simulation = { trials = 4000; steps = 4; seed = 6; };\n"
                       "derived = { x = \"uniform(0, 1) < 0.0001 ? "
                       "log(-1) : 1\"; };\n";
    char first[1024] = "";
    for (int threads = 1; threads <= 3; threads++) {
        ran x;
        CU_ASSERT_EQUAL(test_ran_text(&x, text, threads), NCG_EXIT_RUN);
        CU_ASSERT_EQUAL_FATAL(diag_count(x.d), 1);
        const char *got = strstr(diag_get(x.d, 0), "value is NaN");
        CU_ASSERT_PTR_NOT_NULL_FATAL(got);
        if (threads == 1)
            snprintf(first, sizeof first, "%s", got);
        else
            CU_ASSERT_STRING_EQUAL(got, first);
        test_ran_free(&x);
    }
}

static void test_engine__infinity__stops_the_run(void)
{
    ran x;
    CU_ASSERT_EQUAL(test_ran_text(&x, "simulation = { trials = 50; steps = 2; };\n"
                             "states = { s = { init = \"1\"; next = \"s / (t - 2)\"; }; };\n",
                             1), NCG_EXIT_RUN);
    CU_ASSERT_PTR_NOT_NULL(strstr(diag_get(x.d, 0), "value is -infinity at "
                                  "step 2 in trial 1"));
    test_ran_free(&x);
}

/* Every summary of two runs, compared bit for bit. */
/* 1 when moments A and B have the same bits in every field (a memcmp of
 * the structs would also compare their padding). */
static int same_moments(const stats_moments *a, const stats_moments *b)
{
    const double da[] = { a->mean, a->m2, a->min, a->max, a->sw, a->sw2 };
    const double db[] = { b->mean, b->m2, b->min, b->max, b->sw, b->sw2 };
    return a->n == b->n && a->weighted == b->weighted
           && memcmp(da, db, sizeof da) == 0;
}

static int same_results(const engine_result *a, const engine_result *b)
{
    const model *m = a->m;
    size_t cells = m->n_outputs * (a->steps + 1);
    for (size_t c = 0; c < cells; c++)
        if (!same_moments(&a->mom[c], &b->mom[c]))
            return 0;
    if (memcmp(a->ones, b->ones, cells * sizeof *a->ones) != 0
        || memcmp(a->clamped, b->clamped, m->n_vars * sizeof *a->clamped) != 0)
        return 0;
    for (size_t c = 0; c < cells; c++)
        if (a->hist[c]) {
            for (double p = 0; p <= 1.0; p += 0.05)
                if (stats_hist_quantile(a->hist[c], p)
                    != stats_hist_quantile(b->hist[c], p))
                    return 0;
        }
    return 1;
}

static const char *threaded_model =
    "simulation = { trials = 70001; steps = 6; seed = 7; };\n"
    "params = { g = { dist = \"gamma\"; shape = 2.0; scale = 3.0; }; };\n"
    "events = { e = { p = \"1.2 - g / 10\"; kind = \"recurrent\"; }; };\n"
    "states = { s = { init = \"g\"; next = \"s + normal(0, 1) * e\"; }; };\n";

static void test_engine__threads__give_identical_results(void)
{
    ran one, two;
    CU_ASSERT_FATAL(test_ran_text(&one, threaded_model, 1) == 0);
    CU_ASSERT_FATAL(test_ran_text(&two, threaded_model, 2) == 0);
    CU_ASSERT_TRUE(same_results(one.r, two.r));
    /* Probabilities above 1 were clamped, and counted the same way. */
    CU_ASSERT_TRUE(one.r->clamped[1] > 0);
    CU_ASSERT_EQUAL(one.r->clamped[1], two.r->clamped[1]);
    test_ran_free(&one);
    test_ran_free(&two);
}

/* A model built from scenario TEXT, for engine_run with options of a
 * test's own. */
typedef struct built {
    diag *d;
    scenario *sc;
    model *m;
    char *dir;
} built;

static int built_text(built *b, const char *text)
{
    scenario_opts so = { 0 };
    b->d = diag_alloc();
    b->sc = NULL;
    b->m = NULL;
    b->dir = test_tmpdir();
    char *path = test_write(b->dir, "model.cfg", text);
    int rc = scenario_load(path, &so, &b->sc, b->d) == 0
             && model_build(b->sc, &b->m, b->d) == 0 ? 0 : -1;
    free(path);
    return rc;
}

static void built_free(built *b)
{
    model_free(b->m);
    scenario_free(b->sc);
    diag_free(b->d);
    test_rmrf(b->dir);
    free(b->dir);
}

/* A run whose first chunk is slow: its draws wait 2 ms a block, so other
 * threads finish later chunks first and park them. Draws depend only on
 * the trial; the rows must still arrive in trial order. */
typedef struct slow_run {
    uint64_t next;      /* the trial the next rows must start at */
    int out_of_order;   /* rows came out of trial order */
    int wrong_value;    /* a row's param is not its trial's draw */
} slow_run;

static double slow_value(uint64_t trial)
{
    return (double)(trial % 1000) / 1000.0;
}

static void slow_draw(void *ctx, size_t which, size_t j, uint64_t trial0,
                      size_t lanes, double *out)
{
    (void)ctx;
    (void)which;
    (void)j;
    if (trial0 < ENGINE_CHUNK_TRIALS) {
        struct timespec nap = { 0, 2000000 };
        nanosleep(&nap, NULL);
    }
    for (size_t l = 0; l < lanes; l++)
        out[l] = slow_value(trial0 + l);
}

static int slow_rows(void *ctx, size_t which, uint64_t trial0, size_t n,
                     size_t cols, const double *rows)
{
    slow_run *s = ctx;
    (void)which;
    s->out_of_order |= trial0 != s->next;
    for (size_t l = 0; l < n; l++)
        s->wrong_value |= rows[l * cols] != slow_value(trial0 + l);
    s->next = trial0 + n;
    return 0;
}

static void test_engine__chunks_finished_out_of_turn__commit_in_order(void)
{
    built b;
    CU_ASSERT_FATAL(built_text(&b,
        "simulation = { trials = 41000; steps = 3; seed = 5; };\n"
        "params = { u = { dist = \"uniform\"; min = 0.0; max = 1.0; }; };\n"
        "states = { s = { init = \"u\"; next = \"s + normal(u, 1)\"; }; };\n")
        == 0);
    engine_result *res[4] = { NULL };
    slow_run runs[4] = { { 0 } };
    for (int t = 0; t < 4; t++) {
        engine_opts eo = { .threads = t + 1, .draw = slow_draw,
                           .rows = slow_rows, .rows_ctx = &runs[t] };
        CU_ASSERT_FATAL(engine_run(&b.m, 1, &eo, &res[t], b.d) == 0);
        CU_ASSERT_FALSE(runs[t].out_of_order);
        CU_ASSERT_FALSE(runs[t].wrong_value);
        CU_ASSERT_EQUAL(runs[t].next, 41000);
        if (t > 0)
            CU_ASSERT_TRUE(same_results(res[0], res[t]));
    }
    for (int t = 0; t < 4; t++)
        engine_result_free(res[t]);
    built_free(&b);
}

/* The rows of a one-chunk run, as the engine hands them over. */
typedef struct kept_rows {
    size_t cols, n;
    double v[300 * 8];
} kept_rows;

static int keep_rows(void *ctx, size_t which, uint64_t trial0, size_t n,
                     size_t cols, const double *rows)
{
    kept_rows *k = ctx;
    (void)which;
    if (trial0 != 0 || n * cols > sizeof k->v / sizeof *k->v)
        return -1;
    k->cols = cols;
    k->n = n;
    memcpy(k->v, rows, n * cols * sizeof *rows);
    return 0;
}

static void test_engine__row_columns__keep_the_chosen_ones_in_order(void)
{
    built b;
    CU_ASSERT_FATAL(built_text(&b,
        "simulation = { trials = 300; steps = 4; seed = 3; };\n"
        "params = { a = { dist = \"uniform\"; min = 0.0; max = 1.0; };\n"
        "           b = 2.0; };\n"
        "events = { e = { p = \"a / 2\"; kind = \"recurrent\"; }; };\n"
        "states = { s = { init = \"b\"; next = \"s + normal(a, 1)\"; }; };\n")
        == 0);
    static kept_rows all, some;
    /* Columns: a, b, then the outputs, then e's ever flag: pick the last,
     * the first and the third, in that order. */
    engine_result *res = NULL;
    engine_opts eo = { .threads = 1, .rows = keep_rows, .rows_ctx = &all };
    CU_ASSERT_FATAL(engine_run(&b.m, 1, &eo, &res, b.d) == 0);
    engine_result_free(res);
    CU_ASSERT_FATAL(all.n == 300 && all.cols >= 4);
    size_t pick[3] = { all.cols - 1, 0, 2 }, n_pick = 3;
    const size_t *picks[1] = { pick };
    eo.rows_ctx = &some;
    eo.row_cols = picks;
    eo.n_row_cols = &n_pick;
    CU_ASSERT_FATAL(engine_run(&b.m, 1, &eo, &res, b.d) == 0);
    engine_result_free(res);
    CU_ASSERT_EQUAL(some.cols, 3);
    CU_ASSERT_EQUAL(some.n, 300);
    int same = 1;
    for (size_t l = 0; l < 300; l++)
        for (size_t p = 0; p < 3; p++)
            same &= some.v[l * 3 + p] == all.v[l * all.cols + pick[p]];
    CU_ASSERT_TRUE(same);
    built_free(&b);
}

static void test_engine__lockstep_pairs__narrow_the_difference(void)
{
    /* Two scenarios that share the source `shock` differ by exactly 1, so
     * the paired difference has no spread while each mean has sd 10. */
    char *dir = test_tmpdir();
    diag *d = diag_alloc();
    scenario_opts so = { 0 };
    scenario *sa = NULL, *sb = NULL;
    model *ma = NULL, *mb = NULL;
    char *pa = test_write(dir, "a.cfg", "simulation = { trials = 5000; steps = 2; };\n"
                          "derived = { y = \"normal(0, 10)\"; };\n");
    char *pb = test_write(dir, "b.cfg", "simulation = { trials = 5000; steps = 2; };\n"
                          "derived = { y = \"normal(0, 10) + 1\"; };\n");
    CU_ASSERT_FATAL(scenario_load(pa, &so, &sa, d) == 0 && model_build(sa, &ma, d) == 0);
    CU_ASSERT_FATAL(scenario_load(pb, &so, &sb, d) == 0 && model_build(sb, &mb, d) == 0);
    model *ms[2] = { ma, mb };
    engine_result *res[2];
    engine_opts eo = { .threads = 2 };
    CU_ASSERT_FATAL(engine_run(ms, 2, &eo, res, d) == 0);
    CU_ASSERT_EQUAL(res[1]->diff_ref[0], 0);
    CU_ASSERT_DOUBLE_EQUAL(res[1]->diff[0].mean, 1.0, 1e-9);
    CU_ASSERT_TRUE(stats_moments_se(&res[1]->diff[0]) < 1e-9);
    CU_ASSERT_TRUE(stats_moments_se(&res[0]->mom[2]) > 0.1);
    engine_result_free(res[0]);
    engine_result_free(res[1]);
    model_free(ma);
    model_free(mb);
    scenario_free(sa);
    scenario_free(sb);
    diag_free(d);
    free(pa);
    free(pb);
    test_rmrf(dir);
    free(dir);
}

static void test_engine__samplers__agree_on_a_uniform_mean(void)
{
    static const char *const kinds[] = { "mc", "lhs", "sobol" };
    for (int k = 0; k < 3; k++) {
        char text[512];
        ran x;
        snprintf(text, sizeof text,
                 "simulation = { trials = 4096; steps = 1; sampler = \"%s\"; };\n"
                 "params = { u = { dist = \"uniform\"; min = 0.0; max = 1.0; }; };\n"
                 "derived = { y = \"u\"; };\n", kinds[k]);
        CU_ASSERT_FATAL(test_ran_text(&x, text, 1) == 0);
        /* mc: 4 se of a uniform mean; lhs and sobol are far tighter. */
        double tol = k == 0 ? 4 * sqrt(1.0 / 12 / 4096) : 1e-3;
        CU_ASSERT_DOUBLE_EQUAL(mean_at(&x, "y", 1, NULL), 0.5, tol);
        test_ran_free(&x);
    }
}

void test_engine_register(void);
void test_engine_register(void)
{
    static const test_case cases[] = {
        { "absorbing event matches the geometric law", test_engine__absorbing_event__matches_geometric_law },
        { "recurrent event is independent each step", test_engine__recurrent_event__is_independent_each_step },
        { "switch event follows the two-state chain", test_engine__switch_event__follows_two_state_chain },
        { "init probability sets the starting share", test_engine__init_probability__sets_the_starting_share },
        { "reference model matches its closed form", test_engine__reference_model__matches_closed_form },
        { "states clamp after every step, not at init", test_engine__states__clamp_after_every_step_but_not_at_init },
        { "same-step references follow dependency order", test_engine__same_step_references__follow_dependency_order },
        { "NaN names variable, step and trial", test_engine__nan__names_variable_step_and_trial },
        { "NaN in the pilot: same message for any threads",
          test_engine__nan_in_the_pilot__same_message_for_any_threads },
        { "infinity stops the run", test_engine__infinity__stops_the_run },
        { "threads give identical results", test_engine__threads__give_identical_results },
        { "chunks finished out of turn commit in order",
          test_engine__chunks_finished_out_of_turn__commit_in_order },
        { "row columns keep the chosen ones in order",
          test_engine__row_columns__keep_the_chosen_ones_in_order },
        { "lockstep pairs narrow the difference", test_engine__lockstep_pairs__narrow_the_difference },
        { "samplers agree on a uniform mean", test_engine__samplers__agree_on_a_uniform_mean },
    };
    TEST_SUITE("engine", cases);
}

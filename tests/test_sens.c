/* test_sens.c: sensitivity on models with known answers: Sobol indices, tornado swings, rank correlations. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ncgsim.h"
#include "sens.h"
#include "testutil.h"

/* Y = 1 x1 + 2 x2 + 0 x3 with independent x1 ~ N(0, 1), x2 ~ U(0, 1)
 * (variance 1/12) and x3 ~ N(0, 1), which Y does not read. Var Y = 1 + 4/12
 * = 4/3, so S1 = ST = 0.75 for x1, 0.25 for x2 and 0 for x3. */
static const char LINEAR[] =
    "simulation = { trials = 8192; steps = 1; seed = 7; };\n"
    "params = {\n"
    "  x1 = { dist = \"normal\"; mean = 0.0; sd = 1.0; };\n"
    "  x2 = { dist = \"uniform\"; min = 0.0; max = 1.0; };\n"
    "  x3 = { dist = \"normal\"; mean = 5.0; sd = 2.0; };\n"
    "  unused = 3.0;\n"
    "};\n"
    "derived = { y = \"x1 + 2 * x2 + 0 * x3\"; };\n"
    "events = { e = { p = \"x2\"; kind = \"recurrent\"; }; };\n";

typedef struct fixture {
    char *dir;
    char *path;
    diag *d;
    sens_result *r;
    int rc;
} fixture;

static int analyse(fixture *f, const char *text, const char *const *outs,
                   size_t n_outs)
{
    memset(f, 0, sizeof *f);
    f->dir = test_tmpdir();
    f->path = test_write(f->dir, "m.cfg", text);
    f->d = diag_alloc();
    sens_opts o = { 0 };
    o.path = f->path;
    o.outputs = outs;
    o.n_outputs = n_outs;
    o.threads = 2;
    f->rc = sens_run(&o, &f->r, f->d);
    if (f->rc != 0)
        diag_print(f->d, stderr);
    return f->rc;
}

static void fixture_free(fixture *f)
{
    sens_result_free(f->r);
    diag_free(f->d);
    test_rmrf(f->dir);
    free(f->dir);
    free(f->path);
}

/* The row of output Q for the random param called NAME. */
static const sens_row *row_of(const fixture *f, size_t q, const char *name)
{
    for (size_t j = 0; j < f->r->d; j++)
        if (strcmp(f->r->m->vars[f->r->m->random_params[j]].name, name) == 0)
            return &f->r->rows[q * f->r->d + j];
    CU_FAIL_FATAL("no such param");
    return NULL;
}

static void test_sens__linear_model__sobol_indices_match_closed_form(void)
{
    static const char *const outs[] = { "y" };
    static const struct { const char *name; double s; } want[] = {
        { "x1", 0.75 }, { "x2", 0.25 }, { "x3", 0.0 },
    };
    fixture f;
    CU_ASSERT_FATAL(analyse(&f, LINEAR, outs, 1) == 0);
    CU_ASSERT_EQUAL(f.r->d, 3);
    for (size_t i = 0; i < 3; i++) {
        const sens_row *w = row_of(&f, 0, want[i].name);
        /* The bootstrap intervals are 95%: the truth lies inside them (the
         * seed is fixed), and they are narrow enough to mean something. */
        CU_ASSERT(w->s1_lo <= want[i].s && want[i].s <= w->s1_hi);
        CU_ASSERT(w->st_lo <= want[i].s && want[i].s <= w->st_hi);
        CU_ASSERT(w->s1_hi - w->s1_lo < 0.1);
        CU_ASSERT(w->st_hi - w->st_lo < 0.1);
    }
    /* Y does not read x3: every A and AB_3 row give the same Y. */
    CU_ASSERT_EQUAL(row_of(&f, 0, "x3")->st, 0.0);
    CU_ASSERT_EQUAL(row_of(&f, 0, "x1")->rank, 1);
    CU_ASSERT_EQUAL(row_of(&f, 0, "x2")->rank, 2);
    CU_ASSERT_EQUAL(row_of(&f, 0, "x3")->rank, 3);
    fixture_free(&f);
}

static void test_sens__linear_model__tornado_swing_is_slope_times_spread(void)
{
    static const char *const outs[] = { "y" };
    fixture f;
    CU_ASSERT_FATAL(analyse(&f, LINEAR, outs, 1) == 0);
    /* Y is linear and deterministic given the params, so holding x1 at
     * its p10 moves each trial's y by x1_p10 - x1, of mean x1_p10. */
    const sens_row *x1 = row_of(&f, 0, "x1");
    CU_ASSERT_DOUBLE_EQUAL(x1->x_low, -1.2815515655446004, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(x1->x_high, 1.2815515655446004, 1e-9);
    /* Swing = y(x1 = p90) - y(x1 = p10) = 2.563 in every trial: se 0. */
    CU_ASSERT_DOUBLE_EQUAL(x1->swing, 2 * 1.2815515655446004, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(x1->swing_hi - x1->swing_lo, 0.0, 1e-9);
    const sens_row *x2 = row_of(&f, 0, "x2");
    CU_ASSERT_DOUBLE_EQUAL(x2->swing, 2 * 0.8, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(row_of(&f, 0, "x3")->swing, 0.0, 1e-12);
    /* Low: E[x1_p10 - x1] = -1.2816 with sd 1 over 8192 trials; the
     * interval is paired and must hold the truth (4 se). */
    ASSERT_WITHIN_SE(x1->low, -1.2815515655446004, 1 / sqrt(8192.0), 4);
    fixture_free(&f);
}

static void test_sens__rank_correlation__matches_normal_theory(void)
{
    static const char *const outs[] = { "y" };
    fixture f;
    CU_ASSERT_FATAL(analyse(&f, LINEAR, outs, 1) == 0);
    /* For a bivariate normal with Pearson r, Spearman is (6/pi) asin(r/2).
     * y = x1 + 2 x2 is nearly normal (x2's share is a quarter): r = sqrt(0.75)
     * gives 0.8503; the Fisher interval at n = 8192 is about +-0.006, and
     * x2's uniform shape moves the truth by less than 0.01. */
    const sens_row *x1 = row_of(&f, 0, "x1");
    CU_ASSERT_DOUBLE_EQUAL(x1->spearman, 6 / M_PI * asin(sqrt(0.75) / 2), 0.02);
    CU_ASSERT(x1->sp_lo < x1->spearman && x1->spearman < x1->sp_hi);
    CU_ASSERT_EQUAL(f.r->rank_trials, 8192);
    /* x3 is independent of y: 0 within its interval. */
    const sens_row *x3 = row_of(&f, 0, "x3");
    CU_ASSERT(x3->sp_lo < 0 && 0 < x3->sp_hi);
    fixture_free(&f);
}

static void test_sens__event_output__param_that_does_not_matter_is_near_zero(void)
{
    static const char *const outs[] = { "e" };
    fixture f;
    CU_ASSERT_FATAL(analyse(&f, LINEAR, outs, 1) == 0);
    /* e is 1 when the event's own uniform w is below x2. Var e = 1/4 and
     * Var E[e | x2] = Var x2 = 1/12, so S1(x2) = 1/3. The event's
     * randomness is shared by A and AB_i, so ST(x2) = 0.5 P(w lies between
     * two independent x2) / Var e = 0.5 (1/3) / (1/4) = 2/3: the first
     * order plus x2's interaction with w; w alone explains the other 1/3
     * (E[e | w] = 1 - w). x1 and x3 do not enter. */
    const sens_row *x2 = row_of(&f, 0, "x2");
    CU_ASSERT(x2->s1_lo <= 1.0 / 3 && 1.0 / 3 <= x2->s1_hi);
    CU_ASSERT(x2->st_lo <= 2.0 / 3 && 2.0 / 3 <= x2->st_hi);
    CU_ASSERT_EQUAL(row_of(&f, 0, "x1")->st, 0.0);
    CU_ASSERT(fabs(row_of(&f, 0, "x1")->s1) < 0.03);
    CU_ASSERT(fabs(row_of(&f, 0, "x3")->s1) < 0.03);
    /* The probability moves by 0.8 from x2's p10 to its p90; paired, the
     * difference is 1 exactly when w lies in [0.1, 0.9): se sqrt(0.8 0.2 / n). */
    const double se = sqrt(0.8 * 0.2 / 8192.0);
    ASSERT_WITHIN_SE(x2->swing, 0.8, se, 4);
    fixture_free(&f);
}

static void test_sens__saltelli__estimators_on_a_tiny_design(void)
{
    /* N = 2, d = 1: A = {0, 2}, B = {2, 0} (mean 1, variance 4/3), AB =
     * {1, 1}. S1 = mean((yb - 1)(yab - ya)) / V = ((1)(1) + (-1)(-1)) / 2
     * / (4/3) = 0.75; ST = 0.5 mean((ya - yab)^2) / V = 0.5 / (4/3). */
    const double ya[] = { 0, 2 }, yb[] = { 2, 0 }, yab[] = { 1, 1 };
    double s1, st;
    double v = sens_saltelli(ya, yb, yab, 1, 2, NULL, &s1, &st);
    CU_ASSERT_DOUBLE_EQUAL(v, 4.0 / 3, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s1, 0.75, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(st, 0.375, 1e-12);
    /* A constant output has no variance to share out. */
    const double c[] = { 1, 1 };
    CU_ASSERT_EQUAL(sens_saltelli(c, c, c, 1, 2, NULL, &s1, &st), 0.0);
    CU_ASSERT(isnan(s1) && isnan(st));
}

static void test_sens__fisher_interval__uses_se_1_06_over_sqrt_n_minus_3(void)
{
    double lo, hi;
    sens_fisher_ci(0.5, 103, &lo, &hi);
    CU_ASSERT_DOUBLE_EQUAL(lo, tanh(atanh(0.5) - 1.959963984540054 * 0.106), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(hi, tanh(atanh(0.5) + 1.959963984540054 * 0.106), 1e-12);
    sens_fisher_ci(0.5, 3, &lo, &hi);
    CU_ASSERT(lo == -1.0 && hi == 1.0);
}

static void test_sens__unknown_output__is_an_error_with_suggestion(void)
{
    static const char *const outs[] = { "yy" };
    fixture f;
    CU_ASSERT_EQUAL(analyse(&f, LINEAR, outs, 1), NCG_EXIT_USAGE);
    CU_ASSERT_EQUAL_FATAL(diag_count(f.d), 1);
    CU_ASSERT_STRING_EQUAL(diag_get(f.d, 0), "--output: 'yy' is not an output "
                           "of m (did you mean 'y'?)");
    fixture_free(&f);
}

static void test_sens__no_random_params__is_an_error(void)
{
    fixture f;
    CU_ASSERT_EQUAL(analyse(&f, "simulation = { steps = 1; };\n"
                            "params = { a = 1.0; };\nderived = { y = \"a\"; };\n",
                            NULL, 0), NCG_EXIT_SCENARIO);
    CU_ASSERT_EQUAL_FATAL(diag_count(f.d), 1);
    CU_ASSERT(strstr(diag_get(f.d, 0), "params: no param has a random dist: "
                     "there is nothing to analyse") != NULL);
    fixture_free(&f);
}

void test_sens_register(void);
void test_sens_register(void)
{
    static const test_case cases[] = {
        { "linear model: Sobol indices match the closed form",
          test_sens__linear_model__sobol_indices_match_closed_form },
        { "linear model: tornado swing is slope times spread",
          test_sens__linear_model__tornado_swing_is_slope_times_spread },
        { "rank correlation matches normal theory",
          test_sens__rank_correlation__matches_normal_theory },
        { "event output: a param that does not matter is near zero",
          test_sens__event_output__param_that_does_not_matter_is_near_zero },
        { "Saltelli estimators on a tiny design",
          test_sens__saltelli__estimators_on_a_tiny_design },
        { "Fisher interval uses se 1.06/sqrt(n-3)",
          test_sens__fisher_interval__uses_se_1_06_over_sqrt_n_minus_3 },
        { "unknown output is an error with a suggestion",
          test_sens__unknown_output__is_an_error_with_suggestion },
        { "no random params is an error",
          test_sens__no_random_params__is_an_error },
    };
    TEST_SUITE("sens", cases);
}

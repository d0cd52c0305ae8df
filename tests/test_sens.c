/* test_sens.c: sensitivity on models with known answers: Sobol indices, tornado swings of random params and constants, rank correlations. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "analysis/sens.h"
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

/* Runs sensitivity on TEXT with constants held at +-PCT% (0: off) and at
 * most MAX_TRIALS trials (0: the file's). */
static int analyse_with(fixture *f, const char *text, const char *const *outs,
                        size_t n_outs, double pct, uint64_t max_trials)
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
    o.const_pct = pct;
    o.max_trials = max_trials;
    f->rc = sens_run(&o, &f->r, f->d);
    return f->rc;
}

static int analyse(fixture *f, const char *text, const char *const *outs,
                   size_t n_outs)
{
    return analyse_with(f, text, outs, n_outs, 0, 0);
}

static void fixture_free(fixture *f)
{
    sens_result_free(f->r);
    diag_free(f->d);
    test_rmrf(f->dir);
    free(f->dir);
    free(f->path);
}

/* The row of output Q for the param (random or constant) called NAME. */
static const sens_row *row_of(const fixture *f, size_t q, const char *name)
{
    for (size_t k = 0; k < sens_n_rows(f->r); k++)
        if (strcmp(sens_row_name(f->r, sens_row_at(f->r, q, k)), name) == 0)
            return sens_row_at(f->r, q, k);
    CU_FAIL_FATAL("no such param");
    return NULL;
}

/* The index in the analysed outputs of the output called NAME. */
static size_t output_of(const fixture *f, const char *name)
{
    const model *m = f->r->m;
    for (size_t q = 0; q < f->r->n_out; q++)
        if (strcmp(m->vars[m->outputs[f->r->outputs[q]]].name, name) == 0)
            return q;
    CU_FAIL_FATAL("no such output");
    return 0;
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

/* The Sobol bootstrap shares its resamples out among the threads: every
 * index and interval must be the same bits for any number of them. */
static void test_sens__bootstrap__same_bits_for_any_threads(void)
{
    static const char *const outs[] = { "y", "e" };
    char *dir = test_tmpdir();
    char *path = test_write(dir, "m.cfg", LINEAR);
    sens_result *r[3] = { NULL, NULL, NULL };
    static const int threads[3] = { 1, 2, 3 };
    for (size_t k = 0; k < 3; k++) {
        diag *d = diag_alloc();
        sens_opts o = { 0 };
        o.path = path;
        o.outputs = outs;
        o.n_outputs = 2;
        o.threads = threads[k];
        o.bootstrap = 50;
        CU_ASSERT_FATAL(sens_run(&o, &r[k], d) == 0);
        diag_free(d);
    }
    CU_ASSERT_EQUAL(r[0]->n_out * r[0]->d, 6);
    size_t wide = 0;   /* intervals that are not a point: they resampled */
    for (size_t i = 0; i < 6; i++)
        wide += r[0]->rows[i].s1_lo < r[0]->rows[i].s1_hi;
    CU_ASSERT(wide >= 2);
    for (size_t k = 1; k < 3; k++)
        for (size_t i = 0; i < r[0]->n_out * r[0]->d; i++) {
            const sens_row *a = &r[0]->rows[i], *b = &r[k]->rows[i];
            const double x[6] = { a->s1, a->st, a->s1_lo, a->s1_hi, a->st_lo,
                                  a->st_hi };
            const double y[6] = { b->s1, b->st, b->s1_lo, b->s1_hi, b->st_lo,
                                  b->st_hi };
            CU_ASSERT(memcmp(x, y, sizeof x) == 0);
        }
    for (size_t k = 0; k < 3; k++)
        sens_result_free(r[k]);
    test_rmrf(dir);
    free(dir);
    free(path);
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
    double v = sens_saltelli(ya, yb, yab, 2, 1, 2, NULL, &s1, &st);
    CU_ASSERT_DOUBLE_EQUAL(v, 4.0 / 3, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s1, 0.75, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(st, 0.375, 1e-12);
    /* A constant output has no variance to share out. */
    const double c[] = { 1, 1 };
    CU_ASSERT_EQUAL(sens_saltelli(c, c, c, 2, 1, 2, NULL, &s1, &st), 0.0);
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

/* Constants only. e is absorbing with p = a b = 0.2 per step over 4 steps:
 * P(e) = 1 - (1 - p)^4. Holding a (or b) at x 0.8 and x 1.2 gives p =
 * 0.16 and 0.24. Each step's uniform is shared by every variant, so a
 * variant with a larger p has e whenever one with a smaller p does: the
 * paired differences are 0 or +-1 and a difference of mean s has se
 * sqrt(|s| (1 - |s|) / n). q is a probability at 0.9: its high end is
 * capped at 1. g is a factor at 0.9: 1.08 is allowed. c is read by
 * nothing; `on` and `off` are switches; pa is an expression. */
static const char CONSTS[] =
    "simulation = { trials = 20000; steps = 4; seed = 5; };\n"
    "params = {\n"
    "  a = { dist = \"const\"; value = 0.5; source = \"judgement\"; };\n"
    "  b = { dist = \"const\"; value = 0.4; note = \"Judgement.\"; };\n"
    "  c = { dist = \"const\"; value = 3.0; source = \"judgement\"; };\n"
    "  on = 1;\n"
    "  off = { dist = \"const\"; value = 0.0; unit = \"probability\"; };\n"
    "  q = { dist = \"const\"; value = 0.9; unit = \"probability\"; source = \"judgment\"; };\n"
    "  g = { dist = \"const\"; value = 0.9; unit = \"factor\"; source = \"JUDGEMENT\"; };\n"
    "  pa = \"a * b\";\n"
    "};\n"
    "events = { e = { p = \"pa * on + off\"; }; f = { p = \"q\"; }; };\n"
    "derived = { y = \"10 * g\"; };\n";

/* P(an absorbing event with per-step probability P by step 4). */
static double absorbed(double p)
{
    return 1 - pow(1 - p, 4);
}

/* Checks that a paired difference X with interval [LO, HI] has the mean
 * WANT within 4 se, and that its interval is as narrow as the monotone
 * coupling allows (within 10%: a pairing that failed would widen it). */
static void check_paired(double x, double lo, double hi, double want)
{
    const double n = 20000;
    double se = sqrt(fabs(want) * (1 - fabs(want)) / n);
    ASSERT_WITHIN_SE(x, want, se, 4);
    CU_ASSERT_DOUBLE_EQUAL((hi - lo) / (2 * 1.959963984540054), se, 0.1 * se);
}

static void test_sens__constants__swings_of_a_product_match_closed_form(void)
{
    fixture f;
    CU_ASSERT_FATAL(analyse_with(&f, CONSTS, NULL, 0, 20, 0) == 0);
    size_t e = output_of(&f, "e");
    double p0 = absorbed(0.2), lo = absorbed(0.16), hi = absorbed(0.24);
    static const char *const names[] = { "a", "b" };
    for (size_t i = 0; i < 2; i++) {
        const sens_row *w = row_of(&f, e, names[i]);
        CU_ASSERT(w->constant && w->reaches && !w->capped);
        check_paired(w->low, w->low_lo, w->low_hi, lo - p0);
        check_paired(w->high, w->high_lo, w->high_hi, hi - p0);
        check_paired(w->swing, w->swing_lo, w->swing_hi, hi - lo);
        /* Constants have no distribution: no Sobol index, no rank
         * correlation. */
        CU_ASSERT(isnan(w->st) && isnan(w->s1) && isnan(w->spearman));
    }
    CU_ASSERT_DOUBLE_EQUAL(row_of(&f, e, "a")->x_low, 0.4, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(row_of(&f, e, "a")->x_high, 0.6, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(row_of(&f, e, "b")->x_low, 0.32, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(row_of(&f, e, "b")->x_high, 0.48, 1e-12);
    ASSERT_WITHIN_SE(f.r->base_mean[e], p0, sqrt(p0 * (1 - p0) / 20000), 4);
    fixture_free(&f);
}

static void test_sens__constants__unread_constant_has_swing_exactly_zero(void)
{
    fixture f;
    CU_ASSERT_FATAL(analyse_with(&f, CONSTS, NULL, 0, 20, 0) == 0);
    for (size_t q = 0; q < f.r->n_out; q++) {
        const sens_row *c = row_of(&f, q, "c");
        CU_ASSERT(!c->reaches);
        CU_ASSERT(c->swing == 0 && c->swing_lo == 0 && c->swing_hi == 0);
        CU_ASSERT(sens_no_effect(c));
        /* Every param with an effect ranks above it. */
        for (size_t k = 0; k < sens_n_rows(f.r); k++) {
            const sens_row *w = sens_row_at(f.r, q, k);
            if (!sens_no_effect(w))
                CU_ASSERT(w->swing_rank < c->swing_rank);
        }
    }
    /* g is read by y only: for e it runs and changes nothing. */
    const sens_row *g = row_of(&f, output_of(&f, "e"), "g");
    CU_ASSERT(g->reaches && sens_no_effect(g));
    fixture_free(&f);
}

static void test_sens__constants__switches_are_levers_not_varied(void)
{
    fixture f;
    CU_ASSERT_FATAL(analyse_with(&f, CONSTS, NULL, 0, 20, 0) == 0);
    /* a, b, c, q, g; not on, off (0/1), nor the expression pa. */
    CU_ASSERT_EQUAL(f.r->n_const, 5);
    CU_ASSERT_EQUAL(f.r->d, 0);
    CU_ASSERT_EQUAL_FATAL(f.r->n_levers, 2);
    CU_ASSERT_STRING_EQUAL(f.r->m->vars[f.r->levers[0]].name, "on");
    CU_ASSERT_STRING_EQUAL(f.r->m->vars[f.r->levers[1]].name, "off");
    for (size_t k = 0; k < sens_n_rows(f.r); k++) {
        const char *name = sens_row_name(f.r, sens_row_at(f.r, 0, k));
        CU_ASSERT(strcmp(name, "on") && strcmp(name, "off")
                  && strcmp(name, "pa"));
    }
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    CU_ASSERT_FATAL(out != NULL);
    sens_table(f.r, 5, out);
    fclose(out);
    CU_ASSERT(strstr(text, "\nLevers, not varied (constants exactly 0 or 1; "
                     "try ncgsim sweep FILE --vary params.NAME=0:1:1):\n"
                     "  on, off\n") != NULL);
    free(text);
    fixture_free(&f);
}

static void test_sens__constants__probability_is_capped_at_one(void)
{
    fixture f;
    CU_ASSERT_FATAL(analyse_with(&f, CONSTS, NULL, 0, 20, 0) == 0);
    const sens_row *q = row_of(&f, output_of(&f, "f"), "q");
    CU_ASSERT(q->capped);
    CU_ASSERT_EQUAL(q->x_high, 1.0);
    CU_ASSERT_DOUBLE_EQUAL(q->x_low, 0.72, 1e-12);
    /* At p = 1, f happens at step 1 in every trial. */
    check_paired(q->swing, q->swing_lo, q->swing_hi, 1 - absorbed(0.72));
    /* A factor may exceed 1: y = 10 g moves by 10 (1.08 - 0.72) in every
     * trial. */
    const sens_row *g = row_of(&f, output_of(&f, "y"), "g");
    CU_ASSERT(!g->capped);
    CU_ASSERT_DOUBLE_EQUAL(g->x_high, 1.08, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(g->swing, 3.6, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(g->swing_hi - g->swing_lo, 0.0, 1e-9);
    fixture_free(&f);
}

static void test_sens__probability_like__reads_unit_label_and_value(void)
{
    static const struct {
        const char *label, *unit;
        double value;
        int want;
    } cases[] = {
        { "x", "probability", 0.9, 1 },
        { "x", "Probability per quarter", 0.2, 1 },
        { "P(war)", "", 2.0, 1 },
        { "Quarterly chance of a crisis", "per quarter", 0.3, 1 },
        { "x", "", 0.95, 1 },           /* no unit, in (0, 1) */
        { "x", "", 1.5, 0 },
        { "x", "factor", 0.9, 0 },      /* a factor says what it is */
        { "x", "fraction", 0.5, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        model_var v = { 0 };
        v.label = cases[i].label;
        v.unit = cases[i].unit;
        v.value = cases[i].value;
        CU_ASSERT_EQUAL(sens_probability_like(&v), cases[i].want);
    }
}

/* y = x1 + 2 x2 + k sw with k = 5 and the switch sw = 1: k's swing is
 * 5 (1.2 - 0.8) = 2 in every trial, between x1's 2 x 1.2816 and x2's
 * 2 x 0.8. */
static const char MIXED[] =
    "simulation = { trials = 2048; steps = 1; seed = 3; };\n"
    "params = {\n"
    "  x1 = { dist = \"normal\"; mean = 0.0; sd = 1.0; };\n"
    "  x2 = { dist = \"uniform\"; min = 0.0; max = 1.0; };\n"
    "  k = { dist = \"const\"; value = 5.0; source = \"judgement\"; };\n"
    "  sw = 1;\n"
    "};\n"
    "derived = { y = \"x1 + 2 * x2 + k * sw\"; };\n";

/* Only judgements move: fact (sourced) and the calendar step stay put,
 * though both reach y. j2 moves y the same way at both ends (|x - 2|
 * grows either way): by high minus low it would have a swing of 0 and
 * rank last; by its largest end it ranks first. */
static const char JUDGED[] =
    "simulation = { trials = 1000; steps = 2; seed = 3; };\n"
    "params = {\n"
    "  fact = { dist = \"const\"; value = 28500.0; source = \"alliance-facts.md: USFK\"; };\n"
    "  step = { dist = \"const\"; value = 2; unit = \"step\"; note = \"judgement: the date\"; };\n"
    "  j1 = { dist = \"const\"; value = 0.5; source = \"judgement\"; };\n"
    "  j2 = { dist = \"const\"; value = 2.0; source = \"judgement\"; };\n"
    "};\n"
    "derived = { y = \"fact / 1000 + (t == step ? 1 : 0) + j1 + 50 * abs(j2 - 2)\"; };\n";

static void test_sens__constants__only_judgements_ranked_by_largest_end(void)
{
    fixture f;
    CU_ASSERT_FATAL(analyse_with(&f, JUDGED, NULL, 0, 20, 0) == 0);
    CU_ASSERT_EQUAL_FATAL(sens_n_rows(f.r), 2);
    const sens_row *w = sens_ranked(f.r, 0, 0);
    CU_ASSERT_STRING_EQUAL(sens_row_name(f.r, w), "j2");
    /* Both ends raise y by 50 x 0.4 = 20: no swing, a large effect. */
    CU_ASSERT_DOUBLE_EQUAL(w->low, 20.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(w->high, 20.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(w->swing, 0.0, 1e-9);
    CU_ASSERT_EQUAL(w->swing_rank, 1);
    CU_ASSERT_STRING_EQUAL(sens_row_name(f.r, sens_ranked(f.r, 0, 1)), "j1");
    fixture_free(&f);
}

static void test_sens__mixed__random_and_constants_rank_by_swing(void)
{
    fixture f;
    CU_ASSERT_FATAL(analyse_with(&f, MIXED, NULL, 0, 20, 0) == 0);
    static const char *const want[] = { "x1", "k", "x2" };
    CU_ASSERT_EQUAL_FATAL(sens_n_rows(f.r), 3);
    for (size_t k = 0; k < 3; k++) {
        const sens_row *w = sens_ranked(f.r, 0, k);
        CU_ASSERT_STRING_EQUAL(sens_row_name(f.r, w), want[k]);
        CU_ASSERT_EQUAL(w->swing_rank, k + 1);
    }
    const sens_row *k = row_of(&f, 0, "k");
    CU_ASSERT_DOUBLE_EQUAL(k->swing, 2.0, 1e-9);
    CU_ASSERT_EQUAL(k->rank, 0);
    /* The Sobol ranks stay among the random params. */
    CU_ASSERT_EQUAL(row_of(&f, 0, "x1")->rank, 1);
    CU_ASSERT_EQUAL(row_of(&f, 0, "x2")->rank, 2);
    char kind[48];
    CU_ASSERT_STRING_EQUAL(sens_row_kind(f.r, k, kind, sizeof kind),
                           "constant \u00b120%");
    CU_ASSERT_STRING_EQUAL(sens_row_kind(f.r, row_of(&f, 0, "x1"), kind,
                                         sizeof kind), "random p10/p90");
    fixture_free(&f);
}

static void test_sens__csv__constants_have_kind_and_empty_sobol_columns(void)
{
    fixture f;
    CU_ASSERT_FATAL(analyse_with(&f, MIXED, NULL, 0, 20, 0) == 0);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    CU_ASSERT_FATAL(out != NULL);
    CU_ASSERT_EQUAL(sens_write_csv(f.r, out), 0);
    fclose(out);
    const char *header = "variable,param,perturbation,rank,sobol_rank,capped,x_low,"
        "x_high,base_mean,low_diff,low_lo95,low_hi95,high_diff,high_lo95,"
        "high_hi95,swing,swing_lo95,swing_hi95,spearman,spearman_lo95,"
        "spearman_hi95,s1,s1_lo95,s1_hi95,st,st_lo95,st_hi95,variance,"
        "rank_trials,sobol_trials\n";
    CU_ASSERT_FATAL(strncmp(text, header, strlen(header)) == 0);
    /* Row 2 is k: a constant, no Sobol rank, not capped, held at 4 and
     * 6; after its swing, 10 empty fields (rank correlation, indices,
     * variance) and 2 empty trial counts. */
    static const char start[] = "y,k,constant \u00b120%,2,,0,4,6,";
    static const char tail[] = ",,,,,,,,,,,,\n";
    char *row = strchr(text + strlen(header), '\n');   /* after x1's row */
    CU_ASSERT_FATAL(row != NULL);
    row++;
    char *end = strchr(row, '\n');
    CU_ASSERT_FATAL(end != NULL);
    CU_ASSERT(strncmp(row, start, strlen(start)) == 0);
    CU_ASSERT(end - row > 20
              && strncmp(end + 1 - strlen(tail), tail, strlen(tail)) == 0);
    free(text);
    fixture_free(&f);
}

static void test_sens__max_trials__caps_only_when_trials_are_not_set(void)
{
    fixture f;
    CU_ASSERT_FATAL(analyse_with(&f, MIXED, NULL, 0, 20, 1000) == 0);
    CU_ASSERT_EQUAL(f.r->trials, 1000);
    CU_ASSERT_EQUAL(f.r->sc->sim.trials, 1000);
    /* Base, then x1, x2, k at two values each (one group), then the
     * Saltelli design of 2 + 2 models. */
    CU_ASSERT_EQUAL(f.r->trial_runs, 1000 * (7 + 4));
    fixture_free(&f);
}

static void test_sens__nothing_to_vary__is_an_error(void)
{
    fixture f;
    CU_ASSERT_EQUAL(analyse_with(&f, "simulation = { steps = 1; };\n"
                                 "params = { a = 1.0; b = \"2 * a\"; };\n"
                                 "derived = { y = \"b\"; };\n",
                                 NULL, 0, 20, 0), NCG_EXIT_SCENARIO);
    CU_ASSERT_EQUAL_FATAL(diag_count(f.d), 1);
    char want[512];
    snprintf(want, sizeof want, "%s: params: no param has a random dist or "
             "a constant value other than 0 and 1: there is nothing to "
             "analyse", f.path);
    CU_ASSERT_STRING_EQUAL(diag_get(f.d, 0), want);
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

/* Conditioned: x1, x2 ~ N(0, 1), y = x1 + x2, x1 read as 1 with sd 1.
 * The posterior has x1 ~ N(1/2, 1/2) and x2 ~ N(0, 1), independent, so
 * Var y = 3/2 and the first-order indices are 1/3 and 2/3, times the
 * share of a linear effect that 20 equal-weight bins of a normal keep
 * (0.98331). Holding x1 makes the reading's weight constant: y = x1_p10
 * + x2 against the base's posterior mean 1/2. */
static const char CONDITIONED[] =
    "simulation = { trials = 10000; steps = 1; seed = 3; };\n"
    "params = { x1 = { dist = \"normal\"; mean = 0.0; sd = 1.0; };\n"
    "           x2 = { dist = \"normal\"; mean = 0.0; sd = 1.0; }; };\n"
    "derived = { y = \"x1 + x2\"; };\n"
    "observations = ( { var = \"x1\"; at = 0; value = 1.0; sd = 1.0; } );\n";

static void test_sens__conditioned_linear_model__weighted_closed_forms(void)
{
    static const char *const outs[] = { "y" };
    const double p90 = 1.2815515655446004, bins = 0.98331;
    fixture f;
    CU_ASSERT_FATAL(analyse(&f, CONDITIONED, outs, 1) == 0);
    CU_ASSERT_FATAL(f.r->weighted);
    CU_ASSERT(f.r->ess > 5000 && f.r->ess < 10000);
    /* The base: the posterior mean of y, 1/2 (4.5 se). */
    ASSERT_WITHIN_SE(f.r->base_mean[0], 0.5, f.r->base_se[0], 4.5);
    const sens_row *x1 = row_of(&f, 0, "x1"), *x2 = row_of(&f, 0, "x2");
    /* Effects: paired differences of weighted means, intervals from the
     * delta method; the truth inside 4.5 se (se = half-width / 1.96). */
    ASSERT_WITHIN_SE(x1->low, -p90 - 0.5, (x1->low_hi - x1->low) / 1.96, 4.5);
    ASSERT_WITHIN_SE(x1->high, p90 - 0.5, (x1->high_hi - x1->high) / 1.96,
                     4.5);
    ASSERT_WITHIN_SE(x2->high, p90, (x2->high_hi - x2->high) / 1.96, 4.5);
    /* Every trial of both variants has the same weight pattern and y
     * moves by exactly 2 p90: the swing is exact, se 0. Its variance is
     * a difference of terms the size of a mean's variance (stats_pair),
     * so rounding leaves an se of about sqrt(eps) = 1.5e-8 times a
     * mean's se, depending on the chunks' merge order (1.3e-9 wide here,
     * 3.6e-8 of the high effect's interval): at most 1e-7 of it. */
    CU_ASSERT_DOUBLE_EQUAL(x1->swing, 2 * p90, 1e-9);
    CU_ASSERT(x1->swing_hi - x1->swing_lo
              <= 1e-7 * (x1->high_hi - x1->high_lo));
    /* Weighted first-order indices inside 4.5 bootstrap se. */
    ASSERT_WITHIN_SE(x1->s1, bins / 3, (x1->s1_hi - x1->s1_lo) / 3.92, 4.5);
    ASSERT_WITHIN_SE(x2->s1, 2 * bins / 3, (x2->s1_hi - x2->s1_lo) / 3.92,
                     4.5);
    CU_ASSERT(x1->s1_hi - x1->s1_lo < 0.1);
    /* Weighted rank correlations: the posterior is bivariate normal in
     * (x_i, y), Pearson rho = sqrt(1/3) and sqrt(2/3), Spearman
     * (6 / pi) asin(rho / 2); the truth inside the Fisher interval. */
    double want1 = 6 / M_PI * asin(sqrt(1.0 / 3) / 2);
    double want2 = 6 / M_PI * asin(sqrt(2.0 / 3) / 2);
    CU_ASSERT(x1->sp_lo <= want1 && want1 <= x1->sp_hi);
    CU_ASSERT(x2->sp_lo <= want2 && want2 <= x2->sp_hi);
    /* No total index; ranks by S1. */
    CU_ASSERT(isnan(x1->st));
    CU_ASSERT_EQUAL(x2->rank, 1);
    CU_ASSERT_EQUAL(x1->rank, 2);
    fixture_free(&f);
}

/* The table says what a conditioned scenario's figures are. */
static void test_sens__conditioned__table_says_weighted(void)
{
    static const char *const outs[] = { "y" };
    fixture f;
    char *buf = NULL;
    size_t len = 0;
    CU_ASSERT_FATAL(analyse(&f, CONDITIONED, outs, 1) == 0);
    FILE *mem = open_memstream(&buf, &len);
    CU_ASSERT_FATAL(mem != NULL);
    sens_table(f.r, 10, mem);
    fclose(mem);
    CU_ASSERT(strstr(buf, "Sobol first, weighted [95%]") != NULL);
    CU_ASSERT(strstr(buf, "every effect is a difference of weighted "
                     "estimates, paired trial by trial") != NULL);
    CU_ASSERT(strstr(buf, "rank correlations are weighted; no total "
                     "index") != NULL);
    free(buf);
    fixture_free(&f);
}

void test_sens_register(void);
void test_sens_register(void)
{
    static const test_case cases[] = {
        { "conditioned linear model: weighted closed forms", test_sens__conditioned_linear_model__weighted_closed_forms },
        { "conditioned: the table says weighted", test_sens__conditioned__table_says_weighted },
        { "linear model: Sobol indices match the closed form",
          test_sens__linear_model__sobol_indices_match_closed_form },
        { "bootstrap: same bits for any threads",
          test_sens__bootstrap__same_bits_for_any_threads },
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
        { "constants: swings of a product match the closed form",
          test_sens__constants__swings_of_a_product_match_closed_form },
        { "constants: an unread constant has a swing of exactly 0",
          test_sens__constants__unread_constant_has_swing_exactly_zero },
        { "constants: switches are levers, not varied",
          test_sens__constants__switches_are_levers_not_varied },
        { "constants: a probability is capped at 1",
          test_sens__constants__probability_is_capped_at_one },
        { "probability-like: reads unit, label and value",
          test_sens__probability_like__reads_unit_label_and_value },
        { "mixed: random params and constants rank by swing",
          test_sens__mixed__random_and_constants_rank_by_swing },
        { "CSV: constants have a kind and empty Sobol columns",
          test_sens__csv__constants_have_kind_and_empty_sobol_columns },
        { "max trials: caps only when trials are not set",
          test_sens__max_trials__caps_only_when_trials_are_not_set },
        { "constants: only judgements, ranked by their largest end",
          test_sens__constants__only_judgements_ranked_by_largest_end },
        { "nothing to vary is an error",
          test_sens__nothing_to_vary__is_an_error },
    };
    TEST_SUITE("sens", cases);
}

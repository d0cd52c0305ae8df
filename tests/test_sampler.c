/* test_sampler.c: mc, lhs and sobol: reproducibility across call splits, stratification, accuracy, limits. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "random/rng.h"
#include "random/sampler.h"
#include "testutil.h"

enum { N = 1000 };

/* Two params: uniform(0, 1) and normal(0, 1), keyed as the engine would. */
typedef struct fixture {
    dist_spec spec[2];
    const dist_spec *specs[2];
    uint64_t keys[2];
} fixture;

static void fixture_init(fixture *f)
{
    double zero = 0, one = 1;
    dist_arg uni[2] = { { "min", &zero, 1, 0 }, { "max", &one, 1, 0 } };
    dist_arg nor[2] = { { "mean", &zero, 1, 0 }, { "sd", &one, 1, 0 } };
    char err[256];
    int bad;
    CU_ASSERT_EQUAL(dist_make("uniform", uni, 2, &f->spec[0], &bad, err, sizeof err), 0);
    CU_ASSERT_EQUAL(dist_make("normal", nor, 2, &f->spec[1], &bad, err, sizeof err), 0);
    f->specs[0] = &f->spec[0];
    f->specs[1] = &f->spec[1];
    f->keys[0] = rng_key(1, "u");
    f->keys[1] = rng_key(1, "z");
}

/* A sampler of KIND over F's two params for N trials under SEED, and a
 * workspace for it in *W. */
static sampler *open_sampler(sampler_kind kind, const fixture *f, uint64_t n, uint64_t seed,
                             sampler_ws **w)
{
    char err[256];
    sampler *s = sampler_alloc(kind, f->specs, f->keys, 2, n, seed, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    *w = sampler_ws_alloc(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*w);
    return s;
}

/* Draws params 0 and 1 of S for trials 0 .. N-1 in one call each. */
static void draw_all(const sampler *s, double x[2][N])
{
    sampler_ws *w = sampler_ws_alloc(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    for (size_t j = 0; j < 2; j++)
        sampler_draw(s, w, j, 0, N, x[j]);
    sampler_ws_free(w);
}

/* Draws the same in blocks of 7 trials, the blocks dealt alternately to
 * two workspaces (as two threads would), each block drawing both params. */
static void draw_interleaved(const sampler *s, double x[2][N])
{
    sampler_ws *w[2] = { sampler_ws_alloc(s), sampler_ws_alloc(s) };
    CU_ASSERT_FATAL(w[0] && w[1]);
    size_t block = 0;
    for (uint64_t t = 0; t < N; t += 7, block++) {
        size_t lanes = N - t < 7 ? (size_t)(N - t) : 7;
        for (size_t j = 0; j < 2; j++)
            sampler_draw(s, w[block % 2], j, t, lanes, x[j] + t);
    }
    sampler_ws_free(w[0]);
    sampler_ws_free(w[1]);
}

/* 1 when each of N equal-probability strata holds exactly one of the N
 * uniforms U and exactly one of the N standard normals Z. */
static int one_per_stratum(const double *u, const double *z, size_t n)
{
    unsigned *hits = calloc(2 * n, sizeof *hits);
    CU_ASSERT_PTR_NOT_NULL_FATAL(hits);
    for (size_t i = 0; i < n; i++) {
        hits[(size_t)(u[i] * (double)n)]++;
        hits[n + (size_t)(gsl_cdf_ugaussian_P(z[i]) * (double)n)]++;
    }
    int all_one = 1;
    for (size_t k = 0; k < 2 * n; k++)
        all_one &= hits[k] == 1;
    free(hits);
    return all_one;
}

static double mean_of(const double *x, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    return m / (double)n;
}

/* Runs KIND over the fixture and checks that splitting the trials into
 * calls and workspaces changes nothing. Fills X. */
static void check_split_invariance(sampler_kind kind, double x[2][N])
{
    static double y[2][N];
    fixture f;
    fixture_init(&f);
    char err[256];
    sampler *s = sampler_alloc(kind, f.specs, f.keys, 2, N, 1, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    draw_all(s, x);
    draw_interleaved(s, y);
    CU_ASSERT_EQUAL(memcmp(x, y, sizeof y), 0);
    sampler_free(s);
}

static void test_sampler__parse__knows_mc_lhs_sobol_only(void)
{
    sampler_kind k = SAMPLER_MC;
    CU_ASSERT_EQUAL(sampler_parse("lhs", &k), 0);
    CU_ASSERT_EQUAL(k, SAMPLER_LHS);
    CU_ASSERT_EQUAL(sampler_parse("sobol", &k), 0);
    CU_ASSERT_EQUAL(k, SAMPLER_SOBOL);
    CU_ASSERT_EQUAL(sampler_parse("mc", &k), 0);
    CU_ASSERT_EQUAL(k, SAMPLER_MC);
    CU_ASSERT_EQUAL(sampler_parse("MC", &k), -1);
    CU_ASSERT_EQUAL(sampler_parse("", &k), -1);
    CU_ASSERT_EQUAL(sampler_parse("lhs ", &k), -1);
}

static void test_sampler__mc__draws_from_the_param_stream_of_each_trial(void)
{
    static double x[2][N];
    check_split_invariance(SAMPLER_MC, x);
    fixture f;
    fixture_init(&f);
    gsl_rng *r = rng_alloc();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    for (uint64_t i = 0; i < N; i += 97)
        for (size_t j = 0; j < 2; j++) {
            rng_position(r, f.keys[j], i, 0);
            CU_ASSERT_EQUAL(x[j][i], dist_draw(&f.spec[j], r));
        }
    gsl_rng_free(r);
    /* 4 se of a mean of N standard normals. */
    ASSERT_WITHIN_SE(mean_of(x[1], N), 0, 1 / sqrt(N), 4);
}

static void test_sampler__lhs__puts_exactly_one_trial_in_each_stratum(void)
{
    static double x[2][N];
    check_split_invariance(SAMPLER_LHS, x);
    CU_ASSERT(one_per_stratum(x[0], x[1], N));
    /* With one point per stratum the uniform's mean is 1/2 up to the
     * offsets inside the strata: se sqrt(N / 12) / N^2, 4 se (mc's se is
     * sqrt(N) times larger). */
    ASSERT_WITHIN_SE(mean_of(x[0], N), 0.5, sqrt(N / 12.0) / N / N, 4);
    ASSERT_WITHIN_SE(mean_of(x[1], N), 0, 1 / sqrt(N), 4);
    /* The two params' strata are paired at random: correlation 0 within
     * 4 se (1/sqrt(N)). */
    double sxy = 0;
    for (size_t i = 0; i < N; i++)
        sxy += (x[0][i] - 0.5) * x[1][i];
    ASSERT_WITHIN_SE(sxy / N / sqrt(1.0 / 12), 0, 1 / sqrt(N), 4);
}

static void test_sampler__sobol__is_the_same_however_trials_are_split(void)
{
    static double x[2][N];
    check_split_invariance(SAMPLER_SOBOL, x);
    for (size_t i = 0; i < N; i++)
        CU_ASSERT(x[0][i] > 0 && x[0][i] < 1 && isfinite(x[1][i]));
    /* Going back restarts the sequence and gives the same values. */
    fixture f;
    fixture_init(&f);
    sampler_ws *w;
    sampler *s = open_sampler(SAMPLER_SOBOL, &f, N, 1, &w);
    double v;
    sampler_draw(s, w, 1, 900, 1, &v);
    CU_ASSERT_EQUAL(v, x[1][900]);
    sampler_draw(s, w, 0, 3, 1, &v);
    CU_ASSERT_EQUAL(v, x[0][3]);
    sampler_ws_free(w);
    sampler_free(s);
}

static void test_sampler__sobol__stratifies_2_to_the_m_trials_and_nails_the_mean(void)
{
    enum { M = 1024 };
    static double x[2][M];
    fixture f;
    fixture_init(&f);
    sampler_ws *w;
    sampler *s = open_sampler(SAMPLER_SOBOL, &f, M, 1, &w);
    for (size_t j = 0; j < 2; j++)
        sampler_draw(s, w, j, 0, M, x[j]);
    /* The first 2^m Sobol points put one point in each of 2^m equal strata
     * of every coordinate, and a rotation mod 1 keeps that. */
    CU_ASSERT(one_per_stratum(x[0], x[1], M));
    /* So the uniform's points are k/M + s for one s in [0, 1/M): the mean
     * is within 1/(2M) = 0.00049 of 1/2, where mc's 4 se is 0.036. */
    CU_ASSERT(fabs(mean_of(x[0], M) - 0.5) <= 0.5 / M);
    double first = x[0][0];
    sampler_ws_free(w);
    sampler_free(s);

    /* The rotation depends on the seed: another seed, other values. */
    s = open_sampler(SAMPLER_SOBOL, &f, M, 2, &w);
    double v;
    sampler_draw(s, w, 0, 0, 1, &v);
    CU_ASSERT_NOT_EQUAL(v, first);
    sampler_ws_free(w);
    sampler_free(s);
}

static void test_sampler__sobol__refuses_more_params_than_gsl_supports(void)
{
    enum { DIM = 41 };
    fixture f;
    fixture_init(&f);
    const dist_spec *specs[DIM];
    uint64_t keys[DIM];
    for (size_t j = 0; j < DIM; j++) {
        specs[j] = &f.spec[0];
        keys[j] = j;
    }
    char err[256];
    CU_ASSERT_PTR_NULL(sampler_alloc(SAMPLER_SOBOL, specs, keys, DIM, N, 1, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(err, "sampler 'sobol' supports at most 40 random params; "
                                "this scenario has 41 (use 'lhs')");
    /* 40 is fine, and so are 41 for the other samplers. */
    sampler *s = sampler_alloc(SAMPLER_SOBOL, specs, keys, 40, N, 1, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(s);
    sampler_free(s);
    s = sampler_alloc(SAMPLER_LHS, specs, keys, DIM, N, 1, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(s);
    sampler_free(s);
    CU_ASSERT_PTR_NULL(sampler_alloc(SAMPLER_SOBOL, specs, keys, 1, UINT64_C(1) << 30, 1,
                                     err, sizeof err));
    CU_ASSERT_STRING_EQUAL(err, "sampler 'sobol' supports at most 1073741823 trials; "
                                "this run has 1073741824 (use 'lhs')");
}

static void test_sampler__no_params_and_const_params__work_in_every_kind(void)
{
    double seven = 7;
    dist_arg arg = { "value", &seven, 1, 0 };
    dist_spec c;
    char err[256];
    int bad;
    CU_ASSERT_EQUAL_FATAL(dist_make("const", &arg, 1, &c, &bad, err, sizeof err), 0);
    const dist_spec *specs[1] = { &c };
    uint64_t keys[1] = { 5 };
    for (int kind = SAMPLER_MC; kind <= SAMPLER_SOBOL; kind++) {
        sampler *s = sampler_alloc((sampler_kind)kind, NULL, NULL, 0, N, 1, err, sizeof err);
        sampler_ws *w = s ? sampler_ws_alloc(s) : NULL;
        CU_ASSERT(s && w);
        sampler_ws_free(w);
        sampler_free(s);

        s = sampler_alloc((sampler_kind)kind, specs, keys, 1, N, 1, err, sizeof err);
        w = s ? sampler_ws_alloc(s) : NULL;
        CU_ASSERT_FATAL(s && w);
        double out[3];
        sampler_draw(s, w, 0, 10, 3, out);
        CU_ASSERT(out[0] == 7 && out[1] == 7 && out[2] == 7);
        sampler_ws_free(w);
        sampler_free(s);
    }
    sampler_free(NULL);
    sampler_ws_free(NULL);
}

void test_sampler_register(void);
void test_sampler_register(void)
{
    static const test_case cases[] = {
        { "parse knows mc, lhs, sobol only", test_sampler__parse__knows_mc_lhs_sobol_only },
        { "mc draws from the param stream of each trial", test_sampler__mc__draws_from_the_param_stream_of_each_trial },
        { "lhs puts exactly one trial in each stratum", test_sampler__lhs__puts_exactly_one_trial_in_each_stratum },
        { "sobol is the same however trials are split", test_sampler__sobol__is_the_same_however_trials_are_split },
        { "sobol stratifies 2^m trials and nails the mean", test_sampler__sobol__stratifies_2_to_the_m_trials_and_nails_the_mean },
        { "sobol refuses more params than GSL supports", test_sampler__sobol__refuses_more_params_than_gsl_supports },
        { "no params and const params work in every kind", test_sampler__no_params_and_const_params__work_in_every_kind },
    };
    TEST_SUITE("sampler", cases);
}

/* test_dist.c: every dist and argument form: moments of draws and quantiles, ci90 fits, error messages. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "random/dist.h"
#include "random/rng.h"
#include "testutil.h"

/* Arguments written compactly, as in "mean=1 sd=2" or "ci90=[1, 3]". */
typedef struct argbuf {
    dist_arg args[8];
    double nums[8][8];
    char names[8][16];
    size_t n;
} argbuf;

static void parse_args(const char *text, argbuf *b)
{
    memset(b, 0, sizeof *b);
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t i = b->n++;
        size_t len = strcspn(p, "=");
        memcpy(b->names[i], p, len);
        p += len + 1;
        dist_arg *a = &b->args[i];
        a->name = b->names[i];
        a->v = b->nums[i];
        if (*p == '[') {
            a->is_array = 1;
            p++;
            while (*p != ']') {
                char *end;
                b->nums[i][a->n++] = strtod(p, &end);
                p = end;
                while (*p == ',' || *p == ' ')
                    p++;
            }
            p++;
        } else {
            char *end;
            b->nums[i][0] = strtod(p, &end);
            a->n = 1;
            p = end;
        }
    }
}

/* dist_make from the compact form; returns its status. */
static int make(const char *dist, const char *text, dist_spec *spec, int *bad,
                char *err, size_t errlen)
{
    argbuf b;
    parse_args(text, &b);
    return dist_make(dist, b.args, b.n, spec, bad, err, errlen);
}

/* Every dist in every argument form, with optional truncation. */
static const struct { const char *dist, *args; } forms[] = {
    { "const", "value=3" },
    { "uniform", "min=2 max=5" },
    { "normal", "mean=1 sd=2" },
    { "normal", "ci90=[10, 20]" },
    { "normal", "mean=0 sd=1 min=0" },
    { "normal", "mean=0 sd=1 min=-1 max=2" },
    { "normal", "ci90=[10, 20] max=18" },
    { "normal", "mean=0 sd=1 min=3" },
    { "normal", "mean=0 sd=1 max=-3" },
    { "lognormal", "median=2 sigma=0.5" },
    { "lognormal", "ci90=[1, 4]" },
    { "beta", "a=2 b=5" },
    { "beta", "mean=0.3 sd=0.1" },
    { "pert", "min=0 mode=1 max=4" },
    { "triangular", "min=0 mode=1 max=4" },
    { "triangular", "min=0 mode=0 max=1" },
    { "gamma", "shape=2 scale=3" },
    { "gamma", "mean=5 sd=2" },
    { "exponential", "mean=2" },
    { "bernoulli", "p=0.3" },
    { "poisson", "mean=4" },
    { "poisson", "mean=250" },
    { "poisson", "mean=0" },
    { "binomial", "n=20 p=0.3" },
    { "binomial", "n=7 p=1" },
    { "discrete", "values=[1, 5, 2] weights=[1, 2, 1]" },
};
#define NFORMS (sizeof forms / sizeof forms[0])

/* Checks that the N numbers in X have SPEC's closed-form mean (4 se, the
 * se from the closed-form variance) and variance (5 se, the se from the
 * sample's fourth central moment, which holds for any dist). */
static void check_moments(const dist_spec *spec, const double *x, size_t n,
                          const char *what)
{
    double mean = 0;
    for (size_t i = 0; i < n; i++)
        mean += x[i];
    mean /= (double)n;
    double m2 = 0, m4 = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (x[i] - mean) * (x[i] - mean);
        m2 += d;
        m4 += d * d;
    }
    m2 /= (double)n;
    m4 /= (double)n;
    double mu = dist_mean(spec), var = dist_variance(spec);
    if (var == 0) {
        CU_ASSERT_EQUAL(mean, mu);
        CU_ASSERT_EQUAL(m2, 0);
        return;
    }
    int ok = test_within(mean, mu, sqrt(var / (double)n), 4, what, __FILE__, __LINE__)
             & test_within(m2, var, sqrt((m4 - m2 * m2) / (double)n), 5, what,
                           __FILE__, __LINE__);
    CU_ASSERT(ok);
}

enum { NDRAWS = 200000 };

static void test_dist__draws_of_every_form__match_closed_form_mean_and_variance(void)
{
    double *x = malloc(NDRAWS * sizeof *x);
    gsl_rng *r = rng_alloc();
    CU_ASSERT_FATAL(x && r);
    char err[512], what[128];
    for (size_t f = 0; f < NFORMS; f++) {
        dist_spec spec;
        int bad;
        CU_ASSERT_EQUAL_FATAL(make(forms[f].dist, forms[f].args, &spec, &bad, err, sizeof err), 0);
        rng_position(r, rng_key(f, forms[f].dist), 0, 0);
        for (size_t i = 0; i < NDRAWS; i++)
            x[i] = dist_draw(&spec, r);
        snprintf(what, sizeof what, "draws of %s(%s)", forms[f].dist, forms[f].args);
        check_moments(&spec, x, NDRAWS, what);
        dist_clear(&spec);
    }
    gsl_rng_free(r);
    free(x);
}

/* Inverse CDFs cost up to a microsecond (beta, gamma, poisson), so this
 * check uses fewer points than the draws do. */
enum { NQUANT = 50000 };

static void test_dist__quantiles_of_uniforms_in_every_form__match_mean_and_variance(void)
{
    double *x = malloc(NQUANT * sizeof *x);
    CU_ASSERT_FATAL(x != NULL);
    char err[512], what[128];
    for (size_t f = 0; f < NFORMS; f++) {
        dist_spec spec;
        int bad;
        CU_ASSERT_EQUAL_FATAL(make(forms[f].dist, forms[f].args, &spec, &bad, err, sizeof err), 0);
        uint64_t key = rng_key(f, "quantile");
        for (size_t i = 0; i < NQUANT; i++) {
            double u = rng_uniform_at(key, i, 0);
            x[i] = dist_quantile(&spec, u > 0 ? u : 0x1p-53);
        }
        snprintf(what, sizeof what, "quantiles of %s(%s)", forms[f].dist, forms[f].args);
        check_moments(&spec, x, NQUANT, what);
        dist_clear(&spec);
    }
    free(x);
}

static void test_dist__ci90_forms__put_5pct_below_lo_and_5pct_above_hi(void)
{
    static const struct { const char *dist, *args; double lo, hi; } cases[] = {
        { "normal", "ci90=[10, 20]", 10, 20 },
        { "normal", "ci90=[-3, -2.5]", -3, -2.5 },
        { "lognormal", "ci90=[1, 4]", 1, 4 },
        { "lognormal", "ci90=[0.001, 1000]", 0.001, 1000 },
    };
    gsl_rng *r = rng_alloc();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    char err[512];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        dist_spec spec;
        int bad;
        CU_ASSERT_EQUAL_FATAL(make(cases[k].dist, cases[k].args, &spec, &bad, err, sizeof err), 0);
        /* Exactly, without draws: the fit puts lo and hi at 5% and 95%. */
        CU_ASSERT_DOUBLE_EQUAL(dist_quantile(&spec, 0.05), cases[k].lo, 1e-9);
        CU_ASSERT_DOUBLE_EQUAL(dist_quantile(&spec, 0.95), cases[k].hi, 1e-9);
        rng_position(r, rng_key(k, "ci90"), 0, 0);
        unsigned below = 0, above = 0;
        for (int i = 0; i < NDRAWS; i++) {
            double x = dist_draw(&spec, r);
            below += x < cases[k].lo;
            above += x > cases[k].hi;
        }
        /* 4 se of a proportion 0.05 over NDRAWS draws. */
        double se = sqrt(0.05 * 0.95 / NDRAWS);
        ASSERT_WITHIN_SE((double)below / NDRAWS, 0.05, se, 4);
        ASSERT_WITHIN_SE((double)above / NDRAWS, 0.05, se, 4);
        dist_clear(&spec);
    }
    gsl_rng_free(r);
}

static void test_dist__quantile__matches_known_values(void)
{
    static const struct { const char *dist, *args; double u, x, tol; } cases[] = {
        { "const", "value=3", 0.7, 3, 0 },
        { "uniform", "min=2 max=4", 0.25, 2.5, 1e-15 },
        { "normal", "mean=0 sd=1", 0.975, 1.959963984540054, 1e-12 },
        { "normal", "mean=5 sd=2", 0.5, 5, 1e-12 },
        { "normal", "mean=0 sd=1 min=0", 0.5, 0.6744897501960817, 1e-12 },  /* half-normal median */
        { "normal", "mean=0 sd=1 max=0", 0.5, -0.6744897501960817, 1e-12 },
        { "normal", "mean=0 sd=1 min=-1 max=1", 0.5, 0, 1e-12 },
        { "lognormal", "median=2 sigma=0.7", 0.5, 2, 1e-12 },
        { "beta", "a=1 b=1", 0.3, 0.3, 1e-10 },
        { "beta", "a=2 b=2", 0.5, 0.5, 1e-10 },
        { "beta", "mean=0.5 sd=0.2886751345948129", 0.3, 0.3, 1e-8 },      /* beta(1, 1) */
        { "pert", "min=10 mode=15 max=20", 0.5, 15, 1e-9 },                 /* beta(3, 3) */
        { "pert", "min=0 mode=0 max=1", 0.5, 0.12944943670387588, 1e-9 },  /* beta(1, 5): 1 - 0.5^(1/5) */
        { "triangular", "min=0 mode=1 max=2", 0.5, 1, 1e-15 },
        { "triangular", "min=0 mode=0 max=1", 0.25, 0.1339745962155614, 1e-15 }, /* 1 - sqrt(3/4) */
        { "triangular", "min=0 mode=1 max=1", 0.25, 0.5, 1e-15 },
        { "gamma", "shape=1 scale=2", 0.5, 2 * M_LN2, 1e-10 },
        { "gamma", "mean=2 sd=2", 0.5, 2 * M_LN2, 1e-10 },                  /* shape 1, scale 2 */
        { "exponential", "mean=2", 0.5, 2 * M_LN2, 1e-15 },
        { "bernoulli", "p=0.3", 0.7, 0, 0 },
        { "bernoulli", "p=0.3", 0.71, 1, 0 },
        { "bernoulli", "p=0", 0.999, 0, 0 },
        { "bernoulli", "p=1", 0.001, 1, 0 },
        /* poisson(3): CDF 0.0498, 0.1991, 0.4232, 0.6472, 0.8153 at 0..4 */
        { "poisson", "mean=3", 0.04, 0, 0 },
        { "poisson", "mean=3", 0.05, 1, 0 },
        { "poisson", "mean=3", 0.5, 3, 0 },
        { "poisson", "mean=3", 0.8, 4, 0 },
        { "poisson", "mean=0", 0.999, 0, 0 },
        /* binomial(10, 0.5): CDF(4) = 386/1024, CDF(5) = 638/1024 */
        { "binomial", "n=10 p=0.5", 0.5, 5, 0 },
        { "binomial", "n=10 p=0.5", 386.0 / 1024 - 1e-9, 4, 0 },
        { "binomial", "n=10 p=0.5", 386.0 / 1024 + 1e-9, 5, 0 },
        { "binomial", "n=10 p=0.5", 1 - 1e-12, 10, 0 },
        { "binomial", "n=10 p=0.5", 1e-12, 0, 0 },
        { "binomial", "n=0 p=0.5", 0.5, 0, 0 },
        /* sorted support 1, 2, 3 with probabilities 1/4, 1/2, 1/4 */
        { "discrete", "values=[3, 1, 2] weights=[1, 1, 2]", 0.25, 1, 0 },
        { "discrete", "values=[3, 1, 2] weights=[1, 1, 2]", 0.26, 2, 0 },
        { "discrete", "values=[3, 1, 2] weights=[1, 1, 2]", 0.9, 3, 0 },
        { "discrete", "values=[3, 1, 2] weights=[1, 0, 2]", 0.1, 2, 0 },
        { "discrete", "values=[1, 2, 9] weights=[1, 1, 0]", 1 - 1e-16, 2, 0 },
    };
    char err[512];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        dist_spec spec;
        int bad;
        CU_ASSERT_EQUAL_FATAL(make(cases[k].dist, cases[k].args, &spec, &bad, err, sizeof err), 0);
        double x = dist_quantile(&spec, cases[k].u);
        if (fabs(x - cases[k].x) > cases[k].tol)
            fprintf(stderr, "\n%s(%s) at %g: %.17g, expected %.17g\n", cases[k].dist,
                    cases[k].args, cases[k].u, x, cases[k].x);
        CU_ASSERT_DOUBLE_EQUAL(x, cases[k].x, cases[k].tol);
        dist_clear(&spec);
    }
}

static void test_dist__gamma_and_beta_quantiles__invert_the_cdf_far_in_both_tails(void)
{
    /* Shapes and u where GSL's own inverse gives up (NaN and an error
     * report, which aborts under GSL's default handler). */
    static const struct { const char *dist, *args; double u; } cases[] = {
        { "gamma", "shape=0.05 scale=2", 1e-10 },
        { "gamma", "shape=0.05 scale=2", 1e-12 },          /* x near 1e-240 */
        { "gamma", "shape=0.01 scale=1", 0.7 },
        { "gamma", "shape=10000 scale=1", 1e-10 },
        { "gamma", "shape=10000 scale=1", 1 - 1e-10 },
        { "gamma", "shape=3 scale=1", 1 - 0x1p-53 },
        { "beta", "a=0.1 b=0.1", 1e-10 },
        { "beta", "a=0.1 b=0.1", 0.3 },
        { "beta", "a=50 b=0.5", 0.5 },
        { "beta", "a=0.5 b=50", 1 - 1e-10 },
        { "beta", "mean=0.01 sd=0.009", 0x1p-53 },
    };
    char err[512];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        dist_spec spec;
        int bad;
        CU_ASSERT_EQUAL_FATAL(make(cases[k].dist, cases[k].args, &spec, &bad, err, sizeof err), 0);
        double u = cases[k].u, x = dist_quantile(&spec, u);
        int gamma = spec.kind == DIST_GAMMA;
        /* Compare tail probabilities (relative), the side u is on. */
        double tail = u <= 0.5
            ? (gamma ? gsl_cdf_gamma_P(x, spec.a, spec.b) : gsl_cdf_beta_P(x, spec.a, spec.b)) / u
            : (gamma ? gsl_cdf_gamma_Q(x, spec.a, spec.b) : gsl_cdf_beta_Q(x, spec.a, spec.b)) / (1 - u);
        if (!(fabs(tail - 1) < 1e-9))
            fprintf(stderr, "\n%s(%s) at %g: x = %.17g, tail ratio %.17g\n", cases[k].dist,
                    cases[k].args, u, x, tail);
        CU_ASSERT(fabs(tail - 1) < 1e-9);
        dist_clear(&spec);
    }
}

static void test_dist__truncated_normal_far_in_the_upper_tail__keeps_precision(void)
{
    dist_spec spec;
    int bad;
    char err[512];
    CU_ASSERT_EQUAL_FATAL(make("normal", "mean=0 sd=1 min=10", &spec, &bad, err, sizeof err), 0);
    /* Phi(10) rounds to 1, so only the upper-tail form can split the mass
     * above 10 in half: Q(x) = Q(10) / 2. */
    double x = dist_quantile(&spec, 0.5);
    CU_ASSERT(x > 10 && x < 11);
    CU_ASSERT_DOUBLE_EQUAL(gsl_cdf_ugaussian_Q(x) / gsl_cdf_ugaussian_Q(10), 0.5, 1e-9);
    /* The mean of a far tail is just above its bound: 10.098 (Mills ratio). */
    CU_ASSERT_DOUBLE_EQUAL(dist_mean(&spec), 10.098093233962423, 1e-9);
    dist_clear(&spec);
    /* The mirror image in the lower tail. */
    CU_ASSERT_EQUAL_FATAL(make("normal", "mean=0 sd=1 max=-10", &spec, &bad, err, sizeof err), 0);
    CU_ASSERT_DOUBLE_EQUAL(dist_quantile(&spec, 0.5), -x, 1e-12);
    dist_clear(&spec);
}

static void test_dist__closed_form_moments__match_known_values(void)
{
    static const struct { const char *dist, *args; double mean, var; } cases[] = {
        { "normal", "mean=0 sd=1 min=0", 0.7978845608028654, 0.3633802276324186 }, /* sqrt(2/pi), 1-2/pi */
        { "normal", "ci90=[10, 20]", 15, 9.240287736704879 },                        /* (5/1.6449)^2 */
        { "lognormal", "median=1 sigma=1", 1.6487212707001282, 4.670774270471604 },
        { "pert", "min=0 mode=1 max=4", 8.0 / 6, (8.0 / 6) * (4 - 8.0 / 6) / 7 },
        { "triangular", "min=0 mode=1 max=4", 5.0 / 3, 13.0 / 18 },
        { "gamma", "mean=5 sd=2", 5, 4 },
        { "beta", "mean=0.3 sd=0.1", 0.3, 0.01 },
        { "discrete", "values=[1, 5, 2] weights=[1, 2, 1]", 3.25, 3.1875 },
    };
    char err[512];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        dist_spec spec;
        int bad;
        CU_ASSERT_EQUAL_FATAL(make(cases[k].dist, cases[k].args, &spec, &bad, err, sizeof err), 0);
        CU_ASSERT_DOUBLE_EQUAL(dist_mean(&spec), cases[k].mean, 1e-12);
        CU_ASSERT_DOUBLE_EQUAL(dist_variance(&spec), cases[k].var, 1e-12);
        dist_clear(&spec);
    }
}

static void test_dist__every_listed_name__is_known_and_only_const_is_not_random(void)
{
    char names[512], err[512];
    snprintf(names, sizeof names, "%s", dist_names());
    int count = 0;
    for (char *save, *tok = strtok_r(names, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        dist_spec spec;
        int bad;
        make(tok, "", &spec, &bad, err, sizeof err);
        /* With no arguments every known dist reports what it is missing. */
        CU_ASSERT(strstr(err, "missing") != NULL);
        CU_ASSERT(strncmp(err, "unknown", 7) != 0);
        count++;
    }
    CU_ASSERT_EQUAL(count, 13);

    dist_spec spec;
    int bad;
    CU_ASSERT_EQUAL(make("const", "value=1", &spec, &bad, err, sizeof err), 0);
    CU_ASSERT_FALSE(dist_is_random(&spec));
    CU_ASSERT_EQUAL(make("bernoulli", "p=1", &spec, &bad, err, sizeof err), 0);
    CU_ASSERT_TRUE(dist_is_random(&spec));
}

static void test_dist__discrete__keeps_sorted_support_and_clears_twice(void)
{
    dist_spec spec;
    int bad;
    char err[512];
    CU_ASSERT_EQUAL_FATAL(make("discrete", "values=[3, 1, 2] weights=[2, 1, 1]", &spec, &bad,
                               err, sizeof err), 0);
    CU_ASSERT_EQUAL(spec.n_values, 3);
    CU_ASSERT_EQUAL(spec.values[0], 1);
    CU_ASSERT_EQUAL(spec.values[2], 3);
    CU_ASSERT_DOUBLE_EQUAL(spec.weights[2], 0.5, 1e-15);
    dist_clear(&spec);
    CU_ASSERT_PTR_NULL(spec.table);
    dist_clear(&spec);
}

static const char *const LIST =
    "const, uniform, normal, lognormal, beta, pert, triangular, gamma, exponential, "
    "bernoulli, poisson, binomial, discrete";
#define NORMAL_TAKES "it takes mean and sd, or ci90 = [lo, hi]; optionally min and max"

static void test_dist__bad_arguments__give_exact_messages_and_blame_the_argument(void)
{
    static const struct { const char *dist, *args, *msg; int bad; } cases[] = {
        { "const", "", "dist 'const' takes value; missing 'value'", -1 },
        { "const", "value=nan", "dist 'const': 'value' must be a finite number; it takes value", 0 },
        { "normal", "", "dist 'normal' takes mean and sd, or ci90 = [lo, hi]; optionally min and max; missing 'mean'", -1 },
        { "normal", "min=0 sd=1", "dist 'normal' takes mean and sd, or ci90 = [lo, hi]; optionally min and max; missing 'mean'", -1 },
        { "lognormal", "median=1", "dist 'lognormal' takes median and sigma, or ci90 = [lo, hi]; missing 'sigma'", -1 },
        { "lognormal", "median=1 sigma=1 sd=2", "dist 'lognormal' does not take 'sd'; it takes median and sigma, or ci90 = [lo, hi]", 2 },
        { "exponential", "mean=1 sd=2", "dist 'exponential' does not take 'sd'; it takes mean", 1 },
        { "normal", "mean=1 ci90=[0, 1]", "dist 'normal': 'ci90' cannot be combined with 'mean'; " NORMAL_TAKES, 1 },
        { "gamma", "shape=1 sd=1", "dist 'gamma': 'sd' cannot be combined with 'shape'; it takes shape and scale, or mean and sd", 1 },
        { "uniform", "min=0 min=1 max=2", "dist 'uniform': 'min' is given twice; it takes min and max", 1 },
        { "normal", "ci90=5", "dist 'normal': 'ci90' must be an array of two numbers [lo, hi]; " NORMAL_TAKES, 0 },
        { "normal", "mean=[1] sd=1", "dist 'normal': 'mean' must be a number, not an array; " NORMAL_TAKES, 0 },
        { "lognormal", "ci90=[1, 2, 3]", "dist 'lognormal': 'ci90' must have two numbers [lo, hi], not 3; it takes median and sigma, or ci90 = [lo, hi]", 0 },
        { "normal", "ci90=[5, 3]", "dist 'normal': 'ci90' = [lo, hi] needs lo < hi (got [5, 3]); " NORMAL_TAKES, 0 },
        { "lognormal", "ci90=[0, 3]", "dist 'lognormal': 'ci90' = [lo, hi] needs 0 < lo (got [0, 3]); it takes median and sigma, or ci90 = [lo, hi]", 0 },
        { "lognormal", "median=-1 sigma=1", "dist 'lognormal': 'median' must be above 0 (got -1); it takes median and sigma, or ci90 = [lo, hi]", 0 },
        { "normal", "mean=0 sd=0", "dist 'normal': 'sd' must be above 0 (got 0); " NORMAL_TAKES, 1 },
        { "normal", "mean=0 sd=1 min=2 max=1", "dist 'normal': 'max' must be above 'min' (got min 2, max 1); " NORMAL_TAKES, 3 },
        { "normal", "mean=0 sd=1 min=50", "dist 'normal': the range [50, inf] holds almost none of the mass of a normal with mean 0 and sd 1; " NORMAL_TAKES, 2 },
        { "uniform", "min=1 max=1", "dist 'uniform': 'max' must be above 'min' (got min 1, max 1); it takes min and max", 1 },
        { "beta", "mean=0.5 sd=0.6", "dist 'beta': no beta distribution has mean 0.5 and sd 0.6 (sd must be below 0.5)", 1 },
        { "beta", "mean=1.2 sd=0.1", "dist 'beta': 'mean' must be between 0 and 1, both excluded (got 1.2); it takes a and b, or mean and sd", 0 },
        { "beta", "a=0 b=1", "dist 'beta': 'a' must be above 0 (got 0); it takes a and b, or mean and sd", 0 },
        { "pert", "min=0 mode=5 max=4", "dist 'pert': 'mode' must be between min and max (got 5); it takes min, mode and max", 1 },
        { "triangular", "min=4 mode=4 max=4", "dist 'triangular': 'max' must be above 'min' (got min 4, max 4); it takes min, mode and max", 2 },
        { "gamma", "mean=-1 sd=1", "dist 'gamma': 'mean' must be above 0 (got -1); it takes shape and scale, or mean and sd", 0 },
        { "exponential", "mean=0", "dist 'exponential': 'mean' must be above 0 (got 0); it takes mean", 0 },
        { "bernoulli", "p=1.5", "dist 'bernoulli': 'p' must be between 0 and 1 (got 1.5); it takes p", 0 },
        { "poisson", "mean=-1", "dist 'poisson': 'mean' must be between 0 and 1e8 (got -1); it takes mean", 0 },
        { "binomial", "n=2.5 p=0.5", "dist 'binomial': 'n' must be a whole number from 0 to 4294967295 (got 2.5); it takes n and p", 0 },
        { "binomial", "n=10 p=-0.1", "dist 'binomial': 'p' must be between 0 and 1 (got -0.1); it takes n and p", 1 },
        { "discrete", "values=[1, 2] weights=[1]", "dist 'discrete': 'values' and 'weights' must have the same length (got 2 and 1); it takes values = [...] and weights = [...]", 1 },
        { "discrete", "values=[1, 2] weights=[1, -1]", "dist 'discrete': 'weights' must all be at least 0 (weight 2 is -1); it takes values = [...] and weights = [...]", 1 },
        { "discrete", "values=[1, 2] weights=[0, 0]", "dist 'discrete': 'weights' must not all be 0; it takes values = [...] and weights = [...]", 1 },
        { "discrete", "values=[] weights=[]", "dist 'discrete': 'values' must not be empty; it takes values = [...] and weights = [...]", 0 },
        { "discrete", "values=1 weights=[1]", "dist 'discrete': 'values' must be an array of numbers [...]; it takes values = [...] and weights = [...]", 0 },
        { "discrete", "weights=[1] values=[nan]", "dist 'discrete': 'values' must hold finite numbers; it takes values = [...] and weights = [...]", 1 },
    };
    char err[512];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        dist_spec spec;
        int bad = 99;
        CU_ASSERT_EQUAL(make(cases[k].dist, cases[k].args, &spec, &bad, err, sizeof err), -1);
        if (strcmp(err, cases[k].msg) != 0)
            fprintf(stderr, "\n%s(%s):\n  got  %s\n  want %s\n", cases[k].dist, cases[k].args,
                    err, cases[k].msg);
        CU_ASSERT_STRING_EQUAL(err, cases[k].msg);
        CU_ASSERT_EQUAL(bad, cases[k].bad);
        /* A failed make leaves nothing to free. */
        CU_ASSERT_PTR_NULL(spec.values);
        CU_ASSERT_PTR_NULL(spec.table);
    }
}

static void test_dist__unknown_dist__suggests_the_closest_and_lists_all(void)
{
    char err[512], want[512];
    dist_spec spec;
    int bad = 99;
    CU_ASSERT_EQUAL(make("normall", "mean=1", &spec, &bad, err, sizeof err), -1);
    snprintf(want, sizeof want, "unknown dist 'normall' (did you mean 'normal'?); known: %s", LIST);
    CU_ASSERT_STRING_EQUAL(err, want);
    CU_ASSERT_EQUAL(bad, -1);
    CU_ASSERT_EQUAL(make("zzzzzzzz", "", &spec, &bad, err, sizeof err), -1);
    snprintf(want, sizeof want, "unknown dist 'zzzzzzzz'; known: %s", LIST);
    CU_ASSERT_STRING_EQUAL(err, want);
}

void test_dist_register(void);
void test_dist_register(void)
{
    static const test_case cases[] = {
        { "draws of every form match closed-form mean and variance", test_dist__draws_of_every_form__match_closed_form_mean_and_variance },
        { "quantiles of uniforms in every form match mean and variance", test_dist__quantiles_of_uniforms_in_every_form__match_mean_and_variance },
        { "ci90 forms put 5% below lo and 5% above hi", test_dist__ci90_forms__put_5pct_below_lo_and_5pct_above_hi },
        { "quantile matches known values", test_dist__quantile__matches_known_values },
        { "gamma and beta quantiles invert the CDF far in both tails", test_dist__gamma_and_beta_quantiles__invert_the_cdf_far_in_both_tails },
        { "truncated normal far in the upper tail keeps precision", test_dist__truncated_normal_far_in_the_upper_tail__keeps_precision },
        { "closed-form moments match known values", test_dist__closed_form_moments__match_known_values },
        { "every listed name is known; only const is not random", test_dist__every_listed_name__is_known_and_only_const_is_not_random },
        { "discrete keeps sorted support and clears twice", test_dist__discrete__keeps_sorted_support_and_clears_twice },
        { "bad arguments give exact messages and blame the argument", test_dist__bad_arguments__give_exact_messages_and_blame_the_argument },
        { "unknown dist suggests the closest and lists all", test_dist__unknown_dist__suggests_the_closest_and_lists_all },
    };
    TEST_SUITE("dist", cases);
}

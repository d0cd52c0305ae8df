/* dist.c: the distributions of params: argument forms and checks, fits, draws, quantiles, moments. */
#include "random/dist.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "base/diag.h"

/* The largest poisson mean: GSL's poisson CDF counts in unsigned int, and
 * the quantile search must stay well inside that range. */
#define DIST_POISSON_MAX 1e8

/* One dist as the scenario language names it. Its argument forms share no
 * name, so the first argument that belongs to a form picks the form. */
typedef struct dist_def {
    const char *name;
    dist_kind kind;
    const char *forms[2][3];   /* required arguments of each form (NULL-padded) */
    const char *optional[2];   /* arguments any form may add (NULL-padded) */
    const char *takes;         /* the forms in words, for messages */
} dist_def;

static const dist_def dist_defs[] = {
    { "const", DIST_CONST, { { "value" } }, { NULL }, "value" },
    { "uniform", DIST_UNIFORM, { { "min", "max" } }, { NULL }, "min and max" },
    { "normal", DIST_NORMAL, { { "mean", "sd" }, { "ci90" } }, { "min", "max" },
      "mean and sd, or ci90 = [lo, hi]; optionally min and max" },
    { "lognormal", DIST_LOGNORMAL, { { "median", "sigma" }, { "ci90" } }, { NULL },
      "median and sigma, or ci90 = [lo, hi]" },
    { "beta", DIST_BETA, { { "a", "b" }, { "mean", "sd" } }, { NULL },
      "a and b, or mean and sd" },
    { "pert", DIST_PERT, { { "min", "mode", "max" } }, { NULL }, "min, mode and max" },
    { "triangular", DIST_TRIANGULAR, { { "min", "mode", "max" } }, { NULL },
      "min, mode and max" },
    { "gamma", DIST_GAMMA, { { "shape", "scale" }, { "mean", "sd" } }, { NULL },
      "shape and scale, or mean and sd" },
    { "exponential", DIST_EXPONENTIAL, { { "mean" } }, { NULL }, "mean" },
    { "bernoulli", DIST_BERNOULLI, { { "p" } }, { NULL }, "p" },
    { "poisson", DIST_POISSON, { { "mean" } }, { NULL }, "mean" },
    { "binomial", DIST_BINOMIAL, { { "n", "p" } }, { NULL }, "n and p" },
    { "discrete", DIST_DISCRETE, { { "values", "weights" } }, { NULL },
      "values = [...] and weights = [...]" },
};
#define DIST_NDEFS (sizeof dist_defs / sizeof dist_defs[0])

const char *dist_names(void)
{
    /* Kept in the order of dist_defs (a test checks they agree). */
    return "const, uniform, normal, lognormal, beta, pert, triangular, gamma, "
           "exponential, bernoulli, poisson, binomial, discrete";
}

/* The arguments written as arrays; every other argument is one number. */
static int dist_is_array_arg(const char *name)
{
    return strcmp(name, "ci90") == 0 || strcmp(name, "values") == 0
           || strcmp(name, "weights") == 0;
}

/* What dist_make is working on, so that checks can report in one line. */
typedef struct make_ctx {
    const dist_def *def;
    const dist_arg *args;   /* borrowed from the caller */
    size_t n;
    int *bad;
    char *err;
    size_t errlen;
} make_ctx;

/* Index in the arguments of NAME, or -1. */
static int arg_index(const make_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->args[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* The first number of argument NAME, which must be present. */
static double arg_num(const make_ctx *c, const char *name)
{
    int i = arg_index(c, name);
    assert(i >= 0);
    return c->args[i].v[0];
}

/* Reports "dist 'NAME': <FMT ...>; it takes <forms>" blaming argument ARG
 * (NULL: no single argument). Returns -1 so callers can `return fail(...)`. */
static int make_fail(make_ctx *c, const char *arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int make_fail(make_ctx *c, const char *arg, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "dist '%s': %s; it takes %s", c->def->name, what,
             c->def->takes);
    *c->bad = arg ? arg_index(c, arg) : -1;
    return -1;
}

/* Fails unless OK, saying argument NAME must be RULE. */
static int check(make_ctx *c, const char *name, int ok, const char *rule)
{
    if (ok)
        return 0;
    return make_fail(c, name, "'%s' must be %s (got %g)", name, rule, arg_num(c, name));
}

/* Which form of C's dist argument NAME belongs to: 0 or 1, 2 for an
 * optional argument, -1 for none. */
static int form_of(const dist_def *def, const char *name)
{
    for (int f = 0; f < 2; f++)
        for (int k = 0; k < 3 && def->forms[f][k]; k++)
            if (strcmp(def->forms[f][k], name) == 0)
                return f;
    for (int k = 0; k < 2 && def->optional[k]; k++)
        if (strcmp(def->optional[k], name) == 0)
            return 2;
    return -1;
}

/* Checks each argument's name, shape and values and settles the form:
 * returns the form's index, or -1 after reporting. */
static int make_pick_form(make_ctx *c)
{
    const dist_def *def = c->def;
    int form = -1, form_arg = -1;
    for (size_t i = 0; i < c->n; i++) {
        const dist_arg *a = &c->args[i];
        int f = form_of(def, a->name);
        if (f < 0) {
            snprintf(c->err, c->errlen, "dist '%s' does not take '%s'; it takes %s",
                     def->name, a->name, def->takes);
            *c->bad = (int)i;
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->args[j].name, a->name) == 0) {
                make_fail(c, NULL, "'%s' is given twice", a->name);
                *c->bad = (int)i;
                return -1;
            }
        if (f < 2) {
            if (form < 0) {
                form = f;
                form_arg = (int)i;
            } else if (f != form) {
                make_fail(c, NULL, "'%s' cannot be combined with '%s'", a->name,
                          c->args[form_arg].name);
                *c->bad = (int)i;
                return -1;
            }
        }
        int want_array = dist_is_array_arg(a->name);
        if (want_array && !a->is_array)
            return make_fail(c, a->name, strcmp(a->name, "ci90") == 0
                             ? "'%s' must be an array of two numbers [lo, hi]"
                             : "'%s' must be an array of numbers [...]", a->name);
        if (!want_array && (a->is_array || a->n != 1))
            return make_fail(c, a->name, "'%s' must be a number, not an array", a->name);
        if (strcmp(a->name, "ci90") == 0 && a->n != 2)
            return make_fail(c, a->name, "'ci90' must have two numbers [lo, hi], not %zu",
                             a->n);
        for (size_t k = 0; k < a->n; k++)
            if (!isfinite(a->v[k]))
                return make_fail(c, a->name, a->is_array ? "'%s' must hold finite numbers"
                                                 : "'%s' must be a finite number", a->name);
    }
    if (form < 0)
        form = 0;
    for (int k = 0; k < 3 && def->forms[form][k]; k++)
        if (arg_index(c, def->forms[form][k]) < 0) {
            snprintf(c->err, c->errlen, "dist '%s' takes %s; missing '%s'", def->name,
                     def->takes, def->forms[form][k]);
            *c->bad = -1;
            return -1;
        }
    return form;
}

/* The standard normal quantile of 0.95: a ci90 spans 2 of these sds. */
static double dist_z95(void)
{
    return gsl_cdf_ugaussian_Pinv(0.95);
}

/* Reads ci90 = [lo, hi] into *LO, *HI; fails unless lo < hi (and 0 < lo
 * when POSITIVE). */
static int make_ci90(make_ctx *c, int positive, double *lo, double *hi)
{
    const dist_arg *a = &c->args[arg_index(c, "ci90")];
    *lo = a->v[0];
    *hi = a->v[1];
    if (positive && !(*lo > 0))
        return make_fail(c, "ci90", "'ci90' = [lo, hi] needs 0 < lo (got [%g, %g])", *lo, *hi);
    if (!(*lo < *hi))
        return make_fail(c, "ci90", "'ci90' = [lo, hi] needs lo < hi (got [%g, %g])", *lo, *hi);
    return 0;
}

/* A normal truncated to [lo, hi] in standard units, in whichever tail form
 * keeps precision: when the range starts above the mean, upper-tail
 * probabilities Q are used (Φ there rounds to 1), else lower-tail ones.
 * *PA and *PB are the tail probabilities at the two bounds; the mass in
 * the range is |*PB - *PA|. Returns 1 for the upper-tail form. */
static int trunc_tails(const dist_spec *s, double *pa, double *pb)
{
    double alpha = (s->lo - s->a) / s->b, beta = (s->hi - s->a) / s->b;
    if (alpha > 0) {
        *pa = gsl_cdf_ugaussian_Q(alpha);
        *pb = gsl_cdf_ugaussian_Q(beta);
        return 1;
    }
    *pa = gsl_cdf_ugaussian_P(alpha);
    *pb = gsl_cdf_ugaussian_P(beta);
    return 0;
}

/* The beta shapes of the pert S (lambda 4): the mode pulls the mass. */
static void pert_shapes(const dist_spec *s, double *alpha, double *beta)
{
    double w = s->c - s->a;
    *alpha = 1 + 4 * (s->b - s->a) / w;
    *beta = 1 + 4 * (s->c - s->b) / w;
}

static int is_truncated(const dist_spec *s)
{
    return s->kind == DIST_NORMAL && (s->lo > -INFINITY || s->hi < INFINITY);
}

/* Reads arguments N1 and N2 into S's a and b; fails unless both are > 0. */
static int make_positive_pair(make_ctx *c, const char *n1, const char *n2, dist_spec *s)
{
    s->a = arg_num(c, n1);
    s->b = arg_num(c, n2);
    if (check(c, n1, s->a > 0, "above 0") || check(c, n2, s->b > 0, "above 0"))
        return -1;
    return 0;
}

static int make_normal(make_ctx *c, int form, dist_spec *s)
{
    if (form == 0) {
        if (check(c, "sd", arg_num(c, "sd") > 0, "above 0"))
            return -1;
        s->a = arg_num(c, "mean");
        s->b = arg_num(c, "sd");
    } else {
        double lo, hi;
        if (make_ci90(c, 0, &lo, &hi))
            return -1;
        s->a = lo / 2 + hi / 2;
        s->b = (hi - lo) / (2 * dist_z95());
    }
    int has_min = arg_index(c, "min") >= 0, has_max = arg_index(c, "max") >= 0;
    if (has_min)
        s->lo = arg_num(c, "min");
    if (has_max)
        s->hi = arg_num(c, "max");
    if (has_min && has_max && !(s->lo < s->hi))
        return make_fail(c, "max", "'max' must be above 'min' (got min %g, max %g)",
                         s->lo, s->hi);
    if (has_min || has_max) {
        double pa, pb;
        trunc_tails(s, &pa, &pb);
        /* Below this the inverse CDF has no precision left to place draws. */
        if (!(fabs(pb - pa) > 1e-300))
            return make_fail(c, has_min ? "min" : "max",
                             "the range [%g, %g] holds almost none of the mass of "
                             "a normal with mean %g and sd %g", s->lo, s->hi, s->a, s->b);
    }
    return 0;
}

static int make_lognormal(make_ctx *c, int form, dist_spec *s)
{
    if (form == 0) {
        if (make_positive_pair(c, "median", "sigma", s))
            return -1;
        s->a = log(s->a);
    } else {
        double lo, hi;
        if (make_ci90(c, 1, &lo, &hi))
            return -1;
        s->a = (log(lo) + log(hi)) / 2;
        s->b = (log(hi) - log(lo)) / (2 * dist_z95());
    }
    return 0;
}

static int make_beta(make_ctx *c, int form, dist_spec *s)
{
    if (form == 0)
        return make_positive_pair(c, "a", "b", s);
    double m = arg_num(c, "mean"), sd = arg_num(c, "sd");
    if (check(c, "mean", m > 0 && m < 1, "between 0 and 1, both excluded")
        || check(c, "sd", sd > 0, "above 0"))
        return -1;
    /* A beta with mean m has variance m(1-m)/(a+b+1) < m(1-m). */
    double v = m * (1 - m);
    if (!(sd * sd < v)) {
        snprintf(c->err, c->errlen,
                 "dist 'beta': no beta distribution has mean %g and sd %g (sd must be below %g)",
                 m, sd, sqrt(v));
        *c->bad = arg_index(c, "sd");
        return -1;
    }
    double nu = v / (sd * sd) - 1;
    s->a = m * nu;
    s->b = (1 - m) * nu;
    return 0;
}

/* min < max and min <= mode <= max, for pert and triangular. */
static int make_min_mode_max(make_ctx *c, dist_spec *s)
{
    s->a = arg_num(c, "min");
    s->b = arg_num(c, "mode");
    s->c = arg_num(c, "max");
    if (!(s->a < s->c))
        return make_fail(c, "max", "'max' must be above 'min' (got min %g, max %g)",
                         s->a, s->c);
    return check(c, "mode", s->a <= s->b && s->b <= s->c, "between min and max");
}

static int make_gamma(make_ctx *c, int form, dist_spec *s)
{
    if (form == 0)
        return make_positive_pair(c, "shape", "scale", s);
    if (make_positive_pair(c, "mean", "sd", s))
        return -1;
    double m = s->a, sd = s->b;
    /* mean = shape scale, variance = shape scale^2. */
    s->a = (m / sd) * (m / sd);
    s->b = sd * sd / m;
    return 0;
}

/* One support value and its weight, for sorting a discrete dist. */
typedef struct dist_point { double v, w; } dist_point;

static int point_cmp(const void *pa, const void *pb)
{
    const dist_point *a = pa, *b = pb;
    return (a->v > b->v) - (a->v < b->v);
}

static int make_discrete(make_ctx *c, dist_spec *s)
{
    const dist_arg *vals = &c->args[arg_index(c, "values")];
    const dist_arg *wts = &c->args[arg_index(c, "weights")];
    if (vals->n == 0)
        return make_fail(c, "values", "'values' must not be empty");
    if (wts->n != vals->n)
        return make_fail(c, "weights", "'values' and 'weights' must have the same length "
                         "(got %zu and %zu)", vals->n, wts->n);
    double total = 0;
    for (size_t k = 0; k < wts->n; k++) {
        if (wts->v[k] < 0)
            return make_fail(c, "weights", "'weights' must all be at least 0 "
                             "(weight %zu is %g)", k + 1, wts->v[k]);
        total += wts->v[k];
    }
    if (!(total > 0))
        return make_fail(c, "weights", "'weights' must not all be 0");

    /* Sorted by value, so that the quantile (the smallest value whose CDF
     * reaches u) is a running sum. */
    size_t n = vals->n;
    dist_point *pts = malloc(n * sizeof *pts);
    s->values = malloc(n * sizeof *s->values);
    s->weights = malloc(n * sizeof *s->weights);
    if (!pts || !s->values || !s->weights)
        goto oom;
    for (size_t k = 0; k < n; k++) {
        pts[k].v = vals->v[k];
        pts[k].w = wts->v[k] / total;
    }
    qsort(pts, n, sizeof *pts, point_cmp);
    for (size_t k = 0; k < n; k++) {
        s->values[k] = pts[k].v;
        s->weights[k] = pts[k].w;
    }
    s->n_values = n;
    s->table = gsl_ran_discrete_preproc(n, s->weights);
    if (!s->table)
        goto oom;
    free(pts);
    return 0;
oom:
    free(pts);
    snprintf(c->err, c->errlen, "dist 'discrete': out of memory");
    *c->bad = -1;
    return -1;
}

/* Builds the canonical parameters of C's dist in FORM into S. */
static int make_kind(make_ctx *c, int form, dist_spec *s)
{
    switch (s->kind) {
    case DIST_CONST:
        s->a = arg_num(c, "value");
        return 0;
    case DIST_UNIFORM:
        s->a = arg_num(c, "min");
        s->b = arg_num(c, "max");
        if (!(s->a < s->b))
            return make_fail(c, "max", "'max' must be above 'min' (got min %g, max %g)",
                             s->a, s->b);
        return 0;
    case DIST_NORMAL:
        return make_normal(c, form, s);
    case DIST_LOGNORMAL:
        return make_lognormal(c, form, s);
    case DIST_BETA:
        return make_beta(c, form, s);
    case DIST_PERT:
    case DIST_TRIANGULAR:
        return make_min_mode_max(c, s);
    case DIST_GAMMA:
        return make_gamma(c, form, s);
    case DIST_EXPONENTIAL:
        s->a = arg_num(c, "mean");
        return check(c, "mean", s->a > 0, "above 0");
    case DIST_BERNOULLI:
        s->a = arg_num(c, "p");
        return check(c, "p", s->a >= 0 && s->a <= 1, "between 0 and 1");
    case DIST_POISSON:
        s->a = arg_num(c, "mean");
        return check(c, "mean", s->a >= 0 && s->a <= DIST_POISSON_MAX, "between 0 and 1e8");
    case DIST_BINOMIAL:
        s->a = arg_num(c, "n");
        s->b = arg_num(c, "p");
        if (check(c, "n", s->a >= 0 && s->a <= UINT_MAX && s->a == floor(s->a),
                  "a whole number from 0 to 4294967295"))
            return -1;
        return check(c, "p", s->b >= 0 && s->b <= 1, "between 0 and 1");
    case DIST_DISCRETE:
        return make_discrete(c, s);
    }
    assert(0 && "unknown dist kind");
    return -1;
}

int dist_make(const char *name, const dist_arg *args, size_t n,
              dist_spec *spec, int *bad, char *err, size_t errlen)
{
    memset(spec, 0, sizeof *spec);
    spec->lo = -INFINITY;
    spec->hi = INFINITY;
    *bad = -1;

    const dist_def *def = NULL;
    for (size_t i = 0; i < DIST_NDEFS; i++)
        if (strcmp(dist_defs[i].name, name) == 0)
            def = &dist_defs[i];
    if (!def) {
        const char *names[DIST_NDEFS];
        for (size_t i = 0; i < DIST_NDEFS; i++)
            names[i] = dist_defs[i].name;
        const char *near = diag_suggest(name, strlen(name), names, DIST_NDEFS);
        if (near)
            snprintf(err, errlen, "unknown dist '%s' (did you mean '%s'?); known: %s",
                     name, near, dist_names());
        else
            snprintf(err, errlen, "unknown dist '%s'; known: %s", name, dist_names());
        return -1;
    }

    make_ctx c = { def, args, n, bad, err, errlen };
    spec->kind = def->kind;
    int form = make_pick_form(&c);
    if (form < 0 || make_kind(&c, form, spec) != 0) {
        dist_clear(spec);
        return -1;
    }
    return 0;
}

void dist_clear(dist_spec *spec)
{
    free(spec->values);
    free(spec->weights);
    if (spec->table)
        gsl_ran_discrete_free(spec->table);
    spec->values = NULL;
    spec->weights = NULL;
    spec->table = NULL;
    spec->n_values = 0;
}

int dist_is_random(const dist_spec *spec)
{
    return spec->kind != DIST_CONST;
}

/* Inverse CDF of the truncated normal S at U: the parent's inverse CDF
 * over the part of [0, 1] that the range [lo, hi] covers. */
static double trunc_quantile(const dist_spec *s, double u)
{
    double pa, pb, z;
    if (trunc_tails(s, &pa, &pb))
        z = gsl_cdf_ugaussian_Qinv(pa - u * (pa - pb));
    else
        z = gsl_cdf_ugaussian_Pinv(pa + u * (pb - pa));
    double x = s->a + s->b * z;
    /* Rounding may step just outside the range; the range is the promise. */
    return x < s->lo ? s->lo : x > s->hi ? s->hi : x;
}

double dist_draw(const dist_spec *spec, gsl_rng *r)
{
    const dist_spec *s = spec;
    switch (s->kind) {
    case DIST_CONST:
        return s->a;
    case DIST_UNIFORM:
        return gsl_ran_flat(r, s->a, s->b);
    case DIST_NORMAL:
        if (is_truncated(s))
            return trunc_quantile(s, gsl_rng_uniform_pos(r));
        return s->a + gsl_ran_gaussian_ziggurat(r, s->b);
    case DIST_LOGNORMAL:
        return gsl_ran_lognormal(r, s->a, s->b);
    case DIST_BETA:
        return gsl_ran_beta(r, s->a, s->b);
    case DIST_PERT: {
        double alpha, beta;
        pert_shapes(s, &alpha, &beta);
        return s->a + (s->c - s->a) * gsl_ran_beta(r, alpha, beta);
    }
    case DIST_TRIANGULAR:
        /* GSL has no triangular sampler; the inverse CDF is cheap. */
        return dist_quantile(s, gsl_rng_uniform_pos(r));
    case DIST_GAMMA:
        return gsl_ran_gamma(r, s->a, s->b);
    case DIST_EXPONENTIAL:
        return gsl_ran_exponential(r, s->a);
    case DIST_BERNOULLI:
        return gsl_ran_bernoulli(r, s->a);
    case DIST_POISSON:
        return gsl_ran_poisson(r, s->a);
    case DIST_BINOMIAL:
        return gsl_ran_binomial(r, s->b, (unsigned)s->a);
    case DIST_DISCRETE:
        return s->values[gsl_ran_discrete(r, s->table)];
    }
    assert(0 && "unknown dist kind");
    return NAN;
}

/*
 * Inverse CDFs of gamma and beta. GSL's gsl_cdf_gamma_Pinv fails (NaN and
 * an error report) for small shapes in the lower tail and for large shapes
 * far out, and the Latin hypercube and Sobol samplers ask for any u in
 * [2^-53, 1 - 2^-53]. So: safeguarded Newton on the log of the tail
 * probability (lower tail P for u <= 1/2, upper tail Q above, so neither
 * rounds to 1), in a variable y in which that log is nearly linear:
 *   LOG_X    x = e^y         lower tails, where P ~ x^a
 *   LOG_1MX  x = 1 - e^y     the beta's upper tail, where Q ~ (1-x)^b
 *   NEG_X    x = -y          the gamma's upper tail, where log Q ~ -x
 * Each step that leaves the bracket known so far is replaced by bisection.
 */
typedef enum { INV_LOG_X, INV_LOG_1MX, INV_NEG_X } inv_var;

typedef struct inv_fns {
    double (*P)(double x, double a, double b);
    double (*Q)(double x, double a, double b);
    double (*pdf)(double x, double a, double b);
} inv_fns;

static const inv_fns inv_gamma = { gsl_cdf_gamma_P, gsl_cdf_gamma_Q, gsl_ran_gamma_pdf };
static const inv_fns inv_beta = { gsl_cdf_beta_P, gsl_cdf_beta_Q, gsl_ran_beta_pdf };

/* x at variable Y, and |dx/dy| there. */
static double inv_x(inv_var var, double y, double *dxdy)
{
    switch (var) {
    case INV_LOG_X:
        *dxdy = exp(y);
        return *dxdy;
    case INV_LOG_1MX:
        *dxdy = exp(y);
        return -expm1(y); /* 1 - e^y, exact for tiny x too */
    case INV_NEG_X:
        break;
    }
    *dxdy = 1;
    return -y;
}

/* Solves tail(x) = TARGET for the dist F with shapes A, B (scale 1) from Y0, where
 * tail is P for INV_LOG_X and Q otherwise, so that log tail rises with y;
 * YHI bounds y from above (the domain's edge). */
static double inv_solve(const inv_fns *f, double a, double b, inv_var var,
                        double target, double y0, double yhi)
{
    const double log_target = log(target);
    double ylo = -INFINITY, y = y0;
    if (!(y > -700)) /* NaN, or a start whose x underflows */
        y = -700;
    if (!(y < yhi))
        y = isinf(yhi) ? 0 : yhi - 1;
    double dxdy, x = inv_x(var, y, &dxdy);
    for (int it = 0; it < 200; it++) {
        double tail = var == INV_LOG_X ? f->P(x, a, b) : f->Q(x, a, b);
        double h = log(tail) - log_target;
        /* The tail to 1e-13 relative: as far as GSL's CDFs are exact. */
        if (fabs(h) < 1e-13)
            return x;
        if (h > 0)
            yhi = y;
        else
            ylo = y;
        double next = y - h * tail / (f->pdf(x, a, b) * dxdy);
        if (!(next > ylo && next < yhi)) {
            /* Outside the bracket (or NaN): bisect, or walk outwards
             * while one side is still open. */
            if (isinf(ylo))
                next = yhi - 1 - fabs(yhi);
            else if (isinf(yhi))
                next = ylo + 1 + fabs(ylo);
            else
                next = ylo / 2 + yhi / 2;
        }
        /* Relative in y: in each variable that is relative in x (or in
         * 1 - x), where the answers may be as small as 1e-300. */
        if (fabs(next - y) <= 1e-14 * fabs(y) || next == y)
            return inv_x(var, next, &dxdy);
        y = next;
        x = inv_x(var, y, &dxdy);
    }
    return x;
}

/* Quantile at U of the gamma with shape A and scale 1. */
static double gamma_quantile(double a, double u)
{
    /* Start: Wilson-Hilferty's cube of a normal, or for small shapes in
     * the lower tail, where it fails, the leading term of
     * P(x) ~ x^a / Gamma(a + 1). */
    double z = gsl_cdf_ugaussian_Pinv(u), c = 1 / (9 * a);
    double wh = 1 - c + z * sqrt(c), x0 = a * wh * wh * wh;
    /* From here GSL's incomplete gamma reports errors, and the start is
     * already within 1e-8 (relative, at u = 1e-10) of the answer. */
    if (a >= 1e6)
        return x0;
    if (u <= 0.5) {
        double small = exp((log(u) + lgamma(a + 1)) / a);
        if (!(wh > 0) || (a < 1 && small < x0))
            x0 = small;
        return inv_solve(&inv_gamma, a, 1, INV_LOG_X, u, log(x0), INFINITY);
    }
    if (!(wh > 0))
        x0 = a;
    return inv_solve(&inv_gamma, a, 1, INV_NEG_X, 1 - u, -x0, 0);
}

/* Quantile at U of the beta with shapes A and B. */
static double beta_quantile(double a, double b, double u)
{
    /* Start: a normal with the beta's mean and sd, kept inside (0, 1), or
     * where smaller (larger) the leading term of the lower (upper) tail. */
    double m = a / (a + b), sd = sqrt(a * b / ((a + b) * (a + b) * (a + b + 1)));
    double x0 = m + sd * gsl_cdf_ugaussian_Pinv(u);
    x0 = fmin(fmax(x0, m * 1e-3), 1 - (1 - m) * 1e-3);
    double lbeta = lgamma(a) + lgamma(b) - lgamma(a + b);
    if (u <= 0.5) {
        x0 = fmin(x0, exp((log(u) + log(a) + lbeta) / a));
        return inv_solve(&inv_beta, a, b, INV_LOG_X, u, log(x0), 0);
    }
    x0 = fmax(x0, 1 - exp((log1p(-u) + log(b) + lbeta) / b));
    return inv_solve(&inv_beta, a, b, INV_LOG_1MX, 1 - u, log1p(-x0), 0);
}

/* P(X <= K) for the counting dists (poisson, binomial). */
static double count_cdf(const dist_spec *s, double k)
{
    if (s->kind == DIST_POISSON)
        return gsl_cdf_poisson_P((unsigned)k, s->a);
    return gsl_cdf_binomial_P((unsigned)k, s->b, (unsigned)s->a);
}

/* The smallest k in [0, CAP] with P(X <= k) >= U for a counting dist:
 * start at an approximation, gallop outwards to bracket the answer,
 * then bisect, so a quantile costs a handful of CDF evaluations. When the
 * CDF never reaches U (rounding near 1) the answer is CAP. */
static double count_quantile(const dist_spec *s, double u, double cap)
{
    /* A point mass (poisson mean 0, binomial p 0 or 1, n 0); GSL's poisson
     * CDF also refuses a mean of 0. */
    if (dist_variance(s) == 0)
        return dist_mean(s);
    double sd = sqrt(dist_variance(s));
    /* Cornish-Fisher: the normal quantile corrected for skewness, then for
     * continuity, is usually within one of the answer. */
    double skew = s->kind == DIST_POISSON ? 1 / sd : (1 - 2 * s->b) / sd;
    double z = gsl_cdf_ugaussian_Pinv(u);
    double guess = ceil(dist_mean(s) + sd * (z + skew * (z * z - 1) / 6) - 0.5);
    double step = 1;
    guess = !(guess > 0) ? 0 : guess > cap ? cap : guess; /* NaN-safe at u = 0 */
    double lo, hi; /* the answer is in [lo, hi] */
    if (count_cdf(s, guess) >= u) {
        hi = guess;
        lo = 0;
        while (hi > 0) {
            double t = hi > step ? hi - step : 0;
            if (count_cdf(s, t) < u) {
                lo = t + 1;
                break;
            }
            hi = t;
            step *= 2;
        }
    } else {
        lo = guess + 1;
        hi = cap;
        while (lo < cap) {
            double t = lo + step < cap ? lo + step : cap;
            if (count_cdf(s, t) >= u) {
                hi = t;
                break;
            }
            lo = t + 1;
            step *= 2;
        }
        if (lo > cap)
            return cap;
    }
    while (lo < hi) {
        double mid = floor(lo + (hi - lo) / 2);
        if (count_cdf(s, mid) >= u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return hi;
}

double dist_quantile(const dist_spec *spec, double u)
{
    const dist_spec *s = spec;
    switch (s->kind) {
    case DIST_CONST:
        return s->a;
    case DIST_UNIFORM:
        return s->a + (s->b - s->a) * u;
    case DIST_NORMAL:
        if (is_truncated(s))
            return trunc_quantile(s, u);
        return s->a + s->b * gsl_cdf_ugaussian_Pinv(u);
    case DIST_LOGNORMAL:
        return gsl_cdf_lognormal_Pinv(u, s->a, s->b);
    case DIST_BETA:
        return beta_quantile(s->a, s->b, u);
    case DIST_PERT: {
        double alpha, beta;
        pert_shapes(s, &alpha, &beta);
        return s->a + (s->c - s->a) * beta_quantile(alpha, beta, u);
    }
    case DIST_TRIANGULAR: {
        double w = s->c - s->a, left = s->b - s->a, right = s->c - s->b;
        if (u * w < left)
            return s->a + sqrt(u * w * left);
        return s->c - sqrt((1 - u) * w * right);
    }
    case DIST_GAMMA:
        return s->b * gamma_quantile(s->a, u);
    case DIST_EXPONENTIAL:
        return -s->a * log1p(-u);
    case DIST_BERNOULLI:
        return u <= 1 - s->a ? 0 : 1;
    case DIST_POISSON:
        /* Beyond 40 sd (plus 40 for tiny means) the CDF is 1 in doubles. */
        return count_quantile(s, u, floor(s->a + 40 * sqrt(s->a) + 40));
    case DIST_BINOMIAL:
        return count_quantile(s, u, s->a);
    case DIST_DISCRETE: {
        double cum = 0;
        size_t last = 0;
        for (size_t k = 0; k < s->n_values; k++) {
            if (s->weights[k] <= 0)
                continue;
            cum += s->weights[k];
            last = k;
            if (cum >= u)
                return s->values[k];
        }
        /* The sum of the weights rounded below U. */
        return s->values[last];
    }
    }
    assert(0 && "unknown dist kind");
    return NAN;
}

/* x phi(x) for the standard normal density, 0 at the infinities. */
static double x_phi(double x)
{
    return isinf(x) ? 0 : x * gsl_ran_ugaussian_pdf(x);
}

/* Mean and variance of the truncated normal S in standard units:
 * E[Z] = (phi(a) - phi(b)) / m, Var Z = 1 + (a phi(a) - b phi(b)) / m - E[Z]^2. */
static void trunc_moments(const dist_spec *s, double *mean, double *var)
{
    double alpha = (s->lo - s->a) / s->b, beta = (s->hi - s->a) / s->b;
    double pa, pb;
    trunc_tails(s, &pa, &pb);
    double mass = fabs(pb - pa);
    double ez = (gsl_ran_ugaussian_pdf(alpha) - gsl_ran_ugaussian_pdf(beta)) / mass;
    *mean = s->a + s->b * ez;
    *var = s->b * s->b * (1 + (x_phi(alpha) - x_phi(beta)) / mass - ez * ez);
}

double dist_mean(const dist_spec *spec)
{
    const dist_spec *s = spec;
    double m, v;
    switch (s->kind) {
    case DIST_CONST:
        return s->a;
    case DIST_UNIFORM:
        return (s->a + s->b) / 2;
    case DIST_NORMAL:
        if (!is_truncated(s))
            return s->a;
        trunc_moments(s, &m, &v);
        return m;
    case DIST_LOGNORMAL:
        return exp(s->a + s->b * s->b / 2);
    case DIST_BETA:
        return s->a / (s->a + s->b);
    case DIST_PERT:
        return (s->a + 4 * s->b + s->c) / 6;
    case DIST_TRIANGULAR:
        return (s->a + s->b + s->c) / 3;
    case DIST_GAMMA:
        return s->a * s->b;
    case DIST_EXPONENTIAL:
    case DIST_BERNOULLI:
    case DIST_POISSON:
        return s->a;
    case DIST_BINOMIAL:
        return s->a * s->b;
    case DIST_DISCRETE:
        m = 0;
        for (size_t k = 0; k < s->n_values; k++)
            m += s->weights[k] * s->values[k];
        return m;
    }
    assert(0 && "unknown dist kind");
    return NAN;
}

double dist_variance(const dist_spec *spec)
{
    const dist_spec *s = spec;
    double m, v;
    switch (s->kind) {
    case DIST_CONST:
        return 0;
    case DIST_UNIFORM:
        return (s->b - s->a) * (s->b - s->a) / 12;
    case DIST_NORMAL:
        if (!is_truncated(s))
            return s->b * s->b;
        trunc_moments(s, &m, &v);
        return v;
    case DIST_LOGNORMAL:
        return expm1(s->b * s->b) * exp(2 * s->a + s->b * s->b);
    case DIST_BETA: {
        double ab = s->a + s->b;
        return s->a * s->b / (ab * ab * (ab + 1));
    }
    case DIST_PERT:
        /* (mean - min)(max - mean) / (lambda + 3) with lambda = 4. */
        m = dist_mean(s);
        return (m - s->a) * (s->c - m) / 7;
    case DIST_TRIANGULAR:
        return (s->a * s->a + s->b * s->b + s->c * s->c - s->a * s->b - s->a * s->c
                - s->b * s->c) / 18;
    case DIST_GAMMA:
        return s->a * s->b * s->b;
    case DIST_EXPONENTIAL:
        return s->a * s->a;
    case DIST_BERNOULLI:
        return s->a * (1 - s->a);
    case DIST_POISSON:
        return s->a;
    case DIST_BINOMIAL:
        return s->a * s->b * (1 - s->b);
    case DIST_DISCRETE:
        m = dist_mean(s);
        v = 0;
        for (size_t k = 0; k < s->n_values; k++)
            v += s->weights[k] * (s->values[k] - m) * (s->values[k] - m);
        return v;
    }
    assert(0 && "unknown dist kind");
    return NAN;
}

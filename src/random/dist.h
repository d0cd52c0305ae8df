/* dist.h: the distributions of params: argument forms, fits, draws, quantiles. */
#ifndef NCG_DIST_H
#define NCG_DIST_H

#include <stddef.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>

typedef enum {
    DIST_CONST, DIST_UNIFORM, DIST_NORMAL, DIST_LOGNORMAL, DIST_BETA,
    DIST_PERT, DIST_TRIANGULAR, DIST_GAMMA, DIST_EXPONENTIAL, DIST_BERNOULLI,
    DIST_POISSON, DIST_BINOMIAL, DIST_DISCRETE
} dist_kind;

/* One argument as written in the scenario file: a number, or for `ci90`,
 * `values` and `weights` an array of numbers. */
typedef struct dist_arg {
    const char *name;     /* the setting's name, e.g. "sd" (borrowed) */
    const double *v;      /* its numbers (borrowed) */
    size_t n;             /* how many: 1 for a number, else the array length */
    int is_array;         /* 1 when written as an array [ ... ] */
} dist_arg;

/* A distribution in canonical parameters, ready to draw from.
 * Owns `values`, `weights` and `table` (discrete only): free with dist_clear. */
typedef struct dist_spec {
    dist_kind kind;
    double a, b, c;       /* canonical parameters, see dist.c for each kind:
                             const: a = value; uniform: [a, b);
                             normal: mean a, sd b; lognormal: mu a = ln median,
                             sigma b; beta: a, b; pert/triangular: min a,
                             mode b, max c; gamma: shape a, scale b;
                             exponential: mean a; bernoulli: p a;
                             poisson: mean a; binomial: n a, p b */
    double lo, hi;        /* normal truncation bounds (-inf/+inf when none) */
    double *values;       /* discrete: support, n_values long */
    double *weights;      /* discrete: weights normalised to sum 1 */
    size_t n_values;
    gsl_ran_discrete_t *table; /* discrete: GSL's lookup table */
} dist_spec;

/* Builds SPEC from dist NAME and its N arguments (the `dist` setting and the
 * common settings label/unit/note/source are not among ARGS).
 * Returns 0, or -1 with a message in ERR (no file, line or path: the caller
 * adds those) that names the bad argument and lists what NAME takes, e.g.
 *   "dist 'lognormal' takes median and sigma, or ci90 = [lo, hi]; missing 'sigma'"
 *   "dist 'beta': no beta distribution has mean 0.5 and sd 0.6 (sd must be below 0.5)"
 *   "unknown dist 'normall' (did you mean 'normal'?); known: const, uniform, ..."
 * *BAD is set to the index in ARGS of the offending argument, or -1 when the
 * problem is not one argument's (missing argument, unknown dist). */
int dist_make(const char *name, const dist_arg *args, size_t n,
              dist_spec *spec, int *bad, char *err, size_t errlen);

/* Frees what SPEC owns; safe on a zeroed spec and twice. */
void dist_clear(dist_spec *spec);

/* A draw from SPEC with R (Monte Carlo sampler). */
double dist_draw(const dist_spec *spec, gsl_rng *r);

/* The quantile of SPEC at U in (0, 1) (Latin hypercube and Sobol samplers).
 * Discrete kinds return the smallest support value whose CDF reaches U. */
double dist_quantile(const dist_spec *spec, double u);

/* Mean and variance of SPEC in closed form (used by tests and docs). */
double dist_mean(const dist_spec *spec);
double dist_variance(const dist_spec *spec);

/* 1 when SPEC is random (anything but const). */
int dist_is_random(const dist_spec *spec);

/* The names of every dist, comma separated, for messages. */
const char *dist_names(void);

#endif

/* corr.h: rank correlations between random params (the `correlations` setting), imposed with a Gaussian copula. */
#ifndef NCG_CORR_H
#define NCG_CORR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "base/diag.h"
#include "model/model.h"
#include "random/sampler.h"

/*
 * `correlations = ( ("a", "b", 0.6), ... );` asks for a Spearman rank
 * correlation between random params a and b. Each pair's rho becomes the
 * Pearson correlation 2 sin(pi rho / 6) of a normal pair (the exact
 * relation for a bivariate normal), the matrix of those is factored
 * (Cholesky), and per trial z = L * Phi^-1(u), x = quantile(Phi(z)), where
 * u are the params' own uniforms: so each param keeps its distribution and
 * the draws stay a pure function of the trial.
 */

/* The checked correlations of one model. */
typedef struct corr {
    size_t dim;          /* the model's n_random_params */
    size_t n_pairs;      /* pairs kept (see corr_build) */
    size_t *a, *b;       /* per pair: random-param indices (sample_index) */
    double *rho;         /* per pair: the Spearman correlation asked for */
    double *chol;        /* dim x dim, row-major: lower Cholesky factor of
                            the normal-scale correlation matrix */
} corr;

/* Reads and checks the `correlations` of M's scenario. Every problem goes
 * to D as "file:line: correlations: ..." (names that are not random params,
 * with suggestions; |rho| > 1; a pair given twice; a matrix that is not
 * positive definite, naming the entry whose row fails). A pair whose param
 * was held at a value with --set (a const param from the command line, as
 * the tornado of `ncgsim sensitivity` does) is dropped silently.
 * Returns 0 with *OUT NULL when there is nothing to impose, 0 with *OUT
 * (free with corr_free), or NCG_ERR_SCENARIO with *OUT NULL. */
int corr_build(const model *m, corr **out, diag *d);
void corr_free(corr *c);

/* Checks M's correlations only (for `ncgsim check` and loaders): 0 or
 * NCG_ERR_SCENARIO with the messages in D. */
int corr_check(const model *m, diag *d);

/* Imposes M's compiled correlations (m->corr) on SMP, the sampler the
 * engine made for M (a no-op when there are none). 0, or NCG_ERR_NOMEM
 * with a message in D. */
int corr_attach(const model *m, sampler *smp, diag *d);

/* Trials corr_realised reads at most: enough for a rank correlation to
 * within about 0.005, few enough to take a few milliseconds. */
#define CORR_REALISED_MAX 65536

/* The rank correlation each pair of C actually gets in M's run of TRIALS
 * trials, from the params of its first min(TRIALS, CORR_REALISED_MAX)
 * trials, drawn exactly as the engine draws them. OUT[p] per pair; *USED
 * the number of trials read. 0, or NCG_ERR_RUN (out of memory) with a
 * message in D. */
int corr_realised(const model *m, const corr *c, uint64_t trials,
                  double *out, uint64_t *used, diag *d);

/* Sort space for ranking: one (value, index) pair per value. */
typedef struct corr_keyed { double v; size_t i; } corr_keyed;

/* Average ranks (1 .. N; ties share their mean rank, -0.0 ties with 0.0)
 * of X[0 .. N-1] (no NaN, N < 2^32) into RANKS. WORK holds N pairs, used
 * as sort space. */
void corr_ranks(const double *x, size_t n, double *ranks, corr_keyed *work);

/* Pearson correlation of X and Y (N values each); 0 when either is
 * constant or N < 2. */
double corr_pearson(const double *x, const double *y, size_t n);

/* Spearman rank correlation of X and Y: Pearson of their average ranks.
 * RANKS holds 2 N doubles, WORK N pairs. */
double corr_spearman(const double *x, const double *y, size_t n,
                     double *ranks, corr_keyed *work);

#endif

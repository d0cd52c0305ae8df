/* sampler.h: how params are drawn per trial: mc, lhs (Latin hypercube), sobol. */
#ifndef NCG_SAMPLER_H
#define NCG_SAMPLER_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "random/dist.h"

typedef enum { SAMPLER_MC, SAMPLER_LHS, SAMPLER_SOBOL } sampler_kind;

/* Parses "mc", "lhs" or "sobol"; returns 0, or -1 for anything else. */
int sampler_parse(const char *s, sampler_kind *out);

/* The shared, read-only description of a run's random params.
 * Built once per run; used by every thread through a sampler_ws. */
typedef struct sampler sampler;

/* KIND over DIM random params with the given specs (borrowed: they must
 * outlive the sampler) and stream keys (copied), for a run of N trials.
 * Returns NULL and a message in ERR when impossible (e.g. sobol with more
 * params than GSL's Sobol generator supports: "sampler 'sobol' supports at
 * most 40 random params; this scenario has 52 (use 'lhs')"). DIM may be 0. */
sampler *sampler_alloc(sampler_kind kind, const dist_spec *const *specs,
                       const uint64_t *keys, size_t dim, uint64_t n,
                       uint64_t seed, char *err, size_t errlen);
void sampler_free(sampler *s);

/* Imposes rank correlations on S's params with a Gaussian copula. CHOL is
 * the dim x dim lower Cholesky factor (row-major; copied) of the
 * normal-scale correlation matrix. A param with no correlation keeps its
 * usual draws; a correlated param j becomes quantile(Phi(z_j)) with
 * z = CHOL * Phi^-1(u), where u are the params' own uniforms under S's
 * kind (mc: the first number of each param's stream in the trial), so a
 * draw still depends only on the trial. Call before making workspaces.
 * 0, or -1 when out of memory. */
int sampler_set_copula(sampler *s, const double *chol);

/* Per-thread workspace (holds a gsl_rng of type rng_keyed and, for sobol,
 * the quasi-random generator and its position). NULL when out of memory. */
typedef struct sampler_ws sampler_ws;
sampler_ws *sampler_ws_alloc(const sampler *s);
void sampler_ws_free(sampler_ws *w);

/* Draws param J (0 <= J < dim) for trials TRIAL0 .. TRIAL0 + LANES - 1 into
 * OUT[0 .. LANES-1]. The value for a trial depends only on the sampler, J
 * and the trial index, never on how trials are split into calls or threads;
 * calls for one workspace must come with non-decreasing TRIAL0 for sobol
 * to be fast (going back restarts the sequence). */
void sampler_draw(const sampler *s, sampler_ws *w, size_t j, uint64_t trial0,
                  size_t lanes, double *out);

#endif

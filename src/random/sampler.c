/* sampler.c: how params are drawn per trial: mc, lhs (Latin hypercube), sobol (shifted quasi-random). */
#include "random/sampler.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_qrng.h>
#include "random/rng.h"

/* GSL's Sobol generator counts points in 30 bits and fails at count
 * 2^30 - 1, so a run may use at most this many points. */
#define SOBOL_MAX_POINTS ((UINT64_C(1) << 30) - 1)

/* Sobol points a workspace keeps, so that the calls for each param of one
 * block of trials (same TRIAL0, growing J) reuse the points. */
#define SOBOL_WINDOW 1024

/* Uniforms handed to quantile functions stay inside [2^-53, 1 - 2^-53],
 * where every inverse CDF is finite. */
#define U_MIN 0x1p-53
#define U_MAX (1 - 0x1p-53)

/* Trials a correlated draw handles at once (its buffers in the workspace). */
#define COPULA_LANES 256

struct sampler {
    sampler_kind kind;
    size_t dim;
    uint64_t n;                 /* trials in the run */
    const dist_spec **specs;    /* dim specs (the array is owned, the specs borrowed) */
    uint64_t *keys;             /* dim stream keys */
    uint64_t *perm_keys;        /* lhs: key of each param's stratum permutation */
    double *shift;              /* sobol: Cranley-Patterson shift of each dimension */
    double *chol;               /* copula: dim x dim lower factor, or NULL */
    unsigned char *correlated;  /* copula: 1 for params drawn through it */
};

struct sampler_ws {
    const sampler *s;           /* borrowed */
    gsl_rng *r;                 /* of type rng_keyed */
    gsl_qrng *q;                /* sobol with dim > 0, else NULL */
    uint64_t next;              /* index of the point q produces next */
    double *win;                /* sobol: up to SOBOL_WINDOW points of dim numbers */
    uint64_t win0;              /* index of the first point in win */
    size_t winlen;              /* points in win */
    double *cu, *cz;            /* copula: COPULA_LANES uniforms, normals */
};

int sampler_parse(const char *s, sampler_kind *out)
{
    static const struct { const char *name; sampler_kind kind; } names[] = {
        { "mc", SAMPLER_MC }, { "lhs", SAMPLER_LHS }, { "sobol", SAMPLER_SOBOL },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].kind;
            return 0;
        }
    return -1;
}

sampler *sampler_alloc(sampler_kind kind, const dist_spec *const *specs,
                       const uint64_t *keys, size_t dim, uint64_t n,
                       uint64_t seed, char *err, size_t errlen)
{
    if (kind == SAMPLER_SOBOL && dim > gsl_qrng_sobol->max_dimension) {
        snprintf(err, errlen, "sampler 'sobol' supports at most %u random params; "
                 "this scenario has %zu (use 'lhs')", gsl_qrng_sobol->max_dimension, dim);
        return NULL;
    }
    if (kind == SAMPLER_SOBOL && dim > 0 && n > SOBOL_MAX_POINTS) {
        snprintf(err, errlen, "sampler 'sobol' supports at most %llu trials; "
                 "this run has %llu (use 'lhs')", (unsigned long long)SOBOL_MAX_POINTS,
                 (unsigned long long)n);
        return NULL;
    }
    sampler *s = calloc(1, sizeof *s);
    if (!s)
        goto oom;
    s->kind = kind;
    s->dim = dim;
    s->n = n;
    /* One slot at least, so that dim 0 is not a failed malloc(0). */
    size_t slots = dim ? dim : 1;
    s->specs = malloc(slots * sizeof *s->specs);
    s->keys = malloc(slots * sizeof *s->keys);
    s->perm_keys = malloc(slots * sizeof *s->perm_keys);
    s->shift = malloc(slots * sizeof *s->shift);
    if (!s->specs || !s->keys || !s->perm_keys || !s->shift)
        goto oom;
    uint64_t shift_key = rng_key(seed, "sobol-shift");
    for (size_t j = 0; j < dim; j++) {
        s->specs[j] = specs[j];
        s->keys[j] = keys[j];
        /* Derived, not equal: the permutation must not be a function of
         * the same bits that give the offset inside the stratum. */
        s->perm_keys[j] = rng_key(keys[j], "lhs");
        s->shift[j] = rng_uniform_at(shift_key, j, 0);
    }
    return s;
oom:
    sampler_free(s);
    snprintf(err, errlen, "out of memory");
    return NULL;
}

void sampler_free(sampler *s)
{
    if (!s)
        return;
    free(s->specs);
    free(s->keys);
    free(s->perm_keys);
    free(s->shift);
    free(s->chol);
    free(s->correlated);
    free(s);
}

int sampler_set_copula(sampler *s, const double *chol)
{
    size_t dim = s->dim ? s->dim : 1;
    free(s->chol);
    free(s->correlated);
    s->chol = malloc(dim * dim * sizeof *s->chol);
    s->correlated = calloc(dim, 1);
    if (!s->chol || !s->correlated) {
        free(s->chol);
        free(s->correlated);
        s->chol = NULL;
        s->correlated = NULL;
        return -1;
    }
    memcpy(s->chol, chol, s->dim * s->dim * sizeof *s->chol);
    /* A param in any pair goes through the copula, also the first of its
     * group whose row of L is a unit vector: under mc its usual draw is
     * not quantile(u) of the uniform the others read. */
    for (size_t j = 0; j < s->dim; j++)
        for (size_t k = 0; k < j; k++)
            if (chol[j * s->dim + k] != 0.0)
                s->correlated[j] = s->correlated[k] = 1;
    return 0;
}

sampler_ws *sampler_ws_alloc(const sampler *s)
{
    sampler_ws *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->s = s;
    w->r = rng_alloc();
    if (!w->r)
        goto fail;
    if (s->kind == SAMPLER_SOBOL && s->dim > 0) {
        w->q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)s->dim);
        w->win = malloc(SOBOL_WINDOW * s->dim * sizeof *w->win);
        if (!w->q || !w->win)
            goto fail;
    }
    if (s->chol) {
        w->cu = malloc(COPULA_LANES * sizeof *w->cu);
        w->cz = malloc(COPULA_LANES * sizeof *w->cz);
        if (!w->cu || !w->cz)
            goto fail;
    }
    return w;
fail:
    sampler_ws_free(w);
    return NULL;
}

void sampler_ws_free(sampler_ws *w)
{
    if (!w)
        return;
    if (w->r)
        gsl_rng_free(w->r);
    if (w->q)
        gsl_qrng_free(w->q);
    free(w->win);
    free(w->cu);
    free(w->cz);
    free(w);
}

static double clamp_u(double u)
{
    return u < U_MIN ? U_MIN : u > U_MAX ? U_MAX : u;
}

/* The next point of W's Sobol sequence into X. GSL's generator starts at
 * the sequence's second point; the first is the origin, put back here so
 * that the first 2^m trials form a net (one point in each of 2^m strata of
 * every coordinate). */
static void sobol_next(sampler_ws *w, double *x)
{
    if (w->next == 0) {
        memset(x, 0, w->s->dim * sizeof *x);
    } else {
        int status = gsl_qrng_get(w->q, x);
        /* sampler_alloc keeps runs under GSL's point limit. */
        assert(status == GSL_SUCCESS);
        (void)status;
    }
    w->next++;
}

/* Makes W's window hold the points START .. START + LEN - 1 (LEN at most
 * SOBOL_WINDOW): forward by generating and dropping the points between,
 * backward by restarting the sequence. */
static void sobol_fill(sampler_ws *w, uint64_t start, size_t len)
{
    size_t dim = w->s->dim;
    if (start < w->next) {
        gsl_qrng_init(w->q);
        w->next = 0;
    }
    while (w->next < start)
        sobol_next(w, w->win);
    for (size_t k = 0; k < len; k++)
        sobol_next(w, w->win + k * dim);
    w->win0 = start;
    w->winlen = len;
}

/* The uniforms of param J for trials TRIAL0 .. + LANES - 1 into OUT under
 * S's kind, before any quantile: mc the first number of the param's stream
 * in the trial, lhs a point in the trial's stratum, sobol the shifted
 * coordinate. Inside [U_MIN, U_MAX]. */
static void base_uniforms(const sampler *s, sampler_ws *w, size_t j,
                          uint64_t trial0, size_t lanes, double *out)
{
    switch (s->kind) {
    case SAMPLER_MC:
        /* One vector pass: the numbers of rng_uniform_at, lane by lane. */
        rng_uniform_lanes(s->keys[j], trial0, 0, lanes, out);
        for (size_t k = 0; k < lanes; k++)
            out[k] = clamp_u(out[k]);
        return;
    case SAMPLER_LHS:
        assert(trial0 + lanes <= s->n);
        for (size_t k = 0; k < lanes; k++) {
            uint64_t i = trial0 + k;
            /* Trial i lies in stratum perm(i) of N equal-probability
             * strata, at a uniform offset inside it. */
            rng_position(w->r, s->keys[j], i, 0);
            double v = gsl_rng_uniform_pos(w->r);
            double u = ((double)rng_permute(s->perm_keys[j], i, s->n) + v) / (double)s->n;
            out[k] = clamp_u(u);
        }
        return;
    case SAMPLER_SOBOL:
        while (lanes > 0) {
            size_t len = lanes < SOBOL_WINDOW ? lanes : SOBOL_WINDOW;
            if (trial0 < w->win0 || trial0 + len > w->win0 + w->winlen)
                sobol_fill(w, trial0, len);
            const double *x = w->win + (trial0 - w->win0) * s->dim + j;
            for (size_t k = 0; k < len; k++) {
                /* Cranley-Patterson rotation: the same shift for every
                 * point of a dimension keeps the net's structure and makes
                 * the estimate unbiased over seeds. */
                double u = x[k * s->dim] + s->shift[j];
                if (u >= 1)
                    u -= 1;
                out[k] = clamp_u(u);
            }
            trial0 += len;
            out += len;
            lanes -= len;
        }
        return;
    }
    assert(0 && "unknown sampler kind");
}

/* Param J through the copula: z_j = sum over k <= j of L[j][k] Phi^-1(u_k),
 * x = quantile(Phi(z_j)), in pieces of COPULA_LANES trials. */
static void copula_draw(const sampler *s, sampler_ws *w, size_t j,
                        uint64_t trial0, size_t lanes, double *out)
{
    const double *row = s->chol + j * s->dim;
    while (lanes > 0) {
        size_t len = lanes < COPULA_LANES ? lanes : COPULA_LANES;
        memset(w->cz, 0, len * sizeof *w->cz);
        for (size_t k = 0; k <= j; k++) {
            if (row[k] == 0.0)
                continue;
            base_uniforms(s, w, k, trial0, len, w->cu);
            for (size_t l = 0; l < len; l++)
                w->cz[l] += row[k] * gsl_cdf_ugaussian_Pinv(w->cu[l]);
        }
        for (size_t l = 0; l < len; l++)
            out[l] = dist_quantile(s->specs[j],
                                   clamp_u(gsl_cdf_ugaussian_P(w->cz[l])));
        trial0 += len;
        out += len;
        lanes -= len;
    }
}

void sampler_draw(const sampler *s, sampler_ws *w, size_t j, uint64_t trial0,
                  size_t lanes, double *out)
{
    assert(j < s->dim);
    const dist_spec *spec = s->specs[j];
    if (!dist_is_random(spec)) {
        for (size_t k = 0; k < lanes; k++)
            out[k] = spec->a;
        return;
    }
    if (s->correlated && s->correlated[j]) {
        copula_draw(s, w, j, trial0, lanes, out);
        return;
    }
    if (s->kind == SAMPLER_MC) {
        for (size_t k = 0; k < lanes; k++) {
            rng_position(w->r, s->keys[j], trial0 + k, 0);
            out[k] = dist_draw(spec, w->r);
        }
        return;
    }
    base_uniforms(s, w, j, trial0, lanes, out);
    for (size_t k = 0; k < lanes; k++)
        out[k] = dist_quantile(spec, out[k]);
}

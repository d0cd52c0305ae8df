/* sens.c: sensitivity of outputs to params: rank correlations, paired tornado runs, Saltelli/Jansen Sobol indices. */
#include "analysis/sens.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "expr/vm.h"
#include "model/corr.h"
#include "model/observe.h"
#include "run/engine.h"
#include "base/ncgsim.h"
#include "io/output.h"
#include "io/runpart.h"
#include "base/numfmt.h"
#include "base/par.h"
#include "base/status.h"
#include "random/rng.h"

/* The most the per-trial values of the Sobol design may take in memory. */
#define SENS_MAX_BYTES ((double)(1u << 30) * 2.0)
/* Uniforms handed to dist_quantile stay inside (0, 1), as in sampler.c. */
#define U_MIN 0x1p-53
#define U_MAX (1 - 0x1p-53)

/* ---- statistics ---- */

void sens_fisher_ci(double rho, uint64_t n, double *lo, double *hi)
{
    if (n <= 3 || isnan(rho)) {
        *lo = isnan(rho) ? NAN : -1.0;
        *hi = isnan(rho) ? NAN : 1.0;
        return;
    }
    double z = atanh(rho), se = 1.06 / sqrt((double)n - 3.0);
    *lo = tanh(z - NCG_Z95 * se);
    *hi = tanh(z + NCG_Z95 * se);
}

double sens_saltelli(const double *ya, const double *yb, const double *yab,
                     size_t stride, size_t d, size_t n, const size_t *idx,
                     double *s1, double *st)
{
    double mean = 0.0, var = 0.0;
    for (size_t k = 0; k < n; k++) {
        size_t r = idx ? idx[k] : k;
        mean += ya[r] + yb[r];
    }
    mean /= 2.0 * (double)n;
    for (size_t k = 0; k < n; k++) {
        size_t r = idx ? idx[k] : k;
        var += (ya[r] - mean) * (ya[r] - mean) + (yb[r] - mean) * (yb[r] - mean);
    }
    var /= 2.0 * (double)n - 1.0;
    for (size_t i = 0; i < d; i++) {
        const double *yi = yab + i * stride;
        double a = 0.0, b = 0.0;
        for (size_t k = 0; k < n; k++) {
            size_t r = idx ? idx[k] : k;
            double dd = ya[r] - yi[r];
            /* Centring f(B) changes nothing in expectation (E[f(AB_i) -
             * f(A)] = 0) but keeps large means from swamping the sum. */
            a += (yb[r] - mean) * (yi[r] - ya[r]);
            b += dd * dd;
        }
        s1[i] = var > 0 ? a / (double)n / var : NAN;
        st[i] = var > 0 ? 0.5 * b / (double)n / var : NAN;
    }
    return var;
}

/* The P-quantile (type 7) of the N sorted values X. */
static double quantile_sorted(const double *x, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    size_t hi = lo + 1 < n ? lo + 1 : lo;
    return x[lo] + (h - (double)lo) * (x[hi] - x[lo]);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ---- loading ---- */

int sens_load(const char *path, const scenario_opts *so, const char *extra,
                const uint64_t *seed, scenario **sc, model **m, diag *d)
{
    scenario_opts o = *so;
    const char **sets = calloc(so->n_sets + 2, sizeof *sets);
    int rc;
    *sc = NULL;
    *m = NULL;
    if (!sets) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    for (size_t i = 0; i < so->n_sets; i++)
        sets[i] = so->sets[i];
    if (extra)
        sets[o.n_sets++] = extra;
    o.sets = sets;
    if (seed) {
        o.has_seed = 1;
        o.seed = *seed;
    }
    rc = model_load(path, &o, sc, m, d);
    free(sets);
    return rc;
}

/* The K models of one lockstep run and their scenarios. */
typedef struct group {
    size_t k;
    scenario **sc;
    model **m;
    engine_result **res;
} group;

static void group_free(group *g)
{
    for (size_t i = 0; i < g->k; i++) {
        if (g->res)
            engine_result_free(g->res[i]);
        model_free(g->m ? g->m[i] : NULL);
        scenario_free(g->sc ? g->sc[i] : NULL);
    }
    free(g->sc);
    free(g->m);
    free(g->res);
    memset(g, 0, sizeof *g);
}

static int group_alloc(group *g, size_t k, diag *d)
{
    g->k = k;
    g->sc = calloc(k, sizeof *g->sc);
    g->m = calloc(k, sizeof *g->m);
    g->res = calloc(k, sizeof *g->res);
    if (g->sc && g->m && g->res)
        return 0;
    diag_add(d, NULL, 0, NULL, "out of memory");
    return NCG_ERR_NOMEM;
}

/* The columns of the engine's rows that the analysis reads (engine_opts
 * row_cols), for K models: each analysed output, then for model 0 with
 * PARAMS each random param. Only these are kept per model and thread. */
typedef struct sens_cols {
    size_t *cols;            /* outputs, then random params */
    const size_t **of;       /* per model: cols */
    size_t *n;               /* per model: how many */
} sens_cols;

/* Fills SC for K models; 0, or -1 when out of memory (free SC anyway). */
static int sens_cols_init(sens_cols *sc, const sens_result *r, size_t k,
                          int params)
{
    size_t n_params = 0;
    sc->cols = malloc((r->n_out + r->d + 1) * sizeof *sc->cols);
    sc->of = malloc((k + 1) * sizeof *sc->of);
    sc->n = malloc((k + 1) * sizeof *sc->n);
    if (!sc->cols || !sc->of || !sc->n)
        return -1;
    for (size_t v = 0; v < r->m->n_vars; v++)
        n_params += r->m->vars[v].kind == VAR_PARAM;
    for (size_t q = 0; q < r->n_out; q++)
        sc->cols[q] = n_params + r->outputs[q];
    /* Params come first among the variables: a param's column is its
     * variable index. */
    for (size_t j = 0; j < r->d; j++)
        sc->cols[r->n_out + j] = r->m->random_params[j];
    for (size_t i = 0; i < k; i++) {
        sc->of[i] = sc->cols;
        sc->n[i] = r->n_out + (params && i == 0 ? r->d : 0);
    }
    return 0;
}

static void sens_cols_free(sens_cols *sc)
{
    free(sc->cols);
    free(sc->of);
    free(sc->n);
}

/* ---- the tornado: the base plus two variants per param, in groups ---- */

static sens_row *row_ptr(const sens_result *r, size_t q, size_t k);

/* Per-trial values of one group's run. Rows come one model at a time for
 * each chunk of trials, model 0 (the base) first: the chunk is kept per
 * model until the last model's rows arrive, then the paired swings are
 * added. */
typedef struct tornado_ctx {
    const sens_result *r;
    size_t k;                /* 1 + 2 n_items */
    size_t n_items;
    sens_cols cols;          /* the rows' columns: the analysed outputs,
                                and for the base the random params */
    size_t cap;              /* trials the chunk buffers hold */
    double *buf;             /* k x n_out x cap */
    stats_moments *swing;    /* n_out x n_items */
    double *x;               /* base's random params: d x rank_n */
    double *y;               /* base outputs: n_out x rank_n */
    size_t rank_n;           /* 0: no rank correlations in this group */
    /* A conditioned scenario: each model's trial weights (engine_opts
     * weights, called before its rows), the swings as weighted pairs, and
     * the base's weights of the rank_n trials. */
    int weighted;
    double *wbuf;            /* k x wcap */
    size_t wcap;
    stats_pair *wswing;      /* n_out x n_items */
    double *wx;              /* rank_n */
} tornado_ctx;

static int tornado_weights(void *ctx, size_t which, uint64_t trial0, size_t n,
                           const double *w)
{
    tornado_ctx *c = ctx;
    if (n > c->wcap) {
        double *nb = realloc(c->wbuf, c->k * n * sizeof *nb);
        if (!nb)
            return -1;
        c->wbuf = nb;
        c->wcap = n;
    }
    memcpy(c->wbuf + which * c->wcap, w, n * sizeof *w);
    if (which == 0 && trial0 < c->rank_n)
        memcpy(c->wx + trial0, w, (c->rank_n - trial0 < n
                                   ? (size_t)(c->rank_n - trial0) : n)
               * sizeof *w);
    return 0;
}

static int tornado_rows(void *ctx, size_t which, uint64_t trial0, size_t n,
                        size_t cols, const double *values)
{
    tornado_ctx *c = ctx;
    const sens_result *r = c->r;
    if (n > c->cap) {
        double *nb = realloc(c->buf, c->k * r->n_out * n * sizeof *nb);
        if (!nb)
            return -1;
        c->buf = nb;
        c->cap = n;
    }
    for (size_t o = 0; o < r->n_out; o++) {
        double *dst = c->buf + (which * r->n_out + o) * c->cap;
        for (size_t l = 0; l < n; l++)
            dst[l] = values[l * cols + o];
    }
    if (which == 0 && trial0 < c->rank_n) {
        size_t m = c->rank_n - trial0 < n ? (size_t)(c->rank_n - trial0) : n;
        for (size_t j = 0; j < r->d; j++)
            for (size_t l = 0; l < m; l++)
                c->x[j * c->rank_n + trial0 + l] =
                    values[l * cols + r->n_out + j];
        for (size_t o = 0; o < r->n_out; o++)
            memcpy(c->y + o * c->rank_n + trial0,
                   c->buf + o * c->cap, m * sizeof(double));
    }
    if (which + 1 < c->k)
        return 0;
    double diff[256];
    for (size_t o = 0; o < r->n_out; o++)
        for (size_t j = 0; j < c->n_items; j++) {
            const double *lo = c->buf + ((1 + 2 * j) * r->n_out + o) * c->cap;
            const double *hi = c->buf + ((2 + 2 * j) * r->n_out + o) * c->cap;
            if (c->weighted) {
                /* Each variant weighs the trial by its own likelihood. */
                stats_pair_add(&c->wswing[o * c->n_items + j], hi,
                               c->wbuf + (2 + 2 * j) * c->wcap, lo,
                               c->wbuf + (1 + 2 * j) * c->wcap, n);
                continue;
            }
            for (size_t l0 = 0; l0 < n; l0 += 256) {
                size_t len = n - l0 < 256 ? n - l0 : 256;
                for (size_t l = 0; l < len; l++)
                    diff[l] = hi[l0 + l] - lo[l0 + l];
                stats_moments_add(&c->swing[o * c->n_items + j], diff, len);
            }
        }
    return 0;
}

/* MEAN and its 95% interval from its standard error SE. */
static void interval(double mean, double se, double *x, double *lo,
                     double *hi)
{
    *x = mean;
    *lo = mean - NCG_Z95 * se;
    *hi = mean + NCG_Z95 * se;
}

/* Output OUT's paired difference in RES from the base, with interval. */
static void diff_interval(const engine_result *res, size_t out, double *x,
                          double *lo, double *hi)
{
    double d, se;
    engine_diff(res, out, 0, &d, &se);
    interval(d, se, x, lo, hi);
}

/* Orders corr_keyed by value, then by trial (a total order: qsort's
 * result does not depend on its algorithm). */
static int cmp_keyed(const void *a, const void *b)
{
    const corr_keyed *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* The weighted correlation ratio of Y on X over the N trials in SORTED
 * (by X) with weights W: trials are cut into SENS_W_BINS bins of equal
 * weight (tied values of X share a bin), and eta^2 = sum_b W_b (m_b -
 * m)^2 / sum_k w_k (y_k - m)^2, adjusted for the K - 1 degrees of
 * freedom the bin means take out of ESS effective trials:
 * 1 - (1 - eta^2) (ESS - 1) / (ESS - K). NaN when Y does not vary
 * (beyond rounding: a relative sd under 1e-12). */
static double weighted_eta2(const corr_keyed *sorted, size_t n,
                            const double *y, const double *w)
{
    double sw = 0, sw2 = 0, swy = 0, tot = 0, between = 0;
    for (size_t k = 0; k < n; k++) {
        double wk = w[sorted[k].i];
        sw += wk;
        sw2 += wk * wk;
        swy += wk * y[sorted[k].i];
    }
    if (!(sw > 0))
        return NAN;
    double m = swy / sw, ess = sw * sw / sw2;
    size_t bins = 0;
    /* One pass: a tie run starts a bin when the weight before it has
     * passed the next of the K equal shares. */
    double cum = 0, wb = 0, wyb = 0;
    size_t cut = 1;
    for (size_t k = 0; k < n; k++) {
        size_t t = sorted[k].i;
        int new_run = k == 0 || sorted[k].v != sorted[k - 1].v;
        if (new_run && k > 0 && cum >= sw * (double)cut / SENS_W_BINS) {
            if (wb > 0) {
                between += wb * (wyb / wb - m) * (wyb / wb - m);
                bins++;
            }
            wb = wyb = 0;
            while (cut < SENS_W_BINS && cum >= sw * (double)cut / SENS_W_BINS)
                cut++;
        }
        wb += w[t];
        wyb += w[t] * y[t];
        cum += w[t];
        tot += w[t] * (y[t] - m) * (y[t] - m);
    }
    if (wb > 0) {
        between += wb * (wyb / wb - m) * (wyb / wb - m);
        bins++;
    }
    /* A constant output's rounding noise (a variance of 1e-31 on 0.18)
     * is not variance to explain. */
    if (!(tot > 0) || tot / sw <= 1e-24 * m * m)
        return NAN;
    double eta2 = between / tot;
    if (ess > (double)bins + 1)
        eta2 = 1 - (1 - eta2) * (ess - 1) / (ess - (double)bins);
    return eta2;
}

/* A conditioned scenario's first-order indices: the weighted correlation
 * ratio Var_w(E_w[Y | X_i]) / Var_w(Y) of each random param from the
 * base's weighted trials (the posterior's own joint draws, so params the
 * record made dependent are handled), with a Bayesian-bootstrap interval
 * (weights times Exp(1) draws). There is no total index: the
 * pick-freeze design it needs draws params independently from the prior,
 * which is not the posterior. 0 or NCG_ERR_NOMEM. */
static int weighted_first_order(sens_result *r, const tornado_ctx *c,
                                diag *d)
{
    size_t n = c->rank_n, nb = r->bootstrap;
    corr_keyed *sorted = calloc(n + 1, sizeof *sorted);
    double *wb = calloc(n + 1, sizeof *wb), *bs = calloc(nb + 1, sizeof *bs);
    uint64_t key = rng_key(r->m->sc->sim.seed, "sensitivity:bootstrap");
    if (!sorted || !wb || !bs) {
        free(sorted);
        free(wb);
        free(bs);
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    for (size_t j = 0; j < r->d; j++) {
        for (size_t k = 0; k < n; k++)
            sorted[k] = (corr_keyed){ c->x[j * n + k], k };
        qsort(sorted, n, sizeof *sorted, cmp_keyed);
        for (size_t q = 0; q < r->n_out; q++) {
            sens_row *row = &r->rows[q * r->d + j];
            const double *y = c->y + q * n;
            row->s1 = weighted_eta2(sorted, n, y, c->wx);
            row->st = row->st_lo = row->st_hi = NAN;
            row->s1_lo = row->s1_hi = NAN;
            if (isnan(row->s1) || nb < 2)
                continue;
            /* The same resample weights for every param and output. */
            for (size_t b = 0; b < nb; b++) {
                for (size_t k = 0; k < n; k++)
                    wb[k] = c->wx[k] * -log(1.0 - rng_uniform_at(key, k,
                                                          (uint32_t)b + 1));
                bs[b] = weighted_eta2(sorted, n, y, wb);
            }
            qsort(bs, nb, sizeof *bs, cmp_double);
            row->s1_lo = quantile_sorted(bs, nb, 0.025);
            row->s1_hi = quantile_sorted(bs, nb, 0.975);
        }
    }
    free(sorted);
    free(wb);
    free(bs);
    return 0;
}

/* Weighted mid-ranks of X (N values, weights W) as shares of the total
 * weight into U: each value gets the weight below it plus half the weight
 * of its ties, over the sum (the weighted ECDF at the value). KW holds N
 * pairs. */
static void weighted_ranks(const double *x, const double *w, size_t n,
                           corr_keyed *kw, double *u)
{
    double sw = 0, below = 0;
    for (size_t k = 0; k < n; k++) {
        kw[k] = (corr_keyed){ x[k], k };
        sw += w[k];
    }
    qsort(kw, n, sizeof *kw, cmp_keyed);
    for (size_t a = 0, b; a < n; a = b) {
        double tie = 0;
        for (b = a; b < n && kw[b].v == kw[a].v; b++)
            tie += w[kw[b].i];
        for (size_t k = a; k < b; k++)
            u[kw[k].i] = sw > 0 ? (below + 0.5 * tie) / sw : 0;
        below += tie;
    }
}

/* Pearson correlation of A and B with weights W; 0 when either does not
 * vary among the trials of weight > 0. */
static double weighted_pearson(const double *a, const double *b,
                               const double *w, size_t n)
{
    double sw = 0, ma = 0, mb = 0, saa = 0, sbb = 0, sab = 0;
    for (size_t k = 0; k < n; k++) {
        sw += w[k];
        ma += w[k] * a[k];
        mb += w[k] * b[k];
    }
    if (!(sw > 0))
        return 0;
    ma /= sw;
    mb /= sw;
    for (size_t k = 0; k < n; k++) {
        saa += w[k] * (a[k] - ma) * (a[k] - ma);
        sbb += w[k] * (b[k] - mb) * (b[k] - mb);
        sab += w[k] * (a[k] - ma) * (b[k] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : 0;
}

/* Base means and the rank correlations of the random params, from group
 * 0's base model RES0 and per-trial values in C. A conditioned scenario's
 * are weighted: the weighted Pearson correlation of the weighted
 * mid-ranks (the plug-in estimate of the posterior's Spearman
 * correlation), with the Fisher interval of ESS trials. */
static void rank_correlations(sens_result *r, const engine_result *res0,
                              const tornado_ctx *c, double *ranks,
                              corr_keyed *kw)
{
    double sw = 0, sw2 = 0;
    r->rank_trials = c->rank_n;
    for (size_t k = 0; r->weighted && k < c->rank_n; k++) {
        sw += c->wx[k];
        sw2 += c->wx[k] * c->wx[k];
    }
    /* Conditioned: the effective trials among those ranked. */
    uint64_t n_eff = r->weighted ? (uint64_t)stats_ess(sw, sw2) : c->rank_n;
    for (size_t q = 0; q < r->n_out; q++) {
        const double *y = c->y + q * c->rank_n;
        int constant = 1;
        for (size_t t = 1; t < c->rank_n && constant; t++)
            constant = y[t] == y[0];
        output_mean_se(res0, r->outputs[q], r->m->sc->sim.steps,
                       &r->base_mean[q], &r->base_se[q]);
        for (size_t j = 0; j < r->d; j++) {
            sens_row *row = &r->rows[q * r->d + j];
            const double *x = c->x + j * c->rank_n;
            if (constant) {
                row->spearman = NAN;
            } else if (r->weighted) {
                weighted_ranks(x, c->wx, c->rank_n, kw, ranks);
                weighted_ranks(y, c->wx, c->rank_n, kw, ranks + c->rank_n);
                row->spearman = weighted_pearson(ranks, ranks + c->rank_n,
                                                 c->wx, c->rank_n);
            } else {
                row->spearman = corr_spearman(x, y, c->rank_n, ranks, kw);
            }
            sens_fisher_ci(row->spearman, n_eff, &row->sp_lo, &row->sp_hi);
        }
    }
}

/* Runs the base and the two variants of each of the N tornado items
 * R->items[I0 ..] (row numbers, as for sens_row_at) in one lockstep group
 * and fills their rows; with RANKS, also the base means and the rank
 * correlations. */
static int run_group(sens_result *r, const sens_opts *o, size_t i0, size_t n,
                     int ranks, diag *d)
{
    const size_t *items = r->items + i0;
    group g = { 0 };
    tornado_ctx c = { 0 };
    corr_keyed *kw = NULL;
    double *rk = NULL;
    char set[512];
    int rc = group_alloc(&g, 1 + 2 * n, d);
    if (rc != 0)
        goto end;
    if ((rc = sens_load(o->path, &o->so, NULL, NULL, &g.sc[0], &g.m[0], d)) != 0)
        goto end;
    for (size_t j = 0; j < n; j++)
        for (size_t h = 0; h < 2; h++) {
            const sens_row *w = row_ptr(r, 0, items[j]);
            double x = h ? w->x_high : w->x_low;
            snprintf(set, sizeof set, "params.%s=%.17g",
                     r->m->vars[w->var].name, x);
            rc = sens_load(o->path, &o->so, set, NULL, &g.sc[1 + 2 * j + h],
                           &g.m[1 + 2 * j + h], d);
            if (rc != 0)
                goto end;
        }
    c.r = r;
    c.k = g.k;
    c.n_items = n;
    c.rank_n = !ranks ? 0
        : r->trials < SENS_RANK_MAX ? (size_t)r->trials : SENS_RANK_MAX;
    c.swing = calloc(r->n_out * n + 1, sizeof *c.swing);
    c.weighted = r->weighted;
    c.wswing = calloc(r->n_out * n + 1, sizeof *c.wswing);
    c.wx = calloc(c.rank_n + 1, sizeof *c.wx);
    c.x = calloc(r->d * c.rank_n + 1, sizeof *c.x);
    c.y = calloc(r->n_out * c.rank_n + 1, sizeof *c.y);
    rk = calloc(2 * c.rank_n + 1, sizeof *rk);
    kw = calloc(c.rank_n + 1, sizeof *kw);
    if (!c.swing || !c.wswing || !c.wx || !c.x || !c.y || !rk || !kw) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    if (sens_cols_init(&c.cols, r, g.k, 1) != 0) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    for (size_t i = 0; i < r->n_out * n; i++) {
        c.swing[i] = stats_moments_empty();
        c.wswing[i] = stats_pair_empty();
    }
    /* Means and paired differences only: no histograms, no pilot. */
    engine_opts eo = { .threads = o->threads, .rows = tornado_rows,
                       .rows_ctx = &c, .row_cols = c.cols.of,
                       .n_row_cols = c.cols.n,
                       .weights = tornado_weights, .stop = o->stop,
                       .last_step_only = 1 };
    if ((rc = engine_run(g.m, g.k, &eo, g.res, d)) != 0)
        goto end;
    r->trial_runs += r->trials * g.k;
    if (ranks) {
        r->ess = engine_ess(g.res[0]);
        rank_correlations(r, g.res[0], &c, rk, kw);
        if (r->weighted && (rc = weighted_first_order(r, &c, d)) != 0)
            goto end;
    }
    for (size_t q = 0; q < r->n_out; q++)
        for (size_t j = 0; j < n; j++) {
            sens_row *row = row_ptr(r, q, items[j]);
            size_t out = r->outputs[q];
            const stats_moments *sw = &c.swing[q * n + j];
            const stats_pair *wsw = &c.wswing[q * n + j];
            diff_interval(g.res[1 + 2 * j], out, &row->low, &row->low_lo,
                          &row->low_hi);
            diff_interval(g.res[2 + 2 * j], out, &row->high, &row->high_lo,
                          &row->high_hi);
            if (c.weighted)
                interval(stats_pair_diff(wsw), stats_pair_se(wsw),
                         &row->swing, &row->swing_lo, &row->swing_hi);
            else
                interval(sw->n ? sw->mean : NAN, stats_moments_se(sw),
                         &row->swing, &row->swing_lo, &row->swing_hi);
        }
end:
    group_free(&g);
    sens_cols_free(&c.cols);
    free(c.buf);
    free(c.swing);
    free(c.wswing);
    free(c.wbuf);
    free(c.wx);
    free(c.x);
    free(c.y);
    free(rk);
    free(kw);
    return rc;
}

/* ---- the Saltelli design ---- */

/* Model 0 is A, model 1 is B, model 2 + i is A with column i from B. */
typedef struct design_ctx {
    const sens_result *r;
    const dist_spec **specs; /* per random param */
    uint64_t *key_a, *key_b; /* per random param: streams of A and B */
    sens_cols cols;          /* the rows' columns: the analysed outputs */
    double *y;               /* sens_result.design_y */
} design_ctx;

static void design_draw(void *ctx, size_t which, size_t j, uint64_t trial0,
                        size_t lanes, double *out)
{
    const design_ctx *c = ctx;
    int from_b = which == 1 || which == 2 + j;
    uint64_t key = from_b ? c->key_b[j] : c->key_a[j];
    double uu[VM_BLOCK];
    assert(lanes <= VM_BLOCK);
    rng_uniform_lanes(key, trial0, 0, lanes, uu);
    for (size_t l = 0; l < lanes; l++) {
        double u = uu[l];
        u = u < U_MIN ? U_MIN : u > U_MAX ? U_MAX : u;
        out[l] = dist_quantile(c->specs[j], u);
    }
}

static int design_rows(void *ctx, size_t which, uint64_t trial0, size_t n,
                       size_t cols, const double *values)
{
    design_ctx *c = ctx;
    const sens_result *r = c->r;
    for (size_t o = 0; o < r->n_out; o++) {
        double *dst = c->y + (which * r->n_out + o) * r->trials + trial0;
        for (size_t l = 0; l < n; l++)
            dst[l] = values[l * cols + o];
    }
    return 0;
}

/* Point estimates and bootstrap intervals of S1 and ST from the design's
 * per-trial values R->design_y. */
/* The Sobol bootstrap's work: passes 0 (the estimate) .. NB (resamples),
 * shared out among threads; each pass writes its own slots. */
typedef struct boot_job {
    sens_result *r;
    double *b1, *bt;        /* n_out x d x nb: the resamples' indices */
    int first, step;        /* this thread's passes: first, first + step, ... */
    int failed;
} boot_job;

/* The bootstrap passes of job P. Pass b > 0 resamples the trials with the
 * numbers of the stream "sensitivity:bootstrap" at (trial k, step b), the
 * same resample for every output and param; pass 0 is the estimate. */
static void *boot_passes(void *p)
{
    boot_job *j = p;
    sens_result *r = j->r;
    const double *y = r->design_y;
    size_t n = (size_t)r->trials, dd = r->d, nb = r->bootstrap;
    size_t stride = r->n_out * n;
    size_t *idx = malloc((n + 1) * sizeof *idx);
    double *u = malloc(VM_BLOCK * sizeof *u);
    double *s1 = malloc((dd + 1) * sizeof *s1);
    double *st = malloc((dd + 1) * sizeof *st);
    if (!idx || !u || !s1 || !st) {
        j->failed = 1;
        goto end;
    }
    uint64_t key = rng_key(r->m->sc->sim.seed, "sensitivity:bootstrap");
    for (size_t b = (size_t)j->first; b <= nb; b += (size_t)j->step) {
        for (size_t k0 = 0; b > 0 && k0 < n; k0 += VM_BLOCK) {
            size_t m = n - k0 < VM_BLOCK ? n - k0 : VM_BLOCK;
            rng_uniform_lanes(key, k0, (uint32_t)b, m, u);
            for (size_t l = 0; l < m; l++) {
                size_t t = (size_t)(u[l] * (double)n);
                idx[k0 + l] = t < n ? t : n - 1;
            }
        }
        for (size_t q = 0; q < r->n_out; q++) {
            /* The design's rows are (model, output) blocks: A, B, then
             * AB_i, each n_out x n apart. */
            const double *ya = y + q * n, *yb = y + (r->n_out + q) * n;
            const double *yab = y + (2 * r->n_out + q) * n;
            double var = sens_saltelli(ya, yb, yab, stride, dd, n,
                                       b ? idx : NULL, s1, st);
            for (size_t i = 0; i < dd; i++) {
                if (b == 0) {
                    r->rows[q * dd + i].s1 = s1[i];
                    r->rows[q * dd + i].st = st[i];
                    r->variance[q] = var;
                } else {
                    j->b1[(q * dd + i) * nb + b - 1] = s1[i];
                    j->bt[(q * dd + i) * nb + b - 1] = st[i];
                }
            }
        }
    }
end:
    free(idx);
    free(u);
    free(s1);
    free(st);
    return NULL;
}

static int sobol_indices(sens_result *r, diag *d)
{
    size_t dd = r->d, nb = r->bootstrap;
    int threads = r->threads > 1 ? r->threads : 1;
    double *b1 = calloc(r->n_out * dd * nb + 1, sizeof *b1);
    double *bt = calloc(r->n_out * dd * nb + 1, sizeof *bt);
    boot_job *jobs = calloc((size_t)threads, sizeof *jobs);
    int rc = 0;
    if (!b1 || !bt || !jobs) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    /* Every pass writes only its own slots: the result is the same for
     * any number of threads. */
    for (int t = 0; t < threads; t++)
        jobs[t] = (boot_job){ r, b1, bt, t, threads, 0 };
    par_run(threads, boot_passes, jobs, sizeof *jobs);
    for (int t = 0; t < threads; t++)
        if (jobs[t].failed) {
            diag_add(d, NULL, 0, NULL, "out of memory");
            rc = NCG_ERR_NOMEM;
            goto end;
        }
    for (size_t q = 0; q < r->n_out; q++)
        for (size_t i = 0; i < dd; i++) {
            sens_row *row = &r->rows[q * dd + i];
            double *x1 = b1 + (q * dd + i) * nb, *xt = bt + (q * dd + i) * nb;
            if (!(r->variance[q] > 0) || nb < 2) {
                row->s1_lo = row->s1_hi = row->st_lo = row->st_hi = NAN;
                continue;
            }
            qsort(x1, nb, sizeof *x1, cmp_double);
            qsort(xt, nb, sizeof *xt, cmp_double);
            row->s1_lo = quantile_sorted(x1, nb, 0.025);
            row->s1_hi = quantile_sorted(x1, nb, 0.975);
            row->st_lo = quantile_sorted(xt, nb, 0.025);
            row->st_hi = quantile_sorted(xt, nb, 0.975);
        }
end:
    free(b1);
    free(bt);
    free(jobs);
    return rc;
}

/* Runs the d + 2 copies over chunks C0 .. C0 + CN - 1 of the trials (all
 * of them: a run of its own; some: a shard's), their per-trial values
 * into R->design_y. */
static int run_design(sens_result *r, const sens_opts *o, uint64_t c0,
                      uint64_t cn, diag *d)
{
    group g = { 0 };
    design_ctx c = { 0 };
    char name[512];
    uint64_t chunks = runpart_chunks(r->trials);
    uint64_t t0 = c0 * ENGINE_CHUNK_TRIALS;
    uint64_t t1 = (c0 + cn) * ENGINE_CHUNK_TRIALS;
    int rc;
    if ((rc = group_alloc(&g, r->d + 2, d)) != 0)
        goto end;
    /* B runs under another seed: its events and random functions must not
     * repeat A's (see sens.h). Params come from the draw hook anyway. */
    uint64_t seed_b = r->m->sc->sim.seed ^ UINT64_C(0x9e3779b97f4a7c15);
    for (size_t i = 0; i < g.k; i++)
        if ((rc = sens_load(o->path, &o->so, NULL, i == 1 ? &seed_b : NULL,
                       &g.sc[i], &g.m[i], d)) != 0)
            goto end;
    c.r = r;
    c.specs = calloc(r->d + 1, sizeof *c.specs);
    c.key_a = calloc(r->d + 1, sizeof *c.key_a);
    c.key_b = calloc(r->d + 1, sizeof *c.key_b);
    c.y = r->design_y;
    if (!c.specs || !c.key_a || !c.key_b
        || sens_cols_init(&c.cols, r, g.k, 0) != 0) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    for (size_t j = 0; j < r->d; j++) {
        const model_var *v = &g.m[0]->vars[g.m[0]->random_params[j]];
        c.specs[j] = &v->dist;
        /* ':' cannot occur in a source name: no stream is shared with
         * the model's own. */
        snprintf(name, sizeof name, "sensitivity:A:%s", v->name);
        c.key_a[j] = rng_key(r->m->sc->sim.seed, name);
        snprintf(name, sizeof name, "sensitivity:B:%s", v->name);
        c.key_b[j] = rng_key(r->m->sc->sim.seed, name);
    }
    /* Each trial's values depend on its index only: a range of chunks
     * gives the very values the whole run gives for them. */
    engine_opts eo = { .threads = o->threads, .rows = design_rows,
                       .rows_ctx = &c, .row_cols = c.cols.of,
                       .n_row_cols = c.cols.n, .draw = design_draw,
                       .draw_ctx = &c, .stop = o->stop, .last_step_only = 1,
                       .ranged = cn < chunks, .chunk_first = c0,
                       .chunk_count = cn };
    if ((rc = engine_run(g.m, g.k, &eo, g.res, d)) != 0)
        goto end;
    r->trial_runs += ((t1 < r->trials ? t1 : r->trials) - t0) * g.k;
end:
    group_free(&g);
    sens_cols_free(&c.cols);
    free(c.specs);
    free(c.key_a);
    free(c.key_b);
    return rc;
}

/* ---- the whole analysis ---- */

void sens_result_free(sens_result *r)
{
    if (!r)
        return;
    model_free(r->m);
    scenario_free(r->sc);
    free(r->outputs);
    free(r->base_mean);
    free(r->base_se);
    free(r->variance);
    free(r->rows);
    free(r->consts);
    free(r->const_rows);
    free(r->levers);
    free(r->order);
    free(r->items);
    free(r->design_y);
    free(r);
}

/* Fills R->outputs from O's names (or every output); 0 or a usage error. */
static int pick_outputs(sens_result *r, const sens_opts *o, diag *d)
{
    const model *m = r->m;
    size_t want = o->n_outputs ? o->n_outputs : m->n_outputs;
    r->outputs = calloc(want + 1, sizeof *r->outputs);
    if (!r->outputs) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    if (!o->n_outputs) {
        for (size_t q = 0; q < want; q++)
            r->outputs[q] = q;
        r->n_out = want;
        return 0;
    }
    const char **names = calloc(m->n_outputs + 1, sizeof *names);
    int rc = 0;
    for (size_t q = 0; names && q < m->n_outputs; q++)
        names[q] = m->vars[m->outputs[q]].name;
    for (size_t i = 0; i < want; i++) {
        size_t q = 0;
        while (q < m->n_outputs && strcmp(names ? names[q] : "",
                                          o->outputs[i]) != 0)
            q++;
        if (q < m->n_outputs) {
            r->outputs[r->n_out++] = q;
            continue;
        }
        const char *hint = names ? diag_suggest(o->outputs[i],
                                                strlen(o->outputs[i]), names,
                                                m->n_outputs) : NULL;
        if (hint)
            diag_add(d, NULL, 0, NULL, "--output: '%s' is not an output of "
                     "%s (did you mean '%s'?)", o->outputs[i], r->sc->name,
                     hint);
        else
            diag_add(d, NULL, 0, NULL, "--output: '%s' is not an output of "
                     "%s", o->outputs[i], r->sc->name);
        rc = NCG_ERR_USAGE;
    }
    free(names);
    return rc;
}

/* 1 when S contains WORD, ignoring case. */
static int mentions(const char *s, const char *word)
{
    size_t n = strlen(word);
    for (; s && *s; s++)
        if (strncasecmp(s, word, n) == 0)
            return 1;
    return 0;
}

int sens_probability_like(const model_var *v)
{
    if (mentions(v->unit, "probab") || mentions(v->label, "probab")
        || mentions(v->label, "chance") || strncmp(v->label, "P(", 2) == 0)
        return 1;
    /* A unit that names something else ("factor", "fraction") wins over
     * the value: a factor of 0.9 may well be raised to 1.08. */
    return v->unit[0] == '\0' && v->value > 0 && v->value < 1;
}

/* Marks in REACH (n_vars entries) every variable that an analysed output
 * reads, directly or through others, at any lag. */
static void upstream(const sens_result *r, unsigned char *reach)
{
    const model *m = r->m;
    int grew = 1;
    for (size_t q = 0; q < r->n_out; q++)
        reach[m->outputs[r->outputs[q]]] = 1;
    /* Edges are few (hundreds): sweeping them until nothing changes is
     * simpler than building adjacency lists. */
    while (grew) {
        grew = 0;
        for (size_t e = 0; e < m->n_edges; e++)
            if (reach[m->edges[e].to] && !reach[m->edges[e].from]) {
                reach[m->edges[e].from] = 1;
                grew = 1;
            }
    }
}

/* Sorts the constant params of R's model into levers (exactly 0 or 1) and
 * constants to vary (with O->const_pct > 0), and sets up the rows of the
 * latter. 0 or NCG_ERR_RUN. */
static int pick_constants(sens_result *r, const sens_opts *o, diag *d)
{
    const model *m = r->m;
    double f = o->const_pct / 100.0;
    unsigned char *reach = calloc(m->n_vars + 1, 1);
    r->consts = calloc(m->n_vars + 1, sizeof *r->consts);
    r->levers = calloc(m->n_vars + 1, sizeof *r->levers);
    if (!reach || !r->consts || !r->levers) {
        free(reach);
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    for (size_t v = 0; o->const_pct > 0 && v < m->n_vars; v++) {
        const model_var *x = &m->vars[v];
        if (x->kind != VAR_PARAM || x->form != PARAM_CONST)
            continue;
        /* Only judgements are moved: a sourced fact (28,500 troops) is
         * not uncertain in that way. 0/1 are switches (20% of "off" is
         * still off, 1.2 x "on" has no meaning) and whole numbers with
         * unit "step" are calendar dates (step 13.6 does not exist): they
         * belong in a sweep. */
        if (x->value == 0 || x->value == 1)
            r->levers[r->n_levers++] = v;
        else if (x->judgement && !(x->value == floor(x->value)
                                   && strcmp(x->unit, "step") == 0))
            r->consts[r->n_const++] = v;
    }
    r->const_rows = calloc(r->n_out * r->n_const + 1, sizeof *r->const_rows);
    if (!r->const_rows) {
        free(reach);
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    upstream(r, reach);
    for (size_t q = 0; q < r->n_out; q++)
        for (size_t j = 0; j < r->n_const; j++) {
            const model_var *x = &m->vars[r->consts[j]];
            sens_row *w = &r->const_rows[q * r->n_const + j];
            w->output = q;
            w->param = j;
            w->var = r->consts[j];
            w->constant = 1;
            w->reaches = reach[w->var];
            w->x_low = x->value * (1 - f);
            w->x_high = x->value * (1 + f);
            if (w->x_high > 1 && x->value < 1 && sens_probability_like(x)) {
                w->x_high = 1;
                w->capped = 1;
            }
            /* Nothing analysed reads it: every trial of a variant would
             * repeat the base exactly (each random source keeps its own
             * stream), so the differences are 0 without running. */
            w->low = w->low_lo = w->low_hi = 0;
            w->high = w->high_lo = w->high_hi = 0;
            w->swing = w->swing_lo = w->swing_hi = 0;
            w->spearman = w->sp_lo = w->sp_hi = NAN;
            w->s1 = w->s1_lo = w->s1_hi = NAN;
            w->st = w->st_lo = w->st_hi = NAN;
        }
    free(reach);
    return 0;
}

size_t sens_n_rows(const sens_result *r)
{
    return r->d + r->n_const;
}

/* Row K of output Q, random params first (as sens_row_at, writable). */
static sens_row *row_ptr(const sens_result *r, size_t q, size_t k)
{
    assert(q < r->n_out && k < sens_n_rows(r));
    return k < r->d ? &r->rows[q * r->d + k]
                    : &r->const_rows[q * r->n_const + k - r->d];
}

/* The tornado's sort key of W: the largest |difference| from the base at
 * either end (a param that moves the output the same way at both ends
 * matters as much as one that moves it apart: high minus low would rank
 * it last), then |swing|; NaNs last. */
static void swing_key(const sens_row *w, double key[2])
{
    key[0] = fmax(fabs(w->low), fabs(w->high));
    if (isnan(key[0]))
        key[0] = -1;
    key[1] = isnan(w->swing) ? -1 : fabs(w->swing);
}

/* Ranks each output's random params by total index (NaNs last) and all
 * its rows by swing_key (ties in row order) into R->order. */
static int rank_rows(sens_result *r, diag *d)
{
    size_t n = sens_n_rows(r);
    r->order = calloc(r->n_out * n + 1, sizeof *r->order);
    if (!r->order) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    for (size_t q = 0; q < r->n_out; q++)
        for (size_t j = 0; j < n; j++) {
            sens_row *a = row_ptr(r, q, j);
            /* Conditioned: by the first-order index (no total). */
            double as = r->weighted ? a->s1 : a->st;
            double x[2], xs = isnan(as) ? -INFINITY : as;
            swing_key(a, x);
            a->rank = a->constant ? 0 : 1;
            a->swing_rank = 1;
            for (size_t k = 0; k < n; k++) {
                const sens_row *b = sens_row_at(r, q, k);
                double bs = r->weighted ? b->s1 : b->st;
                double y[2], ys = isnan(bs) ? -INFINITY : bs;
                swing_key(b, y);
                a->swing_rank += y[0] > x[0]
                    || (y[0] == x[0] && (y[1] > x[1]
                                         || (y[1] == x[1] && k < j)));
                if (!a->constant && !b->constant)
                    a->rank += ys > xs || (ys == xs && k < j);
            }
            r->order[q * n + a->swing_rank - 1] = j;
        }
    return 0;
}

/* The rows, the tornado's items and the design's buffer of R, whose
 * scenario, model and options are set; 0 or a status with a message. */
static int plan(sens_result *r, const sens_opts *o, diag *d)
{
    int rc;
    if ((rc = pick_outputs(r, o, d)) != 0)
        return rc;
    r->d = r->m->n_random_params;
    r->trials = r->sc->sim.trials;
    r->bootstrap = o->bootstrap ? o->bootstrap : SENS_BOOTSTRAP;
    r->const_pct = o->const_pct;
    if ((rc = pick_constants(r, o, d)) != 0)
        return rc;
    if (r->d == 0 && r->n_const == 0) {
        if (o->const_pct > 0)
            diag_add(d, r->sc->path, 0, "params", "no param has a random "
                     "dist or a constant value other than 0 and 1: there is "
                     "nothing to analyse");
        else
            diag_add(d, r->sc->path, 0, "params", "no param has a random "
                     "dist: there is nothing to analyse (--constants PCT "
                     "varies the constants)");
        return NCG_ERR_SCENARIO;
    }
    if (r->trials < 4) {
        diag_add(d, NULL, 0, NULL, "sensitivity needs at least 4 trials "
                 "(-n)");
        return NCG_ERR_USAGE;
    }
    double bytes = (double)(r->d + 2) * (double)r->n_out * (double)r->trials
                   * sizeof(double);
    if (r->d > 0 && !r->weighted && bytes > SENS_MAX_BYTES) {
        diag_add(d, NULL, 0, NULL, "the Sobol design would keep %.1f GB of "
                 "per-trial values ((%zu params + 2) x %zu outputs x %llu "
                 "trials); use fewer trials (-n) or outputs (--output)",
                 bytes / 1e9, r->d, r->n_out,
                 (unsigned long long)r->trials);
        return NCG_ERR_USAGE;
    }
    r->base_mean = calloc(r->n_out + 1, sizeof *r->base_mean);
    r->base_se = calloc(r->n_out + 1, sizeof *r->base_se);
    r->variance = calloc(r->n_out + 1, sizeof *r->variance);
    r->rows = calloc(r->n_out * r->d + 1, sizeof *r->rows);
    r->items = calloc(r->d + r->n_const + 1, sizeof *r->items);
    if (r->d > 0 && !r->weighted)
        r->design_y = calloc((r->d + 2) * r->n_out * (size_t)r->trials + 1,
                             sizeof *r->design_y);
    if (!r->base_mean || !r->base_se || !r->variance || !r->rows
        || !r->items || (r->d > 0 && !r->weighted && !r->design_y)) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    for (size_t q = 0; q < r->n_out; q++)
        for (size_t j = 0; j < r->d; j++) {
            sens_row *row = &r->rows[q * r->d + j];
            const dist_spec *s = &r->m->vars[r->m->random_params[j]].dist;
            row->output = q;
            row->param = j;
            row->var = r->m->random_params[j];
            row->x_low = dist_quantile(s, SENS_LOW_Q);
            row->x_high = dist_quantile(s, SENS_HIGH_Q);
        }
    /* Every random param, then every constant an analysed output reads. */
    for (size_t j = 0; j < r->d; j++)
        r->items[r->n_items++] = j;
    for (size_t j = 0; j < r->n_const; j++)
        if (r->const_rows[j].reaches)
            r->items[r->n_items++] = r->d + j;
    return 0;
}

int sens_prepare_loaded(const sens_opts *o, scenario *sc, model *m,
                        sens_result **out, diag *d)
{
    sens_result *r = calloc(1, sizeof *r);
    int rc;
    *out = NULL;
    if (!r) {
        model_free(m);
        scenario_free(sc);
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    assert(o->const_pct >= 0 && o->const_pct < 100);
    r->sc = sc;
    r->m = m;
    r->weighted = m->obs && m->obs->weighted;
    r->threads = o->threads;
    if ((rc = plan(r, o, d)) != 0) {
        sens_result_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int sens_prepare(const sens_opts *o, sens_result **out, diag *d)
{
    scenario *sc = NULL;
    model *m = NULL;
    int capped = 0, rc;
    *out = NULL;
    if ((rc = sens_load(o->path, &o->so, NULL, NULL, &sc, &m, d)) != 0)
        return rc;
    if (!o->so.has_trials && o->max_trials && sc->sim.trials > o->max_trials) {
        /* Every later load (variants, design) reads the trials from
         * here (sens_run_units), so the cap holds for all runs alike. */
        scenario_opts so = o->so;
        so.has_trials = 1;
        so.trials = o->max_trials;
        model_free(m);
        scenario_free(sc);
        if ((rc = sens_load(o->path, &so, NULL, NULL, &sc, &m, d)) != 0)
            return rc;
        capped = 1;
    }
    if ((rc = sens_prepare_loaded(o, sc, m, out, d)) == 0)
        (*out)->capped_trials = capped;
    return rc;
}

uint64_t sens_groups(const sens_result *r)
{
    /* Group 0 runs even with nothing to vary: it gives the base means. */
    return r->n_items ? (r->n_items + SENS_GROUP - 1) / SENS_GROUP : 1;
}

uint64_t sens_units(const sens_result *r)
{
    return sens_groups(r) + (r->design_y ? runpart_chunks(r->trials) : 0);
}

int sens_run_units(sens_result *r, const sens_opts *o, uint64_t first,
                   uint64_t count, diag *d)
{
    uint64_t groups = sens_groups(r), end = first + count;
    sens_opts capped;
    int rc = 0;
    assert(end <= sens_units(r));
    if (r->capped_trials) {
        capped = *o;
        capped.so.has_trials = 1;
        capped.so.trials = r->trials;
        o = &capped;
    }
    for (uint64_t g = first; rc == 0 && g < end && g < groups; g++) {
        size_t i0 = (size_t)g * SENS_GROUP;
        size_t n = r->n_items - i0 < SENS_GROUP ? r->n_items - i0 : SENS_GROUP;
        rc = run_group(r, o, i0, n, g == 0, d);
    }
    if (rc == 0 && r->design_y && end > groups) {
        uint64_t c0 = first > groups ? first - groups : 0;
        rc = run_design(r, o, c0, end - groups - c0, d);
    }
    return rc;
}

int sens_finish(sens_result *r, diag *d)
{
    int rc = 0;
    if (r->design_y)
        rc = sobol_indices(r, d);
    return rc ? rc : rank_rows(r, d);
}

int sens_run(const sens_opts *o, sens_result **out, diag *d)
{
    sens_result *r = NULL;
    int rc = sens_prepare(o, &r, d);
    if (rc == 0 && (rc = sens_run_units(r, o, 0, sens_units(r), d)) == 0
        && (rc = sens_finish(r, d)) == 0) {
        *out = r;
        return 0;
    }
    sens_result_free(r);
    *out = NULL;
    return rc;
}

/* ---- reporting ---- */

const sens_row *sens_row_at(const sens_result *r, size_t q, size_t k)
{
    return row_ptr(r, q, k);
}

const sens_row *sens_ranked(const sens_result *r, size_t q, size_t k)
{
    return sens_row_at(r, q, r->order[q * sens_n_rows(r) + k]);
}

const char *sens_row_name(const sens_result *r, const sens_row *w)
{
    return r->m->vars[w->var].name;
}

const char *sens_row_kind(const sens_result *r, const sens_row *w, char *buf,
                          size_t len)
{
    if (w->constant)
        snprintf(buf, len, "constant \u00b1%g%%", r->const_pct);
    else
        snprintf(buf, len, "random p%g/p%g", 100 * SENS_LOW_Q,
                 100 * SENS_HIGH_Q);
    return buf;
}

const char *sens_step_label(const sens_result *r, char *buf, size_t len)
{
    if (r->sc->sim.has_start)
        scenario_step_label(&r->sc->sim, r->sc->sim.steps, buf, len);
    else
        snprintf(buf, len, "step %u", (unsigned)r->sc->sim.steps);
    return buf;
}

int sens_no_effect(const sens_row *w)
{
    /* A mean of 0 with an interval of width 0 means every paired
     * difference was 0. */
    return w->low_lo == 0 && w->low_hi == 0 && w->high_lo == 0
           && w->high_hi == 0;
}

/* A CSV number, or an empty field for NaN (no value: a constant's
 * Sobol indices, an undefined correlation). */
static void csv_number(FILE *f, double x)
{
    if (isnan(x))
        fputc(',', f);
    else
        fprintf(f, ",%.6g", x);
}

int sens_write_csv(const sens_result *r, FILE *f)
{
    char kind[48];
    fprintf(f, "variable,param,perturbation,rank,sobol_rank,capped,x_low,x_high,"
            "base_mean,low_diff,low_lo95,low_hi95,high_diff,high_lo95,"
            "high_hi95,swing,swing_lo95,swing_hi95,spearman,spearman_lo95,"
            "spearman_hi95,s1,s1_lo95,s1_hi95,st,st_lo95,st_hi95,variance,"
            "rank_trials,sobol_trials\n");
    for (size_t q = 0; q < r->n_out; q++)
        for (size_t k = 0; k < sens_n_rows(r); k++) {
            const sens_row *w = sens_ranked(r, q, k);
            const double v[] = {
                w->x_low, w->x_high, r->base_mean[q], w->low, w->low_lo,
                w->low_hi, w->high, w->high_lo, w->high_hi, w->swing,
                w->swing_lo, w->swing_hi, w->spearman, w->sp_lo, w->sp_hi,
                w->s1, w->s1_lo, w->s1_hi, w->st, w->st_lo, w->st_hi,
                w->constant ? NAN : r->variance[q]
            };
            output_csv_string(f, r->m->vars[r->m->outputs[r->outputs[q]]].name);
            fputc(',', f);
            output_csv_string(f, sens_row_name(r, w));
            fputc(',', f);
            output_csv_string(f, sens_row_kind(r, w, kind, sizeof kind));
            fprintf(f, ",%zu,", w->swing_rank);
            if (!w->constant)
                fprintf(f, "%zu", w->rank);
            fprintf(f, ",%s", w->constant ? (w->capped ? "1" : "0") : "");
            for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
                csv_number(f, v[i]);
            if (w->constant)
                fputs(",,\n", f);
            else
                fprintf(f, ",%llu,%llu\n", (unsigned long long)r->rank_trials,
                        (unsigned long long)r->trials);
        }
    return ferror(f) ? -1 : 0;
}

/* Prints S left-aligned in WIDTH columns, counting UTF-8 characters (the
 * kind's '±' is two bytes). */
static void pad(FILE *out, const char *s, int width)
{
    int cols = 0;
    for (const char *p = s; *p; p++)
        cols += ((unsigned char)*p & 0xc0) != 0x80;
    fputs(s, out);
    for (; cols < width; cols++)
        fputc(' ', out);
}

/* "+X [+LO, +HI]" with the decimals that show two digits of the
 * interval's half-width, into BUF. */
static void format_interval(char *buf, size_t len, double x, double lo,
                            double hi)
{
    double half = (hi - lo) / 2;
    if (x == 0 && half == 0) {
        snprintf(buf, len, "0 (none in any trial)");
        return;
    }
    int dec = half > 0 ? 1 - (int)floor(log10(half)) : 4;
    dec = dec < 0 ? 0 : dec > 10 ? 10 : dec;
    snprintf(buf, len, "%+.*f [%+.*f, %+.*f]", dec, x, dec, lo, dec, hi);
}

void sens_table(const sens_result *r, size_t top, FILE *out)
{
    char label[32], kind[48], held[64], lo_end[80], hi_end[80], st[48],
         num[40];
    int any_capped = 0;
    sens_step_label(r, label, sizeof label);
    for (size_t q = 0; q < r->n_out; q++) {
        const model_var *v = &r->m->vars[r->m->outputs[r->outputs[q]]];
        size_t k = 0;
        fprintf(out, "\n%s: %s %s at %s (se %s)\n", v->name,
                v->kind == VAR_EVENT ? "probability" : "mean",
                numfmt_est(num, sizeof num, r->base_mean[q], r->base_se[q], 0),
                label, numfmt_est(held, sizeof held, r->base_se[q],
                                  r->base_se[q] / 10, 0));
        fprintf(out, "  %-4s %-26s %-16s %-18s %-26s %-26s %s\n", "rank",
                "param", "kind", "held at low / high", "effect of low [95%]",
                "effect of high [95%]", r->weighted ? "Sobol first, "
                "weighted [95%]" : "Sobol total [95%]");
        for (; k < sens_n_rows(r) && k < top; k++) {
            const sens_row *w = sens_ranked(r, q, k);
            if (sens_no_effect(w))
                break;
            snprintf(held, sizeof held, "%.4g / %.4g%s", w->x_low, w->x_high,
                     w->capped ? "*" : "");
            format_interval(lo_end, sizeof lo_end, w->low, w->low_lo,
                            w->low_hi);
            format_interval(hi_end, sizeof hi_end, w->high, w->high_lo,
                            w->high_hi);
            if (w->constant)
                snprintf(st, sizeof st, "-");
            else if (r->weighted)
                snprintf(st, sizeof st, "%.3f [%.3f, %.3f]", w->s1, w->s1_lo,
                         w->s1_hi);
            else
                snprintf(st, sizeof st, "%.3f [%.3f, %.3f]", w->st, w->st_lo,
                         w->st_hi);
            any_capped |= w->capped;
            fprintf(out, "  %-4zu %-26s ", w->swing_rank, sens_row_name(r, w));
            pad(out, sens_row_kind(r, w, kind, sizeof kind), 16);
            fprintf(out, " %-18s %-26s %-26s %s\n", held, lo_end, hi_end, st);
        }
        /* Rows are by their largest effect: once one had no effect, so
         * have the rest. */
        if (k < sens_n_rows(r) && sens_no_effect(sens_ranked(r, q, k)))
            fprintf(out, "  (the other %zu params change %s in no trial)\n",
                    sens_n_rows(r) - k, v->name);
    }
    if (any_capped)
        fputs("\n  * a probability: the high value is capped at 1\n", out);
    if (r->weighted)
        fprintf(out, "\nConditioned on observations (ESS %.0f of %llu "
                "trials): every effect is a difference of weighted "
                "estimates, paired trial by trial; the Sobol column is the "
                "weighted first-order index (correlation ratio over %d "
                "bins); rank correlations are weighted; no total index is "
                "computed (docs/sensitivity.md)\n", r->ess,
                (unsigned long long)r->trials, SENS_W_BINS);
    if (r->n_levers > 0) {
        fputs("\nLevers, not varied (constants exactly 0 or 1; try ncgsim "
              "sweep FILE --vary params.NAME=0:1:1):\n ", out);
        for (size_t i = 0, col = 1; i < r->n_levers; i++) {
            const char *name = r->m->vars[r->levers[i]].name;
            if (col + strlen(name) + 2 > 78) {
                fputs("\n ", out);
                col = 1;
            }
            fprintf(out, " %s%s", name, i + 1 < r->n_levers ? "," : "\n");
            col += strlen(name) + 2;
        }
    }
}

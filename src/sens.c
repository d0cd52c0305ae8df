/* sens.c: sensitivity of outputs to params: rank correlations, paired tornado runs, Saltelli/Jansen Sobol indices. */
#include "sens.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "corr.h"
#include "engine.h"
#include "ncgsim.h"
#include "output.h"
#include "rng.h"

/* The most the per-trial values of the Sobol design may take in memory. */
#define SENS_MAX_BYTES ((double)(1u << 30) * 2.0)
/* Uniforms handed to dist_quantile stay inside (0, 1), as in sampler.c. */
#define U_MIN 0x1p-53
#define U_MAX (1 - 0x1p-53)
#define Z95 1.959963984540054

/* ---- statistics ---- */

void sens_fisher_ci(double rho, uint64_t n, double *lo, double *hi)
{
    if (n <= 3 || isnan(rho)) {
        *lo = isnan(rho) ? NAN : -1.0;
        *hi = isnan(rho) ? NAN : 1.0;
        return;
    }
    double z = atanh(rho), se = 1.06 / sqrt((double)n - 3.0);
    *lo = tanh(z - Z95 * se);
    *hi = tanh(z + Z95 * se);
}

double sens_saltelli(const double *ya, const double *yb, const double *yab,
                     size_t d, size_t n, const size_t *idx, double *s1,
                     double *st)
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
        const double *yi = yab + i * n;
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
        return NCG_EXIT_RUN;
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
    rc = scenario_load(path, &o, sc, d);
    if (rc == 0)
        rc = model_build(*sc, m, d);
    if (rc == 0)
        rc = corr_check(*m, d);
    if (rc != 0) {
        model_free(*m);
        scenario_free(*sc);
        *m = NULL;
        *sc = NULL;
    }
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
    return NCG_EXIT_RUN;
}

/* ---- the tornado run: base plus two variants per param ---- */

/* Per-trial values of the tornado run. Rows come one model at a time for
 * each chunk of trials, model 0 first: the chunk is kept per model until
 * the last model's rows arrive, then the paired swings are added. */
typedef struct tornado_ctx {
    const sens_result *r;
    size_t k;                /* 1 + 2 d */
    size_t n_params;         /* param columns of the rows (all params) */
    size_t *pcol;            /* per random param: its column */
    size_t cap;              /* trials the chunk buffers hold */
    double *buf;             /* k x n_out x cap */
    stats_moments *swing;    /* n_out x d */
    double *x;               /* base params: d x rank_n */
    double *y;               /* base outputs: n_out x rank_n */
    size_t rank_n;
} tornado_ctx;

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
        size_t col = c->n_params + r->outputs[o];
        for (size_t l = 0; l < n; l++)
            dst[l] = values[l * cols + col];
    }
    if (which == 0 && trial0 < c->rank_n) {
        size_t m = c->rank_n - trial0 < n ? (size_t)(c->rank_n - trial0) : n;
        for (size_t j = 0; j < r->d; j++)
            for (size_t l = 0; l < m; l++)
                c->x[j * c->rank_n + trial0 + l] = values[l * cols + c->pcol[j]];
        for (size_t o = 0; o < r->n_out; o++)
            memcpy(c->y + o * c->rank_n + trial0,
                   c->buf + o * c->cap, m * sizeof(double));
    }
    if (which + 1 < c->k)
        return 0;
    double diff[256];
    for (size_t o = 0; o < r->n_out; o++)
        for (size_t j = 0; j < r->d; j++) {
            const double *lo = c->buf + ((1 + 2 * j) * r->n_out + o) * c->cap;
            const double *hi = c->buf + ((2 + 2 * j) * r->n_out + o) * c->cap;
            for (size_t l0 = 0; l0 < n; l0 += 256) {
                size_t len = n - l0 < 256 ? n - l0 : 256;
                for (size_t l = 0; l < len; l++)
                    diff[l] = hi[l0 + l] - lo[l0 + l];
                stats_moments_add(&c->swing[o * r->d + j], diff, len);
            }
        }
    return 0;
}

/* Mean and 95% interval of the paired moments M. */
static void interval(const stats_moments *m, double *mean, double *lo,
                     double *hi)
{
    double se = stats_moments_se(m);
    *mean = m->n ? m->mean : NAN;
    *lo = *mean - Z95 * se;
    *hi = *mean + Z95 * se;
}

/* Runs the tornado group and fills the rank correlations and swings. */
static int run_tornado(sens_result *r, const sens_opts *o, diag *d)
{
    group g = { 0 };
    tornado_ctx c = { 0 };
    corr_keyed *kw = NULL;
    double *ranks = NULL;
    char set[512];
    int rc = group_alloc(&g, 1 + 2 * r->d, d);
    if (rc != 0)
        goto end;
    if ((rc = sens_load(o->path, &o->so, NULL, NULL, &g.sc[0], &g.m[0], d)) != 0)
        goto end;
    for (size_t j = 0; j < r->d; j++) {
        const model_var *v = &r->m->vars[r->m->random_params[j]];
        for (size_t h = 0; h < 2; h++) {
            double x = h ? r->rows[j].x_high : r->rows[j].x_low;
            snprintf(set, sizeof set, "params.%s=%.17g", v->name, x);
            rc = sens_load(o->path, &o->so, set, NULL, &g.sc[1 + 2 * j + h],
                      &g.m[1 + 2 * j + h], d);
            if (rc != 0)
                goto end;
        }
    }
    c.r = r;
    c.k = g.k;
    c.rank_n = r->trials < SENS_RANK_MAX ? (size_t)r->trials : SENS_RANK_MAX;
    c.pcol = calloc(r->d + 1, sizeof *c.pcol);
    c.swing = calloc(r->n_out * r->d + 1, sizeof *c.swing);
    c.x = calloc(r->d * c.rank_n + 1, sizeof *c.x);
    c.y = calloc(r->n_out * c.rank_n + 1, sizeof *c.y);
    ranks = calloc(2 * c.rank_n + 1, sizeof *ranks);
    kw = calloc(c.rank_n + 1, sizeof *kw);
    if (!c.pcol || !c.swing || !c.x || !c.y || !ranks || !kw) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_EXIT_RUN;
        goto end;
    }
    /* Rows hold every param in file order (params come first among the
     * variables), then the outputs. */
    for (size_t v = 0; v < r->m->n_vars; v++)
        c.n_params += r->m->vars[v].kind == VAR_PARAM;
    for (size_t j = 0; j < r->d; j++)
        c.pcol[j] = r->m->random_params[j];
    for (size_t i = 0; i < r->n_out * r->d; i++)
        c.swing[i] = stats_moments_empty();
    engine_opts eo = { o->threads, tornado_rows, &c, NULL, NULL, o->stop,
                       NULL, NULL };
    if ((rc = engine_run(g.m, g.k, &eo, g.res, d)) != 0)
        goto end;
    r->rank_trials = c.rank_n;
    for (size_t q = 0; q < r->n_out; q++) {
        size_t out = r->outputs[q];
        const double *y = c.y + q * c.rank_n;
        int constant = 1;
        for (size_t t = 1; t < c.rank_n && constant; t++)
            constant = y[t] == y[0];
        output_mean_se(g.res[0], out, r->m->sc->sim.steps, &r->base_mean[q],
                       &r->base_se[q]);
        for (size_t j = 0; j < r->d; j++) {
            sens_row *row = &r->rows[q * r->d + j];
            row->spearman = constant ? NAN
                : corr_spearman(c.x + j * c.rank_n, y, c.rank_n, ranks, kw);
            sens_fisher_ci(row->spearman, c.rank_n, &row->sp_lo, &row->sp_hi);
            interval(&g.res[1 + 2 * j]->diff[out], &row->low, &row->low_lo,
                     &row->low_hi);
            interval(&g.res[2 + 2 * j]->diff[out], &row->high, &row->high_lo,
                     &row->high_hi);
            interval(&c.swing[q * r->d + j], &row->swing, &row->swing_lo,
                     &row->swing_hi);
        }
    }
end:
    group_free(&g);
    free(c.pcol);
    free(c.buf);
    free(c.swing);
    free(c.x);
    free(c.y);
    free(ranks);
    free(kw);
    return rc;
}

/* ---- the Saltelli design ---- */

/* Model 0 is A, model 1 is B, model 2 + i is A with column i from B. */
typedef struct design_ctx {
    const sens_result *r;
    const dist_spec **specs; /* per random param */
    uint64_t *key_a, *key_b; /* per random param: streams of A and B */
    size_t n_params;
    double *y;               /* (d + 2) x n_out x trials */
} design_ctx;

static void design_draw(void *ctx, size_t which, size_t j, uint64_t trial0,
                        size_t lanes, double *out)
{
    const design_ctx *c = ctx;
    int from_b = which == 1 || which == 2 + j;
    uint64_t key = from_b ? c->key_b[j] : c->key_a[j];
    for (size_t l = 0; l < lanes; l++) {
        double u = rng_uniform_at(key, trial0 + l, 0);
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
        size_t col = c->n_params + r->outputs[o];
        for (size_t l = 0; l < n; l++)
            dst[l] = values[l * cols + col];
    }
    return 0;
}

/* Point estimates and bootstrap intervals of S1 and ST from C->y. */
static int sobol_indices(sens_result *r, const design_ctx *c, diag *d)
{
    size_t n = (size_t)r->trials, dd = r->d, nb = r->bootstrap;
    size_t *idx = calloc(n + 1, sizeof *idx);
    double *yab = calloc(dd * n + 1, sizeof *yab);
    double *s1 = calloc(dd + 1, sizeof *s1), *st = calloc(dd + 1, sizeof *st);
    double *b1 = calloc(r->n_out * dd * nb + 1, sizeof *b1);
    double *bt = calloc(r->n_out * dd * nb + 1, sizeof *bt);
    int rc = 0;
    if (!idx || !yab || !s1 || !st || !b1 || !bt) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_EXIT_RUN;
        goto end;
    }
    /* The design's rows are (model, output) blocks; YAB wants the d
     * AB_i rows of one output next to each other. */
    uint64_t key = rng_key(r->m->sc->sim.seed, "sensitivity:bootstrap");
    for (size_t b = 0; b <= nb; b++) {
        /* Pass 0 is the estimate itself; then NB resamples of the trials,
         * the same resample for every output and param. */
        if (b > 0)
            for (size_t k = 0; k < n; k++) {
                size_t t = (size_t)(rng_uniform_at(key, k, (uint32_t)b)
                                    * (double)n);
                idx[k] = t < n ? t : n - 1;
            }
        for (size_t q = 0; q < r->n_out; q++) {
            const double *ya = c->y + q * n;
            const double *yb = c->y + (r->n_out + q) * n;
            for (size_t i = 0; i < dd; i++)
                memcpy(yab + i * n, c->y + ((2 + i) * r->n_out + q) * n,
                       n * sizeof *yab);
            double var = sens_saltelli(ya, yb, yab, dd, n, b ? idx : NULL,
                                       s1, st);
            for (size_t i = 0; i < dd; i++) {
                if (b == 0) {
                    r->rows[q * dd + i].s1 = s1[i];
                    r->rows[q * dd + i].st = st[i];
                    r->variance[q] = var;
                } else {
                    b1[(q * dd + i) * nb + b - 1] = s1[i];
                    bt[(q * dd + i) * nb + b - 1] = st[i];
                }
            }
        }
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
    free(idx);
    free(yab);
    free(s1);
    free(st);
    free(b1);
    free(bt);
    return rc;
}

/* Runs the d + 2 copies and computes the Sobol indices. */
static int run_design(sens_result *r, const sens_opts *o, diag *d)
{
    group g = { 0 };
    design_ctx c = { 0 };
    char name[512];
    double bytes = (double)(r->d + 2) * (double)r->n_out * (double)r->trials
                   * sizeof(double);
    int rc;
    if (bytes > SENS_MAX_BYTES) {
        diag_add(d, NULL, 0, NULL, "the Sobol design would keep %.1f GB of "
                 "per-trial values ((%zu params + 2) x %zu outputs x %llu "
                 "trials); use fewer trials (-n) or outputs (--output)",
                 bytes / 1e9, r->d, r->n_out,
                 (unsigned long long)r->trials);
        return NCG_EXIT_USAGE;
    }
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
    c.y = calloc(g.k * r->n_out * r->trials + 1, sizeof *c.y);
    if (!c.specs || !c.key_a || !c.key_b || !c.y) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_EXIT_RUN;
        goto end;
    }
    for (size_t v = 0; v < r->m->n_vars; v++)
        c.n_params += r->m->vars[v].kind == VAR_PARAM;
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
    engine_opts eo = { o->threads, design_rows, &c, design_draw, &c, o->stop,
                       NULL, NULL };
    if ((rc = engine_run(g.m, g.k, &eo, g.res, d)) != 0)
        goto end;
    rc = sobol_indices(r, &c, d);
end:
    group_free(&g);
    free(c.specs);
    free(c.key_a);
    free(c.key_b);
    free(c.y);
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
        return NCG_EXIT_RUN;
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
        rc = NCG_EXIT_USAGE;
    }
    free(names);
    return rc;
}

int sens_run(const sens_opts *o, sens_result **out, diag *d)
{
    sens_result *r = calloc(1, sizeof *r);
    int rc;
    *out = NULL;
    if (!r) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_EXIT_RUN;
    }
    if ((rc = sens_load(o->path, &o->so, NULL, NULL, &r->sc, &r->m, d)) != 0)
        goto end;
    if ((rc = pick_outputs(r, o, d)) != 0)
        goto end;
    r->d = r->m->n_random_params;
    r->trials = r->sc->sim.trials;
    r->bootstrap = o->bootstrap ? o->bootstrap : SENS_BOOTSTRAP;
    if (r->d == 0) {
        diag_add(d, r->sc->path, 0, "params", "no param has a random dist: "
                 "there is nothing to analyse");
        rc = NCG_EXIT_SCENARIO;
        goto end;
    }
    if (r->trials < 4) {
        diag_add(d, NULL, 0, NULL, "sensitivity needs at least 4 trials "
                 "(-n)");
        rc = NCG_EXIT_USAGE;
        goto end;
    }
    r->base_mean = calloc(r->n_out + 1, sizeof *r->base_mean);
    r->base_se = calloc(r->n_out + 1, sizeof *r->base_se);
    r->variance = calloc(r->n_out + 1, sizeof *r->variance);
    r->rows = calloc(r->n_out * r->d + 1, sizeof *r->rows);
    if (!r->base_mean || !r->base_se || !r->variance || !r->rows) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_EXIT_RUN;
        goto end;
    }
    for (size_t q = 0; q < r->n_out; q++)
        for (size_t j = 0; j < r->d; j++) {
            sens_row *row = &r->rows[q * r->d + j];
            const dist_spec *s = &r->m->vars[r->m->random_params[j]].dist;
            row->output = q;
            row->param = j;
            row->x_low = dist_quantile(s, SENS_LOW_Q);
            row->x_high = dist_quantile(s, SENS_HIGH_Q);
        }
    if ((rc = run_tornado(r, o, d)) != 0 || (rc = run_design(r, o, d)) != 0)
        goto end;
    /* Rank within each output by total index; NaNs last. */
    for (size_t q = 0; q < r->n_out; q++)
        for (size_t j = 0; j < r->d; j++) {
            sens_row *a = &r->rows[q * r->d + j];
            a->rank = 1;
            for (size_t k = 0; k < r->d; k++) {
                const sens_row *b = &r->rows[q * r->d + k];
                double x = isnan(a->st) ? -INFINITY : a->st;
                double y = isnan(b->st) ? -INFINITY : b->st;
                a->rank += y > x || (y == x && k < j);
            }
        }
    *out = r;
    r = NULL;
end:
    sens_result_free(r);
    return rc;
}

/* ---- reporting ---- */

/* The rows of output Q by rank, into ORDER (d entries). */
static void by_rank(const sens_result *r, size_t q, size_t *order)
{
    for (size_t j = 0; j < r->d; j++)
        order[r->rows[q * r->d + j].rank - 1] = j;
}

int sens_write_csv(const sens_result *r, FILE *f)
{
    size_t *order = calloc(r->d + 1, sizeof *order);
    if (!order)
        return -1;
    fprintf(f, "output,param,rank,spearman,spearman_lo95,spearman_hi95,"
            "x_p10,x_p90,base_mean,low_diff,low_lo95,low_hi95,high_diff,"
            "high_lo95,high_hi95,swing,swing_lo95,swing_hi95,s1,s1_lo95,"
            "s1_hi95,st,st_lo95,st_hi95,variance,rank_trials,sobol_trials\n");
    for (size_t q = 0; q < r->n_out; q++) {
        by_rank(r, q, order);
        for (size_t k = 0; k < r->d; k++) {
            const sens_row *w = &r->rows[q * r->d + order[k]];
            const double v[] = {
                w->spearman, w->sp_lo, w->sp_hi, w->x_low, w->x_high,
                r->base_mean[q], w->low, w->low_lo, w->low_hi, w->high,
                w->high_lo, w->high_hi, w->swing, w->swing_lo, w->swing_hi,
                w->s1, w->s1_lo, w->s1_hi, w->st, w->st_lo, w->st_hi,
                r->variance[q]
            };
            output_csv_string(f, r->m->vars[r->m->outputs[r->outputs[q]]].name);
            fputc(',', f);
            output_csv_string(f, r->m->vars[r->m->random_params[order[k]]].name);
            fprintf(f, ",%zu", w->rank);
            for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
                fprintf(f, ",%.6g", v[i]);
            fprintf(f, ",%llu,%llu\n", (unsigned long long)r->rank_trials,
                    (unsigned long long)r->trials);
        }
    }
    free(order);
    return ferror(f) ? -1 : 0;
}

void sens_table(const sens_result *r, size_t top, FILE *out)
{
    size_t *order = calloc(r->d + 1, sizeof *order);
    char label[32];
    if (!order)
        return;
    scenario_step_label(&r->sc->sim, r->sc->sim.steps, label, sizeof label);
    for (size_t q = 0; q < r->n_out; q++) {
        const model_var *v = &r->m->vars[r->m->outputs[r->outputs[q]]];
        by_rank(r, q, order);
        fprintf(out, "\n%s: %s %.4g at %s (se %.2g)\n", v->name,
                v->kind == VAR_EVENT ? "probability" : "mean",
                r->base_mean[q], label, r->base_se[q]);
        fprintf(out, "  %-4s %-24s %-20s %-20s %-20s %s\n", "rank", "param",
                "total [95%]", "first-order [95%]", "rank corr [95%]",
                "swing p10->p90 [95%]");
        for (size_t k = 0; k < r->d && k < top; k++) {
            const sens_row *w = &r->rows[q * r->d + order[k]];
            char st[32], s1[32], sp[32];
            snprintf(st, sizeof st, "%.3f [%.3f,%.3f]", w->st, w->st_lo,
                     w->st_hi);
            snprintf(s1, sizeof s1, "%.3f [%.3f,%.3f]", w->s1, w->s1_lo,
                     w->s1_hi);
            snprintf(sp, sizeof sp, "%+.3f [%+.2f,%+.2f]", w->spearman,
                     w->sp_lo, w->sp_hi);
            fprintf(out, "  %-4zu %-24s %-20s %-20s %-20s %+.4g [%+.3g,%+.3g]\n",
                    w->rank, r->m->vars[r->m->random_params[order[k]]].name,
                    st, s1, sp, w->swing, w->swing_lo, w->swing_hi);
        }
    }
    free(order);
}

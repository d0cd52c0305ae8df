/* robust.c: robustness of policies across uncertainties: regret and satisficing over common trials. */
#include "analysis/robust.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "base/numfmt.h"
#include "io/output.h"
#include "model/observe.h"
#include "run/engine.h"
#include "base/status.h"

void robust_result_free(robust_result *r)
{
    if (!r)
        return;
    for (size_t p = 0; p < r->n_pol; p++) {
        if (r->policy)
            free(r->policy[p]);
        if (r->path)
            free(r->path[p]);
    }
    for (size_t g = 0; r->goal && g < r->n_goals; g++)
        free(r->goal[g]);
    for (size_t c = 0; r->cond && c < r->n_conds; c++)
        free(r->cond[c]);
    free(r->policy);
    free(r->path);
    free(r->goal);
    free(r->maximize);
    free(r->cond);
    free(r->cell);
    free(r->share);
    model_free(r->m0);
    scenario_free(r->sc0);
    free(r);
}

/* 1 when A and B are the same distribution. */
static int same_dist(const dist_spec *a, const dist_spec *b)
{
    if (a->kind != b->kind || a->a != b->a || a->b != b->b || a->c != b->c
        || a->lo != b->lo || a->hi != b->hi || a->n_values != b->n_values)
        return 0;
    for (size_t i = 0; i < a->n_values; i++)
        if (a->values[i] != b->values[i] || a->weights[i] != b->weights[i])
            return 0;
    return 1;
}

/* Policy M (file PATH) keeps the uncertainties of M0 (file PATH0): the
 * same random params, distributions and run settings. 0 or
 * NCG_ERR_USAGE with a message. */
static int same_uncertainties(const model *m0, const char *path0,
                              const model *m, const char *path, diag *d)
{
    const scenario_sim *a = &m0->sc->sim, *b = &m->sc->sim;
    if (a->trials != b->trials || a->steps != b->steps || a->seed != b->seed
        || strcmp(a->sampler, b->sampler) != 0) {
        diag_add(d, path, 0, NULL, "simulation differs from %s (trials, "
                 "steps, seed and sampler must be the same for common random "
                 "numbers; set them in the parent or with -n and --seed)",
                 path0);
        return NCG_ERR_USAGE;
    }
    for (size_t j = 0; j < m0->n_random_params || j < m->n_random_params;
         j++) {
        const model_var *u = j < m0->n_random_params
                                 ? &m0->vars[m0->random_params[j]] : NULL;
        const model_var *v = j < m->n_random_params
                                 ? &m->vars[m->random_params[j]] : NULL;
        if (u && v && strcmp(u->name, v->name) == 0 && same_dist(&u->dist,
                                                                 &v->dist))
            continue;
        const model_var *w = u ? u : v;
        diag_add(d, path, 0, NULL, "changes the uncertain param '%s' of %s: "
                 "a policy may set levers (constant params) only; the "
                 "uncertainties (random params) must be the parent's",
                 w->name, path0);
        return NCG_ERR_USAGE;
    }
    return 0;
}

/* Per-trial rows of every policy, as the engine hands them out. */
typedef struct rows_set {
    double **v;       /* per policy: trials x cols */
    size_t *cols;
} rows_set;

static int keep_rows(void *ctx, size_t which, uint64_t trial0, size_t n,
                     size_t cols, const double *values)
{
    rows_set *s = ctx;
    memcpy(s->v[which] + trial0 * cols, values, n * cols * sizeof *values);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The standard error of the mean of N values with sum S and sum of
 * squares S2 (0 for fewer than 2 values). */
static double mean_se(double s, double s2, size_t n)
{
    if (n < 2)
        return 0;
    double m = s / (double)n, var = (s2 - m * s) / (double)(n - 1);
    return var > 0 ? sqrt(var / (double)n) : 0;
}

/* Regret of every policy on goal G over N trials; VAL[p][t] the values. */
static void regret(robust_result *r, size_t g, double *const *val, size_t n,
                   double *buf)
{
    int mx = r->maximize[g];
    for (size_t p = 0; p < r->n_pol; p++) {
        robust_cell *c = &r->cell[p * r->n_goals + g];
        double sum = 0, sumv = 0, sum2 = 0, sumv2 = 0, best = 0;
        for (size_t t = 0; t < n; t++) {
            double b = val[0][t];
            for (size_t q = 1; q < r->n_pol; q++)
                b = mx ? fmax(b, val[q][t]) : fmin(b, val[q][t]);
            double reg = mx ? b - val[p][t] : val[p][t] - b;
            buf[t] = reg;
            sum += reg;
            sum2 += reg * reg;
            sumv += val[p][t];
            sumv2 += val[p][t] * val[p][t];
            best += reg == 0;
        }
        qsort(buf, n, sizeof *buf, cmp_double);
        double h = (double)(n - 1) * 0.9;
        size_t lo = (size_t)floor(h), hi = (size_t)ceil(h);
        c->mean = sumv / (double)n;
        c->regret_mean = sum / (double)n;
        c->mean_se = mean_se(sumv, sumv2, n);
        c->regret_se = mean_se(sum, sum2, n);
        c->regret_p90 = buf[lo] + (h - (double)lo) * (buf[hi] - buf[lo]);
        c->regret_max = buf[n - 1];
        c->share_best = best / (double)n;
    }
}

/* A result for the policies and goals of O, its names copied; NULL when
 * out of memory. */
static robust_result *robust_alloc(const robust_opts *o)
{
    size_t k = o->n_paths;
    robust_result *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->n_pol = k;
    r->n_goals = o->n_goals;
    r->n_conds = o->n_conds;
    r->policy = calloc(k, sizeof *r->policy);
    r->path = calloc(k, sizeof *r->path);
    r->goal = calloc(o->n_goals + 1, sizeof *r->goal);
    r->maximize = calloc(o->n_goals + 1, sizeof *r->maximize);
    r->cond = calloc(o->n_conds + 1, sizeof *r->cond);
    r->cell = calloc(k * o->n_goals + 1, sizeof *r->cell);
    r->share = calloc(k * o->n_conds + 1, sizeof *r->share);
    if (!r->policy || !r->path || !r->goal || !r->maximize || !r->cond
        || !r->cell || !r->share)
        goto oom;
    for (size_t g = 0; g < o->n_goals; g++) {
        if (!(r->goal[g] = strdup(o->goals[g].name)))
            goto oom;
        r->maximize[g] = o->goals[g].maximize;
    }
    for (size_t c = 0; c < o->n_conds; c++)
        if (!(r->cond[c] = strdup(o->conds[c])))
            goto oom;
    return r;
oom:
    robust_result_free(r);
    return NULL;
}

/* Loads every policy of O into SC and M and checks that they can be
 * compared: unconditioned, the same uncertainties, distinct names. 0, or
 * a status with a message in D. */
static int load_policies(const robust_opts *o, robust_result *r,
                         scenario **sc, model **m, diag *d)
{
    int rc;
    for (size_t p = 0; p < o->n_paths; p++) {
        if ((rc = model_load(o->paths[p], &o->so, &sc[p], &m[p], d)) != 0)
            return rc;
        if ((rc = obs_refuse_weighted(m[p], o->paths[p], "robust", d)) != 0)
            return rc;
        if (p > 0 && (rc = same_uncertainties(m[0], o->paths[0], m[p],
                                                o->paths[p], d)) != 0)
            return rc;
        if (!(r->policy[p] = strdup(sc[p]->name))
            || !(r->path[p] = strdup(o->paths[p])))
            return NCG_ERR_NOMEM;
        for (size_t q = 0; q < p; q++)
            if (strcmp(sc[q]->name, sc[p]->name) == 0) {
                diag_add(d, o->paths[p], 0, NULL, "has the name '%s' of %s: "
                         "every policy needs its own name", sc[p]->name,
                         o->paths[q]);
                return NCG_ERR_USAGE;
            }
    }
    return 0;
}

/* The regret of every policy for every goal, from the policies' trials in
 * SRC (N each); VAL and BUF are workspaces of K pointers and N values.
 * 0, or NCG_ERR_USAGE when a goal is no output (message in D). */
static int judge_goals(const robust_opts *o, robust_result *r,
                       const discover_src *src, size_t n,
                       double **val, double *buf, diag *d)
{
    for (size_t g = 0; g < o->n_goals; g++) {
        for (size_t p = 0; p < o->n_paths; p++) {
            long c = -1;
            for (size_t j = 0; j < src[p].n_cols; j++)
                if (strcmp(src[p].name[j], r->goal[g]) == 0)
                    c = (long)j;
            if (c < 0) {
                const char *sug = diag_suggest(r->goal[g], strlen(r->goal[g]),
                                               (const char *const *)src[p].name,
                                               src[p].n_cols);
                diag_add(d, o->paths[p], 0, NULL, "no output '%s' to judge "
                         "the policies by%s%s%s", r->goal[g],
                         sug ? " (did you mean '" : "", sug ? sug : "",
                         sug ? "'?)" : "");
                return NCG_ERR_USAGE;
            }
            val[p] = src[p].x + (size_t)c * n;
        }
        regret(r, g, val, n, buf);
    }
    return 0;
}

/* The share of each policy's N trials that meets each --satisfy
 * condition; Y is a workspace of N flags. 0, or a status (message in D). */
static int satisfy_shares(const robust_opts *o, robust_result *r,
                          discover_src *src, size_t n, unsigned char *y,
                          diag *d)
{
    for (size_t c = 0; c < o->n_conds; c++)
        for (size_t p = 0; p < o->n_paths; p++) {
            unsigned char *reads = calloc(src[p].n_cols + 1, 1);
            if (!reads)
                return NCG_ERR_NOMEM;
            int bad = discover_eval(&src[p], "--satisfy", r->cond[c], y,
                                    reads, d) != 0;
            free(reads);
            if (bad)
                return NCG_ERR_USAGE;
            size_t met = 0;
            for (size_t t = 0; t < n; t++)
                met += y[t];
            r->share[p * o->n_conds + c] = (double)met / (double)n;
        }
    return 0;
}

int robust_run(const robust_opts *o, robust_result **out, diag *d)
{
    size_t k = o->n_paths;
    int rc = NCG_ERR_NOMEM;
    robust_result *r = robust_alloc(o);
    scenario **sc = calloc(k, sizeof *sc);
    model **m = calloc(k, sizeof *m);
    engine_result **res = calloc(k, sizeof *res);
    rows_set rs = { calloc(k, sizeof(double *)), calloc(k, sizeof(size_t)) };
    double **val = calloc(k, sizeof *val);
    discover_src *src = calloc(k, sizeof *src);
    unsigned char *y = NULL;
    double *buf = NULL;
    *out = NULL;
    if (!r || !sc || !m || !res || !rs.v || !rs.cols || !val || !src)
        goto end;
    if ((rc = load_policies(o, r, sc, m, d)) != 0)
        goto end;
    rc = NCG_ERR_NOMEM;
    r->trials = sc[0]->sim.trials;
    r->seed = sc[0]->sim.seed;
    r->n_uncertain = m[0]->n_random_params;
    size_t n = (size_t)r->trials;
    for (size_t p = 0; p < k; p++) {
        rs.cols[p] = discover_model_cols(m[p]);
        if (!(rs.v[p] = malloc(n * rs.cols[p] * sizeof(double))))
            goto end;
    }
    engine_opts eo = { .threads = o->threads, .rows = keep_rows,
                       .rows_ctx = &rs, .stop = o->stop };
    if ((rc = engine_run(m, k, &eo, res, d)) != 0)
        goto end;
    rc = NCG_ERR_NOMEM;
    /* Each policy's trials as named columns. */
    for (size_t p = 0; p < k; p++) {
        int bad = discover_from_model(&src[p], o->paths[p], m[p], n,
                                      rs.v[p]) != 0;
        free(rs.v[p]);
        rs.v[p] = NULL;
        if (bad)
            goto end;
    }
    y = malloc(n ? n : 1);
    buf = malloc((n ? n : 1) * sizeof *buf);
    if (!y || !buf)
        goto end;
    if ((rc = judge_goals(o, r, src, n, val, buf, d)) != 0
        || (rc = satisfy_shares(o, r, src, n, y, d)) != 0)
        goto end;
    r->sc0 = sc[0];
    r->m0 = m[0];
    sc[0] = NULL;
    m[0] = NULL;
    *out = r;
    r = NULL;
    rc = 0;
end:
    if (rc == NCG_ERR_NOMEM)
        diag_add(d, NULL, 0, NULL, "out of memory");
    for (size_t p = 0; p < k; p++) {
        if (res)
            engine_result_free(res[p]);
        if (m)
            model_free(m[p]);
        if (sc)
            scenario_free(sc[p]);
        if (rs.v)
            free(rs.v[p]);
        if (src)
            discover_src_free(&src[p]);
    }
    free(sc);
    free(m);
    free(res);
    free(rs.v);
    free(rs.cols);
    free(val);
    free(src);
    free(y);
    free(buf);
    robust_result_free(r);
    return rc;
}

int robust_write(const robust_result *r, const char *dir, diag *d)
{
    FILE *f = output_open(dir, "robust.csv", d);
    if (!f)
        return NCG_ERR_IO;
    fputs("scenario,file,variable,direction,mean,regret_mean,regret_p90,"
          "regret_max,share_best\n", f);
    for (size_t g = 0; g < r->n_goals; g++)
        for (size_t p = 0; p < r->n_pol; p++) {
            const robust_cell *c = &r->cell[p * r->n_goals + g];
            output_csv_string(f, r->policy[p]);
            fputc(',', f);
            output_csv_string(f, r->path[p]);
            fputc(',', f);
            output_csv_string(f, r->goal[g]);
            fprintf(f, ",%s,%.10g,%.10g,%.10g,%.10g,%.10g\n",
                    r->maximize[g] ? "max" : "min", c->mean, c->regret_mean,
                    c->regret_p90, c->regret_max, c->share_best);
        }
    int rc = output_close(f, dir, "robust.csv", d);
    if (rc)
        return rc;
    f = output_open(dir, "satisficing.csv", d);
    if (!f)
        return NCG_ERR_IO;
    fputs("scenario,condition,share,se\n", f);
    double n = (double)r->trials;
    for (size_t c = 0; c < r->n_conds; c++)
        for (size_t p = 0; p < r->n_pol; p++) {
            double s = r->share[p * r->n_conds + c];
            output_csv_string(f, r->policy[p]);
            fputc(',', f);
            output_csv_string(f, r->cond[c]);
            fprintf(f, ",%.10g,%.10g\n", s,
                    n > 1 ? sqrt(s * (1 - s) / (n - 1)) : 0.0);
        }
    return output_close(f, dir, "satisficing.csv", d);
}

void robust_table(const robust_result *r, FILE *out)
{
    fprintf(out, "%zu policies on the same %llu trials (seed %llu); %zu "
            "uncertain params shared\n", r->n_pol,
            (unsigned long long)r->trials, (unsigned long long)r->seed,
            r->n_uncertain);
    for (size_t g = 0; g < r->n_goals; g++) {
        fprintf(out, "\n%s (%s is better): regret = loss against the best "
                "policy in the same trial\n", r->goal[g],
                r->maximize[g] ? "more" : "less");
        fprintf(out, "  %-26s %12s %12s %12s %10s\n", "policy", "mean",
                "mean regret", "90% regret", "best in");
        /* Rounded to their Monte Carlo error; the 90th percentile of
         * regret to the decimals of the mean regret's. */
        for (size_t p = 0; p < r->n_pol; p++) {
            const robust_cell *c = &r->cell[p * r->n_goals + g];
            char a[40], b[40], q[40];
            fprintf(out, "  %-26.26s %12s %12s %12s %9.0f%%\n", r->policy[p],
                    numfmt_est(a, sizeof a, c->mean, c->mean_se, 0),
                    numfmt_est(b, sizeof b, c->regret_mean, c->regret_se, 0),
                    numfmt_fixed(q, sizeof q, c->regret_p90,
                                 numfmt_decimals(c->regret_mean, c->regret_se), 0),
                    100 * c->share_best);
        }
    }
    for (size_t c = 0; c < r->n_conds; c++) {
        fprintf(out, "\nShare of trials where %s\n", r->cond[c]);
        for (size_t p = 0; p < r->n_pol; p++) {
            double s = r->share[p * r->n_conds + c];
            double n = (double)r->trials;
            fprintf(out, "  %-26.26s %5.1f%% \u00b1 %.1f\n", r->policy[p],
                    100 * s, n > 1 ? 196 * sqrt(s * (1 - s) / (n - 1)) : 0.0);
        }
    }
}

/* runpart.c: a shard of `run` as a part file, and parts folded back into one result. */
#include "io/runpart.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/status.h"
#include "io/output.h"
#include "run/stats.h"

void runpart_range(uint64_t units, uint32_t i, uint32_t k, uint64_t *first,
                   uint64_t *count)
{
    /* floor((i - 1) U / K) .. floor(i U / K), without overflow for any
     * U < 2^64 / 2^32. */
    uint64_t a = units / k * (i - 1) + units % k * (i - 1) / k;
    uint64_t b = units / k * i + units % k * i / k;
    *first = a;
    *count = b - a;
}

uint64_t runpart_chunks(uint64_t trials)
{
    return (trials + ENGINE_CHUNK_TRIALS - 1) / ENGINE_CHUNK_TRIALS;
}

void runpart_info(part_info *f, const char *command, const scenario *sc,
                  const char *text, uint32_t i, uint32_t k)
{
    memset(f, 0, sizeof *f);
    snprintf(f->command, sizeof f->command, "%s", command);
    snprintf(f->scenario, sizeof f->scenario, "%s", sc->name);
    snprintf(f->unit, sizeof f->unit, "chunk");
    snprintf(f->sampler, sizeof f->sampler, "%s", sc->sim.sampler);
    f->model_hash = output_hash(text);
    f->members = 1;
    f->seed = sc->sim.seed;
    f->trials = sc->sim.trials;
    f->shard = i;
    f->shards = k;
    f->units = runpart_chunks(sc->sim.trials);
    runpart_range(f->units, i, k, &f->first, &f->count);
}

/* One model's chunk summaries, COUNT chunks of each. */
typedef struct log_model {
    const model *m;
    size_t cells, outs, params;
    stats_moments *mom, *diff, *ever, *prior, *post;
    stats_pair *pair, *pair_ever;
    double *w;               /* per chunk: cw, cw2 */
} log_model;

struct runpart_log {
    log_model *lm;
    size_t k;
    uint64_t first, count;
};

runpart_log *runpart_log_alloc(model *const *models, size_t k,
                               uint64_t first, uint64_t count)
{
    runpart_log *l = calloc(1, sizeof *l);
    if (!l || !(l->lm = calloc(k, sizeof *l->lm))) {
        free(l);
        return NULL;
    }
    l->k = k;
    l->first = first;
    l->count = count;
    size_t c = (size_t)count;
    for (size_t i = 0; i < k; i++) {
        log_model *g = &l->lm[i];
        const model *m = models[i];
        g->m = m;
        g->cells = m->n_outputs * ((size_t)m->sc->sim.steps + 1);
        g->outs = m->n_outputs;
        g->params = m->n_random_params;
        g->mom = calloc(c * g->cells + 1, sizeof *g->mom);
        g->diff = calloc(c * g->outs + 1, sizeof *g->diff);
        g->ever = calloc(c * g->outs + 1, sizeof *g->ever);
        g->prior = calloc(c * g->params + 1, sizeof *g->prior);
        g->post = calloc(c * g->params + 1, sizeof *g->post);
        g->pair = calloc(c * g->outs + 1, sizeof *g->pair);
        g->pair_ever = calloc(c * g->outs + 1, sizeof *g->pair_ever);
        g->w = calloc(2 * c + 1, sizeof *g->w);
        if (!g->mom || !g->diff || !g->ever || !g->prior || !g->post
            || !g->pair || !g->pair_ever || !g->w) {
            runpart_log_free(l);
            return NULL;
        }
    }
    return l;
}

void runpart_log_free(runpart_log *l)
{
    if (!l)
        return;
    for (size_t i = 0; l->lm && i < l->k; i++) {
        free(l->lm[i].mom);
        free(l->lm[i].diff);
        free(l->lm[i].ever);
        free(l->lm[i].prior);
        free(l->lm[i].post);
        free(l->lm[i].pair);
        free(l->lm[i].pair_ever);
        free(l->lm[i].w);
    }
    free(l->lm);
    free(l);
}

int runpart_log_chunk(void *ctx, size_t which, const engine_chunk *c)
{
    runpart_log *l = ctx;
    log_model *g = &l->lm[which];
    if (c->index < l->first || c->index - l->first >= l->count)
        return -1;
    size_t j = (size_t)(c->index - l->first);
    memcpy(g->mom + j * g->cells, c->mom, g->cells * sizeof *g->mom);
    memcpy(g->diff + j * g->outs, c->diff, g->outs * sizeof *g->diff);
    memcpy(g->ever + j * g->outs, c->diff_ever, g->outs * sizeof *g->ever);
    memcpy(g->pair + j * g->outs, c->pair, g->outs * sizeof *g->pair);
    memcpy(g->pair_ever + j * g->outs, c->pair_ever,
           g->outs * sizeof *g->pair_ever);
    if (c->prior) {
        memcpy(g->prior + j * g->params, c->prior,
               g->params * sizeof *g->prior);
        memcpy(g->post + j * g->params, c->post, g->params * sizeof *g->post);
    }
    g->w[2 * j] = c->cw;
    g->w[2 * j + 1] = c->cw2;
    return 0;
}

/* ------------------------------------------------------------ sections -- */

/* Moments M[0 .. N-1] as sections NAME.u (n, weighted) and NAME.f (mean,
 * m2, min, max, sw, sw2). 0 or NCG_ERR_NOMEM. */
static int put_moments(part *p, const char *name, const stats_moments *m,
                       size_t n)
{
    uint64_t *u = malloc((2 * n + 1) * sizeof *u);
    double *f = malloc((6 * n + 1) * sizeof *f);
    char nm[PART_NAME_MAX + 1];
    int rc = NCG_ERR_NOMEM;
    if (u && f) {
        for (size_t i = 0; i < n; i++) {
            u[2 * i] = m[i].n;
            u[2 * i + 1] = (uint64_t)m[i].weighted;
            double v[6] = { m[i].mean, m[i].m2, m[i].min, m[i].max, m[i].sw,
                            m[i].sw2 };
            memcpy(f + 6 * i, v, sizeof v);
        }
        snprintf(nm, sizeof nm, "%s.u", name);
        rc = part_add(p, nm, PART_U64, u, 2 * n);
        snprintf(nm, sizeof nm, "%s.f", name);
        if (rc == 0)
            rc = part_add(p, nm, PART_F64, f, 6 * n);
    }
    free(u);
    free(f);
    return rc;
}

/* The doubles of a stats_pair, in the order they travel. */
#define PAIR_F 14
/* A new field of stats_pair must travel too: this fails until it does. */
_Static_assert(sizeof(stats_pair) == sizeof(uint64_t) + PAIR_F * sizeof(double),
               "stats_pair fields");
static void pair_doubles(stats_pair *p, double **f)
{
    double *x[PAIR_F] = { &p->sw, &p->sv, &p->mx, &p->my, &p->sw2, &p->sv2,
                          &p->swv, &p->xx, &p->yy, &p->xy, &p->x1, &p->y1,
                          &p->xv, &p->yw };
    memcpy(f, x, sizeof x);
}

/* Weighted pairs P[0 .. N-1] as sections NAME.u (n) and NAME.f (the
 * sums). 0 or NCG_ERR_NOMEM. */
static int put_pairs(part *p, const char *name, const stats_pair *x,
                     size_t n)
{
    uint64_t *u = malloc((n + 1) * sizeof *u);
    double *f = malloc((PAIR_F * n + 1) * sizeof *f);
    char nm[PART_NAME_MAX + 1];
    int rc = NCG_ERR_NOMEM;
    if (u && f) {
        for (size_t i = 0; i < n; i++) {
            stats_pair q = x[i];
            double *v[PAIR_F];
            pair_doubles(&q, v);
            u[i] = q.n;
            for (size_t k = 0; k < PAIR_F; k++)
                f[PAIR_F * i + k] = *v[k];
        }
        snprintf(nm, sizeof nm, "%s.u", name);
        rc = part_add(p, nm, PART_U64, u, n);
        snprintf(nm, sizeof nm, "%s.f", name);
        if (rc == 0)
            rc = part_add(p, nm, PART_F64, f, PAIR_F * n);
    }
    free(u);
    free(f);
    return rc;
}

/* Section NAME of TYPE with exactly N elements, or NULL. */
static const void *need(const part *p, const char *name, part_type type,
                        size_t n)
{
    size_t got;
    const void *x = part_find(p, name, type, &got);
    return x && got == n ? x : NULL;
}

/* Moments NAME (put_moments) into OUT[0 .. N-1]; 0, or -1 when the
 * sections are missing or of another size. */
static int get_moments(const part *p, const char *name, stats_moments *out,
                       size_t n)
{
    char nu[PART_NAME_MAX + 1], nf[PART_NAME_MAX + 1];
    snprintf(nu, sizeof nu, "%s.u", name);
    snprintf(nf, sizeof nf, "%s.f", name);
    const uint64_t *u = need(p, nu, PART_U64, 2 * n);
    const double *f = need(p, nf, PART_F64, 6 * n);
    if (!u || !f)
        return -1;
    for (size_t i = 0; i < n; i++) {
        out[i].n = u[2 * i];
        out[i].weighted = u[2 * i + 1] != 0;
        out[i].mean = f[6 * i];
        out[i].m2 = f[6 * i + 1];
        out[i].min = f[6 * i + 2];
        out[i].max = f[6 * i + 3];
        out[i].sw = f[6 * i + 4];
        out[i].sw2 = f[6 * i + 5];
    }
    return 0;
}

/* Pairs NAME (put_pairs) into OUT[0 .. N-1]; 0, or -1. */
static int get_pairs(const part *p, const char *name, stats_pair *out,
                     size_t n)
{
    char nu[PART_NAME_MAX + 1], nf[PART_NAME_MAX + 1];
    snprintf(nu, sizeof nu, "%s.u", name);
    snprintf(nf, sizeof nf, "%s.f", name);
    const uint64_t *u = need(p, nu, PART_U64, n);
    const double *f = need(p, nf, PART_F64, PAIR_F * n);
    if (!u || !f)
        return -1;
    for (size_t i = 0; i < n; i++) {
        double *v[PAIR_F];
        out[i] = stats_pair_empty();
        out[i].n = u[i];
        pair_doubles(&out[i], v);
        for (size_t k = 0; k < PAIR_F; k++)
            *v[k] = f[PAIR_F * i + k];
    }
    return 0;
}

/* Histograms H[0 .. N-1] (NULL entries allowed) as sections NAME.has,
 * NAME.u, NAME.f and NAME.q (stats_hist_pack). 0 or NCG_ERR_NOMEM. */
static int put_hists(part *p, const char *name, stats_hist *const *h,
                     size_t n)
{
    size_t nu = 0, nf = 0, nq = 0;
    for (size_t i = 0; i < n; i++)
        if (h[i]) {
            size_t b = stats_hist_nbins(h[i]);
            nu += STATS_HIST_U(b);
            nf += STATS_HIST_F(b);
            nq += stats_hist_weighted(h[i]) ? STATS_HIST_Q(b) : 0;
        }
    uint64_t *has = calloc(n + 1, sizeof *has), *u = malloc((nu + 1) * 8);
    double *f = malloc((nf + 1) * sizeof *f);
    stats_wsum *q = malloc((nq + 1) * sizeof *q);
    char nm[PART_NAME_MAX + 1];
    int rc = NCG_ERR_NOMEM;
    if (has && u && f && q) {
        size_t au = 0, af = 0, aq = 0;
        for (size_t i = 0; i < n; i++) {
            if (!h[i])
                continue;
            size_t b = stats_hist_nbins(h[i]);
            has[i] = 1;
            stats_hist_pack(h[i], u + au, f + af, q + aq);
            au += STATS_HIST_U(b);
            af += STATS_HIST_F(b);
            aq += stats_hist_weighted(h[i]) ? STATS_HIST_Q(b) : 0;
        }
        snprintf(nm, sizeof nm, "%s.has", name);
        rc = part_add(p, nm, PART_U64, has, n);
        snprintf(nm, sizeof nm, "%s.u", name);
        rc = rc ? rc : part_add(p, nm, PART_U64, u, nu);
        snprintf(nm, sizeof nm, "%s.f", name);
        rc = rc ? rc : part_add(p, nm, PART_F64, f, nf);
        snprintf(nm, sizeof nm, "%s.q", name);
        rc = rc ? rc : part_add(p, nm, PART_U128, q, nq);
    }
    free(has);
    free(u);
    free(f);
    free(q);
    return rc;
}

int runpart_build(const runpart_log *l, size_t which, const scenario *s,
                  const engine_result *r, const part_info *info,
                  uint32_t ref, part **out)
{
    const log_model *g = &l->lm[which];
    const model *m = r->m;
    size_t c = (size_t)l->count, T = r->steps;
    size_t cells = g->cells, firsts = m->n_outputs * (T + 2);
    char *text = scenario_text(s);
    uint64_t *dref = calloc(m->n_outputs + 1, sizeof *dref);
    uint64_t job[2] = { ref, (uint64_t)r->wpaired };
    part *p = part_alloc(info);
    int rc = NCG_ERR_NOMEM;
    *out = NULL;
    if (!text || !dref || !p)
        goto end;
    for (size_t o = 0; o < m->n_outputs; o++)
        dref[o] = r->diff_ref[o] == SIZE_MAX ? UINT64_MAX : r->diff_ref[o];
    if ((rc = part_add(p, "scenario", PART_TEXT, text, strlen(text)))
        || (rc = part_add(p, "reference", PART_U64, job, 2))
        || (rc = part_add(p, "diff_ref", PART_U64, dref, m->n_outputs))
        || (rc = put_moments(p, "c.mom", g->mom, c * cells))
        || (rc = put_moments(p, "c.diff", g->diff, c * g->outs))
        || (rc = put_moments(p, "c.ever", g->ever, c * g->outs))
        || (rc = put_pairs(p, "c.pair", g->pair, c * g->outs))
        || (rc = put_pairs(p, "c.pair_ever", g->pair_ever, c * g->outs))
        || (rc = part_add(p, "c.w", PART_F64, g->w, 2 * c))
        || (rc = part_add(p, "ones", PART_U64, r->ones, cells))
        || (rc = part_add(p, "count", PART_U64, r->count, cells))
        || (rc = part_add(p, "first", PART_U64, r->first, firsts))
        || (rc = part_add(p, "clamped", PART_I64, r->clamped, m->n_vars))
        || (rc = part_add(p, "obs.passed", PART_U64, r->obs_passed, r->n_obs))
        || (rc = part_add(p, "obs.killed", PART_U64, r->obs_killed, r->n_obs))
        || (rc = put_hists(p, "hist", r->hist, cells)))
        goto end;
    if (r->weighted
        && ((rc = put_moments(p, "c.prior", g->prior, c * g->params))
            || (rc = put_moments(p, "c.post", g->post, c * g->params))
            || (rc = part_add(p, "qones", PART_U128, r->qones, cells))
            || (rc = part_add(p, "qcount", PART_U128, r->qcount, cells))
            || (rc = part_add(p, "qfirst", PART_U128, r->qfirst, firsts))
            || (rc = part_add(p, "qtot", PART_U128, &r->qtot, 1))
            || (rc = put_hists(p, "phist.prior", r->prior_hist, g->params))
            || (rc = put_hists(p, "phist.post", r->post_hist, g->params))))
        goto end;
    *out = p;
    p = NULL;
    rc = 0;
end:
    part_free(p);
    free(text);
    free(dref);
    return rc;
}

char *runpart_scenario_text(const part *p, uint32_t *ref)
{
    size_t n, nr;
    const char *t = part_find(p, "scenario", PART_TEXT, &n);
    const uint64_t *r = part_find(p, "reference", PART_U64, &nr);
    if (!t || !r || nr != 2 || r[0] > UINT32_MAX || memchr(t, '\0', n))
        return NULL;
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, t, n);
        s[n] = '\0';
        *ref = (uint32_t)r[0];
    }
    return s;
}

/* ------------------------------------------------------------- folding -- */

/* Merges histograms NAME of part P into INTO[0 .. N-1]; 0, -1 (bad
 * sections), -2 (bins differ from INTO's) or -3 (out of memory). */
static int fold_hists(const part *p, const char *name, stats_hist **into,
                      size_t n)
{
    char nm[PART_NAME_MAX + 1];
    size_t nu, nf, nq = 0;
    snprintf(nm, sizeof nm, "%s.has", name);
    const uint64_t *has = need(p, nm, PART_U64, n);
    snprintf(nm, sizeof nm, "%s.u", name);
    const uint64_t *u = part_find(p, nm, PART_U64, &nu);
    snprintf(nm, sizeof nm, "%s.f", name);
    const double *f = part_find(p, nm, PART_F64, &nf);
    snprintf(nm, sizeof nm, "%s.q", name);
    const stats_wsum *q = part_find(p, nm, PART_U128, &nq);
    size_t au = 0, af = 0, aq = 0;
    if (!has || !u || !f || !q)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!has[i])
            continue;
        if (nu - au < 4 || u[au] == 0 || u[au] > nu)
            return -1;
        size_t b = (size_t)u[au];
        size_t wq = u[au + 3] ? STATS_HIST_Q(b) : 0;
        if (nu - au < STATS_HIST_U(b) || nf - af < STATS_HIST_F(b)
            || nq - aq < wq)
            return -1;
        stats_hist *h = stats_hist_unpack(u + au, f + af, q + aq);
        au += STATS_HIST_U(b);
        af += STATS_HIST_F(b);
        aq += wq;
        if (!h)
            return -3;
        if (!into[i]) {
            into[i] = h;
            continue;
        }
        int same = stats_hist_same_bins(into[i], h);
        if (same)
            stats_hist_merge(into[i], h);
        stats_hist_free(h);
        if (!same)
            return -2;
    }
    return au == nu && af == nf && aq == nq ? 0 : -1;
}

/* Adds part P's exact counts into INTO; 0 or -1 (missing or wrong size). */
static int fold_counts(const part *p, engine_result *into)
{
    const model *m = into->m;
    size_t cells = m->n_outputs * ((size_t)into->steps + 1);
    size_t firsts = m->n_outputs * ((size_t)into->steps + 2);
    const uint64_t *ones = need(p, "ones", PART_U64, cells);
    const uint64_t *count = need(p, "count", PART_U64, cells);
    const uint64_t *first = need(p, "first", PART_U64, firsts);
    const int64_t *clamped = need(p, "clamped", PART_I64, m->n_vars);
    const uint64_t *passed = need(p, "obs.passed", PART_U64, into->n_obs);
    const uint64_t *killed = need(p, "obs.killed", PART_U64, into->n_obs);
    const uint64_t *dref = need(p, "diff_ref", PART_U64, m->n_outputs);
    if (!ones || !count || !first || !clamped || !passed || !killed || !dref)
        return -1;
    for (size_t c = 0; c < cells; c++) {
        into->ones[c] += ones[c];
        into->count[c] += count[c];
    }
    for (size_t c = 0; c < firsts; c++)
        into->first[c] += first[c];
    for (size_t v = 0; v < m->n_vars; v++)
        into->clamped[v] += clamped[v];
    for (size_t j = 0; j < into->n_obs; j++) {
        into->obs_passed[j] += passed[j];
        into->obs_killed[j] += killed[j];
    }
    for (size_t o = 0; o < m->n_outputs; o++)
        into->diff_ref[o] = dref[o] == UINT64_MAX || dref[o] > SIZE_MAX
                            ? SIZE_MAX : (size_t)dref[o];
    if (!into->weighted)
        return 0;
    const stats_wsum *qones = need(p, "qones", PART_U128, cells);
    const stats_wsum *qcount = need(p, "qcount", PART_U128, cells);
    const stats_wsum *qfirst = need(p, "qfirst", PART_U128, firsts);
    const stats_wsum *qtot = need(p, "qtot", PART_U128, 1);
    if (!qones || !qcount || !qfirst || !qtot)
        return -1;
    for (size_t c = 0; c < cells; c++) {
        into->qones[c] += qones[c];
        into->qcount[c] += qcount[c];
    }
    for (size_t c = 0; c < firsts; c++)
        into->qfirst[c] += qfirst[c];
    into->qtot += *qtot;
    return 0;
}

/* Folds part P's chunks into INTO in order; 0, -1 (bad sections) or -3
 * (out of memory). */
static int fold_chunks(const part *p, engine_result *into)
{
    const model *m = into->m;
    const part_info *f = part_get_info(p);
    size_t cells = m->n_outputs * ((size_t)into->steps + 1);
    size_t outs = m->n_outputs, np = m->n_random_params;
    size_t c = (size_t)f->count;
    int w = into->weighted, rc = -3;
    stats_moments *mom = malloc((c * cells + 1) * sizeof *mom);
    stats_moments *diff = malloc((c * outs + 1) * sizeof *diff);
    stats_moments *ever = malloc((c * outs + 1) * sizeof *ever);
    stats_moments *prior = malloc((c * np + 1) * sizeof *prior);
    stats_moments *post = malloc((c * np + 1) * sizeof *post);
    stats_pair *pair = malloc((c * outs + 1) * sizeof *pair);
    stats_pair *pair_ever = malloc((c * outs + 1) * sizeof *pair_ever);
    size_t nr;
    const uint64_t *ref = part_find(p, "reference", PART_U64, &nr);
    const double *cw = need(p, "c.w", PART_F64, 2 * c);
    if (!mom || !diff || !ever || !prior || !post || !pair || !pair_ever)
        goto end;
    rc = -1;
    if (!cw || !ref || nr != 2 || get_moments(p, "c.mom", mom, c * cells)
        || get_pairs(p, "c.pair", pair, c * outs)
        || get_pairs(p, "c.pair_ever", pair_ever, c * outs)
        || get_moments(p, "c.diff", diff, c * outs)
        || get_moments(p, "c.ever", ever, c * outs)
        || (w && (get_moments(p, "c.prior", prior, c * np)
                  || get_moments(p, "c.post", post, c * np))))
        goto end;
    for (size_t j = 0; j < c; j++) {
        engine_chunk ch = { f->first + j, mom + j * cells, diff + j * outs,
                            ever + j * outs, pair + j * outs,
                            pair_ever + j * outs, cw[2 * j], cw[2 * j + 1],
                            w ? prior + j * np : NULL,
                            w ? post + j * np : NULL,
                            NULL, NULL, NULL, NULL, 0, NULL };
        engine_fold_chunk(into, &ch);
    }
    into->wpaired = ref[1] != 0;
    rc = 0;
end:
    free(pair);
    free(pair_ever);
    free(mom);
    free(diff);
    free(ever);
    free(prior);
    free(post);
    return rc;
}

/* The status of a fold that returned RC (0, -1 malformed, -2 other
 * histogram ranges, -3 out of memory), with its message about the part
 * LABEL in D. */
static int fold_status(int rc, const char *label, diag *d)
{
    if (rc == -3) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    if (rc == -2) {
        diag_add(d, label, 0, NULL, "histogram ranges differ from the other "
                 "parts' (a part of another run?)");
        return NCG_ERR_IO;
    }
    if (rc != 0) {
        diag_add(d, label, 0, NULL, "malformed part file (summaries do not "
                 "fit the scenario)");
        return NCG_ERR_IO;
    }
    return 0;
}

int runpart_fold(const part *p, const char *label, engine_result *into,
                 diag *d)
{
    int rc = fold_chunks(p, into);
    if (rc == 0)
        rc = fold_counts(p, into);
    if (rc == 0)
        rc = fold_hists(p, "hist", into->hist,
                        into->m->n_outputs * ((size_t)into->steps + 1));
    if (rc == 0 && into->weighted)
        rc = fold_hists(p, "phist.prior", into->prior_hist,
                        into->m->n_random_params);
    if (rc == 0 && into->weighted)
        rc = fold_hists(p, "phist.post", into->post_hist,
                        into->m->n_random_params);
    return fold_status(rc, label, d);
}

/* ------------------------------------------------------------ checking -- */

static const part_info *info_of(part *const *parts, size_t i)
{
    return part_get_info(parts[i]);
}

/* The first way in which part B differs from an earlier part A in what
 * every part of a job shares (SAME: A is of B's scenario, so seed, trials
 * and model must match too); message in D. 0 when alike. */
static int differs(const part_info *a, const char *la, const part_info *b,
                   const char *lb, int same, diag *d)
{
    if (strcmp(a->version, b->version) != 0)
        diag_add(d, lb, 0, NULL, "written by ncgsim %s, but %s by ncgsim %s: "
                 "every part of a job must come from one version", b->version,
                 la, a->version);
    else if (strcmp(a->build, b->build) != 0)
        diag_add(d, lb, 0, NULL, "built as \"%s\", but %s as \"%s\": every "
                 "part of a job must come from one build (compilers and "
                 "libraries may round differently)", b->build, la, a->build);
    else if (strcmp(a->command, b->command) != 0)
        diag_add(d, lb, 0, NULL, "a part of `%s`, but %s is a part of `%s`",
                 b->command, la, a->command);
    else if (same && a->seed != b->seed)
        diag_add(d, lb, 0, NULL, "seed %" PRIu64 ", but %s has seed %" PRIu64
                 ": parts of different runs", b->seed, la, a->seed);
    else if (same && a->trials != b->trials)
        diag_add(d, lb, 0, NULL, "%" PRIu64 " trials, but %s has %" PRIu64
                 ": parts of different runs", b->trials, la, a->trials);
    else if (same && a->model_hash != b->model_hash)
        diag_add(d, lb, 0, NULL, "scenario %s with model hash %016" PRIx64
                 ", but %s has model hash %016" PRIx64 ": parts of different "
                 "models or settings", b->scenario, b->model_hash, la,
                 a->model_hash);
    else if (a->shards != b->shards)
        diag_add(d, lb, 0, NULL, "one of %" PRIu32 " shards, but %s is one of "
                 "%" PRIu32 ": merge the parts of one split", b->shards, la,
                 a->shards);
    else if (a->job != b->job || a->members != b->members
             || strcmp(a->unit, b->unit) != 0 || (same && (a->units != b->units
                                                  || a->member != b->member)))
        diag_add(d, lb, 0, NULL, "belongs to another job than %s (other "
                 "scenarios or options)", la);
    else
        return 0;
    return NCG_ERR_IO;
}

static int cmp_key(const void *x, const void *y)
{
    const uint64_t *a = x, *b = y;
    return a[0] != b[0] ? (a[0] < b[0] ? -1 : 1)
                        : a[1] != b[1] ? (a[1] < b[1] ? -1 : 1) : 0;
}

int runpart_order(part *const *parts, const char *const *labels, size_t n,
                  size_t *order, diag *d)
{
    if (n == 0) {
        diag_add(d, NULL, 0, NULL, "merge: no part files given");
        return NCG_ERR_USAGE;
    }
    const part_info *a = info_of(parts, 0);
    /* Each part against the first of its scenario, or the very first. */
    for (size_t i = 1; i < n; i++) {
        size_t j = 0;
        while (j < i && strcmp(info_of(parts, j)->scenario,
                               info_of(parts, i)->scenario) != 0)
            j++;
        int same = j < i;
        if (!same)
            j = 0;
        if (differs(info_of(parts, j), labels[j], info_of(parts, i),
                    labels[i], same, d))
            return NCG_ERR_IO;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++) {
            const part_info *x = info_of(parts, i), *y = info_of(parts, j);
            int same_name = strcmp(x->scenario, y->scenario) == 0;
            if (!same_name && x->member == y->member) {
                diag_add(d, labels[i], 0, NULL, "belongs to another job than "
                         "%s (other scenarios or options)", labels[j]);
                return NCG_ERR_IO;
            }
            if (same_name && x->shard == y->shard) {
                diag_add(d, labels[i], 0, NULL, "shard %" PRIu32 " of %" PRIu32
                         " of scenario %s again (also %s): give each part "
                         "once", x->shard, x->shards, x->scenario, labels[j]);
                return NCG_ERR_IO;
            }
        }
    /* Each part holds exactly its shard's range. */
    for (size_t i = 0; i < n; i++) {
        const part_info *x = info_of(parts, i);
        uint64_t first, count;
        runpart_range(x->units, x->shard, x->shards, &first, &count);
        if (x->first != first || x->count != count) {
            diag_add(d, labels[i], 0, NULL, "malformed part file (its range "
                     "is not that of shard %" PRIu32 " of %" PRIu32 ")",
                     x->shard, x->shards);
            return NCG_ERR_IO;
        }
    }
    if ((uint64_t)n < (uint64_t)a->members * a->shards) {
        /* Name the first missing one: scenario by scenario, shard by
         * shard. A scenario no part came from has no name here. */
        for (uint32_t mbr = 0; mbr < a->members; mbr++) {
            const char *name = NULL;
            for (size_t i = 0; i < n && !name; i++)
                if (info_of(parts, i)->member == mbr)
                    name = info_of(parts, i)->scenario;
            for (uint32_t s = 1; s <= a->shards; s++) {
                int found = 0;
                for (size_t i = 0; i < n && !found; i++)
                    found = info_of(parts, i)->member == mbr
                            && info_of(parts, i)->shard == s;
                if (found)
                    continue;
                if (name) {
                    char file[300];
                    part_file_name(a->command, name, s, a->shards, file,
                                   sizeof file);
                    diag_add(d, NULL, 0, NULL, "missing part: shard %" PRIu32
                             " of %" PRIu32 " of scenario %s (%s)", s,
                             a->shards, name, file);
                } else {
                    diag_add(d, NULL, 0, NULL, "missing parts: scenario %"
                             PRIu32 " of the %" PRIu32 " of this job has none",
                             mbr + 1, a->members);
                }
                return NCG_ERR_IO;
            }
        }
    }
    uint64_t (*key)[3] = malloc((n + 1) * sizeof *key);
    if (!key) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        key[i][0] = info_of(parts, i)->member;
        key[i][1] = info_of(parts, i)->shard;
        key[i][2] = i;
    }
    qsort(key, n, sizeof *key, cmp_key);
    for (size_t i = 0; i < n; i++)
        order[i] = (size_t)key[i][2];
    free(key);
    return 0;
}

/* ------------------------------------------------------ precision probes -- */

/* One model's per-chunk figures, COUNT chunks of OUTS outputs each. */
typedef struct probe_model {
    size_t outs;
    uint32_t T;
    unsigned char *keep;        /* per output: 1 to keep its histogram */
    stats_moments *mom, *diff, *ever;
    stats_pair *pair, *pair_ever;
    double *w;                  /* per chunk: cw, cw2 */
    uint64_t *ones, *never;     /* events: 1 at step T; never 1 */
    stats_wsum *qones, *qnever, *qtot;  /* conditioned: their weights */
    stats_hist **hist;          /* kept outputs' last-step histograms */
} probe_model;

struct runpart_probes {
    probe_model *pm;
    size_t k;
    uint64_t first, count;
};

runpart_probes *runpart_probes_alloc(model *const *models, size_t k,
                                     uint64_t first, uint64_t count,
                                     const char *const *hist_vars,
                                     size_t n_hist)
{
    runpart_probes *l = calloc(1, sizeof *l);
    if (!l || !(l->pm = calloc(k, sizeof *l->pm))) {
        free(l);
        return NULL;
    }
    l->k = k;
    l->first = first;
    l->count = count;
    size_t c = (size_t)count;
    for (size_t i = 0; i < k; i++) {
        probe_model *g = &l->pm[i];
        const model *m = models[i];
        size_t n = c * m->n_outputs + 1;
        g->outs = m->n_outputs;
        g->T = m->sc->sim.steps;
        g->keep = calloc(g->outs + 1, 1);
        g->mom = calloc(n, sizeof *g->mom);
        g->diff = calloc(n, sizeof *g->diff);
        g->ever = calloc(n, sizeof *g->ever);
        g->pair = calloc(n, sizeof *g->pair);
        g->pair_ever = calloc(n, sizeof *g->pair_ever);
        g->w = calloc(2 * c + 1, sizeof *g->w);
        g->ones = calloc(n, sizeof *g->ones);
        g->never = calloc(n, sizeof *g->never);
        g->qones = calloc(n, sizeof *g->qones);
        g->qnever = calloc(n, sizeof *g->qnever);
        g->qtot = calloc(c + 1, sizeof *g->qtot);
        g->hist = calloc(n, sizeof *g->hist);
        if (!g->keep || !g->mom || !g->diff || !g->ever || !g->pair
            || !g->pair_ever || !g->w || !g->ones || !g->never || !g->qones
            || !g->qnever || !g->qtot || !g->hist) {
            runpart_probes_free(l);
            return NULL;
        }
        for (size_t o = 0; o < g->outs; o++)
            for (size_t h = 0; h < n_hist; h++)
                g->keep[o] |= strcmp(m->vars[m->outputs[o]].name,
                                     hist_vars[h]) == 0;
    }
    return l;
}

void runpart_probes_free(runpart_probes *l)
{
    if (!l)
        return;
    for (size_t i = 0; l->pm && i < l->k; i++) {
        probe_model *g = &l->pm[i];
        for (size_t j = 0; g->hist && j < (size_t)l->count * g->outs; j++)
            stats_hist_free(g->hist[j]);
        free(g->keep);
        free(g->mom);
        free(g->diff);
        free(g->ever);
        free(g->pair);
        free(g->pair_ever);
        free(g->w);
        free(g->ones);
        free(g->never);
        free(g->qones);
        free(g->qnever);
        free(g->qtot);
        free(g->hist);
    }
    free(l->pm);
    free(l);
}

int runpart_probes_chunk(void *ctx, size_t which, const engine_chunk *c)
{
    runpart_probes *l = ctx;
    probe_model *g = &l->pm[which];
    if (c->index < l->first || c->index - l->first >= l->count || !c->ones)
        return -1;
    size_t j = (size_t)(c->index - l->first), T = g->T;
    for (size_t o = 0; o < g->outs; o++) {
        size_t at = j * g->outs + o, last = o * (T + 1) + T;
        size_t never = o * (T + 2) + T + 1;
        g->mom[at] = c->mom[last];
        g->diff[at] = c->diff[o];
        g->ever[at] = c->diff_ever[o];
        g->pair[at] = c->pair[o];
        g->pair_ever[at] = c->pair_ever[o];
        g->ones[at] = c->ones[last];
        g->never[at] = c->first[never];
        if (c->qones) {
            g->qones[at] = c->qones[last];
            g->qnever[at] = c->qfirst[never];
        }
        if (g->keep[o] && c->hist_last[o]
            && !(g->hist[at] = stats_hist_copy(c->hist_last[o])))
            return -1;
    }
    g->qtot[j] = c->qtot;
    g->w[2 * j] = c->cw;
    g->w[2 * j + 1] = c->cw2;
    return 0;
}

int runpart_probes_build(const runpart_probes *l, size_t which,
                         const scenario *s, const engine_result *r,
                         const part_info *info, uint32_t ref,
                         const char *settings, part **out)
{
    const probe_model *g = &l->pm[which];
    size_t n = (size_t)l->count * g->outs, c = (size_t)l->count;
    char *text = scenario_text(s);
    uint64_t *dref = calloc(g->outs + 1, sizeof *dref);
    uint64_t job[2] = { ref, (uint64_t)r->wpaired };
    part *p = part_alloc(info);
    int rc = NCG_ERR_NOMEM;
    *out = NULL;
    if (!text || !dref || !p)
        goto end;
    for (size_t o = 0; o < g->outs; o++)
        dref[o] = r->diff_ref[o] == SIZE_MAX ? UINT64_MAX : r->diff_ref[o];
    if ((rc = part_add(p, "scenario", PART_TEXT, text, strlen(text)))
        || (rc = part_add(p, "reference", PART_U64, job, 2))
        || (rc = part_add(p, "diff_ref", PART_U64, dref, g->outs))
        || (rc = part_add(p, "precision", PART_TEXT, settings,
                          strlen(settings)))
        || (rc = put_moments(p, "p.mom", g->mom, n))
        || (rc = put_moments(p, "p.diff", g->diff, n))
        || (rc = put_moments(p, "p.ever", g->ever, n))
        || (rc = put_pairs(p, "p.pair", g->pair, n))
        || (rc = put_pairs(p, "p.pair_ever", g->pair_ever, n))
        || (rc = part_add(p, "c.w", PART_F64, g->w, 2 * c))
        || (rc = part_add(p, "p.ones", PART_U64, g->ones, n))
        || (rc = part_add(p, "p.never", PART_U64, g->never, n))
        || (rc = put_hists(p, "p.hist", g->hist, n)))
        goto end;
    if (r->weighted
        && ((rc = part_add(p, "p.qones", PART_U128, g->qones, n))
            || (rc = part_add(p, "p.qnever", PART_U128, g->qnever, n))
            || (rc = part_add(p, "p.qtot", PART_U128, g->qtot, c))))
        goto end;
    *out = p;
    p = NULL;
    rc = 0;
end:
    part_free(p);
    free(text);
    free(dref);
    return rc;
}

/* Folds probe P's chunks before CHUNKS into INTO (see
 * runpart_probes_fold); 0, -1 (bad sections), -2 (histogram bins differ)
 * or -3 (out of memory). */
static int fold_probes(const part *p, uint64_t chunks, engine_result *into)
{
    const model *m = into->m;
    const part_info *f = part_get_info(p);
    size_t outs = m->n_outputs, T = into->steps, c = (size_t)f->count;
    size_t n = c * outs, cells = outs * (T + 1), np = m->n_random_params;
    int w = into->weighted, rc = -3;
    stats_moments *mom = malloc((n + 1) * sizeof *mom);
    stats_moments *diff = malloc((n + 1) * sizeof *diff);
    stats_moments *ever = malloc((n + 1) * sizeof *ever);
    stats_pair *pair = malloc((n + 1) * sizeof *pair);
    stats_pair *pair_ever = malloc((n + 1) * sizeof *pair_ever);
    stats_moments *cmom = malloc((cells + 1) * sizeof *cmom);
    stats_moments *none = malloc((np + 1) * sizeof *none);
    stats_hist **hist = calloc(n + 1, sizeof *hist);
    size_t nr;
    const uint64_t *ref = part_find(p, "reference", PART_U64, &nr);
    const double *cw = need(p, "c.w", PART_F64, 2 * c);
    const uint64_t *ones = need(p, "p.ones", PART_U64, n);
    const uint64_t *never = need(p, "p.never", PART_U64, n);
    const uint64_t *dref = need(p, "diff_ref", PART_U64, outs);
    const stats_wsum *qones = need(p, "p.qones", PART_U128, n);
    const stats_wsum *qnever = need(p, "p.qnever", PART_U128, n);
    const stats_wsum *qtot = need(p, "p.qtot", PART_U128, c);
    if (!mom || !diff || !ever || !pair || !pair_ever || !cmom || !none
        || !hist)
        goto end;
    for (size_t k = 0; k < cells; k++)
        cmom[k] = stats_moments_empty();
    for (size_t k = 0; k < np; k++)
        none[k] = stats_moments_empty();
    rc = fold_hists(p, "p.hist", hist, n);
    if (rc != 0)
        goto end;
    rc = -1;
    if (!cw || !ref || nr != 2 || !ones || !never || !dref
        || (w && (!qones || !qnever || !qtot))
        || get_moments(p, "p.mom", mom, n) || get_moments(p, "p.diff", diff, n)
        || get_moments(p, "p.ever", ever, n)
        || get_pairs(p, "p.pair", pair, n)
        || get_pairs(p, "p.pair_ever", pair_ever, n))
        goto end;
    for (size_t j = 0; j < c && f->first + j < chunks; j++) {
        const size_t at = j * outs;
        for (size_t o = 0; o < outs; o++)
            cmom[o * (T + 1) + T] = mom[at + o];
        engine_chunk ch = { f->first + j, cmom, diff + at, ever + at,
                            pair + at, pair_ever + at, cw[2 * j],
                            cw[2 * j + 1], w ? none : NULL, w ? none : NULL,
                            NULL, NULL, NULL, NULL, 0, NULL };
        engine_fold_chunk(into, &ch);
        for (size_t o = 0; o < outs; o++) {
            size_t last = o * (T + 1) + T, nv = o * (T + 2) + T + 1;
            into->ones[last] += ones[at + o];
            into->first[nv] += never[at + o];
            if (w) {
                into->qones[last] += qones[at + o];
                into->qfirst[nv] += qnever[at + o];
            }
            if (!hist[at + o])
                continue;
            if (into->hist[last] && !stats_hist_same_bins(into->hist[last],
                                                          hist[at + o])) {
                rc = -2;
                goto end;
            }
            if (into->hist[last]) {
                stats_hist_merge(into->hist[last], hist[at + o]);
            } else {
                into->hist[last] = hist[at + o];
                hist[at + o] = NULL;
            }
        }
        if (w)
            into->qtot += qtot[j];
    }
    for (size_t o = 0; o < outs; o++)
        into->diff_ref[o] = dref[o] == UINT64_MAX || dref[o] > SIZE_MAX
                            ? SIZE_MAX : (size_t)dref[o];
    into->wpaired = ref[1] != 0;
    rc = 0;
end:
    for (size_t k = 0; hist && k < n; k++)
        stats_hist_free(hist[k]);
    free(hist);
    free(mom);
    free(diff);
    free(ever);
    free(pair);
    free(pair_ever);
    free(cmom);
    free(none);
    return rc;
}

int runpart_probes_fold(const part *p, const char *label, uint64_t chunks,
                        engine_result *into, diag *d)
{
    int rc = fold_probes(p, chunks, into);
    return fold_status(rc, label, d);
}

char *runpart_settings(const part *p)
{
    size_t n;
    const char *t = part_find(p, "precision", PART_TEXT, &n);
    if (!t || memchr(t, '\0', n))
        return NULL;
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, t, n);
        s[n] = '\0';
    }
    return s;
}

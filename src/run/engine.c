/* engine.c: trials x steps over blocks of trials, threads, fixed-order merge. */
#include "run/engine.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "model/corr.h"
#include "model/observe.h"
#include "base/ncgsim.h"
#include "base/par.h"
#include "base/simd.h"
#include "random/rng.h"
#include "random/sampler.h"
#include "expr/vm.h"
#include "base/status.h"

/* Trials per chunk (4 blocks): the unit handed to a thread and merged in
 * order. Fixed, so that the order of floating-point merges never depends
 * on threads. */
#define CHUNK_TRIALS ((uint64_t)ENGINE_CHUNK_TRIALS)
#define NEVER UINT32_MAX
#define SET_FREE UINT64_MAX
#define SET_BUSY (UINT64_MAX - 1)
/* Spare chunk sets (beyond one per thread) may hold at most this many
 * bytes of per-trial values: parking a chunk must not multiply the
 * memory of a run that keeps rows for many models (a sensitivity group
 * of 25 variants of the baseline keeps about 2.8 MiB of rows per set:
 * two spares for its ten chunks at 10,000 trials). */
#define SPARE_ROW_BYTES ((size_t)8 << 20)
_Static_assert(ENGINE_CHUNK_TRIALS % VM_BLOCK == 0, "whole blocks");

/* What one model shares between threads for a run. */
typedef struct shared_model {
    const model *m;
    uint64_t *keys;          /* per random source */
    sampler *smp;
    size_t n_cols;           /* samples.csv: params + outputs + one
                                ever flag per event output */
    size_t *col_at;          /* with engine_opts rows: per column of that
                                layout, its place in a row, or SIZE_MAX */
    size_t row_width;        /* with engine_opts rows: columns of a row */
    double *lo, *hi;         /* histogram ranges per (o, t) from the pilot */
    size_t bins_step;        /* fine bins before step T, from this model
                                alone: its files never depend on the other
                                models of the run */
    const obs_plan *obs;     /* the model's observations, or NULL */
    double *plo, *phi;       /* conditioned: histogram ranges of the random
                                params from the pilot */
    int weighted;            /* 1 when they condition: trials are weighted */
} shared_model;

/* One model's summaries of one chunk whose merge order matters (see
 * engine_chunk), and its per-trial values: what a chunk hands to the
 * in-order commit. A thread that finishes a chunk before its turn parks
 * its set and runs on with a free one, so threads do not wait for each
 * other. */
typedef struct chunk_acc {
    stats_moments *mom;      /* per (o, t) */
    stats_moments *diff;     /* per output: paired differences */
    stats_moments *diff_ever;        /* events: ever flags' differences */
    stats_pair *pair;        /* as diff and diff_ever when this model or */
    stats_pair *pair_ever;   /* the reference is conditioned */
    double cw, cw2;          /* sums of the weights and their squares */
    stats_moments *prior, *post;     /* conditioned: per random param */
    double *rows;            /* with engine_opts rows: CHUNK_TRIALS x cols */
    double *wrows;           /* conditioned, with engine_opts weights: the
                                final weights, CHUNK_TRIALS */
    /* With engine_opts.chunk_counts, this chunk's own exact counts, moved
     * here from its thread's when the chunk has run (move_counts): */
    size_t outs;             /* outputs */
    uint64_t *ones, *first;  /* as in engine_result */
    stats_wsum *qones, *qfirst, qtot;    /* conditioned */
    stats_hist **hist_last;  /* per output: at step T (NULL for events) */
} chunk_acc;

/* One thread's working set for one model. */
typedef struct worker_model {
    vm_frame f;
    double *mem;             /* backing store of f.reg */
    gsl_rng *rng;
    sampler_ws *ws;
    int64_t *clamped;
    chunk_acc *acc;          /* this chunk's ordered summaries: one of the
                                run's sets (borrowed); NULL in the pilot */
    stats_hist **hist;       /* per (o, t): thread-local */
    uint64_t *ones, *first, *count;
    uint32_t *lane_first;    /* per event output x lane */
    uint32_t *lane_count;
    double *pmin, *pmax;     /* pilot: per (o, t) */
    /* Conditioned models only: */
    double *wt;              /* per lane: the trial's weight so far */
    uint64_t *wq;            /* per lane: its final weight, fixed point */
    double *hold;            /* per (o, t) x lane: the block's outputs, kept
                                until the block's weights are final */
    stats_wsum *qones, *qfirst, *qcount, qtot;
    uint64_t *passed, *killed;   /* per observation item */
    /* Conditioned: per random param, prior and posterior histograms. */
    stats_hist **ph_prior, **ph_post;    /* thread-local */
    double *ppmin, *ppmax;               /* pilot */
    /* Model 0 with probes: per probe x lane, 1 once it held; tallies. */
    uint8_t *hit;
    uint64_t *pcount;
    stats_wsum *pq;
} worker_model;

typedef struct run {
    int light;               /* o->last_step_only, when no model is
                                conditioned */
    shared_model *sm;
    size_t k;
    uint64_t trials;
    uint32_t T;
    const engine_opts *o;
    const engine_probe *probes;  /* questions about model 0, or NULL */
    size_t n_probes;
    engine_result **res;
    uint64_t chunk0;         /* first chunk to run */
    uint64_t n_chunks;       /* one past the last chunk to run */
    uint64_t chunk_trials;   /* CHUNK_TRIALS; one block in the pilot */
    int pilot;               /* 1 while the pilot runs (ranges only) */

    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t next_chunk;     /* next chunk to hand out */
    uint64_t committed;      /* chunks merged so far */
    /* The chunk sets: N_SETS x K (set s of model i at acc[s * k + i]);
     * each thread runs on one, the others are free or hold a parked
     * chunk. */
    chunk_acc *acc;
    size_t n_sets;
    uint64_t *held;          /* per set: the chunk it holds parked, or
                                SET_FREE, or SET_BUSY (a thread's) */
    uint8_t *held_bad;       /* per set: the parked chunk failed */
    uint64_t err_chunk;      /* lowest chunk that failed, or UINT64_MAX */
    int err_code;
    char err[1024];
    const char *err_file;
    int err_line;
    char err_path[512];
} run;

int engine_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (int)n;
}

static size_t idx(const run *r, size_t o, uint32_t t)
{
    return o * (r->T + 1) + t;
}

static void worker_free(worker_model *w, const run *r, const model *m)
{
    if (!w)
        return;
    free(w->f.reg);
    free(w->mem);
    gsl_rng_free(w->rng);
    sampler_ws_free(w->ws);
    free(w->clamped);
    if (w->hist)
        for (size_t i = 0; i < m->n_outputs * (r->T + 1); i++)
            stats_hist_free(w->hist[i]);
    free(w->hist);
    free(w->ones);
    free(w->first);
    free(w->count);
    free(w->lane_first);
    free(w->lane_count);
    free(w->pmin);
    free(w->pmax);
    free(w->wt);
    free(w->wq);
    free(w->hold);
    free(w->qones);
    free(w->qfirst);
    free(w->qcount);
    free(w->passed);
    free(w->killed);
    for (size_t j = 0; j < m->n_random_params; j++) {
        if (w->ph_prior)
            stats_hist_free(w->ph_prior[j]);
        if (w->ph_post)
            stats_hist_free(w->ph_post[j]);
    }
    free(w->ph_prior);
    free(w->ph_post);
    free(w->ppmin);
    free(w->ppmax);
    free(w->hit);
    free(w->pcount);
    free(w->pq);
}

/* Empties A, a chunk set of model SM, for the next chunk. */
static void acc_reset(chunk_acc *a, const run *r, const shared_model *sm)
{
    const model *m = sm->m;
    for (size_t c = 0; c < m->n_outputs * (r->T + 1); c++)
        a->mom[c] = stats_moments_empty();
    for (size_t o = 0; o < m->n_outputs; o++) {
        a->diff[o] = a->diff_ever[o] = stats_moments_empty();
        a->pair[o] = a->pair_ever[o] = stats_pair_empty();
    }
    a->cw = a->cw2 = 0.0;
    for (size_t j = 0; a->prior && j < m->n_random_params; j++) {
        a->prior[j] = stats_moments_empty();
        a->post[j] = stats_moments_empty();
        a->post[j].weighted = 1;
    }
    if (!a->ones)
        return;
    size_t cells = m->n_outputs * (r->T + 1), firsts = m->n_outputs * (r->T + 2);
    memset(a->ones, 0, cells * sizeof *a->ones);
    memset(a->first, 0, firsts * sizeof *a->first);
    for (size_t c = 0; a->qones && c < cells; c++)
        a->qones[c] = 0;
    for (size_t c = 0; a->qfirst && c < firsts; c++)
        a->qfirst[c] = 0;
    a->qtot = 0;
    for (size_t o = 0; o < m->n_outputs; o++)
        if (a->hist_last[o])
            stats_hist_reset(a->hist_last[o]);
}

static void acc_free(chunk_acc *a)
{
    if (!a)
        return;
    free(a->mom);
    free(a->diff);
    free(a->diff_ever);
    free(a->pair);
    free(a->pair_ever);
    free(a->prior);
    free(a->post);
    free(a->rows);
    free(a->wrows);
    for (size_t o = 0; a->hist_last && o < a->outs; o++)
        stats_hist_free(a->hist_last[o]);
    free(a->hist_last);
    free(a->ones);
    free(a->first);
    free(a->qones);
    free(a->qfirst);
}

/* engine_opts.chunk_counts: A's arrays for one chunk's exact counts, its
 * histograms with the bins of the thread's at step T. 0 or -1. */
static int acc_init_counts(chunk_acc *a, const run *r, const shared_model *sm)
{
    const model *m = sm->m;
    size_t cells = m->n_outputs * (r->T + 1);
    size_t firsts = m->n_outputs * (r->T + 2);
    a->outs = m->n_outputs;
    a->ones = calloc(cells + 1, sizeof *a->ones);
    a->first = calloc(firsts + 1, sizeof *a->first);
    a->hist_last = calloc(m->n_outputs + 1, sizeof *a->hist_last);
    if (!a->ones || !a->first || !a->hist_last)
        return -1;
    if (sm->weighted && (!(a->qones = calloc(cells + 1, sizeof *a->qones))
                         || !(a->qfirst = calloc(firsts + 1,
                                                 sizeof *a->qfirst))))
        return -1;
    for (size_t o = 0; !r->light && o < m->n_outputs; o++) {
        size_t c = idx(r, o, r->T);
        if (m->vars[m->outputs[o]].kind == VAR_EVENT)
            continue;
        a->hist_last[o] = sm->weighted
            ? stats_hist_alloc_w(sm->lo[c], sm->hi[c], ENGINE_BINS_LAST)
            : stats_hist_alloc(sm->lo[c], sm->hi[c], ENGINE_BINS_LAST);
        if (!a->hist_last[o])
            return -1;
    }
    return 0;
}

/* Allocates A, an empty chunk set of model SM (free with acc_free, also
 * on failure); 0 or -1. */
static int acc_init(chunk_acc *a, const run *r, const shared_model *sm)
{
    const model *m = sm->m;
    size_t cells = m->n_outputs * (r->T + 1);
    size_t np = m->n_random_params;
    memset(a, 0, sizeof *a);
    a->mom = calloc(cells + 1, sizeof *a->mom);
    a->diff = calloc(m->n_outputs + 1, sizeof *a->diff);
    a->diff_ever = calloc(m->n_outputs + 1, sizeof *a->diff_ever);
    a->pair = calloc(m->n_outputs + 1, sizeof *a->pair);
    a->pair_ever = calloc(m->n_outputs + 1, sizeof *a->pair_ever);
    if (!a->mom || !a->diff || !a->diff_ever || !a->pair || !a->pair_ever)
        return -1;
    if (sm->weighted) {
        a->prior = calloc(np + 1, sizeof *a->prior);
        a->post = calloc(np + 1, sizeof *a->post);
        if (!a->prior || !a->post)
            return -1;
    }
    if (r->o->rows) {
        a->rows = malloc(CHUNK_TRIALS * (sm->row_width + 1) * sizeof(double));
        if (!a->rows)
            return -1;
        if (r->o->weights && sm->weighted
            && !(a->wrows = malloc(CHUNK_TRIALS * sizeof *a->wrows)))
            return -1;
    }
    if (r->o->chunk_counts && acc_init_counts(a, r, sm) != 0)
        return -1;
    acc_reset(a, r, sm);
    return 0;
}

/* Prior and posterior histograms of the random params (a conditioned
 * model), only after the pilot set their ranges. 0 or -1. */
static int worker_init_params(worker_model *w, const shared_model *sm,
                              int with_hist)
{
    size_t np = sm->m->n_random_params;
    w->ph_prior = calloc(np + 1, sizeof *w->ph_prior);
    w->ph_post = calloc(np + 1, sizeof *w->ph_post);
    w->ppmin = malloc((np + 1) * sizeof *w->ppmin);
    w->ppmax = malloc((np + 1) * sizeof *w->ppmax);
    if (!w->ph_prior || !w->ph_post || !w->ppmin || !w->ppmax)
        return -1;
    for (size_t j = 0; j < np; j++) {
        w->ppmin[j] = INFINITY;
        w->ppmax[j] = -INFINITY;
        if (!with_hist)
            continue;
        w->ph_prior[j] = stats_hist_alloc(sm->plo[j], sm->phi[j],
                                          ENGINE_BINS_LAST);
        w->ph_post[j] = stats_hist_alloc_w(sm->plo[j], sm->phi[j],
                                           ENGINE_BINS_LAST);
        if (!w->ph_prior[j] || !w->ph_post[j])
            return -1;
    }
    return 0;
}

/* The working set a conditioned model adds; 0 or -1. */
static int worker_init_weights(worker_model *w, const run *r,
                               const shared_model *sm)
{
    const model *m = sm->m;
    size_t cells = m->n_outputs * (r->T + 1);
    size_t items = sm->obs ? sm->obs->n_items : 0;
    w->wt = calloc(VM_BLOCK, sizeof *w->wt);
    w->wq = calloc(VM_BLOCK, sizeof *w->wq);
    w->passed = calloc(items + 1, sizeof *w->passed);
    w->killed = calloc(items + 1, sizeof *w->killed);
    if (!w->wt || !w->wq || !w->passed || !w->killed)
        return -1;
    if (!sm->weighted)
        return 0;
    w->hold = malloc((cells + 1) * VM_BLOCK * sizeof *w->hold);
    w->qones = calloc(cells + 1, sizeof *w->qones);
    w->qfirst = calloc(m->n_outputs * (r->T + 2) + 1, sizeof *w->qfirst);
    w->qcount = calloc(cells + 1, sizeof *w->qcount);
    return w->hold && w->qones && w->qfirst && w->qcount ? 0 : -1;
}

/* Allocates everything a thread needs for model SM; 0 or -1. */
static int worker_init(worker_model *w, const run *r, const shared_model *sm,
                       int with_hist)
{
    const model *m = sm->m;
    size_t nslots = code_n_slots(m->prog);
    size_t cells = m->n_outputs * (r->T + 1);
    memset(w, 0, sizeof *w);
    w->f.reg = calloc(nslots + 1, sizeof *w->f.reg);
    w->mem = aligned_alloc(64, (nslots + 1) * VM_BLOCK * sizeof(double));
    w->rng = rng_alloc();
    w->ws = sampler_ws_alloc(sm->smp);
    w->clamped = calloc(m->n_vars + 1, sizeof *w->clamped);
    w->hist = calloc(cells + 1, sizeof *w->hist);
    w->ones = calloc(cells + 1, sizeof *w->ones);
    w->first = calloc(m->n_outputs * (r->T + 2) + 1, sizeof *w->first);
    w->count = calloc(cells + 1, sizeof *w->count);
    w->lane_first = calloc(m->n_outputs * VM_BLOCK + 1, sizeof(uint32_t));
    w->lane_count = calloc(m->n_outputs * VM_BLOCK + 1, sizeof(uint32_t));
    w->pmin = malloc((cells + 1) * sizeof *w->pmin);
    w->pmax = malloc((cells + 1) * sizeof *w->pmax);
    if (!w->f.reg || !w->mem || !w->rng || !w->ws || !w->clamped
        || !w->hist || !w->ones || !w->first || !w->count || !w->lane_first || !w->lane_count
        || !w->pmin || !w->pmax)
        return -1;
    if (sm->obs && worker_init_weights(w, r, sm) != 0)
        return -1;
    if (sm->weighted && worker_init_params(w, sm, with_hist) != 0)
        return -1;
    if (sm == &r->sm[0] && r->n_probes) {
        w->hit = calloc(r->n_probes * VM_BLOCK, 1);
        w->pcount = calloc(r->n_probes, sizeof *w->pcount);
        w->pq = calloc(r->n_probes, sizeof *w->pq);
        if (!w->hit || !w->pcount || !w->pq)
            return -1;
    }
    memset(w->mem, 0, (nslots + 1) * VM_BLOCK * sizeof(double));
    for (size_t s = 0; s < nslots; s++)
        w->f.reg[s] = w->mem + s * VM_BLOCK;
    w->f.lanes = VM_BLOCK;
    w->f.rng = w->rng;
    w->f.keys = sm->keys;
    w->f.clamped = w->clamped;
    /* What never changes within a run: constants, T, constant params. */
    for (size_t i = 0; i < code_n_consts(m->prog); i++)
        vm_fill(&w->f, code_const_slot(m->prog, i),
                code_const_value(m->prog, i));
    vm_fill(&w->f, m->slot_T, (double)r->T);
    for (size_t i = 0; i < m->n_vars; i++)
        if (m->vars[i].kind == VAR_PARAM && m->vars[i].form == PARAM_CONST)
            vm_fill(&w->f, m->vars[i].cur, m->vars[i].value);
    for (size_t c = 0; c < cells; c++) {
        w->pmin[c] = INFINITY;
        w->pmax[c] = -INFINITY;
    }
    if (with_hist)
        for (size_t o = 0; o < m->n_outputs; o++) {
            if (m->vars[m->outputs[o]].kind == VAR_EVENT)
                continue;
            for (uint32_t t = 0; t <= r->T; t++) {
                size_t c = idx(r, o, t);
                size_t nb = t == r->T ? ENGINE_BINS_LAST : sm->bins_step;
                w->hist[c] = sm->weighted
                    ? stats_hist_alloc_w(sm->lo[c], sm->hi[c], nb)
                    : stats_hist_alloc(sm->lo[c], sm->hi[c], nb);
                if (!w->hist[c])
                    return -1;
            }
        }
    return 0;
}

/* The first lane of X[0 .. N-1] that is NaN or infinite, or N. */
NCG_CLONES static size_t first_bad(const double *x, size_t n)
{
    /* A double is NaN or infinite exactly when its exponent bits are all
     * ones. An integer OR over the lanes vectorises (a floating-point sum
     * would not: its order is fixed), so the common case is one fast pass. */
    uint64_t any = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t b;
        memcpy(&b, &x[i], sizeof b);
        any |= (~b & UINT64_C(0x7ff0000000000000)) == 0;
    }
    if (!any)
        return n;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return i;
    return n;
}

/* Records a bad value of variable V in lane LANE at step T of CHUNK. */
static void report_bad(run *r, uint64_t chunk, const model *m,
                       const model_var *v, double x, uint64_t trial,
                       uint32_t t)
{
    pthread_mutex_lock(&r->mu);
    if (chunk < r->err_chunk) {
        char label[32];
        r->err_chunk = chunk;
        r->err_code = NCG_ERR_RUN;
        r->err_file = v->node->file;
        r->err_line = v->node->line;
        model_var_path(v, r->err_path, sizeof r->err_path);
        scenario_step_label(&m->sc->sim, t, label, sizeof label);
        const char *what = isnan(x) ? "NaN" : x > 0 ? "+infinity"
                                                    : "-infinity";
        if (v->kind == VAR_PARAM)
            snprintf(r->err, sizeof r->err, "value is %s in trial %llu "
                     "(check the expression and the arguments it uses)",
                     what, (unsigned long long)trial + 1);
        else
            /* Without a start the label is the step number again. */
            snprintf(r->err, sizeof r->err, "value is %s at step %u%s%s%s in "
                     "trial %llu (look for log or sqrt of a negative number, "
                     "division by zero, or a random function with an invalid "
                     "argument)", what, t, m->sc->sim.has_start ? " (" : "",
                     m->sc->sim.has_start ? label : "",
                     m->sc->sim.has_start ? ")" : "",
                     (unsigned long long)trial + 1);
    }
    pthread_mutex_unlock(&r->mu);
}

/* Checks the variables ORDER[0 .. N-1] of the block; 0 or -1 (reported). */
static int check_vars(run *r, uint64_t chunk, const model *m,
                      worker_model *w, const size_t *order, size_t n,
                      uint32_t t)
{
    for (size_t k = 0; k < n; k++) {
        const model_var *v = &m->vars[order[k]];
        const double *x = w->f.reg[v->cur];
        size_t lane = first_bad(x, w->f.lanes);
        if (lane < w->f.lanes) {
            report_bad(r, chunk, m, v, x[lane], w->f.trial0 + lane, t);
            return -1;
        }
    }
    return 0;
}

/* Output O's values at step T of the block: the registers, or what the
 * block kept in W->hold for a conditioned model. */
static const double *out_values(const run *r, const model *m,
                                const worker_model *w, size_t o, uint32_t t)
{
    if (w->hold)
        return w->hold + idx(r, o, t) * VM_BLOCK;
    return w->f.reg[m->vars[m->outputs[o]].cur];
}

/* Event output O at step T: each lane's first 1 and count of 1s so far
 * (LF and LC, per lane of X[0 .. LANES-1]); returns the lanes at 1. No
 * branch per lane, so that it vectorises: the first 1 is the smaller of
 * the one kept and T when on (NEVER when off), since a lane's first 1 is
 * either NEVER or an earlier step. */
NCG_CLONES static uint64_t event_lanes(uint32_t *lf, uint32_t *lc,
                                       const double *x, size_t lanes,
                                       uint32_t t)
{
    uint64_t ones = 0;
    if (t == 0) {
        for (size_t i = 0; i < lanes; i++) {
            uint32_t on = x[i] != 0.0;
            lf[i] = on ? 0 : NEVER;
            lc[i] = 0;
            ones += on;
        }
        return ones;
    }
    for (size_t i = 0; i < lanes; i++) {
        uint32_t on = x[i] != 0.0, at = on ? t : NEVER;
        lc[i] += on;
        lf[i] = lf[i] < at ? lf[i] : at;
        ones += on;
    }
    return ones;
}

/* The sum of the fixed-point weights Q of the lanes where X is not 0.
 * Summed as two 64-bit sums of the weights' low and high 32 bits (which
 * vectorise, and cannot overflow for fewer than 2^32 lanes), then joined:
 * the same integer as a 128-bit sum lane by lane. */
NCG_CLONES static stats_wsum event_weight(const double *x, const uint64_t *q,
                                          size_t lanes)
{
    uint64_t lo = 0, hi = 0;
    for (size_t i = 0; i < lanes; i++) {
        uint64_t on = 0 - (uint64_t)(x[i] != 0.0);
        lo += q[i] & on & UINT64_C(0xffffffff);
        hi += (q[i] & on) >> 32;
    }
    return ((stats_wsum)hi << 32) + lo;
}

/* Event output O at step T of a conditioned block: the weighted tallies. */
static void accumulate_event_w(const run *r, worker_model *w, size_t o,
                               const double *x, uint32_t t)
{
    uint32_t *lf = w->lane_first + o * VM_BLOCK;
    uint32_t *lc = w->lane_count + o * VM_BLOCK;
    uint64_t plain = event_lanes(lf, lc, x, w->f.lanes, t);
    w->qones[idx(r, o, t)] += event_weight(x, w->wq, w->f.lanes);
    /* Plain counts of trials too, for the `trials` columns of
     * histograms.csv and counts.csv. */
    w->ones[idx(r, o, t)] += plain;
    if (t == r->T)
        for (size_t i = 0; i < w->f.lanes; i++) {
            w->qfirst[o * (r->T + 2) + (lf[i] == NEVER ? r->T + 1 : lf[i])]
                += w->wq[i];
            w->qcount[o * (r->T + 1) + lc[i]] += w->wq[i];
            w->count[o * (r->T + 1) + lc[i]]++;
        }
}

/* 1 when X satisfies probe P. */
static int probe_holds(const engine_probe *p, double x)
{
    switch (p->op) {
    case ENGINE_PROBE_ONE: return x != 0.0;
    case ENGINE_PROBE_LT: return x < p->threshold;
    case ENGINE_PROBE_LE: return x <= p->threshold;
    case ENGINE_PROBE_GT: return x > p->threshold;
    case ENGINE_PROBE_GE: return x >= p->threshold;
    }
    return 0;
}

/* The probes on output O at step T: marks the lanes where they hold, and
 * at the last step tallies them (weighted for a conditioned model). */
static void probe_step(const run *r, worker_model *w, size_t o,
                       const double *x, uint32_t t)
{
    for (size_t i = 0; i < r->n_probes; i++) {
        const engine_probe *p = &r->probes[i];
        uint8_t *hit = w->hit + i * VM_BLOCK;
        if (p->o != o)
            continue;
        if (t == 0)
            memset(hit, 0, VM_BLOCK);
        if (t >= p->from && t <= p->to)
            for (size_t l = 0; l < w->f.lanes; l++)
                hit[l] |= (uint8_t)probe_holds(p, x[l]);
        if (t != r->T)
            continue;
        for (size_t l = 0; l < w->f.lanes; l++) {
            w->pcount[i] += hit[l];
            if (w->wq)
                w->pq[i] += hit[l] ? w->wq[l] : 0;
        }
    }
}

/* Adds the outputs' values at step T of the block to W's accumulators
 * (weighted with the block's final weights for a conditioned model). */
static void accumulate(const run *r, const model *m, worker_model *w,
                       uint32_t t)
{
    size_t lanes = w->f.lanes;
    for (size_t o = 0; o < m->n_outputs; o++) {
        const model_var *v = &m->vars[m->outputs[o]];
        const double *x = r->pilot ? w->f.reg[v->cur]
                                   : out_values(r, m, w, o, t);
        size_t c = idx(r, o, t);
        if (w->hit && !r->pilot)
            probe_step(r, w, o, x, t);
        if (v->kind == VAR_EVENT && w->hold && !r->pilot) {
            accumulate_event_w(r, w, o, x, t);
        } else if (v->kind == VAR_EVENT) {
            uint32_t *lf = w->lane_first + o * VM_BLOCK;
            uint32_t *lc = w->lane_count + o * VM_BLOCK;
            w->ones[c] += event_lanes(lf, lc, x, lanes, t);
            if (t == r->T)
                for (size_t i = 0; i < lanes; i++) {
                    w->first[o * (r->T + 2)
                             + (lf[i] == NEVER ? r->T + 1 : lf[i])]++;
                    w->count[o * (r->T + 1) + lc[i]]++;
                }
        } else if (r->light) {
            if (t == r->T)
                stats_moments_add(&w->acc->mom[c], x, lanes);
        } else if (r->pilot) {
            double mn = w->pmin[c], mx = w->pmax[c];
            for (size_t i = 0; i < lanes; i++) {
                mn = x[i] < mn ? x[i] : mn;
                mx = x[i] > mx ? x[i] : mx;
            }
            w->pmin[c] = mn;
            w->pmax[c] = mx;
        } else if (w->hold) {
            stats_moments_add_w(&w->acc->mom[c], x, w->wt, lanes);
            stats_hist_add_w(w->hist[c], x, w->wq, lanes);
        } else {
            stats_moments_add(&w->acc->mom[c], x, lanes);
            stats_hist_add(w->hist[c], x, lanes);
        }
    }
}

/* Keeps the outputs' values at step T until the block's weights are final
 * (a later observation may still rule a trial out). */
static void hold_outputs(const run *r, const model *m, worker_model *w,
                         uint32_t t)
{
    for (size_t o = 0; o < m->n_outputs; o++)
        memcpy(w->hold + idx(r, o, t) * VM_BLOCK,
               w->f.reg[m->vars[m->outputs[o]].cur],
               w->f.lanes * sizeof(double));
}

/* The probability event item IT's model gave to 1 in LANE at step T. */
static double event_p1(const obs_item *it, const vm_frame *f, size_t lane,
                       uint32_t t)
{
    double p = f->reg[it->p_slot][lane];
    p = p < 0.0 ? 0.0 : p > 1.0 ? 1.0 : p;
    if (t == 0)
        return p;
    double prev = f->reg[it->prev_slot][lane];
    if (it->ev_kind == EV_ABSORBING)
        return prev != 0.0 ? 1.0 : p;
    if (it->ev_kind == EV_SWITCH && prev != 0.0) {
        double rec = f->reg[it->rec_slot][lane];
        rec = rec < 0.0 ? 0.0 : rec > 1.0 ? 1.0 : rec;
        return 1.0 - rec;
    }
    return p;
}

/* The likelihood factor of item IT for value X in LANE at step T. */
static double obs_factor(const obs_item *it, const vm_frame *f, size_t lane,
                         double x, uint32_t t)
{
    switch (it->form) {
    case OBS_EVENT: {
        double p1 = event_p1(it, f, lane, t);
        return it->value != 0.0 ? p1 : 1.0 - p1;
    }
    case OBS_EXACT:
        return x == it->value ? 1.0 : 0.0;
    case OBS_RANGE:
        return x >= it->min && x <= it->max ? 1.0 : 0.0;
    case OBS_NOISY: {
        double z = (x - it->value) / it->sd;
        return exp(-0.5 * z * z);
    }
    }
    return 1.0;
}

/* Applies the observation items of CUT at step T to the block: clamps what
 * is imposed or an observed event, multiplies the weights by the
 * likelihood of what is conditioned on. A NaN stays for check_vars. */
static void apply_cut(const obs_plan *p, const obs_cut *cut,
                      worker_model *w, uint32_t t)
{
    vm_frame *f = &w->f;
    for (size_t j = cut->first; j < cut->first + cut->n; j++) {
        size_t i = p->order[j];
        const obs_item *it = &p->items[i];
        if (!it->on[t])
            continue;
        double *x = f->reg[it->slot];
        int clamp = it->form == OBS_EVENT || it->how == OBS_IMPOSE;
        for (size_t l = 0; l < f->lanes; l++) {
            if (isnan(x[l]))
                continue;
            if (it->how == OBS_CONDITION) {
                double fac = obs_factor(it, f, l, x[l], t);
                int alive = w->wt[l] > 0.0;
                w->wt[l] *= fac;
                w->passed[i] += fac > 0.0;
                w->killed[i] += alive && !(w->wt[l] > 0.0);
            }
            if (clamp)
                x[l] = it->value;
        }
    }
}

/* Runs Q over the block, stopping at PHASE's cuts to apply observations. */
static void run_code(const shared_model *sm, worker_model *w,
                     const code_seq *q, obs_phase phase, uint32_t t)
{
    size_t at = 0;
    if (sm->obs)
        for (size_t c = 0; c < sm->obs->n_cuts[phase]; c++) {
            const obs_cut *cut = &sm->obs->cuts[phase][c];
            vm_run(q->ins + at, cut->pos - at, &w->f);
            at = cut->pos;
            apply_cut(sm->obs, cut, w, t);
        }
    if (at < q->n)   /* an empty sequence has no instructions at all */
        vm_run(q->ins + at, q->n - at, &w->f);
}

/* Fixes the block's final weights and adds what it kept to the
 * accumulators (a conditioned model, after step T). */
static void settle_block(const run *r, const model *m, worker_model *w)
{
    for (size_t j = 0; j < m->n_random_params; j++) {
        const double *x = w->f.reg[m->vars[m->random_params[j]].cur];
        stats_moments_add(&w->acc->prior[j], x, w->f.lanes);
        stats_moments_add_w(&w->acc->post[j], x, w->wt, w->f.lanes);
    }
    for (size_t l = 0; l < w->f.lanes; l++) {
        w->wq[l] = stats_weight_fixed(w->wt[l]);
        w->qtot += w->wq[l];
        w->acc->cw += w->wt[l];
        w->acc->cw2 += w->wt[l] * w->wt[l];
    }
    for (uint32_t t = 0; t <= r->T; t++)
        accumulate(r, m, w, t);
    for (size_t j = 0; j < m->n_random_params; j++) {
        const double *x = w->f.reg[m->vars[m->random_params[j]].cur];
        stats_hist_add(w->ph_prior[j], x, w->f.lanes);
        stats_hist_add_w(w->ph_post[j], x, w->wq, w->f.lanes);
    }
}

/* The pilot's range of each random param (a conditioned model). */
static void pilot_params(const model *m, worker_model *w)
{
    for (size_t j = 0; j < m->n_random_params; j++) {
        const double *x = w->f.reg[m->vars[m->random_params[j]].cur];
        for (size_t l = 0; l < w->f.lanes; l++) {
            w->ppmin[j] = x[l] < w->ppmin[j] ? x[l] : w->ppmin[j];
            w->ppmax[j] = x[l] > w->ppmax[j] ? x[l] : w->ppmax[j];
        }
    }
}

/* Puts X[0 .. LANES-1] into column C (of the full layout) of the block's
 * ROWS, when the run keeps that column. */
static void put_column(const shared_model *sm, double *rows, size_t c,
                       const double *x, size_t lanes)
{
    size_t p = sm->col_at[c], width = sm->row_width;
    if (p == SIZE_MAX)
        return;
    for (size_t l = 0; l < lanes; l++)
        rows[l * width + p] = x[l];
}

/* Runs one block of model I (trials TRIAL0 .. + LANES - 1); 0 or -1. */
static int run_block(run *r, size_t i, worker_model *w, uint64_t chunk,
                     uint64_t trial0, size_t lanes, uint64_t row0)
{
    const shared_model *sm = &r->sm[i];
    const model *m = sm->m;
    vm_frame *f = &w->f;
    f->lanes = lanes;
    f->trial0 = trial0;
    f->step = 0;
    int keep = w->hold && !r->pilot;
    if (w->wt)
        for (size_t l = 0; l < lanes; l++)
            w->wt[l] = 1.0;
    for (size_t j = 0; j < m->n_random_params; j++) {
        double *out = f->reg[m->vars[m->random_params[j]].cur];
        if (r->o->draw)
            r->o->draw(r->o->draw_ctx, i, j, trial0, lanes, out);
        else
            sampler_draw(sm->smp, w->ws, j, trial0, lanes, out);
    }
    if (sm->obs)
        for (size_t c = 0; c < sm->obs->n_cuts[OBS_DRAWN]; c++)
            apply_cut(sm->obs, &sm->obs->cuts[OBS_DRAWN][c], w, 0);
    run_code(sm, w, &m->param_code, OBS_PARAMS, 0);
    if (check_vars(r, chunk, m, w, m->random_params, m->n_random_params, 0)
        || check_vars(r, chunk, m, w, m->expr_params, m->n_expr_params, 0))
        return -1;
    vm_fill(f, m->slot_t, 0.0);
    run_code(sm, w, &m->init_code, OBS_INIT, 0);
    if (check_vars(r, chunk, m, w, m->init_order, m->n_dyn, 0))
        return -1;
    if (keep)
        hold_outputs(r, m, w, 0);
    else
        accumulate(r, m, w, 0);
    for (uint32_t t = 1; t <= r->T; t++) {
        /* This step's values overwrite the slots of two steps ago. */
        for (size_t k = 0; k < m->n_dyn; k++) {
            const model_var *v = &m->vars[m->step_order[k]];
            double *tmp = f->reg[v->cur];
            f->reg[v->cur] = f->reg[v->prev];
            f->reg[v->prev] = tmp;
        }
        f->step = t;
        vm_fill(f, m->slot_t, (double)t);
        run_code(sm, w, &m->step_code, OBS_STEP, t);
        if (check_vars(r, chunk, m, w, m->step_order, m->n_dyn, t))
            return -1;
        if (keep)
            hold_outputs(r, m, w, t);
        else
            accumulate(r, m, w, t);
    }
    if (keep)
        settle_block(r, m, w);
    else if (r->pilot && sm->weighted)
        pilot_params(m, w);
    if (r->pilot)
        return 0;
    if (w->acc->wrows)
        memcpy(w->acc->wrows + row0, w->wt, lanes * sizeof *w->wt);
    if (w->acc->rows) {
        double *rows = w->acc->rows + row0 * sm->row_width;
        double ever[VM_BLOCK];
        size_t c = 0;
        for (size_t v = 0; v < m->n_vars; v++)
            if (m->vars[v].kind == VAR_PARAM)
                put_column(sm, rows, c++, f->reg[m->vars[v].cur], lanes);
        for (size_t o = 0; o < m->n_outputs; o++)
            put_column(sm, rows, c++, f->reg[m->vars[m->outputs[o]].cur],
                       lanes);
        for (size_t o = 0; o < m->n_outputs; o++) {
            if (m->vars[m->outputs[o]].kind != VAR_EVENT)
                continue;
            const uint32_t *lf = w->lane_first + o * VM_BLOCK;
            for (size_t l = 0; l < lanes; l++)
                ever[l] = lf[l] != NEVER ? 1.0 : 0.0;
            put_column(sm, rows, c++, ever, lanes);
        }
    }
    return 0;
}

/* Paired differences at step T of model I > 0 against model 0, for the
 * block just run by both. When either is conditioned, each side keeps its
 * own weights (weighted pairs, stats_pair); else the plain per-trial
 * differences. */
static void accumulate_diff(run *r, size_t i, worker_model *wi,
                            worker_model *w0)
{
    const model *m = r->sm[i].m, *m0 = r->sm[0].m;
    int wp = r->sm[i].weighted || r->sm[0].weighted;
    const double *wx = r->sm[i].weighted ? wi->wt : NULL;
    const double *wy = r->sm[0].weighted ? w0->wt : NULL;
    size_t lanes = wi->f.lanes;
    double d[VM_BLOCK], ex[VM_BLOCK], ey[VM_BLOCK];
    for (size_t o = 0; o < m->n_outputs; o++) {
        size_t ro = r->res[i]->diff_ref[o];
        if (ro == SIZE_MAX)
            continue;
        const double *x = wi->f.reg[m->vars[m->outputs[o]].cur];
        const double *y = w0->f.reg[m0->vars[m0->outputs[ro]].cur];
        if (wp) {
            stats_pair_add(&wi->acc->pair[o], x, wx, y, wy, lanes);
        } else {
            for (size_t l = 0; l < lanes; l++)
                d[l] = x[l] - y[l];
            stats_moments_add(&wi->acc->diff[o], d, lanes);
        }
        if (m->vars[m->outputs[o]].kind != VAR_EVENT
            || m0->vars[m0->outputs[ro]].kind != VAR_EVENT)
            continue;
        /* Happened by the end: each lane's first 1, kept by event_lanes
         * for the block just run, says whether it ever was 1. */
        const uint32_t *fi = wi->lane_first + o * VM_BLOCK;
        const uint32_t *f0 = w0->lane_first + ro * VM_BLOCK;
        for (size_t l = 0; l < lanes; l++) {
            ex[l] = (double)(fi[l] != NEVER);
            ey[l] = (double)(f0[l] != NEVER);
            d[l] = ex[l] - ey[l];
        }
        if (wp)
            stats_pair_add(&wi->acc->pair_ever[o], ex, wx, ey, wy, lanes);
        else
            stats_moments_add(&wi->acc->diff_ever[o], d, lanes);
    }
}

void engine_fold_chunk(engine_result *res, const engine_chunk *ch)
{
    const model *m = res->m;
    size_t cells = m->n_outputs * ((size_t)res->steps + 1);
    for (size_t c = 0; c < cells; c++)
        stats_moments_merge(&res->mom[c], &ch->mom[c]);
    for (size_t o = 0; o < m->n_outputs; o++) {
        stats_moments_merge(&res->diff[o], &ch->diff[o]);
        stats_moments_merge(&res->diff_ever[o], &ch->diff_ever[o]);
        stats_pair_merge(&res->pair[o], &ch->pair[o]);
        stats_pair_merge(&res->pair_ever[o], &ch->pair_ever[o]);
    }
    /* Weight sums in chunk order: the same bits for any thread count. */
    res->wsum += ch->cw;
    res->wsum2 += ch->cw2;
    for (size_t j = 0; res->prior && j < m->n_random_params; j++) {
        stats_moments_merge(&res->prior[j], &ch->prior[j]);
        stats_moments_merge(&res->post[j], &ch->post[j]);
    }
}

/* engine_opts.chunk_counts: moves each model's exact counts of the chunk
 * that has just run on the thread with working sets WS (its event
 * tallies and last-step histograms, which held that chunk's alone) into
 * the thread's chunk set, to travel with the chunk to its commit. */
static void move_counts(const run *r, worker_model *ws)
{
    for (size_t i = 0; i < r->k; i++) {
        const model *m = r->sm[i].m;
        worker_model *w = &ws[i];
        chunk_acc *a = w->acc;
        size_t cells = m->n_outputs * (r->T + 1);
        size_t firsts = m->n_outputs * (r->T + 2);
        for (size_t c = 0; c < cells; c++) {
            a->ones[c] = w->ones[c];
            w->ones[c] = 0;
        }
        for (size_t c = 0; c < firsts; c++) {
            a->first[c] = w->first[c];
            w->first[c] = 0;
        }
        for (size_t c = 0; a->qones && c < cells; c++) {
            a->qones[c] = w->qones[c];
            w->qones[c] = 0;
        }
        for (size_t c = 0; a->qfirst && c < firsts; c++) {
            a->qfirst[c] = w->qfirst[c];
            w->qfirst[c] = 0;
        }
        a->qtot = w->qtot;
        w->qtot = 0;
        for (size_t o = 0; o < m->n_outputs; o++) {
            stats_hist *h = w->hist[idx(r, o, r->T)];
            if (!h || !a->hist_last[o])
                continue;
            stats_hist_merge(a->hist_last[o], h);
            stats_hist_reset(h);
        }
    }
}

/* engine_opts.chunk_counts: adds chunk set A's counts to RES (exact sums:
 * the same bits as when the threads' counts are added at the end). 0, or
 * -1 when out of memory. */
static int fold_counts(const run *r, const model *m, const chunk_acc *a,
                       engine_result *res)
{
    size_t cells = m->n_outputs * (r->T + 1);
    size_t firsts = m->n_outputs * (r->T + 2);
    for (size_t c = 0; c < cells; c++)
        res->ones[c] += a->ones[c];
    for (size_t c = 0; c < firsts; c++)
        res->first[c] += a->first[c];
    for (size_t c = 0; a->qones && c < cells; c++)
        res->qones[c] += a->qones[c];
    for (size_t c = 0; a->qfirst && c < firsts; c++)
        res->qfirst[c] += a->qfirst[c];
    res->qtot += a->qtot;
    for (size_t o = 0; o < m->n_outputs; o++) {
        size_t c = idx(r, o, r->T);
        if (!a->hist_last[o])
            continue;
        if (res->hist[c])
            stats_hist_merge(res->hist[c], a->hist_last[o]);
        else if (!(res->hist[c] = stats_hist_copy(a->hist_last[o])))
            return -1;
    }
    return 0;
}

/* Merges chunk CHUNK's ordered summaries, in set ACC (one per model),
 * into the results, and writes its samples. Called in chunk order. 0, -1
 * (write error) or -2 (the chunk callback failed: out of memory). */
static int commit_chunk(run *r, const chunk_acc *acc, uint64_t chunk)
{
    int rc = 0;
    for (size_t i = 0; i < r->k; i++) {
        const shared_model *sm = &r->sm[i];
        const chunk_acc *a = &acc[i];
        engine_result *res = r->res[i];
        engine_chunk ch = { chunk, a->mom, a->diff, a->diff_ever, a->pair,
                            a->pair_ever, a->cw, a->cw2,
                            res->prior ? a->prior : NULL,
                            res->prior ? a->post : NULL,
                            a->ones, a->first, a->qones, a->qfirst, a->qtot,
                            a->hist_last };
        if (r->o->chunk && r->o->chunk(r->o->chunk_ctx, i, &ch) != 0)
            return -2;
        engine_fold_chunk(res, &ch);
        if (a->ones && fold_counts(r, sm->m, a, res) != 0)
            return -2;
        if (r->o->rows && a->rows) {
            uint64_t t0 = chunk * CHUNK_TRIALS;
            uint64_t n = r->trials - t0 < CHUNK_TRIALS ? r->trials - t0
                                                       : CHUNK_TRIALS;
            if (a->wrows && r->o->weights(r->o->rows_ctx, i, t0, (size_t)n,
                                          a->wrows) != 0)
                rc = -1;
            if (r->o->rows(r->o->rows_ctx, i, t0, (size_t)n, sm->row_width,
                           a->rows) != 0)
                rc = -1;
        }
    }
    return rc;
}

/* Commits chunk C (the next in order) from set S, or only counts it when
 * it FAILED or follows a failure, and empties the set. Under R->mu. */
static void commit_next(run *r, size_t s, uint64_t c, int failed)
{
    chunk_acc *acc = &r->acc[s * r->k];
    assert(c == r->committed);
    int crc = failed || c >= r->err_chunk ? 0 : commit_chunk(r, acc, c);
    if (crc != 0 && c < r->err_chunk) {
        r->err_chunk = c;
        r->err_code = crc == -2 ? NCG_ERR_NOMEM : NCG_ERR_IO;
        r->err_file = NULL;
        r->err_line = 0;
        r->err_path[0] = '\0';
        if (crc == -2)
            snprintf(r->err, sizeof r->err, "out of memory");
        else
            snprintf(r->err, sizeof r->err, "cannot write the per-trial "
                     "values (samples.csv): %s", strerror(errno));
    }
    for (size_t i = 0; i < r->k; i++)
        acc_reset(&acc[i], r, &r->sm[i]);
    r->committed++;
    /* One caller at a time (under the lock), in order. */
    if (r->o->progress) {
        uint64_t from = r->chunk0 * CHUNK_TRIALS;
        uint64_t to = r->n_chunks * CHUNK_TRIALS;
        uint64_t done = r->committed * CHUNK_TRIALS;
        to = to < r->trials ? to : r->trials;
        done = done < to ? done : to;
        r->o->progress(r->o->progress_ctx, done - from, to - from);
    }
}

/* Points the thread's working sets WS (one per model) at chunk set S,
 * which the thread now holds. */
static void use_set(run *r, worker_model *ws, size_t s)
{
    r->held[s] = SET_BUSY;
    for (size_t i = 0; i < r->k; i++)
        ws[i].acc = &r->acc[s * r->k + i];
}

/* Chunk C has run on set *S of the thread with working sets WS (FAILED:
 * it stopped early). When C is next in order, commits it and every parked
 * chunk that follows; otherwise parks it in *S and moves the thread to a
 * free set, or, with none free, waits for C's turn. Every chunk before C
 * was handed out earlier and reaches this point, so the wait ends. Under
 * R->mu. */
static void finish_chunk(run *r, worker_model *ws, size_t *s, uint64_t c,
                         int failed)
{
    while (r->committed != c) {
        size_t f = 0;
        while (f < r->n_sets && r->held[f] != SET_FREE)
            f++;
        if (f < r->n_sets) {
            r->held[*s] = c;
            r->held_bad[*s] = (uint8_t)failed;
            use_set(r, ws, f);
            *s = f;
            return;
        }
        pthread_cond_wait(&r->cv, &r->mu);
    }
    commit_next(r, *s, c, failed);
    for (size_t p = 0; p < r->n_sets;) {
        if (r->held[p] == r->committed) {
            commit_next(r, p, r->committed, r->held_bad[p]);
            r->held[p] = SET_FREE;
            p = 0;
        } else {
            p++;
        }
    }
    pthread_cond_broadcast(&r->cv);
}

/* Runs chunk C for every model; 0 or -1 (reported in R). */
static int run_chunk(run *r, worker_model *ws, uint64_t c)
{
    uint64_t start = c * r->chunk_trials;
    uint64_t end = start + r->chunk_trials < r->trials
                   ? start + r->chunk_trials : r->trials;
    for (uint64_t t0 = start; t0 < end; t0 += VM_BLOCK) {
        size_t lanes = end - t0 < VM_BLOCK ? (size_t)(end - t0) : VM_BLOCK;
        if (r->o->stop && *r->o->stop)
            return -1;
        for (size_t i = 0; i < r->k; i++) {
            if (run_block(r, i, &ws[i], c, t0, lanes, t0 - start) != 0)
                return -1;
            if (i > 0 && !r->pilot)
                accumulate_diff(r, i, &ws[i], &ws[0]);
        }
    }
    return 0;
}

typedef struct thread_arg {
    run *r;
    worker_model *ws;   /* one per model */
    size_t set;         /* the chunk set it runs on (not in the pilot) */
} thread_arg;

static void *thread_main(void *p)
{
    thread_arg *a = p;
    run *r = a->r;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        uint64_t c = r->next_chunk;
        int stop = c >= r->n_chunks || c > r->err_chunk
                   || (r->o->stop && *r->o->stop);
        if (!stop)
            r->next_chunk++;
        pthread_mutex_unlock(&r->mu);
        if (stop)
            break;
        int failed = run_chunk(r, a->ws, c) != 0;
        /* The pilot commits nothing (its minima and maxima merge in any
         * order). */
        if (r->pilot)
            continue;
        if (r->o->chunk_counts)
            move_counts(r, a->ws);
        pthread_mutex_lock(&r->mu);
        finish_chunk(r, a->ws, &a->set, c, failed);
        pthread_mutex_unlock(&r->mu);
    }
    return NULL;
}

/* Runs chunks chunk0 .. n_chunks - 1 on THREADS threads; each thread's
 * working sets are WS[thread * k .. + k - 1], and thread t starts on chunk
 * set t. */
static void run_threads(run *r, worker_model *ws, int threads)
{
    thread_arg *args = calloc((size_t)threads, sizeof *args);
    r->next_chunk = r->chunk0;
    r->committed = r->chunk0;
    /* Each thread's first set is taken before any thread starts (a
     * thread that parks early must not take a later thread's). */
    for (int t = 0; !r->pilot && t < threads; t++)
        use_set(r, ws + (size_t)t * r->k, (size_t)t);
    thread_arg self = { r, ws, 0 };
    for (int t = 0; args && t < threads; t++)
        args[t] = (thread_arg){ r, ws + (size_t)t * r->k, (size_t)t };
    /* A thread that runs after the others finds no chunk left. */
    if (args)
        par_run(threads, thread_main, args, sizeof *args);
    else
        par_run(1, thread_main, &self, 0);
    free(args);
}

void engine_result_free(engine_result *res)
{
    if (!res)
        return;
    if (res->hist && res->m)
        for (size_t i = 0; i < res->m->n_outputs * (res->steps + 1); i++)
            stats_hist_free(res->hist[i]);
    free(res->hist);
    free(res->mom);
    free(res->ones);
    free(res->first);
    free(res->count);
    free(res->clamped);
    free(res->diff);
    free(res->diff_ever);
    free(res->pair);
    free(res->pair_ever);
    free(res->diff_ref);
    free(res->qones);
    free(res->qfirst);
    free(res->qcount);
    free(res->obs_passed);
    free(res->obs_killed);
    free(res->prior);
    free(res->post);
    for (size_t j = 0; res->m && j < res->m->n_random_params; j++) {
        if (res->prior_hist)
            stats_hist_free(res->prior_hist[j]);
        if (res->post_hist)
            stats_hist_free(res->post_hist[j]);
    }
    free(res->prior_hist);
    free(res->post_hist);
    free(res->probe_p);
    free(res->probe_count);
    free(res->probe_q);
    free(res);
}

double engine_ess(const engine_result *r)
{
    return r->weighted ? stats_ess(r->wsum, r->wsum2) : (double)r->trials;
}

/* Weighted tally Q over all weights, or plain count N over trials. */
static double share(const engine_result *r, const stats_wsum *q,
                    const uint64_t *n, size_t i)
{
    if (!r->weighted)
        return (double)n[i] / (double)r->trials;
    return r->qtot ? (double)q[i] / (double)r->qtot : NAN;
}

double engine_share(const engine_result *r, size_t o, uint32_t t)
{
    return share(r, r->qones, r->ones, o * ((size_t)r->steps + 1) + t);
}

double engine_share_first(const engine_result *r, size_t o, uint32_t t)
{
    return share(r, r->qfirst, r->first, o * ((size_t)r->steps + 2) + t);
}

double engine_share_count(const engine_result *r, size_t o, uint32_t c)
{
    return share(r, r->qcount, r->count, o * ((size_t)r->steps + 1) + c);
}

int engine_diff(const engine_result *r, size_t o, int ever, double *diff,
                double *se)
{
    const stats_moments *dm = ever ? &r->diff_ever[o] : &r->diff[o];
    const stats_pair *dp = ever ? &r->pair_ever[o] : &r->pair[o];
    if (r->diff_ref[o] == SIZE_MAX || (ever && (r->wpaired ? dp->n : dm->n)
                                                == 0)) {
        *diff = *se = NAN;
        return 0;
    }
    *diff = r->wpaired ? stats_pair_diff(dp) : dm->mean;
    *se = r->wpaired ? stats_pair_se(dp) : stats_moments_se(dm);
    return 1;
}

engine_result *engine_result_alloc(const model *m, uint64_t trials,
                                   uint32_t T)
{
    engine_result *res = calloc(1, sizeof *res);
    size_t cells = m->n_outputs * ((size_t)T + 1);
    if (!res)
        return NULL;
    res->m = m;
    res->trials = trials;
    res->steps = T;
    res->mom = calloc(cells + 1, sizeof *res->mom);
    res->hist = calloc(cells + 1, sizeof *res->hist);
    res->ones = calloc(cells + 1, sizeof *res->ones);
    res->first = calloc(m->n_outputs * ((size_t)T + 2) + 1,
                        sizeof *res->first);
    res->count = calloc(cells + 1, sizeof *res->count);
    res->clamped = calloc(m->n_vars + 1, sizeof *res->clamped);
    res->diff = calloc(m->n_outputs + 1, sizeof *res->diff);
    res->diff_ever = calloc(m->n_outputs + 1, sizeof *res->diff_ever);
    res->diff_ref = calloc(m->n_outputs + 1, sizeof *res->diff_ref);
    res->pair = calloc(m->n_outputs + 1, sizeof *res->pair);
    res->pair_ever = calloc(m->n_outputs + 1, sizeof *res->pair_ever);
    if (!res->mom || !res->hist || !res->ones || !res->first || !res->count
        || !res->clamped || !res->diff || !res->diff_ever || !res->diff_ref
        || !res->pair || !res->pair_ever) {
        engine_result_free(res);
        return NULL;
    }
    for (size_t c = 0; c < cells; c++)
        res->mom[c] = stats_moments_empty();
    for (size_t o = 0; o < m->n_outputs; o++) {
        res->diff[o] = res->diff_ever[o] = stats_moments_empty();
        res->pair[o] = res->pair_ever[o] = stats_pair_empty();
        res->diff_ref[o] = SIZE_MAX;
    }
    res->n_obs = m->obs ? m->obs->n_items : 0;
    res->weighted = m->obs && m->obs->weighted;
    res->obs_passed = calloc(res->n_obs + 1, sizeof *res->obs_passed);
    res->obs_killed = calloc(res->n_obs + 1, sizeof *res->obs_killed);
    if (!res->obs_passed || !res->obs_killed) {
        engine_result_free(res);
        return NULL;
    }
    if (res->weighted) {
        res->qones = calloc(cells + 1, sizeof *res->qones);
        res->qfirst = calloc(m->n_outputs * ((size_t)T + 2) + 1,
                             sizeof *res->qfirst);
        res->qcount = calloc(cells + 1, sizeof *res->qcount);
        if (!res->qones || !res->qfirst || !res->qcount) {
            engine_result_free(res);
            return NULL;
        }
        /* Conditioned moments are weighted from the start, so that a
         * model no trial explains still reads as weighted. */
        for (size_t c = 0; c < cells; c++)
            res->mom[c].weighted = 1;
        size_t np = m->n_random_params;
        res->prior = calloc(np + 1, sizeof *res->prior);
        res->post = calloc(np + 1, sizeof *res->post);
        res->prior_hist = calloc(np + 1, sizeof *res->prior_hist);
        res->post_hist = calloc(np + 1, sizeof *res->post_hist);
        if (!res->prior || !res->post || !res->prior_hist
            || !res->post_hist) {
            engine_result_free(res);
            return NULL;
        }
        for (size_t j = 0; j < np; j++) {
            res->prior[j] = stats_moments_empty();
            res->post[j] = stats_moments_empty();
            res->post[j].weighted = 1;
        }
    }
    return res;
}

/* Sets up keys, sampler and sample columns of model M; 0 or -1 with a
 * message in D. */
static int shared_init(shared_model *sm, const model *m, uint64_t trials,
                       uint32_t T, diag *d)
{
    char err[512];
    size_t ns = code_n_sources(m->prog);
    uint64_t seed = m->sc->sim.seed;
    sampler_kind kind = SAMPLER_MC;
    const dist_spec **specs = NULL;
    uint64_t *pkeys = NULL;
    int rc = -1;
    memset(sm, 0, sizeof *sm);
    sm->m = m;
    sm->obs = m->obs;
    sm->weighted = m->obs && m->obs->weighted;
    if (sm->weighted) {
        sm->plo = calloc(m->n_random_params + 1, sizeof *sm->plo);
        sm->phi = calloc(m->n_random_params + 1, sizeof *sm->phi);
        if (!sm->plo || !sm->phi) {
            diag_add(d, NULL, 0, NULL, "out of memory");
            return -1;
        }
    }
    sm->keys = calloc(ns + 1, sizeof *sm->keys);
    specs = calloc(m->n_random_params + 1, sizeof *specs);
    pkeys = calloc(m->n_random_params + 1, sizeof *pkeys);
    sm->lo = calloc(m->n_outputs * ((size_t)T + 1) + 1, sizeof *sm->lo);
    sm->hi = calloc(m->n_outputs * ((size_t)T + 1) + 1, sizeof *sm->hi);
    if (!sm->keys || !specs || !pkeys || !sm->lo || !sm->hi) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        goto end;
    }
    for (size_t s = 0; s < ns; s++)
        sm->keys[s] = rng_key(seed, code_source_name(m->prog, s));
    for (size_t j = 0; j < m->n_random_params; j++) {
        const model_var *v = &m->vars[m->random_params[j]];
        specs[j] = &v->dist;
        pkeys[j] = rng_key(seed, v->name);
    }
    sampler_parse(m->sc->sim.sampler, &kind);
    sm->smp = sampler_alloc(kind, specs, pkeys, m->n_random_params, trials,
                            seed, err, sizeof err);
    if (!sm->smp) {
        diag_add(d, m->sampler_file, m->sampler_line, "simulation.sampler",
                 "%s", err);
        goto end;
    }
    if (corr_attach(m, sm->smp, d) != 0)
        goto end;
    for (size_t v = 0; v < m->n_vars; v++)
        sm->n_cols += m->vars[v].kind == VAR_PARAM;
    sm->n_cols += m->n_outputs;
    for (size_t o = 0; o < m->n_outputs; o++)
        sm->n_cols += m->vars[m->outputs[o]].kind == VAR_EVENT;
    rc = 0;
end:
    free(specs);
    free(pkeys);
    return rc;
}

/* The columns of the rows of SM, model I: all N_COLS, or O's selection.
 * 0 or -1. */
static int shared_rows(shared_model *sm, const engine_opts *o, size_t i)
{
    const size_t *pick = o->row_cols ? o->row_cols[i] : NULL;
    if (!(sm->col_at = malloc((sm->n_cols + 1) * sizeof *sm->col_at)))
        return -1;
    for (size_t c = 0; c < sm->n_cols; c++)
        sm->col_at[c] = pick ? SIZE_MAX : c;
    sm->row_width = pick ? o->n_row_cols[i] : sm->n_cols;
    for (size_t p = 0; pick && p < sm->row_width; p++) {
        assert(pick[p] < sm->n_cols);
        sm->col_at[pick[p]] = p;
    }
    return 0;
}

static void shared_free(shared_model *sm)
{
    free(sm->col_at);
    free(sm->plo);
    free(sm->phi);
    free(sm->keys);
    sampler_free(sm->smp);
    free(sm->lo);
    free(sm->hi);
}

/* [LO, HI] widened by 5% on each side into *A, *B (a single value or an
 * empty range gets a small span of its own). */
static void widen(double lo, double hi, double *a, double *b)
{
    if (!(lo <= hi)) {
        lo = 0.0;
        hi = 1.0;
    }
    double pad = (hi - lo) * 0.05;
    if (pad == 0.0)
        pad = fabs(lo) > 1.0 ? fabs(lo) * 0.05 : 0.05;
    *a = lo - pad;
    *b = hi + pad;
}

/* Histogram ranges from the pilot's minima and maxima, widened by 5% on
 * each side so the main run rarely lands outside them. */
static void set_ranges(run *r, size_t i, worker_model *w)
{
    const model *m = r->sm[i].m;
    /* Events get a range they never use. */
    for (size_t c = 0; c < m->n_outputs * (r->T + 1); c++)
        widen(w->pmin[c], w->pmax[c], &r->sm[i].lo[c], &r->sm[i].hi[c]);
    for (size_t j = 0; r->sm[i].plo && j < m->n_random_params; j++)
        widen(w->ppmin[j], w->ppmax[j], &r->sm[i].plo[j], &r->sm[i].phi[j]);
}

/* Adds thread W's weighted tallies (exact integers: any order) to RES. */
static void merge_weights(engine_result *res, const worker_model *w,
                          size_t cells, size_t firsts)
{
    for (size_t j = 0; j < res->n_obs; j++) {
        res->obs_passed[j] += w->passed[j];
        res->obs_killed[j] += w->killed[j];
    }
    if (!res->weighted)
        return;
    for (size_t c = 0; c < cells; c++) {
        res->qones[c] += w->qones[c];
        res->qcount[c] += w->qcount[c];
    }
    for (size_t c = 0; c < firsts; c++)
        res->qfirst[c] += w->qfirst[c];
    res->qtot += w->qtot;
}

/* Moves or merges thread W's param histograms into RES; 0 or -1. */
static int merge_params(engine_result *res, worker_model *w)
{
    for (size_t j = 0; res->prior_hist && j < res->m->n_random_params; j++) {
        stats_hist **into[2] = { &res->prior_hist[j], &res->post_hist[j] };
        stats_hist **from[2] = { &w->ph_prior[j], &w->ph_post[j] };
        for (int k = 0; k < 2; k++) {
            if (!*into[k]) {
                *into[k] = *from[k];
                *from[k] = NULL;
            } else {
                stats_hist_merge(*into[k], *from[k]);
            }
        }
    }
    return 0;
}

/* The probes' shares of model 0 from every thread's tallies; 0 or -1. */
static int finish_probes(const run *r, const worker_model *ws, int threads)
{
    engine_result *res = r->res[0];
    size_t n = r->n_probes;
    res->probe_p = calloc(n + 1, sizeof *res->probe_p);
    res->probe_count = calloc(n + 1, sizeof *res->probe_count);
    res->probe_q = calloc(n + 1, sizeof *res->probe_q);
    if (!res->probe_p || !res->probe_count || !res->probe_q)
        return -1;
    for (size_t i = 0; i < n; i++) {
        uint64_t count = 0;
        stats_wsum q = 0;
        for (int t = 0; t < threads; t++) {
            count += ws[(size_t)t * r->k].pcount[i];
            q += ws[(size_t)t * r->k].pq[i];
        }
        res->probe_count[i] = count;
        res->probe_q[i] = q;
        res->probe_p[i] = !res->weighted ? (double)count / (double)r->trials
                          : res->qtot ? (double)q / (double)res->qtot : NAN;
    }
    return 0;
}

/* Every trial of M's run got weight 0: names the observation no trial
 * could explain, or the one that ruled out the most trials. */
static void report_unexplained(const model *m, const engine_result *res,
                               diag *d)
{
    const obs_plan *p = m->obs;
    size_t worst = 0;
    char what[256];
    for (size_t j = 0; j < p->n_items; j++) {
        const obs_item *it = &p->items[j];
        if (it->how == OBS_CONDITION && res->obs_passed[j] == 0) {
            obs_describe(m, it, what, sizeof what);
            diag_add(d, it->node->file, it->node->line, NULL, "%s: no trial "
                     "could explain it: every trial gives it probability 0 "
                     "(check its value and step against the model)", what);
            return;
        }
        if (res->obs_killed[j] > res->obs_killed[worst])
            worst = j;
    }
    obs_describe(m, &p->items[worst], what, sizeof what);
    diag_add(d, p->items[worst].node->file, p->items[worst].node->line, NULL,
             "no trial explains all the observations together (every weight "
             "is 0); %s ruled out the most trials (%llu of %llu); weights "
             "below 2^-63 count as 0", what,
             (unsigned long long)res->obs_killed[worst],
             (unsigned long long)res->trials);
}

int engine_result_check(const engine_result *r, diag *d)
{
    if (!r->weighted || r->qtot != 0)
        return 0;
    report_unexplained(r->m, r, d);
    return NCG_ERR_RUN;
}

int engine_run(model *const *models, size_t k, const engine_opts *o,
               engine_result **res, diag *d)
{
    return engine_run_probed(models, k, o, NULL, 0, res, d);
}

/* Sets up R for K models: their shared parts, results, summary budgets
 * and the pairing of each output with the reference's. 0, or a status
 * with a message in D. */
static int run_prepare(run *r, model *const *models, size_t k,
                       engine_result **res, diag *d)
{
    if (!(r->sm = calloc(k, sizeof *r->sm)))
        return NCG_ERR_NOMEM;
    for (size_t i = 0; i < k; i++) {
        assert(models[i]->sc->sim.trials == r->trials);
        if (models[i]->sc->sim.steps != r->T) {
            /* Lockstep needs one horizon; callers group by it. */
            diag_add(d, NULL, 0, NULL, "internal: models of one run differ "
                     "in steps");
            return NCG_ERR_RUN;
        }
        if (shared_init(&r->sm[i], models[i], r->trials, r->T, d) != 0)
            return NCG_ERR_SCENARIO;
        if (r->o->rows && shared_rows(&r->sm[i], r->o, i) != 0)
            return NCG_ERR_NOMEM;
        if (!(res[i] = engine_result_alloc(models[i], r->trials, r->T)))
            return NCG_ERR_NOMEM;
    }
    /* The light mode keeps the summation of a full run bit for bit; a model
     * with observations sums with weights and needs the pilot's ranges. */
    r->light = r->o->last_step_only;
    for (size_t i = 0; i < k; i++)
        if (r->sm[i].obs)
            r->light = 0;
    /* Each model's steps before T share a budget of their own. */
    for (size_t i = 0; i < k; i++) {
        size_t cells = 0;
        for (size_t q = 0; q < models[i]->n_outputs; q++)
            cells += models[i]->vars[models[i]->outputs[q]].kind != VAR_EVENT;
        cells *= r->T;
        r->sm[i].bins_step = ENGINE_BINS_STEP;
        if (cells > 0 && cells * ENGINE_BINS_STEP > ENGINE_BIN_BUDGET)
            r->sm[i].bins_step = ENGINE_BIN_BUDGET / cells;
        if (r->sm[i].bins_step < ENGINE_BINS_MIN) {
            diag_add(d, models[i]->sc->path, 0, NULL, "%zu numeric outputs "
                     "x steps to summarise (at most %d): list fewer "
                     "outputs or use fewer steps", cells,
                     ENGINE_BIN_BUDGET / ENGINE_BINS_MIN);
            return NCG_ERR_SCENARIO;
        }
    }
    /* Pair each output of model i > 0 with model 0's output of that name. */
    for (size_t i = 1; i < k; i++)
        for (size_t a = 0; a < models[i]->n_outputs; a++)
            for (size_t b = 0; b < models[0]->n_outputs; b++)
                if (strcmp(models[i]->vars[models[i]->outputs[a]].name,
                           models[0]->vars[models[0]->outputs[b]].name) == 0)
                    res[i]->diff_ref[a] = b;
    for (size_t i = 1; i < k; i++)
        res[i]->wpaired = r->sm[i].weighted || r->sm[0].weighted;
    return 0;
}

/* Folds the pilot's minima and maxima of thread worker FROM into INTO (an
 * exact, order-free merge: the ranges do not depend on the threads). */
static void pilot_merge(const run *r, size_t i, worker_model *into,
                        const worker_model *from)
{
    const model *m = r->sm[i].m;
    for (size_t c = 0; c < m->n_outputs * (r->T + 1); c++) {
        into->pmin[c] = from->pmin[c] < into->pmin[c] ? from->pmin[c]
                                                      : into->pmin[c];
        into->pmax[c] = from->pmax[c] > into->pmax[c] ? from->pmax[c]
                                                      : into->pmax[c];
    }
    for (size_t j = 0; r->sm[i].plo && j < m->n_random_params; j++) {
        into->ppmin[j] = from->ppmin[j] < into->ppmin[j] ? from->ppmin[j]
                                                         : into->ppmin[j];
        into->ppmax[j] = from->ppmax[j] > into->ppmax[j] ? from->ppmax[j]
                                                         : into->ppmax[j];
    }
}

/* The pilot: the first trials, ranges only, on every thread, handed out a
 * block at a time. They run again in the main pass with the same numbers
 * (streams are keyed by trial). 0, or NCG_ERR_NOMEM; a failed trial is
 * left in R as in the main pass (the lowest failing block reports, as
 * when one thread runs them in order). */
static int run_pilot(run *r, model *const *models, int threads)
{
    size_t k = r->k;
    uint64_t trials = r->trials < ENGINE_PILOT ? r->trials : ENGINE_PILOT;
    uint64_t blocks = (trials + VM_BLOCK - 1) / VM_BLOCK;
    if ((uint64_t)threads > blocks)
        threads = (int)blocks;
    size_t n = (size_t)threads * k;
    worker_model *pw = calloc(n, sizeof *pw);
    int ok = pw != NULL;
    for (size_t w = 0; ok && w < n; w++)
        ok = worker_init(&pw[w], r, &r->sm[w % k], 0) == 0;
    if (ok) {
        uint64_t save = r->trials;
        r->trials = trials;
        r->chunk0 = 0;
        r->n_chunks = blocks;
        r->chunk_trials = VM_BLOCK;
        r->pilot = 1;
        run_threads(r, pw, threads);
        r->pilot = 0;
        r->chunk_trials = CHUNK_TRIALS;
        r->trials = save;
        for (size_t i = 0; i < k; i++) {
            for (int t = 1; t < threads; t++)
                pilot_merge(r, i, &pw[i], &pw[(size_t)t * k + i]);
            set_ranges(r, i, &pw[i]);
        }
    }
    for (size_t w = 0; pw && w < n; w++)
        worker_free(&pw[w], r, models[w % k]);
    free(pw);
    return ok ? 0 : NCG_ERR_NOMEM;
}

/* Adds every thread's order-free tallies (integer counts, histograms,
 * clamp counters, weights, param histograms) to the results. 0, or
 * NCG_ERR_NOMEM. */
static int merge_threads(run *r, model *const *models, worker_model *ws,
                         int threads)
{
    for (size_t i = 0; i < r->k; i++) {
        const model *m = models[i];
        engine_result *res = r->res[i];
        size_t cells = m->n_outputs * (r->T + 1);
        for (int t = 0; t < threads; t++) {
            worker_model *w = &ws[(size_t)t * r->k + i];
            for (size_t c = 0; c < cells; c++) {
                res->ones[c] += w->ones[c];
                res->count[c] += w->count[c];
                if (w->hist[c]) {
                    if (!res->hist[c]) {
                        res->hist[c] = w->hist[c];
                        w->hist[c] = NULL;
                    } else {
                        stats_hist_merge(res->hist[c], w->hist[c]);
                    }
                }
            }
            for (size_t c = 0; c < m->n_outputs * (r->T + 2); c++)
                res->first[c] += w->first[c];
            for (size_t v = 0; v < m->n_vars; v++)
                res->clamped[v] += w->clamped[v];
            merge_weights(res, w, cells, m->n_outputs * (r->T + 2));
            if (merge_params(res, w) != 0)
                return NCG_ERR_NOMEM;
        }
    }
    if (r->n_probes && finish_probes(r, ws, threads) != 0)
        return NCG_ERR_NOMEM;
    return 0;
}

/* Allocates the chunk sets for THREADS threads: one each, and as many
 * spares (within SPARE_ROW_BYTES of per-trial values) for finished chunks
 * to wait in for their turn. 0 or -1. */
static int sets_init(run *r, int threads)
{
    size_t row_bytes = 0;
    for (size_t i = 0; r->o->rows && i < r->k; i++)
        row_bytes += CHUNK_TRIALS * (r->sm[i].row_width + 2) * sizeof(double);
    size_t spares = threads > 1 ? (size_t)threads : 0;
    if (row_bytes > 0 && spares > SPARE_ROW_BYTES / row_bytes)
        spares = SPARE_ROW_BYTES / row_bytes;
    r->n_sets = (size_t)threads + spares;
    r->acc = calloc(r->n_sets * r->k, sizeof *r->acc);
    r->held = malloc(r->n_sets * sizeof *r->held);
    r->held_bad = calloc(r->n_sets, 1);
    if (!r->acc || !r->held || !r->held_bad)
        return -1;
    for (size_t s = 0; s < r->n_sets; s++) {
        r->held[s] = SET_FREE;
        for (size_t i = 0; i < r->k; i++)
            if (acc_init(&r->acc[s * r->k + i], r, &r->sm[i]) != 0)
                return -1;
    }
    return 0;
}

static void sets_free(run *r)
{
    for (size_t s = 0; r->acc && s < r->n_sets * r->k; s++)
        acc_free(&r->acc[s]);
    free(r->acc);
    free(r->held);
    free(r->held_bad);
}

/* The main pass: every chunk on THREADS threads (at most one per chunk),
 * then the merge. *WS receives the working sets (THREADS x K; the caller
 * frees them, also on failure) and *THREADS the count used. 0, or
 * NCG_ERR_NOMEM; a failed trial or an interruption is left in R. */
static int run_main(run *r, worker_model **ws, int *threads,
                    model *const *models)
{
    uint64_t chunks = (r->trials + CHUNK_TRIALS - 1) / CHUNK_TRIALS;
    r->chunk0 = 0;
    if (r->o->ranged) {
        assert(r->o->chunk_first + r->o->chunk_count <= chunks);
        r->chunk0 = r->o->chunk_first;
        chunks = r->o->chunk_first + r->o->chunk_count;
    }
    if ((uint64_t)*threads > chunks - r->chunk0)
        *threads = chunks > r->chunk0 ? (int)(chunks - r->chunk0) : 1;
    if (!(*ws = calloc((size_t)*threads * r->k, sizeof **ws))
        || sets_init(r, *threads) != 0)
        return NCG_ERR_NOMEM;
    for (int t = 0; t < *threads; t++)
        for (size_t i = 0; i < r->k; i++)
            if (worker_init(&(*ws)[(size_t)t * r->k + i], r, &r->sm[i],
                            !r->light) != 0)
                return NCG_ERR_NOMEM;
    r->n_chunks = chunks;
    run_threads(r, *ws, *threads);
    if (r->err_chunk != UINT64_MAX || (r->o->stop && *r->o->stop))
        return NCG_ERR_RUN;
    return merge_threads(r, models, *ws, *threads);
}

int engine_run_probed(model *const *models, size_t k, const engine_opts *o,
                      const engine_probe *probes, size_t n_probes,
                      engine_result **res, diag *d)
{
    run r;
    int threads = o->threads < 1 ? 1 : o->threads;
    worker_model *ws = NULL;
    int rc;
    assert(k >= 1);
    memset(&r, 0, sizeof r);
    r.k = k;
    r.trials = models[0]->sc->sim.trials;
    r.T = models[0]->sc->sim.steps;
    r.o = o;
    r.probes = probes;
    r.n_probes = n_probes;
    r.res = res;
    r.err_chunk = UINT64_MAX;
    r.chunk_trials = CHUNK_TRIALS;
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.cv, NULL);
    for (size_t i = 0; i < k; i++)
        res[i] = NULL;
    if ((rc = run_prepare(&r, models, k, res, d)) != 0)
        goto end;
    if (!r.light && (rc = run_pilot(&r, models, threads)) != 0)
        goto end;
    if (r.err_chunk != UINT64_MAX || (o->stop && *o->stop)) {
        rc = NCG_ERR_RUN;
        goto end;
    }
    if ((rc = run_main(&r, &ws, &threads, models)) != 0)
        goto end;
    for (size_t i = 0; i < k && !o->ranged; i++)
        if ((rc = engine_result_check(res[i], d)) != 0)
            goto end;
end:
    if (rc == NCG_ERR_NOMEM) {
        diag_add(d, NULL, 0, NULL, "out of memory");
    } else if (rc == NCG_ERR_RUN && r.err_chunk != UINT64_MAX) {
        diag_add(d, r.err_file, r.err_line, r.err_path, "%s", r.err);
        rc = r.err_code;
    } else if (rc == NCG_ERR_RUN && o->stop && *o->stop) {
        diag_add(d, NULL, 0, NULL, "interrupted");
    }
    if (ws)
        for (int t = 0; t < threads; t++)
            for (size_t i = 0; i < k; i++)
                worker_free(&ws[(size_t)t * k + i], &r, models[i]);
    free(ws);
    sets_free(&r);
    if (r.sm)
        for (size_t i = 0; i < k; i++)
            shared_free(&r.sm[i]);
    free(r.sm);
    if (rc != 0)
        for (size_t i = 0; i < k; i++) {
            engine_result_free(res[i]);
            res[i] = NULL;
        }
    pthread_mutex_destroy(&r.mu);
    pthread_cond_destroy(&r.cv);
    return rc;
}

/* engine.h: runs compiled models over trials x steps into mergeable summaries. */
#ifndef NCG_ENGINE_H
#define NCG_ENGINE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "base/diag.h"
#include "model/model.h"
#include "run/stats.h"

/* Bins of the fine histograms: the last step gets more, since summary.csv
 * and histograms.csv read it; other steps feed the time series. */
#define ENGINE_BINS_LAST 4096
#define ENGINE_BINS_STEP 512
/* Fine bins of all the other steps together, per thread: a very long
 * horizon gets fewer bins per step (at least ENGINE_BINS_MIN) rather than
 * gigabytes of histograms. */
#define ENGINE_BINS_MIN 8
#define ENGINE_BIN_BUDGET (MODEL_MAX_SUMMARY_CELLS * ENGINE_BINS_MIN)
/* Trials of the pilot that fixes histogram ranges. */
#define ENGINE_PILOT 4096

/* The summaries of one model's run. Arrays indexed [o * (T + 1) + t] cover
 * output o (position in model->outputs) at step t = 0 .. T. */
typedef struct engine_result {
    const model *m;          /* borrowed */
    uint64_t trials;
    uint32_t steps;          /* T */
    stats_moments *mom;      /* numeric outputs (events: zeroed) */
    stats_hist **hist;       /* numeric outputs; NULL for events */
    uint64_t *ones;          /* events: trials where the event is 1 */
    uint64_t *first;         /* events: [o * (T + 2) + t] trials whose first
                                1 came at step t (t = 0: already at init);
                                t = T + 1: never */
    uint64_t *count;         /* events: [o * (T + 1) + c] trials with the
                                event 1 in exactly c of the steps 1 .. T */
    int64_t *clamped;        /* per variable: probabilities clamped */
    stats_moments *diff;     /* per output: paired difference from the
                                reference model at step T (n = 0 when there
                                is no reference or no output of that name) */
    stats_moments *diff_ever;/* per event output: paired difference of
                                "was 1 at some step 0 .. T" (1 or 0 per
                                trial) from the reference's event (n = 0
                                as for diff, and for non-events) */
    size_t *diff_ref;        /* per output: the reference's output index,
                                or SIZE_MAX */
    /* When this model or the reference is conditioned, each side's
     * trials keep their own weights and the paired differences are those
     * of the two weighted estimates (stats_pair), in pair and pair_ever
     * in place of diff and diff_ever. Read them through engine_diff. */
    int wpaired;
    stats_pair *pair, *pair_ever;
    /* Conditioned runs (the model has observations that condition): each
     * trial carries a weight, the likelihood of the record. Moments and
     * histograms are then weighted (stats.h); the event tallies above stay
     * plain counts and the weighted ones are below. Read shares through
     * engine_share*, which pick the right ones. */
    int weighted;
    stats_wsum *qones;       /* as ones, first, count: fixed-point sums of */
    stats_wsum *qfirst;      /* the weights of those trials */
    stats_wsum *qcount;
    stats_wsum qtot;         /* all weights, fixed point */
    double wsum, wsum2;      /* sum of the weights and of their squares */
    size_t n_obs;            /* the model's observation items */
    uint64_t *obs_passed;    /* per item: applications it did not rule out */
    uint64_t *obs_killed;    /* per item: trials whose weight it made 0 */
    /* Conditioned runs: per random param (the model's random_params
     * order), its draws before (prior: every trial alike) and after
     * weighting (posterior), for posterior.csv. NULL otherwise. */
    stats_moments *prior, *post;
    stats_hist **prior_hist, **post_hist;
    double *probe_p;         /* per engine_opts probe (model 0), or NULL */
    uint64_t *probe_count;   /* per probe: trials in which it held */
    stats_wsum *probe_q;     /* per probe: their weights, fixed point
                                (conditioned); probe_p is made of these, so
                                the tallies of shards add up to it */
} engine_result;

/* Below this many effective trials a conditioned run warns: its estimates
 * rest on few trials (docs/results.md). */
#define ENGINE_ESS_FLOOR 200.0

/* Effective trials: the trials, or (sum w)^2 / sum w^2 when weighted. */
double engine_ess(const engine_result *r);
/* The weighted share of trials in which event output O is 1 at step T
 * (ones / trials when not weighted). */
double engine_share(const engine_result *r, size_t o, uint32_t t);
/* The share whose first 1 came at step T (T = steps + 1: never). */
double engine_share_first(const engine_result *r, size_t o, uint32_t t);
/* The share with the event 1 in exactly C of the steps 1 .. T. */
double engine_share_count(const engine_result *r, size_t o, uint32_t c);

/* The paired difference of output O from the reference's output of the
 * same name at step T (EVER: of "was 1 at some step 0 .. T", events only)
 * into *DIFF and its standard error into *SE: the mean per-trial
 * difference, or for weighted pairs the difference of the two weighted
 * estimates with its delta-method se (stats_pair). Returns 1, or 0 (both
 * NaN) when there is none: no reference, no output of that name, or for
 * EVER not an event on both sides. */
int engine_diff(const engine_result *r, size_t o, int ever, double *diff,
                double *se);

/* A question about one output of a run: "at some step from FROM to TO,
 * the value was OP THRESHOLD" (ENGINE_PROBE_ONE: an event was 1). */
typedef enum {
    ENGINE_PROBE_ONE, ENGINE_PROBE_LT, ENGINE_PROBE_LE, ENGINE_PROBE_GT,
    ENGINE_PROBE_GE
} engine_probe_op;
typedef struct engine_probe {
    size_t o;               /* output index (model->outputs) */
    uint32_t from, to;      /* 0 <= from <= to <= T */
    engine_probe_op op;
    double threshold;
} engine_probe;

/* Trials per chunk: the engine runs trials in chunks of this many (the
 * last may be shorter) and folds each chunk's summaries into the result
 * in chunk order. A shard is a range of whole chunks. The size is part of
 * every mean's last bits (the merge order); small enough that two threads
 * share a 20,000-trial run evenly (results version 0.2: 4096 before). */
#define ENGINE_CHUNK_TRIALS 1024

/* The summaries of one chunk of one model whose merge order matters
 * (floating-point sums); everything else a run keeps is an exact count
 * and merges in any order. Borrowed arrays, sized as in engine_result. */
typedef struct engine_chunk {
    uint64_t index;                 /* the chunk: its first trial is
                                       index * ENGINE_CHUNK_TRIALS */
    const stats_moments *mom;       /* per (o, t) */
    const stats_moments *diff;      /* per output */
    const stats_moments *diff_ever; /* per output */
    const stats_pair *pair;         /* per output: weighted pairs */
    const stats_pair *pair_ever;    /* per output */
    double cw, cw2;                 /* sums of the weights and squares */
    const stats_moments *prior;     /* per random param, or NULL when */
    const stats_moments *post;      /* the model is not conditioned */
    /* With engine_opts.chunk_counts, this chunk's own exact counts (else
     * NULL and 0): event ones per (o, t) and first per o * (T + 2) + t;
     * for a conditioned model their weighted sums and the chunk's total
     * weight; per output its histogram at step T (NULL for events). */
    const uint64_t *ones, *first;
    const stats_wsum *qones, *qfirst;
    stats_wsum qtot;
    stats_hist *const *hist_last;
} engine_chunk;

/* How to run. */
typedef struct engine_opts {
    int threads;                       /* >= 1 */
    /* Per-trial values: when ROWS is set, it is called in trial order, one
     * call at a time, with the values at step T of model WHICH for trials
     * TRIAL0 .. TRIAL0 + N - 1, row-major, COLS per trial: every param in
     * file order, then every output, then for every event output 1 when
     * it was 1 at some step 0 .. T, else 0 (samples.csv's <event>_ever
     * columns). It returns 0, or -1 to stop the run
     * with an I/O error (e.g. samples.csv could not be written). */
    int (*rows)(void *ctx, size_t which, uint64_t trial0, size_t n,
                size_t cols, const double *values);
    void *rows_ctx;
    /* With ROWS: when ROW_COLS is not NULL, the rows of model WHICH hold
     * only the N_ROW_COLS[WHICH] columns ROW_COLS[WHICH][0 ..] of the
     * layout above (each < its column count), in that order (COLS is
     * their count). The engine keeps a chunk of rows per model and
     * thread: a caller that reads a few columns of many models keeps
     * only those. */
    const size_t *const *row_cols;
    const size_t *n_row_cols;
    /* With ROWS, for a conditioned model: called just before ROWS for the
     * same trials (and ROWS_CTX) with each trial's final weight (the
     * likelihood of the record), so per-trial values can be weighted.
     * 0, or -1 as ROWS. */
    int (*weights)(void *ctx, size_t which, uint64_t trial0, size_t n,
                   const double *w);
    /* Param values: when DRAW is set, random param J (in the model's
     * random_params order) of model WHICH for trials TRIAL0 .. + LANES - 1
     * comes from it instead of the sampler (sensitivity designs). Called
     * from several threads at once; must depend only on its arguments. */
    void (*draw)(void *ctx, size_t which, size_t j, uint64_t trial0,
                 size_t lanes, double *out);
    void *draw_ctx;
    volatile sig_atomic_t *stop;       /* set asynchronously to interrupt;
                                          may be NULL */
    /* Called now and then from one thread with trials done so far (all
     * models of the group count once); may be NULL. */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
    /* 1: summarise only what a sensitivity or sweep reads: the moments of
     * every numeric output at the last step, every event tally and the
     * paired differences. No histograms (so no quantiles, and no pilot
     * run to size them) and no moments before the last step: the result
     * must not be written with output_write. Means, probabilities and
     * paired differences are the same bits as in a full run. Ignored when
     * a model is conditioned (its param ranges come from the pilot). */
    int last_step_only;
    /* A shard: when RANGED is 1, only chunks CHUNK_FIRST ..
     * CHUNK_FIRST + CHUNK_COUNT - 1 run (CHUNK_COUNT may be 0) (the pilot that fixes histogram
     * ranges still runs the first trials, as in a whole run). The result's
     * ordered summaries then cover those chunks only; its counts,
     * histograms and tallies too, and it is not checked for a record no
     * trial explains (engine_result_check does that after the merge). */
    int ranged;
    uint64_t chunk_first, chunk_count;
    /* When set, called in chunk order, one call at a time, with each
     * chunk's ordered summaries of model WHICH just before they are
     * folded into the result. Returns 0, or -1 (out of memory: the run
     * stops with NCG_ERR_NOMEM). */
    int (*chunk)(void *ctx, size_t which, const engine_chunk *c);
    void *chunk_ctx;
    /* 1: CHUNK also gets each chunk's own event tallies and last-step
     * histograms (engine_chunk.ones ..): they are folded into the result
     * at each chunk's commit instead of at the end (the same sums, so the
     * same bits), which costs a pass over them per chunk (a --precision
     * shard's per-chunk figures). */
    int chunk_counts;
} engine_opts;

/* Runs the K models in lockstep (K >= 1; all with the same trials): each
 * block of trials goes through every model, so model i > 0 also gets the
 * paired difference of each output from model 0's output of the same name.
 * Trials and draws do not depend on THREADS: results are byte-identical.
 * On success returns 0 and RES[i] for each model (free with
 * engine_result_free). A NaN or infinity returns NCG_ERR_RUN with a
 * message naming variable, step and trial in D; an interruption
 * NCG_ERR_RUN with "interrupted"; NCG_ERR_IO when ROWS fails. */
int engine_run(model *const *models, size_t k, const engine_opts *o,
               engine_result **res, diag *d);
void engine_result_free(engine_result *r);
/* An empty result of model M for TRIALS trials of T steps (what a merge
 * of shards starts from), or NULL when out of memory. */
engine_result *engine_result_alloc(const model *m, uint64_t trials,
                                   uint32_t T);
/* Folds chunk C's ordered summaries into R; chunks must come in order. A
 * run does exactly this for each of its chunks, so folding a sharded
 * run's chunks gives a whole run's bits. */
void engine_fold_chunk(engine_result *r, const engine_chunk *c);
/* A conditioned result in which every weight is 0: NCG_ERR_RUN with a
 * message naming the observation to blame; otherwise 0. */
int engine_result_check(const engine_result *r, diag *d);
/* engine_run that also answers the N PROBES (questions about model 0's
 * trials, e.g. for `ncgsim score`): RES[0]->probe_p[i] is the (weighted)
 * share of trials in which probe i holds. */
int engine_run_probed(model *const *models, size_t k, const engine_opts *o,
                      const engine_probe *probes, size_t n,
                      engine_result **res, diag *d);

/* Number of online processors (at least 1). */
int engine_cores(void);

#endif

/* sens.h: which assumptions drive each output: tornado swings of random params and constants, rank correlations, Sobol indices. */
#ifndef NCG_SENS_H
#define NCG_SENS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "base/diag.h"
#include "model/model.h"
#include "scenario/scenario.h"

/* Tornado: each param is held at these quantiles of its distribution. */
#define SENS_LOW_Q 0.10
#define SENS_HIGH_Q 0.90
/* Rank correlations read the base run's first min(trials, this) trials
 * (their ranks need every value in memory). */
#define SENS_RANK_MAX 262144
/* Bins of equal weight for a conditioned scenario's first-order index
 * (the weighted correlation ratio). */
#define SENS_W_BINS 20
/* Default number of bootstrap resamples for the Sobol intervals. */
#define SENS_BOOTSTRAP 200
/* Default cap on trials per run when -n is not given: each param adds two
 * runs, so a scenario with 60 constants and 20,000 trials would take
 * minutes; 10,000 still separates the swings that matter (see
 * docs/sensitivity.md). */
#define SENS_TRIALS 10000
/* Default of `--constants`: constants are held at value x (1 -+ 20%). */
#define SENS_CONST_PCT 20.0
/* Params per lockstep group of the tornado (each adds two models; the base
 * runs once per group): bounds the memory of one engine run, about
 * (1 + 2 x this) x threads x (a chunk of per-trial rows + histograms). */
#define SENS_GROUP 12

/* What to analyse. */
typedef struct sens_opts {
    const char *path;              /* the scenario file */
    scenario_opts so;              /* --set, trials, seed of the base */
    const char *const *outputs;    /* output names, or NULL: every output */
    size_t n_outputs;
    int threads;                   /* >= 1 */
    unsigned bootstrap;            /* resamples (0: SENS_BOOTSTRAP) */
    volatile sig_atomic_t *stop;   /* may be NULL */
    void (*progress)(void *ctx, const char *stage, uint64_t done,
                     uint64_t total);   /* may be NULL */
    void *progress_ctx;
    /* Constants too: every numeric constant param other than exactly 0 or
     * 1 is held at value x (1 - PCT/100) and x (1 + PCT/100) (the high
     * value capped at 1 for a probability); 0 (the default of a zeroed
     * struct): random params only. 0 <= PCT < 100. */
    double const_pct;
    /* When SO does not set the trials: run at most this many per run
     * (0: the scenario's simulation.trials). */
    uint64_t max_trials;
} sens_opts;

/* The results for one output and one param (random, or a constant when
 * CONSTANT is set). Differences are in the output's mean (for an event:
 * its probability) at the last step; intervals are 95%. */
typedef struct sens_row {
    size_t output;             /* index into sens_result.outputs */
    size_t param;              /* index into the model's random_params, or
                                  for a constant into sens_result.consts */
    double spearman, sp_lo, sp_hi;   /* rank correlation, Fisher z interval
                                        (se 1.06 / sqrt(n - 3)); NaN when
                                        the output is constant, and for
                                        constants */
    double x_low, x_high;      /* the values the param is held at: its
                                  SENS_LOW_Q / SENS_HIGH_Q quantiles, or a
                                  constant's value x (1 -+ pct/100) */
    double low, low_lo, low_hi;      /* mean at x_low minus the base mean,
                                        paired */
    double high, high_lo, high_hi;   /* the same at x_high */
    double swing, swing_lo, swing_hi;/* high minus low, paired */
    double s1, s1_lo, s1_hi;   /* first-order Sobol index (Saltelli 2010),
                                  bootstrap percentile interval */
    double st, st_lo, st_hi;   /* total index (Jansen); S1 and ST are NaN
                                  for constants */
    size_t rank;               /* 1 for the largest st of this output's
                                  random params; 0 for constants */
    /* Added with constants; a zeroed row is a random param. */
    int constant;              /* 1: a constant held at value x (1 -+ pct) */
    int capped;                /* constants: x_high was capped at 1 */
    int reaches;               /* constants: 0 when no analysed output
                                  reads it, even indirectly: not run, its
                                  differences are exactly 0 */
    size_t var;                /* the param's index in the model's vars */
    size_t swing_rank;         /* 1 for the largest |swing| of this output,
                                  random params and constants together */
} sens_row;

typedef struct sens_result {
    scenario *sc;              /* the base scenario (owned) */
    model *m;                  /* its model (owned) */
    size_t d;                  /* random params */
    size_t n_out;              /* outputs analysed */
    size_t *outputs;           /* their indices in m->outputs */
    double *base_mean;         /* per output: the base run's mean */
    double *base_se;
    double *variance;          /* per output: the variance Sobol indices
                                  divide by (0: indices are NaN) */
    sens_row *rows;            /* n_out x d, output-major, params in
                                  random_params order */
    uint64_t trials;           /* per run and design matrix */
    uint64_t rank_trials;      /* trials behind the rank correlations */
    unsigned bootstrap;
    int threads;               /* sens_opts.threads: the bootstrap's */
    /* Added with constants. */
    double const_pct;          /* sens_opts.const_pct */
    size_t n_const;            /* constants varied */
    size_t *consts;            /* their indices in the model's vars */
    sens_row *const_rows;      /* n_out x n_const, output-major */
    size_t n_levers;           /* constants exactly 0 or 1: not varied */
    size_t *levers;            /* their indices in the model's vars */
    size_t *order;             /* n_out x sens_n_rows: row numbers (as for
                                  sens_row_at) by decreasing |swing| */
    uint64_t trial_runs;       /* trials x models run in all */
    /* A scenario conditioned on observations: every mean and difference
     * is weighted (differences paired, stats_pair); s1 is the weighted
     * correlation ratio from the base's trials (the first rank_trials),
     * with a Bayesian-bootstrap interval; the rank correlations are
     * weighted (Fisher interval on the ESS); st and the design are not
     * computed (NaN), and rank orders by s1. */
    int weighted;
    double ess;                /* the base run's effective trials */
    /* The work, in units (sens_units): the tornado's lockstep groups of
     * SENS_GROUP items, then the design's chunks of ENGINE_CHUNK_TRIALS
     * trials. */
    size_t n_items;            /* params the tornado runs: */
    size_t *items;             /* their row numbers (as for sens_row_at):
                                  every random param, then every constant
                                  an analysed output reads */
    double *design_y;          /* the Saltelli design's per-trial values,
                                  (d + 2) models x n_out x trials, model
                                  0 A, 1 B, 2 + i AB_i; NULL when there is
                                  no design (no random param, or
                                  conditioned) */
    int capped_trials;         /* the trials are sens_opts.max_trials, not
                                  the scenario's */
} sens_result;

/* Loads O->path, then runs (1) the base and, per random param and per
 * constant (when O->const_pct > 0), two variants loaded with --set
 * params.X=<value> in lockstep (common random numbers: the tornado, and
 * the rank correlations from the base's per-trial values), in groups of
 * SENS_GROUP params that each rerun the base; a constant no analysed
 * output reads is not run (its differences are exactly 0); and (2), when
 * there are random params, the Saltelli design: d + 2 copies of the model
 * whose params come from independent uniforms through dist_quantile
 * (A, B, and A with column i from B). B runs under another seed, so that
 * its events and random functions differ from A's, while A and every AB_i
 * share them: the first-order index is then the usual Var E[Y | X_i] /
 * Var Y, and the total index includes X_i's interactions with the model's
 * own randomness (which, as a whole, takes the share no param explains). Sobol indices treat params as independent
 * (`correlations` are not imposed on the design). A scenario conditioned
 * on observations gets weighted effects and first-order indices instead
 * of the design (sens_result.weighted).
 * Returns 0 with *OUT (free with sens_result_free), or an ncg_status code
 * with messages in D (unknown output, nothing to vary, scenario errors,
 * a design too large for memory, a failed run). */
int sens_run(const sens_opts *o, sens_result **out, diag *d);
void sens_result_free(sens_result *r);

/*
 * sens_run in steps, for shards and MPI ranks: sens_prepare loads and
 * plans (nothing runs), sens_run_units computes a range of the work
 * units, sens_finish computes what needs every unit (the Sobol indices
 * from the whole design, the ranks). A unit's numbers do not depend on
 * which other units run with it (a group's models run in lockstep as in
 * the whole run; a trial's design values depend on its index only), so
 * units computed anywhere and put together (src/analysis/senspart.c)
 * give the bits of sens_run.
 */

/* Loads O->path and plans the analysis into *OUT (free with
 * sens_result_free): its rows, items and design buffer, no run. 0, or a
 * status with messages in D (sens_run's, except run failures). */
int sens_prepare(const sens_opts *o, sens_result **out, diag *d);
/* sens_prepare for a scenario SC and model M already loaded (taken over,
 * freed on failure too); O->path, O->so and O->max_trials are not read. */
int sens_prepare_loaded(const sens_opts *o, scenario *sc, model *m,
                        sens_result **out, diag *d);
/* The tornado's lockstep groups (at least 1), and all the work units:
 * the groups, then the design's chunks of trials. */
uint64_t sens_groups(const sens_result *r);
uint64_t sens_units(const sens_result *r);
/* Computes units FIRST .. FIRST + COUNT - 1 (FIRST + COUNT <=
 * sens_units) of R, prepared from O. 0, or a status with messages in D
 * (a failed run, an interrupt). */
int sens_run_units(sens_result *r, const sens_opts *o, uint64_t first,
                   uint64_t count, diag *d);
/* After every unit: the Sobol indices and the ranks. 0 or a status. */
int sens_finish(sens_result *r, diag *d);

/* Loads PATH under SO plus the override EXTRA ("PATH=VALUE"; may be
 * NULL) and, when SEED is not NULL, that seed; compiles the model and
 * checks its correlations (the variants of sensitivity and sweep).
 * 0 with *SC and *M (caller frees both), or an ncg_status code with
 * messages in D and both NULL. */
int sens_load(const char *path, const scenario_opts *so, const char *extra,
              const uint64_t *seed, scenario **sc, model **m, diag *d);

/* Rows per output: the d random params, then the n_const constants. */
size_t sens_n_rows(const sens_result *r);
/* Row K (0 .. sens_n_rows - 1, random params first) of output Q. */
const sens_row *sens_row_at(const sens_result *r, size_t q, size_t k);
/* The row of output Q with the (K + 1)-th largest |swing|. */
const sens_row *sens_ranked(const sens_result *r, size_t q, size_t k);
/* The param's name (borrowed from the model). */
const char *sens_row_name(const sens_result *r, const sens_row *w);
/* "random p10/p90" or "constant ±<pct>%" (UTF-8) into BUF. */
const char *sens_row_kind(const sens_result *r, const sens_row *w, char *buf,
                          size_t len);

/* The label of the last step, which every number refers to: "2030Q4",
 * or "step 24" when the scenario has no start. Into BUF. */
const char *sens_step_label(const sens_result *r, char *buf, size_t len);

/* 1 when holding the param at either end changed the output in no trial
 * (paired differences all 0, or the param is not read at all). */
int sens_no_effect(const sens_row *w);

/* 1 when constant V reads as a probability: its unit or label says so
 * ("probability", "P(...)", "chance"), or it has no unit and lies in
 * (0, 1). Such a constant is never held above 1. */
int sens_probability_like(const model_var *v);

/* Writes the rows as CSV (header first; rows by output, then by |swing|,
 * random params and constants together). Returns 0, or -1 on a write
 * error. */
int sens_write_csv(const sens_result *r, FILE *f);

/* Prints, per output, the TOP params with the largest |swing| (random
 * params and constants together), then the levers not varied. */
void sens_table(const sens_result *r, size_t top, FILE *out);

/* The Fisher z interval (95%) of a rank correlation RHO from N pairs, with
 * se 1.06 / sqrt(N - 3) (Fieller et al. 1957); [-1, 1] when N <= 3. */
void sens_fisher_ci(double rho, uint64_t n, double *lo, double *hi);

/* Point estimates of the Saltelli design for one output: YA, YB (N
 * values) and YAB (D rows of N values, row i, for A with column i from B,
 * at YAB + i x STRIDE). Writes
 * S1[i] (Saltelli 2010) and ST[i] (Jansen 1999) and returns the variance
 * of YA and YB together; when it is 0, S1 and ST are NaN. IDX, when not
 * NULL, picks the N rows used (a bootstrap resample). */
double sens_saltelli(const double *ya, const double *yb, const double *yab,
                     size_t stride, size_t d, size_t n, const size_t *idx,
                     double *s1, double *st);

#endif

/* sweep.h: one- and two-parameter sweeps run in lockstep, so that every point sees the same random numbers. */
#ifndef NCG_SWEEP_H
#define NCG_SWEEP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "base/diag.h"
#include "model/model.h"
#include "scenario/scenario.h"

/* The most points per axis and per sweep (each point is a model run). */
#define SWEEP_MAX_AXIS 1000
#define SWEEP_MAX_POINTS 10000
/* Points run in lockstep at once (the first point leads every batch, for
 * the paired differences); bounds memory, not results. */
#define SWEEP_BATCH 16

/* One varied setting: --vary PATH=FROM:TO:STEP. */
typedef struct sweep_axis {
    char path[256];        /* as for --set: dotted or a bare name */
    double from, to, step; /* step has the sign of to - from */
    size_t n;              /* points: from, from + step, ... up to to */
} sweep_axis;

/* Parses ARG ("PATH=FROM:TO:STEP") into AX. 0, or -1 with a message in
 * ERR, e.g. "--vary: expected PATH=FROM:TO:STEP, got 'p=1:2'". */
int sweep_parse_axis(const char *arg, sweep_axis *ax, char *err,
                     size_t errlen);

/* The value of point I of AX (0 <= I < n), rounded to 12 significant
 * digits so that 0.1 steps print and --set as written. */
double sweep_value(const sweep_axis *ax, size_t i);

typedef struct sweep_opts {
    const char *path;             /* the scenario */
    scenario_opts so;             /* --set, trials, seed */
    sweep_axis axes[2];
    size_t n_axes;                /* 1 or 2 */
    int threads;
    volatile sig_atomic_t *stop;  /* may be NULL */
    /* When RANGED, only points FIRST .. FIRST + COUNT - 1 (possibly none)
     * are computed and the cells of the others stay 0; else every point.
     * A point's cells are the same bits whichever points run with it (an
     * MPI job's share). */
    int ranged;
    size_t first, count;
} sweep_opts;

/* Per point (the first axis varies slowest) and output: a quantity's mean
 * at the last step, an event's probability that it happened by the end. */
typedef struct sweep_cell {
    double mean, se;              /* that figure */
    double diff, diff_se;         /* paired difference from point 0 */
} sweep_cell;

typedef struct sweep_result {
    scenario *sc;                 /* point 0's scenario (owned) */
    model *m;                     /* its model (owned), for names */
    sweep_axis axes[2];
    size_t n_axes;
    size_t n_points;
    size_t n_out;                 /* every output of the model */
    sweep_cell *cells;            /* n_points x n_out */
    uint64_t trials;
    int weighted;                 /* 1 when the scenario is conditioned on
                                     observations: each point's trials carry
                                     weights of their own, and a difference
                                     is that of the two weighted estimates,
                                     paired trial by trial (stats_pair) */
} sweep_result;

/* Runs every point: the scenario loaded with the --set of its values, in
 * lockstep batches led by point 0 (common random numbers: streams are
 * keyed by source name and trial, so points differ only where the varied
 * setting acts). 0 with *OUT (free with sweep_result_free), or an
 * ncg_status code with messages in D (a point whose scenario fails names
 * its values; models of different steps; a failed run). */
int sweep_run(const sweep_opts *o, sweep_result **out, diag *d);
void sweep_result_free(sweep_result *r);

/* Point P's value on axis A. */
double sweep_point_value(const sweep_result *r, size_t p, size_t a);

/* Writes sweep.csv: one row per point and output (point values, mean,
 * se, 95% interval, paired difference from point 0 with se and 95%
 * interval). 0, or -1 on a write error. */
int sweep_write_csv(const sweep_result *r, FILE *f);

/* Prints the outputs named in NAMES (N of them; every output when N is 0)
 * per point. */
void sweep_table(const sweep_result *r, const char *const *names, size_t n,
                 FILE *out);

#endif

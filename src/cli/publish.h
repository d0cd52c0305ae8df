/* publish.h: the result folder of an analysis command (sensitivity,
 * sweep): OUT/<name>-<what>/ with its CSV, resolved.cfg, correlations and
 * charts, swapped into place at once. */
#ifndef NCG_PUBLISH_H
#define NCG_PUBLISH_H

#include <stdint.h>
#include <stdio.h>
#include "base/diag.h"
#include "model/model.h"
#include "analysis/sens.h"
#include "analysis/discoverpart.h"
#include "analysis/score.h"
#include "analysis/sweep.h"
#include "plot/plot.h"
#include "scenario/scenario.h"

/* What goes into the folder. */
typedef struct publish_spec {
    const char *out;       /* results folder */
    const char *what;      /* "sensitivity": the folder is <name>-<what> */
    const char *csv;       /* the main file's name, e.g. "sensitivity.csv" */
    int (*write)(const void *res, FILE *f); /* writes RES as CSV; 0 or -1 */
    /* draws RES's charts into DIR (see sens_plot.h) */
    int (*plot)(const void *res, const char *dir, const plot_opts *o,
                diag *d);
    const char *format;    /* --format: png (NULL), svg or pdf */
    int quiet, no_plots;
} publish_spec;

/* Writes the folder for RES (the analysis result) of scenario SC, model M
 * run with TRIALS trials per run, through the result-folder writer, its
 * charts drawn before it is renamed into place; says where on stdout
 * unless quiet. Returns 0 or a status, with a message in D: a chart that
 * cannot be drawn is NCG_ERR_IO (the data and the charts drawn whole are
 * kept); nothing is left behind on any other failure or an interrupt. */
int publish_analysis(const publish_spec *p, const scenario *sc,
                     const model *m, uint64_t trials, const void *res,
                     diag *d);

/* Writes the results folder OUT itself (KIND names it in messages)
 * through WRITE (and resolved.cfg of SC with NOTE, when SC is set), then
 * draws its charts with PLOT unless NO_PLOTS, in a temporary folder
 * renamed into place only when all is written and drawn: a failure leaves
 * nothing half-written. 0 or an exit code (message in D). */
int publish_folder(const char *out, const char *kind, const scenario *sc,
                   const char *note,
                   int (*write)(const void *, const char *, diag *),
                   int (*plot)(const void *, const char *, const plot_opts *,
                               diag *),
                   const void *res, int no_plots, diag *d);

/* What `discover` does once it has its rows S: picks the inputs (J's
 * --inputs; else, for a scenario M, its non-constant params; else every
 * column the case does not read), finds the boxes J asks for, writes the
 * folder OUT (NULL: results/<SOURCE's name>-discovery; resolved.cfg of SC
 * when set) and, unless QUIET, the summary on stdout. What `discover` and
 * the merge of its parts write. 0 or a status with a message in D. */
int publish_discovery(const discover_src *s, const discoverpart_job *j,
                      const scenario *sc, const model *m, const char *out,
                      int quiet, int no_plots, diag *d);

/* The scores of T into OUT/score/ (score.csv, score_summary.csv,
 * reliability.csv and, unless NO_PLOTS, reliability.png in FORMAT), the
 * table on stdout unless QUIET. What `score` and the merge of its parts
 * write. 0 or a status with a message in D; nothing is left on failure. */
int publish_score(const score_table *t, const char *out, const char *format,
                  int quiet, int no_plots, diag *d);

/* A sweep's folder OUT/<name>-sweep/ (sweep.csv, resolved.cfg of point
 * 0, the correlations and the charts unless NO_PLOTS, in FORMAT), after
 * its table on stdout unless QUIET (the outputs NAMES, N of them; every
 * output when N is 0). What `sweep` and the merge of its parts write.
 * 0 or a status, as publish_analysis. */
int publish_sweep(const sweep_result *r, const char *out, const char *format,
                  const char *const *names, size_t n, int quiet,
                  int no_plots, diag *d);

/* How a finished sensitivity is shown. */
typedef struct sens_publish {
    const char *out;           /* results folder */
    const char *format;        /* --format, or NULL */
    int quiet, no_plots;
    size_t top;                /* params per output in the table */
    int set_trials;            /* -n was given (the header says so) */
    double secs;               /* time taken, for the header (< 0: the
                                  work was done by shards) */
} sens_publish;

/* A sensitivity's header and table on stdout (unless quiet) and its
 * folder OUT/<name>-sensitivity/ (sensitivity.csv, resolved.cfg, the
 * correlations and the charts unless no_plots). What `sensitivity` and
 * the merge of its parts write. 0 or a status, as publish_analysis. */
int publish_sensitivity(const sens_result *r, const sens_publish *o,
                        diag *d);

#endif

/* output.h: result files (CSV, resolved.cfg) in folders renamed into place. */
#ifndef NCG_OUTPUT_H
#define NCG_OUTPUT_H

#include <stdio.h>
#include "base/diag.h"
#include "run/engine.h"
#include "scenario/scenario.h"

/* A result folder being written: files go to a hidden temporary folder
 * next to the final one, which output_commit swaps into place. */
typedef struct output_dir {
    char *final;   /* OUT/<name> (owned) */
    char *tmp;     /* OUT/.<name>.tmp-XXXXXX (owned) */
} output_dir;

/* Creates OUT (and parents) if needed and a fresh temporary folder for
 * NAME in it. Returns 0, or NCG_EXIT_IO with a message in D. */
int output_begin(const char *out, const char *name, output_dir *od, diag *d);
/* output_begin for the folder PATH itself (its parent and last name;
 * trailing slashes ignored): results written to PATH as a whole. */
int output_begin_path(const char *path, output_dir *od, diag *d);
/* Replaces OUT/<name> with the temporary folder in one rename (the old
 * folder, if any, is removed afterwards). 0, or NCG_EXIT_IO with a message
 * (the previous results are then untouched). Frees OD's strings. */
int output_commit(output_dir *od, diag *d);
/* Removes the temporary folder and frees OD's strings. */
void output_abort(output_dir *od);
/* Moves OD's file NAME (written with output_open and output_close into
 * OD->tmp) to NAME beside the folder OD is for, in one rename that
 * replaces a previous file of that name; OD itself stays open (finish with
 * output_abort to remove the rest of the temporary folder). Refuses to
 * replace anything but a regular file. 0, or NCG_EXIT_IO with a message
 * in D (a previous file is then untouched). */
int output_place(const output_dir *od, const char *name, diag *d);
/* DIR/NAME in a malloc'd string (NULL when out of memory). */
char *output_path(const char *dir, const char *name);

/* Opens DIR/NAME for writing; NULL with "DIR/NAME: cannot write: why" in
 * D. */
FILE *output_open(const char *dir, const char *name, diag *d);
/* Flushes F to disk and closes it; 0, or NCG_EXIT_IO with "DIR/NAME: write
 * error: why" in D (a full disk shows up here). */
int output_close(FILE *f, const char *dir, const char *name, diag *d);

/* Writes summary.csv, timeseries.csv, histograms.csv, events.csv,
 * counts.csv, clamped.csv and resolved.cfg for R (scenario S) into DIR.
 * Returns 0, or NCG_EXIT_IO with a message in D. */
int output_write(const engine_result *r, const scenario *s, const char *dir,
                 diag *d);

/* Opens DIR/samples.csv and writes its header (trial, params, outputs,
 * <event>_ever per event output);
 * NULL with a message in D on failure. */
FILE *output_samples_open(const model *m, const char *dir, diag *d);

/* An engine_opts.rows callback writing each model's rows to samples.csv:
 * CTX is an array of FILE *, one per model (NULL entries skip). Trials are
 * numbered from 1. */
int output_samples_rows(void *ctx, size_t which, uint64_t trial0, size_t n,
                        size_t cols, const double *values);

/* Event output O: the probability that it happened by the end (was 1 at
 * some step 0 .. T) with its standard error (effective trials when
 * weighted). */
void output_p_by_end(const engine_result *r, size_t o, double *p,
                     double *se);
/* The mean (event: probability) of output O at step T with its standard
 * error. */
void output_mean_se(const engine_result *r, size_t o, uint32_t t,
                    double *mean, double *se);
/* Quantile P of output O at step T. */
double output_quantile(const engine_result *r, size_t o, uint32_t t,
                       double p);

/* Prints the short table of main results of R to OUT. */
void output_table(const engine_result *r, const scenario *s, FILE *out);

/* Writes S to OUT as one CSV field (quoted when it holds a comma, quote,
 * or line break; quotes doubled; an apostrophe before a leading '=' or '@'
 * so that spreadsheets show it as text, not a formula). */
void output_csv_string(FILE *out, const char *s);

/* FNV-1a 64-bit hash of S (the model hash in resolved.cfg). */
unsigned long long output_hash(const char *s);

#endif

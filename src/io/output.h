/* output.h: result files (CSV, resolved.cfg) in folders renamed into place. */
#ifndef NCG_OUTPUT_H
#define NCG_OUTPUT_H

#include <stdio.h>
#include "base/diag.h"
#include "run/engine.h"
#include "scenario/scenario.h"

/* The hidden file that marks a result folder: every file ncgsim wrote in
 * it with its size and SHA-256 (see resultdir.c and docs/results.md). */
#define OUTPUT_MANIFEST ".ncgsim-manifest"

/* A result folder being written: files go to a hidden temporary folder
 * next to the final one, which output_commit swaps into place. */
typedef struct output_dir {
    char *final;   /* OUT/<name> (owned) */
    char *tmp;     /* OUT/.<name>.tmp-XXXXXX (owned) */
    char *lock;    /* OUT/.<name>.lock (owned), or NULL */
    char kind[32]; /* what writes it: "run", "compare", "sensitivity",
                      "sweep" (recorded in the manifest) */
    int lock_fd;   /* holds the flock on LOCK, or -1 */
} output_dir;

/* Starts writing the result folder OUT/NAME of KIND ("run", "compare",
 * "sensitivity", "sweep"; NULL: the kind of the folder already there, for
 * a redraw): creates OUT (and parents) if needed, locks OUT/.NAME.lock
 * (another process holding it: refused at once, not waited for), removes
 * temporary folders of NAME left by dead ncgsim processes, checks that
 * OUT/NAME may be replaced (output_check_folder) and makes a fresh
 * temporary folder OD->tmp for every file. Returns 0, or NCG_ERR_IO with
 * a message in D (nothing on disk changed). */
int output_begin(const char *out, const char *name, const char *kind,
                 output_dir *od, diag *d);
/* output_begin for the folder PATH itself (its parent and last name;
 * trailing slashes ignored): results written to PATH as a whole. */
int output_begin_path(const char *path, const char *kind, output_dir *od,
                      diag *d);
/* Lists every file of OD->tmp in its manifest, flushes them all to disk,
 * checks OUT/NAME again and replaces it with the temporary folder in one
 * rename; the old results are then removed, only the files their manifest
 * lists. 0, or NCG_ERR_IO with a message (the previous results are then
 * untouched, unless the message says otherwise). Releases the lock and
 * frees OD's strings in every case. */
int output_commit(output_dir *od, diag *d);
/* Removes the temporary folder, releases the lock and frees OD's strings;
 * nothing when OD was never begun or is already committed. */
void output_abort(output_dir *od);
/* 0 when PATH may be replaced by new results of KIND (NULL: any): it does
 * not exist, is an empty folder, or is a result folder of that kind each
 * of whose files is listed, unchanged (size and SHA-256), in its
 * .ncgsim-manifest. Otherwise NCG_ERR_IO with a message in D naming the
 * first file in the way (not written by ncgsim, changed since) or the
 * folder (no manifest; results of another kind). */
int output_check_folder(const char *path, const char *kind, diag *d);
/* Moves OD's file NAME (written with output_open and output_close into
 * OD->tmp) to NAME beside the folder OD is for, in one rename that
 * replaces a previous file of that name; OD itself stays open (finish with
 * output_abort to remove the rest of the temporary folder). Refuses to
 * replace anything but a regular file. 0, or NCG_ERR_IO with a message
 * in D (a previous file is then untouched). */
int output_place(const output_dir *od, const char *name, diag *d);
/* Creates folder PATH and its parents as needed (mkdir -p); 0, or -1
 * with errno set. */
int output_make_dirs(const char *path);
/* Flushes the folder PATH's own entries (names, renames) to disk; best
 * effort. */
void output_sync_dir(const char *path);
/* DIR/NAME in a malloc'd string (NULL when out of memory). */
char *output_path(const char *dir, const char *name);

/* Opens DIR/NAME for writing; NULL with "DIR/NAME: cannot write: why" in
 * D. */
FILE *output_open(const char *dir, const char *name, diag *d);
/* Flushes F to disk and closes it; 0, or NCG_ERR_IO with "DIR/NAME: write
 * error: why" in D (a full disk shows up here). */
int output_close(FILE *f, const char *dir, const char *name, diag *d);

/* Writes summary.csv, timeseries.csv, histograms.csv, events.csv,
 * counts.csv, clamped.csv and resolved.cfg for R (scenario S) into DIR.
 * Returns 0, or NCG_ERR_IO with a message in D. */
int output_write(const engine_result *r, const scenario *s, const char *dir,
                 diag *d);

/* Writes DIR/correlations.csv (param_a, param_b, requested, realised,
 * trials) for M's run of TRIALS trials, and when TABLE is not NULL a few
 * lines about it there. Does nothing when M has no correlations.
 * 0, or NCG_ERR_IO / NCG_ERR_NOMEM with a message in D. */
int output_correlations(const model *m, uint64_t trials, const char *dir,
                        FILE *table, diag *d);

/* Opens DIR/samples.csv and writes its header (trial, then weight when M
 * conditions on observations, params, outputs, <event>_ever per event
 * output); NULL with a message in D on failure. */
FILE *output_samples_open(const model *m, const char *dir, diag *d);

/* What the samples callbacks below write to: per model of the run, its
 * samples.csv (NULL: none) and, for a conditioned model, the weights of
 * the rows about to be written (borrowed from the engine between its
 * weights and rows calls). Both arrays have one entry per model. */
typedef struct output_samples {
    FILE **f;
    const double **w;
} output_samples;

/* An engine_opts.weights callback: keeps W, the final weights of model
 * WHICH's next N rows, for output_samples_rows. CTX: output_samples. */
int output_samples_weights(void *ctx, size_t which, uint64_t trial0,
                           size_t n, const double *w);
/* An engine_opts.rows callback writing each model's rows to samples.csv:
 * CTX is an output_samples. Trials are numbered from 1; a conditioned
 * model's rows carry their weight after the trial number. */
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

/* Writes S to OUT as one CSV text field, the one way every CSV file of
 * ncgsim writes text: quoted when it holds a comma, quote or line break
 * (quotes doubled); an apostrophe before a leading '=', '+', '-', '@',
 * TAB or CR, so that a spreadsheet shows it as text instead of running a
 * formula (OWASP's advice), except when S is a plain number such as -5;
 * and before a leading apostrophe followed by one of those, so that
 * output_csv_unguard gives back S exactly. */
void output_csv_string(FILE *out, const char *s);
/* S as written by output_csv_string and unquoted by a CSV reader, back as
 * it was: a pointer past the guarding apostrophe, or S itself. */
const char *output_csv_unguard(const char *s);

/* FNV-1a 64-bit hash of S (the model hash in resolved.cfg). */
unsigned long long output_hash(const char *s);

#endif

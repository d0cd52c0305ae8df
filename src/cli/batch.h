/* batch.h: loading and running a batch of scenarios, shared by `run` and
 * `compare` (and the file-list helpers of `check` and `plot`). */
#ifndef NCG_BATCH_H
#define NCG_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include "analysis/compare.h"
#include "base/diag.h"
#include "cli/options.h"
#include "model/model.h"
#include "io/part.h"
#include "run/engine.h"
#include "scenario/scenario.h"

/* What a batch does, from the command line. */
typedef struct batch_opts {
    scenario_opts so;       /* --trials, --seed, --set (sets borrowed) */
    const char *out;        /* results folder */
    const char *reference;  /* --reference NAME, or NULL */
    const char *format;     /* --format, or NULL for png */
    int threads;
    int samples, quiet;
    int plots;              /* which charts are drawn: BATCH_PLOTS_* */
    double precision;       /* --precision EPS, or 0 */
    uint64_t max_trials;    /* the most --precision may use */
    compare_target *targets;/* --precision-of, in order (owned by the
                               command) */
    size_t n_targets;
    char *const *folders;   /* compare: each scenario's result folder, in
                               the order of the scenarios (borrowed); NULL:
                               OUT/<name> */
    uint32_t shard, shards; /* --shard I/K: compute shard I of K and write
                               one part file per scenario into OUT (0: a
                               whole run) */
    int probe;              /* with shards: the first pass of a
                               --precision run, whose parts are probes
                               over max_trials (runpart_probes) */
    const char *settings;   /* with shards of a --precision run: its
                               settings, which every part carries and the
                               merge compares (borrowed); else NULL */
    const char *command_line; /* probes: the command that made them
                               without its --shard, which merge prints
                               for the second pass (borrowed) */
    uint64_t job;           /* set by batch_run for shards: the hash that
                               ties the job's parts together */
    size_t ref;             /* set by batch_run: the reference scenario */
    engine_result **given;  /* merge: each scenario's result, made from its
                               parts; batch_run takes them over (and sets
                               the entries to NULL) instead of running.
                               NULL: run */
    /* --shard: when set, each scenario's part P goes to PART_SINK (which
     * copies what it keeps; the caller frees P) instead of a file in OUT
     * (an MPI job's shards stay in memory). 0, or a status with a message
     * in D. */
    int (*part_sink)(void *ctx, const part *p, diag *d);
    void *part_ctx;
} batch_opts;

/* batch_opts.plots: AUTO draws each scenario's charts for a single
 * scenario and only the comparison's for several (the scenario folders
 * then get their scripts, undrawn); ALL and COMPARE draw those whatever
 * the number; NONE writes no chart and no script. */
enum { BATCH_PLOTS_AUTO, BATCH_PLOTS_ALL, BATCH_PLOTS_COMPARE,
       BATCH_PLOTS_NONE };

/* The BATCH_PLOTS_* of --plots (PLOTS) and --no-plots (NO_PLOTS) of
 * command CMD; -1 after a usage error (printed) when they disagree. */
int batch_plots(const char *cmd, const opt_value *plots,
                const opt_value *no_plots);

/* batch_run's modes: write each scenario's folder (run), write only the
 * comparison (compare), or write nothing (a --precision measuring round). */
enum { BATCH_WRITE, BATCH_COMPARE, BATCH_MEASURE };

/* Expands ARGS (N files and folders) into *OUT, a malloc'd array of
 * *N_OUT malloc'd .cfg paths (free with batch_free_list); a folder gives
 * its .cfg files, sorted. 0, or NCG_EXIT_IO with a message in D for a
 * folder that cannot be read or holds no .cfg file. */
int batch_expand_inputs(char **args, int n, char ***out, size_t *n_out,
                        diag *d);
/* Frees LIST and its N strings; NULL does nothing. */
/* batch_expand_inputs for files ending in SUFFIX (".ncgpart"). */
int batch_expand_files(char **args, int n, const char *suffix, char ***out,
                       size_t *n_out, diag *d);
void batch_free_list(char **list, size_t n);
/* Sorts the N paths in LIST by byte order. */
void batch_sort_paths(char **list, size_t n);

/* Loads the N FILES with SO into *SCS and *MS (N entries each, malloc'd;
 * free with batch_free_all, also on failure). Two scenarios of one name,
 * or one called "compare" among several, are scenario errors. Returns 0
 * or the worst status of the loads, with messages in D. */
int batch_load_all(char **files, size_t n, const scenario_opts *so,
                   scenario ***scs, model ***ms, diag *d);
void batch_free_all(scenario **scs, model **ms, size_t n);

/* What a --precision measuring round found. */
typedef struct batch_measured {
    double ratio;        /* the largest 95% half-width over its target
                            (compare_precision_ratio): <= 1 when met */
    char which[256];     /* the figure that sets it */
} batch_measured;

/* Runs the N loaded scenarios: the reference (REF) first, then the others
 * in order; those with the same trials and steps as another run in
 * lockstep with it, so their differences are paired trial by trial. With
 * two or more, writes OUT/compare/. MODE as above; for BATCH_MEASURE
 * *MEASURED gets how far the targets of C are. Plots (unless C->no_plots)
 * are drawn after, and their failure is only a warning. */
int batch_run(scenario **scs, model **ms, size_t n, size_t ref,
              const batch_opts *c, int mode, batch_measured *measured,
              diag *d);

/* batch_run over the processes of an MPI job (batch_cluster.c): each
 * computes its shard (rank r + 1 of P) of every scenario in memory, rank 0
 * gathers the parts as bytes, folds them in chunk order and does what
 * batch_run does with those results, which are one process's bits. The
 * other ranks write nothing and return 0 (BATCH_MEASURE: every rank gets
 * rank 0's status and MEASURED->ratio, so all take the same next step). A
 * failure on any rank ends the job with its message (cluster_gather).
 * Outside a job: batch_run. */
int batch_run_cluster(scenario **scs, model **ms, size_t n, size_t ref,
                      const batch_opts *c, int mode,
                      batch_measured *measured, diag *d);

/* The index of the scenario called NAME (--reference), or 0 when NAME is
 * NULL; SIZE_MAX with a message when there is none. */
size_t batch_find_reference(scenario **scs, size_t n, const char *name,
                            diag *d);

/* Reads one --precision-of TEXT, STAT:VAR=HALFWIDTH[%] with STAT "mean"
 * or "pNN" (the NN-th percentile, 0 < NN < 100, e.g. p5, p50, p97.5),
 * into *T (T->text is TEXT, borrowed). 0, or NCG_ERR_USAGE with a message
 * in D. */
int batch_parse_target(const char *text, compare_target *t, diag *d);

/* Every --precision-of target of C names a numeric output of one of the
 * N models MS: 0, or NCG_ERR_USAGE with a message for each that does not
 * (with the closest output's name). */
int batch_check_targets(model **ms, size_t n, const batch_opts *c, diag *d);

/* Measures a --precision round: the N scenarios run (or replayed) with
 * TRIALS trials, what batch_run's BATCH_MEASURE finds into *GOT. 0, or a
 * status with a message in D. */
typedef int (*batch_measure_fn)(void *ctx, uint64_t trials,
                                batch_measured *got, diag *d);

/* The rounds of --precision (C->precision, C->targets, C->max_trials):
 * 4096 trials, then trials * (ratio)^2 * 1.1, at least double, rounded
 * up to whole 4096s (whole chunks), each measured by MEASURE(CTX), until
 * the ratio is at most 1 or C->max_trials is reached (not measured). The
 * trials chosen into *CHOSEN; each round's line on stderr unless
 * C->quiet. One process, MPI rank 0 and `ncgsim merge` of a --shard
 * job's probes all decide through this, so they choose alike. 0, or
 * MEASURE's failure. */
int batch_precision_rounds(const batch_opts *c, batch_measure_fn measure,
                           void *ctx, uint64_t *chosen, diag *d);

/* C's --precision settings as a text that two runs share exactly when
 * they would choose alike ("--precision 0.005 --max-trials 1000000
 * --precision-of mean:y=50"), into BUF (LEN bytes). */
void batch_precision_settings(const batch_opts *c, char *buf, size_t len);

/* --precision: runs rounds of growing size until every 95% half-width is
 * at most C->precision or C->max_trials is reached, then reloads the N
 * FILES into *SCS and *MS with that many trials (recorded in C->so). */
int batch_find_trials(scenario ***scs, model ***ms, char **files, size_t n,
                      size_t ref, batch_opts *c, diag *d);

#endif

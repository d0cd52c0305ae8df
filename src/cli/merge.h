/* merge.h: `ncgsim merge` per command: each command whose shards write
 * part files turns a checked set of its parts into the results it writes
 * without --shard. cmd_merge.c reads the parts and picks the function by
 * the command that wrote them. */
#ifndef NCG_MERGE_H
#define NCG_MERGE_H

#include <stddef.h>
#include "base/diag.h"
#include "io/part.h"
#include "model/model.h"
#include "run/engine.h"
#include "scenario/scenario.h"

/* merge's options, handed to every command's merge. */
typedef struct merge_opts {
    const char *out;       /* -o as given, or NULL: the command's default */
    const char *format;    /* --format, or NULL */
    int threads;           /* for the charts */
    int quiet, no_plots;
    int plots;             /* run: BATCH_PLOTS_* (cli/batch.h) */
} merge_opts;

/* A command's merge: the N parts PARTS (borrowed; read from LABELS, which
 * name them in messages), in the order given, all claiming to be of one
 * job of that command. It checks them as a set (runpart_order), writes
 * the results and returns 0, or a status with a message naming the part
 * at fault, having written nothing. */
typedef int (*merge_fn)(part *const *parts, const char *const *labels,
                        size_t n, const merge_opts *o, diag *d);

int merge_run(part *const *parts, const char *const *labels, size_t n,
              const merge_opts *o, diag *d);
int merge_sweep(part *const *parts, const char *const *labels, size_t n,
                const merge_opts *o, diag *d);
int merge_sensitivity(part *const *parts, const char *const *labels,
                      size_t n, const merge_opts *o, diag *d);
int merge_discover(part *const *parts, const char *const *labels, size_t n,
                   const merge_opts *o, diag *d);
int merge_score(part *const *parts, const char *const *labels, size_t n,
                const merge_opts *o, diag *d);

/* Writes LEN bytes TEXT as a file NAME in a new private temporary
 * folder, whose path goes to *PATH (malloc'd): what a merge reads back
 * through the functions that read files. Remove it with
 * merge_tmp_remove. 0, or NCG_ERR_IO with a message. */
int merge_tmp_write(const char *name, const char *text, size_t len,
                    char **path, diag *d);
/* Removes the file PATH of merge_tmp_write and its folder, and frees PATH
 * (NULL does nothing). */
void merge_tmp_remove(char *path);

/* engine_result_check of R, a result folded from parts whose scenario
 * was loaded back by merge_load_scenario: its messages (an observation no
 * trial explains) name LABEL, a part of that scenario, rather than the
 * temporary copy they would name. 0, or that status. */
int merge_check(const engine_result *r, const char *label, diag *d);

/* Checks the N parts as the parts of one job (runpart_order) and fills
 * *ORDER (malloc'd; the caller frees it, also on failure) with them by
 * scenario and shard; then loads the scenario of the first part in that
 * order into *SC and *M (merge_load_scenario). 0, or a status with a
 * message. */
int merge_begin(part *const *parts, const char *const *labels, size_t n,
                size_t **order, scenario **sc, model **m, diag *d);

/*
 * A sharded `run --precision` (merge_precision.c): its first pass writes
 * probes (command "probe"), its second, with the -n the probes choose,
 * run parts that carry the run's --precision settings. merge_precision
 * checks the probes as a set and replays one process's rounds on them
 * (batch_precision_rounds); with no other part it prints the second pass
 * and writes nothing, else it checks every other part against the probes
 * (settings, scenario, seed, model, the chosen trials) and merges them
 * with merge_run. Second-pass parts without probes are refused.
 */
int merge_precision(part *const *parts, const char *const *labels, size_t n,
                    const merge_opts *o, diag *d);
/* 1 when one of the N PARTS is a probe or a second-pass part. */
int merge_precision_wanted(part *const *parts, size_t n);

/* The resolved scenario that part P (named LABEL) carries in its
 * "scenario" section, loaded back into *SC and *M through a file
 * "<scenario>.cfg" in a private temporary folder (removed again). It must
 * give the model the shard ran: the same model hash and trials as P's
 * header. 0, or a status with a message naming LABEL. */
int merge_load_scenario(const part *p, const char *label, scenario **sc,
                        model **m, diag *d);

#endif

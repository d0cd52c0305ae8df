/* merge.h: `ncgsim merge` by command: what every command's merge shares
 * (a part's scenario loaded back) and the merge of each command's parts
 * (cmd_merge_<command>.c). cmd_merge.c reads and checks the parts, then hands
 * them to the merge of their command. */
#ifndef NCG_MERGE_H
#define NCG_MERGE_H

#include <stddef.h>
#include <stdint.h>
#include "base/diag.h"
#include "io/part.h"
#include "model/model.h"
#include "scenario/scenario.h"

/* The merge's options (its command line). */
typedef struct merge_out {
    const char *out;           /* results folder */
    const char *format;        /* --format, or NULL */
    int threads;               /* for the plots */
    int quiet, no_plots;
} merge_out;

/* The scenario of part P (file LABEL) loaded back, into *SC and *M
 * (caller frees both), through a file in the private folder TMP; it must
 * be the model the shard ran (same hash). *REF: the job's reference
 * member. 0, or a status with a message. */
int merge_load_member(const part *p, const char *label, const char *tmp,
                      scenario **sc, model **m, uint32_t *ref, diag *d);

/* The N parts PARTS of one `sensitivity` (files LABELS), checked by
 * runpart_order into ORDER, into its result folder, as `sensitivity`
 * without --shard writes it. TMP is a private folder. Returns a status. */
int merge_sensitivity(part *const *parts, char *const *labels,
                      const size_t *order, size_t n, const char *tmp,
                      const merge_out *o, diag *d);

#endif

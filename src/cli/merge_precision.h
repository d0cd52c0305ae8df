/* merge_precision.h: `ncgsim merge` of a sharded --precision run (its
 * probes choose the trials; its second pass is checked against them). */
#ifndef NCG_MERGE_PRECISION_H
#define NCG_MERGE_PRECISION_H

#include <stddef.h>
#include <stdint.h>
#include "base/diag.h"
#include "io/part.h"
#include "model/model.h"
#include "scenario/scenario.h"

/* How merge_precision loads a part's scenario (cmd_merge's loader) and
 * what it prints. */
typedef struct merge_precision_opts {
    /* Part P's (file LABEL) scenario into *SC and *M through a file in
     * the private folder TMP, checked against P's model hash; the job's
     * reference into *REF. 0, or a status with a message. */
    int (*load)(const part *p, const char *label, const char *tmp,
                scenario **sc, model **m, uint32_t *ref, diag *d);
    const char *tmp;
    int quiet;          /* no round lines */
} merge_precision_opts;

/*
 * The first pass of `run --shard I/K --precision ...` writes probes
 * (command "probe", files NAME-probe.part-I-of-K.ncgpart); the second, with the -n the probes choose,
 * writes ordinary parts that carry the run's --precision settings.
 * Among the N parts PARTS (file names LABELS, both arrays owned by the
 * caller), the probes are checked as a set, replayed through one
 * process's rounds (batch_precision_rounds) and taken out: they are
 * freed, and PARTS and LABELS keep the other parts, *N of them, in their
 * order. Each of those must then be a part of the second pass of the
 * same job with the chosen trials. With no other part, the second pass
 * to run is printed and *DONE set. Parts of a second pass without their
 * probes are refused. Without probes or precision parts, nothing
 * changes. 0, or a status with a message naming the part at fault.
 */
int merge_precision(part **parts, char **labels, size_t *n,
                    const merge_precision_opts *o, int *done, diag *d);

#endif

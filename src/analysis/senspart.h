/* senspart.h: a shard of `sensitivity` as a part file, and parts put back into one result. */
#ifndef NCG_SENSPART_H
#define NCG_SENSPART_H

#include <stdint.h>
#include "analysis/sens.h"
#include "base/diag.h"
#include "io/part.h"

/*
 * A shard of a sensitivity computes units FIRST .. FIRST + COUNT - 1 of
 * sens_units (runpart_range). Its part holds, besides the resolved
 * scenario and the options, the finished numbers of its tornado groups
 * (each group runs whole in one shard, so no floating-point sum is split)
 * and the per-trial values of its chunks of the Saltelli design. Putting
 * the parts of every shard into a result planned from the same scenario
 * and options, then sens_finish, gives the bits of sens_run.
 */

/* The part of shard I of K of R (prepared, its units of that shard
 * computed by sens_run_units). SET_TRIALS: -n was given (the merge prints
 * the same header). 0 with *OUT (part_free), or NCG_ERR_NOMEM with a
 * message. */
int sens_part_build(const sens_result *r, uint32_t i, uint32_t k,
                    int set_trials, part **out, diag *d);

/* The options the shard of P ran with, for sens_prepare_loaded with M,
 * the model loaded back from P's scenario: O's outputs point into a
 * malloc'd array in *NAMES (caller frees; the names are M's), *SET_TRIALS
 * as given to sens_part_build. 0, or NCG_ERR_IO with "LABEL: malformed
 * part file (...)" in D, or NCG_ERR_NOMEM. */
int sens_part_options(const part *p, const char *label, const model *m,
                      sens_opts *o, const char ***names, int *set_trials,
                      diag *d);

/* Puts the units of part P (named LABEL in messages) into R, prepared
 * with the part's options; parts of one job may come in any order. 0, or
 * NCG_ERR_IO with "LABEL: malformed part file (...)" in D. */
int sens_part_fold(sens_result *r, const part *p, const char *label, diag *d);

#endif

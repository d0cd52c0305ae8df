/* sweeppart.h: a range of a sweep's points as a part, and parts put back into one sweep. */
#ifndef NCG_SWEEPPART_H
#define NCG_SWEEPPART_H

#include <stddef.h>
#include <stdint.h>
#include "analysis/sweep.h"
#include "base/diag.h"
#include "io/part.h"

/*
 * The unit of a sweep's shards is the point ("row"): a shard computes
 * points FIRST .. FIRST + COUNT - 1 (runpart_range over the grid), each
 * with all its trials, and its part holds their cells as exact bits. A
 * point's cells do not depend on which points ran with it (sweep_opts),
 * so the cells of every shard put in place are one process's. The part
 * also carries point 0's resolved scenario and the axes, which is all a
 * merge needs to write the sweep's folder.
 */

/* The part of shard I of K of R, a sweep computed over points FIRST ..
 * FIRST + COUNT - 1 of R->n_points (sweep_opts.ranged). 0 with *OUT (free
 * with part_free), or NCG_ERR_NOMEM. */
int sweeppart_build(const sweep_result *r, size_t first, size_t count,
                    uint32_t i, uint32_t k, part **out);

/* Copies the cells of part P (named LABEL in messages) into R, a sweep of
 * the same grid and model. 0, or NCG_ERR_IO with "LABEL: malformed part
 * file (cells)". */
int sweeppart_take(const part *p, const char *label, sweep_result *r,
                   diag *d);

/* A sweep result with no cells yet, for the sweep part P (named LABEL)
 * belongs to: point 0's scenario SC and model M (taken over: freed here on
 * failure too), the axes from P. 0 with *OUT, or a status with a
 * message. */
int sweeppart_result(const part *p, const char *label, scenario *sc,
                     model *m, sweep_result **out, diag *d);

#endif

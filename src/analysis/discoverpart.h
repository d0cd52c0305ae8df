/* discoverpart.h: a shard of `discover` on a scenario (its trials' rows) as a part, with what decides its boxes. */
#ifndef NCG_DISCOVERPART_H
#define NCG_DISCOVERPART_H

#include <stddef.h>
#include <stdint.h>
#include "analysis/discover.h"
#include "base/diag.h"
#include "io/part.h"
#include "scenario/scenario.h"

/*
 * The unit of discover's shards is the engine's chunk of trials
 * (ENGINE_CHUNK_TRIALS): a shard runs chunks FIRST .. FIRST + COUNT - 1 of
 * the scenario and keeps each of their trials' row (params, outputs at the
 * last step, events ever: discover_model_cols) as exact bits. A trial's
 * row does not depend on which chunks ran (random streams keyed by trial;
 * under lhs and sobol the global design), so the rows of every shard, in
 * chunk order, are one process's, and PRIM on them finds the same boxes.
 * The part also carries the resolved scenario and every option that
 * decides the boxes, so that a merge needs nothing but the parts.
 */

/* What decides a discovery besides the rows. */
typedef struct discoverpart_job {
    const char *source;     /* the scenario file as given (messages, the
                               default folder) */
    const char *inputs;     /* --inputs as given, or NULL */
    const char *case_expr;  /* --case */
    prim_opts prim;
    size_t boxes;
    long pick;              /* --box, or -1 */
    unsigned resample;
    uint64_t seed;          /* keys the half-samples */
    char *mem;              /* read from a part: holds the strings above
                               (owned; discoverpart_job_clear) */
} discoverpart_job;

/* The trials of chunks FIRST .. FIRST + COUNT - 1 of a run of TRIALS:
 * *T0 .. *T0 + *N - 1. */
void discoverpart_trials(uint64_t trials, uint64_t first, uint64_t count,
                         uint64_t *t0, uint64_t *n);

/* The part of shard I of K of job J on scenario SC: ROWS holds the rows
 * (COLS values each) of the shard's chunks of SC's trials (runpart_range
 * over runpart_chunks). 0 with *OUT (free with part_free), or
 * NCG_ERR_NOMEM. */
int discoverpart_build(const discoverpart_job *j, const scenario *sc,
                       size_t cols, const double *rows, uint32_t i,
                       uint32_t k, part **out);

/* The job part P (named LABEL) was computed for, into *J (strings owned
 * by J->mem). 0, or NCG_ERR_IO "LABEL: malformed part file (options)", or
 * NCG_ERR_NOMEM. */
int discoverpart_job_read(const part *p, const char *label,
                          discoverpart_job *j, diag *d);
void discoverpart_job_clear(discoverpart_job *j);

/* Copies the rows of part P (named LABEL) into ROWS, the rows (COLS
 * values each) of all the TRIALS of the scenario, at their trials. 0, or
 * NCG_ERR_IO "LABEL: malformed part file (rows)". */
int discoverpart_take(const part *p, const char *label, uint64_t trials,
                      size_t cols, double *rows, diag *d);

#endif

/* scorepart.h: a shard of `score` (a range of each scenario's trials) as a part, and the parts of a scenario added up into its forecasts. */
#ifndef NCG_SCOREPART_H
#define NCG_SCOREPART_H

#include <stddef.h>
#include <stdint.h>
#include "base/diag.h"
#include "io/part.h"
#include "run/engine.h"
#include "run/stats.h"
#include "scenario/scenario.h"

/*
 * The unit of score's shards is the engine's chunk of trials
 * (ENGINE_CHUNK_TRIALS), of every scenario scored. A forecast is the share
 * of trials in which a question's probe held: an integer count over the
 * trials, or for a scenario conditioned by --as-of a fixed-point sum of
 * those trials' weights over that of all weights (stats_wsum). Both are
 * exact integers that add up in any order, so the forecasts of merged
 * shards are one process's, bit for bit. A part also carries the scenario,
 * the outcomes file's text and --as-of, so that a merge needs nothing but
 * the parts.
 */

/* What every part of one score job shares. */
typedef struct scorepart_job {
    const char *outcomes;   /* the outcomes file as the user named it */
    const char *text;       /* its content, NUL-terminated (LEN bytes) */
    size_t len;
    const char *as_of;      /* --as-of, or NULL */
    char *mem;              /* read from a part: holds the strings above
                               (owned; scorepart_job_clear) */
} scorepart_job;

/* The part of shard I of K (by chunks of trials, runpart_range) of
 * scenario SC, member MEMBER of MEMBERS, of job J: R the shard's result
 * (its probe tallies), USE[q] 1 for each of the N questions it scores.
 * 0 with *OUT, or NCG_ERR_NOMEM. */
int scorepart_build(const scorepart_job *j, const scenario *sc,
                    const engine_result *r, const int *use, size_t n,
                    uint32_t member, uint32_t members, uint32_t i,
                    uint32_t k, part **out);

/* The job of part P (named LABEL), into *J (strings owned by J->mem). 0,
 * NCG_ERR_IO "LABEL: malformed part file (outcomes)" or NCG_ERR_NOMEM. */
int scorepart_job_read(const part *p, const char *label, scorepart_job *j,
                       diag *d);
void scorepart_job_clear(scorepart_job *j);

/* One scenario's tallies, added up over its parts. */
typedef struct scorepart_sum {
    size_t n;                /* questions */
    uint64_t trials;
    int weighted;
    uint64_t *use;           /* per question: 1 when scored */
    uint64_t *count;         /* per question: trials where the probe held */
    stats_wsum *q;           /* ... and their weights (conditioned) */
    stats_wsum qtot;         /* every trial's weight */
    size_t n_obs;
    uint64_t *passed, *killed; /* per observation item (engine_result) */
} scorepart_sum;

/* Adds part P (named LABEL) into S, a scenario's sum of N questions
 * (zeroed before the first part; sized by it). 0, NCG_ERR_IO "LABEL:
 * malformed part file (tallies)" or NCG_ERR_NOMEM. */
int scorepart_add(scorepart_sum *s, const part *p, const char *label,
                  size_t n, diag *d);
/* S's forecasts into P[0 .. n-1]: NAN for a question not scored, and for
 * a conditioned scenario whose weights are all 0. */
void scorepart_forecasts(const scorepart_sum *s, double *p);
void scorepart_sum_clear(scorepart_sum *s);

#endif

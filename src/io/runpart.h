/* runpart.h: a shard of `run` as a part file, and parts folded back into one result. */
#ifndef NCG_RUNPART_H
#define NCG_RUNPART_H

#include <stddef.h>
#include <stdint.h>
#include "base/diag.h"
#include "io/part.h"
#include "run/engine.h"
#include "scenario/scenario.h"

/*
 * A shard of a run computes chunks FIRST .. FIRST + COUNT - 1 of every
 * scenario. Its part keeps each chunk's ordered summaries (moments, paired
 * differences, weight sums) as they were, and the exact counts (event
 * tallies, histograms, clamp and observation counters) summed over the
 * shard. Folding the parts of every shard in chunk order repeats what one
 * process does chunk by chunk, so the merged result has its bits for any
 * number of shards.
 */

/* Shard I (1 .. K) of a job of UNITS units: units *FIRST .. *FIRST +
 * *COUNT - 1 (contiguous; sizes differ by at most one; empty when K >
 * UNITS). */
void runpart_range(uint64_t units, uint32_t i, uint32_t k, uint64_t *first,
                   uint64_t *count);

/* Chunks of a run of TRIALS trials. */
uint64_t runpart_chunks(uint64_t trials);

/* Fills F with the header of shard I of K, by chunks of its trials, of a
 * job of COMMAND on scenario SC whose resolved text is TEXT: the
 * scenario's name, the model hash of TEXT, seed, trials, sampler, unit
 * "chunk" with the shard's range; member 0 of 1. The caller sets job (and
 * member, members when several scenarios share the job). */
void runpart_info(part_info *f, const char *command, const scenario *sc,
                  const char *text, uint32_t i, uint32_t k);

/* Collects the ordered per-chunk summaries of K models while a shard
 * runs. */
typedef struct runpart_log runpart_log;
/* For MODELS[0 .. K-1] (borrowed; they must outlive the log), chunks
 * FIRST .. FIRST + COUNT - 1. NULL when out of memory. */
runpart_log *runpart_log_alloc(model *const *models, size_t k,
                               uint64_t first, uint64_t count);
void runpart_log_free(runpart_log *l);
/* The engine_opts.chunk callback; CTX is the runpart_log. */
int runpart_log_chunk(void *ctx, size_t which, const engine_chunk *c);

/* Model WHICH's part: header INFO, its scenario S (the resolved text
 * travels in the part), the shard's result R and the chunks in L. REF is
 * the job's reference member. 0, or NCG_ERR_NOMEM. */
int runpart_build(const runpart_log *l, size_t which, const scenario *s,
                  const engine_result *r, const part_info *info,
                  uint32_t ref, part **out);

/* Part P's resolved scenario text (borrowed, NUL-terminated copy into a
 * malloc'd string) and the job's reference member; NULL when the part has
 * none. */
char *runpart_scenario_text(const part *p, uint32_t *ref);

/* Folds part P (named LABEL in messages) into INTO, a result of the same
 * model: its chunks must be the next ones. 0, or NCG_ERR_IO with "LABEL:
 * what is wrong" in D, or NCG_ERR_NOMEM. */
int runpart_fold(const part *p, const char *label, engine_result *into,
                 diag *d);

/* Checks that the N parts PARTS (file names LABELS) are all the parts of
 * one job, whole: one version and build, one seed, the same model per
 * scenario, every shard 1 .. K of every scenario exactly once. Fills
 * ORDER (N entries) with the parts by scenario (member) and then chunk
 * order. 0, or NCG_ERR_IO with a message naming the first part at
 * fault (or the missing one). */
int runpart_order(part *const *parts, const char *const *labels, size_t n,
                  size_t *order, diag *d);

/*
 * A shard of a --precision run (a probe) cannot know how many trials the
 * run will choose: it computes its range of the chunks of --max-trials
 * and keeps, per chunk, what the precision measure reads (each output's
 * moments, event tallies and paired differences at the last step, the
 * weight sums, and the last-step histograms of the outputs named by a
 * quantile target). Folding every probe's chunks before a round's end
 * gives, for what the measure reads, the bits of a whole run of that
 * many trials, so the merge replays one process's rounds exactly.
 */
typedef struct runpart_probes runpart_probes;
/* For MODELS[0 .. K-1] (borrowed), chunks FIRST .. FIRST + COUNT - 1;
 * the last-step histograms of the outputs called HIST_VARS[0 .. N_HIST -
 * 1] are kept. NULL when out of memory. */
runpart_probes *runpart_probes_alloc(model *const *models, size_t k,
                                     uint64_t first, uint64_t count,
                                     const char *const *hist_vars,
                                     size_t n_hist);
void runpart_probes_free(runpart_probes *l);
/* The engine_opts.chunk callback (with engine_opts.chunk_counts); CTX is
 * the runpart_probes. */
int runpart_probes_chunk(void *ctx, size_t which, const engine_chunk *c);
/* Model WHICH's probe part, as runpart_build, with the run's --precision
 * SETTINGS (a text every part of the job carries). 0, or NCG_ERR_NOMEM. */
int runpart_probes_build(const runpart_probes *l, size_t which,
                         const scenario *s, const engine_result *r,
                         const part_info *info, uint32_t ref,
                         const char *settings, part **out);
/* Folds probe P's chunks before chunk CHUNKS into INTO (a result of
 * CHUNKS whole chunks of P's model, from engine_result_alloc; probes in
 * chunk order): what the precision measure reads, nothing else. 0, or
 * NCG_ERR_IO with "LABEL: what is wrong" in D, or NCG_ERR_NOMEM. */
int runpart_probes_fold(const part *p, const char *label, uint64_t chunks,
                        engine_result *into, diag *d);
/* The --precision settings part P carries (malloc'd), or NULL when it
 * has none. */
char *runpart_settings(const part *p);

#endif

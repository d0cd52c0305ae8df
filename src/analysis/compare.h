/* compare.h: side-by-side results of several scenarios, with paired differences. */
#ifndef NCG_COMPARE_H
#define NCG_COMPARE_H

#include <stdio.h>
#include "base/diag.h"
#include "run/engine.h"
#include "scenario/scenario.h"

/* The last-step summaries of every scenario of a batch, kept after each
 * scenario's full results are freed. */
typedef struct compare compare;

compare *compare_alloc(void);
void compare_free(compare *c);

/* Adds the results R of scenario S. The first scenario added is the
 * reference. PAIRED is 1 when R was run in lockstep with the reference
 * (R's diff fields then hold paired differences). 0 or -1 (out of memory). */
int compare_add(compare *c, const engine_result *r, const scenario *s,
                int paired);
/* The result folder of scenario I (in the order added), as the user can
 * reach it (e.g. results/baseline or /data/x/baseline); copied. Without
 * it, a scenario's folder is taken to be a sibling of the comparison,
 * ../<name>. 0 or -1 (out of memory). */
int compare_set_folder(compare *c, size_t i, const char *folder);
/* Number of scenarios added. */
size_t compare_count(const compare *c);

/* Writes compare.csv and scenarios.csv into DIR (the temporary folder of
 * OUT/NAME, see output_begin). scenarios.csv names each scenario's folder
 * relative to OUT/NAME (absolute when the two share nothing but /) and
 * records summary_hash, the hash of that folder's summary.csv, so that a
 * later run into it shows (compare_stale). Returns 0 or NCG_ERR_IO with
 * a message in D. */
int compare_write(const compare *c, const char *dir, const char *out,
                  const char *name, diag *d);

/* The name of the folder in OUT for the comparison C: "compare", unless
 * OUT/compare holds a comparison of other scenarios (another set of names
 * or folders), which is never replaced: then "compare-" and the names
 * joined by '-' (cut at 96 characters, with a hash after). Into OTHER
 * (LEN bytes) the scenarios of the comparison kept, or "". */
void compare_folder_name(const compare *c, const char *out, char *name,
                         size_t len, char *other, size_t olen);

/* 1 when the comparison in DIR is stale: a scenario folder it compares
 * was rewritten since (its summary.csv no longer has the hash recorded),
 * with that folder's name into WHICH (LEN bytes); 0 when current or when
 * DIR has no hashes to check. */
int compare_stale(const char *dir, char *which, size_t len);

/* One --precision-of target: the 95% half-width of a statistic of output
 * VAR at the last step. */
typedef struct compare_target {
    char var[128];       /* the output's name */
    double q;            /* a quantile in (0, 1), or -1 for the mean */
    double halfwidth;    /* the target: absolute, or with RELATIVE a
                            fraction of the estimate (0.01 for 1%) */
    int relative;
    const char *text;    /* as the user wrote it, for messages (borrowed) */
} compare_target;

/* From now on compare_add keeps a copy of each numeric output's
 * histogram at the last step (for quantile targets; 100 KB each). */
void compare_keep_histograms(compare *c);

/* The 95% half-width of the Q-quantile estimated from the histogram H of
 * a sample of size N > 0 (its values; for a weighted histogram, the
 * effective sample size (sum w)^2 / sum w^2): half the distance between
 * the quantiles at the ends of the order-statistic interval, whose ranks
 * are binomial(N, Q) (normal approximation: Q +- 1.96 sqrt(Q (1 - Q) /
 * N), cut to [0, 1]). The estimate itself into *EST. */
double compare_quantile_halfwidth(const stats_hist *h, double q, double n,
                                  double *est);

/* How far the batch is from its precision targets: the largest ratio of a
 * 95% half-width to its target (<= 1: every target met). EPS > 0 covers
 * every event probability (at the end and at the last step) and its
 * paired difference from the reference, over EPS; each of the N targets T
 * covers its statistic in every scenario that has the output and, for a
 * mean, the paired difference from the reference (a relative target there
 * is a fraction of the reference's mean). Quantile targets need the
 * histograms (compare_keep_histograms before the results are added). The figure that sets the ratio is
 * named in WHICH (LEN bytes), e.g. "mean:usfk_troops in baseline". */
double compare_precision_ratio(const compare *c, double eps,
                               const compare_target *t, size_t n,
                               char *which, size_t len);

/* Prints a table of every output (rows) by scenario (columns) to OUT, with
 * differences from the reference marked when their 95% interval excludes 0. */
void compare_table(const compare *c, FILE *out);

#endif

/* stats.h: mergeable streaming summaries: moments, fine histograms, quantiles. */
#ifndef NCG_STATS_H
#define NCG_STATS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Nothing here grows with the number of trials: a run keeps one set of
 * moments and one histogram per (output, step) and merges per-thread or
 * per-chunk copies. Moments merge with Chan's pairwise formulas; merging in
 * a fixed order gives bit-identical results whatever the thread count.
 * Histogram counts, minima and maxima merge exactly in any order.
 */

/* Count, mean, sum of squared deviations, min and max of a stream; or of a
 * weighted stream (stats_moments_add_w), where each value counts with its
 * weight (a conditioned run's trial weights). */
typedef struct stats_moments {
    uint64_t n;    /* values added (weighted: values with weight > 0) */
    double mean;   /* weighted: sum w x / sum w */
    double m2;     /* sum of (x - mean)^2 (weighted: of w (x - mean)^2) */
    double min;    /* +inf when n == 0 (weighted: over weights > 0) */
    double max;    /* -inf when n == 0 */
    int weighted;  /* 1 when filled by stats_moments_add_w */
    double sw;     /* weighted: sum of the weights */
    double sw2;    /* weighted: sum of the squared weights */
} stats_moments;

/* Fixed-point weights: weight w in [0, 1] is the integer w * 2^63
 * (stats_weight_fixed). Sums of them are exact integers, so histograms
 * and counts merge in any order to the same bits; weights below 2^-63
 * count as 0. */
#define STATS_WEIGHT_ONE 9223372036854775808.0
uint64_t stats_weight_fixed(double w);
/* Sum of fixed-point weights (never overflows for < 2^64 trials). */
__extension__ typedef unsigned __int128 stats_wsum;
/* A sum of fixed-point weights back as a weight. */
double stats_wsum_value(stats_wsum s);

/* The effective sample size of weights with sum SW and sum of squares
 * SW2: SW^2 / SW2 (0 when SW2 == 0). */
double stats_ess(double sw, double sw2);

/* The empty summary (n = 0, min +inf, max -inf). */
stats_moments stats_moments_empty(void);
/* Adds the N values X[0 .. N-1] (their own two-pass moments, then merged:
 * accurate even when the mean is large against the spread). NaNs must not
 * be passed (the engine stops on them first). */
void stats_moments_add(stats_moments *m, const double *x, size_t n);
/* Adds the N values X with weights W (>= 0; a zero weight leaves the
 * value out); M must be empty or weighted. */
void stats_moments_add_w(stats_moments *m, const double *x, const double *w,
                         size_t n);
/* Merges FROM into INTO (Chan et al.; the weighted form when both are
 * weighted); FROM may be empty. */
void stats_moments_merge(stats_moments *into, const stats_moments *from);
/* Sample variance (divisor n - 1), 0 when n < 2. Weighted: the unbiased
 * reliability-weights variance m2 / sw * ESS / (ESS - 1), 0 when ESS <= 1. */
double stats_moments_var(const stats_moments *m);
/* Standard error of the mean: sd / sqrt(n), 0 when n < 2 (weighted:
 * sd / sqrt(ESS)). */
double stats_moments_se(const stats_moments *m);

/*
 * The difference D = mx - my of two weighted means over the same trials,
 * mx = sum w x / sum w and my = sum v y / sum v, where trial k gives the
 * pair (x_k, y_k) with weights (w_k, v_k): a conditioned scenario against
 * its reference on common random numbers. Its standard error is the delta
 * method's for a difference of two ratio estimators, from the per-trial
 * terms z_k = w_k (x_k - mx) / sum w - v_k (y_k - my) / sum v:
 *   se^2 = n / (n - 1) sum z_k^2
 *        = n / (n - 1) [Sxx / W^2 + Syy / V^2 - 2 Sxy / (W V)],
 * which for weights all 1 is the paired sd(x - y)^2 / n. The sums are kept
 * about the running means and re-centred when merged (as Chan's formulas
 * do for moments), so a large common offset does not cancel them away;
 * merging in a fixed order gives the same bits for any thread count.
 */
typedef struct stats_pair {
    uint64_t n;          /* pairs added, whatever their weights */
    double sw, sv;       /* sum w, sum v */
    double mx, my;       /* sum w x / sum w, sum v y / sum v (0 while the
                            weights sum to 0) */
    double sw2, sv2, swv;/* sum w^2, sum v^2, sum w v */
    double xx, yy, xy;   /* sum w^2 dx^2, sum v^2 dy^2, sum w v dx dy, with
                            dx = x - mx, dy = y - my */
    double x1, y1;       /* sum w^2 dx, sum v^2 dy */
    double xv, yw;       /* sum w v dx, sum w v dy */
} stats_pair;

/* The empty pair summary. */
stats_pair stats_pair_empty(void);
/* Adds N pairs: values X with weights W, Y with weights V (weights >= 0;
 * W or V NULL: every weight 1). No NaNs. */
void stats_pair_add(stats_pair *p, const double *x, const double *w,
                    const double *y, const double *v, size_t n);
/* Merges FROM into INTO; FROM may be empty. */
void stats_pair_merge(stats_pair *into, const stats_pair *from);
/* D = mx - my; NaN when either side's weights sum to 0. */
double stats_pair_diff(const stats_pair *p);
/* D's standard error (above); NaN when D is, 0 when n < 2. */
double stats_pair_se(const stats_pair *p);

/*
 * A histogram with NBINS equal bins over [LO, HI) plus an underflow bin
 * (< LO) and an overflow bin (>= HI). Each bin keeps its count and the
 * smallest and largest value that fell in it, so a bin holding one repeated
 * value (an atom, e.g. a troop level that never changed) gives that value
 * exactly, and quantiles interpolate only inside a bin's observed range.
 * A quantile is therefore off by less than the width of one bin,
 * (HI - LO) / NBINS, and is exact when the order statistics it needs sit in
 * bins with a single distinct value.
 */
typedef struct stats_hist stats_hist;

/* Bins a histogram may have: a bin's index fits in an int32 (the
 * vectorised index pass of stats_hist_add converts to one). */
#define STATS_HIST_MAX_BINS ((size_t)INT32_MAX - 1)

/* Returns a zeroed histogram, or NULL when out of memory or when the
 * arguments are unusable (NBINS == 0 or above STATS_HIST_MAX_BINS, LO or
 * HI not finite). HI <= LO is
 * allowed (every value then falls into underflow or overflow; used when
 * the pilot saw a single value). */
stats_hist *stats_hist_alloc(double lo, double hi, size_t nbins);
/* The same, counting each value with a fixed-point weight
 * (stats_hist_add_w): quantiles and coarse bins are then weighted. */
stats_hist *stats_hist_alloc_w(double lo, double hi, size_t nbins);
void stats_hist_free(stats_hist *h);
/* A copy of H (weighted when H is), or NULL when out of memory; free it
 * with stats_hist_free. */
stats_hist *stats_hist_copy(const stats_hist *h);
/* Empties H keeping its bins. */
void stats_hist_reset(stats_hist *h);
/* Adds N values (no NaNs). */
void stats_hist_add(stats_hist *h, const double *x, size_t n);
/* Adds N values with fixed-point weights Q (H from stats_hist_alloc_w);
 * a value of weight 0 is left out. */
void stats_hist_add_w(stats_hist *h, const double *x, const uint64_t *q,
                      size_t n);
/* Adds FROM's counts into INTO; both must have the same bins (asserted). */
void stats_hist_merge(stats_hist *into, const stats_hist *from);
/* Values added so far. */
uint64_t stats_hist_count(const stats_hist *h);
/* Total weight added (the count when not weighted). */
double stats_hist_weight(const stats_hist *h);
/* The P-quantile (0 <= P <= 1) by the "type 7" definition (linear
 * interpolation between order statistics floor(h) and ceil(h) with
 * h = (n - 1) P), each order statistic located in its bin and placed by
 * its rank inside the bin's observed [min, max]. NaN when empty.
 * Weighted: the bin where the cumulative weight reaches P of the total,
 * interpolated inside its observed [min, max] by the weight still needed. */
double stats_hist_quantile(const stats_hist *h, double p);

/* A histogram as flat arrays, to travel in a part file: U gets
 * STATS_HIST_U(nbins) integers (nbins, values, all-integer flag, weighted
 * flag, then each bin's count), F gets STATS_HIST_F(nbins) doubles (lo,
 * hi, then each bin's min and max) and, when weighted, Q gets
 * STATS_HIST_Q(nbins) weights (the total, then each bin's). */
#define STATS_HIST_U(nbins) ((nbins) + 6)
#define STATS_HIST_F(nbins) (2 * (nbins) + 6)
#define STATS_HIST_Q(nbins) ((nbins) + 3)
size_t stats_hist_nbins(const stats_hist *h);
int stats_hist_weighted(const stats_hist *h);
void stats_hist_pack(const stats_hist *h, uint64_t *u, double *f,
                     stats_wsum *q);
/* The histogram packed into U, F and Q (Q may be NULL when U says it is
 * not weighted), or NULL when out of memory or when U and F do not
 * describe a histogram (no bins, edges not finite). The caller frees it. */
stats_hist *stats_hist_unpack(const uint64_t *u, const double *f,
                              const stats_wsum *q);
/* 1 when A and B have the same bins and weighting (stats_hist_merge
 * accepts them). */
int stats_hist_same_bins(const stats_hist *a, const stats_hist *b);

/* One bin of a coarse view of the histogram, for histograms.csv. */
typedef struct stats_bin {
    double lo, hi;     /* edges; lo == hi for a bin holding one value */
    uint64_t count;
    double weight;     /* the weight in the bin (== count unweighted) */
} stats_bin;

/* Writes at most MAX bins (MAX >= 1) covering every value added, into OUT,
 * and returns how many. When every value is an integer and the integers
 * span at most MAX values, there is one bin per integer (lo == hi == the
 * integer; zero-count integers in between are included). Otherwise the
 * bins tile [min, max] of the values: each is [lo, hi) (the last also
 * holds hi) and its count is exact for those edges. Inside the histogram's
 * range they are equal runs of whole fine bins (the first and last cut at
 * the observed extremes); values below LO or at or above HI (outside the
 * pilot's range) get one open-ended bin each, [min, LO) and [HI, max],
 * since how they spread inside is not known. Returns 0 when empty. */
size_t stats_hist_coarse(const stats_hist *h, stats_bin *out, size_t max);

#endif

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

/* Count, mean, sum of squared deviations, min and max of a stream. */
typedef struct stats_moments {
    uint64_t n;
    double mean;
    double m2;     /* sum of (x - mean)^2 */
    double min;    /* +inf when n == 0 */
    double max;    /* -inf when n == 0 */
} stats_moments;

/* The empty summary (n = 0, min +inf, max -inf). */
stats_moments stats_moments_empty(void);
/* Adds the N values X[0 .. N-1] (their own two-pass moments, then merged:
 * accurate even when the mean is large against the spread). NaNs must not
 * be passed (the engine stops on them first). */
void stats_moments_add(stats_moments *m, const double *x, size_t n);
/* Merges FROM into INTO (Chan et al.); FROM may be empty. */
void stats_moments_merge(stats_moments *into, const stats_moments *from);
/* Sample variance (divisor n - 1), 0 when n < 2. */
double stats_moments_var(const stats_moments *m);
/* Standard error of the mean: sd / sqrt(n), 0 when n < 2. */
double stats_moments_se(const stats_moments *m);

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

/* Returns a zeroed histogram, or NULL when out of memory or when the
 * arguments are unusable (NBINS == 0, LO or HI not finite). HI <= LO is
 * allowed (every value then falls into underflow or overflow; used when
 * the pilot saw a single value). */
stats_hist *stats_hist_alloc(double lo, double hi, size_t nbins);
void stats_hist_free(stats_hist *h);
/* Empties H keeping its bins. */
void stats_hist_reset(stats_hist *h);
/* Adds N values (no NaNs). */
void stats_hist_add(stats_hist *h, const double *x, size_t n);
/* Adds FROM's counts into INTO; both must have the same bins (asserted). */
void stats_hist_merge(stats_hist *into, const stats_hist *from);
/* Values added so far. */
uint64_t stats_hist_count(const stats_hist *h);
/* The P-quantile (0 <= P <= 1) by the "type 7" definition (linear
 * interpolation between order statistics floor(h) and ceil(h) with
 * h = (n - 1) P), each order statistic located in its bin and placed by
 * its rank inside the bin's observed [min, max]. NaN when empty. */
double stats_hist_quantile(const stats_hist *h, double p);

/* One bin of a coarse view of the histogram, for histograms.csv. */
typedef struct stats_bin {
    double lo, hi;     /* edges; lo == hi for a bin holding one value */
    uint64_t count;
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

/* test_stats.c: moments, histogram quantiles and coarse bins against exact answers. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "run/stats.h"

/* A fixed 64-bit LCG (Knuth's MMIX constants): reproducible values without
 * depending on the rng module. Returns a uniform double in [0, 1). */
static double lcg_uniform(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return (double)(*s >> 11) * 0x1p-53;
}

static void fill_uniform(double *x, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++)
        x[i] = lcg_uniform(&seed);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The exact type 7 quantile of the sorted array S of N values. */
static double sorted_quantile(const double *s, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h), hi = (size_t)ceil(h);
    return s[lo] + (h - floor(h)) * (s[hi] - s[lo]);
}

static int close_rel(double a, double b, double rel)
{
    return fabs(a - b) <= rel * fabs(b);
}

static const double probs[] = { 0.0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5,
                                0.75, 0.9, 0.95, 0.99, 0.999, 1.0 };
#define NPROBS (sizeof probs / sizeof probs[0])

/* A histogram over [LO, HI) with NBINS bins holding X[0 .. N-1]. */
static stats_hist *hist_of(double lo, double hi, size_t nbins,
                           const double *x, size_t n)
{
    stats_hist *h = stats_hist_alloc(lo, hi, nbins);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    stats_hist_add(h, x, n);
    return h;
}

/* Every quantile in PROBS of H within WIDTH of the exact type 7 quantile
 * of the N values X (sorted here, in place). */
static void check_quantiles_within(const stats_hist *h, double *x, size_t n,
                                   double width)
{
    qsort(x, n, sizeof *x, cmp_double);
    for (size_t i = 0; i < NPROBS; i++) {
        double want = sorted_quantile(x, n, probs[i]);
        double got = stats_hist_quantile(h, probs[i]);
        CU_ASSERT(fabs(got - want) < width);
    }
}

/* ---------------------------------------------------------------- moments */

static void test_stats__moments_of_known_array__are_exact(void)
{
    /* mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32 */
    const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
    stats_moments m = stats_moments_empty();
    stats_moments_add(&m, x, 8);
    CU_ASSERT_EQUAL(m.n, 8);
    CU_ASSERT(close_rel(m.mean, 5.0, 1e-12));
    CU_ASSERT(close_rel(m.m2, 32.0, 1e-12));
    CU_ASSERT(close_rel(stats_moments_var(&m), 32.0 / 7.0, 1e-12));
    CU_ASSERT(close_rel(stats_moments_se(&m), sqrt(32.0 / 7.0 / 8.0), 1e-12));
    CU_ASSERT_EQUAL(m.min, 2.0);
    CU_ASSERT_EQUAL(m.max, 9.0);
}

static void test_stats__moments_of_fractions__match_hand_sums(void)
{
    /* 0.1, 0.2, 0.3, 0.7: mean 0.325, deviations -.225 -.125 -.025 .375,
     * squares sum to 0.0506+0.0156+0.0006+0.1406 = 0.2075 */
    const double x[] = { 0.1, 0.2, 0.3, 0.7 };
    stats_moments m = stats_moments_empty();
    stats_moments_add(&m, x, 4);
    CU_ASSERT(close_rel(m.mean, 0.325, 1e-12));
    CU_ASSERT(close_rel(m.m2, 0.2075, 1e-12));
}

static void test_stats__moments_of_one_repeated_value__are_exact(void)
{
    double x[300];
    for (size_t i = 0; i < 300; i++)
        x[i] = 0.1;
    stats_moments m = stats_moments_empty();
    stats_moments_add(&m, x, 300);
    stats_moments_add(&m, x, 7);
    CU_ASSERT_EQUAL(m.mean, 0.1);
    CU_ASSERT_EQUAL(m.m2, 0.0);
    CU_ASSERT_EQUAL(stats_moments_se(&m), 0.0);
}

static void test_stats__moments_with_fewer_than_two_values__have_zero_var_and_se(void)
{
    stats_moments m = stats_moments_empty();
    CU_ASSERT_EQUAL(stats_moments_var(&m), 0.0);
    CU_ASSERT_EQUAL(stats_moments_se(&m), 0.0);
    CU_ASSERT(isinf(m.min) && m.min > 0);
    CU_ASSERT(isinf(m.max) && m.max < 0);
    const double one = 3.5;
    stats_moments_add(&m, &one, 1);
    CU_ASSERT_EQUAL(m.mean, 3.5);
    CU_ASSERT_EQUAL(stats_moments_var(&m), 0.0);
    CU_ASSERT_EQUAL(stats_moments_se(&m), 0.0);
}

static void test_stats__moments_merged_in_pieces__equal_adding_all_at_once(void)
{
    enum { N = 5000 };
    static double x[N];
    fill_uniform(x, N, 11);
    for (size_t i = 0; i < N; i++)
        x[i] = 100.0 * x[i] - 30.0;
    stats_moments all = stats_moments_empty();
    stats_moments_add(&all, x, N);

    static const size_t pieces[] = { 1, 7, 256, 1000, 4999 };
    for (size_t s = 0; s < sizeof pieces / sizeof pieces[0]; s++) {
        stats_moments acc = stats_moments_empty();
        for (size_t at = 0; at < N; at += pieces[s]) {
            size_t len = N - at < pieces[s] ? N - at : pieces[s];
            stats_moments part = stats_moments_empty();
            stats_moments_add(&part, x + at, len);
            stats_moments_merge(&acc, &part);
        }
        CU_ASSERT_EQUAL(acc.n, all.n);
        CU_ASSERT(close_rel(acc.mean, all.mean, 1e-12));
        CU_ASSERT(close_rel(acc.m2, all.m2, 1e-12));
        CU_ASSERT_EQUAL(acc.min, all.min);
        CU_ASSERT_EQUAL(acc.max, all.max);
    }
}

static void test_stats__moments_merge_with_empty__changes_nothing(void)
{
    const double x[] = { 1.5, -2.25, 8.0 };
    stats_moments m = stats_moments_empty();
    stats_moments_add(&m, x, 3);
    stats_moments before = m;
    stats_moments empty = stats_moments_empty();

    stats_moments_merge(&m, &empty);
    CU_ASSERT(memcmp(&m, &before, sizeof m) == 0);
    stats_moments_add(&m, x, 0);
    CU_ASSERT(memcmp(&m, &before, sizeof m) == 0);

    stats_moments_merge(&empty, &m);
    CU_ASSERT(memcmp(&empty, &before, sizeof m) == 0);
}

static void test_stats__moments_with_large_offset__stay_accurate(void)
{
    /* 1e9 + u: x - 1e9 is exact in double here, so the reference moments
     * are those of the small deviations. A sum of squares would lose every
     * digit of the variance (1e18 against 1/12). The stored means carry
     * rounding of one ulp at 1e9 (1.2e-7), which limits M2 to about 1e-8
     * relative; 1e-6 leaves room while still failing any cancellation. */
    enum { N = 10000 };
    static double x[N], d[N];
    fill_uniform(d, N, 7);
    double sum = 0.0;
    for (size_t i = 0; i < N; i++) {
        x[i] = 1e9 + d[i];
        d[i] = x[i] - 1e9;
        sum += d[i];
    }
    double mean = sum / N, m2 = 0.0;
    for (size_t i = 0; i < N; i++)
        m2 += (d[i] - mean) * (d[i] - mean);

    stats_moments m = stats_moments_empty();
    for (size_t at = 0; at < N; at += 256)
        stats_moments_add(&m, x + at, N - at < 256 ? N - at : 256);
    CU_ASSERT(close_rel(m.mean, 1e9 + mean, 1e-15));
    CU_ASSERT(close_rel(m.m2, m2, 1e-6));
}

/* The moments of one block as stats_moments_add defines them, written out
 * one way at a time with no vector in sight: eight partial sums, minima and
 * maxima (value i in way i mod 8), summed in way order; then the deviations
 * from the provisional mean the same way. The engine's version is compiled
 * for several instruction sets and must give these bits on every one. */
static stats_moments ref_moments(const double *x, size_t n)
{
    double s[8] = { 0 }, lo[8], hi[8], ds[8] = { 0 }, dq[8] = { 0 };
    stats_moments b = stats_moments_empty();
    if (n == 0)
        return b;
    for (size_t w = 0; w < 8; w++)
        lo[w] = hi[w] = x[0];
    for (size_t i = 0; i < n; i++) {
        size_t w = i % 8;
        s[w] += x[i];
        lo[w] = x[i] < lo[w] ? x[i] : lo[w];
        hi[w] = x[i] > hi[w] ? x[i] : hi[w];
    }
    double sum = 0.0, mn = lo[0], mx = hi[0], dsum = 0.0, dsq = 0.0;
    for (size_t w = 0; w < 8; w++) {
        sum += s[w];
        mn = lo[w] < mn ? lo[w] : mn;
        mx = hi[w] > mx ? hi[w] : mx;
    }
    b.n = n;
    b.mean = mn;
    b.min = mn;
    b.max = mx;
    b.m2 = 0.0;
    if (mn != mx) {
        double mean = sum / (double)n;
        for (size_t i = 0; i < n; i++) {
            double d = x[i] - mean;
            ds[i % 8] += d;
            dq[i % 8] += d * d;
        }
        for (size_t w = 0; w < 8; w++) {
            dsum += ds[w];
            dsq += dq[w];
        }
        b.mean = mean + dsum / (double)n;
        b.m2 = dsq - dsum * dsum / (double)n;
        if (b.m2 < 0.0)
            b.m2 = 0.0;
    }
    return b;
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static void test_stats__moments_add__equals_the_eight_way_sums_bit_for_bit(void)
{
    enum { N = 1000 };
    static double x[N];
    uint64_t seed = 23;
    const size_t ns[] = { 1, 2, 7, 8, 9, 15, 16, 17, 255, 256, 257, N };
    for (int kind = 0; kind < 3; kind++) {
        for (size_t i = 0; i < N; i++) {
            double u = lcg_uniform(&seed);
            x[i] = kind == 0 ? 1e9 + u : kind == 1 ? (u < 0.5 ? -0.0 : 0.0)
                 : (u < 0.3 ? 0.0 : -50.0 + 1e3 * u * u);
        }
        for (size_t j = 0; j < sizeof ns / sizeof ns[0]; j++) {
            stats_moments got = stats_moments_empty();
            stats_moments want = ref_moments(x, ns[j]);
            stats_moments_add(&got, x, ns[j]);
            CU_ASSERT_EQUAL(got.n, want.n);
            CU_ASSERT(same_bits(got.mean, want.mean));
            CU_ASSERT(same_bits(got.m2, want.m2));
            CU_ASSERT(same_bits(got.min, want.min));
            CU_ASSERT(same_bits(got.max, want.max));
        }
    }
}

/* ------------------------------------------------------------- histograms */

static void test_stats__hist_quantiles_of_uniform_values__are_within_one_bin(void)
{
    enum { N = 10000, NBINS = 512 };
    static double x[N];
    fill_uniform(x, N, 42);
    stats_hist *h = hist_of(0.0, 1.0, NBINS, x, N);
    CU_ASSERT_EQUAL(stats_hist_count(h), N);
    check_quantiles_within(h, x, N, 1.0 / NBINS);
    /* the extremes are kept exactly */
    CU_ASSERT_EQUAL(stats_hist_quantile(h, 0.0), x[0]);
    CU_ASSERT_EQUAL(stats_hist_quantile(h, 1.0), x[N - 1]);
    stats_hist_free(h);
}

static void test_stats__hist_quantiles_of_skewed_values__are_within_one_bin(void)
{
    /* exponential values: most bins are sparse in the tail */
    enum { N = 10000, NBINS = 256 };
    static double x[N];
    fill_uniform(x, N, 5);
    for (size_t i = 0; i < N; i++)
        x[i] = -log1p(-x[i]);
    stats_hist *h = hist_of(0.0, 12.0, NBINS, x, N);
    check_quantiles_within(h, x, N, 12.0 / NBINS);
    stats_hist_free(h);
}

static void test_stats__hist_values_on_bin_edges__keep_ranks_within_one_bin(void)
{
    /* Each computed edge lo + k * w, and the doubles either side of it,
     * where rounding in the bin index is most likely to misplace a value. */
    enum { NBINS = 60, N = 3 * (NBINS + 1) };
    const double lo = 0.1, hi = 0.7, w = (hi - lo) / NBINS;
    double x[N];
    for (size_t k = 0; k <= NBINS; k++) {
        double e = lo + w * (double)k;
        x[3 * k] = nextafter(e, -INFINITY);
        x[3 * k + 1] = e;
        x[3 * k + 2] = nextafter(e, INFINITY);
    }
    stats_hist *h = hist_of(lo, hi, NBINS, x, N);
    qsort(x, N, sizeof *x, cmp_double);
    for (size_t r = 0; r < N; r++) {
        double got = stats_hist_quantile(h, (double)r / (N - 1));
        double want = sorted_quantile(x, N, (double)r / (N - 1));
        CU_ASSERT(fabs(got - want) < w);
    }
    stats_hist_free(h);
}

static void test_stats__hist_of_one_repeated_value__gives_it_exactly(void)
{
    double x[1000];
    for (size_t i = 0; i < 1000; i++)
        x[i] = 28500.0;
    stats_hist *h = hist_of(0.0, 30000.0, 512, x, 1000);
    for (size_t i = 0; i < NPROBS; i++)
        CU_ASSERT_EQUAL(stats_hist_quantile(h, probs[i]), 28500.0);
    stats_hist_free(h);
}

static void test_stats__hist_of_zero_one_mixture__gives_exact_tails(void)
{
    /* 700 zeros then 300 ones; ranks 0..699 are 0 and 700..999 are 1 */
    double x[1000];
    for (size_t i = 0; i < 1000; i++)
        x[i] = i < 700 ? 0.0 : 1.0;
    stats_hist *h = hist_of(-0.05, 1.05, 4096, x, 1000);
    CU_ASSERT_EQUAL(stats_hist_quantile(h, 0.05), 0.0);
    CU_ASSERT_EQUAL(stats_hist_quantile(h, 0.5), 0.0);
    CU_ASSERT_EQUAL(stats_hist_quantile(h, 0.95), 1.0);
    /* h = 999 p = 699.5 falls between a 0 and a 1 */
    CU_ASSERT_EQUAL(stats_hist_quantile(h, 699.5 / 999.0), 0.5);
    stats_hist_free(h);
}

static void test_stats__hist_values_outside_range__go_to_under_and_overflow(void)
{
    const double x[] = { -5.0, -3.0, 0.25, 0.5, 1.0, 7.0 };
    stats_hist *h = hist_of(0.0, 1.0, 16, x, 6);
    CU_ASSERT_EQUAL(stats_hist_count(h), 6);
    CU_ASSERT_EQUAL(stats_hist_quantile(h, 0.0), -5.0);
    CU_ASSERT_EQUAL(stats_hist_quantile(h, 1.0), 7.0);
    /* every order statistic is bracketed by its neighbours */
    for (size_t r = 0; r < 6; r++) {
        double q = stats_hist_quantile(h, (double)r / 5.0);
        CU_ASSERT(q >= x[r > 0 ? r - 1 : 0] && q <= x[r < 5 ? r + 1 : 5]);
    }
    stats_hist_free(h);
}

static void test_stats__hist_value_exactly_at_hi__goes_to_overflow(void)
{
    /* Were 1.0 put in the last bin [0.75, 1), the middle rank would be
     * placed at 0.76 + 0.24 / 2 = 0.88 instead of 0.77. */
    const double x[] = { 0.76, 0.77, 1.0 };
    stats_hist *h = hist_of(0.0, 1.0, 4, x, 3);
    CU_ASSERT_EQUAL(stats_hist_quantile(h, 0.5), 0.77);
    stats_hist_free(h);
}

static void test_stats__hist_value_exactly_at_lo__goes_to_first_bin(void)
{
    /* Were 0.0 put in underflow, the middle rank would be -0.45. */
    const double x[] = { -0.5, -0.4, 0.0 };
    stats_hist *h = hist_of(0.0, 1.0, 4, x, 3);
    CU_ASSERT_EQUAL(stats_hist_quantile(h, 0.5), -0.4);
    stats_hist_free(h);
}

static void test_stats__hist_merge__equals_one_hist_of_all_values(void)
{
    enum { N = 10000, NBINS = 512 };
    static double x[N];
    fill_uniform(x, N, 99);
    for (size_t i = 0; i < N; i++)
        x[i] = 3.0 * x[i] - 1.0;   /* some fall outside [0, 1.5) */
    stats_hist *all = hist_of(0.0, 1.5, NBINS, x, N);
    stats_hist *a = hist_of(0.0, 1.5, NBINS, x, 3000);
    stats_hist *b = hist_of(0.0, 1.5, NBINS, x + 3000, N - 3000);
    stats_hist_merge(a, b);
    CU_ASSERT_EQUAL(stats_hist_count(a), N);
    for (size_t i = 0; i < NPROBS; i++)
        CU_ASSERT_EQUAL(stats_hist_quantile(a, probs[i]),
                        stats_hist_quantile(all, probs[i]));
    stats_bin ca[16], cb[16];
    size_t na = stats_hist_coarse(a, ca, 16), nb = stats_hist_coarse(all, cb, 16);
    CU_ASSERT_EQUAL(na, nb);
    CU_ASSERT(memcmp(ca, cb, na * sizeof ca[0]) == 0);
    stats_hist_free(all);
    stats_hist_free(a);
    stats_hist_free(b);
}

static void test_stats__hist_reset__empties_it(void)
{
    const double x[] = { 0.5, 2.0 };
    stats_hist *h = hist_of(0.0, 1.0, 8, x, 2);
    stats_hist_reset(h);
    CU_ASSERT_EQUAL(stats_hist_count(h), 0);
    CU_ASSERT(isnan(stats_hist_quantile(h, 0.5)));
    stats_hist_add(h, x, 1);
    CU_ASSERT_EQUAL(stats_hist_quantile(h, 1.0), 0.5);
    stats_hist_free(h);
}

static void test_stats__hist_empty__has_nan_quantiles_and_no_coarse_bins(void)
{
    stats_hist *h = stats_hist_alloc(0.0, 1.0, 64);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT_EQUAL(stats_hist_count(h), 0);
    CU_ASSERT(isnan(stats_hist_quantile(h, 0.0)));
    CU_ASSERT(isnan(stats_hist_quantile(h, 0.5)));
    stats_bin out[4];
    CU_ASSERT_EQUAL(stats_hist_coarse(h, out, 4), 0);
    stats_hist_free(h);
}

static void test_stats__hist_with_hi_not_above_lo__still_counts_and_brackets(void)
{
    /* a pilot that saw only 5: everything is under- or overflow */
    const double x[] = { 3.0, 5.0, 5.0, 9.0 };
    stats_hist *h = hist_of(5.0, 5.0, 16, x, 4);
    CU_ASSERT_EQUAL(stats_hist_count(h), 4);
    CU_ASSERT_EQUAL(stats_hist_quantile(h, 0.0), 3.0);
    CU_ASSERT_EQUAL(stats_hist_quantile(h, 1.0), 9.0);
    double med = stats_hist_quantile(h, 0.5);
    CU_ASSERT(med >= 5.0 && med <= 9.0);
    stats_hist_free(h);

    h = hist_of(5.0, 4.0, 16, x, 4);
    CU_ASSERT_EQUAL(stats_hist_quantile(h, 0.0), 3.0);
    CU_ASSERT_EQUAL(stats_hist_quantile(h, 1.0), 9.0);
    stats_hist_free(h);
}

static void test_stats__hist_alloc_with_unusable_arguments__returns_null(void)
{
    CU_ASSERT_PTR_NULL(stats_hist_alloc(0.0, 1.0, 0));
    CU_ASSERT_PTR_NULL(stats_hist_alloc(NAN, 1.0, 8));
    CU_ASSERT_PTR_NULL(stats_hist_alloc(0.0, INFINITY, 8));
    CU_ASSERT_PTR_NULL(stats_hist_alloc(-INFINITY, 0.0, 8));
    CU_ASSERT_PTR_NULL(stats_hist_alloc(0.0, 1.0, STATS_HIST_MAX_BINS + 1));
    stats_hist_free(NULL);
}

/* The histogram as it was added before the vectorised index pass: one
 * value at a time, the bin computed with branches, all_int by floor. Kept
 * here as the reference the engine's histogram must equal bit for bit. */
typedef struct ref_hist {
    double lo, hi, scale;
    size_t nbins;
    uint64_t n;
    int all_int;
    uint64_t count[4096 + 2];
    double min[4096 + 2], max[4096 + 2];
    stats_wsum q[4096 + 2], qn;    /* weighted only */
} ref_hist;

static void ref_hist_init(ref_hist *h, double lo, double hi, size_t nbins)
{
    CU_ASSERT_FATAL(nbins <= 4096);
    h->lo = lo;
    h->hi = hi;
    h->nbins = nbins;
    h->scale = hi > lo ? (double)nbins / (hi - lo) : 0.0;
    h->n = 0;
    h->all_int = 1;
    h->qn = 0;
    for (size_t k = 0; k < nbins + 2; k++) {
        h->q[k] = 0;
        h->count[k] = 0;
        h->min[k] = INFINITY;
        h->max[k] = -INFINITY;
    }
}

/* Adds X[0 .. N-1] with fixed-point weights Q (NULL: unweighted); a value
 * of weight 0 is left out. */
static void ref_hist_add(ref_hist *h, const double *x, const uint64_t *q,
                         size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        size_t k;
        if (q && q[i] == 0)
            continue;
        if (v < h->lo) {
            k = 0;
        } else if (v >= h->hi) {
            k = h->nbins + 1;
        } else {
            double t = (v - h->lo) * h->scale;
            k = t < (double)h->nbins ? (size_t)t + 1 : h->nbins;
        }
        h->count[k]++;
        h->min[k] = v < h->min[k] ? v : h->min[k];
        h->max[k] = v > h->max[k] ? v : h->max[k];
        if (v != floor(v))
            h->all_int = 0;
        h->n++;
        if (q) {
            h->q[k] += q[i];
            h->qn += q[i];
        }
    }
}

/* H (added in pieces of PIECE values, with weights Q unless NULL) and the
 * reference hold the same bits: every count, every minimum and maximum
 * (signs of zero included), the total, the all-integer flag and, weighted,
 * every bin's weight and the total weight. */
static int hist_equals_ref_w(const double *x, const uint64_t *q, size_t n,
                             size_t piece, double lo, double hi, size_t nbins)
{
    static ref_hist ref;
    uint64_t *u = malloc(STATS_HIST_U(nbins) * sizeof *u);
    double *f = malloc(STATS_HIST_F(nbins) * sizeof *f);
    stats_wsum *hq = malloc(STATS_HIST_Q(nbins) * sizeof *hq);
    stats_hist *h = q ? stats_hist_alloc_w(lo, hi, nbins)
                      : stats_hist_alloc(lo, hi, nbins);
    int same = u && f && hq && h;
    ref_hist_init(&ref, lo, hi, nbins);
    ref_hist_add(&ref, x, q, n);
    for (size_t i = 0; same && i < n; i += piece) {
        size_t m = n - i < piece ? n - i : piece;
        if (q)
            stats_hist_add_w(h, x + i, q + i, m);
        else
            stats_hist_add(h, x + i, m);
    }
    if (same) {
        stats_hist_pack(h, u, f, hq);
        same = u[1] == ref.n && u[2] == (uint64_t)ref.all_int
               && (!q || hq[0] == ref.qn);
        for (size_t k = 0; same && k < nbins + 2; k++)
            same = u[4 + k] == ref.count[k]
                   && memcmp(&f[2 + 2 * k], &ref.min[k], sizeof(double)) == 0
                   && memcmp(&f[3 + 2 * k], &ref.max[k], sizeof(double)) == 0
                   && (!q || hq[1 + k] == ref.q[k]);
    }
    free(u);
    free(f);
    free(hq);
    stats_hist_free(h);
    return same;
}

static int hist_equals_ref(const double *x, size_t n, size_t piece,
                           double lo, double hi, size_t nbins)
{
    return hist_equals_ref_w(x, NULL, n, piece, lo, hi, nbins);
}

/* Values like an engine's outputs: atoms (runs of one value, 0s with a
 * few others), integers, spread values, values on and beyond the edges,
 * zeros of both signs in one bin, infinities. */
static void test_stats__hist_add_and_add_w__equal_one_value_at_a_time_bit_for_bit(void)
{
    enum { N = 3000 };
    static double x[N];
    uint64_t seed = 17;
    const size_t pieces[] = { 1, 7, 255, 256, 257, 1000, N };
    for (int kind = 0; kind < 8; kind++) {
        double lo = 0.0, hi = 100.0;
        for (size_t i = 0; i < N; i++) {
            double u = lcg_uniform(&seed), v;
            switch (kind) {
            case 0:   /* mostly 0, sometimes a spread value: an atom */
                v = u < 0.9 ? 0.0 : 100.0 * lcg_uniform(&seed);
                break;
            case 1:   /* integers, mostly one level (troops) */
                v = u < 0.7 ? 85.0 : floor(100.0 * lcg_uniform(&seed));
                break;
            case 2:   /* spread, with values outside and on the edges */
                v = u < 0.05 ? -3.0 : u < 0.1 ? 100.0 : u < 0.12 ? 0.0
                    : u < 0.15 ? 250.0 * u : 120.0 * u - 10.0;
                break;
            case 3:   /* sorted: runs of one bin of distinct values */
                v = 100.0 * (double)i / N;
                break;
            case 4:   /* zeros of both signs in runs and alone */
                v = u < 0.4 ? -0.0 : u < 0.8 ? 0.0 : u - 0.5;
                break;
            case 5:   /* infinities and huge integers */
                v = u < 0.1 ? INFINITY : u < 0.2 ? -INFINITY
                    : u < 0.4 ? 0x1p60 * u : u < 0.6 ? -0x1p53 : 50.0;
                break;
            case 6:   /* every value at the edge of a bin */
                v = floor(u * 512.0) * (100.0 / 512.0);
                break;
            default:  /* negative integers below lo, and a fraction last */
                v = i + 1 == N ? 0.5 : -floor(10.0 * u);
                break;
            }
            x[i] = v;
        }
        for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
            CU_ASSERT(hist_equals_ref(x, N, pieces[p], lo, hi, 512));
            CU_ASSERT(hist_equals_ref(x, N, pieces[p], lo, hi, 1));
        }
        /* Unusual edges: hi <= lo (no scale), a range too wide for a
         * double (hi - lo is inf: the scale is 0 and (x - lo) * 0 may be
         * NaN), a range so narrow the scale is infinite. */
        CU_ASSERT(hist_equals_ref(x, N, 256, 5.0, 5.0, 64));
        CU_ASSERT(hist_equals_ref(x, N, 256, -DBL_MAX, DBL_MAX, 64));
        CU_ASSERT(hist_equals_ref(x, N, 256, 0.0, 0x1p-1070, 4096));
        /* Weighted: weights of 0 (left out) alone, in runs and
         * everywhere; the fractions among the values may all be left out,
         * so all_int must count only the values kept. */
        for (int wk = 0; wk < 3; wk++) {
            static uint64_t q[N];
            for (size_t i = 0; i < N; i++) {
                double u = lcg_uniform(&seed);
                q[i] = wk == 2 ? 0
                     : wk == 1 && x[i] != floor(x[i]) ? 0
                     : u < 0.3 ? 0 : stats_weight_fixed(u);
            }
            CU_ASSERT(hist_equals_ref_w(x, q, N, 256, lo, hi, 512));
            CU_ASSERT(hist_equals_ref_w(x, q, N, 7, lo, hi, 512));
            CU_ASSERT(hist_equals_ref_w(x, q, N, 1000, lo, hi, 1));
        }
    }
    CU_ASSERT(hist_equals_ref(x, 0, 1, 0.0, 1.0, 8));
}

/* ------------------------------------------------------------ coarse bins */

static void test_stats__coarse_of_small_integers__gives_one_bin_per_integer(void)
{
    /* v repeated v + 1 times for v = 0, 1, 2, 4, 5; 3 never occurs */
    double x[32];
    size_t n = 0;
    for (int v = 0; v <= 5; v++)
        for (int r = 0; v != 3 && r <= v; r++)
            x[n++] = v;
    stats_hist *h = hist_of(-0.25, 5.25, 4096, x, n);
    stats_bin out[10];
    size_t m = stats_hist_coarse(h, out, 10);
    CU_ASSERT_EQUAL_FATAL(m, 6);
    for (size_t j = 0; j < 6; j++) {
        CU_ASSERT_EQUAL(out[j].lo, (double)j);
        CU_ASSERT_EQUAL(out[j].hi, (double)j);
        CU_ASSERT_EQUAL(out[j].count, j == 3 ? 0 : j + 1);
    }
    stats_hist_free(h);
}

static void test_stats__coarse_of_integers_in_wide_overflow__falls_back_to_ranges(void)
{
    /* 7 and 8 share the overflow bin, so their separate counts are unknown */
    const double x[] = { 0, 1, 7, 8 };
    stats_hist *h = hist_of(-0.25, 1.25, 16, x, 4);
    stats_bin out[10];
    size_t m = stats_hist_coarse(h, out, 10);
    CU_ASSERT_FATAL(m >= 2 && m <= 10);
    CU_ASSERT_EQUAL(out[0].lo, 0.0);
    /* The overflow is one open-ended row [hi, max] with both values. */
    CU_ASSERT_EQUAL(out[m - 1].lo, 1.25);
    CU_ASSERT_EQUAL(out[m - 1].hi, 8.0);
    CU_ASSERT_EQUAL(out[m - 1].count, 2);
    uint64_t sum = 0;
    for (size_t j = 0; j < m; j++)
        sum += out[j].count;
    CU_ASSERT_EQUAL(sum, 4);
    stats_hist_free(h);
}

static void test_stats__coarse_of_continuous_values__preserves_count_and_covers_range(void)
{
    enum { N = 10000, MAX = 20 };
    static double x[N];
    fill_uniform(x, N, 3);
    stats_hist *h = hist_of(0.0, 1.0, 512, x, N);
    stats_bin out[MAX];
    size_t m = stats_hist_coarse(h, out, MAX);
    CU_ASSERT_EQUAL_FATAL(m, MAX);
    qsort(x, N, sizeof *x, cmp_double);
    CU_ASSERT_EQUAL(out[0].lo, x[0]);
    CU_ASSERT_EQUAL(out[MAX - 1].hi, x[N - 1]);
    uint64_t total = 0;
    for (size_t j = 0; j < MAX; j++) {
        total += out[j].count;
        CU_ASSERT(out[j].lo < out[j].hi);
        if (j > 0)
            CU_ASSERT_EQUAL(out[j].lo, out[j - 1].hi);
        /* binomial(10000, 1/20): sd 21.8; 5 sd plus one fine bin's worth
         * (about 20 values) moved across each edge */
        CU_ASSERT(fabs((double)out[j].count - 500.0) < 5 * 21.8 + 2 * 20.0);
    }
    CU_ASSERT_EQUAL(total, N);
    stats_hist_free(h);
}

static void test_stats__coarse_of_integers_spanning_more_than_max__uses_ranges(void)
{
    double x[21];
    for (size_t i = 0; i <= 20; i++)
        x[i] = (double)i;
    stats_hist *h = hist_of(-0.5, 20.5, 4096, x, 21);
    stats_bin out[10];
    CU_ASSERT_EQUAL_FATAL(stats_hist_coarse(h, out, 10), 10);
    uint64_t total = 0;
    for (size_t j = 0; j < 10; j++)
        total += out[j].count;
    CU_ASSERT_EQUAL(total, 21);
    CU_ASSERT_EQUAL(out[0].lo, 0.0);
    CU_ASSERT_EQUAL(out[9].hi, 20.0);
    stats_hist_free(h);
}

static void test_stats__coarse_after_a_fraction__uses_ranges(void)
{
    const double x[] = { 0, 1, 2, 2.5 };
    stats_hist *h = hist_of(-0.5, 3.0, 4096, x, 4);
    stats_bin out[10];
    CU_ASSERT_EQUAL_FATAL(stats_hist_coarse(h, out, 10), 10);
    CU_ASSERT_EQUAL(out[0].lo, 0.0);
    CU_ASSERT_EQUAL(out[9].hi, 2.5);
    CU_ASSERT_EQUAL(out[0].count, 1);
    CU_ASSERT_EQUAL(out[9].count, 1);
    stats_hist_free(h);
}

static void test_stats__coarse_of_one_repeated_fraction__is_one_bin(void)
{
    const double x[] = { 0.5, 0.5, 0.5 };
    stats_hist *h = hist_of(0.0, 1.0, 64, x, 3);
    stats_bin out[10];
    CU_ASSERT_EQUAL_FATAL(stats_hist_coarse(h, out, 10), 1);
    CU_ASSERT_EQUAL(out[0].lo, 0.5);
    CU_ASSERT_EQUAL(out[0].hi, 0.5);
    CU_ASSERT_EQUAL(out[0].count, 3);
    stats_hist_free(h);
}

/* stats_pair against the formula computed directly, both sides weighted
 * and on a large common offset (1e9): added in uneven blocks and merged,
 * D and its delta-method se agree to rounding; weights all 1 give the
 * paired sd(x - y) / sqrt(n). */
static void test_stats__pair__matches_the_direct_formula_when_merged(void)
{
    enum { N = 1000 };
    double x[N], y[N], w[N], v[N], one[N];
    for (size_t k = 0; k < N; k++) {
        double a = sin(0.37 * (double)k), b = cos(1.3 * (double)k);
        x[k] = 1e9 + 3 * a + b;
        y[k] = 1e9 + a - 0.5 * b;
        w[k] = k % 7 == 0 ? 0.0 : 0.5 + 0.4 * cos(0.11 * (double)k);
        v[k] = 0.2 + 0.7 * fabs(sin(0.05 * (double)k));
        one[k] = 1.0;
    }
    const double *ws[2] = { w, one }, *vs[2] = { v, one };
    for (int c = 0; c < 2; c++) {
        stats_pair p = stats_pair_empty();
        for (size_t k0 = 0, len = 1; k0 < N; k0 += len, len = len * 2 + 3) {
            stats_pair b = stats_pair_empty();
            size_t m = k0 + len > N ? N - k0 : len;
            stats_pair_add(&b, x + k0, ws[c] + k0, y + k0, vs[c] + k0, m);
            stats_pair_merge(&p, &b);
        }
        double sw = 0, sv = 0, mx = 0, my = 0, z2 = 0;
        for (size_t k = 0; k < N; k++) {
            sw += ws[c][k];
            sv += vs[c][k];
        }
        for (size_t k = 0; k < N; k++) {
            mx += ws[c][k] * (x[k] - 1e9) / sw;
            my += vs[c][k] * (y[k] - 1e9) / sv;
        }
        for (size_t k = 0; k < N; k++) {
            double z = ws[c][k] * (x[k] - 1e9 - mx) / sw
                       - vs[c][k] * (y[k] - 1e9 - my) / sv;
            z2 += z * z;
        }
        double se = sqrt(z2 * N / (N - 1.0));
        CU_ASSERT_EQUAL(p.n, N);
        /* Each mean sits at 1e9, where one ulp is 1.2e-7 and every merge
         * may round once: D is good to some tens of ulps of the offset. */
        CU_ASSERT_DOUBLE_EQUAL(stats_pair_diff(&p), mx - my, 1e-14 * 1e9);
        CU_ASSERT_DOUBLE_EQUAL(stats_pair_se(&p), se, 1e-6 * se);
        if (c == 1) {   /* unweighted: the paired moments' se */
            double d[N];
            for (size_t k = 0; k < N; k++)
                d[k] = x[k] - y[k];
            stats_moments m = stats_moments_empty();
            stats_moments_add(&m, d, N);
            CU_ASSERT_DOUBLE_EQUAL(stats_pair_se(&p), stats_moments_se(&m),
                                   1e-6 * se);
        }
    }
    stats_pair e = stats_pair_empty();
    CU_ASSERT(isnan(stats_pair_diff(&e)) && isnan(stats_pair_se(&e)));
}

void test_stats_register(void);
void test_stats_register(void)
{
    static const test_case cases[] = {
        { "moments of known array are exact", test_stats__moments_of_known_array__are_exact },
        { "moments of fractions match hand sums", test_stats__moments_of_fractions__match_hand_sums },
        { "moments of one repeated value are exact", test_stats__moments_of_one_repeated_value__are_exact },
        { "moments with fewer than two values have zero var and se", test_stats__moments_with_fewer_than_two_values__have_zero_var_and_se },
        { "moments merged in pieces equal adding all at once", test_stats__moments_merged_in_pieces__equal_adding_all_at_once },
        { "moments merge with empty changes nothing", test_stats__moments_merge_with_empty__changes_nothing },
        { "moments with large offset stay accurate", test_stats__moments_with_large_offset__stay_accurate },
        { "moments add equals the eight way sums bit for bit", test_stats__moments_add__equals_the_eight_way_sums_bit_for_bit },
        { "hist quantiles of uniform values are within one bin", test_stats__hist_quantiles_of_uniform_values__are_within_one_bin },
        { "hist quantiles of skewed values are within one bin", test_stats__hist_quantiles_of_skewed_values__are_within_one_bin },
        { "hist values on bin edges keep ranks within one bin", test_stats__hist_values_on_bin_edges__keep_ranks_within_one_bin },
        { "hist of one repeated value gives it exactly", test_stats__hist_of_one_repeated_value__gives_it_exactly },
        { "hist of zero one mixture gives exact tails", test_stats__hist_of_zero_one_mixture__gives_exact_tails },
        { "hist values outside range go to under and overflow", test_stats__hist_values_outside_range__go_to_under_and_overflow },
        { "hist value exactly at hi goes to overflow", test_stats__hist_value_exactly_at_hi__goes_to_overflow },
        { "hist value exactly at lo goes to first bin", test_stats__hist_value_exactly_at_lo__goes_to_first_bin },
        { "hist merge equals one hist of all values", test_stats__hist_merge__equals_one_hist_of_all_values },
        { "hist reset empties it", test_stats__hist_reset__empties_it },
        { "hist empty has nan quantiles and no coarse bins", test_stats__hist_empty__has_nan_quantiles_and_no_coarse_bins },
        { "hist with hi not above lo still counts and brackets", test_stats__hist_with_hi_not_above_lo__still_counts_and_brackets },
        { "hist alloc with unusable arguments returns null", test_stats__hist_alloc_with_unusable_arguments__returns_null },
        { "hist add and add w equal one value at a time bit for bit", test_stats__hist_add_and_add_w__equal_one_value_at_a_time_bit_for_bit },
        { "coarse of small integers gives one bin per integer", test_stats__coarse_of_small_integers__gives_one_bin_per_integer },
        { "coarse of integers in wide overflow falls back to ranges", test_stats__coarse_of_integers_in_wide_overflow__falls_back_to_ranges },
        { "coarse of continuous values preserves count and covers range", test_stats__coarse_of_continuous_values__preserves_count_and_covers_range },
        { "coarse of integers spanning more than max uses ranges", test_stats__coarse_of_integers_spanning_more_than_max__uses_ranges },
        { "coarse after a fraction uses ranges", test_stats__coarse_after_a_fraction__uses_ranges },
        { "coarse of one repeated fraction is one bin", test_stats__coarse_of_one_repeated_fraction__is_one_bin },
        { "pair matches the direct formula when merged", test_stats__pair__matches_the_direct_formula_when_merged },
    };
    TEST_SUITE("stats", cases);
}

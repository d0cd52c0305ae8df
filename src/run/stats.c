/* stats.c: mergeable streaming summaries: moments, fine histograms, quantiles. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include "run/stats.h"

/* ---------------------------------------------------------------- moments */

stats_moments stats_moments_empty(void)
{
    stats_moments m = { 0, 0.0, 0.0, INFINITY, -INFINITY };
    return m;
}

/*
 * The block's own moments come from the corrected two-pass formula (Chan,
 * Golub and LeVeque): the first pass gives a provisional mean, the second
 * sums deviations from it, and their sum repairs the rounding of the first.
 * Deviations from a nearby mean keep M2 accurate when the values share a
 * large offset (1e9 + noise), where a sum of squares would cancel away.
 */
/* Partial sums kept apart: the additions of one pass form STATS_WAYS
 * independent chains, which the compiler may put in one vector register,
 * instead of one chain whose every add waits for the previous. The split
 * is fixed, so results never depend on the compiler or the threads. */
#define STATS_WAYS 8

void stats_moments_add(stats_moments *m, const double *x, size_t n)
{
    assert(m);
    if (n == 0)
        return;
    assert(x);
    double s[STATS_WAYS] = { 0 }, lo[STATS_WAYS], hi[STATS_WAYS];
    size_t i = 0, w;
    for (w = 0; w < STATS_WAYS; w++)
        lo[w] = hi[w] = x[0];
    for (; i + STATS_WAYS <= n; i += STATS_WAYS)
        for (w = 0; w < STATS_WAYS; w++) {
            double v = x[i + w];
            s[w] += v;
            lo[w] = v < lo[w] ? v : lo[w];
            hi[w] = v > hi[w] ? v : hi[w];
        }
    for (w = 0; i < n; i++, w++) {
        s[w] += x[i];
        lo[w] = x[i] < lo[w] ? x[i] : lo[w];
        hi[w] = x[i] > hi[w] ? x[i] : hi[w];
    }
    double sum = 0.0, mn = lo[0], mx = hi[0];
    for (w = 0; w < STATS_WAYS; w++) {
        sum += s[w];
        mn = lo[w] < mn ? lo[w] : mn;
        mx = hi[w] > mx ? hi[w] : mx;
    }
    double dn = (double)n;
    stats_moments b = { n, mn, 0.0, mn, mx };
    if (mn != mx) {
        double mean = sum / dn, ds[STATS_WAYS] = { 0 }, dq[STATS_WAYS] = { 0 };
        double dsum = 0.0, dsq = 0.0;
        for (i = 0; i + STATS_WAYS <= n; i += STATS_WAYS)
            for (w = 0; w < STATS_WAYS; w++) {
                double d = x[i + w] - mean;
                ds[w] += d;
                dq[w] += d * d;
            }
        for (w = 0; i < n; i++, w++) {
            double d = x[i] - mean;
            ds[w] += d;
            dq[w] += d * d;
        }
        for (w = 0; w < STATS_WAYS; w++) {
            dsum += ds[w];
            dsq += dq[w];
        }
        b.mean = mean + dsum / dn;
        b.m2 = dsq - dsum * dsum / dn;
        if (b.m2 < 0.0)
            b.m2 = 0.0;
    }
    stats_moments_merge(m, &b);
}

void stats_moments_merge(stats_moments *into, const stats_moments *from)
{
    assert(into && from);
    if (from->n == 0)
        return;
    if (into->n == 0) {
        /* Copy rather than run the formula so an empty side changes no bit. */
        *into = *from;
        return;
    }
    double na = (double)into->n, nb = (double)from->n, n = na + nb;
    double delta = from->mean - into->mean;
    into->mean += delta * (nb / n);
    into->m2 += from->m2 + delta * delta * (na / n) * nb;
    into->n += from->n;
    into->min = from->min < into->min ? from->min : into->min;
    into->max = from->max > into->max ? from->max : into->max;
}

double stats_moments_var(const stats_moments *m)
{
    assert(m);
    return m->n < 2 ? 0.0 : m->m2 / (double)(m->n - 1);
}

double stats_moments_se(const stats_moments *m)
{
    assert(m);
    return m->n < 2 ? 0.0 : sqrt(stats_moments_var(m) / (double)m->n);
}

/* ------------------------------------------------------------- histograms */

/* One bin: how many values fell in it and the extremes among them. Kept
 * together so that adding a value touches one cache line. */
typedef struct hist_bin {
    uint64_t count;
    double min;    /* +inf while empty */
    double max;    /* -inf while empty */
} hist_bin;

struct stats_hist {
    double lo, hi;     /* the equal bins cover [lo, hi) */
    double scale;      /* nbins / (hi - lo), 0 when hi <= lo */
    size_t nbins;      /* equal bins, not counting underflow and overflow */
    uint64_t n;        /* values added */
    int all_int;       /* 1 while every value added is an integer */
    /* bin[0] is underflow (< lo), bin[1 .. nbins] the equal bins in order,
     * bin[nbins + 1] overflow (>= hi). */
    hist_bin bin[];
};

stats_hist *stats_hist_alloc(double lo, double hi, size_t nbins)
{
    if (nbins == 0 || !isfinite(lo) || !isfinite(hi))
        return NULL;
    if (nbins > (SIZE_MAX - sizeof(stats_hist)) / sizeof(hist_bin) - 2)
        return NULL;
    stats_hist *h = malloc(sizeof *h + (nbins + 2) * sizeof(hist_bin));
    if (!h)
        return NULL;
    h->lo = lo;
    h->hi = hi;
    h->nbins = nbins;
    /* hi - lo can overflow to inf for extreme finite edges; the scale is
     * then 0 and every in-range value goes to the first bin, which keeps
     * the bins ordered (all that quantiles rely on) if not useful. */
    h->scale = hi > lo ? (double)nbins / (hi - lo) : 0.0;
    stats_hist_reset(h);
    return h;
}

void stats_hist_free(stats_hist *h)
{
    free(h);
}

void stats_hist_reset(stats_hist *h)
{
    assert(h);
    h->n = 0;
    h->all_int = 1;
    for (size_t k = 0; k < h->nbins + 2; k++) {
        h->bin[k].count = 0;
        h->bin[k].min = INFINITY;
        h->bin[k].max = -INFINITY;
    }
}

/*
 * Under- and overflow are decided by comparing with lo and hi, so a value
 * exactly at hi, or one that rounding would carry across an outer edge,
 * still lands on the right side. Inside, the index is (x - lo) * scale
 * truncated and clamped to the last bin. Subtraction and multiplication by
 * a positive constant are monotone in floating point, so a larger value
 * never gets a smaller index: the bins stay ordered, which is what makes
 * the cumulative counts in stats_hist_quantile exact ranks.
 */
void stats_hist_add(stats_hist *h, const double *x, size_t n)
{
    assert(h);
    assert(x || n == 0);
    const double lo = h->lo, hi = h->hi, scale = h->scale;
    const size_t last = h->nbins;
    hist_bin *bin = h->bin;
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        size_t k;
        if (v < lo) {
            k = 0;
        } else if (v >= hi) {
            k = last + 1;
        } else {
            double t = (v - lo) * scale;   /* >= 0 since v >= lo */
            k = t < (double)last ? (size_t)t + 1 : last;
        }
        hist_bin *b = &bin[k];
        b->count++;
        b->min = v < b->min ? v : b->min;
        b->max = v > b->max ? v : b->max;
    }
    /* Checked only until the first non-integer, so continuous outputs pay
     * for it once. */
    if (h->all_int) {
        for (size_t i = 0; i < n; i++) {
            if (x[i] != floor(x[i])) {
                h->all_int = 0;
                break;
            }
        }
    }
    h->n += n;
}

void stats_hist_merge(stats_hist *into, const stats_hist *from)
{
    assert(into && from);
    assert(into->nbins == from->nbins && into->lo == from->lo &&
           into->hi == from->hi);
    for (size_t k = 0; k < into->nbins + 2; k++) {
        hist_bin *a = &into->bin[k];
        const hist_bin *b = &from->bin[k];
        a->count += b->count;
        a->min = b->min < a->min ? b->min : a->min;
        a->max = b->max > a->max ? b->max : a->max;
    }
    into->n += from->n;
    into->all_int = into->all_int && from->all_int;
}

uint64_t stats_hist_count(const stats_hist *h)
{
    assert(h);
    return h->n;
}

/* The order statistic of rank R (0-based, R < n): find the bin holding it by
 * cumulative count, then place it by its rank inside the bin's observed
 * range, spreading the bin's values evenly from its min to its max. */
static double hist_rank(const stats_hist *h, uint64_t r)
{
    uint64_t before = 0;
    for (size_t k = 0; k < h->nbins + 2; k++) {
        const hist_bin *b = &h->bin[k];
        if (r >= before + b->count) {
            before += b->count;
            continue;
        }
        uint64_t in = r - before;
        /* The top rank returns max itself: min + (max - min) may round. */
        if (b->count == 1 || in == 0)
            return b->min;
        if (in == b->count - 1)
            return b->max;
        return b->min + (b->max - b->min) * ((double)in / (double)(b->count - 1));
    }
    assert(0 && "rank beyond the values added");
    return NAN;
}

/*
 * Why the error is below one bin width: the bins are ordered (see
 * stats_hist_add), so the cumulative counts find the bin that truly holds
 * each needed order statistic. The estimate for that rank lies inside the
 * bin's observed [min, max], and so does the true value, so they differ by
 * at most max - min, less than the bin's width. The type 7 answer is a
 * convex combination of two such order statistics and so is within the
 * same bound. A bin with one distinct value (min == max) gives it exactly.
 * The underflow and overflow bins have no width: there the bound is their
 * observed spread, which the caller keeps small by choosing lo and hi from
 * a pilot run.
 */
double stats_hist_quantile(const stats_hist *h, double p)
{
    assert(h);
    assert(p >= 0.0 && p <= 1.0);
    if (h->n == 0)
        return NAN;
    double pos = (double)(h->n - 1) * p;
    double fl = floor(pos);
    uint64_t rlo = (uint64_t)fl;
    uint64_t rhi = (uint64_t)ceil(pos);
    if (rhi > h->n - 1)   /* rounding in (n - 1) * p cannot exceed n - 1, but be sure */
        rhi = h->n - 1;
    double vlo = hist_rank(h, rlo);
    if (rhi == rlo)
        return vlo;
    double vhi = hist_rank(h, rhi);
    return vlo + (pos - fl) * (vhi - vlo);
}

/* The smallest and largest value added (H not empty). */
static void hist_range(const stats_hist *h, double *mn, double *mx)
{
    *mn = INFINITY;
    *mx = -INFINITY;
    for (size_t k = 0; k < h->nbins + 2; k++) {
        if (h->bin[k].count == 0)
            continue;
        *mn = h->bin[k].min < *mn ? h->bin[k].min : *mn;
        *mx = h->bin[k].max > *mx ? h->bin[k].max : *mx;
    }
}

/* 1 when every non-empty bin holds a single distinct value, so counts per
 * value are known exactly. Always so for integers in bins narrower than 1;
 * a wide underflow or overflow bin may hold several. */
static int hist_bins_are_atoms(const stats_hist *h)
{
    for (size_t k = 0; k < h->nbins + 2; k++)
        if (h->bin[k].count > 0 && h->bin[k].min != h->bin[k].max)
            return 0;
    return 1;
}

size_t stats_hist_coarse(const stats_hist *h, stats_bin *out, size_t max)
{
    assert(h && out && max >= 1);
    if (h->n == 0)
        return 0;
    double mn, mx;
    hist_range(h, &mn, &mx);
    size_t nb = h->nbins + 2;

    /* No finite range to cut (an infinite value was added), or a single
     * value: one bin holds everything. */
    if (!isfinite(mn) || !isfinite(mx) || mn == mx) {
        out[0] = (stats_bin){ mn, mx, h->n };
        return 1;
    }

    /* One bin per integer needs each integer's own count, which the fine
     * bins give only when none mixes two values; otherwise the equal-range
     * view below is the honest one. */
    if (h->all_int && mx - mn + 1.0 <= (double)max && hist_bins_are_atoms(h)) {
        size_t m = (size_t)(mx - mn) + 1;
        for (size_t j = 0; j < m; j++)
            out[j] = (stats_bin){ mn + (double)j, mn + (double)j, 0 };
        for (size_t k = 0; k < nb; k++)
            if (h->bin[k].count > 0)
                out[(size_t)(h->bin[k].min - mn)].count += h->bin[k].count;
        return m;
    }

    /* Equal coarse bins made of whole fine bins, so that every count is
     * exact for the edges written (a fine bin is never split or guessed
     * at). Underflow and overflow hold values outside the pilot's range
     * whose spread inside is unknown: each becomes one open-ended row of
     * its own, [smallest value, lo) and [hi, largest value], instead of
     * being put where the middle of its values falls. */
    const hist_bin *under = &h->bin[0], *over = &h->bin[nb - 1];
    size_t k0 = 0, k1 = 0;        /* non-empty fine bins k0 .. k1 - 1 */
    for (size_t k = 1; k + 1 < nb; k++)
        if (h->bin[k].count > 0) {
            if (k0 == 0)
                k0 = k;
            k1 = k + 1;
        }
    size_t rows = 0, room = max - (under->count > 0) - (over->count > 0);
    if (room == 0 && k0 > 0) {
        /* MAX too small for the open-ended rows: one bin holds everything. */
        out[0] = (stats_bin){ mn, mx, h->n };
        return 1;
    }
    if (under->count > 0)
        out[rows++] = (stats_bin){ under->min, h->lo, under->count };
    if (k0 > 0) {
        size_t g = (k1 - k0 + room - 1) / room;   /* fine bins per row */
        double w = (h->hi - h->lo) / (double)h->nbins;
        for (size_t k = k0; k < k1; k += g) {
            size_t e = k + g < k1 ? k + g : k1;
            stats_bin *b = &out[rows++];
            b->lo = h->lo + w * (double)(k - 1);
            b->count = 0;
            for (size_t i = k; i < e; i++)
                b->count += h->bin[i].count;
            /* The last fine bin ends at hi exactly, whatever rounding in w. */
            b->hi = e == nb - 1 ? h->hi : h->lo + w * (double)(e - 1);
        }
    }
    if (over->count > 0)
        out[rows++] = (stats_bin){ h->hi, over->max, over->count };
    /* The outer edges are the smallest and largest values seen; a row
     * ends where the next begins, so the rows tile [mn, mx]. */
    out[0].lo = mn;
    for (size_t r = 0; r + 1 < rows; r++)
        out[r].hi = out[r + 1].lo;
    out[rows - 1].hi = mx;
    return rows;
}

/* stats.c: mergeable streaming summaries: moments, fine histograms, quantiles. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "run/stats.h"
#include "base/simd.h"

/* ---------------------------------------------------------------- moments */

stats_moments stats_moments_empty(void)
{
    stats_moments m = { 0, 0.0, 0.0, INFINITY, -INFINITY, 0, 0.0, 0.0 };
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

NCG_CLONES void stats_moments_add(stats_moments *m, const double *x, size_t n)
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
    stats_moments b = { n, mn, 0.0, mn, mx, 0, 0.0, 0.0 };
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

uint64_t stats_weight_fixed(double w)
{
    if (!(w > 0.0))
        return 0;
    if (w >= 1.0)
        return UINT64_C(1) << 63;
    return (uint64_t)(w * STATS_WEIGHT_ONE);
}

double stats_wsum_value(stats_wsum s)
{
    return (double)s / STATS_WEIGHT_ONE;
}

double stats_ess(double sw, double sw2)
{
    return sw2 > 0.0 ? sw * sw / sw2 : 0.0;
}

/* Weighted two-pass moments of one block, as in stats_moments_add. */
void stats_moments_add_w(stats_moments *m, const double *x, const double *w,
                         size_t n)
{
    assert(m && (n == 0 || (x && w)));
    stats_moments b = stats_moments_empty();
    double sw = 0.0, sw2 = 0.0, swx = 0.0;
    b.weighted = 1;
    for (size_t i = 0; i < n; i++) {
        if (!(w[i] > 0.0))
            continue;
        b.n++;
        sw += w[i];
        sw2 += w[i] * w[i];
        swx += w[i] * x[i];
        b.min = x[i] < b.min ? x[i] : b.min;
        b.max = x[i] > b.max ? x[i] : b.max;
    }
    if (b.n == 0) {
        m->weighted = 1;
        return;
    }
    double mean = b.min == b.max ? b.min : swx / sw, ds = 0.0, dq = 0.0;
    if (b.min != b.max)
        for (size_t i = 0; i < n; i++) {
            if (!(w[i] > 0.0))
                continue;
            double d = x[i] - mean;
            ds += w[i] * d;
            dq += w[i] * d * d;
        }
    b.mean = b.min == b.max ? b.min : mean + ds / sw;
    b.m2 = dq - ds * ds / sw;
    if (b.m2 < 0.0)
        b.m2 = 0.0;
    b.sw = sw;
    b.sw2 = sw2;
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
    if (from->weighted) {
        double wa = into->sw, wb = from->sw, wn = wa + wb;
        double delta = from->mean - into->mean;
        into->mean += delta * (wb / wn);
        into->m2 += from->m2 + delta * delta * (wa / wn) * wb;
        into->n += from->n;
        into->sw = wn;
        into->sw2 += from->sw2;
        into->min = from->min < into->min ? from->min : into->min;
        into->max = from->max > into->max ? from->max : into->max;
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
    if (m->weighted) {
        double ess = stats_ess(m->sw, m->sw2);
        return ess > 1.0 ? m->m2 / m->sw * ess / (ess - 1.0) : 0.0;
    }
    return m->n < 2 ? 0.0 : m->m2 / (double)(m->n - 1);
}

double stats_moments_se(const stats_moments *m)
{
    assert(m);
    if (m->weighted) {
        double ess = stats_ess(m->sw, m->sw2);
        return ess > 1.0 ? sqrt(stats_moments_var(m) / ess) : 0.0;
    }
    return m->n < 2 ? 0.0 : sqrt(stats_moments_var(m) / (double)m->n);
}

/* ------------------------------------------------------ weighted pairs */

stats_pair stats_pair_empty(void)
{
    stats_pair p;
    memset(&p, 0, sizeof p);
    return p;
}

/* Moves P's sums to the centres NX, NY. */
static void pair_recentre(stats_pair *p, double nx, double ny)
{
    double dx = p->mx - nx, dy = p->my - ny;
    p->xx += 2.0 * dx * p->x1 + dx * dx * p->sw2;
    p->yy += 2.0 * dy * p->y1 + dy * dy * p->sv2;
    p->xy += dy * p->xv + dx * p->yw + dx * dy * p->swv;
    p->x1 += dx * p->sw2;
    p->y1 += dy * p->sv2;
    p->xv += dx * p->swv;
    p->yw += dy * p->swv;
    p->mx = nx;
    p->my = ny;
}

/* Two passes, as in stats_moments_add: the block's weighted means, then
 * the sums about them. */
void stats_pair_add(stats_pair *p, const double *x, const double *w,
                    const double *y, const double *v, size_t n)
{
    assert(p && (n == 0 || (x && y)));
    if (n == 0)
        return;
    stats_pair b = stats_pair_empty();
    double swx = 0.0, svy = 0.0;
    b.n = n;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0, vi = v ? v[i] : 1.0;
        b.sw += wi;
        b.sv += vi;
        swx += wi * x[i];
        svy += vi * y[i];
    }
    b.mx = b.sw > 0.0 ? swx / b.sw : 0.0;
    b.my = b.sv > 0.0 ? svy / b.sv : 0.0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0, vi = v ? v[i] : 1.0;
        double dx = x[i] - b.mx, dy = y[i] - b.my;
        b.sw2 += wi * wi;
        b.sv2 += vi * vi;
        b.swv += wi * vi;
        b.xx += wi * wi * dx * dx;
        b.yy += vi * vi * dy * dy;
        b.xy += wi * vi * dx * dy;
        b.x1 += wi * wi * dx;
        b.y1 += vi * vi * dy;
        b.xv += wi * vi * dx;
        b.yw += wi * vi * dy;
    }
    stats_pair_merge(p, &b);
}

void stats_pair_merge(stats_pair *into, const stats_pair *from)
{
    assert(into && from);
    if (from->n == 0)
        return;
    if (into->n == 0) {
        *into = *from;
        return;
    }
    stats_pair b = *from;
    double sw = into->sw + b.sw, sv = into->sv + b.sv;
    double nx = sw > 0.0 ? into->mx + (b.mx - into->mx) * (b.sw / sw) : 0.0;
    double ny = sv > 0.0 ? into->my + (b.my - into->my) * (b.sv / sv) : 0.0;
    pair_recentre(into, nx, ny);
    pair_recentre(&b, nx, ny);
    into->n += b.n;
    into->sw = sw;
    into->sv = sv;
    into->sw2 += b.sw2;
    into->sv2 += b.sv2;
    into->swv += b.swv;
    into->xx += b.xx;
    into->yy += b.yy;
    into->xy += b.xy;
    into->x1 += b.x1;
    into->y1 += b.y1;
    into->xv += b.xv;
    into->yw += b.yw;
}

double stats_pair_diff(const stats_pair *p)
{
    assert(p);
    return p->sw > 0.0 && p->sv > 0.0 ? p->mx - p->my : NAN;
}

double stats_pair_se(const stats_pair *p)
{
    assert(p);
    if (!(p->sw > 0.0 && p->sv > 0.0))
        return NAN;
    if (p->n < 2)
        return 0.0;
    double n = (double)p->n;
    double var = p->xx / (p->sw * p->sw) + p->yy / (p->sv * p->sv)
                 - 2.0 * p->xy / (p->sw * p->sv);
    return var > 0.0 ? sqrt(var * n / (n - 1.0)) : 0.0;
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
    stats_wsum *q;     /* weighted: per bin, the fixed-point weight in it
                          (owned); NULL when not weighted */
    stats_wsum qn;     /* weighted: total weight */
    /* bin[0] is underflow (< lo), bin[1 .. nbins] the equal bins in order,
     * bin[nbins + 1] overflow (>= hi). */
    hist_bin bin[];
};

stats_hist *stats_hist_alloc(double lo, double hi, size_t nbins)
{
    if (nbins == 0 || nbins > STATS_HIST_MAX_BINS || !isfinite(lo)
        || !isfinite(hi))
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
    h->q = NULL;
    stats_hist_reset(h);
    return h;
}

stats_hist *stats_hist_alloc_w(double lo, double hi, size_t nbins)
{
    stats_hist *h = stats_hist_alloc(lo, hi, nbins);
    if (h && !(h->q = calloc(nbins + 2, sizeof *h->q))) {
        free(h);
        return NULL;
    }
    return h;
}

stats_hist *stats_hist_copy(const stats_hist *h)
{
    stats_hist *c = h->q ? stats_hist_alloc_w(h->lo, h->hi, h->nbins)
                         : stats_hist_alloc(h->lo, h->hi, h->nbins);
    if (c)
        stats_hist_merge(c, h);
    return c;
}

void stats_hist_free(stats_hist *h)
{
    if (h)
        free(h->q);
    free(h);
}

void stats_hist_reset(stats_hist *h)
{
    assert(h);
    h->n = 0;
    h->all_int = 1;
    h->qn = 0;
    for (size_t k = 0; h->q && k < h->nbins + 2; k++)
        h->q[k] = 0;
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
 *
 * stats_hist_add works on runs of HIST_RUN values in two passes. The first
 * (hist_bins) computes every value's bin with no branch, so that it
 * vectorises: t is clamped to [0, last - 1] before the conversion instead
 * of compared after it, which gives the same index for every t (t >= last
 * and t NaN, from an infinite (v - lo) times a zero scale, give bin last
 * either way; t < 0 only for values below lo, which go to underflow), and
 * bounds the conversion to an int32. The second (hist_scatter) walks the
 * indices in order and keeps the current bin's count, minimum and maximum
 * in registers while the index repeats: a repeated value (an atom, such as
 * a troop level that did not change, or a 0) then costs no store and
 * reload of the same bin per value. Each bin still sees its values in the
 * order given, so its count, minimum and maximum (even between -0.0 and
 * +0.0) are the same bits as one value at a time.
 */
#define HIST_RUN 256

/* The bins of X[0 .. N-1] (N <= HIST_RUN) of a histogram over [LO, HI)
 * with SCALE and LAST equal bins into K; returns 1 when every value is an
 * integer. A double at or above 2^52 in magnitude is an integer; below it,
 * adding and taking away 2^52 rounds it to an integer, which equals it
 * exactly when it was one (the same answer as x == floor(x), without a
 * call to floor in the baseline x86-64 build). */
NCG_CLONES static int hist_bins(const double *x, size_t n, double lo,
                               double hi, double scale, uint32_t last,
                               uint32_t *k)
{
    const double top = (double)last - 1.0, big = 0x1p52;
    int frac = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i], a = fabs(v);
        double t = (v - lo) * scale;
        t = t < (double)last ? t : top;
        t = t > 0.0 ? t : 0.0;
        uint32_t in = (uint32_t)(int32_t)t + 1;
        k[i] = v < lo ? 0 : v >= hi ? last + 1 : in;
        frac |= !(a >= big || (a + big) - big == a);
    }
    return !frac;
}

/* Bin changes along K[0 .. N-1] (N >= 1): how often a value falls in
 * another bin than the one before it. */
NCG_CLONES static size_t hist_changes(const uint32_t *k, size_t n)
{
    size_t changes = 0;
    for (size_t i = 1; i < n; i++)
        changes += k[i] != k[i - 1];
    return changes;
}

/* Adds X[0 .. N-1] to the bins K[0 .. N-1] of BIN, in order, one value at
 * a time: the loads and stores of different bins overlap. */
static void hist_scatter(hist_bin *bin, const double *x, const uint32_t *k,
                         size_t n)
{
    for (size_t i = 0; i < n; i++) {
        hist_bin *b = &bin[k[i]];
        double v = x[i];
        b->count++;
        b->min = v < b->min ? v : b->min;
        b->max = v > b->max ? v : b->max;
    }
}

/* The same, a run of values in one bin at a time, its count, minimum and
 * maximum kept in registers: for values that mostly repeat the bin before
 * them, where one value at a time would wait for the store of the previous
 * one. A value equal to the one before it cannot move the bin's minimum or
 * maximum (they change only on < and >), so only its count is taken. */
static void hist_scatter_runs(hist_bin *bin, const double *x,
                              const uint32_t *k, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t c = k[i];
        hist_bin *b = &bin[c];
        double prev = x[i];
        uint64_t count = b->count + 1;
        double mn = prev < b->min ? prev : b->min;
        double mx = prev > b->max ? prev : b->max;
        for (i++; i < n && k[i] == c; i++) {
            double v = x[i];
            count++;
            if (v != prev) {
                mn = v < mn ? v : mn;
                mx = v > mx ? v : mx;
                prev = v;
            }
        }
        b->count = count;
        b->min = mn;
        b->max = mx;
    }
}

/* Adds the M values X (M <= HIST_RUN) to H's bins, counts and all_int
 * (not to n); K is room for their bins. */
static void hist_add_run(stats_hist *h, const double *x, size_t m,
                         uint32_t *k)
{
    int ints = hist_bins(x, m, h->lo, h->hi, h->scale, (uint32_t)h->nbins,
                         k);
    if (hist_changes(k, m) * 2 < m)
        hist_scatter_runs(h->bin, x, k, m);
    else
        hist_scatter(h->bin, x, k, m);
    h->all_int = h->all_int && ints;
}

void stats_hist_add(stats_hist *h, const double *x, size_t n)
{
    assert(h);
    assert(x || n == 0);
    uint32_t k[HIST_RUN];
    for (size_t i = 0; i < n; i += HIST_RUN)
        hist_add_run(h, x + i, n - i < HIST_RUN ? n - i : HIST_RUN, k);
    h->n += n;
}

/* The values of weight 0 are first left out of each run (without a
 * branch: every value is written, the next slot taken only when its
 * weight is not 0), so that the rest is stats_hist_add's, in the same
 * order; the weights are then added to their bins. */
void stats_hist_add_w(stats_hist *h, const double *x, const uint64_t *q,
                      size_t n)
{
    assert(h && h->q);
    assert((x && q) || n == 0);
    uint32_t k[HIST_RUN];
    double kx[HIST_RUN];
    uint64_t kq[HIST_RUN];
    for (size_t i = 0; i < n; i += HIST_RUN) {
        size_t run = n - i < HIST_RUN ? n - i : HIST_RUN, m = 0;
        for (size_t j = 0; j < run; j++) {
            kx[m] = x[i + j];
            kq[m] = q[i + j];
            m += q[i + j] != 0;
        }
        if (m == 0)
            continue;
        hist_add_run(h, kx, m, k);
        stats_wsum total = 0;
        for (size_t j = 0; j < m; j++) {
            h->q[k[j]] += kq[j];
            total += kq[j];
        }
        h->qn += total;
        h->n += m;
    }
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
        if (into->q)
            into->q[k] += from->q[k];
    }
    into->qn += from->qn;
    into->n += from->n;
    into->all_int = into->all_int && from->all_int;
}

size_t stats_hist_nbins(const stats_hist *h)
{
    return h->nbins;
}

int stats_hist_weighted(const stats_hist *h)
{
    return h->q != NULL;
}

void stats_hist_pack(const stats_hist *h, uint64_t *u, double *f,
                     stats_wsum *q)
{
    u[0] = h->nbins;
    u[1] = h->n;
    u[2] = (uint64_t)h->all_int;
    u[3] = h->q != NULL;
    f[0] = h->lo;
    f[1] = h->hi;
    for (size_t k = 0; k < h->nbins + 2; k++) {
        u[4 + k] = h->bin[k].count;
        f[2 + 2 * k] = h->bin[k].min;
        f[3 + 2 * k] = h->bin[k].max;
    }
    if (!h->q)
        return;
    q[0] = h->qn;
    for (size_t k = 0; k < h->nbins + 2; k++)
        q[1 + k] = h->q[k];
}

stats_hist *stats_hist_unpack(const uint64_t *u, const double *f,
                              const stats_wsum *q)
{
    if (u[0] == 0 || u[0] > SIZE_MAX / 4 || u[2] > 1 || u[3] > 1
        || (u[3] && !q))
        return NULL;
    size_t nb = (size_t)u[0];
    stats_hist *h = u[3] ? stats_hist_alloc_w(f[0], f[1], nb)
                         : stats_hist_alloc(f[0], f[1], nb);
    if (!h)
        return NULL;
    h->n = u[1];
    h->all_int = (int)u[2];
    for (size_t k = 0; k < nb + 2; k++) {
        h->bin[k].count = u[4 + k];
        h->bin[k].min = f[2 + 2 * k];
        h->bin[k].max = f[3 + 2 * k];
    }
    if (h->q) {
        h->qn = q[0];
        for (size_t k = 0; k < nb + 2; k++)
            h->q[k] = q[1 + k];
    }
    return h;
}

int stats_hist_same_bins(const stats_hist *a, const stats_hist *b)
{
    return a->nbins == b->nbins && a->lo == b->lo && a->hi == b->hi
           && (a->q != NULL) == (b->q != NULL);
}

uint64_t stats_hist_count(const stats_hist *h)
{
    assert(h);
    return h->n;
}

double stats_hist_weight(const stats_hist *h)
{
    assert(h);
    return h->q ? stats_wsum_value(h->qn) : (double)h->n;
}

/* The weighted P-quantile: the bin where the cumulative weight reaches
 * P of the total, and inside it the share of the bin's weight still
 * needed, laid over the bin's observed [min, max]. */
static double hist_quantile_w(const stats_hist *h, double p)
{
    double target = p * (double)h->qn, before = 0.0;
    for (size_t k = 0; k < h->nbins + 2; k++) {
        double in = (double)h->q[k];
        if (in == 0.0)
            continue;
        if (before + in < target && k + 1 < h->nbins + 2) {
            before += in;
            continue;
        }
        const hist_bin *b = &h->bin[k];
        double f = (target - before) / in;
        f = f < 0.0 ? 0.0 : f > 1.0 ? 1.0 : f;
        if (b->min == b->max || f <= 0.0)
            return b->min;
        if (f >= 1.0)
            return b->max;
        return b->min + (b->max - b->min) * f;
    }
    /* Rounding left the target past the last weight: the largest value. */
    for (size_t k = h->nbins + 2; k > 0; k--)
        if (h->q[k - 1] > 0)
            return h->bin[k - 1].max;
    return NAN;
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
    if (h->q)
        return hist_quantile_w(h, p);
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

/* The weight of bin K (its count when not weighted). */
static double hist_bin_weight(const stats_hist *h, size_t k)
{
    return h->q ? stats_wsum_value(h->q[k]) : (double)h->bin[k].count;
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
        out[0] = (stats_bin){ mn, mx, h->n, stats_hist_weight(h) };
        return 1;
    }

    /* One bin per integer needs each integer's own count, which the fine
     * bins give only when none mixes two values; otherwise the equal-range
     * view below is the honest one. */
    if (h->all_int && mx - mn + 1.0 <= (double)max && hist_bins_are_atoms(h)) {
        size_t m = (size_t)(mx - mn) + 1;
        for (size_t j = 0; j < m; j++)
            out[j] = (stats_bin){ mn + (double)j, mn + (double)j, 0, 0.0 };
        for (size_t k = 0; k < nb; k++)
            if (h->bin[k].count > 0) {
                stats_bin *o = &out[(size_t)(h->bin[k].min - mn)];
                o->count += h->bin[k].count;
                o->weight += hist_bin_weight(h, k);
            }
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
        out[0] = (stats_bin){ mn, mx, h->n, stats_hist_weight(h) };
        return 1;
    }
    if (under->count > 0)
        out[rows++] = (stats_bin){ under->min, h->lo, under->count,
                                   hist_bin_weight(h, 0) };
    if (k0 > 0) {
        size_t g = (k1 - k0 + room - 1) / room;   /* fine bins per row */
        double w = (h->hi - h->lo) / (double)h->nbins;
        for (size_t k = k0; k < k1; k += g) {
            size_t e = k + g < k1 ? k + g : k1;
            stats_bin *b = &out[rows++];
            b->lo = h->lo + w * (double)(k - 1);
            b->count = 0;
            b->weight = 0.0;
            for (size_t i = k; i < e; i++) {
                b->count += h->bin[i].count;
                b->weight += hist_bin_weight(h, i);
            }
            /* The last fine bin ends at hi exactly, whatever rounding in w. */
            b->hi = e == nb - 1 ? h->hi : h->lo + w * (double)(e - 1);
        }
    }
    if (over->count > 0)
        out[rows++] = (stats_bin){ h->hi, over->max, over->count,
                                   hist_bin_weight(h, nb - 1) };
    /* The outer edges are the smallest and largest values seen; a row
     * ends where the next begins, so the rows tile [mn, mx]. */
    out[0].lo = mn;
    for (size_t r = 0; r + 1 < rows; r++)
        out[r].hi = out[r + 1].lo;
    out[rows - 1].hi = mx;
    return rows;
}

/* prim.c: scenario discovery with PRIM (peeling, pasting, covering, quasi-p, resampling), as EMA Workbench 3 computes it. */
#include "analysis/prim.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "random/rng.h"

struct prim {
    const prim_data *d;      /* borrowed */
    prim_opts o;
    size_t N;                /* rows of the analysis */
    size_t *rows;            /* N data row numbers (owned) */
    unsigned char *rem;      /* per analysis row: 1 while not in a chosen
                                box (owned) */
    size_t k_all;            /* cases of interest among all N rows */
    size_t nc;               /* columns */
    size_t *order;           /* columns in peeling order: float, int, cat */
    size_t *cat_off;         /* nc + 1 offsets into category flags */
    size_t cat_total;
    double *init;            /* whole-data limits, 2 per column */
    unsigned char *init_cat; /* whole-data category sets */
    /* Work arrays, allocated once. */
    size_t *cur, n_cur;      /* analysis rows of the current box */
    size_t *tmp;             /* N */
    double *buf;             /* N values to sort */
    double *box;             /* current limits */
    unsigned char *box_cat;
    double *best;            /* limits of the best candidate so far */
    unsigned char *best_cat;
    double *cand;            /* limits of the candidate being scored */
    unsigned char *cand_cat;
};

/* A candidate peel: keep the current box's rows whose value in column COL
 * passes (a [<|<=] x [<|<=] b), or, for categories, is not DROP. */
typedef struct peel {
    size_t col;
    double a, b;
    int a_strict, b_strict;
    long drop;               /* a category to drop, or -1 */
} peel;

static double xval(const prim *p, size_t c, size_t i)
{
    return p->d->x[c * p->d->n_rows + p->rows[i]];
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double prim_quantile(const double *v, size_t n, double q)
{
    /* sdtoolkit's rule as EMA's get_quantile has it: from the index
     * (n - 1) q move outward until two distinct values straddle it. */
    double i = (double)(n - 1) * q;
    size_t lo = (size_t)floor(i), hi = (size_t)ceil(i);
    if (q > 0.5) {
        while (v[lo] == v[hi] && lo > 0)
            lo--;
    } else {
        while (v[lo] == v[hi] && hi < n - 1)
            hi++;
    }
    return (v[lo] + v[hi]) / 2;
}

void prim_traj_clear(prim_traj *t)
{
    free(t->step);
    free(t->lim);
    free(t->cat);
    memset(t, 0, sizeof *t);
}

void prim_free(prim *p)
{
    if (!p)
        return;
    free(p->rows);
    free(p->rem);
    free(p->order);
    free(p->cat_off);
    free(p->init);
    free(p->init_cat);
    free(p->cur);
    free(p->tmp);
    free(p->buf);
    free(p->box);
    free(p->box_cat);
    free(p->best);
    free(p->best_cat);
    free(p->cand);
    free(p->cand_cat);
    free(p);
}

prim *prim_alloc(const prim_data *d, const size_t *rows, size_t n,
                 const prim_opts *o)
{
    prim *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    size_t nc = d->n_cols, N = rows ? n : d->n_rows;
    p->d = d;
    p->o = *o;
    p->N = N;
    p->nc = nc;
    p->cat_off = malloc((nc + 1) * sizeof *p->cat_off);
    if (!p->cat_off)
        goto fail;
    for (size_t c = 0; c < nc; c++) {
        p->cat_off[c] = p->cat_total;
        if (d->kind[c] == PRIM_CAT)
            p->cat_total += d->n_cat[c];
    }
    p->cat_off[nc] = p->cat_total;
    size_t ct = p->cat_total ? p->cat_total : 1, m = N ? N : 1;
    p->rows = malloc(m * sizeof *p->rows);
    p->rem = malloc(m);
    p->order = malloc((nc ? nc : 1) * sizeof *p->order);
    p->init = malloc(2 * (nc ? nc : 1) * sizeof *p->init);
    p->box = malloc(2 * (nc ? nc : 1) * sizeof *p->box);
    p->best = malloc(2 * (nc ? nc : 1) * sizeof *p->best);
    p->cand = malloc(2 * (nc ? nc : 1) * sizeof *p->cand);
    p->init_cat = calloc(ct, 1);
    p->box_cat = calloc(ct, 1);
    p->best_cat = calloc(ct, 1);
    p->cand_cat = calloc(ct, 1);
    p->cur = malloc(m * sizeof *p->cur);
    p->tmp = malloc(m * sizeof *p->tmp);
    p->buf = malloc(m * sizeof *p->buf);
    if (!p->rows || !p->rem || !p->order || !p->init || !p->box || !p->best
        || !p->cand || !p->init_cat || !p->box_cat || !p->best_cat
        || !p->cand_cat || !p->cur || !p->tmp || !p->buf)
        goto fail;
    for (size_t i = 0; i < N; i++) {
        p->rows[i] = rows ? rows[i] : i;
        p->rem[i] = 1;
        p->k_all += d->y[p->rows[i]] != 0;
    }
    /* EMA peels float columns, then int, then nominal, each group in
     * column order. */
    size_t k = 0;
    for (int g = PRIM_FLOAT; g <= PRIM_CAT; g++)
        for (size_t c = 0; c < nc; c++)
            if ((int)d->kind[c] == g)
                p->order[k++] = c;
    for (size_t c = 0; c < nc; c++) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < N; i++) {
            double v = xval(p, c, i);
            if (d->kind[c] == PRIM_CAT)
                p->init_cat[p->cat_off[c] + (size_t)v] = 1;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        p->init[2 * c] = lo;
        p->init[2 * c + 1] = hi;
    }
    return p;
fail:
    prim_free(p);
    return NULL;
}

size_t prim_remaining_rows(const prim *p, size_t *rows, size_t *k)
{
    size_t n = 0, kk = 0;
    for (size_t i = 0; i < p->N; i++)
        if (p->rem[i]) {
            rows[n++] = p->rows[i];
            kk += p->d->y[p->rows[i]] != 0;
        }
    if (k)
        *k = kk;
    return n;
}

size_t prim_cat_offset(const prim *p, size_t c)
{
    return p->cat_off[c];
}

void prim_init_limits(const prim *p, size_t c, double *lo, double *hi)
{
    *lo = p->init[2 * c];
    *hi = p->init[2 * c + 1];
}

int prim_init_has(const prim *p, size_t c, unsigned i)
{
    return p->init_cat[p->cat_off[c] + i];
}

/* 1 when column C of limits LIM / CAT differs from the whole data. */
static int col_restricted(const prim *p, const double *lim,
                          const unsigned char *cat, size_t c)
{
    if (p->d->kind[c] == PRIM_CAT)
        return memcmp(cat + p->cat_off[c], p->init_cat + p->cat_off[c],
                      p->cat_off[c + 1] - p->cat_off[c]) != 0;
    return lim[2 * c] != p->init[2 * c] || lim[2 * c + 1] != p->init[2 * c + 1];
}

static size_t n_restricted(const prim *p, const double *lim,
                           const unsigned char *cat)
{
    size_t r = 0;
    for (size_t c = 0; c < p->nc; c++)
        r += (size_t)col_restricted(p, lim, cat, c);
    return r;
}

/* 1 when analysis row I lies in the box LIM / CAT (closed limits). */
static int in_box(const prim *p, const double *lim, const unsigned char *cat,
                  size_t i)
{
    for (size_t c = 0; c < p->nc; c++) {
        double v = xval(p, c, i);
        if (p->d->kind[c] == PRIM_CAT) {
            if (!cat[p->cat_off[c] + (size_t)v])
                return 0;
        } else if (!(lim[2 * c] <= v && v <= lim[2 * c + 1])) {
            return 0;
        }
    }
    return 1;
}

/* Rows and cases of interest among the remaining rows in LIM / CAT. */
static void count_box(const prim *p, const double *lim,
                      const unsigned char *cat, size_t *n, size_t *k)
{
    size_t nn = 0, kk = 0;
    for (size_t i = 0; i < p->N; i++)
        if (p->rem[i] && in_box(p, lim, cat, i)) {
            nn++;
            kk += p->d->y[p->rows[i]] != 0;
        }
    *n = nn;
    *k = kk;
}

/* The objective of going from N1 rows with K1 cases to N2 with K2, with
 * the IEEE operations NumPy performs on a 0/1 array. */
static double objective(prim_obj obj, size_t n1, size_t k1, size_t n2,
                        size_t k2)
{
    double m1 = (double)k1 / (double)n1;
    double m2 = n2 > 0 ? (double)k2 / (double)n2 : 0.0;
    if (obj == PRIM_ORIGINAL)
        return n2 > 0 ? m2 : -1.0;
    if (m1 == m2 || n1 == n2)
        return 0.0;
    double delta = m2 - m1;
    double change = (double)(n1 > n2 ? n1 - n2 : n2 - n1);
    if (obj == PRIM_LENIENT2)
        return (double)n2 * delta / change;
    return delta / change;
}

/* The best candidate so far (EMA sorts (obj, unrestricted columns)
 * descending with a stable sort and takes the first: the earliest of the
 * highest objective, then of the fewest restricted columns). */
typedef struct best {
    int have;
    double obj;
    size_t nonres;
    size_t n, k;
    peel pl;                 /* peeling: how to filter the rows */
} best;

/* Scores the candidate in P->cand (reached by PL from the current box, or
 * by pasting when PL is NULL) with N rows and K cases against the current
 * box (N0, K0), keeping it in B when it beats B. */
static void consider(prim *p, best *b, const peel *pl, size_t n0, size_t k0,
                     size_t n, size_t k)
{
    double obj = objective(p->o.obj, n0, k0, n, k);
    size_t nonres = p->nc - n_restricted(p, p->cand, p->cand_cat);
    if (b->have && !(obj > b->obj || (obj == b->obj && nonres > b->nonres)))
        return;
    b->have = 1;
    b->obj = obj;
    b->nonres = nonres;
    b->n = n;
    b->k = k;
    if (pl)
        b->pl = *pl;
    memcpy(p->best, p->cand, 2 * p->nc * sizeof *p->best);
    memcpy(p->best_cat, p->cand_cat, p->cat_total);
}

static int keeps(const prim *p, const peel *pl, size_t i)
{
    double v = xval(p, pl->col, i);
    if (pl->drop >= 0)
        return (long)v != pl->drop;
    int ok_a = pl->a_strict ? v > pl->a : v >= pl->a;
    int ok_b = pl->b_strict ? v < pl->b : v <= pl->b;
    return ok_a && ok_b;
}

/* Counts the current box's rows that PL keeps; the candidate limits must
 * already be in P->cand. */
static void score_peel(prim *p, best *b, const peel *pl, size_t k0)
{
    size_t n = 0, k = 0;
    for (size_t j = 0; j < p->n_cur; j++)
        if (keeps(p, pl, p->cur[j])) {
            n++;
            k += p->d->y[p->rows[p->cur[j]]] != 0;
        }
    consider(p, b, pl, p->n_cur, k0, n, k);
}

static void cand_from_box(prim *p)
{
    memcpy(p->cand, p->box, 2 * p->nc * sizeof *p->cand);
    memcpy(p->cand_cat, p->box_cat, p->cat_total);
}

/* The current box's values of column C, sorted, in P->buf. */
static void sorted_column(prim *p, size_t c)
{
    for (size_t j = 0; j < p->n_cur; j++)
        p->buf[j] = xval(p, c, p->cur[j]);
    qsort(p->buf, p->n_cur, sizeof *p->buf, cmp_double);
}

/* EMA's _real_peel: upper, then lower. */
static void real_peels(prim *p, best *b, size_t c, size_t k0)
{
    sorted_column(p, c);
    for (int upper = 1; upper >= 0; upper--) {
        double q = upper ? 1.0 - p->o.peel_alpha : p->o.peel_alpha;
        double lim = prim_quantile(p->buf, p->n_cur, q);
        peel pl = { c, -INFINITY, INFINITY, 0, 0, -1 };
        if (upper)
            pl.b = lim;
        else
            pl.a = lim;
        cand_from_box(p);
        p->cand[2 * c + (size_t)upper] = lim;
        score_peel(p, b, &pl, k0);
    }
}

/* EMA's _discrete_peel: the quantile truncated to a whole number; when it
 * equals the current limit, the rows at that limit go; the new limit is
 * the extreme value kept (of all the box's values when none is kept). */
static void int_peels(prim *p, best *b, size_t c, size_t k0)
{
    sorted_column(p, c);
    double lo = p->box[2 * c], hi = p->box[2 * c + 1];
    for (int upper = 1; upper >= 0; upper--) {
        double q = upper ? 1.0 - p->o.peel_alpha : p->o.peel_alpha;
        double at = trunc(prim_quantile(p->buf, p->n_cur, q));
        peel pl = { c, lo, hi, 0, 0, -1 };
        if (upper) {
            if (at == hi)
                pl.b_strict = 1;
            else
                pl.b = at;
        } else {
            if (at == lo)
                pl.a_strict = 1;
            else
                pl.a = at;
        }
        double ext = upper ? -INFINITY : INFINITY;
        int any = 0;
        for (size_t j = 0; j < p->n_cur; j++) {
            if (!keeps(p, &pl, p->cur[j]))
                continue;
            double v = xval(p, c, p->cur[j]);
            ext = upper ? (v > ext ? v : ext) : (v < ext ? v : ext);
            any = 1;
        }
        if (!any)
            ext = upper ? p->buf[p->n_cur - 1] : p->buf[0];
        cand_from_box(p);
        p->cand[2 * c + (size_t)upper] = ext;
        score_peel(p, b, &pl, k0);
    }
}

/* EMA's _categorical_peel: drop one category at a time, while more than
 * one is left (in category order; EMA walks a Python set). */
static void cat_peels(prim *p, best *b, size_t c, size_t k0)
{
    const unsigned char *in = p->box_cat + p->cat_off[c];
    unsigned n = p->d->n_cat[c], left = 0;
    for (unsigned i = 0; i < n; i++)
        left += in[i];
    if (left <= 1)
        return;
    for (unsigned i = 0; i < n; i++) {
        if (!in[i])
            continue;
        peel pl = { c, 0, 0, 0, 0, (long)i };
        cand_from_box(p);
        p->cand_cat[p->cat_off[c] + i] = 0;
        score_peel(p, b, &pl, k0);
    }
}

/* Appends the current box with N rows and K cases to T; 0 or -1. */
static int push_step(prim *p, prim_traj *t, size_t n, size_t k)
{
    size_t s = t->n_steps, nc = p->nc, ct = p->cat_total;
    prim_step *ns = realloc(t->step, (s + 1) * sizeof *ns);
    if (!ns)
        return -1;
    t->step = ns;
    double *nl = realloc(t->lim, (s + 1) * 2 * (nc ? nc : 1) * sizeof *nl);
    if (!nl)
        return -1;
    t->lim = nl;
    unsigned char *nca = realloc(t->cat, (s + 1) * (ct ? ct : 1));
    if (!nca)
        return -1;
    t->cat = nca;
    memcpy(t->lim + s * 2 * nc, p->box, 2 * nc * sizeof *p->box);
    memcpy(t->cat + s * ct, p->box_cat, ct);
    prim_step *st = &t->step[s];
    st->n = n;
    st->k = k;
    st->coverage = (double)k / (double)(p->k_all > 0 ? p->k_all : 1);
    st->density = (double)k / (double)n;
    st->mass = (double)n / (double)p->N;
    st->res_dim = n_restricted(p, p->box, p->box_cat);
    t->n_steps = s + 1;
    return 0;
}

static size_t cur_cases(const prim *p)
{
    size_t k = 0;
    for (size_t j = 0; j < p->n_cur; j++)
        k += p->d->y[p->rows[p->cur[j]]] != 0;
    return k;
}

/* EMA's _peel, iterated instead of recursive. */
static int peel_phase(prim *p, prim_traj *t)
{
    for (;;) {
        size_t k0 = cur_cases(p);
        best b = { 0 };
        for (size_t oi = 0; oi < p->nc; oi++) {
            size_t c = p->order[oi];
            if (p->d->kind[c] == PRIM_FLOAT)
                real_peels(p, &b, c, k0);
            else if (p->d->kind[c] == PRIM_INT)
                int_peels(p, &b, c, k0);
            else
                cat_peels(p, &b, c, k0);
        }
        if (!b.have)
            return 0;
        double mass_old = (double)p->n_cur / (double)p->N;
        double mass_new = (double)b.n / (double)p->N;
        if (!(mass_new >= p->o.mass_min && mass_new < mass_old && b.obj > 0))
            return 0;
        size_t m = 0;
        for (size_t j = 0; j < p->n_cur; j++)
            if (keeps(p, &b.pl, p->cur[j]))
                p->cur[m++] = p->cur[j];
        assert(m == b.n);
        p->n_cur = m;
        memcpy(p->box, p->best, 2 * p->nc * sizeof *p->box);
        memcpy(p->box_cat, p->best_cat, p->cat_total);
        if (push_step(p, t, b.n, b.k) != 0)
            return -1;
        t->n_peel++;
    }
}

/* EMA's _real_paste for column C: lower, then upper. The slab beyond a
 * limit (within the box's other limits) gives the paste value, a quantile
 * of the remaining rows there (truncated for whole numbers). */
static void real_pastes(prim *p, best *b, size_t c, size_t k0)
{
    for (int upper = 0; upper <= 1; upper++) {
        double lo = p->init[2 * c], hi = p->init[2 * c + 1];
        cand_from_box(p);
        p->cand[2 * c] = upper ? p->box[2 * c + 1] : lo;
        p->cand[2 * c + 1] = upper ? hi : p->box[2 * c];
        size_t m = 0;
        for (size_t i = 0; i < p->N; i++)
            if (p->rem[i] && in_box(p, p->cand, p->cand_cat, i))
                p->buf[m++] = xval(p, c, i);
        double v = upper ? hi : lo;
        if (m > 0) {
            qsort(p->buf, m, sizeof *p->buf, cmp_double);
            v = prim_quantile(p->buf, m, upper ? p->o.paste_alpha
                                                : 1.0 - p->o.paste_alpha);
        }
        if (p->d->kind[c] == PRIM_INT)
            v = trunc(v);
        cand_from_box(p);
        p->cand[2 * c + (size_t)upper] = v;
        size_t n, k;
        count_box(p, p->cand, p->cand_cat, &n, &k);
        consider(p, b, NULL, p->n_cur, k0, n, k);
    }
}

/* EMA's _categorical_paste: add back one category at a time. */
static void cat_pastes(prim *p, best *b, size_t c, size_t k0)
{
    size_t off = p->cat_off[c];
    for (unsigned i = 0; i < p->d->n_cat[c]; i++) {
        if (!p->init_cat[off + i] || p->box_cat[off + i])
            continue;
        cand_from_box(p);
        p->cand_cat[off + i] = 1;
        size_t n, k;
        count_box(p, p->cand, p->cand_cat, &n, &k);
        consider(p, b, NULL, p->n_cur, k0, n, k);
    }
}

/* EMA's _paste, iterated. As there, when the float columns offer no paste
 * the others are not tried (its early return sits inside the type loop). */
static int paste_phase(prim *p, prim_traj *t)
{
    for (;;) {
        size_t k0 = cur_cases(p);
        best b = { 0 };
        int stop = 0;
        for (int g = PRIM_FLOAT; g <= PRIM_CAT && !stop; g++) {
            for (size_t c = 0; c < p->nc; c++) {
                if ((int)p->d->kind[c] != g
                    || !col_restricted(p, p->box, p->box_cat, c))
                    continue;
                if (g == PRIM_CAT)
                    cat_pastes(p, &b, c, k0);
                else
                    real_pastes(p, &b, c, k0);
            }
            if (!b.have)
                stop = 1;
        }
        if (!b.have)
            return 0;
        double mass_old = (double)p->n_cur / (double)p->N;
        double mass_new = (double)b.n / (double)p->N;
        double mean_old = (double)k0 / (double)p->n_cur;
        double mean_new = (double)b.k / (double)b.n;
        if (!(mass_new >= p->o.mass_min && mass_new > mass_old && b.obj > 0
              && mean_new > mean_old))
            return 0;
        memcpy(p->box, p->best, 2 * p->nc * sizeof *p->box);
        memcpy(p->box_cat, p->best_cat, p->cat_total);
        size_t m = 0;
        for (size_t i = 0; i < p->N; i++)
            if (p->rem[i] && in_box(p, p->box, p->box_cat, i))
                p->cur[m++] = i;
        assert(m == b.n);
        p->n_cur = m;
        if (push_step(p, t, b.n, b.k) != 0)
            return -1;
    }
}

int prim_find_box(prim *p, prim_traj *t)
{
    memset(t, 0, sizeof *t);
    p->n_cur = 0;
    for (size_t i = 0; i < p->N; i++)
        if (p->rem[i])
            p->cur[p->n_cur++] = i;
    if (p->n_cur == 0)
        return 1;
    memcpy(p->box, p->init, 2 * p->nc * sizeof *p->box);
    memcpy(p->box_cat, p->init_cat, p->cat_total);
    if (push_step(p, t, p->n_cur, cur_cases(p)) != 0
        || peel_phase(p, t) != 0 || paste_phase(p, t) != 0) {
        prim_traj_clear(t);
        return -1;
    }
    return 0;
}

void prim_select(prim *p, const prim_traj *t, size_t step)
{
    const double *lim = t->lim + step * 2 * p->nc;
    const unsigned char *cat = t->cat + step * p->cat_total;
    for (size_t i = 0; i < p->N; i++)
        if (p->rem[i] && in_box(p, lim, cat, i))
            p->rem[i] = 0;
}

int prim_restricted(const prim *p, const prim_traj *t, size_t step,
                    size_t c)
{
    return col_restricted(p, t->lim + step * 2 * p->nc,
                          t->cat + step * p->cat_total, c);
}

/* scipy.stats.binomtest(k, n, q, alternative="greater").pvalue. */
static double binom_greater(size_t k, size_t n, double q)
{
    if (k == 0)
        return 1.0;
    return gsl_cdf_binomial_Q((unsigned)(k - 1), q, (unsigned)n);
}

void prim_quasi_p(const prim *p, const prim_traj *t, size_t step,
                  double *qp)
{
    const double *lim = t->lim + step * 2 * p->nc;
    const unsigned char *cat = t->cat + step * p->cat_total;
    size_t H = t->step[step].k, T = t->step[step].n;
    /* The relaxed box is built in the candidate arrays (not used while no
     * box is being found). */
    prim *w = (prim *)p;
    for (size_t c = 0; c < p->nc; c++) {
        qp[2 * c] = qp[2 * c + 1] = -1;
        if (!col_restricted(p, lim, cat, c))
            continue;
        for (int side = 0; side < 2; side++) {
            memcpy(w->cand, lim, 2 * p->nc * sizeof *w->cand);
            memcpy(w->cand_cat, cat, p->cat_total);
            if (p->d->kind[c] == PRIM_CAT) {
                if (side == 1)
                    break;
                memcpy(w->cand_cat + p->cat_off[c], p->init_cat + p->cat_off[c],
                       p->cat_off[c + 1] - p->cat_off[c]);
            } else {
                if (lim[2 * c + (size_t)side] == p->init[2 * c + (size_t)side])
                    continue;
                w->cand[2 * c + (size_t)side] = p->init[2 * c + (size_t)side];
            }
            size_t Tj, Hj;
            count_box(p, w->cand, w->cand_cat, &Tj, &Hj);
            qp[2 * c + (size_t)side] =
                binom_greater(H, T, (double)Hj / (double)Tj);
        }
    }
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* A row of the half-sample draw: its keyed uniform and its number. */
typedef struct draw {
    double u;
    size_t row;
} draw;

static int cmp_draw(const void *a, const void *b)
{
    const draw *x = a, *y = b;
    if (x->u != y->u)
        return x->u < y->u ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

int prim_resample(const prim_data *d, const size_t *rows, size_t n,
                  const prim_opts *o, uint64_t key, unsigned iter,
                  double coverage, double density, double *pct_cov,
                  double *pct_den)
{
    int rc = -1;
    size_t half = n / 2;
    draw *dr = malloc((n ? n : 1) * sizeof *dr);
    size_t *sub = malloc((half ? half : 1) * sizeof *sub);
    prim *p = NULL;
    prim_traj t = { 0 };
    for (size_t c = 0; c < d->n_cols; c++)
        pct_cov[c] = pct_den[c] = 0;
    if (!dr || !sub)
        goto end;
    for (unsigned it = 0; it < iter; it++) {
        for (size_t i = 0; i < n; i++) {
            dr[i].row = rows ? rows[i] : i;
            dr[i].u = rng_uniform_at(key, dr[i].row, it);
        }
        qsort(dr, n, sizeof *dr, cmp_draw);
        for (size_t i = 0; i < half; i++)
            sub[i] = dr[i].row;
        /* Row order does not change PRIM's result; keep the data's. */
        qsort(sub, half, sizeof *sub, cmp_size);
        if (!(p = prim_alloc(d, sub, half, o)))
            goto end;
        int r = prim_find_box(p, &t);
        if (r < 0)
            goto end;
        if (r == 0) {
            size_t ic = 0, id = 0;
            for (size_t s = 1; s < t.n_steps; s++) {
                if (fabs(t.step[s].coverage - coverage)
                    < fabs(t.step[ic].coverage - coverage))
                    ic = s;
                if (fabs(t.step[s].density - density)
                    < fabs(t.step[id].density - density))
                    id = s;
            }
            for (size_t c = 0; c < d->n_cols; c++) {
                pct_cov[c] += prim_restricted(p, &t, ic, c);
                pct_den[c] += prim_restricted(p, &t, id, c);
            }
        }
        prim_traj_clear(&t);
        prim_free(p);
        p = NULL;
    }
    for (size_t c = 0; c < d->n_cols; c++) {
        pct_cov[c] = iter ? 100.0 * pct_cov[c] / iter : 0;
        pct_den[c] = iter ? 100.0 * pct_den[c] / iter : 0;
    }
    rc = 0;
end:
    prim_traj_clear(&t);
    prim_free(p);
    free(dr);
    free(sub);
    return rc;
}

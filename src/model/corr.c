/* corr.c: the `correlations` setting: checks, the copula's Cholesky factor, realised rank correlations. */
#include "model/corr.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include "base/ncgsim.h"
#include "base/status.h"
#include "random/rng.h"

/* The normal-scale matrix is pulled this far towards the identity, so that
 * rho = +-1 (a singular matrix) still factors, as an almost perfect
 * correlation; an inconsistent matrix is off by far more than this. */
#define CORR_SHRINK 1e-9

/* One entry of the list as read, before the checks. */
typedef struct corr_entry {
    const snode *node;   /* the ("a", "b", rho) list */
    size_t a, b;         /* random-param indices */
    double rho;
    int keep;            /* 0: dropped (a param held by --set) or bad */
} corr_entry;

void corr_free(corr *c)
{
    if (!c)
        return;
    free(c->a);
    free(c->b);
    free(c->rho);
    free(c->chol);
    free(c);
}

/* The variable of M called NAME, or NULL. */
static const model_var *find_var(const model *m, const char *name)
{
    for (size_t i = 0; i < m->n_vars; i++)
        if (strcmp(m->vars[i].name, name) == 0)
            return &m->vars[i];
    return NULL;
}

/* Reads param name N of entry E (1-based) into *IDX (its random-param
 * index). 1 when usable, 0 when the entry is to be dropped silently (a
 * param held with --set), -1 after a message. */
static int entry_param(const model *m, const snode *e, size_t k,
                       const snode *n, size_t *idx, diag *d)
{
    const model_var *v = find_var(m, n->v.s);
    if (!v) {
        const char **names = calloc(m->n_random_params + 1, sizeof *names);
        const char *hint = NULL;
        for (size_t j = 0; names && j < m->n_random_params; j++)
            names[j] = m->vars[m->random_params[j]].name;
        if (names)
            hint = diag_suggest(n->v.s, strlen(n->v.s), names,
                                m->n_random_params);
        if (hint)
            diag_add(d, e->file, e->line, "correlations", "entry %zu: "
                     "unknown param '%s' (did you mean '%s'?)", k, n->v.s,
                     hint);
        else
            diag_add(d, e->file, e->line, "correlations", "entry %zu: "
                     "unknown param '%s'", k, n->v.s);
        free(names);
        return -1;
    }
    if (v->kind != VAR_PARAM) {
        diag_add(d, e->file, e->line, "correlations", "entry %zu: '%s' is "
                 "%s %s, not a param (only params with a random dist can be "
                 "correlated)", k, n->v.s, v->kind == VAR_EVENT ? "an" : "a",
                 model_kind_name(v->kind));
        return -1;
    }
    if (v->form != PARAM_DIST || !dist_is_random(&v->dist)) {
        /* Held at a value on the command line: the pair has nothing to
         * correlate, and sensitivity's tornado holds params this way. */
        if (v->node && v->node->file && strcmp(v->node->file, "--set") == 0)
            return 0;
        diag_add(d, e->file, e->line, "correlations", "entry %zu: param '%s' "
                 "is not random (%s); only params with a random dist can be "
                 "correlated", k, n->v.s,
                 v->form == PARAM_EXPR ? "an expression" : "a constant");
        return -1;
    }
    *idx = v->sample_index;
    return 1;
}

/* Reads the entries of LIST into E (n_kids long); 0, or -1 when any was
 * wrong (reported). Shapes were checked by the loader; an entry of the
 * wrong shape is skipped here. */
static int read_entries(const model *m, const snode *list, corr_entry *e,
                        diag *d)
{
    int bad = 0;
    for (size_t k = 0; k < list->n_kids; k++) {
        const snode *n = list->kids[k];
        double rho;
        e[k].node = n;
        e[k].keep = 0;
        if ((n->type != SNODE_LIST && n->type != SNODE_ARRAY)
            || n->n_kids != 3 || n->kids[0]->type != SNODE_STRING
            || n->kids[1]->type != SNODE_STRING
            || !snode_number(n->kids[2], &rho)) {
            bad = 1;
            continue;
        }
        int ra = entry_param(m, n, k + 1, n->kids[0], &e[k].a, d);
        int rb = entry_param(m, n, k + 1, n->kids[1], &e[k].b, d);
        if (ra < 0 || rb < 0) {
            bad = 1;
            continue;
        }
        if (!(rho >= -1.0 && rho <= 1.0)) {
            diag_add(d, n->file, n->line, "correlations", "entry %zu: rho "
                     "must be between -1 and 1, got %g", k + 1, rho);
            bad = 1;
            continue;
        }
        if (ra == 0 || rb == 0)
            continue;
        if (e[k].a == e[k].b) {
            diag_add(d, n->file, n->line, "correlations", "entry %zu: "
                     "'%s' is paired with itself", k + 1, n->kids[0]->v.s);
            bad = 1;
            continue;
        }
        e[k].rho = rho;
        e[k].keep = 1;
        for (size_t j = 0; j < k; j++)
            if (e[j].keep && ((e[j].a == e[k].a && e[j].b == e[k].b)
                              || (e[j].a == e[k].b && e[j].b == e[k].a))) {
                diag_add(d, n->file, n->line, "correlations", "entry %zu: "
                         "the pair ('%s', '%s') is already given in entry "
                         "%zu", k + 1, n->kids[0]->v.s, n->kids[1]->v.s,
                         j + 1);
                e[k].keep = 0;
                bad = 1;
            }
    }
    return bad ? -1 : 0;
}

/* Fills M (dim x dim) with the normal-scale matrix of the kept entries
 * among E[0 .. N-1] whose params are both in ORDER[0 .. K-1] (M is then
 * K x K, in that order). */
static void fill_matrix(gsl_matrix *mat, const corr_entry *e, size_t n,
                        const size_t *order, size_t k)
{
    gsl_matrix_set_identity(mat);
    for (size_t p = 0; p < n; p++) {
        if (!e[p].keep)
            continue;
        size_t i = k, j = k;
        for (size_t q = 0; q < k; q++) {
            if (order[q] == e[p].a)
                i = q;
            if (order[q] == e[p].b)
                j = q;
        }
        if (i == k || j == k)
            continue;
        double r = 2.0 * sin(M_PI * e[p].rho / 6.0) * (1.0 - CORR_SHRINK);
        gsl_matrix_set(mat, i, j, r);
        gsl_matrix_set(mat, j, i, r);
    }
}

/* Cholesky of the K x K top-left block of M in place: 0, or -1 when it is
 * not positive definite. GSL's handler (which may abort) is off meanwhile;
 * this runs before any thread starts. */
static int factor(gsl_matrix *mat, size_t k)
{
    gsl_matrix_view v = gsl_matrix_submatrix(mat, 0, 0, k, k);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int status = gsl_linalg_cholesky_decomp(&v.matrix);
    gsl_set_error_handler(old);
    return status == GSL_SUCCESS ? 0 : -1;
}

/* After the whole matrix failed to factor: the first param, in order of
 * first mention, whose leading block fails, and of its pairs with earlier
 * params the one written last: the entry that made the matrix impossible.
 * Reported at that entry. */
static void report_not_pd(const model *m, const corr_entry *e, size_t n,
                          gsl_matrix *mat, diag *d)
{
    size_t *order = calloc(m->n_random_params + 1, sizeof *order);
    size_t k = 0;
    if (!order) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return;
    }
    for (size_t p = 0; p < n; p++) {
        if (!e[p].keep)
            continue;
        size_t ab[2] = { e[p].a, e[p].b };
        for (int s = 0; s < 2; s++) {
            size_t q = 0;
            while (q < k && order[q] != ab[s])
                q++;
            if (q == k)
                order[k++] = ab[s];
        }
    }
    for (size_t rows = 2; rows <= k; rows++) {
        fill_matrix(mat, e, n, order, rows);
        if (factor(mat, rows) == 0)
            continue;
        size_t last = n;
        for (size_t p = 0; p < n; p++)
            if (e[p].keep && (e[p].a == order[rows - 1]
                              || e[p].b == order[rows - 1]))
                last = p;
        const snode *en = e[last].node;
        diag_add(d, en->file, en->line, "correlations", "entry %zu: "
                 "('%s', '%s', %g) cannot hold together with the entries "
                 "before it: the correlation matrix is not positive "
                 "definite (weaken this pair or the ones it closes a loop "
                 "with)", last + 1, m->vars[m->random_params[e[last].a]].name,
                 m->vars[m->random_params[e[last].b]].name, e[last].rho);
        break;
    }
    free(order);
}

int corr_build(const model *m, corr **out, diag *d)
{
    const snode *list = snode_get(m->sc->root, "correlations");
    size_t dim = m->n_random_params;
    corr_entry *e = NULL;
    gsl_matrix *mat = NULL;
    corr *c = NULL;
    int rc = NCG_ERR_SCENARIO;
    *out = NULL;
    if (!list || list->n_kids == 0)
        return 0;
    if (list->type != SNODE_LIST)
        return NCG_ERR_SCENARIO;   /* reported by the loader */
    e = calloc(list->n_kids, sizeof *e);
    if (!e)
        goto oom;
    if (read_entries(m, list, e, d) != 0)
        goto end;
    size_t kept = 0;
    for (size_t p = 0; p < list->n_kids; p++)
        kept += (size_t)e[p].keep;
    if (kept == 0) {
        rc = 0;
        goto end;
    }
    size_t *all = calloc(dim, sizeof *all);
    mat = gsl_matrix_alloc(dim, dim);
    c = calloc(1, sizeof *c);
    if (c) {
        c->a = calloc(kept, sizeof *c->a);
        c->b = calloc(kept, sizeof *c->b);
        c->rho = calloc(kept, sizeof *c->rho);
        c->chol = calloc(dim * dim, sizeof *c->chol);
    }
    if (!all || !mat || !c || !c->a || !c->b || !c->rho || !c->chol) {
        free(all);
        goto oom;
    }
    for (size_t j = 0; j < dim; j++)
        all[j] = j;
    fill_matrix(mat, e, list->n_kids, all, dim);
    free(all);
    if (factor(mat, dim) != 0) {
        report_not_pd(m, e, list->n_kids, mat, d);
        goto end;
    }
    c->dim = dim;
    for (size_t i = 0; i < dim; i++)
        for (size_t j = 0; j <= i; j++)
            c->chol[i * dim + j] = gsl_matrix_get(mat, i, j);
    for (size_t p = 0; p < list->n_kids; p++)
        if (e[p].keep) {
            c->a[c->n_pairs] = e[p].a;
            c->b[c->n_pairs] = e[p].b;
            c->rho[c->n_pairs++] = e[p].rho;
        }
    *out = c;
    c = NULL;
    rc = 0;
    goto end;
oom:
    diag_add(d, NULL, 0, NULL, "out of memory");
    rc = NCG_ERR_NOMEM;
end:
    corr_free(c);
    gsl_matrix_free(mat);
    free(e);
    return rc;
}

int corr_check(const model *m, diag *d)
{
    corr *c = NULL;
    int rc = corr_build(m, &c, d);
    corr_free(c);
    return rc;
}

int corr_attach(const model *m, sampler *smp, diag *d)
{
    if (m->corr && sampler_set_copula(smp, m->corr->chol) != 0) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    return 0;
}

int corr_realised(const model *m, const corr *c, uint64_t trials,
                  double *out, uint64_t *used, diag *d)
{
    size_t dim = m->n_random_params;
    size_t n = trials < CORR_REALISED_MAX ? (size_t)trials
                                          : CORR_REALISED_MAX;
    const dist_spec **specs = calloc(dim + 1, sizeof *specs);
    uint64_t *keys = calloc(dim + 1, sizeof *keys);
    double *x = calloc(dim * n + 1, sizeof *x);
    double *ranks = calloc(dim * n + 1, sizeof *ranks);
    corr_keyed *iwork = calloc(n + 1, sizeof *iwork);
    sampler *smp = NULL;
    sampler_ws *w = NULL;
    sampler_kind kind = SAMPLER_MC;
    char err[256];
    int rc = NCG_ERR_RUN;
    if (!specs || !keys || !x || !ranks || !iwork)
        goto oom;
    /* The engine's sampler, rebuilt: the same kind, keys and run length
     * give the same params for every trial. */
    for (size_t j = 0; j < dim; j++) {
        const model_var *v = &m->vars[m->random_params[j]];
        specs[j] = &v->dist;
        keys[j] = rng_key(m->sc->sim.seed, v->name);
    }
    sampler_parse(m->sc->sim.sampler, &kind);
    smp = sampler_alloc(kind, specs, keys, dim, trials, m->sc->sim.seed, err,
                        sizeof err);
    if (!smp) {
        diag_add(d, NULL, 0, "simulation.sampler", "%s", err);
        rc = NCG_ERR_SCENARIO;
        goto end;
    }
    if (sampler_set_copula(smp, c->chol) != 0
        || !(w = sampler_ws_alloc(smp)))
        goto oom;
    for (size_t j = 0; j < dim; j++)
        sampler_draw(smp, w, j, 0, n, x + j * n);
    /* Each param of a pair ranked once, however many pairs it is in:
     * Spearman's rho of a pair is then the Pearson correlation of the two
     * ranks, as corr_spearman computes it. */
    for (size_t j = 0; j < dim; j++)
        for (size_t p = 0; p < c->n_pairs; p++)
            if (c->a[p] == j || c->b[p] == j) {
                corr_ranks(x + j * n, n, ranks + j * n, iwork);
                break;
            }
    for (size_t p = 0; p < c->n_pairs; p++)
        out[p] = corr_pearson(ranks + c->a[p] * n, ranks + c->b[p] * n, n);
    *used = n;
    rc = 0;
    goto end;
oom:
    diag_add(d, NULL, 0, NULL, "out of memory");
end:
    sampler_ws_free(w);
    sampler_free(smp);
    free(specs);
    free(keys);
    free(x);
    free(ranks);
    free(iwork);
    return rc;
}

/*
 * Ranking sorts the values with a stable least-significant-digit radix
 * sort, not qsort: no comparison callback per pair and a fixed number of
 * passes over the values (a pass is skipped when every key has the same
 * digit there). Each value becomes an unsigned key that orders as the
 * doubles do: a positive double's bits with the sign bit set, a negative
 * one's bits all flipped (a larger magnitude then gives a smaller key).
 * Equal values get equal keys, except -0.0, whose key is just below
 * +0.0's: the zeros stay next to each other, and the tie test, on the
 * values, gives them one shared rank as `==` says it should. The ranks
 * are therefore those of any correct sort (test_corr compares them with
 * qsort's bit for bit).
 *
 * The sort runs in the caller's memory: keys and 32-bit indices in WORK
 * (16 bytes a value: the keys, then two index arrays) and the second
 * array of keys in RANKS, which is written only once the sort is done;
 * the tie test then reads the values themselves, not the keys. The
 * arrays are reached through memcpy, which is how C lets one memory be
 * read as another type.
 */
#define RANK_DIGITS 8       /* passes of 8 bits over a 64-bit key */

static uint64_t rank_key(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b >> 63 ? ~b : b | UINT64_C(1) << 63;
}

/* Index I of the 32-bit index array A. */
static size_t rank_index(const unsigned char *a, size_t i)
{
    uint32_t v;
    memcpy(&v, a + 4 * i, sizeof v);
    return v;
}

/* Sorts the keys of X[0 .. N-1] (N >= 1) as above; returns the index
 * array that holds the sorted order (in WORK). */
static const unsigned char *rank_sort(const double *x, size_t n,
                                      unsigned char *keys_b,
                                      unsigned char *work)
{
    unsigned char *key = work, *idx = work + 8 * n;
    unsigned char *key2 = keys_b, *idx2 = work + 12 * n;
    uint32_t count[RANK_DIGITS][256] = { { 0 } };
    for (size_t i = 0; i < n; i++) {
        uint64_t k = rank_key(x[i]);
        uint32_t at = (uint32_t)i;
        memcpy(key + 8 * i, &k, sizeof k);
        memcpy(idx + 4 * i, &at, sizeof at);
        for (int d = 0; d < RANK_DIGITS; d++)
            count[d][(k >> (8 * d)) & 255]++;
    }
    for (int d = 0; d < RANK_DIGITS; d++) {
        unsigned shift = 8u * (unsigned)d;
        uint64_t k;
        memcpy(&k, key, sizeof k);
        /* Every key has the same digit here: the pass would move nothing. */
        if (count[d][(k >> shift) & 255] == n)
            continue;
        uint32_t at[256], sum = 0;
        for (int v = 0; v < 256; v++) {
            at[v] = sum;
            sum += count[d][v];
        }
        for (size_t i = 0; i < n; i++) {
            memcpy(&k, key + 8 * i, sizeof k);
            uint32_t p = at[(k >> shift) & 255]++;
            memcpy(key2 + 8 * (size_t)p, &k, sizeof k);
            memcpy(idx2 + 4 * (size_t)p, idx + 4 * i, 4);
        }
        unsigned char *t = key;
        key = key2;
        key2 = t;
        t = idx;
        idx = idx2;
        idx2 = t;
    }
    return idx;
}

void corr_ranks(const double *x, size_t n, double *ranks, corr_keyed *work)
{
    assert(n <= UINT32_MAX);
    if (n == 0)
        return;
    const unsigned char *order = rank_sort(x, n, (unsigned char *)ranks,
                                           (unsigned char *)work);
    for (size_t s = 0; s < n;) {
        double v = x[rank_index(order, s)];
        size_t e = s + 1;
        while (e < n && x[rank_index(order, e)] == v)
            e++;
        /* Positions s .. e-1 (0-based) share rank (s + 1 + e) / 2. */
        double r = (double)(s + 1 + e) / 2.0;
        for (size_t q = s; q < e; q++)
            ranks[rank_index(order, q)] = r;
        s = e;
    }
}

double corr_pearson(const double *x, const double *y, size_t n)
{
    if (n < 2)
        return 0.0;
    double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double a = x[i] - mx, b = y[i] - my;
        sxx += a * a;
        syy += b * b;
        sxy += a * b;
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 0.0;
}

double corr_spearman(const double *x, const double *y, size_t n,
                     double *ranks, corr_keyed *work)
{
    corr_ranks(x, n, ranks, work);
    corr_ranks(y, n, ranks + n, work);
    return corr_pearson(ranks, ranks + n, n);
}

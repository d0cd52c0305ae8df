/* test_corr.c: correlated params: the copula recovers the rank correlation, keeps marginals, and bad matrices give exact messages. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "model/corr.h"
#include "base/ncgsim.h"
#include "random/rng.h"
#include "testutil.h"

enum { N = 20000 };

#define PARAMS \
    "simulation = { trials = 20000; steps = 1; seed = 3; };\n" \
    "params = {\n" \
    "  p_trump = { dist = \"beta\"; a = 8.0; b = 4.0; };\n" \
    "  cut_size = { dist = \"pert\"; min = 0.0; mode = 4500.0; max = 10000.0; };\n" \
    "  z = { dist = \"normal\"; mean = 10.0; sd = 2.0; };\n" \
    "  k = 2.0;\n" \
    "  twice = \"2 * z\";\n" \
    "};\n" \
    "events = { e = { p = \"p_trump\"; }; };\n"

typedef struct fixture {
    char *dir;
    scenario *sc;
    model *m;
    diag *d;
    int rc;
} fixture;

/* Loads TEXT (with the --set SET when not NULL) and builds its model. */
static int load(fixture *f, const char *text, const char *set)
{
    memset(f, 0, sizeof *f);
    f->dir = test_tmpdir();
    f->d = diag_alloc();
    char *path = test_write(f->dir, "c.cfg", text);
    const char *sets[] = { set };
    scenario_opts so = { sets, set ? 1 : 0, 0, 0, 0, 0 };
    f->rc = scenario_load(path, &so, &f->sc, f->d);
    if (f->rc == 0)
        f->rc = model_build(f->sc, &f->m, f->d);
    free(path);
    return f->rc;
}

static void fixture_free(fixture *f)
{
    model_free(f->m);
    scenario_free(f->sc);
    diag_free(f->d);
    test_rmrf(f->dir);
    free(f->dir);
}

/* Draws every random param of F's model for trials 0 .. N-1 with KIND and
 * the model's correlations, as the engine would, into X (dim x N). */
static void draw(const fixture *f, sampler_kind kind, double *x)
{
    const model *m = f->m;
    const dist_spec *specs[8];
    uint64_t keys[8];
    char err[256];
    diag *d = diag_alloc();
    for (size_t j = 0; j < m->n_random_params; j++) {
        specs[j] = &m->vars[m->random_params[j]].dist;
        keys[j] = rng_key(m->sc->sim.seed, m->vars[m->random_params[j]].name);
    }
    sampler *s = sampler_alloc(kind, specs, keys, m->n_random_params, N,
                               m->sc->sim.seed, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL_FATAL(corr_attach(m, s, d), 0);
    sampler_ws *w = sampler_ws_alloc(s);
    /* Blocks of 100 trials, params interleaved, as the engine's threads. */
    for (size_t t0 = 0; t0 < N; t0 += 100)
        for (size_t j = 0; j < m->n_random_params; j++)
            sampler_draw(s, w, j, t0, 100, x + j * N + t0);
    sampler_ws_free(w);
    sampler_free(s);
    diag_free(d);
}

static double spearman(const double *x, const double *y)
{
    double *ranks = malloc(2 * N * sizeof *ranks);
    corr_keyed *work = malloc(N * sizeof *work);
    double r = corr_spearman(x, y, N, ranks, work);
    free(ranks);
    free(work);
    return r;
}

static double mean_of(const double *x)
{
    double s = 0;
    for (size_t i = 0; i < N; i++)
        s += x[i];
    return s / N;
}

static void test_corr__requested_rank_correlation__is_recovered(void)
{
    static const sampler_kind kinds[] = { SAMPLER_MC, SAMPLER_LHS, SAMPLER_SOBOL };
    fixture f;
    CU_ASSERT_FATAL(load(&f, PARAMS "correlations = ( (\"p_trump\", \"cut_size\", 0.6),"
                         " (\"z\", \"p_trump\", -0.3) );\n", NULL) == 0);
    double *x = malloc(3 * N * sizeof *x);
    for (size_t i = 0; i < 3; i++) {
        draw(&f, kinds[i], x);
        /* The sampling sd of a rank correlation near 0.6 at n = 20000 is
         * about 0.0045: 0.03 is more than 6 of them. */
        CU_ASSERT_DOUBLE_EQUAL(spearman(x, x + N), 0.6, 0.03);
        CU_ASSERT_DOUBLE_EQUAL(spearman(x + 2 * N, x), -0.3, 0.03);
        /* A pair not listed stays uncorrelated. */
        CU_ASSERT_DOUBLE_EQUAL(spearman(x + N, x + 2 * N), 0.0, 0.03);
        /* Marginals are kept: beta(8, 4) has mean 2/3 and sd 0.131,
         * pert(0, 4500, 10000) mean 4666.7 and sd 1863 (4 se). */
        ASSERT_WITHIN_SE(mean_of(x), 8.0 / 12, 0.131 / sqrt(N), 4);
        ASSERT_WITHIN_SE(mean_of(x + N), 28000.0 / 6, 1863 / sqrt(N), 4);
        ASSERT_WITHIN_SE(mean_of(x + 2 * N), 10.0, 2.0 / sqrt(N), 4);
    }
    free(x);
    fixture_free(&f);
}

static void test_corr__realised_correlation__reads_first_trials_as_drawn(void)
{
    fixture f;
    corr *c = NULL;
    CU_ASSERT_FATAL(load(&f, PARAMS "correlations = ( (\"p_trump\", \"cut_size\", 0.6) );\n",
                         NULL) == 0);
    CU_ASSERT_FATAL(corr_build(f.m, &c, f.d) == 0 && c != NULL);
    double *x = malloc(3 * N * sizeof *x), real;
    uint64_t used;
    draw(&f, SAMPLER_MC, x);
    CU_ASSERT_EQUAL(corr_realised(f.m, c, N, &real, &used, f.d), 0);
    CU_ASSERT_EQUAL(used, N);
    /* The same numbers as the engine's sampler: the same correlation. */
    CU_ASSERT_DOUBLE_EQUAL(real, spearman(x, x + N), 1e-12);
    CU_ASSERT_EQUAL(corr_realised(f.m, c, 1000000, &real, &used, f.d), 0);
    CU_ASSERT_EQUAL(used, CORR_REALISED_MAX);
    free(x);
    corr_free(c);
    fixture_free(&f);
}

static void test_corr__perfect_correlation__is_allowed(void)
{
    fixture f;
    CU_ASSERT_FATAL(load(&f, PARAMS "correlations = ( (\"p_trump\", \"z\", 1.0) );\n",
                         NULL) == 0);
    double *x = malloc(3 * N * sizeof *x);
    draw(&f, SAMPLER_MC, x);
    CU_ASSERT(spearman(x, x + 2 * N) > 0.999);
    free(x);
    fixture_free(&f);
}

static void test_corr__param_held_by_set__drops_its_pairs(void)
{
    fixture f;
    corr *c = NULL;
    CU_ASSERT_FATAL(load(&f, PARAMS "correlations = ( (\"p_trump\", \"cut_size\", 0.6),"
                         " (\"z\", \"cut_size\", 0.2) );\n", "params.p_trump=0.5") == 0);
    CU_ASSERT_EQUAL(corr_build(f.m, &c, f.d), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->n_pairs, 1);
    CU_ASSERT_DOUBLE_EQUAL(c->rho[0], 0.2, 0);
    corr_free(c);
    fixture_free(&f);
}

static void test_corr__no_correlations__build_nothing(void)
{
    fixture f;
    corr *c = (corr *)&f;
    CU_ASSERT_FATAL(load(&f, PARAMS, NULL) == 0);
    CU_ASSERT_EQUAL(corr_build(f.m, &c, f.d), 0);
    CU_ASSERT_PTR_NULL(c);
    fixture_free(&f);
}

static void test_corr__invalid_lists__give_exact_messages(void)
{
    static const struct { const char *list, *msg; } cases[] = {
        { "( (\"p_trum\", \"cut_size\", 0.6) )",
          "@/c.cfg:10: correlations: entry 1: unknown param 'p_trum' (did you mean 'p_trump'?)" },
        { "( (\"p_trump\", \"e\", 0.6) )",
          "@/c.cfg:10: correlations: entry 1: 'e' is an event, not a param (only params "
          "with a random dist can be correlated)" },
        { "( (\"p_trump\", \"k\", 0.6) )",
          "@/c.cfg:10: correlations: entry 1: param 'k' is not random (a constant); only "
          "params with a random dist can be correlated" },
        { "( (\"twice\", \"z\", 0.6) )",
          "@/c.cfg:10: correlations: entry 1: param 'twice' is not random (an expression); "
          "only params with a random dist can be correlated" },
        { "( (\"p_trump\", \"z\", 1.5) )",
          "@/c.cfg:10: correlations: entry 1: rho must be between -1 and 1, got 1.5" },
        { "( (\"z\", \"z\", 0.5) )",
          "@/c.cfg:10: correlations: entry 1: 'z' is paired with itself" },
        { "( (\"p_trump\", \"z\", 0.5),\n (\"z\", \"p_trump\", 0.2) )",
          "@/c.cfg:11: correlations: entry 2: the pair ('z', 'p_trump') is already given "
          "in entry 1" },
        /* 0.9, 0.9 and -0.9 on a triangle: no such joint law. */
        { "( (\"p_trump\", \"z\", 0.9),\n (\"z\", \"cut_size\", 0.9),\n"
          " (\"cut_size\", \"p_trump\", -0.9) )",
          "@/c.cfg:12: correlations: entry 3: ('cut_size', 'p_trump', -0.9) cannot hold "
          "together with the entries before it: the correlation matrix is not positive "
          "definite (weaken this pair or the ones it closes a loop with)" },
        { "( (\"p_trump\", \"z\") )",
          "@/c.cfg:10: correlations: entry 1: expected (\"param\", \"param\", rho), found "
          "a list of 2 values" },
        { "( (\"p_trump\", 2, 0.5) )",
          "@/c.cfg:10: correlations: entry 1: expected (\"param\", \"param\", rho): two "
          "names as strings, then a number" },
        { "( 0.5 )",
          "@/c.cfg:10: correlations: entry 1: expected (\"param\", \"param\", rho), found "
          "a number" },
        { "\"p_trump\"",
          "@/c.cfg:10: correlations: expected a list of (\"param\", \"param\", rho) "
          "entries, found a string" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture f;
        size_t len = strlen(PARAMS) + strlen(cases[i].list) + 32;
        char *text = malloc(len);
        snprintf(text, len, "%scorrelations = %s;\n", PARAMS, cases[i].list);
        int rc = load(&f, text, NULL);
        if (rc == 0)
            rc = corr_check(f.m, f.d);
        CU_ASSERT_EQUAL(rc, NCG_EXIT_SCENARIO);
        CU_ASSERT_EQUAL(diag_count(f.d), 1);
        if (diag_count(f.d) >= 1) {
            /* Messages carry the temporary folder: compare from "@/". */
            const char *msg = diag_get(f.d, 0);
            char *got = malloc(strlen(msg) + 2);
            snprintf(got, strlen(msg) + 2, "@%s", msg + strlen(f.dir));
            if (strcmp(got, cases[i].msg) != 0)
                fprintf(stderr, "\ncase %zu:\n  got  %s\n  want %s\n", i, got,
                        cases[i].msg);
            CU_ASSERT_STRING_EQUAL(got, cases[i].msg);
            free(got);
        }
        free(text);
        fixture_free(&f);
    }
}

static void test_corr__ranks__average_over_ties(void)
{
    const double x[] = { 3, 1, 3, 2, 3 };
    double r[5];
    corr_keyed w[5];
    corr_ranks(x, 5, r, w);
    CU_ASSERT_DOUBLE_EQUAL(r[0], 4, 0);
    CU_ASSERT_DOUBLE_EQUAL(r[1], 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(r[2], 4, 0);
    CU_ASSERT_DOUBLE_EQUAL(r[3], 2, 0);
    CU_ASSERT_DOUBLE_EQUAL(r[4], 4, 0);
    /* A monotone but non-linear relation has rank correlation 1. */
    const double a[] = { 1, 2, 3, 4 }, b[] = { 1, 8, 27, 64 };
    double rk[8];
    CU_ASSERT_DOUBLE_EQUAL(corr_spearman(a, b, 4, rk, w), 1.0, 1e-15);
    CU_ASSERT(corr_pearson(a, b, 4) < 0.99);
}

/* Ranks as they were computed before the radix sort: qsort by value, ties
 * by index, then the average rank of each run of equal values. */
static int cmp_value_index(const void *pa, const void *pb)
{
    const corr_keyed *a = pa, *b = pb;
    return a->v < b->v ? -1 : a->v > b->v ? 1 : (a->i > b->i) - (a->i < b->i);
}

static void ref_ranks(const double *x, size_t n, double *ranks,
                      corr_keyed *work)
{
    for (size_t i = 0; i < n; i++)
        work[i] = (corr_keyed){ x[i], i };
    qsort(work, n, sizeof *work, cmp_value_index);
    for (size_t s = 0; s < n;) {
        size_t e = s + 1;
        while (e < n && work[e].v == work[s].v)
            e++;
        for (size_t q = s; q < e; q++)
            ranks[work[q].i] = (double)(s + 1 + e) / 2.0;
        s = e;
    }
}

/* The radix sort gives the ranks the comparison sort gave, bit for bit:
 * ties (many and few), both zeros, negatives, infinities, tiny and huge
 * magnitudes, sorted and reversed input, and every small N. */
static void test_corr__ranks__equal_the_comparison_sort_bit_for_bit(void)
{
    enum { M = 10000 };
    double *x = malloc(M * sizeof *x);
    double *got = malloc(M * sizeof *got), *want = malloc(M * sizeof *want);
    corr_keyed *w = malloc(M * sizeof *w);
    CU_ASSERT_FATAL(x != NULL && got != NULL && want != NULL && w != NULL);
    uint64_t s = 99;
    for (int kind = 0; kind < 6; kind++) {
        for (size_t i = 0; i < M; i++) {
            s = s * 6364136223846793005u + 1442695040888963407u;
            double u = (double)(s >> 11) * 0x1p-53;
            switch (kind) {
            case 0: x[i] = u; break;
            case 1: x[i] = floor(u * 7.0) - 3.0; break;       /* few values */
            case 2: x[i] = u < 0.3 ? -0.0 : u < 0.6 ? 0.0 : u - 0.8; break;
            case 3: x[i] = u < 0.05 ? -INFINITY : u < 0.1 ? INFINITY
                         : u < 0.2 ? 1e-310 * u : u < 0.3 ? -1e300 * u
                         : (u - 0.5) * 1e6; break;
            case 4: x[i] = (double)i; break;
            default: x[i] = -(double)(i / 3); break;      /* reversed, ties */
            }
        }
        const size_t ns[] = { 0, 1, 2, 3, 17, 256, M };
        for (size_t j = 0; j < sizeof ns / sizeof ns[0]; j++) {
            size_t n = ns[j];
            ref_ranks(x, n, want, w);
            corr_ranks(x, n, got, w);
            CU_ASSERT(n == 0 || memcmp(got, want, n * sizeof *got) == 0);
        }
    }
    free(x);
    free(got);
    free(want);
    free(w);
}

void test_corr_register(void);
void test_corr_register(void)
{
    static const test_case cases[] = {
        { "ranks equal the comparison sort bit for bit", test_corr__ranks__equal_the_comparison_sort_bit_for_bit },
        { "requested rank correlation is recovered",
          test_corr__requested_rank_correlation__is_recovered },
        { "realised correlation reads the first trials as drawn",
          test_corr__realised_correlation__reads_first_trials_as_drawn },
        { "perfect correlation is allowed",
          test_corr__perfect_correlation__is_allowed },
        { "a param held by --set drops its pairs",
          test_corr__param_held_by_set__drops_its_pairs },
        { "no correlations build nothing",
          test_corr__no_correlations__build_nothing },
        { "invalid lists give exact messages",
          test_corr__invalid_lists__give_exact_messages },
        { "ranks average over ties", test_corr__ranks__average_over_ties },
    };
    TEST_SUITE("corr", cases);
}

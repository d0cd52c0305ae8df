/* test_observe.c: conditioning on observations against closed-form posteriors; imposing; threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "io/output.h"
#include "model/model.h"
#include "model/observe.h"
#include "run/engine.h"
#include "scenario/scenario.h"
#include "testutil.h"

/* Tolerance of every statistical check here: 4.5 standard errors (a false
 * alarm about once in 150000 runs; the seeds are fixed, so never). */
#define K_SE 4.5

/* A scenario loaded with its observations, run; freed by ran_free. */
typedef struct ran {
    char *dir;
    scenario *sc;
    model *m;
    engine_result *r;
    diag *d;
    int rc;
} ran;

static int ran_text(ran *x, const char *text, int threads)
{
    memset(x, 0, sizeof *x);
    x->dir = test_tmpdir();
    x->d = diag_alloc();
    char *path = test_write(x->dir, "m.cfg", text);
    scenario_opts so = { 0 };
    x->rc = model_load(path, &so, &x->sc, &x->m, x->d);
    if (x->rc == 0) {
        engine_opts eo = { .threads = threads };
        x->rc = engine_run(&x->m, 1, &eo, &x->r, x->d);
    }
    if (x->rc != 0)
        diag_print(x->d, stderr);
    free(path);
    return x->rc;
}

static void ran_free(ran *x)
{
    engine_result_free(x->r);
    model_free(x->m);
    scenario_free(x->sc);
    diag_free(x->d);
    test_rmrf(x->dir);
    free(x->dir);
}

static size_t out_of(const ran *x, const char *name)
{
    for (size_t o = 0; o < x->m->n_outputs; o++)
        if (strcmp(x->m->vars[x->m->outputs[o]].name, name) == 0)
            return o;
    CU_FAIL_FATAL("no such output");
    return 0;
}

/* p ~ beta(2, 2); a recurrent event with probability p seen 0 at steps
 * 1 .. 4: the posterior of p is beta(2, 6), mean 2/8, and so is P(event
 * at step 5). */
static void test_observe__beta_prior_four_zeros__gives_posterior_quarter(void)
{
    ran x;
    CU_ASSERT_FATAL(ran_text(&x,
        "simulation = { steps = 5; trials = 40000; seed = 7; };\n"
        "params = { p = { dist = \"beta\"; a = 2.0; b = 2.0; }; };\n"
        "events = { e = { p = \"p\"; kind = \"recurrent\"; }; };\n"
        "derived = { pp = \"p\"; };\n"
        "observations = ( { var = \"e\"; through = 4; value = 0; } );\n",
        2) == 0);
    double mean, se;
    CU_ASSERT(x.r->weighted);
    output_mean_se(x.r, out_of(&x, "e"), 5, &mean, &se);
    ASSERT_WITHIN_SE(mean, 0.25, se, K_SE);
    output_mean_se(x.r, out_of(&x, "pp"), 5, &mean, &se);
    ASSERT_WITHIN_SE(mean, 0.25, se, K_SE);
    /* Clamped: the event is 0 at every observed step. */
    for (uint32_t t = 1; t <= 4; t++)
        CU_ASSERT_EQUAL(engine_share(x.r, out_of(&x, "e"), t), 0.0);
    CU_ASSERT(engine_ess(x.r) > 1000.0 && engine_ess(x.r) < 40000.0);
    ran_free(&x);
}

/* An absorbing event with constant hazard h seen 0 through step k: the
 * first-event step after k has the law of an unconditioned run's first
 * step, shifted by k. */
static void test_observe__constant_hazard_seen_zero__shifts_first_event(void)
{
    const char *base =
        "simulation = { steps = 12; trials = 40000; seed = 3; };\n"
        "events = { e = { p = \"0.15\"; }; };\n";
    char text[512];
    ran c, u;
    snprintf(text, sizeof text, "%sobservations = ( { var = \"e\"; "
             "through = 4; value = 0; } );\n", base);
    CU_ASSERT_FATAL(ran_text(&c, text, 1) == 0);
    CU_ASSERT_FATAL(ran_text(&u, base, 1) == 0);
    double n = engine_ess(c.r), m = (double)u.r->trials;
    CU_ASSERT_DOUBLE_EQUAL(n, 40000.0, 1e-6);   /* equal weights */
    for (uint32_t j = 1; j <= 8; j++) {
        double pc = engine_share_first(c.r, 0, 4 + j);
        double pu = engine_share_first(u.r, 0, j);
        double se = sqrt(pc * (1 - pc) / n + pu * (1 - pu) / m);
        ASSERT_WITHIN_SE(pc - pu, 0.0, se, K_SE);
    }
    for (uint32_t t = 0; t <= 4; t++)
        CU_ASSERT_EQUAL(engine_share_first(c.r, 0, t), 0.0);
    ran_free(&c);
    ran_free(&u);
}

/* mu ~ normal(0, 1) read once as 1.0 with noise sd 0.5: the conjugate
 * posterior is normal with precision 1 + 4, mean 0.8, sd sqrt(1/5). */
static void test_observe__noisy_normal_reading__gives_conjugate_posterior(void)
{
    ran x;
    CU_ASSERT_FATAL(ran_text(&x,
        "simulation = { steps = 1; trials = 40000; seed = 11; };\n"
        "params = { mu = { dist = \"normal\"; mean = 0.0; sd = 1.0; }; };\n"
        "derived = { m = \"mu\"; };\n"
        "observations = ( { var = \"mu\"; at = 0; value = 1.0; sd = 0.5; } );\n",
        2) == 0);
    double mean, se, ess = engine_ess(x.r), sd_post = sqrt(0.2);
    output_mean_se(x.r, out_of(&x, "m"), 1, &mean, &se);
    ASSERT_WITHIN_SE(mean, 0.8, se, K_SE);
    double sd = sqrt(stats_moments_var(&x.r->mom[out_of(&x, "m") * 2 + 1]));
    /* The sd of a normal sample's sd is about sd / sqrt(2 n). */
    ASSERT_WITHIN_SE(sd, sd_post, sd_post / sqrt(2.0 * ess), K_SE);
    /* Its median too, from the weighted histogram. */
    ASSERT_WITHIN_SE(output_quantile(x.r, out_of(&x, "m"), 1, 0.5), 0.8,
                     1.2533 * sd_post / sqrt(ess), K_SE);
    ran_free(&x);
}

/* Imposing clamps without weighting: the imposed value flows downstream
 * and the run stays unweighted. */
static void test_observe__impose__sets_the_value_without_weights(void)
{
    ran x;
    CU_ASSERT_FATAL(ran_text(&x,
        "simulation = { steps = 3; trials = 2000; };\n"
        "events = { e = { p = \"0.1\"; kind = \"recurrent\"; }; };\n"
        "derived = { twice = \"2 * e\"; };\n"
        "observations = ( { var = \"e\"; at = 2; value = 1; how = \"impose\"; } );\n",
        1) == 0);
    CU_ASSERT(!x.r->weighted);
    CU_ASSERT_EQUAL(engine_share(x.r, out_of(&x, "e"), 2), 1.0);
    double mean, se;
    output_mean_se(x.r, out_of(&x, "twice"), 2, &mean, &se);
    CU_ASSERT_EQUAL(mean, 2.0);
    ran_free(&x);
}

/* Weighted sums merge in chunk order and weights are exact integers in
 * the histograms: any thread count gives the same bits. */
static void test_observe__threads__give_identical_weighted_results(void)
{
    const char *text =
        "simulation = { steps = 6; trials = 30000; seed = 5; };\n"
        "params = { h = { dist = \"uniform\"; min = 0.0; max = 0.4; }; };\n"
        "events = { e = { p = \"h\"; kind = \"recurrent\"; }; };\n"
        "states = { s = { init = \"10\"; next = \"s + e - 0.5 * h\"; }; };\n"
        "observations = ( { var = \"e\"; through = 3; value = 0; },\n"
        "  { var = \"s\"; at = 4; value = 9.5; sd = 0.4; } );\n";
    ran a, b;
    CU_ASSERT_FATAL(ran_text(&a, text, 1) == 0);
    CU_ASSERT_FATAL(ran_text(&b, text, 3) == 0);
    size_t cells = a.m->n_outputs * 7;
    CU_ASSERT(memcmp(&a.r->wsum, &b.r->wsum, sizeof a.r->wsum) == 0);
    CU_ASSERT(memcmp(&a.r->wsum2, &b.r->wsum2, sizeof a.r->wsum2) == 0);
    for (size_t c = 0; c < cells; c++) {
        /* Field by field: the struct has padding. */
        const stats_moments *ma = &a.r->mom[c], *mb = &b.r->mom[c];
        CU_ASSERT(ma->n == mb->n && ma->weighted == mb->weighted);
        CU_ASSERT(memcmp(&ma->mean, &mb->mean, sizeof ma->mean) == 0);
        CU_ASSERT(memcmp(&ma->m2, &mb->m2, sizeof ma->m2) == 0);
        CU_ASSERT(memcmp(&ma->sw, &mb->sw, sizeof ma->sw) == 0);
        CU_ASSERT(memcmp(&ma->sw2, &mb->sw2, sizeof ma->sw2) == 0);
        CU_ASSERT(ma->min == mb->min && ma->max == mb->max);
        CU_ASSERT(a.r->qones[c] == b.r->qones[c]);
    }
    size_t o = out_of(&a, "s");
    for (double p = 0.05; p < 1.0; p += 0.15)
        CU_ASSERT(output_quantile(a.r, o, 6, p) == output_quantile(b.r, o, 6, p));
    ran_free(&a);
    ran_free(&b);
}

/* A backtest keeps only what was known by its cut. */
static void test_observe__as_of__keeps_only_steps_up_to_the_cut(void)
{
    char *dir = test_tmpdir();
    char *path = test_write(dir, "m.cfg",
        "simulation = { steps = 8; trials = 10; step = \"quarter\"; start = \"2025Q1\"; };\n"
        "events = { e = { p = \"0.5\"; kind = \"recurrent\"; }; };\n"
        "observations = ( { var = \"e\"; through = \"2025Q4\"; value = 0; },\n"
        "  { var = \"e\"; at = \"2026Q2\"; value = 1; } );\n");
    scenario_opts so = { 0 };
    scenario *sc;
    model *m;
    obs_plan *p;
    diag *d = diag_alloc();
    uint32_t t;
    char err[128];
    CU_ASSERT_FATAL(model_load(path, &so, &sc, &m, d) == 0);
    CU_ASSERT_EQUAL(m->obs->n_items, 2);
    CU_ASSERT_FATAL(obs_step_text(m, "2025Q2", &t, err, sizeof err) == 0);
    CU_ASSERT_EQUAL(t, 2);
    CU_ASSERT_FATAL(obs_build(m, t, &p, d) == 0);
    CU_ASSERT_EQUAL(p->n_items, 1);
    CU_ASSERT_EQUAL(p->items[0].to, 2);
    obs_free(p);
    model_free(m);
    scenario_free(sc);
    diag_free(d);
    free(path);
    test_rmrf(dir);
    free(dir);
}

/* A conditioned scenario against its unconditioned reference, run in
 * lockstep: mu ~ normal(0, 1) read as 1 with sd 1 in the conditioned one
 * (posterior normal(0.5, 1/2)), so m = 2 mu + noise has D = 1 - 0 and the
 * event e (p 0.3 when mu > 0, else 0.05; recurrent over 4 steps) moves
 * too. */
static const char pair_ref[] =
    "simulation = { steps = 4; trials = 20000; seed = 7; };\n"
    "params = { mu = { dist = \"normal\"; mean = 0.0; sd = 1.0; }; };\n"
    "events = { e = { p = \"mu > 0 ? 0.3 : 0.05\"; kind = \"recurrent\"; }; };\n"
    "derived = { m = \"2 * mu + normal(0, 1)\"; };\n";
static const char pair_obs[] =
    "observations = ( { var = \"mu\"; at = 0; value = 1.0; sd = 1.0; } );\n";

#define PAIR_TRIALS 20000

/* Per-trial values of both models, kept by the engine's rows callback:
 * [model][column][trial], the columns those of samples.csv. */
typedef struct pair_rows {
    size_t cols;
    double *v[2];
} pair_rows;

static int pair_keep(void *ctx, size_t which, uint64_t trial0, size_t n,
                     size_t cols, const double *values)
{
    pair_rows *p = ctx;
    for (size_t k = 0; k < n; k++)
        for (size_t c = 0; c < cols; c++)
            p->v[which][c * PAIR_TRIALS + trial0 + k] = values[k * cols + c];
    return 0;
}

/* D and its delta-method se straight from the per-trial values X (weights
 * W) and Y (weight 1), the way a reader would compute them. */
static void pair_brute(const double *x, const double *w, const double *y,
                       size_t n, double *d, double *se)
{
    double sw = 0, swx = 0, sy = 0, z2 = 0;
    for (size_t k = 0; k < n; k++) {
        sw += w[k];
        swx += w[k] * x[k];
        sy += y[k];
    }
    double mx = swx / sw, my = sy / (double)n;
    for (size_t k = 0; k < n; k++) {
        double z = w[k] * (x[k] - mx) / sw - (y[k] - my) / (double)n;
        z2 += z * z;
    }
    *d = mx - my;
    *se = sqrt(z2 * (double)n / (double)(n - 1));
}

/* Runs the pair (reference first) on THREADS threads; RES[1] holds the
 * weighted paired differences; ROWS, when not NULL, the per-trial values. */
static void pair_run(int threads, pair_rows *rows, engine_result **res,
                     scenario **sc, model **m, char **dir)
{
    char text[2048];
    diag *d = diag_alloc();
    scenario_opts so = { 0 };
    *dir = test_tmpdir();
    snprintf(text, sizeof text, "%s%s", pair_ref, pair_obs);
    char *p0 = test_write(*dir, "ref.cfg", pair_ref);
    char *p1 = test_write(*dir, "obs.cfg", text);
    CU_ASSERT_FATAL(model_load(p0, &so, &sc[0], &m[0], d) == 0);
    CU_ASSERT_FATAL(model_load(p1, &so, &sc[1], &m[1], d) == 0);
    engine_opts eo = { .threads = threads,
                       .rows = rows ? pair_keep : NULL, .rows_ctx = rows };
    CU_ASSERT_FATAL(engine_run(m, 2, &eo, res, d) == 0);
    free(p0);
    free(p1);
    diag_free(d);
}

static void pair_free(engine_result **res, scenario **sc, model **m,
                      char *dir)
{
    for (size_t i = 0; i < 2; i++) {
        engine_result_free(res[i]);
        model_free(m[i]);
        scenario_free(sc[i]);
    }
    test_rmrf(dir);
    free(dir);
}

/* The conditioned side keeps its weights, the reference its own: the
 * engine's D and se equal those computed from the per-trial values and
 * the weights (exp(-(mu - 1)^2 / 2) from each trial's mu) to rounding,
 * D of m is the closed form 1 within 4.5 se, and the paired se is
 * below the unpaired sqrt(se_x^2 + se_y^2). */
static void test_observe__conditioned_vs_reference__paired_weighted_difference(void)
{
    engine_result *res[2] = { 0 };
    scenario *sc[2] = { 0 };
    model *m[2] = { 0 };
    char *dir = NULL;
    pair_rows rows = { 0 };
    for (size_t i = 0; i < 2; i++)
        rows.v[i] = calloc(8 * PAIR_TRIALS, sizeof(double));
    CU_ASSERT_FATAL(rows.v[0] && rows.v[1]);
    pair_run(2, &rows, res, sc, m, &dir);
    CU_ASSERT_FATAL(res[1]->weighted && !res[0]->weighted && res[1]->wpaired);
    /* samples.csv's columns: mu, e, m, e_ever. */
    const model *mm = m[1];
    CU_ASSERT_FATAL(mm->n_outputs == 2);
    size_t om = strcmp(mm->vars[mm->outputs[0]].name, "m") == 0 ? 0 : 1;
    size_t oe = 1 - om;
    double *w = calloc(PAIR_TRIALS, sizeof *w);
    CU_ASSERT_FATAL(w != NULL);
    for (size_t k = 0; k < PAIR_TRIALS; k++) {
        double z = rows.v[1][k] - 1.0;
        w[k] = exp(-0.5 * z * z);
        /* Common random numbers: the same mu in both. */
        CU_ASSERT_EQUAL(rows.v[1][k], rows.v[0][k]);
    }
    struct { size_t o, col; int ever; } cases[] = {
        { om, 1 + om, 0 }, { oe, 1 + oe, 0 }, { oe, 3, 1 } };
    for (size_t c = 0; c < 3; c++) {
        double d, se, bd, bse;
        CU_ASSERT_FATAL(engine_diff(res[1], cases[c].o, cases[c].ever, &d, &se));
        pair_brute(rows.v[1] + cases[c].col * PAIR_TRIALS, w,
                   rows.v[0] + cases[c].col * PAIR_TRIALS, PAIR_TRIALS,
                   &bd, &bse);
        CU_ASSERT_DOUBLE_EQUAL(d, bd, 1e-9);
        CU_ASSERT_DOUBLE_EQUAL(se, bse, 1e-9 * bse);
        CU_ASSERT(se > 0);
    }
    double d, se, vx, sx, vy, sy;
    engine_diff(res[1], om, 0, &d, &se);
    ASSERT_WITHIN_SE(d, 1.0, se, K_SE);
    output_mean_se(res[1], om, 4, &vx, &sx);
    output_mean_se(res[0], om, 4, &vy, &sy);
    CU_ASSERT_DOUBLE_EQUAL(d, vx - vy, 1e-9);
    CU_ASSERT(se < sqrt(sx * sx + sy * sy));
    free(w);
    free(rows.v[0]);
    free(rows.v[1]);
    pair_free(res, sc, m, dir);
}

/* The weighted pairs merge in chunk order: any thread count, same bits. */
static void test_observe__paired_weighted_difference__same_bits_any_threads(void)
{
    engine_result *a[2] = { 0 }, *b[2] = { 0 };
    scenario *sa[2] = { 0 }, *sb[2] = { 0 };
    model *ma[2] = { 0 }, *mb[2] = { 0 };
    char *da = NULL, *db = NULL;
    pair_run(1, NULL, a, sa, ma, &da);
    pair_run(3, NULL, b, sb, mb, &db);
    for (size_t o = 0; o < ma[1]->n_outputs; o++)
        for (int ever = 0; ever < 2; ever++) {
            double d1, s1, d2, s2;
            int h1 = engine_diff(a[1], o, ever, &d1, &s1);
            int h2 = engine_diff(b[1], o, ever, &d2, &s2);
            CU_ASSERT_EQUAL(h1, h2);
            if (!h1)
                continue;
            CU_ASSERT(memcmp(&d1, &d2, sizeof d1) == 0);
            CU_ASSERT(memcmp(&s1, &s2, sizeof s1) == 0);
        }
    pair_free(a, sa, ma, da);
    pair_free(b, sb, mb, db);
}

/* compare.csv of a conditioned scenario and its reference: paired (1),
 * the ESS in its column (the trials for the reference), the same bytes
 * for -j1 and -j2. */
static void test_observe__compare_csv__paired_with_ess_same_bytes_any_j(void)
{
    char *dir = test_tmpdir(), text[2048], cmd[4096], *out = NULL;
    snprintf(text, sizeof text, "%s%s", pair_ref, pair_obs);
    char *p0 = test_write(dir, "ref.cfg", pair_ref);
    char *p1 = test_write(dir, "obs.cfg", text);
    char *csv[2];
    for (int j = 1; j <= 2; j++) {
        snprintf(cmd, sizeof cmd, "\"${NCGSIM_BIN:-./ncgsim}\" run %s %s "
                 "-q --no-plots -j%d -o %s/j%d", p0, p1, j, dir, j);
        CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
        free(out);
        snprintf(cmd, sizeof cmd, "%s/j%d/compare/compare.csv", dir, j);
        csv[j - 1] = test_read(cmd);
        CU_ASSERT_PTR_NOT_NULL_FATAL(csv[j - 1]);
    }
    CU_ASSERT_STRING_EQUAL(csv[0], csv[1]);
    CU_ASSERT(strstr(csv[0], ",paired,ess\n") != NULL);
    /* m of the conditioned scenario: a difference, paired, and its ESS. */
    const char *row = strstr(csv[0], "\nm,derived,obs,");
    CU_ASSERT_PTR_NOT_NULL_FATAL(row);
    const char *end = strchr(row + 1, '\n');
    const char *tail = end;
    while (tail > row && tail[-1] != ',')
        tail--;
    double ess = strtod(tail, NULL);
    CU_ASSERT(ess > 1000 && ess < PAIR_TRIALS);
    CU_ASSERT(tail - 3 > row && strncmp(tail - 3, ",1,", 3) == 0);
    CU_ASSERT(strstr(csv[0], "\nm,derived,ref,") != NULL);
    CU_ASSERT(strstr(csv[0], ",1,20000\n") != NULL);
    free(csv[0]);
    free(csv[1]);
    free(p0);
    free(p1);
    test_rmrf(dir);
    free(dir);
}

void test_observe_register(void);
void test_observe_register(void)
{
    static const test_case cases[] = {
        { "beta prior and four zeros give the posterior 0.25", test_observe__beta_prior_four_zeros__gives_posterior_quarter },
        { "constant hazard seen 0 shifts the first event", test_observe__constant_hazard_seen_zero__shifts_first_event },
        { "noisy normal reading gives the conjugate posterior", test_observe__noisy_normal_reading__gives_conjugate_posterior },
        { "impose sets the value without weights", test_observe__impose__sets_the_value_without_weights },
        { "threads give identical weighted results", test_observe__threads__give_identical_weighted_results },
        { "as-of keeps only steps up to the cut", test_observe__as_of__keeps_only_steps_up_to_the_cut },
        { "conditioned vs reference: paired weighted difference", test_observe__conditioned_vs_reference__paired_weighted_difference },
        { "paired weighted difference: same bits for any threads", test_observe__paired_weighted_difference__same_bits_any_threads },
        { "compare.csv: paired, with the ESS, same bytes for any -j", test_observe__compare_csv__paired_with_ess_same_bytes_any_j },
    };
    TEST_SUITE("observe", cases);
}

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
    };
    TEST_SUITE("observe", cases);
}

/* test_robust.c: policies on common trials: regret in closed form, satisficing, policies that touch an uncertainty. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/robust.h"
#include "base/ncgsim.h"
#include "base/numfmt.h"
#include "testutil.h"

/* y = a * u with u ~ U(0, 1) the uncertainty and a the lever. */
static const char PARENT[] =
    "simulation = { trials = 4000; steps = 2; seed = 5; };\n"
    "params = { u = { dist = \"uniform\"; min = 0.0; max = 1.0; };\n"
    "           a = 1.0; };\n"
    "derived = { y = \"a * u\"; };\n";

typedef struct fixture {
    char *dir;
    char *path[3];
    diag *d;
    robust_result *r;
    int rc;
} fixture;

static void run(fixture *f, const char *third)
{
    static const robust_goal goals[] = { { "y", 1 } };
    static const char *const conds[] = { "y >= 1" };
    memset(f, 0, sizeof *f);
    f->dir = test_tmpdir();
    free(test_write(f->dir, "parent.cfg", PARENT));
    f->path[0] = test_write(f->dir, "low.cfg",
                            "extends = \"parent.cfg\";\nname = \"low\";\n");
    f->path[1] = test_write(f->dir, "high.cfg", "extends = \"parent.cfg\";\n"
                            "name = \"high\";\nparams = { a = 2.0; };\n");
    if (third)
        f->path[2] = test_write(f->dir, "third.cfg", third);
    f->d = diag_alloc();
    robust_opts o = { 0 };
    o.paths = (const char *const *)f->path;
    o.n_paths = third ? 3 : 2;
    o.goals = goals;
    o.n_goals = 1;
    o.conds = conds;
    o.n_conds = 1;
    o.threads = 2;
    f->rc = robust_run(&o, &f->r, f->d);
}

static void fixture_free(fixture *f)
{
    robust_result_free(f->r);
    diag_free(f->d);
    for (int i = 0; i < 3; i++)
        free(f->path[i]);
    test_rmrf(f->dir);
    free(f->dir);
}

/* On common trials the low policy's regret is exactly u in every trial:
 * its mean is the difference of the means, the high policy never
 * regrets. Satisficing: y >= 1 holds for high when u >= 1/2 (p = 0.5,
 * within 4.5 standard errors), never for low (y < 1). */
static void test_robust__regret__is_the_per_trial_loss(void)
{
    fixture f;
    run(&f, NULL);
    CU_ASSERT_EQUAL_FATAL(f.rc, 0);
    const robust_cell *low = &f.r->cell[0], *high = &f.r->cell[1];
    CU_ASSERT(fabs(low->regret_mean - (high->mean - low->mean)) < 1e-12);
    CU_ASSERT_EQUAL(high->regret_mean, 0);
    CU_ASSERT_EQUAL(high->regret_p90, 0);
    CU_ASSERT_EQUAL(high->share_best, 1);
    CU_ASSERT_EQUAL(low->share_best, 0);
    /* u's 90th percentile: 0.9, se of a quantile about 0.005 here. */
    ASSERT_WITHIN_SE(low->regret_p90, 0.9, sqrt(0.9 * 0.1 / 4000), 4.5);
    CU_ASSERT_EQUAL(f.r->share[0], 0);
    ASSERT_WITHIN_SE(f.r->share[1], 0.5, sqrt(0.25 / 4000), 4.5);
    fixture_free(&f);
}

/* The table is in fixed notation rounded to the Monte Carlo error: a
 * policy of means near 15,000 (a = 30000) prints no 1.5e+04. The standard
 * error of low's mean is sd(u) / sqrt(n) = 1 / sqrt(12 x 4000) (within
 * 10%: the sample sd of 4000 uniforms is within 2% of 1 / sqrt 12). */
static void test_robust__table__rounds_to_the_error_without_exponents(void)
{
    fixture f;
    run(&f, "extends = \"parent.cfg\";\nname = \"big\";\n"
            "params = { a = 30000.0; };\n");
    CU_ASSERT_EQUAL_FATAL(f.rc, 0);
    const robust_cell *low = &f.r->cell[0], *big = &f.r->cell[2];
    CU_ASSERT(fabs(low->mean_se - 1 / sqrt(12.0 * 4000)) < 0.1 / sqrt(12.0 * 4000));
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    CU_ASSERT_FATAL(out != NULL);
    robust_table(f.r, out);
    fclose(out);
    CU_ASSERT(strstr(text, "e+") == NULL && strstr(text, "e-0") == NULL);
    char want[160];
    snprintf(want, sizeof want, "  %-26s %12s", "big",
             numfmt_est((char[40]){ 0 }, 40, big->mean, big->mean_se, 0));
    if (!strstr(text, want))
        fprintf(stderr, "\nno '%s' in:\n%s", want, text);
    CU_ASSERT(strstr(text, want) != NULL);
    free(text);
    fixture_free(&f);
}

static void test_robust__a_policy_touching_an_uncertainty__is_refused(void)
{
    fixture f;
    run(&f, "extends = \"parent.cfg\";\nname = \"sure\";\n"
            "params = { u = 0.5; };\n");
    CU_ASSERT_EQUAL(f.rc, NCG_EXIT_USAGE);
    CU_ASSERT_PTR_NULL(f.r);
    CU_ASSERT_FATAL(diag_count(f.d) == 1);
    char want[1024];
    snprintf(want, sizeof want, "%s: changes the uncertain param 'u' of %s: "
             "a policy may set levers (constant params) only; the "
             "uncertainties (random params) must be the parent's",
             f.path[2], f.path[0]);
    CU_ASSERT_STRING_EQUAL(diag_get(f.d, 0), want);
    fixture_free(&f);
}

void test_robust_register(void);
void test_robust_register(void)
{
    static const test_case cases[] = {
        { "the table rounds to the error, without exponents", test_robust__table__rounds_to_the_error_without_exponents },
        { "regret is the per-trial loss", test_robust__regret__is_the_per_trial_loss },
        { "a policy touching an uncertainty is refused",
          test_robust__a_policy_touching_an_uncertainty__is_refused },
    };
    TEST_SUITE("robust", cases);
}

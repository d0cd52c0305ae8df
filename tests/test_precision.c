/* test_precision.c: --precision-of: the trials chosen for means, quantiles and paired differences against closed forms. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/compare.h"
#include "run/stats.h"
#include "testutil.h"

/* The suite runs from the repository root (make test), next to ./ncgsim. */
#define BIN "\"${NCGSIM_BIN:-./ncgsim}\""

/* y = x with x ~ normal(100, 20): a numeric output of known spread. */
static const char normal_model[] =
    "simulation = { steps = 1; trials = 1000; seed = 7; };\n"
    "params = { x = { dist = \"normal\"; mean = 100.0; sd = 20.0; }; };\n"
    "derived = { y = \"x\"; };\n";

/* The same x, with y = 200 - x: the paired difference of the means of y
 * from normal_model is 2 x - 200 per trial, of sd 40, twice y's own. */
static const char mirror_model[] =
    "simulation = { steps = 1; trials = 1000; seed = 7; };\n"
    "params = { x = { dist = \"normal\"; mean = 100.0; sd = 20.0; }; };\n"
    "derived = { y = \"200 - x\"; };\n";

/* Runs `run --no-plots OPTS` on normal.cfg (and mirror.cfg when
 * MIRROR) in a fresh folder; returns the trials recorded in
 * resolved.cfg of normal, or -1. *SE gets the se of y in its
 * summary.csv, *STDERR_OUT (when not NULL) the output (malloc'd). */
static long long run_precision(const char *opts, int mirror, double *se,
                               char **out)
{
    char *dir = test_tmpdir(), cmd[2048], path[1024];
    char *np = test_write(dir, "normal.cfg", normal_model);
    char *mp = test_write(dir, "mirror.cfg", mirror_model);
    long long trials = -1;
    snprintf(cmd, sizeof cmd, BIN " run --no-plots -j 2 -o %s/out %s %s %s"
             " 2>&1", dir, opts, np, mirror ? mp : "");
    char *o = NULL;
    int rc = test_run(cmd, &o);
    CU_ASSERT_EQUAL(rc, 0);
    snprintf(path, sizeof path, "%s/out/normal/resolved.cfg", dir);
    char *cfg = test_read(path);
    const char *tr = cfg ? strstr(cfg, "trials = ") : NULL;
    if (rc == 0 && tr)
        trials = atoll(tr + 9);
    snprintf(path, sizeof path, "%s/out/normal/summary.csv", dir);
    char *sum = test_read(path);
    const char *row = sum ? strstr(sum, "\ny,derived,") : NULL;
    double mean, sd;
    *se = NAN;
    if (!row || sscanf(row + 11, "%lf,%lf,%lf", &mean, &sd, se) != 3)
        CU_FAIL("no row for y in summary.csv");
    if (out)
        *out = o;
    else
        free(o);
    free(cfg);
    free(sum);
    free(np);
    free(mp);
    test_rmrf(dir);
    free(dir);
    return trials;
}

/*
 * Rounds are 4096 trials, then trials * (half-width / target)^2 * 1.1,
 * at least double, rounded up to whole 4096s. For a mean of sd 20:
 * at 4096 trials the half-width is 1.96 * 20 / 64 = 0.6125.
 * - target 0.5 (needs (1.96 * 20 / 0.5)^2 = 6147 trials): ratio 1.225,
 *   1.65 * 4096 = 6760 < 8192 (at least double): 8192, half-width 0.433.
 * - target 0.25 (needs 24586): ratio 2.45, 6.6 * 4096 = 27046 -> 28672
 *   (the sd's own Monte Carlo error, about 1%, moves 27046 by 2%, well
 *   inside 24576 .. 28672), half-width 0.2315.
 */
static void test_precision__mean_absolute__meets_the_closed_form(void)
{
    static const struct { const char *opt; long long trials; double eps; }
    cases[] = {
        { "--precision-of mean:y=0.5", 8192, 0.5 },
        { "--precision-of mean:y=0.25", 28672, 0.25 },
        /* 0.5% of the mean, 100: the same target as 0.5 */
        { "--precision-of mean:y=0.5%", 8192, 0.5 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double se;
        long long n = run_precision(cases[i].opt, 0, &se, NULL);
        CU_ASSERT_EQUAL(n, cases[i].trials);
        CU_ASSERT_TRUE(1.96 * se <= cases[i].eps);
        if (n != cases[i].trials)
            fprintf(stderr, "\n%s: %lld trials\n", cases[i].opt, n);
    }
}

/*
 * The median of normal(100, 20) from n trials has sd
 * sqrt(pi / 2) * 20 / sqrt(n), so a half-width of 1.96 * 25.07 / sqrt(n):
 * 0.768 at 4096 trials. Target 1 is met at once (4096); target 0.5
 * (needs 9655) gives ratio 1.535, 2.59 * 4096 = 10617 -> 12288 (the
 * interval's ends, read from the histogram, move that estimate by a few
 * percent, inside 8192 .. 12288).
 */
static void test_precision__median__meets_the_order_statistic_closed_form(void)
{
    double se;
    CU_ASSERT_EQUAL(run_precision("--precision-of p50:y=1", 0, &se, NULL),
                    4096);
    CU_ASSERT_EQUAL(run_precision("--precision-of p50:y=0.5", 0, &se, NULL),
                    12288);
}

/* With mirror.cfg, the paired difference of the means (sd 40) needs four
 * times the trials of either mean: target 0.5 gives ratio 2.45 at 4096,
 * so 28672 as for a mean of sd 20 to 0.25; the round names it. */
static void test_precision__paired_difference__sets_the_trials(void)
{
    double se;
    char *out = NULL;
    long long n = run_precision("--precision-of mean:y=0.5", 1, &se, &out);
    CU_ASSERT_EQUAL(n, 28672);
    CU_ASSERT(out != NULL && strstr(out, "(mean:y=0.5 difference in "
                                         "mirror) is 2.4") != NULL);
    free(out);
}

/*
 * A conditioned scenario's percentile interval counts its effective
 * trials (Kish: (sum w)^2 / sum w^2), not its raw ones. y = x ~ U(0, 1)
 * drawn by lhs (so the sample is nearly a grid and the figures nearly
 * exact); the record weights each trial by the model's chance of the
 * observed event, 1/4 below 0.5 and 3/4 above: ESS = N (1/2)^2 /
 * ((1/16 + 9/16) / 2) = 0.8 N. The weighted CDF is 1/4 + 3/2 (y - 1/2)
 * above 0.5, so the median is 2/3 with density 3/2, and its 95%
 * half-width 1.96 sqrt(0.25 / (0.8 N)) / 1.5: at N = 4096, 0.011413,
 * 1.141 times a target of 0.01 (the raw count would give 1.021). Bins
 * (1/4096 wide) and the grid move it by less than 0.02.
 */
static const char weighted_model[] =
    "simulation = { steps = 1; trials = 1000; seed = 7; sampler = \"lhs\";"
    " step = \"quarter\"; start = \"2025Q1\"; };\n"
    "params = { x = { dist = \"uniform\"; min = 0.0; max = 1.0; }; };\n"
    "events = { e = { p = \"x < 0.5 ? 0.25 : 0.75\"; kind = \"recurrent\";"
    " }; };\n"
    "derived = { y = \"x\"; };\n"
    "observations = ( { var = \"e\"; at = \"2025Q1\"; value = 1; } );\n";

static void test_precision__weighted_quantile__uses_the_effective_trials(void)
{
    char *dir = test_tmpdir(), cmd[2048], *out = NULL;
    char *wp = test_write(dir, "w.cfg", weighted_model);
    snprintf(cmd, sizeof cmd, BIN " run --no-plots -j 2 -o %s/out "
             "--precision-of p50:y=0.01 --max-trials 8192 %s 2>&1", dir, wp);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    const char *at = out ? strstr(out, "precision: 4096 trials: the widest "
                                       "95% interval (p50:y=0.01 in w) is ")
                         : NULL;
    double ratio = NAN;
    if (at)
        ratio = atof(strstr(at, ") is ") + 5);
    CU_ASSERT_DOUBLE_EQUAL(ratio, 1.96 * sqrt(0.25 / (0.8 * 4096)) / 1.5
                                  / 0.01, 0.02);
    CU_ASSERT(out != NULL && strstr(out, "effective trials (ESS) 6553.6\n"));
    free(out);
    free(wp);
    test_rmrf(dir);
    free(dir);
}

/* An output that does not exist, a statistic that does not, and a
 * half-width that is no number are usage errors with exact messages. */
static void test_precision__bad_targets__give_exact_messages(void)
{
    static const struct { const char *opt, *message; } cases[] = {
        { "--precision-of mean:yy=1",
          "--precision-of: 'mean:yy=1': no numeric output 'yy' (did you "
          "mean 'y'?)\n" },
        { "--precision-of median:y=1",
          "--precision-of: 'median:y=1': unknown statistic 'median' (mean, "
          "or a percentile p1 .. p99 such as p50)\n" },
        { "--precision-of p100:y=1",
          "--precision-of: 'p100:y=1': unknown statistic 'p100' (mean, or a "
          "percentile p1 .. p99 such as p50)\n" },
        { "--precision-of mean:y=0",
          "--precision-of: 'mean:y=0': the half-width must be a number above "
          "0 (or a percentage below 100%), e.g. =50 or =1%\n" },
        { "--precision-of y=1",
          "--precision-of: 'y=1': expected STAT:OUTPUT=HALFWIDTH, e.g. "
          "mean:usfk_troops=50, p90:usfk_troops=200 or mean:usfk_troops=1%\n" },
    };
    char *dir = test_tmpdir(), cmd[2048];
    char *np = test_write(dir, "normal.cfg", normal_model);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL;
        snprintf(cmd, sizeof cmd, BIN " run -q -o %s/out %s %s 2>&1", dir,
                 cases[i].opt, np);
        CU_ASSERT_EQUAL(test_run(cmd, &out), 2);
        CU_ASSERT_STRING_EQUAL(out ? out : "", cases[i].message);
        free(out);
    }
    free(np);
    test_rmrf(dir);
    free(dir);
}

/* N values evenly spread over [0, 1): the q-quantile's 95% half-width is
 * 1.96 sqrt(q (1 - q) / N), to within a bin of the histogram. */
static void test_precision__quantile_halfwidth__of_even_values(void)
{
    enum { N = 10000 };
    static double x[N];
    for (size_t i = 0; i < N; i++)
        x[i] = ((double)i + 0.5) / N;
    stats_hist *h = stats_hist_alloc(0, 1, 1000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    stats_hist_add(h, x, N);
    static const double qs[] = { 0.05, 0.5, 0.9 };
    for (size_t k = 0; k < 3; k++) {
        double est, hw = compare_quantile_halfwidth(h, qs[k], N, &est);
        CU_ASSERT_DOUBLE_EQUAL(est, qs[k], 1e-3);
        CU_ASSERT_DOUBLE_EQUAL(hw, 1.96 * sqrt(qs[k] * (1 - qs[k]) / N),
                               1e-3);
    }
    stats_hist_free(h);
}

void test_precision_register(void);
void test_precision_register(void)
{
    static const test_case cases[] = {
        { "mean absolute meets the closed form", test_precision__mean_absolute__meets_the_closed_form },
        { "median meets the order statistic closed form", test_precision__median__meets_the_order_statistic_closed_form },
        { "paired difference sets the trials", test_precision__paired_difference__sets_the_trials },
        { "bad targets give exact messages", test_precision__bad_targets__give_exact_messages },
        { "quantile halfwidth of even values", test_precision__quantile_halfwidth__of_even_values },
        { "weighted quantile uses the effective trials", test_precision__weighted_quantile__uses_the_effective_trials },
    };
    TEST_SUITE("precision", cases);
}

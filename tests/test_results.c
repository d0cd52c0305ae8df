/* test_results.c: what the result files say, checked against the trials behind them (samples.csv). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

/* The suite runs from the repository root (make test), next to ./ncgsim. */
#define BIN "\"${NCGSIM_BIN:-./ncgsim}\""

/* Heavy tails on both sides: y is lognormal with sigma 3 and s drops from
 * about 28000 to anywhere in [0, 10000] in a few trials, so the main run
 * sees values far beyond the pilot's range. */
static const char HEAVY[] =
    "name = \"heavy\";\n"
    "simulation = { trials = 20000; steps = 3; seed = 5; };\n"
    "derived = { y = \"exp(normal(0, 3))\"; };\n"
    "states = { s = { init = \"28000\"; next = \"bernoulli(0.0003) ? "
    "uniform(0, 10000) : s + normal(0, 10)\"; }; };\n";

/* Runs CMD (with BIN in front) in DIR; 0 when it exits 0. */
static int run_in(const char *dir, const char *args)
{
    char cmd[2048];
    char *out = NULL;
    snprintf(cmd, sizeof cmd, BIN " %s -o %s --no-plots --quiet", args, dir);
    int rc = test_run(cmd, &out);
    if (rc != 0)
        fprintf(stderr, "\n%s:\n%s\n", cmd, out ? out : "");
    free(out);
    return rc;
}

/* Column COL (0-based) of every data row of samples.csv TEXT. */
static double *column(const char *text, size_t col, size_t *n)
{
    size_t cap = 1024, k = 0;
    double *v = malloc(cap * sizeof *v);
    const char *p = strchr(text, '\n');
    while (p && p[1]) {
        p++;
        const char *f = p;
        for (size_t c = 0; c < col; c++)
            f = strchr(f, ',') + 1;
        if (k == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[k++] = strtod(f, NULL);
        p = strchr(p, '\n');
    }
    *n = k;
    return v;
}

static void test_results__histogram_tails__hold_exact_counts(void)
{
    char *dir = test_tmpdir();
    char *cfg = test_write(dir, "heavy.cfg", HEAVY);
    char args[1024];
    snprintf(args, sizeof args, "run %s --samples", cfg);
    CU_ASSERT_EQUAL_FATAL(run_in(dir, args), 0);
    char path[1024];
    snprintf(path, sizeof path, "%s/heavy/samples.csv", dir);
    char *samples = test_read(path);
    snprintf(path, sizeof path, "%s/heavy/histograms.csv", dir);
    char *hist = test_read(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(samples);
    CU_ASSERT_PTR_NOT_NULL_FATAL(hist);
    CU_ASSERT_EQUAL_FATAL(strncmp(samples, "trial,s,y\n", 10), 0);
    static const char *const var[] = { "s", "y" };
    for (size_t j = 0; j < 2; j++) {
        size_t n;
        double *x = column(samples, j + 1, &n);
        CU_ASSERT_EQUAL(n, 20000);
        /* Every row of the variable, in order: [lo, hi), the last [lo, hi];
         * the outer edges are written to 10 digits, so the first and last
         * rows are open towards the outside. */
        char key[8];
        snprintf(key, sizeof key, "\n%s,", var[j]);
        size_t rows = 0, total = 0, bad = 0;
        for (const char *p = strstr(hist, key); p; p = strstr(p + 1, key))
            rows++;
        CU_ASSERT_FATAL(rows >= 2);
        size_t r = 0;
        for (const char *p = strstr(hist, key); p; p = strstr(p + 1, key), r++) {
            char *end;
            double lo = strtod(p + strlen(key), &end);
            double hi = strtod(end + 1, &end);
            unsigned long long count = strtoull(end + 1, NULL, 10);
            size_t exact = 0;
            for (size_t i = 0; i < n; i++)
                exact += (r == 0 || x[i] >= lo)
                         && (r + 1 == rows || x[i] < hi);
            if (exact != count) {
                fprintf(stderr, "\n%s bin [%.10g, %.10g): %llu written, "
                        "%zu in samples.csv\n", var[j], lo, hi, count, exact);
                bad++;
            }
            total += count;
        }
        CU_ASSERT_EQUAL(bad, 0);
        CU_ASSERT_EQUAL(total, n);
        free(x);
    }
    free(samples);
    free(hist);
    test_rmrf(dir);
    free(dir);
    free(cfg);
}

void test_results_register(void);
void test_results_register(void)
{
    static const test_case cases[] = {
        { "histogram tails hold exact counts",
          test_results__histogram_tails__hold_exact_counts },
    };
    TEST_SUITE("results", cases);
}

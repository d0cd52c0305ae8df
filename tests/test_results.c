/* test_results.c: what the result files say, checked against the trials behind them (samples.csv). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

/* The index of column NAME in the header line of TEXT, or -1. */
static int col_of(const char *text, const char *name)
{
    size_t len = strlen(name);
    int k = 0;
    for (const char *p = text; *p && *p != '\n'; k++) {
        const char *e = p + strcspn(p, ",\n");
        if ((size_t)(e - p) == len && strncmp(p, name, len) == 0)
            return k;
        p = *e == ',' ? e + 1 : e;
    }
    return -1;
}

/* Field K of the CSV line starting at P, as a number (quoted fields may
 * hold commas). */
static double field(const char *p, int k)
{
    for (int i = 0; i < k; i++) {
        int quoted = 0;
        for (; *p && (quoted || *p != ','); p++)
            if (*p == '"')
                quoted = !quoted;
        p++;
    }
    return strtod(p, NULL);
}

/* The line of compare.csv TEXT for VAR in scenario SC (no quoted commas
 * before the scenario column). */
static const char *cmp_row(const char *text, const char *var, const char *sc)
{
    char key[256];
    snprintf(key, sizeof key, "\n%s,event,%s,", var, sc);
    const char *p = strstr(text, key);
    return p ? p + 1 : NULL;
}

/* Reads OUT/NAME/samples.csv. */
static char *samples_of(const char *out, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/samples.csv", out, name);
    return test_read(path);
}

static void test_results__p_by_end_difference__matches_the_trials(void)
{
    char *dir = test_tmpdir();
    CU_ASSERT_EQUAL_FATAL(run_in(dir, "run scenarios/baseline.cfg "
                                 "scenarios/trump_reelection.cfg --samples"), 0);
    char path[1024];
    snprintf(path, sizeof path, "%s/compare/compare.csv", dir);
    char *cmp = test_read(path);
    char *a = samples_of(dir, "baseline"), *b = samples_of(dir, "trump_reelection");
    CU_ASSERT_PTR_NOT_NULL_FATAL(cmp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    int ca = col_of(a, "usfk_cut_announced_ever");
    int cb = col_of(b, "usfk_cut_announced_ever");
    int cl = col_of(b, "usfk_cut_announced");
    CU_ASSERT_FATAL(ca > 0 && cb > 0 && cl > 0);
    /* Brute force from the trials, paired by trial number. */
    double n = 0, ea = 0, eb = 0, d = 0, d2 = 0, lb = 0;
    const char *pa = strchr(a, '\n') + 1, *pb = strchr(b, '\n') + 1;
    for (; *pa && *pb; pa = strchr(pa, '\n') + 1, pb = strchr(pb, '\n') + 1) {
        CU_ASSERT_EQUAL(field(pa, 0), field(pb, 0));
        double x = field(pa, ca), y = field(pb, cb);
        n++;
        ea += x;
        eb += y;
        d += y - x;
        d2 += (y - x) * (y - x);
        lb += field(pb, cl) != 0;
    }
    CU_ASSERT(n >= 1000);
    const char *ra = cmp_row(cmp, "usfk_cut_announced", "baseline");
    const char *rb = cmp_row(cmp, "usfk_cut_announced", "trump_reelection");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ra);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rb);
    int pe = col_of(cmp, "p_by_end"), pd = col_of(cmp, "p_by_end_diff"),
        pds = col_of(cmp, "p_by_end_diff_se"), pl = col_of(cmp, "p_last_step"),
        pr = col_of(cmp, "paired");
    CU_ASSERT_FATAL(pe > 0 && pd > 0 && pds > 0 && pl > 0 && pr > 0);
    CU_ASSERT_DOUBLE_EQUAL(field(ra, pe), ea / n, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(field(rb, pe), eb / n, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(field(rb, pl), lb / n, 1e-9);
    /* The paired difference and its standard error, from the same trials. */
    double mean = d / n, sd = sqrt((d2 - n * mean * mean) / (n - 1));
    CU_ASSERT_DOUBLE_EQUAL(field(rb, pd), mean, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(field(rb, pds), sd / sqrt(n), 1e-9);
    CU_ASSERT_EQUAL(field(rb, pr), 1.0);
    /* By the end is the figure that moves: far more than at the last step. */
    CU_ASSERT(field(rb, pd) > 0.3);
    free(cmp);
    free(a);
    free(b);
    test_rmrf(dir);
    free(dir);
}

static void test_results__set_variant__gets_its_own_folder(void)
{
    char *dir = test_tmpdir();
    char *cfg = test_write(dir, "heavy.cfg", HEAVY);
    char args[1024], path[1024];
    snprintf(args, sizeof args, "run %s -n 200", cfg);
    CU_ASSERT_EQUAL_FATAL(run_in(dir, args), 0);
    snprintf(args, sizeof args, "run %s -n 200 --set y=\"exp(normal(1, 3))\" "
             "--set simulation.seed=7", cfg);
    CU_ASSERT_EQUAL_FATAL(run_in(dir, args), 0);
    snprintf(args, sizeof args, "run %s -n 200 --set simulation.seed=7 "
             "--set name=mine", cfg);
    CU_ASSERT_EQUAL_FATAL(run_in(dir, args), 0);
    static const char *const folders[] = {
        "heavy", "heavy-set-y-exp_normal_1__3__-seed-7", "mine" };
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s/resolved.cfg", dir, folders[i]);
        char *text = test_read(path);
        CU_ASSERT_PTR_NOT_NULL(text);
        if (!text)
            fprintf(stderr, "\nno %s\n", path);
        free(text);
    }
    /* The original's results are its own: seed 5, not the variant's 7. */
    snprintf(path, sizeof path, "%s/heavy/resolved.cfg", dir);
    char *text = test_read(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "seed = 5"));
    free(text);
    test_rmrf(dir);
    free(dir);
    free(cfg);
}

/* Runs ARGS (BIN in front, output merged) and returns the exit status,
 * the output into *OUT. */
static int run_out(const char *args, char **out)
{
    char cmd[2200];
    snprintf(cmd, sizeof cmd, BIN " %s", args);
    return test_run(cmd, out);
}

static void test_results__compare__uses_the_folders_named_and_keeps_others(void)
{
    char *dir = test_tmpdir(), args[2048], path[1024], *out = NULL;
    static const char *const names[] = { "a", "b", "c" };
    char *cfg[3];
    for (size_t i = 0; i < 3; i++) {
        char text[512];
        snprintf(text, sizeof text, "name = \"%s\";\n"
                 "simulation = { trials = 500; steps = 2; seed = 1; };\n"
                 "derived = { y = \"normal(%zu, 1)\"; };\n", names[i], i);
        snprintf(path, sizeof path, "%s.cfg", names[i]);
        cfg[i] = test_write(dir, path, text);
    }
    /* a and b together into R; a again, another seed, into E. */
    snprintf(args, sizeof args, "run %s %s -q --no-plots -o %s/R", cfg[0],
             cfg[1], dir);
    CU_ASSERT_EQUAL_FATAL(run_out(args, NULL), 0);
    snprintf(args, sizeof args, "run %s --seed 9 -q --no-plots -o %s/E",
             cfg[0], dir);
    CU_ASSERT_EQUAL_FATAL(run_out(args, NULL), 0);
    /* compare E/a R/b -o O: exactly those folders, from anywhere. */
    snprintf(args, sizeof args, "compare %s/E/a %s/R/b -q -o %s/O", dir, dir,
             dir);
    CU_ASSERT_EQUAL(run_out(args, &out), 0);
    free(out);
    snprintf(path, sizeof path, "%s/O/compare/scenarios.csv", dir);
    char *list = test_read(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(list);
    CU_ASSERT_PTR_NOT_NULL(strstr(list, ",../../E/a,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(list, ",../../R/b,"));
    free(list);
    /* a and c into R: R/compare (a, b) is kept, this one is named. */
    snprintf(args, sizeof args, "run %s %s --no-plots -o %s/R", cfg[0],
             cfg[2], dir);
    CU_ASSERT_EQUAL(run_out(args, &out), 0);
    CU_ASSERT(out && strstr(out, "holds a comparison of other "
                                         "scenarios (a, b)"));
    free(out);
    snprintf(path, sizeof path, "%s/R/compare/scenarios.csv", dir);
    list = test_read(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(list);
    CU_ASSERT_PTR_NOT_NULL(strstr(list, "\nb,"));
    free(list);
    snprintf(path, sizeof path, "%s/R/compare-a-c/compare.csv", dir);
    list = test_read(path);
    CU_ASSERT_PTR_NOT_NULL(list);
    free(list);
    /* a alone with another seed: R/compare (a, b) is now stale. */
    snprintf(args, sizeof args, "run %s --seed 3 -q --no-plots -o %s/R",
             cfg[0], dir);
    CU_ASSERT_EQUAL(run_out(args, &out), 0);
    CU_ASSERT(out && strstr(out, "compare/ is stale"));
    free(out);
    snprintf(args, sizeof args, "plot %s/R/compare", dir);
    run_out(args, &out);
    CU_ASSERT(out && strstr(out, "compare/ is stale"));
    free(out);
    for (size_t i = 0; i < 3; i++)
        free(cfg[i]);
    test_rmrf(dir);
    free(dir);
}

/* 1 when NAME is one of the names SAMPLES lists between commas (the
 * header rows of samples.csv files) (a column named after the model: a param, an output, a
 * varied setting, <input>_min / _max of discovery.csv). */
static int model_column(const char *samples, const char *name)
{
    char key[256];
    size_t len = strlen(name);
    for (int cut = 0; cut < 2; cut++) {
        snprintf(key, sizeof key, ",%.*s,", (int)len, name);
        if (strstr(samples, key))
            return 1;
        /* <input>_min and <input>_max */
        if (len > 4 && (strcmp(name + len - 4, "_min") == 0
                        || strcmp(name + len - 4, "_max") == 0))
            len -= 4;
        else
            break;
    }
    return 0;
}

/* Every column of every CSV file under DIR (its header row) is either
 * documented in DOC as `name` or named after the model (SAMPLES). Returns
 * the number of files checked; prints each undocumented column. */
static size_t check_headers(const char *dir, const char *doc,
                            const char *samples, size_t *missing)
{
    char cmd[1024], *list = NULL;
    size_t files = 0;
    snprintf(cmd, sizeof cmd, "find %s -name '*.csv' | LC_ALL=C sort", dir);
    CU_ASSERT_EQUAL_FATAL(test_run(cmd, &list), 0);
    for (char *path = strtok(list, "\n"); path; path = strtok(NULL, "\n")) {
        char *text = test_read(path);
        if (!text)
            continue;
        files++;
        text[strcspn(text, "\r\n")] = 0;
        for (char *c = text, *end; *c; c = *end ? end + 1 : end) {
            char want[300];
            end = c + strcspn(c, ",");
            snprintf(want, sizeof want, "`%.*s`", (int)(end - c), c);
            char name[300];
            snprintf(name, sizeof name, "%.*s", (int)(end - c), c);
            if (!strstr(doc, want) && !model_column(samples, name)) {
                fprintf(stderr, "\n%s: column '%s' is not in docs/results.md",
                        path, name);
                ++*missing;
            }
        }
        free(text);
    }
    free(list);
    return files;
}

static void test_results__every_csv_column__is_documented(void)
{
    static const char *const cmds[] = {
        "run scenarios/examples/quickstart.cfg scenarios/examples/conditioning.cfg --samples -n 300",
        "sensitivity scenarios/examples/quickstart.cfg -n 200 --bootstrap 10",
        "sweep scenarios/examples/quickstart.cfg --vary cut_chance=0:0.1:0.1 -n 200",
        "score scenarios/examples/conditioning.cfg --outcomes scenarios/examples/outcomes.csv -n 300",
        "robust scenarios/examples/quickstart.cfg POLICY --maximize credibility --satisfy 'credibility > 60' -n 200",
        "discover RUN/quickstart/samples.csv --case 'ncg_dissolved_ever == 1' --inputs p_sceptic,troops",
        "run scenarios/baseline.cfg -n 300 --set simulation.steps=2",
    };
    static const char *const sub[] = { "run", "sens", "sweep", "score",
                                       "robust", "disc", "corr" };
    char *dir = test_tmpdir();
    char cwd[1024], pol[2048];
    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
    snprintf(pol, sizeof pol, "extends = \"%s/scenarios/examples/"
             "quickstart.cfg\";\nname = \"fewer_cuts\";\nparams = { "
             "cut_chance = 0.02; };\n", cwd);
    char *policy = test_write(dir, "fewer_cuts.cfg", pol);
    char *doc = test_read("docs/results.md");
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    size_t files = 0, missing = 0;
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char args[1024], out[1024], runs[1024];
        const char *p;
        snprintf(out, sizeof out, "%s/%s", dir, sub[i]);
        snprintf(runs, sizeof runs, "%s/run", dir);
        /* POLICY and RUN stand for the policy file and the first run. */
        size_t k = 0;
        for (p = cmds[i]; *p && k + 600 < sizeof args; ) {
            if (strncmp(p, "POLICY", 6) == 0) {
                k += (size_t)snprintf(args + k, sizeof args - k, "%s", policy);
                p += 6;
            } else if (strncmp(p, "RUN", 3) == 0) {
                k += (size_t)snprintf(args + k, sizeof args - k, "%s", runs);
                p += 3;
            } else
                args[k++] = *p++;
        }
        args[k] = 0;
        CU_ASSERT_EQUAL_FATAL(run_in(out, args), 0);
    }
    /* The models' names: the header rows of both samples.csv files, each
     * between commas (the varied and restricted names are among them). */
    char samples[8192] = ",";
    for (size_t i = 0; i < 2; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/run/%s/samples.csv", dir,
                 i ? "conditioning" : "quickstart");
        char *text = test_read(path);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        text[strcspn(text, "\r\n")] = 0;
        size_t len = strlen(samples);
        snprintf(samples + len, sizeof samples - len, "%s,,", text);
        free(text);
    }
    files = check_headers(dir, doc, samples, &missing);
    CU_ASSERT(files >= 25);
    CU_ASSERT_EQUAL(missing, 0);
    free(doc);
    free(policy);
    test_rmrf(dir);
    free(dir);
}

/* In a conditioned run the `trials` columns stay plain counts of trials:
 * histograms.csv's two rows of an event add up to the trials run, and so
 * do counts.csv's rows of each event. */
static void test_results__conditioned_counts__are_plain_trials(void)
{
    char *dir = test_tmpdir();
    CU_ASSERT_EQUAL_FATAL(run_in(dir, "run scenarios/examples/conditioning.cfg -n 500"), 0);
    char path[1024];
    snprintf(path, sizeof path, "%s/conditioning/counts.csv", dir);
    char *text = test_read(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    /* variable,count,trials,fraction: sum of trials per variable. */
    char var[128] = "";
    unsigned long long sum = 0;
    size_t vars = 0;
    for (char *line = strchr(text, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        char v[128];
        unsigned c;
        unsigned long long t;
        if (sscanf(line + 1, "%127[^,],%u,%llu,", v, &c, &t) != 3)
            break;
        if (strcmp(v, var) != 0) {
            if (vars)
                CU_ASSERT_EQUAL(sum, 500);
            snprintf(var, sizeof var, "%s", v);
            sum = 0;
            vars++;
        }
        sum += t;
    }
    CU_ASSERT(vars > 0);
    CU_ASSERT_EQUAL(sum, 500);
    free(text);
    test_rmrf(dir);
    free(dir);
}

/* The index of field NAME in the comma-separated header LINE, or -1. */
static int field_index(const char *line, const char *name)
{
    size_t n = strlen(name);
    int k = 0;
    for (const char *f = line; f; f = strchr(f, ','), f = f ? f + 1 : f, k++)
        if (strncmp(f, name, n) == 0 && (f[n] == ',' || f[n] == '\n'
                                         || f[n] == '\0'))
            return k;
    return -1;
}

/* Field K of LINE as a number (fields before K hold no quoted comma). */
static double field_num(const char *line, int k)
{
    const char *f = line;
    for (int c = 0; c < k && f; c++)
        f = strchr(f, ',') ? strchr(f, ',') + 1 : NULL;
    return f ? strtod(f, NULL) : NAN;
}

/* samples.csv of a conditioned run carries each trial's weight (the
 * likelihood of the record): the weighted means of its columns are
 * summary.csv's means at the last step (events: p_by_end from the
 * <event>_ever columns), to 1e-9 relative; and the file is the same
 * bytes for any -j. */
static void test_results__conditioned_samples__weights_give_the_summary(void)
{
    char *dir = test_tmpdir(), args[1024], path[1024];
    snprintf(args, sizeof args, "run scenarios/examples/conditioning.cfg -n "
             "3000 --samples -j 1");
    CU_ASSERT_EQUAL_FATAL(run_in(dir, args), 0);
    snprintf(path, sizeof path, "%s/conditioning/samples.csv", dir);
    char *samp = test_read(path);
    snprintf(path, sizeof path, "%s/conditioning/summary.csv", dir);
    char *sum = test_read(path);
    CU_ASSERT_FATAL(samp != NULL && sum != NULL);
    CU_ASSERT_EQUAL(strncmp(samp, "trial,weight,", 13), 0);
    int wcol = field_index(samp, "weight");
    int vcol = field_index(sum, "variable"), mcol = field_index(sum, "mean");
    int pcol = field_index(sum, "p_by_end");
    CU_ASSERT_FATAL(wcol == 1 && vcol == 0 && mcol > 0 && pcol > 0);
    size_t checked = 0;
    for (const char *row = strchr(sum, '\n'); row && row[1];
         row = strchr(row + 1, '\n')) {
        char var[128], ever[160];
        if (sscanf(row + 1, "%127[^,]", var) != 1)
            break;
        int is_event = strstr(row + 1, ",event,") != NULL;
        snprintf(ever, sizeof ever, "%s_ever", var);
        int c = field_index(samp, is_event ? ever : var);
        double want = field_num(row + 1, is_event ? pcol : mcol);
        CU_ASSERT_FATAL(c > 1);
        double sw = 0, swx = 0;
        for (const char *l = strchr(samp, '\n'); l && l[1];
             l = strchr(l + 1, '\n')) {
            double w = field_num(l + 1, wcol);
            sw += w;
            swx += w * field_num(l + 1, c);
        }
        double got = swx / sw;
        if (!(fabs(got - want) <= 1e-9 * fabs(want)))
            fprintf(stderr, "\n%s: weighted mean %.17g, summary %.17g", var,
                    got, want);
        CU_ASSERT(fabs(got - want) <= 1e-9 * fabs(want));
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 4);
    /* The same bytes with two threads. */
    char *dir2 = test_tmpdir();
    snprintf(args, sizeof args, "run scenarios/examples/conditioning.cfg -n "
             "3000 --samples -j 2");
    CU_ASSERT_EQUAL_FATAL(run_in(dir2, args), 0);
    snprintf(path, sizeof path, "%s/conditioning/samples.csv", dir2);
    char *samp2 = test_read(path);
    CU_ASSERT(samp2 && strcmp(samp, samp2) == 0);
    free(samp2);
    free(samp);
    free(sum);
    test_rmrf(dir2);
    free(dir2);
    test_rmrf(dir);
    free(dir);
}

void test_results_register(void);
void test_results_register(void)
{
    static const test_case cases[] = {
        { "histogram tails hold exact counts",
          test_results__histogram_tails__hold_exact_counts },
        { "compare uses the folders named and keeps other comparisons",
          test_results__compare__uses_the_folders_named_and_keeps_others },
        { "a --set variant gets its own folder",
          test_results__set_variant__gets_its_own_folder },
        { "P(by end) difference matches the trials",
          test_results__p_by_end_difference__matches_the_trials },
        { "every CSV column is documented",
          test_results__every_csv_column__is_documented },
        { "conditioned counts are plain trials",
          test_results__conditioned_counts__are_plain_trials },
        { "conditioned samples: weights give the summary",
          test_results__conditioned_samples__weights_give_the_summary },
    };
    TEST_SUITE("results", cases);
}

/* test_sweep.c: sweeps: axis parsing, grid order, closed-form means, paired differences. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "io/output.h"
#include "analysis/sweep.h"
#include "plot/gp.h"
#include "plot/sens_plot.h"
#include "testutil.h"

/* e happens with probability p per step over 4 steps; y = 10 a + noise,
 * where the noise is a shared random function call (same in every point). */
static const char MODEL[] =
    "simulation = { trials = 20000; steps = 4; seed = 11; };\n"
    "params = { p = 0.1; a = 1.0; };\n"
    "events = { e = { p = \"p\"; }; };\n"
    "derived = { y = \"10 * a + normal(0, 5)\"; };\n";

typedef struct fixture {
    char *dir, *path;
    diag *d;
    sweep_result *r;
} fixture;

static int sweep(fixture *f, const char *const *vary, size_t n)
{
    char err[256];
    sweep_opts o = { 0 };
    memset(f, 0, sizeof *f);
    f->dir = test_tmpdir();
    f->path = test_write(f->dir, "s.cfg", MODEL);
    f->d = diag_alloc();
    o.path = f->path;
    o.threads = 2;
    o.n_axes = n;
    for (size_t a = 0; a < n; a++)
        CU_ASSERT_FATAL(sweep_parse_axis(vary[a], &o.axes[a], err, sizeof err) == 0);
    return sweep_run(&o, &f->r, f->d);
}

static void fixture_free(fixture *f)
{
    sweep_result_free(f->r);
    diag_free(f->d);
    test_rmrf(f->dir);
    free(f->dir);
    free(f->path);
}

static size_t out_of(const sweep_result *r, const char *name)
{
    for (size_t q = 0; q < r->n_out; q++)
        if (strcmp(r->m->vars[r->m->outputs[q]].name, name) == 0)
            return q;
    CU_FAIL_FATAL("no such output");
    return 0;
}

static void test_sweep__axis__parses_and_counts_points(void)
{
    static const struct { const char *arg; size_t n; double last; } ok[] = {
        { "params.p=0:1:0.1", 11, 1.0 },
        { "p=0.5:0.1:-0.2", 3, 0.1 },
        { "a=2:2:1", 1, 2.0 },
        { "a=0:1:0.3", 4, 0.9 },
    };
    char err[256];
    sweep_axis ax;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        CU_ASSERT_EQUAL_FATAL(sweep_parse_axis(ok[i].arg, &ax, err, sizeof err), 0);
        CU_ASSERT_EQUAL(ax.n, ok[i].n);
        CU_ASSERT_EQUAL(sweep_value(&ax, ax.n - 1), ok[i].last);
    }
    /* 0.1 steps print as written: 0.3, not 0.30000000000000004. */
    CU_ASSERT_EQUAL(sweep_parse_axis("p=0:1:0.1", &ax, err, sizeof err), 0);
    CU_ASSERT_EQUAL(sweep_value(&ax, 3), 0.3);
}

static void test_sweep__bad_axis__gives_exact_messages(void)
{
    static const struct { const char *arg, *msg; } bad[] = {
        { "p=1:2", "--vary: expected PATH=FROM:TO:STEP (e.g. params.p_trump=0:1:0.1), got 'p=1:2'" },
        { "=0:1:0.1", "--vary: expected PATH=FROM:TO:STEP (e.g. params.p_trump=0:1:0.1), got '=0:1:0.1'" },
        { "p=0:1:x", "--vary: expected PATH=FROM:TO:STEP (e.g. params.p_trump=0:1:0.1), got 'p=0:1:x'" },
        { "p=0:1:-0.1", "--vary: STEP must be non-zero and lead from FROM to TO, got 'p=0:1:-0.1'" },
        { "p=0:1:0", "--vary: STEP must be non-zero and lead from FROM to TO, got 'p=0:1:0'" },
        { "p=0:1:0.0001", "--vary: p=0:1:0.0001 gives 10001 points; at most 1000 per axis (use a larger STEP)" },
    };
    char err[256];
    sweep_axis ax;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_EQUAL(sweep_parse_axis(bad[i].arg, &ax, err, sizeof err), -1);
        CU_ASSERT_STRING_EQUAL(err, bad[i].msg);
    }
}

static void test_sweep__one_axis__means_follow_the_closed_form(void)
{
    static const char *const vary[] = { "params.p=0:0.5:0.05" };
    fixture f;
    CU_ASSERT_FATAL(sweep(&f, vary, 1) == 0);
    CU_ASSERT_EQUAL_FATAL(f.r->n_points, 11);
    size_t e = out_of(f.r, "e");
    /* More points than one batch: later batches must pair with point 0
     * all the same. P(e by step 4) = 1 - (1 - p)^4; 4 se of a proportion. */
    for (size_t p = 0; p < f.r->n_points; p++) {
        double x = sweep_point_value(f.r, p, 0);
        double want = 1 - pow(1 - x, 4);
        const sweep_cell *c = &f.r->cells[p * f.r->n_out + e];
        CU_ASSERT_DOUBLE_EQUAL(x, 0.05 * (double)p, 1e-12);
        ASSERT_WITHIN_SE(c->mean, want, sqrt(want * (1 - want) / 20000) + 1e-12, 4);
    }
    fixture_free(&f);
}

static void test_sweep__points__are_paired(void)
{
    static const char *const vary[] = { "a=1:2:1" };
    fixture f;
    CU_ASSERT_FATAL(sweep(&f, vary, 1) == 0);
    size_t y = out_of(f.r, "y");
    const sweep_cell *c0 = &f.r->cells[y], *c1 = &f.r->cells[f.r->n_out + y];
    /* y moves by exactly 10 in every trial: the noise is shared. */
    CU_ASSERT_DOUBLE_EQUAL(c1->diff, 10.0, 1e-9);
    CU_ASSERT(c1->diff_se < 1e-9);
    CU_ASSERT(sqrt(c0->se * c0->se + c1->se * c1->se) > 0.05);
    CU_ASSERT_EQUAL(c0->diff, 0.0);
    fixture_free(&f);
}

static void test_sweep__paired_event_differences__are_far_tighter(void)
{
    static const char *const vary[] = { "p=0.1:0.12:0.02" };
    fixture f;
    CU_ASSERT_FATAL(sweep(&f, vary, 1) == 0);
    size_t e = out_of(f.r, "e");
    const sweep_cell *c0 = &f.r->cells[e], *c1 = &f.r->cells[f.r->n_out + e];
    double unpaired = sqrt(c0->se * c0->se + c1->se * c1->se);
    /* The same uniforms decide e at both points: the difference is 1 only
     * in trials where a draw fell between 0.1 and 0.12, so its se is about
     * a quarter of the unpaired one (0.0025 against 0.0045 x 1.4). */
    CU_ASSERT(c1->diff_se < unpaired / 2.5);
    ASSERT_WITHIN_SE(c1->diff, (1 - pow(0.88, 4)) - (1 - pow(0.9, 4)), c1->diff_se, 4);
    fixture_free(&f);
}

static void test_sweep__two_axes__make_a_grid_first_axis_slowest(void)
{
    static const char *const vary[] = { "p=0:0.2:0.1", "a=1:2:1" };
    fixture f;
    CU_ASSERT_FATAL(sweep(&f, vary, 2) == 0);
    CU_ASSERT_EQUAL_FATAL(f.r->n_points, 6);
    size_t y = out_of(f.r, "y");
    for (size_t p = 0; p < 6; p++) {
        CU_ASSERT_DOUBLE_EQUAL(sweep_point_value(f.r, p, 0), 0.1 * (double)(p / 2), 1e-12);
        CU_ASSERT_DOUBLE_EQUAL(sweep_point_value(f.r, p, 1), 1.0 + (double)(p % 2), 1e-12);
        CU_ASSERT_DOUBLE_EQUAL(f.r->cells[p * f.r->n_out + y].diff,
                               10.0 * (double)(p % 2), 1e-9);
    }
    char *csv = output_path(f.dir, "sweep.csv");
    FILE *out = fopen(csv, "w");
    CU_ASSERT_EQUAL(sweep_write_csv(f.r, out), 0);
    fclose(out);
    char *text = test_read(csv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT(strncmp(text, "point,p,a,variable,kind,measure,value,se,lo95,hi95,"
                      "diff,diff_se,diff_lo95,diff_hi95\n1,0,1,e,event,p_by_end,0,",
                      91) == 0);
    free(text);
    free(csv);
    fixture_free(&f);
}

/* The value of the line in TEXT that starts with the fields of point P
 * (its axis values) for output OUT in sweep.csv: its mean column. */
static double csv_mean(const char *csv, const sweep_result *r, size_t p,
                       const char *out)
{
    char key[128];
    snprintf(key, sizeof key, "\n%zu,%.12g,%.12g,%s,", p + 1,
             sweep_point_value(r, p, 0), sweep_point_value(r, p, 1), out);
    const char *at = strstr(csv, key);
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    at = strchr(at + strlen(key), ',');   /* past the kind */
    at = strchr(at + 1, ',');             /* past the measure */
    return strtod(at + 1, NULL);
}

static void test_sweep__heatmap__draws_every_cell_of_sweep_csv(void)
{
    static const char *const vary[] = { "p=0:0.2:0.05", "a=1:2:1" };
    fixture f;
    CU_ASSERT_FATAL(sweep(&f, vary, 2) == 0);
    char *csv = output_path(f.dir, "sweep.csv");
    FILE *out = fopen(csv, "w");
    CU_ASSERT_EQUAL(sweep_write_csv(f.r, out), 0);
    fclose(out);
    plot_opts po = { .quiet = 1 };
    CU_ASSERT_EQUAL(sens_plot_sweep(f.r, f.dir, &po, f.d), 0);
    char *text = test_read(csv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    for (size_t q = 0; q < f.r->n_out; q++) {
        const char *name = f.r->m->vars[f.r->m->outputs[q]].name;
        /* One script per chart, its data inline. */
        char head[32], file[300];
        snprintf(file, sizeof file, "sweep-%s.gp", name);
        char *gp = output_path(f.dir, file), *script = test_read(gp);
        CU_ASSERT_PTR_NOT_NULL_FATAL(script);
        snprintf(head, sizeof head, "$S%zu << EOD\n", q);
        const char *at = strstr(script, head);
        CU_ASSERT_PTR_NOT_NULL_FATAL(at);
        at += strlen(head);
        /* Every point, one cell each, with sweep.csv's mean. */
        for (size_t p = 0; p < f.r->n_points; p++) {
            char *end;
            double x = strtod(at, &end), y = strtod(end, &end),
                   v = strtod(end, &end);
            CU_ASSERT_EQUAL(x, sweep_point_value(f.r, p, 0));
            CU_ASSERT_EQUAL(y, sweep_point_value(f.r, p, 1));
            CU_ASSERT_EQUAL(v, csv_mean(text, f.r, p, name));
            at = strchr(end, '\n') + 1;
        }
        CU_ASSERT_EQUAL(strncmp(at, "EOD\n", 4), 0);
        /* Cells centred on the points (pm3d drops the last row and
         * column), and a title that promises no band it does not draw. */
        const char *title = strstr(at, "set title");
        CU_ASSERT_PTR_NOT_NULL_FATAL(title);
        CU_ASSERT(strstr(title, "band") == NULL
                  || strstr(title, "band") > strchr(title, '\n'));
        char plot[128];
        snprintf(plot, sizeof plot, "plot $S%zu using 1:2:(0.025):(0.5):3 "
                 "with boxxyerror lc palette", q);
        CU_ASSERT_PTR_NOT_NULL(strstr(script, plot));
        /* Redrawn from sweep.csv alone (as the report does): the same
         * script. */
        char *again = NULL;
        diag *d2 = diag_alloc();
        char *dir2 = test_tmpdir(), *copy = NULL;
        free(test_write(dir2, "sweep.csv", text));
        CU_ASSERT_EQUAL(sens_plot_sweep_files(dir2, &po, d2), 0);
        copy = output_path(dir2, file);
        again = test_read(copy);
        CU_ASSERT_PTR_NOT_NULL(again);
        CU_ASSERT(again && strcmp(again, script) == 0);
        free(again);
        free(copy);
        test_rmrf(dir2);
        free(dir2);
        diag_free(d2);
        /* Drawn whole. */
        snprintf(file, sizeof file, "%s/sweep-%s.png", f.dir, name);
        const char *why;
        CU_ASSERT_EQUAL(gp_image_complete(file, "png", &why), 0);
        free(script);
        free(gp);
    }
    free(text);
    free(csv);
    fixture_free(&f);
}

static void test_sweep__bad_point__names_its_values(void)
{
    static const char *const vary[] = { "nosuch=0:1:1" };
    fixture f;
    CU_ASSERT_EQUAL(sweep(&f, vary, 1), NCG_EXIT_SCENARIO);
    CU_ASSERT_FATAL(diag_count(f.d) >= 2);
    CU_ASSERT_STRING_EQUAL(diag_get(f.d, diag_count(f.d) - 1),
                           "(in the sweep point nosuch=0)");
    fixture_free(&f);
}

/* A conditioned scenario's points weigh their trials each by how well
 * they explain the record, so a difference from point 1 is that of the
 * two weighted estimates, still paired trial by trial (a delta-method se
 * below the unpaired sqrt(se^2 + se0^2)): in sweep.csv and in the table,
 * which says so. */
static const char conditioned_model[] =
    "simulation = { steps = 4; trials = 3000; };\n"
    "params = { h = { dist = \"uniform\"; min = 0.0; max = 0.2; };\n"
    "           k = 0.1; };\n"
    "events = { e = { p = \"h + k\"; kind = \"recurrent\"; }; };\n"
    "states = { s = { init = \"0\"; next = \"s + e\"; }; };\n"
    "observations = ( { var = \"e\"; at = 1; value = 0; } );\n";

static void test_sweep__conditioned__differences_are_paired_weighted(void)
{
    char *dir = test_tmpdir(), cmd[4096], *out = NULL, line[512];
    char *path = test_write(dir, "c.cfg", conditioned_model);
    snprintf(cmd, sizeof cmd, "\"${NCGSIM_BIN:-./ncgsim}\" sweep %s --vary "
             "k=0:0.2:0.2 --no-plots -o %s/out", path, dir);
    CU_ASSERT_EQUAL_FATAL(test_run(cmd, &out), 0);
    CU_ASSERT(out && strstr(out, "from the first point, paired, of the "
                            "weighted estimates: the scenario is "
                            "conditioned"));
    free(out);
    snprintf(cmd, sizeof cmd, "%s/out/c-sweep/sweep.csv", dir);
    FILE *f = fopen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    double v0 = NAN, se0 = NAN;
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        int point;
        double k, v, se, lo, hi, diff, dse;
        char var[64], kind[64], measure[64];
        if (sscanf(line, "%d,%lf,%63[^,],%63[^,],%63[^,],%lf,%lf,%lf,%lf,"
                   "%lf,%lf", &point, &k, var, kind, measure, &v, &se, &lo,
                   &hi, &diff, &dse) != 11 || strcmp(var, "s") != 0)
            continue;
        rows++;
        if (point == 1) {
            v0 = v;
            se0 = se;
            CU_ASSERT_EQUAL(diff, 0.0);
        } else {
            /* The CSV holds 6 significant digits of a value and 4 of an
             * se: the tolerances are those roundings. */
            CU_ASSERT_DOUBLE_EQUAL(diff, v - v0, 2e-5 * fabs(v) + 1e-9);
            CU_ASSERT(dse > 0 && dse < sqrt(se * se + se0 * se0));
            CU_ASSERT(isfinite(diff) && fabs(diff) > 0);
        }
    }
    fclose(f);
    CU_ASSERT_EQUAL(rows, 2);
    free(path);
    test_rmrf(dir);
    free(dir);
}

void test_sweep_register(void);
void test_sweep_register(void)
{
    static const test_case cases[] = {
        { "axis parses and counts points", test_sweep__axis__parses_and_counts_points },
        { "conditioned: differences are paired, weighted", test_sweep__conditioned__differences_are_paired_weighted },
        { "bad axis gives exact messages", test_sweep__bad_axis__gives_exact_messages },
        { "one axis: means follow the closed form",
          test_sweep__one_axis__means_follow_the_closed_form },
        { "points are paired", test_sweep__points__are_paired },
        { "paired event differences are far tighter",
          test_sweep__paired_event_differences__are_far_tighter },
        { "two axes make a grid, first axis slowest",
          test_sweep__two_axes__make_a_grid_first_axis_slowest },
        { "the heatmap draws every cell of sweep.csv",
          test_sweep__heatmap__draws_every_cell_of_sweep_csv },
        { "a bad point names its values", test_sweep__bad_point__names_its_values },
    };
    TEST_SUITE("sweep", cases);
}

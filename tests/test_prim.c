/* test_prim.c: PRIM: quantiles, a box known in closed form, EMA Workbench's trajectory on the Bryant et al. data, bad input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/discover.h"
#include "analysis/prim.h"
#include "base/ncgsim.h"
#include "io/table.h"
#include "testutil.h"

#define BIN "\"${NCGSIM_BIN:-./ncgsim}\""
#define DATA "tests/data/prim/"
#define BRYANT DATA "bryant et al 2010 data.csv"

/* The nine uncertainties EMA's Bryant example reads (x = columns 2..10). */
static const char *const bryant_inputs[] = {
    "Cellulosic cost", "Total biomass", "Feedstock distribution",
    "Cellulosic yield", "Oil elasticity", "Demand elasticity",
    "Electricity coproduction", "oil supply shift", "Biomass backstop price"
};

typedef struct fixture {
    table t;
    discover_src s;
    discover_result *r;
    diag *d;
    int rc;
} fixture;

static discover_opts defaults(const char *expr)
{
    discover_opts o = { 0 };
    o.case_expr = expr;
    o.prim = (prim_opts){ 0.05, 0.05, 0.05, PRIM_LENIENT1 };
    o.boxes = 1;
    o.pick = -1;
    return o;
}

/* Reads PATH and runs discovery with O; the result code in F->rc. */
static void run(fixture *f, const char *path, const discover_opts *o)
{
    memset(f, 0, sizeof *f);
    f->d = diag_alloc();
    f->rc = table_read(path, &f->t, f->d);
    if (f->rc == 0)
        f->rc = discover_from_table(&f->t, &f->s, f->d);
    if (f->rc == 0)
        f->rc = discover_run(&f->s, o, &f->r, f->d);
}

static void fixture_free(fixture *f)
{
    discover_result_free(f->r);
    discover_src_free(&f->s);
    table_free(&f->t);
    diag_free(f->d);
}

static void test_prim__quantile__is_a_midpoint_between_distinct_values(void)
{
    static const double v[] = { 1, 2, 2, 2, 3, 4, 4, 5, 6, 6 };
    /* (n - 1) q = 0.45: lo 0, hi 1 -> (1 + 2) / 2 */
    CU_ASSERT_EQUAL(prim_quantile(v, 10, 0.05), 1.5);
    /* 8.55: lo 8, hi 9 are equal (6, 6): lo moves to 7 -> (5 + 6) / 2 */
    CU_ASSERT_EQUAL(prim_quantile(v, 10, 0.95), 5.5);
    /* 2.25: lo 2, hi 3 equal (2, 2): hi moves to 4 -> (2 + 3) / 2 */
    CU_ASSERT_EQUAL(prim_quantile(v, 10, 0.25), 2.5);
    static const double c[] = { 7, 7, 7 };
    CU_ASSERT_EQUAL(prim_quantile(c, 3, 0.05), 7);
    CU_ASSERT_EQUAL(prim_quantile(c, 3, 0.95), 7);
}

/* 20 x 20 grid of a (i + 0.25) and b (j / 2 + 0.125) and a third input c
 * that does not matter; the case is exactly a >= 10 and b <= 3. The box
 * must hold exactly the 60 cases, its limits the midpoints between the
 * last value out and the first in: a in [9.75, 19.25], b in [0.125,
 * 2.875], c unrestricted. */
static void test_prim__grid_box__is_recovered_exactly(void)
{
    discover_opts o = defaults("hit == 1");
    fixture f;
    run(&f, DATA "grid.csv", &o);
    CU_ASSERT_EQUAL_FATAL(f.rc, 0);
    CU_ASSERT_EQUAL(f.r->n_in, 3);
    const discover_seq *sq = &f.r->seq[0];
    const prim_step *st = &sq->traj.step[sq->chosen];
    CU_ASSERT_EQUAL(st->n, 60);
    CU_ASSERT_EQUAL(st->k, 60);
    CU_ASSERT_EQUAL(st->coverage, 1.0);
    CU_ASSERT_EQUAL(st->density, 1.0);
    CU_ASSERT_EQUAL(st->res_dim, 2);
    const double *lim = sq->traj.lim + sq->chosen * 6;
    CU_ASSERT_EQUAL(lim[0], (9.25 + 10.25) / 2);
    CU_ASSERT_EQUAL(lim[1], 19.25);
    CU_ASSERT_EQUAL(lim[2], 0.125);
    CU_ASSERT_EQUAL(lim[3], (2.625 + 3.125) / 2);
    CU_ASSERT_EQUAL(lim[4], 0.5);
    CU_ASSERT_EQUAL(lim[5], 19.5);
    fixture_free(&f);
}

/* Every field of the trajectory equals EMA's (tests/data/prim/README.md
 * says how the reference was made), and the quasi-p-values of two boxes
 * agree to 1e-9 relative. */
static void compare_bryant(double peel_alpha, const char *ref, size_t box)
{
    discover_opts o = defaults("Greater_than_90_ == 1");
    o.inputs = bryant_inputs;
    o.n_inputs = 9;
    o.prim.peel_alpha = peel_alpha;
    o.pick = (long)box;
    fixture f;
    run(&f, BRYANT, &o);
    CU_ASSERT_EQUAL_FATAL(f.rc, 0);
    char path[256];
    table t, q;
    diag *d = diag_alloc();
    snprintf(path, sizeof path, DATA "%s_trajectory.csv", ref);
    CU_ASSERT_EQUAL_FATAL(table_read(path, &t, d), 0);
    snprintf(path, sizeof path, DATA "%s_qp.csv", ref);
    CU_ASSERT_EQUAL_FATAL(table_read(path, &q, d), 0);
    const prim_traj *tr = &f.r->seq[0].traj;
    CU_ASSERT_EQUAL_FATAL(tr->n_steps, t.nrow);
    size_t mismatches = 0;
    for (size_t s = 0; s < t.nrow; s++) {
        const prim_step *st = &tr->step[s];
        mismatches += strtod(table_cell(&t, s, 2), NULL) != (double)st->n;
        mismatches += strtod(table_cell(&t, s, 3), NULL) != (double)st->k;
        mismatches += strtod(table_cell(&t, s, 4), NULL) != st->coverage;
        mismatches += strtod(table_cell(&t, s, 5), NULL) != st->density;
        mismatches += strtod(table_cell(&t, s, 6), NULL) != st->mass;
        mismatches += strtod(table_cell(&t, s, 7), NULL)
                      != (double)st->res_dim;
        for (size_t c = 0; c < 18; c++)
            mismatches += strtod(table_cell(&t, s, 8 + c), NULL)
                          != tr->lim[s * 18 + c];
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    /* The quasi-p-values of box BOX (the chosen one) and of the last. */
    double *qp = malloc(18 * sizeof *qp);
    size_t checked = 0;
    /* A fresh analysis: every row remaining, as when EMA computed them. */
    prim *p = prim_alloc(&f.r->data, NULL, 0, &o.prim);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    for (size_t r = 0; r < q.nrow; r++) {
        size_t s = (size_t)strtoul(table_cell(&q, r, 0), NULL, 10), c = 0;
        while (c < 9 && strcmp(bryant_inputs[c], table_cell(&q, r, 1)) != 0)
            c++;
        CU_ASSERT_FATAL(c < 9);
        prim_quasi_p(p, tr, s, qp);
        for (int side = 0; side < 2; side++) {
            double want = strtod(table_cell(&q, r, 2 + (size_t)side), NULL);
            double got = qp[2 * c + (size_t)side];
            if (want < 0) {
                CU_ASSERT_EQUAL(got, -1);
            } else {
                CU_ASSERT(fabs(got - want) <= 1e-9 * want);
            }
            checked++;
        }
    }
    CU_ASSERT(checked >= 16);
    prim_free(p);
    free(qp);
    table_free(&t);
    table_free(&q);
    diag_free(d);
    fixture_free(&f);
}

static void test_prim__bryant_peel_0_1__matches_ema_box_for_box(void)
{
    compare_bryant(0.1, "ema_bryant_peel0.1", 21);
}

static void test_prim__bryant_default__matches_ema_box_for_box(void)
{
    compare_bryant(0.05, "ema_bryant_peel0.05", 10);
}

/* Bad input: exact messages, non-zero exit. */
static void expect_error(const char *path, const discover_opts *o, int rc,
                         const char *msg)
{
    fixture f;
    run(&f, path, o);
    CU_ASSERT_EQUAL(f.rc, rc);
    CU_ASSERT_PTR_NULL(f.r);
    CU_ASSERT_FATAL(diag_count(f.d) >= 1);
    CU_ASSERT_STRING_EQUAL(diag_get(f.d, 0), msg);
    if (strcmp(diag_get(f.d, 0), msg) != 0)
        fprintf(stderr, "\n  got: %s\n", diag_get(f.d, 0));
    fixture_free(&f);
}

static void test_prim__bad_input__gives_exact_messages(void)
{
    discover_opts o = defaults("hitt == 1");
    expect_error(DATA "grid.csv", &o, NCG_EXIT_USAGE,
                 "--case: column 1: unknown name 'hitt' (did you mean "
                 "'hit'?) (in 'hitt == 1'; the names are the columns of "
                 "tests/data/prim/grid.csv)");
    o = defaults("a > 100");
    expect_error(DATA "grid.csv", &o, NCG_EXIT_USAGE,
                 "--case: 'a > 100' holds in none of the 400 rows of "
                 "tests/data/prim/grid.csv: there is nothing to tell apart");
    o = defaults("a > 0");
    expect_error(DATA "grid.csv", &o, NCG_EXIT_USAGE,
                 "--case: 'a > 0' holds in every one of the 400 rows of "
                 "tests/data/prim/grid.csv: there is nothing to tell apart");
    o = defaults("a + 1");
    expect_error(DATA "grid.csv", &o, NCG_EXIT_USAGE,
                 "tests/data/prim/grid.csv:2: --case: 'a + 1' gives 1.25 in "
                 "row 1, not true (1) or false (0): write a condition, e.g. "
                 "x < 50 or an event's name");
    static const char *const bad[] = { "a", "bb" };
    o = defaults("hit == 1");
    o.inputs = bad;
    o.n_inputs = 2;
    expect_error(DATA "grid.csv", &o, NCG_EXIT_USAGE,
                 "--inputs: no column 'bb' in tests/data/prim/grid.csv (did "
                 "you mean 'b'?)");
    o = defaults("hit == 1");
    o.prim.mass_min = 0.001;
    expect_error(DATA "grid.csv", &o, NCG_EXIT_USAGE,
                 "tests/data/prim/grid.csv has 400 rows, fewer than 1 / "
                 "--mass-min = 1000: a box could hold less than one row (use "
                 "more trials or a larger --mass-min)");
    o = defaults("y == 1");
    expect_error(DATA "constant.csv", &o, NCG_EXIT_USAGE,
                 "tests/data/prim/constant.csv: column 'k' has the same "
                 "value in every row: it cannot tell cases apart (leave it "
                 "out: list the inputs with --inputs)");
    expect_error(DATA "empty_cell.csv", &o, NCG_EXIT_USAGE,
                 "tests/data/prim/empty_cell.csv:4: column 'x': empty cell "
                 "(every row of a column of numbers needs a value)");
}

/* Types from the text: whole numbers -> int, numbers -> float, else
 * categories (sorted labels); a categorical input peels by category. */
static void test_prim__column_types__follow_the_text(void)
{
    discover_opts o = defaults("y == 1");
    fixture f;
    run(&f, DATA "types.csv", &o);
    CU_ASSERT_EQUAL_FATAL(f.rc, 0);
    CU_ASSERT_EQUAL(f.s.kind[0], PRIM_INT);
    CU_ASSERT_EQUAL(f.s.kind[1], PRIM_FLOAT);
    CU_ASSERT_EQUAL(f.s.kind[2], PRIM_CAT);
    CU_ASSERT_EQUAL(f.s.n_cat[2], 3);
    CU_ASSERT_STRING_EQUAL(f.s.cat[2][0], "east");
    CU_ASSERT_STRING_EQUAL(f.s.cat[2][2], "west");
    fixture_free(&f);
}

/* The command line: the file contract, and a failed run leaves nothing. */
static void test_prim__command__writes_the_contract_or_nothing(void)
{
    char *dir = test_tmpdir(), cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd, BIN " discover " DATA "grid.csv --case "
             "'hit == 1' --no-plots -q -o %s/d", dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    free(out);
    snprintf(cmd, sizeof cmd, "%s/d/discovery.csv", dir);
    char *csv = test_read(cmd);
    CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
    CU_ASSERT_EQUAL(strncmp(csv, "sequence,box,n,k,coverage,density,mass,"
                            "res_dim,a_min,a_max,b_min,b_max,c_min,c_max\n"
                            "1,0,400,60,1,0.14999999999999999,1,0,", 104), 0);
    free(csv);
    /* A case no row meets: exit 2, the message, and no folder. */
    snprintf(cmd, sizeof cmd, BIN " discover " DATA "grid.csv --case "
             "'a > 100' -q -o %s/e", dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), NCG_EXIT_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "holds in none of the 400 rows"));
    free(out);
    snprintf(cmd, sizeof cmd, "%s/e", dir);
    CU_ASSERT_PTR_NULL(test_read(cmd));
    snprintf(cmd, sizeof cmd, "test -e %s/e", dir);
    CU_ASSERT_NOT_EQUAL(test_run(cmd, &out), 0);
    free(out);
    test_rmrf(dir);
    free(dir);
}

void test_prim_register(void);
void test_prim_register(void)
{
    static const test_case cases[] = {
        { "quantile is a midpoint between distinct values",
          test_prim__quantile__is_a_midpoint_between_distinct_values },
        { "grid box is recovered exactly",
          test_prim__grid_box__is_recovered_exactly },
        { "Bryant data, peel_alpha 0.1: matches EMA box for box",
          test_prim__bryant_peel_0_1__matches_ema_box_for_box },
        { "Bryant data, defaults: matches EMA box for box",
          test_prim__bryant_default__matches_ema_box_for_box },
        { "bad input gives exact messages",
          test_prim__bad_input__gives_exact_messages },
        { "command writes the contract or nothing",
          test_prim__command__writes_the_contract_or_nothing },
        { "column types follow the text",
          test_prim__column_types__follow_the_text },
    };
    TEST_SUITE("prim", cases);
}

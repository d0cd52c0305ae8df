/* test_regress.c: one test per crash found by fuzzing and limit checks, fed through the API that crashed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "expr/code.h"
#include "base/diag.h"
#include "model/model.h"
#include "random/rng.h"
#include "scenario/scenario.h"
#include "expr/vm.h"
#include "testutil.h"

/* The fuzz target's setting (tests/fuzz/fuzz_expr.c), reduced: a param
 * "p" and a derived "x" whose lanes hold 0, 1, 2, 3. */
#define RG_LANES 4

typedef struct rg {
    code_prog *p;
    code_sym syms[2];
    code_env env;
    code_seq q;
    char err[256];
} rg;

static void rg_init(rg *r)
{
    memset(r, 0, sizeof *r);
    r->p = code_alloc();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->p);
    r->syms[0] = (code_sym){.name = "p", .is_param = 1};
    r->syms[0].cur = r->syms[0].prev = code_new_slot(r->p);
    r->syms[1] = (code_sym){.name = "x", .cur = code_new_slot(r->p),
                            .prev = code_new_slot(r->p)};
    r->env = (code_env){.syms = r->syms, .n_syms = 2,
                        .slot_t = code_new_slot(r->p),
                        .slot_T = code_new_slot(r->p), .self = -1,
                        .source_prefix = "derived.y", .counter = 0};
}

static void rg_free(rg *r)
{
    code_seq_clear(&r->q);
    code_free(r->p);
}

/* Compiles SRC into a fresh slot; returns the slot, or CODE_NOMASK with
 * r->err set. */
static uint32_t rg_compile(rg *r, const char *src)
{
    uint32_t dst = code_new_slot(r->p);
    return code_expr(r->p, &r->env, src, dst, &r->q, NULL, r->err,
                     sizeof r->err) ? CODE_NOMASK : dst;
}

/* Runs the compiled code with p = 0.5 and x = lane index; copies slot
 * DST of every lane into OUT. */
static void rg_run(rg *r, uint32_t dst, double out[RG_LANES])
{
    uint32_t n = code_n_slots(r->p);
    double *mem = calloc((size_t)n * VM_BLOCK, sizeof *mem);
    double **reg = calloc(n, sizeof *reg);
    uint64_t keys[1] = {0};
    int64_t clamped[1] = {0};
    gsl_rng *rng = rng_alloc();
    CU_ASSERT_FATAL(mem && reg && rng);
    for (uint32_t s = 0; s < n; s++)
        reg[s] = mem + (size_t)s * VM_BLOCK;
    vm_frame f = {.reg = reg, .lanes = RG_LANES, .rng = rng, .keys = keys,
                  .clamped = clamped};
    for (size_t i = 0; i < code_n_consts(r->p); i++)
        vm_fill(&f, code_const_slot(r->p, i), code_const_value(r->p, i));
    vm_fill(&f, r->syms[0].cur, 0.5);
    for (size_t l = 0; l < RG_LANES; l++)
        reg[r->syms[1].cur][l] = (double)l;
    vm_run(r->q.ins, r->q.n, &f);
    for (size_t l = 0; l < RG_LANES; l++)
        out[l] = reg[dst][l];
    gsl_rng_free(rng);
    free(reg);
    free(mem);
}

/* A chain "1 OP 1 OP ... 1" of TERMS terms (malloc'd). */
static char *rg_chain(char op, size_t terms)
{
    char *s = malloc(2 * terms), *p = s;
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    for (size_t i = 0; i < terms; i++) {
        if (i)
            *p++ = op;
        *p++ = '1';
    }
    *p = 0;
    return s;
}

/* Found by fuzz_expr ("min(st!=-33)"): with one computed argument, the
 * temporary holding it was never given back, and an assert aborted the
 * compiler (and `ncgsim check` with it). */
static void test_regress__min_of_one_computed_argument__compiles_and_evaluates(void)
{
    const struct { const char *src; double want[RG_LANES]; } cases[] = {
        {"min(x != 2)", {1, 1, 0, 1}},
        {"max(-x)", {0, -1, -2, -3}},
        {"min(x + p)", {0.5, 1.5, 2.5, 3.5}},
        {"2 * max(x * x)", {0, 2, 8, 18}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        rg r;
        rg_init(&r);
        uint32_t d = rg_compile(&r, cases[c].src);
        CU_ASSERT_NOT_EQUAL_FATAL(d, CODE_NOMASK);
        double got[RG_LANES];
        rg_run(&r, d, got);
        for (size_t l = 0; l < RG_LANES; l++)
            CU_ASSERT_DOUBLE_EQUAL(got[l], cases[c].want[l], 0);
        rg_free(&r);
    }
}

/* Found by the limit checks: "1 ^ 1 ^ ..." recursed in the parser once
 * per '^' without counting the nesting, and overflowed the stack. */
static void test_regress__power_tower_of_100000__is_refused_not_overflowed(void)
{
    rg r;
    rg_init(&r);
    char *src = rg_chain('^', 100000);
    CU_ASSERT_EQUAL(rg_compile(&r, src), CODE_NOMASK);
    CU_ASSERT_STRING_EQUAL(r.err, "column 400: expression is nested too "
                           "deeply");
    CU_ASSERT_EQUAL(r.q.n, 0);
    free(src);
    rg_free(&r);
}

/* Found by the limit checks: "1 + 1 + ..." parses in a loop, but the
 * code generator walks the tree (as tall as the run) recursively and
 * overflowed the stack. A run up to the bound still compiles. */
static void test_regress__sum_of_100000_terms__is_refused_not_overflowed(void)
{
    rg r;
    rg_init(&r);
    char *src = rg_chain('+', 100000);
    CU_ASSERT_EQUAL(rg_compile(&r, src), CODE_NOMASK);
    CU_ASSERT_STRING_EQUAL(r.err, "column 2000: expression is too long "
                           "(split it into several derived variables)");
    free(src);
    /* 1000 terms make a tree of height 1000: the tallest accepted. */
    src = rg_chain('+', 1000);
    uint32_t d = rg_compile(&r, src);
    CU_ASSERT_NOT_EQUAL_FATAL(d, CODE_NOMASK);
    double got[RG_LANES];
    rg_run(&r, d, got);
    CU_ASSERT_DOUBLE_EQUAL(got[3], 1000, 0);
    free(src);
    src = rg_chain('+', 1001);
    CU_ASSERT_EQUAL(rg_compile(&r, src), CODE_NOMASK);
    CU_ASSERT_STRING_EQUAL(r.err, "column 2000: expression is too long "
                           "(split it into several derived variables)");
    free(src);
    rg_free(&r);
}

/* The first crash again, through the fuzz target's path: a scenario
 * loaded and compiled from a file. */
static void test_regress__scenario_with_min_of_one_argument__builds(void)
{
    char *dir = test_tmpdir();
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    char *path = test_write(dir, "m.cfg",
        "simulation = { steps = 2; trials = 10; };\n"
        "params = { a = 1.0; };\n"
        "states = { s = { init = \"0\"; next = \"max(s + a)\"; }; };\n"
        "derived = { d = \"min(a + 1)\"; };\n");
    diag *d = diag_alloc();
    scenario *s = NULL;
    model *m = NULL;
    CU_ASSERT_EQUAL(scenario_load(path, &(scenario_opts){0}, &s, d), 0);
    CU_ASSERT_EQUAL(model_build(s, &m, d), 0);
    CU_ASSERT_EQUAL(diag_count(d), 0);
    model_free(m);
    scenario_free(s);
    diag_free(d);
    free(path);
    test_rmrf(dir);
    free(dir);
}

void test_regress_register(void);
void test_regress_register(void)
{
    static const test_case cases[] = {
        {"min of one computed argument compiles and evaluates",
         test_regress__min_of_one_computed_argument__compiles_and_evaluates},
        {"power tower of 100000 is refused, not overflowed",
         test_regress__power_tower_of_100000__is_refused_not_overflowed},
        {"sum of 100000 terms is refused, not overflowed",
         test_regress__sum_of_100000_terms__is_refused_not_overflowed},
        {"scenario with min of one argument builds",
         test_regress__scenario_with_min_of_one_argument__builds},
    };
    TEST_SUITE("regress", cases);
}

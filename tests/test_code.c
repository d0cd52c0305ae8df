/* test_code.c: compiling expressions: values, errors, deps, sources, masks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "expr/code.h"
#include "random/rng.h"
#include "expr/vm.h"
#include "testutil.h"

/* A small model: the names an expression may use, each with a value in
 * every lane ("x" is the lane's index, so conditions on it split a block). */
enum { S_ZERO, S_ONE, S_TWO, S_THREE, S_HALF, S_NAN, S_NEG, S_X, S_TROOPS,
       S_CUT, S_TRUMP, N_SYMS };
static const char *const sym_names[N_SYMS] = {
    "zero", "one", "two", "three", "half", "nan", "neg", "x", "troops",
    "cut", "trump"};

typedef struct fixture {
    code_prog *p;
    code_sym syms[N_SYMS];
    code_env env;
    code_seq q;
    code_deps deps;
    char err[256];
    double *mem;          /* the frame's slots, VM_BLOCK doubles each */
    double **reg;
    uint64_t *keys;
    int64_t clamped[2];
    gsl_rng *rng;
    vm_frame f;
} fixture;

static void fx_init(fixture *x)
{
    memset(x, 0, sizeof *x);
    x->p = code_alloc();
    for (int i = 0; i < N_SYMS; i++) {
        x->syms[i].name = sym_names[i];
        x->syms[i].cur = code_new_slot(x->p);
        /* Params are constant in a trial: one slot serves both. */
        x->syms[i].is_param = i == S_TRUMP;
        x->syms[i].prev = i == S_TRUMP ? x->syms[i].cur : code_new_slot(x->p);
    }
    x->env = (code_env){.syms = x->syms, .n_syms = N_SYMS,
                        .slot_t = code_new_slot(x->p),
                        .slot_T = code_new_slot(x->p), .self = -1,
                        .source_prefix = "derived.y", .counter = 1};
    x->rng = rng_alloc();
}

static void fx_free(fixture *x)
{
    code_free(x->p);
    code_seq_clear(&x->q);
    code_deps_clear(&x->deps);
    free(x->mem);
    free(x->reg);
    free(x->keys);
    gsl_rng_free(x->rng);
}

/* Compiles SRC into a fresh slot, appending to x->q; returns the slot, or
 * CODE_NOMASK with x->err set. */
static uint32_t fx_compile(fixture *x, const char *src)
{
    uint32_t dst = code_new_slot(x->p);
    code_deps_clear(&x->deps);
    if (code_expr(x->p, &x->env, src, dst, &x->q, &x->deps, x->err,
                  sizeof x->err))
        return CODE_NOMASK;
    return dst;
}

/* Runs x->q over LANES lanes of trials from 0 at step 3 of 10. */
static void fx_run(fixture *x, size_t lanes)
{
    uint32_t n = code_n_slots(x->p);
    free(x->mem);
    free(x->reg);
    free(x->keys);
    x->mem = calloc((size_t)n * VM_BLOCK, sizeof(double));
    x->reg = calloc(n, sizeof(double *));
    x->keys = calloc(code_n_sources(x->p) + 1, sizeof(uint64_t));
    CU_ASSERT_FATAL(x->mem && x->reg && x->keys);
    for (uint32_t s = 0; s < n; s++)
        x->reg[s] = x->mem + (size_t)s * VM_BLOCK;
    for (size_t i = 0; i < code_n_sources(x->p); i++)
        x->keys[i] = rng_key(7, code_source_name(x->p, i));
    x->f = (vm_frame){.reg = x->reg, .lanes = lanes, .trial0 = 0, .step = 3,
                      .rng = x->rng, .keys = x->keys, .clamped = x->clamped};
    for (size_t i = 0; i < code_n_consts(x->p); i++)
        vm_fill(&x->f, code_const_slot(x->p, i), code_const_value(x->p, i));
    static const double values[N_SYMS] = {0, 1, 2, 3, 0.5, NAN, -1, 0, 28500,
                                          500, 1};
    for (int i = 0; i < N_SYMS; i++) {
        vm_fill(&x->f, x->syms[i].cur, values[i]);
        if (x->syms[i].prev != x->syms[i].cur)
            vm_fill(&x->f, x->syms[i].prev, i == S_TROOPS ? 28000 : -values[i]);
    }
    for (size_t l = 0; l < VM_BLOCK; l++)
        x->reg[x->syms[S_X].cur][l] = (double)l;
    vm_fill(&x->f, x->env.slot_t, 3);
    vm_fill(&x->f, x->env.slot_T, 10);
    vm_run(x->q.ins, x->q.n, &x->f);
}

/* The value of SRC in lane 0 (NaN and a printed error if it does not
 * compile, which the caller's expected value will then not match). */
static double eval(fixture *x, const char *src)
{
    code_seq_clear(&x->q);
    uint32_t dst = fx_compile(x, src);
    if (dst == CODE_NOMASK) {
        fprintf(stderr, "\n%s: %s\n", src, x->err);
        CU_FAIL("does not compile");
        return NAN;
    }
    fx_run(x, 1);
    return x->reg[dst][0];
}

static void test_code__operators__values_follow_precedence(void)
{
    static const struct { const char *src; double v; } cases[] = {
        {"one + two * three", 7}, {"two ^ three ^ two", 512},
        {"-two ^ two", -4}, {"two ^ -one", 0.5}, {"(one + two) * three", 9},
        {"three - two - one", 0}, {"three / two / half", 3},
        {"three - -one", 4}, {"not zero", 1}, {"!three", 0},
        {"not not two", 1}, {"one and two", 1}, {"one && zero", 0},
        {"zero or zero", 0}, {"zero || three", 1}, {"one ? two : three", 2},
        {"zero ? two : zero ? three : half", 0.5},
        {"one ? zero ? one : two : three", 2}, {"one < two", 1},
        {"two <= two", 1}, {"three > two * two", 0}, {"three >= three", 1},
        {"two == two", 1}, {"two != two", 0}, {"t + T", 13},
        {"not one < zero", 1}, {"zero or one and zero", 0},
    };
    fixture x;
    fx_init(&x);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double v = eval(&x, cases[i].src);
        CU_ASSERT_DOUBLE_EQUAL(v, cases[i].v, 1e-12);
        if (fabs(v - cases[i].v) > 1e-12)
            fprintf(stderr, "\n%s = %g\n", cases[i].src, v);
    }
    fx_free(&x);
}

static void test_code__functions__values_on_a_few_inputs(void)
{
    static const struct { const char *src; double v; } cases[] = {
        {"min(three, one, two)", 1}, {"max(one, three, two)", 3},
        {"min(two)", 2}, {"max(neg, neg)", -1},
        {"clamp(three, zero, two)", 2}, {"clamp(neg, zero, two)", 0},
        {"clamp(half, zero, two)", 0.5}, {"abs(neg)", 1}, {"abs(two)", 2},
        {"exp(one)", M_E}, {"log(two)", M_LN2}, {"sqrt(two)", M_SQRT2},
        {"pow(two, three)", 8}, {"floor(-half)", -1}, {"floor(two + half)", 2},
        {"ceil(half)", 1}, {"ceil(-half)", 0}, {"round(half)", 1},
        {"round(-half)", -1}, {"round(two + half)", 3},
        {"round(two + half / two)", 2}, {"logistic(zero)", 0.5},
        {"logistic(two)", 0.8807970779778823}, {"logit(half)", 0},
        {"logit(0.8807970779778823)", 2}, {"if(one, two, three)", 2},
        {"if(zero, two, three)", 3}, {"troops", 28500},
        {"prev(troops)", 28000}, {"prev(trump)", 1},
    };
    fixture x;
    fx_init(&x);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double v = eval(&x, cases[i].src);
        CU_ASSERT_DOUBLE_EQUAL(v, cases[i].v, 1e-12);
        if (fabs(v - cases[i].v) > 1e-12)
            fprintf(stderr, "\n%s = %.17g\n", cases[i].src, v);
    }
    CU_ASSERT_EQUAL(eval(&x, "logit(zero)"), -INFINITY);
    CU_ASSERT_EQUAL(eval(&x, "logit(one)"), INFINITY);
    fx_free(&x);
}

static void test_code__nan__propagates_except_where_short_circuit_decides(void)
{
    static const char *const nan_cases[] = {
        "nan + 1", "-nan", "nan < 1", "1 == nan", "nan != nan", "nan >= nan",
        "min(nan, 1)", "min(1, nan)", "max(nan, 1)", "max(1, 2, nan)",
        "clamp(nan, 0, 1)", "clamp(0.5, nan, 1)", "clamp(0.5, 0, nan)",
        "pow(nan, 0)", "pow(1, nan)", "nan ^ 0", "not nan", "nan and 1",
        "1 and nan", "nan or 1", "0 or nan", "nan ? 1 : 2", "if(nan, 1, 2)",
        "abs(nan)", "exp(nan)", "log(nan)", "sqrt(nan)", "floor(nan)",
        "ceil(nan)", "round(nan)", "logistic(nan)", "logit(nan)",
        "log(neg)", "sqrt(neg)", "logit(two)", "zero / zero",
    };
    static const struct { const char *src; double v; } decided[] = {
        {"0 and nan", 0}, {"1 or nan", 1}, {"zero and log(neg) > 0", 0},
        {"one or zero / zero", 1}, {"one ? two : nan", 2},
        {"zero ? nan : three", 3}, {"if(one, one, nan)", 1},
    };
    fixture x;
    fx_init(&x);
    for (size_t i = 0; i < sizeof nan_cases / sizeof nan_cases[0]; i++) {
        double v = eval(&x, nan_cases[i]);
        CU_ASSERT(isnan(v));
        if (!isnan(v))
            fprintf(stderr, "\n%s = %g, expected NaN\n", nan_cases[i], v);
    }
    for (size_t i = 0; i < sizeof decided / sizeof decided[0]; i++)
        CU_ASSERT_EQUAL(eval(&x, decided[i].src), decided[i].v);
    fx_free(&x);
}

/* The bits of a double, so that NaNs and signed zeros compare exactly. */
static uint64_t bits(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static void test_code__constant_folding__matches_the_evaluator_bit_for_bit(void)
{
    /* Each pair: the same value written with literals (folded at compile
     * time) and with names (computed by vm_run). */
    static const struct { const char *folded, *run; } cases[] = {
        {"1 + 2 * 3", "one + two * three"}, {"2 ^ 0.5", "two ^ half"},
        {"-(3 / 2)", "-(three / two)"}, {"1 - 3", "one - three"},
        {"1 < 2", "one < two"}, {"2 <= 1", "two <= one"}, {"3 > 2", "three > two"},
        {"2 >= 3", "two >= three"}, {"2 == 2", "two == two"}, {"1 != 2", "one != two"},
        {"1 and 0", "one and zero"}, {"0 or 2", "zero or two"}, {"not 0.5", "not half"},
        {"1 ? 2 : 3", "one ? two : three"}, {"min(3, 1, 2)", "min(three, one, two)"},
        {"max(-1, 0.5)", "max(neg, half)"}, {"clamp(3, 0, 2)", "clamp(three, zero, two)"},
        {"abs(-1)", "abs(neg)"}, {"exp(0.5)", "exp(half)"}, {"log(3)", "log(three)"},
        {"sqrt(3)", "sqrt(three)"}, {"pow(3, 0.5)", "pow(three, half)"},
        {"floor(-0.5)", "floor(-half)"}, {"ceil(0.5)", "ceil(half)"},
        {"round(-0.5)", "round(-half)"}, {"logistic(3)", "logistic(three)"},
        {"logit(0.5 / 2)", "logit(half / two)"}, {"if(0, 1, 2)", "if(zero, one, two)"},
        {"0 / 0", "zero / zero"}, {"log(0)", "log(zero)"}, {"-0", "-zero"},
    };
    fixture x;
    fx_init(&x);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double folded = eval(&x, cases[i].folded);
        /* A folded expression is one MOV of a constant. */
        CU_ASSERT_EQUAL(x.q.n, 1);
        CU_ASSERT_EQUAL(x.q.ins[0].op, OP_MOV);
        double run = eval(&x, cases[i].run);
        CU_ASSERT_EQUAL(bits(folded), bits(run));
    }
    fx_free(&x);
}

/* Asserts that LIST of N holds exactly the WANT_N indices in WANT, in order. */
static void assert_list(const size_t *list, size_t n, const size_t *want,
                        size_t want_n)
{
    CU_ASSERT_EQUAL_FATAL(n, want_n);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_EQUAL(list[i], want[i]);
}

static void test_code__errors__exact_messages_with_columns(void)
{
    static const struct { const char *src, *msg; } cases[] = {
        {"trops + 1", "column 1: unknown name 'trops' (did you mean 'troops'?)"},
        {"1 + zzzz", "column 5: unknown name 'zzzz'"},
        {"exp + 1", "column 1: 'exp' is a function: write exp(...)"},
        {"troops(1)", "column 1: 'troops' is not a function"},
        {"1 - t(1)", "column 5: 't' is not a function"},
        {"mx(1, 2)", "column 1: unknown function 'mx' (did you mean 'max'?)"},
        {"tropps(1)", "column 1: unknown function 'tropps' (did you mean 'troops'?)"},
        {"zzzz(1)", "column 1: unknown function 'zzzz'"},
        {"clamp(1, 2)", "column 1: clamp() takes 3 arguments, got 2"},
        {"2 * exp(1, 2)", "column 5: exp() takes 1 argument, got 2"},
        {"exp()", "column 1: exp() takes 1 argument, got 0"},
        {"min()", "column 1: min() takes at least 1 argument"},
        {"1 + normal(0)", "column 5: normal() takes 2 arguments, got 1"},
        {"if(1, 2)", "column 1: if() takes 3 arguments, got 2"},
        {"prev(1 + troops)", "column 6: prev() takes a variable name"},
        {"prev(t)", "column 6: prev() takes a variable name"},
        {"prev(exp)", "column 6: prev() takes a variable name"},
        {"prev(trops)", "column 6: unknown name 'trops' (did you mean 'troops'?)"},
        {"prev(troops, 1)", "column 1: prev() takes 1 argument, got 2"},
        {"one ? two", "column 10: expected ':' but found end of expression"},
        {"", "column 1: empty expression"},
    };
    fixture x;
    fx_init(&x);
    uint32_t slots = code_n_slots(x.p);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CU_ASSERT_EQUAL(fx_compile(&x, cases[i].src), CODE_NOMASK);
        CU_ASSERT_STRING_EQUAL(x.err, cases[i].msg);
        if (strcmp(x.err, cases[i].msg) != 0)
            fprintf(stderr, "\n%s: got %s\n", cases[i].src, x.err);
        /* A wrong expression leaves nothing behind but its dst slot. */
        CU_ASSERT_EQUAL(x.q.n, 0);
        CU_ASSERT_EQUAL(x.deps.n_same + x.deps.n_all, 0);
        CU_ASSERT_EQUAL(code_n_slots(x.p), ++slots);
    }
    CU_ASSERT_EQUAL(code_n_sources(x.p), 0);
    CU_ASSERT_EQUAL(code_n_consts(x.p), 0);
    fx_free(&x);
}

static void test_code__params__only_params_and_T_and_no_random_calls(void)
{
    static const struct { const char *src, *msg; } cases[] = {
        {"trump + troops",
         "column 9: params can only refer to other params and T, not 'troops'"},
        {"t * 2", "column 1: params can only refer to other params and T, not 't'"},
        {"prev(troops)",
         "column 6: params can only refer to other params and T, not 'troops'"},
        {"trump * normal(0, 1)",
         "column 9: random function 'normal' is not allowed in params"},
        {"bernoulli(0.5)",
         "column 1: random function 'bernoulli' is not allowed in params"},
    };
    fixture x;
    fx_init(&x);
    x.env.params_only = 1;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CU_ASSERT_EQUAL(fx_compile(&x, cases[i].src), CODE_NOMASK);
        CU_ASSERT_STRING_EQUAL(x.err, cases[i].msg);
    }
    CU_ASSERT_EQUAL(eval(&x, "trump * T + 1"), 11);
    CU_ASSERT_EQUAL(x.deps.n_same, 0);
    assert_list(x.deps.all, x.deps.n_all, (size_t[]){S_TRUMP}, 1);
    fx_free(&x);
}

static void test_code__deps__same_step_and_all_reads_in_first_use_order(void)
{
    fixture x;
    fx_init(&x);
    fx_compile(&x, "cut + troops * trump + cut + t + T");
    assert_list(x.deps.same, x.deps.n_same, (size_t[]){S_CUT, S_TROOPS}, 2);
    assert_list(x.deps.all, x.deps.n_all,
                (size_t[]){S_CUT, S_TROOPS, S_TRUMP}, 3);
    CU_ASSERT_EQUAL(x.deps.uses_random, 0);

    fx_compile(&x, "prev(cut) + x + normal(prev(x), 1)");
    assert_list(x.deps.same, x.deps.n_same, (size_t[]){S_X}, 1);
    assert_list(x.deps.all, x.deps.n_all, (size_t[]){S_CUT, S_X}, 2);
    CU_ASSERT_EQUAL(x.deps.uses_random, 1);

    /* deps may be NULL. */
    CU_ASSERT_EQUAL(code_expr(x.p, &x.env, "cut", code_new_slot(x.p), &x.q,
                              NULL, x.err, sizeof x.err), 0);
    fx_free(&x);
}

static void test_code__self_name__reads_the_previous_value_and_is_no_dep(void)
{
    fixture x;
    fx_init(&x);
    x.env.self = S_TROOPS;
    CU_ASSERT_EQUAL(eval(&x, "troops - cut"), 27500);
    assert_list(x.deps.same, x.deps.n_same, (size_t[]){S_CUT}, 1);
    assert_list(x.deps.all, x.deps.n_all, (size_t[]){S_TROOPS, S_CUT}, 2);
    fx_free(&x);
}

static void test_code__init_phase__prev_is_the_same_step_value(void)
{
    fixture x;
    fx_init(&x);
    x.env.init_phase = 1;
    CU_ASSERT_EQUAL(eval(&x, "prev(troops) + 1"), 28501);
    assert_list(x.deps.same, x.deps.n_same, (size_t[]){S_TROOPS}, 1);
    x.env.init_phase = 0;
    CU_ASSERT_EQUAL(eval(&x, "prev(troops) + 1"), 28001);
    CU_ASSERT_EQUAL(x.deps.n_same, 0);
    assert_list(x.deps.all, x.deps.n_all, (size_t[]){S_TROOPS}, 1);
    fx_free(&x);
}

static void test_code__emission__last_instruction_writes_dst_and_leaves_move(void)
{
    fixture x;
    fx_init(&x);
    uint32_t d = fx_compile(&x, "one + two");
    CU_ASSERT_EQUAL_FATAL(x.q.n, 1);
    CU_ASSERT_EQUAL(x.q.ins[0].op, OP_ADD);
    CU_ASSERT_EQUAL(x.q.ins[0].d, d);
    CU_ASSERT_EQUAL(x.q.ins[0].a, x.syms[S_ONE].cur);
    CU_ASSERT_EQUAL(x.q.ins[0].b, x.syms[S_TWO].cur);

    code_seq_clear(&x.q);
    d = fx_compile(&x, "troops");
    CU_ASSERT_EQUAL_FATAL(x.q.n, 1);
    CU_ASSERT_EQUAL(x.q.ins[0].op, OP_MOV);
    CU_ASSERT_EQUAL(x.q.ins[0].d, d);
    CU_ASSERT_EQUAL(x.q.ins[0].a, x.syms[S_TROOPS].cur);

    /* A leaf that is its own destination needs no instruction at all. */
    code_seq_clear(&x.q);
    CU_ASSERT_EQUAL(code_expr(x.p, &x.env, "x", x.syms[S_X].cur, &x.q, NULL,
                              x.err, sizeof x.err), 0);
    CU_ASSERT_EQUAL(x.q.n, 0);

    /* Deterministic branches compute no masks: GT and SEL only. */
    code_seq_clear(&x.q);
    fx_compile(&x, "x > 5 ? one : two");
    CU_ASSERT_EQUAL(x.q.n, 2);
    fx_free(&x);
}

static void test_code__temps__are_reused_by_the_next_expression(void)
{
    fixture x;
    fx_init(&x);
    fx_compile(&x, "(x - two) / (three - one) + (one + x) * two");
    uint32_t after_first = code_n_slots(x.p);
    fx_compile(&x, "(one + two) * (three + x)");
    /* Only the second destination is new: its temporaries are the first's. */
    CU_ASSERT_EQUAL(code_n_slots(x.p), after_first + 1);
    fx_free(&x);
}

static void test_code__constants__one_slot_per_bit_pattern(void)
{
    code_prog *p = code_alloc();
    uint32_t a = code_const(p, 1.5);
    CU_ASSERT_EQUAL(code_const(p, 1.5), a);
    uint32_t z = code_const(p, 0.0);
    CU_ASSERT_NOT_EQUAL(code_const(p, -0.0), z);
    uint32_t n = code_const(p, NAN);
    CU_ASSERT_EQUAL(code_const(p, NAN), n);
    /* Enough distinct values to grow the index several times. */
    for (int i = 0; i < 1000; i++)
        code_const(p, i + 0.25);
    for (int i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL(code_const(p, i + 0.25), code_const_slot(p, (size_t)i + 4));
    CU_ASSERT_EQUAL(code_n_consts(p), 1004);
    CU_ASSERT_EQUAL(code_const_slot(p, 0), a);
    CU_ASSERT_EQUAL(code_const_value(p, 0), 1.5);
    CU_ASSERT_EQUAL(code_n_slots(p), 1004);
    code_free(p);
    code_free(NULL);
}

static void test_code__sources__unique_by_name_and_copied(void)
{
    code_prog *p = code_alloc();
    char name[32];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "events.e%d", i);
        CU_ASSERT_EQUAL(code_source(p, name), (uint32_t)i);
    }
    snprintf(name, sizeof name, "events.e%d", 17);
    CU_ASSERT_EQUAL(code_source(p, name), 17);
    name[0] = 'X';
    CU_ASSERT_STRING_EQUAL(code_source_name(p, 17), "events.e17");
    CU_ASSERT_EQUAL(code_n_sources(p), 300);
    code_free(p);
}

static void test_code__random_calls__numbered_in_source_order(void)
{
    fixture x;
    fx_init(&x);
    x.env.source_prefix = "states.s.next";
    fx_compile(&x, "normal(uniform(0, 1), 1) + x * bernoulli(0.5)");
    CU_ASSERT_EQUAL_FATAL(code_n_sources(x.p), 3);
    for (size_t i = 0; i < x.q.n; i++) {
        const code_ins *in = &x.q.ins[i];
        const char *want = in->op == OP_RNORM ? "states.s.next#1"
                         : in->op == OP_RUNIF ? "states.s.next#2"
                         : in->op == OP_RBERN ? "states.s.next#3" : NULL;
        if (!want)
            continue;
        CU_ASSERT_STRING_EQUAL(code_source_name(x.p, in->s), want);
        CU_ASSERT_EQUAL(in->k, 1);
        CU_ASSERT_EQUAL(in->m, CODE_NOMASK);
    }
    /* Compiling the same site names again reuses the sources. */
    fx_compile(&x, "normal(0, 1)");
    CU_ASSERT_EQUAL(code_n_sources(x.p), 3);
    fx_free(&x);
}

/* Compiles SRC alone, runs it over 16 lanes (x = 0 .. 15) and returns its
 * slot; x->clamped[1] counts the clamps. */
static uint32_t run16(fixture *x, const char *src)
{
    code_seq_clear(&x->q);
    x->clamped[1] = 0;
    uint32_t d = fx_compile(x, src);
    CU_ASSERT_FATAL(d != CODE_NOMASK);
    fx_run(x, 16);
    return d;
}

static void test_code__masks__untaken_branches_draw_nothing(void)
{
    /* bernoulli(x + 2) clamps p in every lane that draws: the clamp count is
     * the number of drawing lanes, and those lanes hold 1. */
    static const struct { const char *src; int64_t draws; } cases[] = {
        {"x > 5 ? bernoulli(x + 2) : 0", 10},
        {"x > 5 ? 0 : bernoulli(x + 2)", 6},
        {"if(x > 5, bernoulli(x + 2), 0)", 10},
        {"x > 5 and bernoulli(x + 2)", 10},
        {"x > 5 or bernoulli(x + 2)", 6},
        {"x > 2 ? (x < 7 ? bernoulli(x + 2) : 0) : 0", 4},
        {"x > 2 ? (x < 7 ? 0 : bernoulli(x + 2)) : 0", 9},
        {"x > 2 and (x < 7 or bernoulli(x + 2))", 9},
        {"x < 8 ? (x > 2 and bernoulli(x + 2)) : bernoulli(x + 2)", 13},
        {"1 ? bernoulli(x + 2) : 0", 16},
        {"bernoulli(x + 2)", 16},
    };
    fixture x;
    fx_init(&x);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run16(&x, cases[i].src);
        CU_ASSERT_EQUAL(x.clamped[1], cases[i].draws);
        if (x.clamped[1] != cases[i].draws)
            fprintf(stderr, "\n%s: %lld draws\n", cases[i].src,
                    (long long)x.clamped[1]);
    }
    uint32_t d = run16(&x, "x > 5 ? bernoulli(x + 2) : 0");
    for (size_t l = 0; l < 16; l++)
        CU_ASSERT_EQUAL(x.reg[d][l], l > 5 ? 1.0 : 0.0);
    fx_free(&x);
}

static void test_code__masks__active_lanes_get_the_unmasked_values(void)
{
    fixture x;
    fx_init(&x);
    double plain[16];
    uint32_t d = run16(&x, "normal(0, 1)");
    memcpy(plain, x.reg[d], sizeof plain);
    /* Same source name (first call site of the same prefix). */
    d = run16(&x, "x > 5 ? normal(0, 1) : -100");
    for (size_t l = 0; l < 16; l++)
        CU_ASSERT_EQUAL(x.reg[d][l], l > 5 ? plain[l] : -100);
    /* The values differ from lane to lane: they are real draws. */
    CU_ASSERT_NOT_EQUAL(plain[0], plain[1]);
    fx_free(&x);
}

static void test_code__dump__shows_ops_slots_constants_and_sources(void)
{
    fixture x;
    fx_init(&x);
    uint32_t d = fx_compile(&x, "x > 5 ? normal(0, 1) * 2 : -x");
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    code_dump(x.p, &x.q, out);
    fclose(out);
    uint32_t sx = x.syms[S_X].cur;
    /* Slots after the syms, t and T: the destination, then constant 5,
     * a temporary for the condition, constants 0 and 1, ... */
    char want[1024];
    snprintf(want, sizeof want,
             "   0  GT       s%u := s%u, 5\n"
             "   1  RNORM    s%u := 0, 1  mask s%u  source 0 'derived.y#1'  counter 1\n"
             "   2  MUL      s%u := s%u, 2\n"
             "   3  NEG      s%u := s%u\n"
             "   4  SEL      s%u := s%u, s%u, s%u\n",
             d + 2, sx, d + 5, d + 2, d + 7, d + 5, d + 5, sx, d, d + 2, d + 7,
             d + 5);
    CU_ASSERT_STRING_EQUAL(buf, want);
    if (strcmp(buf, want) != 0)
        fprintf(stderr, "\ngot:\n%swant:\n%s", buf, want);
    free(buf);
    fx_free(&x);
}

/* The reserved names come from the compiler's own tables: every function
 * (random ones too), the keywords, t and T; nothing else. */
static void test_code__reserved_names__are_the_functions_keywords_t_and_T(void)
{
    static const char *const yes[] = { "min", "max", "clamp", "if", "prev",
                                       "logit", "normal", "pert", "poisson",
                                       "and", "or", "not", "t", "T" };
    static const char *const no[] = { "troops", "minimum", "Min", "tt", "",
                                      "prev_", "normal2" };
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        CU_ASSERT_TRUE(code_is_reserved(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        CU_ASSERT_FALSE(code_is_reserved(no[i]));
}

void test_code_register(void);
void test_code_register(void)
{
    static const test_case cases[] = {
        {"reserved names: are the functions, keywords, t and T",
         test_code__reserved_names__are_the_functions_keywords_t_and_T},
        {"operators: values follow precedence",
         test_code__operators__values_follow_precedence},
        {"functions: values on a few inputs",
         test_code__functions__values_on_a_few_inputs},
        {"nan: propagates except where short-circuit decides",
         test_code__nan__propagates_except_where_short_circuit_decides},
        {"constant folding: matches the evaluator bit for bit",
         test_code__constant_folding__matches_the_evaluator_bit_for_bit},
        {"errors: exact messages with columns",
         test_code__errors__exact_messages_with_columns},
        {"params: only params and T, and no random calls",
         test_code__params__only_params_and_T_and_no_random_calls},
        {"deps: same step and all reads in first-use order",
         test_code__deps__same_step_and_all_reads_in_first_use_order},
        {"self name: reads the previous value and is no dep",
         test_code__self_name__reads_the_previous_value_and_is_no_dep},
        {"init phase: prev is the same-step value",
         test_code__init_phase__prev_is_the_same_step_value},
        {"emission: last instruction writes dst, leaves move",
         test_code__emission__last_instruction_writes_dst_and_leaves_move},
        {"temps: are reused by the next expression",
         test_code__temps__are_reused_by_the_next_expression},
        {"constants: one slot per bit pattern",
         test_code__constants__one_slot_per_bit_pattern},
        {"sources: unique by name and copied",
         test_code__sources__unique_by_name_and_copied},
        {"random calls: numbered in source order",
         test_code__random_calls__numbered_in_source_order},
        {"masks: untaken branches draw nothing",
         test_code__masks__untaken_branches_draw_nothing},
        {"masks: active lanes get the unmasked values",
         test_code__masks__active_lanes_get_the_unmasked_values},
        {"dump: shows ops, slots, constants and sources",
         test_code__dump__shows_ops_slots_constants_and_sources},
    };
    TEST_SUITE("code", cases);
}

/* test_vm.c: every opcode over blocks of lanes: values, NaN, draws, events. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "random/rng.h"
#include "random/zig.h"
#include "expr/vm.h"
#include "testutil.h"

/* Slots of the test frame: 0 is the destination, 1-3 the operands a, b, c,
 * 4 a mask. */
enum { D, A, B, C, M, N_SLOTS };
#define N CODE_NOMASK

typedef struct frame {
    double (*mem)[VM_BLOCK];
    double *reg[N_SLOTS];
    uint64_t keys[2];
    int64_t clamped[2];
    vm_frame f;
} frame;

static frame *frame_new(size_t lanes)
{
    frame *fr = calloc(1, sizeof *fr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fr);
    fr->mem = calloc(N_SLOTS, sizeof *fr->mem);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fr->mem);
    for (int s = 0; s < N_SLOTS; s++)
        fr->reg[s] = fr->mem[s];
    fr->keys[0] = rng_key(42, "test.source");
    fr->keys[1] = rng_key(42, "test.other");
    fr->f = (vm_frame){.reg = fr->reg, .lanes = lanes, .step = 5,
                       .rng = rng_alloc(), .keys = fr->keys,
                       .clamped = fr->clamped};
    CU_ASSERT_PTR_NOT_NULL_FATAL(fr->f.rng);
    return fr;
}

static void frame_free(frame *fr)
{
    gsl_rng_free(fr->f.rng);
    free(fr->mem);
    free(fr);
}

static code_ins ins(opcode op, uint32_t m)
{
    return (code_ins){.op = (uint8_t)op, .d = D, .a = A, .b = B, .c = C,
                      .m = m, .s = 0, .k = 1};
}

/* Equal as values, with NaN equal to NaN. */
static int same(double x, double y)
{
    return (isnan(x) && isnan(y)) || x == y;
}

static void test_vm__deterministic_ops__values_and_nan_rules(void)
{
    const double nan = NAN, inf = INFINITY;
    const struct { opcode op; double a, b, c, want; } cases[] = {
        {OP_MOV, 2.5, 0, 0, 2.5}, {OP_NEG, 2, 0, 0, -2}, {OP_NEG, nan, 0, 0, nan},
        {OP_ADD, 1, 2, 0, 3}, {OP_SUB, 1, 2, 0, -1}, {OP_MUL, 3, 2, 0, 6},
        {OP_MUL, 0, nan, 0, nan}, {OP_DIV, 1, 4, 0, 0.25}, {OP_DIV, 1, 0, 0, inf},
        {OP_POW, 2, 10, 0, 1024}, {OP_POW, nan, 0, 0, nan}, {OP_POW, 1, nan, 0, nan},
        {OP_LT, 1, 2, 0, 1}, {OP_LT, 2, 2, 0, 0}, {OP_LT, nan, 2, 0, nan},
        {OP_LE, 2, 2, 0, 1}, {OP_LE, 3, 2, 0, 0}, {OP_LE, 2, nan, 0, nan},
        {OP_GT, 3, 2, 0, 1}, {OP_GT, 2, 2, 0, 0}, {OP_GT, nan, nan, 0, nan},
        {OP_GE, 2, 2, 0, 1}, {OP_GE, 1, 2, 0, 0}, {OP_GE, 1, nan, 0, nan},
        {OP_EQ, 2, 2, 0, 1}, {OP_EQ, 1, 2, 0, 0}, {OP_EQ, nan, nan, 0, nan},
        {OP_NE, 1, 2, 0, 1}, {OP_NE, 2, 2, 0, 0}, {OP_NE, nan, 1, 0, nan},
        {OP_AND, 0, nan, 0, 0}, {OP_AND, nan, 0, 0, nan}, {OP_AND, 2, nan, 0, nan},
        {OP_AND, 2, 3, 0, 1}, {OP_AND, 2, 0, 0, 0}, {OP_AND, 0, 1, 0, 0},
        {OP_OR, nan, 1, 0, nan}, {OP_OR, 2, nan, 0, 1}, {OP_OR, 0, nan, 0, nan},
        {OP_OR, 0, 0, 0, 0}, {OP_OR, 0, -3, 0, 1},
        {OP_NOT, 0, 0, 0, 1}, {OP_NOT, -2, 0, 0, 0}, {OP_NOT, nan, 0, 0, nan},
        {OP_SEL, 1, 2, 3, 2}, {OP_SEL, 0, 2, 3, 3}, {OP_SEL, nan, 2, 3, nan},
        {OP_SEL, 1, 2, nan, 2}, {OP_SEL, 0, nan, 3, 3},
        {OP_MIN, 1, 2, 0, 1}, {OP_MIN, 2, -1, 0, -1}, {OP_MIN, nan, 1, 0, nan},
        {OP_MIN, 1, nan, 0, nan}, {OP_MAX, 1, 2, 0, 2}, {OP_MAX, nan, 1, 0, nan},
        {OP_MAX, 1, nan, 0, nan},
        {OP_CLAMP, 5, 0, 1, 1}, {OP_CLAMP, -5, 0, 1, 0}, {OP_CLAMP, 0.5, 0, 1, 0.5},
        {OP_CLAMP, nan, 0, 1, nan}, {OP_CLAMP, 0.5, nan, 1, nan},
        {OP_CLAMP, 0.5, 0, nan, nan},
        {OP_BOUND, 5, 0, 1, 1}, {OP_BOUND, -5, 0, 1, 0}, {OP_BOUND, inf, 0, 1, inf},
        {OP_BOUND, -inf, 0, 1, -inf}, {OP_BOUND, nan, 0, 1, nan},
        {OP_BOUND, 3, -inf, 1, 1},
        {OP_ABS, -3, 0, 0, 3}, {OP_EXP, 0, 0, 0, 1}, {OP_EXP, -inf, 0, 0, 0},
        {OP_LOG, 1, 0, 0, 0}, {OP_LOG, 0, 0, 0, -inf}, {OP_LOG, -1, 0, 0, nan},
        {OP_SQRT, 9, 0, 0, 3}, {OP_SQRT, -1, 0, 0, nan},
        {OP_FLOOR, -1.5, 0, 0, -2}, {OP_CEIL, -1.5, 0, 0, -1},
        {OP_ROUND, 2.5, 0, 0, 3}, {OP_ROUND, -2.5, 0, 0, -3}, {OP_ROUND, 2.4, 0, 0, 2},
        {OP_LOGISTIC, 0, 0, 0, 0.5}, {OP_LOGISTIC, -1000, 0, 0, 0},
        {OP_LOGISTIC, 1000, 0, 0, 1}, {OP_LOGIT, 0.5, 0, 0, 0},
        {OP_LOGIT, 0, 0, 0, -inf}, {OP_LOGIT, 1, 0, 0, inf}, {OP_LOGIT, 1.5, 0, 0, nan},
    };
    frame *fr = frame_new(VM_BLOCK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* Every lane gets the case, and all of them must agree. */
        vm_fill(&fr->f, A, cases[i].a);
        vm_fill(&fr->f, B, cases[i].b);
        vm_fill(&fr->f, C, cases[i].c);
        code_ins in = ins(cases[i].op, N);
        vm_run(&in, 1, &fr->f);
        int ok = 1;
        for (size_t l = 0; l < VM_BLOCK; l++)
            ok &= same(fr->reg[D][l], cases[i].want);
        ok &= same(vm_scalar(cases[i].op, cases[i].a, cases[i].b, cases[i].c),
                   cases[i].want);
        CU_ASSERT(ok);
        if (!ok)
            fprintf(stderr, "\ncase %zu: op %d gave %g, want %g\n", i,
                    (int)cases[i].op, fr->reg[D][0], cases[i].want);
    }
    frame_free(fr);
}

static void test_vm__in_place_update__reads_each_lane_before_writing(void)
{
    frame *fr = frame_new(VM_BLOCK);
    for (size_t l = 0; l < VM_BLOCK; l++)
        fr->reg[A][l] = (double)l - 100;
    vm_fill(&fr->f, B, 0);
    vm_fill(&fr->f, C, 50);
    /* A state clamped into its bounds where it lives, then doubled. */
    code_ins prog[] = {
        {.op = OP_CLAMP, .d = A, .a = A, .b = B, .c = C, .m = N},
        {.op = OP_ADD, .d = A, .a = A, .b = A, .m = N},
    };
    vm_run(prog, 2, &fr->f);
    for (size_t l = 0; l < VM_BLOCK; l++) {
        double v = (double)l - 100;
        CU_ASSERT_EQUAL(fr->reg[A][l], 2 * (v < 0 ? 0 : v > 50 ? 50 : v));
    }
    frame_free(fr);
}

static void test_vm__lanes__only_active_lanes_are_written_but_fill_fills_all(void)
{
    frame *fr = frame_new(3);
    vm_fill(&fr->f, A, 7);
    vm_fill(&fr->f, D, -1);
    for (size_t l = 0; l < VM_BLOCK; l++)
        CU_ASSERT_EQUAL(fr->reg[A][l], 7);
    code_ins in = ins(OP_NEG, N);
    vm_run(&in, 1, &fr->f);
    CU_ASSERT_EQUAL(fr->reg[D][2], -7);
    CU_ASSERT_EQUAL(fr->reg[D][3], -1);
    CU_ASSERT_EQUAL(fr->reg[D][VM_BLOCK - 1], -1);
    frame_free(fr);
}

/* Runs random op OP with constant arguments over enough blocks for N
 * draws (trials 0 .. n-1) and returns the sample mean, variance and the
 * standard error of that variance (from the sample's fourth moment). */
static void sample(frame *fr, opcode op, double a, double b, double c,
                   size_t n, double *mean, double *var, double *se_var)
{
    vm_fill(&fr->f, A, a);
    vm_fill(&fr->f, B, b);
    vm_fill(&fr->f, C, c);
    code_ins in = ins(op, N);
    double *x = malloc(n * sizeof *x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    for (size_t t0 = 0; t0 < n; t0 += VM_BLOCK) {
        fr->f.trial0 = t0;
        vm_run(&in, 1, &fr->f);
        memcpy(x + t0, fr->reg[D], VM_BLOCK * sizeof *x);
    }
    double s = 0, s2 = 0, s4 = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    *mean = s / (double)n;
    for (size_t i = 0; i < n; i++) {
        double dev = x[i] - *mean;
        s2 += dev * dev;
        s4 += dev * dev * dev * dev;
    }
    *var = s2 / (double)(n - 1);
    *se_var = sqrt((s4 / (double)n - *var * *var) / (double)n);
    free(x);
}

static void test_vm__random_ops__mean_and_variance_match_closed_forms(void)
{
    const double e = exp(0.25);
    const struct { opcode op; double a, b, c, mean, var; } cases[] = {
        {OP_RBERN, 0.3, 0, 0, 0.3, 0.21},
        {OP_RUNIF, 2, 5, 0, 3.5, 0.75},
        {OP_RNORM, 1, 2, 0, 1, 4},
        /* lognormal(median 2, sigma 0.5): mean 2 e^(s^2/2),
         * variance (e^(s^2) - 1) 4 e^(s^2). */
        {OP_RLOGN, 2, 0.5, 0, 2 * exp(0.125), (e - 1) * 4 * e},
        {OP_RBETA, 2, 3, 0, 0.4, 0.04},
        {OP_RGAMMA, 3, 2, 0, 6, 12},
        {OP_REXP, 2, 0, 0, 2, 4},
        {OP_RPOIS, 4, 0, 0, 4, 4},
        {OP_RBINOM, 10, 0.3, 0, 3, 2.1},
        /* triangular(0, 1, 4): mean (0+1+4)/3, variance
         * (0+1+16-0-0-4)/18. */
        {OP_RTRI, 0, 1, 4, 5.0 / 3, 13.0 / 18},
        /* pert(0, 1, 4) = 4 Beta(2, 4): mean 4/3, variance 16*8/(36*7). */
        {OP_RPERT, 0, 1, 4, 4.0 / 3, 128.0 / 252},
    };
    const size_t n = 800 * VM_BLOCK;
    frame *fr = frame_new(VM_BLOCK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double mean, var, se_var;
        sample(fr, cases[i].op, cases[i].a, cases[i].b, cases[i].c, n, &mean,
               &var, &se_var);
        /* Fixed key and trials: 4.5 standard errors leaves room for the
         * many checks here while catching any wrong parameterisation. */
        ASSERT_WITHIN_SE(mean, cases[i].mean, sqrt(cases[i].var / (double)n), 4.5);
        ASSERT_WITHIN_SE(var, cases[i].var, se_var, 4.5);
    }
    CU_ASSERT_EQUAL(fr->clamped[1], 0);
    frame_free(fr);
}

static void test_vm__random_ops__single_uniform_draws_follow_their_definition(void)
{
    frame *fr = frame_new(VM_BLOCK);
    fr->f.trial0 = 1000;
    vm_fill(&fr->f, A, 0.4);
    vm_fill(&fr->f, B, 1.4);
    vm_fill(&fr->f, C, 3);
    const opcode ops[] = {OP_RBERN, OP_RUNIF, OP_RTRI, OP_RNORM};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        code_ins in = ins(ops[k], N);
        vm_run(&in, 1, &fr->f);
        for (size_t l = 0; l < VM_BLOCK; l++) {
            uint64_t trial = 1000 + l;
            double u = rng_uniform_at(fr->keys[0], trial, 5), want;
            if (ops[k] == OP_RBERN)
                want = u < 0.4;
            else if (ops[k] == OP_RUNIF)
                want = 0.4 + 1.0 * u;
            else if (ops[k] == OP_RTRI)
                want = u < 1.0 / 2.6 ? 0.4 + sqrt(u * 2.6 * 1.0)
                                     : 3 - sqrt((1 - u) * 2.6 * 1.6);
            else {
                rng_position(fr->f.rng, fr->keys[0], trial, 5);
                want = 0.4 + gsl_ran_gaussian_ziggurat(fr->f.rng, 1.4);
            }
            CU_ASSERT_DOUBLE_EQUAL(fr->reg[D][l], want, 1e-15);
        }
    }
    frame_free(fr);
}

static void test_vm__random_ops__depend_on_trial_and_step_not_on_the_block(void)
{
    frame *fr = frame_new(VM_BLOCK);
    vm_fill(&fr->f, A, 0);
    vm_fill(&fr->f, B, 1);
    code_ins in = ins(OP_RNORM, N);
    fr->f.trial0 = 0;
    vm_run(&in, 1, &fr->f);
    double lane9 = fr->reg[D][9];
    fr->f.trial0 = 9;
    vm_run(&in, 1, &fr->f);
    CU_ASSERT_EQUAL(fr->reg[D][0], lane9);
    fr->f.step = 6;
    vm_run(&in, 1, &fr->f);
    CU_ASSERT_NOT_EQUAL(fr->reg[D][0], lane9);
    frame_free(fr);
}

static void test_vm__random_ops__invalid_arguments_give_nan(void)
{
    const double nan = NAN, inf = INFINITY;
    const struct { opcode op; double a, b, c; } bad[] = {
        {OP_RBERN, nan, 0, 0}, {OP_RUNIF, 2, 1, 0}, {OP_RUNIF, nan, 1, 0},
        {OP_RUNIF, 0, inf, 0}, {OP_RNORM, 0, -1, 0}, {OP_RNORM, nan, 1, 0},
        {OP_RLOGN, 0, 1, 0}, {OP_RLOGN, -1, 1, 0}, {OP_RLOGN, 1, -0.1, 0},
        {OP_RBETA, 0, 1, 0}, {OP_RBETA, 1, -1, 0}, {OP_RBETA, 1, nan, 0},
        {OP_RGAMMA, 0, 1, 0}, {OP_RGAMMA, 1, 0, 0}, {OP_RGAMMA, inf, 1, 0},
        {OP_REXP, 0, 0, 0}, {OP_REXP, -1, 0, 0}, {OP_RPOIS, -1, 0, 0},
        {OP_RPOIS, nan, 0, 0}, {OP_RPOIS, inf, 0, 0}, {OP_RBINOM, 2.5, 0.5, 0},
        {OP_RBINOM, -1, 0.5, 0}, {OP_RBINOM, 3, nan, 0}, {OP_RBINOM, inf, 0.5, 0},
        {OP_RTRI, 1, 0, 2}, {OP_RTRI, 0, 3, 2}, {OP_RTRI, 1, 1, 1},
        {OP_RTRI, nan, 0, 1}, {OP_RPERT, 1, 0, 2}, {OP_RPERT, 0, 3, 2},
        {OP_RPERT, 1, 1, 1}, {OP_RPERT, 0, nan, 1},
    };
    const struct { opcode op; double a, b, c, want; } edge[] = {
        {OP_RUNIF, 3, 3, 0, 3}, {OP_RNORM, 5, 0, 0, 5}, {OP_RLOGN, 2, 0, 0, 2},
        {OP_RPOIS, 0, 0, 0, 0}, {OP_RBINOM, 0, 0.5, 0, 0},
        {OP_RBINOM, 7, 1, 0, 7}, {OP_RBERN, 1, 0, 0, 1}, {OP_RBERN, 0, 0, 0, 0},
    };
    frame *fr = frame_new(16);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0] + sizeof edge / sizeof edge[0]; i++) {
        int is_bad = i < sizeof bad / sizeof bad[0];
        size_t j = is_bad ? i : i - sizeof bad / sizeof bad[0];
        opcode op = is_bad ? bad[j].op : edge[j].op;
        vm_fill(&fr->f, A, is_bad ? bad[j].a : edge[j].a);
        vm_fill(&fr->f, B, is_bad ? bad[j].b : edge[j].b);
        vm_fill(&fr->f, C, is_bad ? bad[j].c : edge[j].c);
        code_ins in = ins(op, N);
        vm_run(&in, 1, &fr->f);
        for (size_t l = 0; l < 16; l++)
            CU_ASSERT(same(fr->reg[D][l], is_bad ? NAN : edge[j].want));
    }
    CU_ASSERT_EQUAL(fr->clamped[1], 0);
    frame_free(fr);
}

static void test_vm__probabilities__are_clamped_and_counted(void)
{
    frame *fr = frame_new(8);
    const double p[8] = {-0.5, 1.5, 0.5, 0, 1, INFINITY, -INFINITY, 2};
    memcpy(fr->reg[A], p, sizeof p);
    code_ins in = ins(OP_RBERN, N);
    vm_run(&in, 1, &fr->f);
    CU_ASSERT_EQUAL(fr->clamped[1], 3);
    CU_ASSERT_EQUAL(fr->reg[D][0], 0);
    CU_ASSERT_EQUAL(fr->reg[D][1], 1);
    CU_ASSERT_EQUAL(fr->reg[D][3], 0);
    CU_ASSERT_EQUAL(fr->reg[D][4], 1);
    /* An infinite probability is not clamped: it stays, and the run
     * reports it. */
    CU_ASSERT(isinf(fr->reg[D][5]) && fr->reg[D][5] > 0);
    CU_ASSERT(isinf(fr->reg[D][6]) && fr->reg[D][6] < 0);
    CU_ASSERT_EQUAL(fr->clamped[0], 0);

    /* binomial(n, p): p is clamped the same way. */
    vm_fill(&fr->f, A, 6);
    memcpy(fr->reg[B], p, sizeof p);
    in = ins(OP_RBINOM, N);
    vm_run(&in, 1, &fr->f);
    CU_ASSERT_EQUAL(fr->clamped[1], 6);
    CU_ASSERT_EQUAL(fr->reg[D][0], 0);
    CU_ASSERT_EQUAL(fr->reg[D][1], 6);
    CU_ASSERT(isnan(fr->reg[D][5]) && isnan(fr->reg[D][6]));
    frame_free(fr);
}

/* bernoulli over a block with every kind of probability, masked and not:
 * a masked lane is 0 and counts no clamp whatever its p; an unmasked one
 * draws u < clamp(p) with u its lane's number, counts a clamp when p is
 * finite and outside [0, 1], and passes a NaN or infinite p on. */
static void test_vm__bernoulli__masked_and_special_probabilities(void)
{
    static const double ps[] = { -0.5, 1.5, 0.5, 0, 1, INFINITY, -INFINITY,
                                 NAN, 0.3, 2, 0.9, 1e-300 };
    const size_t np = sizeof ps / sizeof *ps;
    frame *fr = frame_new(VM_BLOCK - 1);
    fr->f.trial0 = 4242;
    for (int masked = 0; masked < 2; masked++) {
        for (size_t l = 0; l < VM_BLOCK; l++) {
            fr->reg[A][l] = ps[l % np];
            fr->reg[M][l] = (double)((l / np) % 2);
        }
        fr->clamped[1] = 0;
        code_ins in = ins(OP_RBERN, masked ? M : N);
        vm_run(&in, 1, &fr->f);
        int64_t clamps = 0;
        int bad = 0;
        for (size_t l = 0; l < fr->f.lanes; l++) {
            double p = fr->reg[A][l], want;
            double u = rng_uniform_at(fr->keys[0], 4242 + l, 5);
            if (masked && fr->reg[M][l] == 0)
                want = 0;
            else if (!isfinite(p))
                want = p;
            else {
                clamps += p < 0 || p > 1;
                want = u < (p < 0 ? 0 : p > 1 ? 1 : p);
            }
            bad += !same(want, fr->reg[D][l]);
        }
        CU_ASSERT_EQUAL(bad, 0);
        CU_ASSERT_EQUAL(fr->clamped[1], clamps);
        CU_ASSERT(clamps > 0);
    }
    frame_free(fr);
}

static void test_vm__mask__zero_lanes_get_zero_and_draw_nothing(void)
{
    frame *fr = frame_new(16);
    vm_fill(&fr->f, A, 3);    /* bernoulli(3): clamped wherever it draws */
    for (size_t l = 0; l < 16; l++)
        fr->reg[M][l] = l % 4 == 0 ? 0 : l % 4 == 1 ? 1 : l % 4 == 2 ? -2 : NAN;
    code_ins in = ins(OP_RBERN, M);
    vm_run(&in, 1, &fr->f);
    /* Any non-zero mask draws, NaN included (the value is NaN anyway). */
    CU_ASSERT_EQUAL(fr->clamped[1], 12);
    for (size_t l = 0; l < 16; l++)
        CU_ASSERT_EQUAL(fr->reg[D][l], l % 4 == 0 ? 0 : 1);
    frame_free(fr);
}

/* Runs event op OP over 16 lanes with p, recover and the previous value
 * per lane, and checks each lane against the op's definition from u. */
static void check_event(opcode op, const double *p, const double *rec,
                        const double *was, int64_t want_clamped)
{
    frame *fr = frame_new(16);
    fr->f.trial0 = 77;
    memcpy(fr->reg[A], p, 16 * sizeof *p);
    memcpy(fr->reg[B], rec, 16 * sizeof *rec);
    memcpy(fr->reg[C], was, 16 * sizeof *was);
    code_ins in = ins(op, N);
    vm_run(&in, 1, &fr->f);
    for (size_t l = 0; l < 16; l++) {
        double u = rng_uniform_at(fr->keys[0], 77 + l, 5);
        double pc = fmin(fmax(p[l], 0), 1), rc = fmin(fmax(rec[l], 0), 1);
        double want = u < pc;
        if (isnan(p[l]) || (op == OP_EVSW && isnan(rec[l])))
            want = NAN;
        else if (op == OP_EVABS && was[l] == 1)
            want = 1;
        else if (op == OP_EVSW && was[l] == 1)
            want = !(u < rc);
        CU_ASSERT(same(fr->reg[D][l], want));
    }
    CU_ASSERT_EQUAL(fr->clamped[1], want_clamped);
    frame_free(fr);
}

static void test_vm__events__follow_their_definitions(void)
{
    const double nan = NAN;
    const double p[16] = {-0.2, 0, 0.3, 0.7, 1, 1.4, nan, 0.5,
                          0.9, 0.1, 0.5, 0.5, 2, -1, 0.2, 0.8};
    const double rec[16] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, nan,
                            0.1, 0.9, 1.5, -0.5, 0.5, 0.5, 0.6, 0.4};
    const double was[16] = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
    /* p is out of range in lanes 0, 5, 12, 13 and recover in lanes 10, 11;
     * a clamp counts only where that probability decides the lane. */
    check_event(OP_EVINIT, p, rec, was, 4);
    check_event(OP_EVREC, p, rec, was, 4);
    check_event(OP_EVABS, p, rec, was, 2);   /* lanes 0, 12 (was 0) */
    check_event(OP_EVSW, p, rec, was, 3);    /* p: 0, 12; recover: 11 */
}

/* An infinite probability is not clamped: it becomes the event's value
 * (the engine reports it), whatever the op and the previous value. */
static void test_vm__events__pass_infinite_probabilities_on(void)
{
    const double inf = INFINITY;
    static const opcode ops[] = { OP_EVINIT, OP_EVREC, OP_EVABS, OP_EVSW };
    for (size_t k = 0; k < sizeof ops / sizeof *ops; k++) {
        frame *fr = frame_new(4);
        const double p[4] = { inf, -inf, 0.5, inf };
        const double rec[4] = { 0.5, 0.5, -inf, NAN };
        const double was[4] = { 1, 0, 1, 1 };
        memcpy(fr->reg[A], p, sizeof p);
        memcpy(fr->reg[B], rec, sizeof rec);
        memcpy(fr->reg[C], was, sizeof was);
        code_ins in = ins(ops[k], N);
        vm_run(&in, 1, &fr->f);
        int sw = ops[k] == OP_EVSW;
        CU_ASSERT_EQUAL(fr->reg[D][0], inf);
        CU_ASSERT_EQUAL(fr->reg[D][1], -inf);
        if (sw) {
            CU_ASSERT_EQUAL(fr->reg[D][2], -inf);
            CU_ASSERT(isnan(fr->reg[D][3]));
        } else {
            CU_ASSERT(fr->reg[D][2] == 0 || fr->reg[D][2] == 1);
            CU_ASSERT_EQUAL(fr->reg[D][3], inf);
        }
        CU_ASSERT_EQUAL(fr->clamped[1], 0);
        frame_free(fr);
    }
}

/* A masked draw gives each drawing lane the bits of the unmasked draw,
 * whether the block's first words come from one vector pass (many lanes
 * draw) or lane by lane (few do). */
static void test_vm__mask__draws_the_same_bits_for_any_share_of_lanes(void)
{
    static const opcode ops[] = { OP_RNORM, OP_RPOIS, OP_RGAMMA, OP_RBETA,
                                  OP_RBINOM, OP_RPERT, OP_REXP, OP_RLOGN };
    static const size_t every[] = { 1, 2, 3, 7, 64 };
    frame *fr = frame_new(VM_BLOCK - 3);
    double all[VM_BLOCK];
    fr->f.trial0 = 1000;
    for (size_t l = 0; l < VM_BLOCK; l++) {
        fr->reg[A][l] = 0.5 + (double)(l % 9);
        fr->reg[B][l] = 1.0 + (double)(l % 5) * 0.25 + fr->reg[A][l];
        fr->reg[C][l] = fr->reg[B][l] + 2.0;
    }
    for (size_t k = 0; k < sizeof ops / sizeof *ops; k++) {
        code_ins in = ins(ops[k], N);
        if (ops[k] == OP_RBINOM)   /* n, p */
            for (size_t l = 0; l < VM_BLOCK; l++)
                fr->reg[B][l] = 0.1 + (double)(l % 7) * 0.1;
        vm_run(&in, 1, &fr->f);
        memcpy(all, fr->reg[D], sizeof all);
        for (size_t e = 0; e < sizeof every / sizeof *every; e++) {
            for (size_t l = 0; l < VM_BLOCK; l++)
                fr->reg[M][l] = l % every[e] == 0;
            in = ins(ops[k], M);
            vm_run(&in, 1, &fr->f);
            int ok = 1;
            for (size_t l = 0; l < fr->f.lanes; l++) {
                double want = l % every[e] == 0 ? all[l] : 0.0;
                ok &= memcmp(&want, &fr->reg[D][l], sizeof want) == 0;
            }
            CU_ASSERT(ok);
            if (!ok)
                fprintf(stderr, "\nop %d, every %zu lanes: masked draw "
                        "differs\n", (int)ops[k], every[e]);
        }
    }
    frame_free(fr);
}

/* Normal draws over many blocks, every lane drawing: each lane is the
 * bits of GSL's ziggurat on that lane's stream, whether the fast path
 * took it (its first word accepted at once) or GSL did (rejected first
 * words: about 3% of lanes), and invalid arguments give NaN. */
static void test_vm__normal__equals_gsl_lane_by_lane_rejections_included(void)
{
    frame *fr = frame_new(VM_BLOCK);
    gsl_rng *r = rng_alloc();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    const zig_tables *t = zig_get();
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    code_ins in = ins(OP_RNORM, N);
    long bad = 0, rejected = 0;
    for (uint64_t blk = 0; blk < 200; blk++) {
        fr->f.trial0 = blk * VM_BLOCK + 77;
        fr->f.step = (uint32_t)blk % 5;
        for (size_t l = 0; l < VM_BLOCK; l++) {
            fr->reg[A][l] = (double)(l % 11) - 5.0;
            fr->reg[B][l] = 0.1 + (double)(l % 7) * 0.6;
        }
        fr->reg[A][3] = NAN;
        fr->reg[B][5] = -1.0;
        fr->reg[B][6] = INFINITY;
        fr->reg[B][7] = 0.0;
        vm_run(&in, 1, &fr->f);
        for (size_t l = 0; l < VM_BLOCK; l++) {
            double a = fr->reg[A][l], b = fr->reg[B][l], want = NAN;
            uint64_t trial = fr->f.trial0 + l;
            if (isfinite(a) && isfinite(b) && b >= 0) {
                rng_position(r, fr->keys[0], trial, fr->f.step);
                uint32_t k = (uint32_t)gsl_rng_get(r);
                double z;
                rejected += !zig_first(t, k, b, &z);
                rng_position(r, fr->keys[0], trial, fr->f.step);
                want = a + gsl_ran_gaussian_ziggurat(r, b);
            }
            bad += memcmp(&want, &fr->reg[D][l], sizeof want) != 0 &&
                   !(isnan(want) && isnan(fr->reg[D][l]));
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(rejected > 500);   /* 2.76% of 51,200: about 1,400 */
    gsl_rng_free(r);
    frame_free(fr);
}

/* Poisson, beta and PERT draws, every lane drawing: each lane is the bits
 * of GSL's sampler on that lane's stream, with means from 0.2 to 12 (one
 * to four ready blocks, and past the product method's range), so that
 * lanes use the ready words, run past them and compute further blocks. */
static void test_vm__gsl_draws__equal_gsl_lane_by_lane_past_the_ready_blocks(void)
{
    static const opcode ops[] = { OP_RPOIS, OP_RBETA, OP_RPERT };
    static const double means[] = { 0.2, 1.5, 3.0, 5.5, 8.0, 12.0 };
    frame *fr = frame_new(VM_BLOCK - 5);
    gsl_rng *r = rng_alloc();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    long bad = 0;
    for (size_t k = 0; k < sizeof ops / sizeof *ops; k++) {
        for (size_t e = 0; e < sizeof means / sizeof *means; e++) {
            code_ins in = ins(ops[k], N);
            fr->f.trial0 = 300 + 1000 * e;
            for (size_t l = 0; l < VM_BLOCK; l++) {
                fr->reg[A][l] = means[e] * (0.5 + (double)(l % 3) * 0.5);
                fr->reg[B][l] = fr->reg[A][l] + 1.0 + (double)(l % 4);
                fr->reg[C][l] = fr->reg[B][l] + 0.5;
            }
            vm_run(&in, 1, &fr->f);
            for (size_t l = 0; l < fr->f.lanes; l++) {
                double a = fr->reg[A][l], b = fr->reg[B][l];
                double c = fr->reg[C][l], want;
                rng_position(r, fr->keys[0], fr->f.trial0 + l, fr->f.step);
                if (ops[k] == OP_RPOIS)
                    want = gsl_ran_poisson(r, a);
                else if (ops[k] == OP_RBETA)
                    want = gsl_ran_beta(r, a, b);
                else
                    want = a + (c - a) * gsl_ran_beta(r, 1 + 4 * (b - a) / (c - a),
                                                      1 + 4 * (c - b) / (c - a));
                bad += memcmp(&want, &fr->reg[D][l], sizeof want) != 0;
            }
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    gsl_rng_free(r);
    frame_free(fr);
}

static void test_vm__events__frequency_matches_p(void)
{
    frame *fr = frame_new(VM_BLOCK);
    vm_fill(&fr->f, A, 0.3);
    vm_fill(&fr->f, C, 0);
    const size_t n = 400 * VM_BLOCK;
    code_ins in = ins(OP_EVREC, N);
    double hits = 0;
    for (size_t t0 = 0; t0 < n; t0 += VM_BLOCK) {
        fr->f.trial0 = t0;
        vm_run(&in, 1, &fr->f);
        for (size_t l = 0; l < VM_BLOCK; l++)
            hits += fr->reg[D][l];
    }
    /* Fixed key: within 4 standard errors of a binomial proportion. */
    ASSERT_WITHIN_SE(hits / (double)n, 0.3, sqrt(0.21 / (double)n), 4);
    frame_free(fr);
}

/* The block loop (vectorised, and cloned per instruction set: see
 * base/simd.h) gives, lane for lane, the bits of the scalar evaluator for
 * every deterministic op, on lane values that differ from lane to lane
 * (NaN, infinities, signed zeros, ties of round) and on a block that does
 * not fill the last vector. */
static void test_vm__block_loop__equals_the_scalar_evaluator_bit_for_bit(void)
{
    static const opcode ops[] = {
        OP_MOV, OP_NEG, OP_NOT, OP_ABS, OP_EXP, OP_LOG, OP_SQRT, OP_FLOOR,
        OP_CEIL, OP_ROUND, OP_LOGISTIC, OP_LOGIT, OP_ADD, OP_SUB, OP_MUL,
        OP_DIV, OP_POW, OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE, OP_AND,
        OP_OR, OP_MIN, OP_MAX, OP_SEL, OP_CLAMP,
    };
    static const double special[] = { 0.0, -0.0, 1.0, -1.0, 0.5, 2.5, -2.5,
                                      1e308, -1e308, 1e-310, INFINITY,
                                      -INFINITY, NAN };
    const size_t n_special = sizeof special / sizeof *special;
    static const size_t sizes[] = { VM_BLOCK, VM_BLOCK - 5, 3 };
    for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
        frame *fr = frame_new(sizes[z]);
        for (size_t l = 0; l < VM_BLOCK; l++) {
            fr->reg[A][l] = l < n_special ? special[l]
                                          : sin((double)l) * (double)(l % 17);
            fr->reg[B][l] = special[(l * 7) % n_special] + (double)(l % 5);
            fr->reg[C][l] = l % 3 ? (double)l / 3.0 : special[l % n_special];
        }
        for (size_t k = 0; k < sizeof ops / sizeof *ops; k++) {
            code_ins in = ins(ops[k], N);
            vm_run(&in, 1, &fr->f);
            int ok = 1;
            for (size_t l = 0; l < sizes[z]; l++) {
                double want = vm_scalar(ops[k], fr->reg[A][l], fr->reg[B][l],
                                        fr->reg[C][l]);
                double got = fr->reg[D][l];
                ok &= (isnan(want) && isnan(got))
                      || memcmp(&want, &got, sizeof want) == 0;
            }
            CU_ASSERT(ok);
            if (!ok)
                fprintf(stderr, "\nop %d differs from vm_scalar\n",
                        (int)ops[k]);
        }
        frame_free(fr);
    }
}

void test_vm_register(void);
void test_vm_register(void)
{
    static const test_case cases[] = {
        {"deterministic ops: values and NaN rules",
         test_vm__deterministic_ops__values_and_nan_rules},
        {"block loop: equals the scalar evaluator bit for bit",
         test_vm__block_loop__equals_the_scalar_evaluator_bit_for_bit},
        {"in-place update: reads each lane before writing",
         test_vm__in_place_update__reads_each_lane_before_writing},
        {"lanes: only active lanes are written, but fill fills all",
         test_vm__lanes__only_active_lanes_are_written_but_fill_fills_all},
        {"random ops: mean and variance match closed forms",
         test_vm__random_ops__mean_and_variance_match_closed_forms},
        {"random ops: single-uniform draws follow their definition",
         test_vm__random_ops__single_uniform_draws_follow_their_definition},
        {"random ops: depend on trial and step, not on the block",
         test_vm__random_ops__depend_on_trial_and_step_not_on_the_block},
        {"random ops: invalid arguments give NaN",
         test_vm__random_ops__invalid_arguments_give_nan},
        {"probabilities: are clamped and counted",
         test_vm__probabilities__are_clamped_and_counted},
        {"mask: zero lanes get zero and draw nothing",
         test_vm__mask__zero_lanes_get_zero_and_draw_nothing},
        {"events: follow their definitions", test_vm__events__follow_their_definitions},
        {"events: frequency matches p", test_vm__events__frequency_matches_p},
        {"events: pass infinite probabilities on",
         test_vm__events__pass_infinite_probabilities_on},
        {"mask: draws the same bits for any share of lanes",
         test_vm__mask__draws_the_same_bits_for_any_share_of_lanes},
        {"normal: equals GSL lane by lane, rejections included",
         test_vm__normal__equals_gsl_lane_by_lane_rejections_included},
        {"bernoulli: masked and special probabilities",
         test_vm__bernoulli__masked_and_special_probabilities},
        {"GSL draws: equal GSL lane by lane past the ready blocks",
         test_vm__gsl_draws__equal_gsl_lane_by_lane_past_the_ready_blocks},
    };
    TEST_SUITE("vm", cases);
}

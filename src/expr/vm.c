/* vm.c: evaluates instructions over a block of trials (structure of arrays). */
#include <assert.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "base/simd.h"
#include "random/rng.h"
#include "random/zig.h"
#include "expr/vm.h"

/* ---- one lane of each deterministic op ----------------------------------
 * Written as blends (?: on values, no early returns) so that the loops in
 * vm_run vectorise; vm_scalar uses the very same functions for folding. */

static inline double op_mov(double a) { return a; }
static inline double op_neg(double a) { return -a; }
static inline double op_add(double a, double b) { return a + b; }
static inline double op_sub(double a, double b) { return a - b; }
static inline double op_mul(double a, double b) { return a * b; }
static inline double op_div(double a, double b) { return a / b; }

/* C's pow gives 1 for pow(NaN, 0) and pow(1, NaN); we want NaN. */
static inline double op_pow(double a, double b)
{
    double r = pow(a, b);
    return isnan(a) || isnan(b) ? a + b : r;
}

/* A comparison result R (0 or 1), or NaN when an operand is NaN (a + b is
 * then NaN), which C's comparisons would turn into a plain 0 or 1. */
static inline double truth(int r, double a, double b)
{
    return isnan(a) || isnan(b) ? a + b : (r ? 1.0 : 0.0);
}

static inline double op_lt(double a, double b) { return truth(a < b, a, b); }
static inline double op_le(double a, double b) { return truth(a <= b, a, b); }
static inline double op_gt(double a, double b) { return truth(a > b, a, b); }
static inline double op_ge(double a, double b) { return truth(a >= b, a, b); }
static inline double op_eq(double a, double b) { return truth(a == b, a, b); }
static inline double op_ne(double a, double b) { return truth(a != b, a, b); }

/* a == 0 ? 0 : NaN(a) ? NaN : NaN(b) ? NaN : b != 0 */
static inline double op_and(double a, double b)
{
    double r = isnan(b) ? b : (b != 0 ? 1.0 : 0.0);
    r = isnan(a) ? a : r;
    return a == 0 ? 0.0 : r;
}

/* NaN(a) ? NaN : a != 0 ? 1 : NaN(b) ? NaN : b != 0 */
static inline double op_or(double a, double b)
{
    double r = isnan(b) ? b : (b != 0 ? 1.0 : 0.0);
    r = a != 0 ? 1.0 : r;
    return isnan(a) ? a : r;
}

static inline double op_not(double a)
{
    return isnan(a) ? a : (a == 0 ? 1.0 : 0.0);
}

static inline double op_sel(double a, double b, double c)
{
    return isnan(a) ? a : (a != 0 ? b : c);
}

/* fmin/fmax would drop a NaN operand. */
static inline double op_min(double a, double b)
{
    return isnan(a) || isnan(b) ? a + b : (b < a ? b : a);
}

static inline double op_max(double a, double b)
{
    return isnan(a) || isnan(b) ? a + b : (b > a ? b : a);
}

static inline double op_clamp(double a, double b, double c)
{
    double r = a < b ? b : (a > c ? c : a);
    return isnan(a) || isnan(b) || isnan(c) ? a + b + c : r;
}

/* A state's bounds: an infinite value is kept, so that the run reports it
 * instead of hiding it at the bound. */
static inline double op_bound(double a, double b, double c)
{
    return isfinite(a) ? op_clamp(a, b, c) : a;
}

static inline double op_abs(double a) { return fabs(a); }
static inline double op_exp(double a) { return exp(a); }
static inline double op_log(double a) { return log(a); }
static inline double op_sqrt(double a) { return sqrt(a); }
static inline double op_floor(double a) { return floor(a); }
static inline double op_ceil(double a) { return ceil(a); }
static inline double op_round(double a) { return round(a); }
static inline double op_logistic(double a) { return 1.0 / (1.0 + exp(-a)); }
/* logit(0) = ln 0 = -inf and logit(1) = ln inf = +inf, as wanted. */
static inline double op_logit(double a) { return log(a / (1.0 - a)); }

/* The deterministic ops by operand count: opcode, lane function. One list
 * serves both the block loops and vm_scalar. */
#define VM_OPS1(X)                                                            \
    X(MOV, op_mov) X(NEG, op_neg) X(NOT, op_not) X(ABS, op_abs)               \
    X(EXP, op_exp) X(LOG, op_log) X(SQRT, op_sqrt) X(FLOOR, op_floor)         \
    X(CEIL, op_ceil) X(ROUND, op_round) X(LOGISTIC, op_logistic)              \
    X(LOGIT, op_logit)
#define VM_OPS2(X)                                                            \
    X(ADD, op_add) X(SUB, op_sub) X(MUL, op_mul) X(DIV, op_div)               \
    X(POW, op_pow) X(LT, op_lt) X(LE, op_le) X(GT, op_gt) X(GE, op_ge)        \
    X(EQ, op_eq) X(NE, op_ne) X(AND, op_and) X(OR, op_or) X(MIN, op_min)      \
    X(MAX, op_max)
#define VM_OPS3(X) X(SEL, op_sel) X(CLAMP, op_clamp) X(BOUND, op_bound)

double vm_scalar(opcode op, double a, double b, double c)
{
    switch (op) {
#define SCALAR1(name, fn) case OP_##name: return fn(a);
#define SCALAR2(name, fn) case OP_##name: return fn(a, b);
#define SCALAR3(name, fn) case OP_##name: return fn(a, b, c);
    VM_OPS1(SCALAR1)
    VM_OPS2(SCALAR2)
    VM_OPS3(SCALAR3)
#undef SCALAR1
#undef SCALAR2
#undef SCALAR3
    default:
        break;
    }
    assert(0 && "vm_scalar: not a deterministic opcode");
    return NAN;
}

/* ---- random ops ----------------------------------------------------------- */

/* Beyond this mean a Poisson draw no longer fits GSL's unsigned result. */
#define VM_POISSON_MAX 2e9
/* A masked random op computes every lane's first block in one vector pass
 * when at least one lane in VM_READY_SHARE draws (a lane costs about a
 * fifth of a scalar block in the vector pass). */
#define VM_READY_SHARE 4

/* P clamped into [0, 1]; a clamp is counted in *CLAMPED. P is not NaN. */
static double clamp_p(double p, int64_t *clamped)
{
    if (p < 0) {
        ++*clamped;
        return 0;
    }
    if (p > 1) {
        ++*clamped;
        return 1;
    }
    return p;
}

static int finite2(double a, double b)
{
    return isfinite(a) && isfinite(b);
}

/* Inverse CDF of the triangular distribution at U. */
static double triangular_at(double lo, double mode, double hi, double u)
{
    double range = hi - lo;
    if (u < (mode - lo) / range)
        return lo + sqrt(u * range * (mode - lo));
    return hi - sqrt((1 - u) * range * (hi - mode));
}

/* min <= mode <= max and min < max, all finite. */
static int valid_three_point(double lo, double mode, double hi)
{
    return isfinite(lo) && isfinite(hi) && lo <= mode && mode <= hi && lo < hi;
}

/* Random op OP that uses one uniform (bernoulli, uniform, triangular) for
 * one lane with arguments A, B, C and the lane's number U. */
static double draw_u(opcode op, double a, double b, double c, double u,
                     int64_t *clamped)
{
    switch (op) {
    case OP_RBERN:
        if (!isfinite(a))   /* an infinite probability is an error */
            return a;
        a = clamp_p(a, clamped);
        return u < a ? 1.0 : 0.0;
    case OP_RUNIF:
        if (!finite2(a, b) || a > b)
            return NAN;
        return a + (b - a) * u;
    default:
        if (!valid_three_point(a, b, c))
            return NAN;
        return triangular_at(a, b, c, u);
    }
}

/* One draw of random op OP with arguments A, B, C for one lane: the stream
 * of KEY at (TRIAL, STEP), through R when GSL needs a generator; W0 is the
 * position's first NB blocks when they are already computed, else NULL.
 * Invalid arguments give NaN without drawing. */
static double draw(opcode op, double a, double b, double c, gsl_rng *r,
                   uint64_t key, uint64_t trial, uint32_t step,
                   const uint32_t *w0, unsigned nb, int64_t *clamped)
{
    switch (op) {
    case OP_RBINOM:
        if (!finite2(a, b) || a < 0 || a != floor(a) || a > UINT_MAX)
            return NAN;
        b = clamp_p(b, clamped);
        break;
    case OP_RNORM:
        if (!finite2(a, b) || b < 0)
            return NAN;
        break;
    case OP_RLOGN:
        if (!finite2(a, b) || a <= 0 || b < 0)
            return NAN;
        break;
    case OP_RBETA:
    case OP_RGAMMA:
        if (!finite2(a, b) || a <= 0 || b <= 0)
            return NAN;
        break;
    case OP_REXP:
        if (!isfinite(a) || a <= 0)
            return NAN;
        break;
    case OP_RPOIS:
        if (!isfinite(a) || a < 0 || a > VM_POISSON_MAX)
            return NAN;
        if (a == 0)
            return 0;
        break;
    case OP_RPERT:
        if (!valid_three_point(a, b, c))
            return NAN;
        break;
    default:
        assert(0 && "draw: not a random opcode");
        return NAN;
    }
    /* The rest draw through GSL's samplers. */
    if (w0)
        rng_position_ready(r, key, trial, step, w0, nb);
    else
        rng_position(r, key, trial, step);
    switch (op) {
    case OP_RBINOM:
        return gsl_ran_binomial(r, b, (unsigned)a);
    case OP_RNORM:
        return a + gsl_ran_gaussian_ziggurat(r, b);
    case OP_RLOGN:
        return gsl_ran_lognormal(r, log(a), b);
    case OP_RBETA:
        return gsl_ran_beta(r, a, b);
    case OP_RGAMMA:
        return gsl_ran_gamma(r, a, b);
    case OP_REXP:
        return gsl_ran_exponential(r, a);
    case OP_RPOIS:
        return gsl_ran_poisson(r, a);
    default: {
        /* PERT: a beta on [min, max] with the mode's weight 4. */
        double range = c - a;
        return a + range * gsl_ran_beta(r, 1 + 4 * (b - a) / range,
                                        1 + 4 * (c - b) / range);
    }
    }
}

/* a + gsl_ran_gaussian_ziggurat(r, b) in the lanes whose first word W[4 i]
 * the sampler accepts at once and whose arguments are valid (finite, b >=
 * 0: what draw() checks): there D[i] gets the value draw() would give and
 * SLOW[i] is 0; elsewhere SLOW[i] is 1 and D[i] is to be drawn. Written
 * without branches (the strip's table entries are gathered), so the
 * clones vectorise it. */
NCG_CLONES static void normal_lanes(const zig_tables *t, const double *a,
                                    const double *b, const uint32_t *w,
                                    double *restrict d,
                                    unsigned char *restrict slow, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double z;
        int fast = zig_first(t, w[4 * i], b[i], &z);
        int valid = (fabs(a[i]) <= DBL_MAX) & (fabs(b[i]) <= DBL_MAX) &
                    (b[i] >= 0);
        d[i] = a[i] + z;
        slow[i] = (unsigned char)((fast & valid) ^ 1);
    }
}

/* bernoulli(P) in the N lanes from their numbers U into D: what draw_u
 * gives lane by lane, with the same rule as the event op (the draw is 1
 * when p >= 1, 0 when p <= 0, else u < p), a non-finite P passed on and a
 * lane whose mask M is 0 set to 0 (M is read only when MASKED). Returns
 * the probabilities clamped into [0, 1]. Every comparison is made in
 * every lane and combined with integer operations, as in event_map, so
 * the clones vectorise it. */
static inline int64_t bern_map(const double *p, const double *m,
                               const double *u, double *restrict d, size_t n,
                               int masked)
{
    int64_t clamped = 0, bad = 0;
    for (size_t i = 0; i < n; i++) {
        double pv = p[i];
        int64_t live = masked ? m[i] != 0 : 1;
        int64_t fin = fabs(pv) <= DBL_MAX;
        int64_t on = (pv >= 1) | ((pv > 0) & (u[i] < pv));
        clamped += live & fin & ((pv < 0) | (pv > 1));
        bad |= live & (fin ^ 1);
        d[i] = (double)(live & on);
    }
    /* A NaN or infinite probability is passed on (the run reports it). */
    for (size_t i = 0; bad && i < n; i++)
        if (!isfinite(p[i]) && (!masked || m[i] != 0))
            d[i] = p[i];
    return clamped;
}

/* bern_map, compiled once with the mask and once without. */
NCG_CLONES static int64_t bern_lanes(const double *p, const double *m,
                                     const double *u, double *restrict d,
                                     size_t n, int masked)
{
    return masked ? bern_map(p, m, u, d, n, 1) : bern_map(p, m, u, d, n, 0);
}

/* How many Philox blocks (four words each) a vector pass makes ready per
 * lane for GSL's sampler of OP, whose first argument is A over N lanes.
 * A lane that needs more computes the rest one at a time (about four
 * times the cost of a block in the pass), so a block is worth making
 * ready when about a quarter of the lanes or more need it. Poisson with
 * mean mu (up to 10: GSL multiplies uniforms) uses X + 1 uniforms, two
 * words each, X ~ Poisson(mu): block b + 1 (b >= 1) is needed when X >=
 * 2 b, which holds for a quarter of the lanes or more up to 2 b <= mu + 1
 * or so. Beta and PERT are two gammas: two blocks. Masked lanes count as
 * well: a rough mean is enough, and any count gives the same numbers. */
static unsigned ready_blocks(opcode op, const double *a, size_t n)
{
    switch (op) {
    case OP_RPOIS: {
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += a[i] >= 0 && a[i] <= 10 ? a[i] : 0;
        double mu = sum / (double)n;
        unsigned nb = 1 + (unsigned)((mu + 1) / 2);
        return nb < RNG_READY_MAX ? nb : RNG_READY_MAX;
    }
    case OP_RBETA:
    case OP_RPERT:
        return 2;
    default:
        return 1;
    }
}

/* Random op X over the block: draws in lanes whose mask is non-zero. */
static void run_random(const code_ins *x, vm_frame *f)
{
    static const double zeros[VM_BLOCK];
    opcode op = (opcode)x->op;
    unsigned n_args = opcode_arity(op);
    /* Unused operands read zeros, so the lane loop has no cases. */
    const double *a = f->reg[x->a];
    const double *b = n_args >= 2 ? f->reg[x->b] : zeros;
    const double *c = n_args >= 3 ? f->reg[x->c] : zeros;
    const double *m = x->m == CODE_NOMASK ? NULL : f->reg[x->m];
    double *d = f->reg[x->d];
    uint64_t key = f->keys[x->s];
    int64_t clamped = 0;
    if (op == OP_RBERN || op == OP_RUNIF || op == OP_RTRI) {
        /* Every lane's number in one vector pass: cheaper than drawing
         * only the unmasked ones one at a time. */
        double u[VM_BLOCK];
        rng_uniform_lanes(key, f->trial0, f->step, f->lanes, u);
        if (op == OP_RBERN)
            clamped = m ? bern_lanes(a, m, u, d, f->lanes, 1)
                        : bern_lanes(a, a, u, d, f->lanes, 0);
        else
            for (size_t i = 0; i < f->lanes; i++)
                d[i] = m && m[i] == 0 ? 0 : draw_u(op, a[i], b[i], c[i],
                                                    u[i], &clamped);
        if (clamped)
            f->clamped[x->k] += clamped;
        return;
    }
    /* The samplers rarely need more than the first block of four words:
     * when enough lanes draw, every lane's first block comes from one
     * vector pass (the same words the scalar stream would compute). */
    static _Thread_local uint32_t w[4 * RNG_READY_MAX * VM_BLOCK];
    size_t active = f->lanes;
    if (m) {
        active = 0;
        for (size_t i = 0; i < f->lanes; i++)
            active += m[i] != 0;
    }
    int ready = active * VM_READY_SHARE >= f->lanes;
    unsigned nb = ready ? ready_blocks(op, a, f->lanes) : 1;
    if (ready)
        rng_blocks_lanes(key, f->trial0, f->step, nb, f->lanes, w);
    /* Normals whose first word GSL's ziggurat accepts at once are
     * computed in one pass; only the others call it (zig.h). */
    const zig_tables *zig = op == OP_RNORM && ready ? zig_get() : NULL;
    unsigned char slow[VM_BLOCK];
    if (zig)
        normal_lanes(zig, a, b, w, d, slow, f->lanes);
    for (size_t i = 0; i < f->lanes; i++) {
        if (m && m[i] == 0)
            d[i] = 0;
        else if (!zig || slow[i])
            d[i] = draw(op, a[i], b[i], c[i], f->rng, key, f->trial0 + i,
                        f->step, ready ? w + 4 * nb * i : NULL, nb,
                        &clamped);
    }
    if (clamped)
        f->clamped[x->k] += clamped;
}

/* Event op X over the block (see opcodes.h). A probability that is NaN or
 * infinite is not clamped: it becomes the event's value, which the engine
 * reports as an error. A lane whose value is already decided (an
 * absorbing event that happened, a probability of 0 or 1) needs no
 * number; since the number of (trial, step) does not depend
 * on whether others were drawn, skipping them changes no result, and the
 * whole block's numbers are drawn in one vector pass only when some lane
 * needs one.
 *
 * The lanes are written without branches so the loops vectorise; every
 * select is exact, so the values are the same bits as the lane-by-lane
 * rule (test_vm compares them with the scalar evaluator). In event_map, SW
 * (a switch whose last value was 1) draws against REC, ABS (absorbing,
 * already 1) stays 1; it returns the probabilities it clamped into
 * [0, 1]. */
NCG_CLONES static int64_t event_map(int is_sw, int is_abs,
                                    const double *p, const double *rec,
                                    const double *was, const double *u,
                                    double *d, size_t n)
{
    int64_t clamped = 0, bad = 0;
    for (size_t i = 0; i < n; i++) {
        /* Every comparison is made in every lane and combined with integer
         * operations: a compare under a condition would not vectorise. Q,
         * the probability that decides, is RV where SW, else PV; the event
         * happens when q >= 1 (clamped to 1), never when q <= 0 (clamped
         * to 0), else when u < q. */
        double pv = p[i], rv = rec[i], prev = was[i];
        int64_t fin = (fabs(pv) <= DBL_MAX) & (fabs(rv) <= DBL_MAX);
        int64_t sw = is_sw & (prev != 0), stays = is_abs & (prev == 1);
        int64_t on_p = (pv >= 1) | ((pv > 0) & (u[i] < pv));
        int64_t on_r = (rv >= 1) | ((rv > 0) & (u[i] < rv));
        int64_t out_p = (pv < 0) | (pv > 1), out_r = (rv < 0) | (rv > 1);
        int64_t on = (sw & on_r) | ((sw ^ 1) & on_p);
        clamped += fin & (stays ^ 1) & ((sw & out_r) | ((sw ^ 1) & out_p));
        bad |= fin ^ 1;
        d[i] = (double)(stays | (sw ^ on));
    }
    /* A NaN probability gives NaN; an infinite one is passed on. */
    for (size_t i = 0; bad && i < n; i++)
        if (!isfinite(p[i]) || !isfinite(rec[i]))
            d[i] = isnan(p[i]) || isnan(rec[i]) ? NAN
                   : isfinite(p[i]) ? rec[i] : p[i];
    return clamped;
}

/* 1 when some lane's event needs a number (its probability is finite and
 * strictly between 0 and 1, and it is not already absorbed). */
NCG_CLONES static int event_needs(int is_sw, int is_abs, const double *p,
                                  const double *rec, const double *was,
                                  size_t n)
{
    int64_t need = 0;
    for (size_t i = 0; i < n; i++) {
        double pv = p[i], rv = rec[i], prev = was[i];
        double q = (is_sw & (prev != 0)) ? rv : pv;
        int64_t fin = (fabs(pv) <= DBL_MAX) & (fabs(rv) <= DBL_MAX);
        need |= fin & ((is_abs & (prev == 1)) ^ 1) & (q > 0) & (q < 1);
    }
    return need != 0;
}

static void run_event(const code_ins *x, vm_frame *f)
{
    opcode op = (opcode)x->op;
    const double *p = f->reg[x->a];
    const double *rec = op == OP_EVSW ? f->reg[x->b] : p;
    const double *was = op == OP_EVABS || op == OP_EVSW ? f->reg[x->c] : p;
    int is_sw = op == OP_EVSW, is_abs = op == OP_EVABS;
    double u[VM_BLOCK];
    /* Decided lanes draw nothing; when no lane needs a number, the block
     * skips the pass and U is never selected. */
    if (event_needs(is_sw, is_abs, p, rec, was, f->lanes))
        rng_uniform_lanes(f->keys[x->s], f->trial0, f->step, f->lanes, u);
    else
        memset(u, 0, f->lanes * sizeof *u);
    int64_t clamped = event_map(is_sw, is_abs, p, rec, was, u,
                                f->reg[x->d], f->lanes);
    if (clamped)
        f->clamped[x->k] += clamped;
}

/* ---- the block loop ------------------------------------------------------- */

/* Inlined into each clone of vm_run, so that the instruction set of the
 * clone vectorises the lane loop (an out-of-line copy is compiled for the
 * baseline x86-64 alone). */
#if defined(__GNUC__)
#define VM_INLINE inline __attribute__((always_inline))
#else
#define VM_INLINE inline
#endif

/* One function per deterministic op over N lanes. restrict lets the
 * compiler vectorise without an overlap check (which -O2 will not add). */
#define MAP1(name, fn)                                                        \
    static VM_INLINE void map_##name(double *restrict d,                      \
                                     const double *restrict a, size_t n)      \
    {                                                                         \
        for (size_t i = 0; i < n; i++)                                        \
            d[i] = fn(a[i]);                                                  \
    }
#define MAP2(name, fn)                                                        \
    static VM_INLINE void map_##name(double *restrict d,                      \
                                     const double *restrict a,                \
                                     const double *restrict b, size_t n)      \
    {                                                                         \
        for (size_t i = 0; i < n; i++)                                        \
            d[i] = fn(a[i], b[i]);                                            \
    }
#define MAP3(name, fn)                                                        \
    static VM_INLINE void map_##name(double *restrict d,                      \
                                     const double *restrict a,                \
                                     const double *restrict b,                \
                                     const double *restrict c, size_t n)      \
    {                                                                         \
        for (size_t i = 0; i < n; i++)                                        \
            d[i] = fn(a[i], b[i], c[i]);                                      \
    }
VM_OPS1(MAP1)
VM_OPS2(MAP2)
VM_OPS3(MAP3)
#undef MAP1
#undef MAP2
#undef MAP3

/* The lanes of slot S for an op that writes D. Slots are disjoint arrays,
 * so the only overlap is S being D itself (the model clamps a state in
 * place); the op then reads a copy in SCRATCH, which keeps restrict true. */
static const double *operand(const vm_frame *f, uint32_t s, const double *d,
                             double *scratch)
{
    const double *a = f->reg[s];
    if (a != d)
        return a;
    memcpy(scratch, a, f->lanes * sizeof *a);
    return scratch;
}

NCG_CLONES void vm_run(const code_ins *ins, size_t n, vm_frame *f)
{
    assert(f->lanes >= 1 && f->lanes <= VM_BLOCK);
    size_t lanes = f->lanes;
    double sa[VM_BLOCK], sb[VM_BLOCK], sc[VM_BLOCK];
    for (size_t k = 0; k < n; k++) {
        const code_ins *x = &ins[k];
        double *d = f->reg[x->d];
        switch ((opcode)x->op) {
#define RUN1(name, fn)                                                        \
        case OP_##name:                                                       \
            map_##name(d, operand(f, x->a, d, sa), lanes);                    \
            break;
#define RUN2(name, fn)                                                        \
        case OP_##name:                                                       \
            map_##name(d, operand(f, x->a, d, sa), operand(f, x->b, d, sb),   \
                       lanes);                                                \
            break;
#define RUN3(name, fn)                                                        \
        case OP_##name:                                                       \
            map_##name(d, operand(f, x->a, d, sa), operand(f, x->b, d, sb),   \
                       operand(f, x->c, d, sc), lanes);                       \
            break;
        VM_OPS1(RUN1)
        VM_OPS2(RUN2)
        VM_OPS3(RUN3)
#undef RUN1
#undef RUN2
#undef RUN3
        case OP_RBERN: case OP_RUNIF: case OP_RNORM: case OP_RLOGN:
        case OP_RBETA: case OP_RGAMMA: case OP_REXP: case OP_RPOIS:
        case OP_RBINOM: case OP_RTRI: case OP_RPERT:
            run_random(x, f);
            break;
        case OP_EVINIT: case OP_EVABS: case OP_EVREC: case OP_EVSW:
            run_event(x, f);
            break;
        case OP__COUNT:
            assert(0 && "vm_run: bad opcode");
            break;
        }
    }
}

void vm_fill(vm_frame *f, uint32_t s, double v)
{
    double *d = f->reg[s];
    for (size_t i = 0; i < VM_BLOCK; i++)
        d[i] = v;
}

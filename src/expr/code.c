/* code.c: compiles expression strings into evaluator instructions. */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "expr/code.h"
#include "base/diag.h"
#include "expr/parse.h"
#include "expr/vm.h"

/* ---- instruction sequences ---------------------------------------------- */

int code_seq_push(code_seq *q, code_ins ins)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        code_ins *grown = realloc(q->ins, cap * sizeof *grown);
        if (!grown)
            return -1;
        q->ins = grown;
        q->cap = cap;
    }
    q->ins[q->n++] = ins;
    return 0;
}

int code_seq_append(code_seq *to, const code_seq *from)
{
    for (size_t i = 0; i < from->n; i++)
        if (code_seq_push(to, from->ins[i]))
            return -1;
    return 0;
}

void code_seq_clear(code_seq *q)
{
    free(q->ins);
    q->ins = NULL;
    q->n = q->cap = 0;
}

/* ---- the program: slots, constants, sources, temporaries ---------------- */

/* An open-addressing hash index over items numbered 0, 1, ...: a cell holds
 * item + 1, or 0 when empty. Capacity is a power of two, at most half full. */
typedef struct code_index {
    uint32_t *cells;
    size_t cap;
} code_index;

struct code_prog {
    uint32_t n_slots;
    double *const_values;      /* constant i's value ... */
    uint32_t *const_slots;     /* ... and its slot */
    size_t n_consts, cap_consts;
    code_index const_index;    /* by bit pattern */
    char **sources;            /* owned names */
    size_t n_sources, cap_sources;
    code_index source_index;   /* by name */
    uint32_t *temps;           /* slots used as temporaries, reused by every
                                  expression */
    unsigned char *temp_busy;  /* temps[i] holds a live value */
    size_t n_temps, cap_temps;
};

code_prog *code_alloc(void)
{
    return calloc(1, sizeof(code_prog));
}

void code_free(code_prog *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_sources; i++)
        free(p->sources[i]);
    free(p->sources);
    free(p->source_index.cells);
    free(p->const_values);
    free(p->const_slots);
    free(p->const_index.cells);
    free(p->temps);
    free(p->temp_busy);
    free(p);
}

/* Grows array *ARR of *CAP elements of SIZE bytes to hold at least N.
 * 0, or -1 when out of memory (*ARR unchanged). */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 16;
    while (c < n)
        c *= 2;
    void *g = realloc(*arr, c * size);
    if (!g)
        return -1;
    *arr = g;
    *cap = c;
    return 0;
}

uint32_t code_new_slot(code_prog *p)
{
    /* CODE_NOMASK marks "no slot", so it can never be handed out. */
    assert(p->n_slots < CODE_NOMASK);
    return p->n_slots++;
}

uint32_t code_n_slots(const code_prog *p)
{
    return p->n_slots;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

static uint64_t double_bits(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

static uint64_t hash_string(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return mix64(h);
}

/* The hash of item I of P in the index KIND (0: constants, 1: sources). */
static uint64_t item_hash(const code_prog *p, int kind, size_t i)
{
    return kind == 0 ? mix64(double_bits(p->const_values[i]))
                     : hash_string(p->sources[i]);
}

/* Whether item I of index KIND is KEY (a uint64_t bit pattern or a name). */
static int item_is(const code_prog *p, int kind, size_t i, const void *key)
{
    return kind == 0 ? double_bits(p->const_values[i]) == *(const uint64_t *)key
                     : strcmp(p->sources[i], key) == 0;
}

/* The cell of IX where KEY is, or the empty cell where it would go. */
static uint32_t *index_cell(const code_prog *p, const code_index *ix, int kind,
                            uint64_t hash, const void *key)
{
    size_t mask = ix->cap - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        uint32_t *cell = &ix->cells[i];
        if (*cell == 0 || item_is(p, kind, *cell - 1, key))
            return cell;
    }
}

/* Makes room in IX for one item more than the N it indexes, rehashing
 * when it would pass half full. 0, or -1 when out of memory. */
static int index_reserve(const code_prog *p, code_index *ix, int kind, size_t n)
{
    if (2 * (n + 1) <= ix->cap)
        return 0;
    size_t cap = ix->cap ? ix->cap * 2 : 64;
    code_index bigger = {calloc(cap, sizeof(uint32_t)), cap};
    if (!bigger.cells)
        return -1;
    for (size_t i = 0; i < n; i++) {
        size_t mask = cap - 1;
        size_t c = (size_t)item_hash(p, kind, i) & mask;
        while (bigger.cells[c])
            c = (c + 1) & mask;
        bigger.cells[c] = (uint32_t)(i + 1);
    }
    free(ix->cells);
    *ix = bigger;
    return 0;
}

uint32_t code_const(code_prog *p, double v)
{
    uint64_t bits = double_bits(v);
    if (index_reserve(p, &p->const_index, 0, p->n_consts))
        return CODE_NOMASK;
    uint32_t *cell = index_cell(p, &p->const_index, 0, mix64(bits), &bits);
    if (*cell)
        return p->const_slots[*cell - 1];
    size_t cap = p->cap_consts;
    if (grow((void **)&p->const_values, &cap, p->n_consts + 1, sizeof(double)))
        return CODE_NOMASK;
    cap = p->cap_consts;
    if (grow((void **)&p->const_slots, &cap, p->n_consts + 1, sizeof(uint32_t)))
        return CODE_NOMASK;
    p->cap_consts = cap;
    p->const_values[p->n_consts] = v;
    p->const_slots[p->n_consts] = code_new_slot(p);
    *cell = (uint32_t)++p->n_consts;
    return p->const_slots[p->n_consts - 1];
}

size_t code_n_consts(const code_prog *p)
{
    return p->n_consts;
}

uint32_t code_const_slot(const code_prog *p, size_t i)
{
    assert(i < p->n_consts);
    return p->const_slots[i];
}

double code_const_value(const code_prog *p, size_t i)
{
    assert(i < p->n_consts);
    return p->const_values[i];
}

uint32_t code_source(code_prog *p, const char *name)
{
    if (index_reserve(p, &p->source_index, 1, p->n_sources))
        return CODE_NOMASK;
    uint32_t *cell = index_cell(p, &p->source_index, 1, hash_string(name), name);
    if (*cell)
        return *cell - 1;
    if (grow((void **)&p->sources, &p->cap_sources, p->n_sources + 1,
             sizeof(char *)))
        return CODE_NOMASK;
    char *copy = strdup(name);
    if (!copy)
        return CODE_NOMASK;
    p->sources[p->n_sources] = copy;
    *cell = (uint32_t)++p->n_sources;
    return *cell - 1;
}

size_t code_n_sources(const code_prog *p)
{
    return p->n_sources;
}

const char *code_source_name(const code_prog *p, size_t i)
{
    assert(i < p->n_sources);
    return p->sources[i];
}

/* A free temporary slot, marked busy; CODE_NOMASK when out of memory. */
static uint32_t temp_take(code_prog *p)
{
    for (size_t i = 0; i < p->n_temps; i++)
        if (!p->temp_busy[i]) {
            p->temp_busy[i] = 1;
            return p->temps[i];
        }
    size_t cap = p->cap_temps;
    if (grow((void **)&p->temps, &cap, p->n_temps + 1, sizeof(uint32_t)))
        return CODE_NOMASK;
    cap = p->cap_temps;
    if (grow((void **)&p->temp_busy, &cap, p->n_temps + 1, 1))
        return CODE_NOMASK;
    p->cap_temps = cap;
    p->temps[p->n_temps] = code_new_slot(p);
    p->temp_busy[p->n_temps] = 1;
    return p->temps[p->n_temps++];
}

/* Ends the life of SLOT if it is a temporary; other slots are left alone. */
static void temp_give(code_prog *p, uint32_t slot)
{
    for (size_t i = 0; i < p->n_temps; i++)
        if (p->temps[i] == slot)
            p->temp_busy[i] = 0;
}

/* ---- functions ----------------------------------------------------------- */

typedef enum {
    FN_OP,      /* one instruction of the function's opcode */
    FN_FOLD,    /* min, max: the opcode folded over 1 or more arguments */
    FN_IF,      /* if(c, a, b): c ? a : b */
    FN_PREV,    /* prev(name): a slot, no instruction */
    FN_RANDOM   /* a random op with its own source */
} fn_kind;

typedef struct code_fn {
    const char *name;
    unsigned n_args;    /* exact count; the least count for FN_FOLD */
    opcode op;
    fn_kind kind;
    unsigned prob_arg;  /* the argument (from 1) that is a probability: a
                           literal outside [0, 1] there is an error; 0 none */
} code_fn;

static const code_fn functions[] = {
    {"min", 1, OP_MIN, FN_FOLD, 0},
    {"max", 1, OP_MAX, FN_FOLD, 0},
    {"clamp", 3, OP_CLAMP, FN_OP, 0},
    {"abs", 1, OP_ABS, FN_OP, 0},
    {"exp", 1, OP_EXP, FN_OP, 0},
    {"log", 1, OP_LOG, FN_OP, 0},
    {"sqrt", 1, OP_SQRT, FN_OP, 0},
    {"pow", 2, OP_POW, FN_OP, 0},
    {"floor", 1, OP_FLOOR, FN_OP, 0},
    {"ceil", 1, OP_CEIL, FN_OP, 0},
    {"round", 1, OP_ROUND, FN_OP, 0},
    {"logistic", 1, OP_LOGISTIC, FN_OP, 0},
    {"logit", 1, OP_LOGIT, FN_OP, 0},
    {"if", 3, OP_SEL, FN_IF, 0},
    {"prev", 1, OP_MOV, FN_PREV, 0},
    {"bernoulli", 1, OP_RBERN, FN_RANDOM, 1},
    {"uniform", 2, OP_RUNIF, FN_RANDOM, 0},
    {"normal", 2, OP_RNORM, FN_RANDOM, 0},
    {"lognormal", 2, OP_RLOGN, FN_RANDOM, 0},
    {"beta", 2, OP_RBETA, FN_RANDOM, 0},
    {"gamma", 2, OP_RGAMMA, FN_RANDOM, 0},
    {"exponential", 1, OP_REXP, FN_RANDOM, 0},
    {"poisson", 1, OP_RPOIS, FN_RANDOM, 0},
    {"binomial", 2, OP_RBINOM, FN_RANDOM, 2},
    {"triangular", 3, OP_RTRI, FN_RANDOM, 0},
    {"pert", 3, OP_RPERT, FN_RANDOM, 0},
};
#define N_FUNCTIONS (sizeof functions / sizeof functions[0])

static int name_is(const char *name, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(name, word, len) == 0;
}

static const code_fn *find_fn(const char *name, size_t len)
{
    for (size_t i = 0; i < N_FUNCTIONS; i++)
        if (name_is(name, len, functions[i].name))
            return &functions[i];
    return NULL;
}

int code_is_reserved(const char *name)
{
    return find_fn(name, strlen(name)) != NULL || lex_is_keyword(name)
           || strcmp(name, "t") == 0 || strcmp(name, "T") == 0;
}

/* ---- compiling one expression -------------------------------------------- */

/* What compiling one expression needs at hand. */
typedef struct cg {
    code_prog *p;
    const code_env *env;
    code_seq code;        /* instructions so far, handed over on success */
    code_deps deps;       /* references so far (owned until handed over) */
    int collect;          /* note references in deps (first pass only) */
    unsigned n_random;    /* random call sites met so far */
    int oom;              /* memory ran out */
    char *err;
    size_t errlen;
} cg;

/* A value while generating: a constant not yet given a slot (so that
 * folding does not fill the pool with intermediate results), or a slot. */
typedef struct cg_val {
    int is_const;
    double v;
    uint32_t slot;
} cg_val;

static int fail(cg *g, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes "column N: message" into the error buffer; returns -1. */
static int fail(cg *g, size_t pos, const char *fmt, ...)
{
    int n = snprintf(g->err, g->errlen, "column %zu: ", pos + 1);
    if (n >= 0 && (size_t)n < g->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(g->err + n, g->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int sym_index(const code_env *env, const char *name, size_t len)
{
    for (size_t i = 0; i < env->n_syms; i++)
        if (name_is(name, len, env->syms[i].name))
            return (int)i;
    return -1;
}

/* The closest of the variable names (and, when WITH_FUNCTIONS, the function
 * names, listed first so that a call prefers a function on a tie) to NAME,
 * or NULL. */
static const char *suggest(const cg *g, const char *name, size_t len,
                           int with_functions)
{
    size_t n_fn = with_functions ? N_FUNCTIONS : 0;
    size_t n = g->env->n_syms + n_fn;
    const char **cands = malloc((n ? n : 1) * sizeof *cands);
    if (!cands)
        return NULL;  /* a hint is not worth failing for */
    for (size_t i = 0; i < n_fn; i++)
        cands[i] = functions[i].name;
    for (size_t i = 0; i < g->env->n_syms; i++)
        cands[n_fn + i] = g->env->syms[i].name;
    const char *best = diag_suggest(name, len, cands, n);
    free(cands);
    return best;
}

/* "unknown WHAT 'name'" with a did-you-mean when one is close. */
static int fail_unknown(cg *g, const parse_node *n, const char *what,
                        int with_functions)
{
    const char *best = g->env->no_hints ? NULL
        : suggest(g, n->name, n->len, with_functions);
    if (best)
        return fail(g, n->op_pos, "unknown %s '%.*s' (did you mean '%s'?)",
                    what, (int)n->len, n->name, best);
    return fail(g, n->op_pos, "unknown %s '%.*s'", what, (int)n->len, n->name);
}

/* Adds I to the list *LIST of *N unless it is there. */
static void note(cg *g, size_t **list, size_t *n, size_t i)
{
    for (size_t j = 0; j < *n; j++)
        if ((*list)[j] == i)
            return;
    size_t *grown = realloc(*list, (*n + 1) * sizeof **list);
    if (!grown) {
        g->oom = 1;
        return;
    }
    *list = grown;
    grown[(*n)++] = i;
}

static int fail_params(cg *g, size_t pos, const char *name, size_t len)
{
    return fail(g, pos, "params can only refer to other params and T, not '%.*s'",
                (int)len, name);
}

/* Which slot variable I means here, read at t - 1 when AT_PREV, and notes
 * the reference in the deps. */
static uint32_t sym_slot(cg *g, size_t i, int at_prev)
{
    const code_sym *s = &g->env->syms[i];
    if (g->collect) {
        note(g, &g->deps.all, &g->deps.n_all, i);
        if (!s->is_param && !at_prev)
            note(g, &g->deps.same, &g->deps.n_same, i);
    }
    return at_prev ? s->prev : s->cur;
}

/* Resolves bare name N to its slot in *SLOT; -1 with a message when the
 * name cannot be used here. */
static int resolve_name(cg *g, const parse_node *n, uint32_t *slot)
{
    const code_env *env = g->env;
    if (name_is(n->name, n->len, "T")) {
        *slot = env->slot_T;
        return 0;
    }
    if (name_is(n->name, n->len, "t")) {
        if (env->params_only)
            return fail_params(g, n->op_pos, "t", 1);
        *slot = env->slot_t;
        return 0;
    }
    int i = sym_index(env, n->name, n->len);
    if (i >= 0) {
        if (env->params_only && !env->syms[i].is_param)
            return fail_params(g, n->op_pos, n->name, n->len);
        *slot = sym_slot(g, (size_t)i, i == env->self);
        return 0;
    }
    if (find_fn(n->name, n->len))
        return fail(g, n->op_pos, "'%.*s' is a function: write %.*s(...)",
                    (int)n->len, n->name, (int)n->len, n->name);
    return fail_unknown(g, n, "name", 0);
}

/* Resolves prev(ARG) to its slot. */
static int resolve_prev(cg *g, const parse_node *arg, uint32_t *slot)
{
    if (arg->kind != PARSE_NAME)
        return fail(g, arg->pos, "prev() takes a variable name");
    int i = sym_index(g->env, arg->name, arg->len);
    if (i < 0) {
        if (find_fn(arg->name, arg->len) || name_is(arg->name, arg->len, "t") ||
            name_is(arg->name, arg->len, "T"))
            return fail(g, arg->pos, "prev() takes a variable name");
        return fail_unknown(g, arg, "name", 0);
    }
    if (g->env->params_only && !g->env->syms[i].is_param)
        return fail_params(g, arg->pos, arg->name, arg->len);
    /* At t = 0 there is no t - 1: prev(x) is x itself, a same-step read. */
    *slot = sym_slot(g, (size_t)i, !g->env->init_phase);
    return 0;
}

/* 1 when N is a number as written, perhaps with a minus sign: *X is it. */
static int literal_number(const parse_node *n, double *x)
{
    if (n->kind == PARSE_UNARY && n->op == LEX_MINUS
        && n->a->kind == PARSE_NUMBER) {
        *x = -n->a->number;
        return 1;
    }
    if (n->kind != PARSE_NUMBER)
        return 0;
    *x = n->number;
    return 1;
}

/* The function call N names, checked against its arguments; NULL with a
 * message when the call is wrong. */
static const code_fn *resolve_call(cg *g, const parse_node *n)
{
    const code_fn *fn = find_fn(n->name, n->len);
    if (!fn) {
        if (sym_index(g->env, n->name, n->len) >= 0 ||
            name_is(n->name, n->len, "t") || name_is(n->name, n->len, "T"))
            fail(g, n->op_pos, "'%.*s' is not a function", (int)n->len, n->name);
        else
            fail_unknown(g, n, "function", 1);
        return NULL;
    }
    if (fn->kind == FN_FOLD && n->n_args < fn->n_args) {
        fail(g, n->op_pos, "%s() takes at least %u argument%s", fn->name,
             fn->n_args, fn->n_args == 1 ? "" : "s");
        return NULL;
    }
    if (fn->kind != FN_FOLD && n->n_args != fn->n_args) {
        fail(g, n->op_pos, "%s() takes %u argument%s, got %zu", fn->name,
             fn->n_args, fn->n_args == 1 ? "" : "s", n->n_args);
        return NULL;
    }
    if (fn->kind == FN_RANDOM && g->env->params_only) {
        fail(g, n->op_pos, "random function '%s' is not allowed in params",
             fn->name);
        return NULL;
    }
    /* A number written where a probability goes is checked now; an
     * expression there is clamped when it runs (and counted). */
    const parse_node *a = n->args;
    for (unsigned i = 1; fn->prob_arg && i < fn->prob_arg; i++)
        a = a->next;
    double x;
    if (fn->prob_arg && literal_number(a, &x) && !(x >= 0 && x <= 1)) {
        fail(g, a->pos, "%s(): %g is not a probability: give a value from "
             "0 to 1", fn->name, x);
        return NULL;
    }
    return fn;
}

/* First pass: every name and call of N is valid here; fills the deps.
 * Nothing is added to the program, so a wrong expression leaves no trace. */
static int check(cg *g, const parse_node *n)
{
    uint32_t slot;
    switch (n->kind) {
    case PARSE_NUMBER:
        return 0;
    case PARSE_NAME:
        return resolve_name(g, n, &slot);
    case PARSE_UNARY:
        return check(g, n->a);
    case PARSE_BINARY:
        return check(g, n->a) || check(g, n->b) ? -1 : 0;
    case PARSE_COND:
        return check(g, n->a) || check(g, n->b) || check(g, n->c) ? -1 : 0;
    case PARSE_CALL:
        break;
    }
    const code_fn *fn = resolve_call(g, n);
    if (!fn)
        return -1;
    if (fn->kind == FN_PREV)
        return resolve_prev(g, n->args, &slot);
    if (fn->kind == FN_RANDOM)
        g->deps.uses_random = 1;
    for (const parse_node *a = n->args; a; a = a->next)
        if (check(g, a))
            return -1;
    return 0;
}

static int has_random(const parse_node *n)
{
    switch (n->kind) {
    case PARSE_NUMBER:
    case PARSE_NAME:
        return 0;
    case PARSE_UNARY:
        return has_random(n->a);
    case PARSE_BINARY:
        return has_random(n->a) || has_random(n->b);
    case PARSE_COND:
        return has_random(n->a) || has_random(n->b) || has_random(n->c);
    case PARSE_CALL:
        break;
    }
    const code_fn *fn = find_fn(n->name, n->len);
    if (fn && fn->kind == FN_RANDOM)
        return 1;
    for (const parse_node *a = n->args; a; a = a->next)
        if (has_random(a))
            return 1;
    return 0;
}

/* The slot of V, giving a constant its slot now. */
static uint32_t slot_of(cg *g, cg_val v)
{
    if (!v.is_const)
        return v.slot;
    uint32_t s = code_const(g->p, v.v);
    if (s == CODE_NOMASK)
        g->oom = 1;
    return s;
}

static cg_val val_const(double v)
{
    return (cg_val){.is_const = 1, .v = v, .slot = CODE_NOMASK};
}

static cg_val val_slot(uint32_t slot)
{
    return (cg_val){.slot = slot};
}

/* Ends the life of V when it was held in a temporary. */
static void drop(cg *g, cg_val v)
{
    if (!v.is_const)
        temp_give(g->p, v.slot);
}

/* Appends INS writing into TARGET (CODE_NOMASK: a fresh temporary) and
 * returns where the value is. Operand slots stay busy until the caller
 * drops them, so a fresh temporary is never one of them. */
static cg_val emit(cg *g, code_ins ins, uint32_t target)
{
    ins.d = target == CODE_NOMASK ? temp_take(g->p) : target;
    if (ins.d == CODE_NOMASK || code_seq_push(&g->code, ins)) {
        g->oom = 1;
        return val_const(0);
    }
    return val_slot(ins.d);
}

/* Ends the lives of the N values in VS. */
static void drop_all(cg *g, const cg_val *vs, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        drop(g, vs[i]);
}

/* An instruction OP reading the first N of ARGS as a, b, c (constants get
 * their slots now); everything else unused. */
static code_ins with_operands(cg *g, opcode op, const cg_val *args, unsigned n)
{
    code_ins ins = {.op = (uint8_t)op, .d = CODE_NOMASK, .a = CODE_NOMASK,
                    .b = CODE_NOMASK, .c = CODE_NOMASK, .m = CODE_NOMASK,
                    .s = CODE_NOMASK, .k = CODE_NOMASK};
    uint32_t *slots[3] = {&ins.a, &ins.b, &ins.c};
    assert(n <= 3);
    for (unsigned i = 0; i < n; i++)
        *slots[i] = slot_of(g, args[i]);
    return ins;
}

/* Deterministic OP over the N values in OPS: folded when every one is a
 * constant, else one instruction into TARGET. The operands stay alive. */
static cg_val compute(cg *g, opcode op, const cg_val *ops, unsigned n,
                      uint32_t target)
{
    double v[3] = {0, 0, 0};
    unsigned n_const = 0;
    for (unsigned i = 0; i < n; i++)
        if (ops[i].is_const)
            v[n_const++] = ops[i].v;
    if (n_const == n)
        return val_const(vm_scalar(op, v[0], v[1], v[2]));
    return emit(g, with_operands(g, op, ops, n), target);
}

/* compute(), then the operands' lives end. */
static cg_val apply(cg *g, opcode op, const cg_val *ops, unsigned n,
                    uint32_t target)
{
    cg_val r = compute(g, op, ops, n, target);
    drop_all(g, ops, n);
    return r;
}

static cg_val gen(cg *g, const parse_node *n, uint32_t target, uint32_t mask);

/* Generates N as a branch taken where MASK and COND (negated when NEGATE)
 * agree; random calls inside draw only in those lanes. */
static cg_val gen_branch(cg *g, const parse_node *n, uint32_t mask,
                         cg_val cond, int negate)
{
    if (!has_random(n))
        return gen(g, n, CODE_NOMASK, mask);
    /* COND itself stays alive: the caller still selects with it. */
    cg_val m = negate ? compute(g, OP_NOT, &cond, 1, CODE_NOMASK)
                      : cond;
    if (mask != CODE_NOMASK) {
        cg_val both = compute(g, OP_AND, (cg_val[]){val_slot(mask), m}, 2,
                              CODE_NOMASK);
        if (negate)
            drop(g, m);
        m = both;
    }
    cg_val v = gen(g, n, CODE_NOMASK, slot_of(g, m));
    if (negate || mask != CODE_NOMASK)
        drop(g, m);
    return v;
}

/* c ? a : b, and if(c, a, b). */
static cg_val gen_select(cg *g, const parse_node *c, const parse_node *a,
                         const parse_node *b, uint32_t target, uint32_t mask)
{
    cg_val vc = gen(g, c, CODE_NOMASK, mask);
    cg_val va = gen_branch(g, a, mask, vc, 0);
    cg_val vb = gen_branch(g, b, mask, vc, 1);
    return apply(g, OP_SEL, (cg_val[]){vc, va, vb}, 3, target);
}

/* a and b, a or b: b only matters (and only draws) where a leaves the
 * answer open. */
static cg_val gen_logic(cg *g, const parse_node *n, uint32_t target,
                        uint32_t mask)
{
    cg_val va = gen(g, n->a, CODE_NOMASK, mask);
    cg_val vb = gen_branch(g, n->b, mask, va, n->op == LEX_OR);
    return apply(g, n->op == LEX_AND ? OP_AND : OP_OR, (cg_val[]){va, vb}, 2,
                 target);
}

static opcode binary_op(lex_kind k)
{
    switch (k) {
    case LEX_PLUS: return OP_ADD;
    case LEX_MINUS: return OP_SUB;
    case LEX_STAR: return OP_MUL;
    case LEX_SLASH: return OP_DIV;
    case LEX_CARET: return OP_POW;
    case LEX_LT: return OP_LT;
    case LEX_LE: return OP_LE;
    case LEX_GT: return OP_GT;
    case LEX_GE: return OP_GE;
    case LEX_EQ: return OP_EQ;
    case LEX_NE: return OP_NE;
    case LEX_AND: return OP_AND;
    case LEX_OR: return OP_OR;
    default: break;
    }
    assert(0 && "not a binary operator");
    return OP_MOV;
}

/* A random call site: its own source "<prefix>#<k>", drawing under MASK. */
static cg_val gen_random(cg *g, const code_fn *fn, const parse_node *n,
                         uint32_t target, uint32_t mask)
{
    const code_env *env = g->env;
    assert(env->source_prefix);
    /* Numbered on entry, before the arguments, so that k follows the order
     * of the call sites in the text. */
    unsigned k = ++g->n_random;
    size_t len = strlen(env->source_prefix) + 16;
    char *name = malloc(len);
    if (!name) {
        g->oom = 1;
        return val_const(0);
    }
    snprintf(name, len, "%s#%u", env->source_prefix, k);
    cg_val args[3];
    unsigned n_args = 0;
    for (const parse_node *a = n->args; a; a = a->next)
        args[n_args++] = gen(g, a, CODE_NOMASK, mask);
    code_ins ins = with_operands(g, fn->op, args, n_args);
    ins.m = mask;
    ins.s = code_source(g->p, name);
    ins.k = env->counter;
    free(name);
    if (ins.s == CODE_NOMASK)
        g->oom = 1;
    cg_val r = emit(g, ins, target);
    drop_all(g, args, n_args);
    return r;
}

static cg_val gen_call(cg *g, const parse_node *n, uint32_t target,
                       uint32_t mask)
{
    const code_fn *fn = find_fn(n->name, n->len);
    assert(fn);  /* check() let only known functions through */
    const parse_node *a = n->args;
    switch (fn->kind) {
    case FN_PREV: {
        uint32_t slot = CODE_NOMASK;
        resolve_prev(g, a, &slot);
        return val_slot(slot);
    }
    case FN_IF:
        return gen_select(g, a, a->next, a->next->next, target, mask);
    case FN_RANDOM:
        return gen_random(g, fn, n, target, mask);
    case FN_FOLD: {
        /* min(a, b, c) = MIN(MIN(a, b), c): only the last step may write
         * into the target; with one argument that is the argument itself
         * (else its temporary would outlive the expression). */
        cg_val acc = gen(g, a, a->next ? CODE_NOMASK : target, mask);
        for (a = a->next; a; a = a->next) {
            cg_val v = gen(g, a, CODE_NOMASK, mask);
            acc = apply(g, fn->op, (cg_val[]){acc, v}, 2,
                        a->next ? CODE_NOMASK : target);
        }
        return acc;
    }
    case FN_OP:
        break;
    }
    cg_val v[3];
    for (unsigned i = 0; a; a = a->next)
        v[i++] = gen(g, a, CODE_NOMASK, mask);
    return apply(g, fn->op, v, fn->n_args, target);
}

/* Second pass: instructions for N (already checked) under MASK, the last
 * one writing into TARGET when that is not CODE_NOMASK. Returns where the
 * value is; a leaf or a folded constant needs no instruction at all. */
static cg_val gen(cg *g, const parse_node *n, uint32_t target, uint32_t mask)
{
    uint32_t slot = CODE_NOMASK;
    switch (n->kind) {
    case PARSE_NUMBER:
        return val_const(n->number);
    case PARSE_NAME:
        resolve_name(g, n, &slot);
        return val_slot(slot);
    case PARSE_UNARY: {
        cg_val a = gen(g, n->a, CODE_NOMASK, mask);
        return apply(g, n->op == LEX_MINUS ? OP_NEG : OP_NOT, &a, 1, target);
    }
    case PARSE_BINARY: {
        if (n->op == LEX_AND || n->op == LEX_OR)
            return gen_logic(g, n, target, mask);
        cg_val a = gen(g, n->a, CODE_NOMASK, mask);
        cg_val b = gen(g, n->b, CODE_NOMASK, mask);
        return apply(g, binary_op(n->op), (cg_val[]){a, b}, 2, target);
    }
    case PARSE_COND:
        return gen_select(g, n->a, n->b, n->c, target, mask);
    case PARSE_CALL:
        break;
    }
    return gen_call(g, n, target, mask);
}

void code_deps_clear(code_deps *d)
{
    if (!d)
        return;
    free(d->same);
    free(d->all);
    memset(d, 0, sizeof *d);
}

int code_expr(code_prog *p, const code_env *env, const char *src,
              uint32_t dst, code_seq *out, code_deps *deps,
              char *err, size_t errlen)
{
    cg g = {.p = p, .env = env, .err = err, .errlen = errlen,
            .collect = 1};
    int rc = -1;
    if (deps)
        memset(deps, 0, sizeof *deps);
    parse_tree *tree = parse_expr(src, err, errlen);
    if (!tree)
        goto end;
    const parse_node *root = parse_root(tree);
    if (check(&g, root))
        goto end;
    /* The deps are complete: generating resolves the same names again. */
    g.collect = 0;
    cg_val v = gen(&g, root, dst, CODE_NOMASK);
    g.deps.is_const = v.is_const;
    g.deps.value = v.is_const ? v.v : 0.0;
    if (!v.is_const && v.slot == dst)
        goto done;
    code_ins mov = with_operands(&g, OP_MOV, &v, 1);
    mov.d = dst;
    if (code_seq_push(&g.code, mov))
        g.oom = 1;
done:
    for (size_t i = 0; i < p->n_temps; i++)
        assert(!p->temp_busy[i] || g.oom);
    if (g.oom || code_seq_append(out, &g.code)) {
        snprintf(err, errlen, "out of memory");
        goto end;
    }
    if (deps) {
        *deps = g.deps;
        memset(&g.deps, 0, sizeof g.deps);
    }
    rc = 0;
end:
    for (size_t i = 0; i < p->n_temps; i++)
        p->temp_busy[i] = 0;
    code_deps_clear(&g.deps);
    code_seq_clear(&g.code);
    parse_free(tree);
    return rc;
}

/* ---- dump ---------------------------------------------------------------- */

static const char *const opcode_names[] = {
#define OPCODE_NAME(name, reads, doc) #name,
    OPCODE_LIST(OPCODE_NAME)
#undef OPCODE_NAME
};

static void dump_slot(const code_prog *p, uint32_t s, FILE *out)
{
    /* Constants are shown as their values: that is what a reader checks. */
    for (size_t i = 0; i < p->n_consts; i++)
        if (p->const_slots[i] == s) {
            fprintf(out, "%.17g", p->const_values[i]);
            return;
        }
    fprintf(out, "s%" PRIu32, s);
}

void code_dump(const code_prog *p, const code_seq *q, FILE *out)
{
    for (size_t i = 0; i < q->n; i++) {
        const code_ins *ins = &q->ins[i];
        opcode op = (opcode)ins->op;
        fprintf(out, "%4zu  %-8s s%" PRIu32 " :=", i,
                op < OP__COUNT ? opcode_names[op] : "?", ins->d);
        unsigned uses = opcode_reads(op);
        const uint32_t ops[3] = {ins->a, ins->b, ins->c};
        const char *sep = " ";
        for (unsigned j = 0; j < 3; j++)
            if (uses & (1u << j)) {
                fputs(sep, out);
                dump_slot(p, ops[j], out);
                sep = ", ";
            }
        if (op >= OP_RBERN) {
            if (ins->m != CODE_NOMASK)
                fprintf(out, "  mask s%" PRIu32, ins->m);
            fprintf(out, "  source %" PRIu32 " '%s'  counter %" PRIu32, ins->s,
                    ins->s < p->n_sources ? p->sources[ins->s] : "?", ins->k);
        }
        fputc('\n', out);
    }
}

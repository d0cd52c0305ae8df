/* code.h: compiles expression strings into evaluator instructions. */
#ifndef NCG_CODE_H
#define NCG_CODE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "expr/opcodes.h"

#define CODE_NOMASK UINT32_MAX

/* One instruction; see opcodes.h for what each op does with its slots.
 * Operands an op does not use are ignored (code_expr sets them to
 * CODE_NOMASK). d may be one of the sources: an update in place. */
typedef struct code_ins {
    uint8_t op;       /* an opcode */
    uint32_t d, a, b, c;
    uint32_t m;       /* mask slot for random ops, or CODE_NOMASK */
    uint32_t s;       /* random source index (random and event ops) */
    uint32_t k;       /* clamp counter index (RBERN, RBINOM, event ops) */
} code_ins;

/* A growable run of instructions, owned by the caller. */
typedef struct code_seq {
    code_ins *ins;
    size_t n, cap;
} code_seq;

/* Appends INS; returns 0, or -1 when out of memory. */
int code_seq_push(code_seq *q, code_ins ins);
/* Appends all of FROM to TO; 0 or -1. */
int code_seq_append(code_seq *to, const code_seq *from);
/* Frees the instructions; the struct itself is the caller's. */
void code_seq_clear(code_seq *q);

/* The slots, constants and random sources shared by every expression of a
 * model. Owns everything it holds. */
typedef struct code_prog code_prog;

code_prog *code_alloc(void);
void code_free(code_prog *p);

/* A fresh slot that no temporary will reuse (a variable's value, an event's
 * probability). Returns its index. */
uint32_t code_new_slot(code_prog *p);
/* The slot holding constant V (one slot per distinct bit pattern, so -0.0
 * and 0.0 differ and every NaN payload has its own), or CODE_NOMASK when
 * out of memory. */
uint32_t code_const(code_prog *p, double v);
/* Number of slots so far. */
uint32_t code_n_slots(const code_prog *p);
/* Constant slots: for each i < code_n_consts, slot code_const_slot(i)
 * holds code_const_value(i) in every lane. */
size_t code_n_consts(const code_prog *p);
uint32_t code_const_slot(const code_prog *p, size_t i);
double code_const_value(const code_prog *p, size_t i);

/* Registers a random source by NAME (copied); returns its index, or
 * CODE_NOMASK when out of memory. Names are unique: registering an existing
 * name returns the existing index. */
uint32_t code_source(code_prog *p, const char *name);
size_t code_n_sources(const code_prog *p);
const char *code_source_name(const code_prog *p, size_t i);

/* A name the expression may use, as the model resolves it. */
typedef struct code_sym {
    const char *name;   /* borrowed */
    uint32_t cur;       /* slot of the value in this step */
    uint32_t prev;      /* slot of the value at t - 1 */
    int is_param;       /* params are constant within a trial */
} code_sym;

/* Where and how an expression is compiled. */
typedef struct code_env {
    const code_sym *syms;  /* every variable of the model */
    size_t n_syms;
    uint32_t slot_t;       /* slot holding the current step t */
    uint32_t slot_T;       /* slot holding T */
    int params_only;       /* 1 in params: only params and T, no random calls */
    int self;              /* index in syms whose bare name means its value
                              at t - 1 (a state inside its own `next`); -1 */
    int init_phase;        /* 1 at t = 0: prev(x) means x itself (a
                              same-step reference) */
    const char *source_prefix; /* random call sites become sources named
                              "<prefix>#<k>", k = 1, 2, ... in source order */
    uint32_t counter;      /* clamp counter index for random calls */
    int no_hints;          /* 1: no "did you mean" search (the caller has
                              reported enough errors; keeps thousands of
                              unknown names fast) */
} code_env;

/* The variables an expression refers to. Each list has no duplicates and is
 * in order of first use. */
typedef struct code_deps {
    size_t *same;    /* indices into syms read in the same step (owned);
                        never a param (constant within a trial) */
    size_t n_same;
    int uses_random; /* 1 when it calls a random function */
    size_t *all;     /* every index into syms the expression reads: same-step,
                        at t - 1 (prev(x), the self name) and params (owned) */
    size_t n_all;
    int is_const;    /* 1 when the whole expression folds to one number,
                        VALUE (e.g. "1.5", "-0.1", "2 * 0.6") */
    double value;
} code_deps;

/* Frees the lists of D and empties it; D itself is the caller's. */
void code_deps_clear(code_deps *d);

/* 1 when NAME is taken by the language and no variable may have it: a
 * function of the expression language (from the compiler's one function
 * table), a keyword (and, or, not), or t or T. Else 0. */
int code_is_reserved(const char *name);

/* Compiles expression SRC under ENV, appending to OUT instructions that
 * leave its value in slot DST for every lane. DEPS (may be NULL) receives
 * the references (no duplicates, in first-use order); whatever it held is
 * overwritten, not freed, and it is left empty on error.
 * Returns 0, or -1 with "column N: message" in ERR (N counts from 1), e.g.
 *   "column 17: unknown name 'trops' (did you mean 'troops'?)"
 *   "column 5: random function 'normal' is not allowed in params"
 *   "column 9: expected ')' but found end of expression"
 * On error nothing is appended to OUT. */
int code_expr(code_prog *p, const code_env *env, const char *src,
              uint32_t dst, code_seq *out, code_deps *deps,
              char *err, size_t errlen);

/* Prints Q readably, one instruction per line (for `ncgsim show --code`
 * and tests). */
void code_dump(const code_prog *p, const code_seq *q, FILE *out);

#endif

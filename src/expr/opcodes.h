/* opcodes.h: the evaluator's instruction set, listed once (X-macro).
 *
 * Each entry: the name, which operands it reads (bits 1 = a, 2 = b, 4 = c)
 * and what it does. Every operand is a slot: a vector of VM_BLOCK doubles,
 * one per trial lane.
 * d is the destination; a, b, c are sources; m is a mask slot or CODE_NOMASK.
 * All arithmetic propagates NaN (a NaN operand gives NaN), so that a bad
 * value is never hidden by a comparison or a min/max and the engine can
 * report it. "Lanes" below means the active lanes of the block. Every op
 * reads a lane's operands before it writes that lane, so d may be one of
 * the sources (a state clamped in place). */
#ifndef NCG_OPCODES_H
#define NCG_OPCODES_H

#define OPCODE_LIST(X)                                                        \
    X(MOV,      1, "d := a")                                                  \
    X(NEG,      1, "d := -a")                                                 \
    X(ADD,      3, "d := a + b")                                              \
    X(SUB,      3, "d := a - b")                                              \
    X(MUL,      3, "d := a * b")                                              \
    X(DIV,      3, "d := a / b")                                              \
    X(POW,      3, "d := pow(a, b)")                                          \
    X(LT,       3, "d := a < b (0 or 1; NaN if either is NaN)")               \
    X(LE,       3, "d := a <= b")                                             \
    X(GT,       3, "d := a > b")                                              \
    X(GE,       3, "d := a >= b")                                             \
    X(EQ,       3, "d := a == b")                                             \
    X(NE,       3, "d := a != b")                                             \
    X(AND,      3, "d := a == 0 ? 0 : NaN(a) ? NaN : NaN(b) ? NaN : b != 0")  \
    X(OR,       3, "d := NaN(a) ? NaN : a != 0 ? 1 : NaN(b) ? NaN : b != 0")  \
    X(NOT,      1, "d := a == 0 (NaN stays NaN)")                             \
    X(SEL,      7, "d := NaN(a) ? NaN : a != 0 ? b : c")                      \
    X(MIN,      3, "d := min(a, b), NaN if either is NaN")                    \
    X(MAX,      3, "d := max(a, b), NaN if either is NaN")                    \
    X(CLAMP,    7, "d := a < b ? b : a > c ? c : a (NaN stays NaN)")          \
    X(BOUND,    7, "d := a NaN or infinite ? a : clamp(a, b, c) (state min/max)") \
    X(ABS,      1, "d := |a|")                                                \
    X(EXP,      1, "d := e^a")                                                \
    X(LOG,      1, "d := ln a")                                               \
    X(SQRT,     1, "d := sqrt a")                                             \
    X(FLOOR,    1, "d := floor a")                                            \
    X(CEIL,     1, "d := ceil a")                                             \
    X(ROUND,    1, "d := round a (halves away from zero)")                    \
    X(LOGISTIC, 1, "d := 1 / (1 + e^-a)")                                     \
    X(LOGIT,    1, "d := ln(a / (1 - a))")                                    \
    /* Random ops: in each lane whose mask m is non-zero (every lane when */  \
    /* m is CODE_NOMASK) draw from source s at (trial, step); other lanes */  \
    /* get 0. A probability outside [0, 1] is clamped and counted in */       \
    /* counter k; an invalid argument gives NaN, and so does a NaN one */     \
    /* or an infinite one other than a probability (no distribution here */   \
    /* has a sensible infinite parameter, and some of GSL's samplers would */ \
    /* never return). */                                                      \
    X(RBERN,    1, "d := bernoulli(a)")                                       \
    X(RUNIF,    3, "d := uniform(a, b)")                                      \
    X(RNORM,    3, "d := normal(mean a, sd b)")                               \
    X(RLOGN,    3, "d := lognormal(median a, sigma b)")                       \
    X(RBETA,    3, "d := beta(a, b)")                                         \
    X(RGAMMA,   3, "d := gamma(shape a, scale b)")                            \
    X(REXP,     1, "d := exponential(mean a)")                                \
    X(RPOIS,    1, "d := poisson(mean a)")                                    \
    X(RBINOM,   3, "d := binomial(n a, p b)")                                 \
    X(RTRI,     7, "d := triangular(min a, mode b, max c)")                   \
    X(RPERT,    7, "d := pert(min a, mode b, max c)")                         \
    /* Event updates: u is the first uniform of source s at (trial, step); */ \
    /* p (slot a) and recover (slot b) are clamped into [0, 1], counted in */ \
    /* counter k; c is the event's value at t - 1; NaN p gives NaN. A */      \
    /* clamp is counted only for the probability that decides the lane */     \
    /* (not p of an absorbing event already 1, nor the one of p and */        \
    /* recover a switch does not use). */                                     \
    X(EVINIT,   1, "d := u < a  (value at t = 0 from init probability a)")    \
    X(EVABS,    5, "d := c == 1 ? 1 : u < a  (absorbing)")                    \
    X(EVREC,    1, "d := u < a  (recurrent)")                                 \
    X(EVSW,     7, "d := c == 0 ? u < a : !(u < b)  (switch with recover b)")

typedef enum {
#define OPCODE_ENUM(name, reads, doc) OP_##name,
    OPCODE_LIST(OPCODE_ENUM)
#undef OPCODE_ENUM
    OP__COUNT
} opcode;

/* Which of the operands a, b, c opcode OP reads: bits 1, 2 and 4, from
 * the list above (the one place that says it). */
static inline unsigned opcode_reads(opcode op)
{
    static const unsigned char reads[OP__COUNT] = {
#define OPCODE_READS(name, reads, doc) reads,
        OPCODE_LIST(OPCODE_READS)
#undef OPCODE_READS
    };
    return op < OP__COUNT ? reads[op] : 0;
}

/* How many of a, b, c opcode OP reads, counted from a (the highest one
 * it reads: an event update reads a and c). */
static inline unsigned opcode_arity(opcode op)
{
    unsigned r = opcode_reads(op);
    return r & 4 ? 3 : r & 2 ? 2 : r & 1 ? 1 : 0;
}

#endif

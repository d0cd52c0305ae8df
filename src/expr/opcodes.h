/* opcodes.h: the evaluator's instruction set, listed once (X-macro).
 *
 * Every operand is a slot: a vector of VM_BLOCK doubles, one per trial lane.
 * d is the destination; a, b, c are sources; m is a mask slot or CODE_NOMASK.
 * All arithmetic propagates NaN (a NaN operand gives NaN), so that a bad
 * value is never hidden by a comparison or a min/max and the engine can
 * report it. "Lanes" below means the active lanes of the block. Every op
 * reads a lane's operands before it writes that lane, so d may be one of
 * the sources (a state clamped in place). */
#ifndef NCG_OPCODES_H
#define NCG_OPCODES_H

#define OPCODE_LIST(X)                                                        \
    X(MOV,      "d := a")                                                     \
    X(NEG,      "d := -a")                                                    \
    X(ADD,      "d := a + b")                                                 \
    X(SUB,      "d := a - b")                                                 \
    X(MUL,      "d := a * b")                                                 \
    X(DIV,      "d := a / b")                                                 \
    X(POW,      "d := pow(a, b)")                                             \
    X(LT,       "d := a < b (0 or 1; NaN if either is NaN)")                  \
    X(LE,       "d := a <= b")                                                \
    X(GT,       "d := a > b")                                                 \
    X(GE,       "d := a >= b")                                                \
    X(EQ,       "d := a == b")                                                \
    X(NE,       "d := a != b")                                                \
    X(AND,      "d := a == 0 ? 0 : NaN(a) ? NaN : NaN(b) ? NaN : b != 0")     \
    X(OR,       "d := NaN(a) ? NaN : a != 0 ? 1 : NaN(b) ? NaN : b != 0")     \
    X(NOT,      "d := a == 0 (NaN stays NaN)")                                \
    X(SEL,      "d := NaN(a) ? NaN : a != 0 ? b : c")                         \
    X(MIN,      "d := min(a, b), NaN if either is NaN")                       \
    X(MAX,      "d := max(a, b), NaN if either is NaN")                       \
    X(CLAMP,    "d := a < b ? b : a > c ? c : a (NaN stays NaN)")             \
    X(BOUND,    "d := a NaN or infinite ? a : clamp(a, b, c) (state min/max)") \
    X(ABS,      "d := |a|")                                                   \
    X(EXP,      "d := e^a")                                                   \
    X(LOG,      "d := ln a")                                                  \
    X(SQRT,     "d := sqrt a")                                                \
    X(FLOOR,    "d := floor a")                                               \
    X(CEIL,     "d := ceil a")                                                \
    X(ROUND,    "d := round a (halves away from zero)")                       \
    X(LOGISTIC, "d := 1 / (1 + e^-a)")                                        \
    X(LOGIT,    "d := ln(a / (1 - a))")                                       \
    /* Random ops: in each lane whose mask m is non-zero (every lane when */  \
    /* m is CODE_NOMASK) draw from source s at (trial, step); other lanes */  \
    /* get 0. A probability outside [0, 1] is clamped and counted in */       \
    /* counter k; an invalid argument gives NaN, and so does a NaN one */     \
    /* or an infinite one other than a probability (no distribution here */   \
    /* has a sensible infinite parameter, and some of GSL's samplers would */ \
    /* never return). */                                                      \
    X(RBERN,    "d := bernoulli(a)")                                          \
    X(RUNIF,    "d := uniform(a, b)")                                         \
    X(RNORM,    "d := normal(mean a, sd b)")                                  \
    X(RLOGN,    "d := lognormal(median a, sigma b)")                          \
    X(RBETA,    "d := beta(a, b)")                                            \
    X(RGAMMA,   "d := gamma(shape a, scale b)")                               \
    X(REXP,     "d := exponential(mean a)")                                   \
    X(RPOIS,    "d := poisson(mean a)")                                       \
    X(RBINOM,   "d := binomial(n a, p b)")                                    \
    X(RTRI,     "d := triangular(min a, mode b, max c)")                      \
    X(RPERT,    "d := pert(min a, mode b, max c)")                            \
    /* Event updates: u is the first uniform of source s at (trial, step); */ \
    /* p (slot a) and recover (slot b) are clamped into [0, 1], counted in */ \
    /* counter k; c is the event's value at t - 1; NaN p gives NaN. A */      \
    /* clamp is counted only for the probability that decides the lane */     \
    /* (not p of an absorbing event already 1, nor the one of p and */        \
    /* recover a switch does not use). */                                     \
    X(EVINIT,   "d := u < a  (value at t = 0 from init probability a)")       \
    X(EVABS,    "d := c == 1 ? 1 : u < a  (absorbing)")                       \
    X(EVREC,    "d := u < a  (recurrent)")                                    \
    X(EVSW,     "d := c == 0 ? u < a : !(u < b)  (switch with recover b)")

typedef enum {
#define OPCODE_ENUM(name, doc) OP_##name,
    OPCODE_LIST(OPCODE_ENUM)
#undef OPCODE_ENUM
    OP__COUNT
} opcode;

#endif

/* vm.h: evaluates instructions over a block of trials (structure of arrays). */
#ifndef NCG_VM_H
#define NCG_VM_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "expr/code.h"

/* Trials evaluated together: one opcode runs over this many lanes. */
#define VM_BLOCK 256

/* Where a block's values live while instructions run over it. The engine
 * owns every array; one frame per thread, allocated once per run. */
typedef struct vm_frame {
    double **reg;          /* reg[slot] -> VM_BLOCK doubles */
    size_t lanes;          /* active lanes, 1 .. VM_BLOCK */
    uint64_t trial0;       /* trial index of lane 0 */
    uint32_t step;         /* current step t */
    gsl_rng *rng;          /* a generator of type rng_keyed */
    const uint64_t *keys;  /* keys[s]: key of random source s */
    int64_t *clamped;      /* clamped[k]: probabilities clamped so far */
} vm_frame;

/* Runs instructions INS[0 .. N-1] over the active lanes of F. Never fails:
 * bad values become NaN or infinity for the engine to report. */
void vm_run(const code_ins *ins, size_t n, vm_frame *f);

/* Fills slot S of F with V in every lane (constants, t, T). */
void vm_fill(vm_frame *f, uint32_t s, double v);

/* The value deterministic opcode OP (MOV .. LOGIT) gives for operands A, B
 * and C in one lane: the very arithmetic vm_run uses, so that constants
 * folded at compile time are bit for bit what the evaluator would give.
 * Operands OP does not use are ignored. */
double vm_scalar(opcode op, double a, double b, double c);

#endif

/* simd.h: NCG_CLONES, for the few loops where most of a run's time goes. */
#ifndef NCG_SIMD_H
#define NCG_SIMD_H

/*
 * A function marked NCG_CLONES is compiled, with GCC on x86-64, once for
 * AVX-512 (x86-64-v4), once for AVX2 (x86-64-v3) and once for the baseline
 * x86-64, with the vectoriser on; the dynamic loader picks the best version
 * the processor has when the program starts. The default build therefore
 * runs on any x86-64 and is still vectorised where it can be.
 *
 * Every version gives the same bits: the project builds with
 * -ffp-contract=off and without -ffast-math, so a vector add, multiply,
 * compare or min/max is the same IEEE operation as the scalar one, in the
 * same order; only the width changes. Tests pin this (test_rng compares
 * the lane loops with the scalar block function, test_vm every op over a
 * block with the scalar evaluator), and `make CPPFLAGS+=-DNCG_NO_CLONES`
 * builds without clones for comparison.
 *
 * Elsewhere (clang, other architectures) the macro is empty and the
 * compiler's own -O2 vectoriser decides.
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && \
    defined(__has_attribute) && !defined(NCG_NO_CLONES)
#if __has_attribute(target_clones)
#define NCG_CLONES                                                        \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3",     \
                                 "default"),                              \
                   optimize("tree-vectorize", "vect-cost-model=dynamic")))
#endif
#endif
#ifndef NCG_CLONES
#define NCG_CLONES
#endif

#endif

/* rng.h: keyed counter-based random streams, exposed as a gsl_rng type. */
#ifndef NCG_RNG_H
#define NCG_RNG_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

/*
 * Every random source of a model (a param, an event, a random-function call
 * site) has a 64-bit key made from the run's seed and the source's name.
 * A draw is a pure function of (key, trial, step, k), where k counts the
 * numbers used so far in this (trial, step): positioning the stream is a few
 * stores, not a reseed, and the numbers a trial sees never depend on which
 * thread ran it or on what other trials drew.
 *
 * The generator is Philox4x32-10 (Salmon et al., SC'11): the 128-bit counter
 * is (trial low, trial high, step, block), the 64-bit key is the source key.
 * One block gives four 32-bit words.
 */

/* The gsl_rng_type of the keyed generator: gsl_rng_get() returns 32-bit
 * words (min 0, max 0xffffffff); gsl_rng_uniform() returns a multiple of
 * 2^-53 in [0, 1) built from two words. gsl_rng_set(r, s) positions the
 * stream at key s, trial 0, step 0. */
extern const gsl_rng_type *rng_keyed;

/* Returns a generator of type rng_keyed, or NULL when out of memory.
 * Free it with gsl_rng_free. */
gsl_rng *rng_alloc(void);

/* The key of the source called NAME under SEED (a 64-bit hash; distinct
 * names give unrelated keys, the same name and seed always the same key). */
uint64_t rng_key(uint64_t seed, const char *name);

/* Positions R (of type rng_keyed) at the first number of (KEY, TRIAL, STEP).
 * Cheap: meant to be called once per lane per random op. */
void rng_position(gsl_rng *r, uint64_t key, uint64_t trial, uint32_t step);

/* One uniform double in [0, 1) at (KEY, TRIAL, STEP, 0) without a gsl_rng:
 * the same number gsl_rng_uniform() returns first after rng_position(). */
double rng_uniform_at(uint64_t key, uint64_t trial, uint32_t step);

/* OUT[i] = rng_uniform_at(KEY, TRIAL0 + i, STEP) for i < N: the same
 * numbers, computed for a block of trials with vector instructions
 * (Philox has no data-dependent branches): AVX-512 or AVX2 kernels when
 * the processor has them, else a loop the compiler vectorises. */
void rng_uniform_lanes(uint64_t key, uint64_t trial0, uint32_t step,
                       size_t n, double *out);

/* The first block (four words) of (KEY, TRIAL0 + i, STEP) for i < N into
 * OUT[4 i .. 4 i + 3], with vector instructions as above. */
void rng_block0_lanes(uint64_t key, uint64_t trial0, uint32_t step,
                      size_t n, uint32_t *out);

/* The paths the two lane loops above can take on this processor: 1 (the
 * portable loop only), 2 (also AVX2) or 3 (also AVX-512). Every path
 * gives the same numbers; by default the widest is taken. */
int rng_lanes_paths(void);

/* From now on the lane loops take path PATH at most (0: the portable loop,
 * 1: AVX2, 2: AVX-512; -1: the widest there is, the default). For tests
 * and comparisons: call it when no lane loop is running. */
void rng_lanes_use(int path);

/* rng_position(R, KEY, TRIAL, STEP) when the position's first block is
 * already known (from rng_block0_lanes): R hands out W first. */
void rng_position_at(gsl_rng *r, uint64_t key, uint64_t trial,
                     uint32_t step, const uint32_t w[4]);

/* The most blocks a position can be given ready (rng_blocks_lanes,
 * rng_position_ready). */
#define RNG_READY_MAX 4

/* The first NB blocks (1 <= NB <= RNG_READY_MAX) of (KEY, TRIAL0 + i,
 * STEP) for i < N: word w of block b at OUT[4 NB i + 4 b + w], with
 * vector instructions as above; for samplers that use more than one. */
void rng_blocks_lanes(uint64_t key, uint64_t trial0, uint32_t step,
                      unsigned nb, size_t n, uint32_t *out);

/* rng_position(R, KEY, TRIAL, STEP) when the position's first NB blocks
 * are already known (4 NB words at W, from rng_blocks_lanes): R hands them
 * out first, then computes block NB on. */
void rng_position_ready(gsl_rng *r, uint64_t key, uint64_t trial,
                        uint32_t step, const uint32_t *w, unsigned nb);

/* A random permutation of [0, N) keyed by KEY, evaluated at I < N, in O(1)
 * memory (a keyed bijection with cycle walking). Used by the Latin hypercube
 * sampler: perm(i) is the stratum of trial i. N >= 1. */
uint64_t rng_permute(uint64_t key, uint64_t i, uint64_t n);

/* The raw Philox4x32-10 block function: OUT = Philox(CTR, KEY), with the
 * word order of the Random123 reference (for known-answer tests). */
void rng_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2],
                       uint32_t out[4]);

#endif

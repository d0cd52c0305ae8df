/* floor.c: the time to draw only the random numbers the benchmark model draws. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include "random/rng.h"

/*
 * No engine can run bench/reference.cfg faster than it can draw its random
 * numbers on the keyed streams, so this is the floor the engine's time is
 * set against. Per trial: one beta (p_trump) and one uniform (trump at
 * t = 0); per step: one uniform (ncg_dead), one uniform (the bernoulli),
 * one normal, and a lognormal on 0.08 * 0.8 of the steps. The lognormal is
 * drawn on a fixed pattern with that rate (an accumulator, not a random
 * test) so the floor pays for the same expected count and nothing else.
 * The numbers are drawn the way the engine draws them, a block of
 * FLOOR_BLOCK trials at a time: the uniforms of a block in one vector pass
 * (rng_uniform_lanes), the normals from the first Philox block of every
 * lane in one pass (rng_block0_lanes) and the ziggurat per lane, the beta
 * and lognormal through rng_position and GSL per lane.
 *
 * Usage: floor [TRIALS]    (default 1e6)
 * Prints one line: trials, the loop's own seconds and a checksum that
 * keeps the compiler from dropping the draws.
 */

#define FLOOR_STEPS 16
#define FLOOR_SEED 12345
#define FLOOR_LOGN_RATE (0.08 * 0.8)
#define FLOOR_BLOCK 256 /* the engine's block (VM_BLOCK) */

int main(int argc, char **argv)
{
    uint64_t trials = 1000000;
    struct timespec t0, t1;
    if (argc > 2) {
        fputs("usage: floor [TRIALS]\n", stderr);
        return 2;
    }
    if (argc == 2) {
        char *end;
        errno = 0;
        trials = strtoull(argv[1], &end, 10);
        if (errno || *end || end == argv[1] || trials == 0) {
            fprintf(stderr, "floor: bad number of trials '%s'\n", argv[1]);
            return 2;
        }
    }
    gsl_set_error_handler_off();
    gsl_rng *r = rng_alloc();
    if (!r) {
        fputs("floor: out of memory\n", stderr);
        return 1;
    }
    const double mu = log(3000.0);
    const uint64_t k_p = rng_key(FLOOR_SEED, "p_trump");
    const uint64_t k_trump = rng_key(FLOOR_SEED, "trump");
    const uint64_t k_dead = rng_key(FLOOR_SEED, "ncg_dead");
    const uint64_t k_bern = rng_key(FLOOR_SEED, "cut.value#1");
    const uint64_t k_logn = rng_key(FLOOR_SEED, "cut.value#2");
    const uint64_t k_norm = rng_key(FLOOR_SEED, "cred.next#1");
    double sum = 0.0, due = 0.0;
    uint64_t n_logn = 0;
    static double u[FLOOR_BLOCK];
    static uint32_t w[4 * FLOOR_BLOCK];
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint64_t i0 = 0; i0 < trials; i0 += FLOOR_BLOCK) {
        size_t n = trials - i0 < FLOOR_BLOCK ? (size_t)(trials - i0)
                                             : FLOOR_BLOCK;
        for (size_t i = 0; i < n; i++) {
            rng_position(r, k_p, i0 + i, 0);
            sum += gsl_ran_beta(r, 8.0, 2.0);
        }
        rng_uniform_lanes(k_trump, i0, 0, n, u);
        sum += u[n - 1];
        for (uint32_t t = 1; t <= FLOOR_STEPS; t++) {
            rng_uniform_lanes(k_dead, i0, t, n, u);
            sum += u[n - 1];
            rng_uniform_lanes(k_bern, i0, t, n, u);
            sum += u[n - 1];
            for (size_t i = 0; i < n; i++) {
                due += FLOOR_LOGN_RATE;
                if (due >= 1.0) {
                    due -= 1.0;
                    n_logn++;
                    rng_position(r, k_logn, i0 + i, t);
                    sum += gsl_ran_lognormal(r, mu, 0.4);
                }
            }
            rng_block0_lanes(k_norm, i0, t, n, w);
            for (size_t i = 0; i < n; i++) {
                rng_position_at(r, k_norm, i0 + i, t, w + 4 * i);
                sum += gsl_ran_gaussian_ziggurat(r, 1.5);
            }
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    gsl_rng_free(r);
    printf("floor trials=%llu steps=%d loop_s=%.6f lognormals=%llu "
           "checksum=%.10g\n", (unsigned long long)trials, FLOOR_STEPS,
           (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec),
           (unsigned long long)n_logn, sum);
    return fflush(stdout) == 0 ? 0 : 1;
}

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
 * Each number is positioned the way the engine positions it: a uniform is
 * one rng_uniform_at, the others an rng_position and a gsl_ran_* call.
 *
 * Usage: floor [TRIALS]    (default 1e6)
 * Prints one line: trials, the loop's own seconds and a checksum that
 * keeps the compiler from dropping the draws.
 */

#define FLOOR_STEPS 16
#define FLOOR_SEED 12345
#define FLOOR_LOGN_RATE (0.08 * 0.8)

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
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint64_t i = 0; i < trials; i++) {
        rng_position(r, k_p, i, 0);
        sum += gsl_ran_beta(r, 8.0, 2.0);
        sum += rng_uniform_at(k_trump, i, 0);
        for (uint32_t t = 1; t <= FLOOR_STEPS; t++) {
            sum += rng_uniform_at(k_dead, i, t);
            sum += rng_uniform_at(k_bern, i, t);
            due += FLOOR_LOGN_RATE;
            if (due >= 1.0) {
                due -= 1.0;
                n_logn++;
                rng_position(r, k_logn, i, t);
                sum += gsl_ran_lognormal(r, mu, 0.4);
            }
            rng_position(r, k_norm, i, t);
            sum += gsl_ran_gaussian_ziggurat(r, 1.5);
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

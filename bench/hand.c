/* hand.c: the benchmark model written by hand as a plain C loop over GSL. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "random/rng.h"

/*
 * What `make bench` compares the engine with: bench/reference.cfg as a
 * competent C programmer would write it without ncgsim. Two variants:
 *
 *   mt     gsl_rng_mt19937 seeded once, every number drawn in sequence and
 *          only when the C code needs it (the headline comparison);
 *   keyed  the project's keyed streams (src/rng.h), positioned per trial,
 *          step and source exactly as the engine positions them, so that
 *          it reproduces the engine's troops and cred bit for bit
 *          (the driver checks the means against summary.csv).
 *
 * Both draw the Gaussian with gsl_ran_gaussian_ziggurat, GSL's fastest and
 * the one the engine uses, so the two loops differ from the engine only in
 * their control structure and, for mt, the generator.
 *
 * Usage: hand mt|keyed [TRIALS]    (default 1e6 trials)
 * Prints one line: the variant, trials, the loop's own seconds and the
 * means at the last step.
 */

/* The model of bench/reference.cfg (keep in step with it). */
#define HAND_STEPS 16
#define HAND_SEED 12345
#define HAND_TROOPS0 28500.0
#define HAND_CRED0 70.0

/* Sums over trials of each output at the last step. */
typedef struct hand_sums {
    double trump, dead, troops, cred, cut;
} hand_sums;

/* cred's update: clamp(cred + 0.5 * (dead ? -4 : 1) - cut / 1000 + z, 0, 100),
 * evaluated left to right as the engine's code does. */
static double hand_cred(double cred, int dead, double cut, double z)
{
    double x = cred + 0.5 * (dead ? -4.0 : 1.0) - cut / 1000.0 + z;
    return x < 0.0 ? 0.0 : x > 100.0 ? 100.0 : x;
}

/* Adds one trial's values at the last step to S. */
static void hand_add(hand_sums *s, int trump, int dead, double troops,
                     double cred, double cut)
{
    s->trump += trump;
    s->dead += dead;
    s->troops += troops;
    s->cred += cred;
    s->cut += cut;
}

/* TRIALS trials with one Mersenne Twister seeded once; sums into S.
 * Returns 0, or -1 when the generator cannot be allocated. */
static int hand_mt(uint64_t trials, hand_sums *s)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    const double mu = log(3000.0);
    if (!r)
        return -1;
    gsl_rng_set(r, HAND_SEED);
    for (uint64_t i = 0; i < trials; i++) {
        double p_trump = gsl_ran_beta(r, 8.0, 2.0);
        int trump = gsl_rng_uniform(r) < p_trump;
        int dead = 0;
        double troops = HAND_TROOPS0, cred = HAND_CRED0, cut = 0.0;
        for (int t = 1; t <= HAND_STEPS; t++) {
            if (!dead)
                dead = gsl_rng_uniform(r) < 0.01 + 0.05 * trump;
            cut = trump && gsl_rng_uniform(r) < 0.08
                  ? gsl_ran_lognormal(r, mu, 0.4) : 0.0;
            troops = troops - cut > 0.0 ? troops - cut : 0.0;
            cred = hand_cred(cred, dead, cut,
                             gsl_ran_gaussian_ziggurat(r, 1.5));
        }
        hand_add(s, trump, dead, troops, cred, cut);
    }
    gsl_rng_free(r);
    return 0;
}

/* TRIALS trials on the keyed streams, each number taken from the source,
 * trial and step the engine takes it from (the source names are those
 * `ncgsim show --code` prints). A number skipped here (ncg_dead once dead,
 * trump's per-step draw with p = 0, cut at t = 0) is one the results do not
 * depend on, so skipping it changes nothing. Returns 0 or -1 (no memory). */
static int hand_keyed(uint64_t trials, hand_sums *s)
{
    gsl_rng *r = rng_alloc();
    const double mu = log(3000.0);
    const uint64_t k_p = rng_key(HAND_SEED, "p_trump");
    const uint64_t k_trump = rng_key(HAND_SEED, "trump");
    const uint64_t k_dead = rng_key(HAND_SEED, "ncg_dead");
    const uint64_t k_bern = rng_key(HAND_SEED, "cut.value#1");
    const uint64_t k_logn = rng_key(HAND_SEED, "cut.value#2");
    const uint64_t k_norm = rng_key(HAND_SEED, "cred.next#1");
    if (!r)
        return -1;
    for (uint64_t i = 0; i < trials; i++) {
        rng_position(r, k_p, i, 0);
        double p_trump = gsl_ran_beta(r, 8.0, 2.0);
        int trump = rng_uniform_at(k_trump, i, 0) < p_trump;
        int dead = 0;
        double troops = HAND_TROOPS0, cred = HAND_CRED0, cut = 0.0;
        for (uint32_t t = 1; t <= HAND_STEPS; t++) {
            if (!dead)
                dead = rng_uniform_at(k_dead, i, t) < 0.01 + 0.05 * trump;
            cut = 0.0;
            if (trump && rng_uniform_at(k_bern, i, t) < 0.08) {
                rng_position(r, k_logn, i, t);
                cut = gsl_ran_lognormal(r, mu, 0.4);
            }
            troops = troops - cut > 0.0 ? troops - cut : 0.0;
            rng_position(r, k_norm, i, t);
            cred = hand_cred(cred, dead, cut,
                             gsl_ran_gaussian_ziggurat(r, 1.5));
        }
        hand_add(s, trump, dead, troops, cred, cut);
    }
    gsl_rng_free(r);
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t trials = 1000000;
    hand_sums s = { 0, 0, 0, 0, 0 };
    struct timespec t0, t1;
    int rc;
    if (argc < 2 || argc > 3
        || (strcmp(argv[1], "mt") != 0 && strcmp(argv[1], "keyed") != 0)) {
        fputs("usage: hand mt|keyed [TRIALS]\n", stderr);
        return 2;
    }
    if (argc == 3) {
        char *end;
        errno = 0;
        trials = strtoull(argv[2], &end, 10);
        if (errno || *end || end == argv[2] || trials == 0) {
            fprintf(stderr, "hand: bad number of trials '%s'\n", argv[2]);
            return 2;
        }
    }
    /* GSL's default handler aborts; an allocation failure is reported by
     * the NULL return instead. */
    gsl_set_error_handler_off();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = argv[1][0] == 'm' ? hand_mt(trials, &s) : hand_keyed(trials, &s);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc != 0) {
        fputs("hand: out of memory\n", stderr);
        return 1;
    }
    double n = (double)trials;
    printf("hand-%s trials=%llu steps=%d loop_s=%.6f trump=%.10g "
           "ncg_dead=%.10g troops=%.10g cred=%.10g cut=%.10g\n", argv[1],
           (unsigned long long)trials, HAND_STEPS,
           (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec),
           s.trump / n, s.dead / n, s.troops / n, s.cred / n, s.cut / n);
    return fflush(stdout) == 0 ? 0 : 1;
}

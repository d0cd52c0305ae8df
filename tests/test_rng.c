/* test_rng.c: the keyed Philox streams: known answers, uniformity, independence, permutations. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include "random/rng.h"
#include "testutil.h"

/* The known-answer vectors of the Random123 distribution (kat_vectors) for
 * philox4x32 with 10 rounds: counter, key, expected output. */
static const struct {
    uint32_t ctr[4], key[2], out[4];
} kat[] = {
    { { 0, 0, 0, 0 }, { 0, 0 },
      { 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8 } },
    { { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff }, { 0xffffffff, 0xffffffff },
      { 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd } },
    { { 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344 }, { 0xa4093822, 0x299f31d0 },
      { 0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1 } },
};

static void test_rng__philox__matches_random123_known_answers(void)
{
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        uint32_t out[4];
        rng_philox4x32_10(kat[i].ctr, kat[i].key, out);
        for (int w = 0; w < 4; w++)
            CU_ASSERT_EQUAL(out[w], kat[i].out[w]);
    }
}

static void test_rng__get__returns_the_words_of_counter_trial_step_block(void)
{
    gsl_rng *r = rng_alloc();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(gsl_rng_name(r), "ncgsim-philox");
    CU_ASSERT_EQUAL(gsl_rng_max(r), 0xffffffffUL);
    CU_ASSERT_EQUAL(gsl_rng_min(r), 0UL);

    /* Key 0, trial 0, step 0, block 0 is the all-zero known answer. */
    rng_position(r, 0, 0, 0);
    for (int w = 0; w < 4; w++)
        CU_ASSERT_EQUAL(gsl_rng_get(r), kat[0].out[w]);

    /* Elsewhere: trial fills counter words 0-1, step word 2, block word 3. */
    const uint64_t key = UINT64_C(0x299f31d0a4093822);
    const uint64_t trial = UINT64_C(0x85a308d3243f6a88);
    rng_position(r, key, trial, 0x13198a2e);
    for (uint32_t block = 0; block < 3; block++) {
        uint32_t ctr[4] = { 0x243f6a88, 0x85a308d3, 0x13198a2e, block };
        uint32_t out[4];
        rng_philox4x32_10(ctr, kat[2].key, out);
        for (int w = 0; w < 4; w++)
            CU_ASSERT_EQUAL(gsl_rng_get(r), out[w]);
    }
    gsl_rng_free(r);
}

static void test_rng__uniform_at__equals_first_uniform_after_position(void)
{
    gsl_rng *r = rng_alloc();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    for (uint64_t i = 0; i < 1000; i++) {
        uint64_t key = rng_key(i, "x");
        uint64_t trial = i * UINT64_C(0x100000001);
        uint32_t step = (uint32_t)(i % 17);
        gsl_rng_uniform(r); /* leave the stream mid-block first */
        rng_position(r, key, trial, step);
        double u = gsl_rng_uniform(r);
        CU_ASSERT_EQUAL(u, rng_uniform_at(key, trial, step));
        /* A multiple of 2^-53 in [0, 1). */
        CU_ASSERT(u >= 0 && u < 1);
        CU_ASSERT_EQUAL(ldexp(u, 53), floor(ldexp(u, 53)));
    }
    gsl_rng_free(r);
}

static void test_rng__set__positions_at_key_seed_trial_0_step_0(void)
{
    gsl_rng *r = rng_alloc();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    gsl_rng_set(r, 42);
    CU_ASSERT_EQUAL(gsl_rng_uniform(r), rng_uniform_at(42, 0, 0));
    gsl_rng_free(r);
}

static void test_rng__position__replays_the_same_numbers(void)
{
    gsl_rng *r = rng_alloc();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    double first[11];
    rng_position(r, 7, 3, 2);
    for (int k = 0; k < 11; k++)
        first[k] = gsl_rng_uniform(r);
    rng_position(r, 7, 3, 2);
    for (int k = 0; k < 11; k++)
        CU_ASSERT_EQUAL(gsl_rng_uniform(r), first[k]);
    gsl_rng_free(r);
}

static void test_rng__uniform__has_mean_half_variance_twelfth_and_flat_bins(void)
{
    enum { N = 1000000, BINS = 64 };
    gsl_rng *r = rng_alloc();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    rng_position(r, rng_key(1, "uniformity"), 0, 0);
    static unsigned count[BINS];
    memset(count, 0, sizeof count);
    double sum = 0, sum2 = 0;
    for (int i = 0; i < N; i++) {
        double u = gsl_rng_uniform(r);
        sum += u;
        sum2 += u * u;
        count[(int)(u * BINS)]++;
    }
    double mean = sum / N;
    double var = sum2 / N - mean * mean;
    /* 4 se: se of the mean sqrt(1/12 / N); se of the variance from the
     * fourth central moment (1/80) as sqrt((1/80 - 1/144) / N). */
    ASSERT_WITHIN_SE(mean, 0.5, sqrt(1.0 / 12 / N), 4);
    ASSERT_WITHIN_SE(var, 1.0 / 12, sqrt((1.0 / 80 - 1.0 / 144) / N), 4);
    double chi2 = 0, expect = (double)N / BINS;
    for (int b = 0; b < BINS; b++)
        chi2 += (count[b] - expect) * (count[b] - expect) / expect;
    /* Fails with probability 1e-4 for a true uniform (63 degrees of freedom). */
    CU_ASSERT(gsl_cdf_chisq_Q(chi2, BINS - 1) > 1e-4);
    gsl_rng_free(r);
}

/* Sample correlation of A and B over N pairs. */
static double correlation(const double *a, const double *b, size_t n)
{
    double ma = 0, mb = 0;
    for (size_t i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= (double)n;
    mb /= (double)n;
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / sqrt(saa * sbb);
}

static void test_rng__streams__of_other_keys_trials_and_steps_are_uncorrelated(void)
{
    enum { N = 100000 };
    double *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    double *c = malloc(N * sizeof *c), *d = malloc(N * sizeof *d);
    CU_ASSERT_FATAL(a && b && c && d);
    uint64_t k1 = rng_key(5, "alpha"), k2 = rng_key(5, "beta");
    for (uint64_t i = 0; i < N; i++) {
        a[i] = rng_uniform_at(k1, i, 0);
        b[i] = rng_uniform_at(k2, i, 0);     /* another key */
        c[i] = rng_uniform_at(k1, i + 1, 0); /* the next trial */
        d[i] = rng_uniform_at(k1, i, 1);     /* the next step */
    }
    /* 4 se, with the se of a correlation of independent pairs 1/sqrt(N). */
    double se = 1 / sqrt((double)N);
    ASSERT_WITHIN_SE(correlation(a, b, N), 0, se, 4);
    ASSERT_WITHIN_SE(correlation(a, c, N), 0, se, 4);
    ASSERT_WITHIN_SE(correlation(a, d, N), 0, se, 4);
    /* Consecutive numbers within one position too. */
    gsl_rng *r = rng_alloc();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    for (uint64_t i = 0; i < N; i++) {
        rng_position(r, k1, i, 0);
        a[i] = gsl_rng_uniform(r);
        b[i] = gsl_rng_uniform(r);
    }
    ASSERT_WITHIN_SE(correlation(a, b, N), 0, se, 4);
    gsl_rng_free(r);
    free(a);
    free(b);
    free(c);
    free(d);
}

static void test_rng__gsl_gaussian_ziggurat__works_through_the_type(void)
{
    enum { N = 200000 };
    gsl_rng *r = rng_alloc();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    rng_position(r, rng_key(9, "gauss"), 0, 0);
    double sum = 0, sum2 = 0;
    for (int i = 0; i < N; i++) {
        double x = gsl_ran_gaussian_ziggurat(r, 2.0);
        sum += x;
        sum2 += x * x;
    }
    double mean = sum / N, var = sum2 / N - mean * mean;
    /* 4 se: the mean's se is sd/sqrt(N); a normal variance's se is
     * var*sqrt(2/N). */
    ASSERT_WITHIN_SE(mean, 0, 2 / sqrt(N), 4);
    ASSERT_WITHIN_SE(var, 4, 4 * sqrt(2.0 / N), 4);
    gsl_rng_free(r);
}

static void test_rng__key__depends_on_seed_and_name(void)
{
    CU_ASSERT_EQUAL(rng_key(1, "gdp"), rng_key(1, "gdp"));
    CU_ASSERT_NOT_EQUAL(rng_key(1, "gdp"), rng_key(2, "gdp"));
    CU_ASSERT_NOT_EQUAL(rng_key(1, "gdp"), rng_key(1, "gdq"));
    CU_ASSERT_NOT_EQUAL(rng_key(0, ""), rng_key(1, ""));
    CU_ASSERT_NOT_EQUAL(rng_key(0, ""), 0);
    /* One flipped seed bit changes about half the key's bits (avalanche):
     * 32 +- 4 sd of a binomial(64, 1/2) averaged over 64 seeds is 32 +- 2. */
    double flips = 0;
    for (unsigned bit = 0; bit < 64; bit++) {
        uint64_t x = rng_key(0, "a") ^ rng_key(UINT64_C(1) << bit, "a");
        flips += __builtin_popcountll(x);
    }
    ASSERT_WITHIN_SE(flips / 64, 32, 4.0 / 8, 4);
}

static void test_rng__permute__is_a_permutation_for_several_sizes(void)
{
    static const uint64_t sizes[] = { 1, 2, 3, 1000, 4097 };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        uint64_t n = sizes[s];
        unsigned char *seen = calloc(n, 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(seen);
        int ok = 1;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t p = rng_permute(rng_key(3, "lhs"), i, n);
            if (p >= n || seen[p])
                ok = 0;
            else
                seen[p] = 1;
        }
        CU_ASSERT(ok);
        free(seen);
    }
}

static void test_rng__permute__differs_between_keys_and_from_identity(void)
{
    enum { N = 1000 };
    unsigned same_as_other_key = 0, fixed_points = 0;
    for (uint64_t i = 0; i < N; i++) {
        uint64_t p = rng_permute(11, i, N), q = rng_permute(12, i, N);
        same_as_other_key += p == q;
        fixed_points += p == i;
    }
    /* Two random permutations agree in about 1 place (Poisson(1)); 10 or
     * more happens with probability about 1e-7. */
    CU_ASSERT(same_as_other_key < 10);
    CU_ASSERT(fixed_points < 10);
    /* The full 64-bit range works too. */
    uint64_t big = UINT64_MAX;
    CU_ASSERT(rng_permute(1, big - 1, big) < big);
}

/* The lane loops give, lane for lane, the bits of the scalar block
 * function on every path this processor has (the portable loop, cloned
 * per instruction set, and the AVX2 and AVX-512 kernels: see rng.c), for
 * every block size up to 40 (full vectors, partial ones, the tail the
 * portable loop finishes) and a full block, with trials that cross 2^32
 * inside a vector (the carry into counter word 1) or start past it. */
static void test_rng__lane_loops__equal_the_scalar_block_function(void)
{
    static const uint64_t trial0s[] = {
        0, UINT64_C(0xfffffff0), UINT64_C(0xfffffffd), UINT64_C(0x100000000),
        UINT64_C(0xfffffffffffffff0) - 256,
    };
    static uint32_t w[4 * 256];
    static double u[256];
    const uint64_t key = rng_key(99, "lanes");
    const uint32_t kw[2] = { (uint32_t)key, (uint32_t)(key >> 32) };
    int paths = rng_lanes_paths();
    CU_ASSERT(paths >= 1 && paths <= 3);
    for (int path = 0; path < paths; path++) {
        rng_lanes_use(path);
        int bad = 0;
        for (size_t t = 0; t < sizeof trial0s / sizeof *trial0s; t++) {
            for (size_t n = 1; n <= 256; n = n < 40 ? n + 1 : n + 216) {
                uint32_t step = (uint32_t)(n * 7 + t);
                rng_block0_lanes(key, trial0s[t], step, n, w);
                rng_uniform_lanes(key, trial0s[t], step, n, u);
                for (size_t i = 0; i < n; i++) {
                    uint64_t trial = trial0s[t] + i;
                    const uint32_t ctr[4] = { (uint32_t)trial,
                                              (uint32_t)(trial >> 32), step,
                                              0 };
                    uint32_t out[4];
                    rng_philox4x32_10(ctr, kw, out);
                    double want = rng_uniform_at(key, trial, step);
                    bad += memcmp(out, w + 4 * i, sizeof out) != 0;
                    bad += memcmp(&want, &u[i], sizeof want) != 0;
                }
            }
        }
        if (bad)
            fprintf(stderr, "\nlane path %d: %d lanes differ\n", path, bad);
        CU_ASSERT_EQUAL(bad, 0);
    }
    rng_lanes_use(-1);
}

/* rng_blocks_lanes gives, on every path, each lane's first NB blocks as
 * the scalar block function does, for every count of blocks and sizes
 * that do and do not fill a vector; and a stream positioned on them
 * (rng_position_ready) hands out the same words as one positioned from
 * scratch, past the ready blocks too. */
static void test_rng__ready_blocks__equal_the_scalar_stream(void)
{
    static uint32_t w[4 * RNG_READY_MAX * 256];
    const uint64_t key = rng_key(99, "blocks");
    const uint32_t kw[2] = { (uint32_t)key, (uint32_t)(key >> 32) };
    const uint64_t trial0 = UINT64_C(0xfffffff7);  /* crosses 2^32 */
    gsl_rng *r = rng_alloc(), *ref = rng_alloc();
    CU_ASSERT_FATAL(r != NULL && ref != NULL);
    int bad = 0;
    for (int path = 0; path < rng_lanes_paths(); path++) {
        rng_lanes_use(path);
        for (unsigned nb = 1; nb <= RNG_READY_MAX; nb++) {
            for (size_t n = 1; n <= 256; n = n < 35 ? n + 1 : n + 221) {
                rng_blocks_lanes(key, trial0, 4, nb, n, w);
                for (size_t i = 0; i < n; i++) {
                    uint64_t trial = trial0 + i;
                    for (uint32_t b = 0; b < nb; b++) {
                        const uint32_t ctr[4] = { (uint32_t)trial,
                                                  (uint32_t)(trial >> 32), 4,
                                                  b };
                        uint32_t out[4];
                        rng_philox4x32_10(ctr, kw, out);
                        bad += memcmp(out, w + 4 * nb * i + 4 * b,
                                      sizeof out) != 0;
                    }
                }
            }
            /* The stream on the ready words, then past them. */
            rng_position_ready(r, key, trial0 + 5, 4, w + 4 * nb * 5, nb);
            rng_position(ref, key, trial0 + 5, 4);
            for (int k = 0; k < 4 * RNG_READY_MAX + 9; k++)
                bad += gsl_rng_get(r) != gsl_rng_get(ref);
        }
    }
    rng_lanes_use(-1);
    CU_ASSERT_EQUAL(bad, 0);
    gsl_rng_free(r);
    gsl_rng_free(ref);
}

void test_rng_register(void);
void test_rng_register(void)
{
    static const test_case cases[] = {
        { "philox matches Random123 known answers", test_rng__philox__matches_random123_known_answers },
        { "get returns the words of counter (trial, step, block)", test_rng__get__returns_the_words_of_counter_trial_step_block },
        { "uniform_at equals first uniform after position", test_rng__uniform_at__equals_first_uniform_after_position },
        { "set positions at key seed, trial 0, step 0", test_rng__set__positions_at_key_seed_trial_0_step_0 },
        { "position replays the same numbers", test_rng__position__replays_the_same_numbers },
        { "uniform has mean 1/2, variance 1/12, flat bins", test_rng__uniform__has_mean_half_variance_twelfth_and_flat_bins },
        { "streams of other keys, trials, steps are uncorrelated", test_rng__streams__of_other_keys_trials_and_steps_are_uncorrelated },
        { "gsl gaussian ziggurat works through the type", test_rng__gsl_gaussian_ziggurat__works_through_the_type },
        { "key depends on seed and name", test_rng__key__depends_on_seed_and_name },
        { "permute is a permutation for several sizes", test_rng__permute__is_a_permutation_for_several_sizes },
        { "permute differs between keys and from identity", test_rng__permute__differs_between_keys_and_from_identity },
        { "lane loops equal the scalar block function", test_rng__lane_loops__equal_the_scalar_block_function },
        { "ready blocks equal the scalar stream", test_rng__ready_blocks__equal_the_scalar_stream },
    };
    TEST_SUITE("rng", cases);
}

/* test_zig.c: the Gaussian ziggurat's fast path gives GSL's bits, rejections included. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "random/rng.h"
#include "random/zig.h"
#include "testutil.h"

/* A generator that hands out the words of a keyed stream and counts what
 * it is asked for: the sampler accepted its first word at once when it
 * asked for one word and nothing else. */
typedef struct counting {
    gsl_rng *inner;     /* the keyed stream (borrowed) */
    unsigned words, doubles;
} counting;

static void counting_set(void *vs, unsigned long seed)
{
    (void)vs;
    (void)seed;
}

static unsigned long counting_get(void *vs)
{
    counting *s = vs;
    s->words++;
    return gsl_rng_get(s->inner);
}

static double counting_get_double(void *vs)
{
    counting *s = vs;
    s->doubles++;
    return gsl_rng_uniform(s->inner);
}

static const gsl_rng_type counting_type = {
    "test-counting", UINT32_C(0xffffffff), 0, sizeof(counting),
    counting_set, counting_get, counting_get_double
};

/* On the first words of 1e6 positions of a keyed stream, with several
 * sigmas: zig_first accepts exactly when the sampler takes one word, and
 * then gives its value bit for bit; about 3% are rejected (the sampler's
 * own rate), so the reject side is exercised too. */
static void test_zig__first__equals_the_sampler_on_a_million_words(void)
{
    static const double sigmas[] = { 1.0, 0.25, 3.7, 1e-3 };
    const zig_tables *t = zig_get();
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    gsl_rng *inner = rng_alloc();
    CU_ASSERT_PTR_NOT_NULL_FATAL(inner);
    counting c = { inner, 0, 0 };
    gsl_rng r = { &counting_type, &c };
    const uint64_t key = rng_key(17, "zig");
    long bad = 0, rejected = 0;
    const uint64_t n = 1000000;
    for (uint64_t trial = 0; trial < n; trial++) {
        double sigma = sigmas[trial % 4];
        rng_position(inner, key, trial, 3);
        uint32_t k = (uint32_t)gsl_rng_get(inner);
        rng_position(inner, key, trial, 3);
        c.words = c.doubles = 0;
        double want = gsl_ran_gaussian_ziggurat(&r, sigma), got;
        int at_once = c.words == 1 && c.doubles == 0;
        int fast = zig_first(t, k, sigma, &got);
        bad += at_once != fast;
        bad += fast && memcmp(&want, &got, sizeof got) != 0;
        rejected += !fast;
    }
    if (bad)
        fprintf(stderr, "\n%ld of %lu words differ\n", bad, (unsigned long)n);
    CU_ASSERT_EQUAL(bad, 0);
    /* GSL's ziggurat rejects 2.76% of first words (the mean over the 128
     * strips of 1 - K[i] / 2^24): 27,601 of 1e6, sd 164; within 6 sd. */
    CU_ASSERT(rejected > 26600 && rejected < 28600);
    gsl_rng_free(inner);
}

static void *zig_get_thread(void *out)
{
    *(const zig_tables **)out = zig_get();
    return NULL;
}

/* Threads asking for the tables at once get the same tables. */
static void test_zig__get__is_one_table_for_every_thread(void)
{
    const zig_tables *seen[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(pthread_create(&th[i], NULL, zig_get_thread,
                                       &seen[i]), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 4; i++)
        CU_ASSERT(seen[i] != NULL && seen[i] == zig_get());
}

void test_zig_register(void);
void test_zig_register(void)
{
    static const test_case cases[] = {
        { "first equals the sampler on a million words", test_zig__first__equals_the_sampler_on_a_million_words },
        { "get is one table for every thread", test_zig__get__is_one_table_for_every_thread },
    };
    TEST_SUITE("zig", cases);
}

/* rng.c: keyed counter-based random streams (Philox4x32-10) behind a gsl_rng type. */
#include "random/rng.h"

#include "base/simd.h"

#include <assert.h>
#include <stddef.h>

/* Philox4x32 round multipliers and Weyl key increments (Salmon et al.). */
#define PHILOX_M0 UINT32_C(0xD2511F53)
#define PHILOX_M1 UINT32_C(0xCD9E8D57)
#define PHILOX_W0 UINT32_C(0x9E3779B9)
#define PHILOX_W1 UINT32_C(0xBB67AE85)
#define PHILOX_ROUNDS 10

/* The lane loops below are where most of a run's random numbers are made;
 * they are integer code, so every clone (base/simd.h) gives the same bits. */

/* The state of one rng_keyed generator. The counter of block b of a
 * (key, trial, step) position is (trial lo, trial hi, step, b). */
typedef struct rng_state {
    uint64_t key;       /* the source key: Philox key (lo, hi) */
    uint64_t trial;     /* counter words 0 and 1 */
    uint32_t step;      /* counter word 2 */
    uint32_t block;     /* counter word 3 of the next block to compute */
    uint32_t buf[4];    /* the words of the current block */
    unsigned left;      /* words of buf not yet handed out (the last LEFT) */
} rng_state;

/* One Philox4x32-10 block: OUT = Philox(CTR, KEY). Pure function of its
 * inputs, written out in full so the compiler keeps it in registers. */
static inline void philox4x32_10(const uint32_t ctr[4], const uint32_t key[2],
                                 uint32_t out[4])
{
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int r = 0; r < PHILOX_ROUNDS; r++) {
        uint64_t p0 = (uint64_t)PHILOX_M0 * c0;
        uint64_t p1 = (uint64_t)PHILOX_M1 * c2;
        uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
        uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        /* The key is bumped between rounds; bumping after the last one as
         * well is harmless since it is not used again. */
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

void rng_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2],
                       uint32_t out[4])
{
    philox4x32_10(ctr, key, out);
}

/* Block BLOCK of (KEY, TRIAL, STEP) into OUT. */
static inline void rng_block(uint64_t key, uint64_t trial, uint32_t step,
                             uint32_t block, uint32_t out[4])
{
    const uint32_t ctr[4] = { (uint32_t)trial, (uint32_t)(trial >> 32), step, block };
    const uint32_t k[2] = { (uint32_t)key, (uint32_t)(key >> 32) };
    philox4x32_10(ctr, k, out);
}

/* A double in [0, 1) from two words: 27 high bits of W1 and 26 of W2 make
 * a 53-bit integer, scaled by 2^-53, so every value is exact. */
static inline double rng_words_to_double(uint32_t w1, uint32_t w2)
{
    return ((double)(w1 >> 5) * 67108864.0 + (double)(w2 >> 6))
           * (1.0 / 9007199254740992.0);
}

/* Next word of the stream in STATE, computing a new block when needed. */
static inline uint32_t rng_next_word(rng_state *s)
{
    if (s->left == 0) {
        rng_block(s->key, s->trial, s->step, s->block, s->buf);
        s->block++;
        s->left = 4;
    }
    return s->buf[4 - s->left--];
}

static void rng_type_set(void *vstate, unsigned long seed)
{
    rng_state *s = vstate;
    s->key = (uint64_t)seed;
    s->trial = 0;
    s->step = 0;
    s->block = 0;
    s->left = 0;
}

static unsigned long rng_type_get(void *vstate)
{
    return rng_next_word(vstate);
}

static double rng_type_get_double(void *vstate)
{
    rng_state *s = vstate;
    uint32_t w1 = rng_next_word(s);
    uint32_t w2 = rng_next_word(s);
    return rng_words_to_double(w1, w2);
}

static const gsl_rng_type rng_keyed_type = {
    "ncgsim-philox",         /* name */
    UINT32_C(0xffffffff),    /* max */
    0,                       /* min */
    sizeof(rng_state),
    rng_type_set,
    rng_type_get,
    rng_type_get_double
};

const gsl_rng_type *rng_keyed = &rng_keyed_type;

gsl_rng *rng_alloc(void)
{
    /* gsl_rng_alloc calls the error handler on failure; the caller's
     * handler decides, and we pass NULL on. */
    return gsl_rng_alloc(rng_keyed);
}

/* A strong 64-bit finaliser (the MurmurHash3 fmix64 constants): a bijection
 * in which every input bit affects every output bit. */
static inline uint64_t rng_mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

/*
 * key = mix(fnv1a(name) ^ mix(seed + golden)).
 * The name is hashed with 64-bit FNV-1a and the seed is pushed through the
 * finaliser (offset by the golden ratio so seed 0 does not map to 0); the
 * xor of the two goes through the finaliser once more. Since mix is a
 * bijection, for a fixed name distinct seeds give distinct keys, and for a
 * fixed seed the key is a full-avalanche hash of the name.
 */
uint64_t rng_key(uint64_t seed, const char *name)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= UINT64_C(0x100000001b3);
    }
    return rng_mix64(h ^ rng_mix64(seed + UINT64_C(0x9E3779B97F4A7C15)));
}

void rng_position(gsl_rng *r, uint64_t key, uint64_t trial, uint32_t step)
{
    assert(r->type == rng_keyed);
    rng_state *s = r->state;
    s->key = key;
    s->trial = trial;
    s->step = step;
    s->block = 0;
    s->left = 0;
}

double rng_uniform_at(uint64_t key, uint64_t trial, uint32_t step)
{
    uint32_t w[4];
    rng_block(key, trial, step, 0, w);
    return rng_words_to_double(w[0], w[1]);
}

NCG_CLONES void rng_uniform_lanes(uint64_t key, uint64_t trial0, uint32_t step,
                       size_t n, double *restrict out)
{
    const uint32_t k[2] = { (uint32_t)key, (uint32_t)(key >> 32) };
    /* One inlined block per lane, the trial the only input that varies: a
     * loop without branches that the compiler can vectorise. */
    for (size_t i = 0; i < n; i++) {
        uint64_t trial = trial0 + i;
        const uint32_t ctr[4] = { (uint32_t)trial, (uint32_t)(trial >> 32),
                                  step, 0 };
        uint32_t w[4];
        philox4x32_10(ctr, k, w);
        out[i] = rng_words_to_double(w[0], w[1]);
    }
}

NCG_CLONES void rng_block0_lanes(uint64_t key, uint64_t trial0, uint32_t step,
                      size_t n, uint32_t *restrict out)
{
    const uint32_t k[2] = { (uint32_t)key, (uint32_t)(key >> 32) };
    for (size_t i = 0; i < n; i++) {
        uint64_t trial = trial0 + i;
        const uint32_t ctr[4] = { (uint32_t)trial, (uint32_t)(trial >> 32),
                                  step, 0 };
        philox4x32_10(ctr, k, out + 4 * i);
    }
}

void rng_position_at(gsl_rng *r, uint64_t key, uint64_t trial,
                     uint32_t step, const uint32_t w[4])
{
    rng_state *s = r->state;
    s->key = key;
    s->trial = trial;
    s->step = step;
    s->block = 1;
    s->left = 4;
    for (int i = 0; i < 4; i++)
        s->buf[i] = w[i];
}

/* Rounds of the Feistel network: four make a keyed strong pseudo-random
 * permutation (Luby-Rackoff); two more cost little and help small n. */
#define PERMUTE_ROUNDS 6

/* One pass of a balanced Feistel network on 2*HALF bits (1 <= HALF <= 32)
 * with round keys RK. */
static uint64_t rng_feistel(const uint64_t rk[PERMUTE_ROUNDS], uint64_t x,
                            unsigned half)
{
    const uint64_t mask = (UINT64_C(1) << half) - 1;
    uint64_t left = x >> half;
    uint64_t right = x & mask;
    for (unsigned r = 0; r < PERMUTE_ROUNDS; r++) {
        uint64_t next = left ^ (rng_mix64(right ^ rk[r]) & mask);
        left = right;
        right = next;
    }
    return (left << half) | right;
}

uint64_t rng_permute(uint64_t key, uint64_t i, uint64_t n)
{
    assert(n >= 1 && i < n);
    if (n == 1)
        return 0;
    /* The smallest even bit count covering [0, n), so the network is
     * balanced and its domain is less than 4n: cycle walking then needs
     * under four passes on average, and always ends because a permutation
     * brings i (< n) back to itself eventually. */
    unsigned bits = 2;
    while (bits < 64 && (n - 1) >> bits)
        bits += 2;
    uint64_t rk[PERMUTE_ROUNDS];
    for (unsigned r = 0; r < PERMUTE_ROUNDS; r++)
        rk[r] = rng_mix64(key + (r + 1) * UINT64_C(0x9E3779B97F4A7C15));
    uint64_t x = i;
    do
        x = rng_feistel(rk, x, bits / 2);
    while (x >= n);
    return x;
}

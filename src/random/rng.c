/* rng.c: keyed counter-based random streams (Philox4x32-10) behind a gsl_rng type. */
#include "random/rng.h"

#include "base/simd.h"

#include <assert.h>
#include <stddef.h>
#include <string.h>

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
    uint32_t buf[4 * RNG_READY_MAX]; /* the words of the current block, or
                                        of the ready blocks */
    unsigned nbuf;      /* words in buf */
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
        s->left = s->nbuf = 4;
    }
    return s->buf[s->nbuf - s->left--];
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

/* ---- many trials at once -------------------------------------------------
 * The lane loops below make most of a run's random numbers: block 0 of
 * (key, trial0 + i, step) for every lane i. Philox is integer code, so
 * every path gives the same bits; test_rng compares each path the
 * processor has with the scalar block function. */

/* The portable lane loops: one inlined block per lane, the trial the only
 * input that varies, a loop without branches that the compiler can
 * vectorise (cloned per instruction set, base/simd.h). They do the lanes
 * the x86 kernels below leave over, and all of them elsewhere. */
NCG_CLONES static void lanes_uniform_c(uint64_t key, uint64_t trial0,
                                       uint32_t step, size_t n,
                                       double *restrict out)
{
    const uint32_t k[2] = { (uint32_t)key, (uint32_t)(key >> 32) };
    for (size_t i = 0; i < n; i++) {
        uint64_t trial = trial0 + i;
        const uint32_t ctr[4] = { (uint32_t)trial, (uint32_t)(trial >> 32),
                                  step, 0 };
        uint32_t w[4];
        philox4x32_10(ctr, k, w);
        out[i] = rng_words_to_double(w[0], w[1]);
    }
}

/* Block BLOCK of each lane at OUT + STRIDE i. */
NCG_CLONES static void lanes_block_c(uint64_t key, uint64_t trial0,
                                     uint32_t step, uint32_t block, size_t n,
                                     uint32_t *restrict out, size_t stride)
{
    const uint32_t k[2] = { (uint32_t)key, (uint32_t)(key >> 32) };
    for (size_t i = 0; i < n; i++) {
        uint64_t trial = trial0 + i;
        const uint32_t ctr[4] = { (uint32_t)trial, (uint32_t)(trial >> 32),
                                  step, block };
        philox4x32_10(ctr, k, out + stride * i);
    }
}

/*
 * The x86 kernels. GCC (12) vectorises the loops above with 64 x 64-bit
 * multiplies (vpmullq on AVX-512, three vpmuludq on AVX2) for what are
 * 32 x 32 -> 64-bit products, plus shuffles to split the halves; written
 * with intrinsics, each word sits in the low half of a 64-bit lane and a
 * product is one vpmuludq, which reads only those low halves. The high
 * halves are therefore left as they fall during the rounds, and only the
 * low halves are read at the end. Two groups of lanes are kept in flight
 * so that one group's multiplies overlap the other's.
 *
 * They are compiled for their instruction set with the target attribute
 * and chosen at run time (__builtin_cpu_supports, which also checks that
 * the operating system saves the wider registers). NCG_NO_CLONES leaves
 * them out, as it leaves out the clones.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(NCG_NO_CLONES)
#define RNG_X86 1
#include <immintrin.h>

/* The paths of the lane loops (rng_lanes_use), widest last. */
enum { RNG_LANES_C, RNG_LANES_AVX2, RNG_LANES_AVX512 };

/* The widest path the caller allows (rng_lanes_use); -1: any. */
static int rng_lanes_cap = -1;

/* The path the lane loops take on this processor, within the cap. */
static int rng_lanes_path(void)
{
    int path = __builtin_cpu_supports("avx512f") ? RNG_LANES_AVX512
               : __builtin_cpu_supports("avx2")  ? RNG_LANES_AVX2
                                                 : RNG_LANES_C;
    return rng_lanes_cap >= 0 && rng_lanes_cap < path ? rng_lanes_cap : path;
}

/* The round keys of KEY: RK[2 r], RK[2 r + 1] are words 0, 1 of round r's
 * key. */
static void lanes_round_keys(uint64_t key, uint32_t rk[2 * PHILOX_ROUNDS])
{
    uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
    for (int r = 0; r < PHILOX_ROUNDS; r++) {
        rk[2 * r] = k0;
        rk[2 * r + 1] = k1;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
}

/* 2^52 as the bits of a double: OR-ed onto an integer below 2^52, it
 * makes the double 2^52 + that integer, exactly. */
#define RNG_TWO52_BITS INT64_C(0x4330000000000000)

/* ---- AVX2: four lanes per vector, eight per step */

/* The ten rounds on two groups of four lanes, A and B (words c0..c3). */
__attribute__((target("avx2"))) static inline void
philox_avx2(__m256i a[4], __m256i b[4], const uint32_t rk[2 * PHILOX_ROUNDS])
{
    const __m256i m0 = _mm256_set1_epi64x(PHILOX_M0);
    const __m256i m1 = _mm256_set1_epi64x(PHILOX_M1);
    for (int r = 0; r < PHILOX_ROUNDS; r++) {
        const __m256i k0 = _mm256_set1_epi64x(rk[2 * r]);
        const __m256i k1 = _mm256_set1_epi64x(rk[2 * r + 1]);
        __m256i pa0 = _mm256_mul_epu32(a[0], m0);
        __m256i pa1 = _mm256_mul_epu32(a[2], m1);
        __m256i pb0 = _mm256_mul_epu32(b[0], m0);
        __m256i pb1 = _mm256_mul_epu32(b[2], m1);
        a[0] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(pa1, 32),
                                                 a[1]), k0);
        a[2] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(pa0, 32),
                                                 a[3]), k1);
        b[0] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(pb1, 32),
                                                 b[1]), k0);
        b[2] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(pb0, 32),
                                                 b[3]), k1);
        a[1] = pa1;
        a[3] = pa0;
        b[1] = pb1;
        b[3] = pb0;
    }
}

/* The counters of four lanes from TRIAL (words 0, 1: TRIAL + 0..3), STEP
 * (word 2, broadcast) and BLOCK (word 3, broadcast). */
__attribute__((target("avx2"))) static inline void
lanes_avx2_ctr(uint64_t trial, __m256i step, __m256i block, __m256i c[4])
{
    const __m256i trials = _mm256_add_epi64(
        _mm256_set1_epi64x((long long)trial), _mm256_set_epi64x(3, 2, 1, 0));
    c[0] = trials;
    c[1] = _mm256_srli_epi64(trials, 32);
    c[2] = step;
    c[3] = block;
}

/* The four words of lane i of C at OUT + STRIDE i. */
__attribute__((target("avx2"))) static inline void
lanes_avx2_store_words(const __m256i c[4], uint32_t *out, size_t stride)
{
    __m256i w01 = _mm256_blend_epi32(c[0], _mm256_slli_epi64(c[1], 32), 0xaa);
    __m256i w23 = _mm256_blend_epi32(c[2], _mm256_slli_epi64(c[3], 32), 0xaa);
    __m256i even = _mm256_unpacklo_epi64(w01, w23);  /* lanes 0, 2 */
    __m256i odd = _mm256_unpackhi_epi64(w01, w23);   /* lanes 1, 3 */
    _mm_storeu_si128((__m128i *)out, _mm256_castsi256_si128(even));
    _mm_storeu_si128((__m128i *)(out + stride), _mm256_castsi256_si128(odd));
    _mm_storeu_si128((__m128i *)(out + 2 * stride),
                     _mm256_extracti128_si256(even, 1));
    _mm_storeu_si128((__m128i *)(out + 3 * stride),
                     _mm256_extracti128_si256(odd, 1));
}

/* rng_words_to_double of the lanes' words 0 and 1, at OUT[0 .. 3]: the
 * 27 and 26 bits are made doubles exactly (2^52 + x, minus 2^52) and
 * combined as the scalar code does, every operation exact. */
__attribute__((target("avx2"))) static inline void
lanes_avx2_store_uniform(const __m256i c[4], double *out)
{
    const __m256i two52_bits = _mm256_set1_epi64x(RNG_TWO52_BITS);
    const __m256d two52 = _mm256_castsi256_pd(two52_bits);
    __m256i hi = _mm256_srli_epi64(_mm256_slli_epi64(c[0], 32), 37);
    __m256i lo = _mm256_srli_epi64(_mm256_slli_epi64(c[1], 32), 38);
    __m256d dhi = _mm256_sub_pd(
        _mm256_castsi256_pd(_mm256_or_si256(hi, two52_bits)), two52);
    __m256d dlo = _mm256_sub_pd(
        _mm256_castsi256_pd(_mm256_or_si256(lo, two52_bits)), two52);
    __m256d u = _mm256_add_pd(_mm256_mul_pd(dhi, _mm256_set1_pd(67108864.0)),
                              dlo);
    _mm256_storeu_pd(out, _mm256_mul_pd(u, _mm256_set1_pd(
                                               1.0 / 9007199254740992.0)));
}

/* Lanes [0, N - N % 8) as the portable loops would give them; returns the
 * number done. Either WORDS (block BLOCK's four words of lane i at WORDS +
 * STRIDE i) or U (block 0's uniform, one per lane) is set. */
__attribute__((target("avx2"))) static size_t
lanes_avx2(uint64_t key, uint64_t trial0, uint32_t step, uint32_t block,
           size_t n, uint32_t *words, size_t stride, double *u)
{
    uint32_t rk[2 * PHILOX_ROUNDS];
    lanes_round_keys(key, rk);
    const __m256i steps = _mm256_set1_epi64x(step);
    const __m256i blocks = _mm256_set1_epi64x(block);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i a[4], b[4];
        lanes_avx2_ctr(trial0 + i, steps, blocks, a);
        lanes_avx2_ctr(trial0 + i + 4, steps, blocks, b);
        philox_avx2(a, b, rk);
        if (words) {
            lanes_avx2_store_words(a, words + stride * i, stride);
            lanes_avx2_store_words(b, words + stride * (i + 4), stride);
        } else {
            lanes_avx2_store_uniform(a, u + i);
            lanes_avx2_store_uniform(b, u + i + 4);
        }
    }
    return i;
}

/* ---- AVX-512: eight lanes per vector, sixteen per step; the same steps,
 * a three-way xor in one instruction */

__attribute__((target("avx512f"))) static inline void
philox_avx512(__m512i a[4], __m512i b[4], const uint32_t rk[2 * PHILOX_ROUNDS])
{
    const __m512i m0 = _mm512_set1_epi64(PHILOX_M0);
    const __m512i m1 = _mm512_set1_epi64(PHILOX_M1);
    for (int r = 0; r < PHILOX_ROUNDS; r++) {
        const __m512i k0 = _mm512_set1_epi64(rk[2 * r]);
        const __m512i k1 = _mm512_set1_epi64(rk[2 * r + 1]);
        __m512i pa0 = _mm512_mul_epu32(a[0], m0);
        __m512i pa1 = _mm512_mul_epu32(a[2], m1);
        __m512i pb0 = _mm512_mul_epu32(b[0], m0);
        __m512i pb1 = _mm512_mul_epu32(b[2], m1);
        /* 0x96: the truth table of x ^ y ^ z. */
        a[0] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(pa1, 32), a[1], k0,
                                         0x96);
        a[2] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(pa0, 32), a[3], k1,
                                         0x96);
        b[0] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(pb1, 32), b[1], k0,
                                         0x96);
        b[2] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(pb0, 32), b[3], k1,
                                         0x96);
        a[1] = pa1;
        a[3] = pa0;
        b[1] = pb1;
        b[3] = pb0;
    }
}

__attribute__((target("avx512f"))) static inline void
lanes_avx512_ctr(uint64_t trial, __m512i step, __m512i block, __m512i c[4])
{
    const __m512i trials = _mm512_add_epi64(
        _mm512_set1_epi64((long long)trial),
        _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));
    c[0] = trials;
    c[1] = _mm512_srli_epi64(trials, 32);
    c[2] = step;
    c[3] = block;
}

__attribute__((target("avx512f"))) static inline void
lanes_avx512_store_words(const __m512i c[4], uint32_t *out, size_t stride)
{
    __m512i w01 = _mm512_mask_blend_epi32(0xaaaa, c[0],
                                          _mm512_slli_epi64(c[1], 32));
    __m512i w23 = _mm512_mask_blend_epi32(0xaaaa, c[2],
                                          _mm512_slli_epi64(c[3], 32));
    /* 128-bit pieces: EVEN holds lanes 0, 2, 4, 6, ODD 1, 3, 5, 7. */
    __m512i even = _mm512_unpacklo_epi64(w01, w23);
    __m512i odd = _mm512_unpackhi_epi64(w01, w23);
    const __m512i first = _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0);
    const __m512i second = _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4);
    /* The eight lanes in order: straight to OUT when side by side, else
     * through TMP, a lane at a time. */
    uint32_t tmp[32];
    uint32_t *to = stride == 4 ? out : tmp;
    _mm512_storeu_si512(to, _mm512_permutex2var_epi64(even, first, odd));
    _mm512_storeu_si512(to + 16, _mm512_permutex2var_epi64(even, second, odd));
    for (size_t l = 0; to == tmp && l < 8; l++)
        memcpy(out + stride * l, tmp + 4 * l, 4 * sizeof *tmp);
}

__attribute__((target("avx512f"))) static inline void
lanes_avx512_store_uniform(const __m512i c[4], double *out)
{
    const __m512i two52_bits = _mm512_set1_epi64(RNG_TWO52_BITS);
    const __m512d two52 = _mm512_castsi512_pd(two52_bits);
    __m512i hi = _mm512_srli_epi64(_mm512_slli_epi64(c[0], 32), 37);
    __m512i lo = _mm512_srli_epi64(_mm512_slli_epi64(c[1], 32), 38);
    __m512d dhi = _mm512_sub_pd(
        _mm512_castsi512_pd(_mm512_or_si512(hi, two52_bits)), two52);
    __m512d dlo = _mm512_sub_pd(
        _mm512_castsi512_pd(_mm512_or_si512(lo, two52_bits)), two52);
    __m512d u = _mm512_add_pd(_mm512_mul_pd(dhi, _mm512_set1_pd(67108864.0)),
                              dlo);
    _mm512_storeu_pd(out, _mm512_mul_pd(u, _mm512_set1_pd(
                                               1.0 / 9007199254740992.0)));
}

/* lanes_avx2 with sixteen lanes a step: lanes [0, N - N % 16). */
__attribute__((target("avx512f"))) static size_t
lanes_avx512(uint64_t key, uint64_t trial0, uint32_t step, uint32_t block,
             size_t n, uint32_t *words, size_t stride, double *u)
{
    uint32_t rk[2 * PHILOX_ROUNDS];
    lanes_round_keys(key, rk);
    const __m512i steps = _mm512_set1_epi64(step);
    const __m512i blocks = _mm512_set1_epi64(block);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512i a[4], b[4];
        lanes_avx512_ctr(trial0 + i, steps, blocks, a);
        lanes_avx512_ctr(trial0 + i + 8, steps, blocks, b);
        philox_avx512(a, b, rk);
        if (words) {
            lanes_avx512_store_words(a, words + stride * i, stride);
            lanes_avx512_store_words(b, words + stride * (i + 8), stride);
        } else {
            lanes_avx512_store_uniform(a, u + i);
            lanes_avx512_store_uniform(b, u + i + 8);
        }
    }
    return i;
}

/* The lanes the widest kernel this processor has (within the cap) does. */
static size_t lanes_x86(uint64_t key, uint64_t trial0, uint32_t step,
                        uint32_t block, size_t n, uint32_t *words,
                        size_t stride, double *u)
{
    switch (rng_lanes_path()) {
    case RNG_LANES_AVX512:
        return lanes_avx512(key, trial0, step, block, n, words, stride, u);
    case RNG_LANES_AVX2:
        return lanes_avx2(key, trial0, step, block, n, words, stride, u);
    default:
        return 0;
    }
}
#endif

int rng_lanes_paths(void)
{
#ifdef RNG_X86
    int cap = rng_lanes_cap;
    rng_lanes_cap = -1;
    int widest = rng_lanes_path();
    rng_lanes_cap = cap;
    return widest + 1;
#else
    return 1;
#endif
}

void rng_lanes_use(int path)
{
#ifdef RNG_X86
    rng_lanes_cap = path;
#else
    (void)path;
#endif
}

void rng_uniform_lanes(uint64_t key, uint64_t trial0, uint32_t step,
                       size_t n, double *out)
{
    size_t done = 0;
#ifdef RNG_X86
    done = lanes_x86(key, trial0, step, 0, n, NULL, 0, out);
#endif
    lanes_uniform_c(key, trial0 + done, step, n - done, out + done);
}

void rng_blocks_lanes(uint64_t key, uint64_t trial0, uint32_t step,
                      unsigned nb, size_t n, uint32_t *out)
{
    assert(nb >= 1 && nb <= RNG_READY_MAX);
    size_t stride = 4 * (size_t)nb;
    for (uint32_t b = 0; b < nb; b++) {
        size_t done = 0;
#ifdef RNG_X86
        done = lanes_x86(key, trial0, step, b, n, out + 4 * b, stride, NULL);
#endif
        lanes_block_c(key, trial0 + done, step, b, n - done,
                      out + stride * done + 4 * b, stride);
    }
}

void rng_block0_lanes(uint64_t key, uint64_t trial0, uint32_t step,
                      size_t n, uint32_t *out)
{
    rng_blocks_lanes(key, trial0, step, 1, n, out);
}

void rng_position_ready(gsl_rng *r, uint64_t key, uint64_t trial,
                        uint32_t step, const uint32_t *w, unsigned nb)
{
    assert(r->type == rng_keyed && nb >= 1 && nb <= RNG_READY_MAX);
    rng_state *s = r->state;
    s->key = key;
    s->trial = trial;
    s->step = step;
    s->block = nb;
    s->left = s->nbuf = 4 * nb;
    memcpy(s->buf, w, 4 * nb * sizeof *w);
}

void rng_position_at(gsl_rng *r, uint64_t key, uint64_t trial,
                     uint32_t step, const uint32_t w[4])
{
    rng_position_ready(r, key, trial, step, w, 1);
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

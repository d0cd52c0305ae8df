/* zig.h: GSL's Gaussian ziggurat without a call when its first word accepts. */
#ifndef NCG_ZIG_H
#define NCG_ZIG_H

#include <stdint.h>

/*
 * gsl_ran_gaussian_ziggurat(r, sigma), on a generator whose words span 32
 * bits (rng_keyed), reads one word k per try: strip i = k & 0x7f, sign
 * from bit 7 (set: +), j = k >> 8; it accepts at once, about 99% of the
 * time, when j < K[i], and then returns (sign * sigma) * (j * W[i]). Else
 * it draws more numbers. zig_tables() gives K and W as the linked library
 * has them (read from it at run time, never copied): a vector pass can
 * then compute the accepted lanes inline and hand only the others to GSL,
 * with the same bits.
 */
typedef struct zig_tables {
    int32_t k[128];     /* j < k[i]: accepted at once (0: never) */
    double w[128];      /* x = j * w[i] */
} zig_tables;

/* The tables, read once per process (thread-safe), or NULL when the
 * library's sampler does not behave as above (another version), so that
 * callers always call it. */
const zig_tables *zig_get(void);

/* 1 when the sampler accepts first word K at once, and then *Z is what
 * gsl_ran_gaussian_ziggurat(r, SIGMA) returns; else 0 (call it). T is
 * zig_get()'s. */
static inline int zig_first(const zig_tables *t, uint32_t k, double sigma,
                            double *z)
{
    /* Signed: the vectoriser gathers the table entries with 32-bit
     * signed indices only. */
    int32_t i = (int32_t)(k & 0x7f), j = (int32_t)(k >> 8);
    /* +1 when bit 7 is set, else -1, without a branch (a random one,
     * mispredicted half the time), multiplied as the sampler does. */
    int32_t sign = (int32_t)((k >> 6) & 2) - 1;
    *z = sign * sigma * ((double)j * t->w[i]);
    return j < t->k[i];
}

#endif

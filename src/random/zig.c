/* zig.c: reads the tables of GSL's Gaussian ziggurat from the library, for a fast path with its bits. */
#include "random/zig.h"

#include <pthread.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

/*
 * The tables are not copied from GSL's source: they are read from the
 * sampler itself, by feeding it chosen words through a scripted generator
 * and watching what it returns and how many numbers it asks for. A word
 * with j = 1 that is accepted at once returns (+1 * 1) * (1 * W[i]) =
 * W[i] exactly; acceptance at once (one word asked for, nothing else) is
 * j < K[i], monotone in j, so a binary search on j finds K[i]. Every
 * entry is then checked against the sampler on more words, both signs
 * and several sigmas; if anything differs, zig_get() returns NULL and
 * every draw goes through GSL as before.
 */

/* A word after the first: strip 1, j = 0, which every version of the
 * sampler accepts by the second test at the latest (x = 0 is under every
 * level), so a probe always ends. */
#define ZIG_EASY_WORD UINT32_C(0x01)

/* The scripted generator's state: the first word to hand out and what
 * the sampler asked for. */
typedef struct zig_script {
    uint32_t first;
    unsigned words;     /* words handed out (get) */
    unsigned doubles;   /* uniforms handed out (get_double) */
} zig_script;

static void script_set(void *vs, unsigned long seed)
{
    (void)seed;
    memset(vs, 0, sizeof(zig_script));
}

static unsigned long script_get(void *vs)
{
    zig_script *s = vs;
    return s->words++ == 0 ? s->first : ZIG_EASY_WORD;
}

static double script_get_double(void *vs)
{
    zig_script *s = vs;
    s->doubles++;
    return 0.5;
}

/* The range of rng_keyed (32-bit words from 0), which selects the
 * sampler's one-word form. */
static const gsl_rng_type zig_script_type = {
    "ncgsim-zig-script", UINT32_C(0xffffffff), 0, sizeof(zig_script),
    script_set, script_get, script_get_double
};

/* Feeds word K to the sampler with SIGMA: returns 1 when it accepted K at
 * once, with its value in *Z. */
static int zig_probe(uint32_t k, double sigma, double *z)
{
    zig_script s = { k, 0, 0 };
    gsl_rng r = { &zig_script_type, &s };
    *z = gsl_ran_gaussian_ziggurat(&r, sigma);
    return s.words == 1 && s.doubles == 0;
}

/* The word of strip I, sign bit SIGN, J. */
static uint32_t zig_word(uint32_t i, uint32_t sign, uint32_t j)
{
    return j << 8 | sign << 7 | i;
}

static zig_tables zig_t;
static int zig_usable;
static pthread_once_t zig_once = PTHREAD_ONCE_INIT;

/* 1 when zig_first agrees with the sampler on word K with SIGMA. */
static int zig_agrees(uint32_t k, double sigma)
{
    double want, got;
    int at_once = zig_probe(k, sigma, &want);
    int fast = zig_first(&zig_t, k, sigma, &got);
    return at_once == fast && (!fast || memcmp(&want, &got, sizeof got) == 0);
}

static void zig_read(void)
{
    const uint32_t jmax = UINT32_C(1) << 24;
    double z;
    for (uint32_t i = 0; i < 128; i++) {
        /* K[i]: the first j not accepted at once (all: 2^24). */
        uint32_t lo = 0, hi = jmax;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (zig_probe(zig_word(i, 1, mid), 1.0, &z))
                lo = mid + 1;
            else
                hi = mid;
        }
        zig_t.k[i] = (int32_t)lo;
        zig_t.w[i] = 0;
        if (lo >= 2 && zig_probe(zig_word(i, 1, 1), 1.0, &z))
            zig_t.w[i] = z;
        else
            zig_t.k[i] = 0;   /* too narrow to read W[i]: never fast */
    }
    /* The check: around each K[i], in the middle, at both ends and with
     * other sigmas, both signs. */
    static const double sigmas[] = { 1.0, 0.0, 0.3, 2.5, 1e-300, 7e300 };
    int ok = 1;
    for (uint32_t i = 0; i < 128 && ok; i++) {
        uint32_t k = (uint32_t)zig_t.k[i];
        const uint32_t js[] = { 0, 1, k / 3, k / 2, k > 0 ? k - 1 : 0, k,
                                k + 1 < jmax ? k + 1 : k, jmax - 1 };
        for (size_t a = 0; a < sizeof js / sizeof *js; a++)
            for (size_t b = 0; b < sizeof sigmas / sizeof *sigmas; b++)
                for (uint32_t sign = 0; sign < 2; sign++)
                    ok &= zig_agrees(zig_word(i, sign, js[a]), sigmas[b]);
    }
    zig_usable = ok;
}

const zig_tables *zig_get(void)
{
    if (pthread_once(&zig_once, zig_read) != 0)
        return NULL;
    return zig_usable ? &zig_t : NULL;
}

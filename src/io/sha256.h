/* sha256.h: SHA-256 (FIPS 180-4) of byte streams, for result-folder manifests. */
#ifndef NCG_SHA256_H
#define NCG_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* A running hash: start with sha256_init, feed bytes, then sha256_final. */
typedef struct sha256 {
    uint32_t h[8];        /* the chaining state */
    uint64_t bytes;       /* bytes fed so far */
    unsigned char buf[64];
    size_t used;          /* bytes waiting in BUF */
} sha256;

void sha256_init(sha256 *s);
/* Feeds N bytes at P (P may be NULL when N is 0). */
void sha256_update(sha256 *s, const void *p, size_t n);
/* Writes the digest as 64 lowercase hex digits and a NUL into HEX. */
void sha256_final(sha256 *s, char hex[65]);

#endif

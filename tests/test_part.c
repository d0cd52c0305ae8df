/* test_part.c: part files: round trip, identical bytes, and the refusals of damaged ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/diag.h"
#include "base/ncgsim.h"
#include "io/part.h"
#include "run/stats.h"
#include "testutil.h"

/* The bytes of file PATH (malloc'd) and their count in *N. */
static unsigned char *file_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b = malloc(1 << 16);
    *n = 0;
    if (f && b)
        *n = fread(b, 1, 1 << 16, f);
    if (f)
        fclose(f);
    return b;
}

/* A small part with one section of every type. */
static part *sample_part(void)
{
    part_info f;
    memset(&f, 0, sizeof f);
    snprintf(f.command, sizeof f.command, "run");
    snprintf(f.scenario, sizeof f.scenario, "baseline");
    snprintf(f.sampler, sizeof f.sampler, "mc");
    snprintf(f.unit, sizeof f.unit, "chunk");
    f.model_hash = 0x0123456789abcdefULL;
    f.job = 42;
    f.member = 1;
    f.members = 2;
    f.seed = 7;
    f.trials = 10000;
    f.shard = 2;
    f.shards = 3;
    f.units = 3;
    f.first = 1;
    f.count = 1;
    part *p = part_alloc(&f);
    uint64_t u[3] = { 1, 2, UINT64_MAX };
    int64_t i[2] = { -5, 5 };
    double x[3] = { 0.1, -0.0, 1e300 };
    stats_wsum q[2] = { (stats_wsum)1 << 100, 3 };
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT(part_add(p, "ones", PART_U64, u, 3) == 0);
    CU_ASSERT(part_add(p, "clamped", PART_I64, i, 2) == 0);
    CU_ASSERT(part_add(p, "mom.mean", PART_F64, x, 3) == 0);
    CU_ASSERT(part_add(p, "qones", PART_U128, q, 2) == 0);
    CU_ASSERT(part_add(p, "text", PART_TEXT, "abc", 3) == 0);
    return p;
}

static void test_part__round_trip__keeps_header_and_every_bit(void)
{
    part *p = sample_part(), *r = NULL;
    unsigned char *buf = NULL, *buf2 = NULL;
    size_t len = 0, len2 = 0, n = 0;
    diag *d = diag_alloc();
    CU_ASSERT_FATAL(part_encode(p, &buf, &len) == 0);
    CU_ASSERT_FATAL(part_decode(buf, len, "x.ncgpart", &r, d) == 0);
    const part_info *f = part_get_info(r);
    CU_ASSERT_STRING_EQUAL(f->scenario, "baseline");
    CU_ASSERT_STRING_EQUAL(f->version, NCGSIM_VERSION);
    CU_ASSERT(f->model_hash == 0x0123456789abcdefULL && f->shard == 2
              && f->shards == 3 && f->first == 1 && f->member == 1);
    const double *x = part_find(r, "mom.mean", PART_F64, &n);
    CU_ASSERT(x && n == 3 && x[0] == 0.1 && x[2] == 1e300);
    const stats_wsum *q = part_find(r, "qones", PART_U128, &n);
    CU_ASSERT(q && n == 2 && q[0] == (stats_wsum)1 << 100);
    const int64_t *i = part_find(r, "clamped", PART_I64, &n);
    CU_ASSERT(i && n == 2 && i[0] == -5);
    CU_ASSERT(part_find(r, "ones", PART_F64, &n) == NULL);
    /* Decoded and encoded again: the same bytes. */
    CU_ASSERT_FATAL(part_encode(r, &buf2, &len2) == 0);
    CU_ASSERT(len == len2 && memcmp(buf, buf2, len) == 0);
    free(buf);
    free(buf2);
    part_free(p);
    part_free(r);
    diag_free(d);
}

/* The message part_decode gives for BUF of LEN bytes. */
static char *refusal(const unsigned char *buf, size_t len)
{
    part *r = NULL;
    diag *d = diag_alloc();
    int rc = part_decode(buf, len, "p.ncgpart", &r, d);
    char *msg = strdup(rc != 0 && diag_count(d) ? diag_get(d, 0) : "");
    part_free(r);
    diag_free(d);
    return msg;
}

static void test_part__damaged_parts__are_refused_with_exact_messages(void)
{
    part *p = sample_part();
    unsigned char *buf = NULL;
    size_t len = 0;
    char expect[256], *m;
    CU_ASSERT_FATAL(part_encode(p, &buf, &len) == 0);
    m = refusal(buf, len - 10);
    snprintf(expect, sizeof expect, "p.ncgpart: incomplete part file (%zu "
             "bytes, no checksum at the end): truncated or damaged; compute "
             "this shard again", len - 10);
    CU_ASSERT_STRING_EQUAL(m, expect);
    free(m);
    buf[100] ^= 1;
    m = refusal(buf, len);
    CU_ASSERT_STRING_EQUAL(m, "p.ncgpart: checksum mismatch: the part file "
                           "was altered or damaged; compute this shard again");
    free(m);
    buf[100] ^= 1;
    /* Format 1: ncgsim 0.1's parts, of chunks of 4096 trials. */
    buf[8] = 1;
    m = refusal(buf, len);
    snprintf(expect, sizeof expect, "p.ncgpart: part format 1; this ncgsim "
             "(%s) reads format 2: merge with the version that wrote it",
             NCGSIM_VERSION);
    CU_ASSERT_STRING_EQUAL(m, expect);
    free(m);
    m = refusal((const unsigned char *)"scenario = 1;\n", 14);
    CU_ASSERT_STRING_EQUAL(m, "p.ncgpart: not an ncgsim part file");
    free(m);
    free(buf);
    part_free(p);
}

static void test_part__file__is_rewritten_identically_and_never_over_other_files(void)
{
    char *dir = test_tmpdir();
    part *p = sample_part(), *r = NULL;
    diag *d = diag_alloc();
    char path[512];
    snprintf(path, sizeof path, "%s/b.ncgpart", dir);
    CU_ASSERT_FATAL(part_write(p, dir, "b.ncgpart", d) == 0);
    size_t n1, n2;
    unsigned char *first = file_bytes(path, &n1);
    CU_ASSERT_FATAL(part_write(p, dir, "b.ncgpart", d) == 0);
    unsigned char *again = file_bytes(path, &n2);
    CU_ASSERT(n1 > 0 && n1 == n2 && memcmp(first, again, n1) == 0);
    CU_ASSERT(part_read(path, &r, d) == 0 && r != NULL);
    free(test_write(dir, "notes.txt", "mine\n"));
    CU_ASSERT(part_write(p, dir, "notes.txt", d) != 0);
    char *notes = test_read(strcat(strcpy(path, dir), "/notes.txt"));
    CU_ASSERT(notes && strcmp(notes, "mine\n") == 0);
    free(notes);
    free(first);
    free(again);
    part_free(p);
    part_free(r);
    diag_free(d);
    test_rmrf(dir);
    free(dir);
}

void test_part_register(void);
void test_part_register(void)
{
    static const test_case cases[] = {
        { "a round trip keeps the header and every bit", test_part__round_trip__keeps_header_and_every_bit },
        { "damaged parts are refused with exact messages", test_part__damaged_parts__are_refused_with_exact_messages },
        { "a part file is rewritten identically and never over other files", test_part__file__is_rewritten_identically_and_never_over_other_files },
    };
    TEST_SUITE("part", cases);
}

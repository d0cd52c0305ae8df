/* test_shard.c: `run --shard` and `merge`: the same bytes as one process, and the refusals of bad sets of parts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/diag.h"
#include "io/part.h"
#include "io/runpart.h"
#include "testutil.h"

#define BIN "\"${NCGSIM_BIN:-./ncgsim}\""
/* Several scenarios (so a comparison), one of them conditioned on a
 * record; 5000 trials are five chunks, the last short, so 7 shards leave
 * two empty. */
#define SCENARIOS "scenarios/baseline.cfg scenarios/seoul_turmoil.cfg " \
                  "scenarios/examples/conditioning.cfg"

static void test_shard__merged_shards__equal_one_process_for_k_1_2_3_7(void)
{
    char *dir = test_tmpdir(), *out = NULL;
    int rc = test_run_in(dir, BIN " run " SCENARIOS " -n 5000 -j2 -q "
                         "--no-plots -o \"$D/one\"", &out);
    CU_ASSERT_EQUAL(rc, 0);
    free(out);
    static const int ks[] = { 1, 2, 3, 7 };
    for (size_t t = 0; t < sizeof ks / sizeof ks[0]; t++) {
        char cmd[2048];
        snprintf(cmd, sizeof cmd, "K=%d; for i in $(seq 1 $K); do " BIN
                 " run " SCENARIOS " -n 5000 -j2 -q --shard $i/$K "
                 "-o \"$D/p$K\" || exit 9; done; "
                 "test $(ls -A \"$D/p$K\" | wc -l) -eq $((3 * K)) || exit 8; "
                 BIN " merge $(ls \"$D/p$K\"/*.ncgpart | sort -r) -q "
                 "--no-plots -o \"$D/m$K\" && diff -r \"$D/one\" \"$D/m$K\"",
                 ks[t]);
        rc = test_run_in(dir, cmd, &out);
        if (rc != 0)
            fprintf(stderr, "K=%d: %s\n", ks[t], out ? out : "");
        CU_ASSERT_EQUAL(rc, 0);
        free(out);
    }
    /* A shard computed again: the same bytes. */
    rc = test_run_in(dir, "cp \"$D/p3/baseline.part-2-of-3.ncgpart\" "
                     "\"$D/again\" && " BIN " run " SCENARIOS " -n 5000 -j1 "
                     "-q --shard 2/3 -o \"$D/p3\" && cmp \"$D/again\" "
                     "\"$D/p3/baseline.part-2-of-3.ncgpart\"", &out);
    CU_ASSERT_EQUAL(rc, 0);
    free(out);
    test_rmrf(dir);
    free(dir);
}

/* The message of `merge` on the parts CMD leaves in $D/x, after making
 * them from $D/p (shards of 3, from the test above's recipe). */
static char *merge_refusal(const char *dir, const char *prep)
{
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd, "rm -rf \"$D/x\" && cp -r \"$D/p\" \"$D/x\" && "
             "cd \"$D/x\" && %s && cd - >/dev/null && " BIN " merge "
             "\"$D\"/x/*.ncgpart -q --no-plots -o \"$D/out\"; echo \"rc=$?\"",
             prep);
    test_run_in(dir, cmd, &out);
    /* The folder's path varies: keep what follows it. */
    char *rel = out ? strstr(out, "/x/") : NULL;
    char *msg = strdup(rel ? rel + 3 : out ? out : "");
    free(out);
    return msg;
}

static void test_shard__bad_sets_of_parts__are_refused_naming_the_part(void)
{
    char *dir = test_tmpdir(), *out = NULL;
    int rc = test_run_in(dir, "for i in 1 2 3; do " BIN " run "
                         "scenarios/baseline.cfg -n 9000 -j2 -q --shard $i/3 "
                         "-o \"$D/p\" || exit 9; done; " BIN " run "
                         "scenarios/baseline.cfg -n 9000 -j2 -q --shard 2/3 "
                         "--seed 5 -o \"$D/seed\" && " BIN " run "
                         "scenarios/baseline.cfg -n 9000 -j2 -q --shard 2/3 "
                         "--set name=baseline --set "
                         "params.p_sceptic_admin.value=0.3 -o \"$D/model\"",
                         &out);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    free(out);
    static const struct { const char *prep, *msg; } cases[] = {
        { "rm baseline.part-2-of-3.ncgpart",
          "missing part: shard 2 of 3 of scenario baseline "
          "(baseline.part-2-of-3.ncgpart)\nrc=4\n" },
        { "cp ../seed/baseline.part-2-of-3.ncgpart .",
          "baseline.part-2-of-3.ncgpart: seed 5, but " },
        { "cp ../model/baseline.part-2-of-3.ncgpart .",
          "baseline.part-2-of-3.ncgpart: scenario baseline with model hash " },
        { "cp baseline.part-1-of-3.ncgpart copy.ncgpart",
          "copy.ncgpart: shard 1 of 3 of scenario baseline again (also " },
        { "head -c 5000 baseline.part-3-of-3.ncgpart > t && "
          "mv t baseline.part-3-of-3.ncgpart",
          "baseline.part-3-of-3.ncgpart: incomplete part file (5000 bytes, no "
          "checksum at the end): truncated or damaged; compute this shard "
          "again\nrc=4\n" },
        { "printf 'X' | dd of=baseline.part-1-of-3.ncgpart bs=1 seek=300 "
          "conv=notrunc 2>/dev/null",
          "baseline.part-1-of-3.ncgpart: checksum mismatch: the part file was "
          "altered or damaged; compute this shard again\nrc=4\n" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *msg = merge_refusal(dir, cases[i].prep);
        int ok = strncmp(msg, cases[i].msg, strlen(cases[i].msg)) == 0
                 && strstr(msg, "rc=4\n");
        if (!ok)
            fprintf(stderr, "case %zu: got '%s'\n", i, msg);
        CU_ASSERT(ok);
        free(msg);
    }
    /* Nothing was written by any refused merge. */
    rc = test_run_in(dir, "test ! -e \"$D/out\"", &out);
    CU_ASSERT_EQUAL(rc, 0);
    free(out);
    test_rmrf(dir);
    free(dir);
}

/* A part of scenario NAME, shard SHARD of 2, with no sections. */
static part *bare_part(const char *name, uint32_t shard)
{
    part_info f;
    memset(&f, 0, sizeof f);
    snprintf(f.command, sizeof f.command, "run");
    snprintf(f.scenario, sizeof f.scenario, "%s", name);
    snprintf(f.unit, sizeof f.unit, "chunk");
    f.members = 1;
    f.shard = shard;
    f.shards = 2;
    f.units = 4;
    runpart_range(4, shard, 2, &f.first, &f.count);
    return part_alloc(&f);
}

static void test_shard__parts_of_another_version_or_build__are_refused(void)
{
    part *p[2] = { bare_part("a", 1), bare_part("a", 2) };
    const char *labels[2] = { "a.part-1-of-2.ncgpart",
                              "a.part-2-of-2.ncgpart" };
    size_t order[2];
    diag *d = diag_alloc();
    CU_ASSERT_FATAL(p[0] && p[1]);
    CU_ASSERT(runpart_order(p, labels, 2, order, d) == 0);
    CU_ASSERT(order[0] == 0 && order[1] == 1);
    /* As a part written by another version reads. */
    part_info *f = (part_info *)part_get_info(p[1]);
    snprintf(f->version, sizeof f->version, "0.0.9");
    CU_ASSERT(runpart_order(p, labels, 2, order, d) != 0);
    char expect[1024];
    snprintf(expect, sizeof expect, "a.part-2-of-2.ncgpart: written by "
             "ncgsim 0.0.9, but a.part-1-of-2.ncgpart by ncgsim %s: every "
             "part of a job must come from one version",
             part_get_info(p[0])->version);
    CU_ASSERT(diag_count(d) == 1
              && strcmp(diag_get(d, 0), expect) == 0);
    /* And one of another build of this version. */
    snprintf(f->version, sizeof f->version, "%s",
             part_get_info(p[0])->version);
    snprintf(f->build, sizeof f->build, "gcc 9.9.9; gsl 1.0; glibc 2.0; "
             "fp-contract=off");
    diag_clear(d);
    CU_ASSERT(runpart_order(p, labels, 2, order, d) != 0);
    snprintf(expect, sizeof expect, "a.part-2-of-2.ncgpart: built as \"gcc "
             "9.9.9; gsl 1.0; glibc 2.0; fp-contract=off\", but "
             "a.part-1-of-2.ncgpart as \"%s\": every part of a job must come "
             "from one build (compilers and libraries may round differently)",
             part_get_info(p[0])->build);
    CU_ASSERT(diag_count(d) == 1
              && strcmp(diag_get(d, 0), expect) == 0);
    part_free(p[0]);
    part_free(p[1]);
    diag_free(d);
}

static void test_shard__ranges__tile_the_chunks_in_order(void)
{
    static const struct { uint64_t units; uint32_t k; } cases[] = {
        { 3, 1 }, { 3, 2 }, { 3, 7 }, { 245, 3 }, { 1, 5 }, { 100, 100 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint64_t next = 0, first, count;
        for (uint32_t i = 1; i <= cases[c].k; i++) {
            runpart_range(cases[c].units, i, cases[c].k, &first, &count);
            CU_ASSERT(first == next);
            CU_ASSERT(count <= cases[c].units / cases[c].k + 1);
            next = first + count;
        }
        CU_ASSERT(next == cases[c].units);
    }
}

void test_shard_register(void);
void test_shard_register(void)
{
    static const test_case cases[] = {
        { "merged shards equal one process for K = 1, 2, 3, 7", test_shard__merged_shards__equal_one_process_for_k_1_2_3_7 },
        { "bad sets of parts are refused naming the part", test_shard__bad_sets_of_parts__are_refused_naming_the_part },
        { "parts of another version or build are refused", test_shard__parts_of_another_version_or_build__are_refused },
        { "shard ranges tile the chunks in order", test_shard__ranges__tile_the_chunks_in_order },
    };
    TEST_SUITE("shard", cases);
}

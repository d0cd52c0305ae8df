/* test_golden.c: the CSV results of frozen scenarios, byte for byte.
 *
 * tests/golden.sh runs `run` of every scenario frozen in tests/data/golden/
 * (plus --samples on the quickstart), `sensitivity` of two of them and a
 * two-setting `sweep`, and prints the sha256 of every CSV file written.
 * This suite compares that with tests/data/golden/checksums.sha256, so a
 * refactoring that changes any number, column or byte of a result fails.
 *
 * A change of the results that is MEANT (a new or renamed column, e.g. in
 * compare.csv, a new statistic, a fixed bug) regenerates the file with
 * `make golden` in the same commit, whose message says which files changed
 * and why. The scenarios are copies frozen on purpose: revising the shipped
 * scenarios/ does not touch this test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

#define BIN "\"${NCGSIM_BIN:-./ncgsim}\""
#define CHECKSUMS "tests/data/golden/checksums.sha256"

/* Prints, for the log, which lines of the two listings differ. */
static void report_differences(const char *want, const char *got)
{
    fprintf(stderr, "\ngolden: results differ from " CHECKSUMS
            " (if meant: make golden)\n--- expected\n%s--- got\n%s", want, got);
}

static void test_golden__shipped_scenarios_sensitivity_sweep__same_csv_bytes(void)
{
    char *dir = test_tmpdir();
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    char cmd[1024], *got = NULL;
    snprintf(cmd, sizeof cmd, "sh tests/golden.sh " BIN " %s/out", dir);
    int rc = test_run(cmd, &got);
    CU_ASSERT_EQUAL(rc, 0);
    char *want = test_read(CHECKSUMS);
    CU_ASSERT_PTR_NOT_NULL(want);
    if (want && got) {
        int same = strcmp(want, got) == 0;
        CU_ASSERT(same);
        if (!same)
            report_differences(want, got);
    }
    free(want);
    free(got);
    test_rmrf(dir);
    free(dir);
}

void test_golden_register(void);
void test_golden_register(void)
{
    static const test_case cases[] = {
        { "shipped scenarios, sensitivity and sweep write the same CSV bytes",
          test_golden__shipped_scenarios_sensitivity_sweep__same_csv_bytes },
    };
    TEST_SUITE("golden", cases);
}

/* test_diag.c: diagnostics: message format, counting, the cap on what is
 * printed, clearing, and "did you mean" suggestions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/diag.h"
#include "testutil.h"

static void test_diag__add__formats_file_line_path_message(void)
{
    diag *d = diag_alloc();
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    diag_add(d, "a.cfg", 7, "params.p", "bad %s %d", "value", 3);
    diag_add(d, "a.cfg", 0, NULL, "no line");
    diag_add(d, NULL, 0, "", "plain");
    diag_add(d, NULL, 9, "x", "no file");
    CU_ASSERT_EQUAL(diag_count(d), 4);
    CU_ASSERT_STRING_EQUAL(diag_get(d, 0), "a.cfg:7: params.p: bad value 3");
    CU_ASSERT_STRING_EQUAL(diag_get(d, 1), "a.cfg: no line");
    CU_ASSERT_STRING_EQUAL(diag_get(d, 2), "plain");
    CU_ASSERT_STRING_EQUAL(diag_get(d, 3), "x: no file");
    diag_clear(d);
    CU_ASSERT_EQUAL(diag_count(d), 0);
    diag_add(d, NULL, 0, NULL, "again");
    CU_ASSERT_EQUAL(diag_count(d), 1);
    diag_free(d);
    diag_free(NULL);
    diag_add(NULL, NULL, 0, NULL, "ignored");
    CU_ASSERT_EQUAL(diag_count(NULL), 0);
}

/* Every message is counted, however many; printing stops at DIAG_SHOWN
 * and says how many more there were. */
static void test_diag__print__caps_and_counts_the_rest(void)
{
    diag *d = diag_alloc();
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (int i = 0; i < DIAG_SHOWN + 7; i++)
        diag_add(d, "f.cfg", i + 1, NULL, "error %d", i);
    CU_ASSERT_EQUAL(diag_count(d), DIAG_SHOWN + 7);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    diag_print(d, f);
    fclose(f);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += buf[i] == '\n';
    CU_ASSERT_EQUAL(lines, DIAG_SHOWN + 1);
    CU_ASSERT(strstr(buf, "f.cfg:1: error 0\n") == buf);
    CU_ASSERT(strstr(buf, "and 7 more errors\n") != NULL);
    free(buf);
    diag_free(d);
}

static void test_diag__suggest__closest_plausible_name(void)
{
    static const char *const names[] = { "trials", "threads", "seed", "set" };
    CU_ASSERT_STRING_EQUAL(diag_suggest("trails", 6, names, 4), "trials");
    CU_ASSERT_STRING_EQUAL(diag_suggest("seeed", 5, names, 4), "seed");
    CU_ASSERT_PTR_NULL(diag_suggest("xylophone", 9, names, 4));
    CU_ASSERT_EQUAL(diag_distance("kitten", 6, "sitting", 7), 3);
    CU_ASSERT_EQUAL(diag_distance("", 0, "abc", 3), 3);
    CU_ASSERT_EQUAL(diag_distance("same", 4, "same", 4), 0);
}

void test_diag_register(void);
void test_diag_register(void)
{
    static const test_case cases[] = {
        { "add formats file, line, path and message", test_diag__add__formats_file_line_path_message },
        { "print caps and counts the rest", test_diag__print__caps_and_counts_the_rest },
        { "suggest finds the closest plausible name", test_diag__suggest__closest_plausible_name },
    };
    TEST_SUITE("diag", cases);
}

/* testmain.c: runs every CUnit suite, or the ones named on the command line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <CUnit/Basic.h>
#include "testutil.h"

void test_add_suite(const char *name, const test_case *tests, size_t n)
{
    CU_pSuite s = CU_add_suite(name, NULL, NULL);
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        CU_add_test(s, tests[i].name, tests[i].fn);
}

int test_within(double actual, double expected, double se, double k,
                const char *what, const char *file, int line)
{
    if (fabs(actual - expected) <= k * se)
        return 1;
    fprintf(stderr, "\n%s:%d: %s = %.10g, expected %.10g within %g se (se %.3g, off by %.2f se)\n",
            file, line, what, actual, expected, k, se, se > 0 ? fabs(actual - expected) / se : INFINITY);
    return 0;
}

char *test_tmpdir(void)
{
    char tmpl[] = "/tmp/ncgsim-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

char *test_write(const char *dir, const char *name, const char *text)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    if (!path)
        return NULL;
    snprintf(path, len, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

char *test_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = 0;
    return buf;
}

int test_run(const char *cmd, char **out)
{
    size_t len = strlen(cmd) + 16;
    char *full = malloc(len);
    if (!full)
        return -1;
    snprintf(full, len, "(%s) 2>&1", cmd);
    FILE *p = popen(full, "r");
    free(full);
    if (!p)
        return -1;
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
            cap *= 2;
        }
    }
    if (buf)
        buf[n] = 0;
    int st = pclose(p);
    if (out)
        *out = buf;
    else
        free(buf);
    return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int test_run_in(const char *dir, const char *cmd, char **out)
{
    size_t len = strlen(dir) + strlen(cmd) + 16;
    char *full = malloc(len);
    if (!full)
        return -1;
    snprintf(full, len, "D='%s'; %s", dir, cmd);
    int rc = test_run(full, out);
    free(full);
    return rc;
}

void test_rmrf(const char *dir)
{
    if (!dir || strncmp(dir, "/tmp/", 5) != 0)
        return;
    size_t len = strlen(dir) + 16;
    char *cmd = malloc(len);
    if (!cmd)
        return;
    snprintf(cmd, len, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    free(cmd);
}

#define SUITE(name) void test_##name##_register(void);
#include "suites.inc"
#undef SUITE

static const struct { const char *name; void (*reg)(void); } suites[] = {
#define SUITE(name) { #name, test_##name##_register },
#include "suites.inc"
#undef SUITE
};

int main(int argc, char **argv)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        int wanted = argc < 2;
        for (int a = 1; a < argc; a++)
            if (strcmp(argv[a], suites[i].name) == 0)
                wanted = 1;
        if (wanted)
            suites[i].reg();
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    unsigned ran = CU_get_number_of_tests_run();
    unsigned tfailed = CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    printf("\ntests: %u passed, %u failed\n", ran - tfailed, tfailed);
    return failed || tfailed ? 1 : 0;
}

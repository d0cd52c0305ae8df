/* testutil.h: small helpers shared by the CUnit suites. */
#ifndef NCG_TESTUTIL_H
#define NCG_TESTUTIL_H

#include <stddef.h>
#include <CUnit/CUnit.h>
#include "base/diag.h"

/* Adds a suite called NAME with the N tests in TESTS ({ "name", fn } pairs). */
typedef struct test_case { const char *name; void (*fn)(void); } test_case;
void test_add_suite(const char *name, const test_case *tests, size_t n);
#define TEST_SUITE(name, cases) test_add_suite(name, cases, sizeof cases / sizeof cases[0])

/* Asserts |ACTUAL - EXPECTED| <= K * SE: a Monte Carlo check within K
 * standard errors (the caller states K and why). */
#define ASSERT_WITHIN_SE(actual, expected, se, k) \
    CU_ASSERT(test_within((actual), (expected), (se), (k), #actual, __FILE__, __LINE__))
int test_within(double actual, double expected, double se, double k,
                const char *what, const char *file, int line);

/* A fresh empty folder under /tmp (malloc'd path; caller frees). */
char *test_tmpdir(void);
/* Writes TEXT to DIR/NAME; returns the malloc'd full path. */
char *test_write(const char *dir, const char *name, const char *text);
/* Reads a whole file into a malloc'd string, or NULL. */
char *test_read(const char *path);
/* Runs shell command CMD, captures stdout and stderr merged
 * into *OUT (malloc'd), returns the exit status (or -1). */
int test_run(const char *cmd, char **out);
/* test_run of CMD with the shell variable D set to DIR (a test's
 * folder, with no single quote in it). */
int test_run_in(const char *dir, const char *cmd, char **out);
/* Removes DIR recursively. */
void test_rmrf(const char *dir);

/* A scenario written from text, loaded with model_load (observations
 * included), compiled and run; everything owned, freed by test_ran_free. */
typedef struct test_ran {
    char *dir;                  /* the scenario's temporary folder */
    struct scenario *sc;
    struct model *m;
    struct engine_result *r;    /* NULL unless the run succeeded */
    diag *d;                    /* every message of loading and running */
    int rc;                     /* the first failing status, or 0 */
} test_ran;

/* Writes TEXT as X->dir/m.cfg, loads it and runs it on THREADS threads;
 * returns X->rc (the messages printed on failure). */
int test_ran_text(test_ran *x, const char *text, int threads);
void test_ran_free(test_ran *x);
/* The output index of the output called NAME in X's model (a fatal
 * assertion when there is none). */
size_t test_ran_output(const test_ran *x, const char *name);
/* A small scenario with two random params (p_crisis, cut), an event
 * (crisis) and a state (troops), for the analyses' end-to-end tests; and
 * an outcomes file scoring it (a question on each). */
#define TEST_UNC_CFG \
    "name = \"unc\";\ntitle = \"Uncertain case\";\n" \
    "simulation = { trials = 400; steps = 8; step = \"quarter\"; " \
    "start = \"2025Q1\"; seed = 5; };\n" \
    "params = { p_crisis = { dist = \"beta\"; a = 2.0; b = 20.0; };\n" \
    "           cut = { dist = \"uniform\"; min = 200.0; max = 800.0; }; };\n" \
    "events = { crisis = { p = \"p_crisis\"; label = \"Crisis\"; }; };\n" \
    "states = { troops = { init = \"28500\"; next = \"troops - (crisis ? " \
    "cut : 0)\"; label = \"Troops\"; }; };\n"
#define TEST_UNC_OUTCOMES \
    "id,var,at,through,op,threshold,outcome\n" \
    "q1,crisis,,2025Q4,,,1\nq2,troops,2026Q2,,<,28000,0\n"

#endif

/* test_catalogue.c: every error the scenario language can give, one bad file each, with its exact message. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "testutil.h"

/*
 * Each tests/data/catalogue/<case>.cfg starts with comment lines:
 *   # <what the case is about>
 *   # command: run -q -o TMP FILE      (optional; default "check FILE")
 *   # expect-exit: 3
 *   # expect: FILE:7: derived.d: column 1: unknown name 'trops' ...
 * one "expect" line per line of standard error, in order. In the command
 * and the expected lines FILE stands for the case's path, DIR for the
 * catalogue folder and TMP for a fresh folder. The suite runs from the
 * repository root (make test), like the CLI suite.
 */
#define CAT_DIR "tests/data/catalogue"
#define CAT_MIN_CASES 40

/* The binary under test: NCGSIM_BIN (e.g. a sanitizer build), else the
 * one next to the suite. */
static const char *cat_bin(void)
{
    const char *b = getenv("NCGSIM_BIN");
    return b && *b ? b : "./ncgsim";
}

/* A copy of TEXT with FILE, DIR and TMP replaced (malloc'd). */
static char *cat_expand(const char *text, const char *file, const char *tmp)
{
    const struct { const char *token, *value; } subs[] = {
        {"FILE", file}, {"DIR", CAT_DIR}, {"TMP", tmp}};
    size_t cap = strlen(text) + 1;
    for (size_t i = 0; i < 3; i++)
        cap += strlen(subs[i].value) * (strlen(text) / strlen(subs[i].token));
    char *out = malloc(cap), *o = out;
    if (!out)
        return NULL;
    for (const char *p = text; *p; ) {
        size_t i = 0;
        while (i < 3 && strncmp(p, subs[i].token, strlen(subs[i].token)) != 0)
            i++;
        if (i < 3) {
            o += sprintf(o, "%s", subs[i].value);
            p += strlen(subs[i].token);
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
    return out;
}

/* The header of one case. */
typedef struct cat_case {
    char command[512];
    int exit_code;            /* -1 when the header has none */
    char *expect;             /* the expect lines joined, each ending '\n' */
    size_t n_expect;
} cat_case;

/* Reads the header of TEXT into C; 0, or -1 when out of memory. */
static int cat_header(const char *text, cat_case *c)
{
    size_t cap = 1, len = 0;
    snprintf(c->command, sizeof c->command, "check FILE");
    c->exit_code = -1;
    c->n_expect = 0;
    c->expect = calloc(1, 1);
    for (const char *line = text; c->expect && *line == '#'; ) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (strncmp(line, "# command: ", 11) == 0) {
            snprintf(c->command, sizeof c->command, "%.*s", (int)(n - 11),
                     line + 11);
        } else if (strncmp(line, "# expect-exit: ", 15) == 0) {
            c->exit_code = atoi(line + 15);
        } else if (strncmp(line, "# expect: ", 10) == 0) {
            char *nb = realloc(c->expect, cap + n - 9);
            if (!nb)
                break;
            c->expect = nb;
            cap += n - 9;
            memcpy(c->expect + len, line + 10, n - 10);
            len += n - 10;
            c->expect[len++] = '\n';
            c->expect[len] = 0;
            c->n_expect++;
        }
        line = end ? end + 1 : line + n;
    }
    return c->expect ? 0 : -1;
}

/* The sorted names of the cases (malloc'd array of malloc'd strings). */
static size_t cat_list(char ***out)
{
    struct dirent **ents = NULL;
    int n = scandir(CAT_DIR, &ents, NULL, alphasort);
    size_t k = 0;
    *out = calloc(n > 0 ? (size_t)n : 1, sizeof **out);
    for (int i = 0; i < n; i++) {
        size_t len = strlen(ents[i]->d_name);
        if (*out && len > 4 && strcmp(ents[i]->d_name + len - 4, ".cfg") == 0)
            (*out)[k++] = strdup(ents[i]->d_name);
        free(ents[i]);
    }
    free(ents);
    return k;
}

static void cat_list_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Runs case NAME; 1 when its standard error and exit code are as its
 * header says, else 0 after printing what differs. */
static int cat_run(const char *name, const char *tmp)
{
    char path[512], *text = NULL, *cmd = NULL, *want = NULL, *got = NULL;
    cat_case c = {0};
    int ok = 0;
    snprintf(path, sizeof path, CAT_DIR "/%s", name);
    if (!(text = test_read(path)) || cat_header(text, &c) != 0)
        goto end;
    if (c.exit_code <= 0 || c.n_expect == 0) {
        fprintf(stderr, "\n%s: the header needs expect-exit (not 0) and at "
                "least one expect line\n", path);
        goto end;
    }
    char *args = cat_expand(c.command, path, tmp);
    size_t len = strlen(cat_bin()) + (args ? strlen(args) : 0) + 32;
    if (args && (cmd = malloc(len)))
        /* Standard error only: the verdict on stdout is the CLI suite's. */
        snprintf(cmd, len, "%s %s 2>&1 >/dev/null", cat_bin(), args);
    free(args);
    if (!cmd || !(want = cat_expand(c.expect, path, tmp)))
        goto end;
    int code = test_run(cmd, &got);
    ok = got && code == c.exit_code && strcmp(got, want) == 0;
    if (!ok)
        fprintf(stderr, "\n%s: %s\n  exit %d, expected %d\n  stderr:\n%s"
                "  expected:\n%s", path, cmd, code, c.exit_code,
                got ? got : "(none)\n", want);
end:
    free(text);
    free(c.expect);
    free(cmd);
    free(want);
    free(got);
    return ok;
}

static void test_catalogue__every_bad_file__gives_its_exact_message_and_exit_code(void)
{
    char **names = NULL;
    size_t n = cat_list(&names);
    char *tmp = test_tmpdir();
    CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
    CU_ASSERT(n >= CAT_MIN_CASES);
    size_t failed = 0;
    for (size_t i = 0; i < n; i++)
        failed += !cat_run(names[i], tmp);
    if (failed)
        fprintf(stderr, "\ncatalogue: %zu of %zu cases failed\n", failed, n);
    CU_ASSERT_EQUAL(failed, 0);
    test_rmrf(tmp);
    free(tmp);
    cat_list_free(names, n);
}

/* Every header is complete: a case without expectations would pass
 * whatever the program printed. */
static void test_catalogue__every_case__states_exit_code_and_message(void)
{
    char **names = NULL;
    size_t n = cat_list(&names);
    for (size_t i = 0; i < n; i++) {
        char path[512];
        cat_case c = {0};
        snprintf(path, sizeof path, CAT_DIR "/%s", names[i]);
        char *text = test_read(path);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        CU_ASSERT_EQUAL_FATAL(cat_header(text, &c), 0);
        if (c.exit_code <= 0 || c.n_expect == 0)
            fprintf(stderr, "\n%s: incomplete header\n", path);
        CU_ASSERT(c.exit_code > 0 && c.exit_code <= NCG_EXIT_IO);
        CU_ASSERT(c.n_expect > 0);
        free(c.expect);
        free(text);
    }
    cat_list_free(names, n);
}

/* ---- limits: inputs too big to keep as files, made on the fly ---------- */

/* Runs `ncgsim check NAME` inside DIR, so that messages name the file
 * alone; returns the exit code, with the standard error in *ERR
 * (malloc'd). */
static int cat_check_in(const char *dir, const char *name, char **err)
{
    char *bin = realpath(cat_bin(), NULL), cmd[1024];
    snprintf(cmd, sizeof cmd, "cd %s && %s check %s 2>&1 >/dev/null", dir,
             bin ? bin : cat_bin(), name);
    free(bin);
    return test_run(cmd, err);
}

/* Writes TEXT as DIR/NAME and checks it as cat_check_in does. */
static int cat_check_text(const char *dir, const char *name, const char *text,
                          char **err)
{
    free(test_write(dir, name, text));
    return cat_check_in(dir, name, err);
}

static void test_catalogue__expression_nested_100000_deep__is_refused(void)
{
    const size_t depth = 100000;
    const char *head = "simulation = { steps = 2; };\nderived = { d = \"";
    char *text = malloc(strlen(head) + 2 * depth + 16), *p = text;
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    p += sprintf(p, "%s", head);
    memset(p, '(', depth);
    p += depth;
    *p++ = '1';
    memset(p, ')', depth);
    strcpy(p + depth, "\"; };\n");
    char *dir = test_tmpdir(), *err = NULL;
    CU_ASSERT_EQUAL(cat_check_text(dir, "deep.cfg", text, &err),
                    NCG_EXIT_SCENARIO);
    CU_ASSERT_STRING_EQUAL(err, "deep.cfg:2: derived.d: column 201: "
                           "expression is nested too deeply\n");
    free(err);
    free(text);
    test_rmrf(dir);
    free(dir);
}

/* 1 ^ 1 ^ ... and 1 + 1 + ... build tall trees without parentheses. */
static void test_catalogue__long_operator_runs__are_refused_not_overflowed(void)
{
    const struct { const char *op, *msg; } cases[] = {
        {"^", "run.cfg:2: derived.d: column 400: expression is nested too "
              "deeply\n"},
        {"+", "run.cfg:2: derived.d: column 2000: expression is too long "
              "(split it into several derived variables)\n"},
    };
    const size_t terms = 100000;
    char *dir = test_tmpdir();
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char *text = malloc(2 * terms + 64), *p = text, *err = NULL;
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        p += sprintf(p, "simulation = { steps = 2; };\nderived = { d = \"1");
        for (size_t i = 1; i < terms; i++) {
            *p++ = cases[c].op[0];
            *p++ = '1';
        }
        strcpy(p, "\"; };\n");
        CU_ASSERT_EQUAL(cat_check_text(dir, "run.cfg", text, &err),
                        NCG_EXIT_SCENARIO);
        CU_ASSERT_STRING_EQUAL(err, cases[c].msg);
        free(err);
        free(text);
    }
    test_rmrf(dir);
    free(dir);
}

/* c0.cfg extends c1.cfg ... c999.cfg: stops at the limit, no recursion. */
static void test_catalogue__extends_chain_of_1000__stops_at_256(void)
{
    char *dir = test_tmpdir(), *err = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    for (int i = 0; i < 1000; i++) {
        char name[32], text[128];
        snprintf(name, sizeof name, "c%d.cfg", i);
        if (i < 999)
            snprintf(text, sizeof text, "extends = \"c%d.cfg\";\n", i + 1);
        else
            snprintf(text, sizeof text, "simulation = { steps = 2; };\n"
                     "derived = { d = \"1\"; };\n");
        free(test_write(dir, name, text));
    }
    CU_ASSERT_EQUAL(cat_check_text(dir, "c0.cfg", "extends = \"c1.cfg\";\n",
                                   &err), NCG_EXIT_SCENARIO);
    CU_ASSERT_STRING_EQUAL(err, "c255.cfg:1: extends: more than 256 files in "
                           "the chain\n");
    free(err);
    test_rmrf(dir);
    free(dir);
}

/* N derived variables, each reading the one before; malloc'd text. */
static char *cat_many_vars(size_t n)
{
    char *text = malloc(n * 32 + 128), *p = text;
    if (!text)
        return NULL;
    p += sprintf(p, "simulation = { steps = 2; trials = 10; };\n"
                 "derived = {\n  d0 = \"1\";\n");
    for (size_t i = 1; i < n; i++)
        p += sprintf(p, "  d%zu = \"d%zu + 1\";\n", i, i - 1);
    sprintf(p, "};\noutputs = [ \"d%zu\" ];\n", n - 1);
    return text;
}

static void test_catalogue__10000_variables__check_and_more_are_refused(void)
{
    char *dir = test_tmpdir(), *err = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    char *text = cat_many_vars(10000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_EQUAL(cat_check_text(dir, "many.cfg", text, &err), 0);
    CU_ASSERT_STRING_EQUAL(err, "");
    free(err);
    free(text);
    /* Past the bound, the file is refused before libconfig reads it. */
    text = cat_many_vars(25000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_EQUAL(cat_check_text(dir, "more.cfg", text, &err),
                    NCG_EXIT_SCENARIO);
    CU_ASSERT_STRING_EQUAL(err, "more.cfg:20003: more than 20000 settings in "
                           "one group\n");
    free(err);
    free(text);
    test_rmrf(dir);
    free(dir);
}

static void test_catalogue__file_of_100_mb__is_refused_before_reading(void)
{
    char *dir = test_tmpdir(), *err = NULL, cmd[512];
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    /* A sparse file: 100 MB to the loader, nothing on the disk. */
    snprintf(cmd, sizeof cmd, "truncate -s 100M %s/big.cfg", dir);
    CU_ASSERT_EQUAL_FATAL(test_run(cmd, NULL), 0);
    CU_ASSERT_EQUAL(cat_check_in(dir, "big.cfg", &err), NCG_EXIT_IO);
    CU_ASSERT_STRING_EQUAL(err, "big.cfg: cannot read: File too large (a "
                           "scenario file is at most 16 MB)\n");
    free(err);
    test_rmrf(dir);
    free(dir);
}

void test_catalogue_register(void);
void test_catalogue_register(void)
{
    static const test_case cases[] = {
        {"every bad file gives its exact message and exit code",
         test_catalogue__every_bad_file__gives_its_exact_message_and_exit_code},
        {"every case states exit code and message",
         test_catalogue__every_case__states_exit_code_and_message},
        {"expression nested 100000 deep is refused",
         test_catalogue__expression_nested_100000_deep__is_refused},
        {"long operator runs are refused, not overflowed",
         test_catalogue__long_operator_runs__are_refused_not_overflowed},
        {"extends chain of 1000 stops at 256",
         test_catalogue__extends_chain_of_1000__stops_at_256},
        {"10000 variables check, and more are refused",
         test_catalogue__10000_variables__check_and_more_are_refused},
        {"file of 100 MB is refused before reading",
         test_catalogue__file_of_100_mb__is_refused_before_reading},
    };
    TEST_SUITE("catalogue", cases);
}

/* test_diff.c: the settings one scenario changes against another (diff_scenarios, ncgsim diff). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "analysis/diff.h"
#include "base/ncgsim.h"

#define BIN "\"${NCGSIM_BIN:-./ncgsim}\""

static const char base_cfg[] =
    "name = \"base\";\n"
    "title = \"Base\";\n"
    "description = \"The base.\";\n"
    "simulation = { trials = 100; steps = 4; seed = 3; };\n"
    "params = {\n"
    "  p = { dist = \"const\"; value = 0.1; source = \"Old source\"; note = \"Old note\"; };\n"
    "  k = 2;\n"
    "  w = [1.0, 2.0];\n"
    "};\n"
    "events = { e = { p = \"p\"; label = \"E\"; }; };\n";

/* Overrides p (its value and source), keeps k (1 and 1.0 are one value
 * as numbers: 2 written as 2.0), changes an array element, adds a label. */
static const char other_cfg[] =
    "extends = \"base.cfg\";\n"
    "name = \"other\";\n"
    "title = \"Other\";\n"
    "description = \"Another.\";\n"
    "params = {\n"
    "  p = { value = 0.25; source = \"New source\"; };\n"
    "  k = 2.0;\n"
    "  w = [1.0, 3.0];\n"
    "};\n"
    "events = { e = { kind = \"switch\"; recover = \"0.5\"; }; };\n";

/* Loads DIR/NAME. */
static scenario *load(const char *dir, const char *name)
{
    char path[1024];
    scenario *s = NULL;
    scenario_opts none = { 0 };
    diag *d = diag_alloc();
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (scenario_load(path, &none, &s, d) != 0)
        diag_print(d, stderr);
    diag_free(d);
    return s;
}

static void test_diff__lists_changed_settings_with_sources(void)
{
    char *dir = test_tmpdir();
    free(test_write(dir, "base.cfg", base_cfg));
    free(test_write(dir, "other.cfg", other_cfg));
    scenario *a = load(dir, "base.cfg"), *b = load(dir, "other.cfg");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    diff_list *l = diff_scenarios(a, b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    static const struct { const char *path, *old, *now; } want[] = {
        { "params.p.value", "0.1", "0.25" },
        { "params.p.source", "\"Old source\"", "\"New source\"" },
        { "params.w", "[1.0, 2.0]", "[1.0, 3.0]" },
        { "events.e.kind", NULL, "\"switch\"" },
        { "events.e.recover", NULL, "\"0.5\"" },
    };
    size_t n = sizeof want / sizeof want[0];
    CU_ASSERT_EQUAL_FATAL(l->n, n);
    for (size_t i = 0; i < n; i++) {
        const diff_entry *e = &l->e[i];
        CU_ASSERT_STRING_EQUAL(e->path, want[i].path);
        if (want[i].old) {
            CU_ASSERT(e->old_value && strcmp(e->old_value, want[i].old) == 0);
        } else {
            CU_ASSERT_PTR_NULL(e->old_value);
        }
        CU_ASSERT(e->new_value && strcmp(e->new_value, want[i].now) == 0);
    }
    /* Sources and notes of the variable, each side its own. */
    CU_ASSERT_STRING_EQUAL(l->e[0].old_source, "Old source");
    CU_ASSERT_STRING_EQUAL(l->e[0].new_source, "New source");
    CU_ASSERT_STRING_EQUAL(l->e[0].new_note, "Old note");   /* inherited */
    CU_ASSERT_PTR_NULL(l->e[2].new_source);
    /* Where each value came from. */
    CU_ASSERT_EQUAL(l->e[0].old_node->line, 6);
    CU_ASSERT_EQUAL(l->e[0].new_node->line, 6);
    CU_ASSERT_PTR_NOT_NULL(strstr(l->e[0].new_node->file, "other.cfg"));
    diff_free(l);
    /* A scenario against itself: nothing. */
    l = diff_scenarios(a, a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    CU_ASSERT_EQUAL(l->n, 0);
    diff_free(l);
    scenario_free(a);
    scenario_free(b);
    test_rmrf(dir);
    free(dir);
}

static void test_diff__value_text_reads_as_scenario_text(void)
{
    char *dir = test_tmpdir();
    free(test_write(dir, "v.cfg",
        "simulation = { steps = 1; };\n"
        "params = { s = \"a \\\"q\\\" \\\\ b\"; f = 28500.0; g = 1e-300; "
        "t = 0.1; i = 7; };\n"));
    scenario *s = load(dir, "v.cfg");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    static const struct { const char *path, *text; } cases[] = {
        { "params.s", "\"a \\\"q\\\" \\\\ b\"" }, { "params.f", "28500.0" },
        { "params.g", "1e-300" }, { "params.t", "0.1" }, { "params.i", "7" },
        { "simulation.steps", "1" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *t = diff_value_text(snode_find(s->root, cases[i].path));
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        if (strcmp(t, cases[i].text) != 0) {
            fprintf(stderr, "\n%s: %s\n", cases[i].path, t);
            CU_FAIL("value text");
        }
        free(t);
    }
    scenario_free(s);
    test_rmrf(dir);
    free(dir);
}

static void test_diff__command_prints_text_and_exits_0(void)
{
    char *dir = test_tmpdir(), cmd[2048], *out = NULL;
    free(test_write(dir, "base.cfg", base_cfg));
    free(test_write(dir, "other.cfg", other_cfg));
    snprintf(cmd, sizeof cmd, "cd %s && " "\"${NCGSIM_BIN:-$OLDPWD/ncgsim}\""
             " diff base.cfg other.cfg", dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    const char *expect =
        "--- base.cfg: Base (reference)\n"
        "+++ other.cfg: Other\n"
        "\n"
        "params.p.value\n"
        "  - 0.1    # base.cfg:6\n"
        "  + 0.25    # other.cfg:6\n"
        "  source: New source\n"
        "  source (reference): Old source\n"
        "  note: Old note\n";
    if (strncmp(out, expect, strlen(expect)) != 0) {
        fprintf(stderr, "\n%s\n", out);
        CU_FAIL("diff output");
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nevents.e.kind\n  - (not set)\n"
                                  "  + \"switch\"    # other.cfg:10\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n5 settings differ.\n"));
    free(out);
    test_rmrf(dir);
    free(dir);
}

static void test_diff__bad_files_are_clear_errors(void)
{
    char *dir = test_tmpdir(), cmd[2048], *out = NULL;
    free(test_write(dir, "base.cfg", base_cfg));
    free(test_write(dir, "broken.cfg", "simulation = { steps = 1 \n"));
    snprintf(cmd, sizeof cmd, BIN " diff %s/base.cfg %s/missing.cfg", dir, dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), NCG_EXIT_IO);
    CU_ASSERT_TRUE(out && strstr(out, "missing.cfg"));
    free(out);
    snprintf(cmd, sizeof cmd, BIN " diff %s/base.cfg %s/broken.cfg", dir, dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), NCG_EXIT_SCENARIO);
    CU_ASSERT_TRUE(out && strstr(out, "broken.cfg:2: syntax error"));
    free(out);
    snprintf(cmd, sizeof cmd, BIN " diff %s/base.cfg", dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), NCG_EXIT_USAGE);
    CU_ASSERT_TRUE(out && strstr(out, "expected two scenario files"));
    free(out);
    test_rmrf(dir);
    free(dir);
}

void test_diff_register(void);
void test_diff_register(void)
{
    static const test_case cases[] = {
        { "lists changed settings with sources",
          test_diff__lists_changed_settings_with_sources },
        { "value text reads as scenario text",
          test_diff__value_text_reads_as_scenario_text },
        { "command prints text and exits 0",
          test_diff__command_prints_text_and_exits_0 },
        { "bad files are clear errors", test_diff__bad_files_are_clear_errors },
    };
    TEST_SUITE("diff", cases);
}

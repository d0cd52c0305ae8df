/* test_model.c: variable checks, evaluation order, cycles, the graph. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/model.h"
#include "base/ncgsim.h"
#include "base/status.h"
#include "scenario/scenario.h"
#include "testutil.h"

/* Loads PATH (in folder DIR) and builds it; returns the exit code and, on
 * failure, the first message without the folder prefix in BUF. */
static int build_path(const char *dir, const char *path, char *buf,
                      size_t len, size_t *n_msgs)
{
    diag *d = diag_alloc();
    scenario *s = NULL;
    model *m = NULL;
    scenario_opts so = { 0 };
    int rc = scenario_load(path, &so, &s, d);
    if (rc == 0)
        rc = model_build(s, &m, d);
    buf[0] = '\0';
    if (diag_count(d) > 0) {
        /* Drop the temporary folder wherever it appears. */
        const char *msg = diag_get(d, 0);
        size_t dl = strlen(dir), k = 0;
        while (*msg && k + 1 < len) {
            if (strncmp(msg, dir, dl) == 0 && msg[dl] == '/')
                msg += dl + 1;
            else
                buf[k++] = *msg++;
        }
        buf[k] = '\0';
    }
    if (n_msgs)
        *n_msgs = diag_count(d);
    model_free(m);
    scenario_free(s);
    diag_free(d);
    return rc;
}

/* Loads TEXT as m.cfg and builds it, as build_path. */
static int build(const char *text, char *buf, size_t len, size_t *n_msgs)
{
    char *dir = test_tmpdir();
    char *path = test_write(dir, "m.cfg", text);
    int rc = build_path(dir, path, buf, len, n_msgs);
    free(path);
    test_rmrf(dir);
    free(dir);
    return rc;
}

/* Builds CHILD (c.cfg) over PARENT (p.cfg), as build_path. */
static int build_child(const char *parent, const char *child, char *buf,
                       size_t len)
{
    char *dir = test_tmpdir();
    char *pp = test_write(dir, "p.cfg", parent);
    char *cp = test_write(dir, "c.cfg", child);
    int rc = build_path(dir, cp, buf, len, NULL);
    free(pp);
    free(cp);
    test_rmrf(dir);
    free(dir);
    return rc;
}

static void test_model__extends__a_new_variable_must_be_read_or_listed(void)
{
    static const char parent[] =
        "simulation = { steps = 2; trials = 10; };\n"
        "params = { q = 0.5; };\n"
        "events = { e = { p = \"q\"; }; };\n"
        "outputs = [ \"e\" ];\n";
    static const struct { const char *child; const char *message; } cases[] = {
        /* read by the parent's variable through the child's override */
        { "extends = \"p.cfg\";\nparams = { k = 0.2; };\n"
          "events = { e = { p = \"k\"; }; };\n", "" },
        /* listed as an output */
        { "extends = \"p.cfg\";\nderived = { d = \"2 * q\"; };\n"
          "outputs_add = [ \"d\" ];\n", "" },
        /* a new derived variable that no output lists and nothing reads */
        { "extends = \"p.cfg\";\nderived = { qq = \"2 * q\"; };\n",
          "c.cfg:2: derived.qq: new in this file, and nothing reads it "
          "(did you mean 'q'?)" },
        /* a state that reads only itself is still unread */
        { "extends = \"p.cfg\";\n"
          "states = { level = { init = \"0\"; next = \"level + 1\"; }; };\n",
          "c.cfg:2: states.level: new in this file, and nothing reads it: use "
          "it in an expression, list it in outputs, or remove it" },
        /* overriding the parent's variable is no new variable */
        { "extends = \"p.cfg\";\nparams = { q = 0.25; };\n", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[512];
        int rc = build_child(parent, cases[i].child, buf, sizeof buf);
        CU_ASSERT_EQUAL(rc, cases[i].message[0] ? NCG_ERR_SCENARIO : 0);
        CU_ASSERT_STRING_EQUAL(buf, cases[i].message);
        if (strcmp(buf, cases[i].message) != 0)
            fprintf(stderr, "\ncase %zu: %s\n", i, buf);
    }
}

typedef struct bad_case {
    const char *text;     /* after a first line "simulation = { steps = 2; };" */
    const char *message;  /* the exact first message */
} bad_case;

static const bad_case bad_cases[] = {
    { "derived = { a = \"b\"; b = \"a + 1\"; };",
      "m.cfg:2: derived.a: cycle of same-step references in a step: a -> b -> a "
      "(use prev(b) to read its value at t - 1)" },
    { "events = { e = { p = \"e\"; }; };",
      "m.cfg:2: events.e: cycle of same-step references in a step: e -> e "
      "(use prev(e) to read its value at t - 1)" },
    { "states = { s = { init = \"s\"; next = \"s\"; }; };",
      "m.cfg:2: states.s: cycle of same-step references at t = 0: s -> s "
      "(at t = 0, prev() reads t = 0 too; break the cycle with an init that "
      "does not read s)" },
    { "params = { a = \"b\"; b = \"a\"; };\nderived = { x = \"a\"; };",
      "m.cfg:2: params.a: params refer to each other in a cycle: a -> b -> a" },
    { "events = { e = { p = \"0.1\"; kind = \"absorb\"; }; };",
      "m.cfg:2: events.e.kind: unknown kind 'absorb' (did you mean 'absorbing'?)" },
    { "events = { e = { p = \"0.1\"; kind = \"switch\"; }; };",
      "m.cfg:2: events.e.recover: missing: a switch event needs recover (the "
      "probability per step of going back from 1 to 0)" },
    { "events = { e = { p = \"0.1\"; recover = \"0.2\"; }; };",
      "m.cfg:2: events.e.recover: only a switch event takes recover (this event "
      "is absorbing; add kind = \"switch\";)" },
    { "events = { e = { pp = \"0.1\"; }; };",
      "m.cfg:2: events.e.pp: unknown setting (did you mean 'p'?)" },
    { "events = { e = { init = \"0\"; }; };",
      "m.cfg:2: events.e.p: missing (an expression in quotes, e.g. p = \"0.1\";)" },
    { "states = { s = { init = \"0\"; nxt = \"1\"; }; };",
      "m.cfg:2: states.s.nxt: unknown setting (did you mean 'next'?)" },
    { "states = { s = { init = \"0\"; next = \"1\"; min = 5.0; max = 1.0; }; };",
      "m.cfg:2: states.s.max: max (1) is below min (5)" },
    { "states = { s = \"1\"; };",
      "m.cfg:2: states.s: expected a group such as { init = \"0\"; next = \"...\"; }, "
      "found a string" },
    { "derived = { Big = \"1\"; };",
      "m.cfg:2: derived.Big: invalid variable name 'Big' (use lower-case letters, "
      "digits and '_', starting with a letter or '_')" },
    { "derived = { max = \"1\"; };",
      "m.cfg:2: derived.max: 'max' is a built-in name and cannot name a variable" },
    { "params = { x = 1.0; };\nderived = { x = \"1\"; };",
      "m.cfg:3: derived.x: the name 'x' is already used by params.x (m.cfg:2); "
      "variable names share one namespace" },
    { "derived = { x = \"1\"; };\noutputs = [\"y\"];",
      "m.cfg:3: outputs: unknown variable 'y'" },
    { "derived = { x = \"1\"; };\noutputs = [\"xx\"];",
      "m.cfg:3: outputs: unknown variable 'xx' (did you mean 'x'?)" },
    { "params = { x = 1.0; };",
      "m.cfg: nothing to summarise: the scenario has no events, states or "
      "derived variables" },
    { "params = { x = { mean = 1.0; }; };\nderived = { y = \"x\"; };",
      "m.cfg:2: params.x: missing 'dist' (e.g. dist = \"normal\"; known: "
      "const, uniform, normal, lognormal, beta, pert, triangular, gamma, "
      "exponential, bernoulli, poisson, binomial, discrete)" },
    { "params = { x = { dist = \"normal\"; mean = \"1\"; sd = 1.0; }; };\n"
      "derived = { y = \"x\"; };",
      "m.cfg:2: params.x.mean: expected a number, found a string (dist "
      "arguments are numbers, not expressions)" },
    { "derived = { y = { value = \"1\"; colour = \"red\"; }; };",
      "m.cfg:2: derived.y.colour: unknown setting (known: value, label, unit, "
      "note, source)" },
    { "derived = { y = { value = \"1\"; label = 3; }; };",
      "m.cfg:2: derived.y.label: expected a string, found an integer" },
};

static void test_model__bad_variables__give_exact_messages(void)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        char text[1024], msg[1024];
        snprintf(text, sizeof text, "simulation = { steps = 2; };\n%s\n",
                 bad_cases[i].text);
        CU_ASSERT_EQUAL(build(text, msg, sizeof msg, NULL), NCG_EXIT_SCENARIO);
        if (strcmp(msg, bad_cases[i].message) != 0)
            fprintf(stderr, "\ncase %zu:\n  got  %s\n  want %s\n", i, msg,
                    bad_cases[i].message);
        CU_ASSERT_STRING_EQUAL(msg, bad_cases[i].message);
    }
}

static void test_model__several_errors__are_all_reported(void)
{
    char msg[1024];
    size_t n = 0;
    CU_ASSERT_EQUAL(build("simulation = { steps = 2; };\n"
                          "derived = { a = \"zz\"; b = \"log(\"; };\n"
                          "events = { e = { p = \"0.1\"; kind = \"x\"; }; };\n",
                          msg, sizeof msg, &n), NCG_EXIT_SCENARIO);
    if (n != 3)
        fprintf(stderr, "\n%zu messages, first: %s\n", n, msg);
    CU_ASSERT_EQUAL(n, 3);
}

static void test_model__good_model__orders_and_links_variables(void)
{
    char *dir = test_tmpdir();
    char *path = test_write(dir, "m.cfg",
        "simulation = { steps = 2; };\n"
        "params = { p = { dist = \"uniform\"; min = 0.0; max = 1.0; }; q = \"p * 2\"; };\n"
        "derived = { a = \"b + q\"; b = \"prev(s)\"; };\n"
        "states = { s = { init = \"0\"; next = \"s + a\"; }; };\n");
    diag *d = diag_alloc();
    scenario *s = NULL;
    model *m = NULL;
    scenario_opts so = { 0 };
    CU_ASSERT_FATAL(scenario_load(path, &so, &s, d) == 0);
    CU_ASSERT_FATAL(model_build(s, &m, d) == 0);
    /* Step order: b before a before s (s reads a, a reads b). */
    CU_ASSERT_EQUAL(m->n_dyn, 3);
    CU_ASSERT_STRING_EQUAL(m->vars[m->step_order[0]].name, "b");
    CU_ASSERT_STRING_EQUAL(m->vars[m->step_order[1]].name, "a");
    CU_ASSERT_STRING_EQUAL(m->vars[m->step_order[2]].name, "s");
    CU_ASSERT_EQUAL(m->n_random_params, 1);
    CU_ASSERT_EQUAL(m->n_expr_params, 1);
    /* The graph has a dashed edge s -> b (prev) and s -> s (own name). */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CU_ASSERT_EQUAL(model_graph(m, f, 0), 0);
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"s\" -> \"b\" [style=dashed];"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"s\" -> \"s\" [style=dashed];"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"q\" -> \"a\";"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"p\" -> \"q\";"));
    free(buf);
    model_free(m);
    scenario_free(s);
    diag_free(d);
    free(path);
    test_rmrf(dir);
    free(dir);
}

void test_model_register(void);
void test_model_register(void)
{
    static const test_case cases[] = {
        { "bad variables give exact messages", test_model__bad_variables__give_exact_messages },
        { "several errors are all reported", test_model__several_errors__are_all_reported },
        { "a good model orders and links its variables", test_model__good_model__orders_and_links_variables },
        { "a new variable in a child must be read or listed", test_model__extends__a_new_variable_must_be_read_or_listed },
    };
    TEST_SUITE("model", cases);
}

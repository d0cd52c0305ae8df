/* test_scenario.c: CUnit suite for loading, merging, overriding, checking and writing scenarios. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/ncgsim.h"
#include "scenario/scenario.h"
#include "testutil.h"

/* Each test works in a fresh folder; "@" in expected messages stands for
 * it, so the texts below read as the user would see them. */
static char *dir;

static void setup(void)
{
    dir = test_tmpdir();
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
}

static void teardown(void)
{
    test_rmrf(dir);
    free(dir);
    dir = NULL;
}

/* Writes TEXT to the file NAME of the test folder (folders in NAME must
 * exist). */
static void put(const char *name, const char *text)
{
    free(test_write(dir, name, text));
}

/* "@/NAME" spelled out: a malloc'd path in the test folder. */
static char *at(const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *p = malloc(len);
    snprintf(p, len, "%s/%s", dir, name);
    return p;
}

/* Expected text with each '@' replaced by the test folder (malloc'd). */
static char *expand(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '@' ? strlen(dir) : 1;
    char *out = malloc(n + 1), *o = out;
    for (const char *p = text; *p; p++) {
        if (*p == '@') {
            strcpy(o, dir);
            o += strlen(dir);
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
    return out;
}

/* Loads the file NAME of the test folder with the N_SETS overrides SETS
 * (and OPTS' trials and seed when OPTS is given). */
static int load_opts(const char *name, const char *const *sets, size_t n_sets,
                     scenario_opts *opts, scenario **s, diag *d)
{
    scenario_opts none = { 0 };
    if (!opts)
        opts = &none;
    opts->sets = sets;
    opts->n_sets = n_sets;
    char *path = at(name);
    int rc = scenario_load(path, opts, s, d);
    free(path);
    return rc;
}

static int load(const char *name, scenario **s, diag *d)
{
    return load_opts(name, NULL, 0, NULL, s, d);
}

/* Asserts that D holds exactly the N messages in AP (with '@' expanded). */
static void expect_msgs_v(const diag *d, size_t n, va_list ap)
{
    CU_ASSERT_EQUAL(diag_count(d), n);
    for (size_t i = 0; i < n; i++) {
        char *want = expand(va_arg(ap, const char *));
        const char *got = i < diag_count(d) ? diag_get(d, i) : "(no message)";
        if (strcmp(got, want) != 0)
            fprintf(stderr, "\n  message %zu:\n    got  %s\n    want %s\n", i, got, want);
        CU_ASSERT_STRING_EQUAL(got, want);
        free(want);
    }
}

/* Asserts that message I of D is WANT (with '@' expanded, except in
 * "@include"). */
static void expect_msg_at(const diag *d, size_t i, const char *want)
{
    char *raw = strdup(want);
    for (char *p = raw; (p = strstr(p, "@include")); p++)
        *p = '\1';
    char *w = expand(raw);
    free(raw);
    for (char *p = w; (p = strchr(p, '\1')); )
        *p = '@';
    const char *got = i < diag_count(d) ? diag_get(d, i) : "(no message)";
    if (strcmp(got, w) != 0)
        fprintf(stderr, "\n  message %zu:\n    got  %s\n    want %s\n", i, got, w);
    CU_ASSERT_STRING_EQUAL(got, w);
    free(w);
}

static void expect_msgs(const diag *d, size_t n, ...)
{
    va_list ap;
    va_start(ap, n);
    expect_msgs_v(d, n, ap);
    va_end(ap);
}

/* Loads TEXT as s.cfg with the N_SETS overrides SETS and asserts that it
 * fails as a bad scenario with exactly the N messages given. */
static void expect_set_errors(const char *text, const char *const *sets,
                              size_t n_sets, size_t n, ...)
{
    diag *d = diag_alloc();
    scenario *s = (scenario *)1;
    put("s.cfg", text);
    CU_ASSERT_EQUAL(load_opts("s.cfg", sets, n_sets, NULL, &s, d), NCG_EXIT_SCENARIO);
    CU_ASSERT_PTR_NULL(s);
    va_list ap;
    va_start(ap, n);
    expect_msgs_v(d, n, ap);
    va_end(ap);
    diag_free(d);
}

/* Loads a one-file scenario TEXT and asserts it fails with RC and exactly
 * the one message MSG. */
static void expect_one_error(const char *text, int rc, const char *msg)
{
    diag *d = diag_alloc();
    scenario *s = (scenario *)1;
    put("s.cfg", text);
    CU_ASSERT_EQUAL(load("s.cfg", &s, d), rc);
    CU_ASSERT_PTR_NULL(s);
    expect_msgs(d, 1, msg);
    diag_free(d);
}

/* Loads a one-file scenario TEXT that must be fine. */
static scenario *load_ok(const char *text)
{
    diag *d = diag_alloc();
    scenario *s = NULL;
    put("s.cfg", text);
    CU_ASSERT_EQUAL(load("s.cfg", &s, d), 0);
    expect_msgs(d, 0);
    diag_free(d);
    return s;
}

/* The origin of the node at PATH as "file:line" (file only when line 0),
 * with the test folder written as '@'; a static buffer. */
static const char *origin(const scenario *s, const char *path)
{
    static char buf[1024];
    const snode *n = snode_find(s->root, path);
    if (!n)
        return "(missing)";
    const char *f = n->file;
    size_t dl = strlen(dir);
    char file[900];
    if (strncmp(f, dir, dl) == 0)
        snprintf(file, sizeof file, "@%s", f + dl);
    else
        snprintf(file, sizeof file, "%s", f);
    if (n->line > 0)
        snprintf(buf, sizeof buf, "%s:%d", file, n->line);
    else
        snprintf(buf, sizeof buf, "%s", file);
    return buf;
}

static double num(const scenario *s, const char *path)
{
    double v = NAN;
    CU_ASSERT(snode_number(snode_find(s->root, path), &v));
    return v;
}

static const char *str(const scenario *s, const char *path)
{
    const snode *n = snode_find(s->root, path);
    return n && n->type == SNODE_STRING ? n->v.s : "(not a string)";
}

/* The names of GROUP's children joined by ' '. */
static const char *kid_names(const scenario *s, const char *group)
{
    static char buf[512];
    const snode *g = group ? snode_find(s->root, group) : s->root;
    buf[0] = 0;
    for (size_t i = 0; g && i < g->n_kids; i++) {
        if (i)
            strcat(buf, " ");
        strcat(buf, g->kids[i]->name);
    }
    return buf;
}

#define SIM "simulation = { steps = 4; };\n"

/* ---- extends ---- */

static void test_scenario__extends_chain_of_three__merges_groups_and_replaces_values(void)
{
    setup();
    put("grand.cfg",
        "name = \"grand\";\n"
        "simulation = { steps = 4; trials = 100; };\n"
        "params = { a = 1.0; g = { dist = \"normal\"; mean = 0.0; sd = 1.0; }; n = 5; arr = { x = 1; }; };\n");
    put("parent.cfg",
        "extends = \"grand.cfg\";\n"
        "simulation = { seed = 7; };\n"
        "params = { b = 2.0; g = { mean = 3.0; }; };\n");
    put("child.cfg",
        "extends = \"parent.cfg\";\n"
        "params = { a = \"b * 2\"; g = 4.5; n = { dist = \"uniform\"; min = 0; max = 1; }; c = 3; arr = [1, 2]; };\n");
    diag *d = diag_alloc();
    scenario *s = NULL;
    CU_ASSERT_EQUAL_FATAL(load("child.cfg", &s, d), 0);
    /* parent's settings first in the parent's order, then new ones */
    CU_ASSERT_STRING_EQUAL(kid_names(s, "params"), "a g n arr b c");
    CU_ASSERT_STRING_EQUAL(str(s, "params.a"), "b * 2");
    CU_ASSERT_STRING_EQUAL(origin(s, "params.a"), "@/child.cfg:2");
    /* a group replaced by a number, and a number by a group */
    CU_ASSERT_DOUBLE_EQUAL(num(s, "params.g"), 4.5, 0);
    CU_ASSERT_EQUAL(snode_find(s->root, "params.n")->type, SNODE_GROUP);
    CU_ASSERT_STRING_EQUAL(kid_names(s, "params.n"), "dist min max");
    CU_ASSERT_DOUBLE_EQUAL(num(s, "params.b"), 2.0, 0);
    CU_ASSERT_STRING_EQUAL(origin(s, "params.b"), "@/parent.cfg:3");
    /* a group replaced by an array */
    CU_ASSERT_EQUAL(snode_find(s->root, "params.arr")->type, SNODE_ARRAY);
    /* simulation merged across all three files */
    CU_ASSERT_EQUAL(s->sim.trials, 100);
    CU_ASSERT_EQUAL(s->sim.seed, 7);
    CU_ASSERT_EQUAL(s->sim.steps, 4);
    CU_ASSERT_STRING_EQUAL(origin(s, "simulation.steps"), "@/grand.cfg:2");
    CU_ASSERT_PTR_NULL(snode_get(s->root, "extends"));
    CU_ASSERT_EQUAL(s->n_files, 3);
    expect_msgs(d, 0);
    scenario_free(s);
    diag_free(d);
    teardown();
}

static void test_scenario__extends__a_nested_group_merges_recursively(void)
{
    setup();
    put("p.cfg", SIM "params = { x = { dist = \"beta\"; a = 1.0; b = 2.0; }; };\n");
    put("c.cfg", "extends = \"p.cfg\";\nparams = { x = { a = 5.0; label = \"X\"; }; };\n");
    scenario *s = NULL;
    CU_ASSERT_EQUAL_FATAL(load("c.cfg", &s, NULL), 0);
    CU_ASSERT_STRING_EQUAL(kid_names(s, "params.x"), "dist a b label");
    CU_ASSERT_DOUBLE_EQUAL(num(s, "params.x.a"), 5.0, 0);
    CU_ASSERT_STRING_EQUAL(origin(s, "params.x.b"), "@/p.cfg:2");
    /* the merged group is where the child wrote it */
    CU_ASSERT_STRING_EQUAL(origin(s, "params.x"), "@/c.cfg:2");
    scenario_free(s);
    teardown();
}

static void test_scenario__extends__name_title_description_are_never_inherited(void)
{
    static const struct { const char *file, *text, *name, *title, *desc, *order; } cases[] = {
        /* all three default or stay unset; name and title are written first */
        { "usfk-cut.cfg", "extends = \"base.cfg\";\n",
          "usfk-cut", "usfk-cut", NULL, "name title simulation" },
        { "c.cfg", "extends = \"base.cfg\";\ndescription = \"d\";\ntitle = \"Cut\";\nname = \"cut\";\n",
          "cut", "Cut", "d", "name title description simulation" },
    };
    setup();
    put("base.cfg", "name = \"base\";\ntitle = \"Base case\";\ndescription = \"long\";\n" SIM);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        put(cases[i].file, cases[i].text);
        scenario *s = NULL;
        CU_ASSERT_EQUAL_FATAL(load(cases[i].file, &s, NULL), 0);
        CU_ASSERT_STRING_EQUAL(s->name, cases[i].name);
        CU_ASSERT_STRING_EQUAL(s->title, cases[i].title);
        CU_ASSERT_STRING_EQUAL(s->description ? s->description : "(none)",
                               cases[i].desc ? cases[i].desc : "(none)");
        CU_ASSERT_STRING_EQUAL(kid_names(s, NULL), cases[i].order);
        CU_ASSERT_STRING_EQUAL(origin(s, "name"), i == 0 ? "default" : "@/c.cfg:4");
        scenario_free(s);
    }
    teardown();
}

/* A child that gives a variable a different dist redefines it (keeping
 * its label), and outputs_add appends to the parent's outputs. */
static void test_scenario__extends__new_dist_redefines_and_outputs_add_appends(void)
{
    setup();
    put("par.cfg", "simulation = { steps = 2; };\n"
        "params = { c = { dist = \"const\"; value = 3.0; label = \"C\"; };\n"
        "  n = { dist = \"normal\"; mean = 1.0; sd = 2.0; }; };\n"
        "derived = { d = \"c * 2\"; e = \"c\"; };\noutputs = [ \"d\" ];\n");
    put("chi.cfg", "extends = \"par.cfg\";\n"
        "params = { c = { dist = \"lognormal\"; median = 3.0; sigma = 0.5; };\n"
        "  n = { dist = \"normal\"; sd = 4.0; }; };\n"
        "outputs_add = [ \"e\", \"d\" ];\n");
    scenario *s = NULL;
    CU_ASSERT_EQUAL_FATAL(load("chi.cfg", &s, NULL), 0);
    CU_ASSERT_PTR_NULL(snode_find(s->root, "params.c.value"));
    CU_ASSERT_STRING_EQUAL(snode_find(s->root, "params.c.label")->v.s, "C");
    CU_ASSERT_STRING_EQUAL(origin(s, "params.c.median"), "@/chi.cfg:2");
    /* The same dist merges as before: only sd changes. */
    CU_ASSERT_PTR_NOT_NULL(snode_find(s->root, "params.n.mean"));
    const snode *o = snode_get(s->root, "outputs");
    CU_ASSERT_EQUAL_FATAL(o->n_kids, 2);
    CU_ASSERT_STRING_EQUAL(o->kids[0]->v.s, "d");
    CU_ASSERT_STRING_EQUAL(o->kids[1]->v.s, "e");
    CU_ASSERT_PTR_NULL(snode_get(s->root, "outputs_add"));
    scenario_free(s);
    teardown();
}

static void test_scenario__extends_cycle_of_two__names_the_files(void)
{
    setup();
    put("a.cfg", "extends = \"b.cfg\";\n");
    put("b.cfg", SIM "extends = \"a.cfg\";\n");
    expect_one_error("extends = \"a.cfg\";\n", NCG_EXIT_SCENARIO,
                     "@/b.cfg:2: extends: cycle: @/a.cfg -> @/b.cfg -> @/a.cfg");
    teardown();
}

static void test_scenario__extends_cycle_of_three__is_found_by_real_path(void)
{
    setup();
    put("a.cfg", "extends = \"./b.cfg\";\n");
    put("b.cfg", "extends = \"c.cfg\";\n");
    put("c.cfg", "extends = \"a.cfg\";\n");
    diag *d = diag_alloc();
    scenario *s = NULL;
    CU_ASSERT_EQUAL(load("a.cfg", &s, d), NCG_EXIT_SCENARIO);
    expect_msgs(d, 1, "@/./c.cfg:1: extends: cycle: @/a.cfg -> @/./b.cfg -> @/./c.cfg -> @/./a.cfg");
    diag_free(d);
    teardown();
}

static void test_scenario__extends_itself__is_a_cycle(void)
{
    setup();
    expect_one_error("# comment\nextends = \"s.cfg\";\n", NCG_EXIT_SCENARIO,
                     "@/s.cfg:2: extends: cycle: @/s.cfg -> @/s.cfg");
    teardown();
}

static void test_scenario__extends_missing_parent__is_an_io_error_at_the_setting(void)
{
    setup();
    expect_one_error(SIM "\nextends = \"missing.cfg\";\n", NCG_EXIT_IO,
                     "@/s.cfg:3: extends: cannot read '@/missing.cfg': No such file or directory");
    teardown();
}

static void test_scenario__missing_file__is_an_io_error(void)
{
    setup();
    diag *d = diag_alloc();
    scenario *s = (scenario *)1;
    CU_ASSERT_EQUAL(load("nope.cfg", &s, d), NCG_EXIT_IO);
    CU_ASSERT_PTR_NULL(s);
    expect_msgs(d, 1, "@/nope.cfg: cannot read: No such file or directory");
    diag_free(d);
    teardown();
}

static void test_scenario__a_folder_given_as_file__cannot_be_read(void)
{
    setup();
    char *sub = at("sub");
    mkdir(sub, 0700);
    diag *d = diag_alloc();
    scenario *s = NULL;
    CU_ASSERT_EQUAL(load("sub", &s, d), NCG_EXIT_IO);
    expect_msgs(d, 1, "@/sub: cannot read: Is a directory");
    free(sub);
    diag_free(d);
    teardown();
}

static void test_scenario__extends__is_relative_to_the_including_file(void)
{
    setup();
    char *sub = at("sub"), *lib = at("lib");
    mkdir(sub, 0700);
    mkdir(lib, 0700);
    put("lib/common.cfg", SIM "params = { c = 1; };\n");
    put("base.cfg", "extends = \"lib/common.cfg\";\nparams = { b = 2; };\n");
    put("sub/child.cfg", "extends = \"../base.cfg\";\nparams = { a = 3; };\n");
    scenario *s = NULL;
    diag *d = diag_alloc();
    CU_ASSERT_EQUAL_FATAL(load("sub/child.cfg", &s, d), 0);
    CU_ASSERT_STRING_EQUAL(kid_names(s, "params"), "c b a");
    CU_ASSERT_STRING_EQUAL(origin(s, "params.c"), "@/sub/../lib/common.cfg:2");
    CU_ASSERT_STRING_EQUAL(origin(s, "params.b"), "@/sub/../base.cfg:2");
    CU_ASSERT_STRING_EQUAL(s->name, "child");
    scenario_free(s);
    free(sub);
    free(lib);
    diag_free(d);
    teardown();
}

static void test_scenario__extends_chain_longer_than_256__is_an_error(void)
{
    setup();
    char name[32], text[64];
    for (int i = 0; i <= 256; i++) {
        snprintf(name, sizeof name, "f%d.cfg", i);
        snprintf(text, sizeof text, "extends = \"f%d.cfg\";\n", i + 1);
        put(name, i == 256 ? SIM : text);
    }
    diag *d = diag_alloc();
    scenario *s = NULL;
    CU_ASSERT_EQUAL(load("f0.cfg", &s, d), NCG_EXIT_SCENARIO);
    expect_msgs(d, 1, "@/f255.cfg:1: extends: more than 256 files in the chain");
    /* 256 files are fine */
    diag_clear(d);
    CU_ASSERT_EQUAL(load("f1.cfg", &s, d), 0);
    scenario_free(s);
    diag_free(d);
    teardown();
}

static void test_scenario__extends_not_a_string__is_an_error(void)
{
    setup();
    expect_one_error(SIM "extends = 5;\n", NCG_EXIT_SCENARIO,
                     "@/s.cfg:2: extends: expected a string, found an integer");
    expect_one_error(SIM "extends = \"\";\n", NCG_EXIT_SCENARIO,
                     "@/s.cfg:2: extends: must not be empty");
    teardown();
}

/* ---- --set ---- */

#define SET_BASE \
    "simulation = { steps = 4; };\n" \
    "params = { p_trump = { dist = \"beta\"; a = 8.0; b = 2.0; }; cut = 0.1; };\n" \
    "events = { trump = { p = \"p_trump\"; }; };\n" \
    "states = { troops = { init = \"28500\"; next = \"troops\"; }; };\n" \
    "derived = { risk = { value = \"trump * 2\"; label = \"Risk\"; }; gap = \"1\"; };\n"

static void test_scenario__set_forms__replace_create_and_type_values(void)
{
    setup();
    put("s.cfg", SET_BASE);
    const char *sets[] = {
        "params.p_trump.a=3",           /* dotted, existing leaf */
        "cut=0.25",                     /* bare param */
        "risk=trump * 3",               /* bare derived group: its value */
        "gap=2",                        /* bare derived string */
        "+params.new.deep=1e5",          /* new groups and leaf */
        "events.trump.kind=recurrent",  /* new leaf, a plain string */
        "+params.flag=true",
        "+params.neg=-0.5",
        "+params.huge=99999999999999999999",
        "+params.ex=1-2",
        "+params.empty=",
        "title=Title = with equals",    /* top-level by bare name */
        "simulation.sampler=lhs",
    };
    diag *d = diag_alloc();
    scenario *s = NULL;
    CU_ASSERT_EQUAL_FATAL(load_opts("s.cfg", sets, sizeof sets / sizeof *sets, NULL, &s, d), 0);
    const snode *a = snode_find(s->root, "params.p_trump.a");
    CU_ASSERT_EQUAL(a->type, SNODE_INT);
    CU_ASSERT_EQUAL(a->v.i, 3);
    CU_ASSERT_STRING_EQUAL(origin(s, "params.p_trump.a"), "--set");
    CU_ASSERT_STRING_EQUAL(kid_names(s, "params.p_trump"), "dist a b");
    CU_ASSERT_EQUAL(snode_find(s->root, "params.cut")->type, SNODE_FLOAT);
    CU_ASSERT_DOUBLE_EQUAL(num(s, "params.cut"), 0.25, 0);
    CU_ASSERT_STRING_EQUAL(str(s, "derived.risk.value"), "trump * 3");
    CU_ASSERT_STRING_EQUAL(str(s, "derived.risk.label"), "Risk");
    CU_ASSERT_EQUAL(snode_find(s->root, "derived.gap")->type, SNODE_INT);
    CU_ASSERT_EQUAL(snode_find(s->root, "params.new.deep")->type, SNODE_FLOAT);
    CU_ASSERT_DOUBLE_EQUAL(num(s, "params.new.deep"), 1e5, 0);
    CU_ASSERT_STRING_EQUAL(origin(s, "params.new"), "--set");
    CU_ASSERT_STRING_EQUAL(str(s, "events.trump.kind"), "recurrent");
    CU_ASSERT_EQUAL(snode_find(s->root, "params.flag")->type, SNODE_BOOL);
    CU_ASSERT_EQUAL(snode_find(s->root, "params.flag")->v.i, 1);
    CU_ASSERT_DOUBLE_EQUAL(num(s, "params.neg"), -0.5, 0);
    CU_ASSERT_STRING_EQUAL(str(s, "params.huge"), "99999999999999999999");
    CU_ASSERT_STRING_EQUAL(str(s, "params.ex"), "1-2");
    CU_ASSERT_STRING_EQUAL(str(s, "params.empty"), "");
    CU_ASSERT_STRING_EQUAL(s->title, "Title = with equals");
    CU_ASSERT_STRING_EQUAL(s->sim.sampler, "lhs");
    CU_ASSERT_STRING_EQUAL(kid_names(s, "params"), "p_trump cut new flag neg huge ex empty");
    scenario_free(s);
    diag_free(d);
    teardown();
}

static void test_scenario__set_bare_param_group__is_replaced_by_the_value(void)
{
    setup();
    put("s.cfg", SET_BASE);
    const char *sets[] = { "p_trump=0.4", "params.cut=cut_base * 2" };
    scenario *s = NULL;
    CU_ASSERT_EQUAL_FATAL(load_opts("s.cfg", sets, 2, NULL, &s, NULL), 0);
    CU_ASSERT_EQUAL(snode_find(s->root, "params.p_trump")->type, SNODE_FLOAT);
    CU_ASSERT_DOUBLE_EQUAL(num(s, "params.p_trump"), 0.4, 0);
    CU_ASSERT_STRING_EQUAL(str(s, "params.cut"), "cut_base * 2");
    scenario_free(s);
    teardown();
}

static void test_scenario__set_errors__are_reported_with_exact_text(void)
{
    setup();
    const char *sets[] = {
        "xyz", "=3", "a..b=1", ".a=1", "a.=1", "params.9x=1",
        "trump=0.5", "troops=3", "p_trunp=0.5", "zzz=1", "extends=x.cfg",
        "params.cut.a=1",
    };
    expect_set_errors(SET_BASE "params2 = { };\n", sets, sizeof sets / sizeof *sets, 13,
        "--set: 'xyz': expected PATH=VALUE",
        "--set: '=3': expected PATH=VALUE",
        "--set: 'a..b=1': expected PATH=VALUE",
        "--set: '.a=1': expected PATH=VALUE",
        "--set: 'a.=1': expected PATH=VALUE",
        "--set: params.9x: '9x' is not a valid setting name (a letter, then letters, digits, '_' or '-')",
        "--set: trump: is an event; set one of its settings, e.g. events.trump.p",
        "--set: troops: is a state; set one of its settings, e.g. states.troops.init or states.troops.next",
        "--set: p_trunp: no variable of that name in params, events, states or derived (did you mean 'p_trump'?)",
        "--set: zzz: no variable of that name in params, events, states or derived (to add a variable, write --set +params.zzz=...)",
        "--set: extends: cannot be set from the command line",
        "--set: params.cut.a: params.cut is a number, not a group",
        /* the checks still run after bad overrides */
        "@/s.cfg:6: params2: unknown setting (did you mean 'params'?)");
    teardown();
}

static void test_scenario__set_ambiguous_bare_name__lists_every_match(void)
{
    setup();
    const char *sets[] = { "x=2", "y=3" };
    expect_set_errors(SIM
        "params = { x = 1; y = 2; };\nderived = { x = \"1\"; };\n"
        "events = { y = { p = \"0\"; }; };\nstates = { y = { init = \"0\"; next = \"0\"; }; };\n",
        sets, 2, 2,
        "--set: x: ambiguous, could be params.x or derived.x; write the full path",
        "--set: y: ambiguous, could be params.y, events.y or states.y; write the full path");
    teardown();
}

static void test_scenario__set_value__that_breaks_a_check_is_blamed_on_set(void)
{
    setup();
    const char *sets[] = { "simulation.steps=0", "name=Bad" };
    expect_set_errors(SIM, sets, 2, 2,
        "--set: name: 'Bad' is not a valid name (use only a-z, 0-9, '_' and '-')",
        "--set: simulation.steps: must be at least 1, found 0");
    teardown();
}

/* --set simulation.seed takes every 64-bit seed as digits, exactly, and
 * nothing past it; a float past 2^53 is refused, since it is not exact. */
static void test_scenario__set_seed__is_exact_up_to_2_64_minus_1(void)
{
    static const struct { const char *set; uint64_t want; const char *err; } cases[] = {
        { "simulation.seed=9223372036854775807", UINT64_C(9223372036854775807), NULL },
        { "simulation.seed=9223372036854775808", UINT64_C(9223372036854775808), NULL },
        { "simulation.seed=18446744073709551614", UINT64_C(18446744073709551614), NULL },
        { "simulation.seed=18446744073709551615", UINT64_MAX, NULL },
        { "simulation.seed=18446744073709551616", 0,
          "--set: simulation.seed: must be at most 18446744073709551615, found 18446744073709551616" },
        { "simulation.seed=18446744073709553663", 0,
          "--set: simulation.seed: must be at most 18446744073709551615, found 18446744073709553663" },
        { "simulation.seed=9007199254740993.0", 0,
          "--set: simulation.seed: 9007199254740992.0 is past 2^53, where a number with a point or an exponent is not exact; write its digits (as a string past 2^63)" },
        { "simulation.seed=1e3", 1000, NULL },
    };
    setup();
    put("s.cfg", SIM);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scenario *s = NULL;
        diag *d = diag_alloc();
        int rc = load_opts("s.cfg", &cases[i].set, 1, NULL, &s, d);
        if (cases[i].err) {
            CU_ASSERT_EQUAL(rc, NCG_EXIT_SCENARIO);
            expect_msgs(d, 1, cases[i].err);
        } else {
            CU_ASSERT_EQUAL_FATAL(rc, 0);
            CU_ASSERT_EQUAL(s->sim.seed, cases[i].want);
        }
        scenario_free(s);
        diag_free(d);
    }
    teardown();
}

static void test_scenario__trials_and_seed_options__override_after_set(void)
{
    setup();
    put("s.cfg", "simulation = { steps = 4; trials = 50; seed = 9; };\n");
    const char *sets[] = { "simulation.trials=70" };
    scenario_opts o = { .has_trials = 1, .trials = 5, .has_seed = 1, .seed = UINT64_MAX };
    scenario *s = NULL;
    diag *d = diag_alloc();
    CU_ASSERT_EQUAL_FATAL(load_opts("s.cfg", sets, 1, &o, &s, d), 0);
    CU_ASSERT_EQUAL(s->sim.trials, 5);
    CU_ASSERT_EQUAL(s->sim.seed, UINT64_MAX);
    CU_ASSERT_STRING_EQUAL(origin(s, "simulation.trials"), "--trials");
    CU_ASSERT_STRING_EQUAL(origin(s, "simulation.seed"), "--seed");
    scenario_free(s);
    scenario_opts bad = { .has_trials = 1, .trials = 0 };
    CU_ASSERT_EQUAL(load_opts("s.cfg", NULL, 0, &bad, &s, d), NCG_EXIT_SCENARIO);
    expect_msgs(d, 1, "--trials: simulation.trials: must be at least 1, found 0");
    diag_free(d);
    teardown();
}

/* ---- top level ---- */

static void test_scenario__unknown_top_level_setting__suggests_the_closest(void)
{
    setup();
    expect_one_error(SIM "titel = \"x\";\n", NCG_EXIT_SCENARIO,
                     "@/s.cfg:2: titel: unknown setting (did you mean 'title'?)");
    expect_one_error(SIM "colour = \"x\";\n", NCG_EXIT_SCENARIO,
                     "@/s.cfg:2: colour: unknown setting (expected one of name, title, "
                     "description, extends, simulation, params, events, states, derived, outputs, "
                     "outputs_add, correlations, observations)");
    teardown();
}

static void test_scenario__top_level_checks__give_exact_messages(void)
{
    static const struct { const char *text, *msg; } cases[] = {
        { "title = 5.0;", "@/s.cfg:2: title: expected a string, found a number" },
        { "title = \"two\\nlines\";", "@/s.cfg:2: title: must be one line" },
        { "description = true;", "@/s.cfg:2: description: expected a string, found a boolean" },
        { "name = \"Bad Name\";", "@/s.cfg:2: name: 'Bad Name' is not a valid name (use only a-z, 0-9, '_' and '-')" },
        { "name = \"\";", "@/s.cfg:2: name: '' is not a valid name (use only a-z, 0-9, '_' and '-')" },
        { "name = \"..\";", "@/s.cfg:2: name: '..' is not a valid name (use only a-z, 0-9, '_' and '-')" },
        { "name = \"a/b\";", "@/s.cfg:2: name: 'a/b' is not a valid name (use only a-z, 0-9, '_' and '-')" },
        { "outputs = \"x\";", "@/s.cfg:2: outputs: expected an array of strings, found a string" },
        { "outputs = (\"x\");", "@/s.cfg:2: outputs: expected an array of strings, found a list" },
        { "outputs = [\"a\", \"b\"];\noutputs2 = 1;", "@/s.cfg:3: outputs2: unknown setting (did you mean 'outputs'?)" },
        { "outputs = [1, 2];", "@/s.cfg:2: outputs: expected an array of strings, found an array of which element 1 is an integer" },
        { "params = 5;", "@/s.cfg:2: params: expected a group, found an integer" },
        { "events = [1];", "@/s.cfg:2: events: expected a group, found an array" },
        { "states = \"x\";", "@/s.cfg:2: states: expected a group, found a string" },
        { "derived = ();", "@/s.cfg:2: derived: expected a group, found a list" },
        { "params = { x = 1e999; };", "@/s.cfg:2: params.x: number is too large" },
    };
    setup();
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[512];
        snprintf(text, sizeof text, SIM "%s\n", cases[i].text);
        expect_one_error(text, NCG_EXIT_SCENARIO, cases[i].msg);
    }
    teardown();
}

static void test_scenario__several_problems__are_all_reported(void)
{
    setup();
    diag *d = diag_alloc();
    scenario *s = NULL;
    put("s.cfg", "simulation = { steps = 0; sampler = \"x\"; };\ntitel = 1;\nparams = 2;\n");
    CU_ASSERT_EQUAL(load("s.cfg", &s, d), NCG_EXIT_SCENARIO);
    expect_msgs(d, 4,
        "@/s.cfg:2: titel: unknown setting (did you mean 'title'?)",
        "@/s.cfg:3: params: expected a group, found an integer",
        "@/s.cfg:1: simulation.steps: must be at least 1, found 0",
        "@/s.cfg:1: simulation.sampler: unknown sampler 'x' (expected one of mc, lhs, sobol)");
    diag_free(d);
    teardown();
}

static void test_scenario__file_name_that_is_no_valid_name__asks_for_a_name(void)
{
    setup();
    put("My File.cfg", SIM);
    diag *d = diag_alloc();
    scenario *s = NULL;
    CU_ASSERT_EQUAL(load("My File.cfg", &s, d), NCG_EXIT_SCENARIO);
    expect_msgs(d, 1, "@/My File.cfg: name: 'My File' (from the file name) is not a valid "
                      "name; add name = \"...\"; to the file (use only a-z, 0-9, '_' and '-')");
    put("My File.cfg", "name = \"mine\";\n" SIM);
    diag_clear(d);
    CU_ASSERT_EQUAL(load("My File.cfg", &s, d), 0);
    CU_ASSERT_STRING_EQUAL(s->name, "mine");
    CU_ASSERT_STRING_EQUAL(s->title, "mine");
    scenario_free(s);
    diag_free(d);
    teardown();
}

static void test_scenario__syntax_error__names_file_and_line(void)
{
    setup();
    expect_one_error("a = 1;\nb = ;\n", NCG_EXIT_SCENARIO, "@/s.cfg:2: syntax error");
    expect_one_error("a = 1;\na = 2;\n", NCG_EXIT_SCENARIO,
                     "@/s.cfg:2: syntax error: duplicate setting name");
    teardown();
}

static void test_scenario__integer_past_32_bits__is_not_wrapped_silently(void)
{
    setup();
    expect_one_error("simulation = { steps = 4;\n trials = 3000000000; };\n", NCG_EXIT_SCENARIO,
                     "@/s.cfg:2: integer 3000000000 does not fit in 32 bits "
                     "(write 3000000000L for a 64-bit integer)");
    expect_one_error(SIM "params = { x = -99999999999999999999L; };\n", NCG_EXIT_SCENARIO,
                     "@/s.cfg:2: integer -99999999999999999999L does not fit in 64 bits");
    expect_one_error(SIM "params = { x = 0x100000000; };\n", NCG_EXIT_SCENARIO,
                     "@/s.cfg:2: integer 0x100000000 does not fit in 32 bits "
                     "(write 0x100000000L for a 64-bit integer)");
    /* numbers in comments, strings and names, and wide literals, are fine */
    scenario *s = load_ok("# 3000000000\n/* 4000000000\n */ title = \"5000000000 \\\" 6000000000\";\n"
                          "simulation = { steps = 4; trials = 3000000000L; seed = 2147483647; };\n"
                          "params = { a-3000000000 = -2147483648; b = 1.5e300; c = 3000000000.0; };\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->sim.trials, 3000000000u);
    CU_ASSERT_EQUAL(snode_find(s->root, "params.a-3000000000")->v.i, INT32_MIN);
    scenario_free(s);
    teardown();
}

/* ---- simulation ---- */

static void test_scenario__simulation_checks__give_exact_messages(void)
{
    static const struct { const char *text, *msg; } cases[] = {
        { "params = { };", "@/s.cfg: simulation: missing; it must set at least steps (the number of time steps)" },
        { "simulation = 5;", "@/s.cfg:1: simulation: expected a group, found an integer" },
        { "simulation = { trials = 5; };", "@/s.cfg:1: simulation.steps: missing; set the number of time steps (at least 1)" },
        { "simulation = { steps = 4; trails = 5; };", "@/s.cfg:1: simulation.trails: unknown setting (did you mean 'trials'?)" },
        { "simulation = { steps = 4; colour = 5; };", "@/s.cfg:1: simulation.colour: unknown setting (expected one of trials, steps, step, start, seed, sampler)" },
        { "simulation = { steps = 4; trials = 0; };", "@/s.cfg:1: simulation.trials: must be at least 1, found 0" },
        { "simulation = { steps = 4; trials = -5; };", "@/s.cfg:1: simulation.trials: must be at least 1, found -5" },
        { "simulation = { steps = 4; trials = 2.5; };", "@/s.cfg:1: simulation.trials: must be an integer, found 2.5" },
        { "simulation = { steps = 4; trials = 2e12; };", "@/s.cfg:1: simulation.trials: must be at most 1000000000000, found 2000000000000.0" },
        { "simulation = { steps = 4; trials = 1000000000001L; };", "@/s.cfg:1: simulation.trials: must be at most 1000000000000, found 1000000000001" },
        { "simulation = { steps = 4; trials = \"many\"; };", "@/s.cfg:1: simulation.trials: expected an integer, found a string" },
        { "simulation = { steps = 4; trials = true; };", "@/s.cfg:1: simulation.trials: expected an integer, found a boolean" },
        { "simulation = { steps = 0; };", "@/s.cfg:1: simulation.steps: must be at least 1, found 0" },
        { "simulation = { steps = 100001; };", "@/s.cfg:1: simulation.steps: must be at most 100000, found 100001" },
        { "simulation = { steps = [4]; };", "@/s.cfg:1: simulation.steps: expected an integer, found an array" },
        { "simulation = { steps = 4; step = \"quartr\"; };", "@/s.cfg:1: simulation.step: unknown unit 'quartr' (did you mean 'quarter'?)" },
        { "simulation = { steps = 4; step = \"weeks\"; };", "@/s.cfg:1: simulation.step: unknown unit 'weeks' (expected one of quarter, month, year, step)" },
        { "simulation = { steps = 4; step = 4; };", "@/s.cfg:1: simulation.step: expected a string, found an integer" },
        { "simulation = { steps = 4; start = \"2025\"; };", "@/s.cfg:1: simulation.start: has no meaning with step = \"step\"; set step to \"quarter\", \"month\" or \"year\"" },
        { "simulation = { steps = 4; step = \"quarter\"; start = 2025; };", "@/s.cfg:1: simulation.start: expected a string, found an integer" },
        { "simulation = { steps = 4; step = \"quarter\"; start = \"2025-01\"; };", "@/s.cfg:1: simulation.start: '2025-01' is not a quarter label like 2025Q1 (year 1-9999, quarter 1-4)" },
        { "simulation = { steps = 4; step = \"quarter\"; start = \"2025Q5\"; };", "@/s.cfg:1: simulation.start: '2025Q5' is not a quarter label like 2025Q1 (year 1-9999, quarter 1-4)" },
        { "simulation = { steps = 4; step = \"quarter\"; start = \"2025Q1x\"; };", "@/s.cfg:1: simulation.start: '2025Q1x' is not a quarter label like 2025Q1 (year 1-9999, quarter 1-4)" },
        { "simulation = { steps = 4; step = \"month\"; start = \"2025-13\"; };", "@/s.cfg:1: simulation.start: '2025-13' is not a month label like 2025-01 (year 1-9999, month 01-12)" },
        { "simulation = { steps = 4; step = \"month\"; start = \"2025-1\"; };", "@/s.cfg:1: simulation.start: '2025-1' is not a month label like 2025-01 (year 1-9999, month 01-12)" },
        { "simulation = { steps = 4; step = \"month\"; start = \"2025Q1\"; };", "@/s.cfg:1: simulation.start: '2025Q1' is not a month label like 2025-01 (year 1-9999, month 01-12)" },
        { "simulation = { steps = 4; step = \"year\"; start = \"0\"; };", "@/s.cfg:1: simulation.start: '0' is not a year label like 2025 (year 1-9999)" },
        { "simulation = { steps = 4; step = \"year\"; start = \"10000\"; };", "@/s.cfg:1: simulation.start: '10000' is not a year label like 2025 (year 1-9999)" },
        { "simulation = { steps = 4; step = \"year\"; start = \"\"; };", "@/s.cfg:1: simulation.start: '' is not a year label like 2025 (year 1-9999)" },
        { "simulation = { steps = 4; seed = -1; };", "@/s.cfg:1: simulation.seed: must be at least 0, found -1" },
        { "simulation = { steps = 4; seed = 1.5; };", "@/s.cfg:1: simulation.seed: must be an integer, found 1.5" },
        { "simulation = { steps = 4; seed = 2e19; };", "@/s.cfg:1: simulation.seed: must be at most 18446744073709551615, found 2e+19" },
        { "simulation = { steps = 4; seed = \"18446744073709551616\"; };", "@/s.cfg:1: simulation.seed: must be at most 18446744073709551615, found 18446744073709551616" },
        { "simulation = { steps = 4; seed = \"12a\"; };", "@/s.cfg:1: simulation.seed: expected an integer, found a string" },
        { "simulation = { steps = 4; sampler = \"lsh\"; };", "@/s.cfg:1: simulation.sampler: unknown sampler 'lsh' (did you mean 'lhs'?)" },
        { "simulation = { steps = 4; sampler = \"random\"; };", "@/s.cfg:1: simulation.sampler: unknown sampler 'random' (expected one of mc, lhs, sobol)" },
    };
    setup();
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[512];
        snprintf(text, sizeof text, "%s\n", cases[i].text);
        expect_one_error(text, NCG_EXIT_SCENARIO, cases[i].msg);
    }
    teardown();
}

static void test_scenario__simulation_defaults__are_filled_in_and_written(void)
{
    setup();
    scenario *s = load_ok("simulation = { steps = 12; };\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->sim.trials, 10000);
    CU_ASSERT_EQUAL(s->sim.steps, 12);
    CU_ASSERT_STRING_EQUAL(s->sim.step_unit, "step");
    CU_ASSERT_EQUAL(s->sim.has_start, 0);
    CU_ASSERT_EQUAL(s->sim.seed, 1);
    CU_ASSERT_STRING_EQUAL(s->sim.sampler, "mc");
    CU_ASSERT_STRING_EQUAL(kid_names(s, "simulation"), "steps trials step seed sampler");
    CU_ASSERT_STRING_EQUAL(origin(s, "simulation.seed"), "default");
    scenario_free(s);
    teardown();
}

static void test_scenario__simulation_values__are_read(void)
{
    static const struct { const char *text; uint64_t trials, seed; const char *unit; int year, sub; } cases[] = {
        { "trials = 1e6; step = \"month\"; start = \"2025-03\"; seed = 0; sampler = \"sobol\";", 1000000, 0, "month", 2025, 3 },
        { "trials = 1000000000000L; step = \"quarter\"; start = \"1Q4\"; seed = 9223372036854775807L;", 1000000000000u, INT64_MAX, "quarter", 1, 4 },
        { "step = \"year\"; start = \"9999\"; seed = \"18446744073709551615\";", 10000, UINT64_MAX, "year", 9999, 0 },
    };
    setup();
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[512];
        snprintf(text, sizeof text, "simulation = { steps = 3; %s };\n", cases[i].text);
        scenario *s = load_ok(text);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_EQUAL(s->sim.trials, cases[i].trials);
        CU_ASSERT_EQUAL(s->sim.seed, cases[i].seed);
        CU_ASSERT_STRING_EQUAL(s->sim.step_unit, cases[i].unit);
        CU_ASSERT_EQUAL(s->sim.has_start, 1);
        CU_ASSERT_EQUAL(s->sim.start_year, cases[i].year);
        CU_ASSERT_EQUAL(s->sim.start_sub, cases[i].sub);
        scenario_free(s);
    }
    teardown();
}

/* ---- writing ---- */

/* 1 when trees A and B hold the same names, types and values (floats bit
 * for bit, so -0.0 differs from 0.0). */
static int same_tree(const snode *a, const snode *b)
{
    if (a->type != b->type || a->n_kids != b->n_kids ||
        (a->name == NULL) != (b->name == NULL) || (a->name && strcmp(a->name, b->name)))
        return 0;
    if (a->type == SNODE_FLOAT && memcmp(&a->v.f, &b->v.f, sizeof a->v.f) != 0)
        return 0;
    if ((a->type == SNODE_INT || a->type == SNODE_BOOL) && a->v.i != b->v.i)
        return 0;
    if (a->type == SNODE_STRING && strcmp(a->v.s, b->v.s) != 0)
        return 0;
    for (size_t i = 0; i < a->n_kids; i++)
        if (!same_tree(a->kids[i], b->kids[i]))
            return 0;
    return 1;
}

#define ROUND_TRIP \
    "name = \"rt\";\n" \
    "simulation = { steps = 4; step = \"quarter\"; start = \"2025Q1\"; seed = \"18446744073709551615\"; };\n" \
    "params = {\n" \
    "  tenth = 0.1; third = 0.333333333333333314829616256247390992939472198486328125;\n" \
    "  tiny = 1e-300; avogadro = 6.02e23; negzero = -0.0; troops = 28500.0;\n" \
    "  sub = 4.9406564584124654e-324; big = 1.7976931348623157e308;\n" \
    "  i = -7; wide = 5000000000L; imin = -9223372036854775808L; imax = 9223372036854775807L;\n" \
    "  marker = -9223372036854775807L;\n" \
    "  s = \"quote \\\" backslash \\\\ newline \\n tab \\t bell \\x07 \\xc3\\xa9\";\n" \
    "  yes = true; no = false;\n" \
    "  fa = [0.1, 2.0, -0.0]; ia = [1, 2]; wa = [5000000000L, 1L]; sa = [\"a\", \"b\"]; ea = [];\n" \
    "  l = ( { x = 1.5; }, [1, 2], \"s\", (), 2.5 ); eg = { };\n" \
    "};\n"

static void test_scenario__write_then_load__gives_the_same_tree(void)
{
    setup();
    put("rt.cfg", ROUND_TRIP);
    scenario *s = NULL, *s2 = NULL;
    diag *d = diag_alloc();
    CU_ASSERT_EQUAL_FATAL(load("rt.cfg", &s, d), 0);
    char *text = scenario_text(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    put("back.cfg", text);
    CU_ASSERT_EQUAL_FATAL(load("back.cfg", &s2, d), 0);
    expect_msgs(d, 0);
    CU_ASSERT(same_tree(s->root, s2->root));
    CU_ASSERT_EQUAL(snode_find(s2->root, "params.troops")->type, SNODE_FLOAT);
    CU_ASSERT(signbit(num(s2, "params.negzero")));
    CU_ASSERT_DOUBLE_EQUAL(num(s2, "params.third"), 1 / 3.0, 0);
    CU_ASSERT_EQUAL(s2->sim.seed, UINT64_MAX);
    /* writing is deterministic, and the written text is a fixed point */
    char *again = scenario_text(s);
    char *text2 = scenario_text(s2);
    CU_ASSERT_STRING_EQUAL(again, text);
    CU_ASSERT_STRING_EQUAL(text2, text);
    /* floats keep their shortest exact spelling */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "tenth = 0.1;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "troops = 28500.0;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "negzero = -0.0;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "marker = -9223372036854775807L;"));
    free(text);
    free(again);
    free(text2);
    scenario_free(s);
    scenario_free(s2);
    diag_free(d);
    teardown();
}

static void test_scenario__write__puts_header_comments_first(void)
{
    setup();
    scenario *s = load_ok("name = \"h\";\nsimulation = { steps = 2; };\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CU_ASSERT_EQUAL(scenario_write(s, "ncgsim 0.1.0\n# already a comment\n\nlast", f), 0);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(buf,
        "# ncgsim 0.1.0\n"
        "# already a comment\n"
        "#\n"
        "# last\n"
        "name = \"h\";\n"
        "title = \"h\";\n"
        "simulation = {\n"
        "  steps = 2;\n"
        "  trials = 10000;\n"
        "  step = \"step\";\n"
        "  seed = 1;\n"
        "  sampler = \"mc\";\n"
        "};\n");
    free(buf);
    scenario_free(s);
    teardown();
}

static void test_scenario__show__prints_each_value_with_its_origin(void)
{
    setup();
    put("base.cfg", "simulation = { steps = 2; };\nparams = { a = [1.0, 2.5]; s = \"q\\\"\"; };\n");
    put("s.cfg", "extends = \"base.cfg\";\nderived = { l = ( 1, { x = true; } ); e = { }; };\n");
    const char *sets[] = { "+params.b=3" };
    scenario *s = NULL;
    CU_ASSERT_EQUAL_FATAL(load_opts("s.cfg", sets, 1, NULL, &s, NULL), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CU_ASSERT_EQUAL(scenario_show(s, f), 0);
    fclose(f);
    char *want = expand(
        "name = \"s\"    # default\n"
        "title = \"s\"    # default\n"
        "simulation.steps = 2    # @/base.cfg:1\n"
        "simulation.trials = 10000    # default\n"
        "simulation.step = \"step\"    # default\n"
        "simulation.seed = 1    # default\n"
        "simulation.sampler = \"mc\"    # default\n"
        "params.a = [1.0, 2.5]    # @/base.cfg:2\n"
        "params.s = \"q\\\"\"    # @/base.cfg:2\n"
        "params.b = 3    # --set\n"
        "derived.l[0] = 1    # @/s.cfg:2\n"
        "derived.l[1].x = true    # @/s.cfg:2\n"
        "derived.e = {}    # @/s.cfg:2\n");
    CU_ASSERT_STRING_EQUAL(buf, want);
    free(want);
    free(buf);
    scenario_free(s);
    teardown();
}

static void test_scenario__include__is_relative_to_the_file(void)
{
    setup();
    char *sub = at("sub");
    mkdir(sub, 0700);
    put("sub/inc.cfg", "params = { p = 1; };\n");
    put("sub/s.cfg", SIM "@include \"inc.cfg\"\n");
    scenario *s = NULL;
    CU_ASSERT_EQUAL_FATAL(load("sub/s.cfg", &s, NULL), 0);
    CU_ASSERT_STRING_EQUAL(origin(s, "params.p"), "@/sub/inc.cfg:1");
    scenario_free(s);
    put("sub/inc.cfg", "params = { p = ; };\n");
    diag *d = diag_alloc();
    CU_ASSERT_EQUAL(load("sub/s.cfg", &s, d), NCG_EXIT_SCENARIO);
    expect_msgs(d, 1, "@/sub/inc.cfg:1: syntax error");
    diag_free(d);
    free(sub);
    teardown();
}

/* Nothing but a regular file is opened for reading: a FIFO would block
 * forever, as the top file, a parent or an include. */
static void test_scenario__non_regular_files__are_refused_without_blocking(void)
{
    setup();
    char *fifo = at("pipe.cfg");
    CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
    put("inc.cfg", SIM "@include \"pipe.cfg\"\n");
    put("ext.cfg", SIM "extends = \"pipe.cfg\";\n");
    put("stdin.cfg", SIM "\n@include \"/dev/stdin\"\n");
    scenario *s = NULL;
    diag *d = diag_alloc();
    CU_ASSERT_EQUAL(load("pipe.cfg", &s, d), NCG_EXIT_IO);
    CU_ASSERT_EQUAL(load("inc.cfg", &s, d), NCG_EXIT_IO);
    CU_ASSERT_EQUAL(load("ext.cfg", &s, d), NCG_EXIT_IO);
    struct stat st;
    int tty = stat("/dev/stdin", &st) == 0 && !S_ISREG(st.st_mode);
    if (tty)
        CU_ASSERT_EQUAL(load("stdin.cfg", &s, d), NCG_EXIT_IO);
    CU_ASSERT_EQUAL(diag_count(d), tty ? 4u : 3u);
    expect_msg_at(d, 0, "@/pipe.cfg: cannot read: not a regular file");
    expect_msg_at(d, 1, "@/inc.cfg:2: @include: cannot read '@/pipe.cfg': not a regular file");
    expect_msg_at(d, 2, "@/ext.cfg:2: extends: cannot read '@/pipe.cfg': not a regular file");
    if (tty)
        expect_msg_at(d, 3, "@/stdin.cfg:3: @include: cannot read '/dev/stdin': not a regular file");
    diag_free(d);
    free(fifo);
    teardown();
}

/* An absolute @include is used as it is, however the including file was
 * named (libconfig alone would put the including folder in front). */
static void test_scenario__absolute_include__does_not_depend_on_the_spelling(void)
{
    setup();
    char *sub = at("sub");
    mkdir(sub, 0700);
    put("sub/inc.cfg", "params = { p = 2; };\n");
    put("inc.cfg", "params = { p = 1; };\n");
    char text[4096];
    snprintf(text, sizeof text, SIM "@include \"%s/sub/inc.cfg\"\n", dir);
    put("main.cfg", text);
    char *cwd = getcwd(NULL, 0);
    CU_ASSERT_EQUAL_FATAL(chdir(dir), 0);
    const char *spellings[] = { "main.cfg", "./main.cfg", "../" };
    for (size_t i = 0; i < 3; i++) {
        char path[4096];
        if (i == 2)
            snprintf(path, sizeof path, "../%s/main.cfg", strrchr(dir, '/') + 1);
        else
            snprintf(path, sizeof path, "%s", spellings[i]);
        scenario *s = NULL;
        CU_ASSERT_EQUAL_FATAL(scenario_load(path, NULL, &s, NULL), 0);
        double v = 0;
        CU_ASSERT(snode_number(snode_find(s->root, "params.p"), &v) && v == 2.0);
        scenario_free(s);
    }
    CU_ASSERT_EQUAL(chdir(cwd), 0);
    free(cwd);
    free(sub);
    teardown();
}

/* The group-size guard sees the text after @includes: 200,000 settings in
 * one included group are refused at once, not after minutes in libconfig. */
static void test_scenario__huge_included_group__is_refused_at_once(void)
{
    setup();
    size_t n = 200000;
    char *big = malloc(n * 16 + 64), *o = big;
    o += sprintf(o, "params = {\n");
    for (size_t i = 0; i < n; i++)
        o += sprintf(o, "p%zu = 1;\n", i);
    sprintf(o, "};\n");
    put("big.inc", big);
    free(big);
    put("main.cfg", SIM "@include \"big.inc\"\n");
    scenario *s = NULL;
    diag *d = diag_alloc();
    CU_ASSERT_EQUAL(load("main.cfg", &s, d), NCG_EXIT_SCENARIO);
    expect_msgs(d, 1, "@/big.inc:20002: more than 20000 settings in one group");
    diag_free(d);
    teardown();
}

/* ---- small helpers ---- */

static void test_scenario__step_labels__count_from_the_period_before_start(void)
{
    static const struct { const char *unit; int has_start, year, sub; uint32_t t; const char *want; } cases[] = {
        { "quarter", 1, 2025, 1, 0, "2024Q4" },
        { "quarter", 1, 2025, 1, 1, "2025Q1" },
        { "quarter", 1, 2025, 1, 4, "2025Q4" },
        { "quarter", 1, 2025, 1, 5, "2026Q1" },
        { "quarter", 1, 2025, 3, 3, "2026Q1" },
        { "month", 1, 2025, 1, 0, "2024-12" },
        { "month", 1, 2025, 1, 1, "2025-01" },
        { "month", 1, 2025, 11, 3, "2026-01" },
        { "year", 1, 2025, 0, 0, "2024" },
        { "year", 1, 2025, 0, 3, "2027" },
        { "quarter", 0, 0, 0, 7, "7" },
        { "step", 0, 0, 0, 0, "0" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        scenario_sim sim = { .steps = 10, .has_start = cases[i].has_start,
                             .start_year = cases[i].year, .start_sub = cases[i].sub };
        strcpy(sim.step_unit, cases[i].unit);
        char buf[32];
        scenario_step_label(&sim, cases[i].t, buf, sizeof buf);
        CU_ASSERT_STRING_EQUAL(buf, cases[i].want);
    }
    scenario_sim sim = { .steps = 1, .has_start = 1, .start_year = 2025, .start_sub = 1 };
    strcpy(sim.step_unit, "quarter");
    char small[4] = "xxx";
    scenario_step_label(&sim, 1, small, sizeof small);
    CU_ASSERT_STRING_EQUAL(small, "202");
}

static void test_scenario__snode_helpers__answer_for_every_type(void)
{
    snode kids[7] = {
        { .name = "i", .type = SNODE_INT, .v.i = 3 },
        { .name = "f", .type = SNODE_FLOAT, .v.f = 2.5 },
        { .name = "s", .type = SNODE_STRING, .v.s = "x" },
        { .name = "b", .type = SNODE_BOOL, .v.i = 1 },
        { .name = "g", .type = SNODE_GROUP },
        { .name = "a", .type = SNODE_ARRAY },
        { .name = "l", .type = SNODE_LIST },
    };
    snode *ptrs[7];
    for (int i = 0; i < 7; i++)
        ptrs[i] = &kids[i];
    snode root = { .type = SNODE_GROUP, .kids = ptrs, .n_kids = 7 };
    snode top = { .type = SNODE_GROUP, .kids = (snode *[]){ &root }, .n_kids = 1 };
    root.name = "r";
    static const char *names[] = { "an integer", "a number", "a string", "a boolean",
                                   "a group", "an array", "a list" };
    for (int i = 0; i < 7; i++)
        CU_ASSERT_STRING_EQUAL(snode_type_name(&kids[i]), names[i]);
    CU_ASSERT_PTR_EQUAL(snode_get(&root, "s"), &kids[2]);
    CU_ASSERT_PTR_NULL(snode_get(&root, "zz"));
    CU_ASSERT_PTR_NULL(snode_get(NULL, "s"));
    CU_ASSERT_PTR_NULL(snode_get(&kids[0], "s"));
    CU_ASSERT_PTR_EQUAL(snode_find(&top, "r.f"), &kids[1]);
    CU_ASSERT_PTR_NULL(snode_find(&top, "r.f.x"));
    CU_ASSERT_PTR_NULL(snode_find(&top, "r.zz"));
    double v = 0;
    CU_ASSERT(snode_number(&kids[0], &v) && v == 3.0);
    CU_ASSERT(snode_number(&kids[1], &v) && v == 2.5);
    CU_ASSERT(!snode_number(&kids[2], &v));
    CU_ASSERT(!snode_number(NULL, &v));
    scenario_free(NULL);
}

void test_scenario_register(void);
void test_scenario_register(void)
{
    static const test_case cases[] = {
        { "extends_chain_of_three__merges_groups_and_replaces_values", test_scenario__extends_chain_of_three__merges_groups_and_replaces_values },
        { "extends__a_nested_group_merges_recursively", test_scenario__extends__a_nested_group_merges_recursively },
        { "extends__name_title_description_are_never_inherited", test_scenario__extends__name_title_description_are_never_inherited },
        { "extends__new_dist_redefines_and_outputs_add_appends", test_scenario__extends__new_dist_redefines_and_outputs_add_appends },
        { "extends_cycle_of_two__names_the_files", test_scenario__extends_cycle_of_two__names_the_files },
        { "extends_cycle_of_three__is_found_by_real_path", test_scenario__extends_cycle_of_three__is_found_by_real_path },
        { "extends_itself__is_a_cycle", test_scenario__extends_itself__is_a_cycle },
        { "extends_missing_parent__is_an_io_error_at_the_setting", test_scenario__extends_missing_parent__is_an_io_error_at_the_setting },
        { "missing_file__is_an_io_error", test_scenario__missing_file__is_an_io_error },
        { "a_folder_given_as_file__cannot_be_read", test_scenario__a_folder_given_as_file__cannot_be_read },
        { "extends__is_relative_to_the_including_file", test_scenario__extends__is_relative_to_the_including_file },
        { "extends_chain_longer_than_256__is_an_error", test_scenario__extends_chain_longer_than_256__is_an_error },
        { "extends_not_a_string__is_an_error", test_scenario__extends_not_a_string__is_an_error },
        { "set_forms__replace_create_and_type_values", test_scenario__set_forms__replace_create_and_type_values },
        { "set_bare_param_group__is_replaced_by_the_value", test_scenario__set_bare_param_group__is_replaced_by_the_value },
        { "set_errors__are_reported_with_exact_text", test_scenario__set_errors__are_reported_with_exact_text },
        { "set_ambiguous_bare_name__lists_every_match", test_scenario__set_ambiguous_bare_name__lists_every_match },
        { "set_value__that_breaks_a_check_is_blamed_on_set", test_scenario__set_value__that_breaks_a_check_is_blamed_on_set },
        { "set_seed__is_exact_up_to_2_64_minus_1", test_scenario__set_seed__is_exact_up_to_2_64_minus_1 },
        { "trials_and_seed_options__override_after_set", test_scenario__trials_and_seed_options__override_after_set },
        { "unknown_top_level_setting__suggests_the_closest", test_scenario__unknown_top_level_setting__suggests_the_closest },
        { "top_level_checks__give_exact_messages", test_scenario__top_level_checks__give_exact_messages },
        { "several_problems__are_all_reported", test_scenario__several_problems__are_all_reported },
        { "file_name_that_is_no_valid_name__asks_for_a_name", test_scenario__file_name_that_is_no_valid_name__asks_for_a_name },
        { "syntax_error__names_file_and_line", test_scenario__syntax_error__names_file_and_line },
        { "integer_past_32_bits__is_not_wrapped_silently", test_scenario__integer_past_32_bits__is_not_wrapped_silently },
        { "simulation_checks__give_exact_messages", test_scenario__simulation_checks__give_exact_messages },
        { "simulation_defaults__are_filled_in_and_written", test_scenario__simulation_defaults__are_filled_in_and_written },
        { "simulation_values__are_read", test_scenario__simulation_values__are_read },
        { "write_then_load__gives_the_same_tree", test_scenario__write_then_load__gives_the_same_tree },
        { "write__puts_header_comments_first", test_scenario__write__puts_header_comments_first },
        { "show__prints_each_value_with_its_origin", test_scenario__show__prints_each_value_with_its_origin },
        { "include__is_relative_to_the_file", test_scenario__include__is_relative_to_the_file },
        { "non_regular_files__are_refused_without_blocking", test_scenario__non_regular_files__are_refused_without_blocking },
        { "absolute_include__does_not_depend_on_the_spelling", test_scenario__absolute_include__does_not_depend_on_the_spelling },
        { "huge_included_group__is_refused_at_once", test_scenario__huge_included_group__is_refused_at_once },
        { "step_labels__count_from_the_period_before_start", test_scenario__step_labels__count_from_the_period_before_start },
        { "snode_helpers__answer_for_every_type", test_scenario__snode_helpers__answer_for_every_type },
    };
    TEST_SUITE("scenario", cases);
}

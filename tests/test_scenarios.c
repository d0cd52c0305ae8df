/* test_scenarios.c: the shipped alliance scenarios check, run, and move the
 * way the model says they should (paired differences, common random numbers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"

/* NCGSIM_BIN (e.g. the sanitizer build) when set: expanded by the shell
 * that test_run starts. */
#define BIN "\"${NCGSIM_BIN:-./ncgsim}\""

static void test_scenarios__every_shipped_file__passes_check(void)
{
    char *out = NULL;
    int rc = test_run(BIN " check scenarios scenarios/from_today scenarios/record/forecast_2027.cfg "
                      "scenarios/record/backtest.cfg scenarios/first_edition/current_course.cfg "
                      "scenarios/first_edition/first_edition_record.cfg "
                      "scenarios/examples bench/reference.cfg",
                      &out);
    if (rc != 0)
        fprintf(stderr, "\n%s\n", out ? out : "");
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NULL(out ? strstr(out, "failed") : NULL);
    free(out);
}

/* Splits one CSV line into at most MAX fields (quotes handled; the line is
 * modified in place). Returns the number of fields. */
static size_t csv_fields(char *line, char **f, size_t max)
{
    /* Unquoting only shortens text, so the write pointer never passes the
     * read pointer. */
    size_t n = 0;
    char *r = line, *w = line;
    while (n < max) {
        f[n++] = w;
        if (*r == '"') {
            r++;
            while (*r) {
                if (*r == '"' && r[1] == '"') {
                    *w++ = '"';
                    r += 2;
                } else if (*r == '"') {
                    r++;
                    break;
                } else {
                    *w++ = *r++;
                }
            }
        }
        while (*r && *r != ',')
            *w++ = *r++;
        int more = *r == ',';
        *w++ = '\0';
        if (!more)
            break;
        r++;
    }
    return n;
}

/* The paired 95% interval of VARIABLE in SCENARIO from compare.csv TEXT. */
static int diff_interval(const char *text, const char *scenario,
                         const char *variable, double *lo, double *hi)
{
    char *copy = strdup(text), *save = NULL;
    int found = 0;
    for (char *line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *f[40];
        size_t n = csv_fields(line, f, 40);
        /* variable,kind,scenario,title,label,unit, then mean_* (6-13),
         * p_by_end_* (14-21), p_last_step_* (22-29), paired (30): the
         * headline difference's interval is columns 12-13 for a quantity,
         * 20-21 for an event (by the end). */
        if (n >= 31 && strcmp(f[0], variable) == 0
            && strcmp(f[2], scenario) == 0) {
            size_t b = strcmp(f[1], "event") == 0 ? 20 : 12;
            *lo = atof(f[b]);
            *hi = atof(f[b + 1]);
            found = atoi(f[30]) == 1;
            break;
        }
    }
    free(copy);
    return found;
}

/* What a scenario should do to a variable, against a reference. */
typedef struct direction {
    const char *scenario;
    const char *variable;
    int sign;   /* +1: higher than the reference, -1: lower */
} direction;

/* Against the continuity baseline (an alliance-supportive administration):
 * what the source articles expect of a sceptic one. */
static const direction from_baseline[] = {
    { "trump_reelection", "ed_credibility", -1 },
    { "trump_reelection", "alliance_cohesion", -1 },
    { "trump_reelection", "ncg_dissolved", +1 },
    { "trump_reelection", "usfk_troops", -1 },
    { "trump_reelection", "sma_payment", +1 },
    { "trump_reelection", "drills_suspended", +1 },
    { "trump_reelection", "rok_nuclear_move", +1 },
    { "trump_reelection", "strategic_flex", +1 },
    { "current_course", "ed_credibility", -1 },
    { "current_course", "sma_payment", +1 },
};

/* Against Trump re-elected (the NCG at ministerial level, as it is). */
static const direction from_trump[] = {
    /* Park: the ministerial level insures the NCG against a sceptic White House. */
    { "presidential_ncg", "ncg_dissolved", +1 },
    { "presidential_ncg", "ncg_sessions", -1 },
    /* Yang: troop cuts threatened to make Seoul pay. */
    { "usfk_pressure", "usfk_troops", -1 },
    { "usfk_pressure", "alliance_cohesion", -1 },
    /* MND: shipbuilding and MRO cooperation as common ground. */
    { "shipbuilding_bargain", "usfk_troops", +1 },
    { "shipbuilding_bargain", "alliance_cohesion", +1 },
    /* Kim Sung-han: Japan's participation as a hedge. */
    { "japan_participation", "japan_in_ncg", +1 },
    { "japan_participation", "ncg_dissolved", -1 },
    { "japan_participation", "ed_credibility", +1 },
    /* Korea Herald: turmoil in Seoul delays the NCG. */
    { "seoul_turmoil", "ncg_sessions", -1 },
    { "combined_stress", "nk_nuclear_test", +1 },
    { "combined_stress", "rok_nuclear_move", +1 },
};

/* Runs FILES (one ncgsim argument string) against REFERENCE and checks that
 * each listed paired 95% interval lies wholly on the expected side of 0. */
static void check_directions_of(const char *files, const char *reference,
                                const direction *dirs, size_t n)
{
    char *dir = test_tmpdir(), cmd[2048], path[600];
    snprintf(cmd, sizeof cmd, BIN " run %s -q --no-plots -n 4000 --reference %s "
             "-o %s/out", files, reference, dir);
    CU_ASSERT_EQUAL_FATAL(test_run(cmd, NULL), 0);
    snprintf(path, sizeof path, "%s/out/compare/compare.csv", dir);
    char *text = test_read(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    for (size_t i = 0; i < n; i++) {
        double lo = 0, hi = 0;
        int paired = diff_interval(text, dirs[i].scenario, dirs[i].variable,
                                   &lo, &hi);
        int ok = paired && (dirs[i].sign > 0 ? lo > 0 : hi < 0);
        if (!ok)
            fprintf(stderr, "\n%s vs %s: %s paired interval [%g, %g], "
                    "expected %s 0\n", dirs[i].scenario, reference,
                    dirs[i].variable, lo, hi, dirs[i].sign > 0 ? "above" : "below");
        CU_ASSERT_TRUE(ok);
    }
    free(text);
    test_rmrf(dir);
    free(dir);
}

static void check_directions(const char *reference, const direction *dirs,
                             size_t n)
{
    check_directions_of("scenarios", reference, dirs, n);
}

/* One analyst's view alone: trump_reelection with `view` held at VALUE. */
static void write_view(const char *dir, const char *name, int value)
{
    char file[64], text[1024], *cwd = getcwd(NULL, 0);
    snprintf(file, sizeof file, "%s.cfg", name);
    snprintf(text, sizeof text,
             "extends = \"%s/scenarios/trump_reelection.cfg\";\n"
             "name = \"%s\";\n"
             "params = { view = { values = [%d.0]; weights = [1.0]; }; };\n",
             cwd, name, value);
    free(test_write(dir, file, text));
    free(cwd);
}

/* What each analyst claimed, as a difference between that view alone and
 * Park Won-gon's (the pessimistic reading the first edition built in). */
static const direction from_park[] = {
    /* Yang Uk: extended deterrence not scaled back; troops used as leverage. */
    { "yang", "stated_commitment", +1 },
    { "yang", "ncg_dissolved", -1 },
    { "yang", "usfk_troops", -1 },
    /* Park: strategic assets and CNI drills questioned ("war games"). */
    { "narang", "drills_suspended", -1 },
    { "yang", "ncg_substance", +1 },
    /* Narang: the NCG continues, a good bargain. */
    { "narang", "ncg_sessions", +1 },
    { "narang", "ncg_dissolved", -1 },
    { "narang", "ed_credibility", +1 },
    /* The 2026 NDS: nuclear kept, conventional posture cut back. */
    { "nds", "stated_commitment", +1 },
    { "nds", "strategic_flex", +1 },
};

static void test_scenarios__analyst_views__differ_as_the_analysts_said(void)
{
    char *dir = test_tmpdir(), files[1024];
    write_view(dir, "park", 1);
    write_view(dir, "yang", 2);
    write_view(dir, "narang", 3);
    write_view(dir, "nds", 4);
    snprintf(files, sizeof files, "%s/park.cfg %s/yang.cfg %s/narang.cfg %s/nds.cfg",
             dir, dir, dir, dir);
    check_directions_of(files, "park", from_park,
                        sizeof from_park / sizeof from_park[0]);
    test_rmrf(dir);
    free(dir);
}

/* A value from summary.csv: COLUMN (0-based) of VARIABLE's row. */
static double summary_value(const char *text, const char *variable, size_t column)
{
    char *copy = strdup(text), *save = NULL;
    double value = -1;
    for (char *line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *f[24];
        size_t n = csv_fields(line, f, 24);
        if (n > column && strcmp(f[0], variable) == 0) {
            value = atof(f[column]);
            break;
        }
    }
    free(copy);
    return value;
}

/* Bookkeeping: Japan is never in an abolished NCG, an abolished NCG is never
 * also hollowed out, holds no session and no CNI exercise. Checked at every
 * step of every trial by states that latch the first violation, on a variant
 * where abolition is frequent (so the check cannot pass for want of cases). */
static void test_scenarios__abolished_ncg__has_no_members_sessions_or_hollowing(void)
{
    char *dir = test_tmpdir(), *cwd = getcwd(NULL, 0), text[2048], cmd[1024], path[600];
    snprintf(text, sizeof text,
             "extends = \"%s/scenarios/japan_participation.cfg\";\n"
             "name = \"harsh\";\n"
             "params = { abolish_base_q = 0.02; abolish_doubt_q = 0.2; hollow_doubt_q = 0.3;\n"
             "           view = { values = [1.0]; weights = [1.0]; }; };\n"
             "states = {\n"
             "  japan_then_abolished = { init = \"0\"; next = \"japan_then_abolished or (prev(japan_in_ncg) and ncg_dissolved)\"; };\n"
             "  bad_japan = { init = \"0\"; next = \"bad_japan or (japan_in_ncg and ncg_dissolved)\"; };\n"
             "  bad_hollow = { init = \"0\"; next = \"bad_hollow or (ncg_suspended and ncg_dissolved)\"; };\n"
             "  bad_session = { init = \"0\"; next = \"bad_session or (ncg_session and ncg_status < 1)\"; };\n"
             "  bad_cni = { init = \"0\"; next = \"bad_cni or (cni_exercise and ncg_status < 1)\"; };\n"
             "};\n"
             "outputs = [\"japan_then_abolished\", \"bad_japan\", \"bad_hollow\", \"bad_session\", \"bad_cni\", "
             "\"ncg_dissolved\", \"japan_in_ncg\"];\n", cwd);
    free(test_write(dir, "harsh.cfg", text));
    snprintf(cmd, sizeof cmd, BIN " run %s/harsh.cfg -q --no-plots -n 4000 -o %s/out",
             dir, dir);
    CU_ASSERT_EQUAL_FATAL(test_run(cmd, NULL), 0);
    snprintf(path, sizeof path, "%s/out/harsh/summary.csv", dir);
    char *summary = test_read(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary);
    /* columns: variable,kind,mean,...,max (11),p_ever (12) */
    CU_ASSERT_TRUE(summary_value(summary, "ncg_dissolved", 12) > 0.3);
    CU_ASSERT_TRUE(summary_value(summary, "japan_in_ncg", 12) > 0.3);
    CU_ASSERT_TRUE(summary_value(summary, "japan_then_abolished", 2) > 0.05);
    CU_ASSERT_DOUBLE_EQUAL(summary_value(summary, "bad_japan", 11), 0.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(summary_value(summary, "bad_hollow", 11), 0.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(summary_value(summary, "bad_session", 11), 0.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(summary_value(summary, "bad_cni", 11), 0.0, 0.0);
    free(summary);
    free(cwd);
    test_rmrf(dir);
    free(dir);
}

static void test_scenarios__against_baseline__move_in_the_modelled_direction(void)
{
    check_directions("baseline", from_baseline,
                     sizeof from_baseline / sizeof from_baseline[0]);
}

static void test_scenarios__against_trump__levers_move_in_the_modelled_direction(void)
{
    check_directions("trump_reelection", from_trump,
                     sizeof from_trump / sizeof from_trump[0]);
}

/* Counts the lines of TEXT that start with PREFIX. */
static int count_lines(const char *text, const char *prefix)
{
    int n = 0;
    size_t len = strlen(prefix);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        n += strncmp(p, prefix, len) == 0;
    return n;
}

/* The documented commands behind docs/model.md's backtest and 2027 tables
 * still run and print every row (few trials: the numbers are not checked). */
static void test_scenarios__record_scripts__print_their_tables(void)
{
    char *dir = test_tmpdir(), cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd, "NCGSIM_TRIALS=600 scenarios/record/forecast_2027.sh "
             BIN " %s/forecast", dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    CU_ASSERT_EQUAL(count_lines(out, "| "), 1 + 13); /* header and questions */
    CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "Weight of each view") : NULL);
    free(out);
    out = NULL;
    snprintf(cmd, sizeof cmd, "NCGSIM_TRIALS=600 scenarios/record/backtest.sh "
             BIN " %s/backtest", dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    CU_ASSERT_EQUAL(count_lines(out, "| `"), 19);
    CU_ASSERT_EQUAL(count_lines(out, "| second edition"), 3);
    free(out);
    test_rmrf(dir);
    free(dir);
}

void test_scenarios_register(void);
void test_scenarios_register(void)
{
    static const test_case cases[] = {
        { "every shipped file passes check", test_scenarios__every_shipped_file__passes_check },
        { "against the baseline, scenarios move in the modelled direction", test_scenarios__against_baseline__move_in_the_modelled_direction },
        { "against Trump re-elected, levers move in the modelled direction", test_scenarios__against_trump__levers_move_in_the_modelled_direction },
        { "each analyst's view alone differs from Park's as the analyst said", test_scenarios__analyst_views__differ_as_the_analysts_said },
        { "an abolished NCG has no members, sessions or hollowing", test_scenarios__abolished_ncg__has_no_members_sessions_or_hollowing },
        { "the backtest and 2027 forecast scripts print their tables", test_scenarios__record_scripts__print_their_tables },
    };
    TEST_SUITE("scenarios", cases);
}

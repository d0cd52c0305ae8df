/* test_report.c: the batch briefing (report.html): structure, escaping, well-formedness, Chromium. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"
#include "base/diag.h"
#include "base/ncgsim.h"
#include "io/output.h"
#include "plot/discover_plot.h"
#include "plot/gp.h"
#include "plot/sens_plot.h"
#include "report/estimate.h"
#include "report/html.h"
#include "report/svg.h"

/* The suite runs from the repository root (make test), next to ./ncgsim.
 * NCGSIM_BIN (e.g. the sanitizer build) when set. */
#define BIN "\"${NCGSIM_BIN:-./ncgsim}\""

/* A title that must stay text: a script, markup that closes the tags
 * around it, quotes, right-to-left and non-Latin text, and a long run. */
#define EVIL_TITLE "<script>document.title='owned'</script></td></table> & " \
    "\\\"quotes\\\" 'single' \xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 " \
    "\xd7\xa2\xd7\x91\xd7\xa8\xd7\x99\xd7\xaa \xe6\x97\xa5\xe6\x9c\xac " \
    "\xe2\x80\xae reversed ]]> --> <!-- "

/* The batch every test reads: DIR/out from a reference and a scenario
 * with a hostile title, description, label and source (one run for the
 * whole suite, removed at exit). */
static char *fx_dir;
static char fx_out[512], fx_html[600];

static void fx_cleanup(void)
{
    if (fx_dir) {
        test_rmrf(fx_dir);
        free(fx_dir);
        fx_dir = NULL;
    }
}

static int fixture(void)
{
    char cmd[4096], *log = NULL, long_run[600];
    if (fx_dir)
        return 1;
    if (!(fx_dir = test_tmpdir()))
        return 0;
    atexit(fx_cleanup);
    memset(long_run, 'W', sizeof long_run - 1);
    long_run[sizeof long_run - 1] = 0;
    free(test_write(fx_dir, "ref.cfg",
        "name = \"ref\";\ntitle = \"Reference case\";\n"
        "description = \"The reference.\";\n"
        "simulation = { trials = 2000; steps = 8; step = \"quarter\"; "
        "start = \"2025Q1\"; seed = 11; };\n"
        "params = { p_crisis = { dist = \"const\"; value = 0.02; "
        "source = \"Analyst judgement, workshop 2025\"; note = \"Base rate.\"; };\n"
        "           cut = 500.0; };\n"
        "events = { crisis = { p = \"p_crisis\"; label = \"Crisis\"; "
        "source = \"Event list 2024\"; }; };\n"
        "states = { troops = { init = \"28500\"; next = \"troops - (crisis ? cut : 0)\"; "
        "label = \"Troops\"; unit = \"troops\"; }; };\n"));
    char cfg[3000];
    snprintf(cfg, sizeof cfg,
        "extends = \"ref.cfg\";\nname = \"evil\";\ntitle = \"" EVIL_TITLE "%s\";\n"
        "description = \"<img src=x onerror=alert(1)> & more\";\n"
        "params = { p_crisis = { value = 0.2; "
        "source = \"<a href='http://example.invalid/'>x</a> \\\"q\\\"\"; "
        "note = \"<b>raised</b>\"; }; };\n"
        "states = { troops = { label = \"<svg onload=alert(1)>Troops & co\"; }; };\n",
        long_run);
    free(test_write(fx_dir, "evil.cfg", cfg));
    snprintf(fx_out, sizeof fx_out, "%s/out", fx_dir);
    snprintf(fx_html, sizeof fx_html, "%s/report.html", fx_out);
    snprintf(cmd, sizeof cmd, BIN " run %s/ref.cfg %s/evil.cfg -o %s -q "
             "--no-plots --report", fx_dir, fx_dir, fx_out);
    int rc = test_run(cmd, &log);
    if (rc != 0)
        fprintf(stderr, "\nfixture run failed (%d): %s\n", rc, log ? log : "");
    free(log);
    return rc == 0;
}

/* The report's text (malloc'd), or NULL. */
static char *report_text(void)
{
    return fixture() ? test_read(fx_html) : NULL;
}

/* 1 when PROG is on PATH. */
static int have(const char *prog)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
    return system(cmd) == 0;
}

/* The Chromium executable, or NULL. */
static const char *chromium(void)
{
    static const char *const names[] = { "chromium", "chromium-browser",
                                         "google-chrome" };
    for (size_t i = 0; i < 3; i++)
        if (have(names[i]))
            return names[i];
    return NULL;
}

static void test_report__sections_come_in_order(void)
{
    char *t = report_text();
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    static const char *const ids[] = { "id=\"answer\"", "id=\"assumptions\"",
        "id=\"charts\"", "id=\"method\"", "id=\"sources\"" };
    const char *prev = t;
    for (size_t i = 0; i < 5; i++) {
        const char *at = strstr(t, ids[i]);
        CU_ASSERT_PTR_NOT_NULL(at);
        CU_ASSERT(at && at > prev);
        if (at)
            prev = at;
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "ncgsim " NCGSIM_VERSION));
    free(t);
}

static void test_report__every_scenario_and_output_appears(void)
{
    char *t = report_text();
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    const char *head = strstr(t, "class=\"head\"");
    const char *end = head ? strstr(head, "</table>") : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(end);
    size_t n = (size_t)(end - head);
    char *tab = strndup(head, n);
    /* Scenario names in the header, outputs' names in the rows. */
    static const char *const in_table[] = { "<code>ref</code>",
        "<code>evil</code>", "<code class=\"unit\">crisis</code>",
        "<code class=\"unit\">troops</code>", "(happened by the end)" };
    for (size_t i = 0; i < 5; i++)
        if (!strstr(tab, in_table[i])) {
            fprintf(stderr, "\nheadline table lacks %s\n", in_table[i]);
            CU_FAIL("headline table incomplete");
        }
    free(tab);
    /* The changed settings, old and new value, and their sources. */
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "<code>params.p_<wbr>crisis.value</code>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, ">0.02</td><td class=\"val\">0.2</td>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "Analyst judgement, workshop 2025"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "Event list 2024"));
    /* Charts inline, each with a text alternative. */
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "<svg"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "role=\"img\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "<desc id=\""));
    /* Method: the seed, the model hash, the command. */
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "<td>11</td>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "--report"));
    free(t);
}

static void test_report__hostile_text_is_escaped(void)
{
    char *t = report_text();
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    /* No element the page did not write itself. */
    CU_ASSERT_PTR_NULL(strstr(t, "<script"));
    CU_ASSERT_PTR_NULL(strstr(t, "<img"));
    CU_ASSERT_PTR_NULL(strstr(t, "<svg onload"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "&lt;img src=x onerror=alert(1)&gt;"));
    CU_ASSERT_PTR_NULL(strstr(t, "<b>raised"));
    CU_ASSERT_PTR_NULL(strstr(t, "href='http"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "&lt;script&gt;document.title=&#39;owned&#39;"
                                     "&lt;/script&gt;&lt;/td&gt;&lt;/table&gt; &amp; "
                                     "&quot;quotes&quot;"));
    /* Right-to-left and non-Latin text kept, isolated in <bdi>. */
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "<bdi>&lt;script&gt;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "\xd7\xa2\xd7\x91\xd7\xa8\xd7\x99\xd7\xaa"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "\xe6\x97\xa5\xe6\x9c\xac"));
    free(t);
}

static void test_report__refers_to_nothing_outside_itself(void)
{
    char *t = report_text();
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    /* Escaped text holds no quote, so an attribute is a quote after '='. */
    CU_ASSERT_PTR_NULL(strstr(t, " src=\""));
    CU_ASSERT_PTR_NULL(strstr(t, " src='"));
    CU_ASSERT_PTR_NULL(strstr(t, "@import"));
    CU_ASSERT_PTR_NULL(strstr(t, "<link"));
    CU_ASSERT_PTR_NULL(strstr(t, "xmlns"));
    for (const char *p = t; (p = strstr(p, "href=\"")) != NULL; p++)
        if (p[6] != '#') {
            fprintf(stderr, "\nlink out of the page: %.60s\n", p);
            CU_FAIL("href outside the page");
        }
    for (const char *p = t; (p = strstr(p, "url(")) != NULL; p++)
        if (p[4] != '#') {
            fprintf(stderr, "\nurl out of the page: %.60s\n", p);
            CU_FAIL("url() outside the page");
        }
    free(t);
}

static void test_report__is_well_formed(void)
{
    char cmd[2400], *log = NULL;
    CU_ASSERT_FATAL(fixture());
    if (have("python3")) {
        snprintf(cmd, sizeof cmd, "python3 tests/data/report/check_html.py %s",
                 fx_html);
        int rc = test_run(cmd, &log);
        if (rc != 0)
            fprintf(stderr, "\n%s\n", log ? log : "");
        CU_ASSERT_EQUAL(rc, 0);
        free(log);
        log = NULL;
    } else {
        fprintf(stderr, "\n  skipped: python3 not installed (html.parser "
                "check)\n");
    }
    if (have("tidy")) {
        /* tidy: 0 clean, 1 warnings, 2 errors; the page must be clean. */
        snprintf(cmd, sizeof cmd, "tidy -errors -q %s", fx_html);
        int rc = test_run(cmd, &log);
        if (rc != 0)
            fprintf(stderr, "\n%s\n", log ? log : "");
        CU_ASSERT_EQUAL(rc, 0);
        free(log);
    } else {
        fprintf(stderr, "\n  skipped: tidy not installed (HTML validation)\n");
    }
}

/* Chromium: the page renders with the script in the title left as text,
 * and yields a first-screen screenshot and a PDF. */
static void test_report__chromium_renders_screenshot_and_pdf(void)
{
    const char *chrome = chromium();
    char cmd[8192], *log = NULL, png[700], pdf[700];
    if (!chrome) {
        fprintf(stderr, "\n  skipped: Chromium not installed (apt-get install "
                "chromium): report not rendered\n");
        return;
    }
    CU_ASSERT_FATAL(fixture());
    static const char flags[] = "--headless --no-sandbox --disable-gpu "
        "--disable-dev-shm-usage --no-first-run --user-data-dir=%s/chrome";
    char fl[700];
    snprintf(fl, sizeof fl, flags, fx_dir);
    /* The DOM after rendering: the title's script never became an
     * element, so document.title was not changed and no <script> exists. */
    snprintf(cmd, sizeof cmd, "%s %s --dump-dom file://%s 2>/dev/null", chrome,
             fl, fx_html);
    int rc = test_run(cmd, &log);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_TRUE(log && strstr(log, "id=\"sources\""));
    CU_ASSERT_PTR_NULL(log ? strstr(log, "<script") : NULL);
    CU_ASSERT_PTR_NULL(log ? strstr(log, "<title>owned</title>") : NULL);
    CU_ASSERT_PTR_NOT_NULL(log ? strstr(log, "&lt;script&gt;document.title") : NULL);
    free(log);
    log = NULL;
    snprintf(png, sizeof png, "%s/shot.png", fx_dir);
    snprintf(pdf, sizeof pdf, "%s/report.pdf", fx_dir);
    snprintf(cmd, sizeof cmd, "%s %s --screenshot=%s --window-size=1366,900 "
             "file://%s 2>/dev/null && %s %s --no-pdf-header-footer "
             "--print-to-pdf=%s file://%s 2>/dev/null", chrome, fl, png,
             fx_html, chrome, fl, pdf, fx_html);
    rc = test_run(cmd, &log);
    CU_ASSERT_EQUAL(rc, 0);
    free(log);
    char *shot = test_read(png), *doc = test_read(pdf);
    CU_ASSERT(shot && memcmp(shot, "\x89PNG", 4) == 0);
    CU_ASSERT(doc && strncmp(doc, "%PDF-", 5) == 0);
    free(shot);
    free(doc);
}

static void test_report__one_scenario_gets_its_own_charts(void)
{
    char cmd[2400], path[700], *log = NULL;
    CU_ASSERT_FATAL(fixture());
    snprintf(cmd, sizeof cmd, BIN " run %s/ref.cfg -n 500 -o %s/one -q "
             "--no-plots --report", fx_dir, fx_dir);
    int rc = test_run(cmd, &log);
    CU_ASSERT_EQUAL(rc, 0);
    free(log);
    snprintf(path, sizeof path, "%s/one/report.html", fx_dir);
    char *t = test_read(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "<h1>Scenario: <bdi>Reference case</bdi>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "id=\"sources\""));
    /* The scenario's own charts, drawn as SVG: a fan and an event curve. */
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "(<code>fan_troops</code>)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "(<code>event_crisis</code>)"));
    CU_ASSERT_PTR_NULL(strstr(t, "<script"));
    free(t);
    /* Its result folder holds no SVG: the report drew them elsewhere. */
    snprintf(cmd, sizeof cmd, "ls %s/one/ref | grep -c svg", fx_dir);
    test_run(cmd, &log);
    CU_ASSERT(log && log[0] == '0');
    free(log);
}

static void test_report__same_results_give_the_same_page(void)
{
    char cmd[1400];
    CU_ASSERT_FATAL(fixture());
    snprintf(cmd, sizeof cmd, BIN " report -q %s", fx_out);
    CU_ASSERT_EQUAL(test_run(cmd, NULL), 0);
    char *first = test_read(fx_html);
    CU_ASSERT_EQUAL(test_run(cmd, NULL), 0);
    char *second = test_read(fx_html);
    CU_ASSERT_PTR_NOT_NULL_FATAL(first);
    CU_ASSERT_PTR_NOT_NULL_FATAL(second);
    CU_ASSERT_STRING_EQUAL(first, second);
    free(first);
    free(second);
}

static void test_report__charts_that_cannot_be_drawn_leave_a_note(void)
{
    char cmd[2400], *log = NULL, path[700];
    CU_ASSERT_FATAL(fixture());
    /* Results whose comparison lacks a column the charts need (as from an
     * older ncgsim): the page is written, with the reason. */
    snprintf(cmd, sizeof cmd, "rm -rf %s/old && cp -r %s %s/old && sed -i "
             "'1s/mean_lo95/lo95/' %s/old/compare/compare.csv && rm -f "
             "%s/old/report.html && " BIN " report -q %s/old", fx_dir, fx_out,
             fx_dir, fx_dir, fx_dir, fx_dir);
    int rc = test_run(cmd, &log);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(log && strstr(log, "warning: report: no charts: "));
    CU_ASSERT(log && strstr(log, "/old/compare/compare.csv"));
    CU_ASSERT_PTR_NULL(log ? strstr(log, ".tmp-") : NULL);
    free(log);
    snprintf(path, sizeof path, "%s/old/report.html", fx_dir);
    char *t = test_read(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "No charts here:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "id=\"sources\""));
    free(t);
}

static void test_report__bad_folder_is_an_io_error(void)
{
    char *log = NULL;
    int rc = test_run(BIN " report /nonexistent/ncgsim-results", &log);
    CU_ASSERT_EQUAL(rc, NCG_EXIT_IO);
    CU_ASSERT_TRUE(log && strstr(log, "/nonexistent/ncgsim-results: "
                                         "not a result folder"));
    free(log);
    rc = test_run(BIN " report", &log);
    CU_ASSERT_EQUAL(rc, NCG_EXIT_USAGE);
    free(log);
}

static void test_report__folder_in_the_way_is_left_alone(void)
{
    char cmd[2400], *log = NULL, path[1200];
    CU_ASSERT_FATAL(fixture());
    /* A folder where report.html goes: an error, the folder untouched and
     * no temporary folder left behind. */
    unlink(fx_html);
    snprintf(path, sizeof path, "%s/report.html", fx_out);
    CU_ASSERT_EQUAL_FATAL(mkdir(path, 0755), 0);
    snprintf(cmd, sizeof cmd, BIN " report %s", fx_out);
    int rc = test_run(cmd, &log);
    CU_ASSERT_EQUAL(rc, NCG_EXIT_IO);
    CU_ASSERT_TRUE(log && strstr(log, "exists and is not a file"));
    free(log);
    snprintf(cmd, sizeof cmd, "ls -a %s | grep -c tmp", fx_out);
    rc = test_run(cmd, &log);
    CU_ASSERT(log && log[0] == '0');
    free(log);
    rmdir(path);
    /* Written again in place. */
    snprintf(cmd, sizeof cmd, BIN " report -q %s", fx_out);
    CU_ASSERT_EQUAL(test_run(cmd, NULL), 0);
    struct stat st;
    CU_ASSERT(stat(fx_html, &st) == 0 && S_ISREG(st.st_mode));
}

static void test_report__other_analyses_appear_when_present(void)
{
    char cmd[2400], sub[700], *t = NULL;
    CU_ASSERT_FATAL(fixture());
    t = test_read(fx_html);
    CU_ASSERT_PTR_NULL(t ? strstr(t, "Other analyses") : "no report");
    free(t);
    /* A sweep's result file in the same results folder. */
    snprintf(sub, sizeof sub, "%s/ref-sweep", fx_out);
    CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0755), 0);
    free(test_write(sub, "sweep.csv",
                    "point,cut,output,kind,mean\n1,0.5,troops,state,28500\n"
                    "2,0.75,<b>x</b>,state,0.123456\n"));
    snprintf(cmd, sizeof cmd, BIN " report -q %s", fx_out);
    CU_ASSERT_EQUAL(test_run(cmd, NULL), 0);
    t = test_read(fx_html);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "<h3>Sweep <span class=\"unit\">(<code>"
                                  "ref-sweep/sweep.csv</code>)</span></h3>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "<td>&lt;b&gt;x&lt;/b&gt;</td><td>state</td>"
                                  "<td class=\"n\">0.1235</td>"));
    free(t);
    test_rmrf(sub);
}

/* The batch's folder with a sensitivity, a two-setting sweep, a
 * discovery and a score run into it (made once, by the first test that
 * asks). 1 when they are there. */
static int fx_analyses(void)
{
    static int done = -1;
    char cmd[4096], *log = NULL;
    if (done >= 0)
        return done;
    if (!fixture())
        return done = 0;
    free(test_write(fx_dir, "unc.cfg", TEST_UNC_CFG));
    free(test_write(fx_dir, "outcomes.csv", TEST_UNC_OUTCOMES));
    snprintf(cmd, sizeof cmd,
             BIN " sensitivity %s/unc.cfg -n 400 --bootstrap 20 -o %s -q -j 2 && "
             BIN " sweep %s/unc.cfg -n 200 --vary cut=200:800:300 "
             "--vary p_crisis=0:0.2:0.1 -o %s -q --no-plots -j 2 && "
             BIN " discover %s/unc.cfg --case 'troops < 28000' -n 400 "
             "--resample 0 -o %s/unc-discovery -q --no-plots -j 2 && "
             BIN " score %s/ref %s/evil --outcomes %s/outcomes.csv -o %s -q "
             "-j 2 && " BIN " report -q %s",
             fx_dir, fx_out, fx_dir, fx_out, fx_dir, fx_out, fx_out, fx_out,
             fx_dir, fx_out, fx_out);
    int rc = test_run(cmd, &log);
    if (rc != 0)
        fprintf(stderr, "\nanalyses failed (%d): %s\n", rc, log ? log : "");
    free(log);
    return done = rc == 0;
}

/* The inline chart whose text alternative is TITLE in T: from its <svg
 * to its </svg> (malloc'd), or NULL. */
static char *chart_svg(const char *t, const char *title)
{
    char label[400];
    snprintf(label, sizeof label, "aria-label=\"%s\"", title);
    const char *at = strstr(t, label), *start = at, *end;
    while (start && start > t && strncmp(start, "<svg", 4) != 0)
        start--;
    if (!at || !(end = strstr(at, "</svg>")))
        return NULL;
    return strndup(start, (size_t)(end + 6 - start));
}

static void test_report__other_analyses_are_charted_inline(void)
{
    char cmd[2400], *log = NULL;
    CU_ASSERT_FATAL(fx_analyses());
    char *t = test_read(fx_html);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    /* One inline SVG per chart of each analysis, each with a text
     * alternative that lists its numbers, and nothing outside the page. */
    static const char *const titles[] = {
        "The largest effects on troops (unc-sensitivity)",
        "Sobol indices of the random params for troops (unc-sensitivity)",
        "The largest effects on crisis (unc-sensitivity)",
        "Sweep of troops (unc-sweep)", "Sweep of crisis (unc-sweep)",
        "Coverage and density of every box found (unc-discovery)",
        "Box 1&#39;s limits against each input&#39;s range (unc-discovery)",
        "Reliability of the forecasts (score)" };
    for (size_t i = 0; i < sizeof titles / sizeof *titles; i++) {
        char *svg = chart_svg(t, titles[i]);
        if (!svg) {
            fprintf(stderr, "\nno chart '%s'\n", titles[i]);
            CU_FAIL("chart missing");
            continue;
        }
        CU_ASSERT_PTR_NOT_NULL(strstr(svg, "role=\"img\""));
        CU_ASSERT_PTR_NOT_NULL(strstr(svg, "<desc id=\""));
        CU_ASSERT_PTR_NULL(strstr(svg, "href=\"http"));
        CU_ASSERT_PTR_NULL(strstr(svg, "xlink:href"));
        CU_ASSERT_PTR_NULL(strstr(svg, "<image"));
        free(svg);
    }
    /* The tornado's text alternative has sensitivity.csv's numbers. */
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "Chart tornado-troops, drawn from "
                                  "unc-sensitivity/sensitivity.csv. param "));
    /* The tables stay, as the accessible data. */
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "<h3>Sensitivity <span"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "<h3>Sweep <span"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "<h3>Scenario discovery: chosen boxes"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "<h3>Forecast scores"));
    CU_ASSERT_PTR_NULL(strstr(t, "No charts here"));
    free(t);
    if (have("tidy")) {
        snprintf(cmd, sizeof cmd, "tidy -errors -q %s && python3 "
                 "tests/data/report/check_html.py %s", fx_html, fx_html);
        int rc = test_run(cmd, &log);
        if (rc != 0)
            fprintf(stderr, "\n%s\n", log ? log : "");
        CU_ASSERT_EQUAL(rc, 0);
        free(log);
    }
}

/* The value of column COL in the row of CSV text CSV that starts with
 * PREFIX (fields joined by commas), as a number. */
static double csv_field(const char *csv, const char *prefix, int col)
{
    const char *at = strstr(csv, prefix);
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    for (int c = 0; c < col; c++)
        at = strchr(at, ',') + 1;
    return strtod(at, NULL);
}

static void test_report__tornado_redrawn_from_csv_has_its_numbers(void)
{
    char dir[700], cmd[4096], *gp = NULL;
    CU_ASSERT_FATAL(fx_analyses());
    /* The chart of a copy of sensitivity.csv and resolved.cfg alone. */
    snprintf(dir, sizeof dir, "%s/tornado", fx_dir);
    snprintf(cmd, sizeof cmd, "mkdir -p %s && cp %s/unc-sensitivity/"
             "sensitivity.csv %s/unc-sensitivity/resolved.cfg %s", dir,
             fx_out, fx_out, dir);
    CU_ASSERT_EQUAL_FATAL(test_run(cmd, NULL), 0);
    char cwd[600], style[700];
    if (getcwd(cwd, sizeof cwd)) {     /* this tree's plot style */
        snprintf(style, sizeof style, "%s/plots", cwd);
        setenv("NCGSIM_PLOTS", style, 1);
    }
    diag *d = diag_alloc();
    plot_opts po = { .format = "svg", .quiet = 1 };
    CU_ASSERT_EQUAL(sens_plot_sensitivity_files(dir, &po, d), 0);
    char *csv_path = output_path(dir, "sensitivity.csv");
    char *csv = test_read(csv_path), *gp_path = output_path(dir,
                                                            "tornado-troops.gp");
    gp = test_read(gp_path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(gp);
    /* Each bar: the base mean plus the CSV's low and high differences,
     * with their intervals; largest swing on top (the last line). */
    const char *at = strstr(gp, "EOD\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    at += 4;
    size_t bars = 0;
    for (; strncmp(at, "EOD", 3) != 0; at = strchr(at, '\n') + 1, bars++) {
        char name[64], prefix[80];
        double y, v[7];
        CU_ASSERT_EQUAL_FATAL(sscanf(at, "%lf %63s %lf %lf %lf %lf %lf %lf %lf",
                                     &y, name, &v[0], &v[1], &v[2], &v[3],
                                     &v[4], &v[5], &v[6]), 9);
        snprintf(prefix, sizeof prefix, "\ntroops,%s,", name);
        double base = csv_field(csv, prefix, 8);
        CU_ASSERT_DOUBLE_EQUAL(v[0], base, 1e-6 * fabs(base));
        for (int k = 0; k < 6; k++) {
            double want = base + csv_field(csv, prefix, 9 + k);
            CU_ASSERT_DOUBLE_EQUAL(v[1 + k], want, 1e-5 * fabs(want));
        }
    }
    CU_ASSERT_EQUAL(bars, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(gp, "'mean of ' . 'troops' . ' at ' . '2026Q4'"));
    /* A file from before the columns were renamed (output, kind): the same
     * chart. */
    snprintf(cmd, sizeof cmd, "sed -i '1s/^variable,param,perturbation,/"
             "output,param,kind,/' %s", csv_path);
    CU_ASSERT_EQUAL(test_run(cmd, NULL), 0);
    CU_ASSERT_EQUAL(sens_plot_sensitivity_files(dir, &po, d), 0);
    char *old = test_read(gp_path);
    CU_ASSERT(old && strcmp(old, gp) == 0);
    free(old);
    /* Drawn whole, as SVG. */
    char *svg = output_path(dir, "tornado-troops.svg");
    const char *why;
    CU_ASSERT_EQUAL(gp_image_complete(svg, "svg", &why), 0);
    free(svg);
    free(csv);
    free(gp);
    free(csv_path);
    free(gp_path);
    diag_free(d);
}

static void test_report__discovery_limits_redrawn_from_boxes_csv(void)
{
    char cmd[4096], dir[700], *log = NULL;
    CU_ASSERT_FATAL(fx_analyses());
    /* A discovery drawn from its results in memory, then its CSV files
     * alone: the same limits.dat (box limits against each input's range,
     * most significant first). */
    snprintf(dir, sizeof dir, "%s/limits", fx_dir);
    snprintf(cmd, sizeof cmd, BIN " discover %s/unc.cfg --case 'troops < "
             "28000' -n 400 --resample 0 -o %s/disc -q -j 2 && mkdir -p %s && "
             "cp %s/disc/discovery.csv %s/disc/boxes.csv %s", fx_dir, fx_dir,
             dir, fx_dir, fx_dir, dir);
    int rc = test_run(cmd, &log);
    if (rc != 0)
        fprintf(stderr, "\n%s\n", log ? log : "");
    free(log);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    diag *d = diag_alloc();
    plot_opts po = { .format = "svg", .quiet = 1 };
    CU_ASSERT_EQUAL(discover_plot_files(dir, &po, d), 0);
    char mem[800], files[800];
    snprintf(mem, sizeof mem, "%s/disc/limits.dat", fx_dir);
    snprintf(files, sizeof files, "%s/limits.dat", dir);
    char *a = test_read(mem), *b = test_read(files);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_STRING_EQUAL(a, b);
    snprintf(files, sizeof files, "%s/limits.svg", dir);
    const char *why;
    CU_ASSERT_EQUAL(gp_image_complete(files, "svg", &why), 0);
    free(a);
    free(b);
    diag_free(d);
}

/* A discovery folder drawn with its charts has scatter.dat (its head names
 * the case and the two inputs): the report charts the scatter of every
 * trial from it and names it in the caption; a folder run with
 * --no-plots has none and gets no scatter. */
static void test_report__discovery_scatter_charted_when_the_folder_has_it(void)
{
    char cmd[4096], sub[800], *log = NULL;
    CU_ASSERT_FATAL(fx_analyses());
    snprintf(sub, sizeof sub, "%s/unc2-discovery", fx_out);
    snprintf(cmd, sizeof cmd, BIN " discover %s/unc.cfg --case 'troops < "
             "28000' -n 400 --resample 0 -o %s -q -j 2 && " BIN " report -q "
             "%s", fx_dir, sub, fx_out);
    int rc = test_run(cmd, &log);
    if (rc != 0)
        fprintf(stderr, "\n%s\n", log ? log : "");
    free(log);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    char *t = test_read(fx_html);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    char *svg = chart_svg(t, "Box 1 over every trial on its two most "
                          "significant inputs (unc2-discovery)");
    CU_ASSERT_PTR_NOT_NULL(svg);
    /* Every trial is a point: 400 marks at least, and the case named. */
    size_t marks = 0;
    for (const char *p = svg; p && (p = strstr(p, "<use")); p++)
        marks++;
    CU_ASSERT(marks >= 400);
    CU_ASSERT_PTR_NOT_NULL(svg ? strstr(svg, "troops &lt; 28000") : NULL);
    free(svg);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "<code>unc2-discovery/scatter</code>, "
                                  "redrawn from <code>discovery.csv</code> "
                                  "and <code>boxes.csv</code> and <code>"
                                  "scatter.dat</code>."));
    svg = chart_svg(t, "Box 1 over every trial on its two most significant "
                    "inputs (unc-discovery)");
    CU_ASSERT_PTR_NULL(svg);
    free(svg);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "<code>unc-discovery/limits</code>, "
                                  "redrawn from <code>discovery.csv</code> "
                                  "and <code>boxes.csv</code>."));
    free(t);
    /* The batch as the other tests know it. */
    test_rmrf(sub);
    snprintf(cmd, sizeof cmd, BIN " report -q %s", fx_out);
    CU_ASSERT_EQUAL(test_run(cmd, NULL), 0);
}

/* ---- the pieces ---- */

static void test_report__estimate_words_follow_icd203(void)
{
    static const struct { double p; const char *words; } cases[] = {
        { 0.0, "in no trial" }, { 0.001, "almost no chance" },
        { 0.0499, "almost no chance" }, { 0.05, "very unlikely" },
        { 0.1999, "very unlikely" }, { 0.20, "unlikely" },
        { 0.4499, "unlikely" }, { 0.45, "roughly even chance" },
        { 0.5499, "roughly even chance" }, { 0.55, "likely" },
        { 0.7999, "likely" }, { 0.80, "very likely" },
        { 0.9499, "very likely" }, { 0.95, "almost certain" },
        { 0.999, "almost certain" }, { 1.0, "in every trial" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *w = estimate_words(cases[i].p);
        CU_ASSERT_PTR_NOT_NULL_FATAL(w);
        if (strcmp(w, cases[i].words) != 0) {
            fprintf(stderr, "\n%g: '%s', expected '%s'\n", cases[i].p, w,
                    cases[i].words);
            CU_FAIL("wrong words");
        }
    }
    CU_ASSERT_PTR_NULL(estimate_words(-0.1));
    CU_ASSERT_PTR_NULL(estimate_words(1.5));
    CU_ASSERT_PTR_NULL(estimate_words(0.0 / 0.0));
}

/* S through F into a malloc'd string. */
static char *capture(void (*f)(FILE *, const char *), const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    f(m, s);
    fclose(m);
    return buf;
}

static void test_report__html_text_escapes_markup_and_repairs_utf8(void)
{
    static const struct { const char *in, *out; } cases[] = {
        { "<a href=\"x\">'&'</a>",
          "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;" },
        { "caf\xc3\xa9 \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", "caf\xc3\xa9 \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d" },
        { "bad \xff byte", "bad \xef\xbf\xbd byte" },
        { "cut \xe6\x97", "cut \xef\xbf\xbd\xef\xbf\xbd" },
        { "overlong \xc0\xaf", "overlong \xef\xbf\xbd\xef\xbf\xbd" },
        { "surrogate \xed\xa0\x80", "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
        { "bell\a tab\t", "bell\xef\xbf\xbd tab\t" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = capture(html_text, cases[i].in);
        if (strcmp(got, cases[i].out) != 0) {
            fprintf(stderr, "\ncase %zu: got '%s'\n", i, got);
            CU_FAIL("html_text");
        }
        free(got);
    }
}

static void test_report__svg_inline_keeps_references_inside(void)
{
    char *dir = test_tmpdir();
    char *path = test_write(dir, "c.svg",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n"
        "<svg viewBox=\"0 0 10 10\" xmlns=\"http://www.w3.org/2000/svg\" "
        "xmlns:xlink=\"http://www.w3.org/1999/xlink\" onload=\"alert(1)\">\n"
        "<title>Gnuplot</title><desc>Produced by GNUPLOT</desc>\n"
        "<rect fill=\"#ffffff\" stroke='#a0B0c0'/>\n"
        "<defs><path id='gpPt0' d='M0,0'/></defs>\n"
        "<script>alert(2)</script>\n"
        "<use xlink:href='#gpPt0' fill='url(#grad)'/>\n"
        "<image href='http://example.invalid/x.png'/>\n"
        "<rect style='fill:url(http://example.invalid/p)'/>\n"
        "<text>a &lt; b &amp; c > d & e &#x05D0; &#0;</text>\n"
        "<g><g>\n");
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    diag *d = diag_alloc();
    CU_ASSERT_EQUAL(svg_inline(m, path, "c7", "Title <x>", "Desc & \"y\"", d), 0);
    fclose(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "<svg viewBox=\"0 0 10 10\" role=\"img\" "
                                  "aria-label=\"Title &lt;x&gt;\" "
                                  "aria-describedby=\"c7-d\"><title>Title "
                                  "&lt;x&gt;</title><desc id=\"c7-d\">Desc "
                                  "&amp; &quot;y&quot;</desc>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "<path id=\"c7-gpPt0\" d=\"M0,0\"/>"));
    /* Colours are not references. */
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "<rect fill=\"#ffffff\" stroke=\"#a0B0c0\"/>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "<use href=\"#c7-gpPt0\" "
                                  "fill=\"url(#c7-grad)\"/>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "<image/>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "<rect/>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "<text>a &lt; b &amp; c &gt; d &amp; e "
                                  "\xd7\x90 \xef\xbf\xbd</text>"));
    CU_ASSERT_PTR_NULL(strstr(buf, "alert"));
    CU_ASSERT_PTR_NULL(strstr(buf, "Gnuplot"));
    CU_ASSERT_PTR_NULL(strstr(buf, "http"));
    /* Elements left open are closed. */
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "<g><g>\n</g></g></svg>"));
    free(buf);
    /* Not an SVG, and a missing file: a message, nothing written. */
    char *bad = test_write(dir, "bad.svg", "<html></html>");
    m = open_memstream(&buf, &len);
    CU_ASSERT_EQUAL(svg_inline(m, bad, "x", "t", "d", d), -1);
    CU_ASSERT_EQUAL(svg_inline(m, "/nonexistent.svg", "x", "t", "d", d), -1);
    fclose(m);
    CU_ASSERT_EQUAL(len, 0);
    CU_ASSERT_EQUAL(diag_count(d), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(diag_get(d, 0), "bad.svg: not an SVG file"));
    free(buf);
    diag_free(d);
    free(bad);
    free(path);
    test_rmrf(dir);
    free(dir);
}

static const test_case report_tests[] = {
    { "report: sections come in order", test_report__sections_come_in_order },
    { "report: every scenario and output appears",
      test_report__every_scenario_and_output_appears },
    { "report: hostile text is escaped", test_report__hostile_text_is_escaped },
    { "report: refers to nothing outside itself",
      test_report__refers_to_nothing_outside_itself },
    { "report: is well formed", test_report__is_well_formed },
    { "report: Chromium renders it, screenshot and PDF",
      test_report__chromium_renders_screenshot_and_pdf },
    { "report: other analyses appear when present",
      test_report__other_analyses_appear_when_present },
    { "report: other analyses are charted inline",
      test_report__other_analyses_are_charted_inline },
    { "report: tornado redrawn from its CSV has its numbers",
      test_report__tornado_redrawn_from_csv_has_its_numbers },
    { "report: discovery limits redrawn from boxes.csv",
      test_report__discovery_limits_redrawn_from_boxes_csv },
    { "report: discovery scatter charted when the folder has it",
      test_report__discovery_scatter_charted_when_the_folder_has_it },
    { "report: one scenario gets its own charts",
      test_report__one_scenario_gets_its_own_charts },
    { "report: same results give the same page",
      test_report__same_results_give_the_same_page },
    { "report: charts that cannot be drawn leave a note",
      test_report__charts_that_cannot_be_drawn_leave_a_note },
    { "report: bad folder is an I/O error",
      test_report__bad_folder_is_an_io_error },
    { "report: a folder in the way is left alone",
      test_report__folder_in_the_way_is_left_alone },
    { "estimate: words follow ICD 203",
      test_report__estimate_words_follow_icd203 },
    { "html: text escapes markup and repairs UTF-8",
      test_report__html_text_escapes_markup_and_repairs_utf8 },
    { "svg: inline keeps references inside",
      test_report__svg_inline_keeps_references_inside },
};

void test_report_register(void);
void test_report_register(void)
{
    TEST_SUITE("report", report_tests);
}

/* test_plot.c: gnuplot plots of result and comparison folders, drawn with the real gnuplot. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"
#include "base/ncgsim.h"
#include "plot/gp.h"
#include "plot/sens_plot.h"
#include "plot/plot.h"

/* The suite runs from the repository root (make test), next to ./ncgsim
 * and plots/. */
/* NCGSIM_BIN (e.g. the sanitizer build) when set: expanded by the shell
 * that test_run starts. */
#define BIN "\"${NCGSIM_BIN:-./ncgsim}\""

/* A title that would run a command if it reached gnuplot as code: it
 * closes a double-quoted string, and tries single quotes, backquotes, a
 * macro and enhanced-text markup (written for libconfig, where \" is a
 * quote). Each %s is the folder of the marker files. */
#define HOSTILE_TITLE \
    "x\\\"; system(\\\"touch %s/owned1\\\"); print \\\" " \
    "it''s `touch %s/owned2` @x {/Symbol a}^2_3 ' . system('touch %s/owned3') . '"

/* Two small scenarios run with ncgsim into DIR/out: plain (a hostile title,
 * a state, a constant, a count-like derived, an event that happens, one
 * that never does, a switch) and other (plain with more cuts), so that
 * DIR/out/compare holds their comparison. DIR is malloc'd (NULL when
 * the run failed). */
static char *fixture(void)
{
    char *dir = test_tmpdir(), cfg[4096], title[1024], cmd[1024];
    char *out = NULL;
    if (!dir)
        return NULL;
    snprintf(title, sizeof title, HOSTILE_TITLE, dir, dir, dir);
    snprintf(cfg, sizeof cfg,
             "name = \"plain\";\ntitle = \"%s\";\n"
             "simulation = { trials = 2000; steps = 28; step = \"quarter\"; "
             "start = \"2025Q1\"; seed = 7; };\n"
             "params = { cut_p = 0.1; };\n"
             "events = {\n"
             "  crisis = { p = \"0.02\"; label = \"Crisis, with 'quotes' & {braces}\"; };\n"
             "  never = { p = \"0\"; label = \"Never happens\"; };\n"
             "  drills_off = { p = \"0.05\"; kind = \"switch\"; recover = \"0.3\"; };\n"
             "};\n"
             "derived = { launches = { value = \"poisson(3)\"; label = \"Launches\"; "
             "unit = \"tests\"; }; };\n"
             "states = {\n"
             "  troops = { init = \"28500\"; next = \"max(0, troops - "
             "(bernoulli(cut_p) ? 1000 : 0))\"; label = \"Troops\"; unit = \"troops\"; };\n"
             "  flat = { init = \"5\"; next = \"flat\"; label = \"Constant\"; };\n"
             "};\n", title);
    free(test_write(dir, "plain.cfg", cfg));
    free(test_write(dir, "other.cfg",
                    "name = \"other\";\ntitle = \"More cuts\";\n"
                    "extends = \"plain.cfg\";\nparams = { cut_p = 0.3; };\n"));
    snprintf(cmd, sizeof cmd, BIN " run %s/plain.cfg %s/other.cfg -o %s/out -q --no-plots",
             dir, dir, dir);
    if (test_run(cmd, &out) != 0) {
        fprintf(stderr, "\nfixture run failed: %s\n", out ? out : "");
        test_rmrf(dir);
        free(dir);
        dir = NULL;
    }
    free(out);
    return dir;
}

/* Points the plots at this tree's style (the test binary is not beside
 * plots/). */
static void use_tree_style(void)
{
    char cwd[4096], path[4200];
    if (getcwd(cwd, sizeof cwd)) {
        snprintf(path, sizeof path, "%s/plots", cwd);
        setenv("NCGSIM_PLOTS", path, 1);
    }
}

/* Runs FN(DIR, O, D) with stderr going to a file; returns its exit value
 * and the text written to stderr in *ERR (malloc'd). */
static int with_stderr(int (*fn)(const char *, const plot_opts *, diag *),
                       const char *dir, const plot_opts *o, diag *d,
                       char **err)
{
    char tmpl[] = "/tmp/ncgsim-test-stderr-XXXXXX";
    int fd = mkstemp(tmpl), saved = dup(2), rc;
    fflush(stderr);
    dup2(fd, 2);
    rc = fn(dir, o, d);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    *err = test_read(tmpl);
    unlink(tmpl);
    return rc;
}

/* 1 when DIR/NAME is a PNG of W x H pixels: the signature, then the
 * IHDR chunk whose first fields are the width and height, big-endian. */
static int png_is(const char *dir, const char *name, unsigned w, unsigned h)
{
    char path[2048];
    unsigned char b[24];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(b, 1, sizeof b, f) : 0;
    if (f)
        fclose(f);
    unsigned pw = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
    unsigned ph = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
    if (n == sizeof b && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0
        && memcmp(b + 12, "IHDR", 4) == 0 && pw == w && ph == h)
        return 1;
    fprintf(stderr, "\n%s: not a %ux%u PNG\n", path, w, h);
    return 0;
}

/* 1 when DIR/NAME exists. */
static int exists(const char *dir, const char *name)
{
    char path[2048];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

/* 1 when DIR/NAME starts with PREFIX. */
static int starts_with(const char *dir, const char *name, const char *prefix)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = test_read(path);
    int ok = text && strncmp(text, prefix, strlen(prefix)) == 0;
    free(text);
    return ok;
}

/* A fixture: the results of fixture() with their folders, and a message
 * list. */
typedef struct fx {
    char *dir;     /* the fixture's folder (owned) */
    char sc[512];  /* DIR/out/plain */
    char cmp[512]; /* DIR/out/compare */
    diag *d;
} fx;

/* Runs the scenarios and points the plots at this tree's style; 1 when
 * everything is ready. */
static int fx_begin(fx *x)
{
    x->dir = fixture();
    x->d = diag_alloc();
    if (!x->dir || !x->d)
        return 0;
    use_tree_style();
    snprintf(x->sc, sizeof x->sc, "%s/out/plain", x->dir);
    snprintf(x->cmp, sizeof x->cmp, "%s/out/compare", x->dir);
    return 1;
}

static void fx_end(fx *x)
{
    diag_free(x->d);
    if (x->dir)
        test_rmrf(x->dir);
    free(x->dir);
}

static void test_plot__scenario_png__draws_every_kind_at_its_size_without_warnings(void)
{
    fx x;
    char *err = NULL;
    plot_opts o = { .format = "png", .quiet = 1 };
    CU_ASSERT_FATAL(fx_begin(&x));
    CU_ASSERT_EQUAL(with_stderr(plot_scenario, x.sc, &o, x.d, &err), 0);
    /* Nothing from gnuplot, though a constant, an event that never
     * happens and a count all have ranges it would find empty. */
    CU_ASSERT_STRING_EQUAL(err ? err : "(null)", "");
    CU_ASSERT_EQUAL(diag_count(x.d), 0);
    static const char *const sized[] = { "dist_troops.png", "fan_troops.png",
        "dist_flat.png", "fan_flat.png", "dist_launches.png",
        "event_crisis.png", "event_never.png", "event_drills_off.png" };
    for (size_t i = 0; i < sizeof sized / sizeof sized[0]; i++)
        CU_ASSERT(png_is(x.sc, sized[i], 1000, 600));
    CU_ASSERT(png_is(x.sc, "overview.png", 1600, 1000));
    CU_ASSERT(exists(x.sc, "fan_troops.gp"));
    CU_ASSERT(exists(x.sc, "all.gp"));
    free(err);
    fx_end(&x);
}

/* A chart reads only its variable's rows of a file that holds them all
 * (" every ::A::B"), the rows where column 1 names it; the image is the
 * same as a scan of the whole file. */
static void test_plot__fan__reads_only_its_rows_and_draws_the_same_image(void)
{
    fx x;
    plot_opts o = { .format = "svg", .quiet = 1 };
    CU_ASSERT_FATAL(fx_begin(&x));
    CU_ASSERT_EQUAL_FATAL(plot_scenario(x.sc, &o, x.d), 0);
    char path[700], want[64];
    /* The rows of "flat" in timeseries.csv, counted from 0 after the
     * header, as gnuplot's every counts them. */
    snprintf(path, sizeof path, "%s/timeseries.csv", x.sc);
    char *ts = test_read(path);
    CU_ASSERT_FATAL(ts != NULL);
    long row = -1, first = -1, last = -1;
    for (char *p = strchr(ts, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
        row++;
        if (strncmp(p + 1, "flat,", 5) == 0) {
            if (first < 0)
                first = row;
            last = row;
        }
    }
    CU_ASSERT_FATAL(first > 0 && last > first);
    snprintf(want, sizeof want, " every ::%ld::%ld using", first, last);
    snprintf(path, sizeof path, "%s/fan_flat.gp", x.sc);
    char *gp = test_read(path);
    CU_ASSERT_FATAL(gp != NULL);
    size_t n = 0;
    for (char *p = strstr(gp, want); p; p = strstr(p + 1, want))
        n++;
    CU_ASSERT_EQUAL(n, 4);
    /* The same script scanning the whole file, drawn beside it. */
    char *full = malloc(strlen(gp) + 1), *w = full;
    CU_ASSERT_FATAL(full != NULL);
    for (const char *p = gp; *p;) {
        if (strncmp(p, " every ::", 9) == 0)
            p = strstr(p, " using");
        else
            *w++ = *p++;
    }
    *w = '\0';
    char *out = strstr(full, "fan_flat.' . ncg_format");
    CU_ASSERT_FATAL(out != NULL);
    memcpy(out, "fan_full", 8);
    free(test_write(x.sc, "fan_full.gp", full));
    char *log = NULL;
    CU_ASSERT_EQUAL(test_run_in(x.sc, "cd \"$D\" && gnuplot -e "
                                "\"ncg_format='svg'\" fan_full.gp", &log), 0);
    free(log);
    snprintf(path, sizeof path, "%s/fan_flat.svg", x.sc);
    char *a = test_read(path);
    snprintf(path, sizeof path, "%s/fan_full.svg", x.sc);
    char *b = test_read(path);
    CU_ASSERT_FATAL(a != NULL && b != NULL);
    CU_ASSERT(strlen(a) > 1000);
    CU_ASSERT_STRING_EQUAL(a, b);
    free(a);
    free(b);
    free(full);
    free(gp);
    free(ts);
    fx_end(&x);
}

static void test_plot__compare_png__draws_cdf_fan_diff_and_events(void)
{
    fx x;
    char *err = NULL;
    plot_opts o = { .format = NULL, .quiet = 1 };
    CU_ASSERT_FATAL(fx_begin(&x));
    CU_ASSERT_EQUAL(with_stderr(plot_compare, x.cmp, &o, x.d, &err), 0);
    CU_ASSERT_STRING_EQUAL(err ? err : "(null)", "");
    CU_ASSERT(png_is(x.cmp, "cdf_troops.png", 1000, 600));
    CU_ASSERT(png_is(x.cmp, "fan_troops.png", 1000, 600));
    CU_ASSERT(png_is(x.cmp, "cdf_flat.png", 1000, 600));
    /* One row per scenario but the reference: 160 + 60 per scenario. */
    CU_ASSERT(png_is(x.cmp, "diff_troops.png", 1000, 280));
    CU_ASSERT(png_is(x.cmp, "diff_crisis.png", 1000, 280));
    /* 220 + per event (3) a row of 11 px per scenario (2) + 14. */
    CU_ASSERT(png_is(x.cmp, "events.png", 1200, 220 + 3 * (11 * 2 + 14)));
    free(err);
    fx_end(&x);
}

static void test_plot__svg_and_pdf__are_written_with_their_signatures(void)
{
    fx x;
    char *err = NULL;
    plot_opts svg = { .format = "svg", .quiet = 1 }, pdf = { .format = "pdf", .quiet = 1 };
    CU_ASSERT_FATAL(fx_begin(&x));
    CU_ASSERT_EQUAL(with_stderr(plot_scenario, x.sc, &svg, x.d, &err), 0);
    CU_ASSERT_STRING_EQUAL(err ? err : "(null)", "");
    free(err);
    CU_ASSERT(starts_with(x.sc, "fan_troops.svg", "<?xml")
              || starts_with(x.sc, "fan_troops.svg", "<svg"));
    CU_ASSERT(starts_with(x.sc, "overview.svg", "<?xml"));
    CU_ASSERT_EQUAL(with_stderr(plot_scenario, x.sc, &pdf, x.d, &err), 0);
    CU_ASSERT_STRING_EQUAL(err ? err : "(null)", "");
    CU_ASSERT(starts_with(x.sc, "dist_troops.pdf", "%PDF"));
    CU_ASSERT(starts_with(x.sc, "event_crisis.pdf", "%PDF"));
    free(err);
    fx_end(&x);
}

static void test_plot__hostile_title__is_drawn_as_text_and_runs_nothing(void)
{
    fx x;
    char path[2048], *err = NULL;
    plot_opts o = { .format = "png", .quiet = 1 };
    CU_ASSERT_FATAL(fx_begin(&x));
    CU_ASSERT_EQUAL(with_stderr(plot_scenario, x.sc, &o, x.d, &err), 0);
    CU_ASSERT_STRING_EQUAL(err ? err : "(null)", "");
    free(err);
    CU_ASSERT_EQUAL(with_stderr(plot_compare, x.cmp, &o, x.d, &err), 0);
    CU_ASSERT_STRING_EQUAL(err ? err : "(null)", "");
    CU_ASSERT(png_is(x.sc, "fan_troops.png", 1000, 600));
    CU_ASSERT(png_is(x.sc, "overview.png", 1600, 1000));
    for (int i = 1; i <= 3; i++) {
        char mark[32];
        snprintf(mark, sizeof mark, "owned%d", i);
        CU_ASSERT_FALSE(exists(x.dir, mark));
    }
    /* The title is in the script as single-quoted strings, its quotes
     * joined in between. */
    snprintf(path, sizeof path, "%s/fan_troops.gp", x.sc);
    char *gp = test_read(path);
    CU_ASSERT_PTR_NOT_NULL(gp ? strstr(gp, "it' . \"'\" . '' . \"'\" . 's `touch ")
                              : NULL);
    free(gp);
    free(err);
    fx_end(&x);
}

static void test_plot__script_run_from_another_folder__redraws_its_plot(void)
{
    fx x;
    char cmd[4096], *out = NULL;
    plot_opts o = { .format = "png", .quiet = 1 };
    CU_ASSERT_FATAL(fx_begin(&x));
    CU_ASSERT_EQUAL_FATAL(plot_scenario(x.sc, &o, x.d), 0);
    snprintf(cmd, sizeof cmd, "rm %s/fan_troops.png %s/overview.png && cd / && "
             "gnuplot %s/fan_troops.gp && cd %s && gnuplot out/plain/all.gp",
             x.sc, x.sc, x.sc, x.dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    CU_ASSERT_STRING_EQUAL(out ? out : "(null)", "");
    CU_ASSERT(png_is(x.sc, "fan_troops.png", 1000, 600));
    CU_ASSERT(png_is(x.sc, "overview.png", 1600, 1000));
    free(out);
    fx_end(&x);
}

static void test_plot__gnuplot_missing__writes_scripts_and_says_once_how_to_install(void)
{
    fx x;
    char *err = NULL;
    char *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    plot_opts o = { .format = "png", .quiet = 1 };
    CU_ASSERT_FATAL(fx_begin(&x));
    setenv("PATH", x.dir, 1); /* a folder without gnuplot */
    /* The note is once per process and no other test lacks gnuplot. */
    CU_ASSERT_EQUAL(with_stderr(plot_scenario, x.sc, &o, x.d, &err), 0);
    CU_ASSERT_STRING_EQUAL(err ? err : "(null)", "ncgsim: gnuplot not found: "
                           "plot scripts written but not drawn (install it: "
                           "sudo apt-get install gnuplot-nox)\n");
    free(err);
    CU_ASSERT_EQUAL(with_stderr(plot_compare, x.cmp, &o, x.d, &err), 0);
    if (path)
        setenv("PATH", path, 1);
    CU_ASSERT_STRING_EQUAL(err ? err : "(null)", "");
    CU_ASSERT(exists(x.sc, "fan_troops.gp"));
    CU_ASSERT(exists(x.cmp, "diff_troops.gp"));
    CU_ASSERT_FALSE(exists(x.sc, "fan_troops.png"));
    CU_ASSERT_EQUAL(diag_count(x.d), 0);
    free(err);
    free(path);
    fx_end(&x);
}

static void test_plot__format_ok__accepts_png_svg_and_pdf_only(void)
{
    static const struct { const char *format; int ok; } cases[] = {
        { "png", 1 }, { "svg", 1 }, { "pdf", 1 }, { "PNG", 0 }, { "jpg", 0 },
        { "", 0 }, { NULL, 0 }, { "png ", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CU_ASSERT_EQUAL(plot_format_ok(cases[i].format), cases[i].ok);
}

static void test_plot__missing_results__is_an_io_error_naming_the_file(void)
{
    char *dir = test_tmpdir(), want[1024];
    diag *d = diag_alloc();
    plot_opts o = { .format = "png", .quiet = 1 };
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    CU_ASSERT_EQUAL(plot_scenario(dir, &o, d), NCG_EXIT_IO);
    snprintf(want, sizeof want, "%s/timeseries.csv: cannot read: No such "
             "file or directory", dir);
    CU_ASSERT_EQUAL_FATAL(diag_count(d), 1);
    CU_ASSERT_STRING_EQUAL(diag_get(d, 0), want);
    diag_free(d);
    test_rmrf(dir);
    free(dir);
}

static void test_plot__unknown_format__is_a_usage_error(void)
{
    diag *d = diag_alloc();
    plot_opts o = { .format = "jpg", .quiet = 1 };
    CU_ASSERT_EQUAL(plot_compare("/nonexistent", &o, d), NCG_EXIT_USAGE);
    CU_ASSERT_EQUAL_FATAL(diag_count(d), 1);
    CU_ASSERT_STRING_EQUAL(diag_get(d, 0),
                           "unknown plot format 'jpg' (png, svg or pdf)");
    diag_free(d);
}

static void test_plot__image_check__finds_truncated_and_empty_images(void)
{
    fx x;
    plot_opts o = { .format = "png", .quiet = 1 };
    char cmd[4096], path[2048];
    const char *why;
    CU_ASSERT_FATAL(fx_begin(&x));
    CU_ASSERT_EQUAL_FATAL(plot_scenario(x.sc, &o, x.d), 0);
    snprintf(path, sizeof path, "%s/fan_troops.png", x.sc);
    CU_ASSERT_EQUAL(gp_image_complete(path, "png", &why), 0);
    /* What a full disk leaves: the first part of the file, or nothing. */
    snprintf(cmd, sizeof cmd, "cd %s && head -c 3000 fan_troops.png > cut.png "
             "&& : > empty.png && printf '<svg>\\n<g>\\n' > cut.svg && "
             "printf '<svg>\\n</svg>\\n' > whole.svg && "
             "printf '%%%%PDF-1.5\\n1 0 obj' > cut.pdf && "
             "printf '%%%%PDF-1.5\\n%%%%%%%%EOF\\n' > whole.pdf", x.sc);
    CU_ASSERT_EQUAL_FATAL(test_run(cmd, NULL), 0);
    static const struct { const char *file, *ext, *why; } cases[] = {
        { "cut.png", "png", "truncated PNG (no IEND chunk at its end)" },
        { "empty.png", "png", "empty file" },
        { "nosuch.png", "png", "not drawn" },
        { "cut.svg", "svg", "truncated SVG (no </svg> at its end)" },
        { "whole.svg", "svg", NULL },
        { "cut.pdf", "pdf", "truncated PDF (no %%EOF at its end)" },
        { "whole.pdf", "pdf", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", x.sc, cases[i].file);
        int rc = gp_image_complete(path, cases[i].ext, &why);
        CU_ASSERT_EQUAL(rc, cases[i].why ? -1 : 0);
        if (cases[i].why)
            CU_ASSERT_STRING_EQUAL(why ? why : "(null)", cases[i].why);
    }
    fx_end(&x);
}

static void test_plot__file_size_limit__reports_and_removes_cut_images(void)
{
    /* A disk that fills while gnuplot draws, as a per-file size limit: a
     * cut image is never kept, each is named, and the status is 4. */
    fx x;
    char cmd[4096], *out = NULL;
    CU_ASSERT_FATAL(fx_begin(&x));
    snprintf(cmd, sizeof cmd, "ulimit -f 24; " BIN " plot -j 1 %s", x.sc);
    int rc = test_run(cmd, &out);
    CU_ASSERT_EQUAL(rc, NCG_EXIT_IO);
    CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, ".png: truncated PNG (no IEND "
                                        "chunk at its end) (a full disk?); "
                                        "removed") : NULL);
    CU_ASSERT_PTR_NULL(out ? strstr(out, "files drawn") : NULL);
    CU_ASSERT_PTR_NULL(out ? strstr(out, "plots: ") : NULL);
    CU_ASSERT_PTR_NULL(out ? strstr(out, "is gnuplot installed") : NULL);
    /* Every image left in the folder is whole. */
    snprintf(cmd, sizeof cmd, "ls %s | grep '[.]png$' || true", x.sc);
    char *list = NULL;
    test_run(cmd, &list);
    for (char *p = list ? strtok(list, "\n") : NULL; p; p = strtok(NULL, "\n")) {
        char path[2048];
        const char *why;
        snprintf(path, sizeof path, "%s/%s", x.sc, p);
        CU_ASSERT_EQUAL(gp_image_complete(path, "png", &why), 0);
    }
    free(list);
    free(out);
    fx_end(&x);
}

static void test_plot__installed_binary__finds_its_style_beside_it(void)
{
    /* make install PREFIX=P puts the binary in P/bin and the style in
     * P/share/ncgsim/plots: a copy laid out so, with a marked style. */
    char *dir = test_tmpdir(), cmd[4096], *out = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    free(test_write(dir, "s.cfg", "name = \"s\";\nsimulation = { steps = 2; "
                    "trials = 50; };\nstates = { x = { init = \"1\"; next = "
                    "\"x + normal(0, 1)\"; }; };\n"));
    snprintf(cmd, sizeof cmd, "mkdir -p %s/p/bin %s/p/share/ncgsim/plots && "
             "cp \"${NCGSIM_BIN:-./ncgsim}\" %s/p/bin/ncgsim && "
             "(cat plots/style.gp; echo '# installed copy') > "
             "%s/p/share/ncgsim/plots/style.gp && cd / && "
             "env -u NCGSIM_PLOTS %s/p/bin/ncgsim run -q -o %s/out %s/s.cfg",
             dir, dir, dir, dir, dir, dir, dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    CU_ASSERT_STRING_EQUAL(out ? out : "(null)", "");
    char path[2048];
    snprintf(path, sizeof path, "%s/out/s/style.gp", dir);
    char *style = test_read(path);
    CU_ASSERT_PTR_NOT_NULL(style ? strstr(style, "# installed copy") : NULL);
    free(style);
    free(out);
    test_rmrf(dir);
    free(dir);
}

/* The result folders of every command, under a results folder: a run of
 * two scenarios (their folders and the comparison), a sensitivity, a
 * 1-D sweep (in one/), a 2-D sweep, a discovery, a score and a merge of
 * a sharded run (in merged/). */
static const char *const every_kind[] = {
    "unc", "unc2", "compare", "unc-sensitivity", "one/unc-sweep",
    "unc-sweep", "unc-discovery", "score", "merged/unc", "merged/unc2",
    "merged/compare"
};
enum { N_KINDS = sizeof every_kind / sizeof every_kind[0] };

/* The charts each folder of every_kind draws, in its order. */
static const size_t every_kind_charts[N_KINDS] = { 4, 4, 5, 4, 2, 2, 3, 1,
                                                   4, 4, 5 };

/* Counts the charts of folder DIR (its scripts but style.gp and all.gp)
 * into *N; 1 when each has a complete image of format EXT and no image
 * of another format is left. */
static int charts_drawn(const char *dir, const char *ext, size_t *n)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    int ok = dp != NULL;
    *n = 0;
    while (dp && (e = readdir(dp)) != NULL) {
        const char *dot = strrchr(e->d_name, '.'), *why;
        char path[8192];
        if (dot && strcmp(dot + 1, ext) != 0
            && (!strcmp(dot, ".png") || !strcmp(dot, ".svg")
                || !strcmp(dot, ".pdf"))) {
            fprintf(stderr, "\n%s/%s: an old drawing left\n", dir, e->d_name);
            ok = 0;
        }
        if (!dot || strcmp(dot, ".gp") != 0 || !strcmp(e->d_name, "all.gp")
            || !strcmp(e->d_name, "style.gp"))
            continue;
        (*n)++;
        snprintf(path, sizeof path, "%s/%.*s.%s", dir,
                 (int)(dot - e->d_name), e->d_name, ext);
        if (gp_image_complete(path, ext, &why) != 0) {
            fprintf(stderr, "\n%s: %s\n", path, why);
            ok = 0;
        }
    }
    if (dp)
        closedir(dp);
    return ok;
}

/* 1 when every folder of every_kind under DIR has its charts drawn whole
 * in format EXT. */
static int every_chart_drawn(const char *dir, const char *ext)
{
    int ok = 1;
    for (size_t k = 0; k < N_KINDS; k++) {
        char path[4096];
        size_t n;
        snprintf(path, sizeof path, "%s/%s", dir, every_kind[k]);
        if (!charts_drawn(path, ext, &n) || n != every_kind_charts[k]) {
            fprintf(stderr, "\n%s: %zu charts, %zu expected\n", path, n,
                    every_kind_charts[k]);
            ok = 0;
        }
    }
    return ok;
}

static void test_plot__any_commands_folder__copied_elsewhere_redraws_and_plot_redraws_it(void)
{
    /* Every command's folders, copied to a new place without their
     * images: gnuplot run on each script there redraws its chart whole
     * and silently, no script names a path outside its folder, and
     * `ncgsim plot` redraws the copies in another format from their data
     * files. */
    char *dir = test_tmpdir(), cmd[8192], *out = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    use_tree_style();
    free(test_write(dir, "unc.cfg", TEST_UNC_CFG));
    free(test_write(dir, "unc2.cfg", "name = \"unc2\";\nextends = "
                    "\"unc.cfg\";\nparams = { cut = { dist = \"uniform\"; "
                    "min = 400.0; max = 900.0; }; };\n"));
    free(test_write(dir, "outcomes.csv", TEST_UNC_OUTCOMES));
    snprintf(cmd, sizeof cmd, "cd %s && B=\"${NCGSIM_BIN:-$OLDPWD/ncgsim}\" && "
             "$B run unc.cfg unc2.cfg -n 200 -o out -q -j2 && "
             "$B sensitivity unc.cfg -n 200 --bootstrap 10 -o out -q -j2 && "
             "$B sweep unc.cfg -n 100 --vary cut=200:800:300 -o out/one -q "
             "-j2 && $B sweep unc.cfg -n 100 --vary cut=200:800:300 "
             "--vary p_crisis=0:0.2:0.1 -o out -q -j2 && "
             "$B discover unc.cfg --case 'troops < 28000' -n 400 "
             "--resample 0 -o out/unc-discovery -q -j2 && "
             "$B score out/unc out/unc2 --outcomes outcomes.csv -o out -q "
             "-j2 && for i in 1 2; do $B run unc.cfg unc2.cfg -n 200 -q -j2 "
             "--no-plots --shard $i/2 -o parts || exit 9; done && "
             "$B merge parts -o out/merged -q -j2 && "
             "cp -r out moved && find moved -name '*.png' -delete && "
             "for g in $(find moved -name '*.gp' ! -name style.gp "
             "! -name all.gp); do (cd ${g%%/*.gp} && gnuplot ${g##*/}) "
             "|| exit 8; done && "
             "! grep -rl -e '%s' -e '[.]tmp-' --include='*.gp' moved", dir, dir);
    int rc = test_run(cmd, &out);
    if (rc != 0)
        fprintf(stderr, "\n%s\n", out ? out : "");
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(out ? out : "(null)", "");
    free(out);
    char moved[1024];
    snprintf(moved, sizeof moved, "%s/moved", dir);
    CU_ASSERT(every_chart_drawn(moved, "png"));
    /* `ncgsim plot` on the copies: another format, through the writer,
     * the old images replaced, not left beside, and each chart drawn
     * from the folder's data files, not from its old scripts (here
     * gone). */
    snprintf(cmd, sizeof cmd, "cd %s && rm unc-sensitivity/*.gp one/*/*.gp "
             "unc-sweep/*.gp unc-discovery/*.gp score/*.gp && "
             "\"${NCGSIM_BIN:-$OLDPWD/ncgsim}\" plot -q "
             "--format svg . one "
             "merged", moved);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    CU_ASSERT_STRING_EQUAL(out ? out : "(null)", "");
    free(out);
    CU_ASSERT(every_chart_drawn(moved, "svg"));
    test_rmrf(dir);
    free(dir);
}

/* 1 when every script (*.gp) in folder A is in folder B, byte for byte. */
static int same_scripts(const char *a, const char *b)
{
    DIR *dp = opendir(a);
    struct dirent *e;
    int ok = dp != NULL, n = 0;
    while (dp && (e = readdir(dp)) != NULL) {
        const char *dot = strrchr(e->d_name, '.');
        char pa[4096], pb[4096];
        if (!dot || strcmp(dot, ".gp") != 0)
            continue;
        snprintf(pa, sizeof pa, "%s/%s", a, e->d_name);
        snprintf(pb, sizeof pb, "%s/%s", b, e->d_name);
        char *ta = test_read(pa), *tb = test_read(pb);
        n++;
        if (!ta || !tb || strcmp(ta, tb) != 0) {
            fprintf(stderr, "\n%s and %s differ\n", pa, pb);
            ok = 0;
        }
        free(ta);
        free(tb);
    }
    if (dp)
        closedir(dp);
    return ok && n > 0;
}

static void test_plot__csv_spelling__gives_the_same_scripts_and_text_as_written(void)
{
    /* The result files read with the one CSV reader: the same data with
     * CR LF line ends, a byte-order mark and a blank last line give the
     * same scripts, byte for byte; a label the CSV guards against
     * spreadsheet formulas ('=...) is drawn as the scenario wrote it. */
    char *dir = test_tmpdir(), cmd[4096], *out = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    use_tree_style();
    free(test_write(dir, "g.cfg", "name = \"g\";\ntitle = \"Guarded\";\n"
        "simulation = { trials = 300; steps = 6; seed = 2; };\n"
        "events = { hit = { p = \"0.1\"; label = \"+1, a \\\"hit\\\"\"; }; };\n"
        "states = { x = { init = \"10\"; next = \"x + normal(0, 1)\"; "
        "label = \"=x+1, guarded\"; unit = \"@u\"; }; };\n"));
    free(test_write(dir, "h.cfg", "name = \"h\";\nextends = \"g.cfg\";\n"
                    "states = { x = { init = \"12\"; }; };\n"));
    snprintf(cmd, sizeof cmd, "cd %s && \"${NCGSIM_BIN:-$OLDPWD/ncgsim}\" "
             "run g.cfg h.cfg -o a -q --no-plots && cp -r a b && "
             "for f in b/*/*.csv; do { printf '\\357\\273\\277'; "
             "sed 's/$/\\r/' $f; printf '\\r\\n'; } > t && mv t $f; done && "
             "grep -q \"'=x+1, guarded\" a/g/summary.csv", dir);
    int rc = test_run(cmd, &out);
    if (rc != 0)
        fprintf(stderr, "\n%s\n", out ? out : "");
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    free(out);
    plot_opts o = { .format = "png", .quiet = 1 };
    diag *d = diag_alloc();
    static const char *const folders[] = { "g", "h", "compare" };
    for (size_t i = 0; i < 3; i++) {
        char a[2048], b[2048];
        snprintf(a, sizeof a, "%s/a/%s", dir, folders[i]);
        snprintf(b, sizeof b, "%s/b/%s", dir, folders[i]);
        int (*fn)(const char *, const plot_opts *, diag *) =
            i == 2 ? plot_compare : plot_scenario;
        CU_ASSERT_EQUAL(fn(a, &o, d), 0);
        CU_ASSERT_EQUAL(fn(b, &o, d), 0);
        CU_ASSERT(same_scripts(a, b));
    }
    CU_ASSERT_EQUAL(diag_count(d), 0);
    diag_print(d, stderr);
    diag_free(d);
    char path[2048];
    snprintf(path, sizeof path, "%s/a/g/fan_x.gp", dir);
    char *t = test_read(path);
    CU_ASSERT_PTR_NOT_NULL(t ? strstr(t, "set ylabel '=x+1, guarded' . ' (' "
                                      ". '@u' . ')'") : NULL);
    free(t);
    snprintf(path, sizeof path, "%s/a/g/event_hit.gp", dir);
    t = test_read(path);
    CU_ASSERT_PTR_NOT_NULL(t ? strstr(t, "'+1, a \"hit\"'") : NULL);
    free(t);
    test_rmrf(dir);
    free(dir);
}

static void test_plot__nonexistent_folder__says_no_such_folder(void)
{
    char *out = NULL;
    CU_ASSERT_EQUAL(test_run(BIN " plot /nonexistent/results", &out), NCG_EXIT_IO);
    CU_ASSERT_STRING_EQUAL(out ? out : "", "/nonexistent/results: no such folder\n");
    free(out);
}

static void test_plot__many_variables__charts_capped_with_one_note_overview_kept(void)
{
    char *dir = test_tmpdir(), cmd[4096], *out = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    free(test_write(dir, "m.cfg", "name = \"m\";\nsimulation = { steps = 3; "
                    "trials = 100; };\nstates = {\n"
                    "  a = { init = \"1\"; next = \"a + normal(0, 1)\"; };\n"
                    "  b = { init = \"1\"; next = \"b + normal(0, 1)\"; };\n"
                    "  c = { init = \"1\"; next = \"c + normal(0, 1)\"; };\n};\n"
                    "events = { e = { p = \"0.1\"; }; };\n"));
    snprintf(cmd, sizeof cmd, "NCGSIM_PLOTS=\"$PWD/plots\" NCGSIM_MAX_PLOTS=2 "
             BIN " run -q -o %s/out %s/m.cfg && ls %s/out/m | grep png$",
             dir, dir, dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    char want[1024];
    snprintf(want, sizeof want, "ncgsim: note: %s/out/m: charts of their own "
             "for the first 2 variables only, 2 more left out (the overview "
             "and the CSV files have all; NCGSIM_MAX_PLOTS=N or 'all' draws "
             "more)\ndist_a.png\ndist_b.png\nfan_a.png\nfan_b.png\n"
             "overview.png\n", dir);
    CU_ASSERT_STRING_EQUAL(out ? out : "", want);
    free(out);
    test_rmrf(dir);
    free(dir);
}

/* Checks the gnuplot script TEXT (named NAME) against the rules for
 * numbers on charts: before every plot, each of the x and y axes has
 * either a fixed-notation tic format ('%.Nf') or tics of its own (set
 * tics (...), unset tics, or labels from the data: xtic(2) in the plot
 * command's first line); no format in the script can print scientific
 * notation (%g, %e, %h). Returns the number of broken rules, printed. */
static size_t check_script_numbers(const char *name, const char *text)
{
    static const char *const sci[] = { "%g", "%.1g", "%.2g", "%.3g",
        "%.4g", "%e", "%h", "% h" };
    size_t bad = 0;
    int ok[2] = { 0, 0 };
    for (size_t i = 0; i < sizeof sci / sizeof *sci; i++)
        if (strstr(text, sci[i])) {
            fprintf(stderr, "\n%s: a format '%s'", name, sci[i]);
            bad++;
        }
    for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l) {
        for (int a = 0; a < 2; a++) {
            char fmt[32], tics[32], unset[32], autof[32];
            snprintf(fmt, sizeof fmt, "set format %c '%%.", "xy"[a]);
            snprintf(tics, sizeof tics, "set %ctics (", "xy"[a]);
            snprintf(unset, sizeof unset, "unset %ctics", "xy"[a]);
            snprintf(autof, sizeof autof, "set %ctics autofreq", "xy"[a]);
            if (strncmp(l, "reset", 5) == 0 || strncmp(l, autof, strlen(autof)) == 0)
                ok[a] = 0;
            if (strncmp(l, fmt, strlen(fmt)) == 0 || strncmp(l, tics, strlen(tics)) == 0
                || strncmp(l, unset, strlen(unset)) == 0)
                ok[a] = 1;
        }
        /* A plot that names its tics from the data (xtic(2)) has tics of
         * its own on that axis. */
        const char *eol = strchr(l, '\n');
        size_t len = eol ? (size_t)(eol - l) : strlen(l);
        if (strncmp(l, "plot ", 5) == 0)
            for (int a = 0; a < 2; a++) {
                char tic[8];
                snprintf(tic, sizeof tic, "%ctic(", "xy"[a]);
                char *line = strndup(l, len);
                if (line && strstr(line, tic))
                    ok[a] = 1;
                free(line);
            }
        if (strncmp(l, "plot ", 5) == 0)
            for (int a = 0; a < 2; a++)
                if (!ok[a]) {
                    fprintf(stderr, "\n%s: a plot whose %c axis has no fixed "
                            "format", name, "xy"[a]);
                    bad++;
                }
    }
    return bad;
}

/* The scripts of every chart of folder DIR, checked as above; adds the
 * scripts read to *N. */
static size_t check_folder_numbers(const char *dir, size_t *n)
{
    char cmd[1024], *list = NULL;
    size_t bad = 0;
    snprintf(cmd, sizeof cmd, "cd %s && ls *.gp | grep -v '^all.gp$' | grep -v '^style.gp$'", dir);
    if (test_run(cmd, &list) != 0) {
        free(list);
        return 1;
    }
    for (char *f = strtok(list, "\n"); f; f = strtok(NULL, "\n")) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, f);
        char *text = test_read(path);
        if (!text) {
            bad++;
            continue;
        }
        bad += check_script_numbers(f, text);
        ++*n;
        free(text);
    }
    free(list);
    return bad;
}

/* Large values that barely move, rare events and two scenarios that are
 * one: every chart's tics in fixed notation, an axis over time that spans
 * at least a fifth of the values' size, and a CDF that names the twin
 * rather than hide it. */
static void test_plot__scripts__fixed_tics_honest_ranges_and_twins_named(void)
{
    char *dir = test_tmpdir(), cmd[2048], *out = NULL;
    free(test_write(dir, "big.cfg",
        "name = \"big\";\nsimulation = { trials = 3000; steps = 8; step = \"quarter\"; "
        "start = \"2025Q1\"; seed = 3; };\n"
        "events = { rare = { p = \"0.00005\"; label = \"Rare\"; }; };\n"
        "states = { budget = { init = \"3000000\"; next = \"budget + normal(20, 5)\"; "
        "label = \"Budget\"; unit = \"USD\"; };\n"
        "  share = { init = \"0.0001\"; next = \"share + normal(0, 0.00001)\"; }; };\n"));
    free(test_write(dir, "twin.cfg", "extends = \"big.cfg\";\nname = \"twin\";\n"));
    snprintf(cmd, sizeof cmd, BIN " run %s/big.cfg %s/twin.cfg -o %s/out -q",
             dir, dir, dir);
    CU_ASSERT_EQUAL_FATAL(test_run(cmd, &out), 0);
    free(out);
    size_t n = 0, bad = 0;
    char sub[1024];
    snprintf(sub, sizeof sub, "%s/out/big", dir);
    bad += check_folder_numbers(sub, &n);
    snprintf(sub, sizeof sub, "%s/out/compare", dir);
    bad += check_folder_numbers(sub, &n);
    CU_ASSERT(n >= 12);
    CU_ASSERT_EQUAL(bad, 0);
    /* A drift of about 160 on 3,000,000: the axis spans 20% of it. */
    snprintf(sub, sizeof sub, "%s/out/big/fan_budget.gp", dir);
    char *fan = test_read(sub);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fan);
    const char *yr = strstr(fan, "set yrange [");
    double lo = 0, hi = 0;
    CU_ASSERT_FATAL(yr && sscanf(yr, "set yrange [%lf:%lf]", &lo, &hi) == 2);
    CU_ASSERT(hi - lo >= 0.2 * 3000000);
    CU_ASSERT(lo <= 3000000 && hi >= 3000200);
    CU_ASSERT_PTR_NOT_NULL(strstr(fan, "set format y '%.0f'"));
    free(fan);
    /* The twin's CDF is drawn on top, thinner, dashed, and named. */
    snprintf(sub, sizeof sub, "%s/out/compare/cdf_budget.gp", dir);
    char *cdf = test_read(sub);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cdf);
    CU_ASSERT_PTR_NOT_NULL(strstr(cdf, "dt solid lw 3.50 title 'big'"));
    /* Same trials, bins from each run's own pilot: one line to the eye. */
    CU_ASSERT(strstr(cdf, "dt (10,5) lw 1.20 title 'twin (same as big)'")
              || strstr(cdf, "dt (10,5) lw 1.20 title 'twin (within 1 "
                        "percentage point of big)'"));
    free(cdf);
    test_rmrf(dir);
    free(dir);
}

/* 1 when the file DIR/NAME contains TEXT, 0 when it does not, -1 when it
 * cannot be read. */
static int file_has(const char *dir, const char *name, const char *text)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *all = test_read(path);
    int has = all ? strstr(all, text) != NULL : -1;
    free(all);
    return has;
}

/* Up to 24 scenarios never share a line style (colour and dashes), and
 * only the reference is black; a CDF of fourteen names every one in its
 * key; the figures beside a difference chart's points are rounded to
 * their own error, not to the spread of all of them. */
static void test_plot__many_scenarios__own_styles_all_named_figures_to_their_error(void)
{
    char path[1024], lc[24][16], dt[24][16], *style;
    snprintf(path, sizeof path, "plots/style.gp");
    style = test_read(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(style);
    memset(lc, 0, sizeof lc);
    memset(dt, 0, sizeof dt);
    for (const char *p = style; (p = strstr(p, "\nset linetype ")); p++) {
        int k;
        char c[16], d[16];
        if (sscanf(p, "\nset linetype %d lc rgb '%15[^']' lw %*s pt %*s ps %*s "
                   "dt %15[^\n]", &k, c, d) == 3 && k >= 1 && k <= 24) {
            strcpy(lc[k - 1], c);
            strcpy(dt[k - 1], d);
        }
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(style, "\nset linetype cycle 24\n"));
    for (int i = 0; i < 24; i++) {
        CU_ASSERT(lc[i][0] != 0);
        CU_ASSERT((strcmp(lc[i], "#000000") == 0) == (i == 0));
        for (int j = 0; j < i; j++)
            CU_ASSERT(strcmp(lc[i], lc[j]) != 0 || strcmp(dt[i], dt[j]) != 0);
    }
    free(style);

    char *dir = test_tmpdir(), cmd[8192], *out = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    free(test_write(dir, "s0.cfg",
        "name = \"s0\";\nsimulation = { trials = 500; steps = 4; step = \"quarter\"; "
        "start = \"2025Q1\"; seed = 3; };\nparams = { d = 0.0; };\n"
        "events = { e = { p = \"0.2\"; label = \"E\"; }; };\n"
        "states = { y = { init = \"100\"; next = \"y + d + normal(0, 1)\"; "
        "label = \"Y\"; };\n  c = { init = \"1\"; next = \"max(0.9, c - 0.001 * d"
        " - abs(normal(0, 0.001)))\"; unit = \"index 0-1\"; }; };\n"
        "outputs = [\"y\", \"c\", \"e\"];\n"));
    int len = snprintf(cmd, sizeof cmd, BIN " run -q -o %s/out %s/s0.cfg", dir, dir);
    for (int i = 1; i < 14; i++) {
        char name[32], text[128];
        snprintf(name, sizeof name, "s%d.cfg", i);
        snprintf(text, sizeof text, "extends = \"s0.cfg\";\nname = \"s%d\";\n"
                 "params = { d = %d.0; };\n", i, i);
        free(test_write(dir, name, text));
        len += snprintf(cmd + len, sizeof cmd - (size_t)len, " %s/%s", dir, name);
    }
    CU_ASSERT_EQUAL_FATAL(test_run(cmd, &out), 0);
    free(out);
    CU_ASSERT_EQUAL(file_has(dir, "out/compare/cdf_y.gp",
                             "set key inside left top vertical maxrows 14 "), 1);
    CU_ASSERT_EQUAL(file_has(dir, "out/compare/cdf_y.gp", "title 's13'"), 1);
    CU_ASSERT_EQUAL(file_has(dir, "out/compare/diff_y.gp",
                             "(sprintf(sprintf('%%+.%df', fixed_dec($"), 1);
    CU_ASSERT_EQUAL(file_has(dir, "out/compare/diff_e.gp",
                             "(sprintf(sprintf('%%+.%df', fixed_dec($"), 1);
    /* An index on 0-1 near its top: room above 1, but no tic past it. */
    const char *fans[] = { "out/s13/fan_c.gp", "out/compare/fan_c.gp" };
    for (size_t i = 0; i < 2; i++) {
        char p[2048];
        double lo = 0, hi = 0, a = 0, st = 0, b = 2;
        snprintf(p, sizeof p, "%s/%s", dir, fans[i]);
        char *gp = test_read(p);
        const char *yr = gp ? strstr(gp, "set yrange [") : NULL;
        const char *yt = gp ? strstr(gp, "set ytics ") : NULL;
        CU_ASSERT(yr && sscanf(yr, "set yrange [%lf:%lf]", &lo, &hi) == 2);
        CU_ASSERT(yt && sscanf(yt, "set ytics %lf, %lf, %lf", &a, &st, &b) == 3);
        CU_ASSERT(hi > 1 && b <= 1 + 1e-9 && b > 1 - st);
        free(gp);
    }
    test_rmrf(dir);
    free(dir);
}

/* The x range [*LO, *HI] that script PATH sets before its plot. 1 when
 * found. */
static int script_xrange(const char *path, double *lo, double *hi)
{
    char *text = test_read(path);
    const char *at = text ? strstr(text, "set xrange [") : NULL;
    int ok = at && sscanf(at, "set xrange [%lf:%lf]", lo, hi) == 2;
    free(text);
    return ok;
}

/* The other commands' charts, on the same rules, and none of them makes
 * gnuplot warn: a sensitivity with outputs no param moves (a constant
 * state, an event that never happens, a tiny quantity: gnuplot warned of
 * empty x ranges), a conditioned one, 1-D and 2-D sweeps, a discovery, a
 * conditioned run (its posterior chart) and a score. */
static void test_plot__other_commands__fixed_tics_and_no_gnuplot_warning(void)
{
    char *dir = test_tmpdir(), cmd[8192], *out = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    free(test_write(dir, "u.cfg",
        "name = \"u\";\nsimulation = { trials = 400; steps = 8; step = "
        "\"quarter\"; start = \"2025Q1\"; seed = 5; };\n"
        "params = { p_crisis = { dist = \"beta\"; a = 2.0; b = 20.0; };\n"
        "  cut = { dist = \"uniform\"; min = 200.0; max = 800.0; };\n"
        "  gain = { dist = \"const\"; value = 3.0; source = \"judgement\"; };\n"
        "  level = { dist = \"const\"; value = 0.182; }; };\n"
        "events = { crisis = { p = \"p_crisis\"; };\n"
        "  never = { p = \"0\"; }; };\n"
        "states = { troops = { init = \"28500\"; next = \"troops - (crisis ? "
        "cut : 0) + gain\"; };\n  flat = { init = \"level\"; next = "
        "\"level\"; };\n  share = { init = \"0.0001\"; next = \"share + "
        "normal(0, 0.00001)\"; }; };\n"));
    free(test_write(dir, "c.cfg", "extends = \"u.cfg\";\nname = \"c\";\n"
        "observations = ( { var = \"crisis\"; at = \"2025Q2\"; value = 1; } );\n"));
    free(test_write(dir, "outcomes.csv", "id,var,at,through,op,threshold,"
                    "outcome\nq1,crisis,,2025Q4,,,1\nq2,troops,2026Q2,,<,"
                    "28000,0\n"));
    snprintf(cmd, sizeof cmd,
             "B=\"$(realpath \"${NCGSIM_BIN:-./ncgsim}\")\"; cd %s && "
             "\"$B\" sensitivity u.cfg -n 300 --bootstrap 20 -o o -q -j 2 2>&1 && "
             "\"$B\" sensitivity c.cfg -n 300 --bootstrap 20 -o o -q -j 2 2>&1 && "
             "\"$B\" sweep u.cfg -n 200 --vary cut=200:800:300 -o o1 -q -j 2 2>&1 && "
             "\"$B\" sweep u.cfg -n 200 --vary cut=200:800:300 --vary "
             "p_crisis=0:0.2:0.1 -o o2 -q -j 2 2>&1 && "
             "\"$B\" discover u.cfg --case 'troops < 28000' -n 400 --resample 0 "
             "-o o/disc -q -j 2 2>&1 && "
             "\"$B\" run c.cfg -o o -q -j 2 -n 1000 2>&1 && "
             "\"$B\" score o/c u.cfg --outcomes outcomes.csv -o o -q -j 2 2>&1",
             dir);
    CU_ASSERT_EQUAL_FATAL(test_run(cmd, &out), 0);
    /* Not a word from gnuplot (nor anything else: all ran with -q). */
    CU_ASSERT_STRING_EQUAL(out ? out : "(null)", "");
    free(out);
    static const char *const folders[] = { "o/u-sensitivity",
        "o/c-sensitivity", "o1/u-sweep", "o2/u-sweep", "o/disc", "o/c",
        "o/score" };
    size_t n = 0, bad = 0;
    char sub[1024];
    for (size_t i = 0; i < sizeof folders / sizeof *folders; i++) {
        snprintf(sub, sizeof sub, "%s/%s", dir, folders[i]);
        bad += check_folder_numbers(sub, &n);
    }
    CU_ASSERT(n >= 39);
    CU_ASSERT_EQUAL(bad, 0);
    /* Each chart the brief names is among those checked. */
    static const char *const charts[] = { "o/u-sensitivity/tornado-flat.png",
        "o/u-sensitivity/sobol-troops.png", "o/c-sensitivity/sobol-troops.png",
        "o1/u-sweep/sweep-share.png", "o2/u-sweep/sweep-share.png",
        "o/disc/limits.png", "o/disc/scatter.png", "o/disc/tradeoff.png",
        "o/c/posterior.png", "o/score/reliability.png" };
    for (size_t i = 0; i < sizeof charts / sizeof *charts; i++) {
        char path[2048];
        const char *why;
        snprintf(path, sizeof path, "%s/%s", dir, charts[i]);
        if (gp_image_complete(path, "png", &why) != 0)
            fprintf(stderr, "\n%s: %s", charts[i], why);
        CU_ASSERT_EQUAL(gp_image_complete(path, "png", &why), 0);
    }
    /* A probability's axis stays within [0, 1]; an output no param moves
     * says so, on a range around its value. */
    double lo = -1, hi = -1;
    snprintf(sub, sizeof sub, "%s/o/u-sensitivity/tornado-never.gp", dir);
    CU_ASSERT(script_xrange(sub, &lo, &hi) && lo == 0 && hi == 1);
    snprintf(sub, sizeof sub, "%s/o/u-sensitivity/tornado-crisis.gp", dir);
    CU_ASSERT(script_xrange(sub, &lo, &hi) && lo >= 0 && hi <= 1 && hi > lo);
    snprintf(sub, sizeof sub, "%s/o/u-sensitivity/tornado-flat.gp", dir);
    CU_ASSERT(script_xrange(sub, &lo, &hi) && lo < 0.182 && hi > 0.182);
    char *flat = test_read(sub);
    CU_ASSERT_PTR_NOT_NULL(flat ? strstr(flat, "flat' . ': no param changed "
                                         "it in any trial (3 tried)") : NULL);
    free(flat);
    /* The constant's Sobol chart, indices of rounding noise, is not drawn;
     * the noise's one has one slot and says the params explain nothing. */
    CU_ASSERT_FALSE(exists(dir, "o/u-sensitivity/sobol-flat.gp"));
    CU_ASSERT_FALSE(exists(dir, "o/c-sensitivity/sobol-flat.gp"));
    snprintf(sub, sizeof sub, "%s/o/u-sensitivity/sobol-share.gp", dir);
    char *sobol = test_read(sub);
    CU_ASSERT_PTR_NOT_NULL(sobol ? strstr(sobol, "1 of the 2 random params "
                                          "has no share in any trial and is "
                                          "not shown") : NULL);
    CU_ASSERT_PTR_NOT_NULL(sobol ? strstr(sobol, "Together they explain "
                                          "under 5% of the variance") : NULL);
    CU_ASSERT_PTR_NOT_NULL(sobol ? strstr(sobol, "set yrange [0:1]") : NULL);
    free(sobol);
    /* A conditioned scenario's tornado says its results are weighted and
     * where params are held, drawn from memory and from its files alike;
     * a plain one does not. */
    static const char weighted[] = "conditioned on the record: each result "
        "is weighted by it; random params held at their prior''s ' . "
        "'p10/p90'";
    CU_ASSERT_EQUAL(file_has(dir, "o/c-sensitivity/tornado-troops.gp",
                             weighted), 1);
    CU_ASSERT_EQUAL(file_has(dir, "o/u-sensitivity/tornado-troops.gp",
                             "conditioned"), 0);
    snprintf(cmd, sizeof cmd, "mkdir %s/files && cp %s/o/c-sensitivity/"
             "sensitivity.csv %s/o/c-sensitivity/resolved.cfg %s/files",
             dir, dir, dir, dir);
    CU_ASSERT_EQUAL_FATAL(test_run(cmd, NULL), 0);
    use_tree_style();
    diag *d = diag_alloc();
    plot_opts po = { .format = "png", .quiet = 1 };
    snprintf(sub, sizeof sub, "%s/files", dir);
    CU_ASSERT_EQUAL(sens_plot_sensitivity_files(sub, &po, d), 0);
    diag_free(d);
    CU_ASSERT_EQUAL(file_has(dir, "files/tornado-troops.gp", weighted), 1);
    /* The heatmap's cells: each figure to its standard error in fixed
     * notation (9.69e-05 before). */
    CU_ASSERT_EQUAL(file_has(dir, "o2/u-sweep/sweep-share.gp",
                             "(fixed($3, ($5 - $4) / (2 * "), 1);
    test_rmrf(dir);
    free(dir);
}

/* The images (.png, .svg, .pdf) in DIR, one name a line, sorted
 * (malloc'd). */
static char *images_in(const char *dir)
{
    char cmd[4200], *out = NULL;
    snprintf(cmd, sizeof cmd, "cd %s && ls | grep -E '[.](png|svg|pdf)$' "
             "| sort || true", dir);
    if (test_run(cmd, &out) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

static void test_plot__batch__draws_the_comparison_and_scripts_each_scenario(void)
{
    /* Several scenarios: compare/ drawn whole, each scenario's folder
     * with every script and no image, one line saying how to draw them;
     * `ncgsim plot` on a folder then draws its charts, `gnuplot all.gp`
     * in another draws them too, and a rerun still replaces both. */
    fx x;
    char cmd[8192], *out = NULL, want[2048], other[600];
    size_t n;
    CU_ASSERT_FATAL(fx_begin(&x));
    snprintf(other, sizeof other, "%s/out/other", x.dir);
    snprintf(cmd, sizeof cmd, BIN " run %s/plain.cfg %s/other.cfg -o %s/out "
             "-j2 | tail -n 2", x.dir, x.dir, x.dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    snprintf(want, sizeof want, "  plots: %s/out/compare/ (13 png files)\n"
             "  scenario charts: scripts only; draw a folder's with ncgsim "
             "plot %s/out/plain, or all with --plots all\n", x.dir, x.dir);
    CU_ASSERT_STRING_EQUAL(out ? out : "", want);
    free(out);
    CU_ASSERT(charts_drawn(x.cmp, "png", &n) && n == 13);
    char *none = images_in(x.sc), *none2 = images_in(other);
    CU_ASSERT_STRING_EQUAL(none ? none : "(null)", "");
    CU_ASSERT_STRING_EQUAL(none2 ? none2 : "(null)", "");
    free(none);
    free(none2);
    CU_ASSERT(exists(x.sc, "all.gp") && exists(x.sc, "fan_troops.gp")
              && exists(x.sc, "overview.gp"));
    /* Drawn later, the same charts as a single scenario's run draws. */
    snprintf(cmd, sizeof cmd, BIN " plot %s", x.sc);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    snprintf(want, sizeof want, "  plots: %s/ (10 png files)\n", x.sc);
    CU_ASSERT_STRING_EQUAL(out ? out : "", want);
    free(out);
    CU_ASSERT(charts_drawn(x.sc, "png", &n) && n == 10);
    CU_ASSERT(png_is(x.sc, "overview.png", 1600, 1000));
    snprintf(cmd, sizeof cmd, "cd %s && gnuplot all.gp", other);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    CU_ASSERT_STRING_EQUAL(out ? out : "(null)", "");
    free(out);
    CU_ASSERT(charts_drawn(other, "png", &n) && n == 10);
    /* Images drawn from the folder's own scripts do not stop a rerun,
     * and go with the folder they were drawn in. */
    snprintf(cmd, sizeof cmd, BIN " run %s/plain.cfg %s/other.cfg -o %s/out "
             "-q && ls -a %s/out", x.dir, x.dir, x.dir, x.dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    CU_ASSERT_STRING_EQUAL(out ? out : "", ".\n..\ncompare\nother\nplain\n");
    free(out);
    none = images_in(other);
    CU_ASSERT_STRING_EQUAL(none ? none : "(null)", "");
    free(none);
    fx_end(&x);
}

static void test_plot__plots_option__all_none_and_a_single_scenario(void)
{
    /* The line of a batch names the format it drew; --plots all draws
     * every folder of a batch; none writes no chart and no script; a
     * single scenario draws its charts by default; --no-plots with
     * another --plots is a usage error. */
    fx x;
    char cmd[8192], *out = NULL, want[1024];
    size_t n;
    CU_ASSERT_FATAL(fx_begin(&x));
    snprintf(cmd, sizeof cmd, BIN " run %s/plain.cfg %s/other.cfg -o %s/svg "
             "--format svg | tail -n 1", x.dir, x.dir, x.dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    snprintf(want, sizeof want, "  scenario charts: scripts only; draw a "
             "folder's with ncgsim plot %s/svg/plain --format svg, or all "
             "with --plots all\n", x.dir);
    CU_ASSERT_STRING_EQUAL(out ? out : "", want);
    free(out);
    snprintf(cmd, sizeof cmd, BIN " run %s/plain.cfg %s/other.cfg -o %s/out "
             "-q --plots all", x.dir, x.dir, x.dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    free(out);
    CU_ASSERT(charts_drawn(x.sc, "png", &n) && n == 10);
    CU_ASSERT(charts_drawn(x.cmp, "png", &n) && n == 13);
    snprintf(cmd, sizeof cmd, BIN " run %s/plain.cfg %s/other.cfg -o %s/out "
             "-q --plots none && ls %s/out/plain %s/out/compare | grep "
             "-E '[.](gp|png)$' || true", x.dir, x.dir, x.dir, x.dir, x.dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    CU_ASSERT_STRING_EQUAL(out ? out : "(null)", "");
    free(out);
    snprintf(cmd, sizeof cmd, BIN " run %s/plain.cfg -o %s/one -j2 | tail "
             "-n 1", x.dir, x.dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    snprintf(want, sizeof want, "  plots: %s/one/plain/ (10 png files)\n",
             x.dir);
    CU_ASSERT_STRING_EQUAL(out ? out : "", want);
    free(out);
    snprintf(cmd, sizeof cmd, BIN " run %s/plain.cfg --no-plots --plots "
             "compare", x.dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), NCG_EXIT_USAGE);
    CU_ASSERT_STRING_EQUAL(out ? out : "", "ncgsim: run: --no-plots and "
                           "--plots compare: give one (--no-plots is --plots "
                           "none)\nTry 'ncgsim --help' for more "
                           "information.\n");
    free(out);
    fx_end(&x);
}

static void test_plot__split_drawing__same_files_as_one_process(void)
{
    /* A folder's charts shared out among three gnuplot processes are the
     * files one process draws from all.gp, byte for byte, as PNG and as
     * SVG (the report's). */
    fx x;
    char cmd[8192], *out = NULL, split[600], split_sc[600];
    CU_ASSERT_FATAL(fx_begin(&x));
    snprintf(cmd, sizeof cmd, "cp -r %s/out %s/split", x.dir, x.dir);
    CU_ASSERT_EQUAL_FATAL(test_run(cmd, NULL), 0);
    snprintf(split, sizeof split, "%s/split/compare", x.dir);
    snprintf(split_sc, sizeof split_sc, "%s/split/plain", x.dir);
    for (int svg = 0; svg < 2; svg++) {
        const char *format = svg ? "svg" : "png";
        plot_opts one = { .format = format, .quiet = 1 };
        plot_opts three = { .format = format, .quiet = 1, .procs = 3 };
        CU_ASSERT_EQUAL(plot_compare(x.cmp, &one, x.d), 0);
        CU_ASSERT_EQUAL(plot_scenario(x.sc, &one, x.d), 0);
        CU_ASSERT_EQUAL(with_stderr(plot_compare, split, &three, x.d, &out),
                        0);
        CU_ASSERT_STRING_EQUAL(out ? out : "(null)", "");
        free(out);
        CU_ASSERT_EQUAL(with_stderr(plot_scenario, split_sc, &three, x.d,
                                    &out), 0);
        CU_ASSERT_STRING_EQUAL(out ? out : "(null)", "");
        free(out);
    }
    CU_ASSERT_EQUAL(diag_count(x.d), 0);
    const char *pairs[2][2] = { { x.cmp, split }, { x.sc, split_sc } };
    for (size_t k = 0; k < 2; k++) {
        char *a = images_in(pairs[k][0]), *b = images_in(pairs[k][1]);
        CU_ASSERT(a != NULL && b != NULL && strlen(a) > 0);
        CU_ASSERT_STRING_EQUAL(a ? a : "(null)", b ? b : "");
        free(a);
        free(b);
        snprintf(cmd, sizeof cmd, "cd %s && for f in *.png *.svg; do cmp $f "
                 "%s/$f || exit 1; done", pairs[k][0], pairs[k][1]);
        CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
        CU_ASSERT_STRING_EQUAL(out ? out : "(null)", "");
        free(out);
    }
    fx_end(&x);
}

void test_plot_register(void);
void test_plot_register(void)
{
    static const test_case cases[] = {
        { "scenario png draws every kind at its size without warnings",
          test_plot__scenario_png__draws_every_kind_at_its_size_without_warnings },
        { "fan reads only its rows and draws the same image",
          test_plot__fan__reads_only_its_rows_and_draws_the_same_image },
        { "compare png draws cdf, fan, diff and events",
          test_plot__compare_png__draws_cdf_fan_diff_and_events },
        { "svg and pdf are written with their signatures",
          test_plot__svg_and_pdf__are_written_with_their_signatures },
        { "hostile title is drawn as text and runs nothing",
          test_plot__hostile_title__is_drawn_as_text_and_runs_nothing },
        { "script run from another folder redraws its plot",
          test_plot__script_run_from_another_folder__redraws_its_plot },
        { "the image check finds truncated and empty images",
          test_plot__image_check__finds_truncated_and_empty_images },
        { "a file size limit: cut images are reported and removed",
          test_plot__file_size_limit__reports_and_removes_cut_images },
        { "an installed binary finds its style beside it",
          test_plot__installed_binary__finds_its_style_beside_it },
        { "a CSV's spelling gives the same scripts; text as written",
          test_plot__csv_spelling__gives_the_same_scripts_and_text_as_written },
        { "any command's folder copied elsewhere redraws, and plot redraws it",
          test_plot__any_commands_folder__copied_elsewhere_redraws_and_plot_redraws_it },
        { "many variables: charts capped with one note, overview kept",
          test_plot__many_variables__charts_capped_with_one_note_overview_kept },
        { "a nonexistent folder says no such folder",
          test_plot__nonexistent_folder__says_no_such_folder },
        { "gnuplot missing writes scripts and says once how to install",
          test_plot__gnuplot_missing__writes_scripts_and_says_once_how_to_install },
        { "format_ok accepts png, svg and pdf only",
          test_plot__format_ok__accepts_png_svg_and_pdf_only },
        { "missing results is an I/O error naming the file",
          test_plot__missing_results__is_an_io_error_naming_the_file },
        { "unknown format is a usage error",
          test_plot__unknown_format__is_a_usage_error },
        { "scripts: fixed tics, honest ranges and twins named",
          test_plot__scripts__fixed_tics_honest_ranges_and_twins_named },
        { "a batch draws the comparison and scripts each scenario",
          test_plot__batch__draws_the_comparison_and_scripts_each_scenario },
        { "--plots all and none; a single scenario draws its charts",
          test_plot__plots_option__all_none_and_a_single_scenario },
        { "split drawing gives the same files as one process",
          test_plot__split_drawing__same_files_as_one_process },
        { "many scenarios: own styles, all named, figures to their error",
          test_plot__many_scenarios__own_styles_all_named_figures_to_their_error },
        { "other commands: fixed tics and no gnuplot warning",
          test_plot__other_commands__fixed_tics_and_no_gnuplot_warning },
    };
    TEST_SUITE("plot", cases);
}

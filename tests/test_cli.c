/* test_cli.c: the ncgsim binary: exit codes, messages, files, reruns. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "base/ncgsim.h"
#include "testutil.h"

/* The suite runs from the repository root (make test), next to ./ncgsim. */
/* NCGSIM_BIN (e.g. the sanitizer build) when set: expanded by the shell
 * that test_run starts. */
#define BIN "\"${NCGSIM_BIN:-./ncgsim}\""

static const char *small_model =
    "name = \"small\";\n"
    "title = \"Small model\";\n"
    "simulation = { trials = 9000; steps = 4; step = \"quarter\"; start = \"2025Q1\"; };\n"
    "params = { p = { dist = \"beta\"; a = 2.0; b = 5.0; }; };\n"
    "events = { e = { p = \"p\"; kind = \"switch\"; recover = \"0.3\"; }; };\n"
    "states = { s = { init = \"10\"; next = \"s + normal(0, 1) - e\"; min = 0.0; }; };\n";

static int run(const char *cmd, char **out)
{
    char *o = NULL;
    int rc = test_run(cmd, &o);
    if (out)
        *out = o;
    else
        free(o);
    return rc;
}

static char *read_in(const char *dir, const char *file)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return test_read(path);
}

static int same_file(const char *d1, const char *d2, const char *file)
{
    char *a = read_in(d1, file), *b = read_in(d2, file);
    int same = a && b && strcmp(a, b) == 0;
    free(a);
    free(b);
    return same;
}

static void test_cli__version_and_help__exit_zero(void)
{
    char *out;
    CU_ASSERT_EQUAL(run(BIN " --version", &out), 0);
    CU_ASSERT_STRING_EQUAL(out, "ncgsim " NCGSIM_VERSION "\n");
    free(out);
    CU_ASSERT_EQUAL(run(BIN " --help", &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Exit codes"));
    free(out);
    CU_ASSERT_EQUAL(run(BIN " help run", &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--samples"));
    free(out);
}

static void test_cli__usage_errors__exit_two_with_hint(void)
{
    char *out;
    CU_ASSERT_EQUAL(run(BIN, &out), NCG_EXIT_USAGE);
    CU_ASSERT_STRING_EQUAL(out, "ncgsim: no command given\n"
                           "Try 'ncgsim --help' for more information.\n");
    free(out);
    CU_ASSERT_EQUAL(run(BIN " rn x.cfg", &out), NCG_EXIT_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "unknown command 'rn' (did you mean 'run'?)"));
    free(out);
    CU_ASSERT_EQUAL(run(BIN " run -n zero x.cfg", &out), NCG_EXIT_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "-n: expected a whole number of trials "
                                  "from 1 to 1e12, got 'zero'"));
    free(out);
    CU_ASSERT_EQUAL(run(BIN " run --bogus x.cfg", NULL), NCG_EXIT_USAGE);
    CU_ASSERT_EQUAL(run(BIN " run", NULL), NCG_EXIT_USAGE);
}

static void test_cli__missing_file__exits_with_io_code(void)
{
    CU_ASSERT_EQUAL(run(BIN " run /nonexistent/x.cfg -q", NULL), NCG_EXIT_IO);
    CU_ASSERT_EQUAL(run(BIN " check /nonexistent/x.cfg", NULL), NCG_EXIT_IO);
}

static void test_cli__bad_scenario__exits_three_naming_file_and_line(void)
{
    char *dir = test_tmpdir(), *out, cmd[512];
    char *path = test_write(dir, "bad.cfg", "simulation = { steps = 4; };\n"
                            "states = { troops = { init = \"28500\";\n"
                            "  next = \"trops - 1\"; }; };\n");
    snprintf(cmd, sizeof cmd, BIN " check %s", path);
    CU_ASSERT_EQUAL(run(cmd, &out), NCG_EXIT_SCENARIO);
    char want[512];
    snprintf(want, sizeof want, "%s:3: states.troops.next: column 1: unknown "
             "name 'trops' (did you mean 'troops'?)\n", path);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
    free(out);
    snprintf(cmd, sizeof cmd, BIN " run -q --no-plots -o %s/res %s", dir, path);
    CU_ASSERT_EQUAL(run(cmd, NULL), NCG_EXIT_SCENARIO);
    free(path);
    test_rmrf(dir);
    free(dir);
}

static void test_cli__same_seed__gives_byte_identical_files(void)
{
    char *dir = test_tmpdir(), cmd[1024], d1[600], d2[600], d3[600];
    char *path = test_write(dir, "small.cfg", small_model);
    snprintf(cmd, sizeof cmd, BIN " run -q --no-plots -j 1 -o %s/r1 %s && " BIN
             " run -q --no-plots -j 2 -o %s/r2 %s", dir, path, dir, path);
    CU_ASSERT_EQUAL_FATAL(run(cmd, NULL), 0);
    snprintf(d1, sizeof d1, "%s/r1/small", dir);
    snprintf(d2, sizeof d2, "%s/r2/small", dir);
    /* Rerunning the resolved scenario reproduces everything. */
    snprintf(cmd, sizeof cmd, BIN " run -q --no-plots -o %s/r3 %s/resolved.cfg", dir, d1);
    CU_ASSERT_EQUAL_FATAL(run(cmd, NULL), 0);
    snprintf(d3, sizeof d3, "%s/r3/small", dir);
    static const char *const files[] = { "summary.csv", "timeseries.csv",
                                         "histograms.csv", "events.csv",
                                         "counts.csv", "resolved.cfg" };
    for (size_t i = 0; i < 6; i++) {
        CU_ASSERT_TRUE(same_file(d1, d2, files[i]));
        CU_ASSERT_TRUE(same_file(d1, d3, files[i]));
    }
    char *sum = read_in(d1, "summary.csv");
    CU_ASSERT_PTR_NOT_NULL(sum);
    if (sum)
        CU_ASSERT_EQUAL(strncmp(sum, "variable,kind,mean,sd,se,p05,p25,p50,"
                                "p75,p95,min,max,", 50), 0);
    free(sum);
    char *ts = read_in(d1, "timeseries.csv");
    CU_ASSERT_TRUE(ts && strstr(ts, ",2025Q4,"));
    CU_ASSERT_TRUE(ts && strstr(ts, ",2024Q4,"));
    free(ts);
    free(path);
    test_rmrf(dir);
    free(dir);
}

static void test_cli__failed_run__leaves_previous_results_untouched(void)
{
    char *dir = test_tmpdir(), cmd[1024], res[600];
    char *path = test_write(dir, "small.cfg", small_model);
    snprintf(cmd, sizeof cmd, BIN " run -q --no-plots -o %s/out %s", dir, path);
    CU_ASSERT_EQUAL_FATAL(run(cmd, NULL), 0);
    snprintf(res, sizeof res, "%s/out/small", dir);
    char *before = read_in(res, "summary.csv");
    /* The same scenario made to fail at step 2: nothing may change. */
    snprintf(cmd, sizeof cmd, BIN " run -q --no-plots -o %s/out %s "
             "--set 'states.s.next=s / (t - 2)'", dir, path);
    CU_ASSERT_EQUAL(run(cmd, NULL), NCG_EXIT_RUN);
    char *after = read_in(res, "summary.csv");
    CU_ASSERT_TRUE(before && after && strcmp(before, after) == 0);
    free(before);
    free(after);
    /* No temporary folder is left behind. */
    snprintf(cmd, sizeof cmd, "ls -A %s/out", dir);
    char *ls;
    run(cmd, &ls);
    CU_ASSERT_STRING_EQUAL(ls, "small\n");
    free(ls);
    free(path);
    test_rmrf(dir);
    free(dir);
}

static void test_cli__samples__one_row_per_trial(void)
{
    char *dir = test_tmpdir(), cmd[1024], res[600];
    char *path = test_write(dir, "small.cfg", small_model);
    snprintf(cmd, sizeof cmd, BIN " run -q --no-plots --samples -n 5000 -o %s/out %s",
             dir, path);
    CU_ASSERT_EQUAL_FATAL(run(cmd, NULL), 0);
    snprintf(res, sizeof res, "%s/out/small", dir);
    char *s = read_in(res, "samples.csv");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    size_t lines = 0;
    for (const char *p = s; *p; p++)
        lines += *p == '\n';
    CU_ASSERT_EQUAL(lines, 5001);
    CU_ASSERT_EQUAL(strncmp(s, "trial,p,e,s,e_ever\n1,", 21), 0);
    /* The ever flag is 1 wherever e is 1 at the last step, and sometimes
     * where it is 0 (it was 1 earlier). */
    size_t bad = 0, earlier = 0;
    for (const char *p = strchr(s, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
        double e, ever;
        if (sscanf(p + 1, "%*[^,],%*[^,],%lf,%*[^,],%lf", &e, &ever) != 2)
            bad++;
        else {
            bad += (e == 1 && ever != 1) || (ever != 0 && ever != 1);
            earlier += e == 0 && ever == 1;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(earlier > 0);
    free(s);
    free(path);
    test_rmrf(dir);
    free(dir);
}

static void test_cli__folder__runs_every_scenario(void)
{
    char *dir = test_tmpdir(), cmd[1024], *out;
    char sub[600];
    snprintf(sub, sizeof sub, "%s/scen", dir);
    mkdir(sub, 0755);
    free(test_write(sub, "a.cfg", "simulation = { trials = 500; steps = 2; };\n"
                    "derived = { y = \"normal(0, 1)\"; };\n"));
    free(test_write(sub, "b.cfg", "simulation = { trials = 500; steps = 2; };\n"
                    "derived = { y = \"normal(0, 1) + 1\"; };\n"));
    snprintf(cmd, sizeof cmd, BIN " run -o %s/out %s", dir, sub);
    CU_ASSERT_EQUAL(run(cmd, &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "results: "));
    free(out);
    snprintf(cmd, sizeof cmd, "test -f %s/out/a/summary.csv && test -f "
             "%s/out/b/summary.csv", dir, dir);
    CU_ASSERT_EQUAL(run(cmd, NULL), 0);
    /* The comparison's charts are drawn; each scenario's are scripts
     * (a batch draws what it is for: docs/performance.md). */
    snprintf(cmd, sizeof cmd, "test ! -e %s/out/a/fan_y.png && test -f "
             "%s/out/a/fan_y.gp && test -f %s/out/compare/diff_y.png", dir,
             dir, dir);
    CU_ASSERT_EQUAL(run(cmd, NULL), 0);
    test_rmrf(dir);
    free(dir);
}

/* A batch's folders are written by the run's threads, a scenario per
 * thread: the same bytes as written by one. */
static void test_cli__batch_folders__written_on_threads_are_the_same_bytes(void)
{
    char *dir = test_tmpdir(), cmd[2048], sub[600];
    snprintf(sub, sizeof sub, "%s/scen", dir);
    mkdir(sub, 0755);
    static const char *const names[] = { "a.cfg", "b.cfg", "c.cfg", "d.cfg" };
    for (size_t i = 0; i < 4; i++) {
        char text[300];
        snprintf(text, sizeof text, "simulation = { trials = 700; steps = 6; };\n"
                 "derived = { y = \"normal(%zu, 1)\"; };\n"
                 "events = { e = { p = \"0.1\"; }; };\n", i);
        free(test_write(sub, names[i], text));
    }
    snprintf(cmd, sizeof cmd, BIN " run -q --no-plots -j 1 -o %s/o1 %s && "
             BIN " run -q --no-plots -j 3 -o %s/o3 %s && diff -r %s/o1 %s/o3 "
             "&& test -f %s/o3/d/summary.csv", dir, sub, dir, sub, dir, dir,
             dir);
    char *out = NULL;
    CU_ASSERT_EQUAL(run(cmd, &out), 0);
    CU_ASSERT_STRING_EQUAL(out ? out : "(null)", "");
    free(out);
    test_rmrf(dir);
    free(dir);
}

static void test_cli__precision__runs_until_the_target_and_records_trials(void)
{
    char *dir = test_tmpdir(), cmd[1024], res[600];
    char *path = test_write(dir, "small.cfg", small_model);
    snprintf(cmd, sizeof cmd, BIN " run -q --no-plots --precision 0.01 -o %s/a %s && "
             BIN " run -q --no-plots --precision 0.01 -o %s/b %s", dir, path, dir, path);
    CU_ASSERT_EQUAL_FATAL(run(cmd, NULL), 0);
    snprintf(res, sizeof res, "%s/a/small", dir);
    char other[600];
    snprintf(other, sizeof other, "%s/b/small", dir);
    CU_ASSERT_TRUE(same_file(res, other, "summary.csv"));
    /* The event's standard error meets the target: 1.96 se <= 0.01. */
    char *sum = read_in(res, "summary.csv");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
    const char *row = strstr(sum, "\ne,event,");
    CU_ASSERT_PTR_NOT_NULL_FATAL(row);
    double mean, sd, se;
    CU_ASSERT_EQUAL(sscanf(row + 9, "%lf,%lf,%lf", &mean, &sd, &se), 3);
    CU_ASSERT_TRUE(1.96 * se <= 0.01);
    free(sum);
    /* resolved.cfg records the trials used, a whole number of rounds. */
    char *cfg = read_in(res, "resolved.cfg");
    const char *tr = cfg ? strstr(cfg, "trials = ") : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
    long long trials = atoll(tr + 9);
    CU_ASSERT_TRUE(trials > 4096 && trials % 4096 == 0);
    free(cfg);
    free(path);
    test_rmrf(dir);
    free(dir);
}

static void test_cli__interrupt__stops_promptly_and_keeps_old_results(void)
{
    char *dir = test_tmpdir(), cmd[2048], res[600], *out;
    char *path = test_write(dir, "small.cfg", small_model);
    snprintf(cmd, sizeof cmd, BIN " run -q --no-plots -o %s/out %s", dir, path);
    CU_ASSERT_EQUAL_FATAL(run(cmd, NULL), 0);
    snprintf(res, sizeof res, "%s/out/small", dir);
    char *before = read_in(res, "summary.csv");
    /* A run that would take minutes, interrupted after half a second. */
    snprintf(cmd, sizeof cmd, BIN " run -q --no-plots -j 2 -n 1e9 -o %s/out %s & pid=$!; "
             "sleep 0.5; kill -INT $pid; wait $pid; echo \"exit $?\"",
             dir, path);
    CU_ASSERT_EQUAL(run(cmd, &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "interrupted\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "exit 1\n"));
    free(out);
    char *after = read_in(res, "summary.csv");
    CU_ASSERT_TRUE(before && after && strcmp(before, after) == 0);
    free(before);
    free(after);
    snprintf(cmd, sizeof cmd, "ls -A %s/out", dir);
    run(cmd, &out);
    CU_ASSERT_STRING_EQUAL(out, "small\n");
    free(out);
    free(path);
    test_rmrf(dir);
    free(dir);
}

static void test_cli__compare__paired_interval_is_narrower_than_unpaired(void)
{
    /* b differs from a only by a small shift of s: paired trials cancel
     * the shared noise, independent runs would not. */
    char *dir = test_tmpdir(), cmd[1024], path[600];
    char *pa = test_write(dir, "a.cfg", small_model);
    char b_text[2048];
    snprintf(b_text, sizeof b_text, "extends = \"a.cfg\";\nname = \"shifted\";\n"
             "states = { s = { next = \"s + normal(0, 1) - e + 0.05\"; }; };\n");
    char *pb = test_write(dir, "b.cfg", b_text);
    snprintf(cmd, sizeof cmd, BIN " run -q --no-plots -o %s/out %s %s", dir, pa, pb);
    CU_ASSERT_EQUAL_FATAL(run(cmd, NULL), 0);
    snprintf(path, sizeof path, "%s/out/compare/compare.csv", dir);
    char *text = test_read(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    const char *row = strstr(text, "\ns,state,shifted,");
    const char *ref = strstr(text, "\ns,state,small,");
    CU_ASSERT_PTR_NOT_NULL_FATAL(row);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
    /* variable,kind,scenario,title,label,unit,mean,mean_se,mean_lo95,
     * mean_hi95,mean_diff,mean_diff_se,... (no quoted commas here);
     * paired is column 30. */
    double diff = 0, diff_se = 1, unpaired = 0, se[2] = { 0, 0 };
    int paired = 0;
    const char *p = row + 1;
    for (int field = 0; field <= 30 && p; field++) {
        if (field == 7) se[0] = atof(p);
        if (field == 10) diff = atof(p);
        if (field == 11) diff_se = atof(p);
        if (field == 30) paired = atoi(p);
        p = strchr(p, ',');
        if (p)
            p++;
    }
    p = ref + 1;
    for (int field = 0; field <= 7 && p; field++) {
        if (field == 7) se[1] = atof(p);
        p = strchr(p, ',');
        if (p)
            p++;
    }
    unpaired = sqrt(se[0] * se[0] + se[1] * se[1]);
    CU_ASSERT_EQUAL(paired, 1);
    /* The shift is 0.05 per step over 4 steps: 0.2 in every trial but the
     * rare few that the floor at 0 clips. */
    CU_ASSERT_DOUBLE_EQUAL(diff, 0.2, 1e-3);
    CU_ASSERT_TRUE(diff_se < unpaired / 10);
    free(text);
    snprintf(cmd, sizeof cmd, BIN " compare -q --no-plots %s/out/small %s/out/shifted "
             "-o %s/again", dir, dir, dir);
    CU_ASSERT_EQUAL(run(cmd, NULL), 0);
    char d1[600], d2[600];
    snprintf(d1, sizeof d1, "%s/out/compare", dir);
    snprintf(d2, sizeof d2, "%s/again/compare", dir);
    CU_ASSERT_TRUE(same_file(d1, d2, "compare.csv"));
    free(pa);
    free(pb);
    test_rmrf(dir);
    free(dir);
}

static void test_cli__csv_text__is_quoted_and_kept_from_formulas(void)
{
    char *dir = test_tmpdir(), cmd[1024], res[600];
    char *path = test_write(dir, "t.cfg",
        "simulation = { trials = 100; steps = 1; };\n"
        "derived = { y = { value = \"1\"; label = \"=HYPERLINK(1)\";\n"
        "  unit = \"a, \\\"b\\\"\\nc\"; }; };\n");
    snprintf(cmd, sizeof cmd, BIN " run -q --no-plots -o %s/out %s", dir,
             path);
    CU_ASSERT_EQUAL_FATAL(run(cmd, NULL), 0);
    snprintf(res, sizeof res, "%s/out/t", dir);
    char *sum = read_in(res, "summary.csv");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
    CU_ASSERT_PTR_NOT_NULL(strstr(sum, ",'=HYPERLINK(1),\"a, \"\"b\"\"\nc\"\n"));
    free(sum);
    free(path);
    test_rmrf(dir);
    free(dir);
}

static void test_cli__a_users_folder__is_never_replaced(void)
{
    /* A scenario named like a folder of the user's must not delete it. */
    char *dir = test_tmpdir(), cmd[2048], sub[600];
    snprintf(sub, sizeof sub, "%s/out/docs", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p %s && echo keep > %s/notes.txt", sub,
             sub);
    CU_ASSERT_EQUAL_FATAL(run(cmd, NULL), 0);
    char *path = test_write(dir, "d.cfg", "name = \"docs\";\n"
                            "simulation = { steps = 2; trials = 10; };\n"
                            "derived = { y = \"1\"; };\n");
    char *out;
    snprintf(cmd, sizeof cmd, BIN " run -q --no-plots -o %s/out %s", dir, path);
    CU_ASSERT_EQUAL(run(cmd, &out), NCG_EXIT_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "/out/docs: exists and is not an "
                                  "ncgsim result folder (no .ncgsim-manifest "
                                  "in it); not replacing it"));
    free(out);
    char *kept = read_in(sub, "notes.txt");
    CU_ASSERT_STRING_EQUAL(kept ? kept : "", "keep\n");
    free(kept);
    free(path);
    test_rmrf(dir);
    free(dir);
}

static void test_cli__two_runs_into_one_folder__the_second_refuses_and_nothing_mixes(void)
{
    char *dir = test_tmpdir(), cmd[4096], *out = NULL;
    char *path = test_write(dir, "small.cfg", small_model);
    /* The first run takes seconds (many trials, then its plots); the
     * second starts once the first holds the folder: its lock is taken
     * and its temporary folder made before any trial runs. */
    snprintf(cmd, sizeof cmd,
             "(" BIN " run -q -j 1 -n 400000 -o %s/out %s; echo \"first $?\") & "
             "for i in $(seq 1000); do ls -d %s/out/.small.tmp-* >/dev/null "
             "2>&1 && break; sleep 0.01; done; "
             BIN " run -q -n 100 -o %s/out %s; echo \"second $?\"; "
             "wait", dir, path, dir, dir, path);
    CU_ASSERT_EQUAL(run(cmd, &out), 0);
    CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "/out/small: another ncgsim (pid ")
                               : NULL);
    CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "is writing these results now; "
                                        "not writing them at the same time")
                               : NULL);
    CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "second 4\n") : NULL);
    CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "first 0\n") : NULL);
    free(out);
    /* One run's folder, whole: every file listed in its manifest, the
     * first run's trials, and nothing hidden left beside it. */
    snprintf(cmd, sizeof cmd, "cd %s/out/small && ls | sort > /tmp/iop-ls.$$ && "
             "grep '^file ' .ncgsim-manifest | cut -d' ' -f4 | sort | "
             "diff - /tmp/iop-ls.$$; r=$?; rm -f /tmp/iop-ls.$$; "
             "grep -c 'trials = 400000' resolved.cfg; ls -A ..; exit $r", dir);
    CU_ASSERT_EQUAL(run(cmd, &out), 0);
    CU_ASSERT_STRING_EQUAL(out ? out : "", "1\nsmall\n");
    free(out);
    free(path);
    test_rmrf(dir);
    free(dir);
}

static void test_cli__gnuplot_missing__data_commands_succeed_plot_fails_one_message(void)
{
    char *dir = test_tmpdir(), cmd[4096], *out = NULL;
    char *path = test_write(dir, "small.cfg", small_model);
    /* A PATH with the shell's tools but no gnuplot. */
    snprintf(cmd, sizeof cmd, "mkdir %s/bin && for t in sh ls; do "
             "ln -s \"$(command -v $t)\" %s/bin/$t; done", dir, dir);
    CU_ASSERT_EQUAL_FATAL(run(cmd, NULL), 0);
    snprintf(cmd, sizeof cmd, "B=\"$(realpath \"${NCGSIM_BIN:-./ncgsim}\")\"; "
             "export NCGSIM_PLOTS=\"$PWD/plots\"; "
             "PATH=%s/bin \"$B\" run -n 200 -o %s/out %s > %s/stdout 2> %s/err; "
             "echo \"run $?\"; cat %s/err; grep -c 'plots:' %s/stdout; "
             "PATH=%s/bin \"$B\" plot -q %s/out/small; echo \"plot $?\"",
             dir, dir, path, dir, dir, dir, dir, dir, dir);
    CU_ASSERT_EQUAL(run(cmd, &out), 0);
    CU_ASSERT_STRING_EQUAL(out ? out : "",
        "run 0\n"
        "ncgsim: gnuplot not found: plot scripts written but not drawn "
        "(install it: sudo apt-get install gnuplot-nox)\n"
        "0\n"
        "ncgsim: gnuplot not found: plot scripts written but not drawn "
        "(install it: sudo apt-get install gnuplot-nox)\n"
        "plot 4\n");
    free(out);
    free(path);
    test_rmrf(dir);
    free(dir);
}

static void test_cli__killed_run__its_hidden_folder_is_removed_by_the_next(void)
{
    char *dir = test_tmpdir(), cmd[4096], *out = NULL;
    char *path = test_write(dir, "small.cfg", small_model);
    /* kill -9 leaves OUT/.small.tmp-XXXXXX (with samples.csv growing);
     * SIGHUP stops a run like SIGINT, leaving nothing. */
    snprintf(cmd, sizeof cmd,
             BIN " run -q --samples -j 1 -n 1e9 -o %s/out %s & pid=$!; "
             "sleep 0.5; kill -9 $pid; { wait $pid; } 2>/dev/null; ls -A %s/out | grep -c tmp-; "
             BIN " run -q --no-plots -n 100 -o %s/out %s; echo \"next $?\"; "
             "ls -A %s/out; "
             BIN " run -q -j 1 -n 1e9 -o %s/out2 %s & pid=$!; "
             "sleep 0.5; kill -HUP $pid; wait $pid; echo \"hup $?\"; "
             "ls -A %s/out2",
             dir, path, dir, dir, path, dir, dir, path, dir);
    CU_ASSERT_EQUAL(run(cmd, &out), 0);
    CU_ASSERT_STRING_EQUAL(out ? out : "", "1\nnext 0\nsmall\ninterrupted\nhup 1\n");
    free(out);
    free(path);
    test_rmrf(dir);
    free(dir);
}

void test_cli_register(void);
void test_cli_register(void)
{
    static const test_case cases[] = {
        { "version and help exit zero", test_cli__version_and_help__exit_zero },
        { "a killed run's hidden folder is removed by the next", test_cli__killed_run__its_hidden_folder_is_removed_by_the_next },
        { "two runs into one folder: the second refuses, nothing mixes", test_cli__two_runs_into_one_folder__the_second_refuses_and_nothing_mixes },
        { "gnuplot missing: data commands succeed, plot fails, one message", test_cli__gnuplot_missing__data_commands_succeed_plot_fails_one_message },
        { "usage errors exit two with a hint", test_cli__usage_errors__exit_two_with_hint },
        { "a missing file exits with the I/O code", test_cli__missing_file__exits_with_io_code },
        { "a bad scenario exits three naming file and line", test_cli__bad_scenario__exits_three_naming_file_and_line },
        { "the same seed gives byte-identical files", test_cli__same_seed__gives_byte_identical_files },
        { "a failed run leaves previous results untouched", test_cli__failed_run__leaves_previous_results_untouched },
        { "samples have one row per trial", test_cli__samples__one_row_per_trial },
        { "a folder runs every scenario", test_cli__folder__runs_every_scenario },
        { "a user's folder is never replaced", test_cli__a_users_folder__is_never_replaced },
        { "CSV text is quoted and kept from formulas", test_cli__csv_text__is_quoted_and_kept_from_formulas },
        { "compare: the paired interval is narrower than the unpaired", test_cli__compare__paired_interval_is_narrower_than_unpaired },
        { "batch folders written on threads are the same bytes",
          test_cli__batch_folders__written_on_threads_are_the_same_bytes },
        { "precision runs until the target and records trials", test_cli__precision__runs_until_the_target_and_records_trials },
        { "an interrupt stops promptly and keeps old results", test_cli__interrupt__stops_promptly_and_keeps_old_results },
    };
    TEST_SUITE("cli", cases);
}

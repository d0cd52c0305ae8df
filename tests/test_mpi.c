/* test_mpi.c: the binary under mpirun: result folders byte-identical to one
 * process, one message when a process fails, a killed process ends the job
 * and leaves earlier results as they were. Skipped with a message when
 * mpirun or the MPI build (make MPI=1) is absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

#define BIN "\"${NCGSIM_BIN:-./ncgsim}\""
/* Root may run mpirun only when told so; --oversubscribe lets three
 * processes share two cores; the timeout is a watchdog that only keeps a
 * broken job from hanging the suite. Open MPI keeps memory until exit that
 * LeakSanitizer would report (partly from components it unloads, so no
 * suppression can name them): the sanitizer build's leak check stays on
 * for every run without mpirun. */
#define MPIRUN "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " \
               "ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0\" " \
               "timeout -s KILL 300 mpirun --oversubscribe"

/* 1 when mpirun runs this binary as an MPI program; else says why not. */
static int have_mpi(void)
{
    static int known = -1;
    char *out = NULL;
    if (known >= 0)
        return known;
    if (test_run("command -v mpirun", &out) != 0) {
        fprintf(stderr, "\n  skipped: mpirun not installed (apt-get install "
                "openmpi-bin libopenmpi-dev)\n");
        known = 0;
    } else if (test_run(MPIRUN " -np 2 " BIN " --version", NULL)
               != 0) {
        fprintf(stderr, "\n  skipped: ncgsim was built without MPI (make "
                "MPI=1)\n");
        known = 0;
    } else {
        known = 1;
    }
    free(out);
    return known;
}

/* Runs ARGS (after "ncgsim") once in one process into DIR/one and under
 * mpirun -np FROM .. TO into DIR/np<P> (DIR a fresh folder), and asserts
 * every folder is the same bytes as DIR/one; CHECK (when not NULL) is then
 * a shell test of DIR/one ($D) that must pass. */
static void same_for_ranks(const char *args, int from, int to,
                           const char *check)
{
    char cmd[4096];
    char *out = NULL, *dir;
    if (!have_mpi() || !(dir = test_tmpdir()))
        return;
    snprintf(cmd, sizeof cmd, BIN " %s -o %s/one", args, dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    free(out);
    if (check) {
        snprintf(cmd, sizeof cmd, "D=%s/one; %s", dir, check);
        CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
        free(out);
    }
    for (int np = from; np <= to; np++) {
        snprintf(cmd, sizeof cmd, MPIRUN " -np %d " BIN " %s -o "
                 "%s/np%d", np, args, dir, np);
        CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
        free(out);
        snprintf(cmd, sizeof cmd, "diff -r %s/one %s/np%d", dir, dir, np);
        CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
        if (out && *out)
            fprintf(stderr, "\n  -np %d differs:\n%s", np, out);
        free(out);
    }
    test_rmrf(dir);
    free(dir);
}

/* same_for_ranks for -np 1, 2 and 3. */
static void same_as_one_process(const char *args)
{
    same_for_ranks(args, 1, 3, NULL);
}

static void test_mpi__run_with_comparison_is_the_same_bytes(void)
{
    same_as_one_process("run -q --no-plots -n 3000 -j 1 "
                        "tests/data/golden/baseline.cfg "
                        "tests/data/golden/seoul_turmoil.cfg "
                        "tests/data/golden/examples/quickstart.cfg");
}

static void test_mpi__conditioned_run_is_the_same_bytes(void)
{
    same_as_one_process("run -q --no-plots -n 3000 -j 1 "
                        "scenarios/examples/conditioning.cfg");
}

static void test_mpi__precision_is_the_same_bytes(void)
{
    same_as_one_process("run -q --no-plots -j 1 --precision 0.02 "
                        "--max-trials 20000 "
                        "tests/data/golden/examples/quickstart.cfg");
}

/* --precision-of on a conditioned scenario, a mean and a percentile (its
 * interval from the merged weighted histogram and the ESS): at 4096
 * trials the percentile is 1.63 times its target, so rank 0 decides a
 * second round of 12288, which meets it; every rank follows. */
static void test_mpi__precision_of_is_the_same_bytes(void)
{
    same_for_ranks("run -q --no-plots -j 1 --precision-of "
                   "mean:usfk_troops=150 --precision-of p50:nuke_support=0.5% "
                   "--max-trials 20000 scenarios/examples/conditioning.cfg",
                   2, 2, "grep -q 'trials = 12288;' "
                         "\"$D/conditioning/resolved.cfg\"");
}

/* 42 points: batches of SWEEP_BATCH cut across the ranks' shares. */
static void test_mpi__two_setting_sweep_is_the_same_bytes(void)
{
    same_as_one_process("sweep -q -n 600 -j 1 "
                        "tests/data/golden/examples/quickstart.cfg "
                        "--vary cut_chance=0:1:0.05 --vary p_sceptic=0:1:1");
}

static void test_mpi__sensitivity_is_the_same_bytes(void)
{
    /* Tornado groups and design chunks (five units) over 1 to 3 ranks,
     * with the tornado and Sobol charts. */
    same_as_one_process("sensitivity -q -j 1 tests/data/sens/small.cfg");
}

/* 3000 trials: three chunks, so -np 3 gives each rank one. */
static void test_mpi__discover_is_the_same_bytes(void)
{
    char *dir = test_tmpdir(), args[1024];
    free(test_write(dir, "unc.cfg", TEST_UNC_CFG));
    snprintf(args, sizeof args, "discover %s/unc.cfg --case 'troops < 27500' "
             "-n 3000 --resample 3 -j 1 -q --no-plots", dir);
    same_as_one_process(args);
    test_rmrf(dir);
    free(dir);
}

static void test_mpi__conditioned_score_is_the_same_bytes(void)
{
    same_as_one_process("score scenarios/examples/conditioning.cfg "
                        "--outcomes scenarios/examples/outcomes.csv --as-of "
                        "2025Q4 -n 9000 -j 1 -q --no-plots");
}

/* A record no trial of any rank explains: the message of one process,
 * once, from rank 0's model and every rank's counts; nothing written. */
static void test_mpi__score_no_trial_explains_gives_one_process_message(void)
{
    char cmd[4096], *dir, *one = NULL, *out = NULL;
    if (!have_mpi() || !(dir = test_tmpdir()))
        return;
    const char *args = "score scenarios/examples/conditioning.cfg --outcomes "
                       "scenarios/examples/outcomes.csv --as-of 2025Q4 "
                       "-n 9000 -j 1 -q --no-plots --set p_meeting=0";
    snprintf(cmd, sizeof cmd, BIN " %s -o %s/one", args, dir);
    CU_ASSERT_EQUAL(test_run(cmd, &one), 1);
    CU_ASSERT_PTR_NOT_NULL(one ? strstr(one, "no trial could explain") : NULL);
    snprintf(cmd, sizeof cmd, MPIRUN " -q -np 3 " BIN " %s -o %s/np", args,
             dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 1);
    CU_ASSERT_STRING_EQUAL(out ? out : "", one ? one : "-");
    snprintf(cmd, sizeof cmd, "test ! -e %s/one -a ! -e %s/np", dir, dir);
    CU_ASSERT_EQUAL(test_run(cmd, NULL), 0);
    free(one);
    free(out);
    test_rmrf(dir);
    free(dir);
}

static void test_mpi__bad_input_gives_one_message(void)
{
    char *out = NULL;
    if (!have_mpi())
        return;
    int rc = test_run(MPIRUN " -np 3 " BIN " run -q --no-plots "
                      "-o /nonexistent/mpi tests/data/no-such.cfg", &out);
    CU_ASSERT_EQUAL(rc, 4);
    const char *msg = "tests/data/no-such.cfg: cannot read: No such file or "
                      "directory\n";
    const char *first = out ? strstr(out, msg) : NULL;
    CU_ASSERT_PTR_NOT_NULL(first);
    if (first)
        CU_ASSERT_PTR_NULL(strstr(first + 1, msg));
    free(out);
}

/* A sensitivity every rank refuses (an unknown output): one message, the
 * usage exit code, nothing written; --shard is refused under mpirun. */
static void test_mpi__sensitivity_refused_gives_one_message(void)
{
    char *out = NULL;
    if (!have_mpi())
        return;
    int rc = test_run(MPIRUN " -np 3 " BIN " sensitivity -q --no-plots "
                      "-o /nonexistent/mpi tests/data/sens/small.cfg "
                      "--output yy", &out);
    CU_ASSERT_EQUAL(rc, 2);
    const char *msg = "--output: 'yy' is not an output of small (did you "
                      "mean 'y'?)\n";
    const char *first = out ? strstr(out, msg) : NULL;
    CU_ASSERT_PTR_NOT_NULL(first);
    if (first)
        CU_ASSERT_PTR_NULL(strstr(first + 1, msg));
    free(out);
    rc = test_run(MPIRUN " -np 2 " BIN " sensitivity -q --no-plots "
                  "-o /nonexistent/mpi tests/data/sens/small.cfg "
                  "--shard 1/2", &out);
    CU_ASSERT_EQUAL(rc, 2);
    CU_ASSERT(out && strstr(out, "--shard: under mpirun the processes are "
                            "the shards; run without --shard") != NULL);
    free(out);
}

/* A NaN in the last rank's trials only (trial 55,929 of 60,000): the job
 * ends with the message and exit code of one process, once, and the folder
 * of the earlier run is kept. */
static void test_mpi__nan_on_one_rank_gives_one_process_message(void)
{
    char cmd[4096];
    char *dir, *cfg, *one = NULL, *out = NULL;
    if (!have_mpi() || !(dir = test_tmpdir()))
        return;
    cfg = test_write(dir, "rare.cfg",
        "name = \"rare_nan\";\n"
        "simulation = { trials = 60000; steps = 2; step = \"quarter\"; "
        "start = \"2025Q1\"; seed = 5; };\n"
        "params = { u = { dist = \"uniform\"; min = 0.0; max = 1.0; }; };\n"
        "states = { s = { init = \"0\"; next = \"sqrt(0.99997 - u)\"; "
        "}; };\n");
    snprintf(cmd, sizeof cmd, BIN " run -q --no-plots -j 1 -o %s/out %s",
             dir, cfg);
    CU_ASSERT_EQUAL(test_run(cmd, &one), 1);
    CU_ASSERT_PTR_NOT_NULL(one ? strstr(one, "in trial 55929 ") : NULL);
    for (int np = 2; np <= 3; np++) {
        snprintf(cmd, sizeof cmd, MPIRUN " -q -np %d " BIN " run -q "
                 "--no-plots -j 1 -o %s/out %s", np, dir, cfg);
        CU_ASSERT_EQUAL(test_run(cmd, &out), 1);
        CU_ASSERT_STRING_EQUAL(out ? out : "", one ? one : "-");
        free(out);
    }
    snprintf(cmd, sizeof cmd, "test ! -e %s/out/rare_nan", dir);
    CU_ASSERT_EQUAL(test_run(cmd, NULL), 0);
    free(one);
    free(cfg);
    test_rmrf(dir);
    free(dir);
}

/* SIGKILL to one process of a long run: mpirun ends the job, and the
 * folder an earlier run wrote is as it was (the new results were never
 * renamed into place). The watchdog only guards against a hang. */
static void test_mpi__killed_process_ends_job_and_keeps_earlier_results(void)
{
    char cmd[4096];
    char *dir, *out = NULL, *before = NULL, *after = NULL;
    if (!have_mpi() || !(dir = test_tmpdir()))
        return;
    snprintf(cmd, sizeof cmd, BIN " run -q --no-plots -n 2000 -o %s "
             "tests/data/golden/examples/quickstart.cfg", dir);
    CU_ASSERT_EQUAL_FATAL(test_run(cmd, NULL), 0);
    snprintf(cmd, sizeof cmd, "cd %s && find . -type f | LC_ALL=C sort | "
             "xargs sha256sum", dir);
    CU_ASSERT_EQUAL(test_run(cmd, &before), 0);
    snprintf(cmd, sizeof cmd,
             MPIRUN " -np 2 " BIN " run -q --no-plots -n 1000000000 "
             "-o %s tests/data/golden/examples/quickstart.cfg & m=$!; "
             "p=; for i in $(seq 600); do "
             "p=$(pgrep -P \"$(pgrep -P $m)\" | tail -n 1); "
             "[ -n \"$p\" ] && break; "
             "sleep 0.1; done; sleep 1; kill -KILL $p; wait $m; "
             "echo \"exit $?\"", dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    if (out && !strstr(out, "exit 137"))
        fprintf(stderr, "\n  mpirun said:\n%s", out);
    /* 137: mpirun reports the killed process (128 + SIGKILL); never the
     * watchdog's own kill of mpirun, which would also be 137 but after
     * 300 s, and never 0. */
    CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "exit 137") : NULL);
    snprintf(cmd, sizeof cmd, "cd %s && find . -type f | LC_ALL=C sort | "
             "xargs sha256sum", dir);
    CU_ASSERT_EQUAL(test_run(cmd, &after), 0);
    CU_ASSERT_STRING_EQUAL(before ? before : "", after ? after : "-");
    /* No temporary folder left behind beside the results. */
    snprintf(cmd, sizeof cmd, "ls -A %s", dir);
    free(out);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    CU_ASSERT_STRING_EQUAL(out ? out : "", "quickstart\n");
    free(out);
    free(before);
    free(after);
    test_rmrf(dir);
    free(dir);
}

/* Ctrl-C (SIGINT to mpirun, which passes it on) during a long run: the
 * job ends with "interrupted", once, exit code 1, and nothing is written.
 * The signal goes once both processes catch SIGINT (SigCgt in
 * /proc/PID/status): one sent before would end them the default way, and
 * a fixed wait is not enough on a loaded machine; the 60 s cap is only a
 * watchdog. */
static void test_mpi__ctrl_c_interrupts_every_process_once(void)
{
    char cmd[4096];
    char *dir, *out = NULL;
    if (!have_mpi() || !(dir = test_tmpdir()))
        return;
    snprintf(cmd, sizeof cmd,
             MPIRUN " -q -np 2 " BIN " run -q --no-plots -n 1000000000 "
             "-o %s/out tests/data/golden/examples/quickstart.cfg & m=$!; "
             "c=; for i in $(seq 600); do c=$(pgrep -P $m); n=0; "
             "for q in $(pgrep -P \"$c\"); do "
             "s=$(awk '/^SigCgt/ { print $2 }' /proc/$q/status); "
             "[ $((0x${s:-0} & 2)) -ne 0 ] && n=$((n + 1)); done; "
             "[ $n -ge 2 ] && break; sleep 0.1; done; "
             "kill -INT $c; wait $m; echo \"exit $?\"", dir);
    CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
    CU_ASSERT_STRING_EQUAL(out ? out : "", "interrupted\nexit 1\n");
    free(out);
    snprintf(cmd, sizeof cmd, "test ! -e %s/out", dir);
    CU_ASSERT_EQUAL(test_run(cmd, NULL), 0);
    test_rmrf(dir);
    free(dir);
}

void test_mpi_register(void);
void test_mpi_register(void)
{
    static const test_case cases[] = {
        { "run of several scenarios with comparison: -np 1, 2, 3 give the "
          "same bytes as one process",
          test_mpi__run_with_comparison_is_the_same_bytes },
        { "conditioned run: -np 1, 2, 3 give the same bytes",
          test_mpi__conditioned_run_is_the_same_bytes },
        { "--precision: -np 1, 2, 3 give the same trials and bytes",
          test_mpi__precision_is_the_same_bytes },
        { "--precision-of: -np 2 gives the same trials and bytes",
          test_mpi__precision_of_is_the_same_bytes },
        { "2-D sweep (with its charts): -np 1, 2, 3 give the same bytes",
          test_mpi__two_setting_sweep_is_the_same_bytes },
        { "sensitivity (with its charts): -np 1, 2, 3 give the same bytes",
          test_mpi__sensitivity_is_the_same_bytes },
        { "discover of a scenario: -np 1, 2, 3 give the same bytes",
          test_mpi__discover_is_the_same_bytes },
        { "score --as-of (conditioned): -np 1, 2, 3 give the same bytes",
          test_mpi__conditioned_score_is_the_same_bytes },
        { "score of a record no trial explains: one process's message, once",
          test_mpi__score_no_trial_explains_gives_one_process_message },
        { "bad input: one message, the scenario's exit code",
          test_mpi__bad_input_gives_one_message },
        { "sensitivity refused on every rank: one message; no --shard",
          test_mpi__sensitivity_refused_gives_one_message },
        { "a NaN in one rank's trials: one process's message, once",
          test_mpi__nan_on_one_rank_gives_one_process_message },
        { "Ctrl-C: every process stops, one message, nothing written",
          test_mpi__ctrl_c_interrupts_every_process_once },
        { "a process killed with SIGKILL ends the job; earlier results "
          "are kept", test_mpi__killed_process_ends_job_and_keeps_earlier_results },
    };
    TEST_SUITE("mpi", cases);
}

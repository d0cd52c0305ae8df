/* bench.c: the `make bench` driver: times ncgsim, the hand loop and the floor. */
/* nftw (to remove the results folder) is an X/Open interface. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <libconfig.h>

/*
 * Every figure is the wall-clock time of a whole process (fork, exec, load,
 * run, write results, exit), taken with CLOCK_MONOTONIC around fork and
 * wait4, so nothing is subtracted and the engine needs no timing code. Each
 * timing runs REPS times and the median is reported next to the min and
 * max: the machine may be shared, and the median is what a user sees on a
 * typical run. Peak memory is the child's ru_maxrss from wait4.
 *
 * Usage: bench [-r REPS] [--quick] NCGSIM BINDIR REFERENCE SCENARIOS
 *   NCGSIM is the binary users get (the one `make` builds and `make
 *   install` installs); BINDIR holds hand and floor, built by the same
 *   compiler with the same flags; REFERENCE is bench/reference.cfg (its
 *   folder also holds numpy_ref.py); SCENARIOS is the shipped folder
 *   (its baseline.cfg is the shipped baseline).
 *   --quick skips the 1e7-trial memory run and the batch with plots.
 * Exit status: 0 when every program ran (goals missed are not failures:
 * they are what the benchmark is for), 1 when one failed, 2 on usage.
 */

#define BENCH_MAX_REPS 99
#define BENCH_MAX_MORE 8        /* scenario sources after SCENARIOS */
#define BENCH_REF_TRIALS 1000000
#define BENCH_BASE_TRIALS 200000
#define BENCH_OUT_MAX 4096

/* The goals (docs/performance.md says where each comes from). */
#define GOAL_VS_HAND 0.8      /* engine -j 1 time / hand C loop's, at most */
#define GOAL_VS_NUMPY 0.8     /* engine -j 1 time / NumPy's, at most */
#define GOAL_VS_FLOOR 2.0     /* engine -j 1 time / keyed floor's, at most */
#define GOAL_TWO_THREADS 1.9  /* -j 1 time / -j 2 time, at least */
#define GOAL_BASE_NS 264.0    /* baseline ns per trial-step, at most */
#define GOAL_SENS_S 4.0       /* sensitivity of the baseline, 2 threads */
#define GOAL_SENS_MIB 100.0   /* ... and its peak memory */
#define GOAL_RUN_S 4.0        /* the shipped batch with plots (make run) */
#define GOAL_MEMORY 1.5       /* peak RSS at 1e7 trials / at 1e5 */

/* One program run: wall seconds, peak RSS, and the start of its stdout. */
typedef struct bench_run {
    double secs;
    double cpu;               /* user + system seconds of the child */
    long maxrss_kb;
    char out[BENCH_OUT_MAX];
} bench_run;

/* The median of REPS runs of one command, and its spread. */
typedef struct bench_fig {
    double med, min, max;     /* seconds */
    double cpu;               /* median CPU seconds: near THREADS x med
                                 when the threads really ran in parallel */
    long maxrss_kb;           /* largest peak RSS over the runs */
    char out[BENCH_OUT_MAX];  /* stdout of the last run */
} bench_fig;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Runs ARGV (ARGV[0] a path) with stdout into R->out (truncated, NUL
 * terminated) and stderr inherited. Returns 0 when it exited with status
 * 0, else -1 with a message on stderr. */
static int bench_spawn(char *const argv[], bench_run *r)
{
    int fd[2];
    struct rusage ru;
    int status = 0;
    size_t used = 0;
    if (pipe(fd) != 0) {
        perror("bench: pipe");
        return -1;
    }
    /* Rows so far reach the terminal (or make's log) before a long run. */
    fflush(stdout);
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench: fork");
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        execv(argv[0], argv);
        fprintf(stderr, "bench: cannot run %s: %s\n", argv[0],
                strerror(errno));
        _exit(127);
    }
    close(fd[1]);
    /* Read to the end so a chatty child never blocks on a full pipe. */
    for (;;) {
        char buf[1024];
        ssize_t n = read(fd[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size_t take = (size_t)n;
        if (take > sizeof r->out - 1 - used)
            take = sizeof r->out - 1 - used;
        memcpy(r->out + used, buf, take);
        used += take;
    }
    r->out[used] = '\0';
    close(fd[0]);
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR) {
            perror("bench: wait4");
            return -1;
        }
    r->secs = now() - t0;
    r->cpu = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec
             + (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    r->maxrss_kb = ru.ru_maxrss;   /* kilobytes on Linux */
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench: %s failed (status %d)\n", argv[0], status);
        return -1;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of the sorted X[0 .. N-1]; for an even N the mean of the
 * middle two. */
static double median(double *x, int n)
{
    qsort(x, (size_t)n, sizeof *x, cmp_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

/* Runs ARGV REPS times into F (median, spread, peak RSS); 0 or -1. */
static int bench_time(char *const argv[], int reps, bench_fig *f)
{
    double secs[BENCH_MAX_REPS], cpu[BENCH_MAX_REPS];
    bench_run r;
    f->maxrss_kb = 0;
    for (int i = 0; i < reps; i++) {
        if (bench_spawn(argv, &r) != 0)
            return -1;
        secs[i] = r.secs;
        cpu[i] = r.cpu;
        if (r.maxrss_kb > f->maxrss_kb)
            f->maxrss_kb = r.maxrss_kb;
    }
    f->med = median(secs, reps);
    f->min = secs[0];
    f->max = secs[reps - 1];
    f->cpu = median(cpu, reps);
    memcpy(f->out, r.out, sizeof f->out);
    return 0;
}

/* One row of the timing table. */
static void print_fig(const char *what, const bench_fig *f, double trials,
                      int steps)
{
    printf("  %-36s %8.3f %7.3f %7.3f %7.3f", what, f->med, f->min, f->max,
           f->cpu);
    if (trials > 0)
        printf(" %10.0f %9.1f", trials / f->med,
               1e9 * f->med / (trials * steps));
    else
        printf(" %10s %9s", "", "");
    printf(" %7.1f\n", (double)f->maxrss_kb / 1024.0);
}

static void print_head(void)
{
    printf("  %-36s %8s %7s %7s %7s %10s %9s %7s\n", "", "median s",
           "min s", "max s", "cpu s", "trials/s", "ns/t-step", "MiB");
}

/* The 1-minute load average: above the cores' count, others were
 * competing for them and the figures (-j N above all) suffer. */
static void print_load(const char *when)
{
    double load;
    if (getloadavg(&load, 1) == 1)
        printf("load average %s: %.2f\n", when, load);
}

static const char *verdict(int ok)
{
    return ok ? "PASS" : "MISS";
}

/* Times ARGV REPS times into F and prints its row as WHAT (TRIALS x STEPS
 * for the rate columns; TRIALS 0 leaves them out). Returns 0 or -1. */
static int row(char **argv, const char *what, int reps, double trials,
               int steps, bench_fig *f)
{
    if (bench_time(argv, reps, f) != 0)
        return -1;
    print_fig(what, f, trials, steps);
    return 0;
}

/* simulation.steps of scenario FILE into *STEPS; 0 or -1 (message). */
static int read_steps(const char *file, int *steps)
{
    config_t cf;
    int rc = -1;
    config_init(&cf);
    if (config_read_file(&cf, file) != CONFIG_TRUE) {
        fprintf(stderr, "bench: %s:%d: %s\n", file, config_error_line(&cf),
                config_error_text(&cf));
        goto end;
    }
    if (config_lookup_int(&cf, "simulation.steps", steps) != CONFIG_TRUE
        || *steps < 1) {
        fprintf(stderr, "bench: %s: no simulation.steps (a scenario that "
                "inherits it through extends is not supported here)\n", file);
        goto end;
    }
    rc = 0;
end:
    config_destroy(&cf);
    return rc;
}

/* The number after " KEY=" in LINE, or NAN. */
static double field(const char *line, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, " %s=", key);
    const char *p = strstr(line, pat);
    return p ? strtod(p + strlen(pat), NULL) : NAN;
}

/* The mean column of variable NAME in results file SUMMARY (summary.csv:
 * variable,kind,mean,...), or NAN when it cannot be read. */
static double summary_mean(const char *summary, const char *name)
{
    char line[4096];
    double mean = NAN;
    size_t len = strlen(name);
    FILE *f = fopen(summary, "r");
    if (!f)
        return NAN;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, name, len) == 0 && line[len] == ',') {
            const char *kind_end = strchr(line + len + 1, ',');
            if (kind_end)
                mean = strtod(kind_end + 1, NULL);
            break;
        }
    fclose(f);
    return mean;
}

/* 1 when A and B agree to 1e-9 relative (summation order differs). */
static int same(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fabs(b) + 1e-12;
}

/* A command timed at -j 1 and at -j 2: its argument vector has a "-j"
 * slot at index JSLOT. */
typedef struct bench_pair {
    const char *what;
    char **argv;
    int jslot;
    double trials;            /* trials x steps for the rate columns, or 0 */
    int steps;
    bench_fig j1, j2;
} bench_pair;

/* Times P at -j 1 and -j 2 and prints both rows; 0 or -1. */
static int pair(bench_pair *p, int reps)
{
    char one[] = "1", two[] = "2", label[96];
    p->argv[p->jslot] = one;
    snprintf(label, sizeof label, "%s -j 1", p->what);
    if (bench_time(p->argv, reps, &p->j1) != 0)
        return -1;
    print_fig(label, &p->j1, p->trials, p->steps);
    p->argv[p->jslot] = two;
    snprintf(label, sizeof label, "%s -j 2", p->what);
    if (bench_time(p->argv, reps, &p->j2) != 0)
        return -1;
    print_fig(label, &p->j2, p->trials, p->steps);
    return 0;
}

/* The NumPy interpreter: Debian's python3 (which python3-numpy serves),
 * else the first python3 on PATH; NULL when neither imports numpy. */
static const char *numpy_python(void)
{
    static const char *const cands[] = { "/usr/bin/python3", "python3" };
    for (size_t i = 0; i < sizeof cands / sizeof *cands; i++) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "%s -c 'import numpy' >/dev/null 2>&1",
                 cands[i]);
        if (system(cmd) == 0)
            return cands[i];
    }
    return NULL;
}

static void goal_line(const char *what, double v, const char *cmp, double g,
                      int ok, const char *note)
{
    printf("  %-40s %8.2f  goal %s %-6.4g %s%s\n", what, v, cmp, g,
           verdict(ok), note);
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void usage(void)
{
    fputs("usage: bench [-r REPS] [--quick] NCGSIM BINDIR REFERENCE "
          "SCENARIOS [MORE...]\n(SCENARIOS holds baseline.cfg; the make run "
          "row runs SCENARIOS and MORE, as make run does)\n", stderr);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "reps", required_argument, NULL, 'r' },
        { "quick", no_argument, NULL, 'Q' },
        { NULL, 0, NULL, 0 }
    };
    int reps = 5, quick = 0, rc = 1, opt;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    char tmp[] = "/tmp/ncgsim-bench-XXXXXX";
    int have_tmp = 0;
    while ((opt = getopt_long(argc, argv, "r:", longopts, NULL)) != -1) {
        if (opt == 'r')
            reps = atoi(optarg);
        else if (opt == 'Q')
            quick = 1;
        else {
            usage();
            return 2;
        }
    }
    if (argc - optind < 4 || argc - optind > 4 + BENCH_MAX_MORE
        || reps < 1 || reps > BENCH_MAX_REPS) {
        usage();
        return 2;
    }
    char *ncgsim = argv[optind];
    const char *bindir = argv[optind + 1], *reference = argv[optind + 2];
    const char *scen_dir = argv[optind + 3];
    char hand[4096], floor_bin[4096], summary[4200], numpy_py[4096];
    char baseline[4096], ref_dir[2048];
    char ref_n[] = "1000000", base_n[] = "200000", batch_n[] = "20000";
    char sens_n[] = "10000", sweep_n[] = "20000";
    int ref_steps, base_steps;
    snprintf(hand, sizeof hand, "%s/hand", bindir);
    snprintf(floor_bin, sizeof floor_bin, "%s/floor", bindir);
    snprintf(baseline, sizeof baseline, "%s/baseline.cfg", scen_dir);
    snprintf(ref_dir, sizeof ref_dir, "%s", reference);
    char *slash = strrchr(ref_dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(ref_dir, sizeof ref_dir, ".");
    snprintf(numpy_py, sizeof numpy_py, "%s/numpy_ref.py", ref_dir);
    if (read_steps(reference, &ref_steps) != 0
        || read_steps(baseline, &base_steps) != 0)
        return 1;
    if (!mkdtemp(tmp)) {
        perror("bench: mkdtemp");
        return 1;
    }
    have_tmp = 1;
    snprintf(summary, sizeof summary, "%s/reference/summary.csv", tmp);
    const char *python = numpy_python();

    /* The argument vectors; "-j" slots are filled per run. */
    char *eng[] = { ncgsim, "run", (char *)reference, "-q", "-o", tmp,
                    "-n", ref_n, "-j", NULL, "--no-plots", NULL };
    char *base[] = { ncgsim, "run", baseline, "-q", "-o", tmp,
                     "-n", base_n, "-j", NULL, "--no-plots", NULL };
    char *batch[] = { ncgsim, "run", (char *)scen_dir, "-q", "-o", tmp,
                      "-n", batch_n, "-j", NULL, "--no-plots", NULL };
    char *sens[] = { ncgsim, "sensitivity", baseline, "-q", "-o", tmp,
                     "-n", sens_n, "-j", NULL, "--no-plots", NULL };
    char *sweep[] = { ncgsim, "sweep", baseline, "-q", "-o", tmp,
                      "-n", sweep_n, "-j", NULL, "--no-plots", "--vary",
                      "shipbuilding_deal=0:1:1", NULL };
    /* make run: every scenario source it names, the report too, into a
     * folder of its own (its compare/ would go stale when later rows
     * rewrite the baseline beside it). */
    char full_out[sizeof tmp + 16];
    snprintf(full_out, sizeof full_out, "%s/make-run", tmp);
    char *full[8 + BENCH_MAX_MORE] = { ncgsim, "run", (char *)scen_dir };
    int nf = 3;
    for (int a = optind + 4; a < argc; a++)
        full[nf++] = argv[a];
    full[nf++] = "-q";
    full[nf++] = "-o";
    full[nf++] = full_out;
    full[nf++] = "--report";
    full[nf] = NULL;
    char *hand_mt[] = { hand, "mt", ref_n, NULL };
    char *hand_keyed[] = { hand, "keyed", ref_n, NULL };
    char *floor_argv[] = { floor_bin, ref_n, NULL };
    char *numpy_argv[] = { (char *)python, numpy_py, ref_n, NULL };
    const double rt = BENCH_REF_TRIALS, bt = BENCH_BASE_TRIALS;
    bench_pair p_ref = { .what = "engine  ncgsim run", .argv = eng,
                         .jslot = 9, .trials = rt, .steps = ref_steps };
    bench_pair p_base = { .what = "engine  ncgsim run", .argv = base,
                          .jslot = 9, .trials = bt, .steps = base_steps };
    bench_pair p_batch = { .what = "batch   run scenarios -n 20000",
                           .argv = batch, .jslot = 9 };
    bench_pair p_sens = { .what = "sensitivity baseline -n 10000",
                          .argv = sens, .jslot = 9 };
    bench_pair p_sweep = { .what = "sweep   baseline, 2 points",
                           .argv = sweep, .jslot = 9 };
    bench_fig h_mt, h_keyed, fl, np, run_full;

    printf("ncgsim benchmark of %s (the binary `make` builds and `make "
           "install` installs):\nwall clock of whole processes, median of "
           "%d runs (min and max beside it;\ncpu s: median CPU time, about "
           "threads x median s when the threads ran in parallel).\n%ld online "
           "cores, possibly shared with other work: compare medians.\n",
           ncgsim, reps, cores);
    print_load("at start");
    printf("\nreference model %s: %.0f trials x %d steps\n", reference, rt,
           ref_steps);
    print_head();
    if (pair(&p_ref, reps))
        goto end;
    double ref_troops = summary_mean(summary, "troops");
    double ref_cred = summary_mean(summary, "cred");
    if (row(hand_mt, "hand C loop, mt19937 (headline)", reps, rt,
            ref_steps, &h_mt)
        || row(hand_keyed, "hand C loop, keyed streams", reps, rt,
               ref_steps, &h_keyed)
        || row(floor_argv, "random-number floor (keyed)", reps, rt,
               ref_steps, &fl))
        goto end;
    if (python) {
        if (row(numpy_argv, "NumPy, vectorised", reps, rt, ref_steps,
                &np))
            goto end;
    } else {
        printf("  NumPy, vectorised: not measured (python3-numpy is not "
               "installed: apt-get install python3-numpy)\n");
    }

    printf("\nshipped baseline %s: %.0f trials x %d steps\n", baseline, bt,
           base_steps);
    print_head();
    if (pair(&p_base, reps))
        goto end;
    printf("\ncommands on the shipped scenarios (no plots)\n");
    print_head();
    if (pair(&p_batch, reps) || pair(&p_sens, reps) || pair(&p_sweep, reps))
        goto end;
    if (!quick) {
        printf("\nthe shipped batch as `make run` runs it (plots and report, "
               "all cores)\n");
        print_head();
        /* "run" and the sources, as the row's label. */
        char what[128] = "run";
        for (int a = 2; a < nf - 4; a++) {
            size_t used = strlen(what);
            snprintf(what + used, sizeof what - used, " %s", full[a]);
        }
        if (row(full, what, reps, 0, 1, &run_full))
            goto end;
    }

    /* Peak memory: one run per size (it hardly varies), on every core. */
    static const char *const sizes[] = { "100000", "1000000", "10000000" };
    long rss[3] = { 0, 0, 0 };
    printf("\npeak resident memory of ncgsim run %s\n", reference);
    eng[9] = NULL;
    eng[8] = "--quiet"; /* all cores: "-j" dropped */
    for (int i = 0; i < (quick ? 2 : 3); i++) {
        bench_run r;
        eng[7] = (char *)sizes[i];
        if (bench_spawn(eng, &r) != 0)
            goto end;
        rss[i] = r.maxrss_kb;
        printf("  %8s trials  %8.1f MiB  (%.1f s)\n", sizes[i],
               (double)rss[i] / 1024.0, r.secs);
    }

    printf("\ncheck\n  hand loop on keyed streams reproduces the engine's "
           "means: %s (troops %.10g vs %.10g, cred %.10g vs %.10g)\n",
           same(field(h_keyed.out, "troops"), ref_troops)
           && same(field(h_keyed.out, "cred"), ref_cred) ? "yes" : "NO",
           field(h_keyed.out, "troops"), ref_troops,
           field(h_keyed.out, "cred"), ref_cred);
    printf("\ngoals (ratios of the medians; time ratios below 1 mean ncgsim "
           "is faster)\n");
    double e1 = p_ref.j1.med;
    goal_line("engine -j 1 time / hand C loop time", e1 / h_mt.med, "<=",
              GOAL_VS_HAND, e1 <= GOAL_VS_HAND * h_mt.med, "");
    if (python)
        goal_line("engine -j 1 time / NumPy time", e1 / np.med, "<=",
                  GOAL_VS_NUMPY, e1 <= GOAL_VS_NUMPY * np.med, "");
    goal_line("engine -j 1 time / keyed floor time", e1 / fl.med, "<=",
              GOAL_VS_FLOOR, e1 <= GOAL_VS_FLOOR * fl.med,
              "  (floor: the model's draws only, in blocks as the engine "
              "draws)");
    bench_pair *pairs[] = { &p_ref, &p_base, &p_batch, &p_sens, &p_sweep };
    const char *pair_names[] = { "-j 2 speed-up, reference model",
                                 "-j 2 speed-up, shipped baseline",
                                 "-j 2 speed-up, shipped batch 20k",
                                 "-j 2 speed-up, sensitivity",
                                 "-j 2 speed-up, sweep" };
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        double up = pairs[i]->j1.med / pairs[i]->j2.med;
        goal_line(pair_names[i], up, ">=", GOAL_TWO_THREADS,
                  up >= GOAL_TWO_THREADS, cores < 2 ? "  (one core)" : "");
    }
    double base_ns = 1e9 * p_base.j1.med / (bt * base_steps);
    goal_line("shipped baseline ns per trial-step, -j 1", base_ns, "<=",
              GOAL_BASE_NS, base_ns <= GOAL_BASE_NS, "");
    goal_line("sensitivity of the baseline, s (-j 2)", p_sens.j2.med, "<=",
              GOAL_SENS_S, p_sens.j2.med <= GOAL_SENS_S, "");
    double sens_mib = (double)p_sens.j2.maxrss_kb / 1024.0;
    goal_line("sensitivity peak memory, MiB", sens_mib, "<=", GOAL_SENS_MIB,
              sens_mib <= GOAL_SENS_MIB, "");
    if (!quick) {
        goal_line("make run after the build, s", run_full.med, "<=",
                  GOAL_RUN_S, run_full.med <= GOAL_RUN_S, "");
        goal_line("peak memory 1e7 / 1e5 trials",
                  (double)rss[2] / (double)rss[0], "<=", GOAL_MEMORY,
                  (double)rss[2] <= GOAL_MEMORY * (double)rss[0], "");
    }
    print_load("at end");
    rc = 0;
end:
    if (have_tmp)
        nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}

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
 * Usage: bench [-r REPS] [-j THREADS] [--quick] BINDIR REFERENCE BASELINE
 *   BINDIR holds ncgsim, hand and floor built with the same flags.
 *   --quick skips the 1e7-trial memory run.
 * Exit status: 0 when every program ran (goals missed are not failures:
 * they are what the benchmark is for), 1 when one failed, 2 on usage.
 */

#define BENCH_MAX_REPS 99
#define BENCH_REF_TRIALS 1000000
#define BENCH_BASE_TRIALS 200000
#define BENCH_OUT_MAX 4096

/* Goals of the issue. */
#define GOAL_VS_HAND 0.7      /* engine -j 1 throughput / hand loop's */
#define GOAL_TWO_THREADS 1.8  /* engine -j 2 throughput / -j 1 */
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
    printf("  %-30s %8.3f %7.3f %7.3f %7.3f %10.0f %9.1f\n", what, f->med,
           f->min, f->max, f->cpu, trials / f->med,
           1e9 * f->med / (trials * steps));
}

static void print_head(void)
{
    printf("  %-30s %8s %7s %7s %7s %10s %9s\n", "", "median s", "min s",
           "max s", "cpu s", "trials/s", "ns/t-step");
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

/* The -j value of an `ncgsim run` vector: its last argument. */
#define BENCH_JSLOT 9

/* Times ARGV REPS times into F and prints its row as WHAT (TRIALS x STEPS
 * for the rates). J, when not NULL, is put in the -j slot of an ncgsim
 * vector first. Returns 0 or -1. */
static int row(char **argv, char *j, int reps, const char *what,
               double trials, int steps, bench_fig *f)
{
    if (j)
        argv[BENCH_JSLOT] = j;
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
    fputs("usage: bench [-r REPS] [-j THREADS] [--quick] BINDIR REFERENCE "
          "BASELINE\n", stderr);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "reps", required_argument, NULL, 'r' },
        { "threads", required_argument, NULL, 'j' },
        { "quick", no_argument, NULL, 'Q' },
        { NULL, 0, NULL, 0 }
    };
    int reps = 5, quick = 0, rc = 1, opt;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = cores < 1 ? 1 : (int)cores;
    char tmp[] = "/tmp/ncgsim-bench-XXXXXX";
    int have_tmp = 0;
    while ((opt = getopt_long(argc, argv, "r:j:", longopts, NULL)) != -1) {
        if (opt == 'r')
            reps = atoi(optarg);
        else if (opt == 'j')
            threads = atoi(optarg);
        else if (opt == 'Q')
            quick = 1;
        else {
            usage();
            return 2;
        }
    }
    if (argc - optind != 3 || reps < 1 || reps > BENCH_MAX_REPS
        || threads < 1) {
        usage();
        return 2;
    }
    const char *bindir = argv[optind], *reference = argv[optind + 1];
    const char *baseline = argv[optind + 2];
    char ncgsim[4096], hand[4096], floor_bin[4096], summary[4200];
    char j1[] = "1", jn[16], jtwo[] = "2";
    char ref_n[] = "1000000", base_n[] = "200000";
    int ref_steps, base_steps;
    snprintf(ncgsim, sizeof ncgsim, "%s/ncgsim", bindir);
    snprintf(hand, sizeof hand, "%s/hand", bindir);
    snprintf(floor_bin, sizeof floor_bin, "%s/floor", bindir);
    snprintf(jn, sizeof jn, "%d", threads);
    if (read_steps(reference, &ref_steps) != 0
        || read_steps(baseline, &base_steps) != 0)
        return 1;
    if (!mkdtemp(tmp)) {
        perror("bench: mkdtemp");
        return 1;
    }
    have_tmp = 1;
    snprintf(summary, sizeof summary, "%s/reference/summary.csv", tmp);

    /* The argument vectors; the -n (7) and -j (BENCH_JSLOT) slots of the
     * ncgsim ones are filled per run. */
    char *eng[] = { ncgsim, "run", (char *)reference, "-q", "-o", tmp,
                    "-n", ref_n, "-j", j1, "--no-plots", NULL };
    char *base[] = { ncgsim, "run", (char *)baseline, "-q", "-o", tmp,
                     "-n", base_n, "-j", j1, "--no-plots", NULL };
    char *hand_mt[] = { hand, "mt", ref_n, NULL };
    char *hand_keyed[] = { hand, "keyed", ref_n, NULL };
    char *floor_argv[] = { floor_bin, ref_n, NULL };
    bench_fig e1, ej, e2, h_mt, h_keyed, fl, b1, bj;
    const double rt = BENCH_REF_TRIALS, bt = BENCH_BASE_TRIALS;

    printf("ncgsim benchmark: wall clock of whole processes, median of %d "
           "runs (min and max beside it;\ncpu s: median CPU time, about "
           "threads x median s when the threads ran in parallel).\n%ld online "
           "cores, possibly shared with other work: compare medians.\n",
           reps, cores);
    print_load("at start");
    printf("\nreference model %s: %.0f trials x %d steps\n", reference, rt,
           ref_steps);
    print_head();
    if (row(eng, j1, reps, "engine  ncgsim run -j 1", rt, ref_steps, &e1))
        goto end;
    double ref_troops = summary_mean(summary, "troops");
    double ref_cred = summary_mean(summary, "cred");
    char label[64];
    snprintf(label, sizeof label, "engine  ncgsim run -j %d", threads);
    if (row(eng, jn, reps, label, rt, ref_steps, &ej))
        goto end;
    e2 = ej;
    if (threads != 2
        && row(eng, jtwo, reps, "engine  ncgsim run -j 2", rt, ref_steps, &e2))
        goto end;
    if (row(hand_mt, NULL, reps, "hand loop, mt19937 (headline)", rt,
            ref_steps, &h_mt)
        || row(hand_keyed, NULL, reps, "hand loop, keyed streams", rt,
               ref_steps, &h_keyed)
        || row(floor_argv, NULL, reps, "random-number floor (keyed)", rt,
               ref_steps, &fl))
        goto end;

    printf("\nbaseline %s: %.0f trials x %d steps\n", baseline, bt,
           base_steps);
    print_head();
    if (row(base, j1, reps, "engine  ncgsim run -j 1", bt, base_steps, &b1)
        || row(base, jn, reps, label, bt, base_steps, &bj))
        goto end;

    /* Peak memory: one run per size (it hardly varies), on every core. */
    static const char *const sizes[] = { "100000", "1000000", "10000000" };
    long rss[3] = { 0, 0, 0 };
    printf("\npeak resident memory of ncgsim run %s -j %d\n", reference,
           threads);
    for (int i = 0; i < (quick ? 2 : 3); i++) {
        bench_run r;
        eng[7] = (char *)sizes[i];
        eng[BENCH_JSLOT] = jn;
        if (bench_spawn(eng, &r) != 0)
            goto end;
        rss[i] = r.maxrss_kb;
        printf("  %8s trials  %8.1f MiB  (%.1f s)\n", sizes[i],
               (double)rss[i] / 1024.0, r.secs);
    }

    double v_mt = h_mt.med / e1.med, v_keyed = h_keyed.med / e1.med;
    double two = e1.med / e2.med, base_two = b1.med / bj.med;
    printf("\ncheck\n  hand loop on keyed streams reproduces the engine's "
           "means: %s (troops %.10g vs %.10g, cred %.10g vs %.10g)\n",
           same(field(h_keyed.out, "troops"), ref_troops)
           && same(field(h_keyed.out, "cred"), ref_cred) ? "yes" : "NO",
           field(h_keyed.out, "troops"), ref_troops,
           field(h_keyed.out, "cred"), ref_cred);
    printf("\ngoals (throughput ratios of the medians)\n");
    printf("  engine -j 1 / hand loop (mt19937)   %5.2f  goal >= %.2f  %s"
           "  (by CPU time %.2f)\n", v_mt, GOAL_VS_HAND,
           verdict(v_mt >= GOAL_VS_HAND), h_mt.cpu / e1.cpu);
    printf("  engine -j 1 / hand loop (keyed)     %5.2f  (same generator as "
           "the engine; for information)\n", v_keyed);
    printf("  engine -j 1 time / floor time       %5.2f  (1.00 would be "
           "nothing but drawing)\n", e1.med / fl.med);
    printf("  engine -j 2 / -j 1, reference       %5.2f  goal >= %.2f  %s\n",
           two, GOAL_TWO_THREADS, verdict(two >= GOAL_TWO_THREADS));
    if (threads == 2)
        printf("  engine -j 2 / -j 1, baseline        %5.2f  goal >= %.2f  "
               "%s\n", base_two, GOAL_TWO_THREADS,
               verdict(base_two >= GOAL_TWO_THREADS));
    else
        printf("  engine -j %d / -j 1, baseline        %5.2f\n", threads,
               base_two);
    if (!quick)
        printf("  peak memory 1e7 / 1e5 trials        %5.2f  goal <= %.2f  "
               "%s\n", (double)rss[2] / (double)rss[0], GOAL_MEMORY,
               verdict((double)rss[2] <= GOAL_MEMORY * (double)rss[0]));
    print_load("at end");
    rc = 0;
end:
    if (have_tmp)
        nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}

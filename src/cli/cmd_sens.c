/* cmd_sens.c: the `sensitivity` and `sweep` commands: options, result folders, tables, plots. */
#include "cli/commands.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli/cli.h"
#include "model/corr.h"
#include "run/engine.h"
#include "base/ncgsim.h"
#include "io/output.h"
#include "analysis/sens.h"
#include "plot/sens_plot.h"
#include "analysis/sweep.h"

const char cmd_sensitivity_usage[] =
    "Usage: ncgsim sensitivity FILE [options]\n"
    "Which assumptions move each output at the last step. A tornado, paired\n"
    "with the base run: each random param held at its 10th and 90th\n"
    "percentile, and each constant param (a judgement written as a number)\n"
    "at its value -20% and +20%, one at a time; constants exactly 0 or 1\n"
    "(switches, levers) are listed, not varied. For the random params also\n"
    "rank correlations and first-order and total Sobol indices (Saltelli\n"
    "design, (d + 2) x N trial-runs for d params) with bootstrap intervals.\n"
    "Writes OUT/<name>-sensitivity/: sensitivity.csv, resolved.cfg,\n"
    "tornado-<output>.png and sobol-<output>.png, and prints the 5 params\n"
    "with the largest swing for each output.\n"
    "\n"
    "      --output NAME    analyse this output (repeatable; default: all)\n"
    "      --constants PCT  hold constants at value x (1 -+ PCT/100)\n"
    "                       (default 20; 0: random params only)\n"
    "  -n, --trials N       trials per run and design matrix (default:\n"
    "                       simulation.trials, at most 10000)\n"
    "      --seed S         random seed\n"
    "      --set PATH=VALUE override a setting (repeatable)\n"
    "      --bootstrap B    resamples for the Sobol intervals (default 200)\n"
    "  -j, --threads N      threads (default: all cores)\n"
    "  -o, --out DIR        results folder (default: results)\n"
    "      --top K          params per output in the table (default 5)\n"
    "      --no-plots       skip the charts\n"
    "  -q, --quiet          no table\n";

const char cmd_sweep_usage[] =
    "Usage: ncgsim sweep FILE --vary PATH=FROM:TO:STEP [--vary ...] [options]\n"
    "Runs the scenario at every point of a one- or two-setting grid (PATH\n"
    "as for --set), all points with the same random numbers, and writes\n"
    "OUT/<name>-sweep/: sweep.csv (each output's mean at the last step, or\n"
    "for an event the probability that it happened by the end, with its 95%\n"
    "interval and paired difference from the first point), resolved.cfg of the first point, and sweep-<output>.png\n"
    "(a line with its band, or a heatmap for two settings).\n"
    "\n"
    "      --vary PATH=FROM:TO:STEP  a setting to vary (once or twice)\n"
    "      --output NAME    print this output (repeatable; default: all)\n"
    "  -n, --trials N       trials per point\n"
    "      --seed S         random seed\n"
    "      --set PATH=VALUE override a setting (repeatable)\n"
    "  -j, --threads N      threads (default: all cores)\n"
    "  -o, --out DIR        results folder (default: results)\n"
    "      --no-plots       skip the charts\n"
    "  -q, --quiet          no table\n";


/* The options of both commands. */
typedef struct opts {
    const char *file;
    const char *out;
    const char **sets, **outputs, **vary;
    size_t n_sets, n_outputs, n_vary;
    scenario_opts so;
    int threads, quiet, no_plots;
    unsigned bootstrap;
    size_t top;
    double const_pct;        /* sensitivity: --constants */
} opts;

/* Appends S to the growing array *LIST of *N entries; 0 or -1. */
static int push(const char ***list, size_t *n, const char *s)
{
    const char **nl = realloc(*list, (*n + 1) * sizeof *nl);
    if (!nl)
        return -1;
    nl[(*n)++] = s;
    *list = nl;
    return 0;
}

/* Parses ARGV of command CMD into O; -1 after --help (exit 0), else 0 or
 * a usage error code. */
static int parse(int argc, char **argv, const char *cmd, const char *usage,
                 opts *o)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'O' },
        { "trials", required_argument, NULL, 'n' },
        { "seed", required_argument, NULL, 'S' },
        { "set", required_argument, NULL, 's' },
        { "bootstrap", required_argument, NULL, 'B' },
        { "threads", required_argument, NULL, 'j' },
        { "out", required_argument, NULL, 'o' },
        { "top", required_argument, NULL, 'T' },
        { "vary", required_argument, NULL, 'V' },
        { "constants", required_argument, NULL, 'C' },
        { "no-plots", no_argument, NULL, 'P' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int is_sweep = strcmp(cmd, "sweep") == 0, c;
    uint64_t v;
    memset(o, 0, sizeof *o);
    o->out = "results";
    o->threads = engine_cores();
    o->top = 5;
    o->const_pct = SENS_CONST_PCT;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":n:j:o:qh", longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'h':
            fputs(usage, stdout);
            return -1;
        case '?':
            return cli_usage(cmd, "unknown option '%s'", argv[optind - 1]);
        case ':':
            return cli_usage(cmd, "option '%s' needs a value",
                               argv[optind - 1]);
        case 'O': bad = push(&o->outputs, &o->n_outputs, optarg); break;
        case 's': bad = push(&o->sets, &o->n_sets, optarg); break;
        case 'V':
            if (!is_sweep)
                return cli_usage(cmd, "option '--vary' does not apply to "
                                   "this command");
            bad = push(&o->vary, &o->n_vary, optarg);
            break;
        case 'n':
            if (cli_count(optarg, 1, 1e12, &v) != 0)
                return cli_usage(cmd, "-n: expected a whole number of "
                                   "trials from 1 to 1e12, got '%s'", optarg);
            o->so.has_trials = 1;
            o->so.trials = v;
            break;
        case 'S':
            if (cli_count(optarg, 0, 9007199254740992.0, &v) != 0)
                return cli_usage(cmd, "--seed: expected a whole number, "
                                   "got '%s'", optarg);
            o->so.has_seed = 1;
            o->so.seed = v;
            break;
        case 'B':
            if (is_sweep || cli_count(optarg, 2, 100000, &v) != 0)
                return cli_usage(cmd, "--bootstrap: expected a number of "
                                   "resamples from 2 to 100000, got '%s'",
                                   optarg);
            o->bootstrap = (unsigned)v;
            break;
        case 'T':
            if (is_sweep || cli_count(optarg, 1, 1000, &v) != 0)
                return cli_usage(cmd, "--top: expected a number from 1 to "
                                   "1000, got '%s'", optarg);
            o->top = (size_t)v;
            break;
        case 'C': {
            char *end;
            errno = 0;
            double pct = strtod(optarg, &end);
            if (is_sweep || end == optarg || *end || errno
                || !(pct >= 0 && pct < 100))
                return cli_usage(cmd, "--constants: expected a percentage "
                                   "from 0 to below 100, got '%s'", optarg);
            o->const_pct = pct;
            break;
        }
        case 'j':
            if (cli_count(optarg, 1, 1024, &v) != 0)
                return cli_usage(cmd, "-j: expected a number of threads "
                                   "from 1 to 1024, got '%s'", optarg);
            o->threads = (int)v;
            break;
        case 'o': o->out = optarg; break;
        case 'P': o->no_plots = 1; break;
        case 'q': o->quiet = 1; break;
        }
        if (bad)
            return cli_usage(cmd, "out of memory");
    }
    if (optind != argc - 1)
        return cli_usage(cmd, "expected one scenario file%s",
                           optind < argc ? ", got several" : "");
    o->file = argv[optind];
    o->so.sets = o->sets;
    o->so.n_sets = o->n_sets;
    if (is_sweep && (o->n_vary < 1 || o->n_vary > 2))
        return cli_usage(cmd, "give --vary PATH=FROM:TO:STEP once or "
                           "twice");
    return 0;
}

static void opts_free(opts *o)
{
    free(o->sets);
    free(o->outputs);
    free(o->vary);
}


/* Writes DIR/NAME through WRITE(CTX, f); 0 or NCG_EXIT_IO. */
static int write_file(const char *dir, const char *name,
                      int (*write)(const void *ctx, FILE *f), const void *ctx,
                      diag *d)
{
    char *path = output_path(dir, name);
    FILE *f = path ? fopen(path, "w") : NULL;
    int rc = 0;
    if (!f || write(ctx, f) != 0) {
        diag_add(d, path ? path : name, 0, NULL, "cannot write: %s",
                 strerror(errno));
        rc = NCG_EXIT_IO;
    }
    if (f && fclose(f) != 0 && rc == 0) {
        diag_add(d, path, 0, NULL, "write error: %s", strerror(errno));
        rc = NCG_EXIT_IO;
    }
    free(path);
    return rc;
}

static int write_sens(const void *ctx, FILE *f)
{
    return sens_write_csv(ctx, f);
}

static int write_sweep(const void *ctx, FILE *f)
{
    return sweep_write_csv(ctx, f);
}

static int write_resolved(const void *ctx, FILE *f)
{
    return scenario_write(ctx, "resolved by ncgsim " NCGSIM_VERSION, f);
}

/* The folder OUT/<name>-<what>: results, the resolved scenario, and
 * WRITE's file, swapped into place at once; then PLOT when wanted. */
static int publish(const opts *o, const scenario *sc, const model *m,
                   uint64_t trials, const char *what, const char *csv,
                   int (*write)(const void *, FILE *), const void *res,
                   int (*plot)(const void *, const char *, diag *), diag *d)
{
    output_dir od;
    char name[300];
    snprintf(name, sizeof name, "%s-%s", sc->name, what);
    int rc = output_begin(o->out, name, &od, d);
    if (rc != 0)
        return rc;
    if ((rc = write_file(od.tmp, csv, write, res, d)) == 0
        && (rc = write_file(od.tmp, "resolved.cfg", write_resolved, sc, d)) == 0)
        rc = corr_write(m, trials, od.tmp, o->quiet ? NULL : stdout, d);
    if (rc == 0 && !o->no_plots && plot(res, od.tmp, d) != 0)
        /* Numbers matter more than charts: say so and keep the folder. */
        fprintf(stderr, "ncgsim: %s: charts not drawn (is gnuplot "
                "installed?)\n", what);
    if (rc == 0 && cli_interrupted) {
        diag_add(d, NULL, 0, NULL, "cli_interrupted");
        rc = NCG_EXIT_RUN;
    }
    if (rc != 0) {
        output_abort(&od);
        return rc;
    }
    if ((rc = output_commit(&od, d)) == 0 && !o->quiet)
        printf("  results: %s/%s/\n", o->out, name);
    return rc;
}

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec)
           + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

static int plot_sens(const void *res, const char *dir, diag *d)
{
    return sens_plot_sensitivity(res, dir, d);
}

static int plot_sweep(const void *res, const char *dir, diag *d)
{
    return sens_plot_sweep(res, dir, d);
}

/* What was varied and what it cost, before the table. */
static void print_header(const sens_result *r, int set_trials, double secs)
{
    size_t unread = 0;
    for (size_t j = 0; j < r->n_const; j++)
        unread += !r->const_rows[j].reaches;
    printf("%s: %zu random params", r->sc->name, r->d);
    if (r->const_pct > 0) {
        printf(", %zu constants \u00b1%g%%", r->n_const, r->const_pct);
        if (unread)
            printf(" (%zu read by no analysed output: swing 0, not run)",
                   unread);
    }
    printf("; %llu trials per run%s, %llu trial-runs in %.1f s\n",
           (unsigned long long)r->trials,
           set_trials ? "" : " (simulation.trials, at most 10000: -n to change)",
           (unsigned long long)r->trial_runs, secs);
    printf("Swings are one at a time (all else as in the base run); Sobol "
           "indices treat random params as independent.\n");
}

int cmd_sensitivity(int argc, char **argv)
{
    opts o;
    diag *d = diag_alloc();
    sens_result *r = NULL;
    struct timespec t0;
    int rc = parse(argc, argv, "sensitivity", cmd_sensitivity_usage, &o);
    if (rc != 0 || !d)
        goto end;
    cli_catch_signals();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sens_opts so = { o.file, o.so, o.outputs, o.n_outputs, o.threads,
                     o.bootstrap, &cli_interrupted, NULL, NULL, o.const_pct,
                     SENS_TRIALS };
    if ((rc = sens_run(&so, &r, d)) != 0)
        goto end;
    if (!o.quiet) {
        print_header(r, o.so.has_trials, since(&t0));
        sens_table(r, o.top, stdout);
        putchar('\n');
    }
    rc = publish(&o, r->sc, r->m, r->trials, "sensitivity", "sensitivity.csv",
                 write_sens, r, plot_sens, d);
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    sens_result_free(r);
    opts_free(&o);
    return rc < 0 ? 0 : rc;
}

int cmd_sweep(int argc, char **argv)
{
    opts o;
    diag *d = diag_alloc();
    sweep_result *r = NULL;
    char err[512];
    int rc = parse(argc, argv, "sweep", cmd_sweep_usage, &o);
    if (rc != 0 || !d)
        goto end;
    sweep_opts so = { 0 };
    so.path = o.file;
    so.so = o.so;
    so.n_axes = o.n_vary;
    so.threads = o.threads;
    so.stop = &cli_interrupted;
    for (size_t a = 0; a < o.n_vary; a++)
        if (sweep_parse_axis(o.vary[a], &so.axes[a], err, sizeof err) != 0) {
            rc = cli_usage("sweep", "%s", err);
            goto end;
        }
    cli_catch_signals();
    if ((rc = sweep_run(&so, &r, d)) != 0)
        goto end;
    if (!o.quiet) {
        sweep_table(r, o.outputs, o.n_outputs, stdout);
        putchar('\n');
    }
    rc = publish(&o, r->sc, r->m, r->trials, "sweep", "sweep.csv",
                 write_sweep, r, plot_sweep, d);
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    sweep_result_free(r);
    opts_free(&o);
    return rc < 0 ? 0 : rc;
}

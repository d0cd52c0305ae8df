/* cmd_sensitivity.c: `ncgsim sensitivity`: which assumptions drive each
 * output (tornado, rank correlations, Sobol indices). */
#include "cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "analysis/sens.h"
#include "cli/cli.h"
#include "cli/publish.h"
#include "plot/sens_plot.h"
#include "run/engine.h"

enum {
    SA_OUTPUT, SA_CONSTANTS, SA_TRIALS, SA_SEED, SA_SET,
    SA_BOOTSTRAP, SA_THREADS, SA_OUT, SA_TOP, SA_NO_PLOTS, SA_FORMAT,
    SA_QUIET, SA_N_OPTS
};

static const opt_spec sens_opts_table[SA_N_OPTS] = {
    [SA_OUTPUT] = { .name = "output", .kind = OPT_STRING, .arg = "NAME",
                      .help = "analyse this output (repeatable; default: all)",
                      .repeat = 1 },
    [SA_CONSTANTS] = { .name = "constants", .kind = OPT_DOUBLE, .arg = "PCT",
                         .help = "hold constants at value x (1 -+ PCT/100)\n"
                                 "(default 20; 0: random params only)",
                         .expect = "a percentage from 0 to below 100",
                         .dmin = 0, .dmax = 100, .open = OPT_OPEN_MAX },
    [SA_TRIALS] = CLI_OPT_TRIALS("trials per run and design matrix (default:\n"
                                       "simulation.trials, at most 10000)"),
    [SA_SEED] = CLI_OPT_SEED("random seed"),
    [SA_SET] = CLI_OPT_SET("override a setting (repeatable)"),
    [SA_BOOTSTRAP] = { .name = "bootstrap", .kind = OPT_COUNT, .arg = "B",
                         .help = "resamples for the Sobol intervals (default 200)",
                         .expect = "a number of resamples from 2 to 100000",
                         .cmin = 2, .cmax = 100000 },
    [SA_THREADS] = CLI_OPT_THREADS("threads (default: all cores)"),
    [SA_OUT] = CLI_OPT_OUT("results folder (default: results)"),
    [SA_TOP] = { .name = "top", .kind = OPT_COUNT, .arg = "K",
                   .help = "params per output in the table (default 5)",
                   .expect = "a number from 1 to 1000", .cmin = 1, .cmax = 1000 },
    [SA_NO_PLOTS] = CLI_OPT_NO_PLOTS("skip the charts"),
    [SA_FORMAT] = CLI_OPT_FORMAT("charts as png (default), svg or pdf"),
    [SA_QUIET] = CLI_OPT_QUIET("no table"),
};

const cli_command cmd_sensitivity_def = {
    "sensitivity", cmd_sensitivity, "which uncertain params drive each output",
    "ncgsim sensitivity FILE [options]",
    "Which assumptions move each output at the last step. A tornado, paired\n"
    "with the base run: each random param held at its 10th and 90th\n"
    "percentile, and each constant param marked as judgement (its source or\n"
    "note says \"judgement\") at its value -20% and +20%, one at a time;\n"
    "sourced constants, calendar steps (unit \"step\") and switches (0 or 1)\n"
    "are not varied (sweep them). Ranked by the largest effect of either\n"
    "end, both ends shown. For the random params also\n"
    "rank correlations and first-order and total Sobol indices (Saltelli\n"
    "design, (d + 2) x N trial-runs for d params) with bootstrap intervals.\n"
    "Writes OUT/<name>-sensitivity/: sensitivity.csv, resolved.cfg,\n"
    "tornado-<output>.png and sobol-<output>.png, and prints the 5 params\n"
    "with the largest effect for each output. A scenario conditioned on\n"
    "observations gets weighted effects (paired) and weighted first-order\n"
    "indices and rank correlations: no total index (the Sobol chart shows\n"
    "the first-order ones) and a tornado that says it is weighted, params\n"
    "held at their prior's percentiles (docs/sensitivity.md).\n",
    NULL, sens_opts_table, SA_N_OPTS, OPERANDS_SCENARIOS
};

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec)
           + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

static int write_sens(const void *res, FILE *f)
{
    return sens_write_csv(res, f);
}

static int plot_sens(const void *res, const char *dir, const plot_opts *o,
                     diag *d)
{
    return sens_plot_sensitivity(res, dir, o, d);
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
    if (r->weighted)
        printf("Swings are one at a time (all else as in the base run); "
               "the Sobol column is the weighted first-order index "
               "(conditioned scenario).\n");
    else
        printf("Swings are one at a time (all else as in the base run); "
               "Sobol indices treat random params as independent.\n");
}

/* The analysis options from the parsed values V, for FILE. */
static void sens_options(const opt_value *v, const char *file, sens_opts *so)
{
    sens_opts z = { 0 };
    *so = z;
    so->path = file;
    cli_scenario_opts(&v[SA_TRIALS], &v[SA_SEED], &v[SA_SET], &so->so);
    so->outputs = v[SA_OUTPUT].list;
    so->n_outputs = v[SA_OUTPUT].n;
    so->threads = v[SA_THREADS].given ? (int)v[SA_THREADS].u : engine_cores();
    so->bootstrap = (unsigned)v[SA_BOOTSTRAP].u;
    so->stop = &cli_interrupted;
    so->const_pct = v[SA_CONSTANTS].given ? v[SA_CONSTANTS].x
                                            : SENS_CONST_PCT;
    so->max_trials = SENS_TRIALS;
}

int cmd_sensitivity(int argc, char **argv)
{
    opt_value v[SA_N_OPTS];
    diag *d = diag_alloc();
    sens_result *r = NULL;
    struct timespec t0;
    sens_opts so;
    int rc = opts_parse(&cmd_sensitivity_def, argc, argv, v);
    if (rc != 0 || !d)
        goto end;
    if (optind != argc - 1) {
        rc = cli_usage("sensitivity", "expected one scenario file%s",
                       optind < argc ? ", got several" : "");
        goto end;
    }
    sens_options(v, argv[optind], &so);
    cli_catch_signals();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if ((rc = sens_run(&so, &r, d)) != 0)
        goto end;
    int quiet = v[SA_QUIET].given > 0;
    if (!quiet) {
        print_header(r, so.so.has_trials, since(&t0));
        sens_table(r, v[SA_TOP].given ? (size_t)v[SA_TOP].u : 5, stdout);
        putchar('\n');
    }
    publish_spec p = { v[SA_OUT].given ? v[SA_OUT].s : "results",
                       "sensitivity", "sensitivity.csv", write_sens, plot_sens,
                       v[SA_FORMAT].s, quiet, v[SA_NO_PLOTS].given > 0 };
    rc = publish_analysis(&p, r->sc, r->m, r->trials, r, d);
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    sens_result_free(r);
    opts_values_free(v, SA_N_OPTS);
    return rc < 0 ? 0 : rc;
}

/* cmd_sensitivity.c: `ncgsim sensitivity`: which assumptions drive each
 * output (tornado, rank correlations, Sobol indices). */
#include "cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include "analysis/sens.h"
#include "analysis/senspart.h"
#include "base/status.h"
#include "cli/cli.h"
#include "cli/cluster.h"
#include "cli/publish.h"
#include "io/part.h"
#include "io/runpart.h"
#include "run/engine.h"

enum {
    SA_OUTPUT, SA_CONSTANTS, SA_TRIALS, SA_SEED, SA_SET,
    SA_BOOTSTRAP, SA_THREADS, SA_OUT, SA_TOP, SA_NO_PLOTS, SA_FORMAT,
    SA_QUIET, SA_SHARD, SA_N_OPTS
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
    [SA_THREADS] = CLI_OPT_THREADS("threads (default: all cores, shared out\n"
                                   "among the processes of an MPI job on a\n"
                                   "machine)"),
    [SA_OUT] = CLI_OPT_OUT("results folder (default: results)"),
    [SA_TOP] = { .name = "top", .kind = OPT_COUNT, .arg = "K",
                   .help = "params per output in the table (default 5)",
                   .expect = "a number from 1 to 1000", .cmin = 1, .cmax = 1000 },
    [SA_NO_PLOTS] = CLI_OPT_NO_PLOTS("skip the charts"),
    [SA_FORMAT] = CLI_OPT_FORMAT("charts as png (default), svg or pdf"),
    [SA_QUIET] = CLI_OPT_QUIET("no table"),
    [SA_SHARD] = CLI_OPT_SHARD("compute only shard I of K of the work (its\n"
                               "tornado groups and design trials) and write\n"
                               "its part file into OUT; `ncgsim merge`\n"
                               "makes the results (docs/distributed.md)"),
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
    "With --shard I/K it writes only OUT/<name>-sensitivity.part-I-of-K\n"
    ".ncgpart; `ncgsim merge` of the K parts writes the folder above, byte\n"
    "for byte. Under mpirun the processes share the work the same way and\n"
    "rank 0 writes.\n",
    sens_opts_table, SA_N_OPTS, OPERANDS_SCENARIOS
};

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec)
           + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
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
    int share = engine_cores() / cluster_local_size();
    so->threads = v[SA_THREADS].given ? (int)v[SA_THREADS].u
                                      : share > 1 ? share : 1;
    so->bootstrap = (unsigned)v[SA_BOOTSTRAP].u;
    so->stop = &cli_interrupted;
    so->const_pct = v[SA_CONSTANTS].given ? v[SA_CONSTANTS].x
                                            : SENS_CONST_PCT;
    so->max_trials = SENS_TRIALS;
}

/* --shard I/K: writes R's part (its units computed) into OUT. */
static int write_shard(const sens_result *r, uint32_t i, uint32_t k,
                       int set_trials, const char *out, int quiet, diag *d)
{
    part *p = NULL;
    char name[256];
    int rc = sens_part_build(r, i, k, set_trials, &p, d);
    if (rc != 0)
        return rc;
    part_file_name("sensitivity", r->sc->name, i, k, name, sizeof name);
    rc = part_write(p, out, name, d);
    part_free(p);
    if (rc == 0 && !quiet)
        printf("  part: %s/%s\n", out, name);
    return rc;
}

/* An MPI job: every rank's units of R (STATUS its sens_run_units') go to
 * rank 0 as a part, which checks them as `merge` does and puts them in
 * place, so that its R holds every unit. A failure on any rank ends the
 * job (cluster_gather). 0, or a status with a message in D. */
static int sens_gather(sens_result *r, int set_trials, int status, diag *d)
{
    int ranks = cluster_size(), rc = status;
    part *mine = NULL, **parts = NULL;
    char **labels = NULL;
    unsigned char *buf = NULL, *all = NULL;
    size_t len = 0, *lens = NULL, off = 0, *order = NULL;
    if (rc == 0 && (rc = sens_part_build(r, (uint32_t)cluster_rank() + 1,
                                         (uint32_t)ranks, set_trials, &mine,
                                         d)) == 0
        && part_encode(mine, &buf, &len) != 0) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
    }
    part_free(mine);
    rc = cluster_gather(rc, buf, len, &all, &lens, d);
    free(buf);
    if (rc != 0 || !all)
        goto end;
    parts = calloc((size_t)ranks, sizeof *parts);
    labels = calloc((size_t)ranks, sizeof *labels);
    order = calloc((size_t)ranks, sizeof *order);
    if (!parts || !labels || !order) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    for (int k = 0; rc == 0 && k < ranks; k++) {
        char label[32];
        snprintf(label, sizeof label, "rank %d", k);
        if (!(labels[k] = strdup(label))) {
            diag_add(d, NULL, 0, NULL, "out of memory");
            rc = NCG_ERR_NOMEM;
        } else {
            rc = part_decode(all + off, lens[k], label, &parts[k], d);
        }
        off += lens[k];
    }
    if (rc == 0)
        rc = runpart_order(parts, (const char *const *)labels, (size_t)ranks,
                           order, d);
    /* Rank 0's own units are put in place again with the others'. */
    r->trial_runs = 0;
    for (int k = 0; rc == 0 && k < ranks; k++)
        rc = sens_part_fold(r, parts[order[k]], labels[order[k]], d);
end:
    for (int k = 0; parts && k < ranks; k++)
        part_free(parts[k]);
    for (int k = 0; labels && k < ranks; k++)
        free(labels[k]);
    free(parts);
    free(labels);
    free(order);
    free(all);
    free(lens);
    return rc;
}

int cmd_sensitivity(int argc, char **argv)
{
    opt_value v[SA_N_OPTS];
    diag *d = diag_alloc();
    sens_result *r = NULL;
    struct timespec t0;
    sens_opts so;
    uint32_t shard = 0, shards = 0;
    uint64_t first = 0, count = 0;
    int rc = opts_parse(&cmd_sensitivity_def, argc, argv, v);
    if (rc != 0 || !d)
        goto end;
    if (optind != argc - 1) {
        rc = cli_usage("sensitivity", "expected one scenario file%s",
                       optind < argc ? ", got several" : "");
        goto end;
    }
    if ((rc = cli_shard("sensitivity", &v[SA_SHARD], &shard, &shards)) != 0)
        goto end;
    if (shards && cluster_running()) {
        rc = cli_usage("sensitivity", "--shard: under mpirun the processes "
                       "are the shards; run without --shard");
        goto end;
    }
    if (cluster_running()) {
        shard = (uint32_t)cluster_rank() + 1;
        shards = (uint32_t)cluster_size();
    }
    sens_options(v, argv[optind], &so);
    cli_catch_signals();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const char *out = v[SA_OUT].given ? v[SA_OUT].s : "results";
    int quiet = v[SA_QUIET].given > 0, set_trials = so.so.has_trials;
    if ((rc = sens_prepare(&so, &r, d)) == 0) {
        if (shards)
            runpart_range(sens_units(r), shard, shards, &first, &count);
        else
            count = sens_units(r);
        rc = sens_run_units(r, &so, first, count, d);
    }
    if (cluster_running()) {
        rc = sens_gather(r, set_trials, rc, d);
        if (cluster_rank() != 0)
            goto end;
    } else if (shards) {
        if (rc == 0)
            rc = write_shard(r, shard, shards, set_trials, out, quiet, d);
        goto end;
    }
    if (rc != 0 || (rc = sens_finish(r, d)) != 0)
        goto end;
    sens_publish po = { out, v[SA_FORMAT].s, quiet, v[SA_NO_PLOTS].given > 0,
                        v[SA_TOP].given ? (size_t)v[SA_TOP].u : 5, set_trials,
                        since(&t0) };
    rc = publish_sensitivity(r, &po, d);
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    sens_result_free(r);
    opts_values_free(v, SA_N_OPTS);
    return rc < 0 ? 0 : rc;
}

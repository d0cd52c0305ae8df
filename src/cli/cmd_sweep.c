/* cmd_sweep.c: `ncgsim sweep`: a scenario over a grid of one or two
 * settings, every point with the same random numbers. */
#include "cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/sweep.h"
#include "analysis/sweeppart.h"
#include "base/status.h"
#include "cli/cli.h"
#include "cli/cluster.h"
#include "io/part.h"
#include "io/runpart.h"
#include "cli/publish.h"
#include "run/engine.h"

enum {
    SWEEP_VARY, SWEEP_OUTPUT, SWEEP_TRIALS, SWEEP_SEED, SWEEP_SET,
    SWEEP_THREADS, SWEEP_OUT, SWEEP_NO_PLOTS, SWEEP_FORMAT, SWEEP_QUIET,
    SWEEP_SHARD, SWEEP_N_OPTS
};

static const opt_spec sweep_opts_table[SWEEP_N_OPTS] = {
    [SWEEP_VARY] = { .name = "vary", .kind = OPT_STRING,
                     .arg = "PATH=FROM:TO:STEP",
                     .help = "a setting to vary (once or twice)", .repeat = 1 },
    [SWEEP_OUTPUT] = { .name = "output", .kind = OPT_STRING, .arg = "NAME",
                       .help = "print this output (repeatable; default: all)",
                       .repeat = 1 },
    [SWEEP_TRIALS] = CLI_OPT_TRIALS("trials per point"),
    [SWEEP_SEED] = CLI_OPT_SEED("random seed"),
    [SWEEP_SET] = CLI_OPT_SET("override a setting (repeatable)"),
    [SWEEP_THREADS] = CLI_OPT_THREADS("threads (default: all cores, shared out\n"
                                      "among the processes of an MPI job on a\n"
                                      "machine)"),
    [SWEEP_OUT] = CLI_OPT_OUT("results folder (default: results)"),
    [SWEEP_NO_PLOTS] = CLI_OPT_NO_PLOTS("skip the charts"),
    [SWEEP_FORMAT] = CLI_OPT_FORMAT("charts as png (default), svg or pdf"),
    [SWEEP_QUIET] = CLI_OPT_QUIET("no table"),
    [SWEEP_SHARD] = CLI_OPT_SHARD("compute only shard I of K (fixed ranges of\n"
                                  "the grid's points) and write one part file,\n"
                                  "OUT/<name>-sweep.part-I-of-K.ncgpart, and\n"
                                  "nothing else; `ncgsim merge` makes the\n"
                                  "results"),
};

const cli_command cmd_sweep_def = {
    "sweep", cmd_sweep, "run a scenario over a grid of one or two settings",
    "ncgsim sweep FILE --vary PATH=FROM:TO:STEP [--vary ...] [options]",
    "Runs the scenario at every point of a one- or two-setting grid (PATH\n"
    "as for --set), all points with the same random numbers, and writes\n"
    "OUT/<name>-sweep/: sweep.csv (each output's mean at the last step, or\n"
    "for an event the probability that it happened by the end, with its 95%\n"
    "interval and paired difference from the first point), resolved.cfg of\n"
    "the first point, and sweep-<output>.png\n"
    "(a line with its band, or a heatmap for two settings).\n",
    NULL, sweep_opts_table, SWEEP_N_OPTS, OPERANDS_SCENARIOS
};

/* Points FIRST .. FIRST + *COUNT - 1 of the grid of SO: shard I of K. */
static void sweep_share(sweep_opts *so, uint32_t i, uint32_t k)
{
    uint64_t n = 1, first, count;
    for (size_t a = 0; a < so->n_axes; a++)
        n *= so->axes[a].n;
    runpart_range(n, i, k, &first, &count);
    so->ranged = 1;
    so->first = (size_t)first;
    so->count = (size_t)count;
}

static int take_cells(void *r, const part *q, const char *label, diag *d)
{
    return sweeppart_take(q, label, r, d);
}

/* An MPI job: every rank's cells of R (its points SO->first .. + count -
 * 1; STATUS its sweep_run's) go to rank 0 as a part, and rank 0 puts them
 * in place, so that its R holds every point. A failure on any rank ends
 * the job (cluster_gather). 0, or a status with a message in D. */
static int sweep_gather(const sweep_opts *so, sweep_result *r, int status,
                        diag *d)
{
    part *p = NULL;
    int rc = status;
    if (rc == 0 && sweeppart_build(r, so->first, so->count,
                                   (uint32_t)cluster_rank() + 1,
                                   (uint32_t)cluster_size(), &p) != 0) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
    }
    rc = cluster_gather_parts(rc, p, take_cells, r, d);
    part_free(p);
    return rc;
}

/* --shard I/K: the part of the shard R computed (points SO->first ..),
 * written into OUT. 0 or a status with a message. */
static int sweep_write_part(const sweep_opts *so, const sweep_result *r,
                            uint32_t i, uint32_t k, const char *out, diag *d)
{
    part *p = NULL;
    char name[300];
    if (sweeppart_build(r, so->first, so->count, i, k, &p) != 0) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    part_file_name("sweep", r->sc->name, i, k, name, sizeof name);
    int rc = part_write(p, out, name, d);
    part_free(p);
    return rc;
}

/* The sweep's options from V and the operands; 0 or a usage error. */
static int sweep_options(const opt_value *v, int argc, char **argv,
                         sweep_opts *so)
{
    char err[512];
    sweep_opts z = { 0 };
    *so = z;
    if (optind != argc - 1)
        return cli_usage("sweep", "expected one scenario file%s",
                         optind < argc ? ", got several" : "");
    if (v[SWEEP_VARY].n < 1 || v[SWEEP_VARY].n > 2)
        return cli_usage("sweep", "give --vary PATH=FROM:TO:STEP once or "
                         "twice");
    so->path = argv[optind];
    cli_scenario_opts(&v[SWEEP_TRIALS], &v[SWEEP_SEED], &v[SWEEP_SET], &so->so);
    so->n_axes = v[SWEEP_VARY].n;
    int share = engine_cores() / cluster_local_size();
    so->threads = v[SWEEP_THREADS].given ? (int)v[SWEEP_THREADS].u
                                         : share > 1 ? share : 1;
    so->stop = &cli_interrupted;
    for (size_t a = 0; a < so->n_axes; a++)
        if (sweep_parse_axis(v[SWEEP_VARY].list[a], &so->axes[a], err,
                             sizeof err) != 0)
            return cli_usage("sweep", "%s", err);
    return 0;
}

int cmd_sweep(int argc, char **argv)
{
    opt_value v[SWEEP_N_OPTS];
    diag *d = diag_alloc();
    sweep_result *r = NULL;
    sweep_opts so;
    uint32_t shard = 0, shards = 0;
    int rc = opts_parse(&cmd_sweep_def, argc, argv, v);
    if (rc != 0 || !d || (rc = sweep_options(v, argc, argv, &so)) != 0
        || (rc = cli_shard("sweep", &v[SWEEP_SHARD], &shard, &shards)) != 0)
        goto end;
    if (shards && cluster_running()) {
        rc = cli_usage("sweep", "--shard: under mpirun the processes are the "
                       "shards; run without --shard");
        goto end;
    }
    const char *out = v[SWEEP_OUT].given ? v[SWEEP_OUT].s : "results";
    cli_catch_signals();
    if (shards)
        sweep_share(&so, shard, shards);
    else if (cluster_running())
        sweep_share(&so, (uint32_t)cluster_rank() + 1,
                    (uint32_t)cluster_size());
    rc = sweep_run(&so, &r, d);
    if (cluster_running()) {
        rc = sweep_gather(&so, r, rc, d);
        if (cluster_rank() != 0)
            goto end;
    }
    if (rc != 0)
        goto end;
    if (shards)
        rc = sweep_write_part(&so, r, shard, shards, out, d);
    else
        rc = publish_sweep(r, out, v[SWEEP_FORMAT].s,
                           (const char *const *)v[SWEEP_OUTPUT].list,
                           v[SWEEP_OUTPUT].n, v[SWEEP_QUIET].given > 0,
                           v[SWEEP_NO_PLOTS].given > 0, d);
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    sweep_result_free(r);
    opts_values_free(v, SWEEP_N_OPTS);
    return rc < 0 ? 0 : rc;
}

/* cmd_sweep.c: `ncgsim sweep`: a scenario over a grid of one or two
 * settings, every point with the same random numbers. */
#include "cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/sweep.h"
#include "base/status.h"
#include "cli/cli.h"
#include "cli/cluster.h"
#include "io/part.h"
#include "io/runpart.h"
#include "cli/publish.h"
#include "plot/sens_plot.h"
#include "run/engine.h"

enum {
    SWEEP_VARY, SWEEP_OUTPUT, SWEEP_TRIALS, SWEEP_SEED, SWEEP_SET,
    SWEEP_THREADS, SWEEP_OUT, SWEEP_NO_PLOTS, SWEEP_FORMAT, SWEEP_QUIET, SWEEP_N_OPTS
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

static int write_sweep(const void *res, FILE *f)
{
    return sweep_write_csv(res, f);
}

static int plot_sweep(const void *res, const char *dir, const plot_opts *o,
                     diag *d)
{
    return sens_plot_sweep(res, dir, o, d);
}

/* Values kept per cell in a part: mean, se, diff, diff_se. */
#define CELL_VALUES 4
_Static_assert(sizeof(sweep_cell) == CELL_VALUES * sizeof(double),
               "a sweep cell is its four doubles");

/* This rank's share of the N points of an MPI job, into SO. */
static void sweep_share(sweep_opts *so)
{
    uint64_t n = 1, first, count;
    for (size_t a = 0; a < so->n_axes; a++)
        n *= so->axes[a].n;
    runpart_range(n, (uint32_t)cluster_rank() + 1, (uint32_t)cluster_size(),
                  &first, &count);
    so->ranged = 1;
    so->first = (size_t)first;
    so->count = (size_t)count;
}

/* An MPI job: every rank's cells of R (its points SO->first .. + count - 1;
 * STATUS its sweep_run's) go to rank 0 as a part, and rank 0 puts them in
 * place, so that its R holds every point. A failure on any rank ends the
 * job (cluster_gather). 0, or a status with a message in D. */
static int sweep_gather(const sweep_opts *so, sweep_result *r, int status,
                        diag *d)
{
    part_info f;
    part *p = NULL;
    unsigned char *buf = NULL, *all = NULL;
    size_t len = 0, *lens = NULL, n_out = r ? r->n_out : 0, off = 0;
    int rc = status;
    memset(&f, 0, sizeof f);
    snprintf(f.command, sizeof f.command, "sweep");
    snprintf(f.unit, sizeof f.unit, "row");
    f.members = 1;
    f.shard = (uint32_t)cluster_rank() + 1;
    f.shards = (uint32_t)cluster_size();
    f.first = so->first;
    f.count = so->count;
    if (rc == 0) {
        uint64_t w = (uint64_t)r->weighted;
        f.units = r->n_points;
        f.trials = r->trials;
        f.seed = r->sc->sim.seed;
        snprintf(f.scenario, sizeof f.scenario, "%s", r->sc->name);
        size_t first = so->first < r->n_points ? so->first : r->n_points;
        rc = !(p = part_alloc(&f))
             || part_add(p, "cells", PART_F64, r->cells + first * n_out,
                         so->count * n_out * CELL_VALUES) != 0
             || part_add(p, "weighted", PART_U64, &w, 1) != 0
             || part_encode(p, &buf, &len) != 0 ? NCG_ERR_NOMEM : 0;
        if (rc)
            diag_add(d, NULL, 0, NULL, "out of memory");
    }
    part_free(p);
    rc = cluster_gather(rc, buf, len, &all, &lens, d);
    free(buf);
    for (int k = 0; rc == 0 && all && k < cluster_size(); k++) {
        part *q = NULL;
        char label[32];
        size_t nv = 0, nw = 0;
        snprintf(label, sizeof label, "rank %d", k);
        rc = part_decode(all + off, lens[k], label, &q, d);
        off += lens[k];
        const part_info *qi = q ? part_get_info(q) : NULL;
        const double *cells = q ? part_find(q, "cells", PART_F64, &nv) : NULL;
        const uint64_t *w = q ? part_find(q, "weighted", PART_U64, &nw) : NULL;
        if (rc == 0 && (!cells || !w || nw != 1 || qi->count > r->n_points
                        || qi->first > r->n_points - qi->count
                        || nv != qi->count * n_out * CELL_VALUES)) {
            diag_add(d, label, 0, NULL, "malformed part (cells)");
            rc = NCG_ERR_IO;
        }
        if (rc == 0 && nv) {
            memcpy(r->cells + qi->first * n_out, cells, nv * sizeof *cells);
            r->weighted |= (int)w[0];
        }
        part_free(q);
    }
    free(all);
    free(lens);
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
    int rc = opts_parse(&cmd_sweep_def, argc, argv, v);
    if (rc != 0 || !d || (rc = sweep_options(v, argc, argv, &so)) != 0)
        goto end;
    cli_catch_signals();
    if (cluster_running())
        sweep_share(&so);
    rc = sweep_run(&so, &r, d);
    if (cluster_running()) {
        rc = sweep_gather(&so, r, rc, d);
        if (cluster_rank() != 0)
            goto end;
    }
    if (rc != 0)
        goto end;
    int quiet = v[SWEEP_QUIET].given > 0;
    if (!quiet) {
        sweep_table(r, v[SWEEP_OUTPUT].list, v[SWEEP_OUTPUT].n, stdout);
        putchar('\n');
    }
    publish_spec p = { v[SWEEP_OUT].given ? v[SWEEP_OUT].s : "results",
                       "sweep", "sweep.csv", write_sweep, plot_sweep,
                       v[SWEEP_FORMAT].s, quiet, v[SWEEP_NO_PLOTS].given > 0 };
    rc = publish_analysis(&p, r->sc, r->m, r->trials, r, d);
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    sweep_result_free(r);
    opts_values_free(v, SWEEP_N_OPTS);
    return rc < 0 ? 0 : rc;
}

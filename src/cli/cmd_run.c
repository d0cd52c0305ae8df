/* cmd_run.c: `ncgsim run`: run scenarios and write their results. */
#include "cli/commands.h"

#include <errno.h>
#include <stdint.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "cli/batch.h"
#include "cli/cli.h"
#include "cli/cluster.h"
#include "run/engine.h"

enum {
    RUN_OUT, RUN_TRIALS, RUN_SEED, RUN_SET, RUN_THREADS, RUN_SAMPLES,
    RUN_PRECISION, RUN_PRECISION_OF, RUN_MAX_TRIALS, RUN_REFERENCE, RUN_FORMAT,
    RUN_PLOTS, RUN_NO_PLOTS, RUN_REPORT, RUN_QUIET, RUN_SHARD, RUN_N_OPTS
};

static const opt_spec run_opts[RUN_N_OPTS] = {
    [RUN_OUT] = CLI_OPT_OUT("results folder (default: results)"),
    [RUN_TRIALS] = CLI_OPT_TRIALS("number of trials (overrides simulation.trials)"),
    [RUN_SEED] = CLI_OPT_SEED("random seed (overrides simulation.seed)"),
    [RUN_SET] = CLI_OPT_SET("override a setting after extends; repeatable\n"
                            "(PATH: params.p_trump, simulation.trials, or a\n"
                            "bare variable name; VALUE: number or expression).\n"
                            "The variant gets its own folder, OUT/<name>-set-\n"
                            "<last part of PATH>-<VALUE> (e.g. baseline-set-\n"
                            "cut_leverage-0_2), unless --set name=NAME"),
    [RUN_THREADS] = CLI_OPT_THREADS("threads (default: all cores, shared out\n"
                                    "among the processes of an MPI job on a\n"
                                    "machine); results do not depend on it"),
    [RUN_SAMPLES] = { .name = "samples", .kind = OPT_FLAG,
                      .help = "also write samples.csv (one row per trial)" },
    [RUN_PRECISION] = { .name = "precision", .kind = OPT_DOUBLE, .arg = "EPS",
                        .help = "instead of a fixed number of trials, run until\n"
                                "the 95% half-width of every event probability\n"
                                "(and paired difference) is at most EPS",
                        .expect = "a half-width between 0 and 0.5, e.g. 0.005",
                        .dmin = 0, .dmax = 0.5,
                        .open = OPT_OPEN_MIN | OPT_OPEN_MAX },
    [RUN_PRECISION_OF] = { .name = "precision-of", .kind = OPT_STRING,
                           .arg = "STAT:OUTPUT=HW", .repeat = 1,
                           .help = "run until the 95% half-width of STAT of a\n"
                                   "numeric OUTPUT at the last step is at most HW\n"
                                   "in every scenario; STAT is mean or a percentile\n"
                                   "pNN (p5, p50, p95); HW is absolute (=50) or\n"
                                   "relative to the estimate (=1%). A mean's paired\n"
                                   "difference from the reference is covered too.\n"
                                   "Repeatable; combines with --precision" },
    [RUN_MAX_TRIALS] = { .name = "max-trials", .kind = OPT_COUNT, .arg = "N",
                         .help = "the most --precision (or --precision-of) may\n"
                                 "use (default 1000000); an error without them",
                         .expect = "a whole number from 1 to 1e12",
                         .cmin = 1, .cmax = UINT64_C(1000000000000) },
    [RUN_REFERENCE] = CLI_OPT_REFERENCE,
    [RUN_FORMAT] = CLI_OPT_FORMAT("plots as png (default), svg or pdf"),
    [RUN_PLOTS] = CLI_OPT_PLOTS,
    [RUN_NO_PLOTS] = CLI_OPT_NO_PLOTS("write the data and no plots"),
    [RUN_REPORT] = { .name = "report", .kind = OPT_FLAG,
                     .help = "also write OUT/report.html, the batch's\n"
                             "briefing (see ncgsim help report)" },
    [RUN_QUIET] = CLI_OPT_QUIET("no table and no progress line"),
    [RUN_SHARD] = CLI_OPT_SHARD("compute only shard I of K (fixed ranges of\n"
                                "trials) and write one part file per scenario,\n"
                                "OUT/<name>.part-I-of-K.ncgpart, and nothing\n"
                                "else; `ncgsim merge` makes the results. With\n"
                                "--precision: without -n, probes over\n"
                                "--max-trials (OUT/<name>-probe.part-I-of-K.\n"
                                "ncgpart), whose merge prints the -n of the\n"
                                "second pass (docs/distributed.md)"),
};

const cli_command cmd_run_def = {
    "run", cmd_run, "run scenarios and write their results",
    "ncgsim run FILE|DIR... [options]",
    "Runs each scenario (a folder means every .cfg file in it) and writes\n"
    "its results to OUT/<name>/: summary.csv, timeseries.csv,\n"
    "histograms.csv, events.csv, counts.csv, clamped.csv, resolved.cfg.\n"
    "Every file is checked before anything runs.\n",
    "Plots (gnuplot) go next to the data: dist_<var>, fan_<var>,\n"
    "event_<var> and overview; each has a .gp script that redraws it.\n"
    "With two or more scenarios, OUT/compare/ gets compare.csv: each\n"
    "output's mean (or probability) per scenario and its difference from\n"
    "the reference, paired trial by trial (common random numbers), and\n"
    "its charts; each scenario's charts are then only scripted (drawing\n"
    "them all takes most of a batch's time): `ncgsim plot OUT/<name>`\n"
    "(or `gnuplot all.gp` in the folder) draws them, --plots all draws\n"
    "them with the run.\n",
    run_opts, RUN_N_OPTS, OPERANDS_SCENARIOS
};

/* The batch options from the parsed values V. */
static void run_batch_opts(const opt_value *v, batch_opts *b)
{
    memset(b, 0, sizeof *b);
    cli_scenario_opts(&v[RUN_TRIALS], &v[RUN_SEED], &v[RUN_SET], &b->so);
    b->out = v[RUN_OUT].given ? v[RUN_OUT].s : "results";
    b->reference = v[RUN_REFERENCE].s;
    b->format = v[RUN_FORMAT].s;
    int share = engine_cores() / cluster_local_size();
    b->threads = v[RUN_THREADS].given ? (int)v[RUN_THREADS].u
                                      : share > 1 ? share : 1;
    b->samples = v[RUN_SAMPLES].given > 0;
    b->quiet = v[RUN_QUIET].given > 0;
    b->precision = v[RUN_PRECISION].given ? v[RUN_PRECISION].x : 0.0;
    b->max_trials = v[RUN_MAX_TRIALS].given ? v[RUN_MAX_TRIALS].u : 1000000;
}

/* The command ARGV (ARGC words, "run" first) as one shell line without
 * its --shard, for merge to print the second pass of a sharded
 * --precision run; malloc'd, NULL when out of memory. */
static char *run_command_line(int argc, char **argv)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fputs("ncgsim", f);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--shard") == 0) {
            i++;
            continue;
        }
        if (strncmp(a, "--shard=", 8) == 0)
            continue;
        if (a[0] && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST"
                           "UVWXYZ0123456789-_./=:,%+@") == strlen(a)) {
            fprintf(f, " %s", a);
            continue;
        }
        fputs(" '", f);
        for (const char *q = a; *q; q++)
            if (*q == '\'')
                fputs("'\\''", f);
            else
                fputc(*q, f);
        fputc('\'', f);
    }
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

int cmd_run(int argc, char **argv)
{
    opt_value v[RUN_N_OPTS];
    batch_opts c = { 0 };
    diag *d = diag_alloc();
    char **files = NULL, settings[4096], *command = NULL;
    size_t n = 0, ref;
    scenario **scs = NULL;
    model **ms = NULL;
    int rc = opts_parse(&cmd_run_def, argc, argv, v);
    if (rc != 0 || !d)
        goto end;
    run_batch_opts(v, &c);
    if ((c.plots = batch_plots("run", &v[RUN_PLOTS], &v[RUN_NO_PLOTS])) < 0) {
        rc = NCG_EXIT_USAGE;
        goto end;
    }
    c.n_targets = v[RUN_PRECISION_OF].n;
    if (!(c.targets = calloc(c.n_targets + 1, sizeof *c.targets))) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_EXIT_NOMEM;
        goto end;
    }
    for (size_t k = 0; k < v[RUN_PRECISION_OF].n; k++)
        if ((rc = batch_parse_target(v[RUN_PRECISION_OF].list[k],
                                     &c.targets[k], d)) != 0) {
            rc = NCG_EXIT_USAGE;
            goto end;
        }
    if (v[RUN_MAX_TRIALS].given && !v[RUN_PRECISION].given
        && !v[RUN_PRECISION_OF].given) {
        rc = cli_usage("run", "--max-trials is the most --precision may use; "
                       "without --precision it means nothing (a fixed number "
                       "of trials is --trials N)");
        goto end;
    }
    if (optind >= argc) {
        rc = cli_usage(NULL, "run: no scenario given (a .cfg file or a folder)");
        goto end;
    }
    if ((rc = cli_shard("run", &v[RUN_SHARD], &c.shard, &c.shards)) != 0)
        goto end;
    if (c.shards && cluster_running()) {
        rc = cli_usage("run", "--shard: under mpirun the processes are the "
                       "shards; run without --shard");
        goto end;
    }
    if (cluster_running() && c.samples) {
        rc = cli_usage("run", "--samples needs the whole run in one process; "
                       "under mpirun run without it");
        goto end;
    }
    if (c.shards && (c.samples || v[RUN_REPORT].given)) {
        rc = cli_usage("run", "--shard: not with %s",
                       c.samples ? "--samples (one row per trial is not a "
                                   "mergeable summary)"
                       : "--report (run `ncgsim report` on the merged "
                         "results)");
        goto end;
    }
    int precise = c.precision > 0 || c.n_targets > 0;
    if (c.shards && precise) {
        /* Without -n, the first pass: probes over --max-trials; with the
         * -n that merge chose, the second (run_precision_shards). */
        batch_precision_settings(&c, settings, sizeof settings);
        c.settings = settings;
        c.probe = !v[RUN_TRIALS].given;
        if (c.probe) {
            c.so.has_trials = 1;
            c.so.trials = c.max_trials;
            if (!(command = run_command_line(argc, argv))) {
                diag_add(d, NULL, 0, NULL, "out of memory");
                rc = NCG_EXIT_NOMEM;
                goto end;
            }
            c.command_line = command;
        }
    }
    rc = batch_expand_inputs(argv + optind, argc - optind, &files, &n, d);
    if (rc == 0)
        rc = batch_load_all(files, n, &c.so, &scs, &ms, d);
    if (rc != 0)
        goto end;
    if ((ref = batch_find_reference(scs, n, c.reference, d)) == SIZE_MAX
        || batch_check_targets(ms, n, &c, d) != 0) {
        rc = NCG_EXIT_USAGE;
        goto end;
    }
    for (size_t i = 0; c.shards && precise && i < n; i++)
        if (strcmp(scs[i]->sim.sampler, "mc") != 0) {
            rc = cli_usage("run", "--shard with --precision: %s uses the %s "
                           "sampler, whose design depends on the number of "
                           "trials; shard it with a fixed -n, or use "
                           "sampler = \"mc\"", files[i], scs[i]->sim.sampler);
            goto end;
        }
    if (precise && !c.shards) {
        rc = batch_find_trials(&scs, &ms, files, n, ref, &c, d);
        if (rc != 0)
            goto end;
    }
    rc = batch_run_cluster(scs, ms, n, ref, &c, BATCH_WRITE, NULL, d);
    if (rc == 0 && v[RUN_REPORT].given && cluster_rank() == 0) {
        diag_print(d, stderr);
        diag_clear(d);
        fflush(stdout);
        rc = cmd_report_after_run(c.out, argc, argv, c.quiet, c.threads);
    }
    if (rc == 0 && fflush(stdout) != 0) {
        diag_add(d, NULL, 0, NULL, "standard output: %s", strerror(errno));
        rc = NCG_EXIT_IO;
    }
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    batch_free_all(scs, ms, n);
    batch_free_list(files, n);
    opts_values_free(v, RUN_N_OPTS);
    free(c.targets);
    free(command);
    return rc < 0 ? 0 : rc;
}

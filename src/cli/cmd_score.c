/* cmd_score.c: the `score` command: forecasts of resolved questions scored, backtests with --as-of, scenarios ranked. */
#include "cli/commands.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "analysis/score.h"
#include "analysis/scorepart.h"
#include "cli/cluster.h"
#include "cli/publish.h"
#include "io/part.h"
#include "io/runpart.h"
#include "base/ncgsim.h"
#include "base/status.h"
#include "cli/cli.h"
#include "io/output.h"
#include "model/model.h"
#include "model/observe.h"
#include "plot/plot.h"
#include "run/engine.h"

enum {
    SCORE_OUTCOMES, SCORE_AS_OF, SCORE_OUT, SCORE_TRIALS, SCORE_SEED,
    SCORE_SET, SCORE_THREADS, SCORE_FORMAT, SCORE_NO_PLOTS, SCORE_QUIET,
    SCORE_SHARD, SCORE_N_OPTS
};

static const opt_spec score_opts_table[SCORE_N_OPTS] = {
    [SCORE_OUTCOMES] = { .name = "outcomes", .kind = OPT_PATH, .arg = "FILE",
                         .help = "the resolved questions (required)",
                         .expect = "a file name" },
    [SCORE_AS_OF] = { .name = "as-of", .kind = OPT_STRING, .arg = "PERIOD",
                      .help = "backtest: condition up to PERIOD (a step label\n"
                              "or number), score what resolved after it" },
    [SCORE_OUT] = CLI_OPT_OUT("results folder (default: results)"),
    [SCORE_TRIALS] = { .name = "trials", .letter = 'n', .kind = OPT_COUNT,
                       .arg = "N", .help = "trials (overrides simulation.trials)",
                       .expect = "a whole number of trials from 1 to 1e8",
                       .cmin = 1, .cmax = 100000000 },
    [SCORE_SEED] = CLI_OPT_SEED("random seed (overrides simulation.seed)"),
    [SCORE_SET] = CLI_OPT_SET("override a setting; repeatable"),
    [SCORE_THREADS] = CLI_OPT_THREADS("threads (default: all cores, shared out\n"
                                      "among the processes of an MPI job on a\n"
                                      "machine)"),
    [SCORE_FORMAT] = CLI_OPT_FORMAT("chart as png (default), svg or pdf"),
    [SCORE_NO_PLOTS] = CLI_OPT_NO_PLOTS("no chart"),
    [SCORE_QUIET] = CLI_OPT_QUIET("no table"),
    [SCORE_SHARD] = CLI_OPT_SHARD("run only shard I of K (fixed ranges of\n"
                                  "trials) of every scenario and write one part\n"
                                  "per scenario and nothing else:\n"
                                  "OUT/<name>-score.part-I-of-K.ncgpart;\n"
                                  "`ncgsim merge` scores them"),
};

const cli_command cmd_score_def = {
    "score", cmd_score, "score forecasts against what happened; backtests",
    "ncgsim score FILE|RESULTS... --outcomes OUTCOMES.csv [options]",
    "Scores each scenario's forecasts of the resolved questions listed in\n"
    "OUTCOMES.csv (format: docs/results.md): the forecast of a question is\n"
    "the probability the scenario gives to its outcome being 1. A RESULTS\n"
    "folder stands for its resolved.cfg. Without --as-of every question is\n"
    "scored against the unconditioned scenario (its observations left\n"
    "out); with --as-of PERIOD the scenario is conditioned on its\n"
    "observations up to PERIOD only and scored on the questions that\n"
    "resolve after it (a true out-of-sample backtest).\n"
    "Writes OUT/score/: score.csv (per scenario and question: forecast,\n"
    "outcome, Brier and log score), score_summary.csv (mean scores, a coin\n"
    "flip and the base rate for reference, rank, paired difference from\n"
    "the best with its 95% interval), reliability.csv and reliability.png.\n",
    NULL, score_opts_table, SCORE_N_OPTS, OPERANDS_SCENARIOS
};

typedef struct score_opts {
    const char *outcomes, *as_of, *out, *format;
    scenario_opts so;
    int threads, no_plots, quiet;
    uint32_t shard, shards;   /* --shard I/K, or 0 */
} score_opts;

/* Parses the options into O (V: the option values, freed by the caller);
 * 0, -1 after --help, or a usage error. */
static int parse(int argc, char **argv, opt_value *v, score_opts *o)
{
    int rc = opts_parse(&cmd_score_def, argc, argv, v);
    memset(o, 0, sizeof *o);
    if (rc != 0)
        return rc;
    o->outcomes = v[SCORE_OUTCOMES].s;
    o->as_of = v[SCORE_AS_OF].s;
    o->out = v[SCORE_OUT].given ? v[SCORE_OUT].s : "results";
    o->format = v[SCORE_FORMAT].s;
    cli_scenario_opts(&v[SCORE_TRIALS], &v[SCORE_SEED], &v[SCORE_SET], &o->so);
    int share = engine_cores() / cluster_local_size();
    o->threads = v[SCORE_THREADS].given ? (int)v[SCORE_THREADS].u
                                        : share > 1 ? share : 1;
    o->no_plots = v[SCORE_NO_PLOTS].given > 0;
    o->quiet = v[SCORE_QUIET].given > 0;
    if (!o->outcomes)
        return cli_usage("score", "--outcomes OUTCOMES.csv is required");
    if (optind >= argc)
        return cli_usage("score", "expected a scenario file or results "
                         "folder");
    if ((rc = cli_shard("score", &v[SCORE_SHARD], &o->shard, &o->shards)))
        return rc;
    if (o->shards && cluster_running())
        return cli_usage("score", "--shard: under mpirun the processes are "
                         "the shards; run without --shard");
    return 0;
}

/* The scenario file INPUT stands for: itself, or a results folder's
 * resolved.cfg (malloc'd). */
static char *scenario_file(const char *input)
{
    struct stat st;
    if (stat(input, &st) == 0 && S_ISDIR(st.st_mode))
        return output_path(input, "resolved.cfg");
    return strdup(input);
}

/* The outcomes file PATH's bytes into J (J->mem owns them), for the parts
 * of a shard. 0, or NCG_ERR_IO with a message. */
static int read_text(const char *path, scorepart_job *j, diag *d)
{
    FILE *f = fopen(path, "rbe");
    char *buf = NULL;
    size_t len = 0, got;
    char chunk[4096];
    FILE *mem = open_memstream(&buf, &len);
    int bad = !f || !mem;
    while (!bad && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        bad = fwrite(chunk, 1, got, mem) != got;
    bad |= !f || ferror(f);
    if (f)
        fclose(f);
    if (mem && fclose(mem) != 0)
        bad = 1;
    if (bad || memchr(buf, '\0', len)) {
        diag_add(d, path, 0, NULL, "cannot read: %s", bad ? strerror(errno)
                 : "a NUL byte in the file");
        free(buf);
        return NCG_ERR_IO;
    }
    j->mem = buf;
    j->outcomes = path;
    j->text = buf;
    j->len = len;
    return 0;
}

/* Puts a rank's tallies into the scenario's sum (CTX). */
static int take_tallies(void *ctx, const part *q, const char *label, diag *d)
{
    scorepart_sum *sum = ctx;
    return scorepart_add(sum, q, label, sum->n, d);
}

/* A shard's share of scenario S of T (SC, M; R its result, USE its
 * questions; STATUS the run's): with --shard its part written into OUT;
 * in an MPI job every rank's tallies added up on rank 0 into row S of
 * T's forecasts (a failure on any rank ends the job). 0 or a status. */
static int share(const score_opts *o, const scorepart_job *job,
                 const scenario *sc, const model *m, const engine_result *r,
                 const int *use, score_table *t, size_t s, uint32_t i,
                 uint32_t k, int status, diag *d)
{
    part *p = NULL;
    scorepart_sum sum = { .n = t->n };
    int rc = status;
    if (rc == 0 && scorepart_build(job, sc, r, use, t->n, (uint32_t)s,
                                   (uint32_t)t->k, i, k, &p) != 0) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
    }
    if (!cluster_running()) {
        char name[300];
        if (rc == 0) {
            part_file_name("score", sc->name, i, k, name, sizeof name);
            rc = part_write(p, o->out, name, d);
        }
        part_free(p);
        return rc;
    }
    rc = cluster_gather_parts(rc, p, take_tallies, &sum, d);
    part_free(p);
    if (rc == 0 && cluster_rank() == 0 && sum.weighted && sum.qtot == 0) {
        /* No trial of any rank explains the record: one process's
         * message, from this model and every rank's counts. */
        engine_result *all = engine_result_alloc(m, sc->sim.trials,
                                                 sc->sim.steps);
        if (!all) {
            diag_add(d, NULL, 0, NULL, "out of memory");
            rc = NCG_ERR_NOMEM;
        } else {
            memcpy(all->obs_passed, sum.passed, sum.n_obs * sizeof *sum.passed);
            memcpy(all->obs_killed, sum.killed, sum.n_obs * sizeof *sum.killed);
            rc = engine_result_check(all, d);
            engine_result_free(all);
        }
    }
    if (rc == 0 && cluster_rank() == 0)
        scorepart_forecasts(&sum, t->p + s * t->n);
    scorepart_sum_clear(&sum);
    return rc;
}

/* Loads INPUT, conditions it as --as-of asks, runs it (or with --shard or
 * in an MPI job, its share of the trials) with the questions as probes
 * and fills row S of T. 0 or an exit code (messages in D). */
static int score_one(const score_opts *o, const scorepart_job *job,
                     const char *input, const score_outcomes *out,
                     score_table *t, size_t s, char **name, diag *d)
{
    size_t n = score_outcomes_count(out);
    char *path = scenario_file(input);
    scenario *sc = NULL;
    model *m = NULL;
    engine_result *res = NULL;
    engine_probe *probes = calloc(n + 1, sizeof *probes);
    int *use = calloc(n + 1, sizeof *use), rc;
    uint32_t as_of, i = o->shard, k = o->shards;
    uint64_t first = 0, count = 0;
    if (cluster_running()) {
        i = (uint32_t)cluster_rank() + 1;
        k = (uint32_t)cluster_size();
    }
    if (!path || !probes || !use) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_EXIT_RUN;
        goto end;
    }
    if ((rc = model_load(path, &o->so, &sc, &m, d)) != 0
        || (rc = score_condition(m, o->as_of, path, &as_of, d)) != 0
        || (rc = score_probes(out, m, as_of, probes, use, d)) != 0)
        goto end;
    if (k)
        runpart_range(runpart_chunks(sc->sim.trials), i, k, &first, &count);
    engine_opts eo = { .threads = o->threads, .stop = &cli_interrupted,
                       .ranged = k > 0, .chunk_first = first,
                       .chunk_count = count };
    if ((rc = engine_run_probed(&m, 1, &eo, probes, n, &res, d)) != 0)
        goto end;
    for (size_t q = 0; q < n && !k; q++)
        t->p[s * n + q] = use[q] ? res->probe_p[q] : NAN;
    if (!(*name = strdup(sc->name))) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_EXIT_RUN;
    }
end:
    if (k)
        rc = share(o, job, sc, m, res, use, t, s, i, k, rc, d);
    engine_result_free(res);
    model_free(m);
    scenario_free(sc);
    free(path);
    free(probes);
    free(use);
    return rc;
}

int cmd_score(int argc, char **argv)
{
    opt_value v[SCORE_N_OPTS];
    score_opts o;
    diag *d = diag_alloc();
    score_outcomes *out = NULL;
    score_table t = { 0 };
    char **names = NULL;
    scorepart_job job = { .outcomes = NULL };
    int rc;
    memset(v, 0, sizeof v);
    if (!d) {
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    if ((rc = parse(argc, argv, v, &o)) != 0) {
        rc = rc < 0 ? 0 : rc;
        goto end;
    }
    cli_catch_signals();
    if ((rc = score_outcomes_read(o.outcomes, &out, d)) != 0)
        goto end;
    if ((o.shards || cluster_running())
        && (rc = read_text(o.outcomes, &job, d)) != 0)
        goto end;
    job.as_of = o.as_of;
    t.k = (size_t)(argc - optind);
    t.n = score_outcomes_count(out);
    t.o = out;
    t.p = calloc(t.k * t.n + 1, sizeof *t.p);
    names = calloc(t.k + 1, sizeof *names);
    t.names = calloc(t.k + 1, sizeof *t.names);
    if (!t.p || !names || !t.names) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    for (size_t s = 0; s < t.k; s++) {
        if ((rc = score_one(&o, &job, argv[optind + (int)s], out, &t, s,
                            &names[s], d)) != 0)
            goto end;
        t.names[s] = names[s];
    }
    if (o.shards || cluster_rank() != 0)
        goto end;
    rc = publish_score(&t, o.out, o.format, o.quiet, o.no_plots, d);
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    for (size_t s = 0; names && s < t.k; s++)
        free(names[s]);
    free(names);
    free(t.names);
    free(t.p);
    opts_values_free(v, SCORE_N_OPTS);
    score_outcomes_free(out);
    free(job.mem);
    return rc;
}

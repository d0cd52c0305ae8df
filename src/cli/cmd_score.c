/* cmd_score.c: the `score` command: forecasts of resolved questions scored, backtests with --as-of, scenarios ranked. */
#include "cli/commands.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "analysis/score.h"
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
    SCORE_N_OPTS
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
    [SCORE_THREADS] = CLI_OPT_THREADS("threads (default: all cores)"),
    [SCORE_FORMAT] = CLI_OPT_FORMAT("chart as png (default), svg or pdf"),
    [SCORE_NO_PLOTS] = CLI_OPT_NO_PLOTS("no chart"),
    [SCORE_QUIET] = CLI_OPT_QUIET("no table"),
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
    o->threads = v[SCORE_THREADS].given ? (int)v[SCORE_THREADS].u
                                        : engine_cores();
    o->no_plots = v[SCORE_NO_PLOTS].given > 0;
    o->quiet = v[SCORE_QUIET].given > 0;
    if (!o->outcomes)
        return cli_usage("score", "--outcomes OUTCOMES.csv is required");
    if (optind >= argc)
        return cli_usage("score", "expected a scenario file or results "
                         "folder");
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

/* Loads INPUT, conditions it as --as-of asks, runs it with the questions
 * as probes and fills row S of T. 0 or an exit code (messages in D). */
static int score_one(const score_opts *o, const char *input,
                     const score_outcomes *out, score_table *t, size_t s,
                     char **name, diag *d)
{
    size_t n = score_outcomes_count(out);
    char *path = scenario_file(input), err[256];
    scenario *sc = NULL;
    model *m = NULL;
    engine_result *res = NULL;
    engine_probe *probes = calloc(n + 1, sizeof *probes);
    int *use = calloc(n + 1, sizeof *use), rc;
    uint32_t as_of = UINT32_MAX;
    if (!path || !probes || !use) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_EXIT_RUN;
        goto end;
    }
    if ((rc = model_load(path, &o->so, &sc, &m, d)) != 0)
        goto end;
    if (o->as_of && obs_step_text(m, o->as_of, &as_of, err, sizeof err)) {
        diag_add(d, path, 0, NULL, "--as-of: %s", err);
        rc = NCG_EXIT_USAGE;
        goto end;
    }
    /* Unconditioned, or conditioned on what was known by --as-of. */
    obs_free(m->obs);
    m->obs = NULL;
    if (o->as_of && (rc = obs_build(m, as_of, &m->obs, d)) != 0)
        goto end;
    if ((rc = score_probes(out, m, as_of, probes, use, d)) != 0)
        goto end;
    engine_opts eo = { .threads = o->threads, .stop = &cli_interrupted };
    if ((rc = engine_run_probed(&m, 1, &eo, probes, n, &res, d)) != 0)
        goto end;
    for (size_t q = 0; q < n; q++)
        t->p[s * n + q] = use[q] ? res->probe_p[q] : NAN;
    if (!(*name = strdup(sc->name))) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_EXIT_RUN;
    }
end:
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
    output_dir od = { 0 };
    int rc, begun = 0;
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
        if ((rc = score_one(&o, argv[optind + (int)s], out, &t, s, &names[s],
                            d)) != 0)
            goto end;
        t.names[s] = names[s];
    }
    if ((rc = output_begin(o.out, "score", "score", &od, d)) != 0)
        goto end;
    begun = 1;
    if ((rc = score_write(&t, od.tmp, o.quiet ? NULL : stdout, d)) != 0)
        goto end;
    if (!o.no_plots) {
        plot_opts po = { .format = o.format, .quiet = 1, .name = o.out };
        if ((rc = plot_score(od.tmp, &po, d)) != 0)
            goto end;
    }
    if ((rc = output_commit(&od, d)) != 0)
        goto end;
    begun = 0;
    if (!o.quiet)
        printf("  results: %s/score/\n", o.out);
end:
    if (begun)
        output_abort(&od);
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
    return rc;
}

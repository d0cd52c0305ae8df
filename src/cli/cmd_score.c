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
#include "cli/cli.h"
#include "io/output.h"
#include "model/model.h"
#include "model/observe.h"
#include "plot/plot.h"
#include "run/engine.h"

const char cmd_score_usage[] =
    "Usage: ncgsim score FILE|RESULTS... --outcomes OUTCOMES.csv [options]\n"
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
    "the best with its 95% interval), reliability.csv and reliability.png.\n"
    "\n"
    "      --outcomes FILE  the resolved questions (required)\n"
    "      --as-of PERIOD   backtest: condition up to PERIOD (a step label\n"
    "                       or number), score what resolved after it\n"
    "  -o, --out DIR        results folder (default: results)\n"
    "  -n, --trials N       trials (overrides simulation.trials)\n"
    "      --seed S         random seed (overrides simulation.seed)\n"
    "      --set PATH=VALUE override a setting; repeatable\n"
    "  -j, --threads N      threads (default: all cores)\n"
    "      --format FMT     chart as png (default), svg or pdf\n"
    "      --no-plots       no chart\n"
    "  -q, --quiet          no table\n";

typedef struct score_opts {
    const char *outcomes, *as_of, *out, *format;
    const char **sets;
    size_t n_sets;
    scenario_opts so;
    int threads, no_plots, quiet;
} score_opts;

/* Parses the options; 0, -1 after --help, or NCG_EXIT_USAGE. */
static int parse(int argc, char **argv, score_opts *o)
{
    static const struct option longopts[] = {
        { "outcomes", required_argument, NULL, 'O' },
        { "as-of", required_argument, NULL, 'A' },
        { "out", required_argument, NULL, 'o' },
        { "trials", required_argument, NULL, 'n' },
        { "seed", required_argument, NULL, 'S' },
        { "set", required_argument, NULL, 's' },
        { "threads", required_argument, NULL, 'j' },
        { "format", required_argument, NULL, 'F' },
        { "no-plots", no_argument, NULL, 'P' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int c;
    uint64_t v;
    memset(o, 0, sizeof *o);
    o->threads = engine_cores();
    o->out = "results";
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":n:j:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(cmd_score_usage, stdout);
            return -1;
        case '?':
            return cli_usage("score", "unknown option '%s'", argv[optind - 1]);
        case ':':
            return cli_usage("score", "option '%s' needs a value",
                             argv[optind - 1]);
        case 'O': o->outcomes = optarg; break;
        case 'A': o->as_of = optarg; break;
        case 'o': o->out = optarg; break;
        case 'F':
            if (!plot_format_ok(optarg))
                return cli_usage("score", "--format: expected png, svg or "
                                 "pdf, got '%s'", optarg);
            o->format = optarg;
            break;
        case 'n':
            if (cli_count(optarg, 1, 1e8, &v) != 0)
                return cli_usage("score", "-n: expected a whole number of "
                                 "trials from 1 to 1e8, got '%s'", optarg);
            o->so.has_trials = 1;
            o->so.trials = v;
            break;
        case 'S':
            if (cli_count(optarg, 0, 18446744073709551615.0, &v) != 0)
                return cli_usage("score", "--seed: expected a whole number, "
                                 "got '%s'", optarg);
            o->so.has_seed = 1;
            o->so.seed = v;
            break;
        case 's': {
            const char **g = realloc(o->sets, (o->n_sets + 1) * sizeof *g);
            if (!g)
                return cli_usage("score", "out of memory");
            g[o->n_sets++] = optarg;
            o->sets = g;
            break;
        }
        case 'j':
            if (cli_count(optarg, 1, 1024, &v) != 0)
                return cli_usage("score", "-j: expected a number of threads "
                                 "from 1 to 1024, got '%s'", optarg);
            o->threads = (int)v;
            break;
        case 'P': o->no_plots = 1; break;
        case 'q': o->quiet = 1; break;
        }
    }
    if (!o->outcomes)
        return cli_usage("score", "--outcomes OUTCOMES.csv is required");
    if (optind >= argc)
        return cli_usage("score", "expected a scenario file or results "
                         "folder");
    if (!*o->out)
        return cli_usage("score", "-o: the results folder is empty");
    o->so.sets = o->sets;
    o->so.n_sets = o->n_sets;
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
    score_opts o;
    diag *d = diag_alloc();
    score_outcomes *out = NULL;
    score_table t = { 0 };
    char **names = NULL;
    output_dir od = { 0 };
    int rc, begun = 0;
    if (!d)
        return NCG_EXIT_RUN;
    if ((rc = parse(argc, argv, &o)) != 0) {
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
        rc = NCG_EXIT_RUN;
        goto end;
    }
    for (size_t s = 0; s < t.k; s++) {
        if ((rc = score_one(&o, argv[optind + (int)s], out, &t, s, &names[s],
                            d)) != 0)
            goto end;
        t.names[s] = names[s];
    }
    if ((rc = output_begin(o.out, "score", &od, d)) != 0)
        goto end;
    begun = 1;
    if ((rc = score_write(&t, od.tmp, o.quiet ? NULL : stdout, d)) != 0)
        goto end;
    if (!o.no_plots) {
        plot_opts po = { o.format, 1 };
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
    diag_print(d, stderr);
    diag_free(d);
    for (size_t s = 0; names && s < t.k; s++)
        free(names[s]);
    free(names);
    free(t.names);
    free(t.p);
    free(o.sets);
    score_outcomes_free(out);
    return rc;
}

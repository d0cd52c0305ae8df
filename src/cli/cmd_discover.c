/* cmd_discover.c: the `discover` command (which combinations of inputs lead to a case of interest, PRIM) and the `robust` command (regret and satisficing of policies on common trials). */
#include "cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/discover.h"
#include "analysis/robust.h"
#include "base/ncgsim.h"
#include "base/status.h"
#include "cli/cli.h"
#include "io/output.h"
#include "io/table.h"
#include "model/model.h"
#include "model/observe.h"
#include "analysis/discoverpart.h"
#include "cli/cluster.h"
#include "cli/publish.h"
#include "io/part.h"
#include "io/runpart.h"
#include "plot/discover_plot.h"
#include "run/engine.h"

enum {
    DISC_CASE, DISC_INPUTS, DISC_PEEL, DISC_PASTE, DISC_MASS, DISC_OBJECTIVE,
    DISC_BOXES, DISC_BOX, DISC_RESAMPLE, DISC_TRIALS, DISC_SEED, DISC_SET,
    DISC_THREADS, DISC_OUT, DISC_NO_PLOTS, DISC_QUIET, DISC_SHARD, DISC_N_OPTS
};

/* --objective's values, in the order of objective_of below. */
static const char *const objectives[] = { "lenient1", "lenient2", "original",
                                          NULL };
static const prim_obj objective_of[] = { PRIM_LENIENT1, PRIM_LENIENT2,
                                               PRIM_ORIGINAL };

#define DISC_FRACTION(name_, arg_, help_, expect_, max_) \
    { .name = name_, .kind = OPT_DOUBLE, .arg = arg_, .help = help_, \
      .expect = expect_, .dmin = 0, .dmax = max_, \
      .open = OPT_OPEN_MIN | OPT_OPEN_MAX }

static const opt_spec discover_opts_table[DISC_N_OPTS] = {
    [DISC_CASE] = { .name = "case", .kind = OPT_STRING, .arg = "EXPR",
                    .help = "the case of interest (required)" },
    [DISC_INPUTS] = { .name = "inputs", .kind = OPT_STRING, .arg = "A,B,...",
                      .help = "the inputs, in this order (default: a CSV's\n"
                              "every column the case does not read, in file\n"
                              "order; a scenario's non-constant params)" },
    [DISC_PEEL] = DISC_FRACTION("peel-alpha", "A",
                                "share peeled per step (default 0.05)",
                                "a number above 0 and below 0.5", 0.5),
    [DISC_PASTE] = DISC_FRACTION("paste-alpha", "A",
                                 "share pasted per step (default 0.05)",
                                 "a number above 0 and below 0.5", 0.5),
    [DISC_MASS] = DISC_FRACTION("mass-min", "M",
                                "smallest box, as a share of rows (default 0.05)",
                                "a number above 0 and below 1", 1),
    [DISC_OBJECTIVE] = { .name = "objective", .kind = OPT_CHOICE, .arg = "OBJ",
                         .help = "lenient1 (default), lenient2 or original",
                         .expect = "lenient1, lenient2 or original",
                         .choices = objectives },
    [DISC_BOXES] = { .name = "boxes", .kind = OPT_COUNT, .arg = "K",
                     .help = "boxes in sequence, each on the rows outside the\n"
                             "chosen boxes before it (default 1)",
                     .expect = "a number from 1 to 100", .cmin = 1, .cmax = 100 },
    [DISC_BOX] = { .name = "box", .kind = OPT_COUNT, .arg = "N",
                   .help = "choose box N of the first trajectory (default:\n"
                           "the densest with at least half the coverage)",
                   .expect = "a box number (0 is the whole data)",
                   .cmin = 0, .cmax = 1000000 },
    [DISC_RESAMPLE] = { .name = "resample", .kind = OPT_COUNT, .arg = "R",
                        .help = "half-sample reruns for stability (default 10;\n"
                                "0: none)",
                        .expect = "a number from 0 to 10000",
                        .cmin = 0, .cmax = 10000 },
    [DISC_TRIALS] = { .name = "trials", .letter = 'n', .kind = OPT_COUNT,
                      .arg = "N", .help = "trials (scenario file)",
                      .expect = "a whole number of trials from 1 to 1e8",
                      .cmin = 1, .cmax = 100000000 },
    [DISC_SEED] = CLI_OPT_SEED("random seed (scenario: the run's; both: the\n"
                               "half-samples')"),
    [DISC_SET] = CLI_OPT_SET("override a setting (scenario file; repeatable)"),
    [DISC_THREADS] = CLI_OPT_THREADS("threads for the run (default: all cores,\n"
                                     "shared out among the processes of an MPI\n"
                                     "job on a machine)"),
    [DISC_OUT] = CLI_OPT_OUT("the results folder itself (default:\n"
                             "results/<name>-discovery)"),
    [DISC_NO_PLOTS] = CLI_OPT_NO_PLOTS("skip the charts"),
    [DISC_QUIET] = CLI_OPT_QUIET("no summary"),
    [DISC_SHARD] = CLI_OPT_SHARD("scenario SOURCE: run only shard I of K (fixed\n"
                                 "ranges of trials) and write one part file,\n"
                                 "OUT/<name>-discover.part-I-of-K.ncgpart (OUT\n"
                                 "default: results), and nothing else;\n"
                                 "`ncgsim merge` finds the boxes"),
};

const cli_command cmd_discover_def = {
    "discover", cmd_discover,
    "which combinations of assumptions lead to an outcome (PRIM)",
    "ncgsim discover SOURCE --case EXPR [options]",
    "Scenario discovery (PRIM, as EMA Workbench computes it): which\n"
    "combinations of inputs lead to the case of interest. SOURCE is a CSV\n"
    "file with a header row (a name ending in .csv), e.g. a run's\n"
    "samples.csv, or a scenario file, run here with one row per trial (its\n"
    "params are the inputs, its outputs at the last step the columns the\n"
    "case may read). EXPR is a condition in the expression language over\n"
    "the columns, e.g. 'ed_credibility < 50'. Writes OUT/discovery.csv\n"
    "(every box of each peeling-and-pasting trajectory), boxes.csv (the\n"
    "chosen boxes' limits and quasi-p-values), resample.csv, charts, and\n"
    "prints the chosen boxes in plain words. See docs/discovery.md.\n",
    NULL, discover_opts_table, DISC_N_OPTS, OPERANDS_SCENARIOS
};

typedef struct opts {
    const char *out;
    scenario_opts so;
    int threads, quiet, no_plots;
    uint32_t shard, shards;       /* --shard I/K, or 0 */
    discoverpart_job j;           /* what decides the boxes */
} opts;

/* Fills O from the parsed values V and the operands; 0 or a usage error. */
static int discover_options(const opt_value *v, int argc, char **argv,
                            opts *o)
{
    memset(o, 0, sizeof *o);
    int share = engine_cores() / cluster_local_size();
    o->threads = v[DISC_THREADS].given ? (int)v[DISC_THREADS].u
                                       : share > 1 ? share : 1;
    o->j.prim = (prim_opts){ 0.05, 0.05, 0.05, PRIM_LENIENT1 };
    if (v[DISC_PEEL].given)
        o->j.prim.peel_alpha = v[DISC_PEEL].x;
    if (v[DISC_PASTE].given)
        o->j.prim.paste_alpha = v[DISC_PASTE].x;
    if (v[DISC_MASS].given)
        o->j.prim.mass_min = v[DISC_MASS].x;
    for (size_t i = 0; v[DISC_OBJECTIVE].given && objectives[i]; i++)
        if (strcmp(v[DISC_OBJECTIVE].s, objectives[i]) == 0)
            o->j.prim.obj = objective_of[i];
    o->j.boxes = v[DISC_BOXES].given ? (size_t)v[DISC_BOXES].u : 1;
    o->j.pick = v[DISC_BOX].given ? (long)v[DISC_BOX].u : -1;
    o->j.resample = v[DISC_RESAMPLE].given ? (unsigned)v[DISC_RESAMPLE].u
                                           : 10;
    cli_scenario_opts(&v[DISC_TRIALS], &v[DISC_SEED], &v[DISC_SET], &o->so);
    o->j.case_expr = v[DISC_CASE].s;
    o->j.inputs = v[DISC_INPUTS].s;
    o->out = v[DISC_OUT].s;
    o->no_plots = v[DISC_NO_PLOTS].given > 0;
    o->quiet = v[DISC_QUIET].given > 0;
    if (optind != argc - 1)
        return cli_usage("discover", "expected one SOURCE (a .csv file or a "
                         "scenario file)%s", optind < argc ? ", got several"
                                                            : "");
    o->j.source = argv[optind];
    if (!o->j.case_expr)
        return cli_usage("discover", "--case EXPR is required (the case of "
                         "interest, e.g. --case 'ed_credibility < 50')");
    o->j.seed = o->so.seed;
    return cli_shard("discover", &v[DISC_SHARD], &o->shard, &o->shards);
}

/* 1 when PATH names a CSV file. */
static int is_csv(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && strcasecmp(path + n - 4, ".csv") == 0;
}

/* The per-trial rows of a scenario run (trials T0 .. T0 + N - 1): params
 * then outputs at step T. */
typedef struct rows_buf {
    double *v;
    size_t cols;
    uint64_t t0, n;
} rows_buf;

static int collect(void *ctx, size_t which, uint64_t trial0, size_t n,
                   size_t cols, const double *values)
{
    rows_buf *b = ctx;
    (void)which;
    memcpy(b->v + (trial0 - b->t0) * cols, values, n * cols * sizeof *values);
    return 0;
}

/* The case compiled against M's columns before any trial runs, so that a
 * misspelt name fails at once (in every shard) rather than after the run
 * (or at the merge). 0, or the message PRIM would give. */
static int check_case(const opts *o, const model *m, diag *d)
{
    discover_src none = { 0 };
    unsigned char *reads = NULL, y = 0;
    int rc = NCG_ERR_NOMEM;
    if (discover_from_model(&none, o->j.source, m, 0, NULL) == 0
        && (reads = calloc(none.n_cols + 1, 1)) != NULL)
        rc = discover_eval(&none, "--case", o->j.case_expr, &y, reads, d);
    else
        diag_add(d, NULL, 0, NULL, "out of memory");
    free(reads);
    discover_src_free(&none);
    return rc;
}

/* Loads scenario SOURCE into *SC and *M and runs shard I of K of its
 * trials (every trial when K is 0) into B; 0 or a status with a message.
 * Its status is every rank's share of an MPI job, so a failure still
 * leaves B consistent (empty). */
static int run_scenario(const opts *o, uint32_t i, uint32_t k, scenario **sc,
                        model **m, rows_buf *b, diag *d)
{
    int rc = model_load(o->j.source, &o->so, sc, m, d);
    engine_result *res = NULL;
    if (rc != 0)
        return rc;
    const model *md = *m;
    /* PRIM counts trials; a weighted trial is not one case. */
    if ((rc = obs_refuse_weighted(md, o->j.source, "discover", d)) != 0)
        return rc;
    if ((rc = check_case(o, md, d)) != 0)
        return rc;
    uint64_t trials = (*sc)->sim.trials, first = 0, count;
    count = runpart_chunks(trials);
    if (k)
        runpart_range(count, i, k, &first, &count);
    b->cols = discover_model_cols(md);
    discoverpart_trials(trials, first, count, &b->t0, &b->n);
    b->v = malloc(((size_t)b->n * b->cols + 1) * sizeof *b->v);
    if (!b->v) {
        diag_add(d, NULL, 0, NULL, "out of memory (%llu trials x %zu "
                 "columns)", (unsigned long long)b->n, b->cols);
        return NCG_EXIT_RUN;
    }
    engine_opts eo = { .threads = o->threads, .rows = collect,
                       .rows_ctx = b, .stop = &cli_interrupted,
                       .ranged = k > 0, .chunk_first = first,
                       .chunk_count = count };
    model *one = *m;
    rc = engine_run(&one, 1, &eo, &res, d);
    engine_result_free(res);
    return rc;
}

/* The part of the shard (I of K) in B. 0 with *P, or NCG_ERR_NOMEM. */
static int rows_part(const opts *o, const scenario *sc, const rows_buf *b,
                     uint32_t i, uint32_t k, part **p, diag *d)
{
    if (discoverpart_build(&o->j, sc, b->cols, b->v, i, k, p) != 0) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    return 0;
}

/* Puts a rank's rows in place in the whole run's (CTX, a rows_buf). */
static int take_rows(void *ctx, const part *q, const char *label, diag *d)
{
    rows_buf *all = ctx;
    return discoverpart_take(q, label, all->n, all->cols, all->v, d);
}

/* An MPI job: every rank's rows B (STATUS its run's) go to rank 0, whose B
 * becomes the rows of every trial. 0, or a status with a message. */
static int gather_rows(const opts *o, const scenario *sc, rows_buf *b,
                       int status, diag *d)
{
    part *p = NULL;
    rows_buf all = { NULL, b->cols, 0, sc ? sc->sim.trials : 0 };
    int rc = status;
    if (rc == 0)
        rc = rows_part(o, sc, b, (uint32_t)cluster_rank() + 1,
                       (uint32_t)cluster_size(), &p, d);
    if (rc == 0 && cluster_rank() == 0
        && !(all.v = malloc(((size_t)all.n * all.cols + 1) * sizeof *all.v))) {
        diag_add(d, NULL, 0, NULL, "out of memory (%llu trials x %zu "
                 "columns)", (unsigned long long)all.n, all.cols);
        rc = NCG_EXIT_RUN;
    }
    rc = cluster_gather_parts(rc, p, take_rows, &all, d);
    part_free(p);
    free(b->v);
    *b = all;
    return rc;
}

int cmd_discover(int argc, char **argv)
{
    opt_value ov[DISC_N_OPTS];
    opts o;
    diag *d = diag_alloc();
    table t = { 0 };
    discover_src s = { 0 };
    scenario *sc = NULL;
    model *m = NULL;
    rows_buf b = { 0 };
    int rc = opts_parse(&cmd_discover_def, argc, argv, ov);
    memset(&o, 0, sizeof o);
    if (rc != 0 || !d || (rc = discover_options(ov, argc, argv, &o)) != 0)
        goto end;
    int csv = is_csv(o.j.source);
    if (o.shards && (csv || cluster_running())) {
        rc = cli_usage("discover", "--shard: %s", csv
                       ? "needs a scenario SOURCE (the rows of a CSV file "
                         "are not computed here)"
                       : "under mpirun the processes are the shards; run "
                         "without --shard");
        goto end;
    }
    cli_catch_signals();
    if (csv) {
        /* Nothing to share out: an MPI job's rank 0 reads it alone. */
        if (cluster_rank() != 0)
            goto end;
        if ((rc = table_read(o.j.source, &t, d)) != 0
            || (rc = discover_from_table(&t, &s, d)) != 0)
            goto end;
    } else if (o.shards) {
        part *p = NULL;
        char name[300];
        if ((rc = run_scenario(&o, o.shard, o.shards, &sc, &m, &b, d)) != 0
            || (rc = rows_part(&o, sc, &b, o.shard, o.shards, &p, d)) != 0)
            goto end;
        part_file_name("discover", sc->name, o.shard, o.shards, name,
                       sizeof name);
        rc = part_write(p, o.out ? o.out : "results", name, d);
        part_free(p);
        goto end;
    } else {
        if (cluster_running()) {
            rc = run_scenario(&o, (uint32_t)cluster_rank() + 1,
                              (uint32_t)cluster_size(), &sc, &m, &b, d);
            rc = gather_rows(&o, sc, &b, rc, d);
            if (cluster_rank() != 0)
                goto end;
        } else {
            rc = run_scenario(&o, 0, 0, &sc, &m, &b, d);
        }
        if (rc == 0 && discover_from_model(&s, o.j.source, m, (size_t)b.n,
                                           b.v) != 0) {
            diag_add(d, NULL, 0, NULL, "out of memory");
            rc = NCG_EXIT_RUN;
        }
        if (rc != 0)
            goto end;
    }
    rc = publish_discovery(&s, &o.j, sc, m, o.out, o.quiet, o.no_plots, d);
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    discover_src_free(&s);
    table_free(&t);
    model_free(m);
    scenario_free(sc);
    free(b.v);
    opts_values_free(ov, DISC_N_OPTS);
    return rc < 0 ? 0 : rc;
}

static int write_robust(const void *r, const char *dir, diag *d)
{
    return robust_write(r, dir, d);
}

static int plot_robust(const void *r, const char *dir, const plot_opts *o,
                       diag *d)
{
    return discover_plot_robust(r, dir, o, d);
}

enum {
    ROB_MAX, ROB_MIN, ROB_SATISFY, ROB_TRIALS, ROB_SEED, ROB_SET, ROB_THREADS,
    ROB_OUT, ROB_NO_PLOTS, ROB_QUIET, ROB_N_OPTS
};

static const opt_spec robust_opts_table[ROB_N_OPTS] = {
    [ROB_MAX] = { .name = "maximize", .kind = OPT_STRING, .arg = "NAME",
                  .help = "an outcome where more is better (repeatable)",
                  .repeat = 1 },
    [ROB_MIN] = { .name = "minimize", .kind = OPT_STRING, .arg = "NAME",
                  .help = "an outcome where less is better (repeatable);\n"
                          "NAME: an output or <event>_ever",
                  .repeat = 1 },
    [ROB_SATISFY] = { .name = "satisfy", .kind = OPT_STRING, .arg = "EXPR",
                      .help = "a condition a trial should meet, e.g.\n"
                              "'ed_credibility >= 60' (repeatable)",
                      .repeat = 1 },
    [ROB_TRIALS] = { .name = "trials", .letter = 'n', .kind = OPT_COUNT,
                     .arg = "N", .help = "trials (default: simulation.trials)",
                     .expect = "a whole number of trials from 1 to 1e8",
                     .cmin = 1, .cmax = 100000000 },
    [ROB_SEED] = CLI_OPT_SEED("random seed"),
    [ROB_SET] = CLI_OPT_SET("override a setting in every policy (repeatable)"),
    [ROB_THREADS] = CLI_OPT_THREADS("threads (default: all cores)"),
    [ROB_OUT] = CLI_OPT_OUT("the results folder itself (default:\n"
                            "results/robust)"),
    [ROB_NO_PLOTS] = CLI_OPT_NO_PLOTS("skip the charts"),
    [ROB_QUIET] = CLI_OPT_QUIET("no table"),
};

const cli_command cmd_robust_def = {
    "robust", cmd_robust,
    "regret and satisficing of policies on the same trials",
    "ncgsim robust POLICY.cfg POLICY.cfg... [options]",
    "Which policy holds up across the uncertainties. Each POLICY file\n"
    "extends one parent and sets its levers (constant params); the parent's\n"
    "random params are the uncertainties and must be left alone. Every\n"
    "policy runs on the same trials (common random numbers), so trial i is\n"
    "the same future for all. For each outcome: the mean, the regret (loss\n"
    "against the best policy in the same trial: its mean and 90th\n"
    "percentile) and the share of trials where the policy is best; for\n"
    "each condition: the share of trials that meet it (satisficing).\n"
    "Writes OUT/robust.csv, satisficing.csv, resolved.cfg (the first\n"
    "policy), regret.png and satisficing.png. See docs/discovery.md.\n",
    NULL, robust_opts_table, ROB_N_OPTS, OPERANDS_SCENARIOS
};

int cmd_robust(int argc, char **argv)
{
    opt_value ov[ROB_N_OPTS];
    robust_goal *goals = NULL;
    robust_opts o = { 0 };
    robust_result *r = NULL;
    diag *d = diag_alloc();
    int rc = opts_parse(&cmd_robust_def, argc, argv, ov);
    if (rc != 0 || !d)
        goto end;
    size_t n_goals = ov[ROB_MAX].n + ov[ROB_MIN].n;
    if (argc - optind < 2) {
        rc = cli_usage("robust", "expected two or more policy scenario "
                       "files");
        goto end;
    }
    if (n_goals + ov[ROB_SATISFY].n == 0) {
        rc = cli_usage("robust", "give at least one --maximize, --minimize "
                       "or --satisfy");
        goto end;
    }
    if (!(goals = calloc(n_goals + 1, sizeof *goals))) {
        rc = cli_usage("robust", "out of memory");
        goto end;
    }
    /* Outcomes in the order given: maximised ones first. */
    for (size_t i = 0; i < ov[ROB_MAX].n; i++)
        goals[i] = (robust_goal){ ov[ROB_MAX].list[i], 1 };
    for (size_t i = 0; i < ov[ROB_MIN].n; i++)
        goals[ov[ROB_MAX].n + i] = (robust_goal){ ov[ROB_MIN].list[i], 0 };
    o.threads = ov[ROB_THREADS].given ? (int)ov[ROB_THREADS].u
                                      : engine_cores();
    o.stop = &cli_interrupted;
    cli_scenario_opts(&ov[ROB_TRIALS], &ov[ROB_SEED], &ov[ROB_SET], &o.so);
    o.paths = (const char *const *)argv + optind;
    o.n_paths = (size_t)(argc - optind);
    o.goals = goals;
    o.n_goals = n_goals;
    o.conds = ov[ROB_SATISFY].list;
    o.n_conds = ov[ROB_SATISFY].n;
    const char *out = ov[ROB_OUT].given ? ov[ROB_OUT].s : "results/robust";
    cli_catch_signals();
    if ((rc = robust_run(&o, &r, d)) != 0)
        goto end;
    if ((rc = publish_folder(out, "robust", r->sc0, "resolved by ncgsim "
                             NCGSIM_VERSION " for robust (the first policy)",
                             write_robust, plot_robust, r,
                             ov[ROB_NO_PLOTS].given > 0, d)) != 0)
        goto end;
    if (!ov[ROB_QUIET].given) {
        robust_table(r, stdout);
        printf("\n  results: %s/\n", out);
    }
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    robust_result_free(r);
    free(goals);
    opts_values_free(ov, ROB_N_OPTS);
    return rc < 0 ? 0 : rc;
}

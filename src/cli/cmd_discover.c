/* cmd_discover.c: the `discover` command (which combinations of inputs lead to a case of interest, PRIM) and the `robust` command (regret and satisficing of policies on common trials). */
#include "cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/discover.h"
#include "analysis/robust.h"
#include "base/ncgsim.h"
#include "cli/cli.h"
#include "io/output.h"
#include "io/table.h"
#include "model/model.h"
#include "model/observe.h"
#include "plot/discover_plot.h"
#include "run/engine.h"

enum {
    DISC_CASE, DISC_INPUTS, DISC_PEEL, DISC_PASTE, DISC_MASS, DISC_OBJECTIVE,
    DISC_BOXES, DISC_BOX, DISC_RESAMPLE, DISC_TRIALS, DISC_SEED, DISC_SET,
    DISC_THREADS, DISC_OUT, DISC_NO_PLOTS, DISC_QUIET, DISC_N_OPTS
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
    [DISC_THREADS] = CLI_OPT_THREADS("threads for the run (default: all cores)"),
    [DISC_OUT] = CLI_OPT_OUT("the results folder itself (default:\n"
                             "results/<name>-discovery)"),
    [DISC_NO_PLOTS] = CLI_OPT_NO_PLOTS("skip the charts"),
    [DISC_QUIET] = CLI_OPT_QUIET("no summary"),
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
    const char *source, *out, *case_expr, *inputs;
    scenario_opts so;
    int threads, quiet, no_plots;
    discover_opts d;
} opts;

/* Fills O from the parsed values V and the operands; 0 or a usage error. */
static int discover_options(const opt_value *v, int argc, char **argv,
                            opts *o)
{
    memset(o, 0, sizeof *o);
    o->threads = v[DISC_THREADS].given ? (int)v[DISC_THREADS].u
                                       : engine_cores();
    o->d.prim = (prim_opts){ 0.05, 0.05, 0.05, PRIM_LENIENT1 };
    if (v[DISC_PEEL].given)
        o->d.prim.peel_alpha = v[DISC_PEEL].x;
    if (v[DISC_PASTE].given)
        o->d.prim.paste_alpha = v[DISC_PASTE].x;
    if (v[DISC_MASS].given)
        o->d.prim.mass_min = v[DISC_MASS].x;
    for (size_t i = 0; v[DISC_OBJECTIVE].given && objectives[i]; i++)
        if (strcmp(v[DISC_OBJECTIVE].s, objectives[i]) == 0)
            o->d.prim.obj = objective_of[i];
    o->d.boxes = v[DISC_BOXES].given ? (size_t)v[DISC_BOXES].u : 1;
    o->d.pick = v[DISC_BOX].given ? (long)v[DISC_BOX].u : -1;
    o->d.resample = v[DISC_RESAMPLE].given ? (unsigned)v[DISC_RESAMPLE].u : 10;
    cli_scenario_opts(&v[DISC_TRIALS], &v[DISC_SEED], &v[DISC_SET], &o->so);
    o->case_expr = v[DISC_CASE].s;
    o->inputs = v[DISC_INPUTS].s;
    o->out = v[DISC_OUT].s;
    o->no_plots = v[DISC_NO_PLOTS].given > 0;
    o->quiet = v[DISC_QUIET].given > 0;
    if (optind != argc - 1)
        return cli_usage("discover", "expected one SOURCE (a .csv file or a "
                         "scenario file)%s", optind < argc ? ", got several"
                                                            : "");
    o->source = argv[optind];
    if (!o->case_expr)
        return cli_usage("discover", "--case EXPR is required (the case of "
                         "interest, e.g. --case 'ed_credibility < 50')");
    o->d.case_expr = o->case_expr;
    o->d.seed = o->so.seed;
    return 0;
}

/* 1 when PATH names a CSV file. */
static int is_csv(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && strcasecmp(path + n - 4, ".csv") == 0;
}

/* Splits --inputs at commas into a fresh array of pointers into the copy
 * *BUF; NULL with *N = 0 when out of memory. */
static const char **split(const char *list, char **buf, size_t *n)
{
    size_t k = 1;
    for (const char *s = list; *s; s++)
        k += *s == ',';
    const char **v = malloc(k * sizeof *v);
    *buf = strdup(list);
    *n = 0;
    if (!v || !*buf) {
        free(v);
        free(*buf);
        *buf = NULL;
        return NULL;
    }
    for (char *s = *buf, *e;; s = e + 1) {
        e = strchr(s, ',');
        if (e)
            *e = 0;
        v[(*n)++] = s;
        if (!e)
            break;
    }
    return v;
}

/* The per-trial rows of a scenario run: params then outputs at step T. */
typedef struct rows_buf {
    double *v;
    size_t cols;
    uint64_t trials;
} rows_buf;

static int collect(void *ctx, size_t which, uint64_t trial0, size_t n,
                   size_t cols, const double *values)
{
    rows_buf *b = ctx;
    (void)which;
    memcpy(b->v + trial0 * cols, values, n * cols * sizeof *values);
    return 0;
}

/* Runs scenario PATH and builds S from its trials; *SC and *M stay for
 * resolved.cfg and the input list. */
static int run_scenario(const opts *o, discover_src *s, scenario **sc,
                        model **m, diag *d)
{
    int rc = model_load(o->source, &o->so, sc, m, d);
    engine_result *res = NULL;
    if (rc != 0)
        return rc;
    const model *md = *m;
    /* PRIM counts trials; a weighted trial is not one case. */
    if ((rc = obs_refuse_weighted(md, o->source, "discover", d)) != 0)
        return rc;
    size_t cols = discover_model_cols(md);
    rows_buf b = { NULL, cols, (*sc)->sim.trials };
    b.v = malloc((size_t)b.trials * cols * sizeof *b.v);
    if (!b.v) {
        diag_add(d, NULL, 0, NULL, "out of memory (%llu trials x %zu "
                 "columns)", (unsigned long long)b.trials, cols);
        rc = NCG_EXIT_RUN;
        goto end;
    }
    engine_opts eo = { .threads = o->threads, .rows = collect,
                       .rows_ctx = &b, .stop = &cli_interrupted };
    model *one = *m;
    if ((rc = engine_run(&one, 1, &eo, &res, d)) != 0)
        goto end;
    if (discover_from_model(s, o->source, md, (size_t)b.trials, b.v) != 0) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_EXIT_RUN;
    }
end:
    engine_result_free(res);
    free(b.v);
    return rc;
}

/* Writes the results folder OUT of KIND through WRITE (and resolved.cfg
 * of SC with NOTE, when SC is set), then draws its charts with PLOT unless
 * NO_PLOTS, in a temporary folder renamed into place only when all is
 * written and drawn: a failure leaves nothing half-written. 0 or an exit
 * code (message in D). */
static int publish(const char *out, const char *kind, const scenario *sc,
                   const char *note,
                   int (*write)(const void *, const char *, diag *),
                   int (*plot)(const void *, const char *, const plot_opts *,
                               diag *),
                   const void *res, int no_plots, diag *d)
{
    output_dir od;
    int rc = output_begin_path(out, kind, &od, d);
    if (rc != 0)
        return rc;
    rc = write(res, od.tmp, d);
    if (rc == 0 && sc) {
        FILE *f = output_open(od.tmp, "resolved.cfg", d);
        if (!f || scenario_write(sc, note, f) != 0) {
            if (f)
                fclose(f);
            rc = NCG_EXIT_IO;
        } else {
            rc = output_close(f, od.tmp, "resolved.cfg", d);
        }
    }
    if (rc == 0 && !no_plots) {
        /* Drawn before the folder is committed; a failure is exit 4. */
        plot_opts po = { .quiet = 1, .name = out };
        rc = plot(res, od.tmp, &po, d);
    }
    if (rc == 0 && cli_interrupted) {
        diag_add(d, NULL, 0, NULL, "interrupted");
        rc = NCG_EXIT_RUN;
    }
    if (rc != 0) {
        output_abort(&od);
        return rc;
    }
    return output_commit(&od, d);
}

static int write_discover(const void *r, const char *dir, diag *d)
{
    return discover_write(r, dir, d);
}

static int plot_discover(const void *r, const char *dir, const plot_opts *o,
                         diag *d)
{
    return discover_plot(r, dir, o, d);
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

int cmd_discover(int argc, char **argv)
{
    opt_value ov[DISC_N_OPTS];
    opts o;
    diag *d = diag_alloc();
    table t = { 0 };
    discover_src s = { 0 };
    discover_result *r = NULL;
    scenario *sc = NULL;
    model *m = NULL;
    char *list = NULL, *outbuf = NULL;
    const char **inputs = NULL;
    int rc = opts_parse(&cmd_discover_def, argc, argv, ov);
    memset(&o, 0, sizeof o);
    if (rc != 0 || !d || (rc = discover_options(ov, argc, argv, &o)) != 0)
        goto end;
    cli_catch_signals();
    int csv = is_csv(o.source);
    if (csv) {
        if ((rc = table_read(o.source, &t, d)) != 0
            || (rc = discover_from_table(&t, &s, d)) != 0)
            goto end;
    } else if ((rc = run_scenario(&o, &s, &sc, &m, d)) != 0) {
        goto end;
    }
    if (o.inputs) {
        inputs = split(o.inputs, &list, &o.d.n_inputs);
    } else if (!csv) {
        /* A run's inputs are its params; constant ones are no
         * uncertainty and are left out. */
        size_t np = 0;
        inputs = malloc((m->n_vars ? m->n_vars : 1) * sizeof *inputs);
        for (size_t v = 0; inputs && v < m->n_vars; v++)
            if (m->vars[v].kind == VAR_PARAM)
                inputs[np++] = m->vars[v].name;
        o.d.n_inputs = np;
        o.d.skip_constant = 1;
    }
    if ((o.inputs || !csv) && !inputs) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_EXIT_IO;
        goto end;
    }
    o.d.inputs = inputs;
    if ((rc = discover_run(&s, &o.d, &r, d)) != 0)
        goto end;
    /* The results folder, written aside and renamed into place. */
    if (!o.out) {
        const char *b = strrchr(o.source, '/');
        b = b ? b + 1 : o.source;
        size_t n = strlen(b);
        const char *dot = strrchr(b, '.');
        if (dot && dot != b)
            n = (size_t)(dot - b);
        size_t len = n + 64;
        if (!(outbuf = malloc(len))) {
            rc = NCG_EXIT_IO;
            goto end;
        }
        snprintf(outbuf, len, "results/%.*s-discovery", (int)n, b);
        o.out = outbuf;
    }
    if ((rc = publish(o.out, "discover", sc, "resolved by ncgsim "
                      NCGSIM_VERSION " for discover", write_discover,
                      plot_discover, r, o.no_plots, d)) != 0)
        goto end;
    if (!o.quiet) {
        if (r->n_left_out)
            printf("Left out %zu constant param%s (no uncertainty).\n",
                   r->n_left_out, r->n_left_out == 1 ? "" : "s");
        discover_summary(r, stdout);
        printf("\n  results: %s/\n", o.out);
    }
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    discover_result_free(r);
    discover_src_free(&s);
    table_free(&t);
    model_free(m);
    scenario_free(sc);
    free(list);
    free(inputs);
    free(outbuf);
    opts_values_free(ov, DISC_N_OPTS);
    return rc < 0 ? 0 : rc;
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
    if ((rc = publish(out, "robust", r->sc0, "resolved by ncgsim "
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

/* cmd_discover.c: the `discover` command (which combinations of inputs lead to a case of interest, PRIM) and the `robust` command (regret and satisficing of policies on common trials). */
#include "cli/commands.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
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
#include "plot/discover_plot.h"
#include "run/engine.h"

const char cmd_discover_usage[] =
    "Usage: ncgsim discover SOURCE --case EXPR [options]\n"
    "Scenario discovery (PRIM, as EMA Workbench computes it): which\n"
    "combinations of inputs lead to the case of interest. SOURCE is a CSV\n"
    "file with a header row (a name ending in .csv), e.g. a run's\n"
    "samples.csv, or a scenario file, run here with one row per trial (its\n"
    "params are the inputs, its outputs at the last step the columns the\n"
    "case may read). EXPR is a condition in the expression language over\n"
    "the columns, e.g. 'ed_credibility < 50'. Writes OUT/discovery.csv\n"
    "(every box of each peeling-and-pasting trajectory), boxes.csv (the\n"
    "chosen boxes' limits and quasi-p-values), resample.csv, charts, and\n"
    "prints the chosen boxes in plain words. See docs/discovery.md.\n"
    "\n"
    "      --case EXPR      the case of interest (required)\n"
    "      --inputs A,B,... the inputs, in this order (default: a CSV's\n"
    "                       every column the case does not read, in file\n"
    "                       order; a scenario's non-constant params)\n"
    "      --peel-alpha A   share peeled per step (default 0.05)\n"
    "      --paste-alpha A  share pasted per step (default 0.05)\n"
    "      --mass-min M     smallest box, as a share of rows (default 0.05)\n"
    "      --objective OBJ  lenient1 (default), lenient2 or original\n"
    "      --boxes K        boxes in sequence, each on the rows outside the\n"
    "                       chosen boxes before it (default 1)\n"
    "      --box N          choose box N of the first trajectory (default:\n"
    "                       the densest with at least half the coverage)\n"
    "      --resample R     half-sample reruns for stability (default 10;\n"
    "                       0: none)\n"
    "  -n, --trials N       trials (scenario file)\n"
    "      --seed S         random seed (scenario: the run's; both: the\n"
    "                       half-samples')\n"
    "      --set PATH=VALUE override a setting (scenario file; repeatable)\n"
    "  -j, --threads N      threads for the run (default: all cores)\n"
    "  -o, --out DIR        the results folder itself (default:\n"
    "                       results/<name>-discovery)\n"
    "      --no-plots       skip the charts\n"
    "  -q, --quiet          no summary\n";

typedef struct opts {
    const char *source, *out, *case_expr, *inputs;
    const char **sets;
    size_t n_sets;
    scenario_opts so;
    int threads, quiet, no_plots;
    discover_opts d;
} opts;

/* A number in (LO, HI) from option NAME's argument S into *V; 0 or a
 * usage error. */
static int fraction(const char *name, const char *s, double lo, double hi,
                    double *v)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end || errno || !(x > lo && x < hi))
        return cli_usage("discover", "%s: expected a number above %g and "
                         "below %g, got '%s'", name, lo, hi, s);
    *v = x;
    return 0;
}

/* The run options both commands take: -n (N), --seed (S), -j (J) with
 * argument ARG for command CMD. 1 when C is not one of them, else 0 or a
 * usage error. */
static int run_option(const char *cmd, int c, const char *arg,
                      scenario_opts *so, int *threads)
{
    uint64_t v;
    switch (c) {
    case 'n':
        if (cli_count(arg, 1, 1e8, &v) != 0)
            return cli_usage(cmd, "-n: expected a whole number of trials "
                             "from 1 to 1e8, got '%s'", arg);
        so->has_trials = 1;
        so->trials = v;
        return 0;
    case 'S':
        if (cli_count(arg, 0, 9007199254740992.0, &v) != 0)
            return cli_usage(cmd, "--seed: expected a whole number, got "
                             "'%s'", arg);
        so->has_seed = 1;
        so->seed = v;
        return 0;
    case 'j':
        if (cli_count(arg, 1, 1024, &v) != 0)
            return cli_usage(cmd, "-j: expected a number of threads from 1 "
                             "to 1024, got '%s'", arg);
        *threads = (int)v;
        return 0;
    default:
        return 1;
    }
}

static int parse(int argc, char **argv, opts *o)
{
    static const struct option longopts[] = {
        { "case", required_argument, NULL, 'c' },
        { "inputs", required_argument, NULL, 'I' },
        { "peel-alpha", required_argument, NULL, 'a' },
        { "paste-alpha", required_argument, NULL, 'A' },
        { "mass-min", required_argument, NULL, 'm' },
        { "objective", required_argument, NULL, 'J' },
        { "boxes", required_argument, NULL, 'K' },
        { "box", required_argument, NULL, 'b' },
        { "resample", required_argument, NULL, 'R' },
        { "trials", required_argument, NULL, 'n' },
        { "seed", required_argument, NULL, 'S' },
        { "set", required_argument, NULL, 's' },
        { "threads", required_argument, NULL, 'j' },
        { "out", required_argument, NULL, 'o' },
        { "no-plots", no_argument, NULL, 'P' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int c, rc;
    uint64_t v;
    memset(o, 0, sizeof *o);
    o->threads = engine_cores();
    o->d.prim = (prim_opts){ 0.05, 0.05, 0.05, PRIM_LENIENT1 };
    o->d.boxes = 1;
    o->d.pick = -1;
    o->d.resample = 10;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":n:j:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(cmd_discover_usage, stdout);
            return -1;
        case '?':
            return cli_usage("discover", "unknown option '%s'",
                             argv[optind - 1]);
        case ':':
            return cli_usage("discover", "option '%s' needs a value",
                             argv[optind - 1]);
        case 'c': o->case_expr = optarg; break;
        case 'I': o->inputs = optarg; break;
        case 'a':
            if ((rc = fraction("--peel-alpha", optarg, 0, 0.5,
                               &o->d.prim.peel_alpha)))
                return rc;
            break;
        case 'A':
            if ((rc = fraction("--paste-alpha", optarg, 0, 0.5,
                               &o->d.prim.paste_alpha)))
                return rc;
            break;
        case 'm':
            if ((rc = fraction("--mass-min", optarg, 0, 1,
                               &o->d.prim.mass_min)))
                return rc;
            break;
        case 'J':
            if (strcmp(optarg, "lenient1") == 0)
                o->d.prim.obj = PRIM_LENIENT1;
            else if (strcmp(optarg, "lenient2") == 0)
                o->d.prim.obj = PRIM_LENIENT2;
            else if (strcmp(optarg, "original") == 0)
                o->d.prim.obj = PRIM_ORIGINAL;
            else
                return cli_usage("discover", "--objective: expected "
                                 "lenient1, lenient2 or original, got '%s'",
                                 optarg);
            break;
        case 'K':
            if (cli_count(optarg, 1, 100, &v) != 0)
                return cli_usage("discover", "--boxes: expected a number "
                                 "from 1 to 100, got '%s'", optarg);
            o->d.boxes = (size_t)v;
            break;
        case 'b':
            if (cli_count(optarg, 0, 1e6, &v) != 0)
                return cli_usage("discover", "--box: expected a box number "
                                 "(0 is the whole data), got '%s'", optarg);
            o->d.pick = (long)v;
            break;
        case 'R':
            if (cli_count(optarg, 0, 10000, &v) != 0)
                return cli_usage("discover", "--resample: expected a number "
                                 "from 0 to 10000, got '%s'", optarg);
            o->d.resample = (unsigned)v;
            break;
        case 's': {
            const char **g = realloc(o->sets, (o->n_sets + 1) * sizeof *g);
            if (!g)
                return cli_usage("discover", "out of memory");
            g[o->n_sets++] = optarg;
            o->sets = g;
            break;
        }
        case 'n':
        case 'S':
        case 'j':
            if ((rc = run_option("discover", c, optarg, &o->so,
                                 &o->threads)) != 0)
                return rc;
            break;
        case 'o': o->out = optarg; break;
        case 'P': o->no_plots = 1; break;
        case 'q': o->quiet = 1; break;
        }
    }
    if (optind != argc - 1)
        return cli_usage("discover", "expected one SOURCE (a .csv file or a "
                         "scenario file)%s", optind < argc ? ", got several"
                                                            : "");
    o->source = argv[optind];
    if (!o->case_expr)
        return cli_usage("discover", "--case EXPR is required (the case of "
                         "interest, e.g. --case 'ed_credibility < 50')");
    o->so.sets = o->sets;
    o->so.n_sets = o->n_sets;
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
    if (md->obs) {
        /* PRIM counts trials; a weighted trial is not one case. */
        diag_add(d, o->source, 0, NULL, "the scenario conditions on "
                 "observations, so its trials carry weights; discover needs "
                 "equally weighted trials (use the scenario it extends, "
                 "without `observations`)");
        return NCG_EXIT_USAGE;
    }
    size_t cols = discover_model_cols(md);
    rows_buf b = { NULL, cols, (*sc)->sim.trials };
    b.v = malloc((size_t)b.trials * cols * sizeof *b.v);
    if (!b.v) {
        diag_add(d, NULL, 0, NULL, "out of memory (%llu trials x %zu "
                 "columns)", (unsigned long long)b.trials, cols);
        rc = NCG_EXIT_RUN;
        goto end;
    }
    engine_opts eo = { o->threads, collect, &b, NULL, NULL, &cli_interrupted,
                       NULL, NULL };
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

/* Writes the results folder OUT through WRITE (and resolved.cfg of SC with
 * NOTE, when SC is set), then PLOT unless NO_PLOTS, in a temporary folder
 * renamed into place only when all is written: a failure leaves nothing
 * half-written. 0 or an exit code (message in D). */
static int publish(const char *out, const scenario *sc, const char *note,
                   int (*write)(const void *, const char *, diag *),
                   int (*plot)(const void *, const char *, diag *),
                   const void *res, int no_plots, const char *what, diag *d)
{
    output_dir od;
    int rc = output_begin_path(out, &od, d);
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
    if (rc == 0 && !no_plots && plot(res, od.tmp, d) != 0)
        fprintf(stderr, "ncgsim: %s: charts not drawn (is gnuplot "
                "installed?)\n", what);
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

static int plot_discover(const void *r, const char *dir, diag *d)
{
    return discover_plot(r, dir, d);
}

static int write_robust(const void *r, const char *dir, diag *d)
{
    return robust_write(r, dir, d);
}

static int plot_robust(const void *r, const char *dir, diag *d)
{
    return discover_plot_robust(r, dir, d);
}

int cmd_discover(int argc, char **argv)
{
    opts o;
    diag *d = diag_alloc();
    table t = { 0 };
    discover_src s = { 0 };
    discover_result *r = NULL;
    scenario *sc = NULL;
    model *m = NULL;
    char *list = NULL, *outbuf = NULL;
    const char **inputs = NULL;
    int rc = parse(argc, argv, &o);
    if (rc != 0 || !d)
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
    if ((rc = publish(o.out, sc, "resolved by ncgsim " NCGSIM_VERSION
                      " for discover", write_discover, plot_discover, r,
                      o.no_plots, "discover", d)) != 0)
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
    free(o.sets);
    return rc < 0 ? 0 : rc;
}

const char cmd_robust_usage[] =
    "Usage: ncgsim robust POLICY.cfg POLICY.cfg... [options]\n"
    "Which policy holds up across the uncertainties. Each POLICY file\n"
    "extends one parent and sets its levers (constant params); the parent's\n"
    "random params are the uncertainties and must be left alone. Every\n"
    "policy runs on the same trials (common random numbers), so trial i is\n"
    "the same future for all. For each outcome: the mean, the regret (loss\n"
    "against the best policy in the same trial: its mean and 90th\n"
    "percentile) and the share of trials where the policy is best; for\n"
    "each condition: the share of trials that meet it (satisficing).\n"
    "Writes OUT/robust.csv, satisficing.csv, resolved.cfg (the first\n"
    "policy), regret.png and satisficing.png. See docs/discovery.md.\n"
    "\n"
    "      --maximize NAME  an outcome where more is better (repeatable)\n"
    "      --minimize NAME  an outcome where less is better (repeatable);\n"
    "                       NAME: an output or <event>_ever\n"
    "      --satisfy EXPR   a condition a trial should meet, e.g.\n"
    "                       'ed_credibility >= 60' (repeatable)\n"
    "  -n, --trials N       trials (default: simulation.trials)\n"
    "      --seed S         random seed\n"
    "      --set PATH=VALUE override a setting in every policy (repeatable)\n"
    "  -j, --threads N      threads (default: all cores)\n"
    "  -o, --out DIR        the results folder itself (default:\n"
    "                       results/robust)\n"
    "      --no-plots       skip the charts\n"
    "  -q, --quiet          no table\n";

/* Appends S to the growing array *LIST of *N entries; 0 or -1. */
static int push(void *list, size_t *n, size_t size, const void *item)
{
    char **l = list;
    char *g = realloc(*l, (*n + 1) * size);
    if (!g)
        return -1;
    memcpy(g + *n * size, item, size);
    *l = g;
    (*n)++;
    return 0;
}

int cmd_robust(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "maximize", required_argument, NULL, 'M' },
        { "minimize", required_argument, NULL, 'm' },
        { "satisfy", required_argument, NULL, 'Y' },
        { "trials", required_argument, NULL, 'n' },
        { "seed", required_argument, NULL, 'S' },
        { "set", required_argument, NULL, 's' },
        { "threads", required_argument, NULL, 'j' },
        { "out", required_argument, NULL, 'o' },
        { "no-plots", no_argument, NULL, 'P' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    robust_goal *goals = NULL;
    const char **conds = NULL, **sets = NULL;
    size_t n_goals = 0, n_conds = 0, n_sets = 0;
    const char *out = "results/robust";
    int quiet = 0, no_plots = 0, c, rc = 0, bad = 0;
    robust_opts o = { 0 };
    robust_result *r = NULL;
    diag *d = diag_alloc();
    o.threads = engine_cores();
    o.stop = &cli_interrupted;
    optind = 1;
    opterr = 0;
    while (!rc && (c = getopt_long(argc, argv, ":n:j:o:qh", longopts, NULL))
                      != -1) {
        switch (c) {
        case 'h':
            fputs(cmd_robust_usage, stdout);
            rc = -1;
            break;
        case '?':
            rc = cli_usage("robust", "unknown option '%s'", argv[optind - 1]);
            break;
        case ':':
            rc = cli_usage("robust", "option '%s' needs a value",
                           argv[optind - 1]);
            break;
        case 'M':
        case 'm': {
            robust_goal g = { optarg, c == 'M' };
            bad = push(&goals, &n_goals, sizeof g, &g);
            break;
        }
        case 'Y': bad = push(&conds, &n_conds, sizeof *conds, &optarg); break;
        case 's': bad = push(&sets, &n_sets, sizeof *sets, &optarg); break;
        case 'n':
        case 'S':
        case 'j':
            rc = run_option("robust", c, optarg, &o.so, &o.threads);
            break;
        case 'o': out = optarg; break;
        case 'P': no_plots = 1; break;
        case 'q': quiet = 1; break;
        }
        if (bad)
            rc = cli_usage("robust", "out of memory");
    }
    if (rc != 0 || !d)
        goto end;
    if (argc - optind < 2) {
        rc = cli_usage("robust", "expected two or more policy scenario "
                       "files");
        goto end;
    }
    if (n_goals + n_conds == 0) {
        rc = cli_usage("robust", "give at least one --maximize, --minimize "
                       "or --satisfy");
        goto end;
    }
    o.paths = (const char *const *)argv + optind;
    o.n_paths = (size_t)(argc - optind);
    o.so.sets = sets;
    o.so.n_sets = n_sets;
    o.goals = goals;
    o.n_goals = n_goals;
    o.conds = conds;
    o.n_conds = n_conds;
    cli_catch_signals();
    if ((rc = robust_run(&o, &r, d)) != 0)
        goto end;
    if ((rc = publish(out, r->sc0, "resolved by ncgsim " NCGSIM_VERSION
                      " for robust (the first policy)", write_robust,
                      plot_robust, r, no_plots, "robust", d)) != 0)
        goto end;
    if (!quiet) {
        robust_table(r, stdout);
        printf("\n  results: %s/\n", out);
    }
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    robust_result_free(r);
    free(goals);
    free(conds);
    free(sets);
    return rc < 0 ? 0 : rc;
}

/* cmd_discover.c: the `discover` command: which combinations of inputs lead to a case of interest (PRIM). */
#include "cli/commands.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/discover.h"
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
        case 'n':
            if (cli_count(optarg, 1, 1e8, &v) != 0)
                return cli_usage("discover", "-n: expected a whole number of "
                                 "trials from 1 to 1e8, got '%s'", optarg);
            o->so.has_trials = 1;
            o->so.trials = v;
            break;
        case 'S':
            if (cli_count(optarg, 0, 9007199254740992.0, &v) != 0)
                return cli_usage("discover", "--seed: expected a whole "
                                 "number, got '%s'", optarg);
            o->so.has_seed = 1;
            o->so.seed = v;
            break;
        case 's': {
            const char **g = realloc(o->sets, (o->n_sets + 1) * sizeof *g);
            if (!g)
                return cli_usage("discover", "out of memory");
            g[o->n_sets++] = optarg;
            o->sets = g;
            break;
        }
        case 'j':
            if (cli_count(optarg, 1, 1024, &v) != 0)
                return cli_usage("discover", "-j: expected a number of "
                                 "threads from 1 to 1024, got '%s'", optarg);
            o->threads = (int)v;
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
    size_t np = 0;
    for (size_t v = 0; v < md->n_vars; v++)
        np += md->vars[v].kind == VAR_PARAM;
    size_t cols = np + md->n_outputs;
    rows_buf b = { NULL, cols, (*sc)->sim.trials };
    const char **names = malloc((cols ? cols : 1) * sizeof *names);
    b.v = malloc((size_t)b.trials * cols * sizeof *b.v);
    if (!names || !b.v) {
        diag_add(d, NULL, 0, NULL, "out of memory (%llu trials x %zu "
                 "columns)", (unsigned long long)b.trials, cols);
        rc = NCG_EXIT_RUN;
        goto end;
    }
    size_t k = 0;
    for (size_t v = 0; v < md->n_vars; v++)
        if (md->vars[v].kind == VAR_PARAM)
            names[k++] = md->vars[v].name;
    for (size_t q = 0; q < md->n_outputs; q++)
        names[k++] = md->vars[md->outputs[q]].name;
    engine_opts eo = { o->threads, collect, &b, NULL, NULL, &cli_interrupted,
                       NULL, NULL };
    model *one = *m;
    if ((rc = engine_run(&one, 1, &eo, &res, d)) != 0)
        goto end;
    if (discover_from_values(s, o->source, names, cols, (size_t)b.trials,
                             b.v) != 0) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_EXIT_RUN;
    }
end:
    engine_result_free(res);
    free(names);
    free(b.v);
    return rc;
}

/* The folder name part of OUT and its parent. */
static void split_out(const char *out, char *parent, size_t plen,
                      const char **base)
{
    const char *slash = strrchr(out, '/');
    while (slash && slash[1] == 0 && slash > out) {
        /* "dir/": trailing slashes are not part of the name */
        size_t n = (size_t)(slash - out);
        snprintf(parent, plen, "%.*s", (int)n, out);
        out = parent;
        slash = strrchr(out, '/');
    }
    *base = slash ? slash + 1 : out;
    if (slash)
        snprintf(parent, plen, "%.*s", slash == out ? 1 : (int)(slash - out),
                 out);
    else
        snprintf(parent, plen, ".");
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
    char parent[4096];
    const char *base;
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
    split_out(o.out, parent, sizeof parent, &base);
    output_dir od;
    if ((rc = output_begin(parent, base, "discover", &od, d)) != 0)
        goto end;
    rc = discover_write(r, od.tmp, d);
    if (rc == 0 && sc) {
        FILE *f = output_open(od.tmp, "resolved.cfg", d);
        if (!f || scenario_write(sc, "resolved by ncgsim " NCGSIM_VERSION
                                 " for discover", f) != 0) {
            if (f)
                fclose(f);
            rc = NCG_EXIT_IO;
        } else {
            rc = output_close(f, od.tmp, "resolved.cfg", d);
        }
    }
    if (rc == 0 && !o.no_plots) {
        /* Drawn before the folder is committed; a failure is exit 4. */
        plot_opts po = { .quiet = 1, .name = o.out };
        rc = discover_plot(r, od.tmp, &po, d);
    }
    if (rc == 0 && cli_interrupted) {
        diag_add(d, NULL, 0, NULL, "interrupted");
        rc = NCG_EXIT_RUN;
    }
    if (rc != 0) {
        output_abort(&od);
        goto end;
    }
    if ((rc = output_commit(&od, d)) != 0)
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

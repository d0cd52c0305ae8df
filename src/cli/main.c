/* main.c: the ncgsim command line: one table of subcommands and dispatch. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <gsl/gsl_errno.h>
#include "cli/commands.h"
#include "cli/cli.h"
#include "analysis/compare.h"
#include "model/corr.h"
#include "base/diag.h"
#include "run/engine.h"
#include "model/model.h"
#include "base/ncgsim.h"
#include "io/output.h"
#include "plot/plot.h"
#include "scenario/scenario.h"

typedef struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *synopsis;  /* one line for `ncgsim --help` */
    const char *usage;     /* full help for `ncgsim help NAME` */
} command;

static int cmd_run(int argc, char **argv);
static int cmd_check(int argc, char **argv);
static int cmd_show(int argc, char **argv);
static int cmd_graph(int argc, char **argv);
static int cmd_help(int argc, char **argv);
static int cmd_compare(int argc, char **argv);
static int cmd_plot(int argc, char **argv);

static const command commands[] = {
    { "run", cmd_run, "run scenarios and write their results",
      "Usage: ncgsim run FILE|DIR... [options]\n"
      "Runs each scenario (a folder means every .cfg file in it) and writes\n"
      "its results to OUT/<name>/: summary.csv, timeseries.csv,\n"
      "histograms.csv, events.csv, counts.csv, clamped.csv, resolved.cfg.\n"
      "Every file is checked before anything runs.\n"
      "\n"
      "  -o, --out DIR        results folder (default: results)\n"
      "  -n, --trials N       number of trials (overrides simulation.trials)\n"
      "      --seed S         random seed (overrides simulation.seed)\n"
      "      --set PATH=VALUE override a setting after extends; repeatable\n"
      "                       (PATH: params.p_trump, simulation.trials, or a\n"
      "                       bare variable name; VALUE: number or expression).\n"
      "                       The variant gets its own folder, OUT/<name>-set-\n"
      "                       <last part of PATH>-<VALUE> (e.g. baseline-set-\n"
      "                       cut_leverage-0_2), unless --set name=NAME\n"
      "  -j, --threads N      threads (default: all cores); results do not\n"
      "                       depend on it\n"
      "      --samples        also write samples.csv (one row per trial)\n"
      "      --precision EPS  instead of a fixed number of trials, run until\n"
      "                       the 95% half-width of every event probability\n"
      "                       (and paired difference) is at most EPS\n"
      "      --max-trials N   the most --precision may use (default 1000000)\n"
      "      --reference NAME compare the others with this scenario\n"
      "                       (default: the first)\n"
      "      --format FMT     plots as png (default), svg or pdf\n"
      "      --no-plots       write the data and no plots\n"
      "      --report         also write OUT/report.html, the batch's\n"
      "                       briefing (see ncgsim help report)\n"
      "  -q, --quiet          no table and no progress line\n"
      "\n"
      "Plots (gnuplot) go next to the data: dist_<var>, fan_<var>,\n"
      "event_<var> and overview; each has a .gp script that redraws it.\n"
      "With two or more scenarios, OUT/compare/ gets compare.csv: each\n"
      "output's mean (or probability) per scenario and its difference from\n"
      "the reference, paired trial by trial (common random numbers).\n" },
    { "compare", cmd_compare, "compare results already on disk",
      "Usage: ncgsim compare OUTDIR OUTDIR... [-o OUT] [--reference NAME] [-j N]\n"
      "                      [--format png|svg|pdf] [--no-plots]\n"
      "Writes OUT/compare/ (default OUT: the folder holding the first\n"
      "OUTDIR) for the given result folders. Paired differences need every\n"
      "trial, so each OUTDIR/resolved.cfg is simulated again in lockstep\n"
      "(same seed, same numbers as the original run); the scenario folders\n"
      "themselves are not touched.\n" },
    { "check", cmd_check, "check scenario files without running them",
      "Usage: ncgsim check FILE|DIR... [--set PATH=VALUE]...\n"
      "Loads, merges and compiles each scenario and reports every error\n"
      "found, as file:line: setting: message. Exit code 0 when all are\n"
      "fine, 3 when a scenario is wrong, 4 when a file cannot be read.\n" },
    { "show", cmd_show, "print a resolved scenario with where each value came from",
      "Usage: ncgsim show FILE [--set PATH=VALUE]... [--code]\n"
      "Prints the scenario after extends and --set, one value per line with\n"
      "the file and line it came from. --code also prints the compiled\n"
      "instructions of every expression.\n" },
    { "graph", cmd_graph, "print the model's dependency graph (Graphviz DOT)",
      "Usage: ncgsim graph FILE [--set PATH=VALUE]... [--no-params]\n"
      "Prints the model as a Graphviz DOT graph: params (ellipses), events\n"
      "(diamonds), states (boxes), derived (rounded boxes), outputs in bold;\n"
      "an arrow x -> y when y reads x, dashed when y reads x at t - 1.\n"
      "--no-params leaves the params out, for a compact picture of the\n"
      "model's dynamics.\n"
      "Render it with: ncgsim graph FILE | dot -Tsvg -o model.svg\n" },
    { "plot", cmd_plot, "redraw the plots of results already on disk",
      "Usage: ncgsim plot DIR... [--format png|svg|pdf] [-j N] [-q]\n"
      "Redraws the plots of result folders without running anything. DIR\n"
      "is a scenario's folder (OUT/<name>), a comparison folder\n"
      "(OUT/compare) or a results folder holding several of them (OUT).\n"
      "Restyle every plot at once by editing plots/style.gp (or the file\n"
      "named by the NCGSIM_PLOTS folder) and running this again.\n" },
    { "sensitivity", cmd_sensitivity, "which uncertain params drive each output",
      cmd_sensitivity_usage },
    { "sweep", cmd_sweep, "run a scenario over a grid of one or two settings",
      cmd_sweep_usage },
    { "diff", cmd_diff, "settings one scenario changes against another",
      cmd_diff_usage },
    { "report", cmd_report, "write a batch's briefing as one HTML file",
      cmd_report_usage },
    { "discover", cmd_discover, "which combinations of assumptions lead to an outcome (PRIM)",
      cmd_discover_usage },
    { "robust", cmd_robust, "regret and satisficing of policies on the same trials",
      cmd_robust_usage },
    { "score", cmd_score, "score forecasts against what happened; backtests",
      cmd_score_usage },
    { "help", cmd_help, "show help for a command", "Usage: ncgsim help COMMAND\n" },
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void print_help(FILE *out)
{
    fprintf(out, "ncgsim %s: Monte Carlo scenarios of the South Korea-US "
            "alliance's extended deterrence\n\n"
            "Usage: ncgsim COMMAND [options] [files]\n\nCommands:\n",
            NCGSIM_VERSION);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].synopsis);
    fprintf(out, "\nRun 'ncgsim help COMMAND' for a command's options.\n"
            "Exit codes: 0 ok, 1 run failed, 2 usage, 3 scenario error, "
            "4 I/O error.\n");
}

/* Options shared by the commands that load scenarios. */
typedef struct load_opts {
    const char **sets;
    size_t n_sets;
    scenario_opts so;
} load_opts;

static int add_set(load_opts *lo, const char *arg)
{
    const char **ns = realloc(lo->sets, (lo->n_sets + 1) * sizeof *ns);
    if (!ns)
        return -1;
    lo->sets = ns;
    lo->sets[lo->n_sets++] = arg;
    lo->so.sets = lo->sets;
    lo->so.n_sets = lo->n_sets;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Expands ARGS (files and folders) into a list of .cfg paths (malloc'd
 * strings in a malloc'd array). Folders give their .cfg files, sorted. */
static int expand_inputs(char **args, int n, char ***out, size_t *n_out,
                         diag *d)
{
    char **list = NULL;
    size_t cnt = 0;
    int rc = 0;
    for (int i = 0; i < n; i++) {
        struct stat st;
        if (stat(args[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            DIR *dir = opendir(args[i]);
            struct dirent *e;
            size_t first = cnt;
            if (!dir) {
                diag_add(d, args[i], 0, NULL, "cannot read folder: %s",
                         strerror(errno));
                rc = NCG_EXIT_IO;
                continue;
            }
            while ((e = readdir(dir)) != NULL) {
                size_t len = strlen(e->d_name);
                if (len < 5 || e->d_name[0] == '.'
                    || strcmp(e->d_name + len - 4, ".cfg") != 0)
                    continue;
                char **nl = realloc(list, (cnt + 1) * sizeof *nl);
                if (!nl)
                    break;
                list = nl;
                list[cnt] = output_path(args[i], e->d_name);
                if (list[cnt])
                    cnt++;
            }
            closedir(dir);
            qsort(list + first, cnt - first, sizeof *list, cmp_str);
            if (cnt == first) {
                diag_add(d, args[i], 0, NULL, "no .cfg files in this folder");
                rc = NCG_EXIT_IO;
            }
        } else {
            char **nl = realloc(list, (cnt + 1) * sizeof *nl);
            if (!nl)
                break;
            list = nl;
            list[cnt] = strdup(args[i]);
            if (list[cnt])
                cnt++;
        }
    }
    *out = list;
    *n_out = cnt;
    return rc;
}

static void free_list(char **list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        free(list[i]);
    free(list);
}

static int worse(int a, int b)
{
    /* I/O trouble outranks a scenario error; both outrank success. */
    if (a == NCG_EXIT_IO || b == NCG_EXIT_IO)
        return NCG_EXIT_IO;
    return a ? a : b;
}


/* Progress on stderr when it is a terminal. */
typedef struct progress {
    const char *what;
    struct timespec start;
    int enabled;
} progress;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

static void show_progress(void *ctx, uint64_t done, uint64_t total)
{
    progress *p = ctx;
    if (!p->enabled)
        return;
    double s = seconds_since(&p->start);
    double rate = s > 0 ? (double)done / s : 0.0;
    double left = rate > 0 ? (double)(total - done) / rate : 0.0;
    fprintf(stderr, "\r%s: %llu/%llu trials, %.3g trials/s, %.0f s left   ",
            p->what, (unsigned long long)done, (unsigned long long)total,
            rate, left);
    if (done == total)
        fputs("\r\033[K", stderr);
}

static const struct option run_longopts[] = {
    { "out", required_argument, NULL, 'o' },
    { "trials", required_argument, NULL, 'n' },
    { "seed", required_argument, NULL, 'S' },
    { "set", required_argument, NULL, 's' },
    { "threads", required_argument, NULL, 'j' },
    { "samples", no_argument, NULL, 'A' },
    { "quiet", no_argument, NULL, 'q' },
    { "code", no_argument, NULL, 'C' },
    { "reference", required_argument, NULL, 'R' },
    { "no-params", no_argument, NULL, 'P' },
    { "format", required_argument, NULL, 'F' },
    { "no-plots", no_argument, NULL, 'N' },
    { "precision", required_argument, NULL, 'E' },
    { "max-trials", required_argument, NULL, 'M' },
    { "report", no_argument, NULL, 'W' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

/* Parses the options of command CMD (which accepts those in ALLOWED). */
typedef struct cli {
    load_opts lo;
    const char *out;
    int out_given;
    char *out_buf;          /* owned storage behind out, or NULL */
    const char *reference;  /* --reference NAME */
    const char *format;     /* --format png|svg|pdf */
    int threads;
    int samples, quiet, code, no_params, no_plots;
    int report;             /* --report: OUT/report.html after the run */
    int plots_optional;     /* plot failures are warnings (run, compare) */
    double precision;       /* --precision EPS, or 0 */
    uint64_t max_trials;    /* --max-trials */
} cli;

static int parse_cli(int argc, char **argv, const char *cmd,
                     const char *allowed, cli *c)
{
    int opt;
    memset(c, 0, sizeof *c);
    c->out = "results";
    c->threads = engine_cores();
    c->max_trials = 1000000;
    optind = 1;
    opterr = 0;
    int li = -1;
    while ((opt = getopt_long(argc, argv, ":o:n:j:qh", run_longopts,
                              &li)) != -1) {
        if (opt == 'h') {
            for (size_t i = 0; i < N_COMMANDS; i++)
                if (strcmp(commands[i].name, cmd) == 0)
                    fputs(commands[i].usage, stdout);
            return -1;
        }
        if (opt == '?')
            return cli_usage(NULL, "%s: unknown option '%s'", cmd,
                               argv[optind - 1]);
        if (opt == ':')
            return cli_usage(NULL, "%s: option '%s' needs a value", cmd,
                               argv[optind - 1]);
        if (!strchr(allowed, opt)) {
            /* argv[optind - 1] is the value when the option takes one. */
            char name[32];
            if (li >= 0)
                snprintf(name, sizeof name, "--%s", run_longopts[li].name);
            else
                snprintf(name, sizeof name, "-%c", opt);
            return cli_usage(NULL, "%s: option '%s' does not apply to this "
                               "command", cmd, name);
        }
        li = -1;
        uint64_t v;
        switch (opt) {
        case 'o':
            if (!*optarg)
                return cli_usage(NULL, "-o: expected a folder name");
            c->out = optarg;
            c->out_given = 1;
            break;
        case 'R': c->reference = optarg; break;
        case 'n':
            if (cli_count(optarg, 1, 1e12, &v) != 0)
                return cli_usage(NULL, "-n: expected a whole number of trials "
                                   "from 1 to 1e12, got '%s'", optarg);
            c->lo.so.has_trials = 1;
            c->lo.so.trials = v;
            break;
        case 'S':
            if (cli_count(optarg, 0, 18446744073709551615.0, &v) != 0)
                return cli_usage(NULL, "--seed: expected a whole number from 0 "
                                   "to 2^64-1, got '%s'", optarg);
            c->lo.so.has_seed = 1;
            c->lo.so.seed = v;
            break;
        case 's':
            if (add_set(&c->lo, optarg) != 0)
                return cli_usage(NULL, "out of memory");
            break;
        case 'j':
            if (cli_count(optarg, 1, 1024, &v) != 0)
                return cli_usage(NULL, "-j: expected a number of threads from 1 "
                                   "to 1024, got '%s'", optarg);
            c->threads = (int)v;
            break;
        case 'A': c->samples = 1; break;
        case 'q': c->quiet = 1; break;
        case 'C': c->code = 1; break;
        case 'P': c->no_params = 1; break;
        case 'N': c->no_plots = 1; break;
        case 'W': c->report = 1; break;
        case 'F':
            if (!plot_format_ok(optarg))
                return cli_usage(NULL, "--format: expected png, svg or pdf, got "
                                   "'%s'", optarg);
            c->format = optarg;
            break;
        case 'E': {
            char *end;
            c->precision = strtod(optarg, &end);
            if (*end || end == optarg || !(c->precision > 0
                                           && c->precision < 0.5))
                return cli_usage(NULL, "--precision: expected a half-width "
                                   "between 0 and 0.5, e.g. 0.005, got '%s'",
                                   optarg);
            break;
        }
        case 'M':
            if (cli_count(optarg, 1, 1e12, &v) != 0)
                return cli_usage(NULL, "--max-trials: expected a whole number "
                                   "from 1 to 1e12, got '%s'", optarg);
            c->max_trials = v;
            break;
        }
    }
    return 0;
}

/* The folder name of scenario BASE run with the --set overrides SETS:
 * BASE-set- then each PATH-VALUE (a dotted PATH by its last part), joined
 * by '-', lower-cased, '=' made '-' and every other character than a-z,
 * 0-9, '_' and '-' made '_' (so `--set params.cut_leverage=0.2` on baseline gives
 * baseline-set-cut_leverage-0_2). Longer than 96 characters: cut, with a
 * hash of the whole text after it, so distinct overrides stay distinct. */
static void variant_name(const char *base, const char *const *sets, size_t n,
                         char *out, size_t len)
{
    char full[4096];
    size_t k = (size_t)snprintf(full, sizeof full, "%s-set", base);
    for (size_t i = 0; i < n && k < sizeof full; i++) {
        const char *eq = strchr(sets[i], '='), *p = sets[i];
        for (const char *q = sets[i]; eq && q < eq; q++)
            if (*q == '.')
                p = q + 1;
        k += (size_t)snprintf(full + k, sizeof full - k, "-%s", p);
    }
    for (char *q = full + strlen(base); *q; q++) {
        char ch = (char)tolower((unsigned char)*q);
        *q = ch == '=' ? '-'
             : (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'
             ? ch : '_';
    }
    if (strlen(full) <= 96) {
        snprintf(out, len, "%s", full);
        return;
    }
    uint64_t h = 1469598103934665603ULL;   /* FNV-1a */
    for (const char *q = full; *q; q++)
        h = (h ^ (unsigned char)*q) * 1099511628211ULL;
    snprintf(out, len, "%.80s-%016llx", full, (unsigned long long)h);
}

/* 1 when one of LO's overrides names the scenario itself. */
static int sets_name(const load_opts *lo)
{
    for (size_t i = 0; i < lo->n_sets; i++)
        if (strncmp(lo->sets[i], "name=", 5) == 0)
            return 1;
    return 0;
}

/* Loads FILE with LO's overrides; a variant (overrides without name=)
 * gets its own name, and so its own folder, from variant_name. */
static int load_one(const char *file, const load_opts *lo, scenario **sc,
                    model **m, diag *d)
{
    int rc = model_load(file, &lo->so, sc, m, d);
    if (rc != 0 || lo->n_sets == 0 || sets_name(lo))
        return rc;
    char name[160], set[168];
    variant_name((*sc)->name, lo->sets, lo->n_sets, name, sizeof name);
    snprintf(set, sizeof set, "name=%s", name);
    const char **sets = malloc((lo->n_sets + 1) * sizeof *sets);
    if (!sets) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_EXIT_RUN;
    }
    memcpy(sets, lo->sets, lo->n_sets * sizeof *sets);
    sets[lo->n_sets] = set;
    scenario_opts so = lo->so;
    so.sets = sets;
    so.n_sets = lo->n_sets + 1;
    model_free(*m);
    scenario_free(*sc);
    *m = NULL;
    *sc = NULL;
    rc = model_load(file, &so, sc, m, d);
    free(sets);
    return rc;
}

/* Loads every input; on success *SCS and *MS hold N entries. */
static int load_all(char **files, size_t n, const load_opts *lo,
                    scenario ***scs, model ***ms, diag *d)
{
    int rc = 0;
    *scs = calloc(n + 1, sizeof **scs);
    *ms = calloc(n + 1, sizeof **ms);
    if (!*scs || !*ms) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_EXIT_RUN;
    }
    for (size_t i = 0; i < n; i++)
        rc = worse(rc, load_one(files[i], lo, &(*scs)[i], &(*ms)[i], d));
    /* Two scenarios with one name would write one folder. */
    for (size_t i = 0; i < n && rc == 0; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp((*scs)[i]->name, (*scs)[j]->name) == 0) {
                diag_add(d, files[i], 0, "name", "'%s' is also the name of "
                         "%s; results would overwrite each other (set a "
                         "different name)", (*scs)[i]->name, files[j]);
                rc = NCG_EXIT_SCENARIO;
            }
    /* Several scenarios also write OUT/compare/, which would replace the
     * results of a scenario of that name. */
    for (size_t i = 0; i < n && n > 1 && rc == 0; i++)
        if (strcmp((*scs)[i]->name, "compare") == 0) {
            diag_add(d, files[i], 0, "name", "'compare' is the folder of the "
                     "comparison when several scenarios run together (set a "
                     "different name)");
            rc = NCG_EXIT_SCENARIO;
        }
    return rc;
}

static void free_all(scenario **scs, model **ms, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        model_free(ms ? ms[i] : NULL);
        scenario_free(scs ? scs[i] : NULL);
    }
    free(scs);
    free(ms);
}

/* Runs models IDX[0 .. K-1] in lockstep; unless COMPARE_ONLY, writes each
 * one's results folder. Adds every result to CMP (PAIRED: the group starts
 * with the reference scenario). */
static int run_group(scenario **scs, model **ms, const size_t *idx, size_t k,
                     const cli *c, size_t done, size_t total, int paired,
                     int compare_only, compare *cmp, diag *d)
{
    model **gm = calloc(k, sizeof *gm);
    engine_result **res = calloc(k, sizeof *res);
    output_dir *od = calloc(k, sizeof *od);
    FILE **samples = calloc(k, sizeof *samples);
    int rc = 0;
    size_t begun = 0;
    char what[256];
    if (!gm || !res || !od || !samples) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_EXIT_RUN;
        goto end;
    }
    for (size_t i = 0; i < k; i++) {
        gm[i] = ms[idx[i]];
        if (compare_only)
            continue;
        if ((rc = output_begin(c->out, scs[idx[i]]->name, &od[i], d)) != 0)
            goto end;
        begun++;
        if (c->samples && !(samples[i] = output_samples_open(gm[i], od[i].tmp,
                                                             d))) {
            rc = NCG_EXIT_IO;
            goto end;
        }
    }
    if (k == 1)
        snprintf(what, sizeof what, "[%zu/%zu] %s", done + 1, total,
                 scs[idx[0]]->name);
    else
        snprintf(what, sizeof what, "[%zu-%zu/%zu] %s and %zu more",
                 done + 1, done + k, total, scs[idx[0]]->name, k - 1);
    progress pr = { what, { 0, 0 }, !c->quiet && isatty(STDERR_FILENO) };
    clock_gettime(CLOCK_MONOTONIC, &pr.start);
    engine_opts eo = { c->threads,
                       c->samples && !compare_only ? output_samples_rows : NULL,
                       samples, NULL, NULL, &cli_interrupted, show_progress, &pr };
    rc = engine_run(gm, k, &eo, res, d);
    if (rc != 0)
        goto end;
    for (size_t i = 0; i < k; i++)
        if (compare_add(cmp, res[i], scs[idx[i]], paired) != 0) {
            diag_add(d, NULL, 0, NULL, "out of memory");
            rc = NCG_EXIT_RUN;
            goto end;
        }
    for (size_t i = 0; i < k && !compare_only; i++) {
        if (samples[i]) {
            int bad = ferror(samples[i]) | fclose(samples[i]);
            samples[i] = NULL;
            if (bad) {
                diag_add(d, od[i].tmp, 0, NULL, "samples.csv: write error: "
                         "%s", strerror(errno));
                rc = NCG_EXIT_IO;
                goto end;
            }
        }
        if ((rc = output_write(res[i], scs[idx[i]], od[i].tmp, d)) != 0
            || (rc = corr_write(gm[i], res[i]->trials, od[i].tmp,
                                c->quiet || total > 1 ? NULL : stdout, d)) != 0)
            goto end;
    }
    if (cli_interrupted) {
        diag_add(d, NULL, 0, NULL, "interrupted");
        rc = NCG_EXIT_RUN;
        goto end;
    }
    for (size_t i = 0; i < k && !compare_only; i++) {
        int crc = output_commit(&od[i], d);
        rc = worse(rc, crc);
        if (c->quiet || crc != 0)
            continue;
        if (total == 1)
            output_table(res[i], scs[idx[i]], stdout);
        printf("  results: %s/%s/\n", c->out, scs[idx[i]]->name);
    }
end:
    for (size_t i = 0; i < k && samples; i++)
        if (samples[i])
            fclose(samples[i]);
    for (size_t i = 0; i < begun; i++)
        output_abort(&od[i]);
    for (size_t i = 0; i < k && res; i++)
        engine_result_free(res[i]);
    free(gm);
    free(res);
    free(od);
    free(samples);
    return rc;
}

/* Runs the N loaded scenarios: the reference (REF) first, then the others
 * in order; those with the same trials and steps as another run in lockstep
 * with it, so their differences are paired trial by trial. With two or
 * more scenarios, writes OUT/compare/. */
/* 1 when an executable NAME is on PATH. */
static int on_path(const char *name)
{
    const char *path = getenv("PATH");
    char buf[4096];
    while (path && *path) {
        const char *colon = strchr(path, ':');
        size_t len = colon ? (size_t)(colon - path) : strlen(path);
        snprintf(buf, sizeof buf, "%.*s/%s", (int)len, len ? path : ".", name);
        if (access(buf, X_OK) == 0)
            return 1;
        path = colon ? colon + 1 : NULL;
    }
    return 0;
}

/* Plots the result folders DIRS (IS_CMP: a comparison folder). gnuplot is
 * single-threaded, so up to c->threads folders render at once, each in a
 * child process that reports its own errors; comparison folders go last,
 * since they read the scenario folders. Returns 0 or NCG_EXIT_IO. */
static int render_plots(char **dirs, const int *is_cmp, size_t n,
                        const cli *c, diag *d)
{
    plot_opts po = { c->format, 1 };
    int rc = 0;
    size_t running = 0, next = 0, failed = 0;
    if (n == 0)
        return 0;
    if (!on_path("gnuplot") || c->threads <= 1) {
        /* Nothing to run in parallel (or no gnuplot: write the scripts and
         * let plot.c print its one note). */
        for (size_t i = 0; i < n; i++) {
            int r = is_cmp[i] ? plot_compare(dirs[i], &po, d)
                              : plot_scenario(dirs[i], &po, d);
            rc = worse(rc, r);
        }
        goto done;
    }
    fflush(stdout);
    fflush(stderr);
    while (next < n || running > 0) {
        /* A comparison waits until every scenario folder is drawn. */
        int can_start = next < n && (int)running < c->threads
                        && (!is_cmp[next] || running == 0);
        if (can_start) {
            pid_t pid = fork();
            if (pid == 0) {
                diag *cd = diag_alloc();
                int r = is_cmp[next] ? plot_compare(dirs[next], &po, cd)
                                     : plot_scenario(dirs[next], &po, cd);
                if (cd)
                    diag_print(cd, stderr);
                diag_free(cd);
                fflush(stderr);
                _exit(r);
            }
            if (pid < 0) {
                int r = is_cmp[next] ? plot_compare(dirs[next], &po, d)
                                     : plot_scenario(dirs[next], &po, d);
                rc = worse(rc, r);
            } else {
                running++;
            }
            next++;
            continue;
        }
        int st;
        if (wait(&st) < 0)
            break;
        running--;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            failed++;
    }
    if (failed) {
        diag_add(d, NULL, 0, NULL, "plots failed in %zu folder%s (see the "
                 "messages above); the results themselves are complete",
                 failed, failed == 1 ? "" : "s");
        rc = NCG_EXIT_IO;
    }
    if (rc != 0 && c->plots_optional) {
        /* After a run the data is what was asked for: a plot that gnuplot
         * could not draw is reported, and the run still succeeds. */
        fflush(stdout);
        for (size_t i = 0; i < diag_count(d); i++)
            fprintf(stderr, "ncgsim: warning: %s\n", diag_get(d, i));
        diag_clear(d);
        return 0;
    }
done:
    if (rc == 0 && !c->quiet)
        printf("  plots: %s files drawn with gnuplot in each result folder\n",
               c->format ? c->format : "png");
    return rc;
}

enum { BATCH_WRITE, BATCH_COMPARE, BATCH_MEASURE };

static int run_batch(scenario **scs, model **ms, size_t n, size_t ref,
                     const cli *c, int mode, double *halfwidth, diag *d)
{
    int compare_only = mode != BATCH_WRITE;
    size_t *idx = calloc(n + 1, sizeof *idx);
    unsigned char *taken = calloc(n + 1, 1);
    compare *cmp = compare_alloc();
    int rc = 0;
    size_t done = 0;
    if (!idx || !taken || !cmp) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_EXIT_RUN;
        goto end;
    }
    cli_catch_signals();
    for (size_t pass = 0; pass <= n && rc == 0; pass++) {
        size_t i = pass == 0 ? ref : pass - 1;
        if (taken[i])
            continue;
        size_t k = 0;
        for (size_t j = 0; j <= n; j++) {
            size_t jj = j == 0 ? i : j - 1;
            if (!taken[jj] && scs[jj]->sim.trials == scs[i]->sim.trials
                && scs[jj]->sim.steps == scs[i]->sim.steps) {
                idx[k++] = jj;
                taken[jj] = 1;
            }
        }
        /* Measuring rounds are quiet: only the final run reports. */
        cli quiet = *c;
        quiet.quiet |= mode == BATCH_MEASURE;
        rc = run_group(scs, ms, idx, k, &quiet, done, n, pass == 0,
                       compare_only, cmp, d);
        done += k;
    }
    if (rc == 0 && halfwidth)
        *halfwidth = compare_max_halfwidth(cmp);
    if (rc == 0 && n >= 2 && mode != BATCH_MEASURE) {
        rc = compare_write(cmp, c->out, d);
        if (rc == 0 && !c->quiet) {
            compare_table(cmp, stdout);
            printf("  comparison: %s/compare/\n", c->out);
        }
    }
    if (rc == 0 && mode != BATCH_MEASURE && !c->no_plots) {
        /* Every folder of this batch, the comparison last in the list. */
        char **dirs = calloc(n + 1, sizeof *dirs);
        int *is_cmp = calloc(n + 1, sizeof *is_cmp);
        size_t nd = 0;
        if (!dirs || !is_cmp) {
            free(dirs);
            free(is_cmp);
            diag_add(d, NULL, 0, NULL, "out of memory");
            rc = NCG_EXIT_RUN;
            goto end;
        }
        for (size_t i = 0; i < n && mode == BATCH_WRITE; i++) {
            dirs[nd] = output_path(c->out, scs[i]->name);
            is_cmp[nd++] = 0;
        }
        if (n >= 2) {
            dirs[nd] = output_path(c->out, "compare");
            is_cmp[nd++] = 1;
        }
        cli pc = *c;
        pc.plots_optional = 1;
        rc = render_plots(dirs, is_cmp, nd, &pc, d);
        for (size_t i = 0; i < nd; i++)
            free(dirs[i]);
        free(dirs);
        free(is_cmp);
    }
end:
    compare_free(cmp);
    free(idx);
    free(taken);
    return rc;
}

/* The index of the scenario called NAME (--reference), or 0 when NAME is
 * NULL; SIZE_MAX with a message when there is none. */
static size_t find_reference(scenario **scs, size_t n, const char *name,
                             diag *d)
{
    if (!name)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(scs[i]->name, name) == 0)
            return i;
    diag_add(d, NULL, 0, NULL, "--reference: no scenario called '%s' in this "
             "run", name);
    return SIZE_MAX;
}

/* --precision: runs rounds of growing size (results not written) until
 * the 95% half-width of every event probability, and of every paired
 * difference from the reference, is at most c->precision, or until
 * --max-trials; then reloads the scenarios with that many trials, so the
 * final run and its resolved.cfg record the number used. Deterministic:
 * each round's size depends only on the previous round's results. */
static int find_trials(scenario ***scs, model ***ms, char **files, size_t n,
                       size_t ref, cli *c, diag *d)
{
    const uint64_t chunk = 4096;
    uint64_t trials = chunk < c->max_trials ? chunk : c->max_trials;
    int rc = 0;
    for (;;) {
        double hw = 0.0;
        free_all(*scs, *ms, n);
        *scs = NULL;
        *ms = NULL;
        c->lo.so.has_trials = 1;
        c->lo.so.trials = trials;
        if ((rc = load_all(files, n, &c->lo, scs, ms, d)) != 0)
            return rc;
        if (trials >= c->max_trials)
            break;
        if ((rc = run_batch(*scs, *ms, n, ref, c, BATCH_MEASURE, &hw, d)) != 0)
            return rc;
        if (!c->quiet)
            fprintf(stderr, "precision: %llu trials: largest 95%% half-width "
                    "%.3g (target %.3g)\n", (unsigned long long)trials, hw,
                    c->precision);
        if (hw <= c->precision)
            break;
        /* Half-widths shrink as 1/sqrt(trials): aim 10% past the estimate,
         * at least double, in whole chunks. */
        double want = (double)trials * (hw / c->precision)
                      * (hw / c->precision) * 1.1;
        uint64_t next = want > (double)c->max_trials ? c->max_trials
                                                     : (uint64_t)want;
        if (next < 2 * trials)
            next = 2 * trials;
        next = (next + chunk - 1) / chunk * chunk;
        trials = next < c->max_trials ? next : c->max_trials;
    }
    if (!c->quiet && trials >= c->max_trials)
        fprintf(stderr, "precision: stopped at --max-trials %llu; the "
                "target may not be met (see the se columns)\n",
                (unsigned long long)trials);
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    cli c;
    diag *d = diag_alloc();
    char **files = NULL;
    size_t n = 0, ref;
    scenario **scs = NULL;
    model **ms = NULL;
    int rc = parse_cli(argc, argv, "run", "onSsjAqREMFNW", &c);
    if (rc != 0 || !d)
        goto end;
    if (optind >= argc) {
        rc = cli_usage(NULL, "run: no scenario given (a .cfg file or a folder)");
        goto end;
    }
    rc = expand_inputs(argv + optind, argc - optind, &files, &n, d);
    if (rc == 0)
        rc = load_all(files, n, &c.lo, &scs, &ms, d);
    if (rc != 0)
        goto end;
    if ((ref = find_reference(scs, n, c.reference, d)) == SIZE_MAX) {
        rc = NCG_EXIT_USAGE;
        goto end;
    }
    if (c.precision > 0) {
        rc = find_trials(&scs, &ms, files, n, ref, &c, d);
        if (rc != 0)
            goto end;
    }
    rc = run_batch(scs, ms, n, ref, &c, BATCH_WRITE, NULL, d);
    if (rc == 0 && c.report) {
        diag_print(d, stderr);
        diag_clear(d);
        fflush(stdout);
        rc = cmd_report_after_run(c.out, argc, argv, c.quiet);
    }
    if (rc == 0 && fflush(stdout) != 0) {
        diag_add(d, NULL, 0, NULL, "standard output: %s", strerror(errno));
        rc = NCG_EXIT_IO;
    }
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    free_all(scs, ms, n);
    free_list(files, n);
    free(c.lo.sets);
    return rc < 0 ? 0 : rc;
}

static int cmd_compare(int argc, char **argv)
{
    cli c;
    diag *d = diag_alloc();
    char **files = NULL;
    size_t n = 0, ref;
    scenario **scs = NULL;
    model **ms = NULL;
    load_opts none = { 0 };
    int rc = parse_cli(argc, argv, "compare", "ojqRFN", &c);
    if (rc != 0 || !d)
        goto end;
    if (argc - optind < 2) {
        rc = cli_usage(NULL, "compare: give two or more result folders");
        goto end;
    }
    n = (size_t)(argc - optind);
    files = calloc(n, sizeof *files);
    if (!files) {
        rc = NCG_EXIT_RUN;
        goto end;
    }
    for (size_t i = 0; i < n; i++)
        files[i] = output_path(argv[optind + (int)i], "resolved.cfg");
    /* The resolved scenarios rerun exactly; only the comparison is kept. */
    rc = load_all(files, n, &none, &scs, &ms, d);
    if (rc != 0)
        goto end;
    if (!c.out_given) {
        /* Default: next to the first result folder. */
        char *first = strdup(argv[optind]);
        char *slash = first ? strrchr(first, '/') : NULL;
        while (slash && slash > first && slash[1] == '\0') {
            *slash = '\0';
            slash = strrchr(first, '/');
        }
        if (slash)
            *slash = '\0';
        c.out_buf = first;
        c.out = slash == first ? "/" : slash ? first : ".";
    }
    if ((ref = find_reference(scs, n, c.reference, d)) == SIZE_MAX) {
        rc = NCG_EXIT_USAGE;
        goto end;
    }
    rc = run_batch(scs, ms, n, ref, &c, BATCH_COMPARE, NULL, d);
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    free_all(scs, ms, n);
    free_list(files, n);
    free(c.out_buf);
    return rc < 0 ? 0 : rc;
}

/* 1 when DIR/NAME is a regular file. */
static int has_file(const char *dir, const char *name)
{
    char *p = output_path(dir, name);
    struct stat st;
    int ok = p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
    free(p);
    return ok;
}

/* Adds DIR to the plot list when it is a result folder; 1 when it was. */
static int add_plot_dir(const char *dir, char ***dirs, int **is_cmp,
                        size_t *n)
{
    int cmp = has_file(dir, "compare.csv");
    if (!cmp && !has_file(dir, "summary.csv"))
        return 0;
    char **nd = realloc(*dirs, (*n + 1) * sizeof *nd);
    int *nc = nd ? realloc(*is_cmp, (*n + 1) * sizeof *nc) : NULL;
    if (nd)
        *dirs = nd;
    if (!nc)
        return 0;
    *is_cmp = nc;
    (*dirs)[*n] = strdup(dir);
    (*is_cmp)[*n] = cmp;
    if ((*dirs)[*n])
        (*n)++;
    return 1;
}

static int cmd_plot(int argc, char **argv)
{
    cli c;
    diag *d = diag_alloc();
    char **dirs = NULL;
    int *is_cmp = NULL;
    size_t n = 0;
    int rc = parse_cli(argc, argv, "plot", "jqF", &c);
    if (rc != 0 || !d)
        goto end;
    if (optind >= argc) {
        rc = cli_usage(NULL, "plot: give a result folder (e.g. results/baseline "
                         "or results)");
        goto end;
    }
    for (int a = optind; a < argc; a++) {
        if (add_plot_dir(argv[a], &dirs, &is_cmp, &n))
            continue;
        /* A results folder: every scenario folder, then comparisons. */
        char **sub = NULL;
        size_t ns = 0;
        DIR *dir = opendir(argv[a]);
        struct dirent *e;
        while (dir && (e = readdir(dir)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char **ns2 = realloc(sub, (ns + 1) * sizeof *ns2);
            if (!ns2)
                break;
            sub = ns2;
            if ((sub[ns] = output_path(argv[a], e->d_name)) != NULL)
                ns++;
        }
        if (dir)
            closedir(dir);
        qsort(sub, ns, sizeof *sub, cmp_str);
        size_t before = n;
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < ns; i++)
                if (has_file(sub[i], "compare.csv") == pass)
                    add_plot_dir(sub[i], &dirs, &is_cmp, &n);
        free_list(sub, ns);
        if (n == before) {
            diag_add(d, argv[a], 0, NULL, "not a result folder (no "
                     "summary.csv or compare.csv in it or its subfolders)");
            rc = NCG_EXIT_IO;
        }
    }
    if (rc == 0)
        rc = render_plots(dirs, is_cmp, n, &c, d);
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    free_list(dirs, n);
    free(is_cmp);
    return rc < 0 ? 0 : rc;
}

static int cmd_check(int argc, char **argv)
{
    cli c;
    diag *d = diag_alloc();
    char **files = NULL;
    size_t n = 0;
    int rc = parse_cli(argc, argv, "check", "s", &c);
    if (rc != 0 || !d)
        goto end;
    if (optind >= argc) {
        rc = cli_usage(NULL, "check: no scenario given (a .cfg file or a folder)");
        goto end;
    }
    rc = expand_inputs(argv + optind, argc - optind, &files, &n, d);
    for (size_t i = 0; i < n; i++) {
        scenario *sc = NULL;
        model *m = NULL;
        size_t before = diag_count(d);
        int r = model_load(files[i], &c.lo.so, &sc, &m, d);
        rc = worse(rc, r);
        if (r == 0)
            printf("ok: %s: %s (%zu variables, %zu outputs, %u steps)\n",
                   files[i], sc->name, m->n_vars, m->n_outputs,
                   sc->sim.steps);
        else
            printf("failed: %s (%zu error%s)\n", files[i],
                   diag_count(d) - before,
                   diag_count(d) - before == 1 ? "" : "s");
        /* Each file's messages right after its line. */
        fflush(stdout);
        diag_print(d, stderr);
        diag_clear(d);
        model_free(m);
        scenario_free(sc);
    }
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    free_list(files, n);
    free(c.lo.sets);
    return rc < 0 ? 0 : rc;
}

/* show and graph: one file, then F on its model. */
static int one_model(int argc, char **argv, const char *cmd,
                     int (*f)(const scenario *, const model *, const cli *))
{
    cli c;
    diag *d = diag_alloc();
    scenario *sc = NULL;
    model *m = NULL;
    int rc = parse_cli(argc, argv, cmd, strcmp(cmd, "graph") == 0 ? "sP" : "sC",
                       &c);
    if (rc != 0 || !d)
        goto end;
    if (optind != argc - 1) {
        rc = cli_usage(NULL, "%s: expected one scenario file", cmd);
        goto end;
    }
    rc = model_load(argv[optind], &c.lo.so, &sc, &m, d);
    if (rc == 0 && (f(sc, m, &c) != 0 || fflush(stdout) != 0)) {
        diag_add(d, NULL, 0, NULL, "standard output: %s", strerror(errno));
        rc = NCG_EXIT_IO;
    }
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    model_free(m);
    scenario_free(sc);
    free(c.lo.sets);
    return rc < 0 ? 0 : rc;
}

static int show_one(const scenario *sc, const model *m, const cli *c)
{
    int rc = scenario_show(sc, stdout);
    if (rc == 0 && c->code) {
        printf("\n# params\n");
        code_dump(m->prog, &m->param_code, stdout);
        printf("\n# t = 0\n");
        code_dump(m->prog, &m->init_code, stdout);
        printf("\n# t >= 1\n");
        code_dump(m->prog, &m->step_code, stdout);
    }
    return rc;
}

static int graph_one(const scenario *sc, const model *m, const cli *c)
{
    (void)sc;
    (void)c;
    return model_graph(m, stdout, c->no_params ? MODEL_GRAPH_NO_PARAMS : 0);
}

static int cmd_show(int argc, char **argv)
{
    return one_model(argc, argv, "show", show_one);
}

static int cmd_graph(int argc, char **argv)
{
    return one_model(argc, argv, "graph", graph_one);
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stdout);
        return 0;
    }
    const command *c = find_command(argv[1]);
    if (!c)
        return cli_usage(NULL, "help: unknown command '%s'", argv[1]);
    fputs(c->usage, stdout);
    return 0;
}

/* GSL's default handler aborts; ours lets the caller see the status. */
static void gsl_quiet(const char *reason, const char *file, int line,
                      int gsl_errno)
{
    (void)reason;
    (void)file;
    (void)line;
    (void)gsl_errno;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler(gsl_quiet);
    if (argc < 2)
        return cli_usage(NULL, "no command given");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_help(stdout);
        return fflush(stdout) == 0 ? 0 : NCG_EXIT_IO;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("ncgsim %s\n", NCGSIM_VERSION);
        return fflush(stdout) == 0 ? 0 : NCG_EXIT_IO;
    }
    const command *c = find_command(argv[1]);
    if (!c) {
        const char *names[N_COMMANDS];
        for (size_t i = 0; i < N_COMMANDS; i++)
            names[i] = commands[i].name;
        const char *s = diag_suggest(argv[1], strlen(argv[1]), names,
                                     N_COMMANDS);
        if (s)
            return cli_usage(NULL, "unknown command '%s' (did you mean '%s'?)",
                               argv[1], s);
        return cli_usage(NULL, "unknown command '%s'", argv[1]);
    }
    int rc = c->fn(argc - 1, argv + 1);
    if (fflush(stdout) != 0 && rc == 0)
        rc = NCG_EXIT_IO;
    return rc;
}

/* cmd_plot.c: `ncgsim plot`: redraw the plots of results already on disk. */
#include "cli/commands.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "analysis/compare.h"
#include "base/ncgsim.h"
#include "base/status.h"
#include "cli/batch.h"
#include "cli/cli.h"
#include "io/output.h"
#include "plot/render.h"
#include "run/engine.h"

enum { PLOT_FORMAT, PLOT_THREADS, PLOT_QUIET, PLOT_N_OPTS };

static const opt_spec plot_opts_table[PLOT_N_OPTS] = {
    [PLOT_FORMAT] = CLI_OPT_FORMAT("plots as png (default), svg or pdf"),
    [PLOT_THREADS] = CLI_OPT_THREADS("gnuplot processes at once: folders in\n"
                                     "parallel, a lone folder's charts shared\n"
                                     "out among them (default: all cores)"),
    [PLOT_QUIET] = CLI_OPT_QUIET("no line saying where the plots went"),
};

const cli_command cmd_plot_def = {
    "plot", cmd_plot, "redraw the plots of results already on disk",
    "ncgsim plot DIR... [options]",
    "Redraws the plots of result folders without running anything, from\n"
    "each folder's data files. DIR is the folder of any command (a\n"
    "scenario's OUT/<name>, OUT/compare, a sensitivity, sweep, discover,\n"
    "score or robust folder) or a results folder holding several (OUT).\n"
    "Restyle every plot at once by editing plots/style.gp (or the file\n"
    "named by the NCGSIM_PLOTS folder) and running this again.\n",
    NULL, plot_opts_table, PLOT_N_OPTS, OPERANDS_RESULTS
};

/* Adds DIR to the list when it is a result folder of any command; 1 when
 * it was. */
static int add_plot_dir(const char *dir, char ***dirs, int **kinds, size_t *n)
{
    int kind = plot_folder_kind(dir);
    if (kind == PLOT_NONE)
        return 0;
    char **nd = realloc(*dirs, (*n + 1) * sizeof *nd);
    int *nk = nd ? realloc(*kinds, (*n + 1) * sizeof *nk) : NULL;
    if (nd)
        *dirs = nd;
    if (!nk)
        return 0;
    *kinds = nk;
    (*dirs)[*n] = strdup(dir);
    (*kinds)[*n] = kind;
    if ((*dirs)[*n])
        (*n)++;
    return 1;
}

/* The folders to redraw, in the order drawn: a list of result folders
 * with their kinds (plot_folder_kind). */
typedef struct plot_dirs {
    char **dir;   /* malloc'd paths (owned) */
    int *kind;
    size_t n;
} plot_dirs;

/* Adds every result folder in the results folder PATH, comparisons last
 * (their charts read the scenarios' folders). 0, or NCG_ERR_IO with a
 * message when PATH holds none. */
static int add_results_folder(const char *path, plot_dirs *l, diag *d)
{
    char **sub = NULL;
    size_t ns = 0, before = l->n;
    DIR *dir = opendir(path);
    struct dirent *e;
    while (dir && (e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char **ns2 = realloc(sub, (ns + 1) * sizeof *ns2);
        if (!ns2)
            break;
        sub = ns2;
        if ((sub[ns] = output_path(path, e->d_name)) != NULL)
            ns++;
    }
    if (dir)
        closedir(dir);
    batch_sort_paths(sub, ns);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < ns; i++)
            if ((plot_folder_kind(sub[i]) == PLOT_COMPARE) == pass)
                add_plot_dir(sub[i], &l->dir, &l->kind, &l->n);
    batch_free_list(sub, ns);
    if (l->n > before)
        return 0;
    diag_add(d, path, 0, NULL, "not a result folder (no summary.csv, "
             "compare.csv, sensitivity.csv, sweep.csv, discovery.csv, "
             "reliability.csv or robust.csv in it or its subfolders)");
    return NCG_ERR_IO;
}

/* The folders named by the operands ARGV[FIRST..ARGC) into L: each a
 * result folder or a results folder holding some. 0, or NCG_ERR_IO with
 * a message per operand that is neither (the others are still added). */
static int collect_dirs(int first, int argc, char **argv, plot_dirs *l,
                        diag *d)
{
    int rc = 0;
    for (int a = first; a < argc; a++) {
        struct stat st;
        if (stat(argv[a], &st) != 0 || !S_ISDIR(st.st_mode)) {
            diag_add(d, argv[a], 0, NULL, stat(argv[a], &st) != 0
                     ? "no such folder" : "not a folder (give a result "
                     "folder, e.g. results/baseline, or results)");
            rc = NCG_ERR_IO;
            continue;
        }
        if (!add_plot_dir(argv[a], &l->dir, &l->kind, &l->n)
            && add_results_folder(argv[a], l, d) != 0)
            rc = NCG_ERR_IO;
    }
    return rc;
}

/* One redraw job per folder of L into JOBS (L->n of them), a comparison
 * after the folders it reads; warns about a comparison whose scenarios
 * were rerun since, which would mix old differences with new fans. */
static void plot_jobs(const plot_dirs *l, plot_job *jobs)
{
    for (size_t i = 0; i < l->n; i++) {
        char which[4096];
        jobs[i] = (plot_job){ .dir = l->dir[i], .name = l->dir[i],
                              .kind = PLOT_REDRAW,
                              .after = l->kind[i] == PLOT_COMPARE };
        if (l->kind[i] == PLOT_COMPARE
            && compare_stale(l->dir[i], which, sizeof which))
            fprintf(stderr, "ncgsim: warning: %s/ is stale: %s/ changed "
                    "since the comparison was made (rerun ncgsim compare)\n",
                    l->dir[i], which);
    }
}

int cmd_plot(int argc, char **argv)
{
    opt_value v[PLOT_N_OPTS];
    diag *d = diag_alloc();
    plot_dirs l = { 0 };
    plot_job *jobs = NULL;
    int rc = opts_parse(&cmd_plot_def, argc, argv, v);
    if (rc != 0 || !d)
        goto end;
    if (optind >= argc) {
        rc = cli_usage(NULL, "plot: give a result folder (e.g. results/baseline "
                         "or results)");
        goto end;
    }
    if ((rc = collect_dirs(optind, argc, argv, &l, d)) != 0 || l.n == 0)
        goto end;
    if (!(jobs = calloc(l.n, sizeof *jobs))) {
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    /* Each folder redrawn through the writer (plot_redraw_folder). */
    plot_jobs(&l, jobs);
    plot_render_opts po = {
        v[PLOT_FORMAT].s,
        v[PLOT_THREADS].given ? (int)v[PLOT_THREADS].u : engine_cores(), 0 };
    rc = plot_render_dirs(jobs, l.n, &po, d);
    size_t drawn = 0;
    for (size_t i = 0; i < l.n; i++)
        drawn += jobs[i].res.drawn;
    if (!v[PLOT_QUIET].given)
        plot_render_report(jobs, l.n, po.format);
    /* Drawing is all this command does: without gnuplot it failed. */
    if (rc == 0 && drawn == 0 && !plot_gnuplot_found())
        rc = NCG_ERR_IO;
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    batch_free_list(l.dir, l.n);
    free(l.kind);
    free(jobs);
    opts_values_free(v, PLOT_N_OPTS);
    return rc < 0 ? 0 : rc;
}

/* cmd_plot.c: `ncgsim plot`: redraw the plots of results already on disk. */
#include "cli/commands.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "base/ncgsim.h"
#include "cli/batch.h"
#include "cli/cli.h"
#include "io/output.h"
#include "plot/render.h"
#include "run/engine.h"

enum { PLOT_FORMAT, PLOT_THREADS, PLOT_QUIET, PLOT_N_OPTS };

static const opt_spec plot_opts_table[PLOT_N_OPTS] = {
    [PLOT_FORMAT] = CLI_OPT_FORMAT("plots as png (default), svg or pdf"),
    [PLOT_THREADS] = CLI_OPT_THREADS("folders drawn at once (default: all cores)"),
    [PLOT_QUIET] = CLI_OPT_QUIET("no line saying where the plots went"),
};

const cli_command cmd_plot_def = {
    "plot", cmd_plot, "redraw the plots of results already on disk",
    "ncgsim plot DIR... [options]",
    "Redraws the plots of result folders without running anything. DIR\n"
    "is a scenario's folder (OUT/<name>), a comparison folder\n"
    "(OUT/compare) or a results folder holding several of them (OUT).\n"
    "Restyle every plot at once by editing plots/style.gp (or the file\n"
    "named by the NCGSIM_PLOTS folder) and running this again.\n",
    NULL, plot_opts_table, PLOT_N_OPTS, OPERANDS_RESULTS
};

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

int cmd_plot(int argc, char **argv)
{
    opt_value v[PLOT_N_OPTS];
    diag *d = diag_alloc();
    char **dirs = NULL;
    int *is_cmp = NULL;
    size_t n = 0;
    int rc = opts_parse(&cmd_plot_def, argc, argv, v);
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
        batch_sort_paths(sub, ns);
        size_t before = n;
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < ns; i++)
                if (has_file(sub[i], "compare.csv") == pass)
                    add_plot_dir(sub[i], &dirs, &is_cmp, &n);
        batch_free_list(sub, ns);
        if (n == before) {
            diag_add(d, argv[a], 0, NULL, "not a result folder (no "
                     "summary.csv or compare.csv in it or its subfolders)");
            rc = NCG_EXIT_IO;
        }
    }
    if (rc == 0) {
        plot_render_opts po = {
            v[PLOT_FORMAT].s,
            v[PLOT_THREADS].given ? (int)v[PLOT_THREADS].u : engine_cores(),
            v[PLOT_QUIET].given > 0, 0 };
        rc = plot_render_dirs(dirs, is_cmp, n, &po, d);
    }
end:
    if (d)
        diag_print(d, stderr);
    diag_free(d);
    batch_free_list(dirs, n);
    free(is_cmp);
    opts_values_free(v, PLOT_N_OPTS);
    return rc < 0 ? 0 : rc;
}


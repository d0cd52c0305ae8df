/* publish.c: the result folder of an analysis command. */
#include "cli/publish.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "base/status.h"
#include "cli/cli.h"
#include "io/output.h"
#include "plot/sens_plot.h"

/* Writes DIR/NAME through WRITE(CTX, f), checked and flushed to disk by
 * the writer; 0 or NCG_EXIT_IO. */
static int write_file(const char *dir, const char *name,
                      int (*write)(const void *ctx, FILE *f), const void *ctx,
                      diag *d)
{
    FILE *f = output_open(dir, name, d);
    if (!f)
        return NCG_EXIT_IO;
    if (write(ctx, f) != 0) {
        char *path = output_path(dir, name);
        diag_add(d, path ? path : name, 0, NULL, "cannot write: %s",
                 strerror(errno));
        free(path);
        fclose(f);
        return NCG_EXIT_IO;
    }
    return output_close(f, dir, name, d);
}

static int write_resolved(const void *ctx, FILE *f)
{
    return scenario_write(ctx, "resolved by ncgsim " NCGSIM_VERSION, f);
}

int publish_analysis(const publish_spec *p, const scenario *sc,
                     const model *m, uint64_t trials, const void *res,
                     diag *d)
{
    output_dir od;
    char name[300];
    snprintf(name, sizeof name, "%s-%s", sc->name, p->what);
    int rc = output_begin(p->out, name, p->what, &od, d), prc = 0;
    plot_result drawn = { 0 };
    if (rc != 0)
        return rc;
    if ((rc = write_file(od.tmp, p->csv, p->write, res, d)) == 0
        && (rc = write_file(od.tmp, "resolved.cfg", write_resolved, sc, d)) == 0)
        rc = output_correlations(m, trials, od.tmp,
                                 p->quiet ? NULL : stdout, d);
    if (rc == 0 && !p->no_plots) {
        /* Drawn in the temporary folder, before the rename. */
        plot_opts po = { .format = p->format, .quiet = 1, .name = od.final,
                         .result = &drawn };
        prc = p->plot(res, od.tmp, &po, d);
    }
    if (rc == 0 && cli_interrupted) {
        diag_add(d, NULL, 0, NULL, "interrupted");
        rc = NCG_EXIT_RUN;
    }
    if (rc != 0) {
        output_abort(&od);
        return rc;
    }
    if ((rc = output_commit(&od, d)) == 0 && !p->quiet) {
        printf("  results: %s/%s/\n", p->out, name);
        if (drawn.drawn > 0)
            printf("  plots: %s/%s/ (%zu %s files)\n", p->out, name,
                   drawn.drawn, p->format ? p->format : "png");
    }
    return ncg_status_worse(rc, prc);
}


static int write_sweep(const void *res, FILE *f)
{
    return sweep_write_csv(res, f);
}

static int plot_sweep(const void *res, const char *dir, const plot_opts *o,
                      diag *d)
{
    return sens_plot_sweep(res, dir, o, d);
}

int publish_sweep(const sweep_result *r, const char *out, const char *format,
                  const char *const *names, size_t n, int quiet,
                  int no_plots, diag *d)
{
    if (!quiet) {
        sweep_table(r, names, n, stdout);
        putchar('\n');
    }
    publish_spec p = { out, "sweep", "sweep.csv", write_sweep, plot_sweep,
                       format, quiet, no_plots };
    return publish_analysis(&p, r->sc, r->m, r->trials, r, d);
}

static int write_sens(const void *res, FILE *f)
{
    return sens_write_csv(res, f);
}

static int plot_sens(const void *res, const char *dir, const plot_opts *o,
                     diag *d)
{
    return sens_plot_sensitivity(res, dir, o, d);
}

/* What was varied and what it cost, before the table. */
static void print_header(const sens_result *r, int set_trials, double secs)
{
    size_t unread = 0;
    for (size_t j = 0; j < r->n_const; j++)
        unread += !r->const_rows[j].reaches;
    printf("%s: %zu random params", r->sc->name, r->d);
    if (r->const_pct > 0) {
        printf(", %zu constants \u00b1%g%%", r->n_const, r->const_pct);
        if (unread)
            printf(" (%zu read by no analysed output: swing 0, not run)",
                   unread);
    }
    printf("; %llu trials per run%s, %llu trial-runs",
           (unsigned long long)r->trials,
           set_trials ? "" : " (simulation.trials, at most 10000: -n to change)",
           (unsigned long long)r->trial_runs);
    if (secs >= 0)
        printf(" in %.1f s\n", secs);
    else
        printf(" (merged from shards)\n");
    if (r->weighted)
        printf("Swings are one at a time (all else as in the base run); "
               "the Sobol column is the weighted first-order index "
               "(conditioned scenario).\n");
    else
        printf("Swings are one at a time (all else as in the base run); "
               "Sobol indices treat random params as independent.\n");
}

int publish_sensitivity(const sens_result *r, const sens_publish *o,
                        diag *d)
{
    if (!o->quiet) {
        print_header(r, o->set_trials, o->secs);
        sens_table(r, o->top, stdout);
        putchar('\n');
    }
    publish_spec p = { o->out, "sensitivity", "sensitivity.csv", write_sens,
                       plot_sens, o->format, o->quiet, o->no_plots };
    return publish_analysis(&p, r->sc, r->m, r->trials, r, d);
}

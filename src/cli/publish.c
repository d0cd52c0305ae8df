/* publish.c: the result folder of an analysis command. */
#include "cli/publish.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "base/status.h"
#include "cli/cli.h"
#include "io/output.h"
#include "plot/discover_plot.h"
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

/* The folder OD renamed into place when everything in it went well (RC
 * 0) and no interrupt came; else removed. 0 or a status. */
static int commit(output_dir *od, int rc, diag *d)
{
    if (rc == 0 && cli_interrupted) {
        diag_add(d, NULL, 0, NULL, "interrupted");
        rc = NCG_EXIT_RUN;
    }
    if (rc != 0) {
        output_abort(od);
        return rc;
    }
    return output_commit(od, d);
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
    if ((rc = commit(&od, rc, d)) == 0 && !p->quiet) {
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

int publish_folder(const char *out, const char *kind, const scenario *sc,
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
    return commit(&od, rc, d);
}

/* Splits LIST at commas into a fresh array of pointers into the copy
 * *BUF, *N of them; NULL when out of memory. */
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

static int write_discover(const void *r, const char *dir, diag *d)
{
    return discover_write(r, dir, d);
}

static int plot_discover(const void *r, const char *dir, const plot_opts *o,
                         diag *d)
{
    return discover_plot(r, dir, o, d);
}

int publish_discovery(const discover_src *s, const discoverpart_job *j,
                      const scenario *sc, const model *m, const char *out,
                      int quiet, int no_plots, diag *d)
{
    discover_opts o = { .case_expr = j->case_expr, .prim = j->prim,
                        .boxes = j->boxes, .pick = j->pick,
                        .resample = j->resample, .seed = j->seed };
    discover_result *r = NULL;
    char *list = NULL, *outbuf = NULL;
    const char **inputs = NULL;
    int rc = 0;
    if (j->inputs) {
        inputs = split(j->inputs, &list, &o.n_inputs);
    } else if (m) {
        /* A run's inputs are its params; constant ones are no
         * uncertainty and are left out. */
        size_t np = 0;
        inputs = malloc((m->n_vars ? m->n_vars : 1) * sizeof *inputs);
        for (size_t v = 0; inputs && v < m->n_vars; v++)
            if (m->vars[v].kind == VAR_PARAM)
                inputs[np++] = m->vars[v].name;
        o.n_inputs = np;
        o.skip_constant = 1;
    }
    if ((j->inputs || m) && !inputs) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_EXIT_IO;
        goto end;
    }
    o.inputs = inputs;
    if ((rc = discover_run(s, &o, &r, d)) != 0)
        goto end;
    /* The results folder, written aside and renamed into place. */
    if (!out) {
        const char *b = strrchr(j->source, '/');
        b = b ? b + 1 : j->source;
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
        out = outbuf;
    }
    if ((rc = publish_folder(out, "discover", sc, "resolved by ncgsim "
                             NCGSIM_VERSION " for discover", write_discover,
                             plot_discover, r, no_plots, d)) != 0)
        goto end;
    if (!quiet) {
        if (r->n_left_out)
            printf("Left out %zu constant param%s (no uncertainty).\n",
                   r->n_left_out, r->n_left_out == 1 ? "" : "s");
        discover_summary(r, stdout);
        printf("\n  results: %s/\n", out);
    }
end:
    discover_result_free(r);
    free(list);
    free(inputs);
    free(outbuf);
    return rc;
}

int publish_score(const score_table *t, const char *out, const char *format,
                  int quiet, int no_plots, diag *d)
{
    output_dir od;
    int rc = output_begin(out, "score", "score", &od, d);
    if (rc != 0)
        return rc;
    rc = score_write(t, od.tmp, quiet ? NULL : stdout, d);
    if (rc == 0 && !no_plots) {
        plot_opts po = { .format = format, .quiet = 1, .name = out };
        rc = plot_score(od.tmp, &po, d);
    }
    if ((rc = commit(&od, rc, d)) == 0 && !quiet)
        printf("  results: %s/score/\n", out);
    return rc;
}

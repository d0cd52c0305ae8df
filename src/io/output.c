/* output.c: result files (CSV, resolved.cfg) in folders renamed into place. */
#define _GNU_SOURCE
#include "io/output.h"
#include "base/term.h"
#include "base/numfmt.h"
#include "io/posterior.h"
#include "model/corr.h"
#include "model/observe.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "base/status.h"

#define COARSE_BINS 50

/* The first characters that make a spreadsheet read a cell as a formula. */
static const char csv_formula_starts[] = "=+-@\t\r";

/* 1 when S is a whole plain number (a spreadsheet reads it as one). */
static int csv_is_number(const char *s)
{
    char *end;
    if (!*s || isspace((unsigned char)*s))
        return 0;
    errno = 0;
    strtod(s, &end);
    return *end == 0 && end != s && errno == 0;
}

/* 1 when S, written as text, needs a leading apostrophe. */
static int csv_guarded(const char *s)
{
    if (*s == '\'')
        return s[1] && strchr(csv_formula_starts, s[1]) != NULL;
    return *s && strchr(csv_formula_starts, *s) && !csv_is_number(s);
}

void output_csv_string(FILE *out, const char *s)
{
    int guard = csv_guarded(s);
    if (!strpbrk(s, ",\"\n\r")) {
        if (guard)
            fputc('\'', out);
        fputs(s, out);
        return;
    }
    fputc('"', out);
    if (guard)
        fputc('\'', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

const char *output_csv_unguard(const char *s)
{
    return *s == '\'' && csv_guarded(s + 1) ? s + 1 : s;
}

unsigned long long output_hash(const char *s)
{
    unsigned long long h = 14695981039346656037ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static int is_event(const engine_result *r, size_t o)
{
    return r->m->vars[r->m->outputs[o]].kind == VAR_EVENT;
}

static size_t cell(const engine_result *r, size_t o, uint32_t t)
{
    return o * ((size_t)r->steps + 1) + t;
}

void output_mean_se(const engine_result *r, size_t o, uint32_t t,
                    double *mean, double *se)
{
    if (is_event(r, o) && r->weighted) {
        double n = engine_ess(r), p = engine_share(r, o, t);
        *mean = p;
        *se = n > 1.0 ? sqrt(p * (1.0 - p) / (n - 1.0)) : 0.0;
    } else if (is_event(r, o)) {
        double n = (double)r->trials;
        double p = (double)r->ones[cell(r, o, t)] / n;
        *mean = p;
        *se = r->trials > 1 ? sqrt(p * (1.0 - p) / (n - 1.0)) : 0.0;
    } else {
        const stats_moments *m = &r->mom[cell(r, o, t)];
        *mean = m->mean;
        *se = stats_moments_se(m);
    }
}

/* Event output O: the share of trials in which it was 1 at some step. */
static double p_ever(const engine_result *r, size_t o)
{
    if (r->weighted)
        return 1.0 - engine_share_first(r, o, r->steps + 1);
    uint64_t never = r->first[o * ((size_t)r->steps + 2) + r->steps + 1];
    return 1.0 - (double)never / (double)r->trials;
}

void output_p_by_end(const engine_result *r, size_t o, double *p,
                     double *se)
{
    double n = r->weighted ? engine_ess(r) : (double)r->trials;
    *p = p_ever(r, o);
    *se = n > 1.0 ? sqrt(*p * (1.0 - *p) / (n - 1.0)) : 0.0;
}

static double sd_of(const engine_result *r, size_t o, uint32_t t)
{
    if (is_event(r, o) && r->weighted) {
        double n = engine_ess(r), p = engine_share(r, o, t);
        return n > 1.0 ? sqrt(p * (1.0 - p) * n / (n - 1.0)) : 0.0;
    }
    if (is_event(r, o)) {
        double n = (double)r->trials;
        double p = (double)r->ones[cell(r, o, t)] / n;
        return r->trials > 1 ? sqrt(p * (1.0 - p) * n / (n - 1.0)) : 0.0;
    }
    return sqrt(stats_moments_var(&r->mom[cell(r, o, t)]));
}

double output_quantile(const engine_result *r, size_t o, uint32_t t,
                       double p)
{
    if (!is_event(r, o))
        return stats_hist_quantile(r->hist[cell(r, o, t)], p);
    if (r->weighted)   /* the weighted 0/1 distribution's quantile */
        return p > 1.0 - engine_share(r, o, t) ? 1.0 : 0.0;
    /* A 0/1 sample sorted: n0 zeros then ones; type 7 interpolation. */
    uint64_t n1 = r->ones[cell(r, o, t)], n0 = r->trials - n1;
    double h = (double)(r->trials - 1) * p;
    double lo = floor(h), hi = ceil(h);
    double xl = lo < (double)n0 ? 0.0 : 1.0;
    double xh = hi < (double)n0 ? 0.0 : 1.0;
    return xl + (h - lo) * (xh - xl);
}

static void minmax_of(const engine_result *r, size_t o, uint32_t t,
                      double *mn, double *mx)
{
    if (is_event(r, o) && r->weighted) {
        double p1 = engine_share(r, o, t);
        *mn = p1 >= 1.0 ? 1.0 : 0.0;
        *mx = p1 > 0.0 ? 1.0 : 0.0;
    } else if (is_event(r, o)) {
        uint64_t n1 = r->ones[cell(r, o, t)];
        *mn = n1 == r->trials ? 1.0 : 0.0;
        *mx = n1 > 0 ? 1.0 : 0.0;
    } else {
        *mn = r->mom[cell(r, o, t)].min;
        *mx = r->mom[cell(r, o, t)].max;
    }
}

static const double quantile_ps[] = { 0.05, 0.25, 0.50, 0.75, 0.95 };

/* mean, sd, se, p05 .. p95 of output O at step T, as CSV fields. */
static void write_stats(FILE *f, const engine_result *r, size_t o,
                        uint32_t t)
{
    double mean, se;
    output_mean_se(r, o, t, &mean, &se);
    fprintf(f, "%.10g,%.10g,%.10g", mean, sd_of(r, o, t), se);
    for (size_t q = 0; q < 5; q++)
        fprintf(f, ",%.10g", output_quantile(r, o, t, quantile_ps[q]));
}

static int write_summary(const engine_result *r, const char *dir, diag *d)
{
    const model *m = r->m;
    uint32_t T = r->steps;
    FILE *f = output_open(dir, "summary.csv", d);
    if (!f)
        return NCG_ERR_IO;
    /* A conditioned run adds its effective trials as a last column. */
    fputs("variable,kind,mean,sd,se,p05,p25,p50,p75,p95,min,max,"
          "p_by_end,p_by_end_se,count_mean,clamped,event_kind,label,unit", f);
    fputs(r->weighted ? ",ess\n" : "\n", f);
    for (size_t o = 0; o < m->n_outputs; o++) {
        const model_var *v = &m->vars[m->outputs[o]];
        double mn, mx;
        fprintf(f, "%s,%s,", v->name, model_kind_name(v->kind));
        write_stats(f, r, o, T);
        minmax_of(r, o, T, &mn, &mx);
        fprintf(f, ",%.10g,%.10g", mn, mx);
        if (v->kind == VAR_EVENT) {
            double pe, pse, cm = 0.0;
            output_p_by_end(r, o, &pe, &pse);
            for (uint32_t c = 0; c <= T; c++)
                cm += (double)c * (r->weighted ? engine_share_count(r, o, c)
                                   : (double)r->count[cell(r, o, c)]
                                     / (double)r->trials);
            fprintf(f, ",%.10g,%.10g,%.10g", pe, pse, cm);
        } else {
            fputs(",,,", f);
        }
        fprintf(f, ",%lld,%s,", (long long)r->clamped[m->outputs[o]],
                v->kind == VAR_EVENT ? model_event_kind_name(v->ev) : "");
        output_csv_string(f, v->label);
        fputc(',', f);
        output_csv_string(f, v->unit);
        if (r->weighted)
            fprintf(f, ",%.10g", engine_ess(r));
        fputc('\n', f);
    }
    return output_close(f, dir, "summary.csv", d);
}

static int write_timeseries(const engine_result *r, const scenario *s,
                            const char *dir, diag *d)
{
    const model *m = r->m;
    FILE *f = output_open(dir, "timeseries.csv", d);
    if (!f)
        return NCG_ERR_IO;
    fputs("variable,kind,step,period,mean,sd,se,p05,p25,p50,p75,p95\n", f);
    for (size_t o = 0; o < m->n_outputs; o++) {
        const model_var *v = &m->vars[m->outputs[o]];
        for (uint32_t t = 0; t <= r->steps; t++) {
            char label[32];
            scenario_step_label(&s->sim, t, label, sizeof label);
            fprintf(f, "%s,%s,%u,%s,", v->name, model_kind_name(v->kind), t,
                    label);
            write_stats(f, r, o, t);
            fputc('\n', f);
        }
    }
    return output_close(f, dir, "timeseries.csv", d);
}

static int write_histograms(const engine_result *r, const char *dir, diag *d)
{
    const model *m = r->m;
    FILE *f = output_open(dir, "histograms.csv", d);
    stats_bin bins[COARSE_BINS];
    if (!f)
        return NCG_ERR_IO;
    fputs("variable,bin_lo,bin_hi,trials,fraction\n", f);
    double n = (double)r->trials;
    for (size_t o = 0; o < m->n_outputs; o++) {
        const char *name = m->vars[m->outputs[o]].name;
        if (is_event(r, o) && r->weighted) {
            /* trials: how many (any weight); fraction: weighted share. */
            uint64_t n1 = r->ones[cell(r, o, r->steps)];
            double p1 = engine_share(r, o, r->steps);
            fprintf(f, "%s,0,0,%llu,%.10g\n", name,
                    (unsigned long long)(r->trials - n1), 1.0 - p1);
            fprintf(f, "%s,1,1,%llu,%.10g\n", name, (unsigned long long)n1,
                    p1);
            continue;
        }
        if (is_event(r, o)) {
            uint64_t n1 = r->ones[cell(r, o, r->steps)];
            fprintf(f, "%s,0,0,%llu,%.10g\n", name,
                    (unsigned long long)(r->trials - n1),
                    (double)(r->trials - n1) / n);
            fprintf(f, "%s,1,1,%llu,%.10g\n", name, (unsigned long long)n1,
                    (double)n1 / n);
            continue;
        }
        const stats_hist *h = r->hist[cell(r, o, r->steps)];
        size_t nb = stats_hist_coarse(h, bins, COARSE_BINS);
        double total = r->weighted ? stats_hist_weight(h) : n;
        for (size_t b = 0; b < nb; b++)
            fprintf(f, "%s,%.10g,%.10g,%llu,%.10g\n", name, bins[b].lo,
                    bins[b].hi, (unsigned long long)bins[b].count,
                    r->weighted ? bins[b].weight / total
                                : (double)bins[b].count / n);
    }
    return output_close(f, dir, "histograms.csv", d);
}

static int write_events(const engine_result *r, const scenario *s,
                        const char *dir, diag *d)
{
    const model *m = r->m;
    uint32_t T = r->steps;
    double n = (double)r->trials;
    FILE *f = output_open(dir, "events.csv", d);
    if (!f)
        return NCG_ERR_IO;
    fputs("variable,step,period,p_first,p_cumulative,se_cumulative\n", f);
    for (size_t o = 0; o < m->n_outputs; o++) {
        if (!is_event(r, o))
            continue;
        uint64_t cum = 0;
        double wcum = 0.0, ess = engine_ess(r);
        for (uint32_t t = 0; t <= T && r->weighted; t++) {
            char label[32];
            double first = engine_share_first(r, o, t);
            wcum += first;
            scenario_step_label(&s->sim, t, label, sizeof label);
            fprintf(f, "%s,%u,%s,%.10g,%.10g,%.10g\n",
                    m->vars[m->outputs[o]].name, t, label, first, wcum,
                    ess > 1.0 ? sqrt(wcum * (1 - wcum) / (ess - 1)) : 0.0);
        }
        for (uint32_t t = 0; t <= T && !r->weighted; t++) {
            char label[32];
            uint64_t first = r->first[o * ((size_t)T + 2) + t];
            cum += first;
            double pc = (double)cum / n;
            scenario_step_label(&s->sim, t, label, sizeof label);
            fprintf(f, "%s,%u,%s,%.10g,%.10g,%.10g\n",
                    m->vars[m->outputs[o]].name, t, label,
                    (double)first / n, pc,
                    r->trials > 1 ? sqrt(pc * (1 - pc) / (n - 1)) : 0.0);
        }
    }
    int rc = output_close(f, dir, "events.csv", d);
    if (rc)
        return rc;
    f = output_open(dir, "counts.csv", d);
    if (!f)
        return NCG_ERR_IO;
    fputs("variable,count,trials,fraction\n", f);
    for (size_t o = 0; o < m->n_outputs; o++) {
        if (!is_event(r, o))
            continue;
        for (uint32_t c = 0; c <= T; c++) {
            uint64_t k = r->count[cell(r, o, c)];
            fprintf(f, "%s,%u,%llu,%.10g\n", m->vars[m->outputs[o]].name, c,
                    (unsigned long long)k,
                    r->weighted ? engine_share_count(r, o, c)
                                : (double)k / n);
        }
    }
    rc = output_close(f, dir, "counts.csv", d);
    if (rc)
        return rc;
    f = output_open(dir, "clamped.csv", d);
    if (!f)
        return NCG_ERR_IO;
    fputs("variable,kind,clamped\n", f);
    for (size_t v = 0; v < m->n_vars; v++)
        if (m->vars[v].kind != VAR_PARAM)
            fprintf(f, "%s,%s,%lld\n", m->vars[v].name,
                    model_kind_name(m->vars[v].kind),
                    (long long)r->clamped[v]);
    return output_close(f, dir, "clamped.csv", d);
}

static int write_resolved(const engine_result *r, const scenario *s,
                          const char *dir, diag *d)
{
    char *text = scenario_text(s);
    char header[768];
    if (!text) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    snprintf(header, sizeof header,
             "# Resolved scenario written by ncgsim %s: every extends and "
             "--set applied.\n"
             "# Model hash (FNV-1a 64 of the text below): %016llx\n"
             "# Rerun with: ncgsim run resolved.cfg\n",
             NCGSIM_VERSION, output_hash(text));
    if (r->weighted) {
        size_t len = strlen(header);
        snprintf(header + len, sizeof header - len,
                 "# Conditioned on its observations: effective trials (ESS) "
                 "%.1f of %llu\n", engine_ess(r),
                 (unsigned long long)r->trials);
    }
    free(text);
    FILE *f = output_open(dir, "resolved.cfg", d);
    if (!f)
        return NCG_ERR_IO;
    if (scenario_write(s, header, f) != 0) {
        fclose(f);
        diag_add(d, dir, 0, NULL, "resolved.cfg: write error");
        return NCG_ERR_IO;
    }
    return output_close(f, dir, "resolved.cfg", d);
}

int output_write(const engine_result *r, const scenario *s, const char *dir,
                 diag *d)
{
    int rc;
    if ((rc = write_summary(r, dir, d)) || (rc = write_timeseries(r, s, dir, d))
        || (rc = write_histograms(r, dir, d))
        || (rc = write_events(r, s, dir, d))
        || (rc = write_resolved(r, s, dir, d))
        || (rc = posterior_write(r, dir, d)))
        return rc;
    if (r->weighted && engine_ess(r) < ENGINE_ESS_FLOOR)
        fprintf(stderr, "ncgsim: warning: %s: conditioned on its "
                "observations, only %.1f effective trials of %llu remain "
                "(below %.0f): its estimates rest on few trials; raise "
                "simulation.trials or check the record against the model\n",
                s->name, engine_ess(r), (unsigned long long)r->trials,
                ENGINE_ESS_FLOOR);
    return 0;
}

int output_correlations(const model *m, uint64_t trials, const char *dir,
                        FILE *table, diag *d)
{
    const corr *c = m->corr;
    double *real = NULL;
    uint64_t used = 0;
    FILE *f = NULL;
    int rc;
    if (!c)
        return 0;
    if (!(real = calloc(c->n_pairs, sizeof *real))) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    if ((rc = corr_realised(m, c, trials, real, &used, d)) != 0)
        goto end;
    if (!(f = output_open(dir, "correlations.csv", d))) {
        rc = NCG_ERR_IO;
        goto end;
    }
    fprintf(f, "param_a,param_b,requested,realised,trials\n");
    if (table)
        fprintf(table, "  rank correlations (first %llu trials):\n",
                (unsigned long long)used);
    for (size_t p = 0; p < c->n_pairs; p++) {
        const char *a = m->vars[m->random_params[c->a[p]]].name;
        const char *b = m->vars[m->random_params[c->b[p]]].name;
        fprintf(f, "%s,%s,%.6g,%.6g,%llu\n", a, b, c->rho[p], real[p],
                (unsigned long long)used);
        if (table)
            fprintf(table, "    %s ~ %s: asked %.3f, got %.3f\n", a, b,
                    c->rho[p], real[p]);
    }
    rc = output_close(f, dir, "correlations.csv", d);
end:
    free(real);
    return rc;
}

FILE *output_samples_open(const model *m, const char *dir, diag *d)
{
    FILE *f = output_open(dir, "samples.csv", d);
    if (!f)
        return NULL;
    fputs("trial", f);
    if (m->obs && m->obs->weighted)
        fputs(",weight", f);
    for (size_t v = 0; v < m->n_vars; v++)
        if (m->vars[v].kind == VAR_PARAM)
            fprintf(f, ",%s", m->vars[v].name);
    for (size_t o = 0; o < m->n_outputs; o++)
        fprintf(f, ",%s", m->vars[m->outputs[o]].name);
    for (size_t o = 0; o < m->n_outputs; o++)
        if (m->vars[m->outputs[o]].kind == VAR_EVENT)
            fprintf(f, ",%s_ever", m->vars[m->outputs[o]].name);
    fputc('\n', f);
    return f;
}

int output_samples_weights(void *ctx, size_t which, uint64_t trial0,
                           size_t n, const double *w)
{
    (void)trial0;
    (void)n;
    ((output_samples *)ctx)->w[which] = w;
    return 0;
}

int output_samples_rows(void *ctx, size_t which, uint64_t trial0, size_t n,
                        size_t cols, const double *values)
{
    const output_samples *s = ctx;
    FILE *out = s->f[which];
    const double *w = s->w[which];
    if (!out)
        return 0;
    for (size_t l = 0; l < n; l++) {
        fprintf(out, "%llu", (unsigned long long)(trial0 + l + 1));
        if (w)                 /* the likelihood of the record */
            fprintf(out, ",%.17g", w[l]);
        for (size_t c = 0; c < cols; c++)
            fprintf(out, ",%.17g", values[l * cols + c]);
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

void output_table(const engine_result *r, const scenario *s, FILE *out)
{
    const model *m = r->m;
    char label[32], title[1024], unit[256];
    scenario_step_label(&s->sim, r->steps, label, sizeof label);
    /* The title and units are scenario text: shown, never obeyed. */
    fprintf(out, "\n%s (%s): %llu trials, seed %llu, values at step %u "
            "(%s)\n", term_escape(s->title, title, sizeof title), s->name,
            (unsigned long long)r->trials,
            (unsigned long long)s->sim.seed, r->steps, label);
    if (r->weighted)
        fprintf(out, "  conditioned on %zu observation%s: effective trials "
                "(ESS) %.1f%s\n", r->n_obs, r->n_obs == 1 ? "" : "s",
                engine_ess(r), engine_ess(r) < ENGINE_ESS_FLOOR
                ? " (below the floor of 200: estimates rest on few trials)"
                : "");
    /* Quantities: the mean at the last step; events: the probability that
     * they happened by the end (at some step up to T), the figure scenarios
     * are compared by, then the chance of being 1 at the last step. */
    fprintf(out, "  %-24s %14s %9s   %-25s %s\n", "variable", "mean/P(by end)",
            "\u00b195%", "5% .. 95% / P(at end)", "unit");
    int any_event = 0;
    for (size_t o = 0; o < m->n_outputs; o++) {
        const model_var *v = &m->vars[m->outputs[o]];
        double mean, se;
        char a[40], b[40], c[40], col[100];
        output_mean_se(r, o, r->steps, &mean, &se);
        if (v->kind == VAR_EVENT) {
            double pe, pse;
            any_event = 1;
            output_p_by_end(r, o, &pe, &pse);
            snprintf(col, sizeof col, "P(at %s) %s", label,
                     numfmt_est(c, sizeof c, mean, se, 0));
            fprintf(out, "  %-24.24s %14s %9s   %-25s %s\n", v->name,
                    numfmt_est(a, sizeof a, pe, pse, 0),
                    numfmt_est(b, sizeof b, NCG_Z95 * pse, 0.1 * NCG_Z95 * pse, 0), col,
                    "P(by end)");
        } else {
            double q5 = output_quantile(r, o, r->steps, 0.05);
            double q95 = output_quantile(r, o, r->steps, 0.95);
            /* The standard error of a 5% or 95% quantile of a normal:
             * sqrt(0.05 x 0.95 / n) / density = 2.1 sd / sqrt(n). */
            double qse = 2.1 * sd_of(r, o, r->steps)
                         / sqrt(r->weighted ? engine_ess(r) : (double)r->trials);
            snprintf(col, sizeof col, "%s .. %s",
                     numfmt_est(a, sizeof a, q5, q5 == floor(q5) ? 0 : qse, 0),
                     numfmt_est(b, sizeof b, q95, q95 == floor(q95) ? 0 : qse, 0));
            fprintf(out, "  %-24.24s %14s %9s   %-25s %s\n", v->name,
                    numfmt_est(a, sizeof a, mean, se, 0),
                    numfmt_est(b, sizeof b, NCG_Z95 * se, 0.1 * NCG_Z95 * se, 0), col,
                    term_escape(v->unit, unit, sizeof unit));
        }
    }
    if (any_event)
        fprintf(out, "  P(by end): probability that the event happened at some "
                "step up to %s; P(at %s): that it is 1 at that step\n", label,
                label);
}

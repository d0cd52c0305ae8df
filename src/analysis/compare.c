/* compare.c: side-by-side results of several scenarios, with paired differences. */
#include "analysis/compare.h"
#include "base/term.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "io/output.h"
#include "base/numfmt.h"
#include "base/status.h"

/* One figure of an output with its paired difference from the
 * reference's. */
typedef struct compare_fig {
    double v, se;
    int has_diff;          /* a paired difference from the reference */
    double diff, diff_se;
} compare_fig;

/* One output of one scenario. */
typedef struct compare_out {
    char *name, *label, *unit;
    const char *kind;      /* static string from model_kind_name */
    int event;
    compare_fig last;      /* mean (event: probability of 1) at step T */
    compare_fig end;       /* events: probability it happened by T */
    stats_hist *hist;      /* numeric: its histogram at step T (a copy,
                              owned; for quantile targets), else NULL */
} compare_out;

typedef struct compare_scen {
    char *name, *title;
    char *folder;          /* its result folder, or NULL: ../<name> */
    compare_out *outs;
    size_t n_outs;
    int weighted;          /* conditioned on observations */
    double ess;            /* effective trials (the trials when not
                              weighted) */
} compare_scen;

struct compare {
    compare_scen *s;
    size_t n;
    int keep_hist;         /* compare_add copies the last-step histograms */
};

compare *compare_alloc(void)
{
    return calloc(1, sizeof(compare));
}

void compare_free(compare *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        for (size_t o = 0; o < c->s[i].n_outs; o++) {
            free(c->s[i].outs[o].name);
            free(c->s[i].outs[o].label);
            free(c->s[i].outs[o].unit);
            stats_hist_free(c->s[i].outs[o].hist);
        }
        free(c->s[i].outs);
        free(c->s[i].name);
        free(c->s[i].title);
        free(c->s[i].folder);
    }
    free(c->s);
    free(c);
}

size_t compare_count(const compare *c)
{
    return c->n;
}

int compare_add(compare *c, const engine_result *r, const scenario *s,
                int paired)
{
    const model *m = r->m;
    compare_scen *ns = realloc(c->s, (c->n + 1) * sizeof *ns);
    if (!ns)
        return -1;
    c->s = ns;
    compare_scen *e = &c->s[c->n];
    memset(e, 0, sizeof *e);
    e->name = strdup(s->name);
    e->title = strdup(s->title);
    e->outs = calloc(m->n_outputs + 1, sizeof *e->outs);
    c->n++;
    if (!e->name || !e->title || !e->outs)
        return -1;
    e->n_outs = m->n_outputs;
    e->weighted = r->weighted;
    e->ess = engine_ess(r);
    for (size_t o = 0; o < m->n_outputs; o++) {
        const model_var *v = &m->vars[m->outputs[o]];
        compare_out *co = &e->outs[o];
        co->name = strdup(v->name);
        co->label = strdup(v->label);
        co->unit = strdup(v->unit);
        if (!co->name || !co->label || !co->unit)
            return -1;
        co->kind = model_kind_name(v->kind);
        co->event = v->kind == VAR_EVENT;
        output_mean_se(r, o, r->steps, &co->last.v, &co->last.se);
        if (co->event)
            output_p_by_end(r, o, &co->end.v, &co->end.se);
        else if (c->keep_hist && r->hist && r->hist[o * ((size_t)r->steps + 1) + r->steps]
                 && !(co->hist = stats_hist_copy(
                          r->hist[o * ((size_t)r->steps + 1) + r->steps])))
            return -1;
        if (paired) {
            co->last.has_diff = engine_diff(r, o, 0, &co->last.diff,
                                            &co->last.diff_se);
            /* The reference's output of that name may not be an event. */
            co->end.has_diff = co->event
                && engine_diff(r, o, 1, &co->end.diff, &co->end.diff_se);
        }
    }
    return 0;
}

int compare_set_folder(compare *c, size_t i, const char *folder)
{
    assert(i < c->n);
    free(c->s[i].folder);
    c->s[i].folder = strdup(folder);
    return c->s[i].folder ? 0 : -1;
}

/* The folder of scenario I as reachable from here: the one given, or
 * OUT/<name> (into BUF). */
static const char *member_path(const compare *c, size_t i, const char *out,
                               char *buf, size_t len)
{
    if (c->s[i].folder)
        return c->s[i].folder;
    snprintf(buf, len, "%s/%s", out, c->s[i].name);
    return buf;
}

/* FNV-1a (64 bits) of the file at PATH as 16 hex digits into HASH (17
 * bytes); "" when it cannot be read. */
static void file_hash(const char *path, char *hash)
{
    FILE *f = fopen(path, "rb");
    unsigned char buf[8192];
    uint64_t h = 1469598103934665603ULL;
    size_t got;
    hash[0] = '\0';
    if (!f)
        return;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t k = 0; k < got; k++)
            h = (h ^ buf[k]) * 1099511628211ULL;
    if (!ferror(f))
        snprintf(hash, 17, "%016llx", (unsigned long long)h);
    fclose(f);
}

/* MEMBER's path relative to the comparison folder OUT/NAME, into BUF
 * (e.g. ../baseline, or ../../elsewhere/baseline); ../<SCEN> when either
 * cannot be resolved. */
static void relative_folder(const char *member, const char *out,
                            const char *name, const char *scen, char *buf,
                            size_t len)
{
    char to[PATH_MAX], from[PATH_MAX];
    snprintf(buf, len, "../%s", scen);
    if (!realpath(member, to) || !realpath(out, from)
        || strlen(from) + strlen(name) + 2 > sizeof from)
        return;
    if (strcmp(from, "/") != 0)
        strcat(from, "/");
    strcat(from, name);
    /* The longest common prefix of whole components. */
    size_t k = 0, cut = 0;
    while (from[k] && from[k] == to[k]) {
        if (from[k] == '/')
            cut = k + 1;
        k++;
    }
    if (!from[k] && (to[k] == '/' || !to[k]))
        cut = k + (to[k] == '/');
    if (cut <= 1) {   /* nothing shared but the root: absolute */
        snprintf(buf, len, "%s", to);
        return;
    }
    size_t w = 0;
    buf[0] = '\0';
    for (const char *p = from + cut - 1; *p; p++)
        if (*p == '/' && w + 4 < len) {
            memcpy(buf + w, "../", 4);
            w += 3;
        }
    snprintf(buf + w, len - w, "%s", to + cut);
    if (w > 0 && buf[w] == '\0')
        buf[w - 1] = '\0';   /* "../" alone: drop the slash */
}

/* Splits the CSV line LINE (modified) into at most N fields (quotes
 * removed); returns how many. */
static size_t csv_split(char *line, char **f, size_t n)
{
    size_t k = 0;
    char *w = line;
    for (char *p = line; k < n;) {
        int q = 0;
        f[k++] = w;
        for (; *p && (q || (*p != ',' && *p != '\n')); p++) {
            if (*p == '"') {
                if (q && p[1] == '"')
                    *w++ = *p++;
                else
                    q = !q;
                continue;
            }
            *w++ = *p;
        }
        int more = *p == ',';
        *w++ = '\0';
        if (!more)
            break;
        p++;
    }
    return k;
}

void compare_folder_name(const compare *c, const char *out, char *name,
                         size_t len, char *other, size_t olen)
{
    char *path = NULL, line[4096];
    FILE *f = NULL;
    size_t i = 0;
    int same = 1;
    snprintf(name, len, "compare");
    other[0] = '\0';
    char *dir = output_path(out, "compare");
    path = dir ? output_path(dir, "scenarios.csv") : NULL;
    free(dir);
    if (!path || !(f = fopen(path, "r")))
        goto end;
    if (!fgets(line, sizeof line, f))
        goto end;
    while (fgets(line, sizeof line, f)) {
        char *fld[4];
        if (csv_split(line, fld, 4) < 1)
            continue;
        same &= i < c->n && strcmp(fld[0], c->s[i].name) == 0;
        size_t w = strlen(other);
        snprintf(other + w, olen - w, "%s%s", w ? ", " : "", fld[0]);
        i++;
    }
    if (same && i == c->n)
        goto end;
    /* Another set of scenarios: a folder named by this one's members. */
    char full[4096];
    size_t k = (size_t)snprintf(full, sizeof full, "compare");
    for (size_t j = 0; j < c->n && k < sizeof full; j++)
        k += (size_t)snprintf(full + k, sizeof full - k, "-%s", c->s[j].name);
    if (strlen(full) <= 96) {
        snprintf(name, len, "%s", full);
    } else {
        uint64_t h = 1469598103934665603ULL;
        for (const char *q = full; *q; q++)
            h = (h ^ (unsigned char)*q) * 1099511628211ULL;
        snprintf(name, len, "%.80s-%016llx", full, (unsigned long long)h);
    }
end:
    if (f)
        fclose(f);
    free(path);
}

int compare_stale(const char *dir, char *which, size_t len)
{
    char *path = output_path(dir, "scenarios.csv"), line[4096];
    FILE *f = path ? fopen(path, "r") : NULL;
    int stale = 0;
    which[0] = '\0';
    if (f && fgets(line, sizeof line, f))
        while (!stale && fgets(line, sizeof line, f)) {
            char *fld[4], hash[20];
            if (csv_split(line, fld, 4) < 4 || !fld[3][0])
                continue;
            char *member = fld[2][0] == '/' ? strdup(fld[2])
                                            : output_path(dir, fld[2]);
            char *sum = member ? output_path(member, "summary.csv") : NULL;
            if (sum) {
                file_hash(sum, hash);
                if (strcmp(hash, fld[3]) != 0) {
                    stale = 1;
                    snprintf(which, len, "%s", member);
                }
            }
            free(sum);
            free(member);
        }
    if (f)
        fclose(f);
    free(path);
    return stale;
}

/* Output NAME of scenario E, or NULL. */
static const compare_out *find_out(const compare_scen *e, const char *name)
{
    for (size_t o = 0; o < e->n_outs; o++)
        if (strcmp(e->outs[o].name, name) == 0)
            return &e->outs[o];
    return NULL;
}

/* The difference of figure CO from the reference's figure REF: paired
 * when it was run in lockstep, else from the two standard errors. */
static void diff_of(const compare_fig *co, const compare_fig *ref,
                    double *diff, double *se, int *paired)
{
    if (co->has_diff) {
        *diff = co->diff;
        *se = co->diff_se;
        *paired = 1;
    } else {
        *diff = co->v - ref->v;
        *se = sqrt(co->se * co->se + ref->se * ref->se);
        *paired = 0;
    }
}

/* The headline figure of an output: for an event the probability that it
 * happened by the end, else the mean at the last step. */
static const compare_fig *headline(const compare_out *co)
{
    return co->event ? &co->end : &co->last;
}

/* One figure's eight columns: value, se, 95% interval, difference from the
 * reference (REF NULL: none; I 0: the reference itself, exactly 0), its
 * se and 95% interval. *PAIRED is cleared for an unpaired difference. */
static void write_fig(FILE *f, const compare_fig *co, const compare_fig *ref,
                      size_t i, int *paired)
{
    fprintf(f, ",%.10g,%.10g,%.10g,%.10g", co->v, co->se,
            co->v - NCG_Z95 * co->se, co->v + NCG_Z95 * co->se);
    if (!ref) {
        fputs(",,,,", f);
        return;
    }
    double diff = 0.0, se = 0.0;
    int p = 1;
    if (i > 0)
        diff_of(co, ref, &diff, &se, &p);
    *paired &= p;
    fprintf(f, ",%.10g,%.10g,%.10g,%.10g", diff, se, diff - NCG_Z95 * se,
            diff + NCG_Z95 * se);
}

/* Every output name in first-seen order, over all scenarios. */
static size_t all_outputs(const compare *c, const char ***names)
{
    size_t n = 0, cap = 0;
    *names = NULL;
    for (size_t i = 0; i < c->n; i++)
        for (size_t o = 0; o < c->s[i].n_outs; o++) {
            const char *nm = c->s[i].outs[o].name;
            size_t k;
            for (k = 0; k < n; k++)
                if (strcmp((*names)[k], nm) == 0)
                    break;
            if (k < n)
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 32;
                const char **nn = realloc(*names, cap * sizeof *nn);
                if (!nn)
                    return n;
                *names = nn;
            }
            (*names)[n++] = nm;
        }
    return n;
}

/* compare.csv: one row per scenario and output, every column with one
 * meaning (docs/results.md): mean_* for quantities, p_by_end_* and
 * p_last_step_* for events, empty where they do not apply. */
static int write_files(const compare *c, const char *dir, const char *out,
                       const char *name, diag *d)
{
    FILE *f = output_open(dir, "compare.csv", d);
    const char **names = NULL;
    int rc;
    static const char *const figs[] = { "mean", "p_by_end", "p_last_step" };
    if (!f)
        return NCG_ERR_IO;
    fputs("variable,kind,scenario,title,label,unit", f);
    for (size_t g = 0; g < 3; g++)
        fprintf(f, ",%s,%s_se,%s_lo95,%s_hi95,%s_diff,%s_diff_se,"
                "%s_diff_lo95,%s_diff_hi95", figs[g], figs[g], figs[g],
                figs[g], figs[g], figs[g], figs[g], figs[g]);
    fputs(",paired,ess\n", f);
    size_t n = all_outputs(c, &names);
    const compare_scen *ref = &c->s[0];
    for (size_t k = 0; k < n; k++) {
        const compare_out *r = find_out(ref, names[k]);
        for (size_t i = 0; i < c->n; i++) {
            const compare_out *co = find_out(&c->s[i], names[k]);
            int paired = 1;
            if (!co)
                continue;
            /* A difference needs the same kind of output in the reference. */
            const compare_out *rr = r && r->event == co->event ? r : NULL;
            fprintf(f, "%s,%s,", co->name, co->kind);
            output_csv_string(f, c->s[i].name);
            fputc(',', f);
            output_csv_string(f, c->s[i].title);
            fputc(',', f);
            output_csv_string(f, co->label);
            fputc(',', f);
            output_csv_string(f, co->unit);
            if (co->event) {
                fputs(",,,,,,,,", f);
                write_fig(f, &co->end, rr ? &rr->end : NULL, i, &paired);
                write_fig(f, &co->last, rr ? &rr->last : NULL, i, &paired);
            } else {
                write_fig(f, &co->last, rr ? &rr->last : NULL, i, &paired);
                fputs(",,,,,,,,,,,,,,,,", f);
            }
            if (rr)
                fprintf(f, ",%d", paired);
            else
                fputc(',', f);
            fprintf(f, ",%.10g\n", c->s[i].ess);
        }
    }
    free(names);
    if ((rc = output_close(f, dir, "compare.csv", d)) != 0)
        return rc;
    if (!(f = output_open(dir, "scenarios.csv", d)))
        return NCG_ERR_IO;
    fputs("scenario,title,folder,summary_hash\n", f);
    for (size_t i = 0; i < c->n; i++) {
        char at[PATH_MAX], rel[PATH_MAX], hash[20] = "";
        const char *member = member_path(c, i, out, at, sizeof at);
        char *sum = output_path(member, "summary.csv");
        if (sum)
            file_hash(sum, hash);
        free(sum);
        relative_folder(member, out, name, c->s[i].name, rel, sizeof rel);
        fprintf(f, "%s,", c->s[i].name);
        output_csv_string(f, c->s[i].title);
        fputc(',', f);
        output_csv_string(f, rel);
        fprintf(f, ",%s\n", hash);
    }
    return output_close(f, dir, "scenarios.csv", d);
}

int compare_write(const compare *c, const char *dir, const char *out,
                  const char *name, diag *d)
{
    return write_files(c, dir, out, name, d);
}

/* One cell of the table: figure CO of scenario I, starred when its
 * difference from the reference's REF has a 95% interval without 0. */
static void table_cell(FILE *out, const compare_fig *co, const compare_fig *ref,
                       size_t i)
{
    int star = 0;
    char num[40], cellbuf[48];
    if (ref && i > 0) {
        double diff, se;
        int paired;
        diff_of(co, ref, &diff, &se, &paired);
        star = fabs(diff) > NCG_Z95 * se && diff != 0.0;
    }
    snprintf(cellbuf, sizeof cellbuf, "%s%s",
             numfmt_est(num, sizeof num, co->v, co->se, 0), star ? "*" : " ");
    fprintf(out, " %10s", cellbuf);
}

/* The rows of the table: every output by its headline figure, or, when
 * EVENTS_ONLY, the events by their probability at the last step. */
static void table_rows(const compare *c, const char **names, size_t n,
                       int events_only, FILE *out)
{
    for (size_t k = 0; k < n; k++) {
        const compare_out *r = find_out(&c->s[0], names[k]);
        int event = 0;
        for (size_t i = 0; i < c->n && !event; i++) {
            const compare_out *co = find_out(&c->s[i], names[k]);
            event = co && co->event;
        }
        if (events_only && !event)
            continue;
        fprintf(out, "%-22.22s", names[k]);
        for (size_t i = 0; i < c->n; i++) {
            const compare_out *co = find_out(&c->s[i], names[k]);
            if (!co) {
                fprintf(out, " %10s", "-");
                continue;
            }
            const compare_out *rr = r && r->event == co->event ? r : NULL;
            const compare_fig *fig = events_only ? &co->last : headline(co);
            const compare_fig *rf = !rr ? NULL
                                    : events_only ? &rr->last : headline(rr);
            table_cell(out, fig, rf, i);
        }
        fputc('\n', out);
    }
}

static void table_head(const compare *c, FILE *out)
{
    fprintf(out, "%-22s", "variable");
    for (size_t i = 0; i < c->n; i++) {
        char h[32];
        snprintf(h, sizeof h, "[%zu]", i + 1);
        fprintf(out, " %10s", h);
    }
    fputc('\n', out);
}

void compare_table(const compare *c, FILE *out)
{
    const char **names = NULL;
    size_t n = all_outputs(c, &names);
    int any_event = 0;
    for (size_t i = 0; i < c->n; i++)
        for (size_t o = 0; o < c->s[i].n_outs; o++)
            any_event |= c->s[i].outs[o].event;
    fprintf(out, "\nComparison by the end: the mean at the last step, and "
            "for events the probability that they happened by the end; * "
            "marks a difference from [1] whose 95%% interval excludes 0\n");
    for (size_t i = 0; i < c->n; i++) {
        char title[1024];
        char ess[64] = "";
        if (c->s[i].weighted)
            snprintf(ess, sizeof ess, " (conditioned: ESS %.0f)",
                     c->s[i].ess);
        fprintf(out, "  [%zu] %s: %s%s%s\n", i + 1, c->s[i].name,
                term_escape(c->s[i].title, title, sizeof title), ess,
                i == 0 ? " (reference)" : "");
    }
    table_head(c, out);
    table_rows(c, names, n, 0, out);
    if (any_event) {
        fprintf(out, "\nEvents at the last step: the probability that they "
                "are 1 then (not whether they happened before)\n");
        table_head(c, out);
        table_rows(c, names, n, 1, out);
    }
    free(names);
}

void compare_keep_histograms(compare *c)
{
    c->keep_hist = 1;
}

double compare_quantile_halfwidth(const stats_hist *h, double q, double n,
                                  double *est)
{
    double z = NCG_Z95 * sqrt(q * (1.0 - q) / n);
    double lo = q - z < 0 ? 0 : q - z, hi = q + z > 1 ? 1 : q + z;
    *est = stats_hist_quantile(h, q);
    return 0.5 * (stats_hist_quantile(h, hi) - stats_hist_quantile(h, lo));
}

/* Keeps in *WORST the larger of it and HW / TARGET, naming the figure. */
static void worse(double hw, double target, const char *what,
                  const char *scen, double *worst, char *which, size_t len)
{
    double r = target > 0 ? hw / target : (hw > 0 ? INFINITY : 0);
    if (r > *worst) {
        *worst = r;
        snprintf(which, len, "%s in %s", what, scen);
    }
}

double compare_precision_ratio(const compare *c, double eps,
                               const compare_target *t, size_t n,
                               char *which, size_t len)
{
    double worst = 0.0;
    snprintf(which, len, "nothing");
    for (size_t i = 0; i < c->n; i++)
        for (size_t o = 0; o < c->s[i].n_outs; o++) {
            const compare_out *co = &c->s[i].outs[o];
            const char *sn = c->s[i].name;
            if (co->event && eps > 0) {
                const compare_fig *figs[] = { &co->end, &co->last };
                for (size_t g = 0; g < 2; g++) {
                    worse(NCG_Z95 * figs[g]->se, eps, co->name, sn, &worst,
                          which, len);
                    if (figs[g]->has_diff && i > 0)
                        worse(NCG_Z95 * figs[g]->diff_se, eps, co->name, sn,
                              &worst, which, len);
                }
            }
            for (size_t k = 0; k < n && !co->event; k++) {
                if (strcmp(t[k].var, co->name) != 0)
                    continue;
                double est, hw;
                if (t[k].q < 0) {
                    est = co->last.v;
                    hw = NCG_Z95 * co->last.se;
                } else if (co->hist && stats_hist_count(co->hist) > 0) {
                    /* A conditioned scenario's weighted trials count
                     * as its effective trials (Kish). */
                    hw = compare_quantile_halfwidth(co->hist, t[k].q,
                                                    c->s[i].ess, &est);
                } else {
                    continue;
                }
                double target = t[k].relative ? t[k].halfwidth * fabs(est)
                                              : t[k].halfwidth;
                worse(hw, target, t[k].text, sn, &worst, which, len);
                if (t[k].q >= 0 || !co->last.has_diff || i == 0)
                    continue;
                /* The paired difference: relative to the reference's mean. */
                double ref = co->last.v - co->last.diff;
                target = t[k].relative ? t[k].halfwidth * fabs(ref)
                                       : t[k].halfwidth;
                char what[160];
                snprintf(what, sizeof what, "%s difference", t[k].text);
                worse(NCG_Z95 * co->last.diff_se, target, what, sn, &worst,
                      which, len);
            }
        }
    return worst;
}

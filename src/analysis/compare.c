/* compare.c: side-by-side results of several scenarios, with paired differences. */
#include "analysis/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "io/output.h"

/* One output of one scenario at the last step. */
typedef struct compare_out {
    char *name, *label, *unit;
    const char *kind;      /* static string from model_kind_name */
    double mean, se;
    int has_diff;          /* a paired difference from the reference */
    double diff, diff_se;
} compare_out;

typedef struct compare_scen {
    char *name, *title;
    compare_out *outs;
    size_t n_outs;
} compare_scen;

struct compare {
    compare_scen *s;
    size_t n;
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
        }
        free(c->s[i].outs);
        free(c->s[i].name);
        free(c->s[i].title);
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
    for (size_t o = 0; o < m->n_outputs; o++) {
        const model_var *v = &m->vars[m->outputs[o]];
        compare_out *co = &e->outs[o];
        co->name = strdup(v->name);
        co->label = strdup(v->label);
        co->unit = strdup(v->unit);
        if (!co->name || !co->label || !co->unit)
            return -1;
        co->kind = model_kind_name(v->kind);
        output_mean_se(r, o, r->steps, &co->mean, &co->se);
        if (paired && r->diff_ref[o] != SIZE_MAX) {
            co->has_diff = 1;
            co->diff = r->diff[o].mean;
            co->diff_se = stats_moments_se(&r->diff[o]);
        }
    }
    return 0;
}

/* Output NAME of scenario E, or NULL. */
static const compare_out *find_out(const compare_scen *e, const char *name)
{
    for (size_t o = 0; o < e->n_outs; o++)
        if (strcmp(e->outs[o].name, name) == 0)
            return &e->outs[o];
    return NULL;
}

/* The difference of output CO from the reference's output REF: paired
 * when it was run in lockstep, else from the two standard errors. */
static void diff_of(const compare_out *co,
                    const compare_out *ref, double *diff, double *se,
                    double *unpaired_se, int *paired)
{
    *unpaired_se = sqrt(co->se * co->se + ref->se * ref->se);
    if (co->has_diff) {
        *diff = co->diff;
        *se = co->diff_se;
        *paired = 1;
    } else {
        *diff = co->mean - ref->mean;
        *se = *unpaired_se;
        *paired = 0;
    }
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

static int write_files(const compare *c, const char *dir, diag *d)
{
    FILE *f = output_open(dir, "compare.csv", d);
    const char **names = NULL;
    int rc;
    if (!f)
        return NCG_EXIT_IO;
    fputs("variable,kind,scenario,title,mean,se,lo95,hi95,diff,diff_se,"
          "diff_lo95,diff_hi95,paired,label,unit,unpaired_diff_se\n", f);
    size_t n = all_outputs(c, &names);
    const compare_scen *ref = &c->s[0];
    for (size_t k = 0; k < n; k++) {
        const compare_out *r = find_out(ref, names[k]);
        for (size_t i = 0; i < c->n; i++) {
            const compare_out *co = find_out(&c->s[i], names[k]);
            if (!co)
                continue;
            fprintf(f, "%s,%s,%s,", co->name, co->kind, c->s[i].name);
            output_csv_string(f, c->s[i].title);
            fprintf(f, ",%.10g,%.10g,%.10g,%.10g", co->mean, co->se,
                    co->mean - 1.96 * co->se, co->mean + 1.96 * co->se);
            if (r) {
                double diff, se, use;
                int paired;
                diff_of(co, r, &diff, &se, &use, &paired);
                if (i == 0)
                    diff = se = use = 0.0, paired = 1;
                fprintf(f, ",%.10g,%.10g,%.10g,%.10g,%d,", diff, se,
                        diff - 1.96 * se, diff + 1.96 * se, paired);
                output_csv_string(f, co->label);
                fputc(',', f);
                output_csv_string(f, co->unit);
                fprintf(f, ",%.10g\n", use);
            } else {
                fputs(",,,,,0,", f);
                output_csv_string(f, co->label);
                fputc(',', f);
                output_csv_string(f, co->unit);
                fputs(",\n", f);
            }
        }
    }
    free(names);
    if ((rc = output_close(f, dir, "compare.csv", d)) != 0)
        return rc;
    if (!(f = output_open(dir, "scenarios.csv", d)))
        return NCG_EXIT_IO;
    fputs("scenario,title,folder\n", f);
    for (size_t i = 0; i < c->n; i++) {
        fprintf(f, "%s,", c->s[i].name);
        output_csv_string(f, c->s[i].title);
        fprintf(f, ",../%s\n", c->s[i].name);
    }
    return output_close(f, dir, "scenarios.csv", d);
}

int compare_write(const compare *c, const char *dir, diag *d)
{
    return write_files(c, dir, d);
}

void compare_table(const compare *c, FILE *out)
{
    const char **names = NULL;
    size_t n = all_outputs(c, &names);
    fprintf(out, "\nComparison at the last step (mean, or probability for "
            "events); * marks a difference from [1] whose 95%% interval "
            "excludes 0\n");
    for (size_t i = 0; i < c->n; i++)
        fprintf(out, "  [%zu] %s: %s%s\n", i + 1, c->s[i].name,
                c->s[i].title, i == 0 ? " (reference)" : "");
    fprintf(out, "%-22s", "variable");
    for (size_t i = 0; i < c->n; i++) {
        char h[32];
        snprintf(h, sizeof h, "[%zu]", i + 1);
        fprintf(out, " %10s", h);
    }
    fputc('\n', out);
    for (size_t k = 0; k < n; k++) {
        const compare_out *r = find_out(&c->s[0], names[k]);
        fprintf(out, "%-22.22s", names[k]);
        for (size_t i = 0; i < c->n; i++) {
            const compare_out *co = find_out(&c->s[i], names[k]);
            if (!co) {
                fprintf(out, " %10s", "-");
                continue;
            }
            int star = 0;
            if (r && i > 0) {
                double diff, se, use;
                int paired;
                diff_of(co, r, &diff, &se, &use, &paired);
                star = fabs(diff) > 1.96 * se && diff != 0.0;
            }
            char cellbuf[32];
            /* Large values in full (28230, not 2.823e+04). */
            snprintf(cellbuf, sizeof cellbuf,
                     fabs(co->mean) >= 1000 ? "%.0f%s" : "%.4g%s", co->mean,
                     star ? "*" : " ");
            fprintf(out, " %10s", cellbuf);
        }
        fputc('\n', out);
    }
    free(names);
}

double compare_max_halfwidth(const compare *c)
{
    double hw = 0.0;
    for (size_t i = 0; i < c->n; i++)
        for (size_t o = 0; o < c->s[i].n_outs; o++) {
            const compare_out *co = &c->s[i].outs[o];
            if (strcmp(co->kind, "event") != 0)
                continue;
            if (1.96 * co->se > hw)
                hw = 1.96 * co->se;
            if (co->has_diff && i > 0 && 1.96 * co->diff_se > hw)
                hw = 1.96 * co->diff_se;
        }
    return hw;
}

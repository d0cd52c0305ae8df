/* score.c: forecasts of resolved questions (an outcomes file) scored with Brier and log scores; reliability; ranking of scenarios. */
#include "analysis/score.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "base/ncgsim.h"
#include "base/status.h"
#include "io/output.h"
#include "io/table.h"
#include "model/observe.h"

struct score_outcomes {
    table t;
    score_question *q;
    size_t n;
};

void score_outcomes_free(score_outcomes *o)
{
    if (!o)
        return;
    table_free(&o->t);
    free(o->q);
    free(o);
}

size_t score_outcomes_count(const score_outcomes *o)
{
    return o->n;
}

const score_question *score_outcomes_get(const score_outcomes *o, size_t i)
{
    return &o->q[i];
}

const char *score_outcomes_path(const score_outcomes *o)
{
    return o->t.path;
}

/* Cell of row R in the column named NAME, or "" when there is none. */
static const char *col(const table *t, size_t r, const char *name)
{
    long c = table_find(t, name);
    return c < 0 ? "" : table_cell(t, r, (size_t)c);
}

/* A number filling all of S into *X; 0 or -1. */
static int number(const char *s, double *x)
{
    char *end;
    if (!*s)
        return -1;
    *x = strtod(s, &end);
    return *end == 0 && isfinite(*x) ? 0 : -1;
}

/* Checks row R of T into Q; problems to D. */
static void read_row(const table *t, size_t r, score_question *q, diag *d)
{
    const char *path = t->path;
    int line = t->line[r];
    double x;
    q->line = line;
    q->id = col(t, r, "id");
    q->var = col(t, r, "var");
    q->at = col(t, r, "at");
    q->through = col(t, r, "through");
    q->from = col(t, r, "from");
    q->op = col(t, r, "op");
    q->question = col(t, r, "question");
    q->base_rate = NAN;
    if (!*q->id || strspn(q->id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
                          "qrstuvwxyz0123456789_.-") != strlen(q->id))
        diag_add(d, path, line, "id", "'%s' is not an id (letters, digits, "
                 "'_', '.' and '-')", q->id);
    if (!*q->var)
        diag_add(d, path, line, "var", "missing (the variable asked about)");
    if (!*q->at == !*q->through)
        diag_add(d, path, line, *q->at ? "through" : "at", "give 'at' (one "
                 "step) or 'through' (an event, by then), exactly one");
    const char *y = col(t, r, "outcome");
    if (strcmp(y, "0") == 0 || strcmp(y, "1") == 0)
        q->outcome = y[0] - '0';
    else
        diag_add(d, path, line, "outcome", "'%s': what happened is 0 or 1",
                 y);
    const char *b = col(t, r, "base_rate");
    if (*b && (number(b, &x) != 0 || x < 0.0 || x > 1.0))
        diag_add(d, path, line, "base_rate", "'%s' is not a probability "
                 "(0 .. 1)", b);
    else if (*b)
        q->base_rate = x;
    if (*q->op && strcmp(q->op, "<") && strcmp(q->op, "<=")
        && strcmp(q->op, ">") && strcmp(q->op, ">="))
        diag_add(d, path, line, "op", "'%s': expected <, <=, > or >=", q->op);
    const char *th = col(t, r, "threshold");
    if (*q->op && number(th, &q->threshold) != 0)
        diag_add(d, path, line, "threshold", "'%s' is not a number (op %s "
                 "needs one)", th, q->op);
    if (!*q->op && *th)
        diag_add(d, path, line, "threshold", "given without op");
}

int score_outcomes_read(const char *path, score_outcomes **out, diag *d)
{
    static const char *const required[] = { "id", "var", "outcome" };
    score_outcomes *o = calloc(1, sizeof *o);
    size_t errors = diag_count(d);
    int rc;
    *out = NULL;
    if (!o) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    if ((rc = table_read_commented(path, &o->t, d)) != 0)
        goto fail;
    rc = NCG_ERR_SCENARIO;
    for (size_t i = 0; i < 3; i++)
        if (table_find(&o->t, required[i]) < 0)
            diag_add(d, path, 1, NULL, "no column '%s' (the header needs id, "
                     "var, at or through, outcome)", required[i]);
    if (table_find(&o->t, "at") < 0 && table_find(&o->t, "through") < 0)
        diag_add(d, path, 1, NULL, "no column 'at' or 'through'");
    if (diag_count(d) > errors)
        goto fail;
    if (!(o->q = calloc(o->t.nrow + 1, sizeof *o->q))) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto fail;
    }
    o->n = o->t.nrow;
    for (size_t r = 0; r < o->n; r++) {
        read_row(&o->t, r, &o->q[r], d);
        for (size_t s = 0; s < r; s++)
            if (strcmp(o->q[s].id, o->q[r].id) == 0) {
                diag_add(d, path, o->q[r].line, "id", "'%s' is also the id "
                         "of line %d", o->q[r].id, o->q[s].line);
                break;
            }
    }
    if (o->n == 0)
        diag_add(d, path, 0, NULL, "no questions");
    if (diag_count(d) > errors)
        goto fail;
    *out = o;
    return 0;
fail:
    score_outcomes_free(o);
    return rc;
}

/* The output of M called NAME, or SIZE_MAX. */
static size_t output_of(const model *m, const char *name)
{
    for (size_t o = 0; o < m->n_outputs; o++)
        if (strcmp(m->vars[m->outputs[o]].name, name) == 0)
            return o;
    return SIZE_MAX;
}

/* Question Q as a probe of M; 0, or -1 with a message in D. */
static int probe_of(const score_outcomes *o, const score_question *q,
                    const model *m, uint32_t as_of, engine_probe *p,
                    int *use, diag *d)
{
    const char *path = o->t.path, *sname = m->sc->name;
    char err[256];
    uint32_t t;
    p->o = output_of(m, q->var);
    if (p->o == SIZE_MAX) {
        diag_add(d, path, q->line, "var", "'%s' is not an output of "
                 "scenario %s (an event, state or derived listed in "
                 "outputs)", q->var, sname);
        return -1;
    }
    int event = m->vars[m->outputs[p->o]].kind == VAR_EVENT;
    if (event == (*q->op != 0)) {
        diag_add(d, path, q->line, "op", event ? "'%s' is an event: leave op "
                 "and threshold empty" : "'%s' is numeric: give op and "
                 "threshold", q->var);
        return -1;
    }
    if (*q->through && !event) {
        diag_add(d, path, q->line, "through", "'%s' is not an event: use "
                 "'at'", q->var);
        return -1;
    }
    const char *when = *q->at ? q->at : q->through;
    if (obs_step_text(m, when, &t, err, sizeof err) != 0) {
        diag_add(d, path, q->line, *q->at ? "at" : "through", "%s (scenario "
                 "%s)", err, sname);
        return -1;
    }
    p->to = t;
    p->from = t;
    *use = as_of == UINT32_MAX || p->to > as_of;
    if (*q->through && *use) {
        p->from = as_of != UINT32_MAX ? as_of + 1 : 1;
        if (*q->from && obs_step_text(m, q->from, &p->from, err,
                                      sizeof err) != 0) {
            diag_add(d, path, q->line, "from", "%s (scenario %s)", err,
                     sname);
            return -1;
        }
        if (p->from > p->to) {
            diag_add(d, path, q->line, "from", "the window starts after "
                     "'through' (scenario %s)", sname);
            return -1;
        }
    }
    static const struct { const char *s; engine_probe_op op; } ops[] = {
        { "<", ENGINE_PROBE_LT }, { "<=", ENGINE_PROBE_LE },
        { ">", ENGINE_PROBE_GT }, { ">=", ENGINE_PROBE_GE } };
    p->op = ENGINE_PROBE_ONE;
    for (size_t i = 0; i < 4; i++)
        if (strcmp(q->op, ops[i].s) == 0)
            p->op = ops[i].op;
    p->threshold = q->threshold;
    return 0;
}

int score_probes(const score_outcomes *o, const model *m, uint32_t as_of,
                 engine_probe *probes, int *use, diag *d)
{
    int rc = 0;
    for (size_t i = 0; i < o->n; i++) {
        use[i] = 0;
        if (probe_of(o, &o->q[i], m, as_of, &probes[i], &use[i], d) != 0)
            rc = NCG_ERR_SCENARIO;
    }
    return rc;
}

int score_condition(model *m, const char *as_of, const char *path,
                    uint32_t *step, diag *d)
{
    char err[256];
    *step = UINT32_MAX;
    if (as_of && obs_step_text(m, as_of, step, err, sizeof err)) {
        diag_add(d, path, 0, NULL, "--as-of: %s", err);
        return NCG_ERR_USAGE;
    }
    /* Unconditioned, or conditioned on what was known by AS_OF. */
    obs_free(m->obs);
    m->obs = NULL;
    return as_of ? obs_build(m, *step, &m->obs, d) : 0;
}

double score_brier(double p, int y)
{
    return (p - y) * (p - y);
}

double score_log(double p, int y)
{
    p = p < SCORE_CLIP ? SCORE_CLIP : p > 1.0 - SCORE_CLIP ? 1.0 - SCORE_CLIP
                                                          : p;
    return -log(y ? p : 1.0 - p);
}

/* Mean Brier and log score of scenario S (forecasts P) over the questions
 * it answers, with how many. */
typedef struct score_sum {
    size_t n;
    double brier, logs;       /* means */
    double coin_brier, coin_log;
    size_t n_base;            /* questions with a base rate */
    double base_brier, base_log, own_brier_base;  /* on those */
    double d_brier, d_brier_lo, d_brier_hi;       /* minus the best's */
    double d_log, d_log_lo, d_log_hi;
    size_t rank;
} score_sum;

static void sum_of(const score_table *t, size_t s, score_sum *r)
{
    memset(r, 0, sizeof *r);
    for (size_t q = 0; q < t->n; q++) {
        double p = t->p[s * t->n + q];
        const score_question *qq = &t->o->q[q];
        if (isnan(p))
            continue;
        r->n++;
        r->brier += score_brier(p, qq->outcome);
        r->logs += score_log(p, qq->outcome);
        r->coin_brier += score_brier(0.5, qq->outcome);
        r->coin_log += score_log(0.5, qq->outcome);
        if (!isnan(qq->base_rate)) {
            r->n_base++;
            r->base_brier += score_brier(qq->base_rate, qq->outcome);
            r->base_log += score_log(qq->base_rate, qq->outcome);
            r->own_brier_base += score_brier(p, qq->outcome);
        }
    }
    double n = r->n ? (double)r->n : NAN, nb = r->n_base ? (double)r->n_base
                                                          : NAN;
    r->brier /= n;
    r->logs /= n;
    r->coin_brier /= n;
    r->coin_log /= n;
    r->base_brier /= nb;
    r->base_log /= nb;
    r->own_brier_base /= nb;
}

/* Mean and 95% interval (Student t) of the per-question differences of
 * scenario A's score minus B's, over the questions both answer. LOGS
 * picks the log score. */
static void paired(const score_table *t, size_t a, size_t b, int logs,
                   double *mean, double *lo, double *hi)
{
    double s = 0.0, s2 = 0.0;
    size_t n = 0;
    for (size_t q = 0; q < t->n; q++) {
        double pa = t->p[a * t->n + q], pb = t->p[b * t->n + q];
        int y = t->o->q[q].outcome;
        if (isnan(pa) || isnan(pb))
            continue;
        double dd = logs ? score_log(pa, y) - score_log(pb, y)
                         : score_brier(pa, y) - score_brier(pb, y);
        s += dd;
        s2 += dd * dd;
        n++;
    }
    *mean = n ? s / (double)n : NAN;
    *lo = *hi = *mean;
    if (n < 2)
        return;
    double var = (s2 - s * s / (double)n) / (double)(n - 1);
    double half = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1))
                  * sqrt((var > 0.0 ? var : 0.0) / (double)n);
    *lo = *mean - half;
    *hi = *mean + half;
}

static int write_scores(const score_table *t, const char *dir, diag *d)
{
    FILE *f = output_open(dir, "score.csv", d);
    if (!f)
        return NCG_ERR_IO;
    fputs("scenario,id,variable,forecast,outcome,brier,log_score,base_rate,"
          "question\n", f);
    for (size_t s = 0; s < t->k; s++)
        for (size_t q = 0; q < t->n; q++) {
            const score_question *qq = &t->o->q[q];
            double p = t->p[s * t->n + q];
            if (isnan(p))
                continue;
            output_csv_string(f, t->names[s]);
            fputc(',', f);
            output_csv_string(f, qq->id);
            fputc(',', f);
            output_csv_string(f, qq->var);
            fprintf(f, ",%.10g,%d,%.10g,%.10g,", p, qq->outcome,
                    score_brier(p, qq->outcome), score_log(p, qq->outcome));
            if (!isnan(qq->base_rate))
                fprintf(f, "%.10g", qq->base_rate);
            fputc(',', f);
            output_csv_string(f, qq->question);
            fputc('\n', f);
        }
    return output_close(f, dir, "score.csv", d);
}

static int write_reliability(const score_table *t, const char *dir, diag *d)
{
    FILE *f = output_open(dir, "reliability.csv", d);
    if (!f)
        return NCG_ERR_IO;
    fputs("scenario,bin_lo,bin_hi,mean_forecast,observed,questions\n", f);
    for (size_t s = 0; s < t->k; s++)
        for (size_t b = 0; b < SCORE_BINS; b++) {
            double lo = (double)b / SCORE_BINS, hi = (double)(b + 1) / SCORE_BINS;
            double sp = 0.0, sy = 0.0;
            size_t n = 0;
            for (size_t q = 0; q < t->n; q++) {
                double p = t->p[s * t->n + q];
                size_t bin = p >= 1.0 ? SCORE_BINS - 1 : (size_t)(p * SCORE_BINS);
                if (isnan(p) || bin != b)
                    continue;
                sp += p;
                sy += t->o->q[q].outcome;
                n++;
            }
            if (n == 0)
                continue;
            output_csv_string(f, t->names[s]);
            fprintf(f, ",%.10g,%.10g,%.10g,%.10g,%zu\n", lo, hi,
                    sp / (double)n, sy / (double)n, n);
        }
    return output_close(f, dir, "reliability.csv", d);
}

/* Scenario indices by mean Brier score, best first (ties: input order). */
static void rank_by_brier(const score_sum *sum, size_t k, size_t *order)
{
    for (size_t i = 0; i < k; i++) {
        size_t j = i;
        while (j > 0 && sum[order[j - 1]].brier > sum[i].brier) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

int score_write(const score_table *t, const char *dir, FILE *out, diag *d)
{
    score_sum *sum = calloc(t->k + 1, sizeof *sum);
    size_t *order = calloc(t->k + 1, sizeof *order);
    FILE *f = NULL;
    int rc = NCG_ERR_IO;
    if (!sum || !order) {
        diag_add(d, NULL, 0, NULL, "out of memory");
        rc = NCG_ERR_NOMEM;
        goto end;
    }
    for (size_t s = 0; s < t->k; s++)
        sum_of(t, s, &sum[s]);
    rank_by_brier(sum, t->k, order);
    for (size_t r = 0; r < t->k; r++) {
        size_t s = order[r];
        sum[s].rank = r + 1;
        paired(t, s, order[0], 0, &sum[s].d_brier, &sum[s].d_brier_lo,
               &sum[s].d_brier_hi);
        paired(t, s, order[0], 1, &sum[s].d_log, &sum[s].d_log_lo,
               &sum[s].d_log_hi);
    }
    if ((rc = write_scores(t, dir, d)) || (rc = write_reliability(t, dir, d)))
        goto end;
    rc = NCG_ERR_IO;
    if (!(f = output_open(dir, "score_summary.csv", d)))
        goto end;
    fputs("scenario,rank,questions,brier,log_score,coin_brier,coin_log,"
          "base_questions,base_brier,base_log,brier_on_base_questions,"
          "d_brier,d_brier_lo95,d_brier_hi95,d_log,d_log_lo95,d_log_hi95\n", f);
    for (size_t r = 0; r < t->k; r++) {
        const score_sum *m = &sum[order[r]];
        output_csv_string(f, t->names[order[r]]);
        fprintf(f, ",%zu,%zu,%.10g,%.10g,%.10g,%.10g,%zu,%.10g,%.10g,%.10g,"
                "%.10g,%.10g,%.10g,%.10g,%.10g,%.10g\n", m->rank, m->n,
                m->brier, m->logs, m->coin_brier, m->coin_log, m->n_base,
                m->base_brier, m->base_log, m->own_brier_base, m->d_brier,
                m->d_brier_lo, m->d_brier_hi, m->d_log, m->d_log_lo,
                m->d_log_hi);
    }
    if ((rc = output_close(f, dir, "score_summary.csv", d)) != 0 || !out)
        goto end;
    fprintf(out, "\nScores on %s (lower is better; paired difference "
            "from the best, 95%% interval over the same questions)\n",
            t->label ? t->label : t->o->t.path);
    fprintf(out, "  %-4s %-24s %9s %7s %7s  %-26s\n", "rank", "scenario",
            "questions", "Brier", "log", "Brier - best");
    for (size_t r = 0; r < t->k; r++) {
        const score_sum *m = &sum[order[r]];
        char diff[64] = "(best)";
        if (r > 0)
            snprintf(diff, sizeof diff, "%+.3f [%+.3f, %+.3f]", m->d_brier,
                     m->d_brier_lo, m->d_brier_hi);
        fprintf(out, "  %-4zu %-24.24s %9zu %7.3f %7.3f  %s\n", m->rank,
                t->names[order[r]], m->n, m->brier, m->logs, diff);
    }
    const score_sum *b = &sum[order[0]];
    fprintf(out, "  reference: coin flip Brier %.3f log %.3f",
            b->coin_brier, b->coin_log);
    if (b->n_base)
        fprintf(out, "; base rate (%zu questions) Brier %.3f log %.3f, "
                "best scenario on those %.3f", b->n_base, b->base_brier,
                b->base_log, b->own_brier_base);
    fputc('\n', out);
end:
    free(sum);
    free(order);
    return rc;
}

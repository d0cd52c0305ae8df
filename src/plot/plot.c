/* plot.c: gnuplot scripts for result and comparison folders, and running gnuplot on them. */
#include "plot/plot.h"
#include "base/numfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libconfig.h>
#include "base/ncgsim.h"
#include "io/output.h"
#include "io/table.h"
#include "plot/gp.h"
#include "base/status.h"

/* Plot sizes in pixels (PDF: the same proportions in inches / 100). */
enum { PLOT_W = 1000, PLOT_H = 600, OVERVIEW_W = 1600, OVERVIEW_H = 1000 };

/* ---------------------------------------------------------------- CSV -- */

/* The result files are read with the one CSV reader (io/table.h); T's
 * rows are the data rows, from 0, the header is T->name. */

/* Reads DIR/NAME into T. 0, or -1 with a message in D (T is then
 * empty). */
static int csv_read(const char *dir, const char *name, table *t, diag *d)
{
    char *path = output_path(dir, name);
    int rc = path ? table_read(path, t, d) : -1;
    if (!path) {
        memset(t, 0, sizeof *t);
        diag_add(d, name, 0, NULL, "out of memory");
    }
    free(path);
    return rc == 0 ? 0 : -1;
}

/* Cell (R, C) of T, as it was before output_csv_string guarded it
 * against spreadsheet formulas. */
static const char *cell(const table *t, size_t r, size_t c)
{
    return output_csv_unguard(table_cell(t, r, c));
}

/* Cell (R, C) of T as a number; NAN when empty or not a number. */
static double num(const table *t, size_t r, size_t c)
{
    const char *s = cell(t, r, c);
    char *end;
    double v = strtod(s, &end);
    return *s && *end == 0 ? v : NAN;
}

/* Finds the N columns NAMES of T, storing their indices in IDX. 0, or -1
 * with a message naming the first one missing. */
static int csv_cols(const table *t, const char *const *names, size_t n,
                    size_t *idx, diag *d)
{
    for (size_t i = 0; i < n; i++) {
        long c = table_find(t, names[i]);
        if (c < 0) {
            diag_add(d, t->path, 1, NULL, "no column '%s'", names[i]);
            return -1;
        }
        idx[i] = (size_t)c;
    }
    return 0;
}

/* Smallest and largest value of columns C[0..N) over the rows of T whose
 * column 0 is VAR, into *LO and *HI (NAN when there is none). */
static void csv_range(const table *t, const char *var, const size_t *c,
                      size_t n, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t r = 0; r < t->nrow; r++) {
        if (strcmp(cell(t, r, 0), var) != 0)
            continue;
        for (size_t i = 0; i < n; i++) {
            double v = num(t, r, c[i]);
            if (v < *lo)
                *lo = v;
            if (v > *hi)
                *hi = v;
        }
    }
    if (*lo > *hi)
        *lo = *hi = NAN;
}

/* The rows of T whose column 0 is VAR, for a plot command: " every ::A::B"
 * when they are the contiguous data rows A..B, so that gnuplot evaluates
 * its `sel` filter on those rows only (a fan chart of a comparison read
 * every row of sixteen files, most of its time); else "" and gnuplot
 * scans the whole file. sel() still checks every row it reads. */
static const char *csv_every(const table *t, const char *var, char *buf,
                             size_t len)
{
    size_t a = SIZE_MAX, b = 0;
    for (size_t r = 0; r < t->nrow; r++) {
        if (strcmp(cell(t, r, 0), var) != 0)
            continue;
        if (a != SIZE_MAX && r != b + 1)
            return "";
        if (a == SIZE_MAX)
            a = r;
        b = r;
    }
    if (a == SIZE_MAX || (size_t)snprintf(buf, len, " every ::%zu::%zu", a, b)
                         >= len)
        return "";
    return buf;
}


/* The smallest of 1, 2, 2.5, 5 times a power of ten at least X (X > 0). */
static double nice_ceil(double x)
{
    double p = pow(10, floor(log10(x)));
    static const double steps[] = { 1, 2, 2.5, 5, 10 };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (steps[i] * p >= x * (1 - 1e-12))
            return steps[i] * p;
    return 10 * p;
}

/* 1 when NAME can be part of a file name (variable names always can; this
 * guards against a hand-edited CSV naming ../something). */
static int name_ok(const char *name)
{
    if (!*name)
        return 0;
    for (const char *p = name; *p; p++)
        if (!(*p == '_' || *p == '-' || (*p >= 'a' && *p <= 'z')
              || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return 0;
    return 1;
}

/* ------------------------------------------------------------ step axis -- */

/* The labels of steps 0..T read from a timeseries.csv. */
typedef struct steps {
    const char **label; /* T + 1 labels, borrowed from the CSV (owned array) */
    size_t t;           /* last step */
} steps;

/* Reads the labels of the first variable of timeseries T (columns variable,
 * step, label at C[0..2]). 0, or -1 with a message. */
static int steps_read(const table *t, const size_t *c, steps *s, diag *d)
{
    size_t n = 0;
    s->label = NULL;
    s->t = 0;
    while (n < t->nrow && strcmp(cell(t, n, c[0]), cell(t, 0, c[0])) == 0)
        n++;
    if (n < 2) {
        diag_add(d, t->path, 0, NULL, "fewer than two steps to plot");
        return -1;
    }
    s->label = calloc(n, sizeof *s->label);
    if (!s->label) {
        diag_add(d, t->path, 0, NULL, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (num(t, i, c[1]) != (double)i) {
            diag_add(d, t->path, t->line[i], NULL,
                     "steps are not numbered 0, 1, 2, ...");
            free(s->label);
            s->label = NULL;
            return -1;
        }
        s->label[i] = cell(t, i, c[2]);
    }
    s->t = n - 1;
    return 0;
}

/* The unit of the step labels: 2025Q1 quarters, 2025-01 months, 2025
 * years, else bare step numbers. Sets *PERIOD to the steps in a year. */
static const char *steps_unit(const steps *s, unsigned *period)
{
    const char *l = s->label[s->t];
    size_t len = strlen(l);
    *period = 1;
    if (len == 6 && l[4] == 'Q') {
        *period = 4;
        return "Quarter";
    }
    if (len == 7 && l[4] == '-') {
        *period = 12;
        return "Month";
    }
    if (len == 4 && strtoul(l, NULL, 10) != s->t)
        return "Year";
    return "Step";
}

/* Writes the x axis of a plot over steps: every step a minor tic, and
 * labels far enough apart never to overlap (at most MAXLAB of them,
 * counted back from the last step so that it is always labelled; for
 * quarters and months a whole number of years apart when possible). */
static void gp_step_axis(FILE *f, const steps *s, unsigned maxlab)
{
    static const unsigned q[] = { 1, 2, 4, 8, 12, 20, 40, 80, 120, 200, 400 };
    static const unsigned m[] = { 1, 2, 3, 6, 12, 24, 36, 60, 120, 240, 600 };
    static const unsigned g[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000 };
    unsigned period;
    const char *unit = steps_unit(s, &period);
    const unsigned *cand = period == 4 ? q : period == 12 ? m : g;
    unsigned stride = cand[10];
    for (size_t i = 0; i < 11; i++)
        if (s->t / cand[i] + 1 <= maxlab) {
            stride = cand[i];
            break;
        }
    fprintf(f, "set xlabel '%s'\nset xrange [0:%zu]\nset xtics (", unit, s->t);
    for (size_t k = 0, i = s->t;; i--, k++) {
        fputs(k ? ", " : "", f);
        if (k % stride == 0) {
            gp_quote(f, s->label[i]);
            fprintf(f, " %zu", i);
        } else
            fprintf(f, "'' %zu 1", i);
        if (i == 0 || k > 2000)
            break;
    }
    fputs(")\n", f);
}


/* ------------------------------------------------- one scenario's plots -- */

/* Columns used of each result file. */
enum { S_VAR, S_KIND, S_MEAN, S_SE, S_P05, S_P95, S_PEVER, S_SEEVER,
       S_EVKIND, S_LABEL, S_UNIT, S_N };
static const char *const sum_cols[S_N] = { "variable", "kind", "mean", "se",
    "p05", "p95", "p_by_end", "p_by_end_se", "event_kind", "label", "unit" };
enum { T_VAR, T_STEP, T_PERIOD, T_MEAN, T_P05, T_P25, T_P50, T_P75, T_P95,
       T_N };
static const char *const ts_cols[T_N] = { "variable", "step", "period", "mean",
    "p05", "p25", "p50", "p75", "p95" };
enum { H_VAR, H_LO, H_HI, H_FRAC, H_N };
static const char *const hist_cols[H_N] = { "variable", "bin_lo", "bin_hi",
    "fraction" };
enum { E_VAR, E_STEP, E_PCUM, E_SECUM, E_N };
static const char *const ev_cols[E_N] = { "variable", "step", "p_cumulative",
    "se_cumulative" };

/* A scenario's result folder, read. */
typedef struct scen {
    table sum, ts, hist, ev;
    size_t sc[S_N], tc[T_N], hc[H_N], ec[E_N]; /* column indices */
    steps st;
    char *title;  /* the scenario's title (owned) */
} scen;

static void scen_free(scen *s)
{
    table_free(&s->sum);
    table_free(&s->ts);
    table_free(&s->hist);
    table_free(&s->ev);
    free(s->st.label);
    free(s->title);
}

/* The scenario's title from DIR/resolved.cfg, or the folder's name when
 * there is none (malloc'd; NULL when out of memory). */
static char *read_title(const char *dir)
{
    config_t cfg;
    const char *title = NULL;
    char *path = output_path(dir, "resolved.cfg"), *res = NULL;
    config_init(&cfg);
    if (path && config_read_file(&cfg, path) == CONFIG_TRUE)
        config_lookup_string(&cfg, "title", &title);
    if (!title) {
        const char *slash = strrchr(dir, '/');
        title = slash && slash[1] ? slash + 1 : dir;
    }
    res = strdup(title);
    config_destroy(&cfg);
    free(path);
    return res;
}

/* Reads the result folder DIR into S. HISTORY 0 skips what only a
 * scenario's own plots need (summary.csv and events.csv). 0, or -1 with
 * a message. */
static int scen_read(const char *dir, int history, scen *s, diag *d)
{
    memset(s, 0, sizeof *s);
    if (csv_read(dir, "timeseries.csv", &s->ts, d) != 0
        || csv_cols(&s->ts, ts_cols, T_N, s->tc, d) != 0
        || steps_read(&s->ts, s->tc, &s->st, d) != 0
        || csv_read(dir, "histograms.csv", &s->hist, d) != 0
        || csv_cols(&s->hist, hist_cols, H_N, s->hc, d) != 0)
        return -1;
    if (history
        && (csv_read(dir, "summary.csv", &s->sum, d) != 0
            || csv_cols(&s->sum, sum_cols, S_N, s->sc, d) != 0
            || csv_read(dir, "events.csv", &s->ev, d) != 0
            || csv_cols(&s->ev, ev_cols, E_N, s->ec, d) != 0))
        return -1;
    s->title = read_title(dir);
    if (!s->title) {
        diag_add(d, dir, 0, NULL, "out of memory");
        return -1;
    }
    return 0;
}

/* A variable's words for a reader: its label, or its name without one. */
static const char *var_label(const char *label, const char *name)
{
    return *label ? label : name;
}

/* `sel(C)`: column C of the rows of the plotted variable V, NaN elsewhere,
 * so that one file holding every variable can be plotted a variable at a
 * time. */
static void gp_select(FILE *f, const char *var)
{
    fputs("v = ", f);
    gp_quote(f, var);
    fputs("\nsel(c) = strcol(1) eq v ? column(c) : NaN\n", f);
}

/* A probability P with standard error SE to the ends of its 95% interval,
 * kept within [0, 1]. */
static const char gp_clip_fns[] =
    "z95 = " NCG_STR(NCG_Z95) "\n"
    "lo(p, se) = p - z95 * se < 0 ? 0 : p - z95 * se\n"
    "hi(p, se) = p + z95 * se > 1 ? 1 : p + z95 * se\n";

/* The fan chart of numeric output at summary row R: median, central 50%
 * and 90% bands and the mean over steps 0..T. COMPACT: a panel of the
 * overview (fewer tic labels, label on the y axis only). */
static void write_fan(FILE *f, const scen *s, size_t r, int compact)
{
    const char *var = cell(&s->sum, r, s->sc[S_VAR]);
    const char *label = var_label(cell(&s->sum, r, s->sc[S_LABEL]), var);
    const size_t c[] = { s->tc[T_P05], s->tc[T_P95], s->tc[T_MEAN] };
    double lo, hi;
    csv_range(&s->ts, var, c, 3, &lo, &hi);
    if (compact)
        gp_title(f, label, NULL);
    else
        gp_title(f, label, s->title);
    gp_step_axis(f, &s->st, compact ? 7 : 10);
    /* A panel is too narrow for the label again beside the title. */
    fputs("set ylabel ", f);
    if (compact)
        gp_quote(f, cell(&s->sum, r, s->sc[S_UNIT]));
    else
        gp_label_unit(f, label, cell(&s->sum, r, s->sc[S_UNIT]));
    fputs(" noenhanced\n", f);
    /* Room above and below so a line at the extreme is not hidden in the
     * border (a troop level that stays at its start). */
    fputs("set offsets 0, 0, graph 0.05, graph 0.05\n", f);
    double bmin, bmax;
    if (gp_unit_bounds(cell(&s->sum, r, s->sc[S_UNIT]), &bmin, &bmax))
        gp_bounded_range(f, "y", lo, hi, bmin, bmax);
    else
        gp_scale_range(f, "y", lo, hi);
    gp_select(f, var);
    char ev[64];
    const char *e = csv_every(&s->ts, var, ev, sizeof ev);
    fprintf(f, "plot 'timeseries.csv' skip 1%s using %zu:(sel(%zu)):(sel(%zu)) "
            "with filledcurves ls 24 fs transparent solid ncg_band90 "
            "title '90%% of trials', \\\n"
            "  '' skip 1%s using %zu:(sel(%zu)):(sel(%zu)) with filledcurves "
            "ls 23 fs transparent solid ncg_band50 title '50%%', \\\n"
            "  '' skip 1%s using %zu:(sel(%zu)) with lines ls 21 title 'median', \\\n"
            "  '' skip 1%s using %zu:(sel(%zu)) with lines ls 22 title 'mean'\n",
            e, s->tc[T_STEP] + 1, s->tc[T_P05] + 1, s->tc[T_P95] + 1,
            e, s->tc[T_STEP] + 1, s->tc[T_P25] + 1, s->tc[T_P75] + 1,
            e, s->tc[T_STEP] + 1, s->tc[T_P50] + 1,
            e, s->tc[T_STEP] + 1, s->tc[T_MEAN] + 1);
}

/* The histogram of numeric output at summary row R at the last step, with
 * the mean and the 5-95% range marked and given in the key. */
static void write_dist(FILE *f, const scen *s, size_t r)
{
    const char *var = cell(&s->sum, r, s->sc[S_VAR]);
    const char *label = var_label(cell(&s->sum, r, s->sc[S_LABEL]), var);
    double mean = num(&s->sum, r, s->sc[S_MEAN]);
    double se = num(&s->sum, r, s->sc[S_SE]);
    double p05 = num(&s->sum, r, s->sc[S_P05]);
    double p95 = num(&s->sum, r, s->sc[S_P95]);
    double lo = INFINITY, hi = -INFINITY, gap = INFINITY, prev = NAN;
    double top = 0;
    int single = 1;
    char a[32], b[32], m[32], first[512];
    /* Bins of one value (counts, integers) are drawn as bars 0.8 of the
     * smallest gap wide; bins of a range fill it. */
    for (size_t i = 0; i < s->hist.nrow; i++) {
        if (strcmp(cell(&s->hist, i, s->hc[H_VAR]), var) != 0)
            continue;
        double l = num(&s->hist, i, s->hc[H_LO]);
        double h = num(&s->hist, i, s->hc[H_HI]);
        lo = fmin(lo, l);
        hi = fmax(hi, h);
        top = fmax(top, num(&s->hist, i, s->hc[H_FRAC]));
        single &= l == h;
        if (l == h && isfinite(prev) && l - prev < gap)
            gap = l - prev;
        prev = h;
    }
    if (!isfinite(gap))
        gap = fabs(lo) > 0 ? fabs(lo) * 0.1 : 1;
    snprintf(first, sizeof first, "%s in %s", label, s->st.label[s->st.t]);
    gp_title(f, first, s->title);
    fputs("set xlabel ", f);
    gp_label_unit(f, label, cell(&s->sum, r, s->sc[S_UNIT]));
    fputs(" noenhanced\nset ylabel 'Share of trials (%)'\nset yrange [0:*]\n", f);
    gp_axis_format(f, "y", 0, 100 * top);
    if (single) {
        fprintf(f, "set xrange [%.10g:%.10g]\n", lo - gap, hi + gap);
        gp_axis_format(f, "x", lo - gap, hi + gap);
    } else
        gp_flat_range(f, "x", lo, hi);
    /* The key's figures rounded to what the mean's standard error
     * supports, the quantiles to the same decimals. */
    int dec = numfmt_decimals(mean, se);
    numfmt_fixed(m, sizeof m, mean, dec, 0);
    numfmt_fixed(a, sizeof a, p05, dec, 0);
    numfmt_fixed(b, sizeof b, p95, dec, 0);
    if (p95 > p05)
        fprintf(f, "set object 1 rect from %.10g, graph 0 to %.10g, graph 1 "
                "behind fc ls 27 fs transparent solid 0.25 noborder\n", p05, p95);
    else
        fprintf(f, "set arrow 2 from %.10g, graph 0 to %.10g, graph 1 nohead "
                "ls 27 lw 6 back\n", p05, p05);
    fprintf(f, "set arrow 1 from %.10g, graph 0 to %.10g, graph 1 nohead "
            "ls 26 front\n", mean, mean);
    gp_select(f, var);
    char ev[64];
    fprintf(f, "bw = %.10g\n"
            "plot 'histograms.csv' skip 1%s using ((sel(%zu) + sel(%zu)) / 2):"
            "(100 * sel(%zu)):($%zu > $%zu ? $%zu - $%zu : bw) with boxes ls 25, "
            "\\\n"
            "  keyentry with lines ls 26 title 'mean %s', \\\n",
            gap * 0.8, csv_every(&s->hist, var, ev, sizeof ev),
            s->hc[H_LO] + 1, s->hc[H_HI] + 1, s->hc[H_FRAC] + 1,
            s->hc[H_HI] + 1, s->hc[H_LO] + 1, s->hc[H_HI] + 1,
            s->hc[H_LO] + 1, m);
    if (p95 > p05)
        fprintf(f, "  keyentry with boxes ls 27 fs transparent solid 0.25 "
                "title '5–95%%: %s to %s'\n", a, b);
    else
        fprintf(f, "  keyentry with lines ls 27 lw 6 title '5–95%%: all %s'\n",
                a);
}

/* The probability that the event at summary row R has happened by each
 * step with its 95% interval, and for events that can end or recur the
 * probability of being 1 at each step. */
static void write_event(FILE *f, const scen *s, size_t r)
{
    const char *var = cell(&s->sum, r, s->sc[S_VAR]);
    const char *kind = cell(&s->sum, r, s->sc[S_EVKIND]);
    const size_t c[] = { s->ec[E_PCUM] };
    double lo, hi, se_lo, se_hi;
    int absorbing = strcmp(kind, "absorbing") == 0;
    csv_range(&s->ev, var, c, 1, &lo, &hi);
    csv_range(&s->ev, var, &s->ec[E_SECUM], 1, &se_lo, &se_hi);
    gp_title(f, var_label(cell(&s->sum, r, s->sc[S_LABEL]), var), s->title);
    gp_step_axis(f, &s->st, 10);
    fputs("set ylabel 'Probability'\n", f);
    if (!(hi > 0)) {
        /* Nothing to see but the axis: say so rather than leave it blank. */
        fputs("set yrange [0:1]\nset label 1 'did not happen in any trial' "
              "at graph 0.5, 0.5 center\n", f);
        gp_axis_format(f, "y", 0, 1);
    } else {
        double top = fmin(1, nice_ceil(1.1 * (hi + NCG_Z95 * fmax(se_hi, 0))));
        fprintf(f, "set yrange [0:%.10g]\n", top);
        gp_axis_format(f, "y", 0, top);
    }
    gp_select(f, var);
    char ev[64];
    const char *e = csv_every(&s->ev, var, ev, sizeof ev);
    fprintf(f, "%s"
            "plot 'events.csv' skip 1%s using %zu:(lo(sel(%zu), sel(%zu))):"
            "(hi(sel(%zu), sel(%zu))) with filledcurves ls 29 fs transparent "
            "solid 0.4 title '95%% interval', \\\n"
            "  '' skip 1%s using %zu:(sel(%zu)) with lines ls 28 title "
            "'has happened by then'", gp_clip_fns,
            e, s->ec[E_STEP] + 1, s->ec[E_PCUM] + 1, s->ec[E_SECUM] + 1,
            s->ec[E_PCUM] + 1, s->ec[E_SECUM] + 1,
            e, s->ec[E_STEP] + 1, s->ec[E_PCUM] + 1);
    if (!absorbing)
        fprintf(f, ", \\\n  'timeseries.csv' skip 1%s using %zu:(sel(%zu)) "
                "with lines ls 22 title '%s'",
                csv_every(&s->ts, var, ev, sizeof ev),
                s->tc[T_STEP] + 1, s->tc[T_MEAN] + 1,
                strcmp(kind, "recurrent") == 0 ? "happens in that step"
                                               : "in effect in that step");
    fputc('\n', f);
}

/* `FN(s)`: the position 1, 2, ... of s among the N names at ROWS of
 * column C of T, NaN for any other name, so that a plot of a file's rows
 * puts each where it belongs and skips the rest. The first is at the top.
 * With LC (not SIZE_MAX) the y tics name them with column LC (labels). */
static void gp_rows_axis(FILE *f, const char *fn, const table *t,
                         const size_t *rows, size_t n, size_t c, size_t lc)
{
    fprintf(f, "%s(s) = ", fn);
    for (size_t i = 0; i < n; i++) {
        fputs("s eq ", f);
        gp_quote(f, cell(t, rows[i], c));
        fprintf(f, " ? %zu : ", i + 1);
    }
    fprintf(f, "NaN\nset yrange [%g:0.5]\nset grid noytics\n", (double)n + 0.5);
    if (lc == SIZE_MAX) {
        fputs("unset ytics\n", f);
        return;
    }
    fputs("set ytics (", f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", " : "", f);
        gp_quote(f, var_label(cell(t, rows[i], lc), cell(t, rows[i], c)));
        fprintf(f, " %zu", i + 1);
    }
    fputs(") noenhanced\n", f);
}

/* Horizontal bars: the probability that each event happened at some step,
 * with its 95% interval and its value (an overview panel). Each label is
 * written above its bar rather than beside the axis, where long labels
 * would leave the bars no room. */
static void write_events_bars(FILE *f, const scen *s, const size_t *rows,
                              size_t n)
{
    char first[128];
    size_t pe = s->sc[S_PEVER] + 1, se = s->sc[S_SEEVER] + 1;
    size_t lab = s->sc[S_LABEL] + 1;
    snprintf(first, sizeof first, "Probability that each event happened by %s",
             s->st.label[s->st.t]);
    gp_title(f, first, NULL);
    gp_rows_axis(f, "ev", &s->sum, rows, n, s->sc[S_VAR], SIZE_MAX);
    fprintf(f, "set xlabel 'Probability (lines: 95%% interval)'\n"
            "set xrange [0:1]\nset format x '%%.1f'\nset key off\n%s"
            "name(s) = strcol(%zu) eq '' ? strcol(1) : strcol(%zu)\n"
            "%s"
            "plot 'summary.csv' skip 1 using ($%zu / 2):(ev(strcol(1)) + 0.18):"
            "($%zu / 2):(0.17) with boxxyerror ls 27, \\\n"
            "  '' skip 1 using %zu:(ev(strcol(1)) + 0.18):(lo($%zu, $%zu)):"
            "(hi($%zu, $%zu)) with xerrorbars ls 28 pt 7 ps 0.5, \\\n"
            "  '' skip 1 using (0):(ev(strcol(1)) - 0.2):(name(0)) with labels "
            "left offset 0.3, 0 noenhanced, \\\n"
            "  '' skip 1 using (hi($%zu, $%zu)):(ev(strcol(1)) + 0.18):"
            "(fixed($%zu, $%zu)) with labels left offset 0.5, 0\n",
            gp_clip_fns, lab, lab, gp_fixed_fn, pe, pe, pe, pe, se, pe, se, pe,
            se, pe, se);
}

/* One page: fans of the first numeric outputs and the events' bars. */
static void write_overview(FILE *f, const scen *s, const size_t *num_rows,
                           size_t n_num, const size_t *ev_rows, size_t n_ev)
{
    size_t panels = n_num + (n_ev > 0);
    size_t fans = n_num;
    if (panels > 6) {
        panels = 6;
        fans = n_ev > 0 ? 5 : 6;
    }
    size_t cols = panels <= 1 ? 1 : panels <= 4 ? 2 : 3;
    size_t rows = (panels + cols - 1) / cols;
    fputs("set multiplot layout ", f);
    fprintf(f, "%zu,%zu title ", rows, cols);
    gp_quote_max(f, s->title, GP_TITLE_MAX * 4 / 3); /* a wider page */
    fputs(" noenhanced font ',15'\n", f);
    for (size_t i = 0; i < fans; i++) {
        write_fan(f, s, num_rows[i], 1);
        fputs("set autoscale y\n", f); /* a flat panel's range */
    }
    /* Undo the fans' step axis for the bars. */
    fputs("set xtics autofreq\nunset ylabel\nset offsets 0, 0, 0, 0\n", f);
    if (n_ev > 0)
        write_events_bars(f, s, ev_rows, n_ev);
    fputs("unset multiplot\n", f);
}

/* The tic formats of PARAM's panel of the posterior chart: its x axis
 * over the bins of posterior_density.csv T (param, which, x_lo, x_hi,
 * density), its y axis from 0 to the highest density. */
static void posterior_axes(FILE *f, const table *t, const char *param)
{
    double lo = INFINITY, hi = -INFINITY, top = 0;
    for (size_t i = 0; i < t->nrow; i++)
        if (t->ncol >= 5 && strcmp(cell(t, i, 0), param) == 0) {
            lo = fmin(lo, num(t, i, 2));
            hi = fmax(hi, num(t, i, 3));
            top = fmax(top, num(t, i, 4));
        }
    gp_axis_format(f, "x", lo, hi);
    gp_axis_format(f, "y", 0, top);
}

/* posterior.png of a conditioned run's folder (posterior.csv and
 * posterior_density.csv, see io/posterior.h): prior and posterior density
 * of the most moved params, one panel each. Nothing when the folder has
 * no posterior_density.csv. */
static void posterior_script(gp_job *j)
{
    table post;
    char *path = output_path(j->dir, "posterior_density.csv");
    struct stat st;
    int there = path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
    free(path);
    if (!there || csv_read(j->dir, "posterior.csv", &post, j->d) != 0) {
        j->failed |= there;
        return;
    }
    table dens;
    if (csv_read(j->dir, "posterior_density.csv", &dens, j->d) != 0) {
        j->failed = 1;
        table_free(&post);
        return;
    }
    size_t n = post.nrow > 4 ? 4 : post.nrow;
    FILE *f = n ? gp_script_open(j, "posterior", "what the record taught: prior "
                              "and posterior of the most moved params",
                              PLOT_W, PLOT_H) : NULL;
    if (f) {
        fprintf(f, "set multiplot layout %zu,%zu title 'What the record "
                "taught: prior (grey) and conditioned (orange) densities' "
                "noenhanced\nset key off\nset ylabel 'density'\n"
                "sel2(c) = (strcol(1) eq v && strcol(2) eq w) ? column(c) : "
                "NaN\nset yrange [0:*]\n", n > 2 ? (size_t)2 : (size_t)1,
                n > 1 ? (size_t)2 : (size_t)1);
        for (size_t r = 0; r < n; r++) {
            char moved[32];
            numfmt_fixed(moved, sizeof moved, num(&post, r, 1), 2, 0);
            fputs("v = ", f);
            gp_quote(f, cell(&post, r, 0));
            fputs("\nset title ", f);
            gp_quote(f, cell(&post, r, 0));
            fprintf(f, " . ' (moved %s prior sd)'\nset xlabel ", moved);
            gp_quote(f, cell(&post, r, 0));
            fputc('\n', f);
            posterior_axes(f, &dens, cell(&post, r, 0));
            fputs("plot w = 'prior', 'posterior_density.csv' skip 1 using "
                  "((sel2(3) + sel2(4)) / 2):(sel2(5)):(sel2(4) - sel2(3)) "
                  "with boxes fs transparent solid 0.45 lc rgb '#999999', "
                  "\\\n"
                  "  w = 'posterior', 'posterior_density.csv' skip 1 using "
                  "((sel2(3) + sel2(4)) / 2):(sel2(5)):(sel2(4) - sel2(3)) "
                  "with boxes fs transparent solid 0.30 border lc rgb "
                  "'#D55E00' lc rgb '#D55E00'\n", f);
        }
        fputs("unset multiplot\n", f);
        gp_script_close(j, f, "posterior");
    }
    table_free(&dens);
    table_free(&post);
}

/* Writes every script of the scenario S in J: charts of their own for the
 * first CAP variables (*SKIPPED: how many more were left out). */
static void scen_scripts(gp_job *j, const scen *s, size_t cap,
                         size_t *skipped)
{
    size_t n = s->sum.nrow, n_num = 0, n_ev = 0;
    size_t *num_rows = calloc(n + 1, sizeof *num_rows);
    size_t *ev_rows = calloc(n + 1, sizeof *ev_rows);
    char stem[300];
    if (!num_rows || !ev_rows) {
        diag_add(j->d, j->dir, 0, NULL, "out of memory");
        j->failed = 1;
        goto end;
    }
    for (size_t r = 0; r < n; r++) {
        const char *var = cell(&s->sum, r, s->sc[S_VAR]);
        int event = strcmp(cell(&s->sum, r, s->sc[S_KIND]), "event") == 0;
        if (!name_ok(var)) {
            diag_add(j->d, s->sum.path, s->sum.line[r], NULL,
                     "'%s' is not a variable name", var);
            j->failed = 1;
            goto end;
        }
        if (event)
            ev_rows[n_ev++] = r;
        else
            num_rows[n_num++] = r;
    }
    /* Charts of their own for the first CAP variables, numbers first; the
     * overview still shows them all. */
    size_t own_num = n_num < cap ? n_num : cap;
    size_t own_ev = n_ev < cap - own_num ? n_ev : cap - own_num;
    *skipped = n_num + n_ev - own_num - own_ev;
    for (size_t i = 0; i < own_num && !j->failed; i++) {
        const char *var = cell(&s->sum, num_rows[i], s->sc[S_VAR]);
        FILE *f;
        snprintf(stem, sizeof stem, "dist_%s", var);
        if ((f = gp_script_open(j, stem, "distribution at the last step",
                             PLOT_W, PLOT_H))) {
            write_dist(f, s, num_rows[i]);
            gp_script_close(j, f, stem);
        }
        snprintf(stem, sizeof stem, "fan_%s", var);
        if ((f = gp_script_open(j, stem, "median and central 50% and 90% over "
                             "time", PLOT_W, PLOT_H))) {
            write_fan(f, s, num_rows[i], 0);
            gp_script_close(j, f, stem);
        }
    }
    for (size_t i = 0; i < own_ev && !j->failed; i++) {
        FILE *f;
        snprintf(stem, sizeof stem, "event_%s",
                 cell(&s->sum, ev_rows[i], s->sc[S_VAR]));
        if ((f = gp_script_open(j, stem, "probability that the event has "
                             "happened, over time", PLOT_W, PLOT_H))) {
            write_event(f, s, ev_rows[i]);
            gp_script_close(j, f, stem);
        }
    }
    if (!j->failed && n_num + n_ev > 0) {
        FILE *f = gp_script_open(j, "overview", "the main outputs on one page",
                              OVERVIEW_W, OVERVIEW_H);
        if (f) {
            write_overview(f, s, num_rows, n_num, ev_rows, n_ev);
            gp_script_close(j, f, "overview");
        }
    }
    if (!j->failed)
        posterior_script(j);
end:
    free(num_rows);
    free(ev_rows);
}

int plot_format_ok(const char *format)
{
    return format && (strcmp(format, "png") == 0 || strcmp(format, "svg") == 0
                      || strcmp(format, "pdf") == 0);
}

/* ------------------------------------------------------ the comparison -- */

/* The headline figures of compare.csv: the mean of a quantity (C_MEAN ..
 * C_DHI) and, C_FIG further on, an event's probability of having
 * happened by the end. */
enum { C_VAR, C_KIND, C_SC, C_MEAN, C_LO, C_HI, C_DIFF, C_DLO, C_DHI,
       C_PEND, C_PLO, C_PHI, C_PDIFF, C_PDLO, C_PDHI,
       C_PAIRED, C_LABEL, C_UNIT, C_N };
#define C_FIG(event) ((event) ? (size_t)(C_PEND - C_MEAN) : 0)
static const char *const cmp_cols[C_N] = { "variable", "kind", "scenario",
    "mean", "mean_lo95", "mean_hi95", "mean_diff", "mean_diff_lo95",
    "mean_diff_hi95", "p_by_end", "p_by_end_lo95", "p_by_end_hi95",
    "p_by_end_diff", "p_by_end_diff_lo95", "p_by_end_diff_hi95", "paired",
    "label", "unit" };
enum { L_SC, L_TITLE, L_FOLDER, L_N };
static const char *const list_cols[L_N] = { "scenario", "title", "folder" };

/* A comparison folder, read, with the results of every scenario in it. */
typedef struct cmp {
    table cmp, list;
    size_t cc[C_N], lc[L_N];
    size_t n;       /* scenarios (rows 1..n of LIST), the reference first */
    scen *sc;       /* their timeseries and histograms (owned, N) */
    size_t *lrows;  /* 0..n-1: the rows of LIST, for gp_rows_axis (owned) */
    size_t longest; /* the scenario with the most steps (its step axis) */
} cmp;

static void cmp_free(cmp *c)
{
    for (size_t i = 0; c->sc && i < c->n; i++)
        scen_free(&c->sc[i]);
    free(c->sc);
    free(c->lrows);
    table_free(&c->cmp);
    table_free(&c->list);
}

/* Reads DIR/compare.csv, DIR/scenarios.csv and each scenario's folder.
 * 0, or -1 with a message. */
static int cmp_read(const char *dir, cmp *c, diag *d)
{
    memset(c, 0, sizeof *c);
    if (csv_read(dir, "compare.csv", &c->cmp, d) != 0
        || csv_cols(&c->cmp, cmp_cols, C_N, c->cc, d) != 0
        || csv_read(dir, "scenarios.csv", &c->list, d) != 0
        || csv_cols(&c->list, list_cols, L_N, c->lc, d) != 0)
        return -1;
    c->n = c->list.nrow;
    if (c->n == 0) {
        diag_add(d, c->list.path, 0, NULL, "no scenario to compare");
        return -1;
    }
    c->sc = calloc(c->n, sizeof *c->sc);
    c->lrows = calloc(c->n, sizeof *c->lrows);
    if (!c->sc || !c->lrows) {
        diag_add(d, dir, 0, NULL, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < c->n; i++) {
        const char *rel = cell(&c->list, i, c->lc[L_FOLDER]);
        /* Relative to the comparison, or absolute (nothing shared). */
        char *folder = rel[0] == '/' ? strdup(rel) : output_path(dir, rel);
        int rc = folder ? scen_read(folder, 0, &c->sc[i], d) : -1;
        free(folder);
        if (rc != 0)
            return -1;
        c->lrows[i] = i;
        if (c->sc[i].st.t > c->sc[c->longest].st.t)
            c->longest = i;
    }
    return 0;
}

/* Scenario I's name. */
static const char *cmp_name(const cmp *c, size_t i)
{
    return cell(&c->list, i, c->lc[L_SC]);
}

/* Writes the file name of scenario I's result file NAME as a gnuplot
 * string: the folder in scenarios.csv is relative to the comparison. */
static void gp_scen_file(FILE *f, const cmp *c, size_t i, const char *name)
{
    char *p = output_path(cell(&c->list, i, c->lc[L_FOLDER]), name);
    gp_quote(f, p ? p : name);
    free(p);
}

/* A CDF as the points of its line: X ascending (a jump is two points at
 * one x), Y in percent. */
typedef struct cdf_line {
    double *x, *y; /* N points each (owned) */
    size_t n;
} cdf_line;

/* Y of line L at X: linear between its points, the value after a jump at
 * a jump's x, 0 before its first point and 100 after its last. */
static double cdf_at(const cdf_line *l, double x)
{
    size_t k = 0;
    if (l->n == 0 || x < l->x[0])
        return 0;
    while (k + 1 < l->n && l->x[k + 1] <= x)
        k++;
    if (k + 1 == l->n)
        return l->y[k];
    double w = l->x[k + 1] - l->x[k];
    return w > 0 ? l->y[k] + (l->y[k + 1] - l->y[k]) * (x - l->x[k]) / w
                 : l->y[k];
}

/* The largest vertical distance between lines A and B, in percentage
 * points, over the points of both. */
static double cdf_distance(const cdf_line *a, const cdf_line *b)
{
    double d = 0;
    for (size_t k = 0; k < a->n; k++)
        d = fmax(d, fabs(a->y[k] - cdf_at(b, a->x[k])));
    for (size_t k = 0; k < b->n; k++)
        d = fmax(d, fabs(b->y[k] - cdf_at(a, b->x[k])));
    return d;
}

/* Scenario S's CDF of VAR from its histogram: the cumulative share at
 * each bin's upper end, a vertical jump at a bin of a single value, from
 * 0 at XLO to 100 at XHI. 0, or -1 when out of memory. */
static int cdf_build(const scen *s, const char *var, double xlo, double xhi,
                     cdf_line *l)
{
    size_t cap = 2 * s->hist.nrow + 4;
    double cum = 0;
    l->n = 0;
    l->x = malloc(cap * sizeof *l->x);
    l->y = malloc(cap * sizeof *l->y);
    if (!l->x || !l->y)
        return -1;
#define CDF_PUT(X, Y) (l->x[l->n] = (X), l->y[l->n++] = (Y))
    CDF_PUT(xlo, 0);
    for (size_t k = 0; k < s->hist.nrow; k++) {
        if (strcmp(cell(&s->hist, k, s->hc[H_VAR]), var) != 0)
            continue;
        double lo = num(&s->hist, k, s->hc[H_LO]);
        double hi = num(&s->hist, k, s->hc[H_HI]);
        if (lo == hi)
            CDF_PUT(lo, 100 * cum);
        else if (cum == 0)
            CDF_PUT(lo, 0);
        cum += num(&s->hist, k, s->hc[H_FRAC]);
        CDF_PUT(hi, 100 * fmin(cum, 1));
    }
    CDF_PUT(xhi, 100);
#undef CDF_PUT
    return 0;
}

/* Two CDFs closer than this many percentage points everywhere are one
 * line to the eye: the key says so rather than hide one under the other. */
#define CDF_SAME_POINTS 1.0

/* Dash patterns that tell CDFs apart in greyscale, by scenario. */
static const char *const cdf_dashes[] = { "solid", "(10,5)", "(3,4)",
    "(12,4,3,4)", "(6,3,6,3,2,3)", "(2,2)", "(16,6)", "(8,3,2,3,2,3)",
    "(4,6)" };

/* The CDF of variable VAR of each scenario at the last step, as inline
 * data (comma-separated like the files). Lines that lie on one another
 * stay visible: each scenario has its own colour and dash pattern, later
 * ones are drawn thinner on top of earlier ones, and the key names the
 * earlier scenario a line is (within CDF_SAME_POINTS) the same as. */
static void write_cdf(FILE *f, const cmp *c, const char *var,
                      const char *title, size_t r)
{
    double xlo = INFINITY, xhi = -INFINITY;
    cdf_line *lines = calloc(c->n, sizeof *lines);
    if (!lines)
        return;
    for (size_t i = 0; i < c->n; i++) {
        double lo, hi;
        const size_t *hc = c->sc[i].hc;
        const size_t cols[] = { hc[H_LO], hc[H_HI] };
        csv_range(&c->sc[i].hist, var, cols, 2, &lo, &hi);
        xlo = fmin(xlo, lo);
        xhi = fmax(xhi, hi);
    }
    if (!(xlo < xhi) && isfinite(xlo)) {
        double pad = fabs(xlo) > 0 ? fabs(xlo) * 0.1 : 1;
        xlo -= pad;
        xhi += pad;
    }
    for (size_t i = 0; i < c->n; i++) {
        if (cdf_build(&c->sc[i], var, xlo, xhi, &lines[i]) != 0)
            goto end;
        fprintf(f, "$cdf%zu << EOD\n", i);
        for (size_t k = 0; k < lines[i].n; k++)
            fprintf(f, "%.10g,%.10g\n", lines[i].x[k], lines[i].y[k]);
        fputs("EOD\n", f);
    }
    gp_title(f, title, "Distribution at the last step by scenario "
             "(later scenarios drawn thinner, on top)");
    fputs("set xlabel ", f);
    gp_label_unit(f, var_label(cell(&c->cmp, r, c->cc[C_LABEL]), var),
                  cell(&c->cmp, r, c->cc[C_UNIT]));
    fprintf(f, " noenhanced\nset ylabel 'Share of trials at or below (%%)'\n"
            "set yrange [0:100]\nset format y '%%.0f'\n"
            /* A CDF leaves its upper left empty: room for the key, one
             * column of every scenario (two past sixteen). */
            "set key inside left top vertical maxrows %zu spacing 1\n"
            "set xrange [%.10g:%.10g]\n", c->n > 16 ? (c->n + 1) / 2 : c->n,
            xlo, xhi);
    gp_axis_format(f, "x", xlo, xhi);
    fputs("plot ", f);
    for (size_t i = 0; i < c->n; i++) {
        size_t same = i, nd = sizeof cdf_dashes / sizeof *cdf_dashes;
        double best = CDF_SAME_POINTS;
        for (size_t j = 0; j < i; j++) {
            double dist = cdf_distance(&lines[i], &lines[j]);
            if (dist < best) {
                best = dist;
                same = j;
            }
        }
        double lw = c->n > 1 ? 3.5 - 2.3 * (double)i / (double)(c->n - 1) : 2;
        fprintf(f, "%s$cdf%zu using 1:2 with lines lt %zu dt %s lw %.2f "
                "title ", i ? ", \\\n  " : "", i, i + 1, cdf_dashes[i % nd], lw);
        if (same == i)
            gp_quote(f, cmp_name(c, i));
        else {
            char key[400];
            if (best == 0)
                snprintf(key, sizeof key, "%s (same as %s)", cmp_name(c, i),
                         cmp_name(c, same));
            else
                snprintf(key, sizeof key, "%s (within %g percentage point of %s)",
                         cmp_name(c, i), CDF_SAME_POINTS, cmp_name(c, same));
            gp_quote(f, key);
        }
        fputs(" noenhanced", f);
    }
    fputc('\n', f);
end:
    for (size_t i = 0; i < c->n; i++) {
        free(lines[i].x);
        free(lines[i].y);
    }
    free(lines);
}

/* The median and central 50% of VAR over time, one colour per scenario. */
static void write_cmp_fan(FILE *f, const cmp *c, const char *var,
                          const char *title, size_t r)
{
    double ylo = INFINITY, yhi = -INFINITY;
    gp_title(f, title, "By scenario: median (with points), mean (thin "
             "dashes), central 50% of trials shaded");
    gp_step_axis(f, &c->sc[c->longest].st, 10);
    fputs("set ylabel ", f);
    gp_label_unit(f, var_label(cell(&c->cmp, r, c->cc[C_LABEL]), var),
                  cell(&c->cmp, r, c->cc[C_UNIT]));
    fputs(" noenhanced\nset offsets 0, 0, graph 0.05, graph 0.05\n", f);
    for (size_t i = 0; i < c->n; i++) {
        double lo, hi;
        const size_t *tc = c->sc[i].tc;
        const size_t cols[] = { tc[T_P25], tc[T_P75], tc[T_P50],
                                tc[T_MEAN] };
        csv_range(&c->sc[i].ts, var, cols, 4, &lo, &hi);
        ylo = fmin(ylo, lo);
        yhi = fmax(yhi, hi);
    }
    double bmin, bmax;
    if (gp_unit_bounds(cell(&c->cmp, r, c->cc[C_UNIT]), &bmin, &bmax))
        gp_bounded_range(f, "y", ylo, yhi, bmin, bmax);
    else
        gp_scale_range(f, "y", ylo, yhi);
    gp_select(f, var);
    char ev[64];
    /* Every band before any line, so that no band hides a median. */
    fputs("plot ", f);
    for (size_t i = 0; i < c->n; i++) {
        const size_t *tc = c->sc[i].tc;
        fputs(i ? ", \\\n  " : "", f);
        gp_scen_file(f, c, i, "timeseries.csv");
        fprintf(f, " skip 1%s using %zu:(sel(%zu)):(sel(%zu)) with "
                "filledcurves lt %zu fs transparent solid ncg_band_compare",
                csv_every(&c->sc[i].ts, var, ev, sizeof ev),
                tc[T_STEP] + 1, tc[T_P25] + 1, tc[T_P75] + 1, i + 1);
    }
    for (size_t i = 0; i < c->n; i++) {
        const size_t *tc = c->sc[i].tc;
        fputs(", \\\n  ", f);
        gp_scen_file(f, c, i, "timeseries.csv");
        /* Points (every few steps, shifted per scenario) tell apart
         * medians that lie on one another. */
        fprintf(f, " skip 1%s using %zu:(sel(%zu)) with linespoints lt %zu "
                "pt %zu pi %zu title ",
                csv_every(&c->sc[i].ts, var, ev, sizeof ev), tc[T_STEP] + 1,
                tc[T_P50] + 1, i + 1, i % 13 + 1, c->n + 2);
        gp_quote(f, cmp_name(c, i));
        fputs(" noenhanced", f);
    }
    /* Means: where medians coincide (a troop level most trials never
     * leave), the means still show how the scenarios differ. */
    for (size_t i = 0; i < c->n; i++) {
        const size_t *tc = c->sc[i].tc;
        fputs(", \\\n  ", f);
        gp_scen_file(f, c, i, "timeseries.csv");
        fprintf(f, " skip 1%s using %zu:(sel(%zu)) with lines lt %zu dt 2 "
                "lw 1 notitle", csv_every(&c->sc[i].ts, var, ev, sizeof ev),
                tc[T_STEP] + 1, tc[T_MEAN] + 1, i + 1);
    }
    fputc('\n', f);
}

/* The difference of VAR from the reference in every other scenario, with
 * its 95% interval, one row per scenario. */
static void write_diff(FILE *f, const cmp *c, const char *var,
                       const char *title, size_t r, int event)
{
    const size_t *cc = c->cc;
    const size_t b = C_FIG(event);
    const size_t cols[] = { cc[C_DLO + b], cc[C_DHI + b] };
    double lo, hi;
    char second[300];
    csv_range(&c->cmp, var, cols, 2, &lo, &hi);
    snprintf(second, sizeof second, "Difference from %s in %s, with its "
             "%s95%% interval", cmp_name(c, 0), event ? "P(happened by the "
             "end)" : "the mean at the last step",
             strcmp(cell(&c->cmp, r, cc[C_PAIRED]), "1") == 0 ? "paired " : "");
    gp_title(f, title, second);
    /* Row 1 of the axis would be the reference, always 0: leave it out. */
    gp_rows_axis(f, "sc", &c->list, c->lrows + 1, c->n - 1, c->lc[L_SC],
                 c->lc[L_SC]);
    fputs("set xlabel 'Difference from ' . ", f);
    gp_quote(f, cmp_name(c, 0));
    if (event)
        fputs(" . ' in probability'", f);
    else if (*cell(&c->cmp, r, cc[C_UNIT])) {
        fputs(" . ' (' . ", f);
        gp_quote(f, cell(&c->cmp, r, cc[C_UNIT]));
        fputs(" . ')'", f);
    }
    fputs(" noenhanced\n", f);
    if (!(hi > lo) && isfinite(lo))
        fprintf(f, "set xrange [%g:%g]\n", event ? -0.01 : -1.0,
                event ? 0.01 : 1.0);
    /* Fixed notation with the decimals the spread of the numbers needs
     * (never 5e-05); each figure beside its point is rounded to its own
     * Monte Carlo error (the 95% interval's half-width / 1.96). */
    fprintf(f, "set format x '%%.%df'\n",
            hi > lo ? numfmt_tic_decimals((hi - lo) / 6) : 2);
    fputs(gp_fixed_fn, f);
    fputs("set offsets graph 0.05, graph 0.05, 0, 0\nset key off\n"
          "set arrow 1 from 0, graph 0 to 0, graph 1 nohead ls 30 back\n", f);
    gp_select(f, var);
    fprintf(f, "plot 'compare.csv' skip 1 using (sel(%zu)):(sc(strcol(%zu))):"
            "(sel(%zu)):(sel(%zu)):(sc(strcol(%zu)) + 1) with xerrorbars lc variable pt 7 "
            "ps 1.3 lw 2, \\\n  '' skip 1 using (sel(%zu)):(sc(strcol(%zu))):"
            "(sprintf(sprintf('%%%%+.%%df', fixed_dec($%zu, ($%zu - $%zu) / "
            "(2 * %.17g))), $%zu)) with labels offset 0, 1 noenhanced\n",
            cc[C_DIFF + b] + 1, cc[C_SC] + 1, cc[C_DLO + b] + 1,
            cc[C_DHI + b] + 1, cc[C_SC] + 1, cc[C_DIFF + b] + 1, cc[C_SC] + 1,
            cc[C_DIFF + b] + 1, cc[C_DHI + b] + 1, cc[C_DLO + b] + 1,
            NCG_Z95, cc[C_DIFF + b] + 1);
}

/* Every event's probability at the last step in every scenario, with its
 * 95% interval: a row of points per event, one colour per scenario. */
static void write_cmp_events(FILE *f, const cmp *c, const size_t *rows,
                             size_t n)
{
    const size_t *cc = c->cc;
    char first[128];
    double xmax = 0;
    for (size_t i = 0; i < n; i++) {
        double lo, hi;
        csv_range(&c->cmp, cell(&c->cmp, rows[i], cc[C_VAR]), &cc[C_PHI], 1,
                  &lo, &hi);
        xmax = fmax(xmax, hi);
    }
    xmax = xmax > 0 ? fmin(1, nice_ceil(xmax * 1.05)) : 1;
    snprintf(first, sizeof first, "Probability that each event happened by "
             "%s, by scenario",
             c->sc[c->longest].st.label[c->sc[c->longest].st.t]);
    gp_title(f, first, "Happened at some step up to the end (not only at the "
             "last step), with its 95% interval");
    gp_rows_axis(f, "ev", &c->cmp, rows, n, cc[C_VAR], cc[C_LABEL]);
    for (size_t i = 1; i < n; i++)
        fprintf(f, "set arrow %zu from graph 0, first %g to graph 1, first %g "
                "nohead lc rgb '#CCCCCC' back\n", i, (double)i + 0.5,
                (double)i + 0.5);
    /* Column C of scenario S's row of an event, NaN for other rows. */
    /* Long labels push the plot right: a key above it would not fit. */
    /* A little room right of the largest value keeps points at the edge
     * clear of the frame and of the key beside it. */
    fprintf(f, "set key outside right top vertical maxrows 100\n"
            "set xlabel 'Probability that it happened by the end'\nset xrange [0:%.10g]\n"
            "set xtics 0, %g, %.10g\nset format x '%%.%df'\n%s"
            "at(s, c) = strcol(%zu) eq s && ev(strcol(1)) > 0 ? column(c) : NaN\n",
            xmax * 1.04, xmax / 5, xmax, numfmt_tic_decimals(xmax / 5),
            gp_clip_fns, cc[C_SC] + 1);
    for (size_t i = 0; i < c->n; i++) {
        fprintf(f, "s%zu = ", i + 1);
        gp_quote(f, cmp_name(c, i));
        fputc('\n', f);
    }
    fputs("plot ", f);
    for (size_t i = 0; i < c->n; i++) {
        /* Scenarios side by side within an event's row, in list order. */
        double off = ((double)i - (double)(c->n - 1) / 2) * 0.7 / (double)c->n;
        fprintf(f, "%s'compare.csv' skip 1 using (at(s%zu, %zu)):"
                "(ev(strcol(1)) + %.4f):(lo(at(s%zu, %zu), 0)):"
                "(hi(at(s%zu, %zu), 0)) with xerrorbars lt %zu lw 1.5 "
                "title s%zu noenhanced", i ? ", \\\n  " : "", i + 1,
                cc[C_PEND] + 1, off, i + 1, cc[C_PLO] + 1, i + 1,
                cc[C_PHI] + 1, i + 1, i + 1);
    }
    fputc('\n', f);
}

/* Writes every script of the comparison C in J. */
static void cmp_scripts(gp_job *j, const cmp *c, size_t cap, size_t *skipped)
{
    const table *t = &c->cmp;
    size_t *ev = calloc(t->nrow + 1, sizeof *ev), n_ev = 0, vars = 0;
    char stem[300];
    if (!ev) {
        diag_add(j->d, j->dir, 0, NULL, "out of memory");
        j->failed = 1;
        return;
    }
    for (size_t r = 0; r < t->nrow && !j->failed; r++) {
        const char *var = cell(t, r, c->cc[C_VAR]);
        const char *title = var_label(cell(t, r, c->cc[C_LABEL]), var);
        int event = strcmp(cell(t, r, c->cc[C_KIND]), "event") == 0;
        FILE *f;
        if (r > 0 && strcmp(cell(t, r - 1, c->cc[C_VAR]), var) == 0)
            continue; /* a variable's later scenarios */
        if (!name_ok(var)) {
            diag_add(j->d, t->path, t->line[r], NULL,
                     "'%s' is not a variable name", var);
            j->failed = 1;
            break;
        }
        /* Every event is in the events chart; charts of their own for
         * the first CAP variables. */
        if (event)
            ev[n_ev++] = r;
        if (vars++ >= cap) {
            (*skipped)++;
            continue;
        }
        if (!event) {
            snprintf(stem, sizeof stem, "cdf_%s", var);
            if ((f = gp_script_open(j, stem, "distributions by scenario",
                                 PLOT_W, PLOT_H))) {
                write_cdf(f, c, var, title, r);
                gp_script_close(j, f, stem);
            }
            snprintf(stem, sizeof stem, "fan_%s", var);
            if ((f = gp_script_open(j, stem, "medians over time by scenario",
                                 PLOT_W, PLOT_H))) {
                write_cmp_fan(f, c, var, title, r);
                gp_script_close(j, f, stem);
            }
        }
        /* A difference needs the variable in the reference and in at least
         * one other scenario: rows with a diff beyond the reference's. */
        size_t with_diff = 0;
        for (size_t q = r; q < t->nrow
             && strcmp(cell(t, q, c->cc[C_VAR]), var) == 0; q++)
            with_diff += cell(t, q, c->cc[C_DIFF + C_FIG(event)])[0] != '\0';
        if (c->n < 2 || with_diff < 2)
            continue;
        snprintf(stem, sizeof stem, "diff_%s", var);
        if ((f = gp_script_open(j, stem, "difference from the reference",
                             PLOT_W, 160 + 60 * (int)c->n))) {
            write_diff(f, c, var, title, r, event);
            gp_script_close(j, f, stem);
        }
    }
    if (n_ev > 0 && !j->failed) {
        FILE *f = gp_script_open(j, "events", "event probabilities by scenario",
                              PLOT_W + 200, 220 + (int)(n_ev * (11 * c->n + 14)));
        if (f) {
            write_cmp_events(f, c, ev, n_ev);
            gp_script_close(j, f, "events");
        }
    }
    free(ev);
}

/* Reads the scenario (COMPARE 0) or comparison folder DIR, writes its
 * scripts and draws them. */
/* The most variables that get charts of their own: O's max_vars, else
 * $NCGSIM_MAX_PLOTS ("all" for no limit), else PLOT_MAX_VARS. */
static size_t max_vars(const plot_opts *o)
{
    const char *env = getenv("NCGSIM_MAX_PLOTS");
    char *end;
    if (o && o->max_vars)
        return o->max_vars;
    if (env && strcmp(env, "all") == 0)
        return SIZE_MAX;
    if (env && *env) {
        unsigned long long v = strtoull(env, &end, 10);
        if (*end == 0 && v > 0)
            return (size_t)v;
        fprintf(stderr, "ncgsim: warning: NCGSIM_MAX_PLOTS='%s' is not a "
                "number of variables (or 'all'); using %d\n", env,
                PLOT_MAX_VARS);
    }
    return PLOT_MAX_VARS;
}

/* Reads the scenario (COMPARE 0) or comparison folder DIR, writes its
 * scripts and draws them. */
static int plot_folder(const char *dir, const plot_opts *o, diag *d,
                       int compare)
{
    scen s;
    cmp c;
    gp_job j;
    int rc = NCG_ERR_IO;
    size_t skipped = 0;
    plot_result mine = { 0 }, *res = o && o->result ? o->result : &mine;
    const char *name = o && o->name ? o->name : dir;
    if (o && o->format && !plot_format_ok(o->format)) {
        diag_add(d, NULL, 0, NULL, "unknown plot format '%s' (png, svg or pdf)",
                 o->format);
        return NCG_ERR_USAGE;
    }
    if ((compare ? cmp_read(dir, &c, d) : scen_read(dir, 1, &s, d)) != 0
        || gp_charts_begin(&j, dir, o, d) != 0)
        goto end;
    if (compare)
        cmp_scripts(&j, &c, max_vars(o), &skipped);
    else
        scen_scripts(&j, &s, max_vars(o), &skipped);
    size_t before = res->drawn;
    rc = gp_job_end(&j, res);
    res->vars_skipped += skipped;
    if (skipped)
        fprintf(stderr, "ncgsim: note: %s: charts of their own for the first "
                "%zu variables only, %zu more left out (the overview and "
                "the CSV files have all; NCGSIM_MAX_PLOTS=N or 'all' draws "
                "more)\n", name, max_vars(o), skipped);
    if (!(o && o->quiet) && res->drawn > before)
        printf("  plots: %s/ (%zu %s files)\n", name, res->drawn - before,
               j.ext);
end:
    if (compare)
        cmp_free(&c);
    else
        scen_free(&s);
    return rc;
}

/* reliability.gp: per scenario, the observed frequency of the questions
 * in each forecast bin against their mean forecast, with the number of
 * questions beside each point; the diagonal is perfect calibration. */
static void reliability_script(gp_job *j, const table *t)
{
    FILE *f = gp_script_open(j, "reliability", "reliability diagram: "
                             "observed frequency against forecast "
                             "probability", PLOT_W, PLOT_H);
    if (!f)
        return;
    fputs("set title 'Reliability: how often what was forecast happened "
          "(beside each point: questions in the bin)' "
          "noenhanced\nset xlabel 'Forecast probability (mean of the bin)'\n"
          "set ylabel 'Observed frequency'\nset xrange [0:1]\nset format x '%.1f'\nset format y '%.1f'\n"
          "set yrange [-0.02:1.02]\nset size ratio -1\n"
          "set key outside right top vertical\n"
          "sel(c) = strcol(1) eq v ? column(c) : NaN\nplot x ls 30 title "
          "'perfectly calibrated'", f);
    for (size_t r = 0, k = 0; r < t->nrow; r++) {
        const char *name = cell(t, r, 0);
        if (r > 0 && strcmp(name, cell(t, r - 1, 0)) == 0)
            continue;
        k++;
        fputs(", \\\n  v = ", f);
        gp_quote(f, name);
        fprintf(f, ", 'reliability.csv' skip 1 using (sel(4)):(sel(5)) with "
                "linespoints lt %zu title ", k);
        gp_quote(f, name);
        fprintf(f, ", \\\n  '' skip 1 using (sel(4)):(sel(5)):(sprintf('%%d',"
                " int(sel(6)))) with labels offset char 1.2,0.6 tc lt %zu "
                "notitle", k);
    }
    fputs("\n", f);
    gp_script_close(j, f, "reliability");
}

int plot_score(const char *dir, const plot_opts *o, diag *d)
{
    table t;
    gp_job j;
    int rc = NCG_ERR_IO;
    if (csv_read(dir, "reliability.csv", &t, d) != 0)
        return NCG_ERR_IO;
    if (gp_charts_begin(&j, dir, o, d) == 0) {
        reliability_script(&j, &t);
        rc = gp_job_end(&j, o ? o->result : NULL);
    }
    table_free(&t);
    return rc;
}

int plot_scenario(const char *dir, const plot_opts *o, diag *d)
{
    return plot_folder(dir, o, d, 0);
}

int plot_compare(const char *dir, const plot_opts *o, diag *d)
{
    return plot_folder(dir, o, d, 1);
}

/* sens_plot.c: the tornado, Sobol and sweep charts, drawn through the plot module's one gnuplot back end (gp.c), from results in memory or from the CSV files of their folder. */
#include "plot/sens_plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "base/numfmt.h"
#include "base/status.h"
#include "io/output.h"
#include "io/table.h"
#include "plot/gp.h"
#include "scenario/scenario.h"

/* Bars in a tornado chart and in a Sobol chart: more would be unreadable
 * at this size, and the CSV has every row. */
#define PLOT_BARS 12

/* ------------------------------------------------- what a chart shows -- */

/* One param of one output, as sensitivity.csv holds it. */
typedef struct sens_bar {
    const char *name;          /* the param (borrowed) */
    int constant, capped;      /* a constant; its high end capped at 1 */
    int no_effect;             /* changed the output in no trial */
    size_t sobol_rank;         /* 1 for the largest total index; 0 for
                                  constants */
    double low, low_lo, low_hi;      /* differences from the base mean */
    double high, high_lo, high_hi;
    double s1, s1_lo, s1_hi, st, st_lo, st_hi;
} sens_bar;

/* The tornado and Sobol charts of one output. */
typedef struct sens_chart {
    const char *out;           /* the output's name (borrowed) */
    int event;                 /* 1: its figure is a probability */
    const char *step;          /* the last step's label */
    double base;               /* the base run's mean */
    double variance;           /* what the Sobol indices divide by */
    const char *kind[2];       /* the key's words for a random param and a
                                  constant: "random p10/p90" */
    int weighted;              /* 1: a scenario conditioned on the record
                                  (every figure a weighted estimate) */
    sens_bar *bar;             /* every param, largest |swing| first */
    size_t n_bar;
} sens_chart;

/* One output of a sweep. */
typedef struct sweep_chart {
    const char *out;           /* the output's name (borrowed) */
    int event;
    size_t n_axes;             /* 1 or 2 */
    const char *axis[2];       /* the varied settings (borrowed) */
    double first[2], last[2], step[2];  /* each axis's grid */
    size_t n[2];               /* points on each axis */
    size_t n_points;
    const double *x[2];        /* per point: its value on each axis */
    const double *mean, *lo, *hi;       /* per point: figure, 95% interval */
} sweep_chart;

/* ---------------------------------------------------- the scripts -- */

/* The bar series of a tornado: kind x side, so that the key explains both
 * the colour (random or constant) and the shade (low or high end). */
static const struct {
    int constant;
    int col;                 /* data column of the bar's end */
    const char *side;
    const char *colour;
} tornado_bars[] = {
    { 0, 4, "low end", "#225588" },
    { 0, 7, "high end", "#88bbee" },
    { 1, 4, "low end", "#bb5500" },
    { 1, 7, "high end", "#ffbb77" },
};

/* 1 when bar W of tornado C moved the output: a difference beyond a few
 * ulps of the base (weighted sums of equal values are not exactly
 * equal) in some trial. */
static int bar_moves(const sens_chart *c, const sens_bar *w)
{
    const double v[6] = { w->low, w->low_lo, w->low_hi, w->high,
                          w->high_lo, w->high_hi };
    if (w->no_effect)
        return 0;
    for (size_t i = 0; i < 6; i++)
        if (isfinite(v[i]) && fabs(v[i]) > 1e-9 * fabs(c->base))
            return 1;
    return 0;
}

/* The x range of the first N bars of tornado C: base, ends and their
 * intervals, a twentieth wider on each side; a probability's within
 * [0, 1]. A chart where no bar moves gets a range around the base (no
 * empty range for gnuplot to warn about). */
static void tornado_range(FILE *f, const sens_chart *c, size_t n)
{
    double lo = c->base, hi = c->base;
    for (size_t k = 0; k < n; k++) {
        const sens_bar *w = &c->bar[k];
        const double v[6] = { w->low, w->low_lo, w->low_hi, w->high,
                              w->high_lo, w->high_hi };
        for (size_t i = 0; i < 6; i++)
            if (isfinite(v[i])) {
                lo = fmin(lo, c->base + v[i]);
                hi = fmax(hi, c->base + v[i]);
            }
    }
    /* Differences of a few ulps (weighted sums of equal values) are no
     * effect either. */
    if (!isfinite(lo) || !(hi - lo > 1e-9 * fmax(fabs(lo), fabs(hi)))) {
        lo = hi = c->base;
        if (c->event)
            gp_prob_range(f, "x", lo, hi);
        else
            gp_flat_range(f, "x", lo, hi);
        return;
    }
    double pad = (hi - lo) / 20;
    lo -= pad;
    hi += pad;
    if (c->event) {
        lo = fmax(lo, 0);
        hi = fmin(hi, 1);
    }
    fprintf(f, "set xrange [%.10g:%.10g]\n", lo, hi);
    gp_axis_format(f, "x", lo, hi);
}

/* The tornado's title: what it shows, N bars, ZERO params with no effect
 * not shown, CAPPED: a high end capped at 1. */
static void tornado_title(FILE *f, const sens_chart *c, size_t n,
                          size_t zero, int capped)
{
    fputs("set title ", f);
    gp_quote(f, c->out);
    /* Three short title lines: one long line is cut off at this width. */
    if (n == 1 && !bar_moves(c, &c->bar[0]))
        fprintf(f, " . ': no param changed it in any trial (%zu tried)",
                c->n_bar);
    else if (n == 1)
        fputs(" . ': the largest effect, one param at a time", f);
    else
        fprintf(f, " . ': the %zu largest effects, one param at a time", n);
    if (zero && !(n == 1 && !bar_moves(c, &c->bar[0])))
        fprintf(f, " (%zu with no effect not shown)", zero);
    /* Conditioned: say that every bar is a weighted estimate, and that
     * params are held at their prior's percentiles (the record does not
     * move where they are held). */
    if (c->weighted) {
        const char *held = strncmp(c->kind[0], "random ", 7) == 0
                           ? c->kind[0] + 7 : c->kind[0];
        fputs("' . \"\\n\" . 'conditioned on the record: each result is "
              "weighted by it; random params held at their prior''s ' . ", f);
        gp_quote_max(f, held, 20);
        fputs(" . '", f);
    }
    fputs("' . \"\\n\" . 'bars from the base run (dashed) to the result "
          "with the param held at each end' . \"\\n\" . 'whiskers: paired "
          "95% intervals", f);
    if (capped)
        fputs("; * high end capped at 1 (a probability)", f);
    fputs("'\n", f);
}

/* The tornado of chart C (data block $T<Q>): the PLOT_BARS params with
 * the largest |swing|, largest on top. */
static void tornado(FILE *f, const sens_chart *c, size_t q)
{
    double base = c->base;
    size_t n = 0, zero = 0;
    int capped = 0, shown[2] = { 0, 0 };   /* kinds on the chart */
    /* Rows of params that changed nothing in any trial would be empty
     * lines; the title counts them instead. One stays, so that the chart
     * is never empty. */
    for (size_t k = 0; k < c->n_bar; k++) {
        if (k > 0 && !bar_moves(c, &c->bar[k]))
            zero++;
        else if (n < PLOT_BARS)
            n++;
    }
    /* Inline data: y, name, base, low end and its interval, high end and
     * its interval, 1 for a constant. gnuplot puts y = 0 at the bottom. */
    fprintf(f, "$T%zu << EOD\n", q);
    for (size_t y = 0; y < n; y++) {
        const sens_bar *w = &c->bar[n - 1 - y];
        capped |= w->capped;
        shown[w->constant ? 1 : 0] = 1;
        fprintf(f, "%zu %s%s %.6g %.6g %.6g %.6g %.6g %.6g %.6g %d\n", y,
                w->name, w->capped ? "*" : "", base,
                base + w->low, base + w->low_lo, base + w->low_hi,
                base + w->high, base + w->high_lo, base + w->high_hi,
                w->constant);
    }
    fputs("EOD\n", f);
    tornado_title(f, c, n, zero, capped);
    fprintf(f, "unset xtics\nset xtics\nset ytics ()\nset xlabel '%s of "
            "' . ", c->event ? "probability" : "mean");
    gp_quote(f, c->out);
    fputs(" . ' at ' . ", f);
    gp_quote(f, c->step);
    fprintf(f, "\nset ylabel ''\nset yrange [-0.7:%zu.7]\n", n ? n - 1 : 0);
    tornado_range(f, c, n);
    fprintf(f, "set style fill solid 1.0 noborder\n"
            "set key below horizontal maxcols 2 samplen 2 height 1\n"
            "set arrow 1 from %.10g, graph 0 to %.10g, graph 1 nohead dt 2\n",
            base, base);
    /* Only the kinds on the chart get a key entry; the first series
     * drawn also writes the param names. */
    int first = 1;
    fprintf(f, "plot $T%zu", q);
    for (size_t b = 0; b < sizeof tornado_bars / sizeof tornado_bars[0]; b++) {
        int k = tornado_bars[b].constant, col = tornado_bars[b].col;
        if (!shown[k])
            continue;
        /* NaN drops the other kind's rows from this series. */
        fprintf(f, "%s using (($10==%d)?($3+$%d)/2:NaN):1:(($3<$%d)?$3:$%d):"
                "(($3<$%d)?$%d:$3):($1-0.36):($1+0.36)%s with boxxyerror "
                "lc rgb '%s' title ", first ? "" : ", \\\n  ''", k, col, col,
                col, col, col, first ? ":ytic(2)" : "",
                tornado_bars[b].colour);
        char key[96];
        snprintf(key, sizeof key, "%s: %s", c->kind[k], tornado_bars[b].side);
        gp_quote(f, key);
        first = 0;
    }
    fputs(", \\\n  '' using 4:1:5:6 with xerrorbars lc rgb 'black' pt 0 "
          "notitle, \\\n  '' using 7:1:8:9 with xerrorbars lc rgb 'black' "
          "pt 0 notitle\nunset arrow 1\nset xrange [*:*]\n", f);
}

/* Below this total index summed over the random params, the chart says
 * that they explain almost none of the output's spread. */
#define SOBOL_LITTLE 0.05

/* 1 when bar W shows no share of the variance: its indices and their
 * intervals are 0 or not computed. */
static int sobol_nothing(const sens_bar *w)
{
    const double v[6] = { w->s1, w->s1_lo, w->s1_hi, w->st, w->st_lo,
                          w->st_hi };
    for (size_t i = 0; i < 6; i++)
        if (isfinite(v[i]) && v[i] != 0)
            return 0;
    return 1;
}

/* The Sobol chart of chart C (data block $S<Q>): S1 and ST of the
 * PLOT_BARS random params with the largest total index (the first-order
 * index alone where there is no total: a conditioned scenario). Params
 * with no share at all are counted in the title, not drawn as empty
 * slots; the first stays, so that the chart is never empty. */
static void sobol(FILE *f, const sens_chart *c, size_t q)
{
    size_t d = 0, n = 0, zero = 0;
    double sum = 0, top = 0;
    int total = 0;             /* any total index computed */
    for (size_t k = 0; k < c->n_bar; k++)
        if (!c->bar[k].constant && isfinite(c->bar[k].st))
            total = 1;
    fprintf(f, "$S%zu << EOD\n", q);
    for (size_t rank = 1; rank <= c->n_bar; rank++)
        for (size_t k = 0; k < c->n_bar; k++) {
            const sens_bar *w = &c->bar[k];
            if (w->constant || w->sobol_rank != rank)
                continue;
            d++;
            double share = total ? w->st : w->s1;
            if (isfinite(share))
                sum += share;
            if (n > 0 && sobol_nothing(w)) {
                zero++;
                continue;
            }
            if (n == PLOT_BARS)
                continue;
            const double v[4] = { w->s1, w->s1_hi, w->st, w->st_hi };
            for (size_t i = 0; i < 4; i++)
                if (isfinite(v[i]))
                    top = fmax(top, v[i]);
            fprintf(f, "%zu %s %.6g %.6g %.6g %.6g %.6g %.6g\n", n++,
                    w->name, w->s1, w->s1_lo, w->s1_hi, w->st, w->st_lo,
                    w->st_hi);
        }
    fputs("EOD\nset title ", f);
    gp_quote(f, c->out);
    fputs(total ? " . ': Sobol indices of the random params, first order "
                  "and total (bootstrap 95%)'"
                : " . ': first-order Sobol indices of the random params, "
                  "weighted by the record' . \"\\n\" . '(bootstrap 95%; "
                  "no total index for a conditioned scenario)'", f);
    if (zero)
        fprintf(f, " . \"\\n\" . '%zu of the %zu random params %s no "
                "share in any trial and %s not shown'", zero, d,
                zero == 1 ? "has" : "have", zero == 1 ? "is" : "are");
    /* A chart of tiny bars on a tiny axis looks like an answer: say that
     * the params explain almost nothing and draw the axis to 1. */
    int little = sum < SOBOL_LITTLE;
    if (little)
        fprintf(f, " . \"\\n\" . 'Together they explain under %.0f%% of "
                "the variance (%s indices sum to %.3f%s):' . \"\\n\" . "
                "'the rest is the chance in the events themselves'",
                100 * SOBOL_LITTLE, total ? "total" : "first-order", sum,
                sum < 0 ? ", noise about 0" : "");
    top = little || !(top > 0) ? 1 : fmin(1, top * 1.1);
    fprintf(f, "\nset xlabel ''\nset ylabel 'share of variance'\n"
            "set yrange [0:%.10g]\n", top);
    gp_axis_format(f, "y", 0, top);
    fprintf(f, "set xrange [-0.7:%zu.7]\nset ytics auto\n"
            "set xtics rotate by 30 right\nset key default\nset key inside top right\n"
            "set boxwidth 0.35\nset style fill solid 0.85 noborder\n"
            "plot $S%zu using ($1-0.18):3:xtic(2) with boxes lc rgb '#88ccee' title 'first order', \\\n",
            n ? n - 1 : 0, q);
    if (total)
        fputs("  '' using ($1+0.18):6 with boxes lc rgb '#332288' title "
              "'total', \\\n  '' using ($1+0.18):6:7:8 with yerrorbars lc "
              "rgb 'black' pt 0 notitle, \\\n", f);
    fputs("  '' using ($1-0.18):3:4:5 with yerrorbars lc rgb 'black' pt 0 "
          "notitle\nset ylabel ''\nset xtics norotate\nset yrange [*:*]\n",
          f);
}

/* `set AXISrange` and its tic format for the figures of sweep C (BAND:
 * with their 95% intervals): a probability within [0, 1], a mean on an
 * axis that respects its scale (gp_scale_range), never an empty range. */
static void sweep_range(FILE *f, const sweep_chart *c, const char *axis,
                        int band)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t p = 0; p < c->n_points; p++) {
        double a = band ? c->lo[p] : c->mean[p];
        double b = band ? c->hi[p] : c->mean[p];
        if (isfinite(a))
            lo = fmin(lo, a);
        if (isfinite(b))
            hi = fmax(hi, b);
    }
    if (hi > lo) {            /* room around the band's edges */
        double pad = (hi - lo) / 20;
        lo -= pad;
        hi += pad;
    }
    if (c->event)
        gp_prob_range(f, axis, lo, hi);
    else if (isfinite(lo) && isfinite(hi))
        gp_scale_range(f, axis, lo, hi);
    else
        gp_axis_format(f, axis, 0, 1);
}

/* `set format` for the tics of heatmap axis A of C, which sit on the grid:
 * the decimals its first value and its step need. */
static void sweep_grid_format(FILE *f, const sweep_chart *c, int a)
{
    int d = numfmt_tic_decimals(fabs(c->step[a]));
    int d0 = numfmt_tic_decimals(fabs(c->first[a]));
    fprintf(f, "set format %c '%%.%df'\n", "xy"[a], d > d0 ? d : d0);
}

/* The sweep chart of C (data block $S<Q>): the figure with its 95% band
 * against one setting, or a heatmap over two. */
static void sweep_script(FILE *f, const sweep_chart *c, size_t q)
{
    /* One line per point, in sweep.csv's order and with its numbers:
     * value(s) of the axes, mean, 95% interval. */
    fprintf(f, "$S%zu << EOD\n", q);
    for (size_t p = 0; p < c->n_points; p++) {
        fprintf(f, "%.12g", c->x[0][p]);
        if (c->n_axes == 2)
            fprintf(f, " %.12g", c->x[1][p]);
        fprintf(f, " %.6g %.6g %.6g\n", c->mean[p], c->lo[p], c->hi[p]);
    }
    fputs("EOD\n", f);
    fputs("set title ", f);
    gp_quote(f, c->out);
    fputs(c->event ? " . ': probability that it happened by the end"
                   : " . ': mean at the last step", f);
    /* A heatmap shows no interval: its title promises none. Two lines:
     * one is cut off at this width. */
    fputs(c->n_axes == 1 ? " (95% band; common random numbers)'\n"
                         : "' . \"\\n\" . '(one cell per point; common "
                           "random numbers; intervals in sweep.csv)'\n", f);
    fputs("set xlabel ", f);
    gp_quote(f, c->axis[0]);
    if (c->n_axes == 1) {
        fputs("\nset ylabel ", f);
        gp_quote(f, c->out);
        fputc('\n', f);
        fprintf(f, "set xrange [%.12g:%.12g]\n", fmin(c->first[0],
                c->last[0]), fmax(c->first[0], c->last[0]));
        gp_axis_format(f, "x", c->first[0], c->last[0]);
        sweep_range(f, c, "y", 1);
        fprintf(f, "plot $S%zu using 1:3:4 with filledcurves "
                "fc rgb '#aaccee' title '95%%', \\\n"
                "  '' using 1:2 with linespoints lc rgb '#225588' pt 7 "
                "title 'mean'\nset xrange [*:*]\nset yrange [*:*]\n", q);
        return;
    }
    /* One filled rectangle centred on every grid point (pm3d would join
     * the points into quads and drop the last row and column; `with
     * image` is a bitmap, which the SVG terminal embeds as an <image>
     * that an inlined chart cannot keep); the value is written in the
     * cell when it fits. */
    fputs("\nset ylabel ", f);
    gp_quote(f, c->axis[1]);
    fputs("\nset cblabel ", f);
    gp_quote(f, c->out);
    /* gnuplot places it over tic labels as long as 30000: moved right,
     * with the margin to show it. */
    fputs(" offset 1,0\nset rmargin 12\n", f);
    for (int a = 0; a < 2; a++)
        fprintf(f, "set %crange [%.12g:%.12g]\n", "xy"[a],
                fmin(c->first[a], c->last[a]) - fabs(c->step[a]) / 2,
                fmax(c->first[a], c->last[a]) + fabs(c->step[a]) / 2);
    fputs(gp_fixed_fn, f);
    fputs("set palette cubehelix\nset grid noxtics noytics\n"
          "set style textbox opaque noborder\n", f);
    for (int a = 0; a < 2; a++) {
        fprintf(f, "set %ctics %.12g, %.12g, %.12g\n", "xy"[a], c->first[a],
                c->step[a], c->last[a]);
        sweep_grid_format(f, c, a);
    }
    sweep_range(f, c, "cb", 0);
    fprintf(f, "set style fill solid 1.0 noborder\nplot $S%zu using "
            "1:2:(%.12g):(%.12g):3 with boxxyerror lc palette notitle", q,
            fabs(c->step[0]) / 2, fabs(c->step[1]) / 2);
    if (c->n[0] <= 12 && c->n[1] <= 24) {
        /* Each figure to its first uncertain digit (its standard error
         * from the 95% interval), in fixed notation. */
        fprintf(f, ", \\\n  '' using 1:2:(fixed($3, ($5 - $4) / (2 * %.17g))) "
                "with labels boxed notitle", NCG_Z95);
    }
    fputs("\nset xrange [*:*]\nset yrange [*:*]\nset cbrange [*:*]\n"
          "set rmargin -1\nset grid\nset xtics autofreq\nset ytics autofreq\n", f);
}

/* ------------------------------------------------------- the jobs -- */

/* Opens the script of chart PREFIX-OUT (W x H) in J, its inline data
 * separated by white space; NULL with a message (J then fails). */
static FILE *chart_open(gp_job *j, const char *prefix, const char *out,
                        const char *purpose, int w, int h)
{
    char stem[300];
    snprintf(stem, sizeof stem, "%s-%s", prefix, out);
    FILE *f = gp_script_open(j, stem, purpose, w, h);
    if (f)
        fputs("set datafile separator whitespace\n", f);
    return f;
}

/* Closes chart PREFIX-OUT's script F. */
static void chart_close(gp_job *j, FILE *f, const char *prefix,
                        const char *out)
{
    char stem[300];
    snprintf(stem, sizeof stem, "%s-%s", prefix, out);
    gp_script_close(j, f, stem);
}

/* Writes output Q's tornado and, when the random params explain some
 * variance, its Sobol chart into J. */
static void sens_charts(gp_job *j, const sens_chart *c, size_t q)
{
    /* Long param names need a wide canvas. */
    FILE *f = chart_open(j, "tornado", c->out, "the largest swings, one "
                         "param at a time", 1000, 640);
    if (f) {
        tornado(f, c, q);
        chart_close(j, f, "tornado", c->out);
    }
    /* Indices to draw: a random param with a first-order index, and an
     * output that varies (beyond rounding: a constant's variance of
     * 1e-31 gives indices of 0 / 0). A conditioned scenario's weighted
     * first-order indices come without a variance. */
    int some = 0, total = 0;
    for (size_t k = 0; k < c->n_bar; k++)
        if (!c->bar[k].constant) {
            some |= isfinite(c->bar[k].s1);
            total |= isfinite(c->bar[k].st);
        }
    int varies = c->variance > 0 && c->variance > 1e-20 * c->base * c->base;
    if (some && (varies || !total) && !j->failed
        && (f = chart_open(j, "sobol", c->out, "Sobol indices of the "
                           "random params", 1000, 640)) != NULL) {
        sobol(f, c, q);
        chart_close(j, f, "sobol", c->out);
    }
}

/* Writes sweep C's chart into J. */
static void sweep_chart_write(gp_job *j, const sweep_chart *c, size_t q)
{
    FILE *f = chart_open(j, "sweep", c->out, c->n_axes == 1 ? "the output "
                         "against the varied setting" : "the output over "
                         "the grid of two settings", 900, 560);
    if (f) {
        sweep_script(f, c, q);
        chart_close(j, f, "sweep", c->out);
    }
}

/* ------------------------------------------- from results in memory -- */

/* Output Q of R as chart C, its params in BARS (sens_n_rows of them). */
static void sens_chart_of(const sens_result *r, size_t q, sens_bar *bars,
                          char kind[2][48], char *step, size_t step_len,
                          sens_chart *c)
{
    const model_var *v = &r->m->vars[r->m->outputs[r->outputs[q]]];
    const sens_row probe[2] = { { .constant = 0 }, { .constant = 1 } };
    for (size_t k = 0; k < sens_n_rows(r); k++) {
        const sens_row *w = sens_ranked(r, q, k);
        bars[k] = (sens_bar){
            .name = sens_row_name(r, w), .constant = w->constant,
            .capped = w->capped, .no_effect = sens_no_effect(w),
            .sobol_rank = w->constant ? 0 : w->rank,
            .low = w->low, .low_lo = w->low_lo, .low_hi = w->low_hi,
            .high = w->high, .high_lo = w->high_lo, .high_hi = w->high_hi,
            .s1 = w->s1, .s1_lo = w->s1_lo, .s1_hi = w->s1_hi,
            .st = w->st, .st_lo = w->st_lo, .st_hi = w->st_hi };
    }
    *c = (sens_chart){
        .out = v->name, .event = v->kind == VAR_EVENT,
        .step = sens_step_label(r, step, step_len), .base = r->base_mean[q],
        .variance = r->variance[q], .weighted = r->weighted,
        .kind = { sens_row_kind(r, &probe[0], kind[0], sizeof kind[0]),
                  sens_row_kind(r, &probe[1], kind[1], sizeof kind[1]) },
        .bar = bars, .n_bar = sens_n_rows(r) };
}

int sens_plot_sensitivity(const sens_result *r, const char *dir,
                          const plot_opts *o, diag *d)
{
    gp_job j;
    char kind[2][48], step[32];
    sens_bar *bars = malloc((sens_n_rows(r) + 1) * sizeof *bars);
    if (!bars) {
        diag_add(d, dir, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    int rc = gp_charts_begin(&j, dir, o, d);
    for (size_t q = 0; rc == 0 && q < r->n_out && !j.failed; q++) {
        sens_chart c;
        sens_chart_of(r, q, bars, kind, step, sizeof step, &c);
        sens_charts(&j, &c, q);
    }
    free(bars);
    return rc == 0 ? gp_charts_end(&j, o) : rc;
}

int sens_plot_sweep(const sweep_result *r, const char *dir,
                    const plot_opts *o, diag *d)
{
    gp_job j;
    size_t np = r->n_points;
    double *x = malloc((5 * np + 1) * sizeof *x);
    if (!x) {
        diag_add(d, dir, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    int rc = gp_charts_begin(&j, dir, o, d);
    sweep_chart c = { .n_axes = r->n_axes, .n_points = np,
                      .x = { x, x + np }, .mean = x + 2 * np,
                      .lo = x + 3 * np, .hi = x + 4 * np };
    for (size_t a = 0; a < r->n_axes; a++) {
        const sweep_axis *ax = &r->axes[a];
        c.axis[a] = ax->path;
        c.first[a] = ax->from;
        c.last[a] = sweep_value(ax, ax->n - 1);
        c.step[a] = ax->step;
        c.n[a] = ax->n;
    }
    for (size_t q = 0; rc == 0 && q < r->n_out && !j.failed; q++) {
        const model_var *v = &r->m->vars[r->m->outputs[q]];
        c.out = v->name;
        c.event = v->kind == VAR_EVENT;
        for (size_t p = 0; p < np; p++) {
            const sweep_cell *cell = &r->cells[p * r->n_out + q];
            x[p] = sweep_point_value(r, p, 0);
            x[np + p] = r->n_axes == 2 ? sweep_point_value(r, p, 1) : 0;
            x[2 * np + p] = cell->mean;
            x[3 * np + p] = cell->mean - NCG_Z95 * cell->se;
            x[4 * np + p] = cell->mean + NCG_Z95 * cell->se;
        }
        sweep_chart_write(&j, &c, q);
    }
    free(x);
    return rc == 0 ? gp_charts_end(&j, o) : rc;
}

/* ------------------------------------------ from the folder's files -- */

/* The columns of sensitivity.csv the charts read. */
enum { S_VARIABLE, S_PARAM, S_PERTURBATION, S_SOBOL_RANK, S_CAPPED, S_BASE, S_LOW,
       S_LOW_LO, S_LOW_HI, S_HIGH, S_HIGH_LO, S_HIGH_HI, S_S1, S_S1_LO,
       S_S1_HI, S_ST, S_ST_LO, S_ST_HI, S_VARIANCE, S_N };
/* (Files from before the rename called them output and kind.) */
static const char *const sens_cols[S_N] = { "variable|output", "param",
    "perturbation|kind",
    "sobol_rank", "capped", "base_mean", "low_diff", "low_lo95", "low_hi95",
    "high_diff", "high_lo95", "high_hi95", "s1", "s1_lo95", "s1_hi95", "st",
    "st_lo95", "st_hi95", "variance" };

/* The columns of sweep.csv the charts read, after the axes'. */
enum { W_POINT, W_VARIABLE, W_KIND, W_VALUE, W_LO, W_HI, W_N };
static const char *const sweep_cols[W_N] = { "point", "variable", "kind",
    "value", "lo95", "hi95" };

/* The column of T named NAME, or by one of its older names after '|'
 * ("variable|output"); -1 when there is none. */
static long files_col(const table *t, const char *name)
{
    char one[64];
    for (const char *p = name; *p;) {
        size_t n = strcspn(p, "|");
        snprintf(one, sizeof one, "%.*s", (int)n, p);
        long c = table_find(t, one);
        if (c >= 0)
            return c;
        p += n + (p[n] == '|');
    }
    return -1;
}

/* Reads DIR/NAME into T and finds its columns NAMES (N of them, each with
 * its older names after '|') into COL. 0, or NCG_ERR_IO with "PATH:
 * cannot read: why" or "PATH: no column 'x'" in D (T then empty). */
static int files_table(const char *dir, const char *name,
                       const char *const *names, size_t n, table *t,
                       size_t *col, diag *d)
{
    char *path = output_path(dir, name);
    if (!path) {
        diag_add(d, dir, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    int rc = table_read(path, t, d);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        long c = files_col(t, names[i]);
        if (c < 0) {
            diag_add(d, path, 0, NULL, "no column '%.*s'",
                     (int)strcspn(names[i], "|"), names[i]);
            table_free(t);
            rc = NCG_ERR_IO;
        }
        col[i] = (size_t)c;
    }
    free(path);
    return rc;
}

/* Allocates BYTES into *ROOM (the caller frees it) and starts job J in
 * DIR. 0, or an ncg_status with a message. */
static int files_begin(gp_job *j, void **room, size_t bytes, const char *dir,
                       const plot_opts *o, diag *d)
{
    if (!(*room = malloc(bytes))) {
        diag_add(d, dir, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    return gp_charts_begin(j, dir, o, d);
}

/* Cell (R, C) of T as a number; NaN when empty or not a number. */
static double files_num(const table *t, size_t r, size_t c)
{
    const char *s = table_cell(t, r, c);
    char *end;
    double v = strtod(s, &end);
    return *s && *end == '\0' ? v : NAN;
}

/* Loads DIR/resolved.cfg into *SC (caller frees) and writes the label of
 * its last step into STEP ("2030Q4", or "step 24" without a start). 0, or
 * the scenario's status with its message in D. */
static int files_scenario(const char *dir, scenario **sc, char *step,
                          size_t len, diag *d)
{
    scenario_opts none = { 0 };
    char *path = output_path(dir, "resolved.cfg");
    int rc = path ? scenario_load(path, &none, sc, d) : NCG_ERR_NOMEM;
    free(path);
    if (rc != 0)
        return rc;
    if ((*sc)->sim.has_start)
        scenario_step_label(&(*sc)->sim, (*sc)->sim.steps, step, len);
    else
        snprintf(step, len, "step %u", (unsigned)(*sc)->sim.steps);
    return 0;
}

/* 1 when scenario SC conditions on observations (one with `how` other
 * than "impose"): its results are weighted estimates. */
static int files_weighted(const scenario *sc)
{
    const snode *obs = snode_get(sc->root, "observations");
    for (size_t k = 0; obs && k < obs->n_kids; k++) {
        const snode *how = snode_get(obs->kids[k], "how");
        if (!how || how->type != SNODE_STRING
            || strcmp(how->v.s, "impose") != 0)
            return 1;
    }
    return 0;
}

/* Row R of sensitivity.csv T (columns COL) as a bar. */
static sens_bar sens_bar_of(const table *t, size_t r, const size_t *col)
{
    sens_bar b = {
        .name = table_cell(t, r, col[S_PARAM]),
        .constant = strncmp(table_cell(t, r, col[S_PERTURBATION]), "constant", 8) == 0,
        .capped = files_num(t, r, col[S_CAPPED]) == 1,
        .low = files_num(t, r, col[S_LOW]),
        .low_lo = files_num(t, r, col[S_LOW_LO]),
        .low_hi = files_num(t, r, col[S_LOW_HI]),
        .high = files_num(t, r, col[S_HIGH]),
        .high_lo = files_num(t, r, col[S_HIGH_LO]),
        .high_hi = files_num(t, r, col[S_HIGH_HI]),
        .s1 = files_num(t, r, col[S_S1]), .s1_lo = files_num(t, r, col[S_S1_LO]),
        .s1_hi = files_num(t, r, col[S_S1_HI]), .st = files_num(t, r, col[S_ST]),
        .st_lo = files_num(t, r, col[S_ST_LO]),
        .st_hi = files_num(t, r, col[S_ST_HI]) };
    double rank = files_num(t, r, col[S_SOBOL_RANK]);
    b.sobol_rank = !b.constant && rank >= 1 ? (size_t)rank : 0;
    /* As sens_no_effect: every paired difference was 0. */
    b.no_effect = b.low_lo == 0 && b.low_hi == 0 && b.high_lo == 0
                  && b.high_hi == 0;
    return b;
}

/* The rows FIRST to LAST - 1 of sensitivity.csv T (one output, largest
 * |swing| first) as chart C, its params in BARS. */
static void sens_chart_rows(const table *t, const size_t *col, size_t first,
                            size_t last, sens_bar *bars, sens_chart *c)
{
    c->out = table_cell(t, first, col[S_VARIABLE]);
    c->base = files_num(t, first, col[S_BASE]);
    c->variance = 0;
    c->kind[0] = "random";
    c->kind[1] = "constant";
    c->bar = bars;
    c->n_bar = last - first;
    for (size_t r = first; r < last; r++) {
        bars[r - first] = sens_bar_of(t, r, col);
        const sens_bar *b = &bars[r - first];
        c->kind[b->constant] = table_cell(t, r, col[S_PERTURBATION]);
        if (!b->constant && isfinite(files_num(t, r, col[S_VARIANCE])))
            c->variance = files_num(t, r, col[S_VARIANCE]);
    }
}

int sens_plot_sensitivity_files(const char *dir, const plot_opts *o, diag *d)
{
    table t = { 0 };
    size_t col[S_N], q = 0;
    sens_bar *bars = NULL;
    scenario *sc = NULL;
    char step[32];
    gp_job j;
    int rc = files_table(dir, "sensitivity.csv", sens_cols, S_N, &t, col, d);
    if (rc == 0)
        rc = files_scenario(dir, &sc, step, sizeof step, d);
    void *room = NULL;
    if (rc == 0)
        rc = files_begin(&j, &room, (t.nrow + 1) * sizeof *bars, dir, o, d);
    bars = room;
    if (rc != 0)
        goto end;
    for (size_t first = 0, last; first < t.nrow && !j.failed; first = last) {
        sens_chart c;
        const char *out = table_cell(&t, first, col[S_VARIABLE]);
        for (last = first + 1; last < t.nrow
             && strcmp(table_cell(&t, last, col[S_VARIABLE]), out) == 0;)
            last++;
        sens_chart_rows(&t, col, first, last, bars, &c);
        c.step = step;
        c.event = snode_get(snode_get(sc->root, "events"), out) != NULL;
        c.weighted = files_weighted(sc);
        sens_charts(&j, &c, q++);
    }
    rc = gp_charts_end(&j, o);
end:
    scenario_free(sc);
    free(bars);
    table_free(&t);
    return rc;
}

/* Axis A of the points of sweep C: its first and last value, the number
 * of values and the step between them. */
static void sweep_axis_of(sweep_chart *c, size_t a)
{
    const double *x = c->x[a];
    size_t n = 1;
    for (size_t p = 1; p < c->n_points; p++) {
        int seen = 0;
        for (size_t k = 0; k < p && !seen; k++)
            seen = x[k] == x[p];
        n += !seen;
    }
    c->first[a] = x[0];
    c->last[a] = x[c->n_points ? c->n_points - 1 : 0];
    c->n[a] = n;
    c->step[a] = n > 1 ? (c->last[a] - c->first[a]) / (double)(n - 1) : 1;
}

/* Fills the points of output OUT of sweep.csv T (columns COL, axes in
 * columns AX) into C's arrays (room for T's rows). */
static void sweep_chart_rows(const table *t, const size_t *col,
                             const size_t *ax, const char *out,
                             sweep_chart *c, double *x, size_t room)
{
    size_t np = 0;
    c->x[0] = x;
    c->x[1] = x + room;
    c->mean = x + 2 * room;
    c->lo = x + 3 * room;
    c->hi = x + 4 * room;
    for (size_t r = 0; r < t->nrow; r++) {
        if (strcmp(table_cell(t, r, col[W_VARIABLE]), out) != 0)
            continue;
        for (size_t a = 0; a < c->n_axes; a++)
            x[a * room + np] = files_num(t, r, ax[a]);
        x[2 * room + np] = files_num(t, r, col[W_VALUE]);
        x[3 * room + np] = files_num(t, r, col[W_LO]);
        x[4 * room + np] = files_num(t, r, col[W_HI]);
        c->event = strcmp(table_cell(t, r, col[W_KIND]), "event") == 0;
        np++;
    }
    c->out = out;
    c->n_points = np;
    for (size_t a = 0; a < c->n_axes; a++)
        sweep_axis_of(c, a);
}

int sens_plot_sweep_files(const char *dir, const plot_opts *o, diag *d)
{
    table t = { 0 };
    size_t col[W_N], ax[2];
    double *x = NULL;
    gp_job j;
    sweep_chart c = { .n_axes = 0 };
    int rc = files_table(dir, "sweep.csv", sweep_cols, W_N, &t, col, d);
    if (rc != 0)
        return rc;
    /* The varied settings are the columns between point and variable. */
    for (size_t k = col[W_POINT] + 1; k < col[W_VARIABLE] && c.n_axes < 2; k++) {
        ax[c.n_axes] = k;
        c.axis[c.n_axes++] = t.name[k];
    }
    if (c.n_axes == 0 || col[W_VARIABLE] - col[W_POINT] > 3) {
        diag_add(d, t.path, 0, NULL, "not one or two settings between "
                 "'point' and 'variable'");
        rc = NCG_ERR_IO;
    }
    void *room = NULL;
    if (rc == 0)
        rc = files_begin(&j, &room, (5 * t.nrow + 1) * sizeof *x, dir, o, d);
    x = room;
    if (rc != 0)
        goto end;
    /* Outputs in the order of the first point's rows. */
    for (size_t r = 0, q = 0; r < t.nrow && !j.failed; r++) {
        if (strcmp(table_cell(&t, r, col[W_POINT]),
                   table_cell(&t, 0, col[W_POINT])) != 0)
            break;
        sweep_chart_rows(&t, col, ax, table_cell(&t, r, col[W_VARIABLE]), &c,
                         x, t.nrow);
        sweep_chart_write(&j, &c, q++);
    }
    rc = gp_charts_end(&j, o);
end:
    free(x);
    table_free(&t);
    return rc;
}

/* sens_plot.c: the tornado, Sobol and sweep charts, drawn through the plot module's one gnuplot back end (gp.c). */
#include "plot/sens_plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "plot/gp.h"
#include "base/status.h"

/* Bars in a tornado chart and in a Sobol chart: more would be unreadable
 * at this size, and the CSV has every row. */
#define PLOT_BARS 12

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

/* The tornado of output Q: the PLOT_BARS rows with the largest |swing|,
 * largest on top. */
static void tornado(FILE *f, const sens_result *r, size_t q)
{
    const model_var *v = &r->m->vars[r->m->outputs[r->outputs[q]]];
    const char *out = v->name;
    double base = r->base_mean[q];
    size_t n = 0, zero = 0;
    int capped = 0, shown[2] = { 0, 0 };   /* kinds on the chart */
    char kind[48], step[32];
    /* Rows of params that changed nothing in any trial would be empty
     * lines; the title counts them instead. One stays, so that the chart
     * is never empty. */
    for (size_t k = 0; k < sens_n_rows(r); k++) {
        const sens_row *w = sens_ranked(r, q, k);
        if (k > 0 && sens_no_effect(w))
            zero++;
        else if (n < PLOT_BARS)
            n++;
    }
    /* Inline data: y, name, base, low end and its interval, high end and
     * its interval, 1 for a constant. gnuplot puts y = 0 at the bottom. */
    fprintf(f, "$T%zu << EOD\n", q);
    for (size_t y = 0; y < n; y++) {
        const sens_row *w = sens_ranked(r, q, n - 1 - y);
        capped |= w->capped;
        shown[w->constant ? 1 : 0] = 1;
        fprintf(f, "%zu %s%s %.6g %.6g %.6g %.6g %.6g %.6g %.6g %d\n", y,
                sens_row_name(r, w), w->capped ? "*" : "", base,
                base + w->low, base + w->low_lo, base + w->low_hi,
                base + w->high, base + w->high_lo, base + w->high_hi,
                w->constant);
    }
    fputs("EOD\n", f);
    fputs("set title ", f);
    gp_quote(f, out);
    /* Three short title lines: one long line is cut off at this width. */
    fprintf(f, " . ': the %zu largest effects, one param at a time", n);
    if (zero)
        fprintf(f, " (%zu with no effect not shown)", zero);
    fputs("' . \"\\n\" . 'bars from the base run (dashed) to the result "
          "with the param held at each end' . \"\\n\" . 'whiskers: paired "
          "95% intervals", f);
    if (capped)
        fputs("; * high end capped at 1 (a probability)", f);
    sens_step_label(r, step, sizeof step);
    fprintf(f, "'\nunset xtics\nset xtics\nset ytics ()\nset xlabel '%s of "
            "' . ", v->kind == VAR_EVENT ? "probability" : "mean");
    gp_quote(f, out);
    fprintf(f, " . ' at %s'", step);
    fprintf(f, "\nset ylabel ''\nset yrange [-0.7:%zu.7]\nset xrange [*:*]\n"
            "set offsets graph 0.03, graph 0.03, 0, 0\n"
            "set style fill solid 1.0 noborder\n"
            "set key below horizontal maxcols 2 samplen 2 height 1\n"
            "set arrow 1 from %.6g, graph 0 to %.6g, graph 1 nohead dt 2\n",
            n ? n - 1 : 0, base, base);
    /* Only the kinds on the chart get a key entry; the first series
     * drawn also writes the param names. */
    int first = 1;
    fprintf(f, "plot $T%zu", q);
    for (size_t b = 0; b < sizeof tornado_bars / sizeof tornado_bars[0]; b++) {
        const sens_row probe = { .constant = tornado_bars[b].constant };
        int c = tornado_bars[b].col;
        if (!shown[tornado_bars[b].constant])
            continue;
        /* NaN drops the other kind's rows from this series. */
        fprintf(f, "%s using (($10==%d)?($3+$%d)/2:NaN):1:(($3<$%d)?$3:$%d):"
                "(($3<$%d)?$%d:$3):($1-0.36):($1+0.36)%s with boxxyerror "
                "lc rgb '%s' title '%s: %s'", first ? "" : ", \\\n  ''",
                tornado_bars[b].constant, c, c, c, c, c,
                first ? ":ytic(2)" : "", tornado_bars[b].colour,
                sens_row_kind(r, &probe, kind, sizeof kind),
                tornado_bars[b].side);
        first = 0;
    }
    fputs(", \\\n  '' using 4:1:5:6 with xerrorbars lc rgb 'black' pt 0 "
          "notitle, \\\n  '' using 7:1:8:9 with xerrorbars lc rgb 'black' "
          "pt 0 notitle\nunset arrow 1\nset offsets 0, 0, 0, 0\n", f);
}

/* Below this total index summed over the random params, the chart says
 * that they explain almost none of the output's spread. */
#define SOBOL_LITTLE 0.05

/* The Sobol chart of output Q: S1 and ST of the PLOT_BARS random params
 * with the largest total index. */
static void sobol(FILE *f, const sens_result *r, size_t q)
{
    const char *out = r->m->vars[r->m->outputs[r->outputs[q]]].name;
    size_t n = r->d < PLOT_BARS ? r->d : PLOT_BARS;
    double st_sum = 0;
    for (size_t j = 0; j < r->d; j++)
        if (!isnan(r->rows[q * r->d + j].st))
            st_sum += r->rows[q * r->d + j].st;
    fprintf(f, "$S%zu << EOD\n", q);
    for (size_t j = 0; j < r->d; j++) {
        const sens_row *w = &r->rows[q * r->d + j];
        if (w->rank <= n)
            fprintf(f, "%zu %s %.6g %.6g %.6g %.6g %.6g %.6g\n", w->rank - 1,
                    sens_row_name(r, w), w->s1, w->s1_lo, w->s1_hi, w->st,
                    w->st_lo, w->st_hi);
    }
    fputs("EOD\n", f);
    fputs("set title ", f);
    gp_quote(f, out);
    fprintf(f, " . ': Sobol indices of the random params, first order and "
            "total (bootstrap 95%%)'");
    /* A chart of tiny bars on a tiny axis looks like an answer: say that
     * the params explain almost nothing and draw the axis to 1. */
    if (st_sum < SOBOL_LITTLE)
        fprintf(f, " . \"\\n\" . 'The random params together explain "
                "under %.0f%% of the variance (total indices sum to %.3f): "
                "the rest is the chance in the events themselves'",
                100 * SOBOL_LITTLE, st_sum);
    fprintf(f, "\nset xlabel ''\n"
            "set ylabel 'share of variance'\nset yrange [0:%s]\n"
            "set xrange [-0.7:%zu.7]\nset ytics auto\n"
            "set xtics rotate by 30 right\nset key default\nset key inside top right\n"
            "set boxwidth 0.35\nset style fill solid 0.85 noborder\n"
            "plot $S%zu using ($1-0.18):3:xtic(2) with boxes lc rgb '#88ccee' title 'first order', \\\n"
            "  '' using ($1+0.18):6 with boxes lc rgb '#332288' title 'total', \\\n"
            "  '' using ($1-0.18):3:4:5 with yerrorbars lc rgb 'black' pt 0 notitle, \\\n"
            "  '' using ($1+0.18):6:7:8 with yerrorbars lc rgb 'black' pt 0 notitle\n"
            "set ylabel ''\nset xtics norotate\nset yrange [*:*]\n",
            st_sum < SOBOL_LITTLE ? "1" : "*", n ? n - 1 : 0, q);
}

/* `set AXISrange` around the one value of output Q's sweep when it does
 * not vary (BAND: with its 95% interval), where gnuplot would warn of an
 * empty range and pick one itself. */
static void sweep_flat_range(FILE *f, const sweep_result *r, size_t q,
                             const char *axis, int band)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t p = 0; p < r->n_points; p++) {
        const sweep_cell *c = &r->cells[p * r->n_out + q];
        double h = band ? NCG_Z95 * c->se : 0;
        lo = fmin(lo, c->mean - h);
        hi = fmax(hi, c->mean + h);
    }
    if (!(hi > lo) && isfinite(lo)) {
        double pad = fabs(lo) > 0 ? fabs(lo) * 0.1 : 1;
        fprintf(f, "set %srange [%.10g:%.10g]\n", axis, lo - pad, hi + pad);
    }
}

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

int sens_plot_sensitivity(const sens_result *r, const char *dir,
                          const plot_opts *o, diag *d)
{
    gp_job j;
    if (gp_charts_begin(&j, dir, o, d) != 0)
        return NCG_ERR_IO;
    for (size_t q = 0; q < r->n_out && !j.failed; q++) {
        const char *out = r->m->vars[r->m->outputs[r->outputs[q]]].name;
        /* Long param names need a wide canvas. */
        FILE *f = chart_open(&j, "tornado", out, "the largest swings, one "
                             "param at a time", 1000, 640);
        if (f) {
            tornado(f, r, q);
            chart_close(&j, f, "tornado", out);
        }
        /* Without variance the indices are NaN, and a plot of nothing
         * is a gnuplot error. */
        if (r->d > 0 && r->variance[q] > 0
            && (f = chart_open(&j, "sobol", out, "Sobol indices of the "
                               "random params", 1000, 640)) != NULL) {
            sobol(f, r, q);
            chart_close(&j, f, "sobol", out);
        }
    }
    return gp_charts_end(&j, o);
}

int sens_plot_sweep(const sweep_result *r, const char *dir,
                    const plot_opts *o, diag *d)
{
    gp_job j;
    if (gp_charts_begin(&j, dir, o, d) != 0)
        return NCG_ERR_IO;
    for (size_t q = 0; q < r->n_out && !j.failed; q++) {
        const char *out = r->m->vars[r->m->outputs[q]].name;
        FILE *f = chart_open(&j, "sweep", out, r->n_axes == 1 ? "the output "
                             "against the varied setting" : "the output over "
                             "the grid of two settings", 900, 560);
        if (!f)
            break;
        /* One line per point, in sweep.csv's order and with its numbers:
         * value(s) of the axes, mean, 95% interval. */
        fprintf(f, "$S%zu << EOD\n", q);
        for (size_t p = 0; p < r->n_points; p++) {
            const sweep_cell *c = &r->cells[p * r->n_out + q];
            fprintf(f, "%.12g", sweep_point_value(r, p, 0));
            if (r->n_axes == 2)
                fprintf(f, " %.12g", sweep_point_value(r, p, 1));
            fprintf(f, " %.6g %.6g %.6g\n", c->mean,
                    c->mean - NCG_Z95 * c->se,
                    c->mean + NCG_Z95 * c->se);
        }
        fputs("EOD\n", f);
        fputs("set title ", f);
        gp_quote(f, out);
        fputs(r->m->vars[r->m->outputs[q]].kind == VAR_EVENT
              ? " . ': probability that it happened by the end"
              : " . ': mean at the last step", f);
        /* A heatmap shows no interval: its title promises none. */
        fputs(r->n_axes == 1 ? " (95% band; common random numbers)'\n"
                             : " (one cell per point; common random "
                               "numbers; intervals in sweep.csv)'\n", f);
        fputs("set xlabel ", f);
        gp_quote(f, r->axes[0].path);
        if (r->n_axes == 1) {
            fputs("\nset ylabel ", f);
            gp_quote(f, out);
            fputc('\n', f);
            sweep_flat_range(f, r, q, "y", 1);
            fprintf(f, "plot $S%zu using 1:3:4 with filledcurves "
                    "fc rgb '#aaccee' title '95%%', \\\n"
                    "  '' using 1:2 with linespoints lc rgb '#225588' pt 7 "
                    "title 'mean'\n", q);
        } else {
            /* `with image` draws one cell centred on every grid point (pm3d
             * would join the points into quads and drop the last row and
             * column); the value is written in the cell when it fits. */
            const sweep_axis *ax = r->axes;
            fputs("\nset ylabel ", f);
            gp_quote(f, ax[1].path);
            fputs("\nset cblabel ", f);
            gp_quote(f, out);
            fprintf(f, "\nset xrange [%.12g:%.12g]\nset yrange [%.12g:%.12g]"
                    "\nset palette cubehelix\nset grid noxtics noytics\n"
                    "set style textbox opaque noborder\n",
                    fmin(ax[0].from, sweep_value(&ax[0], ax[0].n - 1)) - fabs(ax[0].step) / 2,
                    fmax(ax[0].from, sweep_value(&ax[0], ax[0].n - 1)) + fabs(ax[0].step) / 2,
                    fmin(ax[1].from, sweep_value(&ax[1], ax[1].n - 1)) - fabs(ax[1].step) / 2,
                    fmax(ax[1].from, sweep_value(&ax[1], ax[1].n - 1)) + fabs(ax[1].step) / 2);
            for (int a = 0; a < 2; a++)
                fprintf(f, "set %ctics %.12g, %.12g, %.12g\n", "xy"[a],
                        ax[a].from, ax[a].step, sweep_value(&ax[a], ax[a].n - 1));
            sweep_flat_range(f, r, q, "cb", 0);
            fprintf(f, "plot $S%zu using 1:2:3 with image notitle", q);
            if (ax[0].n <= 12 && ax[1].n <= 24)
                fputs(", \\\n  '' using 1:2:(sprintf('%.3g', $3)) with labels "
                      "boxed notitle", f);
            fputs("\nset xrange [*:*]\nset yrange [*:*]\nset grid\n"
                  "set xtics autofreq\nset ytics autofreq\n", f);
        }
        chart_close(&j, f, "sweep", out);
    }
    return gp_charts_end(&j, o);
}

/* discover_plot.c: the charts of scenario discovery (trade-off, box limits, scatter) and of policy robustness (regret, satisficing), through the plot module's one gnuplot back end (gp.c). */
#include "plot/discover_plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ncgsim.h"
#include "base/status.h"
#include "io/output.h"
#include "io/table.h"
#include "plot/gp.h"

/* The chart's title: the case, shortened to fit. */
static void title_case(FILE *f, const char *what, const char *expr)
{
    char buf[200];
    if (!expr)
        expr = "";
    if (strlen(expr) > 90)
        snprintf(buf, sizeof buf, "%s: %.90s...", what, expr);
    else
        snprintf(buf, sizeof buf, "%s: %s", what, expr);
    fputs("set title ", f);
    gp_quote(f, buf);
    fputc('\n', f);
}

/* The trade-off chart of the boxes in discovery.csv and boxes.csv beside
 * it: MAXDIM the most restricted inputs of a box; CASE the case of
 * interest, or NULL when not known. */
static void tradeoff_script(FILE *f, size_t maxdim, const char *expr)
{
    fputs("set grid\n", f);
    if (expr)
        title_case(f, "Boxes for", expr);
    else
        fputs("set title 'Boxes found by scenario discovery'\n", f);
    fputs("set xlabel 'coverage: share of all cases of interest inside the "
          "box'\nset ylabel 'density: share of the box''s trials that are "
          "cases'\nset xrange [0:1.05]\nset yrange [0:1.05]\n"
          "set cblabel 'restricted inputs'\n", f);
    fprintf(f, "set cbrange [-0.5:%zu.5]\nset cbtics 1\n"
            "set palette maxcolors %zu\n"
            "set palette defined (0 '#fde725', 0.5 '#21918c', 1 '#440154')\n",
            maxdim, maxdim + 1);
    fputs("set key bottom left\n", f);
    fputs("plot 'discovery.csv' skip 1 using 5:6:8 with points pt 7 ps 1.2 "
          "lc palette title 'a box of the peeling trajectory', \\\n"
          "     'boxes.csv' skip 1 using 5:6 with points pt 6 ps 3 lw 2 "
          "lc rgb 'black' title 'chosen box', \\\n"
          "     'boxes.csv' skip 1 using 5:6:(sprintf('box %d (sequence %d)', $2, $1)) "
          "with labels offset 0,1.6 notitle\n", f);
}

static void tradeoff(FILE *f, const discover_result *r)
{
    size_t maxdim = 0;
    for (size_t q = 0; q < r->n_seq; q++)
        for (size_t s = 0; s < r->seq[q].traj.n_steps; s++)
            if (r->seq[q].traj.step[s].res_dim > maxdim)
                maxdim = r->seq[q].traj.step[s].res_dim;
    tradeoff_script(f, maxdim, r->case_expr);
}

/* Index of input I among the chosen box's restricted inputs, sorted by
 * their smallest quasi-p (most significant first); fills IDX. */
static size_t restricted_sorted(const discover_result *r, size_t *idx)
{
    const discover_seq *sq = &r->seq[0];
    size_t m = 0;
    for (size_t i = 0; i < r->n_in; i++)
        if (prim_restricted(r->p, &sq->traj, sq->chosen, i))
            idx[m++] = i;
    for (size_t a = 1; a < m; a++)
        for (size_t b = a; b > 0; b--) {
            const double *x = sq->qp + 2 * idx[b], *y = sq->qp + 2 * idx[b - 1];
            double px = fmin(x[0] < 0 ? 2 : x[0], x[1] < 0 ? 2 : x[1]);
            double py = fmin(y[0] < 0 ? 2 : y[0], y[1] < 0 ? 2 : y[1]);
            if (!(px < py))
                break;
            size_t t = idx[b];
            idx[b] = idx[b - 1];
            idx[b - 1] = t;
        }
    return m;
}

/* limits.dat: one line per restricted input of box 1's chosen box, most
 * significant on top: row, normalised lower and upper limit, the limits
 * as text, the label. */
static int limits(FILE *f, const discover_result *r, const char *dir,
                  const size_t *idx, size_t m, diag *d)
{
    FILE *g = output_open(dir, "limits.dat", d);
    const discover_seq *sq = &r->seq[0];
    char lo[1024], hi[1024];
    if (!g)
        return -1;
    for (size_t j = 0; j < m; j++) {
        size_t i = idx[j];
        double a, b, nl = 0, nh = 1;
        prim_init_limits(r->p, i, &a, &b);
        const double *lim = sq->traj.lim + sq->chosen * 2 * r->n_in + 2 * i;
        discover_limit(r, 0, sq->chosen, i, 0, lo, sizeof lo);
        discover_limit(r, 0, sq->chosen, i, 1, hi, sizeof hi);
        if (r->data.kind[i] != PRIM_CAT && b > a) {
            nl = (lim[0] - a) / (b - a);
            nh = (lim[1] - a) / (b - a);
            snprintf(lo, sizeof lo, "%.4g", lim[0]);
            snprintf(hi, sizeof hi, "%.4g", lim[1]);
        }
        char qp[64];
        const double *p = sq->qp + 2 * i;
        if (r->data.kind[i] == PRIM_CAT)
            snprintf(qp, sizeof qp, "qp %.2g", p[0]);
        else if (p[0] >= 0 && p[1] >= 0)
            snprintf(qp, sizeof qp, "qp %.2g, %.2g", p[0], p[1]);
        else
            snprintf(qp, sizeof qp, "qp %.2g", p[0] >= 0 ? p[0] : p[1]);
        char ra[64], rb[64];
        snprintf(ra, sizeof ra, "%.4g", a);
        snprintf(rb, sizeof rb, "%.4g", b);
        fprintf(g, "%zu\t%.10g\t%.10g\t\"%s\"\t\"%s\"\t\"%s (%s)\"\t\"%s\"\t"
                "\"%s\"\t%d\t%d\n", m - j, nl, nh,
                r->data.kind[i] == PRIM_CAT ? "" : lo,
                r->data.kind[i] == PRIM_CAT ? "" : hi,
                discover_input_name(r, i), qp,
                r->data.kind[i] == PRIM_CAT ? "" : ra,
                r->data.kind[i] == PRIM_CAT ? "" : rb,
                r->data.kind[i] != PRIM_CAT && lim[0] != a,
                r->data.kind[i] != PRIM_CAT && lim[1] != b);
        if (r->data.kind[i] == PRIM_CAT) {
            /* the kept categories under the bar */
            fprintf(g, "# in {%s}\n", lo);
        }
    }
    if (output_close(g, dir, "limits.dat", d) != 0)
        return -1;
    const prim_step *st = &sq->traj.step[sq->chosen];
    fputs("unset grid\nset datafile separator '\\t'\n", f);
    title_case(f, "Box 1 for", r->case_expr);
    fprintf(f, "set label 1 sprintf('box %zu: %zu trials, density %.2f, "
            "coverage %.2f', %zu) at graph 0.5, graph -0.06 center\n",
            sq->chosen, st->n, st->density, st->coverage, sq->chosen);
    fprintf(f, "set xrange [-0.25:1.25]\nset yrange [0.3:%zu.7]\n"
            "unset xtics\nset ytics scale 0\nset border 0\n"
            "set lmargin 36\nset bmargin 4\n", m);
    fputs("plot 'limits.dat' using (0.5):1:(0.5):(0.32):ytic(6) with "
          "boxxyerror fs solid 0.25 lc rgb '#bbbbbb' notitle, \\\n"
          "     '' using (($2+$3)/2):1:(($3-$2)/2):(0.22) with boxxyerror "
          "fs solid 0.8 lc rgb '#2166ac' title 'the box', \\\n"
          "     '' using 2:($1-0.42):($9 != 0 ? strcol(4) : '') with labels "
          "tc rgb '#2166ac' notitle, \\\n"
          "     '' using 3:($1-0.42):($10 != 0 ? strcol(5) : '') with labels "
          "tc rgb '#2166ac' notitle, \\\n"
          "     '' using (-0.02):1:7 with labels right notitle, \\\n"
          "     '' using (1.02):1:8 with labels left notitle\n", f);
    return 0;
}

/* scatter.dat: the two inputs and the case flag of every row. */
static int scatter(FILE *f, const discover_result *r, const char *dir,
                   size_t a, size_t b, diag *d)
{
    FILE *g = output_open(dir, "scatter.dat", d);
    const size_t n = r->data.n_rows;
    const double *xa = r->data.x + a * n, *xb = r->data.x + b * n;
    if (!g)
        return -1;
    for (size_t i = 0; i < n; i++)
        fprintf(g, "%.10g\t%.10g\t%d\n", xa[i], xb[i], r->data.y[i]);
    if (output_close(g, dir, "scatter.dat", d) != 0)
        return -1;
    const discover_seq *sq = &r->seq[0];
    const double *la = sq->traj.lim + sq->chosen * 2 * r->n_in + 2 * a;
    const double *lb = sq->traj.lim + sq->chosen * 2 * r->n_in + 2 * b;
    fputs("set grid\nset datafile separator '\\t'\n", f);
    title_case(f, "Box 1 for", r->case_expr);
    fputs("set xlabel ", f);
    gp_quote(f, discover_input_name(r, a));
    fputs("\nset ylabel ", f);
    gp_quote(f, discover_input_name(r, b));
    fprintf(f, "\nset object 1 rect from %.10g,%.10g to %.10g,%.10g front "
            "fs empty border lc rgb '#2166ac' lw 3\n", la[0], lb[0], la[1],
            lb[1]);
    fputs("set key outside top center horizontal\n"
          "plot 'scatter.dat' using 1:($3 == 0 ? $2 : 1/0) with points pt 7 "
          "ps 0.5 lc rgb '#bbbbbb' title 'other trials', \\\n"
          "     '' using 1:($3 == 1 ? $2 : 1/0) with points pt 7 ps 0.6 "
          "lc rgb '#d6604d' title 'case of interest', \\\n"
          "     1/0 with lines lw 3 lc rgb '#2166ac' title 'box 1'\n", f);
    return 0;
}

int discover_plot(const discover_result *r, const char *dir,
                  const plot_opts *o, diag *d)
{
    size_t *idx = malloc((r->n_in ? r->n_in : 1) * sizeof *idx);
    gp_job j;
    FILE *f;
    if (!idx) {
        diag_add(d, dir, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    if (gp_charts_begin(&j, dir, o, d) != 0) {
        free(idx);
        return NCG_ERR_IO;
    }
    if ((f = gp_script_open(&j, "tradeoff", "coverage against density of "
                            "every box found", 900, 600))) {
        tradeoff(f, r);
        gp_script_close(&j, f, "tradeoff");
    }
    size_t m = restricted_sorted(r, idx);
    if (m > 0 && (f = gp_script_open(&j, "limits", "the chosen box's limits "
                                     "against each input's range", 900,
                                     600))) {
        if (limits(f, r, dir, idx, m, d) != 0)
            j.failed = 1;
        gp_script_close(&j, f, "limits");
    }
    /* The scatter needs two numeric inputs: the most significant
     * restricted ones, else the next input in order. */
    size_t pick[2], np = 0;
    for (size_t k = 0; k < m && np < 2; k++)
        if (r->data.kind[idx[k]] != PRIM_CAT)
            pick[np++] = idx[k];
    for (size_t i = 0; i < r->n_in && np == 1; i++)
        if (r->data.kind[i] != PRIM_CAT && i != pick[0])
            pick[np++] = i;
    if (np == 2 && (f = gp_script_open(&j, "scatter", "the two most "
                                       "significant restricted inputs, box "
                                       "drawn", 900, 600))) {
        if (scatter(f, r, dir, pick[0], pick[1], d) != 0)
            j.failed = 1;
        gp_script_close(&j, f, "scatter");
    }
    free(idx);
    return gp_charts_end(&j, o);
}

int discover_plot_files(const char *dir, const plot_opts *o, diag *d)
{
    char *path = output_path(dir, "discovery.csv");
    table t = { 0 };
    gp_job j;
    FILE *f;
    int rc = path ? table_read(path, &t, d) : NCG_ERR_NOMEM;
    long c = rc == 0 ? table_find(&t, "res_dim") : 0;
    if (c < 0) {
        diag_add(d, path, 0, NULL, "no column 'res_dim'");
        rc = NCG_ERR_IO;
    }
    size_t maxdim = 0;
    for (size_t i = 0; rc == 0 && i < t.nrow; i++) {
        double x = strtod(table_cell(&t, i, (size_t)c), NULL);
        if (x > (double)maxdim)
            maxdim = (size_t)x;
    }
    table_free(&t);
    free(path);
    if (rc != 0 || (rc = gp_charts_begin(&j, dir, o, d)) != 0)
        return rc;
    if ((f = gp_script_open(&j, "tradeoff", "coverage against density of "
                            "every box found", 900, 600))) {
        tradeoff_script(f, maxdim, NULL);
        gp_script_close(&j, f, "tradeoff");
    }
    return gp_job_end(&j, o ? o->result : NULL);
}

/* "regret.dat" and "satisficing.dat": one block per outcome or condition
 * (blank lines between, for `index`): row, policy, figures. */
static int robust_data(const robust_result *r, const char *dir, diag *d)
{
    FILE *g = output_open(dir, "regret.dat", d);
    if (!g)
        return -1;
    for (size_t k = 0; k < r->n_goals; k++) {
        for (size_t p = 0; p < r->n_pol; p++) {
            const robust_cell *c = &r->cell[p * r->n_goals + k];
            fprintf(g, "%zu\t\"%s\"\t%.10g\t%.10g\t%.10g\n", r->n_pol - p,
                    r->policy[p], c->regret_mean, c->regret_p90, c->mean);
        }
        fputs("\n\n", g);
    }
    if (output_close(g, dir, "regret.dat", d) != 0)
        return -1;
    if (!(g = output_open(dir, "satisficing.dat", d)))
        return -1;
    double n = (double)r->trials;
    for (size_t k = 0; k < r->n_conds; k++) {
        for (size_t p = 0; p < r->n_pol; p++) {
            double s = r->share[p * r->n_conds + k];
            fprintf(g, "%zu\t\"%s\"\t%.10g\t%.10g\n", r->n_pol - p,
                    r->policy[p], 100 * s,
                    n > 1 ? 196 * sqrt(s * (1 - s) / (n - 1)) : 0.0);
        }
        fputs("\n\n", g);
    }
    return output_close(g, dir, "satisficing.dat", d);
}

/* One horizontal-bar panel per block of FILE (column 3 the bar; MARK: a
 * mark at column 4; otherwise an error bar of half-width column 4). */
static void bar_panels(FILE *f, const char *file, size_t blocks,
                       size_t n_pol, char *const *titles, const char *xlabel,
                       int mark, const int *more_better)
{
    fputs("set datafile separator '\\t'\nset grid noytics xtics\n"
          "set key outside right top\nset ytics scale 0\nset lmargin 30\n"
          "set offsets 0, graph 0.06, 0, 0\n", f);
    fputs(mark ? "set xrange [0:*]\n" : "set xrange [0:100]\n", f);
    fprintf(f, "set multiplot layout %zu,1\n", blocks);
    for (size_t k = 0; k < blocks; k++) {
        char t[300];
        snprintf(t, sizeof t, "%s%s%s", titles[k], more_better
                 ? (more_better[k] ? " (more is better)" : " (less is better)")
                 : "", "");
        gp_title(f, t, NULL);
        fprintf(f, "set yrange [0.4:%zu.6]\nset xlabel ", n_pol);
        gp_quote(f, xlabel);
        fputc('\n', f);
        fprintf(f, "plot '%s' index %zu using ($3/2):1:($3/2):(0.3):ytic(2) "
                "with boxxyerror fs solid 0.7 lc rgb '#2166ac' title %s",
                file, k, mark ? "'mean regret'" : "'share of trials'");
        if (mark)
            fprintf(f, ", \\\n     '' index %zu using 4:1 with points pt 9 "
                    "ps 2 lc rgb '#b2182b' title '90th percentile of "
                    "regret'", k);
        else
            fprintf(f, ", \\\n     '' index %zu using 3:1:($3-$4):($3+$4) "
                    "with xerrorbars pt 7 ps 0.5 lc rgb 'black' title '95%% "
                    "interval'", k);
        fputc('\n', f);
    }
    fputs("unset multiplot\n", f);
}

int discover_plot_robust(const robust_result *r, const char *dir,
                         const plot_opts *o, diag *d)
{
    gp_job j;
    FILE *f;
    if (robust_data(r, dir, d) != 0)
        return NCG_ERR_IO;
    if (gp_charts_begin(&j, dir, o, d) != 0)
        return NCG_ERR_IO;
    int h = (int)(120 + r->n_goals * (80 + 28 * r->n_pol));
    if (r->n_goals > 0 && (f = gp_script_open(&j, "regret", "each policy's "
                                              "regret per outcome", 900, h))) {
        bar_panels(f, "regret.dat", r->n_goals, r->n_pol, r->goal,
                   "regret: loss against the best policy in the same trial",
                   1, r->maximize);
        gp_script_close(&j, f, "regret");
    }
    h = (int)(120 + r->n_conds * (80 + 28 * r->n_pol));
    if (r->n_conds > 0 && (f = gp_script_open(&j, "satisficing", "each "
                                              "policy's share of trials "
                                              "meeting each condition", 900,
                                              h))) {
        bar_panels(f, "satisficing.dat", r->n_conds, r->n_pol, r->cond,
                   "% of trials meeting the condition", 0, NULL);
        gp_script_close(&j, f, "satisficing");
    }
    return gp_charts_end(&j, o);
}

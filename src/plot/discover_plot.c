/* discover_plot.c: the charts of scenario discovery (trade-off, box limits, scatter) and of policy robustness (regret, satisficing), through the plot module's one gnuplot back end (gp.c). */
#include "plot/discover_plot.h"

#include <errno.h>
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
          "set format x '%.1f'\nset format y '%.1f'\nset format cb '%.0f'\n"
          "set cblabel 'restricted inputs' offset 1,0\nset rmargin 12\n"
          "set colorbox user origin graph 1.02, graph 0 size graph 0.03, "
          "graph 1\n", f);
    fprintf(f, "set cbrange [-0.5:%zu.5]\nset cbtics 1\n"
            "set palette maxcolors %zu\n"
            "set palette defined (0 '#fde725', 0.5 '#21918c', 1 '#440154')\n",
            maxdim, maxdim + 1);
    /* Inside, where the trajectory never goes (low coverage and
     * density): below the plot it crowded the axis label. */
    fputs("set key inside bottom left vertical Left reverse nobox\n", f);
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

/* One restricted input of a chosen box, as the limits chart shows it. */
typedef struct limit_row {
    const char *name;          /* the input (borrowed) */
    int cat;                   /* 1: a category input (no numeric limits) */
    double a, b;               /* the input's range over the whole data */
    double lo, hi;             /* the box's limits */
    double qp[2];              /* quasi-p of the lower and upper limit, or
                                  negative when that side is not limited */
    const char *kept;          /* a category input: the labels kept */
} limit_row;

/* A quasi-p value as the chart shows it: three decimals, or "< 0.001"
 * (an exponent would read as noise to most readers). */
static void qp_text(char *buf, size_t n, double p)
{
    if (p < 0.001)
        snprintf(buf, n, "< 0.001");
    else
        numfmt_fixed(buf, n, p, 3, 0);
}

/* Writes row Y (1 at the bottom) of limits.dat for W: row, normalised
 * lower and upper limit, the limits as text, the label, the range as
 * text, whether each side is limited. Numbers in fixed notation, to a
 * hundredth of the input's range. */
static void limits_line(FILE *g, size_t y, const limit_row *w)
{
    double nl = 0, nh = 1;
    char lo[64] = "", hi[64] = "", ra[64] = "", rb[64] = "", qp[64];
    char p0[16], p1[16];
    if (!w->cat && w->b > w->a) {
        nl = (w->lo - w->a) / (w->b - w->a);
        nh = (w->hi - w->a) / (w->b - w->a);
    }
    if (!w->cat) {
        int dec = numfmt_tic_decimals(w->b > w->a ? (w->b - w->a) / 100
                                                  : fabs(w->a) / 100);
        numfmt_fixed(lo, sizeof lo, w->lo, dec, 0);
        numfmt_fixed(hi, sizeof hi, w->hi, dec, 0);
        numfmt_fixed(ra, sizeof ra, w->a, dec, 0);
        numfmt_fixed(rb, sizeof rb, w->b, dec, 0);
    }
    qp_text(p0, sizeof p0, w->qp[0]);
    qp_text(p1, sizeof p1, w->qp[1]);
    if (w->cat)
        snprintf(qp, sizeof qp, "qp %s", p0);
    else if (w->qp[0] >= 0 && w->qp[1] >= 0)
        snprintf(qp, sizeof qp, "qp %s, %s", p0, p1);
    else
        snprintf(qp, sizeof qp, "qp %s", w->qp[0] >= 0 ? p0 : p1);
    fprintf(g, "%zu\t%.10g\t%.10g\t\"%s\"\t\"%s\"\t\"%s (%s)\"\t\"%s\"\t"
            "\"%s\"\t%d\t%d\n", y, nl, nh, lo, hi, w->name, qp, ra, rb,
            !w->cat && w->lo != w->a, !w->cat && w->hi != w->b);
    if (w->cat)                /* the kept categories under the bar */
        fprintf(g, "# in {%s}\n", w->kept ? w->kept : "");
}

/* The limits chart of limits.dat (M rows): box BOX of N trials with its
 * density and coverage; CASE the case of interest, or NULL. */
static void limits_script(FILE *f, const char *expr, size_t box, size_t n,
                          double density, double coverage, size_t m)
{
    fputs("unset grid\nset datafile separator '\\t'\n", f);
    if (expr)
        title_case(f, "Box 1 for", expr);
    else
        fputs("set title 'Box 1 of scenario discovery'\n", f);
    fprintf(f, "set label 1 sprintf('box %zu: %zu trials, density %.2f, "
            "coverage %.2f', %zu) at graph 0.5, graph -0.06 center\n",
            box, n, density, coverage, box);
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
}

/* limits.dat: one line per restricted input of box 1's chosen box, most
 * significant on top; then its script into F. */
static int limits(FILE *f, const discover_result *r, const char *dir,
                  const size_t *idx, size_t m, diag *d)
{
    FILE *g = output_open(dir, "limits.dat", d);
    const discover_seq *sq = &r->seq[0];
    char kept[1024];
    if (!g)
        return -1;
    for (size_t j = 0; j < m; j++) {
        size_t i = idx[j];
        const double *lim = sq->traj.lim + sq->chosen * 2 * r->n_in + 2 * i;
        limit_row w = { .name = discover_input_name(r, i),
                        .cat = r->data.kind[i] == PRIM_CAT,
                        .lo = lim[0], .hi = lim[1],
                        .qp = { sq->qp[2 * i], sq->qp[2 * i + 1] },
                        .kept = kept };
        prim_init_limits(r->p, i, &w.a, &w.b);
        discover_limit(r, 0, sq->chosen, i, 0, kept, sizeof kept);
        limits_line(g, m - j, &w);
    }
    if (output_close(g, dir, "limits.dat", d) != 0)
        return -1;
    const prim_step *st = &sq->traj.step[sq->chosen];
    limits_script(f, r->case_expr, sq->chosen, st->n, st->density,
                  st->coverage, m);
    return 0;
}

/* What the scatter chart shows besides the trials: written at the head
 * of scatter.dat, so that the chart is redrawn from that file alone. */
typedef struct scatter_head {
    const char *expr;    /* the case of interest (borrowed) */
    const char *name[2]; /* the inputs on the x and y axes (borrowed) */
    double box[4];    /* the chosen box on them: x from, x to, y from, y to */
} scatter_head;

/* The lines that start scatter.dat (gnuplot skips them as comments). */
static const char *const scatter_tags[] = { "# case: ", "# inputs: ",
                                            "# box: " };

/* Writes S with its line ends as spaces (it is one line of the head). */
static void scatter_text(FILE *g, const char *s)
{
    for (; *s; s++)
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, g);
}

static void scatter_head_write(FILE *g, const scatter_head *h)
{
    fputs(scatter_tags[0], g);
    scatter_text(g, h->expr ? h->expr : "");
    fputs("\n", g);
    fputs(scatter_tags[1], g);
    scatter_text(g, h->name[0]);
    fputc('\t', g);
    scatter_text(g, h->name[1]);
    fprintf(g, "\n%s%.17g\t%.17g\t%.17g\t%.17g\n", scatter_tags[2],
            h->box[0], h->box[1], h->box[2], h->box[3]);
}

/* The scatter chart of scatter.dat described by H. */
static void scatter_script(FILE *f, const scatter_head *h)
{
    fputs("set grid\nset datafile separator '\\t'\n", f);
    title_case(f, "Box 1 for", h->expr);
    fputs("set xlabel ", f);
    gp_quote(f, h->name[0]);
    fputs("\nset ylabel ", f);
    gp_quote(f, h->name[1]);
    /* Tics in fixed notation with the decimals the box's sides need: the
     * box lies within the data, so its span is no wider than the axis
     * (the same from scatter.dat's head alone). */
    fputc('\n', f);
    gp_axis_format(f, "x", h->box[0], h->box[1]);
    gp_axis_format(f, "y", h->box[2], h->box[3]);
    fprintf(f, "set object 1 rect from %.10g,%.10g to %.10g,%.10g front "
            "fs empty border lc rgb '#2166ac' lw 3\n", h->box[0], h->box[2],
            h->box[1], h->box[3]);
    fputs("set key outside top center horizontal\n"
          "plot 'scatter.dat' using 1:($3 == 0 ? $2 : 1/0) with points pt 7 "
          "ps 0.5 lc rgb '#bbbbbb' title 'other trials', \\\n"
          "     '' using 1:($3 == 1 ? $2 : 1/0) with points pt 7 ps 0.6 "
          "lc rgb '#d6604d' title 'case of interest', \\\n"
          "     1/0 with lines lw 3 lc rgb '#2166ac' title 'box 1'\n", f);
}

/* scatter.dat: its head, then the two inputs and the case flag of every
 * row; then its script into F. */
static int scatter(FILE *f, const discover_result *r, const char *dir,
                   size_t a, size_t b, diag *d)
{
    FILE *g = output_open(dir, "scatter.dat", d);
    const size_t n = r->data.n_rows;
    const double *xa = r->data.x + a * n, *xb = r->data.x + b * n;
    const discover_seq *sq = &r->seq[0];
    const double *la = sq->traj.lim + sq->chosen * 2 * r->n_in + 2 * a;
    const double *lb = sq->traj.lim + sq->chosen * 2 * r->n_in + 2 * b;
    scatter_head h = { r->case_expr,
                       { discover_input_name(r, a),
                         discover_input_name(r, b) },
                       { la[0], la[1], lb[0], lb[1] } };
    if (!g)
        return -1;
    scatter_head_write(g, &h);
    for (size_t i = 0; i < n; i++)
        fprintf(g, "%.10g\t%.10g\t%d\n", xa[i], xb[i], r->data.y[i]);
    if (output_close(g, dir, "scatter.dat", d) != 0)
        return -1;
    scatter_script(f, &h);
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

/* Cell (R, C) of T as a number in *X; 0 when it is one, else -1. */
static int files_number(const table *t, size_t r, long c, double *x)
{
    const char *s = c >= 0 ? table_cell(t, r, (size_t)c) : "";
    char *end;
    *x = strtod(s, &end);
    return *s && *end == '\0' ? 0 : -1;
}

/* The columns of boxes.csv the limits chart reads. */
enum { B_SEQ, B_BOX, B_N, B_COVERAGE, B_DENSITY, B_INPUT, B_MIN, B_MAX,
       B_DATA_MIN, B_DATA_MAX, B_QP_LO, B_QP_HI, B_COLS };
static const char *const box_cols[B_COLS] = { "sequence", "box", "n",
    "coverage", "density", "input", "min", "max", "data_min", "data_max",
    "qp_lower", "qp_upper" };

/* Row R of boxes.csv T (columns C) as a limits row. */
static limit_row limits_of_row(const table *t, size_t r, const long *c)
{
    limit_row w = { .name = table_cell(t, r, (size_t)c[B_INPUT]),
                    .kept = table_cell(t, r, (size_t)c[B_MIN]) };
    w.cat = files_number(t, r, c[B_MIN], &w.lo) != 0
            || files_number(t, r, c[B_MAX], &w.hi) != 0
            || files_number(t, r, c[B_DATA_MIN], &w.a) != 0
            || files_number(t, r, c[B_DATA_MAX], &w.b) != 0;
    for (int k = 0; k < 2; k++)
        if (files_number(t, r, c[B_QP_LO + k], &w.qp[k]) != 0)
            w.qp[k] = -1;
    return w;
}

/* The smallest quasi-p of W (2 for a side not limited). */
static double limits_p(const limit_row *w)
{
    return fmin(w->qp[0] < 0 ? 2 : w->qp[0], w->qp[1] < 0 ? 2 : w->qp[1]);
}

/* limits.dat and limits.gp (into J) from boxes.csv T (columns C): the
 * first sequence's chosen box; EXPR the case of interest, or NULL. 0, or
 * -1 with a message in D. */
static int limits_files(gp_job *j, const table *t, const long *c,
                        const char *expr, const char *dir, diag *d)
{
    limit_row *w = malloc((t->nrow + 1) * sizeof *w);
    size_t m = 0, first = 0;
    if (!w) {
        diag_add(d, dir, 0, NULL, "out of memory");
        return -1;
    }
    for (size_t r = 0; r < t->nrow; r++)
        if (strcmp(table_cell(t, r, (size_t)c[B_SEQ]), "1") == 0
            && *table_cell(t, r, (size_t)c[B_INPUT])) {
            if (m == 0)
                first = r;
            limit_row x = limits_of_row(t, r, c);
            size_t k = m++;          /* most significant first, stable */
            for (; k > 0 && limits_p(&x) < limits_p(&w[k - 1]); k--)
                w[k] = w[k - 1];
            w[k] = x;
        }
    FILE *g = m ? output_open(dir, "limits.dat", d) : NULL, *f;
    int rc = m && !g ? -1 : 0;
    for (size_t k = 0; g && k < m; k++)
        limits_line(g, m - k, &w[k]);
    if (g && output_close(g, dir, "limits.dat", d) != 0)
        rc = -1;
    double box, n, density, coverage;
    if (rc == 0 && m > 0
        && files_number(t, first, c[B_BOX], &box) == 0
        && files_number(t, first, c[B_N], &n) == 0
        && files_number(t, first, c[B_DENSITY], &density) == 0
        && files_number(t, first, c[B_COVERAGE], &coverage) == 0
        && (f = gp_script_open(j, "limits", "the chosen box's limits "
                               "against each input's range", 900, 600))) {
        limits_script(f, expr, (size_t)box, (size_t)n, density, coverage, m);
        gp_script_close(j, f, "limits");
    }
    free(w);
    return rc;
}

/* The most restricted inputs of any box in discovery.csv in DIR into
 * *MAXDIM. 0, or an ncg_status with a message. */
static int tradeoff_files(const char *dir, size_t *maxdim, diag *d)
{
    char *path = output_path(dir, "discovery.csv");
    table t = { 0 };
    int rc = path ? table_read(path, &t, d) : NCG_ERR_NOMEM;
    long c = rc == 0 ? table_find(&t, "res_dim") : 0;
    if (c < 0) {
        diag_add(d, path, 0, NULL, "no column 'res_dim'");
        rc = NCG_ERR_IO;
    }
    *maxdim = 0;
    for (size_t i = 0; rc == 0 && i < t.nrow; i++) {
        double x;
        if (files_number(&t, i, c, &x) == 0 && x > (double)*maxdim)
            *maxdim = (size_t)x;
    }
    table_free(&t);
    free(path);
    return rc;
}

/* Reads the head of scatter.dat in DIR into H, whose strings then point
 * into LINE[0..2] (malloc'd; the caller frees them, whatever the result).
 * 1 when the head is whole; 0 when there is no scatter.dat or it has no
 * head (no scatter chart, as in a folder written before the head was);
 * -1 with a message. */
static int scatter_head_read(const char *dir, scatter_head *h, char *line[3],
                             diag *d)
{
    char *path = output_path(dir, "scatter.dat");
    FILE *f = path ? fopen(path, "re") : NULL;
    int rc = 0, e = errno;
    size_t k = 0;
    for (; f && k < 3; k++) {
        size_t cap = 0;
        if (getline(&line[k], &cap, f) <= 0
            || strncmp(line[k], scatter_tags[k], strlen(scatter_tags[k])))
            break;
        line[k][strcspn(line[k], "\n")] = 0;
    }
    if (!path) {
        diag_add(d, dir, 0, NULL, "out of memory");
        rc = -1;
    } else if ((!f && e != ENOENT) || (f && ferror(f))) {
        diag_add(d, path, 0, NULL, "cannot read: %s", strerror(f ? errno : e));
        rc = -1;
    } else if (k == 3) {
        char *x = line[1] + strlen(scatter_tags[1]), *tab = strchr(x, '\t');
        char *end = line[2] + strlen(scatter_tags[2]);
        for (int b = 0; b < 4; b++)
            h->box[b] = strtod(end, &end);
        h->expr = line[0] + strlen(scatter_tags[0]);
        h->name[0] = x;
        h->name[1] = tab ? tab + 1 : NULL;
        rc = tab && *end == 0 ? 1 : -1;
        if (tab)
            *tab = 0;
        if (rc < 0)
            diag_add(d, path, 0, NULL, "its first three lines are not the "
                     "case, the two inputs and the box's limits");
    }
    if (f)
        fclose(f);
    free(path);
    return rc;
}

int discover_plot_files(const char *dir, const plot_opts *o, diag *d)
{
    char *path = output_path(dir, "boxes.csv"), *line[3] = { 0 };
    table t = { 0 };
    long c[B_COLS];
    size_t maxdim = 0;
    scatter_head h = { 0 };
    gp_job j;
    FILE *f;
    int rc = path ? table_read(path, &t, d) : NCG_ERR_NOMEM, head = 0;
    for (size_t k = 0; rc == 0 && k < B_COLS; k++)
        if ((c[k] = table_find(&t, box_cols[k])) < 0) {
            diag_add(d, path, 0, NULL, "no column '%s'", box_cols[k]);
            rc = NCG_ERR_IO;
        }
    if (rc == 0)
        rc = tradeoff_files(dir, &maxdim, d);
    if (rc == 0 && (head = scatter_head_read(dir, &h, line, d)) < 0)
        rc = NCG_ERR_IO;
    if (rc == 0)
        rc = gp_charts_begin(&j, dir, o, d);
    if (rc == 0) {
        if ((f = gp_script_open(&j, "tradeoff", "coverage against density "
                                "of every box found", 900, 600))) {
            tradeoff_script(f, maxdim, h.expr);
            gp_script_close(&j, f, "tradeoff");
        }
        if (limits_files(&j, &t, c, h.expr, dir, d) != 0)
            j.failed = 1;
        if (head && (f = gp_script_open(&j, "scatter", "the two most "
                                        "significant restricted inputs, box "
                                        "drawn", 900, 600))) {
            scatter_script(f, &h);
            gp_script_close(&j, f, "scatter");
        }
        rc = gp_job_end(&j, o ? o->result : NULL);
    }
    for (size_t k = 0; k < 3; k++)
        free(line[k]);
    table_free(&t);
    free(path);
    return rc;
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
 * mark at column 4; otherwise an error bar of half-width column 4). TOP:
 * per block, the largest figure drawn (NULL: percentages, 0 to 100). */
static void bar_panels(FILE *f, const char *file, size_t blocks,
                       size_t n_pol, char *const *titles, const char *xlabel,
                       int mark, const int *more_better, const double *top)
{
    fputs("set datafile separator '\\t'\nset grid noytics xtics\n"
          "set key outside right top\nset ytics scale 0\nset lmargin 30\n"
          "set offsets 0, graph 0.06, 0, 0\n", f);
    fprintf(f, "set multiplot layout %zu,1\n", blocks);
    for (size_t k = 0; k < blocks; k++) {
        char t[300];
        snprintf(t, sizeof t, "%s%s%s", titles[k], more_better
                 ? (more_better[k] ? " (more is better)" : " (less is better)")
                 : "", "");
        gp_title(f, t, NULL);
        /* A panel of zeros gets an axis to 1, not an empty range. */
        double x1 = !top ? 100 : top[k] > 0 ? top[k] * 1.05 : 1;
        fprintf(f, "set xrange [0:%.10g]\n", x1);
        gp_axis_format(f, "x", 0, x1);
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
    double *top = malloc((r->n_goals + 1) * sizeof *top);
    if (!top) {
        diag_add(d, dir, 0, NULL, "out of memory");
        return NCG_ERR_NOMEM;
    }
    if (gp_charts_begin(&j, dir, o, d) != 0) {
        free(top);
        return NCG_ERR_IO;
    }
    for (size_t k = 0; k < r->n_goals; k++) {
        top[k] = 0;
        for (size_t p = 0; p < r->n_pol; p++) {
            const robust_cell *c = &r->cell[p * r->n_goals + k];
            if (isfinite(c->regret_mean))
                top[k] = fmax(top[k], c->regret_mean);
            if (isfinite(c->regret_p90))
                top[k] = fmax(top[k], c->regret_p90);
        }
    }
    int h = (int)(120 + r->n_goals * (80 + 28 * r->n_pol));
    if (r->n_goals > 0 && (f = gp_script_open(&j, "regret", "each policy's "
                                              "regret per outcome", 900, h))) {
        bar_panels(f, "regret.dat", r->n_goals, r->n_pol, r->goal,
                   "regret: loss against the best policy in the same trial",
                   1, r->maximize, top);
        gp_script_close(&j, f, "regret");
    }
    h = (int)(120 + r->n_conds * (80 + 28 * r->n_pol));
    if (r->n_conds > 0 && (f = gp_script_open(&j, "satisficing", "each "
                                              "policy's share of trials "
                                              "meeting each condition", 900,
                                              h))) {
        bar_panels(f, "satisficing.dat", r->n_conds, r->n_pol, r->cond,
                   "% of trials meeting the condition", 0, NULL, NULL);
        gp_script_close(&j, f, "satisficing");
    }
    free(top);
    return gp_charts_end(&j, o);
}

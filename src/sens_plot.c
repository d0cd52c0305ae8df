/* sens_plot.c: gnuplot scripts for tornado, Sobol and sweep charts, and running gnuplot on them. */
#include "sens_plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "output.h"

extern char **environ;

/* S as a gnuplot single-quoted string: nothing is special inside but the
 * quote, which is doubled; `noenhanced` keeps '_' literal. */
static void gp_string(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        if (*s != '\n')
            fputc(*s, f);
    }
    fputc('\'', f);
}

/* "set output 'DIR/PREFIX-NAME.png'" */
static void gp_output(FILE *f, const char *dir, const char *prefix,
                      const char *name)
{
    size_t len = strlen(dir) + strlen(prefix) + strlen(name) + 8;
    char *p = malloc(len);
    if (!p)
        return;
    snprintf(p, len, "%s/%s-%s.png", dir, prefix, name);
    fputs("set output ", f);
    gp_string(f, p);
    fputc('\n', f);
    free(p);
}

/* Opens DIR/NAME for the script; NULL with a message. */
static FILE *gp_open(const char *dir, const char *name, char **path, diag *d)
{
    *path = output_path(dir, name);
    FILE *f = *path ? fopen(*path, "w") : NULL;
    if (!f) {
        diag_add(d, *path ? *path : name, 0, NULL, "cannot write: %s",
                 strerror(errno));
        return NULL;
    }
    fputs("# Written by ncgsim; run with: gnuplot FILE\n"
          "set terminal pngcairo size 900,560 noenhanced font 'sans,10'\n"
          "set encoding utf8\nset grid\n", f);
    return f;
}

/* Closes F and runs gnuplot on PATH without a shell (no quoting trouble);
 * 0 or -1. Frees PATH. */
static int gp_run(FILE *f, char *path)
{
    int bad = ferror(f) | fclose(f), status = 0, rc = -1;
    pid_t pid;
    char *argv[] = { "gnuplot", path, NULL };
    posix_spawn_file_actions_t fa;
    if (!bad && posix_spawn_file_actions_init(&fa) == 0) {
        /* gnuplot's chatter (and warnings such as an empty range for a
         * constant output) would mix with the table; the script stays in
         * the folder to rerun by hand. */
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        if (posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ) == 0
            && waitpid(pid, &status, 0) == pid && WIFEXITED(status)
            && WEXITSTATUS(status) == 0)
            rc = 0;
        posix_spawn_file_actions_destroy(&fa);
    }
    free(path);
    return rc;
}

/* The random params of R's output Q ordered by |swing|, smallest first
 * (gnuplot draws the first at the bottom). */
static void by_swing(const sens_result *r, size_t q, size_t *order)
{
    for (size_t j = 0; j < r->d; j++)
        order[j] = j;
    for (size_t a = 1; a < r->d; a++)
        for (size_t b = a; b > 0; b--) {
            double x = fabs(r->rows[q * r->d + order[b - 1]].swing);
            double y = fabs(r->rows[q * r->d + order[b]].swing);
            if (!(x > y))
                break;
            size_t t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
}

int sens_plot_sensitivity(const sens_result *r, const char *dir, diag *d)
{
    char *path;
    FILE *f = gp_open(dir, "sensitivity.gp", &path, d);
    size_t *order = calloc(r->d + 1, sizeof *order);
    if (!f || !order) {
        free(order);
        if (f)
            fclose(f);
        free(path);
        return -1;
    }
    for (size_t q = 0; q < r->n_out; q++) {
        const char *out = r->m->vars[r->m->outputs[r->outputs[q]]].name;
        double base = r->base_mean[q];
        by_swing(r, q, order);
        /* Inline data: y, name, low bar ends, high bar ends, intervals. */
        fprintf(f, "$T%zu << EOD\n", q);
        for (size_t k = 0; k < r->d; k++) {
            const sens_row *w = &r->rows[q * r->d + order[k]];
            fprintf(f, "%zu %s %.6g %.6g %.6g %.6g %.6g %.6g %.6g %.6g %.6g "
                    "%.6g %.6g %.6g %.6g\n", k,
                    r->m->vars[r->m->random_params[order[k]]].name,
                    base, base + w->low, base + w->low_lo, base + w->low_hi,
                    base + w->high, base + w->high_lo, base + w->high_hi,
                    w->s1, w->s1_lo, w->s1_hi, w->st, w->st_lo, w->st_hi);
        }
        fputs("EOD\n", f);
        gp_output(f, dir, "tornado", out);
        fputs("set title ", f);
        gp_string(f, out);
        fprintf(f, " . ': mean at the last step with each param at its p10 "
                "and p90 (paired 95%%)'\nunset xtics\nset xtics\n"
                "set ytics ()\nset xlabel ");
        gp_string(f, out);
        fprintf(f, "\nset yrange [-0.7:%zu.7]\nset xrange [*:*]\n"
                "set style fill solid 0.7\nset key bottom right\n"
                "set arrow 1 from %.6g, graph 0 to %.6g, graph 1 nohead dt 2\n"
                "plot $T%zu using (($3+$4)/2):1:(($3<$4)?$3:$4):(($3<$4)?$4:$3):($1-0.35):($1+0.35):ytic(2) "
                "with boxxyerror lc rgb '#4477aa' title 'at p10', \\\n"
                "  '' using (($3+$7)/2):1:(($3<$7)?$3:$7):(($3<$7)?$7:$3):($1-0.35):($1+0.35) "
                "with boxxyerror lc rgb '#cc6677' title 'at p90', \\\n"
                "  '' using 4:1:5:6 with xerrorbars lc rgb 'black' pt 0 notitle, \\\n"
                "  '' using 7:1:8:9 with xerrorbars lc rgb 'black' pt 0 notitle\n"
                "unset arrow 1\n", r->d ? r->d - 1 : 0, base, base, q);
        /* Sobol bars in rank order of the tornado (same data block). */
        gp_output(f, dir, "sobol", out);
        fputs("set title ", f);
        gp_string(f, out);
        fprintf(f, " . ': Sobol indices, first order and total (bootstrap "
                "95%%)'\nset xlabel ''\nset ylabel 'share of variance'\n"
                "set yrange [0:*]\nset xrange [-0.7:%zu.7]\nset ytics auto\n"
                "set xtics rotate by 30 right\nset key top left\n"
                "set boxwidth 0.35\n"
                "plot $T%zu using ($1-0.18):10:xtic(2) with boxes lc rgb '#88ccee' title 'first order', \\\n"
                "  '' using ($1+0.18):13 with boxes lc rgb '#332288' title 'total', \\\n"
                "  '' using ($1-0.18):10:11:12 with yerrorbars lc rgb 'black' pt 0 notitle, \\\n"
                "  '' using ($1+0.18):13:14:15 with yerrorbars lc rgb 'black' pt 0 notitle\n"
                "set ylabel ''\nset xtics norotate\nset yrange [*:*]\n",
                r->d ? r->d - 1 : 0, q);
    }
    free(order);
    return gp_run(f, path);
}

int sens_plot_sweep(const sweep_result *r, const char *dir, diag *d)
{
    char *path;
    FILE *f = gp_open(dir, "sweep.gp", &path, d);
    if (!f) {
        free(path);
        return -1;
    }
    for (size_t q = 0; q < r->n_out; q++) {
        const char *out = r->m->vars[r->m->outputs[q]].name;
        fprintf(f, "$S%zu << EOD\n", q);
        for (size_t p = 0; p < r->n_points; p++) {
            const sweep_cell *c = &r->cells[p * r->n_out + q];
            if (r->n_axes == 2 && p > 0 && p % r->axes[1].n == 0)
                fputc('\n', f);   /* a blank line between grid rows */
            fprintf(f, "%.12g", sweep_point_value(r, p, 0));
            if (r->n_axes == 2)
                fprintf(f, " %.12g", sweep_point_value(r, p, 1));
            fprintf(f, " %.6g %.6g %.6g\n", c->mean,
                    c->mean - 1.959963984540054 * c->se,
                    c->mean + 1.959963984540054 * c->se);
        }
        fputs("EOD\n", f);
        gp_output(f, dir, "sweep", out);
        fputs("set title ", f);
        gp_string(f, out);
        fputs(" . ' at the last step (95% band; common random numbers)'\n"
              "set xlabel ", f);
        gp_string(f, r->axes[0].path);
        if (r->n_axes == 1) {
            fputs("\nset ylabel ", f);
            gp_string(f, out);
            fprintf(f, "\nplot $S%zu using 1:3:4 with filledcurves "
                    "fc rgb '#aaccee' title '95%%', \\\n"
                    "  '' using 1:2 with linespoints lc rgb '#225588' pt 7 "
                    "title 'mean'\n", q);
        } else {
            fputs("\nset ylabel ", f);
            gp_string(f, r->axes[1].path);
            fputs("\nset cblabel ", f);
            gp_string(f, out);
            fprintf(f, "\nset view map\nset palette cubehelix\n"
                    "splot $S%zu using 1:2:3 with pm3d notitle\n", q);
        }
    }
    return gp_run(f, path);
}

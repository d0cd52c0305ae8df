/* sens_plot.h: the charts of sensitivity and sweep results, through the plot module's one gnuplot back end. */
#ifndef NCG_SENS_PLOT_H
#define NCG_SENS_PLOT_H

#include "base/diag.h"
#include "analysis/sens.h"
#include "analysis/sweep.h"
#include "plot/plot.h"

/* Writes into DIR, per output, tornado-<output>.gp (bars from the base
 * mean to the mean with each param at its low and high value, paired 95%
 * intervals: the 12 largest swings, largest on top, random params and
 * constants in two colours; an output no param moved says so) and, when
 * there are random params and the output varies beyond rounding,
 * sobol-<output>.gp (S1 and ST of the 12 with the largest total index,
 * with bootstrap intervals; params with no share counted in the title;
 * S1 alone for a conditioned scenario), each with its data inline, plus
 * all.gp and style.gp; then draws them in O's format (see plot.h).
 * 0, or NCG_ERR_IO with a message saying what failed (gnuplot missing:
 * 0, scripts only, O->result->no_gnuplot set). */
int sens_plot_sensitivity(const sens_result *r, const char *dir,
                          const plot_opts *o, diag *d);

/* The same for sweep-<output>.gp: the mean (probability) with its 95%
 * band against the varied setting, or a heatmap over two settings. */
int sens_plot_sweep(const sweep_result *r, const char *dir,
                    const plot_opts *o, diag *d);

/* The same charts redrawn from the files of a sensitivity folder DIR
 * (sensitivity.csv, and resolved.cfg for the last step's label and which
 * outputs are events), written and drawn in DIR: the report draws them
 * from copies, and they do not depend on the folder's own images or
 * scripts. 0, or NCG_ERR_IO with a message ("PATH: no column 'x'", a
 * file that cannot be read, what failed while drawing), or the status of
 * a resolved.cfg that cannot be loaded. */
int sens_plot_sensitivity_files(const char *dir, const plot_opts *o,
                                diag *d);

/* The same for a sweep folder DIR, from its sweep.csv alone (the varied
 * settings are the one or two columns between `point` and `variable`). */
int sens_plot_sweep_files(const char *dir, const plot_opts *o, diag *d);

#endif

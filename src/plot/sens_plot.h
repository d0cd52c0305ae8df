/* sens_plot.h: gnuplot charts of sensitivity and sweep results (until plot.c offers a shared way). */
#ifndef NCG_SENS_PLOT_H
#define NCG_SENS_PLOT_H

#include "base/diag.h"
#include "analysis/sens.h"
#include "analysis/sweep.h"

/* Writes DIR/sensitivity.gp and runs gnuplot on it: per output,
 * tornado-<output>.png (bars from the base mean to the mean with each
 * param at its low and high value, paired 95% intervals: the 12 largest
 * swings, largest on top, random params and constants in two colours)
 * and, when there are random params and the output varies,
 * sobol-<output>.png (S1 and ST of the 12 with the largest total index,
 * with bootstrap intervals).
 * 0, or -1 when gnuplot is missing or fails (the script stays in DIR). */
int sens_plot_sensitivity(const sens_result *r, const char *dir, diag *d);

/* Writes DIR/sweep.gp and runs it: per output, sweep-<output>.png, the
 * mean (probability) with its 95% band against the varied setting, or a
 * heatmap over two settings. 0 or -1 as above. */
int sens_plot_sweep(const sweep_result *r, const char *dir, diag *d);

#endif

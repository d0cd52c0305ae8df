/* discover_plot.h: gnuplot charts of a scenario-discovery result (trade-off, box limits, scatter). */
#ifndef NCG_DISCOVER_PLOT_H
#define NCG_DISCOVER_PLOT_H

#include "analysis/discover.h"
#include "base/diag.h"

/* Writes DIR/discover.gp (and the small data files it reads) and runs
 * gnuplot on it: tradeoff.png (coverage against density of every box of
 * each trajectory, coloured by restricted dimensions, the chosen boxes
 * ringed), limits.png (the chosen box of the first sequence against each
 * restricted input's range, with quasi-p-values) and scatter.png (the two
 * most significant restricted inputs, cases of interest marked, the box
 * drawn). 0, or -1 when gnuplot is missing or fails (the script stays). */
int discover_plot(const discover_result *r, const char *dir, diag *d);

#endif
